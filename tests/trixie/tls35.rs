//! Differential test of OpenSSL 3.2-3.5's newer functions on TLS objects (`tests/c/tls35.c`,
//! built against OpenSSL 3.5's headers and run in the Debian 13 root on its libssl 3.5 and on
//! ferrossl's): the group name, `SSL_shutdown_ex`, `SSL_write_ex2`, the QUIC-only values and
//! blocking mode, session times, `SSL_CTX_flush_sessions_ex`, block padding, the built-in
//! signature algorithms, the object kinds, the handshake's round trip time,
//! `d2i_SSL_SESSION_ex` and the ClientHello's extension order, before and after real in-memory
//! TLS 1.3 and TLS 1.2 handshakes.

use common::trixie::{build_c, same_on_both, Stage};
use common::{pki, KeyAlg};

use crate::common;

#[test]
fn tls35_functions_match_openssl_35() {
    let stage = Stage::new("tls35");
    let exe = build_c(&stage, "tls35");
    let server = pki().server(KeyAlg::Rsa2048);
    let chain = stage.copy_in(&server.chain);
    let key = stage.copy_in(&server.key);
    let ca = stage.copy_in(&pki().root_ca());
    same_on_both(&stage, &exe, &[&chain, &key, &ca]);
}
