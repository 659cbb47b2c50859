//! `SSL_SESSION_print` and `SSL_SESSION_print_keylog`: a session as OpenSSL 3.0 prints it.
//!
//! rustls keeps a session's secrets to itself, so the master key (TLS 1.2) and resumption PSK
//! (TLS 1.3) print empty, as OpenSSL prints a session that has none; for the same reason there
//! is no keylog line. Ticket bytes and lifetime hints are rustls's too and are not printed.

use std::ffi::c_long;
use std::fmt::Write;

use super::connection::version_name;
use super::context::{TLS1_2_VERSION, TLS1_3_VERSION};
use super::session::SessionData;
use crate::libcrypto::verify_error_string;

/// The verify result OpenSSL's `SSL_SESSION_new` starts a session with
/// (`X509_V_ERR_UNSPECIFIED`); a session from a handshake has the handshake's.
const NEW_SESSION_VERIFY_RESULT: c_long = 1;

fn hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
}

/// The text `SSL_SESSION_print` writes.
///
/// Differs from OpenSSL: the verify result is not recorded in ferrossl's sessions: a session
/// that never saw a handshake reports `SSL_SESSION_new`'s 1, any other 0 (ok).
pub fn print(d: &SessionData) -> String {
    let tls13 = d.version == TLS1_3_VERSION;
    let mut s = String::from("SSL-Session:\n");
    let _ = writeln!(
        s,
        "    Protocol  : {}",
        version_name(d.version).to_string_lossy()
    );
    match d.cipher {
        Some(c) => {
            let _ = writeln!(s, "    Cipher    : {}", c.name.to_string_lossy());
        }
        None => s.push_str("    Cipher    : 0000\n"),
    }
    s.push_str("    Session-ID: ");
    hex(&mut s, &d.id);
    s.push_str("\n    Session-ID-ctx: ");
    hex(&mut s, &d.id_context);
    s.push_str(if tls13 {
        "\n    Resumption PSK: "
    } else {
        "\n    Master-Key: "
    });
    s.push_str("\n    PSK identity: None");
    s.push_str("\n    PSK identity hint: None");
    s.push_str("\n    SRP username: None");
    if d.time != 0 {
        let _ = write!(s, "\n    Start Time: {}", d.time);
    }
    if d.timeout != 0 {
        let _ = write!(s, "\n    Timeout   : {} (sec)", d.timeout);
    }
    s.push('\n');
    let verify = if d.version == 0 {
        NEW_SESSION_VERIFY_RESULT
    } else {
        0
    };
    let _ = writeln!(
        s,
        "    Verify return code: {verify} ({})",
        verify_error_string(verify)
    );
    // rustls always negotiates the extended master secret in TLS 1.2.
    let _ = writeln!(
        s,
        "    Extended master secret: {}",
        if d.version == TLS1_2_VERSION {
            "yes"
        } else {
            "no"
        }
    );
    if tls13 {
        s.push_str("    Max Early Data: 0\n");
    }
    s
}

/// The NSS keylog line `SSL_SESSION_print_keylog` writes, `None` when the session has no ID
/// or no known master key (always, with rustls: see the module docs), as OpenSSL fails then.
pub fn keylog(d: &SessionData) -> Option<String> {
    let master_key: &[u8] = &[];
    if d.id.is_empty() || master_key.is_empty() {
        return None;
    }
    let mut s = String::from("RSA Session-ID:");
    hex(&mut s, &d.id);
    s.push_str(" Master-Key:");
    hex(&mut s, master_key);
    s.push('\n');
    Some(s)
}
