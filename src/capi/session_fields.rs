//! SSL_SESSION_set1_master_key(3), SSL_SESSION_set1_hostname(3), SSL_SESSION_set_cipher(3),
//! SSL_SESSION_set_protocol_version(3), SSL_SESSION_set1_alpn_selected(3): a program's own
//! values for a session's fields. The getters report them; a session's rustls resumption
//! value (what resuming really uses) is not changed, and a session built by hand this way is
//! not resumable (`SSL_SESSION_is_resumable` 0: rustls cannot import secrets, so an external
//! PSK made from such a session is not offered).

#![allow(non_snake_case)]

use std::ffi::{c_char, c_int, c_uchar, CString};
use std::ptr;

use ferrossl_macros::export;

use super::args;
use super::handle;
use super::types::*;
use crate::core::cipher::{Cipher, CIPHERS};

/// The size of OpenSSL 3.0's master key field (`TLS13_MAX_RESUMPTION_PSK_LENGTH`).
const MAX_MASTER_KEY: usize = 512;

/// `SSL_SESSION_set1_master_key`: 1; 0 (nothing queued, as OpenSSL) for more than 512 bytes.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_master_key(
    sess: *mut SSL_SESSION,
    r#in: *const c_uchar,
    len: usize,
) -> c_int {
    let s = handle::session(sess)?;
    if len > MAX_MASTER_KEY {
        return Ok(0);
    }
    // SAFETY: the caller's len bytes.
    let key = unsafe { args::bytes(r#in, len, "in") }?.to_vec();
    s.update(|d| d.master_key = key);
    Ok(1)
}

/// `SSL_SESSION_set_cipher`: the cipher `SSL_SESSION_get0_cipher` reports; 1. A pointer that is
/// not one of this library's `SSL_CIPHER`s (or NULL) leaves none.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_set_cipher(s: *mut SSL_SESSION, cipher: *const SSL_CIPHER) -> c_int {
    let s = handle::session(s)?;
    let found: Option<&'static Cipher> = CIPHERS
        .iter()
        .find(|c| ptr::eq(*c as *const Cipher, cipher.cast()));
    s.update(|d| d.cipher = found);
    Ok(1)
}

/// `SSL_SESSION_set_protocol_version`: the version `SSL_SESSION_get_protocol_version`
/// reports; 1 (any value, as OpenSSL).
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_set_protocol_version(s: *mut SSL_SESSION, version: c_int) -> c_int {
    handle::session(s)?.update(|d| d.version = version);
    Ok(1)
}

/// `SSL_SESSION_set1_hostname`: the name `SSL_SESSION_get0_hostname` reports (NULL clears);
/// 1.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_hostname(
    s: *mut SSL_SESSION,
    hostname: *const c_char,
) -> c_int {
    let s = handle::session(s)?;
    let name = if hostname.is_null() {
        None
    } else {
        // SAFETY: the caller's NUL-terminated string.
        Some(CString::from(unsafe { args::cstr(hostname, "hostname") }?))
    };
    s.update(|d| d.hostname = name);
    Ok(1)
}

/// `SSL_SESSION_set1_alpn_selected`: the protocol `SSL_SESSION_get0_alpn_selected` reports
/// (NULL or 0 bytes clears); 1.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_alpn_selected(
    s: *mut SSL_SESSION,
    alpn: *const c_uchar,
    len: usize,
) -> c_int {
    let s = handle::session(s)?;
    let proto = if alpn.is_null() || len == 0 {
        Vec::new()
    } else {
        // SAFETY: the caller's len bytes.
        unsafe { args::bytes(alpn, len, "alpn") }?.to_vec()
    };
    s.update(|d| d.alpn = proto);
    Ok(1)
}
