//! The system policy on Debian 12 (OpenSSL 3.0): the configuration file's `ssl_conf`
//! `system_default` section, which `SSL_CTX_new` applies as OpenSSL 3 does.
//! - `tests/c/system_conf.c` makes contexts of the three methods under each policy of
//!   `common::policy::POLICIES` (Debian 12's own `/etc/ssl/openssl.cnf` with the section added)
//!   and prints what they got (protocol bounds, options, security level, verify mode, suites) and
//!   the errors queued; also with `OPENSSL_INIT_NO_LOAD_CONFIG` first (no policy) and with
//!   `SSL_CTX_config(ctx, "system_default")` after. OpenSSL's and ferrossl's lines must be equal.
//! - Debian's curl, unchanged, refuses a TLS 1.2-only server under `MinProtocol = TLSv1.3`, with
//!   the same error as on OpenSSL, and connects without the policy.

mod common;

use std::fs;

use common::cprog::{build_c, same_on_both};
use common::policy::{with_policy, POLICIES};
use common::*;

fn debian_cnf() -> String {
    fs::read_to_string("/etc/ssl/openssl.cnf").expect("reading Debian's /etc/ssl/openssl.cnf")
}

#[test]
fn policies_match_openssl() {
    let exe = build_c("system_conf");
    let dir = TempDir::new("system-conf");
    let base = debian_cnf();
    for (name, commands) in POLICIES {
        let cnf = dir.join(format!("{name}.cnf"));
        fs::write(&cnf, with_policy(&base, commands, None)).unwrap();
        for mode in ["default", "noconf", "config"] {
            if *name == "cert" && mode == "config" {
                // SSL_CTX_config loads certificates: a missing file is the certificate loader's
                // business (tests/conf_differential.rs), not the policy's.
                continue;
            }
            eprintln!("policy {name}, {mode}");
            same_on_both(&exe, &[path_str(&cnf), mode.to_owned()]);
        }
    }
}

#[test]
fn curl_refuses_tls12_server_under_min_tls13_policy() {
    let server = pki().server(KeyAlg::EcdsaP256);
    let mut args = server.s_server_args();
    args.extend(["-tls1_2".into(), "-www".into()]);
    let srv = Server::s_server(&args);
    let dir = TempDir::new("system-conf-curl");
    let cnf = dir.join("min13.cnf");
    fs::write(
        &cnf,
        with_policy(&debian_cnf(), &["MinProtocol = TLSv1.3"], None),
    )
    .unwrap();
    let ca = path_str(&pki().root_ca());
    let fetch = |ours: bool, policy: bool| {
        let mut cmd = command(CURL);
        if ours {
            Mode::LibraryPath.apply(&mut cmd);
        }
        if policy {
            cmd.env("OPENSSL_CONF", &cnf);
        }
        cmd.args(["-sS", "-o", "/dev/null", "--cacert", &ca, "--noproxy", "*"])
            .arg(srv.url("/"));
        run(&mut cmd, std::time::Duration::from_secs(30))
    };
    for ours in [false, true] {
        let who = if ours { "ferrossl" } else { "OpenSSL" };
        let ok = fetch(ours, false);
        assert_eq!(ok.code(), 0, "{who}, no policy: {}", ok.stderr);
        let refused = fetch(ours, true);
        assert_eq!(
            refused.code(),
            35,
            "{who}, MinProtocol = TLSv1.3: {}",
            refused.stderr
        );
        assert!(
            refused.stderr.contains("tlsv1 alert protocol version"),
            "{who}: {}",
            refused.stderr
        );
    }
}
