//! TLS 1.3's ChaCha20-Poly1305 records through libcrypto (`libcrypto::ChaCha20Poly1305`) from a
//! record size up, where the system's libcrypto (AVX-512) is faster than aws-lc (AVX2); below
//! it, and wherever libcrypto lacks the algorithm, aws-lc's code as rustls ships it. The suite
//! is rustls's own `TLS13_CHACHA20_POLY1305_SHA256` with only the record protection swapped:
//! key schedule, limits and QUIC keys are unchanged.

use std::sync::OnceLock;

use rustls::crypto::cipher::{
    make_tls13_aad, AeadKey, InboundOpaqueMessage, InboundPlainMessage, Iv, MessageDecrypter,
    MessageEncrypter, Nonce, OutboundOpaqueMessage, OutboundPlainMessage, PrefixedPayload,
    Tls13AeadAlgorithm, UnsupportedOperationError,
};
use rustls::{
    CipherSuite, ConnectionTrafficSecrets, ContentType, Error, ProtocolVersion,
    SupportedCipherSuite, Tls13CipherSuite,
};

use crate::libcrypto::ChaCha20Poly1305;

/// Plaintext bytes per record from which libcrypto seals and opens (`bench/README.md`, "ChaCha20
/// crossover", measures it: below, the cost of the EVP calls outweighs the faster code).
pub const CROSSOVER: usize = 4096;
const TAG: usize = 16;

/// `suite`, or for TLS 1.3 ChaCha20-Poly1305 the same suite with libcrypto's record
/// protection for large records.
pub fn replace(suite: SupportedCipherSuite) -> SupportedCipherSuite {
    match suite {
        SupportedCipherSuite::Tls13(s)
            if s.common.suite == CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 =>
        {
            evp_suite(s).map_or(suite, SupportedCipherSuite::Tls13)
        }
        _ => suite,
    }
}

fn evp_suite(base: &'static Tls13CipherSuite) -> Option<&'static Tls13CipherSuite> {
    static SUITE: OnceLock<Option<&'static Tls13CipherSuite>> = OnceLock::new();
    *SUITE.get_or_init(|| {
        // Only where libcrypto has the algorithm.
        ChaCha20Poly1305::new(&[0; 32], true)?;
        let aead: &'static EvpChacha = Box::leak(Box::new(EvpChacha(base.aead_alg)));
        Some(&*Box::leak(Box::new(Tls13CipherSuite {
            common: rustls::crypto::CipherSuiteCommon {
                suite: base.common.suite,
                hash_provider: base.common.hash_provider,
                confidentiality_limit: base.common.confidentiality_limit,
            },
            hkdf_provider: base.hkdf_provider,
            aead_alg: aead,
            quic: base.quic,
        })))
    })
}

/// rustls's algorithm for small records, libcrypto's for large ones.
struct EvpChacha(&'static dyn Tls13AeadAlgorithm);

fn key_bytes(key: &AeadKey) -> [u8; 32] {
    let mut k = [0u8; 32];
    let src = key.as_ref();
    k[..src.len().min(32)].copy_from_slice(&src[..src.len().min(32)]);
    k
}

impl Tls13AeadAlgorithm for EvpChacha {
    fn encrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageEncrypter> {
        let k = key_bytes(&key);
        Box::new(Sealer {
            evp: ChaCha20Poly1305::new(&k, true),
            inner: self.0.encrypter(key, Iv::copy(iv.as_ref())),
            iv,
        })
    }

    fn decrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageDecrypter> {
        let k = key_bytes(&key);
        Box::new(Opener {
            evp: ChaCha20Poly1305::new(&k, false),
            inner: self.0.decrypter(key, Iv::copy(iv.as_ref())),
            iv,
        })
    }

    fn key_len(&self) -> usize {
        self.0.key_len()
    }

    fn extract_keys(
        &self,
        key: AeadKey,
        iv: Iv,
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        self.0.extract_keys(key, iv)
    }
}

struct Sealer {
    evp: Option<ChaCha20Poly1305>,
    inner: Box<dyn MessageEncrypter>,
    iv: Iv,
}

impl MessageEncrypter for Sealer {
    fn encrypt(
        &mut self,
        msg: OutboundPlainMessage<'_>,
        seq: u64,
    ) -> Result<OutboundOpaqueMessage, Error> {
        let Some(evp) = self.evp.as_mut().filter(|_| msg.payload.len() >= CROSSOVER) else {
            return self.inner.encrypt(msg, seq);
        };
        let total = msg.payload.len() + 1 + TAG;
        let mut payload = PrefixedPayload::with_capacity(total);
        payload.extend_from_chunks(&msg.payload);
        payload.extend_from_slice(&msg.typ.to_array());
        let tag = evp
            .seal(
                &Nonce::new(&self.iv, seq).0,
                &make_tls13_aad(total),
                payload.as_mut(),
            )
            .ok_or(Error::EncryptError)?;
        payload.extend_from_slice(&tag);
        Ok(OutboundOpaqueMessage::new(
            ContentType::ApplicationData,
            // TLS 1.3 records carry 0x0303 (RFC 8446 5.1).
            ProtocolVersion::TLSv1_2,
            payload,
        ))
    }

    fn encrypted_payload_len(&self, payload_len: usize) -> usize {
        payload_len + 1 + TAG
    }
}

struct Opener {
    evp: Option<ChaCha20Poly1305>,
    inner: Box<dyn MessageDecrypter>,
    iv: Iv,
}

impl MessageDecrypter for Opener {
    fn decrypt<'a>(
        &mut self,
        mut msg: InboundOpaqueMessage<'a>,
        seq: u64,
    ) -> Result<InboundPlainMessage<'a>, Error> {
        let len = msg.payload.len();
        let Some(evp) = self.evp.as_mut().filter(|_| len >= CROSSOVER + 1 + TAG) else {
            return self.inner.decrypt(msg, seq);
        };
        let aad = make_tls13_aad(len);
        let (data, tag) = msg.payload.split_at_mut(len - TAG);
        let tag: [u8; TAG] = (&*tag).try_into().map_err(|_| Error::DecryptError)?;
        if !evp.open(&Nonce::new(&self.iv, seq).0, &aad, data, &tag) {
            return Err(Error::DecryptError);
        }
        msg.payload.truncate(len - TAG);
        msg.into_tls13_unpadded_message()
    }
}
