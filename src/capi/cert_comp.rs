//! SSL_CTX_set1_cert_comp_preference(3): certificate compression (RFC 8879), OpenSSL 3.5.
//!
//! This build has brotli (2) and zlib (1), as an OpenSSL built without zstd (3), which is
//! skipped like any algorithm the build lacks. The preferences start as brotli, zlib; the
//! `compress_certificate` extension is offered by default (receiving), and a server sends a
//! compressed certificate only after `SSL_CTX_compress_certs` (or `SSL_CTX_set1_compressed_cert`),
//! as OpenSSL. rustls compresses (and caches the compression) itself; `SSL_CTX_compress_certs`
//! records which algorithms may be sent and answers as OpenSSL would; a compressed form the
//! program gives is sent in place of rustls's own. A compressed certificate from the peer is
//! inflated only up to rustls's limit of 64 KiB.

#![allow(non_snake_case)]

use std::ffi::{c_int, c_uchar};

use ferrossl_macros::export;

use super::args;
use super::context::{ctx_target, ssl_target, Target};
use super::types::*;
use crate::core::cert_comp;
use crate::core::context::Role;
use crate::core::error::{reason, Error, Result};

/// A preference list argument: `algs[0..len]`, none for NULL or 0.
///
/// # Safety
/// `algs` must be NULL or readable for `len` ints.
unsafe fn alg_list<'a>(algs: *const c_int, len: usize) -> Option<&'a [c_int]> {
    if algs.is_null() || len == 0 {
        return None;
    }
    // SAFETY: per the contract.
    Some(unsafe { std::slice::from_raw_parts(algs, len) })
}

fn set_preference(t: Result<Target>, algs: Option<&[c_int]>) -> Result<c_int> {
    t?.update(|s| {
        Ok(c_int::from(cert_comp::set_prefs(
            &mut s.cert_comp_prefs,
            algs,
        )))
    })
}

/// `SSL_CTX_set1_cert_comp_preference`: the algorithms to offer and accept, in preference order.
/// 1; NULL or 0 clears the list (1: nothing offered). Algorithms this build lacks are skipped;
/// 0 (the old list kept, nothing queued, as OpenSSL) when none is left or one is repeated.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_cert_comp_preference(
    ctx: *mut SSL_CTX,
    algs: *mut c_int,
    len: usize,
) -> c_int {
    // SAFETY: the caller's len ints.
    set_preference(ctx_target(ctx), unsafe { alg_list(algs, len) })
}

/// `SSL_set1_cert_comp_preference`: as `SSL_CTX_set1_cert_comp_preference`, for one connection.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_cert_comp_preference(
    ssl: *mut SSL,
    algs: *mut c_int,
    len: usize,
) -> c_int {
    if ssl.is_null() {
        return Ok(0); // as OpenSSL, without an error
    }
    // SAFETY: the caller's len ints.
    set_preference(ssl_target(ssl), unsafe { alg_list(algs, len) })
}

/// Whether `t` may compress its certificates now: a server (or a version-flexible object not
/// yet a client, as OpenSSL's `SSL_new` makes it) before its handshake.
fn server_before(t: &Target) -> bool {
    match t {
        Target::Ctx(c) => c.method().role != Role::Client,
        Target::Ssl(s) => s.is_server() && s.in_before(),
    }
}

/// OpenSSL's `ssl_compress_certs`: for each preferred algorithm (or `alg` alone), each
/// certificate is compressed; one that does not get smaller is not kept. 1 when at least one
/// compression was kept; 0 otherwise (an algorithm this build lacks, a client, no certificate).
fn compress_certs(t: Result<Target>, alg: c_int) -> Result<c_int> {
    let t = t?;
    if !cert_comp::available(alg) || !server_before(&t) {
        return Ok(0);
    }
    t.update(|s| {
        let chains: Vec<_> = (s.credentials.chains_der().into_iter())
            .filter(|c| !c.is_empty())
            .collect();
        let mut kept = 0;
        for a in s.cert_comp_prefs.clone() {
            if alg != 0 && a != alg {
                continue;
            }
            for chain in &chains {
                let message = cert_comp::certificate_message(chain);
                let len = message.len();
                let Some(out) = cert_comp::compress_message(a, message) else {
                    return Ok(0);
                };
                if out.len() < len {
                    kept += 1;
                    if !s.cert_comp_ready.contains(&a) {
                        s.cert_comp_ready.push(a);
                    }
                }
            }
        }
        Ok(c_int::from(kept > 0))
    })
}

/// `SSL_CTX_compress_certs`: compresses the context's certificates for `alg` (0: every
/// preferred algorithm), so that servers made from it send them compressed to clients that
/// offer the algorithm. 1 when a compression was kept, else 0 (nothing queued, as OpenSSL).
/// Differs from OpenSSL: rustls compresses again per configuration (and caches it); what is
/// kept here is which algorithms may be sent.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_compress_certs(ctx: *mut SSL_CTX, alg: c_int) -> c_int {
    if ctx.is_null() {
        // OpenSSL makes an SSL of the context to compress with, and SSL_new(NULL) fails so.
        return Err(Error::Misuse {
            reason: reason::NULL_SSL_CTX,
            detail: "SSL_CTX_compress_certs: no SSL_CTX".into(),
        });
    }
    compress_certs(ctx_target(ctx), alg)
}

/// `SSL_compress_certs`: as `SSL_CTX_compress_certs`, for one server connection before its
/// handshake.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub extern "C" fn SSL_compress_certs(ssl: *mut SSL, alg: c_int) -> c_int {
    if ssl.is_null() {
        return Ok(0); // as OpenSSL, without an error
    }
    compress_certs(ssl_target(ssl), alg)
}

/// OpenSSL's `ssl_get_compressed_cert`: the current certificate's chain as the Certificate
/// message compressed with `alg`, in a buffer from `OPENSSL_malloc`; its length, 0 on failure.
///
/// # Safety
/// `data` and `orig_len` must be NULL or writable.
unsafe fn get_compressed(
    t: Result<Target>,
    alg: c_int,
    data: *mut *mut c_uchar,
    orig_len: *mut usize,
) -> Result<usize> {
    let t = t?;
    if data.is_null() || orig_len.is_null() || !server_before(&t) || !cert_comp::available(alg) {
        return Ok(0);
    }
    let chain = t.read(|s| s.credentials.chains_der().swap_remove(0));
    let message = cert_comp::certificate_message(&chain);
    let len = message.len();
    let Some(out) = cert_comp::compress_message(alg, message) else {
        return Ok(0);
    };
    let p = crate::libcrypto::openssl_copy(&out);
    if p.is_null() {
        return Err(Error::Internal("OPENSSL_malloc failed".into()));
    }
    // SAFETY: both checked non-NULL above; the caller's out-parameters.
    unsafe {
        args::out(data, p);
        args::out(orig_len, len);
    }
    Ok(out.len())
}

/// `SSL_CTX_get1_compressed_cert`: the context's current certificate chain, compressed with
/// `alg`, as a TLS 1.3 Certificate message; `*data` from `OPENSSL_malloc` (the caller frees it
/// with `OPENSSL_free`), `*orig_len` the uncompressed length. Returns the compressed length; 0
/// (nothing written, nothing queued) for an algorithm this build lacks, 0, a client context or
/// NULL out-parameters.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get1_compressed_cert(
    ctx: *mut SSL_CTX,
    alg: c_int,
    data: *mut *mut c_uchar,
    orig_len: *mut usize,
) -> usize {
    // SAFETY: the caller's out-parameters.
    unsafe { get_compressed(ctx_target(ctx), alg, data, orig_len) }
}

/// `SSL_get1_compressed_cert`: as `SSL_CTX_get1_compressed_cert`, for a server connection
/// before its handshake.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_compressed_cert(
    ssl: *mut SSL,
    alg: c_int,
    data: *mut *mut c_uchar,
    orig_len: *mut usize,
) -> usize {
    // SAFETY: the caller's out-parameters.
    unsafe { get_compressed(ssl_target(ssl), alg, data, orig_len) }
}

fn set_compressed(
    t: Result<Target>,
    alg: c_int,
    data: *const c_uchar,
    len: usize,
    orig_len: usize,
) -> Result<c_int> {
    let t = t?;
    if let Target::Ssl(s) = &t {
        if !s.is_server() {
            return Ok(0);
        }
    }
    // OpenSSL queues ERR_R_MALLOC_FAILURE for both.
    let unusable = |detail: &str| Error::Misuse {
        reason: reason::MALLOC_FAILURE,
        detail: detail.into(),
    };
    if data.is_null() {
        return Err(unusable("comp_data is NULL"));
    }
    // SAFETY: the caller's len bytes.
    let bytes = unsafe { args::bytes(data, len, "comp_data") }?.to_vec();
    t.update(|s| {
        if cert_comp::set_precompressed(s, alg, &bytes, orig_len) {
            Ok(1)
        } else {
            Err(unusable("a compression algorithm this build does not have"))
        }
    })
}

/// `SSL_CTX_set1_compressed_cert`: the program's own compressed form (for `algorithm`) of the
/// certificate message, `orig_length` bytes once inflated (a copy is kept; it is not checked,
/// as OpenSSL). Servers made from the context send it to clients offering `algorithm`, for a
/// certificate chain whose message has that length (else they compress it themselves). 1; 0
/// with `ERR_R_MALLOC_FAILURE` queued, as OpenSSL, for an algorithm this build lacks or NULL
/// data.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_compressed_cert(
    ctx: *mut SSL_CTX,
    algorithm: c_int,
    comp_data: *mut c_uchar,
    comp_length: usize,
    orig_length: usize,
) -> c_int {
    set_compressed(
        ctx_target(ctx),
        algorithm,
        comp_data,
        comp_length,
        orig_length,
    )
}

/// `SSL_set1_compressed_cert`: as `SSL_CTX_set1_compressed_cert`, for one server connection; 0
/// (nothing queued) on a client.
#[cfg(feature = "ossl320")]
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_compressed_cert(
    ssl: *mut SSL,
    algorithm: c_int,
    comp_data: *mut c_uchar,
    comp_length: usize,
    orig_length: usize,
) -> c_int {
    set_compressed(
        ssl_target(ssl),
        algorithm,
        comp_data,
        comp_length,
        orig_length,
    )
}
