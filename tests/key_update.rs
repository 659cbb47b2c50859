//! `SSL_key_update` against stock OpenSSL: a ferrossl client asks for a key update
//! (`SSL_KEY_UPDATE_REQUESTED` and `_NOT_REQUESTED`) on a TLS 1.3 connection to `openssl
//! s_server -msg`, which must receive the KeyUpdate (and, as rustls's asks it to, answer with its
//! own), and the HTTP exchange after it must work.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{pki, repo_root, KeyAlg, Server};

#[test]
fn key_update_reaches_the_openssl_peer() {
    let exe = repo_root().join("target/c-tests/key_update");
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let out = Command::new("gcc")
        .args(["-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(repo_root().join("tests/c/key_update.c"))
        .args(["-lssl", "-lcrypto"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for update_type in ["1", "0"] {
        let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
        args.extend(["-www", "-msg"].map(String::from));
        let server = Server::s_server(&args);
        let mut cmd = common::command(&exe);
        cmd.arg(server.port().to_string())
            .arg(update_type)
            .env("LD_LIBRARY_PATH", common::libdir());
        let client = common::run(&mut cmd, Duration::from_secs(30)).stdout_str();
        for want in [
            "connect 1 TLSv1.3",
            "key_update 1",
            "do_handshake 1",
            "write 18",
            "answer HTTP/1.0 200 ok",
        ] {
            assert!(
                client.contains(want),
                "no `{want}` (type {update_type}):\n{client}"
            );
        }
        let log = server.output();
        assert!(
            log.contains("<<< TLS 1.3, Handshake [length 0005], KeyUpdate"),
            "s_server received no KeyUpdate (type {update_type}):\n{log}"
        );
    }
}

/// Without `SSL_MODE_AUTO_RETRY` (cleared by `openssl s_client`) a blocking `SSL_read` ends at a
/// record without application data (a session ticket) with `SSL_ERROR_WANT_READ`, as on
/// OpenSSL: the program (here `tests/c/auto_retry.c`) prints the same on both libraries.
#[test]
fn reads_end_at_a_ticket_without_auto_retry() {
    let exe = repo_root().join("target/c-tests/auto_retry");
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let out = Command::new("gcc")
        .args(["-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(repo_root().join("tests/c/auto_retry.c"))
        .args(["-lssl", "-lcrypto"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut args = pki().server(KeyAlg::EcdsaP256).s_server_args();
    args.push("-www".into());
    let server = Server::s_server(&args);
    let run_on = |ours: bool| {
        let mut cmd = common::command(&exe);
        cmd.arg(server.port().to_string());
        if ours {
            cmd.env("LD_LIBRARY_PATH", common::libdir());
        }
        let out = common::run(&mut cmd, Duration::from_secs(30));
        format!("{}exit {:?}\n", out.stdout_str(), out.status.code())
    };
    let (stock, ours) = (run_on(false), run_on(true));
    assert!(
        stock.contains("read before the request -1, error 2\n")
            && stock.contains("answer HTTP/1.0 200"),
        "unexpected on stock OpenSSL (a test bug):\n{stock}"
    );
    assert_eq!(stock, ours, "OpenSSL:\n{stock}\nferrossl:\n{ours}");
}
