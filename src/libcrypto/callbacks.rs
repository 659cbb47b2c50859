//! The program's callbacks that libcrypto calls: password, verification, verify replacement.

use std::ffi::{c_int, c_void};

use super::ffi;

/// A password callback for encrypted PEM keys, as libcrypto takes it.
#[derive(Clone, Copy, Default)]
pub struct PasswordCb {
    pub(super) cb: Option<ffi::pem_password_cb>,
    pub(super) userdata: usize,
}

impl PasswordCb {
    /// # Safety
    /// `cb`, if set, must be callable with `userdata` for as long as this value is used.
    pub unsafe fn new(cb: Option<ffi::pem_password_cb>, userdata: *mut c_void) -> Self {
        Self {
            cb,
            userdata: userdata as usize,
        }
    }
    pub fn cb(&self) -> Option<ffi::pem_password_cb> {
        self.cb
    }
    pub fn userdata(&self) -> *mut c_void {
        self.userdata as *mut c_void
    }
}

/// The program's certificate verification callback (`SSL_verify_cb`).
#[derive(Clone, Copy)]
pub struct VerifyCb(ffi::verify_cb);

impl VerifyCb {
    /// # Safety
    /// `cb` must be a valid `SSL_verify_cb` for as long as this value is used.
    pub unsafe fn new(cb: ffi::verify_cb) -> Self {
        Self(cb)
    }
    pub fn raw(&self) -> ffi::verify_cb {
        self.0
    }
}

/// The program's replacement for `X509_verify_cert` (`SSL_CTX_set_cert_verify_callback`) and
/// its argument.
#[derive(Clone, Copy)]
pub struct AppVerifyCb {
    pub(super) f: unsafe extern "C" fn(*mut ffi::X509_STORE_CTX, *mut c_void) -> c_int,
    pub(super) arg: usize,
}

impl AppVerifyCb {
    /// # Safety
    /// `f` must be a valid callback, called with `arg`, for as long as this value is used.
    pub unsafe fn new(
        f: unsafe extern "C" fn(*mut ffi::X509_STORE_CTX, *mut c_void) -> c_int,
        arg: usize,
    ) -> Self {
        Self { f, arg }
    }
}
