//! The C types of OpenSSL 3.0's libssl ABI, as Rust sees them.
//!
//! Object types are opaque: `SSL`, `SSL_CTX` and `SSL_SESSION` pointers are handle ids (see
//! `core::registry`), `SSL_CIPHER` and `SSL_METHOD` pointers point at ferrossl's static tables,
//! and the libcrypto types are libcrypto's own objects. The callback typedefs are spelled as
//! `<openssl/ssl.h>` spells them, so the generated header declares identical prototypes.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_uchar, c_uint, c_void};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {
        $(
            /// Opaque.
            #[repr(C)]
            pub struct $name {
                _private: [u8; 0],
            }
        )*
    };
}

opaque!(
    ssl_st,
    ssl_ctx_st,
    ssl_session_st,
    ssl_cipher_st,
    ssl_comp_st,
    ssl_conf_ctx_st,
    ssl_dane_st,
    srtp_protection_profile_st,
    openssl_ssl_test_functions,
    stack_st_X509,
    stack_st_X509_NAME,
    stack_st_SSL_CIPHER,
    stack_st_SSL_COMP,
    stack_st_SRTP_PROTECTION_PROFILE,
    stack_st_SCT,
    lhash_st_SSL_SESSION,
    x509_st,
    x509_store_st,
    x509_store_ctx_st,
    X509_VERIFY_PARAM_st,
    evp_pkey_st,
    bio_st,
    bio_method_st,
    bio_addr_st,
    bignum_st,
    dh_st,
    rsa_st,
    engine_st,
    evp_md_st,
    evp_cipher_ctx_st,
    evp_mac_ctx_st,
    ossl_lib_ctx_st,
    ossl_init_settings_st,
    ctlog_store_st,
    ct_policy_eval_ctx_st,
    comp_method_st,
    _IO_FILE,
    ossl_dispatch_st,
);

pub type SSL = ssl_st;
pub type SSL_CTX = ssl_ctx_st;
pub type SSL_SESSION = ssl_session_st;
pub type SSL_CIPHER = ssl_cipher_st;
pub type SSL_COMP = ssl_comp_st;
pub type SSL_CONF_CTX = ssl_conf_ctx_st;
pub type SSL_DANE = ssl_dane_st;
pub type SRTP_PROTECTION_PROFILE = srtp_protection_profile_st;
pub type X509 = x509_st;
pub type X509_STORE = x509_store_st;
pub type X509_STORE_CTX = x509_store_ctx_st;
pub type X509_VERIFY_PARAM = X509_VERIFY_PARAM_st;
pub type EVP_PKEY = evp_pkey_st;
pub type BIO = bio_st;
pub type BIO_METHOD = bio_method_st;
/// `union bio_addr_st` in C (only ever behind a pointer here; cbindgen.toml renames the tag).
pub type BIO_ADDR = bio_addr_st;
pub type BIGNUM = bignum_st;
pub type DH = dh_st;
pub type RSA = rsa_st;
pub type ENGINE = engine_st;
pub type EVP_MD = evp_md_st;
pub type EVP_CIPHER_CTX = evp_cipher_ctx_st;
pub type EVP_MAC_CTX = evp_mac_ctx_st;
pub type OSSL_LIB_CTX = ossl_lib_ctx_st;
pub type OPENSSL_INIT_SETTINGS = ossl_init_settings_st;
pub type CTLOG_STORE = ctlog_store_st;
pub type CT_POLICY_EVAL_CTX = ct_policy_eval_ctx_st;
pub type COMP_METHOD = comp_method_st;
pub type FILE = _IO_FILE;
pub type off_t = libc::off_t;
pub type time_t = libc::time_t;
pub type timeval = libc::timeval;
pub type OSSL_DISPATCH = ossl_dispatch_st;

/// `SSL_METHOD`: ferrossl's methods are statics (see `capi::method`).
pub use super::method::ssl_method_st;
pub type SSL_METHOD = ssl_method_st;

/// `OSSL_HANDSHAKE_STATE` (an enum in C; `TLS_ST_BEFORE` is 0, `TLS_ST_OK` 1).
pub type OSSL_HANDSHAKE_STATE = c_int;
pub type SSL_TICKET_RETURN = c_int;
pub type SSL_TICKET_STATUS = c_int;

pub type pem_password_cb = unsafe extern "C" fn(
    buf: *mut c_char,
    size: c_int,
    rwflag: c_int,
    userdata: *mut c_void,
) -> c_int;
/// `pem_password_cb *`: OpenSSL's `pem_password_cb` is a function type, so its parameters and
/// results are (nullable) pointers to it; cbindgen.toml renames this alias to that spelling.
pub type pem_password_cb_ptr = Option<pem_password_cb>;
pub type SSL_verify_cb =
    Option<unsafe extern "C" fn(preverify_ok: c_int, x509_ctx: *mut X509_STORE_CTX) -> c_int>;
pub type SSL_CTX_keylog_cb_func =
    Option<unsafe extern "C" fn(ssl: *const SSL, line: *const c_char)>;
pub type SSL_async_callback_fn =
    Option<unsafe extern "C" fn(s: *mut SSL, arg: *mut c_void) -> c_int>;
pub type SSL_allow_early_data_cb_fn =
    Option<unsafe extern "C" fn(s: *mut SSL, arg: *mut c_void) -> c_int>;
pub type GEN_SESSION_CB =
    Option<unsafe extern "C" fn(ssl: *mut SSL, id: *mut c_uchar, id_len: *mut c_uint) -> c_int>;
pub type DTLS_timer_cb = Option<unsafe extern "C" fn(s: *mut SSL, timer_us: c_uint) -> c_uint>;
pub type SSL_client_hello_cb_fn =
    Option<unsafe extern "C" fn(s: *mut SSL, al: *mut c_int, arg: *mut c_void) -> c_int>;
pub type SSL_CTX_alpn_select_cb_func = Option<
    unsafe extern "C" fn(
        ssl: *mut SSL,
        out: *mut *const c_uchar,
        outlen: *mut c_uchar,
        in_: *const c_uchar,
        inlen: c_uint,
        arg: *mut c_void,
    ) -> c_int,
>;
pub type SSL_CTX_npn_advertised_cb_func = Option<
    unsafe extern "C" fn(
        ssl: *mut SSL,
        out: *mut *const c_uchar,
        outlen: *mut c_uint,
        arg: *mut c_void,
    ) -> c_int,
>;
pub type SSL_CTX_npn_select_cb_func = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        out: *mut *mut c_uchar,
        outlen: *mut c_uchar,
        in_: *const c_uchar,
        inlen: c_uint,
        arg: *mut c_void,
    ) -> c_int,
>;
pub type SSL_CTX_generate_session_ticket_fn =
    Option<unsafe extern "C" fn(s: *mut SSL, arg: *mut c_void) -> c_int>;
pub type SSL_CTX_decrypt_session_ticket_fn = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        ss: *mut SSL_SESSION,
        keyname: *const c_uchar,
        keyname_length: usize,
        status: SSL_TICKET_STATUS,
        arg: *mut c_void,
    ) -> SSL_TICKET_RETURN,
>;
pub type SSL_psk_client_cb_func = Option<
    unsafe extern "C" fn(
        ssl: *mut SSL,
        hint: *const c_char,
        identity: *mut c_char,
        max_identity_len: c_uint,
        psk: *mut c_uchar,
        max_psk_len: c_uint,
    ) -> c_uint,
>;
pub type SSL_psk_server_cb_func = Option<
    unsafe extern "C" fn(
        ssl: *mut SSL,
        identity: *const c_char,
        psk: *mut c_uchar,
        max_psk_len: c_uint,
    ) -> c_uint,
>;
pub type SSL_psk_find_session_cb_func = Option<
    unsafe extern "C" fn(
        ssl: *mut SSL,
        identity: *const c_uchar,
        identity_len: usize,
        sess: *mut *mut SSL_SESSION,
    ) -> c_int,
>;
pub type SSL_psk_use_session_cb_func = Option<
    unsafe extern "C" fn(
        ssl: *mut SSL,
        md: *const EVP_MD,
        id: *mut *const c_uchar,
        idlen: *mut usize,
        sess: *mut *mut SSL_SESSION,
    ) -> c_int,
>;
pub type custom_ext_add_cb = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        ext_type: c_uint,
        out: *mut *const c_uchar,
        outlen: *mut usize,
        al: *mut c_int,
        add_arg: *mut c_void,
    ) -> c_int,
>;
pub type custom_ext_free_cb = Option<
    unsafe extern "C" fn(s: *mut SSL, ext_type: c_uint, out: *const c_uchar, add_arg: *mut c_void),
>;
pub type custom_ext_parse_cb = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        ext_type: c_uint,
        in_: *const c_uchar,
        inlen: usize,
        al: *mut c_int,
        parse_arg: *mut c_void,
    ) -> c_int,
>;
pub type SSL_custom_ext_add_cb_ex = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        ext_type: c_uint,
        context: c_uint,
        out: *mut *const c_uchar,
        outlen: *mut usize,
        x: *mut X509,
        chainidx: usize,
        al: *mut c_int,
        add_arg: *mut c_void,
    ) -> c_int,
>;
pub type SSL_custom_ext_free_cb_ex = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        ext_type: c_uint,
        context: c_uint,
        out: *const c_uchar,
        add_arg: *mut c_void,
    ),
>;
pub type SSL_custom_ext_parse_cb_ex = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        ext_type: c_uint,
        context: c_uint,
        in_: *const c_uchar,
        inlen: usize,
        x: *mut X509,
        chainidx: usize,
        al: *mut c_int,
        parse_arg: *mut c_void,
    ) -> c_int,
>;
pub type ssl_ct_validation_cb = Option<
    unsafe extern "C" fn(
        ctx: *const CT_POLICY_EVAL_CTX,
        scts: *const stack_st_SCT,
        arg: *mut c_void,
    ) -> c_int,
>;
pub type tls_session_secret_cb_fn = Option<
    unsafe extern "C" fn(
        s: *mut SSL,
        secret: *mut c_void,
        secret_len: *mut c_int,
        peer_ciphers: *mut stack_st_SSL_CIPHER,
        cipher: *mut *const SSL_CIPHER,
        arg: *mut c_void,
    ) -> c_int,
>;
pub type tls_session_ticket_ext_cb_fn = Option<
    unsafe extern "C" fn(s: *mut SSL, data: *const c_uchar, len: c_int, arg: *mut c_void) -> c_int,
>;

// The structures of OpenSSL 3.2+'s QUIC-era API (<openssl/ssl.h>, <openssl/bio.h>), laid out as
// OpenSSL declares them: ferrossl reads or writes some of them on TLS objects.

/// `SSL_SHUTDOWN_EX_ARGS` (OpenSSL 3.2).
#[repr(C)]
pub struct ssl_shutdown_ex_args_st {
    pub quic_error_code: u64,
    pub quic_reason: *const c_char,
}
pub type SSL_SHUTDOWN_EX_ARGS = ssl_shutdown_ex_args_st;

/// `SSL_STREAM_RESET_ARGS` (OpenSSL 3.2).
#[repr(C)]
pub struct ssl_stream_reset_args_st {
    pub quic_error_code: u64,
}
pub type SSL_STREAM_RESET_ARGS = ssl_stream_reset_args_st;

/// `SSL_CONN_CLOSE_INFO` (OpenSSL 3.2).
#[repr(C)]
pub struct ssl_conn_close_info_st {
    pub error_code: u64,
    pub frame_type: u64,
    pub reason: *const c_char,
    pub reason_len: usize,
    pub flags: u32,
}
pub type SSL_CONN_CLOSE_INFO = ssl_conn_close_info_st;

/// The value of a `BIO_POLL_DESCRIPTOR` (a union in C).
#[repr(C)]
#[derive(Clone, Copy)]
pub union bio_poll_descriptor_value {
    pub fd: c_int,
    pub custom: *mut c_void,
    pub custom_ui: usize,
    pub ssl: *mut SSL,
}

/// `BIO_POLL_DESCRIPTOR` (OpenSSL 3.2, <openssl/bio.h>).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct bio_poll_descriptor_st {
    pub type_: u32,
    pub value: bio_poll_descriptor_value,
}
pub type BIO_POLL_DESCRIPTOR = bio_poll_descriptor_st;

/// `SSL_POLL_ITEM` (OpenSSL 3.3).
#[repr(C)]
pub struct ssl_poll_item_st {
    pub desc: BIO_POLL_DESCRIPTOR,
    pub events: u64,
    pub revents: u64,
}
pub type SSL_POLL_ITEM = ssl_poll_item_st;

pub type SSL_new_pending_conn_cb_fn =
    Option<unsafe extern "C" fn(ctx: *mut SSL_CTX, new_ssl: *mut SSL, arg: *mut c_void) -> c_int>;
