//! SSL_CTX_add_session(3), SSL_CTX_flush_sessions(3), SSL_copy_session_id(3),
//! SSL_set_session_id_context(3): a server context's internal session cache, and what one
//! connection copies from another.

#![allow(non_snake_case)]

use std::ffi::{c_int, c_long, c_uchar, c_uint};
use std::sync::Arc;

use ferrossl_macros::export;

use super::args;
use super::handle;
use super::session::SSL_set_session;
use super::types::*;
use crate::core::context::Context;
use crate::core::error::{reason, Error};
use crate::core::registry::{self, Object};
use crate::core::session::Session;
use crate::core::session_cache::Removed;

/// Tells the remove-session callback about sessions that left `ctx`'s cache, then drops the
/// cache's references to them.
fn report_removed(ctx: &Arc<Context>, removed: Vec<Removed>) {
    let cb = ctx.callbacks().remove_session.clone();
    for r in removed {
        let s = match r {
            Removed::Session(s) => s,
            Removed::Value(data) => Session::new(*data),
        };
        if let Some(cb) = &cb {
            (cb.call)(ctx.refs().id(), s.refs().id());
        }
        registry::release(&*s);
    }
}

/// `SSL_CTX_add_session`: adds `s` to the context's internal cache under its session ID
/// (taking a reference); 1 when it was added, 0 when this session was cached already. A
/// session with the same ID is replaced; a full cache drops its oldest entry (both reported to
/// the remove-session callback).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_add_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    let ctx = handle::ctx(ctx)?;
    let sess = handle::session(s)?;
    let (added, removed) = ctx.internal_sessions().add(&sess);
    report_removed(&ctx, removed);
    Ok(added as c_int)
}

/// Empties `ctx`'s cache (reporting each session), as OpenSSL does when the last reference
/// to a context goes.
pub fn flush_all(ctx: &Arc<Context>) {
    let removed = ctx.internal_sessions().flush(0, 0);
    report_removed(ctx, removed);
}

/// `SSL_CTX_flush_sessions`: removes from the internal cache every session expired at time
/// `tm` (seconds since the epoch; 0 removes all), telling the remove-session callback of each.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_flush_sessions(ctx: *mut SSL_CTX, tm: c_long) {
    let ctx = handle::ctx(ctx)?;
    let timeout = *ctx
        .session_timeout
        .read()
        .unwrap_or_else(|e| e.into_inner());
    let removed = ctx.internal_sessions().flush(tm, timeout);
    report_removed(&ctx, removed);
    Ok(())
}

/// `SSL_set_session_id_context`: this connection's session ID context (a copy, at most 32
/// bytes); 1 on success, 0 with `SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_id_context(
    ssl: *mut SSL,
    sid_ctx: *const c_uchar,
    sid_ctx_len: c_uint,
) -> c_int {
    let conn = handle::ssl(ssl)?;
    if sid_ctx_len > 32 {
        return Err(Error::Misuse {
            reason: reason::SSL_SESSION_ID_CONTEXT_TOO_LONG,
            detail: "session id context longer than 32 bytes".into(),
        });
    }
    // SAFETY: sid_ctx_len readable bytes.
    let b = unsafe { args::bytes(sid_ctx, sid_ctx_len as usize, "sid_ctx") }?.to_vec();
    conn.update(|s| {
        s.sid_ctx = b;
        Ok(())
    })?;
    Ok(1)
}

/// `SSL_copy_session_id`: gives `t` the session of `f` (a new reference), its certificates
/// and keys, and its session ID context; 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_copy_session_id(t: *mut SSL, f: *const SSL) -> c_int {
    let to = handle::ssl(t)?;
    let from = handle::ssl(f)?;
    let session = from
        .session()
        .map_or(std::ptr::null_mut(), |s| handle::ptr(&*s));
    if SSL_set_session(t, session) != 1 {
        return Err(Error::Queued);
    }
    let (creds, sid_ctx) = {
        let s = from.settings();
        (s.credentials.clone(), s.sid_ctx.clone())
    };
    to.update(|s| {
        s.credentials = creds;
        s.sid_ctx = sid_ctx;
        Ok(())
    })?;
    Ok(1)
}
