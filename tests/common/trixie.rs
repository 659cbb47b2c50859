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
