//! Per-function differential test over the whole ABI: `tests/c/abi/` is a C program that calls
//! each of the 518 functions of OpenSSL 3.0 (node `OPENSSL_3.0.0` of `abi/libssl.exports`) once, in a realistic state (a fresh
//! `SSL_CTX`, a fresh `SSL`, both ends of in-process handshakes over BIO pairs — TLS 1.3, TLS 1.2,
//! TLS 1.3 with a client certificate — or a handshake of their own for the callbacks), and
//! prints one normalised line per function:
//!
//! `NAME ret=<value> out=<out-params> err=<0 | 1:lib/reason> rd=<SSL_get_error>`
//!
//! where `err` is the first error the call left on the queue and `rd` is what `SSL_get_error`
//! says of a non-blocking `SSL_read` made afterwards on the handshaked client. Every case runs in
//! its own forked child, so side effects stay with the case and a crash shows as a `crashed`
//! line. The program runs on the stock `libssl.so.3` and on ferrossl's (`LD_LIBRARY_PATH` =
//! [`libdir`]); the two outputs are compared function by function.
//!
//! What legitimately varies is normalised by the program (pointers to NULL/non-NULL, random
//! bytes and ids to their length, times to "recent", the libraries' default cipher lists to
//! their TLS 1.3 part, the order of keylog lines), and the handshakes' client offers fixed
//! groups, suites and signature schemes, so that negotiated values do not depend on defaults.
//!
//! A difference kept on purpose is listed in [`KNOWN_DIFFERENCES`] with its reason; the test
//! fails on any other difference, and also on a listed function that no longer differs. It
//! prints how many functions ABI.md puts in each class, and the differences by class. Both
//! outputs are kept in `target/c-tests/out/abi.{openssl,ferrossl}.txt`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{command, libdir, libssl_path, path_str, pki, repo_root, run, KeyAlg, TempDir};

/// Functions whose output differs from OpenSSL's by design, with the reason. Everything else
/// that differs is a failure.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // Absent: the case uses a feature rustls lacks, so OpenSSL's answer with the feature in use
    // differs from ferrossl's "not in use" answer.
    ("DTLS_get_data_mtu", "no DTLS in rustls"),
    ("DTLS_set_timer_cb", "no DTLS in rustls"),
    ("DTLSv1_listen", "no DTLS in rustls"),
    ("SRP_Calc_A_param", "no SRP in rustls"),
    ("SSL_CTX_SRP_CTX_free", "no SRP in rustls"),
    ("SSL_CTX_dane_clear_flags", "no DANE: no flags are kept"),
    ("SSL_dane_clear_flags", "no DANE: no flags are kept"),
    ("SSL_dane_enable", "no DANE"),
    ("SSL_dane_tlsa_add", "no DANE"),
    ("SSL_get0_dane", "no DANE state object"),
    ("SSL_CTX_get0_ctlog_store", "no Certificate Transparency"),
    ("SSL_CTX_set0_ctlog_store", "no Certificate Transparency"),
    ("SSL_get0_peer_scts", "no Certificate Transparency"),
    (
        "SSL_CTX_get_security_callback",
        "no security callback machinery",
    ),
    (
        "SSL_get_security_callback",
        "no security callback machinery",
    ),
    (
        "SSL_CTX_set0_security_ex_data",
        "no security callback machinery",
    ),
    (
        "SSL_set0_security_ex_data",
        "no security callback machinery",
    ),
    (
        "SSL_CTX_has_client_custom_ext",
        "no custom extensions in rustls",
    ),
    (
        "SSL_CTX_sessions",
        "the internal cache is not an OpenSSL LHASH",
    ),
    (
        "SSL_CTX_set_next_protos_advertised_cb",
        "no NPN in rustls (stored, never called)",
    ),
    (
        "SSL_CTX_set_post_handshake_auth",
        "no post-handshake authentication in rustls",
    ),
    (
        "SSL_CTX_set_psk_client_callback",
        "no external PSK in rustls",
    ),
    (
        "SSL_CTX_set_psk_use_session_callback",
        "no external PSK in rustls",
    ),
    (
        "SSL_set_psk_use_session_callback",
        "no external PSK in rustls",
    ),
    (
        "SSL_CTX_set_record_padding_callback_arg",
        "no record padding callbacks",
    ),
    (
        "SSL_set_record_padding_callback_arg",
        "no record padding callbacks",
    ),
    ("SSL_CTX_set_recv_max_early_data", "no 0-RTT early data"),
    ("SSL_set_recv_max_early_data", "no 0-RTT early data"),
    (
        "SSL_CTX_set_session_ticket_cb",
        "ticket application data callbacks never run",
    ),
    ("SSL_SESSION_get0_ticket", "rustls keeps tickets to itself"),
    (
        "SSL_SESSION_get_ticket_lifetime_hint",
        "rustls keeps tickets to itself",
    ),
    (
        "SSL_get_finished",
        "rustls does not expose Finished (no tls-unique)",
    ),
    (
        "SSL_get_peer_finished",
        "rustls does not expose Finished (no tls-unique)",
    ),
    (
        "SSL_get_shared_sigalgs",
        "rustls does not expose signature algorithm lists",
    ),
    (
        "SSL_get_sigalgs",
        "rustls does not expose signature algorithm lists",
    ),
    (
        "SSL_get_signature_type_nid",
        "rustls's signer picks the scheme without telling",
    ),
    ("SSL_test_functions", "OpenSSL's internal test hooks"),
    (
        "SSL_trace",
        "no message tracing (rustls does not expose messages)",
    ),
    // Implemented, with a difference kept on purpose (README "Known differences").
    (
        "PEM_read_SSL_SESSION",
        "a session written by OpenSSL holds secrets rustls cannot take",
    ),
    (
        "PEM_read_bio_SSL_SESSION",
        "a session written by OpenSSL holds secrets rustls cannot take",
    ),
    (
        "d2i_SSL_SESSION",
        "a session written by OpenSSL holds secrets rustls cannot take",
    ),
    ("SSL_CTX_set_max_early_data", "0-RTT early data is refused"),
    ("SSL_set_max_early_data", "0-RTT early data is refused"),
    (
        "SSL_CTX_set_msg_callback",
        "rustls does not expose messages: never called",
    ),
    (
        "SSL_set_msg_callback",
        "rustls does not expose messages: never called",
    ),
    (
        "SSL_SESSION_get_master_key",
        "TLS 1.3 resumption secrets stay inside rustls",
    ),
    (
        "SSL_SESSION_print_keylog",
        "TLS 1.3 resumption secrets stay inside rustls",
    ),
    (
        "SSL_ctrl",
        "extended master secret support is not reported by rustls",
    ),
    (
        "SSL_key_update",
        "rustls's KeyUpdate goes out at once; no pending type is kept",
    ),
    (
        "SSL_get1_supported_ciphers",
        "rustls's TLS 1.2 suite set differs from OpenSSL's",
    ),
    (
        "SSL_get_fd",
        "OpenSSL leaves a BIO error queued when there is no BIO; ferrossl none",
    ),
    (
        "SSL_get_rfd",
        "OpenSSL leaves a BIO error queued when there is no BIO; ferrossl none",
    ),
    (
        "SSL_get_wfd",
        "OpenSSL leaves a BIO error queued when there is no BIO; ferrossl none",
    ),
    (
        "SSL_set_rfd",
        "OpenSSL leaves a BIO error queued when there is no BIO; ferrossl none",
    ),
    (
        "SSL_set_wfd",
        "OpenSSL leaves a BIO error queued when there is no BIO; ferrossl none",
    ),
    (
        "SSL_get_peer_cert_chain",
        "open bug: a server sees no intermediates from a ferrossl client's certificate chain",
    ),
];

/// Bound on one run of the program (it bounds itself with alarm(), each case with 5 s).
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

fn out_dir() -> PathBuf {
    repo_root().join("target").join("c-tests").join("out")
}

/// Compiles the C files of `tests/c/abi/` into `dir` (no other test process shares the binary).
fn build(dir: &Path) -> PathBuf {
    let src = repo_root().join("tests/c/abi");
    let mut files: Vec<PathBuf> = fs::read_dir(&src)
        .expect("listing tests/c/abi")
        .map(|e| e.expect("reading tests/c/abi").path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    files.sort();
    let bin = dir.join("abi");
    let mut cmd = command("gcc");
    cmd.args([
        "-std=gnu11",
        "-O1",
        "-g",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-o",
    ])
    .arg(&bin)
    .args(&files)
    .args(["-lssl", "-lcrypto", "-ldl"]);
    let out = run(&mut cmd, Duration::from_secs(120));
    assert!(
        out.status.success(),
        "compiling {}:\n{}",
        src.display(),
        out.stderr
    );
    bin
}

/// The program's key=value arguments; `tmp` is the run's private directory, `shared` holds the
/// session files that the stock library writes for both runs.
fn inputs(tmp: &Path, shared: &Path) -> Vec<String> {
    let server = pki().server(KeyAlg::EcdsaP256);
    let rsa = pki().client();
    let arg = |k: &str, p: &Path| format!("{k}={}", path_str(p));
    vec![
        arg("cert", &server.cert),
        arg("key", &server.key),
        arg("chain", &server.chain),
        arg("ca", &pki().root_ca()),
        arg("rsakey", &rsa.key),
        arg("rsacert", &rsa.cert),
        arg("tmp", tmp),
        arg("sesspem", &shared.join("session.pem")),
        arg("sessder", &shared.join("session.der")),
    ]
}

/// Runs the program (on ferrossl if `ours`); returns stdout and stderr, panicking unless it
/// exited with status 0.
fn run_on(bin: &Path, args: &[String], ours: bool) -> String {
    let mut cmd = command(bin);
    cmd.args(args);
    if ours {
        cmd.env("LD_LIBRARY_PATH", libdir());
    }
    let out = run(&mut cmd, RUN_TIMEOUT);
    let text = out.stdout_str();
    let name = if ours { "ferrossl" } else { "openssl" };
    if args.first().is_none_or(|a| a != "write-session") {
        let _ = fs::create_dir_all(out_dir());
        let _ = fs::write(out_dir().join(format!("abi.{name}.txt")), &text);
    }
    assert!(
        out.status.success(),
        "the abi program failed on {name} ({:?}){}:\nstdout:\n{text}\nstderr:\n{}",
        out.status,
        if ours { "" } else { " — a test bug" },
        out.stderr
    );
    text
}

/// The library a run reports having loaded (its `~ libssl PATH` line).
fn loaded(text: &str) -> PathBuf {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("~ libssl "))
        .unwrap_or_else(|| panic!("no `~ libssl` line in:\n{text}"));
    fs::canonicalize(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// The function lines of an output, by function name; panics on a name printed twice.
fn by_function(text: &str, lib: &str) -> BTreeMap<String, String> {
    let mut lines = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('~')) {
        let name = line.split(' ').next().unwrap_or_default().to_owned();
        if let Some(old) = lines.insert(name.clone(), line.to_owned()) {
            panic!("{lib}: {name} printed twice:\n{old}\n{line}");
        }
    }
    lines
}

/// The class ABI.md gives each function (rows "| `NAME` | NODE | CLASS | where |").
fn classes() -> BTreeMap<String, String> {
    let path = repo_root().join("ABI.md");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut classes = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5 || !cells[0].is_empty() {
            continue;
        }
        if let Some(name) = cells[1].strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
            classes.insert(name.to_owned(), cells[3].to_owned());
        }
    }
    classes
}

fn exports() -> BTreeSet<String> {
    common::exports_3_0()
}

/// Checks that `lines` names exactly the exported functions.
fn check_coverage(lines: &BTreeMap<String, String>, exports: &BTreeSet<String>, lib: &str) {
    let printed: BTreeSet<String> = lines.keys().cloned().collect();
    let missing: Vec<&String> = exports.difference(&printed).collect();
    let extra: Vec<&String> = printed.difference(exports).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{lib}: the output does not name each exported function exactly once\n\
         missing: {missing:?}\nnot exported: {extra:?}"
    );
}

#[test]
fn every_libssl_function_behaves_as_openssl() {
    let exports = exports();
    assert_eq!(exports.len(), 518, "abi/libssl.exports, node OPENSSL_3.0.0");
    let classes = classes();
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &exports {
        let class = classes.get(name).map_or("(not in ABI.md)", String::as_str);
        *per_class.entry(class).or_default() += 1;
    }

    let dir = TempDir::new("abi-differential");
    let bin = build(dir.path());
    let (stock_tmp, ours_tmp) = (dir.join("openssl"), dir.join("ferrossl"));
    fs::create_dir_all(&stock_tmp).unwrap();
    fs::create_dir_all(&ours_tmp).unwrap();
    let mut write = vec!["write-session".to_owned()];
    write.extend(inputs(&stock_tmp, dir.path()));
    run_on(&bin, &write, false);
    let stock = run_on(&bin, &inputs(&stock_tmp, dir.path()), false);
    let ours = run_on(&bin, &inputs(&ours_tmp, dir.path()), true);

    let ferrossl = libssl_path().canonicalize().unwrap();
    assert_ne!(loaded(&stock), ferrossl, "the stock run loaded ferrossl");
    assert_eq!(
        loaded(&ours),
        ferrossl,
        "the ferrossl run did not load ferrossl"
    );

    let (a, b) = (
        by_function(&stock, "openssl"),
        by_function(&ours, "ferrossl"),
    );
    check_coverage(&a, &exports, "openssl");
    check_coverage(&b, &exports, "ferrossl");
    let crashed: Vec<&String> = a.values().filter(|l| l.contains(" crashed ")).collect();
    assert!(
        crashed.is_empty(),
        "cases crash on stock OpenSSL (test bugs): {crashed:?}"
    );

    let known: BTreeMap<&str, &str> = KNOWN_DIFFERENCES.iter().copied().collect();
    assert_eq!(
        known.len(),
        KNOWN_DIFFERENCES.len(),
        "KNOWN_DIFFERENCES lists a name twice"
    );
    for name in known.keys() {
        assert!(
            exports.contains(*name),
            "KNOWN_DIFFERENCES names {name}, not an export"
        );
    }
    // Differences by class: (function, OpenSSL's line, ferrossl's line).
    let mut unexpected: BTreeMap<&str, Vec<(&str, &str, &str)>> = BTreeMap::new();
    let mut expected = 0;
    for (name, line) in &a {
        let other = &b[name];
        if line == other {
            continue;
        }
        if known.contains_key(name.as_str()) {
            expected += 1;
            continue;
        }
        let class = classes.get(name).map_or("(not in ABI.md)", String::as_str);
        // A refused function differs by design: README lists each with the reason (and
        // tests/classes_differential.rs checks that it queues exactly one error).
        if class == "refused" {
            expected += 1;
            continue;
        }
        unexpected
            .entry(class)
            .or_default()
            .push((name, line, other));
    }
    let stale: Vec<&str> = known.keys().copied().filter(|n| a[*n] == b[*n]).collect();

    let mut report = String::from("functions per class (ABI.md):");
    for (class, n) in &per_class {
        report.push_str(&format!(" {class}={n}"));
    }
    report.push_str("\nunexpected differences per class:");
    for class in per_class.keys() {
        let n = unexpected.get(class).map_or(0, Vec::len);
        report.push_str(&format!(" {class}={n}"));
    }
    let total: usize = unexpected.values().map(Vec::len).sum();
    report.push_str(&format!(
        "\n{} functions compared: {} identical, {expected} known differences, {total} unexpected",
        a.len(),
        a.len() - expected - total
    ));
    for (class, diffs) in &unexpected {
        report.push_str(&format!(
            "\n\n{} unexpected differences in class {class}:",
            diffs.len()
        ));
        for (name, line, other) in diffs {
            report.push_str(&format!("\n{name}\n  - {line}\n  + {other}"));
        }
    }
    if !stale.is_empty() {
        report.push_str(&format!(
            "\n\nKNOWN_DIFFERENCES lists functions that no longer differ (remove them): {stale:?}"
        ));
    }
    if total == 0 && stale.is_empty() {
        eprintln!("{report}");
    }
    assert!(
        total == 0 && stale.is_empty(),
        "{report}\n\n(- OpenSSL, + ferrossl; outputs in {})",
        out_dir().display()
    );
}
