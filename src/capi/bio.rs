//! BIO_f_ssl(3), BIO_new_ssl(3), BIO_new_ssl_connect(3), BIO_new_buffer_ssl_connect(3),
//! BIO_ssl_copy_session_id(3), BIO_ssl_shutdown(3): the SSL BIO, a filter BIO that reads and
//! writes through an `SSL`.
//!
//! The method is libcrypto's own kind of object (`BIO_meth_new`), made once per process and
//! never freed. Its callbacks follow OpenSSL 3.0's `ssl/bio_ssl.c` command by command: reads and
//! writes go through `SSL_read`/`SSL_write` and turn `SSL_get_error` into the BIO's retry
//! flags; `BIO_set_ssl` puts the `SSL`'s read BIO after this one in the chain; pushing a BIO
//! after it makes that BIO the `SSL`'s transport. Commands it does not know go to the `SSL`'s
//! read BIO.
//!
//! Differs from OpenSSL: the renegotiation limits (`BIO_set_ssl_renegotiate_bytes`/`_timeout`)
//! are counted as OpenSSL counts them (`BIO_get_num_renegotiates`), but nothing is renegotiated
//! (rustls does not renegotiate; OpenSSL's attempt fails on TLS 1.3 too, leaving an error).

#![allow(non_snake_case)]

use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::OnceLock;

use ferrossl_macros::export;

use super::connection::{
    SSL_clear, SSL_free, SSL_get_rbio, SSL_get_wbio, SSL_in_init, SSL_new, SSL_set_accept_state,
    SSL_set_bio, SSL_set_connect_state,
};
use super::io::{SSL_do_handshake, SSL_get_error, SSL_pending, SSL_read, SSL_shutdown, SSL_write};
use super::types::*;
use crate::core::bio::{self as core_bio, Retry, SslBio};
use crate::core::error::Error;
use crate::libcrypto::ffi;
use crate::libcrypto::filter::{CallbackBio, Callbacks, Method};

fn method() -> Option<&'static Method> {
    static M: OnceLock<Option<Method>> = OnceLock::new();
    M.get_or_init(|| {
        Method::new(
            ffi::BIO_TYPE_SSL,
            c"ssl",
            &Callbacks {
                write_ex: ssl_write,
                read_ex: ssl_read,
                puts: ssl_puts,
                ctrl: ssl_ctrl,
                create: ssl_new,
                destroy: ssl_free,
                callback_ctrl: ssl_callback_ctrl,
            },
        )
    })
    .as_ref()
}

/// Runs a callback body, turning a panic into `fail` (a BIO callback must not unwind into C).
fn guard<T>(fail: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fail)
}

/// The callback's BIO and its SSL BIO data.
///
/// # Safety
/// `b` must be NULL or a live BIO of this method.
unsafe fn state<'a>(b: *mut ffi::BIO) -> Option<(CallbackBio, &'a SslBio)> {
    // SAFETY: per the contract: this method's BIOs hold a Box<SslBio> from ssl_new.
    unsafe {
        let bio = CallbackBio::new(b)?;
        Some((bio, bio.data::<SslBio>()?))
    }
}

fn ssl_ptr(id: usize) -> *mut SSL {
    id as *mut SSL
}

/// Sets the retry flags OpenSSL's SSL BIO sets after `SSL_get_error` said `code`.
fn set_retry(bio: &CallbackBio, code: c_int, writing: bool) {
    let reason = match core_bio::retry_after(code, writing) {
        Retry::None => 0,
        Retry::Read => {
            bio.set_flags(ffi::BIO_FLAGS_READ | ffi::BIO_FLAGS_SHOULD_RETRY);
            0
        }
        Retry::Write => {
            bio.set_flags(ffi::BIO_FLAGS_WRITE | ffi::BIO_FLAGS_SHOULD_RETRY);
            0
        }
        Retry::Special(r) => {
            bio.set_flags(ffi::BIO_FLAGS_IO_SPECIAL | ffi::BIO_FLAGS_SHOULD_RETRY);
            r
        }
    };
    bio.set_retry_reason(reason);
}

unsafe extern "C" fn ssl_new(b: *mut ffi::BIO) -> c_int {
    guard(0, || {
        // SAFETY: libcrypto calls create with the new BIO.
        let Some(bio) = (unsafe { CallbackBio::new(b) }) else {
            return 0;
        };
        bio.set_init(false);
        bio.attach(Box::new(SslBio::default()));
        bio.clear_flags(!0);
        1
    })
}

/// Frees the `SSL` when the close flag is set (shutting it down first unless it is in the
/// handshake), and the BIO's data.
unsafe extern "C" fn ssl_free(b: *mut ffi::BIO) -> c_int {
    guard(0, || {
        // SAFETY: libcrypto calls destroy with a BIO of this method.
        let Some((bio, st)) = (unsafe { state(b) }) else {
            return 0;
        };
        release_ssl(&bio, st);
        // SAFETY: the Box attached by ssl_new; st is not used after this.
        drop(unsafe { bio.detach::<SslBio>() });
        1
    })
}

/// What OpenSSL's `ssl_free` does to the `SSL` before the data goes.
fn release_ssl(bio: &CallbackBio, st: &SslBio) {
    if bio.shutdown() != 0 {
        if let Some(ssl) = st.ssl() {
            if SSL_in_init(ssl_ptr(ssl)) == 0 {
                SSL_shutdown(ssl_ptr(ssl));
            }
            if bio.init() {
                SSL_free(ssl_ptr(ssl));
            }
        }
        bio.clear_flags(!0);
        bio.set_init(false);
    }
}

unsafe extern "C" fn ssl_read(
    b: *mut ffi::BIO,
    buf: *mut c_char,
    size: usize,
    readbytes: *mut usize,
) -> c_int {
    guard(-1, || {
        if buf.is_null() {
            return 0;
        }
        // SAFETY: libcrypto calls read with a BIO of this method.
        let Some((bio, st)) = (unsafe { state(b) }) else {
            return 0;
        };
        let Some(ssl) = st.ssl() else { return 0 };
        bio.clear_retry();
        let len = size.min(c_int::MAX as usize) as c_int;
        // SAFETY: libcrypto gives size writable bytes at buf.
        let ret = unsafe { SSL_read(ssl_ptr(ssl), buf.cast(), len) };
        set_retry(&bio, SSL_get_error(ssl_ptr(ssl), ret), false);
        if ret > 0 {
            // SAFETY: readbytes is libcrypto's out-parameter.
            unsafe { *readbytes = ret as usize };
            // Where OpenSSL would call SSL_renegotiate (see the module docs).
            let _ = st.transferred(ret as usize, crate::core::session::now());
            return 1;
        }
        ret
    })
}

unsafe extern "C" fn ssl_write(
    b: *mut ffi::BIO,
    buf: *const c_char,
    size: usize,
    written: *mut usize,
) -> c_int {
    guard(-1, || {
        if buf.is_null() {
            return 0;
        }
        // SAFETY: libcrypto calls write with a BIO of this method.
        let Some((bio, st)) = (unsafe { state(b) }) else {
            return 0;
        };
        let Some(ssl) = st.ssl() else { return 0 };
        bio.clear_retry();
        let len = size.min(c_int::MAX as usize) as c_int;
        // SAFETY: libcrypto gives size readable bytes at buf.
        let ret = unsafe { SSL_write(ssl_ptr(ssl), buf.cast(), len) };
        set_retry(&bio, SSL_get_error(ssl_ptr(ssl), ret), true);
        if ret > 0 {
            // SAFETY: written is libcrypto's out-parameter.
            unsafe { *written = ret as usize };
            // Where OpenSSL would call SSL_renegotiate (see the module docs).
            let _ = st.transferred(ret as usize, crate::core::session::now());
            return 1;
        }
        ret
    })
}

unsafe extern "C" fn ssl_puts(b: *mut ffi::BIO, s: *const c_char) -> c_int {
    guard(-1, || {
        if s.is_null() {
            return 0;
        }
        // SAFETY: libcrypto passes a NUL-terminated string.
        let n = unsafe { CStr::from_ptr(s) }.to_bytes().len();
        // SAFETY: BIO_write on this BIO, with n readable bytes.
        unsafe { ffi::BIO_write(b, s.cast(), n.min(c_int::MAX as usize) as c_int) }
    })
}

/// `BIO_ctrl` on `b` (NULL answers 0, as libcrypto's does).
fn ctrl(b: *mut ffi::BIO, cmd: c_int, num: c_long, parg: *mut c_void) -> c_long {
    if b.is_null() {
        return 0;
    }
    // SAFETY: b is a live BIO held by the SSL; what parg means is the caller's command's.
    unsafe { ffi::BIO_ctrl(b, cmd, num, parg) }
}

fn rbio(ssl: usize) -> *mut ffi::BIO {
    SSL_get_rbio(ssl_ptr(ssl)).cast()
}

unsafe extern "C" fn ssl_ctrl(
    b: *mut ffi::BIO,
    cmd: c_int,
    num: c_long,
    parg: *mut c_void,
) -> c_long {
    guard(0, || {
        // SAFETY: libcrypto calls ctrl with a BIO of this method.
        let Some((bio, st)) = (unsafe { state(b) }) else {
            return 0;
        };
        if cmd == ffi::BIO_C_SET_SSL {
            return set_ssl(&bio, st, num, parg);
        }
        let Some(ssl) = st.ssl() else { return 0 };
        let s = ssl_ptr(ssl);
        let next = bio.next();
        match cmd {
            ffi::BIO_CTRL_RESET => {
                SSL_shutdown(s);
                // SSL_clear keeps the role, as OpenSSL's reset does.
                if SSL_clear(s) == 0 {
                    return 0;
                }
                if !next.is_null() {
                    ctrl(next, cmd, num, parg)
                } else if !rbio(ssl).is_null() {
                    ctrl(rbio(ssl), cmd, num, parg)
                } else {
                    1
                }
            }
            ffi::BIO_CTRL_INFO => 0,
            ffi::BIO_C_SSL_MODE => {
                if num != 0 {
                    SSL_set_connect_state(s);
                } else {
                    SSL_set_accept_state(s);
                }
                1
            }
            ffi::BIO_C_SET_SSL_RENEGOTIATE_TIMEOUT => {
                st.set_renegotiate_timeout(num, crate::core::session::now())
            }
            ffi::BIO_C_SET_SSL_RENEGOTIATE_BYTES => st.set_renegotiate_bytes(num),
            ffi::BIO_C_GET_SSL_NUM_RENEGOTIATES => st.num_renegotiates(),
            ffi::BIO_C_GET_SSL => {
                if parg.is_null() {
                    return 0;
                }
                // SAFETY: BIO_get_ssl passes an SSL** to fill.
                unsafe { *parg.cast::<*mut SSL>() = s };
                1
            }
            ffi::BIO_CTRL_GET_CLOSE => c_long::from(bio.shutdown()),
            ffi::BIO_CTRL_SET_CLOSE => {
                bio.set_shutdown(num as c_int);
                1
            }
            ffi::BIO_CTRL_WPENDING => ctrl(SSL_get_wbio(s).cast(), cmd, num, parg),
            ffi::BIO_CTRL_PENDING => match SSL_pending(s) {
                0 => ctrl(rbio(ssl), ffi::BIO_CTRL_PENDING, 0, ptr::null_mut()),
                n => c_long::from(n),
            },
            ffi::BIO_CTRL_FLUSH => {
                bio.clear_retry();
                let r = ctrl(SSL_get_wbio(s).cast(), cmd, num, parg);
                bio.copy_next_retry();
                r
            }
            ffi::BIO_CTRL_PUSH => {
                if !next.is_null() && next != rbio(ssl) {
                    // The SSL takes a reference of its own to the BIO now after this one.
                    // SAFETY: next is live (libcrypto just linked it).
                    unsafe {
                        ffi::BIO_up_ref(next);
                        SSL_set_bio(s, next.cast(), next.cast());
                    }
                }
                1
            }
            ffi::BIO_CTRL_POP => {
                if parg == b.cast() {
                    // SAFETY: NULL BIOs drop the SSL's references.
                    unsafe { SSL_set_bio(s, ptr::null_mut(), ptr::null_mut()) };
                }
                1
            }
            ffi::BIO_C_DO_STATE_MACHINE => {
                bio.clear_retry();
                bio.set_retry_reason(0);
                let ret = SSL_do_handshake(s);
                match SSL_get_error(s, ret) {
                    7 => {
                        // SSL_ERROR_WANT_CONNECT: the reason is the transport's.
                        bio.set_flags(ffi::BIO_FLAGS_IO_SPECIAL | ffi::BIO_FLAGS_SHOULD_RETRY);
                        bio.set_retry_reason(bio.next_retry_reason());
                    }
                    code => set_retry(&bio, code, false),
                }
                c_long::from(ret)
            }
            ffi::BIO_CTRL_DUP => dup(st, parg),
            ffi::BIO_CTRL_SET_CALLBACK => 0,
            _ => ctrl(rbio(ssl), cmd, num, parg),
        }
    })
}

/// `BIO_set_ssl`: drives `parg` (an `SSL*`) from now on, freeing the one before as the close
/// flag says; the `SSL`'s read BIO (with the rest of this chain after it) follows this BIO.
fn set_ssl(bio: &CallbackBio, st: &SslBio, num: c_long, parg: *mut c_void) -> c_long {
    if st.ssl().is_some() {
        release_ssl(bio, st);
    }
    st.set_ssl(parg as usize);
    bio.set_shutdown(num as c_int);
    let r = rbio(parg as usize);
    if !r.is_null() {
        let next = bio.next();
        // SAFETY: r is the SSL's live read BIO; this chain takes its own reference to it.
        unsafe {
            if !next.is_null() {
                ffi::BIO_push(r, next);
            }
            ffi::BIO_set_next(bio.as_ptr(), r);
            ffi::BIO_up_ref(r);
        }
    }
    bio.set_init(true);
    1
}

/// `BIO_dup_chain`: the copy (`parg`, a fresh SSL BIO) gets `SSL_dup` of this BIO's `SSL`.
fn dup(st: &SslBio, parg: *mut c_void) -> c_long {
    // SAFETY: BIO_dup_chain passes the new BIO, made with this method.
    let Some((_, dst)) = (unsafe { state(parg.cast()) }) else {
        return 0;
    };
    if let Some(old) = dst.ssl() {
        SSL_free(ssl_ptr(old));
    }
    let copy = st
        .ssl()
        .map_or(ptr::null_mut(), |s| super::connection::SSL_dup(ssl_ptr(s)));
    dst.set_ssl(copy as usize);
    dst.copy_counters_from(st);
    c_long::from(!copy.is_null())
}

unsafe extern "C" fn ssl_callback_ctrl(
    b: *mut ffi::BIO,
    cmd: c_int,
    fp: Option<ffi::BIO_info_cb>,
) -> c_long {
    guard(0, || {
        // SAFETY: libcrypto calls callback_ctrl with a BIO of this method.
        let Some((_, st)) = (unsafe { state(b) }) else {
            return 0;
        };
        match (cmd, st.ssl()) {
            (ffi::BIO_CTRL_SET_CALLBACK, Some(ssl)) if !rbio(ssl).is_null() => {
                // SAFETY: the SSL's live read BIO; fp is the program's callback.
                unsafe { ffi::BIO_callback_ctrl(rbio(ssl), cmd, fp) }
            }
            (ffi::BIO_CTRL_SET_CALLBACK, _) => 1,
            _ => 0,
        }
    })
}

/// `BIO_f_ssl`: the SSL BIO method (static: never freed).
#[export]
#[no_mangle]
pub extern "C" fn BIO_f_ssl() -> *const BIO_METHOD {
    method()
        .map(|m| m.as_ptr().cast())
        .ok_or_else(|| Error::Internal("BIO_meth_new failed".into()))
}

/// `BIO_new_ssl`: an SSL BIO owning (`BIO_CLOSE`) a new `SSL` of `ctx`, a client when
/// `client` is non-zero; NULL on failure.
#[export]
#[no_mangle]
pub extern "C" fn BIO_new_ssl(ctx: *mut SSL_CTX, client: c_int) -> *mut BIO {
    let m = BIO_f_ssl();
    if m.is_null() {
        return Err(Error::Queued);
    }
    // SAFETY: a BIO of our own method.
    let b = unsafe { ffi::BIO_new(m.cast()) };
    if b.is_null() {
        return Err(Error::Queued);
    }
    let s = SSL_new(ctx);
    if s.is_null() {
        // SAFETY: the BIO made above.
        unsafe { ffi::BIO_free(b) };
        return Err(Error::Queued);
    }
    if client != 0 {
        SSL_set_connect_state(s);
    } else {
        SSL_set_accept_state(s);
    }
    // BIO_set_ssl(b, s, BIO_CLOSE).
    ctrl(
        b,
        ffi::BIO_C_SET_SSL,
        c_long::from(ffi::BIO_CLOSE),
        s.cast(),
    );
    Ok(b.cast())
}

/// `BIO_new_ssl_connect`: a client SSL BIO in front of a connect BIO (`BIO_s_connect`; set
/// its address with `BIO_set_conn_hostname`); NULL on failure.
#[export]
#[no_mangle]
pub extern "C" fn BIO_new_ssl_connect(ctx: *mut SSL_CTX) -> *mut BIO {
    // SAFETY: a fresh connect BIO, freed on failure.
    let con = unsafe { ffi::BIO_new(ffi::BIO_s_connect()) };
    if con.is_null() {
        return Err(Error::Queued);
    }
    let ssl = BIO_new_ssl(ctx, 1);
    if ssl.is_null() {
        // SAFETY: ours.
        unsafe { ffi::BIO_free(con) };
        return Err(Error::Queued);
    }
    // SAFETY: both BIOs are ours; the push makes the connect BIO the SSL's transport.
    Ok(unsafe { ffi::BIO_push(ssl.cast(), con) }.cast())
}

/// `BIO_new_buffer_ssl_connect`: a buffering BIO in front of `BIO_new_ssl_connect`.
#[export]
#[no_mangle]
pub extern "C" fn BIO_new_buffer_ssl_connect(ctx: *mut SSL_CTX) -> *mut BIO {
    // SAFETY: a fresh buffer BIO, freed on failure.
    let buf = unsafe { ffi::BIO_new(ffi::BIO_f_buffer()) };
    if buf.is_null() {
        return Err(Error::Queued);
    }
    let ssl = BIO_new_ssl_connect(ctx);
    if ssl.is_null() {
        // SAFETY: ours.
        unsafe { ffi::BIO_free(buf) };
        return Err(Error::Queued);
    }
    // SAFETY: both chains are ours.
    Ok(unsafe { ffi::BIO_push(buf, ssl.cast()) }.cast())
}

/// The `SSL` of the first SSL BIO in the chain from `b`, if any.
fn find_ssl(b: *mut BIO) -> Option<usize> {
    if b.is_null() {
        return None;
    }
    // SAFETY: b is the program's live chain.
    let found = unsafe { ffi::BIO_find_type(b.cast(), ffi::BIO_TYPE_SSL) };
    // SAFETY: a BIO of type BIO_TYPE_SSL is one of this method's (ferrossl is the libssl).
    unsafe { state(found) }.and_then(|(_, st)| st.ssl())
}

/// `BIO_ssl_copy_session_id`: `SSL_copy_session_id` between the first SSL BIOs of two chains;
/// 1 on success, 0 when either has none.
#[export]
#[no_mangle]
pub extern "C" fn BIO_ssl_copy_session_id(to: *mut BIO, from: *mut BIO) -> c_int {
    let (Some(t), Some(f)) = (find_ssl(to), find_ssl(from)) else {
        return Ok(0);
    };
    Ok((super::session_cache::SSL_copy_session_id(ssl_ptr(t), ssl_ptr(f)) == 1) as c_int)
}

/// `BIO_ssl_shutdown`: `SSL_shutdown` on the `SSL` of every SSL BIO in the chain.
#[export]
#[no_mangle]
pub extern "C" fn BIO_ssl_shutdown(ssl_bio: *mut BIO) {
    let mut b: *mut ffi::BIO = ssl_bio.cast();
    while !b.is_null() {
        // SAFETY: b is in the program's live chain.
        if unsafe { ffi::BIO_method_type(b) } == ffi::BIO_TYPE_SSL {
            // SAFETY: a BIO of this method.
            if let Some(ssl) = unsafe { state(b) }.and_then(|(_, st)| st.ssl()) {
                SSL_shutdown(ssl_ptr(ssl));
            }
        }
        // SAFETY: as above.
        b = unsafe { ffi::BIO_next(b) };
    }
    Ok(())
}
