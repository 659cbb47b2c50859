//! BIO methods of ferrossl's own (the SSL BIO of `BIO_f_ssl`) and the BIO their callbacks are
//! called with.
//!
//! A [`Method`] is made once and never freed (a `BIO_METHOD` must outlive every BIO made from
//! it). A [`CallbackBio`] is the BIO a method callback runs on, borrowed for that call; its data
//! pointer holds a `Box<T>` of the method's own state, attached by the create callback and
//! taken back by the destroy callback.

use std::ffi::{c_int, CStr};
use std::ptr::{self, NonNull};

use super::ffi;

/// The callbacks of a filter BIO method.
pub struct Callbacks {
    pub write_ex: ffi::bio_write_ex,
    pub read_ex: ffi::bio_read_ex,
    pub puts: ffi::bio_puts,
    pub ctrl: ffi::bio_ctrl,
    pub create: ffi::bio_create,
    pub destroy: ffi::bio_create,
    pub callback_ctrl: ffi::bio_callback_ctrl,
}

/// A `BIO_METHOD` made with `BIO_meth_new`, never freed.
pub struct Method(NonNull<ffi::BIO_METHOD>);
// SAFETY: the method is immutable once made; libcrypto only reads it.
unsafe impl Send for Method {}
// SAFETY: as above.
unsafe impl Sync for Method {}

impl Method {
    /// `BIO_meth_new(ty, name)` with `cb` set (no `gets`: `BIO_gets` reports it unsupported).
    pub fn new(ty: c_int, name: &'static CStr, cb: &Callbacks) -> Option<Method> {
        // SAFETY: name is static; every callback is a valid function of the right type.
        unsafe {
            let m = NonNull::new(ffi::BIO_meth_new(ty, name.as_ptr()))?;
            let p = m.as_ptr();
            let ok = ffi::BIO_meth_set_write_ex(p, cb.write_ex) == 1
                && ffi::BIO_meth_set_read_ex(p, cb.read_ex) == 1
                && ffi::BIO_meth_set_puts(p, cb.puts) == 1
                && ffi::BIO_meth_set_ctrl(p, cb.ctrl) == 1
                && ffi::BIO_meth_set_create(p, cb.create) == 1
                && ffi::BIO_meth_set_destroy(p, cb.destroy) == 1
                && ffi::BIO_meth_set_callback_ctrl(p, cb.callback_ctrl) == 1;
            ok.then_some(Method(m))
        }
    }

    pub fn as_ptr(&self) -> *const ffi::BIO_METHOD {
        self.0.as_ptr()
    }
}

/// A BIO a method callback was called with (no reference of its own).
#[derive(Clone, Copy)]
pub struct CallbackBio(NonNull<ffi::BIO>);

impl CallbackBio {
    /// # Safety
    /// `b` must be NULL or a live BIO for as long as the value is used.
    pub unsafe fn new(b: *mut ffi::BIO) -> Option<CallbackBio> {
        NonNull::new(b).map(CallbackBio)
    }

    pub fn as_ptr(&self) -> *mut ffi::BIO {
        self.0.as_ptr()
    }

    /// Attaches `data` as the BIO's data (the create callback).
    pub fn attach<T>(&self, data: Box<T>) {
        // SAFETY: live BIO; the pointer is taken back by `detach` with the same T.
        unsafe { ffi::BIO_set_data(self.as_ptr(), Box::into_raw(data).cast()) }
    }

    /// The data attached by `attach`.
    ///
    /// # Safety
    /// The BIO's data must be NULL or a `Box<T>` attached by `attach::<T>` and not detached.
    pub unsafe fn data<'a, T>(&self) -> Option<&'a T> {
        // SAFETY: per the contract.
        unsafe { ffi::BIO_get_data(self.as_ptr()).cast::<T>().as_ref() }
    }

    /// Takes back the data (the destroy callback).
    ///
    /// # Safety
    /// As `data`; no reference from `data` may be used afterwards.
    pub unsafe fn detach<T>(&self) -> Option<Box<T>> {
        // SAFETY: per the contract.
        unsafe {
            let p = ffi::BIO_get_data(self.as_ptr()).cast::<T>();
            ffi::BIO_set_data(self.as_ptr(), ptr::null_mut());
            (!p.is_null()).then(|| Box::from_raw(p))
        }
    }

    pub fn init(&self) -> bool {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_get_init(self.as_ptr()) != 0 }
    }
    pub fn set_init(&self, init: bool) {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_set_init(self.as_ptr(), init as c_int) }
    }
    /// The close flag (`BIO_get_close`).
    pub fn shutdown(&self) -> c_int {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_get_shutdown(self.as_ptr()) }
    }
    pub fn set_shutdown(&self, shut: c_int) {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_set_shutdown(self.as_ptr(), shut) }
    }
    pub fn set_flags(&self, flags: c_int) {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_set_flags(self.as_ptr(), flags) }
    }
    pub fn clear_flags(&self, flags: c_int) {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_clear_flags(self.as_ptr(), flags) }
    }
    /// `BIO_clear_retry_flags`.
    pub fn clear_retry(&self) {
        self.clear_flags(ffi::BIO_FLAGS_RWS | ffi::BIO_FLAGS_SHOULD_RETRY);
    }
    pub fn set_retry_reason(&self, reason: c_int) {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_set_retry_reason(self.as_ptr(), reason) }
    }
    /// `BIO_copy_next_retry`: takes over the retry state of the next BIO.
    pub fn copy_next_retry(&self) {
        // SAFETY: live BIO (libcrypto reads its next BIO, which it requires to be set).
        unsafe {
            if !ffi::BIO_next(self.as_ptr()).is_null() {
                ffi::BIO_copy_next_retry(self.as_ptr());
            }
        }
    }
    /// The retry reason of the next BIO in the chain (0 when there is none).
    pub fn next_retry_reason(&self) -> c_int {
        // SAFETY: live BIO and, when set, its live next BIO.
        unsafe {
            let n = ffi::BIO_next(self.as_ptr());
            if n.is_null() {
                0
            } else {
                ffi::BIO_get_retry_reason(n)
            }
        }
    }
    /// The next BIO in the chain (no reference), or NULL.
    pub fn next(&self) -> *mut ffi::BIO {
        // SAFETY: live BIO.
        unsafe { ffi::BIO_next(self.as_ptr()) }
    }
}
