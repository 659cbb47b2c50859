//! What the SSL getters return inside the program's callbacks, on the stock `libssl.so.3` and
//! on ferrossl's: `tests/c/callback_getters.c` prints, for every invocation of every callback
//! (servername, client hello, certificate, ALPN, verify, new/get/remove session, info, keylog,
//! OCSP status, ticket key), the values of the connection getters, one line each. Both
//! libraries must print the same lines (lines starting with `~` excepted).
//!
//! As a server it is driven by stock `openssl s_client` (two connections, the second resuming
//! the first's session, with a client certificate, ALPN and a status request); what s_client
//! saw (the certificate it received, new or reused, ALPN) is appended to the compared output,
//! which shows the effect of `SSL_set_SSL_CTX` from the servername and client-hello callbacks.
//! As a client it connects twice to a stock `openssl s_server -www` that requires a client
//! certificate. Every run ends by removing sessions with `SSL_CTX_remove_session`, whose
//! callback calls `SSL_CTX_set_info_callback`.
//!
//! Both outputs of each case are kept in `target/c-tests/out/callback_getters.<case>.<lib>.txt`.

mod common;

use common::*;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// Bound on one run of the C program (it bounds itself with `alarm(30)`).
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// Bound on one `openssl s_client` connection.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);

fn out_dir() -> PathBuf {
    repo_root().join("target").join("c-tests")
}

/// Compiles `tests/c/callback_getters.c` once per test process (atomically replaced).
fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = out_dir();
        fs::create_dir_all(&dir).expect("creating target/c-tests");
        let src = repo_root().join("tests/c/callback_getters.c");
        let bin = dir.join("callback_getters");
        let tmp = dir.join(format!("callback_getters.tmp-{}", std::process::id()));
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
        .args(["-lssl", "-lcrypto", "-ldl"]);
        let out = run(&mut cmd, Duration::from_secs(120));
        assert!(
            out.status.success(),
            "compiling {}:\n{}",
            src.display(),
            out.stderr
        );
        fs::rename(&tmp, &bin).expect("installing the binary");
        bin
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lib {
    OpenSsl,
    Ferrossl,
}

impl Lib {
    fn name(self) -> &'static str {
        match self {
            Lib::OpenSsl => "openssl",
            Lib::Ferrossl => "ferrossl",
        }
    }

    fn apply(self, cmd: &mut Command) {
        if self == Lib::Ferrossl {
            cmd.env("LD_LIBRARY_PATH", libdir());
        }
    }
}

/// Proves, once, that the two runs load different libraries.
fn check_libraries() {
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| {
        let which = |lib: Lib| {
            let mut cmd = command(binary());
            cmd.arg("whichlib");
            lib.apply(&mut cmd);
            let out = run(&mut cmd, Duration::from_secs(20));
            out.assert_success();
            PathBuf::from(out.stdout_str().trim())
        };
        let ours = libssl_path()
            .canonicalize()
            .expect("canonicalizing the library");
        assert_eq!(
            which(Lib::Ferrossl),
            ours,
            "LD_LIBRARY_PATH does not load ferrossl"
        );
        assert_ne!(which(Lib::OpenSsl), ours, "the stock run loads ferrossl");
    });
}

/// Waits for `child` up to `timeout`, killing it after; returns its exit description.
fn wait_bounded(child: &mut Child, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a child") {
            return match (status.code(), status.signal()) {
                (Some(code), _) => format!("exit status {code}"),
                (None, sig) => format!("killed by signal {sig:?}"),
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return format!("still running after {timeout:?}; killed");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `cmd` with stdout and stderr in `log`, bounded by `timeout`; returns (exit, output).
fn run_logged(cmd: &mut Command, log: &Path, timeout: Duration) -> (String, String) {
    let file = fs::File::create(log).expect("creating a log");
    cmd.stdout(file.try_clone().expect("cloning a file handle"))
        .stderr(file);
    let mut child = cmd.spawn().expect("starting a process");
    let exit = wait_bounded(&mut child, timeout);
    (exit, fs::read_to_string(log).unwrap_or_default())
}

fn args_of(pairs: &[(&str, String)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

// ---------------------------------------------------------------------------------------------
// The C program as a server, stock s_client as the peer
// ---------------------------------------------------------------------------------------------

struct ServerCase {
    proto: &'static str,
    /// Where the server moves the connection to its second context: none, sni, hello.
    switch: &'static str,
    /// The name s_client sends (`alt` selects the second context when switch=sni).
    servername: &'static str,
    tickets: bool,
    info: bool,
}

/// The lines of s_client's output that say what it received.
fn s_client_facts(k: usize, exit: &str, text: &str) -> Vec<String> {
    const KEEP: &[&str] = &[
        "subject=",
        "Server public key is",
        "New, ",
        "Reused, ",
        "ALPN protocol",
        "No ALPN",
        "OCSP response",
        "Verify return code",
        "hello",
    ];
    // s_client repeats its session summary for each ticket it gets, as they arrive: keep each
    // fact once, sorted.
    // The data the server wrote may follow a ticket's hex dump on the same line (s_client
    // prints what arrives as it arrives), so "hello" counts wherever a line ends with it.
    let mut facts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .map(|line| {
            if line.ends_with("hello") {
                "hello"
            } else {
                line
            }
        })
        .filter(|line| KEEP.iter().any(|p| line.starts_with(p)))
        .collect();
    facts.sort_unstable();
    facts.dedup();
    let mut out = vec![format!("s_client#{k}: {exit}")];
    out.extend(facts.iter().map(|line| format!("s_client#{k}: {line}")));
    out
}

fn run_server_case(lib: Lib, case: &ServerCase) -> (String, String) {
    let pki = pki();
    let (main, alt, client) = (
        pki.server(KeyAlg::EcdsaP256),
        pki.server(KeyAlg::Rsa2048),
        pki.client(),
    );
    let dir = TempDir::new("callback-getters");
    let port = free_port();
    let args = args_of(&[
        ("port", port.to_string()),
        ("conns", "2".into()),
        ("proto", case.proto.into()),
        ("root", path_str(&pki.root_ca())),
        ("cert", path_str(&main.chain)),
        ("key", path_str(&main.key)),
        ("alt_cert", path_str(&alt.chain)),
        ("alt_key", path_str(&alt.key)),
        ("switch", case.switch.into()),
        ("tickets", if case.tickets { "1" } else { "0" }.into()),
        ("info", if case.info { "1" } else { "0" }.into()),
    ]);
    let out_path = dir.join("server.out");
    let err_path = dir.join("server.err");
    let mut cmd = command(binary());
    cmd.arg("server")
        .args(&args)
        .stdout(fs::File::create(&out_path).expect("creating server.out"))
        .stderr(fs::File::create(&err_path).expect("creating server.err"));
    lib.apply(&mut cmd);
    let mut server = cmd.spawn().expect("starting callback_getters");
    let ready = Instant::now() + Duration::from_secs(15);
    while !fs::read_to_string(&out_path)
        .unwrap_or_default()
        .contains("listening")
    {
        if server.try_wait().expect("waiting").is_some() || Instant::now() > ready {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let sess = path_str(&dir.join("session.pem"));
    let mut seen = Vec::new();
    for k in 1..=2 {
        let mut c = command(OPENSSL);
        c.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-servername", case.servername])
            .arg(if case.proto == "1.2" {
                "-tls1_2"
            } else {
                "-tls1_3"
            })
            .args(["-CAfile", &path_str(&pki.root_ca())])
            .args([
                "-cert",
                &path_str(&client.cert),
                "-key",
                &path_str(&client.key),
            ])
            .args(["-alpn", "h2,http/1.1", "-status", "-ign_eof"])
            .args([if k == 1 { "-sess_out" } else { "-sess_in" }, &sess])
            .stdin(Stdio::null());
        let (exit, text) = run_logged(
            &mut c,
            &dir.join(format!("s_client{k}.out")),
            CLIENT_TIMEOUT,
        );
        seen.extend(s_client_facts(k, &exit, &text));
    }
    let exit = wait_bounded(&mut server, RUN_TIMEOUT);
    let mut text = fs::read_to_string(&out_path).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("{exit}\n"));
    for line in seen {
        text.push_str(&line);
        text.push('\n');
    }
    (text, fs::read_to_string(&err_path).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// The C program as a client, stock s_server as the peer
// ---------------------------------------------------------------------------------------------

fn run_client_case(lib: Lib, proto: &str, info: bool) -> (String, String) {
    let pki = pki();
    let root = path_str(&pki.root_ca());
    let mut server_args = pki.server(KeyAlg::EcdsaP256).s_server_args();
    server_args.extend(
        ["-www", "-Verify", "1", "-CAfile", &root]
            .iter()
            .map(|s| s.to_string()),
    );
    server_args.push(if proto == "1.2" { "-tls1_2" } else { "-tls1_3" }.into());
    let server = Server::s_server(&server_args);
    let client = pki.client();
    let args = args_of(&[
        ("port", server.port().to_string()),
        ("conns", "2".into()),
        ("proto", proto.into()),
        ("root", root.clone()),
        ("cert", path_str(&client.chain)),
        ("key", path_str(&client.key)),
        ("info", if info { "1" } else { "0" }.into()),
    ]);
    let mut cmd = command(binary());
    cmd.arg("client").args(&args);
    lib.apply(&mut cmd);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = run(&mut cmd, RUN_TIMEOUT);
    let mut text = out.stdout_str();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    match (out.status.code(), out.status.signal()) {
        (Some(code), _) => text.push_str(&format!("exit status {code}\n")),
        (None, sig) => text.push_str(&format!("killed by signal {sig:?}\n")),
    }
    drop(server);
    (text, out.stderr)
}

// ---------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------

/// Differences kept on purpose (README lists them), as (callback, getter) pairs whose lines are
/// left out of the comparison; `*` matches any. Everything else must match OpenSSL.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "info",
        "*",
        "ferrossl's info callback reports handshake start, loop, exit, done and alerts, not \
         OpenSSL's call for every handshake state",
    ),
    (
        "keylog",
        "*",
        "key log lines come from inside rustls's key schedule: their order (and, on resumption, \
         an early-traffic line) differ, and the handshake facts below are not known there yet",
    ),
    (
        "ticket_key",
        "*",
        "rustls encrypts and decrypts tickets at other points of the handshake than OpenSSL \
         (after the servername callback), so the calls and the state they see differ",
    ),
    (
        "cert#2",
        "*",
        "rustls picks the certificate before it knows whether it resumes, so the certificate \
         callback also runs on a resumed handshake",
    ),
    (
        "status#2",
        "*",
        "the OCSP status callback runs where the certificate is picked, also on resumption",
    ),
    (
        "new_session",
        "*",
        "which handshakes make sessions and call the new-session callback follows rustls's \
         session policy (it caches TLS 1.2 sessions it also sends tickets for, and sends its own \
         number of TLS 1.3 tickets), not OpenSSL's",
    ),
    (
        "get_session",
        "*",
        "rustls looks a session up after the servername, certificate and ALPN callbacks have \
         run (OpenSSL: before them), so the call comes later and sees their effects",
    ),
    (
        "remove_session",
        "*",
        "follows from the sessions made (see new_session)",
    ),
    (
        "remove",
        "*",
        "the program's removal of the session it got follows from the sessions made",
    ),
    (
        "new_session",
        "in_init",
        "TLS 1.3 tickets are processed after the handshake; OpenSSL is back in init for them",
    ),
    ("new_session", "is_init_finished", "as in_init"),
    (
        "*",
        "state",
        "SSL_get_state during a handshake is coarse: 20 on a server, 12 on a client",
    ),
    (
        "*",
        "cipher",
        "rustls reveals the negotiated suite to ferrossl only once the handshake completes",
    ),
    (
        "*",
        "peer",
        "the peer's certificate is known to ferrossl's getters once verification has run",
    ),
];

/// Whether a line `callback#n getter=value` is a known difference.
fn known(line: &str) -> bool {
    let Some((head, rest)) = line.split_once(' ') else {
        return false;
    };
    let callback = head.split('#').next().unwrap_or(head);
    let getter = rest.split('=').next().unwrap_or(rest);
    KNOWN_DIFFERENCES
        .iter()
        .any(|(c, g, _)| (*c == "*" || *c == callback || *c == head) && (*g == "*" || *g == getter))
}

/// The compared lines: all but those starting with `~` and the known differences.
fn compared(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('~') && !known(l))
        .collect()
}

/// A line diff (longest common subsequence): `-` only on OpenSSL, `+` only on ferrossl, two
/// lines of context, `@@ line N` (of OpenSSL's compared output) at each hunk.
fn diff(expected: &[&str], got: &[&str]) -> String {
    let (n, m) = (expected.len(), got.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == got[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && expected[i] == got[j] {
            ops.push((' ', expected[i], i));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', expected[i], i));
            i += 1;
        } else {
            ops.push(('+', got[j], i));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= 2);
    let mut out = String::new();
    let mut last: Option<usize> = None;
    for (k, (marker, line, at)) in ops.iter().enumerate() {
        if !near(k) {
            continue;
        }
        if last.is_none_or(|l| l + 1 != k) {
            out.push_str(&format!("@@ line {}\n", at + 1));
        }
        out.push_str(&format!("{marker} {line}\n"));
        last = Some(k);
    }
    out
}

/// Runs `one` on both libraries and asserts the same compared output; `expect` lists lines
/// that OpenSSL's output must contain (proof that the case exercised what it is about).
fn differential(case: &str, expect: &[&str], one: impl Fn(Lib) -> (String, String)) {
    check_libraries();
    let mut texts = Vec::new();
    for lib in [Lib::OpenSsl, Lib::Ferrossl] {
        let (text, stderr) = one(lib);
        let dir = out_dir().join("out");
        let _ = fs::create_dir_all(&dir);
        let _ = fs::write(
            dir.join(format!("callback_getters.{case}.{}.txt", lib.name())),
            &text,
        );
        if lib == Lib::OpenSsl {
            assert!(
                text.contains("\nend\nexit status 0\n"),
                "{case} did not finish on the stock OpenSSL (a test bug):\n{text}\n{stderr}"
            );
            for line in expect {
                assert!(
                    text.lines().any(|l| l == *line),
                    "{case}: OpenSSL's output lacks {line:?} (a test bug):\n{text}"
                );
            }
        }
        texts.push((text, stderr));
    }
    let (expected, got) = (compared(&texts[0].0), compared(&texts[1].0));
    if expected != got {
        panic!(
            "{case}: ferrossl differs from OpenSSL (- OpenSSL, + ferrossl):\n{}\n\
             ferrossl's stderr:\n{}",
            diff(&expected, &got),
            texts[1].1.chars().take(4000).collect::<String>()
        );
    }
}

const RSA_KEY: &str = "Server public key is 2048 bit";
const EC_KEY: &str = "Server public key is 256 bit";

fn server_case(name: &str, case: ServerCase, expect: &[&str]) {
    differential(name, expect, |lib| run_server_case(lib, &case));
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/// TLS 1.3 server; the servername callback moves a connection for "alt" to the RSA context.
#[test]
fn server_tls13_servername_switches_context() {
    let case = ServerCase {
        proto: "1.3",
        switch: "sni",
        servername: "alt",
        tickets: true,
        info: false,
    };
    let expect = [
        "servername#1 SSL_set_SSL_CTX(alt) returned alt; now ctx=alt",
        &format!("s_client#1: {RSA_KEY}"),
        "s_client#2: exit status 0",
    ];
    server_case("server13-sni", case, &expect);
}

/// TLS 1.2 server; the servername callback moves a connection for "alt" to the RSA context.
#[test]
fn server_tls12_servername_switches_context() {
    let case = ServerCase {
        proto: "1.2",
        switch: "sni",
        servername: "alt",
        tickets: true,
        info: false,
    };
    let expect = [
        "servername#1 SSL_set_SSL_CTX(alt) returned alt; now ctx=alt",
        &format!("s_client#1: {RSA_KEY}"),
    ];
    server_case("server12-sni", case, &expect);
}

/// TLS 1.3 server; the client-hello callback moves every connection to the RSA context.
#[test]
fn server_tls13_client_hello_switches_context() {
    let case = ServerCase {
        proto: "1.3",
        switch: "hello",
        servername: "localhost",
        tickets: true,
        info: false,
    };
    let expect = [
        "client_hello#1 SSL_set_SSL_CTX(alt) returned alt; now ctx=alt",
        &format!("s_client#1: {RSA_KEY}"),
    ];
    server_case("server13-hello", case, &expect);
}

/// TLS 1.2 server; the client-hello callback moves every connection to the RSA context.
#[test]
fn server_tls12_client_hello_switches_context() {
    let case = ServerCase {
        proto: "1.2",
        switch: "hello",
        servername: "localhost",
        tickets: true,
        info: false,
    };
    let expect = [
        "client_hello#1 SSL_set_SSL_CTX(alt) returned alt; now ctx=alt",
        &format!("s_client#1: {RSA_KEY}"),
    ];
    server_case("server12-hello", case, &expect);
}

/// TLS 1.2 server without tickets: resumption by session ID through the get-session callback.
#[test]
fn server_tls12_session_id_cache_callbacks() {
    let case = ServerCase {
        proto: "1.2",
        switch: "none",
        servername: "localhost",
        tickets: false,
        info: false,
    };
    let expect = [
        "get_session#1 id-length=32 matches-stored=yes",
        &format!("s_client#1: {EC_KEY}"),
    ];
    server_case("server12-sessid", case, &expect);
}

/// TLS 1.3 server without tickets (stateful PSK): resumption through the get-session callback.
#[test]
fn server_tls13_stateful_session_callbacks() {
    let case = ServerCase {
        proto: "1.3",
        switch: "none",
        servername: "localhost",
        tickets: false,
        info: false,
    };
    let expect = ["get_session#1 id-length=32 matches-stored=yes"];
    server_case("server13-stateful", case, &expect);
}

/// TLS 1.3 server with the info callback: one line per call, getters at handshake start/done.
#[test]
fn server_tls13_info_callback() {
    let case = ServerCase {
        proto: "1.3",
        switch: "none",
        servername: "localhost",
        tickets: true,
        info: true,
    };
    server_case("server13-info", case, &["s_client#2: exit status 0"]);
}

/// TLS 1.2 server with the info callback.
#[test]
fn server_tls12_info_callback() {
    let case = ServerCase {
        proto: "1.2",
        switch: "none",
        servername: "localhost",
        tickets: true,
        info: true,
    };
    server_case("server12-info", case, &["s_client#2: exit status 0"]);
}

/// TLS 1.3 client: verify, keylog, status, new-session and (on resumption) remove callbacks.
#[test]
fn client_tls13_callbacks() {
    differential("client13", &["conn 2: SSL_set_session returned 1"], |lib| {
        run_client_case(lib, "1.3", false)
    });
}

/// TLS 1.2 client: verify, keylog, status, new-session callbacks; remove of an uncached session.
#[test]
fn client_tls12_callbacks() {
    differential("client12", &["conn 2: SSL_set_session returned 1"], |lib| {
        run_client_case(lib, "1.2", false)
    });
}

/// TLS 1.3 client with the info callback.
#[test]
fn client_tls13_info_callback() {
    differential("client13-info", &[], |lib| {
        run_client_case(lib, "1.3", true)
    });
}

/// TLS 1.2 client with the info callback.
#[test]
fn client_tls12_info_callback() {
    differential("client12-info", &[], |lib| {
        run_client_case(lib, "1.2", true)
    });
}

/// The diff helper marks lines on the right side.
#[test]
fn diff_helper() {
    assert_eq!(
        diff(&["a", "b", "c"], &["a", "x", "c"]),
        "@@ line 1\n  a\n- b\n+ x\n  c\n"
    );
    assert_eq!(compared("~x\ny\n"), vec!["y"]);
}
