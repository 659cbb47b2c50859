//! SSL_poll(3), SSL_get_rpoll_descriptor(3), SSL_net_read_desired(3), SSL_get_event_timeout(3):
//! the OpenSSL 3.2+ event-loop API that is not QUIC-only, answered for ferrossl's TLS-over-TCP
//! objects as OpenSSL 3.5 answers for a non-QUIC `SSL`. ferrossl is not a QUIC stack: the QUIC
//! methods are refused and the stream, listener and domain calls answer as for a TLS object
//! (abi/behaviour.py); the functions here need more than a constant.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_int, c_void};
use std::time::Duration;

use super::handle;
use super::types::*;
use crate::core::connection::code;
use crate::core::error::{reason, Error, Result};
use crate::libcrypto::ffi;

/// `SSL_POLL_EVENT_F`: the item could not be polled.
const POLL_EVENT_F: u64 = 1;
/// `BIO_POLL_DESCRIPTOR_TYPE_SSL`.
const DESCRIPTOR_TYPE_SSL: u32 = 2;
/// `SSL_R_POLL_REQUEST_NOT_SUPPORTED` (OpenSSL 3.3).
const POLL_REQUEST_NOT_SUPPORTED: c_int = 418;
/// `BIO_CTRL_GET_RPOLL_DESCRIPTOR` / `BIO_CTRL_GET_WPOLL_DESCRIPTOR` (OpenSSL 3.2's libcrypto;
/// a 3.0 libcrypto answers 0 to the unknown control, as a BIO without a descriptor).
const BIO_CTRL_GET_RPOLL_DESCRIPTOR: c_int = 91;
const BIO_CTRL_GET_WPOLL_DESCRIPTOR: c_int = 92;

/// `SSL_poll` (abi/behaviour_quic.py): OpenSSL 3.5 polls only QUIC objects. An item whose
/// descriptor names no `SSL` is a no-op (revents 0); the first other item (a TLS `SSL`, a
/// socket, an unknown type) fails the call: its revents become `SSL_POLL_EVENT_F`, the later
/// items' 0, `*result_count` 1, and `SSL_R_POLL_REQUEST_NOT_SUPPORTED` is queued. With only
/// no-op items the call waits for the timeout (for ever when it is NULL, as OpenSSL) and
/// reports nothing.
///
/// # Safety
/// `items` holds `num_items` items `stride` bytes apart; `timeout` and `result_count` are
/// NULL or valid.
#[cfg(feature = "ossl330")]
pub unsafe fn poll(
    items: *mut SSL_POLL_ITEM,
    num_items: usize,
    stride: usize,
    timeout: *const timeval,
    result_count: *mut usize,
) -> Result<c_int> {
    // SAFETY: the caller's timeval, or NULL.
    let wait = unsafe { timeout.as_ref() }.map(|t| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    });
    if num_items > 0 && items.is_null() {
        return Err(Error::Misuse {
            reason: reason::PASSED_NULL_PARAMETER,
            detail: "SSL_poll: no items".into(),
        });
    }
    let item = |i: usize| -> *mut SSL_POLL_ITEM {
        // In bounds: the caller gives `num_items` items `stride` bytes apart.
        items.cast::<u8>().wrapping_add(i * stride).cast()
    };
    for i in 0..num_items {
        // SAFETY: item i of the caller's array (see above).
        let it = unsafe { &mut *item(i) };
        // SAFETY: reading the union's `ssl` member is what the type selects.
        if it.desc.type_ == DESCRIPTOR_TYPE_SSL && unsafe { it.desc.value.ssl }.is_null() {
            it.revents = 0;
            continue;
        }
        it.revents = POLL_EVENT_F;
        for j in i + 1..num_items {
            // SAFETY: as above.
            unsafe { (*item(j)).revents = 0 };
        }
        // SAFETY: the caller's out-parameter, or NULL.
        unsafe { super::args::out(result_count, 1) };
        return Err(Error::Misuse {
            reason: POLL_REQUEST_NOT_SUPPORTED,
            detail: "SSL_poll: only QUIC objects can be polled, as in OpenSSL 3.5".into(),
        });
    }
    // Nothing to report: wait out the timeout, as OpenSSL does.
    match wait {
        Some(d) => std::thread::sleep(d),
        None if num_items > 0 => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        None => {}
    }
    // SAFETY: the caller's out-parameter, or NULL.
    unsafe { super::args::out(result_count, 0) };
    Ok(1)
}

/// The poll descriptor of `s`'s read or write BIO, asked of the BIO as OpenSSL does (a socket
/// BIO of a 3.2+ libcrypto answers with its fd); 0 and `desc` untouched when there is none.
fn poll_descriptor(s: *mut SSL, write: bool, desc: *mut BIO_POLL_DESCRIPTOR) -> Result<c_int> {
    if s.is_null() {
        return Ok(0);
    }
    let (rbio, wbio) = handle::ssl(s)?.bio_ptrs();
    let bio = if write { wbio } else { rbio };
    if bio.is_null() || desc.is_null() {
        return Ok(0);
    }
    let cmd = if write {
        BIO_CTRL_GET_WPOLL_DESCRIPTOR
    } else {
        BIO_CTRL_GET_RPOLL_DESCRIPTOR
    };
    // SAFETY: a live BIO of the connection; the control writes one BIO_POLL_DESCRIPTOR.
    Ok((unsafe { ffi::BIO_ctrl(bio, cmd, 0, desc.cast::<c_void>()) } > 0) as c_int)
}

/// Whether the last operation on `s` ended wanting `want` (0 for NULL, without an error).
fn wants(s: *mut SSL, want: c_int) -> Result<c_int> {
    if s.is_null() {
        return Ok(0);
    }
    Ok((handle::ssl(s)?.last_error() == want) as c_int)
}

/// `SSL_get_rpoll_descriptor`: the read BIO's poll descriptor (1), or 0 without one.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_rpoll_descriptor(s: *mut SSL, desc: *mut BIO_POLL_DESCRIPTOR) -> c_int {
    poll_descriptor(s, false, desc)
}

/// `SSL_get_wpoll_descriptor`: the write BIO's poll descriptor (1), or 0 without one.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_wpoll_descriptor(s: *mut SSL, desc: *mut BIO_POLL_DESCRIPTOR) -> c_int {
    poll_descriptor(s, true, desc)
}

/// `SSL_net_read_desired`: on a TLS object, whether the last operation wants to read
/// (`SSL_want_read`); 0 for NULL, as OpenSSL.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_net_read_desired(s: *mut SSL) -> c_int {
    wants(s, code::WANT_READ)
}

/// `SSL_net_write_desired`: on a TLS object, whether the last operation wants to write
/// (`SSL_want_write`); 0 for NULL, as OpenSSL.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_net_write_desired(s: *mut SSL) -> c_int {
    wants(s, code::WANT_WRITE)
}

/// `SSL_get_event_timeout`: a TLS-over-TCP object has no timer (only DTLS and QUIC have), so
/// 1 with `*tv` = 1,000,000 s and `*is_infinite` = 1, as OpenSSL 3.5 answers, also for NULL.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get_event_timeout(
    _s: *mut SSL,
    tv: *mut timeval,
    is_infinite: *mut c_int,
) -> c_int {
    // SAFETY: the caller's out-parameters, or NULL.
    unsafe {
        super::args::out(
            tv,
            timeval {
                tv_sec: 1_000_000,
                tv_usec: 0,
            },
        );
        super::args::out(is_infinite, 1);
    }
    Ok(1)
}

/// The layout of an `OSSL_DISPATCH` entry (<openssl/core.h>): a function id (0 ends the
/// table) and a function pointer.
#[repr(C)]
struct DispatchEntry {
    function_id: c_int,
    function: Option<unsafe extern "C" fn()>,
}

/// The `OSSL_FUNC_SSL_QUIC_TLS_*` ids (<openssl/core_dispatch.h>) a table must provide:
/// crypto_send, crypto_recv_rcd, crypto_release_rcd, yield_secret, got_transport_params, alert.
const QUIC_TLS_FUNCTIONS: [c_int; 6] = [2001, 2002, 2003, 2004, 2005, 2006];

/// Whether an `OSSL_DISPATCH` table holds the six QUIC TLS callbacks OpenSSL 3.5 requires of
/// `SSL_set_quic_tls_cbs` (abi/behaviour_quic.py, which refuses the call after this check).
///
/// # Safety
/// `qtdis` is NULL or a table terminated by an entry with function id 0.
#[cfg(feature = "ossl350")]
pub unsafe fn quic_tls_table_complete(qtdis: *const OSSL_DISPATCH) -> bool {
    let mut found = [false; 6];
    let mut entry = qtdis.cast::<DispatchEntry>();
    // SAFETY: the caller's table, terminated by an entry with function id 0 (or NULL).
    while let Some(e) = unsafe { entry.as_ref() } {
        if e.function_id == 0 {
            break;
        }
        if let Some(i) = QUIC_TLS_FUNCTIONS
            .iter()
            .position(|&id| id == e.function_id)
        {
            found[i] |= e.function.is_some();
        }
        entry = entry.wrapping_add(1);
    }
    found.iter().all(|&f| f)
}
