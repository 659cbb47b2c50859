#!/usr/bin/env python3
"""Generates src/capi/stubs.rs and ABI.md from the ABI data in this folder.

Inputs:
  abi/libssl-3.0.exports   the 518 function names OpenSSL 3.0's libssl exports
  abi/ssl-prototypes.txt   their prototypes, as `gcc -aux-info` prints them from Debian 12's
                           <openssl/ssl.h> (regenerate with `abi/gen.py --prototypes`)
  src/capi/*.rs            every `pub [unsafe] extern "C" fn NAME` found there is implemented

Outputs:
  src/capi/stubs.rs        a safe stub for every exported function not implemented elsewhere
  ABI.md                   the table of all 518 functions: implemented (and where) or stub

`abi/gen.py --check` regenerates in memory and exits 1 if either file would change (the test
`tests/abi.rs` runs it).
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPORTS = os.path.join(ROOT, "abi", "libssl-3.0.exports")
PROTOS = os.path.join(ROOT, "abi", "ssl-prototypes.txt")
CAPI = os.path.join(ROOT, "src", "capi")
STUBS = os.path.join(CAPI, "stubs.rs")
ABI_MD = os.path.join(ROOT, "ABI.md")
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
    "SSL_get_key_update_type": "0",
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
}


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
    t = ret[len(" -> ") :]
    if t.startswith("*mut"):
        return "ptr::null_mut()"
    if t.startswith("*const"):
        return "ptr::null()"
    if t.startswith("Option<"):
        return "None"
    return "0"


def implemented():
    found = {}
    for fn in sorted(os.listdir(CAPI)):
        if not fn.endswith(".rs") or fn == "stubs.rs":
            continue
        text = open(os.path.join(CAPI, fn)).read()
        for n in re.findall(r'pub (?:unsafe )?extern "C" fn (\w+)', text):
            found[n] = fn
    return found


def generate():
    names = [l.strip() for l in open(EXPORTS) if l.strip()]
    protos = {}
    for line in open(PROTOS):
        decl = line.strip().rstrip(";")
        if decl.startswith("extern "):
            decl = decl[len("extern ") :]
        n, params, ret = parse(decl)
        protos[n] = (decl, params, ret)
    done = implemented()
    extra = sorted(set(done) - set(names))
    if extra:
        sys.exit(f"src/capi exports functions that OpenSSL 3.0 does not: {extra}")

    rs = [
        "//! Safe stubs for the libssl functions ferrossl does not implement yet.",
        "//!",
        "//! GENERATED by `abi/gen.py` from `abi/ssl-prototypes.txt`; do not edit. Implementing a",
        "//! function elsewhere in `src/capi/` and re-running the script removes it from here.",
        "//!",
        "//! Each stub returns the failure value OpenSSL documents for the function, queues",
        "//! `ERR_R_UNSUPPORTED` naming it, and touches none of its arguments.",
        "",
        "#![allow(non_snake_case, clippy::too_many_arguments)]",
        "",
        "use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_ulong, c_void};",
        "use std::ptr;",
        "",
        "use super::stub;",
        "use super::types::*;",
    ]
    md = [
        "# ABI coverage",
        "",
        "GENERATED by `abi/gen.py`; `tests/abi.rs` fails when it is out of date.",
        "",
    ]
    nstub = len([n for n in names if n not in done])
    md.append(
        f"{len(names) - nstub} of the {len(names)} functions of OpenSSL 3.0's libssl are "
        f"implemented; {nstub} are safe stubs (documented failure value, `ERR_R_UNSUPPORTED` "
        "on the error queue naming the function, arguments untouched)."
    )
    md += ["", "| function | status | where |", "| --- | --- | --- |"]
    for n in sorted(names):
        decl, params, ret = protos[n]
        if n in done:
            md.append(f"| `{n}` | implemented | `src/capi/{done[n]}` |")
            continue
        md.append(f"| `{n}` | stub | `src/capi/stubs.rs` |")
        args = ", ".join(f"_a{i}: {t}" for i, t in enumerate(params))
        rs.append("")
        rs.append(f"/// `{decl}`")
        rs.append("#[no_mangle]")
        rs.append(f'pub extern "C" fn {n}({args}){ret} {{')
        if ret:
            rs.append(f'    stub(c"{n}", {failure_value(n, ret)})')
        else:
            rs.append(f'    stub(c"{n}", ())')
        rs.append("}")
    return "\n".join(rs) + "\n", "\n".join(md) + "\n"


def prototypes():
    """Re-derives abi/ssl-prototypes.txt from the installed OpenSSL headers."""
    names = set(l.strip() for l in open(EXPORTS) if l.strip())
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "x.c")
        aux = os.path.join(d, "aux.txt")
        open(src, "w").write("#include <openssl/ssl.h>\n#include <openssl/srtp.h>\n")
        subprocess.run(["gcc", "-aux-info", aux, "-c", src, "-o", os.devnull], check=True)
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


def reasons_from_header():
    out = []
    for line in open("/usr/include/openssl/sslerr.h"):
        m = re.match(r"#\s*define\s+(SSL_R_\w+)\s+(\d+)\s*$", line)
        if m:
            out.append(f"{m.group(1)} {m.group(2)}\n")
    open(REASONS, "w").write("".join(out))


def main():
    if "--prototypes" in sys.argv:
        prototypes()
        reasons_from_header()
    rs, md = generate()
    reasons = reason_table()
    outputs = ((STUBS, rs), (ABI_MD, md), (REASONS_RS, reasons))
    if "--check" in sys.argv:
        stale = [p for p, t in outputs if not os.path.exists(p) or open(p).read() != t]
        if stale:
            sys.exit(f"out of date, run abi/gen.py: {stale}")
        return
    for p, t in outputs:
        open(p, "w").write(t)


if __name__ == "__main__":
    main()
