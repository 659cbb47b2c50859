#!/usr/bin/env python3
"""Generates src/capi/stubs.rs, ABI.md and README's refusal list from the ABI data here.

Inputs:
  abi/libssl.exports       the 604 functions OpenSSL 3.5's libssl exports, each with its version
                           node (OPENSSL_3.0.0: the 518 of 3.0; 3.2.0, 3.3.0, 3.4.0, 3.5.0)
  abi/ssl-prototypes.txt   their prototypes, as `gcc -aux-info` prints them from Debian 13's
                           <openssl/ssl.h> (3.5; the 518 older ones read the same in Debian 12's
                           3.0 header). Regenerate with `abi/gen.py --prototypes ROOT`, ROOT a
                           Debian 13 root with libssl-dev (.ci/trixie-root builds one)
  src/capi/*.rs            every `pub [unsafe] extern "C" fn NAME` found there is implemented;
                           a function newer than 3.0 carries `#[cfg(feature = "ossl3x0")]` for
                           its node (the header declares it only for OpenSSL 3.x headers)
  abi/behaviour.py         what each function not implemented in src/capi answers: absent (as
                           OpenSSL when the feature is not in use) or refused
  abi/by-program/*.txt     the libssl imports of measured Debian programs (for ABI.md)

Outputs:
  src/capi/stubs.rs        the absent and refused functions, each through #[export]
  ABI.md                   the node and class of all 604 functions, and per program
  README.md                the list of refusals between its markers
  abi/classes.tsv          name, version node and class of every export, one a line, sorted by
                           name (embedded by tools/ferrossl-check; an unclassified function
                           is listed as refused, which is what it answers)

`abi/gen.py --check` regenerates in memory and exits 1 if any output would change (the test
`tests/abi.rs` runs it).
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPORTS = os.path.join(ROOT, "abi", "libssl.exports")
PROTOS = os.path.join(ROOT, "abi", "ssl-prototypes.txt")
CAPI = os.path.join(ROOT, "src", "capi")
STUBS = os.path.join(CAPI, "stubs.rs")
ABI_MD = os.path.join(ROOT, "ABI.md")
CLASSES = os.path.join(ROOT, "abi", "classes.tsv")
REASONS = os.path.join(ROOT, "abi", "ssl-reasons.txt")
REASONS_RS = os.path.join(CAPI, "reasons.rs")

# Stubs whose documented failure value is not the zero of their return type.
FAILURE_OVERRIDES = {
    "SSL_get_fd": "-1",
    "SSL_get_rfd": "-1",
    "SSL_get_wfd": "-1",
    "SSL_read": "-1",
    "SSL_write": "-1",
    "SSL_peek": "-1",
    "SSL_shutdown": "-1",
    "SSL_do_handshake": "-1",
    "SSL_connect": "-1",
    "SSL_accept": "-1",
    "SSL_stateless": "-1",
    "DTLSv1_listen": "-1",
    "SSL_sendfile": "-1",
    "SSL_get_ex_data_X509_STORE_CTX_idx": "-1",
    "SSL_CTX_get_security_level": "0",
    "SSL_get_key_update_type": "-1",
}

BASE = {
    "int": "c_int",
    "long int": "c_long",
    "long unsigned int": "c_ulong",
    "unsigned int": "c_uint",
    "char": "c_char",
    "unsigned char": "c_uchar",
    "void": "c_void",
    "size_t": "usize",
    "ssize_t": "isize",
    "uint8_t": "u8",
    "uint16_t": "u16",
    "uint32_t": "u32",
    "uint64_t": "u64",
    "struct ssl_st": "SSL",
    "struct ssl_ctx_st": "SSL_CTX",
    "struct evp_pkey_st": "EVP_PKEY",
    "time_t": "time_t",
    "struct timeval": "timeval",
}


def exports():
    """{name: version node} from abi/libssl.exports."""
    out = {}
    for line in open(EXPORTS):
        if line.strip():
            name, node = line.split()
            out[name] = node
    return out


def feature(node):
    """The Cargo feature that gates a node's functions (None for OPENSSL_3.0.0): `ossl320` for
    OPENSSL_3.2.0, as the openssl-sys crate spells its cfgs. cbindgen.toml maps each to a macro
    that the header defines from OPENSSL_VERSION_NUMBER."""
    if node == "OPENSSL_3.0.0":
        return None
    return "ossl" + node[len("OPENSSL_"):].replace(".", "")


def split_args(s):
    depth, cur, out = 0, "", []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return [] if out == ["void"] else out


def rust_type(c):
    c = c.strip()
    m = re.fullmatch(r"(.*?)\s*\(\*\)\s*\((.*)\)", c)
    if m:
        if m.group(2) == "" and m.group(1) == "pem_password_cb":
            return "pem_password_cb_ptr"
        args = ", ".join(rust_type(a) for a in split_args(m.group(2)))
        ret = rust_ret(m.group(1))
        return f'Option<unsafe extern "C" fn({args}){ret}>'
    if c == "pem_password_cb (*)":
        return "pem_password_cb_ptr"
    stars = len(c) - len(c.rstrip("* "))
    stars = c.count("*")
    base = c.replace("*", "").strip()
    const = False
    if base.startswith("const "):
        const = True
        base = base[len("const ") :].strip()
    if stars == 0:
        return BASE.get(base, base)
    name = BASE.get(base)
    if name is None:
        name = base[len("struct ") :] if base.startswith("struct ") else base
    t = ("*const " if const else "*mut ") + name
    for _ in range(stars - 1):
        t = "*mut " + t
    return t


def rust_ret(c):
    c = c.strip()
    if c == "void":
        return ""
    return " -> " + rust_type(c)


def parse(decl):
    """Returns (name, rust params list, rust return suffix)."""
    m = re.fullmatch(r"(.*?)\(\*(\w+) \((.*?)\)\) \((.*)\)", decl)
    if m:  # function returning a function pointer
        ret_ret, name, params, fargs = m.groups()
        fargs = ", ".join(rust_type(a) for a in split_args(fargs))
        ret = f' -> Option<unsafe extern "C" fn({fargs}){rust_ret(ret_ret)}>'
        return name, [rust_type(a) for a in split_args(params)], ret
    m = re.fullmatch(r"pem_password_cb \(\*(\w+) \((.*?)\)\)", decl)
    if m:
        name, params = m.groups()
        ret = " -> pem_password_cb_ptr"
        return name, [rust_type(a) for a in split_args(params)], ret
    m = re.fullmatch(r"(.*?)\b(\w+) \((.*)\)", decl)
    ret, name, params = m.groups()
    return name, [rust_type(a) for a in split_args(params)], rust_ret(ret)


def failure_value(name, ret):
    if name in FAILURE_OVERRIDES:
        return FAILURE_OVERRIDES[name]
    return None


HANDLE_CHECKS = {
    "*mut SSL": "handle::ssl", "*const SSL": "handle::ssl",
    "*mut SSL_CTX": "handle::ctx", "*const SSL_CTX": "handle::ctx",
    "*mut SSL_SESSION": "handle::session", "*const SSL_SESSION": "handle::session",
}


def implemented(nodes):
    """{name: file} of the functions src/capi defines; checks each one's node feature."""
    found = {}
    wrong = []
    for fn in sorted(os.listdir(CAPI)):
        if not fn.endswith(".rs") or fn == "stubs.rs":
            continue
        text = open(os.path.join(CAPI, fn)).read()
        for attrs, n in re.findall(r'((?:[ \t]*#\[.*\]\n)*)[ \t]*pub (?:unsafe )?extern "C" fn (\w+)', text):
            found[n] = fn
            want = feature(nodes.get(n, "OPENSSL_3.0.0"))
            have = re.findall(r'#\[cfg\(feature = "(\w+)"\)\]', attrs)
            if have != ([want] if want else []):
                wrong.append(f"{fn}: {n} ({nodes.get(n)}) needs "
                             + (f'#[cfg(feature = "{want}")]' if want else "no cfg") + f", has {have}")
    if wrong:
        sys.exit("src/capi: node features:\n  " + "\n  ".join(wrong))
    return found


def reason_expr(name):
    """A reason code name (SSL_R_X or ERR_R_X) as a Rust expression."""
    if name.startswith("SSL_R_"):
        num = REASON_NUMBERS[name]
        return f"{num} /* {name} */"
    if name == "ERR_R_UNSUPPORTED":
        return "reason::UNSUPPORTED"
    if name == "ERR_R_PASSED_INVALID_ARGUMENT":
        return "reason::PASSED_INVALID_ARGUMENT"
    if name == "ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED":
        return "reason::SHOULD_NOT_HAVE_BEEN_CALLED"
    if name == "ERR_R_INTERNAL_ERROR":
        return "reason::INTERNAL_ERROR"
    if name == "ERR_R_PASSED_NULL_PARAMETER":
        return "reason::PASSED_NULL_PARAMETER"
    sys.exit(f"abi/behaviour.py: unknown reason {name}")


def null_of(ret):
    """The NULL of a pointer (or function pointer) return type."""
    if ret.startswith(" -> *const"):
        return "ptr::null()"
    if ret.startswith(" -> *mut"):
        return "ptr::null_mut()"
    if ret.startswith(" -> Option<"):
        return "None"
    sys.exit(f"abi/behaviour.py: NULL for a non-pointer return type{ret}")


def expand(text):
    """`R(SSL_R_X)` in behaviour.py's Rust snippets becomes the reason code's expression."""
    return re.sub(r"\bR\((\w+)\)", lambda m: reason_expr(m.group(1)), text)


def stub_fn(n, decl, params, ret, b, node):
    """The Rust source of one absent or refused function."""
    value = b.get("ret")
    if value == "NULL":
        value = null_of(ret)
    fail = b.get("fail") or failure_value(n, ret)
    if b.get("error") and not fail and value not in (None, "0", "ptr::null()", "ptr::null_mut()"):
        fail = value  # an absent answer that queues an error: its value is the failure value
    attr = f"#[export(fail = {fail})]" if fail else "#[export]"
    zero = fail or (f"<{ret[len(' -> '):]} as crate::capi::boundary::Failure>::FAILURE" if ret else "()")
    outs = b.get("outs") or {}
    cases = b.get("cases") or []
    unsafe = "unsafe " if outs or b.get("unsafe") else ""
    handles = {i for i, t in enumerate(params) if t in HANDLE_CHECKS} if b["check"] else set()
    text = " ".join([b.get("body") or ""] + [c for c, _ in cases] + [v for _, v in cases])
    used = set(outs) | handles | {int(i) for i in re.findall(r"\ba(\d+)\b", text)}
    args = ", ".join(f"{'' if i in used else '_'}a{i}: {t}" for i, t in enumerate(params))
    lines = [f"/// `{decl}`", f"///", f"/// {b['class'].capitalize()}: {b['note']}", attr,
             "#[no_mangle]", f'pub {unsafe}extern "C" fn {n}({args}){ret} {{']
    if feature(node):
        lines.insert(3, f'#[cfg(feature = "{feature(node)}")]')
    if b.get("body"):
        lines += ["    " + l if l else "" for l in expand(b["body"]).strip().split("\n")]
        lines.append("}")
        return lines
    if outs and b["class"] == "absent" and not b.get("error"):
        # Written first, so that a caller reading them after an invalid handle reads nothing.
        lines.append("    // SAFETY: out-parameters the caller supplies (or NULL).")
        lines.append("    unsafe {")
        for i, v in sorted(outs.items()):
            v = null_of(" -> " + params[i][len("*mut "):]) if v == "NULL" else v
            lines.append(f"        args::out(a{i}, {v});")
        lines.append("    }")
    for i in sorted(handles):
        if b.get("null_ok"):
            null = b.get("null")
            null = null_of(ret) if null == "NULL" else null
            lines.append(f"    if a{i}.is_null() {{")
            lines.append(f"        return Ok({null or zero});")
            lines.append("    }")
        lines.append(f"    {HANDLE_CHECKS[params[i]]}(a{i})?;")
    for cond, outcome in cases:
        lines.append(f"    if {cond} {{")
        if outcome.startswith("ERROR "):
            lines.append(f"        return Err({misuse(n, outcome[len('ERROR '):], b['note'])});")
        else:
            lines.append(f"        return Ok({expand(outcome)});")
        lines.append("    }")
    if b["class"] == "refused":
        lines.append("    Err(Error::Refused {")
        lines.append(f"        reason: {reason_expr(b['reason'])},")
        lines.append(f'        detail: "{n}: {b["note"]}".into(),')
        lines.append("    })")
    elif b.get("error"):
        lines.append(f"    Err({misuse(n, b['error'], b['note'])})")
    else:
        lines.append(f"    Ok({value if value is not None else '()'})")
    lines.append("}")
    return lines


def misuse(n, reason, note):
    """The error an absent function queues where OpenSSL queues one (e.g. DANE not enabled)."""
    return f'Error::Misuse {{ reason: {reason_expr(reason)}, detail: "{n}: {note}".into() }}'


def unclassified(n):
    return {"class": "unclassified", "check": False, "outs": {}, "note": "not classified yet",
            "reason": "ERR_R_UNSUPPORTED"}


CLASS_WORD = {"implemented": "implemented", "absent": "absent", "refused": "refused",
              "unclassified": "unclassified"}


def generate():
    from behaviour import BEHAVIOUR

    nodes = exports()
    names = sorted(nodes)
    protos = {}
    for line in open(PROTOS):
        decl = line.strip().rstrip(";")
        if decl.startswith("extern "):
            decl = decl[len("extern ") :]
        n, params, ret = parse(decl)
        protos[n] = (decl, params, ret)
    done = implemented(nodes)
    extra = sorted(set(done) - set(names))
    if extra:
        sys.exit(f"src/capi exports functions that OpenSSL 3.5 does not: {extra}")
    both = sorted(set(done) & set(BEHAVIOUR))
    if both:
        sys.exit(f"implemented in src/capi and also listed in abi/behaviour.py: {both}")
    unknown = sorted(set(BEHAVIOUR) - set(names))
    if unknown:
        sys.exit(f"abi/behaviour.py lists functions OpenSSL 3.5 does not export: {unknown}")

    rs = [
        "//! The libssl functions ferrossl answers without a TLS feature behind them: *absent*",
        "//! (the answer OpenSSL gives when the feature is not in use) and *refused* (what",
        "//! rustls cannot do: the documented failure and one queued error).",
        "//!",
        "//! GENERATED by `abi/gen.py` from `abi/behaviour.py` and `abi/ssl-prototypes.txt`; do not",
        "//! edit. Implementing a function elsewhere in `src/capi/` (and removing its entry from",
        "//! `abi/behaviour.py`) and re-running the script removes it from here.",
        "",
        "// dead_code: the helpers below are there for whichever entries the data has.",
        "#![allow(non_snake_case, clippy::too_many_arguments, unused_imports, dead_code)]",
        "",
        "use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_ulong, c_void};",
        "use std::ptr;",
        "",
        "use ferrossl_macros::export;",
        "",
        "use super::args;",
        "use super::handle;",
        "use super::types::*;",
        "use crate::core::error::{reason, Error};",
        "",
        "/// An empty stack that lives as long as the process: what OpenSSL's getters return where",
        "/// its object holds an empty list (callers must not change or free a `get0` result).",
        "fn empty_stack<T>() -> *const T {",
        "    static EMPTY: std::sync::OnceLock<usize> = std::sync::OnceLock::new();",
        "    // SAFETY: a fresh stack, never freed.",
        "    *EMPTY.get_or_init(|| unsafe { crate::libcrypto::ffi::OPENSSL_sk_new_null() } as usize)",
        "        as *const T",
        "}",
        "",
        "/// Whether the connection's handshake negotiated TLS 1.3 (OpenSSL's `SSL_IS_TLS13`).",
        "fn tls13(s: *const SSL) -> crate::core::error::Result<bool> {",
        "    Ok(handle::ssl(s)?.handshake_info().is_some_and(|h| h.version == 0x0304))",
        "}",
        "",
        "/// Whether the connection is a server's.",
        "fn server(s: *const SSL) -> crate::core::error::Result<bool> {",
        "    Ok(handle::ssl(s)?.role() == Some(crate::core::context::Role::Server))",
        "}",
    ]
    classes = {}
    rows = []
    refusals = []
    for n in sorted(names):
        decl, params, ret = protos[n]
        if n in done:
            classes[n] = "implemented"
            rows.append(f"| `{n}` | {nodes[n][len('OPENSSL_'):]} | implemented | `src/capi/{done[n]}` | |")
            continue
        b = BEHAVIOUR.get(n) or unclassified(n)
        if b["class"] == "unclassified":
            b = dict(b, **{"class": "refused", "note": "not implemented by ferrossl yet"})
            classes[n] = "unclassified"
        else:
            classes[n] = b["class"]
        if classes[n] == "refused":
            refusals.append(f"- `{n}`: {b['note']}")
        rows.append(f"| `{n}` | {nodes[n][len('OPENSSL_'):]} | {classes[n]} | `src/capi/stubs.rs` | {b['note']} |")
        rs.append("")
        rs += stub_fn(n, decl, params, ret, b, nodes[n])
    counts = {}
    for c in classes.values():
        counts[c] = counts.get(c, 0) + 1
    md = [
        "# ABI coverage",
        "",
        "GENERATED by `abi/gen.py`; `tests/abi.rs` fails when it is out of date.",
        "",
        "Every one of the 604 functions of OpenSSL 3.5's libssl (`abi/libssl.exports`) is exported",
        "under OpenSSL's own version node (`OPENSSL_3.0.0`: the 518 of OpenSSL 3.0; then 3.2.0,",
        "3.3.0, 3.4.0, 3.5.0, each inheriting from the one before) and is in one class:",
        "**implemented**; **absent** (answers what OpenSSL answers when the feature is not in",
        "use, with no error queued where OpenSSL queues none); **refused** (what rustls cannot do:",
        "the documented failure value and one queued error with OpenSSL's closest reason code).",
        "",
        "| node | " + " | ".join(c for c in ("implemented", "absent", "refused", "unclassified") if counts.get(c)) + " | all |",
        "| --- | " + " | ".join("---" for c in ("implemented", "absent", "refused", "unclassified") if counts.get(c)) + " | --- |",
    ]
    for node in sorted(set(nodes.values())) + ["all"]:
        row = [n for n in names if node in ("all", nodes[n])]
        cells = [str(sum(1 for n in row if classes[n] == c)) for c in ("implemented", "absent", "refused", "unclassified") if counts.get(c)]
        md.append(f"| {node[len('OPENSSL_'):] if node != 'all' else 'all'} | " + " | ".join(cells) + f" | {len(row)} |")
    for title, directory in (("Debian 12", BY_PROGRAM), ("Debian 13", BY_PROGRAM_13)):
        md += ["", f"## Per program: {title}", "",
               f"Imports of the {title} programs measured in `abi/{os.path.basename(directory)}/` (from `../shared/abi/`), by class.", "",
               "| program | imports | newer than 3.0 | implemented | absent | refused |",
               "| --- | --- | --- | --- | --- | --- |"]
        for prog, imports in by_program(directory):
            cs = [classes.get(i) for i in imports if i in classes]
            newer = sum(1 for i in imports if nodes.get(i, "OPENSSL_3.0.0") != "OPENSSL_3.0.0")
            md.append(f"| {prog} | {len(cs)} | {newer} | {cs.count('implemented')} | {cs.count('absent')} | "
                      f"{cs.count('refused') + cs.count('unclassified')} |")
    md += ["", "## Functions", "", "| function | node | class | where | note |", "| --- | --- | --- | --- | --- |"]
    md += rows
    tsv = "".join(f"{n}\t{nodes[n]}\t{'refused' if classes[n] == 'unclassified' else classes[n]}\n"
                  for n in names)
    return "\n".join(rs) + "\n", "\n".join(md) + "\n", refusals, tsv


BY_PROGRAM = os.path.join(ROOT, "abi", "by-program")
BY_PROGRAM_13 = os.path.join(ROOT, "abi", "trixie")


def by_program(directory):
    """(program, [imported libssl functions]) from abi/by-program/*.txt or abi/trixie/*.txt
    (copied from shared/)."""
    out = []
    if not os.path.isdir(directory):
        return out
    for fn in sorted(os.listdir(directory)):
        if fn.endswith(".txt"):
            names = [l.split()[0] for l in open(os.path.join(directory, fn)) if l.strip() and not l.startswith("#")]
            out.append((fn[:-4], names))
    return out


README = os.path.join(ROOT, "README.md")
BEGIN, END = "<!-- refusals: generated by abi/gen.py -->", "<!-- end of refusals -->"


def readme_with(refusals):
    text = open(README).read()
    if BEGIN not in text:
        sys.exit(f"README.md lacks the marker {BEGIN}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + BEGIN + "\n" + "\n".join(refusals) + "\n" + END + tail


REASON_NUMBERS = {}


def prototypes(root):
    """Re-derives abi/ssl-prototypes.txt from the OpenSSL 3.5 headers of a Debian 13 root."""
    names = set(exports())
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "x.c")
        aux = os.path.join(d, "aux.txt")
        open(src, "w").write("#include <openssl/ssl.h>\n#include <openssl/srtp.h>\n")
        inc = ["-isystem", f"{root}/usr/include", "-isystem", f"{root}/usr/include/x86_64-linux-gnu"]
        subprocess.run(["gcc", *inc, "-aux-info", aux, "-c", src, "-o", os.devnull], check=True)
        out = {}
        for line in open(aux):
            m = re.match(r"/\* \S+:\d+:\w+ \*/ extern (.*);$", line.strip())
            if not m:
                continue
            for n in re.findall(r"(\w+) \(", m.group(1)):
                if n in names:
                    out.setdefault(n, m.group(1))
                    break
    open(PROTOS, "w").write("".join(f"extern {out[n]};\n" for n in sorted(out)))


def reason_table():
    """src/capi/reasons.rs: the text of each SSL_R_* reason, as ERR_error_string prints it.

    OpenSSL's libssl registers these strings with libcrypto; since ferrossl replaces libssl, it
    registers them itself. The text is the macro name in lower case with spaces, which is how
    OpenSSL words them.
    """
    rows = []
    for line in open(REASONS):
        name, num = line.split()
        text = name[len("SSL_R_") :].lower().replace("_", " ")
        rows.append(f'    ({num}, c"{text}"),')
    return "\n".join(
        [
            "//! The text of OpenSSL's `SSL_R_*` reason codes (see `abi/gen.py`).",
            "//!",
            "//! GENERATED by `abi/gen.py` from `abi/ssl-reasons.txt`; do not edit.",
            "",
            "use std::ffi::CStr;",
            "",
            "pub static REASONS: &[(u32, &CStr)] = &[",
        ]
        + rows
        + ["];", ""]
    )


def reasons_from_header(root):
    out = []
    for line in open(f"{root}/usr/include/openssl/sslerr.h"):
        m = re.match(r"#\s*define\s+(SSL_R_\w+)\s+(\d+)\s*$", line)
        if m:
            out.append(f"{m.group(1)} {m.group(2)}\n")
    open(REASONS, "w").write("".join(out))


def main():
    if "--prototypes" in sys.argv:
        root = sys.argv[sys.argv.index("--prototypes") + 1]
        prototypes(root)
        reasons_from_header(root)
    for line in open(REASONS):
        name, num = line.split()
        REASON_NUMBERS[name] = int(num)
    rs, md, refusals, tsv = generate()
    reasons = reason_table()
    outputs = ((STUBS, rs), (ABI_MD, md), (REASONS_RS, reasons), (README, readme_with(refusals)),
               (CLASSES, tsv))
    if "--check" in sys.argv:
        stale = [p for p, t in outputs if not os.path.exists(p) or open(p).read() != t]
        if stale:
            sys.exit(f"out of date, run abi/gen.py: {stale}")
        return
    for p, t in outputs:
        open(p, "w").write(t)


if __name__ == "__main__":
    main()
