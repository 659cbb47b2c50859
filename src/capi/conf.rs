//! SSL_CONF_CTX_new(3), SSL_CONF_CTX_set_flags(3), SSL_CONF_CTX_set1_prefix(3),
//! SSL_CONF_CTX_set_ssl_ctx(3): the `SSL_CONF_CTX` objects, which configure an `SSL_CTX` or
//! `SSL` from name/value commands (nginx's `ssl_conf_command`, configuration files, command
//! lines). The command table and value grammar are `core::conf`'s; `conf_cmd` runs the
//! commands.
//!
//! An `SSL_CONF_CTX*` is a handle like every other (NULL, freed or foreign pointers are
//! reported, never followed). It names its `SSL_CTX`/`SSL` by handle too, without a reference,
//! as OpenSSL's does: a command after that object was freed fails instead of reaching it.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_uint, CStr, CString};
use std::sync::{Mutex, OnceLock};

use super::args;
use super::context::Target;
use super::handle;
use super::raise;
use super::types::*;
use crate::core::conf::Conf;
use crate::core::error::{Error, Result};
use crate::core::registry::{self, Object, Refs, Table};
use crate::libcrypto::Store;

/// What an `SSL_CONF_CTX` configures: a handle id, resolved at each use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attached {
    Nothing,
    Ctx(usize),
    Ssl(usize),
}

pub(super) struct State {
    pub(super) conf: Conf,
    attached: Attached,
    /// The file of the last `Certificate` (for `SSL_CONF_FLAG_REQUIRE_PRIVATE`).
    pub(super) cert_file: Option<CString>,
    /// CA names collected by `RequestCAFile` and friends (DER `X509_NAME`s), set by `finish`.
    pub(super) ca_names: Option<Vec<Vec<u8>>>,
    /// The verification store this `SSL_CONF_CTX` installed in its `SSL_CTX`.
    pub(super) verify_store: Option<Store>,
}

/// An `SSL_CONF_CTX`.
pub struct ConfCtx {
    refs: Refs,
    state: Mutex<State>,
}

impl Object for ConfCtx {
    const KIND: &'static str = "SSL_CONF_CTX";
    const TAG: usize = 3;
    fn refs(&self) -> &Refs {
        &self.refs
    }
    fn table() -> &'static Table<Self> {
        static T: OnceLock<Table<ConfCtx>> = OnceLock::new();
        T.get_or_init(Table::new)
    }
}

pub(super) fn conf_ctx(p: *const SSL_CONF_CTX) -> Result<std::sync::Arc<ConfCtx>> {
    let id = p as usize;
    if id == 0 {
        return Err(Error::NullHandle(ConfCtx::KIND));
    }
    ConfCtx::table().get(id).ok_or(Error::BadHandle {
        expected: ConfCtx::KIND,
        found: None,
    })
}

/// Runs `f` on the state of a live `SSL_CONF_CTX`. An `SSL_CONF_CTX` is used by one thread at a
/// time (as OpenSSL's); a call re-entering it from a callback fails instead of deadlocking.
pub(super) fn with_state<R>(
    p: *const SSL_CONF_CTX,
    f: impl FnOnce(&mut State) -> Result<R>,
) -> Result<R> {
    let cc = conf_ctx(p)?;
    let mut guard = match cc.state.try_lock() {
        Ok(g) => g,
        Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return Err(Error::Reentrant("SSL_CONF_CTX")),
    };
    f(&mut guard)
}

impl State {
    /// The attached object, resolved now; `None` when nothing is attached.
    pub(super) fn target(&self) -> Result<Option<Target>> {
        Ok(match self.attached {
            Attached::Nothing => None,
            Attached::Ctx(id) => Some(Target::Ctx(handle::ctx(handle::id_ptr(id))?)),
            Attached::Ssl(id) => Some(Target::Ssl(handle::ssl(handle::id_ptr(id))?)),
        })
    }

    fn attach(&mut self, to: Attached) {
        self.attached = to;
        self.cert_file = None;
        self.verify_store = None;
    }
}

/// `SSL_CONF_CTX_new`: a context with no flags, no prefix and nothing attached.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_new() -> *mut SSL_CONF_CTX {
    let cc = ConfCtx::table().insert_with(|refs| ConfCtx {
        refs,
        state: Mutex::new(State {
            conf: Conf::default(),
            attached: Attached::Nothing,
            cert_file: None,
            ca_names: None,
            verify_store: None,
        }),
    });
    Ok(handle::ptr(&*cc))
}

/// `SSL_CONF_CTX_free`: NULL is ignored; a freed or invalid handle is reported and otherwise
/// ignored.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_free(cctx: *mut SSL_CONF_CTX) {
    if cctx.is_null() {
        return Ok(());
    }
    registry::release(&*conf_ctx(cctx)?);
    Ok(())
}

/// `SSL_CONF_CTX_set_flags`: adds `SSL_CONF_FLAG_*` flags; returns the new set (0 for an
/// invalid handle).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_set_flags(cctx: *mut SSL_CONF_CTX, flags: c_uint) -> c_uint {
    with_state(cctx, |st| {
        st.conf.flags |= flags;
        Ok(st.conf.flags)
    })
}

/// `SSL_CONF_CTX_clear_flags`: removes flags; returns the new set.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_clear_flags(cctx: *mut SSL_CONF_CTX, flags: c_uint) -> c_uint {
    with_state(cctx, |st| {
        st.conf.flags &= !flags;
        Ok(st.conf.flags)
    })
}

/// `SSL_CONF_CTX_set1_prefix`: the prefix command names carry (NULL: none; for command lines
/// the default is `-`); 1 on success.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set1_prefix(
    cctx: *mut SSL_CONF_CTX,
    pre: *const c_char,
) -> c_int {
    let pre = if pre.is_null() {
        None
    } else {
        // SAFETY: a C string argument.
        Some(unsafe { args::cstr(pre, "prefix") }?.to_bytes())
    };
    with_state(cctx, |st| {
        st.conf.set_prefix(pre);
        Ok(1)
    })
}

/// The id a non-NULL handle argument names; an invalid one is reported now and kept, so that
/// the commands that follow fail rather than configure nothing.
fn attach_id(func: &CStr, p: usize, check: impl FnOnce() -> Result<()>) -> usize {
    if p != 0 {
        if let Err(e) = check() {
            raise(func, &e);
        }
    }
    p
}

/// `SSL_CONF_CTX_set_ssl_ctx`: the commands that follow configure `ctx` (NULL: nothing).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_set_ssl_ctx(cctx: *mut SSL_CONF_CTX, ctx: *mut SSL_CTX) {
    let id = attach_id(c"SSL_CONF_CTX_set_ssl_ctx", ctx as usize, || {
        handle::ctx(ctx).map(|_| ())
    });
    with_state(cctx, |st| {
        st.attach(if id == 0 {
            Attached::Nothing
        } else {
            Attached::Ctx(id)
        });
        Ok(())
    })
}

/// `SSL_CONF_CTX_set_ssl`: the commands that follow configure `ssl` (NULL: nothing).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_set_ssl(cctx: *mut SSL_CONF_CTX, ssl: *mut SSL) {
    let id = attach_id(c"SSL_CONF_CTX_set_ssl", ssl as usize, || {
        handle::ssl(ssl).map(|_| ())
    });
    with_state(cctx, |st| {
        st.attach(if id == 0 {
            Attached::Nothing
        } else {
            Attached::Ssl(id)
        });
        Ok(())
    })
}

/// `SSL_CONF_CTX_finish`: loads the private key `SSL_CONF_FLAG_REQUIRE_PRIVATE` asks for and
/// installs the CA names collected; 1 on success, 0 on failure.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_finish(cctx: *mut SSL_CONF_CTX) -> c_int {
    with_state(cctx, |st| st.finish().map(|_| 1))
}

#[cfg(test)]
mod tests {
    use std::ptr;

    use super::*;
    use crate::capi::conf_cmd::{SSL_CONF_cmd, SSL_CONF_cmd_argv, SSL_CONF_cmd_value_type};
    use crate::capi::context::{SSL_CTX_free, SSL_CTX_get_options, SSL_CTX_new};
    use crate::core::conf;
    use crate::libcrypto;

    #[test]
    fn invalid_handles_fail_without_crashing() {
        let bogus = 0x5e55_dead_0000usize as *mut SSL_CONF_CTX;
        // SAFETY: the functions take any pointer and report invalid ones.
        unsafe {
            assert_eq!(
                SSL_CONF_cmd(ptr::null_mut(), c"Options".as_ptr(), c"x".as_ptr()),
                0
            );
            assert_eq!(SSL_CONF_cmd(bogus, c"Options".as_ptr(), c"x".as_ptr()), 0);
            assert_eq!(SSL_CONF_CTX_set_flags(bogus, 2), 0);
            assert_eq!(SSL_CONF_CTX_finish(bogus), 0);
            assert_eq!(SSL_CONF_cmd_value_type(bogus, c"Options".as_ptr()), 0);
            SSL_CONF_CTX_free(ptr::null_mut());
            let cc = SSL_CONF_CTX_new();
            assert!(!cc.is_null());
            SSL_CONF_CTX_free(cc);
            SSL_CONF_CTX_free(cc); // a double free is reported, not followed
            assert_eq!(SSL_CONF_CTX_set_flags(cc, 2), 0);
            let mut argc = 1;
            let mut argv = ptr::null_mut();
            assert_eq!(SSL_CONF_cmd_argv(cc, &mut argc, &mut argv), 0);
            libcrypto::ffi::ERR_clear_error();
        }
    }

    #[test]
    fn a_freed_ssl_ctx_fails_the_commands_that_follow() {
        // SAFETY: handles from this library.
        unsafe {
            let ctx = SSL_CTX_new(crate::capi::method::TLS_server_method());
            let cc = SSL_CONF_CTX_new();
            assert_eq!(SSL_CONF_CTX_set_flags(cc, 0x0a), 0x0a);
            SSL_CONF_CTX_set_ssl_ctx(cc, ctx);
            let before = SSL_CTX_get_options(ctx);
            assert_eq!(
                SSL_CONF_cmd(cc, c"Options".as_ptr(), c"-SessionTicket".as_ptr()),
                2
            );
            assert_eq!(SSL_CTX_get_options(ctx), before | conf::op::NO_TICKET);
            assert_eq!(SSL_CONF_cmd(cc, c"-no_ticket".as_ptr(), ptr::null()), -2);
            assert_eq!(SSL_CONF_cmd(cc, c"Options".as_ptr(), ptr::null()), -3);
            SSL_CTX_free(ctx);
            assert_eq!(
                SSL_CONF_cmd(cc, c"Options".as_ptr(), c"SessionTicket".as_ptr()),
                0
            );
            assert_eq!(SSL_CONF_CTX_finish(cc), 0);
            SSL_CONF_CTX_set_ssl_ctx(cc, ptr::null_mut());
            assert_eq!(
                SSL_CONF_cmd(cc, c"Options".as_ptr(), c"SessionTicket".as_ptr()),
                2
            );
            assert_eq!(SSL_CONF_CTX_finish(cc), 1);
            SSL_CONF_CTX_free(cc);
            libcrypto::ffi::ERR_clear_error();
        }
    }
}
