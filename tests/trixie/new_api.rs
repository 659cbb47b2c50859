//! The 86 functions of OpenSSL 3.2–3.5, differentially: `tests/c/new_api35.c` calls each on
//! TLS objects (fresh client and server, on a socket, after real in-memory TLS 1.3 and 1.2
//! handshakes, a TLS `SSL_CTX`, NULL) and prints one line per call (return value,
//! out-parameters, the first queued error and how many); built against OpenSSL 3.5's headers,
//! it runs inside the Debian 13 root on stock OpenSSL 3.5.9 and on ferrossl, which must print
//! the same lines. Lines starting with `~` are not compared: OpenSSL's free-text error data,
//! the peer's ClientHello extension order, calls on which stock OpenSSL crashes, and answers
//! that depend on which compression libraries a build has.

use common::trixie::{build_c, same_on_both, Stage};

use crate::common;

#[test]
fn new_functions_answer_as_openssl_3_5() {
    let stage = Stage::new("new-api");
    let exe = build_c(&stage, "new_api35");
    same_on_both(&stage, &exe, &[]);
}
