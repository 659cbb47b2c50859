//! Differential tests: `tests/c/differential.c`, a C client written against OpenSSL 3's headers,
//! runs each scenario twice — on the stock `libssl.so.3` and on ferrossl's (through
//! `LD_LIBRARY_PATH`) — and both runs must print the same lines. Lines starting with `~` carry
//! values that legitimately vary (between runs, or by a documented design difference) and are
//! left out of the comparison; the exit status is compared too.
//!
//! The peers are stock `openssl s_server -www` processes and small TCP servers opened here
//! (a plain-HTTP answerer, servers that close early, and a proxy that drops the server's
//! `close_notify`). Each run gets its own fresh peers. Every peer and the C program are bounded
//! by timeouts; servers are stopped when their guards drop.
//!
//! Both outputs of the last run of each scenario are kept in `target/c-tests/out/` as
//! `<scenario>.openssl.txt` and `<scenario>.ferrossl.txt`.

mod common;

use common::*;
use std::any::Any;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// Bound on one run of the C program (it also bounds itself with `alarm`).
const RUN_TIMEOUT: Duration = Duration::from_secs(90);
/// Bound on any socket operation of the helper servers.
const IO_TIMEOUT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------------------------
// Building and running the C program
// ---------------------------------------------------------------------------------------------

fn out_dir() -> PathBuf {
    repo_root().join("target").join("c-tests")
}

/// Compiles `tests/c/differential.c` once per test process (atomically replaced, so parallel
/// test processes do not see a half-written binary).
fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = out_dir();
        fs::create_dir_all(&dir).expect("creating target/c-tests");
        let src = repo_root().join("tests/c/differential.c");
        let bin = dir.join("differential");
        let tmp = dir.join(format!("differential.tmp-{}", std::process::id()));
        let mut cmd = command("gcc");
        cmd.args(["-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-o"])
            .arg(&tmp)
            .arg(&src)
            .args(["-lssl", "-lcrypto", "-ldl"]);
        let out = run(&mut cmd, Duration::from_secs(120));
        assert!(
            out.status.success(),
            "compiling {} failed:\n{}",
            src.display(),
            out.stderr
        );
        fs::rename(&tmp, &bin).expect("installing the differential binary");
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
}

/// Runs the C program's `scenario` on `lib`; returns its stdout with an exit-status line
/// appended, and its stderr.
fn run_c(lib: Lib, scenario: &str, args: &[String]) -> (String, String) {
    let mut cmd = command(binary());
    cmd.arg(scenario).args(args);
    if lib == Lib::Ferrossl {
        cmd.env("LD_LIBRARY_PATH", libdir());
    }
    let out = run(&mut cmd, RUN_TIMEOUT);
    let mut text = out.stdout_str();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    use std::os::unix::process::ExitStatusExt;
    match (out.status.code(), out.status.signal()) {
        (Some(code), _) => text.push_str(&format!("exit status {code}\n")),
        (None, sig) => text.push_str(&format!("killed by signal {sig:?}\n")),
    }
    (text, out.stderr)
}

/// Proves, once, that the two runs really load different libraries.
fn check_libraries() {
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| {
        let ours = libssl_path()
            .canonicalize()
            .expect("canonicalizing the library under test");
        let (stock, _) = run_c(Lib::OpenSsl, "whichlib", &[]);
        let (loaded, _) = run_c(Lib::Ferrossl, "whichlib", &[]);
        let first = |s: &str| PathBuf::from(s.lines().next().unwrap_or_default());
        assert_eq!(
            first(&loaded),
            ours,
            "with LD_LIBRARY_PATH the program does not load ferrossl:\n{loaded}"
        );
        assert_ne!(
            first(&stock),
            ours,
            "without LD_LIBRARY_PATH the program loads ferrossl:\n{stock}"
        );
    });
}

/// The lines that are compared: all but those starting with `~`.
fn compared(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('~')).collect()
}

/// A line diff (longest common subsequence) in unified style: `-` only in OpenSSL's output, `+`
/// only in ferrossl's, two lines of common context around each change, `@@ line N` (of
/// OpenSSL's compared output) at the start of each hunk.
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
    // (marker, line, index in `expected` where it applies)
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
    const CONTEXT: usize = 2;
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut out = String::new();
    let mut last_shown: Option<usize> = None;
    for (k, (marker, line, at)) in ops.iter().enumerate() {
        if !near(k) {
            continue;
        }
        if last_shown.is_none_or(|l| l + 1 != k) {
            out.push_str(&format!("@@ line {}\n", at + 1));
        }
        out.push_str(&format!("{marker} {line}\n"));
        last_shown = Some(k);
    }
    out
}

/// Peers for one run, kept alive until the run ends.
type Guards = Vec<Box<dyn Any>>;

/// Runs `scenario` on both libraries, each against fresh peers from `setup` (which returns the
/// guards and the program's key=value arguments), and asserts identical compared output.
fn differential(scenario: &str, setup: impl Fn() -> (Guards, Vec<String>)) {
    check_libraries();
    let mut outputs = Vec::new();
    for lib in [Lib::OpenSsl, Lib::Ferrossl] {
        let (guards, args) = setup();
        let (text, stderr) = run_c(lib, scenario, &args);
        drop(guards);
        let dir = out_dir().join("out");
        let _ = fs::create_dir_all(&dir);
        let _ = fs::write(dir.join(format!("{scenario}.{}.txt", lib.name())), &text);
        if lib == Lib::OpenSsl {
            assert!(
                text.ends_with("exit status 0\n"),
                "the scenario failed on the stock OpenSSL (a test bug):\n{text}\nstderr:\n{stderr}"
            );
        }
        outputs.push((text, stderr));
    }
    let (expected, got) = (&outputs[0], &outputs[1]);
    let (e, g) = (compared(&expected.0), compared(&got.0));
    if e != g {
        panic!(
            "scenario {scenario}: ferrossl's output differs from OpenSSL's \
             (- OpenSSL, + ferrossl; '~' lines are not compared):\n{}\n\
             ferrossl stderr:\n{}",
            diff(&e, &g),
            got.1
        );
    }
}

fn arg(key: &str, value: impl std::fmt::Display) -> String {
    format!("{key}={value}")
}

fn root_arg() -> String {
    arg("root", path_str(&pki().root_ca()))
}

/// `s_server -www` with `cert` and extra arguments.
fn www(cert: &CertKey, extra: &[&str]) -> Server {
    let mut args = cert.s_server_args();
    args.push("-www".to_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    Server::s_server(&args)
}

fn ecdsa() -> CertKey {
    pki().server(KeyAlg::EcdsaP256)
}

// ---------------------------------------------------------------------------------------------
// Small TCP peers
// ---------------------------------------------------------------------------------------------

/// A TCP server on 127.0.0.1 that handles each connection with `handler` on its own thread,
/// until dropped.
struct TinyServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl TinyServer {
    fn start(handler: impl Fn(TcpStream) + Send + Sync + 'static) -> TinyServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a tiny server");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let handler = Arc::new(handler);
        let thread = thread::spawn(move || {
            let deadline = Instant::now() + RUN_TIMEOUT;
            while !stop2.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
                        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
                        let _ = stream.set_nodelay(true);
                        let h = Arc::clone(&handler);
                        thread::spawn(move || h(stream));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => break,
                }
            }
        });
        TinyServer {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for TinyServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one complete TLS record (the ClientHello) from `s`, or whatever arrives before EOF.
fn read_record(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if buf.len() >= 5 {
            let len = u16::from_be_bytes([buf[3], buf[4]]) as usize;
            if buf.len() >= 5 + len {
                return buf;
            }
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return buf,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Reads until the peer closes (bounded by the read timeout), so that closing does not reset.
fn drain(s: &mut TcpStream) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = s.read(&mut chunk) {
        if n == 0 {
            break;
        }
    }
}

/// Reads the ClientHello, sends `reply`, closes its sending side, waits for the client to close.
fn reply_then_close(reply: &'static [u8]) -> TinyServer {
    TinyServer::start(move |mut s| {
        read_record(&mut s);
        let _ = s.write_all(reply);
        let _ = s.shutdown(Shutdown::Write);
        drain(&mut s);
    })
}

/// Closes its sending side at once (before any ClientHello), then waits for the client.
fn close_at_once() -> TinyServer {
    TinyServer::start(|mut s| {
        let _ = s.shutdown(Shutdown::Write);
        drain(&mut s);
    })
}

/// Splits complete TLS records off the front of `buf`.
fn take_records(buf: &mut Vec<u8>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while buf.len() >= 5 {
        let len = u16::from_be_bytes([buf[3], buf[4]]) as usize;
        if buf.len() < 5 + len {
            break;
        }
        out.push(buf.drain(..5 + len).collect());
    }
    out
}

/// A proxy to `upstream` (an `s_server -www`) that drops the server's closing alert, so that the
/// client sees a bare EOF right after the response. It is armed once the client has sent
/// `client_app_records` records of content type 23 (TLS 1.3: its Finished and the request;
/// TLS 1.2: the request); from then on, the first server record that looks like an encrypted
/// alert (content type 21, or type 23 with at most 24 bytes of payload, while the response is
/// far larger) is not forwarded: the proxy closes its side of the client connection instead.
/// (`s_server` itself keeps the socket open after its close_notify until the client closes.)
fn strip_close_notify_proxy(upstream: u16, client_app_records: usize) -> TinyServer {
    TinyServer::start(move |client| {
        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
            return;
        };
        let _ = server.set_nodelay(true);
        let _ = server.set_read_timeout(Some(IO_TIMEOUT));
        let _ = server.set_write_timeout(Some(IO_TIMEOUT));
        let armed = Arc::new(AtomicBool::new(false));
        // client -> server: copied record by record, counting application-data records
        let (Ok(mut c_read), Ok(mut s_write)) = (client.try_clone(), server.try_clone()) else {
            return;
        };
        let armed2 = Arc::clone(&armed);
        let up = thread::spawn(move || {
            let mut chunk = [0u8; 16384];
            let mut buf = Vec::new();
            let mut app_records = 0;
            'copy: loop {
                match c_read.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                for rec in take_records(&mut buf) {
                    if rec[0] == 23 {
                        app_records += 1;
                        if app_records >= client_app_records {
                            armed2.store(true, Ordering::SeqCst);
                        }
                    }
                    if s_write.write_all(&rec).is_err() {
                        break 'copy;
                    }
                }
            }
            let _ = s_write.shutdown(Shutdown::Both);
        });
        // server -> client: record by record, until the alert
        let (mut s_read, mut c_write) = (server, client);
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 16384];
        'outer: loop {
            match s_read.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            for rec in take_records(&mut buf) {
                let payload = rec.len() - 5;
                let alert_like = rec[0] == 21 || (rec[0] == 23 && payload <= 24);
                if alert_like && armed.load(Ordering::SeqCst) {
                    break 'outer;
                }
                if c_write.write_all(&rec).is_err() {
                    break 'outer;
                }
            }
        }
        let _ = c_write.shutdown(Shutdown::Write);
        let _ = up.join();
    })
}

// ---------------------------------------------------------------------------------------------
// Extra test files
// ---------------------------------------------------------------------------------------------

struct Extra {
    garbage: PathBuf,
    missing: PathBuf,
    ec_cert: PathBuf,
    ec_key: PathBuf,
}

/// A garbage "PEM" file, a path that does not exist, and an ECDSA P-256 client certificate
/// issued by the test root (made once with the stock `openssl` CLI into
/// `target/c-tests/extra-pki/`).
fn extra() -> &'static Extra {
    static EXTRA: OnceLock<Extra> = OnceLock::new();
    EXTRA.get_or_init(|| {
        let base = out_dir();
        fs::create_dir_all(&base).expect("creating target/c-tests");
        let garbage = base.join("garbage.pem");
        let tmp = base.join(format!("garbage.tmp-{}", std::process::id()));
        fs::write(&tmp, "this is not a certificate\nnor a key\n").expect("writing garbage");
        fs::rename(&tmp, &garbage).expect("installing garbage.pem");

        let pki = pki();
        let dir = base.join("extra-pki");
        let ec_cert = dir.join("client-ecdsa.pem");
        let ec_key = dir.join("client-ecdsa.key");
        let root_is_older = |p: &Path| {
            let m = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
            matches!((m(&pki.root_ca()), m(p)), (Some(r), Some(c)) if r <= c)
        };
        if !(ec_key.is_file() && ec_cert.is_file() && root_is_older(&ec_cert)) {
            let staging = base.join(format!("extra-pki.tmp-{}", std::process::id()));
            let _ = fs::remove_dir_all(&staging);
            fs::create_dir_all(&staging).expect("creating the extra PKI staging dir");
            let root = path_str(&pki.root_ca());
            let root_key = path_str(&pki.dir.join("root-ca.key"));
            let cnf = path_str(&pki.dir.join("openssl.cnf"));
            // `fixed` is split at whitespace; `paths` are appended as they are.
            let run = |fixed: &str, paths: &[&str]| {
                let mut args: Vec<&str> = fixed.split_whitespace().collect();
                args.extend_from_slice(paths);
                openssl(&args, &staging);
            };
            run(
                "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client-ecdsa.key",
                &[],
            );
            run(
                "req -new -key client-ecdsa.key -out client-ecdsa.csr -config",
                &[&cnf, "-subj", "/O=ferrossl tests/CN=ferrossl ecdsa client"],
            );
            run(
                "x509 -req -in client-ecdsa.csr -set_serial 4242 -sha256 -days 3650 \
                 -extensions v3_client -out client-ecdsa.pem -CA",
                &[&root, "-CAkey", &root_key, "-extfile", &cnf],
            );
            let _ = fs::remove_dir_all(&dir);
            if fs::rename(&staging, &dir).is_err() {
                // another test process installed it first
                let _ = fs::remove_dir_all(&staging);
            }
        }
        Extra {
            garbage,
            missing: base.join("does-not-exist.pem"),
            ec_cert,
            ec_key,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// Scenario 1: A verification failure: return values, verify result and the error queue's entries.
#[test]
fn verify_failure() {
    differential("verify_failure", || {
        let untrusted = pki().untrusted_server();
        let s13 = www(&untrusted, &["-tls1_3"]);
        let s12 = www(&untrusted, &["-tls1_2"]);
        let args = vec![
            arg("port13", s13.port()),
            arg("port12", s12.port()),
            root_arg(),
        ];
        (vec![Box::new(s13), Box::new(s12)], args)
    });
}

/// Scenario 2: SSL_set1_host: a mismatch gives verify result 62.
#[test]
fn hostname() {
    differential("hostname", || {
        let wrong = www(&pki().wrong_host_server(), &[]);
        let good = www(&ecdsa(), &[]);
        let args = vec![
            arg("port_wrong", wrong.port()),
            arg("port_good", good.port()),
            root_arg(),
        ];
        (vec![Box::new(wrong), Box::new(good)], args)
    });
}

/// Scenario 3: SSL_VERIFY_NONE against untrusted servers: success, with the verify result recorded.
#[test]
fn verify_none() {
    differential("verify_none", || {
        let untrusted = www(&pki().untrusted_server(), &[]);
        let wrong = www(&pki().wrong_host_server(), &[]);
        let args = vec![
            arg("port", untrusted.port()),
            arg("port_wrong", wrong.port()),
            root_arg(),
        ];
        (vec![Box::new(untrusted), Box::new(wrong)], args)
    });
}

/// Scenario 4: A plain-HTTP server answering the ClientHello: "wrong version number".
#[test]
fn wrong_version() {
    differential("wrong_version", || {
        let http = reply_then_close(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        let args = vec![arg("port", http.port)];
        (vec![Box::new(http)], args)
    });
}

/// Scenario 5: Unexpected EOF: during the handshake, and after it (a proxy drops the close_notify).
#[test]
fn unexpected_eof() {
    differential("eof", || {
        let close = close_at_once();
        let partial = reply_then_close(b"\x16\x03\x03");
        let partial_body =
            reply_then_close(b"\x16\x03\x03\x00\x40\x02\x00\x00\x3c\x03\x03\x00\x01");
        let s13 = www(&ecdsa(), &["-tls1_3"]);
        let s12 = www(&ecdsa(), &["-tls1_2"]);
        let p13 = strip_close_notify_proxy(s13.port(), 2);
        let p12 = strip_close_notify_proxy(s12.port(), 1);
        let args = vec![
            arg("port_close", close.port),
            arg("port_partial", partial.port),
            arg("port_partial_body", partial_body.port),
            arg("port_proxy13", p13.port),
            arg("port_proxy12", p12.port),
            root_arg(),
        ];
        let guards: Guards = vec![
            Box::new(close),
            Box::new(partial),
            Box::new(partial_body),
            Box::new(p13),
            Box::new(p12),
            Box::new(s13),
            Box::new(s12),
        ];
        (guards, args)
    });
}

/// Scenario 6: Clean closes: the server's close_notify (SSL_ERROR_ZERO_RETURN), and client-initiated
/// shutdowns.
#[test]
fn clean_close() {
    differential("clean_close", || {
        let s13 = www(&ecdsa(), &["-tls1_3"]);
        let s12 = www(&ecdsa(), &["-tls1_2"]);
        let args = vec![
            arg("port13", s13.port()),
            arg("port12", s12.port()),
            root_arg(),
        ];
        (vec![Box::new(s13), Box::new(s12)], args)
    });
}

/// Scenario 7: Cipher list and ciphersuite configuration: no match, unknown names, valid lists.
#[test]
fn ciphers() {
    differential("ciphers", || (Vec::new(), Vec::new()));
}

/// Scenario 8: Missing, garbage and mismatched certificate/key files; wrong passphrases.
#[test]
fn bad_files() {
    differential("badfiles", || {
        let pki = pki();
        let x = extra();
        let args = vec![
            arg("missing", path_str(&x.missing)),
            arg("garbage", path_str(&x.garbage)),
            arg("cert", path_str(&pki.client().cert)),
            arg("key", path_str(&pki.client().key)),
            arg("enckey", path_str(&pki.client_key_encrypted())),
            arg("pass", CLIENT_KEY_PASSPHRASE),
            arg("otherkey", path_str(&pki.server(KeyAlg::Rsa2048).key)),
            root_arg(),
        ];
        (Vec::new(), args)
    });
}

/// Scenario 9: Non-blocking I/O: memory BIOs shuttled by hand, and SSL_set_fd with poll().
#[test]
fn nonblocking() {
    differential("nonblocking", || {
        let s13 = www(&ecdsa(), &["-tls1_3"]);
        let s12 = www(&ecdsa(), &["-tls1_2"]);
        let args = vec![
            arg("port13", s13.port()),
            arg("port12", s12.port()),
            root_arg(),
        ];
        (vec![Box::new(s13), Box::new(s12)], args)
    });
}

/// Scenario 10: Session resumption: SSL_get1_session/SSL_set_session, DER round trip, new-session
/// callback.
#[test]
fn sessions() {
    differential("sessions", || {
        let s13 = www(&ecdsa(), &["-tls1_3"]);
        let s12 = www(&ecdsa(), &["-tls1_2"]);
        let s12n = www(&ecdsa(), &["-tls1_2", "-no_ticket"]);
        let args = vec![
            arg("port13", s13.port()),
            arg("port12", s12.port()),
            arg("port12_noticket", s12n.port()),
            root_arg(),
        ];
        (vec![Box::new(s13), Box::new(s12), Box::new(s12n)], args)
    });
}

/// Scenario 11: Verify, info and keylog callbacks; ex_data with new/free callbacks.
#[test]
fn callbacks() {
    differential("callbacks", || {
        let g13 = www(&ecdsa(), &["-tls1_3"]);
        let g12 = www(&ecdsa(), &["-tls1_2"]);
        let untrusted = www(&pki().untrusted_server(), &[]);
        let wrong = www(&pki().wrong_host_server(), &[]);
        let args = vec![
            arg("port_good13", g13.port()),
            arg("port_good12", g12.port()),
            arg("port_untrusted", untrusted.port()),
            arg("port_wrong", wrong.port()),
            root_arg(),
        ];
        let guards: Guards = vec![
            Box::new(g13),
            Box::new(g12),
            Box::new(untrusted),
            Box::new(wrong),
        ];
        (guards, args)
    });
}

/// Scenario 12: What the connection reports after TLS 1.2 and 1.3 handshakes with ALPN.
#[test]
fn introspection() {
    differential("introspect", || {
        let common_args = ["-alpn", "http/1.1", "-groups", "X25519"];
        let with = |cert: &CertKey, more: &[&str]| {
            let mut a: Vec<&str> = common_args.to_vec();
            a.extend_from_slice(more);
            www(cert, &a)
        };
        let s13 = with(
            &ecdsa(),
            &["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"],
        );
        let s12 = with(
            &ecdsa(),
            &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
        );
        let s12rsa = with(
            &pki().server(KeyAlg::Rsa2048),
            &["-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"],
        );
        let s13ed = with(
            &pki().server(KeyAlg::Ed25519),
            &["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"],
        );
        let args = vec![
            arg("port13", s13.port()),
            arg("port12", s12.port()),
            arg("port12rsa", s12rsa.port()),
            arg("port13ed", s13ed.port()),
            root_arg(),
        ];
        let guards: Guards = vec![
            Box::new(s13),
            Box::new(s12),
            Box::new(s12rsa),
            Box::new(s13ed),
        ];
        (guards, args)
    });
}

/// Scenario 13: Client certificates from files (RSA, ECDSA, encrypted key) and from the client-cert
/// callback, as seen on s_server's status page; and none when the server requires one.
#[test]
fn client_certificates() {
    differential("clientcert", || {
        let pki = pki();
        let x = extra();
        let root = path_str(&pki.root_ca());
        let s13 = www(&ecdsa(), &["-tls1_3", "-Verify", "1", "-CAfile", &root]);
        let s12 = www(&ecdsa(), &["-tls1_2", "-Verify", "1", "-CAfile", &root]);
        let args = vec![
            arg("port13", s13.port()),
            arg("port12", s12.port()),
            arg("rsa_cert", path_str(&pki.client().chain)),
            arg("rsa_key", path_str(&pki.client().key)),
            arg("enc_key", path_str(&pki.client_key_encrypted())),
            arg("pass", CLIENT_KEY_PASSPHRASE),
            arg("ec_cert", path_str(&x.ec_cert)),
            arg("ec_key", path_str(&x.ec_key)),
            root_arg(),
        ];
        (vec![Box::new(s13), Box::new(s12)], args)
    });
}

/// The helpers themselves: the diff marks lines on the right side.
#[test]
fn diff_helper() {
    let d = diff(&["a", "b", "c"], &["a", "x", "c"]);
    assert_eq!(d, "@@ line 1\n  a\n- b\n+ x\n  c\n");
    let long: Vec<String> = (0..20).map(|k| k.to_string()).collect();
    let long: Vec<&str> = long.iter().map(String::as_str).collect();
    let mut changed = long.clone();
    changed[10] = "ten";
    assert_eq!(
        diff(&long, &changed),
        "@@ line 9\n  8\n  9\n- 10\n+ ten\n  11\n  12\n"
    );
    assert_eq!(compared("~x\ny\n"), vec!["y"]);
}
