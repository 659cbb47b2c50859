#!/usr/bin/env bash
# ferrossl benchmarks side by side with OpenSSL (and pure rustls); see bench/README.md.
#
#   bash bench/run.sh           full run (`make bench`): 3 rounds, ~1 s per figure, 10000 idle
#                               connections, nginx + wrk end to end; writes bench/results.md and
#                               bench/results.svg (a few minutes)
#   bash bench/run.sh --smoke   CI mode: every workload a few iterations on every library, checking
#                               only that each handshake and transfer succeeded and the bytes
#                               match; nginx for 1 s per workload; never asserts a time; writes
#                               nothing outside target/
#
# Options (environment variable in brackets):
#   --rounds N     rounds of A B (C) alternation [BENCH_ROUNDS; default 3 full, 1 smoke]
#   --time S       seconds per tlsbench / rustls-ref figure [BENCH_TIME; default 1]
#   --conns N      idle connection pairs for the memory figures [BENCH_CONNS; default 10000]
#   --e2e-time S   seconds per nginx workload [BENCH_E2E_TIME; default 3, smoke 1]
#   --no-ref       skip the pure-rustls reference         [BENCH_REF=0]
#   --ref          build and run it even in smoke mode    [BENCH_REF=1]
#                  (default: always in full mode; in smoke mode only when it is already built,
#                  because building it compiles aws-lc from scratch: about a minute on 2 cores)
#   --no-nginx     skip the end-to-end nginx figures      [BENCH_NGINX=0]
#   --only PREFIX  only the tlsbench/rustls-ref figures starting with PREFIX (and no nginx);
#                  'NAME$' for one figure alone (without its _2threads twin)
# FERROSSL_LIBDIR: the directory holding ferrossl's libssl.so.3 (default target/ferrossl).
#
# The libraries: one tlsbench binary (bench/tlsbench.c, built once against OpenSSL 3's headers)
# runs on OpenSSL's libssl with an empty LD_LIBRARY_PATH and on ferrossl with
# LD_LIBRARY_PATH=target/ferrossl; tlsbench prints the path of the libssl it really loaded and
# this script checks it. Rounds alternate OpenSSL, ferrossl, rustls; the table shows medians.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

mode=full
rounds=${BENCH_ROUNDS:-}
time_s=${BENCH_TIME:-1}
conns=${BENCH_CONNS:-10000}
e2e_time=${BENCH_E2E_TIME:-}
ref=${BENCH_REF:-auto}
nginx=${BENCH_NGINX:-1}
only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) mode=smoke ;;
        --rounds) rounds=$2; shift ;;
        --time) time_s=$2; shift ;;
        --conns) conns=$2; shift ;;
        --e2e-time) e2e_time=$2; shift ;;
        --no-ref) ref=0 ;;
        --ref) ref=1 ;;
        --no-nginx) nginx=0 ;;
        --only) only=$2; nginx=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$rounds" ]; then
    if [ "$mode" = smoke ]; then rounds=1; else rounds=3; fi
fi
if [ -z "$e2e_time" ]; then
    if [ "$mode" = smoke ]; then e2e_time=1; else e2e_time=3; fi
fi

say() { echo "bench: $*" >&2; }
fail() { echo "bench: FAIL: $*" >&2; exit 1; }

ferro_src=$(realpath -m "${FERROSSL_LIBDIR:-$root/target/ferrossl}")
[ -f "$ferro_src/libssl.so.3" ] || fail "$ferro_src/libssl.so.3 is missing: build it with 'make lib'"
system_libssl=$(realpath /usr/lib/x86_64-linux-gnu/libssl.so.3)

bin=$root/target/bench
out=$bin/$mode
pki=$root/target/bench-pki
rm -rf "$out"
mkdir -p "$out"
# Every round uses a copy of the library taken now, so a rebuild while the benchmark runs cannot
# mix two versions into one table.
ferro=$out/ferrossl-lib
mkdir -p "$ferro"
cp "$ferro_src/libssl.so.3" "$ferro/libssl.so.3"
lib_sha=$(sha256sum "$ferro/libssl.so.3" | cut -c1-16)
say "ferrossl: $ferro_src/libssl.so.3 (sha256 $lib_sha)"
commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2> /dev/null)" ]; then
    commit="$commit + uncommitted changes"
fi
{
    echo "commit=$commit"
    echo "libssl_sha256=$lib_sha"
    echo "started=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/meta"

# --- test certificates --------------------------------------------------------------------------
# A P-256 root CA; RSA-2048 and ECDSA P-256 leaves for localhost signed by it ({ecdsa,rsa}.*), and
# the same leaves one level down ({ecdsa,rsa}-int.*): signed by an intermediate CA (P-256 for the
# ECDSA leaf, RSA-2048 for the RSA leaf) that the root signed; their .chain.pem holds leaf +
# intermediate, which is what the server sends. Clients trust ca.pem (the root) only. (openssl
# x509 -req adds subject and authority key identifiers by default.)
PKI_STAMP="tlsbench-pki v2"
gen_pki() {
    if [ -f "$pki/stamp" ] && [ "$(cat "$pki/stamp")" = "$PKI_STAMP" ]; then
        return
    fi
    say "generating the test PKI in $pki"
    local tmp
    tmp=$(mktemp -d "$root/target/bench-pki.XXXXXX")
    (
        cd "$tmp"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
            -out ca.pem -days 3650 -subj "/CN=ferrossl bench CA" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
        printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
            'basicConstraints=critical,CA:FALSE' \
            'keyUsage=critical,digitalSignature,keyEncipherment' \
            'extendedKeyUsage=serverAuth' > leaf.ext
        printf '%s\n' 'basicConstraints=critical,CA:TRUE,pathlen:0' \
            'keyUsage=critical,keyCertSign,cRLSign' > int.ext
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int-ecdsa.key \
            -out int-ecdsa.csr -subj "/CN=ferrossl bench intermediate CA (P-256)"
        openssl req -newkey rsa:2048 -nodes -keyout int-rsa.key -out int-rsa.csr \
            -subj "/CN=ferrossl bench intermediate CA (RSA)"
        for k in ecdsa rsa; do
            openssl x509 -req -in int-$k.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
                -extfile int.ext -out int-$k.pem
        done
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ecdsa.key \
            -out ecdsa.csr -subj "/CN=localhost"
        openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj "/CN=localhost"
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ecdsa-int.key \
            -out ecdsa-int.csr -subj "/CN=localhost"
        openssl req -newkey rsa:2048 -nodes -keyout rsa-int.key -out rsa-int.csr -subj "/CN=localhost"
        for k in ecdsa rsa; do
            openssl x509 -req -in $k.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
                -extfile leaf.ext -out $k.chain.pem
            openssl x509 -req -in $k-int.csr -CA int-$k.pem -CAkey int-$k.key -CAcreateserial \
                -days 3650 -extfile leaf.ext -out $k-int.leaf.pem
            cat $k-int.leaf.pem int-$k.pem > $k-int.chain.pem
        done
        openssl verify -CAfile ca.pem ecdsa.chain.pem rsa.chain.pem
        for k in ecdsa rsa; do
            openssl verify -CAfile ca.pem -untrusted int-$k.pem $k-int.leaf.pem
            # the leaf alone must not verify: the intermediate really is needed
            if openssl verify -CAfile ca.pem $k-int.leaf.pem; then
                echo "$k-int.leaf.pem verified without its intermediate" >&2
                exit 1
            fi
        done
        echo "$PKI_STAMP" > stamp
    ) > "$tmp/gen.log" 2>&1 || { cat "$tmp/gen.log" >&2; fail "generating the test PKI"; }
    rm -rf "$pki"
    mv "$tmp" "$pki"
}
gen_pki

# --- build ---------------------------------------------------------------------------------------
say "building tlsbench"
gcc -O2 -g -std=c11 -Wall -Wextra -Werror -o "$bin/tlsbench" bench/tlsbench.c bench/tlsbench_threads.c \
    -lssl -lcrypto -ldl -lpthread

ref_bin=$root/target/bench-ref/release/rustls-ref
if [ "$ref" = auto ]; then
    if [ "$mode" = full ] || [ -x "$ref_bin" ]; then ref=1; else ref=0; fi
    if [ "$ref" = 0 ]; then
        say "smoke: skipping the pure-rustls reference (not built yet; build it with"
        say "  'bash bench/run.sh --smoke --ref' or a full run: it compiles aws-lc, about a minute)"
    fi
fi
if [ "$ref" = 1 ]; then
    say "building the pure-rustls reference (bench/rustls-ref)"
    cargo build -q --release --manifest-path bench/rustls-ref/Cargo.toml \
        --target-dir "$root/target/bench-ref"
fi

# --- the runs ------------------------------------------------------------------------------------
args=(--pki "$pki" --time "$time_s" --conns "$conns")
[ "$mode" = smoke ] && args+=(--smoke)
[ -n "$only" ] && args+=(--only "$only")

# run_tls LIB ROUND: tlsbench on OpenSSL (LIB=openssl) or ferrossl, or rustls-ref (LIB=rustls).
run_tls() {
    local lib=$1 r=$2 f="$out/$1.r$2.txt" rc=0 loaded want
    case "$lib" in
        openssl)
            env -u LD_PRELOAD LD_LIBRARY_PATH= "$bin/tlsbench" "${args[@]}" > "$f" 2> "$f.err" || rc=$?
            want=$system_libssl ;;
        ferrossl)
            env -u LD_PRELOAD LD_LIBRARY_PATH="$ferro" "$bin/tlsbench" "${args[@]}" --expect-mlkem \
                > "$f" 2> "$f.err" || rc=$?
            want=$ferro/libssl.so.3 ;;
        rustls)
            "$ref_bin" "${args[@]}" > "$f" 2> "$f.err" || rc=$?
            want="" ;;
    esac
    if [ "$rc" -ne 0 ]; then
        cat "$f" "$f.err" >&2
        fail "$lib (round $r) exited with status $rc; reproduce with: $(repro "$lib")"
    fi
    if [ -n "$want" ]; then
        loaded=$(sed -n 's/^# libssl: //p' "$f")
        [ "$(realpath -m "$loaded")" = "$want" ] ||
            fail "$lib run loaded libssl from '$loaded', expected $want"
    fi
    grep -q '^# ok$' "$f" || fail "$lib (round $r) did not finish"
    if [ -s "$f.err" ]; then sed "s/^/bench: $lib: /" "$f.err" | sort -u >&2; fi
}

repro() {
    local a="target/bench/tlsbench ${args[*]}"
    case "$1" in
        openssl) echo "LD_LIBRARY_PATH= $a" ;;
        ferrossl) echo "LD_LIBRARY_PATH=$ferro_src $a --expect-mlkem" ;;
        rustls) echo "target/bench-ref/release/rustls-ref ${args[*]}" ;;
    esac
}

libs=(openssl ferrossl)
[ "$ref" = 1 ] && libs+=(rustls)
for ((r = 1; r <= rounds; r++)); do
    for lib in "${libs[@]}"; do
        say "round $r/$rounds: $lib"
        run_tls "$lib" "$r"
    done
done

# --- end to end: Debian's nginx on each library, wrk on loopback ----------------------------------
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# nginx_start LIB DIR [ATTEMPT]: starts nginx (worker_processes 1) on LIB's libssl; sets nginx_pid, worker,
# port (tickets and session cache as nginx's defaults) and port_full (no tickets, no cache:
# every new connection is a full handshake).
nginx_start() {
    local lib=$1 dir=$2 user="" libpath=""
    mkdir -p "$dir/html"
    [ "$(id -u)" -eq 0 ] && user="user root;"
    head -c 612 /dev/urandom | base64 -w 76 | head -c 612 > "$dir/html/small.html"
    head -c 1048576 /dev/urandom > "$dir/html/1m.bin"
    port=$(free_port)
    port_full=$(free_port)
    cat > "$dir/nginx.conf" <<EOF
$user
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/octet-stream;
    keepalive_requests 10000000;
    client_body_temp_path $dir/client_body_temp;
    proxy_temp_path $dir/proxy_temp;
    fastcgi_temp_path $dir/fastcgi_temp;
    uwsgi_temp_path $dir/uwsgi_temp;
    scgi_temp_path $dir/scgi_temp;
    ssl_certificate $pki/ecdsa.chain.pem;
    ssl_certificate_key $pki/ecdsa.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $dir/html;
    server { listen 127.0.0.1:$port ssl; }
    server { listen 127.0.0.1:$port_full ssl; ssl_session_tickets off; ssl_session_cache off; }
}
EOF
    [ "$lib" = ferrossl ] && libpath=$ferro
    env -u LD_PRELOAD LD_LIBRARY_PATH="$libpath" /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" \
        -e "$dir/error.log" > "$dir/stdout.log" 2>&1 &
    nginx_pid=$!
    local i
    for ((i = 0; i < 100; i++)); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null &&
            (exec 3<> "/dev/tcp/127.0.0.1/$port_full") 2> /dev/null; then
            break
        fi
        if ! kill -0 "$nginx_pid" 2> /dev/null; then
            wait "$nginx_pid" 2> /dev/null || true
            # another program took one of the free ports in between: try new ones
            if grep -q 'Address already in use' "$dir/error.log" && [ "${2:-0}" -lt 3 ]; then
                nginx_start "$lib" "$dir" $((${2:-0} + 1))
                return
            fi
            cat "$dir/error.log" >&2
            fail "nginx ($lib) exited"
        fi
        sleep 0.1
    done
    worker=$(pgrep -P "$nginx_pid" | head -n1)
    [ -n "$worker" ] || fail "nginx ($lib) has no worker"
    local loaded want
    loaded=$(grep -m1 -o '/[^ ]*libssl\.so\.3' "/proc/$worker/maps" || true)
    if [ "$lib" = ferrossl ]; then want=$ferro/libssl.so.3; else want=$system_libssl; fi
    [ "$(realpath -m "$loaded")" = "$want" ] || fail "nginx ($lib) worker loaded '$loaded', expected $want"
}

nginx_stop() {
    kill -TERM "$nginx_pid" 2> /dev/null || true
    wait "$nginx_pid" 2> /dev/null || true
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wrk_run FIGURE URL [wrk args...]: appends "FIGURE req/s" and "FIGURE_per_cpu req per worker
# CPU-second" to $f; fails on any socket error or non-2xx response.
wrk_run() {
    local fig=$1 url=$2 log="$out/wrk.$lib.r$r.$1.log" t0 t1 reqs secs rps
    shift 2
    t0=$(cpu_ticks "$worker")
    env -u LD_PRELOAD LD_LIBRARY_PATH= wrk -t1 -c32 -d"${e2e_time}s" --timeout 10s "$@" "$url" > "$log" 2>&1 ||
        { cat "$log" >&2; fail "wrk $fig on $lib"; }
    t1=$(cpu_ticks "$worker")
    if grep -q -e 'Socket errors' -e 'Non-2xx' "$log"; then
        cat "$log" >&2
        fail "wrk $fig on $lib: errors (reproduce: nginx -c $dir/nginx.conf, $(which wrk) $* $url)"
    fi
    reqs=$(awk '/requests in/ {print $1}' "$log")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
    [ -n "$reqs" ] && [ "$reqs" -gt 0 ] || { cat "$log" >&2; fail "wrk $fig on $lib: no request completed"; }
    secs=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN {print (b - a) / hz}')
    echo "$fig $rps req/s" >> "$f"
    awk -v n="$reqs" -v s="$secs" -v fig="$fig" \
        'BEGIN { if (s > 0) printf "%s_per_cpu %.6g req/cpu-s\n", fig, n / s; else printf "%s_per_cpu n/a req/cpu-s\n", fig }' >> "$f"
}

if [ "$nginx" = 1 ]; then
    command -v wrk > /dev/null || fail "wrk is missing (apt-get install wrk, or make deps)"
    for ((r = 1; r <= rounds; r++)); do
        for lib in openssl ferrossl; do
            say "round $r/$rounds: nginx on $lib"
            dir="$bin/nginx-$lib"
            rm -rf "$dir"
            f="$out/$lib.r$r.txt"
            nginx_start "$lib" "$dir"
            trap nginx_stop EXIT
            close=(-H "Connection: close")
            wrk_run e2e_nginx_small_keepalive "https://localhost:$port/small.html"
            wrk_run e2e_nginx_1m_keepalive "https://localhost:$port/1m.bin"
            wrk_run e2e_nginx_small_close "https://localhost:$port/small.html" "${close[@]}"
            wrk_run e2e_nginx_1m_close "https://localhost:$port/1m.bin" "${close[@]}"
            wrk_run e2e_nginx_small_close_full "https://localhost:$port_full/small.html" "${close[@]}"
            echo "e2e_nginx_worker_peak_rss $(awk '/^VmHWM:/ {print $2}' "/proc/$worker/status") KiB" >> "$f"
            if grep -E '\[(alert|emerg)\]' "$dir/error.log" >&2; then
                fail "nginx on $lib logged errors ($dir/error.log)"
            fi
            # [crit] lines are reported, not fatal: see bench/README.md ("Known issues").
            crit=$(grep -c '\[crit\]' "$dir/error.log" || true)
            echo "e2e_nginx_error_log_crit_lines $crit lines" >> "$f"
            if [ "$crit" -gt 0 ]; then
                say "WARNING: nginx on $lib logged $crit [crit] lines, e.g.:"
                grep -m3 '\[crit\]' "$dir/error.log" | sed 's/^/bench:   /' >&2
                cp "$dir/error.log" "$out/nginx-error.$lib.r$r.log"
            fi
            nginx_stop
            trap - EXIT
        done
    done
fi

# --- the table -----------------------------------------------------------------------------------
report_args=(--dir "$out" --mode "$mode")
if [ "$mode" = full ] && [ -z "$only" ]; then
    report_args+=(--md bench/results.md --svg bench/results.svg --readme bench/README.md)
else
    report_args+=(--md "$out/results.md" --svg "$out/results.svg")
fi
python3 bench/report.py "${report_args[@]}"
say "ok ($mode; raw outputs in ${out#"$root"/})"
