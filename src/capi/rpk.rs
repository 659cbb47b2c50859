//! SSL_set1_server_cert_type(3), SSL_get0_peer_rpk(3): raw public keys (RFC 7250), OpenSSL 3.5.
//!
//! A list holds `TLSEXT_cert_type_x509` (0) and `TLSEXT_cert_type_rpk` (2) in preference order.
//! A server negotiates as OpenSSL (it reads the ClientHello before choosing its configuration).
//! Differs from OpenSSL: a client whose list has rpk offers rpk alone (rustls cannot offer
//! both), so a server without raw key support fails the handshake instead of falling back to
//! x509; and raw keys are TLS 1.3 only. A peer's raw key is verified as OpenSSL does without
//! DANE TLSA records (ferrossl has no DANE, so `SSL_add_expected_rpk` answers 0): libcrypto
//! finds it `X509_V_ERR_RPK_UNTRUSTED` and the verify callback (called with the key in the
//! `X509_STORE_CTX`) decides; with `SSL_VERIFY_PEER` and no callback the handshake fails.

#![allow(non_snake_case)]

use std::ffi::{c_int, c_uchar};
use std::ptr;

use ferrossl_macros::export;

use super::context::{ctx_target, ssl_target, Target};
use super::handle;
use super::types::*;
use crate::core::error::Result;
use crate::core::rpk;

/// Which of the two lists.
#[derive(Clone, Copy)]
enum Side {
    Client,
    Server,
}

/// # Safety
/// `val` must be NULL or readable for `len` bytes.
unsafe fn set_list(
    t: Result<Target>,
    side: Side,
    val: *const c_uchar,
    len: usize,
) -> Result<c_int> {
    let t = t?;
    let list = if val.is_null() {
        if len != 0 {
            return Ok(0);
        }
        None
    } else {
        // SAFETY: per the contract (a zero length gives an empty list, which is invalid).
        Some(unsafe { std::slice::from_raw_parts(val, len) }.to_vec())
    };
    if !rpk::valid_list(list.as_deref()) {
        return Ok(0);
    }
    t.update(|s| {
        match side {
            Side::Client => s.client_cert_type = list,
            Side::Server => s.server_cert_type = list,
        }
        Ok(1)
    })
}

/// # Safety
/// `out` and `len` must be NULL or writable.
unsafe fn get_list(
    t: Result<Target>,
    side: Side,
    out: *mut *mut c_uchar,
    len: *mut usize,
) -> Result<c_int> {
    let t = t?;
    if out.is_null() || len.is_null() {
        return Ok(0);
    }
    let (p, n) = t.read(|s| {
        let list = match side {
            Side::Client => &s.client_cert_type,
            Side::Server => &s.server_cert_type,
        };
        list.as_ref()
            .map_or((ptr::null_mut(), 0), |l| (l.as_ptr().cast_mut(), l.len()))
    });
    // SAFETY: both checked non-NULL; the caller's out-parameters.
    unsafe {
        out.write(p);
        len.write(n);
    }
    Ok(1)
}

/// `SSL_CTX_set1_client_cert_type`: the client certificate types, in preference order (a
/// copy). NULL and 0 unset the list. 1; 0 (nothing queued, the old list kept, as OpenSSL) for
/// an empty list, a repeated type or one other than x509 and rpk.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_client_cert_type(
    ctx: *mut SSL_CTX,
    val: *const c_uchar,
    len: usize,
) -> c_int {
    // SAFETY: the caller's len bytes.
    unsafe { set_list(ctx_target(ctx), Side::Client, val, len) }
}

/// `SSL_CTX_set1_server_cert_type`: as `SSL_CTX_set1_client_cert_type`, for the server's type.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_server_cert_type(
    ctx: *mut SSL_CTX,
    val: *const c_uchar,
    len: usize,
) -> c_int {
    // SAFETY: the caller's len bytes.
    unsafe { set_list(ctx_target(ctx), Side::Server, val, len) }
}

/// `SSL_set1_client_cert_type`: as `SSL_CTX_set1_client_cert_type`, for one connection.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_client_cert_type(
    ssl: *mut SSL,
    val: *const c_uchar,
    len: usize,
) -> c_int {
    if ssl.is_null() {
        return Ok(0); // as OpenSSL, without an error
    }
    // SAFETY: the caller's len bytes.
    unsafe { set_list(ssl_target(ssl), Side::Client, val, len) }
}

/// `SSL_set1_server_cert_type`: as `SSL_CTX_set1_server_cert_type`, for one connection.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_server_cert_type(
    ssl: *mut SSL,
    val: *const c_uchar,
    len: usize,
) -> c_int {
    if ssl.is_null() {
        return Ok(0); // as OpenSSL, without an error
    }
    // SAFETY: the caller's len bytes.
    unsafe { set_list(ssl_target(ssl), Side::Server, val, len) }
}

/// `SSL_CTX_get0_client_cert_type`: `*t` borrows the list (NULL when unset; valid until it is
/// set again), `*len` its length; 1. 0 when `t` or `len` is NULL.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_client_cert_type(
    ctx: *const SSL_CTX,
    t: *mut *mut c_uchar,
    len: *mut usize,
) -> c_int {
    // SAFETY: the caller's out-parameters.
    unsafe { get_list(ctx_target(ctx), Side::Client, t, len) }
}

/// `SSL_CTX_get0_server_cert_type`: as `SSL_CTX_get0_client_cert_type`, for the server's list.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_server_cert_type(
    ctx: *const SSL_CTX,
    t: *mut *mut c_uchar,
    len: *mut usize,
) -> c_int {
    // SAFETY: the caller's out-parameters.
    unsafe { get_list(ctx_target(ctx), Side::Server, t, len) }
}

/// `SSL_get0_client_cert_type`: as `SSL_CTX_get0_client_cert_type`, for one connection.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_client_cert_type(
    ssl: *const SSL,
    t: *mut *mut c_uchar,
    len: *mut usize,
) -> c_int {
    if ssl.is_null() {
        return Ok(0); // as OpenSSL, without an error
    }
    // SAFETY: the caller's out-parameters.
    unsafe { get_list(ssl_target(ssl), Side::Client, t, len) }
}

/// `SSL_get0_server_cert_type`: as `SSL_CTX_get0_server_cert_type`, for one connection.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_server_cert_type(
    ssl: *const SSL,
    t: *mut *mut c_uchar,
    len: *mut usize,
) -> c_int {
    if ssl.is_null() {
        return Ok(0); // as OpenSSL, without an error
    }
    // SAFETY: the caller's out-parameters.
    unsafe { get_list(ssl_target(ssl), Side::Server, t, len) }
}

/// `SSL_get_negotiated_client_cert_type`: `TLSEXT_cert_type_rpk` (2) when the handshake agreed
/// on a raw key for the client, else `TLSEXT_cert_type_x509` (0, also before a handshake).
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_negotiated_client_cert_type(ssl: *const SSL) -> c_int {
    if ssl.is_null() {
        return Ok(0); // TLSEXT_cert_type_x509, as OpenSSL for NULL (no error)
    }
    Ok(c_int::from(handle::ssl(ssl)?.cert_types().0))
}

/// `SSL_get_negotiated_server_cert_type`: as `SSL_get_negotiated_client_cert_type`, for the
/// server's certificate.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_negotiated_server_cert_type(ssl: *const SSL) -> c_int {
    if ssl.is_null() {
        return Ok(0); // TLSEXT_cert_type_x509, as OpenSSL for NULL (no error)
    }
    Ok(c_int::from(handle::ssl(ssl)?.cert_types().1))
}

/// `SSL_get0_peer_rpk`: the peer's raw public key (borrowed: owned by the connection or its
/// session, valid until it is freed or cleared); NULL when the peer sent a certificate or
/// nothing. A resumed connection reports its session's.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_peer_rpk(ssl: *const SSL) -> *mut EVP_PKEY {
    if ssl.is_null() {
        return Ok(ptr::null_mut()); // as OpenSSL, without an error
    }
    let conn = handle::ssl(ssl)?;
    if let Some(k) = conn.peer_rpk() {
        return Ok(k.as_ptr().cast());
    }
    let Some(sess) = conn.session() else {
        return Ok(ptr::null_mut());
    };
    let data = sess.data();
    Ok(data
        .peer_rpk
        .as_ref()
        .map_or(ptr::null_mut(), |k| k.as_ptr().cast()))
}

/// `SSL_SESSION_get0_peer_rpk`: the raw public key of the peer of the handshake that made the
/// session (borrowed from the session); NULL when there is none.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get0_peer_rpk(s: *mut SSL_SESSION) -> *mut EVP_PKEY {
    let sess = handle::session(s)?;
    let data = sess.data();
    Ok(data
        .peer_rpk
        .as_ref()
        .map_or(ptr::null_mut(), |k| k.as_ptr().cast()))
}
