//! `SSL_SESSION`: what a finished handshake leaves behind to resume from.
//!
//! A client session holds the rustls resumption value (a TLS 1.3 ticket or TLS 1.2 session)
//! plus the facts OpenSSL reports about it. rustls keeps the secrets of a resumption value
//! private, so `i2d_SSL_SESSION` cannot write them out: its DER carries the public fields and a
//! random token naming the value, which `d2i_SSL_SESSION` finds again in this process (a
//! session restored in another process parses, reports itself not resumable, and leads to a
//! full handshake).

use std::collections::VecDeque;
use std::ffi::{c_int, c_long, CString};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::NamedGroup;

use super::cipher::Cipher;
use super::peer_certs::PeerCerts;
use super::registry::{Object, Refs, Table};
use crate::libcrypto::{ffi, ExData, X509Cert};

#[derive(Debug)]
pub enum Resumable {
    Tls12(Tls12ClientSessionValue),
    Tls13(Tls13ClientSessionValue),
}

/// A resumption value, shared by the sessions that carry it (a session and its copies made by
/// `d2i_SSL_SESSION`). A TLS 1.3 ticket is used once, as RFC 8446 recommends (and rustls's
/// value cannot be copied); a TLS 1.2 session can be resumed repeatedly.
#[derive(Clone, Debug)]
pub struct Ticket(Arc<Mutex<Option<Resumable>>>);

impl Ticket {
    pub fn new(r: Resumable) -> Ticket {
        Ticket(Arc::new(Mutex::new(Some(r))))
    }
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Resumable>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Puts a fresh value into an emptied slot (every session sharing it can resume again).
    pub fn refill(&self, r: Resumable) {
        *self.slot() = Some(r);
    }
    pub fn is_live(&self) -> bool {
        self.slot().is_some()
    }
    /// Takes a TLS 1.3 ticket for one resumption attempt.
    pub fn take_tls13(&self) -> Option<Tls13ClientSessionValue> {
        let mut slot = self.slot();
        match slot.take() {
            Some(Resumable::Tls13(v)) => Some(v),
            other => {
                *slot = other;
                None
            }
        }
    }
    pub fn tls12(&self) -> Option<Tls12ClientSessionValue> {
        match &*self.slot() {
            Some(Resumable::Tls12(v)) => Some(v.clone()),
            _ => None,
        }
    }
}

#[derive(Clone, Default)]
pub struct SessionData {
    pub resumable: Option<Ticket>,
    /// `TLS1_2_VERSION` or `TLS1_3_VERSION`, 0 before a handshake.
    pub version: c_int,
    pub cipher: Option<&'static Cipher>,
    pub time: c_long,
    pub timeout: c_long,
    /// The peer's certificate (first of the chain).
    pub peer: Option<Arc<PeerCerts>>,
    /// The peer's whole chain (kept in memory, not written by `i2d_SSL_SESSION`), so that a
    /// resumed connection reports it without parsing it again.
    pub peer_chain: Option<Arc<PeerCerts>>,
    pub hostname: Option<CString>,
    pub alpn: Vec<u8>,
    pub id: Vec<u8>,
    pub id_context: Vec<u8>,
    pub kx_hint: Option<NamedGroup>,
    /// The key exchange group of the handshake that made it (a resumed TLS 1.2 handshake has
    /// none of its own and reports this one, as OpenSSL).
    pub group: Option<NamedGroup>,
    /// A server session: rustls's encoding of what resuming needs (no secrets leave rustls in
    /// any other form). Written out by `i2d_SSL_SESSION`, so an external cache works across
    /// processes.
    pub server_value: Vec<u8>,
    /// The TLS 1.2 master secret, where ferrossl saw it (rustls's key log); empty otherwise
    /// (`SSL_SESSION_get_master_key`). Kept in memory only.
    pub master_key: Vec<u8>,
    /// `SSL_SESSION_set1_ticket_appdata`: kept with the session in memory (a server resuming
    /// from its cache sees it again; rustls's tickets do not carry it).
    pub ticket_appdata: Vec<u8>,
    /// Set by `SSL_CTX_remove_session` (and so when a connection that finished its handshake
    /// is freed or cleared without sending close_notify), as OpenSSL's `not_resumable`: the
    /// session is not offered again. Not written by `i2d_SSL_SESSION`, as in OpenSSL.
    pub not_resumable: bool,
    /// The peer's raw public key (RFC 7250), in memory only (`SSL_SESSION_get0_peer_rpk`).
    pub peer_rpk: Option<crate::libcrypto::PKey>,
}

pub struct Session {
    refs: Refs,
    pub ex_data: ExData,
    pub data: RwLock<SessionData>,
}

impl Object for Session {
    const KIND: &'static str = "SSL_SESSION";
    const TAG: usize = 2;
    fn refs(&self) -> &Refs {
        &self.refs
    }
    fn table() -> &'static Table<Self> {
        static T: OnceLock<Table<Session>> = OnceLock::new();
        T.get_or_init(Table::new)
    }
}

pub fn now() -> c_long {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as c_long)
}

impl Session {
    pub fn new(data: SessionData) -> Arc<Session> {
        Session::table().insert_with(|refs| Session {
            ex_data: ExData::new(ffi::CRYPTO_EX_INDEX_SSL_SESSION, refs.id()),
            refs,
            data: RwLock::new(data),
        })
    }

    pub fn data(&self) -> std::sync::RwLockReadGuard<'_, SessionData> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn update(&self, f: impl FnOnce(&mut SessionData)) {
        f(&mut self.data.write().unwrap_or_else(|e| e.into_inner()));
    }

    /// `SSL_SESSION_is_resumable`: holds a ticket or session that has not expired.
    pub fn is_resumable(&self) -> bool {
        let d = self.data();
        !d.not_resumable
            && d.resumable.as_ref().is_some_and(Ticket::is_live)
            && (d.timeout <= 0 || now() < d.time.saturating_add(d.timeout))
    }

    /// `i2d_SSL_SESSION`.
    pub fn to_der(&self) -> Vec<u8> {
        let d = self.data();
        let token = d
            .resumable
            .as_ref()
            .map(|r| remember(r.clone()))
            .unwrap_or_default();
        let mut body = Vec::new();
        der_int(&mut body, 1);
        der_int(&mut body, i64::from(d.version));
        der_octets(
            &mut body,
            &d.cipher.map_or(0, |c| c.protocol_id()).to_be_bytes(),
        );
        der_octets(&mut body, &d.id);
        der_octets(&mut body, &token);
        #[allow(clippy::useless_conversion)] // c_long is i32 on some targets
        {
            der_int(&mut body, i64::from(d.time));
            der_int(&mut body, i64::from(d.timeout));
        }
        der_octets(
            &mut body,
            d.hostname.as_ref().map_or(&[][..], |h| h.as_bytes()),
        );
        der_octets(&mut body, &d.alpn);
        der_octets(&mut body, &d.id_context);
        der_octets(&mut body, &d.server_value);
        der_octets(
            &mut body,
            d.peer
                .as_ref()
                .and_then(|p| p.der().first())
                .map_or(&[][..], |c| c.as_ref()),
        );
        let mut out = vec![0x30];
        der_len(&mut out, body.len());
        out.extend(body);
        out
    }

    /// `d2i_SSL_SESSION`: `None` when `der` is not a session this library wrote.
    pub fn from_der(der: &[u8]) -> Option<(SessionData, usize)> {
        let mut outer = Der(der);
        let (tag, body) = outer.next()?;
        if tag != 0x30 {
            return None;
        }
        let used = der.len() - outer.0.len();
        let mut r = Der(body);
        if r.int()? != 1 {
            return None;
        }
        let version = c_int::try_from(r.int()?).ok()?;
        let cipher_id = r.octets()?;
        let id = r.octets()?.to_vec();
        let token = r.octets()?;
        let time = c_long::try_from(r.int()?).ok()?;
        let timeout = c_long::try_from(r.int()?).ok()?;
        let hostname = r.octets()?;
        let alpn = r.octets()?.to_vec();
        let id_context = r.octets()?.to_vec();
        let server_value = r.octets()?.to_vec();
        let peer = r.octets()?;
        let cipher = match cipher_id {
            [a, b] => super::cipher::CIPHERS
                .iter()
                .find(|c| c.protocol_id() == u16::from_be_bytes([*a, *b])),
            _ => None,
        };
        Some((
            SessionData {
                resumable: recall(token),
                version,
                cipher,
                time,
                timeout,
                peer_chain: None,
                peer: (!peer.is_empty())
                    .then(|| X509Cert::from_der_quietly(peer))
                    .flatten()
                    .map(|c| PeerCerts::from_x509(vec![c])),
                hostname: (!hostname.is_empty())
                    .then(|| CString::new(hostname).ok())
                    .flatten(),
                alpn,
                id,
                id_context,
                kx_hint: None,
                group: None,
                server_value,
                master_key: Vec::new(),
                ticket_appdata: Vec::new(),
                not_resumable: false,
                peer_rpk: None,
            },
            used,
        ))
    }
}

/// Resumption values written out by `i2d_SSL_SESSION`, by token, newest last.
const REMEMBERED: usize = 4096;

type Tokens = Mutex<VecDeque<([u8; 16], Ticket)>>;

fn tokens() -> &'static Tokens {
    static T: OnceLock<Tokens> = OnceLock::new();
    T.get_or_init(|| Mutex::new(VecDeque::new()))
}

fn remember(r: Ticket) -> Vec<u8> {
    let mut token = [0u8; 16];
    if crate::core::kx::base_provider()
        .secure_random
        .fill(&mut token)
        .is_err()
    {
        return Vec::new();
    }
    let mut t = tokens().lock().unwrap_or_else(|e| e.into_inner());
    if t.len() >= REMEMBERED {
        t.pop_front();
    }
    t.push_back((token, r));
    token.to_vec()
}

fn recall(token: &[u8]) -> Option<Ticket> {
    let t = tokens().lock().unwrap_or_else(|e| e.into_inner());
    t.iter()
        .find(|(k, _)| k[..] == *token)
        .map(|(_, r)| r.clone())
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn der_int(out: &mut Vec<u8>, v: i64) {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7
        && ((bytes[start] == 0 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xff && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    out.push(0x02);
    der_len(out, 8 - start);
    out.extend_from_slice(&bytes[start..]);
}

fn der_octets(out: &mut Vec<u8>, v: &[u8]) {
    out.push(0x04);
    der_len(out, v.len());
    out.extend_from_slice(v);
}

/// A minimal DER reader for the fields above.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.0.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |a, b| (a << 8) | usize::from(*b));
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return None;
        }
        let (body, rest) = rest.split_at(len);
        self.0 = rest;
        Some((tag, body))
    }

    fn int(&mut self) -> Option<i64> {
        match self.next()? {
            (0x02, b) if !b.is_empty() && b.len() <= 8 => {
                let init = if b[0] & 0x80 != 0 { -1i64 } else { 0 };
                Some(b.iter().fold(init, |a, x| (a << 8) | i64::from(*x)))
            }
            _ => None,
        }
    }

    fn octets(&mut self) -> Option<&'a [u8]> {
        match self.next()? {
            (0x04, b) => Some(b),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_round_trip_and_garbage() {
        let s = Session::new(SessionData {
            version: 0x304,
            time: 1_700_000_000,
            timeout: 7200,
            id: vec![1, 2, 3],
            hostname: Some(CString::new("example.com").unwrap()),
            ..Default::default()
        });
        let der = s.to_der();
        let (d, used) = Session::from_der(&der).unwrap();
        assert_eq!(used, der.len());
        assert_eq!(
            (d.version, d.time, d.timeout, d.id),
            (0x304, 1_700_000_000, 7200, vec![1, 2, 3])
        );
        assert!(d.resumable.is_none());
        for cut in 0..der.len() {
            assert!(Session::from_der(&der[..cut]).is_none());
        }
        assert!(Session::from_der(b"\x30\x84\xff\xff\xff\xff").is_none());
    }
}
