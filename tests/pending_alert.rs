//! A fatal alert the write BIO cannot take when the handshake fails (tests/c/pending_alert.c:
//! a ClientHello record over the length limit, a write BIO that refuses with retry at first).
//! Both libraries answer the failing call and the next ones alike (return values, SSL_get_error,
//! reason codes); OpenSSL 3.0 then never writes the alert (its state machine refuses every
//! later call before dispatching it), ferrossl writes it at the next call.

mod common;

use common::cprog::{build_c, compared_lines};
use common::{libdir, path_str, pki, KeyAlg};

/// The record_overflow alert in the clear.
const ALERT: &str = " 15 03 03 00 02 02 16";

#[test]
fn a_fatal_alert_the_bio_refused_goes_at_the_next_call() {
    let exe = build_c("pending_alert");
    let cert = pki().server(KeyAlg::EcdsaP256);
    let args = vec![path_str(&cert.chain), path_str(&cert.key)];
    let stock = compared_lines(&exe, &args, None);
    let ours = compared_lines(&exe, &args, Some(libdir()));
    assert_eq!(stock.last().map(String::as_str), Some("done"), "{stock:#?}");
    assert_eq!(
        ours.len(),
        stock.len(),
        "stock:\n{stock:#?}\nferrossl:\n{ours:#?}"
    );
    for (s, o) in stock.iter().zip(&ours) {
        if s.contains("write BIO has") && !s.contains("refusing") {
            // OpenSSL: nothing, ever; ferrossl: the alert, written by the next call.
            assert!(s.ends_with("has 0 bytes:"), "stock: {s}");
            assert!(
                o.ends_with(&format!("has 7 bytes:{ALERT}")),
                "ferrossl: {o}"
            );
        } else {
            assert_eq!(o, s, "ferrossl (left) differs from OpenSSL (right)");
        }
    }
}
