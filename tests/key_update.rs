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
