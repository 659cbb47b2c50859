//! The binary interface: `libssl.so.3` exports exactly OpenSSL 3.5's 604 libssl functions, each
//! under its own version node (`OPENSSL_3.0.0` .. `OPENSSL_3.5.0`, chained as in OpenSSL's
//! library), has the right SONAME and dependencies, its generated stub table and
//! `ABI.md` are current, and the stubs fail safely through the C ABI.

mod common;

use std::collections::{BTreeMap, BTreeSet};
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
    common::exports().into_keys().collect()
}

/// The dynamic symbols `libssl.so.3` defines, as (name, version node, nm kind), and the version
/// nodes themselves (nm's `A` entries).
fn defined_symbols() -> (BTreeMap<String, (String, String)>, BTreeSet<String>) {
    let lib = common::libdir().join("libssl.so.3");
    let nm = run(Command::new("nm")
        .args(["-D", "--defined-only", "--with-symbol-versions"])
        .arg(&lib));
    let (mut symbols, mut nodes) = (BTreeMap::new(), BTreeSet::new());
    for line in nm.lines() {
        let mut f = line.split_whitespace();
        let (_addr, kind, sym) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        if kind == "A" {
            nodes.insert(sym.trim_end_matches('@').to_owned());
            continue;
        }
        // `@@`: the default version, as in OpenSSL's libssl (no hidden older versions).
        let (name, node) = sym
            .split_once("@@")
            .unwrap_or_else(|| panic!("{sym} has no default version node"));
        symbols.insert(name.to_owned(), (node.to_owned(), kind.to_owned()));
    }
    (symbols, nodes)
}

/// `nm -D --defined-only --with-symbol-versions` gives exactly the 604 functions of OpenSSL 3.5's
/// libssl, each under its own node, and nothing else.
#[test]
fn exports_exactly_openssl_3_5_libssl_with_its_nodes() {
    let (symbols, nodes) = defined_symbols();
    let want = common::exports();
    let have: BTreeMap<String, String> = symbols
        .iter()
        .map(|(n, (v, _))| (n.clone(), v.clone()))
        .collect();
    let extra: Vec<_> = have
        .iter()
        .filter(|(n, _)| !want.contains_key(*n))
        .collect();
    let missing: Vec<_> = want
        .iter()
        .filter(|(n, _)| !have.contains_key(*n))
        .collect();
    let wrong: Vec<_> = want
        .iter()
        .filter(|(n, v)| have.get(*n).is_some_and(|h| h != *v))
        .map(|(n, v)| format!("{n}: {} instead of {v}", have[n]))
        .collect();
    assert!(
        extra.is_empty() && missing.is_empty() && wrong.is_empty(),
        "extra: {extra:?}\nmissing: {missing:?}\nwrong node: {wrong:?}"
    );
    let not_functions: Vec<_> = symbols.iter().filter(|(_, (_, k))| k != "T").collect();
    assert!(not_functions.is_empty(), "not functions: {not_functions:?}");
    assert_eq!(symbols.len(), 604);
    let want_nodes: BTreeSet<String> = want.values().cloned().collect();
    assert_eq!(nodes, want_nodes, "the version nodes");
    let per_node = |node: &str| want.values().filter(|v| *v == node).count();
    assert_eq!(
        [
            per_node("OPENSSL_3.0.0"),
            per_node("OPENSSL_3.2.0"),
            per_node("OPENSSL_3.3.0"),
            per_node("OPENSSL_3.4.0"),
            per_node("OPENSSL_3.5.0")
        ],
        [518, 57, 6, 4, 19]
    );
}

/// The version definitions chain as in OpenSSL's libssl: each node after OPENSSL_3.0.0 names the
/// one before as its parent (readelf -V), so a program linked against any of them finds them all.
#[test]
fn version_nodes_chain_as_in_openssl() {
    let lib = common::libdir().join("libssl.so.3");
    let text = run(Command::new("readelf").arg("-V").arg(&lib));
    let defs = text
        .split("Version definition section")
        .nth(1)
        .and_then(|t| t.split("Version needs section").next())
        .unwrap_or_else(|| panic!("no version definitions:\n{text}"));
    // "Name: X" lines, each followed by its "Parent 1: Y" line when it has one.
    let mut chain = Vec::new();
    for line in defs.lines() {
        if let Some(name) = line.split("Name: ").nth(1) {
            chain.push((name.trim().to_owned(), None));
        } else if let Some(parent) = line.split("Parent 1: ").nth(1) {
            chain.last_mut().unwrap().1 = Some(parent.trim().to_owned());
        }
    }
    let want = [
        ("libssl.so.3", None),
        ("OPENSSL_3.0.0", None),
        ("OPENSSL_3.2.0", Some("OPENSSL_3.0.0")),
        ("OPENSSL_3.3.0", Some("OPENSSL_3.2.0")),
        ("OPENSSL_3.4.0", Some("OPENSSL_3.3.0")),
        ("OPENSSL_3.5.0", Some("OPENSSL_3.4.0")),
    ]
    .map(|(n, p)| (n.to_owned(), p.map(str::to_owned)));
    assert_eq!(chain, want, "{defs}");
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
/// and there are exactly 604 of them, one per name of OpenSSL 3.5's list.
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
        "the #[export] functions are not the 604 names"
    );
}

/// One file for Debian 12 (OpenSSL 3.0's libcrypto) and Debian 13 (3.5's): everything
/// libssl.so.3 takes from libcrypto.so.3 is of node OPENSSL_3.0.0, which every 3.x libcrypto
/// has, so the loader accepts the library with any of them (readelf -V, "Version needs").
#[test]
fn needs_nothing_newer_than_libcrypto_3_0() {
    let lib = common::libdir().join("libssl.so.3");
    let text = run(Command::new("readelf").arg("-V").arg(&lib));
    let needs = text
        .split("Version needs section")
        .nth(1)
        .unwrap_or_else(|| panic!("no version needs:\n{text}"));
    let mut file = String::new();
    let mut from_libcrypto = Vec::new();
    for line in needs.lines() {
        if let Some(f) = line.split("File: ").nth(1) {
            file = f.split_whitespace().next().unwrap_or_default().to_owned();
        } else if let Some(name) = line.split("Name: ").nth(1) {
            if file == "libcrypto.so.3" {
                from_libcrypto.push(name.split_whitespace().next().unwrap().to_owned());
            }
        }
    }
    assert_eq!(from_libcrypto, ["OPENSSL_3.0.0"], "{needs}");
}
