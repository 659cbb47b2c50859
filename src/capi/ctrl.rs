//! SSL_CTX_ctrl(3)/SSL_ctrl(3) and their callback forms: the numbered commands behind OpenSSL's
//! macros (`SSL_CTX_set_mode`, `SSL_set_tlsext_host_name`, `SSL_CTX_set_min_proto_version`,
//! `SSL_CTX_set1_groups_list`, `SSL_CTX_add_extra_chain_cert`, ...).
//!
//! Commands ferrossl does not implement return 0 with an error naming the command.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_long, c_void, CString};
use std::sync::Arc;

use super::args;
use super::context::Target;
use super::handle;
use super::types::*;
use crate::core::context::{group_nid, groups_from_nids, parse_groups, Context};
use crate::core::error::{reason, Error, Result};
use crate::libcrypto::{self, PKey, X509Cert};

mod cmd {
    use std::ffi::c_int;
    pub const SET_TMP_DH: c_int = 3;
    pub const SET_TMP_ECDH: c_int = 4;
    pub const GET_NUM_RENEGOTIATIONS: c_int = 10;
    pub const CLEAR_NUM_RENEGOTIATIONS: c_int = 11;
    pub const GET_TOTAL_RENEGOTIATIONS: c_int = 12;
    pub const EXTRA_CHAIN_CERT: c_int = 14;
    pub const SET_MSG_CALLBACK_ARG: c_int = 16;
    pub const SESS_NUMBER: c_int = 20;
    pub const SESS_CACHE_FULL: c_int = 31;
    pub const MODE: c_int = 33;
    pub const GET_READ_AHEAD: c_int = 40;
    pub const SET_READ_AHEAD: c_int = 41;
    pub const SET_SESS_CACHE_SIZE: c_int = 42;
    pub const GET_SESS_CACHE_SIZE: c_int = 43;
    pub const SET_SESS_CACHE_MODE: c_int = 44;
    pub const GET_SESS_CACHE_MODE: c_int = 45;
    pub const SET_MAX_SEND_FRAGMENT: c_int = 52;
    pub const SET_TLSEXT_SERVERNAME_CB: c_int = 53;
    pub const SET_TLSEXT_SERVERNAME_ARG: c_int = 54;
    pub const SET_TLSEXT_HOSTNAME: c_int = 55;
    pub const SET_TLSEXT_TICKET_KEY_CB: c_int = 72;
    pub const SET_TLSEXT_STATUS_REQ_CB: c_int = 63;
    pub const SET_TLSEXT_STATUS_REQ_CB_ARG: c_int = 64;
    pub const SET_TLSEXT_STATUS_REQ_TYPE: c_int = 65;
    pub const SET_TLSEXT_STATUS_REQ_OCSP_RESP: c_int = 71;
    pub const GET_TLSEXT_STATUS_REQ_OCSP_RESP: c_int = 70;
    pub const CLEAR_MODE: c_int = 78;
    pub const GET_EXTRA_CHAIN_CERTS: c_int = 82;
    pub const CLEAR_EXTRA_CHAIN_CERTS: c_int = 83;
    pub const CHAIN: c_int = 88;
    pub const CHAIN_CERT: c_int = 89;
    pub const SET_GROUPS: c_int = 91;
    pub const SET_GROUPS_LIST: c_int = 92;
    pub const GET_RI_SUPPORT: c_int = 76;
    pub const GET_CLIENT_CERT_TYPES: c_int = 103;
    pub const GET_PEER_SIGNATURE_NID: c_int = 108;
    pub const GET_SIGNATURE_NID: c_int = 132;
    pub const GET_EC_POINT_FORMATS: c_int = 111;
    pub const GET_PEER_TMP_KEY: c_int = 109;
    pub const SELECT_CURRENT_CERT: c_int = 116;
    pub const SET_CURRENT_CERT: c_int = 117;
    pub const SET_DH_AUTO: c_int = 118;
    pub const SET_MIN_PROTO_VERSION: c_int = 123;
    pub const SET_MAX_PROTO_VERSION: c_int = 124;
    pub const SET_SPLIT_SEND_FRAGMENT: c_int = 125;
    pub const SET_MAX_PIPELINES: c_int = 126;
    pub const GET_TLSEXT_STATUS_REQ_TYPE: c_int = 127;
    pub const GET_MIN_PROTO_VERSION: c_int = 130;
    pub const GET_MAX_PROTO_VERSION: c_int = 131;
    pub const GET_NEGOTIATED_GROUP: c_int = 134;
}

fn version_ok(v: c_long) -> bool {
    matches!(v, 0 | 0x0300 | 0x0301 | 0x0302 | 0x0303 | 0x0304)
}

fn unsupported(which: &str, n: c_int) -> Error {
    Error::Unsupported(format!(
        "{which} command {n} is not implemented by ferrossl"
    ))
}

/// The commands an `SSL_CTX` and an `SSL` share.
///
/// # Safety
/// `parg` must be what OpenSSL's documentation says the command takes.
unsafe fn common(
    t: &Target,
    which: &str,
    n: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> Result<c_long> {
    match n {
        cmd::MODE => t.update(|s| {
            s.mode |= larg as u64;
            Ok(s.mode as c_long)
        }),
        cmd::CLEAR_MODE => t.update(|s| {
            s.mode &= !(larg as u64);
            Ok(s.mode as c_long)
        }),
        cmd::SET_MIN_PROTO_VERSION | cmd::SET_MAX_PROTO_VERSION => {
            if !version_ok(larg) {
                return Err(Error::Misuse {
                    reason: reason::BAD_VALUE,
                    detail: format!("unknown protocol version {larg:#x}"),
                });
            }
            t.update(|s| {
                if n == cmd::SET_MIN_PROTO_VERSION {
                    s.min_version = larg as c_int;
                } else {
                    s.max_version = larg as c_int;
                }
                Ok(1)
            })
        }
        cmd::GET_MIN_PROTO_VERSION => Ok(t.read(|s| s.min_version) as c_long),
        cmd::GET_MAX_PROTO_VERSION => Ok(t.read(|s| s.max_version) as c_long),
        cmd::SET_GROUPS_LIST => {
            // SAFETY: a C string, per the command.
            let list = unsafe { args::str(parg as *const c_char, "groups list") }?;
            let groups = parse_groups(list)?;
            t.update(|s| {
                s.groups = groups;
                Ok(1)
            })
        }
        cmd::SET_GROUPS => {
            let n = usize::try_from(larg)
                .map_err(|_| Error::InvalidArgument("negative count".into()))?;
            if n == 0 || parg.is_null() {
                return Err(Error::NullArgument("groups"));
            }
            // SAFETY: an array of larg ints, per the command.
            let nids = unsafe { std::slice::from_raw_parts(parg as *const c_int, n) };
            let groups = groups_from_nids(nids)?;
            t.update(|s| {
                s.groups = groups;
                Ok(1)
            })
        }
        cmd::SET_READ_AHEAD => t.update(|s| {
            let old = s.read_ahead as c_long;
            s.read_ahead = larg != 0;
            Ok(old)
        }),
        cmd::GET_READ_AHEAD => Ok(t.read(|s| s.read_ahead) as c_long),
        // No DHE in rustls: a DH parameter set is accepted and has no effect (and said so).
        cmd::SET_TMP_DH => {
            super::server::dh_notice();
            Ok(1)
        }
        cmd::SET_TMP_ECDH | cmd::SET_DH_AUTO => Ok(1),
        cmd::SET_MAX_SEND_FRAGMENT => Ok((512..=16384).contains(&larg) as c_long),
        cmd::SET_SPLIT_SEND_FRAGMENT | cmd::SET_MAX_PIPELINES => Ok(1),
        cmd::EXTRA_CHAIN_CERT | cmd::CHAIN_CERT => {
            // SAFETY: an X509*; EXTRA_CHAIN_CERT and add0 (larg 0) take the reference.
            let cert = unsafe {
                if n == cmd::CHAIN_CERT && larg != 0 {
                    X509Cert::from_borrowed(parg.cast())
                } else {
                    X509Cert::from_raw(parg.cast())
                }
            }
            .ok_or(Error::NullArgument("X509"))?;
            t.update(|s| s.credentials.add_chain_cert(cert).map(|_| 1))
        }
        cmd::CHAIN => {
            // SAFETY: a STACK_OF(X509) or NULL; set1 (larg 1) copies, set0 takes it.
            let certs = unsafe { libcrypto::certs_of_stack(parg.cast()) };
            if larg == 0 && !parg.is_null() {
                // set0: we took references above; release the caller's stack and elements.
                // SAFETY: the stack and its references now belong to us.
                unsafe {
                    for c in libcrypto::certs_of_stack(parg.cast()) {
                        libcrypto::ffi::X509_free(c.as_ptr());
                    }
                    libcrypto::ffi::OPENSSL_sk_free(parg.cast());
                }
            }
            t.update(|s| s.credentials.set_chain(certs).map(|_| 1))
        }
        cmd::SELECT_CURRENT_CERT => {
            // SAFETY: an X509* the caller keeps.
            let x = unsafe { X509Cert::from_borrowed(parg.cast()) }
                .ok_or(Error::NullArgument("X509"))?;
            t.update(|s| Ok(s.credentials.select_leaf(&x) as c_long))
        }
        // SSL_CERT_SET_FIRST (1) and SSL_CERT_SET_NEXT (2).
        cmd::SET_CURRENT_CERT if larg == 1 || larg == 2 => {
            t.update(|s| Ok(s.credentials.select_next(larg == 1) as c_long))
        }
        cmd::CLEAR_EXTRA_CHAIN_CERTS => {
            t.update(|s| s.credentials.set_chain(Vec::new()).map(|_| 1))
        }
        cmd::GET_EXTRA_CHAIN_CERTS => {
            // SAFETY: a STACK_OF(X509)** out-parameter.
            unsafe { args::out(parg as *mut *mut c_void, std::ptr::null_mut()) };
            Ok(1)
        }
        _ => Err(unsupported(which, n)),
    }
}

fn ctx_only(
    ctx: &Arc<Context>,
    n: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> Option<Result<c_long>> {
    Some(match n {
        cmd::SET_SESS_CACHE_MODE => {
            let mut m = ctx
                .session_cache_mode
                .write()
                .unwrap_or_else(|e| e.into_inner());
            Ok(std::mem::replace(&mut *m, larg))
        }
        cmd::GET_SESS_CACHE_MODE => Ok(ctx.session_cache_mode()),
        cmd::SET_SESS_CACHE_SIZE | cmd::GET_SESS_CACHE_SIZE => Ok(1024 * 20),
        cmd::SESS_NUMBER..=cmd::SESS_CACHE_FULL => Ok(0),
        cmd::SET_MSG_CALLBACK_ARG => {
            ctx.set_callbacks(|c| c.msg_arg = larg as usize);
            Ok(1)
        }
        cmd::SET_TLSEXT_SERVERNAME_ARG => {
            let arg = parg as usize;
            ctx.set_callbacks(|c| c.servername_arg = arg);
            Ok(1)
        }
        cmd::SET_TLSEXT_STATUS_REQ_CB_ARG => {
            let arg = parg as usize;
            ctx.set_callbacks(|c| c.status_arg = arg);
            Ok(1)
        }
        _ => return None,
    })
}

/// `SSL_CTX_ctrl`: see the module docs for the commands.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    let ctx = handle::ctx(ctx)?;
    if let Some(r) = ctx_only(&ctx, cmd, larg, parg) {
        return r;
    }
    // SAFETY: the command's argument contract is the caller's.
    unsafe { common(&Target::Ctx(ctx), "SSL_CTX_ctrl", cmd, larg, parg) }
}

/// `SSL_ctrl`: see the module docs for the commands.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_ctrl(
    s: *mut SSL,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    let conn = handle::ssl(s)?;
    match cmd {
        cmd::SET_TLSEXT_HOSTNAME => {
            if larg != 0 {
                return Err(Error::InvalidArgument(format!("server name type {larg}")));
            }
            let name = if parg.is_null() {
                None
            } else {
                // SAFETY: a C string, per the command.
                let n = unsafe { args::cstr(parg as *const c_char, "host name") }?;
                if n.to_bytes().is_empty() || n.to_bytes().len() > 255 {
                    return Err(Error::Misuse {
                        reason: 319, // SSL_R_SSL3_EXT_INVALID_SERVERNAME
                        detail: "server name must be 1 to 255 bytes".into(),
                    });
                }
                Some(CString::from(n))
            };
            conn.set_sni(name);
            Ok(1)
        }
        cmd::GET_NEGOTIATED_GROUP => Ok(conn
            .handshake_info()
            .and_then(|h| h.group)
            .map_or(0, |g| group_nid(g) as c_long)),
        cmd::GET_PEER_TMP_KEY => {
            let (group, share) = conn.peer_key().ok_or_else(|| Error::Misuse {
                reason: reason::UNINITIALIZED,
                detail: "no key exchange yet".into(),
            })?;
            let key = PKey::from_key_share(u16::from(group), &share).ok_or_else(|| {
                Error::Unsupported(format!("OpenSSL 3.0 has no key type for {group:?}"))
            })?;
            // SAFETY: an EVP_PKEY** out-parameter; the caller owns the reference.
            unsafe { args::out(parg as *mut *mut libcrypto::ffi::EVP_PKEY, key.to_raw_ref()) };
            Ok(1)
        }
        cmd::SET_TLSEXT_STATUS_REQ_TYPE => Err(Error::Unsupported(
            "OCSP status requests from a client are not supported by rustls".into(),
        )),
        cmd::GET_TLSEXT_STATUS_REQ_TYPE => Ok(-1),
        cmd::SET_TLSEXT_STATUS_REQ_OCSP_RESP => {
            // The response was allocated with OPENSSL_malloc and now belongs to us.
            let len = usize::try_from(larg)
                .map_err(|_| Error::InvalidArgument("negative length".into()))?;
            // SAFETY: parg holds len bytes (or is NULL with len 0); freed once copied.
            let resp = unsafe {
                let bytes = args::bytes(parg as *const u8, len, "resp")?.to_vec();
                libcrypto::ffi::CRYPTO_free(parg, c"ferrossl".as_ptr(), 0);
                bytes
            };
            conn.set_ocsp_response((!resp.is_empty()).then_some(resp));
            Ok(1)
        }
        cmd::GET_TLSEXT_STATUS_REQ_OCSP_RESP => {
            // SAFETY: an unsigned char** out-parameter.
            unsafe { args::out(parg as *mut *const u8, std::ptr::null()) };
            Ok(-1)
        }
        cmd::GET_NUM_RENEGOTIATIONS
        | cmd::CLEAR_NUM_RENEGOTIATIONS
        | cmd::GET_TOTAL_RENEGOTIATIONS => Ok(0),
        cmd::SET_MSG_CALLBACK_ARG => Ok(1),
        // OpenSSL's answers without the fact (which `openssl s_client` prints): no signature
        // algorithm known (rustls does not report them), no CertificateRequest certificate
        // types, no secure renegotiation (ferrossl never renegotiates), no peer point formats.
        cmd::GET_PEER_SIGNATURE_NID
        | cmd::GET_EC_POINT_FORMATS
        | cmd::GET_SIGNATURE_NID
        | cmd::GET_CLIENT_CERT_TYPES
        | cmd::GET_RI_SUPPORT => Ok(0),
        // SAFETY: the command's argument contract is the caller's.
        n => unsafe { common(&Target::Ssl(conn), "SSL_ctrl", n, larg, parg) },
    }
}

/// `SSL_CTX_callback_ctrl`: the callback-setting commands; none is implemented yet (servername,
/// status and ticket-key callbacks are server-side features).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_callback_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    _fp: Option<unsafe extern "C" fn()>,
) -> c_long {
    match cmd {
        cmd::SET_TLSEXT_SERVERNAME_CB => {
            super::server::set_servername_callback(ctx, _fp)?;
            Ok(1)
        }
        cmd::SET_TLSEXT_TICKET_KEY_CB => {
            let ctx = handle::ctx(ctx)?;
            // SAFETY: SSL_CTX_set_tlsext_ticket_key_cb passes a ticket key callback cast
            // to this type.
            let cb = _fp.map(|f| unsafe {
                libcrypto::TicketKeyCb::new(std::mem::transmute::<
                    unsafe extern "C" fn(),
                    libcrypto::TicketKeyFn,
                >(f))
            });
            ctx.set_callbacks(|c| c.ticket_key = cb);
            Ok(1)
        }
        cmd::SET_TLSEXT_STATUS_REQ_CB => {
            super::server::set_status_callback(ctx, _fp)?;
            Ok(1)
        }
        _ => {
            handle::ctx(ctx)?;
            Err(unsupported("SSL_CTX_callback_ctrl", cmd))
        }
    }
}

/// `SSL_callback_ctrl`: as `SSL_CTX_callback_ctrl`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_callback_ctrl(
    s: *mut SSL,
    cmd: c_int,
    _fp: Option<unsafe extern "C" fn()>,
) -> c_long {
    handle::ssl(s)?;
    Err(unsupported("SSL_callback_ctrl", cmd))
}
