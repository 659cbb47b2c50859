#!/usr/bin/env bash
# Builds tests/c/misuse.c with AddressSanitizer (and UBSan) against ferrossl's libssl.so.3 into
# target/c-tests/misuse and runs it. Run from anywhere after `make lib`:
#
#   bash tests/c/run-misuse.sh [misuse options, e.g. --fork --kinds=null,freed --only=SSL_read]
#
# The checks first run in one process (the real-world case: one program making every
# mistake in turn). If that run fails or crashes, they are re-run one child process per
# check (--fork) so every failing check is listed. Exit status: that of the first run.
#
# Environment: FERROSSL_LIBDIR (default target/ferrossl) is the directory with the
# libssl.so.3 under test; CC (default gcc); ASAN_OPTIONS (default detect_leaks=1).
# Leak checking stays on: OpenSSL 3's libcrypto frees its allocations in its atexit
# handler, which runs before LeakSanitizer's, so it needs no suppressions; tests/c/lsan.supp
# (passed to LeakSanitizer when present) lists the few deliberate process-lifetime
# allocations of ferrossl itself.
#
# Only meaningful against ferrossl: OpenSSL's libssl dereferences almost all of these
# handles (see misuse.c).
set -euo pipefail

cd "$(dirname "$0")/../.."
LIBDIR_IN=${FERROSSL_LIBDIR:-target/ferrossl}
if [ ! -e "$LIBDIR_IN/libssl.so.3" ]; then
    echo "run-misuse: $LIBDIR_IN/libssl.so.3 not found (run 'make lib' first)" >&2
    exit 2
fi
LIBDIR=$(cd "$LIBDIR_IN" && pwd)
OUT=target/c-tests
BIN=$OUT/misuse
CC=${CC:-gcc}
mkdir -p "$OUT"

# -l:libssl.so.3 needs no libssl.so dev symlink; DT_RPATH (not RUNPATH) so that a stray
# LD_LIBRARY_PATH cannot swap in another libssl.so.3.
"$CC" -std=c11 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
    -fno-sanitize-recover=undefined -Wall -Wextra \
    -o "$BIN" tests/c/misuse.c \
    -L"$LIBDIR" -Wl,--disable-new-dtags -Wl,-rpath,"$LIBDIR" -l:libssl.so.3 -lcrypto

# Refuse to run against anything but the library under test.
resolved=$(LD_TRACE_LOADED_OBJECTS=1 "$BIN" | sed -n 's/^[[:space:]]*libssl\.so\.3 => \([^ ]*\).*/\1/p')
if [ "$(readlink -f "$resolved")" != "$(readlink -f "$LIBDIR/libssl.so.3")" ]; then
    echo "run-misuse: $BIN resolves libssl.so.3 to '$resolved', not $LIBDIR/libssl.so.3" >&2
    exit 2
fi
echo "run-misuse: $BIN against $resolved"

asan=${ASAN_OPTIONS:-detect_leaks=1}
if [ -f tests/c/lsan.supp ]; then
    export LSAN_OPTIONS="suppressions=$PWD/tests/c/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
export ASAN_OPTIONS="$asan"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
"$BIN" "$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "run-misuse: the single-process run failed (exit status $status);" \
         "re-running every check in its own process:"
    "$BIN" --fork "$@" || true
fi
exit "$status"
