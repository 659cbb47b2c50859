//! Debian's unmodified `ncat --ssl` (nmap's ncat) on ferrossl:
//!
//! - as a client with `--ssl-verify --ssl-trustfile` to a stock `openssl s_server -rev`: random
//!   lines come back reversed; with an unrelated trust file ncat refuses the server and nothing
//!   is exchanged.
//! - as a server (`-l --ssl-cert --ssl-key`, an Ed25519 chain) whose connection runs `cat`: stock
//!   `openssl s_client` (verifying) sends random lines and reads them back.

mod common;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, OPENSSL};

const NCAT: &str = "/usr/bin/ncat";

/// `n` random lines of hex.
fn random_lines(n: usize) -> Vec<String> {
    (0..n).map(|_| random_hex(100)).collect()
}

/// Waits until `proc`'s output holds every one of `want`.
fn wait_for_all(proc: &mut Proc, want: &[String], what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = proc.log();
        if want.iter().all(|w| log.contains(w.as_str())) {
            return;
        }
        assert!(
            Instant::now() < deadline && proc.is_running(),
            "{what}: not every line came back:\n{log}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

fn ncat_client_talks_to_s_server(lib: Lib) {
    let mut args = pki().server(KeyAlg::Rsa2048).s_server_args();
    args.push("-rev".into());
    let server = Server::s_server(&args);
    let port = server.port().to_string();

    let mut cmd = common::command(NCAT);
    cmd.args(["--ssl", "--ssl-verify", "--ssl-trustfile"])
        .arg(pki().root_ca())
        .args(["localhost", &port]);
    lib.apply(&mut cmd);
    let mut ncat = Proc::spawn(&mut cmd, "ncat-client", true);
    assert_maps(ncat.pid(), lib, "ncat (client)");
    let lines = random_lines(20);
    let mut stdin = ncat.stdin();
    stdin
        .write_all(format!("{}\n", lines.join("\n")).as_bytes())
        .expect("writing to ncat");
    let reversed: Vec<String> = lines.iter().map(|l| l.chars().rev().collect()).collect();
    wait_for_all(&mut ncat, &reversed, "ncat through s_server -rev");
    drop(stdin);
    let ended = ncat.wait(Duration::from_secs(20));
    assert!(
        ended.status.success(),
        "ncat: {}\n{}",
        ended.status,
        ended.log
    );

    // A trust file without the server's root: ncat refuses to talk.
    let mut cmd = common::command(NCAT);
    cmd.args(["--ssl", "--ssl-verify", "--ssl-trustfile"])
        .arg(pki().untrusted_ca())
        .args(["localhost", &port]);
    lib.apply(&mut cmd);
    let mut ncat = Proc::spawn(&mut cmd, "ncat-untrusted", true);
    let mut stdin = ncat.stdin();
    let _ = stdin.write_all(format!("{}\n", lines[0]).as_bytes());
    drop(stdin);
    let ended = ncat.wait(Duration::from_secs(20));
    assert!(
        !ended.status.success() && !ended.log.contains(reversed[0].as_str()),
        "ncat accepted an untrusted server: {}\n{}",
        ended.status,
        ended.log
    );
    common::progs::report(
        "ncat --ssl (client)",
        "ncat",
        lib,
        &format!(
            "{} random lines to openssl s_server -rev and back reversed (verified); \
             untrusted CA refused",
            lines.len()
        ),
    );
}

fn ncat_server_echoes_to_s_client(lib: Lib) {
    let key = pki().server(KeyAlg::Ed25519);
    let (server, port) = Proc::server(
        "ncat-server",
        |port| {
            let mut cmd = common::command(NCAT);
            cmd.args(["--ssl", "--ssl-cert", &path_str(&key.chain)])
                .args(["--ssl-key", &path_str(&key.key)])
                .args(["-l", "127.0.0.1", &port.to_string(), "--sh-exec", "cat"]);
            lib.apply(&mut cmd);
            cmd
        },
        None,
    );
    assert_maps(server.pid(), lib, "ncat (server)");

    let mut cmd = common::command(OPENSSL);
    cmd.args(["s_client", "-quiet", "-verify_return_error", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-CAfile")
        .arg(pki().root_ca());
    let mut client = Proc::spawn(&mut cmd, "s_client", true);
    let lines = random_lines(20);
    let mut stdin = client.stdin();
    stdin
        .write_all(format!("{}\n", lines.join("\n")).as_bytes())
        .expect("writing to s_client");
    wait_for_all(&mut client, &lines, "s_client through ncat's cat");
    let log = client.log();
    assert!(
        log.contains("verify return:1") && !log.contains("verify error"),
        "s_client did not verify ncat's chain:\n{log}"
    );
    drop(stdin);
    common::progs::report(
        "ncat --ssl (server)",
        "ncat",
        lib,
        &format!(
            "{} random lines from openssl s_client echoed back through ncat -l --sh-exec cat \
             (Ed25519 chain verified)",
            lines.len()
        ),
    );
    drop(server);
}

#[test]
fn ncat_on_ferrossl_library_path_client() {
    ncat_client_talks_to_s_server(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn ncat_on_ferrossl_preload_client() {
    ncat_client_talks_to_s_server(Lib::Ours(Mode::Preload));
}

#[test]
fn ncat_on_ferrossl_library_path_server() {
    ncat_server_echoes_to_s_client(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn ncat_on_ferrossl_preload_server() {
    ncat_server_echoes_to_s_client(Lib::Ours(Mode::Preload));
}

#[test]
fn ncat_on_stock_client_and_server() {
    ncat_client_talks_to_s_server(Lib::Stock);
    ncat_server_echoes_to_s_client(Lib::Stock);
}
