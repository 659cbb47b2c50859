//! Debian's unmodified haproxy as a TLS client on ferrossl: a plain-HTTP frontend whose backend
//! is a stock `openssl s_server -WWW` reached with `ssl verify required` and SNI. Stock curl
//! fetches a random file through it; haproxy runs on ferrossl through `LD_LIBRARY_PATH` and
//! through `LD_PRELOAD`, and once on stock OpenSSL, which proves the test itself.
//!
//! Back-end session reuse: with `http-reuse never` every request opens a new TLS connection to
//! the back end, and haproxy offers the session of the previous one. Stock `openssl s_server
//! -www` back ends (TLS 1.2 with tickets, TLS 1.2 with session IDs only, TLS 1.3) answer with
//! their view of each connection: "New" or "Reused", the session ID and their cache hits.

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

/// haproxy's configuration for the reuse test: path `/<name>/` goes to back end `<name>`.
fn reuse_config(port: u16, backends: &[(&str, u16)], ca: &Path) -> String {
    let mut conf = format!(
        "global\n\
         \x20   nbthread 1\n\
         \x20   log stderr format raw local0 info\n\
         defaults\n\
         \x20   mode http\n\
         \x20   log global\n\
         \x20   option httplog\n\
         \x20   http-reuse never\n\
         \x20   timeout connect 5s\n\
         \x20   timeout client 20s\n\
         \x20   timeout server 20s\n\
         frontend fe\n\
         \x20   bind 127.0.0.1:{port}\n"
    );
    for (name, _) in backends {
        conf.push_str(&format!(
            "    use_backend {name} if {{ path_beg /{name}/ }}\n"
        ));
    }
    for (name, backend) in backends {
        conf.push_str(&format!(
            "backend {name}\n\
             \x20   server s1 127.0.0.1:{backend} ssl verify required ca-file {ca} \
             sni str(localhost)\n",
            ca = path_str(ca),
        ));
    }
    conf
}

/// The `Session-ID:` an `s_server -www` status page shows.
fn session_id(page: &str) -> Option<&str> {
    page.lines()
        .find_map(|l| l.trim().strip_prefix("Session-ID:"))
        .map(str::trim)
}

fn haproxy_reuses_backend_sessions(lib: Lib) {
    let variants: [(&str, &[&str], &str); 3] = [
        ("tls12ticket", &["-tls1_2"], "TLSv1.2"),
        ("tls12id", &["-tls1_2", "-no_ticket"], "TLSv1.2"),
        ("tls13", &["-tls1_3"], "TLSv1.3"),
    ];
    let backends: Vec<Server> = variants
        .iter()
        .map(|(_, extra, _)| {
            let mut args = pki().server(KeyAlg::Rsa2048).s_server_args();
            args.push("-www".into());
            args.extend(extra.iter().map(|a| (*a).to_owned()));
            Server::s_server(&args)
        })
        .collect();
    let names: Vec<(&str, u16)> = variants
        .iter()
        .zip(&backends)
        .map(|((name, _, _), b)| (*name, b.port()))
        .collect();

    let dir = TempDir::new("haproxy-reuse");
    let (haproxy, port) = Proc::server(
        "haproxy",
        |port| {
            let conf = dir.join(format!("haproxy-{port}.cfg"));
            fs::write(&conf, reuse_config(port, &names, &pki().root_ca()))
                .expect("writing haproxy.cfg");
            let mut cmd = common::command(HAPROXY);
            cmd.arg("-db").arg("-f").arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        None,
    );
    assert_maps(haproxy.pid(), lib, "haproxy");

    for ((name, _, proto), backend) in variants.iter().zip(&backends) {
        let mut pages = Vec::new();
        for (i, state) in ["New", "Reused", "Reused"].iter().enumerate() {
            let mut cmd = common::command(CURL);
            cmd.args(["-q", "-sS", "--noproxy", "*", "--max-time", "20"])
                .arg(format!("http://127.0.0.1:{port}/{name}/{i}"));
            let page = common::run(&mut cmd, Duration::from_secs(40)).stdout_str();
            let line = format!("\n{state}, {proto}, Cipher is ");
            assert!(
                page.contains(&line) && page.contains(&format!("   {i} session cache hits")),
                "{name}: request {i} did not report {state:?} and {i} cache hits:\n{}\n\
                 --- haproxy ---\n{}\n--- s_server ---\n{}",
                common::progs::head(&page, 3000),
                haproxy.log(),
                backend.output()
            );
            pages.push(page);
        }
        if *name == "tls12id" {
            let ids: Vec<_> = pages.iter().map(|p| session_id(p)).collect();
            assert!(
                ids[0].is_some_and(|id| id.len() == 64) && ids.iter().all(|id| *id == ids[0]),
                "{name}: the back end saw different session IDs {ids:?}"
            );
        }
    }
    let log = haproxy.log();
    let clean = log
        .lines()
        .filter(|l| l.contains("/s1 ") && l.contains(" 200 ") && l.contains(" ---- "))
        .count();
    assert_eq!(clean, 9, "haproxy's log has not 9 clean 200 lines:\n{log}");
    common::progs::report(
        "haproxy (TLS back end)",
        "haproxy",
        lib,
        "3 HTTP GETs each (new connections, http-reuse never) to openssl s_server -www back ends \
         that report the 2nd and 3rd TLS 1.2 ticket, TLS 1.2 session-ID and TLS 1.3 sessions \
         as reused",
    );
}

#[test]
fn haproxy_on_ferrossl_library_path_resumes_backend_sessions() {
    haproxy_reuses_backend_sessions(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn haproxy_on_stock_resumes_backend_sessions() {
    haproxy_reuses_backend_sessions(Lib::Stock);
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
