//! Records after the handshake has started: writing what rustls queued, reading and processing
//! records, application data in both directions, and the close_notify exchange.

use std::ffi::c_int;
use std::io::{self, Read, Write};
use std::sync::Arc;

use super::framing::RecordReader;
use super::wire::{BioIo, Tee, Tls12Alerts};
use super::{lock, Connection, Engine, Event, OpError, OpResult, Phase};
use super::{RECEIVED_SHUTDOWN, SENT_SHUTDOWN};
use crate::core::callbacks::info;
use crate::core::context::{self, Role};
use crate::core::error::{reason, Error};
use crate::core::hooks;
use crate::core::tls_reasons::{self, Seen};
use crate::libcrypto::{self, ffi};

/// Plaintext handed to rustls per step of a large `SSL_write`, so that ciphertext is flushed as
/// it is made instead of piling up.
const WRITE_CHUNK: usize = 64 * 1024;

/// The ChangeCipherSpec record a TLS 1.3 client sends for middlebox compatibility.
const FAKE_CCS: &[u8] = &[0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

/// Writes what is held in `unsent`; what the BIO does not take stays there.
fn write_unsent(wbio: &crate::libcrypto::Bio, unsent: &mut Vec<u8>) -> OpResult<()> {
    let mut io = BioIo(wbio);
    let mut done = 0;
    while done < unsent.len() {
        match io.write(&unsent[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(err) => {
                unsent.drain(..done);
                return Err(if err.kind() == io::ErrorKind::WouldBlock {
                    OpError::WantWrite
                } else {
                    OpError::Syscall(Some(err))
                });
            }
        }
    }
    unsent.drain(..done);
    if unsent.is_empty() {
        Ok(())
    } else {
        Err(OpError::WantWrite)
    }
}

impl Connection {
    /// Writes out everything rustls has queued.
    pub(super) fn flush(&self, e: &mut Engine) -> OpResult<()> {
        let capture = self.wants_server_random(Role::Server);
        let Engine {
            phase,
            wbio,
            hello_bytes,
            unsent,
            ..
        } = e;
        let Some(wbio) = wbio.as_ref() else {
            return Ok(());
        };
        let Some(tls) = phase.tls() else {
            // Before rustls has a connection: alerts ferrossl wrote in the clear.
            return write_unsent(wbio, unsent);
        };
        // rustls queues a TLS 1.3 client's middlebox ChangeCipherSpec as soon as it reads the
        // ServerHello; OpenSSL sends it with the client's second flight (or with the alert that
        // ends the handshake). Sent alone, it is a small unacknowledged segment behind which
        // Nagle's algorithm holds that alert back, and a program that closes its socket at once
        // (with the server's Finished unread) resets the connection before the alert leaves.
        // Once something is held, everything rustls queues goes behind it, in one write.
        let hold = self.role() == Some(Role::Client)
            && tls.is_handshaking()
            && tls.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
        if hold || !unsent.is_empty() {
            while tls.wants_write() {
                if tls.write_tls(unsent).is_err() {
                    break;
                }
            }
            if hold && unsent.as_slice() == FAKE_CCS {
                return Ok(());
            }
        }
        if !unsent.is_empty() {
            write_unsent(wbio, unsent)?;
        } else if !tls.wants_write() {
            return Ok(());
        }
        let tls12 = tls.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_2);
        while tls.wants_write() {
            let mut tee;
            let mut bio;
            let out: &mut dyn Write = if capture {
                tee = Tee(wbio, hello_bytes);
                &mut tee
            } else {
                bio = BioIo(wbio);
                &mut bio
            };
            let written = if tls12 {
                tls.write_tls(&mut Tls12Alerts(out))
            } else {
                tls.write_tls(out)
            };
            match written {
                Ok(_) => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    return Err(OpError::WantWrite)
                }
                Err(err) => return Err(OpError::Syscall(Some(err))),
            }
        }
        if capture {
            self.server_random_seen(hello_bytes);
        }
        match wbio.flush() {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Err(OpError::WantWrite),
            // Not every BIO implements flush; a failed flush of a socket is harmless.
            Err(_) => Ok(()),
        }
    }

    /// Reads what the BIO has and processes the records.
    pub(super) fn read_records(self: &Arc<Self>, e: &mut Engine) -> OpResult<()> {
        let read_ahead = self.settings().read_ahead;
        let capture = self.wants_server_random(Role::Client);
        let Engine {
            phase,
            rbio,
            framing,
            hello_bytes,
            ..
        } = e;
        let (Some(tls), Some(rbio)) = (phase.tls(), rbio.as_ref()) else {
            return Err(Error::Internal("read_records before start".into()).into());
        };
        let tls13 = tls.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
        let read = tls.read_tls(&mut RecordReader {
            bio: rbio,
            framing,
            read_ahead,
            capture: capture.then_some(&mut *hello_bytes),
            clear: false,
            tls13,
        });
        if capture {
            self.server_random_seen(hello_bytes);
        }
        match read {
            Ok(0) => self.set_status(|s| s.eof = true),
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Err(OpError::WantRead),
            Err(err) => return Err(OpError::Syscall(Some(err))),
        }
        let result = hooks::enter(self, || tls.process_new_packets());
        self.collect_sessions(e);
        match result {
            Ok(io_state) => {
                if io_state.peer_has_closed() && !self.status().received_close {
                    self.set_status(|s| s.received_close = true);
                    *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
                    e.events.push(Event::Info(info::READ_ALERT, 0x100));
                }
                Ok(())
            }
            Err(err) => {
                // The alert rustls queued goes out inside the failing call, as OpenSSL's does.
                let _ = self.flush(e);
                match &err {
                    rustls::Error::AlertReceived(a) => {
                        // OpenSSL marks any fatal alert received as a received shutdown.
                        *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
                        let desc = c_int::from(u8::from(*a));
                        e.events.push(Event::Info(info::READ_ALERT, 0x200 | desc));
                    }
                    rustls::Error::InvalidCertificate(ce) => {
                        let desc =
                            c_int::from(u8::from(rustls::AlertDescription::from(ce.clone())));
                        e.events.push(Event::Info(info::WRITE_ALERT, 0x200 | desc));
                    }
                    _ => {}
                }
                // A header the record reader refused: rustls's error, OpenSSL's reason.
                if let Some(bad) = e.framing.refused_protected.take() {
                    return Err(bad.error().into());
                }
                let seen = Self::seen(e);
                Err(self.tls_error(err, seen).into())
            }
        }
    }

    /// The transport ended without a close_notify: an error, or (`SSL_OP_IGNORE_UNEXPECTED_EOF`,
    /// which nginx sets) a received shutdown, in the handshake as after it.
    pub(super) fn eof(&self) -> OpError {
        if self.settings().options & context::OP_IGNORE_UNEXPECTED_EOF != 0 {
            *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
            return OpError::ZeroReturn;
        }
        Error::UnexpectedEof.into()
    }

    /// What the connection has seen, for OpenSSL's reason for a rustls error.
    pub(super) fn seen(e: &mut Engine) -> Seen {
        let (version, handshaking) = e
            .phase
            .tls()
            .map_or((None, true), |t| (t.protocol_version(), t.is_handshaking()));
        Seen {
            version,
            handshaking,
            record_type: e.framing.last_type(),
            peer_ccs: e.framing.peer_ccs(),
        }
    }

    pub(super) fn tls_error(&self, e: rustls::Error, seen: Seen) -> Error {
        log::info!("SSL {:#x}: TLS error: {e} (rustls: {e:?})", self.id());
        if let rustls::Error::InvalidCertificate(_) = e {
            let code = lock(&self.verify).result;
            if code != ffi::X509_V_OK {
                return Error::CertVerify {
                    code,
                    text: libcrypto::verify_error_string(code),
                };
            }
        }
        let reason = tls_reasons::reason_in(&e, &seen);
        if reason == tls_reasons::reason_of(&e) {
            Error::Tls(e)
        } else {
            Error::Exact {
                reason,
                data: Some(format!("rustls: {e}")),
            }
        }
    }

    pub(super) fn read_plain(
        self: &Arc<Self>,
        e: &mut Engine,
        buf: &mut [u8],
        peek: bool,
    ) -> OpResult<usize> {
        if buf.is_empty() {
            // As OpenSSL: a zero-length read reads records until application data is buffered,
            // then returns 0 (which the `_ex` forms report as a failure).
            while e.plaintext_len() == 0 {
                let st = self.status();
                if st.received_close || st.eof {
                    break;
                }
                self.flush(e)?;
                self.read_records(e)?;
            }
            return Ok(0);
        }
        loop {
            let Some(tls) = e.phase.tls() else {
                return Err(Error::Internal("read without a connection".into()).into());
            };
            let mut reader = tls.reader();
            let got = if peek {
                io::BufRead::fill_buf(&mut reader).map(|b| {
                    let n = b.len().min(buf.len());
                    buf[..n].copy_from_slice(&b[..n]);
                    n
                })
            } else {
                reader.read(buf)
            };
            match got {
                Ok(0) => {
                    self.set_status(|s| s.received_close = true);
                    *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
                    return Err(OpError::ZeroReturn);
                }
                Ok(n) => return Ok(n),
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.flush(e)?;
                    self.read_records(e)?;
                    // Without SSL_MODE_AUTO_RETRY, a record that brought no application data
                    // (a session ticket, a key update) ends the call with WANT_READ, as OpenSSL
                    // does once nothing more is buffered.
                    // (Record boundaries are known only when reading record by record.)
                    let (auto_retry, read_ahead) = {
                        let s = self.settings();
                        (s.mode & context::MODE_AUTO_RETRY != 0, s.read_ahead)
                    };
                    let st = self.status();
                    if !auto_retry
                        && !read_ahead
                        && !e.framing.in_record()
                        && e.plaintext_len() == 0
                        && !st.received_close
                        && !st.eof
                    {
                        return Err(OpError::WantRead);
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Err(self.eof()),
                Err(err) => return Err(OpError::Syscall(Some(err))),
            }
        }
    }

    pub(super) fn write_plain(&self, e: &mut Engine, buf: &[u8]) -> OpResult<usize> {
        if self.status().sent_close || *lock(&self.shutdown) & SENT_SHUTDOWN != 0 {
            return Err(Error::Misuse {
                reason: reason::PROTOCOL_IS_SHUTDOWN,
                detail: "SSL_write after SSL_shutdown".into(),
            }
            .into());
        }
        let mut done = e.write_progress.min(buf.len());
        loop {
            if let Err(err) = self.flush(e) {
                e.write_progress = done;
                return Err(err);
            }
            if done >= buf.len() {
                e.write_progress = 0;
                return Ok(buf.len());
            }
            let end = buf.len().min(done + WRITE_CHUNK);
            let Some(tls) = e.phase.tls() else {
                return Err(Error::Internal("write without a connection".into()).into());
            };
            match tls.writer().write(&buf[done..end]) {
                Ok(n) => done += n,
                Err(err) => return Err(OpError::Syscall(Some(err))),
            }
        }
    }

    pub(super) fn do_shutdown(self: &Arc<Self>, e: &mut Engine) -> OpResult<bool> {
        if self.settings().quiet_shutdown {
            *lock(&self.shutdown) |= SENT_SHUTDOWN | RECEIVED_SHUTDOWN;
            return Ok(true);
        }
        let status = self.status();
        if status.fatal {
            // A fatal alert still waiting for the BIO goes out now.
            let _ = self.flush(e);
        }
        if !matches!(e.phase, Phase::Established(_) | Phase::Closed(_)) || status.fatal {
            return Err(Error::Misuse {
                reason: reason::SHUTDOWN_WHILE_IN_INIT,
                detail: "no established connection to shut down".into(),
            }
            .into());
        }
        // As OpenSSL's ssl3_shutdown, on the shutdown flags (which SSL_set_shutdown sets too:
        // nginx marks RECEIVED_SHUTDOWN before it shuts down, and expects 1 at once).
        let flags = *lock(&self.shutdown);
        if flags & SENT_SHUTDOWN == 0 {
            self.set_status(|s| s.sent_close = true);
            if let Some(tls) = e.phase.tls() {
                tls.send_close_notify();
            }
            e.events.push(Event::Info(info::WRITE_ALERT, 0x100));
            *lock(&self.shutdown) |= SENT_SHUTDOWN;
            self.flush(e)?;
        } else {
            self.flush(e)?;
            while *lock(&self.shutdown) & RECEIVED_SHUTDOWN == 0 {
                if self.status().eof {
                    return Err(OpError::Syscall(None));
                }
                self.read_records(e)?;
                // Application data that arrives now is discarded, as OpenSSL does.
                if let Some(tls) = e.phase.tls() {
                    let mut sink = [0u8; 4096];
                    while matches!(tls.reader().read(&mut sink), Ok(n) if n > 0) {}
                }
            }
        }
        let both = *lock(&self.shutdown) == SENT_SHUTDOWN | RECEIVED_SHUTDOWN;
        if both {
            self.close(e);
        }
        Ok(both)
    }

    /// Both close_notify alerts have been exchanged.
    fn close(&self, e: &mut Engine) {
        let old = std::mem::replace(&mut e.phase, Phase::Idle);
        e.phase = match old {
            Phase::Established(t) => Phase::Closed(t),
            other => other,
        };
    }
}
