//! SSL_CTX_set_verify(3), SSL_CTX_load_verify_locations(3), SSL_CTX_set_default_verify_paths(3),
//! SSL_CTX_get_cert_store(3), SSL_get_verify_result(3), SSL_get1_peer_certificate(3),
//! SSL_get_peer_cert_chain(3), SSL_get0_verified_chain(3): trust, and what verifying the peer
//! found. Verification itself is libcrypto's `X509_verify_cert`, as in OpenSSL.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_long, c_void, CString};
use std::ptr;

use super::args;
use super::context::{ctx_target, ssl_target, Target};
use super::handle;
use super::types::*;
use crate::core::error::{Error, Result};
use crate::libcrypto::{self, Store, VerifyCb};

fn set_verify(t: Result<Target>, mode: c_int, cb: SSL_verify_cb) -> Result<()> {
    t?.update(|s| {
        s.verify_mode = mode;
        // SAFETY: the program registers cb as its verify callback, as with OpenSSL.
        s.verify_cb = cb.map(|f| unsafe {
            VerifyCb::new(std::mem::transmute::<
                unsafe extern "C" fn(c_int, *mut X509_STORE_CTX) -> c_int,
                libcrypto::ffi::verify_cb,
            >(f))
        });
        Ok(())
    })
}

/// `SSL_CTX_set_verify`: `SSL_VERIFY_NONE` (verify, record, continue) or `SSL_VERIFY_PEER`
/// (fail the handshake on a bad chain); `callback` may override each verdict.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_verify(ctx: *mut SSL_CTX, mode: c_int, callback: SSL_verify_cb) {
    set_verify(ctx_target(ctx), mode, callback)
}

/// `SSL_set_verify`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_verify(s: *mut SSL, mode: c_int, callback: SSL_verify_cb) {
    set_verify(ssl_target(s), mode, callback)
}

fn verify_cb(t: Result<Target>) -> Result<SSL_verify_cb> {
    // SAFETY: the pointer came from an SSL_verify_cb.
    Ok(t?.read(|s| {
        s.verify_cb
            .map(|c| unsafe { std::mem::transmute::<libcrypto::ffi::verify_cb, _>(c.raw()) })
    }))
}

/// `SSL_CTX_get_verify_mode`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_verify_mode(ctx: *const SSL_CTX) -> c_int {
    Ok(ctx_target(ctx)?.read(|s| s.verify_mode))
}

/// `SSL_get_verify_mode`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_verify_mode(s: *const SSL) -> c_int {
    Ok(ssl_target(s)?.read(|s| s.verify_mode))
}

/// `SSL_CTX_get_verify_callback`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_verify_callback(ctx: *const SSL_CTX) -> SSL_verify_cb {
    verify_cb(ctx_target(ctx))
}

/// `SSL_get_verify_callback`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_verify_callback(s: *const SSL) -> SSL_verify_cb {
    verify_cb(ssl_target(s))
}

/// `SSL_CTX_set_verify_depth`: the maximum chain depth (in the context's verify parameters).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_verify_depth(ctx: *mut SSL_CTX, depth: c_int) {
    handle::ctx(ctx)?.param.set_depth(depth);
    Ok(())
}

/// `SSL_set_verify_depth`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_verify_depth(s: *mut SSL, depth: c_int) {
    handle::ssl(s)?.param.set_depth(depth);
    Ok(())
}

/// `SSL_CTX_get_verify_depth`: -1 when unset.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_verify_depth(ctx: *const SSL_CTX) -> c_int {
    Ok(handle::ctx(ctx)?.param.depth())
}

/// `SSL_get_verify_depth`.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_get_verify_depth(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.param.depth())
}

/// `SSL_CTX_get0_param`: the context's verification parameters, copied into each new `SSL`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get0_param(ctx: *mut SSL_CTX) -> *mut X509_VERIFY_PARAM {
    Ok(handle::ctx(ctx)?.param.as_ptr().cast())
}

/// `SSL_CTX_set1_param`: copies `vpm` into the context's parameters.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_param(
    ctx: *mut SSL_CTX,
    vpm: *mut X509_VERIFY_PARAM,
) -> c_int {
    let ctx = handle::ctx(ctx)?;
    if vpm.is_null() {
        return Err(Error::NullArgument("X509_VERIFY_PARAM"));
    }
    // The copy may carry a purpose or trust, which libcrypto cannot tell us.
    crate::core::fast_verify::params_opaque();
    // SAFETY: both live.
    Ok(unsafe { libcrypto::ffi::X509_VERIFY_PARAM_set1(ctx.param.as_ptr(), vpm.cast()) })
}

fn load(
    ctx: *mut SSL_CTX,
    file: Option<*const c_char>,
    dir: Option<*const c_char>,
) -> Result<c_int> {
    let ctx = handle::ctx(ctx)?;
    let store = ctx.store();
    let file = file.filter(|p| !p.is_null());
    let dir = dir.filter(|p| !p.is_null());
    if file.is_none() && dir.is_none() {
        // OpenSSL returns 0 and queues nothing.
        return Err(Error::Queued);
    }
    if let Some(f) = file {
        // SAFETY: a C string argument.
        let f = unsafe { args::cstr(f, "CAfile") }?;
        if !store.load_file(f) {
            // libcrypto queued why (no such file, no certificates, bad PEM).
            return Ok(0);
        }
    }
    if let Some(d) = dir {
        // SAFETY: a C string argument.
        let d = unsafe { args::cstr(d, "CApath") }?;
        if !store.load_path(d) {
            return Ok(0);
        }
    }
    Ok(1)
}

/// `SSL_CTX_load_verify_locations`: trust the certificates of a PEM file and/or a hashed
/// directory. 1 on success; 0 with libcrypto's errors queued when a location cannot be used.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_locations(
    ctx: *mut SSL_CTX,
    ca_file: *const c_char,
    ca_path: *const c_char,
) -> c_int {
    load(ctx, Some(ca_file), Some(ca_path))
}

/// `SSL_CTX_load_verify_file`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_file(
    ctx: *mut SSL_CTX,
    ca_file: *const c_char,
) -> c_int {
    load(ctx, Some(ca_file), None)
}

/// `SSL_CTX_load_verify_dir`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_dir(
    ctx: *mut SSL_CTX,
    ca_path: *const c_char,
) -> c_int {
    load(ctx, None, Some(ca_path))
}

/// The system's trust locations, as openssl-probe finds them (`SSL_CERT_FILE` and
/// `SSL_CERT_DIR` first, then the distribution's bundle and directory).
fn system_paths() -> (Option<CString>, Option<CString>) {
    let p = openssl_probe::probe();
    let c = |p: Option<std::path::PathBuf>| {
        p.and_then(|p| CString::new(p.into_os_string().into_encoded_bytes()).ok())
    };
    (c(p.cert_file), c(p.cert_dir))
}

fn default_paths(ctx: *mut SSL_CTX, want_file: bool, want_dir: bool) -> Result<c_int> {
    let ctx = handle::ctx(ctx)?;
    let store = ctx.store();
    let (file, dir) = system_paths();
    // As OpenSSL: a missing default location is not an error.
    if want_file {
        if let Some(f) = file {
            store.load_file(&f);
        }
    }
    if want_dir {
        if let Some(d) = dir {
            store.load_path(&d);
        }
    }
    // SAFETY: no arguments; loading a missing default location queues errors OpenSSL clears.
    unsafe { libcrypto::ffi::ERR_clear_error() };
    Ok(1)
}

/// `SSL_CTX_set_default_verify_paths`: trust the system's CA certificates.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_default_verify_paths(ctx: *mut SSL_CTX) -> c_int {
    default_paths(ctx, true, true)
}

/// `SSL_CTX_set_default_verify_file`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_default_verify_file(ctx: *mut SSL_CTX) -> c_int {
    default_paths(ctx, true, false)
}

/// `SSL_CTX_set_default_verify_dir`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_default_verify_dir(ctx: *mut SSL_CTX) -> c_int {
    default_paths(ctx, false, true)
}

/// `SSL_CTX_set_default_verify_store`: trust the certificates of libcrypto's default
/// OSSL_STORE URI (`X509_get_default_cert_uri`, as `SSL_CERT_URI` overrides it), looked up at
/// verification time. 1, also when that store does not exist (as OpenSSL); 0 only when the
/// lookup cannot be added.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_default_verify_store(ctx: *mut SSL_CTX) -> c_int {
    Ok(handle::ctx(ctx)?.store().add_default_store() as c_int)
}

/// `SSL_CTX_load_verify_store`: trust the certificates found at an OSSL_STORE URI. 1 on
/// success; 0 with libcrypto's errors queued when the URI cannot be loaded.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_store(
    ctx: *mut SSL_CTX,
    ca_store: *const c_char,
) -> c_int {
    let ctx = handle::ctx(ctx)?;
    // SAFETY: a C string argument.
    let uri = unsafe { args::cstr(ca_store, "CAstore") }?;
    Ok(ctx.store().load_store(uri) as c_int)
}

/// `SSL_CTX_get_cert_store`: the trust store (owned by the context; the program may add to it).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_cert_store(ctx: *const SSL_CTX) -> *mut X509_STORE {
    Ok(handle::ctx(ctx)?.store().as_ptr().cast())
}

/// `SSL_CTX_set_cert_store`: replaces the trust store, taking ownership of `store`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cert_store(ctx: *mut SSL_CTX, store: *mut X509_STORE) {
    let ctx = handle::ctx(ctx)?;
    // SAFETY: ownership of one reference is handed over.
    let s = unsafe { Store::from_raw(store.cast()) }.ok_or(Error::NullArgument("X509_STORE"))?;
    ctx.set_store(s);
    Ok(())
}

/// `SSL_CTX_set1_cert_store`: replaces the trust store, taking a new reference.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_cert_store(ctx: *mut SSL_CTX, store: *mut X509_STORE) {
    let ctx = handle::ctx(ctx)?;
    // SAFETY: a live store the caller keeps.
    let s =
        unsafe { Store::from_borrowed(store.cast()) }.ok_or(Error::NullArgument("X509_STORE"))?;
    ctx.set_store(s);
    Ok(())
}

/// `SSL_get_verify_result`: the `X509_V_*` result of verifying the peer (`X509_V_OK` before).
#[export(fail = 1)]
#[no_mangle]
pub extern "C" fn SSL_get_verify_result(s: *const SSL) -> c_long {
    Ok(handle::ssl(s)?.verify_result())
}

/// `SSL_set_verify_result`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_verify_result(s: *mut SSL, v: c_long) {
    handle::ssl(s)?.set_verify_result(v);
    Ok(())
}

fn peer_leaf(s: *const SSL) -> Result<Option<libcrypto::X509Cert>> {
    let conn = handle::ssl(s)?;
    Ok(conn
        .handshake_info()
        .and_then(|h| h.peer_chain.leaf().cloned()))
}

/// `SSL_get1_peer_certificate`: the peer's certificate with a new reference, or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get1_peer_certificate(s: *const SSL) -> *mut X509 {
    Ok(peer_leaf(s)?.map_or(ptr::null_mut(), |c| c.to_raw_ref().cast()))
}

/// `SSL_get0_peer_certificate`: the peer's certificate (no new reference), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_peer_certificate(s: *const SSL) -> *mut X509 {
    let conn = handle::ssl(s)?;
    // The HandshakeInfo, and so the certificate, lives until the next handshake.
    Ok(conn
        .handshake_info()
        .and_then(|h| h.peer_chain.leaf().map(|c| c.as_ptr().cast()))
        .unwrap_or(ptr::null_mut()))
}

/// `SSL_get_peer_cert_chain`: the chain the peer sent (a client sees the leaf first); owned by
/// the connection.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_peer_cert_chain(s: *const SSL) -> *mut stack_st_X509 {
    let conn = handle::ssl(s)?;
    if let Some(h) = conn.handshake_info() {
        return Ok(h
            .peer_stack()
            .map_or(ptr::null_mut(), |k| k.as_ptr().cast()));
    }
    // A client before its handshake completed (or after it failed): what the server sent, as
    // OpenSSL's client keeps it from the Certificate message on (a server keeps nothing).
    if conn.is_server() {
        return Ok(ptr::null_mut());
    }
    Ok(conn.with_verify(|v| {
        v.peer_chain
            .as_ref()
            .and_then(|c| c.stack(false))
            .map_or(ptr::null_mut(), |k| k.as_ptr().cast())
    }))
}

/// `SSL_get0_verified_chain`: the chain verification built up to a trust anchor, or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_verified_chain(s: *const SSL) -> *mut stack_st_X509 {
    let conn = handle::ssl(s)?;
    Ok(conn.with_verify(|v| {
        v.verified
            .as_ref()
            .and_then(|c| c.stack())
            .map_or(ptr::null_mut(), |k| k.as_ptr().cast())
    }))
}

/// `SSL_get_ex_data_X509_STORE_CTX_idx`: where a verify callback finds the `SSL*` in its
/// `X509_STORE_CTX`.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_get_ex_data_X509_STORE_CTX_idx() -> c_int {
    Ok(libcrypto::store_ctx_ssl_index())
}

fn set_purpose(p: *mut libcrypto::ffi::X509_VERIFY_PARAM, purpose: c_int) -> c_int {
    crate::core::fast_verify::params_opaque();
    // SAFETY: a live parameter set; libcrypto checks the value (and queues why it is invalid).
    unsafe { libcrypto::ffi::X509_VERIFY_PARAM_set_purpose(p, purpose) }
}

fn set_trust(p: *mut libcrypto::ffi::X509_VERIFY_PARAM, trust: c_int) -> c_int {
    crate::core::fast_verify::params_opaque();
    // SAFETY: as set_purpose.
    unsafe { libcrypto::ffi::X509_VERIFY_PARAM_set_trust(p, trust) }
}

/// `SSL_CTX_set_purpose`: the `X509_PURPOSE_*` the peer's certificate is verified for.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_purpose(ctx: *mut SSL_CTX, purpose: c_int) -> c_int {
    Ok(set_purpose(handle::ctx(ctx)?.param.as_ptr(), purpose))
}

/// `SSL_set_purpose`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_purpose(s: *mut SSL, purpose: c_int) -> c_int {
    Ok(set_purpose(handle::ssl(s)?.param.as_ptr(), purpose))
}

/// `SSL_CTX_set_trust`: the `X509_TRUST_*` setting for verifying the peer's certificate.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_trust(ctx: *mut SSL_CTX, trust: c_int) -> c_int {
    Ok(set_trust(handle::ctx(ctx)?.param.as_ptr(), trust))
}

/// `SSL_set_trust`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_trust(s: *mut SSL, trust: c_int) -> c_int {
    Ok(set_trust(handle::ssl(s)?.param.as_ptr(), trust))
}

/// `SSL_CTX_set_cert_verify_callback`: `cb(store_ctx, arg)` replaces `X509_verify_cert` when the
/// peer's chain is verified (the store context is set up as for `X509_verify_cert`, with the
/// `SSL*` at `SSL_get_ex_data_X509_STORE_CTX_idx`); NULL restores `X509_verify_cert`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_cert_verify_callback(
    ctx: *mut SSL_CTX,
    cb: Option<unsafe extern "C" fn(*mut X509_STORE_CTX, *mut c_void) -> c_int>,
    arg: *mut c_void,
) {
    let ctx = handle::ctx(ctx)?;
    // SAFETY: the program registers cb, with arg, as its verification function, as with
    // OpenSSL; the two X509_STORE_CTX types are the same C type.
    let app = cb.map(|f| unsafe {
        libcrypto::AppVerifyCb::new(
            std::mem::transmute::<
                unsafe extern "C" fn(*mut X509_STORE_CTX, *mut c_void) -> c_int,
                unsafe extern "C" fn(*mut libcrypto::ffi::X509_STORE_CTX, *mut c_void) -> c_int,
            >(f),
            arg as usize,
        )
    });
    ctx.set_callbacks(|c| c.cert_verify = app);
    Ok(())
}
