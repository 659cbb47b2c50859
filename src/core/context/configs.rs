//! The rustls configurations of a context: built once per distinct set of settings (and, for
//! a server, per ALPN protocol, certificate types and group chosen for a connection), cached on
//! the `Context` and shared by every connection that uses them.

use std::ffi::c_int;
use std::sync::Arc;

use rustls::client::Resumption;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::server::NoServerSessionStorage;
use rustls::{ClientConfig, ServerConfig, SupportedCipherSuite};

use super::{
    Cipher, Context, Settings, OP_CIPHER_SERVER_PREFERENCE, OP_NO_TICKET, SESS_CACHE_SERVER,
};
use crate::core::cert_comp::Plan;
use crate::core::error::{Error, Result};
use crate::core::hooks;
use crate::core::rpk;

/// `SSL_R_NO_SUITABLE_GROUPS`.
const NO_SUITABLE_GROUPS: c_int = 295;

impl Settings {
    fn client_key(&self) -> ConfigKey {
        ConfigKey {
            versions: self
                .versions()
                .iter()
                .map(|v| u16::from(v.version))
                .collect(),
            suites: self
                .tls13
                .iter()
                .chain(&self.tls12)
                .map(|c| c.protocol_id())
                .collect(),
            groups: self.groups.iter().map(|g| u16::from(g.name())).collect(),
            tickets: self.options & OP_NO_TICKET == 0,
            comp: Plan::client(self),
            rpk: (
                rpk::client_wants(self.client_cert_type.as_deref()),
                rpk::client_wants(self.server_cert_type.as_deref()),
            ),
        }
    }

    /// A server's key, once it knows the (server, client) certificate types it negotiated.
    fn server_base(&self, types: (u8, u8)) -> ConfigKey {
        ConfigKey {
            comp: Plan::server(self, types.0 == rpk::RPK),
            rpk: (types.0 == rpk::RPK, types.1 == rpk::RPK),
            ..self.client_key()
        }
    }
}

/// What distinguishes one rustls configuration from another. Per-connection settings that rustls
/// takes per connection (SNI, ALPN, verification, credentials, callbacks) are not part of it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct ConfigKey {
    versions: Vec<u16>,
    suites: Vec<u16>,
    groups: Vec<u16>,
    tickets: bool,
    /// Certificate compression (what is sent compressed, what is offered).
    comp: Plan,
    /// Raw public keys: (this side sends one, this side asks the peer for one).
    rpk: (bool, bool),
}

/// A server configuration also depends on the ALPN protocol chosen for the connection, on client
/// authentication, on the ticket and cache policy and on preference order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct ServerKey {
    base: ConfigKey,
    alpn: Option<Vec<u8>>,
    verify_mode: c_int,
    client_ca: Vec<Vec<u8>>,
    num_tickets: usize,
    server_preference: bool,
    cache: bool,
    /// The program's ticket key callback, if any.
    ticket_cb: usize,
}

/// How many distinct configurations a context keeps.
pub(super) const CONFIG_CACHE: usize = 8;

impl Context {
    /// The client configuration for `settings`: the cached one when these settings were seen
    /// before, else a new one (kept for the next connection).
    pub fn client_config(&self, settings: &Settings) -> Result<Arc<ClientConfig>> {
        let key = settings.client_key();
        let mut cache = self
            .client_configs
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some((_, cfg)) = cache.iter().find(|(k, _)| *k == key) {
            return Ok(cfg.clone());
        }
        let cfg = Arc::new(build_client_config(settings, &key)?);
        if cache.len() >= CONFIG_CACHE {
            cache.remove(0);
        }
        cache.push((key, cfg.clone()));
        Ok(cfg)
    }

    /// The server configuration for `settings` and the ALPN protocol chosen for this
    /// connection, cached like the client's.
    ///
    /// `group`: the one group the server offers for this connection (chosen from the
    /// ClientHello as OpenSSL chooses, see `group_list`), so that rustls answers with a
    /// ServerHello or a HelloRetryRequest for exactly that group; `None` offers them all. The
    /// cache is keyed by it, so a context keeps one configuration per group chosen.
    pub fn server_config(
        &self,
        settings: &Settings,
        alpn: Option<Vec<u8>>,
        cert_types: (u8, u8),
        group: Option<&'static dyn SupportedKxGroup>,
    ) -> Result<Arc<ServerConfig>> {
        let groups = group.map_or_else(|| settings.groups.clone(), |g| vec![g]);
        let mut base = settings.server_base(cert_types);
        base.groups = groups.iter().map(|g| u16::from(g.name())).collect();
        let key = ServerKey {
            base,
            alpn,
            verify_mode: settings.verify_mode,
            client_ca: settings.sent_ca_names().to_vec(),
            num_tickets: settings.num_tickets,
            server_preference: settings.options & OP_CIPHER_SERVER_PREFERENCE != 0,
            cache: self.session_cache_mode() & SESS_CACHE_SERVER != 0,
            ticket_cb: self.callbacks().ticket_key.map_or(0, |c| c.raw()),
        };
        let mut cache = self
            .server_configs
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some((_, cfg)) = cache.iter().find(|(k, _)| *k == key) {
            return Ok(cfg.clone());
        }
        let cfg = Arc::new(self.build_server_config(settings, &key, groups)?);
        if cache.len() >= CONFIG_CACHE {
            cache.remove(0);
        }
        cache.push((key, cfg.clone()));
        Ok(cfg)
    }

    fn build_server_config(
        &self,
        settings: &Settings,
        key: &ServerKey,
        groups: Vec<&'static dyn SupportedKxGroup>,
    ) -> Result<ServerConfig> {
        let versions = settings.versions();
        if versions.is_empty() {
            return Err(Error::NoProtocols(
                "no TLS 1.2 or 1.3 within the configured range (ferrossl does not speak older ones)"
                    .into(),
            ));
        }
        let verifier = hooks::client_verifier(
            settings.verify_mode,
            settings.sent_ca_names(),
            key.base.rpk.1,
        );
        let resolver = hooks::server_cert_resolver(key.base.rpk.0);
        let provider = provider(settings, &versions, groups)?;
        let mut cfg = ServerConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&versions)
            .map_err(|e| Error::NoCipherMatch(e.to_string()))?
            .with_client_cert_verifier(verifier)
            .with_cert_resolver(resolver);
        #[cfg(feature = "fuzzing")]
        {
            cfg.time_provider = crate::core::fuzzing::time_provider();
        }
        cfg.cert_compressors = key.base.comp.compressors();
        cfg.cert_decompressors = key.base.comp.decompressors();
        cfg.alpn_protocols = key.alpn.iter().cloned().collect();
        cfg.ignore_client_order = key.server_preference;
        cfg.send_tls13_tickets = key.num_tickets;
        cfg.key_log = hooks::key_log();
        cfg.session_storage = if key.cache {
            hooks::server_session_store()
        } else {
            Arc::new(NoServerSessionStorage {})
        };
        log_config("server", cfg.crypto_provider(), &versions, || {
            format!(
                "ALPN {:?}, verify mode {:#x}, client CA names {}, tickets {}, TLS 1.3 tickets \
                 sent {}, session cache {}, server preference {}",
                key.alpn.as_deref().map(String::from_utf8_lossy),
                key.verify_mode,
                key.client_ca.len(),
                key.base.tickets,
                key.num_tickets,
                key.cache,
                key.server_preference
            )
        });
        if key.base.tickets {
            let lifetime = *self
                .session_timeout
                .read()
                .unwrap_or_else(|e| e.into_inner());
            cfg.ticketer = match self.callbacks().ticket_key {
                Some(cb) => hooks::callback_ticketer(cb, lifetime),
                None => hooks::keys_ticketer(self.ticket_keys(), lifetime),
            };
        }
        Ok(cfg)
    }
}

fn provider(
    settings: &Settings,
    versions: &[&'static rustls::SupportedProtocolVersion],
    groups: Vec<&'static dyn SupportedKxGroup>,
) -> Result<CryptoProvider> {
    let base = crate::core::kx::base_provider();
    let all: Vec<SupportedCipherSuite> = rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES.to_vec();
    let pick = |c: &&Cipher| {
        all.iter()
            .find(|s| s.suite() == c.suite)
            .map(|s| crate::core::chacha_evp::replace(*s))
    };
    let mut suites = Vec::new();
    if versions.contains(&&rustls::version::TLS13) {
        suites.extend(settings.tls13.iter().filter_map(pick));
    }
    if versions.contains(&&rustls::version::TLS12) {
        suites.extend(settings.tls12.iter().filter_map(pick));
    }
    if suites.is_empty() {
        return Err(Error::NoCipherMatch(
            "no cipher suite enabled for the enabled protocol versions".into(),
        ));
    }
    Ok(CryptoProvider {
        cipher_suites: suites,
        kx_groups: groups,
        ..base
    })
}

fn build_client_config(settings: &Settings, key: &ConfigKey) -> Result<ClientConfig> {
    let versions = settings.versions();
    if versions.is_empty() {
        return Err(Error::NoProtocols(format!(
            "no TLS 1.2 or 1.3 within min {:#x} / max {:#x} and the SSL_OP_NO_* options \
             (ferrossl does not speak SSLv3, TLS 1.0 or TLS 1.1)",
            settings.min_version, settings.max_version
        )));
    }
    // As OpenSSL 3.5, a list with no group for the versions enabled (empty, of groups
    // ferrossl lacks, of TLS 1.3 groups on a TLS 1.2 client) fails here.
    let usable = settings
        .groups
        .iter()
        .any(|g| versions.iter().any(|v| g.usable_for_version(v.version)));
    if !usable {
        return Err(Error::Misuse {
            reason: NO_SUITABLE_GROUPS,
            detail: "No groups enabled for max supported SSL/TLS version".into(),
        });
    }
    let provider = provider(settings, &versions, settings.groups.clone())?;
    let mut cfg = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&versions)
        .map_err(|e| Error::NoCipherMatch(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(hooks::server_verifier(key.rpk.1))
        .with_client_cert_resolver(hooks::client_cert_resolver(key.rpk.0));
    cfg.cert_compressors = key.comp.compressors();
    cfg.cert_decompressors = key.comp.decompressors();
    #[cfg(feature = "fuzzing")]
    {
        cfg.time_provider = crate::core::fuzzing::time_provider();
    }
    let tls12 = if settings.options & OP_NO_TICKET == 0 {
        rustls::client::Tls12Resumption::SessionIdOrTickets
    } else {
        rustls::client::Tls12Resumption::SessionIdOnly
    };
    cfg.resumption = Resumption::store(hooks::session_store()).tls12_resumption(tls12);
    cfg.key_log = hooks::key_log();
    cfg.enable_sni = true;
    log_config("client", cfg.crypto_provider(), &versions, || {
        format!("TLS 1.2 resumption {tls12:?}, SNI sent")
    });
    Ok(cfg)
}

/// The debug log's account of a configuration built for a context (once per change of the
/// settings it depends on, not per connection).
fn log_config(
    kind: &str,
    provider: &CryptoProvider,
    versions: &[&'static rustls::SupportedProtocolVersion],
    more: impl FnOnce() -> String,
) {
    if !log::log_enabled!(log::Level::Debug) {
        return;
    }
    let versions: Vec<_> = versions.iter().map(|v| v.version).collect();
    let suites: Vec<_> = provider.cipher_suites.iter().map(|s| s.suite()).collect();
    let groups: Vec<_> = provider.kx_groups.iter().map(|g| g.name()).collect();
    log::debug!(
        "{kind} configuration built: versions {versions:?}, suites {suites:?}, groups \
         {groups:?}, {}",
        more()
    );
}
