//! Debian's unmodified python3 `ssl` module on ferrossl (through LD_LIBRARY_PATH): a verified
//! download, the exceptions Python raises for an untrusted certificate and a wrong host name,
//! and session reuse through `SSLSocket.session`.

mod common;

use std::time::Duration;

use common::{pki, KeyAlg, Server};

const CLIENT: &str = r#"
import socket, ssl, sys
port, cafile, host, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
def fetch(session=None):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname=host, session=session) as t:
            t.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                d = t.recv(65536)
                if not d:
                    break
                data += d
            return t.version(), t.session, t.session_reused, data
try:
    version, session, _, data = fetch()
    print("version", version)
    print("status", data.split(b"\r\n")[0].decode())
    if mode == "resume":
        _, _, reused, data2 = fetch(session)
        print("reused", reused, b"Reused," in data2)
except ssl.SSLCertVerificationError as e:
    print("verify-error", e.verify_code, e.reason, e.verify_message)
"#;

fn python(port: u16, host: &str, mode: &str) -> String {
    let out = common::run(
        common::command("/usr/bin/python3")
            .args([
                "-c",
                CLIENT,
                &port.to_string(),
                &common::path_str(&pki().root_ca()),
                host,
                mode,
            ])
            .env("LD_LIBRARY_PATH", common::libdir()),
        Duration::from_secs(30),
    );
    out.assert_success();
    out.stdout_str()
}

fn server(extra: &[&str], cert: common::CertKey) -> Server {
    let mut args = cert.s_server_args();
    args.push("-www".into());
    args.extend(extra.iter().map(|s| s.to_string()));
    Server::s_server(&args)
}

#[test]
fn python_verified_request_tls13_and_tls12() {
    for extra in [&[][..], &["-tls1_2"][..]] {
        let s = server(extra, pki().server(KeyAlg::EcdsaP256));
        let out = python(s.port(), "localhost", "get");
        let want = if extra.is_empty() {
            "version TLSv1.3"
        } else {
            "version TLSv1.2"
        };
        assert!(
            out.contains(want) && out.contains("status HTTP/1.0 200 ok"),
            "{out}"
        );
    }
    common::progs::report(
        "python3 ssl client",
        "python3.11",
        common::progs::Lib::Ours(common::Mode::LibraryPath),
        "verified HTTP GET from stock s_server -www over TLS 1.3 and TLS 1.2",
    );
}

#[test]
fn python_untrusted_certificate_raises_verification_error() {
    let s = server(&[], pki().untrusted_server());
    let out = python(s.port(), "localhost", "get");
    assert!(
        out.contains(
            "verify-error 20 CERTIFICATE_VERIFY_FAILED unable to get local issuer certificate"
        ),
        "{out}"
    );
}

#[test]
fn python_hostname_mismatch_raises_verification_error() {
    let s = server(&[], pki().wrong_host_server());
    let out = python(s.port(), "localhost", "get");
    assert!(
        out.contains("verify-error 62 CERTIFICATE_VERIFY_FAILED Hostname mismatch"),
        "{out}"
    );
}

#[test]
fn python_session_reuse() {
    for extra in [&[][..], &["-tls1_2"][..]] {
        let s = server(extra, pki().server(KeyAlg::Rsa2048));
        let out = python(s.port(), "localhost", "resume");
        assert!(out.contains("reused True True"), "{extra:?}: {out}");
    }
}

/// `SSLContext.get_ciphers()` (SSL_CTX_get_ciphers) lists, in order, the suites OpenSSL lists
/// for Python's default cipher string that rustls implements.
#[test]
fn python_get_ciphers_matches_openssl_for_the_suites_rustls_has() {
    let script =
        "import ssl\nfor c in ssl.create_default_context().get_ciphers(): print(c['name'])";
    let run = |lib: Option<&std::path::Path>| {
        let mut cmd = common::command("/usr/bin/python3");
        cmd.args(["-c", script]);
        if let Some(l) = lib {
            cmd.env("LD_LIBRARY_PATH", l);
        }
        let out = common::run(&mut cmd, Duration::from_secs(30));
        out.assert_success();
        out.stdout_str()
            .lines()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let ours = run(Some(common::libdir()));
    let theirs = run(None);
    assert_eq!(ours.len(), 9, "{ours:?}");
    let theirs: Vec<String> = theirs.into_iter().filter(|n| ours.contains(n)).collect();
    assert_eq!(ours, theirs);
}

/// `urllib.request` (http.client: ALPN, post-handshake auth setting, verification) on ferrossl.
#[test]
fn python_urllib_fetches_over_https() {
    let s = server(&["-alpn", "http/1.1"], pki().server(KeyAlg::EcdsaP256));
    let script = format!(
        "import ssl, urllib.request\nctx = ssl.create_default_context(cafile={ca:?})\n\
         r = urllib.request.urlopen('https://localhost:{port}/', context=ctx, timeout=10)\n\
         body = r.read()\nprint(r.status, b'Ciphers supported' in body)",
        ca = common::path_str(&pki().root_ca()),
        port = s.port()
    );
    let out = common::run(
        common::command("/usr/bin/python3")
            .args(["-c", &script])
            .env("LD_LIBRARY_PATH", common::libdir()),
        Duration::from_secs(30),
    );
    out.assert_success();
    assert_eq!(out.stdout_str().trim(), "200 True");
}
