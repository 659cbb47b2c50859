//! Debian's unmodified memcached on ferrossl as a TLS server (`-Z -o ssl_chain_cert=,ssl_key=`,
//! client certificates required with `ssl_ca_cert`, `ssl_verify_mode=2`).
//! A stock `openssl s_client`, verifying the chain and presenting the client certificate, sends
//! `set k 0 0 N\r\n<random data>\r\nget k\r\n` for 8 keys, then `quit`, and must read `STORED`
//! and each value back intact. memcached runs on ferrossl through `LD_LIBRARY_PATH` and `LD_PRELOAD`, and on
//! stock OpenSSL, which proves the test itself.

mod common;

use std::io::Write;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, OPENSSL};

const MEMCACHED: &str = "/usr/bin/memcached";

fn set_and_get(lib: Lib) {
    let cert = pki().server(KeyAlg::Rsa2048);
    let (memcached, port) = Proc::server(
        "memcached",
        |port| {
            let mut cmd = common::command(MEMCACHED);
            cmd.arg("-Z")
                .arg("-o")
                .arg(format!(
                    "ssl_chain_cert={},ssl_key={},ssl_ca_cert={},ssl_verify_mode=2",
                    path_str(&cert.chain),
                    path_str(&cert.key),
                    path_str(&pki().root_ca())
                ))
                .args(["-l", "127.0.0.1", "-p", &port.to_string()])
                .args(["-U", "0", "-u", "nobody", "-vv"]);
            lib.apply(&mut cmd);
            cmd
        },
        None,
    );
    assert_maps(memcached.pid(), lib, "memcached");

    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-verify_return_error", "-quiet"])
        .arg("-CAfile")
        .arg(pki().root_ca())
        .arg("-cert")
        .arg(pki().client().cert)
        .arg("-key")
        .arg(pki().client().key);
    let mut client = Proc::spawn(&mut cmd, "s_client", true);
    // Values over about 8 KB never come back from Debian's memcached over TLS, on stock
    // OpenSSL too (its write path stalls on items stored in chunks): several smaller ones.
    let items: Vec<(String, String)> = (0..8)
        .map(|i| (format!("ferrossl-{i}-{}", random_hex(6)), random_hex(3000)))
        .collect();
    let mut stdin = client.stdin();
    let mut expected = String::new();
    for (n, (key, value)) in items.iter().enumerate() {
        // One command at a time: Debian's memcached over TLS now and then never sends the
        // reply to a command that arrived in the same record as the one before (on stock
        // OpenSSL too).
        write!(stdin, "set {key} 0 0 {}\r\n{value}\r\n", value.len()).expect("writing");
        stdin.flush().expect("flushing s_client's input");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while client.log().matches("STORED\r\n").count() <= n {
            assert!(
                std::time::Instant::now() < deadline,
                "no STORED for {key}:\n{}",
                common::progs::head(&client.log(), 3000)
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        write!(stdin, "get {key}\r\n").expect("writing to s_client");
        stdin.flush().expect("flushing s_client's input");
        client.wait_for(&format!("{value}\r\nEND\r\n"), Duration::from_secs(20));
        expected += &format!(
            "STORED\r\nVALUE {key} 0 {}\r\n{value}\r\nEND\r\n",
            value.len()
        );
    }
    write!(stdin, "quit\r\n").expect("writing to s_client");
    stdin.flush().expect("flushing s_client's input");
    // memcached closes the connection on `quit`; s_client then exits.
    let ended = client.wait(Duration::from_secs(30));
    let start = ended.log.find("STORED\r\n").unwrap_or_else(|| {
        panic!(
            "no STORED from memcached:\n{}\n--- memcached ---\n{}",
            common::progs::head(&ended.log, 2000),
            memcached.log()
        )
    });
    let got = &ended.log[start..(start + expected.len()).min(ended.log.len())];
    common::assert_same_bytes(got.as_bytes(), expected.as_bytes(), "memcached's replies");
    assert_maps(memcached.pid(), lib, "memcached after the exchange");
    drop(stdin);
    common::progs::report(
        "memcached (TLS server)",
        "memcached",
        lib,
        &format!(
            "set and get of 8 values, {} bytes in all, by openssl s_client verifying the chain and \
             presenting a client certificate (ssl_verify_mode=2)",
            items.iter().map(|(_, v)| v.len()).sum::<usize>()
        ),
    );
}

#[test]
fn memcached_on_ferrossl_library_path() {
    set_and_get(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn memcached_on_ferrossl_preload() {
    set_and_get(Lib::Ours(Mode::Preload));
}

#[test]
fn memcached_on_stock() {
    set_and_get(Lib::Stock);
}
