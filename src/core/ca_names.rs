//! `SSL_add_dir_cert_subjects_to_stack`: which files of a directory are read, in which order.

use std::io;
use std::path::{Path, PathBuf};

/// OpenSSL's buffer for `dir/name` (1024 bytes with the NUL).
const PATH_MAX: usize = 1024;

/// One directory entry, as OpenSSL's loop meets it.
#[derive(Debug, PartialEq, Eq)]
pub enum DirEntry {
    /// A file (or anything that is not a directory) to read certificates from.
    File(PathBuf),
    /// `dir/name` does not fit OpenSSL's buffer: `SSL_R_PATH_TOO_LONG`, and the loop ends.
    TooLong,
}

/// The entries of `dir` in the order the system lists them (OpenSSL reads the directory with
/// `readdir` too), subdirectories left out. An error when the directory cannot be read.
pub fn cert_dir_entries(dir: &str) -> io::Result<Vec<DirEntry>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if dir.len() + name.len() + 2 > PATH_MAX {
            out.push(DirEntry::TooLong);
            break;
        }
        let path = Path::new(dir).join(&name);
        // As stat(2): a symbolic link to a directory is a directory.
        if std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        out.push(DirEntry::File(path));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdirectories_are_skipped_and_missing_dirs_fail() {
        let dir = std::env::temp_dir().join(format!("ferrossl-ca-names-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.pem"), "x").unwrap();
        let d = dir.to_str().unwrap();
        assert_eq!(
            cert_dir_entries(d).unwrap(),
            [DirEntry::File(dir.join("a.pem"))]
        );
        assert!(cert_dir_entries(&format!("{d}/none")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
