//! `SSL_get_client_random`/`SSL_get_server_random` (which rustls does not expose; ferrossl reads
//! them from the hellos and the key log): a C program on ferrossl, as a client and as a server,
//! reports the randoms of a real handshake with a stock `openssl` peer, and the test finds the
//! same values in the peer's key log (client random) and `-msg` dump of the ServerHello (server
//! random). The C program also runs on stock OpenSSL, for the sizes and error-queue lines.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{pki, KeyAlg, Server};

fn build() -> PathBuf {
    static EXE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    EXE.get_or_init(compile).clone()
}

fn compile() -> PathBuf {
    let exe = common::repo_root().join("target/c-tests/randoms");
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let out = Command::new("gcc")
        .args(["-Wall", "-Werror", "-O1", "-o"])
        .arg(&exe)
        .arg(common::repo_root().join("tests/c/randoms.c"))
        .args(["-lssl", "-lcrypto"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} in:\n{out}"))
}

/// The random of the ServerHello in an `openssl -msg` dump (the hex lines after its header).
fn dumped_server_random(dump: &str) -> String {
    let mut lines = dump.lines().skip_while(|l| !l.contains("ServerHello"));
    lines
        .next()
        .unwrap_or_else(|| panic!("no ServerHello in:\n{dump}"));
    let hex: String = lines
        .take_while(|l| l.starts_with("    "))
        .flat_map(|l| l.split_whitespace().map(str::to_owned))
        .collect();
    // handshake header (4) + legacy_version (2), then 32 bytes of random
    hex.get(12..76)
        .unwrap_or_else(|| panic!("short dump:\n{dump}"))
        .to_owned()
}

fn client(libdir: Option<&std::path::Path>, tls12: bool) {
    let pki = pki();
    let dir = common::TempDir::new("randoms");
    let keylog = dir.join("keylog");
    let mut args = pki.server(KeyAlg::EcdsaP256).s_server_args();
    args.extend([
        "-www".into(),
        "-msg".into(),
        "-keylogfile".into(),
        common::path_str(&keylog),
    ]);
    if tls12 {
        args.push("-tls1_2".into());
    }
    let server = Server::s_server(&args);
    let mut cmd = common::command(build());
    cmd.arg("client")
        .arg(server.port().to_string())
        .arg(pki.root_ca());
    if let Some(d) = libdir {
        cmd.env("LD_LIBRARY_PATH", d);
    }
    let out = common::run(&mut cmd, Duration::from_secs(30));
    let text = out.stdout_str();
    assert_eq!(out.code(), 0, "{text}");
    assert_eq!(field(&text, "before: client_random_size"), "32");
    assert_eq!(field(&text, "errors"), "0");
    let cr = field(&text, "client_random");
    let log = std::fs::read_to_string(&keylog).unwrap_or_default();
    assert!(
        log.contains(cr),
        "client random {cr} not in the server's key log:\n{log}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        field(&text, "server_random"),
        dumped_server_random(&server.output())
    );
}

#[test]
fn client_randoms_tls13_match_the_peer() {
    client(Some(common::libdir()), false);
    client(None, false);
}

#[test]
fn client_randoms_tls12_match_the_peer() {
    client(Some(common::libdir()), true);
}

#[test]
fn server_randoms_match_the_peer() {
    let pki = pki();
    let ck = pki.server(KeyAlg::EcdsaP256);
    let port = common::free_port();
    let dir = common::TempDir::new("randoms");
    let keylog = dir.join("keylog");
    let mut srv = common::command(build());
    srv.arg("server")
        .arg(port.to_string())
        .arg(&ck.chain)
        .arg(&ck.key)
        .env("LD_LIBRARY_PATH", common::libdir())
        .stdout(Stdio::piped());
    let child = srv.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let out = common::openssl(
        &[
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-msg",
            "-keylogfile",
            &common::path_str(&keylog),
            "-CAfile",
            &common::path_str(&pki.root_ca()),
        ],
        dir.path(),
    );
    let text = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    assert!(text.contains("handshake 1"), "{text}\n{}", out.stdout_str());
    let log = std::fs::read_to_string(&keylog).unwrap_or_default();
    let cr = field(&text, "client_random");
    assert!(
        log.contains(cr),
        "client random {cr} not in the client's key log:\n{log}"
    );
    assert_eq!(
        field(&text, "server_random"),
        dumped_server_random(&out.stdout_str())
    );
}
