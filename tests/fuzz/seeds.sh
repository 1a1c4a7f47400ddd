#!/bin/sh
# Prints the seed inputs of one fuzz target, one path per line: the test data and samples it starts from, then the
# regression inputs of tests/data/fuzz/TARGET (each a crash a fuzzer once found, kept so that it never comes back).
# Usage: seeds.sh REPO TARGET
set -eu
repo=$1 target=$2
data=$repo/tests/data
case "$target" in
  payload)  find "$data/formats" -name body; find "$data/samples" "$data/signatures" -name '*.json' ;;
  logline)  find "$data/logs" -type f; find "$data/samples" -name '*.log' ;;
  filter)   find "$data/filters" -type f ;;
  receiver) find "$data/http" -type f ;;
  *) echo "seeds.sh: no fuzz target $target" >&2; exit 2 ;;
esac | LC_ALL=C sort
[ ! -d "$data/fuzz/$target" ] || find "$data/fuzz/$target" -type f | LC_ALL=C sort
