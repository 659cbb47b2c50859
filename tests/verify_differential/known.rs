//! Differences between ferrossl and OpenSSL the test knows about: a [`Record`] holds both
//! outputs of one case in one mode, and must match them exactly, so a known difference hides
//! nothing else; one that no longer shows is reported (see [`all`]). All of them come from
//! rustls's handshake, not from the verification (its verdict and code are OpenSSL's).

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

/// Every known difference.
pub fn all() -> Vec<String> {
    RECORDS.iter().map(Record::id).collect()
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
    let first = stock
        .iter()
        .zip(ours)
        .position(|(a, b)| a != b)
        .unwrap_or(stock.len().min(ours.len()));
    Verdict::Differs(format!(
        "line {first} differs: OpenSSL {:?}, ferrossl {:?}; \
         as a record:\n{}",
        stock.get(first),
        ours.get(first),
        record_text(case, mode, stock, ours)
    ))
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
            verified chain: 3\n\
            verified chain[0]: /O=verify diff/CN=critical\n\
            verified chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            verified chain[2]: /O=verify diff/CN=VD Root CA\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=critical\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
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
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
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
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: (none)\n\
            done",
    },
    Record {
        case: "rsa1024-seclevel-2",
        mode: "none",
        why: WHY_RSA1024,
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
            verify result: 66 (EE certificate key too weak)\n\
            peername: (null)\n\
            verified chain: 1\n\
            verified chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain: 2\n\
            peer cert chain[0]: /O=verify diff/CN=rsa1024\n\
            peer cert chain[1]: /O=verify diff/CN=VD Intermediate CA\n\
            peer certificate: (none)\n\
            done",
    },
];
