//! The peer's certificate check at webpki's cost, with OpenSSL's answers.
//!
//! webpki verifies the chain against the trust store's certificates (made into trust anchors
//! once per store contents, `Roots`), and a path is taken only if libcrypto would accept it
//! too: the checks libcrypto makes and webpki does not (key usage, key identifiers, the trust
//! anchor's validity, purpose and key size, self-signed anchors, depth, security level) run on
//! the path. Whenever the answer could differ, `verify` answers `None` and the caller runs
//! `X509_verify_cert`: a verify callback or a replaced verification, callbacks on the store,
//! verify flags other than partial chains, e-mail checks, `X509_CHECK_FLAG_NO_WILDCARDS`, a
//! purpose or trust the program set, security level 3 and above, and any webpki failure (so
//! every error code comes from libcrypto).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};

use super::cert_der::{self, Extensions};
use crate::libcrypto::{AnchorCert, ParamSettings, Store, StoreKey, X509Cert};

/// `X509_V_FLAG_*` under which libcrypto accepts what webpki accepts: `CB_ISSUER_CHECK` (a
/// no-op), `TRUSTED_FIRST` (the default order) and `PARTIAL_CHAIN` (any trusted certificate
/// may end the chain; handled below).
const FLAG_CB_ISSUER_CHECK: u64 = 0x1;
const FLAG_TRUSTED_FIRST: u64 = 0x8000;
const FLAG_PARTIAL_CHAIN: u64 = 0x80000;
/// `X509_CHECK_FLAG_NO_WILDCARDS`.
const HOST_NO_WILDCARDS: u32 = 0x2;
/// libcrypto's default maximum depth (`X509_VERIFY_PARAM` default).
const DEFAULT_DEPTH: i64 = 100;

/// Set once a program sets a purpose or trust, or copies in a whole parameter set: libcrypto
/// has no getter for them (3.0), so from then on every chain goes to `X509_verify_cert`.
static PARAMS_OPAQUE: AtomicBool = AtomicBool::new(false);

/// `SSL_CTX_set_purpose` & co. were called.
pub fn params_opaque() {
    PARAMS_OPAQUE.store(true, Ordering::Relaxed);
}

/// A store's certificates as webpki trust anchors, for one store contents.
pub struct Roots {
    key: StoreKey,
    anchors: Vec<TrustAnchor<'static>>,
    /// Parallel to `anchors`.
    meta: Vec<Anchor>,
}

struct Anchor {
    cert: AnchorCert,
    ext: Extensions,
}

impl Roots {
    fn build(store: &Store, key: StoreKey) -> Roots {
        let mut anchors = Vec::new();
        let mut meta = Vec::new();
        for cert in store.anchors() {
            let der = CertificateDer::from(cert.der.as_slice());
            let (Ok(anchor), Some(ext)) = (
                webpki::anchor_from_trusted_cert(&der),
                cert_der::extensions(&cert.der),
            ) else {
                continue;
            };
            anchors.push(anchor.to_owned());
            meta.push(Anchor { cert, ext });
        }
        Roots { key, anchors, meta }
    }
}

/// The roots of `store` as it is now: `cache`'s when the store has not changed since they
/// were made, else new ones (kept in `cache`).
pub fn roots(cache: &Mutex<Option<Arc<Roots>>>, store: &Store) -> Arc<Roots> {
    let key = store.key();
    if let Some(r) = cache.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        if r.key == key {
            return r.clone();
        }
    }
    let fresh = Arc::new(Roots::build(store, key));
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(fresh.clone());
    fresh
}

/// Everything the decision depends on besides the chain.
pub struct Request<'a> {
    pub store: &'a Store,
    pub roots: &'a Roots,
    /// The connection's `X509_VERIFY_PARAM` settings.
    pub param: ParamSettings,
    /// `SSL_get_security_level`.
    pub security_level: i32,
    /// Verifying a server (`ssl_server` purpose), or a client.
    pub server: bool,
}

/// A chain the fast path accepted, as libcrypto would have.
pub struct Accepted {
    /// Positions in the peer's chain (0: the leaf) of the verified path, in order.
    pub positions: Vec<usize>,
    pub anchor: X509Cert,
    /// The host name that matched (libcrypto then records the certificate's name for it:
    /// `SSL_get0_peername`), with the host flags to match it again.
    pub host: Option<(Vec<u8>, u32)>,
}

/// Minimum security bits of keys at a security level (`SSL_CTX_set_security_level`).
fn level_bits(level: i32) -> i32 {
    match level {
        i32::MIN..=0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    }
}

/// webpki's verdict where it equals libcrypto's, else `None` (run `X509_verify_cert`). The
/// caller has checked that no verify callback and no replacement of the verification is set.
pub fn verify(
    req: &Request<'_>,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
) -> Option<Accepted> {
    if PARAMS_OPAQUE.load(Ordering::Relaxed) || req.store.has_callbacks() {
        return None;
    }
    let store = req.store.param_settings();
    let p = &req.param;
    #[allow(clippy::unnecessary_cast)] // c_ulong is u32 on some targets
    let flags = (p.flags | store.flags) as u64;
    if flags & !(FLAG_CB_ISSUER_CHECK | FLAG_TRUSTED_FIRST | FLAG_PARTIAL_CHAIN) != 0 {
        return None;
    }
    // As libssl: the auth level is the security level unless the parameters set their own.
    let level = if p.auth_level >= 0 {
        p.auth_level
    } else {
        req.security_level
    };
    if level > 2 {
        // webpki's weakest key (RSA-2048, 112 bits) meets level 2 only.
        return None;
    }
    // The connection's parameters override the store's where they set a value.
    let depth = [p.depth, store.depth]
        .into_iter()
        .find(|d| *d >= 0)
        .map_or(DEFAULT_DEPTH, i64::from);
    let hostflags = p.hostflags | store.hostflags;
    let hosts = if p.hosts.is_empty() {
        &store.hosts
    } else {
        &p.hosts
    };
    let ip = p.ip.as_ref().or(store.ip.as_ref());
    if p.email || store.email || (hostflags & HOST_NO_WILDCARDS != 0 && !hosts.is_empty()) {
        return None;
    }
    let leaf_ext = cert_der::extensions(end_entity)?;
    let leaf_usage = if req.server {
        cert_der::KU_DIGITAL_SIGNATURE | cert_der::KU_KEY_ENCIPHERMENT | cert_der::KU_KEY_AGREEMENT
    } else {
        cert_der::KU_DIGITAL_SIGNATURE | cert_der::KU_KEY_AGREEMENT
    };
    if leaf_ext.netscape_type || !leaf_ext.allows(leaf_usage) || !cert_der::strong_key(end_entity) {
        return None;
    }
    let inter_ext: Vec<Option<Extensions>> = intermediates
        .iter()
        .map(|c| cert_der::extensions(c))
        .collect();
    let now = UnixTime::now();
    let now_secs = now.as_secs() as i64;
    let roots = req.roots;
    let partial = flags & FLAG_PARTIAL_CHAIN != 0;
    let min_bits = level_bits(level);

    let ee = webpki::EndEntityCert::try_from(end_entity).ok()?;
    // The position in `intermediates` of a certificate webpki put on the path.
    let position = |der: &[u8]| {
        intermediates
            .iter()
            .position(|c| std::ptr::eq(c.as_ref().as_ptr(), der.as_ptr()))
    };
    let anchor_of = |a: &TrustAnchor<'_>| roots.anchors.iter().position(|x| std::ptr::eq(x, a));
    let libcrypto_agrees = |path: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let refuse = Err(webpki::Error::UnknownIssuer);
        let mut child = &leaf_ext;
        let mut count = 0i64;
        for cert in path.intermediate_certificates() {
            let Some(ext) = position(cert.der().as_ref()).and_then(|i| inter_ext[i].as_ref())
            else {
                return refuse;
            };
            if ext.netscape_type
                || !ext.allows(cert_der::KU_KEY_CERT_SIGN)
                || !cert_der::issued_by(child, ext)
            {
                return refuse;
            }
            child = ext;
            count += 1;
        }
        let Some(a) = anchor_of(path.anchor()).map(|i| &roots.meta[i]) else {
            return refuse;
        };
        let c = &a.cert;
        let purpose_ok = if req.server {
            c.ca_for_server
        } else {
            c.ca_for_client
        };
        // Leaf, `count` intermediates and the anchor: within the depth (one certificate short
        // of libcrypto's limit, so that the edge is libcrypto's to decide).
        if c.aux_trust
            || !purpose_ok
            || !(partial || c.self_signed)
            || c.not_before > now_secs
            || c.not_after < now_secs
            || c.key_bits < min_bits
            || !cert_der::issued_by(child, &a.ext)
            || count + 2 > depth + 1
        {
            return refuse;
        }
        Ok(())
    };
    let usage = if req.server {
        webpki::KeyUsage::server_auth()
    } else {
        webpki::KeyUsage::client_auth()
    };
    let path = ee
        .verify_for_usage(
            super::hooks::algorithms().all,
            &roots.anchors,
            intermediates,
            now,
            usage,
            None,
            Some(&libcrypto_agrees),
        )
        .ok()?;

    // Names, as libcrypto's check_id: every kind that is set must match.
    let mut matched = None;
    if !hosts.is_empty() {
        let host = hosts.iter().find(|h| {
            // Plain names only: libcrypto gives a trailing or leading dot, a wildcard or any
            // other character its own meaning.
            let plain = |l: &[u8]| {
                !l.is_empty() && l.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            };
            if !h.split(|b| *b == b'.').all(plain) {
                return false;
            }
            let Ok(name) = std::str::from_utf8(h) else {
                return false;
            };
            match ServerName::try_from(name) {
                Ok(n @ ServerName::DnsName(_)) => ee.verify_is_valid_for_subject_name(&n).is_ok(),
                _ => false,
            }
        })?;
        matched = Some((host.clone(), hostflags));
    }
    if let Some(ip) = ip {
        let addr: std::net::IpAddr = ip.parse().ok()?;
        ee.verify_is_valid_for_subject_name(&ServerName::from(addr))
            .ok()?;
    }
    let mut positions = vec![0];
    for cert in path.intermediate_certificates() {
        positions.push(position(cert.der().as_ref())? + 1);
    }
    let anchor = anchor_of(path.anchor())?;
    Some(Accepted {
        positions,
        anchor: roots.meta[anchor].cert.cert.clone(),
        host: matched,
    })
}
