#!/usr/bin/env bash
# Following a server's PostgreSQL store (issue #22's targets: a follower keeps up with 1,000 requests/s with under 1 s
# of lag, and catches up on 100,000 missed deliveries at 20,000 deliveries/s or more), see docs/PERFORMANCE.md.
# A throwaway PostgreSQL cluster (pgcluster.sh), then:
#   1. catch-up: N deliveries written on the server (as a receiver writes them, in one statement: distinct events),
#      copied by `pimscope follow --once` into an empty capture: deliveries/s, for 1-event bodies (about 400 bytes)
#      and for the 10-event bodies of the receiver benchmarks (about 5 KB);
#   2. live: `pimscope receive --store` loaded at 1,000 signed requests/s (10-event bodies, an open loop: rate.js)
#      for S seconds while `pimscope follow --progress` copies: the lag of each batch it commits (from the newest
#      change's commit on the server to its commit in the capture), its p50, p99 and max.
# Needs: nodejs, openssl, postgresql, a release build (cmake --preset release).
# Usage: tests/bench/pgfollow_bench.sh [path/to/pimscope] [deliveries, default 100000] [seconds, default 10]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/release/app/pimscope}
n=${2:-100000}
secs=${3:-10}
work=$(mktemp -d)
# shellcheck source=pgcluster.sh
. "$here/pgcluster.sh"

# shellcheck source=signedbody.sh
. "$here/signedbody.sh"
cp "$work/body.json" "$work/body10.json"
node -e 'process.stdout.write(JSON.stringify({events: [JSON.parse(require("fs").readFileSync(process.argv[1])).events[0]]}))' \
    "$work/body10.json" > "$work/body1.json"
chmod 644 "$work"/body*.json

# The schema, as a receiver makes it (it exits at once: port 0 and SIGTERM).
"$bin" receive --listen 127.0.0.1:0 --store "$store" > "$work/schema.out" 2>&1 &
schema_pid=$!
for _ in $(seq 100); do grep -q '^Listening on' "$work/schema.out" && break; sleep 0.1; done
kill "$schema_pid"
wait "$schema_pid" || true

fill() { # body-file count: that many deliveries, each body's event ids made distinct
    bench_sql "INSERT INTO deliveries (rev, received_at_ms, receiver, method, path, headers, body, body_size, format,
        signature, answered_status, ack_ms)
      SELECT nextval('pimscope_rev'), $(date +%s%3N) + g, 'bench', 'POST', convert_to('/hook', 'UTF8'),
        convert_to('Content-Type: application/json' || chr(10), 'UTF8'), b, length(b), 1, 0, 200, 1.5
      FROM generate_series(1, $2) g,
        LATERAL (SELECT convert_to(replace(convert_from(pg_read_binary_file('$1'), 'UTF8'), '6ad821d8',
                 lpad(to_hex(g), 8, '0')), 'UTF8') AS b) body" > /dev/null
}
catch_up() { # name body-file
    bench_sql "TRUNCATE deliveries CASCADE" > /dev/null
    fill "$2" "$n"
    local size start end
    size=$(bench_sql "SELECT pg_size_pretty(sum(length(body))) FROM deliveries")
    start=$(date +%s%N)
    "$bin" follow "$store" --db "$work/$1.db" --once > "$work/$1.out"
    end=$(date +%s%N)
    local copied
    copied=$(sed -n 's/^Caught up: \([0-9]*\) changes.*/\1/p' "$work/$1.out" | tail -1)
    awk -v name="$1" -v c="$copied" -v ns=$((end - start)) -v size="$size" 'BEGIN {
        printf "catch-up %-22s %7d deliveries (%s of bodies) in %6.2f s: %8.0f deliveries/s\n", name, c, size, ns / 1e9, c / (ns / 1e9) }'
}
catch_up "1-event bodies" "$work/body1.json"
catch_up "10-event bodies" "$work/body10.json"

# Live: receiver at 1,000 requests/s, the follower copying.
bench_sql "TRUNCATE deliveries CASCADE" > /dev/null
PIMSCOPE_BENCH_SECRET=$secret "$bin" receive --listen 127.0.0.1:0 --store "$store" \
    --secret-env PIMSCOPE_BENCH_SECRET > "$work/receiver.out" 2> "$work/receiver.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^Listening on' "$work/receiver.out" && break; sleep 0.1; done
url=$(sed -n 's/^Listening on //p' "$work/receiver.out" | head -1)
"$bin" follow "$store" --db "$work/live.db" --progress > "$work/follow.out" 2> "$work/follow.err" &
pids+=($!)
sleep 1
node "$here/receiver/rate.js" "${url}hook" 1000 "$secs" "$work/body10.json" \
    "X-Akeneo-Request-Timestamp: $ts" "X-Akeneo-Request-Signature: $sig"
sleep 2
stored=$(bench_sql "SELECT count(*) FROM deliveries")
local_count=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM deliveries').fetchone()[0])" "$work/live.db")
sed -n 's/^copied .* lag \([0-9]*\) ms$/\1/p' "$work/follow.out" | sort -n > "$work/lags"
awk -v stored="$stored" -v local_count="$local_count" '{ v[NR] = $1 } END {
    p99 = int(NR * 0.99) + 1; if (p99 > NR) p99 = NR
    printf "live at 1,000 requests/s: %d batches copied, lag p50 %d ms, p99 %d ms, max %d ms; server %d, capture %d deliveries\n",
        NR, v[int(NR * 0.5) + 1], v[p99], v[NR], stored, local_count }' "$work/lags"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), durable commits (fsync on); $(nproc) cores"
