#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into one table (Markdown) and a chart (SVG).

Input: DIR/{openssl,ferrossl,rustls}.r<N>.txt, lines "figure value unit" ('#' lines are
comments, value "n/a" when a library cannot do it). For each figure and library the median over
the rounds is shown, with the ratios ferrossl/OpenSSL and ferrossl/rustls. Rates (hs/s, MB/s,
req/s, req/cpu-s): higher is better. Memory (bytes, KiB): lower is better.

A second table derives, for each `X_2threads` figure, X_2threads / X per library: how two
threads on one shared pair of SSL_CTXs scale against one thread. Then issue 12's targets.

Also checks the runs are complete: every figure OpenSSL reports must be there for ferrossl with
a number (ferrossl must also do what OpenSSL 3.0 cannot, X25519MLKEM768), and every round must
have the same figures; exits 1 otherwise.
"""

import argparse
import datetime
import glob
import html
import math
import os
import platform
import re
import statistics
import subprocess
import sys

LIBS = [("openssl", "OpenSSL 3.0"), ("ferrossl", "ferrossl"), ("rustls", "rustls (pure Rust)")]
LOWER_IS_BETTER = {"bytes", "KiB", "lines"}

# Issue 12's targets: (label, figures, comparison, threshold, against). Against OpenSSL, per
# figure; the full and resumed handshake targets are about connection pairs (client and server
# in one process), for the leaf signed by the root and for leaf + intermediate (`_chain`).
# "TLS 1.2 full" is the ECDSA handshake; RSA's target covers RSA handshakes of both versions.
def _bulk(ciphers, size):
    return [f"bulk_{c}_{size}_{d}" for c in ciphers for d in ("c2s", "s2c")]


TARGETS = [
    ("full TLS 1.3 ECDSA handshake, pair", ["hs_full_tls13_ecdsa_x25519", "hs_full_tls13_ecdsa_chain"],
     ">=", 2.2, "openssl"),
    ("full RSA handshake, pair", ["hs_full_tls13_rsa_x25519", "hs_full_tls13_rsa_chain",
                                  "hs_full_tls12_rsa_x25519", "hs_full_tls12_rsa_chain"], ">=", 1.6, "openssl"),
    ("full TLS 1.2 (ECDSA) handshake, pair", ["hs_full_tls12_ecdsa_x25519", "hs_full_tls12_ecdsa_chain"],
     ">=", 2.4, "openssl"),
    ("resumed handshakes (TLS 1.3 tickets, TLS 1.2 ids and tickets), pair",
     ["hs_resume_tls13_ticket", "hs_resume_tls13_ticket_chain", "hs_resume_tls12_sessionid",
      "hs_resume_tls12_ticket"], ">=", 2.5, "openssl"),
    ("bulk AES-GCM, 16 KiB writes", _bulk(("aes128gcm", "aes256gcm"), "16k"), ">=", 1.6, "openssl"),
    ("bulk AES-GCM, 1 KiB writes", _bulk(("aes128gcm", "aes256gcm"), "1k"), ">=", 1.8, "openssl"),
    ("bulk ChaCha20-Poly1305, 16 KiB writes", _bulk(("chacha20",), "16k"), ">=", 1.1, "openssl"),
    ("heap per idle connection pair", ["mem_idle_pair"], "<=", 0.25, "openssl"),
    ("heap per idle connection pair, stretch", ["mem_idle_pair"], "<=", 0.15, "openssl"),
    ("heap per idle server connection", ["mem_idle_server"], "<=", 0.2, "openssl"),
    # every figure both measure (not the nginx ones, not peak RSS): rates >= 0.9x rustls; memory
    # (lower is better) <= rustls / 0.9, i.e. ratio <= 1.11
    ("within 10% of pure rustls", ["*"], "within", 0.9, "rustls"),
    # X_2threads / X, ferrossl's own; the table of scaling shows all three libraries
    ("2 threads on one SSL_CTX pair vs 1 thread", ["*_2threads"], "scaling", 1.9, "ferrossl"),
]
THREADS_SUFFIX = "_2threads"


def parse(path):
    figs = {}
    order = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 3:
                raise SystemExit(f"report: {path}: malformed line {line!r}")
            name, value, unit = parts
            figs[name] = (None if value == "n/a" else float(value), unit)
            order.append(name)
    return figs, order


def fmt(v, unit):
    if v is None:
        return "n/a"
    if unit in ("bytes", "KiB", "lines", "hs/s", "req/s", "req/cpu-s"):
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def better(r, unit):
    """True when ratio r (ferrossl/other) favours ferrossl."""
    return r < 1 if unit in LOWER_IS_BETTER else r > 1


def machine(meta_path=None):
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "?"
    commit = run(["git", "rev-parse", "--short", "HEAD"])
    if run(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " + uncommitted changes"
    meta = {}
    if meta_path and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    if "commit" in meta:
        commit = meta["commit"]
    if "libssl_sha256" in meta:
        commit += f", libssl.so.3 sha256 {meta['libssl_sha256']}…"
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if "started" in meta:
        date = f"started {meta['started']}, ended {date}"
    if "load_at_start" in meta:
        load = f"{meta['load_at_start']} at the start, {load} at the end"
    else:
        load = f"{load} at the end"
    return {
        "date": date,
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "kernel": platform.release(),
        "openssl": run(["openssl", "version"]),
        "nginx": run(["/usr/sbin/nginx", "-v"]) or subprocess.run(
            ["/usr/sbin/nginx", "-v"], capture_output=True, text=True, check=False).stderr.strip(),
        "wrk": "wrk " + (run(["dpkg-query", "-W", "-f=${Version}", "wrk"]) or "?"),
        "commit": commit,
        "load": load,
    }


def match(pattern, name):
    if pattern.startswith("*"):
        return name.endswith(pattern[1:])
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--md", required=True)
    ap.add_argument("--svg")
    ap.add_argument("--readme", help="also replace the block between the results markers of this file")
    a = ap.parse_args()

    data = {}  # lib -> figure -> [values]
    units = {}
    order = []
    rounds = {}
    for lib, _ in LIBS:
        files = sorted(glob.glob(os.path.join(a.dir, f"{lib}.r*.txt")),
                       key=lambda p: int(re.search(r"\.r(\d+)\.txt$", p).group(1)))
        rounds[lib] = len(files)
        first = None
        for path in files:
            figs, o = parse(path)
            if first is None:
                first = set(figs)
            elif set(figs) != first:
                raise SystemExit(f"report: {path}: not the same figures as the first round")
            for name in o:
                if name not in units:
                    units[name] = figs[name][1]
                    order.append(name)
                data.setdefault(lib, {}).setdefault(name, []).append(figs[name][0])

    if not data.get("openssl") or not data.get("ferrossl"):
        raise SystemExit("report: no OpenSSL or no ferrossl results")
    problems = []
    for name in data["openssl"]:
        vals = data["ferrossl"].get(name)
        if vals is None:
            problems.append(f"ferrossl did not report {name}")
        elif any(v is None for v in vals):
            problems.append(f"ferrossl reported {name} as n/a")
    if problems:
        raise SystemExit("report: FAIL: " + "; ".join(problems))

    def med(lib, name):
        vals = data.get(lib, {}).get(name)
        if not vals or any(v is None for v in vals):
            return None
        return statistics.median(vals)

    has_ref = bool(data.get("rustls"))
    m = machine(os.path.join(a.dir, "meta"))
    lines = []
    lines.append(f"Machine: {m['nproc']} CPUs, {m['cpu']}, Linux {m['kernel']}; {m['openssl']}; "
                 f"{m['nginx']}; {m['wrk']}. ferrossl {m['commit']}. {m['date']} (load average "
                 f"{m['load']}), mode {a.mode}, "
                 f"rounds: " + ", ".join(f"{lib} {rounds[lib]}" for lib, _ in LIBS if rounds[lib]) + ".")
    lines.append("")
    lines.append("Each value is the median over the rounds. Ratios are ferrossl ÷ the other library: "
                 "for rates (hs/s, MB/s, req/s, req/cpu-s) **higher is better**, so above 1.00 "
                 "ferrossl is faster; for memory (bytes, KiB) **lower is better**, so below 1.00 "
                 "ferrossl uses less. ✅ marks a ratio in ferrossl's favour, ❌ one against it "
                 "(by more than 3%).")
    if a.mode == "smoke":
        lines.append("")
        lines.append("**Smoke mode**: a few iterations per figure, to check that every workload works "
                     "on every library; these numbers are not measurements.")
    lines.append("")
    head = ["figure", "unit", "OpenSSL 3.0", "ferrossl"]
    if has_ref:
        head.append("rustls")
    head.append("ferrossl/OpenSSL")
    if has_ref:
        head.append("ferrossl/rustls")
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")

    def cell(r, unit):
        if r is None:
            return "–"
        mark = ""
        if abs(r - 1) > 0.03:
            mark = " ✅" if better(r, unit) else " ❌"
        return f"{r:.2f}{mark}"

    chart = []
    for name in order:
        unit = units[name]
        o, f_, rs = med("openssl", name), med("ferrossl", name), med("rustls", name)
        unit_s = unit + (" ↓" if unit in LOWER_IS_BETTER else "")
        row = [f"`{name}`", unit_s, fmt(o, unit), fmt(f_, unit)]
        if has_ref:
            row.append(fmt(rs, unit) if name in data.get("rustls", {}) else "")
        row.append(cell(ratio(f_, o), unit))
        if has_ref:
            row.append(cell(ratio(f_, rs), unit))
        lines.append("| " + " | ".join(row) + " |")
        chart.append((name, unit, ratio(f_, o), ratio(f_, rs)))

    # Scaling with two threads: derived rows, X_2threads / X for each library.
    scaled = [n for n in order if n.endswith(THREADS_SUFFIX) and n[:-len(THREADS_SUFFIX)] in units]

    def scaling(lib, n):
        return ratio(med(lib, n), med(lib, n[:-len(THREADS_SUFFIX)]))

    if scaled:
        lines.append("")
        lines.append("Two threads on one client and one server `SSL_CTX` against one thread: the "
                     "`_2threads` figure ÷ the same figure without the suffix, for each library "
                     "(2.00 is perfect scaling; meaningful only when both cores are otherwise idle):")
        lines.append("")
        shead = ["figure ÷ one thread"] + [label for lib, label in LIBS if lib != "rustls" or has_ref]
        lines.append("| " + " | ".join(shead) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(shead) - 1)) + "|")
        for n in scaled:
            cells = []
            for lib, _ in LIBS:
                if lib == "rustls" and not has_ref:
                    continue
                r = scaling(lib, n)
                cells.append("–" if r is None else f"{r:.2f}")
            lines.append(f"| `{n}` | " + " | ".join(cells) + " |")

    # Targets
    lines.append("")
    lines.append("Targets of issue 12 (computed from the medians above):")
    lines.append("")
    lines.append("| target | figure | ratio | met |")
    lines.append("|---|---|---:|:---:|")
    for label, pats, op, thr, against in TARGETS:
        if against == "rustls" and not has_ref:
            lines.append(f"| {label} | (no rustls reference in this run) | | |")
            continue
        if op == "scaling":
            for n in scaled:
                r = scaling("ferrossl", n)
                if r is None:
                    continue
                lines.append(f"| {label} (ferrossl, >= {thr:g}x) | `{n}` | {r:.2f} | "
                             f"{'✅' if r >= thr else '❌'} |")
            continue
        names = [n for n in order if any(match(p, n) for p in pats)
                 and med(against, n) is not None and med("ferrossl", n) is not None]
        if against == "rustls":
            # the figures rustls measures (not the end-to-end nginx ones, not peak RSS)
            names = [n for n in names if n in data.get("rustls", {}) and n != "peak_rss"]
            missed = []
            for n in names:
                r = ratio(med("ferrossl", n), med("rustls", n))
                ok = r <= 1 / thr if units[n] in LOWER_IS_BETTER else r >= thr
                if not ok:
                    # how far behind rustls: rates below 1, memory above 1
                    missed.append(((r - 1) if units[n] in LOWER_IS_BETTER else (1 / r - 1), n, r))
            missed.sort(reverse=True)
            detail = f"{len(names) - len(missed)} of {len(names)} figures"
            if missed:
                detail += "; missed (furthest first): " + ", ".join(f"`{n}` {r:.2f}" for _, n, r in missed)
            worst = f"{missed[0][2]:.2f}" if missed else ""
            lines.append(f"| {label} (rates >= {thr:g}x, memory <= 1/{thr:g}x) | {detail} | {worst} | "
                         f"{'✅' if not missed else '❌'} |")
            continue
        for n in names:
            r = ratio(med("ferrossl", n), med(against, n))
            ok = r >= thr if op == ">=" else r <= thr
            lines.append(f"| {label} ({op} {thr:g}x) | `{n}` | {r:.2f} | {'✅' if ok else '❌'} |")

    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(a.md)), exist_ok=True)
    with open(a.md, "w") as f:
        f.write(text)
    print(text)
    if a.readme:
        with open(a.readme) as f:
            readme = f.read()
        begin, end = "<!-- results:begin -->", "<!-- results:end -->"
        if begin in readme and end in readme:
            head, rest = readme.split(begin, 1)
            _, tail = rest.split(end, 1)
            with open(a.readme, "w") as f:
                f.write(head + begin + "\n" + text + end + tail)
    if a.svg:
        with open(a.svg, "w") as f:
            f.write(svg(chart, m, a.mode, has_ref))
    return 0


def svg(chart, m, mode, has_ref):
    """Horizontal bars of the ratios on a log2 axis from 1/8 to 8, 1.0 in the middle."""
    rows = [c for c in chart if (c[2] is not None or c[3] is not None) and c[1] != "lines"]
    left, width, bar, gap, top = 330, 560, 9, 6, 70
    per = (2 * bar + gap) if has_ref else (bar + gap)
    height = top + len(rows) * per + 60
    lo, hi = -3.0, 3.0

    def x(r):
        v = max(lo, min(hi, math.log2(r)))
        return left + (v - lo) / (hi - lo) * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="15" font-weight="bold">ferrossl ÷ OpenSSL 3.0'
           f'{" (and ÷ pure rustls)" if has_ref else ""}, median of each figure</text>',
           f'<text x="10" y="38">{html.escape(m["nproc"])} CPUs, {html.escape(m["cpu"])}; '
           f'{html.escape(m["date"])}; {mode} mode. Log scale. Rates: right of 1 is better; memory '
           f'(↓): left of 1 is better.</text>',
           '<rect x="10" y="46" width="10" height="9" fill="#2e7d32"/><rect x="22" y="46" width="10" '
           'height="9" fill="#c62828"/><text x="36" y="55">ferrossl/OpenSSL: in ferrossl\'s favour / against '
           'it</text>']
    if has_ref:
        out.append('<rect x="330" y="46" width="10" height="9" fill="#a5d6a7"/><rect x="342" y="46" '
                   'width="10" height="9" fill="#ef9a9a"/><text x="356" y="55">ferrossl/rustls (pure Rust, '
                   'no C ABI): same colours, lighter</text>')
    for t in (0.125, 0.25, 0.5, 1, 2, 4, 8):
        xx = x(t)
        out.append(f'<line x1="{xx:.1f}" y1="{top - 6}" x2="{xx:.1f}" y2="{height - 45}" '
                   f'stroke="{"#000" if t == 1 else "#ddd"}" stroke-width="{1.5 if t == 1 else 1}"/>')
        out.append(f'<text x="{xx:.1f}" y="{height - 30}" text-anchor="middle">{t:g}×</text>')
    y = top
    one = x(1)
    for name, unit, ro, rr in rows:
        label = name + (" ↓" if unit in LOWER_IS_BETTER else "")
        out.append(f'<text x="{left - 6}" y="{y + bar - 1}" text-anchor="end">{html.escape(label)}</text>')
        for r, light in ((ro, False), (rr, True)):
            if light and not has_ref:
                continue
            if r is None and not light:
                out.append(f'<text x="{one + 3:.1f}" y="{y + bar - 1}" font-size="9" fill="#666">'
                           f'OpenSSL 3.0: n/a</text>')
            if r is not None:
                good = better(r, unit)
                c = ("#a5d6a7" if good else "#ef9a9a") if light else ("#2e7d32" if good else "#c62828")
                x0, x1 = sorted((one, x(r)))
                out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar}" fill="{c}"/>')
                tx = x1 + 3 if r >= 1 else one + 3
                out.append(f'<text x="{tx:.1f}" y="{y + bar - 1}" font-size="9">{r:.2f}</text>')
            y += bar
        y += gap
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
