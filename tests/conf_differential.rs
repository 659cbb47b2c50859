//! `SSL_CONF_*` differential: `tests/c/conf.c` makes a fixed list of `SSL_CONF_cmd` calls
//! (configuration-file and command-line names, prefixes, flag sets, nothing/an `SSL_CTX`/an `SSL`
//! attached, `SSL_CONF_cmd_argv`, `SSL_CONF_CTX_finish`) and prints each return value, the
//! errors `SSL_CONF_cmd` queues with their data, and what changed in the context (option bits,
//! protocol bounds, verify mode, ticket count, enabled suites, key). It runs on the stock
//! `libssl.so.3` and on ferrossl (`LD_LIBRARY_PATH`); both outputs must be identical apart from
//! lines starting with `~` (which libssl was loaded, how many errors the underlying setters and
//! libcrypto queued). Outputs are kept in `target/c-tests/out/conf.{openssl,ferrossl}.txt`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{command, libdir, libssl_path, path_str, pki, repo_root, run, KeyAlg, TempDir};

fn out_dir() -> PathBuf {
    repo_root().join("target").join("c-tests")
}

/// Compiles `tests/c/conf.c` into a fresh directory (no other test process shares the binary).
fn build(dir: &Path) -> PathBuf {
    let src = repo_root().join("tests/c/conf.c");
    let bin = dir.join("conf");
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

/// The program's arguments: certificate, key, a file holding both, CA file, CA directory, DH
/// parameters.
fn inputs(dir: &Path) -> Vec<String> {
    let server = pki().server(KeyAlg::Rsa2048);
    let both = dir.join("cert-and-key.pem");
    let mut pem = fs::read(&server.cert).expect("reading the server certificate");
    pem.extend(fs::read(&server.key).expect("reading the server key"));
    fs::write(&both, pem).unwrap();
    let ca_dir = dir.join("ca-dir");
    fs::create_dir_all(&ca_dir).unwrap();
    fs::copy(pki().root_ca(), ca_dir.join("root-ca.pem")).unwrap();
    let dh = dir.join("dh.pem");
    common::openssl(
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
            &path_str(&dh),
        ],
        dir,
    );
    [
        server.cert.as_path(),
        server.key.as_path(),
        &both,
        &pki().root_ca(),
        &ca_dir,
        &dh,
    ]
    .iter()
    .map(|p| path_str(p))
    .collect()
}

/// Runs the program on stock OpenSSL (`ours` false) or ferrossl; stdout plus an exit line.
fn run_on(bin: &Path, args: &[String], ours: bool) -> String {
    let mut cmd = command(bin);
    cmd.args(args);
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

/// The library a run reports having loaded (its `~ libssl PATH` line).
fn loaded(text: &str) -> PathBuf {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("~ libssl "))
        .unwrap_or_else(|| panic!("no `~ libssl` line in:\n{text}"));
    fs::canonicalize(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn compared(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('~')).collect()
}

#[test]
fn ssl_conf_cmd_behaves_as_openssl() {
    let dir = TempDir::new("conf-differential");
    let bin = build(dir.path());
    let args = inputs(dir.path());
    let stock = run_on(&bin, &args, false);
    let ours = run_on(&bin, &args, true);
    let keep = out_dir().join("out");
    let _ = fs::create_dir_all(&keep);
    let _ = fs::write(keep.join("conf.openssl.txt"), &stock);
    let _ = fs::write(keep.join("conf.ferrossl.txt"), &ours);

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

    let (a, b) = (compared(&stock), compared(&ours));
    let first = a.iter().zip(&b).position(|(x, y)| x != y);
    if first.is_some() || a.len() != b.len() {
        let at = first.unwrap_or(a.len().min(b.len()));
        let from = at.saturating_sub(8);
        panic!(
            "outputs differ at compared line {}:\n--- OpenSSL\n{}\n--- ferrossl\n{}\n\
             (full outputs in {})",
            at + 1,
            a[from..(at + 8).min(a.len())].join("\n"),
            b[from..(at + 8).min(b.len())].join("\n"),
            keep.display()
        );
    }
    // The scenario really exercised the API (a broken build printing nothing would match too).
    assert!(a.len() > 300, "only {} lines compared", a.len());
    assert!(a.contains(&"Options -SessionTicket -> 2"));
}
