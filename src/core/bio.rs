//! The state of an SSL BIO (`BIO_f_ssl`): which `SSL` it drives, and the renegotiation
//! settings OpenSSL's SSL BIO records.
//!
//! rustls never renegotiates (and TLS 1.3 has no renegotiation). The byte and time limits are
//! kept and counted exactly as OpenSSL's SSL BIO counts them (`BIO_get_num_renegotiates`
//! reports the renegotiations it would have started), but nothing is renegotiated.

use std::ffi::{c_int, c_long};
use std::sync::Mutex;

/// `SSL_ERROR_*` codes the BIO maps to retry flags (beyond `core::connection::code`).
const WANT_X509_LOOKUP: c_int = 4;
const WANT_CONNECT: c_int = 7;
const WANT_ACCEPT: c_int = 8;

/// `BIO_RR_*`: why a BIO asks for a special retry.
pub const RR_SSL_X509_LOOKUP: c_int = 0x01;
pub const RR_CONNECT: c_int = 0x02;
pub const RR_ACCEPT: c_int = 0x03;

#[derive(Default, Clone, Copy)]
struct Inner {
    /// The `SSL` handle (0 when none is set yet).
    ssl: usize,
    renegotiate_bytes: c_long,
    byte_count: u64,
    renegotiate_timeout: c_long,
    last_time: c_long,
    num_renegotiates: c_long,
}

/// One SSL BIO's data (the BIO's `BIO_get_data`).
#[derive(Default)]
pub struct SslBio {
    inner: Mutex<Inner>,
}

impl SslBio {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The `SSL` handle it drives, if any.
    pub fn ssl(&self) -> Option<usize> {
        self.with(|i| (i.ssl != 0).then_some(i.ssl))
    }

    /// `BIO_set_ssl`: drives `ssl` from now on, with the counters of a fresh BIO.
    pub fn set_ssl(&self, ssl: usize) {
        self.with(|i| {
            *i = Inner {
                ssl,
                ..Inner::default()
            }
        });
    }

    /// `BIO_set_ssl_renegotiate_bytes`: the previous limit; limits under 512 are ignored.
    pub fn set_renegotiate_bytes(&self, n: c_long) -> c_long {
        self.with(|i| {
            let old = i.renegotiate_bytes;
            if n >= 512 {
                i.renegotiate_bytes = n;
            }
            old
        })
    }

    /// `BIO_set_ssl_renegotiate_timeout`: the previous timeout; under 60 seconds becomes 5.
    pub fn set_renegotiate_timeout(&self, n: c_long, now: c_long) -> c_long {
        self.with(|i| {
            let old = i.renegotiate_timeout;
            i.renegotiate_timeout = if n < 60 { 5 } else { n };
            i.last_time = now;
            old
        })
    }

    /// Counts `n` bytes read or written at time `now`; true when OpenSSL's SSL BIO would start a
    /// renegotiation now (more bytes than the byte limit since the last one, or the timeout
    /// passed), which is then counted.
    pub fn transferred(&self, n: usize, now: c_long) -> bool {
        self.with(|i| {
            if i.renegotiate_bytes > 0 {
                i.byte_count = i.byte_count.saturating_add(n as u64);
                if i.byte_count > i.renegotiate_bytes as u64 {
                    i.byte_count = 0;
                    i.num_renegotiates += 1;
                    return true;
                }
            }
            if i.renegotiate_timeout > 0 && now > i.last_time.saturating_add(i.renegotiate_timeout)
            {
                i.last_time = now;
                i.num_renegotiates += 1;
                return true;
            }
            false
        })
    }

    /// `BIO_get_num_renegotiates`.
    pub fn num_renegotiates(&self) -> c_long {
        self.with(|i| i.num_renegotiates)
    }

    /// `BIO_dup_chain`: the copy takes this BIO's counters (its `SSL` is set separately).
    pub fn copy_counters_from(&self, from: &SslBio) {
        let src = from.with(|i| *i);
        self.with(|i| {
            i.renegotiate_bytes = src.renegotiate_bytes;
            i.byte_count = src.byte_count;
            i.renegotiate_timeout = src.renegotiate_timeout;
            i.last_time = src.last_time;
            i.num_renegotiates = src.num_renegotiates;
        });
    }
}

/// The retry flags an SSL BIO sets after an operation that `SSL_get_error` classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Retry {
    None,
    Read,
    Write,
    /// `BIO_FLAGS_IO_SPECIAL` with a `BIO_RR_*` reason.
    Special(c_int),
}

/// What OpenSSL's SSL BIO sets after a read (`writing == false`) or a write that ended with
/// `SSL_get_error` code `code`. A write that wants an accept sets nothing, as in OpenSSL.
pub fn retry_after(code: c_int, writing: bool) -> Retry {
    use super::connection::code as c;
    match code {
        c::WANT_READ => Retry::Read,
        c::WANT_WRITE => Retry::Write,
        WANT_X509_LOOKUP => Retry::Special(RR_SSL_X509_LOOKUP),
        WANT_CONNECT => Retry::Special(RR_CONNECT),
        WANT_ACCEPT if !writing => Retry::Special(RR_ACCEPT),
        _ => Retry::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renegotiation_settings_report_as_openssl() {
        let b = SslBio::default();
        assert_eq!(b.set_renegotiate_bytes(100), 0);
        assert_eq!(b.set_renegotiate_bytes(4096), 0);
        assert_eq!(b.set_renegotiate_bytes(10), 4096);
        assert_eq!(b.set_renegotiate_timeout(10, 1), 0);
        assert_eq!(b.set_renegotiate_timeout(300, 2), 5);
        assert_eq!(b.num_renegotiates(), 0);
        assert!(!b.transferred(4096, 3));
        assert!(b.transferred(1, 3));
        assert!(!b.transferred(10, 7));
        assert!(b.transferred(10, 303));
        assert_eq!(b.num_renegotiates(), 2);
        b.set_ssl(7);
        assert_eq!((b.ssl(), b.set_renegotiate_bytes(600)), (Some(7), 0));
    }

    #[test]
    fn retry_flags() {
        assert_eq!(retry_after(2, false), Retry::Read);
        assert_eq!(retry_after(3, true), Retry::Write);
        assert_eq!(retry_after(8, false), Retry::Special(RR_ACCEPT));
        assert_eq!(retry_after(8, true), Retry::None);
        assert_eq!(retry_after(1, false), Retry::None);
    }
}
