//! Debian's unmodified apache2 (mod_ssl, event MPM) as a TLS server on ferrossl. One apache
//! serves three name-based virtual hosts on one port, chosen by SNI:
//!
//! - `localhost` (the default): the ECDSA server certificate; `/secure/` asks for a client
//!   certificate per directory, which needs renegotiation (TLS 1.2) or post-handshake
//!   authentication (TLS 1.3). ferrossl refuses both: apache must answer 403 and log why.
//! - `wrong.example`: `SSLVerifyClient require`; mod_headers echoes `SSL_CLIENT_S_DN`.
//! - `ocsp.example`: a certificate made here with an AIA OCSP URL, stapled with the response of a
//!   stock `openssl ocsp` responder.
//!
//! Stock curl and `openssl s_client` fetch random files and check each name's certificate, TLS
//! 1.2 and 1.3, session resumption through the shmcb cache, client authentication and stapling.
//! apache runs on ferrossl through `LD_LIBRARY_PATH` and `LD_PRELOAD`, and once on stock
//! OpenSSL, which proves the test itself.

mod common;

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Output, TempDir, CURL, OPENSSL};

const APACHE: &str = "/usr/sbin/apache2";
const MODULES: &str = "/usr/lib/apache2/modules";
/// apache's `Timeout`: how long a worker waits for a renegotiation the library refused.
const TIMEOUT_SECS: u64 = 2;

/// The certificate with an AIA OCSP URL, issued here by the test intermediate CA.
struct OcspCert {
    chain: PathBuf,
    key: PathBuf,
}

/// Issues `ocsp.example`'s certificate (AIA OCSP `http://127.0.0.1:<port>/`) and writes the
/// responder's `index.txt` with its serial, using the stock CLI.
fn issue_ocsp_cert(dir: &Path, port: u16) -> OcspCert {
    let ext = format!(
        "[leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = DNS:ocsp.example\n\
         authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n"
    );
    fs::write(dir.join("ext.cnf"), ext).expect("writing ext.cnf");
    let ca = path_str(&pki().intermediate_ca());
    let ca_key = path_str(&pki().dir.join("intermediate-ca.key"));
    let serial = random_hex(8).to_uppercase();
    let subject = "/O=ferrossl tests/CN=ocsp.example";
    let run = |cmdline: String| {
        let args: Vec<&str> = cmdline.split(' ').collect();
        common::openssl(&args, dir)
    };
    run("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key".into());
    common::openssl(
        &[
            "req", "-new", "-key", "leaf.key", "-subj", subject, "-out", "leaf.csr",
        ],
        dir,
    );
    run(format!(
        "x509 -req -in leaf.csr -CA {ca} -CAkey {ca_key} -set_serial 0x{serial} -days 30 \
         -extfile ext.cnf -extensions leaf -out leaf.pem"
    ));
    let out = common::openssl(&["x509", "-in", "leaf.pem", "-noout", "-enddate"], dir);
    let end = openssl_date_to_index(out.stdout_str().trim().trim_start_matches("notAfter="));
    let index = format!("V\t{end}\t\t{serial}\tunknown\t{subject}\n");
    fs::write(dir.join("index.txt"), index).expect("writing index.txt");
    let mut chain = fs::read(dir.join("leaf.pem")).expect("reading leaf.pem");
    chain.extend(fs::read(pki().intermediate_ca()).expect("reading the intermediate"));
    fs::write(dir.join("leaf.chain.pem"), chain).expect("writing the chain");
    OcspCert {
        chain: dir.join("leaf.chain.pem"),
        key: dir.join("leaf.key"),
    }
}

/// `Dec 31 13:23:11 2026 GMT` (what `x509 -enddate` prints) as an index.txt date, `261231132311Z`.
fn openssl_date_to_index(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let f: Vec<&str> = date.split_whitespace().collect();
    assert!(f.len() == 5 && f[4] == "GMT", "unexpected date {date:?}");
    let month = MONTHS.iter().position(|m| *m == f[0]).expect("a month") + 1;
    let day: u32 = f[1].parse().expect("a day");
    format!("{}{month:02}{day:02}{}Z", &f[3][2..], f[2].replace(':', ""))
}

/// A stock `openssl ocsp` responder for the certificates in `dir/index.txt`.
fn ocsp_responder(dir: &Path, port: u16) -> Proc {
    let ca = path_str(&pki().intermediate_ca());
    let ca_key = path_str(&pki().dir.join("intermediate-ca.key"));
    let mut cmd = common::command(OPENSSL);
    // `-port` of OpenSSL 3.0 takes a number only: the responder listens on every address.
    cmd.current_dir(dir)
        .args(["ocsp", "-index", "index.txt", "-port", &port.to_string()])
        .args(["-rsigner", &ca, "-rkey", &ca_key, "-CA", &ca]);
    let mut proc = Proc::spawn(&mut cmd, "openssl-ocsp", false);
    proc.wait_for(
        "waiting for OCSP client connections",
        Duration::from_secs(10),
    );
    proc
}

/// The MPM lines: one event child with threads, or `n` single-threaded prefork children.
fn mpm(prefork: Option<u32>) -> String {
    match prefork {
        None => format!(
            "LoadModule mpm_event_module {MODULES}/mod_mpm_event.so\nStartServers 1\n\
             ServerLimit 1\nThreadsPerChild 8\nMaxRequestWorkers 8\nMinSpareThreads 1\n\
             MaxSpareThreads 8\n"
        ),
        Some(n) => format!(
            "LoadModule mpm_prefork_module {MODULES}/mod_mpm_prefork.so\nStartServers {n}\n\
             ServerLimit {n}\nMinSpareServers {n}\nMaxSpareServers {n}\n"
        ),
    }
}

fn config(port: u16, dir: &Path, ocsp: &OcspCert, prefork: Option<u32>) -> String {
    let d = path_str(dir);
    let ecdsa = pki().server(KeyAlg::EcdsaP256);
    let wrong = pki().wrong_host_server();
    let root = path_str(&pki().root_ca());
    let modules: String = [
        ("authz_core", "authz_core"),
        ("mime", "mime"),
        ("headers", "headers"),
        ("socache_shmcb", "socache_shmcb"),
        ("ssl", "ssl"),
    ]
    .iter()
    .map(|(name, file)| format!("LoadModule {name}_module {MODULES}/mod_{file}.so\n"))
    .collect();
    format!(
        "ServerRoot {d}\nPidFile {d}/run/httpd.pid\nDefaultRuntimeDir {d}/run\n\
         ErrorLog /dev/stderr\nLogLevel info ssl:trace2\nMutex posixsem\n{}{modules}\
         User www-data\nGroup www-data\nServerName localhost\nTimeout {TIMEOUT_SECS}\n\
         Listen 127.0.0.1:{port}\n\
         TypesConfig /etc/mime.types\nDocumentRoot {d}/www\n\
         SSLSessionCache shmcb:{d}/run/scache(512000)\n\
         SSLStaplingCache shmcb:{d}/run/stapling(128000)\n\
         <VirtualHost 127.0.0.1:{port}>\n  ServerName localhost\n  SSLEngine on\n\
         \x20 SSLCertificateFile {}\n  SSLCertificateKeyFile {}\n\
         \x20 SSLCACertificateFile {root}\n\
         \x20 <Location /secure>\n    SSLVerifyClient require\n  </Location>\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:{port}>\n  ServerName wrong.example\n  SSLEngine on\n\
         \x20 SSLCertificateFile {}\n  SSLCertificateKeyFile {}\n\
         \x20 SSLVerifyClient require\n  SSLCACertificateFile {root}\n\
         \x20 Header set X-Client-DN \"%{{SSL_CLIENT_S_DN}}s\"\n</VirtualHost>\n\
         <VirtualHost 127.0.0.1:{port}>\n  ServerName ocsp.example\n  SSLEngine on\n\
         \x20 SSLUseStapling on\n  SSLCertificateFile {}\n  SSLCertificateKeyFile {}\n\
         </VirtualHost>\n",
        mpm(prefork),
        path_str(&ecdsa.chain),
        path_str(&ecdsa.key),
        path_str(&wrong.chain),
        path_str(&wrong.key),
        path_str(&ocsp.chain),
        path_str(&ocsp.key),
    )
}

/// apache in the foreground; stopped with SIGTERM on drop so the master stops its workers (a
/// SIGKILL would leave them behind).
struct Apache {
    proc: Proc,
    port: u16,
}

impl Apache {
    fn log(&self) -> String {
        self.proc.log()
    }

    /// The worker processes: the master's children.
    fn workers(&self) -> Vec<u32> {
        let master = self.proc.pid().to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found: Vec<u32> = fs::read_dir("/proc")
                .expect("reading /proc")
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                    // pid (comm) state ppid ...: the comm may hold spaces, so split after ')'.
                    stat.rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                        == Some(master.as_str())
                })
                .collect();
            if !found.is_empty() || Instant::now() > deadline {
                return found;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Apache {
    fn drop(&mut self) {
        let pid = self.proc.pid().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.proc.is_running() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
    }
}

fn start_apache(lib: Lib, dir: &Path, ocsp: &OcspCert, prefork: Option<u32>) -> Apache {
    let (proc, port) = Proc::server(
        "apache2",
        |port| {
            let conf = dir.join(format!("httpd-{port}.conf"));
            fs::write(&conf, config(port, dir, ocsp, prefork)).expect("writing httpd.conf");
            let mut cmd = common::command(APACHE);
            // Its own process group: prefork's master stops by signalling its whole group.
            cmd.arg("-DFOREGROUND").arg("-f").arg(conf).process_group(0);
            lib.apply(&mut cmd);
            cmd
        },
        Some("resuming normal operations"),
    );
    Apache { proc, port }
}

/// curl (stock) for `https://<name>:<port>/<path>`, trusting the test root; `extra` goes first.
fn curl(port: u16, name: &str, path: &str, extra: &[&str]) -> (Output, String, String) {
    let mut cmd = common::command(CURL);
    cmd.args(["-q", "-sS", "--noproxy", "*", "--max-time", "20", "-D", "-"])
        .args(extra)
        .arg("--cacert")
        .arg(pki().root_ca())
        .args(["--resolve", &format!("{name}:{port}:127.0.0.1")])
        .arg(format!("https://{name}:{port}/{path}"));
    let out = common::run(&mut cmd, Duration::from_secs(30));
    let text = out.stdout_str();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let (head, body) = (head.to_owned(), body.to_owned());
    (out, head, body)
}

/// `openssl s_client` (stock) to `name`, sending `GET /<path>` over HTTP/1.0; returns its
/// stdout and the response body (by Content-Length; empty if there is no 200 response).
fn s_client(dir: &Path, port: u16, name: &str, path: &str, args: &[&str]) -> (String, String) {
    let request = dir.join(format!("request-{}", random_hex(4)));
    fs::write(
        &request,
        format!("GET /{path} HTTP/1.0\r\nHost: {name}\r\n\r\n"),
    )
    .expect("writing a request");
    let mut cmd = common::command(OPENSSL);
    cmd.args([
        "s_client",
        "-ign_eof",
        "-connect",
        &format!("127.0.0.1:{port}"),
    ])
    .args([
        "-servername",
        name,
        "-verify_hostname",
        name,
        "-verify_return_error",
    ])
    .arg("-CAfile")
    .arg(pki().root_ca())
    .args(args)
    .stdin(File::open(&request).expect("opening the request"));
    let out = common::run(&mut cmd, Duration::from_secs(30));
    let text = out.stdout_str();
    let body = text
        .split_once("HTTP/1.1 200 OK\r\n")
        .and_then(|(_, rest)| rest.split_once("\r\n\r\n"))
        .and_then(|(head, body)| {
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))?
                .trim()
                .parse()
                .ok()?;
            body.get(..len).map(str::to_owned)
        })
        .unwrap_or_default();
    (format!("{text}\n--- stderr ---\n{}", out.stderr), body)
}

fn write_file(path: &Path, content: &str) {
    fs::write(path, content).expect("writing a page");
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).expect("chmod");
}

fn site() -> (TempDir, String, String) {
    let dir = TempDir::new("apache2");
    for sub in ["www", "www/secure", "run", "ocsp"] {
        fs::create_dir_all(dir.join(sub)).expect("creating a directory");
        fs::set_permissions(dir.join(sub), fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let big = format!("{}\n", random_hex(150_000));
    let small = format!("{}\n", random_hex(2_000));
    write_file(&dir.join("www/big.txt"), &big);
    write_file(&dir.join("www/small.txt"), &small);
    write_file(&dir.join("www/secure/s.txt"), &small);
    (dir, big, small)
}

fn apache_serves_vhosts(lib: Lib) {
    let (dir, big, small) = site();
    let ocsp_port = common::free_port();
    let ocsp = issue_ocsp_cert(&dir.join("ocsp"), ocsp_port);
    let responder = ocsp_responder(&dir.join("ocsp"), ocsp_port);
    let apache = start_apache(lib, dir.path(), &ocsp, None);
    let port = apache.port;

    // The workers (forked by the master, running as www-data) do the TLS.
    let workers = apache.workers();
    assert!(
        !workers.is_empty(),
        "apache has no worker:\n{}",
        apache.log()
    );
    for pid in &workers {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        assert!(
            status.lines().any(|l| l.starts_with("Uid:\t33\t")),
            "worker {pid} does not run as www-data:\n{status}"
        );
        assert_maps(*pid, lib, "apache2 worker");
    }

    // A large random file over the default host (TLS 1.3), byte for byte.
    let (out, head, body) = curl(port, "localhost", "big.txt", &[]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}{}", out.stderr);
    common::assert_same_bytes(body.as_bytes(), big.as_bytes(), "big.txt from apache");

    // SNI: each name gets its own certificate, verified by s_client against the root.
    let client = pki().client();
    let (cert, key) = (path_str(&client.cert), path_str(&client.key));
    let with_cert = ["-cert", &cert, "-key", &key];
    for (name, extra) in [
        ("localhost", &[][..]),
        ("ocsp.example", &[][..]),
        ("wrong.example", &with_cert[..]),
    ] {
        let (text, got) = s_client(dir.path(), port, name, "small.txt", extra);
        assert!(
            text.contains(&format!("subject=O = ferrossl tests, CN = {name}\n"))
                && text.contains("Verify return code: 0 (ok)"),
            "s_client to {name}:\n{}\n--- apache ---\n{}",
            common::progs::head(&text, 6000),
            apache.log()
        );
        common::assert_same_bytes(got.as_bytes(), small.as_bytes(), "small.txt via SNI");
    }

    // TLS 1.2 and 1.3, and session resumption: TLS 1.2 without tickets resumes by session id,
    // which apache finds in its shmcb cache (its trace2 log says so); TLS 1.3 with a ticket.
    for (version, expect) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let sess = path_str(&dir.join(format!("sess{version}")));
        let mut args = vec![version, "-sess_out", &sess];
        if version == "-tls1_2" {
            args.push("-no_ticket");
        }
        let (first, got) = s_client(dir.path(), port, "localhost", "small.txt", &args);
        assert!(
            first.contains(&format!("New, {expect}, Cipher is "))
                && first.contains(&format!("Protocol  : {expect}")),
            "first {expect} connection:\n{}",
            common::progs::head(&first, 6000)
        );
        common::assert_same_bytes(got.as_bytes(), small.as_bytes(), "small.txt");
        args[1] = "-sess_in";
        let (second, got) = s_client(dir.path(), port, "localhost", "small.txt", &args);
        assert!(
            second.contains(&format!("Reused, {expect}, Cipher is ")),
            "{expect} session not resumed:\n{}\n--- apache ---\n{}",
            common::progs::head(&second, 6000),
            apache.log()
        );
        common::assert_same_bytes(got.as_bytes(), small.as_bytes(), "small.txt (resumed)");
        if version == "-tls1_2" {
            let id = second
                .lines()
                .find_map(|l| l.trim().strip_prefix("Session-ID: "))
                .expect("s_client prints the session id")
                .to_lowercase();
            let found = format!("Inter-Process Session Cache: request=GET status=FOUND id={id}");
            assert!(
                apache.log().contains(&found),
                "apache did not resume {id} from shmcb:\n{}",
                apache.log()
            );
        }
    }

    // Client authentication: the DN apache saw, and a handshake refused without a certificate.
    let (out, head, body) = curl(
        port,
        "wrong.example",
        "big.txt",
        &["--cert", &cert, "--key", &key],
    );
    assert!(head.starts_with("HTTP/1.1 200"), "{head}{}", out.stderr);
    assert!(
        head.contains("X-Client-DN: CN=ferrossl test client,O=ferrossl tests\r\n"),
        "no client DN in:\n{head}"
    );
    common::assert_same_bytes(
        body.as_bytes(),
        big.as_bytes(),
        "big.txt with a client cert",
    );
    let (out, head, _) = curl(port, "wrong.example", "small.txt", &[]);
    assert!(
        head.is_empty() && out.code() == 56 && out.stderr.contains("alert certificate required"),
        "without a client certificate: {head}{}",
        out.stderr
    );

    // OCSP stapling: apache fetched the response from the stock responder and staples it.
    let (text, got) = s_client(dir.path(), port, "ocsp.example", "small.txt", &["-status"]);
    assert!(
        text.contains("OCSP Response Status: successful (0x0)")
            && text.contains("Cert Status: good"),
        "no stapled OCSP response:\n{}\n--- apache ---\n{}\n--- responder ---\n{}",
        common::progs::head(&text, 6000),
        apache.log(),
        responder.log()
    );
    common::assert_same_bytes(got.as_bytes(), small.as_bytes(), "small.txt (stapled)");

    per_directory_client_auth(lib, &apache);

    let log = apache.log();
    for bad in ["AH01963", "AH00052", "Segmentation fault"] {
        assert!(!log.contains(bad), "apache logged {bad}:\n{log}");
    }
    assert!(log.contains("AH01964: Connection to child"), "{log}");
    let per_directory = match lib {
        Lib::Stock => "per-directory client auth asked after the handshake (TLS alert)",
        Lib::Ours(_) => "per-directory client auth refused with 403",
    };
    common::progs::report(
        "apache2 (mod_ssl server)",
        "apache2-bin",
        lib,
        &format!(
            "HTTPS GETs of {} and {} random bytes: SNI over 3 vhosts, TLS 1.2/1.3, shmcb \
             resumption, required client cert (DN via mod_headers), OCSP stapling from openssl \
             ocsp, {per_directory}",
            big.len(),
            small.len()
        ),
    );
}

/// `/secure/` needs a client certificate after the handshake. Stock OpenSSL asks for it (curl
/// has none: a TLS alert); ferrossl refuses post-handshake auth and renegotiation, and apache
/// answers 403 (for renegotiation once its `Timeout` has passed, waiting for a handshake that
/// never comes, as it would on OpenSSL with renegotiation disabled).
fn per_directory_client_auth(lib: Lib, apache: &Apache) {
    for (max, refusal) in [("1.3", "AH10158"), ("1.2", "AH02263")] {
        let started = Instant::now();
        let (out, head, _) = curl(
            apache.port,
            "localhost",
            "secure/s.txt",
            &["--tls-max", max],
        );
        let answer = format!(
            "TLS {max}: {head}{}\n--- apache ---\n{}",
            out.stderr,
            apache.log()
        );
        match lib {
            Lib::Stock => assert!(
                head.is_empty() && out.stderr.contains(" alert "),
                "{answer}"
            ),
            Lib::Ours(_) => {
                assert!(head.starts_with("HTTP/1.1 403 Forbidden"), "{answer}");
                assert!(apache.log().contains(refusal), "{answer}");
                assert!(started.elapsed() < Duration::from_secs(TIMEOUT_SECS + 10));
            }
        }
    }
}

/// Prefork children are forked after the configuration (and its `SSL_CTX`s) is made: a session
/// made by one child resumes in another, by session id through shmcb and by ticket with the
/// ticket keys OpenSSL makes in `SSL_CTX_new`. Resumptions are retried until the log shows
/// they were served by at least two different children.
fn prefork_children_resume_each_others_sessions(lib: Lib) {
    let (dir, _, small) = site();
    let ocsp = issue_ocsp_cert(&dir.join("ocsp"), common::free_port());
    let apache = start_apache(lib, dir.path(), &ocsp, Some(3));
    assert_eq!(apache.workers().len(), 3, "{}", apache.log());
    for (label, args) in [
        ("TLS 1.2 session id", &["-tls1_2", "-no_ticket"][..]),
        ("TLS 1.2 ticket", &["-tls1_2"][..]),
        ("TLS 1.3 ticket", &["-tls1_3"][..]),
    ] {
        let sess = path_str(&dir.join("sess"));
        let mut first: Vec<&str> = args.to_vec();
        first.extend(["-sess_out", &sess]);
        let (text, got) = s_client(dir.path(), apache.port, "localhost", "small.txt", &first);
        assert!(
            text.contains("New, "),
            "{label}: {}",
            common::progs::head(&text, 4000)
        );
        common::assert_same_bytes(got.as_bytes(), small.as_bytes(), "small.txt");
        let mut again: Vec<&str> = args.to_vec();
        again.extend(["-sess_in", &sess]);
        let mut children = std::collections::BTreeSet::new();
        for attempt in 0..20 {
            let before = apache.log().len();
            let (text, got) = s_client(dir.path(), apache.port, "localhost", "small.txt", &again);
            assert!(
                text.contains("Reused, "),
                "{label}: attempt {attempt} was not resumed (children so far {children:?}):\n{}",
                common::progs::head(&text, 3000)
            );
            common::assert_same_bytes(got.as_bytes(), small.as_bytes(), "small.txt (resumed)");
            // `[pid N:tid N] [client ...] AH01964: Connection to child ...` names the child.
            let log = apache.log();
            children.extend(log[before..].lines().filter_map(|l| {
                let l = l
                    .split("AH01964")
                    .next()
                    .filter(|_| l.contains("AH01964"))?;
                l.split("[pid ")
                    .nth(1)?
                    .split(':')
                    .next()
                    .map(str::to_owned)
            }));
            if children.len() >= 2 {
                break;
            }
        }
        assert!(
            children.len() >= 2,
            "{label}: one child served all: {children:?}"
        );
    }
    common::progs::report(
        "apache2 (mod_ssl server, prefork)",
        "apache2-bin",
        lib,
        "sessions resumed across prefork children (TLS 1.2 session id via shmcb, TLS 1.2 and \
         1.3 tickets)",
    );
}

#[test]
fn apache_on_stock_prefork_children_resume_each_others_sessions() {
    prefork_children_resume_each_others_sessions(Lib::Stock);
}

/// ferrossl makes a context's ticket keys in `SSL_CTX_new` and keeps them, as OpenSSL, so a
/// ticket one prefork child made is accepted by another (it used to make them per process).
#[test]
fn apache_on_ferrossl_prefork_children_resume_each_others_sessions() {
    prefork_children_resume_each_others_sessions(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn apache_on_ferrossl_library_path_serves_tls_vhosts() {
    apache_serves_vhosts(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn apache_on_ferrossl_preload_serves_tls_vhosts() {
    apache_serves_vhosts(Lib::Ours(Mode::Preload));
}

#[test]
fn apache_on_stock_serves_tls_vhosts() {
    apache_serves_vhosts(Lib::Stock);
}
