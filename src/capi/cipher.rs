//! SSL_get_current_cipher(3), SSL_CIPHER_get_name(3) and friends, SSL_get_cipher_list(3),
//! SSL_group_to_name(3): `SSL_CIPHER` pointers point into `core::cipher::CIPHERS`.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_uchar};
use std::ptr;

use super::args;
use super::context::ssl_target;
use super::handle;
use super::types::*;
use crate::core::cipher::{Cipher, CIPHERS};
use crate::core::error::{Error, Result};

fn to_c(c: &'static Cipher) -> *const SSL_CIPHER {
    (c as *const Cipher).cast()
}

/// Resolves a `const SSL_CIPHER *` to one of ours.
fn cipher(p: *const SSL_CIPHER) -> Result<&'static Cipher> {
    if p.is_null() {
        return Err(Error::NullArgument("SSL_CIPHER"));
    }
    CIPHERS
        .iter()
        .find(|c| ptr::eq(*c as *const Cipher, p.cast()))
        .ok_or_else(|| Error::InvalidArgument("not an SSL_CIPHER of this library".into()))
}

/// `SSL_get_current_cipher`: the negotiated suite, NULL before a handshake.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_current_cipher(s: *const SSL) -> *const SSL_CIPHER {
    let conn = handle::ssl(s)?;
    let cipher = match conn.handshake_info() {
        Some(h) => h.cipher,
        None => conn.tentative().1,
    };
    Ok(cipher.map_or(ptr::null(), to_c))
}

/// `SSL_get_pending_cipher`: as `SSL_get_current_cipher` once negotiated.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_pending_cipher(s: *const SSL) -> *const SSL_CIPHER {
    Ok(SSL_get_current_cipher(s))
}

/// `SSL_CIPHER_get_name`: OpenSSL's name; `"(NONE)"` for NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_name(c: *const SSL_CIPHER) -> *const c_char {
    if c.is_null() {
        return Ok(c"(NONE)".as_ptr());
    }
    Ok(cipher(c)?.name.as_ptr())
}

/// `SSL_CIPHER_standard_name`: the RFC name; `"(NONE)"` for NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_standard_name(c: *const SSL_CIPHER) -> *const c_char {
    if c.is_null() {
        return Ok(c"(NONE)".as_ptr());
    }
    Ok(cipher(c)?.standard.as_ptr())
}

/// `OPENSSL_cipher_name`: OpenSSL's name for an RFC name; `"(NONE)"` when unknown.
#[export(fail = c"(NONE)".as_ptr())]
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_cipher_name(rfc: *const c_char) -> *const c_char {
    // SAFETY: a C string argument.
    let rfc = unsafe { args::cstr(rfc, "name") }?;
    Ok(CIPHERS
        .iter()
        .find(|c| c.standard == rfc)
        .map_or(c"(NONE)".as_ptr(), |c| c.name.as_ptr()))
}

/// `SSL_CIPHER_get_bits`: the key length; also written to `*alg_bits` when given.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_bits(c: *const SSL_CIPHER, alg_bits: *mut c_int) -> c_int {
    if c.is_null() {
        return Ok(0);
    }
    let bits = cipher(c)?.bits();
    // SAFETY: out-parameter.
    unsafe { args::out(alg_bits, bits) };
    Ok(bits)
}

/// `SSL_CIPHER_get_version`: `"TLSv1.2"`/`"TLSv1.3"`; `"(NONE)"` for NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_version(c: *const SSL_CIPHER) -> *const c_char {
    if c.is_null() {
        return Ok(c"(NONE)".as_ptr());
    }
    Ok(cipher(c)?.version().as_ptr())
}

/// `SSL_CIPHER_get_id`: `0x03000000 | IANA value`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_id(c: *const SSL_CIPHER) -> u32 {
    Ok(cipher(c)?.id())
}

/// `SSL_CIPHER_get_protocol_id`: the IANA value.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_protocol_id(c: *const SSL_CIPHER) -> u16 {
    Ok(cipher(c)?.protocol_id())
}

/// `SSL_CIPHER_is_aead`: every suite ferrossl has is AEAD.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_is_aead(c: *const SSL_CIPHER) -> c_int {
    cipher(c)?;
    Ok(1)
}

/// `SSL_CIPHER_get_cipher_nid`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_cipher_nid(c: *const SSL_CIPHER) -> c_int {
    use crate::core::cipher::Enc;
    Ok(match cipher(c)?.enc {
        Enc::Aes128Gcm => 895,
        Enc::Aes256Gcm => 901,
        Enc::Chacha20 => 1018,
    })
}

/// `SSL_CIPHER_get_digest_nid`: `NID_undef` (AEAD suites have no MAC digest).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_digest_nid(c: *const SSL_CIPHER) -> c_int {
    cipher(c)?;
    Ok(0)
}

/// `SSL_CIPHER_get_kx_nid`: `NID_kx_ecdhe` (1038) or, for TLS 1.3, `NID_kx_any` (1063).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_kx_nid(c: *const SSL_CIPHER) -> c_int {
    Ok(if cipher(c)?.tls13 { 1063 } else { 1038 })
}

/// `SSL_CIPHER_get_auth_nid`: `NID_auth_rsa` (1046), `NID_auth_ecdsa` (1047), `NID_auth_any`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_auth_nid(c: *const SSL_CIPHER) -> c_int {
    use crate::core::cipher::Auth;
    Ok(match cipher(c)?.auth {
        Auth::Rsa => 1046,
        Auth::Ecdsa => 1047,
        Auth::Any => 1064,
    })
}

/// `SSL_CIPHER_get_handshake_digest`: SHA-256 or SHA-384 (libcrypto's `EVP_MD`).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CIPHER_get_handshake_digest(c: *const SSL_CIPHER) -> *const EVP_MD {
    // SAFETY: static digests.
    let md = unsafe {
        if cipher(c)?.sha384() {
            crate::libcrypto::ffi::EVP_sha384()
        } else {
            crate::libcrypto::ffi::EVP_sha256()
        }
    };
    Ok(md.cast())
}

/// `SSL_CIPHER_description`: OpenSSL's one-line description into `buf` (or a fresh
/// `OPENSSL_malloc` buffer when `buf` is NULL); NULL when `len` is too small.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_description(
    c: *const SSL_CIPHER,
    buf: *mut c_char,
    len: c_int,
) -> *mut c_char {
    let d = cipher(c)?.description.to_bytes_with_nul();
    if buf.is_null() {
        return Ok(crate::libcrypto::openssl_copy(d).cast());
    }
    // As OpenSSL: a buffer too small (or a negative length) gives NULL, nothing queued.
    if usize::try_from(len).map_or(true, |l| l < d.len()) {
        return Ok(ptr::null_mut());
    }
    // SAFETY: buf has len >= d.len() writable bytes.
    unsafe { ptr::copy_nonoverlapping(d.as_ptr(), buf.cast(), d.len()) };
    Ok(buf)
}

/// `SSL_CIPHER_find`: the suite with a 2-byte IANA value, or NULL.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_find(ssl: *mut SSL, p: *const c_uchar) -> *const SSL_CIPHER {
    handle::ssl(ssl)?;
    // SAFETY: two readable bytes.
    let b = unsafe { args::bytes(p, 2, "ptr") }?;
    let id = u16::from_be_bytes([b[0], b[1]]);
    Ok(CIPHERS
        .iter()
        .find(|c| c.protocol_id() == id)
        .map_or(ptr::null(), to_c))
}

/// `SSL_get_cipher_list`: the name of the `n`th enabled suite (TLS 1.3 first), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_cipher_list(s: *const SSL, n: c_int) -> *const c_char {
    let t = ssl_target(s)?;
    let Ok(n) = usize::try_from(n) else {
        return Ok(ptr::null());
    };
    Ok(t.read(|st| {
        st.tls13
            .iter()
            .chain(&st.tls12)
            .nth(n)
            .map_or(ptr::null(), |c| c.name.as_ptr())
    }))
}

/// `SSL_group_to_name`: OpenSSL's name for a group NID as `SSL_get_negotiated_group` or
/// `SSL_get1_groups` reports it (any group OpenSSL knows, as OpenSSL), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_group_to_name(s: *mut SSL, id: c_int) -> *const c_char {
    handle::ssl(s)?;
    Ok(super::negotiated::group_name_of_nid(id).map_or(ptr::null(), |n| n.as_ptr()))
}

fn cipher_stack(
    slot: &std::sync::Mutex<Option<crate::libcrypto::StaticStack>>,
    settings: &crate::core::context::Settings,
) -> Result<*mut stack_st_SSL_CIPHER> {
    let list: Vec<&'static Cipher> = settings
        .tls13
        .iter()
        .chain(&settings.tls12)
        .copied()
        .collect();
    let stack = crate::libcrypto::StaticStack::new(&list)
        .ok_or_else(|| Error::Internal("out of memory".into()))?;
    let p = stack.as_ptr().cast();
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(stack);
    Ok(p)
}

/// `SSL_CTX_get_ciphers`: the enabled suites in preference order, TLS 1.3 first (owned by the
/// context; valid until the next call or cipher change).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_ciphers(ctx: *const SSL_CTX) -> *mut stack_st_SSL_CIPHER {
    let ctx = handle::ctx(ctx)?;
    let p = cipher_stack(&ctx.cipher_stack, &ctx.settings())?;
    Ok(p)
}

/// `SSL_get_ciphers`: as `SSL_CTX_get_ciphers`, for one connection.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_ciphers(s: *const SSL) -> *mut stack_st_SSL_CIPHER {
    let conn = handle::ssl(s)?;
    let p = cipher_stack(&conn.cipher_stack, &conn.settings())?;
    Ok(p)
}

/// `SSL_get_current_compression`: NULL (TLS compression does not exist in rustls).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_current_compression(s: *const SSL) -> *const COMP_METHOD {
    handle::ssl(s)?;
    Ok(ptr::null())
}

/// `SSL_get_current_expansion`: NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_current_expansion(s: *const SSL) -> *const COMP_METHOD {
    handle::ssl(s)?;
    Ok(ptr::null())
}

/// `SSL_COMP_get_compression_methods`: an empty stack (no compression methods), as an OpenSSL
/// built without zlib; owned by the library.
#[export]
#[no_mangle]
pub extern "C" fn SSL_COMP_get_compression_methods() -> *mut stack_st_SSL_COMP {
    static EMPTY: std::sync::OnceLock<Option<crate::libcrypto::StaticStack>> =
        std::sync::OnceLock::new();
    let empty = EMPTY.get_or_init(|| crate::libcrypto::StaticStack::new::<u8>(&[]));
    Ok(empty
        .as_ref()
        .map_or(ptr::null_mut(), |s| s.as_ptr().cast()))
}

/// `SSL_COMP_get_name`: NULL (there is no compression method to name).
#[export]
#[no_mangle]
pub extern "C" fn SSL_COMP_get_name(_comp: *const COMP_METHOD) -> *const c_char {
    Ok(ptr::null())
}

/// `SSL_CTX_set_security_level`: recorded (see `SSL_CTX_get_security_level`).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_security_level(ctx: *mut SSL_CTX, level: c_int) {
    super::context::ctx_target(ctx)?.update(|s| {
        s.security_level = level;
        Ok(())
    })
}

/// `SSL_set_security_level`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_security_level(s: *mut SSL, level: c_int) {
    ssl_target(s)?.update(|st| {
        st.security_level = level;
        Ok(())
    })
}

/// `SSL_CTX_get_security_level`: the level set, 2 by default (Debian's OpenSSL configuration).
/// Differs from OpenSSL: the level restricts nothing further; every suite, group and signature
/// scheme rustls offers meets level 3.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_security_level(ctx: *const SSL_CTX) -> c_int {
    Ok(super::context::ctx_target(ctx)?.read(|s| s.security_level))
}

/// `SSL_get_security_level`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_security_level(s: *const SSL) -> c_int {
    Ok(ssl_target(s)?.read(|st| st.security_level))
}

/// `SSL_export_keying_material`: `olen` bytes of keying material for `label` (and `context`
/// when `use_context`); 1 on success, -1 (nothing queued) before a handshake, as OpenSSL.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_export_keying_material(
    s: *mut SSL,
    out: *mut c_uchar,
    olen: usize,
    label: *const c_char,
    llen: usize,
    context: *const c_uchar,
    contextlen: usize,
    use_context: c_int,
) -> c_int {
    let conn = handle::ssl(s)?;
    if conn.handshake_info().is_none() {
        return Ok(-1);
    }
    // SAFETY: buffers of the given lengths, per the man page.
    let (out, label, ctx) = unsafe {
        (
            args::bytes_mut(out, olen, "out")?,
            args::bytes(label.cast(), llen, "label")?,
            if use_context != 0 {
                Some(args::bytes(context, contextlen, "context")?)
            } else {
                None
            },
        )
    };
    conn.export_keying_material(out, label, ctx)?;
    Ok(1)
}

/// `SSL_get_shared_ciphers`: a server's list of the suites the client offered that this
/// connection also enables, as `"A:B:C"` in `buf` (`size` bytes with the NUL; a name that does
/// not fit ends the list, as OpenSSL). Returns `buf`, or NULL for a client, before the
/// ClientHello was read, or when `size < 2`.
///
/// Differs from OpenSSL: when no offered suite is enabled, `buf` is set to `""` (OpenSSL
/// writes a NUL before `buf`).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get_shared_ciphers(
    s: *const SSL,
    buf: *mut c_char,
    size: c_int,
) -> *mut c_char {
    let conn = handle::ssl(s)?;
    let Some(offered) = conn.offered_cipher_suites().filter(|o| !o.is_empty()) else {
        return Ok(ptr::null_mut());
    };
    if conn.role() != Some(crate::core::context::Role::Server) || size < 2 {
        return Ok(ptr::null_mut());
    }
    let size = args::len(size, "size")?;
    let enabled: Vec<&'static Cipher> = {
        let st = conn.settings();
        st.tls13.iter().chain(&st.tls12).copied().collect()
    };
    if enabled.is_empty() {
        return Ok(ptr::null_mut());
    }
    let names = crate::core::cipher::shared_names(&offered, &enabled, size);
    // SAFETY: the caller gives size writable bytes; names.len() < size.
    let out = unsafe { args::bytes_mut(buf.cast(), size, "buf") }?;
    out[..names.len()].copy_from_slice(&names);
    out[names.len()] = 0;
    Ok(buf)
}

/// `SSL_get1_supported_ciphers`: the suites of `SSL_get_ciphers` this connection can use with
/// its protocol versions, as a new stack the caller frees with `sk_SSL_CIPHER_free`; NULL when
/// there is none (or no protocol version is enabled).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get1_supported_ciphers(s: *mut SSL) -> *mut stack_st_SSL_CIPHER {
    let conn = handle::ssl(s)?;
    let list: Vec<&'static Cipher> = {
        let st = conn.settings();
        let versions = st.versions();
        let tls13 = versions.contains(&&rustls::version::TLS13);
        let tls12 = versions.contains(&&rustls::version::TLS12);
        st.tls13
            .iter()
            .filter(|_| tls13)
            .chain(st.tls12.iter().filter(|_| tls12))
            .copied()
            .collect()
    };
    if list.is_empty() {
        return Ok(ptr::null_mut());
    }
    let stack = crate::libcrypto::StaticStack::new(&list)
        .ok_or_else(|| Error::Internal("out of memory".into()))?;
    Ok(stack.into_raw().cast())
}
