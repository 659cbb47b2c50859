//! The `SSL_ctrl`/`SSL_CTX_ctrl` commands OpenSSL 3.5 added (behind the macros
//! `SSL_get0_iana_groups`, `SSL_CTX_get0_implemented_groups`, `SSL_get0_signature_name` and
//! `SSL_get0_peer_signature_name`), answered as 3.5 answers them.

use std::ffi::{c_char, c_int, c_long, c_void, CStr};

use rustls::SignatureScheme;

use super::args;
use crate::core::connection::Connection;
use crate::core::context::{Context, Role};
use crate::core::groups;
use crate::libcrypto;

pub(super) const GET_IANA_GROUPS: c_int = 135;
pub(super) const GET0_IMPLEMENTED_GROUPS: c_int = 139;
pub(super) const GET_SIGNATURE_NAME: c_int = 140;
pub(super) const GET_PEER_SIGNATURE_NAME: c_int = 141;

/// `SSL_get0_iana_groups`: the number of groups in the peer's supported_groups, and (when
/// `out` is not NULL) a pointer to them, in host order, owned by the connection until the next
/// handshake. A server knows the ClientHello's; differs from OpenSSL: a client does not learn a
/// TLS 1.3 server's list (rustls does not expose its EncryptedExtensions), so answers 0.
///
/// # Safety
/// `out` must be NULL or a writable `uint16_t **`.
pub unsafe fn iana_groups(conn: &Connection, out: *mut *const u16) -> c_long {
    let hello = match conn.role() {
        Some(Role::Server) => conn.client_hello(),
        _ => None,
    };
    let (p, n) = match &hello {
        // The ClientHello stays with the connection after this Arc is dropped.
        Some(h) if !h.iana_groups.is_empty() => (h.iana_groups.as_ptr(), h.iana_groups.len()),
        _ => (std::ptr::null(), 0),
    };
    if !out.is_null() {
        // SAFETY: out-parameter, per the contract.
        unsafe { args::out(out, p) };
    }
    n as c_long
}

/// `SSL_CTX_get0_implemented_groups`: pushes onto the caller's `STACK_OF(OPENSSL_CSTRING)` the
/// names of the groups ferrossl can negotiate within the context's protocol bounds, by group
/// id, each followed by its alias when `all` is not 0; 1, or 0 for a NULL stack. Differs from
/// OpenSSL: the groups rustls lacks (which ferrossl accepts in lists and never offers) are not
/// listed.
///
/// # Safety
/// `parg` must be NULL or a live `STACK_OF(OPENSSL_CSTRING)`.
pub unsafe fn implemented_groups(ctx: &Context, all: c_long, parg: *mut c_void) -> c_long {
    if parg.is_null() {
        return 0;
    }
    let (min, max) = {
        let s = ctx.settings();
        (s.min_version, s.max_version)
    };
    let names = groups::implemented(min, max, all != 0);
    // SAFETY: a live stack, per the contract.
    c_long::from(unsafe { libcrypto::push_cstrings(parg.cast(), &names) })
}

/// OpenSSL's name of a signature scheme (its IANA name).
fn scheme_name(s: SignatureScheme) -> Option<&'static CStr> {
    use SignatureScheme as S;
    Some(match s {
        S::ECDSA_NISTP256_SHA256 => c"ecdsa_secp256r1_sha256",
        S::ECDSA_NISTP384_SHA384 => c"ecdsa_secp384r1_sha384",
        S::ECDSA_NISTP521_SHA512 => c"ecdsa_secp521r1_sha512",
        S::ECDSA_SHA1_Legacy => c"ecdsa_sha1",
        S::RSA_PSS_SHA256 => c"rsa_pss_rsae_sha256",
        S::RSA_PSS_SHA384 => c"rsa_pss_rsae_sha384",
        S::RSA_PSS_SHA512 => c"rsa_pss_rsae_sha512",
        S::RSA_PKCS1_SHA256 => c"rsa_pkcs1_sha256",
        S::RSA_PKCS1_SHA384 => c"rsa_pkcs1_sha384",
        S::RSA_PKCS1_SHA512 => c"rsa_pkcs1_sha512",
        S::RSA_PKCS1_SHA1 => c"rsa_pkcs1_sha1",
        S::ED25519 => c"ed25519",
        S::ED448 => c"ed448",
        _ => return None,
    })
}

/// `SSL_get0_signature_name` (`peer` false) and `SSL_get0_peer_signature_name`: the name of the
/// signature scheme this side (the peer) signed the handshake with; 1, or 0 when there was no
/// such signature (before the handshake, on resumption, a client without certificate) or `out`
/// is NULL.
///
/// # Safety
/// `out` must be NULL or a writable `const char **`.
pub unsafe fn signature_name(conn: &Connection, peer: bool, out: *mut *const c_char) -> c_long {
    let scheme = if peer {
        conn.peer_signature()
    } else {
        conn.own_signature()
    };
    let Some(name) = scheme.and_then(scheme_name) else {
        return 0;
    };
    if out.is_null() {
        return 0;
    }
    // SAFETY: out-parameter, per the contract.
    unsafe { args::out(out, name.as_ptr()) };
    1
}
