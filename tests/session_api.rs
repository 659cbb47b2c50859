//! Differential test of the session functions: `tests/c/session_api.c` runs on OpenSSL's
//! libssl and on ferrossl's, and both runs must print the same lines (lines starting with `~`
//! are not compared: they carry random IDs, secrets and times, or what rustls keeps to itself).
//!
//! It covers `SSL_SESSION_set1_id`/`_id_context` and their length limits, `SSL_SESSION_print`
//! (of a session made by hand and of TLS 1.2 and 1.3 sessions from in-memory handshakes),
//! `SSL_SESSION_print_fp`/`_keylog`, the PEM functions, `SSL_CTX_add_session`,
//! `SSL_CTX_flush_sessions`, `SSL_CTX_remove_session` with the remove-session callback,
//! `SSL_set_session_id_context` and `SSL_copy_session_id`.

mod common;

use common::cprog::{build_c, same_on_both};
use common::*;

#[test]
fn session_functions_match_openssl() {
    let exe = build_c("session_api");
    let server = pki().server(KeyAlg::Rsa2048);
    let args = [
        path_str(&server.chain),
        path_str(&server.key),
        path_str(&pki().root_ca()),
    ];
    same_on_both(&exe, &args);
}
