//! Debian's unmodified nginx with `ssl_conf_command` (which runs `SSL_CONF_CTX_new`,
//! `SSL_CONF_CTX_set_flags(FILE|SERVER|CERTIFICATE|SHOW_ERRORS)`, `SSL_CONF_cmd` per directive
//! and `SSL_CONF_CTX_finish`) on ferrossl, checked from the outside with stock `openssl
//! s_client` and curl: each command must change what the server negotiates, compared with the
//! same server without it; `nginx -t` accepts the commands and refuses unknown ones and bad
//! values with OpenSSL's errors; the error log stays free of `[crit]`/`[alert]`/`[emerg]`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{pki, KeyAlg, Nginx};

fn lib() -> Option<&'static Path> {
    Some(common::libdir())
}

/// One `server` block with an ECDSA certificate and both TLS versions (nginx 1.22's default
/// `ssl_protocols` leave TLS 1.3 out); `extra` goes inside it, after.
fn block(port: u16, dir: &Path, extra: &str) -> String {
    let cert = pki().server(KeyAlg::EcdsaP256);
    format!(
        "    server {{\n        listen 127.0.0.1:{port} ssl;\n        server_name localhost;\n        \
         ssl_certificate {chain};\n        ssl_certificate_key {key};\n        root {root};\n        \
         ssl_protocols TLSv1.2 TLSv1.3;\n{extra}\n    }}\n",
        chain = cert.chain.display(),
        key = cert.key.display(),
        root = dir.join("html").display(),
    )
}

/// nginx with `extra` directives in its server block, on ferrossl.
fn nginx(extra: &str) -> Nginx {
    let extra = extra.to_owned();
    Nginx::start(lib(), move |port, dir| block(port, dir, &extra))
}

/// nginx's error log must have no `[crit]`, `[alert]` or `[emerg]` line.
fn assert_clean_log(nginx: &Nginx) {
    let log = nginx.error_log();
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("[crit]") || l.contains("[alert]") || l.contains("[emerg]"))
        .collect();
    assert!(bad.is_empty(), "nginx error log:\n{}", bad.join("\n"));
}

/// Stock `openssl s_client` (standard input closed, so it ends after the handshake).
fn s_client(port: u16, args: &[&str]) -> String {
    let mut cmd = common::command(common::OPENSSL);
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost"])
        .args(args)
        .stdin(std::process::Stdio::null());
    let out = common::run(&mut cmd, Duration::from_secs(30));
    format!("{}{}", out.stdout_str(), out.stderr)
}

/// The `Cipher is X` of an s_client output, if a handshake completed.
fn cipher(out: &str) -> Option<String> {
    out.lines()
        .find_map(|l| {
            l.split_once(", Cipher is ")
                .map(|(_, c)| c.trim().to_owned())
        })
        .filter(|c| c != "(NONE)")
}

#[test]
fn ciphersuites_command_is_obeyed() {
    // s_client prefers TLS_AES_256_GCM_SHA384; only the command makes it ChaCha20.
    let plain = nginx("");
    assert_eq!(
        cipher(&s_client(plain.port(), &["-tls1_3"])).as_deref(),
        Some("TLS_AES_256_GCM_SHA384")
    );
    let n = nginx("        ssl_conf_command Ciphersuites TLS_CHACHA20_POLY1305_SHA256;");
    let out = s_client(n.port(), &["-tls1_3"]);
    assert_eq!(
        cipher(&out).as_deref(),
        Some("TLS_CHACHA20_POLY1305_SHA256"),
        "{out}"
    );
    let refused = s_client(
        n.port(),
        &["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"],
    );
    assert_eq!(
        cipher(&refused),
        None,
        "a client without ChaCha20 must be refused: {refused}"
    );
    assert_clean_log(&plain);
    assert_clean_log(&n);
}

#[test]
fn cipher_string_and_server_preference_commands_are_obeyed() {
    let suites = "        ssl_conf_command MaxProtocol TLSv1.2;\n        \
                  ssl_conf_command CipherString ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384;";
    // The client's order (AES-GCM first in OpenSSL's default list) wins without the option.
    let client_order = nginx(suites);
    assert_eq!(
        cipher(&s_client(client_order.port(), &["-tls1_2"])).as_deref(),
        Some("ECDHE-ECDSA-AES256-GCM-SHA384")
    );
    let server_order = nginx(&format!(
        "{suites}\n        ssl_conf_command Options ServerPreference;"
    ));
    let out = s_client(server_order.port(), &["-tls1_2"]);
    assert_eq!(
        cipher(&out).as_deref(),
        Some("ECDHE-ECDSA-CHACHA20-POLY1305"),
        "{out}"
    );
    assert_clean_log(&client_order);
    assert_clean_log(&server_order);
}

#[test]
fn groups_command_is_obeyed() {
    // The client's first key share is P-256, which the server takes unless told otherwise.
    let plain = nginx("");
    let out = s_client(plain.port(), &["-tls1_3", "-groups", "P-256:X25519"]);
    assert!(out.contains("Server Temp Key: ECDH, prime256v1"), "{out}");
    let n = nginx("        ssl_conf_command Groups X25519;");
    let out = s_client(n.port(), &["-tls1_3", "-groups", "P-256:X25519"]);
    assert!(out.contains("Server Temp Key: X25519"), "{out}");
    let p256 = s_client(n.port(), &["-groups", "P-256"]);
    assert_eq!(
        cipher(&p256),
        None,
        "a P-256-only client must be refused: {p256}"
    );
    assert_clean_log(&plain);
    assert_clean_log(&n);
}

#[test]
fn min_protocol_command_refuses_tls12() {
    let plain = nginx("");
    assert!(cipher(&s_client(plain.port(), &["-tls1_2"])).is_some());
    let n = nginx("        ssl_conf_command MinProtocol TLSv1.3;");
    let old = s_client(n.port(), &["-tls1_2"]);
    assert_eq!(
        cipher(&old),
        None,
        "a TLS 1.2 client must be refused: {old}"
    );
    let new = s_client(n.port(), &["-tls1_3"]);
    assert!(new.contains("New, TLSv1.3, Cipher is"), "{new}");
    // Stock curl on OpenSSL: refused at TLS 1.2, served at 1.3.
    std::fs::write(n.html_dir().join("hello.txt"), "hello\n").unwrap();
    let ca = common::path_str(&pki().root_ca());
    let curl = |extra: &[&str]| {
        let mut cmd = common::command(common::CURL);
        cmd.args(["-q", "-sS", "--ipv4", "--noproxy", "*", "--max-time", "30"])
            .args(["--cacert", &ca])
            .args(extra)
            .arg(n.url("/hello.txt"));
        common::run(&mut cmd, Duration::from_secs(60))
    };
    assert_eq!(curl(&["--tls-max", "1.2"]).code(), 35);
    let ok = curl(&["-w", " %{http_code} %{ssl_verify_result}"]);
    assert_eq!(ok.stdout_str(), "hello\n 200 0", "{}", ok.stderr);
    let max = nginx(
        "        ssl_conf_command MinProtocol TLSv1.2;\n        \
         ssl_conf_command MaxProtocol TLSv1.2;",
    );
    assert!(
        s_client(max.port(), &[]).contains("New, TLSv1.2, Cipher is"),
        "MaxProtocol TLSv1.2 must make a default client use TLS 1.2"
    );
    assert_clean_log(&plain);
    assert_clean_log(&n);
    assert_clean_log(&max);
}

#[test]
fn options_command_turns_session_tickets_off() {
    let plain = nginx("");
    let out = s_client(plain.port(), &["-tls1_2"]);
    assert!(
        out.contains("TLS session ticket:"),
        "no ticket by default: {out}"
    );
    let n = nginx("        ssl_conf_command Options -SessionTicket;");
    let out = s_client(n.port(), &["-tls1_2"]);
    assert!(out.contains("New, TLSv1.2, Cipher is"), "{out}");
    assert!(
        !out.contains("TLS session ticket:"),
        "Options -SessionTicket must stop tickets: {out}"
    );
    // Protocol lists work through the same option bits.
    let p = nginx("        ssl_conf_command Protocol -TLSv1.3;");
    assert!(s_client(p.port(), &[]).contains("New, TLSv1.2, Cipher is"));
    assert_clean_log(&plain);
    assert_clean_log(&n);
    assert_clean_log(&p);
}

/// `nginx -t` on ferrossl with `extra` in the server block: (success, stderr).
fn nginx_t(extra: &str) -> (bool, String) {
    let extra = extra.to_owned();
    let dir = Nginx::config_only(lib(), move |port, dir| block(port, dir, &extra));
    let out = common::run(
        common::command(common::NGINX)
            .args(["-t", "-p"])
            .arg(dir.path())
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .env("LD_LIBRARY_PATH", common::libdir()),
        Duration::from_secs(20),
    );
    (out.status.success(), out.stderr)
}

#[test]
fn nginx_t_accepts_commands_and_reports_bad_ones() {
    let (ok, err) = nginx_t(
        "        ssl_conf_command Ciphersuites TLS_CHACHA20_POLY1305_SHA256;\n        \
         ssl_conf_command Groups X25519:P-256;\n        \
         ssl_conf_command MinProtocol TLSv1.2;\n        \
         ssl_conf_command MaxProtocol TLSv1.3;\n        \
         ssl_conf_command Protocol ALL,-TLSv1.1;\n        \
         ssl_conf_command Options -SessionTicket,ServerPreference,PrioritizeChaCha;\n        \
         ssl_conf_command VerifyMode Request;\n        \
         ssl_conf_command NumTickets 1;",
    );
    assert!(ok && err.contains("test is successful"), "{err}");
    assert!(
        !err.contains("[emerg]") && !err.contains("[alert]") && !err.contains("[crit]"),
        "{err}"
    );

    let (ok, err) = nginx_t("        ssl_conf_command Bogus x;");
    assert!(!ok, "an unknown command must fail the configuration: {err}");
    assert!(
        err.contains("SSL_CONF_cmd(\"Bogus\", \"x\") failed")
            && err.contains("unknown cmd name")
            && err.contains("cmd=Bogus"),
        "{err}"
    );

    let (ok, err) = nginx_t("        ssl_conf_command Ciphersuites TLS_BOGUS;");
    assert!(!ok, "{err}");
    assert!(
        err.contains("no cipher match") && err.contains("cmd=Ciphersuites, value=TLS_BOGUS"),
        "{err}"
    );

    let (ok, err) = nginx_t("        ssl_conf_command Options IgnoreUnexpectedEOF;");
    assert!(!ok, "not an OpenSSL 3.0 option name: {err}");
    assert!(err.contains("bad value"), "{err}");
}
