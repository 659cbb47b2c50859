//! `SSLKEYLOGFILE`: the TLS secrets of every connection of the process, appended to the named
//! file as NSS key log lines (as curl's and Firefox's own TLS libraries do, and OpenSSL 3.5 built
//! with `enable-sslkeylog`), besides the program's own keylog callback. Anyone who can read the
//! file can decrypt every recorded connection: it is created with mode 0600 (an existing file
//! keeps its mode) and only ever appended to. Ignored in set-user-id and set-group-id programs,
//! as OpenSSL ignores its environment there.

use std::fs::File;
use std::io::Write;
use std::sync::LazyLock;

/// The file, opened on the first secret (None: the variable is unset or empty, or it failed to
/// open, which is logged).
static FILE: LazyLock<Option<File>> = LazyLock::new(open);

fn open() -> Option<File> {
    if crate::libcrypto::is_setugid() {
        return None;
    }
    let path = std::env::var_os("SSLKEYLOGFILE").filter(|p| !p.is_empty())?;
    match crate::core::logging::open_private_append(&path) {
        Ok(f) => {
            log::info!(
                "SSLKEYLOGFILE: appending TLS secrets to {}",
                path.to_string_lossy()
            );
            Some(f)
        }
        Err(e) => {
            log::warn!("SSLKEYLOGFILE {}: {e}", path.to_string_lossy());
            None
        }
    }
}

/// Whether secrets go to a file.
pub fn enabled() -> bool {
    FILE.is_some()
}

/// Appends one key log line (without its newline). One `write` per line: with `O_APPEND`,
/// lines from several threads or processes sharing the file never interleave.
pub fn append(line: &[u8]) {
    if let Some(f) = FILE.as_ref() {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line);
        buf.push(b'\n');
        if let Err(e) = (&*f).write_all(&buf) {
            log::warn!("SSLKEYLOGFILE: {e}");
        }
    }
}
