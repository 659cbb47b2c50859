//! SSL_CTX_new(3), SSL_CTX_free(3), SSL_CTX_set_options(3), SSL_CTX_set_cipher_list(3),
//! SSL_CTX_set_alpn_protos(3), SSL_CTX_set_quiet_shutdown(3), SSL_CTX_set_ex_data(3),
//! SSL_CTX_set_default_passwd_cb(3), SSL_CTX_set_timeout(3): contexts, and the settings an `SSL`
//! shares with its `SSL_CTX` (each setter exists for both).

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_void};
use std::sync::Arc;

use super::args;
use super::handle;
use super::method;
use super::types::*;
use crate::core::cipher;
use crate::core::connection::Connection;
use crate::core::context::{Context, Settings};
use crate::core::error::{Error, Result};
use crate::core::registry::{self, Object};
use crate::libcrypto::PasswordCb;

/// An `SSL_CTX` or an `SSL`: the setters shared by both act on either's settings.
pub enum Target {
    Ctx(Arc<Context>),
    Ssl(Arc<Connection>),
}

impl Target {
    pub fn update<R>(&self, f: impl FnOnce(&mut Settings) -> Result<R>) -> Result<R> {
        match self {
            Target::Ctx(c) => c.update(f),
            Target::Ssl(s) => s.update(f),
        }
    }
    pub fn read<R>(&self, f: impl FnOnce(&Settings) -> R) -> R {
        match self {
            Target::Ctx(c) => f(&c.settings()),
            Target::Ssl(s) => f(&s.settings()),
        }
    }
}

pub fn ctx_target(p: *const SSL_CTX) -> Result<Target> {
    handle::ctx(p).map(Target::Ctx)
}

pub fn ssl_target(p: *const SSL) -> Result<Target> {
    handle::ssl(p).map(Target::Ssl)
}

/// `SSL_CTX_new`: a new context with OpenSSL 3.0's defaults and the system policy of the
/// configuration file (`ssl_conf`'s `system_default`, as OpenSSL 3); NULL on failure. TLS
/// 1.0/1.1-only methods are refused.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_new(meth: *const SSL_METHOD) -> *mut SSL_CTX {
    let m = method::resolve(meth)?;
    if !super::init::init_ssl(super::init::OPENSSL_INIT_LOAD_SSL_STRINGS, std::ptr::null()) {
        return Err(Error::Queued);
    }
    let ctx = Context::new(m)?;
    let p = handle::ptr(&*ctx);
    if !super::mcnf::system_default(p) {
        registry::release(&*ctx);
        return Err(Error::Exact {
            reason: crate::core::error::reason::ERROR_IN_SYSTEM_DEFAULT_CONFIG,
            data: None,
        });
    }
    Ok(p)
}

/// `SSL_CTX_new_ex`: as `SSL_CTX_new`; the library context and property query are ignored
/// (rustls's provider does the cryptography).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_new_ex(
    _libctx: *mut OSSL_LIB_CTX,
    _propq: *const c_char,
    meth: *const SSL_METHOD,
) -> *mut SSL_CTX {
    Ok(SSL_CTX_new(meth))
}

/// `SSL_CTX_up_ref`: 1 on success, 0 for an invalid handle.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_up_ref(ctx: *mut SSL_CTX) -> c_int {
    registry::up_ref(&*handle::ctx(ctx)?);
    Ok(1)
}

/// `SSL_CTX_free`: drops one reference; NULL is ignored. A freed or invalid handle is reported
/// on the error queue and otherwise ignored.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_free(ctx: *mut SSL_CTX) {
    if ctx.is_null() {
        return Ok(());
    }
    let ctx = handle::ctx(ctx)?;
    if ctx.refs().count() == 1 {
        // The last reference: OpenSSL flushes the cache first, telling the remove callback.
        super::session_cache::flush_all(&ctx);
    }
    registry::release(&*ctx);
    Ok(())
}

/// `SSL_CTX_get_ssl_method`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_ssl_method(ctx: *const SSL_CTX) -> *const SSL_METHOD {
    Ok(method::of(handle::ctx(ctx)?.method()))
}

fn set_options(t: Result<Target>, op: u64) -> Result<u64> {
    t?.update(|s| {
        s.options |= op;
        Ok(s.options)
    })
}

fn clear_options(t: Result<Target>, op: u64) -> Result<u64> {
    t?.update(|s| {
        s.options &= !op;
        Ok(s.options)
    })
}

/// `SSL_CTX_set_options`: adds options; returns the new set (0 for an invalid handle).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_options(ctx: *mut SSL_CTX, op: u64) -> u64 {
    set_options(ctx_target(ctx), op)
}

/// `SSL_set_options`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_options(s: *mut SSL, op: u64) -> u64 {
    set_options(ssl_target(s), op)
}

/// `SSL_CTX_clear_options`: returns the new set.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_clear_options(ctx: *mut SSL_CTX, op: u64) -> u64 {
    clear_options(ctx_target(ctx), op)
}

/// `SSL_clear_options`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_clear_options(s: *mut SSL, op: u64) -> u64 {
    clear_options(ssl_target(s), op)
}

/// `SSL_CTX_get_options`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_options(ctx: *const SSL_CTX) -> u64 {
    Ok(ctx_target(ctx)?.read(|s| s.options))
}

/// `SSL_get_options`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_options(s: *const SSL) -> u64 {
    Ok(ssl_target(s)?.read(|s| s.options))
}

fn set_cipher_list(t: Result<Target>, list: *const c_char) -> Result<c_int> {
    let t = t?;
    // SAFETY: a C string argument.
    let list = unsafe { args::str(list, "cipher list") }?;
    t.update(|s| cipher::set_cipher_list(list, &mut s.tls12).map(|()| 1))
}

/// `SSL_CTX_set_cipher_list`: the TLS 1.2 suites, from an OpenSSL cipher string; 1 on success,
/// 0 with "no cipher match" when the string selects no suite rustls implements.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cipher_list(ctx: *mut SSL_CTX, str: *const c_char) -> c_int {
    set_cipher_list(ctx_target(ctx), str)
}

/// `SSL_set_cipher_list`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set_cipher_list(s: *mut SSL, str: *const c_char) -> c_int {
    set_cipher_list(ssl_target(s), str)
}

fn set_ciphersuites(t: Result<Target>, list: *const c_char) -> Result<c_int> {
    let t = t?;
    // SAFETY: a C string argument.
    let list = unsafe { args::str(list, "ciphersuites") }?;
    let suites = cipher::parse_ciphersuites(list)?;
    t.update(|s| {
        s.tls13 = suites;
        Ok(1)
    })
}

/// `SSL_CTX_set_ciphersuites`: the TLS 1.3 suites (`"TLS_AES_128_GCM_SHA256:..."`); 1 on
/// success, 0 for an unknown name.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ciphersuites(ctx: *mut SSL_CTX, str: *const c_char) -> c_int {
    set_ciphersuites(ctx_target(ctx), str)
}

/// `SSL_set_ciphersuites`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ciphersuites(s: *mut SSL, str: *const c_char) -> c_int {
    set_ciphersuites(ssl_target(s), str)
}

/// Parses ALPN wire format (length-prefixed names); NULL or empty clears.
fn parse_alpn(p: *const c_uchar, len: c_uint) -> Result<Vec<Vec<u8>>> {
    // SAFETY: the caller passed len readable bytes.
    let mut wire = unsafe { args::bytes(p, len as usize, "protos") }?;
    let mut out = Vec::new();
    while let Some((&n, rest)) = wire.split_first() {
        let n = usize::from(n);
        if n == 0 || rest.len() < n {
            return Err(Error::InvalidArgument(
                "malformed ALPN protocol list".into(),
            ));
        }
        out.push(rest[..n].to_vec());
        wire = &rest[n..];
    }
    Ok(out)
}

fn set_alpn(t: Result<Target>, p: *const c_uchar, len: c_uint) -> Result<c_int> {
    let t = t?;
    // As OpenSSL: a malformed list is refused with 1 and nothing queued.
    let Ok(list) = parse_alpn(p, len) else {
        return Ok(1);
    };
    t.update(|s| {
        s.alpn = list;
        Ok(0)
    })
}

/// `SSL_CTX_set_alpn_protos`: the ALPN protocols offered, in wire format. Returns 0 on success
/// and 1 on failure (sic, as OpenSSL).
#[export(fail = 1)]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_alpn_protos(
    ctx: *mut SSL_CTX,
    protos: *const c_uchar,
    protos_len: c_uint,
) -> c_int {
    set_alpn(ctx_target(ctx), protos, protos_len)
}

/// `SSL_set_alpn_protos`: as `SSL_CTX_set_alpn_protos`, for one connection.
#[export(fail = 1)]
#[no_mangle]
pub unsafe extern "C" fn SSL_set_alpn_protos(
    ssl: *mut SSL,
    protos: *const c_uchar,
    protos_len: c_uint,
) -> c_int {
    set_alpn(ssl_target(ssl), protos, protos_len)
}

/// `SSL_CTX_set_quiet_shutdown`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_quiet_shutdown(ctx: *mut SSL_CTX, mode: c_int) {
    ctx_target(ctx)?.update(|s| {
        s.quiet_shutdown = mode != 0;
        Ok(())
    })
}

/// `SSL_CTX_get_quiet_shutdown`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_quiet_shutdown(ctx: *const SSL_CTX) -> c_int {
    Ok(ctx_target(ctx)?.read(|s| s.quiet_shutdown) as c_int)
}

/// `SSL_set_quiet_shutdown`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_quiet_shutdown(ssl: *mut SSL, mode: c_int) {
    ssl_target(ssl)?.update(|s| {
        s.quiet_shutdown = mode != 0;
        Ok(())
    })
}

/// `SSL_get_quiet_shutdown`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_quiet_shutdown(ssl: *const SSL) -> c_int {
    Ok(ssl_target(ssl)?.read(|s| s.quiet_shutdown) as c_int)
}

/// `SSL_CTX_set_ex_data`: 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_ex_data(ctx: *mut SSL_CTX, idx: c_int, data: *mut c_void) -> c_int {
    Ok(handle::ctx(ctx)?.ex_data.set(idx, data) as c_int)
}

/// `SSL_CTX_get_ex_data`: NULL when unset.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_ex_data(ctx: *const SSL_CTX, idx: c_int) -> *mut c_void {
    Ok(handle::ctx(ctx)?.ex_data.get(idx))
}

/// `SSL_CTX_set_timeout`: the session lifetime in seconds; returns the previous one.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_timeout(ctx: *mut SSL_CTX, t: c_long) -> c_long {
    let ctx = handle::ctx(ctx)?;
    let mut cur = ctx
        .session_timeout
        .write()
        .unwrap_or_else(|e| e.into_inner());
    Ok(std::mem::replace(&mut *cur, t))
}

/// `SSL_CTX_get_timeout`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_timeout(ctx: *const SSL_CTX) -> c_long {
    Ok(*handle::ctx(ctx)?
        .session_timeout
        .read()
        .unwrap_or_else(|e| e.into_inner()))
}

/// `SSL_CTX_set_session_id_context`: at most 32 bytes; 1 on success.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_session_id_context(
    ctx: *mut SSL_CTX,
    sid_ctx: *const c_uchar,
    sid_ctx_len: c_uint,
) -> c_int {
    let ctx = handle::ctx(ctx)?;
    if sid_ctx_len > 32 {
        return Err(Error::Misuse {
            reason: 273, // SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG
            detail: "session id context longer than 32 bytes".into(),
        });
    }
    // SAFETY: sid_ctx_len readable bytes.
    let b = unsafe { args::bytes(sid_ctx, sid_ctx_len as usize, "sid_ctx") }?;
    *ctx.session_id_context
        .write()
        .unwrap_or_else(|e| e.into_inner()) = b.to_vec();
    ctx.update(|s| {
        s.sid_ctx = b.to_vec();
        Ok(())
    })?;
    Ok(1)
}

fn set_passwd(
    t: Result<Target>,
    cb: Option<pem_password_cb>,
    user: Option<*mut c_void>,
) -> Result<()> {
    t?.update(|s| {
        let cb = cb.or(s.password.cb());
        let user = user.unwrap_or(s.password.userdata());
        // SAFETY: the program promises the callback is valid with its userdata, as with OpenSSL.
        s.password = unsafe { PasswordCb::new(cb, user) };
        Ok(())
    })
}

/// `SSL_CTX_set_default_passwd_cb`: the callback that decrypts encrypted PEM keys.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_default_passwd_cb(ctx: *mut SSL_CTX, cb: pem_password_cb_ptr) {
    let t = ctx_target(ctx)?;
    t.update(|s| {
        // SAFETY: as set_passwd.
        s.password = unsafe { PasswordCb::new(cb, s.password.userdata()) };
        Ok(())
    })
}

/// `SSL_CTX_set_default_passwd_cb_userdata`: the callback's argument; with no callback set, it
/// is the passphrase itself (libcrypto's default callback).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_default_passwd_cb_userdata(ctx: *mut SSL_CTX, u: *mut c_void) {
    set_passwd(ctx_target(ctx), None, Some(u))
}

/// `SSL_set_default_passwd_cb`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_default_passwd_cb(s: *mut SSL, cb: pem_password_cb_ptr) {
    ssl_target(s)?.update(|st| {
        // SAFETY: as set_passwd.
        st.password = unsafe { PasswordCb::new(cb, st.password.userdata()) };
        Ok(())
    })
}

/// `SSL_set_default_passwd_cb_userdata`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_default_passwd_cb_userdata(s: *mut SSL, u: *mut c_void) {
    set_passwd(ssl_target(s), None, Some(u))
}

/// `SSL_CTX_get_default_passwd_cb`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_default_passwd_cb(ctx: *mut SSL_CTX) -> pem_password_cb_ptr {
    Ok(ctx_target(ctx)?.read(|s| s.password.cb()))
}

/// `SSL_CTX_get_default_passwd_cb_userdata`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_default_passwd_cb_userdata(ctx: *mut SSL_CTX) -> *mut c_void {
    Ok(ctx_target(ctx)?.read(|s| s.password.userdata()))
}

/// `SSL_get_default_passwd_cb`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_default_passwd_cb(s: *mut SSL) -> pem_password_cb_ptr {
    Ok(ssl_target(s)?.read(|s| s.password.cb()))
}

/// `SSL_get_default_passwd_cb_userdata`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_default_passwd_cb_userdata(s: *mut SSL) -> *mut c_void {
    Ok(ssl_target(s)?.read(|s| s.password.userdata()))
}
