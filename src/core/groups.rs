//! Key-exchange groups by OpenSSL's names and NIDs (`SSL_CTX_set1_groups_list`,
//! `SSL_CTX_set1_groups`, `SSL_group_to_name`, `SSL_get_negotiated_group`,
//! `SSL_CTX_get0_implemented_groups`).
//!
//! Every group OpenSSL 3.5's default provider knows is *known* here, by all the names 3.5 finds
//! it by; the groups rustls implements (X25519, P-256, P-384, X25519MLKEM768,
//! SecP256r1MLKEM768, MLKEM768, MLKEM1024) are *usable*. A known group that is not usable
//! (X448, P-521, the ffdhe and brainpool groups, MLKEM512, SecP384r1MLKEM1024, the TLS 1.2-only
//! curves) is accepted in a list and left out of what is offered, as OpenSSL 3.5 treats a group
//! it knows but cannot use for the connection's versions (e.g. `brainpoolP256r1` on a TLS
//! 1.3-only client): the list is kept, a handshake left with no usable group fails then.

use std::ffi::{c_int, CStr};
use std::sync::OnceLock;

use rustls::crypto::SupportedKxGroup;
use rustls::NamedGroup;

use super::error::{Error, Result};
pub use super::group_list::{GroupList, ListError};

/// A group OpenSSL 3.5 knows.
pub struct Known {
    /// The IANA id.
    pub id: u16,
    /// Its TLS name (what `SSL_group_to_name` and `SSL_get0_group_name` say).
    pub name: &'static CStr,
    /// The alias `SSL_CTX_get0_implemented_groups(all=1)` lists after the name.
    pub alias: Option<&'static CStr>,
    /// The provider's internal name, also accepted in lists.
    pub internal: &'static str,
    /// For TLS 1.2 (and older); for TLS 1.3.
    pub tls12: bool,
    pub tls13: bool,
}

const fn k(
    id: u16,
    name: &'static CStr,
    alias: Option<&'static CStr>,
    internal: &'static str,
    tls12: bool,
    tls13: bool,
) -> Known {
    Known {
        id,
        name,
        alias,
        internal,
        tls12,
        tls13,
    }
}

/// OpenSSL 3.5's groups (default provider), by id.
#[rustfmt::skip]
pub static KNOWN: &[Known] = &[
    k(1, c"sect163k1", Some(c"K-163"), "sect163k1", true, false),
    k(2, c"sect163r1", None, "sect163r1", true, false),
    k(3, c"sect163r2", Some(c"B-163"), "sect163r2", true, false),
    k(4, c"sect193r1", None, "sect193r1", true, false),
    k(5, c"sect193r2", None, "sect193r2", true, false),
    k(6, c"sect233k1", Some(c"K-233"), "sect233k1", true, false),
    k(7, c"sect233r1", Some(c"B-233"), "sect233r1", true, false),
    k(8, c"sect239k1", None, "sect239k1", true, false),
    k(9, c"sect283k1", Some(c"K-283"), "sect283k1", true, false),
    k(10, c"sect283r1", Some(c"B-283"), "sect283r1", true, false),
    k(11, c"sect409k1", Some(c"K-409"), "sect409k1", true, false),
    k(12, c"sect409r1", Some(c"B-409"), "sect409r1", true, false),
    k(13, c"sect571k1", Some(c"K-571"), "sect571k1", true, false),
    k(14, c"sect571r1", Some(c"B-571"), "sect571r1", true, false),
    k(15, c"secp160k1", None, "secp160k1", true, false),
    k(16, c"secp160r1", None, "secp160r1", true, false),
    k(17, c"secp160r2", None, "secp160r2", true, false),
    k(18, c"secp192k1", None, "secp192k1", true, false),
    k(19, c"secp192r1", Some(c"P-192"), "prime192v1", true, false),
    k(20, c"secp224k1", None, "secp224k1", true, false),
    k(21, c"secp224r1", Some(c"P-224"), "secp224r1", true, false),
    k(22, c"secp256k1", None, "secp256k1", true, false),
    k(23, c"secp256r1", Some(c"P-256"), "prime256v1", true, true),
    k(24, c"secp384r1", Some(c"P-384"), "secp384r1", true, true),
    k(25, c"secp521r1", Some(c"P-521"), "secp521r1", true, true),
    k(26, c"brainpoolP256r1", None, "brainpoolP256r1", true, false),
    k(27, c"brainpoolP384r1", None, "brainpoolP384r1", true, false),
    k(28, c"brainpoolP512r1", None, "brainpoolP512r1", true, false),
    k(29, c"x25519", None, "X25519", true, true),
    k(30, c"x448", None, "X448", true, true),
    k(31, c"brainpoolP256r1tls13", None, "brainpoolP256r1", false, true),
    k(32, c"brainpoolP384r1tls13", None, "brainpoolP384r1", false, true),
    k(33, c"brainpoolP512r1tls13", None, "brainpoolP512r1", false, true),
    k(0x100, c"ffdhe2048", None, "ffdhe2048", false, true),
    k(0x101, c"ffdhe3072", None, "ffdhe3072", false, true),
    k(0x102, c"ffdhe4096", None, "ffdhe4096", false, true),
    k(0x103, c"ffdhe6144", None, "ffdhe6144", false, true),
    k(0x104, c"ffdhe8192", None, "ffdhe8192", false, true),
    k(0x200, c"MLKEM512", None, "ML-KEM-512", false, true),
    k(0x201, c"MLKEM768", None, "ML-KEM-768", false, true),
    k(0x202, c"MLKEM1024", None, "ML-KEM-1024", false, true),
    k(0x11eb, c"SecP256r1MLKEM768", None, "SecP256r1MLKEM768", false, true),
    k(0x11ec, c"X25519MLKEM768", None, "X25519MLKEM768", false, true),
    k(0x11ed, c"SecP384r1MLKEM1024", None, "SecP384r1MLKEM1024", false, true),
];

/// Whether ferrossl answers as OpenSSL 3.5 (the libcrypto loaded is 3.5 or later) rather than
/// as 3.0: the group-list grammar and its errors changed between them, and a program sees the
/// libssl of its libcrypto's release (Debian 12: 3.0, Debian 13: 3.5).
pub fn openssl35() -> bool {
    static V35: OnceLock<bool> = OnceLock::new();
    *V35.get_or_init(|| crate::libcrypto::version_num() >= 0x3050_0000)
}

/// The known group `name` stands for: its TLS name, alias or internal name, case-insensitive
/// as OpenSSL 3.5 matches them (case-sensitive as 3.0 when `exact`). The first match in id
/// order wins (`brainpoolP256r1` is the TLS 1.2 curve, not `brainpoolP256r1tls13`).
pub fn known_by_name(name: &str, exact: bool) -> Option<&'static Known> {
    let same = |a: &str| {
        if exact {
            a == name
        } else {
            a.eq_ignore_ascii_case(name)
        }
    };
    KNOWN.iter().find(|g| {
        g.name.to_str().is_ok_and(same)
            || g.alias.is_some_and(|a| a.to_str().is_ok_and(same))
            || same(g.internal)
    })
}

/// The known group with IANA id `id`.
pub fn known(id: u16) -> Option<&'static Known> {
    KNOWN.iter().find(|g| g.id == id)
}

/// OpenSSL's names for groups (`SSL_CTX_set1_groups_list` in 3.0's exact-case matching).
pub fn group_by_name(name: &str) -> Option<NamedGroup> {
    known_by_name(name, true).map(|g| NamedGroup::from(g.id))
}

/// The OpenSSL name of a group ferrossl can negotiate.
pub fn group_name(g: NamedGroup) -> Option<&'static CStr> {
    usable(u16::from(g))?;
    known(u16::from(g)).map(|k| k.name)
}

/// The NID OpenSSL 3.0 reports for a group (`SSL_get_negotiated_group`); groups 3.0 has no NID
/// for are reported as `TLSEXT_nid_unknown | id`, as later OpenSSL releases do.
pub fn group_nid(g: NamedGroup) -> c_int {
    match g {
        NamedGroup::X25519 => 1034,
        NamedGroup::secp256r1 => 415,
        NamedGroup::secp384r1 => 715,
        NamedGroup::secp521r1 => 716,
        other => 0x0100_0000 | c_int::from(u16::from(other)),
    }
}

/// rustls's implementation of group `id`, if ferrossl has one.
pub fn usable(id: u16) -> Option<&'static dyn SupportedKxGroup> {
    super::kx::all()
        .iter()
        .find(|k| u16::from(k.name()) == id)
        .copied()
}

/// Parses a groups list in the grammar of the OpenSSL release ferrossl answers as (see
/// [`openssl35`]).
pub fn parse_groups(list: &str) -> Result<GroupList> {
    if openssl35() {
        super::group_list::parse(list).map_err(|e| e.into_error(list))
    } else {
        super::group_list::parse30(list)
    }
}

/// The list a new `SSL_CTX` has: OpenSSL 3.5's built-in default (tuples and key shares); under
/// 3.0 the groups rustls offers by default, as one tuple.
pub fn default_list() -> GroupList {
    if openssl35() {
        super::group_list::default35()
    } else {
        GroupList::flat(
            super::kx::defaults()
                .iter()
                .map(|g| u16::from(g.name()))
                .collect(),
        )
    }
}

/// Groups given as NIDs (`SSL_CTX_set1_groups`): one tuple, the key share for the first. As
/// OpenSSL, an unknown NID or a duplicate fails the whole call without an error (a known
/// group rustls lacks is kept and not offered).
pub fn groups_from_nids(nids: &[c_int]) -> Result<GroupList> {
    let mut ids = Vec::new();
    for &nid in nids {
        let id = KNOWN
            .iter()
            .map(|k| k.id)
            .find(|&id| nid_of(id) == nid)
            .ok_or(Error::Queued)?;
        if ids.contains(&id) {
            return Err(Error::Queued);
        }
        ids.push(id);
    }
    Ok(GroupList::flat(ids))
}

/// The NID of a known group: OpenSSL's curve NIDs for the EC groups, the X25519/X448/ffdhe
/// NIDs, `TLSEXT_nid_unknown | id` for the rest.
fn nid_of(id: u16) -> c_int {
    #[rustfmt::skip]
    const NIDS: [(u16, c_int); 35] = [
        (1, 721), (2, 722), (3, 723), (4, 724), (5, 725), (6, 726), (7, 727), (8, 728),
        (9, 729), (10, 730), (11, 731), (12, 732), (13, 733), (14, 734), (15, 708), (16, 709),
        (17, 710), (18, 711), (19, 409), (20, 712), (21, 713), (22, 714), (23, 415), (24, 715),
        (25, 716), (26, 927), (27, 931), (28, 933), (29, 1034), (30, 1035), (256, 1126),
        (257, 1127), (258, 1128), (259, 1129), (260, 1130),
    ];
    NIDS.iter()
        .find(|(g, _)| *g == id)
        .map_or(0x0100_0000 | c_int::from(id), |(_, n)| *n)
}

/// `SSL_CTX_get0_implemented_groups`: the groups ferrossl can negotiate within the version
/// bounds `min`..`max` (0: none), by id, each followed by its alias when `all`.
pub fn implemented(min: c_int, max: c_int, all: bool) -> Vec<&'static CStr> {
    let v12 = (min == 0 || min <= 0x0303) && (max == 0 || max >= 0x0300);
    let v13 = max == 0 || max >= 0x0304;
    let mut out = Vec::new();
    for g in KNOWN.iter().filter(|g| usable(g.id).is_some()) {
        if (g.tls12 && v12) || (g.tls13 && v13) {
            out.push(g.name);
            if let (true, Some(a)) = (all, g.alias) {
                out.push(a);
            }
        }
    }
    out
}
