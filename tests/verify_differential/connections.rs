//! The cases of tests/verify_differential.rs about connections rather than certificates: several
//! connections with one SSL_CTX while its trust settings change, TLS 1.2, and the C program as a
//! server verifying clients. Types and helpers: cases.rs.

use super::cases::{case, srv, Case, ClientCert, Peer, LEAF, ROOT};

pub const CASES: &[Case] = &[
    // One SSL_CTX, several connections.
    case(
        "repeat-3",
        LEAF,
        &["--cafile", ROOT, "--host", "localhost", "--repeat", "3"],
        &[0, 0, 0],
    ),
    case(
        "repeat-untrusted",
        srv("other-leaf", &[]),
        &["--cafile", ROOT, "--repeat", "2"],
        &[20, 20],
    ),
    case(
        "store-changes",
        LEAF,
        &[
            "--store-add-later",
            ROOT,
            "--host",
            "localhost",
            "--repeat",
            "2",
        ],
        &[20, 0],
    ),
    case(
        "store-changes-partial-chain",
        LEAF,
        &[
            "--store-flag",
            "partial_chain",
            "--store-add-later",
            "@int.pem",
            "--repeat",
            "2",
        ],
        &[20, 0],
    ),
    // TLS 1.2 (the client's maximum).
    case(
        "tls12-valid",
        LEAF,
        &["--cafile", ROOT, "--host", "localhost", "--max-tls12"],
        &[0],
    ),
    case(
        "tls12-expired-leaf",
        srv("leaf-expired", &["int"]),
        &["--cafile", ROOT, "--max-tls12"],
        &[10],
    ),
    case(
        "tls12-untrusted-root",
        srv("other-leaf", &[]),
        &["--cafile", ROOT, "--max-tls12"],
        &[20],
    ),
    Case {
        handshake: Some(true),
        ..case(
            "tls12-callback-accepts-expired",
            srv("leaf-expired", &["int"]),
            &["--cafile", ROOT, "--accept-error", "10", "--max-tls12"],
            &[10],
        )
    },
    case(
        "store-loads-file-later",
        LEAF,
        &["--cafile-later", ROOT, "--repeat", "2"],
        &[20, 0],
    ),
    case(
        "store-flag-set-later",
        LEAF,
        &[
            "--cafile",
            "@int.pem",
            "--store-flag-later",
            "partial_chain",
            "--repeat",
            "2",
        ],
        &[2, 0],
    ),
    case(
        "store-replaced",
        LEAF,
        &["--store-replace-later", ROOT, "--repeat", "2"],
        &[20, 0],
    ),
    case(
        "store-replaced-by-empty",
        LEAF,
        &[
            "--cafile",
            ROOT,
            "--store-replace-later",
            "empty",
            "--repeat",
            "2",
        ],
        &[0, 20],
    ),
    case(
        "crl-loaded-later",
        srv("leaf-revoked", &["int"]),
        &[
            "--cafile",
            ROOT,
            "--flag",
            "crl_check",
            "--cafile-later",
            "@crl.pem",
            "--repeat",
            "2",
        ],
        &[3, 23],
    ),
    // The C program as a server verifying client certificates (from tests/common's PKI).
    case(
        "client-cert-valid",
        Peer::Client(ClientCert::Valid),
        &[],
        &[0],
    ),
    case(
        "client-cert-serverauth-only",
        Peer::Client(ClientCert::ServerAuthOnly),
        &[],
        &[26],
    ),
    case(
        "client-cert-untrusted",
        Peer::Client(ClientCert::Untrusted),
        &[],
        &[20],
    ),
    case(
        "client-cert-missing",
        Peer::Client(ClientCert::None),
        &[],
        &[0],
    ),
    Case {
        handshake: Some(false),
        ..case(
            "client-cert-missing-fail-if-no-peer-cert",
            Peer::Client(ClientCert::None),
            &["--fail-if-no-peer-cert"],
            &[0],
        )
    },
    case(
        "tls12-client-cert-valid",
        Peer::Client(ClientCert::Valid),
        &["--max-tls12"],
        &[0],
    ),
    case(
        "tls12-client-cert-untrusted",
        Peer::Client(ClientCert::Untrusted),
        &["--max-tls12"],
        &[20],
    ),
];
