//! Raw declarations of the libcrypto functions ferrossl calls.
//!
//! Only libcrypto's own symbols are declared here: a libssl name would clash with our exports.
//! Everything is `pub(crate)` to the bindings; the rest of the crate uses the owners in
//! `libcrypto/mod.rs`.

#![allow(non_camel_case_types, dead_code)]

use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_ulong, c_void};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {
        $(#[repr(C)] pub struct $name { _p: [u8; 0] })*
    };
}
opaque!(
    EVP_CIPHER_CTX,
    EVP_MAC,
    EVP_MAC_CTX,
    HMAC_CTX,
    X509,
    X509_STORE,
    X509_STORE_CTX,
    X509_LOOKUP,
    X509_LOOKUP_METHOD,
    X509_VERIFY_PARAM,
    X509_NAME,
    EVP_PKEY,
    BIO,
    BIO_METHOD,
    OPENSSL_STACK,
    PKCS8_PRIV_KEY_INFO,
    OSSL_STORE_CTX,
    OSSL_STORE_INFO,
);

/// `CRYPTO_EX_DATA`: a public struct in libcrypto's headers; embedded in our objects.
#[repr(C)]
pub struct CRYPTO_EX_DATA {
    pub ctx: *mut c_void,
    pub sk: *mut OPENSSL_STACK,
}

pub type pem_password_cb =
    unsafe extern "C" fn(buf: *mut c_char, size: c_int, rwflag: c_int, u: *mut c_void) -> c_int;
pub type sk_cmp = unsafe extern "C" fn(a: *const *const c_void, b: *const *const c_void) -> c_int;
pub type BIO_info_cb = unsafe extern "C" fn(b: *mut BIO, state: c_int, res: c_int) -> c_int;
pub type bio_write_ex =
    unsafe extern "C" fn(b: *mut BIO, data: *const c_char, len: usize, done: *mut usize) -> c_int;
pub type bio_read_ex =
    unsafe extern "C" fn(b: *mut BIO, data: *mut c_char, len: usize, done: *mut usize) -> c_int;
pub type bio_puts = unsafe extern "C" fn(b: *mut BIO, s: *const c_char) -> c_int;
pub type bio_ctrl =
    unsafe extern "C" fn(b: *mut BIO, cmd: c_int, larg: c_long, parg: *mut c_void) -> c_long;
pub type bio_create = unsafe extern "C" fn(b: *mut BIO) -> c_int;
pub type bio_callback_ctrl =
    unsafe extern "C" fn(b: *mut BIO, cmd: c_int, fp: Option<BIO_info_cb>) -> c_long;
pub type verify_cb = unsafe extern "C" fn(ok: c_int, ctx: *mut X509_STORE_CTX) -> c_int;

pub const ERR_LIB_SSL: c_int = 20;
pub const ERR_LIB_PEM: c_int = 9;
/// `ERR_R_ASN1_LIB` (`ERR_LIB_ASN1 | ERR_RFLAG_COMMON`).
pub const ERR_R_ASN1_LIB: c_int = 13 | (0x2 << 18);
pub const BIO_CTRL_RESET: c_int = 1;
pub const BIO_CTRL_INFO: c_int = 3;
pub const BIO_CTRL_PUSH: c_int = 6;
pub const BIO_CTRL_POP: c_int = 7;
pub const BIO_CTRL_GET_CLOSE: c_int = 8;
pub const BIO_CTRL_SET_CLOSE: c_int = 9;
pub const BIO_CTRL_PENDING: c_int = 10;
pub const BIO_CTRL_FLUSH: c_int = 11;
pub const BIO_CTRL_DUP: c_int = 12;
pub const BIO_CTRL_WPENDING: c_int = 13;
pub const BIO_CTRL_SET_CALLBACK: c_int = 14;
pub const BIO_C_DO_STATE_MACHINE: c_int = 101;
pub const BIO_C_SET_SSL: c_int = 109;
pub const BIO_C_GET_SSL: c_int = 110;
pub const BIO_C_SSL_MODE: c_int = 119;
pub const BIO_C_SET_SSL_RENEGOTIATE_BYTES: c_int = 125;
pub const BIO_C_GET_SSL_NUM_RENEGOTIATES: c_int = 126;
pub const BIO_C_SET_SSL_RENEGOTIATE_TIMEOUT: c_int = 127;
pub const BIO_TYPE_SSL: c_int = 7 | 0x0200;
pub const BIO_CLOSE: c_int = 1;
pub const BIO_FP_READ: c_int = 0x02;
pub const BIO_C_SET_FILENAME: c_int = 108;
pub const OSSL_STORE_INFO_NAME: c_int = 1;
pub const OSSL_STORE_INFO_CERT: c_int = 5;
pub const ERR_LIB_SYS: c_int = 2;
pub const BIO_C_GET_FD: c_int = 105;
pub const BIO_NOCLOSE: c_int = 0;
pub const BIO_FLAGS_READ: c_int = 0x01;
pub const BIO_FLAGS_WRITE: c_int = 0x02;
pub const BIO_FLAGS_IO_SPECIAL: c_int = 0x04;
pub const BIO_FLAGS_SHOULD_RETRY: c_int = 0x08;
pub const BIO_FLAGS_RWS: c_int = BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_IO_SPECIAL;
pub const CRYPTO_EX_INDEX_SSL: c_int = 0;
pub const CRYPTO_EX_INDEX_SSL_CTX: c_int = 1;
pub const CRYPTO_EX_INDEX_SSL_SESSION: c_int = 2;
pub const CRYPTO_EX_INDEX_X509_STORE_CTX: c_int = 5;
pub const X509_V_OK: c_long = 0;
/// `X509_LOOKUP_add_store`'s command.
pub const X509_L_ADD_STORE: c_int = 3;
/// `X509_get_extension_flags`: the certificate is self-signed.
pub const EXFLAG_SS: u32 = 0x2000;

#[link(name = "crypto")]
extern "C" {
    // Error queue.
    pub fn ERR_new();
    pub fn ERR_set_debug(file: *const c_char, line: c_int, func: *const c_char);
    pub fn ERR_set_error(lib: c_int, reason: c_int, fmt: *const c_char, ...);
    pub fn ERR_peek_error() -> c_ulong;
    pub fn ERR_reason_error_string(e: c_ulong) -> *const c_char;
    pub fn ERR_peek_last_error() -> c_ulong;
    pub fn ERR_clear_error();
    pub fn ERR_set_mark() -> c_int;
    pub fn ERR_pop_to_mark() -> c_int;
    pub fn ERR_clear_last_mark() -> c_int;

    // BIO.
    pub fn BIO_read(b: *mut BIO, data: *mut c_void, dlen: c_int) -> c_int;
    pub fn BIO_write(b: *mut BIO, data: *const c_void, dlen: c_int) -> c_int;
    pub fn BIO_ctrl(b: *mut BIO, cmd: c_int, larg: c_long, parg: *mut c_void) -> c_long;
    pub fn BIO_test_flags(b: *const BIO, flags: c_int) -> c_int;
    pub fn BIO_new_socket(sock: c_int, close_flag: c_int) -> *mut BIO;
    pub fn BIO_new_file(filename: *const c_char, mode: *const c_char) -> *mut BIO;
    pub fn BIO_new_mem_buf(buf: *const c_void, len: c_int) -> *mut BIO;
    pub fn BIO_free(b: *mut BIO) -> c_int;
    pub fn BIO_free_all(b: *mut BIO);
    pub fn BIO_up_ref(b: *mut BIO) -> c_int;
    pub fn BIO_method_type(b: *const BIO) -> c_int;
    pub fn BIO_new(m: *const BIO_METHOD) -> *mut BIO;
    pub fn BIO_new_fp(stream: *mut c_void, close_flag: c_int) -> *mut BIO;
    pub fn PEM_write_bio(
        bp: *mut BIO,
        name: *const c_char,
        hdr: *const c_char,
        data: *const c_uchar,
        len: c_long,
    ) -> c_int;
    pub fn PEM_bytes_read_bio(
        pdata: *mut *mut c_uchar,
        plen: *mut c_long,
        pnm: *mut *mut c_char,
        name: *const c_char,
        bp: *mut BIO,
        cb: Option<pem_password_cb>,
        u: *mut c_void,
    ) -> c_int;
    pub fn BIO_s_connect() -> *const BIO_METHOD;
    pub fn BIO_f_buffer() -> *const BIO_METHOD;
    pub fn BIO_push(b: *mut BIO, append: *mut BIO) -> *mut BIO;
    pub fn BIO_next(b: *mut BIO) -> *mut BIO;
    pub fn BIO_set_next(b: *mut BIO, next: *mut BIO);
    pub fn BIO_find_type(b: *mut BIO, bio_type: c_int) -> *mut BIO;
    pub fn BIO_get_data(b: *mut BIO) -> *mut c_void;
    pub fn BIO_set_data(b: *mut BIO, data: *mut c_void);
    pub fn BIO_get_init(b: *mut BIO) -> c_int;
    pub fn BIO_set_init(b: *mut BIO, init: c_int);
    pub fn BIO_get_shutdown(b: *mut BIO) -> c_int;
    pub fn BIO_set_shutdown(b: *mut BIO, shut: c_int);
    pub fn BIO_set_flags(b: *mut BIO, flags: c_int);
    pub fn BIO_clear_flags(b: *mut BIO, flags: c_int);
    pub fn BIO_set_retry_reason(b: *mut BIO, reason: c_int);
    pub fn BIO_get_retry_reason(b: *mut BIO) -> c_int;
    pub fn BIO_copy_next_retry(b: *mut BIO);
    pub fn BIO_callback_ctrl(b: *mut BIO, cmd: c_int, fp: Option<BIO_info_cb>) -> c_long;
    pub fn BIO_puts(b: *mut BIO, buf: *const c_char) -> c_int;
    pub fn BIO_meth_new(ty: c_int, name: *const c_char) -> *mut BIO_METHOD;
    pub fn BIO_meth_set_write_ex(m: *mut BIO_METHOD, f: bio_write_ex) -> c_int;
    pub fn BIO_meth_set_read_ex(m: *mut BIO_METHOD, f: bio_read_ex) -> c_int;
    pub fn BIO_meth_set_puts(m: *mut BIO_METHOD, f: bio_puts) -> c_int;
    pub fn BIO_meth_set_ctrl(m: *mut BIO_METHOD, f: bio_ctrl) -> c_int;
    pub fn BIO_meth_set_create(m: *mut BIO_METHOD, f: bio_create) -> c_int;
    pub fn BIO_meth_set_destroy(m: *mut BIO_METHOD, f: bio_create) -> c_int;
    pub fn BIO_meth_set_callback_ctrl(m: *mut BIO_METHOD, f: bio_callback_ctrl) -> c_int;

    // X509.
    pub fn d2i_X509(a: *mut *mut X509, pp: *mut *const c_uchar, len: c_long) -> *mut X509;
    pub fn i2d_X509(a: *const X509, out: *mut *mut c_uchar) -> c_int;
    pub fn X509_free(a: *mut X509);
    pub fn X509_up_ref(a: *mut X509) -> c_int;
    pub fn X509_check_private_key(x: *const X509, k: *const EVP_PKEY) -> c_int;
    pub fn X509_get_subject_name(x: *const X509) -> *mut X509_NAME;
    pub fn X509_NAME_dup(n: *const X509_NAME) -> *mut X509_NAME;
    pub fn X509_NAME_free(n: *mut X509_NAME);
    pub fn X509_NAME_cmp(a: *const X509_NAME, b: *const X509_NAME) -> c_int;
    pub fn i2d_X509_NAME(n: *const X509_NAME, out: *mut *mut c_uchar) -> c_int;
    pub fn d2i_X509_NAME(
        a: *mut *mut X509_NAME,
        pp: *mut *const c_uchar,
        len: c_long,
    ) -> *mut X509_NAME;
    pub fn EVP_sha256() -> *const c_void;
    pub fn EVP_sha384() -> *const c_void;
    pub fn PEM_read_bio_X509(
        bp: *mut BIO,
        x: *mut *mut X509,
        cb: Option<pem_password_cb>,
        u: *mut c_void,
    ) -> *mut X509;
    pub fn PEM_read_bio_X509_AUX(
        bp: *mut BIO,
        x: *mut *mut X509,
        cb: Option<pem_password_cb>,
        u: *mut c_void,
    ) -> *mut X509;

    // Keys.
    pub fn PEM_read_bio_PrivateKey(
        bp: *mut BIO,
        x: *mut *mut EVP_PKEY,
        cb: Option<pem_password_cb>,
        u: *mut c_void,
    ) -> *mut EVP_PKEY;
    pub fn d2i_AutoPrivateKey(
        a: *mut *mut EVP_PKEY,
        pp: *mut *const c_uchar,
        len: c_long,
    ) -> *mut EVP_PKEY;
    pub fn d2i_PrivateKey(
        ty: c_int,
        a: *mut *mut EVP_PKEY,
        pp: *mut *const c_uchar,
        len: c_long,
    ) -> *mut EVP_PKEY;
    pub fn EVP_PKEY_free(k: *mut EVP_PKEY);
    pub fn EVP_PKEY_new() -> *mut EVP_PKEY;
    pub fn EVP_PKEY_set1_RSA(k: *mut EVP_PKEY, rsa: *mut c_void) -> c_int;
    pub fn EVP_PKEY_get_base_id(k: *const EVP_PKEY) -> c_int;
    pub fn X509_get0_pubkey(x: *const X509) -> *mut EVP_PKEY;
    pub fn EVP_PKEY_eq(a: *const EVP_PKEY, b: *const EVP_PKEY) -> c_int;
    pub fn EVP_PKEY_new_raw_public_key(
        ty: c_int,
        e: *mut c_void,
        key: *const c_uchar,
        keylen: usize,
    ) -> *mut EVP_PKEY;
    pub fn d2i_PUBKEY(a: *mut *mut EVP_PKEY, pp: *mut *const c_uchar, len: c_long)
        -> *mut EVP_PKEY;
    pub fn i2d_PUBKEY(a: *const EVP_PKEY, pp: *mut *mut c_uchar) -> c_int;
    pub fn EVP_PKEY_up_ref(k: *mut EVP_PKEY) -> c_int;
    pub fn EVP_PKEY2PKCS8(k: *const EVP_PKEY) -> *mut PKCS8_PRIV_KEY_INFO;
    pub fn i2d_PKCS8_PRIV_KEY_INFO(a: *const PKCS8_PRIV_KEY_INFO, out: *mut *mut c_uchar) -> c_int;
    pub fn PKCS8_PRIV_KEY_INFO_free(a: *mut PKCS8_PRIV_KEY_INFO);

    // Trust store and verification.
    pub fn X509_STORE_new() -> *mut X509_STORE;
    pub fn X509_STORE_free(s: *mut X509_STORE);
    pub fn X509_STORE_up_ref(s: *mut X509_STORE) -> c_int;
    pub fn X509_STORE_load_file(s: *mut X509_STORE, file: *const c_char) -> c_int;
    pub fn X509_STORE_load_path(s: *mut X509_STORE, path: *const c_char) -> c_int;
    pub fn X509_STORE_add_cert(s: *mut X509_STORE, x: *mut X509) -> c_int;
    pub fn X509_get_extension_flags(x: *mut X509) -> u32;
    pub fn EC_KEY_get0_group(k: *const c_void) -> *const c_void;
    pub fn EC_GROUP_get_curve_name(g: *const c_void) -> c_int;
    pub fn X509_STORE_load_store(s: *mut X509_STORE, uri: *const c_char) -> c_int;
    pub fn X509_STORE_add_lookup(
        s: *mut X509_STORE,
        m: *mut X509_LOOKUP_METHOD,
    ) -> *mut X509_LOOKUP;
    pub fn X509_LOOKUP_store() -> *mut X509_LOOKUP_METHOD;
    pub fn X509_LOOKUP_ctrl(
        l: *mut X509_LOOKUP,
        cmd: c_int,
        argc: *const c_char,
        argl: c_long,
        ret: *mut *mut c_char,
    ) -> c_int;
    // Certificate Transparency log stores (CTLOG_STORE, opaque here).
    pub fn CTLOG_STORE_new() -> *mut c_void;
    pub fn CTLOG_STORE_free(s: *mut c_void);
    pub fn CTLOG_STORE_load_file(s: *mut c_void, file: *const c_char) -> c_int;
    pub fn CTLOG_STORE_load_default_file(s: *mut c_void) -> c_int;
    // libcrypto's side of the `ssl_conf` configuration module (crypto/conf/conf_ssl.c), which
    // libssl's SSL_CTX_config reads: the sections found, and their commands.
    pub fn conf_ssl_name_find(name: *const c_char, idx: *mut usize) -> c_int;
    pub fn conf_ssl_get(idx: usize, name: *mut *const c_char, cnt: *mut usize) -> *const c_void;
    pub fn conf_ssl_get_cmd(
        cmds: *const c_void,
        idx: usize,
        cmd: *mut *mut c_char,
        arg: *mut *mut c_char,
    );
    pub fn X509_get_default_cert_dir() -> *const c_char;
    pub fn X509_get_default_cert_dir_env() -> *const c_char;
    pub fn X509_STORE_CTX_new() -> *mut X509_STORE_CTX;
    pub fn X509_STORE_CTX_free(c: *mut X509_STORE_CTX);
    pub fn X509_STORE_CTX_init(
        c: *mut X509_STORE_CTX,
        s: *mut X509_STORE,
        x: *mut X509,
        chain: *mut OPENSSL_STACK,
    ) -> c_int;
    pub fn X509_STORE_CTX_get0_param(c: *const X509_STORE_CTX) -> *mut X509_VERIFY_PARAM;
    pub fn X509_STORE_CTX_set_default(c: *mut X509_STORE_CTX, name: *const c_char) -> c_int;
    pub fn X509_STORE_CTX_set_ex_data(c: *mut X509_STORE_CTX, idx: c_int, d: *mut c_void) -> c_int;
    pub fn X509_STORE_CTX_set_verify_cb(c: *mut X509_STORE_CTX, cb: Option<verify_cb>);
    pub fn X509_STORE_CTX_get_error(c: *const X509_STORE_CTX) -> c_int;
    pub fn X509_STORE_CTX_get1_chain(c: *const X509_STORE_CTX) -> *mut OPENSSL_STACK;
    pub fn X509_verify_cert(c: *mut X509_STORE_CTX) -> c_int;
    pub fn X509_verify_cert_error_string(n: c_long) -> *const c_char;

    pub fn X509_VERIFY_PARAM_new() -> *mut X509_VERIFY_PARAM;
    pub fn X509_VERIFY_PARAM_free(p: *mut X509_VERIFY_PARAM);
    pub fn X509_VERIFY_PARAM_set1(
        to: *mut X509_VERIFY_PARAM,
        from: *const X509_VERIFY_PARAM,
    ) -> c_int;
    pub fn X509_VERIFY_PARAM_inherit(
        to: *mut X509_VERIFY_PARAM,
        from: *const X509_VERIFY_PARAM,
    ) -> c_int;
    pub fn X509_VERIFY_PARAM_set_depth(p: *mut X509_VERIFY_PARAM, depth: c_int);
    pub fn X509_VERIFY_PARAM_set_purpose(p: *mut X509_VERIFY_PARAM, purpose: c_int) -> c_int;
    pub fn X509_VERIFY_PARAM_set_trust(p: *mut X509_VERIFY_PARAM, trust: c_int) -> c_int;
    pub fn X509_VERIFY_PARAM_get_depth(p: *const X509_VERIFY_PARAM) -> c_int;
    pub fn X509_VERIFY_PARAM_set_auth_level(p: *mut X509_VERIFY_PARAM, level: c_int);
    pub fn X509_VERIFY_PARAM_set1_host(
        p: *mut X509_VERIFY_PARAM,
        name: *const c_char,
        len: usize,
    ) -> c_int;
    pub fn X509_VERIFY_PARAM_add1_host(
        p: *mut X509_VERIFY_PARAM,
        name: *const c_char,
        len: usize,
    ) -> c_int;
    pub fn X509_VERIFY_PARAM_set_hostflags(p: *mut X509_VERIFY_PARAM, flags: u32);
    pub fn X509_VERIFY_PARAM_get0_peername(p: *const X509_VERIFY_PARAM) -> *mut c_char;
    pub fn X509_VERIFY_PARAM_move_peername(
        to: *mut X509_VERIFY_PARAM,
        from: *mut X509_VERIFY_PARAM,
    );
    pub fn X509_VERIFY_PARAM_set1_ip_asc(p: *mut X509_VERIFY_PARAM, ipasc: *const c_char) -> c_int;

    // Stacks.
    pub fn OPENSSL_sk_new_null() -> *mut OPENSSL_STACK;
    pub fn OPENSSL_sk_push(st: *mut OPENSSL_STACK, data: *const c_void) -> c_int;
    pub fn OPENSSL_sk_num(st: *const OPENSSL_STACK) -> c_int;
    pub fn OPENSSL_sk_value(st: *const OPENSSL_STACK, i: c_int) -> *mut c_void;
    pub fn OPENSSL_sk_free(st: *mut OPENSSL_STACK);
    pub fn OPENSSL_sk_find(st: *mut OPENSSL_STACK, data: *const c_void) -> c_int;
    pub fn OPENSSL_sk_set_cmp_func(st: *mut OPENSSL_STACK, cmp: Option<sk_cmp>) -> Option<sk_cmp>;

    // OSSL_STORE.
    pub fn OSSL_STORE_open(
        uri: *const c_char,
        ui_method: *const c_void,
        ui_data: *mut c_void,
        post_process: *mut c_void,
        post_process_data: *mut c_void,
    ) -> *mut OSSL_STORE_CTX;
    pub fn OSSL_STORE_load(c: *mut OSSL_STORE_CTX) -> *mut OSSL_STORE_INFO;
    pub fn OSSL_STORE_eof(c: *mut OSSL_STORE_CTX) -> c_int;
    pub fn OSSL_STORE_error(c: *mut OSSL_STORE_CTX) -> c_int;
    pub fn OSSL_STORE_close(c: *mut OSSL_STORE_CTX) -> c_int;
    pub fn OSSL_STORE_INFO_get_type(i: *const OSSL_STORE_INFO) -> c_int;
    pub fn OSSL_STORE_INFO_get0_NAME(i: *const OSSL_STORE_INFO) -> *const c_char;
    pub fn OSSL_STORE_INFO_get0_CERT(i: *const OSSL_STORE_INFO) -> *mut X509;
    pub fn OSSL_STORE_INFO_free(i: *mut OSSL_STORE_INFO);
    pub fn BIO_s_file() -> *const BIO_METHOD;

    // ex_data.
    pub fn CRYPTO_get_ex_new_index(
        class_index: c_int,
        argl: c_long,
        argp: *mut c_void,
        new_func: *mut c_void,
        dup_func: *mut c_void,
        free_func: *mut c_void,
    ) -> c_int;
    pub fn CRYPTO_new_ex_data(
        class_index: c_int,
        obj: *mut c_void,
        ad: *mut CRYPTO_EX_DATA,
    ) -> c_int;
    pub fn CRYPTO_free_ex_data(class_index: c_int, obj: *mut c_void, ad: *mut CRYPTO_EX_DATA);
    pub fn CRYPTO_set_ex_data(ad: *mut CRYPTO_EX_DATA, idx: c_int, val: *mut c_void) -> c_int;
    pub fn CRYPTO_get_ex_data(ad: *const CRYPTO_EX_DATA, idx: c_int) -> *mut c_void;

    pub fn CRYPTO_free(ptr: *mut c_void, file: *const c_char, line: c_int);
    pub fn CRYPTO_memcmp(a: *const c_void, b: *const c_void, len: usize) -> c_int;

    // Session ticket encryption with the program's ticket key callback.
    pub fn EVP_CIPHER_CTX_new() -> *mut EVP_CIPHER_CTX;
    pub fn EVP_CIPHER_CTX_free(c: *mut EVP_CIPHER_CTX);
    pub fn EVP_CIPHER_CTX_get_iv_length(c: *const EVP_CIPHER_CTX) -> c_int;
    pub fn EVP_CIPHER_CTX_get_block_size(c: *const EVP_CIPHER_CTX) -> c_int;
    pub fn EVP_EncryptUpdate(
        c: *mut EVP_CIPHER_CTX,
        out: *mut c_uchar,
        outl: *mut c_int,
        inp: *const c_uchar,
        inl: c_int,
    ) -> c_int;
    pub fn EVP_EncryptFinal_ex(
        c: *mut EVP_CIPHER_CTX,
        out: *mut c_uchar,
        outl: *mut c_int,
    ) -> c_int;
    pub fn EVP_DecryptUpdate(
        c: *mut EVP_CIPHER_CTX,
        out: *mut c_uchar,
        outl: *mut c_int,
        inp: *const c_uchar,
        inl: c_int,
    ) -> c_int;
    pub fn EVP_DecryptFinal_ex(
        c: *mut EVP_CIPHER_CTX,
        out: *mut c_uchar,
        outl: *mut c_int,
    ) -> c_int;
    pub fn HMAC_CTX_new() -> *mut HMAC_CTX;
    pub fn HMAC_Init_ex(
        c: *mut HMAC_CTX,
        key: *const c_void,
        len: c_int,
        md: *const c_void,
        engine: *mut c_void,
    ) -> c_int;
    pub fn EVP_aes_256_cbc() -> *const c_void;
    pub fn EVP_EncryptInit_ex(
        c: *mut EVP_CIPHER_CTX,
        cipher: *const c_void,
        engine: *mut c_void,
        key: *const c_uchar,
        iv: *const c_uchar,
    ) -> c_int;
    pub fn EVP_DecryptInit_ex(
        c: *mut EVP_CIPHER_CTX,
        cipher: *const c_void,
        engine: *mut c_void,
        key: *const c_uchar,
        iv: *const c_uchar,
    ) -> c_int;
    pub fn RAND_bytes(buf: *mut c_uchar, num: c_int) -> c_int;
    pub fn HMAC_CTX_free(c: *mut HMAC_CTX);
    pub fn HMAC_Update(c: *mut HMAC_CTX, data: *const c_uchar, len: usize) -> c_int;
    pub fn HMAC_Final(c: *mut HMAC_CTX, md: *mut c_uchar, len: *mut c_uint) -> c_int;
    pub fn HMAC_size(c: *const HMAC_CTX) -> usize;
    pub fn EVP_MAC_fetch(
        libctx: *mut c_void,
        algorithm: *const c_char,
        properties: *const c_char,
    ) -> *mut EVP_MAC;
    pub fn EVP_MAC_free(m: *mut EVP_MAC);
    pub fn EVP_MAC_CTX_new(m: *mut EVP_MAC) -> *mut EVP_MAC_CTX;
    pub fn EVP_MAC_CTX_free(c: *mut EVP_MAC_CTX);
    pub fn EVP_MAC_CTX_get_mac_size(c: *mut EVP_MAC_CTX) -> usize;
    pub fn EVP_MAC_update(c: *mut EVP_MAC_CTX, data: *const c_uchar, len: usize) -> c_int;
    pub fn EVP_MAC_final(
        c: *mut EVP_MAC_CTX,
        out: *mut c_uchar,
        outl: *mut usize,
        outsize: usize,
    ) -> c_int;
    pub fn CRYPTO_malloc(num: usize, file: *const c_char, line: c_int) -> *mut c_void;
    pub fn OPENSSL_init_crypto(opts: u64, settings: *const c_void) -> c_int;
    pub fn OPENSSL_issetugid() -> c_int;
    pub fn OpenSSL_version_num() -> c_ulong;
}
