//! The few certificate extensions libcrypto checks and webpki does not (key usage, Netscape
//! certificate type, authority / subject key identifiers), read straight from the DER so the
//! fast path never builds a libcrypto `X509`. Anything unexpected makes `extensions` return
//! `None`, which sends the certificate to libcrypto.

/// One DER element: (tag, contents), and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// `element`, requiring `tag`.
fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, body, rest) = element(input)?;
    (t == tag).then_some((body, rest))
}

const SEQUENCE: u8 = 0x30;
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
const OID_SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e];
const OID_AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23];
const OID_NETSCAPE_CERT_TYPE: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01];

/// `keyUsage` bits as libcrypto numbers them (`KU_*`, first byte of the bit string).
pub const KU_DIGITAL_SIGNATURE: u8 = 0x80;
pub const KU_KEY_ENCIPHERMENT: u8 = 0x20;
pub const KU_KEY_AGREEMENT: u8 = 0x08;
pub const KU_KEY_CERT_SIGN: u8 = 0x04;

/// What libcrypto's purpose and issuer checks read from a certificate.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Extensions {
    /// The first byte of `keyUsage`, when the extension is present.
    pub key_usage: Option<u8>,
    /// A Netscape certificate type extension is present (libcrypto checks it; we do not).
    pub netscape_type: bool,
    pub subject_key_id: Option<Vec<u8>>,
    /// The `keyIdentifier` of `authorityKeyIdentifier`.
    pub authority_key_id: Option<Vec<u8>>,
    /// `authorityKeyIdentifier` names the issuer by name and serial (libcrypto compares them).
    pub authority_by_serial: bool,
}

impl Extensions {
    /// Whether libcrypto's `ku_reject(x, usage)` passes: no key usage, or one of `usage`'s bits.
    pub fn allows(&self, usage: u8) -> bool {
        self.key_usage.is_none_or(|ku| ku & usage != 0)
    }
}

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// Whether the certificate's key is one libcrypto accepts at security level 2 without a doubt
/// and rustls can use: an RSA key of 2048 bits or more, an EC key (webpki knows only P-256 and
/// larger curves) or Ed25519. webpki checks the keys that sign certificates, not the leaf's.
pub fn strong_key(cert: &[u8]) -> bool {
    let key = || -> Option<bool> {
        let (cert, _) = expect(cert, SEQUENCE)?;
        let (tbs, _) = expect(cert, SEQUENCE)?;
        let mut rest = tbs;
        if let Some((0xa0, _, after)) = element(rest) {
            rest = after;
        }
        // serial, signature, issuer, validity, subject; then the key.
        for _ in 0..5 {
            rest = element(rest)?.2;
        }
        let (spki, _) = expect(rest, SEQUENCE)?;
        let (alg, bits) = expect(spki, SEQUENCE)?;
        let (oid, _) = expect(alg, 0x06)?;
        match oid {
            OID_EC | OID_ED25519 => Some(true),
            OID_RSA => {
                let (bits, _) = expect(bits, 0x03)?;
                let (rsa, _) = expect(bits.get(1..)?, SEQUENCE)?;
                let (n, _) = expect(rsa, 0x02)?;
                let n = match n {
                    [0, tail @ ..] => tail,
                    n => n,
                };
                let top = u32::from(*n.first()?);
                let len = (n.len() - 1) * 8 + (32 - top.leading_zeros()) as usize;
                Some(len >= 2048)
            }
            _ => Some(false),
        }
    };
    key().unwrap_or(false)
}

/// Reads the extensions of a DER certificate; `None` when it cannot be read this simply (or
/// an extension appears twice, which libcrypto treats as invalid).
pub fn extensions(cert: &[u8]) -> Option<Extensions> {
    let (cert, _) = expect(cert, SEQUENCE)?;
    let (mut tbs, _) = expect(cert, SEQUENCE)?;
    // Skip version, serial, signature, issuer, validity, subject, key: up to [3].
    let mut ext_block = None;
    while !tbs.is_empty() {
        let (tag, body, rest) = element(tbs)?;
        if tag == 0xa3 {
            ext_block = Some(body);
        }
        tbs = rest;
    }
    let mut out = Extensions::default();
    let Some(block) = ext_block else {
        return Some(out);
    };
    let (mut list, _) = expect(block, SEQUENCE)?;
    let mut seen: Vec<&[u8]> = Vec::new();
    while !list.is_empty() {
        let (ext, rest) = expect(list, SEQUENCE)?;
        list = rest;
        let (oid, mut ext) = expect(ext, 0x06)?;
        if seen.contains(&oid) {
            return None;
        }
        seen.push(oid);
        if let Some((0x01, _, rest)) = element(ext) {
            ext = rest;
        }
        let (value, _) = expect(ext, 0x04)?;
        match oid {
            OID_KEY_USAGE => {
                let (bits, _) = expect(value, 0x03)?;
                out.key_usage = Some(bits.get(1).copied().unwrap_or(0));
            }
            OID_SUBJECT_KEY_ID => out.subject_key_id = Some(expect(value, 0x04)?.0.to_vec()),
            OID_AUTHORITY_KEY_ID => {
                let (mut akid, _) = expect(value, SEQUENCE)?;
                while !akid.is_empty() {
                    let (tag, body, rest) = element(akid)?;
                    match tag {
                        0x80 => out.authority_key_id = Some(body.to_vec()),
                        _ => out.authority_by_serial = true,
                    }
                    akid = rest;
                }
            }
            OID_NETSCAPE_CERT_TYPE => out.netscape_type = true,
            _ => {}
        }
    }
    Some(out)
}

/// libcrypto's key identifier check between a certificate and its issuer
/// (`X509_check_akid`): the identifiers must agree when both are present; a reference by
/// issuer name and serial is left to libcrypto (false).
pub fn issued_by(child: &Extensions, issuer: &Extensions) -> bool {
    if child.authority_by_serial {
        return false;
    }
    match (&child.authority_key_id, &issuer.subject_key_id) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        if body.len() < 0x80 {
            v.push(body.len() as u8);
        } else {
            v.extend([0x82, (body.len() >> 8) as u8, body.len() as u8]);
        }
        v.extend_from_slice(body);
        v
    }

    fn ext(oid: &[u8], critical: bool, value: &[u8]) -> Vec<u8> {
        let mut body = tlv(0x06, oid);
        if critical {
            body.extend(tlv(0x01, &[0xff]));
        }
        body.extend(tlv(0x04, value));
        tlv(SEQUENCE, &body)
    }

    fn cert(exts: &[Vec<u8>]) -> Vec<u8> {
        let mut tbs = tlv(0xa0, &tlv(0x02, &[2]));
        tbs.extend(tlv(0x02, &[1]));
        tbs.extend(tlv(SEQUENCE, &[]));
        if !exts.is_empty() {
            tbs.extend(tlv(0xa3, &tlv(SEQUENCE, &exts.concat())));
        }
        let mut c = tlv(SEQUENCE, &tbs);
        c.extend(tlv(SEQUENCE, &[]));
        c.extend(tlv(0x03, &[0]));
        tlv(SEQUENCE, &c)
    }

    #[test]
    fn reads_key_usage_and_ids() {
        let c = cert(&[
            ext(OID_KEY_USAGE, true, &tlv(0x03, &[0x05, 0xa0])),
            ext(OID_SUBJECT_KEY_ID, false, &tlv(0x04, &[1, 2, 3])),
            ext(
                OID_AUTHORITY_KEY_ID,
                false,
                &tlv(SEQUENCE, &tlv(0x80, &[9, 9])),
            ),
        ]);
        let e = extensions(&c).unwrap();
        assert_eq!(e.key_usage, Some(0xa0));
        assert!(e.allows(KU_DIGITAL_SIGNATURE));
        assert!(!e.allows(KU_KEY_CERT_SIGN));
        assert_eq!(e.subject_key_id.as_deref(), Some(&[1u8, 2, 3][..]));
        assert_eq!(e.authority_key_id.as_deref(), Some(&[9u8, 9][..]));
        let issuer = Extensions {
            subject_key_id: Some(vec![9, 9]),
            ..Default::default()
        };
        assert!(issued_by(&e, &issuer));
        assert!(!issued_by(&e, &e));
    }

    #[test]
    fn no_extensions_allow_everything() {
        let e = extensions(&cert(&[])).unwrap();
        assert_eq!(e, Extensions::default());
        assert!(e.allows(KU_KEY_CERT_SIGN));
    }

    #[test]
    fn duplicates_and_garbage_are_refused() {
        let ku = ext(OID_KEY_USAGE, false, &tlv(0x03, &[0x07, 0x80]));
        assert!(extensions(&cert(&[ku.clone(), ku])).is_none());
        assert!(extensions(&[0x30, 0x05, 0x30]).is_none());
        assert!(extensions(&[]).is_none());
    }
}
