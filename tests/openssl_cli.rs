//! Debian's unmodified `openssl` 3.0 command line (`s_client`, `s_server`, `s_time`, `ciphers`)
//! running on ferrossl, each against a peer on stock OpenSSL (curl, `s_server`, `s_client`).
//!
//! - `s_client -servername -alpn -showcerts -status -sess_out/-sess_in -brief` against a stock
//!   `s_server -status_file` holding an OCSP response made by stock `openssl ocsp`.
//! - `s_server -www` (the page stock curl gets: shared ciphers, groups, `SSL_SESSION_print`),
//!   `-WWW` (a random file, byte for byte, also through `LD_PRELOAD`), `-Verify 1` (a client
//!   certificate required: with one the line comes back reversed and the subject is printed,
//!   without one the client gets the `certificate required` alert).
//! - `s_time -new` against a stock `s_server`.
//! - `ciphers -v`, `-s -tls1_3`, `-stdname`: every line equals stock's line for that suite, and
//!   the list is what ferrossl's `s_client` really offers (seen by a stock server). It is
//!   shorter than stock's: ferrossl has only rustls's suites (TLS 1.3's three and the six
//!   ECDHE AEAD TLS 1.2 suites).

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, report, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, TempDir, CURL, OPENSSL};

const TIMEOUT: Duration = Duration::from_secs(30);
const OURS: Lib = Lib::Ours(Mode::LibraryPath);
const PACKAGE: &str = "openssl";

/// The base64 bodies of the PEM certificates in `text`, in order.
fn pem_certs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "-----BEGIN CERTIFICATE-----" {
            cur = Some(String::new());
        } else if line == "-----END CERTIFICATE-----" {
            out.extend(cur.take());
        } else if let Some(c) = cur.as_mut() {
            c.push_str(line);
        }
    }
    out
}

/// Waits until `proc` has printed `marker`; false if it exits first or after [`TIMEOUT`].
fn wait_for_output(proc: &mut Proc, marker: &str) -> bool {
    let deadline = Instant::now() + TIMEOUT;
    while !proc.log().contains(marker) {
        if !proc.is_running() || Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Runs `openssl s_client -connect 127.0.0.1:<port> <args>` on `lib` through a [`Gate`] (its
/// maps are checked before the handshake), writes `input` once it printed `marker` (and the
/// TLS 1.3 tickets had time to arrive), and returns its whole output after it exits 0.
fn s_client(lib: Lib, port: u16, args: &[String], marker: &str, input: &[u8]) -> String {
    let mut gate = Gate::new(port);
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{}", gate.port()))
        .args(args);
    lib.apply(&mut cmd);
    let mut client = Proc::spawn(&mut cmd, "s_client", true);
    gate.accepted(TIMEOUT);
    assert_maps(client.pid(), lib, "openssl s_client");
    gate.open();
    let mut stdin = client.stdin();
    if wait_for_output(&mut client, marker) {
        thread::sleep(Duration::from_millis(300));
    }
    let _ = stdin.write_all(input);
    drop(stdin);
    let end = client.wait(TIMEOUT);
    assert!(
        end.status.success(),
        "s_client {args:?} failed:\n{}",
        end.log
    );
    end.log
}

/// A DER OCSP response ("good") for the ECDSA server certificate, signed by its issuer, made by
/// stock `openssl ocsp` acting as its own responder.
fn ocsp_response(dir: &Path) -> std::path::PathBuf {
    let p = pki();
    let cert = pki().server(KeyAlg::EcdsaP256).cert;
    let field = |opt: &str| {
        let out = common::openssl(
            &[
                "x509",
                "-in",
                &path_str(&cert),
                "-noout",
                opt,
                "-nameopt",
                "compat",
            ],
            dir,
        );
        let s = out.stdout_str();
        s.trim()
            .split_once('=')
            .map(|(_, v)| v.to_string())
            .unwrap_or(s)
    };
    let (serial, subject) = (field("-serial"), field("-subject"));
    let index = dir.join("index.txt");
    fs::write(
        &index,
        format!("V\t391231235959Z\t\t{serial}\tunknown\t{subject}\n"),
    )
    .expect("writing the OCSP index");
    let resp = dir.join("ocsp.der");
    let ca = path_str(&p.intermediate_ca());
    common::openssl(
        &[
            "ocsp",
            "-index",
            &path_str(&index),
            "-rsigner",
            &ca,
            "-rkey",
            &path_str(&p.dir.join("intermediate-ca.key")),
            "-CA",
            &ca,
            "-issuer",
            &ca,
            "-cert",
            &path_str(&cert),
            "-respout",
            &path_str(&resp),
            "-ndays",
            "1",
        ],
        dir,
    );
    resp
}

/// The PEM files `files`, concatenated.
fn chain_of(files: &[std::path::PathBuf]) -> String {
    files
        .iter()
        .map(|f| fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display())))
        .collect()
}

fn client_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "-servername",
        "localhost",
        "-verify_return_error",
        "-CAfile",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(path_str(&pki().root_ca()));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// `s_client -servername -alpn -showcerts -status -sess_out` then `-sess_in`, and `-brief`.
fn s_client_features(lib: Lib) {
    let dir = TempDir::new("ocsp");
    let resp = ocsp_response(dir.path());
    let server_cert = pki().server(KeyAlg::EcdsaP256);
    let mut args = server_cert.s_server_args();
    args.extend(["-www", "-alpn", "h2,http/1.1", "-status_file"].map(String::from));
    args.push(path_str(&resp));
    let server = Server::s_server(&args);
    let sess = dir.join("sess.pem");
    let get = b"GET / HTTP/1.0\r\n\r\n";

    let out = s_client(
        lib,
        server.port(),
        &client_args(&[
            "-alpn",
            "http/1.1",
            "-showcerts",
            "-status",
            "-ign_eof",
            "-sess_out",
            &path_str(&sess),
        ]),
        "Verify return code",
        get,
    );
    for want in [
        "ALPN protocol: http/1.1",
        "OCSP Response Status: successful (0x0)",
        "Cert Status: good",
        "Verify return code: 0 (ok)",
        "HTTP/1.0 200 ok",
        "</pre></BODY></HTML>",
    ] {
        assert!(out.contains(want), "s_client lacks {want:?}:\n{out}");
    }
    // -showcerts prints the chain the server sent: its leaf and the intermediate.
    let chain = chain_of(&[server_cert.cert.clone(), pki().intermediate_ca()]);
    // (the OCSP response printed before it carries its signer's certificate too).
    let section = out
        .split_once("Certificate chain")
        .and_then(|(_, rest)| rest.split_once("Server certificate"))
        .map_or("", |(chain, _)| chain);
    assert_eq!(pem_certs(section), pem_certs(&chain), "-showcerts:\n{out}");
    // The server (stock) saw the SNI and ALPN it was sent: its page names the session.
    assert!(out.contains("Protocol  : TLSv1.3"), "{out}");
    assert!(
        fs::metadata(&sess).is_ok_and(|m| m.len() > 0),
        "-sess_out wrote nothing"
    );

    // -sess_in in a new process: stock OpenSSL resumes. ferrossl cannot: rustls keeps a
    // ticket's secrets private, so i2d_SSL_SESSION writes the public fields and a token valid
    // only in the process that wrote it; another process reads the session, finds it not
    // resumable, and makes a clean full handshake.
    let again = s_client(
        lib,
        server.port(),
        &client_args(&["-ign_eof", "-sess_in", &path_str(&sess)]),
        "Verify return code",
        get,
    );
    let want = if lib == Lib::Stock {
        "Reused, TLSv1.3"
    } else {
        "New, TLSv1.3"
    };
    assert!(again.contains(want), "-sess_in: no {want:?}:\n{again}");
    assert!(again.contains("HTTP/1.0 200 ok"), "{again}");

    // -brief, against a server whose default key is RSA and whose second context, for the name
    // `localhost`, has the ECDSA leaf (without its chain: the client trusts the intermediate
    // too): an ECDSA signature shows the name arrived. The short summary, then the page.
    let leaf = pki().server(KeyAlg::EcdsaP256);
    let mut args2 = pki().server(KeyAlg::Rsa2048).s_server_args();
    args2.extend(["-www", "-servername", "localhost", "-cert2"].map(String::from));
    args2.extend([path_str(&leaf.cert), "-key2".into(), path_str(&leaf.key)]);
    let sni_server = Server::s_server(&args2);
    let cas = dir.join("cas.pem");
    fs::write(&cas, chain_of(&[pki().root_ca(), pki().intermediate_ca()])).expect("cas.pem");
    let brief = s_client(
        lib,
        sni_server.port(),
        &[
            "-servername",
            "localhost",
            "-verify_return_error",
            "-CAfile",
            &path_str(&cas),
            "-brief",
            "-ign_eof",
        ]
        .map(String::from),
        "Verification: OK",
        get,
    );
    assert!(
        brief.contains("Signature type: ECDSA"),
        "not the second context's key: {brief}"
    );
    for want in [
        "CONNECTION ESTABLISHED",
        "Protocol version: TLSv1.3",
        "Peer certificate: O = ferrossl tests, CN = localhost",
        "Verification: OK",
        "HTTP/1.0 200 ok",
    ] {
        assert!(brief.contains(want), "-brief lacks {want:?}:\n{brief}");
    }
    report(
        "openssl s_client",
        PACKAGE,
        lib,
        "SNI+ALPN, -showcerts chain = server's PEMs, -status OCSP good, -sess_out/-sess_in, -brief, GET / page",
    );
}

#[test]
fn s_client_features_on_ferrossl() {
    s_client_features(OURS);
}

#[test]
fn s_client_features_on_stock() {
    s_client_features(Lib::Stock);
}

/// `openssl s_server <args>` on `lib`, in `dir` (what `-WWW` serves).
fn s_server(lib: Lib, args: &[String], dir: &Path) -> (Proc, u16) {
    let (server, port) = Proc::server(
        "s_server",
        |port| {
            let mut cmd = common::command(OPENSSL);
            cmd.arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .args(args)
                .current_dir(dir);
            lib.apply(&mut cmd);
            cmd
        },
        Some("ACCEPT"),
    );
    assert_maps(server.pid(), lib, "openssl s_server");
    (server, port)
}

fn curl(port: u16, path: &str) -> String {
    let out = common::run(
        common::command(CURL)
            .args([
                "-q",
                "-sS",
                "--noproxy",
                "*",
                "--max-time",
                "20",
                "--cacert",
            ])
            .arg(pki().root_ca())
            .arg(common::https_url(port, path)),
        TIMEOUT,
    );
    out.assert_success();
    out.stdout_str()
}

/// The `-www` page stock curl gets from `s_server` on `lib`.
fn www_page(lib: Lib) -> String {
    let dir = TempDir::new("www");
    let mut args = pki().server(KeyAlg::Rsa2048).s_server_args();
    args.push("-www".into());
    let (_server, port) = s_server(lib, &args, dir.path());
    curl(port, "/")
}

#[test]
fn s_server_www_on_ferrossl_shows_the_ciphers_page() {
    let ours = www_page(OURS);
    let stock = www_page(Lib::Stock);
    for page in [&ours, &stock] {
        for want in [
            "Ciphers supported in s_server binary",
            "Ciphers common between both SSL end points:",
            "Shared groups: x25519",
            "SSL-Session:",
            "Protocol  : TLSv1.3",
            "Cipher    : TLS_AES_256_GCM_SHA384",
            // s_server's SSL_CTX_set_session_id_context (the int 1), copied into the session.
            "Session-ID-ctx: 01000000",
            "Verify return code: 0 (ok)",
            "no client certificate available",
            "</pre></BODY></HTML>",
        ] {
            assert!(page.contains(want), "page lacks {want:?}:\n{page}");
        }
    }
    // The groups curl offered, by name (SSL_group_to_name names every group OpenSSL knows,
    // also those rustls lacks), exactly as stock prints them.
    let line = |page: &str| {
        page.lines()
            .find(|l| l.starts_with("Supported groups:"))
            .map(String::from)
    };
    assert_eq!(line(&ours), line(&stock), "{ours}");
    // The context's session statistics (SSL_CTX_sess_accept, ..._good, ...) as stock counts.
    let stats = |page: &str| -> Vec<String> {
        page.lines()
            .skip_while(|l| !l.contains("items in the session cache"))
            .take_while(|l| !l.starts_with("---"))
            .map(String::from)
            .collect()
    };
    assert!(stats(&stock)
        .iter()
        .any(|l| l.trim() == "1 server accepts that finished"));
    assert_eq!(stats(&ours), stats(&stock), "session statistics");
    // Every suite ferrossl shares with curl is one stock shares too.
    let shared = |page: &str| -> Vec<String> {
        let start = page
            .find("Ciphers common between both SSL end points:")
            .expect("shared ciphers");
        page[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("Supported groups"))
            .flat_map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
            .collect()
    };
    let (o, s) = (shared(&ours), shared(&stock));
    assert!(
        o.len() >= 9 && o.iter().all(|c| s.contains(c)),
        "{o:?} vs {s:?}"
    );
    report(
        "openssl s_server -www",
        PACKAGE,
        OURS,
        "stock curl GET /: ciphers page, shared ciphers and groups, SSL_SESSION_print",
    );
}

#[test]
fn s_server_big_www_serves_a_file_byte_for_byte() {
    for lib in [OURS, Lib::Ours(Mode::Preload)] {
        let dir = TempDir::new("WWW");
        let body = format!("{}\n", random_hex(40_000));
        fs::write(dir.join("file.txt"), &body).expect("writing the file");
        let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
        args.push("-WWW".into());
        let (_server, port) = s_server(lib, &args, dir.path());
        let got = curl(port, "/file.txt");
        common::assert_same_bytes(got.as_bytes(), body.as_bytes(), "the -WWW file");
        report(
            "openssl s_server -WWW",
            PACKAGE,
            lib,
            "stock curl GET of an 80 kB random file, same bytes",
        );
    }
}

/// `s_server -Verify 1 -rev` on ferrossl: a stock `s_client` with the test client certificate
/// gets its line back reversed and the server prints the client's subject; without one, the
/// client gets TLS 1.3's `certificate required` alert.
#[test]
fn s_server_verify_requires_a_client_certificate() {
    let dir = TempDir::new("Verify");
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.extend(["-Verify", "1", "-rev", "-CAfile"].map(String::from));
    args.push(path_str(&pki().root_ca()));
    let (server, port) = s_server(OURS, &args, dir.path());
    let client = pki().client();
    let line = format!("hello {}", random_hex(8));
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(client_args(&["-quiet", "-cert"]))
        .arg(&client.cert)
        .arg("-key")
        .arg(&client.key);
    let mut with = Proc::spawn(&mut cmd, "stock s_client", true);
    let mut stdin = with.stdin();
    stdin
        .write_all(format!("{line}\nCLOSE\n").as_bytes())
        .expect("writing to s_client");
    let reversed: String = line.chars().rev().collect();
    with.wait_for(&reversed, TIMEOUT);
    drop(stdin);
    let end = with.wait(TIMEOUT);
    assert!(end.status.success(), "{}", end.log);
    let log = server.log();
    assert!(
        log.contains("Peer certificate: O = ferrossl tests, CN = ferrossl test client")
            && log.contains("Verification: OK"),
        "s_server did not print the client's subject:\n{log}"
    );

    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(client_args(&["-quiet"]));
    let mut without = Proc::spawn(&mut cmd, "stock s_client without a certificate", true);
    let mut stdin = without.stdin();
    let _ = stdin.write_all(b"hello\n");
    drop(stdin);
    let end = without.wait(TIMEOUT);
    assert!(
        !end.status.success() && end.log.contains("alert certificate required"),
        "s_client without a certificate:\n{}",
        end.log
    );
    let deadline = Instant::now() + TIMEOUT;
    while !server.log().contains("peer did not return a certificate") {
        assert!(Instant::now() < deadline, "s_server:\n{}", server.log());
        thread::sleep(Duration::from_millis(20));
    }
    report(
        "openssl s_server -Verify 1",
        PACKAGE,
        OURS,
        "stock s_client with a client certificate: line reversed, subject printed; without: alert",
    );
}

/// `s_time -new -time 2` on ferrossl against a stock `s_server -www`: it counts full
/// handshakes (each fetching the page with `-www`).
#[test]
fn s_time_counts_connections() {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-www".into());
    let server = Server::s_server(&args);
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_time")
        .arg("-connect")
        .arg(format!("127.0.0.1:{}", server.port()))
        .args(["-new", "-time", "2", "-www", "/", "-CAfile"])
        .arg(pki().root_ca());
    OURS.apply(&mut cmd);
    let proc = Proc::spawn(&mut cmd, "s_time", false);
    assert_maps(proc.pid(), OURS, "openssl s_time");
    let end = proc.wait(TIMEOUT);
    assert!(end.status.success(), "{}", end.log);
    // "<n> connections in <t>s; <r> connections/user sec, bytes read <b>"
    let line = end
        .log
        .lines()
        .find(|l| l.contains("connections/user sec"))
        .unwrap_or_else(|| panic!("no statistics:\n{}", end.log));
    let count: u64 = line
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let bytes: u64 = line
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(count > 0 && bytes > 0, "{line}");
    report(
        "openssl s_time -new",
        PACKAGE,
        OURS,
        &format!("{count} full handshakes with GET / to stock s_server"),
    );
}

fn ciphers(lib: Lib, args: &[&str]) -> Vec<String> {
    let mut cmd = common::command(OPENSSL);
    cmd.arg("ciphers").args(args);
    lib.apply(&mut cmd);
    let out = common::run(&mut cmd, TIMEOUT);
    out.assert_success();
    out.stdout_str().lines().map(String::from).collect()
}

/// `openssl ciphers` on ferrossl lists only rustls's suites; each line is stock's line for that
/// suite, and the list is exactly what ferrossl's `s_client` offers a stock server.
#[test]
fn ciphers_lists_what_ferrossl_offers() {
    for args in [
        &["-v"][..],
        &["-v", "-s", "-tls1_3"],
        &["-stdname", "-s"],
        &["-V", "-s"],
    ] {
        let ours = ciphers(OURS, args);
        let stock = ciphers(Lib::Stock, args);
        assert!(!ours.is_empty(), "{args:?}");
        for line in &ours {
            assert!(
                stock.contains(line),
                "{args:?}: {line:?} is not among stock's:\n{stock:#?}"
            );
        }
        if args.contains(&"-tls1_3") {
            assert_eq!(ours, stock, "-tls1_3 lists TLS 1.3's suites");
        }
    }
    let names: Vec<String> = ciphers(OURS, &["-v"])
        .iter()
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");

    // What a ferrossl s_client offers, as the stock server's page lists it.
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-www".into());
    let server = Server::s_server(&args);
    let page = s_client(
        OURS,
        server.port(),
        &client_args(&["-ign_eof"]),
        "Verify return code",
        b"GET / HTTP/1.0\r\n\r\n",
    );
    let start = page
        .find("Ciphers common between both SSL end points:")
        .unwrap_or_else(|| panic!("{page}"));
    let offered: Vec<String> = page[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("Signature Algorithms") && !l.starts_with("Supported"))
        .flat_map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .collect();
    let mut a = names.clone();
    let mut b = offered.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "ciphers -v vs offered:\n{page}");
    report(
        "openssl ciphers",
        PACKAGE,
        OURS,
        "-v/-s -tls1_3/-stdname/-V lines equal stock's; list = suites s_client offers",
    );
}
