//! Finds the libraries a program loads the way glibc's loader does, without running it:
//! for each DT_NEEDED name, the DT_RPATH of the object and of those that loaded it (only when
//! the object has no DT_RUNPATH), then its own DT_RUNPATH, then the loader's cache
//! (/etc/ld.so.cache, as `ldconfig -p` prints it), then the default directories.
//!
//! LD_LIBRARY_PATH is deliberately not used: the question is what the program loads when it is
//! started normally (ferrossl-run and ferrossl-enable set it to ferrossl's directory for the
//! one program or service).

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::elf::{self, Object};

/// The SONAME ferrossl replaces. Its own dependencies are not followed: on ferrossl they are
/// ferrossl's, not OpenSSL's.
pub const LIBSSL: &str = "libssl.so.3";

/// glibc's built-in search directories on Debian for x86-64 (after the cache).
const DEFAULT_DIRS: &[&str] = &[
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
];

/// One object of the program's dependency tree.
pub struct Loaded {
    pub path: PathBuf,
    pub object: Object,
}

/// The program and every library it loads, in breadth-first (the loader's) order, with the
/// DT_NEEDED names that were found nowhere and whether (and from where) libssl.so.3 loads.
pub struct Tree {
    pub objects: Vec<Loaded>,
    pub missing: Vec<String>,
    pub libssl: Option<PathBuf>,
    /// Other libssl SONAMEs the tree needs (libssl.so.1.1, ...), which ferrossl does not replace.
    pub other_libssl: Vec<String>,
}

/// Reads `path` and everything it loads. `origin` is the directory $ORIGIN names for the
/// first object (that of the path the program was started from, for a /proc/PID/exe).
pub fn walk(path: &Path, origin: &Path) -> Result<Tree, String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let first = elf::parse(&data).map_err(|e| format!("{}: {e}", path.display()))?;
    let cache = ld_cache();
    let mut tree = Tree {
        objects: Vec::new(),
        missing: Vec::new(),
        libssl: None,
        other_libssl: Vec::new(),
    };
    // (object, the DT_RPATH directories inherited from the objects that loaded it)
    let mut queue = VecDeque::from([(
        Loaded {
            path: path.to_path_buf(),
            object: first,
        },
        origin.to_path_buf(),
        Vec::<String>::new(),
    )]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some((obj, origin, inherited)) = queue.pop_front() {
        // The object's own DT_RPATH first, then those of the objects that loaded it.
        let mut rpath: Vec<String> = obj
            .object
            .rpath
            .iter()
            .map(|d| expand(d, &origin))
            .collect();
        rpath.extend(inherited);
        let runpath: Vec<String> = obj
            .object
            .runpath
            .iter()
            .map(|d| expand(d, &origin))
            .collect();
        for name in &obj.object.needed {
            if name.starts_with("libssl.so") && name != LIBSSL && !tree.other_libssl.contains(name)
            {
                tree.other_libssl.push(name.clone());
            }
            if !seen.insert(name.clone()) {
                continue;
            }
            let dirs: Vec<&str> = if runpath.is_empty() {
                rpath.iter().map(String::as_str).collect()
            } else {
                runpath.iter().map(String::as_str).collect()
            };
            let Some(found) = find(name, &dirs, &cache) else {
                tree.missing.push(name.clone());
                continue;
            };
            if name == LIBSSL {
                tree.libssl = Some(found);
                continue;
            }
            let Ok(data) = std::fs::read(&found) else {
                tree.missing.push(name.clone());
                continue;
            };
            let Ok(object) = elf::parse(&data) else {
                tree.missing.push(name.clone());
                continue;
            };
            let origin = found.parent().unwrap_or(Path::new("/")).to_path_buf();
            queue.push_back((
                Loaded {
                    path: found,
                    object,
                },
                origin,
                rpath.clone(),
            ));
        }
        tree.objects.push(obj);
    }
    Ok(tree)
}

/// $ORIGIN, $LIB and $PLATFORM as the loader expands them on Debian x86-64.
fn expand(dir: &str, origin: &Path) -> String {
    let origin = origin.to_string_lossy();
    dir.replace("${ORIGIN}", &origin)
        .replace("$ORIGIN", &origin)
        .replace("${LIB}", "lib/x86_64-linux-gnu")
        .replace("$LIB", "lib/x86_64-linux-gnu")
        .replace("${PLATFORM}", "x86_64")
        .replace("$PLATFORM", "x86_64")
}

fn find(name: &str, dirs: &[&str], cache: &[(String, PathBuf)]) -> Option<PathBuf> {
    if name.contains('/') {
        return usable(Path::new(name)).then(|| PathBuf::from(name));
    }
    let from_dirs = |dirs: &[&str]| {
        dirs.iter()
            .filter(|d| !d.is_empty())
            .map(|d| Path::new(d).join(name))
            .find(|p| usable(p))
    };
    if let Some(p) = from_dirs(dirs) {
        return Some(p);
    }
    if let Some((_, p)) = cache.iter().find(|(n, p)| n == name && usable(p)) {
        return Some(p.clone());
    }
    from_dirs(DEFAULT_DIRS)
}

/// Whether the loader would take this file: it exists and is an x86-64 ELF object.
fn usable(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && elf::is_x86_64(&head)
}

/// The x86-64 entries of /etc/ld.so.cache, from `ldconfig -p` (empty when ldconfig is not
/// there; the default directories then still apply).
fn ld_cache() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for ldconfig in ["/sbin/ldconfig", "/usr/sbin/ldconfig"] {
        let Ok(o) = Command::new(ldconfig).arg("-p").output() else {
            continue;
        };
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            // "\tlibssl.so.3 (libc6,x86-64) => /lib/x86_64-linux-gnu/libssl.so.3"
            let Some((left, path)) = line.trim().split_once(" => ") else {
                continue;
            };
            let Some((name, flags)) = left.split_once(' ') else {
                continue;
            };
            if flags.contains("x86-64") {
                out.push((name.to_string(), PathBuf::from(path)));
            }
        }
        break;
    }
    out
}
