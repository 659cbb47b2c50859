//! Memory errors and leaks: the C test programs run on the library under test under
//! AddressSanitizer + LeakSanitizer (built with `clang-14 -fsanitize=address`, Debian's
//! `libclang-rt-14-dev` runtime) and under valgrind memcheck, and any report fails the test.
//! LeakSanitizer and memcheck see every allocation of the process, so a leak or a bad access in
//! ferrossl's Rust code (or in what it asks libcrypto for) is found as well as one in the program.
//!
//! - `tests/c/stress.c`: eight threads, one shared server `SSL_CTX` (its session cache kept by
//!   the new/get/remove-session callbacks, info, verify and servername callbacks) and one client
//!   `SSL_CTX` resuming half of its connections, data both ways and a clean `SSL_shutdown`. Under
//!   ASan the full [`STRESS_FULL`] handshakes, whose counts must equal those of the same program
//!   on the stock `libssl.so.3`; under memcheck [`STRESS_MEMCHECK`] (see there why).
//! - The self-contained programs (`copies`, `session_api`, `conf`, `ctrl fresh|build`, `misuse`;
//!   under ASan also `classes`, `callback_stress` at [`CALLBACK_STRESS`] handshakes and the
//!   whole-ABI program `tests/c/abi`) and the clients of a stock `openssl s_server` (`clear`,
//!   `lengths`, `key_update`, `auto_retry`, `ssl_bio`, `export`; under ASan also `threads`),
//!   with the arguments their own tests give them. Their own tests compare their output with
//!   OpenSSL's; here each must run to its end and print what shows it did.
//! - The scenarios of `differential.c` whose peers are `s_server -www` alone (verify_failure,
//!   hostname, verify_none, clean_close, ciphers, nonblocking, sessions, callbacks; under
//!   memcheck ciphers, sessions and callbacks), which must print the same lines as natively.
//! - Left out: the other differential scenarios (wrong_version, eof, badfiles, introspect,
//!   clientcert: their tiny TCP servers, proxies and extra PKI live in `differential.rs`),
//!   `callback_getters.c` (paired server and client processes per case), `ca_certs.c` (its
//!   fixture directory is built by `ca_certs.rs`), `ticket_server.c` (a server driven by stock
//!   `s_client` runs), the `*35.c` programs (OpenSSL 3.5's headers, run in the Debian 13 root),
//!   `stubs.c` and `header_check.c` (not libssl behaviour). `classes` (over two minutes),
//!   `callback_stress` (the stress run covers it) and `abi` (518 forked children, each
//!   leak-checked by memcheck at its `_exit`) are too slow or too noisy under memcheck.
//! - [`a_deliberate_leak_is_reported`] shows that the setup can fail: `stress ... leak` leaks
//!   a stack the library allocated, and both tools must report it with the library's frame.
//!
//! Reports go to files (ASan's `log_path`, memcheck's `--log-file`), one per process, so the
//! programs' own stderr cannot hide or fake one. Suppressions: `tests/c/lsan.supp` (no entry
//! today), none for memcheck. Reports and outputs are kept in `target/c-tests/san/`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;

/// The full stress count, under ASan (about 100 s of CPU, 80 s on two cores; the reference run
/// on OpenSSL about 55 s of CPU).
const STRESS_FULL: u32 = 20_000;
/// The stress count under memcheck, which runs the eight threads one at a time at about 0.2 s a
/// handshake: 160 (twenty connections per thread, half of them resumed) takes about 30 s and
/// covers every combination of protocol, tickets, SNI switch, transport and resumption.
const STRESS_MEMCHECK: u32 = 160;

/// callback_stress's handshakes under ASan (its own test makes 10,000 natively).
const CALLBACK_STRESS: u32 = 2_000;

const TIMEOUT: Duration = Duration::from_secs(400);

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tool {
    Asan,
    Memcheck,
    /// No checker: the stock library's reference run.
    Plain,
}

fn out_dir() -> PathBuf {
    repo_root().join("target/c-tests/san")
}

/// Builds `tests/c/<name>.c` (for "abi", `tests/c/abi/*.c`) once per test process: with ASan
/// into `<name>.asan`, else plainly (for memcheck and reference runs) into `<name>.plain`.
fn build(name: &str, tool: Tool) -> PathBuf {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let asan = tool == Tool::Asan;
    let key = format!("{name}.{}", if asan { "asan" } else { "plain" });
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(exe) = built.get(&key) {
        return exe.clone();
    }
    fs::create_dir_all(out_dir()).unwrap();
    let exe = out_dir().join(&key);
    let src = repo_root().join("tests/c");
    let sources: Vec<PathBuf> = if name == "abi" {
        let mut files: Vec<PathBuf> = fs::read_dir(src.join("abi"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "c"))
            .collect();
        files.sort();
        files
    } else {
        vec![src.join(format!("{name}.c"))]
    };
    let mut cmd = command(if asan { "clang-14" } else { "gcc" });
    cmd.args([
        "-std=gnu11",
        "-O1",
        "-g",
        "-fno-omit-frame-pointer",
        "-pthread",
    ]);
    if asan {
        cmd.arg("-fsanitize=address");
    }
    if name == "callback_stress" {
        cmd.arg(format!("-DTOTAL={CALLBACK_STRESS}"));
    }
    // The programs' own tests build them with gcc -Werror; stress.c is built only here.
    if name == "stress" {
        cmd.args(["-Wall", "-Wextra", "-Werror"]);
    } else {
        cmd.arg("-w");
    }
    cmd.arg("-o")
        .arg(&exe)
        .args(&sources)
        .args(["-lssl", "-lcrypto", "-ldl"]);
    let out = run(&mut cmd, Duration::from_secs(180));
    assert!(out.status.success(), "building {key}:\n{}", out.stderr);
    built.insert(key, exe.clone());
    exe
}

/// What one run left: its output and the checker's reports (empty when clean).
struct Run {
    out: Output,
    reports: String,
}

/// Runs `exe args` under `tool`, on ferrossl (`ours`) or the stock library.
fn run_under(tool: Tool, exe: &Path, args: &[String], env: &[(&str, &Path)], ours: bool) -> Run {
    let logs = TempDir::new("san");
    let mut cmd = match tool {
        Tool::Memcheck => {
            // The programs' alarm() bounds are meant for native speed: SIGALRM is ignored (a
            // program that hangs still meets TIMEOUT).
            let mut c = command("sh");
            c.args(["-c", "trap '' ALRM; exec \"$@\"", "sh", "valgrind"]);
            c.args([
                "-q",
                "--error-exitcode=87",
                "--leak-check=full",
                "--show-leak-kinds=definite,indirect",
                "--errors-for-leak-kinds=definite,indirect",
                "--num-callers=40",
            ])
            .arg(format!("--log-file={}/memcheck.%p", logs.path().display()))
            .arg(exe);
            c
        }
        Tool::Asan | Tool::Plain => command(exe),
    };
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let supp = repo_root().join("tests/c/lsan.supp");
    cmd.env(
        "ASAN_OPTIONS",
        format!(
            "detect_leaks=1:exitcode=86:malloc_context_size=40:log_path={}/asan",
            logs.path().display()
        ),
    )
    .env(
        "LSAN_OPTIONS",
        format!("suppressions={}:print_suppressions=0", supp.display()),
    );
    if ours {
        assert_loads_ours(exe);
        cmd.env("LD_LIBRARY_PATH", libdir());
    }
    let out = run(&mut cmd, TIMEOUT);
    let mut reports = String::new();
    for entry in fs::read_dir(logs.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap_or_default();
        if !text.trim().is_empty() {
            reports.push_str(&format!("--- {}\n{text}", path.display()));
        }
    }
    Run { out, reports }
}

/// The dynamic loader resolves `exe`'s libssl.so.3 to the library under test.
fn assert_loads_ours(exe: &Path) {
    let mut cmd = command(exe);
    cmd.env("LD_TRACE_LOADED_OBJECTS", "1")
        .env("LD_LIBRARY_PATH", libdir());
    let text = run(&mut cmd, Duration::from_secs(30)).stdout_str();
    let path = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("libssl.so.3 => "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("{}: no libssl.so.3 in\n{text}", exe.display()));
    assert_eq!(
        fs::canonicalize(path).unwrap(),
        fs::canonicalize(libssl_path()).unwrap(),
        "{} would load another libssl",
        exe.display()
    );
}

/// Runs `exe args` on ferrossl under `tool`; fails on any report or a non-zero exit status.
/// Returns stdout. `what` names the run in messages and in `target/c-tests/san/`.
fn clean(tool: Tool, what: &str, exe: &Path, args: &[String], env: &[(&str, &Path)]) -> String {
    let started = Instant::now();
    let r = run_under(tool, exe, args, env, true);
    let text = r.out.stdout_str();
    let name = format!("{what}.{tool:?}").replace(' ', "_");
    let _ = fs::write(out_dir().join(format!("{name}.out")), &text);
    let _ = fs::write(out_dir().join(format!("{name}.reports")), &r.reports);
    assert!(
        r.reports.is_empty(),
        "{tool:?} reports for {what}:\n{}",
        truncate(&r.reports, 20_000)
    );
    assert_eq!(
        r.out.status.code(),
        Some(0),
        "{what} under {tool:?}: {:?}\nstdout:\n{}\nstderr:\n{}",
        r.out.status,
        truncate(&text, 4000),
        truncate(&r.out.stderr, 4000)
    );
    eprintln!(
        "{what} under {tool:?}: clean, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    text
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn strings<S: AsRef<str>>(v: &[S]) -> Vec<String> {
    v.iter().map(|s| s.as_ref().to_owned()).collect()
}

// ------------------------------------------------------------------ the stress program

fn stress_args(total: u32, leak: bool) -> Vec<String> {
    let (main, alt, client) = (
        pki().server(KeyAlg::EcdsaP256),
        pki().server(KeyAlg::Rsa2048),
        pki().client(),
    );
    let mut v: Vec<String> = [
        &main.chain,
        &main.key,
        &alt.chain,
        &alt.key,
        &client.chain,
        &client.key,
        &pki().root_ca(),
    ]
    .iter()
    .map(|p| path_str(p))
    .collect();
    v.push(total.to_string());
    if leak {
        v.push("leak".to_owned());
    }
    v
}

/// The counts that do not depend on the library's policies (not the `~` lines).
fn counts(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('~')).collect()
}

/// Checks the program's own verdict and returns its total line for `name`.
fn total<'a>(text: &'a str, name: &str) -> &'a str {
    assert!(text.lines().any(|l| l == "failures=0"), "{text}");
    let prefix = format!("total {name}=");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
}

#[test]
fn stress_full_count_is_clean_under_asan_and_counts_match_openssl() {
    let args = stress_args(STRESS_FULL, false);
    let ours = clean(
        Tool::Asan,
        "stress",
        &build("stress", Tool::Asan),
        &args,
        &[],
    );
    assert_eq!(total(&ours, "handshakes"), STRESS_FULL.to_string());
    assert_eq!(total(&ours, "resumed"), (STRESS_FULL / 2).to_string());
    let exe = build("stress", Tool::Plain);
    let stock = run_under(Tool::Plain, &exe, &args, &[], false);
    let theirs = stock.out.stdout_str();
    let _ = fs::write(out_dir().join("stress.openssl.out"), &theirs);
    assert_eq!(
        stock.out.status.code(),
        Some(0),
        "{theirs}\n{}",
        stock.out.stderr
    );
    let (a, b) = (counts(&ours), counts(&theirs));
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(
            x, y,
            "line {i}: ferrossl (left) differs from OpenSSL (right)"
        );
    }
    assert_eq!(a.len(), b.len(), "ferrossl:\n{ours}\nOpenSSL:\n{theirs}");
}

#[test]
fn stress_is_clean_under_memcheck() {
    let args = stress_args(STRESS_MEMCHECK, false);
    let exe = build("stress", Tool::Plain);
    let text = clean(Tool::Memcheck, "stress", &exe, &args, &[]);
    assert_eq!(total(&text, "handshakes"), STRESS_MEMCHECK.to_string());
    assert_eq!(total(&text, "clean_shutdowns"), STRESS_MEMCHECK.to_string());
}

/// Both tools report the stack `stress ... leak` never frees (allocated through libcrypto by
/// ferrossl's `SSL_get1_supported_ciphers`), naming the library's function.
#[test]
fn a_deliberate_leak_is_reported() {
    let args = stress_args(16, true);
    for tool in [Tool::Asan, Tool::Memcheck] {
        let exe = build("stress", tool);
        // Full unwinding through libcrypto, which has no frame pointers, to reach libssl's frame.
        let slow_unwind = tool == Tool::Asan;
        let r = if slow_unwind {
            let logs = TempDir::new("san-leak");
            let mut cmd = command(&exe);
            cmd.args(&args).env("LD_LIBRARY_PATH", libdir()).env(
                "ASAN_OPTIONS",
                format!(
                    "detect_leaks=1:exitcode=86:fast_unwind_on_malloc=0:log_path={}/asan",
                    logs.path().display()
                ),
            );
            let out = run(&mut cmd, TIMEOUT);
            let reports = fs::read_dir(logs.path())
                .unwrap()
                .map(|e| fs::read_to_string(e.unwrap().path()).unwrap_or_default())
                .collect();
            Run { out, reports }
        } else {
            run_under(tool, &exe, &args, &[], true)
        };
        let (code, marker) = match tool {
            Tool::Asan => (86, "ERROR: LeakSanitizer: detected memory leaks"),
            _ => (87, "definitely lost"),
        };
        assert_eq!(
            r.out.status.code(),
            Some(code),
            "{tool:?}: {}",
            r.out.stderr
        );
        assert!(
            r.reports.contains(marker) && r.reports.contains("SSL_get1_supported_ciphers"),
            "{tool:?} did not report the leak:\n{}",
            r.reports
        );
    }
}

// ------------------------------------------------------------------ the other programs

/// The inputs `conf` gets from `conf_differential.rs`: cert, key, both in one file, CA file,
/// CA directory, DH parameters.
fn conf_args(dir: &Path) -> Vec<String> {
    let server = pki().server(KeyAlg::Rsa2048);
    let both = dir.join("cert-and-key.pem");
    let mut pem = fs::read(&server.cert).unwrap();
    pem.extend(fs::read(&server.key).unwrap());
    fs::write(&both, pem).unwrap();
    let ca_dir = dir.join("ca-dir");
    fs::create_dir_all(&ca_dir).unwrap();
    fs::copy(pki().root_ca(), ca_dir.join("root-ca.pem")).unwrap();
    let dh = dir.join("dh.pem");
    let dh_args = ["genpkey", "-genparam", "-algorithm", "DH"];
    let dh_path = path_str(&dh);
    let more = ["-pkeyopt", "group:ffdhe2048", "-out", &dh_path];
    openssl(&[&dh_args[..], &more[..]].concat(), dir);
    let files = [
        &server.cert,
        &server.key,
        &both,
        &pki().root_ca(),
        &ca_dir,
        &dh,
    ];
    files.iter().map(|p| path_str(p)).collect()
}

/// The self-contained programs, each with its arguments and a line its output must contain.
fn self_contained(dir: &Path) -> Vec<(&'static str, Vec<String>, &'static str)> {
    let rsa = pki().server(KeyAlg::Rsa2048);
    let ec = pki().server(KeyAlg::EcdsaP256);
    let root = path_str(&pki().root_ca());
    let files = vec![path_str(&rsa.chain), path_str(&rsa.key), root.clone()];
    vec![
        ("copies", files.clone(), "done"),
        ("session_api", files, "done"),
        ("conf", conf_args(dir), "done"),
        ("ctrl", strings(&["fresh"]), "ctx SSL_CTX_ctrl("),
        (
            "ctrl",
            vec![
                "build".to_owned(),
                format!("cert={}", path_str(&ec.cert)),
                format!("chain={}", path_str(&ec.chain)),
                format!("root={root}"),
            ],
            "leaf SSL_CTX_build_cert_chain(",
        ),
        ("misuse", vec![], " passed, 0 failed"),
    ]
}

fn run_self_contained(tool: Tool) {
    let dir = TempDir::new("san-progs");
    for (name, args, want) in self_contained(dir.path()) {
        let what = format!("{name} {}", args.first().map_or("", |a| a.as_str()));
        let what = if name == "ctrl" {
            what
        } else {
            name.to_owned()
        };
        let text = clean(tool, &what, &build(name, tool), &args, &[]);
        assert!(
            text.contains(want),
            "{what} under {tool:?}:\n{}",
            truncate(&text, 4000)
        );
    }
}

#[test]
fn self_contained_programs_are_clean_under_asan() {
    run_self_contained(Tool::Asan);
    // Slower ones, under ASan only: classes (with the configuration file its test writes),
    // callback_stress (at CALLBACK_STRESS handshakes) and the whole-ABI program.
    let dir = TempDir::new("san-classes");
    let conf = dir.join("openssl.cnf");
    fs::write(
        &conf,
        "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\ngood = good_sect\n\
         bad = bad_sect\n[good_sect]\nMinProtocol = TLSv1.3\nOptions = -SessionTicket\n\
         [bad_sect]\nMinProtocol = TLSv1.2\nNoSuchCommand = 1\n",
    )
    .unwrap();
    let exe = build("classes", Tool::Asan);
    let text = clean(Tool::Asan, "classes", &exe, &[], &[("OPENSSL_CONF", &conf)]);
    assert!(text.ends_with("done\n"), "{}", truncate(&text, 4000));

    let args = stress_args(0, false)[..7].to_vec();
    let exe = build("callback_stress", Tool::Asan);
    let text = clean(Tool::Asan, "callback_stress", &exe, &args, &[]);
    let want = format!("total handshakes={CALLBACK_STRESS}\n");
    assert!(text.contains(&want), "{text}");
}

#[test]
fn abi_program_is_clean_under_asan() {
    let dir = TempDir::new("san-abi");
    let (server, rsa) = (pki().server(KeyAlg::EcdsaP256), pki().client());
    let arg = |k: &str, p: &Path| format!("{k}={}", path_str(p));
    let inputs = |tmp: &Path| {
        fs::create_dir_all(tmp).unwrap();
        vec![
            arg("cert", &server.cert),
            arg("key", &server.key),
            arg("chain", &server.chain),
            arg("ca", &pki().root_ca()),
            arg("rsakey", &rsa.key),
            arg("rsacert", &rsa.cert),
            arg("tmp", tmp),
            arg("sesspem", &dir.join("session.pem")),
            arg("sessder", &dir.join("session.der")),
        ]
    };
    // As in abi_differential.rs: the stock library writes the session files first.
    let plain = build("abi", Tool::Plain);
    let mut write = vec!["write-session".to_owned()];
    write.extend(inputs(&dir.join("openssl")));
    let w = run_under(Tool::Plain, &plain, &write, &[], false);
    assert_eq!(w.out.status.code(), Some(0), "{}", w.out.stderr);
    let exe = build("abi", Tool::Asan);
    let text = clean(Tool::Asan, "abi", &exe, &inputs(&dir.join("ferrossl")), &[]);
    assert!(!text.contains("crashed"), "{}", truncate(&text, 8000));
    assert!(text.lines().count() > 500, "{}", truncate(&text, 8000));
}

#[test]
fn self_contained_programs_are_clean_under_memcheck() {
    run_self_contained(Tool::Memcheck);
}

/// The clients of a stock `openssl s_server`: (program, s_server arguments after the
/// certificate's, the program's arguments after the port, a line its output must contain).
fn s_server_clients() -> Vec<(&'static str, Vec<String>, Vec<String>, &'static str)> {
    let root = path_str(&pki().root_ca());
    let www = strings(&["-www"]);
    vec![
        (
            "clear",
            www.clone(),
            vec![root.clone()],
            "server-says-reused=1",
        ),
        (
            "lengths",
            strings(&["-rev"]),
            vec![root.clone()],
            "read: cba",
        ),
        (
            "key_update",
            strings(&["-www", "-msg"]),
            strings(&["1"]),
            "key_update 1",
        ),
        ("auto_retry", www.clone(), vec![], "read some"),
        (
            "ssl_bio",
            strings(&["-www", "-no-CAstore"]),
            vec![root.clone()],
            "done",
        ),
        (
            "threads",
            www.clone(),
            vec![root.clone()],
            " passed, 0 failed",
        ),
        (
            "export",
            www,
            vec![root, "EXPERIMENTAL-ferrossl".to_owned(), "32".to_owned()],
            "before handshake: -1",
        ),
    ]
}

fn run_s_server_clients(tool: Tool, only: &[&str]) {
    for (name, server_args, args, want) in s_server_clients() {
        if !only.is_empty() && !only.contains(&name) {
            continue;
        }
        // ssl_bio's test uses the RSA certificate; the others ECDSA.
        let alg = if name == "ssl_bio" {
            KeyAlg::Rsa2048
        } else {
            KeyAlg::EcdsaP256
        };
        let mut sa = pki().server(alg).s_server_args();
        sa.extend(server_args);
        let server = Server::s_server(&sa);
        let mut a = vec![server.port().to_string()];
        a.extend(args);
        let text = clean(tool, name, &build(name, tool), &a, &[]);
        assert!(
            text.contains(want),
            "{name} under {tool:?}:\n{}",
            truncate(&text, 4000)
        );
    }
}

#[test]
fn s_server_clients_are_clean_under_asan() {
    run_s_server_clients(Tool::Asan, &[]);
}

/// Under memcheck the single-connection clients (`threads`' 90 connections are covered by
/// the stress run).
#[test]
fn s_server_clients_are_clean_under_memcheck() {
    let only = [
        "clear",
        "lengths",
        "key_update",
        "auto_retry",
        "ssl_bio",
        "export",
    ];
    run_s_server_clients(Tool::Memcheck, &only);
}

// ------------------------------------------------------------------ differential.c

/// `s_server -www` with `cert` and extra arguments, as in differential.rs.
fn www(cert: &CertKey, extra: &[&str]) -> Server {
    let mut args = cert.s_server_args();
    args.push("-www".to_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    Server::s_server(&args)
}

/// Runs the scenarios of `differential.c` whose peers are only `s_server -www` (as
/// differential.rs starts them): natively on ferrossl, then under `tool`, which must print the
/// same lines (apart from `~` lines).
fn run_differential(tool: Tool, only: &[&str]) {
    let ec = pki().server(KeyAlg::EcdsaP256);
    let (untrusted, wrong) = (pki().untrusted_server(), pki().wrong_host_server());
    let root = format!("root={}", path_str(&pki().root_ca()));
    let scenarios: [(&str, &str, &CertKey); 8] = [
        ("verify_failure", "port13 port12", &untrusted),
        ("hostname", "port_good", &ec),
        ("verify_none", "port", &untrusted),
        ("clean_close", "port13 port12", &ec),
        ("ciphers", "", &ec),
        ("nonblocking", "port13 port12", &ec),
        ("sessions", "port13 port12 port12_noticket", &ec),
        ("callbacks", "port_good13 port_good12 port_untrusted", &ec),
    ];
    let plain = build("differential", Tool::Plain);
    let exe = build("differential", tool);
    for (scenario, ports, cert) in scenarios {
        if !only.is_empty() && !only.contains(&scenario) {
            continue;
        }
        let mut servers = Vec::new();
        let mut args = vec![scenario.to_owned(), root.clone()];
        for key in ports.split_whitespace() {
            // The protocol and certificate each port's name asks for.
            let cert = match key {
                "port_untrusted" => &untrusted,
                _ => cert,
            };
            let proto: &[&str] = match key {
                k if k.ends_with("13") => &["-tls1_3"],
                k if k.contains("12") => &["-tls1_2"],
                _ => &[],
            };
            let extra = if key == "port12_noticket" {
                [proto, &["-no_ticket"]].concat()
            } else {
                proto.to_vec()
            };
            let server = www(cert, &extra);
            args.push(format!("{key}={}", server.port()));
            servers.push(server);
        }
        if ["hostname", "verify_none", "callbacks"].contains(&scenario) {
            let server = www(&wrong, &[]);
            args.push(format!("port_wrong={}", server.port()));
            servers.push(server);
        }
        let native = run_under(Tool::Plain, &plain, &args, &[], true);
        assert_eq!(
            native.out.status.code(),
            Some(0),
            "{scenario}: {}",
            native.out.stderr
        );
        let what = format!("differential {scenario}");
        let checked = clean(tool, &what, &exe, &args, &[]);
        let native = native.out.stdout_str();
        let (a, b) = (counts(&checked), counts(&native));
        assert!(b.len() > 3, "{scenario}: {native}");
        assert_eq!(
            a, b,
            "{scenario}: under {tool:?} (left) and natively (right)"
        );
    }
}

#[test]
fn differential_scenarios_are_clean_under_asan() {
    run_differential(Tool::Asan, &[]);
}

#[test]
fn differential_scenarios_are_clean_under_memcheck() {
    run_differential(Tool::Memcheck, &["ciphers", "sessions", "callbacks"]);
}
