//! The binary interface: `libssl.so.3` exports exactly OpenSSL 3.0's 518 libssl functions, all
//! under `OPENSSL_3.0.0`, has the right SONAME and dependencies, its generated stub table and
//! `ABI.md` are current, and the stubs fail safely through the C ABI.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn expected() -> BTreeSet<String> {
    std::fs::read_to_string(repo().join("abi/libssl-3.0.exports"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn exports_exactly_openssl_3_0_libssl() {
    let lib = common::libdir().join("libssl.so.3");
    let nm = run(Command::new("nm")
        .args(["-D", "--defined-only", "--with-symbol-versions"])
        .arg(&lib));
    let mut names = BTreeSet::new();
    for line in nm.lines() {
        let mut f = line.split_whitespace();
        let (_addr, kind, sym) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        if kind == "A" && sym.starts_with("OPENSSL_3.0.0") {
            continue; // the version node itself, as in OpenSSL's libssl
        }
        let name = sym
            .strip_suffix("@@OPENSSL_3.0.0")
            .unwrap_or_else(|| panic!("{sym} is not under OPENSSL_3.0.0"));
        assert_eq!(kind, "T", "{sym} is not a function");
        names.insert(name.to_owned());
    }
    let want = expected();
    let extra: Vec<_> = names.difference(&want).collect();
    let missing: Vec<_> = want.difference(&names).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "extra: {extra:?}\nmissing: {missing:?}"
    );
    assert_eq!(names.len(), 518);
}

#[test]
fn soname_and_dependencies() {
    let lib = common::libdir().join("libssl.so.3");
    let dynamic = run(Command::new("readelf").arg("-d").arg(&lib));
    assert!(
        dynamic.contains("Library soname: [libssl.so.3]"),
        "{dynamic}"
    );
    assert!(
        dynamic.contains("Shared library: [libcrypto.so.3]"),
        "{dynamic}"
    );
    let needs_libssl = dynamic
        .lines()
        .any(|l| l.contains("(NEEDED)") && l.contains("[libssl.so"));
    assert!(!needs_libssl, "must not need OpenSSL's libssl:\n{dynamic}");
}

#[test]
fn generated_stubs_and_abi_table_are_current() {
    run(Command::new("python3")
        .arg(repo().join("abi/gen.py"))
        .arg("--check"));
}

#[test]
fn stubs_fail_safely_through_the_c_abi() {
    let out_dir = repo().join("target/c-tests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join("stubs");
    run(Command::new("gcc")
        .args(["-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(repo().join("tests/c/stubs.c"))
        .arg(format!("-L{}", common::libdir().display()))
        .arg(format!("-Wl,-rpath,{}", common::libdir().display()))
        .args(["-lssl", "-lcrypto"]));
    let out = Command::new(&exe).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

/// Every exported function is defined through `#[export]` (crate `ferrossl-macros`), which
/// names the symbol once, catches panics and queues errors under the function's name: in
/// `src/capi/`, each `#[no_mangle]` item is an `extern "C" fn` with `#[export]` right above,
/// and there are exactly 518 of them, one per name of OpenSSL 3.0's list.
#[test]
fn every_export_goes_through_the_one_macro() {
    let mut defined = BTreeSet::new();
    let mut bad = Vec::new();
    for entry in std::fs::read_dir(repo().join("src/capi")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "#[no_mangle]" {
                continue;
            }
            let above = i.checked_sub(1).map(|j| lines[j].trim()).unwrap_or("");
            let item = lines.get(i + 1).copied().unwrap_or("");
            let name = item
                .split("extern \"C\" fn ")
                .nth(1)
                .and_then(|rest| rest.split('(').next())
                .map(str::to_owned);
            match name {
                Some(n) if above.starts_with("#[export") && item.starts_with("pub ") => {
                    if !defined.insert(n.clone()) {
                        bad.push(format!("{n} defined twice"));
                    }
                }
                _ => bad.push(format!("{}:{}: {item}", path.display(), i + 2)),
            }
        }
        // No export may be written around the macro (another attribute spelling, a macro).
        assert!(
            !text.contains("#[unsafe(no_mangle)]") && !text.contains("export_name"),
            "{}: exports must use #[export] + #[no_mangle]",
            path.display()
        );
    }
    assert!(
        bad.is_empty(),
        "not defined through #[export]:\n{}",
        bad.join("\n")
    );
    assert_eq!(
        defined,
        expected(),
        "the #[export] functions are not the 518 names"
    );
}
