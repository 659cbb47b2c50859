//! Malformed TLS against Debian 12's nginx, on stock OpenSSL 3.0 and on ferrossl, compared.
//!
//! `tests/malformed/probes.py` (raw-TLS client probes built on tlslite-ng; `probes.py list`)
//! sends each malformation over one connection and reports what came back: the alert (or
//! HelloRetryRequest, data, close without alert, reset, timeout) and whether it arrived before
//! the close. nginx logs each failure with OpenSSL's reason code at `info` (or `crit`) level.
//! Every probe runs against nginx on stock OpenSSL, whose answer must be the one the probe
//! states (so the probe does what it claims), and against nginx on ferrossl; per probe the test
//! prints stock's and ferrossl's answer and reason and `same`, `KNOWN` or `DIFF`.
//!
//! [`KNOWN`] lists the differences traced to a deliberate choice of rustls, each with its
//! reason; the test fails on any other difference and on a [`KNOWN`] entry that no longer
//! differs. README.md lists the same differences. The table of the last run is also written to
//! `target/test-tmp/malformed.txt`.
//!
//! The probes need tlslite-ng in `/var/cache/ferrossl/pylib` (`.ci/install-deps` puts it
//! there; `FERROSSL_PYLIB` names another directory).

mod common;

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{pki, repo_root, KeyAlg, Nginx};

const PYTHON: &str = "/usr/bin/python3";

/// What of a probe's result is compared (and what a known difference is about).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Column {
    /// What the client saw: `summary` ("alert:fatal:decode_error", "data", "hrr", ...).
    Answer,
    /// How the connection ended: "fin", "reset", or "timeout" (still open).
    Close,
    /// What nginx logged: level, failing call, SSL reason codes.
    Reason,
}

/// A difference from OpenSSL that comes from a deliberate choice of rustls.
struct Known {
    probe: &'static str,
    column: Column,
    /// ferrossl's value of `column`, exactly as the table prints it; "*" (only for a reason
    /// or close that follows from a known answer, where one side accepted the input) takes
    /// any value.
    ferrossl: &'static str,
    why: &'static str,
}

/// Why an empty record gets decode_error (the check cites RFC 8446 5.1 and RFC 5246 6.2.1).
const EMPTY: &str = "rustls refuses empty non-application-data records in its record-header check \
                     (outbound.rs read_opaque_message_header, InvalidEmptyPayload) with \
                     decode_error";
/// Why a payload that does not parse gets decode_error (error.rs maps every `InvalidMessage` but
/// a duplicate or misplaced extension to it).
const PARSE: &str = "rustls answers a message payload that does not parse with decode_error \
                     (conn.rs process_msg: AlertDescription::from(InvalidMessage))";

/// The alert of a protected record refused at its header for its length.
const PROTECTED_OVERFLOW: &str =
    "ferrossl refuses an over-long protected record at its header with \
     OpenSSL's reason, but the alert is rustls's: it can send one only for a failure of its \
     own, and refuses such a length (read_opaque_message_header, MessageTooLarge) with \
     decode_error; OpenSSL sends record_overflow";

/// ferrossl's `column` for `probe`, and why.
const fn why(
    probe: &'static str,
    column: Column,
    ferrossl: &'static str,
    why: &'static str,
) -> Known {
    Known {
        probe,
        column,
        ferrossl,
        why,
    }
}

/// ferrossl's answer (alert or outcome) to `probe`, and why it is rustls's.
const fn known(probe: &'static str, ferrossl: &'static str, why: &'static str) -> Known {
    Known {
        probe,
        column: Column::Answer,
        ferrossl,
        why,
    }
}

/// The close or logged reason of a probe whose known answer is that one side accepted what the
/// other refused: there is no like failure to compare.
const fn follows(probe: &'static str, column: Column, ferrossl: &'static str) -> Known {
    Known {
        probe,
        column,
        ferrossl,
        why: "follows from the known answer: one side accepted the input",
    }
}

/// Known differences (kept in sync by hand with README.md's list), each traced in rustls
/// 0.23's source. ferrossl owes OpenSSL's delivery (an alert before the close), record limits
/// and reason codes: the few entries for those name what in rustls leaves no other way.
const KNOWN: &[Known] = &[
    known(
        "ch-legacy-version-0x0300",
        "alert:fatal:protocol_version",
        "rustls answers a ClientHello below TLS 1.2 with protocol_version (server/hs.rs, \
         Tls12NotOffered); OpenSSL answers in SSL 3.0, which has no protocol_version alert, \
         so handshake_failure",
    ),
    known(
        "sslv2-client-hello",
        "alert:fatal:decode_error",
        "rustls has no SSLv2-format ClientHello: its first byte is an unknown content type to \
         the record-header check (InvalidContentType, decode_error); OpenSSL parses it and \
         fails later with handshake_failure",
    ),
    why(
        "sslv2-client-hello",
        Column::Reason,
        "[info] SSL_do_handshake(): 0A0000F4 unexpected message",
        "rustls's refusal of the first byte as a content type (InvalidContentType); OpenSSL \
         reads the hello and finds no shared cipher",
    ),
    known(
        "keyshare-unknown-hrr-to-p521",
        "alert:fatal:handshake_failure",
        "rustls's aws-lc-rs provider has no P-521 key exchange (X25519, P-256, P-384, ML-KEM \
         hybrids), so no group is shared (NoKxGroupsInCommon); OpenSSL asks for secp521r1 \
         with a HelloRetryRequest",
    ),
    follows("keyshare-unknown-hrr-to-p521", Column::Close, "fin"),
    follows("keyshare-unknown-hrr-to-p521", Column::Reason, "*"),
    why(
        "sni-malformed",
        Column::Reason,
        "[info] SSL_do_handshake(): 0A00009F length mismatch",
        "rustls reports a server_name list that overruns its extension as a message too \
         short (MessageTooShort), the error of any ClientHello field that runs past its end, \
         so ferrossl cannot tell it from the others (length mismatch); OpenSSL's extension \
         parser says bad extension",
    ),
    known(
        "ch-no-null-compression",
        "alert:fatal:illegal_parameter",
        "rustls answers a ClientHello without the null compression method with \
         illegal_parameter (server/hs.rs, NullCompressionRequired); OpenSSL sends decode_error",
    ),
    known(
        "sni-empty-name",
        "alert:fatal:decode_error",
        "rustls's codec refuses an empty host_name (msgs/base.rs, IllegalEmptyValue) with \
         decode_error; OpenSSL accepts it",
    ),
    follows("sni-empty-name", Column::Close, "fin"),
    follows("sni-empty-name", Column::Reason, "*"),
    known(
        "keyshare-not-in-supported-groups",
        "hrr",
        "rustls picks the group from supported_groups and only then looks for its share \
         (server/tls13.rs), so a share outside supported_groups is ignored and it asks for \
         x25519; OpenSSL refuses the share with illegal_parameter (RFC 8446 4.2.8 lets \
         servers check)",
    ),
    follows("keyshare-not-in-supported-groups", Column::Close, "timeout"),
    follows("keyshare-not-in-supported-groups", Column::Reason, "*"),
    known(
        "keyshare-unknown-hrr-to-x448",
        "alert:fatal:handshake_failure",
        "rustls has no X448 (its aws-lc-rs provider offers X25519, P-256, P-384 and ML-KEM \
         hybrids), so no group is shared and it refuses with handshake_failure \
         (NoKxGroupsInCommon); OpenSSL asks for x448 with a HelloRetryRequest",
    ),
    follows("keyshare-unknown-hrr-to-x448", Column::Close, "fin"),
    follows("keyshare-unknown-hrr-to-x448", Column::Reason, "*"),
    known(
        "duplicate-extension",
        "alert:fatal:decode_error",
        "rustls's Acceptor answers any ClientHello that does not parse, a duplicate \
         extension included, with decode_error (conn.rs first_handshake_message); OpenSSL \
         sends illegal_parameter",
    ),
    known(
        "zero-length-handshake-before-ch",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    follows("zero-length-handshake-before-ch", Column::Close, "fin"),
    follows("zero-length-handshake-before-ch", Column::Reason, "*"),
    known(
        "zero-length-handshake-tls12-before-cke",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    follows(
        "zero-length-handshake-tls12-before-cke",
        Column::Reason,
        "*",
    ),
    known(
        "zero-length-alert-tls12-before-cke",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    known(
        "zero-length-ccs-tls12-before-cke",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    follows("zero-length-ccs-tls12-before-cke", Column::Reason, "*"),
    known(
        "zero-length-ccs-tls13-before-finished",
        "alert:fatal:decode_error",
        EMPTY,
    ),
    known(
        "zero-length-handshake-tls13-before-finished",
        "data",
        "rustls accepts up to 32 consecutive empty encrypted fragments (conn.rs \
         ALLOWED_CONSECUTIVE_EMPTY_FRAGMENTS_MAX); OpenSSL refuses an empty TLS 1.3 \
         handshake record with unexpected_message",
    ),
    follows(
        "zero-length-handshake-tls13-before-finished",
        Column::Reason,
        "*",
    ),
    known(
        "zero-length-alert-tls13-before-finished",
        "alert:fatal:decode_error",
        PARSE,
    ),
    known("alert-empty-tls12", "alert:fatal:decode_error", PARSE),
    known("keyupdate-wrong-length", "alert:fatal:decode_error", PARSE),
    known("ccs-two-bytes-tls12", "alert:fatal:decode_error", PARSE),
    known("ccs-value-2-tls12", "alert:fatal:decode_error", PARSE),
    known(
        "ccs-two-bytes-tls13",
        "alert:fatal:unexpected_message",
        "rustls sends unexpected_message for a bad TLS 1.3 compatibility CCS, as RFC 8446 \
         section 5 says (conn.rs process_msg, IllegalMiddleboxChangeCipherSpec); OpenSSL \
         sends illegal_parameter",
    ),
    known(
        "ccs-value-2-tls13",
        "alert:fatal:unexpected_message",
        "as ccs-two-bytes-tls13",
    ),
    known(
        "ciphertext-overflow-tls13",
        "alert:fatal:decode_error",
        PROTECTED_OVERFLOW,
    ),
    why(
        "ciphertext-overflow-tls13",
        Column::Close,
        "reset",
        "ferrossl refuses the record at its header and reads no further; OpenSSL (nginx sets \
         read_ahead) has read the whole record into its buffer, so its close is clean",
    ),
    known(
        "ciphertext-overflow-tls12",
        "alert:fatal:decode_error",
        PROTECTED_OVERFLOW,
    ),
    known(
        "truncated-keyupdate-then-eof",
        "closed-without-alert",
        "rustls buffers a handshake message up to 64 KiB before it looks at it (deframer \
         handshake.rs MAX_HANDSHAKE_SIZE), so a KeyUpdate whose length announces more than one \
         byte waits for its body; OpenSSL refuses the length at the header with \
         illegal_parameter (excessive message size)",
    ),
    follows(
        "truncated-keyupdate-then-eof",
        Column::Reason,
        "[info] client closed connection",
    ),
    known(
        "alert-unknown-warning-tls13",
        "alert:fatal:decode_error",
        "rustls answers a TLS 1.3 warning alert other than user_canceled with decode_error \
         (common_state.rs process_alert); OpenSSL takes it as fatal and closes without an \
         alert",
    ),
];

/// The directory holding tlslite-ng.
fn pylib() -> PathBuf {
    let dir = match std::env::var_os("FERROSSL_PYLIB") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from("/var/cache/ferrossl/pylib"),
    };
    assert!(
        dir.join("tlslite/__init__.py").is_file(),
        "tlslite-ng is missing from {} (the malformation probes are built on it): run \
         .ci/install-deps, or set FERROSSL_PYLIB to the directory holding tlslite/",
        dir.display()
    );
    dir
}

fn probes_script() -> PathBuf {
    repo_root().join("tests/malformed/probes.py")
}

fn python(args: &[&str]) -> String {
    let mut cmd = common::command(PYTHON);
    cmd.arg(probes_script())
        .args(args)
        .env("PYTHONPATH", pylib());
    let out = common::run(&mut cmd, Duration::from_secs(60));
    out.assert_success();
    out.stdout_str()
}

/// A probe as `probes.py list` describes it.
struct Probe {
    name: String,
    /// Stock OpenSSL's answer (the `summary` field).
    expect: String,
    desc: String,
}

fn probe_list() -> Vec<Probe> {
    python(&["list"])
        .lines()
        .map(|line| {
            let mut f = line.splitn(3, '\t');
            let mut next = || f.next().unwrap_or_else(|| panic!("bad list line {line:?}"));
            Probe {
                name: next().to_owned(),
                expect: next().to_owned(),
                desc: next().to_owned(),
            }
        })
        .collect()
}

/// What one server did with one probe.
struct Answer {
    summary: String,
    end: String,
    alert_before_close: bool,
    records: String,
    client_error: String,
    /// nginx's error-log lines for the probe's connection, reduced (see [`reduce`]).
    reason: String,
    /// The same lines in full (after the connection number).
    log: String,
}

impl Answer {
    /// The "answer" column: the summary, and how the connection ended when it was not a FIN.
    fn answer(&self) -> String {
        match self.end.as_str() {
            "fin" => self.summary.clone(),
            end if self.summary == end => self.summary.clone(),
            end => format!("{}+{end}", self.summary),
        }
    }

    fn column(&self, column: Column) -> String {
        match column {
            Column::Answer => self.summary.clone(),
            Column::Close => self.end.clone(),
            Column::Reason => self.reason.clone(),
        }
    }
}

/// One nginx (TLS 1.2 + 1.3, ECDSA P-256 certificate, error log at `info`).
struct Side {
    label: &'static str,
    nginx: Nginx,
    /// nginx's number (`*N`) of the last sentinel connection.
    last_sentinel: u64,
    count: u64,
}

impl Side {
    fn start(label: &'static str, libdir: Option<&Path>) -> Side {
        let cert = pki().server(KeyAlg::EcdsaP256);
        let nginx = Nginx::start(libdir, |port, dir| {
            format!(
                "    server {{\n        listen 127.0.0.1:{port} ssl;\n        server_name \
                 localhost;\n        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_certificate \
                 {chain};\n        ssl_certificate_key {key};\n        root {root};\n    }}\n",
                chain = cert.chain.display(),
                key = cert.key.display(),
                root = dir.join("html").display(),
            )
        });
        std::fs::write(nginx.html_dir().join("index.html"), "malformed\n").unwrap();
        let mut side = Side {
            label,
            nginx,
            last_sentinel: 0,
            count: 0,
        };
        side.last_sentinel = side.sentinel();
        side
    }

    /// A plain-HTTP request to the TLS port, which nginx logs as such ("client sent plain HTTP
    /// request to HTTPS port") with a path naming it; returns that line's connection number
    /// once it is in the log. Everything of the connections before it has been logged by then
    /// (nginx's one worker handles them in order).
    fn sentinel(&mut self) -> u64 {
        self.count += 1;
        let path = format!("/malformed-sentinel-{}", self.count);
        let mut stream = TcpStream::connect(("127.0.0.1", self.nginx.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        let needle = format!("request: \"GET {path} HTTP/1.0\"");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.nginx.error_log();
            if let Some(line) = log.lines().find(|l| l.contains(&needle)) {
                return conn_number(line).expect("sentinel line without *N");
            }
            assert!(
                Instant::now() < deadline,
                "{}: nginx did not log the sentinel {path}:\n{log}",
                self.label
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn run(&mut self, probe: &Probe) -> Answer {
        let port = self.nginx.port().to_string();
        let out = python(&["run-tsv", "127.0.0.1", &port, &probe.name]);
        let f: Vec<&str> = out.trim_end().split('\t').collect();
        assert!(
            f.len() == 6 && f[0] == probe.name,
            "probes.py run-tsv {}: {out:?}",
            probe.name
        );
        let before = self.last_sentinel;
        let after = self.sentinel();
        self.last_sentinel = after;
        let lines: Vec<String> = self
            .nginx
            .error_log()
            .lines()
            .filter(|l| conn_number(l).is_some_and(|n| n > before && n < after))
            .map(|l| l.to_owned())
            .collect();
        Answer {
            summary: f[1].to_owned(),
            end: f[2].to_owned(),
            alert_before_close: f[3] == "1",
            records: f[4].to_owned(),
            client_error: f[5].to_owned(),
            reason: if lines.is_empty() {
                "-".to_owned()
            } else {
                lines
                    .iter()
                    .map(|l| reduce(l))
                    .collect::<Vec<_>>()
                    .join(" / ")
            },
            log: lines
                .iter()
                .map(|l| message(l).1)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// nginx's connection number `*N` of an error-log line.
fn conn_number(line: &str) -> Option<u64> {
    let rest = &line[line.find(": *")? + 3..];
    rest.split(' ').next()?.parse().ok()
}

/// (level, message after `*N `) of an error-log line.
fn message(line: &str) -> (&str, &str) {
    let level = line
        .split_once(" [")
        .and_then(|(_, r)| r.split_once(']'))
        .map_or("?", |(l, _)| l);
    let msg = line
        .find(": *")
        .map(|i| &line[i + 3..])
        .and_then(|r| r.split_once(' '))
        .map_or(line, |(_, m)| m);
    (level, msg)
}

/// An error-log line reduced to what the comparison looks at: nginx's level, the call that
/// failed, and the SSL library's reason codes with their text (`0A00010B wrong version
/// number`), without the error data (ferrossl appends rustls's own error there); a line without
/// an SSL error keeps its message up to the context nginx adds (" while ...", ", client: ...").
fn reduce(line: &str) -> String {
    let (level, msg) = message(line);
    if let Some(start) = msg.find(" (SSL: ") {
        let call = msg[..start].trim_end_matches(" failed");
        let errors = &msg[start + 7..];
        let errors = &errors[..errors.rfind(") while ").unwrap_or(errors.len())];
        let codes: Vec<String> = errors
            .split("error:")
            .filter_map(|e| {
                let mut parts = e.trim().splitn(4, ':');
                let code = parts.next()?;
                let _lib = parts.next()?;
                let _func = parts.next()?;
                let reason = parts.next()?.split(':').next()?.trim();
                code.starts_with("0A").then(|| format!("{code} {reason}"))
            })
            .collect();
        return format!("[{level}] {call}: {}", codes.join(", "));
    }
    let end = [" while ", ", client: "]
        .iter()
        .filter_map(|m| msg.find(m))
        .min()
        .unwrap_or(msg.len());
    format!("[{level}] {}", &msg[..end])
}

/// How a probe compares: "same", "KNOWN" (every difference is in [`KNOWN`]), or "DIFF".
fn verdict(probe: &str, stock: &Answer, ours: &Answer, problems: &mut Vec<String>) -> &'static str {
    let mut verdict = "same";
    for column in [Column::Answer, Column::Close, Column::Reason] {
        let (s, f) = (stock.column(column), ours.column(column));
        let known = KNOWN
            .iter()
            .find(|k| k.probe == probe && k.column == column);
        match known {
            _ if s == f => {
                if known.is_some() {
                    problems.push(format!(
                        "{probe}: stale KNOWN entry for {column:?}: ferrossl now answers as \
                         stock OpenSSL ({s})"
                    ));
                    verdict = "DIFF";
                }
            }
            Some(k) if k.ferrossl == f || k.ferrossl == "*" => {
                if verdict == "same" {
                    verdict = "KNOWN";
                }
            }
            Some(k) => {
                problems.push(format!(
                    "{probe}: {column:?}: ferrossl {f}, KNOWN says {}, stock {s}",
                    k.ferrossl
                ));
                verdict = "DIFF";
            }
            None => {
                problems.push(format!("{probe}: {column:?}: stock {s} | ferrossl {f}"));
                verdict = "DIFF";
            }
        }
    }
    verdict
}

#[test]
fn nginx_answers_malformed_tls_as_on_stock_openssl() {
    pylib();
    let probes = probe_list();
    assert!(probes.len() >= 25, "only {} probes", probes.len());
    for k in KNOWN {
        assert!(
            probes.iter().any(|p| p.name == k.probe),
            "KNOWN names an unknown probe {}",
            k.probe
        );
    }
    let mut stock = Side::start("stock", None);
    let mut ours = Side::start("ferrossl", Some(common::libdir()));

    let mut table = String::from(
        "probe | stock answer | ferrossl answer | stock reason | ferrossl reason | verdict\n",
    );
    let mut details = String::new();
    let mut problems = Vec::new();
    for probe in &probes {
        let s = stock.run(probe);
        let f = ours.run(probe);
        if s.summary != probe.expect {
            problems.push(format!(
                "{}: stock OpenSSL answers {} where the probe states {} ({}); records {}",
                probe.name, s.summary, probe.expect, probe.desc, s.records
            ));
        }
        let verdict = verdict(&probe.name, &s, &f, &mut problems);
        let line = format!(
            "{} | {} | {} | {} | {} | {verdict}",
            probe.name,
            s.answer(),
            f.answer(),
            s.reason,
            f.reason
        );
        println!("{line}");
        writeln!(table, "{line}").unwrap();
        if verdict != "same" {
            writeln!(
                details,
                "{} ({}):\n  stock:    {} before-close={} records: {} client: {}\n    log: \
                 {}\n  ferrossl: {} before-close={} records: {} client: {}\n    log: {}",
                probe.name,
                probe.desc,
                s.answer(),
                s.alert_before_close,
                s.records,
                s.client_error,
                s.log.replace('\n', "\n         "),
                f.answer(),
                f.alert_before_close,
                f.records,
                f.client_error,
                f.log.replace('\n', "\n         "),
            )
            .unwrap();
        }
    }
    let mut known = String::from("Known differences from OpenSSL on malformed input:\n");
    for k in KNOWN {
        writeln!(
            known,
            "  {} ({:?}): ferrossl {} -- {}",
            k.probe, k.column, k.ferrossl, k.why
        )
        .unwrap();
    }
    if KNOWN.is_empty() {
        known.push_str("  (none)\n");
    }
    println!("{known}");
    let report = format!("{table}\n{known}\n{details}");
    let out = repo_root().join("target/test-tmp");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("malformed.txt"), &report).unwrap();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}\n\n{report}",
        problems.len(),
        problems.join("\n")
    );
}
