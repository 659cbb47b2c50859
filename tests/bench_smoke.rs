//! `bash bench/run.sh --smoke`, the CI mode of the benchmarks (bench/README.md): every tlsbench
//! workload (full and resumed handshakes, also with a leaf + intermediate chain, bulk transfers
//! with every TLS 1.3 cipher suite, two threads on one shared SSL_CTX pair, idle connection
//! memory) runs a few iterations on OpenSSL's libssl and on ferrossl, and Debian's
//! nginx serves wrk for a second per workload on each. It fails if any handshake, resumption or
//! transfer fails or any byte differs, if ferrossl lacks a figure OpenSSL has (or X25519MLKEM768),
//! or if a run did not load the libssl it was meant to. It never asserts a time.
//!
//! The pure-rustls reference (bench/rustls-ref) runs too when it has been built already (a full
//! `make bench` builds it); building it from scratch compiles aws-lc, which would take this test
//! past its budget on a 2-core CI machine, so the smoke run skips it then and says so.

mod common;

use std::time::Duration;

#[test]
fn bench_smoke_runs_every_workload_on_both_libraries() {
    let libdir = common::libdir();
    let mut cmd = common::command("bash");
    cmd.arg("bench/run.sh")
        .arg("--smoke")
        .current_dir(common::repo_root())
        .env("FERROSSL_LIBDIR", libdir);
    let out = common::run(&mut cmd, Duration::from_secs(240));
    let stdout = out.stdout_str();
    assert_eq!(
        out.code(),
        0,
        "bench/run.sh --smoke failed\nstdout:\n{stdout}\nstderr:\n{}",
        out.stderr
    );
    // The table has a row per figure; spot-check one of each kind, with a number for both.
    for figure in [
        "hs_full_tls13_ecdsa_x25519",
        "hs_full_tls13_ecdsa_mlkem",
        "hs_full_tls12_rsa_chain",
        "hs_full_tls13_ecdsa_x25519_2threads",
        "hs_resume_tls12_sessionid",
        "bulk_chacha20_1k_s2c",
        "mem_idle_server",
        "e2e_nginx_small_close",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| `{figure}` |")))
            .unwrap_or_else(|| panic!("no row for {figure} in:\n{stdout}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | figure | unit | OpenSSL | ferrossl | ...: ferrossl must have a number.
        assert!(
            cells[4].chars().next().is_some_and(|c| c.is_ascii_digit()),
            "ferrossl has no value for {figure}: {row}"
        );
    }
    assert!(out.stderr.contains("bench: ok (smoke"), "{}", out.stderr);
}
