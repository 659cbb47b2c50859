//! Debian's unmodified haproxy as a TLS server on ferrossl. One haproxy serves two TLS binds:
//!
//! - `crt-list` with an RSA and an ECDSA certificate for `localhost` and an ECDSA one for
//!   `wrong.example`, `alpn h2,http/1.1`: haproxy's client hello callback picks the certificate
//!   from the SNI, the signature algorithms and the ECDSA ciphers the client offers
//!   (`SSL_client_hello_get0_ext`/`_get0_ciphers`, `SSL_CIPHER_find`) and switches the
//!   connection to that certificate's context (`SSL_set_SSL_CTX`);
//! - `verify required ca-file`: client certificates, whose subject and chain haproxy reports.
//!
//! Requests either get haproxy's own answer (`/info`: SNI, ALPN, protocol, resumption, client
//! DN and chain as haproxy's sample fetches see them) or go to a stock `openssl s_server -WWW`
//! over a verified TLS back end (random files). The peers are stock: `openssl s_client` (which
//! certificate, resumption with `-sess_out`/`-sess_in` in TLS 1.2 with tickets, with session
//! IDs, and TLS 1.3, client certificates) and curl (HTTP/2 over ALPN, client certificate).
//! Two `crt-list` lines carry options for their name (ALPN, `verify required`), which apply
//! only once haproxy has switched to their context; haproxy's stats socket shows that session
//! IDs were resumed from its own cache (`SSL_CTX_sess_set_get_cb`).
//! haproxy runs on ferrossl through `LD_LIBRARY_PATH` and `LD_PRELOAD`, and on stock OpenSSL,
//! which proves the test itself.

mod common;

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::progs::{assert_maps, head, random_hex, report, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, TempDir, CLIENT_CN, CURL, OPENSSL};

const HAPROXY: &str = "/usr/sbin/haproxy";
/// The name whose `crt-list` line requires a client certificate.
const SECURE_NAME: &str = "secure.localhost";
/// Subject of the client certificate issued by the intermediate CA (made by the test).
const CHAINED_CLIENT_CN: &str = "haproxy chained client";
/// What `/info` answers; `chain` is the DER of the client's chain without its leaf, in hex.
const INFO: &str = "info sni=%[ssl_fc_sni] alpn=%[ssl_fc_alpn] proto=%[ssl_fc_protocol] \
                    reused=%[ssl_fc_is_resumed] dn=%[ssl_c_s_dn] chain=%[ssl_c_chain_der,hex]";

/// A running haproxy with its two TLS ports, its back end and its files.
struct Front {
    haproxy: Proc,
    /// The `crt-list` bind (several certificates, ALPN).
    tls: u16,
    /// The bind that requires a client certificate.
    mtls: u16,
    /// The random file the back end serves as `/page.txt`.
    body: String,
    dir: TempDir,
    _backend: Server,
}

/// `parts` concatenated into `<dir>/<name>` (haproxy's `crt` files hold chain and key).
fn concat(dir: &TempDir, name: &str, parts: &[PathBuf]) -> PathBuf {
    let mut pem = Vec::new();
    for part in parts {
        pem.extend(fs::read(part).unwrap_or_else(|e| panic!("{}: {e}", part.display())));
    }
    let path = dir.join(name);
    fs::write(&path, pem).expect("writing a PEM file");
    path
}

/// An ECDSA client certificate issued by the intermediate CA: `(cert, key)` in `dir`.
fn chained_client(dir: &TempDir) -> (PathBuf, PathBuf) {
    let ext = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
               extendedKeyUsage=clientAuth\n";
    fs::write(dir.join("client.ext"), ext).expect("writing client.ext");
    let ca = path_str(&pki().intermediate_ca());
    let ca_key = path_str(&pki().dir.join("intermediate-ca.key"));
    let subject = format!("/O=ferrossl tests/CN={CHAINED_CLIENT_CN}");
    // File names relative to `dir`; the paths outside it go as whole arguments.
    let run = |cmdline: &str, extra: &[&str]| {
        let mut args: Vec<&str> = cmdline.split_whitespace().collect();
        args.extend_from_slice(extra);
        common::openssl(&args, dir.path());
    };
    run(
        "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out chained.key",
        &[],
    );
    run(
        "req -new -key chained.key -out chained.csr",
        &["-subj", &subject],
    );
    run(
        "x509 -req -in chained.csr -CAserial chained.srl -CAcreateserial -days 2 \
         -extfile client.ext -out chained.pem",
        &["-CA", &ca, "-CAkey", &ca_key],
    );
    (dir.join("chained.pem"), dir.join("chained.key"))
}

/// The DER of the PEM certificate `pem`, in upper-case hex (haproxy's `hex` converter).
fn der_hex(pem: &Path) -> String {
    let mut cmd = common::command(OPENSSL);
    cmd.args(["x509", "-outform", "DER", "-in"]).arg(pem);
    let out = common::run(&mut cmd, Duration::from_secs(20));
    out.assert_success();
    out.stdout.iter().map(|b| format!("{b:02X}")).collect()
}

fn config(tls: u16, mtls: u16, backend: u16, dir: &TempDir) -> String {
    format!(
        "global\n\
         \x20   nbthread 1\n\
         \x20   log stderr format raw local0 info\n\
         \x20   tune.ssl.default-dh-param 2048\n\
         \x20   stats socket {stats}\n\
         defaults\n\
         \x20   mode http\n\
         \x20   log global\n\
         \x20   option httplog\n\
         \x20   timeout connect 5s\n\
         \x20   timeout client 20s\n\
         \x20   timeout server 20s\n\
         frontend fe\n\
         \x20   bind 127.0.0.1:{tls} name multi ssl crt-list {list} alpn h2,http/1.1\n\
         \x20   bind 127.0.0.1:{mtls} name mtls ssl crt {rsa} verify required ca-file {ca}\n\
         \x20   http-request return status 200 content-type text/plain lf-string \"{INFO}\\n\" \
         if {{ path /info }}\n\
         \x20   http-response set-header X-Client-DN %[ssl_c_s_dn]\n\
         \x20   http-response set-header X-ALPN %[ssl_fc_alpn]\n\
         \x20   default_backend be\n\
         backend be\n\
         \x20   server s1 127.0.0.1:{backend} ssl verify required ca-file {ca} sni str(localhost)\n",
        list = path_str(&dir.join("certs.list")),
        rsa = path_str(&dir.join("rsa.pem")),
        stats = path_str(&dir.join("stats.sock")),
        ca = path_str(&pki().root_ca()),
    )
}

fn start(lib: Lib) -> Front {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-WWW".into());
    let backend = Server::s_server(&args);
    let body = format!("{}\n", random_hex(150_000));
    fs::write(backend.docroot().join("page.txt"), &body).expect("writing the page");

    let dir = TempDir::new("haproxy-server");
    let mut list = String::new();
    // The first certificate is the default one (a client without a known SNI gets it). The
    // last two lines set options for one name, which haproxy applies by switching to that
    // line's context: their own ALPN list, and client certificates for `secure.localhost`.
    let ca = path_str(&pki().root_ca());
    for (name, cert, options) in [
        ("rsa.pem", pki().server(KeyAlg::Rsa2048), String::new()),
        ("ecdsa.pem", pki().server(KeyAlg::EcdsaP256), String::new()),
        (
            "other.pem",
            pki().wrong_host_server(),
            " [alpn http/1.1] wrong.example".to_owned(),
        ),
        (
            "ecdsa.pem",
            pki().server(KeyAlg::EcdsaP256),
            format!(" [verify required ca-file {ca}] {SECURE_NAME}"),
        ),
    ] {
        let file = concat(&dir, name, &[cert.chain.clone(), cert.key.clone()]);
        list.push_str(&format!("{}{options}\n", path_str(&file)));
    }
    fs::write(dir.join("certs.list"), list).expect("writing the crt-list");
    let mut mtls = 0;
    let (haproxy, tls) = Proc::server(
        "haproxy",
        |port| {
            mtls = common::free_port();
            let conf = dir.join(format!("haproxy-{port}.cfg"));
            fs::write(&conf, config(port, mtls, backend.port(), &dir)).expect("writing the config");
            let mut cmd = common::command(HAPROXY);
            cmd.arg("-db").arg("-f").arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        None,
    );
    assert!(
        TcpStream::connect(("127.0.0.1", mtls)).is_ok(),
        "haproxy does not listen on {mtls}:\n{}",
        haproxy.log()
    );
    assert_maps(haproxy.pid(), lib, "haproxy");
    Front {
        haproxy,
        tls,
        mtls,
        body,
        dir,
        _backend: backend,
    }
}

impl Front {
    /// Stock `openssl s_client` to `port` sending `GET <path>`; its stdout and stderr together.
    fn s_client(&self, port: u16, path: &str, args: &[&str]) -> String {
        let request = self
            .dir
            .join(format!("request-{}", path.trim_start_matches('/')));
        let text = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        fs::write(&request, text).expect("writing a request");
        let mut cmd = common::command(OPENSSL);
        cmd.arg("s_client")
            .arg("-connect")
            .arg(format!("127.0.0.1:{port}"))
            .arg("-CAfile")
            .arg(pki().root_ca())
            .args(["-verify_return_error", "-ign_eof"])
            .args(args)
            .stdin(File::open(&request).expect("opening the request"));
        let out = common::run(&mut cmd, Duration::from_secs(20));
        format!("{}\n{}", out.stdout_str(), out.stderr)
    }

    /// The `/info` line of an `s_client` exchange, panicking (with everything) if it has none.
    fn info(&self, out: &str, what: &str) -> String {
        out.lines()
            .find(|l| l.starts_with("info "))
            .unwrap_or_else(|| {
                panic!(
                    "{what}: no answer from haproxy:\n{}\n--- haproxy ---\n{}",
                    head(out, 6000),
                    self.haproxy.log()
                )
            })
            .to_owned()
    }

    /// `(SslCacheLookups, SslCacheMisses)` of haproxy's `show info`: its own session cache
    /// (`SSL_CTX_sess_set_get_cb`), which holds TLS 1.2 sessions resumed by session ID.
    fn session_cache_stats(&self) -> (u64, u64) {
        let socket = self.dir.join("stats.sock");
        let mut stream = UnixStream::connect(&socket)
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", socket.display()));
        stream
            .write_all(b"show info\n")
            .expect("writing to the stats socket");
        let mut info = String::new();
        stream
            .read_to_string(&mut info)
            .expect("reading the stats socket");
        let field = |name: &str| {
            info.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in haproxy's show info:\n{info}"))
        };
        (field("SslCacheLookups"), field("SslCacheMisses"))
    }
}

/// The first PEM certificate in `text`, without line breaks.
fn first_cert(text: &str) -> Option<String> {
    let begin = text.find("-----BEGIN CERTIFICATE-----")?;
    let end = begin + text[begin..].find("-----END CERTIFICATE-----")?;
    Some(text[begin..end].split_whitespace().collect())
}

fn leaf_of(path: &Path) -> String {
    first_cert(&fs::read_to_string(path).expect("reading a certificate")).expect("a PEM file")
}

/// SNI, signature algorithms and ciphers pick the certificate haproxy serves.
fn certificate_selection(front: &Front) {
    let rsa = leaf_of(&pki().server(KeyAlg::Rsa2048).cert);
    let ecdsa = leaf_of(&pki().server(KeyAlg::EcdsaP256).cert);
    let other = leaf_of(&pki().wrong_host_server().cert);
    let ecdsa_only = [
        "-tls1_2",
        "-cipher",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "-sigalgs",
        "ECDSA+SHA256:ECDSA+SHA384",
    ];
    let rsa_only_12 = [
        "-tls1_2",
        "-cipher",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "-sigalgs",
        "RSA+SHA256:RSA-PSS+SHA256",
    ];
    let rsa_only_13 = ["-tls1_3", "-sigalgs", "RSA-PSS+SHA256:RSA+SHA256"];
    let cases: [(&str, &str, &[&str], &str, &str); 6] = [
        ("both offered", "localhost", &[], &ecdsa, "TLSv1.3"),
        ("ECDSA only", "localhost", &ecdsa_only, &ecdsa, "TLSv1.2"),
        (
            "RSA only, TLS 1.2",
            "localhost",
            &rsa_only_12,
            &rsa,
            "TLSv1.2",
        ),
        (
            "RSA only, TLS 1.3",
            "localhost",
            &rsa_only_13,
            &rsa,
            "TLSv1.3",
        ),
        ("other name", "wrong.example", &[], &other, "TLSv1.3"),
        ("unknown name", "unknown.example", &[], &rsa, "TLSv1.3"),
    ];
    for (what, sni, extra, want, proto) in cases {
        let mut args = vec!["-servername", sni, "-verify_hostname"];
        // The default certificate is for localhost.
        args.push(if sni == "unknown.example" {
            "localhost"
        } else {
            sni
        });
        args.extend_from_slice(extra);
        let out = front.s_client(front.tls, "/info", &args);
        let info = front.info(&out, what);
        assert_eq!(
            first_cert(&out).as_deref(),
            Some(want),
            "{what}: SNI {sni} {extra:?} got the wrong certificate:\n{}",
            head(&out, 6000)
        );
        assert!(
            info.contains(&format!(" sni={sni} ")) && info.contains(&format!(" proto={proto} ")),
            "{what}: haproxy saw {info}"
        );
        assert!(out.contains("Verify return code: 0 (ok)"), "{what}:\n{out}");
    }
}

/// Options of one `crt-list` line apply to connections for its name: ALPN (the client offers
/// h2 and http/1.1) and `verify required` for [`SECURE_NAME`].
fn per_name_options(front: &Front) {
    // After h2 is chosen s_client's HTTP/1.1 request is no use: only its own report counts.
    let args = ["-servername", "localhost", "-alpn", "h2,http/1.1"];
    let out = front.s_client(front.tls, "/info", &args);
    assert!(
        out.contains("\nALPN protocol: h2\n"),
        "SNI localhost: ALPN h2 was not negotiated:\n{}",
        head(&out, 6000)
    );
    let args = ["-servername", "wrong.example", "-alpn", "h2,http/1.1"];
    let out = front.s_client(front.tls, "/info", &args);
    let info = front.info(&out, "ALPN for wrong.example");
    assert!(
        out.contains("\nALPN protocol: http/1.1\n") && info.contains(" alpn=http/1.1 "),
        "SNI wrong.example: ALPN http/1.1 was not negotiated (haproxy saw {info}):\n{}",
        head(&out, 6000)
    );
    let out = front.s_client(front.tls, "/info", &["-servername", SECURE_NAME]);
    assert!(
        out.contains("alert certificate required") && !out.contains("\ninfo "),
        "{SECURE_NAME} without a client certificate was not refused:\n{}",
        head(&out, 6000)
    );
    let client = pki().client();
    let (cert, key) = (path_str(&client.cert), path_str(&client.key));
    let args = ["-servername", SECURE_NAME, "-cert", &cert, "-key", &key];
    let out = front.s_client(front.tls, "/info", &args);
    let info = front.info(&out, SECURE_NAME);
    assert!(
        info.contains(&format!(" sni={SECURE_NAME} "))
            && info.contains(&format!(" dn=/O=ferrossl tests/CN={CLIENT_CN} ")),
        "{SECURE_NAME} with a client certificate: haproxy saw {info}"
    );
    // The other names still need none.
    let out = front.s_client(front.tls, "/info", &["-servername", "localhost"]);
    assert!(
        front.info(&out, "localhost").contains(" dn= "),
        "localhost after {SECURE_NAME}:\n{out}"
    );
}

/// `-sess_out` then `-sess_in`: the second connection resumes, as both sides say; a session
/// ID is found in haproxy's own cache (one lookup, no miss), a ticket needs no lookup.
fn resumption(front: &Front) {
    for (what, args, proto, lookups) in [
        ("TLS 1.2 ticket", &["-tls1_2"][..], "TLSv1.2", 0),
        (
            "TLS 1.2 session ID",
            &["-tls1_2", "-no_ticket"][..],
            "TLSv1.2",
            1,
        ),
        ("TLS 1.3 ticket", &["-tls1_3"][..], "TLSv1.3", 0),
    ] {
        let before = front.session_cache_stats();
        let sess = front.dir.join("session.pem");
        let _ = fs::remove_file(&sess);
        for (io, state, reused) in [("-sess_out", "New", "0"), ("-sess_in", "Reused", "1")] {
            let mut all = vec!["-servername", "localhost", io];
            let sess = path_str(&sess);
            all.push(&sess);
            all.extend_from_slice(args);
            let out = front.s_client(front.tls, "/info", &all);
            let info = front.info(&out, what);
            assert!(
                out.contains(&format!("\n{state}, {proto}, Cipher is ")),
                "{what} {io}: s_client did not report {state}:\n{}",
                head(&out, 6000)
            );
            assert!(
                info.contains(&format!(" reused={reused} ")) && info.contains(proto),
                "{what} {io}: haproxy saw {info}"
            );
        }
        let (looked_up, missed) = front.session_cache_stats();
        assert_eq!(
            (looked_up - before.0, missed - before.1),
            (lookups, 0),
            "{what}: haproxy's session cache lookups and misses"
        );
    }
}

/// Stock curl fetches the random page with `args` and checks it; returns `version=<HTTP
/// version> status=200` and the response headers (lower case).
fn curl_page(front: &Front, port: u16, args: &[String], what: &str) -> String {
    let headers = front.dir.join("headers.txt");
    let mut cmd = common::command(CURL);
    cmd.args(["-q", "-sS", "--noproxy", "*", "--max-time", "20"])
        .arg("--cacert")
        .arg(pki().root_ca())
        .arg("-D")
        .arg(&headers)
        .args(["-w", "\nversion=%{http_version} status=%{http_code}"])
        .args(args)
        .arg(format!("https://localhost:{port}/page.txt"));
    let out = common::run(&mut cmd, Duration::from_secs(40));
    let got = out.stdout_str();
    let (page, trailer) = got.rsplit_once("\nversion=").unwrap_or((&got, "none"));
    assert!(
        trailer.ends_with(" status=200"),
        "{what}: curl got {trailer}: {}{}\n--- haproxy ---\n{}",
        head(page, 300),
        out.stderr,
        front.haproxy.log()
    );
    common::assert_same_bytes(page.as_bytes(), front.body.as_bytes(), what);
    let headers = fs::read_to_string(headers).expect("reading curl's headers");
    format!("version={trailer}\n{}", headers.to_ascii_lowercase())
}

/// curl over HTTP/2 (ALPN h2) and HTTP/1.1 (ALPN http/1.1) gets the page from the back end
/// (which answers in HTTP/1.0, which haproxy passes on to an HTTP/1 client).
fn alpn_and_data(front: &Front) {
    let h2 = curl_page(front, front.tls, &["--http2".into()], "the page over h2");
    assert!(
        h2.starts_with("version=2 ") && h2.contains("\nx-alpn: h2\r"),
        "curl --http2 did not speak h2 through ALPN:\n{h2}"
    );
    let h1 = curl_page(front, front.tls, &["--http1.1".into()], "the page over h1");
    assert!(
        (h1.starts_with("version=1.1 ") || h1.starts_with("version=1 "))
            && h1.contains("\nx-alpn: http/1.1\r"),
        "curl --http1.1 did not negotiate http/1.1:\n{h1}"
    );
}

/// The bind with `verify required`: no certificate is refused with an alert; the test PKI's
/// client certificate and one issued by the intermediate (sent with its chain) are accepted and
/// haproxy sees their subject and chain.
fn client_certificates(front: &Front) {
    let out = front.s_client(
        front.mtls,
        "/info",
        &["-servername", "localhost", "-tls1_3"],
    );
    assert!(
        out.contains("alert certificate required") && !out.contains("\ninfo "),
        "TLS 1.3 without a client certificate was not refused with an alert:\n{out}"
    );
    // certificate_required exists only in TLS 1.3; OpenSSL sends handshake_failure in TLS 1.2.
    let out = front.s_client(
        front.mtls,
        "/info",
        &["-servername", "localhost", "-tls1_2"],
    );
    assert!(
        out.contains("alert handshake failure") && !out.contains("\ninfo "),
        "TLS 1.2 without a client certificate was not refused with handshake_failure:\n{out}"
    );

    let client = pki().client();
    let args = [
        "--cert".into(),
        path_str(&client.cert),
        "--key".into(),
        path_str(&client.key),
    ];
    let got = curl_page(
        front,
        front.mtls,
        &args,
        "the page with a client certificate",
    );
    let dn = format!(
        "x-client-dn: /o=ferrossl tests/cn={}\r",
        CLIENT_CN.to_lowercase()
    );
    assert!(
        got.contains(&dn),
        "haproxy did not see the client certificate:\n{got}"
    );

    let (cert, key) = chained_client(&front.dir);
    let inter = pki().intermediate_ca();
    let want_chain = der_hex(&inter);
    for proto in ["-tls1_2", "-tls1_3"] {
        let out = front.s_client(
            front.mtls,
            "/info",
            &[
                "-servername",
                "localhost",
                proto,
                "-cert",
                &path_str(&cert),
                "-key",
                &path_str(&key),
                "-cert_chain",
                &path_str(&inter),
            ],
        );
        let info = front.info(&out, "a client certificate issued by the intermediate");
        assert!(
            info.contains(&format!(" dn=/O=ferrossl tests/CN={CHAINED_CLIENT_CN} ")),
            "{proto}: haproxy saw {info}"
        );
        assert!(
            info.ends_with(&format!(" chain={want_chain}")),
            "{proto}: haproxy's ssl_c_chain_der is not the intermediate:\n{info}"
        );
    }
    let log = front.haproxy.log();
    assert!(
        log.matches("fe/mtls: SSL handshake failure").count() >= 2,
        "haproxy did not log the refused handshakes:\n{log}"
    );
}

fn haproxy_serves_tls(lib: Lib) {
    let front = start(lib);
    certificate_selection(&front);
    per_name_options(&front);
    resumption(&front);
    alpn_and_data(&front);
    client_certificates(&front);
    let log = front.haproxy.log();
    assert!(
        log.lines()
            .any(|l| l.contains(" fe~ be/s1 ") && l.contains(" 200 ") && l.contains(" ---- ")),
        "haproxy's log has no clean 200 line through the back end:\n{log}"
    );
    report(
        "haproxy (TLS front end)",
        "haproxy",
        lib,
        &format!(
            "crt-list RSA/ECDSA/SNI certificate choice with per-name ALPN and verify, TLS 1.2 ticket/session-ID and TLS 1.3 \
             resumption, ALPN h2 and http/1.1 with a {}-byte random page each, client \
             certificates (DN, chain) with s_client and curl",
            front.body.len()
        ),
    );
}

#[test]
fn haproxy_on_ferrossl_library_path_serves_tls() {
    haproxy_serves_tls(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn haproxy_on_ferrossl_preload_serves_tls() {
    haproxy_serves_tls(Lib::Ours(Mode::Preload));
}

#[test]
fn haproxy_on_stock_serves_tls() {
    haproxy_serves_tls(Lib::Stock);
}
