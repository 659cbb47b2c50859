//! The protocol engine and its slot: the phase a connection is in, and how an operation takes
//! the engine out (waiting for another thread, refusing re-entry from this one) and returns it.

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use rustls::server::Acceptor;

use super::framing::Framing;
use super::{lock, Connection, Event};
use crate::core::error::Error;
use crate::libcrypto::Bio;

/// Where the protocol machine is. Each variant holds what that phase needs.
pub(super) enum Phase {
    /// Nothing started (`SSL_new`, `SSL_clear`).
    Idle,
    /// A server reading the ClientHello, before it picks its configuration.
    Accepting(Box<Acceptor>),
    Handshaking(Box<rustls::Connection>),
    Established(Box<rustls::Connection>),
    /// close_notify sent and received.
    Closed(Box<rustls::Connection>),
    /// A fatal error; the connection is kept while an alert may still be waiting to go out.
    Failed(Option<Box<rustls::Connection>>),
}

impl Phase {
    pub(super) fn tls(&mut self) -> Option<&mut rustls::Connection> {
        match self {
            Phase::Handshaking(t) | Phase::Established(t) | Phase::Closed(t) => Some(t),
            Phase::Failed(t) => t.as_deref_mut(),
            Phase::Idle | Phase::Accepting(_) => None,
        }
    }
}

/// The protocol machine: taken out of its slot by the operation that drives it.
pub(super) struct Engine {
    pub(super) phase: Phase,
    pub(super) framing: Framing,
    /// Bytes of the current `SSL_write` buffer already handed to rustls.
    pub(super) write_progress: usize,
    pub(super) events: Vec<Event>,
    /// This operation's BIOs (references taken from `Wire` when it started).
    pub(super) rbio: Option<Bio>,
    pub(super) wbio: Option<Bio>,
    /// The raw records of the ClientHello, while a server reads it.
    pub(super) hello_bytes: Vec<u8>,
    /// Records taken from rustls that have not reached the write BIO yet: a TLS 1.3 client's
    /// middlebox ChangeCipherSpec, held back until its next flight, or what a short write left.
    pub(super) unsent: Vec<u8>,
}

impl Engine {
    /// Decrypted application data waiting to be read (`SSL_pending`).
    pub(super) fn plaintext_len(&mut self) -> usize {
        self.phase.tls().map_or(0, |t| {
            std::io::BufRead::fill_buf(&mut t.reader()).map_or(0, |b| b.len())
        })
    }

    pub(super) fn new() -> Box<Engine> {
        Box::new(Engine {
            phase: Phase::Idle,
            framing: Framing::default(),
            write_progress: 0,
            events: Vec::new(),
            rbio: None,
            wbio: None,
            hello_bytes: Vec::new(),
            unsent: Vec::new(),
        })
    }
}

thread_local! {
    /// The connections whose engine this thread has taken out (innermost last). Reached with
    /// `try_with`: a program may call in from an `atexit` handler, after the main thread's
    /// thread-locals are destroyed (socat shuts its connection down then); the re-entry check
    /// is skipped there.
    static DRIVING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// The engine, out of its slot; returned (and waiting threads woken) when dropped, also on a
/// panic.
pub(super) struct Taken<'a> {
    conn: &'a Connection,
    engine: Option<Box<Engine>>,
}

impl std::ops::Deref for Taken<'_> {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        self.engine.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for Taken<'_> {
    fn deref_mut(&mut self) -> &mut Engine {
        self.engine.as_mut().expect("present until dropped")
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        let mut waiters = 0;
        if let Some(mut e) = self.engine.take() {
            e.rbio = None;
            e.wbio = None;
            let mut slot = lock(&self.conn.engine);
            *slot = Some(e);
            // Read under the slot's lock, which a waiter holds when it counts itself in.
            waiters = self.conn.engine_waiters.load(Ordering::Relaxed);
        }
        let _ = DRIVING.try_with(|d| {
            let mut d = d.borrow_mut();
            if let Some(i) = d.iter().rposition(|&id| id == self.conn.id()) {
                d.remove(i);
            }
        });
        // Waking nobody would still cost a futex system call per operation.
        if waiters > 0 {
            self.conn.engine_back.notify_all();
        }
    }
}

impl Connection {
    /// Takes the engine out of its slot, waiting while another thread drives it; a callback
    /// re-entering an operation on the connection its own thread drives gets an error.
    pub(super) fn take(&self, what: &'static str) -> Result<Taken<'_>, Error> {
        let id = self.id();
        if DRIVING
            .try_with(|d| d.borrow().contains(&id))
            .unwrap_or(false)
        {
            return Err(Error::Reentrant(what));
        }
        let mut slot = lock(&self.engine);
        let engine = loop {
            if let Some(e) = slot.take() {
                break e;
            }
            self.engine_waiters.fetch_add(1, Ordering::Relaxed);
            slot = self
                .engine_back
                .wait(slot)
                .unwrap_or_else(|e| e.into_inner());
            self.engine_waiters.fetch_sub(1, Ordering::Relaxed);
        };
        drop(slot);
        let _ = DRIVING.try_with(|d| d.borrow_mut().push(id));
        Ok(Taken {
            conn: self,
            engine: Some(engine),
        })
    }

    /// Runs `f` on the engine for a getter: `None` when called from a callback of an operation
    /// on this connection (the engine is busy on this very thread).
    pub(super) fn peek_engine<R>(&self, f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
        let mut e = self.take("getter").ok()?;
        Some(f(&mut e))
    }
}
