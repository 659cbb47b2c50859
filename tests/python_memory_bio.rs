//! Debian's unmodified python3 `ssl.SSLObject` over `ssl.MemoryBIO` (how asyncio drives TLS),
//! with Python's `_ssl` loading ferrossl through `LD_LIBRARY_PATH`: as a client of a stock
//! `openssl s_server -rev`, and as a server for a stock `openssl s_client`. Both check the data
//! and that `unwrap()` completes (close_notify sent and received). Each also runs with Python on
//! stock OpenSSL, which proves the test itself.

mod common;

use std::io::Write;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, OPENSSL};

const PYTHON: &str = "/usr/bin/python3";
const TIMEOUT: Duration = Duration::from_secs(30);
const OURS: Lib = Lib::Ours(Mode::LibraryPath);

/// The pump shared by both scripts: runs an `SSLObject` operation to completion, moving bytes
/// between the memory BIOs and the socket whenever it wants to read.
const PUMP: &str = r#"
import socket, ssl, sys
def pump(sock, obj, inc, out, op, *args):
    while True:
        try:
            result = op(*args)
        except ssl.SSLWantReadError:
            if out.pending:
                sock.sendall(out.read())
            data = sock.recv(65536)
            if data:
                inc.write(data)
            else:
                inc.write_eof()
            continue
        if out.pending:
            sock.sendall(out.read())
        return result
"#;

/// argv: port, CA file, then the lines to send; prints what comes back.
const CLIENT: &str = r#"
port, cafile, lines = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
ctx = ssl.create_default_context(cafile=cafile)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
sock = socket.create_connection(("127.0.0.1", port), timeout=20)
run = lambda op, *a: pump(sock, obj, inc, out, op, *a)
run(obj.do_handshake)
print("handshake", obj.version(), flush=True)
for line in lines:
    run(obj.write, line.encode() + b"\n")
    got = b""
    while not got.endswith(b"\n"):
        got += run(obj.read, 1024)
    print("got", got.decode().rstrip("\n"), flush=True)
run(obj.unwrap)
print("unwrapped", flush=True)
"#;

/// argv: certificate chain, key; prints its port, then answers one line with "upper: LINE".
const SERVER: &str = r#"
chain, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(chain, key)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
listener.settimeout(20)
print("port", listener.getsockname()[1], flush=True)
sock, _ = listener.accept()
sock.settimeout(20)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_side=True)
run = lambda op, *a: pump(sock, obj, inc, out, op, *a)
run(obj.do_handshake)
print("handshake", obj.version(), flush=True)
got = b""
while not got.endswith(b"\n"):
    got += run(obj.read, 1024)
print("got", got.decode().rstrip("\n"), flush=True)
run(obj.write, b"upper: " + got.upper())
run(obj.unwrap)
print("unwrapped", flush=True)
"#;

fn python(lib: Lib, script: &str, args: &[String], name: &str) -> Proc {
    let mut cmd = common::command(PYTHON);
    cmd.arg("-c").arg(format!("{PUMP}{script}")).args(args);
    lib.apply(&mut cmd);
    Proc::spawn(&mut cmd, name, false)
}

fn sslobject_client_against_stock_s_server(lib: Lib) {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-rev".into());
    let server = Server::s_server(&args);
    let mut gate = Gate::new(server.port());
    let lines: Vec<String> = (0..2)
        .map(|i| format!("line{i}-{}", random_hex(16)))
        .collect();
    let mut argv = vec![gate.port().to_string(), path_str(&pki().root_ca())];
    argv.extend(lines.iter().cloned());

    let client = python(lib, CLIENT, &argv, "python client");
    gate.accepted(TIMEOUT);
    assert_maps(client.pid(), lib, "python3");
    gate.open();
    let end = client.wait(TIMEOUT);

    let context = format!("{}\n--- s_server ---\n{}", end.log, server.output());
    assert!(end.status.success(), "python failed:\n{context}");
    assert!(end.log.contains("handshake TLSv1.3\n"), "{context}");
    for line in &lines {
        let reversed: String = line.chars().rev().collect();
        assert!(end.log.contains(&format!("got {reversed}\n")), "{context}");
    }
    assert!(end.log.contains("unwrapped\n"), "{context}");
    assert!(server.output().contains("CONNECTION CLOSED"), "{context}");
    common::progs::report(
        "python3 ssl.SSLObject client",
        "python3.11",
        lib,
        &format!(
            "{} lines reversed by stock s_server -rev over MemoryBIOs, then unwrap()",
            lines.len()
        ),
    );
}

#[test]
fn python_on_ferrossl_sslobject_client_handshake_data_unwrap() {
    sslobject_client_against_stock_s_server(OURS);
}

#[test]
fn python_on_stock_sslobject_client_handshake_data_unwrap() {
    sslobject_client_against_stock_s_server(Lib::Stock);
}

fn sslobject_server_for_stock_s_client(lib: Lib) {
    let cert = pki().server(KeyAlg::EcdsaP256);
    let mut server = python(
        lib,
        SERVER,
        &[path_str(&cert.chain), path_str(&cert.key)],
        "python server",
    );
    server.wait_for("port ", TIMEOUT);
    assert_maps(server.pid(), lib, "python3");
    let port: u16 = server
        .log()
        .lines()
        .find_map(|l| l.strip_prefix("port ")?.trim().parse().ok())
        .expect("the python server's port");

    let line = format!("hello-{}", random_hex(16));
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-verify_return_error", "-quiet"])
        .arg("-CAfile")
        .arg(pki().root_ca());
    let mut client = Proc::spawn(&mut cmd, "stock s_client", true);
    let mut stdin = client.stdin();
    stdin
        .write_all(format!("{line}\n").as_bytes())
        .expect("writing to s_client");
    // -quiet implies -ign_eof: s_client ends at the server's close_notify, answering with its
    // own, which completes the server's unwrap().
    drop(stdin);
    let client_end = client.wait(TIMEOUT);
    let server_end = server.wait(TIMEOUT);

    let context = format!(
        "--- s_client ---\n{}\n--- python ---\n{}",
        client_end.log, server_end.log
    );
    assert!(client_end.status.success(), "{context}");
    assert!(server_end.status.success(), "{context}");
    let upper = format!("upper: {}\n", line.to_uppercase());
    assert!(client_end.log.contains(&upper), "{context}");
    assert!(server_end.log.contains("handshake TLSv1.3\n"), "{context}");
    assert!(
        server_end.log.contains(&format!("got {line}\n")),
        "{context}"
    );
    assert!(server_end.log.contains("unwrapped\n"), "{context}");
    common::progs::report(
        "python3 ssl.SSLObject server",
        "python3.11",
        lib,
        "a line from stock s_client answered in upper case over MemoryBIOs, then unwrap()",
    );
}

#[test]
fn python_on_ferrossl_sslobject_server_handshake_data_unwrap() {
    sslobject_server_for_stock_s_client(OURS);
}

#[test]
fn python_on_stock_sslobject_server_handshake_data_unwrap() {
    sslobject_server_for_stock_s_client(Lib::Stock);
}
