//! OpenSSL 3.2–3.5's QUIC-era API on TLS objects, differentially: `tests/c/quic35.c` calls
//! each of those functions on TLS objects (fresh client and server, on a socket, after an
//! in-memory handshake, a TLS `SSL_CTX`) and every 3.2–3.5 function on NULL, and prints one
//! line per call (return value, out-parameters, the first queued error and how many); built
//! against OpenSSL 3.5's headers, it runs inside the Debian 13 root on stock OpenSSL 3.5.9 and
//! on ferrossl, which must print the same lines. Lines starting with `~` are not compared:
//! OpenSSL's free-text error data, the peer's ClientHello extension order, the refused QUIC
//! methods, calls on which stock OpenSSL crashes.

use common::trixie::{build_c, same_on_both, Stage};

use crate::common;

#[test]
fn quic_api_on_tls_objects_answers_as_openssl_3_5() {
    let stage = Stage::new("quic35");
    let exe = build_c(&stage, "quic35");
    same_on_both(&stage, &exe, &[]);
}
