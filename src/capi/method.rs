//! `SSL_METHOD`s (ssl(7), SSL_CTX_new(3)): statics naming a role and a version range.

#![allow(non_snake_case)]

use std::ffi::c_int;

use ferrossl_macros::export;

use crate::core::context::{self, Method, Role};
use crate::core::error::{Error, Result};

/// `SSL_METHOD`.
#[repr(C)]
pub struct ssl_method_st {
    role: c_int,
    version: c_int,
}

const ANY: c_int = 0;
const CLIENT: c_int = 1;
const SERVER: c_int = 2;

static TLS_ANY: ssl_method_st = ssl_method_st {
    role: ANY,
    version: 0,
};
static TLS_CLIENT: ssl_method_st = ssl_method_st {
    role: CLIENT,
    version: 0,
};
static TLS_SERVER: ssl_method_st = ssl_method_st {
    role: SERVER,
    version: 0,
};
static TLS12_ANY: ssl_method_st = ssl_method_st {
    role: ANY,
    version: context::TLS1_2_VERSION,
};
static TLS12_CLIENT: ssl_method_st = ssl_method_st {
    role: CLIENT,
    version: context::TLS1_2_VERSION,
};
static TLS12_SERVER: ssl_method_st = ssl_method_st {
    role: SERVER,
    version: context::TLS1_2_VERSION,
};
static TLS11_ANY: ssl_method_st = ssl_method_st {
    role: ANY,
    version: context::TLS1_1_VERSION,
};
static TLS11_CLIENT: ssl_method_st = ssl_method_st {
    role: CLIENT,
    version: context::TLS1_1_VERSION,
};
static TLS11_SERVER: ssl_method_st = ssl_method_st {
    role: SERVER,
    version: context::TLS1_1_VERSION,
};
static TLS1_ANY: ssl_method_st = ssl_method_st {
    role: ANY,
    version: context::TLS1_VERSION,
};
static TLS1_CLIENT: ssl_method_st = ssl_method_st {
    role: CLIENT,
    version: context::TLS1_VERSION,
};
static TLS1_SERVER: ssl_method_st = ssl_method_st {
    role: SERVER,
    version: context::TLS1_VERSION,
};

static ALL: [&ssl_method_st; 12] = [
    &TLS_ANY,
    &TLS_CLIENT,
    &TLS_SERVER,
    &TLS12_ANY,
    &TLS12_CLIENT,
    &TLS12_SERVER,
    &TLS11_ANY,
    &TLS11_CLIENT,
    &TLS11_SERVER,
    &TLS1_ANY,
    &TLS1_CLIENT,
    &TLS1_SERVER,
];

/// Resolves a method pointer to one of ours; TLS 1.0/1.1-only methods are refused.
pub fn resolve(m: *const ssl_method_st) -> Result<Method> {
    if m.is_null() {
        return Err(Error::Misuse {
            reason: 196, // SSL_R_NULL_SSL_METHOD_PASSED
            detail: "SSL_METHOD is NULL".into(),
        });
    }
    let m = ALL
        .iter()
        .find(|s| std::ptr::eq(**s, m))
        .ok_or_else(|| Error::InvalidArgument("not an SSL_METHOD of this library".into()))?;
    // A TLS 1.0 or 1.1 method makes a context, as in OpenSSL; its handshakes fail with "no
    // protocols available" (rustls implements TLS 1.2 and 1.3 only, and OpenSSL 3.0's default
    // security level refuses those versions too).
    let role = match m.role {
        CLIENT => Role::Client,
        SERVER => Role::Server,
        _ => Role::Any,
    };
    Ok(Method {
        role,
        version: m.version,
    })
}

/// The static for a resolved method (`SSL_get_ssl_method`).
pub fn of(m: Method) -> *const ssl_method_st {
    let role = match m.role {
        Role::Client => CLIENT,
        Role::Server => SERVER,
        Role::Any => ANY,
    };
    ALL.iter()
        .find(|s| s.role == role && s.version == m.version)
        .map_or(std::ptr::null(), |s| *s)
}

// cbindgen cannot see through macros, so each export is written out.
#[export]
#[no_mangle]
pub extern "C" fn TLS_method() -> *const ssl_method_st {
    Ok(&TLS_ANY)
}
#[export]
#[no_mangle]
pub extern "C" fn TLS_client_method() -> *const ssl_method_st {
    Ok(&TLS_CLIENT)
}
#[export]
#[no_mangle]
pub extern "C" fn TLS_server_method() -> *const ssl_method_st {
    Ok(&TLS_SERVER)
}
/// TLS 1.2 only.
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_2_method() -> *const ssl_method_st {
    Ok(&TLS12_ANY)
}
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_2_client_method() -> *const ssl_method_st {
    Ok(&TLS12_CLIENT)
}
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_2_server_method() -> *const ssl_method_st {
    Ok(&TLS12_SERVER)
}
/// Differs from OpenSSL: `SSL_CTX_new` refuses the TLS 1.1 methods.
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_1_method() -> *const ssl_method_st {
    Ok(&TLS11_ANY)
}
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_1_client_method() -> *const ssl_method_st {
    Ok(&TLS11_CLIENT)
}
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_1_server_method() -> *const ssl_method_st {
    Ok(&TLS11_SERVER)
}
/// Differs from OpenSSL: `SSL_CTX_new` refuses the TLS 1.0 methods.
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_method() -> *const ssl_method_st {
    Ok(&TLS1_ANY)
}
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_client_method() -> *const ssl_method_st {
    Ok(&TLS1_CLIENT)
}
#[export]
#[no_mangle]
pub extern "C" fn TLSv1_server_method() -> *const ssl_method_st {
    Ok(&TLS1_SERVER)
}

/// `SSL_get_ssl_method`: the method of the connection's context; as OpenSSL, once TLS 1.2 is
/// negotiated, that version's method for the connection's role (OpenSSL's TLS 1.3 methods are
/// internal: for TLS 1.3 the context's).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_ssl_method(s: *const super::types::SSL) -> *const ssl_method_st {
    let conn = super::handle::ssl(s)?;
    let negotiated = conn.handshake_info().map(|h| h.version);
    Ok(match (negotiated, conn.role()) {
        (Some(context::TLS1_2_VERSION), Some(role @ (Role::Client | Role::Server))) => of(Method {
            role,
            version: context::TLS1_2_VERSION,
        }),
        _ => of(conn.method()),
    })
}

/// `SSL_CTX_set_ssl_version`: the context's method from now on; as OpenSSL, the cipher lists
/// go back to the defaults. 1; 0 with an error for NULL or a method that is not a TLS one.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_ssl_version(
    ctx: *mut super::types::SSL_CTX,
    meth: *const ssl_method_st,
) -> c_int {
    let ctx = super::handle::ctx(ctx)?;
    ctx.set_method(resolve(meth)?)?;
    Ok(1)
}

/// `SSL_set_ssl_method`: the connection's method from now on (a role it already has stays).
/// 1; 0 with an error for NULL or a method that is not a TLS one.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_ssl_method(
    s: *mut super::types::SSL,
    meth: *const ssl_method_st,
) -> c_int {
    let conn = super::handle::ssl(s)?;
    conn.set_method(resolve(meth)?);
    Ok(1)
}
