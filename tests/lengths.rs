//! `SSL_read`/`SSL_peek`/`SSL_write` and the `_ex` forms with negative, zero and oversized
//! lengths give OpenSSL's results (return value, out-parameter, queued reason, `SSL_get_error`):
//! `tests/c/lengths.c` against a stock `openssl s_server -rev`, run on both libraries.

mod common;

use std::time::Duration;

use common::{pki, KeyAlg, Server};

#[test]
fn lengths_match_openssl() {
    let exe = common::repo_root().join("target/c-tests/lengths");
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    let mut gcc = common::command("gcc");
    gcc.args(["-Wall", "-Werror", "-O1", "-o"])
        .arg(&exe)
        .arg(common::repo_root().join("tests/c/lengths.c"))
        .args(["-lssl", "-lcrypto"]);
    common::run(&mut gcc, Duration::from_secs(60)).assert_success();
    let pki = pki();
    let mut outputs = Vec::new();
    for libdir in [None, Some(common::libdir())] {
        let mut args = pki.server(KeyAlg::EcdsaP256).s_server_args();
        args.push("-rev".into());
        let server = Server::s_server(&args);
        let mut cmd = common::command(&exe);
        cmd.arg(server.port().to_string()).arg(pki.root_ca());
        if let Some(d) = libdir {
            cmd.env("LD_LIBRARY_PATH", d);
        }
        let out = common::run(&mut cmd, Duration::from_secs(30));
        assert_eq!(out.code(), 0, "{}", out.stdout_str());
        outputs.push(out.stdout_str());
    }
    assert!(outputs[0].contains("read: cba"), "{}", outputs[0]);
    assert_eq!(
        outputs[1], outputs[0],
        "ferrossl (left) differs from OpenSSL (right)"
    );
}
