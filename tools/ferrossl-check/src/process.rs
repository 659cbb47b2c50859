//! Which libssl.so.3 a running process has mapped now, from /proc/PID/maps.
//!
//! A mapping is ferrossl's installed library when its device and inode are those of
//! $FERROSSL_LIBDIR/libssl.so.3 (or it is mapped from that very path: overlay file systems show
//! the lower layer's device in maps). Otherwise the mapped file is read and is ferrossl when it
//! holds the string "ferrossl" (every ferrossl build does; OpenSSL's libssl never does).

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One libssl file the process has mapped.
pub struct Mapping {
    pub path: PathBuf,
    /// "ferrossl", "openssl" (any other libssl), or "unknown" (replaced since it was mapped).
    pub kind: &'static str,
    /// Whether it is the installed $FERROSSL_LIBDIR/libssl.so.3.
    pub installed: bool,
}

/// (major, minor) of a device number, as glibc's gnu_dev_major/minor split it.
fn major_minor(dev: u64) -> (u64, u64) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major, minor)
}

pub fn libssl_mappings(pid: u32, libdir: &Path) -> Result<Vec<Mapping>, String> {
    let maps_path = format!("/proc/{pid}/maps");
    let maps = fs::read_to_string(&maps_path).map_err(|e| format!("{maps_path}: {e}"))?;
    let installed_path = libdir.join("libssl.so.3");
    let installed = fs::metadata(&installed_path)
        .ok()
        .map(|m| (major_minor(m.dev()), m.ino()));
    let mut out: Vec<Mapping> = Vec::new();
    for line in maps.lines() {
        // address perms offset dev inode path
        let mut f = line.splitn(6, ' ');
        let (_, _, _, dev, inode) = (f.next(), f.next(), f.next(), f.next(), f.next());
        let Some(path) = f.next().map(str::trim) else {
            continue;
        };
        let (path, deleted) = match path.strip_suffix(" (deleted)") {
            Some(p) => (p, true),
            None => (path, false),
        };
        let name = Path::new(path).file_name().unwrap_or_default();
        if !name.to_string_lossy().starts_with("libssl.so") {
            continue;
        }
        if out.iter().any(|m| m.path == Path::new(path)) {
            continue;
        }
        let dev = dev.and_then(|d| d.split_once(':')).and_then(|(a, b)| {
            Some((
                u64::from_str_radix(a, 16).ok()?,
                u64::from_str_radix(b, 16).ok()?,
            ))
        });
        let inode: Option<u64> = inode.and_then(|i| i.parse().ok());
        let same_inode = matches!((installed, dev, inode), (Some((d, i)), Some(md), Some(mi)) if d == md && i == mi);
        let is_installed = same_inode || (!deleted && Path::new(path) == installed_path);
        let kind = if is_installed {
            "ferrossl"
        } else if deleted {
            "unknown"
        } else {
            match fs::read(path) {
                Ok(data) if data.windows(8).any(|w| w == b"ferrossl") => "ferrossl",
                Ok(_) => "openssl",
                Err(_) => "unknown",
            }
        };
        out.push(Mapping {
            path: PathBuf::from(path),
            kind,
            installed: is_installed,
        });
    }
    Ok(out)
}
