//! One connection over memory BIOs, advanced one step per chunk of input, and the two targets
//! built on it: a server fed client flights and a client fed server flights.
//!
//! A step is what a non-blocking program does when bytes arrive: feed them to the read BIO,
//! `SSL_do_handshake` until the handshake is done, then write one message, `SSL_read` all
//! there is, and `SSL_shutdown` once the peer's message was read; then collect what the
//! connection wrote. The recorder (`src/bin/record.rs`) runs a client and a server with the
//! same steps, so a recorded flight replayed here gets the same answer.

use std::ffi::c_int;
use std::ptr;
use std::sync::OnceLock;

use super::crypto::{drain, feed, mem};
use super::*;

const SSL_ERROR_WANT_READ: c_int = 2;
const SSL_ERROR_WANT_WRITE: c_int = 3;
const SSL_ERROR_ZERO_RETURN: c_int = 6;
const SSL_CTRL_SET_TLSEXT_HOSTNAME: c_int = 55;

/// What each side writes once its handshake is done.
pub const CLIENT_MESSAGE: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
pub const SERVER_MESSAGE: &[u8] = b"HTTP/1.0 200 OK\r\n\r\nhello from the fuzzed server\n";

/// ALPN protocols the client offers (wire format).
const ALPN: &[u8] = b"\x02h2\x08http/1.1";

/// One connection and what happened on it.
pub struct Side {
    ssl: *mut SSL,
    rbio: *mut BIO,
    wbio: *mut BIO,
    wrote: bool,
    shut: bool,
    /// A fatal error ended the connection.
    pub failed: bool,
    /// The peer's close_notify arrived.
    pub closed: bool,
    /// Application data read.
    pub read: Vec<u8>,
}

impl Side {
    pub fn server(ctx: *mut SSL_CTX) -> Side {
        let s = Side::new(ctx);
        SSL_set_accept_state(s.ssl);
        s
    }

    pub fn client(ctx: *mut SSL_CTX) -> Side {
        let s = Side::new(ctx);
        let host = cstring(b"fuzz.example");
        // SAFETY: live handle; NUL-terminated name; ALPN readable for its length.
        unsafe {
            SSL_ctrl(
                s.ssl,
                SSL_CTRL_SET_TLSEXT_HOSTNAME,
                0,
                host.as_ptr() as *mut _,
            );
            SSL_set_alpn_protos(s.ssl, ALPN.as_ptr(), ALPN.len() as u32);
        }
        SSL_set_connect_state(s.ssl);
        s
    }

    fn new(ctx: *mut SSL_CTX) -> Side {
        let ssl = SSL_new(ctx);
        assert!(!ssl.is_null(), "SSL_new");
        let (rbio, wbio) = (mem(), mem());
        // SAFETY: live handle and BIOs; the SSL takes them over.
        unsafe { SSL_set_bio(ssl, rbio, wbio) };
        Side {
            ssl,
            rbio,
            wbio,
            wrote: false,
            shut: false,
            failed: false,
            closed: false,
            read: Vec::new(),
        }
    }

    pub fn ssl(&self) -> *mut SSL {
        self.ssl
    }

    pub fn finished(&self) -> bool {
        SSL_is_init_finished(self.ssl) == 1
    }

    /// Feeds `input`, advances, and returns what the connection wrote.
    pub fn step(&mut self, input: &[u8], message: &[u8]) -> Vec<u8> {
        feed(self.rbio, input);
        if !self.failed && !self.finished() {
            let r = SSL_do_handshake(self.ssl);
            if r <= 0 && !retry(SSL_get_error(self.ssl, r)) {
                self.failed = true;
            }
        }
        if !self.failed && self.finished() {
            if !self.wrote {
                self.wrote = true;
                // SAFETY: live handle; message readable for its length.
                let n =
                    unsafe { SSL_write(self.ssl, message.as_ptr().cast(), message.len() as c_int) };
                if n <= 0 && !retry(SSL_get_error(self.ssl, n)) {
                    self.failed = true;
                }
            }
            self.read_all();
            if !self.failed && !self.shut && !self.read.is_empty() {
                self.shut = true;
                SSL_shutdown(self.ssl);
            }
        }
        drain(self.wbio)
    }

    fn read_all(&mut self) {
        let mut buf = [0u8; 4096];
        for _ in 0..64 {
            if self.failed || self.closed {
                return;
            }
            // SAFETY: live handle; buf writable for its length.
            let n = unsafe { SSL_read(self.ssl, buf.as_mut_ptr().cast(), buf.len() as c_int) };
            if n > 0 {
                self.read.extend_from_slice(&buf[..n as usize]);
                continue;
            }
            match SSL_get_error(self.ssl, n) {
                SSL_ERROR_ZERO_RETURN => self.closed = true,
                e if retry(e) => {}
                _ => self.failed = true,
            }
            return;
        }
    }

    /// What a program does at the end whatever happened: one more write, a shutdown, a read.
    pub fn finish(&mut self) {
        // SAFETY: live handle; the message is readable for its length.
        unsafe { SSL_write(self.ssl, b"bye".as_ptr().cast(), 3) };
        SSL_shutdown(self.ssl);
        self.read_all();
        drain(self.wbio);
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        SSL_free(self.ssl);
    }
}

fn retry(e: c_int) -> bool {
    e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE
}

struct Ctx(*mut SSL_CTX);
// SAFETY: a handle (an id) that ferrossl's tables resolve from any thread.
unsafe impl Send for Ctx {}
unsafe impl Sync for Ctx {}

/// The server context of the targets, made once (after resetting the generator, so its ticket
/// keys are the recorder's).
pub fn shared_server_ctx() -> *mut SSL_CTX {
    static CTX: OnceLock<Ctx> = OnceLock::new();
    CTX.get_or_init(|| {
        reset(CTX_SEED);
        Ctx(server_ctx())
    })
    .0
}

/// The client contexts of the targets, one per [`CLIENT_VARIANTS`] entry.
pub fn shared_client_ctx(variant: usize) -> *mut SSL_CTX {
    static CTX: OnceLock<Vec<Ctx>> = OnceLock::new();
    CTX.get_or_init(|| {
        reset(CTX_SEED);
        CLIENT_VARIANTS
            .iter()
            .map(|(_, conf)| Ctx(client_ctx(conf)))
            .collect()
    })[variant % CLIENT_VARIANTS.len()]
    .0
}

/// The server target: `data` is framed client flights ([`chunks`]), one step each.
pub fn run_server(data: &[u8]) -> Side {
    init();
    let ctx = shared_server_ctx();
    reset(SERVER_SEED);
    let mut side = Side::server(ctx);
    for chunk in chunks(data) {
        side.step(chunk, SERVER_MESSAGE);
    }
    side.finish();
    clear_errors();
    side
}

/// The client target: a byte that picks the client variant, then framed server flights.
pub fn run_client(data: &[u8]) -> Side {
    init();
    let Some((&variant, rest)) = data.split_first() else {
        return run_client(&[0]);
    };
    let ctx = shared_client_ctx(usize::from(variant));
    reset(CLIENT_SEED);
    let mut side = Side::client(ctx);
    side.step(&[], CLIENT_MESSAGE);
    for chunk in chunks(rest) {
        side.step(chunk, CLIENT_MESSAGE);
    }
    side.finish();
    clear_errors();
    side
}

/// A null pointer of any handle type (for readability at call sites).
pub fn null<T>() -> *mut T {
    ptr::null_mut()
}
