//! Debian's unmodified PHP 8.2 CLI (`/usr/bin/php`, php8.2-cli with its built-in openssl
//! extension) on ferrossl, through `LD_LIBRARY_PATH` and `LD_PRELOAD`, against two stock
//! `openssl s_server` (tests/scripts/php_client.php):
//!
//! - `stream_socket_client('ssl://127.0.0.1:PORT')` with `verify_peer`, `cafile` and
//!   `peer_name` to an `s_server -rev`: random lines written, each read back reversed; the same
//!   call with a CA that did not issue the server's certificate fails with OpenSSL's
//!   "certificate verify failed" error, and the server receives its unknown_ca alert;
//! - `file_get_contents('https://localhost:PORT/<random name>')` with the CA in the stream
//!   context, from an `s_server -WWW`.
//!
//! TLS 1.3, and TLS 1.2 through `LD_LIBRARY_PATH`; the same run on stock OpenSSL proves the test.

mod common;

use std::fs;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Lib, Proc, Tls};
use common::{path_str, pki, KeyAlg, Mode, Server, TempDir};

const PHP: &str = "/usr/bin/php";
const PACKAGE: &str = "php8.2-cli";
const TIMEOUT: Duration = Duration::from_secs(30);

fn s_server(cert: KeyAlg, mode: &str, tls: Tls) -> Server {
    let mut args = pki().server(cert).s_server_args();
    args.extend([mode.to_owned(), tls.flag().to_owned()]);
    Server::s_server(&args)
}

fn php_streams_and_fetches_over_verified_tls(lib: Lib, tls: Tls) {
    let rev = s_server(KeyAlg::Rsa2048, "-rev", tls);
    let www = s_server(KeyAlg::EcdsaP256, "-WWW", tls);
    let name = format!("page-{}.txt", random_hex(8));
    let body = format!("{}\n", random_hex(20_000));
    fs::write(www.docroot().join(&name), &body).expect("writing the page");

    let dir = TempDir::new("php-client");
    let lines: Vec<String> = (0..40).map(|_| random_hex(1000)).collect();
    let sent: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let lines_file = dir.join("lines");
    fs::write(&lines_file, &sent).expect("writing the lines");
    let out = dir.join("out");

    let mut cmd = common::command(PHP);
    cmd.arg(common::repo_root().join("tests/scripts/php_client.php"))
        .arg(rev.port().to_string())
        .arg(www.port().to_string())
        .arg(&name)
        .arg(pki().root_ca())
        .arg(pki().untrusted_ca())
        .arg(&lines_file)
        .arg(&out);
    lib.apply(&mut cmd);
    let mut php = Proc::spawn(&mut cmd, "php", true);
    // The script waits on stdin when it is done, so its maps can still be read.
    let stdin = php.stdin();
    php.wait_for("DONE\n", TIMEOUT);
    assert_maps(php.pid(), lib, "php");
    drop(stdin);
    let ended = php.wait(TIMEOUT);
    let log = ended.log;
    assert!(ended.status.success(), "php failed:\n{log}");

    let want = format!("stream {} ", tls.name());
    assert!(log.contains(&want), "expected {want:?} from php:\n{log}");
    let reversed: String = lines
        .iter()
        .map(|l| format!("{}\n", l.chars().rev().collect::<String>()))
        .collect();
    let echoed = fs::read(path_str(&out) + ".rev").expect("reading what php read back");
    common::assert_same_bytes(
        &echoed,
        reversed.as_bytes(),
        "the lines s_server -rev sent back",
    );
    assert!(
        log.contains("after CLOSE: 0 bytes\n"),
        "s_server -rev did not close cleanly after CLOSE:\n{log}"
    );

    // PHP's warning carries OpenSSL's packed error code and reason.
    let refused = "untrusted: stream_socket_client(): SSL operation failed with code 1. \
                   OpenSSL Error messages: error:0A000086:SSL routines::certificate verify failed \
                   | stream_socket_client(): Failed to enable crypto | ";
    assert!(
        log.contains(refused),
        "php did not refuse the untrusted server as on OpenSSL:\n{log}"
    );
    // PHP closes the socket at once, with the server's last records unread (a reset): the
    // unknown_ca alert must have left before, as OpenSSL's does.
    assert!(
        rev.output()
            .contains(":tlsv1 alert unknown ca:../ssl/record/rec_layer_s3.c:"),
        "s_server -rev did not receive php's unknown_ca alert:\n{}",
        rev.output()
    );

    assert!(
        log.contains("https HTTP/1.0 200 ok\n"),
        "file_get_contents did not get a 200:\n{log}"
    );
    let page = fs::read(path_str(&out) + ".www").expect("reading the page php fetched");
    common::assert_same_bytes(&page, body.as_bytes(), "the page file_get_contents fetched");
    assert!(
        www.output().contains(&format!("FILE:{name}")),
        "s_server did not serve {name}:\n{}",
        www.output()
    );
    common::progs::report(
        "php (openssl stream wrapper)",
        PACKAGE,
        lib,
        &format!(
            "{tls}: stream_socket_client ssl:// verified, {} lines ({} bytes) reversed by \
             openssl s_server -rev, untrusted CA refused; file_get_contents https:// {} bytes \
             from s_server -WWW",
            lines.len(),
            sent.len(),
            body.len(),
            tls = tls.name(),
        ),
    );
}

#[test]
fn php_on_ferrossl_library_path_streams_and_fetches() {
    for tls in [Tls::V13, Tls::V12] {
        php_streams_and_fetches_over_verified_tls(Lib::Ours(Mode::LibraryPath), tls);
    }
}

#[test]
fn php_on_ferrossl_preload_streams_and_fetches() {
    php_streams_and_fetches_over_verified_tls(Lib::Ours(Mode::Preload), Tls::V13);
}

#[test]
fn php_on_stock_streams_and_fetches() {
    php_streams_and_fetches_over_verified_tls(Lib::Stock, Tls::V13);
}
