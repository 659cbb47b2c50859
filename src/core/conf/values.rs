//! The value grammar: a command's value read into a [`Change`] as OpenSSL 3.0 reads it (lists
//! of names, protocol versions, numbers read as C's `atoi`).

use std::ffi::{c_int, CStr, CString};

use super::commands::{ListName, Name, OPTIONS, PROTOCOLS, VERIFY_MODES, VERIFY_POST_HANDSHAKE};
use super::{Change, Conf, FLAG_CMDLINE, FLAG_FILE};
use crate::core::context;
use crate::core::error::{Error, Result};

impl Conf {
    /// Parses the value of a command that takes one (not a switch).
    pub fn parse(&self, name: Name, value: &CStr) -> Result<Change> {
        let bytes = value.to_bytes();
        let text = || {
            value
                .to_str()
                .map(str::to_owned)
                .map_err(|_| Error::InvalidArgument("value is not valid UTF-8".into()))
        };
        let path = || CString::from(value);
        Ok(match name {
            Name::SignatureAlgorithms | Name::ClientSignatureAlgorithms => {
                Change::Unsupported("restricting signature algorithms")
            }
            Name::Curves | Name::Groups => Change::Groups(text()?),
            Name::EcdhParameters => {
                let auto = (self.flags & FLAG_FILE != 0
                    && (bytes.eq_ignore_ascii_case(b"automatic")
                        || bytes.eq_ignore_ascii_case(b"+automatic")))
                    || (self.flags & FLAG_CMDLINE != 0 && bytes == b"auto");
                if auto {
                    Change::Nothing
                } else if bytes.contains(&b':') {
                    // ECDHParameters takes one group.
                    return Err(Error::Queued);
                } else {
                    Change::EcdhGroup(text()?)
                }
            }
            Name::CipherString => Change::Tls12(text()?),
            Name::Ciphersuites => Change::Tls13(text()?),
            Name::Protocol => Change::Options(self.bits(PROTOCOLS, bytes)),
            Name::Options => Change::Options(self.bits(OPTIONS, bytes)),
            Name::VerifyMode => {
                let list = self.bits(VERIFY_MODES, bytes);
                if list
                    .ops
                    .iter()
                    .any(|&(bits, on)| on && bits & VERIFY_POST_HANDSHAKE as u64 != 0)
                {
                    Change::Unsupported("post-handshake client authentication")
                } else {
                    Change::Verify(list)
                }
            }
            Name::MinProtocol => Change::MinVersion(version(bytes)?),
            Name::MaxProtocol => Change::MaxVersion(version(bytes)?),
            Name::NumTickets => match atoi(bytes) {
                n if n < 0 => return Err(Error::Queued),
                n => Change::NumTickets(n as usize),
            },
            Name::RecordPadding if self.v35 => {
                let (app, hs) = padding35(bytes)?;
                Change::RecordPadding(app, hs)
            }
            Name::RecordPadding => match atoi(bytes) {
                n if n < 0 => return Err(Error::Queued),
                n => Change::RecordPadding(n as usize, n as usize),
            },
            Name::Certificate => Change::Certificate(path()),
            Name::PrivateKey => Change::PrivateKey(path()),
            Name::VerifyCaFile => Change::VerifyCa {
                file: Some(path()),
                dir: None,
            },
            Name::VerifyCaPath => Change::VerifyCa {
                file: None,
                dir: Some(path()),
            },
            Name::RequestCaFile | Name::ClientCaFile => Change::RequestCa {
                file: Some(path()),
                dir: None,
            },
            Name::RequestCaPath | Name::ClientCaPath => Change::RequestCa {
                file: None,
                dir: Some(path()),
            },
            Name::DhParameters => Change::DhParameters(path()),
            Name::ChainCaFile | Name::ChainCaPath | Name::ChainCaStore => {
                Change::Unsupported("building the certificate chain from a CA store")
            }
            Name::VerifyCaStore | Name::RequestCaStore | Name::ClientCaStore => {
                Change::Unsupported("CA stores given by URI")
            }
            Name::ServerInfoFile => Change::ServerInfo,
        })
    }

    /// Reads an `Options`/`Protocol`/`VerifyMode` list as OpenSSL's `CONF_parse_list` with
    /// separator `,` and surrounding blanks removed.
    fn bits(&self, table: &[ListName], value: &[u8]) -> BitList {
        let mut out = BitList {
            ops: Vec::new(),
            complete: true,
        };
        let mut rest = value;
        loop {
            rest = trim_start(rest);
            let comma = rest.iter().position(|&b| b == b',');
            let elem = &rest[..comma.unwrap_or(rest.len())];
            let found = if elem.is_empty() {
                None
            } else {
                self.list_element(table, trim_end(elem))
            };
            match found {
                Some(op) => out.ops.push(op),
                None => {
                    out.complete = false;
                    return out;
                }
            }
            match comma {
                Some(i) => rest = &rest[i + 1..],
                None => return out,
            }
        }
    }

    fn list_element(&self, table: &[ListName], elem: &[u8]) -> Option<(u64, bool)> {
        let (on, name) = match elem {
            [b'+', rest @ ..] => (true, rest),
            [b'-', rest @ ..] => (false, rest),
            _ => (true, elem),
        };
        table
            .iter()
            .filter(|n| self.v35 || !n.v35)
            .find(|n| self.flags & n.sides != 0 && n.name.as_bytes().eq_ignore_ascii_case(name))
            .map(|n| (n.bits, on != n.inverse))
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_space(*first) {
            break;
        }
        s = rest;
    }
    s
}

fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., last] = s {
        if !is_space(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// C's `atoi` (glibc: `(int) strtol(s, NULL, 10)`).
pub fn atoi(s: &[u8]) -> i32 {
    let s = trim_start(s);
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    (if negative { n.saturating_neg() } else { n }) as i32
}

/// OpenSSL 3.5's `RecordPadding` value `N[,M]`: the application data block size, then the
/// handshake's (default N), each read as `strtoul` in base 0 (hex `0x`, octal `0`) from its
/// start, leading blanks allowed and what follows the number ignored; a negative, missing or
/// empty number fails.
fn padding35(v: &[u8]) -> Result<(usize, usize)> {
    fn number(s: &[u8]) -> Result<usize> {
        let s = trim_start(s);
        let (radix, digits) = match s {
            [b'0', b'x' | b'X', rest @ ..] if rest.first().is_some_and(u8::is_ascii_hexdigit) => {
                (16, rest)
            }
            [b'0', ..] => (8, s),
            [b'+', rest @ ..] => (10, rest),
            _ => (10, s),
        };
        let len = digits
            .iter()
            .take_while(|b| char::from(**b).is_digit(radix))
            .count();
        if len == 0 {
            return Err(Error::Queued);
        }
        let text = std::str::from_utf8(&digits[..len]).map_err(|_| Error::Queued)?;
        // An overflow is ERANGE there: a failure.
        usize::from_str_radix(text, radix).map_err(|_| Error::Queued)
    }
    if v.first() == Some(&b'-') {
        return Err(Error::Queued);
    }
    match v.iter().position(|&b| b == b',') {
        None => number(v).map(|n| (n, n)),
        Some(i) => {
            let hs = &v[i + 1..];
            if hs.is_empty() || hs.first() == Some(&b'-') {
                return Err(Error::Queued);
            }
            Ok((number(&v[..i])?, number(hs)?))
        }
    }
}

/// A protocol bound as `MinProtocol`/`MaxProtocol` name it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bound {
    /// A TLS version (0 for "None": no bound).
    Tls(c_int),
    /// A DTLS version: accepted, and no concern of a TLS context.
    Dtls,
}

fn version(v: &[u8]) -> Result<Bound> {
    Ok(match v {
        b"None" => Bound::Tls(0),
        b"SSLv3" => Bound::Tls(0x0300),
        b"TLSv1" => Bound::Tls(context::TLS1_VERSION),
        b"TLSv1.1" => Bound::Tls(context::TLS1_1_VERSION),
        b"TLSv1.2" => Bound::Tls(context::TLS1_2_VERSION),
        b"TLSv1.3" => Bound::Tls(context::TLS1_3_VERSION),
        b"DTLSv1" | b"DTLSv1.2" => Bound::Dtls,
        _ => return Err(Error::Queued),
    })
}

/// Bits to set (`true`) or clear, in order; `complete` is false when the list stopped at an
/// element that is unknown, empty or for the other side (those before it still apply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitList {
    pub ops: Vec<(u64, bool)>,
    pub complete: bool,
}

impl BitList {
    pub(super) fn apply(&self, mut word: u64) -> u64 {
        for &(bits, on) in &self.ops {
            if on {
                word |= bits;
            } else {
                word &= !bits;
            }
        }
        word
    }

    pub(super) fn result(&self) -> Result<()> {
        if self.complete {
            Ok(())
        } else {
            Err(Error::Queued)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::conf::tests::{conf, conf35, entry, group_names, run, settings, NGINX};
    use crate::core::conf::{op, Command, FLAG_CLIENT};
    use crate::core::context::Settings;

    #[test]
    fn groups() {
        let (r, s) = run(NGINX, "Groups", "X25519");
        r.unwrap();
        assert_eq!(group_names(&s.groups), [0x001d]);
        let (r, s) = run(NGINX, "Curves", "P-384:P-256");
        r.unwrap();
        assert_eq!(group_names(&s.groups), [0x0018, 0x0017]);
        assert!(run(NGINX, "Groups", "bogus").0.is_err());
        assert!(run(NGINX, "Groups", "").0.is_err());
        let (r, s) = run(NGINX, "ECDHParameters", "automatic");
        r.unwrap();
        assert_eq!(s.groups.len(), settings().groups.len());
        assert!(
            run(NGINX, "ECDHParameters", "auto").0.is_err(),
            "auto is the cmdline form"
        );
        assert!(matches!(
            run(NGINX, "ECDHParameters", "P-256:P-384").0,
            Err(Error::Queued)
        ));
        let (r, s) = run(NGINX, "ECDHParameters", "P-256");
        r.unwrap();
        assert_eq!(group_names(&s.groups), [0x0017]);
    }

    #[test]
    fn protocol_lists() {
        let base = settings().options;
        let (r, s) = run(NGINX, "Protocol", "-ALL,TLSv1.2");
        r.unwrap();
        assert_eq!(s.options & !base, op::NO_SSL_MASK & !op::NO_TLSV1_2);
        assert_eq!(s.versions(), [&rustls::version::TLS12]);
        let (r, s) = run(NGINX, "Protocol", "ALL,-TLSv1.1");
        r.unwrap();
        assert_eq!(s.options & !base, op::NO_TLSV1_1);
        let (r, s) = run(NGINX, "Protocol", " -tlsv1.3 , -TLSv1 ");
        r.unwrap();
        assert_eq!(s.options & !base, op::NO_TLSV1_3 | op::NO_TLSV1);
        assert_eq!(s.versions(), [&rustls::version::TLS12]);
        let (r, s) = run(NGINX, "Protocol", "-TLSv1.3,bogus,-TLSv1.2");
        assert!(matches!(r, Err(Error::Queued)));
        assert_eq!(
            s.options & !base,
            op::NO_TLSV1_3,
            "elements before the bad one stay applied"
        );
        assert!(run(NGINX, "Protocol", "-TLSv1.3,").0.is_err());
        assert!(run(NGINX, "Protocol", "").0.is_err());
    }

    #[test]
    fn options() {
        let base = settings().options;
        let delta = |s: &Settings| (s.options & !base, base & !s.options);
        let (r, s) = run(NGINX, "Options", "-SessionTicket");
        r.unwrap();
        assert_eq!(delta(&s), (op::NO_TICKET, 0));
        let (r, s) = run(NGINX, "Options", " serverpreference , +PrioritizeChaCha ");
        r.unwrap();
        assert_eq!(
            delta(&s),
            (op::CIPHER_SERVER_PREFERENCE | op::PRIORITIZE_CHACHA, 0)
        );
        let (r, s) = run(NGINX, "Options", "-MiddleboxCompat");
        r.unwrap();
        assert_eq!(delta(&s), (0, op::ENABLE_MIDDLEBOX_COMPAT));
        let (r, s) = run(NGINX, "Options", "Bugs");
        r.unwrap();
        assert_eq!(s.options & op::ALL, 0x8000_0850);
        for (name, bits) in [
            ("-EncryptThenMac", op::NO_ENCRYPT_THEN_MAC),
            ("-ExtendedMasterSecret", op::NO_EXTENDED_MASTER_SECRET),
            ("-AntiReplay", op::NO_ANTI_REPLAY),
            ("NoRenegotiation", op::NO_RENEGOTIATION),
            (
                "UnsafeLegacyRenegotiation",
                op::ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
            ),
            (
                "NoResumptionOnRenegotiation",
                op::NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
            ),
            ("KTLS", op::ENABLE_KTLS),
            ("-CANames", op::DISABLE_TLSEXT_CA_NAMES),
        ] {
            let (r, s) = run(NGINX, "Options", name);
            r.unwrap();
            assert_eq!(delta(&s), (bits, 0), "{name}");
        }
        // Compression: the bit moves as in OpenSSL, to no effect.
        let (r, s) = run(NGINX, "Options", "Compression");
        r.unwrap();
        assert_eq!(s.options & op::NO_COMPRESSION, 0);
        let (r, s) = run(NGINX, "Options", "-Compression");
        r.unwrap();
        assert_ne!(s.options & op::NO_COMPRESSION, 0);
        // Not 3.0 names (3.5's are in `options_35`), empty elements, a bare '-'.
        for bad in [
            "IgnoreUnexpectedEOF",
            "PreferNoDHEKEX",
            "Bogus",
            "",
            "-",
            "SessionTicket,",
        ] {
            assert!(
                matches!(run(NGINX, "Options", bad).0, Err(Error::Queued)),
                "{bad:?}"
            );
        }
        let (r, s) = run(NGINX, "Options", "ServerPreference,Bogus,-SessionTicket");
        assert!(r.is_err());
        assert_eq!(delta(&s), (op::CIPHER_SERVER_PREFERENCE, 0));
        // ServerPreference is for servers only; neither side matches nothing at all.
        assert!(run(FLAG_FILE | FLAG_CLIENT, "Options", "ServerPreference")
            .0
            .is_err());
        assert!(run(FLAG_FILE | FLAG_CLIENT, "Options", "-SessionTicket")
            .0
            .is_ok());
        assert!(run(FLAG_FILE, "Options", "-SessionTicket").0.is_err());
    }

    /// Runs one command as OpenSSL 3.5 reads it.
    fn run35(flags: u32, name: &str, value: &str) -> (Result<()>, Settings) {
        let c = conf35(flags);
        let mut s = settings();
        let r = match entry(&c, name).map(|e| e.command) {
            Some(Command::Switch { bits, inverse }) => {
                Change::switch(bits, inverse).apply(&mut s, 0).map(|_| ())
            }
            Some(Command::Value(n)) => {
                let v = CString::new(value).unwrap();
                c.parse(n, &v)
                    .and_then(|ch| ch.apply(&mut s, 0))
                    .map(|_| ())
            }
            None => Err(Error::Queued),
        };
        (r, s)
    }

    #[test]
    fn options_35() {
        let base = settings().options;
        let delta = |s: &Settings| (s.options & !base, base & !s.options);
        for (name, set) in [
            ("IgnoreUnexpectedEOF", op::IGNORE_UNEXPECTED_EOF),
            ("ignoreunexpectedeof", op::IGNORE_UNEXPECTED_EOF),
            ("PreferNoDHEKEX", op::PREFER_NO_DHE_KEX),
            ("StrictCertCheck", 0),
            (
                "-TxCertificateCompression",
                op::NO_TX_CERTIFICATE_COMPRESSION,
            ),
            (
                "-RxCertificateCompression",
                op::NO_RX_CERTIFICATE_COMPRESSION,
            ),
            (
                "KTLSTxZerocopySendfile",
                op::ENABLE_KTLS_TX_ZEROCOPY_SENDFILE,
            ),
        ] {
            let (r, s) = run35(NGINX, "Options", name);
            r.unwrap();
            assert_eq!(delta(&s), (set, 0), "{name}");
        }
        let cmd = FLAG_CMDLINE | FLAG_CLIENT;
        for (name, set) in [
            ("-no_tx_cert_comp", op::NO_TX_CERTIFICATE_COMPRESSION),
            ("-no_rx_cert_comp", op::NO_RX_CERTIFICATE_COMPRESSION),
            ("-prefer_no_dhe_kex", op::PREFER_NO_DHE_KEX),
            ("-no_ems", op::NO_EXTENDED_MASTER_SECRET),
        ] {
            let (r, s) = run35(cmd, name, "");
            r.unwrap();
            assert_eq!(delta(&s), (set, 0), "{name}");
            assert!(
                entry(&conf(cmd), name).is_none(),
                "{name} is not a 3.0 switch"
            );
        }
    }

    #[test]
    fn record_padding_35() {
        assert_eq!(padding35(b"1").unwrap(), (1, 1));
        assert_eq!(padding35(b"512,256").unwrap(), (512, 256));
        assert_eq!(padding35(b"0x200").unwrap(), (512, 512));
        assert_eq!(padding35(b"010").unwrap(), (8, 8));
        assert_eq!(padding35(b" 1 ").unwrap(), (1, 1));
        for bad in ["512,", ",256", "abc", "-1", "1,-1", "1,abc", ""] {
            assert!(padding35(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(run35(NGINX, "RecordPadding", "1,1").0.is_ok());
        assert!(matches!(
            run35(NGINX, "RecordPadding", "1,16385").0,
            Err(Error::Queued)
        ));
    }

    #[test]
    fn verify_modes() {
        let (r, s) = run(NGINX, "VerifyMode", "Require");
        r.unwrap();
        assert_eq!(s.verify_mode, 3);
        let (r, s) = run(NGINX, "VerifyMode", "request,Once");
        r.unwrap();
        assert_eq!(s.verify_mode, 5);
        let (r, s) = run(NGINX, "VerifyMode", "Request,-Request");
        r.unwrap();
        assert_eq!(s.verify_mode, 0);
        assert!(
            run(NGINX, "VerifyMode", "Peer").0.is_err(),
            "Peer is for clients"
        );
        let (r, s) = run(FLAG_FILE | FLAG_CLIENT, "VerifyMode", "Peer");
        r.unwrap();
        assert_eq!(s.verify_mode, 1);
        assert!(matches!(
            run(NGINX, "VerifyMode", "RequestPostHandshake").0,
            Err(Error::Unsupported(_))
        ));
    }

    #[test]
    fn numbers_read_as_atoi() {
        assert_eq!(atoi(b" 3x"), 3);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b"-1"), -1);
        assert_eq!(atoi(b"+7"), 7);
        let (r, s) = run(NGINX, "NumTickets", "5");
        r.unwrap();
        assert_eq!(s.num_tickets, 5);
        let (r, s) = run(NGINX, "NumTickets", "abc");
        r.unwrap();
        assert_eq!(s.num_tickets, 0);
        assert!(run(NGINX, "NumTickets", "-1").0.is_err());
        assert!(run(NGINX, "RecordPadding", "1").0.is_ok());
        assert!(matches!(
            run(NGINX, "RecordPadding", "512").0,
            Err(Error::Unsupported(_))
        ));
        assert!(run(NGINX, "RecordPadding", "20000").0.is_err());
    }
}
