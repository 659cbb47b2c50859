//! System policies: copies of a distribution's `openssl.cnf` with an `ssl_conf` section whose
//! `system_default` holds given commands, the way Debian has shipped `MinProtocol` and
//! `CipherString` there (tests/system_conf.rs on Debian 12, tests/trixie/system_conf.rs on 13).

#![allow(dead_code)]

/// The policies the differential runs: (name, commands of `system_default`). Valid ones, ones
/// with an unknown command, a bad value, a command the system policy may not use (files), and
/// one that selects no TLS 1.2 cipher.
pub const POLICIES: &[(&str, &[&str])] = &[
    ("min13", &["MinProtocol = TLSv1.3"]),
    (
        "max12",
        &[
            "MaxProtocol = TLSv1.2",
            "CipherString = ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
        ],
    ),
    ("seclevel", &["CipherString = DEFAULT:@SECLEVEL=2"]),
    (
        "badcipher",
        &["CipherString = NOTHING-AT-ALL", "MinProtocol = TLSv1.2"],
    ),
    ("unknown", &["NoSuchCommand = x", "MinProtocol = TLSv1.3"]),
    (
        "options",
        &["Options = ServerPreference,-SessionTicket,PrioritizeChaCha"],
    ),
    ("groups", &["Groups = P-384:X25519"]),
    ("badgroups", &["Groups = NoSuchGroup"]),
    (
        "suites",
        &["Ciphersuites = TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"],
    ),
    ("badproto", &["MinProtocol = TLSv9"]),
    ("tls1", &["MinProtocol = TLSv1"]),
    ("verify", &["VerifyMode = Request"]),
    // Files are for SSL_CTX_config only: the system policy refuses them (an unknown command).
    ("cert", &["Certificate = /nonexistent.pem"]),
];

/// `base` (the text of an `openssl.cnf`) with `ssl_conf = ssl_sect` in its `[openssl_init]`
/// section and `system_default` holding `commands`; `diagnostics` rewrites its
/// `config_diagnostics` line (the files of Debian 12 and 13 both have `config_diagnostics = 1`).
pub fn with_policy(base: &str, commands: &[&str], diagnostics: Option<bool>) -> String {
    let mut out = String::new();
    let mut added = false;
    for line in base.lines() {
        if let (Some(d), true) = (diagnostics, line.starts_with("config_diagnostics")) {
            out.push_str(&format!("config_diagnostics = {}\n", u8::from(d)));
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.trim() == "[openssl_init]" {
            out.push_str("ssl_conf = ssl_sect\n");
            added = true;
        }
    }
    assert!(added, "the configuration has no [openssl_init] section");
    out.push_str("\n[ssl_sect]\nsystem_default = system_default_sect\n\n[system_default_sect]\n");
    for c in commands {
        out.push_str(c);
        out.push('\n');
    }
    out
}
