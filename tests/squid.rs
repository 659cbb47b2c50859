//! Debian's unmodified squid (squid-openssl) on ferrossl: a forward proxy whose only port is an
//! `https_port` (ECDSA chain). Stock curl reaches it as an HTTPS proxy (`-x https://localhost:…`
//! with `--proxy-cacert`) and fetches a random file from a plain-HTTP origin (Python's
//! http.server); the bytes and squid's access log line are checked.

mod common;

use std::fs;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, Lib, Proc};
use common::{path_str, pki, random_bytes, KeyAlg, Mode, TempDir, CURL};

const SQUID: &str = "/usr/sbin/squid";
const PYTHON: &str = "/usr/bin/python3";

fn config(dir: &std::path::Path, port: u16) -> String {
    let server = pki().server(KeyAlg::EcdsaP256);
    format!(
        "https_port 127.0.0.1:{port} tls-cert={chain} tls-key={key}\n\
         http_access allow localhost\n\
         http_access deny all\n\
         cache deny all\n\
         pid_filename {dir}/squid.pid\n\
         cache_log stdio:{dir}/cache.log\n\
         access_log stdio:{dir}/access.log\n\
         coredump_dir {dir}\n\
         cache_effective_user proxy\n\
         netdb_filename none\n\
         pinger_enable off\n\
         shutdown_lifetime 0 seconds\n",
        dir = path_str(dir),
        chain = path_str(&server.chain),
        key = path_str(&server.key),
    )
}

/// squid in the foreground (`-N`), stopped with SIGTERM on drop.
struct Squid {
    proc: Proc,
}

impl Drop for Squid {
    fn drop(&mut self) {
        let pid = self.proc.pid().to_string();
        let _ = common::command("/bin/kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.proc.is_running() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
    }
}

fn squid_proxies_over_https_port(lib: Lib) {
    let www = TempDir::new("squid-origin");
    let body: Vec<u8> = random_bytes(200_000);
    fs::write(www.join("blob.bin"), &body).expect("writing the origin file");
    let (_origin, origin_port) = Proc::server(
        "http-origin",
        |port| {
            let mut cmd = common::command(PYTHON);
            cmd.args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .arg("--directory")
            .arg(www.path());
            cmd
        },
        None,
    );

    let dir = TempDir::new("squid");
    let chown = common::run(
        Command::new("chown").args(["proxy:proxy", &path_str(dir.path())]),
        Duration::from_secs(10),
    );
    chown.assert_success();
    let (proc, port) = Proc::server(
        "squid",
        |port| {
            let conf = dir.join("squid.conf");
            fs::write(&conf, config(dir.path(), port)).expect("writing squid.conf");
            let mut cmd = common::command(SQUID);
            // A service name of its own: parallel instances keep apart shared memory names.
            cmd.args(["-N", "-d", "1", "-n", &format!("ferrossl{port}"), "-f"])
                .arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        Some("Accepting HTTPS Socket connections"),
    );
    let squid = Squid { proc };
    assert_maps(squid.proc.pid(), lib, "squid");

    let url = format!("http://127.0.0.1:{origin_port}/blob.bin");
    let out_file = dir.join("fetched.bin");
    let mut cmd = common::command(CURL);
    cmd.args(["-q", "-sS", "--max-time", "20", "-w", "%{http_code}"])
        .arg("-x")
        .arg(format!("https://localhost:{port}"))
        .arg("--proxy-cacert")
        .arg(pki().root_ca())
        .arg("-o")
        .arg(&out_file)
        .arg(&url);
    let out = common::run(&mut cmd, Duration::from_secs(40));
    assert_eq!(
        out.stdout_str(),
        "200",
        "curl through squid's https_port: {}\n--- squid ---\n{}",
        out.stderr,
        squid.proc.log()
    );
    let got = fs::read(&out_file).expect("reading what curl fetched");
    common::assert_same_bytes(&got, &body, "the file through squid");
    let deadline = Instant::now() + Duration::from_secs(10);
    let line = loop {
        let log = fs::read_to_string(dir.join("access.log")).unwrap_or_default();
        if let Some(l) = log.lines().find(|l| l.contains(&url)) {
            break l.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "squid logged no access to {url}:\n{log}"
        );
        thread::sleep(Duration::from_millis(20));
    };
    assert!(
        line.contains("TCP_MISS/200") && line.contains(" GET "),
        "squid's access line: {line}"
    );
    common::progs::report(
        "squid (https_port)",
        "squid-openssl",
        lib,
        &format!(
            "curl through squid as a verified HTTPS proxy: GET of {} random bytes from a plain \
             HTTP origin",
            body.len()
        ),
    );
}

#[test]
fn squid_on_ferrossl_library_path_proxies_over_https_port() {
    squid_proxies_over_https_port(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn squid_on_ferrossl_preload_proxies_over_https_port() {
    squid_proxies_over_https_port(Lib::Ours(Mode::Preload));
}

#[test]
fn squid_on_stock_proxies_over_https_port() {
    squid_proxies_over_https_port(Lib::Stock);
}
