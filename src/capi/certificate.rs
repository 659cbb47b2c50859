//! SSL_CTX_use_certificate(3), SSL_CTX_use_PrivateKey(3), SSL_CTX_check_private_key(3),
//! SSL_CTX_use_certificate_chain_file(3), SSL_get_certificate(3): our own certificate and key
//! (a client certificate here; the server's in the server issue). Every function exists for an
//! `SSL_CTX` and for an `SSL`.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_long, c_uchar};
use std::ptr;

use super::args;
use super::context::{ctx_target, ssl_target, Target};
use super::types::*;
use crate::core::credentials::{self, Credentials};
use crate::core::error::{reason, Error, Result};
use crate::libcrypto::{self, ffi, PKey, X509Cert};

fn with_creds(
    t: Result<Target>,
    f: impl FnOnce(&mut Credentials, crate::libcrypto::PasswordCb) -> Result<()>,
) -> Result<c_int> {
    t?.update(|s| {
        let pw = s.password;
        f(&mut s.credentials, pw)
    })?;
    Ok(1)
}

fn use_cert(t: Result<Target>, x: *mut X509) -> Result<c_int> {
    // SAFETY: a live X509 the caller keeps; we take our own reference.
    let cert = unsafe { X509Cert::from_borrowed(x.cast()) }.ok_or(Error::NullArgument("X509"))?;
    with_creds(t, |c, _| c.set_leaf(cert))
}

fn use_key(t: Result<Target>, k: *mut EVP_PKEY) -> Result<c_int> {
    // SAFETY: a live EVP_PKEY the caller keeps; we take our own reference.
    let key = unsafe { PKey::from_borrowed(k.cast()) }.ok_or(Error::NullArgument("EVP_PKEY"))?;
    with_creds(t, |c, _| c.set_key(key))
}

fn use_cert_file(t: Result<Target>, file: *const c_char, ty: c_int) -> Result<c_int> {
    // SAFETY: a C string argument.
    let file = unsafe { args::cstr(file, "file") }?;
    with_creds(t, |c, pw| {
        c.set_leaf(credentials::load_cert_file(file, ty, pw)?)
    })
}

fn use_chain_file(t: Result<Target>, file: *const c_char) -> Result<c_int> {
    // SAFETY: a C string argument.
    let file = unsafe { args::cstr(file, "file") }?;
    with_creds(t, |c, pw| {
        let (leaf, chain) = credentials::load_chain_file(file, pw)?;
        c.set_chain(chain)?;
        c.set_leaf(leaf)
    })
}

fn use_key_file(t: Result<Target>, file: *const c_char, ty: c_int) -> Result<c_int> {
    // SAFETY: a C string argument.
    let file = unsafe { args::cstr(file, "file") }?;
    with_creds(t, |c, pw| {
        c.set_key(credentials::load_key_file(file, ty, pw)?)
    })
}

/// `SSL_use_RSAPrivateKey_file` and the context form: as `use_key_file`, for an RSA key only
/// (another type fails as OpenSSL's `PEM_read_bio_RSAPrivateKey` does: libcrypto's "expecting
/// an rsa key", then the PEM library error).
fn use_rsa_key_file(t: Result<Target>, file: *const c_char, ty: c_int) -> Result<c_int> {
    // SAFETY: a C string argument.
    let file = unsafe { args::cstr(file, "file") }?;
    with_creds(t, |c, pw| {
        let key = credentials::load_key_file(file, ty, pw)?;
        if key.key_type() != EVP_PKEY_RSA {
            libcrypto::err::push_lib(
                ERR_LIB_EVP,
                EVP_R_EXPECTING_AN_RSA_KEY,
                super::boundary::current(),
            );
            return Err(Error::BadFile {
                reason: crate::core::error::reason::PEM_LIB,
                detail: "not an RSA private key".into(),
            });
        }
        c.set_key(key)
    })
}

/// `ERR_LIB_EVP`, `EVP_R_EXPECTING_AN_RSA_KEY`.
const ERR_LIB_EVP: c_int = 6;
const EVP_R_EXPECTING_AN_RSA_KEY: c_int = 127;

fn use_cert_der(t: Result<Target>, len: c_int, d: *const c_uchar) -> Result<c_int> {
    // SAFETY: len readable bytes.
    let der = unsafe { args::bytes(d, args::len(len, "len")?, "d") }?;
    let cert = X509Cert::from_der(der).ok_or_else(|| Error::BadFile {
        reason: crate::core::error::reason::X509_LIB,
        detail: "not a DER certificate".into(),
    })?;
    with_creds(t, |c, _| c.set_leaf(cert))
}

fn use_key_der(t: Result<Target>, ty: c_int, d: *const c_uchar, len: c_long) -> Result<c_int> {
    let len = usize::try_from(len).map_err(|_| Error::InvalidArgument("negative length".into()))?;
    // SAFETY: len readable bytes.
    let der = unsafe { args::bytes(d, len, "d") }?;
    let key = PKey::from_der_typed(ty, der).ok_or_else(|| Error::BadFile {
        reason: crate::core::error::reason::BAD_DATA,
        detail: "not a DER private key of that type".into(),
    })?;
    with_creds(t, |c, _| c.set_key(key))
}

/// An RSA key as an EVP_PKEY (as OpenSSL's legacy `*_use_RSAPrivateKey*` do).
fn use_rsa(t: Result<Target>, rsa: *mut RSA) -> Result<c_int> {
    if rsa.is_null() {
        return Err(Error::NullArgument("RSA"));
    }
    // SAFETY: a fresh EVP_PKEY holding its own reference to the caller's live RSA key; PKey
    // owns (and frees) it.
    let key = unsafe {
        let p = ffi::EVP_PKEY_new();
        if !p.is_null() && ffi::EVP_PKEY_set1_RSA(p, rsa.cast()) != 1 {
            ffi::EVP_PKEY_free(p);
            return Err(Error::Queued);
        }
        PKey::from_raw(p)
    }
    .ok_or(Error::Queued)?;
    with_creds(t, |c, _| c.set_key(key))
}

fn check(t: Result<Target>) -> Result<c_int> {
    t?.read(|s| s.credentials.check())?;
    Ok(1)
}

/// `SSL_CTX_use_certificate`: 1 on success (takes its own reference to `x`).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_use_certificate(ctx: *mut SSL_CTX, x: *mut X509) -> c_int {
    use_cert(ctx_target(ctx), x)
}

/// `SSL_use_certificate`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_use_certificate(ssl: *mut SSL, x: *mut X509) -> c_int {
    use_cert(ssl_target(ssl), x)
}

/// `SSL_CTX_use_PrivateKey`: 1 on success; 0 when it does not match the certificate.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_use_PrivateKey(ctx: *mut SSL_CTX, pkey: *mut EVP_PKEY) -> c_int {
    use_key(ctx_target(ctx), pkey)
}

/// `SSL_use_PrivateKey`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_use_PrivateKey(ssl: *mut SSL, pkey: *mut EVP_PKEY) -> c_int {
    use_key(ssl_target(ssl), pkey)
}

/// `SSL_CTX_use_certificate_file`: `SSL_FILETYPE_PEM` or `SSL_FILETYPE_ASN1`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    use_cert_file(ctx_target(ctx), file, ty)
}

/// `SSL_use_certificate_file`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate_file(
    ssl: *mut SSL,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    use_cert_file(ssl_target(ssl), file, ty)
}

/// `SSL_CTX_use_certificate_chain_file`: a PEM file, leaf first, then its chain.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_chain_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
) -> c_int {
    use_chain_file(ctx_target(ctx), file)
}

/// `SSL_use_certificate_chain_file`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate_chain_file(
    ssl: *mut SSL,
    file: *const c_char,
) -> c_int {
    use_chain_file(ssl_target(ssl), file)
}

/// `SSL_CTX_use_PrivateKey_file`: PEM (decrypted with the password callback when encrypted)
/// or DER.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_PrivateKey_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    use_key_file(ctx_target(ctx), file, ty)
}

/// `SSL_use_PrivateKey_file`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_use_PrivateKey_file(
    ssl: *mut SSL,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    use_key_file(ssl_target(ssl), file, ty)
}

/// `SSL_CTX_use_RSAPrivateKey_file`: as `SSL_CTX_use_PrivateKey_file`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_RSAPrivateKey_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    use_rsa_key_file(ctx_target(ctx), file, ty)
}

/// `SSL_use_RSAPrivateKey_file`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_use_RSAPrivateKey_file(
    ssl: *mut SSL,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    use_rsa_key_file(ssl_target(ssl), file, ty)
}

/// `SSL_CTX_use_certificate_ASN1`: a DER certificate.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_ASN1(
    ctx: *mut SSL_CTX,
    len: c_int,
    d: *const c_uchar,
) -> c_int {
    use_cert_der(ctx_target(ctx), len, d)
}

/// `SSL_use_certificate_ASN1`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate_ASN1(
    ssl: *mut SSL,
    d: *const c_uchar,
    len: c_int,
) -> c_int {
    use_cert_der(ssl_target(ssl), len, d)
}

/// `SSL_CTX_use_PrivateKey_ASN1`: a DER key of type `pk` (`EVP_PKEY_RSA`...).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_PrivateKey_ASN1(
    pk: c_int,
    ctx: *mut SSL_CTX,
    d: *const c_uchar,
    len: c_long,
) -> c_int {
    use_key_der(ctx_target(ctx), pk, d, len)
}

/// `SSL_use_PrivateKey_ASN1`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_use_PrivateKey_ASN1(
    pk: c_int,
    ssl: *mut SSL,
    d: *const c_uchar,
    len: c_long,
) -> c_int {
    use_key_der(ssl_target(ssl), pk, d, len)
}

/// `SSL_CTX_use_RSAPrivateKey`: an RSA key (the context takes its own reference).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_use_RSAPrivateKey(ctx: *mut SSL_CTX, rsa: *mut RSA) -> c_int {
    use_rsa(ctx_target(ctx), rsa)
}

/// `SSL_use_RSAPrivateKey`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_use_RSAPrivateKey(ssl: *mut SSL, rsa: *mut RSA) -> c_int {
    use_rsa(ssl_target(ssl), rsa)
}

/// `SSL_CTX_use_RSAPrivateKey_ASN1`: a DER (PKCS#1) RSA key.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_RSAPrivateKey_ASN1(
    ctx: *mut SSL_CTX,
    d: *const c_uchar,
    len: c_long,
) -> c_int {
    use_key_der(ctx_target(ctx), EVP_PKEY_RSA, d, len)
}

/// `SSL_use_RSAPrivateKey_ASN1`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_use_RSAPrivateKey_ASN1(
    ssl: *mut SSL,
    d: *const c_uchar,
    len: c_long,
) -> c_int {
    use_key_der(ssl_target(ssl), EVP_PKEY_RSA, d, len)
}

/// `EVP_PKEY_RSA` (`NID_rsaEncryption`).
const EVP_PKEY_RSA: c_int = 6;

/// `SSL_CTX_check_private_key`: 1 when a certificate and a matching key are set.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_check_private_key(ctx: *const SSL_CTX) -> c_int {
    check(ctx_target(ctx))
}

/// `SSL_check_private_key`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_check_private_key(ssl: *const SSL) -> c_int {
    check(ssl_target(ssl))
}

/// `SSL_CTX_get0_certificate`: the certificate (no new reference), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get0_certificate(ctx: *const SSL_CTX) -> *mut X509 {
    Ok(ctx_target(ctx)?.read(|s| {
        s.credentials
            .leaf
            .as_ref()
            .map_or(ptr::null_mut(), |c| c.as_ptr().cast())
    }))
}

/// `SSL_CTX_get0_privatekey`: the key (no new reference), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get0_privatekey(ctx: *const SSL_CTX) -> *mut EVP_PKEY {
    Ok(ctx_target(ctx)?.read(|s| {
        s.credentials
            .key
            .as_ref()
            .map_or(ptr::null_mut(), |k| k.as_ptr().cast())
    }))
}

/// `SSL_get_certificate`: the connection's certificate (no new reference), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_certificate(ssl: *const SSL) -> *mut X509 {
    Ok(ssl_target(ssl)?.read(|s| {
        s.credentials
            .leaf
            .as_ref()
            .map_or(ptr::null_mut(), |c| c.as_ptr().cast())
    }))
}

/// `SSL_get_privatekey`: the connection's key (no new reference), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_privatekey(ssl: *const SSL) -> *mut evp_pkey_st {
    Ok(ssl_target(ssl)?.read(|s| {
        s.credentials
            .key
            .as_ref()
            .map_or(ptr::null_mut(), |k| k.as_ptr().cast())
    }))
}

fn use_cert_and_key(
    t: Result<Target>,
    x509: *mut X509,
    privatekey: *mut EVP_PKEY,
    chain: *mut stack_st_X509,
    replace: c_int,
) -> Result<c_int> {
    // SAFETY: live objects the caller keeps; we take our own references.
    let (leaf, key, chain) = unsafe {
        (
            X509Cert::from_borrowed(x509.cast()).ok_or(Error::NullArgument("x509"))?,
            PKey::from_borrowed(privatekey.cast()),
            (!chain.is_null()).then(|| crate::libcrypto::certs_of_stack(chain.cast())),
        )
    };
    with_creds(t, |c, _| c.use_cert_and_key(leaf, key, chain, replace != 0))
}

/// `SSL_CTX_use_cert_and_key`: sets a certificate, its private key and its chain (each with a
/// reference of its own; `chain` may be NULL) as one, in the slot of the certificate's key
/// type. With `override` 0 a slot already holding anything is kept
/// (`SSL_R_NOT_REPLACING_CERTIFICATE`). 1 on success.
///
/// Differs from OpenSSL: a NULL `privatekey` leaves the slot without a key (OpenSSL stores the
/// certificate's public key there); the security level is not checked.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_use_cert_and_key(
    ctx: *mut SSL_CTX,
    x509: *mut X509,
    privatekey: *mut EVP_PKEY,
    chain: *mut stack_st_X509,
    r#override: c_int,
) -> c_int {
    use_cert_and_key(ctx_target(ctx), x509, privatekey, chain, r#override)
}

/// `SSL_use_cert_and_key`: as `SSL_CTX_use_cert_and_key`, for one connection.
#[export]
#[no_mangle]
pub extern "C" fn SSL_use_cert_and_key(
    ssl: *mut SSL,
    x509: *mut X509,
    privatekey: *mut EVP_PKEY,
    chain: *mut stack_st_X509,
    r#override: c_int,
) -> c_int {
    use_cert_and_key(ssl_target(ssl), x509, privatekey, chain, r#override)
}

/// `SSL_certs_clear`: removes every certificate, private key and chain of the connection.
#[export]
#[no_mangle]
pub extern "C" fn SSL_certs_clear(s: *mut SSL) {
    ssl_target(s)?.update(|st| {
        st.credentials.clear();
        Ok(())
    })
}

/// `SSL_CTX_build_cert_chain`: replaces the current certificate's chain by the one libcrypto
/// builds from the trust store (`SSL_BUILD_CHAIN_FLAG_UNTRUSTED`: the current chain may supply
/// intermediates; `_CHECK`: trust the current chain and the leaf alone, checking the chain;
/// `_NO_ROOT`: without the self-signed root; `_IGNORE_ERROR`: keep what was found when
/// verification fails, returning 2 if that is nothing above the leaf and 1 otherwise, as
/// OpenSSL; `_CLEAR_ERROR`: then also empty the error queue). 1 on success, 0 with
/// `SSL_R_CERTIFICATE_VERIFY_FAILED` when the chain does not verify. Differs from OpenSSL: the
/// CA certificates are not checked against the security level.
pub fn build_cert_chain(t: &Target, flags: c_long) -> Result<c_long> {
    const UNTRUSTED: c_long = 0x1;
    const NO_ROOT: c_long = 0x2;
    const CHECK: c_long = 0x4;
    const IGNORE_ERROR: c_long = 0x8;
    const CLEAR_ERROR: c_long = 0x10;
    let (leaf, chain) = t.read(|s| (s.credentials.leaf.clone(), s.credentials.chain.clone()));
    let Some(leaf) = leaf else {
        return Err(Error::Misuse {
            reason: reason::NO_CERTIFICATE_SET,
            detail: "no certificate to build a chain for".into(),
        });
    };
    let store = match t {
        Target::Ctx(c) => c.store(),
        Target::Ssl(s) => s.ctx().store(),
    };
    let (ok, error, mut built) = libcrypto::build_chain(&libcrypto::ChainBuild {
        store: &store,
        leaf: &leaf,
        chain: &chain,
        chain_only: flags & CHECK != 0,
        use_chain: flags & UNTRUSTED != 0,
    })
    .map_err(|e| Error::Internal(format!("X509_STORE_CTX: error {e}")))?;
    let mut rv = 1;
    if !ok {
        if flags & IGNORE_ERROR == 0 {
            return Err(Error::Misuse {
                reason: reason::CERTIFICATE_VERIFY_FAILED,
                detail: format!("Verify error:{}", libcrypto::verify_error_string(error)),
            });
        }
        if flags & CLEAR_ERROR != 0 {
            libcrypto::clear_errors();
        }
        rv = 2;
    }
    if flags & NO_ROOT != 0 && built.last().is_some_and(X509Cert::is_self_signed) {
        built.pop();
    }
    // OpenSSL's security check of each CA certificate sets the result to 1.
    if !built.is_empty() {
        rv = 1;
    }
    t.update(|s| s.credentials.set_chain(built).map(|_| rv))
}
