//! The record reader: what the read BIO hands to rustls, one TLS record at a time as OpenSSL
//! reads without `read_ahead`, and OpenSSL's record-length limits applied to every record
//! header before rustls sees it.

use std::ffi::c_int;
use std::fmt;
use std::io::{self, Read};

use crate::core::error::{reason, Error};
use crate::libcrypto::Bio;

/// The limits of OpenSSL 3.0's record layer (`ssl3_get_record`, with its default read buffer
/// of 16384 + 320 + 5 + 3 bytes and no compression).
mod limit {
    /// `SSL3_RT_MAX_PLAIN_LENGTH`: the largest plaintext fragment (RFC 8446 5.1, RFC 5246 6.2.1).
    pub const PLAIN: usize = 16384;
    /// `SSL3_RT_MAX_TLS13_ENCRYPTED_LENGTH`: 2^14 + 256 (RFC 8446 5.2).
    pub const TLS13_ENCRYPTED: usize = PLAIN + 256;
    /// `SSL3_RT_MAX_ENCRYPTED_LENGTH` less the compression overhead OpenSSL allows only with
    /// compression on.
    pub const ENCRYPTED: usize = PLAIN + 320;
    /// What fits OpenSSL's read buffer after the header.
    pub const BUFFER: usize = PLAIN + 320 + 3;
}

/// A record refused at its header (or, over the plaintext limit, after its body), as OpenSSL's
/// record layer refuses it: the reason code OpenSSL queues and the alert it sends in the clear.
/// It is the error `RecordReader::read` fails with where ferrossl sends that alert itself
/// (records in the clear); on a protected record it stays in `Framing::refused_protected` for
/// the error that rustls then raises (with rustls's own alert).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BadRecord {
    pub(super) reason: c_int,
    /// `None`: OpenSSL sends no alert (a first record that is not TLS at all).
    pub(super) alert: Option<u8>,
    length: usize,
}

/// `SSL_AD_record_overflow`, `SSL_AD_protocol_version`, `SSL_AD_unexpected_message`.
const AD_RECORD_OVERFLOW: u8 = 22;
const AD_PROTOCOL_VERSION: u8 = 70;
const AD_UNEXPECTED_MESSAGE: u8 = 10;
/// The content types of ChangeCipherSpec and handshake records.
const CHANGE_CIPHER_SPEC: u8 = 20;
const HANDSHAKE: u8 = 22;

impl fmt::Display for BadRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.alert {
            Some(AD_RECORD_OVERFLOW) => {
                write!(f, "record of {} bytes is over the limit", self.length)
            }
            Some(AD_UNEXPECTED_MESSAGE) => f.write_str("record inside a ClientHello"),
            _ => f.write_str("record header is not TLS"),
        }
    }
}

impl std::error::Error for BadRecord {}

impl BadRecord {
    /// The error queued for it.
    pub(super) fn error(self) -> Error {
        Error::Exact {
            reason: self.reason,
            data: Some(self.to_string()),
        }
    }

    /// The refusal a read failed with, if that is why it failed.
    pub(super) fn of(err: &io::Error) -> Option<BadRecord> {
        err.get_ref()?.downcast_ref::<BadRecord>().copied()
    }

    /// OpenSSL's checks, in its order (`ssl3_get_record`): the version (a first record that is
    /// not 3.x is not TLS: no alert, and OpenSSL names an HTTP request), the read buffer, the
    /// ciphertext limit of the version, then, after the body of a record in the clear, the
    /// plaintext limit. The flag: refused at the header.
    /// `hello_done`: the ClientHello read in the clear is complete.
    fn check(
        header: &[u8; 5],
        first: bool,
        clear: bool,
        tls13: bool,
        hello_done: bool,
    ) -> Option<(Self, bool)> {
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let over = |reason| BadRecord {
            reason,
            alert: Some(AD_RECORD_OVERFLOW),
            length,
        };
        // An SSLv2-format ClientHello (OpenSSL reads it, rustls refuses it).
        if first && header[0] & 0x80 != 0 && header[2] == 1 {
            return None;
        }
        if header[1] != 3 {
            let reason = match &header[..] {
                [b'G', b'E', b'T', b' ', _] | [b'P', b'U', b'T', b' ', _] => reason::HTTP_REQUEST,
                b"POST " | b"HEAD " => reason::HTTP_REQUEST,
                b"CONNE" => reason::HTTPS_PROXY_REQUEST,
                _ => reason::WRONG_VERSION_NUMBER,
            };
            let alert = (!first).then_some(AD_PROTOCOL_VERSION);
            Some((
                BadRecord {
                    reason: if first {
                        reason
                    } else {
                        reason::WRONG_VERSION_NUMBER
                    },
                    alert,
                    length,
                },
                true,
            ))
        } else if length > limit::BUFFER {
            Some((over(reason::PACKET_LENGTH_TOO_LONG), true))
        } else if (tls13 && !clear && length > limit::TLS13_ENCRYPTED) || length > limit::ENCRYPTED
        {
            Some((over(reason::ENCRYPTED_LENGTH_TOO_LONG), true))
        } else if clear && length > limit::PLAIN {
            Some((over(reason::DATA_LENGTH_TOO_LONG), false))
        } else if clear && !first && !hello_done && header[0] != HANDSHAKE {
            // Another record inside a ClientHello still being read (ssl3_read_bytes: unexpected
            // message), read to its end first. rustls sends no alert for it.
            Some((
                BadRecord {
                    reason: reason::UNEXPECTED_MESSAGE,
                    alert: Some(AD_UNEXPECTED_MESSAGE),
                    length,
                },
                false,
            ))
        } else {
            None
        }
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
    /// Header bytes already handed to rustls (a header goes out once it is complete).
    header_given: usize,
    body_left: usize,
    /// The body of an over-long record in the clear, read and dropped before the alert.
    discarding: Option<BadRecord>,
    /// A protected record refused at its header: the reason for rustls's error.
    pub(super) refused_protected: Option<BadRecord>,
    /// Record headers read so far.
    records: usize,
    /// The content type of the last record header read.
    last_type: Option<u8>,
    /// A ChangeCipherSpec record has been read.
    peer_ccs: bool,
    /// A record in the clear refused, to be reported by the next read (the bytes before it
    /// went to rustls first).
    refused: Option<BadRecord>,
    /// How far the ClientHello is read (while the reader is in the clear).
    hello: HelloProgress,
}

/// The first handshake message's progress through the records: its 4-byte header, then the
/// body it announces. Records of other types are refused only while it is incomplete (a client
/// may send a ChangeCipherSpec or early data right behind it).
#[derive(Default)]
struct HelloProgress {
    head: [u8; 4],
    head_have: usize,
    body_left: usize,
    done: bool,
}

impl HelloProgress {
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && !self.done {
            if self.head_have < 4 {
                let take = (4 - self.head_have).min(bytes.len());
                self.head[self.head_have..self.head_have + take].copy_from_slice(&bytes[..take]);
                self.head_have += take;
                bytes = &bytes[take..];
                if self.head_have == 4 {
                    self.body_left = usize::from(self.head[1]) << 16
                        | usize::from(self.head[2]) << 8
                        | usize::from(self.head[3]);
                    self.done = self.body_left == 0;
                }
                continue;
            }
            let take = self.body_left.min(bytes.len());
            self.body_left -= take;
            bytes = &bytes[take..];
            self.done = self.body_left == 0;
        }
    }
}

impl Framing {
    /// Whether a record has been begun and not read to its end.
    pub(super) fn in_record(&self) -> bool {
        self.header_have > 0 || self.body_left > 0 || self.discarding.is_some()
    }

    /// The content type of the last record header read.
    pub(super) fn last_type(&self) -> Option<u8> {
        self.last_type
    }

    /// Whether the peer has sent a ChangeCipherSpec record.
    pub(super) fn peer_ccs(&self) -> bool {
        self.peer_ccs
    }

    /// Counts a complete header; whether it was the first.
    fn header_read(&mut self) -> bool {
        let first = self.records == 0;
        self.records += 1;
        self.last_type = Some(self.header[0]);
        self.peer_ccs |= self.header[0] == CHANGE_CIPHER_SPEC;
        first
    }
}

/// `std::io::Read` over the read BIO for rustls's `read_tls`, record by record. While a
/// server reads the ClientHello, `capture` keeps a copy of the bytes (for the client hello
/// callback's `SSL_client_hello_get0_*`).
pub(super) struct RecordReader<'a> {
    pub(super) bio: &'a Bio,
    pub(super) framing: &'a mut Framing,
    pub(super) read_ahead: bool,
    pub(super) capture: Option<&'a mut Vec<u8>>,
    /// The peer's records are in the clear (a server reading the ClientHello).
    pub(super) clear: bool,
    /// TLS 1.3 has been negotiated (its ciphertext limit applies).
    pub(super) tls13: bool,
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
        let f = &mut *self.framing;
        if let Some(over) = f.refused.take() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, over));
        }
        if self.read_ahead && f.discarding.is_none() {
            let n = self.bio.read(buf)?;
            return self.scan(&mut buf[..n]);
        }
        if let Some(over) = f.discarding {
            let mut sink = [0u8; 4096];
            while f.body_left > 0 {
                let want = sink.len().min(f.body_left);
                match self.bio.read(&mut sink[..want])? {
                    0 => return Ok(0),
                    n => f.body_left -= n,
                }
            }
            f.discarding = None;
            return Err(io::Error::new(io::ErrorKind::InvalidData, over));
        }
        if f.body_left > 0 && f.header_given == 5 {
            let want = buf.len().min(f.body_left);
            let n = self.bio.read(&mut buf[..want])?;
            f.body_left -= n;
            if f.body_left == 0 {
                f.header_given = 0;
            }
            if self.clear && f.last_type == Some(HANDSHAKE) {
                f.hello.feed(&buf[..n]);
            }
            return Ok(n);
        }
        // The header is read whole before any of it goes to rustls (its length may change).
        while f.header_have < 5 {
            match self.bio.read(&mut f.header[f.header_have..])? {
                0 => return Ok(0),
                n => f.header_have += n,
            }
        }
        if f.header_given == 0 {
            let length = usize::from(u16::from_be_bytes([f.header[3], f.header[4]]));
            f.body_left = length;
            let first = f.header_read();
            match BadRecord::check(&f.header, first, self.clear, self.tls13, f.hello.done) {
                // In the clear ferrossl sends the alert: at once for what OpenSSL refuses at
                // the header, after the body for a fragment over the plaintext limit.
                Some((over, at_header)) if self.clear => {
                    f.header_have = 0;
                    if at_header {
                        f.body_left = 0;
                        return Err(io::Error::new(io::ErrorKind::InvalidData, over));
                    }
                    f.discarding = Some(over);
                    return self.read_framed(buf);
                }
                Some((over, true)) => {
                    // rustls refuses this length at once, with its own alert (a version it
                    // would take, such as DTLS's 0xfefd, included).
                    f.header[3..5].copy_from_slice(&[0xff, 0xff]);
                    f.body_left = 0;
                    f.refused_protected = Some(over);
                }
                _ => {}
            }
        }
        let give = buf.len().min(5 - f.header_given);
        buf[..give].copy_from_slice(&f.header[f.header_given..f.header_given + give]);
        f.header_given += give;
        if f.header_given < 5 {
            return Ok(give);
        }
        f.header_have = 0;
        f.header_given = 0;
        if f.body_left == 0 {
            return Ok(give);
        }
        // The header is out; the body follows, in this read as far as the BIO has it and the
        // buffer takes it (so that rustls sees a whole record in one round), else on the next.
        f.header_given = 5;
        let room = (buf.len() - give).min(f.body_left);
        if room == 0 {
            return Ok(give);
        }
        // Whatever stops the body now (no bytes yet, the end, a transport error) is met again
        // by the next read, which the header already given does not wait for.
        let Ok(n) = self.bio.read(&mut buf[give..give + room]) else {
            return Ok(give);
        };
        f.body_left -= n;
        if f.body_left == 0 {
            f.header_given = 0;
        }
        if self.clear && f.last_type == Some(HANDSHAKE) {
            f.hello.feed(&buf[give..give + n]);
        }
        Ok(give + n)
    }

    /// With `read_ahead`, whatever the BIO gave: the record headers in `got` are checked as
    /// they pass. A refused record ends what goes to rustls at its header (`Ok` with the bytes
    /// before it; the next read fails), or, protected, at its header with the length rustls
    /// refuses at once.
    fn scan(&mut self, got: &mut [u8]) -> io::Result<usize> {
        let f = &mut *self.framing;
        let mut i = 0;
        while i < got.len() {
            if f.body_left > 0 {
                let skip = f.body_left.min(got.len() - i);
                f.body_left -= skip;
                if self.clear && f.last_type == Some(HANDSHAKE) {
                    f.hello.feed(&got[i..i + skip]);
                }
                i += skip;
                continue;
            }
            let start = i;
            let take = (5 - f.header_have).min(got.len() - i);
            f.header[f.header_have..f.header_have + take].copy_from_slice(&got[i..i + take]);
            f.header_have += take;
            i += take;
            if f.header_have < 5 {
                break;
            }
            f.header_have = 0;
            let length = usize::from(u16::from_be_bytes([f.header[3], f.header[4]]));
            f.body_left = length;
            let first = f.header_read();
            let Some((over, at_header)) =
                BadRecord::check(&f.header, first, self.clear, self.tls13, f.hello.done)
            else {
                continue;
            };
            // Where this record's header began in `got` (it may have begun in an earlier read).
            let header_start = (start + take).saturating_sub(5);
            if self.clear {
                if at_header {
                    f.body_left = 0;
                    f.refused = Some(over);
                } else {
                    f.body_left = length - length.min(got.len() - i);
                    if f.body_left == 0 {
                        f.refused = Some(over);
                    } else {
                        f.discarding = Some(over);
                    }
                }
                if header_start > 0 {
                    return Ok(header_start);
                }
                if let Some(over) = f.refused.take() {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, over));
                }
                return self.read_framed(got);
            }
            if at_header {
                f.refused_protected = Some(over);
                // The length field is in this read (else rustls sees the true one).
                if take >= 2 {
                    got[i - 2..i].copy_from_slice(&[0xff, 0xff]);
                    f.body_left = 0;
                    return Ok(i);
                }
            }
        }
        Ok(got.len())
    }
}
