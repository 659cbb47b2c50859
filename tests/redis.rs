//! Debian's unmodified redis-server and redis-cli on ferrossl. The server listens only on a TLS
//! port (`--port 0 --tls-port`), with a certificate chain and a client CA (client certificates
//! required, redis's default); redis-cli connects with `--tls --cacert --cert --key` and sends
//! `SET` of a random 40 KB value then `GET` of it on one connection; the value must come back
//! intact. Scenarios: server on ferrossl (LD_LIBRARY_PATH, LD_PRELOAD) with stock redis-cli,
//! redis-cli on ferrossl (both modes) with a stock server, and stock with stock. A redis-cli on
//! ferrossl trusting another CA must refuse the server.

mod common;

use std::fs::{self, File};
use std::path::Path;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{pki, KeyAlg, Mode, TempDir};

const SERVER: &str = "/usr/bin/redis-server";
const CLI: &str = "/usr/bin/redis-cli";

fn server(lib: Lib, dir: &Path) -> (Proc, u16) {
    let cert = pki().server(KeyAlg::EcdsaP256);
    Proc::server(
        "redis-server",
        |port| {
            let mut cmd = common::command(SERVER);
            cmd.args(["--bind", "127.0.0.1", "--port", "0"])
                .args(["--tls-port", &port.to_string()])
                .arg("--tls-cert-file")
                .arg(&cert.chain)
                .arg("--tls-key-file")
                .arg(&cert.key)
                .arg("--tls-ca-cert-file")
                .arg(pki().root_ca())
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir);
            lib.apply(&mut cmd);
            cmd
        },
        Some("Ready to accept connections"),
    )
}

/// redis-cli on `lib` through a gate to `port`, trusting `ca`, running the commands in `input`.
fn cli(lib: Lib, port: u16, ca: &Path, input: &Path) -> common::progs::Ended {
    let client = pki().client();
    let mut gate = Gate::new(port);
    let mut cmd = common::command(CLI);
    cmd.args(["-h", "localhost", "-p", &gate.port().to_string(), "--tls"])
        .arg("--cacert")
        .arg(ca)
        .arg("--cert")
        .arg(client.cert)
        .arg("--key")
        .arg(client.key)
        .stdin(File::open(input).expect("opening redis-cli's input"));
    lib.apply(&mut cmd);
    let proc = Proc::spawn(&mut cmd, "redis-cli", false);
    gate.accepted(Duration::from_secs(10));
    assert_maps(proc.pid(), lib, "redis-cli");
    gate.open();
    proc.wait(Duration::from_secs(30))
}

fn set_and_get(server_lib: Lib, cli_lib: Lib) {
    let dir = TempDir::new("redis");
    let (redis, port) = server(server_lib, dir.path());
    assert_maps(redis.pid(), server_lib, "redis-server");
    let key = format!("ferrossl:{}", random_hex(8));
    let value = random_hex(20_000);
    let input = dir.join("commands.txt");
    fs::write(&input, format!("SET {key} {value}\nGET {key}\n")).expect("writing commands");

    let ended = cli(cli_lib, port, &pki().root_ca(), &input);
    assert!(
        ended.status.success(),
        "redis-cli: {}\n{}\n--- redis-server ---\n{}",
        ended.status,
        common::progs::head(&ended.log, 2000),
        redis.log()
    );
    let lines: Vec<&str> = ended.log.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"OK"),
        "SET's reply:\n{}",
        common::progs::head(&ended.log, 500)
    );
    let got = lines.get(1).copied().unwrap_or_default();
    common::assert_same_bytes(got.as_bytes(), value.as_bytes(), "the value GET returned");
    assert_maps(redis.pid(), server_lib, "redis-server after the exchange");

    if cli_lib != Lib::Stock {
        // A CA that did not issue the server's certificate: redis-cli refuses the server.
        let ended = cli(cli_lib, port, &pki().untrusted_ca(), &input);
        assert!(
            ended.log.contains("certificate verify failed") && !ended.log.contains(&value),
            "redis-cli with the wrong CA did not fail verification:\n{}",
            common::progs::head(&ended.log, 500)
        );
    }
    let exchanged = format!(
        "SET and GET of a {}-byte value over TLS with a client certificate",
        value.len()
    );
    if server_lib != Lib::Stock || cli_lib == Lib::Stock {
        common::progs::report("redis-server", "redis-server", server_lib, &exchanged);
    }
    if cli_lib != Lib::Stock {
        common::progs::report(
            "redis-cli",
            "redis-tools",
            cli_lib,
            &format!("{exchanged}; a wrong CA fails verification"),
        );
    }
}

#[test]
fn redis_server_on_ferrossl_library_path_with_stock_cli() {
    set_and_get(Lib::Ours(Mode::LibraryPath), Lib::Stock);
}

#[test]
fn redis_server_on_ferrossl_preload_with_stock_cli() {
    set_and_get(Lib::Ours(Mode::Preload), Lib::Stock);
}

#[test]
fn redis_cli_on_ferrossl_library_path_with_stock_server() {
    set_and_get(Lib::Stock, Lib::Ours(Mode::LibraryPath));
}

#[test]
fn redis_cli_on_ferrossl_preload_with_stock_server() {
    set_and_get(Lib::Stock, Lib::Ours(Mode::Preload));
}

#[test]
fn redis_on_stock() {
    set_and_get(Lib::Stock, Lib::Stock);
}
