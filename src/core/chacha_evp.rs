//! TLS 1.3's ChaCha20-Poly1305 records through libcrypto (`libcrypto::ChaCha20Poly1305`) from a
//! record size up, on CPUs with AVX-512, where the system's libcrypto is faster than aws-lc
//! (AVX2); below it, on other CPUs, and wherever libcrypto lacks the algorithm, aws-lc's code as
//! rustls ships it. The suite
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
        // Only where libcrypto's gain exists (its AVX-512 code; without it aws-lc is as fast or
        // faster: bench/README.md) and libcrypto has the algorithm.
        if !avx512() {
            return None;
        }
        ChaCha20Poly1305::new(&[0; 32], true)?;
        let aead: &'static EvpChacha = Box::leak(Box::new(EvpChacha {
            inner: base.aead_alg,
            min: CROSSOVER,
        }));
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

#[cfg(target_arch = "x86_64")]
fn avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512() -> bool {
    false
}

/// rustls's algorithm for records under `min` bytes of plaintext, libcrypto's from there.
struct EvpChacha {
    inner: &'static dyn Tls13AeadAlgorithm,
    min: usize,
}

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
            inner: self.inner.encrypter(key, Iv::copy(iv.as_ref())),
            iv,
            min: self.min,
        })
    }

    fn decrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageDecrypter> {
        let k = key_bytes(&key);
        Box::new(Opener {
            evp: ChaCha20Poly1305::new(&k, false),
            inner: self.inner.decrypter(key, Iv::copy(iv.as_ref())),
            iv,
            min: self.min,
        })
    }

    fn key_len(&self) -> usize {
        self.inner.key_len()
    }

    fn extract_keys(
        &self,
        key: AeadKey,
        iv: Iv,
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        self.inner.extract_keys(key, iv)
    }
}

struct Sealer {
    evp: Option<ChaCha20Poly1305>,
    inner: Box<dyn MessageEncrypter>,
    iv: Iv,
    min: usize,
}

impl MessageEncrypter for Sealer {
    fn encrypt(
        &mut self,
        msg: OutboundPlainMessage<'_>,
        seq: u64,
    ) -> Result<OutboundOpaqueMessage, Error> {
        let Some(evp) = self.evp.as_mut().filter(|_| msg.payload.len() >= self.min) else {
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
    min: usize,
}

impl MessageDecrypter for Opener {
    fn decrypt<'a>(
        &mut self,
        mut msg: InboundOpaqueMessage<'a>,
        seq: u64,
    ) -> Result<InboundPlainMessage<'a>, Error> {
        let len = msg.payload.len();
        let Some(evp) = self.evp.as_mut().filter(|_| len >= self.min + 1 + TAG) else {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn base() -> &'static Tls13CipherSuite {
        match rustls::crypto::aws_lc_rs::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256 {
            SupportedCipherSuite::Tls13(s) => s,
            _ => unreachable!(),
        }
    }

    fn keys() -> (AeadKey, Iv) {
        let mut k = [0u8; 32];
        k.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        (AeadKey::from(k), Iv::new([7; 12]))
    }

    fn seal(enc: &mut dyn MessageEncrypter, data: &[u8], seq: u64) -> Vec<u8> {
        let msg = OutboundPlainMessage {
            typ: ContentType::ApplicationData,
            version: ProtocolVersion::TLSv1_2,
            payload: data.into(),
        };
        enc.encrypt(msg, seq).unwrap().payload.as_ref().to_vec()
    }

    fn open(dec: &mut dyn MessageDecrypter, mut record: Vec<u8>, seq: u64) -> Option<Vec<u8>> {
        let msg = InboundOpaqueMessage::new(
            ContentType::ApplicationData,
            ProtocolVersion::TLSv1_2,
            &mut record,
        );
        dec.decrypt(msg, seq).ok().map(|m| m.payload.to_vec())
    }

    /// libcrypto's records are aws-lc's, byte for byte, on both sides of the crossover, and a
    /// flipped bit is refused.
    #[test]
    fn evp_and_aws_lc_agree() {
        let evp = EvpChacha {
            inner: base().aead_alg,
            min: CROSSOVER,
        };
        for len in [0, 1, 1000, CROSSOVER - 1, CROSSOVER, CROSSOVER + 1, 16384] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
            let (k, iv) = keys();
            let ours = seal(&mut *evp.encrypter(k, iv), &data, 5);
            let (k, iv) = keys();
            let theirs = seal(&mut *base().aead_alg.encrypter(k, iv), &data, 5);
            assert_eq!(ours, theirs, "record of {len} bytes");
            let (k, iv) = keys();
            let back = open(&mut *evp.decrypter(k, iv), theirs.clone(), 5);
            assert_eq!(back.as_deref(), Some(&data[..]), "open {len}");
            let mut bad = theirs;
            bad[len / 2] ^= 1;
            let (k, iv) = keys();
            assert!(
                open(&mut *evp.decrypter(k, iv), bad, 5).is_none(),
                "tampered {len}"
            );
        }
    }

    /// The crossover: MB/s of sealing and opening records of each size with each
    /// implementation (`cargo test --release --lib chacha_crossover -- --ignored --nocapture`
    /// on a quiet machine; no assertion on times).
    #[test]
    #[ignore]
    fn chacha_crossover() {
        // libcrypto at every size, to see where it starts to win.
        let evp = EvpChacha {
            inner: base().aead_alg,
            min: 0,
        };
        for len in [512, 1024, 2048, 4096, 8192, 16384] {
            let data = vec![0x5au8; len];
            let rounds = (64 << 20) / len;
            let mut line = format!("{len:>6} bytes:");
            for (name, alg) in [
                ("aws-lc", base().aead_alg),
                ("libcrypto", &evp as &dyn Tls13AeadAlgorithm),
            ] {
                let (k, iv) = keys();
                let mut enc = alg.encrypter(k, iv);
                let (k, iv) = keys();
                let mut dec = alg.decrypter(k, iv);
                let start = Instant::now();
                for seq in 0..rounds as u64 {
                    let r = seal(&mut *enc, &data, seq);
                    open(&mut *dec, r, seq).unwrap();
                }
                let mbs = (rounds * len) as f64 / start.elapsed().as_secs_f64() / 1e6;
                line += &format!("  {name} {mbs:.0} MB/s");
            }
            println!("{line}");
        }
    }
}
