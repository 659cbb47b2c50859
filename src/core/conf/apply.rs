//! What a command changes: a [`Change`], applied to a context's [`Settings`] (or checked when
//! nothing is attached), and the check of a `DHParameters` file.

use std::ffi::{c_int, CStr, CString};

use super::{BitList, Bound};
use crate::core::cipher;
use crate::core::context::{self, Settings};
use crate::core::error::{reason, Error, Result};

/// What one command asks for.
///
/// Failures are `Error`s; `Error::Queued` stands for a failure OpenSSL reports with nothing but
/// `SSL_CONF_cmd`'s own "bad value" (an unknown list element, an unknown protocol name).
#[derive(Debug)]
pub enum Change {
    /// Option bits (`Options`, `Protocol`, switches).
    Options(BitList),
    /// `SSL_VERIFY_*` bits (`VerifyMode`).
    Verify(BitList),
    /// A TLS 1.2 cipher string (`CipherString`).
    Tls12(String),
    /// A TLS 1.3 suite list (`Ciphersuites`).
    Tls13(String),
    /// A groups list (`Groups`, `Curves`).
    Groups(String),
    /// One group (`ECDHParameters`).
    EcdhGroup(String),
    MinVersion(Bound),
    MaxVersion(Bound),
    NumTickets(usize),
    /// Application data and handshake block sizes.
    RecordPadding(usize, usize),
    /// A certificate chain file (`Certificate`), loaded by the C layer.
    Certificate(CString),
    /// A PEM private key file (`PrivateKey`).
    PrivateKey(CString),
    /// Trust anchors for verifying the peer (`VerifyCAFile`, `VerifyCAPath`).
    VerifyCa {
        file: Option<CString>,
        dir: Option<CString>,
    },
    /// CA names to send in a CertificateRequest (`RequestCAFile`, `ClientCAPath`, ...).
    RequestCa {
        file: Option<CString>,
        dir: Option<CString>,
    },
    /// DH parameters (`DHParameters`): checked, no effect.
    DhParameters(CString),
    /// `ServerInfoFile`: only an `SSL_CTX` takes it (OpenSSL ignores it on an `SSL`).
    ServerInfo,
    /// A feature ferrossl does not have.
    Unsupported(&'static str),
    /// Accepted without effect (`ECDHParameters automatic`).
    Nothing,
}

impl Change {
    /// The change for a switch.
    pub fn switch(bits: u64, inverse: bool) -> Change {
        Change::Options(BitList {
            ops: vec![(bits, !inverse)],
            complete: true,
        })
    }

    /// Whether the command succeeds with no `SSL_CTX` or `SSL` attached (OpenSSL checks little
    /// then).
    pub fn check_detached(&self) -> Result<()> {
        match self {
            Change::Options(l) | Change::Verify(l) => l.result(),
            // OpenSSL 3.5 calls SSL_CTX_set1_groups_list(NULL, ...), which fails without an
            // error; 3.0 crashes there, so under 3.0 ferrossl checks the list.
            Change::Groups(_) if crate::core::groups::openssl35() => Err(Error::Queued),
            Change::Groups(list) => context::parse_groups(list).map(|_| ()),
            Change::MinVersion(_)
            | Change::MaxVersion(_)
            | Change::NumTickets(_)
            | Change::RecordPadding(..) => Err(Error::Queued),
            _ => Ok(()),
        }
    }

    /// Applies the changes that are settings of a context or connection made with a method of
    /// fixed version `method_version` (0 for the flexible methods). Returns `Ok(false)` for the
    /// changes the C layer makes itself (files, stores).
    pub fn apply(&self, s: &mut Settings, method_version: c_int) -> Result<bool> {
        match self {
            Change::Options(l) => {
                s.options = l.apply(s.options);
                l.result()?;
            }
            Change::Verify(l) => {
                s.verify_mode = l.apply(s.verify_mode as u64) as c_int;
                l.result()?;
            }
            Change::Tls12(list) => cipher::set_cipher_list(list, &mut s.tls12)?,
            Change::Tls13(list) => s.tls13 = cipher::parse_ciphersuites(list)?,
            Change::Groups(list) | Change::EcdhGroup(list) => {
                s.set_groups(context::parse_groups(list)?)
            }
            Change::MinVersion(b) => {
                if let (Bound::Tls(v), 0) = (b, method_version) {
                    s.min_version = *v;
                }
            }
            Change::MaxVersion(b) => {
                if let (Bound::Tls(v), 0) = (b, method_version) {
                    s.max_version = *v;
                }
            }
            Change::NumTickets(n) => s.num_tickets = *n,
            // OpenSSL checks both sizes' range before anything is set.
            Change::RecordPadding(app, hs) if (*app).max(*hs) > 16384 => return Err(Error::Queued),
            Change::RecordPadding(app, hs) => {
                record_padding(*app)?;
                record_padding(*hs)?
            }
            Change::Unsupported(what) => {
                return Err(Error::Unsupported(format!(
                    "{what} is not supported by ferrossl (rustls)"
                )))
            }
            Change::Nothing | Change::ServerInfo => {}
            Change::Certificate(_)
            | Change::PrivateKey(_)
            | Change::VerifyCa { .. }
            | Change::RequestCa { .. }
            | Change::DhParameters(_) => return Ok(false),
        }
        Ok(true)
    }
}

/// `SSL_CTX_set_block_padding`: 0 and 1 turn padding off, which is all rustls does; a larger
/// block is refused rather than ignored; above 16384 fails as in OpenSSL.
fn record_padding(n: usize) -> Result<()> {
    match n {
        0 | 1 => Ok(()),
        2..=16384 => Err(Error::Unsupported(
            "TLS 1.3 record padding is not supported by ferrossl (rustls)".into(),
        )),
        _ => Err(Error::Queued),
    }
}

/// `DHParameters`: the file must hold PEM DH parameters (they are not used: rustls has no
/// DHE).
pub fn check_dh_file(path: &CStr) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let p = std::path::Path::new(std::ffi::OsStr::from_bytes(path.to_bytes()));
    let data = std::fs::read(p).map_err(|e| Error::BadFile {
        reason: reason::SYS_LIB,
        detail: format!("cannot read {}: {e}", p.display()),
    })?;
    let has = |tag: &[u8]| data.windows(tag.len()).any(|w| w == tag);
    if has(b"-----BEGIN DH PARAMETERS-----") || has(b"-----BEGIN X9.42 DH PARAMETERS-----") {
        Ok(())
    } else {
        Err(Error::BadFile {
            reason: reason::PEM_LIB,
            detail: format!("no DH parameters in {}", p.display()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::conf::tests::{conf, names, run, settings, NGINX};
    use crate::core::conf::{op, Name, FLAG_CMDLINE, FLAG_SERVER};

    #[test]
    fn ciphersuites_and_cipher_strings() {
        let (r, s) = run(NGINX, "Ciphersuites", "TLS_CHACHA20_POLY1305_SHA256");
        r.unwrap();
        assert_eq!(names(&s.tls13), ["TLS_CHACHA20_POLY1305_SHA256"]);
        let (r, s) = run(NGINX, "Ciphersuites", "TLS_BOGUS");
        assert!(matches!(r, Err(Error::NoCipherMatch(_))), "{r:?}");
        assert_eq!(s.tls13.len(), 3, "a failed list changes nothing");
        let (r, s) = run(NGINX, "CipherString", "ECDHE+AESGCM:!ECDSA");
        r.unwrap();
        assert_eq!(
            names(&s.tls12),
            ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"]
        );
        assert!(run(NGINX, "CipherString", "BOGUS").0.is_err());
    }

    #[test]
    fn protocol_bounds() {
        let (r, s) = run(NGINX, "MinProtocol", "TLSv1.3");
        r.unwrap();
        assert_eq!(s.min_version, 0x0304);
        assert_eq!(s.versions(), [&rustls::version::TLS13]);
        let (r, s) = run(NGINX, "MaxProtocol", "TLSv1.2");
        r.unwrap();
        assert_eq!(s.max_version, 0x0303);
        assert_eq!(s.versions(), [&rustls::version::TLS12]);
        let (r, s) = run(NGINX, "MinProtocol", "TLSv1");
        r.unwrap();
        assert_eq!(s.min_version, 0x0301, "stored as given");
        assert_eq!(
            s.versions().len(),
            2,
            "ferrossl speaks 1.2 and 1.3 within it"
        );
        let (r, s) = run(NGINX, "MinProtocol", "TLSv1.1");
        r.unwrap();
        assert_eq!(s.min_version, 0x0302);
        let (r, s) = run(NGINX, "MinProtocol", "None");
        r.unwrap();
        assert_eq!(s.min_version, 0);
        let (r, s) = run(NGINX, "MinProtocol", "DTLSv1.2");
        r.unwrap();
        assert_eq!(s.min_version, 0, "a DTLS bound leaves a TLS context alone");
        assert!(matches!(
            run(NGINX, "MinProtocol", "tlsv1.2").0,
            Err(Error::Queued)
        ));
        assert!(run(NGINX, "MaxProtocol", "").0.is_err());
        // A fixed-version method keeps its version.
        let c = conf(NGINX);
        let mut s = settings();
        c.parse(Name::MinProtocol, c"TLSv1.3")
            .unwrap()
            .apply(&mut s, 0x0303)
            .unwrap();
        assert_eq!(s.min_version, 0);
    }

    #[test]
    fn switches() {
        let base = settings().options;
        let cmd = FLAG_CMDLINE | FLAG_SERVER;
        for (name, set, cleared) in [
            ("-no_ticket", op::NO_TICKET, 0),
            ("-serverpref", op::CIPHER_SERVER_PREFERENCE, 0),
            ("-no_tls1_3", op::NO_TLSV1_3, 0),
            ("-no_middlebox", 0, op::ENABLE_MIDDLEBOX_COMPAT),
            ("-comp", 0, op::NO_COMPRESSION),
            ("-no_anti_replay", op::NO_ANTI_REPLAY, 0),
            ("-strict", 0, 0),
        ] {
            let (r, s) = run(cmd, name, "");
            r.unwrap();
            assert_eq!(
                (s.options & !base, base & !s.options),
                (set, cleared),
                "{name}"
            );
        }
    }

    #[test]
    fn unsupported_features_are_refused_not_ignored() {
        for (name, value) in [
            ("SignatureAlgorithms", "ECDSA+SHA256"),
            ("ChainCAFile", "/x"),
            ("VerifyCAStore", "file:/x"),
        ] {
            assert!(
                matches!(run(NGINX, name, value).0, Err(Error::Unsupported(_))),
                "{name}"
            );
        }
    }

    #[test]
    fn without_a_context() {
        let c = conf(NGINX);
        let detached = |n: Name, v: &CStr| c.parse(n, v).and_then(|ch| ch.check_detached());
        assert!(
            detached(Name::Ciphersuites, c"TLS_BOGUS").is_ok(),
            "not checked"
        );
        assert!(
            detached(Name::CipherString, c"BOGUS").is_ok(),
            "not checked"
        );
        assert!(detached(Name::Groups, c"X25519").is_ok());
        assert!(detached(Name::Groups, c"bogus").is_err(), "syntax checked");
        assert!(detached(Name::MinProtocol, c"TLSv1.2").is_err());
        assert!(detached(Name::NumTickets, c"3").is_err());
        assert!(detached(Name::Options, c"-SessionTicket").is_ok());
        assert!(detached(Name::Options, c"Bogus").is_err());
        assert!(detached(Name::Certificate, c"/nonexistent").is_ok());
    }

    #[test]
    fn dh_parameter_files() {
        let dir = std::env::temp_dir().join(format!("ferrossl-conf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("dh.pem");
        std::fs::write(
            &good,
            "-----BEGIN DH PARAMETERS-----\nMAA=\n-----END DH PARAMETERS-----\n",
        )
        .unwrap();
        let bad = dir.join("cert.pem");
        std::fs::write(&bad, "-----BEGIN CERTIFICATE-----\n").unwrap();
        let c = |p: &std::path::Path| CString::new(p.to_str().unwrap()).unwrap();
        assert!(check_dh_file(&c(&good)).is_ok());
        assert!(check_dh_file(&c(&bad)).is_err());
        assert!(check_dh_file(c"/nonexistent/dh.pem").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
