//! SSL_new(3), SSL_free(3), SSL_set_fd(3), SSL_set_bio(3), SSL_set_connect_state(3),
//! SSL_set_tlsext_host_name(3)/SSL_get_servername(3), SSL_set1_host(3), SSL_get_version(3),
//! SSL_get_shutdown(3), SSL_in_init(3), SSL_get0_alpn_selected(3), SSL_set_ex_data(3),
//! SSL_set_info_callback(3): connections and what they report about themselves.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_uchar, c_uint, c_void};
use std::ptr;
use std::sync::Arc;

use super::args;
use super::handle;
use super::types::*;
use crate::core::callbacks::Hook;
use crate::core::connection::{self, Connection};
use crate::core::context::Role;
use crate::core::error::{Error, Result};
use crate::core::registry;
use crate::libcrypto::{self, Bio};

/// `SSL_new`: a connection from `ctx`'s settings, holding a reference to `ctx`; NULL on failure.
#[export]
#[no_mangle]
pub extern "C" fn SSL_new(ctx: *mut SSL_CTX) -> *mut SSL {
    let conn = Connection::new(handle::ctx(ctx)?)?;
    Ok(handle::ptr(&*conn))
}

/// `SSL_dup`: a copy of a connection that has not started (same context, settings, method,
/// role, callbacks and session; no BIOs), or, as OpenSSL, the same handle with one more
/// reference once it has; NULL on failure.
#[export]
#[no_mangle]
pub extern "C" fn SSL_dup(s: *mut SSL) -> *mut SSL {
    let conn = handle::ssl(s)?;
    Ok(handle::ptr(&*conn.duplicate()?))
}

/// `SSL_up_ref`: 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_up_ref(s: *mut SSL) -> c_int {
    registry::up_ref(&*handle::ssl(s)?);
    Ok(1)
}

/// `SSL_free`: drops one reference; the last frees the connection, its BIOs, and its
/// references to its `SSL_CTX` and `SSL_SESSION`. NULL is ignored; a freed handle is reported.
#[export]
#[no_mangle]
pub extern "C" fn SSL_free(s: *mut SSL) {
    if s.is_null() {
        return Ok(());
    }
    let conn = handle::ssl(s)?;
    if crate::core::registry::Object::refs(&*conn).count() == 1 {
        drop_bad_session(&conn);
    }
    registry::release(&*conn);
    Ok(())
}

/// `SSL_get_SSL_CTX`: the context (no new reference).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_SSL_CTX(s: *const SSL) -> *mut SSL_CTX {
    Ok(handle::ptr(&*handle::ssl(s)?.ctx()))
}

/// Takes the BIO reference the caller hands over (`set0`), or shares the one already held.
fn adopt(new: *mut BIO, current: *mut libcrypto::ffi::BIO, held: Option<Bio>) -> Option<Bio> {
    if new.cast() == current {
        return held;
    }
    // SAFETY: the caller hands over one reference to a live BIO (or NULL).
    unsafe { Bio::from_raw(new.cast()) }
}

/// `SSL_set_bio`: takes ownership of one reference to each BIO (one in all when both are the
/// same); BIOs already set and passed again stay as they are.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set_bio(s: *mut SSL, rbio: *mut BIO, wbio: *mut BIO) {
    let conn = handle::ssl(s)?;
    let (cur_r, cur_w) = conn.bio_ptrs();
    let r = adopt(rbio, cur_r, conn.rbio());
    let w = if wbio == rbio && rbio.cast() != cur_r {
        r.clone()
    } else {
        adopt(wbio, cur_w, conn.wbio())
    };
    conn.set_bios(Some(r), Some(w))
}

/// `SSL_set0_rbio`: takes ownership of `rbio`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_rbio(s: *mut SSL, rbio: *mut BIO) {
    let conn = handle::ssl(s)?;
    // SAFETY: ownership of one reference is handed over.
    conn.set_bios(Some(unsafe { Bio::from_raw(rbio.cast()) }), None)
}

/// `SSL_set0_wbio`: takes ownership of `wbio`.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_wbio(s: *mut SSL, wbio: *mut BIO) {
    let conn = handle::ssl(s)?;
    // SAFETY: ownership of one reference is handed over.
    conn.set_bios(None, Some(unsafe { Bio::from_raw(wbio.cast()) }))
}

/// `SSL_get_rbio`: the read BIO (no new reference), NULL when unset.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_rbio(s: *const SSL) -> *mut BIO {
    Ok(handle::ssl(s)?.bio_ptrs().0.cast())
}

/// `SSL_get_wbio`: the write BIO (no new reference), NULL when unset.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_wbio(s: *const SSL) -> *mut BIO {
    Ok(handle::ssl(s)?.bio_ptrs().1.cast())
}

fn socket(fd: c_int) -> Result<Bio> {
    Bio::socket(fd).ok_or_else(|| Error::Internal("BIO_new_socket failed".into()))
}

/// `SSL_set_fd`: a socket BIO (not closing `fd`) for both directions; 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_fd(s: *mut SSL, fd: c_int) -> c_int {
    let conn = handle::ssl(s)?;
    let bio = socket(fd)?;
    conn.set_bios(Some(Some(bio.clone())), Some(Some(bio)))?;
    Ok(1)
}

/// `SSL_set_rfd`: a socket BIO for reading.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_rfd(s: *mut SSL, fd: c_int) -> c_int {
    let conn = handle::ssl(s)?;
    conn.set_bios(Some(Some(socket(fd)?)), None)?;
    Ok(1)
}

/// `SSL_set_wfd`: a socket BIO for writing.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_wfd(s: *mut SSL, fd: c_int) -> c_int {
    let conn = handle::ssl(s)?;
    conn.set_bios(None, Some(Some(socket(fd)?)))?;
    Ok(1)
}

/// `SSL_get_fd`/`SSL_get_rfd`: the read BIO's descriptor, -1 when it has none.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_get_fd(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.rbio().map_or(-1, |b| b.fd()))
}

/// `SSL_get_rfd`.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_get_rfd(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.rbio().map_or(-1, |b| b.fd()))
}

/// `SSL_get_wfd`.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_get_wfd(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.wbio().map_or(-1, |b| b.fd()))
}

/// `SSL_set_connect_state`: this connection is a client.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_connect_state(s: *mut SSL) {
    handle::ssl(s)?.set_role(Role::Client)
}

/// `SSL_set_accept_state`: this connection is a server.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_accept_state(s: *mut SSL) {
    handle::ssl(s)?.set_role(Role::Server)
}

/// `SSL_is_server`: 0 for a client, else 1 (a `TLS_method` connection counts as a server
/// until `SSL_set_connect_state`, as in OpenSSL).
#[export]
#[no_mangle]
pub extern "C" fn SSL_is_server(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.is_server() as c_int)
}

/// `SSL_is_dtls`: always 0 (ferrossl has no DTLS).
#[export]
#[no_mangle]
pub extern "C" fn SSL_is_dtls(s: *const SSL) -> c_int {
    handle::ssl(s)?;
    Ok(0)
}

/// `SSL_set_ex_data`: 1 on success.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_ex_data(s: *mut SSL, idx: c_int, data: *mut c_void) -> c_int {
    Ok(handle::ssl(s)?.ex_data.set(idx, data) as c_int)
}

/// `SSL_get_ex_data`: NULL when unset.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_ex_data(s: *const SSL, idx: c_int) -> *mut c_void {
    Ok(handle::ssl(s)?.ex_data.get(idx))
}

/// `SSL_get_servername`: the SNI name set on this client connection, or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_servername(s: *const SSL, ty: c_int) -> *const c_char {
    let conn = handle::ssl(s)?;
    if ty != 0 {
        return Ok(ptr::null());
    }
    let name = conn.sni();
    Ok(name.as_ref().map_or(ptr::null(), |n| n.as_ptr()))
}

/// `SSL_get_servername_type`: `TLSEXT_NAMETYPE_host_name` (0) when a name is set, else -1.
#[export(fail = -1)]
#[no_mangle]
pub extern "C" fn SSL_get_servername_type(s: *const SSL) -> c_int {
    Ok(if handle::ssl(s)?.sni().is_some() {
        0
    } else {
        -1
    })
}

fn set_host(s: *mut SSL, name: *const c_char, add: bool) -> Result<c_int> {
    let conn = handle::ssl(s)?;
    let name = if name.is_null() {
        None
    } else {
        // SAFETY: a C string argument.
        Some(unsafe { args::cstr(name, "hostname") }?.to_bytes())
    };
    Ok(conn.param.set_host(name, add) as c_int)
}

/// `SSL_set1_host`: the name the peer certificate must match (checked by libcrypto during
/// verification); NULL clears. 1 on success.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_host(s: *mut SSL, hostname: *const c_char) -> c_int {
    set_host(s, hostname, false)
}

/// `SSL_add1_host`: one more acceptable name.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_add1_host(s: *mut SSL, hostname: *const c_char) -> c_int {
    set_host(s, hostname, true)
}

/// `SSL_set_hostflags`: `X509_CHECK_FLAG_*` for the name check.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_hostflags(s: *mut SSL, flags: c_uint) {
    handle::ssl(s)?.param.set_hostflags(flags);
    Ok(())
}

/// `SSL_get0_peername`: the name that matched during verification, or NULL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_peername(s: *mut SSL) -> *const c_char {
    Ok(handle::ssl(s)?.peername())
}

/// `SSL_get0_param`: the connection's verification parameters (owned by the connection).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get0_param(s: *mut SSL) -> *mut X509_VERIFY_PARAM {
    Ok(handle::ssl(s)?.param.as_ptr().cast())
}

/// `SSL_set1_param`: copies `vpm` into the connection's parameters; 1 on success.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_param(s: *mut SSL, vpm: *mut X509_VERIFY_PARAM) -> c_int {
    let conn = handle::ssl(s)?;
    if vpm.is_null() {
        return Err(Error::NullArgument("X509_VERIFY_PARAM"));
    }
    // The copy may carry a purpose or trust, which libcrypto cannot tell us.
    crate::core::fast_verify::params_opaque();
    // SAFETY: both are live parameter objects.
    Ok(unsafe { libcrypto::ffi::X509_VERIFY_PARAM_set1(conn.param.as_ptr(), vpm.cast()) })
}

fn handshake_version(conn: &Arc<Connection>) -> c_int {
    conn.handshake_info()
        .map_or_else(|| conn.tentative().0, |h| h.version)
}

/// `SSL_get_version`: `"TLSv1.3"`, `"TLSv1.2"`, or, before a handshake, the highest version
/// the connection allows (as OpenSSL reports its method's version). Never NULL: `"unknown"`
/// for an invalid handle (programs print the result unchecked).
#[export(fail = c"unknown".as_ptr())]
#[no_mangle]
pub extern "C" fn SSL_get_version(s: *const SSL) -> *const c_char {
    let conn = handle::ssl(s)?;
    let mut v = handshake_version(&conn);
    if v == 0 {
        v = conn
            .settings()
            .versions()
            .first()
            .map_or(0, |v| c_int::from(u16::from(v.version)));
    }
    Ok(connection::version_name(v).as_ptr())
}

/// `SSL_version`: the negotiated version (`TLS1_3_VERSION`...), or the maximum before one.
#[export]
#[no_mangle]
pub extern "C" fn SSL_version(s: *const SSL) -> c_int {
    let conn = handle::ssl(s)?;
    let v = handshake_version(&conn);
    Ok(if v != 0 { v } else { 0x0304 })
}

/// `SSL_client_version`: the `legacy_version` of the ClientHello (0x0303 for TLS 1.2 and 1.3);
/// before a handshake, the method's version (`TLS_ANY_VERSION`, 0x10000, for `TLS_method`).
#[export]
#[no_mangle]
pub extern "C" fn SSL_client_version(s: *const SSL) -> c_int {
    let conn = handle::ssl(s)?;
    if let Some(h) = conn.client_hello() {
        return Ok(c_int::from(h.legacy_version));
    }
    if !conn.in_before() {
        return Ok(0x0303);
    }
    Ok(match conn.method().version {
        0 => 0x10000,
        v => v,
    })
}

/// `SSL_get_shutdown`: `SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN` as they stand.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_shutdown(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.shutdown_flags())
}

/// `SSL_set_shutdown`: sets the flags (`SSL_SENT_SHUTDOWN` stops `SSL_shutdown` from sending).
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_shutdown(s: *mut SSL, mode: c_int) {
    handle::ssl(s)?.set_shutdown_flags(mode);
    Ok(())
}

/// `SSL_is_init_finished`: 1 once the handshake has completed, 0 again after a fatal error.
#[export]
#[no_mangle]
pub extern "C" fn SSL_is_init_finished(s: *const SSL) -> c_int {
    Ok(!handle::ssl(s)?.in_init() as c_int)
}

/// `SSL_in_init`: 1 until the handshake has completed, and again after a fatal error.
#[export]
#[no_mangle]
pub extern "C" fn SSL_in_init(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.in_init() as c_int)
}

/// `SSL_in_before`: 1 before the handshake has started.
#[export]
#[no_mangle]
pub extern "C" fn SSL_in_before(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.in_before() as c_int)
}

/// `SSL_get_state`: `TLS_ST_OK` (1) after the handshake, `TLS_ST_BEFORE` (0) before it starts;
/// during it, coarsely, a server's "read ClientHello" (20) or a client's "wrote ClientHello" (12).

#[export]
#[no_mangle]
pub extern "C" fn SSL_get_state(s: *const SSL) -> OSSL_HANDSHAKE_STATE {
    let conn = handle::ssl(s)?;
    Ok(if conn.is_init_finished() {
        1
    } else if conn.in_before() {
        0
    } else if conn.is_server() {
        20 // TLS_ST_SR_CLNT_HELLO
    } else {
        12 // TLS_ST_CW_CLNT_HELLO
    })
}

/// `SSL_want`: `SSL_NOTHING` (1), `SSL_WRITING` (2) or `SSL_READING` (3) for the last
/// operation.
#[export(fail = 1)]
#[no_mangle]
pub extern "C" fn SSL_want(s: *const SSL) -> c_int {
    Ok(match handle::ssl(s)?.last_error() {
        connection::code::WANT_READ => 3,
        connection::code::WANT_WRITE => 2,
        _ => 1,
    })
}

/// `SSL_session_reused`: 1 when the last handshake resumed a session.
#[export]
#[no_mangle]
pub extern "C" fn SSL_session_reused(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.handshake_info().is_some_and(|h| h.resumed) as c_int)
}

/// `SSL_key_update`: TLS 1.3 after the handshake, `SSL_KEY_UPDATE_NOT_REQUESTED` (0) or
/// `SSL_KEY_UPDATE_REQUESTED` (1): a KeyUpdate goes out with the next `SSL_write`, `SSL_read` or
/// `SSL_do_handshake`. rustls's KeyUpdate always asks the peer to update its keys too.
#[export]
#[no_mangle]
pub extern "C" fn SSL_key_update(s: *mut SSL, updatetype: c_int) -> c_int {
    use crate::core::error::reason;
    let conn = handle::ssl(s)?;
    if handshake_version(&conn) != 0x0304 {
        return Err(Error::Misuse {
            reason: reason::WRONG_SSL_VERSION,
            detail: "KeyUpdate is a TLS 1.3 message".into(),
        });
    }
    if updatetype != 0 && updatetype != 1 {
        return Err(Error::Misuse {
            reason: reason::INVALID_KEY_UPDATE_TYPE,
            detail: format!("update type {updatetype}"),
        });
    }
    conn.key_update()?;
    Ok(1)
}

/// `SSL_get0_alpn_selected`: the protocol the server chose (pointer valid while `ssl` lives),
/// or NULL and 0.
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_alpn_selected(
    ssl: *const SSL,
    data: *mut *const c_uchar,
    len: *mut c_uint,
) {
    // A void getter: the caller cannot see a failure, so the outputs say "nothing" first.
    // SAFETY: out-parameters supplied by the caller.
    unsafe {
        args::out(data, ptr::null());
        args::out(len, 0);
    }
    let conn = handle::ssl(ssl)?;
    let hs = conn.handshake_info();
    // The HandshakeInfo is kept by the connection until its next handshake.
    let (p, n) = match hs.as_ref().and_then(|h| h.alpn.as_ref()) {
        Some(a) => (a.as_ptr(), a.len() as c_uint),
        None => (ptr::null(), 0),
    };
    // SAFETY: out-parameters supplied by the caller.
    unsafe {
        args::out(data, p);
        args::out(len, n);
    }
    Ok(())
}

type InfoCb = unsafe extern "C" fn(*const SSL, c_int, c_int);

/// Wraps a C info callback for the core.
pub fn info_hook(cb: InfoCb) -> Hook<crate::core::callbacks::InfoFn> {
    Hook {
        raw: cb as usize,
        call: Arc::new(move |ssl, where_, ret| {
            // SAFETY: the program registered cb as an info callback.
            unsafe { cb(handle::id_ptr(ssl), where_, ret) }
        }),
    }
}

/// `SSL_set_info_callback`: called at handshake start and end and for alerts.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_info_callback(
    ssl: *mut SSL,
    cb: Option<unsafe extern "C" fn(ssl: *const SSL, type_: c_int, val: c_int)>,
) {
    handle::ssl(ssl)?.set_info_callback(cb.map(info_hook));
    Ok(())
}

/// `SSL_get_info_callback`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_info_callback(
    ssl: *const SSL,
) -> Option<unsafe extern "C" fn(ssl: *const SSL, type_: c_int, val: c_int)> {
    let raw = handle::ssl(ssl)?.info_callback().map(|h| h.raw);
    // SAFETY: raw came from an InfoCb registered above.
    Ok(raw.map(|r| unsafe { std::mem::transmute::<usize, InfoCb>(r) }))
}

/// `SSL_clear`: resets the connection for another handshake, keeping its settings, BIOs and
/// session (offered again); 1.
#[export]
#[no_mangle]
pub extern "C" fn SSL_clear(s: *mut SSL) -> c_int {
    let conn = handle::ssl(s)?;
    drop_bad_session(&conn);
    conn.clear()?;
    Ok(1)
}

/// As OpenSSL's `ssl_clear_bad_session` (`SSL_free`, `SSL_clear`): the session of a
/// connection that finished its handshake but sent no close_notify leaves the session
/// context's cache and is not resumable any more.
fn drop_bad_session(conn: &Connection) {
    if let Some(sess) = conn.bad_session() {
        super::session::remove_session(&conn.session_ctx(), &sess);
    }
}

/// `SSL_set_read_ahead`: with 1, records are read as far as the BIO has bytes, instead of one
/// record at a time.
#[export]
#[no_mangle]
pub extern "C" fn SSL_set_read_ahead(s: *mut SSL, yes: c_int) {
    handle::ssl(s)?.update(|st| {
        st.read_ahead = yes != 0;
        Ok(())
    })
}

/// `SSL_get_read_ahead`: the read-ahead setting (0 by default).
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_read_ahead(s: *const SSL) -> c_int {
    Ok(handle::ssl(s)?.settings().read_ahead as c_int)
}
