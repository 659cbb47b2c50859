//! Debian's unmodified openvpn on ferrossl: its TLS control channel on loopback, point to point
//! with no tun device (`--dev null`), one side on ferrossl and the other on stock OpenSSL.
//!
//! The server (`--tls-server --dh none`, an RSA chain, `--remote-cert-tls client`) and the client
//! (`--tls-client`, the test client certificate, `--remote-cert-tls server --verify-x509-name
//! localhost name`) verify each other; the client sends a random `UV_TOKEN` in its peer info,
//! which the server must log; both must log "Peer Connection Initiated" and the control channel's
//! TLS version and cipher, and bring the data channel up (keys from the TLS session), then
//! exchange keepalive pings over it for a while without a decryption error.

mod common;

use std::fs;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, Lib, Proc};
use common::{free_port, path_str, pki, KeyAlg, Mode, TempDir};

const OPENVPN: &str = "/usr/sbin/openvpn";

#[derive(Clone, Copy)]
enum Proto {
    Udp,
    Tcp,
}

/// Waits until `proc`'s log holds `marker`, showing `other`'s log too on failure.
fn wait_log(proc: &mut Proc, other: &Proc, marker: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !proc.log().contains(marker) {
        assert!(
            Instant::now() < deadline && proc.is_running(),
            "no {marker:?}:\n{}\n--- peer ---\n{}",
            proc.log(),
            other.log()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

fn openvpn_tunnel(server_lib: Lib, client_lib: Lib, proto: Proto) {
    let dir = TempDir::new("openvpn");
    let ca = dir.join("ca.pem");
    let roots = format!(
        "{}{}",
        fs::read_to_string(pki().root_ca()).expect("root CA"),
        fs::read_to_string(pki().intermediate_ca()).expect("intermediate CA")
    );
    fs::write(&ca, roots).expect("writing the CA bundle");
    let server_key = pki().server(KeyAlg::Rsa2048);
    let client_key = pki().client();
    let port = free_port().to_string();
    let token = random_hex(16);
    let common_args = |cmd: &mut std::process::Command| {
        cmd.args([
            "--dev",
            "null",
            "--verb",
            "4",
            "--ping",
            "1",
            "--ping-exit",
            "20",
        ])
        .args(["--ca", &path_str(&ca)]);
    };

    let mut cmd = common::command(OPENVPN);
    common_args(&mut cmd);
    cmd.args([
        "--tls-server",
        "--dh",
        "none",
        "--remote-cert-tls",
        "client",
    ])
    .args(["--cert", &path_str(&server_key.cert)])
    .args(["--key", &path_str(&server_key.key)])
    .args(["--local", "127.0.0.1", "--lport", &port]);
    match proto {
        Proto::Udp => cmd.args(["--proto", "udp"]),
        Proto::Tcp => cmd.args(["--proto", "tcp-server"]),
    };
    server_lib.apply(&mut cmd);
    let mut server = Proc::spawn(&mut cmd, "openvpn-server", false);

    let mut cmd = common::command(OPENVPN);
    common_args(&mut cmd);
    cmd.args(["--tls-client", "--remote-cert-tls", "server"])
        .args(["--verify-x509-name", "localhost", "name"])
        .args(["--cert", &path_str(&client_key.cert)])
        .args(["--key", &path_str(&client_key.key)])
        .args(["--remote", "127.0.0.1", &port, "--nobind"])
        .args(["--setenv", "UV_TOKEN", &token, "--push-peer-info"]);
    match proto {
        Proto::Udp => cmd.args(["--proto", "udp"]),
        Proto::Tcp => cmd.args(["--proto", "tcp-client", "--connect-retry", "1"]),
    };
    client_lib.apply(&mut cmd);
    let mut client = Proc::spawn(&mut cmd, "openvpn-client", false);

    assert_maps(server.pid(), server_lib, "openvpn (server)");
    assert_maps(client.pid(), client_lib, "openvpn (client)");

    for marker in [
        "Peer Connection Initiated",
        "Initialization Sequence Completed",
    ] {
        wait_log(&mut server, &client, marker);
        wait_log(&mut client, &server, marker);
    }
    // Keepalive pings cross the data channel every second in both directions.
    thread::sleep(Duration::from_secs(3));
    assert!(server.is_running() && client.is_running(), "a side exited");
    let (slog, clog) = (server.log(), client.log());
    let both = || format!("--- server ---\n{slog}\n--- client ---\n{clog}");
    assert!(
        slog.contains(&format!("peer info: UV_TOKEN={token}")),
        "the server did not receive the client's token:\n{}",
        both()
    );
    assert!(
        clog.contains("VERIFY X509NAME OK: O=ferrossl tests, CN=localhost")
            && slog.contains("VERIFY OK: depth=0, O=ferrossl tests, CN=ferrossl test client"),
        "the peers did not verify each other:\n{}",
        both()
    );
    for log in [&slog, &clog] {
        assert!(
            log.contains("Control Channel: TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384"),
            "no TLS 1.3 control channel line:\n{}",
            both()
        );
        assert!(
            log.contains("Data Channel: cipher 'AES-256-GCM'"),
            "no data channel:\n{}",
            both()
        );
        for bad in ["Decrypt error", "packet error", "TLS Error", "TLS_ERROR"] {
            assert!(!log.contains(bad), "{bad:?} in a log:\n{}", both());
        }
    }
    let proto_name = match proto {
        Proto::Udp => "UDP",
        Proto::Tcp => "TCP",
    };
    for (lib, role) in [(server_lib, "server"), (client_lib, "client")] {
        if lib != Lib::Stock || (server_lib == Lib::Stock && client_lib == Lib::Stock) {
            common::progs::report(
                &format!("openvpn (TLS control channel, {role})"),
                "openvpn",
                lib,
                &format!(
                    "p2p --dev null over {proto_name} with a stock peer: mutual certificate \
                     verification, a random peer-info token, TLS 1.3 control channel, \
                     AES-256-GCM data channel keepalives"
                ),
            );
        }
    }
}

#[test]
fn openvpn_server_on_ferrossl_library_path_udp() {
    openvpn_tunnel(Lib::Ours(Mode::LibraryPath), Lib::Stock, Proto::Udp);
}

#[test]
fn openvpn_client_on_ferrossl_preload_udp() {
    openvpn_tunnel(Lib::Stock, Lib::Ours(Mode::Preload), Proto::Udp);
}

#[test]
fn openvpn_client_on_ferrossl_library_path_tcp() {
    openvpn_tunnel(Lib::Stock, Lib::Ours(Mode::LibraryPath), Proto::Tcp);
}

#[test]
fn openvpn_server_on_ferrossl_preload_tcp() {
    openvpn_tunnel(Lib::Ours(Mode::Preload), Lib::Stock, Proto::Tcp);
}

#[test]
fn openvpn_on_stock_udp() {
    openvpn_tunnel(Lib::Stock, Lib::Stock, Proto::Udp);
}
