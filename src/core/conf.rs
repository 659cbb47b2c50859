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
//! ferrossl-specific decisions (everything else behaves as in OpenSSL):
//! - Option bits rustls has no use for (`Compression`, `KTLS`, `PrioritizeChaCha`, the
//!   renegotiation options, `EncryptThenMac`, `ExtendedMasterSecret`, `AntiReplay`, `Bugs`,
//!   ...) are set and cleared exactly as OpenSSL does, so `SSL_CTX_get_options` reports them,
//!   and have no effect: rustls never compresses, renegotiates, uses CBC or accepts early data.
//!   `IgnoreUnexpectedEOF` is not a 3.0 option name, so it is refused as OpenSSL 3.0 does.
//! - Commands for features rustls lacks are refused with an "unsupported" error instead of being
//!   ignored: `SignatureAlgorithms`, `ClientSignatureAlgorithms`, `ChainCAFile`, `ChainCAPath`,
//!   the `*CAStore` commands, `ServerInfoFile`, a `RecordPadding` above 1, and the
//!   `RequestPostHandshake`/`RequirePostHandshake` verify modes. With no `SSL_CTX`/`SSL`
//!   attached they succeed, as every command OpenSSL does not check without one.
//! - `DHParameters` checks that the file holds DH parameters and otherwise has no effect (rustls
//!   has no DHE), like `SSL_CTX_set_tmp_dh`.

use std::ffi::{c_int, CStr, CString};

use super::cipher;
use super::context::{self, Settings};
use super::error::{reason, Error, Result};

/// `SSL_CONF_FLAG_*`.
pub const FLAG_CMDLINE: u32 = 0x1;
pub const FLAG_FILE: u32 = 0x2;
pub const FLAG_CLIENT: u32 = 0x4;
pub const FLAG_SERVER: u32 = 0x8;
pub const FLAG_SHOW_ERRORS: u32 = 0x10;
pub const FLAG_CERTIFICATE: u32 = 0x20;
pub const FLAG_REQUIRE_PRIVATE: u32 = 0x40;
const BOTH: u32 = FLAG_CLIENT | FLAG_SERVER;

/// `SSL_CONF_TYPE_*`.
pub const TYPE_UNKNOWN: c_int = 0;
pub const TYPE_STRING: c_int = 1;
pub const TYPE_FILE: c_int = 2;
pub const TYPE_DIR: c_int = 3;
pub const TYPE_NONE: c_int = 4;
pub const TYPE_STORE: c_int = 5;

/// `SSL_OP_*` bits the tables name (`<openssl/ssl.h>`, OpenSSL 3.0).
pub mod op {
    pub const NO_EXTENDED_MASTER_SECRET: u64 = 1 << 0;
    pub const LEGACY_SERVER_CONNECT: u64 = 1 << 2;
    pub const ENABLE_KTLS: u64 = 1 << 3;
    pub const TLSEXT_PADDING: u64 = 1 << 4;
    pub const SAFARI_ECDHE_ECDSA_BUG: u64 = 1 << 6;
    pub const ALLOW_CLIENT_RENEGOTIATION: u64 = 1 << 8;
    pub const DISABLE_TLSEXT_CA_NAMES: u64 = 1 << 9;
    pub const ALLOW_NO_DHE_KEX: u64 = 1 << 10;
    pub const DONT_INSERT_EMPTY_FRAGMENTS: u64 = 1 << 11;
    pub const NO_TICKET: u64 = 1 << 14;
    pub const NO_SESSION_RESUMPTION_ON_RENEGOTIATION: u64 = 1 << 16;
    pub const NO_COMPRESSION: u64 = 1 << 17;
    pub const ALLOW_UNSAFE_LEGACY_RENEGOTIATION: u64 = 1 << 18;
    pub const NO_ENCRYPT_THEN_MAC: u64 = 1 << 19;
    pub const ENABLE_MIDDLEBOX_COMPAT: u64 = 1 << 20;
    pub const PRIORITIZE_CHACHA: u64 = 1 << 21;
    pub const CIPHER_SERVER_PREFERENCE: u64 = 1 << 22;
    pub const NO_ANTI_REPLAY: u64 = 1 << 24;
    pub const NO_SSLV3: u64 = 1 << 25;
    pub const NO_TLSV1: u64 = 1 << 26;
    pub const NO_TLSV1_2: u64 = 1 << 27;
    pub const NO_TLSV1_1: u64 = 1 << 28;
    pub const NO_TLSV1_3: u64 = 1 << 29;
    pub const NO_RENEGOTIATION: u64 = 1 << 30;
    pub const CRYPTOPRO_TLSEXT_BUG: u64 = 1 << 31;
    /// `SSL_OP_ALL`.
    pub const ALL: u64 = CRYPTOPRO_TLSEXT_BUG
        | DONT_INSERT_EMPTY_FRAGMENTS
        | TLSEXT_PADDING
        | SAFARI_ECDHE_ECDSA_BUG;
    /// `SSL_OP_NO_SSL_MASK`.
    pub const NO_SSL_MASK: u64 = NO_SSLV3 | NO_TLSV1 | NO_TLSV1_1 | NO_TLSV1_2 | NO_TLSV1_3;
}

/// `SSL_VERIFY_*` bits.
const VERIFY_PEER: c_int = 0x1;
const VERIFY_FAIL_IF_NO_PEER_CERT: c_int = 0x2;
const VERIFY_CLIENT_ONCE: c_int = 0x4;
const VERIFY_POST_HANDSHAKE: c_int = 0x8;

/// The commands that take a value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Name {
    SignatureAlgorithms,
    ClientSignatureAlgorithms,
    Curves,
    Groups,
    EcdhParameters,
    CipherString,
    Ciphersuites,
    Protocol,
    MinProtocol,
    MaxProtocol,
    Options,
    VerifyMode,
    Certificate,
    PrivateKey,
    ServerInfoFile,
    ChainCaPath,
    ChainCaFile,
    ChainCaStore,
    VerifyCaPath,
    VerifyCaFile,
    VerifyCaStore,
    RequestCaFile,
    ClientCaFile,
    RequestCaPath,
    ClientCaPath,
    RequestCaStore,
    ClientCaStore,
    DhParameters,
    RecordPadding,
    NumTickets,
}

/// What a table entry does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Command {
    /// A command-line switch without a value: sets the option bits (clears them when
    /// `inverse`). A zero mask is a switch OpenSSL 3.0 accepts without effect.
    Switch {
        bits: u64,
        inverse: bool,
    },
    Value(Name),
}

/// One row of OpenSSL's `ssl_conf_cmds` table.
#[derive(Debug)]
pub struct Entry {
    pub command: Command,
    /// The configuration-file name, if any.
    pub file: Option<&'static str>,
    /// The command-line name (without the leading `-`), if any.
    pub cmdline: Option<&'static str>,
    /// `SSL_CONF_FLAG_SERVER`/`CLIENT`/`CERTIFICATE`: when the command is available.
    pub flags: u32,
    pub value_type: c_int,
}

const fn switch(name: &'static str, flags: u32, bits: u64, inverse: bool) -> Entry {
    Entry {
        command: Command::Switch { bits, inverse },
        file: None,
        cmdline: Some(name),
        flags,
        value_type: TYPE_NONE,
    }
}

const fn value(
    name: Name,
    file: &'static str,
    cmdline: Option<&'static str>,
    flags: u32,
    value_type: c_int,
) -> Entry {
    Entry {
        command: Command::Value(name),
        file: Some(file),
        cmdline,
        flags,
        value_type,
    }
}

const SRV: u32 = FLAG_SERVER;
const CLI: u32 = FLAG_CLIENT;
const CERT: u32 = FLAG_CERTIFICATE;

/// OpenSSL 3.0's commands, in its order (the first match wins).
pub static TABLE: &[Entry] = &[
    switch("no_ssl3", 0, op::NO_SSLV3, false),
    switch("no_tls1", 0, op::NO_TLSV1, false),
    switch("no_tls1_1", 0, op::NO_TLSV1_1, false),
    switch("no_tls1_2", 0, op::NO_TLSV1_2, false),
    switch("no_tls1_3", 0, op::NO_TLSV1_3, false),
    switch("bugs", 0, op::ALL, false),
    switch("no_comp", 0, op::NO_COMPRESSION, false),
    switch("comp", 0, op::NO_COMPRESSION, true),
    // SSL_OP_SINGLE_ECDH_USE is 0 in 3.0.
    switch("ecdh_single", SRV, 0, false),
    switch("no_ticket", 0, op::NO_TICKET, false),
    switch("serverpref", SRV, op::CIPHER_SERVER_PREFERENCE, false),
    switch(
        "legacy_renegotiation",
        0,
        op::ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
        false,
    ),
    switch(
        "client_renegotiation",
        SRV,
        op::ALLOW_CLIENT_RENEGOTIATION,
        false,
    ),
    switch(
        "legacy_server_connect",
        CLI,
        op::LEGACY_SERVER_CONNECT,
        false,
    ),
    switch("no_renegotiation", 0, op::NO_RENEGOTIATION, false),
    switch(
        "no_resumption_on_reneg",
        SRV,
        op::NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
        false,
    ),
    switch(
        "no_legacy_server_connect",
        CLI,
        op::LEGACY_SERVER_CONNECT,
        true,
    ),
    switch("allow_no_dhe_kex", 0, op::ALLOW_NO_DHE_KEX, false),
    switch("prioritize_chacha", SRV, op::PRIORITIZE_CHACHA, false),
    // SSL_CERT_FLAG_TLS_STRICT: a certificate flag, not an option; no effect in ferrossl.
    switch("strict", 0, 0, false),
    switch("no_middlebox", 0, op::ENABLE_MIDDLEBOX_COMPAT, true),
    switch("anti_replay", SRV, op::NO_ANTI_REPLAY, true),
    switch("no_anti_replay", SRV, op::NO_ANTI_REPLAY, false),
    switch("no_etm", 0, op::NO_ENCRYPT_THEN_MAC, false),
    value(
        Name::SignatureAlgorithms,
        "SignatureAlgorithms",
        Some("sigalgs"),
        0,
        TYPE_STRING,
    ),
    value(
        Name::ClientSignatureAlgorithms,
        "ClientSignatureAlgorithms",
        Some("client_sigalgs"),
        0,
        TYPE_STRING,
    ),
    value(Name::Curves, "Curves", Some("curves"), 0, TYPE_STRING),
    value(Name::Groups, "Groups", Some("groups"), 0, TYPE_STRING),
    value(
        Name::EcdhParameters,
        "ECDHParameters",
        Some("named_curve"),
        SRV,
        TYPE_STRING,
    ),
    value(
        Name::CipherString,
        "CipherString",
        Some("cipher"),
        0,
        TYPE_STRING,
    ),
    value(
        Name::Ciphersuites,
        "Ciphersuites",
        Some("ciphersuites"),
        0,
        TYPE_STRING,
    ),
    value(Name::Protocol, "Protocol", None, 0, TYPE_STRING),
    value(
        Name::MinProtocol,
        "MinProtocol",
        Some("min_protocol"),
        0,
        TYPE_STRING,
    ),
    value(
        Name::MaxProtocol,
        "MaxProtocol",
        Some("max_protocol"),
        0,
        TYPE_STRING,
    ),
    value(Name::Options, "Options", None, 0, TYPE_STRING),
    value(Name::VerifyMode, "VerifyMode", None, 0, TYPE_STRING),
    value(
        Name::Certificate,
        "Certificate",
        Some("cert"),
        CERT,
        TYPE_FILE,
    ),
    value(Name::PrivateKey, "PrivateKey", Some("key"), CERT, TYPE_FILE),
    value(
        Name::ServerInfoFile,
        "ServerInfoFile",
        None,
        SRV | CERT,
        TYPE_FILE,
    ),
    value(
        Name::ChainCaPath,
        "ChainCAPath",
        Some("chainCApath"),
        CERT,
        TYPE_DIR,
    ),
    value(
        Name::ChainCaFile,
        "ChainCAFile",
        Some("chainCAfile"),
        CERT,
        TYPE_FILE,
    ),
    value(
        Name::ChainCaStore,
        "ChainCAStore",
        Some("chainCAstore"),
        CERT,
        TYPE_STORE,
    ),
    value(
        Name::VerifyCaPath,
        "VerifyCAPath",
        Some("verifyCApath"),
        CERT,
        TYPE_DIR,
    ),
    value(
        Name::VerifyCaFile,
        "VerifyCAFile",
        Some("verifyCAfile"),
        CERT,
        TYPE_FILE,
    ),
    value(
        Name::VerifyCaStore,
        "VerifyCAStore",
        Some("verifyCAstore"),
        CERT,
        TYPE_STORE,
    ),
    value(
        Name::RequestCaFile,
        "RequestCAFile",
        Some("requestCAFile"),
        CERT,
        TYPE_FILE,
    ),
    value(
        Name::ClientCaFile,
        "ClientCAFile",
        None,
        SRV | CERT,
        TYPE_FILE,
    ),
    value(Name::RequestCaPath, "RequestCAPath", None, CERT, TYPE_DIR),
    value(
        Name::ClientCaPath,
        "ClientCAPath",
        None,
        SRV | CERT,
        TYPE_DIR,
    ),
    value(
        Name::RequestCaStore,
        "RequestCAStore",
        Some("requestCAStore"),
        CERT,
        TYPE_STORE,
    ),
    value(
        Name::ClientCaStore,
        "ClientCAStore",
        None,
        SRV | CERT,
        TYPE_STORE,
    ),
    value(
        Name::DhParameters,
        "DHParameters",
        Some("dhparam"),
        SRV | CERT,
        TYPE_FILE,
    ),
    value(
        Name::RecordPadding,
        "RecordPadding",
        Some("record_padding"),
        0,
        TYPE_STRING,
    ),
    value(
        Name::NumTickets,
        "NumTickets",
        Some("num_tickets"),
        SRV,
        TYPE_STRING,
    ),
];

/// A name usable in an `Options`, `Protocol` or `VerifyMode` list.
struct ListName {
    name: &'static str,
    /// `SSL_CONF_FLAG_CLIENT`/`SERVER`: which side may use it.
    sides: u32,
    bits: u64,
    /// The name clears the bits (`SessionTicket` clears `SSL_OP_NO_TICKET`).
    inverse: bool,
}

const fn ln(name: &'static str, sides: u32, bits: u64, inverse: bool) -> ListName {
    ListName {
        name,
        sides,
        bits,
        inverse,
    }
}

/// `Options`: OpenSSL 3.0's names.
static OPTIONS: &[ListName] = &[
    ln("SessionTicket", BOTH, op::NO_TICKET, true),
    ln(
        "EmptyFragments",
        BOTH,
        op::DONT_INSERT_EMPTY_FRAGMENTS,
        true,
    ),
    ln("Bugs", BOTH, op::ALL, false),
    ln("Compression", BOTH, op::NO_COMPRESSION, true),
    ln("ServerPreference", SRV, op::CIPHER_SERVER_PREFERENCE, false),
    ln(
        "NoResumptionOnRenegotiation",
        SRV,
        op::NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
        false,
    ),
    // SSL_OP_SINGLE_DH_USE and SSL_OP_SINGLE_ECDH_USE are 0 in 3.0.
    ln("DHSingle", SRV, 0, false),
    ln("ECDHSingle", SRV, 0, false),
    ln(
        "UnsafeLegacyRenegotiation",
        BOTH,
        op::ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
        false,
    ),
    ln(
        "UnsafeLegacyServerConnect",
        BOTH,
        op::LEGACY_SERVER_CONNECT,
        false,
    ),
    ln(
        "ClientRenegotiation",
        BOTH,
        op::ALLOW_CLIENT_RENEGOTIATION,
        false,
    ),
    ln("EncryptThenMac", BOTH, op::NO_ENCRYPT_THEN_MAC, true),
    ln("NoRenegotiation", BOTH, op::NO_RENEGOTIATION, false),
    ln("AllowNoDHEKEX", BOTH, op::ALLOW_NO_DHE_KEX, false),
    ln("PrioritizeChaCha", BOTH, op::PRIORITIZE_CHACHA, false),
    ln("MiddleboxCompat", BOTH, op::ENABLE_MIDDLEBOX_COMPAT, false),
    ln("AntiReplay", BOTH, op::NO_ANTI_REPLAY, true),
    ln(
        "ExtendedMasterSecret",
        BOTH,
        op::NO_EXTENDED_MASTER_SECRET,
        true,
    ),
    ln("CANames", BOTH, op::DISABLE_TLSEXT_CA_NAMES, true),
    ln("KTLS", BOTH, op::ENABLE_KTLS, false),
];

/// `Protocol`: every name clears its `SSL_OP_NO_*` bit (the DTLS bits are the TLS 1.0 and 1.2
/// bits, as in OpenSSL).
static PROTOCOLS: &[ListName] = &[
    ln("ALL", BOTH, op::NO_SSL_MASK, true),
    ln("SSLv2", BOTH, 0, true),
    ln("SSLv3", BOTH, op::NO_SSLV3, true),
    ln("TLSv1", BOTH, op::NO_TLSV1, true),
    ln("TLSv1.1", BOTH, op::NO_TLSV1_1, true),
    ln("TLSv1.2", BOTH, op::NO_TLSV1_2, true),
    ln("TLSv1.3", BOTH, op::NO_TLSV1_3, true),
    ln("DTLSv1", BOTH, op::NO_TLSV1, true),
    ln("DTLSv1.2", BOTH, op::NO_TLSV1_2, true),
];

/// `VerifyMode`: `SSL_VERIFY_*` bits.
static VERIFY_MODES: &[ListName] = &[
    ln("Peer", CLI, VERIFY_PEER as u64, false),
    ln("Request", SRV, VERIFY_PEER as u64, false),
    ln(
        "Require",
        SRV,
        (VERIFY_PEER | VERIFY_FAIL_IF_NO_PEER_CERT) as u64,
        false,
    ),
    ln(
        "Once",
        SRV,
        (VERIFY_PEER | VERIFY_CLIENT_ONCE) as u64,
        false,
    ),
    ln(
        "RequestPostHandshake",
        SRV,
        (VERIFY_PEER | VERIFY_POST_HANDSHAKE) as u64,
        false,
    ),
    ln(
        "RequirePostHandshake",
        SRV,
        (VERIFY_PEER | VERIFY_POST_HANDSHAKE | VERIFY_FAIL_IF_NO_PEER_CERT) as u64,
        false,
    ),
];

/// The configuration state of an `SSL_CONF_CTX` that decides how names are read.
#[derive(Clone, Debug, Default)]
pub struct Conf {
    pub flags: u32,
    prefix: Option<Vec<u8>>,
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
        [FLAG_SERVER, FLAG_CLIENT, FLAG_CERTIFICATE]
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
            Name::RecordPadding => match atoi(bytes) {
                n if n < 0 => return Err(Error::Queued),
                n => Change::RecordPadding(n as usize),
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
    fn apply(&self, mut word: u64) -> u64 {
        for &(bits, on) in &self.ops {
            if on {
                word |= bits;
            } else {
                word &= !bits;
            }
        }
        word
    }

    fn result(&self) -> Result<()> {
        if self.complete {
            Ok(())
        } else {
            Err(Error::Queued)
        }
    }
}

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
    RecordPadding(usize),
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
            Change::Groups(list) => context::parse_groups(list).map(|_| ()),
            Change::MinVersion(_)
            | Change::MaxVersion(_)
            | Change::NumTickets(_)
            | Change::RecordPadding(_) => Err(Error::Queued),
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
            Change::Tls12(list) => s.tls12 = cipher::parse_cipher_list(list)?,
            Change::Tls13(list) => s.tls13 = cipher::parse_ciphersuites(list)?,
            Change::Groups(list) | Change::EcdhGroup(list) => {
                s.groups = context::parse_groups(list)?
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
            Change::RecordPadding(n) => record_padding(*n)?,
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
    use crate::core::cipher::Cipher;
    use crate::core::context::{Method, Role};
    use rustls::crypto::SupportedKxGroup;

    fn names(v: &[&'static Cipher]) -> Vec<&'static str> {
        v.iter().map(|c| c.name.to_str().unwrap()).collect()
    }

    fn group_names(v: &[&'static dyn SupportedKxGroup]) -> Vec<u16> {
        v.iter().map(|g| u16::from(g.name())).collect()
    }

    const NGINX: u32 = FLAG_FILE | FLAG_SERVER | FLAG_CERTIFICATE | FLAG_SHOW_ERRORS;

    fn conf(flags: u32) -> Conf {
        Conf {
            flags,
            prefix: None,
        }
    }

    fn settings() -> Settings {
        let ctx = crate::core::context::Context::new(Method {
            role: Role::Server,
            version: 0,
        })
        .unwrap();
        let s = ctx.settings().clone();
        s
    }

    fn entry(c: &Conf, name: &str) -> Option<&'static Entry> {
        match c.lookup(name.as_bytes()) {
            Lookup::Found(e, _) => Some(e),
            Lookup::Unknown(_) => None,
        }
    }

    /// Runs one file-form command on fresh settings; `Ok` with the settings after it.
    fn run(flags: u32, name: &str, value: &str) -> (Result<()>, Settings) {
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
        // Not 3.0 names, empty elements, a bare '-'.
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
