#!/bin/sh
# .ci/run cannot pass by accident: with every command it runs replaced by a stub that records its call, the script
# runs every step when nothing fails, and when any one step fails it exits non-zero and runs no step after it
# (a failure inside an `a && b && c` list does not stop a `set -e` script by itself).
# Usage: tst_ci_run.sh REPO
set -eu
repo=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pimscope-ci-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

mkdir -p "$tmp/tree/.ci" "$tmp/tree/tests/fuzz" "$tmp/tree/packaging" "$tmp/bin"
cp "$repo/.ci/run" "$tmp/tree/.ci/run"
# A stub records "NAME ARGS" and fails when that is exactly $BREAK.
stub() {
    cat > "$1" <<'STUB'
#!/bin/sh
call="$(basename "$0") $*"
echo "$call" >> "$CALLS"
[ "$call" != "$BREAK" ] || exit 3
exit 0
STUB
    chmod +x "$1"
}
stub "$tmp/tree/.ci/install-deps"
stub "$tmp/tree/.ci/check-format"
stub "$tmp/tree/.ci/check-tidy"
stub "$tmp/tree/.ci/debian13"
stub "$tmp/tree/tests/fuzz/run-fuzzers.sh"
stub "$tmp/tree/packaging/test-deb.sh"
for tool in cmake ctest; do stub "$tmp/bin/$tool"; done

run() { # run BREAK [SERIAL]: runs the copy of .ci/run, prints its exit status
    : > "$tmp/calls"
    rc=0
    CALLS="$tmp/calls" BREAK="$1" CI_RUN_SERIAL="${2:-1}" PATH="$tmp/bin:$PATH" bash "$tmp/tree/.ci/run" \
        > "$tmp/out" 2>&1 || rc=$?
    echo "$rc"
}

# Nothing broken: every step runs, in order, and the script succeeds. CI_RUN_SERIAL=1 (the background steps run
# where they are started) keeps the order of the calls fixed; the background mode is checked at the end.
rc=$(run "")
[ "$rc" = 0 ] || { echo "FAIL: .ci/run exited $rc with nothing broken"; cat "$tmp/out"; exit 1; }
cp "$tmp/calls" "$tmp/steps"
steps=$(wc -l < "$tmp/steps")
[ "$steps" -ge 10 ] || { echo "FAIL: only $steps steps ran:"; cat "$tmp/steps"; exit 1; }
grep -qx "ctest --preset dev" "$tmp/steps" || { echo "FAIL: the README's tests were not run"; exit 1; }
grep -qx "ctest --preset asan" "$tmp/steps" || { echo "FAIL: the sanitizer suite was not run"; exit 1; }
grep -qx "check-format " "$tmp/steps" || { echo "FAIL: the formatting is not checked"; exit 1; }
grep -qx "check-tidy build/dev" "$tmp/steps" || { echo "FAIL: clang-tidy is not run"; exit 1; }
grep -qx "cmake --build --preset release --target package" "$tmp/steps" \
    || { echo "FAIL: the package is not built from the release tree"; exit 1; }
grep -qx "debian13 prepare build/debian13/root" "$tmp/steps" \
    || { echo "FAIL: no Debian 13 chroot is prepared"; exit 1; }
grep -qx "debian13 build build/debian13/root build/deb13" "$tmp/steps" \
    || { echo "FAIL: nothing is built and tested on Debian 13"; exit 1; }
[ "$(grep -c '^test-deb.sh ' "$tmp/steps")" = 2 ] \
    || { echo "FAIL: test-deb.sh does not prove both packages (Debian 12 and 13)"; exit 1; }

# Each step broken in turn: non-zero, and nothing after it ran.
n=0
while IFS= read -r step; do
    n=$((n + 1))
    rc=$(run "$step")
    if [ "$rc" = 0 ]; then
        echo "FAIL: .ci/run passed with '$step' failing"
        cat "$tmp/out"
        exit 1
    fi
    if ! head -n "$n" "$tmp/steps" | cmp -s - "$tmp/calls"; then
        echo "FAIL: with '$step' failing, .ci/run went on:"
        cat "$tmp/calls"
        exit 1
    fi
    echo "ok: '$step' failing stops CI (exit $rc)"
done < "$tmp/steps"
echo "every one of $steps steps fails CI when it fails"

# In the background (as CI runs): everything still runs and passes; a background step that fails fails CI at the step
# that waits for it, before anything after that one runs.
rc=$(run "" 0)
[ "$rc" = 0 ] || { echo "FAIL: .ci/run in the background mode exited $rc with nothing broken"; cat "$tmp/out"; exit 1; }
sort "$tmp/calls" > "$tmp/background-calls"
sort "$tmp/steps" | cmp -s - "$tmp/background-calls" \
    || { echo "FAIL: the background mode ran other steps:"; cat "$tmp/calls"; exit 1; }
check_background() { # check_background BROKEN NEVER: with BROKEN failing, CI fails and NEVER is not run
    rc=$(run "$1" 0)
    [ "$rc" != 0 ] || { echo "FAIL: .ci/run passed with '$1' failing in the background"; cat "$tmp/out"; exit 1; }
    if grep -qxF "$2" "$tmp/calls"; then
        echo "FAIL: with '$1' failing in the background, .ci/run still ran '$2'"
        exit 1
    fi
    grep -q "CI: FAILED: .*in the background" "$tmp/out" || { echo "FAIL: no word of the background failure"; exit 1; }
    echo "ok: '$1' failing in the background stops CI before '$2'"
}
check_background "debian13 prepare build/debian13/root" "debian13 build build/debian13/root build/deb13"
check_background "test-deb.sh build/release/pimscope_*~deb12_amd64.deb" \
    "test-deb.sh build/deb13/pimscope_*~deb13_amd64.deb"
