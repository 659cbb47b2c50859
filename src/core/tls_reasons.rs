//! The one table from rustls's errors to the reason codes OpenSSL queues for the same
//! condition (`<openssl/sslerr.h>`; where OpenSSL raises them, in its `ssl/record` and
//! `ssl/statem`). Programs choose a failure's log level and message from the reason (nginx,
//! haproxy), and operators' filters match OpenSSL's texts, so a condition both libraries detect
//! gets OpenSSL's code; what only rustls detects keeps the closest one.

use std::ffi::c_int;

use rustls::{ContentType, Error as E, InvalidMessage as IM, PeerIncompatible as PI};
use rustls::{PeerMisbehaved as PM, ProtocolVersion};

use super::error::reason as r;

/// What the connection knew when rustls failed: OpenSSL's reason for some failures depends on
/// the protocol version, the record the failure came in, or the state of the handshake.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seen {
    /// The version negotiated (None: not yet).
    pub version: Option<ProtocolVersion>,
    pub handshaking: bool,
    /// The content type of the last record header read.
    pub record_type: Option<u8>,
    /// The peer has sent a ChangeCipherSpec record.
    pub peer_ccs: bool,
}

impl Seen {
    fn tls13(&self) -> bool {
        self.version == Some(ProtocolVersion::TLSv1_3)
    }
}

/// OpenSSL's reason for `e` where it depends on what the connection has seen; else
/// [`reason_of`].
pub fn reason_in(e: &E, seen: &Seen) -> c_int {
    const ALERT: Option<u8> = Some(21);
    const CCS: Option<u8> = Some(20);
    match e {
        // tls_process_cke_ecdhe (TLS 1.2) says bad key share, the TLS 1.3 key_share parser
        // bad ecpoint.
        E::PeerMisbehaved(PM::InvalidKeyShare)
            if seen.version == Some(ProtocolVersion::TLSv1_2) =>
        {
            r::BAD_KEY_SHARE
        }
        // rustls reports a wrong Finished as it reports a record that does not decrypt (both
        // DecryptError; the alerts differ: decrypt_error, bad_record_mac). During the handshake
        // it is taken for the Finished check (tls_process_finished: digest check failed).
        E::DecryptError if seen.handshaking => r::DIGEST_CHECK_FAILED,
        // Protected application data between the peer's ChangeCipherSpec and its Finished.
        E::InappropriateMessage {
            got_type: ContentType::ApplicationData,
            ..
        } if seen.handshaking && seen.peer_ccs && !seen.tls13() => r::DATA_BETWEEN_CCS_AND_FINISHED,
        // Empty records, and alerts too short to parse.
        E::InvalidMessage(IM::InvalidEmptyPayload) if seen.record_type == ALERT => {
            if seen.tls13() {
                r::BAD_LENGTH
            } else {
                r::INVALID_ALERT
            }
        }
        E::InvalidMessage(IM::InvalidEmptyPayload) if seen.record_type == CCS && seen.tls13() => {
            r::INVALID_CCS_MESSAGE
        }
        E::InvalidMessage(IM::InvalidEmptyPayload) if seen.record_type == CCS => {
            r::BAD_CHANGE_CIPHER_SPEC
        }
        E::InvalidMessage(IM::MissingData("AlertLevel" | "AlertDescription")) => {
            if seen.tls13() {
                r::BAD_LENGTH
            } else {
                r::INVALID_ALERT
            }
        }
        // A post-handshake message longer than its type allows (a KeyUpdate is one byte).
        E::InvalidMessage(IM::TrailingData("HandshakeMessagePayload")) if !seen.handshaking => {
            r::EXCESSIVE_MESSAGE_SIZE
        }
        _ => reason_of(e),
    }
}

/// The reason code OpenSSL uses for what rustls reports as `e`.
pub fn reason_of(e: &E) -> c_int {
    match e {
        E::AlertReceived(a) => r::ALERT_OFFSET + c_int::from(u8::from(*a)),
        E::InvalidMessage(m) => invalid_message(m),
        E::PeerMisbehaved(m) => misbehaved(m),
        E::PeerIncompatible(m) => incompatible(m),
        E::InappropriateMessage { got_type, .. } => match *got_type {
            // ssl3_read_bytes: application data during the handshake.
            ContentType::ApplicationData => r::UNEXPECTED_RECORD,
            ContentType::ChangeCipherSpec => r::UNEXPECTED_CCS_MESSAGE,
            _ => r::UNEXPECTED_MESSAGE,
        },
        E::InappropriateHandshakeMessage { .. } => r::UNEXPECTED_MESSAGE,
        // A record that does not decrypt (ssl3_get_record, tls13_enc).
        E::DecryptError => r::DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
        E::PeerSentOversizedRecord => r::DATA_LENGTH_TOO_LONG,
        E::InvalidCertificate(_) => r::CERTIFICATE_VERIFY_FAILED,
        E::NoCertificatesPresented => r::PEER_DID_NOT_RETURN_A_CERTIFICATE,
        E::NoApplicationProtocol => r::NO_APPLICATION_PROTOCOL,
        E::EncryptError | E::FailedToGetRandomBytes | E::FailedToGetCurrentTime => {
            r::INTERNAL_ERROR
        }
        _ => r::SSL_HANDSHAKE_FAILURE,
    }
}

/// Messages that do not parse: OpenSSL's decoders (`PACKET_*` failures in ssl/statem).
fn invalid_message(m: &IM) -> c_int {
    match m {
        // ssl3_get_record's header checks.
        IM::UnknownProtocolVersion => r::WRONG_VERSION_NUMBER,
        IM::InvalidContentType => r::UNEXPECTED_MESSAGE,
        IM::MessageTooLarge => r::PACKET_LENGTH_TOO_LONG,
        // TLS 1.3 alert and handshake records must not be empty.
        IM::InvalidEmptyPayload => r::BAD_LENGTH,
        IM::InvalidCcs | IM::TrailingData("ChangeCipherSpecPayload") => r::BAD_CHANGE_CIPHER_SPEC,
        IM::InvalidKeyUpdate => r::BAD_KEY_UPDATE,
        IM::HandshakePayloadTooLarge | IM::CertificatePayloadTooLarge => r::EXCESSIVE_MESSAGE_SIZE,
        IM::MessageTooShort | IM::MissingData(_) | IM::TrailingData(_) => r::LENGTH_MISMATCH,
        IM::UnsupportedCompression => r::NO_COMPRESSION_SPECIFIED,
        IM::DuplicateExtension(_)
        | IM::PreSharedKeyIsNotFinalExtension
        | IM::InvalidServerName
        | IM::IllegalEmptyList(_)
        | IM::IllegalEmptyValue
        | IM::NoSignatureSchemes
        | IM::UnknownHelloRetryRequestExtension
        | IM::UnknownCertificateExtension => r::BAD_EXTENSION,
        IM::InvalidDhParams => r::BAD_DH_VALUE,
        IM::UnexpectedMessage(_) => r::UNEXPECTED_MESSAGE,
        _ => r::LENGTH_MISMATCH,
    }
}

fn misbehaved(m: &PM) -> c_int {
    match m {
        // The peer's public value is not a point of the group (tls_parse_ctos_key_share,
        // tls_process_cke_ecdhe: EVP_PKEY_set1_encoded_public_key fails).
        PM::InvalidKeyShare => r::BAD_ECPOINT,
        PM::WrongGroupForKeyShare
        | PM::OfferedDuplicateKeyShares
        | PM::RefusedToFollowHelloRetryRequest
        | PM::SelectedUnofferedKxGroup
        | PM::IllegalHelloRetryRequestWithOfferedGroup
        | PM::IllegalHelloRetryRequestWithUnofferedNamedGroup => r::BAD_KEY_SHARE,
        PM::MissingKeyShare => r::NO_SUITABLE_KEY_SHARE,
        // A TLS 1.3 compatibility CCS that is not the one byte 1 (tls_get_message_header).
        PM::IllegalMiddleboxChangeCipherSpec => r::INVALID_CCS_MESSAGE,
        PM::IllegalTlsInnerPlaintext => r::BAD_RECORD_TYPE,
        PM::KeyEpochWithPendingFragment => r::NOT_ON_RECORD_BOUNDARY,
        PM::MessageInterleavedWithHandshakeMessage => r::UNEXPECTED_RECORD,
        PM::TooManyEmptyFragments => r::RECORD_TOO_SMALL,
        PM::TooManyWarningAlertsReceived => r::TOO_MANY_WARN_ALERTS,
        PM::TooManyKeyUpdateRequests => r::TOO_MANY_KEY_UPDATES,
        PM::TooManyRenegotiationRequests => r::NO_RENEGOTIATION,
        PM::TooMuchEarlyDataReceived => r::TOO_MUCH_EARLY_DATA,
        PM::IncorrectBinder => r::BINDER_DOES_NOT_VERIFY,
        PM::ResumptionAttemptedWithVariedEms | PM::ResumptionOfferedWithVariedEms => {
            r::INCONSISTENT_EXTMS
        }
        PM::AttemptedDowngradeToTls12WhenTls13IsSupported => r::INAPPROPRIATE_FALLBACK,
        PM::SelectedUnofferedCipherSuite
        | PM::SelectedUnusableCipherSuiteForVersion
        | PM::SelectedDifferentCipherSuiteAfterRetry => r::WRONG_CIPHER_RETURNED,
        PM::SignedHandshakeWithUnadvertisedSigScheme | PM::SignedKxWithWrongAlgorithm => {
            r::WRONG_SIGNATURE_TYPE
        }
        PM::UnsolicitedServerHelloExtension
        | PM::UnsolicitedEncryptedExtension
        | PM::UnsolicitedCertExtension
        | PM::UnsolicitedSctList
        | PM::UnsolicitedEchExtension => r::UNSOLICITED_EXTENSION,
        PM::DuplicateClientHelloExtensions
        | PM::DuplicateEncryptedExtensions
        | PM::DuplicateHelloRetryRequestExtensions
        | PM::DuplicateNewSessionTicketExtensions
        | PM::DuplicateServerHelloExtensions
        | PM::DuplicateServerNameTypes
        | PM::ServerNameMustContainOneHostName
        | PM::DisallowedEncryptedExtension
        | PM::UnexpectedCleartextExtension
        | PM::PskExtensionMustBeLast
        | PM::MissingPskModesExtension
        | PM::MissingBinderInPskExtension
        | PM::PskExtensionWithMismatchedIdsAndBinders => r::BAD_EXTENSION,
        PM::IllegalHelloRetryRequestWithUnsupportedVersion => r::UNSUPPORTED_PROTOCOL,
        PM::InvalidCertCompression => r::BAD_DECOMPRESSION,
        PM::OfferedIncorrectCompressions => r::NO_COMPRESSION_SPECIFIED,
        _ => r::SSL_HANDSHAKE_FAILURE,
    }
}

fn incompatible(m: &PI) -> c_int {
    match m {
        PI::NoCipherSuitesInCommon => r::NO_SHARED_CIPHER,
        // tls_parse_ctos_key_share / final_key_share: no group both sides support.
        PI::NoKxGroupsInCommon => r::NO_SUITABLE_KEY_SHARE,
        PI::NoSignatureSchemesInCommon | PI::NoCertificateRequestSignatureSchemesInCommon => {
            r::NO_SUITABLE_SIGNATURE_ALGORITHM
        }
        PI::NullCompressionRequired => r::NO_COMPRESSION_SPECIFIED,
        PI::SignatureAlgorithmsExtensionRequired => r::MISSING_SIGALGS_EXTENSION,
        PI::NamedGroupsExtensionRequired => r::MISSING_SUPPORTED_GROUPS_EXTENSION,
        // A ClientHello offering less than TLS 1.2 (ssl_choose_server_version).
        PI::Tls12NotOffered => r::VERSION_TOO_LOW,
        PI::ServerDoesNotSupportTls12Or13
        | PI::ServerTlsVersionIsDisabledByOurConfig
        | PI::Tls12NotOfferedOrEnabled
        | PI::Tls13RequiredForQuic
        | PI::SupportedVersionsExtensionRequired => r::UNSUPPORTED_PROTOCOL,
        _ => r::SSL_HANDSHAKE_FAILURE,
    }
}
