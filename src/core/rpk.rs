//! Raw public keys (RFC 7250) as OpenSSL 3.5 negotiates them, on rustls's raw key support.
//!
//! The lists `SSL_set1_client_cert_type`/`SSL_set1_server_cert_type` set hold
//! `TLSEXT_cert_type_x509` (0) and `TLSEXT_cert_type_rpk` (2) in preference order.
//!
//! A server reads the ClientHello before it picks its rustls configuration, so it negotiates as
//! OpenSSL: the server certificate type is the first of its list the client offers (x509 when
//! either side has no list), the client certificate type the first of the client's offer in the
//! server's list. rustls then sends the key instead of the certificate, or asks for the client's.
//!
//! A client cannot offer both types with rustls: a list containing rpk offers rpk alone, and a
//! server that does not answer with rpk fails the handshake (OpenSSL would fall back to x509).
//! A list without rpk sends nothing (x509 is the default). rustls speaks raw keys in TLS 1.3
//! only.
//!
//! Verification: OpenSSL trusts a raw key only through DANE TLSA records
//! (`SSL_add_expected_rpk`), and ferrossl has no DANE, so libcrypto finds a peer's raw key
//! `X509_V_ERR_RPK_UNTRUSTED` and the program's verify callback decides, as in OpenSSL without
//! TLSA records: with `SSL_VERIFY_PEER` and no callback accepting it the handshake fails;
//! otherwise the key is kept and `SSL_get_verify_result` reports the error.
//!
//! rustls's verifiers and resolvers are `hooks`'s, with an `rpk` flag: this module holds what
//! they do differently for a raw key (`peer_key`, `raw_signature`, `raw_identity`).

use std::ffi::c_long;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, SubjectPublicKeyInfoDer};
use rustls::server::{CertificateType, ClientHello};
use rustls::sign::CertifiedKey;
use rustls::DigitallySignedStruct;

use super::hooks::{algorithms, current, signature_seen};
use crate::libcrypto::PKey;

/// `TLSEXT_cert_type_x509` and `TLSEXT_cert_type_rpk`.
pub const X509: u8 = 0;
pub const RPK: u8 = 2;

/// `X509_V_ERR_RPK_UNTRUSTED`.
pub const V_ERR_RPK_UNTRUSTED: c_long = 95;

/// OpenSSL's `validate_cert_type`: each of x509 and rpk at most once, nothing else; no list at
/// all (NULL, 0) is valid and unsets it.
pub fn valid_list(list: Option<&[u8]>) -> bool {
    let Some(list) = list else {
        return true;
    };
    !list.is_empty()
        && list.iter().all(|&t| t == X509 || t == RPK)
        && list.iter().filter(|&&t| t == RPK).count() <= 1
        && list.iter().filter(|&&t| t == X509).count() <= 1
}

/// The first type of `pref` that `other` has.
fn reconcile(pref: &[u8], other: &[u8]) -> Option<u8> {
    pref.iter().copied().find(|t| other.contains(t))
}

fn wire(types: Option<&[CertificateType]>) -> Option<Vec<u8>> {
    types.map(|ts| ts.iter().map(|&t| u8::from(t)).collect())
}

/// A server's choice for (server certificate type, client certificate type), from its lists
/// and the client's offers. Ignored lists and no match give x509 (rustls then refuses a client
/// that offered rpk alone, where OpenSSL would refuse or ignore it).
pub fn negotiate(
    server_list: Option<&[u8]>,
    client_list: Option<&[u8]>,
    hello: &ClientHello<'_>,
) -> (u8, u8) {
    let server = match (server_list, wire(hello.server_cert_types())) {
        (Some(ours), Some(theirs)) => reconcile(ours, &theirs).unwrap_or(X509),
        _ => X509,
    };
    let client = match (client_list, wire(hello.client_cert_types())) {
        (Some(ours), Some(theirs)) => reconcile(&theirs, ours).unwrap_or(X509),
        _ => X509,
    };
    (server, client)
}

/// Whether a client's list makes it ask for raw keys.
pub fn client_wants(list: Option<&[u8]>) -> bool {
    list.is_some_and(|l| l.contains(&RPK))
}

/// The raw key form of an identity: its SubjectPublicKeyInfo in place of the chain.
pub fn raw_identity(ck: &CertifiedKey) -> Option<Arc<CertifiedKey>> {
    let spki = ck.key.public_key()?;
    Some(Arc::new(CertifiedKey::new(
        vec![CertificateDer::from(spki.as_ref().to_vec())],
        ck.key.clone(),
    )))
}

/// The peer's raw key: kept for `SSL_get0_peer_rpk`, and judged as OpenSSL without DANE.
pub(super) fn peer_key(spki: &CertificateDer<'_>) -> Result<(), rustls::Error> {
    let conn = current().ok_or_else(|| rustls::Error::General("no current connection".into()))?;
    let key = PKey::from_spki(spki).ok_or(rustls::Error::InvalidCertificate(
        rustls::CertificateError::BadEncoding,
    ))?;
    if conn.rpk_peer_seen(key) {
        Ok(())
    } else {
        // certificate_unknown, the alert OpenSSL sends for an untrusted raw key.
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::Other(rustls::OtherError(Arc::new(Untrusted))),
        ))
    }
}

/// A raw public key nothing vouches for (`X509_V_ERR_RPK_UNTRUSTED`).
#[derive(Debug)]
struct Untrusted;

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("raw public key untrusted")
    }
}

impl std::error::Error for Untrusted {}

pub(super) fn raw_signature(
    message: &[u8],
    spki: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    let spki = SubjectPublicKeyInfoDer::from(spki.as_ref());
    let valid =
        rustls::crypto::verify_tls13_signature_with_raw_key(message, &spki, dss, algorithms())?;
    signature_seen(dss);
    Ok(valid)
}

pub(super) fn no_tls12() -> rustls::Error {
    rustls::Error::PeerIncompatible(rustls::PeerIncompatible::IncorrectCertificateTypeExtension)
}
