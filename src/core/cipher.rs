//! Cipher suites: the table of what rustls offers, described the way OpenSSL describes its
//! ciphers, and OpenSSL's cipher-string grammar (`SSL_CTX_set_cipher_list`) and TLS 1.3 suite
//! lists (`SSL_CTX_set_ciphersuites`) mapped onto it.

use std::ffi::CStr;

use rustls::CipherSuite;

use super::error::{Error, Result};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Auth {
    Rsa,
    Ecdsa,
    /// TLS 1.3 suites do not fix the authentication.
    Any,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Enc {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20,
}

/// One cipher suite as `SSL_CIPHER` exposes it. `&'static Cipher` is what `const SSL_CIPHER *`
/// points at.
#[derive(Debug)]
pub struct Cipher {
    /// OpenSSL's name (`SSL_CIPHER_get_name`).
    pub name: &'static CStr,
    /// The RFC name (`SSL_CIPHER_standard_name`).
    pub standard: &'static CStr,
    pub suite: CipherSuite,
    pub tls13: bool,
    pub auth: Auth,
    pub enc: Enc,
    /// OpenSSL's `SSL_CIPHER_description` line.
    pub description: &'static CStr,
}

impl Cipher {
    /// `SSL_CIPHER_get_id`: `0x03000000 | IANA code`.
    pub fn id(&self) -> u32 {
        0x0300_0000 | u32::from(u16::from(self.suite))
    }
    pub fn protocol_id(&self) -> u16 {
        u16::from(self.suite)
    }
    pub fn bits(&self) -> i32 {
        match self.enc {
            Enc::Aes128Gcm => 128,
            Enc::Aes256Gcm | Enc::Chacha20 => 256,
        }
    }
    /// `SSL_CIPHER_get_version`: the first protocol version the suite works in.
    pub fn version(&self) -> &'static CStr {
        if self.tls13 {
            c"TLSv1.3"
        } else {
            c"TLSv1.2"
        }
    }
    pub fn sha384(&self) -> bool {
        self.enc == Enc::Aes256Gcm
    }
    pub fn by_suite(suite: CipherSuite) -> Option<&'static Cipher> {
        CIPHERS.iter().find(|c| c.suite == suite)
    }
    pub fn by_name(name: &str) -> Option<&'static Cipher> {
        CIPHERS
            .iter()
            .find(|c| c.name.to_bytes() == name.as_bytes())
    }
}

macro_rules! cipher {
    ($name:literal, $std:literal, $suite:ident, $tls13:literal, $auth:ident, $enc:ident, $desc:literal) => {
        Cipher {
            name: $name,
            standard: $std,
            suite: CipherSuite::$suite,
            tls13: $tls13,
            auth: Auth::$auth,
            enc: Enc::$enc,
            description: $desc,
        }
    };
}

/// Every suite ferrossl can negotiate, TLS 1.3 first, each group in OpenSSL's default order.
pub static CIPHERS: [Cipher; 9] = [
    cipher!(c"TLS_AES_256_GCM_SHA384", c"TLS_AES_256_GCM_SHA384", TLS13_AES_256_GCM_SHA384, true, Any, Aes256Gcm,
        c"TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD\n"),
    cipher!(c"TLS_CHACHA20_POLY1305_SHA256", c"TLS_CHACHA20_POLY1305_SHA256", TLS13_CHACHA20_POLY1305_SHA256, true, Any, Chacha20,
        c"TLS_CHACHA20_POLY1305_SHA256   TLSv1.3 Kx=any      Au=any   Enc=CHACHA20/POLY1305(256) Mac=AEAD\n"),
    cipher!(c"TLS_AES_128_GCM_SHA256", c"TLS_AES_128_GCM_SHA256", TLS13_AES_128_GCM_SHA256, true, Any, Aes128Gcm,
        c"TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(128)            Mac=AEAD\n"),
    cipher!(c"ECDHE-ECDSA-AES256-GCM-SHA384", c"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, false, Ecdsa, Aes256Gcm,
        c"ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD\n"),
    cipher!(c"ECDHE-RSA-AES256-GCM-SHA384", c"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, false, Rsa, Aes256Gcm,
        c"ECDHE-RSA-AES256-GCM-SHA384    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(256)            Mac=AEAD\n"),
    cipher!(c"ECDHE-ECDSA-CHACHA20-POLY1305", c"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, false, Ecdsa, Chacha20,
        c"ECDHE-ECDSA-CHACHA20-POLY1305  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=CHACHA20/POLY1305(256) Mac=AEAD\n"),
    cipher!(c"ECDHE-RSA-CHACHA20-POLY1305", c"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, false, Rsa, Chacha20,
        c"ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   Enc=CHACHA20/POLY1305(256) Mac=AEAD\n"),
    cipher!(c"ECDHE-ECDSA-AES128-GCM-SHA256", c"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false, Ecdsa, Aes128Gcm,
        c"ECDHE-ECDSA-AES128-GCM-SHA256  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(128)            Mac=AEAD\n"),
    cipher!(c"ECDHE-RSA-AES128-GCM-SHA256", c"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false, Rsa, Aes128Gcm,
        c"ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)            Mac=AEAD\n"),
];

/// The TLS 1.2 suites OpenSSL's `DEFAULT` selects among ours, in its order.
pub fn default_tls12() -> Vec<&'static Cipher> {
    CIPHERS.iter().filter(|c| !c.tls13).collect()
}

/// OpenSSL's default TLS 1.3 suites, in its order.
pub fn default_tls13() -> Vec<&'static Cipher> {
    CIPHERS.iter().filter(|c| c.tls13).collect()
}

/// Whether an OpenSSL cipher alias selects `c`. Unknown aliases select nothing, as in OpenSSL.
fn alias_matches(alias: &str, c: &Cipher) -> bool {
    if c.tls13 {
        return false;
    }
    match alias {
        "ALL" | "DEFAULT" | "HIGH" | "TLSv1.2" | "kECDHE" | "kEECDH" | "ECDHE" | "EECDH"
        | "ECDH" | "FIPS" => true,
        "aRSA" => c.auth == Auth::Rsa,
        "aECDSA" | "ECDSA" => c.auth == Auth::Ecdsa,
        "AES" => c.enc != Enc::Chacha20,
        "AESGCM" => c.enc != Enc::Chacha20,
        "AES128" => c.enc == Enc::Aes128Gcm,
        "AES256" => c.enc == Enc::Aes256Gcm,
        "CHACHA20" => c.enc == Enc::Chacha20,
        _ => c.name.to_bytes() == alias.as_bytes(),
    }
}

#[derive(Clone, Copy)]
struct Entry {
    cipher: &'static Cipher,
    active: bool,
    dead: bool,
}

/// Parses an OpenSSL cipher string into the TLS 1.2 suites it selects, in preference order.
///
/// Follows OpenSSL 3.0's rules: elements are separated by `:`, `,`, `;` or spaces; `A+B` selects
/// what matches every alias; a plain element appends what it selects, `-` removes (it may come
/// back), `!` removes for good, `+` moves to the end; `@STRENGTH` sorts by key length;
/// `@SECLEVEL=n` is accepted (every suite here passes level 3). Names of ciphers rustls does not
/// implement select nothing. A string that leaves no suite fails with "no cipher match".
pub fn parse_cipher_list(s: &str) -> Result<Vec<&'static Cipher>> {
    let out = select(s)?;
    if out.is_empty() {
        return Err(no_match(s));
    }
    Ok(out)
}

/// What a cipher string selects (possibly nothing); an error when it does not parse.
fn select(s: &str) -> Result<Vec<&'static Cipher>> {
    let mut list: Vec<Entry> = CIPHERS
        .iter()
        .filter(|c| !c.tls13)
        .map(|cipher| Entry {
            cipher,
            active: false,
            dead: false,
        })
        .collect();
    let mut rest = s.trim();
    if let Some(r) = rest.strip_prefix("DEFAULT") {
        if r.is_empty() || r.starts_with([':', ',', ';', ' ']) {
            for e in &mut list {
                e.active = true;
            }
            rest = r;
        }
    }
    for elem in rest.split([':', ',', ';', ' ']).filter(|e| !e.is_empty()) {
        if elem == "@STRENGTH" {
            let (mut on, off): (Vec<Entry>, Vec<Entry>) = list.iter().partition(|e| e.active);
            on.sort_by_key(|e| std::cmp::Reverse(e.cipher.bits()));
            list = on.into_iter().chain(off).collect();
            continue;
        }
        if let Some(level) = elem.strip_prefix("@SECLEVEL=") {
            if level.parse::<u8>().map_or(true, |l| l > 5) {
                return Err(Error::NoCipherMatch(format!(
                    "bad security level in {elem:?}"
                )));
            }
            continue;
        }
        let (op, body) = match elem.as_bytes()[0] {
            b'!' | b'-' | b'+' => (elem.as_bytes()[0], &elem[1..]),
            _ => (0, elem),
        };
        let aliases: Vec<&str> = body.split('+').filter(|a| !a.is_empty()).collect();
        if aliases.is_empty() {
            continue;
        }
        let matches = |c: &Cipher| aliases.iter().all(|a| alias_matches(a, c));
        match op {
            b'!' => {
                for e in list.iter_mut().filter(|e| matches(e.cipher)) {
                    e.active = false;
                    e.dead = true;
                }
            }
            b'-' => {
                for e in list.iter_mut().filter(|e| matches(e.cipher)) {
                    e.active = false;
                }
            }
            b'+' => {
                let (moved, stay): (Vec<Entry>, Vec<Entry>) =
                    list.iter().partition(|e| e.active && matches(e.cipher));
                list = stay.into_iter().chain(moved).collect();
            }
            _ => {
                let (added, stay): (Vec<Entry>, Vec<Entry>) = list
                    .iter()
                    .partition(|e| !e.active && !e.dead && matches(e.cipher));
                list = stay
                    .into_iter()
                    .chain(added.into_iter().map(|e| Entry { active: true, ..e }))
                    .collect();
            }
        }
    }
    Ok(list.iter().filter(|e| e.active).map(|e| e.cipher).collect())
}

fn no_match(s: &str) -> Error {
    Error::NoCipherMatch(format!(
        "no TLS 1.2 suite that rustls implements is selected by {s:?}"
    ))
}

/// `SSL_CTX_set_cipher_list` on a settings' TLS 1.2 list: as OpenSSL, a string that parses but
/// selects nothing still replaces the list (leaving only TLS 1.3) and then fails with "no cipher
/// match"; a string that does not parse leaves it alone.
pub fn set_cipher_list(s: &str, tls12: &mut Vec<&'static Cipher>) -> Result<()> {
    *tls12 = select(s)?;
    if tls12.is_empty() {
        return Err(no_match(s));
    }
    Ok(())
}

/// Parses a TLS 1.3 suite list (`SSL_CTX_set_ciphersuites`): names separated by `:`. OpenSSL's
/// names OpenSSL does not know, or that rustls lacks (the CCM suites), are skipped as in OpenSSL;
/// a list that leaves no suite fails.
/// The empty string selects no TLS 1.3 suite.
pub fn parse_ciphersuites(s: &str) -> Result<Vec<&'static Cipher>> {
    let mut out: Vec<&'static Cipher> = Vec::new();
    for name in s.split(':').filter(|n| !n.is_empty()) {
        match CIPHERS
            .iter()
            .find(|c| c.tls13 && c.name.to_bytes() == name.as_bytes())
        {
            Some(c) if !out.iter().any(|o| std::ptr::eq(*o, c)) => out.push(c),
            Some(_) => {}
            // As OpenSSL 3.0: names it does not know (or rustls lacks) are skipped.
            None => {}
        }
    }
    if out.is_empty() && !s.is_empty() {
        return Err(Error::NoCipherMatch(format!(
            "rustls implements none of {s:?}"
        )));
    }
    Ok(out)
}

/// `SSL_get_shared_ciphers`: the OpenSSL names of the suites the client `offered` (in its
/// order) that are also `enabled`, joined with `:`, as they fit in a buffer of `size` bytes
/// with its NUL. As OpenSSL, the first name that does not fit ends the list.
pub fn shared_names(offered: &[u16], enabled: &[&'static Cipher], size: usize) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut left = size;
    for id in offered {
        let Some(c) = enabled.iter().find(|c| c.protocol_id() == *id) else {
            continue;
        };
        let name = c.name.to_bytes();
        if name.len() >= left {
            break;
        }
        if !out.is_empty() {
            out.push(b':');
        }
        out.extend_from_slice(name);
        left -= name.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&Cipher]) -> Vec<String> {
        v.iter()
            .map(|c| c.name.to_str().unwrap().to_owned())
            .collect()
    }

    /// What the real `openssl ciphers` selects among the suites we implement.
    fn openssl(s: &str) -> Option<Vec<String>> {
        let out = std::process::Command::new("openssl")
            .args(["ciphers", "-s", "-tls1_2", s])
            .output()
            .expect("the openssl CLI is installed by .ci/install-deps");
        if !out.status.success() {
            return None;
        }
        let ours: Vec<String> = default_tls12()
            .iter()
            .map(|c| c.name.to_str().unwrap().into())
            .collect();
        let v: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .trim()
            .split(':')
            .filter(|n| ours.iter().any(|o| o == n))
            .map(String::from)
            .collect();
        (!v.is_empty()).then_some(v)
    }

    #[test]
    fn cipher_strings_select_what_openssl_selects() {
        for s in [
            "DEFAULT",
            "HIGH:!aNULL:!MD5",
            "ECDHE+AESGCM",
            "aRSA",
            "ECDSA",
            "CHACHA20:AES128",
            "ECDHE:-AESGCM:AES256",
            "AESGCM+AES128",
            "kEECDH+ECDSA",
            "ALL:@STRENGTH",
            "ECDHE-RSA-AES128-GCM-SHA256:+AES128",
            "AES128:!ECDSA",
            "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM",
            "AES128-SHA",
            "RC4:MD5",
            "ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-AES256-GCM-SHA384",
            "DEFAULT:!AES128:+CHACHA20",
        ] {
            let ours = parse_cipher_list(s).ok().map(|v| names(&v));
            assert_eq!(ours, openssl(s), "cipher string {s:?}");
        }
    }

    #[test]
    fn ciphersuites() {
        let v = parse_ciphersuites("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256").unwrap();
        assert_eq!(
            names(&v),
            ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"]
        );
        assert!(parse_ciphersuites("").unwrap().is_empty());
        assert!(parse_ciphersuites("TLS_BOGUS").is_err());
        assert_eq!(
            parse_ciphersuites("TLS_BOGUS:TLS_AES_128_GCM_SHA256")
                .unwrap()
                .len(),
            1
        );
        assert!(parse_ciphersuites("TLS_AES_128_CCM_SHA256").is_err());
    }

    #[test]
    fn shared_names_truncate_as_openssl() {
        let enabled = [&CIPHERS[0], &CIPHERS[1]];
        let (a, b) = (enabled[0].name.to_bytes(), enabled[1].name.to_bytes());
        let offered = [0x00ff, enabled[1].protocol_id(), enabled[0].protocol_id()];
        let full = [b, b":", a].concat();
        assert_eq!(shared_names(&offered, &enabled, 200), full);
        // The second name needs len+1 bytes after "b:" (its NUL or its ':').
        assert_eq!(
            shared_names(&offered, &enabled, b.len() + 1 + a.len() + 1),
            full
        );
        assert_eq!(
            shared_names(&offered, &enabled, b.len() + 1 + a.len()),
            b.to_vec()
        );
        assert!(shared_names(&offered, &enabled, b.len()).is_empty());
        assert!(shared_names(&[0x00ff], &enabled, 200).is_empty());
    }
}
