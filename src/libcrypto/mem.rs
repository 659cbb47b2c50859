//! Buffers handed to the program, allocated by libcrypto.

use std::ptr;

use super::ffi;

/// Allocates a copy of `bytes` with `OPENSSL_malloc`, for buffers the program frees with
/// `OPENSSL_free` (`i2d_*` with `*pp == NULL`).
pub fn openssl_copy(bytes: &[u8]) -> *mut u8 {
    // SAFETY: CRYPTO_malloc returns NULL or a writable block of the requested size.
    unsafe {
        let p = ffi::CRYPTO_malloc(bytes.len().max(1), c"ferrossl".as_ptr(), 0).cast::<u8>();
        if !p.is_null() {
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        }
        p
    }
}
