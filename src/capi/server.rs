//! The server's choices: SSL_CTX_set_alpn_select_cb(3) and SSL_select_next_proto(3),
//! SSL_CTX_set_tlsext_servername_callback(3) (through `SSL_CTX_callback_ctrl`) and
//! SSL_set_SSL_CTX(3), SSL_CTX_set_num_tickets(3), SSL_CTX_set_client_CA_list(3) and
//! SSL_load_client_CA_file(3).

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_uchar, c_uint, c_void};
use std::ptr;
use std::sync::Arc;

use super::args;
use super::context::{ctx_target, ssl_target};
use super::handle;
use super::types::*;
use crate::core::callbacks::{AlpnAnswer, AlpnSelectFn, Hook, ServernameFn, StatusFn};
use crate::core::error::{reason, Error, Result};
use crate::libcrypto::{self, Bio, PasswordCb};

const SSL_TLSEXT_ERR_OK: c_int = 0;
const SSL_TLSEXT_ERR_ALERT_FATAL: c_int = 2;
const OPENSSL_NPN_NEGOTIATED: c_int = 1;
const OPENSSL_NPN_NO_OVERLAP: c_int = 2;

type AlpnCb = unsafe extern "C" fn(
    *mut SSL,
    *mut *const c_uchar,
    *mut c_uchar,
    *const c_uchar,
    c_uint,
    *mut c_void,
) -> c_int;

/// `SSL_CTX_set_alpn_select_cb`: a server's choice among the client's ALPN protocols.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_alpn_select_cb(
    ctx: *mut SSL_CTX,
    cb: SSL_CTX_alpn_select_cb_func,
    arg: *mut c_void,
) {
    let arg = arg as usize;
    let ctx = handle::ctx(ctx)?;
    let hook = cb.map(|f: AlpnCb| Hook {
        raw: f as usize,
        call: Arc::new(move |ssl: usize, offered: &[u8]| {
            let mut out: *const c_uchar = ptr::null();
            let mut outlen: c_uchar = 0;
            // SAFETY: the program registered f; `offered` outlives the call, and `out`
            // points into `offered` or into memory the program keeps alive.
            let r = unsafe {
                f(
                    handle::id_ptr(ssl),
                    &mut out,
                    &mut outlen,
                    offered.as_ptr(),
                    offered.len() as c_uint,
                    arg as *mut c_void,
                )
            };
            match r {
                SSL_TLSEXT_ERR_OK if !out.is_null() && outlen > 0 => {
                    // SAFETY: the callback returned outlen readable bytes at out.
                    AlpnAnswer::Selected(
                        unsafe { std::slice::from_raw_parts(out, outlen as usize) }.to_vec(),
                    )
                }
                SSL_TLSEXT_ERR_ALERT_FATAL => AlpnAnswer::Fatal,
                _ => AlpnAnswer::NoAck,
            }
        }) as Arc<AlpnSelectFn>,
    });
    ctx.set_callbacks(|c| c.alpn_select = hook);
    Ok(())
}

/// Walks an ALPN/NPN wire-format list.
fn protos(wire: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = wire;
    while let Some((&n, tail)) = rest.split_first() {
        let n = usize::from(n);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push(&tail[..n]);
        rest = &tail[n..];
    }
    out
}

/// `SSL_select_next_proto`: the first of the server's protocols that the client offers
/// (`OPENSSL_NPN_NEGOTIATED`), else the client's first (`OPENSSL_NPN_NO_OVERLAP`). `*out`
/// points into one of the two lists.
#[export(fail = OPENSSL_NPN_NO_OVERLAP)]
#[no_mangle]
pub unsafe extern "C" fn SSL_select_next_proto(
    out: *mut *mut c_uchar,
    outlen: *mut c_uchar,
    server: *const c_uchar,
    server_len: c_uint,
    client: *const c_uchar,
    client_len: c_uint,
) -> c_int {
    // SAFETY: the caller passes lists of the given lengths.
    let (s, c) = unsafe {
        (
            args::bytes(server, server_len as usize, "server")?,
            args::bytes(client, client_len as usize, "client")?,
        )
    };
    let (sp, cp) = (protos(s), protos(c));
    let (pick, status) = match sp.iter().find(|p| cp.contains(p)) {
        Some(p) => (Some(*p), OPENSSL_NPN_NEGOTIATED),
        None => (cp.first().copied(), OPENSSL_NPN_NO_OVERLAP),
    };
    let (p, n) = pick.map_or((ptr::null_mut(), 0), |p| {
        (p.as_ptr() as *mut c_uchar, p.len() as c_uchar)
    });
    // SAFETY: out-parameters.
    unsafe {
        args::out(out, p);
        args::out(outlen, n);
    }
    Ok(status)
}

type ServernameCb = unsafe extern "C" fn(*mut SSL, *mut c_int, *mut c_void) -> c_int;

/// Installs the servername callback (`SSL_CTRL_SET_TLSEXT_SERVERNAME_CB`), called with the
/// context's servername argument.
pub fn set_servername_callback(ctx: *mut SSL_CTX, f: Option<unsafe extern "C" fn()>) -> Result<()> {
    let ctx = handle::ctx(ctx)?;
    let weak = Arc::downgrade(&ctx);
    let hook = f.map(|f| {
        // SAFETY: SSL_CTX_set_tlsext_servername_callback passes a ServernameCb cast to this type.
        let f: ServernameCb =
            unsafe { std::mem::transmute::<unsafe extern "C" fn(), ServernameCb>(f) };
        Hook {
            raw: f as usize,
            call: Arc::new(move |ssl: usize| {
                let arg = weak.upgrade().map_or(0, |c| c.callbacks().servername_arg);
                let mut al: c_int = 112; // unrecognized_name
                                         // SAFETY: the program registered f as its servername callback.
                let r = unsafe { f(handle::id_ptr(ssl), &mut al, arg as *mut c_void) };
                (r, al)
            }) as Arc<ServernameFn>,
        }
    });
    ctx.set_callbacks(|c| c.servername = hook);
    Ok(())
}

/// Installs the OCSP status callback (`SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB`), called with the
/// context's status argument when a server picks its certificate.
pub fn set_status_callback(ctx: *mut SSL_CTX, f: Option<unsafe extern "C" fn()>) -> Result<()> {
    let ctx = handle::ctx(ctx)?;
    let weak = Arc::downgrade(&ctx);
    let hook = f.map(|f| {
        // SAFETY: SSL_CTX_set_tlsext_status_cb passes an int (*)(SSL *, void *) cast to this type.
        let f: StatusCb = unsafe { std::mem::transmute::<unsafe extern "C" fn(), StatusCb>(f) };
        Hook {
            raw: f as usize,
            call: Arc::new(move |ssl: usize| {
                let arg = weak.upgrade().map_or(0, |c| c.callbacks().status_arg);
                // SAFETY: the program registered f as its status callback.
                unsafe { f(handle::id_ptr(ssl), arg as *mut c_void) }
            }) as Arc<StatusFn>,
        }
    });
    ctx.set_callbacks(|c| c.status = hook);
    Ok(())
}

type StatusCb = unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int;

/// `SSL_set_SSL_CTX`: moves the connection to another context (from a servername callback);
/// returns the context now in use, NULL on failure.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_SSL_CTX(ssl: *mut SSL, ctx: *mut SSL_CTX) -> *mut SSL_CTX {
    let conn = handle::ssl(ssl)?;
    if ctx.is_null() {
        return Ok(handle::ptr(&*conn.ctx()));
    }
    let new = handle::ctx(ctx)?;
    if !Arc::ptr_eq(&new, &conn.ctx()) {
        conn.set_ctx(new);
    }
    Ok(ctx)
}

/// `SSL_CTX_set_num_tickets`: TLS 1.3 tickets a server sends after a handshake; 1.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_num_tickets(ctx: *mut SSL_CTX, num: usize) -> c_int {
    ctx_target(ctx)?.update(|s| {
        s.num_tickets = num;
        Ok(1)
    })
}

/// `SSL_set_num_tickets`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_num_tickets(s: *mut SSL, num: usize) -> c_int {
    ssl_target(s)?.update(|st| {
        st.num_tickets = num;
        Ok(1)
    })
}

/// `SSL_CTX_get_num_tickets`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_num_tickets(ctx: *const SSL_CTX) -> usize {
    Ok(ctx_target(ctx)?.read(|s| s.num_tickets))
}

/// `SSL_get_num_tickets`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_num_tickets(s: *const SSL) -> usize {
    Ok(ssl_target(s)?.read(|st| st.num_tickets))
}

use libcrypto::ffi::{X509_NAME_cmp, X509_NAME_dup, X509_get_subject_name};

/// `SSL_load_client_CA_file`: the subject names of the certificates in a PEM file, as a new
/// `STACK_OF(X509_NAME)` the caller owns; NULL on failure.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_load_client_CA_file(file: *const c_char) -> *mut stack_st_X509_NAME {
    // SAFETY: a C string argument.
    let path = unsafe { args::cstr(file, "file") }?;
    let bio = Bio::open(path).ok_or_else(|| Error::BadFile {
        reason: crate::core::error::reason::SYS_LIB,
        detail: format!("cannot open {}", path.to_string_lossy()),
    })?;
    // SAFETY: a fresh stack; each pushed name is a copy we own until the caller takes it.
    unsafe {
        let sk = libcrypto::ffi::OPENSSL_sk_new_null();
        while let Some(cert) = bio.read_pem_x509(false, PasswordCb::default()) {
            let name = X509_get_subject_name(cert.as_ptr());
            let dup = (0..libcrypto::ffi::OPENSSL_sk_num(sk))
                .any(|i| X509_NAME_cmp(libcrypto::ffi::OPENSSL_sk_value(sk, i).cast(), name) == 0);
            if !dup {
                libcrypto::ffi::OPENSSL_sk_push(sk, X509_NAME_dup(name).cast());
            }
        }
        libcrypto::ffi::ERR_clear_error();
        if libcrypto::ffi::OPENSSL_sk_num(sk) == 0 {
            libcrypto::ffi::OPENSSL_sk_free(sk);
            return Err(Error::BadFile {
                reason: crate::core::error::reason::PEM_LIB,
                detail: format!("no certificates in {}", path.to_string_lossy()),
            });
        }
        Ok(sk.cast())
    }
}

/// `SSL_load_client_CA_file_ex`: as `SSL_load_client_CA_file` (the library context and
/// property query are not needed to read certificates).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_load_client_CA_file_ex(
    file: *const c_char,
    _libctx: *mut OSSL_LIB_CTX,
    _propq: *const c_char,
) -> *mut stack_st_X509_NAME {
    // SAFETY: forwarded.
    Ok(unsafe { SSL_load_client_CA_file(file) })
}

/// `SSL_CTX_set_client_CA_list`: the CA names sent in a CertificateRequest; takes ownership of
/// `list`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_client_CA_list(
    ctx: *mut SSL_CTX,
    list: *mut stack_st_X509_NAME,
) {
    let ctx = handle::ctx(ctx)?;
    // SAFETY: ownership of the stack and its names passes to us.
    let stack = unsafe { libcrypto::NameStack::from_raw(list.cast()) };
    let names = stack
        .as_ref()
        .map(libcrypto::NameStack::der_names)
        .unwrap_or_default();
    *ctx.client_ca_stack
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = stack;
    ctx.update(|s| {
        s.client_ca = names;
        Ok(())
    })
}

/// `SSL_CTX_get_client_CA_list`: the list (owned by the context), or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_client_CA_list(ctx: *const SSL_CTX) -> *mut stack_st_X509_NAME {
    let ctx = handle::ctx(ctx)?;
    let sk = ctx
        .client_ca_stack
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Ok(sk.as_ref().map_or(ptr::null_mut(), |s| s.as_ptr().cast()))
}

fn early_data(n: u32) -> Result<c_int> {
    if n == 0 {
        Ok(1)
    } else {
        // Some programs (nginx's ssl_early_data) do not check the result: say it where an
        // operator sees it (nginx sends standard error to its error log).
        eprintln!("ferrossl: notice: 0-RTT early data is not supported; connections go without it");
        Err(Error::Unsupported(
            "0-RTT early data is not supported by ferrossl (refused rather than accepted unsafely)"
                .into(),
        ))
    }
}

/// `SSL_CTX_set_max_early_data`: 0 (no early data) is accepted; anything else is refused.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_max_early_data(ctx: *mut SSL_CTX, max_early_data: u32) -> c_int {
    handle::ctx(ctx)?;
    early_data(max_early_data)
}

/// `SSL_set_max_early_data`: as `SSL_CTX_set_max_early_data`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_max_early_data(s: *mut SSL, max_early_data: u32) -> c_int {
    handle::ssl(s)?;
    early_data(max_early_data)
}

/// `SSL_CTX_get_max_early_data`: 0 (ferrossl accepts no early data).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_max_early_data(ctx: *const SSL_CTX) -> u32 {
    handle::ctx(ctx)?;
    Ok(0)
}

/// `SSL_get_max_early_data`: 0.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_max_early_data(s: *const SSL) -> u32 {
    handle::ssl(s)?;
    Ok(0)
}

/// `SSL_CTX_get_recv_max_early_data`: OpenSSL's default, 16384 (early data is never accepted,
/// so the limit has no effect).
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_get_recv_max_early_data(ctx: *const SSL_CTX) -> u32 {
    handle::ctx(ctx)?;
    Ok(16384)
}

/// `SSL_SESSION_get_max_early_data`: 0.
#[export]
#[no_mangle]
pub extern "C" fn SSL_SESSION_get_max_early_data(s: *const SSL_SESSION) -> u32 {
    handle::session(s)?;
    Ok(0)
}

/// Says once per process, on standard error (which nginx sends to its error log), that DH
/// parameters have no effect.
pub fn dh_notice() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        eprintln!(
            "ferrossl: notice: DH parameters are accepted and have no effect: rustls offers no \
             DHE key exchange (ECDHE and X25519MLKEM768 are used instead)"
        )
    });
}

/// `SSL_CTX_set0_tmp_dh_pkey`: takes ownership of the DH parameters and accepts them without
/// effect (no DHE in rustls); 1.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set0_tmp_dh_pkey(
    ctx: *mut SSL_CTX,
    dhpkey: *mut EVP_PKEY,
) -> c_int {
    handle::ctx(ctx)?;
    // SAFETY: ownership of one reference is handed over; dropping it frees it.
    drop(unsafe { libcrypto::PKey::from_raw(dhpkey.cast()) });
    dh_notice();
    Ok(1)
}

/// `SSL_set0_tmp_dh_pkey`: as `SSL_CTX_set0_tmp_dh_pkey`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_tmp_dh_pkey(s: *mut SSL, dhpkey: *mut EVP_PKEY) -> c_int {
    handle::ssl(s)?;
    // SAFETY: as above.
    drop(unsafe { libcrypto::PKey::from_raw(dhpkey.cast()) });
    dh_notice();
    Ok(1)
}

/// `SSL_read_early_data`: ferrossl accepts no 0-RTT data, so a server has none to read: the
/// handshake runs (0, `SSL_ERROR_WANT_READ`, while it waits for the peer), then `*readbytes` is 0
/// and the result `SSL_READ_EARLY_DATA_FINISH` (2). Differs from OpenSSL: the whole handshake
/// completes in the call (OpenSSL stops before the client's Finished).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_read_early_data(
    s: *mut SSL,
    _buf: *mut c_void,
    _num: usize,
    readbytes: *mut usize,
) -> c_int {
    let conn = handle::ssl(s)?;
    if !conn.is_server() || conn.is_init_finished() {
        return Err(Error::Misuse {
            reason: reason::SHOULD_NOT_HAVE_BEEN_CALLED,
            detail: "SSL_read_early_data is for a server before its handshake".into(),
        });
    }
    // As OpenSSL: the handshake runs (no early data is ever accepted), then FINISH.
    if !conn.state_set() {
        conn.set_role(crate::core::context::Role::Server)?;
    }
    match conn.handshake() {
        Ok(()) => {
            // SAFETY: out-parameter.
            unsafe { args::out(readbytes, 0) };
            Ok(2)
        }
        Err(e) => {
            super::io::failed(e, false);
            Ok(0)
        }
    }
}

/// `SSL_write_early_data`: refused (0): ferrossl sends no 0-RTT data.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_write_early_data(
    s: *mut SSL,
    _buf: *const c_void,
    _num: usize,
    written: *mut usize,
) -> c_int {
    handle::ssl(s)?;
    let _ = written;
    // As OpenSSL where no early data can be sent (no session allows it).
    Err(Error::Misuse {
        reason: reason::SHOULD_NOT_HAVE_BEEN_CALLED,
        detail: "no session allows 0-RTT early data".into(),
    })
}

/// `SSL_get_early_data_status`: `SSL_EARLY_DATA_NOT_SENT` (0).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_early_data_status(s: *const SSL) -> c_int {
    handle::ssl(s)?;
    Ok(0)
}

/// `SSL_sendfile`: -1. It needs kernel TLS offload, which ferrossl never enables (so
/// `BIO_get_ktls_send` is 0 and programs such as nginx use `SSL_write` instead); as OpenSSL
/// without kTLS, the call fails with an error.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_sendfile(
    s: *mut SSL,
    _fd: c_int,
    _offset: off_t,
    _size: usize,
    _flags: c_int,
) -> isize {
    handle::ssl(s)?;
    Err(Error::Misuse {
        reason: crate::core::error::reason::UNINITIALIZED,
        detail: "SSL_sendfile needs kernel TLS, which ferrossl does not use".into(),
    })
}

/// Adds a certificate's subject to a context's client CA list (the DER names sent and the
/// `STACK_OF(X509_NAME)` handed out).
fn add_client_ca(ctx: &Arc<crate::core::context::Context>, x: *mut X509) -> Result<c_int> {
    // SAFETY: a live X509 the caller keeps.
    let cert = unsafe { libcrypto::X509Cert::from_borrowed(x.cast()) }
        .ok_or(Error::NullArgument("X509"))?;
    let names = {
        let mut sk = ctx
            .client_ca_stack
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if sk.is_none() {
            *sk = libcrypto::NameStack::new();
        }
        let stack = sk
            .as_ref()
            .ok_or_else(|| Error::Internal("out of memory".into()))?;
        if !stack.push_subject_of(&cert) {
            return Err(Error::Internal("X509_NAME_dup failed".into()));
        }
        stack.der_names()
    };
    ctx.update(|s| {
        s.client_ca = names;
        Ok(1)
    })
}

/// `SSL_CTX_add_client_CA`: adds `cacert`'s subject to the CA names a server sends; 1.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_client_CA(ctx: *mut SSL_CTX, cacert: *mut X509) -> c_int {
    add_client_ca(&handle::ctx(ctx)?, cacert)
}

/// `SSL_get_client_CA_list`: a server's list (its own from `SSL_set_client_CA_list`, else its
/// context's); for a client, the CA names of the server's CertificateRequest (NULL before one).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_client_CA_list(s: *const SSL) -> *mut stack_st_X509_NAME {
    let conn = handle::ssl(s)?;
    if conn.role() == Some(crate::core::context::Role::Client) {
        return Ok(conn
            .peer_ca_names()
            .map_or(ptr::null_mut(), |sk| sk.as_ptr().cast()));
    }
    if let Some(own) = conn.settings().own_client_ca.clone() {
        return Ok(own.as_ptr().cast());
    }
    let ctx = conn.ctx();
    let sk = ctx
        .client_ca_stack
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Ok(sk.as_ref().map_or(ptr::null_mut(), |s| s.as_ptr().cast()))
}

/// `SSL_CTX_set_tlsext_ticket_key_evp_cb`: session tickets encrypted with the program's keys,
/// as `SSL_CTX_set_tlsext_ticket_key_cb` but with an `EVP_MAC_CTX`; 1.
#[export]
#[no_mangle]
pub extern "C" fn SSL_CTX_set_tlsext_ticket_key_evp_cb(
    ctx: *mut SSL_CTX,
    fp: Option<
        unsafe extern "C" fn(
            *mut SSL,
            *mut c_uchar,
            *mut c_uchar,
            *mut EVP_CIPHER_CTX,
            *mut EVP_MAC_CTX,
            c_int,
        ) -> c_int,
    >,
) -> c_int {
    let ctx = handle::ctx(ctx)?;
    // SAFETY: the program registers fp as its ticket key callback; only pointer types
    // differ between the two declarations.
    let cb = fp.map(|f| unsafe {
        libcrypto::TicketKeyCb::new_evp(std::mem::transmute::<
            unsafe extern "C" fn(
                *mut SSL,
                *mut c_uchar,
                *mut c_uchar,
                *mut EVP_CIPHER_CTX,
                *mut EVP_MAC_CTX,
                c_int,
            ) -> c_int,
            libcrypto::EvpTicketKeyFn,
        >(f))
    });
    ctx.set_callbacks(|c| c.ticket_key = cb);
    Ok(1)
}
