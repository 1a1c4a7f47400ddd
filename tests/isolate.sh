#!/bin/sh
# Runs one test in a sandbox of its own: temporary HOME and XDG folders, offscreen Qt platform.
# Usage: isolate.sh plain|keyring COMMAND [ARGS...]
# "keyring" also starts a private D-Bus session with an unlocked gnome-keyring (see QT64-NOTES §4).
set -eu
mode=$1; shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pimscope-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime"
chmod 700 "$tmp/runtime"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
export XDG_RUNTIME_DIR="$tmp/runtime" QT_QPA_PLATFORM=offscreen TMPDIR="$tmp"
case "$mode" in
  plain) "$@" ;;
  keyring)
    exec dbus-run-session -- sh -c 'echo -n pimscope-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' sh "$@" ;;
  *) echo "isolate.sh: unknown mode $mode" >&2; exit 2 ;;
esac
