//! The system policy on Debian 13 (OpenSSL 3.5): `tests/c/system_conf.c` under each policy of
//! `common::policy::POLICIES`, added to Debian 13's own `/etc/ssl/openssl.cnf`, with its
//! `config_diagnostics = 1` (a bad policy then makes `SSL_CTX_new` fail with "error in system
//! default config", as OpenSSL 3.5) and with diagnostics off (failures ignored, as in 3.0); then
//! Debian 13's curl under `MinProtocol = TLSv1.3` against a TLS 1.2-only stock server.

use std::fs;

use common::policy::{with_policy, POLICIES};
use common::trixie::{build_c, root, same_on_both, On, Stage};
use common::{run, Mode};

use super::{s_server, TIMEOUT};
use crate::common;

fn debian13_cnf() -> String {
    fs::read_to_string(root().join("etc/ssl/openssl.cnf")).expect("Debian 13's openssl.cnf")
}

#[test]
fn policies_match_openssl_35() {
    let stage = Stage::new("system-conf");
    let exe = build_c(&stage, "system_conf");
    let base = debian13_cnf();
    for diagnostics in [true, false] {
        for (name, commands) in POLICIES {
            let cnf = stage.write(
                &format!("{name}-{diagnostics}.cnf"),
                with_policy(&base, commands, Some(diagnostics)),
            );
            for mode in ["default", "noconf", "config"] {
                if *name == "cert" && mode == "config" {
                    continue;
                }
                eprintln!("policy {name}, diagnostics {diagnostics}, {mode}");
                same_on_both(&stage, &exe, &[&cnf, mode]);
            }
        }
    }
}

#[test]
fn curl_refuses_tls12_server_under_min_tls13_policy() {
    let stage = Stage::new("system-conf-curl");
    let pki = stage.copy_pki();
    let cnf = stage.write(
        "min13.cnf",
        with_policy(&debian13_cnf(), &["MinProtocol = TLSv1.3"], None),
    );
    let (_server, port) = s_server(&stage, On::Stock, &["-www", "-tls1_2"]);
    for on in [On::Stock, On::Ours(Mode::LibraryPath)] {
        for policy in [false, true] {
            let env: &[(&str, &str)] = if policy {
                &[("OPENSSL_CONF", &cnf)]
            } else {
                &[]
            };
            let mut cmd = stage.command(on, env, "curl");
            cmd.args(["-sS", "-o", "/dev/null", "--max-time", "20", "--cacert"])
                .arg(format!("{pki}/root-ca.pem"))
                .arg(format!("https://localhost:{port}/"));
            let out = run(&mut cmd, TIMEOUT);
            if policy {
                assert_eq!(out.code(), 35, "{on:?} with the policy: {}", out.stderr);
                assert!(
                    out.stderr.contains("protocol version"),
                    "{on:?}: {}",
                    out.stderr
                );
            } else {
                assert_eq!(out.code(), 0, "{on:?} without the policy: {}", out.stderr);
            }
        }
    }
}
