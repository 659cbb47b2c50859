//! SSLKEYLOGFILE and FERROSSL_LOG, with Debian's unmodified programs on ferrossl:
//! - a tshark capture of a curl download from a stock `s_server` decrypts, with the file
//!   ferrossl wrote, to the HTTP request and the body; without the file it does not (curl writes
//!   the same lines itself through its keylog callback, so each line is there twice);
//! - `openssl s_client` and `s_server`, which never read SSLKEYLOGFILE themselves: ferrossl
//!   creates the file with mode 0600, appends (earlier content kept) one line per secret with
//!   the NSS labels of TLS 1.3 and TLS 1.2; on stock OpenSSL 3.0 no file appears;
//! - FERROSSL_LOG=debug shows the configuration, the handshake's steps (ferrossl's and rustls's)
//!   and its end; FERROSSL_LOG_FILE takes the log off standard error; a failed verification logs
//!   rustls's text and the queued error; a refused call logs its name; unset, nothing is logged.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::deb::{follow_tls, Capture};
use common::*;

fn s_server(extra: &[&str]) -> Server {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.extend(extra.iter().map(|s| s.to_string()));
    Server::s_server(&args)
}

#[test]
fn curl_capture_decrypts_with_sslkeylogfile() {
    let srv = s_server(&["-WWW"]);
    let body = format!("body-{}", hex(&random_bytes(12)));
    let name = format!("file-{}.txt", hex(&random_bytes(6)));
    fs::write(srv.docroot().join(&name), &body).unwrap();
    let dir = TempDir::new("keylog-curl");
    let keys = dir.join("keys.txt");
    let capture = Capture::start(dir.path(), srv.port());
    let mut cmd = command(CURL);
    Mode::LibraryPath.apply(&mut cmd);
    cmd.env("SSLKEYLOGFILE", &keys)
        .args(["-4", "-sS", "--noproxy", "*", "--cacert"])
        .arg(pki().root_ca())
        .arg(srv.url(&format!("/{name}")));
    let out = run(&mut cmd, Duration::from_secs(30));
    assert_eq!(out.code(), 0, "curl: {}", out.stderr);
    assert_eq!(out.stdout_str(), body);
    let capture = capture.stop();

    let plain = follow_tls(&capture, Some(&keys));
    assert!(
        plain.contains(&format!("GET /{name} HTTP/1.1")) && plain.contains(&body),
        "the capture did not decrypt to the request and the body:\n{plain}"
    );
    let sealed = follow_tls(&capture, None);
    assert!(
        !sealed.contains(&body) && !sealed.contains("GET /"),
        "{sealed}"
    );

    // curl's own callback writes every line too: ferrossl's copy makes two of each.
    let text = fs::read_to_string(&keys).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10, "5 TLS 1.3 secrets, each twice:\n{text}");
    for l in &lines {
        assert_eq!(lines.iter().filter(|m| *m == l).count(), 2, "{text}");
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `openssl s_client` (which has only `-keylogfile`, never SSLKEYLOGFILE) to `srv`, on ferrossl
/// or stock, with SSLKEYLOGFILE=`keys`.
fn s_client(port: u16, version: &str, keys: &Path, ours: bool) {
    let mut cmd = command(OPENSSL);
    if ours {
        Mode::LibraryPath.apply(&mut cmd);
    }
    cmd.env("SSLKEYLOGFILE", keys)
        .args(["s_client", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(version)
        .arg("-CAfile")
        .arg(pki().root_ca());
    let out = run(&mut cmd, Duration::from_secs(30));
    assert!(
        out.stdout_str().contains("Verify return code: 0"),
        "s_client {version}: {}\n{}",
        out.stdout_str(),
        out.stderr
    );
}

/// The labels of a key log, in order, each line checked for its shape (label, 32-byte client
/// random, secret).
fn labels(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 3, "{l}");
            assert_eq!(f[1].len(), 64, "{l}");
            assert!(
                f[2].len() >= 64 && f[2].bytes().all(|c| c.is_ascii_hexdigit()),
                "{l}"
            );
            f[0].to_owned()
        })
        .collect()
}

#[test]
fn s_client_and_s_server_write_sslkeylogfile() {
    let dir = TempDir::new("keylog-openssl");
    let srv = s_server(&["-www"]);
    // Stock OpenSSL 3.0 does not read the variable.
    let stock = dir.join("stock.txt");
    s_client(srv.port(), "-tls1_3", &stock, false);
    assert!(!stock.exists(), "stock OpenSSL wrote {}", stock.display());

    let keys = dir.join("keys.txt");
    fs::write(&keys, "# earlier content\n").unwrap();
    fs::set_permissions(&keys, fs::Permissions::from_mode(0o640)).unwrap();
    s_client(srv.port(), "-tls1_3", &keys, true);
    let text = fs::read_to_string(&keys).unwrap();
    let text = text.strip_prefix("# earlier content\n").expect("appended");
    let mut got = labels(text);
    got.sort();
    assert_eq!(
        got,
        [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_TRAFFIC_SECRET_0"
        ]
    );
    // An existing file keeps its mode.
    assert_eq!(
        fs::metadata(&keys).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // A new file: 0600; TLS 1.2 has one line.
    let new = dir.join("new.txt");
    s_client(srv.port(), "-tls1_2", &new, true);
    assert_eq!(
        labels(&fs::read_to_string(&new).unwrap()),
        ["CLIENT_RANDOM"]
    );
    assert_eq!(
        fs::metadata(&new).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // The server side: s_server on ferrossl, a stock client.
    let server_keys = dir.join("server.txt");
    let cert = pki().server(KeyAlg::EcdsaP256);
    let (_server, port) = common::progs::Proc::server(
        "s_server-ferrossl",
        |port| {
            let mut cmd = command(OPENSSL);
            Mode::LibraryPath.apply(&mut cmd);
            cmd.env("SSLKEYLOGFILE", &server_keys)
                .arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .args(cert.s_server_args())
                .arg("-www");
            cmd
        },
        Some("ACCEPT"),
    );
    s_client(port, "-tls1_3", &dir.join("unused.txt"), false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while fs::read_to_string(&server_keys).map_or(0, |t| labels(&t).len()) < 5 {
        assert!(Instant::now() < deadline, "the server logged no secrets");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        fs::metadata(&server_keys).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// curl on ferrossl fetching `url` with `env`; (exit code, standard error).
fn curl_env(url: &str, env: &[(&str, &Path)], ca: &Path) -> (i32, String) {
    let mut cmd = command(CURL);
    Mode::LibraryPath.apply(&mut cmd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(["-sS", "-o", "/dev/null", "--noproxy", "*", "--cacert"])
        .arg(ca)
        .arg(url);
    let out = run(&mut cmd, Duration::from_secs(30));
    (out.code(), out.stderr)
}

#[test]
fn ferrossl_log_shows_the_handshake() {
    let srv = s_server(&["-www"]);
    let ca = pki().root_ca();
    let dir = TempDir::new("ferrossl-log");

    // Unset: nothing.
    let (code, err) = curl_env(&srv.url("/"), &[], &ca);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("ferrossl["), "{err}");

    let debug = Path::new("debug");
    let (code, err) = curl_env(&srv.url("/"), &[("FERROSSL_LOG", debug)], &ca);
    assert_eq!(code, 0, "{err}");
    for expected in [
        "INFO  ferrossl::core::logging: ferrossl ",
        "DEBUG ferrossl::core::context::configs: client configuration built: versions",
        "client handshake starts, server name DnsName(\"localhost\")",
        "DEBUG rustls::client::hs: Using ciphersuite TLS13_",
        "handshake done: TLSv1.3 TLS_",
    ] {
        assert!(err.contains(expected), "no {expected:?} in:\n{err}");
    }

    // To a file, and nothing on standard error.
    let file = dir.join("ferrossl.log");
    let (code, err) = curl_env(
        &srv.url("/"),
        &[
            ("FERROSSL_LOG", Path::new("info")),
            ("FERROSSL_LOG_FILE", &file),
        ],
        &ca,
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("ferrossl["), "{err}");
    let logged = fs::read_to_string(&file).unwrap();
    assert!(logged.contains("handshake done: TLSv1.3"), "{logged}");
    assert!(!logged.contains("DEBUG"), "info level only:\n{logged}");

    // A failure: rustls's reason and the error queued for the program.
    let (code, err) = curl_env(
        &srv.url("/"),
        &[("FERROSSL_LOG", debug)],
        &pki().untrusted_ca(),
    );
    assert_eq!(code, 60, "{err}");
    assert!(err.contains("TLS error: invalid peer certificate"), "{err}");
    assert!(err.contains("error: certificate verify failed"), "{err}");
}

#[test]
fn ferrossl_log_names_refused_calls() {
    let srv = s_server(&["-www"]);
    let mut cmd = command(OPENSSL);
    Mode::LibraryPath.apply(&mut cmd);
    cmd.env("FERROSSL_LOG", "warn")
        .args([
            "s_client", "-srpuser", "bob", "-srppass", "pass:x", "-connect",
        ])
        .arg(format!("127.0.0.1:{}", srv.port()));
    let out = run(&mut cmd, Duration::from_secs(30));
    assert!(
        out.stderr
            .contains("WARN  ferrossl::capi::boundary: SSL_CTX_set_srp_username: refused"),
        "{}",
        out.stderr
    );
}
