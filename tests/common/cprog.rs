//! Differential C programs: `tests/c/<name>.c` built against OpenSSL's headers and run once on
//! OpenSSL's libssl and once on the library under test, which must print the same lines.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{command, libdir, repo_root, run};

/// Builds `tests/c/<name>.c` into `target/c-tests/<name>` (written under a temporary name and
/// renamed, so that parallel tests never run a half-written file).
pub fn build_c(name: &str) -> PathBuf {
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

/// The lines `exe args` prints on `libdir`'s libssl (None: OpenSSL's), apart from those
/// starting with `~` (values that vary between runs); it must exit 0.
pub fn compared_lines(exe: &Path, args: &[String], libdir: Option<&Path>) -> Vec<String> {
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

/// Runs `exe args` on both libraries: OpenSSL's run must end with "done", and ferrossl's must
/// print the same lines (the first difference is reported by line number).
pub fn same_on_both(exe: &Path, args: &[String]) {
    let stock = compared_lines(exe, args, None);
    assert!(stock.last().is_some_and(|l| l == "done"), "{stock:#?}");
    let ours = compared_lines(exe, args, Some(libdir()));
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
