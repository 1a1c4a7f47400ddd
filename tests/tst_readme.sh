#!/bin/sh
# The README's two commands for a new machine stay true: CI runs the README's test command verbatim,
# and the run command builds the target it starts.
set -eu
root=$1
test_cmd=$(grep -A4 '^Run every test:' "$root/README.md" | sed -n 's/^\(\.ci\/install-deps .*\)$/\1/p')
run_cmd=$(grep -A4 '^Install what is needed' "$root/README.md" | sed -n 's/^\(\.ci\/install-deps .*\)$/\1/p')
[ -n "$test_cmd" ] || { echo "README: no test command found"; exit 1; }
[ -n "$run_cmd" ] || { echo "README: no run command found"; exit 1; }
grep -qxF "$test_cmd" "$root/.ci/run" || { echo ".ci/run does not run the README's test command: $test_cmd"; exit 1; }
case "$run_cmd" in *"build/release/app/pimscope") ;; *) echo "README run command does not start the app"; exit 1 ;; esac
for preset in dev release; do
  grep -q "\"name\": \"$preset\"" "$root/CMakePresets.json" || { echo "preset $preset missing"; exit 1; }
done
echo "README commands OK"
