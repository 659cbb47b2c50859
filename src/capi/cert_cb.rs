//! SSL_CTX_set_cert_cb(3): the callback a server runs when it picks its certificate.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use super::handle;
use super::types::*;
use crate::core::callbacks::{Hook, StatusFn};

fn hook(
    cb: Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> Option<Hook<StatusFn>> {
    let arg = arg as usize;
    cb.map(|f| Hook {
        raw: f as usize,
        call: Arc::new(move |ssl: usize| {
            // SAFETY: the program registered f as its certificate callback.
            unsafe { f(handle::id_ptr(ssl), arg as *mut c_void) }
        }) as Arc<StatusFn>,
    })
}

/// `SSL_CTX_set_cert_cb`: called when a server picks its certificate (after the servername
/// callback), so it can set one for the connection with `SSL_use_certificate` and
/// `SSL_use_PrivateKey`; returning 0 fails the handshake.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_cert_cb(
    ctx: *mut SSL_CTX,
    cb: Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>,
    arg: *mut c_void,
) {
    let hook = hook(cb, arg);
    handle::ctx(ctx)?.set_callbacks(|c| c.cert = hook);
    Ok(())
}

/// `SSL_set_cert_cb`: this connection's own certificate callback, used instead of the
/// context's (NULL: none); `SSL_set_SSL_CTX` brings back the new context's, as OpenSSL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_cert_cb(
    s: *mut SSL,
    cb: Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>,
    arg: *mut c_void,
) {
    let hook = hook(cb, arg);
    handle::ssl(s)?.set_cert_cb(hook);
    Ok(())
}
