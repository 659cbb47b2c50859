//! ferrossl-check PROGRAM|LIBRARY|PID: says, from the ELF imports of a file and of the
//! libraries it loads (never running it), which libssl functions it uses, each one's class in
//! ferrossl, and whether it runs on ferrossl's libssl.so.3. Exit status: 0 runs, 1 cannot run,
//! 2 does not use libssl, 3 usage or I/O error (man ferrossl-check).

#![forbid(unsafe_code)]

mod check;
mod elf;
mod process;
mod resolve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use check::{Report, Table, Verdict};
use process::Mapping;

const USAGE: &str = "usage: ferrossl-check [--json] [--brief] PROGRAM|LIBRARY|PID";
const DEFAULT_LIBDIR: &str = "/usr/lib/x86_64-linux-gnu/ferrossl";

struct Options {
    json: bool,
    brief: bool,
    target: String,
}

fn main() -> ExitCode {
    let opts = match options(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("ferrossl-check: {msg}\n{USAGE}");
            return ExitCode::from(3);
        }
    };
    match run(&opts) {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("ferrossl-check: {msg}");
            ExitCode::from(3)
        }
    }
}

fn options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let (mut json, mut brief, mut target) = (false, false, None);
    for a in args {
        match a.as_str() {
            "--json" => json = true,
            "--brief" | "-q" => brief = true,
            "-h" | "--help" => {
                println!("{USAGE}\n(see man ferrossl-check)");
                std::process::exit(0);
            }
            "--version" => {
                println!("ferrossl-check {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            _ if target.is_some() => return Err("one PROGRAM, LIBRARY or PID only".into()),
            _ => target = Some(a),
        }
    }
    let target = target.ok_or("no PROGRAM, LIBRARY or PID given")?;
    Ok(Options {
        json,
        brief,
        target,
    })
}

fn run(opts: &Options) -> Result<u8, String> {
    let libdir = std::env::var_os("FERROSSL_LIBDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_LIBDIR));
    let pid: Option<u32> = opts
        .target
        .parse()
        .ok()
        .filter(|p| Path::new(&format!("/proc/{p}")).is_dir());
    let (file, shown, origin) = match pid {
        Some(p) => {
            let exe = PathBuf::from(format!("/proc/{p}/exe"));
            let link = std::fs::read_link(&exe).map_err(|e| format!("{}: {e}", exe.display()))?;
            let origin = link.parent().unwrap_or(Path::new("/")).to_path_buf();
            (exe, link, origin)
        }
        None => {
            let path = locate(&opts.target)?;
            let real =
                std::fs::canonicalize(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let origin = real.parent().unwrap_or(Path::new("/")).to_path_buf();
            (path.clone(), path, origin)
        }
    };
    let tree = resolve::walk(&file, &origin)?;
    let report = check::report(&Table::new(), shown, &tree);
    let mappings = match pid {
        Some(p) => Some(process::libssl_mappings(p, &libdir)?),
        None => None,
    };
    let (code, verdict) = match (&mappings, pid) {
        (Some(m), Some(p)) => process_verdict(p, &report, m),
        _ => (report.verdict() as u8, report.verdict_line()),
    };
    if opts.json {
        println!(
            "{}",
            json(&report, pid, mappings.as_deref(), code, &verdict)
        );
    } else {
        print!("{}", text(&report, opts.brief, mappings.as_deref()));
        println!("verdict: {verdict}");
    }
    Ok(code)
}

/// A name without a slash is looked up on PATH, as a shell would run it.
fn locate(target: &str) -> Result<PathBuf, String> {
    if target.contains('/') {
        return Ok(PathBuf::from(target));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let p = dir.join(target);
        if p.is_file() {
            return Ok(p);
        }
    }
    if Path::new(target).is_file() {
        return Ok(PathBuf::from(target));
    }
    Err(format!("{target}: not found (nor on PATH)"))
}

/// For a PID: 0 when the process runs on ferrossl now, 1 when it has another libssl.so.3
/// mapped, 2 when it has none mapped.
fn process_verdict(pid: u32, report: &Report, maps: &[Mapping]) -> (u8, String) {
    let exe = report.target.display();
    let would = match report.verdict() {
        Verdict::Runs => "its program runs on ferrossl",
        Verdict::CannotRun => "its program cannot run on ferrossl",
        Verdict::NoLibssl if maps.is_empty() => "its program does not use libssl",
        Verdict::NoLibssl => "its program links no libssl: it was loaded at run time (dlopen)",
    };
    let ssl3: Vec<&Mapping> = maps
        .iter()
        .filter(|m| m.path.to_string_lossy().contains("libssl.so.3"))
        .collect();
    let list = |kind: &str| -> Vec<String> {
        ssl3.iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.path.display().to_string())
            .collect()
    };
    let (ferrossl, other) = (
        list("ferrossl"),
        [list("openssl"), list("unknown")].concat(),
    );
    if !ferrossl.is_empty() && other.is_empty() {
        let how = if ssl3.iter().any(|m| m.installed) {
            "the installed package's"
        } else {
            "a ferrossl build not installed as the package"
        };
        return (
            0,
            format!(
                "process {pid} ({exe}) runs on ferrossl now ({how} {})",
                ferrossl.join(", ")
            ),
        );
    }
    if !other.is_empty() {
        let what = if list("openssl").is_empty() {
            "a libssl.so.3 replaced on disk since it was mapped (restart it to know)"
        } else {
            "OpenSSL's libssl.so.3"
        };
        return (
            1,
            format!(
                "process {pid} ({exe}) runs on {what} now ({}); {would}",
                other.join(", ")
            ),
        );
    }
    (
        2,
        format!("process {pid} ({exe}) has no libssl.so.3 mapped now; {would}"),
    )
}

fn text(r: &Report, brief: bool, maps: Option<&[Mapping]>) -> String {
    let mut out = String::new();
    let short = |p: &Path| {
        if p == r.target {
            String::new()
        } else {
            format!(
                "  ({})",
                p.file_name().unwrap_or_default().to_string_lossy()
            )
        }
    };
    if !brief {
        out += &format!("{}\n", r.target.display());
        if let Some(l) = &r.libssl {
            let by: Vec<String> = r
                .needed_by
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            out += &format!(
                "libssl.so.3: {} (needed by {})\n",
                l.display(),
                by.join(", ")
            );
        }
        for n in &r.nodes {
            let state = if n.defined {
                "defined by ferrossl"
            } else {
                "NOT defined by ferrossl"
            };
            out += &format!("version node {}: {state}\n", n.node);
        }
        for f in &r.functions {
            let node = f.node.as_deref().unwrap_or("(unversioned)");
            let weak = if f.weak { " weak" } else { "" };
            out += &format!(
                "  {:<44} {:<14} {}{weak}{}\n",
                f.name,
                node,
                f.class,
                short(&f.imported_by[0])
            );
        }
    }
    if !brief && r.verdict() != Verdict::NoLibssl {
        if r.loader_accepts() {
            out += "loader: accepts it on ferrossl's libssl.so.3\n";
        } else {
            out +=
                "loader: refuses it on ferrossl's libssl.so.3 (symbol or version node not found)\n";
        }
    }
    for lib in &r.missing_libraries {
        out += &format!(
            "warning: {lib} is not found (the loader cannot start it on OpenSSL either)\n"
        );
    }
    let refused: Vec<&str> = r
        .functions
        .iter()
        .filter(|f| f.class == "refused")
        .map(|f| f.name.as_str())
        .collect();
    if !refused.is_empty() {
        out += &format!(
            "warning: refused by ferrossl (these calls fail, as documented in ABI.md): {}\n",
            refused.join(", ")
        );
    }
    let weak: Vec<String> = r
        .functions
        .iter()
        .filter(|f| f.class == "missing" && f.weak)
        .map(|f| f.spelled())
        .collect();
    if !weak.is_empty() {
        out += &format!(
            "warning: weak references ferrossl lacks (read as NULL): {}\n",
            weak.join(", ")
        );
    }
    for m in maps.unwrap_or_default() {
        if !brief {
            let inst = if m.installed {
                " (installed package)"
            } else {
                ""
            };
            out += &format!("mapped now: {} is {}{inst}\n", m.path.display(), m.kind);
        }
    }
    out
}

fn json(r: &Report, pid: Option<u32>, maps: Option<&[Mapping]>, code: u8, verdict: &str) -> String {
    let s = |v: &str| quote(v);
    let p = |v: &Path| quote(&v.display().to_string());
    let list = |v: Vec<String>| format!("[{}]", v.join(","));
    let functions = r.functions.iter().map(|f| {
        format!(
            "{{\"name\":{},\"node\":{},\"class\":{},\"weak\":{},\"imported_by\":{}}}",
            s(&f.name),
            f.node.as_deref().map(s).unwrap_or("null".into()),
            s(f.class),
            f.weak,
            list(f.imported_by.iter().map(|x| p(x)).collect())
        )
    });
    let nodes = r.nodes.iter().map(|n| {
        format!(
            "{{\"node\":{},\"defined\":{},\"weak\":{}}}",
            s(&n.node),
            n.defined,
            n.weak
        )
    });
    let process = match (pid, maps) {
        (Some(pid), Some(maps)) => format!(
            "{{\"pid\":{pid},\"libssl\":{}}}",
            list(
                maps.iter()
                    .map(|m| format!(
                        "{{\"path\":{},\"is\":{},\"installed\":{}}}",
                        p(&m.path),
                        s(m.kind),
                        m.installed
                    ))
                    .collect()
            )
        ),
        _ => "null".into(),
    };
    let verdict_word = match (pid, code) {
        (Some(_), 0) => "running-on-ferrossl",
        (Some(_), 1) => "running-on-other-libssl",
        (Some(_), _) => "no-libssl-mapped",
        (None, _) => r.verdict().word(),
    };
    format!(
        "{{\"target\":{},\"verdict\":{},\"status\":{code},\"loader_accepts\":{},\"libssl\":{},\"needed_by\":{},\
         \"nodes\":{},\"functions\":{},\"counts\":{{\"implemented\":{},\"absent\":{},\
         \"refused\":{},\"missing\":{}}},\"missing_libraries\":{},\"other_libssl\":{},\
         \"process\":{process},\"message\":{}}}",
        p(&r.target),
        s(verdict_word),
        r.verdict() != Verdict::NoLibssl && r.loader_accepts(),
        r.libssl.as_deref().map(p).unwrap_or("null".into()),
        list(r.needed_by.iter().map(|x| p(x)).collect()),
        list(nodes.collect()),
        list(functions.collect()),
        r.count("implemented"),
        r.count("absent"),
        r.count("refused"),
        r.count("missing"),
        list(r.missing_libraries.iter().map(|x| s(x)).collect()),
        list(r.other_libssl.iter().map(|x| s(x)).collect()),
        s(verdict)
    )
}

/// A JSON string literal.
fn quote(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
