//! Debian's unmodified PostgreSQL 15 server and psql (libpq) on ferrossl. A cluster is made with
//! initdb (as user postgres) in a temporary directory; the server has `ssl = on` with a
//! certificate chain, key and client CA, and `pg_hba` admits the test client only through
//! `hostssl ... cert` (its certificate's CN is the role name). psql connects with
//! `sslmode=verify-full`, the root CA and the client certificate, reads its own row of
//! `pg_stat_ssl` (ssl, version, cipher, client DN) and gets a random 20 KB string back.
//! Scenarios: the server on ferrossl (LD_LIBRARY_PATH, then LD_PRELOAD) with stock psql, and
//! psql on ferrossl (both modes) with a stock server, plus stock psql with a stock server (which
//! proves the test) and psql on ferrossl with a CA that did not issue the server's certificate.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, TempDir, CLIENT_CN};

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A cluster in a temporary directory, owned by user postgres.
struct Cluster {
    dir: TempDir,
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// initdb, then the server's TLS files and pg_hba.conf in the data directory.
    fn new() -> Cluster {
        let dir = TempDir::new("postgres");
        let data = dir.join("data");
        fs::create_dir(&data).expect("creating the data directory");
        chown_postgres(&data);
        let mut cmd = as_postgres(&format!("{BIN}/initdb"));
        cmd.arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .arg("--locale=C");
        common::run(&mut cmd, Duration::from_secs(60)).assert_success();
        let server = pki().server(KeyAlg::Rsa2048);
        for (from, to) in [
            (&server.chain, "server.chain.pem"),
            (&server.key, "server.key"),
            (&pki().root_ca(), "root-ca.pem"),
        ] {
            fs::copy(from, data.join(to)).expect("copying a TLS file");
        }
        fs::write(
            data.join("ferrossl_hba.conf"),
            format!("local all postgres trust\nhostssl all \"{CLIENT_CN}\" 127.0.0.1/32 cert\n"),
        )
        .expect("writing pg_hba.conf");
        for f in [
            "server.chain.pem",
            "server.key",
            "root-ca.pem",
            "ferrossl_hba.conf",
        ] {
            chown_postgres(&data.join(f));
        }
        // PostgreSQL refuses a key file others can read.
        fs::set_permissions(data.join("server.key"), fs::Permissions::from_mode(0o600))
            .expect("chmod server.key");
        Cluster { dir }
    }

    /// Starts the server on `lib`; the client role is created on first start.
    fn start(&self, lib: Lib) -> Postgres {
        let data = self.data();
        let (proc, port) = Proc::server(
            "postgres",
            |port| {
                let mut cmd = as_postgres(&format!("{BIN}/postgres"));
                cmd.arg("-D").arg(&data).arg("-p").arg(port.to_string());
                for setting in [
                    "listen_addresses=127.0.0.1".to_string(),
                    format!("unix_socket_directories={}", path_str(&data)),
                    "ssl=on".into(),
                    "ssl_cert_file=server.chain.pem".into(),
                    "ssl_key_file=server.key".into(),
                    "ssl_ca_file=root-ca.pem".into(),
                    format!("hba_file={}", path_str(&data.join("ferrossl_hba.conf"))),
                    "fsync=off".into(),
                ] {
                    cmd.arg("-c").arg(setting);
                }
                lib.apply(&mut cmd);
                cmd
            },
            Some("ready to accept connections"),
        );
        let pg = Postgres { proc, port };
        let mut cmd = common::command(format!("{BIN}/psql"));
        cmd.arg("-h")
            .arg(&data)
            .arg("-p")
            .arg(port.to_string())
            .args(["-U", "postgres", "-Atc"])
            .arg(format!(
                "DO $$BEGIN CREATE ROLE \"{CLIENT_CN}\" LOGIN; \
                 EXCEPTION WHEN duplicate_object THEN NULL; END$$"
            ))
            .arg("postgres");
        common::run(&mut cmd, Duration::from_secs(30)).assert_success();
        pg
    }
}

/// A running server; stopped with a fast shutdown (SIGINT) on drop.
struct Postgres {
    proc: Proc,
    port: u16,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.proc.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.proc.is_running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn chown_postgres(path: &Path) {
    let status = Command::new("chown")
        .arg("postgres:postgres")
        .arg(path)
        .status()
        .expect("running chown");
    assert!(status.success(), "chown postgres {}", path.display());
}

/// `program` run as user postgres by `setpriv`, which execs it (the pid stays the program's).
fn as_postgres(program: &str) -> Command {
    let mut cmd = common::command("/usr/bin/setpriv");
    cmd.args([
        "--reuid",
        "postgres",
        "--regid",
        "postgres",
        "--init-groups",
        "--",
        program,
    ]);
    cmd
}

/// The children of `parent` whose command line contains `needle`.
fn children(parent: u32, needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").expect("reading /proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if ppid == Some(parent) && String::from_utf8_lossy(&cmdline).contains(needle) {
            found.push(pid);
        }
    }
    found
}

/// psql on `lib` to 127.0.0.1:`port` with verify-full, trusting `ca`, as the client role.
fn psql(lib: Lib, port: u16, ca: &Path, sql: &[String]) -> Proc {
    let client = pki().client();
    let mut cmd = common::command(format!("{BIN}/psql"));
    cmd.arg(format!(
        "hostaddr=127.0.0.1 host=localhost port={port} dbname=postgres user='{CLIENT_CN}' \
         sslmode=verify-full sslrootcert={} sslcert={} sslkey={}",
        path_str(ca),
        path_str(&client.cert),
        path_str(&client.key)
    ))
    .args(["-X", "-At", "-v", "ON_ERROR_STOP=1"]);
    for q in sql {
        cmd.arg("-c").arg(q);
    }
    lib.apply(&mut cmd);
    Proc::spawn(&mut cmd, "psql", false)
}

const STAT_SSL: &str =
    "SELECT ssl, version, cipher, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

/// Checks psql's output: its TLS row and the random string.
fn check_output(out: &str, secret: &str, what: &str) {
    let lines: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
    let row = lines
        .iter()
        .find(|l| l.starts_with("t|"))
        .unwrap_or_else(|| panic!("{what}: no pg_stat_ssl row with ssl = t in:\n{out}"));
    let fields: Vec<&str> = row.split('|').collect();
    assert!(
        fields.len() == 4
            && fields[1].starts_with("TLSv1.")
            && fields[2].starts_with("TLS_")
            && fields[3] == format!("/O=ferrossl tests/CN={CLIENT_CN}"),
        "{what}: unexpected pg_stat_ssl row {row:?}"
    );
    let got = lines
        .iter()
        .find(|l| l.len() == secret.len())
        .unwrap_or(&"");
    common::assert_same_bytes(got.as_bytes(), secret.as_bytes(), what);
}

fn server_scenario(cluster: &Cluster, lib: Lib) {
    let pg = cluster.start(lib);
    assert_maps(pg.proc.pid(), lib, "postgres (postmaster)");
    let secret = random_hex(10_000);
    let sql = [
        "SELECT pg_sleep(1)".to_string(),
        STAT_SSL.to_string(),
        format!("SELECT '{secret}'"),
    ];
    let client = psql(Lib::Stock, pg.port, &pki().root_ca(), &sql);
    // The backend serving psql (forked by the postmaster) does the TLS.
    let deadline = Instant::now() + Duration::from_secs(10);
    let backend = loop {
        if let Some(&pid) = children(pg.proc.pid(), CLIENT_CN).first() {
            break pid;
        }
        assert!(
            Instant::now() < deadline,
            "no backend for the client appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_maps(backend, lib, "postgres backend serving psql");
    let ended = client.wait(Duration::from_secs(30));
    assert!(
        ended.status.success(),
        "stock psql to postgres on {lib:?}: {}\n{}\n--- postgres ---\n{}",
        ended.status,
        ended.log,
        pg.proc.log()
    );
    check_output(&ended.log, &secret, "psql's output");
    common::progs::report(
        "postgres (server)",
        "postgresql-15",
        lib,
        &format!(
            "stock psql with verify-full and a client certificate (hostssl cert): pg_stat_ssl \
             row and a {}-byte string round trip",
            secret.len()
        ),
    );
}

#[test]
fn postgres_server_on_ferrossl_with_stock_psql() {
    let cluster = Cluster::new();
    server_scenario(&cluster, Lib::Ours(Mode::LibraryPath));
    server_scenario(&cluster, Lib::Ours(Mode::Preload));
}

#[test]
fn psql_on_ferrossl_with_stock_server() {
    let cluster = Cluster::new();
    let pg = cluster.start(Lib::Stock);
    assert_maps(pg.proc.pid(), Lib::Stock, "postgres (postmaster)");
    // A CA that did not issue the server's certificate: libpq on ferrossl refuses the server.
    let lib = Lib::Ours(Mode::LibraryPath);
    let ended = psql(
        lib,
        pg.port,
        &pki().untrusted_ca(),
        &["SELECT 1".to_string()],
    )
    .wait(Duration::from_secs(30));
    assert!(
        !ended.status.success() && ended.log.contains("certificate verify failed"),
        "psql with the wrong CA: {}\n{}",
        ended.status,
        ended.log
    );
    for lib in [
        Lib::Stock,
        Lib::Ours(Mode::LibraryPath),
        Lib::Ours(Mode::Preload),
    ] {
        let secret = random_hex(10_000);
        let sql = [STAT_SSL.to_string(), format!("SELECT '{secret}'")];
        let mut gate = Gate::new(pg.port);
        let client = psql(lib, gate.port(), &pki().root_ca(), &sql);
        gate.accepted(Duration::from_secs(10));
        assert_maps(client.pid(), lib, "psql");
        gate.open();
        let ended = client.wait(Duration::from_secs(30));
        assert!(
            ended.status.success(),
            "psql on {lib:?}: {}\n{}\n--- postgres ---\n{}",
            ended.status,
            ended.log,
            pg.proc.log()
        );
        check_output(&ended.log, &secret, "psql's output");
        common::progs::report(
            "psql (libpq client)",
            "postgresql-client-15",
            lib,
            &format!(
                "verify-full with a client certificate to a stock postgres: pg_stat_ssl row and \
                 a {}-byte string round trip; a wrong CA fails verification",
                secret.len()
            ),
        );
    }
}
