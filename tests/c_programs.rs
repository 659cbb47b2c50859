//! C programs written for OpenSSL 3: the example HTTPS client built unchanged, run against
//! OpenSSL's libssl and against ferrossl (and relinked against ferrossl) with the same output;
//! and the AddressSanitizer misuse test of invalid handles.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{pki, KeyAlg, Server};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds `tests/c/<name>.c` against OpenSSL's headers and libraries (`-lssl -lcrypto`) into
/// `target/c-tests/<name>`; the same binary then runs on either library.
fn build_c(name: &str, flags: &[&str]) -> std::path::PathBuf {
    let exe = repo().join("target/c-tests").join(name);
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let out = Command::new("gcc")
        .args(["-Wall", "-Werror"])
        .args(flags)
        .arg("-o")
        .arg(&exe)
        .arg(repo().join(format!("tests/c/{name}.c")))
        .args(["-lssl", "-lcrypto"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// Builds the examples once per test process: the tests using them run in parallel, and a
/// second `make` relinking a binary while another test runs it fails that test.
fn make_examples() {
    static BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_examples);
}

fn build_examples() {
    let out = Command::new("make")
        .args(["-s", "-C"])
        .arg(repo().join("c-examples"))
        .args(["all", "ferrossl"])
        .env("FERRO", common::libdir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "building c-examples failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the example; `libdir` None means OpenSSL's own libssl.
fn https_client(exe: &str, libdir: Option<&Path>, args: &[String]) -> String {
    let mut cmd = common::command(repo().join("target/c-examples").join(exe));
    cmd.args(args);
    if let Some(dir) = libdir {
        cmd.env("LD_LIBRARY_PATH", dir);
    }
    let out = common::run(&mut cmd, Duration::from_secs(30));
    out.assert_success();
    out.stdout_str()
}

fn example_matches(extra: &[&str], alg: KeyAlg) {
    make_examples();
    let pki = pki();
    let mut args: Vec<String> = pki.server(alg).s_server_args();
    args.extend(["-www", "-alpn", "http/1.1"].iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    let server = Server::s_server(&args);
    let client_args: Vec<String> = vec![
        "-CAfile".into(),
        common::path_str(&pki.root_ca()),
        "-alpn".into(),
        "h2,http/1.1".into(),
        "localhost".into(),
        server.port().to_string(),
        "/".into(),
    ];
    let theirs = https_client("https_client", None, &client_args);
    let ours = https_client("https_client", Some(common::libdir()), &client_args);
    let relinked = https_client("https_client-ferrossl", None, &client_args);
    // The s_server status page lists the client's offered ciphers and varies in size; compare
    // everything the client reports about the connection.
    let facts = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("body-bytes"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(facts(&ours), facts(&theirs), "ferrossl vs OpenSSL");
    assert_eq!(facts(&relinked), facts(&theirs), "relinked vs OpenSSL");
    assert!(
        theirs.contains("verify: ok") && theirs.contains("status: HTTP/1.0 200 ok"),
        "{theirs}"
    );
}

#[test]
fn example_client_tls13_same_output_on_both_libraries() {
    example_matches(&["-groups", "X25519"], KeyAlg::EcdsaP256);
}

#[test]
fn example_client_tls12_same_output_on_both_libraries() {
    example_matches(&["-tls1_2", "-groups", "X25519"], KeyAlg::Rsa2048);
}

#[test]
fn misuse_of_handles_under_asan() {
    let out = Command::new("bash")
        .arg(repo().join("tests/c/run-misuse.sh"))
        .env("FERROSSL_LIBDIR", common::libdir())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

/// Several threads share one `SSL_CTX` while callbacks re-enter the API; run on both libraries.
#[test]
fn threads_share_a_context_with_reentrant_callbacks() {
    let exe = build_c("threads", &["-O1", "-pthread"]);
    let pki = pki();
    let mut args = pki.server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-www".into());
    for (name, extra) in [("tls13", None), ("tls12", Some("-tls1_2"))] {
        let mut a = args.clone();
        a.extend(extra.map(String::from));
        let server = Server::s_server(&a);
        for libdir in [None, Some(common::libdir())] {
            let mut cmd = common::command(&exe);
            cmd.arg(server.port().to_string()).arg(pki.root_ca());
            if let Some(d) = libdir {
                cmd.env("LD_LIBRARY_PATH", d);
            }
            let out = common::run(&mut cmd, Duration::from_secs(120));
            let text = out.stdout_str();
            let err: String = out.stderr.chars().take(3000).collect();
            assert!(
                text.contains(" passed, 0 failed"),
                "{name} on {libdir:?}: {text}\n{err}"
            );
        }
    }
}

/// `SSL_export_keying_material` on ferrossl agrees with what OpenSSL's s_server exports for the
/// same connection, in TLS 1.3 and TLS 1.2; before a handshake it fails.
#[test]
fn keying_material_export_matches_the_openssl_peer() {
    let exe = build_c("export", &[]);
    for extra in [None, Some("-tls1_2")] {
        // s_server prints the exported material in interactive mode, which ends at EOF on its
        // standard input: keep a pipe open for it.
        let port = common::free_port();
        let log = common::TempDir::new("keymat");
        let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
        args.extend(
            [
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-keymatexport",
                "EXPERIMENTAL-ferrossl",
                "-keymatexportlen",
                "32",
            ]
            .map(String::from),
        );
        args.extend(extra.map(String::from));
        let mut server = common::command("/usr/bin/openssl")
            .arg("s_server")
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::fs::File::create(log.join("out")).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let ready = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < ready, "s_server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut cmd = common::command(&exe);
        cmd.arg(port.to_string())
            .arg(pki().root_ca())
            .args(["EXPERIMENTAL-ferrossl", "32"])
            .env("LD_LIBRARY_PATH", common::libdir());
        let ours = common::run(&mut cmd, Duration::from_secs(30));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let text = ours.stdout_str();
        let ours_hex = text
            .lines()
            .nth(1)
            .and_then(|l| l.split(": ").nth(1))
            .unwrap_or_default()
            .to_owned();
        let found = loop {
            let theirs = std::fs::read_to_string(log.join("out")).unwrap_or_default();
            if !ours_hex.is_empty() && theirs.contains(&ours_hex) {
                break Ok(());
            }
            if std::time::Instant::now() > deadline {
                break Err(theirs);
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let _ = server.kill();
        let _ = server.wait();
        ours.assert_success();
        // As OpenSSL 3.0: -1, nothing queued, before a handshake.
        assert!(text.starts_with("before handshake: -1\n"), "{text}");
        assert_eq!(ours_hex.len(), 64, "{text}");
        if let Err(theirs) = found {
            panic!("s_server exported something else ({extra:?}):\n{theirs}\nours: {ours_hex}");
        }
    }
}

/// `SSL_clear` lets one `SSL` make a second connection that resumes the first's session; the
/// output is the same on both libraries.
#[test]
fn ssl_clear_reuses_the_object_and_its_session() {
    let exe = build_c("clear", &[]);
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-www".into());
    let server = Server::s_server(&args);
    let run = |lib: Option<&Path>| {
        let mut cmd = common::command(&exe);
        cmd.arg(server.port().to_string()).arg(pki().root_ca());
        if let Some(l) = lib {
            cmd.env("LD_LIBRARY_PATH", l);
        }
        let out = common::run(&mut cmd, Duration::from_secs(30));
        out.assert_success();
        out.stdout_str()
    };
    let theirs = run(None);
    let ours = run(Some(common::libdir()));
    assert_eq!(ours, theirs);
    assert!(
        theirs.contains("SSL_session_reused=1 server-says-reused=1"),
        "{theirs}"
    );
}

/// A server's session tickets under the program's keys (`SSL_CTX_set_tlsext_ticket_key_evp_cb`):
/// stock `openssl s_client` gets a ticket and resumes with it, over TLS 1.2 and TLS 1.3; the
/// same C server gives the same results on OpenSSL's libssl.
#[test]
fn ticket_key_evp_callback_resumes_stock_clients() {
    let exe = build_c("ticket_server", &[]);
    let cert = pki().server(KeyAlg::EcdsaP256);
    for lib in [None, Some(common::libdir())] {
        for proto in ["-tls1_2", "-tls1_3"] {
            let port = common::free_port();
            let dir = common::TempDir::new("ticket-evp");
            let log = dir.join("server.out");
            let mut cmd = common::command(&exe);
            cmd.arg(port.to_string())
                .arg(&cert.chain)
                .arg(&cert.key)
                .arg("2")
                .stdout(std::fs::File::create(&log).unwrap())
                .stderr(std::process::Stdio::null());
            if let Some(l) = lib {
                cmd.env("LD_LIBRARY_PATH", l);
            }
            let mut server = cmd.spawn().unwrap();
            let ready = std::time::Instant::now() + Duration::from_secs(10);
            while !std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("listening")
            {
                assert!(std::time::Instant::now() < ready, "server did not start");
                std::thread::sleep(Duration::from_millis(20));
            }
            let sess = dir.join("sess.pem");
            let c = |extra: &[&str]| {
                let mut c = common::command("/usr/bin/openssl");
                c.args([
                    "s_client",
                    "-connect",
                    &format!("127.0.0.1:{port}"),
                    proto,
                    "-ign_eof",
                ])
                .args(extra);
                let o = common::run(&mut c, Duration::from_secs(30));
                format!("{}{}", o.stdout_str(), o.stderr)
            };
            let first = c(&["-sess_out", &common::path_str(&sess)]);
            assert!(first.contains("hello"), "{lib:?} {proto}: {first}");
            let second = c(&["-sess_in", &common::path_str(&sess)]);
            let done = std::time::Instant::now() + Duration::from_secs(20);
            while server.try_wait().unwrap().is_none() && std::time::Instant::now() < done {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = server.kill();
            let _ = server.wait();
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                second.lines().any(|l| l.starts_with("Reused,")),
                "{lib:?} {proto}: not resumed:\n{second}\nserver:\n{text}"
            );
            assert!(
                text.contains("encrypted=1 decrypted=1 unknown=0"),
                "{lib:?} {proto}: {text}"
            );
        }
    }
}
