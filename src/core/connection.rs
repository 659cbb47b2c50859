//! `SSL`: one TLS connection, its BIOs, and OpenSSL's calling conventions for driving it
//! (`SSL_connect`, `SSL_read`, `SSL_write`, `SSL_shutdown`, `SSL_get_error`).
//!
//! Locking: `state` (the rustls connection and BIOs) is held while an operation drives the
//! connection. rustls calls back into this object (verification, client certificate, sessions,
//! key log) while it is held, so those use other, short-lived locks. Program callbacks that may
//! re-enter the API freely (info, new session) are queued as `Event`s and run after `state` is
//! released. A re-entrant call that needs `state` fails cleanly instead of deadlocking.

use std::ffi::{c_int, c_long, CStr, CString};
use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard};

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::Acceptor;
use rustls::sign::CertifiedKey;
use rustls::{ClientConnection, HandshakeKind, NamedGroup};

use super::callbacks::{info, AlpnAnswer, ClientCertAnswer, Hook, InfoFn};
use super::cipher::Cipher;
use super::context::{self, Context, Role, Settings};
use super::credentials::certified_key;
use super::error::{reason, Error};
use super::hooks;
use super::registry::{self, Object, Refs, Table};
use super::session::{self, Resumable, Session, SessionData, Ticket};
use crate::libcrypto::{self, ffi, Bio, CertStack, ExData, VerifyParam, X509Cert};

/// `SSL_ERROR_*`.
pub mod code {
    use std::ffi::c_int;
    pub const NONE: c_int = 0;
    pub const SSL: c_int = 1;
    pub const WANT_READ: c_int = 2;
    pub const WANT_WRITE: c_int = 3;
    pub const SYSCALL: c_int = 5;
    pub const ZERO_RETURN: c_int = 6;
}

/// `SSL_SENT_SHUTDOWN`, `SSL_RECEIVED_SHUTDOWN`.
pub const SENT_SHUTDOWN: c_int = 1;
pub const RECEIVED_SHUTDOWN: c_int = 2;

/// Plaintext handed to rustls per step of a large `SSL_write`, so that ciphertext is flushed as
/// it is made instead of piling up.
const WRITE_CHUNK: usize = 64 * 1024;

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
    fn code(&self) -> c_int {
        match self {
            OpError::WantRead => code::WANT_READ,
            OpError::WantWrite => code::WANT_WRITE,
            OpError::ZeroReturn => code::ZERO_RETURN,
            OpError::Syscall(_) => code::SYSCALL,
            OpError::Fatal(_) => code::SSL,
        }
    }
}

type OpResult<T> = Result<T, OpError>;

/// What a completed handshake established (fixed until the next handshake).
pub struct HandshakeInfo {
    pub version: c_int,
    pub cipher: Option<&'static Cipher>,
    pub group: Option<NamedGroup>,
    pub alpn: Option<Vec<u8>>,
    pub peer_chain: Vec<X509Cert>,
    /// `SSL_get_peer_cert_chain` (client side: leaf first).
    pub peer_stack: Option<CertStack>,
    pub resumed: bool,
}

/// Results of verifying the peer.
#[derive(Default)]
pub struct VerifyState {
    /// `SSL_get_verify_result`.
    pub result: c_long,
    /// `SSL_get0_verified_chain`.
    pub verified: Option<CertStack>,
    pub peer_chain: Vec<X509Cert>,
}

#[derive(Default)]
struct SessionSlot {
    /// `SSL_get_session`: holds one C reference.
    current: Option<Arc<Session>>,
    /// Whether `current` came from `SSL_set_session` and is offered for resumption.
    offered: bool,
    /// The ticket slot of the session offered, refilled with a fresh TLS 1.3 ticket after it
    /// was used, so that the program can offer the same `SSL_SESSION` again (as OpenSSL allows).
    offered_ticket: Option<Ticket>,
    /// Resumption values rustls produced while the state lock was held.
    fresh: Vec<Resumable>,
    kx_hint: Option<NamedGroup>,
}

enum Event {
    Info(c_int, c_int),
    NewSession(Arc<Session>),
}

#[derive(Default)]
struct State {
    role: Option<Role>,
    tls: Option<rustls::Connection>,
    /// A server reads the ClientHello here before it picks its configuration.
    acceptor: Option<Acceptor>,
    rbio: Option<Bio>,
    wbio: Option<Bio>,
    /// `SSL_get_error`'s answer for the last operation that did not succeed.
    last: c_int,
    done: bool,
    fatal: bool,
    eof: bool,
    sent_close: bool,
    received_close: bool,
    /// Bytes of the current `SSL_write` buffer already handed to rustls.
    write_progress: usize,
    framing: Framing,
    events: Vec<Event>,
}

pub struct Connection {
    refs: Refs,
    pub ex_data: ExData,
    ctx: RwLock<Arc<Context>>,
    settings: RwLock<Settings>,
    /// `SSL_get0_param`.
    pub param: VerifyParam,
    info_cb: RwLock<Option<Hook<InfoFn>>>,
    sni: RwLock<Option<CString>>,
    state: Mutex<State>,
    verify: Mutex<VerifyState>,
    session: Mutex<SessionSlot>,
    handshake: RwLock<Option<Arc<HandshakeInfo>>>,
    /// Shutdown flags as `SSL_get_shutdown` reports them (also set by `SSL_set_shutdown`).
    shutdown: Mutex<c_int>,
    /// The peer's ephemeral key share (`SSL_get_peer_tmp_key`).
    peer_key: Mutex<Option<(NamedGroup, Vec<u8>)>>,
    /// The OCSP response a server staples (`SSL_set_tlsext_status_ocsp_resp`).
    ocsp: Mutex<Option<Vec<u8>>>,
    /// The stack `SSL_get_ciphers` last handed out (valid until the next call).
    pub cipher_stack: Mutex<Option<crate::libcrypto::StaticStack>>,
}

impl Object for Connection {
    const KIND: &'static str = "SSL";
    fn refs(&self) -> &Refs {
        &self.refs
    }
    fn table() -> &'static Table<Self> {
        static T: OnceLock<Table<Connection>> = OnceLock::new();
        T.get_or_init(Table::new)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let ctx = self
            .ctx
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        registry::release(&*ctx);
        let slot = self.session.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = slot.current.take() {
            registry::release(&*s);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

/// `std::io` over a BIO, for rustls's `write_tls`.
struct BioIo<'a>(&'a Bio);

/// Where the reader is in the TLS record it is reading.
///
/// Without `read_ahead`, OpenSSL reads a record header and then exactly that record's body,
/// never more: bytes that belong to later records stay in the kernel (or the program's BIO),
/// where the program's `poll` can see them. Event loops depend on that (a close_notify read
/// together with the last data record would leave `poll` waiting forever), so ferrossl reads
/// the same way.
#[derive(Default)]
struct Framing {
    header: [u8; 5],
    header_have: usize,
    body_left: usize,
}

/// `std::io::Read` over the read BIO for rustls's `read_tls`, record by record.
struct RecordReader<'a> {
    bio: &'a Bio,
    framing: &'a mut Framing,
    read_ahead: bool,
}

impl Read for RecordReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
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

impl Write for BioIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    /// rustls hands over several records at once; one `BIO_write` sends them together, as
    /// OpenSSL sends a flight in one write.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match bufs.iter().filter(|b| !b.is_empty()).count() {
            0 => Ok(0),
            1 => self
                .0
                .write(bufs.iter().find(|b| !b.is_empty()).expect("counted")),
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

impl Connection {
    /// `SSL_new`: a connection with a copy of `ctx`'s settings; holds a reference to `ctx`.
    pub fn new(ctx: Arc<Context>) -> Result<Arc<Connection>, Error> {
        let param = VerifyParam::new().ok_or_else(|| Error::Internal("out of memory".into()))?;
        param.set_from(&ctx.param);
        let settings = ctx.settings().clone();
        let role = match ctx.method.role {
            Role::Any => None,
            r => Some(r),
        };
        registry::up_ref(&*ctx);
        Ok(Connection::table().insert_with(|refs| Connection {
            ex_data: ExData::new(ffi::CRYPTO_EX_INDEX_SSL, refs.id()),
            refs,
            ctx: RwLock::new(ctx),
            settings: RwLock::new(settings),
            param,
            info_cb: RwLock::new(None),
            sni: RwLock::new(None),
            state: Mutex::new(State {
                role,
                ..State::default()
            }),
            verify: Mutex::new(VerifyState::default()),
            session: Mutex::new(SessionSlot::default()),
            handshake: RwLock::new(None),
            shutdown: Mutex::new(0),
            peer_key: Mutex::new(None),
            ocsp: Mutex::new(None),
            cipher_stack: Mutex::new(None),
        }))
    }

    pub fn id(&self) -> usize {
        self.refs.id()
    }

    pub fn ctx(&self) -> Arc<Context> {
        read(&self.ctx).clone()
    }

    pub fn settings(&self) -> RwLockReadGuard<'_, Settings> {
        read(&self.settings)
    }

    /// Changes this connection's own settings.
    pub fn update<R>(&self, f: impl FnOnce(&mut Settings) -> Result<R, Error>) -> Result<R, Error> {
        f(&mut self.settings.write().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn set_info_callback(&self, cb: Option<Hook<InfoFn>>) {
        *self.info_cb.write().unwrap_or_else(|e| e.into_inner()) = cb;
    }

    pub fn info_callback(&self) -> Option<Hook<InfoFn>> {
        read(&self.info_cb).clone()
    }

    fn state(&self, what: &'static str) -> Result<MutexGuard<'_, State>, Error> {
        match self.state.try_lock() {
            Ok(g) => Ok(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => Err(Error::Reentrant(what)),
        }
    }

    // ---- BIOs and roles ------------------------------------------------------------------

    /// `SSL_set_bio`/`set0_rbio`/`set0_wbio`: `None` leaves that side as it is.
    pub fn set_bios(
        &self,
        rbio: Option<Option<Bio>>,
        wbio: Option<Option<Bio>>,
    ) -> Result<(), Error> {
        let mut st = self.state("SSL_set_bio")?;
        if let Some(r) = rbio {
            st.rbio = r;
        }
        if let Some(w) = wbio {
            st.wbio = w;
        }
        Ok(())
    }

    pub fn rbio(&self) -> Option<Bio> {
        self.state.try_lock().ok().and_then(|s| s.rbio.clone())
    }

    pub fn wbio(&self) -> Option<Bio> {
        self.state.try_lock().ok().and_then(|s| s.wbio.clone())
    }

    /// Runs `f` on the raw BIO pointers without taking references.
    pub fn bio_ptrs(&self) -> (*mut ffi::BIO, *mut ffi::BIO) {
        match self.state.try_lock() {
            Ok(s) => (
                s.rbio.as_ref().map_or(std::ptr::null_mut(), Bio::as_ptr),
                s.wbio.as_ref().map_or(std::ptr::null_mut(), Bio::as_ptr),
            ),
            Err(_) => (std::ptr::null_mut(), std::ptr::null_mut()),
        }
    }

    pub fn set_role(&self, role: Role) -> Result<(), Error> {
        let mut st = self.state("SSL_set_connect_state")?;
        st.role = Some(role);
        st.tls = None;
        st.done = false;
        Ok(())
    }

    pub fn role(&self) -> Option<Role> {
        self.state.try_lock().ok().and_then(|s| s.role)
    }

    pub fn set_sni(&self, name: Option<CString>) {
        *self.sni.write().unwrap_or_else(|e| e.into_inner()) = name;
    }

    pub fn sni(&self) -> RwLockReadGuard<'_, Option<CString>> {
        read(&self.sni)
    }

    // ---- the operations -------------------------------------------------------------------

    /// `SSL_get_error`'s answer for the last operation, before the error queue is consulted.
    pub fn last_error(&self) -> c_int {
        self.state.try_lock().map_or(code::SYSCALL, |s| s.last)
    }

    /// Runs one operation: takes the state, records its outcome for `SSL_get_error`, then
    /// runs the callbacks it queued.
    fn op<T>(
        self: &Arc<Self>,
        what: &'static str,
        f: impl FnOnce(&Arc<Self>, &mut State) -> OpResult<T>,
    ) -> OpResult<T> {
        let (result, events) = {
            let mut st = self.state(what)?;
            // As OpenSSL: after a fatal error, reads, writes and handshakes fail with
            // SSL_ERROR_SYSCALL and nothing new on the error queue.
            let r = if st.fatal && what != "SSL_shutdown" {
                Err(OpError::Syscall(None))
            } else {
                f(self, &mut st)
            };
            st.last = match &r {
                Ok(_) => code::NONE,
                Err(e) => e.code(),
            };
            if let Err(OpError::Fatal(_)) = &r {
                st.fatal = true;
            }
            (r, std::mem::take(&mut st.events))
        };
        self.run_events(events);
        result
    }

    fn run_events(&self, events: Vec<Event>) {
        for ev in events {
            match ev {
                Event::Info(w, r) => {
                    let cb = self
                        .info_callback()
                        .or_else(|| self.ctx().callbacks().info.clone());
                    if let Some(cb) = cb {
                        (cb.call)(self.id(), w, r);
                    }
                }
                Event::NewSession(s) => {
                    // The event holds a C reference (taken when it was queued, so that the
                    // session stays live while later tickets replace it); the callback keeps
                    // it by returning 1.
                    let ctx = self.ctx();
                    let cb = ctx.callbacks().new_session.clone();
                    let kept = match cb {
                        Some(cb) if ctx.session_cache_mode() & context::SESS_CACHE_CLIENT != 0 => {
                            (cb.call)(self.id(), s.refs().id())
                        }
                        _ => false,
                    };
                    if !kept {
                        registry::release(&*s);
                    }
                }
            }
        }
    }

    /// `SSL_do_handshake`/`SSL_connect`.
    pub fn handshake(self: &Arc<Self>) -> OpResult<()> {
        self.op("SSL_do_handshake", |me, st| {
            me.drive_handshake(st)?;
            // As OpenSSL: a KeyUpdate queued by SSL_key_update goes out now.
            if st.tls.as_ref().is_some_and(|t| t.wants_write()) {
                me.flush(st)?;
            }
            Ok(())
        })
    }

    /// `SSL_read`/`SSL_peek`.
    pub fn read(self: &Arc<Self>, buf: &mut [u8], peek: bool) -> OpResult<usize> {
        self.op("SSL_read", |me, st| {
            me.drive_handshake(st)?;
            me.read_plain(st, buf, peek)
        })
    }

    /// `SSL_write`.
    pub fn write(self: &Arc<Self>, buf: &[u8]) -> OpResult<usize> {
        self.op("SSL_write", |me, st| {
            me.drive_handshake(st)?;
            me.write_plain(st, buf)
        })
    }

    /// `SSL_shutdown`: `Ok(true)` once both close_notify alerts have been exchanged.
    pub fn shutdown(self: &Arc<Self>) -> OpResult<bool> {
        self.op("SSL_shutdown", |me, st| me.do_shutdown(st))
    }

    /// `SSL_pending`: decrypted bytes ready to be read.
    pub fn pending(&self) -> usize {
        let Ok(mut st) = self.state.try_lock() else {
            return 0;
        };
        let Some(tls) = st.tls.as_mut() else { return 0 };
        tls.reader().fill_buf().map_or(0, |b| b.len())
    }

    /// `SSL_has_pending`: decrypted bytes, or received bytes not yet decrypted.
    pub fn has_pending(&self) -> bool {
        let Ok(mut st) = self.state.try_lock() else {
            return false;
        };
        let Some(tls) = st.tls.as_mut() else {
            return false;
        };
        tls.reader().fill_buf().is_ok_and(|b| !b.is_empty())
    }

    pub fn is_init_finished(&self) -> bool {
        self.state.try_lock().is_ok_and(|s| s.done)
    }

    pub fn in_before(&self) -> bool {
        self.state
            .try_lock()
            .is_ok_and(|s| s.tls.is_none() && !s.done)
    }

    // ---- internals ------------------------------------------------------------------------

    fn drive_handshake(self: &Arc<Self>, st: &mut State) -> OpResult<()> {
        if st.done {
            return Ok(());
        }
        if st.fatal {
            return Err(Error::Misuse {
                reason: reason::PROTOCOL_IS_SHUTDOWN,
                detail: "the connection failed earlier".into(),
            }
            .into());
        }
        if st.tls.is_none() && st.acceptor.is_none() {
            self.start(st)?;
        }
        while st.acceptor.is_some() {
            self.accept_step(st)?;
        }
        loop {
            self.flush(st)?;
            let tls = st.tls.as_ref().expect("started above");
            if !tls.is_handshaking() {
                self.handshake_complete(st);
                return Ok(());
            }
            if st.eof {
                return Err(Error::UnexpectedEof.into());
            }
            self.read_records(st)?;
        }
    }

    fn start(self: &Arc<Self>, st: &mut State) -> OpResult<()> {
        match st.role {
            Some(Role::Client) | Some(Role::Server) => {}
            _ => {
                return Err(Error::Misuse {
                    reason: reason::CONNECTION_TYPE_NOT_SET,
                    detail: "call SSL_set_connect_state or SSL_connect first".into(),
                }
                .into())
            }
        }
        if st.rbio.is_none() || st.wbio.is_none() {
            return Err(Error::Misuse {
                reason: 128, // SSL_R_BIO_NOT_SET
                detail: "no BIO: call SSL_set_fd or SSL_set_bio first".into(),
            }
            .into());
        }
        if st.role == Some(Role::Server) {
            st.acceptor = Some(Acceptor::default());
            st.events.push(Event::Info(info::HANDSHAKE_START, 1));
            st.events.push(Event::Info(info::ACCEPT | info::LOOP, 1));
            return Ok(());
        }
        let (config, alpn) = {
            let settings = self.settings();
            (self.ctx().client_config(&settings)?, settings.alpn.clone())
        };
        let name = read(&self.sni)
            .as_ref()
            .and_then(|n| n.to_str().ok())
            .and_then(|n| ServerName::try_from(n.to_owned()).ok())
            .unwrap_or(ServerName::IpAddress(
                std::net::Ipv4Addr::UNSPECIFIED.into(),
            ));
        let tls = hooks::enter(self, || ClientConnection::new_with_alpn(config, name, alpn))
            .map_err(Error::Tls)?;
        st.tls = Some(rustls::Connection::Client(tls));
        st.events.push(Event::Info(info::HANDSHAKE_START, 1));
        st.events.push(Event::Info(info::CONNECT | info::LOOP, 1));
        Ok(())
    }

    /// Reads the ClientHello, then lets the program's servername and ALPN callbacks decide,
    /// picks the configuration and makes the server connection.
    fn accept_step(self: &Arc<Self>, st: &mut State) -> OpResult<()> {
        let read_ahead = self.settings().read_ahead;
        let State {
            acceptor,
            rbio,
            framing,
            ..
        } = st;
        let (Some(acceptor), Some(rbio)) = (acceptor.as_mut(), rbio.as_ref()) else {
            return Err(Error::Internal("accept without an acceptor".into()).into());
        };
        match acceptor.read_tls(&mut RecordReader {
            bio: rbio,
            framing,
            read_ahead,
        }) {
            Ok(0) => return Err(Error::UnexpectedEof.into()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(OpError::WantRead),
            Err(e) => return Err(OpError::Syscall(Some(e))),
        }
        let accepted = match acceptor.accept() {
            Ok(None) => return Ok(()),
            Ok(Some(a)) => a,
            Err((e, mut alert)) => {
                if let Some(w) = st.wbio.as_ref() {
                    let _ = alert.write_all(&mut BioIo(w));
                }
                st.acceptor = None;
                return Err(self.tls_error(e).into());
            }
        };
        st.acceptor = None;
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
        self.set_sni(sni);
        self.servername_callback()?;
        self.cert_callback()?;
        self.status_callback()?;
        let alpn = match offered {
            Some(wire) => self.alpn_select(&wire)?,
            None => None,
        };
        let config = self.ctx().server_config(&self.settings(), alpn)?;
        match hooks::enter(self, || accepted.into_connection(config)) {
            Ok(conn) => {
                st.tls = Some(rustls::Connection::Server(conn));
                Ok(())
            }
            Err((e, mut alert)) => {
                if let Some(w) = st.wbio.as_ref() {
                    let _ = alert.write_all(&mut BioIo(w));
                }
                Err(self.tls_error(e).into())
            }
        }
    }

    /// The servername callback: `SSL_TLSEXT_ERR_ALERT_FATAL` (2) ends the handshake.
    fn servername_callback(&self) -> Result<(), Error> {
        let Some(cb) = self.ctx().callbacks().servername.clone() else {
            return Ok(());
        };
        match (cb.call)(self.id()) {
            2 => Err(Error::Tls(rustls::Error::General(
                "servername callback refused the name".into(),
            ))),
            _ => Ok(()),
        }
    }

    /// The certificate callback, which may set this connection's certificate and key.
    fn cert_callback(&self) -> Result<(), Error> {
        let Some(cb) = self.ctx().callbacks().cert.clone() else {
            return Ok(());
        };
        match (cb.call)(self.id()) {
            1 => Ok(()),
            _ => Err(Error::Tls(rustls::Error::General(
                "certificate callback failed".into(),
            ))),
        }
    }

    /// The OCSP status callback, which may staple a response (rustls sends it to clients that
    /// asked for one).
    fn status_callback(&self) -> Result<(), Error> {
        let Some(cb) = self.ctx().callbacks().status.clone() else {
            return Ok(());
        };
        match (cb.call)(self.id()) {
            2 => Err(Error::Tls(rustls::Error::General(
                "OCSP status callback failed".into(),
            ))),
            _ => Ok(()),
        }
    }

    /// `SSL_set_tlsext_status_ocsp_resp`: the DER OCSP response to staple.
    pub fn set_ocsp_response(&self, resp: Option<Vec<u8>>) {
        *lock(&self.ocsp) = resp;
    }

    /// The ALPN select callback: the protocol to agree on, if any.
    fn alpn_select(&self, offered: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        let Some(cb) = self.ctx().callbacks().alpn_select.clone() else {
            return Ok(None);
        };
        match (cb.call)(self.id(), offered) {
            AlpnAnswer::Selected(p) => Ok(Some(p)),
            AlpnAnswer::NoAck => Ok(None),
            AlpnAnswer::Fatal => Err(Error::Tls(rustls::Error::NoApplicationProtocol)),
        }
    }

    /// Switches the connection to another context (`SSL_set_SSL_CTX`, from a servername
    /// callback): its certificate and key, and the context-wide callbacks, apply from now on.
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
        registry::release(&*old);
    }

    /// Writes out everything rustls has queued.
    fn flush(&self, st: &mut State) -> OpResult<()> {
        let State { tls, wbio, .. } = st;
        let (Some(tls), Some(wbio)) = (tls.as_mut(), wbio.as_ref()) else {
            return Ok(());
        };
        while tls.wants_write() {
            match tls.write_tls(&mut BioIo(wbio)) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(OpError::WantWrite),
                Err(e) => return Err(OpError::Syscall(Some(e))),
            }
        }
        match wbio.flush() {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(OpError::WantWrite),
            // Not every BIO implements flush; a failed flush of a socket is harmless.
            Err(_) => Ok(()),
        }
    }

    /// Reads what the BIO has and processes the records.
    fn read_records(self: &Arc<Self>, st: &mut State) -> OpResult<()> {
        let read_ahead = self.settings().read_ahead;
        let State {
            tls, rbio, framing, ..
        } = st;
        let (Some(tls), Some(rbio)) = (tls.as_mut(), rbio.as_ref()) else {
            return Err(Error::Internal("read_records before start".into()).into());
        };
        match tls.read_tls(&mut RecordReader {
            bio: rbio,
            framing,
            read_ahead,
        }) {
            Ok(0) => st.eof = true,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(OpError::WantRead),
            Err(e) => return Err(OpError::Syscall(Some(e))),
        }
        let tls = st.tls.as_mut().expect("checked above");
        let result = hooks::enter(self, || tls.process_new_packets());
        self.collect_sessions(st);
        match result {
            Ok(io_state) => {
                if io_state.peer_has_closed() && !st.received_close {
                    st.received_close = true;
                    *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
                    st.events.push(Event::Info(info::READ_ALERT, 0x100));
                }
                Ok(())
            }
            Err(e) => {
                let _ = self.flush(st);
                st.fatal = true;
                match &e {
                    rustls::Error::AlertReceived(a) => {
                        // OpenSSL marks any fatal alert received as a received shutdown.
                        *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
                        let desc = c_int::from(u8::from(*a));
                        st.events.push(Event::Info(info::READ_ALERT, 0x200 | desc));
                    }
                    rustls::Error::InvalidCertificate(ce) => {
                        let desc =
                            c_int::from(u8::from(rustls::AlertDescription::from(ce.clone())));
                        st.events.push(Event::Info(info::WRITE_ALERT, 0x200 | desc));
                    }
                    _ => {}
                }
                Err(self.tls_error(e).into())
            }
        }
    }

    fn tls_error(&self, e: rustls::Error) -> Error {
        if let rustls::Error::InvalidCertificate(_) = e {
            let code = lock(&self.verify).result;
            if code != ffi::X509_V_OK {
                return Error::CertVerify {
                    code,
                    text: libcrypto::verify_error_string(code),
                };
            }
        }
        Error::Tls(e)
    }

    fn handshake_complete(&self, st: &mut State) {
        st.done = true;
        let is_server = st.role == Some(Role::Server);
        let tls = st.tls.as_ref().expect("handshake done");
        let version = match tls.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => context::TLS1_3_VERSION,
            _ => context::TLS1_2_VERSION,
        };
        let cipher = tls
            .negotiated_cipher_suite()
            .and_then(|s| Cipher::by_suite(s.suite()));
        let mut peer_chain = std::mem::take(&mut lock(&self.verify).peer_chain);
        if peer_chain.is_empty() && tls.handshake_kind() == Some(HandshakeKind::Resumed) {
            // Resumed: the chain is the one the offered session recorded (as OpenSSL takes it
            // from the session), so there is nothing to parse again.
            peer_chain = lock(&self.session)
                .current
                .as_ref()
                .map(|s| s.data().peer_chain.clone())
                .unwrap_or_default();
        }
        if peer_chain.is_empty() {
            peer_chain = tls
                .peer_certificates()
                .unwrap_or_default()
                .iter()
                .filter_map(|c| X509Cert::from_der_quietly(c))
                .collect();
        }
        let hs = HandshakeInfo {
            version,
            cipher,
            group: tls
                .negotiated_key_exchange_group()
                .map(|g| g.name())
                .or_else(|| {
                    lock(&self.session)
                        .current
                        .as_ref()
                        .and_then(|s| s.data().group)
                }),
            alpn: tls.alpn_protocol().map(<[u8]>::to_vec),
            // A client sees the server's leaf first; a server sees only the client's chain.
            peer_stack: CertStack::new(if is_server {
                peer_chain.get(1..).unwrap_or_default()
            } else {
                &peer_chain
            }),
            peer_chain,
            resumed: tls.handshake_kind() == Some(HandshakeKind::Resumed),
        };
        let resumed = hs.resumed;
        *self.handshake.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(hs));
        let pending = !lock(&self.session).fresh.is_empty();
        if !resumed && !pending {
            // A full handshake that has not (yet) produced a resumable session still has one.
            let s = Session::new(self.session_data(None));
            let mut slot = lock(&self.session);
            let old = slot.current.replace(s);
            slot.offered = false;
            drop(slot);
            if let Some(old) = old {
                registry::release(&*old);
            }
        }
        self.collect_sessions(st);
        st.events.push(Event::Info(info::HANDSHAKE_DONE, 1));
        let side = if is_server {
            info::ACCEPT
        } else {
            info::CONNECT
        };
        st.events.push(Event::Info(side | info::EXIT, 1));
    }

    fn session_data(&self, resumable: Option<Ticket>) -> SessionData {
        let hs = read(&self.handshake).clone();
        let ctx = self.ctx();
        let timeout = *ctx
            .session_timeout
            .read()
            .unwrap_or_else(|e| e.into_inner());
        SessionData {
            resumable,
            version: hs.as_ref().map_or(0, |h| h.version),
            cipher: hs.as_ref().and_then(|h| h.cipher),
            time: session::now(),
            timeout,
            peer: hs.as_ref().and_then(|h| h.peer_chain.first().cloned()),
            peer_chain: hs
                .as_ref()
                .map(|h| h.peer_chain.clone())
                .unwrap_or_default(),
            hostname: read(&self.sni).clone(),
            alpn: hs.as_ref().and_then(|h| h.alpn.clone()).unwrap_or_default(),
            id: Vec::new(),
            id_context: Vec::new(),
            kx_hint: lock(&self.session).kx_hint,
            group: hs.as_ref().and_then(|h| h.group),
            server_value: Vec::new(),
        }
    }

    /// Turns the resumption values rustls produced into `SSL_SESSION`s (once the handshake is
    /// complete, so that they carry what it established).
    fn collect_sessions(&self, st: &mut State) {
        if !st.done {
            return;
        }
        let fresh = std::mem::take(&mut lock(&self.session).fresh);
        if fresh.is_empty() {
            return; // the common case: a record that brought no ticket
        }
        // A resumed TLS 1.2 session stays the session it was (OpenSSL makes no new one and
        // calls no new-session callback).
        let hs = self.handshake_info();
        if hs.is_some_and(|h| h.resumed && h.version == context::TLS1_2_VERSION) {
            return;
        }
        for r in fresh {
            let refill = lock(&self.session).offered_ticket.take();
            let ticket = match refill {
                Some(t) if !t.is_live() && matches!(r, Resumable::Tls13(_)) => {
                    t.refill(r);
                    t
                }
                _ => Ticket::new(r),
            };
            let s = Session::new(self.session_data(Some(ticket)));
            let mut slot = lock(&self.session);
            let old = slot.current.replace(s.clone());
            slot.offered = false;
            drop(slot);
            if let Some(old) = old {
                registry::release(&*old);
            }
            registry::up_ref(&*s);
            st.events.push(Event::NewSession(s));
        }
    }

    fn read_plain(self: &Arc<Self>, st: &mut State, buf: &mut [u8], peek: bool) -> OpResult<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let tls = st.tls.as_mut().expect("handshake done");
            let mut reader = tls.reader();
            let got = if peek {
                reader.fill_buf().map(|b| {
                    let n = b.len().min(buf.len());
                    buf[..n].copy_from_slice(&b[..n]);
                    n
                })
            } else {
                reader.read(buf)
            };
            match got {
                Ok(0) => {
                    st.received_close = true;
                    *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
                    return Err(OpError::ZeroReturn);
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.flush(st)?;
                    self.read_records(st)?;
                    if self.record_without_data(st) {
                        return Err(OpError::WantRead);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    if self.settings().options & context::OP_IGNORE_UNEXPECTED_EOF != 0 {
                        *lock(&self.shutdown) |= RECEIVED_SHUTDOWN;
                        return Err(OpError::ZeroReturn);
                    }
                    return Err(Error::UnexpectedEof.into());
                }
                Err(e) => return Err(OpError::Syscall(Some(e))),
            }
        }
    }

    /// As OpenSSL without `SSL_MODE_AUTO_RETRY` (which `openssl s_client` clears): a whole
    /// record that brought no application data (a session ticket, a KeyUpdate) ends `SSL_read`
    /// with `SSL_ERROR_WANT_READ` instead of reading on. (Record boundaries are known only when
    /// reading record by record, without read-ahead.)
    fn record_without_data(&self, st: &mut State) -> bool {
        let s = self.settings();
        if s.mode & context::MODE_AUTO_RETRY != 0 || s.read_ahead || st.eof {
            return false;
        }
        drop(s);
        let at_boundary = st.framing.header_have == 0 && st.framing.body_left == 0;
        at_boundary
            && st.tls.as_mut().is_some_and(|tls| {
                matches!(tls.reader().fill_buf(), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            })
    }

    fn write_plain(&self, st: &mut State, buf: &[u8]) -> OpResult<usize> {
        if st.sent_close || *lock(&self.shutdown) & SENT_SHUTDOWN != 0 {
            return Err(Error::Misuse {
                reason: reason::PROTOCOL_IS_SHUTDOWN,
                detail: "SSL_write after SSL_shutdown".into(),
            }
            .into());
        }
        let mut done = st.write_progress.min(buf.len());
        loop {
            if let Err(e) = self.flush(st) {
                st.write_progress = done;
                return Err(e);
            }
            if done >= buf.len() {
                st.write_progress = 0;
                return Ok(buf.len());
            }
            let end = buf.len().min(done + WRITE_CHUNK);
            let tls = st.tls.as_mut().expect("handshake done");
            match tls.writer().write(&buf[done..end]) {
                Ok(n) => done += n,
                Err(e) => return Err(OpError::Syscall(Some(e))),
            }
        }
    }

    fn do_shutdown(self: &Arc<Self>, st: &mut State) -> OpResult<bool> {
        if self.settings().quiet_shutdown {
            *lock(&self.shutdown) |= SENT_SHUTDOWN | RECEIVED_SHUTDOWN;
            return Ok(true);
        }
        if !st.done || st.fatal {
            return Err(Error::Misuse {
                reason: reason::SHUTDOWN_WHILE_IN_INIT,
                detail: "no established connection to shut down".into(),
            }
            .into());
        }
        let flags = *lock(&self.shutdown);
        if !st.sent_close {
            st.sent_close = true;
            if flags & SENT_SHUTDOWN == 0 {
                st.tls.as_mut().expect("done").send_close_notify();
                st.events.push(Event::Info(info::WRITE_ALERT, 0x100));
            }
            *lock(&self.shutdown) |= SENT_SHUTDOWN;
            self.flush(st)?;
            return Ok(st.received_close);
        }
        self.flush(st)?;
        while !st.received_close {
            if st.eof {
                return Err(OpError::Syscall(None));
            }
            self.read_records(st)?;
            // Application data that arrives now is discarded, as OpenSSL does.
            let tls = st.tls.as_mut().expect("done");
            let mut sink = [0u8; 4096];
            while matches!(tls.reader().read(&mut sink), Ok(n) if n > 0) {}
        }
        Ok(true)
    }

    // ---- shutdown flags, handshake facts ----------------------------------------------------

    pub fn shutdown_flags(&self) -> c_int {
        *lock(&self.shutdown)
    }

    pub fn set_shutdown_flags(&self, flags: c_int) {
        *lock(&self.shutdown) = flags & (SENT_SHUTDOWN | RECEIVED_SHUTDOWN);
    }

    pub fn handshake_info(&self) -> Option<Arc<HandshakeInfo>> {
        read(&self.handshake).clone()
    }

    pub fn verify_result(&self) -> c_long {
        lock(&self.verify).result
    }

    pub fn set_verify_result(&self, v: c_long) {
        lock(&self.verify).result = v;
    }

    pub fn with_verify<R>(&self, f: impl FnOnce(&VerifyState) -> R) -> R {
        f(&lock(&self.verify))
    }

    // ---- sessions ----------------------------------------------------------------------------

    /// `SSL_get_session`.
    pub fn session(&self) -> Option<Arc<Session>> {
        lock(&self.session).current.clone()
    }

    /// `SSL_set_session`: offers `s` for resumption on the next handshake.
    pub fn set_session(&self, s: Option<Arc<Session>>) {
        if let Some(s) = &s {
            registry::up_ref(&**s);
        }
        let mut slot = lock(&self.session);
        slot.offered = s.is_some();
        slot.kx_hint = s.as_ref().and_then(|s| s.data().kx_hint);
        slot.offered_ticket = s.as_ref().and_then(|s| s.data().resumable.clone());
        if let Some(old) = std::mem::replace(&mut slot.current, s) {
            drop(slot);
            registry::release(&*old);
        }
    }

    fn offered(&self) -> Option<Ticket> {
        let slot = lock(&self.session);
        if !slot.offered {
            return None;
        }
        let s = slot.current.as_ref()?;
        if !s.is_resumable() {
            return None;
        }
        let t = s.data().resumable.clone();
        t
    }

    pub(super) fn session_offer_tls13(&self) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.offered()?.take_tls13()
    }

    pub(super) fn session_offer_tls12(&self) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.offered()?.tls12()
    }

    pub(super) fn session_kx_hint(&self) -> Option<NamedGroup> {
        lock(&self.session).kx_hint
    }

    pub(super) fn session_kx_hint_seen(&self, g: NamedGroup) {
        lock(&self.session).kx_hint = Some(g);
    }

    pub(super) fn session_established(&self, r: Resumable) {
        lock(&self.session).fresh.push(r);
    }

    // ---- verification, client certificate, key log (called by rustls via `hooks`) ----------

    pub(super) fn verify_peer(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        purpose: &CStr,
    ) -> Result<(), rustls::Error> {
        use rustls::CertificateError as CE;
        let leaf = X509Cert::from_der_quietly(end_entity)
            .ok_or(rustls::Error::InvalidCertificate(CE::BadEncoding))?;
        let inter: Vec<X509Cert> = intermediates
            .iter()
            .filter_map(|c| X509Cert::from_der_quietly(c))
            .collect();
        let (mode, callback) = {
            let s = self.settings();
            (s.verify_mode, s.verify_cb)
        };
        let store = self.ctx().store();
        let verdict = libcrypto::verify_chain(&libcrypto::VerifyRequest {
            store: &store,
            leaf: &leaf,
            intermediates: &inter,
            param: &self.param,
            purpose,
            callback,
            app_verify: self.ctx().callbacks().cert_verify,
            app_data: self.id(),
            app_index: libcrypto::store_ctx_ssl_index(),
        });
        let mut v = lock(&self.verify);
        v.result = verdict.error;
        v.verified = if verdict.ok {
            CertStack::new(&verdict.chain)
        } else {
            None
        };
        v.peer_chain = std::iter::once(leaf).chain(inter).collect();
        if verdict.ok || mode & context::VERIFY_PEER == 0 {
            return Ok(());
        }
        Err(rustls::Error::InvalidCertificate(match verdict.error {
            2 | 3 | 18 | 19 | 20 | 21 | 27 | 28 => CE::UnknownIssuer,
            10 => CE::Expired,
            9 => CE::NotValidYet,
            23 => CE::Revoked,
            62 | 64 => CE::NotValidForName,
            7 | 8 => CE::BadSignature,
            _ => CE::ApplicationVerificationFailure,
        }))
    }

    pub(super) fn server_certificate(
        &self,
        schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let ck = self.settings().credentials.for_schemes(schemes)?;
        match lock(&self.ocsp).clone() {
            Some(ocsp) => Some(Arc::new(CertifiedKey {
                ocsp: Some(ocsp),
                ..(*ck).clone()
            })),
            None => Some(ck),
        }
    }

    pub(super) fn client_certificate(&self) -> Option<Arc<CertifiedKey>> {
        if let Some(ck) = self.settings().credentials.certified() {
            return Some(ck);
        }
        let cb = self.ctx().callbacks().client_cert.clone()?;
        match (cb.call)(self.id()) {
            ClientCertAnswer::Use(x, k) => certified_key(&x, &[], &k).ok().map(Arc::new),
            ClientCertAnswer::NoCertificate => None,
        }
    }

    /// `SSL_clear`: ready for a new handshake on the same object. Settings, BIOs, the role
    /// and the session are kept (the session is offered again), everything the last
    /// connection established is dropped.
    pub fn clear(&self) -> Result<(), Error> {
        let mut st = self.state("SSL_clear")?;
        let State {
            role, rbio, wbio, ..
        } = std::mem::take(&mut *st);
        *st = State {
            role,
            rbio,
            wbio,
            ..State::default()
        };
        drop(st);
        *self.handshake.write().unwrap_or_else(|e| e.into_inner()) = None;
        *lock(&self.verify) = VerifyState::default();
        *lock(&self.shutdown) = 0;
        *lock(&self.peer_key) = None;
        *lock(&self.ocsp) = None;
        let mut slot = lock(&self.session);
        slot.offered = slot.current.as_ref().is_some_and(|s| s.is_resumable());
        slot.offered_ticket = slot
            .current
            .as_ref()
            .and_then(|s| s.data().resumable.clone());
        slot.fresh.clear();
        Ok(())
    }

    /// `SSL_export_keying_material` (RFC 5705 / RFC 8446 exporters), after the handshake.
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        let st = self.state("SSL_export_keying_material")?;
        match st.tls.as_ref() {
            Some(tls) if st.done => tls
                .export_keying_material(out, label, context)
                .map(|_| ())
                .map_err(Error::Tls),
            _ => Err(Error::Misuse {
                reason: reason::UNINITIALIZED,
                detail: "no completed handshake".into(),
            }),
        }
    }

    /// `SSL_key_update`: queues a TLS 1.3 KeyUpdate, written by the next `SSL_write`, `SSL_read`
    /// or `SSL_do_handshake`. (rustls's KeyUpdate always asks the peer to update too.)
    pub fn key_update(&self) -> Result<(), Error> {
        let mut st = self.state("SSL_key_update")?;
        let done = st.done;
        match st.tls.as_mut() {
            Some(tls) if done => tls.refresh_traffic_keys().map_err(Error::Tls),
            _ => Err(Error::Misuse {
                reason: reason::STILL_IN_INIT,
                detail: "the handshake is not complete".into(),
            }),
        }
    }

    pub(super) fn peer_key_seen(&self, group: NamedGroup, key: &[u8]) {
        *lock(&self.peer_key) = Some((group, key.to_vec()));
    }

    /// The group and public key the peer used in the key exchange.
    pub fn peer_key(&self) -> Option<(NamedGroup, Vec<u8>)> {
        lock(&self.peer_key).clone()
    }

    /// A new server session from rustls: into the internal cache and to the program's
    /// new-session callback, as the cache mode says.
    pub(super) fn server_session_put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let ctx = self.ctx();
        let mode = ctx.session_cache_mode();
        if mode & context::SESS_CACHE_SERVER == 0 {
            return false;
        }
        let mut stored = false;
        if mode & context::SESS_CACHE_NO_INTERNAL_STORE == 0 {
            stored = ctx.internal_sessions().put(key.clone(), value.clone());
        }
        let cb = ctx.callbacks().new_session.clone();
        if let Some(cb) = cb {
            let mut data = self.session_data(None);
            data.id = key;
            data.server_value = value;
            data.id_context = ctx
                .session_id_context
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let s = Session::new(data);
            if !(cb.call)(self.id(), s.refs().id()) {
                registry::release(&*s);
            }
            stored = true;
        }
        stored
    }

    /// A server session to resume, from the internal cache or the program's get callback;
    /// `take` removes it (a TLS 1.3 ticket is used once).
    pub(super) fn server_session_get(&self, key: &[u8], take: bool) -> Option<Vec<u8>> {
        let ctx = self.ctx();
        let mode = ctx.session_cache_mode();
        if mode & context::SESS_CACHE_SERVER == 0 {
            return None;
        }
        if mode & context::SESS_CACHE_NO_INTERNAL_LOOKUP == 0 {
            let internal = ctx.internal_sessions();
            let found = if take {
                internal.take(key)
            } else {
                internal.get(key)
            };
            if found.is_some() {
                return found;
            }
        }
        let cb = ctx.callbacks().get_session.clone()?;
        let (s, owned) = (cb.call)(self.id(), key)?;
        let value = {
            let d = s.data();
            (!d.server_value.is_empty() && d.id == key).then(|| d.server_value.clone())
        };
        if take && value.is_some() {
            if let Some(rm) = ctx.callbacks().remove_session.clone() {
                (rm.call)(ctx.refs().id(), s.refs().id());
            }
        }
        if owned {
            registry::release(&*s);
        }
        value
    }

    pub(super) fn wants_key_log(&self) -> bool {
        self.ctx().callbacks().keylog.is_some()
    }

    pub(super) fn key_log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Some(cb) = self.ctx().callbacks().keylog.clone() else {
            return;
        };
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let line = format!("{label} {} {}", hex(client_random), hex(secret));
        if let Ok(line) = CString::new(line) {
            (cb.call)(self.id(), &line);
        }
    }
}

/// `SSL_get_version`'s names.
pub fn version_name(v: c_int) -> &'static CStr {
    match v {
        context::TLS1_3_VERSION => c"TLSv1.3",
        context::TLS1_2_VERSION => c"TLSv1.2",
        context::TLS1_1_VERSION => c"TLSv1.1",
        context::TLS1_VERSION => c"TLSv1",
        _ => c"unknown",
    }
}
