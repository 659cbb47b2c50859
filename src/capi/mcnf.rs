//! SSL_CTX_config(3): applying a section of the configuration file's `ssl_conf` module, as
//! OpenSSL's libssl does: libcrypto's `ssl_conf` module keeps the sections it read, and each
//! command of the named one goes through `SSL_CONF_cmd` (configuration-file names).
//!
//! The same code applies the system policy, the `system_default` section, to every new context
//! (`SSL_CTX_new` calls [`system_default`]), as OpenSSL 3's `ssl_ctx_system_config`: the
//! configuration file is the one libcrypto loads (`OPENSSL_CONF`, else `openssl.cnf` in
//! OpenSSL's directory). A failing command there is ignored, unless libcrypto can tell that
//! the file sets `config_diagnostics` (3.4 and later: Debian 13's 3.5): then its errors are
//! queued and `SSL_CTX_new` fails with "error in system default config", as OpenSSL 3.5.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_uint, CStr};
use std::ptr;

use super::conf::{
    SSL_CONF_CTX_finish, SSL_CONF_CTX_free, SSL_CONF_CTX_new, SSL_CONF_CTX_set_flags,
    SSL_CONF_CTX_set_ssl, SSL_CONF_CTX_set_ssl_ctx,
};
use super::conf_cmd::SSL_CONF_cmd;
use super::handle;
use super::types::*;
use crate::core::context::Role;
use crate::core::error::{Error, Result};
use crate::libcrypto::ffi::{conf_ssl_get, conf_ssl_get_cmd, conf_ssl_name_find};

const SSL_CONF_FLAG_FILE: c_uint = 0x2;
const SSL_CONF_FLAG_CLIENT: c_uint = 0x4;
const SSL_CONF_FLAG_SERVER: c_uint = 0x8;
const SSL_CONF_FLAG_CERTIFICATE: c_uint = 0x20;
const SSL_CONF_FLAG_REQUIRE_PRIVATE: c_uint = 0x40;
const SSL_CONF_FLAG_SHOW_ERRORS: c_uint = 0x10;
const OPENSSL_INIT_LOAD_CONFIG: u64 = 0x40;
/// `SSL_R_INVALID_CONFIGURATION_NAME`.
const INVALID_CONFIGURATION_NAME: c_int = 113;

/// What the configuration is applied to.
enum To {
    Ctx(*mut SSL_CTX),
    Ssl(*mut SSL),
}

fn config(to: To, name: *const c_char, system: bool) -> Result<c_int> {
    let role = match to {
        To::Ctx(ctx) => handle::ctx(ctx)?.method().role,
        To::Ssl(s) => handle::ssl(s)?.method().role,
    };
    // As OpenSSL's libssl, which loads the configuration file when it initialises.
    // SAFETY: plain library initialisation (idempotent).
    unsafe { crate::libcrypto::ffi::OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, ptr::null()) };
    let mut idx = 0usize;
    // SAFETY: a C string argument (libcrypto answers 0 for NULL).
    if unsafe { conf_ssl_name_find(name, &mut idx) } == 0 {
        let shown = if name.is_null() {
            "(null)".into()
        } else {
            // SAFETY: as above.
            unsafe { CStr::from_ptr(name) }.to_string_lossy()
        };
        if system {
            // No system policy: nothing to apply (OpenSSL queues nothing).
            return Ok(1);
        }
        return Err(Error::Misuse {
            reason: INVALID_CONFIGURATION_NAME,
            detail: format!("name={shown}"),
        });
    }
    let mut section: *const c_char = ptr::null();
    let mut count = 0usize;
    // SAFETY: idx was just found; libcrypto owns the commands until the module is unloaded.
    let cmds = unsafe { conf_ssl_get(idx, &mut section, &mut count) };
    let cctx = SSL_CONF_CTX_new();
    if cctx.is_null() {
        return Ok(0);
    }
    // The system policy may not load certificates or keys; libcrypto 3.5's diagnostics make
    // its failures visible.
    let diagnostics = system && crate::libcrypto::conf_diagnostics();
    let mut flags = SSL_CONF_FLAG_FILE;
    if !system {
        flags |= SSL_CONF_FLAG_CERTIFICATE | SSL_CONF_FLAG_REQUIRE_PRIVATE;
    }
    if diagnostics {
        flags |= SSL_CONF_FLAG_SHOW_ERRORS;
    }
    if role != Role::Client {
        flags |= SSL_CONF_FLAG_SERVER;
    }
    if role != Role::Server {
        flags |= SSL_CONF_FLAG_CLIENT;
    }
    match to {
        To::Ctx(ctx) => SSL_CONF_CTX_set_ssl_ctx(cctx, ctx),
        To::Ssl(s) => SSL_CONF_CTX_set_ssl(cctx, s),
    }
    SSL_CONF_CTX_set_flags(cctx, flags);
    let mut failed = 0;
    for i in 0..count {
        let (mut cmd, mut arg) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: i < count; the strings stay libcrypto's, valid for the calls below.
        unsafe { conf_ssl_get_cmd(cmds, i, &mut cmd, &mut arg) };
        // SAFETY: NUL-terminated strings from the configuration.
        if unsafe { SSL_CONF_cmd(cctx, cmd, arg) } <= 0 {
            failed += 1;
        }
    }
    if SSL_CONF_CTX_finish(cctx) == 0 {
        failed += 1;
    }
    SSL_CONF_CTX_free(cctx);
    Ok(c_int::from(failed == 0 || (system && !diagnostics)))
}

/// Applies the system policy (`ssl_conf`'s `system_default` section) to a new context: false
/// when the context must not be handed out (OpenSSL 3.5's diagnostics found an error).
pub fn system_default(ctx: *mut SSL_CTX) -> bool {
    match config(To::Ctx(ctx), c"system_default".as_ptr(), true) {
        Ok(ok) => ok == 1,
        Err(e) => {
            super::boundary::raise_here(&e);
            false
        }
    }
}

/// `SSL_CTX_config`: applies the `ssl_conf` section `name`; 1 when every command succeeded.
/// An unknown name fails with `SSL_R_INVALID_CONFIGURATION_NAME`, as OpenSSL.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_config(ctx: *mut SSL_CTX, name: *const c_char) -> c_int {
    config(To::Ctx(ctx), name, false)
}

/// `SSL_config`: as `SSL_CTX_config`, for one connection.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_config(s: *mut SSL, name: *const c_char) -> c_int {
    config(To::Ssl(s), name, false)
}
