//! The known differences of tests/malformed.rs: what ferrossl answers instead of OpenSSL, and
//! the choice of rustls (or what rustls does not tell ferrossl) behind each.

/// What of a probe's result is compared (and what a known difference is about).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Column {
    /// What the client saw: `summary` ("alert:fatal:decode_error", "data", "hrr", ...).
    Answer,
    /// How the connection ended: "fin", "reset", or "timeout" (still open).
    Close,
    /// What nginx logged: level, failing call, SSL reason codes.
    Reason,
}

/// A difference from OpenSSL that comes from a deliberate choice of rustls.
pub struct Known {
    pub probe: &'static str,
    pub column: Column,
    /// ferrossl's value of `column`, exactly as the table prints it; "*" (only for a reason
    /// or close that follows from a known answer, where one side accepted the input) takes
    /// any value.
    pub ferrossl: &'static str,
    pub why: &'static str,
}

/// Why an empty record gets decode_error (the check cites RFC 8446 5.1 and RFC 5246 6.2.1).
const EMPTY: &str = "rustls refuses empty non-application-data records in its record-header check \
                     (outbound.rs read_opaque_message_header, InvalidEmptyPayload) with \
                     decode_error";
/// Why a payload that does not parse gets decode_error (error.rs maps every `InvalidMessage` but
/// a duplicate or misplaced extension to it).
const PARSE: &str = "rustls answers a message payload that does not parse with decode_error \
                     (conn.rs process_msg: AlertDescription::from(InvalidMessage))";

/// The alert of a protected record refused at its header for its length.
const PROTECTED_OVERFLOW: &str =
    "ferrossl refuses an over-long protected record at its header with \
     OpenSSL's reason, but the alert is rustls's: it can send one only for a failure of its \
     own, and refuses such a length (read_opaque_message_header, MessageTooLarge) with \
     decode_error; OpenSSL sends record_overflow";

/// ferrossl's `column` for `probe`, and why.
const fn why(
    probe: &'static str,
    column: Column,
    ferrossl: &'static str,
    why: &'static str,
) -> Known {
    Known {
        probe,
        column,
        ferrossl,
        why,
    }
}

/// ferrossl's answer (alert or outcome) to `probe`, and why it is rustls's.
const fn known(probe: &'static str, ferrossl: &'static str, why: &'static str) -> Known {
    Known {
        probe,
        column: Column::Answer,
        ferrossl,
        why,
    }
}

/// The close or logged reason of a probe whose known answer is that one side accepted what the
/// other refused: there is no like failure to compare.
const fn follows(probe: &'static str, column: Column, ferrossl: &'static str) -> Known {
    Known {
        probe,
        column,
        ferrossl,
        why: "follows from the known answer: one side accepted the input",
    }
}

/// Known differences (kept in sync by hand with README.md's list), each traced in rustls
/// 0.23's source. ferrossl owes OpenSSL's delivery (an alert before the close), record limits
/// and reason codes: the few entries for those name what in rustls leaves no other way.
pub const KNOWN: &[Known] = &[
    known(
        "ch-legacy-version-0x0300",
        "alert:fatal:protocol_version",
        "rustls answers a ClientHello below TLS 1.2 with protocol_version (server/hs.rs, \
         Tls12NotOffered); OpenSSL answers in SSL 3.0, which has no protocol_version alert, \
         so handshake_failure",
    ),
    known(
        "sslv2-client-hello",
        "alert:fatal:decode_error",
        "rustls has no SSLv2-format ClientHello: its first byte is an unknown content type to \
         the record-header check (InvalidContentType, decode_error); OpenSSL parses it and \
         fails later with handshake_failure",
    ),
    why(
        "sslv2-client-hello",
        Column::Reason,
        "[info] SSL_do_handshake(): 0A0000F4 unexpected message",
        "rustls's refusal of the first byte as a content type (InvalidContentType); OpenSSL \
         reads the hello and finds no shared cipher",
    ),
    known(
        "keyshare-unknown-hrr-to-p521",
        "alert:fatal:handshake_failure",
        "rustls's aws-lc-rs provider has no P-521 key exchange (X25519, P-256, P-384, ML-KEM \
         hybrids), so no group is shared (NoKxGroupsInCommon); OpenSSL asks for secp521r1 \
         with a HelloRetryRequest",
    ),
    follows("keyshare-unknown-hrr-to-p521", Column::Close, "fin"),
    follows("keyshare-unknown-hrr-to-p521", Column::Reason, "*"),
    why(
        "sni-malformed",
        Column::Reason,
        "[info] SSL_do_handshake(): 0A00009F length mismatch",
        "rustls reports a server_name list that overruns its extension as a message too \
         short (MessageTooShort), the error of any ClientHello field that runs past its end, \
         so ferrossl cannot tell it from the others (length mismatch); OpenSSL's extension \
         parser says bad extension",
    ),
    known(
        "ch-no-null-compression",
        "alert:fatal:illegal_parameter",
        "rustls answers a ClientHello without the null compression method with \
         illegal_parameter (server/hs.rs, NullCompressionRequired); OpenSSL sends decode_error",
    ),
    known(
        "sni-empty-name",
        "alert:fatal:decode_error",
        "rustls's codec refuses an empty host_name (msgs/base.rs, IllegalEmptyValue) with \
         decode_error; OpenSSL accepts it",
    ),
    follows("sni-empty-name", Column::Close, "fin"),
    follows("sni-empty-name", Column::Reason, "*"),
    known(
        "keyshare-not-in-supported-groups",
        "hrr",
        "rustls picks the group from supported_groups and only then looks for its share \
         (server/tls13.rs), so a share outside supported_groups is ignored and it asks for \
         x25519; OpenSSL refuses the share with illegal_parameter (RFC 8446 4.2.8 lets \
         servers check)",
    ),
    follows("keyshare-not-in-supported-groups", Column::Close, "timeout"),
    follows("keyshare-not-in-supported-groups", Column::Reason, "*"),
    known(
        "keyshare-unknown-hrr-to-x448",
        "alert:fatal:handshake_failure",
        "rustls has no X448 (its aws-lc-rs provider offers X25519, P-256, P-384 and ML-KEM \
         hybrids), so no group is shared and it refuses with handshake_failure \
         (NoKxGroupsInCommon); OpenSSL asks for x448 with a HelloRetryRequest",
    ),
    follows("keyshare-unknown-hrr-to-x448", Column::Close, "fin"),
    follows("keyshare-unknown-hrr-to-x448", Column::Reason, "*"),
    known(
        "duplicate-extension",
        "alert:fatal:decode_error",
        "rustls's Acceptor answers any ClientHello that does not parse, a duplicate \
         extension included, with decode_error (conn.rs first_handshake_message); OpenSSL \
         sends illegal_parameter",
    ),
    known(
        "zero-length-handshake-before-ch",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    follows("zero-length-handshake-before-ch", Column::Close, "fin"),
    follows("zero-length-handshake-before-ch", Column::Reason, "*"),
    known(
        "zero-length-handshake-tls12-before-cke",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    follows(
        "zero-length-handshake-tls12-before-cke",
        Column::Reason,
        "*",
    ),
    known(
        "zero-length-alert-tls12-before-cke",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    known(
        "zero-length-ccs-tls12-before-cke",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    follows("zero-length-ccs-tls12-before-cke", Column::Reason, "*"),
    known(
        "zero-length-ccs-tls13-before-finished",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    known(
        "zero-length-handshake-tls13-before-finished",
        "data",
        "rustls accepts up to 32 consecutive empty encrypted fragments (conn.rs \
         ALLOWED_CONSECUTIVE_EMPTY_FRAGMENTS_MAX); OpenSSL refuses an empty TLS 1.3 \
         handshake record with unexpected_message",
    ),
    follows(
        "zero-length-handshake-tls13-before-finished",
        Column::Reason,
        "*",
    ),
    known(
        "zero-length-alert-tls13-before-finished",
        "alert:fatal:decode_error",
        PARSE,
    ),
    known("alert-empty-tls12", "alert:fatal:decode_error", PARSE),
    known("keyupdate-wrong-length", "alert:fatal:decode_error", PARSE),
    known("ccs-two-bytes-tls12", "alert:fatal:decode_error", PARSE),
    known("ccs-value-2-tls12", "alert:fatal:decode_error", PARSE),
    known(
        "ccs-two-bytes-tls13",
        "alert:fatal:unexpected_message",
        "rustls sends unexpected_message for a bad TLS 1.3 compatibility CCS, as RFC 8446 \
         section 5 says (conn.rs process_msg, IllegalMiddleboxChangeCipherSpec); OpenSSL \
         sends illegal_parameter",
    ),
    known(
        "ccs-value-2-tls13",
        "alert:fatal:unexpected_message",
        "as ccs-two-bytes-tls13",
    ),
    known(
        "ciphertext-overflow-tls13",
        "alert:fatal:decode_error",
        PROTECTED_OVERFLOW,
    ),
    why(
        "ciphertext-overflow-tls13",
        Column::Close,
        "reset",
        "ferrossl refuses the record at its header and reads no further; OpenSSL (nginx sets \
         read_ahead) has read the whole record into its buffer, so its close is clean",
    ),
    known(
        "ciphertext-overflow-tls12",
        "alert:fatal:decode_error",
        PROTECTED_OVERFLOW,
    ),
    known(
        "truncated-keyupdate-then-eof",
        "closed-without-alert",
        "rustls buffers a handshake message up to 64 KiB before it looks at it (deframer \
         handshake.rs MAX_HANDSHAKE_SIZE), so a KeyUpdate whose length announces more than one \
         byte waits for its body; OpenSSL refuses the length at the header with \
         illegal_parameter (excessive message size)",
    ),
    follows(
        "truncated-keyupdate-then-eof",
        Column::Reason,
        "[info] client closed connection",
    ),
    known(
        "alert-unknown-warning-tls13",
        "alert:fatal:decode_error",
        "rustls answers a TLS 1.3 warning alert other than user_canceled with decode_error \
         (common_state.rs process_alert); OpenSSL takes it as fatal and closes without an \
         alert",
    ),
];
