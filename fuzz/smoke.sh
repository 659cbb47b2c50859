#!/usr/bin/env bash
# Builds the fuzz targets once (cargo +nightly fuzz build: ASan, the `fuzzing` feature) and runs
# each for FUZZ_SECONDS (default 30) from its committed seeds; fails on the first crash, leak or
# failed assertion (libFuzzer exits non-zero and leaves the input in fuzz/artifacts/<target>/).
# CI runs it after the cargo tests (.ci/test); `make fuzz` runs it with FUZZ_SECONDS=300.
# New inputs go to fuzz/target/grown/<target>/ (kept between runs, never committed).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"

secs="${FUZZ_SECONDS:-30}"
targets="${FUZZ_TARGETS:-server client session config client_hello api_calls}"

# libFuzzer's lines worth keeping: coverage on the seeds and at the end, executions, speed.
summary='^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec)'

start=$(date +%s)
nice cargo +nightly fuzz build
echo "fuzz: build took $(($(date +%s) - start)) s"

for t in $targets; do
    grown="target/grown/$t"
    mkdir -p "$grown"
    echo "fuzz: $t for ${secs} s"
    t0=$(date +%s)
    log="target/grown/$t.log"
    status=0
    # -rss_limit_mb: libFuzzer's default (2048) would count the whole ASan process.
    nice cargo +nightly fuzz run "$t" "$grown" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E "$summary" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        echo "fuzz: $t FAILED (exit $status); the input is in fuzz/artifacts/$t/" >&2
        exit "$status"
    fi
    echo "fuzz: $t ok ($(($(date +%s) - t0)) s)"
done
echo "fuzz: all targets ok in $(($(date +%s) - start)) s"
