//! The group lists of `SSL_CTX_set1_groups_list` (and `Groups`/`Curves` in `SSL_CONF`):
//! OpenSSL 3.5's grammar, 3.0's, and the server's choice of a group from a ClientHello.
//!
//! OpenSSL 3.5 (checked against Debian 13's 3.5.9 by `tests/groups35.rs`):
//! - `/` separates preference tuples, `:` the groups of a tuple; blanks around tuples and
//!   groups are removed, blanks inside a name are part of it;
//! - each group may carry the prefixes `*` (the client sends a key share for it), `?` (ignore
//!   the name if unknown) and `-` (remove it, and its key share, from what came before), each
//!   at most once, in any order; names are case-insensitive and at most 63 bytes;
//! - `DEFAULT` and `DEFAULT_SUITE_B` stand for built-in lists whose names are all `?`;
//!   DEFAULT's tuples are spliced in (its first joins the tuple it stands in, what follows it
//!   joins its last), as 3.5.9 does; `?DEFAULT`, `-DEFAULT` and `*DEFAULT` are syntax errors;
//! - a group already listed is ignored, prefix and all; a tuple left empty disappears; at most
//!   4 key shares; an empty list is accepted (a client then fails its handshake);
//! - an unknown name fails the call with no error queued; an empty group or tuple queues
//!   `SSL_R_UNSUPPORTED_CONFIG_VALUE`; a syntax error or more than 4 key shares queue
//!   `ERR_R_PASSED_INVALID_ARGUMENT` with OpenSSL's text. A failed call changes nothing.
//!
//! OpenSSL 3.0: `:` only, case-sensitive names, one tuple; an unknown name queues
//! `ERR_R_PASSED_INVALID_ARGUMENT` ("group 'x' cannot be set"), an empty element, an empty
//! list, a duplicate or a name of 64 bytes or more fail with no error.
//!
//! The server's choice (TLS 1.3, OpenSSL 3.5): for each tuple in order, a group of the tuple
//! the client sent a key share for (the client's first such share; with
//! `SSL_OP_CIPHER_SERVER_PREFERENCE` the tuple's first such group) is taken at once; else the
//! client's first supported group in the tuple (the tuple's first, with server preference) is
//! asked for with a HelloRetryRequest; else the next tuple. OpenSSL 3.0 takes the client's first
//! key share it supports, else asks for the first shared group (server or client order). TLS
//! 1.2 takes the first shared group in the client's order (the server's with server preference).

use super::error::{reason, Error, Result};
use super::groups::{known_by_name, usable};

/// OpenSSL 3.5's `TLS_DEFAULT_GROUP_LIST`.
pub const DEFAULT35: &str =
    "?*X25519MLKEM768 / ?*X25519:?secp256r1 / ?X448:?secp384r1:?secp521r1 / ?ffdhe2048:?ffdhe3072";
/// OpenSSL's `SUITE_B_GROUP_LIST`.
const SUITE_B: &str = "secp256r1:secp384r1";
/// `OPENSSL_CLIENT_MAX_KEY_SHARES`.
const MAX_KEY_SHARES: usize = 4;
/// `SSL_R_UNSUPPORTED_CONFIG_VALUE`.
const UNSUPPORTED_CONFIG_VALUE: std::ffi::c_int = 414;

/// A parsed group list: IANA ids of known groups (usable or not) in preference tuples, and the
/// groups a client sends key shares for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupList {
    tuples: Vec<Vec<u16>>,
    shares: Vec<u16>,
}

/// Why a list was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListError {
    /// An unknown name without `?` (OpenSSL queues nothing).
    Unknown,
    /// An empty group (`X25519::P-256`).
    EmptyGroup,
    /// An empty tuple (`X25519//P-256`).
    EmptyTuple,
    /// A repeated prefix, a prefix without a name, a prefixed DEFAULT, a name too long.
    Syntax,
    /// More than 4 key shares.
    TooManyShares,
}

impl ListError {
    /// The error OpenSSL queues for `list` (as given, leading blanks skipped).
    pub fn into_error(self, list: &str) -> Error {
        let list = list.trim_start_matches(is_space);
        match self {
            ListError::Unknown => Error::Queued,
            ListError::EmptyGroup | ListError::EmptyTuple => Error::Exact {
                reason: UNSUPPORTED_CONFIG_VALUE,
                data: None,
            },
            ListError::Syntax => Error::Exact {
                reason: reason::PASSED_INVALID_ARGUMENT,
                data: Some(format!("Syntax error in '{list}'")),
            },
            ListError::TooManyShares => Error::Exact {
                reason: reason::PASSED_INVALID_ARGUMENT,
                data: Some(format!(
                    "To many keyshares requested in '{list}' (max = {MAX_KEY_SHARES})"
                )),
            },
        }
    }
}

impl GroupList {
    /// One tuple of `ids`; the first usable one gets the key share.
    pub fn flat(ids: Vec<u16>) -> GroupList {
        GroupList {
            tuples: if ids.is_empty() { vec![] } else { vec![ids] },
            shares: Vec::new(),
        }
    }

    /// Every group, in preference order.
    pub fn ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.tuples.iter().flatten().copied()
    }

    /// The groups rustls implements, in preference order (what a client offers).
    pub fn usable(&self) -> Vec<&'static dyn rustls::crypto::SupportedKxGroup> {
        self.ids().filter_map(usable).collect()
    }

    /// The group a client sends its key share for: the first `*` group ferrossl can use.
    /// `None` without one (rustls then uses the first group). Differs from OpenSSL: rustls
    /// sends one key share (and the X25519 part of X25519MLKEM768 when X25519 is listed too),
    /// not one for every `*` group.
    pub fn key_share(&self) -> Option<rustls::NamedGroup> {
        self.shares
            .iter()
            .find_map(|&id| usable(id))
            .map(|g| g.name())
    }

    /// The group a server takes for a ClientHello offering `groups` with key shares for
    /// `shares`, as OpenSSL does (see the module documentation); `None` when none is shared.
    pub fn choose(
        &self,
        groups: &[u16],
        shares: &[u16],
        server_pref: bool,
        tls13: bool,
        v35: bool,
    ) -> Option<u16> {
        let ok = |id: &u16| {
            usable(*id).is_some_and(|g| {
                g.usable_for_version(if tls13 {
                    rustls::ProtocolVersion::TLSv1_3
                } else {
                    rustls::ProtocolVersion::TLSv1_2
                })
            })
        };
        let ours: Vec<u16> = self.ids().filter(ok).collect();
        let shared = |server: &[u16]| -> Option<u16> {
            if server_pref {
                server.iter().copied().find(|g| groups.contains(g))
            } else {
                groups.iter().copied().find(|g| server.contains(g))
            }
        };
        if !tls13 {
            return shared(&ours);
        }
        // Only shares for groups the client lists count (OpenSSL refuses others).
        let shares: Vec<u16> = shares
            .iter()
            .copied()
            .filter(|s| groups.contains(s))
            .collect();
        if !v35 {
            return shares
                .iter()
                .copied()
                .find(|s| ours.contains(s))
                .or_else(|| shared(&ours));
        }
        for tuple in &self.tuples {
            let tuple: Vec<u16> = tuple.iter().copied().filter(ok).collect();
            let first =
                |prio: &[u16], cand: &[u16]| prio.iter().copied().find(|g| cand.contains(g));
            let found = if server_pref {
                first(&tuple, &shares).or_else(|| first(&tuple, groups))
            } else {
                first(&shares, &tuple).or_else(|| first(groups, &tuple))
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// The list being built: the last tuple is open.
struct Builder {
    tuples: Vec<Vec<u16>>,
    shares: Vec<u16>,
}

impl Builder {
    fn close(&mut self) {
        if self.tuples.last().is_some_and(|t| !t.is_empty()) {
            self.tuples.push(Vec::new());
        }
    }

    fn add(&mut self, id: u16, share: bool) {
        if self.tuples.iter().flatten().any(|&g| g == id) {
            return;
        }
        if let Some(t) = self.tuples.last_mut() {
            t.push(id);
        }
        if share {
            self.shares.push(id);
        }
    }

    fn remove(&mut self, id: u16) {
        for t in &mut self.tuples {
            t.retain(|&g| g != id);
        }
        self.shares.retain(|&g| g != id);
    }

    /// A `/`-separated list of tuples. Within a DEFAULT list, the first tuple joins the open
    /// one and the last stays open.
    fn tuples(&mut self, s: &str, in_default: bool) -> Result<(), ListError> {
        let parts: Vec<&str> = s.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let part = part.trim_matches(is_space);
            if part.is_empty() {
                return Err(ListError::EmptyTuple);
            }
            for elem in part.split(':') {
                self.element(elem.trim_matches(is_space), in_default)?;
            }
            if !in_default || i + 1 < parts.len() {
                self.close();
            }
        }
        Ok(())
    }

    fn element(&mut self, elem: &str, in_default: bool) -> Result<(), ListError> {
        if elem.is_empty() {
            return Err(ListError::EmptyGroup);
        }
        let (mut share, mut ignore, mut remove) = (false, false, false);
        let mut rest = elem;
        loop {
            let flag = match rest.as_bytes().first() {
                Some(b'*') => &mut share,
                Some(b'?') => &mut ignore,
                Some(b'-') => &mut remove,
                _ => break,
            };
            if *flag {
                return Err(ListError::Syntax);
            }
            *flag = true;
            rest = &rest[1..];
        }
        let pseudo = if rest.eq_ignore_ascii_case("DEFAULT") {
            Some(DEFAULT35)
        } else if rest.eq_ignore_ascii_case("DEFAULT_SUITE_B") {
            Some(SUITE_B)
        } else {
            None
        };
        if let Some(list) = pseudo {
            if ignore || remove {
                return Err(ListError::Syntax);
            }
            // As OpenSSL: a `*` is put in front of the built-in list (which for DEFAULT
            // already starts with `?*`, making `*DEFAULT` a syntax error).
            let list = if share && !list.starts_with('*') {
                format!("*{list}")
            } else {
                list.to_owned()
            };
            return self.tuples(&list, true);
        }
        if rest.is_empty() || rest.len() > 63 {
            return Err(ListError::Syntax);
        }
        let Some(g) = known_by_name(rest, false) else {
            return if ignore || in_default {
                Ok(())
            } else {
                Err(ListError::Unknown)
            };
        };
        if remove {
            self.remove(g.id);
        } else {
            self.add(g.id, share);
        }
        Ok(())
    }
}

/// Parses `list` in OpenSSL 3.5's grammar.
pub fn parse(list: &str) -> Result<GroupList, ListError> {
    let s = list.trim_start_matches(is_space);
    if s.is_empty() {
        return Ok(GroupList::default());
    }
    let mut b = Builder {
        tuples: vec![Vec::new()],
        shares: Vec::new(),
    };
    b.tuples(s, false)?;
    b.tuples.retain(|t| !t.is_empty());
    if b.shares.len() > MAX_KEY_SHARES {
        return Err(ListError::TooManyShares);
    }
    Ok(GroupList {
        tuples: b.tuples,
        shares: b.shares,
    })
}

/// OpenSSL 3.5's built-in list.
pub fn default35() -> GroupList {
    parse(DEFAULT35).unwrap_or_default()
}

/// Parses `list` as OpenSSL 3.0 does (see the module documentation).
pub fn parse30(list: &str) -> Result<GroupList> {
    let mut ids = Vec::new();
    for elem in list.split(':') {
        let name = elem.trim_matches(is_space);
        if name.is_empty() || name.len() > 63 {
            return Err(Error::Queued);
        }
        let g = known_by_name(name, true)
            .ok_or_else(|| Error::InvalidArgument(format!("group '{name}' cannot be set")))?;
        if ids.contains(&g.id) {
            return Err(Error::Queued);
        }
        ids.push(g.id);
    }
    Ok(GroupList::flat(ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuples(list: &str) -> Vec<Vec<u16>> {
        parse(list).unwrap().tuples
    }

    const A: u16 = 23; // P-256
    const B: u16 = 24; // P-384
    const C: u16 = 25; // P-521
    const D: u16 = 29; // X25519
    const E: u16 = 30; // X448
    const F: u16 = 0x100; // ffdhe2048
    const MLKEM: u16 = 0x11ec;

    #[test]
    fn structure() {
        assert_eq!(tuples("X25519 / P-256"), [vec![D], vec![A]]);
        assert_eq!(tuples(" x25519 : p-256 "), [vec![D, A]]);
        assert_eq!(tuples("X25519/?foo/P-256"), [vec![D], vec![A]]);
        assert_eq!(tuples("X25519:P-256/-X25519"), [vec![A]]);
        assert_eq!(tuples("-X25519:X25519"), [vec![D]]);
        assert_eq!(tuples("x25519:X25519/X25519"), [vec![D]]);
        assert!(parse("?foo").unwrap().tuples.is_empty());
        assert!(parse("   ").unwrap().tuples.is_empty());
        let l = parse("X25519:*P-256:*X25519").unwrap();
        assert_eq!(l.shares, [A], "a duplicate's prefix is ignored too");
        let l = parse("*X25519:*P-256:*P-384:*P-521:*X448:-X448").unwrap();
        assert_eq!(l.shares, [D, A, B, C]);
    }

    #[test]
    fn default_is_spliced() {
        let d = parse("DEFAULT").unwrap();
        assert_eq!(
            d.tuples,
            [vec![MLKEM], vec![D, A], vec![E, B, C], vec![F, 0x101]]
        );
        assert_eq!(d.shares, [MLKEM, D]);
        assert_eq!(
            tuples("P-384:DEFAULT:P-521")[..2],
            [vec![B, MLKEM], vec![D, A]]
        );
        assert_eq!(tuples("DEFAULT:brainpoolP256r1tls13")[3], [F, 0x101, 31]);
        assert_eq!(parse("X25519:DEFAULT").unwrap().shares, [MLKEM]);
        assert_eq!(parse("*DEFAULT_SUITE_B").unwrap().shares, [A]);
    }

    #[test]
    fn errors() {
        for (list, e) in [
            ("foo", ListError::Unknown),
            ("-foo", ListError::Unknown),
            ("X25519\tP-256", ListError::Unknown),
            ("* X25519", ListError::Unknown),
            ("DEFAULT_FOO", ListError::Unknown),
            (":", ListError::EmptyGroup),
            ("X25519: ", ListError::EmptyGroup),
            ("X25519/", ListError::EmptyTuple),
            ("X25519/ /P-256", ListError::EmptyTuple),
            ("**X25519", ListError::Syntax),
            ("*?", ListError::Syntax),
            ("*DEFAULT", ListError::Syntax),
            ("?DEFAULT", ListError::Syntax),
            (&"a".repeat(64), ListError::Syntax),
            (
                "*X25519:*P-256:*P-384:*P-521:*X448",
                ListError::TooManyShares,
            ),
        ] {
            assert_eq!(parse(list), Err(e), "{list:?}");
        }
        assert!(parse(&"a".repeat(63)) == Err(ListError::Unknown));
    }

    #[test]
    fn openssl_30() {
        assert_eq!(parse30(" X25519 : P-256").unwrap().tuples, [vec![D, A]]);
        assert_eq!(parse30("X448").unwrap().tuples, [vec![E]], "known, kept");
        for bad in [
            "",
            "X25519:",
            "X25519::P-256",
            "X25519:x25519:X25519",
            "P-256:P-256",
        ] {
            assert!(matches!(parse30(bad), Err(Error::Queued)), "{bad:?}");
        }
        for unknown in ["foo", "*X25519", "X25519/P-256", "p-256", "DEFAULT"] {
            assert!(
                matches!(parse30(unknown), Err(Error::InvalidArgument(_))),
                "{unknown:?}"
            );
        }
        // One tuple: the client's first supported key share wins, whatever the order.
        let l = parse30("P-256:X25519").unwrap();
        assert_eq!(l.choose(&[D, A], &[D], true, true, false), Some(D));
        assert_eq!(l.choose(&[D, A], &[], true, true, false), Some(A));
        assert_eq!(l.choose(&[D, A], &[], false, true, false), Some(D));
    }

    #[test]
    fn server_choice() {
        let s = parse("P-256:P-384/P-521:X25519/X448:ffdhe2048").unwrap();
        // Only groups rustls has count: P-256, P-384, X25519.
        assert_eq!(s.choose(&[A, D, F], &[F], false, true, true), Some(A));
        assert_eq!(s.choose(&[C, D], &[D], false, true, true), Some(D));
        assert_eq!(s.choose(&[B, A], &[], false, true, true), Some(B));
        assert_eq!(s.choose(&[B, A], &[], true, true, true), Some(A));
        assert_eq!(s.choose(&[E, C], &[E], true, true, true), None);
        let flat = parse("P-256:X25519").unwrap();
        assert_eq!(flat.choose(&[D, A], &[A], false, true, true), Some(A));
        assert_eq!(flat.choose(&[D, A], &[A], false, false, true), Some(D));
        assert_eq!(flat.choose(&[D, A], &[A], true, false, true), Some(A));
    }
}
