//! Session tickets through Debian's unmodified nginx with its session cache off
//! (`ssl_session_cache off`), so that only the ticket can carry the session: stock
//! `openssl s_client -sess_out` then `-sess_in`, over TLS 1.2 and TLS 1.3, with nginx's own
//! ticket keys and with `ssl_session_ticket_key` files of 48 and 80 bytes (nginx's ticket key
//! callback). Each check runs on ferrossl and on stock OpenSSL (the reference) and must hold on
//! both: the ticket resumes; as OpenSSL, a TLS 1.2 resumption sends no new ticket (scanners call
//! a ticket that changes on resumption "not accepted") unless the callback asks for renewal (a
//! ticket made with an older key of the file list); an nginx with other keys does not resume;
//! `ssl_session_tickets off` resumes nothing.

mod common;

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use common::{pki, random_bytes, KeyAlg, Nginx, TempDir};

/// Where nginx's ticket keys come from.
#[derive(Clone, Copy, Debug)]
enum Keys {
    /// Made by libssl in `SSL_CTX_new` (no `ssl_session_ticket_key`).
    Internal,
    /// A `ssl_session_ticket_key` file of this many bytes.
    File(usize),
}

const PROTOS: [&str; 2] = ["-tls1_2", "-tls1_3"];

/// The libraries nginx runs on: ferrossl, then stock OpenSSL.
fn libs() -> [(&'static str, Option<&'static Path>); 2] {
    [
        ("ferrossl", Some(common::libdir())),
        ("stock OpenSSL", None),
    ]
}

/// One server block with the session cache off; `extra` goes inside it.
fn server(extra: String) -> impl Fn(u16, &Path) -> String {
    move |port, dir| {
        let cert = pki().server(KeyAlg::EcdsaP256);
        format!(
            "    server {{\n        listen 127.0.0.1:{port} ssl;\n        server_name localhost;\n        \
             ssl_certificate {chain};\n        ssl_certificate_key {key};\n        root {root};\n        \
             ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_cache off;\n{extra}    }}\n",
            chain = cert.chain.display(),
            key = cert.key.display(),
            root = dir.join("html").display(),
        )
    }
}

fn key_lines(files: &[&Path]) -> String {
    files
        .iter()
        .map(|f| format!("        ssl_session_ticket_key {};\n", f.display()))
        .collect()
}

/// nginx with the session cache off and tickets on, with `keys` (ticket key files, the first
/// the one that encrypts; none: libssl's own keys); serves a page.
fn nginx(lib: Option<&Path>, keys: &[&Path]) -> Nginx {
    let n = Nginx::start(
        lib,
        server(key_lines(keys) + "        ssl_session_tickets on;\n"),
    );
    std::fs::write(n.html_dir().join("index.html"), "hi\n").unwrap();
    n
}

/// What one `openssl s_client -msg` run printed.
struct Handshake(String);

impl Handshake {
    /// The `New,`/`Reused,` line, which names the version.
    fn summary(&self) -> &str {
        self.0
            .lines()
            .find(|l| l.starts_with("New, ") || l.starts_with("Reused, "))
            .unwrap_or("")
    }

    /// Whether the handshake resumed with `proto` (`-tls1_2`, `-tls1_3`).
    fn reused(&self, proto: &str) -> bool {
        self.summary()
            .starts_with(&format!("Reused, {}", version(proto)))
    }

    /// Whether it was a full handshake with `proto`.
    fn full(&self, proto: &str) -> bool {
        self.summary()
            .starts_with(&format!("New, {}", version(proto)))
    }

    /// NewSessionTicket messages received.
    fn tickets_received(&self) -> usize {
        self.0
            .lines()
            .filter(|l| l.starts_with("<<< ") && l.ends_with("NewSessionTicket"))
            .count()
    }

    /// The hex dump of the ticket in the session printed after the handshake.
    fn ticket(&self) -> Option<String> {
        let mut lines = self
            .0
            .lines()
            .skip_while(|l| l.trim() != "TLS session ticket:");
        lines.next()?;
        let dump: Vec<&str> = lines
            .take_while(|l| l.trim_start().get(4..7) == Some(" - "))
            .collect();
        (!dump.is_empty()).then(|| dump.join("\n"))
    }
}

fn version(proto: &str) -> &'static str {
    match proto {
        "-tls1_2" => "TLSv1.2",
        "-tls1_3" => "TLSv1.3",
        other => panic!("unknown protocol flag {other}"),
    }
}

/// Stock `openssl s_client` to `port` with `proto`, saving (`-sess_out`) or offering
/// (`-sess_in`) the session in `sess`; sends one HTTP/1.0 request (nginx then closes), so that
/// TLS 1.3 tickets arrive before it ends.
fn s_client(port: u16, proto: &str, sess_flag: &str, sess: &Path) -> Handshake {
    let dir = sess.parent().expect("session file in a directory");
    let request = dir.join("request");
    std::fs::write(&request, "GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut cmd = common::command("/usr/bin/openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", proto, "-msg", "-ign_eof"])
        .arg(sess_flag)
        .arg(sess)
        .stdin(File::open(&request).unwrap());
    let out = common::run(&mut cmd, Duration::from_secs(30));
    Handshake(format!("{}{}", out.stdout_str(), out.stderr))
}

/// nginx's `$ssl_session_reused` for its last request (`r` or `.`).
fn logged_reuse(nginx: &Nginx) -> String {
    let log = nginx.access_log();
    let last = log.last().map(String::as_str).unwrap_or("");
    last.split_whitespace()
        .find_map(|w| w.strip_prefix("reused="))
        .unwrap_or("")
        .to_owned()
}

/// nginx's error log must have no `[crit]`, `[alert]` or `[emerg]` line.
fn assert_clean_log(nginx: &Nginx, what: &str) {
    let log = nginx.error_log();
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("[crit]") || l.contains("[alert]") || l.contains("[emerg]"))
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: nginx error log:\n{}",
        bad.join("\n")
    );
}

/// The whole check for one kind of keys on one library.
fn tickets_resume(lib_name: &str, lib: Option<&Path>, keys: Keys) {
    let dir = TempDir::new("nginx-tickets");
    let (a_key, b_key) = (dir.join("a.key"), dir.join("b.key"));
    if let Keys::File(len) = keys {
        std::fs::write(&a_key, random_bytes(len)).unwrap();
        std::fs::write(&b_key, random_bytes(len)).unwrap();
    }
    let file = matches!(keys, Keys::File(_));
    let files: fn(bool, &Path) -> Vec<&Path> = |file, f| if file { vec![f] } else { vec![] };
    // `a` issues the tickets; `b` has other keys (its own internal ones, or another file);
    // `renewing` (key files only) encrypts with b's key and still accepts a's, as an older key.
    let a = nginx(lib, &files(file, &a_key));
    let b = nginx(lib, &files(file, &b_key));
    let renewing = file.then(|| nginx(lib, &[&b_key, &a_key]));
    for proto in PROTOS {
        let what = format!("nginx on {lib_name}, {keys:?} keys, {}", version(proto));
        let sess = dir.join(format!("session{proto}.pem"));
        let first = s_client(a.port(), proto, "-sess_out", &sess);
        assert!(first.full(proto), "{what}: first handshake:\n{}", first.0);
        assert!(
            first.tickets_received() >= 1,
            "{what}: nginx sent no ticket:\n{}",
            first.0
        );
        assert_eq!(logged_reuse(&a), ".", "{what}: first handshake's log");

        let again = s_client(a.port(), proto, "-sess_in", &sess);
        assert!(
            again.reused(proto),
            "{what}: the ticket did not resume:\n{}",
            again.0
        );
        assert_eq!(logged_reuse(&a), "r", "{what}: $ssl_session_reused");
        if proto == "-tls1_2" {
            // OpenSSL resumes a TLS 1.2 ticket without issuing a new one (the callback
            // returned 1): the client keeps the ticket it offered.
            assert_eq!(
                again.tickets_received(),
                0,
                "{what}: a new ticket on resumption:\n{}",
                again.0
            );
            assert!(first.ticket().is_some(), "{what}: no ticket:\n{}", first.0);
            assert_eq!(
                again.ticket(),
                first.ticket(),
                "{what}: the ticket changed on resumption"
            );
        } else {
            assert!(
                again.tickets_received() >= 1,
                "{what}: no new TLS 1.3 ticket on resumption:\n{}",
                again.0
            );
        }

        let other = s_client(b.port(), proto, "-sess_in", &sess);
        assert!(
            other.full(proto),
            "{what}: an nginx with other keys resumed (or failed):\n{}",
            other.0
        );
        assert!(other.tickets_received() >= 1, "{what}:\n{}", other.0);
        assert_eq!(logged_reuse(&b), ".", "{what}: other keys' log");

        if let Some(r) = &renewing {
            // nginx's callback returns 2 for a ticket of an older key: resumed, renewed.
            let renewed = s_client(r.port(), proto, "-sess_in", &sess);
            assert!(
                renewed.reused(proto),
                "{what}: the older key's ticket did not resume:\n{}",
                renewed.0
            );
            assert!(
                renewed.tickets_received() >= 1,
                "{what}: no renewed ticket:\n{}",
                renewed.0
            );
            if proto == "-tls1_2" {
                assert_ne!(renewed.ticket(), first.ticket(), "{what}: renewal");
            }
            assert_eq!(logged_reuse(r), "r", "{what}: renewing nginx's log");
        }
    }
    assert_clean_log(&a, lib_name);
    assert_clean_log(&b, lib_name);
    if let Some(r) = &renewing {
        assert_clean_log(r, lib_name);
    }
}

#[test]
fn nginx_tickets_resume_with_its_own_keys() {
    for (name, lib) in libs() {
        tickets_resume(name, lib, Keys::Internal);
    }
}

#[test]
fn nginx_tickets_resume_with_a_48_byte_key_file() {
    for (name, lib) in libs() {
        tickets_resume(name, lib, Keys::File(48));
    }
}

#[test]
fn nginx_tickets_resume_with_an_80_byte_key_file() {
    for (name, lib) in libs() {
        tickets_resume(name, lib, Keys::File(80));
    }
}

/// `ssl_session_tickets off` with the cache off: nothing can carry the session.
#[test]
fn nginx_without_tickets_or_cache_resumes_nothing() {
    for (name, lib) in libs() {
        let dir = TempDir::new("nginx-no-tickets");
        let n = Nginx::start(lib, server("        ssl_session_tickets off;\n".into()));
        std::fs::write(n.html_dir().join("index.html"), "hi\n").unwrap();
        for proto in PROTOS {
            let what = format!("nginx on {name}, tickets off, {}", version(proto));
            let sess = dir.join(format!("session{proto}.pem"));
            let first = s_client(n.port(), proto, "-sess_out", &sess);
            assert!(first.full(proto), "{what}: first handshake:\n{}", first.0);
            if proto == "-tls1_2" {
                assert_eq!(first.tickets_received(), 0, "{what}:\n{}", first.0);
            }
            // A client may have nothing to offer (no ticket, no session id).
            if !sess.exists() {
                assert!(first.ticket().is_none(), "{what}:\n{}", first.0);
                continue;
            }
            let again = s_client(n.port(), proto, "-sess_in", &sess);
            assert!(again.full(proto), "{what}: resumed:\n{}", again.0);
            assert_eq!(logged_reuse(&n), ".", "{what}: $ssl_session_reused");
        }
        assert_clean_log(&n, name);
    }
}

/// The scanner behind the issue: sslyze (PyPI; `.ci/install-deps` puts it in
/// /var/cache/ferrossl/sslyze, `FERROSSL_SSLYZE` overrides) scans session resumption against
/// nginx with TLS 1.2 only, the shared session cache and tickets on: five resumptions by
/// session id and one by ticket, which it counts only if the server keeps the ticket it resumed
/// (a new ticket on resumption reads NOT_SUPPORTED). Both must be FULLY_SUPPORTED, as on stock.
#[test]
fn sslyze_finds_tls12_ticket_and_id_resumption_as_on_stock() {
    let pylib = std::env::var_os("FERROSSL_SSLYZE")
        .filter(|d| !d.is_empty())
        .map_or_else(
            || "/var/cache/ferrossl/sslyze".into(),
            std::path::PathBuf::from,
        );
    assert!(
        pylib.join("sslyze").is_dir(),
        "sslyze is missing from {} (run .ci/install-deps)",
        pylib.display()
    );
    let mut seen = Vec::new();
    for (name, lib) in libs() {
        let n = Nginx::start(lib, |port, dir| {
            let cert = pki().server(KeyAlg::EcdsaP256);
            format!(
                "    server {{\n        listen 127.0.0.1:{port} ssl;\n        \
                 ssl_certificate {chain};\n        ssl_certificate_key {key};\n        \
                 root {root};\n        ssl_protocols TLSv1.2;\n        \
                 ssl_session_cache shared:S:1m;\n        ssl_session_tickets on;\n    }}\n",
                chain = cert.chain.display(),
                key = cert.key.display(),
                root = dir.join("html").display(),
            )
        });
        let mut cmd = common::command("/usr/bin/python3");
        cmd.arg(common::repo_root().join("tests/scripts/sslyze_resumption.py"))
            .arg(n.port().to_string())
            .env("PYTHONPATH", &pylib);
        let out = common::run(&mut cmd, Duration::from_secs(120));
        out.assert_success();
        seen.push((name, out.stdout_str()));
    }
    let (stock, ours) = (&seen[1].1, &seen[0].1);
    assert_eq!(
        stock, "ids FULLY_SUPPORTED 5/5\ntickets FULLY_SUPPORTED\n",
        "stock nginx on OpenSSL"
    );
    assert_eq!(
        ours, stock,
        "sslyze on nginx on ferrossl (left) vs on stock (right)"
    );
}
