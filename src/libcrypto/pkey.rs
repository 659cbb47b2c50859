//! `PKey`: an owned `EVP_PKEY`, and the curve of an `EC_KEY`.

use std::ffi::{c_int, c_long, c_void};
use std::ptr;

use super::ffi;

unsafe fn pkey_up(k: *mut ffi::EVP_PKEY) {
    // SAFETY: forwarded contract.
    unsafe { ffi::EVP_PKEY_up_ref(k) };
}

owner!(PKey, ffi::EVP_PKEY, ffi::EVP_PKEY_free, pkey_up);

impl PKey {
    /// The `EVP_PKEY_*` type of the key.
    pub fn key_type(&self) -> c_int {
        // SAFETY: live key.
        unsafe { ffi::EVP_PKEY_get_base_id(self.as_ptr()) }
    }

    /// Parses a DER private key of any type (`d2i_AutoPrivateKey`).
    pub fn from_der(der: &[u8]) -> Option<PKey> {
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe {
            PKey::from_raw(ffi::d2i_AutoPrivateKey(
                ptr::null_mut(),
                &mut p,
                der.len() as c_long,
            ))
        }
    }

    /// Parses a DER private key of a given `EVP_PKEY_*` type (`d2i_PrivateKey`).
    pub fn from_der_typed(ty: c_int, der: &[u8]) -> Option<PKey> {
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe {
            PKey::from_raw(ffi::d2i_PrivateKey(
                ty,
                ptr::null_mut(),
                &mut p,
                der.len() as c_long,
            ))
        }
    }

    /// A public key from a TLS key share: `x25519` (raw) or a NIST curve (uncompressed point),
    /// identified by its TLS group id. `None` for groups OpenSSL 3.0 has no key type for.
    pub fn from_key_share(group: u16, share: &[u8]) -> Option<PKey> {
        const X25519: u16 = 0x001d;
        // SubjectPublicKeyInfo prefixes (algorithm ecPublicKey + curve, BIT STRING header).
        const P256: &[u8] = b"\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00";
        const P384: &[u8] = b"\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00";
        const P521: &[u8] = b"\x30\x81\x9b\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x23\x03\x81\x86\x00";
        let (prefix, len) = match group {
            X25519 => {
                // SAFETY: share is readable for its length; 1034 is EVP_PKEY_X25519.
                return unsafe {
                    PKey::from_raw(ffi::EVP_PKEY_new_raw_public_key(
                        1034,
                        ptr::null_mut(),
                        share.as_ptr(),
                        share.len(),
                    ))
                };
            }
            0x0017 => (P256, 65),
            0x0018 => (P384, 97),
            0x0019 => (P521, 133),
            _ => return None,
        };
        if share.len() != len {
            return None;
        }
        let der = [prefix, share].concat();
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe {
            PKey::from_raw(ffi::d2i_PUBKEY(
                ptr::null_mut(),
                &mut p,
                der.len() as c_long,
            ))
        }
    }

    /// A public key from its DER `SubjectPublicKeyInfo` (an RFC 7250 raw public key).
    pub fn from_spki(der: &[u8]) -> Option<PKey> {
        let mut p = der.as_ptr();
        // SAFETY: p points at der.len() readable bytes.
        unsafe {
            PKey::from_raw(ffi::d2i_PUBKEY(
                ptr::null_mut(),
                &mut p,
                der.len() as c_long,
            ))
        }
    }

    /// The public half as a DER `SubjectPublicKeyInfo` (`i2d_PUBKEY`).
    pub fn spki_der(&self) -> Option<Vec<u8>> {
        // SAFETY: live key; the second call writes exactly the length the first reported.
        unsafe {
            let len = ffi::i2d_PUBKEY(self.as_ptr(), ptr::null_mut());
            if len <= 0 {
                return None;
            }
            let mut buf = vec![0u8; len as usize];
            let mut p = buf.as_mut_ptr();
            (ffi::i2d_PUBKEY(self.as_ptr(), &mut p) == len).then_some(buf)
        }
    }

    /// The key as an unencrypted PKCS#8 `PrivateKeyInfo` (what rustls loads).
    pub fn pkcs8_der(&self) -> Option<Vec<u8>> {
        // SAFETY: p8 is owned here and freed on every path.
        unsafe {
            let p8 = ffi::EVP_PKEY2PKCS8(self.as_ptr());
            if p8.is_null() {
                return None;
            }
            let len = ffi::i2d_PKCS8_PRIV_KEY_INFO(p8, ptr::null_mut());
            let mut out = None;
            if len > 0 {
                let mut buf = vec![0u8; len as usize];
                let mut p = buf.as_mut_ptr();
                if ffi::i2d_PKCS8_PRIV_KEY_INFO(p8, &mut p) == len {
                    out = Some(buf);
                }
            }
            ffi::PKCS8_PRIV_KEY_INFO_free(p8);
            out
        }
    }
}

/// The NID of the named curve of an `EC_KEY` (`SSL_CTX_set_tmp_ecdh`'s argument); None when it
/// has no group or an unnamed one.
///
/// # Safety
/// `key` must be a live `EC_KEY`.
pub unsafe fn ec_key_curve_nid(key: *const c_void) -> Option<c_int> {
    // SAFETY: per the contract; the group belongs to the key.
    let nid = unsafe {
        let group = ffi::EC_KEY_get0_group(key);
        if group.is_null() {
            return None;
        }
        ffi::EC_GROUP_get_curve_name(group)
    };
    (nid != 0).then_some(nid)
}
