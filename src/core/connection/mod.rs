//! `SSL`: one TLS connection, its BIOs, and OpenSSL's calling conventions for driving it
//! (`SSL_connect`, `SSL_read`, `SSL_write`, `SSL_shutdown`, `SSL_get_error`).
//!
//! # Phases, and who holds what
//!
//! The protocol machine is an [`Engine`]: a [`Phase`] (`Idle` → `Accepting` → `Handshaking` →
//! `Established` → `Closed`, or `Failed`) with the record framing and the callbacks it queued.
//! An operation *takes* the engine out of its slot, drives it with no ferrossl lock held, and
//! puts it back; everything rustls calls back into (verification, certificate selection,
//! sessions, key log) and every program callback therefore runs with no lock of this
//! connection held, and may call any function, from any thread. What a callback may read — role
//! and BIOs ([`Wire`]), the status `SSL_get_error`/`SSL_in_init` report ([`Status`]), the
//! server name, the verify result, the session, ex_data, settings — lives outside the engine,
//! each behind its own short-lived lock.
//!
//! A second thread that wants the engine while it is out waits for it (OpenSSL leaves such use
//! undefined; ferrossl serialises it). The thread driving the engine that re-enters an
//! operation on the same `SSL` from a callback is recognised per thread and gets a clean error.
//!
//! Lock order (outer first; no lock is held while C code runs, none across a callback):
//! `engine` slot (only to take or return the engine) → `wire` → `status`; `ctx`, `settings`,
//! `sni`, `verify`, `session`, `handshake`, `shutdown`, `peer_key`, `ocsp`, `client_hello` are
//! leaves: each is taken alone, for a copy or an update, and released before anything else.

mod engine;
mod framing;
mod handshake;
mod own;
mod peer;
mod records;
mod sessions;
mod state;
mod wire;

use std::ffi::{c_int, c_long, CStr, CString};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard};

use rustls::NamedGroup;

use super::callbacks::{Hook, InfoFn, StatusFn};
use super::client_hello::ClientHello;
use super::context::{self, Context, Role, Settings};
use super::error::{reason, Error};
use super::registry::{self, Object, Refs, Table};
use crate::libcrypto::{ffi, Bio, ExData, VerifyParam};
use engine::{Engine, Phase};
use sessions::SessionSlot;
use state::{Event, OpResult, Randoms, Status, Wire};
pub use state::{HandshakeInfo, OpError, VerifyState};

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

pub struct Connection {
    refs: Refs,
    pub ex_data: ExData,
    ctx: RwLock<Arc<Context>>,
    /// The context the connection was made from: its session cache and session callbacks stay
    /// in use after `SSL_set_SSL_CTX` (OpenSSL's `session_ctx`).
    session_ctx: Arc<Context>,
    settings: RwLock<Settings>,
    /// `SSL_get0_param`.
    pub param: VerifyParam,
    info_cb: RwLock<Option<Hook<InfoFn>>>,
    sni: RwLock<Option<CString>>,
    /// The engine's slot: `None` while an operation drives it.
    engine: Mutex<Option<Box<Engine>>>,
    engine_back: Condvar,
    /// Threads waiting on `engine_back` (changed and read under the engine slot's lock).
    engine_waiters: AtomicUsize,
    /// The ServerHello's random is known or no longer looked for (`wants_server_random`
    /// answers false without its lock until `SSL_clear`).
    random_watch_over: AtomicBool,
    /// rustls has handed over sessions `collect_sessions` has not taken yet.
    fresh_pending: AtomicBool,
    wire: Mutex<Wire>,
    status: Mutex<Status>,
    verify: Mutex<VerifyState>,
    session: Mutex<SessionSlot>,
    handshake: RwLock<Option<Arc<HandshakeInfo>>>,
    /// Shutdown flags as `SSL_get_shutdown` reports them (also set by `SSL_set_shutdown`).
    shutdown: Mutex<c_int>,
    /// The peer's ephemeral key share (`SSL_get_peer_tmp_key`).
    peer_key: Mutex<Option<(NamedGroup, Vec<u8>)>>,
    /// The signature scheme of the peer's handshake signature (`SSL_get_peer_signature_nid`).
    peer_sigalg: Mutex<Option<rustls::SignatureScheme>>,
    /// The signature scheme of this side's handshake signature (`SSL_get0_signature_name`).
    own_sigalg: Mutex<Option<rustls::SignatureScheme>>,
    /// The OCSP response a server staples (`SSL_set_tlsext_status_ocsp_resp`).
    ocsp: Mutex<Option<Vec<u8>>>,
    /// The ClientHello a server received (`SSL_client_hello_get0_*`, shared ciphers).
    client_hello: Mutex<Option<Arc<ClientHello>>>,
    /// The handshake's randoms, as far as known.
    randoms: Mutex<Randoms>,
    /// The OCSP response `SSL_get_tlsext_status_ocsp_resp` last handed out.
    ocsp_out: Mutex<Option<Vec<u8>>>,
    /// The stack `SSL_get_ciphers` last handed out (valid until the next call).
    pub cipher_stack: Mutex<Option<crate::libcrypto::StaticStack>>,
    /// `SSL_set_ssl_method` and `SSL_set_cert_cb` (own.rs): `None` follows the context.
    own_method: RwLock<Option<context::Method>>,
    own_cert_cb: RwLock<Option<Option<Hook<StatusFn>>>>,
    /// The CA names of the server's CertificateRequest (a client's `SSL_get_client_CA_list`).
    peer_ca: Mutex<Option<Arc<crate::libcrypto::NameStack>>>,
}

impl Object for Connection {
    const KIND: &'static str = "SSL";
    const TAG: usize = 1;
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
        registry::release(&*self.session_ctx);
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

impl Connection {
    /// `SSL_new`: a connection with a copy of `ctx`'s settings; holds a reference to `ctx`.
    pub fn new(ctx: Arc<Context>) -> Result<Arc<Connection>, Error> {
        let param = VerifyParam::new().ok_or_else(|| Error::Internal("out of memory".into()))?;
        param.set_from(&ctx.param);
        let settings = ctx.settings().clone();
        let role = match ctx.method().role {
            Role::Any => None,
            r => Some(r),
        };
        registry::up_ref(&*ctx);
        registry::up_ref(&*ctx);
        Ok(Connection::table().insert_with(|refs| Connection {
            ex_data: ExData::new(ffi::CRYPTO_EX_INDEX_SSL, refs.id()),
            refs,
            session_ctx: ctx.clone(),
            ctx: RwLock::new(ctx),
            settings: RwLock::new(settings),
            param,
            info_cb: RwLock::new(None),
            sni: RwLock::new(None),
            engine: Mutex::new(Some(Engine::new())),
            engine_back: Condvar::new(),
            engine_waiters: AtomicUsize::new(0),
            random_watch_over: AtomicBool::new(false),
            fresh_pending: AtomicBool::new(false),
            wire: Mutex::new(Wire {
                role,
                ..Wire::default()
            }),
            status: Mutex::new(Status::default()),
            verify: Mutex::new(VerifyState::default()),
            session: Mutex::new(SessionSlot::default()),
            handshake: RwLock::new(None),
            shutdown: Mutex::new(0),
            peer_key: Mutex::new(None),
            peer_sigalg: Mutex::new(None),
            own_sigalg: Mutex::new(None),
            ocsp: Mutex::new(None),
            client_hello: Mutex::new(None),
            ocsp_out: Mutex::new(None),
            randoms: Mutex::new(Randoms::default()),
            cipher_stack: Mutex::new(None),
            own_method: RwLock::new(None),
            own_cert_cb: RwLock::new(None),
            peer_ca: Mutex::new(None),
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

    fn status(&self) -> Status {
        *lock(&self.status)
    }

    fn set_status(&self, f: impl FnOnce(&mut Status)) {
        f(&mut lock(&self.status));
    }

    // ---- BIOs and roles ------------------------------------------------------------------

    /// `SSL_set_bio`/`set0_rbio`/`set0_wbio`: `None` leaves that side as it is.
    pub fn set_bios(
        &self,
        rbio: Option<Option<Bio>>,
        wbio: Option<Option<Bio>>,
    ) -> Result<(), Error> {
        let (old_r, old_w) = {
            let mut w = lock(&self.wire);
            let old_r = rbio.map(|r| std::mem::replace(&mut w.rbio, r));
            let old_w = wbio.map(|b| std::mem::replace(&mut w.wbio, b));
            (old_r, old_w)
        };
        // BIO_free may run the program's BIO destroy callback: after the lock is released.
        drop((old_r, old_w));
        Ok(())
    }

    pub fn rbio(&self) -> Option<Bio> {
        lock(&self.wire).rbio.clone()
    }

    pub fn wbio(&self) -> Option<Bio> {
        lock(&self.wire).wbio.clone()
    }

    /// The raw BIO pointers, without taking references (`SSL_get_rbio`/`SSL_get_wbio`).
    pub fn bio_ptrs(&self) -> (*mut ffi::BIO, *mut ffi::BIO) {
        let w = lock(&self.wire);
        (
            w.rbio.as_ref().map_or(std::ptr::null_mut(), Bio::as_ptr),
            w.wbio.as_ref().map_or(std::ptr::null_mut(), Bio::as_ptr),
        )
    }

    /// `SSL_set_connect_state`/`SSL_set_accept_state`: the role, and a fresh handshake.
    pub fn set_role(&self, role: Role) -> Result<(), Error> {
        let mut e = self.take("SSL_set_connect_state")?;
        {
            let mut w = lock(&self.wire);
            w.role = Some(role);
            w.state_set = true;
        }
        e.phase = Phase::Idle;
        self.set_status(|s| {
            s.started = false;
            s.done = false;
        });
        Ok(())
    }

    pub fn role(&self) -> Option<Role> {
        lock(&self.wire).role
    }

    /// Whether `SSL_set_connect_state`/`SSL_set_accept_state` (or `SSL_connect`/`SSL_accept`)
    /// fixed the role.
    pub fn state_set(&self) -> bool {
        lock(&self.wire).state_set
    }

    /// `SSL_is_server`: 1 unless this is a client, as OpenSSL (whose `TLS_method` connections
    /// count as servers until told otherwise).
    pub fn is_server(&self) -> bool {
        self.role() != Some(Role::Client)
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
        self.status().last
    }

    /// Runs one operation: takes the engine, records the outcome for `SSL_get_error`, returns
    /// the engine, then runs the callbacks it queued.
    fn op<T>(
        self: &Arc<Self>,
        what: &'static str,
        f: impl FnOnce(&Arc<Self>, &mut Engine) -> OpResult<T>,
    ) -> OpResult<T> {
        let (result, events) = {
            let mut e = self.take(what)?;
            {
                let w = lock(&self.wire);
                e.rbio = w.rbio.clone();
                e.wbio = w.wbio.clone();
            }
            // As OpenSSL: after a fatal error, reads, writes and handshakes fail with
            // SSL_ERROR_SYSCALL and nothing new on the error queue.
            let r = if !self.state_set() && what != "SSL_do_handshake" {
                Err(OpError::Fatal(Error::Misuse {
                    reason: reason::UNINITIALIZED,
                    detail: "call SSL_set_connect_state or SSL_set_accept_state first".into(),
                }))
            } else if self.status().fatal && what != "SSL_shutdown" {
                // The fatal alert the BIO could not take when the connection failed goes now
                // (OpenSSL's pending alert dispatch).
                let _ = self.flush(&mut e);
                Err(OpError::Syscall(None))
            } else {
                f(self, &mut e)
            };
            // As OpenSSL, a call refused for how it was made (before a role was set, a shutdown
            // during the handshake, a write after close_notify) queues its error and leaves the
            // connection as it was; any other error ends it.
            let fatal = match &r {
                Err(OpError::Fatal(Error::Misuse { reason: why, .. })) => !matches!(
                    *why,
                    reason::UNINITIALIZED
                        | reason::CONNECTION_TYPE_NOT_SET
                        | reason::SHUTDOWN_WHILE_IN_INIT
                        | reason::PROTOCOL_IS_SHUTDOWN
                ),
                Err(OpError::Fatal(_)) => true,
                _ => false,
            };
            if fatal {
                let old = std::mem::replace(&mut e.phase, Phase::Idle);
                e.phase = match old {
                    Phase::Handshaking(t) | Phase::Established(t) | Phase::Closed(t) => {
                        Phase::Failed(Some(t))
                    }
                    Phase::Failed(t) => Phase::Failed(t),
                    Phase::Idle | Phase::Accepting(_) => Phase::Failed(None),
                };
            }
            self.set_status(|s| {
                s.last = match &r {
                    Ok(_) => code::NONE,
                    Err(e) => e.code(),
                };
                if fatal {
                    s.fatal = true;
                }
            });
            (r, std::mem::take(&mut e.events))
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
                Event::NewSession(s) => self.new_session_event(s),
            }
        }
    }

    /// `SSL_do_handshake`/`SSL_connect`.
    pub fn handshake(self: &Arc<Self>) -> OpResult<()> {
        self.op("SSL_do_handshake", |me, e| {
            me.drive_handshake(e)?;
            // As OpenSSL: a KeyUpdate queued by SSL_key_update goes out now.
            me.flush(e)
        })
    }

    /// `SSL_key_update`: queues a TLS 1.3 KeyUpdate, written by the next `SSL_write`, `SSL_read`
    /// or `SSL_do_handshake`. (rustls's KeyUpdate always asks the peer to update too.)
    pub fn key_update(&self) -> Result<(), Error> {
        let done = self.status().done;
        let mut e = self.take("SSL_key_update")?;
        match e.phase.tls() {
            Some(tls) if done => tls.refresh_traffic_keys().map_err(Error::Tls),
            _ => Err(Error::Misuse {
                reason: reason::STILL_IN_INIT,
                detail: "the handshake is not complete".into(),
            }),
        }
    }

    /// `SSL_read`/`SSL_peek`. After a close_notify was received (or `SSL_set_shutdown` said so)
    /// a read returns 0 with `SSL_ERROR_ZERO_RETURN`, as OpenSSL.
    pub fn read(self: &Arc<Self>, buf: &mut [u8], peek: bool) -> OpResult<usize> {
        self.op("SSL_read", |me, e| {
            if me.shutdown_flags() & RECEIVED_SHUTDOWN != 0 {
                return Err(OpError::ZeroReturn);
            }
            me.drive_handshake(e)?;
            me.read_plain(e, buf, peek)
        })
    }

    /// `SSL_write`.
    pub fn write(self: &Arc<Self>, buf: &[u8]) -> OpResult<usize> {
        self.op("SSL_write", |me, e| {
            me.drive_handshake(e)?;
            me.write_plain(e, buf)
        })
    }

    /// `SSL_shutdown`: `Ok(true)` once both close_notify alerts have been exchanged.
    pub fn shutdown(self: &Arc<Self>) -> OpResult<bool> {
        self.op("SSL_shutdown", |me, e| me.do_shutdown(e))
    }

    /// `SSL_pending`: decrypted bytes ready to be read.
    pub fn pending(&self) -> usize {
        self.peek_engine(Engine::plaintext_len).unwrap_or(0)
    }

    /// `SSL_has_pending`: decrypted bytes, or received bytes not yet decrypted.
    pub fn has_pending(&self) -> bool {
        self.peek_engine(|e| e.plaintext_len() > 0).unwrap_or(false)
    }

    /// The handshake has completed (`SSL_get_state` is `TLS_ST_OK` from then on).
    pub fn is_init_finished(&self) -> bool {
        self.status().done
    }

    /// OpenSSL's `ossl_statem_in_error`: a fatal error ended the connection.
    pub fn in_error(&self) -> bool {
        self.status().fatal
    }

    /// `SSL_in_init`: before the handshake has completed, and, as OpenSSL's state machine
    /// enters its error state, again after a fatal error.
    pub fn in_init(&self) -> bool {
        let s = self.status();
        !s.done || s.fatal
    }

    pub fn in_before(&self) -> bool {
        let s = self.status();
        !s.started && !s.done
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

    /// A server, once it read the ClientHello: the cipher suite ids the client offered
    /// (`SSL_get_shared_ciphers`).
    pub fn offered_cipher_suites(&self) -> Option<Vec<u16>> {
        self.client_hello().map(|h| h.suites().collect())
    }

    /// The ClientHello this server received, once it has (for the client hello callback and
    /// the `SSL_client_hello_get*` functions).
    pub fn client_hello(&self) -> Option<Arc<ClientHello>> {
        lock(&self.client_hello).clone()
    }

    /// `SSL_clear`: ready for a new handshake on the same object. Settings, BIOs, the role
    /// and the session are kept (the session is offered again), everything the last
    /// connection established is dropped.
    pub fn clear(&self) -> Result<(), Error> {
        // As OpenSSL: a session of a connection that was not shut down properly is dropped.
        if self.bad_session().is_some() {
            self.set_session(None);
        }
        let mut e = self.take("SSL_clear")?;
        *e = *Engine::new();
        drop(e);
        {
            let mut status = lock(&self.status);
            *status = Status {
                rtt: status.rtt,
                ..Status::default()
            };
        }
        *self.handshake.write().unwrap_or_else(|e| e.into_inner()) = None;
        *lock(&self.verify) = VerifyState::default();
        *lock(&self.shutdown) = 0;
        *lock(&self.peer_key) = None;
        *lock(&self.ocsp) = None;
        *lock(&self.client_hello) = None;
        *lock(&self.randoms) = Randoms::default();
        self.random_watch_over.store(false, Ordering::Release);
        self.session_reoffer();
        Ok(())
    }

    /// `SSL_export_keying_material` (RFC 5705 / RFC 8446 exporters), after the handshake.
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        let done = self.status().done;
        let mut e = self.take("SSL_export_keying_material")?;
        match e.phase.tls() {
            Some(tls) if done => tls
                .export_keying_material(out, label, context)
                .map(|_| ())
                .map_err(Error::Tls),
            _ => Err(Error::Misuse {
                reason: reason::UNINITIALIZED,
                detail: "no completed handshake".into(),
            }),
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
