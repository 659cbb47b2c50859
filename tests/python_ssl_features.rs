//! Debian's python3 `ssl` module on ferrossl, feature by feature: tests/python/ssl_features.py
//! prints facts, once on stock OpenSSL and once on ferrossl, and the two runs are compared
//! line by line (peers: stock `openssl s_server`/`s_client`).
//!
//! - offline: `load_verify_locations(cafile=, cadata=` PEM str and DER bytes`)`,
//!   `cert_store_stats()`, `get_ca_certs()`, `load_cert_chain` with an encrypted key and its
//!   password (str, bytes, callable; a wrong one), `set_ecdh_curve`, version and verify-flag
//!   settings, `get_ciphers()` (ferrossl's list is shorter: each entry equals stock's).
//! - client: TLS 1.3 and 1.2 with `cafile` and `capath`, `SSLSession.id`, `session_reused`,
//!   `shared_ciphers()`, and `get_channel_binding("tls-unique")`: stock gives the Finished
//!   message; ferrossl cannot (rustls does not expose Finished), so `SSL_get_finished` returns 0
//!   and Python answers `None`, its documented "not available" value.
//! - server: `sni_callback` returning `ALERT_DESCRIPTION_ACCESS_DENIED` or raising (the stock
//!   client gets `access denied` / `handshake failure` alerts), a required client certificate,
//!   `verify_client_post_handshake` when the client did not offer post-handshake auth.
//! - `keylog_filename`: the lines equal those the stock server logs (TLS 1.3 and 1.2).
//! - `minimum_version`/`maximum_version` against a TLS 1.2-only server; a TLS 1.1 maximum is
//!   refused locally by ferrossl (`NO_PROTOCOLS_AVAILABLE`: rustls has no TLS 1.1) where stock
//!   sends a TLS 1.1 hello and gets the server's `protocol version` alert.
//! - `VERIFY_CRL_CHECK_LEAF | VERIFY_X509_STRICT` with a CRL: a revoked server certificate is
//!   refused (verify code 23), an unrevoked one accepted.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::progs::{assert_maps, report, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, TempDir, CLIENT_KEY_PASSPHRASE, OPENSSL};

const PYTHON: &str = "/usr/bin/python3";
const PACKAGE: &str = "python3.11";
const TIMEOUT: Duration = Duration::from_secs(30);
const OURS: Lib = Lib::Ours(Mode::LibraryPath);

fn script() -> PathBuf {
    common::repo_root().join("tests/python/ssl_features.py")
}

fn python_cmd(lib: Lib, args: &[String]) -> std::process::Command {
    let mut cmd = common::command(PYTHON);
    cmd.args(["-W", "ignore::DeprecationWarning"])
        .arg(script())
        .args(args);
    lib.apply(&mut cmd);
    cmd
}

/// Runs the script on `lib`, checks the libssl it mapped, returns its output (exit 0).
fn python(lib: Lib, args: &[String]) -> String {
    let proc = Proc::spawn(&mut python_cmd(lib, args), "python3", false);
    assert_maps(proc.pid(), lib, "python3");
    let end = proc.wait(TIMEOUT);
    assert!(end.status.success(), "python3 {args:?}:\n{}", end.log);
    end.log
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The same facts on both libraries (line by line, for a readable failure).
#[track_caller]
fn assert_same_facts(stock: &str, ours: &str, what: &str) {
    let (s, o): (Vec<&str>, Vec<&str>) = (stock.lines().collect(), ours.lines().collect());
    assert_eq!(s, o, "{what}: stock (left) and ferrossl (right) differ");
}

#[test]
fn offline_facts_match_stock() {
    let a = args(&["offline", &path_str(&pki().dir), CLIENT_KEY_PASSPHRASE]);
    let stock = python(Lib::Stock, &a);
    let ours = python(OURS, &a);
    assert!(
        stock.contains("load_cert_chain password callable ok")
            && stock.contains("cadata-der stats {'x509': 1, 'crl': 0, 'x509_ca': 1}"),
        "{stock}"
    );
    assert_same_facts(&stock, &ours, "offline facts");

    // get_ciphers(): ferrossl's entries are rustls's suites, each one as stock describes it.
    let stock = python(Lib::Stock, &args(&["ciphers"]));
    let ours = python(OURS, &args(&["ciphers"]));
    let stock: BTreeSet<&str> = stock.lines().collect();
    assert!(ours.lines().count() >= 9, "{ours}");
    for line in ours.lines() {
        assert!(
            stock.contains(line),
            "get_ciphers entry not as stock: {line}"
        );
    }
    report(
        "python3 ssl (offline)",
        PACKAGE,
        OURS,
        "cafile/cadata PEM+DER stats and CA lists, encrypted key passwords, curves, versions, flags, get_ciphers",
    );
}

/// Client facts against a stock `s_server -www` (TLS 1.3, then `-tls1_2`), with `cafile` and
/// with a hashed `capath`; also once through `LD_PRELOAD`.
#[test]
fn client_sessions_and_channel_binding() {
    let dir = TempDir::new("capath");
    let capath = dir.join("capath");
    fs::create_dir_all(&capath).expect("capath");
    fs::copy(pki().root_ca(), capath.join("root-ca.pem")).expect("copying the root");
    common::openssl(&["rehash", &path_str(&capath)], dir.path());
    for version in [None, Some("-tls1_2")] {
        let mut sargs = pki().server(KeyAlg::EcdsaP256).s_server_args();
        sargs.push("-www".into());
        sargs.extend(version.map(String::from));
        let server = Server::s_server(&sargs);
        let port = server.port().to_string();
        let root = path_str(&pki().root_ca());
        for extra in [None, Some(path_str(&capath))] {
            let mut a = args(&["client", &port, &root]);
            a.extend(extra.clone());
            let stock = python(Lib::Stock, &a);
            let libs = if extra.is_none() && version.is_none() {
                vec![OURS, Lib::Ours(Mode::Preload)]
            } else {
                vec![OURS]
            };
            for lib in libs {
                let ours = python(lib, &a);
                // tls-unique: the Finished message (12 bytes in TLS 1.2, the hash length in
                // 1.3) on stock; None on ferrossl.
                assert!(stock.contains("tls-unique bytes "), "{stock}");
                assert!(ours.contains("tls-unique NoneType 0"), "{ours}");
                let strip = |s: &str| {
                    s.lines()
                        .filter(|l| !l.starts_with("tls-unique"))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                assert_same_facts(&strip(&stock), &strip(&ours), "client facts");
                for want in [
                    "session id after reading True has_ticket True",
                    "reused second True True",
                    "page HTTP/1.0 200 ok",
                ] {
                    assert!(ours.contains(want), "{version:?}: no {want:?}:\n{ours}");
                }
                report(
                    "python3 ssl client",
                    PACKAGE,
                    lib,
                    &format!(
                        "{} with {}: GET twice, session id, resumed, shared_ciphers, tls-unique None",
                        if version.is_some() { "TLS 1.2" } else { "TLS 1.3" },
                        if extra.is_some() { "capath" } else { "cafile" }
                    ),
                );
            }
        }
    }
}

/// The script as a server on `lib` in `mode`; a stock `s_client` sends a line and `CLOSE`.
/// Returns (python's facts, s_client's output).
fn serve(lib: Lib, mode: &str) -> (String, String) {
    let ready = "LISTENING";
    let (mut py, port) = Proc::server(
        "python3 server",
        |port| {
            python_cmd(
                lib,
                &args(&[
                    "server",
                    &port.to_string(),
                    &path_str(&pki().dir),
                    mode,
                    ready,
                ]),
            )
        },
        Some(ready),
    );
    assert_maps(py.pid(), lib, "python3 server");
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-quiet", "-CAfile"])
        .arg(pki().root_ca());
    if mode == "client-cert" {
        let c = pki().client();
        cmd.arg("-cert").arg(c.cert).arg("-key").arg(c.key);
    }
    let mut client = Proc::spawn(&mut cmd, "stock s_client", true);
    let mut stdin = client.stdin();
    let _ = stdin.write_all(b"hello\n");
    if !mode.starts_with('d') && mode != "raise" {
        client.wait_for("olleh", TIMEOUT);
    }
    let _ = stdin.write_all(b"CLOSE\n");
    drop(stdin);
    let out = client.wait(TIMEOUT).log;
    py.wait_for(
        if mode == "deny" || mode == "raise" {
            "handshake failed"
        } else {
            "closed"
        },
        TIMEOUT,
    );
    let facts = py
        .log()
        .lines()
        .filter(|l| *l != ready)
        .filter(|l| {
            l.starts_with("sni")
                || l.starts_with("server")
                || l.starts_with("peer")
                || l.starts_with("verify")
                || l.starts_with("handshake")
                || l.starts_with("closed")
        })
        .collect::<Vec<_>>()
        .join("\n");
    (facts, out)
}

#[test]
fn server_sni_callback_client_cert_and_post_handshake_auth() {
    for (mode, client_sees) in [
        ("ok", "olleh"),
        ("deny", "alert access denied"),
        ("raise", "alert handshake failure"),
        ("client-cert", "olleh"),
        ("pha", "olleh"),
    ] {
        let (stock, stock_client) = serve(Lib::Stock, mode);
        let (ours, ours_client) = serve(OURS, mode);
        for out in [&stock_client, &ours_client] {
            assert!(
                out.contains(client_sees),
                "{mode}: s_client lacks {client_sees:?}:\n{out}"
            );
        }
        assert_same_facts(&stock, &ours, mode);
        let want = match mode {
            "deny" | "raise" => "handshake failed SSLError SSL CALLBACK_FAILED sni ['localhost']",
            "client-cert" => "peer ['ferrossl test client']",
            "pha" => "verify_client_post_handshake SSLError SSL EXTENSION_NOT_RECEIVED",
            _ => "server shared_ciphers nonempty True all tuples True",
        };
        assert!(ours.contains(want), "{mode}: no {want:?}:\n{ours}");
        report(
            "python3 ssl server",
            PACKAGE,
            OURS,
            &format!("stock s_client, mode {mode}: {client_sees}"),
        );
    }
}

/// Stock `openssl` in `dir`, panicking on failure.
fn stock_openssl(dir: &Path, a: &[&str]) {
    common::openssl(a, dir);
}

/// A `localhost` leaf signed by the intermediate, revoked in a CRL the intermediate signs.
/// Returns (cert, key, crl).
fn revoked_leaf(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca = path_str(&pki().intermediate_ca());
    let cakey = path_str(&pki().dir.join("intermediate-ca.key"));
    stock_openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "rev.key",
            "-subj",
            "/O=ferrossl tests/CN=localhost",
            "-out",
            "rev.csr",
        ],
    );
    fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n\
         keyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .expect("ext.cnf");
    stock_openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "rev.csr",
            "-CA",
            &ca,
            "-CAkey",
            &cakey,
            "-CAcreateserial",
            "-CAserial",
            "rev.srl",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-out",
            "rev.pem",
        ],
    );
    fs::write(dir.join("index.txt"), "").expect("index");
    fs::write(dir.join("crlnumber"), "01\n").expect("crlnumber");
    fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\n\
         default_md = sha256\ndefault_crl_days = 30\n[crlext]\nauthorityKeyIdentifier=keyid\n",
    )
    .expect("ca.cnf");
    let ca_args = ["ca", "-config", "ca.cnf", "-cert", &ca, "-keyfile", &cakey];
    let mut revoke = ca_args.to_vec();
    revoke.extend(["-revoke", "rev.pem"]);
    stock_openssl(dir, &revoke);
    let mut gencrl = ca_args.to_vec();
    gencrl.extend(["-gencrl", "-crlexts", "crlext", "-out", "crl.pem"]);
    stock_openssl(dir, &gencrl);
    (
        dir.join("rev.pem"),
        dir.join("rev.key"),
        dir.join("crl.pem"),
    )
}

#[test]
fn crl_check_leaf_refuses_a_revoked_server() {
    let dir = TempDir::new("crl");
    let (cert, key, crl) = revoked_leaf(dir.path());
    let good = pki().server(KeyAlg::EcdsaP256);
    for (cert, key, want) in [
        (
            cert,
            key,
            "refused SSLCertVerificationError 23 certificate revoked",
        ),
        (good.cert, good.key, "connected TLSv1.3 HTTP/1.0 200 ok"),
    ] {
        let server = Server::s_server(&[
            "-cert".into(),
            path_str(&cert),
            "-key".into(),
            path_str(&key),
            "-cert_chain".into(),
            path_str(&pki().intermediate_ca()),
            "-www".to_string(),
        ]);
        let a = args(&[
            "crl",
            &server.port().to_string(),
            &path_str(&pki().root_ca()),
            &path_str(&crl),
        ]);
        let stock = python(Lib::Stock, &a);
        let ours = python(OURS, &a);
        assert!(stock.contains(want), "{stock}");
        assert!(
            ours.contains("stats {'x509': 1, 'crl': 1, 'x509_ca': 1}"),
            "{ours}"
        );
        assert_same_facts(&stock, &ours, "CRL check");
        report(
            "python3 ssl client",
            PACKAGE,
            OURS,
            &format!("VERIFY_CRL_CHECK_LEAF: {want}"),
        );
    }
}

/// The lines of an NSS key log file, without comments.
fn keylog_lines(path: &Path) -> BTreeSet<String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn keylog_filename_matches_the_stock_servers_key_log() {
    for (version, labels) in [
        (
            None,
            &[
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "SERVER_TRAFFIC_SECRET_0",
                "EXPORTER_SECRET",
            ][..],
        ),
        (Some("-tls1_2"), &["CLIENT_RANDOM"][..]),
    ] {
        let dir = TempDir::new("keylog");
        let server_log = dir.join("server-keys.txt");
        let mut sargs = pki().server(KeyAlg::Rsa2048).s_server_args();
        sargs.extend([
            "-www".to_string(),
            "-keylogfile".to_string(),
            path_str(&server_log),
        ]);
        sargs.extend(version.map(String::from));
        let server = Server::s_server(&sargs);
        let client_log = dir.join("python-keys.txt");
        let out = python(
            OURS,
            &args(&[
                "keylog",
                &server.port().to_string(),
                &path_str(&pki().root_ca()),
                &path_str(&client_log),
            ]),
        );
        assert!(out.contains("HTTP/1.0 200 ok"), "{out}");
        let theirs = keylog_lines(&server_log);
        let ours = keylog_lines(&client_log);
        for label in labels {
            assert!(
                ours.iter().any(|l| l.starts_with(label)),
                "no {label}: {ours:#?}"
            );
        }
        assert_eq!(ours, theirs, "python's key log vs s_server's");
        report(
            "python3 ssl keylog_filename",
            PACKAGE,
            OURS,
            &format!("{} key log lines equal to s_server -keylogfile", ours.len()),
        );
    }
}

#[test]
fn minimum_and_maximum_version_against_a_tls12_server() {
    let mut sargs = pki().server(KeyAlg::EcdsaP256).s_server_args();
    sargs.extend(["-www".to_string(), "-tls1_2".to_string()]);
    let server = Server::s_server(&sargs);
    let port = server.port().to_string();
    let root = path_str(&pki().root_ca());
    for (min, max, want_ours) in [
        (
            "TLSv1_3",
            "-",
            "refused SSLError SSL TLSV1_ALERT_PROTOCOL_VERSION",
        ),
        ("-", "TLSv1_2", "connected TLSv1.2 HTTP/1.0 200 ok"),
        (
            "-",
            "TLSv1_1",
            "refused SSLError SSL NO_PROTOCOLS_AVAILABLE",
        ),
    ] {
        let a = args(&["versions", &port, &root, min, max]);
        let stock = python(Lib::Stock, &a);
        let ours = python(OURS, &a);
        assert!(ours.contains(want_ours), "{min} {max}: {ours}");
        if max == "TLSv1_1" {
            // Stock offers TLS 1.1 and gets the server's alert; rustls has no TLS 1.1.
            assert!(stock.contains("TLSV1_ALERT_PROTOCOL_VERSION"), "{stock}");
        } else {
            assert_same_facts(&stock, &ours, "versions");
        }
        report(
            "python3 ssl versions",
            PACKAGE,
            OURS,
            &format!("minimum {min} maximum {max} vs TLS 1.2 s_server: {want_ours}"),
        );
    }
}
