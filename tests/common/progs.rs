//! Harness for running Debian's unmodified programs (haproxy, `openssl s_client`/`s_server`,
//! python3) on a chosen `libssl.so.3`, and for proving which one each process really mapped.
//!
//! - [`Lib`]: stock OpenSSL, or the library under test injected as a [`Mode`].
//! - [`assert_maps`]: reads `/proc/<pid>/maps` of a live process and requires exactly one
//!   `libssl.so.3`, the one [`Lib::path`] names.
//! - [`Proc`]: a long-running child whose output goes to a log file, killed on drop.
//! - [`Gate`]: a one-connection TCP relay that holds a client's first bytes until the test has
//!   checked the client's maps (a client that fails fast would otherwise exit before the check).

use std::fs::{self, File};
use std::io::{self, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use super::{free_port, is_listening, libssl_path, truncate, Mode, TempDir};

/// OpenSSL's own `libssl.so.3`, what a program loads when nothing is injected.
pub const STOCK_LIBSSL: &str = "/usr/lib/x86_64-linux-gnu/libssl.so.3";

/// Which `libssl.so.3` a program under test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lib {
    /// The system's OpenSSL (loader variables removed).
    Stock,
    /// The library under test, injected with `LD_LIBRARY_PATH` or `LD_PRELOAD`.
    Ours(Mode),
}

impl Lib {
    /// Sets (or leaves removed, see `common::command`) the loader variables on `cmd`.
    pub fn apply(self, cmd: &mut Command) {
        if let Lib::Ours(mode) = self {
            mode.apply(cmd);
        }
    }

    /// The file the process must map.
    pub fn path(self) -> PathBuf {
        match self {
            Lib::Stock => PathBuf::from(STOCK_LIBSSL),
            Lib::Ours(_) => libssl_path(),
        }
    }
}

/// The distinct `libssl.so.3` files mapped by process `pid` (empty if it has gone).
pub fn mapped_libssl(pid: u32) -> Vec<PathBuf> {
    let maps = fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut found: Vec<PathBuf> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .map(PathBuf::from)
        .filter(|p| p.file_name().is_some_and(|n| n == "libssl.so.3"))
        .collect();
    found.sort();
    found.dedup();
    found
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize()
        .unwrap_or_else(|e| panic!("canonicalizing {}: {e}", p.display()))
}

/// Panics unless live process `pid` maps exactly one `libssl.so.3` and it is `lib`'s file.
/// Polls for up to 10 s while nothing is mapped yet (the loader or a lazy `import ssl`).
#[track_caller]
pub fn assert_maps(pid: u32, lib: Lib, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let found = mapped_libssl(pid);
        if !found.is_empty() || Instant::now() > deadline {
            break found;
        }
        thread::sleep(Duration::from_millis(2));
    };
    assert_eq!(
        found.len(),
        1,
        "{what} (pid {pid}) maps {found:?}, expected exactly {}",
        lib.path().display()
    );
    assert_eq!(
        canonical(&found[0]),
        canonical(&lib.path()),
        "{what} (pid {pid}) runs on {} instead of {}",
        found[0].display(),
        lib.path().display()
    );
}

/// A child process with stdout and stderr in `<dir>/<name>.log`, killed on drop (its log is
/// printed then if the test is failing).
pub struct Proc {
    child: Child,
    name: String,
    log: PathBuf,
    _dir: TempDir,
}

/// How a [`Proc`] ended.
#[derive(Debug)]
pub struct Ended {
    pub status: ExitStatus,
    pub log: String,
}

impl Proc {
    /// Spawns `cmd` (built with `common::command`) with its output in a log file. `stdin` true
    /// gives it a pipe (see [`Proc::stdin`]), else standard input stays as `cmd` set it.
    pub fn spawn(cmd: &mut Command, name: &str, stdin: bool) -> Proc {
        let dir = TempDir::new(name);
        let log = dir.join(format!("{name}.log"));
        let file = File::create(&log).expect("creating a log file");
        cmd.stdout(file.try_clone().expect("cloning a file handle"))
            .stderr(file);
        if stdin {
            cmd.stdin(Stdio::piped());
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        Proc {
            child,
            name: name.to_owned(),
            log,
            _dir: dir,
        }
    }

    /// Starts a server that listens on the port it is given, retrying on another port if it
    /// exits at startup; waits until it listens and its log contains `ready` (if given).
    pub fn server(
        name: &str,
        mut build: impl FnMut(u16) -> Command,
        ready: Option<&str>,
    ) -> (Proc, u16) {
        for _attempt in 0..5 {
            let port = free_port();
            let mut proc = Proc::spawn(&mut build(port), name, false);
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                if proc
                    .child
                    .try_wait()
                    .expect("waiting for a server")
                    .is_some()
                {
                    break;
                }
                let log = proc.log();
                if is_listening(port) && ready.is_none_or(|r| log.contains(r)) {
                    return (proc, port);
                }
                assert!(
                    Instant::now() < deadline,
                    "{name} did not listen on 127.0.0.1:{port} in time:\n{log}"
                );
                thread::sleep(Duration::from_millis(10));
            }
            let log = proc.log();
            assert!(
                log.contains("in use"),
                "{name} exited at startup:\n{}",
                truncate(&log, 8000)
            );
        }
        panic!("{name} could not find a free port");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the process printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `marker`; panics if the process exits first or on timeout.
    pub fn wait_for(&mut self, marker: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.log().contains(marker) {
            if let Some(status) = self.child.try_wait().expect("waiting for a child") {
                panic!(
                    "{} exited ({status}) before printing {marker:?}:\n{}",
                    self.name,
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} did not print {marker:?} within {timeout:?}:\n{}",
                self.name,
                self.log()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The pipe to the process's standard input (if spawned with one); dropping it closes it.
    pub fn stdin(&mut self) -> ChildStdin {
        self.child.stdin.take().expect("spawned with a stdin pipe")
    }

    /// Waits for the process to exit, killing it (and panicking) after `timeout`.
    pub fn wait(mut self, timeout: Duration) -> Ended {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for a child") {
                return Ended {
                    status,
                    log: self.log(),
                };
            }
            assert!(
                Instant::now() < deadline,
                "{} did not finish within {timeout:?}; killing it. Output:\n{}",
                self.name,
                truncate(&self.log(), 8000)
            );
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!(
                "--- {} output ---\n{}",
                self.name,
                truncate(&self.log(), 8000)
            );
        }
    }
}

/// A relay on a free 127.0.0.1 port for one client connection to `127.0.0.1:<upstream>`.
/// It accepts, reports it ([`Gate::accepted`]), and forwards nothing until [`Gate::open`].
pub struct Gate {
    port: u16,
    accepted: Receiver<()>,
    open: Option<Sender<()>>,
}

impl Gate {
    pub fn new(upstream: u16) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the gate");
        let port = listener.local_addr().expect("gate address").port();
        let (accepted_tx, accepted) = mpsc::channel();
        let (open, open_rx) = mpsc::channel::<()>();
        // The relay thread is detached: it ends with its connection, or when the gate drops.
        thread::spawn(move || {
            let Ok((client, _)) = listener.accept() else {
                return;
            };
            let _ = accepted_tx.send(());
            if open_rx.recv().is_err() {
                return; // The test gave up; dropping `client` closes the connection.
            }
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            let timeout = Some(Duration::from_secs(60));
            for s in [&client, &server] {
                let _ = s.set_read_timeout(timeout);
            }
            let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            let up = thread::spawn(move || pipe(c2, s2));
            pipe(server, client);
            let _ = up.join();
        });
        Gate {
            port,
            accepted,
            open: Some(open),
        }
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits until a client has connected; panics after `timeout`.
    pub fn accepted(&self, timeout: Duration) {
        self.accepted
            .recv_timeout(timeout)
            .unwrap_or_else(|_| panic!("no client connected to the gate within {timeout:?}"));
    }

    /// Lets the connection through to the upstream server.
    pub fn open(&mut self) {
        if let Some(open) = self.open.take() {
            let _ = open.send(());
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        // Closing the channel ends a relay waiting for `open`; a relay still waiting for a
        // client is woken by a connection of our own (harmless if it has one already).
        self.open.take();
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Copies `from` to `to` until end of stream or an error, then half-closes `to`.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = to.flush();
    let _ = to.shutdown(Shutdown::Write);
}

/// `len` random bytes as lowercase hex (a value no run can predict, for content checks).
pub fn random_hex(len: usize) -> String {
    super::random_bytes(len)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first `max` characters of `s` (for failure messages).
pub fn head(s: &str, max: usize) -> &str {
    truncate(s, max)
}

/// The version Debian ships of `package` (`dpkg-query`), or "not installed".
pub fn debian_version(package: &str) -> String {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", package])
        .output();
    match out {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
        _ => "not installed".to_string(),
    }
}

/// Records one program scenario that passed: the program, the Debian package and version it
/// comes from, what it exchanged, and the `libssl.so.3` it ran on. Printed (shown with
/// `--nocapture`) and appended to `target/test-tmp/programs.tsv`, which `.ci/test` prints as
/// the closing table of a run.
pub fn report(program: &str, package: &str, lib: Lib, exchanged: &str) {
    let how = match lib {
        Lib::Stock => "stock",
        Lib::Ours(Mode::LibraryPath) => "LD_LIBRARY_PATH",
        Lib::Ours(Mode::Preload) => "LD_PRELOAD",
    };
    record(
        program,
        &format!("{package} {}", debian_version(package)),
        &format!("{how}: {}", lib.path().display()),
        exchanged,
    );
}

/// Appends one row (program, package and version, libssl, exchanged) to the run's table.
pub fn record(program: &str, package: &str, lib: &str, exchanged: &str) {
    let line = format!("{program}\t{package}\t{lib}\t{exchanged}");
    println!("program run: {}", line.replace('\t', " | "));
    let dir = super::repo_root().join("target/test-tmp");
    let _ = fs::create_dir_all(&dir);
    if let Ok(mut f) = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("programs.tsv"))
    {
        // One write per line: lines from parallel tests do not interleave.
        let _ = f.write_all(format!("{}\n", line.replace('\n', " ")).as_bytes());
    }
}

/// The live children of `pid` whose command name is `name` (from `/proc/<child>/stat`): the
/// worker a forking daemon does its TLS in.
pub fn children(pid: u32, name: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").expect("reading /proc").flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let stat = fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
        // `pid (comm) state ppid ...`; comm may hold spaces, so split after the last ')'.
        let Some((left, right)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = left.split_once('(').map(|(_, c)| c).unwrap_or("");
        let ppid = right.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if comm == name && ppid == Some(pid) {
            found.push(child);
        }
    }
    found
}

/// What [`s_client_reverse_echo`] sent: the random lines and their bytes.
pub struct Sent {
    pub lines: Vec<String>,
    pub bytes: usize,
}

/// Drives a line-reversing TLS server on `port` (the tests' Ruby and Perl servers) with a
/// verifying stock `openssl s_client` (`tls_flag`: `-tls1_3`/`-tls1_2`): 40 random lines, then
/// QUIT; every line must come back reversed, then `BYE <token>`. `server` is the server's
/// process (its log goes into failure messages).
pub fn s_client_reverse_echo(port: u16, tls_flag: &str, server: &Proc, token: &str) -> Sent {
    let lines: Vec<String> = (0..40).map(|_| random_hex(1000)).collect();
    let dir = TempDir::new("echo-input");
    let input = dir.join("input");
    let sent: String = lines.iter().map(|l| format!("{l}\n")).collect();
    fs::write(&input, format!("{sent}QUIT\n")).expect("writing the input");
    let mut cmd = super::command(super::OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-verify_return_error", "-quiet", "-ign_eof", tls_flag])
        .arg("-CAfile")
        .arg(super::pki().root_ca())
        .stdin(File::open(&input).expect("opening the input"));
    let out = super::run(&mut cmd, Duration::from_secs(30));
    assert!(
        out.status.success(),
        "s_client failed:\n{}\n--- server ---\n{}",
        out.stderr,
        server.log()
    );
    let mut expected: String = lines
        .iter()
        .map(|l| format!("{}\n", l.chars().rev().collect::<String>()))
        .collect();
    expected.push_str(&format!("BYE {token}\n"));
    super::assert_same_bytes(
        &out.stdout,
        expected.as_bytes(),
        "what the server sent back",
    );
    Sent {
        bytes: sent.len(),
        lines,
    }
}

/// TLS 1.3 or TLS 1.2, for the scripted clients and servers (Ruby, Perl, PHP).
#[derive(Clone, Copy, Debug)]
pub enum Tls {
    V13,
    V12,
}

impl Tls {
    /// As an `s_server`/`s_client` flag.
    pub fn flag(self) -> &'static str {
        match self {
            Tls::V13 => "-tls1_3",
            Tls::V12 => "-tls1_2",
        }
    }

    /// As OpenSSL's `SSL_get_version` names it.
    pub fn name(self) -> &'static str {
        match self {
            Tls::V13 => "TLSv1.3",
            Tls::V12 => "TLSv1.2",
        }
    }
}

/// What a [`scripted_fetch`] client printed, and the page it fetched.
pub struct Fetched {
    pub log: String,
    pub port: u16,
    pub bytes: usize,
}

/// Runs `interpreter tests/scripts/<script> PORT NAME CA UNTRUSTED_CA OUT` on `lib` against a
/// stock `s_server -WWW` (ECDSA certificate, `tls`) serving a random page NAME: the script
/// fetches it verified into OUT, tries the untrusted CA, prints `DONE` and waits on stdin (so
/// that its maps are checked while it runs). Checks the maps, the exit status, the bytes and
/// that s_server served the page; the caller checks the script's own status and refusal lines.
pub fn scripted_fetch(interpreter: &str, script: &str, lib: Lib, tls: Tls, what: &str) -> Fetched {
    let pki = super::pki();
    let mut args = pki.server(super::KeyAlg::EcdsaP256).s_server_args();
    args.extend(["-WWW".to_owned(), tls.flag().to_owned()]);
    let server = super::Server::s_server(&args);
    let name = format!("page-{}.txt", random_hex(8));
    let body = format!("{}\n", random_hex(20_000));
    fs::write(server.docroot().join(&name), &body).expect("writing the page");

    let dir = TempDir::new("scripted-client");
    let out = dir.join("body");
    let mut cmd = super::command(interpreter);
    cmd.arg(super::repo_root().join("tests/scripts").join(script))
        .arg(server.port().to_string())
        .arg(&name)
        .arg(pki.root_ca())
        .arg(pki.untrusted_ca())
        .arg(&out);
    lib.apply(&mut cmd);
    let mut client = Proc::spawn(&mut cmd, "scripted-client", true);
    let stdin = client.stdin();
    client.wait_for("DONE\n", Duration::from_secs(30));
    assert_maps(client.pid(), lib, what);
    drop(stdin);
    let ended = client.wait(Duration::from_secs(30));
    assert!(ended.status.success(), "{what} failed:\n{}", ended.log);
    let got = fs::read(&out).expect("reading the body the script wrote");
    super::assert_same_bytes(&got, body.as_bytes(), &format!("the page {what} fetched"));
    assert!(
        server.output().contains(&format!("FILE:{name}")),
        "s_server did not serve {name}:\n{}",
        server.output()
    );
    Fetched {
        log: ended.log,
        port: server.port(),
        bytes: body.len(),
    }
}
