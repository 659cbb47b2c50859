//! The `SSL_ctrl` getters that report what a handshake negotiated or what the peer sent
//! (`SSL_get_secure_renegotiation_support`, `SSL_get1_groups`, `SSL_get_shared_group`,
//! `SSL_get0_ec_point_formats`, `SSL_get_peer_signature_nid`, `SSL_get_peer_tmp_key`, ...), and
//! `SSL_get_peer_signature_type_nid`.
//!
//! Each answers as OpenSSL 3.0 does in the same state: when the fact does not exist yet (no
//! handshake, no ClientHello, the other role) the answer is OpenSSL's "absent" value (0), and
//! no error is queued.

#![allow(non_snake_case)]

use ferrossl_macros::export;

use std::ffi::{c_int, c_long, c_uchar, c_void, CStr};

use rustls::{NamedGroup, SignatureScheme};

use super::args;
use super::handle;
use super::types::*;
use crate::core::connection::Connection;
use crate::core::context::{group_nid, Role, OP_CIPHER_SERVER_PREFERENCE};
use crate::libcrypto::{self, PKey};

const TLS1_2: c_int = 0x0303;
const TLS1_3: c_int = 0x0304;
/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV and the renegotiation_info extension (RFC 5746).
const RENEGOTIATION_SCSV: u16 = 0x00ff;
const EXT_RENEGOTIATION_INFO: u16 = 0xff01;
const EXT_SUPPORTED_GROUPS: u16 = 10;
const EXT_EC_POINT_FORMATS: u16 = 11;
/// OpenSSL's `TLSEXT_nid_unknown`: or-ed with a group id OpenSSL does not know.
const NID_UNKNOWN: c_int = 0x0100_0000;

/// The negotiated protocol version, once the handshake is done.
fn version(conn: &Connection) -> Option<c_int> {
    conn.handshake_info().map(|h| h.version)
}

fn is_server(conn: &Connection) -> bool {
    conn.role() == Some(Role::Server)
}

/// `SSL_CTRL_GET_RI_SUPPORT` (`SSL_get_secure_renegotiation_support`): whether the peer
/// signalled RFC 5746 secure renegotiation. A server knows from the ClientHello (the SCSV, or the
/// extension when TLS 1.2 was negotiated, as OpenSSL ignores it in TLS 1.3); a client after a
/// TLS 1.2 handshake (rustls sends the signal and OpenSSL-compatible servers answer it; TLS 1.3
/// has no renegotiation, OpenSSL says 0).
pub fn ri_support(conn: &Connection) -> c_long {
    if is_server(conn) {
        let Some(hello) = conn.client_hello() else {
            return 0;
        };
        let scsv = hello.suites().any(|s| s == RENEGOTIATION_SCSV);
        let ext =
            hello.extension(EXT_RENEGOTIATION_INFO).is_some() && version(conn) != Some(TLS1_3);
        return c_long::from(scsv || ext);
    }
    c_long::from(version(conn) == Some(TLS1_2))
}

/// The group ids of a supported_groups extension body.
fn group_ids(body: &[u8]) -> Vec<u16> {
    body.get(2..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

/// The groups OpenSSL 3.0's default provider knows: TLS id, NID and the TLS name
/// `SSL_group_to_name` gives (`providers/common/capabilities.c`).
const GROUPS: [(u16, c_int, &CStr); 35] = [
    (1, 721, c"sect163k1"),
    (2, 722, c"sect163r1"),
    (3, 723, c"sect163r2"),
    (4, 724, c"sect193r1"),
    (5, 725, c"sect193r2"),
    (6, 726, c"sect233k1"),
    (7, 727, c"sect233r1"),
    (8, 728, c"sect239k1"),
    (9, 729, c"sect283k1"),
    (10, 730, c"sect283r1"),
    (11, 731, c"sect409k1"),
    (12, 732, c"sect409r1"),
    (13, 733, c"sect571k1"),
    (14, 734, c"sect571r1"),
    (15, 708, c"secp160k1"),
    (16, 709, c"secp160r1"),
    (17, 710, c"secp160r2"),
    (18, 711, c"secp192k1"),
    (19, 409, c"secp192r1"),
    (20, 712, c"secp224k1"),
    (21, 713, c"secp224r1"),
    (22, 714, c"secp256k1"),
    (23, 415, c"secp256r1"),
    (24, 715, c"secp384r1"),
    (25, 716, c"secp521r1"),
    (26, 927, c"brainpoolP256r1"),
    (27, 931, c"brainpoolP384r1"),
    (28, 933, c"brainpoolP512r1"),
    (29, 1034, c"x25519"),
    (30, 1035, c"x448"),
    (256, 1126, c"ffdhe2048"),
    (257, 1127, c"ffdhe3072"),
    (258, 1128, c"ffdhe4096"),
    (259, 1129, c"ffdhe6144"),
    (260, 1130, c"ffdhe8192"),
];

/// The NID OpenSSL 3.0 (default provider) gives a TLS group id, or `TLSEXT_nid_unknown | id`.
fn nid_of_group_id(id: u16) -> c_int {
    GROUPS
        .iter()
        .find(|(g, _, _)| *g == id)
        .map_or(NID_UNKNOWN | c_int::from(id), |(_, n, _)| *n)
}

/// `SSL_group_to_name`'s answer for a NID (or `TLSEXT_nid_unknown | id`): OpenSSL 3.0's name
/// for every group its default provider knows, whether or not rustls implements it (a server
/// prints the groups a client offered with it); the hybrid groups ferrossl negotiates by their
/// usual names; NULL otherwise.
pub fn group_name_of_nid(nid: c_int) -> Option<&'static CStr> {
    let id = if nid & NID_UNKNOWN != 0 {
        u16::try_from(nid & 0xffff).ok()?
    } else {
        GROUPS.iter().find(|(_, n, _)| *n == nid)?.0
    };
    GROUPS
        .iter()
        .find(|(g, _, _)| *g == id)
        .map(|(_, _, name)| *name)
        .or_else(|| crate::core::context::group_name(NamedGroup::from(id)))
}

/// The groups the peer offered: a server's ClientHello supported_groups (OpenSSL 3.0 keeps
/// none on a client).
fn peer_groups(conn: &Connection) -> Vec<u16> {
    if !is_server(conn) {
        return Vec::new();
    }
    conn.client_hello()
        .and_then(|h| h.extension(EXT_SUPPORTED_GROUPS).map(group_ids))
        .unwrap_or_default()
}

/// `SSL_CTRL_GET_GROUPS` (`SSL_get1_groups`): the number of groups the peer offered; with
/// `out`, their NIDs written there (the caller sized it by a first call with NULL).
///
/// # Safety
/// `out` must be NULL or hold as many ints as a call with NULL returned.
pub unsafe fn groups(conn: &Connection, out: *mut c_int) -> c_long {
    let ids = peer_groups(conn);
    if !out.is_null() {
        for (i, id) in ids.iter().enumerate() {
            // SAFETY: the caller's array holds ids.len() ints.
            unsafe { out.add(i).write(nid_of_group_id(*id)) };
        }
    }
    ids.len() as c_long
}

/// `SSL_CTRL_GET_SHARED_GROUP` (`SSL_get_shared_group`): on a server, the groups both sides
/// support, in the client's order (ours with `SSL_OP_CIPHER_SERVER_PREFERENCE`); `n` -1 counts
/// them, otherwise the NID of the n-th (-2: the first), 0 past the end. A client knows none.
pub fn shared_group(conn: &Connection, n: c_long) -> c_long {
    if !is_server(conn) {
        return 0;
    }
    let peer = peer_groups(conn);
    let (ours, server_first) = {
        let s = conn.settings();
        let ours: Vec<u16> = s.groups.iter().map(|g| u16::from(g.name())).collect();
        (ours, s.options & OP_CIPHER_SERVER_PREFERENCE != 0)
    };
    let (pref, supp) = if server_first {
        (&ours, &peer)
    } else {
        (&peer, &ours)
    };
    // Only groups OpenSSL 3.0 knows can be shared there.
    let shared: Vec<u16> = pref
        .iter()
        .copied()
        .filter(|g| supp.contains(g) && nid_of_group_id(*g) & NID_UNKNOWN == 0)
        .collect();
    match n {
        -1 => shared.len() as c_long,
        n => {
            let i = if n == -2 { 0 } else { n };
            usize::try_from(i)
                .ok()
                .and_then(|i| shared.get(i))
                .map_or(0, |g| c_long::from(group_nid(NamedGroup::from(*g))))
        }
    }
}

/// `SSL_CTRL_GET_EC_POINT_FORMATS` (`SSL_get0_ec_point_formats`): a server's view of the
/// ClientHello's ec_point_formats after a TLS 1.2 (or earlier) handshake, as OpenSSL ignores it
/// in TLS 1.3. Differs from OpenSSL: a client does not learn the server's list (rustls does not
/// expose the ServerHello's extensions), so it answers 0.
///
/// # Safety
/// `out` must be a writable `const unsigned char **`.
pub unsafe fn ec_point_formats(conn: &Connection, out: *mut *const c_uchar) -> c_long {
    if !is_server(conn) || version(conn).is_none_or(|v| v == TLS1_3) {
        return 0;
    }
    let Some(hello) = conn.client_hello() else {
        return 0;
    };
    let Some(list) = hello
        .extension(EXT_EC_POINT_FORMATS)
        .and_then(|b| b.get(1..))
    else {
        return 0;
    };
    if out.is_null() {
        return 0;
    }
    // SAFETY: out-parameter; the bytes live in the connection's ClientHello, which the
    // connection keeps until SSL_clear or SSL_free (OpenSSL's pointer has the same life).
    unsafe { args::out(out, list.as_ptr()) };
    list.len() as c_long
}

/// OpenSSL's (digest NID, signature type NID) for a TLS signature scheme.
fn scheme_nids(s: SignatureScheme) -> Option<(c_int, c_int)> {
    const SHA1: c_int = 64;
    const SHA256: c_int = 672;
    const SHA384: c_int = 673;
    const SHA512: c_int = 674;
    const RSA: c_int = 6;
    const RSA_PSS: c_int = 912;
    const EC: c_int = 408;
    use SignatureScheme as S;
    Some(match s {
        S::RSA_PKCS1_SHA1 => (SHA1, RSA),
        S::ECDSA_SHA1_Legacy => (SHA1, EC),
        S::RSA_PKCS1_SHA256 => (SHA256, RSA),
        S::RSA_PKCS1_SHA384 => (SHA384, RSA),
        S::RSA_PKCS1_SHA512 => (SHA512, RSA),
        S::ECDSA_NISTP256_SHA256 => (SHA256, EC),
        S::ECDSA_NISTP384_SHA384 => (SHA384, EC),
        S::ECDSA_NISTP521_SHA512 => (SHA512, EC),
        S::RSA_PSS_SHA256 => (SHA256, RSA_PSS),
        S::RSA_PSS_SHA384 => (SHA384, RSA_PSS),
        S::RSA_PSS_SHA512 => (SHA512, RSA_PSS),
        S::ED25519 => (0, 1087),
        S::ED448 => (0, 1088),
        _ => return None,
    })
}

/// `SSL_CTRL_GET_PEER_SIGNATURE_NID` (`SSL_get_peer_signature_nid`): the digest of the peer's
/// handshake signature (`NID_undef` for Ed25519/Ed448); 0 when the peer signed nothing (no
/// handshake yet, a resumption, a client without certificate).
///
/// # Safety
/// `out` must be a writable `int *`.
pub unsafe fn peer_signature_nid(conn: &Connection, out: *mut c_int) -> c_long {
    let Some((digest, _)) = conn.peer_signature().and_then(scheme_nids) else {
        return 0;
    };
    // SAFETY: out-parameter.
    unsafe { args::out(out, digest) };
    1
}

/// `SSL_get_peer_signature_type_nid`: the key type of the peer's handshake signature
/// (`EVP_PKEY_RSA`, `EVP_PKEY_RSA_PSS`, `EVP_PKEY_EC`, `EVP_PKEY_ED25519`, ...); 1, or 0 when
/// the peer signed nothing (as `SSL_get_peer_signature_nid`).
#[export]
#[no_mangle]
pub unsafe extern "C" fn SSL_get_peer_signature_type_nid(s: *const SSL, pnid: *mut c_int) -> c_int {
    let conn = handle::ssl(s)?;
    let Some((_, ty)) = conn.peer_signature().and_then(scheme_nids) else {
        return Ok(0);
    };
    // SAFETY: out-parameter.
    unsafe { args::out(pnid, ty) };
    Ok(1)
}

/// `SSL_CTRL_GET_PEER_TMP_KEY` (`SSL_get_peer_tmp_key`): the peer's ephemeral public key, a new
/// reference. 0 (nothing written) before the key exchange, on a TLS 1.2 server (OpenSSL frees
/// the client's key once the secret is derived), and for a group OpenSSL 3.0 has no key type for
/// (a post-quantum hybrid, which an OpenSSL 3.0 peer never negotiates).
///
/// # Safety
/// `out` must be a writable `EVP_PKEY **`.
pub unsafe fn peer_tmp_key(conn: &Connection, out: *mut *mut c_void) -> c_long {
    if is_server(conn) && version(conn).is_some_and(|v| v <= TLS1_2) {
        return 0;
    }
    let Some((group, share)) = conn.peer_key() else {
        return 0;
    };
    let Some(key) = PKey::from_key_share(u16::from(group), &share) else {
        return 0;
    };
    // SAFETY: an EVP_PKEY** out-parameter; the caller owns the reference.
    unsafe {
        args::out(
            out.cast::<*mut libcrypto::ffi::EVP_PKEY>(),
            key.to_raw_ref(),
        )
    };
    1
}

/// `SSL_CTRL_GET_NEGOTIATED_GROUP` (`SSL_get_negotiated_group`): the NID of the key exchange
/// group, 0 before the handshake.
pub fn negotiated_group(conn: &Connection) -> c_long {
    conn.handshake_info()
        .and_then(|h| h.group)
        .map_or(0, |g| c_long::from(group_nid(g)))
}
