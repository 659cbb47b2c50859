//! `FERROSSL_LOG`: ferrossl's debug log, off unless the variable is set.
//!
//! `FERROSSL_LOG=error|warn|info|debug|trace` (or env_logger's filter grammar, e.g.
//! `ferrossl=debug,rustls=trace`) prints rustls's log and ferrossl's own to standard error, or
//! appends it to `FERROSSL_LOG_FILE`. ferrossl's lines: `warn` for refused calls (with the
//! function the program called) and internal errors, `info` for each finished handshake and each
//! fatal TLS error (with rustls's text), `debug` for the configuration built for a context, the
//! handshake's steps and every error queued on OpenSSL's error queue. When the variable is
//! unset no logger is installed and every log statement is one load and compare of `log`'s
//! level (formatting never runs).

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

/// Opens `path` for appending, creating it with mode 0600 (an existing file keeps its mode):
/// the log file, and the SSLKEYLOGFILE file (`core::keylog_file`).
pub fn open_private_append(path: &std::ffi::OsStr) -> std::io::Result<std::fs::File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

/// Installs the logger when `FERROSSL_LOG` is set and not empty (called once, when the library
/// is loaded). A log file that cannot be opened falls back to standard error, with a warning.
pub fn init() {
    let Some(filter) = std::env::var("FERROSSL_LOG").ok().filter(|f| !f.is_empty()) else {
        return;
    };
    let mut builder = env_logger::Builder::new();
    builder.parse_filters(&filter);
    let pid = std::process::id();
    builder.format(move |out, record| {
        writeln!(
            out,
            "ferrossl[{pid}] {:<5} {}: {}",
            record.level(),
            record.target(),
            record.args()
        )
    });
    let mut file_error = None;
    if let Some(path) = std::env::var_os("FERROSSL_LOG_FILE").filter(|p| !p.is_empty()) {
        match open_private_append(&path) {
            Ok(f) => {
                builder.target(env_logger::Target::Pipe(Box::new(f)));
            }
            Err(e) => file_error = Some(format!("{}: {e}", path.to_string_lossy())),
        }
    }
    if builder.try_init().is_err() {
        return;
    }
    if let Some(e) = file_error {
        log::warn!("FERROSSL_LOG_FILE {e}; logging to standard error");
    }
    log::info!(
        "ferrossl {} (libssl.so.3 on rustls) in {}, log filter {filter:?}",
        env!("CARGO_PKG_VERSION"),
        std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "?".into())
    );
}
