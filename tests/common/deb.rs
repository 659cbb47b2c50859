//! The Debian package under test and what its tests share: [`package`] builds it once per test
//! binary from the library under test (`tools/deb/build`, as `make deb` does), [`future_program`]
//! makes a program ferrossl cannot run (it needs an `OPENSSL_3.6.0` node), and [`Capture`] /
//! [`follow_tls`] record loopback traffic with tshark and decrypt it.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::trixie::Stage;
use super::{command, repo_root, run};

const T: Duration = Duration::from_secs(300);

/// The built package: the .deb and its contents unpacked (`dpkg-deb -R`: DEBIAN/ and usr/).
pub struct Package {
    pub deb: PathBuf,
    pub root: PathBuf,
}

/// The private library directory, as installed.
pub const PRIVATE: &str = "usr/lib/x86_64-linux-gnu/ferrossl";

impl Package {
    pub fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }

    pub fn libdir(&self) -> PathBuf {
        self.path(PRIVATE)
    }

    /// A packaged command, with FERROSSL_LIBDIR and FERROSSL_CHECK pointing into the unpacked
    /// package (the paths the package uses once installed).
    pub fn cmd(&self, p: &str) -> std::process::Command {
        let mut cmd = command(self.path(p));
        cmd.env("FERROSSL_LIBDIR", self.libdir())
            .env("FERROSSL_CHECK", self.path("usr/bin/ferrossl-check"));
        cmd
    }
}

pub fn version() -> String {
    let toml = fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let line = toml.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ")
        .trim_matches('"')
        .to_string()
}

/// Builds the package from the library under test and a ferrossl-check built here (in a target
/// directory of its own: the running cargo holds the lock on target/), once per test binary, in
/// a directory of that binary's own (`target/deb/<binary>`).
pub fn package() -> &'static Package {
    static PKG: OnceLock<Package> = OnceLock::new();
    PKG.get_or_init(|| {
        let repo = repo_root();
        let me = std::env::current_exe().unwrap();
        let tag = me.file_name().unwrap().to_string_lossy().into_owned();
        let out_dir = repo.join("target/deb").join(&tag);
        let _ = fs::remove_dir_all(&out_dir);
        fs::create_dir_all(&out_dir).unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let check_target = repo.join("target/deb/cargo");
        let mut build = command(cargo);
        build
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                "ferrossl-check",
                "--target-dir",
            ])
            .arg(&check_target)
            .current_dir(&repo);
        run(&mut build, T).assert_success();
        let mut deb = command("bash");
        deb.arg(repo.join("tools/deb/build"))
            .env("DEB_LIB", super::libdir().join("libssl.so.3"))
            .env("DEB_CHECK", check_target.join("release/ferrossl-check"))
            .env("DEB_OUT", &out_dir)
            .env("DEB_LINTIAN", "0");
        let out = run(&mut deb, T);
        out.assert_success();
        let deb = repo.join(out.stdout_str().trim());
        assert_eq!(
            deb.file_name().unwrap().to_string_lossy(),
            format!("ferrossl_{}_amd64.deb", version())
        );
        let root = out_dir.join("unpacked");
        run(command("dpkg-deb").arg("-R").arg(&deb).arg(&root), T).assert_success();
        Package { deb, root }
    })
}

/// gcc with the test programs' warnings, `args` then `extra`; it must succeed.
pub fn gcc(args: &[&str], extra: &[String]) {
    let mut cmd = command("gcc");
    cmd.args(["-std=gnu11", "-Wall", "-Wextra", "-Werror"])
        .args(args)
        .args(extra);
    run(&mut cmd, T).assert_success();
}

/// The path of `tests/c/deb/<name>`.
pub fn src(name: &str) -> String {
    repo_root()
        .join("tests/c/deb")
        .join(name)
        .display()
        .to_string()
}

/// A program that imports `SSL_from_the_future@OPENSSL_3.6.0` from a `libssl.so.3` of its own
/// (tests/c/deb/future_*), built into `dir`, its RUNPATH `runpath` (where the library is as
/// the program sees it). Returns the program's path on the host.
pub fn build_future(dir: &Path, runpath: &str) -> PathBuf {
    let lib = dir.join("libssl.so.3").display().to_string();
    let map = format!("-Wl,--version-script={}", src("future.map"));
    gcc(
        &[
            "-shared",
            "-fPIC",
            "-Wl,-soname,libssl.so.3",
            "-o",
            &lib,
            &src("future_lib.c"),
            &map,
        ],
        &[],
    );
    let prog = dir.join("future");
    let d = dir.display().to_string();
    gcc(
        &[
            "-o",
            &prog.display().to_string(),
            &src("future_prog.c"),
            "-L",
            &d,
            "-l:libssl.so.3",
        ],
        &[format!("-Wl,-rpath,{runpath}")],
    );
    prog
}

/// [`build_future`] into `stage` (in `future/`); returns its path inside the root.
pub fn future_program(stage: &Stage) -> String {
    let dir = stage.host("future");
    fs::create_dir_all(&dir).unwrap();
    build_future(&dir, &stage.inside("future"));
    stage.inside("future/future")
}

/// A capture of loopback traffic to `port` while it lives (tshark, as root), into `dir`.
pub struct Capture {
    child: std::process::Child,
    file: PathBuf,
}

impl Capture {
    pub fn start(dir: &Path, port: u16) -> Capture {
        fs::create_dir_all(dir).unwrap();
        let file = dir.join("capture.pcapng");
        let err = dir.join("tshark.err");
        let mut child = command("tshark")
            .args(["-i", "lo", "-f"])
            .arg(format!("tcp port {port}"))
            .arg("-w")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(fs::File::create(&err).unwrap())
            .spawn()
            .expect("starting tshark");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !fs::read_to_string(&err)
            .unwrap_or_default()
            .contains("Capturing on")
        {
            assert!(
                child.try_wait().unwrap().is_none(),
                "tshark exited: {}",
                fs::read_to_string(&err).unwrap_or_default()
            );
            assert!(Instant::now() < deadline, "tshark did not start capturing");
            std::thread::sleep(Duration::from_millis(50));
        }
        Capture { child, file }
    }

    /// Stops the capture (SIGINT, so that tshark writes out what it has); returns the file.
    pub fn stop(mut self) -> PathBuf {
        std::thread::sleep(Duration::from_millis(300));
        let _ = command("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        self.file.clone()
    }
}

/// The first TLS stream of `capture` as tshark decrypts it (`follow,tls,ascii`) with `keys`.
pub fn follow_tls(capture: &Path, keys: Option<&Path>) -> String {
    let mut cmd = command("tshark");
    cmd.arg("-r").arg(capture);
    if let Some(k) = keys {
        cmd.arg("-o")
            .arg(format!("tls.keylog_file:{}", k.display()));
    }
    cmd.args(["-q", "-z", "follow,tls,ascii,0"]);
    let out = run(&mut cmd, Duration::from_secs(60));
    assert!(out.status.success(), "tshark -r failed: {}", out.stderr);
    out.stdout_str()
}
