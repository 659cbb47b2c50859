//! SSL_connect(3), SSL_do_handshake(3), SSL_read(3), SSL_write(3), SSL_pending(3),
//! SSL_shutdown(3), SSL_get_error(3): driving a connection.
//!
//! Return conventions follow OpenSSL 3.0: the plain forms return a byte count or `<= 0`, the
//! `_ex` forms 1 or 0, and `SSL_get_error` then says why. `SSL_ERROR_SSL` failures are on the
//! error queue; `WANT_READ`/`WANT_WRITE`/`ZERO_RETURN` put nothing there.

#![allow(non_snake_case)]

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use ferrossl_macros::export;

use super::args;
use super::boundary;
use super::handle;
use super::types::*;
use crate::core::connection::{code, Connection, OpError};
use crate::core::context::Role;
use crate::core::error::{Error, Result};
use crate::libcrypto::err;

/// Maps an operation's failure to OpenSSL's `<= 0` return, queueing a fatal error under the
/// export that is running. As OpenSSL 3.0, a read that meets an unexpected EOF or a fatal alert
/// from the peer returns 0; everything else that fails returns -1.
pub(super) fn failed(e: OpError, reading: bool) -> c_int {
    match e {
        OpError::ZeroReturn => 0,
        OpError::WantRead | OpError::WantWrite => -1,
        // As OpenSSL 3.0: a transport error queues nothing; errno says what happened and
        // SSL_get_error reports SSL_ERROR_SYSCALL.
        OpError::Syscall(_) => -1,
        OpError::Fatal(e) => {
            let zero = reading
                && matches!(
                    e,
                    Error::UnexpectedEof | Error::Tls(rustls::Error::AlertReceived(_))
                );
            boundary::raise_here(&e);
            if zero {
                0
            } else {
                -1
            }
        }
    }
}

fn handshake(s: *mut SSL, role: Option<Role>) -> Result<c_int> {
    let conn = handle::ssl(s)?;
    // As OpenSSL: SSL_connect/SSL_accept fix the role only when nothing fixed it before.
    if let Some(r) = role {
        if !conn.state_set() {
            conn.set_role(r)?;
        }
    }
    Ok(match conn.handshake() {
        Ok(()) => 1,
        Err(e) => failed(e, false),
    })
}

/// `SSL_connect`: makes this a client and runs the handshake. 1 on success, `<= 0` otherwise.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_connect(s: *mut SSL) -> c_int {
    handshake(s, Some(Role::Client))
}

/// `SSL_accept`: makes this a server and runs the handshake. 1 on success, `<= 0` otherwise.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_accept(s: *mut SSL) -> c_int {
    handshake(s, Some(Role::Server))
}

/// `SSL_do_handshake`: runs the handshake in the role already set. 1 on success.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_do_handshake(s: *mut SSL) -> c_int {
    handshake(s, None)
}

/// Reads into `buf`: `Ok(Ok(n))` with the bytes read, `Ok(Err(r))` with the `<= 0` return.
///
/// # Safety
/// `buf` must be writable for `num` bytes.
unsafe fn read(
    s: *mut SSL,
    buf: *mut c_void,
    num: usize,
    peek: bool,
) -> Result<Result<usize, c_int>> {
    let conn: Arc<Connection> = handle::ssl(s)?;
    // SAFETY: the caller gives num writable bytes.
    let buf = unsafe { args::bytes_mut(buf.cast(), num, "buf") }?;
    Ok(conn.read(buf, peek).map_err(|e| failed(e, true)))
}

/// `SSL_read`: up to `num` bytes; the count, or `<= 0` (see `SSL_get_error`). A negative `num`
/// is `SSL_R_BAD_LENGTH` and -1, as in OpenSSL.
#[export(fail = -1)]
#[no_mangle]
pub unsafe extern "C" fn SSL_read(ssl: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    let num = args::len(num, "num")?;
    // SAFETY: the caller gives num writable bytes.
    Ok(match unsafe { read(ssl, buf, num, false) }? {
        Ok(n) => n as c_int,
        Err(r) => r,
    })
}

/// `SSL_read_ex`: 1 and `*readbytes` on success, 0 otherwise (`*readbytes` untouched).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_read_ex(
    ssl: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    // SAFETY: the caller gives num writable bytes.
    match unsafe { read(ssl, buf, num.min(c_int::MAX as usize), false) }? {
        // A zero-length read "succeeds" with 0, which the _ex form reports as 0, as OpenSSL.
        Ok(0) => Ok(0),
        Ok(n) => {
            // SAFETY: out-parameter.
            unsafe { args::out(readbytes, n) };
            Ok(1)
        }
        Err(_) => Ok(0),
    }
}

/// `SSL_peek`: as `SSL_read`, leaving the bytes to be read again.
#[export(fail = -1)]
#[no_mangle]
pub unsafe extern "C" fn SSL_peek(ssl: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    let num = args::len(num, "num")?;
    // SAFETY: the caller gives num writable bytes.
    Ok(match unsafe { read(ssl, buf, num, true) }? {
        Ok(n) => n as c_int,
        Err(r) => r,
    })
}

/// `SSL_peek_ex`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_peek_ex(
    ssl: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    // SAFETY: the caller gives num writable bytes.
    match unsafe { read(ssl, buf, num.min(c_int::MAX as usize), true) }? {
        Ok(0) => Ok(0),
        Ok(n) => {
            // SAFETY: out-parameter.
            unsafe { args::out(readbytes, n) };
            Ok(1)
        }
        Err(_) => Ok(0),
    }
}

/// Writes `buf`: `Ok(Ok(n))` with the bytes written, `Ok(Err(r))` with the `<= 0` return.
///
/// # Safety
/// `buf` must be readable for `num` bytes.
unsafe fn write(s: *mut SSL, buf: *const c_void, num: usize) -> Result<Result<usize, c_int>> {
    let conn = handle::ssl(s)?;
    // SAFETY: the caller gives num readable bytes.
    let buf = unsafe { args::bytes(buf.cast(), num, "buf") }?;
    Ok(conn.write(buf).map_err(|e| failed(e, false)))
}

/// `SSL_write`: writes all `num` bytes (then returns `num`), or returns `<= 0`; after
/// `SSL_ERROR_WANT_WRITE` call again with the same arguments. A negative `num` is
/// `SSL_R_BAD_LENGTH` and -1, as in OpenSSL.
#[export(fail = -1)]
#[no_mangle]
pub unsafe extern "C" fn SSL_write(ssl: *mut SSL, buf: *const c_void, num: c_int) -> c_int {
    let num = args::len(num, "num")?;
    // SAFETY: the caller gives num readable bytes.
    Ok(match unsafe { write(ssl, buf, num) }? {
        Ok(n) => n as c_int,
        Err(r) => r,
    })
}

/// `SSL_write_ex`: 1 and `*written` on success, 0 otherwise (`*written` untouched).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_write_ex(
    ssl: *mut SSL,
    buf: *const c_void,
    num: usize,
    written: *mut usize,
) -> c_int {
    // SAFETY: the caller gives num readable bytes.
    match unsafe { write(ssl, buf, num) }? {
        Ok(n) => {
            // SAFETY: out-parameter.
            unsafe { args::out(written, n) };
            Ok(1)
        }
        Err(_) => Ok(0),
    }
}

/// `SSL_pending`: decrypted bytes waiting to be read.
#[export]
#[no_mangle]
pub extern "C" fn SSL_pending(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.pending().min(c_int::MAX as usize) as c_int)
}

/// `SSL_has_pending`: 1 when data is waiting to be read.
#[export]
#[no_mangle]
pub extern "C" fn SSL_has_pending(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.has_pending() as c_int)
}

/// `SSL_shutdown`: sends close_notify; 0 after sending it, 1 once the peer's has arrived too
/// (a second call waits for it), -1 on error or when the BIO would block.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_shutdown(s: *mut SSL) -> c_int {
    let conn = handle::ssl(s)?;
    Ok(match conn.shutdown() {
        Ok(true) => 1,
        Ok(false) => 0,
        Err(OpError::ZeroReturn) => 1,
        Err(e) => failed(e, false).min(-1),
    })
}

/// `SSL_get_error`: why the call that returned `ret` failed. As in OpenSSL, an error on this
/// thread's queue makes it `SSL_ERROR_SSL` (or `SSL_ERROR_SYSCALL` for a system error).
#[export(fail = code::SSL)]
#[no_mangle]
pub extern "C" fn SSL_get_error(s: *const SSL, ret: c_int) -> c_int {
    let conn = handle::ssl(s)?;
    if ret > 0 {
        return Ok(code::NONE);
    }
    let queued = err::peek();
    if queued != 0 {
        return Ok(if err::lib_of(queued) == 2 {
            code::SYSCALL
        } else {
            code::SSL
        });
    }
    Ok(match conn.last_error() {
        code::SSL | code::NONE => code::SYSCALL,
        c => c,
    })
}
