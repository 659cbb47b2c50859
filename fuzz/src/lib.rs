//! What the fuzz targets share: ferrossl's C API, the few libcrypto calls they need, the input
//! framing, the contexts, and the drivers that run one connection over memory BIOs.
//!
//! Everything goes through the `extern "C"` functions a C program calls (`ferrossl::capi`),
//! with the handles and buffers a C program would pass.

#![allow(clippy::missing_safety_doc)]

pub mod calls;
pub mod tls;

use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::ptr;

pub use ferrossl::capi::certificate::*;
pub use ferrossl::capi::cipher::*;
pub use ferrossl::capi::client_hello::*;
pub use ferrossl::capi::conf::*;
pub use ferrossl::capi::conf_cmd::*;
pub use ferrossl::capi::connection::*;
pub use ferrossl::capi::context::*;
pub use ferrossl::capi::ctrl::{SSL_CTX_ctrl, SSL_ctrl};
pub use ferrossl::capi::io::*;
pub use ferrossl::capi::method::*;
pub use ferrossl::capi::server::*;
pub use ferrossl::capi::session::*;
pub use ferrossl::capi::session_cache::*;
pub use ferrossl::capi::types::{BIO, SSL, SSL_CTX, SSL_SESSION};
pub use ferrossl::capi::verify::*;
pub use ferrossl::core::fuzzing::{reset, state};

/// libcrypto's BIO functions the targets use (ferrossl links libcrypto).
pub mod crypto {
    use super::*;

    #[repr(C)]
    pub struct BioMethod {
        _private: [u8; 0],
    }

    extern "C" {
        pub fn BIO_s_mem() -> *const BioMethod;
        pub fn BIO_new(m: *const BioMethod) -> *mut BIO;
        pub fn BIO_free(b: *mut BIO) -> c_int;
        pub fn BIO_read(b: *mut BIO, data: *mut c_void, len: c_int) -> c_int;
        pub fn BIO_write(b: *mut BIO, data: *const c_void, len: c_int) -> c_int;
        pub fn BIO_ctrl(b: *mut BIO, cmd: c_int, larg: c_long, parg: *mut c_void) -> c_long;
        pub fn ERR_clear_error();
    }

    /// `BIO_set_mem_eof_return`: an empty memory BIO then reads as "retry", like a socket
    /// with nothing to read yet, instead of end of file.
    const BIO_C_SET_BUF_MEM_EOF_RETURN: c_int = 130;

    /// A memory BIO that reports "retry" when empty.
    pub fn mem() -> *mut BIO {
        // SAFETY: plain libcrypto constructors.
        unsafe {
            let b = BIO_new(BIO_s_mem());
            assert!(!b.is_null(), "BIO_new failed");
            BIO_ctrl(b, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, ptr::null_mut());
            b
        }
    }

    /// Everything `b` holds.
    pub fn drain(b: *mut BIO) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: b is a live BIO; buf is writable for its length.
            let n = unsafe { BIO_read(b, buf.as_mut_ptr().cast(), buf.len() as c_int) };
            if n <= 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n as usize]);
        }
    }

    /// Appends `data` to `b`.
    pub fn feed(b: *mut BIO, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        // SAFETY: b is a live BIO; data is readable for its length.
        let n = unsafe { BIO_write(b, data.as_ptr().cast(), data.len() as c_int) };
        assert_eq!(n as usize, data.len(), "BIO_write to a memory BIO");
    }
}

/// Called first by every target: lets one known rustls debug assertion unwind into ferrossl's
/// panic boundary instead of aborting the run. rustls 0.23 asserts (in debug builds only, and
/// cargo-fuzz builds with debug assertions) that it sends at most one fatal alert, but
/// `send_close_notify` sets the same flag, so a bad record arriving after our close_notify
/// trips it (rustls/rustls#959); a release build sends the alert. Every other panic still
/// aborts, as libFuzzer's hook makes it.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let known = info.location().is_some_and(|l| {
                l.file().contains("rustls-0.23.") && l.file().ends_with("src/common_state.rs")
            }) && info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.contains("!self.sent_fatal_alert"));
            if !known {
                abort(info);
            }
        }));
    });
}

/// Splits a target's input into the chunks fed one per step: each a 2-byte big-endian length
/// and that many bytes; a last chunk cut short keeps what is there.
pub fn chunks(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let body = &data[2..];
        let take = len.min(body.len());
        out.push(&body[..take]);
        data = &body[take..];
    }
    out
}

/// The inverse of [`chunks`].
pub fn frame(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        for piece in p.chunks(usize::from(u16::MAX)) {
            out.extend_from_slice(&(piece.len() as u16).to_be_bytes());
            out.extend_from_slice(piece);
        }
    }
    out
}

/// A NUL-terminated copy of `s` (cut at its first NUL).
pub fn cstring(s: &[u8]) -> Vec<u8> {
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    let mut v = s[..end].to_vec();
    v.push(0);
    v
}

fn path(name: &str) -> Vec<u8> {
    cstring(format!("{}/certs/{name}", env!("CARGO_MANIFEST_DIR")).as_bytes())
}

const SSL_FILETYPE_PEM: c_int = 1;
const SSL_CTRL_SET_SESS_CACHE_MODE: c_int = 44;

/// A server context with the Ed25519 certificate of `certs/` (deterministic signatures) and
/// no session cache, so that one run cannot change the next.
pub fn server_ctx() -> *mut SSL_CTX {
    let ctx = SSL_CTX_new(TLS_server_method());
    assert!(!ctx.is_null());
    let (crt, key) = (path("server.crt"), path("server.key"));
    // SAFETY: NUL-terminated paths; ctx is live.
    unsafe {
        assert_eq!(
            SSL_CTX_use_certificate_file(ctx, crt.as_ptr().cast(), SSL_FILETYPE_PEM),
            1
        );
        assert_eq!(
            SSL_CTX_use_PrivateKey_file(ctx, key.as_ptr().cast(), SSL_FILETYPE_PEM),
            1
        );
        SSL_CTX_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, 0, ptr::null_mut());
    }
    ctx
}

/// A client context (no verification, OpenSSL's default) configured by `conf`: pairs of
/// `SSL_CONF_cmd` names and values.
pub fn client_ctx(conf: &[(&str, &str)]) -> *mut SSL_CTX {
    let ctx = SSL_CTX_new(TLS_client_method());
    assert!(!ctx.is_null());
    apply_conf(ctx, conf);
    ctx
}

/// `SSL_CONF_FLAG_FILE`, `_CLIENT`, `_SERVER`, `_CERTIFICATE`, `_SHOW_ERRORS`, `_CMDLINE`.
pub const CONF_FILE: u32 = 0x2;
pub const CONF_CMDLINE: u32 = 0x1;
pub const CONF_CLIENT: u32 = 0x4;
pub const CONF_SERVER: u32 = 0x8;
pub const CONF_CERTIFICATE: u32 = 0x20;

fn apply_conf(ctx: *mut SSL_CTX, conf: &[(&str, &str)]) {
    let cctx = SSL_CONF_CTX_new();
    SSL_CONF_CTX_set_flags(cctx, CONF_FILE | CONF_CLIENT);
    SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    for (k, v) in conf {
        let (k, v) = (cstring(k.as_bytes()), cstring(v.as_bytes()));
        // SAFETY: NUL-terminated strings; cctx is live.
        let r = unsafe { SSL_CONF_cmd(cctx, k.as_ptr().cast(), v.as_ptr().cast()) };
        assert_eq!(r, 2, "SSL_CONF_cmd {:?}", CStr::from_bytes_with_nul(&k));
    }
    assert_eq!(SSL_CONF_CTX_finish(cctx), 1);
    SSL_CONF_CTX_free(cctx);
}

/// The client configurations the recordings use; a client target's input starts with a byte
/// that picks one (modulo their number), so each replays against its own recording.
pub const CLIENT_VARIANTS: &[(&str, &[(&str, &str)])] = &[
    ("tls13", &[]),
    ("tls12", &[("MaxProtocol", "TLSv1.2")]),
    ("tls13-p256", &[("Groups", "P-256:X25519")]),
    (
        "tls12-p384",
        &[
            ("MaxProtocol", "TLSv1.2"),
            ("Groups", "P-384"),
            (
                "CipherString",
                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
            ),
        ],
    ),
    ("tls13-p384", &[("Groups", "P-384:X25519")]),
];

/// The generator's seed before the contexts are made (their ticket keys), and at the start
/// of every run (each side's own).
pub const CTX_SEED: u64 = 0xc7c7;
pub const SERVER_SEED: u64 = 0x5e4e;
pub const CLIENT_SEED: u64 = 0xc11e;

/// Clears the thread's error queue (the targets ignore it; it must not grow).
pub fn clear_errors() {
    // SAFETY: no arguments.
    unsafe { crypto::ERR_clear_error() }
}

/// `name` as a C string pointer for the targets' literals.
pub fn c(name: &'static CStr) -> *const c_char {
    name.as_ptr()
}
