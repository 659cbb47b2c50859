//! Debian's unmodified `openssl s_client` and `openssl s_server` as programs running on
//! ferrossl (through `LD_LIBRARY_PATH`), each against the other one on stock OpenSSL: the client
//! fetches `s_server -www`'s page, the server reverses lines for `s_server -rev`. Each scenario
//! also runs with both ends on stock OpenSSL, which proves the test itself.

mod common;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, OPENSSL};

const TIMEOUT: Duration = Duration::from_secs(30);
const OURS: Lib = Lib::Ours(Mode::LibraryPath);

/// `openssl s_client` on `lib` sends `GET / HTTP/1.0` to a stock `s_server -www` and must
/// exit 0 after printing the whole page.
fn s_client_fetches_the_www_page(lib: Lib) {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-www".into());
    let server = Server::s_server(&args);
    let mut gate = Gate::new(server.port());

    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{}", gate.port()))
        .args([
            "-servername",
            "localhost",
            "-verify_return_error",
            "-ign_eof",
        ])
        .arg("-CAfile")
        .arg(pki().root_ca());
    lib.apply(&mut cmd);
    let mut client = Proc::spawn(&mut cmd, "s_client", true);
    gate.accepted(TIMEOUT);
    assert_maps(client.pid(), lib, "openssl s_client");
    gate.open();
    // The request goes in once s_client has printed its handshake summary (flushed) and the
    // server's session tickets have had time to arrive: s_client clears SSL_MODE_AUTO_RETRY,
    // so its SSL_read must return WANT_READ after the tickets, not block, for it to read the
    // request from standard input. -ign_eof keeps it running after the pipe closes, until the
    // server closes the connection. A write error (s_client already gone) shows in the checks.
    let mut stdin = client.stdin();
    if wait_for_output(&mut client, "Verify return code") {
        thread::sleep(Duration::from_millis(300));
    }
    let _ = stdin.write_all(b"GET / HTTP/1.0\r\n\r\n");
    drop(stdin);
    let end = client.wait(TIMEOUT);

    assert!(end.status.success(), "s_client failed:\n{}", end.log);
    // The page echoes the server's command line, which names this run's port.
    let echoed = format!("s_server -accept 127.0.0.1:{} ", server.port());
    for want in ["HTTP/1.0 200 ok", echoed.as_str(), "</pre></BODY></HTML>"] {
        assert!(
            end.log.contains(want),
            "s_client's output lacks {want:?}:\n{}",
            end.log
        );
    }
    common::progs::report(
        "openssl s_client",
        "openssl",
        lib,
        "GET / of stock s_server -www's status page",
    );
}

/// Waits until `proc` has printed `marker`; false if it exits first or after [`TIMEOUT`].
fn wait_for_output(proc: &mut Proc, marker: &str) -> bool {
    let deadline = Instant::now() + TIMEOUT;
    while !proc.log().contains(marker) {
        if !proc.is_running() || Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
    true
}

#[test]
fn s_client_on_ferrossl_fetches_the_www_page() {
    s_client_fetches_the_www_page(OURS);
}

#[test]
fn s_client_on_stock_fetches_the_www_page() {
    s_client_fetches_the_www_page(Lib::Stock);
}

/// `openssl s_server -rev` on `lib`; a stock `s_client` sends random lines and `CLOSE`, and
/// must get each line back reversed, then the server's close_notify (exit 0).
fn s_server_reverses_lines(lib: Lib) {
    let cert = pki().server(KeyAlg::EcdsaP256);
    let (server, port) = Proc::server(
        "s_server",
        |port| {
            let mut cmd = common::command(OPENSSL);
            cmd.arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .args(cert.s_server_args())
                .arg("-rev");
            lib.apply(&mut cmd);
            cmd
        },
        Some("ACCEPT"),
    );
    assert_maps(server.pid(), lib, "openssl s_server");

    let lines: Vec<String> = (0..3)
        .map(|i| format!("line {i} {}", random_hex(12)))
        .collect();
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-verify_return_error", "-quiet"])
        .arg("-CAfile")
        .arg(path_str(&pki().root_ca()));
    let mut client = Proc::spawn(&mut cmd, "stock s_client", true);
    let mut stdin = client.stdin();
    // One line at a time, each after the previous answer: the server then always waits in
    // SSL_read for the next line (its WANT_READ path), as with an interactive client.
    for line in &lines {
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .expect("writing to s_client");
        let reversed: String = line.chars().rev().collect();
        client.wait_for(&format!("{reversed}\n"), TIMEOUT);
    }
    stdin.write_all(b"CLOSE\n").expect("writing to s_client");
    // -quiet implies -ign_eof: s_client ends when the server closes, not at end of input.
    drop(stdin);
    let end = client.wait(TIMEOUT);

    assert!(
        end.status.success(),
        "s_client failed:\n{}\n--- s_server ---\n{}",
        end.log,
        server.log()
    );
    for line in &lines {
        let reversed: String = line.chars().rev().collect();
        assert!(
            end.log.contains(&format!("{reversed}\n")),
            "{reversed:?} missing from s_client's output:\n{}",
            end.log
        );
    }
    assert!(
        server.log().contains("CONNECTION CLOSED"),
        "s_server did not close cleanly:\n{}",
        server.log()
    );
    common::progs::report(
        "openssl s_server -rev",
        "openssl",
        lib,
        &format!("{} random lines from stock s_client, reversed", lines.len()),
    );
}

#[test]
fn s_server_rev_on_ferrossl_reverses_lines() {
    s_server_reverses_lines(OURS);
}

#[test]
fn s_server_rev_on_stock_reverses_lines() {
    s_server_reverses_lines(Lib::Stock);
}
