#!/bin/sh
# ctest fuzz_TARGET_inputs: runs one fuzz target once on every seed and regression input (tests/fuzz/seeds.sh).
# Under libFuzzer a file argument is run once, as by the standalone main of the other builds.
# Usage: run-inputs.sh FUZZ_BINARY REPO TARGET
set -eu
bin=$1 repo=$2 target=$3
list=$(mktemp)
trap 'rm -f "$list"' EXIT
sh "$(dirname "$0")/seeds.sh" "$repo" "$target" > "$list"
count=$(wc -l < "$list")
[ "$count" -gt 0 ] || { echo "run-inputs: no inputs for $target" >&2; exit 1; }
# shellcheck disable=SC2046 # one argument per line: the paths hold no spaces (checked)
if grep -q ' ' "$list"; then echo "run-inputs: a path with a space" >&2; exit 1; fi
"$bin" $(cat "$list")
echo "run-inputs: $target: $count inputs, no crash"
