//! SSL_SESSION_set1_id(3), SSL_SESSION_set1_id_context(3), SSL_SESSION_print(3),
//! PEM_write_bio_SSL_SESSION(3) and PEM_read_bio_SSL_SESSION(3): a session's identity, its
//! text form and its PEM form (`SSL SESSION PARAMETERS` around `i2d_SSL_SESSION`).

#![allow(non_snake_case)]

use std::ffi::{c_int, c_uchar, c_uint, c_void};
use std::ptr;

use ferrossl_macros::export;

use super::args;
use super::boundary;
use super::handle;
use super::session::{d2i_SSL_SESSION, i2d_SSL_SESSION};
use super::types::*;
use crate::core::error::{reason, Error, Result};
use crate::core::session_text;
use crate::libcrypto::pem::SSL_SESSION_PEM;
use crate::libcrypto::{ffi, Bio, PasswordCb};

/// `SSL_MAX_SSL_SESSION_ID_LENGTH` and `SSL_MAX_SID_CTX_LENGTH`.
const MAX_ID: c_uint = 32;
const MAX_SID_CTX: c_uint = 32;

/// `SSL_SESSION_set1_id`: sets the session ID (a copy, at most 32 bytes); 1 on success, 0 with
/// `SSL_R_SSL_SESSION_ID_TOO_LONG`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_id(
    s: *mut SSL_SESSION,
    sid: *const c_uchar,
    sid_len: c_uint,
) -> c_int {
    let sess = handle::session(s)?;
    if sid_len > MAX_ID {
        return Err(Error::Misuse {
            reason: reason::SSL_SESSION_ID_TOO_LONG,
            detail: format!("session ID of {sid_len} bytes (at most {MAX_ID})"),
        });
    }
    // SAFETY: sid_len readable bytes.
    let id = unsafe { args::bytes(sid, sid_len as usize, "sid") }?.to_vec();
    sess.update(|d| d.id = id);
    Ok(1)
}

/// `SSL_SESSION_set1_id_context`: sets the session ID context (a copy, at most 32 bytes); 1
/// on success, 0 with `SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_id_context(
    s: *mut SSL_SESSION,
    sid_ctx: *const c_uchar,
    sid_ctx_len: c_uint,
) -> c_int {
    let sess = handle::session(s)?;
    if sid_ctx_len > MAX_SID_CTX {
        return Err(Error::Misuse {
            reason: reason::SSL_SESSION_ID_CONTEXT_TOO_LONG,
            detail: format!("session ID context of {sid_ctx_len} bytes (at most {MAX_SID_CTX})"),
        });
    }
    // SAFETY: sid_ctx_len readable bytes.
    let ctx = unsafe { args::bytes(sid_ctx, sid_ctx_len as usize, "sid_ctx") }?.to_vec();
    sess.update(|d| d.id_context = ctx);
    Ok(1)
}

/// `SSL_SESSION_get0_id_context`: the session ID context (owned by the session) and its
/// length in `*sid_ctx_length`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_id_context(
    s: *const SSL_SESSION,
    sid_ctx_length: *mut c_uint,
) -> *const c_uchar {
    let sess = handle::session(s)?;
    let (p, n) = {
        let d = sess.data();
        (d.id_context.as_ptr(), d.id_context.len() as c_uint)
    };
    // SAFETY: out-parameter.
    unsafe { args::out(sid_ctx_length, n) };
    Ok(p)
}

/// The program's BIO, with a reference of our own for the call.
///
/// # Safety
/// `bp` must be NULL or a live BIO.
unsafe fn program_bio(bp: *mut BIO) -> Result<Bio> {
    // SAFETY: per the contract.
    unsafe { Bio::from_borrowed(bp.cast()) }.ok_or(Error::NullArgument("bp"))
}

/// A BIO over the program's `FILE *`; `ERR_R_BUF_LIB` when there is none.
///
/// # Safety
/// `fp` must be NULL or a live `FILE *`.
unsafe fn file_bio(fp: *mut FILE) -> Result<Bio> {
    if fp.is_null() {
        return Err(Error::NullArgument("fp"));
    }
    // SAFETY: per the contract.
    unsafe { Bio::file_stream(fp.cast()) }.ok_or(Error::Misuse {
        reason: reason::BUF_LIB,
        detail: "BIO_new_fp failed".into(),
    })
}

fn print_to(bio: &Bio, x: *const SSL_SESSION) -> Result<c_int> {
    // As OpenSSL, a NULL session prints nothing and fails without an error.
    if x.is_null() {
        return Ok(0);
    }
    let text = session_text::print(&handle::session(x)?.data());
    Ok(bio.write_all(text.as_bytes()) as c_int)
}

/// `SSL_SESSION_print`: writes the session as text (OpenSSL's layout) to `bp`; 1 on success.
///
/// Differs from OpenSSL: the master key / resumption PSK line is empty (rustls does not give
/// secrets out), no ticket is dumped, and the verify result is not recorded (see
/// `core::session_text`).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_print(bp: *mut BIO, x: *const SSL_SESSION) -> c_int {
    // SAFETY: the program's BIO.
    let bio = unsafe { program_bio(bp) }?;
    print_to(&bio, x)
}

/// `SSL_SESSION_print_fp`: as `SSL_SESSION_print`, to a stdio stream.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_print_fp(fp: *mut FILE, x: *const SSL_SESSION) -> c_int {
    // SAFETY: the program's stream.
    let bio = unsafe { file_bio(fp) }?;
    print_to(&bio, x)
}

/// `SSL_SESSION_print_keylog`: the NSS keylog line `RSA Session-ID:... Master-Key:...`; 0
/// (and nothing written) when the session has no ID or no known master key, which with rustls
/// is always (it does not give secrets out).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_print_keylog(bp: *mut BIO, x: *const SSL_SESSION) -> c_int {
    if x.is_null() {
        return Ok(0);
    }
    let Some(line) = session_text::keylog(&handle::session(x)?.data()) else {
        return Ok(0);
    };
    // SAFETY: the program's BIO.
    let bio = unsafe { program_bio(bp) }?;
    Ok(bio.write_all(line.as_bytes()) as c_int)
}

fn der_of(x: *const SSL_SESSION) -> Result<Vec<u8>> {
    // SAFETY: NULL asks i2d for the length only; then a buffer of that length.
    let len = unsafe { i2d_SSL_SESSION(x, ptr::null_mut()) };
    if len <= 0 {
        return Err(Error::Queued);
    }
    let mut der = vec![0u8; len as usize];
    let mut p = der.as_mut_ptr();
    // SAFETY: der has len writable bytes.
    if unsafe { i2d_SSL_SESSION(x, &mut p) } != len {
        return Err(Error::Queued);
    }
    Ok(der)
}

fn write_pem(bio: &Bio, x: *const SSL_SESSION) -> Result<c_int> {
    let Ok(der) = der_of(x) else {
        // As PEM_ASN1_write_bio when i2d gives nothing.
        crate::libcrypto::err::push_lib(ffi::ERR_LIB_PEM, ffi::ERR_R_ASN1_LIB, boundary::current());
        return Ok(0);
    };
    // PEM_write_bio queues PEM's own reasons when it fails.
    Ok(bio.write_pem(SSL_SESSION_PEM, &der) as c_int)
}

/// `PEM_write_bio_SSL_SESSION`: the session as a `SSL SESSION PARAMETERS` PEM block; 1 on
/// success.
#[export]
#[no_mangle]
pub unsafe extern "C" fn PEM_write_bio_SSL_SESSION(bp: *mut BIO, x: *const SSL_SESSION) -> c_int {
    // SAFETY: the program's BIO.
    let bio = unsafe { program_bio(bp) }?;
    write_pem(&bio, x)
}

/// `PEM_write_SSL_SESSION`: as `PEM_write_bio_SSL_SESSION`, to a stdio stream.
#[export]
#[no_mangle]
pub unsafe extern "C" fn PEM_write_SSL_SESSION(fp: *mut FILE, x: *const SSL_SESSION) -> c_int {
    // SAFETY: the program's stream.
    let bio = unsafe { file_bio(fp) }?;
    write_pem(&bio, x)
}

/// # Safety
/// `x` as `d2i_SSL_SESSION`'s first argument; `cb`/`u` a valid password callback.
unsafe fn read_pem(
    bio: &Bio,
    x: *mut *mut SSL_SESSION,
    cb: pem_password_cb_ptr,
    u: *mut c_void,
) -> Result<*mut SSL_SESSION> {
    // SAFETY: the program's callback and its argument.
    let pw = unsafe { PasswordCb::new(cb, u) };
    // libcrypto queued why there is no block (PEM_R_NO_START_LINE at the end of the input).
    let der = bio.read_pem(SSL_SESSION_PEM, pw).ok_or(Error::Queued)?;
    let mut p = der.as_ptr();
    // SAFETY: der.len() readable bytes; x per the d2i convention.
    let s = unsafe { d2i_SSL_SESSION(x, &mut p, der.len() as _) };
    if s.is_null() {
        // As PEM_ASN1_read_bio when d2i fails.
        crate::libcrypto::err::push_lib(ffi::ERR_LIB_PEM, ffi::ERR_R_ASN1_LIB, boundary::current());
        return Err(Error::Queued);
    }
    Ok(s)
}

/// `PEM_read_bio_SSL_SESSION`: the next `SSL SESSION PARAMETERS` block of `bp` as a new
/// session (also stored at `*x` when `x` is given, freeing what was there); NULL on failure.
/// Only sessions ferrossl wrote parse (see `i2d_SSL_SESSION`).
#[export]
#[no_mangle]
pub unsafe extern "C" fn PEM_read_bio_SSL_SESSION(
    bp: *mut BIO,
    x: *mut *mut SSL_SESSION,
    cb: pem_password_cb_ptr,
    u: *mut c_void,
) -> *mut SSL_SESSION {
    // SAFETY: the program's BIO and arguments.
    unsafe { read_pem(&program_bio(bp)?, x, cb, u) }
}

/// `PEM_read_SSL_SESSION`: as `PEM_read_bio_SSL_SESSION`, from a stdio stream.
#[export]
#[no_mangle]
pub unsafe extern "C" fn PEM_read_SSL_SESSION(
    fp: *mut FILE,
    x: *mut *mut SSL_SESSION,
    cb: pem_password_cb_ptr,
    u: *mut c_void,
) -> *mut SSL_SESSION {
    // SAFETY: the program's stream and arguments.
    unsafe { read_pem(&file_bio(fp)?, x, cb, u) }
}
