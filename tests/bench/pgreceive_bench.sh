#!/usr/bin/env bash
# Receivers writing to one PostgreSQL (issue #22's target: two receivers, at least 3,000 durable signed requests/s in
# all, p99 under 20 ms), measured in one run beside one receiver writing to its SQLite capture (see
# docs/PERFORMANCE.md). A throwaway PostgreSQL cluster is started here (Debian's initdb and pg_ctl, fsync and
# synchronous_commit on, as they are by default: every 2xx is durable), then:
#   - two `pimscope receive --store postgresql://...` at once, each loaded by its own wrk (1 thread, C connections);
#   - one `pimscope receive --db FILE`, loaded by one wrk (2 threads, 2 C connections),
# for N seconds each, with a 10-event Akeneo body of about 5 KB, valid signatures, keep-alive.
# Needs: wrk, nodejs, openssl, postgresql, and a release build (cmake --preset release).
# Usage: tests/bench/pgreceive_bench.sh [path/to/pimscope] [seconds] [connections per receiver, default 8]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/release/app/pimscope}
secs=${2:-10}
conns=${3:-8} # per receiver: wrk keeps them all busy, so the latency is theirs queued (conns / throughput)
work=$(mktemp -d)

# shellcheck source=pgcluster.sh
. "$here/pgcluster.sh"

# shellcheck source=signedbody.sh
. "$here/signedbody.sh"

start_receiver() { # name args...: starts `pimscope receive`, prints its URL
    local name=$1
    shift
    PIMSCOPE_BENCH_SECRET=$secret "$bin" receive --listen 127.0.0.1:0 --secret-env PIMSCOPE_BENCH_SECRET "$@" \
        > "$work/$name.out" 2> "$work/$name.err" &
    pids+=($!)
    for _ in $(seq 100); do grep -q '^Listening on' "$work/$name.out" && break; sleep 0.1; done
    sed -n 's/^Listening on //p' "$work/$name.out" | head -1
}
to_ms() { # wrk's latency (123.45us, 1.23ms, 1.02s) in ms
    awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' <<<"$1"
}
report() { # name wrk-output-file...: total req/s, the worst p50 and p99, non-2xx
    local name=$1 rps=0 p50=0 p99=0 non=0 f r
    shift
    for f in "$@"; do
        r=$(awk '/Requests\/sec/ {print $2}' "$f")
        rps=$(awk -v a="$rps" -v b="$r" 'BEGIN {printf "%.0f", a + b}')
        p50=$(awk -v a="$p50" -v b="$(to_ms "$(awk '$1=="50%" {print $2}' "$f")")" 'BEGIN {print (b > a ? b : a)}')
        p99=$(awk -v a="$p99" -v b="$(to_ms "$(awk '$1=="99%" {print $2}' "$f")")" 'BEGIN {print (b > a ? b : a)}')
        r=$(awk '/Non-2xx/ {print $NF}' "$f")
        non=$((non + ${r:-0}))
    done
    printf '%-44s %8s req/s   p50 %7s ms   p99 %7s ms   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "$non"
}

a=$(start_receiver pg-a --store "$store")
b=$(start_receiver pg-b --store "$store")
wrk -t1 -c"${conns}" -d"${secs}s" --latency -s "$work/post.lua" "$a" > "$work/wrk-a.txt" &
wa=$!
wrk -t1 -c"${conns}" -d"${secs}s" --latency -s "$work/post.lua" "$b" > "$work/wrk-b.txt" &
wb=$!
wait $wa $wb
sleep 1
report "2 receivers -> one PostgreSQL ($conns conn. each)" "$work/wrk-a.txt" "$work/wrk-b.txt"
stored=$(bench_sql "SELECT count(*) || ' stored, ' || count(DISTINCT receiver) || ' receivers' FROM deliveries")
echo "  PostgreSQL holds: $stored"
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
pids=()

s=$(start_receiver sqlite --db "$work/capture.db")
wrk -t2 -c"$((2 * conns))" -d"${secs}s" --latency -s "$work/post.lua" "$s" > "$work/wrk-s.txt"
report "1 receiver -> SQLite ($((2 * conns)) connections)" "$work/wrk-s.txt"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), durable commits (fsync on); $(nproc) cores"
