//! The error queue: the one place ferrossl writes it.

use std::ffi::{c_int, CStr, CString};
use std::ptr;

use super::ffi;

/// Queues an `ERR_LIB_SSL` error with `reason`, naming `func`, with optional extra text.
pub fn push(reason: c_int, func: &CStr, data: Option<&str>) {
    let data = data.and_then(|d| CString::new(d).ok());
    // SAFETY: all strings are NUL-terminated and outlive the calls; ERR_set_error copies the
    // formatted text.
    unsafe {
        ffi::ERR_new();
        ffi::ERR_set_debug(c"ferrossl".as_ptr(), 0, func.as_ptr());
        match &data {
            Some(d) => ffi::ERR_set_error(ffi::ERR_LIB_SSL, reason, c"%s".as_ptr(), d.as_ptr()),
            None => ffi::ERR_set_error(ffi::ERR_LIB_SSL, reason, ptr::null()),
        }
    }
}

/// Queues an error of another library (`ERR_LIB_PEM`...), as libcrypto itself would.
pub fn push_lib(lib: c_int, reason: c_int, func: &CStr) {
    // SAFETY: as push.
    unsafe {
        ffi::ERR_new();
        ffi::ERR_set_debug(c"ferrossl".as_ptr(), 0, func.as_ptr());
        ffi::ERR_set_error(lib, reason, ptr::null());
    }
}

/// `ERR_peek_error()`: the earliest error on this thread's queue, 0 if none.
pub fn peek() -> u64 {
    // SAFETY: no arguments.
    unsafe { ffi::ERR_peek_error() as u64 }
}

/// The library of a packed error code (`ERR_GET_LIB`).
pub fn lib_of(code: u64) -> c_int {
    if code & 0x8000_0000 != 0 {
        return 2; // ERR_LIB_SYS
    }
    ((code >> 23) & 0xff) as c_int
}

/// Empties this thread's error queue (what libssl does once a client accepts the server's
/// certificate: lookups that found nothing leave entries behind).
pub fn clear_errors() {
    // SAFETY: no arguments.
    unsafe { ffi::ERR_clear_error() };
}

/// libcrypto's text for an `ERR_LIB_SSL` reason (ferrossl's own strings, or libcrypto's common
/// `ERR_R_*` ones), for the debug log; "?" when it has none.
pub fn reason_text(reason: c_int) -> String {
    let packed = ((ffi::ERR_LIB_SSL as std::ffi::c_ulong) << 23) | (reason as std::ffi::c_ulong);
    // SAFETY: returns NULL or a static NUL-terminated string.
    let s = unsafe { ffi::ERR_reason_error_string(packed) };
    if s.is_null() {
        return "?".into();
    }
    // SAFETY: non-NULL, static.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}
