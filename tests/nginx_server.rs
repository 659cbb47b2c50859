//! Debian's unmodified nginx serving HTTPS with ferrossl as its libssl.so.3, driven by stock
//! OpenSSL clients (Debian's curl, `openssl s_client`): key types and chains, SNI with two
//! certificates on one port, HTTP/2, resumption with tickets and with the shared session cache,
//! client certificates, protocol/cipher/group policy, `nginx -t`, and concurrent load.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{pki, random_bytes, KeyAlg, Nginx, TempDir};

fn lib() -> Option<&'static Path> {
    Some(common::libdir())
}

/// One `server` block; `extra` goes inside it.
fn block(port: u16, dir: &Path, name: &str, alg: KeyAlg, extra: &str) -> String {
    let cert = pki().server(alg);
    format!(
        "    server {{\n        listen 127.0.0.1:{port} ssl http2;\n        server_name {name};\n        \
         ssl_certificate {chain};\n        ssl_certificate_key {key};\n        root {root};\n{extra}\n    }}\n",
        chain = cert.chain.display(),
        key = cert.key.display(),
        root = dir.join("html").display(),
    )
}

/// nginx's error log must have no `[crit]`, `[alert]` or `[emerg]` line.
fn assert_clean_log(nginx: &Nginx) {
    let log = nginx.error_log();
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("[crit]") || l.contains("[alert]") || l.contains("[emerg]"))
        .collect();
    assert!(bad.is_empty(), "nginx error log:\n{}", bad.join("\n"));
}

/// Stock curl (on OpenSSL's own libssl) against nginx.
fn stock_curl(args: &[&str]) -> common::Output {
    let mut cmd = common::command("/usr/bin/curl");
    cmd.args(["-q", "-sS", "--ipv4", "--noproxy", "*", "--max-time", "60"])
        .args(args);
    common::run(&mut cmd, Duration::from_secs(90))
}

/// Stock `openssl s_client` (standard input closed, so it ends after the handshake).
fn s_client(port: u16, args: &[&str]) -> String {
    let mut cmd = common::command("/usr/bin/openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(args)
        .stdin(std::process::Stdio::null());
    let out = common::run(&mut cmd, Duration::from_secs(30));
    format!("{}{}", out.stdout_str(), out.stderr)
}

#[test]
fn nginx_serves_every_key_type_over_tls13_and_tls12_with_a_chain() {
    for alg in KeyAlg::ALL {
        for proto in ["TLSv1.3", "TLSv1.2"] {
            let nginx = Nginx::start(lib(), |port, dir| {
                block(
                    port,
                    dir,
                    "localhost",
                    alg,
                    &format!("        ssl_protocols {proto};"),
                )
            });
            let body = random_bytes(1 << 20);
            std::fs::write(nginx.html_dir().join("f.bin"), &body).unwrap();
            let out_dir = TempDir::new("nginx-get");
            let out = stock_curl(&[
                "--cacert",
                &common::path_str(&pki().root_ca()),
                "-o",
                &common::path_str(&out_dir.join("f.bin")),
                "-w",
                "%{http_code} %{ssl_verify_result}",
                &nginx.url("/f.bin"),
            ]);
            out.assert_success();
            assert_eq!(out.stdout_str(), "200 0", "{alg:?} {proto}");
            common::assert_same_bytes(
                &std::fs::read(out_dir.join("f.bin")).unwrap(),
                &body,
                "body",
            );
            let log = nginx.access_log().join("\n");
            assert!(log.contains(proto), "{alg:?} {proto}: {log}");
            assert_clean_log(&nginx);
        }
    }
}

#[test]
fn nginx_two_server_names_on_one_port_each_get_their_certificate() {
    let nginx = Nginx::start(lib(), |port, dir| {
        block(port, dir, "rsa.test", KeyAlg::Rsa2048, "")
            + &block(port, dir, "ecdsa.test", KeyAlg::EcdsaP256, "")
    });
    let rsa = s_client(nginx.port(), &["-servername", "rsa.test"]);
    let ec = s_client(nginx.port(), &["-servername", "ecdsa.test"]);
    assert!(rsa.contains("Server public key is 2048 bit"), "{rsa}");
    assert!(ec.contains("Server public key is 256 bit"), "{ec}");
    assert_clean_log(&nginx);
}

#[test]
fn nginx_http2_100_mib_response_is_identical() {
    let nginx = Nginx::start(lib(), |port, dir| {
        block(port, dir, "localhost", KeyAlg::EcdsaP256, "")
    });
    let body = random_bytes(100 << 20);
    let src = nginx.html_dir().join("big.bin");
    std::fs::write(&src, &body).unwrap();
    drop(body);
    let out_dir = TempDir::new("nginx-h2");
    let dst = out_dir.join("big.bin");
    let out = stock_curl(&[
        "--http2",
        "--cacert",
        &common::path_str(&pki().root_ca()),
        "-o",
        &common::path_str(&dst),
        "-w",
        "%{http_version}",
        &nginx.url("/big.bin"),
    ]);
    out.assert_success();
    assert_eq!(out.stdout_str(), "2");
    let sum = |p: &Path| {
        let o = Command::new("sha256sum").arg(p).output().unwrap();
        String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(sum(&dst), sum(&src), "sha256 of the 100 MiB body");
    assert_clean_log(&nginx);
    common::progs::report(
        "nginx",
        "nginx",
        common::progs::Lib::Ours(common::Mode::LibraryPath),
        "a 100 MiB random body over HTTP/2 to stock curl",
    );
}

/// Reconnects reported as reused by `openssl s_client -reconnect` (TLS 1.2: s_client does not
/// wait for TLS 1.3 tickets before reconnecting, with any server).
fn s_client_reused(port: u16) -> usize {
    let out = s_client(port, &["-servername", "localhost", "-tls1_2", "-reconnect"]);
    out.lines().filter(|l| l.starts_with("Reused,")).count()
}

/// Two requests in one curl run, each on a new connection (`Connection: close`), so that the
/// second handshake can resume the first's session; nginx's access log records
/// `$ssl_session_reused` for each.
fn curl_reused(nginx: &Nginx, proto: &[&str]) -> Vec<String> {
    let ca = common::path_str(&pki().root_ca());
    let url = nginx.url("/");
    let mut args = vec![
        "--http1.1",
        "--header",
        "Connection: close",
        "--cacert",
        &ca,
        "-o",
        "/dev/null",
        "-o",
        "/dev/null",
    ];
    args.extend_from_slice(proto);
    args.extend([url.as_str(), url.as_str()]);
    stock_curl(&args).assert_success();
    nginx
        .access_log()
        .iter()
        .map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("reused="))
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[test]
fn nginx_resumes_with_tickets_and_with_the_shared_cache() {
    let tickets = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            "        ssl_protocols TLSv1.2 TLSv1.3;",
        )
    });
    std::fs::write(tickets.html_dir().join("index.html"), "hi\n").unwrap();
    let cache = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::Rsa2048,
            "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_tickets off;\n        \
             ssl_session_cache shared:SSL:1m;",
        )
    });
    std::fs::write(cache.html_dir().join("index.html"), "hi\n").unwrap();
    // Tickets: TLS 1.3 (curl) and TLS 1.2 (s_client, which sends the ticket extension).
    assert_eq!(
        curl_reused(&tickets, &["--tlsv1.3"]),
        ["reused=.", "reused=r"]
    );
    assert!(s_client_reused(tickets.port()) >= 4, "TLS 1.2 tickets");
    // No tickets, the shared cache: session IDs (TLS 1.2) and stateful TLS 1.3 resumption.
    assert_eq!(
        curl_reused(&cache, &["--tlsv1.3"]),
        ["reused=.", "reused=r"]
    );
    assert_eq!(
        curl_reused(&cache, &["--tlsv1.2", "--tls-max", "1.2"])[2..],
        ["reused=.", "reused=r"]
    );
    assert!(s_client_reused(cache.port()) >= 4, "TLS 1.2 session IDs");
    assert_clean_log(&tickets);
    assert_clean_log(&cache);
}

#[test]
fn nginx_client_certificate_verification() {
    let nginx = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            &format!(
                "        ssl_verify_client on;\n        ssl_client_certificate {ca};\n        \
                 location = /dn {{ return 200 \"$ssl_client_verify $ssl_client_s_dn\\n\"; }}",
                ca = pki().root_ca().display()
            ),
        )
    });
    let ca = common::path_str(&pki().root_ca());
    let none = stock_curl(&["--cacert", &ca, &nginx.url("/dn")]);
    assert!(
        none.stdout_str()
            .contains("No required SSL certificate was sent"),
        "{}",
        none.stdout_str()
    );
    let client = pki().client();
    let good = stock_curl(&[
        "--cacert",
        &ca,
        "--cert",
        &common::path_str(&client.cert),
        "--key",
        &common::path_str(&client.key),
        &nginx.url("/dn"),
    ]);
    good.assert_success();
    assert!(
        good.stdout_str().starts_with("SUCCESS ") && good.stdout_str().contains("CN="),
        "{}",
        good.stdout_str()
    );
    let bad_cert = pki().untrusted_server();
    let bad = stock_curl(&[
        "--cacert",
        &ca,
        "--cert",
        &common::path_str(&bad_cert.cert),
        "--key",
        &common::path_str(&bad_cert.key),
        &nginx.url("/dn"),
    ]);
    let text = bad.stdout_str();
    assert!(
        bad.code() != 0 || text.contains("The SSL certificate error"),
        "untrusted accepted: {text}"
    );
    assert!(!text.starts_with("SUCCESS"), "{text}");
    assert_clean_log(&nginx);
}

#[test]
fn nginx_protocol_cipher_and_curve_policy() {
    let nginx = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            "        ssl_protocols TLSv1.3;",
        )
    });
    let ca = common::path_str(&pki().root_ca());
    let old = stock_curl(&["--cacert", &ca, "--tls-max", "1.2", &nginx.url("/")]);
    assert_eq!(
        old.code(),
        35,
        "a TLS 1.2-only client must be refused: {}",
        old.stderr
    );

    let nginx = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            "        ssl_protocols TLSv1.2;\n        ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305;\n        \
             ssl_ecdh_curve X25519;",
        )
    });
    let out = s_client(nginx.port(), &["-servername", "localhost"]);
    assert!(
        out.contains("Cipher is ECDHE-ECDSA-CHACHA20-POLY1305"),
        "{out}"
    );
    assert!(out.contains("Server Temp Key: X25519"), "{out}");
    let p256 = s_client(
        nginx.port(),
        &["-servername", "localhost", "-groups", "P-256"],
    );
    assert!(
        !p256.contains("Cipher is ECDHE"),
        "a P-256-only client must be refused: {p256}"
    );
    assert_clean_log(&nginx);
}

#[test]
fn nginx_t_accepts_the_configuration() {
    let nginx = Nginx::start(lib(), |port, dir| {
        block(port, dir, "localhost", KeyAlg::Rsa2048, "")
    });
    let out = common::run(
        common::command("/usr/sbin/nginx")
            .args(["-t", "-p"])
            .arg(nginx.dir())
            .arg("-c")
            .arg(nginx.dir().join("nginx.conf"))
            .env("LD_LIBRARY_PATH", common::libdir()),
        Duration::from_secs(20),
    );
    assert!(out.stderr.contains("test is successful"), "{}", out.stderr);
}

fn worker_rss_kib(nginx: &Nginx) -> u64 {
    let master = std::fs::read_to_string(nginx.dir().join("nginx.pid")).unwrap();
    let master: u32 = master.trim().parse().unwrap();
    let children = std::fs::read_to_string(format!("/proc/{master}/task/{master}/children"))
        .unwrap_or_default();
    children
        .split_whitespace()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

#[test]
fn nginx_under_200_concurrent_clients() {
    let nginx = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            "        ssl_protocols TLSv1.2 TLSv1.3;",
        )
    });
    std::fs::write(nginx.html_dir().join("s.txt"), "small\n").unwrap();
    let ca = common::path_str(&pki().root_ca());
    let url = nginx.url("/s.txt");
    let round = |n: usize| {
        let mut args: Vec<String> = [
            "-Z",
            "--parallel-max",
            "200",
            "--cacert",
            &ca,
            "-w",
            "%{http_code}\n",
            "-o",
            "/dev/null",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..n {
            args.push(url.clone());
            args.push("-o".into());
            args.push("/dev/null".into());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = stock_curl(&refs);
        out.assert_success();
        let codes = out.stdout_str();
        let ok = codes.lines().filter(|l| *l == "200").count();
        assert_eq!(
            ok,
            n,
            "every request must succeed: {}",
            &codes[..codes.len().min(400)]
        );
    };
    round(400);
    let warm = worker_rss_kib(&nginx);
    let start = Instant::now();
    let mut requests = 0;
    while start.elapsed() < Duration::from_secs(30) {
        round(400);
        requests += 400;
    }
    let end = worker_rss_kib(&nginx);
    assert!(warm > 0, "could not read the worker's RSS");
    assert!(
        end < warm + warm / 2 + 8 * 1024,
        "worker RSS grew from {warm} KiB to {end} KiB over {requests} requests"
    );
    assert_clean_log(&nginx);
}

#[test]
fn nginx_rsa_and_ecdsa_certificates_in_one_server() {
    let rsa = pki().server(KeyAlg::Rsa2048);
    let nginx = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            &format!(
                "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_certificate {};\n        \
                 ssl_certificate_key {};",
                rsa.chain.display(),
                rsa.key.display()
            ),
        )
    });
    // A client that can verify ECDSA gets the ECDSA certificate; one restricted to RSA
    // signatures gets the RSA one.
    let ec = s_client(nginx.port(), &["-servername", "localhost"]);
    assert!(ec.contains("Server public key is 256 bit"), "{ec}");
    let r = s_client(
        nginx.port(),
        &[
            "-servername",
            "localhost",
            "-sigalgs",
            "RSA-PSS+SHA256:RSA+SHA256",
        ],
    );
    assert!(r.contains("Server public key is 2048 bit"), "{r}");
    let r12 = s_client(
        nginx.port(),
        &[
            "-servername",
            "localhost",
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ],
    );
    assert!(
        r12.contains("Cipher is ECDHE-RSA-AES128-GCM-SHA256"),
        "{r12}"
    );
    assert_clean_log(&nginx);
}

/// An OCSP response for the ECDSA leaf, signed by its issuer (made with the stock openssl CLI).
fn ocsp_response(dir: &Path) -> std::path::PathBuf {
    let pki = pki();
    let leaf = pki.server(KeyAlg::EcdsaP256);
    let serial = common::openssl(
        &[
            "x509",
            "-in",
            &common::path_str(&leaf.cert),
            "-noout",
            "-serial",
        ],
        dir,
    )
    .stdout_str();
    let serial = serial.trim().trim_start_matches("serial=");
    let subject = common::openssl(
        &[
            "x509",
            "-in",
            &common::path_str(&leaf.cert),
            "-noout",
            "-subject",
            "-nameopt",
            "compat",
        ],
        dir,
    )
    .stdout_str();
    let subject = subject.trim().trim_start_matches("subject=");
    std::fs::write(
        dir.join("index.txt"),
        format!("V\t491231235959Z\t\t{serial}\tunknown\t{subject}\n"),
    )
    .unwrap();
    let issuer = common::path_str(&pki.intermediate_ca());
    let issuer_key = common::path_str(&pki.intermediate_ca().with_extension("key"));
    let out = dir.join("ocsp.der");
    common::openssl(
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            &issuer,
            "-rkey",
            &issuer_key,
            "-CA",
            &issuer,
            "-issuer",
            &issuer,
            "-cert",
            &common::path_str(&leaf.cert),
            "-respout",
            &common::path_str(&out),
            "-ndays",
            "2",
        ],
        dir,
    );
    out
}

#[test]
fn nginx_staples_an_ocsp_response() {
    let work = TempDir::new("ocsp");
    let resp = ocsp_response(work.path());
    let nginx = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            &format!(
                "        ssl_stapling on;\n        ssl_stapling_file {};",
                resp.display()
            ),
        )
    });
    let out = s_client(nginx.port(), &["-servername", "localhost", "-status"]);
    assert!(out.contains("OCSP Response Status: successful"), "{out}");
    assert!(out.contains("Cert Status: good"), "{out}");
    assert_clean_log(&nginx);
}

/// `ssl_session_ticket_key`: nginx encrypts tickets with keys from a file, through the ticket
/// key callback; a ticket issued by one nginx is accepted by another with the same key file.
#[test]
fn nginx_ticket_key_file_resumes_across_instances() {
    let keys = TempDir::new("ticket-keys");
    let keyfile = keys.join("ticket.key");
    std::fs::write(&keyfile, random_bytes(80)).unwrap();
    let conf = |port: u16, dir: &Path| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            &format!(
                "        ssl_protocols TLSv1.2;\n        ssl_session_ticket_key {};",
                keyfile.display()
            ),
        )
    };
    let a = Nginx::start(lib(), conf);
    let b = Nginx::start(lib(), conf);
    let sess = keys.join("sess.pem");
    let first = s_client(
        a.port(),
        &[
            "-servername",
            "localhost",
            "-sess_out",
            &common::path_str(&sess),
        ],
    );
    assert!(
        first.contains("TLS session ticket:"),
        "nginx sent no ticket: {first}"
    );
    let again = s_client(
        b.port(),
        &[
            "-servername",
            "localhost",
            "-sess_in",
            &common::path_str(&sess),
        ],
    );
    assert!(
        again.lines().any(|l| l.starts_with("Reused,")),
        "the other instance did not resume: {again}"
    );
    // Without the key, a third instance must not resume.
    let c = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            "        ssl_protocols TLSv1.2;",
        )
    });
    let other = s_client(
        c.port(),
        &[
            "-servername",
            "localhost",
            "-sess_in",
            &common::path_str(&sess),
        ],
    );
    assert!(other.lines().any(|l| l.starts_with("New,")), "{other}");
    for n in [&a, &b, &c] {
        assert_clean_log(n);
    }
}

/// Certificates chosen per connection by nginx's certificate callback (variables in
/// `ssl_certificate`), which calls `SSL_use_certificate`/`SSL_use_PrivateKey` on the connection.
#[test]
fn nginx_certificate_callback_picks_per_connection() {
    let certs = TempDir::new("certs-by-name");
    for (name, alg) in [
        ("rsa.test", KeyAlg::Rsa2048),
        ("ecdsa.test", KeyAlg::EcdsaP256),
    ] {
        let c = pki().server(alg);
        std::fs::copy(&c.chain, certs.join(format!("{name}.pem"))).unwrap();
        std::fs::copy(&c.key, certs.join(format!("{name}.key"))).unwrap();
    }
    let dir = certs.path().to_path_buf();
    let nginx = Nginx::start(lib(), |port, root| {
        format!(
            "    server {{\n        listen 127.0.0.1:{port} ssl;\n        server_name _;\n        \
             ssl_certificate {d}/$ssl_server_name.pem;\n        ssl_certificate_key {d}/$ssl_server_name.key;\n        \
             root {r};\n    }}\n",
            d = dir.display(),
            r = root.join("html").display()
        )
    });
    let rsa = s_client(nginx.port(), &["-servername", "rsa.test"]);
    let ec = s_client(nginx.port(), &["-servername", "ecdsa.test"]);
    assert!(rsa.contains("Server public key is 2048 bit"), "{rsa}");
    assert!(ec.contains("Server public key is 256 bit"), "{ec}");
    assert_clean_log(&nginx);
}

/// `ssl_dhparam` is accepted (no DHE in rustls: the parameters have no effect and ferrossl says
/// so); `ssl_early_data on` is refused with a clear message, never accepted unsafely.
#[test]
fn nginx_dhparam_accepted_and_early_data_refused() {
    let work = TempDir::new("dh");
    let dh = work.join("dh.pem");
    common::openssl(
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
            &common::path_str(&dh),
        ],
        work.path(),
    );
    let nginx = Nginx::start(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            &format!("        ssl_dhparam {};", dh.display()),
        )
    });
    let out = s_client(nginx.port(), &["-servername", "localhost", "-tls1_2"]);
    assert!(out.contains("Cipher is ECDHE-ECDSA"), "{out}");
    assert_clean_log(&nginx);
    let stderr = std::fs::read_to_string(nginx.dir().join("stderr.log")).unwrap_or_default();
    assert!(
        stderr.contains("DH parameters are accepted and have no effect"),
        "{stderr}"
    );

    let early = Nginx::config_only(lib(), |port, dir| {
        block(
            port,
            dir,
            "localhost",
            KeyAlg::EcdsaP256,
            "        ssl_early_data on;",
        )
    });
    let t = common::run(
        common::command("/usr/sbin/nginx")
            .args(["-t", "-p"])
            .arg(early.path())
            .arg("-c")
            .arg(early.join("nginx.conf"))
            .env("LD_LIBRARY_PATH", common::libdir()),
        Duration::from_secs(20),
    );
    // nginx does not check SSL_CTX_set_max_early_data's result; ferrossl refuses it and says so.
    assert!(
        t.stderr.contains("early data is not supported"),
        "{}",
        t.stderr
    );
}

/// Malformed TLS from clients (garbage, truncated and corrupted ClientHellos, plain HTTP) makes
/// nginx on ferrossl close those connections cleanly: no worker dies, nothing above `[crit]` is
/// logged, and it keeps serving.
#[test]
fn nginx_survives_malformed_client_input() {
    use std::io::{Read, Write};
    let nginx = Nginx::start(lib(), |port, dir| {
        block(port, dir, "localhost", KeyAlg::EcdsaP256, "")
    });
    std::fs::write(nginx.html_dir().join("index.html"), "ok\n").unwrap();
    // A real ClientHello from stock s_client, captured through a one-shot listener.
    let hello = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mut c = common::command("/usr/bin/openssl");
        c.args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
        ]);
        let mut child = c
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        let _ = child.kill();
        let _ = child.wait();
        buf.truncate(n);
        buf
    };
    assert!(
        hello.len() > 100 && hello[0] == 0x16,
        "captured {} bytes",
        hello.len()
    );
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut inputs: Vec<Vec<u8>> = vec![
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        vec![0x16, 0x03, 0x01],
        vec![0; 64],
    ];
    for cut in [5, 10, 40, hello.len() - 1] {
        inputs.push(hello[..cut].to_vec());
    }
    for _ in 0..150 {
        let mut m = hello.clone();
        for _ in 0..1 + rand() % 8 {
            let i = (rand() as usize) % m.len();
            m[i] ^= (rand() as u8) | 1;
        }
        inputs.push(m);
        inputs.push((0..(rand() % 600) as usize).map(|_| rand() as u8).collect());
    }
    for input in &inputs {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", nginx.port())).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.write_all(input);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
    let ca = common::path_str(&pki().root_ca());
    let ok = stock_curl(&["--cacert", &ca, &nginx.url("/index.html")]);
    ok.assert_success();
    assert_eq!(ok.stdout_str(), "ok\n");
    let log = nginx.error_log();
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("[alert]") || l.contains("[emerg]") || l.contains("exited on signal")
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
