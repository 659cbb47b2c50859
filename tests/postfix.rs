//! Debian's unmodified postfix on ferrossl, both ways of SMTP over TLS in one mail system:
//! stock `openssl s_client -starttls smtp` sends four messages with random bodies to postfix's
//! smtpd (STARTTLS, `smtpd_tls_security_level = may`), and postfix's smtp client relays them to
//! a stock STARTTLS sink (Python's `ssl` on stock OpenSSL) which stores what it receives:
//!
//! - `remote.test`: the relay host at `smtp_tls_security_level = encrypt`, verified with a CA
//!   file: delivered over TLS.
//! - `dane.test`: a transport at level `dane`. Without DNSSEC lookups postfix treats DANE as
//!   unavailable and falls back to opportunistic TLS (it warns "dane configured with dnssec
//!   lookups disabled"): delivered over TLS.
//! - `fp.test`: a transport at level `fingerprint` with the sink's true fingerprint. postfix
//!   implements it with OpenSSL's DANE (`SSL_dane_enable`), which ferrossl refuses: postfix
//!   defers the message ("error enabling fingerprint certificate validation") and never sends
//!   it unverified; on stock OpenSSL it is delivered.
//! - `remote.test` again, once the first message has arrived: a new connection, in which the
//!   smtp client resumes the TLS session it keeps in tlsmgr's cache ("Reusing old session").
//!
//! Then stock s_client resumes a TLS 1.2 session with smtpd (`-sess_out`, `-sess_in`).
//!
//! postfix's master runs on ferrossl (LD_LIBRARY_PATH, or LD_PRELOAD) and passes the loader
//! variable to smtpd, smtp and tlsmgr through `import_environment`; each of them is checked to
//! map ferrossl. One run on stock OpenSSL proves the test.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::progs::{assert_maps, children, head, random_hex, Lib, Proc};
use common::{path_str, pki, KeyAlg, Mode, TempDir, OPENSSL};

const MASTER: &str = "/usr/lib/postfix/sbin/master";
const POSTFIX: &str = "/usr/sbin/postfix";
const PYTHON: &str = "/usr/bin/python3";

/// A STARTTLS SMTP sink on stock OpenSSL (Python's `ssl`): one connection at a time; each
/// message goes to `<dir>/msg-<n>.eml` (written whole, then renamed), and each handshake is
/// printed as `tls <version> <cipher>` (a failed one as `handshake failed: ...`).
const SINK: &str = r#"
import os, socket, ssl, sys
port, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", port))
srv.listen(8)
print("listening", flush=True)
count = 0
while True:
    conn, _ = srv.accept()
    f = conn.makefile("rwb")
    def send(line):
        f.write(line.encode() + b"\r\n")
        f.flush()
    send("220 sink.test ESMTP")
    tls = False
    while True:
        line = f.readline()
        if not line:
            break
        verb = line.decode().strip().split(" ")[0].upper()
        if verb in ("EHLO", "HELO"):
            send("250-sink.test")
            send("250 8BITMIME" if tls else "250 STARTTLS")
        elif verb == "STARTTLS" and not tls:
            send("220 go ahead")
            try:
                conn = ctx.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError) as e:
                print("handshake failed:", e, flush=True)
                break
            print("tls", conn.version(), conn.cipher()[0], flush=True)
            f = conn.makefile("rwb")
            tls = True
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            send("250 ok")
        elif verb == "DATA":
            send("354 go ahead")
            data = b""
            while True:
                l = f.readline()
                if l in (b".\r\n", b""):
                    break
                data += l
            if tls:
                count += 1
                name = os.path.join(out, "msg-%d.eml" % count)
                with open(name + ".tmp", "wb") as o:
                    o.write(data)
                os.rename(name + ".tmp", name)
                send("250 stored")
            else:
                send("530 TLS first")
        elif verb == "QUIT":
            send("221 bye")
            break
        else:
            send("502 unknown")
    conn.close()
"#;

/// main.cf for a private instance in `dir`: smtpd on `port`, relaying to the sink on `sink`.
fn main_cf(dir: &Path, sink: u16) -> String {
    let server = pki().server(KeyAlg::EcdsaP256);
    format!(
        "compatibility_level = 3.6\n\
         queue_directory = {dir}/queue\n\
         data_directory = {dir}/data\n\
         mail_owner = postfix\n\
         setgid_group = postdrop\n\
         inet_interfaces = 127.0.0.1\n\
         inet_protocols = ipv4\n\
         myhostname = ferrossl.test\n\
         mydestination =\n\
         local_recipient_maps =\n\
         mynetworks = 127.0.0.0/8\n\
         alias_maps =\n\
         alias_database =\n\
         maillog_file = /dev/stdout\n\
         import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE \
         POSTLOG_HOSTNAME LD_LIBRARY_PATH LD_PRELOAD\n\
         smtpd_tls_cert_file = {cert}\n\
         smtpd_tls_key_file = {key}\n\
         smtpd_tls_security_level = may\n\
         smtpd_tls_loglevel = 1\n\
         relayhost = [127.0.0.1]:{sink}\n\
         smtp_tls_security_level = encrypt\n\
         smtp_tls_CAfile = {ca}\n\
         smtp_tls_loglevel = 2\n\
         smtp_tls_session_cache_database = btree:{dir}/data/smtp_scache\n\
         smtp_connection_cache_on_demand = no\n\
         smtp_tls_fingerprint_digest = sha256\n\
         transport_maps = inline:{{ dane.test=dane:[127.0.0.1]:{sink} \
         fp.test=fingerprint:[127.0.0.1]:{sink} }}\n",
        dir = path_str(dir),
        cert = path_str(&server.chain),
        key = path_str(&server.key),
        ca = path_str(&pki().root_ca()),
    )
}

/// master.cf: smtpd on `port`, the services a relaying mail system needs (none chrooted), and
/// two smtp transports with their own TLS level: `dane`, and `fingerprint` matching `fp`.
fn master_cf(port: u16, fp: &str) -> String {
    format!(
        "127.0.0.1:{port} inet n - n - - smtpd\n\
         pickup unix n - n 60 1 pickup\n\
         cleanup unix n - n - 0 cleanup\n\
         qmgr unix n - n 300 1 qmgr\n\
         tlsmgr unix - - n 1000? 1 tlsmgr\n\
         rewrite unix - - n - - trivial-rewrite\n\
         bounce unix - - n - 0 bounce\n\
         defer unix - - n - 0 bounce\n\
         trace unix - - n - 0 bounce\n\
         verify unix - - n - 1 verify\n\
         flush unix n - n 1000? 0 flush\n\
         proxymap unix - - n - - proxymap\n\
         smtp unix - - n - - smtp\n\
         relay unix - - n - - smtp\n\
         dane unix - - n - - smtp -o smtp_tls_security_level=dane\n\
         fingerprint unix - - n - - smtp -o smtp_tls_security_level=fingerprint \
         -o smtp_tls_fingerprint_cert_match={fp}\n\
         showq unix n - n - - showq\n\
         error unix - - n - - error\n\
         retry unix - - n - - error\n\
         discard unix - - n - - discard\n\
         anvil unix - - n - 1 anvil\n\
         scache unix - - n - 1 scache\n\
         postlog unix-dgram n - n - 1 postlogd\n"
    )
}

/// The sink's certificate fingerprint as postfix's `match=` wants it (SHA-256, colon hex).
fn fingerprint(cert: &Path) -> String {
    let out = common::openssl(
        &[
            "x509",
            "-in",
            &path_str(cert),
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
        Path::new("/"),
    );
    let text = out.stdout_str();
    let (_, fp) = text
        .trim()
        .split_once('=')
        .expect("openssl x509 -fingerprint");
    fp.to_owned()
}

/// Waits until `cond` holds, panicking with `what` (and `log`) after `timeout`.
fn wait_until(timeout: Duration, what: &str, log: impl Fn() -> String, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "{what} within {timeout:?}:\n{}",
            log()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// A private postfix instance: its master in the foreground, stopped with its children on drop.
struct Postfix {
    master: Proc,
    _dir: TempDir,
}

impl Postfix {
    fn start(lib: Lib, sink: u16, sink_cert: &Path) -> (Postfix, u16) {
        let dir = TempDir::new("postfix");
        let conf = dir.join("conf");
        fs::create_dir_all(&conf).expect("creating the config directory");
        fs::create_dir_all(dir.join("data")).expect("creating the data directory");
        fs::create_dir_all(dir.join("queue")).expect("creating the queue directory");
        let chown = common::run(
            Command::new("chown").args(["postfix", &path_str(&dir.join("data"))]),
            Duration::from_secs(10),
        );
        chown.assert_success();
        let fp = fingerprint(sink_cert);
        fs::write(conf.join("main.cf"), main_cf(dir.path(), sink)).expect("main.cf");
        let (master, port) = Proc::server(
            "postfix-master",
            |port| {
                fs::write(conf.join("master.cf"), master_cf(port, &fp)).expect("master.cf");
                // `postfix check` creates the queue directories with their owners.
                let mut check = common::command(POSTFIX);
                check.arg("-c").arg(&conf).arg("check");
                common::run(&mut check, Duration::from_secs(30)).assert_success();
                let mut cmd = common::command(MASTER);
                cmd.arg("-d").arg("-c").arg(&conf).env("MAIL_CONFIG", &conf);
                lib.apply(&mut cmd);
                cmd
            },
            Some("daemon started"),
        );
        (Postfix { master, _dir: dir }, port)
    }

    fn log(&self) -> String {
        self.master.log()
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        // SIGTERM: the master stops its children, then exits.
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

/// Stock `openssl s_client -starttls smtp`, driven one command at a time.
struct Client {
    proc: Proc,
    stdin: std::process::ChildStdin,
}

impl Client {
    fn send(&mut self, line: &str, reply: &str, nth: usize) {
        use std::io::Write;
        self.stdin
            .write_all(format!("{line}\r\n").as_bytes())
            .expect("writing to s_client");
        let proc = &self.proc;
        wait_until(
            Duration::from_secs(20),
            &format!("postfix did not answer {:?} with {reply:?}", head(line, 40)),
            || proc.log(),
            || proc.log().matches(reply).count() >= nth,
        );
    }
}

impl Client {
    /// The `n`th mail transaction of the session: one message to `user@<domain>`.
    fn message(&mut self, n: usize, domain: &str, body: &str) {
        self.send("MAIL FROM:<sender@client.test>", "250 2.1.0", n);
        self.send(&format!("RCPT TO:<user@{domain}>"), "250 2.1.5", n);
        self.send("DATA", "354 ", n);
        // 76-character lines, as a mail body would be.
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).expect("hex"))
            .collect();
        let message = format!("Subject: {domain}\r\n\r\n{}\r\n.", lines.join("\r\n"));
        self.send(&message, "250 2.0.0 Ok: queued as", n);
    }
}

fn postfix_relays_over_tls(lib: Lib) {
    let sink_key = pki().server(KeyAlg::Rsa2048);
    let sink_dir = TempDir::new("postfix-sink");
    let (sink, sink_port) = Proc::server(
        "smtp-sink",
        |port| {
            let mut cmd = common::command(PYTHON);
            cmd.arg("-c").arg(SINK).arg(port.to_string());
            cmd.arg(&sink_key.chain)
                .arg(&sink_key.key)
                .arg(sink_dir.path());
            cmd
        },
        Some("listening"),
    );
    let (postfix, port) = Postfix::start(lib, sink_port, &sink_key.cert);

    let mut cmd = common::command(OPENSSL);
    cmd.args(["s_client", "-quiet", "-starttls", "smtp", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-CAfile")
        .arg(pki().root_ca());
    let mut proc = Proc::spawn(&mut cmd, "s_client", true);
    let stdin = proc.stdin();
    let mut client = Client { proc, stdin };
    client.send("EHLO client.test", "250-PIPELINING", 1);

    // smtpd is the master's child doing TLS with s_client now.
    let smtpd = children(postfix.master.pid(), "smtpd");
    assert_eq!(
        smtpd.len(),
        1,
        "smtpd processes: {smtpd:?}\n{}",
        postfix.log()
    );
    assert_maps(smtpd[0], lib, "postfix smtpd");

    let domains = ["remote.test", "dane.test", "fp.test", "remote.test"];
    let bodies: Vec<String> = domains.iter().map(|_| random_hex(2000)).collect();
    for (n, (domain, body)) in domains.iter().zip(&bodies).enumerate().take(3) {
        client.message(n + 1, domain, body);
    }
    let log = || {
        format!(
            "--- postfix ---\n{}\n--- sink ---\n{}",
            postfix.log(),
            sink.log()
        )
    };
    let stored = || -> Vec<String> {
        let mut msgs: Vec<String> = fs::read_dir(sink_dir.path())
            .expect("reading the sink directory")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
            .collect();
        msgs.sort();
        msgs
    };
    let arrived = |body: &str| {
        let flat = body.to_owned();
        stored()
            .iter()
            .any(|m| m.replace("\r\n", "").contains(&flat))
    };
    let fp_refused = "error enabling fingerprint certificate validation";
    wait_until(
        Duration::from_secs(30),
        "the relayed messages did not all arrive",
        log,
        || {
            arrived(&bodies[0])
                && arrived(&bodies[1])
                && match lib {
                    Lib::Stock => arrived(&bodies[2]),
                    Lib::Ours(_) => postfix.log().contains("to=<user@fp.test>"),
                }
        },
    );

    // A second message to the relay host, in a new SMTP connection: the smtp client resumes
    // the TLS session it saved in tlsmgr's cache (i2d/d2i of the SSL_SESSION, a TLS 1.3 ticket).
    client.message(4, domains[3], &bodies[3]);
    client.send("QUIT", "221 2.0.0", 1);
    wait_until(
        Duration::from_secs(30),
        "the second message to the relay host did not arrive",
        log,
        || arrived(&bodies[3]),
    );
    assert!(
        postfix.log().contains(&format!(
            "127.0.0.1[127.0.0.1]:{sink_port}: Reusing old session"
        )),
        "smtp did not resume its cached TLS session:\n{}",
        log()
    );

    let plog = postfix.log();
    assert!(
        plog.contains("Anonymous TLS connection established from localhost[127.0.0.1]"),
        "smtpd logged no TLS connection from s_client:\n{}",
        log()
    );
    assert!(
        plog.contains("Trusted TLS connection established to 127.0.0.1[127.0.0.1]"),
        "smtp logged no verified TLS connection to the relay host:\n{}",
        log()
    );
    assert!(
        plog.contains("dane configured with dnssec lookups disabled")
            && plog
                .matches("TLS connection established to 127.0.0.1")
                .count()
                >= 2,
        "smtp did not fall back from dane to TLS:\n{}",
        log()
    );
    for domain in ["remote.test", "dane.test"] {
        assert!(
            plog.lines()
                .any(|l| l.contains(&format!("to=<user@{domain}>")) && l.contains("status=sent")),
            "postfix did not log the delivery to {domain}:\n{}",
            log()
        );
    }
    let fp_line = plog
        .lines()
        .find(|l| l.contains("to=<user@fp.test>"))
        .unwrap_or("")
        .to_owned();
    match lib {
        Lib::Stock => assert!(fp_line.contains("status=sent"), "{fp_line}\n{}", log()),
        Lib::Ours(_) => {
            assert!(
                plog.contains(fp_refused) && fp_line.contains("status=deferred"),
                "the fingerprint level was not a clean refusal:\n{}",
                log()
            );
            assert!(
                !arrived(&bodies[2]),
                "the fp.test message went out unverified"
            );
        }
    }
    assert!(
        sink.log().matches("tls TLSv1.3").count() >= 2,
        "the sink saw no TLS 1.3 handshakes:\n{}",
        log()
    );

    // smtpd resumes a TLS 1.2 session (its tickets are keyed by tlsmgr) for stock s_client.
    let sess = sink_dir.join("smtpd-tls12.sess");
    for (flag, want) in [
        ("-sess_out", "New, TLSv1.2"),
        ("-sess_in", "Reused, TLSv1.2"),
    ] {
        let mut cmd = common::command(OPENSSL);
        cmd.args(["s_client", "-tls1_2", "-starttls", "smtp", "-connect"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-CAfile")
            .arg(pki().root_ca())
            .arg(flag)
            .arg(&sess);
        let out = common::run(&mut cmd, Duration::from_secs(20));
        assert!(
            out.stdout_str().contains(want),
            "s_client {flag}: no {want:?}:\n{}{}\n{}",
            out.stdout_str(),
            out.stderr,
            log()
        );
    }

    // The smtp clients and the TLS session cache manager stay alive (idle) after delivering.
    let master = postfix.master.pid();
    let smtp = children(master, "smtp");
    assert!(
        !smtp.is_empty(),
        "no smtp process left to check:\n{}",
        log()
    );
    for pid in smtp {
        assert_maps(pid, lib, "postfix smtp");
    }
    for pid in children(master, "tlsmgr") {
        assert_maps(pid, lib, "postfix tlsmgr");
    }

    let sent = if lib == Lib::Stock { 4 } else { 3 };
    common::progs::report(
        "postfix (smtpd STARTTLS server, smtp STARTTLS client)",
        "postfix",
        lib,
        &format!(
            "4 messages of {} random bytes from openssl s_client -starttls smtp to smtpd; {sent} \
             relayed by smtp to a stock STARTTLS sink (encrypt, verified, then resuming the \
             cached TLS session; dane falling back without DNSSEC); a TLS 1.2 session resumed \
             by smtpd{}",
            bodies[0].len(),
            if lib == Lib::Stock {
                "; fingerprint level delivered"
            } else {
                "; fingerprint level deferred (SSL_dane_enable refused)"
            }
        ),
    );
}

#[test]
fn postfix_on_ferrossl_library_path_relays_over_starttls() {
    postfix_relays_over_tls(Lib::Ours(Mode::LibraryPath));
}

#[test]
fn postfix_on_ferrossl_preload_relays_over_starttls() {
    postfix_relays_over_tls(Lib::Ours(Mode::Preload));
}

#[test]
fn postfix_on_stock_relays_over_starttls() {
    postfix_relays_over_tls(Lib::Stock);
}
