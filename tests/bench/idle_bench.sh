#!/usr/bin/env bash
# A normal client beside 1,000 idle, half-sent connections (slowloris): the answer times of `pimscope receive`
# (durable commit before each answer) to 200 sequential requests, with and without the idle connections, in one run.
# tst_hostile checks that such a client is answered at all, with a bound a loaded machine under ASan keeps; this
# prints the figure itself (docs/PERFORMANCE.md).
# Needs: python3, a release build (cmake --preset release). Usage: tests/bench/idle_bench.sh [path/to/pimscope]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/release/app/pimscope}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" receive --listen 127.0.0.1:0 --db "$work/c.db" > "$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "Listening on" "$work/out" && break; sleep 0.1; done
port=$(sed -n 's/.*Listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out" | head -n 1)
[ -n "$port" ] || { echo "the receiver did not start:"; cat "$work/out"; exit 1; }
python3 - "$port" "$here/../data/samples/akeneo_batch_example.json" <<'PY'
import socket, sys, time, resource
port, sample = int(sys.argv[1]), open(sys.argv[2], 'rb').read()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
request = (b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
           % len(sample)) + sample

def answer_times(n):
    times = []
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(n):
        start = time.perf_counter()
        s.sendall(request)
        got = b""
        while b"\r\n\r\n" not in got or not got.rstrip().endswith(b"}"):
            got += s.recv(65536)
        times.append((time.perf_counter() - start) * 1000)
        assert got.startswith(b"HTTP/1.1 200"), got[:80]
    s.close()
    return sorted(times)

def show(label, t):
    print("%-32s median %6.2f ms   p99 %6.2f ms   slowest %6.2f ms" % (label, t[len(t) // 2], t[int(len(t) * 0.99) - 1], t[-1]))

answer_times(20)  # warm
show("alone", answer_times(200))
idle = []
for _ in range(1000):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
    idle.append(c)
time.sleep(0.2)
show("beside 1,000 idle connections", answer_times(200))
PY
