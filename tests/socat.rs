//! Debian's unmodified socat on ferrossl, both ends of its OPENSSL addresses:
//!
//! - client: `OPENSSL:127.0.0.1:<port>,cafile=<root>,commonname=localhost` to a stock
//!   `openssl s_server -rev`, sending random lines from a file and writing what comes back to
//!   another (each line must come back reversed); with an unrelated CA it must fail
//!   verification and send nothing.
//! - server: `OPENSSL-LISTEN:<port>,cert=,key=,cafile=,verify=1 PIPE` (an echo server requiring
//!   a client certificate); a stock `openssl s_client` presenting the test client certificate
//!   gets its random lines echoed; one presenting none is refused.
//!
//! socat runs on ferrossl through `LD_LIBRARY_PATH` and `LD_PRELOAD`, and on stock OpenSSL.

mod common;

use std::fs;
use std::io::Write;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, TempDir, OPENSSL};

const SOCAT: &str = "/usr/bin/socat";

/// `n` random lines of hex, each `len` characters long.
fn random_lines(n: usize, len: usize) -> Vec<String> {
    (0..n).map(|_| random_hex(len / 2)).collect()
}

fn assert_no_panic(log: &str, what: &str) {
    assert!(
        !log.contains("panicked"),
        "{what} printed a Rust panic:\n{log}"
    );
}

/// socat as a verifying client of a stock `s_server -rev`: the lines come back reversed.
fn socat_client_exchanges_lines(lib: Lib) {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-rev".into());
    let server = Server::s_server(&args);
    let dir = TempDir::new("socat-client");
    let lines = random_lines(40, 1000);
    let input = dir.join("in.txt");
    let output = dir.join("out.txt");
    fs::write(&input, lines.join("\n") + "\n").expect("writing the input");

    let mut gate = Gate::new(server.port());
    let mut cmd = common::command(SOCAT);
    cmd.args(["-t", "5"])
        .arg(format!(
            "OPEN:{}!!CREATE:{}",
            path_str(&input),
            path_str(&output)
        ))
        .arg(format!(
            "OPENSSL:127.0.0.1:{},cafile={},commonname=localhost",
            gate.port(),
            path_str(&pki().root_ca())
        ));
    lib.apply(&mut cmd);
    let socat = Proc::spawn(&mut cmd, "socat-client", false);
    gate.accepted(Duration::from_secs(10));
    assert_maps(socat.pid(), lib, "socat (client)");
    gate.open();
    let ended = socat.wait(Duration::from_secs(30));
    assert!(
        ended.status.success(),
        "socat client failed ({}):\n{}\n--- s_server ---\n{}",
        ended.status,
        ended.log,
        server.output()
    );
    assert_no_panic(&ended.log, "socat");
    let got = fs::read_to_string(&output).expect("reading socat's output");
    let expected: String = lines
        .iter()
        .map(|l| l.chars().rev().collect::<String>() + "\n")
        .collect();
    common::assert_same_bytes(got.as_bytes(), expected.as_bytes(), "the reversed lines");

    // The same server with a CA that did not issue its certificate: verification fails.
    let mut gate = Gate::new(server.port());
    let mut cmd = common::command(SOCAT);
    cmd.args(["-t", "5"])
        .arg(format!(
            "OPEN:{}!!CREATE:{}",
            path_str(&input),
            path_str(&output)
        ))
        .arg(format!(
            "OPENSSL:127.0.0.1:{},cafile={},commonname=localhost",
            gate.port(),
            path_str(&pki().untrusted_ca())
        ));
    lib.apply(&mut cmd);
    fs::remove_file(&output).expect("removing the output");
    let socat = Proc::spawn(&mut cmd, "socat-client-wrong-ca", false);
    gate.accepted(Duration::from_secs(10));
    assert_maps(socat.pid(), lib, "socat (client, wrong CA)");
    gate.open();
    let ended = socat.wait(Duration::from_secs(30));
    assert!(
        !ended.status.success() && ended.log.contains("certificate verify failed"),
        "socat with the wrong CA: {}\n{}",
        ended.status,
        ended.log
    );
    assert_no_panic(&ended.log, "socat");
    let leaked = fs::read_to_string(&output).unwrap_or_default();
    assert!(
        leaked.is_empty(),
        "data came back without verification: {leaked:?}"
    );

    common::progs::report(
        "socat (OPENSSL client)",
        "socat",
        lib,
        &format!(
            "{} bytes of lines to openssl s_server -rev and back reversed, server verified \
             (cafile, commonname); a wrong CA fails verification",
            lines.len() * 1001
        ),
    );
}

/// A socat echo server requiring client certificates, on `lib`.
fn socat_server(lib: Lib, name: &str) -> (Proc, u16) {
    let server = pki().server(KeyAlg::Rsa2048);
    Proc::server(
        name,
        |port| {
            let mut cmd = common::command(SOCAT);
            cmd.args(["-d", "-d"])
                .arg(format!(
                    "OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,cert={},key={},cafile={},\
                     verify=1",
                    path_str(&server.chain),
                    path_str(&server.key),
                    path_str(&pki().root_ca())
                ))
                .arg("PIPE");
            lib.apply(&mut cmd);
            cmd
        },
        None,
    )
}

/// A stock `s_client` to `port`, with the test client certificate if `with_cert`.
fn s_client(port: u16, with_cert: bool, name: &str) -> Proc {
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-verify_return_error", "-quiet"])
        .arg("-CAfile")
        .arg(pki().root_ca());
    if with_cert {
        let client = pki().client();
        cmd.arg("-cert")
            .arg(client.cert)
            .arg("-key")
            .arg(client.key);
    }
    Proc::spawn(&mut cmd, name, true)
}

fn socat_server_echoes_to_a_client_with_a_certificate(lib: Lib) {
    let (mut socat, port) = socat_server(lib, "socat-server");
    assert_maps(socat.pid(), lib, "socat (server)");
    let mut client = s_client(port, true, "s_client");
    let mut stdin = client.stdin();
    let lines = random_lines(30, 800);
    for line in &lines {
        writeln!(stdin, "{line}").expect("writing to s_client");
    }
    stdin.flush().expect("flushing s_client's input");
    client.wait_for(lines.last().expect("lines"), Duration::from_secs(20));
    // The process doing TLS is the one listening (no fork option).
    assert_maps(socat.pid(), lib, "socat (server) during the echo");
    let echoed = client.log();
    for line in &lines {
        assert!(
            echoed.lines().any(|l| l == line),
            "line {} not echoed:\n{}",
            common::progs::head(line, 40),
            common::progs::head(&echoed, 2000)
        );
    }
    drop(stdin);
    drop(client);
    let log = socat.log();
    assert_no_panic(&log, "socat");
    assert!(
        !log.lines().any(|l| l.contains(" E ")),
        "socat logged an error:\n{log}"
    );
    assert!(
        socat.is_running() || log.contains("exiting with status 0"),
        "{log}"
    );

    // Without a client certificate the handshake is refused and nothing is echoed.
    let (socat, port) = socat_server(lib, "socat-server-no-cert");
    let mut client = s_client(port, false, "s_client-no-cert");
    let marker = random_hex(20);
    let mut stdin = client.stdin();
    let _ = writeln!(stdin, "{marker}");
    let _ = stdin.flush();
    let ended = socat.wait(Duration::from_secs(20));
    assert!(
        !ended.status.success() && ended.log.contains("SSL_accept"),
        "socat accepted a client without a certificate ({}):\n{}",
        ended.status,
        ended.log
    );
    assert_no_panic(&ended.log, "socat");
    drop(stdin);
    thread_sleep_ms(200);
    assert!(
        !client.log().lines().any(|l| l == marker),
        "data was echoed to a client without a certificate"
    );

    common::progs::report(
        "socat (OPENSSL-LISTEN server)",
        "socat",
        lib,
        &format!(
            "{} bytes of lines echoed to openssl s_client presenting a client certificate \
             (verify=1); a client without one is refused",
            lines.len() * 801
        ),
    );
}

fn thread_sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

#[test]
fn socat_client_on_ferrossl_library_path() {
    socat_client_exchanges_lines(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn socat_client_on_ferrossl_preload() {
    socat_client_exchanges_lines(Lib::Ours(Mode::Preload));
}

#[test]
fn socat_client_on_stock() {
    socat_client_exchanges_lines(Lib::Stock);
}

#[test]
fn socat_server_on_ferrossl_library_path() {
    socat_server_echoes_to_a_client_with_a_certificate(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn socat_server_on_ferrossl_preload() {
    socat_server_echoes_to_a_client_with_a_certificate(Lib::Ours(Mode::Preload));
}

#[test]
fn socat_server_on_stock() {
    socat_server_echoes_to_a_client_with_a_certificate(Lib::Stock);
}
