//! OPENSSL_init_ssl(3), ERR_load_SSL_strings, SSL_alert_type_string(3),
//! SSL_get_default_timeout(3), SSL_state_string(3), OSSL_default_cipher_list(3): library setup
//! and fixed strings.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_char, c_int, c_long, c_ulong};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Once;

use super::handle;
use super::reasons::REASONS;
use super::types::*;

#[repr(C)]
struct ErrStringData {
    error: c_ulong,
    string: *const c_char,
}

extern "C" {
    fn ERR_load_strings_const(str: *const ErrStringData) -> c_int;
}

/// Registers the text of the `SSL_R_*` reasons with libcrypto, once, so that
/// `ERR_error_string` reads "SSL routines::certificate verify failed" as with OpenSSL's libssl.
pub fn load_strings() {
    static ONCE: Once = Once::new();
    // `used`: written once and never read, it would otherwise be optimised away.
    #[used]
    static TABLE: AtomicPtr<ErrStringData> = AtomicPtr::new(std::ptr::null_mut());
    ONCE.call_once(|| {
        let lib = c_ulong::from(crate::libcrypto::ffi::ERR_LIB_SSL as u32);
        let mut table: Vec<ErrStringData> = REASONS
            .iter()
            .map(|(r, s)| ErrStringData {
                error: (lib << 23) | c_ulong::from(*r),
                string: s.as_ptr(),
            })
            .collect();
        table.push(ErrStringData {
            error: 0,
            string: std::ptr::null(),
        });
        // libcrypto keeps pointers into the table for the life of the process. TABLE holds it
        // too: OPENSSL_cleanup (at exit) drops libcrypto's copy, and a table no pointer reaches
        // is what leak checkers (LeakSanitizer, valgrind) report as a leak.
        let table = Box::leak(table.into_boxed_slice());
        TABLE.store(table.as_mut_ptr(), Ordering::Release);
        // SAFETY: a zero-terminated table of static strings, never freed.
        unsafe { ERR_load_strings_const(table.as_ptr()) };
        // SAFETY: initialises libcrypto (idempotent).
        unsafe { crate::libcrypto::ffi::OPENSSL_init_crypto(0, std::ptr::null()) };
    });
}

const OPENSSL_INIT_ADD_ALL_CIPHERS: u64 = 0x04;
const OPENSSL_INIT_ADD_ALL_DIGESTS: u64 = 0x08;
const OPENSSL_INIT_LOAD_CONFIG: u64 = 0x40;
const OPENSSL_INIT_NO_LOAD_CONFIG: u64 = 0x80;
/// `OPENSSL_INIT_LOAD_SSL_STRINGS`, what `SSL_CTX_new` initialises with.
pub const OPENSSL_INIT_LOAD_SSL_STRINGS: u64 = 0x0020_0000;

/// OpenSSL's libssl initialisation: libcrypto with `opts`, ciphers and digests, and the
/// configuration file unless `OPENSSL_INIT_NO_LOAD_CONFIG` (the file's `ssl_conf` sections are
/// what `SSL_CTX_new` applies); then ferrossl's error strings. False when libcrypto failed (it
/// queued why).
pub fn init_ssl(opts: u64, settings: *const OPENSSL_INIT_SETTINGS) -> bool {
    let mut opts = opts | OPENSSL_INIT_ADD_ALL_CIPHERS | OPENSSL_INIT_ADD_ALL_DIGESTS;
    if opts & OPENSSL_INIT_NO_LOAD_CONFIG == 0 {
        opts |= OPENSSL_INIT_LOAD_CONFIG;
    }
    // SAFETY: libcrypto's initialisation (idempotent); settings is the caller's, or NULL.
    if unsafe { crate::libcrypto::ffi::OPENSSL_init_crypto(opts, settings.cast()) } == 0 {
        return false;
    }
    load_strings();
    true
}

/// `OPENSSL_init_ssl`: initialises libcrypto as OpenSSL's libssl does (with the configuration
/// file unless told not to) and registers ferrossl's error strings; 0 when libcrypto fails.
#[export]
#[no_mangle]
pub extern "C" fn OPENSSL_init_ssl(opts: u64, settings: *const OPENSSL_INIT_SETTINGS) -> c_int {
    Ok(c_int::from(init_ssl(opts, settings)))
}

/// `ERR_load_SSL_strings`: 1.
#[export]
#[no_mangle]
pub extern "C" fn ERR_load_SSL_strings() -> c_int {
    load_strings();
    Ok(1)
}

/// `SSL_get_default_timeout`: 7200 seconds, as OpenSSL.
#[export]
#[no_mangle]
pub extern "C" fn SSL_get_default_timeout(s: *const SSL) -> c_long {
    handle::ssl(s)?;
    Ok(7200)
}

/// `OSSL_default_cipher_list`: OpenSSL's default TLS 1.2 cipher string.
#[export]
#[no_mangle]
pub extern "C" fn OSSL_default_cipher_list() -> *const c_char {
    Ok(c"ALL:!COMPLEMENTOFDEFAULT:!eNULL".as_ptr())
}

/// `OSSL_default_ciphersuites`: the default TLS 1.3 suites.
#[export]
#[no_mangle]
pub extern "C" fn OSSL_default_ciphersuites() -> *const c_char {
    Ok(c"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256".as_ptr())
}

/// `SSL_alert_type_string_long`: `"warning"`, `"fatal"` or `"unknown"` for `value >> 8`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_alert_type_string_long(value: c_int) -> *const c_char {
    Ok(match value >> 8 {
        1 => c"warning",
        2 => c"fatal",
        _ => c"unknown",
    }
    .as_ptr())
}

/// `SSL_alert_type_string`: `"W"`, `"F"` or `"U"`.
#[export]
#[no_mangle]
pub extern "C" fn SSL_alert_type_string(value: c_int) -> *const c_char {
    Ok(match value >> 8 {
        1 => c"W",
        2 => c"F",
        _ => c"U",
    }
    .as_ptr())
}

fn alert(desc: c_int) -> (&'static std::ffi::CStr, &'static std::ffi::CStr) {
    match desc & 0xff {
        0 => (c"CN", c"close notify"),
        10 => (c"UM", c"unexpected_message"),
        20 => (c"BM", c"bad record mac"),
        22 => (c"RO", c"record overflow"),
        40 => (c"HF", c"handshake failure"),
        42 => (c"BC", c"bad certificate"),
        43 => (c"UC", c"unsupported certificate"),
        44 => (c"CR", c"certificate revoked"),
        45 => (c"CE", c"certificate expired"),
        46 => (c"CU", c"certificate unknown"),
        47 => (c"IP", c"illegal parameter"),
        48 => (c"CA", c"unknown CA"),
        49 => (c"AD", c"access denied"),
        50 => (c"DE", c"decode error"),
        51 => (c"CY", c"decrypt error"),
        70 => (c"PV", c"protocol version"),
        71 => (c"IS", c"insufficient security"),
        80 => (c"IE", c"internal error"),
        86 => (c"IF", c"inappropriate fallback"),
        90 => (c"US", c"user canceled"),
        100 => (c"NR", c"no renegotiation"),
        109 => (c"ME", c"missing extension"),
        110 => (c"UE", c"unsupported extension"),
        112 => (c"UN", c"unrecognized name"),
        113 => (c"BR", c"bad certificate status response"),
        115 => (c"UP", c"unknown PSK identity"),
        116 => (c"CQ", c"certificate required"),
        120 => (c"NP", c"no application protocol"),
        _ => (c"UK", c"unknown"),
    }
}

/// `SSL_alert_desc_string`: two-letter code of an alert description.
#[export]
#[no_mangle]
pub extern "C" fn SSL_alert_desc_string(value: c_int) -> *const c_char {
    Ok(alert(value).0.as_ptr())
}

/// `SSL_alert_desc_string_long`: the alert description in words.
#[export]
#[no_mangle]
pub extern "C" fn SSL_alert_desc_string_long(value: c_int) -> *const c_char {
    Ok(alert(value).1.as_ptr())
}

/// `SSL_state_string_long`: `"error"` after a fatal error (as OpenSSL, whatever the handshake
/// reached), `"SSL negotiation finished successfully"` after the handshake,
/// `"before SSL initialization"` before it.
#[export(fail = c"error".as_ptr())]
#[no_mangle]
pub extern "C" fn SSL_state_string_long(s: *const SSL) -> *const c_char {
    let conn = handle::ssl(s)?;
    Ok(if conn.in_error() {
        c"error"
    } else if conn.is_init_finished() {
        c"SSL negotiation finished successfully"
    } else if conn.in_before() {
        c"before SSL initialization"
    } else {
        c"SSLv3/TLS write client hello"
    }
    .as_ptr())
}

/// `SSL_state_string`: the six-letter form (`"SSLERR"` after a fatal error).
#[export(fail = c"SSLERR".as_ptr())]
#[no_mangle]
pub extern "C" fn SSL_state_string(s: *const SSL) -> *const c_char {
    let conn = handle::ssl(s)?;
    Ok(if conn.in_error() {
        c"SSLERR"
    } else if conn.is_init_finished() {
        c"SSLOK"
    } else if conn.in_before() {
        c"PINIT"
    } else {
        c"TWCH"
    }
    .as_ptr())
}

/// Runs when the dynamic loader loads libssl.so.3 (its `.init_array`), before the program's
/// first call: installs the FERROSSL_LOG logger if asked for (`core::logging`), so that every
/// call is logged from the first one. Nothing else happens at load time.
extern "C" fn at_load() {
    // A panic must not unwind into the loader.
    let _ = std::panic::catch_unwind(crate::core::logging::init);
}

#[used]
#[link_section = ".init_array"]
static AT_LOAD: extern "C" fn() = at_load;
