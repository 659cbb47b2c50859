//! (d) Cipher strings, TLS 1.3 ciphersuites, group and signature-algorithm lists, ALPN lists
//! and `SSL_CONF_cmd` pairs on a fresh context, which then (flag bit 0x20) runs a handshake
//! with itself (a client and a server on it), so the settings reach the rustls configurations.
//!
//! Input: a byte of `SSL_CONF_CTX` flags, then lines (`\n`); each line is an operation byte
//! and its argument. `SSL_CONF_cmd` lines are `name\tvalue` (no tab: a NULL value). Commands
//! that take a file, directory or store name are skipped (they would read the machine's files).
#![no_main]

use std::ffi::{c_char, c_int, c_long};
use std::ptr;

use ferrossl_fuzz::tls::{self, Side, CLIENT_MESSAGE, SERVER_MESSAGE};
use ferrossl_fuzz::*;

const SET_GROUPS_LIST: c_int = 92;
const SET_SIGALGS_LIST: c_int = 98;
const SET_CLIENT_SIGALGS_LIST: c_int = 102;
const SET_MIN_PROTO_VERSION: c_int = 123;
const SET_MAX_PROTO_VERSION: c_int = 124;
/// `SSL_CONF_TYPE_FILE`, `_DIR`, `_STORE`.
const FILE_TYPES: [c_int; 3] = [2, 3, 4];

fn ctrl(ctx: *mut SSL_CTX, cmd: c_int, s: &[u8]) {
    // SAFETY: s is NUL-terminated.
    unsafe { SSL_CTX_ctrl(ctx, cmd, 0, s.as_ptr() as *mut _) };
}

fn conf(cctx: *mut ConfCtx, line: &[u8]) {
    let (name, value) = match line.iter().position(|&b| b == b'\t') {
        Some(i) => (cstring(&line[..i]), Some(cstring(&line[i + 1..]))),
        None => (cstring(line), None),
    };
    let v = value
        .as_ref()
        .map_or(ptr::null(), |v| v.as_ptr().cast::<c_char>());
    // SAFETY: NUL-terminated strings (or a NULL value).
    unsafe {
        let ty = SSL_CONF_cmd_value_type(cctx, name.as_ptr().cast());
        if !FILE_TYPES.contains(&ty) {
            SSL_CONF_cmd(cctx, name.as_ptr().cast(), v);
        }
    }
}

use ferrossl::capi::types::SSL_CONF_CTX as ConfCtx;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    init();
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let shared = tls::shared_server_ctx();
    reset(SERVER_SEED);
    let ctx = SSL_CTX_new(TLS_method());
    SSL_CTX_use_certificate(ctx, SSL_CTX_get0_certificate(shared));
    SSL_CTX_use_PrivateKey(ctx, SSL_CTX_get0_privatekey(shared));
    let cctx = SSL_CONF_CTX_new();
    let mut f = if flags & 1 != 0 {
        CONF_CMDLINE
    } else {
        CONF_FILE
    };
    for (bit, flag) in [
        (2, CONF_CLIENT),
        (4, CONF_SERVER),
        (8, CONF_CERTIFICATE),
        (16, 0x10),
    ] {
        if flags & bit != 0 {
            f |= flag;
        }
    }
    SSL_CONF_CTX_set_flags(cctx, f);
    SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    for line in rest.split(|&b| b == b'\n').take(64) {
        let Some((&op, arg)) = line.split_first() else {
            continue;
        };
        let s = cstring(arg);
        // SAFETY: s is NUL-terminated; arg is readable for its length.
        unsafe {
            match op % 8 {
                0 => {
                    SSL_CTX_set_cipher_list(ctx, s.as_ptr().cast());
                }
                1 => {
                    SSL_CTX_set_ciphersuites(ctx, s.as_ptr().cast());
                }
                2 => ctrl(ctx, SET_GROUPS_LIST, &s),
                3 => ctrl(ctx, SET_SIGALGS_LIST, &s),
                4 | 5 => conf(cctx, arg),
                6 => {
                    SSL_CTX_set_alpn_protos(ctx, arg.as_ptr(), arg.len() as u32);
                }
                _ => {
                    let v = arg.iter().fold(0, |v: c_long, &b| v << 8 | c_long::from(b));
                    let cmd = match (op / 8) % 3 {
                        0 => SET_MIN_PROTO_VERSION,
                        1 => SET_MAX_PROTO_VERSION,
                        _ => SET_CLIENT_SIGALGS_LIST,
                    };
                    if cmd == SET_CLIENT_SIGALGS_LIST {
                        ctrl(ctx, cmd, &s);
                    } else {
                        SSL_CTX_ctrl(ctx, cmd, v, ptr::null_mut());
                    }
                }
            }
        }
    }
    SSL_CONF_CTX_finish(cctx);
    SSL_CONF_CTX_free(cctx);
    let ciphers = SSL_CTX_get_ciphers(ctx);
    std::hint::black_box(ciphers);
    // Flag bit 0x20: the context then talks to itself (a handshake costs most of the time of
    // an input; without it the parsers run many times faster).
    if flags & 0x20 == 0 {
        SSL_CTX_free(ctx);
        clear_errors();
        return;
    }
    // A server sends as many TLS 1.3 tickets as configured, as OpenSSL does: a NumTickets of
    // a million (found by this target) is one input of minutes. The parsers have seen it; the
    // handshake sends at most 8.
    if SSL_CTX_get_num_tickets(ctx) > 8 {
        SSL_CTX_set_num_tickets(ctx, 8);
    }
    let mut client = Side::client(ctx);
    let mut server = Side::server(ctx);
    let mut to_server = client.step(&[], CLIENT_MESSAGE);
    for _ in 0..6 {
        let to_client = server.step(&to_server, SERVER_MESSAGE);
        to_server = client.step(&to_client, CLIENT_MESSAGE);
        if to_client.is_empty() && to_server.is_empty() {
            break;
        }
    }
    for i in 0..4 {
        SSL_get_cipher_list(client.ssl(), i);
    }
    drop((client, server));
    SSL_CTX_free(ctx);
    clear_errors();
});
