//! `SSL_CONF_cmd`: OpenSSL 3.0's table of configuration commands (the configuration-file names
//! such as `Options` and the command-line names such as `-no_ticket`), the parsing of their
//! values, and the change each one makes to a context's [`Settings`].
//!
//! The table, the flag rules and the value grammars follow OpenSSL 3.0 (checked against
//! Debian 12's libssl 3.0 by `tests/conf_differential.rs`):
//! - a command is found by its file name (case-insensitive, with `SSL_CONF_FLAG_FILE`) or its
//!   command-line name (case-sensitive, after the `-` or the prefix, with
//!   `SSL_CONF_FLAG_CMDLINE`); commands marked server-only, client-only or certificate-only are
//!   invisible unless the matching flag is set;
//! - `Options`, `Protocol` and `VerifyMode` take comma-separated lists of names
//!   (case-insensitive, `-` clears, `+` or nothing sets); elements are applied in order and the
//!   first unknown or empty element fails the command, keeping those applied before it; an
//!   element whose name is for the other side (client/server) is unknown;
//! - `MinProtocol`/`MaxProtocol` take `None`, `SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`,
//!   `DTLSv1`, `DTLSv1.2` (case-sensitive); a DTLS bound leaves a TLS context alone, as does any
//!   bound on a fixed-version method. ferrossl stores bounds below TLS 1.2 as given and speaks
//!   only TLS 1.2 and 1.3 inside them, as `SSL_CTX_set_min_proto_version` does.
//! - `NumTickets` and `RecordPadding` read their number as C's `atoi` does.
//!
//! When the libcrypto loaded is OpenSSL 3.5's (`groups::openssl35`), the table and grammars
//! are 3.5's (checked against Debian 13's 3.5.9 by `tests/groups35.rs`): the switches
//! `-no_tx_cert_comp`, `-tx_cert_comp`, `-no_rx_cert_comp`, `-rx_cert_comp`,
//! `-prefer_no_dhe_kex`, `-no_ems`; the `Options` names `PreferNoDHEKEX`, `StrictCertCheck`,
//! `TxCertificateCompression`, `RxCertificateCompression`, `KTLSTxZerocopySendfile`,
//! `IgnoreUnexpectedEOF`; `RecordPadding` as `N[,M]` read by `strtoul` in base 0; groups lists
//! in 3.5's grammar. Under 3.0 they are unknown, as in 3.0 (Debian 12's programs and tests see
//! 3.0's answers).
//!
//! ferrossl-specific decisions (everything else behaves as in OpenSSL):
//! - Option bits rustls has no use for (`Compression`, `KTLS`, `PrioritizeChaCha`, the
//!   renegotiation options, `EncryptThenMac`, `ExtendedMasterSecret`, `AntiReplay`, `Bugs`,
//!   ...) are set and cleared exactly as OpenSSL does, so `SSL_CTX_get_options` reports them,
//!   and have no effect: rustls never compresses, renegotiates, uses CBC or accepts early data.
//!   `IgnoreUnexpectedEOF` is not a 3.0 option name, so it is refused as OpenSSL 3.0 does;
//!   in 3.5 it sets `SSL_OP_IGNORE_UNEXPECTED_EOF`, which ferrossl honours. 3.5's
//!   `PreferNoDHEKEX`, `-prefer_no_dhe_kex` (rustls resumes TLS 1.3 with psk_dhe_ke only),
//!   `StrictCertCheck` and `KTLSTxZerocopySendfile` set their bits to no effect.
//! - Commands for features rustls lacks are refused with an "unsupported" error instead of being
//!   ignored: `SignatureAlgorithms`, `ClientSignatureAlgorithms`, `ChainCAFile`, `ChainCAPath`,
//!   the `*CAStore` commands, `ServerInfoFile`, a `RecordPadding` above 1, and the
//!   `RequestPostHandshake`/`RequirePostHandshake` verify modes. With no `SSL_CTX`/`SSL`
//!   attached they succeed, as every command OpenSSL does not check without one.
//! - `DHParameters` checks that the file holds DH parameters and otherwise has no effect (rustls
//!   has no DHE), like `SSL_CTX_set_tmp_dh`.
//!
//! The parts: `commands` holds the command table and the names allowed in lists, `values`
//! reads a value into a [`Change`], `apply` makes that change to the [`Settings`]; this file has
//! the flags, the value types and the lookup of a command by its name.
//!
//! [`Settings`]: super::context::Settings

use std::ffi::c_int;

mod apply;
mod commands;
mod values;

pub use apply::{check_dh_file, Change};
pub use commands::{op, Command, Entry, Name, TABLE};
pub use values::{atoi, BitList, Bound};

/// `SSL_CONF_FLAG_*`.
pub const FLAG_CMDLINE: u32 = 0x1;
pub const FLAG_FILE: u32 = 0x2;
pub const FLAG_CLIENT: u32 = 0x4;
pub const FLAG_SERVER: u32 = 0x8;
pub const FLAG_SHOW_ERRORS: u32 = 0x10;
pub const FLAG_CERTIFICATE: u32 = 0x20;
pub const FLAG_REQUIRE_PRIVATE: u32 = 0x40;

/// `SSL_CONF_TYPE_*`.
pub const TYPE_UNKNOWN: c_int = 0;
pub const TYPE_STRING: c_int = 1;
pub const TYPE_FILE: c_int = 2;
pub const TYPE_DIR: c_int = 3;
pub const TYPE_NONE: c_int = 4;
pub const TYPE_STORE: c_int = 5;

/// The configuration state of an `SSL_CONF_CTX` that decides how names are read.
#[derive(Clone, Debug)]
pub struct Conf {
    pub flags: u32,
    prefix: Option<Vec<u8>>,
    /// OpenSSL 3.5's commands, names and value grammars (else 3.0's): see
    /// `groups::openssl35`.
    v35: bool,
}

impl Default for Conf {
    fn default() -> Conf {
        Conf {
            flags: 0,
            prefix: None,
            v35: crate::core::groups::openssl35(),
        }
    }
}

/// The result of looking a command name up.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// The entry, and the name as OpenSSL reports it in errors (the prefix removed).
    Found(&'static Entry, &'a [u8]),
    /// No such command; the name as OpenSSL reports it ("unknown cmd name").
    Unknown(&'a [u8]),
}

impl Conf {
    /// `SSL_CONF_CTX_set1_prefix`; `None` removes the prefix.
    pub fn set_prefix(&mut self, prefix: Option<&[u8]>) {
        self.prefix = prefix.map(<[u8]>::to_vec);
    }

    /// Removes the prefix (or, for command lines without one, the `-`); `None` when the name
    /// does not carry it.
    fn strip<'a>(&self, cmd: &'a [u8]) -> Option<&'a [u8]> {
        if let Some(prefix) = &self.prefix {
            if cmd.len() <= prefix.len() {
                return None;
            }
            let (head, rest) = cmd.split_at(prefix.len());
            if self.flags & FLAG_CMDLINE != 0 && head != prefix.as_slice() {
                return None;
            }
            if self.flags & FLAG_FILE != 0 && !head.eq_ignore_ascii_case(prefix) {
                return None;
            }
            Some(rest)
        } else if self.flags & FLAG_CMDLINE != 0 {
            match cmd {
                [b'-', rest @ ..] if !rest.is_empty() => Some(rest),
                _ => None,
            }
        } else {
            Some(cmd)
        }
    }

    fn allowed(&self, e: &Entry) -> bool {
        (self.v35 || !e.v35)
            && [FLAG_SERVER, FLAG_CLIENT, FLAG_CERTIFICATE]
                .iter()
                .all(|&f| e.flags & f == 0 || self.flags & f != 0)
    }

    /// Finds the command `cmd` names under the current flags and prefix.
    pub fn lookup<'a>(&self, cmd: &'a [u8]) -> Lookup<'a> {
        let Some(name) = self.strip(cmd) else {
            return Lookup::Unknown(cmd);
        };
        let found = TABLE.iter().filter(|e| self.allowed(e)).find(|e| {
            (self.flags & FLAG_CMDLINE != 0 && e.cmdline.is_some_and(|c| c.as_bytes() == name))
                || (self.flags & FLAG_FILE != 0
                    && e.file
                        .is_some_and(|f| f.as_bytes().eq_ignore_ascii_case(name)))
        });
        match found {
            Some(e) => Lookup::Found(e, name),
            None => Lookup::Unknown(name),
        }
    }

    /// `SSL_CONF_cmd_value_type`.
    pub fn value_type(&self, cmd: &[u8]) -> c_int {
        match self.lookup(cmd) {
            Lookup::Found(e, _) => e.value_type,
            Lookup::Unknown(_) => TYPE_UNKNOWN,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;

    use super::*;
    use crate::core::cipher::Cipher;
    use crate::core::context::{Method, Role, Settings};
    use crate::core::error::Result;
    use rustls::crypto::SupportedKxGroup;

    pub(super) fn names(v: &[&'static Cipher]) -> Vec<&'static str> {
        v.iter().map(|c| c.name.to_str().unwrap()).collect()
    }

    pub(super) fn group_names(v: &[&'static dyn SupportedKxGroup]) -> Vec<u16> {
        v.iter().map(|g| u16::from(g.name())).collect()
    }

    pub(super) const NGINX: u32 = FLAG_FILE | FLAG_SERVER | FLAG_CERTIFICATE | FLAG_SHOW_ERRORS;

    pub(super) fn conf(flags: u32) -> Conf {
        Conf {
            flags,
            prefix: None,
            v35: false,
        }
    }

    pub(super) fn conf35(flags: u32) -> Conf {
        Conf {
            flags,
            prefix: None,
            v35: true,
        }
    }

    pub(super) fn settings() -> Settings {
        let ctx = crate::core::context::Context::new(Method {
            role: Role::Server,
            version: 0,
        })
        .unwrap();
        let s = ctx.settings().clone();
        s
    }

    pub(super) fn entry(c: &Conf, name: &str) -> Option<&'static Entry> {
        match c.lookup(name.as_bytes()) {
            Lookup::Found(e, _) => Some(e),
            Lookup::Unknown(_) => None,
        }
    }

    /// Runs one file-form command on fresh settings; `Ok` with the settings after it.
    pub(super) fn run(flags: u32, name: &str, value: &str) -> (Result<()>, Settings) {
        let c = conf(flags);
        let mut s = settings();
        let e = entry(&c, name).unwrap_or_else(|| panic!("{name} is a command"));
        let r = match e.command {
            Command::Switch { bits, inverse } => {
                Change::switch(bits, inverse).apply(&mut s, 0).map(|_| ())
            }
            Command::Value(n) => {
                let v = CString::new(value).unwrap();
                c.parse(n, &v)
                    .and_then(|ch| ch.apply(&mut s, 0))
                    .map(|_| ())
            }
        };
        (r, s)
    }

    #[test]
    fn file_names_are_case_insensitive_and_command_line_names_are_not() {
        let file = conf(NGINX);
        assert!(entry(&file, "Ciphersuites").is_some());
        assert!(entry(&file, "ciphersuites").is_some());
        assert!(entry(&file, "CIPHERSTRING").is_some());
        assert!(entry(&file, "-cipher").is_none());
        assert!(
            entry(&file, "no_ticket").is_none(),
            "switches have no file name"
        );
        let cmd = conf(FLAG_CMDLINE | FLAG_SERVER);
        assert!(entry(&cmd, "-cipher").is_some());
        assert!(entry(&cmd, "-CIPHER").is_none());
        assert!(entry(&cmd, "cipher").is_none(), "the - is required");
        assert!(entry(&cmd, "-").is_none());
        assert!(
            entry(&cmd, "-Options").is_none(),
            "Options has no command-line form"
        );
        assert_eq!(cmd.value_type(b"-no_ticket"), TYPE_NONE);
        assert_eq!(cmd.value_type(b"-cipher"), TYPE_STRING);
    }

    #[test]
    fn side_and_certificate_flags_hide_commands() {
        let client = conf(FLAG_FILE | FLAG_CLIENT);
        assert!(entry(&client, "NumTickets").is_none());
        assert!(entry(&client, "ECDHParameters").is_none());
        assert!(entry(&client, "Certificate").is_none());
        let server = conf(NGINX);
        assert!(entry(&server, "NumTickets").is_some());
        assert_eq!(server.value_type(b"Certificate"), TYPE_FILE);
        assert_eq!(server.value_type(b"VerifyCAPath"), TYPE_DIR);
        assert_eq!(server.value_type(b"ChainCAStore"), TYPE_STORE);
        assert_eq!(server.value_type(b"Bogus"), TYPE_UNKNOWN);
        let cmd_client = conf(FLAG_CMDLINE | FLAG_CLIENT);
        assert!(entry(&cmd_client, "-legacy_server_connect").is_some());
        assert!(entry(&cmd_client, "-serverpref").is_none());
    }

    #[test]
    fn prefixes() {
        let mut c = conf(FLAG_FILE | FLAG_SERVER);
        c.set_prefix(Some(b"ssl_"));
        assert!(
            entry(&c, "SSL_options").is_some(),
            "case-insensitive in files"
        );
        assert!(entry(&c, "Options").is_none());
        match c.lookup(b"ssl_Bogus") {
            Lookup::Unknown(n) => assert_eq!(n, b"Bogus"),
            other => panic!("{other:?}"),
        }
        match c.lookup(b"ssl_") {
            Lookup::Unknown(n) => assert_eq!(n, b"ssl_", "a bare prefix is reported whole"),
            other => panic!("{other:?}"),
        }
        let mut cmd = conf(FLAG_CMDLINE | FLAG_SERVER);
        cmd.set_prefix(Some(b"--"));
        assert!(entry(&cmd, "--no_ticket").is_some());
        assert!(entry(&cmd, "-no_ticket").is_none());
        cmd.set_prefix(None);
        assert!(entry(&cmd, "-no_ticket").is_some());
    }
}
