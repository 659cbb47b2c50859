//! (e) The ClientHello parser behind the client-hello callback: a server fed arbitrary bytes
//! (one chunk, raw) whose callback calls every `SSL_client_hello_get*` function and reads what
//! each returns. Seeds: the recorded ClientHellos.
#![no_main]

use std::ffi::{c_int, c_void};
use std::ptr;
use std::sync::OnceLock;

use ferrossl_fuzz::tls::{Side, SERVER_MESSAGE};
use ferrossl_fuzz::*;

extern "C" {
    fn CRYPTO_free(p: *mut c_void, file: *const std::ffi::c_char, line: c_int);
}

/// Reads `len` bytes at `p` (ASan checks that they are there).
unsafe fn touch(p: *const u8, len: usize) {
    if !p.is_null() && len > 0 {
        // SAFETY: the caller's contract: ferrossl said p has len bytes.
        let bytes = unsafe { std::slice::from_raw_parts(p, len) };
        std::hint::black_box(bytes.iter().fold(0u8, |a, &b| a ^ b));
    }
}

unsafe extern "C" fn callback(s: *mut SSL, al: *mut c_int, _arg: *mut c_void) -> c_int {
    // SAFETY: s is the connection in its callback; out-parameters point to locals.
    unsafe {
        SSL_client_hello_isv2(s);
        SSL_client_hello_get0_legacy_version(s);
        let mut p = ptr::null();
        let n = SSL_client_hello_get0_random(s, &mut p);
        touch(p, n);
        let n = SSL_client_hello_get0_session_id(s, &mut p);
        touch(p, n);
        let n = SSL_client_hello_get0_ciphers(s, &mut p);
        touch(p, n);
        let n = SSL_client_hello_get0_compression_methods(s, &mut p);
        touch(p, n);
        let (mut present, mut count) = (ptr::null_mut::<c_int>(), 0usize);
        if SSL_client_hello_get1_extensions_present(s, &mut present, &mut count) == 1 {
            touch(present.cast(), count * std::mem::size_of::<c_int>());
            CRYPTO_free(present.cast(), c"fuzz".as_ptr(), 0);
        }
        let mut num = 0usize;
        let mut order = Vec::new();
        if SSL_client_hello_get_extension_order(s, ptr::null_mut(), &mut num) == 1 {
            order = vec![0u16; num];
            let ok = SSL_client_hello_get_extension_order(s, order.as_mut_ptr(), &mut num);
            assert_eq!(ok, 1, "extension order with the room it asked for");
            assert_eq!(num, order.len(), "extension count changed");
            // Too little room is refused.
            if num > 0 {
                let mut small = num - 1;
                let mut room = vec![0u16; small];
                let r = SSL_client_hello_get_extension_order(s, room.as_mut_ptr(), &mut small);
                assert_eq!(r, 0, "extension order into too little room");
            }
        }
        // Every extension listed, plus a few that are not.
        for t in order
            .iter()
            .map(|&t| u32::from(t))
            .chain([0, 10, 13, 43, 51, 0xffff, 0x10000])
        {
            let (mut body, mut len) = (ptr::null(), 0usize);
            if SSL_client_hello_get0_ext(s, t, &mut body, &mut len) == 1 {
                touch(body, len);
            }
        }
        *al = 80;
    }
    1
}

struct Ctx(*mut SSL_CTX);
// SAFETY: a handle (an id), valid from any thread.
unsafe impl Send for Ctx {}
unsafe impl Sync for Ctx {}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    init();
    static CTX: OnceLock<Ctx> = OnceLock::new();
    let ctx = CTX
        .get_or_init(|| {
            reset(CTX_SEED);
            let ctx = server_ctx();
            SSL_CTX_set_client_hello_cb(ctx, Some(callback), ptr::null_mut());
            Ctx(ctx)
        })
        .0;
    reset(SERVER_SEED);
    let mut server = Side::server(ctx);
    server.step(data, SERVER_MESSAGE);
    server.finish();
    drop(server);
    clear_errors();
});
