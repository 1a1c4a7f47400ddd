#!/usr/bin/env bash
# Receiver throughput against two reference peers, in one run on this machine (see docs/PERFORMANCE.md):
#   nginx answering a fixed 200, a minimal Node.js http server that reads and JSON.parses the body, and
#   `pimscope receive` (durable group commit before each answer, Akeneo signatures checked),
# each loaded with wrk (2 threads, 50 connections, 10 s, a 10-event Akeneo body of about 5 KB, keep-alive,
# valid signatures), then the receiver alone at a steady 1,000 requests/s with hey.
# Needs: wrk hey nginx-light (or nginx) nodejs openssl, and a release build (cmake --preset release).
# Usage: tests/bench/receiver_bench.sh [path/to/pimscope] [seconds]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/release/app/pimscope}
secs=${2:-10}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# shellcheck source=signedbody.sh
. "$here/signedbody.sh"

# nginx: 2 workers, return 200, no logs.
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 2; daemon off; pid $work/nginx/pid; error_log /dev/null;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/nginx;
  server { listen 127.0.0.1:18801; location / { return 200 '{"ok":true}'; } } }
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!)

node "$here/receiver/peer.js" > "$work/node.port" & pids+=($!)

PIMSCOPE_BENCH_SECRET=$secret "$bin" receive --listen 127.0.0.1:0 --db "$work/capture.db" \
    --secret-env PIMSCOPE_BENCH_SECRET > "$work/receiver.out" 2>"$work/receiver.err" & recv_pid=$!; pids+=("$recv_pid")

for _ in $(seq 50); do
  [ -s "$work/node.port" ] && grep -q '^Listening on' "$work/receiver.out" && break; sleep 0.1
done
node_port=$(cat "$work/node.port")
recv_url=$(sed -n 's/^Listening on //p' "$work/receiver.out" | head -1)

run_wrk() { # name url
  local out; out=$(wrk -t2 -c50 -d"${secs}s" --latency -s "$work/post.lua" "$2")
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-28s %12s req/s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p99" "${non2xx:-0}"
  echo "$rps" > "$work/$1.rps"
}

echo "wrk -t2 -c50 -d${secs}s, $(stat -c %s "$work/body.json")-byte 10-event Akeneo body, keep-alive, signed"
run_wrk nginx "http://127.0.0.1:18801/"
run_wrk node "http://127.0.0.1:$node_port/"
run_wrk pimscope "$recv_url"
awk -v p="$(cat "$work/pimscope.rps")" -v n="$(cat "$work/node.rps")" -v x="$(cat "$work/nginx.rps")" \
  'BEGIN { printf "pimscope / node = %.2fx (target >= 1.5x)   pimscope / nginx = %.2fx (target >= 0.2x)\n", p/n, p/x }'

stored=$("$bin" stats --db "$work/capture.db" | sed -n 's/.*"deliveries":\([0-9]*\).*/\1/p')
echo "pimscope stored $stored deliveries; signature verdicts: $("$bin" stats --db "$work/capture.db" | sed -n 's/.*"by_signature":\({[^}]*}\).*/\1/p')"

# A fresh receiver for the steady rate, so that the indexing the wrk burst left behind does not count here
# (the first one is killed: it would be indexing that backlog on the same two cores).
kill -9 "$recv_pid" 2>/dev/null || true; wait "$recv_pid" 2>/dev/null || true
PIMSCOPE_BENCH_SECRET=$secret "$bin" receive --listen 127.0.0.1:0 --db "$work/steady.db" \
    --secret-env PIMSCOPE_BENCH_SECRET > "$work/steady.out" 2>"$work/steady.err" & pids+=($!)
for _ in $(seq 50); do grep -q '^Listening on' "$work/steady.out" && break; sleep 0.1; done
steady_url=$(sed -n 's/^Listening on //p' "$work/steady.out" | head -1)
echo "hey at a steady 1,000 requests/s (10 connections x 100/s) for ${secs}s against a fresh pimscope receiver:"
hey -z "${secs}s" -c 10 -q 100 -m POST -T application/json -D "$work/body.json" \
    -H "X-Akeneo-Request-Timestamp: $ts" -H "X-Akeneo-Request-Signature: $sig" "$steady_url" > "$work/hey.out"
grep -E 'Requests/sec|50% in|99% in|^ *\[[0-9]{3}\]' "$work/hey.out" | sed 's/^ */  /'

