//! The Debian package (`make deb`, tools/deb/build): built once per run from the library under
//! test and a ferrossl-check built here, it holds exactly the intended files, its control fields
//! hold on Debian 12 and 13, lintian passes with the documented overrides, and the packaged
//! commands do what their man pages say: ferrossl-check's verdicts on Debian's curl and nginx,
//! /bin/ls and a program needing an OpenSSL 3.6 node (each one then confirmed by really running
//! the program on ferrossl), ferrossl-run, the PID check, the pkg-config file, and
//! ferrossl-enable/-disable in a scratch root.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::deb::{build_future, gcc, package, src, version, Package, PRIVATE};
use common::{command, repo_root, run, TempDir};

#[path = "deb_package/enable.rs"]
mod enable;

const T: Duration = Duration::from_secs(120);

fn text(cmd: &mut std::process::Command) -> String {
    let out = run(cmd, T);
    out.assert_success();
    out.stdout_str()
}

#[test]
fn holds_exactly_the_intended_files() {
    let pkg = package();
    let listing = text(command("dpkg-deb").arg("--contents").arg(&pkg.deb));
    let got: BTreeSet<String> = listing
        .lines()
        .map(|l| {
            let path = l.split_whitespace().nth(5).unwrap();
            let mode = l.split_whitespace().next().unwrap();
            let owner = l.split_whitespace().nth(1).unwrap();
            assert_eq!(owner, "root/root", "{l}");
            format!("{} {}", &mode[..1], path.trim_start_matches("./"))
        })
        .filter(|l| !l.ends_with(' ') && !l.starts_with("d "))
        .collect();
    let want: BTreeSet<String> = [
        "- usr/bin/ferrossl-check",
        "- usr/bin/ferrossl-run",
        "- usr/include/ferrossl/ssl.h",
        "- usr/lib/x86_64-linux-gnu/ferrossl/libssl.so.3",
        "- usr/lib/x86_64-linux-gnu/pkgconfig/ferrossl.pc",
        "- usr/sbin/ferrossl-disable",
        "- usr/sbin/ferrossl-enable",
        "- usr/share/doc/ferrossl/README.md.gz",
        "- usr/share/doc/ferrossl/changelog.gz",
        "- usr/share/doc/ferrossl/copyright",
        "- usr/share/lintian/overrides/ferrossl",
        "- usr/share/man/man1/ferrossl-check.1.gz",
        "- usr/share/man/man1/ferrossl-run.1.gz",
        "l usr/share/man/man8/ferrossl-disable.8.gz",
        "- usr/share/man/man8/ferrossl-enable.8.gz",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want, "dpkg-deb --contents:\n{listing}");
    // Nothing in the loader's default path or Debian's libssl3 files.
    assert!(!listing.contains("x86_64-linux-gnu/libssl"), "{listing}");
    // The library and the binary are stripped.
    for f in [
        format!("{PRIVATE}/libssl.so.3"),
        "usr/bin/ferrossl-check".into(),
    ] {
        let sections = text(command("readelf").arg("-SW").arg(pkg.path(&f)));
        for s in [" .symtab ", " .debug_info ", " .debug_line "] {
            assert!(!sections.contains(s), "{f} is not stripped: it has {s}");
        }
    }
    // The header is the repo's and the pkg-config file names the private directory.
    assert_eq!(
        fs::read(pkg.path("usr/include/ferrossl/ssl.h")).unwrap(),
        fs::read(repo_root().join("include/ferrossl/ssl.h")).unwrap()
    );
    let pc =
        fs::read_to_string(pkg.path("usr/lib/x86_64-linux-gnu/pkgconfig/ferrossl.pc")).unwrap();
    assert!(pc.contains(&format!("Version: {}\n", version())), "{pc}");
    assert!(
        pc.contains("libdir=${prefix}/lib/x86_64-linux-gnu/ferrossl\n"),
        "{pc}"
    );
}

#[test]
fn control_fields_hold_on_debian_12_and_13() {
    let pkg = package();
    let control = fs::read_to_string(pkg.path("DEBIAN/control")).unwrap();
    let field = |name: &str| {
        control
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
    };
    assert_eq!(field("Package").as_deref(), Some("ferrossl"));
    assert_eq!(field("Version"), Some(version()));
    assert_eq!(field("Architecture").as_deref(), Some("amd64"));
    for absent in ["Provides", "Replaces", "Conflicts", "Breaks", "Pre-Depends"] {
        assert_eq!(field(absent), None, "{absent} in\n{control}");
    }
    let depends = field("Depends").unwrap();
    let deps: Vec<&str> = depends.split(", ").collect();
    assert!(
        deps.contains(&"libssl3 (>= 3.0.0) | libssl3t64"),
        "{depends}"
    );
    for d in &deps {
        let name = d.split(' ').next().unwrap();
        assert!(
            ["libc6", "libgcc-s1", "libssl3"].contains(&name),
            "unexpected dependency {d}"
        );
    }
    // libc6's floor must hold on Debian 12 (glibc 2.36).
    let libc = deps.iter().find(|d| d.starts_with("libc6 (>= ")).unwrap();
    let floor: Vec<u32> = libc["libc6 (>= ".len()..libc.len() - 1]
        .split('.')
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(floor <= vec![2, 36], "{libc}");
    // No shlibs, symbols or triggers; one maintainer script, postrm (purge removes the drop-ins
    // ferrossl-enable wrote): the control archive is these three.
    let ctrl: BTreeSet<String> = fs::read_dir(pkg.path("DEBIAN"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        ctrl,
        ["control", "md5sums", "postrm"].map(String::from).into()
    );
    // md5sums lists every regular file, correctly.
    let sums = fs::read_to_string(pkg.path("DEBIAN/md5sums")).unwrap();
    assert_eq!(sums.lines().count(), 14, "{sums}");
    let mut check = command("md5sum");
    check
        .args(["--check", "--quiet", "DEBIAN/md5sums"])
        .current_dir(&pkg.root);
    run(&mut check, T).assert_success();
}

#[test]
fn lintian_is_clean_with_the_overrides() {
    let pkg = package();
    let mut lintian = command("lintian");
    lintian
        .args(["--fail-on", "error,warning", "--info", "--pedantic"])
        .arg(&pkg.deb);
    let out = run(&mut lintian, T);
    assert_eq!(
        out.code(),
        0,
        "lintian:\n{}{}",
        out.stdout_str(),
        out.stderr
    );
    let tags: Vec<String> = out
        .stdout_str()
        .lines()
        .filter(|l| l.starts_with(|c| "EWIP".contains(c)) && l.contains(": "))
        .map(str::to_string)
        .collect();
    assert!(tags.is_empty(), "tags not overridden:\n{tags:#?}");
}

/// ferrossl-check's verdict line and exit status.
fn check(pkg: &Package, target: &Path, json: bool) -> (i32, String) {
    let mut cmd = pkg.cmd("usr/bin/ferrossl-check");
    if json {
        cmd.arg("--json");
    }
    let out = run(cmd.arg(target), T);
    let code = out.code();
    (code, out.stdout_str())
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

#[test]
fn check_says_curl_and_nginx_run_and_ls_uses_no_libssl() {
    let pkg = package();
    for prog in ["/usr/bin/curl", "/usr/sbin/nginx"] {
        let (code, out) = check(pkg, Path::new(prog), false);
        assert_eq!(code, 0, "{out}");
        let verdict = last_line(&out);
        assert!(
            verdict.starts_with(&format!("verdict: {prog} runs on ferrossl (")),
            "{out}"
        );
        assert!(
            out.contains("\nloader: accepts it on ferrossl's libssl.so.3\n"),
            "{out}"
        );
        let (_, json) = check(pkg, Path::new(prog), true);
        let head = "\"verdict\":\"runs\",\"status\":0,\"loader_accepts\":true,";
        assert!(json.contains(head), "{json}");
        // And it does: the program starts on the packaged library.
        let mut cmd = pkg.cmd("usr/bin/ferrossl-run");
        cmd.arg(prog).arg(if prog.ends_with("nginx") {
            "-v"
        } else {
            "--version"
        });
        let ran = run(&mut cmd, T);
        assert_eq!(ran.code(), 0, "{prog} on ferrossl: {}", ran.stderr);
    }
    let (code, out) = check(pkg, Path::new("/bin/ls"), false);
    assert_eq!(
        (code, last_line(&out)),
        (2, "verdict: /bin/ls does not use libssl")
    );
    let mut cmd = pkg.cmd("usr/bin/ferrossl-run");
    let out = run(cmd.arg("/bin/ls"), T);
    assert_eq!(out.code(), 125, "{}", out.stderr);
    assert!(out.stderr.contains("links no libssl"), "{}", out.stderr);
}

/// nginx links libssl.so.3 itself: the functions ferrossl-check lists are exactly nginx's
/// undefined dynamic symbols that libssl exports (nm's view), each with abi/classes.tsv's class.
#[test]
fn check_lists_nginx_imports_as_nm_sees_them() {
    let pkg = package();
    let classes: Vec<(String, String, String)> =
        fs::read_to_string(repo_root().join("abi/classes.tsv"))
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[0].into(), f[1].into(), f[2].into())
            })
            .collect();
    let nm = text(command("nm").args([
        "-D",
        "--undefined-only",
        "--with-symbol-versions",
        "/usr/sbin/nginx",
    ]));
    let mut want = BTreeSet::new();
    for line in nm.lines() {
        let sym = line.split_whitespace().last().unwrap();
        let (name, node) = sym.split_once('@').unwrap_or((sym, ""));
        if let Some((_, n, class)) = classes.iter().find(|(c, _, _)| c == name) {
            assert_eq!(node, n, "{sym}");
            want.insert(format!("{name} {n} {class}"));
        }
    }
    let (code, out) = check(pkg, Path::new("/usr/sbin/nginx"), false);
    assert_eq!(code, 0, "{out}");
    let got: BTreeSet<String> = out
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let counts = format!("({} libssl functions: ", want.len());
    assert!(last_line(&out).contains(&counts), "{out}");
}

#[test]
fn check_refuses_a_program_needing_an_openssl_3_6_node() {
    let pkg = package();
    let tmp = TempDir::new("deb-future");
    let dir = tmp.path().display().to_string();
    let prog = build_future(tmp.path(), &dir);
    // It runs on the library it was linked with.
    run(&mut command(&prog), T).assert_success();
    // Found through DT_RPATH (old-style) as through DT_RUNPATH: the same verdict.
    let old_style = tmp.join("future-rpath");
    gcc(
        &[
            "-o",
            &old_style.display().to_string(),
            &src("future_prog.c"),
            "-L",
            &dir,
        ],
        &[
            "-l:libssl.so.3".into(),
            "-Wl,--disable-new-dtags".into(),
            format!("-Wl,-rpath,{dir}"),
        ],
    );
    let dynamic = text(command("readelf").arg("-d").arg(&old_style));
    assert!(
        dynamic.contains("(RPATH)") && !dynamic.contains("(RUNPATH)"),
        "{dynamic}"
    );
    let (code, out) = check(pkg, &old_style, false);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("libssl.so.3: {dir}/libssl.so.3 (needed by")),
        "{out}"
    );

    let (code, out) = check(pkg, &prog, false);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("version node OPENSSL_3.6.0: NOT defined by ferrossl"),
        "{out}"
    );
    assert!(
        out.contains("\nloader: refuses it on ferrossl's libssl.so.3"),
        "{out}"
    );
    let verdict = last_line(&out);
    assert!(verdict.contains("cannot run on ferrossl"), "{verdict}");
    assert!(
        verdict.contains("SSL_from_the_future@OPENSSL_3.6.0"),
        "{verdict}"
    );
    assert!(
        verdict.contains("version nodes it lacks: OPENSSL_3.6.0"),
        "{verdict}"
    );
    let (code, json) = check(pkg, &prog, true);
    assert_eq!(code, 1);
    for part in [
        "\"verdict\":\"cannot-run\",\"status\":1,\"loader_accepts\":false,",
        "{\"name\":\"SSL_CTX_new\",\"node\":\"OPENSSL_3.0.0\",\"class\":\"implemented\"",
        "{\"name\":\"SSL_from_the_future\",\"node\":\"OPENSSL_3.6.0\",\"class\":\"missing\"",
        "{\"node\":\"OPENSSL_3.6.0\",\"defined\":false,\"weak\":false}",
    ] {
        assert!(json.contains(part), "{part} not in {json}");
    }

    // ferrossl-run refuses; forced, the loader refuses ferrossl's library as predicted.
    let mut cmd = pkg.cmd("usr/bin/ferrossl-run");
    let out = run(cmd.arg(&prog), T);
    assert_eq!(out.code(), 125, "{}", out.stderr);
    assert!(out.stderr.contains("refusing to run"), "{}", out.stderr);
    let mut cmd = pkg.cmd("usr/bin/ferrossl-run");
    let out = run(cmd.arg("--force").arg(&prog), T);
    assert_ne!(out.code(), 0);
    assert!(
        out.stderr.contains("version `OPENSSL_3.6.0' not found"),
        "{}",
        out.stderr
    );
}

/// Starts `where wait` (through `wrapper` when given) and returns it with the library path it
/// printed.
fn start_where(pkg: &Package, exe: &Path, wrapper: &[&str]) -> (std::process::Child, PathBuf) {
    let mut cmd = if wrapper.is_empty() {
        command(exe)
    } else {
        let mut c = pkg.cmd(wrapper[0]);
        c.args(&wrapper[1..]).arg(exe);
        c
    };
    cmd.arg("wait").stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, fs::canonicalize(line.trim()).unwrap())
}

fn stop(mut child: std::process::Child) {
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn run_loads_ferrossl_and_check_sees_the_running_process() {
    let pkg = package();
    let tmp = TempDir::new("deb-where");
    let exe = tmp.join("where");
    gcc(
        &[
            "-o",
            &exe.display().to_string(),
            &src("where.c"),
            "-lssl",
            "-lcrypto",
        ],
        &[],
    );
    let ours = fs::canonicalize(pkg.libdir().join("libssl.so.3")).unwrap();
    for wrapper in [
        &["usr/bin/ferrossl-run"][..],
        &["usr/bin/ferrossl-run", "--preload"],
    ] {
        let (child, lib) = start_where(pkg, &exe, wrapper);
        assert_eq!(lib, ours, "{wrapper:?}");
        let pid = child.id().to_string();
        let (code, out) = check(pkg, Path::new(&pid), false);
        assert_eq!(code, 0, "{out}");
        assert!(
            last_line(&out).contains("runs on ferrossl now (the installed package's"),
            "{out}"
        );
        let (_, json) = check(pkg, Path::new(&pid), true);
        assert!(
            json.contains("\"verdict\":\"running-on-ferrossl\""),
            "{json}"
        );
        stop(child);
    }
    let (child, lib) = start_where(pkg, &exe, &[]);
    assert_ne!(lib, ours);
    let (code, out) = check(pkg, Path::new(&child.id().to_string()), false);
    assert_eq!(code, 1, "{out}");
    assert!(
        last_line(&out).contains("runs on OpenSSL's libssl.so.3 now"),
        "{out}"
    );
    assert!(
        last_line(&out).ends_with("; its program runs on ferrossl"),
        "{out}"
    );
    stop(child);
}

/// A program built with `pkg-config ferrossl` (and <ferrossl/ssl.h>) runs on the private
/// library with no environment set.
#[test]
fn pkg_config_builds_programs_on_the_private_library() {
    let pkg = package();
    let tmp = TempDir::new("deb-pc");
    let mut pc = command("pkg-config");
    pc.arg(format!(
        "--define-variable=prefix={}",
        pkg.path("usr").display()
    ))
    .args(["--cflags", "--libs", "ferrossl"])
    .env(
        "PKG_CONFIG_PATH",
        pkg.path("usr/lib/x86_64-linux-gnu/pkgconfig"),
    );
    let flags: Vec<String> = text(&mut pc).split_whitespace().map(String::from).collect();
    assert!(flags.contains(&"-l:libssl.so.3".to_string()), "{flags:?}");
    let exe = tmp.join("where");
    gcc(
        &[
            "-DFERROSSL_HEADER",
            "-o",
            &exe.display().to_string(),
            &src("where.c"),
        ],
        &flags,
    );
    let out = run(&mut command(&exe), T);
    out.assert_success();
    let lib = fs::canonicalize(out.stdout_str().trim()).unwrap();
    assert_eq!(
        lib,
        fs::canonicalize(pkg.libdir().join("libssl.so.3")).unwrap()
    );
}
