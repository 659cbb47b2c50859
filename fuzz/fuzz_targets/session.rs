//! (c) `d2i_SSL_SESSION` on arbitrary bytes; a session that parses is written back with
//! `i2d_SSL_SESSION`, which must parse again and be written the same (and so must its
//! `SSL_SESSION_dup`); its getters and `SSL_SESSION_print` run, and a client offers it.
#![no_main]

use std::ffi::{c_long, c_uint};
use std::ptr;

use ferrossl_fuzz::tls::{self, Side, CLIENT_MESSAGE};
use ferrossl_fuzz::*;

fn parse(der: &[u8]) -> *mut SSL_SESSION {
    let mut p = der.as_ptr();
    // SAFETY: p points to der.len() readable bytes.
    unsafe { d2i_SSL_SESSION(ptr::null_mut(), &mut p, der.len() as c_long) }
}

fn der(s: *mut SSL_SESSION) -> Vec<u8> {
    // SAFETY: s is a live session; out has the room i2d reported.
    unsafe {
        let len = i2d_SSL_SESSION(s, ptr::null_mut());
        assert!(len > 0, "i2d_SSL_SESSION of a parsed session failed");
        let mut out = vec![0u8; len as usize];
        let mut p = out.as_mut_ptr();
        assert_eq!(i2d_SSL_SESSION(s, &mut p), len, "i2d_SSL_SESSION lengths");
        assert_eq!(
            p.offset_from(out.as_ptr()),
            len as isize,
            "i2d_SSL_SESSION advance"
        );
        out
    }
}

fn getters(s: *mut SSL_SESSION) {
    let mut len: c_uint = 0;
    let mut key = [0u8; 64];
    let (mut alpn, mut alpn_len) = (ptr::null(), 0usize);
    // SAFETY: live session; out-parameters point to locals; the BIO is a fresh memory BIO.
    unsafe {
        let id = SSL_SESSION_get_id(s, &mut len);
        if !id.is_null() {
            std::hint::black_box(std::slice::from_raw_parts(id, len as usize));
        }
        SSL_SESSION_get_protocol_version(s);
        SSL_SESSION_get0_cipher(s);
        SSL_SESSION_get0_hostname(s);
        SSL_SESSION_has_ticket(s);
        SSL_SESSION_is_resumable(s);
        SSL_SESSION_get_time(s);
        ferrossl::capi::secrets::SSL_SESSION_get_master_key(s, key.as_mut_ptr(), key.len());
        SSL_SESSION_get0_alpn_selected(s, &mut alpn, &mut alpn_len);
        if !alpn.is_null() {
            std::hint::black_box(std::slice::from_raw_parts(alpn, alpn_len));
        }
        let bio = crypto::mem();
        ferrossl::capi::session_io::SSL_SESSION_print(bio, s);
        crypto::BIO_free(bio);
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    init();
    let s = parse(data);
    if s.is_null() {
        clear_errors();
        return;
    }
    let first = der(s);
    let again = parse(&first);
    assert!(
        !again.is_null(),
        "i2d_SSL_SESSION wrote what d2i_SSL_SESSION refuses"
    );
    assert_eq!(der(again), first, "i2d(d2i(i2d(s))) differs from i2d(s)");
    let dup = SSL_SESSION_dup(s);
    assert!(!dup.is_null(), "SSL_SESSION_dup");
    assert_eq!(
        der(dup),
        first,
        "i2d(SSL_SESSION_dup(s)) differs from i2d(s)"
    );
    getters(s);
    // A client offers it (resumption with whatever the session holds).
    let ctx = tls::shared_client_ctx(usize::from(data[data.len() / 2]));
    reset(CLIENT_SEED);
    let mut client = Side::client(ctx);
    SSL_set_session(client.ssl(), s);
    client.step(&[], CLIENT_MESSAGE);
    drop(client);
    for x in [s, again, dup] {
        SSL_SESSION_free(x);
    }
    clear_errors();
});
