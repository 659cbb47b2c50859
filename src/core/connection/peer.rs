//! What rustls asks of the connection about certificates and keys while it runs (called through
//! `core::hooks`, with no lock of this connection held): verifying the peer with libcrypto,
//! choosing our certificate, the key log, the peer's key share.

use std::ffi::{c_int, CStr, CString};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::sign::CertifiedKey;
use rustls::NamedGroup;

use super::state::PeerName;
use super::{lock, Connection};
use crate::core::callbacks::ClientCertAnswer;
use crate::core::cipher::Cipher;
use crate::core::client_hello;
use crate::core::context;
use crate::core::credentials::certified_key;
use crate::core::fast_verify;
use crate::core::peer_certs::{PeerCerts, VerifiedChain};
use crate::libcrypto;

impl Connection {
    pub(in crate::core) fn verify_peer(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        purpose: &CStr,
    ) -> Result<(), rustls::Error> {
        use rustls::CertificateError as CE;
        let chain = PeerCerts::from_der(
            std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect(),
        );
        let (mode, callback, level) = {
            let s = self.settings();
            (s.verify_mode, s.verify_cb, s.security_level)
        };
        // The chain is visible to the verify callback (SSL_get_peer_certificate inside it).
        lock(&self.verify).peer_chain = Some(chain.clone());
        let ctx = self.ctx();
        let store = ctx.store();
        let app_verify = ctx.callbacks().cert_verify;
        if callback.is_none() && app_verify.is_none() {
            let roots = fast_verify::roots(ctx.roots(), &store);
            let req = fast_verify::Request {
                store: &store,
                roots: &roots,
                param: self.param.settings(),
                security_level: level,
                server: purpose == c"ssl_server",
            };
            if let Some(ok) = fast_verify::verify(&req, end_entity, intermediates) {
                log::debug!("SSL {:#x}: peer chain verified (webpki)", self.id());
                if !self.param.peername().is_null() {
                    self.param.clear_peername();
                }
                let mut v = lock(&self.verify);
                v.result = crate::libcrypto::ffi::X509_V_OK;
                v.verified = Some(VerifiedChain::path(chain, ok.positions, ok.anchor));
                v.peername = ok.host.map(|(host, flags)| PeerName {
                    host,
                    flags,
                    name: Default::default(),
                });
                return Ok(());
            }
        }
        let leaf = chain
            .leaf()
            .cloned()
            .ok_or(rustls::Error::InvalidCertificate(CE::BadEncoding))?;
        let inter = chain.certs().get(1..).unwrap_or_default();
        let verdict = libcrypto::verify_chain(&libcrypto::VerifyRequest {
            store: &store,
            leaf: &leaf,
            intermediates: inter,
            param: &self.param,
            purpose,
            callback,
            app_verify,
            app_data: self.id(),
            app_index: libcrypto::store_ctx_ssl_index(),
            auth_level: level,
        });
        log::debug!(
            "SSL {:#x}: peer chain verified by X509_verify_cert: {}",
            self.id(),
            verdict.error
        );
        {
            let mut v = lock(&self.verify);
            v.result = verdict.error;
            v.peername = None;
            // As libssl: whatever chain libcrypto built, also when verification failed.
            v.verified = (!verdict.chain.is_empty()).then(|| VerifiedChain::built(verdict.chain));
        }
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

    /// `SSL_get0_peername`: the name that matched when the peer was verified (libcrypto's,
    /// or, after the fast path, the certificate's name for the matched host, found now).
    /// Valid until the next verification or `SSL_free`.
    pub fn peername(&self) -> *const std::ffi::c_char {
        let p = self.param.peername();
        if !p.is_null() {
            return p;
        }
        let done = self
            .handshake_info()
            .and_then(|h| h.peer_chain.leaf().cloned());
        let v = lock(&self.verify);
        let Some(pending) = v.peername.as_ref() else {
            return std::ptr::null();
        };
        if let Some(name) = pending.name.get() {
            return name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr());
        }
        // During the handshake (a callback) the chain is still with the verification state.
        let leaf = v
            .peer_chain
            .as_ref()
            .and_then(|c| c.leaf().cloned())
            .or(done);
        let Some(leaf) = leaf else {
            return std::ptr::null();
        };
        pending
            .name
            .get_or_init(|| {
                let name = leaf.matching_host(&pending.host, pending.flags)?;
                CString::new(name).ok()
            })
            .as_ref()
            .map_or(std::ptr::null(), |n| n.as_ptr())
    }

    /// The peer's raw public key arrived: kept, and judged as OpenSSL without DANE TLSA records
    /// (`X509_V_ERR_RPK_UNTRUSTED`, which the verify callback may accept). Whether the
    /// handshake may go on (accepted, or `SSL_VERIFY_PEER` not set).
    pub(in crate::core) fn rpk_peer_seen(&self, key: libcrypto::PKey) -> bool {
        let (mode, callback) = {
            let s = self.settings();
            (s.verify_mode, s.verify_cb)
        };
        // The key is visible to the verify callback (SSL_get0_peer_rpk inside it).
        lock(&self.verify).peer_rpk = Some(key.clone());
        let store = self.ctx().store();
        let verdict = libcrypto::verify_rpk(&libcrypto::RpkRequest {
            store: &store,
            key: &key,
            param: &self.param,
            purpose: if self.is_server() {
                c"ssl_client"
            } else {
                c"ssl_server"
            },
            callback,
            app_verify: self.ctx().callbacks().cert_verify,
            app_data: self.id(),
            app_index: libcrypto::store_ctx_ssl_index(),
        });
        let mut v = lock(&self.verify);
        v.result = verdict.error;
        if self.is_server() {
            v.cert_types.0 = crate::core::rpk::RPK;
        } else {
            v.cert_types.1 = crate::core::rpk::RPK;
        }
        drop(v);
        verdict.ok || mode & context::VERIFY_PEER == 0
    }

    /// Records a negotiated certificate type (`client`: the client's, else the server's).
    pub(in crate::core) fn set_cert_type(&self, client: bool, ty: u8) {
        let mut v = lock(&self.verify);
        if client {
            v.cert_types.0 = ty;
        } else {
            v.cert_types.1 = ty;
        }
    }

    /// The negotiated (client, server) certificate types.
    pub fn cert_types(&self) -> (u8, u8) {
        lock(&self.verify).cert_types
    }

    /// `SSL_get0_peer_rpk`: the peer's raw public key, when it sent one.
    pub fn peer_rpk(&self) -> Option<libcrypto::PKey> {
        lock(&self.verify).peer_rpk.clone()
    }

    /// A client's look at the server's stapled OCSP response: with `SSL_set_tlsext_status_type`
    /// set, the status callback decides (0: the response is not acceptable; < 0: an error).
    pub(in crate::core) fn check_stapled_status(&self, ocsp: &[u8]) -> Result<(), rustls::Error> {
        lock(&self.verify).ocsp = ocsp.to_vec();
        if self.settings().status_type != 1 {
            return Ok(());
        }
        let Some(cb) = self.ctx().callbacks().status.clone() else {
            return Ok(());
        };
        match (cb.call)(self.id()) {
            0 => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::InvalidOcspResponse,
            )),
            r if r < 0 => Err(rustls::Error::General("OCSP status callback failed".into())),
            _ => Ok(()),
        }
    }

    /// The OCSP response: what a client received, or what a server staples.
    pub fn ocsp_response(&self) -> Option<Vec<u8>> {
        if self.role() == Some(context::Role::Client) {
            let v = lock(&self.verify).ocsp.clone();
            return (!v.is_empty()).then_some(v);
        }
        lock(&self.ocsp).clone()
    }

    /// Keeps a copy of `resp` with the connection and returns where it is (valid until the
    /// next call or `SSL_free`).
    pub fn keep_ocsp_copy(&self, resp: &[u8]) -> *const u8 {
        let mut out = lock(&self.ocsp_out);
        if out.as_deref() != Some(resp) {
            *out = Some(resp.to_vec());
        }
        out.as_ref().map_or(std::ptr::null(), |v| v.as_ptr())
    }

    pub(in crate::core) fn server_certificate(
        &self,
        schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let ck = self.settings().credentials.for_schemes(schemes)?;
        let ocsp = lock(&self.ocsp).clone();
        match ocsp {
            Some(ocsp) => Some(Arc::new(CertifiedKey {
                ocsp: Some(ocsp),
                ..(*ck).clone()
            })),
            None => Some(ck),
        }
    }

    pub(in crate::core) fn client_certificate(&self) -> Option<Arc<CertifiedKey>> {
        let own = self.settings().credentials.certified();
        if own.is_some() {
            return own;
        }
        let cb = self.ctx().callbacks().client_cert.clone()?;
        match (cb.call)(self.id()) {
            ClientCertAnswer::Use(x, k) => certified_key(&x, &[], &k).ok().map(Arc::new),
            ClientCertAnswer::NoCertificate => None,
        }
    }

    /// Always: the key log is also how ferrossl learns a client's own random
    /// (`SSL_get_client_random`); lines go to the program only when it set a callback.
    pub(in crate::core) fn wants_key_log(&self) -> bool {
        true
    }

    pub(in crate::core) fn key_log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        {
            let mut randoms = lock(&self.randoms);
            if let Ok(r) = <[u8; 32]>::try_from(client_random) {
                randoms.client.get_or_insert(r);
            }
            if label == "CLIENT_RANDOM" {
                randoms.master = secret.to_vec();
            }
        }
        let cb = self.ctx().callbacks().keylog.clone();
        let to_file = crate::core::keylog_file::enabled();
        if cb.is_none() && !to_file {
            return;
        }
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let line = format!("{label} {} {}", hex(client_random), hex(secret));
        if to_file {
            crate::core::keylog_file::append(line.as_bytes());
        }
        if let (Some(cb), Ok(line)) = (cb, CString::new(line)) {
            (cb.call)(self.id(), &line);
        }
    }

    /// `SSL_get_client_random`: known once the handshake has begun.
    pub fn client_random(&self) -> Option<[u8; 32]> {
        let known = lock(&self.randoms).client;
        known.or_else(|| self.client_hello().map(|h| h.random))
    }

    /// The version and suite of the handshake in progress, as far as known (`SSL_version`,
    /// `SSL_get_current_cipher` inside callbacks): from the ClientHello (a server's version) and
    /// the ServerHello.
    pub fn tentative(&self) -> (c_int, Option<&'static Cipher>) {
        let r = lock(&self.randoms);
        (r.version, r.cipher)
    }

    /// A server's version once it has read the ClientHello.
    pub(super) fn tentative_version(&self, v: c_int) {
        lock(&self.randoms).version = v;
    }

    /// `SSL_get_server_random`: known once the ServerHello has been written or read.
    pub fn server_random(&self) -> Option<[u8; 32]> {
        lock(&self.randoms).server
    }

    /// Whether the bytes `role` reads (client) or writes (server) must be watched for the
    /// ServerHello.
    pub(super) fn wants_server_random(&self, role: context::Role) -> bool {
        use std::sync::atomic::Ordering;
        if self.random_watch_over.load(Ordering::Acquire) {
            return false;
        }
        let r = lock(&self.randoms);
        if r.server.is_some() || r.gave_up {
            self.random_watch_over.store(true, Ordering::Release);
            return false;
        }
        self.role() == Some(role)
    }

    /// Looks for the ServerHello in the bytes kept so far (bounded: a peer sending endless
    /// handshake data cannot grow the copy past 64 KiB).
    pub(super) fn server_random_seen(&self, bytes: &mut Vec<u8>) {
        if let Some(h) = client_hello::server_hello(bytes) {
            {
                let mut r = lock(&self.randoms);
                r.server = Some(h.random);
                r.version = c_int::from(h.version);
                r.cipher = Cipher::by_suite(rustls::CipherSuite::from(h.suite));
            }
            bytes.clear();
        } else if bytes.len() > 64 * 1024 {
            bytes.clear();
            lock(&self.randoms).gave_up = true;
        }
    }

    /// A key exchange started with `group` (a client's key shares, a TLS 1.2 server's
    /// ServerKeyExchange): a server has chosen its group.
    pub(in crate::core) fn kx_started(&self, group: NamedGroup) {
        if self.is_server() {
            lock(&self.randoms).server_group = Some(group);
        }
    }

    pub(in crate::core) fn peer_key_seen(&self, group: NamedGroup, key: &[u8]) {
        *lock(&self.peer_key) = Some((group, key.to_vec()));
    }

    /// The group and public key the peer used in the key exchange.
    pub fn peer_key(&self) -> Option<(NamedGroup, Vec<u8>)> {
        lock(&self.peer_key).clone()
    }

    pub(in crate::core) fn peer_signature_seen(&self, scheme: rustls::SignatureScheme) {
        *lock(&self.peer_sigalg) = Some(scheme);
    }

    /// The scheme of the peer's verified handshake signature (none on resumption).
    pub fn peer_signature(&self) -> Option<rustls::SignatureScheme> {
        *lock(&self.peer_sigalg)
    }

    pub(in crate::core) fn own_signature_seen(&self, scheme: rustls::SignatureScheme) {
        *lock(&self.own_sigalg) = Some(scheme);
    }

    /// The scheme of this side's handshake signature (none on resumption, none for a client
    /// without certificate).
    pub fn own_signature(&self) -> Option<rustls::SignatureScheme> {
        *lock(&self.own_sigalg)
    }
}
