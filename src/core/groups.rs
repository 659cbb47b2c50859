//! Key-exchange groups by OpenSSL's names and NIDs (`SSL_CTX_set1_groups_list`,
//! `SSL_CTX_set1_groups`, `SSL_group_to_name`, `SSL_get_negotiated_group`).

use std::ffi::c_int;

use rustls::crypto::SupportedKxGroup;
use rustls::NamedGroup;

use super::error::{Error, Result};

/// OpenSSL's names for the groups rustls offers (`SSL_CTX_set1_groups_list`, `SSL_group_to_name`).
pub fn group_by_name(name: &str) -> Option<NamedGroup> {
    Some(match name {
        "X25519" | "x25519" => NamedGroup::X25519,
        "P-256" | "prime256v1" | "secp256r1" => NamedGroup::secp256r1,
        "P-384" | "secp384r1" => NamedGroup::secp384r1,
        "P-521" | "secp521r1" => NamedGroup::secp521r1,
        "X25519MLKEM768" => NamedGroup::X25519MLKEM768,
        "SecP256r1MLKEM768" => NamedGroup::secp256r1MLKEM768,
        "MLKEM768" => NamedGroup::MLKEM768,
        "X448" | "x448" => NamedGroup::X448,
        "ffdhe2048" => NamedGroup::FFDHE2048,
        "ffdhe3072" => NamedGroup::FFDHE3072,
        "ffdhe4096" => NamedGroup::FFDHE4096,
        "ffdhe6144" => NamedGroup::FFDHE6144,
        "ffdhe8192" => NamedGroup::FFDHE8192,
        _ => return None,
    })
}

/// The OpenSSL name of a group.
pub fn group_name(g: NamedGroup) -> Option<&'static std::ffi::CStr> {
    Some(match g {
        NamedGroup::X25519 => c"x25519",
        NamedGroup::secp256r1 => c"secp256r1",
        NamedGroup::secp384r1 => c"secp384r1",
        NamedGroup::secp521r1 => c"secp521r1",
        NamedGroup::X25519MLKEM768 => c"X25519MLKEM768",
        NamedGroup::secp256r1MLKEM768 => c"SecP256r1MLKEM768",
        NamedGroup::MLKEM768 => c"MLKEM768",
        _ => return None,
    })
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

/// Parses a groups list (`"X25519:P-256"`): every name must be known to OpenSSL; those rustls
/// lacks are skipped; a list that leaves nothing fails.
pub fn parse_groups(list: &str) -> Result<Vec<&'static dyn SupportedKxGroup>> {
    let all = super::kx::all();
    let mut out: Vec<&'static dyn SupportedKxGroup> = Vec::new();
    for name in list.split(':').filter(|n| !n.is_empty()) {
        let g = group_by_name(name)
            .ok_or_else(|| Error::BadGroup(format!("unknown group {name:?}")))?;
        if let Some(k) = all.iter().find(|k| k.name() == g) {
            if !out.iter().any(|o| o.name() == g) {
                out.push(*k);
            }
        }
    }
    if out.is_empty() {
        return Err(Error::BadGroup(format!(
            "rustls implements none of the groups in {list:?}"
        )));
    }
    Ok(out)
}

/// Groups given as NIDs (`SSL_CTX_set1_groups`).
pub fn groups_from_nids(nids: &[c_int]) -> Result<Vec<&'static dyn SupportedKxGroup>> {
    let all = super::kx::all();
    let mut out: Vec<&'static dyn SupportedKxGroup> = Vec::new();
    for &nid in nids {
        if let Some(k) = all.iter().find(|k| group_nid(k.name()) == nid) {
            out.push(*k);
        }
    }
    if out.is_empty() {
        return Err(Error::BadGroup(
            "rustls implements none of the groups given".into(),
        ));
    }
    Ok(out)
}
