//! SSL_CTX_set_client_hello_cb(3) and the `SSL_client_hello_*` functions: the ClientHello as
//! the client sent it, for the callback that runs before the server chooses anything (haproxy
//! and lighttpd pick their certificate and context there). Also `SSL_get_client_ciphers`.
//!
//! As in OpenSSL, the `SSL_client_hello_*` getters answer only during the handshake (0
//! otherwise); the pointers they return stay valid until `SSL_clear` or `SSL_free`.

#![allow(non_snake_case)]

use std::ffi::{c_int, c_uchar, c_uint, c_void};
use std::ptr;
use std::sync::Arc;

use ferrossl_macros::export;

use super::args;
use super::handle;
use super::types::*;
use crate::core::callbacks::{ClientHelloFn, Hook};
use crate::core::cipher::Cipher;
use crate::core::client_hello::ClientHello;
use crate::core::connection::Connection;
use crate::core::error::{Error, Result};

/// `SSL_CTX_set_client_hello_cb`: called with the ClientHello before the servername callback;
/// it returns `SSL_CLIENT_HELLO_SUCCESS` (1) or fails the handshake with the alert it sets
/// in `*al`. Differs from OpenSSL: `SSL_CLIENT_HELLO_RETRY` (suspending the handshake) fails
/// it with internal_error.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_client_hello_cb(
    ctx: *mut SSL_CTX,
    cb: SSL_client_hello_cb_fn,
    arg: *mut c_void,
) {
    let ctx = handle::ctx(ctx)?;
    let arg = arg as usize;
    let hook = cb.map(|f| Hook {
        raw: f as usize,
        call: Arc::new(move |ssl: usize| {
            let mut al: c_int = 80; // internal_error, OpenSSL's default
                                    // SAFETY: the program registered f as its client hello callback.
            let r = unsafe { f(handle::id_ptr(ssl), &mut al, arg as *mut c_void) };
            (r, al)
        }) as Arc<ClientHelloFn>,
    });
    ctx.set_callbacks(|c| c.client_hello = hook);
    Ok(())
}

/// The ClientHello of a server connection in its handshake.
fn hello(s: *mut SSL) -> Result<Option<Arc<ClientHello>>> {
    let conn: Arc<Connection> = handle::ssl(s)?;
    if conn.is_init_finished() {
        return Ok(None);
    }
    Ok(conn.client_hello())
}

/// Writes `*out` to point at `bytes`, part of the ClientHello the connection holds until
/// `SSL_clear`/`SSL_free`, and returns their length.
///
/// # Safety
/// `out` must be NULL or writable.
unsafe fn point(out: *mut *const c_uchar, bytes: &[u8]) -> usize {
    // SAFETY: per the contract.
    unsafe { args::out(out, bytes.as_ptr()) };
    bytes.len()
}

/// `SSL_client_hello_isv2`: 0 (rustls accepts no SSLv2-format ClientHello).
#[export]
#[no_mangle]
pub extern "C" fn SSL_client_hello_isv2(s: *mut SSL) -> c_int {
    hello(s)?;
    Ok(0)
}

/// `SSL_client_hello_get0_legacy_version`: the ClientHello's `legacy_version`; 0 outside the
/// handshake.
#[export]
#[no_mangle]
pub extern "C" fn SSL_client_hello_get0_legacy_version(s: *mut SSL) -> c_uint {
    Ok(hello(s)?.map_or(0, |h| c_uint::from(h.legacy_version)))
}

/// `SSL_client_hello_get0_random`: the 32 random bytes; 0 outside the handshake.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_random(
    s: *mut SSL,
    out: *mut *const c_uchar,
) -> usize {
    let Some(h) = hello(s)? else { return Ok(0) };
    // SAFETY: out-parameter.
    Ok(unsafe { point(out, &h.random) })
}

/// `SSL_client_hello_get0_session_id`: the legacy session id (possibly empty).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_session_id(
    s: *mut SSL,
    out: *mut *const c_uchar,
) -> usize {
    let Some(h) = hello(s)? else { return Ok(0) };
    // SAFETY: out-parameter.
    Ok(unsafe { point(out, &h.session_id) })
}

/// `SSL_client_hello_get0_ciphers`: the cipher suites, two bytes each, as sent.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_ciphers(
    s: *mut SSL,
    out: *mut *const c_uchar,
) -> usize {
    let Some(h) = hello(s)? else { return Ok(0) };
    // SAFETY: out-parameter.
    Ok(unsafe { point(out, &h.ciphers) })
}

/// `SSL_client_hello_get0_compression_methods`: the compression methods, as sent.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_compression_methods(
    s: *mut SSL,
    out: *mut *const c_uchar,
) -> usize {
    let Some(h) = hello(s)? else { return Ok(0) };
    // SAFETY: out-parameter.
    Ok(unsafe { point(out, &h.compression_methods) })
}

/// `SSL_client_hello_get1_extensions_present`: the types of the extensions sent that OpenSSL
/// knows, in order, in an `OPENSSL_malloc`ed array the caller frees; 1 on success, 0 outside
/// the handshake or for a NULL argument (no error queued, as OpenSSL).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get1_extensions_present(
    s: *mut SSL,
    out: *mut *mut c_int,
    outlen: *mut usize,
) -> c_int {
    let Some(h) = hello(s)? else { return Ok(0) };
    if out.is_null() || outlen.is_null() {
        return Ok(0);
    }
    let types: Vec<u8> = known(&h)
        .flat_map(|(t, _)| c_int::from(*t).to_ne_bytes())
        .collect();
    let count = types.len() / std::mem::size_of::<c_int>();
    let p = if types.is_empty() {
        ptr::null_mut()
    } else {
        let p = crate::libcrypto::openssl_copy(&types);
        if p.is_null() {
            return Err(Error::Internal("out of memory".into()));
        }
        p.cast::<c_int>()
    };
    // SAFETY: out-parameters, checked non-NULL above.
    unsafe {
        args::out(out, p);
        args::out(outlen, count);
    }
    Ok(1)
}

/// `SSL_client_hello_get0_ext`: the body of extension `type_`; 1 when the client sent it (and
/// OpenSSL knows it: as OpenSSL, an unknown type is not found).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_ext(
    s: *mut SSL,
    type_: c_uint,
    out: *mut *const c_uchar,
    outlen: *mut usize,
) -> c_int {
    let Some(h) = hello(s)? else { return Ok(0) };
    let Some(body) = u16::try_from(type_)
        .ok()
        .filter(|t| KNOWN_EXTENSIONS_35.contains(t))
        .and_then(|t| h.extension(t))
    else {
        return Ok(0);
    };
    // SAFETY: out-parameters.
    unsafe {
        let n = point(out, body);
        args::out(outlen, n);
    }
    Ok(1)
}

/// `SSL_get_client_ciphers`: on a server, the suites the client offered that ferrossl knows,
/// in the client's order (valid until the next call); NULL before a ClientHello arrived or on
/// a client.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_client_ciphers(s: *const SSL) -> *mut stack_st_SSL_CIPHER {
    let conn = handle::ssl(s)?;
    let Some(h) = conn.client_hello() else {
        return Ok(ptr::null_mut());
    };
    let list: Vec<&'static Cipher> = h
        .suites()
        .filter_map(|v| Cipher::by_suite(rustls::CipherSuite::from(v)))
        .collect();
    let stack = crate::libcrypto::StaticStack::new(&list)
        .ok_or_else(|| Error::Internal("out of memory".into()))?;
    let p = stack.as_ptr().cast();
    *conn.cipher_stack.lock().unwrap_or_else(|e| e.into_inner()) = Some(stack);
    Ok(p)
}

/// `SSL_get0_raw_cipherlist` (`SSL_ctrl` 110): the cipher suites the client sent, as sent; with
/// a NULL `out`, the size of one entry (2), as OpenSSL.
///
/// # Safety
/// `out` must be NULL or writable.
pub unsafe fn raw_cipherlist(conn: &Connection, out: *mut *const c_uchar) -> std::ffi::c_long {
    if out.is_null() {
        return 2;
    }
    match conn.client_hello() {
        Some(h) => {
            // SAFETY: out-parameter; the bytes live as long as the connection's ClientHello.
            unsafe { args::out(out, h.ciphers.as_ptr()) };
            h.ciphers.len() as std::ffi::c_long
        }
        // As OpenSSL: nothing written when no ClientHello was received.
        None => 0,
    }
}

/// The extension types OpenSSL 3.5 itself knows in a ClientHello (its table of built-in
/// extensions, as Debian builds it): OpenSSL keeps only these (and custom ones, which cannot be
/// registered with ferrossl), so only these are reported by the `SSL_client_hello_*` functions.
const KNOWN_EXTENSIONS_35: [u16; 29] = [
    0xff01, 0, 1, 12, 11, 10, 35, 5, 13172, 16, 14, 22, 18, 23, 50, 49, 19, 20, 13, 43, 45, 51, 44,
    0xfde8, 27, 42, 47, 21, 41,
];

/// The extensions of a ClientHello that OpenSSL knows, in the client's order.
fn known(h: &ClientHello) -> impl Iterator<Item = &(u16, Vec<u8>)> {
    h.extensions
        .iter()
        .filter(|(t, _)| KNOWN_EXTENSIONS_35.contains(t))
}

/// `SSL_client_hello_get_extension_order`: in a client hello callback, the types of the
/// extensions OpenSSL knows that the ClientHello carried, in the client's order. With `exts`
/// NULL, `*num_exts` is set to their number; otherwise `*num_exts` (the room in `exts`) must
/// hold them all, and is set to their number. 1 on success, 0 outside the handshake, for a
/// NULL `num_exts` or too little room (no error queued, as OpenSSL).
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get_extension_order(
    s: *mut SSL,
    exts: *mut u16,
    num_exts: *mut usize,
) -> c_int {
    if s.is_null() {
        return Ok(0);
    }
    let Some(h) = hello(s)? else { return Ok(0) };
    if num_exts.is_null() {
        return Ok(0);
    }
    let order: Vec<u16> = known(&h).map(|(t, _)| *t).collect();
    // SAFETY: num_exts is non-NULL (checked above); exts has room for *num_exts entries.
    unsafe {
        if !exts.is_null() && !order.is_empty() {
            if *num_exts < order.len() {
                return Ok(0);
            }
            ptr::copy_nonoverlapping(order.as_ptr(), exts, order.len());
        }
        *num_exts = order.len();
    }
    Ok(1)
}
