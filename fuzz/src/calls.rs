//! The api_calls target's interpreter: the input is a program of API calls on a pool of
//! handles that holds every SSL_CTX, SSL and SSL_SESSION made so far, live or freed, of any
//! kind, plus NULL and arbitrary integers. Each call picks its handles from the pool, so
//! freed, NULL, foreign and wrong-kind handles reach every function, and ferrossl's handle
//! tables must refuse them. Buffers and BIOs are always real (only handles are fuzzed).
//!
//! The interpreter counts the references it owns, and frees exactly those at the end.

use std::collections::HashMap;
use std::ffi::{c_int, c_long, c_uint, c_void};
use std::ptr;

use super::crypto::{self, drain, feed, mem};
use super::*;

extern "C" {
    fn X509_free(x: *mut c_void);
}

/// The input, read from the front.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |v, _| v << 8 | u64::from(self.byte().unwrap_or(0)))
    }
    fn bytes(&mut self) -> &[u8] {
        let n = usize::from(self.byte().unwrap_or(0)).min(self.0.len());
        let (b, rest) = self.0.split_at(n);
        self.0 = rest;
        b
    }
}

#[derive(Default)]
struct Machine {
    /// Every handle seen, in order.
    pool: Vec<usize>,
    /// How many references the program owns, per handle it made.
    owned: HashMap<usize, (Kind, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ctx,
    Ssl,
    Session,
}

impl Machine {
    fn pick(&self, input: &mut Input) -> usize {
        let b = input.byte().unwrap_or(0);
        match b {
            0xf8..=0xff => input.u64() as usize,
            0xf0..=0xf7 => 0,
            _ if self.pool.is_empty() => 0,
            _ => self.pool[usize::from(b) % self.pool.len()],
        }
    }
    fn made(&mut self, kind: Kind, h: usize) {
        if h == 0 {
            return;
        }
        if !self.pool.contains(&h) {
            self.pool.push(h);
        }
        self.owned.entry(h).or_insert((kind, 0)).1 += 1;
    }
    fn seen(&mut self, h: usize) {
        if h != 0 && !self.pool.contains(&h) {
            self.pool.push(h);
        }
    }
    /// A free of `h` as `kind`: one owned reference less if the program owns one.
    fn freed(&mut self, kind: Kind, h: usize) {
        if let Some((k, n)) = self.owned.get_mut(&h) {
            if *k == kind && *n > 0 {
                *n -= 1;
            }
        }
    }
    fn up(&mut self, kind: Kind, h: usize, ok: c_int) {
        if ok == 1 {
            self.made(kind, h);
        }
    }
}

/// Controls with integer arguments only (no pointer is passed).
const CTRLS: &[c_int] = &[
    20, 33, 40, 41, 42, 43, 44, 45, 50, 51, 52, 76, 78, 93, 99, 100, 123, 124, 125, 126, 130, 131,
    134,
];

const STRINGS: &[&std::ffi::CStr] = &[
    c"ALL",
    c"DEFAULT:!aNULL",
    c"ECDHE+AESGCM",
    c"TLS_AES_128_GCM_SHA256",
    c"TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384",
    c"",
    c"!ALL",
];

/// Runs the program in `data`.
pub fn run(data: &[u8]) {
    init();
    let mut m = Machine::default();
    let mut input = Input(data);
    let mut steps = 0;
    while let Some(op) = input.byte() {
        steps += 1;
        if steps > 200 {
            break;
        }
        call(&mut m, op, &mut input);
    }
    for (&h, &(kind, n)) in &m.owned {
        for _ in 0..n {
            match kind {
                Kind::Ctx => SSL_CTX_free(h as *mut _),
                Kind::Ssl => SSL_free(h as *mut _),
                Kind::Session => SSL_SESSION_free(h as *mut _),
            }
        }
    }
    clear_errors();
}

fn call(m: &mut Machine, op: u8, input: &mut Input) {
    let h = m.pick(input);
    let (ctx, ssl, sess) = (h as *mut SSL_CTX, h as *mut SSL, h as *mut SSL_SESSION);
    match op % 32 {
        0 => {
            let which = input.byte().unwrap_or(0);
            let method = match which % 3 {
                0 => TLS_method(),
                1 => TLS_server_method(),
                _ => TLS_client_method(),
            };
            let c = SSL_CTX_new(method);
            if which & 4 != 0 && !c.is_null() {
                let shared = tls::shared_server_ctx();
                SSL_CTX_use_certificate(c, SSL_CTX_get0_certificate(shared));
                SSL_CTX_use_PrivateKey(c, SSL_CTX_get0_privatekey(shared));
            }
            m.made(Kind::Ctx, c as usize);
        }
        1 => {
            SSL_CTX_free(ctx);
            m.freed(Kind::Ctx, h);
        }
        2 => m.up(Kind::Ctx, h, SSL_CTX_up_ref(ctx)),
        3 => m.made(Kind::Ssl, SSL_new(ctx) as usize),
        4 => {
            SSL_free(ssl);
            m.freed(Kind::Ssl, h);
        }
        5 => m.up(Kind::Ssl, h, SSL_up_ref(ssl)),
        6 => {
            let (r, w) = (mem(), mem());
            // SAFETY: fresh BIOs; ownership passes only if the SSL took them (checked below).
            unsafe { SSL_set_bio(ssl, r, w) };
            if SSL_get_rbio(ssl) != r {
                // SAFETY: not taken: still ours.
                unsafe {
                    crypto::BIO_free(r);
                    crypto::BIO_free(w);
                }
            }
        }
        7 => match input.byte().unwrap_or(0) % 2 {
            0 => SSL_set_accept_state(ssl),
            _ => SSL_set_connect_state(ssl),
        },
        8 => {
            SSL_do_handshake(ssl);
        }
        9 => {
            let mut buf = vec![0u8; usize::from(input.byte().unwrap_or(0)) * 64];
            // SAFETY: buf is writable for its length.
            unsafe {
                if input.byte().unwrap_or(0) & 1 == 0 {
                    SSL_read(ssl, buf.as_mut_ptr().cast(), buf.len() as c_int);
                } else {
                    SSL_peek(ssl, buf.as_mut_ptr().cast(), buf.len() as c_int);
                }
            }
        }
        10 => {
            let data = input.bytes().to_vec();
            // SAFETY: data is readable for its length.
            unsafe { SSL_write(ssl, data.as_ptr().cast(), data.len() as c_int) };
        }
        11 => {
            SSL_shutdown(ssl);
        }
        12 => {
            // Moves what one connection wrote to another's read BIO.
            let to = m.pick(input) as *mut SSL;
            let (w, r) = (SSL_get_wbio(ssl), SSL_get_rbio(to));
            if !w.is_null() && !r.is_null() && w != r {
                let bytes = drain(w);
                feed(r, &bytes);
            }
        }
        13 => m.made(Kind::Session, SSL_get1_session(ssl) as usize),
        14 => {
            SSL_SESSION_free(sess);
            m.freed(Kind::Session, h);
        }
        15 => m.up(Kind::Session, h, SSL_SESSION_up_ref(sess)),
        16 => {
            let s = m.pick(input) as *mut SSL_SESSION;
            SSL_set_session(ssl, s);
        }
        17 => {
            m.seen(SSL_get_SSL_CTX(ssl) as usize);
            let c = m.pick(input) as *mut SSL_CTX;
            m.seen(SSL_set_SSL_CTX(ssl, c) as usize);
        }
        18 => {
            SSL_clear(ssl);
        }
        19 => m.made(Kind::Ssl, SSL_dup(ssl) as usize),
        20 => m.made(Kind::Session, SSL_SESSION_dup(sess) as usize),
        21 => {
            let from = m.pick(input) as *mut SSL;
            SSL_copy_session_id(ssl, from);
        }
        22 => queries(m, ssl, input),
        23 | 24 => {
            let cmd = CTRLS[usize::from(input.byte().unwrap_or(0)) % CTRLS.len()];
            let larg = input.u64() as c_long;
            // SAFETY: integer-argument controls with a NULL parg.
            unsafe {
                if op % 32 == 23 {
                    SSL_CTX_ctrl(ctx, cmd, larg, ptr::null_mut());
                } else {
                    SSL_ctrl(ssl, cmd, larg, ptr::null_mut());
                }
            }
        }
        25 => {
            let v = input.u64();
            SSL_CTX_set_options(ctx, v);
            SSL_set_options(ssl, v);
        }
        26 => {
            let s = STRINGS[usize::from(input.byte().unwrap_or(0)) % STRINGS.len()].as_ptr();
            // SAFETY: NUL-terminated strings.
            unsafe {
                SSL_CTX_set_cipher_list(ctx, s);
                SSL_CTX_set_ciphersuites(ctx, s);
                SSL_set_cipher_list(ssl, s);
                SSL_set_ciphersuites(ssl, s);
            }
        }
        27 => {
            SSL_key_update(ssl, c_int::from(input.byte().unwrap_or(0) % 3));
        }
        28 => {
            let id = input.bytes().to_vec();
            // SAFETY: id is readable for its length.
            unsafe { SSL_CTX_set_session_id_context(ctx, id.as_ptr(), id.len() as c_uint) };
            SSL_CTX_set_num_tickets(ctx, usize::from(input.byte().unwrap_or(0) % 4));
            SSL_CTX_set_verify(ctx, c_int::from(input.byte().unwrap_or(0) % 8), None);
        }
        29 => session_queries(sess),
        30 => {
            let x = SSL_get1_peer_certificate(ssl);
            if !x.is_null() {
                // SAFETY: a new reference to a live X509.
                unsafe { X509_free(x.cast()) };
            }
        }
        _ => {
            // i2d then d2i: a new session.
            // SAFETY: sizes as i2d reports them; p points into der.
            unsafe {
                let len = i2d_SSL_SESSION(sess, ptr::null_mut());
                if len > 0 {
                    let mut der = vec![0u8; len as usize];
                    let mut p = der.as_mut_ptr();
                    i2d_SSL_SESSION(sess, &mut p);
                    let mut q = der.as_ptr();
                    let s = d2i_SSL_SESSION(ptr::null_mut(), &mut q, len as c_long);
                    m.made(Kind::Session, s as usize);
                }
            }
        }
    }
}

fn queries(m: &mut Machine, ssl: *mut SSL, input: &mut Input) {
    SSL_get_version(ssl);
    SSL_version(ssl);
    SSL_get_error(ssl, c_int::from(input.byte().unwrap_or(0)) - 2);
    SSL_pending(ssl);
    SSL_want(ssl);
    SSL_get_shutdown(ssl);
    SSL_in_init(ssl);
    SSL_is_init_finished(ssl);
    ferrossl::capi::init::SSL_state_string_long(ssl);
    SSL_get_servername(ssl, 0);
    m.seen(SSL_get_session(ssl) as usize);
    let c = SSL_get_current_cipher(ssl);
    if !c.is_null() {
        SSL_CIPHER_get_name(c);
        SSL_CIPHER_get_id(c);
    }
    let mut random = [0u8; 32];
    let mut ekm = [0u8; 32];
    // SAFETY: out buffers writable for their lengths; the label is readable.
    unsafe {
        ferrossl::capi::secrets::SSL_get_client_random(ssl, random.as_mut_ptr(), random.len());
        SSL_export_keying_material(
            ssl,
            ekm.as_mut_ptr(),
            ekm.len(),
            c"EXPORTER-fuzz".as_ptr(),
            13,
            ptr::null(),
            0,
            0,
        );
        let (mut alpn, mut len) = (ptr::null(), 0u32);
        SSL_get0_alpn_selected(ssl, &mut alpn, &mut len);
        if !alpn.is_null() {
            std::hint::black_box(std::slice::from_raw_parts(alpn, len as usize));
        }
    }
}

fn session_queries(sess: *mut SSL_SESSION) {
    let mut len: c_uint = 0;
    // SAFETY: out-parameters point to locals; returned bytes are read within their length.
    unsafe {
        let id = SSL_SESSION_get_id(sess, &mut len);
        if !id.is_null() {
            std::hint::black_box(std::slice::from_raw_parts(id, len as usize));
        }
    }
    SSL_SESSION_get_protocol_version(sess);
    SSL_SESSION_get0_cipher(sess);
    SSL_SESSION_is_resumable(sess);
    SSL_SESSION_has_ticket(sess);
    SSL_SESSION_get_time(sess);
    SSL_SESSION_get0_hostname(sess);
}
