//! Debian 13's nginx (1.26, built against OpenSSL 3.5) on ferrossl, serving Debian 13's stock
//! curl over HTTP/1.1 and HTTP/2; and the stock nginx the curl tests fetch from.

use common::progs::{random_hex, Proc};
use common::trixie::{assert_maps, report, On, Stage};
use common::{run, Mode};

use super::TIMEOUT;
use crate::common;

/// nginx running from a configuration in a stage: TLS 1.2/1.3 with HTTP/2 on 127.0.0.1:`port`,
/// serving `body.txt`, logging each request's protocol, cipher and HTTP version.
pub struct Nginx {
    pub proc: Proc,
    pub port: u16,
    dir: String,
    stage_log: std::path::PathBuf,
}

impl Nginx {
    pub fn start(stage: &Stage, on: On, body: &str) -> Nginx {
        let pki = stage.copy_pki();
        stage.write("nginx/html/body.txt", body);
        let d = stage.inside("nginx");
        let (proc, port) = Proc::server(
            "nginx-3.5",
            |port| {
                let conf = format!(
                    "user root;\ndaemon off;\nmaster_process on;\nworker_processes 1;\n\
                     pid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
                     events {{ worker_connections 64; }}\n\
                     http {{\n\
                     \x20 log_format t '\"$request\" $status $ssl_protocol $ssl_cipher $server_protocol';\n\
                     \x20 access_log {d}/access.log t;\n\
                     \x20 client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp;\n\
                     \x20 fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;\n\
                     \x20 server {{\n\
                     \x20   listen 127.0.0.1:{port} ssl;\n\
                     \x20   http2 on;\n\
                     \x20   ssl_protocols TLSv1.2 TLSv1.3;\n\
                     \x20   ssl_certificate {pki}/server-ecdsa.chain.pem;\n\
                     \x20   ssl_certificate_key {pki}/server-ecdsa.key;\n\
                     \x20   root {d}/html;\n\
                     \x20 }}\n\
                     }}\n"
                );
                let conf_path = stage.write("nginx/nginx.conf", conf);
                let mut cmd = stage.command(on, &[], "/usr/sbin/nginx");
                cmd.args(["-e", &format!("{d}/error.log"), "-p", &d, "-c", &conf_path]);
                cmd
            },
            None,
        );
        Nginx {
            proc,
            port,
            dir: d,
            stage_log: stage.host("nginx/access.log"),
        }
    }

    /// nginx's error log and access log.
    pub fn log(&self) -> String {
        let error = self.stage_log.with_file_name("error.log");
        format!(
            "{}\n--- error.log ({}) ---\n{}\n--- access.log ---\n{}",
            self.proc.log(),
            self.dir,
            std::fs::read_to_string(error).unwrap_or_default(),
            self.access_log()
        )
    }

    pub fn access_log(&self) -> String {
        std::fs::read_to_string(&self.stage_log).unwrap_or_default()
    }
}

#[test]
fn nginx_on_ferrossl_serves_stock_curl_http11_and_http2() {
    let stage = Stage::new("nginx");
    let pki = stage.copy_pki();
    let body = random_hex(100_000);
    for on in [On::Ours(Mode::LibraryPath), On::Ours(Mode::Preload)] {
        let nginx = Nginx::start(&stage, on, &body);
        assert_maps(nginx.proc.pid(), &stage, on, "Debian 13's nginx");
        for (flag, tls, http) in [
            ("--http1.1", "--tlsv1.2", "1.1"),
            ("--http2", "--tlsv1.3", "2"),
        ] {
            let max = &tls[6..];
            let mut cmd = stage.command(On::Stock, &[], "curl");
            cmd.args(["-sS", "--max-time", "20", flag, tls, "--tls-max", max])
                .args(["-w", "\\nhttp_version=%{http_version}", "--cacert"])
                .arg(format!("{pki}/root-ca.pem"))
                .arg(format!("https://localhost:{}/body.txt", nginx.port));
            let out = run(&mut cmd, TIMEOUT);
            let text = out.stdout_str();
            assert!(
                out.status.success()
                    && text.starts_with(&body)
                    && text.ends_with(&format!("http_version={http}")),
                "curl {flag} {tls}: {}\n{}\n--- nginx ---\n{}",
                out.stderr,
                common::progs::head(&text, 300),
                nginx.log()
            );
        }
        let log = nginx.access_log();
        assert!(
            log.contains("200 TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384 HTTP/1.1")
                && log.contains("200 TLSv1.3 TLS_AES_256_GCM_SHA384 HTTP/2.0"),
            "{}",
            nginx.log()
        );
        report(
            "nginx",
            "nginx",
            &stage,
            on,
            "served 100 KB to stock 3.5 curl over TLS 1.2/HTTP/1.1 and TLS 1.3/HTTP/2",
        );
    }
}
