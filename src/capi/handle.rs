//! Handles: C pointers to and from the objects in `core::registry`'s tables.

use std::sync::Arc;

use super::types::{SSL, SSL_CTX, SSL_SESSION};
use crate::core::connection::Connection;
use crate::core::context::Context;
use crate::core::error::{Error, Result};
use crate::core::registry::Object;
use crate::core::session::Session;

/// The kind of object a pointer names, if any (for "wrong kind" errors).
fn kind_of(id: usize) -> Option<&'static str> {
    if Context::table().contains(id) {
        Some(Context::KIND)
    } else if Connection::table().contains(id) {
        Some(Connection::KIND)
    } else if Session::table().contains(id) {
        Some(Session::KIND)
    } else {
        None
    }
}

fn lookup<T: Object>(id: usize) -> Result<Arc<T>> {
    if id == 0 {
        return Err(Error::NullHandle(T::KIND));
    }
    T::table().get(id).ok_or_else(|| Error::BadHandle {
        expected: T::KIND,
        found: kind_of(id),
    })
}

pub fn ctx(p: *const SSL_CTX) -> Result<Arc<Context>> {
    lookup(p as usize)
}

pub fn ssl(p: *const SSL) -> Result<Arc<Connection>> {
    lookup(p as usize)
}

pub fn session(p: *const SSL_SESSION) -> Result<Arc<Session>> {
    lookup(p as usize)
}

/// The C pointer for a live object.
pub fn ptr<T: Object, C>(obj: &T) -> *mut C {
    obj.refs().id() as *mut C
}

/// The C pointer for an object id.
pub fn id_ptr<C>(id: usize) -> *mut C {
    id as *mut C
}
