//! The one table from rustls's errors to the reason codes OpenSSL queues for the same
//! condition (`<openssl/sslerr.h>`; where OpenSSL raises them, in its `ssl/record` and
//! `ssl/statem`). Programs choose a failure's log level and message from the reason (nginx,
//! haproxy), and operators' filters match OpenSSL's texts, so a condition both libraries detect
//! gets OpenSSL's code; what only rustls detects keeps the closest one.

use std::ffi::c_int;

use rustls::PeerMisbehaved as PM;
use rustls::{ContentType, Error as E, InvalidMessage as IM, PeerIncompatible as PI};

use super::error::reason as r;

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
        IM::InvalidContentType => r::UNEXPECTED_RECORD,
        IM::MessageTooLarge => r::PACKET_LENGTH_TOO_LONG,
        // TLS 1.3 alert and handshake records must not be empty.
        IM::InvalidEmptyPayload => r::BAD_LENGTH,
        IM::InvalidCcs => r::BAD_CHANGE_CIPHER_SPEC,
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
        PM::IllegalMiddleboxChangeCipherSpec => r::UNEXPECTED_CCS_MESSAGE,
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
        PI::ServerDoesNotSupportTls12Or13
        | PI::ServerTlsVersionIsDisabledByOurConfig
        | PI::Tls12NotOffered
        | PI::Tls12NotOfferedOrEnabled
        | PI::Tls13RequiredForQuic
        | PI::SupportedVersionsExtensionRequired => r::UNSUPPORTED_PROTOCOL,
        _ => r::SSL_HANDSHAKE_FAILURE,
    }
}
