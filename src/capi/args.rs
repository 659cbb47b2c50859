//! Argument helpers: every raw pointer the C layer reads or writes goes through these.

use std::ffi::{c_char, CStr};

use crate::core::error::{Error, Result};

/// A NUL-terminated string argument.
///
/// # Safety
/// `p` must be NULL or point at a NUL-terminated string that outlives the call.
pub unsafe fn cstr<'a>(p: *const c_char, what: &'static str) -> Result<&'a CStr> {
    if p.is_null() {
        return Err(Error::NullArgument(what));
    }
    // SAFETY: per the contract.
    Ok(unsafe { CStr::from_ptr(p) })
}

/// A string argument that must be UTF-8 (names, lists).
///
/// # Safety
/// As `cstr`.
pub unsafe fn str<'a>(p: *const c_char, what: &'static str) -> Result<&'a str> {
    // SAFETY: forwarded.
    unsafe { cstr(p, what) }?
        .to_str()
        .map_err(|_| Error::InvalidArgument(format!("{what} is not valid UTF-8")))
}

/// A byte buffer argument; a zero length allows NULL.
///
/// # Safety
/// `p` must be readable for `len` bytes for the duration of the call.
pub unsafe fn bytes<'a>(p: *const u8, len: usize, what: &'static str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::NullArgument(what));
    }
    // SAFETY: per the contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A writable byte buffer argument; a zero length allows NULL.
///
/// # Safety
/// `p` must be writable for `len` bytes for the duration of the call.
pub unsafe fn bytes_mut<'a>(p: *mut u8, len: usize, what: &'static str) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(Error::NullArgument(what));
    }
    // SAFETY: per the contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

/// Writes an out-parameter when the caller gave one.
///
/// # Safety
/// `p` must be NULL or writable.
pub unsafe fn out<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: per the contract.
        unsafe { p.write(v) };
    }
}

/// A C `int` length that must not be negative (`SSL_R_BAD_LENGTH`, as OpenSSL).
pub fn len(n: std::ffi::c_int, what: &'static str) -> Result<usize> {
    usize::try_from(n).map_err(|_| Error::BadLength(what))
}

/// A C integer converted to another C integer type; out of range is `SSL_R_BAD_LENGTH`.
pub fn int<T: TryFrom<U>, U>(n: U, what: &'static str) -> Result<T> {
    T::try_from(n).map_err(|_| Error::BadLength(what))
}
