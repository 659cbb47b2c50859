//! What a connection's operations report and record: the error kinds of an operation, the
//! facts a handshake established, the verification results, and the small state records the
//! connection keeps outside its engine (role and BIOs, status flags, randoms).

use std::ffi::c_int;
use std::ffi::c_long;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::NamedGroup;

use super::code;
use crate::core::cipher::Cipher;
use crate::core::context::Role;
use crate::core::error::Error;
use crate::core::peer_certs::{PeerCerts, VerifiedChain};
use crate::core::session::Session;
use crate::libcrypto::{Bio, CertStack};

/// Why an operation did not complete.
#[derive(Debug)]
pub enum OpError {
    WantRead,
    WantWrite,
    /// The peer closed the connection cleanly.
    ZeroReturn,
    /// The transport failed (`SSL_ERROR_SYSCALL`); the error is queued when there is one.
    Syscall(Option<io::Error>),
    /// A protocol or usage error (`SSL_ERROR_SSL`), queued at the boundary.
    Fatal(Error),
}

impl From<Error> for OpError {
    fn from(e: Error) -> Self {
        OpError::Fatal(e)
    }
}

impl OpError {
    pub(super) fn code(&self) -> c_int {
        match self {
            OpError::WantRead => code::WANT_READ,
            OpError::WantWrite => code::WANT_WRITE,
            OpError::ZeroReturn => code::ZERO_RETURN,
            OpError::Syscall(_) => code::SYSCALL,
            OpError::Fatal(_) => code::SSL,
        }
    }
}

pub(super) type OpResult<T> = Result<T, OpError>;

/// What a completed handshake established (fixed until the next handshake).
pub struct HandshakeInfo {
    pub version: c_int,
    pub cipher: Option<&'static Cipher>,
    pub group: Option<NamedGroup>,
    pub alpn: Option<Vec<u8>>,
    /// The peer's chain, leaf first (empty when it sent none).
    pub peer_chain: Arc<PeerCerts>,
    /// This side is the server: `SSL_get_peer_cert_chain` then leaves out the client's leaf.
    pub server: bool,
    pub resumed: bool,
}

impl HandshakeInfo {
    /// `SSL_get_peer_cert_chain`: a client sees the server's leaf first; a server sees only the
    /// client's chain above its leaf (none at all when the client sent no certificate), as
    /// OpenSSL.
    pub fn peer_stack(&self) -> Option<&CertStack> {
        self.peer_chain.stack(self.server)
    }

    /// One line for the debug log: version, suite, group, ALPN, resumption.
    pub fn describe(&self) -> String {
        let version = match self.version {
            0x0304 => "TLSv1.3",
            0x0303 => "TLSv1.2",
            _ => "?",
        };
        let cipher = self.cipher.map_or("?".into(), |c| c.name.to_string_lossy());
        let alpn = self
            .alpn
            .as_deref()
            .map_or("none".into(), String::from_utf8_lossy);
        format!(
            "{version} {cipher}, group {:?}, ALPN {alpn}, {}, {} peer certificate(s)",
            self.group,
            if self.resumed {
                "resumed"
            } else {
                "full handshake"
            },
            self.peer_chain.len()
        )
    }
}

/// Results of verifying the peer.
#[derive(Default)]
pub struct VerifyState {
    /// `SSL_get_verify_result`.
    pub result: c_long,
    /// `SSL_get0_verified_chain`.
    pub verified: Option<VerifiedChain>,
    pub peer_chain: Option<Arc<PeerCerts>>,
    /// The fast path matched this host (and host flags): `SSL_get0_peername` is the
    /// certificate's name for it, found on first use.
    pub peername: Option<PeerName>,
    /// The OCSP response the server stapled (client side; empty when none).
    pub ocsp: Vec<u8>,
    /// The peer's raw public key (RFC 7250), when it sent one (`SSL_get0_peer_rpk`).
    pub peer_rpk: Option<crate::libcrypto::PKey>,
    /// The negotiated (client, server) certificate types: `TLSEXT_cert_type_x509` (0) unless
    /// raw keys were agreed (`SSL_get_negotiated_client_cert_type`/`_server_`).
    pub cert_types: (u8, u8),
}

/// `SSL_get0_peername` after the fast path: libcrypto's name for the host that matched.
pub struct PeerName {
    pub host: Vec<u8>,
    pub flags: u32,
    pub name: std::sync::OnceLock<Option<std::ffi::CString>>,
}

/// A program callback an operation queued, run once the engine is back in its slot.
pub(super) enum Event {
    Info(c_int, c_int),
    NewSession(Arc<Session>),
}

/// Role and BIOs: set by the program, read by getters at any time.
#[derive(Default)]
pub(super) struct Wire {
    /// From the method, until `SSL_set_connect_state`/`SSL_set_accept_state` fix it.
    pub(super) role: Option<Role>,
    /// Whether the role was fixed (OpenSSL's `handshake_func`): without it, a handshake fails
    /// with "connection type not set" and reads, writes and shutdowns with "uninitialized".
    pub(super) state_set: bool,
    pub(super) rbio: Option<Bio>,
    pub(super) wbio: Option<Bio>,
}

/// What the last operations established, for `SSL_get_error`, `SSL_in_init` and friends.
#[derive(Default, Clone, Copy)]
pub(super) struct Status {
    /// `SSL_get_error`'s answer for the last operation that did not succeed.
    pub(super) last: c_int,
    pub(super) started: bool,
    pub(super) done: bool,
    pub(super) fatal: bool,
    pub(super) eof: bool,
    pub(super) sent_close: bool,
    pub(super) received_close: bool,
    /// This handshake's first flight went out (at `rtt.sent`), and the peer's answer to it was
    /// read (at `rtt.read`).
    pub(super) flight_sent: bool,
    pub(super) answer_read: bool,
    /// Kept by `SSL_clear`, as OpenSSL keeps its timestamps until the next handshake moves them.
    pub(super) rtt: RoundTrip,
}

/// When a handshake's first flight went out and when the peer's answer had been read
/// (`SSL_get_handshake_rtt`).
#[derive(Default, Clone, Copy)]
pub(super) struct RoundTrip {
    pub(super) sent: Option<Instant>,
    pub(super) read: Option<Instant>,
}

impl RoundTrip {
    /// `None` until both are known; `Some(Err(()))` while a new handshake's first flight is
    /// newer than the last answer read (OpenSSL then answers -1).
    pub(super) fn time(&self) -> Option<Result<Duration, ()>> {
        let (sent, read) = (self.sent?, self.read?);
        Some(read.checked_duration_since(sent).ok_or(()))
    }
}

/// The client's and the server's random of the current handshake.
#[derive(Default)]
pub(super) struct Randoms {
    pub(super) client: Option<[u8; 32]>,
    pub(super) server: Option<[u8; 32]>,
    /// No ServerHello within the first 64 KiB: stop looking.
    pub(super) gave_up: bool,
    /// The TLS 1.2 master secret (key log label `CLIENT_RANDOM`).
    pub(super) master: Vec<u8>,
    /// The version and suite being negotiated (0 / `None` until known).
    pub(super) version: c_int,
    pub(super) cipher: Option<&'static Cipher>,
    /// The group a server started its key exchange with (a TLS 1.2 ServerKeyExchange, which
    /// rustls reports only once the handshake completes).
    pub(super) server_group: Option<NamedGroup>,
    /// A TLS 1.2 server decrypted the client's ticket: whether it sends a new one (only when
    /// the ticket key callback asked for renewal, as OpenSSL).
    pub(super) ticket_renewal: Option<bool>,
}
