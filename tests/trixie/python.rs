//! Debian 13's python3.13 (`_ssl` imports `SSL_SESSION_get_time_ex` of OPENSSL_3.3.0) on
//! ferrossl: urllib fetching from a stock 3.5 `s_server -www`, and an `ssl` server answering a
//! stock 3.5 curl.

use common::progs::{random_hex, Gate, Proc};
use common::trixie::{assert_maps, report, On, Stage};
use common::{run, Mode};

use super::{s_server, TIMEOUT};
use crate::common;

/// Fetches a URL with urllib and a verifying context, prints the page, then the negotiated
/// version from a second connection with the same context, and ssl.OPENSSL_VERSION.
const CLIENT: &str = r#"
import socket, ssl, sys, urllib.request
url, cafile, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=cafile)
sys.stdout.write(urllib.request.urlopen(url, context=ctx, timeout=20).read().decode())
with socket.create_connection(("127.0.0.1", port)) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        print("version=" + tls.version())
        print("session_time_ok=" + str(tls.session is not None and tls.session.time > 0))
print("openssl=" + ssl.OPENSSL_VERSION)
"#;

#[test]
fn urllib_on_ferrossl_against_stock_s_server() {
    let stage = Stage::new("python-client");
    let pki = stage.copy_pki();
    let script = stage.write("client.py", CLIENT);
    let (server, port) = s_server(&stage, On::Stock, &["-www"]);
    let on = On::Ours(Mode::LibraryPath);
    let mut gate = Gate::new(port);
    let mut cmd = stage.command(on, &[], "python3");
    cmd.arg(&script)
        .arg(format!("https://localhost:{}/", gate.port()))
        .arg(format!("{pki}/root-ca.pem"))
        .arg(port.to_string());
    let child = Proc::spawn(&mut cmd, "python3-3.5", false);
    gate.accepted(TIMEOUT);
    assert_maps(child.pid(), &stage, on, "Debian 13's python3");
    gate.open();
    let ended = child.wait(TIMEOUT);
    assert!(
        ended.status.success()
            && ended.log.contains("Protocol  : TLSv1.3")
            && ended.log.contains("version=TLSv1.3")
            && ended.log.contains("session_time_ok=True"),
        "{}\n--- server ---\n{}",
        ended.log,
        server.log()
    );
    report(
        "python3 urllib",
        "python3.13",
        &stage,
        on,
        "GET from stock 3.5 s_server -www, then a TLS 1.3 session with a creation time",
    );
}

/// A TLS server (ssl.SSLContext.wrap_socket) that sends back, for each request, the request's
/// first line, the negotiated version and a random token given on the command line.
const SERVER: &str = r#"
import socket, ssl, sys
cert, key, port, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.create_server(("127.0.0.1", port))
print("listening", flush=True)
for _ in range(2):
    conn, _ = srv.accept()
    with ctx.wrap_socket(conn, server_side=True) as tls:
        request = tls.recv(4096).decode().split("\r\n")[0]
        body = f"{request} {tls.version()} {token}\n"
        tls.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}".encode())
"#;

#[test]
fn ssl_server_on_ferrossl_answers_stock_curl() {
    let stage = Stage::new("python-server");
    let pki = stage.copy_pki();
    let script = stage.write("server.py", SERVER);
    let token = random_hex(16);
    let on = On::Ours(Mode::Preload);
    let (server, port) = Proc::server(
        "python3-server-3.5",
        |port| {
            let mut cmd = stage.command(on, &[], "python3");
            cmd.arg(&script)
                .arg(format!("{pki}/server-ecdsa.chain.pem"))
                .arg(format!("{pki}/server-ecdsa.key"))
                .arg(port.to_string())
                .arg(&token);
            cmd
        },
        Some("listening"),
    );
    assert_maps(server.pid(), &stage, on, "Debian 13's python3 server");
    for (tls, version) in [("1.3", "TLSv1.3"), ("1.2", "TLSv1.2")] {
        let mut cmd = stage.command(On::Stock, &[], "curl");
        cmd.args(["-sS", "--max-time", "20", "--tls-max", tls, "--cacert"])
            .arg(format!("{pki}/root-ca.pem"))
            .arg(format!("https://localhost:{port}/{version}"));
        let out = run(&mut cmd, TIMEOUT);
        assert_eq!(
            out.stdout_str(),
            format!("GET /{version} HTTP/1.1 {version} {token}\n"),
            "{}\n--- server ---\n{}",
            out.stderr,
            server.log()
        );
    }
    report(
        "python3 ssl server",
        "python3.13",
        &stage,
        on,
        "answered stock 3.5 curl over TLS 1.3 and TLS 1.2",
    );
}
