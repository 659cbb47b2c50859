//! The safe core: contexts, connections, sessions, cipher strings, verification and errors.
//! Nothing here knows about C pointers; the C layer (`capi`) resolves handles and arguments and
//! calls in.

#![forbid(unsafe_code)]

pub mod bio;
pub mod ca_names;
pub mod callbacks;
pub mod cert_comp;
pub mod cert_der;
pub mod chacha_evp;
pub mod cipher;
pub mod client_hello;
pub mod conf;
pub mod connection;
pub mod context;
pub mod credentials;
pub mod error;
pub mod fast_verify;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod group_list;
pub mod groups;
pub mod hooks;
pub mod keylog_file;
pub mod kx;
pub mod logging;
pub mod peer_certs;
pub mod registry;
pub mod rpk;
pub mod session;
pub mod session_cache;
pub mod session_text;
pub mod tls_reasons;
