//! A server context's internal session cache (`SSL_SESS_CACHE_SERVER`): what rustls stores
//! after a full handshake (keyed by session ID or TLS 1.3 ticket name), and sessions the
//! program adds with `SSL_CTX_add_session`.
//!
//! As OpenSSL's, each entry has a start time and a timeout, `SSL_CTX_flush_sessions` removes
//! those expired at a given time (reporting each to the remove-session callback), and a full
//! cache drops its oldest entry to make room.

use std::collections::HashMap;
use std::ffi::c_long;
use std::sync::{Arc, Mutex};

use super::session::{self, Session, SessionData};

struct Entry {
    /// What rustls resumes from (empty for a session added without one).
    value: Vec<u8>,
    time: c_long,
    /// `None`: the context's timeout (an entry rustls put there).
    timeout: Option<c_long>,
    /// The `SSL_SESSION` added by `SSL_CTX_add_session` (the cache holds a reference).
    session: Option<Arc<Session>>,
    /// Insertion order, for dropping the oldest when full.
    seq: u64,
}

impl Entry {
    fn expiry(&self, default_timeout: c_long) -> c_long {
        self.time
            .saturating_add(self.timeout.unwrap_or(default_timeout))
    }

    fn expired_at(&self, t: c_long, default_timeout: c_long) -> bool {
        t > self.expiry(default_timeout)
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Vec<u8>, Entry>,
    seq: u64,
}

/// What left the cache: the `SSL_SESSION` it held (with a reference for the caller), or the
/// facts to make one from.
pub enum Removed {
    Session(Arc<Session>),
    Value(Box<SessionData>),
}

pub struct SessionCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl SessionCache {
    pub fn new(capacity: usize) -> Arc<SessionCache> {
        Arc::new(SessionCache {
            inner: Mutex::new(Inner::default()),
            capacity,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, key: Vec<u8>, mut entry: Entry) -> Vec<Removed> {
        let mut inner = self.lock();
        inner.seq += 1;
        entry.seq = inner.seq;
        let mut evicted = Vec::new();
        if !inner.entries.contains_key(&key) {
            while inner.entries.len() >= self.capacity.max(1) {
                let Some(oldest) = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.seq)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                if let Some(e) = inner.entries.remove(&oldest) {
                    evicted.push(removed(oldest, e));
                }
            }
        }
        if let Some(old) = inner.entries.insert(key.clone(), entry) {
            evicted.push(removed(key, old));
        }
        evicted
    }

    /// A new session from rustls.
    pub fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let entry = Entry {
            value,
            time: session::now(),
            timeout: None,
            session: None,
            seq: 0,
        };
        // What a full cache drops is gone (OpenSSL reports eviction to nobody either).
        drop(self.insert(key, entry));
        true
    }

    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.lock()
            .entries
            .get(key)
            .filter(|e| !e.value.is_empty())
            .map(|e| e.value.clone())
    }

    /// The key exchange group recorded by the session of an entry (`SSL_get0_group_name` on a
    /// server resuming it in TLS 1.2).
    pub fn group(&self, key: &[u8]) -> Option<rustls::NamedGroup> {
        let session = self.lock().entries.get(key)?.session.clone()?;
        let group = session.data().group;
        group
    }

    /// Removes an entry; its resumption value if it had one.
    pub fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.remove(key)
            .map(|r| match r {
                Removed::Session(s) => {
                    let v = s.data().server_value.clone();
                    super::registry::release(&*s);
                    v
                }
                Removed::Value(d) => d.server_value,
            })
            .filter(|v| !v.is_empty())
    }

    /// Removes an entry, handing back what it held.
    pub fn remove(&self, key: &[u8]) -> Option<Removed> {
        let e = self.lock().entries.remove(key)?;
        Some(removed(key.to_vec(), e))
    }

    /// `SSL_CTX_add_session`: caches `s` (taking a reference) under its session ID. `false`
    /// when this very session is there already. What it replaces or pushes out is returned,
    /// with the references the cache held.
    pub fn add(&self, s: &Arc<Session>) -> (bool, Vec<Removed>) {
        let (key, entry) = {
            let d = s.data();
            (
                d.id.clone(),
                Entry {
                    value: d.server_value.clone(),
                    time: d.time,
                    timeout: Some(d.timeout),
                    session: Some(s.clone()),
                    seq: 0,
                },
            )
        };
        let already = self
            .lock()
            .entries
            .get(&key)
            .and_then(|e| e.session.as_ref())
            .is_some_and(|held| Arc::ptr_eq(held, s));
        if already {
            return (false, Vec::new());
        }
        super::registry::up_ref(&**s);
        (true, self.insert(key, entry))
    }

    /// `SSL_CTX_flush_sessions`: removes every entry expired at `t` (all of them when `t` is 0),
    /// the earliest to expire first.
    pub fn flush(&self, t: c_long, default_timeout: c_long) -> Vec<Removed> {
        let mut inner = self.lock();
        let mut gone: Vec<(Vec<u8>, (c_long, u64))> = inner
            .entries
            .iter()
            .filter(|(_, e)| t == 0 || e.expired_at(t, default_timeout))
            .map(|(k, e)| (k.clone(), (e.expiry(default_timeout), e.seq)))
            .collect();
        gone.sort_by_key(|(_, order)| *order);
        gone.into_iter()
            .filter_map(|(k, _)| inner.entries.remove(&k).map(|e| removed(k, e)))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for SessionCache {
    /// A context freed while connections held it goes without `SSL_CTX_free`'s flush: the
    /// references the cache held on added sessions are dropped here.
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        for (_, e) in inner.entries.drain() {
            if let Some(s) = e.session {
                super::registry::release(&*s);
            }
        }
    }
}

fn removed(key: Vec<u8>, e: Entry) -> Removed {
    match e.session {
        Some(s) => Removed::Session(s),
        None => Removed::Value(Box::new(SessionData {
            id: key,
            server_value: e.value,
            master_key: Vec::new(),
            time: e.time,
            timeout: e.timeout.unwrap_or(0),
            ..SessionData::default()
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flush_removes_only_expired_entries_oldest_first() {
        let c = SessionCache::new(10);
        c.put(b"a".to_vec(), b"va".to_vec());
        let now = session::now();
        assert_eq!(c.get(b"a").as_deref(), Some(&b"va"[..]));
        assert!(c.flush(now + 10, 100).is_empty());
        let gone = c.flush(now + 200, 100);
        assert_eq!(gone.len(), 1);
        assert!(c.is_empty());
        c.put(b"b".to_vec(), b"vb".to_vec());
        c.put(b"c".to_vec(), b"vc".to_vec());
        let ids: Vec<Vec<u8>> = c
            .flush(0, 100)
            .into_iter()
            .map(|r| match r {
                Removed::Value(d) => d.id,
                Removed::Session(_) => unreachable!(),
            })
            .collect();
        assert_eq!(ids, [b"b".to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn full_cache_drops_oldest() {
        let c = SessionCache::new(2);
        for k in [b"1", b"2", b"3"] {
            c.put(k.to_vec(), k.to_vec());
        }
        assert_eq!(c.len(), 2);
        assert!(c.get(b"1").is_none());
        assert!(c.get(b"3").is_some());
        assert_eq!(c.take(b"3").as_deref(), Some(&b"3"[..]));
        assert!(c.get(b"3").is_none());
    }
}

/// The session statistics of a context (`SSL_CTX_sess_connect` ... `SSL_CTX_sess_cache_full`),
/// in the order of their `SSL_CTRL_SESS_*` commands (21 to 31).
#[derive(Default)]
pub struct SessStats([std::sync::atomic::AtomicI64; 11]);

/// One of [`SessStats`]'s counters.
#[derive(Clone, Copy)]
pub enum Stat {
    Connect = 0,
    ConnectGood = 1,
    Accept = 3,
    AcceptGood = 4,
    Hit = 6,
}

impl SessStats {
    pub fn add(&self, stat: Stat, delta: i64) {
        self.0[stat as usize].fetch_add(delta, std::sync::atomic::Ordering::Relaxed);
    }

    /// The counter at `index` (0 for `SSL_CTRL_SESS_CONNECT`), 0 past the end.
    pub fn get(&self, index: usize) -> i64 {
        self.0
            .get(index)
            .map_or(0, |c| c.load(std::sync::atomic::Ordering::Relaxed))
    }
}
