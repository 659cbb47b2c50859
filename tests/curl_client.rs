//! Acceptance tests with the real `/usr/bin/curl` as the TLS client on the library under test,
//! against real servers on stock OpenSSL (`openssl s_server`, nginx). Every test runs twice:
//! `<test>::library_path` (`LD_LIBRARY_PATH`) and `<test>::preload` (`LD_PRELOAD`).
//!
//! Covered:
//! - downloads of a random 1 MiB file from `s_server -WWW` with RSA-2048, ECDSA P-256 and Ed25519
//!   server certificates (leaf + intermediate chain, root given to curl), TLS 1.3 and TLS 1.2:
//!   body byte-identical, `%{ssl_verify_result}` 0, protocol reported by `curl -v`;
//! - verification against the IP address SAN (`https://127.0.0.1`);
//! - nginx (stock OpenSSL): HTTP/1.1 and HTTP/2 (ALPN h2) downloads, session resumption seen in
//!   nginx's `$ssl_session_reused`;
//! - failures: untrusted issuer and hostname mismatch give curl exit 60 with a readable message,
//!   and succeed with `-k`;
//! - session resumption between two URLs of one curl run (`s_server -www` reports "Reused, "):
//!   TLS 1.3 (stateless and stateful tickets), TLS 1.2 (session ids: curl asks for no tickets);
//! - client certificates: PKCS#8 and traditional keys, encrypted ones with `--pass`, TLS 1.3 and
//!   1.2; a wrong passphrase (exit 58) and a missing certificate are rejected.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Generates, for each `name => fn(Mode)` entry, a module `name` with the tests `library_path`
/// and `preload`.
macro_rules! mode_tests {
    ($($name:ident => $body:expr;)*) => {
        $(
            mod $name {
                use super::*;

                #[test]
                fn library_path() {
                    ($body)(Mode::LibraryPath)
                }

                #[test]
                fn preload() {
                    ($body)(Mode::Preload)
                }
            }
        )*
    };
}

#[derive(Clone, Copy, Debug)]
enum Tls {
    V12,
    V13,
}

impl Tls {
    /// The `s_server` option that pins this version.
    fn s_server_flag(self) -> &'static str {
        match self {
            Tls::V12 => "-tls1_2",
            Tls::V13 => "-tls1_3",
        }
    }

    /// The name OpenSSL (`SSL_get_version`) gives it.
    fn name(self) -> &'static str {
        match self {
            Tls::V12 => "TLSv1.2",
            Tls::V13 => "TLSv1.3",
        }
    }
}

const FILE_SIZE: usize = 1 << 20;

fn root_ca() -> String {
    path_str(&pki().root_ca())
}

/// Starts `s_server -www` (status page) with `cert` and extra `args`.
fn status_server(cert: &CertKey, args: &[&str]) -> Server {
    let mut all = cert.s_server_args();
    all.push("-www".to_owned());
    all.extend(args.iter().map(ToString::to_string));
    Server::s_server(&all)
}

/// The "New, ..." / "Reused, ..." lines of `s_server -www` status pages, in order.
fn session_lines(page: &str) -> Vec<&str> {
    page.lines()
        .filter(|l| l.starts_with("New, ") || l.starts_with("Reused, "))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Which library curl loads
// ---------------------------------------------------------------------------------------------

mode_tests! {
    curl_loads_library_under_test => assert_curl_loads_ours;
}

// ---------------------------------------------------------------------------------------------
// Downloads from s_server -WWW
// ---------------------------------------------------------------------------------------------

fn download(mode: Mode, alg: KeyAlg, tls: Tls) {
    let mut args = pki().server(alg).s_server_args();
    args.extend(["-WWW".to_owned(), tls.s_server_flag().to_owned()]);
    let server = Server::s_server(&args);
    let body = random_bytes(FILE_SIZE);
    fs::write(server.docroot().join("file.bin"), &body).expect("writing the served file");

    let out_dir = TempDir::new("curl-out");
    let out_file = out_dir.join("file.bin");
    let out = curl(
        mode,
        &[
            "--verbose",
            "--cacert",
            &root_ca(),
            "--output",
            &path_str(&out_file),
            "--write-out",
            "%{http_code} %{ssl_verify_result}",
            &server.url("file.bin"),
        ],
    );
    out.assert_success();
    assert_eq!(out.stdout_str(), "200 0", "http code and ssl_verify_result");
    let expected = format!("SSL connection using {} / ", tls.name());
    assert!(
        out.stderr.contains(&expected),
        "curl -v does not report {expected:?}:\n{}",
        out.stderr
    );
    let got = fs::read(&out_file).expect("reading the downloaded file");
    assert_same_bytes(&got, &body, "downloaded file");
    common::progs::report(
        "curl",
        "curl",
        common::progs::Lib::Ours(mode),
        &format!(
            "{FILE_SIZE} random bytes from stock s_server -WWW over {} with an {} certificate",
            tls.name(),
            alg.name()
        ),
    );
}

mode_tests! {
    download_rsa_tls13 => |m| download(m, KeyAlg::Rsa2048, Tls::V13);
    download_rsa_tls12 => |m| download(m, KeyAlg::Rsa2048, Tls::V12);
    download_ecdsa_tls13 => |m| download(m, KeyAlg::EcdsaP256, Tls::V13);
    download_ecdsa_tls12 => |m| download(m, KeyAlg::EcdsaP256, Tls::V12);
    download_ed25519_tls13 => |m| download(m, KeyAlg::Ed25519, Tls::V13);
    download_ed25519_tls12 => |m| download(m, KeyAlg::Ed25519, Tls::V12);
}

/// `https://127.0.0.1:<port>/` verifies against the certificate's IP address SAN (no SNI).
fn ip_address_san(mode: Mode) {
    let server = status_server(&pki().server(KeyAlg::EcdsaP256), &[]);
    let url = format!("https://127.0.0.1:{}/", server.port());
    let out = curl(
        mode,
        &[
            "--cacert",
            &root_ca(),
            "--write-out",
            "\nverify_result=%{ssl_verify_result}",
            &url,
        ],
    );
    out.assert_success();
    let page = out.stdout_str();
    assert!(
        page.ends_with("\nverify_result=0"),
        "ssl_verify_result is not 0:\n{page}"
    );
    assert_eq!(
        session_lines(&page).len(),
        1,
        "no s_server status page:\n{page}"
    );
}

mode_tests! {
    ip_address_san => ip_address_san;
}

// ---------------------------------------------------------------------------------------------
// nginx on stock OpenSSL
// ---------------------------------------------------------------------------------------------

/// nginx serving `html/` with the RSA chain. The session cache matters for TLS 1.2: curl offers
/// no session tickets (SSL_OP_NO_TICKET), and nginx's default `ssl_session_cache none` would
/// make every TLS 1.2 handshake a full one.
fn start_nginx() -> Nginx {
    let cert = pki().server(KeyAlg::Rsa2048);
    Nginx::start(None, |port, dir| {
        format!(
            "    server {{\n\
             \x20       listen 127.0.0.1:{port} ssl http2;\n\
             \x20       server_name localhost;\n\
             \x20       ssl_certificate {chain};\n\
             \x20       ssl_certificate_key {key};\n\
             \x20       ssl_protocols TLSv1.2 TLSv1.3;\n\
             \x20       ssl_session_cache shared:interop:1m;\n\
             \x20       root {root};\n\
             \x20   }}\n",
            chain = cert.chain.display(),
            key = cert.key.display(),
            root = dir.join("html").display(),
        )
    })
}

fn nginx_download(mode: Mode, http_flag: &str, expected_version: &str) {
    let nginx = start_nginx();
    let body = random_bytes(FILE_SIZE);
    fs::write(nginx.html_dir().join("file.bin"), &body).expect("writing the served file");

    let out_dir = TempDir::new("curl-out");
    let out_file = out_dir.join("file.bin");
    let out = curl(
        mode,
        &[
            http_flag,
            "--cacert",
            &root_ca(),
            "--output",
            &path_str(&out_file),
            "--write-out",
            "%{http_code} %{http_version} %{ssl_verify_result}",
            &nginx.url("file.bin"),
        ],
    );
    out.assert_success();
    assert_eq!(
        out.stdout_str(),
        format!("200 {expected_version} 0"),
        "http code, http version, ssl_verify_result"
    );
    let got = fs::read(&out_file).expect("reading the downloaded file");
    assert_same_bytes(&got, &body, "downloaded file");
}

fn nginx_resumption(mode: Mode, tls_max: &str, expected_protocol: &str) {
    let nginx = start_nginx();
    fs::write(nginx.html_dir().join("a.txt"), "hello\n").expect("writing the served file");
    let url = nginx.url("a.txt");
    // `Connection: close` makes nginx close each connection, so the second URL needs a new
    // handshake, which should resume the session of the first.
    let out = curl(
        mode,
        &[
            "--http1.1",
            "--tls-max",
            tls_max,
            "--header",
            "Connection: close",
            "--cacert",
            &root_ca(),
            &url,
            &url,
        ],
    );
    out.assert_success();
    assert_eq!(out.stdout_str(), "hello\nhello\n");
    let log = nginx.access_log();
    assert_eq!(
        log.len(),
        2,
        "expected two requests in nginx's access log: {log:#?}"
    );
    assert!(
        log[0].contains(&format!(" {expected_protocol} ")) && log[0].contains(" reused=. "),
        "first request should be a full {expected_protocol} handshake: {log:#?}"
    );
    assert!(
        log[1].contains(&format!(" {expected_protocol} ")) && log[1].contains(" reused=r "),
        "second request should resume the {expected_protocol} session: {log:#?}"
    );
}

mode_tests! {
    nginx_http11 => |m| nginx_download(m, "--http1.1", "1.1");
    nginx_http2 => |m| nginx_download(m, "--http2", "2");
    nginx_resumption_tls13 => |m| nginx_resumption(m, "1.3", "TLSv1.3");
    nginx_resumption_tls12 => |m| nginx_resumption(m, "1.2", "TLSv1.2");
}

// ---------------------------------------------------------------------------------------------
// Verification failures
// ---------------------------------------------------------------------------------------------

/// curl's message for an exit 60 must say what went wrong in OpenSSL's words.
fn assert_readable_verify_error(stderr: &str, any_of: &[&str]) {
    assert!(
        any_of.iter().any(|m| stderr.contains(m)),
        "curl's error does not say why verification failed (expected one of {any_of:?}):\n{stderr}"
    );
}

fn untrusted_issuer(mode: Mode) {
    let server = status_server(&pki().untrusted_server(), &[]);
    let out = curl(
        mode,
        &[
            "--cacert",
            &root_ca(),
            "--write-out",
            "verify_result=%{ssl_verify_result}",
            &server.url("/"),
        ],
    );
    out.assert_code(60);
    assert_readable_verify_error(
        &out.stderr,
        &[
            "unable to get local issuer certificate",
            "self-signed certificate in certificate chain",
            "certificate verify failed",
        ],
    );
    let verify_result = out.stdout_str();
    assert!(
        verify_result.starts_with("verify_result=") && verify_result != "verify_result=0",
        "ssl_verify_result should report the failure: {verify_result:?}"
    );
}

fn untrusted_issuer_insecure(mode: Mode) {
    let server = status_server(&pki().untrusted_server(), &[]);
    let out = curl(
        mode,
        &["--insecure", "--cacert", &root_ca(), &server.url("/")],
    );
    out.assert_success();
    assert_eq!(
        session_lines(&out.stdout_str()).len(),
        1,
        "no status page:\n{}",
        out.stdout_str()
    );
}

fn hostname_mismatch(mode: Mode) {
    let server = status_server(&pki().wrong_host_server(), &[]);
    let out = curl(mode, &["--cacert", &root_ca(), &server.url("/")]);
    out.assert_code(60);
    // OpenSSL-built curl checks the name itself: "no alternative certificate subject name matches
    // target host name 'localhost'"; a library-side check reports "hostname mismatch".
    assert_readable_verify_error(&out.stderr, &["'localhost'", "hostname mismatch"]);
}

fn hostname_mismatch_insecure(mode: Mode) {
    let server = status_server(&pki().wrong_host_server(), &[]);
    let out = curl(
        mode,
        &["--insecure", "--cacert", &root_ca(), &server.url("/")],
    );
    out.assert_success();
    assert_eq!(
        session_lines(&out.stdout_str()).len(),
        1,
        "no status page:\n{}",
        out.stdout_str()
    );
}

mode_tests! {
    untrusted_issuer_fails => untrusted_issuer;
    untrusted_issuer_insecure_succeeds => untrusted_issuer_insecure;
    hostname_mismatch_fails => hostname_mismatch;
    hostname_mismatch_insecure_succeeds => hostname_mismatch_insecure;
}

// ---------------------------------------------------------------------------------------------
// Session resumption against s_server -www
// ---------------------------------------------------------------------------------------------

/// Two URLs in one curl run: s_server -www answers HTTP/1.0 and closes, so the second URL takes
/// a new connection, which must resume the first one's session. The status page reports
/// `New, <version>, Cipher is ...` or `Reused, <version>, Cipher is ...`.
fn resumption(mode: Mode, tls: Tls, server_args: &[&str]) {
    let mut args = vec![tls.s_server_flag()];
    args.extend_from_slice(server_args);
    let server = status_server(&pki().server(KeyAlg::EcdsaP256), &args);
    let url = server.url("/");
    let out = curl(mode, &["--cacert", &root_ca(), &url, &url]);
    out.assert_success();
    let page = out.stdout_str();
    let sessions = session_lines(&page);
    assert_eq!(sessions.len(), 2, "expected two status pages:\n{page}");
    assert!(
        sessions[0].starts_with(&format!("New, {}, ", tls.name())),
        "first connection should be a full {} handshake: {sessions:?}",
        tls.name()
    );
    assert!(
        sessions[1].starts_with(&format!("Reused, {}, ", tls.name())),
        "second connection should resume the {} session: {sessions:?}",
        tls.name()
    );
}

mode_tests! {
    resumption_tls13_tickets => |m| resumption(m, Tls::V13, &[]);
    // With -no_ticket, OpenSSL's TLS 1.3 tickets are stateful (a session id in its cache).
    resumption_tls13_stateful => |m| resumption(m, Tls::V13, &["-no_ticket"]);
    // curl sets SSL_OP_NO_TICKET, so with TLS 1.2 it offers no ticket extension and resumes by
    // session id (from s_server's internal session cache).
    resumption_tls12_session_id => |m| resumption(m, Tls::V12, &[]);
}

// ---------------------------------------------------------------------------------------------
// Client certificates
// ---------------------------------------------------------------------------------------------

/// Starts `s_server -www -Verify 1 -CAfile <root>`: a client certificate is required.
fn client_auth_server(tls: Tls) -> Server {
    status_server(
        &pki().server(KeyAlg::EcdsaP256),
        &[tls.s_server_flag(), "-Verify", "1", "-CAfile", &root_ca()],
    )
}

/// curl presents the client certificate with `key` (and `--pass` if given); the server's
/// status page must show it received our certificate.
fn client_cert(mode: Mode, tls: Tls, key: &Path, pass: Option<&str>) {
    let server = client_auth_server(tls);
    let client = pki().client();
    let cert = path_str(&client.cert);
    let key = path_str(key);
    let root = root_ca();
    let mut args = vec!["--cacert", &root, "--cert", &cert, "--key", &key];
    if let Some(pass) = pass {
        args.extend(["--pass", pass]);
    }
    let url = server.url("/");
    args.push(&url);
    let out = curl(mode, &args);
    out.assert_success();
    let page = out.stdout_str();
    let (_, client_part) = page
        .split_once("Client certificate")
        .unwrap_or_else(|| panic!("the status page shows no client certificate:\n{page}"));
    assert!(
        client_part.contains(CLIENT_CN),
        "the status page shows another certificate:\n{page}"
    );
    let sessions = session_lines(&page);
    assert!(
        sessions.len() == 1 && sessions[0].starts_with(&format!("New, {}, ", tls.name())),
        "expected one {} status page: {sessions:?}",
        tls.name()
    );
}

fn client_cert_missing(mode: Mode, tls: Tls) {
    let server = client_auth_server(tls);
    let out = curl(mode, &["--cacert", &root_ca(), &server.url("/")]);
    // TLS 1.2: the handshake fails (35); TLS 1.3: the server's alert arrives on the first read
    // after the client's side of the handshake is done (56).
    let code = out.code();
    assert!(
        code == 35 || code == 56,
        "a server requiring a client certificate should refuse us; curl exited {code}\n\
         stdout:\n{}\nstderr:\n{}",
        out.stdout_str(),
        out.stderr
    );
    assert!(!out.stdout_str().contains("Client certificate"));
}

fn client_cert_wrong_passphrase(mode: Mode) {
    let server = client_auth_server(Tls::V13);
    let pki = pki();
    let out = curl(
        mode,
        &[
            "--cacert",
            &root_ca(),
            "--cert",
            &path_str(&pki.client().cert),
            "--key",
            &path_str(&pki.client_key_encrypted()),
            "--pass",
            "not-the-passphrase",
            &server.url("/"),
        ],
    );
    // CURLE_SSL_CERTPROBLEM: "unable to set private key file"
    out.assert_code(58);
}

mode_tests! {
    client_cert_tls13 => |m| client_cert(m, Tls::V13, &pki().client().key, None);
    client_cert_tls12 => |m| client_cert(m, Tls::V12, &pki().client().key, None);
    client_cert_traditional_key =>
        |m| client_cert(m, Tls::V13, &pki().client_key_traditional(), None);
    client_cert_encrypted_key_tls13 =>
        |m| client_cert(m, Tls::V13, &pki().client_key_encrypted(), Some(CLIENT_KEY_PASSPHRASE));
    client_cert_encrypted_key_tls12 =>
        |m| client_cert(m, Tls::V12, &pki().client_key_encrypted(), Some(CLIENT_KEY_PASSPHRASE));
    client_cert_encrypted_traditional_key => |m| client_cert(
        m, Tls::V13, &pki().client_key_encrypted_traditional(), Some(CLIENT_KEY_PASSPHRASE));
    client_cert_wrong_passphrase_fails => client_cert_wrong_passphrase;
    client_cert_missing_tls13_fails => |m| client_cert_missing(m, Tls::V13);
    client_cert_missing_tls12_fails => |m| client_cert_missing(m, Tls::V12);
}
