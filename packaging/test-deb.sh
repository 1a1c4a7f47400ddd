#!/usr/bin/env bash
# Proves a pimscope .deb on a clean system of the release it was built for: debootstraps a minimal Debian of that
# release (bookworm for a 1~deb12 package, trixie for 1~deb13: read from the package's version) into a temporary
# folder, installs the package there with apt (its dependencies resolved from the package alone: nothing else is
# installed by hand), then inside it runs `pimscope --version`, starts the window offscreen and saves a picture of it
# (next to the package: pimscope_…_amd64.window.png), does a headless receive + export round trip with
# tests/data/samples/akeneo_batch_example.json, and imports tests/data/samples/akeneo_log_example.log, which must
# export back to the same bytes.
#
#   sudo packaging/test-deb.sh build/release/pimscope_0.1.0-1~deb12_amd64.deb
#
# Needs root, debootstrap, curl and file (.ci/install-deps installs them). Environment:
#   PIMSCOPE_DEB_CACHE   a folder keeping the downloaded .debs between runs (debootstrap's and apt's); none if unset
#   PIMSCOPE_DEB_MIRROR  the Debian mirror (default http://deb.debian.org/debian)
#   PIMSCOPE_DEB_SECURITY_MIRROR  the security mirror (default http://deb.debian.org/debian-security)
#   PIMSCOPE_DEB_KEEP=1  keep the chroot afterwards (its path is printed) instead of removing it
# Time on the 2-core CI machine: 60-81 s, cache or not (packaging/README.md).
set -euo pipefail

die() { echo "test-deb: FAIL: $*" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: $0 PATH/pimscope_VERSION_ARCH.deb" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mount)"
deb=$(realpath "$1")
[ -f "$deb" ] || die "no such package: $1"
for tool in debootstrap curl dpkg-deb file; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
repo=$(cd "$(dirname "$0")/.." && pwd)
sample=$repo/tests/data/samples/akeneo_batch_example.json
log=$repo/tests/data/samples/akeneo_log_example.log
for f in "$sample" "$log"; do [ -f "$f" ] || die "no sample at $f"; done
# The release the package was built for, from its revision (1~deb12, 1~deb13: CMakeLists.txt writes it).
package_version=$(dpkg-deb -f "$deb" Version)
case "$package_version" in
    *~deb12) suite=bookworm ;;
    *~deb13) suite=trixie ;;
    *) die "package version $package_version names no Debian release this script knows (1~deb12, 1~deb13)" ;;
esac
screenshot=${deb%.deb}.window.png

mirror=${PIMSCOPE_DEB_MIRROR:-http://deb.debian.org/debian}
security=${PIMSCOPE_DEB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
cache=${PIMSCOPE_DEB_CACHE:-}
root=$(mktemp -d "${TMPDIR:-/tmp}/pimscope-test-deb.XXXXXX")
chmod 755 "$root"   # apt's _apt user reads and writes inside it
recv_pid=

# Phases and their times.
t0=$(date +%s.%N)
phase_start=$t0
phase() {
    local now; now=$(date +%s.%N)
    [ -z "${phase_name:-}" ] || awk -v n="$phase_name" -v s="$phase_start" -v e="$now" \
        'BEGIN { printf "test-deb: %-36s %6.1f s\n", n, e - s }'
    phase_name=$1
    phase_start=$now
}

# Always (trap on EXIT): stop the receiver, unmount, and remove the chroot only once nothing is mounted in it.
cleanup() {
    # Never an unbounded wait: TERM, up to 10 s, then KILL.
    if [ -n "$recv_pid" ]; then
        kill "$recv_pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$recv_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$recv_pid" 2>/dev/null
        wait "$recv_pid" 2>/dev/null
    fi
    # Anything else still running inside the chroot (found by its root folder, nothing else) is ended too.
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
    done
    for m in "$root/dev/pts" "$root/dev" "$root/proc"; do
        mountpoint -q "$m" 2>/dev/null && { umount "$m" || umount -l "$m"; }
    done
    if grep -qF " $root/" /proc/self/mounts; then
        echo "test-deb: something is still mounted under $root: not removing it" >&2
    elif [ "${PIMSCOPE_DEB_KEEP:-}" = 1 ]; then
        echo "test-deb: kept the chroot at $root"
    else
        rm -rf --one-file-system "$root"
    fi
}
trap 'set +e; cleanup' EXIT
trap 'exit 130' INT TERM

# A clean environment inside the chroot: HOME, PATH, a UTF-8 locale. chroot and env exec, so `"${in_root[@]}" cmd &`
# gives cmd's own pid in $! (a shell function would run in a subshell of its own).
in_root=(chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 TERM=dumb
         PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive)
in_root() { "${in_root[@]}" "$@"; }

phase "debootstrap minbase $suite"
bootstrap_cache=()
if [ -n "$cache" ]; then
    mkdir -p "$cache/debootstrap" "$cache/apt"
    bootstrap_cache=(--cache-dir="$(realpath "$cache/debootstrap")")
fi
timeout -k 10 900 debootstrap --variant=minbase "${bootstrap_cache[@]}" "$suite" "$root" "$mirror" > "$root.debootstrap.log" 2>&1 \
    || { tail -30 "$root.debootstrap.log" >&2; rm -f "$root.debootstrap.log"; die "debootstrap failed"; }
rm -f "$root.debootstrap.log"

phase "apt-get update"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# A user's system: the release, its updates and security.
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
# Services of the dependencies (dbus...) are not started inside a chroot.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
in_root timeout -k 10 300 apt-get update -qq

phase "apt-get install ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
[ -z "$cache" ] || find "$cache/apt" -maxdepth 1 -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} +
# Depends only (no Recommends): what the package declares as required must be enough.
recommends=--no-install-recommends
[ "${PIMSCOPE_DEB_RECOMMENDS:-}" != 1 ] || recommends=
in_root timeout -k 10 900 apt-get install -y -q $recommends "/tmp/$(basename "$deb")" > "$root/tmp/apt-install.log" 2>&1 \
    || { tail -40 "$root/tmp/apt-install.log" >&2; die "apt-get install failed"; }
grep -E '^(Need to get|After this operation|[0-9]+ upgraded)' "$root/tmp/apt-install.log" | sed 's/^/test-deb:   /'
[ -z "$cache" ] || find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$cache/apt/" {} +
# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
in_root dpkg-query -W -f='${Status} ${Version}\n' pimscope | grep -q '^install ok installed' || die "pimscope is not installed"

phase "pimscope --version"
missing=$(in_root ldd /usr/bin/pimscope | grep 'not found' || true)
[ -z "$missing" ] || die "libraries not found: $missing"
version=$(in_root pimscope --version) || die "pimscope --version failed"
echo "test-deb:   $version"
expected=${package_version%%-*} # the upstream version, without the package's revision
case "$version" in "pimscope $expected "*) ;; *) die "--version does not say $expected: $version" ;; esac
# Built for the release it is installed on: its revision names it (1~deb12 here).
release=$(. "$root/etc/os-release" && echo "deb$VERSION_ID")
case "$package_version" in *"~$release") ;; *) die "package version $package_version is not one for $release" ;; esac
echo "test-deb:   package $package_version, for $release"
for f in /usr/share/applications/io.github.pimscope.Pimscope.desktop /usr/share/metainfo/io.github.pimscope.Pimscope.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/io.github.pimscope.Pimscope.svg \
         /usr/share/icons/hicolor/48x48/apps/io.github.pimscope.Pimscope.png \
         /usr/lib/systemd/system/pimscope-receive.service /usr/lib/systemd/system/pimscope-prune.timer \
         /usr/share/doc/pimscope/SERVER.md; do
    [ -f "$root$f" ] || die "not installed: $f"
done
# The server's units are shipped disabled: nothing enabled them.
enabled=$(find "$root/etc/systemd/system" -name 'pimscope-*' 2>/dev/null || true)
[ -z "$enabled" ] || die "the package enabled a unit: $enabled"

phase "window starts (offscreen, 3 s)"
# The window (and its receiver on a free port) must come up and stay up: Qt's platform plugin and the QSQLITE driver
# load, nothing aborts. `timeout` ends it (status 124).
rc=0
in_root env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp timeout 3 pimscope --db /root/window.db \
    --listen 127.0.0.1:0 > "$root/tmp/window.log" 2>&1 || rc=$?
[ "$rc" = 124 ] || { cat "$root/tmp/window.log" >&2; die "the window exited with status $rc within 3 s"; }

phase "window picture (offscreen)"
# The window draws with the fonts and styles the package brought, the log's deliveries in its tables (imported
# before the picture is taken): its picture, for a person to look at.
cp "$log" "$root/tmp/events.log"
in_root env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp timeout -k 5 60 pimscope --db /root/window.db \
    --listen 127.0.0.1:0 --screenshot /tmp/window.png /tmp/events.log > "$root/tmp/window.log" 2>&1 \
    || { cat "$root/tmp/window.log" >&2; die "the window could not save its picture"; }
picture=$(file -b "$root/tmp/window.png")
case "$picture" in "PNG image data, "*) ;; *) die "the window's picture is not a PNG: $picture" ;; esac
cp "$root/tmp/window.png" "$screenshot"
echo "test-deb:   $picture: $screenshot"

phase "receive + POST + export round trip"
# The files exist before the receiver starts: the background job opens its redirections only once it runs, and the
# loop below must not race it. `timeout` bounds the receiver's life whatever happens to this script.
: > "$root/tmp/receive.out"
: > "$root/tmp/receive.err"
"${in_root[@]}" timeout -k 5 120 pimscope receive --db /root/capture.db --listen 127.0.0.1:0 \
    > "$root/tmp/receive.out" 2> "$root/tmp/receive.err" &
recv_pid=$!
url=
for _ in $(seq 100); do
    url=$(sed -n 's#^Listening on \(http://127\.0\.0\.1:[0-9]*/\)$#\1#p' "$root/tmp/receive.out" || true)
    [ -n "$url" ] && break
    kill -0 "$recv_pid" 2>/dev/null || { cat "$root/tmp/receive.err" >&2; die "pimscope receive exited"; }
    sleep 0.1
done
[ -n "$url" ] || die "pimscope receive did not listen within 10 s"
# The chroot shares the host's network: POST from the host.
status=$(curl -sS --max-time 30 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$sample" "$url") \
    || die "POST to $url failed"
case "$status" in 2??) ;; *) die "POST answered $status" ;; esac
kill -TERM "$recv_pid"
for _ in $(seq 100); do kill -0 "$recv_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$recv_pid" 2>/dev/null && die "pimscope receive did not stop within 10 s of SIGTERM"
wait "$recv_pid" || die "pimscope receive did not stop cleanly on SIGTERM"
recv_pid=
grep -q ' akeneo 10 events ' "$root/tmp/receive.out" || { cat "$root/tmp/receive.out" >&2; die "the receiver did not log 10 events"; }
in_root timeout -k 5 60 pimscope export --db /root/capture.db --format jsonl > "$root/tmp/export.jsonl" 2> "$root/tmp/export.err" \
    || { cat "$root/tmp/export.err" >&2; die "pimscope export failed"; }
lines=$(wc -l < "$root/tmp/export.jsonl")
[ "$lines" = 10 ] || die "export wrote $lines lines, not the 10 events of the batch"
ids() { grep -o '"event_id": *"[^"]*"' "$1" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u; }
[ "$(ids "$sample" | wc -l)" = 10 ] || die "the sample does not hold 10 event ids"
[ "$(ids "$sample")" = "$(ids "$root/tmp/export.jsonl")" ] || die "the exported event ids differ from the sample's"
grep -q '"event_id":"3f6c2a8e-9b1d-4c57-a0e2-6d4b9f1e7a21"' "$root/tmp/export.jsonl" || die "first event missing"
[ "$(grep -c '"origin":"receiver","format":"akeneo"' "$root/tmp/export.jsonl")" = 10 ] || die "not 10 akeneo events"
echo "test-deb:   $status from $url, 10 events exported"

phase "log import + export round trip"
# The log a PIM lets the user download: imported, judged, and written back as the same lines (the log's own time
# format and JSON escapes, through this release's Qt).
in_root timeout -k 5 60 pimscope import --db /root/import.db /tmp/events.log > "$root/tmp/import.out" 2> "$root/tmp/import.err" \
    || { cat "$root/tmp/import.out" "$root/tmp/import.err" >&2; die "pimscope import failed"; }
grep -q '^events.log: 35 lines (35 added, 0 imported before), 110 events$' "$root/tmp/import.out" \
    || { cat "$root/tmp/import.out" >&2; die "the import did not read the 35 lines and 110 events of the log"; }
grep -q "by message: request_sent 14, endpoint_error 8, timeout 4, rate_limit 3" "$root/tmp/import.out" && grep -q "^  errors: 12," "$root/tmp/import.out" \
    || { cat "$root/tmp/import.out" >&2; die "the import did not classify the log's lines as on the build machine"; }
in_root timeout -k 5 60 pimscope export --db /root/import.db --what deliveries --format akeneo-log > "$root/tmp/export.log" \
    2> "$root/tmp/export.err" || { cat "$root/tmp/export.err" >&2; die "pimscope export --format akeneo-log failed"; }
cmp -s "$log" "$root/tmp/export.log" || die "the imported log does not export back to the same bytes"
echo "test-deb:   35 log lines imported (12 errors found) and exported back identical"

phase "unmount and remove the chroot"
trap - EXIT
cleanup
phase "done"
awk -v d="$(basename "$deb")" -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "test-deb: PASS %s in %.0f s\n", d, e - s }'
