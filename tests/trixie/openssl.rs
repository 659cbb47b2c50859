//! Debian 13's `openssl` command (3.5.9, whose s_client/s_server import 19 functions of the
//! 3.2–3.5 nodes, `SSL_get1_builtin_sigalgs` among them) on ferrossl: `s_client` against a stock
//! 3.5 `s_server -rev`, and `s_server` on ferrossl against a stock 3.5 `s_client`, each
//! exchanging random lines that must come back reversed.

use std::fs::File;

use common::progs::{random_hex, Gate, Proc};
use common::trixie::{assert_maps, report, On, Stage};
use common::Mode;

use super::{s_server, TIMEOUT};
use crate::common;

/// Random lines for a `-rev` server: (the input file, the expected output, the bytes sent).
fn lines(stage: &Stage, name: &str) -> (File, String, usize) {
    let lines: Vec<String> = (0..30).map(|_| random_hex(500)).collect();
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    // "CLOSE" makes `s_server -rev` shut the connection down, and s_client then exits.
    stage.write(name, format!("{input}CLOSE\n"));
    let expected = lines
        .iter()
        .map(|l| l.chars().rev().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    (File::open(stage.host(name)).unwrap(), expected, input.len())
}

/// Runs Debian 13's `openssl s_client` on `client` against `port` through a gate, feeding it
/// random lines; checks its maps and that every line came back reversed.
fn s_client_rev(stage: &Stage, client: On, port: u16, tls: &str, server: &Proc) -> usize {
    let pki = stage.copy_pki();
    let (input, expected, bytes) = lines(stage, &format!("input-{tls}"));
    let mut gate = Gate::new(port);
    let mut cmd = stage.command(client, &[], "openssl");
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{}", gate.port()))
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-verify_return_error", "-quiet", tls, "-CAfile"])
        .arg(format!("{pki}/root-ca.pem"))
        .stdin(input);
    let child = Proc::spawn(&mut cmd, "s_client-3.5", false);
    gate.accepted(TIMEOUT);
    assert_maps(child.pid(), stage, client, "Debian 13's openssl s_client");
    gate.open();
    let ended = child.wait(TIMEOUT);
    // s_client -quiet exits at end of input; every reversed line precedes that.
    for line in expected.lines() {
        assert!(
            ended.log.contains(line),
            "s_client {tls}: a line did not come back reversed\n{}\n--- server ---\n{}",
            common::progs::head(&ended.log, 2000),
            server.log()
        );
    }
    bytes
}

#[test]
fn s_client_on_ferrossl_against_stock_s_server() {
    let stage = Stage::new("s_client");
    let (server, port) = s_server(&stage, On::Stock, &["-rev"]);
    for (on, tls) in [
        (On::Ours(Mode::LibraryPath), "-tls1_3"),
        (On::Ours(Mode::Preload), "-tls1_2"),
    ] {
        let bytes = s_client_rev(&stage, on, port, tls, &server);
        report(
            "openssl s_client",
            "openssl",
            &stage,
            on,
            &format!("{bytes} bytes reversed by stock 3.5 s_server -rev ({tls})"),
        );
    }
}

#[test]
fn s_server_on_ferrossl_against_stock_s_client() {
    let stage = Stage::new("s_server");
    for (on, tls) in [
        (On::Ours(Mode::LibraryPath), "-tls1_3"),
        (On::Ours(Mode::Preload), "-tls1_2"),
    ] {
        let (server, port) = s_server(&stage, on, &["-rev"]);
        assert_maps(server.pid(), &stage, on, "Debian 13's openssl s_server");
        let bytes = s_client_rev(&stage, On::Stock, port, tls, &server);
        report(
            "openssl s_server",
            "openssl",
            &stage,
            on,
            &format!("reversed {bytes} bytes for stock 3.5 s_client ({tls})"),
        );
    }
}
