//! Debian's unmodified haproxy as a TLS client on ferrossl: a plain-HTTP frontend whose backend
//! is a stock `openssl s_server -WWW` reached with `ssl verify required` and SNI. Stock curl
//! fetches a random file through it; haproxy runs on ferrossl through `LD_LIBRARY_PATH` and
//! through `LD_PRELOAD`, and once on stock OpenSSL, which proves the test itself.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, Server, TempDir, CURL};

const HAPROXY: &str = "/usr/sbin/haproxy";

/// haproxy's configuration: one frontend on `port`, one TLS backend server.
fn config(port: u16, backend: u16, ca: &Path) -> String {
    format!(
        "global\n\
         \x20   nbthread 1\n\
         \x20   log stderr format raw local0 info\n\
         defaults\n\
         \x20   mode http\n\
         \x20   log global\n\
         \x20   option httplog\n\
         \x20   timeout connect 5s\n\
         \x20   timeout client 20s\n\
         \x20   timeout server 20s\n\
         frontend fe\n\
         \x20   bind 127.0.0.1:{port}\n\
         \x20   default_backend be\n\
         backend be\n\
         \x20   server s1 127.0.0.1:{backend} ssl verify required ca-file {ca} sni str(localhost)\n",
        ca = path_str(ca),
    )
}

fn haproxy_fetches_through_a_verified_tls_backend(lib: Lib) {
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-WWW".into());
    let backend = Server::s_server(&args);
    let body = format!("{}\n", random_hex(3000));
    fs::write(backend.docroot().join("page.txt"), &body).expect("writing the page");

    let dir = TempDir::new("haproxy-conf");
    let (haproxy, port) = Proc::server(
        "haproxy",
        |port| {
            let conf = dir.join(format!("haproxy-{port}.cfg"));
            fs::write(&conf, config(port, backend.port(), &pki().root_ca()))
                .expect("writing haproxy.cfg");
            let mut cmd = common::command(HAPROXY);
            cmd.arg("-db").arg("-f").arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        None,
    );
    assert_maps(haproxy.pid(), lib, "haproxy");

    let mut cmd = common::command(CURL);
    cmd.args(["-q", "-sS", "--noproxy", "*", "--max-time", "20"])
        .args(["-w", "\nstatus=%{http_code}"])
        .arg(format!("http://127.0.0.1:{port}/page.txt"));
    let out = common::run(&mut cmd, Duration::from_secs(40));
    let got = out.stdout_str();
    let (page, status) = got.rsplit_once("\nstatus=").unwrap_or((&got, "none"));
    assert_eq!(
        status,
        "200",
        "curl through haproxy: {}{}\n--- haproxy ---\n{}\n--- s_server ---\n{}",
        common::progs::head(page, 300),
        out.stderr,
        haproxy.log(),
        backend.output()
    );
    common::assert_same_bytes(page.as_bytes(), body.as_bytes(), "the page through haproxy");
    // haproxy's log line: `... fe be/s1 .../.../... 200 <bytes> - - ---- ...`; "----" means
    // the session ended without any error on either side.
    let log = haproxy.log();
    assert!(
        log.lines()
            .any(|l| l.contains(" fe be/s1 ") && l.contains(" 200 ") && l.contains(" ---- ")),
        "haproxy's log has no clean 200 line:\n{log}"
    );
    common::progs::report(
        "haproxy (TLS back end)",
        "haproxy",
        lib,
        &format!(
            "HTTP GET of {} bytes from openssl s_server over a verified TLS back end with SNI",
            body.len()
        ),
    );
}

#[test]
fn haproxy_on_ferrossl_library_path_fetches_through_tls_backend() {
    haproxy_fetches_through_a_verified_tls_backend(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn haproxy_on_ferrossl_preload_fetches_through_tls_backend() {
    haproxy_fetches_through_a_verified_tls_backend(Lib::Ours(Mode::Preload));
}

#[test]
fn haproxy_on_stock_fetches_through_tls_backend() {
    haproxy_fetches_through_a_verified_tls_backend(Lib::Stock);
}
