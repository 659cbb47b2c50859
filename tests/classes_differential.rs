//! The absent and refused functions against OpenSSL 3.0: `tests/c/classes.c` calls them on a
//! fresh `SSL_CTX`, `SSL` and `SSL_SESSION` and on both ends of in-memory TLS 1.3 and TLS 1.2
//! connections, printing each result, out-parameter and queued error. It runs on the stock
//! `libssl.so.3` and on ferrossl; the outputs must be identical apart from lines starting with
//! `~`, the known differences, each giving its reason. A known difference that is a refusal
//! must, on ferrossl, queue exactly one error. Outputs are kept in
//! `target/c-tests/out/classes.{openssl,ferrossl}.txt`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{command, libdir, libssl_path, repo_root, run, TempDir};

fn build(dir: &Path) -> PathBuf {
    let src = repo_root().join("tests/c/classes.c");
    let bin = dir.join("classes");
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
    .arg(&src)
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

/// A configuration file with two `ssl_conf` sections for `SSL_CTX_config`/`SSL_config`: "good"
/// (every command valid) and "bad" (an unknown command).
fn config_file(dir: &Path) -> PathBuf {
    let path = dir.join("openssl.cnf");
    fs::write(
        &path,
        "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\ngood = good_sect\n\
         bad = bad_sect\n[good_sect]\nMinProtocol = TLSv1.3\nOptions = -SessionTicket\n\
         [bad_sect]\nMinProtocol = TLSv1.2\nNoSuchCommand = 1\n",
    )
    .unwrap();
    path
}

fn run_on(bin: &Path, conf: &Path, ours: bool) -> String {
    let mut cmd = command(bin);
    cmd.env("OPENSSL_CONF", conf);
    if ours {
        cmd.env("LD_LIBRARY_PATH", libdir());
    }
    let out = run(&mut cmd, Duration::from_secs(60));
    let mut text = out.stdout_str();
    match out.status.code() {
        Some(code) => text.push_str(&format!("exit status {code}\n")),
        None => text.push_str(&format!(
            "killed: {:?}\nstderr:\n{}\n",
            out.status, out.stderr
        )),
    }
    text
}

fn loaded(text: &str) -> PathBuf {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("~ libssl "))
        .unwrap_or_else(|| panic!("no `~ libssl` line in:\n{text}"));
    fs::canonicalize(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

#[test]
fn absent_and_refused_functions_answer_as_openssl() {
    let dir = TempDir::new("classes-differential");
    let bin = build(dir.path());
    let conf = config_file(dir.path());
    let stock = run_on(&bin, &conf, false);
    let ours = run_on(&bin, &conf, true);
    let keep = repo_root().join("target/c-tests/out");
    let _ = fs::create_dir_all(&keep);
    let _ = fs::write(keep.join("classes.openssl.txt"), &stock);
    let _ = fs::write(keep.join("classes.ferrossl.txt"), &ours);

    assert!(
        stock.ends_with("done\nexit status 0\n"),
        "the program failed on stock OpenSSL (a test bug):\n{stock}"
    );
    let ferrossl = libssl_path().canonicalize().unwrap();
    assert_ne!(loaded(&stock), ferrossl, "the stock run loaded ferrossl");
    assert_eq!(
        loaded(&ours),
        ferrossl,
        "the ferrossl run did not load ferrossl"
    );

    let compared = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('~'))
            .map(String::from)
            .collect()
    };
    let (a, b) = (compared(&stock), compared(&ours));
    let first = a.iter().zip(&b).position(|(x, y)| x != y);
    if first.is_some() || a.len() != b.len() {
        let at = first.unwrap_or(a.len().min(b.len()));
        let from = at.saturating_sub(5);
        panic!(
            "outputs differ at compared line {}:\n--- OpenSSL\n{}\n--- ferrossl\n{}\n\
             (full outputs in {})",
            at + 1,
            a[from..(at + 5).min(a.len())].join("\n"),
            b[from..(at + 5).min(b.len())].join("\n"),
            keep.display()
        );
    }
    assert!(a.len() > 250, "only {} lines compared", a.len());
    assert!(a
        .iter()
        .any(|l| l.contains("SSL_get_key_update_type(s)") && l.contains("= -1 | no error")));

    // Each refusal queues exactly one error (with the failure value, compared by hand in ABI.md).
    let refusals: Vec<&str> = ours
        .lines()
        .filter(|l| l.ends_with("-- refused by ferrossl"))
        .collect();
    assert!(refusals.len() > 40, "only {} refusals", refusals.len());
    for l in refusals {
        assert_eq!(
            l.matches(" [SSL routines: ").count(),
            1,
            "not exactly one error: {l}"
        );
        assert_eq!(l.matches(" [").count(), 1, "not exactly one error: {l}");
    }
}
