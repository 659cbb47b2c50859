//! ferrossl's one error type, and the one place an error becomes an OpenSSL reason code.

use std::ffi::c_int;
use std::fmt;
use std::io;

/// OpenSSL 3.0 reason codes (`<openssl/sslerr.h>`, `<openssl/err.h>`) that ferrossl raises.
pub mod reason {
    use std::ffi::c_int;

    const RFLAG_FATAL: c_int = 0x1 << 18;
    const RFLAG_COMMON: c_int = 0x2 << 18;
    pub const MALLOC_FAILURE: c_int = 256 | RFLAG_FATAL | RFLAG_COMMON;
    pub const PASSED_NULL_PARAMETER: c_int = 258 | RFLAG_FATAL | RFLAG_COMMON;
    pub const INTERNAL_ERROR: c_int = 259 | RFLAG_FATAL | RFLAG_COMMON;
    pub const SHOULD_NOT_HAVE_BEEN_CALLED: c_int = 257 | RFLAG_FATAL | RFLAG_COMMON;
    pub const PASSED_INVALID_ARGUMENT: c_int = 262 | RFLAG_COMMON;
    pub const UNSUPPORTED: c_int = 268 | RFLAG_COMMON;
    pub const SYS_LIB: c_int = 2 | RFLAG_COMMON;
    pub const PEM_LIB: c_int = 9 | RFLAG_COMMON;
    pub const X509_LIB: c_int = 11 | RFLAG_COMMON;
    pub const BUF_LIB: c_int = 7 | RFLAG_COMMON;

    pub const BAD_DATA: c_int = 390;
    pub const BAD_DECOMPRESSION: c_int = 107;
    pub const SSL_SESSION_ID_TOO_LONG: c_int = 408;
    pub const NOT_REPLACING_CERTIFICATE: c_int = 289;
    pub const PATH_TOO_LONG: c_int = 270;
    pub const PRIVATE_KEY_MISMATCH: c_int = 288;
    pub const UNKNOWN_CERTIFICATE_TYPE: c_int = 247;
    pub const SSL_SESSION_ID_CONTEXT_TOO_LONG: c_int = 273;
    pub const BAD_LENGTH: c_int = 271;
    pub const BAD_SSL_FILETYPE: c_int = 124;
    pub const BAD_VALUE: c_int = 384;
    pub const NULL_SSL_CTX: c_int = 195;
    pub const CERTIFICATE_VERIFY_FAILED: c_int = 134;
    pub const CONNECTION_TYPE_NOT_SET: c_int = 144;
    pub const DECRYPTION_FAILED_OR_BAD_RECORD_MAC: c_int = 281;
    pub const HTTP_REQUEST: c_int = 156;
    pub const HTTPS_PROXY_REQUEST: c_int = 155;
    pub const INVALID_COMMAND: c_int = 280;
    pub const LENGTH_MISMATCH: c_int = 159;
    pub const NO_CERTIFICATE_ASSIGNED: c_int = 177;
    pub const NO_CERTIFICATE_SET: c_int = 179;
    pub const MISSING_PARAMETERS: c_int = 290;
    pub const SSL3_EXT_INVALID_SERVERNAME: c_int = 319;
    pub const SSL3_EXT_INVALID_SERVERNAME_TYPE: c_int = 320;
    pub const INVALID_TICKET_KEYS_LENGTH: c_int = 325;
    pub const NO_CIPHER_MATCH: c_int = 185;
    pub const NO_PRIVATE_KEY_ASSIGNED: c_int = 190;
    pub const NO_PROTOCOLS_AVAILABLE: c_int = 191;
    pub const NO_SHARED_CIPHER: c_int = 193;
    pub const NO_SUITABLE_SIGNATURE_ALGORITHM: c_int = 118;
    pub const PEER_DID_NOT_RETURN_A_CERTIFICATE: c_int = 199;
    pub const PROTOCOL_IS_SHUTDOWN: c_int = 207;
    pub const SHUTDOWN_WHILE_IN_INIT: c_int = 407;
    pub const SSL_HANDSHAKE_FAILURE: c_int = 229;
    pub const UNEXPECTED_EOF_WHILE_READING: c_int = 294;
    pub const UNEXPECTED_MESSAGE: c_int = 244;
    pub const UNEXPECTED_RECORD: c_int = 245;
    pub const UNINITIALIZED: c_int = 276;
    pub const UNKNOWN_CMD_NAME: c_int = 386;
    pub const UNSUPPORTED_PROTOCOL: c_int = 258;
    pub const UNSUPPORTED_ELLIPTIC_CURVE: c_int = 315;
    pub const WRONG_VERSION_NUMBER: c_int = 267;
    pub const X509_VERIFICATION_SETUP_PROBLEMS: c_int = 269;
    pub const PACKET_LENGTH_TOO_LONG: c_int = 198;
    pub const BAD_SIGNATURE: c_int = 123;
    pub const NO_APPLICATION_PROTOCOL: c_int = 235;
    pub const BAD_EXTENSION: c_int = 110;
    pub const NO_RENEGOTIATION: c_int = 339;
    pub const STILL_IN_INIT: c_int = 121;
    pub const WRONG_SSL_VERSION: c_int = 266;
    pub const INVALID_KEY_UPDATE_TYPE: c_int = 120;
    // The record layer's and the handshake parsers' (src/core/tls_reasons.rs).
    pub const DATA_LENGTH_TOO_LONG: c_int = 146;
    pub const ENCRYPTED_LENGTH_TOO_LONG: c_int = 150;
    pub const BAD_ECPOINT: c_int = 306;
    pub const BAD_KEY_SHARE: c_int = 108;
    pub const NO_SUITABLE_KEY_SHARE: c_int = 101;
    pub const UNEXPECTED_CCS_MESSAGE: c_int = 262;
    pub const BAD_CHANGE_CIPHER_SPEC: c_int = 103;
    pub const BAD_KEY_UPDATE: c_int = 122;
    pub const BAD_RECORD_TYPE: c_int = 443;
    pub const EXCESSIVE_MESSAGE_SIZE: c_int = 152;
    pub const NO_COMPRESSION_SPECIFIED: c_int = 187;
    pub const BAD_DH_VALUE: c_int = 102;
    pub const NOT_ON_RECORD_BOUNDARY: c_int = 182;
    pub const RECORD_TOO_SMALL: c_int = 298;
    pub const TOO_MANY_WARN_ALERTS: c_int = 409;
    pub const TOO_MANY_KEY_UPDATES: c_int = 132;
    pub const TOO_MUCH_EARLY_DATA: c_int = 164;
    pub const BINDER_DOES_NOT_VERIFY: c_int = 253;
    pub const INCONSISTENT_EXTMS: c_int = 104;
    pub const INAPPROPRIATE_FALLBACK: c_int = 373;
    pub const WRONG_CIPHER_RETURNED: c_int = 261;
    pub const WRONG_SIGNATURE_TYPE: c_int = 370;
    pub const UNSOLICITED_EXTENSION: c_int = 217;
    pub const MISSING_SIGALGS_EXTENSION: c_int = 112;
    pub const MISSING_SUPPORTED_GROUPS_EXTENSION: c_int = 209;
    pub const DIGEST_CHECK_FAILED: c_int = 149;
    pub const DATA_BETWEEN_CCS_AND_FINISHED: c_int = 145;
    pub const INVALID_ALERT: c_int = 205;
    pub const INVALID_CCS_MESSAGE: c_int = 260;
    pub const VERSION_TOO_LOW: c_int = 396;
    pub const ERROR_IN_SYSTEM_DEFAULT_CONFIG: c_int = 419;
    /// `SSL_AD_REASON_OFFSET`: an alert received from the peer is reported as this plus its code.
    pub const ALERT_OFFSET: c_int = 1000;
}

/// Everything that can go wrong, typed until the boundary.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A handle argument was NULL.
    NullHandle(&'static str),
    /// A handle argument was not a live object of the expected kind.
    BadHandle {
        expected: &'static str,
        found: Option<&'static str>,
    },
    /// A pointer or value argument was unusable.
    NullArgument(&'static str),
    /// A negative or oversized C length (`SSL_R_BAD_LENGTH`).
    BadLength(&'static str),
    InvalidArgument(String),
    /// The API was used out of order (e.g. `SSL_read` before any BIO was set).
    Misuse {
        reason: c_int,
        detail: String,
    },
    /// Something OpenSSL supports and rustls deliberately does not.
    Unsupported(String),
    /// A request ferrossl refuses (the "refused" class of ABI.md): the reason code OpenSSL
    /// uses for the closest failure, and what was asked.
    Refused {
        reason: c_int,
        detail: String,
    },
    /// A cipher string or suite list that selects nothing ferrossl can use.
    NoCipherMatch(String),
    /// A protocol-version range with nothing in it that rustls speaks.
    NoProtocols(String),
    /// An unknown or malformed group name.
    BadGroup(String),
    /// A certificate or key file could not be read or parsed (libcrypto queued the details).
    BadFile {
        reason: c_int,
        detail: String,
    },
    /// A certificate did not match its private key.
    KeyMismatch,
    /// The peer's certificate failed verification with this `X509_V_ERR_*` code.
    CertVerify {
        code: std::ffi::c_long,
        text: String,
    },
    /// The transport closed without a close_notify.
    UnexpectedEof,
    /// The transport failed.
    Syscall(io::Error),
    /// rustls refused the peer's messages, or the peer sent an alert.
    Tls(rustls::Error),
    /// A callback re-entered the API on the object that called it, where that cannot work.
    Reentrant(&'static str),
    /// A bug in ferrossl.
    Internal(String),
    /// A failure libcrypto has already put on the error queue; OpenSSL adds nothing of its own.
    Queued,
    /// An error queued exactly as OpenSSL queues it: its reason and its data, if any (the
    /// group-list grammar's errors).
    Exact {
        reason: c_int,
        data: Option<String>,
    },
}

impl Error {
    /// The OpenSSL reason code and the extra text queued with it.
    pub fn reason(&self) -> (c_int, Option<String>) {
        use reason as r;
        match self {
            Error::NullHandle(kind) => (r::PASSED_NULL_PARAMETER, Some(format!("{kind} is NULL"))),
            Error::BadHandle { expected, found } => (
                r::PASSED_INVALID_ARGUMENT,
                Some(match found {
                    Some(f) => format!("expected a live {expected}, got an {f}"),
                    None => format!("not a live {expected} (freed, or never allocated)"),
                }),
            ),
            Error::NullArgument(what) => {
                (r::PASSED_NULL_PARAMETER, Some(format!("{what} is NULL")))
            }
            Error::InvalidArgument(s) => (r::PASSED_INVALID_ARGUMENT, Some(s.clone())),
            Error::BadLength(what) => (r::BAD_LENGTH, Some(format!("{what} is out of range"))),
            Error::Refused { reason, detail } => (*reason, Some(detail.clone())),
            Error::Misuse { reason, detail } => (*reason, Some(detail.clone())),
            Error::Unsupported(s) => (r::UNSUPPORTED, Some(s.clone())),
            Error::NoCipherMatch(s) => (r::NO_CIPHER_MATCH, Some(s.clone())),
            Error::NoProtocols(s) => (r::NO_PROTOCOLS_AVAILABLE, Some(s.clone())),
            Error::BadGroup(s) => (r::UNSUPPORTED_ELLIPTIC_CURVE, Some(s.clone())),
            Error::BadFile { reason, detail } => (*reason, Some(detail.clone())),
            Error::KeyMismatch => (
                r::X509_LIB,
                Some("key values mismatch: the private key does not match the certificate".into()),
            ),
            Error::CertVerify { code, text } => (
                r::CERTIFICATE_VERIFY_FAILED,
                Some(format!("verify error:num={code}:{text}")),
            ),
            Error::UnexpectedEof => (r::UNEXPECTED_EOF_WHILE_READING, None),
            Error::Syscall(e) => (r::SYS_LIB, Some(e.to_string())),
            Error::Tls(e) => (
                super::tls_reasons::reason_of(e),
                Some(format!("rustls: {e}")),
            ),
            Error::Reentrant(what) => (
                r::INTERNAL_ERROR,
                Some(format!(
                    "{what} was called re-entrantly from a callback on the same object"
                )),
            ),
            Error::Internal(s) => (r::INTERNAL_ERROR, Some(s.clone())),
            Error::Queued => (0, None),
            Error::Exact { reason, data } => (*reason, data.clone()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (code, text) = self.reason();
        write!(f, "reason {code}: {}", text.unwrap_or_default())
    }
}

impl From<rustls::Error> for Error {
    fn from(e: rustls::Error) -> Self {
        Error::Tls(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
