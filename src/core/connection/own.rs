//! What a connection may hold instead of its context's: a method (`SSL_set_ssl_method`), a
//! certificate callback (`SSL_set_cert_cb`), and `SSL_dup`, which copies a connection that has
//! not started.

use std::sync::Arc;

use super::{lock, read, Connection};
use crate::core::callbacks::{Hook, StatusFn};
use crate::core::context::Method;
use crate::core::error::Error;
use crate::core::registry;

impl Connection {
    /// `SSL_get_ssl_method`'s answer before a version is negotiated: the connection's own
    /// method, else its context's.
    pub fn method(&self) -> Method {
        read(&self.own_method).unwrap_or_else(|| self.ctx().method())
    }

    /// `SSL_set_ssl_method`: as OpenSSL, the role stays what `SSL_new` (or
    /// `SSL_set_connect_state`, ...) made it; the versions follow the method.
    pub fn set_method(&self, method: Method) {
        let old = self.method();
        *self.own_method.write().unwrap_or_else(|e| e.into_inner()) = Some(method);
        let _ = self.update(|s| {
            s.repin_versions(old, method);
            Ok(())
        });
    }

    /// `SSL_set_cert_cb`: this connection's certificate callback (NULL clears it; the
    /// context's is not used then, as OpenSSL, whose connection has its own copy).
    pub fn set_cert_cb(&self, cb: Option<Hook<StatusFn>>) {
        *self.own_cert_cb.write().unwrap_or_else(|e| e.into_inner()) = Some(cb);
    }

    /// The certificate callback in force: the connection's own, else the context's.
    pub(super) fn cert_cb(&self) -> Option<Hook<StatusFn>> {
        match &*read(&self.own_cert_cb) {
            Some(own) => own.clone(),
            None => self.ctx().callbacks().cert.clone(),
        }
    }

    /// `SSL_set_SSL_CTX` gives the connection the new context's certificate callback, as
    /// OpenSSL (which replaces the connection's certificate settings by the context's).
    pub(super) fn forget_own_cert_cb(&self) {
        *self.own_cert_cb.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The CA names a server's CertificateRequest listed, kept before the client certificate
    /// callback runs (it may look at them with `SSL_get_client_CA_list`).
    pub(in crate::core) fn set_peer_ca_names(&self, der: &[&[u8]]) {
        *lock(&self.peer_ca) = crate::libcrypto::NameStack::from_der(der).map(Arc::new);
    }

    /// `SSL_get0_peer_CA_list` / a client's `SSL_get_client_CA_list`: what the server listed
    /// (NULL before a CertificateRequest).
    pub fn peer_ca_names(&self) -> Option<Arc<crate::libcrypto::NameStack>> {
        lock(&self.peer_ca).clone()
    }

    /// `SSL_dup`: a connection that has started is shared (one more reference, the same
    /// handle); one that has not is copied as OpenSSL does: a new connection of the same
    /// context with this one's settings (options, versions, ciphers, verification, certificate,
    /// session id context, client CA list), method, role, callbacks, verify parameters and
    /// session. BIOs and ex_data are not copied (OpenSSL 3.0 does not copy BIOs; it duplicates
    /// ex_data through the program's dup callbacks, which ferrossl does not run).
    pub fn duplicate(self: &Arc<Self>) -> Result<Arc<Connection>, Error> {
        if !self.in_before() {
            registry::up_ref(&**self);
            return Ok(self.clone());
        }
        let copy = Connection::new(self.ctx())?;
        let mut settings = self.settings().clone();
        for list in [&mut settings.own_client_ca, &mut settings.own_ca_names] {
            if let Some(own) = list.as_ref() {
                let dup = own
                    .duplicate()
                    .ok_or_else(|| Error::Internal("out of memory".into()))?;
                *list = Some(Arc::new(dup));
            }
        }
        *copy.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
        *copy.own_method.write().unwrap_or_else(|e| e.into_inner()) = *read(&self.own_method);
        *copy.own_cert_cb.write().unwrap_or_else(|e| e.into_inner()) =
            read(&self.own_cert_cb).clone();
        copy.set_info_callback(self.info_callback());
        copy.param.set_from(&self.param);
        {
            let from = lock(&self.wire);
            let mut to = lock(&copy.wire);
            to.role = from.role;
            to.state_set = from.state_set;
        }
        *lock(&copy.shutdown) = self.shutdown_flags();
        copy.set_session(self.session());
        Ok(copy)
    }
}
