//! Differential test of peer-certificate verification: tests/c/verify_diff.c makes one
//! connection (or several with one SSL_CTX) per case and prints what verification left behind
//! (handshake result, the queued reason code, SSL_get_verify_result, SSL_get0_peername, the
//! verified and the peer chains, the peer certificate); it runs on OpenSSL's libssl and on
//! ferrossl's, with SSL_VERIFY_PEER and with SSL_VERIFY_NONE, and both must print the same.
//!
//! The peers are stock `openssl s_server` processes (one per distinct chain) and, for the
//! cases where the C program verifies a client, `openssl s_client` started by it. The PKI
//! (verify_differential/pki.rs) is made at test time. Each case names the X509_V_ERR code
//! OpenSSL must give, so that a PKI that no longer means what the case says fails the test, and
//! the corpus must cover successes and at least 15 distinct error codes.

mod common;

#[path = "verify_differential/cases.rs"]
mod cases;
#[path = "verify_differential/connections.rs"]
mod connections;
#[path = "verify_differential/known.rs"]
mod known;
#[path = "verify_differential/pki.rs"]
mod pki;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::thread;
use std::time::Instant;

use cases::{Case, ClientCert, Peer};
use common::cprog::{build_c, compared_lines};
use common::{libdir, path_str, pki as harness_pki, KeyAlg, Server, TempDir, OPENSSL};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Peer,
    None,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Peer => "peer",
            Mode::None => "none",
        }
    }
}

/// The s_server of each distinct chain, started once.
fn start_servers(dir: &Path) -> BTreeMap<Peer, Server> {
    let peers: BTreeSet<Peer> = cases::all()
        .map(|c| c.peer)
        .filter(|p| matches!(p, Peer::Server { .. }))
        .collect();
    let start = |peer: Peer| {
        let Peer::Server { cert, chain } = peer else {
            unreachable!("filtered above")
        };
        let mut args = vec![
            "-cert".to_owned(),
            path_str(&dir.join(format!("{cert}.pem"))),
            "-key".to_owned(),
            path_str(&dir.join(format!("key-{}.pem", pki::key_of(cert)))),
            // The server's own level must not refuse the weak leaves; the client's decides.
            "-cipher".to_owned(),
            "DEFAULT:@SECLEVEL=0".to_owned(),
            // No stdin reading (s_server stops at its EOF).
            "-WWW".to_owned(),
        ];
        if !chain.is_empty() {
            let file = dir.join(format!("served-{cert}-{}.pem", chain.join("-")));
            let pem: String = chain
                .iter()
                .map(|c| fs::read_to_string(dir.join(format!("{c}.pem"))).unwrap())
                .collect();
            fs::write(&file, pem).unwrap();
            args.extend(["-cert_chain".to_owned(), path_str(&file)]);
        }
        (peer, Server::s_server(&args))
    };
    // On this thread: a child gets SIGTERM when the thread that started it ends.
    peers.into_iter().map(start).collect()
}

/// The C program's arguments for `case` in `mode`.
fn arguments(case: &Case, mode: Mode, dir: &Path, servers: &BTreeMap<Peer, Server>) -> Vec<String> {
    let mut fail_if_no_cert = false;
    let mut args: Vec<String> = Vec::new();
    for a in case.args {
        match *a {
            "--fail-if-no-peer-cert" => fail_if_no_cert = true,
            a => match a.strip_prefix('@') {
                Some(file) => args.push(path_str(&dir.join(file))),
                None => args.push(a.to_owned()),
            },
        }
    }
    let mode_arg = match mode {
        Mode::Peer if fail_if_no_cert => "peer-fail",
        m => m.name(),
    };
    args.extend(["--mode".to_owned(), mode_arg.to_owned()]);
    match case.peer {
        Peer::Server { .. } => {
            args.extend([
                "--connect".to_owned(),
                servers[&case.peer].port().to_string(),
            ]);
        }
        Peer::Client(client) => {
            let p = harness_pki();
            let ours = p.server(KeyAlg::EcdsaP256);
            args.extend([
                "--cert".to_owned(),
                path_str(&ours.chain),
                "--key".to_owned(),
                path_str(&ours.key),
                "--cafile".to_owned(),
                path_str(&p.root_ca()),
                "--accept".to_owned(),
                "--".to_owned(),
                OPENSSL.to_owned(),
                "s_client".to_owned(),
                "-connect".to_owned(),
                "127.0.0.1:{port}".to_owned(),
            ]);
            let presented = match client {
                ClientCert::Valid => Some(p.client()),
                ClientCert::ServerAuthOnly => Some(p.server(KeyAlg::EcdsaP256)),
                ClientCert::Untrusted => Some(p.untrusted_server()),
                ClientCert::None => None,
            };
            if let Some(cert) = presented {
                args.extend(cert.s_server_args());
            }
        }
    }
    args
}

/// The verify results and handshake verdicts of a run's connection blocks.
fn results(lines: &[String]) -> Vec<(i64, bool)> {
    let mut out = Vec::new();
    let mut ok = false;
    for l in lines {
        if l.starts_with("handshake ") {
            ok = l.starts_with("handshake ok");
        }
        if let Some(rest) = l.strip_prefix("verify result: ") {
            let code = rest.split(' ').next().and_then(|n| n.parse().ok());
            out.push((code.unwrap_or_else(|| panic!("bad line {l}")), ok));
        }
    }
    out
}

/// Checks that OpenSSL gave what the case says; returns the problems found.
fn check_stock(case: &Case, mode: Mode, stock: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let got = results(stock);
    let expected_codes: Vec<i64> = match (case.peer, mode) {
        // A server with SSL_VERIFY_NONE asks for no certificate: nothing to verify.
        (Peer::Client(_), Mode::None) => vec![0; case.codes.len()],
        _ => case.codes.to_vec(),
    };
    let codes: Vec<i64> = got.iter().map(|r| r.0).collect();
    if codes != expected_codes {
        problems.push(format!(
            "OpenSSL gave codes {codes:?}, the case expects {expected_codes:?}"
        ));
    }
    for (i, (code, ok)) in got.iter().enumerate() {
        let expected_ok = match mode {
            Mode::None => true,
            Mode::Peer => case.handshake.unwrap_or(*code == 0),
        };
        if *ok != expected_ok {
            problems.push(format!("OpenSSL connection {}: handshake ok = {ok}", i + 1));
        }
    }
    if stock.last().map(String::as_str) != Some("done") {
        problems.push("OpenSSL's run did not end with done".to_owned());
    }
    if !problems.is_empty() {
        problems.push(format!("OpenSSL printed:\n    {}", stock.join("\n    ")));
    }
    problems
}

#[test]
fn peer_verification_matches_openssl() {
    let started = Instant::now();
    let exe = build_c("verify_diff");
    let dir = TempDir::new("verify-diff");
    pki::generate(dir.path());
    let generated = started.elapsed();
    let servers = start_servers(dir.path());
    println!(
        "PKI made in {:.1} s, {} servers started in {:.1} s",
        generated.as_secs_f64(),
        servers.len(),
        (started.elapsed() - generated).as_secs_f64()
    );
    let mut failures = Vec::new();
    let mut known_seen = BTreeSet::new();
    let mut codes_seen = BTreeSet::new();
    for case in cases::all() {
        let mut verdicts = Vec::new();
        for mode in [Mode::Peer, Mode::None] {
            let args = arguments(case, mode, dir.path(), &servers);
            // The two runs at once (each talks to its own connection of the server).
            let (stock, ours) = thread::scope(|t| {
                let ours = t.spawn(|| compared_lines(&exe, &args, Some(libdir())));
                let stock = compared_lines(&exe, &args, None);
                (stock, ours.join().expect("the ferrossl run panicked"))
            });
            let mut problems = check_stock(case, mode, &stock);
            codes_seen.extend(results(&stock).iter().map(|r| r.0));
            let verdict = match known::compare(case.name, mode.name(), &stock, &ours) {
                known::Verdict::Same => "same".to_owned(),
                known::Verdict::Known(seen, label) => {
                    known_seen.extend(seen);
                    format!("known [{label}]")
                }
                known::Verdict::Differs(report) => {
                    problems.push(report);
                    "DIFFERS".to_owned()
                }
            };
            if !problems.is_empty() {
                failures.push(format!(
                    "{} ({}):\n  {}",
                    case.name,
                    mode.name(),
                    problems.join("\n  ")
                ));
            }
            verdicts.push(format!("{}: {verdict}", mode.name()));
        }
        println!(
            "{:<42} expects {:<10} {}",
            case.name,
            format!("{:?}", case.codes),
            verdicts.join(", ")
        );
    }
    drop(servers);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let stale: Vec<String> = known::all()
        .into_iter()
        .filter(|k| !known_seen.contains(k))
        .collect();
    assert!(
        stale.is_empty(),
        "known differences no longer seen (remove them from known.rs): {stale:?}"
    );
    let errors: BTreeSet<i64> = codes_seen.iter().copied().filter(|&c| c != 0).collect();
    assert!(codes_seen.contains(&0), "no case verifies");
    assert!(
        errors.len() >= 15,
        "only {} distinct error codes: {errors:?}",
        errors.len()
    );
    println!(
        "{} cases, error codes {errors:?}, {:.1} s",
        cases::all().count(),
        started.elapsed().as_secs_f64()
    );
}
