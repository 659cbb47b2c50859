//! The connection's side of its BIOs: `std::io` adaptors for rustls, and the record framing that
//! reads one TLS record at a time as OpenSSL does without `read_ahead`.

use std::io::{self, Read, Write};

use crate::libcrypto::Bio;

/// `std::io::Write` over the write BIO, for rustls's `write_tls`.
pub(super) struct BioIo<'a>(pub(super) &'a Bio);

impl Write for BioIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    /// rustls hands over several records at once; one `BIO_write` sends them together, as
    /// OpenSSL sends a flight in one write.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let mut parts = bufs.iter().filter(|b| !b.is_empty());
        match (parts.next(), parts.next()) {
            (None, _) => Ok(0),
            (Some(only), None) => self.0.write(only),
            _ => self.0.write(
                &bufs
                    .iter()
                    .flat_map(|b| b.iter().copied())
                    .collect::<Vec<u8>>(),
            ),
        }
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

/// Where the reader is in the TLS record it is reading.
///
/// Without `read_ahead`, OpenSSL reads a record header and then exactly that record's body,
/// never more: bytes that belong to later records stay in the kernel (or the program's BIO),
/// where the program's `poll` can see them. Event loops depend on that (a close_notify read
/// together with the last data record would leave `poll` waiting forever), so ferrossl reads
/// the same way.
#[derive(Default)]
pub(super) struct Framing {
    header: [u8; 5],
    header_have: usize,
    body_left: usize,
}

/// `std::io::Read` over the read BIO for rustls's `read_tls`, record by record. While a
/// server reads the ClientHello, `capture` keeps a copy of the bytes (for the client hello
/// callback's `SSL_client_hello_get0_*`).
pub(super) struct RecordReader<'a> {
    pub(super) bio: &'a Bio,
    pub(super) framing: &'a mut Framing,
    pub(super) read_ahead: bool,
    pub(super) capture: Option<&'a mut Vec<u8>>,
}

impl Read for RecordReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.read_framed(buf)?;
        if let Some(c) = self.capture.as_deref_mut() {
            c.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

impl RecordReader<'_> {
    fn read_framed(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read_ahead {
            return self.bio.read(buf);
        }
        let f = &mut *self.framing;
        if f.body_left > 0 {
            let want = buf.len().min(f.body_left);
            let n = self.bio.read(&mut buf[..want])?;
            f.body_left -= n;
            return Ok(n);
        }
        let want = buf.len().min(5 - f.header_have);
        let n = self.bio.read(&mut buf[..want])?;
        f.header[f.header_have..f.header_have + n].copy_from_slice(&buf[..n]);
        f.header_have += n;
        if f.header_have == 5 {
            f.header_have = 0;
            f.body_left = usize::from(u16::from_be_bytes([f.header[3], f.header[4]]));
        }
        Ok(n)
    }
}

impl Framing {
    /// Whether a record has been begun and not read to its end.
    pub(super) fn in_record(&self) -> bool {
        self.header_have > 0 || self.body_left > 0
    }
}
