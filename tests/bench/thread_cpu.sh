#!/usr/bin/env bash
# CPU used by each thread of a running process over an interval, from /proc (see docs/PERFORMANCE.md).
# Usage: tests/bench/thread_cpu.sh PID [SECONDS]
set -euo pipefail
pid=$1; secs=${2:-5}
hz=$(getconf CLK_TCK)
snap() { for t in /proc/"$pid"/task/*; do printf '%s %s\n' "$(tr ' ' _ < "$t/comm")" "$(awk '{print $14+$15}' "$t/stat")"; done | sort; }
a=$(mktemp); b=$(mktemp); trap 'rm -f "$a" "$b"' EXIT
snap > "$a"; sleep "$secs"; snap > "$b"
join "$a" "$b" | awk -v s="$secs" -v hz="$hz" '{ d = $3 - $2; if (d > 0) printf "%-22s %5.1f%%\n", $1, 100 * d / hz / s }'
