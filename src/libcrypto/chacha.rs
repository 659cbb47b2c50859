//! ChaCha20-Poly1305 (RFC 8439) through libcrypto's EVP interface: the system's libcrypto has
//! AVX-512 code for it, which aws-lc (AVX2 at most) lacks. One context per direction, keyed
//! once; each record sets its nonce. `Send`: a context is used by one thread at a time (rustls
//! owns the encrypter/decrypter mutably).

use std::ffi::{c_char, c_int, c_uchar, c_void};
use std::ptr::{self, NonNull};
use std::sync::OnceLock;

use super::ffi::EVP_CIPHER_CTX;

extern "C" {
    fn EVP_CIPHER_fetch(
        libctx: *mut c_void,
        algorithm: *const c_char,
        properties: *const c_char,
    ) -> *mut c_void;
    fn EVP_CipherInit_ex(
        ctx: *mut EVP_CIPHER_CTX,
        cipher: *const c_void,
        engine: *mut c_void,
        key: *const c_uchar,
        iv: *const c_uchar,
        enc: c_int,
    ) -> c_int;
    fn EVP_CipherUpdate(
        ctx: *mut EVP_CIPHER_CTX,
        out: *mut c_uchar,
        outl: *mut c_int,
        input: *const c_uchar,
        inl: c_int,
    ) -> c_int;
    fn EVP_CipherFinal_ex(ctx: *mut EVP_CIPHER_CTX, out: *mut c_uchar, outl: *mut c_int) -> c_int;
    fn EVP_CIPHER_CTX_ctrl(
        ctx: *mut EVP_CIPHER_CTX,
        ty: c_int,
        arg: c_int,
        ptr: *mut c_void,
    ) -> c_int;
}

const EVP_CTRL_AEAD_GET_TAG: c_int = 0x10;
const EVP_CTRL_AEAD_SET_TAG: c_int = 0x11;
pub const TAG_LEN: usize = 16;

/// The algorithm, fetched once (`EVP_CIPHER_fetch`; kept for the process's life).
fn cipher() -> Option<*const c_void> {
    static C: OnceLock<usize> = OnceLock::new();
    let c = *C.get_or_init(|| {
        // SAFETY: NUL-terminated name, default library context and properties. Errors of a
        // libcrypto without the algorithm are dropped (the caller then keeps aws-lc).
        unsafe {
            super::ffi::ERR_set_mark();
            let c = EVP_CIPHER_fetch(ptr::null_mut(), c"ChaCha20-Poly1305".as_ptr(), ptr::null());
            super::ffi::ERR_pop_to_mark();
            c as usize
        }
    });
    (c != 0).then_some(c as *const c_void)
}

/// A keyed ChaCha20-Poly1305 context for one direction.
pub struct ChaCha20Poly1305 {
    ctx: NonNull<EVP_CIPHER_CTX>,
    encrypt: bool,
}

// SAFETY: the context is owned and used through `&mut self` only.
unsafe impl Send for ChaCha20Poly1305 {}
// SAFETY: no method takes `&self` to touch the context.
unsafe impl Sync for ChaCha20Poly1305 {}

impl ChaCha20Poly1305 {
    /// A context for sealing (`encrypt`) or opening with `key`; `None` if libcrypto has no
    /// ChaCha20-Poly1305.
    pub fn new(key: &[u8; 32], encrypt: bool) -> Option<Self> {
        let c = cipher()?;
        // SAFETY: a fresh context, keyed with 32 readable bytes; freed on failure.
        unsafe {
            let ctx = NonNull::new(super::ffi::EVP_CIPHER_CTX_new())?;
            if EVP_CipherInit_ex(
                ctx.as_ptr(),
                c,
                ptr::null_mut(),
                key.as_ptr(),
                ptr::null(),
                encrypt as c_int,
            ) != 1
            {
                super::ffi::EVP_CIPHER_CTX_free(ctx.as_ptr());
                return None;
            }
            Some(ChaCha20Poly1305 { ctx, encrypt })
        }
    }

    /// Sets the nonce and feeds the additional data, then runs the cipher over `data` in
    /// place.
    fn run(&mut self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8]) -> bool {
        let (Ok(aad_len), Ok(len)) = (c_int::try_from(aad.len()), c_int::try_from(data.len()))
        else {
            return false;
        };
        let ctx = self.ctx.as_ptr();
        let mut outl = 0;
        // SAFETY: ctx is keyed; nonce is 12 bytes (the algorithm's IV length); aad and data are
        // readable/writable for their lengths (libcrypto allows in == out).
        unsafe {
            EVP_CipherInit_ex(
                ctx,
                ptr::null(),
                ptr::null_mut(),
                ptr::null(),
                nonce.as_ptr(),
                self.encrypt as c_int,
            ) == 1
                && EVP_CipherUpdate(ctx, ptr::null_mut(), &mut outl, aad.as_ptr(), aad_len) == 1
                && EVP_CipherUpdate(ctx, data.as_mut_ptr(), &mut outl, data.as_ptr(), len) == 1
                && outl == len
        }
    }

    /// Encrypts `data` in place and returns the tag.
    pub fn seal(&mut self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8]) -> Option<[u8; 16]> {
        if !self.encrypt || !self.run(nonce, aad, data) {
            return None;
        }
        let mut tag = [0u8; TAG_LEN];
        let mut outl = 0;
        // SAFETY: keyed context after its data; tag is 16 writable bytes.
        let ok = unsafe {
            EVP_CipherFinal_ex(self.ctx.as_ptr(), tag.as_mut_ptr(), &mut outl) == 1
                && EVP_CIPHER_CTX_ctrl(
                    self.ctx.as_ptr(),
                    EVP_CTRL_AEAD_GET_TAG,
                    TAG_LEN as c_int,
                    tag.as_mut_ptr().cast(),
                ) == 1
        };
        ok.then_some(tag)
    }

    /// Decrypts `data` in place; false (and `data` is garbage) when the tag does not match.
    pub fn open(&mut self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8; 16]) -> bool {
        if self.encrypt || !self.run(nonce, aad, data) {
            return false;
        }
        let mut tag = *tag;
        let mut out = [0u8; TAG_LEN];
        let mut outl = 0;
        // SAFETY: keyed context after its data; the tag is 16 readable bytes. A mismatch is
        // the caller's to report: whatever libcrypto queues for it is dropped.
        unsafe {
            super::ffi::ERR_set_mark();
            let ok = EVP_CIPHER_CTX_ctrl(
                self.ctx.as_ptr(),
                EVP_CTRL_AEAD_SET_TAG,
                TAG_LEN as c_int,
                tag.as_mut_ptr().cast(),
            ) == 1
                && EVP_CipherFinal_ex(self.ctx.as_ptr(), out.as_mut_ptr(), &mut outl) == 1;
            super::ffi::ERR_pop_to_mark();
            ok
        }
    }
}

impl Drop for ChaCha20Poly1305 {
    fn drop(&mut self) {
        // SAFETY: owned; the key material is cleansed by libcrypto's free.
        unsafe { super::ffi::EVP_CIPHER_CTX_free(self.ctx.as_ptr()) }
    }
}
