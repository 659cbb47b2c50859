//! SSL_CTX_set_keylog_callback(3), SSL_CTX_set_info_callback(3), SSL_CTX_set_msg_callback(3),
//! SSL_CTX_set_client_cert_cb(3): the program's context-wide callbacks.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_int, c_void};
use std::ptr;
use std::sync::Arc;

use super::connection::info_hook;
use super::handle;
use super::types::*;
use crate::core::callbacks::{ClientCertAnswer, Hook, KeylogFn};
use crate::libcrypto::{PKey, X509Cert};

type KeylogCb = unsafe extern "C" fn(*const SSL, *const std::ffi::c_char);
type InfoCb = unsafe extern "C" fn(*const SSL, c_int, c_int);
type ClientCertCb = unsafe extern "C" fn(*mut SSL, *mut *mut X509, *mut *mut EVP_PKEY) -> c_int;

/// `SSL_CTX_set_keylog_callback`: receives each secret as an NSS key log line (for
/// `SSLKEYLOGFILE`-style debugging).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_keylog_callback(ctx: *mut SSL_CTX, cb: SSL_CTX_keylog_cb_func) {
    let ctx = handle::ctx(ctx)?;
    let hook = cb.map(|f: KeylogCb| Hook {
        raw: f as usize,
        call: Arc::new(move |ssl: usize, line: &std::ffi::CStr| {
            // SAFETY: the program registered f as its keylog callback.
            unsafe { f(handle::id_ptr(ssl), line.as_ptr()) }
        }) as Arc<KeylogFn>,
    });
    ctx.set_callbacks(|c| c.keylog = hook);
    Ok(())
}

/// `SSL_CTX_get_keylog_callback`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_keylog_callback(ctx: *const SSL_CTX) -> SSL_CTX_keylog_cb_func {
    let raw = handle::ctx(ctx)?.callbacks().keylog.as_ref().map(|h| h.raw);
    // SAFETY: raw came from a KeylogCb.
    Ok(raw.map(|r| unsafe { std::mem::transmute::<usize, KeylogCb>(r) }))
}

/// `SSL_CTX_set_info_callback`: handshake start and end, alerts; for every connection without
/// its own.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_info_callback(
    ctx: *mut SSL_CTX,
    cb: Option<unsafe extern "C" fn(ssl: *const SSL, type_: c_int, val: c_int)>,
) {
    handle::ctx(ctx)?.set_callbacks(|c| c.info = cb.map(info_hook));
    Ok(())
}

/// `SSL_CTX_get_info_callback`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_info_callback(
    ctx: *mut SSL_CTX,
) -> Option<unsafe extern "C" fn(ssl: *const SSL, type_: c_int, val: c_int)> {
    let raw = handle::ctx(ctx)?.callbacks().info.as_ref().map(|h| h.raw);
    // SAFETY: raw came from an InfoCb.
    Ok(raw.map(|r| unsafe { std::mem::transmute::<usize, InfoCb>(r) }))
}

/// `SSL_CTX_set_msg_callback`: accepted and kept. Differs from OpenSSL: rustls does not expose
/// individual protocol messages, so the callback is not called.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_msg_callback(
    ctx: *mut SSL_CTX,
    cb: Option<
        unsafe extern "C" fn(
            write_p: c_int,
            version: c_int,
            content_type: c_int,
            buf: *const c_void,
            len: usize,
            ssl: *mut SSL,
            arg: *mut c_void,
        ),
    >,
) {
    let ctx = handle::ctx(ctx)?;
    let hook = cb.map(|f| Hook {
        raw: f as usize,
        call: Arc::new(|_: usize, _: bool, _: c_int, _: c_int, _: &[u8]| {})
            as Arc<crate::core::callbacks::MsgFn>,
    });
    ctx.set_callbacks(|c| c.msg = hook);
    Ok(())
}

/// `SSL_set_msg_callback`: as `SSL_CTX_set_msg_callback`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_msg_callback(
    ssl: *mut SSL,
    _cb: Option<
        unsafe extern "C" fn(
            write_p: c_int,
            version: c_int,
            content_type: c_int,
            buf: *const c_void,
            len: usize,
            ssl: *mut SSL,
            arg: *mut c_void,
        ),
    >,
) {
    handle::ssl(ssl)?;
    Ok(())
}

/// `SSL_CTX_set_client_cert_cb`: asked for a client certificate when the server requests one
/// and none is set; returning 1 with `*x509` and `*pkey` sends them (ferrossl frees them).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_client_cert_cb(
    ctx: *mut SSL_CTX,
    cb: Option<
        unsafe extern "C" fn(
            ssl: *mut SSL,
            x509: *mut *mut X509,
            pkey: *mut *mut EVP_PKEY,
        ) -> c_int,
    >,
) {
    let ctx = handle::ctx(ctx)?;
    let hook = cb.map(|f| Hook {
        raw: f as usize,
        call: Arc::new(move |ssl: usize| {
            let mut x: *mut X509 = ptr::null_mut();
            let mut k: *mut EVP_PKEY = ptr::null_mut();
            // SAFETY: the program registered f; on 1 it hands us a reference to each.
            let r = unsafe { f(handle::id_ptr(ssl), &mut x, &mut k) };
            // SAFETY: references the callback handed over (or NULL).
            let (x, k) = unsafe { (X509Cert::from_raw(x.cast()), PKey::from_raw(k.cast())) };
            match (r, x, k) {
                (1, Some(x), Some(k)) => ClientCertAnswer::Use(x, k),
                _ => ClientCertAnswer::NoCertificate,
            }
        }) as Arc<crate::core::callbacks::ClientCertFn>,
    });
    ctx.set_callbacks(|c| c.client_cert = hook);
    Ok(())
}

/// `SSL_CTX_get_client_cert_cb`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_client_cert_cb(
    ctx: *mut SSL_CTX,
) -> Option<
    unsafe extern "C" fn(ssl: *mut SSL, x509: *mut *mut X509, pkey: *mut *mut EVP_PKEY) -> c_int,
> {
    let raw = handle::ctx(ctx)?
        .callbacks()
        .client_cert
        .as_ref()
        .map(|h| h.raw);
    // SAFETY: raw came from a ClientCertCb.
    Ok(raw.map(|r| unsafe { std::mem::transmute::<usize, ClientCertCb>(r) }))
}
