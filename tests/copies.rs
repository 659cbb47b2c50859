//! Differential test of what a connection or session holds of its own and the functions that
//! copy them (`tests/c/copies.c`, run on OpenSSL's libssl and on ferrossl's): `SSL_dup` before
//! and after a handshake, `SSL_SESSION_dup`, the ticket application data, `SSL_CTX_set_ssl_version`,
//! `SSL_set_ssl_method`, `SSL_add_client_CA`, and `SSL_set_cert_cb` choosing a server's
//! certificate in a real (in-memory) handshake.

mod common;

use common::cprog::{build_c, same_on_both};
use common::{path_str, pki, KeyAlg};

#[test]
fn copies_and_own_settings_match_openssl() {
    let exe = build_c("copies");
    let server = pki().server(KeyAlg::Rsa2048);
    same_on_both(
        &exe,
        &[
            path_str(&server.chain),
            path_str(&server.key),
            path_str(&pki().root_ca()),
        ],
    );
}
