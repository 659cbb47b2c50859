//! SSL_get_session(3), SSL_set_session(3), SSL_SESSION_free(3), SSL_SESSION_get_time(3),
//! SSL_SESSION_is_resumable(3), i2d_SSL_SESSION(3), SSL_CTX_sess_set_new_cb(3): sessions.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_void};
use std::ptr;
use std::sync::Arc;

use super::args;
use super::handle;
use super::types::*;
use crate::core::callbacks::Hook;
use crate::core::error::{Error, Result};
use crate::core::registry::{self, Object};
use crate::core::session::{Session, SessionData};

/// `SSL_get_session`: the connection's session (no new reference), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_session(s: *const SSL) -> *mut SSL_SESSION {
    Ok(handle::ssl(s)?
        .session()
        .map_or(ptr::null_mut(), |x| handle::ptr(&*x)))
}

/// `SSL_get1_session`: the connection's session with a new reference, or NULL. With TLS 1.3
/// it becomes resumable once the server's ticket has been read.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get1_session(s: *mut SSL) -> *mut SSL_SESSION {
    Ok(match handle::ssl(s)?.session() {
        Some(x) => {
            registry::up_ref(&*x);
            handle::ptr(&*x)
        }
        None => ptr::null_mut(),
    })
}

/// `SSL_set_session`: offer `session` for resumption on this connection's handshake (takes a
/// reference; NULL clears). 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_session(to: *mut SSL, session: *mut SSL_SESSION) -> c_int {
    let conn = handle::ssl(to)?;
    let sess = if session.is_null() {
        None
    } else {
        Some(handle::session(session)?)
    };
    conn.set_session(sess);
    Ok(1)
}

/// `SSL_SESSION_new`: an empty, non-resumable session.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_new() -> *mut SSL_SESSION {
    Ok(handle::ptr(&*Session::new(SessionData {
        time: crate::core::session::now(),
        timeout: 304,
        ..Default::default()
    })))
}

/// `SSL_SESSION_up_ref`: 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_up_ref(ses: *mut SSL_SESSION) -> c_int {
    registry::up_ref(&*handle::session(ses)?);
    Ok(1)
}

/// `SSL_SESSION_free`: drops one reference; NULL is ignored.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_free(ses: *mut SSL_SESSION) {
    if ses.is_null() {
        return Ok(());
    }
    registry::release(&*handle::session(ses)?);
    Ok(())
}

fn with<R>(s: *const SSL_SESSION, f: impl FnOnce(&Arc<Session>) -> R) -> Result<R> {
    Ok(f(&handle::session(s)?))
}

/// As [`with`], but a NULL session gives 0 with nothing queued, as OpenSSL's time and timeout
/// accessors do (MariaDB calls `SSL_SESSION_set_timeout(SSL_get_session(ssl), t)` on a new
/// `SSL`, and a queued error there makes its `SSL_get_error` report SSL_ERROR_SSL later).
fn with_or_zero(s: *const SSL_SESSION, f: impl FnOnce(&Arc<Session>) -> c_long) -> Result<c_long> {
    if s.is_null() {
        return Ok(0);
    }
    with(s, f)
}

/// `SSL_SESSION_is_resumable`: 1 when it can be offered for resumption.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_is_resumable(s: *const SSL_SESSION) -> c_int {
    with(s, |s| s.is_resumable() as c_int)
}

/// `SSL_SESSION_has_ticket`: 1 when the server issued a ticket.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_has_ticket(s: *const SSL_SESSION) -> c_int {
    with(s, |s| s.data().resumable.is_some() as c_int)
}

/// `SSL_SESSION_get_time`: seconds since the epoch when it was made.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get_time(s: *const SSL_SESSION) -> c_long {
    with_or_zero(s, |s| s.data().time)
}

/// `SSL_SESSION_set_time`: returns `t` on success, 0 on failure.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_set_time(s: *mut SSL_SESSION, t: c_long) -> c_long {
    with_or_zero(s, |s| {
        s.update(|d| d.time = t);
        t
    })
}

/// `SSL_SESSION_get_timeout`: its lifetime in seconds.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get_timeout(s: *const SSL_SESSION) -> c_long {
    with_or_zero(s, |s| s.data().timeout)
}

/// `SSL_SESSION_set_timeout`: 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_set_timeout(s: *mut SSL_SESSION, t: c_long) -> c_long {
    if t < 0 {
        return Ok(0);
    }
    with_or_zero(s, |s| {
        s.update(|d| d.timeout = t);
        1
    })
}

/// `SSL_SESSION_get_protocol_version`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get_protocol_version(s: *const SSL_SESSION) -> c_int {
    with(s, |s| s.data().version)
}

/// `SSL_SESSION_get0_cipher`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get0_cipher(s: *const SSL_SESSION) -> *const SSL_CIPHER {
    with(s, |s| {
        s.data().cipher.map_or(ptr::null(), |c| {
            (c as *const crate::core::cipher::Cipher).cast()
        })
    })
}

/// `SSL_SESSION_get0_peer`: the peer's certificate (no new reference), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get0_peer(s: *mut SSL_SESSION) -> *mut X509 {
    with(s, |s| {
        s.data()
            .peer
            .as_ref()
            .and_then(|p| p.leaf())
            .map_or(ptr::null_mut(), |c| c.as_ptr().cast())
    })
}

/// `SSL_SESSION_get0_hostname`: the SNI name it was made for, or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get0_hostname(s: *const SSL_SESSION) -> *const c_char {
    with(s, |s| {
        s.data()
            .hostname
            .as_ref()
            .map_or(ptr::null(), |h| h.as_ptr())
    })
}

/// `SSL_SESSION_get_id`: the session ID (empty for ticket-based sessions).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_id(
    s: *const SSL_SESSION,
    len: *mut c_uint,
) -> *const c_uchar {
    let (p, n) = with(s, |s| {
        let d = s.data();
        (d.id.as_ptr(), d.id.len() as c_uint)
    })?;
    // SAFETY: out-parameter.
    unsafe { args::out(len, n) };
    Ok(p)
}

/// `SSL_SESSION_get0_alpn_selected`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_alpn_selected(
    s: *const SSL_SESSION,
    alpn: *mut *const c_uchar,
    len: *mut usize,
) {
    // A void getter: the caller cannot see a failure, so the outputs say "nothing" first.
    // SAFETY: out-parameters.
    unsafe {
        args::out(alpn, ptr::null());
        args::out(len, 0);
    }
    let (p, n) = with(s, |s| {
        let d = s.data();
        (
            if d.alpn.is_empty() {
                ptr::null()
            } else {
                d.alpn.as_ptr()
            },
            d.alpn.len(),
        )
    })?;
    // SAFETY: out-parameters.
    unsafe {
        args::out(alpn, p);
        args::out(len, n);
    }
    Ok(())
}

/// `SSL_SESSION_dup`: a new session with the same contents (its resumption value is shared
/// with the original, as for `d2i_SSL_SESSION` copies: a TLS 1.3 ticket is still used once);
/// ex_data starts empty. NULL on failure.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_dup(src: *const SSL_SESSION) -> *mut SSL_SESSION {
    let data = with(src, |s| s.data().clone())?;
    Ok(handle::ptr(&*Session::new(data)))
}

/// `SSL_SESSION_set1_ticket_appdata`: the program's data for this session (NULL or 0 bytes
/// clears it); 1.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_ticket_appdata(
    ss: *mut SSL_SESSION,
    data: *const c_void,
    len: usize,
) -> c_int {
    let bytes = if data.is_null() || len == 0 {
        Vec::new()
    } else {
        // SAFETY: the caller's buffer of len bytes.
        unsafe { args::bytes(data.cast(), len, "data") }?.to_vec()
    };
    with(ss, |s| s.update(|d| d.ticket_appdata = bytes))?;
    Ok(1)
}

/// `SSL_SESSION_get0_ticket_appdata`: the data `SSL_SESSION_set1_ticket_appdata` stored (NULL
/// and 0 when none), owned by the session; 1.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_ticket_appdata(
    ss: *mut SSL_SESSION,
    data: *mut *mut c_void,
    len: *mut usize,
) -> c_int {
    let (p, n) = with(ss, |s| {
        let d = s.data();
        if d.ticket_appdata.is_empty() {
            (ptr::null_mut(), 0)
        } else {
            (
                d.ticket_appdata.as_ptr() as *mut c_void,
                d.ticket_appdata.len(),
            )
        }
    })?;
    // SAFETY: out-parameters.
    unsafe {
        args::out(data, p);
        args::out(len, n);
    }
    Ok(1)
}

/// `SSL_SESSION_set_ex_data`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_set_ex_data(
    s: *mut SSL_SESSION,
    idx: c_int,
    data: *mut c_void,
) -> c_int {
    with(s, |s| s.ex_data.set(idx, data) as c_int)
}

/// `SSL_SESSION_get_ex_data`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get_ex_data(s: *const SSL_SESSION, idx: c_int) -> *mut c_void {
    with(s, |s| s.ex_data.get(idx))
}

/// `i2d_SSL_SESSION`: the DER encoding's length; with `pp`, also writes it at `*pp` (advancing
/// it), or into a new `OPENSSL_malloc` buffer when `*pp` is NULL. See `core::session` for what
/// it carries. 0 (no error queued) for a session without a cipher, as OpenSSL.
#[export]
#[no_mangle]
pub unsafe extern "C" fn i2d_SSL_SESSION(s: *const SSL_SESSION, pp: *mut *mut c_uchar) -> c_int {
    let sess = handle::session(s)?;
    // As OpenSSL: a session without a cipher (never used in a handshake) has no encoding. A
    // server session handed to the new-session callback during the handshake has no cipher
    // recorded yet, but has its resumption value.
    let unused = {
        let d = sess.data();
        d.cipher.is_none() && d.version == 0 && d.server_value.is_empty() && d.resumable.is_none()
    };
    if unused {
        return Ok(0);
    }
    let der = sess.to_der();
    let len =
        c_int::try_from(der.len()).map_err(|_| Error::Internal("session too large".into()))?;
    if pp.is_null() {
        return Ok(len);
    }
    // SAFETY: pp is a valid pointer to a buffer pointer, per the i2d convention.
    unsafe {
        if (*pp).is_null() {
            let p = crate::libcrypto::openssl_copy(&der);
            if p.is_null() {
                return Err(Error::Internal("out of memory".into()));
            }
            *pp = p;
        } else {
            ptr::copy_nonoverlapping(der.as_ptr(), *pp, der.len());
            *pp = (*pp).add(der.len());
        }
    }
    Ok(len)
}

/// `d2i_SSL_SESSION`: parses what `i2d_SSL_SESSION` wrote, advancing `*pp`; NULL on failure.
/// A session written by another process parses but is not resumable.
#[export]
#[no_mangle]
pub unsafe extern "C" fn d2i_SSL_SESSION(
    a: *mut *mut SSL_SESSION,
    pp: *mut *const c_uchar,
    length: c_long,
) -> *mut SSL_SESSION {
    if pp.is_null() {
        return Err(Error::NullArgument("pp"));
    }
    let len =
        usize::try_from(length).map_err(|_| Error::InvalidArgument("negative length".into()))?;
    // SAFETY: *pp has length readable bytes.
    let der = unsafe { args::bytes(*pp, len, "*pp") }?;
    let (data, used) = Session::from_der(der).ok_or_else(|| Error::Misuse {
        reason: crate::core::error::reason::BAD_DATA,
        detail: "not an SSL_SESSION encoding this library wrote".into(),
    })?;
    let s = Session::new(data);
    let p: *mut SSL_SESSION = handle::ptr(&*s);
    // SAFETY: in/out parameters per the d2i convention.
    unsafe {
        *pp = (*pp).add(used);
        if !a.is_null() {
            if !(*a).is_null() {
                SSL_SESSION_free(*a);
            }
            *a = p;
        }
    }
    Ok(p)
}

type NewCb = unsafe extern "C" fn(*mut SSL, *mut SSL_SESSION) -> c_int;

/// `SSL_CTX_sess_set_new_cb`: called with each new session of a client whose session cache
/// mode includes `SSL_SESS_CACHE_CLIENT`; returning 1 keeps the reference it was given.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_sess_set_new_cb(
    ctx: *mut SSL_CTX,
    cb: Option<unsafe extern "C" fn(ssl: *mut SSL, sess: *mut SSL_SESSION) -> c_int>,
) {
    let ctx = handle::ctx(ctx)?;
    let hook = cb.map(|f| Hook {
        raw: f as usize,
        call: Arc::new(move |ssl: usize, sess: usize| {
            // SAFETY: the program registered f as its new-session callback.
            unsafe { f(handle::id_ptr(ssl), handle::id_ptr(sess)) != 0 }
        }) as Arc<crate::core::callbacks::NewSessionFn>,
    });
    ctx.set_callbacks(|c| c.new_session = hook);
    Ok(())
}

/// `SSL_CTX_sess_get_new_cb`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_sess_get_new_cb(
    ctx: *mut SSL_CTX,
) -> Option<unsafe extern "C" fn(ssl: *mut SSL, sess: *mut SSL_SESSION) -> c_int> {
    let raw = handle::ctx(ctx)?
        .callbacks()
        .new_session
        .as_ref()
        .map(|h| h.raw);
    // SAFETY: raw came from a NewCb.
    Ok(raw.map(|r| unsafe { std::mem::transmute::<usize, NewCb>(r) }))
}

type GetCb = unsafe extern "C" fn(*mut SSL, *const c_uchar, c_int, *mut c_int) -> *mut SSL_SESSION;
type RemoveCb = unsafe extern "C" fn(*mut SSL_CTX, *mut SSL_SESSION);

/// `SSL_CTX_sess_set_get_cb`: a server's external cache lookup by session ID. The callback
/// returns a session (setting `*copy` to 1 when it keeps its own reference) or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_sess_set_get_cb(
    ctx: *mut SSL_CTX,
    cb: Option<
        unsafe extern "C" fn(
            ssl: *mut SSL,
            data: *const c_uchar,
            len: c_int,
            copy: *mut c_int,
        ) -> *mut SSL_SESSION,
    >,
) {
    let ctx = handle::ctx(ctx)?;
    let hook = cb.map(|f| Hook {
        raw: f as usize,
        call: Arc::new(move |ssl: usize, id: &[u8]| {
            let mut copy: c_int = 1;
            // SAFETY: the program registered f; id outlives the call.
            let p = unsafe {
                f(
                    handle::id_ptr(ssl),
                    id.as_ptr(),
                    id.len() as c_int,
                    &mut copy,
                )
            };
            if p.is_null() {
                return None;
            }
            handle::session(p).ok().map(|s| (s, copy == 0))
        }) as Arc<crate::core::callbacks::GetSessionFn>,
    });
    ctx.set_callbacks(|c| c.get_session = hook);
    Ok(())
}

/// `SSL_CTX_sess_set_remove_cb`: told when a session leaves the cache.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_sess_set_remove_cb(
    ctx: *mut SSL_CTX,
    cb: Option<unsafe extern "C" fn(ctx: *mut SSL_CTX, sess: *mut SSL_SESSION)>,
) {
    let ctx = handle::ctx(ctx)?;
    let hook = cb.map(|f| Hook {
        raw: f as usize,
        call: Arc::new(move |c: usize, s: usize| {
            // SAFETY: the program registered f as its remove callback.
            unsafe { f(handle::id_ptr(c), handle::id_ptr(s)) }
        }) as Arc<crate::core::callbacks::RemoveSessionFn>,
    });
    ctx.set_callbacks(|c| c.remove_session = hook);
    Ok(())
}

/// `SSL_CTX_sess_get_get_cb`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_sess_get_get_cb(
    ctx: *mut SSL_CTX,
) -> Option<
    unsafe extern "C" fn(
        ssl: *mut SSL,
        data: *const c_uchar,
        len: c_int,
        copy: *mut c_int,
    ) -> *mut SSL_SESSION,
> {
    let raw = handle::ctx(ctx)?
        .callbacks()
        .get_session
        .as_ref()
        .map(|h| h.raw);
    // SAFETY: raw came from a GetCb.
    Ok(raw.map(|r| unsafe { std::mem::transmute::<usize, GetCb>(r) }))
}

/// `SSL_CTX_sess_get_remove_cb`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_sess_get_remove_cb(
    ctx: *mut SSL_CTX,
) -> Option<unsafe extern "C" fn(ctx: *mut SSL_CTX, sess: *mut SSL_SESSION)> {
    let raw = handle::ctx(ctx)?
        .callbacks()
        .remove_session
        .as_ref()
        .map(|h| h.raw);
    // SAFETY: raw came from a RemoveCb.
    Ok(raw.map(|r| unsafe { std::mem::transmute::<usize, RemoveCb>(r) }))
}

/// `SSL_CTX_remove_session`: drops a session from the internal cache (telling the remove
/// callback); 1 when it was there.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_remove_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    Ok(remove_session(&*handle::ctx(ctx)?, &handle::session(s)?) as c_int)
}

/// OpenSSL's `remove_session_lock`: a session with an ID leaves the internal cache, is marked
/// not resumable, and the remove callback is told; whether it was cached.
pub(super) fn remove_session(ctx: &crate::core::context::Context, sess: &Arc<Session>) -> bool {
    let id = sess.data().id.clone();
    if id.is_empty() {
        return false;
    }
    let removed = ctx.internal_sessions().remove(&id);
    sess.update(|d| d.not_resumable = true);
    if let Some(rm) = ctx.callbacks().remove_session.clone() {
        (rm.call)(ctx.refs().id(), sess.refs().id());
    }
    let was = removed.is_some();
    // The cache's own reference to a session SSL_CTX_add_session put there.
    if let Some(crate::core::session_cache::Removed::Session(held)) = removed {
        registry::release(&*held);
    }
    was
}
