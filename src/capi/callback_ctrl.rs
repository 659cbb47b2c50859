//! SSL_CTX_callback_ctrl(3)/SSL_callback_ctrl(3): the callback-setting commands behind
//! `SSL_CTX_set_tlsext_servername_callback`, `SSL_CTX_set_tlsext_status_cb`,
//! `SSL_CTX_set_tlsext_ticket_key_cb`, `SSL_CTX_set_msg_callback`, ... Classes as in `ctrl.rs`:
//! an unknown command returns 0 and queues nothing; SRP callbacks are refused.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_int, c_long, c_void};

use super::ctrl::{cmd, refused};
use super::handle;
use super::types::*;
use crate::core::error::Result;
use crate::libcrypto;

/// `SSL_CTX_callback_ctrl`: the callback-setting commands (servername, OCSP status, ticket
/// key, message); SRP callbacks are refused; an unknown command returns 0 with no error.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_callback_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    fp: Option<unsafe extern "C" fn()>,
) -> c_long {
    match cmd {
        cmd::SET_TLSEXT_SERVERNAME_CB => {
            super::server::set_servername_callback(ctx, fp)?;
            Ok(1)
        }
        cmd::SET_TLSEXT_TICKET_KEY_CB => {
            let ctx = handle::ctx(ctx)?;
            // SAFETY: SSL_CTX_set_tlsext_ticket_key_cb passes a ticket key callback cast
            // to this type.
            let cb = fp.map(|f| unsafe {
                libcrypto::TicketKeyCb::new(std::mem::transmute::<
                    unsafe extern "C" fn(),
                    libcrypto::TicketKeyFn,
                >(f))
            });
            ctx.set_callbacks(|c| c.ticket_key = cb);
            Ok(1)
        }
        cmd::SET_TLSEXT_STATUS_REQ_CB => {
            super::server::set_status_callback(ctx, fp)?;
            Ok(1)
        }
        cmd::SET_MSG_CALLBACK => {
            handle::ctx(ctx)?;
            // SAFETY: SSL_CTX_set_msg_callback passes a message callback cast to this type.
            super::callbacks::SSL_CTX_set_msg_callback(ctx, unsafe {
                std::mem::transmute::<Option<unsafe extern "C" fn()>, Option<MsgCb>>(fp)
            });
            Ok(1)
        }
        _ => {
            handle::ctx(ctx)?;
            callback_common(cmd, fp, false)
        }
    }
}

/// `SSL_CTX_set_msg_callback`'s callback type.
type MsgCb = unsafe extern "C" fn(c_int, c_int, c_int, *const c_void, usize, *mut SSL, *mut c_void);

/// The callback commands an `SSL_CTX` and an `SSL` treat alike.
fn callback_common(cmd: c_int, fp: Option<unsafe extern "C" fn()>, ssl: bool) -> Result<c_long> {
    match cmd {
        // No DHE in rustls: a DH parameter callback is never asked.
        cmd::SET_TMP_DH_CB => Ok(1),
        cmd::SET_NOT_RESUMABLE_SESS_CB if fp.is_none() => Ok(1),
        cmd::SET_NOT_RESUMABLE_SESS_CB => {
            Err(refused("SSL_CTX_set_not_resumable_session_callback"))
        }
        // Differs from OpenSSL: accepted and never called (see SSL_CTRL_SET_TLSEXT_DEBUG_ARG).
        cmd::SET_TLSEXT_DEBUG_CB if ssl => Ok(1),
        cmd::SET_TLS_EXT_SRP_USERNAME_CB
        | cmd::SET_SRP_VERIFY_PARAM_CB
        | cmd::SET_SRP_GIVE_CLIENT_PWD_CB
            if !ssl =>
        {
            Err(refused("SRP"))
        }
        _ => Ok(0),
    }
}

/// `SSL_callback_ctrl`: the message, DH, debug and not-resumable callbacks (see
/// `SSL_CTX_callback_ctrl`); an unknown command returns 0 with no error.
#[export]
#[no_mangle]
pub extern "C" fn SSL_callback_ctrl(
    s: *mut SSL,
    cmd: c_int,
    fp: Option<unsafe extern "C" fn()>,
) -> c_long {
    handle::ssl(s)?;
    if cmd == cmd::SET_MSG_CALLBACK {
        // SAFETY: SSL_set_msg_callback passes a message callback cast to this type.
        super::callbacks::SSL_set_msg_callback(s, unsafe {
            std::mem::transmute::<Option<unsafe extern "C" fn()>, Option<MsgCb>>(fp)
        });
        return Ok(1);
    }
    callback_common(cmd, fp, true)
}
