//! The 86 functions of OpenSSL 3.2–3.5, differentially: `tests/c/new_api35.c` calls each on
//! TLS objects (fresh client and server, on a socket, after real in-memory TLS 1.3 and 1.2
//! handshakes, a TLS `SSL_CTX`, NULL) and prints one line per call (return value,
//! out-parameters, the first queued error and how many); built against OpenSSL 3.5's headers,
//! it runs inside the Debian 13 root on stock OpenSSL 3.5.9 and on ferrossl, which must print
//! the same lines. Lines starting with `~` are not compared: OpenSSL's free-text error data,
//! the peer's ClientHello extension order, calls on which stock OpenSSL crashes, and answers
//! that depend on which compression libraries a build has. [`KNOWN`] lists the differences
//! kept on purpose (README, "Known differences").

use common::trixie::{build_c, same_on_both_except, Stage};

use crate::common;

/// Lines (by prefix) where ferrossl answers otherwise on purpose, and why.
const KNOWN: &[(&str, &str)] = &[
    (
        "SSL_get0_group_name(TLSv1.3,P-521)",
        "rustls has no P-521, X448 or FFDHE key exchange: the handshake offering only it fails",
    ),
    ("SSL_get0_group_name(TLSv1.3,x448)", "as above"),
    ("SSL_get0_group_name(TLSv1.3,ffdhe2048)", "as above"),
    (
        "SSL_get0_group_name(TLSv1.2,P-521)",
        "as above; over TLS 1.2 the peers fall back to secp256r1",
    ),
    ("SSL_get0_group_name(TLSv1.2,x448)", "as above"),
    (
        "SSL_SESSION_get_time_ex(sess) after set -1",
        "OpenSSL stores the time as an unsigned count and answers 2^64/1e9 s for -1; ferrossl \
         answers the time_t it was given",
    ),
    (
        "d2i_SSL_SESSION_ex(",
        "bad DER: OpenSSL queues its ASN.1 decoder's errors, ferrossl SSL_R_BAD_DATA",
    ),
    (
        "SSL_CTX_set_block_padding_ex(ctx,",
        "rustls pads no records: a padding size above 1 is refused (as SSL_set_block_padding)",
    ),
    ("SSL_set_block_padding_ex(tls_client_done,", "as above"),
    (
        "SSL_get1_builtin_sigalgs(",
        "the signature schemes rustls can use, by OpenSSL's names and in its order: a subset of \
         OpenSSL's 26 (tls35 checks that it is an in-order subset)",
    ),
    (
        "SSL_dane_enable(",
        "DANE verification is refused (README); OpenSSL's raw public key client check uses it",
    ),
    (
        "SSL_add_expected_rpk(dane_client,",
        "as above: the expected raw keys are DANE records, and DANE is never enabled",
    ),
    (
        "SSL_write_ex2(tls_client_fresh no BIO",
        "a handshake started without a BIO: ferrossl queues bio not set, as OpenSSL 3.0; 3.5 \
         reports SSL_ERROR_SYSCALL without an error",
    ),
];

#[test]
fn new_functions_answer_as_openssl_3_5() {
    let stage = Stage::new("new-api");
    let exe = build_c(&stage, "new_api35");
    same_on_both_except(&stage, &exe, &[], KNOWN);
}
