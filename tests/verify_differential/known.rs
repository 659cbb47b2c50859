//! Differences between ferrossl and OpenSSL the test knows about: it rewrites OpenSSL's lines
//! as each known difference says and requires ferrossl's to be exactly the result, so a known
//! difference hides nothing else, and one that no longer shows is reported (see [`all`]).
//! A rule holds wherever it applies; a [`Record`] holds both outputs of one case in one mode.

/// After a failed verification OpenSSL's SSL_get0_verified_chain still holds the chain that was
/// built (libssl keeps X509_STORE_CTX_get1_chain whatever the result); ferrossl's is NULL:
/// OpenSSL `verified chain: N` and its N `verified chain[i]: ...` lines, ferrossl
/// `verified chain: none`.
pub const VERIFIED_CHAIN_ON_FAILURE: &str = "verified-chain-after-failure";

/// After a handshake that failed in the peer's certificate OpenSSL's SSL_get_peer_cert_chain
/// still holds what the peer sent (the session keeps it; SSL_get0_peer_certificate is NULL);
/// ferrossl's is NULL: OpenSSL `peer cert chain: N` and its N lines, ferrossl
/// `peer cert chain: none`.
pub const PEER_CHAIN_AFTER_FAILURE: &str = "peer-chain-after-failure";

const RULES: &[&str] = &[VERIFIED_CHAIN_ON_FAILURE, PEER_CHAIN_AFTER_FAILURE];

/// A difference of one case in one mode, with every line each library prints.
pub struct Record {
    pub case: &'static str,
    pub mode: &'static str,
    pub why: &'static str,
    pub openssl: &'static str,
    pub ferrossl: &'static str,
}

impl Record {
    fn id(&self) -> String {
        format!("{} ({})", self.case, self.mode)
    }
}

/// Every known difference: the rules, then the records.
pub fn all() -> Vec<String> {
    let rules = RULES.iter().map(|r| (*r).to_owned());
    rules.chain(RECORDS.iter().map(Record::id)).collect()
}

pub enum Verdict {
    Same,
    /// The known differences seen (as [`all`] names them), and what to print.
    Known(Vec<String>, String),
    Differs(String),
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

/// A [`Record`] of `stock` and `ours`, to paste into [`RECORDS`].
fn record_text(case: &str, mode: &str, stock: &[String], ours: &[String]) -> String {
    let literal = |lines: &[String]| {
        let body: Vec<String> = lines
            .iter()
            .map(|l| format!("            {}", l.escape_debug()))
            .collect();
        format!("\"\\\n{}\"", body.join("\\n\\\n"))
    };
    format!(
        "    Record {{\n        case: {case:?},\n        mode: {mode:?},\n        why: \"\",\n        \
         openssl: {},\n        ferrossl: {},\n    }},",
        literal(stock),
        literal(ours)
    )
}

/// Compares the lines of the two libraries for one case and mode.
pub fn compare(case: &str, mode: &str, stock: &[String], ours: &[String]) -> Verdict {
    if let Some(r) = RECORDS.iter().find(|r| r.case == case && r.mode == mode) {
        if stock == lines(r.openssl) && ours == lines(r.ferrossl) {
            return Verdict::Known(vec![r.id()], format!("record: {}", r.why));
        }
        if stock == ours {
            return Verdict::Differs(format!(
                "the known difference {} is gone: remove its record",
                r.id()
            ));
        }
        return Verdict::Differs(format!(
            "the known difference {} changed; now:\n{}",
            r.id(),
            record_text(case, mode, stock, ours)
        ));
    }
    if stock == ours {
        return Verdict::Same;
    }
    let mut used = Vec::new();
    let expected = rewrite(stock, &mut used);
    if expected == ours {
        used.sort_unstable();
        used.dedup();
        let label = used.join(", ");
        return Verdict::Known(used.into_iter().map(str::to_owned).collect(), label);
    }
    let first = expected
        .iter()
        .zip(ours)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(ours.len()));
    Verdict::Differs(format!(
        "line {first} differs (after the known differences): OpenSSL {:?}, ferrossl {:?}; \
         as a record:\n{}",
        expected.get(first),
        ours.get(first),
        record_text(case, mode, stock, ours)
    ))
}

/// OpenSSL's lines as ferrossl prints them, given the known differences.
fn rewrite(stock: &[String], used: &mut Vec<&'static str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut failed_handshake = false;
    let mut failed_verify = false;
    let mut lines = stock.iter().peekable();
    while let Some(l) = lines.next() {
        if l.starts_with("== connection") {
            failed_handshake = false;
            failed_verify = false;
        } else if l.starts_with("handshake failed") {
            failed_handshake = true;
        } else if let Some(rest) = l.strip_prefix("verify result: ") {
            failed_verify = !rest.starts_with("0 ");
        }
        let rule = match l.split_once(": ") {
            Some(("verified chain", n)) if failed_verify && n != "none" => {
                Some(("verified chain", VERIFIED_CHAIN_ON_FAILURE))
            }
            Some(("peer cert chain", n)) if failed_handshake && n != "none" => {
                Some(("peer cert chain", PEER_CHAIN_AFTER_FAILURE))
            }
            _ => None,
        };
        match rule {
            Some((what, name)) => {
                used.push(name);
                out.push(format!("{what}: none"));
                while lines
                    .peek()
                    .is_some_and(|n| n.starts_with(&format!("{what}[")))
                {
                    lines.next();
                }
            }
            None => out.push(l.clone()),
        }
    }
    out
}

/// rustls checks the handshake signature, and webpki parses the certificate for it: a
/// certificate with an unknown critical extension is refused even with SSL_VERIFY_NONE (handshake
/// failed, reason 134); OpenSSL completes the handshake and only reports the result (34).
const WHY_CRITICAL: &str = "webpki refuses the unknown critical extension even with VERIFY_NONE";

/// ferrossl's signature_algorithms offers no scheme for the server's key (rsa_pss_pss_*, ed448:
/// rustls verifies neither), so s_server sends handshake_failure (reason 1040).
const WHY_NO_SCHEME: &str = "no signature scheme offered for an RSA-PSS or Ed448 key";

/// The chain verifies (libcrypto), then rustls (aws-lc-rs: RSA from 2048 bits) refuses the
/// handshake signature of the 1024-bit key: handshake failed (134) with result 0.
const WHY_RSA1024: &str = "the handshake signature of an RSA-1024 key is refused";

/// The security level is not applied to the verification (libssl passes it as the param's auth
/// level, X509_VERIFY_PARAM_set_auth_level; ferrossl only records it): OpenSSL gives
/// EE_KEY_TOO_SMALL (66) or CA_MD_TOO_WEAK (68), ferrossl 0, and with SSL_VERIFY_PEER it
/// completes a handshake OpenSSL refuses.
const WHY_SECLEVEL: &str = "the security level is not applied to certificate verification";

/// As [`WHY_SECLEVEL`] for the verification (0, not 66), then as [`WHY_RSA1024`].
const WHY_SECLEVEL_RSA1024: &str = "security level not applied, then RSA-1024 signature refused";

/// A client sent an empty Certificate: OpenSSL's SSL_get_peer_cert_chain is an empty stack,
/// ferrossl's NULL.
const WHY_EMPTY_CHAIN: &str = "empty peer cert chain: an empty stack on OpenSSL, NULL here";

pub const RECORDS: &[Record] = &[
    Record {
        case: "unknown-critical-extension",
        mode: "none",
        why: WHY_CRITICAL,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 34 (unhandled critical extension)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=critical\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=critical\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=critical\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 34 (unhandled critical extension)\n\
            peername: (null)\n\
            verified chain: none\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa-pss-leaf",
        mode: "peer",
        why: WHY_NO_SCHEME,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: localhost\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsapss\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsapss\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsapss\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 1040\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: none\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa-pss-leaf",
        mode: "none",
        why: WHY_NO_SCHEME,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: localhost\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsapss\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsapss\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsapss\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 1040\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: none\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "ed448-leaf",
        mode: "peer",
        why: WHY_NO_SCHEME,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=ed448\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=ed448\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=ed448\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 1040\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: none\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "ed448-leaf",
        mode: "none",
        why: WHY_NO_SCHEME,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=ed448\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=ed448\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=ed448\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 1040\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: none\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa1024-seclevel-1",
        mode: "peer",
        why: WHY_RSA1024,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsa1024\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa1024-seclevel-1",
        mode: "none",
        why: WHY_RSA1024,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsa1024\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa1024-seclevel-2",
        mode: "peer",
        why: WHY_SECLEVEL_RSA1024,
        openssl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 66 (EE certificate key too weak)\n\
            peername: (null)\n\
            verified chain: 1\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: (none)\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa1024-seclevel-2",
        mode: "none",
        why: WHY_SECLEVEL_RSA1024,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 66 (EE certificate key too weak)\n\
            peername: (null)\n\
            verified chain: 1\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsa1024\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa2048-seclevel-3",
        mode: "peer",
        why: WHY_SECLEVEL,
        openssl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 66 (EE certificate key too weak)\n\
            peername: (null)\n\
            verified chain: 1\n\
            verified chain[0]: /O=verify diff/CN=rsa2048\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa2048\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: (none)\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa2048\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa2048\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsa2048\n\
            done",
    },
    Record {
        case: "rsa2048-seclevel-3",
        mode: "none",
        why: WHY_SECLEVEL,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 66 (EE certificate key too weak)\n\
            peername: (null)\n\
            verified chain: 1\n\
            verified chain[0]: /O=verify diff/CN=rsa2048\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa2048\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsa2048\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=rsa2048\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa2048\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=rsa2048\n\
            done",
    },
    Record {
        case: "sha1-leaf",
        mode: "peer",
        why: WHY_SECLEVEL,
        openssl: "\
            == connection 1\n\
            handshake failed: SSL_get_error 1 reason 134\n\
            verify result: 68 (CA signature digest algorithm too weak)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=sha1\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=sha1\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: (none)\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=sha1\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=sha1\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=sha1\n\
            done",
    },
    Record {
        case: "sha1-leaf",
        mode: "none",
        why: WHY_SECLEVEL,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 68 (CA signature digest algorithm too weak)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=sha1\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=sha1\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=sha1\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=sha1\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=sha1\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: /O=verify diff/CN=sha1\n\
            done",
    },
    Record {
        case: "client-cert-missing",
        mode: "peer",
        why: WHY_EMPTY_CHAIN,
        openssl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: none\n\
            peer cert chain: 0\n\
            peer certificate: (none)\n\
            done",
        ferrossl: "\
            == connection 1\n\
            handshake ok: TLSv1.3\n\
            verify result: 0 (ok)\n\
            peername: (null)\n\
            verified chain: none\n\
            peer cert chain: none\n\
            peer certificate: (none)\n\
            done",
    },
];
