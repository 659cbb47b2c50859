//! `X509Cert`: an owned `X509` certificate.

use std::ffi::{c_int, c_long};
use std::ptr;

use super::{ffi, PKey};

unsafe fn x509_up(x: *mut ffi::X509) {
    // SAFETY: forwarded contract.
    unsafe { ffi::X509_up_ref(x) };
}

owner!(X509Cert, ffi::X509, ffi::X509_free, x509_up);

impl X509Cert {
    /// Parses a DER certificate (`d2i_X509`: a failure queues libcrypto's reasons).
    pub fn from_der(der: &[u8]) -> Option<X509Cert> {
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe { X509Cert::from_raw(ffi::d2i_X509(ptr::null_mut(), &mut p, der.len() as c_long)) }
    }

    /// As `from_der`, leaving the error queue as it was (for certificates ferrossl parses for
    /// its own purposes, where a stale error would mislead a later `SSL_get_error`).
    pub fn from_der_quietly(der: &[u8]) -> Option<X509Cert> {
        // SAFETY: the mark brackets d2i's own errors.
        unsafe {
            ffi::ERR_set_mark();
            let x = X509Cert::from_der(der);
            ffi::ERR_pop_to_mark();
            x
        }
    }

    pub fn to_der(&self) -> Option<Vec<u8>> {
        // SAFETY: a NULL out pointer asks for the length only; then we pass a buffer that size.
        unsafe {
            let len = ffi::i2d_X509(self.as_ptr(), ptr::null_mut());
            if len <= 0 {
                return None;
            }
            let mut buf = vec![0u8; len as usize];
            let mut p = buf.as_mut_ptr();
            if ffi::i2d_X509(self.as_ptr(), &mut p) != len {
                return None;
            }
            Some(buf)
        }
    }

    /// `X509_check_private_key`: whether `key` is the private half of this certificate's key.
    /// A mismatch leaves libcrypto's "key values mismatch" on the queue.
    pub fn matches_key(&self, key: &PKey) -> bool {
        // SAFETY: both objects are live.
        unsafe { ffi::X509_check_private_key(self.as_ptr(), key.as_ptr()) == 1 }
    }

    /// `EVP_PKEY_eq` of the certificate's public key and `key`: whether `key` is its private
    /// half. Keys of different types leave libcrypto's `EVP_R_DIFFERENT_KEY_TYPES` queued.
    pub fn public_key_eq(&self, key: &PKey) -> bool {
        // SAFETY: get0 borrows the certificate's key; both keys are live.
        unsafe {
            let pk = ffi::X509_get0_pubkey(self.as_ptr());
            !pk.is_null() && ffi::EVP_PKEY_eq(pk, key.as_ptr()) == 1
        }
    }

    /// The certificate's public key as a DER `SubjectPublicKeyInfo`.
    pub fn spki_der(&self) -> Option<Vec<u8>> {
        // SAFETY: get0 borrows the certificate's key; up_ref gives the owner its reference.
        let key = unsafe {
            let k = ffi::X509_get0_pubkey(self.as_ptr());
            if k.is_null() {
                return None;
            }
            ffi::EVP_PKEY_up_ref(k);
            PKey::from_raw(k)?
        };
        key.spki_der()
    }

    /// The `EVP_PKEY_*` type of the certificate's public key (0 when unknown).
    pub fn key_type(&self) -> c_int {
        // SAFETY: get0 borrows the key the certificate owns.
        unsafe {
            let k = ffi::X509_get0_pubkey(self.as_ptr());
            if k.is_null() {
                0
            } else {
                ffi::EVP_PKEY_get_base_id(k)
            }
        }
    }

    /// As `matches_key`, leaving the error queue as it was.
    pub fn matches_key_quietly(&self, key: &PKey) -> bool {
        // SAFETY: the mark brackets exactly the errors X509_check_private_key queues.
        unsafe {
            ffi::ERR_set_mark();
            let ok = self.matches_key(key);
            ffi::ERR_pop_to_mark();
            ok
        }
    }
}

impl X509Cert {
    /// Whether the certificate is self-signed (libcrypto's `EXFLAG_SS`).
    pub fn is_self_signed(&self) -> bool {
        // SAFETY: live certificate; computing the flags caches them in it.
        unsafe { ffi::X509_get_extension_flags(self.as_ptr()) & ffi::EXFLAG_SS != 0 }
    }
}
