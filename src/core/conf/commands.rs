//! The command table: OpenSSL 3.0's `ssl_conf_cmds` rows, the `SSL_OP_*` and `SSL_VERIFY_*`
//! bits they name, and the names allowed in `Options`, `Protocol` and `VerifyMode` lists.

use std::ffi::c_int;

use super::{
    FLAG_CERTIFICATE, FLAG_CLIENT, FLAG_SERVER, TYPE_DIR, TYPE_FILE, TYPE_NONE, TYPE_STORE,
    TYPE_STRING,
};

const BOTH: u32 = FLAG_CLIENT | FLAG_SERVER;

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
    pub const IGNORE_UNEXPECTED_EOF: u64 = 1 << 7;
    /// OpenSSL 3.5's bits: certificate compression (RFC 8879) not sent / not accepted, KTLS
    /// zero-copy sendfile, and a TLS 1.3 server's preference for psk_ke resumption.
    pub const NO_TX_CERTIFICATE_COMPRESSION: u64 = 1 << 32;
    pub const NO_RX_CERTIFICATE_COMPRESSION: u64 = 1 << 33;
    pub const ENABLE_KTLS_TX_ZEROCOPY_SENDFILE: u64 = 1 << 34;
    pub const PREFER_NO_DHE_KEX: u64 = 1 << 35;
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
pub(super) const VERIFY_POST_HANDSHAKE: c_int = 0x8;

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
    /// New in OpenSSL 3.5: unknown when ferrossl answers as 3.0 (see `groups::openssl35`).
    pub v35: bool,
}

const fn switch(name: &'static str, flags: u32, bits: u64, inverse: bool) -> Entry {
    Entry {
        command: Command::Switch { bits, inverse },
        file: None,
        cmdline: Some(name),
        flags,
        value_type: TYPE_NONE,
        v35: false,
    }
}

/// A switch OpenSSL 3.5 added.
const fn switch35(name: &'static str, bits: u64, inverse: bool) -> Entry {
    let mut e = switch(name, 0, bits, inverse);
    e.v35 = true;
    e
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
        v35: false,
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
    switch35("no_tx_cert_comp", op::NO_TX_CERTIFICATE_COMPRESSION, false),
    switch35("tx_cert_comp", op::NO_TX_CERTIFICATE_COMPRESSION, true),
    switch35("no_rx_cert_comp", op::NO_RX_CERTIFICATE_COMPRESSION, false),
    switch35("rx_cert_comp", op::NO_RX_CERTIFICATE_COMPRESSION, true),
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
    // No effect: rustls's server always resumes TLS 1.3 with psk_dhe_ke.
    switch35("prefer_no_dhe_kex", op::PREFER_NO_DHE_KEX, false),
    switch("prioritize_chacha", SRV, op::PRIORITIZE_CHACHA, false),
    // SSL_CERT_FLAG_TLS_STRICT: a certificate flag, not an option; no effect in ferrossl.
    switch("strict", 0, 0, false),
    switch("no_middlebox", 0, op::ENABLE_MIDDLEBOX_COMPAT, true),
    switch("anti_replay", SRV, op::NO_ANTI_REPLAY, true),
    switch("no_anti_replay", SRV, op::NO_ANTI_REPLAY, false),
    switch("no_etm", 0, op::NO_ENCRYPT_THEN_MAC, false),
    switch35("no_ems", op::NO_EXTENDED_MASTER_SECRET, false),
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
pub(super) struct ListName {
    pub(super) name: &'static str,
    /// `SSL_CONF_FLAG_CLIENT`/`SERVER`: which side may use it.
    pub(super) sides: u32,
    pub(super) bits: u64,
    /// The name clears the bits (`SessionTicket` clears `SSL_OP_NO_TICKET`).
    pub(super) inverse: bool,
    /// New in OpenSSL 3.5.
    pub(super) v35: bool,
}

const fn ln(name: &'static str, sides: u32, bits: u64, inverse: bool) -> ListName {
    ListName {
        name,
        sides,
        bits,
        inverse,
        v35: false,
    }
}

/// An `Options` name OpenSSL 3.5 added.
const fn ln35(name: &'static str, bits: u64, inverse: bool) -> ListName {
    let mut n = ln(name, BOTH, bits, inverse);
    n.v35 = true;
    n
}

/// `Options`: OpenSSL 3.0's names.
pub(super) static OPTIONS: &[ListName] = &[
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
    // OpenSSL 3.5's. No effect in ferrossl: PreferNoDHEKEX (rustls resumes with psk_dhe_ke),
    // StrictCertCheck (SSL_CERT_FLAG_TLS_STRICT, a certificate flag, like -strict), KTLS
    // sendfile; the certificate compression bits are kept for the compression code to read.
    // IgnoreUnexpectedEOF is honoured (the bit exists in 3.0 without the name).
    ln35("PreferNoDHEKEX", op::PREFER_NO_DHE_KEX, false),
    ln35("StrictCertCheck", 0, false),
    ln35(
        "TxCertificateCompression",
        op::NO_TX_CERTIFICATE_COMPRESSION,
        true,
    ),
    ln35(
        "RxCertificateCompression",
        op::NO_RX_CERTIFICATE_COMPRESSION,
        true,
    ),
    ln35(
        "KTLSTxZerocopySendfile",
        op::ENABLE_KTLS_TX_ZEROCOPY_SENDFILE,
        false,
    ),
    ln35("IgnoreUnexpectedEOF", op::IGNORE_UNEXPECTED_EOF, false),
];

/// `Protocol`: every name clears its `SSL_OP_NO_*` bit (the DTLS bits are the TLS 1.0 and 1.2
/// bits, as in OpenSSL).
pub(super) static PROTOCOLS: &[ListName] = &[
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
pub(super) static VERIFY_MODES: &[ListName] = &[
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
