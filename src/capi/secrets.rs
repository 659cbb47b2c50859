//! SSL_get_client_random(3), SSL_get_server_random(3), SSL_SESSION_get_master_key(3): the
//! handshake's randoms and the TLS 1.2 master secret.
//!
//! rustls does not expose them; ferrossl reads the client's from the ClientHello (server) or
//! the key log (client), and the server's from the ServerHello it writes or reads.

#![allow(non_snake_case)]

use std::ffi::c_uchar;

use ferrossl_macros::export;

use super::args;
use super::handle;
use super::types::*;

/// Copies `random` (zeros before it is known, as OpenSSL's buffers are) into `out`; with
/// `outlen` 0, the size of the random (32).
///
/// # Safety
/// `out` must be writable for `outlen` bytes.
unsafe fn copy_random(random: Option<[u8; 32]>, out: *mut c_uchar, outlen: usize) -> usize {
    let random = random.unwrap_or([0; 32]);
    if outlen == 0 {
        return random.len();
    }
    let n = outlen.min(random.len());
    // SAFETY: per the contract; out is checked for NULL by bytes_mut.
    if let Ok(buf) = unsafe { args::bytes_mut(out, n, "out") } {
        buf.copy_from_slice(&random[..n]);
        return n;
    }
    0
}

/// `SSL_get_client_random`: copies up to `outlen` bytes of the client's random; returns the
/// number copied, or 32 when `outlen` is 0.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get_client_random(
    ssl: *const SSL,
    out: *mut c_uchar,
    outlen: usize,
) -> usize {
    let random = handle::ssl(ssl)?.client_random();
    // SAFETY: the caller gives outlen writable bytes.
    Ok(unsafe { copy_random(random, out, outlen) })
}

/// `SSL_get_server_random`: as `SSL_get_client_random`, for the server's random.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get_server_random(
    ssl: *const SSL,
    out: *mut c_uchar,
    outlen: usize,
) -> usize {
    let random = handle::ssl(ssl)?.server_random();
    // SAFETY: the caller gives outlen writable bytes.
    Ok(unsafe { copy_random(random, out, outlen) })
}

/// `SSL_SESSION_get_master_key`: copies up to `outlen` bytes of the session's master secret;
/// with `outlen` 0, its length. Known for TLS 1.2 sessions made in this process (rustls gives
/// it to the key log); 0 for TLS 1.3, whose resumption secret rustls keeps to itself.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_master_key(
    sess: *const SSL_SESSION,
    out: *mut c_uchar,
    outlen: usize,
) -> usize {
    let s = handle::session(sess)?;
    let key = s.data().master_key.clone();
    if outlen == 0 {
        return Ok(key.len());
    }
    let n = outlen.min(key.len());
    // SAFETY: the caller gives outlen writable bytes.
    let buf = unsafe { args::bytes_mut(out, n, "out") }?;
    buf.copy_from_slice(&key[..n]);
    Ok(n)
}
