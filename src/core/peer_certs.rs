//! The peer's certificates as it sent them, turned into libcrypto `X509` objects only when the
//! program asks for them (`SSL_get_peer_certificate`, `SSL_get_peer_cert_chain`,
//! `SSL_get0_verified_chain`, a session's peer): parsing a certificate with libcrypto costs
//! more than verifying it with webpki.

use std::sync::{Arc, OnceLock};

use rustls::pki_types::CertificateDer;

use crate::libcrypto::{CertStack, X509Cert};

/// A chain, leaf first.
pub struct PeerCerts {
    der: Vec<CertificateDer<'static>>,
    x509: OnceLock<Vec<X509Cert>>,
    /// `SSL_get_peer_cert_chain`'s stacks: [0] with the leaf (a client's view), [1] without (a
    /// server's).
    stacks: [OnceLock<Option<CertStack>>; 2],
    /// The peer answered a certificate request with an empty Certificate message: the stacks
    /// are empty rather than absent.
    empty_message: bool,
}

impl PeerCerts {
    pub fn from_der(der: Vec<CertificateDer<'static>>) -> Arc<PeerCerts> {
        Arc::new(PeerCerts {
            der,
            x509: OnceLock::new(),
            stacks: Default::default(),
            empty_message: false,
        })
    }

    /// An empty Certificate message.
    pub fn empty_message() -> Arc<PeerCerts> {
        Arc::new(PeerCerts {
            der: Vec::new(),
            x509: OnceLock::new(),
            stacks: Default::default(),
            empty_message: true,
        })
    }

    /// Certificates libcrypto already parsed (a session read by `d2i_SSL_SESSION`).
    pub fn from_x509(certs: Vec<X509Cert>) -> Arc<PeerCerts> {
        let der = certs
            .iter()
            .filter_map(|c| c.to_der().map(CertificateDer::from))
            .collect();
        let x509 = OnceLock::new();
        let _ = x509.set(certs);
        Arc::new(PeerCerts {
            der,
            x509,
            stacks: Default::default(),
            empty_message: false,
        })
    }

    pub fn len(&self) -> usize {
        self.der.len()
    }

    pub fn is_empty(&self) -> bool {
        self.der.is_empty()
    }

    pub fn der(&self) -> &[CertificateDer<'static>] {
        &self.der
    }

    /// The chain as libcrypto objects (parsed on first use; a certificate libcrypto cannot
    /// parse is left out, the error queue untouched).
    pub fn certs(&self) -> &[X509Cert] {
        self.x509.get_or_init(|| {
            self.der
                .iter()
                .filter_map(|c| X509Cert::from_der_quietly(c))
                .collect()
        })
    }

    pub fn leaf(&self) -> Option<&X509Cert> {
        self.certs().first()
    }

    /// The stack `SSL_get_peer_cert_chain` returns: with the leaf, or (`without_leaf`, a
    /// server's view, as OpenSSL) without it. Lives as long as this chain.
    pub fn stack(&self, without_leaf: bool) -> Option<&CertStack> {
        self.stacks[without_leaf as usize]
            .get_or_init(|| {
                let certs = self.certs();
                if certs.is_empty() && !self.empty_message {
                    return None;
                }
                CertStack::new(if without_leaf {
                    certs.get(1..).unwrap_or_default()
                } else {
                    certs
                })
            })
            .as_ref()
    }
}

/// `SSL_get0_verified_chain`: what verification built, made into a stack on first use.
pub struct VerifiedChain {
    source: Source,
    stack: OnceLock<Option<CertStack>>,
}

enum Source {
    /// libcrypto built it (`X509_verify_cert`).
    Built(Vec<X509Cert>),
    /// The fast path: the peer's certificates at these positions (leaf first), then the trust
    /// anchor from the store.
    Path {
        peer: Arc<PeerCerts>,
        positions: Vec<usize>,
        anchor: X509Cert,
    },
}

impl VerifiedChain {
    pub fn built(chain: Vec<X509Cert>) -> VerifiedChain {
        VerifiedChain {
            source: Source::Built(chain),
            stack: OnceLock::new(),
        }
    }

    pub fn path(peer: Arc<PeerCerts>, positions: Vec<usize>, anchor: X509Cert) -> VerifiedChain {
        VerifiedChain {
            source: Source::Path {
                peer,
                positions,
                anchor,
            },
            stack: OnceLock::new(),
        }
    }

    pub fn stack(&self) -> Option<&CertStack> {
        self.stack
            .get_or_init(|| match &self.source {
                Source::Built(chain) => CertStack::new(chain),
                Source::Path {
                    peer,
                    positions,
                    anchor,
                } => {
                    // The same objects as the peer's chain (as libcrypto's chain shares them).
                    let certs = peer.certs();
                    if certs.len() != peer.len() {
                        return None;
                    }
                    let mut chain: Vec<X509Cert> = positions
                        .iter()
                        .map(|&i| certs.get(i).cloned())
                        .collect::<Option<_>>()?;
                    chain.push(anchor.clone());
                    CertStack::new(&chain)
                }
            })
            .as_ref()
    }
}
