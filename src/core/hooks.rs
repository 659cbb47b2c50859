//! How shared rustls configurations reach the one connection they are working for.
//!
//! A rustls `ClientConfig` is shared by many connections, but verification, client
//! certificates, session storage and key logging are per `SSL` in OpenSSL (and call the
//! program back with that `SSL*`). rustls calls these hooks synchronously, on the thread that
//! drives the connection, from inside `ClientConnection::new` and `process_new_packets`; the
//! connection marks itself current on that thread for exactly that span (`enter`), and the
//! hooks below forward to it.

use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{
    ClientSessionStore, ResolvesClientCert, Tls12ClientSessionValue, Tls13ClientSessionValue,
};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::DistinguishedName;
use rustls::{DigitallySignedStruct, NamedGroup, SignatureScheme};

use super::connection::Connection;
use super::rpk;

thread_local! {
    /// Reached with `try_with`: after the thread's thread-locals are destroyed (a program's
    /// `atexit` handler) no connection is current and the hooks fail instead of panicking.
    static CURRENT: RefCell<Vec<Arc<Connection>>> = const { RefCell::new(Vec::new()) };
}

/// Marks `conn` current on this thread while `f` runs.
pub fn enter<R>(conn: &Arc<Connection>, f: impl FnOnce() -> R) -> R {
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            let _ = CURRENT.try_with(|c| c.borrow_mut().pop());
        }
    }
    let _ = CURRENT.try_with(|c| c.borrow_mut().push(conn.clone()));
    let _leave = Leave;
    f()
}

pub(super) fn current() -> Option<Arc<Connection>> {
    CURRENT
        .try_with(|c| c.borrow().last().cloned())
        .ok()
        .flatten()
}

pub(super) fn algorithms() -> &'static rustls::crypto::WebPkiSupportedAlgorithms {
    static ALGS: OnceLock<rustls::crypto::WebPkiSupportedAlgorithms> = OnceLock::new();
    ALGS.get_or_init(|| {
        rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms
    })
}

/// Records the scheme of a peer signature rustls has just verified, for the connection.
pub(super) fn signature_seen(dss: &DigitallySignedStruct) {
    if let Some(c) = current() {
        c.peer_signature_seen(dss.scheme);
    }
}

/// Records the scheme this side signs its handshake with, for the connection.
pub fn own_signature(scheme: SignatureScheme) {
    if let Some(c) = current() {
        c.own_signature_seen(scheme);
    }
}

/// Verifies server certificates with libcrypto, through the connection's settings; or, `rpk`,
/// asks for the server's raw public key (RFC 7250, `rpk::peer_key`).
#[derive(Debug)]
struct ServerVerifier {
    rpk: bool,
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.rpk {
            rpk::peer_key(end_entity)?;
            return Ok(ServerCertVerified::assertion());
        }
        let conn =
            current().ok_or_else(|| rustls::Error::General("no current connection".into()))?;
        conn.verify_peer(end_entity, intermediates, c"ssl_server")?;
        // As OpenSSL's client once the certificate is accepted (verified, or SSL_VERIFY_NONE):
        // what the store lookups queued is dropped (the verify result is kept).
        crate::libcrypto::clear_errors();
        conn.check_stapled_status(ocsp_response)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        peer_signature(self.rpk, false, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        peer_signature(self.rpk, true, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        algorithms().supported_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.rpk
    }
}

/// A peer's handshake signature, checked against its certificate or (`rpk`, TLS 1.3 only) its
/// raw public key, and recorded for the connection.
fn peer_signature(
    rpk: bool,
    tls13: bool,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    let valid = match (rpk, tls13) {
        (true, true) => rpk::raw_signature(message, cert, dss)?,
        (true, false) => return Err(rpk::no_tls12()),
        (false, true) => rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms())?,
        (false, false) => rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms())?,
    };
    signature_seen(dss);
    Ok(valid)
}

/// The client's server verifier (`rpk`: it asks for the server's raw key).
pub fn server_verifier(rpk: bool) -> Arc<dyn ServerCertVerifier> {
    static V: [OnceLock<Arc<ServerVerifier>>; 2] = [OnceLock::new(), OnceLock::new()];
    V[rpk as usize]
        .get_or_init(|| Arc::new(ServerVerifier { rpk }))
        .clone()
}

/// Picks the client certificate: the connection's own, or what the program's callback gives;
/// `rpk`: sent as its raw public key.
#[derive(Debug)]
struct ClientCert {
    rpk: bool,
}

impl ResolvesClientCert for ClientCert {
    fn resolve(&self, hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        let conn = current()?;
        conn.set_peer_ca_names(hints);
        if !self.rpk {
            return conn.client_certificate();
        }
        conn.set_cert_type(true, rpk::RPK);
        rpk::raw_identity(&*conn.client_certificate()?)
    }

    fn only_raw_public_keys(&self) -> bool {
        self.rpk
    }

    fn has_certs(&self) -> bool {
        true
    }
}

pub fn client_cert_resolver(rpk: bool) -> Arc<dyn ResolvesClientCert> {
    static R: [OnceLock<Arc<ClientCert>>; 2] = [OnceLock::new(), OnceLock::new()];
    R[rpk as usize]
        .get_or_init(|| Arc::new(ClientCert { rpk }))
        .clone()
}

/// Client sessions live in `SSL_SESSION` objects, not in a cache inside the configuration.
struct SessionStore;

impl fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionStore")
    }
}

impl ClientSessionStore for SessionStore {
    fn set_kx_hint(&self, _name: ServerName<'static>, group: NamedGroup) {
        if let Some(c) = current() {
            c.session_kx_hint_seen(group);
        }
    }
    /// The group of the first key share (`*`) of the groups list, as OpenSSL sends it; else
    /// the group the server chose last time for the session offered.
    fn kx_hint(&self, _name: &ServerName<'_>) -> Option<NamedGroup> {
        let c = current()?;
        let configured = c.settings().group_list.key_share();
        configured.or_else(|| c.session_kx_hint())
    }
    fn set_tls12_session(&self, _name: ServerName<'static>, value: Tls12ClientSessionValue) {
        if let Some(c) = current() {
            c.session_established(super::session::Resumable::Tls12(value));
        }
    }
    fn tls12_session(&self, _name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        current()?.session_offer_tls12()
    }
    fn remove_tls12_session(&self, _name: &ServerName<'static>) {}
    fn insert_tls13_ticket(&self, _name: ServerName<'static>, value: Tls13ClientSessionValue) {
        if let Some(c) = current() {
            c.session_established(super::session::Resumable::Tls13(value));
        }
    }
    fn take_tls13_ticket(&self, _name: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        current()?.session_offer_tls13()
    }
}

pub fn session_store() -> Arc<dyn ClientSessionStore> {
    static S: OnceLock<Arc<SessionStore>> = OnceLock::new();
    S.get_or_init(|| Arc::new(SessionStore)).clone()
}

/// NSS key log lines to the program's keylog callback.
struct KeyLog;

impl fmt::Debug for KeyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyLog")
    }
}

impl rustls::KeyLog for KeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        if let Some(c) = current() {
            c.key_log(label, client_random, secret);
        }
    }
    fn will_log(&self, _label: &str) -> bool {
        current().is_some_and(|c| c.wants_key_log())
    }
}

pub fn key_log() -> Arc<dyn rustls::KeyLog> {
    static K: OnceLock<Arc<KeyLog>> = OnceLock::new();
    K.get_or_init(|| Arc::new(KeyLog)).clone()
}

/// A key exchange with `group` has started (`kx.rs`).
pub fn kx_started(group: NamedGroup) {
    if let Some(c) = current() {
        c.kx_started(group);
    }
}

/// The peer's key share for `group`, as the key exchange used it.
pub fn peer_key_share(group: NamedGroup, key: &[u8]) {
    if let Some(c) = current() {
        c.peer_key_seen(group, key);
    }
}

/// Picks the server certificate for the connection rustls is accepting (`rpk`: sent as its
/// raw public key).
#[derive(Debug)]
struct ServerCert {
    rpk: bool,
}

impl ResolvesServerCert for ServerCert {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let certified = current()?.server_certificate(hello.signature_schemes())?;
        if self.rpk {
            rpk::raw_identity(&certified)
        } else {
            Some(certified)
        }
    }

    fn only_raw_public_keys(&self) -> bool {
        self.rpk
    }
}

pub fn server_cert_resolver(rpk: bool) -> Arc<dyn ResolvesServerCert> {
    static R: [OnceLock<Arc<ServerCert>>; 2] = [OnceLock::new(), OnceLock::new()];
    R[rpk as usize]
        .get_or_init(|| Arc::new(ServerCert { rpk }))
        .clone()
}

/// A server's client authentication, as `SSL_CTX_set_verify` set it: `SSL_VERIFY_PEER` asks for
/// a certificate, `SSL_VERIFY_FAIL_IF_NO_PEER_CERT` requires one; chains are verified by
/// libcrypto through the connection; or, `rpk`, a raw public key is asked for
/// (`rpk::peer_key`).
#[derive(Debug)]
struct ClientVerifier {
    offer: bool,
    mandatory: bool,
    hints: Vec<DistinguishedName>,
    rpk: bool,
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.offer
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self.rpk {
            rpk::peer_key(end_entity)?;
            return Ok(ClientCertVerified::assertion());
        }
        let conn =
            current().ok_or_else(|| rustls::Error::General("no current connection".into()))?;
        conn.verify_peer(end_entity, intermediates, c"ssl_client")?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        peer_signature(self.rpk, false, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        peer_signature(self.rpk, true, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        algorithms().supported_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.rpk
    }
}

/// The server's client verifier, as `SSL_CTX_set_verify` set it (`rpk`: it asks for the
/// client's raw key, and names no CAs).
pub fn client_verifier(
    verify_mode: std::ffi::c_int,
    client_ca: &[Vec<u8>],
    rpk: bool,
) -> Arc<dyn ClientCertVerifier> {
    use super::context::{VERIFY_FAIL_IF_NO_PEER_CERT, VERIFY_PEER};
    let offer = verify_mode & VERIFY_PEER != 0;
    let names = if rpk { &[][..] } else { client_ca };
    Arc::new(ClientVerifier {
        offer,
        mandatory: offer && verify_mode & VERIFY_FAIL_IF_NO_PEER_CERT != 0,
        hints: names
            .iter()
            .map(|n| DistinguishedName::from(n.clone()))
            .collect(),
        rpk,
    })
}

/// Server sessions: the context's internal cache and the program's external cache callbacks
/// (`SSL_CTX_sess_set_new_cb`/`get_cb`/`remove_cb`), as the session cache mode says.
#[derive(Debug)]
struct ServerSessions;

impl rustls::server::StoresServerSessions for ServerSessions {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        current().is_some_and(|c| c.server_session_put(key, value))
    }
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        current()?.server_session_get(key, false)
    }
    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        current()?.server_session_get(key, true)
    }
    fn can_cache(&self) -> bool {
        true
    }
}

pub fn server_session_store() -> Arc<dyn rustls::server::StoresServerSessions> {
    static S: OnceLock<Arc<ServerSessions>> = OnceLock::new();
    S.get_or_init(|| Arc::new(ServerSessions)).clone()
}

/// Session tickets encrypted with the program's ticket key callback (nginx's
/// `ssl_session_ticket_key` files), in OpenSSL's ticket format.
struct CallbackTicketer {
    cb: crate::libcrypto::TicketKeyCb,
    lifetime: u32,
}

impl fmt::Debug for CallbackTicketer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackTicketer")
    }
}

impl rustls::server::ProducesTickets for CallbackTicketer {
    /// Also asked by rustls as it writes a TLS 1.2 ServerHello: whether to acknowledge the
    /// ticket extension and send a ticket (see `Connection::ticket_decrypted`).
    fn enabled(&self) -> bool {
        current().is_none_or(|c| c.issues_ticket())
    }
    fn lifetime(&self) -> u32 {
        self.lifetime
    }
    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        self.cb.encrypt(current()?.id(), plain)
    }
    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        let conn = current()?;
        let (plain, renew) = self.cb.decrypt(conn.id(), cipher)?;
        conn.ticket_decrypted(renew);
        Some(plain)
    }
}

pub fn callback_ticketer(
    cb: crate::libcrypto::TicketKeyCb,
    lifetime: std::ffi::c_long,
) -> Arc<dyn rustls::server::ProducesTickets> {
    Arc::new(CallbackTicketer {
        cb,
        lifetime: u32::try_from(lifetime).unwrap_or(7200),
    })
}

/// Session tickets encrypted with the context's own fixed keys (`TicketKeys`), as OpenSSL's.
struct KeysTicketer {
    keys: Arc<crate::libcrypto::TicketKeys>,
    lifetime: u32,
}

impl fmt::Debug for KeysTicketer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeysTicketer")
    }
}

impl rustls::server::ProducesTickets for KeysTicketer {
    /// Also asked by rustls as it writes a TLS 1.2 ServerHello: whether to acknowledge the
    /// ticket extension and send a ticket (see `Connection::ticket_decrypted`).
    fn enabled(&self) -> bool {
        current().is_none_or(|c| c.issues_ticket())
    }
    fn lifetime(&self) -> u32 {
        self.lifetime
    }
    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        self.keys.encrypt(plain)
    }
    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        let plain = self.keys.decrypt(cipher)?;
        if let Some(c) = current() {
            c.ticket_decrypted(false);
        }
        Some(plain)
    }
}

pub fn keys_ticketer(
    keys: Arc<crate::libcrypto::TicketKeys>,
    lifetime: std::ffi::c_long,
) -> Arc<dyn rustls::server::ProducesTickets> {
    Arc::new(KeysTicketer {
        keys,
        lifetime: u32::try_from(lifetime).unwrap_or(7200),
    })
}
