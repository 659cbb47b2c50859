//! Differential test of CA name lists and certificate slots: `tests/c/ca_certs.c` runs on
//! OpenSSL's libssl and on ferrossl's and both runs must print the same lines.
//!
//! It covers `SSL_add_file_cert_subjects_to_stack` (duplicates, a stack that has names already
//! and the order OpenSSL leaves it in, empty and missing files), `SSL_add_dir_cert_subjects_to_
//! stack` (subdirectories and non-certificate files, a missing directory),
//! `SSL_add_store_cert_subjects_to_stack`, `SSL_dup_CA_list`, `SSL_set_client_CA_list`,
//! `SSL_CTX_use_cert_and_key`/`SSL_use_cert_and_key` (override, mismatched keys, a second key
//! type; a handshake with the result), `SSL_certs_clear` and `SSL_get1_supported_ciphers`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::cprog::{build_c, compared_lines};
use common::*;

fn cat(files: &[PathBuf], extra: &str) -> String {
    let mut s: String = files
        .iter()
        .map(|f| fs::read_to_string(f).unwrap())
        .collect();
    s.push_str(extra);
    s
}

/// The files `ca_certs.c` reads (see its header).
fn prepare(dir: &Path) {
    let p = pki();
    let rsa = p.server(KeyAlg::Rsa2048);
    let ec = p.server(KeyAlg::EcdsaP256);
    let ed = p.server(KeyAlg::Ed25519);
    let client = p.client();
    let bundle = cat(
        &[
            p.root_ca(),
            p.untrusted_ca(),
            p.root_ca(),
            rsa.cert.clone(),
            client.cert.clone(),
        ],
        "not a certificate\n",
    ) + &fs::read_to_string(&ec.cert).unwrap();
    fs::write(dir.join("bundle.pem"), bundle).unwrap();
    fs::write(dir.join("empty.pem"), "").unwrap();
    fs::copy(p.intermediate_ca(), dir.join("inter.pem")).unwrap();
    let cadir = dir.join("cadir");
    fs::create_dir_all(cadir.join("sub")).unwrap();
    fs::copy(p.root_ca(), cadir.join("a.pem")).unwrap();
    fs::copy(&ed.cert, cadir.join("b.pem")).unwrap();
    fs::write(
        cadir.join("c.pem"),
        cat(&[p.untrusted_server().cert, p.root_ca()], ""),
    )
    .unwrap();
    fs::write(cadir.join("readme.txt"), "text\n").unwrap();
    fs::copy(&client.cert, cadir.join("sub/client.pem")).unwrap();
    fs::copy(&rsa.cert, dir.join("server.pem")).unwrap();
    fs::copy(&rsa.key, dir.join("server.key")).unwrap();
    fs::copy(&rsa.chain, dir.join("server.chain")).unwrap();
    fs::copy(&ec.cert, dir.join("ecdsa.pem")).unwrap();
    fs::copy(&ec.key, dir.join("ecdsa.key")).unwrap();
    fs::copy(&ec.chain, dir.join("ecdsa.chain")).unwrap();
    fs::copy(p.root_ca(), dir.join("root.pem")).unwrap();
}

fn lines(exe: &Path, dir: &Path, libdir: Option<&Path>) -> Vec<String> {
    compared_lines(exe, &[path_str(dir)], libdir)
}

#[test]
fn ca_lists_and_certificate_slots_match_openssl() {
    let exe = build_c("ca_certs");
    let dir = TempDir::new("ca_certs");
    prepare(dir.path());
    let stock = lines(&exe, dir.path(), None);
    assert!(stock.last().is_some_and(|l| l == "done"), "{stock:#?}");
    // The test means something only if the handshakes with the slots set worked on OpenSSL.
    assert!(
        stock
            .iter()
            .any(|l| l.starts_with("ssl cert_and_key: handshake client 1 server 1")),
        "{stock:#?}"
    );
    let ours = lines(&exe, dir.path(), Some(libdir()));
    for (i, (a, b)) in ours.iter().zip(&stock).enumerate() {
        assert_eq!(
            a, b,
            "line {i}: ferrossl (left) differs from OpenSSL (right)"
        );
    }
    assert_eq!(
        ours.len(),
        stock.len(),
        "ferrossl:\n{ours:#?}\nOpenSSL:\n{stock:#?}"
    );
}
