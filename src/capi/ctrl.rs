//! SSL_CTX_ctrl(3)/SSL_ctrl(3) and their callback forms: the numbered commands behind OpenSSL's
//! macros (`SSL_CTX_set_mode`, `SSL_set_tlsext_host_name`, `SSL_CTX_set_min_proto_version`,
//! `SSL_CTX_set1_groups_list`, `SSL_CTX_add_extra_chain_cert`, ...).
//!
//! Every command answers as OpenSSL 3.0 does (`SSL_ctrl`/`SSL_CTX_ctrl` in ssl_lib.c, then
//! `ssl3_ctrl`/`ssl3_ctx_ctrl` in s3_lib.c) in three classes:
//! - implemented: the same return value, out-parameters and queued errors;
//! - absent: what OpenSSL answers when the feature is not in use (a command meant for the other
//!   object, a DTLS command on TLS, a fact that does not exist yet); an unknown command returns
//!   0 and queues nothing, as `ssl3_ctrl`'s `default:`;
//! - refused: something rustls cannot do (SRP, signature algorithm lists, separate verify and
//!   chain stores, Suite B): the documented failure value and one error, `ERR_R_UNSUPPORTED`.
//!
//! The getters reporting what a handshake negotiated are in `negotiated.rs`.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_long, c_void, CString};
use std::sync::Arc;

use super::args;
use super::context::Target;
use super::ctrl35;
use super::handle;
use super::negotiated as neg;
use super::types::*;
use crate::core::context::{groups_from_nids, parse_groups, Context, Role};
use crate::core::error::{reason, Error, Result};
use crate::core::groups;
use crate::libcrypto::{self, X509Cert};

pub(super) mod cmd {
    use std::ffi::c_int;
    pub const SET_TMP_DH: c_int = 3;
    pub const SET_TMP_ECDH: c_int = 4;
    pub const SET_TMP_DH_CB: c_int = 6;
    pub const GET_NUM_RENEGOTIATIONS: c_int = 10;
    pub const CLEAR_NUM_RENEGOTIATIONS: c_int = 11;
    pub const GET_TOTAL_RENEGOTIATIONS: c_int = 12;
    pub const EXTRA_CHAIN_CERT: c_int = 14;
    pub const SET_MSG_CALLBACK: c_int = 15;
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
    pub const GET_MAX_CERT_LIST: c_int = 50;
    pub const SET_MAX_CERT_LIST: c_int = 51;
    pub const SET_MAX_SEND_FRAGMENT: c_int = 52;
    pub const SET_TLSEXT_SERVERNAME_CB: c_int = 53;
    pub const SET_TLSEXT_SERVERNAME_ARG: c_int = 54;
    pub const SET_TLSEXT_HOSTNAME: c_int = 55;
    pub const SET_TLSEXT_DEBUG_CB: c_int = 56;
    pub const SET_TLSEXT_DEBUG_ARG: c_int = 57;
    pub const GET_TLSEXT_TICKET_KEYS: c_int = 58;
    pub const SET_TLSEXT_TICKET_KEYS: c_int = 59;
    pub const SET_TLSEXT_STATUS_REQ_CB: c_int = 63;
    pub const SET_TLSEXT_STATUS_REQ_CB_ARG: c_int = 64;
    pub const SET_TLSEXT_STATUS_REQ_TYPE: c_int = 65;
    pub const GET_TLSEXT_STATUS_REQ_EXTS: c_int = 66;
    pub const SET_TLSEXT_STATUS_REQ_EXTS: c_int = 67;
    pub const GET_TLSEXT_STATUS_REQ_IDS: c_int = 68;
    pub const SET_TLSEXT_STATUS_REQ_IDS: c_int = 69;
    pub const GET_TLSEXT_STATUS_REQ_OCSP_RESP: c_int = 70;
    pub const SET_TLSEXT_STATUS_REQ_OCSP_RESP: c_int = 71;
    pub const SET_TLSEXT_TICKET_KEY_CB: c_int = 72;
    pub const SET_TLS_EXT_SRP_USERNAME_CB: c_int = 75;
    pub const GET_RI_SUPPORT: c_int = 76;
    pub const SET_SRP_VERIFY_PARAM_CB: c_int = 76;
    pub const SET_SRP_GIVE_CLIENT_PWD_CB: c_int = 77;
    pub const CLEAR_MODE: c_int = 78;
    pub const SET_NOT_RESUMABLE_SESS_CB: c_int = 79;
    pub const SET_TLS_EXT_SRP_USERNAME: c_int = 79;
    pub const SET_TLS_EXT_SRP_PASSWORD: c_int = 81;
    pub const GET_EXTRA_CHAIN_CERTS: c_int = 82;
    pub const CLEAR_EXTRA_CHAIN_CERTS: c_int = 83;
    pub const CHAIN: c_int = 88;
    pub const CHAIN_CERT: c_int = 89;
    pub const GET_GROUPS: c_int = 90;
    pub const SET_GROUPS: c_int = 91;
    pub const SET_GROUPS_LIST: c_int = 92;
    pub const GET_SHARED_GROUP: c_int = 93;
    pub const SET_SIGALGS: c_int = 97;
    pub const SET_CLIENT_SIGALGS_LIST: c_int = 102;
    pub const CERT_FLAGS: c_int = 99;
    pub const CLEAR_CERT_FLAGS: c_int = 100;
    pub const GET_CLIENT_CERT_TYPES: c_int = 103;
    pub const SET_CLIENT_CERT_TYPES: c_int = 104;
    pub const BUILD_CERT_CHAIN: c_int = 105;
    pub const SET_VERIFY_CERT_STORE: c_int = 106;
    pub const SET_CHAIN_CERT_STORE: c_int = 107;
    pub const GET_PEER_SIGNATURE_NID: c_int = 108;
    pub const GET_PEER_TMP_KEY: c_int = 109;
    pub const GET_RAW_CIPHERLIST: c_int = 110;
    pub const GET_EC_POINT_FORMATS: c_int = 111;
    pub const GET_CHAIN_CERTS: c_int = 115;
    pub const SELECT_CURRENT_CERT: c_int = 116;
    pub const SET_CURRENT_CERT: c_int = 117;
    pub const SET_DH_AUTO: c_int = 118;
    pub const SET_MIN_PROTO_VERSION: c_int = 123;
    pub const SET_MAX_PROTO_VERSION: c_int = 124;
    pub const SET_SPLIT_SEND_FRAGMENT: c_int = 125;
    pub const SET_MAX_PIPELINES: c_int = 126;
    pub const GET_TLSEXT_STATUS_REQ_TYPE: c_int = 127;
    pub const GET_TLSEXT_STATUS_REQ_CB: c_int = 128;
    pub const GET_TLSEXT_STATUS_REQ_CB_ARG: c_int = 129;
    pub const GET_MIN_PROTO_VERSION: c_int = 130;
    pub const GET_MAX_PROTO_VERSION: c_int = 131;
    pub const GET_NEGOTIATED_GROUP: c_int = 134;
    pub const SET_RETRY_VERIFY: c_int = 136;
    pub const GET_VERIFY_CERT_STORE: c_int = 137;
    pub const GET_CHAIN_CERT_STORE: c_int = 138;
}

/// `SSL_CERT_SET_FIRST`, `SSL_CERT_SET_NEXT`, `SSL_CERT_SET_SERVER`.
const CERT_SET_FIRST: c_long = 1;
const CERT_SET_NEXT: c_long = 2;
const CERT_SET_SERVER: c_long = 3;
/// `SSL_CERT_FLAG_SUITEB_128_LOS` and its relatives.
const CERT_FLAG_SUITEB: c_long = 0x30000;
/// The ticket key material `SSL_CTX_get_tlsext_ticket_keys` exchanges: name, HMAC and AES keys.
const TICKET_KEYS_LEN: c_long = crate::libcrypto::TICKET_KEYS_LEN as c_long;

fn version_ok(v: c_long) -> bool {
    matches!(v, 0 | 0x0300 | 0x0301 | 0x0302 | 0x0303 | 0x0304)
}

pub(super) fn refused(what: &str) -> Error {
    Error::Refused {
        reason: reason::UNSUPPORTED,
        detail: format!("{what}: not supported by ferrossl (rustls)"),
    }
}

/// The stack of the current certificate's chain (NULL when it has none): what
/// `SSL_CTX_get0_chain_certs` and `SSL_CTX_get_extra_chain_certs` hand out (ferrossl keeps the
/// extra chain certificates as the chain).
///
/// # Safety
/// `parg` must be a writable `STACK_OF(X509) **` (or NULL).
unsafe fn chain_certs(t: &Target, parg: *mut c_void) -> Result<c_long> {
    let stack = t.update(|s| Ok(s.credentials.chain_stack()))?;
    let p = stack.map_or(std::ptr::null_mut(), |s| s.as_ptr().cast::<c_void>());
    // SAFETY: out-parameter, per the command; the stack lives in the settings.
    unsafe { args::out(parg.cast::<*mut c_void>(), p) };
    Ok(1)
}

/// The commands an `SSL_CTX` and an `SSL` share; None for the others.
///
/// # Safety
/// `parg` must be what OpenSSL's documentation says the command takes.
unsafe fn common(t: &Target, n: c_int, larg: c_long, parg: *mut c_void) -> Option<Result<c_long>> {
    Some(match n {
        cmd::MODE => t.update(|s| {
            s.mode |= larg as u64;
            Ok(s.mode as c_long)
        }),
        cmd::CLEAR_MODE => t.update(|s| {
            s.mode &= !(larg as u64);
            Ok(s.mode as c_long)
        }),
        // An unknown version is refused without an error, as OpenSSL.
        cmd::SET_MIN_PROTO_VERSION | cmd::SET_MAX_PROTO_VERSION if !version_ok(larg) => Ok(0),
        cmd::SET_MIN_PROTO_VERSION => t.update(|s| {
            s.min_version = larg as c_int;
            Ok(1)
        }),
        cmd::SET_MAX_PROTO_VERSION => t.update(|s| {
            s.max_version = larg as c_int;
            Ok(1)
        }),
        cmd::GET_MIN_PROTO_VERSION => Ok(t.read(|s| s.min_version) as c_long),
        cmd::GET_MAX_PROTO_VERSION => Ok(t.read(|s| s.max_version) as c_long),
        cmd::SET_GROUPS_LIST => {
            // SAFETY: a C string, per the command.
            let list = match unsafe { args::str(parg as *const c_char, "groups list") } {
                Ok(l) => l,
                Err(e) => return Some(Err(e)),
            };
            // OpenSSL 3.5 on an SSL_CTX: larg 1 only checks the syntax (3.0 ignores larg).
            let check_only = larg == 1 && matches!(t, Target::Ctx(_)) && groups::openssl35();
            parse_groups(list).and_then(|groups| {
                if check_only {
                    return Ok(1);
                }
                t.update(|s| {
                    s.set_groups(groups);
                    Ok(1)
                })
            })
        }
        cmd::SET_GROUPS => {
            // As OpenSSL: an empty list is a bad length.
            let count = match usize::try_from(larg) {
                Ok(c) if c > 0 => c,
                _ => return Some(Err(Error::BadLength("the group count"))),
            };
            if parg.is_null() {
                return Some(Err(Error::NullArgument("groups")));
            }
            // SAFETY: an array of larg ints, per the command.
            let nids = unsafe { std::slice::from_raw_parts(parg as *const c_int, count) };
            groups_from_nids(nids).and_then(|groups| {
                t.update(|s| {
                    s.set_groups(groups);
                    Ok(1)
                })
            })
        }
        // A client's OCSP request: rustls always asks; the type says whether to look.
        cmd::SET_TLSEXT_STATUS_REQ_TYPE => t.update(|s| {
            s.status_type = larg as c_int;
            Ok(1)
        }),
        cmd::GET_TLSEXT_STATUS_REQ_TYPE => Ok(t.read(|s| s.status_type) as c_long),
        // Differs from OpenSSL: kept as a flag, so a value other than 0 reads back as 1.
        cmd::SET_READ_AHEAD => t.update(|s| {
            let old = s.read_ahead as c_long;
            s.read_ahead = larg != 0;
            Ok(old)
        }),
        cmd::GET_READ_AHEAD => Ok(t.read(|s| s.read_ahead) as c_long),
        cmd::GET_MAX_CERT_LIST => Ok(t.read(|s| s.max_cert_list)),
        cmd::SET_MAX_CERT_LIST if larg < 0 => Ok(0),
        cmd::SET_MAX_CERT_LIST => t.update(|s| Ok(std::mem::replace(&mut s.max_cert_list, larg))),
        // No DHE in rustls: a DH parameter set is accepted and has no effect (and said so).
        cmd::SET_TMP_DH | cmd::SET_TMP_ECDH if parg.is_null() => {
            Err(Error::NullArgument("parameters"))
        }
        cmd::SET_TMP_DH => {
            super::server::dh_notice();
            Ok(1)
        }
        // The key's curve becomes the only group, as OpenSSL.
        cmd::SET_TMP_ECDH => {
            // SAFETY: an EC_KEY*, per the command.
            let Some(nid) = (unsafe { libcrypto::ec_key_curve_nid(parg) }) else {
                return Some(Err(Error::Misuse {
                    reason: reason::MISSING_PARAMETERS,
                    detail: "the EC key has no named curve".into(),
                }));
            };
            groups_from_nids(&[nid]).and_then(|groups| {
                t.update(|s| {
                    s.set_groups(groups);
                    Ok(1)
                })
            })
        }
        cmd::SET_DH_AUTO => Ok(1),
        cmd::SET_TMP_DH_CB => Err(Error::Misuse {
            reason: reason::SHOULD_NOT_HAVE_BEEN_CALLED,
            detail: "SSL_CTRL_SET_TMP_DH_CB is a callback_ctrl command".into(),
        }),
        cmd::SET_MAX_SEND_FRAGMENT if !(512..=16384).contains(&larg) => Ok(0),
        cmd::SET_MAX_SEND_FRAGMENT => t.update(|s| {
            s.max_send_fragment = larg;
            s.split_send_fragment = s.split_send_fragment.min(larg);
            Ok(1)
        }),
        cmd::SET_SPLIT_SEND_FRAGMENT => t.update(|s| {
            if larg <= 0 || larg > s.max_send_fragment {
                return Ok(0);
            }
            s.split_send_fragment = larg;
            Ok(1)
        }),
        // Pipelining is an optimisation rustls does not do; the bound is checked as OpenSSL.
        cmd::SET_MAX_PIPELINES if !(1..=32).contains(&larg) => Ok(0),
        cmd::SET_MAX_PIPELINES => match t {
            Target::Ssl(_) if larg > 1 => t.update(|s| {
                s.read_ahead = true;
                Ok(1)
            }),
            _ => Ok(1),
        },
        cmd::CERT_FLAGS if larg & CERT_FLAG_SUITEB != 0 => Err(refused("Suite B mode")),
        cmd::CERT_FLAGS => t.update(|s| {
            s.cert_flags |= larg;
            Ok(s.cert_flags)
        }),
        cmd::CLEAR_CERT_FLAGS => t.update(|s| {
            s.cert_flags &= !larg;
            Ok(s.cert_flags)
        }),
        cmd::CHAIN_CERT => {
            // SAFETY: an X509*; add0 (larg 0) takes the reference, add1 takes its own.
            let cert = unsafe {
                if larg != 0 {
                    X509Cert::from_borrowed(parg.cast())
                } else {
                    X509Cert::from_raw(parg.cast())
                }
            };
            match cert {
                Some(cert) => t.update(|s| s.credentials.add_chain_cert(cert).map(|_| 1)),
                None => Err(Error::NullArgument("X509")),
            }
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
        // SAFETY: the command's out-parameter.
        cmd::GET_CHAIN_CERTS => unsafe { chain_certs(t, parg) },
        cmd::SELECT_CURRENT_CERT => {
            // SAFETY: an X509* the caller keeps (NULL selects nothing, as OpenSSL).
            match unsafe { X509Cert::from_borrowed(parg.cast()) } {
                Some(x) => t.update(|s| Ok(s.credentials.select_leaf(&x) as c_long)),
                None => Ok(0),
            }
        }
        cmd::SET_CURRENT_CERT if larg == CERT_SET_FIRST || larg == CERT_SET_NEXT => {
            t.update(|s| Ok(s.credentials.select_next(larg == CERT_SET_FIRST) as c_long))
        }
        cmd::BUILD_CERT_CHAIN => super::certificate::build_cert_chain(t, larg),
        // A separate verify or chain store: none is set, and none can be.
        cmd::SET_VERIFY_CERT_STORE | cmd::SET_CHAIN_CERT_STORE if parg.is_null() => Ok(1),
        cmd::SET_VERIFY_CERT_STORE | cmd::SET_CHAIN_CERT_STORE => {
            Err(refused("a separate verify or chain certificate store"))
        }
        cmd::GET_VERIFY_CERT_STORE | cmd::GET_CHAIN_CERT_STORE => {
            // SAFETY: an X509_STORE** out-parameter.
            unsafe { args::out(parg.cast::<*mut c_void>(), std::ptr::null_mut()) };
            Ok(1)
        }
        cmd::SET_SIGALGS..=cmd::SET_CLIENT_SIGALGS_LIST
            if n != cmd::CERT_FLAGS && n != cmd::CLEAR_CERT_FLAGS =>
        {
            Err(refused("signature algorithm lists"))
        }
        _ => return None,
    })
}

/// `SSL_CTX_get_tlsext_ticket_keys` / `SSL_CTX_set_tlsext_ticket_keys`: the context's own
/// ticket keys in OpenSSL's 80-byte form (name | HMAC key | AES key); 1.
///
/// # Safety
/// `parg` must be valid for 80 bytes (writable for a get).
unsafe fn ticket_keys(ctx: &Context, set: bool, parg: *mut c_void) -> Result<c_long> {
    use crate::libcrypto::{TicketKeys, TICKET_KEYS_LEN};
    if set {
        // SAFETY: per the contract.
        let keys = unsafe { args::bytes(parg.cast(), TICKET_KEYS_LEN, "keys") }?;
        let mut bytes = [0u8; TICKET_KEYS_LEN];
        bytes.copy_from_slice(keys);
        ctx.set_ticket_keys(TicketKeys::from_bytes(bytes));
    } else {
        // SAFETY: per the contract.
        let out = unsafe { args::bytes_mut(parg.cast(), TICKET_KEYS_LEN, "keys") }?;
        out.copy_from_slice(&ctx.ticket_keys().to_bytes());
    }
    Ok(1)
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
        cmd::SET_SESS_CACHE_SIZE if larg < 0 => Ok(0),
        cmd::SET_SESS_CACHE_SIZE => {
            ctx.update(|s| Ok(std::mem::replace(&mut s.session_cache_size, larg)))
        }
        cmd::GET_SESS_CACHE_SIZE => Ok(ctx.settings().session_cache_size),
        cmd::SESS_NUMBER => Ok(ctx.internal_sessions().len() as c_long),
        // Handshakes started, completed and resumed are counted as by OpenSSL; renegotiations
        // (none), cache misses, callback hits, timeouts and overflows stay 0.
        n if n > cmd::SESS_NUMBER && n <= cmd::SESS_CACHE_FULL => {
            Ok(ctx.stats.get((n - cmd::SESS_NUMBER - 1) as usize) as c_long)
        }
        cmd::SET_MSG_CALLBACK_ARG => {
            ctx.set_callbacks(|c| c.msg_arg = parg as usize);
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
        cmd::GET_TLSEXT_STATUS_REQ_CB_ARG => {
            let arg = ctx.callbacks().status_arg as *mut c_void;
            // SAFETY: a void** out-parameter.
            unsafe { args::out(parg.cast::<*mut c_void>(), arg) };
            Ok(1)
        }
        cmd::GET_TLSEXT_STATUS_REQ_CB => {
            let raw = ctx.callbacks().status.as_ref().map_or(0, |h| h.raw);
            // SAFETY: a function-pointer out-parameter (written as the pointer's bits).
            unsafe { args::out(parg.cast::<usize>(), raw) };
            Ok(1)
        }
        cmd::GET_TLSEXT_TICKET_KEYS | cmd::SET_TLSEXT_TICKET_KEYS if parg.is_null() => {
            Ok(TICKET_KEYS_LEN)
        }
        cmd::GET_TLSEXT_TICKET_KEYS | cmd::SET_TLSEXT_TICKET_KEYS if larg != TICKET_KEYS_LEN => {
            Err(Error::Misuse {
                reason: reason::INVALID_TICKET_KEYS_LENGTH,
                detail: format!("ticket keys are {TICKET_KEYS_LEN} bytes, not {larg}"),
            })
        }
        // SAFETY: parg is the caller's non-NULL buffer of larg (checked: 80) bytes.
        cmd::GET_TLSEXT_TICKET_KEYS | cmd::SET_TLSEXT_TICKET_KEYS => unsafe {
            ticket_keys(ctx, n == cmd::SET_TLSEXT_TICKET_KEYS, parg)
        },
        cmd::EXTRA_CHAIN_CERT => {
            // SAFETY: an X509* whose reference the context takes.
            match unsafe { X509Cert::from_raw(parg.cast()) } {
                Some(cert) => ctx.update(|s| s.credentials.add_chain_cert(cert).map(|_| 1)),
                None => Err(Error::NullArgument("X509")),
            }
        }
        // SAFETY: the command's out-parameter.
        cmd::GET_EXTRA_CHAIN_CERTS => unsafe { chain_certs(&Target::Ctx(ctx.clone()), parg) },
        cmd::CLEAR_EXTRA_CHAIN_CERTS => {
            ctx.update(|s| s.credentials.set_chain(Vec::new()).map(|_| 1))
        }
        cmd::SET_TLS_EXT_SRP_USERNAME..=cmd::SET_TLS_EXT_SRP_PASSWORD => Err(refused("SRP")),
        // SAFETY: a STACK_OF(OPENSSL_CSTRING) or NULL, per the command.
        ctrl35::GET0_IMPLEMENTED_GROUPS => unsafe {
            Ok(ctrl35::implemented_groups(ctx, larg, parg))
        },
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
    unsafe { common(&Target::Ctx(ctx), cmd, larg, parg) }.unwrap_or(Ok(0))
}

/// `SSL_set_tlsext_host_name`: the SNI a client sends (NULL clears it).
///
/// # Safety
/// `parg` must be NULL or a C string.
unsafe fn set_host_name(
    conn: &crate::core::connection::Connection,
    larg: c_long,
    parg: *mut c_void,
) -> Result<c_long> {
    if larg != 0 {
        return Err(Error::Misuse {
            reason: reason::SSL3_EXT_INVALID_SERVERNAME_TYPE,
            detail: format!("server name type {larg}"),
        });
    }
    let name = if parg.is_null() {
        None
    } else {
        // SAFETY: a C string, per the command.
        let n = unsafe { args::cstr(parg as *const c_char, "host name") }?;
        if n.to_bytes().is_empty() || n.to_bytes().len() > 255 {
            return Err(Error::Misuse {
                reason: reason::SSL3_EXT_INVALID_SERVERNAME,
                detail: "server name must be 1 to 255 bytes".into(),
            });
        }
        Some(CString::from(n))
    };
    conn.set_sni(name);
    Ok(1)
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
    let client = conn.role() == Some(Role::Client);
    // SAFETY (all the unsafe calls below): parg is what the command takes, per the caller.
    match cmd {
        cmd::SET_TLSEXT_HOSTNAME => unsafe { set_host_name(&conn, larg, parg) },
        cmd::GET_NEGOTIATED_GROUP => Ok(neg::negotiated_group(&conn)),
        cmd::GET_PEER_TMP_KEY => Ok(unsafe { neg::peer_tmp_key(&conn, parg.cast()) }),
        cmd::GET_RI_SUPPORT => Ok(neg::ri_support(&conn)),
        cmd::GET_GROUPS => Ok(unsafe { neg::groups(&conn, parg.cast()) }),
        cmd::GET_SHARED_GROUP => Ok(neg::shared_group(&conn, larg)),
        cmd::GET_EC_POINT_FORMATS => Ok(unsafe { neg::ec_point_formats(&conn, parg.cast()) }),
        cmd::GET_PEER_SIGNATURE_NID => Ok(unsafe { neg::peer_signature_nid(&conn, parg.cast()) }),
        ctrl35::GET_IANA_GROUPS => Ok(unsafe { ctrl35::iana_groups(&conn, parg.cast()) }),
        ctrl35::GET_SIGNATURE_NAME | ctrl35::GET_PEER_SIGNATURE_NAME => Ok(unsafe {
            ctrl35::signature_name(&conn, cmd == ctrl35::GET_PEER_SIGNATURE_NAME, parg.cast())
        }),
        // Differs from OpenSSL: a client does not learn the certificate types of a TLS 1.2
        // CertificateRequest (rustls does not expose them), so answers as when none came.
        cmd::GET_CLIENT_CERT_TYPES => Ok(0),
        cmd::GET_RAW_CIPHERLIST => {
            Ok(unsafe { super::client_hello::raw_cipherlist(&conn, parg.cast()) })
        }
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
            // The bytes stay with the connection (a response cached per connection, as
            // OpenSSL's points into its own copy).
            let resp = conn.ocsp_response();
            let (p, n) = match &resp {
                Some(r) => (conn.keep_ocsp_copy(r), r.len() as c_long),
                None => (std::ptr::null(), -1),
            };
            unsafe { args::out(parg as *mut *const u8, p) };
            Ok(n)
        }
        // No OCSP request extensions or responder ids: none set, and none can be.
        cmd::GET_TLSEXT_STATUS_REQ_EXTS | cmd::GET_TLSEXT_STATUS_REQ_IDS => {
            unsafe { args::out(parg.cast::<*mut c_void>(), std::ptr::null_mut()) };
            Ok(1)
        }
        cmd::SET_TLSEXT_STATUS_REQ_EXTS | cmd::SET_TLSEXT_STATUS_REQ_IDS if parg.is_null() => Ok(1),
        cmd::SET_TLSEXT_STATUS_REQ_EXTS | cmd::SET_TLSEXT_STATUS_REQ_IDS => {
            Err(refused("OCSP request extensions and responder ids"))
        }
        // No renegotiation in rustls: there never is one to count.
        cmd::GET_NUM_RENEGOTIATIONS
        | cmd::CLEAR_NUM_RENEGOTIATIONS
        | cmd::GET_TOTAL_RENEGOTIATIONS => Ok(0),
        // Differs from OpenSSL: accepted; the message and debug callbacks are never called
        // (rustls does not expose individual messages and extensions).
        cmd::SET_MSG_CALLBACK_ARG | cmd::SET_TLSEXT_DEBUG_ARG => Ok(1),
        cmd::SET_CLIENT_CERT_TYPES if client => Ok(0),
        cmd::SET_CLIENT_CERT_TYPES if parg.is_null() || larg == 0 => Ok(1),
        cmd::SET_CLIENT_CERT_TYPES => Err(refused("client certificate types")),
        // Which certificate the handshake used: none before it, none on a client.
        cmd::SET_CURRENT_CERT if larg == CERT_SET_SERVER => {
            if client || conn.handshake_info().is_none() {
                Ok(0)
            } else {
                Err(refused("SSL_set_current_cert(SSL_CERT_SET_SERVER)"))
            }
        }
        cmd::SET_CURRENT_CERT if larg != CERT_SET_FIRST && larg != CERT_SET_NEXT => Ok(0),
        cmd::SET_RETRY_VERIFY => Err(refused("SSL_set_retry_verify (rustls verifies at once)")),
        // Context-only commands reach ssl3_ctrl's default on an SSL: 0, nothing queued.
        cmd::EXTRA_CHAIN_CERT | cmd::GET_EXTRA_CHAIN_CERTS | cmd::CLEAR_EXTRA_CHAIN_CERTS => Ok(0),
        n => unsafe { common(&Target::Ssl(conn), n, larg, parg) }.unwrap_or(Ok(0)),
    }
}
