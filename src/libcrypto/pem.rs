//! PEM blocks and text on a BIO the program gave (`PEM_write_bio_SSL_SESSION`,
//! `SSL_SESSION_print`), and BIOs over a program's `FILE *`.

use std::ffi::{c_long, c_void, CStr};
use std::ptr;

use super::{ffi, Bio, PasswordCb};

impl Bio {
    /// A BIO over the program's stdio stream, not closing it (`BIO_new_fp(fp, BIO_NOCLOSE)`).
    ///
    /// # Safety
    /// `fp` must be a live `FILE *` for as long as the BIO is used.
    pub unsafe fn file_stream(fp: *mut c_void) -> Option<Bio> {
        // SAFETY: per the contract.
        unsafe { Bio::from_raw(ffi::BIO_new_fp(fp, ffi::BIO_NOCLOSE)) }
    }

    /// Writes all of `data`; false when the BIO fails or would block.
    pub fn write_all(&self, data: &[u8]) -> bool {
        let mut rest = data;
        while !rest.is_empty() {
            match self.write(rest) {
                Ok(n) if n > 0 => rest = &rest[n..],
                _ => return false,
            }
        }
        true
    }

    /// `PEM_write_bio`: one PEM block named `name` around `der`.
    pub fn write_pem(&self, name: &CStr, der: &[u8]) -> bool {
        let Ok(len) = c_long::try_from(der.len()) else {
            return false;
        };
        // SAFETY: live BIO; name and the empty header are NUL-terminated; der has len bytes.
        unsafe {
            ffi::PEM_write_bio(
                self.as_ptr(),
                name.as_ptr(),
                c"".as_ptr(),
                der.as_ptr(),
                len,
            ) > 0
        }
    }

    /// `PEM_bytes_read_bio`: the contents of the next PEM block named `name` (skipping others),
    /// decrypted with `pw` if it is encrypted. `None` leaves libcrypto's reason on the queue.
    pub fn read_pem(&self, name: &CStr, pw: PasswordCb) -> Option<Vec<u8>> {
        let mut data: *mut u8 = ptr::null_mut();
        let mut len: c_long = 0;
        // SAFETY: live BIO; libcrypto allocates data, which is freed below.
        unsafe {
            if ffi::PEM_bytes_read_bio(
                &mut data,
                &mut len,
                ptr::null_mut(),
                name.as_ptr(),
                self.as_ptr(),
                pw.cb(),
                pw.userdata(),
            ) != 1
            {
                return None;
            }
            let out = std::slice::from_raw_parts(data, usize::try_from(len).ok()?).to_vec();
            ffi::CRYPTO_free(data.cast(), c"ferrossl".as_ptr(), 0);
            Some(out)
        }
    }
}

/// `PEM_STRING_SSL_SESSION`.
pub const SSL_SESSION_PEM: &CStr = c"SSL SESSION PARAMETERS";
