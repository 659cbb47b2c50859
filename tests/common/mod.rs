//! Shared harness for the interop tests, which drive real, unmodified peers (`curl`, `openssl
//! s_server`, `nginx`) on loopback against ferrossl's `libssl.so.3`.
//!
//! - [`libdir`]: where the library under test lives (`FERROSSL_LIBDIR`, else
//!   `<repo>/target/ferrossl`); panics, so that tests fail rather than skip, when it is missing.
//! - [`pki`]: a test PKI made with the stock `openssl` CLI once into `target/test-pki/`
//!   (generated in a private directory and renamed into place, so parallel threads and test
//!   binaries are safe; reused while its version stamp matches and it is young).
//! - [`Server`]: an `openssl s_server` on a free 127.0.0.1 port, output captured to a file.
//! - [`Nginx`]: an nginx confined to a temporary prefix, on stock OpenSSL or on a given libdir.
//! - [`curl`]: `/usr/bin/curl` with our library injected by [`Mode::LibraryPath`] or
//!   [`Mode::Preload`]; every call first proves (once per mode) that curl resolves our library.
//! - [`progs`]: Debian programs (haproxy, `openssl` apps, python3) run on a chosen libssl, with
//!   `/proc/<pid>/maps` proof of the one each process mapped.
//!
//! Peers that are not under test (`openssl`, stock nginx) always run with `LD_LIBRARY_PATH` and
//! `LD_PRELOAD` removed. Every child process is bounded by a timeout, gets SIGTERM if the test
//! thread that started it dies, and is stopped by its guard's `Drop`.

#![allow(dead_code)]

pub mod cprog;
pub mod deb;
pub mod policy;
pub mod progs;
pub mod trixie;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const OPENSSL: &str = "/usr/bin/openssl";
pub const CURL: &str = "/usr/bin/curl";
pub const NGINX: &str = "/usr/sbin/nginx";

/// Bound on curl's own transfer time (`--max-time`).
pub const CURL_MAX_TIME_SECS: u64 = 20;
/// Bound on any helper process we wait for (the harness kills it after this).
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server gets to start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);

/// Environment variables that would change which libssl a stock peer loads, or how curl behaves.
const SCRUBBED_ENV: &[&str] = &[
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "LD_TRACE_LOADED_OBJECTS",
    "LD_DEBUG",
    "SSLKEYLOGFILE",
    "FERROSSL_LOG",
    "FERROSSL_LOG_FILE",
    "OPENSSL_CONF",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
    "http_proxy",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
];

// ---------------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------------

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    repo_root().join("target")
}

/// The directory holding the `libssl.so.3` under test. Panics (the test fails) if it is missing.
pub fn libdir() -> &'static Path {
    static LIBDIR: OnceLock<PathBuf> = OnceLock::new();
    LIBDIR.get_or_init(|| {
        let dir = match std::env::var_os("FERROSSL_LIBDIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => target_dir().join("ferrossl"),
        };
        let lib = dir.join("libssl.so.3");
        assert!(
            lib.is_file(),
            "the library under test is missing: {} does not exist.\n\
             Build it with `make lib`, or point FERROSSL_LIBDIR at a directory holding libssl.so.3.",
            lib.display()
        );
        dir
    })
}

/// The functions OpenSSL 3.5's libssl exports, each with its version node (`abi/libssl.exports`:
/// `OPENSSL_3.0.0` for the 518 of OpenSSL 3.0, then `OPENSSL_3.2.0` .. `OPENSSL_3.5.0`).
#[allow(dead_code)]
pub fn exports() -> std::collections::BTreeMap<String, String> {
    let path = repo_root().join("abi/libssl.exports");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
        .collect()
}

/// The 518 functions of OpenSSL 3.0's libssl (node `OPENSSL_3.0.0`).
#[allow(dead_code)]
pub fn exports_3_0() -> std::collections::BTreeSet<String> {
    exports()
        .into_iter()
        .filter(|(_, v)| v == "OPENSSL_3.0.0")
        .map(|(n, _)| n)
        .collect()
}

/// The `libssl.so.3` under test.
pub fn libssl_path() -> PathBuf {
    libdir().join("libssl.so.3")
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

extern "C" {
    fn prctl(option: i32, ...) -> i32;
    fn kill(pid: i32, sig: i32) -> i32;
}
const PR_SET_PDEATHSIG: i32 = 1;
const SIGTERM: i32 = 15;

/// A `Command` for `program` with the environment scrubbed (see [`SCRUBBED_ENV`]) and which gets
/// SIGTERM if the thread that spawns it dies, so a crashed test leaves no process behind.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null());
    // SAFETY: prctl(PR_SET_PDEATHSIG) is a plain system call, safe to make between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if prctl(PR_SET_PDEATHSIG, SIGTERM as std::ffi::c_ulong) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

/// What a finished process left behind.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Output {
    /// The exit code; panics (with stderr) if the process was killed by a signal, e.g. crashed.
    pub fn code(&self) -> i32 {
        match self.status.code() {
            Some(code) => code,
            None => panic!(
                "process was killed by signal {:?}\nstderr:\n{}",
                self.status.signal(),
                self.stderr
            ),
        }
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics with the process's stderr unless it exited 0.
    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        assert_eq!(self.code(), 0, "process failed\nstderr:\n{}", self.stderr);
        self
    }

    /// Panics with the process's stderr unless it exited with `code`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            truncate(&self.stdout_str(), 4000),
            self.stderr
        );
        self
    }
}

/// Runs `cmd` to completion with captured output, killing it after `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let stdout = reader_thread(child.stdout.take().expect("piped stdout"));
    let stderr = reader_thread(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for a child") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let err = stderr.join().unwrap_or_default();
            panic!(
                "{cmd:?} did not finish within {timeout:?}; killed it.\nstderr:\n{}",
                String::from_utf8_lossy(&err)
            );
        }
        thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned(),
    }
}

fn reader_thread(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Runs the stock `openssl` CLI (never on the library under test); panics if it fails.
pub fn openssl(args: &[&str], cwd: &Path) -> Output {
    let mut cmd = command(OPENSSL);
    cmd.args(args).current_dir(cwd);
    let out = run(&mut cmd, PROCESS_TIMEOUT);
    assert_eq!(out.code(), 0, "{cmd:?} failed\nstderr:\n{}", out.stderr);
    out
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

// ---------------------------------------------------------------------------------------------
// Temporary directories, ports, data
// ---------------------------------------------------------------------------------------------

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{}-{}-{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A directory under `target/test-tmp/`, removed on drop unless the test is failing (then it is
/// kept, and its path printed, for inspection).
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let path = target_dir()
            .join("test-tmp")
            .join(format!("{prefix}-{}", unique_suffix()));
        fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!(
                "test failed: keeping {} for inspection",
                self.path.display()
            );
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago and that this process has not handed out
/// before (so parallel tests in one binary never share one).
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    for _ in 0..100 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("binding an ephemeral port on 127.0.0.1")
            .port();
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(PoisonError::into_inner);
        if handed_out.insert(port) {
            return port;
        }
    }
    panic!("could not find a fresh free port");
}

/// True if something listens on TCP port `port` of 127.0.0.1 (or of every IPv4 address).
fn is_listening(port: u16) -> bool {
    let Ok(table) = fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    let wanted = format!(":{port:04X}");
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 3
            && fields[3] == "0A" // TCP_LISTEN
            && fields[1].ends_with(&wanted)
            && (fields[1].starts_with("0100007F") || fields[1].starts_with("00000000"))
    })
}

/// `len` pseudo-random bytes (xorshift; different on every call).
pub fn random_bytes(len: usize) -> Vec<u8> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let mut state = nanos ^ (COUNTER.fetch_add(1, Ordering::Relaxed) << 40) ^ 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Asserts two byte strings are equal without dumping a megabyte on failure.
#[track_caller]
pub fn assert_same_bytes(got: &[u8], expected: &[u8], what: &str) {
    if got != expected {
        let first_diff = got.iter().zip(expected).position(|(a, b)| a != b);
        panic!(
            "{what}: got {} bytes, expected {} bytes; first difference at {:?}",
            got.len(),
            expected.len(),
            first_diff
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Test PKI
// ---------------------------------------------------------------------------------------------

/// Bump when the layout or content of the PKI changes, so a stale `target/test-pki` is replaced.
const PKI_VERSION: &str = "ferrossl-test-pki v1";
/// A PKI older than this is regenerated (its certificates are valid far longer).
const PKI_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// Passphrase of the encrypted client keys.
pub const CLIENT_KEY_PASSPHRASE: &str = "ferrossl-test-passphrase";
/// Common name of the client certificate.
pub const CLIENT_CN: &str = "ferrossl test client";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlg {
    Rsa2048,
    EcdsaP256,
    Ed25519,
}

impl KeyAlg {
    pub const ALL: [KeyAlg; 3] = [KeyAlg::Rsa2048, KeyAlg::EcdsaP256, KeyAlg::Ed25519];

    pub fn name(self) -> &'static str {
        match self {
            KeyAlg::Rsa2048 => "rsa",
            KeyAlg::EcdsaP256 => "ecdsa",
            KeyAlg::Ed25519 => "ed25519",
        }
    }
}

/// A certificate, its private key, and the chain a server sends.
#[derive(Clone, Debug)]
pub struct CertKey {
    /// The leaf certificate alone.
    pub cert: PathBuf,
    /// Its private key (PKCS#8 PEM, unencrypted).
    pub key: PathBuf,
    /// The leaf followed by the intermediates (what nginx's `ssl_certificate` takes).
    pub chain: PathBuf,
    /// The intermediates alone, if any (what `s_server -cert_chain` takes).
    pub intermediates: Option<PathBuf>,
}

impl CertKey {
    /// `s_server` arguments that serve this certificate with its chain.
    pub fn s_server_args(&self) -> Vec<String> {
        let mut args = vec![
            "-cert".to_owned(),
            path_str(&self.cert),
            "-key".to_owned(),
            path_str(&self.key),
        ];
        if let Some(intermediates) = &self.intermediates {
            args.push("-cert_chain".to_owned());
            args.push(path_str(intermediates));
        }
        args
    }
}

pub fn path_str(path: &Path) -> String {
    path.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
        .to_owned()
}

/// The test PKI (see [`pki`]). Every file is PEM.
///
/// - `root-ca`: self-signed RSA-2048 root, the trust anchor given to clients.
/// - `intermediate-ca`: ECDSA P-256 CA signed by the root (pathlen 0).
/// - `server-{rsa,ecdsa,ed25519}`: leaves for DNS `localhost` and IP 127.0.0.1, signed by the
///   intermediate, with `.chain.pem` = leaf + intermediate.
/// - `wrong-host`: leaf (ECDSA) whose only SAN is DNS `wrong.example`, signed by the intermediate.
/// - `untrusted-ca` / `untrusted-server`: an unrelated root and its `localhost` leaf.
/// - `client`: RSA-2048 client-auth leaf signed by the root, its key as unencrypted PKCS#8, as
///   unencrypted traditional (`BEGIN RSA PRIVATE KEY`), as encrypted PKCS#8 (PBES2, AES-256-CBC)
///   and as encrypted traditional PEM (`DEK-Info: AES-256-CBC`), passphrase
///   [`CLIENT_KEY_PASSPHRASE`].
pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn root_ca(&self) -> PathBuf {
        self.file("root-ca.pem")
    }

    pub fn intermediate_ca(&self) -> PathBuf {
        self.file("intermediate-ca.pem")
    }

    fn leaf(&self, name: &str, intermediates: Option<PathBuf>) -> CertKey {
        CertKey {
            cert: self.file(&format!("{name}.pem")),
            key: self.file(&format!("{name}.key")),
            chain: self.file(&format!("{name}.chain.pem")),
            intermediates,
        }
    }

    /// A `localhost`/127.0.0.1 server certificate chaining to [`Pki::root_ca`].
    pub fn server(&self, alg: KeyAlg) -> CertKey {
        self.leaf(
            &format!("server-{}", alg.name()),
            Some(self.intermediate_ca()),
        )
    }

    /// A server certificate, chaining to the root, whose only name is `wrong.example`.
    pub fn wrong_host_server(&self) -> CertKey {
        self.leaf("wrong-host", Some(self.intermediate_ca()))
    }

    pub fn untrusted_ca(&self) -> PathBuf {
        self.file("untrusted-ca.pem")
    }

    /// A `localhost` server certificate issued by [`Pki::untrusted_ca`] (chain = leaf only).
    pub fn untrusted_server(&self) -> CertKey {
        self.leaf("untrusted-server", None)
    }

    /// The client certificate (issued by the root) with its unencrypted PKCS#8 key.
    pub fn client(&self) -> CertKey {
        self.leaf("client", None)
    }

    /// The client key as unencrypted traditional PEM (`BEGIN RSA PRIVATE KEY`).
    pub fn client_key_traditional(&self) -> PathBuf {
        self.file("client.traditional.key")
    }

    /// The client key as encrypted PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`, AES-256-CBC).
    pub fn client_key_encrypted(&self) -> PathBuf {
        self.file("client.enc.key")
    }

    /// The client key as encrypted traditional PEM (`Proc-Type: 4,ENCRYPTED`, AES-256-CBC).
    pub fn client_key_encrypted_traditional(&self) -> PathBuf {
        self.file("client.enc-traditional.key")
    }
}

/// The test PKI in `target/test-pki/`, generated on first use.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| Pki { dir: ensure_pki() })
}

fn pki_is_current(dir: &Path) -> bool {
    let stamp = dir.join("VERSION");
    let Ok(content) = fs::read_to_string(&stamp) else {
        return false;
    };
    let young = fs::metadata(&stamp)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age < PKI_MAX_AGE);
    content.trim() == PKI_VERSION && young
}

fn ensure_pki() -> PathBuf {
    let dir = target_dir().join("test-pki");
    if pki_is_current(&dir) {
        return dir;
    }
    let staging = target_dir().join(format!("test-pki.tmp-{}", unique_suffix()));
    fs::create_dir_all(&staging).expect("creating the PKI staging directory");
    generate_pki(&staging);
    // The stamp is written last: a directory with a valid stamp is complete.
    fs::write(staging.join("VERSION"), format!("{PKI_VERSION}\n")).expect("writing the PKI stamp");
    for _ in 0..10 {
        match fs::rename(&staging, &dir) {
            Ok(()) => return dir,
            Err(_) if pki_is_current(&dir) => {
                // Another test process or thread won the race; use its PKI.
                let _ = fs::remove_dir_all(&staging);
                return dir;
            }
            Err(_) => {
                // A stale or incomplete PKI is in the way: move it aside, then retry.
                let trash = target_dir().join(format!("test-pki.stale-{}", unique_suffix()));
                if fs::rename(&dir, &trash).is_ok() {
                    let _ = fs::remove_dir_all(&trash);
                }
            }
        }
    }
    panic!("could not install the test PKI into {}", dir.display());
}

const PKI_OPENSSL_CNF: &str = r"
[req]
distinguished_name = dn
prompt = no

[dn]
CN = unused

[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[v3_intermediate]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_server_rsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_wrong_host]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Generates the PKI described at [`Pki`] into `dir`, with the stock `openssl` CLI.
fn generate_pki(dir: &Path) {
    fs::write(dir.join("openssl.cnf"), PKI_OPENSSL_CNF).expect("writing openssl.cnf");
    let gen = PkiGen { dir };

    gen.key("root-ca", KeyAlg::Rsa2048);
    gen.self_signed("root-ca", "/O=ferrossl tests/CN=ferrossl Test Root CA");
    gen.key("intermediate-ca", KeyAlg::EcdsaP256);
    let subject = "/O=ferrossl tests/CN=ferrossl Test Intermediate CA";
    gen.issue("intermediate-ca", subject, "root-ca", "v3_intermediate");

    for alg in KeyAlg::ALL {
        let name = format!("server-{}", alg.name());
        let ext = match alg {
            KeyAlg::Rsa2048 => "v3_server_rsa",
            _ => "v3_server",
        };
        gen.key(&name, alg);
        gen.issue(
            &name,
            "/O=ferrossl tests/CN=localhost",
            "intermediate-ca",
            ext,
        );
        gen.chain(&name, Some("intermediate-ca"));
    }

    gen.key("wrong-host", KeyAlg::EcdsaP256);
    let subject = "/O=ferrossl tests/CN=wrong.example";
    gen.issue("wrong-host", subject, "intermediate-ca", "v3_wrong_host");
    gen.chain("wrong-host", Some("intermediate-ca"));

    gen.key("untrusted-ca", KeyAlg::EcdsaP256);
    gen.self_signed("untrusted-ca", "/O=somebody else/CN=Untrusted Root CA");
    gen.key("untrusted-server", KeyAlg::EcdsaP256);
    let subject = "/O=somebody else/CN=localhost";
    gen.issue("untrusted-server", subject, "untrusted-ca", "v3_server");
    gen.chain("untrusted-server", None);

    gen.key("client", KeyAlg::Rsa2048);
    let subject = format!("/O=ferrossl tests/CN={CLIENT_CN}");
    gen.issue("client", &subject, "root-ca", "v3_client");
    gen.chain("client", None);
    let pass = format!("pass:{CLIENT_KEY_PASSPHRASE}");
    gen.run(
        "pkey -in client.key -traditional -out client.traditional.key",
        &[],
    );
    gen.run(
        "pkey -in client.key -aes-256-cbc -out client.enc.key",
        &["-passout", &pass],
    );
    gen.run(
        "pkey -in client.key -traditional -aes-256-cbc -out client.enc-traditional.key",
        &["-passout", &pass],
    );

    // Sanity: every leaf verifies against its root with the stock OpenSSL.
    for name in [
        "server-rsa",
        "server-ecdsa",
        "server-ed25519",
        "wrong-host",
        "client",
    ] {
        let cmd = format!("verify -CAfile root-ca.pem -untrusted intermediate-ca.pem {name}.pem");
        gen.run(&cmd, &[]);
    }
    gen.run("verify -CAfile untrusted-ca.pem untrusted-server.pem", &[]);
}

/// Runs the `openssl` commands of [`generate_pki`] in the PKI's directory.
struct PkiGen<'a> {
    dir: &'a Path,
}

impl PkiGen<'_> {
    /// Runs `openssl <cmdline> <extra>`; `cmdline` is split at whitespace, `extra` is not.
    fn run(&self, cmdline: &str, extra: &[&str]) {
        let mut args: Vec<&str> = cmdline.split_whitespace().collect();
        args.extend_from_slice(extra);
        openssl(&args, self.dir);
    }

    fn key(&self, name: &str, alg: KeyAlg) {
        let algorithm = match alg {
            KeyAlg::Rsa2048 => "-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
            KeyAlg::EcdsaP256 => "-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
            KeyAlg::Ed25519 => "-algorithm ED25519",
        };
        self.run(&format!("genpkey {algorithm} -out {name}.key"), &[]);
    }

    /// A self-signed root CA certificate `<name>.pem` for `<name>.key`.
    fn self_signed(&self, name: &str, subject: &str) {
        let cmd = format!(
            "req -config openssl.cnf -new -x509 -sha256 -days 3650 -extensions v3_root \
             -key {name}.key -out {name}.pem"
        );
        self.run(&cmd, &["-subj", subject]);
    }

    /// A certificate `<name>.pem` for `<name>.key`, issued by `<issuer>.pem` with the extension
    /// section `ext` of openssl.cnf.
    fn issue(&self, name: &str, subject: &str, issuer: &str, ext: &str) {
        let cmd = format!("req -config openssl.cnf -new -key {name}.key -out {name}.csr");
        self.run(&cmd, &["-subj", subject]);
        let cmd = format!(
            "x509 -req -in {name}.csr -CA {issuer}.pem -CAkey {issuer}.key \
             -CAserial {issuer}.srl -CAcreateserial -sha256 -days 3650 \
             -extfile openssl.cnf -extensions {ext} -out {name}.pem"
        );
        self.run(&cmd, &[]);
        let _ = fs::remove_file(self.dir.join(format!("{name}.csr")));
    }

    /// `<name>.chain.pem` = `<name>.pem` followed by `<intermediate>.pem`, if any.
    fn chain(&self, name: &str, intermediate: Option<&str>) {
        let mut pem = Vec::new();
        for part in std::iter::once(name).chain(intermediate) {
            let path = self.dir.join(format!("{part}.pem"));
            pem.extend(fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        }
        fs::write(self.dir.join(format!("{name}.chain.pem")), pem).expect("writing a chain file");
    }
}

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

/// Polls until `child` listens on `port` (and `ready` holds), or it exits, or time runs out.
/// Returns `Err(())` if the child exited (e.g. the port was taken), panics on timeout.
fn wait_until_listening(
    child: &mut Child,
    port: u16,
    what: &str,
    mut ready: impl FnMut() -> bool,
) -> Result<(), ()> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if child.try_wait().expect("waiting for a server").is_some() {
            return Err(());
        }
        if is_listening(port) && ready() {
            return Ok(());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not listen on 127.0.0.1:{port} within {STARTUP_TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// An `openssl s_server` (stock OpenSSL) on a free port of 127.0.0.1, killed on drop.
///
/// It runs in its own directory: `docroot()` is its working directory (what `-WWW` serves),
/// and its stdout and stderr go to `log()`.
pub struct Server {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Server {
    /// Starts `openssl s_server -accept 127.0.0.1:<port> <args>` and waits until it listens.
    pub fn s_server<S: AsRef<OsStr>>(args: &[S]) -> Server {
        let dir = TempDir::new("s_server");
        let docroot = dir.join("www");
        fs::create_dir_all(&docroot).expect("creating the s_server docroot");
        let log_path = dir.join("s_server.log");
        for _attempt in 0..5 {
            let port = free_port();
            let log = File::create(&log_path).expect("creating the s_server log");
            let mut cmd = command(OPENSSL);
            cmd.arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .args(args)
                .current_dir(&docroot)
                .stdout(log.try_clone().expect("cloning a file handle"))
                .stderr(log);
            let mut child = cmd.spawn().expect("starting openssl s_server");
            // s_server prints ACCEPT once it listens; checking it (not just the port) makes sure
            // the listener is this process.
            let started = wait_until_listening(&mut child, port, "openssl s_server", || {
                fs::read_to_string(&log_path).is_ok_and(|s| s.contains("ACCEPT"))
            });
            if started.is_ok() {
                return Server { child, port, dir };
            }
            let log = fs::read_to_string(&log_path).unwrap_or_default();
            assert!(
                log.contains("in use"),
                "openssl s_server {:?} exited at startup:\n{log}",
                args.iter().map(AsRef::as_ref).collect::<Vec<&OsStr>>()
            );
        }
        panic!("openssl s_server could not find a free port");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://localhost:<port>/<path>`.
    pub fn url(&self, path: &str) -> String {
        https_url(self.port, path)
    }

    /// The server's working directory (`-WWW` serves files from here).
    pub fn docroot(&self) -> PathBuf {
        self.dir.join("www")
    }

    pub fn log(&self) -> PathBuf {
        self.dir.join("s_server.log")
    }

    /// What the server has printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        fs::read_to_string(self.log()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!(
                "--- openssl s_server output ---\n{}",
                truncate(&self.output(), 8000)
            );
        }
    }
}

/// `https://localhost:<port>/<path>` (`path` without its leading slash).
pub fn https_url(port: u16, path: &str) -> String {
    format!("https://localhost:{port}/{}", path.trim_start_matches('/'))
}

/// An nginx confined to a temporary prefix directory: `daemon off`, its own pid file, logs and
/// temp paths. Stopped (SIGTERM to the master, which stops its worker) on drop.
///
/// The http-level config gets a log format `interop` and `access_log <dir>/access.log interop`,
/// which records `$ssl_protocol`, `$ssl_cipher`, `reused=$ssl_session_reused` and
/// `$server_protocol` for each request.
pub struct Nginx {
    child: Child,
    port: u16,
    dir: TempDir,
}

/// The whole nginx.conf for a prefix directory, with `servers` inside `http { }`.
fn nginx_config(dir: &Path, servers: &str) -> String {
    // The user directive only means something (and is only allowed quietly) as root; as root
    // we keep the workers root too, so that they can read the test files.
    let is_root = fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let d = dir.display();
    format!(
        "{user}daemon off;\n\
         master_process on;\n\
         worker_processes 1;\n\
         pid {d}/nginx.pid;\n\
         error_log {d}/error.log info;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
         \x20   default_type application/octet-stream;\n\
         \x20   log_format interop '$remote_addr \"$request\" $status $body_bytes_sent '\n\
         \x20       '$ssl_protocol $ssl_cipher reused=$ssl_session_reused $server_protocol';\n\
         \x20   access_log {d}/access.log interop;\n\
         \x20   client_body_temp_path {d}/client_body_temp;\n\
         \x20   proxy_temp_path {d}/proxy_temp;\n\
         \x20   fastcgi_temp_path {d}/fastcgi_temp;\n\
         \x20   uwsgi_temp_path {d}/uwsgi_temp;\n\
         \x20   scgi_temp_path {d}/scgi_temp;\n\
         {servers}\n\
         }}\n",
        user = if is_root { "user root;\n" } else { "" },
    )
}

impl Nginx {
    /// Writes a configuration into a new prefix directory without starting nginx (for
    /// `nginx -t`); returns the directory, which holds `nginx.conf`.
    pub fn config_only(_libdir: Option<&Path>, servers: impl Fn(u16, &Path) -> String) -> TempDir {
        let dir = TempDir::new("nginx-conf");
        fs::create_dir_all(dir.join("html")).expect("creating nginx's html dir");
        let conf = nginx_config(dir.path(), &servers(free_port(), dir.path()));
        fs::write(dir.join("nginx.conf"), conf).expect("writing nginx.conf");
        dir
    }

    /// Starts nginx. `libdir`: `None` runs it on the stock OpenSSL, `Some(dir)` on the
    /// `libssl.so.3` in `dir` (through `LD_LIBRARY_PATH`). `servers(port, dir)` returns the
    /// `server { ... }` blocks (placed inside `http { }`); `dir` is nginx's prefix directory,
    /// which holds an empty `html/` for content.
    pub fn start(libdir: Option<&Path>, servers: impl Fn(u16, &Path) -> String) -> Nginx {
        let dir = TempDir::new("nginx");
        fs::create_dir_all(dir.join("html")).expect("creating nginx's html dir");
        let error_log = dir.join("error.log");
        for _attempt in 0..5 {
            let port = free_port();
            let conf = nginx_config(dir.path(), &servers(port, dir.path()));
            let conf_path = dir.join("nginx.conf");
            fs::write(&conf_path, conf).expect("writing nginx.conf");
            let _ = fs::remove_file(&error_log);
            let mut cmd = command(NGINX);
            cmd.arg("-e")
                .arg(&error_log)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(&conf_path)
                .stdout(File::create(dir.join("stdout.log")).expect("creating nginx's stdout"))
                .stderr(File::create(dir.join("stderr.log")).expect("creating nginx's stderr"));
            if let Some(libdir) = libdir {
                cmd.env("LD_LIBRARY_PATH", libdir);
            }
            let mut child = cmd.spawn().expect("starting nginx");
            if wait_until_listening(&mut child, port, "nginx", || true).is_ok() {
                return Nginx { child, port, dir };
            }
            let log = fs::read_to_string(&error_log).unwrap_or_default()
                + &fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
            assert!(
                log.contains("Address already in use"),
                "nginx exited at startup:\n{log}"
            );
        }
        panic!("nginx could not find a free port");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://localhost:<port>/<path>`.
    pub fn url(&self, path: &str) -> String {
        https_url(self.port, path)
    }

    /// The prefix directory (config, logs, pid).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The `html/` directory inside the prefix.
    pub fn html_dir(&self) -> PathBuf {
        self.dir.join("html")
    }

    /// The access log's lines so far (format `interop`, see [`Nginx`]).
    pub fn access_log(&self) -> Vec<String> {
        fs::read_to_string(self.dir.join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub fn error_log(&self) -> String {
        fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its worker; SIGKILL would orphan it.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on our own child, which has not been reaped yet.
            unsafe { kill(pid, SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!(
                "--- nginx error.log ---\n{}",
                truncate(&self.error_log(), 8000)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// curl
// ---------------------------------------------------------------------------------------------

/// How the library under test is put under curl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `LD_LIBRARY_PATH=<libdir>`: the loader resolves libcurl's `libssl.so.3` to ours.
    LibraryPath,
    /// `LD_PRELOAD=<libdir>/libssl.so.3`: ours is loaded first and satisfies the soname.
    Preload,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::LibraryPath, Mode::Preload];

    /// Sets (or removes) the loader variables on `cmd` for this mode.
    pub fn apply(self, cmd: &mut Command) {
        match self {
            Mode::LibraryPath => {
                cmd.env("LD_LIBRARY_PATH", libdir())
                    .env_remove("LD_PRELOAD");
            }
            Mode::Preload => {
                cmd.env("LD_PRELOAD", libssl_path())
                    .env_remove("LD_LIBRARY_PATH");
            }
        }
    }
}

/// The `libssl.so.3` the dynamic loader resolves for `/usr/bin/curl` in `mode`, as the loader
/// names it (not canonicalized), from `LD_TRACE_LOADED_OBJECTS=1`.
pub fn loaded_libssl(mode: Mode) -> PathBuf {
    let mut cmd = command(CURL);
    mode.apply(&mut cmd);
    cmd.env("LD_TRACE_LOADED_OBJECTS", "1");
    let out = run(&mut cmd, PROCESS_TIMEOUT);
    out.assert_success();
    let listing = out.stdout_str();
    let found: Vec<PathBuf> = listing
        .lines()
        .filter_map(|line| {
            // "\tlibssl.so.3 => /path/libssl.so.3 (0x...)" or, when preloaded,
            // "\t/path/libssl.so.3 (0x...)".
            let line = line.trim();
            let path = match line.split_once(" => ") {
                Some(("libssl.so.3", rest)) => rest.split(" (").next()?,
                Some(_) => return None,
                None => line.split(" (").next()?,
            };
            let path = Path::new(path.trim());
            (path.file_name() == Some(OsStr::new("libssl.so.3"))).then(|| path.to_owned())
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one libssl.so.3 for curl in {mode:?}:\n{listing}"
    );
    found.into_iter().next().unwrap()
}

/// Panics unless curl, run in `mode`, resolves `libssl.so.3` to the library under test: the
/// file the loader names must be in [`libdir`] and be the same file as [`libssl_path`].
pub fn assert_curl_loads_ours(mode: Mode) {
    let loaded = loaded_libssl(mode);
    let canon = |p: &Path| {
        p.canonicalize()
            .unwrap_or_else(|e| panic!("canonicalizing {}: {e}", p.display()))
    };
    let loaded_dir = canon(loaded.parent().expect("a library path has a parent"));
    assert_eq!(
        loaded_dir,
        canon(libdir()),
        "curl in {mode:?} loads {} instead of the library under test {}",
        loaded.display(),
        libssl_path().display()
    );
    assert_eq!(canon(&loaded), canon(&libssl_path()));
}

/// Runs `/usr/bin/curl` on the library under test, injected as `mode`, with `args` after
/// `-q --silent --show-error --ipv4 --noproxy * --max-time 20`. Before the first call in each
/// mode, proves that curl loads our library (see [`assert_curl_loads_ours`]).
pub fn curl<S: AsRef<OsStr>>(mode: Mode, args: &[S]) -> Output {
    static CHECKED: [OnceLock<()>; 2] = [OnceLock::new(), OnceLock::new()];
    CHECKED[mode as usize].get_or_init(|| assert_curl_loads_ours(mode));

    let mut cmd = command(CURL);
    mode.apply(&mut cmd);
    cmd.args([
        "-q",
        "--silent",
        "--show-error",
        "--ipv4",
        "--noproxy",
        "*",
        "--max-time",
    ])
    .arg(CURL_MAX_TIME_SECS.to_string())
    .args(args);
    run(&mut cmd, Duration::from_secs(CURL_MAX_TIME_SECS + 30))
}
