//! Debian's unmodified ruby 3.1 (`/usr/bin/ruby`, the `openssl` extension of libruby3.1) on
//! ferrossl, through `LD_LIBRARY_PATH` and `LD_PRELOAD`, against stock OpenSSL peers:
//!
//! - client: `Net::HTTP` GETs a random file from `openssl s_server -WWW` with `VERIFY_PEER` and
//!   the test CA (TLS 1.3 and TLS 1.2), and fails with "certificate verify failed" against a CA
//!   that did not issue the server's certificate (tests/scripts/ruby_client.rb);
//! - server: an `OpenSSL::SSL::SSLServer` over a `TCPServer` serves the test PKI's certificate
//!   and chain to a verifying `openssl s_client`, which sends random lines that the server
//!   answers reversed (tests/scripts/ruby_server.rb).
//!
//! The same scenarios on stock OpenSSL prove the test itself.

mod common;

use std::time::Duration;

use common::progs::{assert_maps, random_hex, scripted_fetch, Lib, Proc, Tls};
use common::{path_str, pki, KeyAlg, Mode};

const RUBY: &str = "/usr/bin/ruby";
const PACKAGE: &str = "libruby3.1";
const TIMEOUT: Duration = Duration::from_secs(30);

fn script(name: &str) -> String {
    path_str(&common::repo_root().join("tests/scripts").join(name))
}

fn ruby_client_fetches_a_verified_page(lib: Lib, tls: Tls) {
    let fetched = scripted_fetch(RUBY, "ruby_client.rb", lib, tls, "ruby (Net::HTTP)");
    let log = fetched.log;
    let want = format!(
        "status 200 {} peer /O=ferrossl tests/CN=localhost\n",
        tls.name()
    );
    assert!(log.contains(&want), "expected {want:?} from ruby:\n{log}");
    // OpenSSL's message, with the state OpenSSL reports after a failed handshake.
    let refused = "untrusted: OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr=";
    let reason =
        "state=error: certificate verify failed (unable to get local issuer certificate)\n";
    assert!(
        log.lines()
            .any(|l| l.starts_with(refused) && format!("{l}\n").ends_with(reason)),
        "ruby did not refuse the untrusted server as on OpenSSL:\n{log}"
    );
    common::progs::report(
        "ruby openssl (Net::HTTP client)",
        PACKAGE,
        lib,
        &format!(
            "verified HTTPS GET of {} bytes from openssl s_server over {}; untrusted CA refused",
            fetched.bytes,
            tls.name()
        ),
    );
}

fn ruby_server_echoes_to_s_client(lib: Lib, tls: Tls) {
    let cert = pki().server(KeyAlg::Rsa2048);
    let token = random_hex(16);
    let (ruby, port) = Proc::server(
        "ruby-server",
        |port| {
            let mut cmd = common::command(RUBY);
            cmd.arg(script("ruby_server.rb"))
                .arg(port.to_string())
                .arg(&cert.cert)
                .arg(&cert.key)
                .arg(pki().intermediate_ca())
                .arg(&token);
            lib.apply(&mut cmd);
            cmd
        },
        Some("READY"),
    );
    assert_maps(ruby.pid(), lib, "ruby (SSLServer)");

    let sent = common::progs::s_client_reverse_echo(port, tls.flag(), &ruby, &token);

    let ended = ruby.wait(TIMEOUT);
    assert!(ended.status.success(), "ruby failed:\n{}", ended.log);
    for want in [
        format!("session {} ", tls.name()),
        format!("received {} lines {} bytes\n", sent.lines.len(), sent.bytes),
    ] {
        assert!(
            ended.log.contains(&want),
            "{want:?} missing:\n{}",
            ended.log
        );
    }
    common::progs::report(
        "ruby openssl (SSLServer)",
        PACKAGE,
        lib,
        &format!(
            "{} lines ({} bytes) from a verifying openssl s_client echoed reversed over {}",
            sent.lines.len(),
            sent.bytes,
            tls.name()
        ),
    );
}

#[test]
fn ruby_on_ferrossl_library_path_fetches_a_verified_page() {
    for tls in [Tls::V13, Tls::V12] {
        ruby_client_fetches_a_verified_page(Lib::Ours(Mode::LibraryPath), tls);
    }
}

#[test]
fn ruby_on_ferrossl_preload_fetches_a_verified_page() {
    ruby_client_fetches_a_verified_page(Lib::Ours(Mode::Preload), Tls::V13);
}

#[test]
fn ruby_on_stock_fetches_a_verified_page() {
    ruby_client_fetches_a_verified_page(Lib::Stock, Tls::V13);
}

#[test]
fn ruby_server_on_ferrossl_library_path_echoes_to_s_client() {
    for tls in [Tls::V13, Tls::V12] {
        ruby_server_echoes_to_s_client(Lib::Ours(Mode::LibraryPath), tls);
    }
}

#[test]
fn ruby_server_on_ferrossl_preload_echoes_to_s_client() {
    ruby_server_echoes_to_s_client(Lib::Ours(Mode::Preload), Tls::V13);
}

#[test]
fn ruby_server_on_stock_echoes_to_s_client() {
    ruby_server_echoes_to_s_client(Lib::Stock, Tls::V13);
}
