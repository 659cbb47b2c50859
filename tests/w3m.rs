//! Debian's unmodified w3m on ferrossl: `w3m -dump https://localhost:PORT/page.html` from a
//! stock `openssl s_server -WWW` (ECDSA chain) with `ssl_verify_server=1` and the test CA as
//! `ssl_ca_file`; the rendered text must be the page's random paragraphs. With an unrelated CA
//! file w3m rejects the session (it would ask; its standard input is not a terminal) and shows
//! nothing of the page.

mod common;

use std::fs;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, TempDir};

const W3M: &str = "/usr/bin/w3m";

fn w3m(lib: Lib, home: &TempDir, ca: &std::path::Path, port: u16) -> std::process::Command {
    let mut cmd = common::command(W3M);
    cmd.env("HOME", home.path())
        .args(["-o", "ssl_verify_server=1", "-o"])
        .arg(format!("ssl_ca_file={}", path_str(ca)))
        .arg("-dump")
        .arg(format!("https://localhost:{port}/page.html"));
    lib.apply(&mut cmd);
    cmd
}

fn w3m_dumps_a_page_over_https(lib: Lib) {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-WWW".into());
    let server = Server::s_server(&args);
    let paragraphs: Vec<String> = (0..10).map(|_| random_hex(30)).collect();
    let html = format!(
        "<html><head><title>ferrossl</title></head><body>\n{}\n</body></html>\n",
        paragraphs
            .iter()
            .map(|p| format!("<p>{p}</p>"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    fs::write(server.docroot().join("page.html"), html).expect("writing the page");
    let home = TempDir::new("w3m-home");

    // w3m connects through a gate, held until its maps are checked.
    let mut gate = Gate::new(server.port());
    let mut cmd = w3m(lib, &home, &pki().root_ca(), gate.port());
    let proc = Proc::spawn(&mut cmd, "w3m", false);
    gate.accepted(Duration::from_secs(20));
    assert_maps(proc.pid(), lib, "w3m");
    gate.open();
    let ended = proc.wait(Duration::from_secs(30));
    assert!(
        ended.status.success(),
        "w3m: {}\n{}",
        ended.status,
        ended.log
    );
    let text: Vec<&str> = ended
        .log
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        text,
        paragraphs.iter().map(String::as_str).collect::<Vec<_>>(),
        "w3m's dump is not the page:\n{}\n--- s_server ---\n{}",
        ended.log,
        server.output()
    );

    // A CA file without the server's root: the session is rejected.
    let mut cmd = w3m(lib, &home, &pki().untrusted_ca(), server.port());
    let out = common::run(&mut cmd, Duration::from_secs(30));
    let all = format!("{}{}", out.stdout_str(), out.stderr);
    assert!(
        all.contains("SSL session was rejected") && !all.contains(paragraphs[0].as_str()),
        "w3m accepted an untrusted server:\n{all}"
    );
    common::progs::report(
        "w3m (https)",
        "w3m",
        lib,
        &format!(
            "-dump of a page of {} random paragraphs from openssl s_server -WWW (verified); \
             untrusted CA rejected",
            paragraphs.len()
        ),
    );
}

#[test]
fn w3m_on_ferrossl_library_path_dumps_https_page() {
    w3m_dumps_a_page_over_https(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn w3m_on_ferrossl_preload_dumps_https_page() {
    w3m_dumps_a_page_over_https(Lib::Ours(Mode::Preload));
}

#[test]
fn w3m_on_stock_dumps_https_page() {
    w3m_dumps_a_page_over_https(Lib::Stock);
}
