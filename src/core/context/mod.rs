//! `SSL_CTX`: the settings connections are made from, and the rustls configurations built from
//! them (once per distinct set of settings, shared by every connection that uses it).

use std::ffi::{c_int, c_long};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use rustls::crypto::SupportedKxGroup;
use rustls::{ClientConfig, ServerConfig};

use super::callbacks::Callbacks;
use super::cert_comp;
use super::cipher::{self, Cipher};
use super::credentials::Credentials;
use super::error::{Error, Result};
use super::fast_verify;
pub use super::groups::{
    group_by_name, group_name, group_nid, groups_from_nids, parse_groups, GroupList,
};
use super::registry::{Object, Refs, Table};
use super::session_cache::{SessStats, SessionCache};
use crate::libcrypto::{ffi, ExData, PasswordCb, Store, TicketKeys, VerifyCb, VerifyParam};

pub const TLS1_VERSION: c_int = 0x0301;
pub const TLS1_1_VERSION: c_int = 0x0302;
pub const TLS1_2_VERSION: c_int = 0x0303;
pub const TLS1_3_VERSION: c_int = 0x0304;

pub const OP_NO_TLSV1_2: u64 = 0x0800_0000;
pub const OP_NO_TLSV1_3: u64 = 0x2000_0000;
pub const OP_NO_TICKET: u64 = 0x0000_4000;
pub const OP_IGNORE_UNEXPECTED_EOF: u64 = 0x0000_0080;
pub const OP_CIPHER_SERVER_PREFERENCE: u64 = 0x0040_0000;
/// What `SSL_CTX_new` starts with in OpenSSL 3.0 (`SSL_OP_ENABLE_MIDDLEBOX_COMPAT |
/// SSL_OP_NO_COMPRESSION`; rustls never compresses either way).
pub const OP_DEFAULT: u64 = 0x0012_0000;

pub const MODE_ENABLE_PARTIAL_WRITE: u64 = 0x1;
pub const MODE_ACCEPT_MOVING_WRITE_BUFFER: u64 = 0x2;
pub const MODE_AUTO_RETRY: u64 = 0x4;

pub const VERIFY_NONE: c_int = 0;
pub const VERIFY_PEER: c_int = 1;
pub const VERIFY_FAIL_IF_NO_PEER_CERT: c_int = 2;

pub const SESS_CACHE_CLIENT: c_long = 0x1;
pub const SESS_CACHE_SERVER: c_long = 0x2;
pub const SESS_CACHE_NO_INTERNAL_LOOKUP: c_long = 0x100;
pub const SESS_CACHE_NO_INTERNAL_STORE: c_long = 0x200;

/// Which side an `SSL_METHOD` fixes, and which versions it allows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    Any,
    Client,
    Server,
}

#[derive(Clone, Copy, Debug)]
pub struct Method {
    pub role: Role,
    /// 0 for the version-flexible `TLS_*method`, else the one version the method speaks.
    pub version: c_int,
}

mod configs;

use configs::{ConfigKey, ServerKey};

/// Everything an `SSL` copies from its `SSL_CTX` at `SSL_new`.
#[derive(Clone)]
pub struct Settings {
    pub options: u64,
    pub mode: u64,
    pub min_version: c_int,
    pub max_version: c_int,
    pub tls12: Vec<&'static Cipher>,
    pub tls13: Vec<&'static Cipher>,
    /// The groups list as set (`SSL_CTX_set1_groups_list`): tuples and key shares.
    pub group_list: GroupList,
    /// The groups of `group_list` rustls implements, in order (what is offered).
    pub groups: Vec<&'static dyn SupportedKxGroup>,
    pub verify_mode: c_int,
    pub verify_cb: Option<VerifyCb>,
    pub alpn: Vec<Vec<u8>>,
    pub credentials: Credentials,
    pub password: PasswordCb,
    pub quiet_shutdown: bool,
    pub read_ahead: bool,
    /// `SSL_CTX_set_max_cert_list`: recorded and reported (rustls bounds messages itself).
    pub max_cert_list: c_long,
    /// `SSL_CTX_set_max_send_fragment`/`split_send_fragment`: recorded, checked as OpenSSL
    /// checks them, and reported.
    pub max_send_fragment: c_long,
    pub split_send_fragment: c_long,
    /// `SSL_CTX_set_cert_flags`: recorded and reported.
    pub cert_flags: c_long,
    /// `SSL_CTX_sess_set_cache_size`: recorded and reported.
    pub session_cache_size: c_long,
    /// `SSL_CTX_set_num_tickets`: TLS 1.3 tickets a server sends after a full handshake.
    pub num_tickets: usize,
    /// `SSL_CTX_set_security_level`: recorded and reported. Every suite, group and signature
    /// scheme rustls offers meets level 3; certificate key sizes are not checked against it.
    pub security_level: c_int,
    /// The client CA names a server sends in its CertificateRequest (DER `X509_NAME`s).
    pub client_ca: Vec<Vec<u8>>,
    /// `SSL_set_tlsext_status_type`: `TLSEXT_STATUSTYPE_ocsp` (1) when a client asks for the
    /// server's OCSP response and runs the status callback on it; -1 when not set. (rustls
    /// always sends the status_request extension; this decides whether the answer is looked at.)
    pub status_type: c_int,
    /// `SSL_set_session_id_context` (copied from the context's at `SSL_new`).
    pub sid_ctx: Vec<u8>,
    /// A connection's own client CA list (`SSL_set_client_CA_list`); a context never has one
    /// here (its list is `Context::client_ca_stack`).
    pub own_client_ca: Option<Arc<crate::libcrypto::NameStack>>,
    /// The certificate_authorities list (`SSL_CTX_set0_CA_list`, DER names): a server sends
    /// it in its CertificateRequest when the client CA list is empty, as OpenSSL.
    pub ca_names: Vec<Vec<u8>>,
    /// A connection's own CA list (`SSL_set0_CA_list`); a context's is `Context::ca_names_stack`.
    pub own_ca_names: Option<Arc<crate::libcrypto::NameStack>>,
    /// `SSL_CTX_set1_cert_comp_preference`: `TLSEXT_comp_cert_*` in preference order.
    pub cert_comp_prefs: Vec<c_int>,
    /// The algorithms `SSL_CTX_compress_certs` compressed the certificates for (or the program
    /// gave a compressed form of): what a server may send compressed.
    pub cert_comp_ready: Vec<c_int>,
    /// `SSL_CTX_set1_compressed_cert`: the program's compressed certificates.
    pub precompressed: Vec<cert_comp::Precompressed>,
    /// `SSL_CTX_set1_client_cert_type`/`set1_server_cert_type` (RFC 7250 lists; none: unset).
    pub client_cert_type: Option<Vec<u8>>,
    pub server_cert_type: Option<Vec<u8>>,
}

impl Settings {
    fn new(method: Method) -> Settings {
        let mut s = Settings {
            options: OP_DEFAULT,
            mode: MODE_AUTO_RETRY,
            min_version: method.version,
            max_version: method.version,
            tls12: cipher::default_tls12(),
            tls13: cipher::default_tls13(),
            group_list: GroupList::default(),
            groups: Vec::new(),
            verify_mode: VERIFY_NONE,
            verify_cb: None,
            alpn: Vec::new(),
            credentials: Credentials::default(),
            password: PasswordCb::default(),
            quiet_shutdown: false,
            read_ahead: false,
            max_cert_list: 100 * 1024,
            max_send_fragment: 16384,
            split_send_fragment: 16384,
            cert_flags: 0,
            session_cache_size: 1024 * 20,
            num_tickets: 2,
            // Debian's OpenSSL configuration sets level 2 for every context.
            security_level: 2,
            client_ca: Vec::new(),
            status_type: -1,
            sid_ctx: Vec::new(),
            own_client_ca: None,
            ca_names: Vec::new(),
            own_ca_names: None,
            cert_comp_prefs: cert_comp::default_prefs(),
            cert_comp_ready: Vec::new(),
            precompressed: Vec::new(),
            client_cert_type: None,
            server_cert_type: None,
        };
        s.set_groups(super::groups::default_list());
        s
    }

    /// A new groups list (`SSL_CTX_set1_groups_list`, `SSL_CTX_set1_groups`).
    pub fn set_groups(&mut self, list: GroupList) {
        self.groups = list.usable();
        self.group_list = list;
    }

    /// A method change (`SSL_CTX_set_ssl_version`, `SSL_set_ssl_method`): the versions follow
    /// a version-specific method; a pin set by the old method is lifted by a flexible one.
    pub fn repin_versions(&mut self, old: Method, new: Method) {
        if new.version != 0 {
            self.min_version = new.version;
            self.max_version = new.version;
        } else if old.version != 0
            && self.min_version == old.version
            && self.max_version == old.version
        {
            self.min_version = 0;
            self.max_version = 0;
        }
    }

    /// The CA names a server puts in its CertificateRequest: the client CA list, or when that
    /// is empty the CA list (OpenSSL's `get_ca_names`).
    pub fn sent_ca_names(&self) -> &[Vec<u8>] {
        if self.client_ca.is_empty() {
            &self.ca_names
        } else {
            &self.client_ca
        }
    }

    /// The protocol versions these settings leave, as rustls names them.
    pub fn versions(&self) -> Vec<&'static rustls::SupportedProtocolVersion> {
        let allowed = |v: c_int, op: u64| {
            (self.min_version == 0 || self.min_version <= v)
                && (self.max_version == 0 || self.max_version >= v)
                && self.options & op == 0
        };
        let mut out = Vec::new();
        if allowed(TLS1_3_VERSION, OP_NO_TLSV1_3) {
            out.push(&rustls::version::TLS13);
        }
        if allowed(TLS1_2_VERSION, OP_NO_TLSV1_2) {
            out.push(&rustls::version::TLS12);
        }
        out
    }
}

pub struct Context {
    refs: Refs,
    /// `SSL_CTX_new`'s method; `SSL_CTX_set_ssl_version` changes it.
    method: RwLock<Method>,
    pub settings: RwLock<Settings>,
    /// Replaced whole on each change, so that a reader holds a snapshot, never a guard, while
    /// it calls into the program.
    callbacks: RwLock<Arc<Callbacks>>,
    store: RwLock<Store>,
    /// The store's certificates as webpki trust anchors, for the contents they were made from
    /// (`fast_verify::roots` remakes them when the store changes).
    roots: Mutex<Option<Arc<fast_verify::Roots>>>,
    /// `SSL_CTX_get0_param`: the program may change it through libcrypto at any time.
    pub param: VerifyParam,
    pub ex_data: ExData,
    pub session_cache_mode: RwLock<c_long>,
    pub session_timeout: RwLock<c_long>,
    pub session_id_context: RwLock<Vec<u8>>,
    client_configs: Mutex<Vec<(ConfigKey, Arc<ClientConfig>)>>,
    server_configs: Mutex<Vec<(ServerKey, Arc<ServerConfig>)>>,
    /// The internal server session cache (`SSL_SESS_CACHE_SERVER`).
    server_sessions: Arc<SessionCache>,
    /// The context's own ticket keys, made here as OpenSSL does in `SSL_CTX_new` (before a
    /// server forks its workers, so that they all accept each other's tickets).
    ticket_keys: RwLock<Arc<TicketKeys>>,
    /// The client CA list (`SSL_CTX_set_client_CA_list`, `SSL_CTX_add_client_CA`).
    pub client_ca_stack: Mutex<Option<crate::libcrypto::NameStack>>,
    /// The CA list (`SSL_CTX_set0_CA_list`, `SSL_CTX_add1_to_CA_list`).
    pub ca_names_stack: Mutex<Option<crate::libcrypto::NameStack>>,
    /// The stack `SSL_CTX_get_ciphers` last handed out (valid until the next call).
    pub cipher_stack: Mutex<Option<crate::libcrypto::StaticStack>>,
    /// The handshake counters `SSL_CTX_sess_*` report.
    pub stats: SessStats,
}

impl Object for Context {
    const KIND: &'static str = "SSL_CTX";
    const TAG: usize = 0;
    fn refs(&self) -> &Refs {
        &self.refs
    }
    fn table() -> &'static Table<Self> {
        static T: OnceLock<Table<Context>> = OnceLock::new();
        T.get_or_init(Table::new)
    }
}

impl Context {
    pub fn new(method: Method) -> Result<Arc<Context>> {
        let store = Store::new().ok_or_else(|| Error::Internal("X509_STORE_new failed".into()))?;
        let param = VerifyParam::new().ok_or_else(|| Error::Internal("out of memory".into()))?;
        let keys =
            TicketKeys::generate().ok_or_else(|| Error::Internal("RAND_bytes failed".into()))?;
        Ok(Context::table().insert_with(|refs| {
            let ex_data = ExData::new(ffi::CRYPTO_EX_INDEX_SSL_CTX, refs.id());
            Context {
                refs,
                method: RwLock::new(method),
                settings: RwLock::new(Settings::new(method)),
                callbacks: RwLock::new(Arc::new(Callbacks::default())),
                store: RwLock::new(store),
                roots: Mutex::new(None),
                param,
                ex_data,
                session_cache_mode: RwLock::new(SESS_CACHE_SERVER),
                session_timeout: RwLock::new(7200),
                session_id_context: RwLock::new(Vec::new()),
                client_configs: Mutex::new(Vec::new()),
                server_configs: Mutex::new(Vec::new()),
                server_sessions: SessionCache::new(SESSION_CACHE_SIZE),
                ticket_keys: RwLock::new(Arc::new(keys)),
                // As OpenSSL: an empty list, not none.
                client_ca_stack: Mutex::new(crate::libcrypto::NameStack::new()),
                ca_names_stack: Mutex::new(crate::libcrypto::NameStack::new()),
                cipher_stack: Mutex::new(None),
                stats: SessStats::default(),
            }
        }))
    }

    pub fn method(&self) -> Method {
        *self.method.read().unwrap_or_else(|e| e.into_inner())
    }

    /// `SSL_CTX_set_ssl_version`: the new method, and (as OpenSSL) the default cipher lists
    /// again. A version-specific method pins the versions to it; leaving one for a flexible
    /// method lifts the pin it had set (bounds the program set itself stay).
    pub fn set_method(&self, method: Method) -> Result<()> {
        let old = std::mem::replace(
            &mut *self.method.write().unwrap_or_else(|e| e.into_inner()),
            method,
        );
        self.update(|s| {
            s.repin_versions(old, method);
            s.tls12 = cipher::default_tls12();
            s.tls13 = cipher::default_tls13();
            Ok(())
        })
    }

    pub fn settings(&self) -> std::sync::RwLockReadGuard<'_, Settings> {
        self.settings.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the settings; connections made from now on see the change.
    pub fn update<R>(&self, f: impl FnOnce(&mut Settings) -> Result<R>) -> Result<R> {
        let mut s = self.settings.write().unwrap_or_else(|e| e.into_inner());
        f(&mut s)
    }

    /// The callbacks as they are now: a snapshot that holds no lock, so that it may be kept
    /// while the program is called (which may change them).
    pub fn callbacks(&self) -> Arc<Callbacks> {
        self.callbacks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_callbacks(&self, f: impl FnOnce(&mut Callbacks)) {
        let mut guard = self.callbacks.write().unwrap_or_else(|e| e.into_inner());
        f(Arc::make_mut(&mut guard));
    }

    /// `SSL_CTX_get_cert_store`: the trust store (the program may add to it).
    pub fn store(&self) -> Store {
        self.store.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The cache of `store()`'s trust anchors for the fast path.
    pub fn roots(&self) -> &Mutex<Option<Arc<fast_verify::Roots>>> {
        &self.roots
    }

    /// `SSL_CTX_set_cert_store`/`set1_cert_store`.
    pub fn set_store(&self, store: Store) {
        *self.store.write().unwrap_or_else(|e| e.into_inner()) = store;
    }

    pub fn session_cache_mode(&self) -> c_long {
        *self
            .session_cache_mode
            .read()
            .unwrap_or_else(|e| e.into_inner())
    }
}

impl Context {
    /// The internal server session cache (`SSL_SESS_CACHE_SERVER` without `NO_INTERNAL`).
    pub fn internal_sessions(&self) -> &Arc<SessionCache> {
        &self.server_sessions
    }

    /// The context's own session ticket keys (`SSL_CTX_get_tlsext_ticket_keys`).
    pub fn ticket_keys(&self) -> Arc<TicketKeys> {
        self.ticket_keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// `SSL_CTX_set_tlsext_ticket_keys`: tickets are made and accepted with these keys from
    /// now on (configurations made with the old ones are dropped).
    pub fn set_ticket_keys(&self, keys: TicketKeys) {
        *self.ticket_keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        self.server_configs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// `SSL_CTX_sess_get_cache_size`'s default, as OpenSSL's.
pub const SESSION_CACHE_SIZE: usize = 1024 * 20;
