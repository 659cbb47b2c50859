//! Debian 13's haproxy (3.0, which imports `SSL_get0_group_name` of OPENSSL_3.2.0) on ferrossl,
//! as TLS front end (HTTP/2 and HTTP/1.1 from a stock 3.5 curl) and TLS back end (verifying a
//! stock 3.5 Python `ssl` server, with SNI) in one process: the page the client gets is the
//! back end's report of haproxy's TLS connection to it (version, SNI, session reuse).

use std::fs;

use common::progs::Proc;
use common::trixie::{assert_maps, report, On, Stage};
use common::{run, Mode};

use super::TIMEOUT;

/// An HTTPS back end on stock OpenSSL 3.5 (Python's ssl): answers every request with the TLS
/// version, the SNI name and whether the session was resumed, with a Content-Length.
const BACKEND: &str = r#"
import socket, ssl, sys, threading
cert, key, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
names = {}
ctx.sni_callback = lambda tls, name, _ctx: names.__setitem__(id(tls), name)
srv = socket.create_server(("127.0.0.1", port))
print("listening", flush=True)
def serve(conn):
    with ctx.wrap_socket(conn, server_side=True) as tls:
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                more = tls.recv(4096)
                if not more:
                    return
                buf += more
            head, buf = buf.split(b"\r\n\r\n", 1)
            body = f"backend saw {tls.version()} sni={names.get(id(tls))} reused={tls.session_reused}\n"
            tls.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode())
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"#;
use crate::common;

#[test]
fn haproxy_front_and_back_end_on_ferrossl() {
    let stage = Stage::new("haproxy");
    let pki = stage.copy_pki();
    // haproxy's `crt` takes the chain and the key in one file.
    let bundle = fs::read_to_string(stage.host("pki/server-ecdsa.chain.pem")).unwrap()
        + &fs::read_to_string(stage.host("pki/server-ecdsa.key")).unwrap();
    let crt = stage.write("haproxy.pem", bundle);
    let script = stage.write("backend.py", BACKEND);
    let (backend, backend_port) = Proc::server(
        "backend-3.5",
        |port| {
            let mut cmd = stage.command(On::Stock, &[], "python3");
            cmd.arg(&script)
                .arg(format!("{pki}/server-ecdsa.chain.pem"))
                .arg(format!("{pki}/server-ecdsa.key"))
                .arg(port.to_string());
            cmd
        },
        Some("listening"),
    );
    for on in [On::Ours(Mode::LibraryPath), On::Ours(Mode::Preload)] {
        let (haproxy, port) = Proc::server(
            "haproxy-3.5",
            |port| {
                let conf = format!(
                    "global\n  log stdout format raw local0 info\n\
                     defaults\n  mode http\n  log global\n  option httplog\n\
                     \x20 timeout connect 5s\n  timeout client 20s\n  timeout server 20s\n\
                     frontend fe\n  bind 127.0.0.1:{port} ssl crt {crt} alpn h2,http/1.1\n\
                     \x20 default_backend be\n\
                     backend be\n  server s1 127.0.0.1:{backend_port} ssl verify required \
                     ca-file {pki}/root-ca.pem sni str(localhost) verifyhost localhost\n"
                );
                let conf = stage.write("haproxy.cfg", conf);
                let mut cmd = stage.command(on, &[], "/usr/sbin/haproxy");
                cmd.args(["-db", "-f", &conf]);
                cmd
            },
            None,
        );
        assert_maps(haproxy.pid(), &stage, on, "Debian 13's haproxy");
        for (flag, http) in [("--http2", "2"), ("--http1.1", "1.1")] {
            let mut cmd = stage.command(On::Stock, &[], "curl");
            cmd.args(["-sS", "--max-time", "20", flag, "--cacert"])
                .arg(format!("{pki}/root-ca.pem"))
                .args(["-w", "\\nhttp_version=%{http_version}"])
                .arg(format!("https://localhost:{port}/"));
            let out = run(&mut cmd, TIMEOUT);
            let page = out.stdout_str();
            // The back end describes haproxy's (ferrossl's) TLS 1.3 connection to it.
            assert!(
                out.status.success()
                    && page.starts_with("backend saw TLSv1.3 sni=localhost reused=")
                    && page.ends_with(&format!("http_version={http}")),
                "curl {flag}: {}\n{}\n--- haproxy ---\n{}\n--- back end ---\n{}",
                out.stderr,
                page,
                haproxy.log(),
                backend.log()
            );
        }
        report(
            "haproxy",
            "haproxy",
            &stage,
            on,
            "front end (HTTP/2, HTTP/1.1 from stock 3.5 curl) and verifying TLS 1.3 back end \
             (SNI) to a stock 3.5 Python ssl server",
        );
    }
}
