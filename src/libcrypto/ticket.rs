//! Session tickets in OpenSSL's format: encrypted by the program's ticket key callback, or by a
//! context's own fixed keys.

use std::ffi::{c_int, c_uint, c_void};
use std::ptr;

use super::ffi;

/// The program's session ticket key callback (`SSL_CTX_set_tlsext_ticket_key_cb` with an
/// `HMAC_CTX`, or `SSL_CTX_set_tlsext_ticket_key_evp_cb` with an `EVP_MAC_CTX`), with which
/// tickets are encrypted in OpenSSL's format: key name (16) | IV | ciphertext | MAC.
#[derive(Clone, Copy)]
pub enum TicketKeyCb {
    Hmac(TicketKeyFn),
    Evp(EvpTicketKeyFn),
}

pub type TicketKeyFn = unsafe extern "C" fn(
    ssl: *mut c_void,
    key_name: *mut u8,
    iv: *mut u8,
    ctx: *mut ffi::EVP_CIPHER_CTX,
    hctx: *mut ffi::HMAC_CTX,
    enc: c_int,
) -> c_int;

pub type EvpTicketKeyFn = unsafe extern "C" fn(
    ssl: *mut c_void,
    key_name: *mut u8,
    iv: *mut u8,
    ctx: *mut ffi::EVP_CIPHER_CTX,
    hctx: *mut ffi::EVP_MAC_CTX,
    enc: c_int,
) -> c_int;

/// `EVP_MAX_IV_LENGTH`.
const MAX_IV: usize = 16;
const KEY_NAME: usize = 16;

/// The MAC context handed to the callback.
enum MacCtx {
    Hmac(*mut ffi::HMAC_CTX),
    Evp(*mut ffi::EVP_MAC_CTX, *mut ffi::EVP_MAC),
}

struct TicketCtx {
    cipher: *mut ffi::EVP_CIPHER_CTX,
    mac: MacCtx,
}

impl TicketCtx {
    fn new(evp: bool) -> Option<TicketCtx> {
        // SAFETY: fresh contexts, freed in Drop.
        let t = unsafe {
            let mac = if evp {
                let m = ffi::EVP_MAC_fetch(ptr::null_mut(), c"HMAC".as_ptr(), ptr::null());
                MacCtx::Evp(
                    if m.is_null() {
                        ptr::null_mut()
                    } else {
                        ffi::EVP_MAC_CTX_new(m)
                    },
                    m,
                )
            } else {
                MacCtx::Hmac(ffi::HMAC_CTX_new())
            };
            TicketCtx {
                cipher: ffi::EVP_CIPHER_CTX_new(),
                mac,
            }
        };
        let mac_ok = match t.mac {
            MacCtx::Hmac(h) => !h.is_null(),
            MacCtx::Evp(c, _) => !c.is_null(),
        };
        (!t.cipher.is_null() && mac_ok).then_some(t)
    }

    /// The callback's MAC size, after it initialised the context.
    fn mac_size(&self) -> usize {
        // SAFETY: live contexts.
        unsafe {
            match self.mac {
                MacCtx::Hmac(h) => ffi::HMAC_size(h),
                MacCtx::Evp(c, _) => ffi::EVP_MAC_CTX_get_mac_size(c),
            }
        }
    }

    /// MAC over `data` into `out` (sized `mac_size`); the bytes written.
    fn mac(&self, data: &[u8], out: &mut [u8]) -> Option<usize> {
        // SAFETY: live contexts initialised by the callback; out has out.len() bytes.
        unsafe {
            match self.mac {
                MacCtx::Hmac(h) => {
                    let mut got: c_uint = 0;
                    (ffi::HMAC_Update(h, data.as_ptr(), data.len()) == 1
                        && ffi::HMAC_Final(h, out.as_mut_ptr(), &mut got) == 1)
                        .then_some(got as usize)
                }
                MacCtx::Evp(c, _) => {
                    let mut got: usize = 0;
                    (ffi::EVP_MAC_update(c, data.as_ptr(), data.len()) == 1
                        && ffi::EVP_MAC_final(c, out.as_mut_ptr(), &mut got, out.len()) == 1)
                        .then_some(got)
                }
            }
        }
    }
}

impl Drop for TicketCtx {
    fn drop(&mut self) {
        // SAFETY: owned (NULL is accepted by all of these).
        unsafe {
            ffi::EVP_CIPHER_CTX_free(self.cipher);
            match self.mac {
                MacCtx::Hmac(h) => ffi::HMAC_CTX_free(h),
                MacCtx::Evp(c, m) => {
                    ffi::EVP_MAC_CTX_free(c);
                    ffi::EVP_MAC_free(m);
                }
            }
        }
    }
}

impl TicketKeyCb {
    /// # Safety
    /// `f` must be a ticket key callback valid for as long as this value is used.
    pub unsafe fn new(f: TicketKeyFn) -> Self {
        TicketKeyCb::Hmac(f)
    }

    /// # Safety
    /// As `new`.
    pub unsafe fn new_evp(f: EvpTicketKeyFn) -> Self {
        TicketKeyCb::Evp(f)
    }

    pub fn raw(&self) -> usize {
        match self {
            TicketKeyCb::Hmac(f) => *f as usize,
            TicketKeyCb::Evp(f) => *f as usize,
        }
    }

    /// Calls the program's callback.
    ///
    /// # Safety
    /// `name` and `iv` must be writable for 16 bytes; `t` live.
    unsafe fn call(
        &self,
        ssl: usize,
        name: &mut [u8; KEY_NAME],
        iv: &mut [u8; MAX_IV],
        t: &TicketCtx,
        enc: c_int,
    ) -> c_int {
        // SAFETY: per the contract; the MAC context matches the callback's kind.
        unsafe {
            match (self, &t.mac) {
                (TicketKeyCb::Hmac(f), MacCtx::Hmac(h)) => f(
                    ssl as *mut c_void,
                    name.as_mut_ptr(),
                    iv.as_mut_ptr(),
                    t.cipher,
                    *h,
                    enc,
                ),
                (TicketKeyCb::Evp(f), MacCtx::Evp(c, _)) => f(
                    ssl as *mut c_void,
                    name.as_mut_ptr(),
                    iv.as_mut_ptr(),
                    t.cipher,
                    *c,
                    enc,
                ),
                _ => -1,
            }
        }
    }

    /// Encrypts a ticket for the connection `ssl`; `None` when the callback declines.
    pub fn encrypt(&self, ssl: usize, plain: &[u8]) -> Option<Vec<u8>> {
        seal(matches!(self, TicketKeyCb::Evp(_)), plain, |name, iv, t| {
            // SAFETY: name and iv are 16 writable bytes; t is live (enc = 1: the callback
            // fills name and iv and initialises both contexts).
            unsafe { self.call(ssl, name, iv, t, 1) == 1 }
        })
    }

    /// Decrypts a ticket this callback's keys made, with whether the callback asked for it to
    /// be renewed (it returned 2); `None` for an unknown key or a bad ticket.
    pub fn decrypt(&self, ssl: usize, ticket: &[u8]) -> Option<(Vec<u8>, bool)> {
        let mut renew = false;
        let plain = open(
            matches!(self, TicketKeyCb::Evp(_)),
            ticket,
            |name, iv, t| {
                // SAFETY: as encrypt, with enc = 0 (the callback looks the key up by name).
                let r = unsafe { self.call(ssl, name, iv, t, 0) };
                renew = r == 2;
                r == 1 || r == 2
            },
        )?;
        Some((plain, renew))
    }
}

/// Encrypts `plain` in OpenSSL's ticket format once `init` has chosen the key name and IV and
/// initialised the cipher and MAC contexts.
fn seal(
    evp: bool,
    plain: &[u8],
    init: impl FnOnce(&mut [u8; KEY_NAME], &mut [u8; MAX_IV], &TicketCtx) -> bool,
) -> Option<Vec<u8>> {
    let t = TicketCtx::new(evp)?;
    let mut name = [0u8; KEY_NAME];
    let mut iv = [0u8; MAX_IV];
    if !init(&mut name, &mut iv, &t) {
        return None;
    }
    // SAFETY: contexts initialised by init; the output buffers are sized for the input plus a
    // cipher block and the MAC.
    unsafe {
        let iv_len = usize::try_from(ffi::EVP_CIPHER_CTX_get_iv_length(t.cipher))
            .ok()?
            .min(MAX_IV);
        let block = usize::try_from(ffi::EVP_CIPHER_CTX_get_block_size(t.cipher)).ok()?;
        let mut out = Vec::with_capacity(KEY_NAME + iv_len + plain.len() + block + 64);
        out.extend_from_slice(&name);
        out.extend_from_slice(&iv[..iv_len]);
        let start = out.len();
        out.resize(start + plain.len() + block, 0);
        let (mut n1, mut n2) = (0, 0);
        if ffi::EVP_EncryptUpdate(
            t.cipher,
            out[start..].as_mut_ptr(),
            &mut n1,
            plain.as_ptr(),
            c_int::try_from(plain.len()).ok()?,
        ) != 1
            || ffi::EVP_EncryptFinal_ex(t.cipher, out[start + n1 as usize..].as_mut_ptr(), &mut n2)
                != 1
        {
            return None;
        }
        out.truncate(start + (n1 + n2) as usize);
        let mut mac = vec![0u8; t.mac_size().max(1)];
        let got = t.mac(&out, &mut mac)?;
        out.extend_from_slice(&mac[..got]);
        Some(out)
    }
}

/// Decrypts a ticket in OpenSSL's format once `init` has found the key for its name (and
/// initialised the contexts); `None` for an unknown key or a bad ticket.
fn open(
    evp: bool,
    ticket: &[u8],
    init: impl FnOnce(&mut [u8; KEY_NAME], &mut [u8; MAX_IV], &TicketCtx) -> bool,
) -> Option<Vec<u8>> {
    if ticket.len() < KEY_NAME + MAX_IV {
        return None;
    }
    let t = TicketCtx::new(evp)?;
    let mut name = [0u8; KEY_NAME];
    name.copy_from_slice(&ticket[..KEY_NAME]);
    let mut iv = [0u8; MAX_IV];
    iv.copy_from_slice(&ticket[KEY_NAME..KEY_NAME + MAX_IV]);
    if !init(&mut name, &mut iv, &t) {
        // SAFETY: clears what a declining callback may have queued.
        unsafe { ffi::ERR_clear_error() };
        return None;
    }
    // SAFETY: contexts initialised by init; every buffer is sized for what is written.
    unsafe {
        let iv_len = usize::try_from(ffi::EVP_CIPHER_CTX_get_iv_length(t.cipher))
            .ok()?
            .min(MAX_IV);
        let mac_len = t.mac_size();
        let body_start = KEY_NAME + iv_len;
        if ticket.len() < body_start + mac_len {
            return None;
        }
        let (signed, mac) = ticket.split_at(ticket.len() - mac_len);
        let mut want = vec![0u8; mac_len.max(1)];
        if t.mac(signed, &mut want) != Some(mac_len)
            || ffi::CRYPTO_memcmp(want.as_ptr().cast(), mac.as_ptr().cast(), mac_len) != 0
        {
            return None;
        }
        let body = &signed[body_start..];
        let mut out = vec![0u8; body.len() + 32];
        let (mut n1, mut n2) = (0, 0);
        if ffi::EVP_DecryptUpdate(
            t.cipher,
            out.as_mut_ptr(),
            &mut n1,
            body.as_ptr(),
            c_int::try_from(body.len()).ok()?,
        ) != 1
            || ffi::EVP_DecryptFinal_ex(t.cipher, out[n1 as usize..].as_mut_ptr(), &mut n2) != 1
        {
            ffi::ERR_clear_error();
            return None;
        }
        out.truncate((n1 + n2) as usize);
        Some(out)
    }
}

/// A context's own ticket keys, as OpenSSL makes them in `SSL_CTX_new`: a key name, an
/// HMAC-SHA256 key and an AES-256-CBC key, fixed for the context's life (so that processes
/// forked after the context was made accept each other's tickets), replaced only by
/// `SSL_CTX_set_tlsext_ticket_keys`. The 80-byte form is OpenSSL's: name | HMAC key | AES key.
/// libcrypto's `RAND_bytes`; in a build with the `fuzzing` feature, the deterministic generator
/// of `core::fuzzing`, so that tickets are the same on every run.
fn rand_bytes(buf: &mut [u8]) -> bool {
    #[cfg(feature = "fuzzing")]
    {
        crate::core::fuzzing::fill(buf);
        true
    }
    #[cfg(not(feature = "fuzzing"))]
    // SAFETY: buf is writable for its length.
    unsafe {
        ffi::RAND_bytes(buf.as_mut_ptr(), buf.len() as c_int) == 1
    }
}

pub struct TicketKeys {
    bytes: [u8; TICKET_KEYS_LEN],
}

/// `SSL_CTX_get_tlsext_ticket_keys`'s length.
pub const TICKET_KEYS_LEN: usize = 80;

impl TicketKeys {
    /// Fresh random keys; `None` if libcrypto's RNG fails.
    pub fn generate() -> Option<TicketKeys> {
        let mut bytes = [0u8; TICKET_KEYS_LEN];
        rand_bytes(&mut bytes).then_some(TicketKeys { bytes })
    }

    pub fn from_bytes(bytes: [u8; TICKET_KEYS_LEN]) -> TicketKeys {
        TicketKeys { bytes }
    }

    pub fn to_bytes(&self) -> [u8; TICKET_KEYS_LEN] {
        self.bytes
    }

    fn name(&self) -> &[u8] {
        &self.bytes[..KEY_NAME]
    }

    /// Initialises `t` with these keys for encrypting (`enc`) or decrypting with `iv`.
    fn init(&self, iv: &[u8; MAX_IV], t: &TicketCtx, enc: bool) -> bool {
        let MacCtx::Hmac(h) = t.mac else {
            return false;
        };
        let hmac = &self.bytes[KEY_NAME..KEY_NAME + 32];
        let aes = &self.bytes[KEY_NAME + 32..];
        // SAFETY: live contexts; the keys are 32 bytes each, the IV 16 (AES-CBC's).
        unsafe {
            let cipher_ok = if enc {
                ffi::EVP_EncryptInit_ex(
                    t.cipher,
                    ffi::EVP_aes_256_cbc(),
                    ptr::null_mut(),
                    aes.as_ptr(),
                    iv.as_ptr(),
                )
            } else {
                ffi::EVP_DecryptInit_ex(
                    t.cipher,
                    ffi::EVP_aes_256_cbc(),
                    ptr::null_mut(),
                    aes.as_ptr(),
                    iv.as_ptr(),
                )
            } == 1;
            cipher_ok
                && ffi::HMAC_Init_ex(
                    h,
                    hmac.as_ptr().cast(),
                    32,
                    ffi::EVP_sha256(),
                    ptr::null_mut(),
                ) == 1
        }
    }

    pub fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        seal(false, plain, |name, iv, t| {
            name.copy_from_slice(self.name());
            rand_bytes(iv) && self.init(iv, t, true)
        })
    }

    /// `None` for a ticket made with other keys, or a bad one.
    pub fn decrypt(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        open(false, ticket, |name, iv, t| {
            name[..] == *self.name() && self.init(iv, t, false)
        })
    }
}
