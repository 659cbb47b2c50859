//! The program's callbacks, as the core sees them: safe closures built by the C layer, each next
//! to the raw function pointer and argument that the `SSL_*_get_*_callback` getters return.

use std::ffi::{c_int, CStr};
use std::sync::Arc;

use crate::libcrypto::{PKey, X509Cert};

/// A program callback: the closure the core calls, and what C registered.
pub struct Hook<F: ?Sized> {
    /// The C function pointer, for the getters.
    pub raw: usize,
    pub call: Arc<F>,
}

impl<F: ?Sized> Clone for Hook<F> {
    fn clone(&self) -> Self {
        Hook {
            raw: self.raw,
            call: self.call.clone(),
        }
    }
}

/// `SSL_CTX_set_keylog_callback`: (SSL id, NSS key log line).
pub type KeylogFn = dyn Fn(usize, &CStr) + Send + Sync;
/// `SSL_CTX_set_info_callback`: (SSL id, where, ret).
pub type InfoFn = dyn Fn(usize, c_int, c_int) + Send + Sync;
/// `SSL_CTX_sess_set_new_cb`: (SSL id, SSL_SESSION id); true when the program kept the reference.
pub type NewSessionFn = dyn Fn(usize, usize) -> bool + Send + Sync;
/// `SSL_CTX_set_client_cert_cb`: (SSL id).
pub type ClientCertFn = dyn Fn(usize) -> ClientCertAnswer + Send + Sync;
/// `SSL_CTX_set_msg_callback`: recorded, and called for alerts ferrossl sees.
pub type MsgFn = dyn Fn(usize, bool, c_int, c_int, &[u8]) + Send + Sync;

/// `SSL_CTX_set_alpn_select_cb`: (SSL id, the client's protocols in wire format).
pub type AlpnSelectFn = dyn Fn(usize, &[u8]) -> AlpnAnswer + Send + Sync;
/// The servername (SNI) callback: (SSL id) -> (`SSL_TLSEXT_ERR_*`, the alert it chose).
pub type ServernameFn = dyn Fn(usize) -> (c_int, c_int) + Send + Sync;
/// `SSL_CTX_set_client_hello_cb`: (SSL id) -> (`SSL_CLIENT_HELLO_*`, the alert it chose).
pub type ClientHelloFn = dyn Fn(usize) -> (c_int, c_int) + Send + Sync;
/// The OCSP status callback (`SSL_CTX_set_tlsext_status_cb`): (SSL id) -> `SSL_TLSEXT_ERR_*`;
/// a server staples with `SSL_set_tlsext_status_ocsp_resp` from inside it.
pub type StatusFn = dyn Fn(usize) -> c_int + Send + Sync;

/// `SSL_CTX_sess_set_get_cb`: (SSL id, session id) -> the session, and whether the callback
/// handed over its reference (else it kept it).
pub type GetSessionFn =
    dyn Fn(usize, &[u8]) -> Option<(std::sync::Arc<super::session::Session>, bool)> + Send + Sync;
/// `SSL_CTX_sess_set_remove_cb`: (SSL_CTX id, SSL_SESSION id).
pub type RemoveSessionFn = dyn Fn(usize, usize) + Send + Sync;

/// What an ALPN select callback answered.
pub enum AlpnAnswer {
    Selected(Vec<u8>),
    NoAck,
    Fatal,
}

/// What a client certificate callback answered.
pub enum ClientCertAnswer {
    Use(X509Cert, PKey),
    NoCertificate,
}

#[derive(Clone, Default)]
pub struct Callbacks {
    pub keylog: Option<Hook<KeylogFn>>,
    pub info: Option<Hook<InfoFn>>,
    pub new_session: Option<Hook<NewSessionFn>>,
    pub client_cert: Option<Hook<ClientCertFn>>,
    pub msg: Option<Hook<MsgFn>>,
    /// `SSL_CTX_set_msg_callback_arg` / the info and other callbacks' user pointers.
    pub msg_arg: usize,
    pub alpn_select: Option<Hook<AlpnSelectFn>>,
    pub get_session: Option<Hook<GetSessionFn>>,
    pub remove_session: Option<Hook<RemoveSessionFn>>,
    pub servername: Option<Hook<ServernameFn>>,
    pub client_hello: Option<Hook<ClientHelloFn>>,
    /// `SSL_CTX_set_tlsext_servername_arg`.
    pub servername_arg: usize,
    pub status: Option<Hook<StatusFn>>,
    /// `SSL_CTX_set_cert_cb`: (SSL id) -> 1 to go on, 0 to fail.
    pub cert: Option<Hook<StatusFn>>,
    /// `SSL_CTX_set_tlsext_ticket_key_cb`: the program's ticket keys.
    pub ticket_key: Option<crate::libcrypto::TicketKeyCb>,
    /// `SSL_CTX_set_cert_verify_callback`: replaces `X509_verify_cert`.
    pub cert_verify: Option<crate::libcrypto::AppVerifyCb>,
    /// `SSL_CTX_set_tlsext_status_arg`.
    pub status_arg: usize,
}

/// `SSL_CB_*` values for the info callback.
pub mod info {
    use std::ffi::c_int;
    pub const LOOP: c_int = 0x01;
    pub const EXIT: c_int = 0x02;
    pub const READ: c_int = 0x04;
    pub const WRITE: c_int = 0x08;
    pub const ALERT: c_int = 0x4000;
    pub const READ_ALERT: c_int = ALERT | READ;
    pub const WRITE_ALERT: c_int = ALERT | WRITE;
    pub const CONNECT: c_int = 0x1000;
    pub const ACCEPT: c_int = 0x2000;
    pub const HANDSHAKE_START: c_int = 0x10;
    pub const HANDSHAKE_DONE: c_int = 0x20;
}
