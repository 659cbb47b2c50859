//! `ExData`: the ex_data slots of an object.

use std::ffi::{c_int, c_void};
use std::ptr;

use super::ffi;

/// The ex_data slots of one `SSL`, `SSL_CTX` or `SSL_SESSION` (libcrypto's `CRYPTO_EX_DATA`, so
/// the indices and the program's new/free callbacks are libcrypto's own).
pub struct ExData {
    ad: std::sync::Mutex<Box<ffi::CRYPTO_EX_DATA>>,
    class: c_int,
    obj: usize,
}

// SAFETY: the slots are only touched under the mutex; libcrypto's ex_data is thread-safe.
unsafe impl Send for ExData {}
// SAFETY: as above.
unsafe impl Sync for ExData {}

impl ExData {
    /// `class`: `CRYPTO_EX_INDEX_*`; `obj`: the handle the program's callbacks are given.
    pub fn new(class: c_int, obj: usize) -> ExData {
        let mut ad = Box::new(ffi::CRYPTO_EX_DATA {
            ctx: ptr::null_mut(),
            sk: ptr::null_mut(),
        });
        // SAFETY: ad is a zeroed CRYPTO_EX_DATA that libcrypto initialises.
        unsafe { ffi::CRYPTO_new_ex_data(class, obj as *mut c_void, &mut *ad) };
        ExData {
            ad: std::sync::Mutex::new(ad),
            class,
            obj,
        }
    }
    /// Stores `val` (never dereferenced here) in slot `idx`.
    #[allow(clippy::not_unsafe_ptr_arg_deref)]
    pub fn set(&self, idx: c_int, val: *mut c_void) -> bool {
        let mut ad = self.ad.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: ad is initialised; libcrypto bounds-checks idx.
        unsafe { ffi::CRYPTO_set_ex_data(&mut **ad, idx, val) == 1 }
    }
    pub fn get(&self, idx: c_int) -> *mut c_void {
        let ad = self.ad.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: as set.
        unsafe { ffi::CRYPTO_get_ex_data(&**ad, idx) }
    }
}

impl Drop for ExData {
    fn drop(&mut self) {
        let ad = self.ad.get_mut().unwrap_or_else(|e| e.into_inner());
        // SAFETY: runs the program's free callbacks once, then releases the slots.
        unsafe { ffi::CRYPTO_free_ex_data(self.class, self.obj as *mut c_void, &mut **ad) };
    }
}
