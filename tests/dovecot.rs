//! Debian's unmodified dovecot (imapd) on ferrossl: an imaps listener (`ssl = required`, an RSA
//! chain), a passwd-file user and maildir mail in a private directory. Stock `openssl s_client`
//! logs in, creates a mailbox with a random name, appends a message with a random body, lists,
//! selects and fetches it back; the tagged answers, the listed name, the fetched body and the
//! maildir file on disk are checked. dovecot's master runs on ferrossl (LD_LIBRARY_PATH, or
//! LD_PRELOAD) and passes the loader variable to its services through `import_environment`; the
//! imap-login process that does the TLS is checked to map ferrossl. Once on stock OpenSSL.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{ChildStdin, Command};
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, children, head, random_hex, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, TempDir, OPENSSL};

const DOVECOT: &str = "/usr/sbin/dovecot";
const PASSWORD: &str = "ferrossl-imap-secret";

fn config(dir: &Path, port: u16) -> String {
    let server = pki().server(KeyAlg::Rsa2048);
    format!(
        "protocols = imap\n\
         listen = 127.0.0.1\n\
         base_dir = {dir}/run\n\
         state_dir = {dir}/state\n\
         log_path = /dev/stderr\n\
         ssl = required\n\
         ssl_cert = <{cert}\n\
         ssl_key = <{key}\n\
         auth_mechanisms = plain\n\
         first_valid_uid = 1\n\
         import_environment = TZ LD_LIBRARY_PATH LD_PRELOAD\n\
         passdb {{\n\
         \x20 driver = passwd-file\n\
         \x20 args = scheme=PLAIN username_format=%u {dir}/passwd\n\
         }}\n\
         userdb {{\n\
         \x20 driver = static\n\
         \x20 args = uid=dovecot gid=dovecot home={dir}/home/%u\n\
         }}\n\
         mail_location = maildir:~/Maildir\n\
         service imap-login {{\n\
         \x20 inet_listener imap {{\n\
         \x20   port = 0\n\
         \x20 }}\n\
         \x20 inet_listener imaps {{\n\
         \x20   address = 127.0.0.1\n\
         \x20   port = {port}\n\
         \x20   ssl = yes\n\
         \x20 }}\n\
         }}\n",
        dir = path_str(dir),
        cert = path_str(&server.chain),
        key = path_str(&server.key),
    )
}

/// dovecot's master in the foreground, stopped (SIGTERM, it stops its services) on drop.
struct Dovecot {
    master: Proc,
    _dir: TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let pid = self.master.pid();
        let _ = common::command("/bin/kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.master.is_running() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Stock `openssl s_client` driven one IMAP command at a time.
struct Client {
    proc: Proc,
    stdin: ChildStdin,
}

impl Client {
    /// Sends `text` and waits for the tagged answer `<tag> OK`.
    fn command(&mut self, tag: &str, text: &str) {
        self.stdin
            .write_all(format!("{tag} {text}\r\n").as_bytes())
            .expect("writing to s_client");
        let ok = format!("\n{tag} OK");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let log = self.proc.log();
            if log.contains(&ok) {
                return;
            }
            let failed = [format!("\n{tag} NO"), format!("\n{tag} BAD")];
            assert!(
                !failed.iter().any(|f| log.contains(f.as_str())),
                "dovecot refused {:?}:\n{log}",
                head(text, 60)
            );
            assert!(
                Instant::now() < deadline && self.proc.is_running(),
                "no {ok:?} for {:?}:\n{log}",
                head(text, 60)
            );
            thread::sleep(Duration::from_millis(10));
        }
    }
}

fn dovecot_serves_imaps(lib: Lib) {
    let dir = TempDir::new("dovecot");
    fs::write(
        dir.join("passwd"),
        format!("alice:{{PLAIN}}{PASSWORD}::::\n"),
    )
    .expect("passwd");
    let home = dir.join("home");
    fs::create_dir_all(&home).expect("creating the home directory");
    let chown = common::run(
        Command::new("chown").args(["dovecot:dovecot", &path_str(&home)]),
        Duration::from_secs(10),
    );
    chown.assert_success();
    let (master, port) = Proc::server(
        "dovecot",
        |port| {
            let conf = dir.join("dovecot.conf");
            fs::write(&conf, config(dir.path(), port)).expect("writing dovecot.conf");
            let mut cmd = common::command(DOVECOT);
            cmd.arg("-F").arg("-c").arg(conf);
            lib.apply(&mut cmd);
            cmd
        },
        Some("starting up"),
    );
    let dovecot = Dovecot { master, _dir: dir };

    let mut cmd = common::command(OPENSSL);
    cmd.args(["s_client", "-quiet", "-verify_return_error", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-CAfile")
        .arg(pki().root_ca());
    let mut proc = Proc::spawn(&mut cmd, "s_client", true);
    let stdin = proc.stdin();
    let mut client = Client { proc, stdin };
    client.command("a1", &format!("LOGIN alice {PASSWORD}"));

    // The imap-login process holding this TLS connection (it proxies the session to imap).
    let logins = children(dovecot.master.pid(), "imap-login");
    assert!(
        !logins.is_empty(),
        "no imap-login:\n{}",
        dovecot.master.log()
    );
    for pid in logins {
        assert_maps(pid, lib, "dovecot imap-login");
    }

    let mailbox = format!("Box{}", random_hex(8));
    let body = random_hex(3000);
    let message = format!(
        "From: sender@client.test\r\nTo: alice@ferrossl.test\r\nSubject: ferrossl\r\n\r\n{body}\r\n"
    );
    client.command("a2", &format!("CREATE {mailbox}"));
    client.command("a3", "LIST \"\" \"*\"");
    client.command(
        "a4",
        &format!("APPEND {mailbox} {{{}+}}\r\n{message}", message.len()),
    );
    client.command("a5", &format!("SELECT {mailbox}"));
    client.command("a6", "FETCH 1 BODY[TEXT]");
    client.command("a7", "LOGOUT");

    let log = client.proc.log();
    let context = || {
        format!(
            "--- s_client ---\n{log}\n--- dovecot ---\n{}",
            dovecot.master.log()
        )
    };
    assert!(
        log.contains(&format!("* LIST (\\HasNoChildren) \".\" {mailbox}")),
        "LIST did not show {mailbox}:\n{}",
        context()
    );
    assert!(
        log.contains("* 1 EXISTS"),
        "SELECT: no message:\n{}",
        context()
    );
    assert!(
        log.contains(&format!("{body}\r\n")) || log.contains(&format!("{body}\n")),
        "FETCH did not return the body:\n{}",
        context()
    );
    // The message as dovecot stored it in the maildir.
    let new = dovecot
        ._dir
        .join(format!("home/alice/Maildir/.{mailbox}/cur"));
    let stored: Vec<String> = fs::read_dir(&new)
        .unwrap_or_else(|e| panic!("reading {}: {e}\n{}", new.display(), context()))
        .flatten()
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert!(
        stored.iter().any(|m| m.contains(&body)),
        "the maildir holds no message with the body: {} files",
        stored.len()
    );
    let dlog = dovecot.master.log();
    assert!(
        dlog.contains("Login: user=<alice>, method=PLAIN") && dlog.contains(", TLS, "),
        "dovecot logged no TLS login:\n{dlog}"
    );
    common::progs::report(
        "dovecot (imaps)",
        "dovecot-imapd",
        lib,
        &format!(
            "IMAP over TLS from openssl s_client: LOGIN, CREATE/LIST of a random mailbox, APPEND \
             of {} random bytes, SELECT, FETCH back",
            body.len()
        ),
    );
}

#[test]
fn dovecot_on_ferrossl_library_path_serves_imaps() {
    dovecot_serves_imaps(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn dovecot_on_ferrossl_preload_serves_imaps() {
    dovecot_serves_imaps(Lib::Ours(Mode::Preload));
}

#[test]
fn dovecot_on_stock_serves_imaps() {
    dovecot_serves_imaps(Lib::Stock);
}
