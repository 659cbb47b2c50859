//! Debian's pyOpenSSL (python3-openssl, through python3-cryptography's cffi binding
//! `_openssl.abi3.so`, which links `libssl.so.3`) on ferrossl: `OpenSSL.SSL.Connection` as a
//! client (SNI, ALPN, verification, peer chain, GET / from a stock `s_server -www`) and as a
//! server requiring a client certificate (stock `s_client` sends random lines, gets them back
//! reversed). The same script runs on stock OpenSSL and its facts are compared.

mod common;

use std::io::Write;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, report, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, OPENSSL};

const PYTHON: &str = "/usr/bin/python3";
const PACKAGE: &str = "python3-openssl";
const TIMEOUT: Duration = Duration::from_secs(30);

fn python_cmd(lib: Lib, args: &[String]) -> std::process::Command {
    let mut cmd = common::command(PYTHON);
    cmd.arg(common::repo_root().join("tests/python/pyopenssl_peer.py"))
        .args(args);
    lib.apply(&mut cmd);
    cmd
}

fn client_facts(lib: Lib, port: u16) -> String {
    let a = vec![
        "client".to_string(),
        port.to_string(),
        path_str(&pki().root_ca()),
    ];
    let proc = Proc::spawn(&mut python_cmd(lib, &a), "pyopenssl client", false);
    assert_maps(proc.pid(), lib, "python3 (pyOpenSSL client)");
    let end = proc.wait(TIMEOUT);
    assert!(end.status.success(), "pyOpenSSL client:\n{}", end.log);
    // The page's size depends on the suites each library offers.
    end.log
        .lines()
        .filter(|l| !l.starts_with("bytes"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn pyopenssl_client_fetches_from_stock_s_server() {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.extend(["-www", "-alpn", "http/1.1"].map(String::from));
    let server = Server::s_server(&args);
    let stock = client_facts(Lib::Stock, server.port());
    for want in [
        "alpn b'http/1.1'",
        "chain ['localhost', 'ferrossl Test Intermediate CA']",
        "status HTTP/1.0 200 ok",
        "page names the session True",
    ] {
        assert!(stock.contains(want), "stock run lacks {want:?}:\n{stock}");
    }
    for lib in [Lib::Ours(Mode::LibraryPath), Lib::Ours(Mode::Preload)] {
        let ours = client_facts(lib, server.port());
        assert_eq!(
            stock, ours,
            "pyOpenSSL client: stock (left) vs ferrossl (right)"
        );
        report(
            "python3 pyOpenSSL client",
            PACKAGE,
            lib,
            "SNI, ALPN http/1.1, verified chain, GET / page from stock s_server -www",
        );
    }
}

fn server_run(lib: Lib) -> String {
    let ready = "LISTENING";
    let (mut py, port) = Proc::server(
        "pyopenssl server",
        |port| {
            python_cmd(
                lib,
                &[
                    "server".into(),
                    port.to_string(),
                    path_str(&pki().dir),
                    ready.into(),
                ],
            )
        },
        Some(ready),
    );
    assert_maps(py.pid(), lib, "python3 (pyOpenSSL server)");
    let lines: Vec<String> = (0..200)
        .map(|i| format!("{i} {}", random_hex(40)))
        .collect();
    let c = pki().client();
    let mut cmd = common::command(OPENSSL);
    cmd.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-servername", "localhost", "-quiet", "-verify_return_error"])
        .arg("-CAfile")
        .arg(pki().root_ca())
        .arg("-cert")
        .arg(&c.cert)
        .arg("-key")
        .arg(&c.key);
    let mut client = Proc::spawn(&mut cmd, "stock s_client", true);
    let mut stdin = client.stdin();
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    stdin
        .write_all(input.as_bytes())
        .expect("writing to s_client");
    let last: String = lines[lines.len() - 1].chars().rev().collect();
    client.wait_for(&last, TIMEOUT);
    stdin.write_all(b"CLOSE\n").expect("writing CLOSE");
    drop(stdin);
    let end = client.wait(TIMEOUT);
    assert!(
        end.status.success(),
        "s_client:\n{}\n--- python ---\n{}",
        end.log,
        py.log()
    );
    for line in &lines {
        let reversed: String = line.chars().rev().collect();
        assert!(
            end.log.contains(&format!("{reversed}\n")),
            "{reversed} missing"
        );
    }
    py.wait_for("closed", TIMEOUT);
    let log = py.log();
    assert!(log.contains(&format!("received {}", input.len())), "{log}");
    log
}

#[test]
fn pyopenssl_server_answers_stock_s_client() {
    let stock = server_run(Lib::Stock);
    let ours = server_run(Lib::Ours(Mode::LibraryPath));
    assert!(stock.contains("client ferrossl test client"), "{stock}");
    assert_eq!(
        stock, ours,
        "pyOpenSSL server: stock (left) vs ferrossl (right)"
    );
    report(
        "python3 pyOpenSSL server",
        PACKAGE,
        Lib::Ours(Mode::LibraryPath),
        "client certificate required, SNI callback, 200 random lines reversed to stock s_client",
    );
}
