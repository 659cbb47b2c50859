//! The connection's side of its write BIO: `std::io` adaptors for rustls's `write_tls`, and the
//! TLS 1.2 alert mapping. (Reading is framing.rs's.)

use std::io::{self, Write};

use crate::libcrypto::Bio;

/// `std::io::Write` over the write BIO, for rustls's `write_tls`.
pub(super) struct BioIo<'a>(pub(super) &'a Bio);

impl Write for BioIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    /// rustls hands over several records at once. Small ones (a handshake flight, alerts, a
    /// ticket) go out in one `BIO_write`, as OpenSSL sends a flight in one write; large ones
    /// (application data) one record per write, as OpenSSL writes them, rather than copied
    /// together first.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        /// Up to this many bytes in all are gathered into one write.
        const GATHER: usize = 8192;
        let mut parts = bufs.iter().filter(|b| !b.is_empty());
        let (Some(first), Some(_)) = (parts.next(), parts.next()) else {
            return bufs
                .iter()
                .find(|b| !b.is_empty())
                .map_or(Ok(0), |b| self.0.write(b));
        };
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total > GATHER {
            return self.0.write(first);
        }
        let mut joined = Vec::with_capacity(total);
        bufs.iter().for_each(|b| joined.extend_from_slice(b));
        self.0.write(&joined)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `BioIo` that also keeps a copy of what it writes (a server's first flight, for the
/// ServerHello's random).
pub(super) struct Tee<'a>(pub(super) &'a Bio, pub(super) &'a mut Vec<u8>);

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The writer of a TLS 1.2 connection: a plaintext alert whose description exists only in
/// TLS 1.3 goes out as handshake_failure, as OpenSSL maps alert codes for older versions
/// (`tls1_alert_code`): certificate_required (rustls's refusal of a missing client certificate)
/// and missing_extension.
pub(super) struct Tls12Alerts<'a>(pub(super) &'a mut dyn Write);

/// `record` with its description mapped, if it is a plaintext alert that needs it.
fn tls12_alert(record: &[u8]) -> Option<[u8; 7]> {
    const CERTIFICATE_REQUIRED: u8 = 116;
    const MISSING_EXTENSION: u8 = 109;
    const HANDSHAKE_FAILURE: u8 = 40;
    match *record {
        [0x15, 0x03, minor, 0x00, 0x02, level, CERTIFICATE_REQUIRED | MISSING_EXTENSION] => {
            Some([0x15, 0x03, minor, 0x00, 0x02, level, HANDSHAKE_FAILURE])
        }
        _ => None,
    }
}

impl Write for Tls12Alerts<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match tls12_alert(buf) {
            Some(mapped) => self.0.write(&mapped),
            None => self.0.write(buf),
        }
    }
    /// rustls hands over one record per slice.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        if !bufs.iter().any(|b| tls12_alert(b).is_some()) {
            return self.0.write_vectored(bufs);
        }
        let mut joined = Vec::new();
        for b in bufs {
            match tls12_alert(b) {
                Some(mapped) => joined.extend_from_slice(&mapped),
                None => joined.extend_from_slice(b),
            }
        }
        self.0.write(&joined)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
