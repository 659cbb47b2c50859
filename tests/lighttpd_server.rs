//! Debian's unmodified lighttpd (mod_openssl) as a TLS server on ferrossl: one TLS port, a
//! default certificate for `localhost` and, under `$HTTP["host"] == "wrong.example"`, another
//! certificate that lighttpd selects from its client hello callback by SNI. Stock curl (stock
//! OpenSSL) fetches random files under both names, verifying each name against the root CA, and
//! the test checks the subject curl saw for each name. lighttpd runs on ferrossl through
//! `LD_LIBRARY_PATH` and `LD_PRELOAD`, and once on stock OpenSSL, which proves the test itself.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::progs::{assert_maps, random_hex, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, TempDir, CURL};

const LIGHTTPD: &str = "/usr/sbin/lighttpd";
const OTHER_HOST: &str = "wrong.example";

/// lighttpd's configuration: TLS on `port`, RSA `localhost` by default, `wrong.example`'s
/// certificate for that SNI name.
fn config(port: u16, docroot: &Path) -> String {
    let default = pki().server(KeyAlg::Rsa2048);
    let other = pki().wrong_host_server();
    format!(
        "server.document-root = \"{docroot}\"\n\
         server.bind = \"127.0.0.1\"\n\
         server.port = {port}\n\
         server.modules = (\"mod_openssl\")\n\
         ssl.engine = \"enable\"\n\
         ssl.pemfile = \"{dcert}\"\n\
         ssl.privkey = \"{dkey}\"\n\
         $HTTP[\"host\"] == \"{OTHER_HOST}\" {{\n\
         \x20 ssl.pemfile = \"{ocert}\"\n\
         \x20 ssl.privkey = \"{okey}\"\n\
         }}\n",
        docroot = path_str(docroot),
        dcert = path_str(&default.chain),
        dkey = path_str(&default.key),
        ocert = path_str(&other.chain),
        okey = path_str(&other.key),
    )
}

/// Fetches `files` from `host` (resolved to 127.0.0.1) in one curl run; returns curl's verbose
/// log after checking every body.
fn fetch(port: u16, host: &str, files: &[(String, String)], out: &Path, lighttpd: &Proc) -> String {
    let mut cmd = common::command(CURL);
    cmd.args(["-q", "-sS", "-v", "--noproxy", "*", "--max-time", "20"])
        .arg("--cacert")
        .arg(pki().root_ca())
        .arg("--resolve")
        .arg(format!("{host}:{port}:127.0.0.1"));
    for (name, _) in files {
        cmd.arg(format!("https://{host}:{port}/{name}"))
            .arg("-o")
            .arg(out.join(format!("{host}-{name}")));
    }
    let res = common::run(&mut cmd, Duration::from_secs(30));
    assert_eq!(
        res.code(),
        0,
        "curl from {host}: {}\n--- lighttpd ---\n{}",
        res.stderr,
        lighttpd.log()
    );
    for (name, body) in files {
        let got = fs::read(out.join(format!("{host}-{name}"))).expect("reading a fetched file");
        common::assert_same_bytes(&got, body.as_bytes(), &format!("{name} from {host}"));
    }
    res.stderr
}

fn lighttpd_serves_two_names_by_sni(lib: Lib) {
    let dir = TempDir::new("lighttpd");
    let docroot = dir.join("www");
    let out = dir.join("out");
    fs::create_dir_all(&docroot).expect("creating the docroot");
    fs::create_dir_all(&out).expect("creating the output directory");
    let files: Vec<(String, String)> = [700, 40_000, 300_000]
        .iter()
        .enumerate()
        .map(|(i, len)| (format!("f{i}.txt"), random_hex(*len)))
        .collect();
    for (name, body) in &files {
        fs::write(docroot.join(name), body).expect("writing a file");
    }

    let (lighttpd, port) = Proc::server(
        "lighttpd",
        |port| {
            let conf = dir.join(format!("lighttpd-{port}.conf"));
            fs::write(&conf, config(port, &docroot)).expect("writing lighttpd.conf");
            let mut cmd = common::command(LIGHTTPD);
            cmd.arg("-D").arg("-f").arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        Some("server started"),
    );
    assert_maps(lighttpd.pid(), lib, "lighttpd");

    for (host, cn) in [("localhost", "localhost"), (OTHER_HOST, OTHER_HOST)] {
        let verbose = fetch(port, host, &files, &out, &lighttpd);
        let subject = format!("subject: O=ferrossl tests; CN={cn}");
        assert!(
            verbose
                .lines()
                .any(|l| l.trim_start_matches("* ").trim() == subject),
            "curl to {host} did not see {subject:?}:\n{verbose}"
        );
    }
    // The process serving TLS is still the one checked, and it logged no TLS error.
    assert_maps(lighttpd.pid(), lib, "lighttpd after serving");
    let log = lighttpd.log();
    assert!(!log.contains("SSL:"), "lighttpd logged TLS errors:\n{log}");
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    common::progs::report(
        "lighttpd (mod_openssl server)",
        "lighttpd-mod-openssl",
        lib,
        &format!(
            "HTTPS GETs of {total} bytes in 3 files to stock curl under two SNI names, each \
             with its own certificate (subjects checked)"
        ),
    );
}

#[test]
fn lighttpd_on_ferrossl_library_path_serves_two_names_by_sni() {
    lighttpd_serves_two_names_by_sni(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn lighttpd_on_ferrossl_preload_serves_two_names_by_sni() {
    lighttpd_serves_two_names_by_sni(Lib::Ours(Mode::Preload));
}

#[test]
fn lighttpd_on_stock_serves_two_names_by_sni() {
    lighttpd_serves_two_names_by_sni(Lib::Stock);
}
