//! OpenSSL 3.2 to 3.5's additions that act on a TLS connection, context or session
//! (SSL_get0_group_name(3), SSL_shutdown_ex(3), SSL_write_ex2(3), SSL_SESSION_get_time_ex(3),
//! SSL_CTX_flush_sessions_ex(3), SSL_get1_builtin_sigalgs(3), SSL_is_tls(3),
//! SSL_get_handshake_rtt(3), d2i_SSL_SESSION_ex(3)). Where 3.5 answers for a TLS object what
//! its older function answers, these call that function; the QUIC-only behaviour (stream
//! conclusion, QUIC shutdown arguments) never applies, since ferrossl makes no QUIC objects.

#![allow(non_snake_case)]

use std::ffi::{c_char, c_int, c_long, c_uchar, c_void};
use std::ptr;

use ferrossl_macros::export;
use rustls::SignatureScheme;

use super::handle;
use super::types::*;
use crate::core::connection::SENT_SHUTDOWN;
use crate::core::context::group_nid;
use crate::core::error::{reason, Error};

/// `SSL_R_UNSUPPORTED_WRITE_FLAG`.
const UNSUPPORTED_WRITE_FLAG: c_int = 412;

/// `SSL_get0_group_name`: the name (as OpenSSL 3.5's default provider spells it: "x25519",
/// "secp256r1", "X25519MLKEM768") of the group the handshake's key exchange used (during a
/// handshake: once chosen); NULL for a NULL connection. Differs from OpenSSL: before a
/// handshake it answers NULL, where OpenSSL 3.5 reads the connection's not yet existing
/// session and crashes.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_group_name(s: *mut SSL) -> *const c_char {
    if s.is_null() {
        return Ok(ptr::null());
    }
    let conn = handle::ssl(s)?;
    Ok(conn
        .kx_group()
        .and_then(|g| super::negotiated::group_name_of_nid(group_nid(g)))
        .map_or(ptr::null(), |n| n.as_ptr()))
}

/// `SSL_shutdown_ex`: on a TLS connection `SSL_shutdown` (the flags and arguments are QUIC's);
/// -1 for a NULL connection, without an error, as OpenSSL.
#[cfg(feature = "ossl320")]
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_shutdown_ex(
    s: *mut SSL,
    _flags: u64,
    _args: *const SSL_SHUTDOWN_EX_ARGS,
    _args_len: usize,
) -> c_int {
    if s.is_null() {
        return Ok(-1);
    }
    Ok(super::io::SSL_shutdown(s))
}

/// `SSL_write_ex2`: `SSL_write_ex` with flags; on a TLS connection every flag (the only one,
/// `SSL_WRITE_FLAG_CONCLUDE`, is QUIC's) fails the call with `SSL_R_UNSUPPORTED_WRITE_FLAG`,
/// after the checks for a connection without role (`SSL_R_UNINITIALIZED`) and one that sent
/// its close_notify (`SSL_R_PROTOCOL_IS_SHUTDOWN`), as OpenSSL. 0 for a NULL connection.
///
/// # Safety
/// As `SSL_write_ex`.
#[cfg(feature = "ossl330")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_write_ex2(
    s: *mut SSL,
    buf: *const c_void,
    num: usize,
    flags: u64,
    written: *mut usize,
) -> c_int {
    if s.is_null() {
        return Ok(0);
    }
    if flags == 0 {
        // SAFETY: the caller's contract is SSL_write_ex's.
        return Ok(unsafe { super::io::SSL_write_ex(s, buf, num, written) });
    }
    let conn = handle::ssl(s)?;
    let (reason, detail) = if !conn.state_set() {
        (
            reason::UNINITIALIZED,
            "no role set: call SSL_set_connect_state or SSL_set_accept_state",
        )
    } else if conn.shutdown_flags() & SENT_SHUTDOWN != 0 {
        (reason::PROTOCOL_IS_SHUTDOWN, "close_notify was sent")
    } else {
        (
            UNSUPPORTED_WRITE_FLAG,
            "write flags are for QUIC streams only",
        )
    };
    Err(Error::Misuse {
        reason,
        detail: format!("SSL_write_ex2: {detail}"),
    })
}

/// `SSL_SESSION_get_time_ex`: when the session was made (seconds since the epoch); 0 for NULL.
#[cfg(feature = "ossl330")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get_time_ex(s: *const SSL_SESSION) -> time_t {
    Ok(time_t::from(super::session::SSL_SESSION_get_time(s)))
}

/// `SSL_SESSION_set_time_ex`: sets when the session was made; returns `t`, 0 for NULL.
#[cfg(feature = "ossl330")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_set_time_ex(s: *mut SSL_SESSION, t: time_t) -> time_t {
    let t = c_long::try_from(t).map_err(|_| Error::InvalidArgument("time out of range".into()))?;
    Ok(time_t::from(super::session::SSL_SESSION_set_time(s, t)))
}

/// `SSL_CTX_flush_sessions_ex`: `SSL_CTX_flush_sessions` with a `time_t`.
#[cfg(feature = "ossl340")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_flush_sessions_ex(ctx: *mut SSL_CTX, t: time_t) {
    let t = c_long::try_from(t).map_err(|_| Error::InvalidArgument("time out of range".into()))?;
    super::session_cache::SSL_CTX_flush_sessions(ctx, t);
    Ok(())
}

/// OpenSSL 3.5's built-in TLS signature algorithms, in the order and with the names of its
/// table (`SSL_get1_builtin_sigalgs`, `SSL_CTX_set1_sigalgs_list`).
const SIGALG_NAMES_35: [(u16, &str); 26] = [
    (0x0403, "ecdsa_secp256r1_sha256"),
    (0x0503, "ecdsa_secp384r1_sha384"),
    (0x0603, "ecdsa_secp521r1_sha512"),
    (0x0807, "ed25519"),
    (0x0808, "ed448"),
    (0x0303, "ecdsa_sha224"),
    (0x0203, "ecdsa_sha1"),
    (0x081a, "ecdsa_brainpoolP256r1tls13_sha256"),
    (0x081b, "ecdsa_brainpoolP384r1tls13_sha384"),
    (0x081c, "ecdsa_brainpoolP512r1tls13_sha512"),
    (0x0804, "rsa_pss_rsae_sha256"),
    (0x0805, "rsa_pss_rsae_sha384"),
    (0x0806, "rsa_pss_rsae_sha512"),
    (0x0809, "rsa_pss_pss_sha256"),
    (0x080a, "rsa_pss_pss_sha384"),
    (0x080b, "rsa_pss_pss_sha512"),
    (0x0401, "rsa_pkcs1_sha256"),
    (0x0501, "rsa_pkcs1_sha384"),
    (0x0601, "rsa_pkcs1_sha512"),
    (0x0301, "rsa_pkcs1_sha224"),
    (0x0201, "rsa_pkcs1_sha1"),
    (0x0402, "dsa_sha256"),
    (0x0502, "dsa_sha384"),
    (0x0602, "dsa_sha512"),
    (0x0302, "dsa_sha224"),
    (0x0202, "dsa_sha1"),
];

/// `SSL_get1_builtin_sigalgs`: the colon-separated names of the TLS signature algorithms the
/// library can use, in an `OPENSSL_malloc`ed string the caller frees; NULL when out of memory.
/// Differs from OpenSSL on purpose: OpenSSL lists every algorithm of its table its providers
/// (in `libctx`) can run, ferrossl lists those rustls negotiates (its provider's verification
/// schemes, which are also the ones it signs with), by OpenSSL's names and in OpenSSL's order:
/// a subset of OpenSSL 3.5's list without ed448, SHA-1/SHA-224, brainpool, RSA-PSS-key and DSA
/// schemes. `libctx` is not consulted.
#[cfg(feature = "ossl340")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_get1_builtin_sigalgs(_libctx: *mut OSSL_LIB_CTX) -> *mut c_char {
    let ours = rustls::crypto::aws_lc_rs::default_provider()
        .signature_verification_algorithms
        .supported_schemes();
    let mut list = SIGALG_NAMES_35
        .iter()
        .filter(|(code, _)| ours.contains(&SignatureScheme::from(*code)))
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(":")
        .into_bytes();
    list.push(0);
    let p = crate::libcrypto::openssl_copy(&list);
    if p.is_null() {
        return Err(Error::Internal("out of memory".into()));
    }
    Ok(p.cast())
}

/// `SSL_is_tls`: 1 for a TLS connection, which every ferrossl connection is; 0 for NULL without
/// an error, as OpenSSL 3.5.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_is_tls(s: *const SSL) -> c_int {
    if s.is_null() {
        return Ok(0);
    }
    handle::ssl(s)?;
    Ok(1)
}

/// `SSL_is_quic`: 0, ferrossl makes no QUIC objects (also for NULL, without an error, as
/// OpenSSL).
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_is_quic(s: *const SSL) -> c_int {
    if !s.is_null() {
        handle::ssl(s)?;
    }
    Ok(0)
}

/// `SSL_is_connection`: 1, a TLS connection is its own connection object (OpenSSL answers 1
/// for NULL too, without an error: its `SSL_get0_connection(NULL)` is NULL).
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_is_connection(s: *mut SSL) -> c_int {
    if !s.is_null() {
        handle::ssl(s)?;
    }
    Ok(1)
}

/// `SSL_get_handshake_rtt`: 1 and `*rtt` (microseconds) once the handshake's round trip was
/// measured, 0 before, -1 for NULL. Measured as OpenSSL does: a client from sending its
/// ClientHello to having read the server's flight, a server from sending its first flight to
/// having read the client's answer. As OpenSSL, the times survive `SSL_clear`: the last
/// handshake's until the next handshake's first flight goes out, then -1 until that
/// handshake's answer is read.
///
/// # Safety
/// `rtt` must be writable when the answer is 1.
#[cfg(feature = "ossl320")]
#[export(fail = -1)]
#[no_mangle]
pub unsafe extern "C" fn SSL_get_handshake_rtt(s: *const SSL, rtt: *mut u64) -> c_int {
    if s.is_null() {
        return Ok(-1);
    }
    let d = match handle::ssl(s)?.handshake_rtt() {
        None => return Ok(0),
        Some(Err(())) => return Ok(-1),
        Some(Ok(d)) => d,
    };
    if rtt.is_null() {
        return Err(Error::NullArgument("rtt"));
    }
    // SAFETY: a writable out-parameter (checked non-NULL).
    unsafe { *rtt = u64::try_from(d.as_micros()).unwrap_or(u64::MAX) };
    Ok(1)
}

/// `d2i_SSL_SESSION_ex`: `d2i_SSL_SESSION`; the library context and property query (for
/// fetching the session's cipher and digest) are accepted and not needed.
///
/// # Safety
/// As `d2i_SSL_SESSION`.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn d2i_SSL_SESSION_ex(
    a: *mut *mut SSL_SESSION,
    pp: *mut *const c_uchar,
    length: c_long,
    _libctx: *mut OSSL_LIB_CTX,
    _propq: *const c_char,
) -> *mut SSL_SESSION {
    // SAFETY: the caller's contract is d2i_SSL_SESSION's.
    Ok(unsafe { super::session::d2i_SSL_SESSION(a, pp, length) })
}
