//! The PKI of the verification cases, made at test time with the stock `openssl` CLI (`req` for
//! the requests, `ca` for every certificate, so that dates can lie in the past or the future).
//!
//! One root (`root`) and one intermediate (`int`) issue most leaves. Variants of a CA keep its
//! subject and key and change one thing (dates, extensions), so the usual leaf chains to them:
//! the server then sends `leaf` with the variant, or the client trusts the variant root.
//! Files: `<name>.pem` (certificate), `key-<key>.pem` (keys), `crl.pem`, `hashed/`.

use std::fs;
use std::path::Path;

use super::common::openssl;

const CA_CNF: &str = r"
[ca]
default_ca = vd
[vd]
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = default
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
default_days = 3650
default_crl_days = 30
[anything]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused

[x_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[x_root_eku_email]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
[x_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[x_ca_pathlen0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[x_ca_eku_client]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[x_ca_not_ca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[x_ca_no_certsign]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[x_ca_nc_permitted]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[x_ca_nc_excluded]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,excluded;DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[x_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[x_leaf_client_only]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
[x_leaf_certsign_only]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
[x_leaf_no_san]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
[x_leaf_wildcard]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.example.test
authorityKeyIdentifier = keyid
[x_leaf_ip_only]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
authorityKeyIdentifier = keyid
[x_leaf_other_name]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.test
authorityKeyIdentifier = keyid
[x_leaf_unknown_critical]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
1.3.6.1.4.1.55555.7 = critical,ASN1:NULL
[x_leaf_self_signed]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
";

/// Validity of a certificate: ten years from now, or fixed dates.
#[derive(Clone, Copy)]
enum Dates {
    Current,
    Expired,
    NotYetValid,
}

/// One certificate: file name, key, subject CN, issuer (certificate name, or None: self-signed),
/// extension section, validity, digest (None: the key type's default).
struct Cert {
    name: &'static str,
    key: &'static str,
    cn: &'static str,
    issuer: Option<&'static str>,
    ext: &'static str,
    dates: Dates,
    md: Option<&'static str>,
}

const fn c(
    name: &'static str,
    key: &'static str,
    cn: &'static str,
    issuer: Option<&'static str>,
    ext: &'static str,
) -> Cert {
    Cert {
        name,
        key,
        cn,
        issuer,
        ext,
        dates: Dates::Current,
        md: None,
    }
}

const ROOT: &str = "VD Root CA";
const INT: &str = "VD Intermediate CA";

/// Keys: name and `genpkey` arguments.
const KEYS: &[(&str, &str)] = &[
    ("root", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"),
    ("int", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"),
    ("int2", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"),
    ("leaf", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"),
    (
        "other-root",
        "-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
    ),
    ("p384", "-algorithm EC -pkeyopt ec_paramgen_curve:P-384"),
    ("p521", "-algorithm EC -pkeyopt ec_paramgen_curve:P-521"),
    ("rsa1024", "-algorithm RSA -pkeyopt rsa_keygen_bits:1024"),
    ("rsa2048", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"),
    ("rsapss", "-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048"),
    ("ed-root", "-algorithm ED25519"),
    ("ed-int", "-algorithm ED25519"),
    ("ed-leaf", "-algorithm ED25519"),
    ("ed448", "-algorithm ED448"),
];

/// Every certificate, issuers before what they issue.
fn certs() -> Vec<Cert> {
    let root = Some("root");
    let int = Some("int");
    vec![
        c("root", "root", ROOT, None, "root"),
        Cert {
            dates: Dates::Expired,
            ..c("root-expired", "root", ROOT, None, "root")
        },
        c("root-eku-email", "root", ROOT, None, "root_eku_email"),
        c("int", "int", INT, root, "ca"),
        Cert {
            dates: Dates::Expired,
            ..c("int-expired", "int", INT, root, "ca")
        },
        c("int-pathlen0", "int", INT, root, "ca_pathlen0"),
        c("int-eku-client", "int", INT, root, "ca_eku_client"),
        c("int-not-ca", "int", INT, root, "ca_not_ca"),
        c("int-no-certsign", "int", INT, root, "ca_no_certsign"),
        c("int-nc-permitted", "int", INT, root, "ca_nc_permitted"),
        c("int-nc-excluded", "int", INT, root, "ca_nc_excluded"),
        c("int2", "int2", "VD Second Intermediate CA", int, "ca"),
        c("leaf", "leaf", "localhost", int, "leaf"),
        c("leaf-deep", "leaf", "deep.localhost", Some("int2"), "leaf"),
        Cert {
            dates: Dates::Expired,
            ..c("leaf-expired", "leaf", "expired", int, "leaf")
        },
        Cert {
            dates: Dates::Expired,
            ..c(
                "leaf-expired-client-only",
                "leaf",
                "expired client",
                int,
                "leaf_client_only",
            )
        },
        Cert {
            dates: Dates::NotYetValid,
            ..c("leaf-not-yet-valid", "leaf", "not yet valid", int, "leaf")
        },
        c("leaf-revoked", "leaf", "revoked", int, "leaf"),
        c(
            "leaf-client-only",
            "leaf",
            "client only",
            int,
            "leaf_client_only",
        ),
        c(
            "leaf-certsign-only",
            "leaf",
            "certsign only",
            int,
            "leaf_certsign_only",
        ),
        c("leaf-cn-only", "leaf", "localhost", int, "leaf_no_san"),
        c("leaf-wildcard", "leaf", "wildcard", int, "leaf_wildcard"),
        c("leaf-ip-only", "leaf", "ip only", int, "leaf_ip_only"),
        c(
            "leaf-other-name",
            "leaf",
            "other.test",
            int,
            "leaf_other_name",
        ),
        c(
            "leaf-critical",
            "leaf",
            "critical",
            int,
            "leaf_unknown_critical",
        ),
        c(
            "leaf-self-signed",
            "leaf",
            "localhost",
            None,
            "leaf_self_signed",
        ),
        c("leaf-p384", "p384", "p384", int, "leaf"),
        c("leaf-p521", "p521", "p521", int, "leaf"),
        c("leaf-rsa1024", "rsa1024", "rsa1024", int, "leaf"),
        c("leaf-rsa2048", "rsa2048", "rsa2048", int, "leaf"),
        c("leaf-rsapss", "rsapss", "rsapss", int, "leaf"),
        c("leaf-ed448", "ed448", "ed448", int, "leaf"),
        Cert {
            md: Some("sha1"),
            ..c("leaf-sha1", "leaf", "sha1", int, "leaf")
        },
        c("other-root", "other-root", "Other Root CA", None, "root"),
        c(
            "other-leaf",
            "leaf",
            "localhost",
            Some("other-root"),
            "leaf",
        ),
        c("ed-root", "ed-root", "VD Ed25519 Root", None, "root"),
        c(
            "ed-int",
            "ed-int",
            "VD Ed25519 Intermediate",
            Some("ed-root"),
            "ca",
        ),
        c("ed-leaf", "ed-leaf", "ed25519", Some("ed-int"), "leaf"),
    ]
}

/// Writes the PKI into `dir` and returns nothing; files are named as in [`certs`] and the
/// bundles below.
pub fn generate(dir: &Path) {
    fs::write(dir.join("ca.cnf"), CA_CNF).unwrap();
    fs::write(dir.join("index.txt"), "").unwrap();
    fs::write(dir.join("serial"), "1000\n").unwrap();
    fs::create_dir_all(dir.join("newcerts")).unwrap();
    let run = |cmdline: &str, extra: &[&str]| {
        let mut args: Vec<&str> = cmdline.split_whitespace().collect();
        args.extend_from_slice(extra);
        openssl(&args, dir);
    };
    for (name, alg) in KEYS {
        run(&format!("genpkey {alg} -out key-{name}.pem"), &[]);
    }
    for cert in certs() {
        let subj = format!("/O=verify diff/CN={}", cert.cn);
        let name = cert.name;
        run(
            &format!(
                "req -config ca.cnf -new -key key-{}.pem -out {name}.csr",
                cert.key
            ),
            &["-subj", &subj],
        );
        let mut cmd = format!(
            "ca -config ca.cnf -batch -notext -preserveDN -in {name}.csr -out {name}.pem \
             -extfile ca.cnf -extensions x_{}",
            cert.ext
        );
        match cert.issuer {
            None => cmd += &format!(" -selfsign -keyfile key-{}.pem", cert.key),
            Some(issuer) => {
                let key = key_of(issuer);
                cmd += &format!(" -cert {issuer}.pem -keyfile key-{key}.pem");
            }
        }
        match cert.dates {
            Dates::Current => cmd += " -days 3650",
            Dates::Expired => cmd += " -startdate 20200101000000Z -enddate 20210101000000Z",
            Dates::NotYetValid => cmd += " -startdate 20400101000000Z -enddate 20410101000000Z",
        }
        if let Some(md) = cert.md {
            cmd += &format!(" -md {md}");
        }
        run(&cmd, &[]);
    }
    // The CRL of the intermediate, revoking leaf-revoked; then root + CRL as a CA file.
    run(
        "ca -config ca.cnf -revoke leaf-revoked.pem -cert int.pem -keyfile key-int.pem",
        &[],
    );
    run(
        "ca -config ca.cnf -gencrl -crldays 30 -cert int.pem -keyfile key-int.pem -out crl.pem",
        &[],
    );
    let cat = |out: &str, parts: &[&str]| {
        let text: String = parts
            .iter()
            .map(|p| fs::read_to_string(dir.join(p)).unwrap())
            .collect();
        fs::write(dir.join(out), text).unwrap();
    };
    // The root with trust settings (`TRUSTED CERTIFICATE`): rejected for serverAuth, trusted
    // for clientAuth only, trusted for serverAuth.
    for (out, how) in [
        ("root-rejected", "-addreject serverAuth"),
        ("root-clientauth", "-addtrust clientAuth"),
        ("root-serverauth", "-addtrust serverAuth"),
    ] {
        run(
            &format!("x509 -in root.pem {how} -trustout -out {out}.pem"),
            &[],
        );
    }
    cat("root+crl.pem", &["root.pem", "crl.pem"]);
    cat("root+int.pem", &["root.pem", "int.pem"]);
    cat(
        "bundle.pem",
        &["other-root.pem", "ed-root.pem", "root.pem", "int.pem"],
    );
    // A hashed CA directory (`openssl rehash`) with the root and the intermediate.
    let hashed = dir.join("hashed");
    fs::create_dir_all(&hashed).unwrap();
    for f in ["root.pem", "int.pem"] {
        fs::copy(dir.join(f), hashed.join(f)).unwrap();
    }
    run("rehash hashed", &[]);
    // Sanity: the plain chains verify with the stock openssl.
    run("verify -CAfile root.pem -untrusted int.pem leaf.pem", &[]);
    run(
        "verify -CAfile ed-root.pem -untrusted ed-int.pem ed-leaf.pem",
        &[],
    );
}

/// The key file stem of certificate `name`.
pub fn key_of(name: &str) -> &'static str {
    certs()
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.key)
        .unwrap_or_else(|| panic!("no certificate {name}"))
}
