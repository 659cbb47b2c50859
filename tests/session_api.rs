//! Differential test of the session functions: `tests/c/session_api.c` runs on OpenSSL's
//! libssl and on ferrossl's, and both runs must print the same lines (lines starting with `~`
//! are not compared: they carry random IDs, secrets and times, or what rustls keeps to itself).
//!
//! It covers `SSL_SESSION_set1_id`/`_id_context` and their length limits, `SSL_SESSION_print`
//! (of a session made by hand and of TLS 1.2 and 1.3 sessions from in-memory handshakes),
//! `SSL_SESSION_print_fp`/`_keylog`, the PEM functions, `SSL_CTX_add_session`,
//! `SSL_CTX_flush_sessions`, `SSL_CTX_remove_session` with the remove-session callback,
//! `SSL_set_session_id_context` and `SSL_copy_session_id`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

/// Builds `tests/c/<name>.c` against OpenSSL's headers into `target/c-tests/`.
fn build_c(name: &str) -> PathBuf {
    let dir = repo_root().join("target/c-tests");
    fs::create_dir_all(&dir).unwrap();
    let exe = dir.join(name);
    let tmp = dir.join(format!("{name}.tmp-{}", std::process::id()));
    let mut cmd = command("gcc");
    cmd.args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&tmp)
        .arg(repo_root().join(format!("tests/c/{name}.c")))
        .args(["-lssl", "-lcrypto"]);
    let out = run(&mut cmd, Duration::from_secs(120));
    assert!(out.status.success(), "gcc failed:\n{}", out.stderr);
    fs::rename(&tmp, &exe).unwrap();
    exe
}

/// The compared lines of one run (`libdir` None: OpenSSL's libssl).
fn lines(exe: &Path, args: &[String], libdir: Option<&Path>) -> Vec<String> {
    let mut cmd = command(exe);
    cmd.args(args);
    if let Some(d) = libdir {
        cmd.env("LD_LIBRARY_PATH", d);
    }
    let out = run(&mut cmd, Duration::from_secs(60));
    let text = out.stdout_str();
    assert_eq!(
        out.code(),
        0,
        "{} failed:\n{text}\n{}",
        exe.display(),
        out.stderr
    );
    text.lines()
        .filter(|l| !l.starts_with('~'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn session_functions_match_openssl() {
    let exe = build_c("session_api");
    let server = pki().server(KeyAlg::Rsa2048);
    let args = [
        path_str(&server.chain),
        path_str(&server.key),
        path_str(&pki().root_ca()),
    ];
    let stock = lines(&exe, &args, None);
    assert!(stock.last().is_some_and(|l| l == "done"), "{stock:#?}");
    let ours = lines(&exe, &args, Some(libdir()));
    for (i, (a, b)) in ours.iter().zip(&stock).enumerate() {
        assert_eq!(
            a, b,
            "line {i}: ferrossl (left) differs from OpenSSL (right)"
        );
    }
    assert_eq!(
        ours.len(),
        stock.len(),
        "ferrossl:\n{ours:#?}\nOpenSSL:\n{stock:#?}"
    );
}
