#!/bin/sh
# Runs every libFuzzer target of a PIMSCOPE_FUZZ=ON build for a bounded time, from the seed corpora, and fails on
# any crash, leak, timeout or out-of-memory. Two run at a time (the CI machine has 2 cores).
# Usage: run-fuzzers.sh BUILD_DIR [SECONDS per target, default 60]
# A failing input is saved as BUILD_DIR/fuzz-artifacts/<target>/crash-... (or leak-, timeout-, oom-): reproduce it
# with `BUILD_DIR/tests/fuzz/fuzz_<target> FILE`, fix it, and copy it to tests/data/fuzz/<target>/ as a regression
# case (ctest fuzz_<target>_inputs runs it in every build from then on).
set -eu
build=$(cd "$1" && pwd)
seconds=${2:-60}
repo=$(cd "$(dirname "$0")/../.." && pwd)
targets="payload logline filter receiver"
work=$(mktemp -d "${TMPDIR:-/tmp}/pimscope-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

run() { # run TARGET: one fuzzer, its output in $work/TARGET.log, its status in $work/TARGET.rc
    t=$1
    mkdir -p "$work/corpus/$t" "$build/fuzz-artifacts/$t"
    sh "$repo/tests/fuzz/seeds.sh" "$repo" "$t" | while read -r f; do cp "$f" "$work/corpus/$t/"; done
    rc=0
    # -timeout: one input over 10 s is a hang; -rss_limit_mb: memory must stay bounded; leaks are on (ASan).
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-artifacts/$t/" "$work/corpus/$t" > "$work/$t.log" 2>&1 || rc=$?
    echo "$rc" > "$work/$t.rc"
}

set -- $targets
while [ $# -gt 0 ]; do
    run "$1" &
    first=$!
    second=
    if [ $# -gt 1 ]; then run "$2" & second=$!; fi
    wait "$first"
    [ -z "$second" ] || wait "$second"
    shift; [ $# -eq 0 ] || shift
done

failed=0
for t in $targets; do
    rc=$(cat "$work/$t.rc")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$work/$t.log" | tail -1)
    if [ "$rc" = 0 ]; then
        echo "fuzz_$t: ${runs:-?} inputs in ${seconds} s, ${cov:-cov: ?}, no crash, leak or timeout"
    else
        failed=1
        echo "fuzz_$t: FAILED (status $rc); its output:" >&2
        grep -v '^#[0-9]' "$work/$t.log" | tail -60 >&2
        echo "fuzz_$t: the input is in $build/fuzz-artifacts/$t/: fix it, then add it to tests/data/fuzz/$t/" >&2
    fi
done
exit $failed
