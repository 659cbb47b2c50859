//! Debian 13's socat and stunnel4 on ferrossl as TLS clients of a stock 3.5 `s_server -rev`:
//! socat's OPENSSL address with verification, and stunnel's client mode (verifyChain, checkHost)
//! carrying a plain TCP connection.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::progs::{random_hex, Gate, Proc};
use common::trixie::{assert_maps, report, On, Stage};
use common::Mode;

use super::{s_server, TIMEOUT};
use crate::common;

/// Random lines, the input to send (ending in CLOSE, which makes `s_server -rev` hang up) and
/// the reversed lines expected back.
fn lines() -> (String, Vec<String>) {
    let lines: Vec<String> = (0..20).map(|_| random_hex(400)).collect();
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let reversed = lines.iter().map(|l| l.chars().rev().collect()).collect();
    (format!("{input}CLOSE\n"), reversed)
}

#[test]
fn socat_openssl_client_on_ferrossl() {
    let stage = Stage::new("socat");
    let pki = stage.copy_pki();
    let (server, port) = s_server(&stage, On::Stock, &["-rev"]);
    let (input, reversed) = lines();
    stage.write("input", &input);
    let on = On::Ours(Mode::LibraryPath);
    let mut gate = Gate::new(port);
    let mut cmd = stage.command(on, &[], "socat");
    cmd.arg("-")
        .arg(format!(
            "OPENSSL:127.0.0.1:{},cafile={pki}/root-ca.pem,commonname=localhost,verify=1",
            gate.port()
        ))
        .stdin(std::fs::File::open(stage.host("input")).unwrap());
    let child = Proc::spawn(&mut cmd, "socat-3.5", false);
    gate.accepted(TIMEOUT);
    assert_maps(child.pid(), &stage, on, "Debian 13's socat");
    gate.open();
    let ended = child.wait(TIMEOUT);
    for line in &reversed {
        assert!(
            ended.log.contains(line.as_str()),
            "socat: a line did not come back reversed\n{}\n--- server ---\n{}",
            ended.log,
            server.log()
        );
    }
    report(
        "socat",
        "socat",
        &stage,
        on,
        "OPENSSL client with verification, lines reversed by stock 3.5 s_server -rev",
    );
}

#[test]
fn stunnel_client_on_ferrossl() {
    let stage = Stage::new("stunnel");
    let pki = stage.copy_pki();
    let (server, port) = s_server(&stage, On::Stock, &["-rev"]);
    let on = On::Ours(Mode::Preload);
    let d = stage.inside("");
    let (stunnel, local) = Proc::server(
        "stunnel-3.5",
        |local| {
            let conf = format!(
                "foreground = yes\npid =\noutput = {d}/stunnel.log\n\
                 [rev]\nclient = yes\naccept = 127.0.0.1:{local}\nconnect = 127.0.0.1:{port}\n\
                 verifyChain = yes\nCAfile = {pki}/root-ca.pem\ncheckHost = localhost\n\
                 sni = localhost\n"
            );
            let conf = stage.write("stunnel.conf", conf);
            let mut cmd = stage.command(on, &[], "/usr/bin/stunnel4");
            cmd.arg(conf);
            cmd
        },
        None,
    );
    assert_maps(stunnel.pid(), &stage, on, "Debian 13's stunnel4");
    let (input, reversed) = lines();
    let mut tcp = TcpStream::connect(("127.0.0.1", local)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    tcp.write_all(input.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = tcp.read_to_string(&mut answer);
    let log = std::fs::read_to_string(stage.host("stunnel.log")).unwrap_or_default();
    assert_eq!(
        answer.lines().collect::<Vec<_>>(),
        reversed.iter().map(String::as_str).collect::<Vec<_>>(),
        "stunnel log:\n{log}\n--- server ---\n{}",
        server.log()
    );
    report(
        "stunnel4",
        "stunnel4",
        &stage,
        on,
        "client mode (verifyChain, checkHost, SNI) carrying lines reversed by stock 3.5 s_server",
    );
}
