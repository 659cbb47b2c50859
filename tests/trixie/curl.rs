//! Debian 13's curl (libcurl 8.14, which imports 21 functions of OpenSSL 3.2–3.5, the QUIC API
//! among them) on ferrossl: against a stock 3.5 `s_server` over TLS 1.2 and 1.3, and against a
//! stock 3.5 nginx over HTTP/2. HTTP/3 needs OpenSSL's QUIC stack, which ferrossl refuses:
//! curl then reports what it reports on an OpenSSL built without QUIC, and plain HTTPS is
//! unaffected.

use common::progs::{random_hex, Gate};
use common::trixie::{assert_maps, report, On, Stage};
use common::{run, Mode};

use super::{s_server, TIMEOUT};
use crate::common;

/// curl on `on` fetching `url` through a [`Gate`] in front of `port` (so that its maps can be
/// checked before the handshake), with the extra `args`; returns its standard output.
pub fn curl_through_gate(stage: &Stage, on: On, port: u16, path: &str, args: &[&str]) -> String {
    let pki = stage.copy_pki();
    let mut gate = Gate::new(port);
    let mut cmd = stage.command(on, &[], "curl");
    cmd.args(["-sS", "--max-time", "20", "--cacert"])
        .arg(format!("{pki}/root-ca.pem"))
        .args(args)
        .arg(format!("https://localhost:{}{path}", gate.port()));
    let child = common::progs::Proc::spawn(&mut cmd, "curl-3.5", false);
    gate.accepted(TIMEOUT);
    assert_maps(child.pid(), stage, on, "Debian 13's curl");
    gate.open();
    let ended = child.wait(TIMEOUT);
    assert!(ended.status.success(), "curl failed:\n{}", ended.log);
    ended.log
}

#[test]
fn curl_against_stock_s_server_tls12_and_tls13() {
    let stage = Stage::new("curl-s_server");
    let (server, port) = s_server(&stage, On::Stock, &["-www"]);
    for (on, version, max) in [
        (On::Ours(Mode::LibraryPath), "TLSv1.3", "1.3"),
        (On::Ours(Mode::Preload), "TLSv1.2", "1.2"),
    ] {
        let page = curl_through_gate(
            &stage,
            on,
            port,
            "/",
            &["--tls-max", max, &format!("--tlsv{max}")],
        );
        // s_server -www answers with its view of the connection.
        assert!(
            page.contains(&format!("Protocol  : {version}")),
            "{page}\n--- server ---\n{}",
            server.log()
        );
        report(
            "curl",
            "curl",
            &stage,
            on,
            &format!("GET from stock 3.5 s_server -www over {version}"),
        );
    }
}

#[test]
fn curl_http2_against_stock_nginx() {
    let stage = Stage::new("curl-nginx");
    let body = random_hex(50_000);
    let nginx = super::nginx::Nginx::start(&stage, On::Stock, &body);
    let out = curl_through_gate(
        &stage,
        On::Ours(Mode::LibraryPath),
        nginx.port,
        "/body.txt",
        &["--http2", "-w", "\\nhttp_version=%{http_version}"],
    );
    assert!(
        out.starts_with(&body) && out.ends_with("http_version=2"),
        "{}\n--- nginx ---\n{}",
        common::progs::head(&out, 400),
        nginx.log()
    );
    report(
        "curl",
        "curl",
        &stage,
        On::Ours(Mode::LibraryPath),
        "HTTP/2 GET of 50 KB from stock 3.5 nginx",
    );
}

/// `--http3-only` needs OpenSSL's QUIC client (OSSL_QUIC_client_method), which ferrossl refuses
/// as an OpenSSL built with `no-quic` does: curl fails cleanly with its "QUIC connect" error
/// instead of crashing, and the same curl then fetches over TLS.
#[test]
fn curl_http3_is_refused_cleanly_and_https_still_works() {
    let stage = Stage::new("curl-h3");
    let pki = stage.copy_pki();
    let (_server, port) = s_server(&stage, On::Stock, &["-www"]);
    let mut cmd = stage.command(On::Ours(Mode::LibraryPath), &[], "curl");
    cmd.args(["-sS", "--max-time", "10", "--http3-only", "--cacert"])
        .arg(format!("{pki}/root-ca.pem"))
        .arg(format!("https://localhost:{port}/"));
    let out = run(&mut cmd, TIMEOUT);
    assert!(
        !out.status.success() && out.stderr.contains("curl: ("),
        "curl --http3-only on ferrossl: {:?}\n{}",
        out.status,
        out.stderr
    );
    // curl's exit code must be a connection-level failure, not a crash (signal) or hang.
    assert!(out.status.code().is_some(), "{}", out.stderr);
    let page = curl_through_gate(&stage, On::Ours(Mode::LibraryPath), port, "/", &[]);
    assert!(page.contains("Protocol  : TLSv1.3"), "{page}");
    report(
        "curl",
        "curl",
        &stage,
        On::Ours(Mode::LibraryPath),
        &format!(
            "--http3-only refused ({}), then HTTPS over TLS 1.3",
            out.stderr.trim()
        ),
    );
}
