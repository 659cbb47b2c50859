//! Debian's unmodified stunnel4 on ferrossl, as a TLS server and as a TLS client, in one
//! foreground process with four services:
//!
//! - `[server]`: TLS on its accept port in front of a plain TCP echo server (a thread here),
//!   requiring a client certificate (`verifyChain`, `CAfile`); the peer is a stock
//!   `openssl s_client` presenting the test client certificate and sending random data.
//! - `[cafile]`: plain on its accept port, TLS to a stock `openssl s_server -WWW` verified with
//!   `CAfile`, `verifyChain`, `checkHost` and SNI; fetched twice, the second connection resumes.
//! - `[capath]`: the same through a `CApath` directory hashed with the stock `openssl rehash`.
//! - `[untrusted]`: the same to a server whose certificate chains to another root: refused.
//! - `[ocsp]`: the same to a server whose certificate stunnel checks with `OCSP = <url>` against
//!   a stock `openssl ocsp` responder (the certificate is made here, issued by the test root).
//!
//! stunnel runs on ferrossl through `LD_LIBRARY_PATH` and `LD_PRELOAD`, and once on stock
//! OpenSSL, which proves the test itself.
//!
//! Debian 12's stunnel 5.68 has no client-side OCSP stapling (it never calls
//! `SSL_set_tlsext_status_type` and has no `OCSPrequest` option); its `OCSP` option queries a
//! responder from the certificate verification callback, which is what `[ocsp]` exercises.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, Lib, Proc};
use common::{path_str, pki, CertKey, KeyAlg, Mode, Server, TempDir, OPENSSL};

const STUNNEL: &str = "/usr/bin/stunnel4";

/// A plain TCP server on 127.0.0.1 that echoes each connection's bytes back until the client
/// half-closes or `len` bytes have passed, then closes (s_client never half-closes).
fn echo_server(len: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding the echo server");
    let port = listener.local_addr().expect("echo address").port();
    // Detached: it serves one connection and ends with it (or with the test process).
    thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
        let mut buf = vec![0u8; 16384];
        let mut done = 0;
        while done < len {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if conn.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    done += n;
                }
            }
        }
    });
    port
}

/// The ports stunnel listens on (`*_in`) and connects to (`*_out`).
struct Ports {
    server_in: u16,
    echo_out: u16,
    cafile_in: u16,
    capath_in: u16,
    backend_out: u16,
    untrusted_in: u16,
    untrusted_out: u16,
    ocsp_in: u16,
    ocsp_out: u16,
    responder: u16,
}

/// stunnel's configuration: the services of the module docs.
fn config(p: &Ports, log: &Path, capath: &Path) -> String {
    let cert = pki().server(KeyAlg::EcdsaP256);
    let root = path_str(&pki().root_ca());
    let client = |name: &str, accept: u16, connect: u16, trust: &str| {
        format!(
            "[{name}]\nclient = yes\naccept = 127.0.0.1:{accept}\nconnect = 127.0.0.1:{connect}\n\
             {trust}\nverifyChain = yes\ncheckHost = localhost\nsni = localhost\n"
        )
    };
    format!(
        "foreground = yes\npid =\ndebug = 7\noutput = {log}\n\
         [server]\naccept = 127.0.0.1:{}\nconnect = 127.0.0.1:{}\n\
         cert = {chain}\nkey = {key}\nverifyChain = yes\nCAfile = {root}\n{}{}{}{}\
         OCSP = http://127.0.0.1:{}/\n",
        p.server_in,
        p.echo_out,
        client(
            "cafile",
            p.cafile_in,
            p.backend_out,
            &format!("CAfile = {root}")
        ),
        client(
            "capath",
            p.capath_in,
            p.backend_out,
            &format!("CApath = {}", path_str(capath))
        ),
        client(
            "untrusted",
            p.untrusted_in,
            p.untrusted_out,
            &format!("CAfile = {root}")
        ),
        client("ocsp", p.ocsp_in, p.ocsp_out, &format!("CAfile = {root}")),
        p.responder,
        log = path_str(log),
        chain = path_str(&cert.chain),
        key = path_str(&cert.key),
    )
}

/// A `localhost` certificate issued directly by the test root (so the responder, signing with
/// the root, is authoritative for every certificate stunnel checks: the root itself is skipped),
/// and the responder's `index.txt` that lists it as valid. Made with the stock CLI.
fn issue_root_signed_cert(dir: &Path) -> CertKey {
    let ext =
        "[leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n\
               extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost\n";
    fs::write(dir.join("ext.cnf"), ext).expect("writing ext.cnf");
    let root = path_str(&pki().root_ca());
    let root_key = path_str(&pki().dir.join("root-ca.key"));
    let serial = random_hex(8).to_uppercase();
    let subject = "/O=ferrossl tests/CN=localhost";
    let genpkey = "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key";
    common::openssl(&genpkey.split(' ').collect::<Vec<_>>(), dir);
    let req = [
        "req", "-new", "-key", "leaf.key", "-subj", subject, "-out", "leaf.csr",
    ];
    common::openssl(&req, dir);
    let serial_arg = format!("0x{serial}");
    let x509 = [
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        &root,
        "-CAkey",
        &root_key,
        "-set_serial",
        &serial_arg,
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
        "-out",
        "leaf.pem",
    ];
    common::openssl(&x509, dir);
    let out = common::openssl(&["x509", "-in", "leaf.pem", "-noout", "-enddate"], dir);
    let end = index_date(out.stdout_str().trim().trim_start_matches("notAfter="));
    let index = format!("V\t{end}\t\t{serial}\tunknown\t{subject}\n");
    fs::write(dir.join("index.txt"), index).expect("writing index.txt");
    CertKey {
        cert: dir.join("leaf.pem"),
        key: dir.join("leaf.key"),
        chain: dir.join("leaf.pem"),
        intermediates: None,
    }
}

/// `Dec 31 13:23:11 2026 GMT` (as `x509 -enddate` prints it) as an index.txt date.
fn index_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let f: Vec<&str> = date.split_whitespace().collect();
    assert!(f.len() == 5 && f[4] == "GMT", "unexpected date {date:?}");
    let month = MONTHS.iter().position(|m| *m == f[0]).expect("a month") + 1;
    let day: u32 = f[1].parse().expect("a day");
    let time = f[2].replace(':', "");
    format!("{}{month:02}{day:02}{time}Z", &f[3][2..])
}

/// A stock `openssl ocsp` responder for `dir/index.txt`, signing with the root. (`-port` of
/// OpenSSL 3.0 takes a number only: it listens on every address.)
fn ocsp_responder(dir: &Path, port: u16) -> Proc {
    let root = path_str(&pki().root_ca());
    let root_key = path_str(&pki().dir.join("root-ca.key"));
    let mut cmd = common::command(OPENSSL);
    cmd.current_dir(dir)
        .args(["ocsp", "-index", "index.txt", "-port", &port.to_string()])
        .args(["-rsigner", &root, "-rkey", &root_key, "-CA", &root]);
    let mut proc = Proc::spawn(&mut cmd, "openssl-ocsp", false);
    proc.wait_for(
        "waiting for OCSP client connections",
        Duration::from_secs(10),
    );
    proc
}

/// Waits until `log` contains `marker`.
fn wait_for_log(log: &Path, marker: &str, proc: &mut Proc) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = fs::read_to_string(log).unwrap_or_default();
        if text.contains(marker) {
            return;
        }
        assert!(
            proc.is_running() && Instant::now() < deadline,
            "stunnel did not log {marker:?}:\n{text}\n--- stderr ---\n{}",
            proc.log()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// An HTTP/1.0 GET of `/<path>` through stunnel's plain accept port: the response body.
fn get_through(port: u16, path: &str) -> String {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connecting to stunnel");
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("setting a timeout");
    write!(conn, "GET /{path} HTTP/1.0\r\n\r\n").expect("sending the request");
    let mut response = Vec::new();
    let _ = conn.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    match text.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.0 200 ok") => body.to_owned(),
        _ => format!("no 200 response: {}", common::progs::head(&text, 500)),
    }
}

fn stunnel_tunnels_both_ways(lib: Lib) {
    let dir = TempDir::new("stunnel");
    let log = dir.join("stunnel.log");

    // The TLS back end of the client services, and its random page.
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-WWW".into());
    let backend = Server::s_server(&args);
    let page = format!("{}\n", random_hex(100_000));
    fs::write(backend.docroot().join("page.txt"), &page).expect("writing the page");

    // A CApath directory: the root under its subject-hash name, made by the stock CLI.
    let capath = dir.join("capath");
    fs::create_dir_all(&capath).expect("creating the CApath directory");
    fs::copy(pki().root_ca(), capath.join("root-ca.pem")).expect("copying the root");
    common::openssl(&["rehash", &path_str(&capath)], dir.path());

    let data = random_hex(200_000);
    let echo = echo_server(data.len());
    // A server whose certificate chains to a root stunnel does not trust.
    let mut args = pki().untrusted_server().s_server_args();
    args.push("-WWW".into());
    let untrusted = Server::s_server(&args);
    // A server whose certificate stunnel checks with a stock `openssl ocsp` responder.
    let ocsp_dir = dir.join("ocsp");
    fs::create_dir_all(&ocsp_dir).expect("creating the OCSP directory");
    let responder_port = common::free_port();
    let ocsp_cert = issue_root_signed_cert(&ocsp_dir);
    let responder = ocsp_responder(&ocsp_dir, responder_port);
    let mut args = vec!["-WWW".to_owned(), "-cert".to_owned()];
    args.extend([
        path_str(&ocsp_cert.cert),
        "-key".to_owned(),
        path_str(&ocsp_cert.key),
    ]);
    let ocsp_backend = Server::s_server(&args);
    fs::write(ocsp_backend.docroot().join("page.txt"), &page).expect("writing the page");

    let mut ports = Ports {
        server_in: 0,
        echo_out: echo,
        cafile_in: common::free_port(),
        capath_in: common::free_port(),
        backend_out: backend.port(),
        untrusted_in: common::free_port(),
        untrusted_out: untrusted.port(),
        ocsp_in: common::free_port(),
        ocsp_out: ocsp_backend.port(),
        responder: responder_port,
    };
    let (mut stunnel, server_port) = Proc::server(
        "stunnel4",
        |port| {
            let conf = dir.join(format!("stunnel-{port}.conf"));
            ports.server_in = port;
            fs::write(&conf, config(&ports, &log, &capath)).expect("writing stunnel.conf");
            let mut cmd = common::command(STUNNEL);
            cmd.arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        None,
    );
    wait_for_log(&log, "Accepting new connections", &mut stunnel);
    assert_maps(stunnel.pid(), lib, "stunnel4");
    let stunnel_log = || fs::read_to_string(&log).unwrap_or_default();
    let text = stunnel_log();
    assert!(
        !text.contains("No trusted certificates found")
            && text.contains(
                "Configured trusted server CA: O=ferrossl tests, CN=ferrossl Test Root CA"
            )
            && text.contains(
                "Configured trusted client CA: O=ferrossl tests, CN=ferrossl Test Root CA"
            ),
        "stunnel did not load its CA file:\n{text}"
    );

    // Server mode: s_client (stock) with a client certificate; the echo comes back intact.
    let input = dir.join("input.txt");
    fs::write(&input, &data).expect("writing the input");
    let client = pki().client();
    let mut cmd = common::command(OPENSSL);
    cmd.args([
        "s_client",
        "-quiet",
        "-connect",
        &format!("127.0.0.1:{server_port}"),
    ])
    .args(["-servername", "localhost", "-verify_hostname", "localhost"])
    .args([
        "-verify_return_error",
        "-CAfile",
        &path_str(&pki().root_ca()),
    ])
    .args([
        "-cert",
        &path_str(&client.cert),
        "-key",
        &path_str(&client.key),
    ])
    .stdin(fs::File::open(&input).expect("opening the input"));
    let out = common::run(&mut cmd, Duration::from_secs(30));
    common::assert_same_bytes(&out.stdout, data.as_bytes(), "the echo through stunnel");
    let text = stunnel_log();
    assert!(
        text.contains("Certificate accepted at depth=0: O=ferrossl tests, CN=ferrossl test client"),
        "stunnel did not verify the client certificate:\n{text}\n{}",
        out.stderr
    );

    // Client mode, CAfile then CApath: each fetches the page twice; the second resumes.
    for (port, service) in [(ports.cafile_in, "cafile"), (ports.capath_in, "capath")] {
        for attempt in 0..2 {
            let body = get_through(port, "page.txt");
            common::assert_same_bytes(
                body.as_bytes(),
                page.as_bytes(),
                &format!(
                    "page.txt through [{service}] #{attempt}:\n{}",
                    stunnel_log()
                ),
            );
        }
    }
    let text = stunnel_log();
    let verified = "Certificate accepted at depth=0: O=ferrossl tests, CN=localhost";
    let matched = "CERT: Host name \"localhost\" matched with \"localhost\"";
    let reused = text
        .matches("TLS connected: previous session reused")
        .count();
    assert!(
        text.matches(verified).count() >= 2 && text.contains(matched) && reused >= 2,
        "stunnel client: {reused} resumptions, verification:\n{text}\n--- s_server ---\n{}",
        backend.output()
    );
    for bad in ["Connection reset", "INTERNAL ERROR", "SSL_connect: "] {
        assert!(!text.contains(bad), "stunnel logged {bad:?}:\n{text}");
    }

    // OCSP: stunnel asks the responder about the server's certificate and accepts it as good.
    let body = get_through(ports.ocsp_in, "page.txt");
    let text = stunnel_log();
    common::assert_same_bytes(
        body.as_bytes(),
        page.as_bytes(),
        &format!(
            "page.txt through [ocsp]:\n{text}\n--- responder ---\n{}",
            responder.log()
        ),
    );
    let asked = format!(
        "OCSP: Connecting the configured responder \"http://127.0.0.1:{}/\"",
        ports.responder
    );
    assert!(
        text.contains(&asked)
            && text.contains("OCSP: Status: good")
            && text.contains("OCSP: Certificate accepted"),
        "stunnel did not check the certificate with OCSP:\n{text}"
    );

    // verifyChain refuses a server from another PKI: the plain client just sees the close.
    let body = get_through(ports.untrusted_in, "page.txt");
    assert!(body.starts_with("no 200 response: "), "{body}");
    let text = stunnel_log();
    assert!(
        text.contains("Rejected by CERT at depth=0: O=somebody else, CN=localhost")
            && text.contains("certificate verify failed"),
        "stunnel did not reject the untrusted server:\n{text}"
    );
    common::progs::report(
        "stunnel4 (TLS server and client)",
        "stunnel4",
        lib,
        &format!(
            "server: echo of {} random bytes to openssl s_client with a verified client cert; \
             client: HTTP GETs of {} bytes from openssl s_server -WWW verified via CAfile and \
             CApath, second connection of each resumed; OCSP check via openssl ocsp; an untrusted server rejected",
            data.len(),
            page.len()
        ),
    );
}

#[test]
fn stunnel_on_ferrossl_library_path_tunnels_both_ways() {
    stunnel_tunnels_both_ways(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn stunnel_on_ferrossl_preload_tunnels_both_ways() {
    stunnel_tunnels_both_ways(Lib::Ours(Mode::Preload));
}

#[test]
fn stunnel_on_stock_tunnels_both_ways() {
    stunnel_tunnels_both_ways(Lib::Stock);
}
