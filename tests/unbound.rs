//! DNS over TLS with Debian's unmodified unbound and bind9's `dig` (libisc), each on ferrossl
//! against the other on stock OpenSSL:
//!
//! - unbound as a DoT server on ferrossl (ECDSA chain), answering a random `A` and `TXT`
//!   record from `local-data`; stock `dig +tls` verifies it (`+tls-ca`, `+tls-hostname`).
//! - `dig +tls` on ferrossl querying a stock unbound DoT server: the verified answer matches;
//!   with a wrong `+tls-hostname` dig reports the mismatch and prints no answer.
//! - unbound as a DoT forwarding client on ferrossl (`forward-tls-upstream`, `tls-cert-bundle`,
//!   the upstream's name after `#`) to a stock unbound DoT server; stock `dig` asks it over
//!   plain DNS. A wrong upstream name gives SERVFAIL.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Gate, Lib, Proc};
use common::{path_str, pki, random_bytes, KeyAlg, Mode, TempDir};

const UNBOUND: &str = "/usr/sbin/unbound";
const DIG: &str = "/usr/bin/dig";

/// A random record: `<label>.ferrossl.test.`, a 10.x.y.z address and a TXT value.
struct Record {
    name: String,
    ip: String,
    txt: String,
}

impl Record {
    fn random() -> Record {
        let b = random_bytes(3);
        Record {
            name: format!("h{}.ferrossl.test.", random_hex(6)),
            ip: format!("10.{}.{}.{}", b[0], b[1], b[2]),
            txt: random_hex(40),
        }
    }
}

/// unbound's common settings: foreground, no chroot, no user change, logs on stderr.
fn common_conf(dir: &Path) -> String {
    format!(
        "server:\n\
         \x20 do-daemonize: no\n\
         \x20 username: \"\"\n\
         \x20 chroot: \"\"\n\
         \x20 directory: \"{dir}\"\n\
         \x20 pidfile: \"\"\n\
         \x20 use-syslog: no\n\
         \x20 logfile: \"\"\n\
         \x20 verbosity: 2\n\
         \x20 do-ip6: no\n",
        dir = path_str(dir)
    )
}

/// A DoT server on `port` answering `rec` from its local data.
fn server_conf(dir: &Path, port: u16, rec: &Record) -> String {
    let server = pki().server(KeyAlg::EcdsaP256);
    format!(
        "{}\x20 interface: 127.0.0.1@{port}\n\
         \x20 tls-port: {port}\n\
         \x20 tls-service-key: \"{key}\"\n\
         \x20 tls-service-pem: \"{chain}\"\n\
         \x20 local-zone: \"ferrossl.test.\" static\n\
         \x20 local-data: \"{name} 300 IN A {ip}\"\n\
         \x20 local-data: \"{name} 300 IN TXT {txt}\"\n\
         remote-control:\n\
         \x20 control-enable: no\n",
        common_conf(dir),
        key = path_str(&server.key),
        chain = path_str(&server.chain),
        name = rec.name,
        ip = rec.ip,
        txt = rec.txt,
    )
}

/// A plain-DNS resolver on `port` forwarding `ferrossl.test.` over TLS to `upstream`, which it
/// authenticates as `host`.
fn forwarder_conf(dir: &Path, port: u16, upstream: u16, host: &str) -> String {
    format!(
        "{}\x20 interface: 127.0.0.1@{port}\n\
         \x20 tls-cert-bundle: \"{ca}\"\n\
         \x20 do-not-query-localhost: no\n\
         \x20 domain-insecure: \"ferrossl.test.\"\n\
         \x20 local-zone: \"test.\" nodefault\n\
         forward-zone:\n\
         \x20 name: \"ferrossl.test.\"\n\
         \x20 forward-tls-upstream: yes\n\
         \x20 forward-addr: 127.0.0.1@{upstream}#{host}\n\
         remote-control:\n\
         \x20 control-enable: no\n",
        common_conf(dir),
        ca = path_str(&pki().root_ca()),
    )
}

/// Starts unbound on `lib` with the configuration `conf(dir, port)` builds.
fn unbound(lib: Lib, dir: &TempDir, conf: impl Fn(&Path, u16) -> String) -> (Proc, u16) {
    Proc::server(
        "unbound",
        |port| {
            let file = dir.join(format!("unbound-{port}.conf"));
            fs::write(&file, conf(dir.path(), port)).expect("writing unbound.conf");
            let mut cmd = common::command(UNBOUND);
            cmd.arg("-d").arg("-c").arg(file);
            lib.apply(&mut cmd);
            cmd
        },
        Some("start of service"),
    )
}

/// `dig` arguments for a verified DoT query to 127.0.0.1:`port`.
fn dig_tls(port: u16, host: &str) -> Vec<String> {
    vec![
        "+tls".into(),
        format!("+tls-ca={}", path_str(&pki().root_ca())),
        format!("+tls-hostname={host}"),
        "+tries=1".into(),
        "+time=10".into(),
        "-p".into(),
        port.to_string(),
        "@127.0.0.1".into(),
    ]
}

/// The records of every answer section in `dig`'s output, as whitespace-separated fields.
fn answers(out: &str) -> Vec<Vec<String>> {
    out.split(";; ANSWER SECTION:")
        .skip(1)
        .flat_map(|section| {
            section
                .lines()
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .map(|l| {
                    l.split_whitespace()
                        .map(str::to_owned)
                        .collect::<Vec<String>>()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Checks that `out` (dig's output for `A` then `TXT`) answers `rec` exactly.
fn assert_answers(out: &str, rec: &Record, what: &str) {
    let got = answers(out);
    let field = |s: &str| s.to_owned();
    let want = [
        vec![
            field(&rec.name),
            field("300"),
            field("IN"),
            field("A"),
            field(&rec.ip),
        ],
        vec![
            field(&rec.name),
            field("300"),
            field("IN"),
            field("TXT"),
            format!("\"{}\"", rec.txt),
        ],
    ];
    for record in want {
        assert!(
            got.contains(&record),
            "{what}: no {record:?} in the answers:\n{out}"
        );
    }
}

fn stock_dig(args: &[String], rec: &Record) -> String {
    let mut cmd = common::command(DIG);
    cmd.args(args).args([&rec.name, "A", &rec.name, "TXT"]);
    let out = common::run(&mut cmd, Duration::from_secs(30));
    format!("{}{}", out.stdout_str(), out.stderr)
}

fn unbound_serves_dns_over_tls(lib: Lib) {
    let rec = Record::random();
    let dir = TempDir::new("unbound-server");
    let (server, port) = unbound(lib, &dir, |d, p| server_conf(d, p, &rec));
    assert_maps(server.pid(), lib, "unbound (DoT server)");

    let out = stock_dig(&dig_tls(port, "localhost"), &rec);
    assert_answers(&out, &rec, "stock dig +tls from unbound");
    assert!(out.contains("(TLS)"), "dig did not use TLS:\n{out}");
    common::progs::report(
        "unbound (DNS over TLS server)",
        "unbound",
        lib,
        "random A and TXT records to stock dig +tls (verified CA and host name)",
    );
}

fn dig_queries_over_tls(lib: Lib) {
    let rec = Record::random();
    let dir = TempDir::new("unbound-upstream");
    let (server, port) = unbound(Lib::Stock, &dir, |d, p| server_conf(d, p, &rec));

    // dig connects through a gate (one connection: one query), held until its maps are checked.
    let mut gate = Gate::new(port);
    let mut cmd = common::command(DIG);
    cmd.args(dig_tls(gate.port(), "localhost"))
        .args([&rec.name, "A"]);
    lib.apply(&mut cmd);
    let dig = Proc::spawn(&mut cmd, "dig", false);
    gate.accepted(Duration::from_secs(20));
    assert_maps(dig.pid(), lib, "dig");
    gate.open();
    let ended = dig.wait(Duration::from_secs(30));
    assert!(ended.status.success(), "dig failed:\n{}", ended.log);
    let a = [&rec.name, "300", "IN", "A", &rec.ip]
        .map(str::to_owned)
        .to_vec();
    assert!(
        answers(&ended.log).contains(&a),
        "dig +tls on ferrossl: no {a:?}:\n{}",
        ended.log
    );

    // Both records, one TLS connection each, straight to the server.
    let mut cmd = common::command(DIG);
    cmd.args(dig_tls(port, "localhost"))
        .args([&rec.name, "A", &rec.name, "TXT"]);
    lib.apply(&mut cmd);
    let out = common::run(&mut cmd, Duration::from_secs(30));
    let text = format!("{}{}", out.stdout_str(), out.stderr);
    assert_answers(&text, &rec, "dig +tls on ferrossl");
    assert_eq!(
        text.matches("(TLS)").count(),
        2,
        "dig did not use TLS twice:\n{text}"
    );

    // A name the certificate does not carry: dig refuses the server.
    let mut cmd = common::command(DIG);
    cmd.args(dig_tls(port, "wrong.example"))
        .args([&rec.name, "A"]);
    lib.apply(&mut cmd);
    let out = common::run(&mut cmd, Duration::from_secs(30));
    let text = format!("{}{}", out.stdout_str(), out.stderr);
    assert!(
        text.contains("TLS peer certificate verification") && text.contains("failed"),
        "dig accepted a certificate for another name:\n{text}\n--- unbound ---\n{}",
        server.log()
    );
    assert!(!text.contains(&rec.ip), "dig printed an answer:\n{text}");
    common::progs::report(
        "dig +tls (bind9 libisc)",
        "bind9-dnsutils",
        lib,
        "random A and TXT records from a stock unbound DoT server (verified); \
         wrong host name refused",
    );
}

fn unbound_forwards_over_tls(lib: Lib) {
    let rec = Record::random();
    let dir = TempDir::new("unbound-forward");
    let (upstream, up_port) = unbound(Lib::Stock, &dir, |d, p| server_conf(d, p, &rec));
    let (forwarder, port) = unbound(lib, &dir, |d, p| forwarder_conf(d, p, up_port, "localhost"));
    assert_maps(forwarder.pid(), lib, "unbound (DoT forwarder)");
    let plain = vec![
        "+tries=1".into(),
        "+time=10".into(),
        "-p".into(),
        port.to_string(),
        "@127.0.0.1".into(),
    ];
    let out = stock_dig(&plain, &rec);
    assert_answers(&out, &rec, "unbound forwarding over TLS");
    assert!(
        forwarder
            .log()
            .contains(&format!("reply from <ferrossl.test.> 127.0.0.1#{up_port}")),
        "the forwarder logged no reply from its TLS upstream:\n{}\n--- upstream ---\n{}",
        forwarder.log(),
        upstream.log()
    );

    // The same upstream under a name its certificate does not carry: no answer.
    let (_wrong, wrong_port) = unbound(lib, &dir, |d, p| {
        forwarder_conf(d, p, up_port, "wrong.example")
    });
    let plain = vec![
        "+tries=1".into(),
        "+time=10".into(),
        "-p".into(),
        wrong_port.to_string(),
        "@127.0.0.1".into(),
    ];
    let out = stock_dig(&plain, &rec);
    assert!(
        out.contains("status: SERVFAIL") && !out.contains(&rec.ip),
        "a forwarder with the wrong upstream name answered:\n{out}"
    );
    common::progs::report(
        "unbound (DNS over TLS forwarder)",
        "unbound",
        lib,
        "random A and TXT records forwarded over verified TLS from a stock unbound; \
         wrong upstream name SERVFAIL",
    );
}

#[test]
fn unbound_on_ferrossl_library_path_serves_dns_over_tls() {
    unbound_serves_dns_over_tls(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn unbound_on_ferrossl_preload_serves_dns_over_tls() {
    unbound_serves_dns_over_tls(Lib::Ours(Mode::Preload));
}

#[test]
fn unbound_on_stock_serves_dns_over_tls() {
    unbound_serves_dns_over_tls(Lib::Stock);
}

#[test]
fn dig_on_ferrossl_library_path_queries_over_tls() {
    dig_queries_over_tls(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn dig_on_ferrossl_preload_queries_over_tls() {
    dig_queries_over_tls(Lib::Ours(Mode::Preload));
}

#[test]
fn unbound_on_ferrossl_library_path_forwards_over_tls() {
    unbound_forwards_over_tls(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn unbound_on_stock_forwards_over_tls() {
    unbound_forwards_over_tls(Lib::Stock);
}
