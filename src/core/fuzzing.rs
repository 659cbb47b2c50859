//! A deterministic crypto provider, only in builds with the cargo feature `fuzzing` (the fuzz
//! targets in `fuzz/`; the Makefile's library never enables it).
//!
//! A fuzzer replays a recorded handshake and mutates a later flight. That only reaches past
//! the first flight if both ends make the same choices on every run: the same randoms, session
//! ids, ticket nonces and ticket IVs, and the same ephemeral key shares. So in this build every
//! random byte ferrossl or rustls asks for comes from one seeded generator ([`reset`] starts it
//! over), the key-exchange groups derive their private keys from it, and rustls's clock is
//! stopped (tickets hold their creation time).
//!
//! Groups: X25519, P-256 and P-384 (aws-lc-rs imports a private key from bytes for them). The
//! ML-KEM groups (X25519MLKEM768, SECP256R1MLKEM768, MLKEM768, MLKEM1024) are left out: aws-lc-rs
//! offers no key generation or encapsulation from caller-chosen randomness. Signatures come from
//! aws-lc-rs as usual, so only deterministic schemes (Ed25519, RSA PKCS#1 v1.5) sign the same
//! bytes twice; the fuzz recordings use an Ed25519 certificate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::agreement::{self, PrivateKey, PublicKey, UnparsedPublicKey};
use rustls::crypto::{
    ActiveKeyExchange, CryptoProvider, GetRandomFailed, SecureRandom, SharedSecret,
    SupportedKxGroup,
};
use rustls::pki_types::UnixTime;
use rustls::time_provider::TimeProvider;
use rustls::{Error, NamedGroup, PeerMisbehaved};

/// The generator's state (splitmix64).
static STATE: Mutex<u64> = Mutex::new(0);

/// Starts the generator over from `seed`: what follows is the same on every run.
pub fn reset(seed: u64) {
    *STATE.lock().unwrap_or_else(|e| e.into_inner()) = seed;
}

/// The generator's state now: [`reset`] with it continues from here (a program driving both
/// ends in one process keeps one state per end).
pub fn state() -> u64 {
    *STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Fills `buf` from the generator.
pub fn fill(buf: &mut [u8]) {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    for chunk in buf.chunks_mut(8) {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
    }
}

#[derive(Debug)]
struct Random;

impl SecureRandom for Random {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        fill(buf);
        Ok(())
    }
}

/// aws-lc-rs's provider with the generator as its random source and [`KX_GROUPS`] as groups.
pub fn provider() -> CryptoProvider {
    static RANDOM: Random = Random;
    CryptoProvider {
        secure_random: &RANDOM,
        kx_groups: KX_GROUPS.to_vec(),
        ..rustls::crypto::aws_lc_rs::default_provider()
    }
}

/// A clock stopped at 2026-01-01 for the rustls configurations, so that the session tickets
/// (which hold their creation time) are the same on every run.
pub fn time_provider() -> Arc<dyn TimeProvider> {
    Arc::new(Stopped)
}

#[derive(Debug)]
struct Stopped;

impl TimeProvider for Stopped {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(
            1_767_225_600,
        )))
    }
}

/// The groups of this build, in aws-lc-rs's order.
pub static KX_GROUPS: &[&dyn SupportedKxGroup] = &[&X25519, &SECP256R1, &SECP384R1];

static X25519: Group = Group {
    name: NamedGroup::X25519,
    alg: &agreement::X25519,
    valid: |p| p.len() == 32,
};
static SECP256R1: Group = Group {
    name: NamedGroup::secp256r1,
    alg: &agreement::ECDH_P256,
    valid: uncompressed,
};
static SECP384R1: Group = Group {
    name: NamedGroup::secp384r1,
    alg: &agreement::ECDH_P384,
    valid: uncompressed,
};

/// rustls accepts only uncompressed points in TLS (aws-lc-rs would take compressed ones too).
fn uncompressed(point: &[u8]) -> bool {
    point.first() == Some(&0x04)
}

#[derive(Debug)]
struct Group {
    name: NamedGroup,
    alg: &'static agreement::Algorithm,
    /// The shape check rustls applies to a peer's share before aws-lc-rs sees it.
    valid: fn(&[u8]) -> bool,
}

struct Active {
    name: NamedGroup,
    alg: &'static agreement::Algorithm,
    valid: fn(&[u8]) -> bool,
    key: PrivateKey,
    public: PublicKey,
}

impl SupportedKxGroup for Group {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let len = if self.name == NamedGroup::secp384r1 {
            48
        } else {
            32
        };
        let mut bytes = vec![0u8; len];
        // A P-256/P-384 scalar outside the group order is refused: draw again (rarely needed).
        for _ in 0..16 {
            fill(&mut bytes);
            let Ok(key) = PrivateKey::from_private_key(self.alg, &bytes) else {
                continue;
            };
            let public = key.compute_public_key().map_err(|_| GetRandomFailed)?;
            return Ok(Box::new(Active {
                name: self.name,
                alg: self.alg,
                valid: self.valid,
                key,
                public,
            }));
        }
        Err(GetRandomFailed.into())
    }

    fn name(&self) -> NamedGroup {
        self.name
    }
}

impl ActiveKeyExchange for Active {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        if !(self.valid)(peer) {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        agreement::agree(
            &self.key,
            UnparsedPublicKey::new(self.alg, peer),
            Error::from(PeerMisbehaved::InvalidKeyShare),
            |secret| Ok(SharedSecret::from(secret)),
        )
    }

    fn pub_key(&self) -> &[u8] {
        self.public.as_ref()
    }

    fn group(&self) -> NamedGroup {
        self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_shares_and_secrets() {
        let run = || {
            reset(7);
            KX_GROUPS
                .iter()
                .map(|g| {
                    let a = g.start().unwrap();
                    let b = g.start().unwrap();
                    let pa = a.pub_key().to_vec();
                    let pb = b.pub_key().to_vec();
                    let s1 = a.complete(&pb).unwrap().secret_bytes().to_vec();
                    let s2 = b.complete(&pa).unwrap().secret_bytes().to_vec();
                    assert_eq!(s1, s2);
                    (pa, pb, s1)
                })
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        reset(8);
        assert_ne!(first[0].0, KX_GROUPS[0].start().unwrap().pub_key());
    }
}
