//! The Debian 13 ("trixie") root that `.ci/trixie-root` builds (`make deps` runs it): Debian 13's
//! own programs and OpenSSL 3.5.9, for the tests that run those programs on ferrossl and for the
//! header check against OpenSSL 3.5's `<openssl/ssl.h>`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The root: `$FERROSSL_TRIXIE_ROOT`, else `/var/cache/ferrossl/trixie` (as `.ci/trixie-root`).
/// Panics (the test fails) when it has not been built.
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = match std::env::var_os("FERROSSL_TRIXIE_ROOT") {
            Some(r) if !r.is_empty() => PathBuf::from(r),
            _ => PathBuf::from("/var/cache/ferrossl/trixie"),
        };
        assert!(
            root.join(".ferrossl-stamp").is_file(),
            "the Debian 13 root {} is missing or incomplete: build it with `bash .ci/trixie-root` \
             (`make deps` does)",
            root.display()
        );
        root
    })
}

/// gcc arguments that compile against the root's OpenSSL 3.5 headers (libssl-dev) instead of the
/// host's 3.0 ones.
pub fn include_args() -> Vec<String> {
    let r = root().display();
    vec![
        "-isystem".into(),
        format!("{r}/usr/include"),
        "-isystem".into(),
        format!("{r}/usr/include/x86_64-linux-gnu"),
    ]
}

// ---------------------------------------------------------------------------------------------
// Running Debian 13's programs inside the root
// ---------------------------------------------------------------------------------------------

use std::fs;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::progs::mapped_libssl;
use super::{command, libssl_path, run, Mode};

/// Debian 13's own libssl inside the root, what its programs load when nothing is injected.
pub const STOCK_LIBSSL_35: &str = "usr/lib/x86_64-linux-gnu/libssl.so.3";

/// Which `libssl.so.3` a Debian 13 program runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    /// Debian 13's OpenSSL 3.5.9.
    Stock,
    /// The library under test (the very file `make lib` built, copied into the stage).
    Ours(Mode),
}

/// A scratch directory inside the root, `/ferrossl/<tag>-<pid>-<n>` as the programs there see
/// it, holding a copy of the library under test (`lib/libssl.so.3`) and whatever the test puts
/// in (certificates, configurations, logs). Removed on drop.
pub struct Stage {
    root: &'static Path,
    host: PathBuf,
    inside: String,
}

impl Stage {
    /// A stage in the Debian 13 root.
    pub fn new(tag: &str) -> Stage {
        Stage::in_root(root(), tag)
    }

    /// A stage in another root built by `.ci/debian-root` (the Debian 12 one of the package
    /// tests).
    pub fn in_root(root: &'static Path, tag: &str) -> Stage {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let host = root.join("ferrossl").join(&name);
        let _ = fs::remove_dir_all(&host);
        fs::create_dir_all(host.join("lib")).unwrap();
        fs::copy(libssl_path(), host.join("lib/libssl.so.3"))
            .unwrap_or_else(|e| panic!("copying {} into the root: {e}", libssl_path().display()));
        // Daemons that drop privileges (nginx workers) must read their files.
        let _ = Command::new("chmod")
            .arg("-R")
            .arg("a+rwX")
            .arg(&host)
            .status();
        Stage {
            root,
            host,
            inside: format!("/ferrossl/{name}"),
        }
    }

    /// The root this stage is in.
    pub fn root(&self) -> &'static Path {
        self.root
    }

    /// The host path of `rel` inside the stage.
    pub fn host(&self, rel: &str) -> PathBuf {
        self.host.join(rel)
    }

    /// The path of `rel` inside the stage as the root's programs see it.
    pub fn inside(&self, rel: &str) -> String {
        if rel.is_empty() {
            self.inside.clone()
        } else {
            format!("{}/{rel}", self.inside)
        }
    }

    /// Writes `contents` to `rel`; returns its path inside the root.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.host(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).unwrap();
        }
        fs::write(&path, contents).unwrap();
        self.inside(rel)
    }

    /// Copies the host file `from` into the stage under its own name; returns its path inside.
    pub fn copy_in(&self, from: &Path) -> String {
        let name = from.file_name().unwrap().to_str().unwrap().to_owned();
        fs::copy(from, self.host(&name))
            .unwrap_or_else(|e| panic!("copying {} into the root: {e}", from.display()));
        self.inside(&name)
    }

    /// Copies the test PKI (`common::pki()`: root CA, intermediate, server and client
    /// certificates, see tests/common/mod.rs) into `pki/`; returns that directory inside the root.
    pub fn copy_pki(&self) -> String {
        let from = super::pki().root_ca();
        let from = from.parent().unwrap();
        fs::create_dir_all(self.host("pki")).unwrap();
        for entry in fs::read_dir(from).unwrap().flatten() {
            if entry.path().is_file() {
                fs::copy(entry.path(), self.host("pki").join(entry.file_name())).unwrap();
            }
        }
        let _ = Command::new("chmod")
            .arg("-R")
            .arg("a+rX")
            .arg(self.host("pki"))
            .status();
        self.inside("pki")
    }

    /// The host path of the `libssl.so.3` a process running `on` must map.
    pub fn libssl(&self, on: On) -> PathBuf {
        match on {
            On::Stock => self.root.join(STOCK_LIBSSL_35),
            On::Ours(_) => self.host("lib/libssl.so.3"),
        }
    }

    /// `program args..` run inside the root (chroot) with a clean environment (`PATH`, `HOME`,
    /// `LANG`, the `env` pairs) and, `on` ours, the loader variable of its mode. The process keeps
    /// its pid through chroot and env, so its `/proc/<pid>/maps` can be checked.
    pub fn command(&self, on: On, env: &[(&str, &str)], program: &str) -> Command {
        let mut cmd = command("chroot");
        cmd.arg(self.root).args([
            "/usr/bin/env",
            "-i",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/root",
            "LANG=C.UTF-8",
        ]);
        match on {
            On::Stock => {}
            On::Ours(Mode::LibraryPath) => {
                cmd.arg(format!("LD_LIBRARY_PATH={}", self.inside("lib")));
            }
            On::Ours(Mode::Preload) => {
                cmd.arg(format!("LD_PRELOAD={}", self.inside("lib/libssl.so.3")));
            }
        }
        for (k, v) in env {
            cmd.arg(format!("{k}={v}"));
        }
        cmd.arg(program);
        cmd
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.host);
    }
}

/// Panics unless live process `pid` maps exactly one `libssl.so.3`: the one `on` names in
/// `stage` (polls up to 10 s while nothing is mapped yet).
#[track_caller]
pub fn assert_maps(pid: u32, stage: &Stage, on: On, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let found = loop {
        let found = mapped_libssl(pid);
        if !found.is_empty() || std::time::Instant::now() > deadline {
            break found;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let want = stage.libssl(on);
    assert_eq!(
        found,
        vec![want.clone()],
        "{what} (pid {pid}) must map exactly {}",
        want.display()
    );
}

/// The version of `package` installed in the root.
pub fn debian_version(package: &str) -> String {
    let mut cmd = command("chroot");
    cmd.arg(root())
        .args(["dpkg-query", "-W", "-f=${Version}", package]);
    let out = run(&mut cmd, Duration::from_secs(20));
    if out.status.success() && !out.stdout.is_empty() {
        out.stdout_str()
    } else {
        "not installed".into()
    }
}

/// Records a Debian 13 program scenario that passed, in the table `.ci/test` prints (as
/// `progs::report` does for Debian 12's programs).
pub fn report(program: &str, package: &str, stage: &Stage, on: On, exchanged: &str) {
    let how = match on {
        On::Stock => "stock 3.5",
        On::Ours(Mode::LibraryPath) => "LD_LIBRARY_PATH",
        On::Ours(Mode::Preload) => "LD_PRELOAD",
    };
    super::progs::record(
        &format!("{program} (Debian 13)"),
        &format!("{package} {}", debian_version(package)),
        &format!("{how}: {}", stage.libssl(on).display()),
        exchanged,
    );
}

// ---------------------------------------------------------------------------------------------
// Differential C programs on OpenSSL 3.5
// ---------------------------------------------------------------------------------------------

/// Builds `tests/c/<name>.c` against OpenSSL 3.5's headers and Debian 13's libssl/libcrypto
/// into `stage` (host gcc; the binary needs only glibc symbols Debian 13 has); returns its path
/// inside the root.
pub fn build_c(stage: &Stage, name: &str) -> String {
    let lib = format!("{}/usr/lib/x86_64-linux-gnu", root().display());
    let mut cmd = command("gcc");
    cmd.args(["-std=gnu11", "-Wall", "-Wextra", "-Werror"])
        .args(include_args())
        .arg("-o")
        .arg(stage.host(name))
        .arg(super::repo_root().join(format!("tests/c/{name}.c")))
        .arg(format!("-L{lib}"))
        // libcrypto 3.5 refers to glibc 2.38+ symbols the host's glibc lacks; they resolve
        // inside the root, where the program runs.
        .args(["-Wl,--allow-shlib-undefined", "-lssl", "-lcrypto"]);
    let out = run(&mut cmd, Duration::from_secs(120));
    assert!(out.status.success(), "gcc failed:\n{}", out.stderr);
    stage.inside(name)
}

/// The lines `exe args` prints inside the root on `on`'s libssl, apart from those starting with
/// `~` (values that vary between runs); it must exit 0.
pub fn compared_lines(stage: &Stage, on: On, exe: &str, args: &[&str]) -> Vec<String> {
    let mut cmd = stage.command(on, &[], exe);
    cmd.args(args);
    let out = run(&mut cmd, Duration::from_secs(60));
    let text = out.stdout_str();
    assert_eq!(
        out.code(),
        0,
        "{exe} on {on:?} failed:\n{text}\n{}",
        out.stderr
    );
    text.lines()
        .filter(|l| !l.starts_with('~'))
        .map(str::to_owned)
        .collect()
}

/// Runs `exe args` inside the root on OpenSSL 3.5 and on ferrossl: OpenSSL's run must end with
/// "done", and ferrossl's must print the same lines (every differing line is reported).
pub fn same_on_both(stage: &Stage, exe: &str, args: &[&str]) {
    let stock = compared_lines(stage, On::Stock, exe, args);
    assert!(stock.last().is_some_and(|l| l == "done"), "{stock:#?}");
    let ours = compared_lines(stage, On::Ours(Mode::LibraryPath), exe, args);
    let differing: Vec<String> = ours
        .iter()
        .zip(&stock)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| format!("line {i}:\n  ferrossl:    {a}\n  OpenSSL 3.5: {b}"))
        .collect();
    assert!(
        differing.is_empty() && ours.len() == stock.len(),
        "{exe}: {} lines differ (ferrossl printed {}, OpenSSL 3.5 {}):\n{}",
        differing.len(),
        ours.len(),
        stock.len(),
        differing.join("\n")
    );
}
