//! The workloads of `bench/tlsbench.c`, directly on rustls: a client and a server in one process
//! over the same kind of in-memory transport, with the same configurations (protocol version,
//! certificate, groups, cipher suite, tickets or session IDs), the same checks and the same
//! output lines (`figure value unit`), so that `bench/run.sh` can put ferrossl next to the
//! library it wraps.
//!
//!   rustls-ref [--smoke] [--time SECONDS] [--conns N] [--pki DIR] [--only PREFIX]
//!
//! Differences that are not the C boundary's, and so belong to ferrossl's cost: the client
//! verifies the server certificate with webpki here, and with libcrypto's X509_verify_cert in
//! ferrossl (which keeps OpenSSL's verification semantics).
//!
//! The `_2threads` figures run the same workloads in two threads sharing one `Arc`'d client
//! and one server configuration, as tlsbench_threads.c does with one client and one server
//! `SSL_CTX`.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::exit;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::{
    ClientSessionStore, Resumption, Tls12ClientSessionValue, Tls12Resumption,
    Tls13ClientSessionValue,
};
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ServerSessionMemoryCache;
use rustls::{
    CipherSuite, ClientConfig, ClientConnection, ConnectionCommon, HandshakeKind, NamedGroup,
    ProtocolVersion, RootCertStore, ServerConfig, ServerConnection, SideData,
    SupportedProtocolVersion,
};

mod threads;

struct Opt {
    smoke: bool,
    seconds: f64,
    conns: usize,
    pki: PathBuf,
    only: Option<String>,
}

fn die(msg: impl fmt::Display) -> ! {
    let _ = io::stdout().flush();
    eprintln!("rustls-ref: FAIL: {msg}");
    exit(1)
}

trait OrDie<T> {
    fn or_die(self, what: &str) -> T;
}

impl<T, E: fmt::Debug> OrDie<T> for Result<T, E> {
    fn or_die(self, what: &str) -> T {
        self.unwrap_or_else(|e| die(format!("{what}: {e:?}")))
    }
}

fn report(name: &str, value: f64, unit: &str) {
    println!("{name} {} {unit}", fmt_g(value));
    let _ = io::stdout().flush();
}

/// Like C's `%.6g` for the magnitudes printed here.
fn fmt_g(v: f64) -> String {
    let digits = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32 + 1
    };
    let decimals = (6 - digits).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------
// In-memory transport: a growable byte pipe (as tlsbench.c's), read from the front.
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Pipe {
    buf: Vec<u8>,
    off: usize,
}

impl Pipe {
    fn is_empty(&self) -> bool {
        self.off == self.buf.len()
    }

    /// Frees the buffer of an empty pipe (idle connections then hold no transport memory).
    fn trim(&mut self) {
        if self.is_empty() {
            self.buf = Vec::new();
            self.off = 0;
        }
    }
}

impl Read for Pipe {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = &self.buf[self.off..];
        if avail.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let k = avail.len().min(out.len());
        out[..k].copy_from_slice(&avail[..k]);
        self.off += k;
        if self.off == self.buf.len() {
            self.buf.clear();
            self.off = 0;
        }
        Ok(k)
    }
}

impl Write for Pipe {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Sends everything the connection has queued.
fn flush<D: SideData>(conn: &mut ConnectionCommon<D>, out: &mut Pipe) {
    while conn.wants_write() {
        conn.write_tls(out).or_die("write_tls");
    }
}

/// Takes in everything the peer has sent.
fn feed<D: SideData>(conn: &mut ConnectionCommon<D>, inp: &mut Pipe, who: &str) {
    while !inp.is_empty() {
        conn.read_tls(inp).or_die("read_tls");
        if let Err(e) = conn.process_new_packets() {
            die(format!("{who}: {e}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Conf {
    version: &'static SupportedProtocolVersion,
    cert: &'static str,
    groups: &'static [NamedGroup],
    suite: Option<CipherSuite>,
    no_ticket: bool,
    /// Intermediates the server sends: 0 (`ecdsa`, `rsa`: the leaf alone) or 1 (`ecdsa-int`,
    /// `rsa-int`: leaf + intermediate CA, the client trusting the root only).
    chain: usize,
}

const X25519: &[NamedGroup] = &[NamedGroup::X25519];
/// As tlsbench.c's GROUPS12: a TLS 1.2 client must list P-256 for a P-256 ECDSA certificate.
const GROUPS12: &[NamedGroup] = &[NamedGroup::X25519, NamedGroup::secp256r1];
const MLKEM: &[NamedGroup] = &[NamedGroup::X25519MLKEM768];

fn provider(c: &Conf) -> CryptoProvider {
    let mut p = aws_lc_rs::default_provider();
    p.kx_groups = c
        .groups
        .iter()
        .map(|n| {
            *aws_lc_rs::ALL_KX_GROUPS
                .iter()
                .find(|g| g.name() == *n)
                .unwrap_or_else(|| die(format!("no group {n:?}")))
        })
        .collect();
    if let Some(s) = c.suite {
        p.cipher_suites.retain(|cs| cs.suite() == s);
    }
    p
}

/// A client session store that keeps nothing (OpenSSL's clients keep no session unless the
/// program hands one back with SSL_set_session), while the client still asks for TLS 1.2
/// tickets as OpenSSL's does.
#[derive(Debug)]
struct Forget;

impl ClientSessionStore for Forget {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}
    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        None
    }
    fn set_tls12_session(&self, _: ServerName<'static>, _: Tls12ClientSessionValue) {}
    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        None
    }
    fn remove_tls12_session(&self, _: &ServerName<'static>) {}
    fn insert_tls13_ticket(&self, _: ServerName<'static>, _: Tls13ClientSessionValue) {}
    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        None
    }
}

/// Both configurations, shared (`Arc`) by every connection and every thread; the roots and the
/// signature algorithms for [`check_chains`].
#[derive(Clone)]
struct Ctxs {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
}

fn make_ctxs(opt: &Opt, c: &Conf, resume: bool) -> Ctxs {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(opt.pki.join(format!("{}.chain.pem", c.cert)))
            .or_die("reading the certificate chain")
            .collect::<Result<_, _>>()
            .or_die("parsing the certificate chain");
    let key = PrivateKeyDer::from_pem_file(opt.pki.join(format!("{}.key", c.cert)))
        .or_die("reading the private key");
    let mut server = ServerConfig::builder_with_provider(Arc::new(provider(c)))
        .with_protocol_versions(&[c.version])
        .or_die("server versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .or_die("server certificate");
    // As OpenSSL's defaults (and ferrossl's): a server-side session cache, two TLS 1.3 tickets.
    server.session_storage = ServerSessionMemoryCache::new(20 * 1024);
    server.send_tls13_tickets = 2;
    if !c.no_ticket {
        server.ticketer = aws_lc_rs::Ticketer::new().or_die("Ticketer");
    }

    let mut roots = RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(opt.pki.join("ca.pem")).or_die("reading ca.pem") {
        roots
            .add(ca.or_die("parsing ca.pem"))
            .or_die("adding the CA");
    }
    let roots = Arc::new(roots);
    let client_provider = Arc::new(provider(c));
    let mut client = ClientConfig::builder_with_provider(client_provider.clone())
        .with_protocol_versions(&[c.version])
        .or_die("client versions")
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
    client.resumption = if resume {
        Resumption::in_memory_sessions(256)
    } else {
        Resumption::store(Arc::new(Forget))
    }
    .tls12_resumption(Tls12Resumption::SessionIdOrTickets);
    Ctxs {
        client: Arc::new(client),
        server: Arc::new(server),
        roots,
        provider: client_provider,
    }
}

// ---------------------------------------------------------------------------------------------
// Connection pairs
// ---------------------------------------------------------------------------------------------

struct Pair {
    c: ClientConnection,
    s: ServerConnection,
    c2s: Pipe,
    s2c: Pipe,
}

/// Time spent in the server's calls, for the `_server` figures.
struct Clock {
    server: Duration,
}

impl Clock {
    fn server<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        self.server += t.elapsed();
        r
    }
}

fn open(ctxs: &Ctxs, clock: &mut Clock) -> Pair {
    let name = ServerName::try_from("localhost").or_die("server name");
    let c = ClientConnection::new(ctxs.client.clone(), name).or_die("ClientConnection::new");
    let s =
        clock.server(|| ServerConnection::new(ctxs.server.clone()).or_die("ServerConnection::new"));
    Pair {
        c,
        s,
        c2s: Pipe::default(),
        s2c: Pipe::default(),
    }
}

fn handshake(p: &mut Pair, clock: &mut Clock) {
    for _ in 0..32 {
        flush(&mut p.c, &mut p.c2s);
        clock.server(|| {
            feed(&mut p.s, &mut p.c2s, "server");
            flush(&mut p.s, &mut p.s2c);
        });
        if !p.c.is_handshaking() && !p.s.is_handshaking() {
            return;
        }
        feed(&mut p.c, &mut p.s2c, "client");
        if !p.c.is_handshaking() && !p.s.is_handshaking() {
            flush(&mut p.c, &mut p.c2s);
            return;
        }
    }
    die("handshake did not complete in 32 rounds");
}

/// One byte from the server to the client (which also takes the TLS 1.3 tickets), or back.
fn byte(p: &mut Pair, clock: &mut Clock, from_server: bool) {
    let mut b = [0u8; 1];
    if from_server {
        clock.server(|| {
            p.s.writer().write_all(b"S").or_die("server write");
            flush(&mut p.s, &mut p.s2c);
        });
        feed(&mut p.c, &mut p.s2c, "client");
        let n = p.c.reader().read(&mut b).or_die("client read");
        if n != 1 || b[0] != b'S' {
            die("the byte sent did not arrive");
        }
    } else {
        p.c.writer().write_all(b"C").or_die("client write");
        flush(&mut p.c, &mut p.c2s);
        let n = clock.server(|| {
            feed(&mut p.s, &mut p.c2s, "server");
            p.s.reader().read(&mut b).or_die("server read")
        });
        if n != 1 || b[0] != b'C' {
            die("the byte sent did not arrive");
        }
    }
}

fn close(mut p: Pair, clock: &mut Clock) {
    p.c.send_close_notify();
    flush(&mut p.c, &mut p.c2s);
    drop(p.c);
    let mut s = p.s;
    let mut s2c = p.s2c;
    clock.server(move || {
        s.send_close_notify();
        flush(&mut s, &mut s2c);
        drop(s);
    });
}

fn check(p: &Pair, c: &Conf, resumed: bool, check_group: bool, name: &str) {
    let v = c.version.version;
    if p.c.protocol_version() != Some(v) || p.s.protocol_version() != Some(v) {
        die(format!("{name}: negotiated {:?}", p.c.protocol_version()));
    }
    let kind = |k: Option<HandshakeKind>| k == Some(HandshakeKind::Resumed);
    if kind(p.c.handshake_kind()) != resumed || kind(p.s.handshake_kind()) != resumed {
        die(format!(
            "{name}: handshake kind client={:?} server={:?}, resumed expected: {resumed}",
            p.c.handshake_kind(),
            p.s.handshake_kind()
        ));
    }
    let cs = p.c.negotiated_cipher_suite().map(|s| s.suite());
    if cs.is_none() || cs != p.s.negotiated_cipher_suite().map(|s| s.suite()) {
        die(format!(
            "{name}: client and server disagree on the cipher suite"
        ));
    }
    if c.suite.is_some() && cs != c.suite {
        die(format!("{name}: negotiated {cs:?}, expected {:?}", c.suite));
    }
    if check_group {
        let g = p.c.negotiated_key_exchange_group().map(|g| g.name());
        if g != Some(c.groups[0]) || g != p.s.negotiated_key_exchange_group().map(|g| g.name()) {
            die(format!(
                "{name}: negotiated group {g:?}, expected {:?}",
                c.groups[0]
            ));
        }
    }
}

/// The path webpki builds from the server's chain to the root, counted in certificates (leaf,
/// intermediates, root): what rustls's verifier accepted during the handshake (it does not keep
/// the path, so it is built again here with the same roots and algorithms).
fn verified_len(peer: &[CertificateDer<'static>], ctxs: &Ctxs) -> Result<usize, webpki::Error> {
    let leaf = webpki::EndEntityCert::try_from(&peer[0])?;
    let path = leaf.verify_for_usage(
        ctxs.provider.signature_verification_algorithms.all,
        &ctxs.roots.roots,
        &peer[1..],
        UnixTime::now(),
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )?;
    Ok(2 + path.intermediate_certificates().count())
}

/// The certificate chains the client saw: the one the server sent (leaf, and the intermediate
/// when `c.chain` is 1) and, unless resumed (nothing is verified then), the verified path (the
/// same plus the root). As tlsbench.c's check_chains.
fn check_chains(p: &Pair, ctxs: &Ctxs, c: &Conf, resumed: bool, name: &str) {
    let peer = p.c.peer_certificates().unwrap_or_default();
    if peer.len() != 1 + c.chain {
        die(format!(
            "{name}: the client's peer chain has {} certificates, expected {}",
            peer.len(),
            1 + c.chain
        ));
    }
    if resumed {
        return;
    }
    let len = verified_len(peer, ctxs).or_die("verifying the peer chain with webpki");
    if len != 2 + c.chain {
        die(format!(
            "{name}: the verified chain has {len} certificates, expected {}",
            2 + c.chain
        ));
    }
}

fn info(p: &Pair, ctxs: &Ctxs, name: &str) {
    let peer = p.c.peer_certificates().unwrap_or_default();
    println!(
        "# {name}: {:?} {:?} group={:?} kind={:?} peer_chain={} verified_chain={}",
        p.c.protocol_version()
            .unwrap_or(ProtocolVersion::Unknown(0)),
        p.c.negotiated_cipher_suite().map(|s| s.suite()),
        p.c.negotiated_key_exchange_group().map(|g| g.name()),
        p.c.handshake_kind(),
        peer.len(),
        // as tlsbench prints SSL_get0_verified_chain: -1 (none) when nothing was verified
        if peer.is_empty() || p.c.handshake_kind() == Some(HandshakeKind::Resumed) {
            -1
        } else {
            verified_len(peer, ctxs).map_or(-1, |n| n as i64)
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

const WARM_FULL: u64 = 20;
const MIN_FULL: u64 = 50;
const WARM_SMOKE: u64 = 1;
const MIN_SMOKE: u64 = 5;

impl Opt {
    /// As tlsbench.c's: `--only PREFIX`, or `--only 'NAME$'` for that figure (or its `_server`
    /// twin) alone.
    fn selected(&self, name: &str) -> bool {
        self.only
            .as_deref()
            .is_none_or(|p| match p.strip_suffix('$') {
                Some(exact) => name == exact || format!("{name}_server") == exact,
                None => name.starts_with(p),
            })
    }

    fn warm_min(&self) -> (u64, u64) {
        if self.smoke {
            (WARM_SMOKE, MIN_SMOKE)
        } else {
            (WARM_FULL, MIN_FULL)
        }
    }

    /// Runs `one` for the time budget (smoke: a few times) after a warm-up; returns
    /// (iterations, elapsed seconds, server seconds). `one`'s flag asks for the checks too
    /// costly for every timed iteration (the certificate chains): the first iteration checks
    /// them, and every one in smoke mode.
    fn timed(
        &self,
        name: &str,
        clock: &mut Clock,
        mut one: impl FnMut(&mut Clock, bool),
    ) -> (u64, f64, f64) {
        let (warm, min) = self.warm_min();
        for i in 0..warm {
            one(clock, i == 0 || self.smoke);
        }
        clock.server = Duration::ZERO;
        let t0 = Instant::now();
        let c0 = thread_cpu();
        let mut count = 0u64;
        loop {
            one(clock, self.smoke);
            count += 1;
            let t = t0.elapsed().as_secs_f64();
            let done = if self.smoke {
                count >= min
            } else {
                t >= self.seconds && count >= min
            };
            if done {
                per_cpu_line(name, "iterations", count, t, thread_cpu() - c0);
                return (count, t, clock.server.as_secs_f64());
            }
        }
    }
}

fn new_clock() -> Clock {
    Clock {
        server: Duration::ZERO,
    }
}

/// One full handshake on `ctxs`, checked.
fn one_full(ctxs: &Ctxs, c: &Conf, name: &str, clock: &mut Clock, check_chain: bool) {
    let mut p = open(ctxs, clock);
    handshake(&mut p, clock);
    check(&p, c, false, true, name);
    if check_chain {
        check_chains(&p, ctxs, c, false, name);
    }
    close(p, clock);
}

fn bench_full(opt: &Opt, name: &str, c: &Conf) {
    if !opt.selected(name) {
        return;
    }
    let ctxs = make_ctxs(opt, c, false);
    let mut clock = new_clock();
    let mut p = open(&ctxs, &mut clock);
    handshake(&mut p, &mut clock);
    check(&p, c, false, true, name);
    check_chains(&p, &ctxs, c, false, name);
    info(&p, &ctxs, name);
    close(p, &mut clock);
    let (n, el, srv) = opt.timed(name, &mut clock, |clock, chk| {
        one_full(&ctxs, c, name, clock, chk)
    });
    report(name, n as f64 / el, "hs/s");
    report(&format!("{name}_server"), n as f64 / srv, "hs/s");
}

/// The first connection of a resumption workload: a full handshake, whose session the
/// client's store keeps.
fn first_session(ctxs: &Ctxs, c: &Conf, name: &str, clock: &mut Clock) {
    let mut p = open(ctxs, clock);
    handshake(&mut p, clock);
    check(&p, c, false, true, name);
    check_chains(&p, ctxs, c, false, name);
    byte(&mut p, clock, true);
    close(p, clock);
}

/// One resumed connection (the client's in-memory store keeps what the last one received).
fn one_resumed(ctxs: &Ctxs, c: &Conf, name: &str, clock: &mut Clock, check_chain: bool) {
    let mut p = open(ctxs, clock);
    handshake(&mut p, clock);
    check(&p, c, true, false, name);
    if check_chain {
        check_chains(&p, ctxs, c, true, name);
    }
    byte(&mut p, clock, true);
    close(p, clock);
}

fn bench_resume(opt: &Opt, name: &str, c: &Conf) {
    if !opt.selected(name) {
        return;
    }
    let ctxs = make_ctxs(opt, c, true);
    let mut clock = new_clock();
    first_session(&ctxs, c, name, &mut clock);
    let mut p = open(&ctxs, &mut clock);
    handshake(&mut p, &mut clock);
    check(&p, c, true, false, name);
    check_chains(&p, &ctxs, c, true, name);
    info(&p, &ctxs, name);
    byte(&mut p, &mut clock, true);
    close(p, &mut clock);
    let (n, el, srv) = opt.timed(name, &mut clock, |clock, chk| {
        one_resumed(&ctxs, c, name, clock, chk)
    });
    report(name, n as f64 / el, "hs/s");
    report(&format!("{name}_server"), n as f64 / srv, "hs/s");
}

const PATLEN: usize = 1_048_573;
const RDBUF: usize = 16384;
/// Bytes written before the reader drains them.
const BATCH: usize = 256 * 1024;

fn make_pattern() -> Vec<u8> {
    let mut v = vec![0u8; PATLEN + 65536];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in v.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
    let (head, tail) = v.split_at_mut(PATLEN);
    tail.copy_from_slice(&head[..65536]);
    v
}

/// Writes `BATCH` bytes from `w` in `wsize` pieces, then reads them all on `r`, checking them.
#[allow(clippy::too_many_arguments)]
fn transfer<W: SideData, R: SideData>(
    w: &mut ConnectionCommon<W>,
    r: &mut ConnectionCommon<R>,
    pipe: &mut Pipe,
    pattern: &[u8],
    buf: &mut [u8],
    wsize: usize,
    wpos: &mut u64,
    rpos: &mut u64,
    name: &str,
) {
    let mut k = 0;
    while k < BATCH {
        let at = (*wpos % PATLEN as u64) as usize;
        w.writer()
            .write_all(&pattern[at..at + wsize])
            .or_die("write");
        flush(w, pipe);
        *wpos += wsize as u64;
        k += wsize;
    }
    while *rpos < *wpos {
        if pipe.is_empty() {
            die(format!("{name}: {} bytes never arrived", *wpos - *rpos));
        }
        r.read_tls(pipe).or_die("read_tls");
        if let Err(e) = r.process_new_packets() {
            die(format!("{name}: {e}"));
        }
        loop {
            let n = match r.reader().read(buf) {
                Ok(0) => die(format!("{name}: unexpected end of stream")),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => die(format!("{name}: read: {e}")),
            };
            if n as u64 > *wpos - *rpos {
                die(format!("{name}: received more bytes than were sent"));
            }
            let at = (*rpos % PATLEN as u64) as usize;
            if buf[..n] != pattern[at..at + n] {
                die(format!("{name}: corrupted data at stream offset {}", *rpos));
            }
            *rpos += n as u64;
        }
    }
}

/// A bulk transfer through one established TLS 1.3 connection pair (tlsbench.c's bulk_t).
struct Bulk<'a> {
    name: &'a str,
    p: Pair,
    buf: Vec<u8>,
    wsize: usize,
    c2s: bool,
    wpos: u64,
    rpos: u64,
}

fn bulk_conf(suite: CipherSuite) -> Conf {
    Conf {
        version: &rustls::version::TLS13,
        cert: "ecdsa",
        groups: X25519,
        suite: Some(suite),
        no_ticket: false,
        chain: 0,
    }
}

impl<'a> Bulk<'a> {
    fn open(ctxs: &Ctxs, c: &Conf, name: &'a str, wsize: usize, c2s: bool) -> Self {
        let mut clock = new_clock();
        let mut p = open(ctxs, &mut clock);
        handshake(&mut p, &mut clock);
        check(&p, c, false, true, name);
        Bulk {
            name,
            p,
            buf: vec![0u8; RDBUF],
            wsize,
            c2s,
            wpos: 0,
            rpos: 0,
        }
    }

    /// One batch written, read and compared.
    fn batch(&mut self, pattern: &[u8]) {
        let p = &mut self.p;
        if self.c2s {
            transfer(
                &mut p.c,
                &mut p.s,
                &mut p.c2s,
                pattern,
                &mut self.buf,
                self.wsize,
                &mut self.wpos,
                &mut self.rpos,
                self.name,
            );
        } else {
            transfer(
                &mut p.s,
                &mut p.c,
                &mut p.s2c,
                pattern,
                &mut self.buf,
                self.wsize,
                &mut self.wpos,
                &mut self.rpos,
                self.name,
            );
        }
    }

    fn close(self) {
        close(self.p, &mut new_clock());
    }
}

fn bench_bulk(opt: &Opt, pattern: &[u8], name: &str, suite: CipherSuite, wsize: usize, c2s: bool) {
    if !opt.selected(name) {
        return;
    }
    let c = bulk_conf(suite);
    let ctxs = make_ctxs(opt, &c, false);
    let mut b = Bulk::open(&ctxs, &c, name, wsize, c2s);
    let smoke_total = 2 * 1024 * 1024u64;
    b.batch(pattern); // warm-up
    let start = b.wpos;
    let t0 = Instant::now();
    let c0 = thread_cpu();
    loop {
        b.batch(pattern);
        let el = t0.elapsed().as_secs_f64();
        let done = if opt.smoke {
            b.wpos - start >= smoke_total
        } else {
            el >= opt.seconds
        };
        if done {
            let batches = (b.wpos - start) / BATCH as u64;
            per_cpu_line(name, "batches", batches, el, thread_cpu() - c0);
            report(name, (b.wpos - start) as f64 / el / 1e6, "MB/s");
            break;
        }
    }
    b.close();
}

/// CPU seconds of the calling thread (tlsbench.c's thread_cpu).
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// The '#' line of a single-thread figure: its iterations per CPU-second, the other side of the
/// `_2threads` figures' comparison (as tlsbench prints it).
fn per_cpu_line(name: &str, what: &str, count: u64, el: f64, cpu: f64) {
    println!(
        "# {name}: 1 thread, {count} {what} in {el:.3} s, {cpu:.3} CPU-s: {:.0} per CPU-second",
        count as f64 / cpu
    );
}

fn heap_in_use() -> f64 {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let m = unsafe { libc::mallinfo2() };
    (m.uordblks + m.hblkhd) as f64
}

fn bench_memory(opt: &Opt) {
    if !opt.selected("mem_") {
        return;
    }
    let c = Conf {
        version: &rustls::version::TLS13,
        cert: "ecdsa",
        groups: X25519,
        suite: None,
        no_ticket: false,
        chain: 0,
    };
    let ctxs = make_ctxs(opt, &c, false);
    let mut clock = new_clock();
    let n = if opt.smoke { 100 } else { opt.conns };
    for _ in 0..3 {
        let mut p = open(&ctxs, &mut clock);
        handshake(&mut p, &mut clock);
        byte(&mut p, &mut clock, true);
        byte(&mut p, &mut clock, false);
        close(p, &mut clock);
    }
    let mut clients: Vec<Option<ClientConnection>> = Vec::with_capacity(n);
    let mut servers: Vec<Option<ServerConnection>> = Vec::with_capacity(n);
    let before = heap_in_use();
    for _ in 0..n {
        let mut p = open(&ctxs, &mut clock);
        handshake(&mut p, &mut clock);
        check(&p, &c, false, false, "memory");
        byte(&mut p, &mut clock, true);
        byte(&mut p, &mut clock, false);
        p.c2s.trim();
        p.s2c.trim();
        if !p.c2s.is_empty() || !p.s2c.is_empty() {
            die("memory: bytes left in the transport");
        }
        clients.push(Some(p.c));
        servers.push(Some(p.s));
    }
    let with_pairs = heap_in_use();
    for c in clients.iter_mut() {
        *c = None;
    }
    let servers_only = heap_in_use();
    for s in servers.iter_mut() {
        *s = None;
    }
    let after = heap_in_use();
    let per = |x: f64| (x - before) / n as f64;
    report("mem_idle_pair", per(with_pairs), "bytes");
    report("mem_idle_server", per(servers_only), "bytes");
    println!(
        "# memory: {n} pairs; heap still in use after freeing them all: {:.0} bytes per pair",
        per(after)
    );
}

fn main() {
    let mut opt = Opt {
        smoke: false,
        seconds: 1.0,
        conns: 10000,
        pki: PathBuf::from("target/bench-pki"),
        only: None,
    };
    let usage = || -> ! {
        eprintln!(
            "usage: rustls-ref [--smoke] [--time SECONDS] [--conns N] [--pki DIR] [--only PREFIX]"
        );
        exit(2)
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--smoke" => opt.smoke = true,
            "--time" => {
                opt.seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--conns" => {
                opt.conns = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--pki" => opt.pki = args.next().map(PathBuf::from).unwrap_or_else(|| usage()),
            "--only" => opt.only = Some(args.next().unwrap_or_else(|| usage())),
            // accepted for a command line shared with tlsbench: rustls has the group
            "--expect-mlkem" => {}
            _ => usage(),
        }
    }
    if opt.seconds <= 0.0 || opt.conns == 0 {
        usage();
    }
    println!("# rustls 0.23 (aws-lc-rs), no C ABI");
    println!("# mode: {}", if opt.smoke { "smoke" } else { "full" });

    let v13 = &rustls::version::TLS13;
    let v12 = &rustls::version::TLS12;
    let conf = |version, cert, groups, no_ticket| Conf {
        version,
        cert,
        groups,
        suite: None,
        no_ticket,
        chain: 0,
    };
    // leaf + intermediate from the server, the client trusting the root only
    let chain = |version, cert, groups| Conf {
        chain: 1,
        ..conf(version, cert, groups, false)
    };
    let full = [
        (
            "hs_full_tls13_ecdsa_x25519",
            conf(v13, "ecdsa", X25519, false),
        ),
        ("hs_full_tls13_rsa_x25519", conf(v13, "rsa", X25519, false)),
        (
            "hs_full_tls12_ecdsa_x25519",
            conf(v12, "ecdsa", GROUPS12, false),
        ),
        (
            "hs_full_tls12_rsa_x25519",
            conf(v12, "rsa", GROUPS12, false),
        ),
        (
            "hs_full_tls13_ecdsa_mlkem",
            conf(v13, "ecdsa", MLKEM, false),
        ),
        ("hs_full_tls13_rsa_mlkem", conf(v13, "rsa", MLKEM, false)),
        ("hs_full_tls13_ecdsa_chain", chain(v13, "ecdsa-int", X25519)),
        ("hs_full_tls13_rsa_chain", chain(v13, "rsa-int", X25519)),
        (
            "hs_full_tls12_ecdsa_chain",
            chain(v12, "ecdsa-int", GROUPS12),
        ),
        ("hs_full_tls12_rsa_chain", chain(v12, "rsa-int", GROUPS12)),
    ];
    for (name, c) in &full {
        bench_full(&opt, name, c);
    }
    bench_resume(
        &opt,
        "hs_resume_tls13_ticket",
        &conf(v13, "ecdsa", X25519, false),
    );
    bench_resume(
        &opt,
        "hs_resume_tls12_sessionid",
        &conf(v12, "ecdsa", GROUPS12, true),
    );
    bench_resume(
        &opt,
        "hs_resume_tls12_ticket",
        &conf(v12, "ecdsa", GROUPS12, false),
    );
    bench_resume(
        &opt,
        "hs_resume_tls13_ticket_chain",
        &chain(v13, "ecdsa-int", X25519),
    );

    let pattern = make_pattern();
    let suites = [
        ("aes128gcm", CipherSuite::TLS13_AES_128_GCM_SHA256),
        ("aes256gcm", CipherSuite::TLS13_AES_256_GCM_SHA384),
        ("chacha20", CipherSuite::TLS13_CHACHA20_POLY1305_SHA256),
    ];
    for (tag, suite) in suites {
        for wsize in [16384usize, 1024] {
            for c2s in [true, false] {
                let name = format!(
                    "bulk_{tag}_{}k_{}",
                    wsize / 1024,
                    if c2s { "c2s" } else { "s2c" }
                );
                bench_bulk(&opt, &pattern, &name, suite, wsize, c2s);
            }
        }
    }

    // Two threads, each with its own connection pairs, on the same two configurations.
    threads::bench_threads_full(
        &opt,
        "hs_full_tls13_ecdsa_x25519_2threads",
        &conf(v13, "ecdsa", X25519, false),
    );
    threads::bench_threads_resume(
        &opt,
        "hs_resume_tls13_ticket_2threads",
        &conf(v13, "ecdsa", X25519, false),
    );
    threads::bench_threads_bulk(
        &opt,
        &pattern,
        "bulk_aes128gcm_1k_c2s_2threads",
        CipherSuite::TLS13_AES_128_GCM_SHA256,
        1024,
        true,
    );

    bench_memory(&opt);

    // SAFETY: getrusage fills the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    report("peak_rss", ru.ru_maxrss as f64, "KiB");
    println!("# ok");
}
