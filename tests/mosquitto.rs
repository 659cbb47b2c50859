//! Debian's unmodified mosquitto broker and mosquitto_pub/mosquitto_sub clients on ferrossl.
//! The broker has one TLS listener requiring a client certificate (`require_certificate true`);
//! the subscriber and the publisher present the test client certificate and verify the broker
//! against the root CA; a random payload published must reach the subscriber intact, and a
//! client without a certificate must be refused. Scenarios: broker on ferrossl with stock
//! clients, clients on ferrossl with a stock broker, everything on ferrossl (LD_PRELOAD), and
//! stock everywhere (which proves the test). A PSK listener (`psk_hint`) is a clean refusal:
//! the broker reports that it cannot set the hint and exits, without crashing.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, TempDir};

const MOSQUITTO: &str = "/usr/sbin/mosquitto";
const PUB: &str = "/usr/bin/mosquitto_pub";
const SUB: &str = "/usr/bin/mosquitto_sub";

/// The broker's configuration: a TLS listener on `port` requiring client certificates.
/// `user root` keeps the broker from switching to the `mosquitto` user, which cannot read the
/// test PKI's keys.
fn config(port: u16) -> String {
    let server = pki().server(KeyAlg::EcdsaP256);
    format!(
        "user root\n\
         per_listener_settings true\n\
         log_dest stderr\n\
         log_type all\n\
         listener {port} 127.0.0.1\n\
         allow_anonymous true\n\
         certfile {}\n\
         keyfile {}\n\
         cafile {}\n\
         require_certificate true\n",
        path_str(&server.chain),
        path_str(&server.key),
        path_str(&pki().root_ca())
    )
}

fn broker(lib: Lib, dir: &Path) -> (Proc, u16) {
    Proc::server(
        "mosquitto",
        |port| {
            let conf = dir.join(format!("mosquitto-{port}.conf"));
            fs::write(&conf, config(port)).expect("writing mosquitto.conf");
            let mut cmd = common::command(MOSQUITTO);
            cmd.arg("-c").arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        Some("running"),
    )
}

/// The TLS options of both clients; `with_cert` adds the client certificate.
fn tls_args(cmd: &mut std::process::Command, port: u16, with_cert: bool) {
    cmd.args(["-h", "localhost", "-p", &port.to_string(), "--cafile"])
        .arg(pki().root_ca());
    if with_cert {
        let client = pki().client();
        cmd.arg("--cert")
            .arg(client.cert)
            .arg("--key")
            .arg(client.key);
    }
}

/// Waits (up to 20 s) until the broker has logged `marker`.
fn wait_for_log(broker: &Proc, marker: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !broker.log().contains(marker) {
        assert!(
            std::time::Instant::now() < deadline,
            "the broker did not log {marker:?}:\n{}",
            broker.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Broker on `broker_lib`, clients on `client_lib`: a random payload goes from mosquitto_pub
/// through the broker to mosquitto_sub; a publisher without a certificate is refused.
fn publish_and_receive(broker_lib: Lib, client_lib: Lib) {
    let dir = TempDir::new("mosquitto");
    let (broker, port) = broker(broker_lib, dir.path());
    assert_maps(broker.pid(), broker_lib, "mosquitto");

    let topic = format!("ferrossl/{}", random_hex(6));
    let payload = random_hex(30_000);
    let payload_file = dir.join("payload.txt");
    fs::write(&payload_file, &payload).expect("writing the payload");

    let mut cmd = common::command(SUB);
    tls_args(&mut cmd, port, true);
    cmd.args(["-C", "1", "-W", "30", "-t", &topic]);
    client_lib.apply(&mut cmd);
    let sub = Proc::spawn(&mut cmd, "mosquitto_sub", false);
    // mosquitto_sub's own output is buffered until it exits: the broker's log tells when the
    // subscription is in place.
    wait_for_log(&broker, "Sending SUBACK");
    assert_maps(sub.pid(), client_lib, "mosquitto_sub");

    // The publisher goes through a gate so that its maps are checked while it is connected.
    let mut gate = Gate::new(port);
    let mut cmd = common::command(PUB);
    tls_args(&mut cmd, gate.port(), true);
    cmd.args(["-t", &topic, "-f"]).arg(&payload_file);
    client_lib.apply(&mut cmd);
    let publisher = Proc::spawn(&mut cmd, "mosquitto_pub", false);
    gate.accepted(Duration::from_secs(10));
    assert_maps(publisher.pid(), client_lib, "mosquitto_pub");
    gate.open();
    let ended = publisher.wait(Duration::from_secs(30));
    assert!(
        ended.status.success(),
        "mosquitto_pub failed ({}):\n{}\n--- broker ---\n{}",
        ended.status,
        ended.log,
        broker.log()
    );
    let received = sub.wait(Duration::from_secs(30));
    assert!(
        received.status.success(),
        "mosquitto_sub failed ({}):\n{}",
        received.status,
        common::progs::head(&received.log, 3000)
    );
    let got = received
        .log
        .lines()
        .find(|l| l.len() == payload.len())
        .unwrap_or_default();
    common::assert_same_bytes(got.as_bytes(), payload.as_bytes(), "the payload received");

    // Without a client certificate the broker refuses the connection.
    let mut cmd = common::command(PUB);
    tls_args(&mut cmd, port, false);
    cmd.args(["-t", &topic, "-m", "no certificate"]);
    client_lib.apply(&mut cmd);
    let refused =
        Proc::spawn(&mut cmd, "mosquitto_pub-no-cert", false).wait(Duration::from_secs(30));
    assert!(
        !refused.status.success(),
        "a publisher without a certificate was accepted:\n{}",
        refused.log
    );
    wait_for_log(&broker, "peer did not return a certificate");
    assert_maps(broker.pid(), broker_lib, "mosquitto after the exchange");

    let exchanged = format!(
        "a {}-byte MQTT payload published and received over TLS with client certificates; \
         a client without one refused",
        payload.len()
    );
    if broker_lib != Lib::Stock {
        common::progs::report("mosquitto (broker)", "mosquitto", broker_lib, &exchanged);
    }
    if client_lib != Lib::Stock || broker_lib == Lib::Stock {
        common::progs::report(
            "mosquitto_pub + mosquitto_sub",
            "mosquitto-clients",
            client_lib,
            &exchanged,
        );
    }
}

#[test]
fn mosquitto_broker_on_ferrossl_library_path_with_stock_clients() {
    publish_and_receive(Lib::Ours(Mode::LibraryPath), Lib::Stock);
}

#[test]
fn mosquitto_clients_on_ferrossl_library_path_with_stock_broker() {
    publish_and_receive(Lib::Stock, Lib::Ours(Mode::LibraryPath));
}

#[test]
fn mosquitto_broker_and_clients_on_ferrossl_preload() {
    publish_and_receive(Lib::Ours(Mode::Preload), Lib::Ours(Mode::Preload));
}

#[test]
fn mosquitto_on_stock() {
    publish_and_receive(Lib::Stock, Lib::Stock);
}

/// A listener with `psk_hint`: ferrossl has no PSK, so the broker reports that it cannot set
/// the hint and stops, as with an OpenSSL built without PSK; it must not crash.
#[test]
fn mosquitto_psk_listener_on_ferrossl_is_a_clean_refusal() {
    let lib = Lib::Ours(Mode::LibraryPath);
    let dir = TempDir::new("mosquitto-psk");
    let psk_file = dir.join("psk");
    fs::write(&psk_file, format!("user1:{}\n", random_hex(16))).expect("writing the PSK file");
    let port = common::free_port();
    let conf = dir.join("mosquitto.conf");
    fs::write(
        &conf,
        format!(
            "user root\n\
             per_listener_settings true\n\
             log_dest stderr\n\
             listener {port} 127.0.0.1\n\
             allow_anonymous true\n\
             psk_hint ferrossl-hint\n\
             psk_file {}\n",
            path_str(&psk_file)
        ),
    )
    .expect("writing mosquitto.conf");
    let mut cmd = common::command(MOSQUITTO);
    cmd.arg("-c").arg(&conf);
    lib.apply(&mut cmd);
    let broker = Proc::spawn(&mut cmd, "mosquitto-psk", false);
    let pid = broker.pid();
    // It maps ferrossl before it reads its configuration.
    assert_maps(pid, lib, "mosquitto (PSK listener)");
    let ended = broker.wait(Duration::from_secs(20));
    assert_eq!(
        ended.status.code(),
        Some(1),
        "mosquitto with a PSK listener ended with {} (a signal is a crash):\n{}",
        ended.status,
        ended.log
    );
    assert!(
        ended.log.contains("Unable to set TLS PSK hint"),
        "mosquitto did not report the PSK refusal:\n{}",
        ended.log
    );
    common::progs::report(
        "mosquitto (broker, PSK listener)",
        "mosquitto",
        lib,
        "psk_hint refused at startup: 'Unable to set TLS PSK hint', exit status 1, no crash",
    );
}
