//! Debian 13's own programs (OpenSSL 3.5 builds, importing the 3.2–3.5 version nodes) on
//! ferrossl, inside the Debian 13 root `.ci/trixie-root` builds: each scenario runs the unmodified
//! program there on the library file `make lib` built (copied into a stage directory of the
//! root, injected with LD_LIBRARY_PATH or LD_PRELOAD) against a peer on Debian 13's stock
//! OpenSSL 3.5.9, checks the data exchanged, and checks in `/proc/<pid>/maps` that ferrossl's
//! file is the libssl the program really loaded. The same file passes the Debian 12 tests in
//! the other test binaries.
//!
//! One test binary with a module per program (each integration-test binary costs CI a link).

#[path = "../common/mod.rs"]
mod common;

mod certcomp35;
mod curl;
mod groups35;
mod haproxy;
mod nginx;
mod openssl;
mod python;
mod quic35;
mod system_conf;
mod tls35;
mod tunnels;

use std::time::Duration;

use common::progs::Proc;
use common::trixie::{On, Stage};

/// How long a client may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Debian 13's `openssl s_server` on `on`, serving the test PKI's ECDSA localhost certificate
/// with its chain and the extra `args` (e.g. `-www`), on a free port.
fn s_server(stage: &Stage, on: On, args: &[&str]) -> (Proc, u16) {
    let pki = stage.copy_pki();
    Proc::server(
        "s_server-3.5",
        |port| {
            let mut cmd = stage.command(on, &[], "openssl");
            cmd.arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .arg("-cert")
                .arg(format!("{pki}/server-ecdsa.pem"))
                .arg("-key")
                .arg(format!("{pki}/server-ecdsa.key"))
                .arg("-cert_chain")
                .arg(format!("{pki}/intermediate-ca.pem"))
                .args(args);
            cmd
        },
        Some("ACCEPT"),
    )
}
