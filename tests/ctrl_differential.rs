//! Differential test of the ctrl commands: `tests/c/ctrl.c` calls `SSL_ctrl`, `SSL_CTX_ctrl`,
//! `SSL_callback_ctrl` and `SSL_CTX_callback_ctrl` with each command number real programs use
//! (`../shared/abi/ctrl-commands.tsv`) and the getters `s_client` prints after a handshake, in a
//! fresh `SSL_CTX`, fresh `SSL`s, a client `SSL` after handshakes with stock `openssl s_server`
//! and a server `SSL` after handshakes with stock `openssl s_client`. Each line is one call: its
//! return value, its out-parameter (normalised) and the error queue. The program runs on the
//! stock `libssl.so.3` and on ferrossl's; the lines must be equal, except the differences kept
//! on purpose, which are listed in [`KEPT`] with the reason.
//!
//! Both outputs of the last run of each scenario are kept in `target/c-tests/out/` as
//! `ctrl-<scenario>.openssl.txt` and `ctrl-<scenario>.ferrossl.txt`.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// Differences kept on purpose: (state and call, as the line starts, up to the colon; reason).
const KEPT: &[(&str, &str)] = &[
    (
        "SSL_CTX_ctrl(79,0,\"user\")",
        "SRP (SSL_CTX_set_srp_username): rustls has no SRP key exchange; refused",
    ),
    (
        "SSL_CTX_ctrl(98,0,\"ECDSA+SHA256:RSA-PSS+SHA256\")",
        "signature algorithm lists are not applied to rustls yet; refused rather than ignored",
    ),
    (
        "SSL_ctrl(98,0,\"ECDSA+SHA256:RSA-PSS+SHA256\")",
        "signature algorithm lists are not applied to rustls yet; refused rather than ignored",
    ),
];

/// Per-state differences kept on purpose: (state, call, reason).
const KEPT_IN_STATE: &[(&str, &str, &str)] = &[
    ("ctx", "SSL_CTX_ctrl(40,0)", READ_AHEAD),
    ("ctx", "SSL_CTX_ctrl(41,0)", READ_AHEAD),
    ("ssl", "SSL_ctrl(40,0)", READ_AHEAD),
    ("ssl", "SSL_ctrl(41,0)", READ_AHEAD),
    (
        "client",
        "SSL_ctrl(111,0)",
        "a client does not learn the server's ec_point_formats (rustls does not expose the \
         ServerHello's extensions): 0, as when none came",
    ),
    (
        "client",
        "SSL_ctrl(103,0)",
        "a client does not learn whether or with which certificate types the server asked for a \
         certificate (rustls does not expose the CertificateRequest): 0 with nothing written, \
         where OpenSSL gives the TLS 1.2 types (TLS 1.3: 0 and NULL)",
    ),
    (
        "leaf",
        "chain",
        "an empty chain is reported as a NULL stack (OpenSSL: an empty stack once a chain was \
         built from the leaf alone); both have no certificates",
    ),
    (
        "server-ctx",
        "SSL_CTX_ctrl(20,0)",
        "rustls also keeps a TLS 1.2 server session in the cache when it issues a ticket, so \
         the internal cache holds one where OpenSSL's holds none",
    ),
    (
        "server",
        "SSL_ctrl(132,0)",
        "our own handshake signature's scheme is chosen inside rustls's signer and not \
         recorded: 0, as before a handshake",
    ),
];

const READ_AHEAD: &str =
    "read-ahead is kept as a flag: a value other than 0 reads back as 1 (programs pass 0 or 1)";

fn out_dir() -> PathBuf {
    repo_root().join("target").join("c-tests")
}

fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = out_dir();
        fs::create_dir_all(&dir).expect("creating target/c-tests");
        let src = repo_root().join("tests/c/ctrl.c");
        let bin = dir.join("ctrl");
        let tmp = dir.join(format!("ctrl.tmp-{}", std::process::id()));
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
        .arg(&tmp)
        .arg(&src)
        .args(["-lssl", "-lcrypto"]);
        let out = run(&mut cmd, Duration::from_secs(120));
        assert!(
            out.status.success(),
            "compiling {} failed:\n{}",
            src.display(),
            out.stderr
        );
        fs::rename(&tmp, &bin).expect("installing the ctrl binary");
        bin
    })
}

/// Runs the program with `args` on OpenSSL (`ours` false) or ferrossl; stdout and stderr.
fn run_c(ours: bool, args: &[String]) -> (String, String) {
    let mut cmd = command(binary());
    cmd.args(args);
    if ours {
        cmd.env("LD_LIBRARY_PATH", libdir());
    }
    let out = run(&mut cmd, Duration::from_secs(90));
    let mut text = out.stdout_str();
    text.push_str(&format!("exit status {:?}\n", out.status.code()));
    (text, out.stderr)
}

/// The label of a line: the state and the call (up to ": ret=").
fn label(line: &str) -> &str {
    line.split(": ret=").next().unwrap_or(line)
}

fn kept(line: &str) -> Option<&'static str> {
    let l = label(line);
    let (state, call) = l.split_once(' ').unwrap_or(("", l));
    KEPT.iter()
        .find(|(c, _)| *c == call)
        .map(|(_, r)| *r)
        .or_else(|| {
            KEPT_IN_STATE
                .iter()
                .find(|(s, c, _)| *s == state && *c == call)
                .map(|(_, _, r)| *r)
        })
}

/// Runs `scenario` on both libraries, `setup` giving fresh peers (kept alive while the program
/// runs) and the arguments; compares the lines.
fn differential<G>(scenario: &str, setup: impl Fn() -> (G, Vec<String>)) {
    let mut outs = Vec::new();
    for ours in [false, true] {
        let (guard, args) = setup();
        let (text, stderr) = run_c(ours, &args);
        drop(guard);
        let dir = out_dir().join("out");
        let _ = fs::create_dir_all(&dir);
        let lib = if ours { "ferrossl" } else { "openssl" };
        let _ = fs::write(dir.join(format!("ctrl-{scenario}.{lib}.txt")), &text);
        if !ours {
            assert!(
                text.ends_with("exit status Some(0)\n"),
                "{scenario} failed on stock OpenSSL (a test bug):\n{text}\n{stderr}"
            );
        }
        outs.push((text, stderr));
    }
    let compared = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('~'))
            .map(|l| l.to_owned())
            .collect()
    };
    let (e, g) = (compared(&outs[0].0), compared(&outs[1].0));
    let mut problems = Vec::new();
    if e.len() != g.len() {
        problems.push(format!(
            "{} lines from OpenSSL, {} from ferrossl",
            e.len(),
            g.len()
        ));
    }
    for (a, b) in e.iter().zip(&g) {
        if label(a) != label(b) {
            problems.push(format!("out of step:\n- {a}\n+ {b}"));
            break;
        }
        if a != b && kept(a).is_none() {
            problems.push(format!("- {a}\n+ {b}"));
        }
    }
    assert!(
        problems.is_empty(),
        "scenario {scenario}: ferrossl differs from OpenSSL (- OpenSSL, + ferrossl):\n{}\n\
         ferrossl stderr:\n{}",
        problems.join("\n"),
        outs[1].1
    );
}

fn arg(key: &str, value: impl std::fmt::Display) -> String {
    format!("{key}={value}")
}

/// Fresh objects: every command on a new SSL_CTX and on new SSLs (unset, client, server role).
#[test]
fn fresh_objects() {
    differential("fresh", || ((), vec!["fresh".to_owned()]));
}

/// `SSL_CTX_build_cert_chain`/`SSL_build_cert_chain` with each flag.
#[test]
fn build_cert_chain() {
    let cert = pki().server(KeyAlg::EcdsaP256);
    differential("build", || {
        let args = vec![
            "build".to_owned(),
            arg("cert", path_str(&cert.cert)),
            arg("chain", path_str(&cert.chain)),
            arg("root", path_str(&pki().root_ca())),
        ];
        ((), args)
    });
}

/// `s_server -www` with `cert` and extra arguments.
fn www(cert: &CertKey, extra: &[&str]) -> Server {
    let mut args = cert.s_server_args();
    args.push("-www".to_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    Server::s_server(&args)
}

fn client_case(name: &str, cert: CertKey, extra: &'static [&'static str], more: &[&str]) {
    differential(name, || {
        let s = www(&cert, extra);
        let mut args = vec!["client".to_owned(), arg("port", s.port())];
        args.extend(more.iter().map(|a| a.to_string()));
        (s, args)
    });
}

/// A client after a TLS 1.3 handshake (ECDSA P-256 server certificate).
#[test]
fn client_tls13() {
    client_case(
        "client13",
        pki().server(KeyAlg::EcdsaP256),
        &["-tls1_3", "-groups", "X25519"],
        &[],
    );
}

/// A client whose context got `SSL_CTX_set_tmp_ecdh` with a P-384 key: that curve is the only
/// group offered, so the handshake uses it.
#[test]
fn client_tmp_ecdh() {
    client_case(
        "client13ecdh",
        pki().server(KeyAlg::EcdsaP256),
        &["-tls1_3"],
        &["ecdh=secp384r1"],
    );
}

/// A client trusting the test root through `SSL_CTX_load_verify_store` (a `file:` URI) verifies
/// the server; a missing store fails.
#[test]
fn client_verify_store() {
    let uri = format!("file:{}", path_str(&pki().root_ca()));
    client_case(
        "client13store",
        pki().server(KeyAlg::EcdsaP256),
        &["-tls1_3"],
        &[&arg("castore", uri)],
    );
}

/// A client the server asks for a certificate (it has none to send).
#[test]
fn client_certificate_request() {
    client_case(
        "client13req",
        pki().server(KeyAlg::EcdsaP256),
        &["-tls1_3", "-verify", "1"],
        &[],
    );
}

/// A client after a TLS 1.2 handshake (ECDHE-ECDSA, the server signing with SHA-256).
#[test]
fn client_tls12() {
    client_case(
        "client12",
        pki().server(KeyAlg::EcdsaP256),
        &[
            "-tls1_2",
            "-groups",
            "P-256",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "-sigalgs",
            "ECDSA+SHA256",
        ],
        &[],
    );
}

/// A client after a TLS 1.3 handshake with an Ed25519 server (no separate digest).
#[test]
fn client_tls13_ed25519() {
    client_case(
        "client13ed",
        pki().server(KeyAlg::Ed25519),
        &["-tls1_3", "-groups", "P-256"],
        &[],
    );
}

/// A server `SSL` after accepting a stock `s_client` with `proto`; with `client_auth`, the
/// server asks for a certificate and s_client sends the test client's (RSA, signing with
/// RSA-PSS and SHA-256).
fn server_case(name: &str, proto: &'static str, client_auth: bool) {
    let cert = pki().server(KeyAlg::EcdsaP256);
    let client_cert = pki().client();
    differential(name, || {
        let port = free_port();
        let mut extra = vec![proto.to_owned()];
        let mut args = vec![
            "server".to_owned(),
            arg("port", port),
            arg("cert", path_str(&cert.chain)),
            arg("key", path_str(&cert.key)),
        ];
        if client_auth {
            args.push(arg("root", path_str(&pki().root_ca())));
            extra.extend([
                "-cert".to_owned(),
                path_str(&client_cert.chain),
                "-key".to_owned(),
                path_str(&client_cert.key),
                "-client_sigalgs".to_owned(),
                "RSA-PSS+SHA256".to_owned(),
            ]);
        }
        let client = thread::spawn(move || s_client(port, &extra));
        (Joined(Some(client)), args)
    });
}

/// Joins the s_client thread when the run is over.
struct Joined(Option<thread::JoinHandle<()>>);

impl Drop for Joined {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            let _ = t.join();
        }
    }
}

/// Starts a stock `openssl s_client` against 127.0.0.1:`port` until one connects (the server
/// may not listen yet: a refused connection makes s_client exit at once); it sends nothing and
/// closes when its standard input ends.
fn s_client(port: u16, extra: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let mut cmd = command(OPENSSL);
        cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(extra)
            .stdin(Stdio::null());
        let out = run(&mut cmd, Duration::from_secs(30));
        if out.stdout_str().contains("CONNECTED") {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn server_tls13() {
    server_case("server13", "-tls1_3", false);
}

#[test]
fn server_tls12() {
    server_case("server12", "-tls1_2", false);
}

/// The server verifies the client's certificate and signature.
#[test]
fn server_client_auth_tls13() {
    server_case("server13auth", "-tls1_3", true);
}

#[test]
fn server_client_auth_tls12() {
    server_case("server12auth", "-tls1_2", true);
}
