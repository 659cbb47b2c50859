//! Debian's unmodified mariadb client (libmariadb3 on the system's libssl) on ferrossl, against a
//! stock mariadbd: a datadir made with mariadb-install-db in a temporary directory, the server
//! with `--ssl-cert/--ssl-key/--ssl-ca` on 127.0.0.1 and a socket in that directory, and a user
//! created `REQUIRE X509`. The client connects with `--ssl-verify-server-cert`, the root CA and
//! the client certificate, reads `Ssl_version`/`Ssl_cipher` of its own session and gets a random
//! string back. The client runs on ferrossl through `LD_LIBRARY_PATH` and `LD_PRELOAD`, and on
//! stock OpenSSL; with a CA that did not issue the server's certificate it must refuse.
//!
//! mariadbd itself runs on ferrossl (both modes) with the stock client in a second test.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, TempDir};

const MARIADBD: &str = "/usr/sbin/mariadbd";
const CLIENT: &str = "/usr/bin/mariadb";
const USER: &str = "ferrossl_x509";

struct Server {
    proc: Proc,
    port: u16,
    socket: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.proc.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.proc.is_running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Makes a datadir in `dir` unless it is there, and starts mariadbd on `lib` with it.
fn start_server(dir: &Path, lib: Lib) -> Server {
    let data = dir.join("data");
    if !data.exists() {
        let mut cmd = common::command("/usr/bin/mariadb-install-db");
        cmd.arg(format!("--datadir={}", path_str(&data))).args([
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]);
        common::run(&mut cmd, Duration::from_secs(60)).assert_success();
    }
    let socket = dir.join("mysqld.sock");
    let cert = pki().server(KeyAlg::Rsa2048);
    let (proc, port) = Proc::server(
        "mariadbd",
        |port| {
            let mut cmd = common::command(MARIADBD);
            cmd.arg("--no-defaults")
                .arg(format!("--datadir={}", path_str(&data)))
                .arg(format!("--socket={}", path_str(&socket)))
                .arg(format!("--pid-file={}", path_str(&dir.join("mysqld.pid"))))
                .arg(format!("--port={port}"))
                .args(["--bind-address=127.0.0.1", "--user=root", "--skip-log-bin"])
                .args(["--innodb-buffer-pool-size=16M", "--skip-name-resolve"])
                .arg(format!("--ssl-cert={}", path_str(&cert.chain)))
                .arg(format!("--ssl-key={}", path_str(&cert.key)))
                .arg(format!("--ssl-ca={}", path_str(&pki().root_ca())));
            lib.apply(&mut cmd);
            cmd
        },
        Some("ready for connections"),
    );
    let server = Server { proc, port, socket };
    let mut cmd = common::command(CLIENT);
    cmd.arg("--no-defaults")
        .arg(format!("--socket={}", path_str(&server.socket)))
        .args(["-uroot", "--skip-ssl", "-e"])
        .arg(format!(
            "CREATE USER IF NOT EXISTS '{USER}'@'127.0.0.1' REQUIRE X509; \
             GRANT USAGE ON *.* TO '{USER}'@'127.0.0.1'"
        ));
    common::run(&mut cmd, Duration::from_secs(30)).assert_success();
    server
}

/// The client on `lib` through a gate to the server, trusting `ca`.
fn client(lib: Lib, port: u16, ca: &Path, sql: &str) -> common::progs::Ended {
    let cert = pki().client();
    let mut gate = Gate::new(port);
    let mut cmd = common::command(CLIENT);
    cmd.arg("--no-defaults")
        .args([
            "-h",
            "127.0.0.1",
            "-P",
            &gate.port().to_string(),
            "-u",
            USER,
        ])
        .arg("--ssl-verify-server-cert")
        .arg(format!("--ssl-ca={}", path_str(ca)))
        .arg(format!("--ssl-cert={}", path_str(&cert.cert)))
        .arg(format!("--ssl-key={}", path_str(&cert.key)))
        .args(["-N", "-B", "-e", sql]);
    lib.apply(&mut cmd);
    let proc = Proc::spawn(&mut cmd, "mariadb", false);
    gate.accepted(Duration::from_secs(10));
    assert_maps(proc.pid(), lib, "mariadb (client)");
    gate.open();
    proc.wait(Duration::from_secs(30))
}

/// The client on `client_lib` reads its session's TLS version and cipher and gets a random
/// string back; returns them and the string.
fn exchange(lib: Lib, port: u16, server: &Proc) -> (String, String, String) {
    let secret = random_hex(8000);
    let sql = format!(
        "SHOW SESSION STATUS LIKE 'Ssl_version'; SHOW SESSION STATUS LIKE 'Ssl_cipher'; \
             SELECT '{secret}'"
    );
    let ended = client(lib, port, &pki().root_ca(), &sql);
    assert!(
        ended.status.success(),
        "mariadb on {lib:?}: {}\n{}\n--- mariadbd ---\n{}",
        ended.status,
        common::progs::head(&ended.log, 2000),
        server.log()
    );
    let lines: Vec<&str> = ended.log.lines().collect();
    let field = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(name).map(str::trim))
            .unwrap_or_else(|| panic!("no {name} in:\n{}", ended.log))
            .to_string()
    };
    let version = field("Ssl_version");
    let cipher = field("Ssl_cipher");
    assert!(
        version.starts_with("TLSv1.") && cipher.starts_with("TLS_"),
        "unexpected session: {version:?} {cipher:?}"
    );
    let got = lines
        .iter()
        .find(|l| l.len() == secret.len())
        .unwrap_or(&"");
    common::assert_same_bytes(got.as_bytes(), secret.as_bytes(), "the string round trip");
    (version, cipher, secret)
}

#[test]
fn mariadb_client_on_ferrossl_with_stock_server() {
    let dir = TempDir::new("mariadb");
    let server = start_server(dir.path(), Lib::Stock);
    assert_maps(server.proc.pid(), Lib::Stock, "mariadbd");

    // A CA that did not issue the server's certificate: the client refuses the server.
    let lib = Lib::Ours(Mode::LibraryPath);
    let ended = client(lib, server.port, &pki().untrusted_ca(), "SELECT 1");
    assert!(
        !ended.status.success()
            && ended
                .log
                .contains("TLS/SSL error: unable to get local issuer certificate"),
        "mariadb with the wrong CA: {}\n{}",
        ended.status,
        ended.log
    );

    for lib in [
        Lib::Stock,
        Lib::Ours(Mode::LibraryPath),
        Lib::Ours(Mode::Preload),
    ] {
        let (version, cipher, secret) = exchange(lib, server.port, &server.proc);
        common::progs::report(
            "mariadb (client)",
            "mariadb-client",
            lib,
            &format!(
                "--ssl-verify-server-cert with a client certificate (REQUIRE X509) to a stock \
                 mariadbd: {version} {cipher}, a {}-byte string round trip; a wrong CA is refused",
                secret.len()
            ),
        );
    }
}

#[test]
fn mariadb_server_on_ferrossl_with_stock_client() {
    let dir = TempDir::new("mariadbd");
    for lib in [Lib::Ours(Mode::LibraryPath), Lib::Ours(Mode::Preload)] {
        let server = start_server(dir.path(), lib);
        assert_maps(server.proc.pid(), lib, "mariadbd");
        let (version, cipher, secret) = exchange(Lib::Stock, server.port, &server.proc);
        // mariadbd serves connections in threads of its one process.
        assert_maps(server.proc.pid(), lib, "mariadbd after the exchange");
        common::progs::report(
            "mariadbd (server)",
            "mariadb-server",
            lib,
            &format!(
                "stock mariadb client with --ssl-verify-server-cert and a client certificate \
                 (REQUIRE X509): {version} {cipher}, a {}-byte string round trip",
                secret.len()
            ),
        );
    }
}
