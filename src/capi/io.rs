//! SSL_connect(3), SSL_do_handshake(3), SSL_read(3), SSL_write(3), SSL_pending(3),
//! SSL_shutdown(3), SSL_get_error(3): driving a connection.
//!
//! Return conventions follow OpenSSL 3.0: the plain forms return a byte count or `<= 0`, the
//! `_ex` forms 1 or 0, and `SSL_get_error` then says why. `SSL_ERROR_SSL` failures are on the
//! error queue; `WANT_READ`/`WANT_WRITE`/`ZERO_RETURN` put nothing there.

#![allow(non_snake_case)]

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use super::args;
use super::ffi;
use super::handle;
use super::raise;
use super::types::*;
use crate::core::connection::{code, Connection, OpError};
use crate::core::context::Role;
use crate::core::error::Error;
use crate::libcrypto::err;

/// Maps an operation's failure to OpenSSL's `<= 0` return, queueing a fatal error under `func`.
/// As OpenSSL 3.0, a read that meets an unexpected EOF or a fatal alert from the peer returns 0;
/// everything else that fails returns -1.
fn failed(func: &'static std::ffi::CStr, e: OpError, reading: bool) -> c_int {
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
            raise(func, &e);
            if zero {
                0
            } else {
                -1
            }
        }
    }
}

fn handshake(func: &'static std::ffi::CStr, s: *mut SSL, role: Option<Role>) -> c_int {
    ffi!(c"SSL_do_handshake", -1, {
        let conn = handle::ssl(s)?;
        if let Some(r) = role {
            if conn.role() != Some(r) {
                conn.set_role(r)?;
            }
        }
        Ok(match conn.handshake() {
            Ok(()) => 1,
            Err(e) => failed(func, e, false),
        })
    })
}

/// `SSL_connect`: makes this a client and runs the handshake. 1 on success, `<= 0` otherwise.
#[no_mangle]
pub extern "C" fn SSL_connect(s: *mut SSL) -> c_int {
    handshake(c"SSL_connect", s, Some(Role::Client))
}

/// `SSL_accept`: makes this a server and runs the handshake. 1 on success, `<= 0` otherwise.
#[no_mangle]
pub extern "C" fn SSL_accept(s: *mut SSL) -> c_int {
    handshake(c"SSL_accept", s, Some(Role::Server))
}

/// `SSL_do_handshake`: runs the handshake in the role already set. 1 on success.
#[no_mangle]
pub extern "C" fn SSL_do_handshake(s: *mut SSL) -> c_int {
    handshake(c"SSL_do_handshake", s, None)
}

fn read(
    func: &'static std::ffi::CStr,
    s: *mut SSL,
    buf: *mut c_void,
    num: usize,
    peek: bool,
) -> (c_int, usize) {
    ffi!(c"SSL_read", (-1, 0), {
        let conn: Arc<Connection> = handle::ssl(s)?;
        // SAFETY: the caller gives num writable bytes.
        let buf = unsafe { args::bytes_mut(buf.cast(), num, "buf") }?;
        Ok(match conn.read(buf, peek) {
            Ok(n) => (1, n),
            Err(e) => (failed(func, e, true), 0),
        })
    })
}

/// `SSL_read`: up to `num` bytes; the count, or `<= 0` (see `SSL_get_error`).
#[no_mangle]
pub unsafe extern "C" fn SSL_read(ssl: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    let num = usize::try_from(num).unwrap_or(0);
    match read(c"SSL_read", ssl, buf, num, false) {
        (1, n) => n as c_int,
        (r, _) => r,
    }
}

/// `SSL_read_ex`: 1 and `*readbytes` on success, 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn SSL_read_ex(
    ssl: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    let (r, n) = read(
        c"SSL_read_ex",
        ssl,
        buf,
        num.min(c_int::MAX as usize),
        false,
    );
    // SAFETY: out-parameter.
    unsafe { args::out(readbytes, n) };
    (r == 1) as c_int
}

/// `SSL_peek`: as `SSL_read`, leaving the bytes to be read again.
#[no_mangle]
pub unsafe extern "C" fn SSL_peek(ssl: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    let num = usize::try_from(num).unwrap_or(0);
    match read(c"SSL_peek", ssl, buf, num, true) {
        (1, n) => n as c_int,
        (r, _) => r,
    }
}

/// `SSL_peek_ex`.
#[no_mangle]
pub unsafe extern "C" fn SSL_peek_ex(
    ssl: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    let (r, n) = read(c"SSL_peek_ex", ssl, buf, num.min(c_int::MAX as usize), true);
    // SAFETY: out-parameter.
    unsafe { args::out(readbytes, n) };
    (r == 1) as c_int
}

fn write(
    func: &'static std::ffi::CStr,
    s: *mut SSL,
    buf: *const c_void,
    num: usize,
) -> (c_int, usize) {
    ffi!(c"SSL_write", (-1, 0), {
        let conn = handle::ssl(s)?;
        // SAFETY: the caller gives num readable bytes.
        let buf = unsafe { args::bytes(buf.cast(), num, "buf") }?;
        Ok(match conn.write(buf) {
            Ok(n) => (1, n),
            Err(e) => (failed(func, e, false), 0),
        })
    })
}

/// `SSL_write`: writes all `num` bytes (then returns `num`), or returns `<= 0`; after
/// `SSL_ERROR_WANT_WRITE` call again with the same arguments.
#[no_mangle]
pub unsafe extern "C" fn SSL_write(ssl: *mut SSL, buf: *const c_void, num: c_int) -> c_int {
    let num = usize::try_from(num).unwrap_or(0);
    match write(c"SSL_write", ssl, buf, num) {
        (1, n) => n as c_int,
        (r, _) => r,
    }
}

/// `SSL_write_ex`.
#[no_mangle]
pub unsafe extern "C" fn SSL_write_ex(
    ssl: *mut SSL,
    buf: *const c_void,
    num: usize,
    written: *mut usize,
) -> c_int {
    let (r, n) = write(c"SSL_write_ex", ssl, buf, num);
    // SAFETY: out-parameter.
    unsafe { args::out(written, n) };
    (r == 1) as c_int
}

/// `SSL_pending`: decrypted bytes waiting to be read.
#[no_mangle]
pub extern "C" fn SSL_pending(s: *const SSL) -> c_int {
    ffi!(c"SSL_pending", 0, {
        Ok(handle::ssl(s)?.pending().min(c_int::MAX as usize) as c_int)
    })
}

/// `SSL_has_pending`: 1 when data is waiting to be read.
#[no_mangle]
pub extern "C" fn SSL_has_pending(s: *const SSL) -> c_int {
    ffi!(c"SSL_has_pending", 0, {
        Ok(handle::ssl(s)?.has_pending() as c_int)
    })
}

/// `SSL_shutdown`: sends close_notify; 0 after sending it, 1 once the peer's has arrived too
/// (a second call waits for it), -1 on error or when the BIO would block.
#[no_mangle]
pub extern "C" fn SSL_shutdown(s: *mut SSL) -> c_int {
    ffi!(c"SSL_shutdown", -1, {
        let conn = handle::ssl(s)?;
        Ok(match conn.shutdown() {
            Ok(true) => 1,
            Ok(false) => 0,
            Err(OpError::ZeroReturn) => 1,
            Err(e) => failed(c"SSL_shutdown", e, false).min(-1),
        })
    })
}

/// `SSL_get_error`: why the call that returned `ret` failed. As in OpenSSL, an error on this
/// thread's queue makes it `SSL_ERROR_SSL` (or `SSL_ERROR_SYSCALL` for a system error).
#[no_mangle]
pub extern "C" fn SSL_get_error(s: *const SSL, ret: c_int) -> c_int {
    ffi!(c"SSL_get_error", code::SSL, {
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
    })
}
