//! Writes the seed corpora: a ferrossl client and a ferrossl server in one process, on the
//! deterministic provider, run a full handshake, exchange a message each way and close, for
//! every client variant. The client's flights become the server target's seeds, the server's
//! the client target's, the ClientHello the client_hello target's, the sessions the session
//! target's. It checks what makes the seeds useful: both ends read the other's message, a
//! replay through the targets' own drivers reads it too, and a second recording is identical.
//!
//! `record [CORPUS_DIR]` (default: the crate's corpus/).

use std::fs;
use std::path::{Path, PathBuf};

use ferrossl_fuzz::tls::{self, Side, CLIENT_MESSAGE, SERVER_MESSAGE};
use ferrossl_fuzz::*;

struct Recording {
    client_flights: Vec<Vec<u8>>,
    server_flights: Vec<Vec<u8>>,
    sessions: Vec<Vec<u8>>,
}

/// Runs `f` with the generator at `*seed`, and keeps where it got to.
fn on<T>(seed: &mut u64, f: impl FnOnce() -> T) -> T {
    reset(*seed);
    let r = f();
    *seed = state();
    r
}

fn record(variant: usize) -> Recording {
    let (sctx, cctx) = (tls::shared_server_ctx(), tls::shared_client_ctx(variant));
    let (mut cs, mut ss) = (CLIENT_SEED, SERVER_SEED);
    let mut client = on(&mut cs, || Side::client(cctx));
    let mut server = on(&mut ss, || Side::server(sctx));
    let mut rec = Recording {
        client_flights: Vec::new(),
        server_flights: Vec::new(),
        sessions: Vec::new(),
    };
    let mut to_server = on(&mut cs, || client.step(&[], CLIENT_MESSAGE));
    for _ in 0..16 {
        let to_client = on(&mut ss, || server.step(&to_server, SERVER_MESSAGE));
        rec.client_flights.push(to_server);
        to_server = on(&mut cs, || client.step(&to_client, CLIENT_MESSAGE));
        let quiet = to_client.is_empty() && to_server.is_empty();
        rec.server_flights.push(to_client);
        if quiet {
            break;
        }
    }
    let name = CLIENT_VARIANTS[variant].0;
    assert!(client.finished() && server.finished(), "{name}: handshake");
    assert!(!client.failed && !server.failed, "{name}: an end failed");
    assert_eq!(client.read, SERVER_MESSAGE, "{name}: client read");
    assert_eq!(server.read, CLIENT_MESSAGE, "{name}: server read");
    assert!(
        client.closed && server.closed,
        "{name}: close_notify both ways"
    );
    for (side, seed) in [(&client, &mut cs), (&server, &mut ss)] {
        let der = on(seed, || session_der(side.ssl()));
        assert!(!der.is_empty(), "{name}: i2d_SSL_SESSION");
        rec.sessions.push(der);
    }
    rec
}

fn session_der(ssl: *mut SSL) -> Vec<u8> {
    let s = SSL_get1_session(ssl);
    // SAFETY: a live session (or NULL, which i2d refuses); out is large enough for the
    // length i2d reported.
    let der = unsafe {
        let len = i2d_SSL_SESSION(s, std::ptr::null_mut());
        let mut out = vec![0u8; usize::try_from(len).unwrap_or(0)];
        let mut p = out.as_mut_ptr();
        let n = i2d_SSL_SESSION(s, &mut p);
        out.truncate(usize::try_from(n).unwrap_or(0));
        out
    };
    SSL_SESSION_free(s);
    der
}

fn write(dir: &Path, target: &str, name: &str, data: &[u8]) {
    let d = dir.join(target);
    fs::create_dir_all(&d).expect("corpus directory");
    fs::write(d.join(name), data).expect("corpus file");
}

/// The config target's seeds: a flags byte (0x20: then a handshake), then lines of an operation byte and its argument
/// (fuzz_targets/config.rs).
const CONFIG_SEEDS: &[(&str, &[u8])] = &[
    (
        "lists",
        b"\x26\x00ECDHE+AESGCM:!aNULL\n\x01TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256\n\
          \x02X25519:P-256:?ffdhe2048\n\x03ed25519:ECDSA+SHA256:rsa_pss_rsae_sha256\n\
          \x06\x02h2\x08http/1.1",
    ),
    (
        "conf-file",
        b"\x2e\x04MinProtocol\tTLSv1.2\n\x04MaxProtocol\tTLSv1.3\n\
          \x04Options\t-SessionTicket,ServerPreference,PrioritizeChaCha\n\
          \x04Groups\tP-384:X25519\n\x04Ciphersuites\tTLS_AES_256_GCM_SHA384\n\
          \x04CipherString\tDEFAULT@SECLEVEL=2\n\x04SignatureAlgorithms\tECDSA+SHA384:ed25519\n\
          \x04VerifyMode\tRequest\n\x04NumTickets\t3\n\x04RecordPadding\t512",
    ),
    (
        "conf-cmdline",
        b"\x07\x04-no_ticket\n\x04-min_protocol\tTLSv1.3\n\x04-curves\tX25519\n\
          \x04-cipher\tHIGH:!aNULL:!MD5\n\x04-serverpref\n\x04-sigalgs\ted25519\n\
          \x04-legacy_renegotiation\n\x04-allow_no_dhe_kex",
    ),
    (
        "protocols",
        b"\x06\x07\x03\x03\n\x0f\x03\x04\n\x00ALL:COMPLEMENTOFALL:@STRENGTH\n\
          \x01TLS_AES_128_CCM_SHA256",
    ),
];

/// The api_calls target's seed: two connections made, handshaken through each other's BIOs,
/// a message, a session, then double frees and calls on freed handles (src/calls.rs).
const API_SEED: &[u8] = &[
    0, 0xf0, 4, // server context with the certificate: handle 0
    0, 0xf0, 2, // client context: 1
    3, 0, // SSL_new(server context): 2
    3, 1, // SSL_new(client context): 3
    6, 2, 6, 3, // memory BIOs
    7, 2, 0, 7, 3, 1, // accept, connect
    8, 3, 12, 3, 2, 8, 2, 12, 2, 3, 8, 3, 12, 3, 2, 8, 2, 12, 2, 3, 8, 3, 12, 3, 2, 8, 2, 10, 3, 5,
    b'h', b'e', b'l', b'l', b'o', 12, 3, 2, 9, 2, 1, 0, // a message
    22, 3, 0, 22, 2, 0, // queries
    13, 3, 29, 4, 31, 4, // SSL_get1_session: 4, its getters, i2d/d2i: 5
    11, 3, 12, 3, 2, 9, 2, 1, 0, // close_notify
    4, 3, 4, 3, 22, 3, 0, // SSL_free twice, then a query on the freed handle
    1, 0, 1, 0, 3, 0, // SSL_CTX_free twice, SSL_new on the freed context
    4, 0, 1, 2, 14, 2, 29, 0, // wrong kinds
    14, 4, 14, 4, 16, 2, 4, 17, 2, 1, // freed session, SSL_set_SSL_CTX
];

fn main() {
    let dir = std::env::args().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        PathBuf::from,
    );
    for (name, seed) in CONFIG_SEEDS {
        write(&dir, "config", name, seed);
    }
    write(&dir, "api_calls", "handshake", API_SEED);
    for (variant, (name, _)) in CLIENT_VARIANTS.iter().enumerate() {
        let rec = record(variant);
        let again = record(variant);
        assert!(
            rec.client_flights == again.client_flights
                && rec.server_flights == again.server_flights,
            "{name}: two recordings differ: the provider is not deterministic"
        );
        let server_seed = frame(&rec.client_flights);
        let mut client_seed = vec![variant as u8];
        client_seed.extend(frame(&rec.server_flights));
        // The targets' own drivers get past the handshake on the unmutated seeds.
        let s = tls::run_server(&server_seed);
        assert_eq!(s.read, CLIENT_MESSAGE, "{name}: replayed server read");
        let c = tls::run_client(&client_seed);
        assert_eq!(c.read, SERVER_MESSAGE, "{name}: replayed client read");
        write(&dir, "server", name, &server_seed);
        write(&dir, "client", name, &client_seed);
        write(&dir, "client_hello", name, &rec.client_flights[0]);
        write(&dir, "session", &format!("{name}-client"), &rec.sessions[0]);
        write(&dir, "session", &format!("{name}-server"), &rec.sessions[1]);
        let flights = |f: &[Vec<u8>]| f.iter().map(Vec::len).collect::<Vec<_>>();
        println!(
            "{name}: client flights {:?}, server flights {:?}, replay read {} + {} bytes",
            flights(&rec.client_flights),
            flights(&rec.server_flights),
            s.read.len(),
            c.read.len()
        );
    }
}
