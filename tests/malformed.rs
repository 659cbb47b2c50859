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

#[path = "malformed/known.rs"]
mod known;

use known::{Column, KNOWN};

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
