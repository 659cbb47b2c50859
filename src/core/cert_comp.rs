//! Certificate compression (RFC 8879) as OpenSSL 3.5 configures it, on rustls's compressors
//! (crate features `brotli` and `zlib`).
//!
//! OpenSSL's model, kept here: a context has a preference list of algorithms (default brotli,
//! zlib, zstd, those the build has). Receiving is on by default: a client's ClientHello and a
//! server's CertificateRequest offer the list (`compress_certificate`), unless
//! `SSL_OP_NO_RX_CERTIFICATE_COMPRESSION`. A server sends a compressed Certificate only for an
//! algorithm its certificates were compressed for beforehand (`SSL_CTX_compress_certs`); a client
//! compresses its own certificate when the server offers an algorithm of its list. Both sending
//! directions stop with `SSL_OP_NO_TX_CERTIFICATE_COMPRESSION`.
//!
//! This build has brotli and zlib, as an OpenSSL built without zstd: zstd (3) is unknown to it.
//! Decompression is bounded by rustls: a compressed Certificate that claims more than 64 KiB
//! uncompressed is refused before anything is inflated.

use std::ffi::c_int;
use std::sync::Arc;

use rustls::compress::{self, CertCompressor, CertDecompressor, CompressionLevel};

use super::context::Settings;

/// `TLSEXT_comp_cert_zlib`, `_brotli`, `_zstd`.
pub const ZLIB: c_int = 1;
pub const BROTLI: c_int = 2;
pub const ZSTD: c_int = 3;

/// `SSL_OP_NO_TX_CERTIFICATE_COMPRESSION` and `SSL_OP_NO_RX_CERTIFICATE_COMPRESSION` (3.5).
pub const OP_NO_TX: u64 = 1 << 32;
pub const OP_NO_RX: u64 = 1 << 33;

/// OpenSSL's default order (brotli, zlib, zstd), of the algorithms this build has.
pub fn default_prefs() -> Vec<c_int> {
    vec![BROTLI, ZLIB]
}

/// `ossl_comp_has_alg`: whether this build has `alg` (0 asks for any).
pub fn available(alg: c_int) -> bool {
    matches!(alg, 0 | ZLIB | BROTLI)
}

fn compressor(alg: c_int) -> Option<&'static dyn CertCompressor> {
    compress::default_cert_compressors()
        .iter()
        .copied()
        .find(|c| c_int::from(u16::from(c.algorithm())) == alg)
}

/// A compressed certificate message the program supplied (`SSL_CTX_set1_compressed_cert`).
#[derive(Clone)]
pub struct Precompressed {
    pub alg: c_int,
    pub data: Arc<[u8]>,
    /// The length of the message it inflates to, as the program says.
    pub orig_len: usize,
}

/// Records the program's compressed form for `alg` (replacing an earlier one), which the server
/// then sends to clients that offer `alg`. False for an algorithm this build lacks.
pub fn set_precompressed(s: &mut Settings, alg: c_int, data: &[u8], orig_len: usize) -> bool {
    if alg == 0 || !available(alg) {
        return false;
    }
    s.precompressed.retain(|p| p.alg != alg);
    s.precompressed.push(Precompressed {
        alg,
        data: data.into(),
        orig_len,
    });
    if !s.cert_comp_ready.contains(&alg) {
        s.cert_comp_ready.push(alg);
    }
    true
}

/// rustls's compressor for one algorithm, that first looks for the program's compressed form of
/// the message (one whose stated length is the message's, as OpenSSL sends it unchecked).
#[derive(Debug)]
struct WithPrecompressed(c_int);

impl CertCompressor for WithPrecompressed {
    fn compress(
        &self,
        input: Vec<u8>,
        level: CompressionLevel,
    ) -> Result<Vec<u8>, compress::CompressionFailed> {
        let given = super::hooks::current().and_then(|c| {
            c.settings()
                .precompressed
                .iter()
                .find(|p| p.alg == self.0 && p.orig_len == input.len())
                .map(|p| p.data.to_vec())
        });
        match given {
            Some(data) => Ok(data),
            None => compressor(self.0)
                .ok_or(compress::CompressionFailed)?
                .compress(input, level),
        }
    }

    fn algorithm(&self) -> rustls::CertificateCompressionAlgorithm {
        rustls::CertificateCompressionAlgorithm::from(self.0 as u16)
    }
}

static ZLIB_OR_GIVEN: WithPrecompressed = WithPrecompressed(ZLIB);
static BROTLI_OR_GIVEN: WithPrecompressed = WithPrecompressed(BROTLI);

fn sender(alg: c_int) -> Option<&'static dyn CertCompressor> {
    match alg {
        ZLIB => Some(&ZLIB_OR_GIVEN),
        BROTLI => Some(&BROTLI_OR_GIVEN),
        _ => None,
    }
}

fn decompressor(alg: c_int) -> Option<&'static dyn CertDecompressor> {
    compress::default_cert_decompressors()
        .iter()
        .copied()
        .find(|c| c_int::from(u16::from(c.algorithm())) == alg)
}

/// `SSL_CTX_set1_cert_comp_preference`'s rules: no list clears the preferences (1); otherwise
/// the algorithms this build has, in the given order, unknown ones skipped; a repeated one
/// fails the call, as does a list with none this build has (0; both leave the old list).
pub fn set_prefs(prefs: &mut Vec<c_int>, algs: Option<&[c_int]>) -> bool {
    let Some(algs) = algs.filter(|a| !a.is_empty()) else {
        prefs.clear();
        return true;
    };
    let mut chosen = Vec::new();
    for &a in algs {
        if a == 0 || !available(a) {
            continue;
        }
        if chosen.contains(&a) {
            return false;
        }
        chosen.push(a);
    }
    if chosen.is_empty() {
        return false;
    }
    *prefs = chosen;
    true
}

/// The TLS 1.3 Certificate message body that compression applies to: an empty request
/// context, then each DER certificate with no extensions.
pub fn certificate_message(chain: &[Vec<u8>]) -> Vec<u8> {
    let u24 = |n: usize| [(n >> 16) as u8, (n >> 8) as u8, n as u8];
    let mut list = Vec::new();
    for der in chain {
        list.extend_from_slice(&u24(der.len()));
        list.extend_from_slice(der);
        list.extend_from_slice(&[0, 0]);
    }
    let mut out = vec![0];
    out.extend_from_slice(&u24(list.len()));
    out.extend_from_slice(&list);
    out
}

/// Compresses `message` with `alg` (as for many connections: the thorough level); `None` when
/// this build lacks `alg` or the compressor fails.
pub fn compress_message(alg: c_int, message: Vec<u8>) -> Option<Vec<u8>> {
    compressor(alg)?
        .compress(message, CompressionLevel::Amortized)
        .ok()
}

/// What a connection's compression settings give rustls, for one side.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Plan {
    /// Algorithms the certificate this side sends may be compressed with, in preference order.
    pub send: Vec<c_int>,
    /// Algorithms offered for the peer's certificate.
    pub receive: Vec<c_int>,
    /// Which compressed forms from the program a server has (by address): a configuration made
    /// before one was given has compressions of its own cached, and is not used after.
    pub given: Vec<usize>,
}

impl Plan {
    /// `prefs` and `options` from the settings; `ready`: the algorithms a server's
    /// certificates were compressed for (a client compresses on the fly: `None`).
    pub fn new(prefs: &[c_int], options: u64, ready: Option<&[c_int]>) -> Plan {
        let send = if options & OP_NO_TX != 0 {
            Vec::new()
        } else {
            prefs
                .iter()
                .copied()
                .filter(|a| ready.is_none_or(|r| r.contains(a)))
                .collect()
        };
        let receive = if options & OP_NO_RX != 0 {
            Vec::new()
        } else {
            prefs.to_vec()
        };
        Plan {
            send,
            receive,
            given: Vec::new(),
        }
    }

    /// A client's: it compresses its own certificate on the fly (never a raw key), and offers
    /// nothing when it sends a client certificate type (as OpenSSL).
    pub fn client(s: &Settings) -> Plan {
        let mut plan = Plan::new(&s.cert_comp_prefs, s.options, None);
        if s.client_cert_type.is_some() {
            plan.receive.clear();
        }
        if super::rpk::client_wants(s.client_cert_type.as_deref()) {
            plan.send.clear();
        }
        plan
    }

    /// A server's: it sends compressed what `SSL_CTX_compress_certs` prepared, never a raw key.
    pub fn server(s: &Settings, raw_key: bool) -> Plan {
        let mut plan = Plan::new(&s.cert_comp_prefs, s.options, Some(&s.cert_comp_ready));
        if raw_key {
            plan.send.clear();
        }
        plan.given = s
            .precompressed
            .iter()
            .map(|p| p.data.as_ptr() as usize)
            .collect();
        plan
    }

    pub fn compressors(&self) -> Vec<&'static dyn CertCompressor> {
        self.send.iter().filter_map(|&a| sender(a)).collect()
    }

    pub fn decompressors(&self) -> Vec<&'static dyn CertDecompressor> {
        self.receive
            .iter()
            .filter_map(|&a| decompressor(a))
            .collect()
    }
}
