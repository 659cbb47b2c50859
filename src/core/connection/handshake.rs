//! The handshake driver: starting a client, accepting a server (the ClientHello first, then the
//! program's client hello, servername, certificate, status and ALPN callbacks decide the
//! configuration), and what a completed handshake established.

use std::ffi::{c_int, CString};
use std::io;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::server::Accepted;
use rustls::{ClientConnection, HandshakeKind};

use super::framing::{BadRecord, RecordReader};
use super::{lock, Connection, Engine, Event, HandshakeInfo, OpError, OpResult, Phase};
use crate::core::callbacks::{info, AlpnAnswer};
use crate::core::cipher::Cipher;
use crate::core::client_hello::ClientHello;
use crate::core::context::{self, Context, Role};
use crate::core::error::{reason, Error};
use crate::core::hooks;
use crate::core::peer_certs::PeerCerts;
use crate::core::registry;
use crate::core::rpk;
use crate::core::session::Session;
use crate::core::session_cache::Stat;

/// `SSL_AD_internal_error`, the alert OpenSSL sends when a callback fails without choosing one.
const AD_INTERNAL_ERROR: u8 = 80;

/// `SSL_R_CALLBACK_FAILED`, `SSL_R_CERT_CB_ERROR`, `SSL_R_CLIENTHELLO_TLSEXT`.
const CALLBACK_FAILED: c_int = 234;
const CERT_CB_ERROR: c_int = 377;
const CLIENTHELLO_TLSEXT: c_int = 226;

/// `SSL_CLIENT_HELLO_*`.
const CLIENT_HELLO_SUCCESS: c_int = 1;
const CLIENT_HELLO_RETRY: c_int = -1;

impl Connection {
    pub(super) fn drive_handshake(self: &Arc<Self>, e: &mut Engine) -> OpResult<()> {
        loop {
            match &e.phase {
                Phase::Established(_) | Phase::Closed(_) => return Ok(()),
                Phase::Failed(_) => {
                    return Err(Error::Misuse {
                        reason: reason::PROTOCOL_IS_SHUTDOWN,
                        detail: "the connection failed earlier".into(),
                    }
                    .into())
                }
                Phase::Idle => self.start(e)?,
                Phase::Accepting(_) => self.accept_step(e)?,
                Phase::Handshaking(tls) => {
                    // A flight to send: after our first one, it answers the peer's (its
                    // arrival ends the round trip); the first one starts it once it is out.
                    // OpenSSL measures no round trip in a resumed TLS 1.2 handshake (its
                    // state machine passes neither point there).
                    let output = tls.wants_write() && !resumed_tls12(tls);
                    if output {
                        self.peer_flight_read();
                    }
                    self.flush(e)?;
                    if output {
                        self.set_status(|s| {
                            if !s.flight_sent {
                                s.flight_sent = true;
                                s.rtt.sent = Some(std::time::Instant::now());
                            }
                        });
                    }
                    let Phase::Handshaking(tls) = &e.phase else {
                        unreachable!("matched above")
                    };
                    if !tls.is_handshaking() {
                        self.handshake_complete(e);
                        continue;
                    }
                    if self.status().eof {
                        return Err(self.eof());
                    }
                    self.read_records(e)?;
                }
            }
        }
    }

    fn start(self: &Arc<Self>, e: &mut Engine) -> OpResult<()> {
        let role = self.role();
        if !self.state_set() || !matches!(role, Some(Role::Client) | Some(Role::Server)) {
            return Err(Error::Misuse {
                reason: reason::CONNECTION_TYPE_NOT_SET,
                detail: "call SSL_set_connect_state or SSL_connect first".into(),
            }
            .into());
        }
        if e.rbio.is_none() || e.wbio.is_none() {
            return Err(Error::Misuse {
                reason: 128, // SSL_R_BIO_NOT_SET
                detail: "no BIO: call SSL_set_fd or SSL_set_bio first".into(),
            }
            .into());
        }
        self.set_status(|s| s.started = true);
        // As OpenSSL, on the context the connection was made from (`session_ctx`).
        self.session_ctx.stats.add(
            if role == Some(Role::Server) {
                Stat::Accept
            } else {
                Stat::Connect
            },
            1,
        );
        if role == Some(Role::Server) {
            e.phase = Phase::Accepting(Box::default());
            e.hello_bytes.clear();
            log::debug!("SSL {:#x}: server handshake starts", self.id());
            e.events.push(Event::Info(info::HANDSHAKE_START, 1));
            e.events.push(Event::Info(info::ACCEPT | info::LOOP, 1));
            return Ok(());
        }
        let (config, alpn) = {
            let settings = self.settings();
            (self.ctx().client_config(&settings)?, settings.alpn.clone())
        };
        let name = self
            .sni()
            .as_ref()
            .and_then(|n| n.to_str().ok())
            .and_then(|n| ServerName::try_from(n.to_owned()).ok())
            .unwrap_or(ServerName::IpAddress(
                std::net::Ipv4Addr::UNSPECIFIED.into(),
            ));
        log::debug!(
            "SSL {:#x}: client handshake starts, server name {name:?}",
            self.id()
        );
        let tls = hooks::enter(self, || ClientConnection::new_with_alpn(config, name, alpn))
            .map_err(Error::Tls)?;
        e.phase = Phase::Handshaking(Box::new(rustls::Connection::Client(tls)));
        // As OpenSSL, a client has a session from its ClientHello on (unless it offers one).
        if self.session().is_none() {
            self.replace_session(Session::new(self.session_data(None)));
        }
        e.events.push(Event::Info(info::HANDSHAKE_START, 1));
        e.events.push(Event::Info(info::CONNECT | info::LOOP, 1));
        Ok(())
    }

    /// Reads the ClientHello, then lets the program's callbacks decide, picks the configuration
    /// and makes the server connection.
    fn accept_step(self: &Arc<Self>, e: &mut Engine) -> OpResult<()> {
        let read_ahead = self.settings().read_ahead;
        let Engine {
            phase,
            rbio,
            framing,
            hello_bytes,
            ..
        } = e;
        let (Phase::Accepting(acceptor), Some(rbio)) = (phase, rbio.as_ref()) else {
            return Err(Error::Internal("accept without an acceptor".into()).into());
        };
        match acceptor.read_tls(&mut RecordReader {
            bio: rbio,
            framing,
            read_ahead,
            capture: Some(hello_bytes),
            clear: true,
            tls13: false,
        }) {
            Ok(0) => return Err(self.eof()),
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Err(OpError::WantRead),
            Err(err) if BadRecord::of(&err).is_some() => {
                let bad = BadRecord::of(&err).expect("checked");
                if let Some(alert) = bad.alert {
                    send_plain_alert(self, e, alert);
                }
                return Err(bad.error().into());
            }
            Err(err) => return Err(OpError::Syscall(Some(err))),
        }
        let accepted = match acceptor.accept() {
            Ok(None) => return Ok(()),
            Ok(Some(a)) => a,
            Err((err, mut alert)) => {
                let before = e.unsent.len();
                let _ = alert.write_all(&mut e.unsent);
                if e.unsent.len() == before && unexpected(&err) {
                    // rustls's Acceptor has no alert for a first message that is not a
                    // ClientHello; OpenSSL's is unexpected_message.
                    send_plain_alert(self, e, AD_UNEXPECTED_MESSAGE);
                } else {
                    let _ = self.flush(e);
                }
                let seen = Self::seen(e);
                return Err(self.tls_error(err, seen).into());
            }
        };
        let hello = ClientHello::parse(&std::mem::take(&mut e.hello_bytes));
        *lock(&self.client_hello) = hello.map(Arc::new);
        self.choose(e, accepted)
    }

    /// The program's callbacks on the ClientHello just read, in OpenSSL's order, each called
    /// with no lock held; then the server connection.
    fn choose(self: &Arc<Self>, e: &mut Engine, accepted: Accepted) -> OpResult<()> {
        let hello = accepted.client_hello();
        let sni = hello.server_name().and_then(|n| CString::new(n).ok());
        let offered: Option<Vec<u8>> = hello.alpn().map(|protos| {
            let mut wire = Vec::new();
            for p in protos {
                wire.push(p.len() as u8);
                wire.extend_from_slice(p);
            }
            wire
        });
        // The client hello callback runs before the server name is processed (it is NULL
        // there in OpenSSL too).
        if let Err(alert) = self.client_hello_callback() {
            return Err(self.refuse_hello(
                e,
                alert,
                CALLBACK_FAILED,
                "client hello callback failed",
            ));
        }
        if let Some(h) = self.client_hello() {
            let tls13 = h.offers_tls13()
                && self
                    .settings()
                    .versions()
                    .contains(&&rustls::version::TLS13);
            self.tentative_version(if tls13 {
                context::TLS1_3_VERSION
            } else {
                context::TLS1_2_VERSION
            });
        }
        self.set_sni(sni);
        // As OpenSSL, a server has a session from here on (resumption replaces it).
        if self.session().is_none() {
            self.replace_session(Session::new(self.session_data(None)));
        }
        if let Err(alert) = self.servername_callback() {
            return Err(self.refuse_hello(
                e,
                alert,
                CALLBACK_FAILED,
                "servername callback refused the name",
            ));
        }
        // OpenSSL's order: for TLS 1.3 ALPN, then certificate and status; for TLS 1.2
        // certificate, status, then ALPN. Differs from OpenSSL: the certificate and status
        // callbacks also run on a resumed handshake (rustls decides on resumption later).
        let tls13 = self.tentative().0 == context::TLS1_3_VERSION;
        let mut alpn = None;
        if tls13 {
            alpn = self.alpn_step(e, offered.as_deref())?;
        }
        if !self.cert_callback() {
            return Err(self.refuse_hello(
                e,
                AD_INTERNAL_ERROR,
                CERT_CB_ERROR,
                "certificate callback failed",
            ));
        }
        if !self.status_callback() {
            return Err(self.refuse_hello(
                e,
                AD_INTERNAL_ERROR,
                CLIENTHELLO_TLSEXT,
                "OCSP status callback failed",
            ));
        }
        if !tls13 {
            alpn = self.alpn_step(e, offered.as_deref())?;
        }
        // Raw public keys are TLS 1.3 only with rustls: a TLS 1.2 handshake uses certificates.
        let types = if tls13 {
            let s = self.settings();
            rpk::negotiate(
                s.server_cert_type.as_deref(),
                s.client_cert_type.as_deref(),
                &accepted.client_hello(),
            )
        } else {
            (rpk::X509, rpk::X509)
        };
        self.set_cert_type(false, types.0);
        self.set_cert_type(true, types.1);
        let group = self.server_group(tls13);
        let config = self
            .ctx()
            .server_config(&self.settings(), alpn, types, group)?;
        match hooks::enter(self, || accepted.into_connection(config)) {
            Ok(conn) => {
                e.phase = Phase::Handshaking(Box::new(rustls::Connection::Server(conn)));
                Ok(())
            }
            Err((err, mut alert)) => {
                let _ = alert.write_all(&mut e.unsent);
                let _ = self.flush(e);
                let seen = Self::seen(e);
                Err(self.tls_error(err, seen).into())
            }
        }
    }

    /// The group OpenSSL would take for the ClientHello read (its tuples, the client's key
    /// shares, `SSL_OP_CIPHER_SERVER_PREFERENCE`), which rustls is then given alone; `None`
    /// when nothing is shared (rustls then refuses the handshake itself).
    fn server_group(&self, tls13: bool) -> Option<&'static dyn rustls::crypto::SupportedKxGroup> {
        let hello = self.client_hello()?;
        let s = self.settings();
        let id = s.group_list.choose(
            &hello.supported_groups(),
            &hello.key_share_groups(),
            s.options & context::OP_CIPHER_SERVER_PREFERENCE != 0,
            tls13,
            crate::core::groups::openssl35(),
        )?;
        crate::core::groups::usable(id)
    }

    /// The ALPN select callback on the protocols offered: the one chosen, or the handshake
    /// fails with no_application_protocol.
    fn alpn_step(&self, e: &mut Engine, offered: Option<&[u8]>) -> OpResult<Option<Vec<u8>>> {
        let Some(wire) = offered else {
            return Ok(None);
        };
        match self.alpn_select(wire) {
            Some(a) => Ok(a),
            None => {
                send_plain_alert(self, e, 120); // no_application_protocol
                Err(Error::Tls(rustls::Error::NoApplicationProtocol).into())
            }
        }
    }

    /// Ends the handshake from a program callback's verdict: the alert goes out (in the clear:
    /// nothing is encrypted before the ServerHello) and the error carries OpenSSL's reason.
    fn refuse_hello(&self, e: &mut Engine, alert: u8, reason: c_int, why: &str) -> OpError {
        send_plain_alert(self, e, alert);
        e.events
            .push(Event::Info(info::WRITE_ALERT, 0x200 | c_int::from(alert)));
        Error::Misuse {
            reason,
            detail: why.into(),
        }
        .into()
    }

    /// `SSL_CTX_set_client_hello_cb`: `Err(alert)` when it fails the handshake. A retry
    /// (`SSL_CLIENT_HELLO_RETRY`) is treated as a failure: rustls's `Accepted` cannot be
    /// suspended across calls here.
    fn client_hello_callback(&self) -> Result<(), u8> {
        let Some(cb) = self.ctx().callbacks().client_hello.clone() else {
            return Ok(());
        };
        match (cb.call)(self.id()) {
            (CLIENT_HELLO_SUCCESS, _) => Ok(()),
            (CLIENT_HELLO_RETRY, _) => Err(AD_INTERNAL_ERROR),
            (_, al) => Err(u8::try_from(al).unwrap_or(AD_INTERNAL_ERROR)),
        }
    }

    /// The servername callback: `SSL_TLSEXT_ERR_ALERT_FATAL` (2) ends the handshake with the
    /// alert it chose; a warning or no-ack goes on.
    fn servername_callback(&self) -> Result<(), u8> {
        let Some(cb) = self.ctx().callbacks().servername.clone() else {
            return Ok(());
        };
        match (cb.call)(self.id()) {
            (2, al) => Err(u8::try_from(al).unwrap_or(AD_INTERNAL_ERROR)),
            _ => Ok(()),
        }
    }

    /// The certificate callback, which may set this connection's certificate and key.
    pub(super) fn cert_callback(&self) -> bool {
        let Some(cb) = self.cert_cb() else {
            return true;
        };
        (cb.call)(self.id()) == 1
    }

    /// The OCSP status callback, which may staple a response, when the client asked for a
    /// status (status_request), as OpenSSL.
    pub(super) fn status_callback(&self) -> bool {
        let asked = self
            .client_hello()
            .is_some_and(|h| h.extension(5).is_some());
        if !asked {
            return true;
        }
        let Some(cb) = self.ctx().callbacks().status.clone() else {
            return true;
        };
        (cb.call)(self.id()) != 2
    }

    /// `SSL_set_tlsext_status_ocsp_resp`: the DER OCSP response to staple.
    pub fn set_ocsp_response(&self, resp: Option<Vec<u8>>) {
        *lock(&self.ocsp) = resp;
    }

    /// The ALPN select callback: `Some(protocol or none)`, or `None` when it failed the
    /// handshake.
    fn alpn_select(&self, offered: &[u8]) -> Option<Option<Vec<u8>>> {
        let Some(cb) = self.ctx().callbacks().alpn_select.clone() else {
            return Some(None);
        };
        match (cb.call)(self.id(), offered) {
            AlpnAnswer::Selected(p) => Some(Some(p)),
            AlpnAnswer::NoAck => Some(None),
            AlpnAnswer::Fatal => None,
        }
    }

    /// Switches the connection to another context (`SSL_set_SSL_CTX`, from a servername or
    /// client hello callback): its certificate and key, and the context-wide callbacks, apply
    /// from now on.
    pub fn set_ctx(&self, ctx: Arc<Context>) {
        let creds = ctx.settings().credentials.clone();
        registry::up_ref(&*ctx);
        let old = std::mem::replace(
            &mut *self.ctx.write().unwrap_or_else(|e| e.into_inner()),
            ctx,
        );
        self.settings
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .credentials = creds;
        self.forget_own_cert_cb();
        registry::release(&*old);
    }

    /// The peer's answer to our first flight has been read: the handshake's round trip time
    /// is known from now on (as OpenSSL measures it: a client from its ClientHello to the
    /// server's last flight, a server from its first flight to the client's Finished).
    fn peer_flight_read(&self) {
        self.set_status(|s| {
            if s.flight_sent && !s.answer_read {
                s.answer_read = true;
                s.rtt.read = Some(std::time::Instant::now());
            }
        });
    }

    /// The key exchange group: the completed handshake's or, while one is under way, the one
    /// rustls has settled on so far, or a TLS 1.2 server's ServerKeyExchange group
    /// (`SSL_get0_group_name`).
    pub fn kx_group(&self) -> Option<rustls::NamedGroup> {
        if let Some(h) = self.handshake_info() {
            return h.group;
        }
        self.peek_engine(|e| {
            e.phase
                .tls()
                .and_then(|t| t.negotiated_key_exchange_group())
                .map(|g| g.name())
        })
        .flatten()
        .or_else(|| lock(&self.randoms).server_group)
    }

    /// `SSL_get_handshake_rtt`: the round trip time of the handshake once measured; `Err` while
    /// a new handshake (after `SSL_clear`) has sent its first flight but not read the answer.
    pub fn handshake_rtt(&self) -> Option<Result<std::time::Duration, ()>> {
        self.status().rtt.time()
    }

    fn handshake_complete(&self, e: &mut Engine) {
        let is_server = self.role() == Some(Role::Server);
        if !is_server {
            // rustls fails a client's handshake unless the server agreed to the raw keys the
            // client asked for (also on resumption, where no key is verified).
            let s = self.settings();
            if rpk::client_wants(s.client_cert_type.as_deref()) {
                self.set_cert_type(true, rpk::RPK);
            }
            if rpk::client_wants(s.server_cert_type.as_deref()) {
                self.set_cert_type(false, rpk::RPK);
            }
        }
        let old = std::mem::replace(&mut e.phase, Phase::Idle);
        let Phase::Handshaking(tls) = old else {
            e.phase = old;
            return;
        };
        let version = match tls.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => context::TLS1_3_VERSION,
            _ => context::TLS1_2_VERSION,
        };
        let cipher = tls
            .negotiated_cipher_suite()
            .and_then(|s| Cipher::by_suite(s.suite()));
        let resumed = tls.handshake_kind() == Some(HandshakeKind::Resumed);
        if !resumed_tls12(&tls) {
            self.peer_flight_read();
        }
        let mut peer_chain = lock(&self.verify).peer_chain.take();
        if peer_chain.is_none() && resumed {
            // Resumed: the chain is the one the offered session recorded (as OpenSSL takes it
            // from the session), so there is nothing to parse again.
            peer_chain = self.offered_peer_chain();
        }
        if resumed {
            // So is a raw public key.
            let offered = lock(&self.session).current.clone();
            let mut v = lock(&self.verify);
            if v.peer_rpk.is_none() {
                v.peer_rpk = offered.and_then(|s| s.data().peer_rpk.clone());
            }
        }
        let peer_chain = peer_chain.unwrap_or_else(|| {
            let certs: Vec<_> = tls
                .peer_certificates()
                .unwrap_or_default()
                .iter()
                .map(|c| c.clone().into_owned())
                .collect();
            // A server that asked for a certificate and got an empty Certificate message
            // reports an empty chain, not none (as OpenSSL).
            if certs.is_empty()
                && is_server
                && !resumed
                && self.settings().verify_mode & context::VERIFY_PEER != 0
            {
                return PeerCerts::empty_message();
            }
            PeerCerts::from_der(certs)
        });
        let hs = HandshakeInfo {
            version,
            cipher,
            group: tls
                .negotiated_key_exchange_group()
                .map(|g| g.name())
                .or_else(|| self.offered_group())
                .or_else(|| lock(&self.randoms).server_group),
            alpn: tls.alpn_protocol().map(<[u8]>::to_vec),
            peer_chain,
            server: is_server,
            resumed,
        };
        log::info!("SSL {:#x}: handshake done: {}", self.id(), hs.describe());
        e.phase = Phase::Established(tls);
        *self.handshake.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(hs));
        self.set_status(|s| s.done = true);
        if !resumed && !self.sessions_pending() {
            // A full handshake that has not (yet) produced a resumable session still has one.
            self.replace_session(Session::new(self.session_data(None)));
        }
        self.collect_sessions(e);
        self.count_completed(is_server, resumed);
        e.events.push(Event::Info(info::HANDSHAKE_DONE, 1));
        let side = if is_server {
            info::ACCEPT
        } else {
            info::CONNECT
        };
        e.events.push(Event::Info(side | info::EXIT, 1));
    }
}

/// A TLS 1.2 handshake resuming a session (as far as rustls knows yet).
fn resumed_tls12(tls: &rustls::Connection) -> bool {
    tls.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_2)
        && tls.handshake_kind() == Some(HandshakeKind::Resumed)
}

/// `SSL_AD_unexpected_message`.
const AD_UNEXPECTED_MESSAGE: u8 = 10;

/// A failure OpenSSL answers with unexpected_message.
fn unexpected(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InappropriateHandshakeMessage { .. }
            | rustls::Error::InappropriateMessage { .. }
            | rustls::Error::PeerMisbehaved(
                rustls::PeerMisbehaved::MessageInterleavedWithHandshakeMessage
            )
    )
}

/// Queues a fatal alert record in the clear (before any key is agreed) and writes it out; what
/// the BIO cannot take now goes at the next call.
fn send_plain_alert(conn: &Connection, e: &mut Engine, desc: u8) {
    e.unsent
        .extend_from_slice(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, desc]);
    let _ = conn.flush(e);
}

impl Connection {
    /// OpenSSL's counters for a completed handshake: a server's on the context it ended on
    /// (moving its `accept` there after an SNI switch), a client's on `session_ctx`; a
    /// resumption is a hit on `session_ctx`.
    fn count_completed(&self, is_server: bool, resumed: bool) {
        let sctx = &self.session_ctx;
        if is_server {
            let ctx = self.ctx();
            if !Arc::ptr_eq(&ctx, sctx) {
                ctx.stats.add(Stat::Accept, 1);
                sctx.stats.add(Stat::Accept, -1);
            }
            ctx.stats.add(Stat::AcceptGood, 1);
        } else {
            sctx.stats.add(Stat::ConnectGood, 1);
        }
        if resumed {
            sctx.stats.add(Stat::Hit, 1);
        }
    }
}
