//! Certificates and private keys: loading them from files and memory with libcrypto (so every
//! format and encrypted-PEM scheme OpenSSL reads works), and turning them into the
//! `CertifiedKey` rustls signs with.

use std::ffi::{c_int, CStr};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;

use super::error::{reason, Error, Result};
use crate::libcrypto::{Bio, CertStack, PKey, PasswordCb, X509Cert};

/// `SSL_FILETYPE_PEM` and `SSL_FILETYPE_ASN1`.
pub const FILETYPE_PEM: c_int = 1;
pub const FILETYPE_ASN1: c_int = 2;

/// The key types OpenSSL 3.0 has a certificate slot for (`EVP_PKEY_RSA`, `RSA_PSS`, `DSA`,
/// `EC`, GOST 2001 / 2012-256 / 2012-512, `ED25519`, `ED448`).
const KNOWN_KEY_TYPES: [c_int; 9] = [6, 912, 116, 408, 811, 979, 980, 1087, 1088];

/// One certificate (with its chain) and private key.
#[derive(Clone, Default)]
struct Slot {
    leaf: Option<X509Cert>,
    chain: Vec<X509Cert>,
    key: Option<PKey>,
    certified: Option<Arc<CertifiedKey>>,
}

/// The certificates and keys of a context or connection, as `SSL_CTX_use_*` builds them up.
///
/// As in OpenSSL there is one slot per key type (RSA, ECDSA, Ed25519...): the fields below are
/// the current slot (the one the last certificate or key went to, which chain calls and
/// `SSL_CTX_get0_certificate` act on), and `others` holds the rest. A server picks among all
/// complete slots by what the client can verify.
#[derive(Clone, Default)]
pub struct Credentials {
    pub leaf: Option<X509Cert>,
    pub chain: Vec<X509Cert>,
    pub key: Option<PKey>,
    /// Built once both halves are present and match.
    certified: Option<Arc<CertifiedKey>>,
    others: Vec<Slot>,
    /// The current chain as a `STACK_OF(X509)`, once asked for (`SSL_CTX_get0_chain_certs`);
    /// dropped when the chain or the current slot changes.
    chain_stack: Option<Arc<CertStack>>,
}

impl Credentials {
    fn current_type(&self) -> Option<c_int> {
        self.leaf
            .as_ref()
            .map(X509Cert::key_type)
            .or_else(|| self.key.as_ref().map(PKey::key_type))
    }

    /// Makes the slot for `ty` current, keeping the current one among the others.
    fn select(&mut self, ty: c_int) {
        self.chain_stack = None;
        if self.current_type().is_none_or(|t| t == ty) {
            return;
        }
        let current = Slot {
            leaf: self.leaf.take(),
            chain: std::mem::take(&mut self.chain),
            key: self.key.take(),
            certified: self.certified.take(),
        };
        let found = self.others.iter().position(|o| {
            o.leaf
                .as_ref()
                .map(X509Cert::key_type)
                .or_else(|| o.key.as_ref().map(PKey::key_type))
                == Some(ty)
        });
        if let Some(pos) = found {
            let slot = self.others.remove(pos);
            self.leaf = slot.leaf;
            self.chain = slot.chain;
            self.key = slot.key;
            self.certified = slot.certified;
        }
        self.others.push(current);
    }

    pub fn set_leaf(&mut self, leaf: X509Cert) -> Result<()> {
        self.select(leaf.key_type());
        if let Some(key) = &self.key {
            if !leaf.matches_key_quietly(key) {
                // OpenSSL drops the mismatched key and keeps the new certificate.
                self.key = None;
            }
        }
        self.leaf = Some(leaf);
        self.rebuild()
    }

    pub fn set_key(&mut self, key: PKey) -> Result<()> {
        self.select(key.key_type());
        if let Some(leaf) = &self.leaf {
            if !leaf.matches_key(&key) {
                // libcrypto queued "key values mismatch"; OpenSSL adds nothing.
                return Err(Error::Queued);
            }
        }
        self.key = Some(key);
        self.rebuild()
    }

    pub fn set_chain(&mut self, chain: Vec<X509Cert>) -> Result<()> {
        self.chain = chain;
        self.chain_stack = None;
        self.rebuild()
    }

    pub fn add_chain_cert(&mut self, cert: X509Cert) -> Result<()> {
        self.chain.push(cert);
        self.chain_stack = None;
        self.rebuild()
    }

    /// `SSL_CTX_use_cert_and_key`: the certificate, its key and its chain (`None`: no chain)
    /// as one slot, the current one from now on. Without `replace`, a slot of the same key type
    /// that holds anything is left as it is (`SSL_R_NOT_REPLACING_CERTIFICATE`).
    ///
    /// Differs from OpenSSL: without a key, OpenSSL puts the certificate's public key in the
    /// key's place; here the slot has no key (rustls cannot sign with a public key either).
    pub fn use_cert_and_key(
        &mut self,
        leaf: X509Cert,
        key: Option<PKey>,
        chain: Option<Vec<X509Cert>>,
        replace: bool,
    ) -> Result<()> {
        if let Some(k) = &key {
            if !leaf.public_key_eq(k) {
                return Err(Error::Misuse {
                    reason: reason::PRIVATE_KEY_MISMATCH,
                    detail: "the private key does not match the certificate".into(),
                });
            }
        }
        if !KNOWN_KEY_TYPES.contains(&leaf.key_type()) {
            return Err(Error::Misuse {
                reason: reason::UNKNOWN_CERTIFICATE_TYPE,
                detail: format!("certificate key type {}", leaf.key_type()),
            });
        }
        self.select(leaf.key_type());
        let occupied = self.leaf.is_some() || self.key.is_some() || !self.chain.is_empty();
        if occupied && !replace {
            return Err(Error::Misuse {
                reason: reason::NOT_REPLACING_CERTIFICATE,
                detail: "a certificate of this type is set and override is 0".into(),
            });
        }
        self.leaf = Some(leaf);
        self.key = key;
        self.chain = chain.unwrap_or_default();
        self.rebuild()
    }

    /// `SSL_certs_clear`: no certificate, key or chain in any slot.
    pub fn clear(&mut self) {
        *self = Credentials::default();
    }

    /// `SSL_CTX_get0_chain_certs`: the current slot's chain as a stack that stays valid until
    /// the chain or the current slot changes; None when the chain is empty.
    pub fn chain_stack(&mut self) -> Option<Arc<CertStack>> {
        if self.chain.is_empty() {
            return None;
        }
        if self.chain_stack.is_none() {
            self.chain_stack = CertStack::new(&self.chain).map(Arc::new);
        }
        self.chain_stack.clone()
    }

    /// The key types that have a slot, in a fixed order (`SSL_CERT_SET_FIRST`/`NEXT`).
    fn slot_types(&self) -> Vec<c_int> {
        let mut t: Vec<c_int> = self.current_type().into_iter().collect();
        t.extend(self.others.iter().filter_map(|o| {
            o.leaf
                .as_ref()
                .map(X509Cert::key_type)
                .or_else(|| o.key.as_ref().map(PKey::key_type))
        }));
        t.sort_unstable();
        t.dedup();
        t
    }

    /// `SSL_CTX_select_current_cert`: makes current the slot whose certificate is `leaf`.
    pub fn select_leaf(&mut self, leaf: &X509Cert) -> bool {
        let holds = |l: &Option<X509Cert>| l.as_ref().is_some_and(|x| x.as_ptr() == leaf.as_ptr());
        if holds(&self.leaf) {
            return true;
        }
        if self.others.iter().any(|o| holds(&o.leaf)) {
            self.select(leaf.key_type());
            return true;
        }
        false
    }

    /// `SSL_CTX_set_current_cert`: `first` selects the first slot, else the one after the
    /// current; false when there is none.
    pub fn select_next(&mut self, first: bool) -> bool {
        let types = self.slot_types();
        let next = if first {
            types.first().copied()
        } else {
            let cur = self.current_type();
            types
                .iter()
                .position(|t| Some(*t) == cur)
                .and_then(|i| types.get(i + 1).copied())
        };
        match next {
            Some(t) => {
                self.select(t);
                true
            }
            None => false,
        }
    }

    /// The DER chains (leaf first) of the current slot, then of every other slot with a
    /// certificate: what `SSL_CTX_compress_certs` compresses. The current slot is there even
    /// without a certificate (an empty chain), as `SSL_CTX_get1_compressed_cert` uses it.
    pub fn chains_der(&self) -> Vec<Vec<Vec<u8>>> {
        let der = |leaf: &Option<X509Cert>, chain: &[X509Cert]| -> Vec<Vec<u8>> {
            leaf.iter()
                .chain(chain)
                .filter_map(X509Cert::to_der)
                .collect()
        };
        std::iter::once(der(&self.leaf, &self.chain))
            .chain(
                self.others
                    .iter()
                    .filter(|o| o.leaf.is_some())
                    .map(|o| der(&o.leaf, &o.chain)),
            )
            .collect()
    }

    /// Every complete certificate and key, the current one first.
    pub fn all_certified(&self) -> impl Iterator<Item = &Arc<CertifiedKey>> {
        self.certified
            .iter()
            .chain(self.others.iter().filter_map(|o| o.certified.as_ref()))
    }

    /// The identity for a client offering `schemes`: ECDSA, then Ed25519, then RSA, among those
    /// it can verify.
    pub fn for_schemes(&self, schemes: &[rustls::SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        use rustls::SignatureAlgorithm as A;
        let rank = |a: A| match a {
            A::ECDSA => 0,
            A::ED25519 => 1,
            A::RSA => 2,
            _ => 3,
        };
        self.all_certified()
            .filter(|ck| ck.key.choose_scheme(schemes).is_some())
            .min_by_key(|ck| rank(ck.key.algorithm()))
            .or(self.certified.as_ref())
            .cloned()
    }

    /// `SSL_CTX_check_private_key`.
    pub fn check(&self) -> Result<()> {
        let Some(leaf) = &self.leaf else {
            return Err(Error::Misuse {
                reason: reason::NO_CERTIFICATE_ASSIGNED,
                detail: "no certificate assigned".into(),
            });
        };
        let Some(key) = &self.key else {
            return Err(Error::Misuse {
                reason: reason::NO_PRIVATE_KEY_ASSIGNED,
                detail: "no private key assigned".into(),
            });
        };
        if leaf.matches_key(key) {
            Ok(())
        } else {
            Err(Error::KeyMismatch)
        }
    }

    pub fn certified(&self) -> Option<Arc<CertifiedKey>> {
        self.certified.clone()
    }

    fn rebuild(&mut self) -> Result<()> {
        self.certified = None;
        if let (Some(leaf), Some(key)) = (&self.leaf, &self.key) {
            self.certified = Some(Arc::new(certified_key(leaf, &self.chain, key)?));
        }
        Ok(())
    }
}

/// Builds the rustls signing identity for a certificate chain and key.
pub fn certified_key(leaf: &X509Cert, chain: &[X509Cert], key: &PKey) -> Result<CertifiedKey> {
    let der = |c: &X509Cert| {
        c.to_der()
            .map(CertificateDer::from)
            .ok_or_else(|| Error::Internal("i2d_X509 failed".into()))
    };
    let mut certs = vec![der(leaf)?];
    for c in chain {
        certs.push(der(c)?);
    }
    let pkcs8 = key.pkcs8_der().ok_or_else(|| Error::BadFile {
        reason: reason::UNSUPPORTED,
        detail: "private key cannot be exported as PKCS#8".into(),
    })?;
    let signer = rustls::crypto::aws_lc_rs::default_provider()
        .key_provider
        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8)))
        .map_err(|e| Error::Unsupported(format!("private key type not usable by rustls: {e}")))?;
    Ok(CertifiedKey::new(certs, Arc::new(Recorded(signer))))
}

/// A signing key that tells the connection which scheme it signed with
/// (`SSL_get0_signature_name`); everything else is the aws-lc-rs key's.
#[derive(Debug)]
struct Recorded(Arc<dyn rustls::sign::SigningKey>);

#[derive(Debug)]
struct RecordedSigner(Box<dyn rustls::sign::Signer>);

impl rustls::sign::SigningKey for Recorded {
    fn choose_scheme(
        &self,
        offered: &[rustls::SignatureScheme],
    ) -> Option<Box<dyn rustls::sign::Signer>> {
        let inner = self.0.choose_scheme(offered)?;
        Some(Box::new(RecordedSigner(inner)))
    }
    fn public_key(&self) -> Option<rustls::pki_types::SubjectPublicKeyInfoDer<'_>> {
        self.0.public_key()
    }
    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        self.0.algorithm()
    }
}

impl rustls::sign::Signer for RecordedSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        super::hooks::own_signature(self.0.scheme());
        self.0.sign(message)
    }
    fn scheme(&self) -> rustls::SignatureScheme {
        self.0.scheme()
    }
}

fn open(path: &CStr) -> Result<Bio> {
    Bio::open(path).ok_or_else(|| Error::BadFile {
        reason: reason::SYS_LIB,
        detail: format!("cannot open {}", path.to_string_lossy()),
    })
}

fn pem_error(what: &str, path: &CStr) -> Error {
    Error::BadFile {
        reason: reason::PEM_LIB,
        detail: format!("no {what} in {}", path.to_string_lossy()),
    }
}

fn read_all(bio: &Bio) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = bio.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// `SSL_CTX_use_certificate_file`: the first certificate of a PEM or DER file.
pub fn load_cert_file(path: &CStr, filetype: c_int, pw: PasswordCb) -> Result<X509Cert> {
    let bio = open(path)?;
    match filetype {
        FILETYPE_PEM => bio
            .read_pem_x509(false, pw)
            .ok_or_else(|| pem_error("certificate", path)),
        FILETYPE_ASN1 => X509Cert::from_der(&read_all(&bio)).ok_or_else(|| Error::BadFile {
            reason: reason::X509_LIB,
            detail: format!("no DER certificate in {}", path.to_string_lossy()),
        }),
        _ => Err(Error::BadFile {
            reason: reason::BAD_SSL_FILETYPE,
            detail: format!("file type {filetype}"),
        }),
    }
}

/// `SSL_CTX_use_certificate_chain_file`: a PEM leaf followed by its chain.
pub fn load_chain_file(path: &CStr, pw: PasswordCb) -> Result<(X509Cert, Vec<X509Cert>)> {
    let bio = open(path)?;
    let leaf = bio
        .read_pem_x509(true, pw)
        .ok_or_else(|| pem_error("certificate", path))?;
    let chain = bio.read_remaining_pem_x509(pw);
    Ok((leaf, chain))
}

/// `SSL_CTX_use_PrivateKey_file`: a PEM (possibly encrypted, decrypted through `pw`) or DER key.
pub fn load_key_file(path: &CStr, filetype: c_int, pw: PasswordCb) -> Result<PKey> {
    let bio = open(path)?;
    match filetype {
        FILETYPE_PEM => bio.read_pem_key(pw).ok_or_else(|| Error::BadFile {
            reason: reason::PEM_LIB,
            detail: format!(
                "no private key in {} (or a wrong passphrase)",
                path.to_string_lossy()
            ),
        }),
        FILETYPE_ASN1 => PKey::from_der(&read_all(&bio)).ok_or_else(|| Error::BadFile {
            reason: reason::BAD_DATA,
            detail: format!("no DER private key in {}", path.to_string_lossy()),
        }),
        _ => Err(Error::BadFile {
            reason: reason::BAD_SSL_FILETYPE,
            detail: format!("file type {filetype}"),
        }),
    }
}
