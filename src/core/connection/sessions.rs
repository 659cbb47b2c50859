//! Sessions: the one a connection offers or established (`SSL_get_session`/`SSL_set_session`),
//! the resumption values rustls produces, and the server's cache and session callbacks.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use rustls::NamedGroup;

use super::{lock, read, Connection, Engine, Event, SENT_SHUTDOWN};
use crate::core::context;
use crate::core::peer_certs::PeerCerts;
use crate::core::registry::{self, Object};
use crate::core::session::{self, Resumable, Session, SessionData, Ticket};
use crate::core::session_cache::Removed;

#[derive(Default)]
pub(super) struct SessionSlot {
    /// `SSL_get_session`: holds one C reference.
    pub(super) current: Option<Arc<Session>>,
    /// Whether `current` came from `SSL_set_session` and is offered for resumption.
    offered: bool,
    /// The ticket slot of the session offered, refilled with a fresh TLS 1.3 ticket after it
    /// was used, so that the program can offer the same `SSL_SESSION` again (as OpenSSL allows).
    offered_ticket: Option<Ticket>,
    /// Resumption values rustls produced during the current operation.
    fresh: Vec<Resumable>,
    kx_hint: Option<NamedGroup>,
}

impl Connection {
    /// `SSL_get_session`.
    pub fn session(&self) -> Option<Arc<Session>> {
        lock(&self.session).current.clone()
    }

    /// `SSL_set_session`: offers `s` for resumption on the next handshake.
    pub fn set_session(&self, s: Option<Arc<Session>>) {
        if let Some(s) = &s {
            registry::up_ref(&**s);
        }
        let old = {
            let mut slot = lock(&self.session);
            slot.offered = s.is_some();
            slot.kx_hint = s.as_ref().and_then(|s| s.data().kx_hint);
            slot.offered_ticket = s.as_ref().and_then(|s| s.data().resumable.clone());
            std::mem::replace(&mut slot.current, s)
        };
        if let Some(old) = old {
            registry::release(&*old);
        }
    }

    /// `SSL_clear`: the session kept is offered again.
    pub(super) fn session_reoffer(&self) {
        let mut slot = lock(&self.session);
        slot.offered = slot.current.as_ref().is_some_and(|s| s.is_resumable());
        slot.offered_ticket = slot
            .current
            .as_ref()
            .and_then(|s| s.data().resumable.clone());
        slot.fresh.clear();
    }

    /// Makes `s` the connection's session (no longer an offer), releasing the one it replaces.
    pub(super) fn replace_session(&self, s: Arc<Session>) {
        let old = {
            let mut slot = lock(&self.session);
            slot.offered = false;
            slot.current.replace(s)
        };
        if let Some(old) = old {
            registry::release(&*old);
        }
    }

    pub(super) fn sessions_pending(&self) -> bool {
        !lock(&self.session).fresh.is_empty()
    }

    /// The peer chain recorded by the session offered (for a resumed handshake).
    pub(super) fn offered_peer_chain(&self) -> Option<Arc<PeerCerts>> {
        let s = lock(&self.session).current.clone();
        s.and_then(|s| s.data().peer_chain.clone())
    }

    pub(super) fn offered_group(&self) -> Option<NamedGroup> {
        let s = lock(&self.session).current.clone();
        s.and_then(|s| s.data().group)
    }

    /// The context whose session cache and session callbacks this connection uses (the one it
    /// was made from, also after `SSL_set_SSL_CTX`).
    pub fn session_ctx(&self) -> Arc<context::Context> {
        self.session_ctx.clone()
    }

    /// OpenSSL's `ssl_clear_bad_session`, for `SSL_free` and `SSL_clear`: the session of a
    /// connection that finished its handshake but never sent close_notify, which the caller
    /// then removes from the cache (it is not resumable from then on).
    pub fn bad_session(&self) -> Option<Arc<Session>> {
        if *lock(&self.shutdown) & SENT_SHUTDOWN != 0 || self.in_init() || self.in_before() {
            return None;
        }
        lock(&self.session).current.clone()
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

    pub(in crate::core) fn session_offer_tls13(
        &self,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.offered()?.take_tls13()
    }

    pub(in crate::core) fn session_offer_tls12(
        &self,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.offered()?.tls12()
    }

    pub(in crate::core) fn session_kx_hint(&self) -> Option<NamedGroup> {
        lock(&self.session).kx_hint
    }

    pub(in crate::core) fn session_kx_hint_seen(&self, g: NamedGroup) {
        lock(&self.session).kx_hint = Some(g);
    }

    pub(in crate::core) fn session_established(&self, r: Resumable) {
        lock(&self.session).fresh.push(r);
        self.fresh_pending.store(true, Ordering::Release);
    }

    pub(super) fn session_data(&self, resumable: Option<Ticket>) -> SessionData {
        let hs = read(&self.handshake).clone();
        let ctx = self.ctx();
        let timeout = *ctx
            .session_timeout
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let id = if self.is_server() || resumable.is_none() {
            Vec::new()
        } else {
            fresh_session_id()
        };
        let (version, cipher) = match &hs {
            Some(h) => (h.version, h.cipher),
            None => self.tentative(),
        };
        SessionData {
            resumable,
            version,
            cipher,
            time: session::now(),
            timeout,
            peer: hs
                .as_ref()
                .filter(|h| !h.peer_chain.is_empty())
                .map(|h| h.peer_chain.clone()),
            peer_chain: hs
                .as_ref()
                .filter(|h| !h.peer_chain.is_empty())
                .map(|h| h.peer_chain.clone()),
            // As OpenSSL 3.0: a server records the name the client asked for; a client's
            // session has none.
            hostname: if self.is_server() {
                read(&self.sni).clone()
            } else {
                None
            },
            alpn: hs.as_ref().and_then(|h| h.alpn.clone()).unwrap_or_default(),
            id,
            // As OpenSSL, every new session carries the connection's session ID context.
            id_context: self.sid_ctx(),
            kx_hint: lock(&self.session).kx_hint,
            group: hs.as_ref().and_then(|h| h.group),
            server_value: Vec::new(),
            master_key: lock(&self.randoms).master.clone(),
            ticket_appdata: Vec::new(),
            not_resumable: false,
            peer_rpk: lock(&self.verify).peer_rpk.clone(),
        }
    }

    /// Turns the resumption values rustls produced into `SSL_SESSION`s (once the handshake is
    /// complete, so that they carry what it established).
    pub(super) fn collect_sessions(&self, e: &mut Engine) {
        // The common case, a record that brought no ticket: no lock taken.
        if !self.fresh_pending.load(Ordering::Acquire) || !self.status().done {
            return;
        }
        self.fresh_pending.store(false, Ordering::Release);
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
            self.replace_session(s.clone());
            registry::up_ref(&*s);
            e.events.push(Event::NewSession(s));
        }
    }

    /// A client's new session, after the operation that made it: to the new-session callback.
    pub(super) fn new_session_event(&self, s: Arc<Session>) {
        // The event holds a C reference (taken when it was queued, so that the session stays
        // live while later tickets replace it); the callback keeps it by returning 1.
        let ctx = self.session_ctx.clone();
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

    /// The session ID context: the connection's own (`SSL_set_session_id_context`), else its
    /// context's (which OpenSSL copies into the connection at `SSL_new`).
    fn sid_ctx(&self) -> Vec<u8> {
        let own = self.settings().sid_ctx.clone();
        if !own.is_empty() {
            return own;
        }
        self.session_ctx
            .session_id_context
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A new server session from rustls: into the internal cache and to the program's
    /// new-session callback, as the cache mode says.
    pub(in crate::core) fn server_session_put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let ctx = self.session_ctx.clone();
        let mode = ctx.session_cache_mode();
        if mode & context::SESS_CACHE_SERVER == 0 {
            return false;
        }
        let mut data = self.session_data(None);
        data.id = key;
        data.server_value = value;
        // Made inside the handshake: its group is the one the key exchange started with.
        data.group = data.group.or(lock(&self.randoms).server_group);
        // As OpenSSL, one object: the connection's session, the cache's entry and what the
        // new-session callback gets (so the remove callback later sees the same pointer).
        let s = Session::new(data);
        self.replace_session(s.clone());
        let mut stored = false;
        if mode & context::SESS_CACHE_NO_INTERNAL_STORE == 0 {
            let (added, evicted) = ctx.internal_sessions().add(&s);
            stored = added;
            for r in evicted {
                let gone = match r {
                    Removed::Session(g) => g,
                    Removed::Value(d) => Session::new(*d),
                };
                if let Some(rm) = ctx.callbacks().remove_session.clone() {
                    (rm.call)(ctx.refs().id(), gone.refs().id());
                }
                registry::release(&*gone);
            }
        }
        let cb = ctx.callbacks().new_session.clone();
        if let Some(cb) = cb {
            registry::up_ref(&*s);
            if !(cb.call)(self.id(), s.refs().id()) {
                registry::release(&*s);
            }
            stored = true;
        }
        stored
    }

    /// A server session to resume, from the internal cache or the program's get callback;
    /// `take` removes it from the internal cache (rustls uses a TLS 1.3 session once). As in
    /// OpenSSL, resuming calls no remove-session callback (OpenSSL calls it from
    /// `SSL_CTX_remove_session`, timeouts and flushes, for any session with an id).
    pub(in crate::core) fn server_session_get(&self, key: &[u8], take: bool) -> Option<Vec<u8>> {
        let ctx = self.session_ctx.clone();
        let mode = ctx.session_cache_mode();
        if mode & context::SESS_CACHE_SERVER == 0 {
            return None;
        }
        if mode & context::SESS_CACHE_NO_INTERNAL_LOOKUP == 0 {
            let internal = ctx.internal_sessions();
            let group = internal.group(key);
            let found = if take {
                internal.take(key)
            } else {
                internal.get(key)
            };
            if found.is_some() {
                self.resumed_group(group);
                return found;
            }
        }
        let cb = ctx.callbacks().get_session.clone()?;
        let (s, owned) = (cb.call)(self.id(), key)?;
        let value = {
            let d = s.data();
            (!d.server_value.is_empty() && d.id == key).then(|| d.server_value.clone())
        };
        if value.is_some() {
            self.resumed_group(s.data().group);
        }
        if owned {
            registry::release(&*s);
        }
        value
    }

    /// The client's ticket decrypted (`renew`: the ticket key callback returned 2). As
    /// OpenSSL, a TLS 1.2 server then resumes without a new ticket (no ticket extension in
    /// its ServerHello, no NewSessionTicket) unless asked to renew; TLS 1.3 always sends new
    /// ones. Differs from OpenSSL: a ticket that decrypts but that rustls then declines (another
    /// cipher suite, server name or extended master secret) gets no replacement either.
    pub(in crate::core) fn ticket_decrypted(&self, renew: bool) {
        let mut r = lock(&self.randoms);
        if r.version == context::TLS1_2_VERSION {
            r.ticket_renewal = Some(renew);
        }
    }

    /// Whether this handshake issues a ticket (see `ticket_decrypted`).
    pub(in crate::core) fn issues_ticket(&self) -> bool {
        lock(&self.randoms).ticket_renewal != Some(false)
    }
}

impl Connection {
    /// A server resuming a session: the group of the handshake that made it stands for this
    /// handshake's until a key exchange of its own starts (TLS 1.2 resumes without one).
    fn resumed_group(&self, group: Option<NamedGroup>) {
        if group.is_some() {
            lock(&self.randoms).server_group = group;
        }
    }
}

/// A client session's id. rustls keeps the server's session id (TLS 1.2) and the ticket to
/// itself, so ferrossl names each resumable client session with 32 random bytes, the length
/// OpenSSL's ids have (for TLS 1.3 OpenSSL uses a hash of the ticket): programs that compare
/// sessions by id (Python's `SSLSession.id`) see one id per session.
fn fresh_session_id() -> Vec<u8> {
    let mut id = vec![0u8; 32];
    if crate::core::kx::base_provider()
        .secure_random
        .fill(&mut id)
        .is_err()
    {
        id.clear();
    }
    id
}
