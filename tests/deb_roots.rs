//! The package in clean Debian roots: `.ci/debian-root` builds Debian 12 (bookworm) and Debian 13
//! (trixie, shared with tests/trixie/); in each, as an operator would:
//! - `apt-get install ./ferrossl_*.deb` (its Depends resolve with what the root has);
//! - `ferrossl-run curl` fetches a file from a stock `s_server` on the host, and the loader's
//!   bindings (`LD_DEBUG=bindings`) show libcurl's SSL calls bound to ferrossl's private file;
//! - `ferrossl-check` says nginx and curl run on ferrossl, and a program needing an OpenSSL
//!   3.6 node cannot (ferrossl-run refuses it);
//! - `ferrossl-enable nginx` writes a drop-in that the root's own `systemd-analyze verify`
//!   accepts without a running systemd; `ferrossl-disable nginx` removes it;
//! - SSLKEYLOGFILE: a host tshark capture of that curl run decrypts to HTTP with the file;
//! - FERROSSL_LOG=debug shows the handshake;
//! - the root's own `openssl.cnf` with `MinProtocol = TLSv1.3` makes curl refuse a TLS
//!   1.2-only server, on ferrossl as on the root's stock OpenSSL;
//! - `apt-get purge ferrossl` leaves no file behind (the root's file list is what it was).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::policy::with_policy;
use common::trixie::{On, Stage};
use common::*;

const T: Duration = Duration::from_secs(120);
const PRIVATE_LIB: &str = "/usr/lib/x86_64-linux-gnu/ferrossl/libssl.so.3";

fn root_of(suite: &str) -> &'static Path {
    let var = format!("FERROSSL_{}_ROOT", suite.to_uppercase());
    let root = std::env::var(&var)
        .ok()
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| format!("/var/cache/ferrossl/{suite}"));
    let root: &'static Path = Box::leak(std::path::PathBuf::from(root).into_boxed_path());
    assert!(
        root.join(".ferrossl-stamp").is_file(),
        "the Debian {suite} root {} is missing: build it with `bash .ci/debian-root {suite}` \
         (`make deps` does)",
        root.display()
    );
    root
}

/// `program args` run as root inside the root, with a clean environment and `env`.
fn inside(root: &Path, env: &[(&str, &str)], program: &str, args: &[&str]) -> Command {
    let mut cmd = command("chroot");
    cmd.arg(root).args([
        "/usr/bin/env",
        "-i",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/root",
        "LANG=C.UTF-8",
        "DEBIAN_FRONTEND=noninteractive",
    ]);
    for (k, v) in env {
        cmd.arg(format!("{k}={v}"));
    }
    cmd.arg(program).args(args);
    cmd
}

/// Every path in the root but the stages, caches, logs and package databases (which apt and
/// dpkg keep by design), for the purge check.
fn file_list(root: &Path) -> BTreeSet<String> {
    let out = run(
        command("find").arg(root).args(["-xdev", "-mindepth", "1"]),
        T,
    );
    let skip = [
        "/ferrossl",
        "/proc",
        "/dev",
        "/sys",
        "/tmp",
        "/run",
        "/var/cache",
        "/var/lib/apt",
        "/var/lib/dpkg",
        "/var/log",
        "/var/tmp",
        "/root",
    ];
    let prefix = root.display().to_string();
    out.stdout_str()
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter(|p| {
            !skip
                .iter()
                .any(|s| p == s || p.starts_with(&format!("{s}/")))
        })
        .map(str::to_owned)
        .collect()
}

fn ok(cmd: &mut Command, what: &str) -> Output {
    let out = run(cmd, T);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.code(),
        out.stdout_str(),
        out.stderr
    );
    out
}

fn package_in(suite: &str) {
    let root = root_of(suite);
    let deb = common::deb::package();
    let stage = Stage::in_root(root, &format!("deb-{suite}"));
    // A package left by an interrupted earlier run would make the purge check lie.
    let _ = run(
        &mut inside(root, &[], "apt-get", &["purge", "-y", "-q", "ferrossl"]),
        T,
    );
    let before = file_list(root);

    let deb_inside = stage.copy_in(&deb.deb);
    ok(
        &mut inside(root, &[], "apt-get", &["install", "-y", "-q", &deb_inside]),
        "apt-get install ./ferrossl.deb",
    );
    assert!(root.join(PRIVATE_LIB.trim_start_matches('/')).is_file());

    let pki_dir = stage.copy_pki();
    let ca = format!("{pki_dir}/root-ca.pem");
    let srv = {
        let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
        args.push("-WWW".into());
        Server::s_server(&args)
    };
    let body = format!("deb-{suite}-{}", srv.port());
    fs::write(srv.docroot().join("file.txt"), &body).unwrap();
    let url = format!("https://localhost:{}/file.txt", srv.port());

    // ferrossl-run curl, with the loader's bindings.
    let out = ok(
        &mut inside(
            root,
            &[("LD_DEBUG", "bindings")],
            "ferrossl-run",
            &["curl", "-4", "-sS", "--cacert", &ca, &url],
        ),
        "ferrossl-run curl",
    );
    assert_eq!(out.stdout_str(), body);
    let bound = format!("to {PRIVATE_LIB} [0]: normal symbol `SSL_CTX_new'");
    assert!(
        out.stderr
            .lines()
            .any(|l| l.contains("libcurl.so.4") && l.contains(&bound)),
        "no binding of libcurl's SSL_CTX_new to ferrossl in LD_DEBUG's output"
    );
    assert!(!out
        .stderr
        .contains("to /usr/lib/x86_64-linux-gnu/libssl.so.3 "));

    // ferrossl-check's verdicts.
    for prog in ["/usr/sbin/nginx", "/usr/bin/curl"] {
        let out = run(&mut inside(root, &[], "ferrossl-check", &[prog]), T);
        let verdict = out.stdout_str().lines().last().unwrap_or("").to_owned();
        assert_eq!(
            out.code(),
            0,
            "{prog}: {}\n{}",
            out.stdout_str(),
            out.stderr
        );
        assert!(verdict.contains("runs on ferrossl"), "{prog}: {verdict}");
    }
    let future = common::deb::future_program(&stage);
    let out = run(&mut inside(root, &[], "ferrossl-check", &[&future]), T);
    assert_eq!(out.code(), 1, "{}\n{}", out.stdout_str(), out.stderr);
    assert!(
        out.stdout_str().contains("OPENSSL_3.6.0"),
        "{}",
        out.stdout_str()
    );
    let out = run(&mut inside(root, &[], "ferrossl-run", &[&future]), T);
    assert_ne!(out.code(), 0);
    assert!(out.stderr.contains("refusing to run"), "{}", out.stderr);

    // A service: the drop-in, verified by the root's systemd, and removed.
    ok(
        &mut inside(root, &[], "ferrossl-enable", &["nginx"]),
        "ferrossl-enable nginx",
    );
    let drop_in = root.join("etc/systemd/system/nginx.service.d/ferrossl.conf");
    let text = fs::read_to_string(&drop_in).expect("the drop-in");
    assert!(
        text.contains("LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/ferrossl"),
        "{text}"
    );
    let out = run(
        &mut inside(
            root,
            &[],
            "systemd-analyze",
            &["verify", "--man=no", "nginx.service"],
        ),
        T,
    );
    assert_eq!(out.code(), 0, "systemd-analyze verify: {}", out.stderr);
    assert!(!out.stderr.contains("ferrossl.conf"), "{}", out.stderr);
    ok(
        &mut inside(root, &[], "ferrossl-disable", &["nginx"]),
        "ferrossl-disable nginx",
    );
    assert!(!drop_in.exists());

    // SSLKEYLOGFILE: a host capture of a curl run, decrypted with the file.
    let keys = stage.inside("keys.txt");
    let capture = common::deb::Capture::start(&stage.host("capture"), srv.port());
    let out = ok(
        &mut inside(
            root,
            &[("SSLKEYLOGFILE", &keys)],
            "ferrossl-run",
            &["curl", "-4", "-sS", "--cacert", &ca, &url],
        ),
        "ferrossl-run curl with SSLKEYLOGFILE",
    );
    assert_eq!(out.stdout_str(), body);
    let plain = common::deb::follow_tls(&capture.stop(), Some(&stage.host("keys.txt")));
    assert!(
        plain.contains("GET /file.txt HTTP/1.1") && plain.contains(&body),
        "not decrypted:\n{plain}"
    );

    // FERROSSL_LOG.
    let out = ok(
        &mut inside(
            root,
            &[("FERROSSL_LOG", "debug")],
            "ferrossl-run",
            &[
                "curl",
                "-4",
                "-sS",
                "-o",
                "/dev/null",
                "--cacert",
                &ca,
                &url,
            ],
        ),
        "FERROSSL_LOG=debug ferrossl-run curl",
    );
    for expected in [
        "client handshake starts",
        "rustls::client::hs",
        "handshake done: TLSv1.3",
    ] {
        assert!(
            out.stderr.contains(expected),
            "no {expected:?}:\n{}",
            out.stderr
        );
    }

    // The root's own openssl.cnf with MinProtocol = TLSv1.3, against a TLS 1.2-only server.
    let base = fs::read_to_string(root.join("etc/ssl/openssl.cnf")).unwrap();
    let cnf = stage.write(
        "min13.cnf",
        with_policy(&base, &["MinProtocol = TLSv1.3"], None),
    );
    let tls12 = {
        let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
        args.extend(["-www".into(), "-tls1_2".into()]);
        Server::s_server(&args)
    };
    let url12 = format!("https://localhost:{}/", tls12.port());
    for on in [On::Stock, On::Ours(Mode::LibraryPath)] {
        let curl: &[&str] = &[
            "curl",
            "-4",
            "-sS",
            "-o",
            "/dev/null",
            "--cacert",
            &ca,
            &url12,
        ];
        let (program, args) = match on {
            On::Stock => ("curl", &curl[1..]),
            On::Ours(_) => ("ferrossl-run", curl),
        };
        let out = run(&mut inside(root, &[], program, args), T);
        assert_eq!(out.code(), 0, "{on:?} without the policy: {}", out.stderr);
        let out = run(
            &mut inside(root, &[("OPENSSL_CONF", &cnf)], program, args),
            T,
        );
        assert_eq!(
            out.code(),
            35,
            "{on:?} under MinProtocol = TLSv1.3: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("protocol version"),
            "{on:?}: {}",
            out.stderr
        );
    }

    // Purge, with nginx enabled again: nothing left (postrm removes the drop-in too).
    ok(
        &mut inside(root, &[], "ferrossl-enable", &["nginx"]),
        "ferrossl-enable nginx",
    );
    ok(
        &mut inside(root, &[], "apt-get", &["purge", "-y", "-q", "ferrossl"]),
        "apt-get purge",
    );
    let after = file_list(root);
    let left: Vec<_> = after.difference(&before).collect();
    let gone: Vec<_> = before.difference(&after).collect();
    assert!(
        left.is_empty() && gone.is_empty(),
        "left behind: {left:?}; removed: {gone:?}"
    );
}

#[test]
fn debian_12() {
    package_in("bookworm");
}

#[test]
fn debian_13() {
    package_in("trixie");
}
