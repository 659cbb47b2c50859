//! Key-exchange groups, wrapped so that the connection learns the peer's ephemeral public key
//! (`SSL_get_peer_tmp_key`), which rustls uses but does not report. Every method forwards to
//! the aws-lc-rs implementation; the wrapper only records what passes through `complete`.

use std::sync::OnceLock;

use rustls::crypto::{
    ActiveKeyExchange, CompletedKeyExchange, CryptoProvider, SharedSecret, SupportedKxGroup,
};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{Error, NamedGroup, ProtocolVersion, SupportedProtocolVersion};

use super::hooks;

#[derive(Debug)]
struct Observed(&'static dyn SupportedKxGroup);

struct ObservedActive(Box<dyn ActiveKeyExchange>);

fn seen(group: NamedGroup, peer: &[u8]) {
    hooks::peer_key_share(group, peer);
}

impl SupportedKxGroup for Observed {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        hooks::kx_started(self.0.name());
        Ok(Box::new(ObservedActive(self.0.start()?)))
    }
    fn start_and_complete(&self, peer_pub_key: &[u8]) -> Result<CompletedKeyExchange, Error> {
        seen(self.0.name(), peer_pub_key);
        self.0.start_and_complete(peer_pub_key)
    }
    #[allow(deprecated)]
    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        self.0.ffdhe_group()
    }
    fn name(&self) -> NamedGroup {
        self.0.name()
    }
    fn fips(&self) -> bool {
        self.0.fips()
    }
    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        self.0.usable_for_version(version)
    }
}

impl ActiveKeyExchange for ObservedActive {
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, Error> {
        seen(self.0.group(), peer_pub_key);
        self.0.complete(peer_pub_key)
    }
    fn complete_for_tls_version(
        self: Box<Self>,
        peer_pub_key: &[u8],
        tls_version: &SupportedProtocolVersion,
    ) -> Result<SharedSecret, Error> {
        seen(self.0.group(), peer_pub_key);
        self.0.complete_for_tls_version(peer_pub_key, tls_version)
    }
    fn hybrid_component(&self) -> Option<(NamedGroup, &[u8])> {
        self.0.hybrid_component()
    }
    fn complete_hybrid_component(
        self: Box<Self>,
        peer_pub_key: &[u8],
    ) -> Result<SharedSecret, Error> {
        if let Some((group, _)) = self.0.hybrid_component() {
            seen(group, peer_pub_key);
        }
        self.0.complete_hybrid_component(peer_pub_key)
    }
    fn pub_key(&self) -> &[u8] {
        self.0.pub_key()
    }
    #[allow(deprecated)]
    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        self.0.ffdhe_group()
    }
    fn group(&self) -> NamedGroup {
        self.0.group()
    }
}

fn wrap(groups: &[&'static dyn SupportedKxGroup]) -> Vec<&'static dyn SupportedKxGroup> {
    groups
        .iter()
        .map(|g| &*Box::leak(Box::new(Observed(*g))) as &'static dyn SupportedKxGroup)
        .collect()
}

/// Every group ferrossl can use, in aws-lc-rs's order.
pub fn all() -> &'static [&'static dyn SupportedKxGroup] {
    static ALL: OnceLock<Vec<&'static dyn SupportedKxGroup>> = OnceLock::new();
    #[cfg(not(feature = "fuzzing"))]
    let groups = rustls::crypto::aws_lc_rs::ALL_KX_GROUPS;
    #[cfg(feature = "fuzzing")]
    let groups = super::fuzzing::KX_GROUPS;
    ALL.get_or_init(|| wrap(groups))
}

/// aws-lc-rs's provider; in a build with the `fuzzing` feature, the deterministic one of
/// `core::fuzzing`.
pub fn base_provider() -> CryptoProvider {
    #[cfg(feature = "fuzzing")]
    return super::fuzzing::provider();
    #[cfg(not(feature = "fuzzing"))]
    rustls::crypto::aws_lc_rs::default_provider()
}

/// The groups offered by default: X25519MLKEM768 first, then X25519, P-256, P-384.
pub fn defaults() -> Vec<&'static dyn SupportedKxGroup> {
    let want = base_provider().kx_groups;
    want.iter()
        .filter_map(|w| all().iter().find(|g| g.name() == w.name()).copied())
        .collect()
}
