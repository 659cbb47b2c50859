#!/usr/bin/env bash
# ferrossl demo: unmodified Debian programs talking TLS through ferrossl's libssl.so.3.
#
#   make lib && bash c-examples/demo.sh          (or: make demo)
#
# 1. makes a throwaway CA and a localhost certificate (openssl CLI) in a temp dir;
# 2. starts two stock-OpenSSL `openssl s_server -www` servers on free loopback ports
#    (TLS 1.3 with ALPN http/1.1, and TLS 1.2 only), with -trace so the negotiated
#    key-exchange group can be read from the server's side;
# 3. runs Debian's unmodified /usr/bin/curl with LD_LIBRARY_PATH=$FERROSSL_LIBDIR against
#    both, printing the protocol/cipher/ALPN/certificate lines of `curl -v`, the group,
#    and the path of the libssl.so.3 the dynamic loader really loaded (LD_DEBUG=libs);
# 4. runs c-examples/https_client, built against the system OpenSSL headers, unchanged
#    (LD_LIBRARY_PATH) and relinked against ferrossl (-L... -lssl, RUNPATH).
#
# FERROSSL_LIBDIR (default target/ferrossl) is the directory holding the libssl.so.3 under
# test; pointing it at a directory with a symlink to /usr/lib/x86_64-linux-gnu/libssl.so.3
# runs the same demo against OpenSSL's own libssl. DEMO_TIMEOUT (default 60) bounds each
# client run, in seconds. Exit status 0 only if every step worked.
set -euo pipefail

cd "$(dirname "$0")/.."

die() { echo "demo: $*" >&2; exit 1; }
# A failed step is reported and the demo goes on, so that one run shows every problem.
FAILURES=()
fail() { echo "demo: FAIL: $*" >&2; FAILURES+=("$*"); }

LIBDIR_IN=${FERROSSL_LIBDIR:-target/ferrossl}
[ -e "$LIBDIR_IN/libssl.so.3" ] || die "$LIBDIR_IN/libssl.so.3 not found (run 'make lib' first)"
LIBDIR=$(cd "$LIBDIR_IN" && pwd)
WANT_LIB=$(readlink -f "$LIBDIR/libssl.so.3")

for tool in /usr/bin/openssl /usr/bin/curl make gcc stdbuf readelf timeout; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed (make deps installs it)"
done

# Stock OpenSSL tools must not pick up the library under test.
stock() { env -u LD_LIBRARY_PATH -u LD_PRELOAD "$@"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ferrossl-demo.XXXXXX")
SERVER_PIDS=()
cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- throwaway PKI
pki() {
    stock /usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 1 -subj "/CN=ferrossl demo CA" \
        -addext "basicConstraints=critical,CA:true" \
        -addext "keyUsage=critical,keyCertSign,cRLSign"
    stock /usr/bin/openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$TMP/server.key" -out "$TMP/server.csr" -subj "/CN=localhost"
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" > "$TMP/server.ext"
    stock /usr/bin/openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
        -CAcreateserial -days 1 -extfile "$TMP/server.ext" -out "$TMP/server.pem"
}
pki > "$TMP/pki.log" 2>&1 || { cat "$TMP/pki.log" >&2; die "certificate generation failed"; }

# ---------------------------------------------------------------- servers
# start_server NAME [s_server options...]: sets PORT_<NAME>. Port 0 lets the kernel pick a
# free port, which s_server reports as "ACCEPT 127.0.0.1:<port>". stdbuf -oL keeps the
# -trace output line-buffered so it can be read while the server runs.
start_server() {
    local name=$1 port="" i
    shift
    # Not via the stock() function: a backgrounded function would be a subshell, and $!
    # must be the server itself (env and stdbuf exec it) so that cleanup() can stop it.
    env -u LD_LIBRARY_PATH -u LD_PRELOAD stdbuf -oL /usr/bin/openssl s_server -www -accept 127.0.0.1:0 \
        -cert "$TMP/server.pem" -key "$TMP/server.key" -trace "$@" \
        > "$TMP/server-$name.log" 2>&1 < /dev/null &
    SERVER_PIDS+=("$!")
    for i in $(seq 100); do
        port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$TMP/server-$name.log")
        [ -n "$port" ] && break
        kill -0 "$!" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$port" ] || { cat "$TMP/server-$name.log" >&2; die "s_server $name did not start"; }
    printf -v "PORT_$name" '%s' "$port"
}
start_server tls13 -alpn http/1.1
start_server tls12 -tls1_2

# group_since NAME LINE: the key-exchange group the server chose on the first connection
# logged after line LINE of its trace (ServerHello key_share in TLS 1.3, ServerKeyExchange
# named_curve in TLS 1.2).
group_since() {
    tail -n "+$(($2 + 1))" "$TMP/server-$1.log" | awk '
        /^    [A-Za-z]+, Length=/ { msg = $1; sub(/,$/, "", msg) }
        msg == "ServerHello" && /NamedGroup:/ { sub(/.*NamedGroup: */, ""); g = $0 }
        msg == "ServerKeyExchange" && /named_curve:/ { sub(/.*named_curve: */, ""); g = $0 }
        msg == "Finished" && g != "" { print g; exit }
        END { if (g == "") print "(not found in s_server trace)" }' | head -n 1
}
lines() { wc -l < "$TMP/server-$1.log"; }

# loaded_libssl TAG: the libssl.so.3 the loader initialised in the run traced into ld.TAG.*
loaded_libssl() {
    local f
    f=$(cat "$TMP"/ld."$1".* 2>/dev/null | sed -n 's/^.*calling init: \(.*\/libssl\.so\.3\)$/\1/p' | head -n 1)
    echo "${f:-(no libssl.so.3 loaded?)}"
}

# check_loaded TAG: prints the loaded path and fails unless it is the library under test.
check_loaded() {
    local got
    got=$(loaded_libssl "$1")
    echo "libssl loaded: $got"
    [ "$(readlink -f "$got" 2>/dev/null)" = "$WANT_LIB" ] || fail "$1: expected $LIBDIR/libssl.so.3 to be loaded"
}

echo "libssl under test: $LIBDIR/libssl.so.3"
if [ "$WANT_LIB" != "$LIBDIR/libssl.so.3" ]; then echo "  (-> $WANT_LIB)"; fi
echo "servers: stock $(stock /usr/bin/openssl version | cut -d' ' -f1-2) s_server -www on 127.0.0.1:$PORT_tls13 (TLS 1.3, ALPN http/1.1) and 127.0.0.1:$PORT_tls12 (TLS 1.2 only)"

# Every client run gets a hard time limit: curl's own --max-time cannot interrupt a library
# that blocks (e.g. deadlocks) inside SSL_connect.
limit() { timeout -k 5 "${DEMO_TIMEOUT:-60}" "$@"; }
why_failed() {
    case "$1" in
        124|137) echo "no result within ${DEMO_TIMEOUT:-60}s: hung, killed" ;;
        *) if [ "$1" -gt 128 ]; then echo "killed by signal $(( $1 - 128 ))"; else echo "exit status $1"; fi ;;
    esac
}

# ---------------------------------------------------------------- curl
run_curl() {
    local name=$1 port=$2 before
    before=$(lines "$name")
    echo
    echo "== /usr/bin/curl (Debian, unmodified) -> https://localhost:$port/ ($name) =="
    local rc=0
    limit env LD_LIBRARY_PATH="$LIBDIR" LD_DEBUG=libs LD_DEBUG_OUTPUT="$TMP/ld.curl-$name" \
        /usr/bin/curl -sS -v --fail --max-time 20 --cacert "$TMP/ca.pem" \
        -o "$TMP/body-$name" "https://localhost:$port/" 2> "$TMP/curl-$name.err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -n 12 "$TMP/curl-$name.err" | sed 's/^/    | /' >&2
        fail "curl ($name) failed ($(why_failed "$rc"))"
    fi
    check_loaded "curl-$name"
    grep -E '^\* (SSL connection using|ALPN: server)|^\*  (subject:|SSL certificate verify)|^< HTTP/' \
        "$TMP/curl-$name.err" | tr -d '\r'
    grep -q '^\* ALPN: server' "$TMP/curl-$name.err" || echo "(no ALPN line from curl)"
    echo "key-exchange group (s_server -trace): $(group_since "$name" "$before")"
    echo "body: $(cat "$TMP/body-$name" 2>/dev/null | wc -c) bytes"
}
run_curl tls13 "$PORT_tls13"
run_curl tls12 "$PORT_tls12"

# ---------------------------------------------------------------- C example
echo
echo "== building c-examples/https_client against the system OpenSSL headers =="
make -s -C c-examples
make -s -C c-examples ferrossl OUT="$TMP/bin" FERRO="$LIBDIR" RPATH="$LIBDIR"
CLIENT=target/c-examples/https_client
RELINKED=$TMP/bin/https_client-ferrossl
echo "$CLIENT: NEEDED $(readelf -d "$CLIENT" | sed -n 's/.*Shared library: \[\(libssl[^]]*\)\].*/\1/p')"
echo "relinked: -L$LIBDIR -lssl -lcrypto, RUNPATH $(readelf -d "$RELINKED" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')"

run_client() {
    local tag=$1 name=$2 port=$3 before
    shift 3
    before=$(lines "$name")
    echo
    echo "== $tag -> localhost:$port ($name) =="
    local rc=0
    limit "$@" -CAfile "$TMP/ca.pem" -alpn h2,http/1.1 localhost "$port" / > "$TMP/client.out" || rc=$?
    [ "$rc" -eq 0 ] || fail "$tag https_client ($name) failed ($(why_failed "$rc"))"
    check_loaded "$tag-$name"
    cat "$TMP/client.out"
    echo "key-exchange group (s_server -trace): $(group_since "$name" "$before")"
    if [ "$tag" = unchanged ]; then
        # The same binary once more on stock OpenSSL, for comparison (informational only; the
        # body differs anyway, as s_server's status page describes each client).
        if limit env -u LD_LIBRARY_PATH "$CLIENT" -CAfile "$TMP/ca.pem" -alpn h2,http/1.1 localhost "$port" / \
            > "$TMP/client-stock.out" 2>&1; then
            if diff <(grep -v '^body-bytes:' "$TMP/client-stock.out") \
                    <(grep -v '^body-bytes:' "$TMP/client.out") > "$TMP/client.diff"; then
                echo "vs stock OpenSSL libssl: same output apart from body-bytes"
            else
                echo "vs stock OpenSSL libssl (< stock, > under test):"
                grep '^[<>]' "$TMP/client.diff"
            fi
        else
            echo "(the same client on stock OpenSSL failed: $(tail -n 1 "$TMP/client-stock.out"))"
        fi
    fi
}
for name in tls13 tls12; do
    eval "port=\$PORT_$name"
    run_client unchanged "$name" "$port" \
        env LD_LIBRARY_PATH="$LIBDIR" LD_DEBUG=libs LD_DEBUG_OUTPUT="$TMP/ld.unchanged-$name" "$CLIENT"
    run_client relinked "$name" "$port" \
        env -u LD_LIBRARY_PATH LD_DEBUG=libs LD_DEBUG_OUTPUT="$TMP/ld.relinked-$name" "$RELINKED"
done

echo
if [ "${#FAILURES[@]}" -gt 0 ]; then
    echo "demo: FAILED (${#FAILURES[@]}):"
    printf '  - %s\n' "${FAILURES[@]}"
    exit 1
fi
echo "demo: OK"
