//! OpenSSL 3.5's certificate compression (RFC 8879) and raw public keys (RFC 7250) on Debian 13:
//! the differential program `tests/c/certcomp35.c` (setters, getters, the compressed form,
//! in-memory handshakes) on Debian 13's libssl and on ferrossl's, and Debian 13's own
//! `openssl s_client`/`s_server` on ferrossl against the stock ones, both ways, with `-trace`
//! (on the stock side) showing what went on the wire.

use std::process::{Command, Stdio};
use std::time::Duration;

use common::progs::Proc;
use common::trixie::{self, On, Stage};
use common::{pki, KeyAlg, Mode};

use crate::common;

const OURS: On = On::Ours(Mode::LibraryPath);

#[test]
fn setters_getters_and_handshakes_match_openssl_35() {
    let stage = Stage::new("certcomp35");
    let exe = trixie::build_c(&stage, "certcomp35");
    let server = pki().server(KeyAlg::EcdsaP256);
    let chain = stage.copy_in(&server.chain);
    let key = stage.copy_in(&server.key);
    trixie::same_on_both(&stage, &exe, &[&chain, &key]);
}

/// The stage's copies of the ECDSA server certificate, its intermediate and key, the root
/// CA, and the client's certificate and key.
struct Files {
    cert: String,
    intermediate: String,
    key: String,
    ca: String,
    client_cert: String,
    client_key: String,
}

fn files(stage: &Stage) -> Files {
    let server = pki().server(KeyAlg::EcdsaP256);
    let client = pki().client();
    Files {
        cert: stage.copy_in(&server.cert),
        intermediate: stage.copy_in(&pki().intermediate_ca()),
        key: stage.copy_in(&server.key),
        ca: stage.copy_in(&pki().root_ca()),
        client_cert: stage.copy_in(&client.cert),
        client_key: stage.copy_in(&client.key),
    }
}

/// `openssl s_server -naccept 1 -www` on `on` with `extra` arguments; returns it and its port.
fn s_server(stage: &Stage, on: On, f: &Files, extra: &[&str]) -> (Proc, u16) {
    Proc::server(
        "s_server",
        |port| {
            let mut cmd = stage.command(on, &[], "openssl");
            cmd.args(["s_server", "-naccept", "1", "-www", "-accept"])
                .arg(format!("127.0.0.1:{port}"))
                .args([
                    "-cert",
                    &f.cert,
                    "-key",
                    &f.key,
                    "-cert_chain",
                    &f.intermediate,
                ])
                .args(extra)
                .stdin(Stdio::null());
            cmd
        },
        None,
    )
}

/// `openssl s_client` on `on` against `port`, trusting the test root, standard input closed
/// (it leaves after the handshake); its output (stdout and stderr).
fn s_client(stage: &Stage, on: On, f: &Files, port: u16, extra: &[&str]) -> String {
    let mut cmd: Command = stage.command(on, &[], "openssl");
    cmd.args(["s_client", "-CAfile", &f.ca, "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .args(extra)
        .stdin(Stdio::null());
    let out = common::run(&mut cmd, Duration::from_secs(30));
    format!("{}\n{}", out.stdout_str(), out.stderr)
}

/// The server's log once it has served its one connection.
fn finished(server: Proc) -> String {
    server.wait(Duration::from_secs(30)).log
}

/// A trace's compressed certificate messages (what OpenSSL's `-trace` prints for each).
fn compressed(trace: &str) -> usize {
    trace.matches("CompressedCertificate, Length=").count()
}

#[test]
fn ferrossl_server_sends_compressed_certificates_only_after_compress_certs() {
    let stage = Stage::new("certcomp35-srv");
    let f = files(&stage);
    // -cert_comp: SSL_CTX_compress_certs(ctx, 0); Debian's client offers zlib and zstd.
    let (server, port) = s_server(&stage, OURS, &f, &["-cert_comp"]);
    let trace = s_client(&stage, On::Stock, &f, port, &["-trace"]);
    finished(server);
    assert_eq!(compressed(&trace), 1, "{trace}");
    assert!(trace.contains("Compression type=zlib (0x0001)"), "{trace}");
    assert!(trace.contains("Verify return code: 0 (ok)"), "{trace}");
    // Without it, as OpenSSL: the extension is read but the certificate goes uncompressed.
    let (server, port) = s_server(&stage, OURS, &f, &[]);
    let trace = s_client(&stage, On::Stock, &f, port, &["-trace"]);
    finished(server);
    assert_eq!(compressed(&trace), 0, "{trace}");
    assert!(trace.contains("Verify return code: 0 (ok)"), "{trace}");
}

#[test]
fn ferrossl_client_offers_and_accepts_compressed_certificates() {
    let stage = Stage::new("certcomp35-cli");
    let f = files(&stage);
    let (server, port) = s_server(&stage, On::Stock, &f, &["-cert_comp", "-trace"]);
    let out = s_client(&stage, OURS, &f, port, &[]);
    let trace = finished(server);
    assert!(out.contains("Protocol: TLSv1.3"), "{out}");
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
    // Our ClientHello offers brotli then zlib (OpenSSL's default order, this build's
    // algorithms); the server answers with a zlib-compressed certificate, which we inflated.
    assert!(
        trace.contains(
            "compress_certificate(27), length=5\n          brotli (2)\n          zlib (1)"
        ),
        "{trace}"
    );
    assert_eq!(compressed(&trace), 1, "{trace}");
}

#[test]
fn client_certificates_are_compressed_both_ways() {
    let stage = Stage::new("certcomp35-auth");
    let f = files(&stage);
    let auth = ["-cert", &f.client_cert, "-key", &f.client_key];
    // Stock server asking for a certificate (its CertificateRequest offers zlib, zstd): our
    // client sends its certificate compressed.
    let (server, port) = s_server(&stage, On::Stock, &f, &["-verify", "1", "-trace"]);
    let out = s_client(&stage, OURS, &f, port, &auth);
    let trace = finished(server);
    assert!(out.contains("Protocol: TLSv1.3"), "{out}");
    assert_eq!(compressed(&trace), 1, "{trace}");
    assert!(trace.contains("Compression type=zlib (0x0001)"), "{trace}");
    // Our server asking: its CertificateRequest offers brotli and zlib, the stock client
    // compresses its certificate with zlib.
    let (server, port) = s_server(&stage, OURS, &f, &["-verify", "1"]);
    let mut args = vec!["-trace"];
    args.extend(auth);
    let trace = s_client(&stage, On::Stock, &f, port, &args);
    finished(server);
    assert_eq!(compressed(&trace), 1, "{trace}");
    assert!(trace.contains("Protocol: TLSv1.3"), "{trace}");
}

/// What `s_client`/`s_server` print about a raw key (`-enable_*_rpk`).
const SERVER_RPK: &str = "Server-to-client raw public key negotiated";
const CLIENT_RPK: &str = "Client-to-server raw public key negotiated";
const UNTRUSTED: &str =
    "Verify return code: 95 (Raw public key untrusted, no trusted keys configured)";

#[test]
fn server_raw_public_keys_both_ways() {
    let stage = Stage::new("certcomp35-rpk");
    let f = files(&stage);
    for (server_on, client_on) in [(On::Stock, OURS), (OURS, On::Stock)] {
        let (server, port) = s_server(&stage, server_on, &f, &["-enable_server_rpk"]);
        let out = s_client(&stage, client_on, &f, port, &["-enable_server_rpk"]);
        finished(server);
        assert!(out.contains(SERVER_RPK), "{server_on:?} server:\n{out}");
        assert!(
            out.contains("Server raw public key\n  Public-Key: (256 bit)"),
            "{out}"
        );
        assert!(out.contains("no peer certificate available"), "{out}");
        assert!(out.contains(UNTRUSTED), "{out}");
        // A client that does not ask gets the certificate from the same server (its list is
        // rpk, x509).
        let (server, port) = s_server(&stage, server_on, &f, &["-enable_server_rpk"]);
        let out = s_client(&stage, client_on, &f, port, &[]);
        finished(server);
        assert!(!out.contains(SERVER_RPK), "{out}");
        assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
    }
}

#[test]
fn client_raw_public_keys_both_ways() {
    let stage = Stage::new("certcomp35-crpk");
    let f = files(&stage);
    for (server_on, client_on) in [(On::Stock, OURS), (OURS, On::Stock)] {
        let (server, port) = s_server(
            &stage,
            server_on,
            &f,
            &["-enable_client_rpk", "-verify", "1"],
        );
        let out = s_client(
            &stage,
            client_on,
            &f,
            port,
            &[
                "-enable_client_rpk",
                "-cert",
                &f.client_cert,
                "-key",
                &f.client_key,
            ],
        );
        let log = finished(server);
        assert!(out.contains(CLIENT_RPK), "{server_on:?} server:\n{out}");
        assert!(out.contains("Protocol: TLSv1.3"), "{out}");
        // The server's verify callback saw the raw key, untrusted, and let it through.
        assert!(
            log.contains("depth=0 <no cert>\nverify error:num=95:Raw public key untrusted"),
            "{log}"
        );
    }
}
