//! OpenSSL 3.5's configuration grammar on ferrossl, inside the Debian 13 root (OpenSSL 3.5.9):
//! - `tests/c/groups35.c`, a differential program (group lists and their errors, the syntax
//!   check form, the key shares and groups on the wire of in-memory handshakes, the server's
//!   tuples, SSL_CONF's new switches, Options keywords and RecordPadding, the new ctrls), run on
//!   stock 3.5 and on ferrossl with the same output required;
//! - real handshakes between Debian 13's `openssl s_client` and `s_server`, one end stock and
//!   the other on ferrossl, showing the group negotiated and whether a HelloRetryRequest
//!   happened (counted from the stock end's `-msg` trace) to be the same as between two stock
//!   ends.

use std::time::Duration;

use common::trixie::{build_c, same_on_both, On, Stage};
use common::{run, Mode};

use crate::common;

#[test]
fn grammar_matches_openssl_35() {
    let stage = Stage::new("groups35");
    let exe = build_c(&stage, "groups35");
    same_on_both(&stage, &exe, &[]);
}

const OURS: On = On::Ours(Mode::LibraryPath);

/// What one s_client connection to an s_server showed: the ClientHellos the traced end saw or
/// sent, and the server's key as the client reports it.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    client_hellos: usize,
    temp_key: String,
}

/// `s_server -groups server_groups` on `server_on` against `s_client -groups client_groups` on
/// `client_on`; `-msg` on whichever end is stock (both when both are), counting ClientHellos.
fn connect(stage: &Stage, server_on: On, server: &[&str], client_on: On, client: &[&str]) -> Seen {
    let mut args = vec!["-tls1_3", "-naccept", "1", "-www"];
    args.extend_from_slice(server);
    if server_on == On::Stock {
        args.push("-msg");
    }
    let (srv, port) = super::s_server(stage, server_on, &args);
    let mut cmd = stage.command(client_on, &[], "openssl");
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-tls1_3")
        .args(client);
    if client_on == On::Stock {
        cmd.arg("-msg");
    }
    cmd.stdin(std::process::Stdio::null());
    let out = run(&mut cmd, Duration::from_secs(30));
    let client_log = out.stdout_str();
    assert!(
        client_log.contains("Verify return code") || client_log.contains("CONNECTED"),
        "s_client failed:\n{client_log}\n{}",
        out.stderr
    );
    let mut srv = srv;
    srv.wait_for("ACCEPT", Duration::from_secs(5));
    let server_log = srv.log();
    let traced = if client_on == On::Stock {
        client_log
            .lines()
            .filter(|l| l.starts_with(">>> ") && l.ends_with("ClientHello"))
            .count()
    } else {
        server_log
            .lines()
            .filter(|l| l.starts_with("<<< ") && l.ends_with("ClientHello"))
            .count()
    };
    let temp_key = client_log
        .lines()
        .find(|l| l.starts_with("Peer Temp Key") || l.starts_with("Negotiated TLS1.3 group"))
        .unwrap_or_else(|| panic!("no temp key line:\n{client_log}\n--- server ---\n{server_log}"))
        .to_owned();
    Seen {
        client_hellos: traced,
        temp_key,
    }
}

/// The same connection with stock on both ends and with ferrossl on `ours_end`.
fn same_as_stock(server: &[&str], client: &[&str], ferrossl_serves: bool) -> Seen {
    let stage = Stage::new("groups35-cli");
    let stock = connect(&stage, On::Stock, server, On::Stock, client);
    let ours = if ferrossl_serves {
        connect(&stage, OURS, server, On::Stock, client)
    } else {
        connect(&stage, On::Stock, server, OURS, client)
    };
    assert_eq!(
        ours, stock,
        "server {server:?} client {client:?}: ferrossl (left) differs from stock 3.5"
    );
    stock
}

#[test]
fn client_key_share_and_hello_retry_against_stock_s_server() {
    // The client's key share is for its first `*` group: X25519; the server only takes P-256.
    let seen = same_as_stock(
        &["-groups", "secp256r1"],
        &["-groups", "*X25519:secp256r1"],
        false,
    );
    assert_eq!(
        seen.client_hellos, 2,
        "a HelloRetryRequest for P-256: {seen:?}"
    );
    assert!(seen.temp_key.contains("prime256v1"), "{seen:?}");
    // `*` on the second group: its share is sent first, no HelloRetryRequest.
    let seen = same_as_stock(
        &["-groups", "secp256r1"],
        &["-groups", "X25519:*secp256r1"],
        false,
    );
    assert_eq!(seen.client_hellos, 1, "{seen:?}");
    // Both defaults: the X25519MLKEM768 share, no HelloRetryRequest.
    let seen = same_as_stock(&[], &[], false);
    assert_eq!(seen.client_hellos, 1, "{seen:?}");
    assert!(seen.temp_key.contains("X25519MLKEM768"), "{seen:?}");
}

#[test]
fn server_tuples_against_stock_s_client() {
    // A key share inside the first tuple is taken at once, though the client lists X25519
    // first (rustls alone would ask for X25519).
    let seen = same_as_stock(
        &["-groups", "P-256:P-384/X25519"],
        &["-groups", "X25519:*P-384"],
        true,
    );
    assert_eq!(seen.client_hellos, 1, "{seen:?}");
    assert!(seen.temp_key.contains("secp384r1"), "{seen:?}");
    // No share in the first tuple: a HelloRetryRequest for its group the client supports,
    // although the client has a share for X25519 in the second tuple.
    let seen = same_as_stock(
        &["-groups", "P-256:P-384/X25519"],
        &["-groups", "P-256:*X25519"],
        true,
    );
    assert_eq!(seen.client_hellos, 2, "{seen:?}");
    assert!(seen.temp_key.contains("prime256v1"), "{seen:?}");
    // Server preference inside a tuple: the tuple's order, not the client's.
    let seen = same_as_stock(
        &["-groups", "P-256:P-384/X25519", "-serverpref"],
        &["-groups", "P-384:P-256:*X25519"],
        true,
    );
    assert_eq!(seen.client_hellos, 2, "{seen:?}");
    assert!(seen.temp_key.contains("prime256v1"), "{seen:?}");
    let seen = same_as_stock(
        &["-groups", "P-256:P-384/X25519"],
        &["-groups", "P-384:P-256:*X25519"],
        true,
    );
    assert!(seen.temp_key.contains("secp384r1"), "{seen:?}");
    // The built-in default: X25519MLKEM768 first, X25519 and P-256 in one tuple.
    let seen = same_as_stock(&[], &["-groups", "P-256:*X25519"], true);
    assert_eq!(seen.client_hellos, 1, "{seen:?}");
    assert!(seen.temp_key.contains("X25519"), "{seen:?}");
}
