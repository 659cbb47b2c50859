//! ferrossl-enable and ferrossl-disable from the package, in a scratch root (`--root`): the
//! drop-in they write and remove, kept values, templates, and files that are not theirs.

use std::fs;
use std::io::Write;

use super::common::{command, run, Output, TempDir};
use super::{package, Package, PRIVATE, T};

fn enable(pkg: &Package, args: &[&str]) -> Output {
    let mut cmd = command(pkg.path("usr/sbin/ferrossl-enable"));
    cmd.args(args).env_remove("FERROSSL_LIBDIR");
    run(&mut cmd, T)
}

#[test]
fn enable_and_disable_write_and_remove_only_their_drop_in() {
    let pkg = package();
    let root = TempDir::new("deb-root");
    let units = root.join("lib/systemd/system");
    fs::create_dir_all(&units).unwrap();
    let mut unit = fs::File::create(units.join("demo.service")).unwrap();
    writeln!(
        unit,
        "[Service]\nEnvironment=LD_LIBRARY_PATH=/opt/demo/lib\nExecStart=/usr/sbin/nginx -g x"
    )
    .unwrap();
    let r = root.path().display().to_string();
    let out = enable(pkg, &["--root", &r, "demo"]);
    out.assert_success();
    assert!(out
        .stdout_str()
        .contains("systemctl daemon-reload && systemctl restart demo.service"));
    let dir = root.join("etc/systemd/system/demo.service.d");
    assert_eq!(
        fs::read_to_string(dir.join("ferrossl.conf")).unwrap(),
        "# Written by ferrossl-enable: runs demo.service on ferrossl's libssl.so.3.\n\
         # ferrossl-disable demo.service removes it.\n[Service]\n\
         Environment=\"LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/ferrossl:/opt/demo/lib\"\n"
    );
    // A drop-in that sorts after ferrossl.conf and sets the variable again wins: said so.
    fs::write(
        units.join("late.service"),
        "[Service]\nExecStart=/bin/true\n",
    )
    .unwrap();
    let late = root.join("etc/systemd/system/late.service.d");
    fs::create_dir_all(&late).unwrap();
    fs::write(
        late.join("override.conf"),
        "[Service]\nEnvironment=LD_LIBRARY_PATH=/z\n",
    )
    .unwrap();
    let out = enable(pkg, &["--root", &r, "late"]);
    out.assert_success();
    assert!(
        out.stderr
            .contains("override.conf sets LD_LIBRARY_PATH after ferrossl.conf"),
        "{}",
        out.stderr
    );
    // A unit that does not exist is refused; an instance is read from its template.
    assert_eq!(enable(pkg, &["--root", &r, "nosuch"]).code(), 1);
    fs::write(
        units.join("tmpl@.service"),
        "[Service]\nExecStart=/bin/true %i\n",
    )
    .unwrap();
    enable(pkg, &["--root", &r, "tmpl@one"]).assert_success();
    let instance = root.join("etc/systemd/system/tmpl@one.service.d/ferrossl.conf");
    assert!(instance.is_file());
    // A file of someone else's is left alone.
    fs::write(dir.join("other.conf"), "[Service]\n").unwrap();
    let disable = |unit: &str| {
        let mut cmd = command(pkg.path("usr/sbin/ferrossl-disable"));
        run(cmd.args(["--root", &r, unit]), T)
    };
    disable("demo.service").assert_success();
    assert!(!dir.join("ferrossl.conf").exists());
    assert!(dir.join("other.conf").exists());
    fs::remove_file(dir.join("other.conf")).unwrap();
    enable(pkg, &["--root", &r, "--preload", "demo"]).assert_success();
    let conf = fs::read_to_string(dir.join("ferrossl.conf")).unwrap();
    assert!(
        conf.ends_with(&format!(
            "Environment=\"LD_PRELOAD=/{PRIVATE}/libssl.so.3\"\n"
        )),
        "{conf}"
    );
    disable("demo").assert_success();
    assert!(!dir.exists(), "the emptied drop-in directory stays");
    let again = disable("demo");
    again.assert_success();
    assert!(again.stdout_str().contains("not enabled"));
}
