#!/usr/bin/env bash
# Two builds' catch-up from one server, in turn (see docs/PERFORMANCE.md, "Following a server's PostgreSQL store"):
# one throwaway cluster (pgcluster.sh) filled once with N 10-event deliveries, then `pimscope follow --once` of binary
# A, then of binary B, each into a new capture, ROUNDS times; prints each run's time and rate. Compare within a pair:
# this shared machine's speed drifts between pairs.
# Needs: nodejs, openssl, postgresql, two release builds.
# Usage: tests/bench/pgfollow_ab.sh path/to/pimscope-A path/to/pimscope-B [deliveries, default 100000] [rounds, default 3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
a=$1
b=$2
n=${3:-100000}
rounds=${4:-3}
work=$(mktemp -d)
# shellcheck source=pgcluster.sh
. "$here/pgcluster.sh"
# shellcheck source=signedbody.sh
. "$here/signedbody.sh"
chmod 644 "$work/body.json"

# The schema, as a receiver of A makes it (it exits at once: port 0 and SIGTERM).
"$a" receive --listen 127.0.0.1:0 --store "$store" > "$work/schema.out" 2>&1 &
schema_pid=$!
for _ in $(seq 100); do grep -q '^Listening on' "$work/schema.out" && break; sleep 0.1; done
kill "$schema_pid"
wait "$schema_pid" || true
bench_sql "INSERT INTO deliveries (rev, received_at_ms, receiver, method, path, headers, body, body_size, format,
    signature, answered_status, ack_ms)
  SELECT nextval('pimscope_rev'), $(date +%s%3N) + g, 'bench', 'POST', convert_to('/hook', 'UTF8'),
    convert_to('Content-Type: application/json' || chr(10), 'UTF8'), b, length(b), 1, 0, 200, 1.5
  FROM generate_series(1, $n) g,
    LATERAL (SELECT convert_to(replace(convert_from(pg_read_binary_file('$work/body.json'), 'UTF8'), '6ad821d8',
             lpad(to_hex(g), 8, '0')), 'UTF8') AS b) body" > /dev/null
bench_sql "VACUUM ANALYZE deliveries" > /dev/null
for _ in $(seq "$rounds"); do
    for which in A B; do
        bin=$a
        [ "$which" = A ] || bin=$b
        rm -f "$work"/copy.db*
        start=$(date +%s%N)
        "$bin" follow "$store" --db "$work/copy.db" --once > "$work/follow.out"
        end=$(date +%s%N)
        grep -q "^Caught up: $n changes" "$work/follow.out" || { echo "$which did not copy $n: $(tail -2 "$work/follow.out")"; exit 1; }
        awk -v w="$which" -v n="$n" -v ns=$((end - start)) 'BEGIN { printf "%s %6.0f ms %8.0f deliveries/s\n", w, ns / 1e6, n / (ns / 1e9) }'
    done
done
