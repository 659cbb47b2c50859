//! The cases of tests/verify_differential.rs: what the peer presents, the options of
//! tests/c/verify_diff.c, and the verification result (X509_V_ERR_*) OpenSSL gives for each
//! connection. Arguments starting with `@` name files of the PKI directory (see pki.rs). The
//! cases about connections (several per SSL_CTX, TLS 1.2, verifying clients) are in
//! connections.rs.

/// Who the C program talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    /// It connects to an `openssl s_server` serving certificate `cert` (key from pki.rs) and
    /// the intermediates `chain` (in this order; none: the leaf alone).
    Server {
        cert: &'static str,
        chain: &'static [&'static str],
    },
    /// It accepts from an `openssl s_client` presenting a certificate of the harness's PKI
    /// (tests/common `pki()`), as a server verifying a client.
    Client(ClientCert),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientCert {
    /// `client`: clientAuth, issued by the root.
    Valid,
    /// `server-ecdsa` with its intermediate: serverAuth only.
    ServerAuthOnly,
    /// `untrusted-server`: issued by an unrelated root.
    Untrusted,
    /// No certificate.
    None,
}

pub struct Case {
    pub name: &'static str,
    pub peer: Peer,
    pub args: &'static [&'static str],
    /// SSL_get_verify_result after each connection, with SSL_VERIFY_PEER (the same with
    /// SSL_VERIFY_NONE when the C program is the client: it still verifies).
    pub codes: &'static [i64],
    /// Whether the SSL_VERIFY_PEER handshake succeeds when it would not follow from the code:
    /// a verify callback that accepts the error, or a missing client certificate.
    pub handshake: Option<bool>,
}

pub const fn srv(cert: &'static str, chain: &'static [&'static str]) -> Peer {
    Peer::Server { cert, chain }
}

pub const LEAF: Peer = srv("leaf", &["int"]);
pub const LEAF_ALONE: Peer = srv("leaf", &[]);

pub const fn case(
    name: &'static str,
    peer: Peer,
    args: &'static [&'static str],
    codes: &'static [i64],
) -> Case {
    Case {
        name,
        peer,
        args,
        codes,
        handshake: None,
    }
}

pub const ROOT: &str = "@root.pem";

/// The cases about certificates and trust stores, one connection each.
pub const CASES: &[Case] = &[
    // Chains that verify, and where the trust anchors come from.
    case(
        "valid",
        LEAF,
        &["--cafile", ROOT, "--host", "localhost"],
        &[0],
    ),
    case(
        "valid-ip",
        LEAF,
        &["--cafile", ROOT, "--ip", "127.0.0.1"],
        &[0],
    ),
    case(
        "valid-set1-host-ip",
        LEAF,
        &["--cafile", ROOT, "--host", "127.0.0.1"],
        &[0],
    ),
    case("valid-no-name", LEAF, &["--cafile", ROOT], &[0]),
    case(
        "valid-purpose-any",
        LEAF,
        &["--cafile", ROOT, "--purpose", "any"],
        &[0],
    ),
    case(
        "valid-x509-strict",
        LEAF,
        &["--cafile", ROOT, "--flag", "x509_strict"],
        &[0],
    ),
    case(
        "store-add-cert",
        LEAF,
        &["--store-add", ROOT, "--host", "localhost"],
        &[0],
    ),
    case(
        "intermediate-not-sent",
        LEAF_ALONE,
        &["--cafile", ROOT],
        &[20],
    ),
    case(
        "intermediate-in-cafile",
        LEAF_ALONE,
        &["--cafile", "@root+int.pem"],
        &[0],
    ),
    case(
        "bundle-cafile",
        LEAF_ALONE,
        &["--cafile", "@bundle.pem", "--host", "localhost"],
        &[0],
    ),
    case(
        "hashed-dir",
        LEAF_ALONE,
        &["--capath", "@hashed", "--host", "localhost"],
        &[0],
    ),
    case(
        "hashed-dir-untrusted",
        srv("other-leaf", &[]),
        &["--capath", "@hashed"],
        &[20],
    ),
    // Trust.
    case(
        "untrusted-root",
        srv("other-leaf", &[]),
        &["--cafile", ROOT],
        &[20],
    ),
    case(
        "untrusted-root-sent",
        srv("other-leaf", &["other-root"]),
        &["--cafile", ROOT],
        &[19],
    ),
    case(
        "self-signed-leaf",
        srv("leaf-self-signed", &[]),
        &["--cafile", ROOT],
        &[18],
    ),
    case("no-trust-anchors", LEAF, &[], &[20]),
    case(
        "intermediate-trusted",
        LEAF,
        &["--cafile", "@int.pem"],
        &[2],
    ),
    case(
        "partial-chain",
        LEAF,
        &["--cafile", "@int.pem", "--flag", "partial_chain"],
        &[0],
    ),
    case(
        "partial-chain-store-flag",
        LEAF,
        &["--store-add", "@int.pem", "--store-flag", "partial_chain"],
        &[0],
    ),
    case(
        "root-trust-rejected",
        LEAF,
        &["--cafile", "@root-rejected.pem"],
        &[28],
    ),
    case(
        "root-trust-clientauth-only",
        LEAF,
        &["--cafile", "@root-clientauth.pem"],
        &[28],
    ),
    case(
        "root-trust-serverauth",
        LEAF,
        &["--cafile", "@root-serverauth.pem"],
        &[0],
    ),
    // What the server sends besides its chain.
    case(
        "root-sent-too",
        srv("leaf", &["int", "root"]),
        &["--cafile", ROOT],
        &[0],
    ),
    case(
        "chain-out-of-order",
        srv("leaf", &["root", "int"]),
        &["--cafile", ROOT],
        &[0],
    ),
    case(
        "chain-with-unrelated-cert",
        srv("leaf", &["other-root", "int"]),
        &["--cafile", ROOT],
        &[0],
    ),
    // Validity periods.
    case(
        "expired-leaf",
        srv("leaf-expired", &["int"]),
        &["--cafile", ROOT],
        &[10],
    ),
    case(
        "not-yet-valid-leaf",
        srv("leaf-not-yet-valid", &["int"]),
        &["--cafile", ROOT],
        &[9],
    ),
    case(
        "expired-intermediate",
        srv("leaf", &["int-expired"]),
        &["--cafile", ROOT],
        &[10],
    ),
    case(
        "expired-root",
        LEAF,
        &["--cafile", "@root-expired.pem"],
        &[10],
    ),
    case(
        "expired-leaf-no-check-time",
        srv("leaf-expired", &["int"]),
        &["--cafile", ROOT, "--flag", "no_check_time"],
        &[0],
    ),
    Case {
        handshake: Some(true),
        ..case(
            "callback-accepts-expired",
            srv("leaf-expired", &["int"]),
            &["--cafile", ROOT, "--accept-error", "10"],
            &[10],
        )
    },
    case(
        "callback-accepts-other",
        srv("leaf-expired", &["int"]),
        &["--cafile", ROOT, "--accept-error", "62"],
        &[10],
    ),
    // Several problems at once: which one is reported, and every one the callback sees.
    case(
        "expired-and-wrong-host",
        srv("leaf-expired", &["int"]),
        &["--cafile", ROOT, "--host", "other.example"],
        &[62],
    ),
    case(
        "expired-and-eku-client-only",
        srv("leaf-expired-client-only", &["int"]),
        &["--cafile", ROOT],
        &[26],
    ),
    Case {
        handshake: Some(true),
        ..case(
            "callback-accepts-all",
            srv("leaf-expired-client-only", &["int"]),
            &[
                "--cafile",
                ROOT,
                "--host",
                "other.example",
                "--accept-error",
                "all",
            ],
            &[10],
        )
    },
    // Names.
    case(
        "host-uppercase",
        LEAF,
        &["--cafile", ROOT, "--host", "LOCALHOST"],
        &[0],
    ),
    case(
        "host-trailing-dot",
        LEAF,
        &["--cafile", ROOT, "--host", "localhost."],
        &[62],
    ),
    case(
        "add-host-second-matches",
        LEAF,
        &[
            "--cafile",
            ROOT,
            "--host",
            "other.example",
            "--add-host",
            "localhost",
        ],
        &[0],
    ),
    case(
        "wrong-host",
        LEAF,
        &["--cafile", ROOT, "--host", "other.example"],
        &[62],
    ),
    case(
        "cn-only",
        srv("leaf-cn-only", &["int"]),
        &["--cafile", ROOT, "--host", "localhost"],
        &[0],
    ),
    case(
        "cn-only-never-check-subject",
        srv("leaf-cn-only", &["int"]),
        &[
            "--cafile",
            ROOT,
            "--host",
            "localhost",
            "--hostflag",
            "never_check_subject",
        ],
        &[62],
    ),
    case(
        "wildcard-one-label",
        srv("leaf-wildcard", &["int"]),
        &["--cafile", ROOT, "--host", "a.example.test"],
        &[0],
    ),
    case(
        "wildcard-two-labels",
        srv("leaf-wildcard", &["int"]),
        &["--cafile", ROOT, "--host", "a.b.example.test"],
        &[62],
    ),
    case(
        "wildcard-bare-domain",
        srv("leaf-wildcard", &["int"]),
        &["--cafile", ROOT, "--host", "example.test"],
        &[62],
    ),
    case(
        "wildcard-no-wildcards-flag",
        srv("leaf-wildcard", &["int"]),
        &[
            "--cafile",
            ROOT,
            "--host",
            "a.example.test",
            "--hostflag",
            "no_wildcards",
        ],
        &[62],
    ),
    case(
        "ip-san",
        srv("leaf-ip-only", &["int"]),
        &["--cafile", ROOT, "--ip", "127.0.0.1"],
        &[0],
    ),
    case(
        "ip-mismatch",
        LEAF,
        &["--cafile", ROOT, "--ip", "127.0.0.2"],
        &[64],
    ),
    case(
        "dns-host-ip-only-cert",
        srv("leaf-ip-only", &["int"]),
        &["--cafile", ROOT, "--host", "localhost"],
        &[62],
    ),
    // Chain length and CA constraints.
    case(
        "depth-0",
        srv("leaf-deep", &["int2", "int"]),
        &["--cafile", ROOT, "--depth", "0"],
        &[22],
    ),
    case(
        "depth-1",
        srv("leaf-deep", &["int2", "int"]),
        &["--cafile", ROOT, "--depth", "1"],
        &[22],
    ),
    case(
        "depth-2",
        srv("leaf-deep", &["int2", "int"]),
        &["--cafile", ROOT, "--depth", "2"],
        &[0],
    ),
    case(
        "pathlen-0-violated",
        srv("leaf-deep", &["int2", "int-pathlen0"]),
        &["--cafile", ROOT],
        &[25],
    ),
    case(
        "intermediate-not-ca",
        srv("leaf", &["int-not-ca"]),
        &["--cafile", ROOT],
        &[79],
    ),
    case(
        "intermediate-no-certsign",
        srv("leaf", &["int-no-certsign"]),
        &["--cafile", ROOT],
        &[79],
    ),
    case(
        "name-constraints-permitted",
        srv("leaf", &["int-nc-permitted"]),
        &["--cafile", ROOT, "--host", "localhost"],
        &[0],
    ),
    case(
        "name-constraints-not-permitted",
        srv("leaf-other-name", &["int-nc-permitted"]),
        &["--cafile", ROOT, "--host", "other.test"],
        &[47],
    ),
    case(
        "name-constraints-excluded",
        srv("leaf", &["int-nc-excluded"]),
        &["--cafile", ROOT, "--host", "localhost"],
        &[48],
    ),
    case(
        "unknown-critical-extension",
        srv("leaf-critical", &["int"]),
        &["--cafile", ROOT],
        &[34],
    ),
    // Purposes and key usages.
    case(
        "leaf-eku-client-only",
        srv("leaf-client-only", &["int"]),
        &["--cafile", ROOT],
        &[26],
    ),
    case(
        "intermediate-eku-client",
        srv("leaf", &["int-eku-client"]),
        &["--cafile", ROOT],
        &[26],
    ),
    case(
        "root-eku-email",
        LEAF,
        &["--cafile", "@root-eku-email.pem"],
        &[26],
    ),
    case(
        "leaf-ku-certsign-only",
        srv("leaf-certsign-only", &["int"]),
        &["--cafile", ROOT],
        &[26],
    ),
    case(
        "purpose-sslclient",
        LEAF,
        &["--cafile", ROOT, "--purpose", "sslclient"],
        &[26],
    ),
    // Key types, sizes and digests.
    case(
        "rsa-pss-leaf",
        srv("leaf-rsapss", &["int"]),
        &["--cafile", ROOT, "--host", "localhost"],
        &[0],
    ),
    case(
        "ed25519-chain",
        srv("ed-leaf", &["ed-int"]),
        &["--cafile", "@ed-root.pem"],
        &[0],
    ),
    case(
        "ed448-leaf",
        srv("leaf-ed448", &["int"]),
        &["--cafile", ROOT],
        &[0],
    ),
    case(
        "p384-leaf",
        srv("leaf-p384", &["int"]),
        &["--cafile", ROOT],
        &[0],
    ),
    case(
        "p521-leaf",
        srv("leaf-p521", &["int"]),
        &["--cafile", ROOT],
        &[0],
    ),
    case(
        "rsa1024-seclevel-1",
        srv("leaf-rsa1024", &["int"]),
        &["--cafile", ROOT, "--seclevel", "1"],
        &[0],
    ),
    case(
        "rsa1024-seclevel-2",
        srv("leaf-rsa1024", &["int"]),
        &["--cafile", ROOT, "--seclevel", "2"],
        &[66],
    ),
    case(
        "rsa2048-seclevel-3",
        srv("leaf-rsa2048", &["int"]),
        &["--cafile", ROOT, "--seclevel", "3"],
        &[66],
    ),
    case(
        "sha1-leaf",
        srv("leaf-sha1", &["int"]),
        &["--cafile", ROOT],
        &[68],
    ),
    // Revocation.
    case(
        "crl-revoked",
        srv("leaf-revoked", &["int"]),
        &["--cafile", "@root+crl.pem", "--flag", "crl_check"],
        &[23],
    ),
    case(
        "crl-not-revoked",
        LEAF,
        &["--cafile", "@root+crl.pem", "--flag", "crl_check"],
        &[0],
    ),
    case(
        "crl-missing",
        LEAF,
        &["--cafile", ROOT, "--flag", "crl_check"],
        &[3],
    ),
];

/// Every case: [`CASES`], then those about connections (`connections.rs`).
pub fn all() -> impl Iterator<Item = &'static Case> {
    CASES.iter().chain(super::connections::CASES)
}
