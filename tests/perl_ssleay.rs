//! Debian's unmodified perl 5.36 with Net::SSLeay (libnet-ssleay-perl, which links libssl) and
//! IO::Socket::SSL on ferrossl, through `LD_LIBRARY_PATH` and `LD_PRELOAD`, against stock
//! OpenSSL peers:
//!
//! - client: LWP::UserAgent (liblwp-protocol-https-perl) GETs a random file from
//!   `openssl s_server -WWW` with `SSL_ca_file` and `verify_hostname` (TLS 1.3 and TLS 1.2),
//!   and reports OpenSSL's "certificate verify failed" against a CA that did not issue the
//!   server's certificate (tests/scripts/perl_client.pl);
//! - server: an IO::Socket::SSL server (`SSL_server => 1`, the test PKI's chain and key) that a
//!   verifying `openssl s_client` sends random lines to, answered reversed
//!   (tests/scripts/perl_server.pl).
//!
//! The same scenarios on stock OpenSSL prove the test itself.

mod common;

use std::time::Duration;

use common::progs::{assert_maps, random_hex, scripted_fetch, Lib, Proc, Tls};
use common::{path_str, pki, KeyAlg, Mode};

const PERL: &str = "/usr/bin/perl";
const PACKAGE: &str = "libnet-ssleay-perl";
const TIMEOUT: Duration = Duration::from_secs(30);

fn script(name: &str) -> String {
    path_str(&common::repo_root().join("tests/scripts").join(name))
}

/// TLS 1.3 as IO::Socket::SSL's `get_sslversion` names it ("TLSv1_3").
fn perl_name(tls: Tls) -> String {
    tls.name().replace('.', "_")
}

fn lwp_fetches_a_verified_page(lib: Lib, tls: Tls) {
    let fetched = scripted_fetch(PERL, "perl_client.pl", lib, tls, "perl (LWP::UserAgent)");
    let log = fetched.log;
    let want = format!(
        "status 200 ok {} peer /O=ferrossl tests/CN=localhost\n",
        perl_name(tls)
    );
    assert!(log.contains(&want), "expected {want:?} from perl:\n{log}");
    let refused = format!(
        "untrusted: 500 Can't connect to localhost:{} (certificate verify failed) [SSL connect \
         attempt failed error:0A000086:SSL routines::certificate verify failed at ",
        fetched.port
    );
    assert!(
        log.contains(&refused),
        "LWP did not refuse the untrusted server as on OpenSSL:\n{log}"
    );
    common::progs::report(
        "perl LWP::UserAgent / IO::Socket::SSL (client)",
        PACKAGE,
        lib,
        &format!(
            "verified HTTPS GET of {} bytes from openssl s_server over {}; untrusted CA refused",
            fetched.bytes,
            perl_name(tls)
        ),
    );
}

fn io_socket_ssl_server_echoes_to_s_client(lib: Lib, tls: Tls) {
    let cert = pki().server(KeyAlg::Rsa2048);
    let token = random_hex(16);
    let (perl, port) = Proc::server(
        "perl-server",
        |port| {
            let mut cmd = common::command(PERL);
            cmd.arg(script("perl_server.pl"))
                .arg(port.to_string())
                .arg(&cert.chain)
                .arg(&cert.key)
                .arg(&token);
            lib.apply(&mut cmd);
            cmd
        },
        Some("READY"),
    );
    assert_maps(perl.pid(), lib, "perl (IO::Socket::SSL server)");

    let sent = common::progs::s_client_reverse_echo(port, tls.flag(), &perl, &token);

    let ended = perl.wait(TIMEOUT);
    assert!(ended.status.success(), "perl failed:\n{}", ended.log);
    for want in [
        format!("session {} ", perl_name(tls)),
        format!("received {} lines {} bytes\n", sent.lines.len(), sent.bytes),
    ] {
        assert!(
            ended.log.contains(&want),
            "{want:?} missing:\n{}",
            ended.log
        );
    }
    common::progs::report(
        "perl IO::Socket::SSL (server)",
        PACKAGE,
        lib,
        &format!(
            "{} lines ({} bytes) from a verifying openssl s_client echoed reversed over {}",
            sent.lines.len(),
            sent.bytes,
            perl_name(tls)
        ),
    );
}

#[test]
fn perl_on_ferrossl_library_path_fetches_a_verified_page() {
    for tls in [Tls::V13, Tls::V12] {
        lwp_fetches_a_verified_page(Lib::Ours(Mode::LibraryPath), tls);
    }
}

#[test]
fn perl_on_ferrossl_preload_fetches_a_verified_page() {
    lwp_fetches_a_verified_page(Lib::Ours(Mode::Preload), Tls::V13);
}

#[test]
fn perl_on_stock_fetches_a_verified_page() {
    lwp_fetches_a_verified_page(Lib::Stock, Tls::V13);
}

#[test]
fn perl_server_on_ferrossl_library_path_echoes_to_s_client() {
    for tls in [Tls::V13, Tls::V12] {
        io_socket_ssl_server_echoes_to_s_client(Lib::Ours(Mode::LibraryPath), tls);
    }
}

#[test]
fn perl_server_on_ferrossl_preload_echoes_to_s_client() {
    io_socket_ssl_server_echoes_to_s_client(Lib::Ours(Mode::Preload), Tls::V13);
}

#[test]
fn perl_server_on_stock_echoes_to_s_client() {
    io_socket_ssl_server_echoes_to_s_client(Lib::Stock, Tls::V13);
}
