//! Eight threads, one shared server `SSL_CTX` and one shared client `SSL_CTX`, 10,000 handshakes
//! (TLS 1.2 and 1.3, tickets and session IDs, resumption, client certificates) with callbacks
//! that call back into the API: `tests/c/callback_stress.c`, with both ends on the library
//! under test. The program checks what holds on any correct library (every handshake and echo
//! succeeds, each callback finds its own SSL's ex_data, the remove callback only sees cached
//! sessions, "alt" connections get the second context's certificate) and prints its callback
//! counts, which depend only on the library's behaviour; the test runs it on the stock
//! `libssl.so.3` too and requires the same counts.
//!
//! Both outputs are kept in `target/c-tests/out/callback_stress.<lib>.txt`.

mod common;

use common::*;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::time::Duration;

/// Bound on one run (the program gives up after 240 s, printing how far each thread got, and
/// has `alarm(260)` as a backstop): generous for 10,000 handshakes on a loaded two-core
/// machine, where OpenSSL needs 20-60 s.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

fn build() -> PathBuf {
    let dir = repo_root().join("target").join("c-tests");
    fs::create_dir_all(&dir).expect("creating target/c-tests");
    let bin = dir.join("callback_stress");
    let src = repo_root().join("tests/c/callback_stress.c");
    let mut cmd = command("gcc");
    cmd.args([
        "-std=gnu11",
        "-O1",
        "-g",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pthread",
        "-o",
    ])
    .arg(&bin)
    .arg(&src)
    .args(["-lssl", "-lcrypto"]);
    let out = run(&mut cmd, Duration::from_secs(120));
    assert!(
        out.status.success(),
        "compiling {}:\n{}",
        src.display(),
        out.stderr
    );
    bin
}

/// Runs the program on OpenSSL (`libdir` None) or ferrossl; returns (stdout + exit line, stderr).
fn stress(bin: &PathBuf, libdir: Option<&std::path::Path>) -> (String, String) {
    let pki = pki();
    let (main, alt, client) = (
        pki.server(KeyAlg::EcdsaP256),
        pki.server(KeyAlg::Rsa2048),
        pki.client(),
    );
    let mut cmd = command(bin);
    cmd.arg(&main.chain)
        .arg(&main.key)
        .arg(&alt.chain)
        .arg(&alt.key)
        .arg(&client.chain)
        .arg(&client.key)
        .arg(pki.root_ca());
    if let Some(dir) = libdir {
        cmd.env("LD_LIBRARY_PATH", dir);
    }
    let out = run(&mut cmd, RUN_TIMEOUT);
    let mut text = out.stdout_str();
    match (out.status.code(), out.status.signal()) {
        (Some(code), _) => text.push_str(&format!("exit status {code}\n")),
        (None, Some(14)) => text.push_str("killed by SIGALRM: the run did not finish in time\n"),
        (None, sig) => text.push_str(&format!("killed by signal {sig:?}\n")),
    }
    let name = if libdir.is_some() {
        "ferrossl"
    } else {
        "openssl"
    };
    let dir = repo_root().join("target/c-tests/out");
    let _ = fs::create_dir_all(&dir);
    let _ = fs::write(dir.join(format!("callback_stress.{name}.txt")), &text);
    (text, out.stderr)
}

/// The lines that must match: the counts (not the `~elapsed` line).
fn counts(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('~') && !known(l))
        .collect()
}

/// Counts that differ from OpenSSL's on purpose (README lists them): how many sessions a
/// handshake makes follows rustls's ticket policy, not OpenSSL's (rustls sends its tickets and
/// stores its TLS 1.2 sessions where OpenSSL does not, and a TLS 1.3 session is used once), so
/// the new-session and resumption counts, and the explicit removals the program makes of the
/// sessions it got, differ. Everything that shows correctness still must match: handshakes,
/// echoes, ex_data, SSL_is_server inside callbacks, context switches, uncached removals.
const KNOWN_DIFFERENT_COUNTS: &[&str] = &[
    "client_new",
    "server_new",
    "resumed",
    "full",
    "offered",
    "client_verify",
    "server_verify",
    "explicit_removes",
    "remove_returned_1",
    "removes_cached",
];

fn known(line: &str) -> bool {
    let last = line.rsplit(' ').next().unwrap_or(line);
    let Some((name, _)) = last.split_once('=') else {
        return false;
    };
    KNOWN_DIFFERENT_COUNTS.contains(&name)
}

#[test]
fn eight_threads_share_contexts_with_reentrant_callbacks() {
    let bin = build();
    let (theirs, their_err) = stress(&bin, None);
    assert!(
        theirs.ends_with("failures=0\nexit status 0\n"),
        "the stress program fails on the stock OpenSSL (a test bug):\n{theirs}\n{their_err}"
    );
    // The counts prove the callbacks ran: resumption, switching, explicit removal.
    for needed in [
        "total handshakes=10000",
        "total switched=5000",
        "total removes_uncached=0",
    ] {
        assert!(
            theirs.lines().any(|l| l == needed),
            "OpenSSL: no {needed:?}:\n{theirs}"
        );
    }
    assert!(
        !theirs.contains("total resumed=0\n") && !theirs.contains("total explicit_removes=0\n"),
        "OpenSSL: no resumption or no removal:\n{theirs}"
    );

    let (ours, our_err) = stress(&bin, Some(libdir()));
    let err: String = our_err.chars().take(4000).collect();
    assert!(
        ours.ends_with("failures=0\nexit status 0\n"),
        "the stress program fails on ferrossl:\n{ours}\nstderr:\n{err}"
    );
    let (want, got) = (counts(&theirs), counts(&ours));
    let differing: Vec<String> = want
        .iter()
        .zip(&got)
        .filter(|(w, g)| w != g)
        .map(|(w, g)| format!("OpenSSL: {w}\nferrossl: {g}"))
        .collect();
    assert!(
        differing.is_empty() && want.len() == got.len(),
        "ferrossl's callback counts differ from OpenSSL's:\n{}",
        differing.join("\n")
    );
}
