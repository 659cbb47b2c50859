//! The SSL BIO (`BIO_f_ssl` and friends) and what `openssl s_server -www` prints with it.
//!
//! - `openssl s_server -www` runs on ferrossl: its `www_body` reads the request through a
//!   buffer BIO over `BIO_f_ssl` and writes the page with `SSL_get_shared_ciphers` and
//!   `SSL_SESSION_print`. The stock `openssl s_client` fetches the page; the same fetch from a
//!   stock `s_server` gives the reference for the shared-cipher list and the session block.
//! - `tests/c/ssl_bio.c` uses `BIO_new_ssl_connect`, `BIO_new_buffer_ssl_connect`, a
//!   non-blocking connect BIO and `BIO_f_ssl` directly against a stock `s_server -www`, on both
//!   libraries, which must print the same lines (lines starting with `~` are not compared).

mod common;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::cprog::{build_c, same_on_both};
use common::*;

const TIMEOUT: Duration = Duration::from_secs(60);

/// An `openssl s_server` on stock OpenSSL or (with `libdir`) on ferrossl, killed on drop.
struct SServer {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl SServer {
    fn start(libdir: Option<&Path>, args: &[String]) -> SServer {
        let dir = TempDir::new("ssl_bio");
        let log = dir.join("s_server.log");
        for _ in 0..5 {
            let port = free_port();
            let out = File::create(&log).unwrap();
            let mut cmd = command(OPENSSL);
            cmd.arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .args(args)
                .current_dir(dir.path())
                .stdout(out.try_clone().unwrap())
                .stderr(out);
            if let Some(d) = libdir {
                cmd.env("LD_LIBRARY_PATH", d);
            }
            let mut child = cmd.spawn().expect("starting openssl s_server");
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let text = fs::read_to_string(&log).unwrap_or_default();
                if text.contains("ACCEPT") {
                    return SServer {
                        child,
                        port,
                        log,
                        _dir: dir,
                    };
                }
                if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    assert!(text.contains("in use"), "s_server did not start:\n{text}");
                    break;
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("s_server found no free port");
    }

    fn output(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!("--- s_server output ---\n{}", self.output());
        }
    }
}

fn server_args(extra: &[&str]) -> Vec<String> {
    let mut args = pki().server(KeyAlg::Rsa2048).s_server_args();
    // ferrossl does not implement SSL_CTX_set_default_verify_store (s_server's default).
    args.extend(["-www", "-no-CAstore"].iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Fetches `/` with the stock `openssl s_client`; the page s_server wrote.
fn fetch(port: u16, client_args: &[&str]) -> String {
    let mut cmd = command(OPENSSL);
    cmd.args(["s_client", "-quiet", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-CAfile"])
        .arg(pki().root_ca())
        .args(client_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("starting openssl s_client");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .unwrap();
    let deadline = Instant::now() + TIMEOUT;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "s_client did not finish");
        thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The lines of the block that starts with `start`, up to the first line starting with one of
/// `ends`.
fn block(page: &str, start: &str, ends: &[&str]) -> Vec<String> {
    page.lines()
        .skip_while(|l| !l.starts_with(start))
        .skip(1)
        .take_while(|l| !ends.iter().any(|e| l.starts_with(e)))
        .map(str::to_owned)
        .collect()
}

/// The session block with the values that differ between runs (IDs, secrets, times) masked.
fn session_block(page: &str) -> Vec<String> {
    const VARYING: [&str; 5] = [
        "Session-ID:",
        "Session-ID-ctx:",
        "Master-Key:",
        "Resumption PSK:",
        "Start Time:",
    ];
    block(page, "SSL-Session:", &["---"])
        .into_iter()
        .map(
            |l| match VARYING.iter().find(|k| l.trim_start().starts_with(*k)) {
                Some(k) => format!("    {k} <varies>"),
                None => l,
            },
        )
        .collect()
}

fn compare_www(client_args: &[&str], protocol: &str) {
    let ours = SServer::start(Some(libdir()), &server_args(&[]));
    let stock = SServer::start(None, &server_args(&[]));
    let page = fetch(ours.port, client_args);
    let reference = fetch(stock.port, client_args);
    assert!(
        page.starts_with("HTTP/1.0 200 ok\r\n"),
        "no page from s_server on ferrossl:\n{page}\n{}",
        ours.output()
    );
    assert!(reference.starts_with("HTTP/1.0 200 ok\r\n"), "{reference}");
    // What follows the list depends on functions outside this test (SSL_get_sigalgs...).
    let shared = |p: &str| {
        block(
            p,
            "Ciphers common between both SSL end points",
            &["---", "Signature", "Shared", "Supported", "New,", "Reused,"],
        )
    };
    assert!(!shared(&page).is_empty(), "no shared cipher list:\n{page}");
    assert_eq!(shared(&page), shared(&reference), "SSL_get_shared_ciphers");
    let session = session_block(&page);
    assert!(
        session.contains(&format!("    Protocol  : {protocol}")),
        "{session:#?}"
    );
    assert_eq!(session, session_block(&reference), "SSL_SESSION_print");
}

#[test]
fn s_server_www_on_ferrossl_tls13() {
    compare_www(
        &[
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
        ],
        "TLSv1.3",
    );
}

#[test]
fn s_server_www_on_ferrossl_tls12() {
    compare_www(
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
        ],
        "TLSv1.2",
    );
}

/// The shared list is in the client's order, whatever the server's is.
#[test]
fn s_server_www_shared_ciphers_in_client_order() {
    compare_www(
        &[
            "-ciphersuites",
            "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:\
             ECDHE-RSA-CHACHA20-POLY1305",
        ],
        "TLSv1.3",
    );
}

#[test]
fn c_program_bio_ssl_connect_against_stock_s_server() {
    let exe = build_c("ssl_bio");
    let server = SServer::start(None, &server_args(&[]));
    same_on_both(&exe, &[server.port.to_string(), path_str(&pki().root_ca())]);
}
