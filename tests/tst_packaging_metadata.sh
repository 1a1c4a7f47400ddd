#!/bin/sh
# The desktop metadata is valid and agrees with itself once installed:
# - desktop-file-validate passes on the .desktop file and appstreamcli validate (--pedantic --no-net) on the metainfo,
#   and both refuse a broken copy (so a validator that says yes to anything cannot make this test pass);
# - installed (cmake --install into a temporary folder), one id names everything: the desktop file, its Icon=, every
#   hicolor icon (SVG plus the PNG sizes, each PNG as large as its folder says), the metainfo file, its <id> and
#   <launchable>; Exec= and <provides><binary> name the installed program;
# - the server's systemd units are installed and systemd-analyze verify passes on them (and refuses a broken copy).
# Usage: tst_packaging_metadata.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$2
id=io.github.pimscope.Pimscope
sizes="16 24 32 48 64 128 256 512"
desktop=$src/packaging/linux/$id.desktop
metainfo=$src/packaging/linux/$id.metainfo.xml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pimscope-packaging.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (.ci/install-deps installs it)"
done

# desktop-file-validate exits non-zero on errors; its warnings fail here too (hints are only shown).
validate_desktop() {
    out=$(desktop-file-validate "$1" 2>&1) || { echo "$out"; return 1; }
    [ -z "$out" ] || echo "$out"
    ! printf '%s\n' "$out" | grep -q -E ': (error|warning): '
}
# appstreamcli exits non-zero on errors and warnings; infos and pedantic notes are only shown.
validate_metainfo() {
    appstreamcli validate --pedantic --no-net --no-color "$1"
}

echo "== desktop-file-validate $desktop"
validate_desktop "$desktop" || fail "desktop-file-validate: $desktop"
echo "== appstreamcli validate --pedantic --no-net $metainfo"
validate_metainfo "$metainfo" || fail "appstreamcli validate: $metainfo"

# The validators must say no to broken copies.
sed 's/^Type=Application$/Type=Bogus/' "$desktop" > "$tmp/broken.desktop"
! validate_desktop "$tmp/broken.desktop" >/dev/null 2>&1 || fail "desktop-file-validate accepted Type=Bogus"
grep -v '<summary>' "$metainfo" > "$tmp/broken.metainfo.xml"
! validate_metainfo "$tmp/broken.metainfo.xml" >/dev/null 2>&1 || fail "appstreamcli accepted a component without summary"

echo "== installed layout (cmake --install $build)"
DESTDIR=$tmp/root cmake --install "$build" --prefix /usr >/dev/null || fail "cmake --install $build"
usr=$tmp/root/usr
installed_desktop=$usr/share/applications/$id.desktop
installed_metainfo=$usr/share/metainfo/$id.metainfo.xml
[ -f "$installed_desktop" ] || fail "not installed: share/applications/$id.desktop"
[ -f "$installed_metainfo" ] || fail "not installed: share/metainfo/$id.metainfo.xml"
validate_desktop "$installed_desktop" >/dev/null || fail "the installed desktop file does not validate"
validate_metainfo "$installed_metainfo" >/dev/null || fail "the installed metainfo does not validate"

key() { sed -n "s/^$1=//p" "$installed_desktop"; }
icon=$(key Icon)
[ "$icon" = "$id" ] || fail "desktop Icon=$icon, not $id"
[ -f "$usr/share/icons/hicolor/scalable/apps/$icon.svg" ] || fail "no scalable icon named $icon.svg"
png_size() {   # width and height from the IHDR chunk
    od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }'
}
for n in $sizes; do
    png=$usr/share/icons/hicolor/${n}x${n}/apps/$icon.png
    [ -f "$png" ] || fail "no ${n}x${n} icon named $icon.png"
    [ "$(od -An -c -j1 -N3 "$png" | tr -d ' ')" = PNG ] || fail "$png is not a PNG"
    [ "$(png_size "$png")" = "${n}x${n}" ] || fail "$png is $(png_size "$png"), not ${n}x${n}"
done
stray=$(find "$usr/share/icons" -type f ! -name "$id.png" ! -name "$id.svg")
[ -z "$stray" ] || fail "icons not named after the id: $stray"

exec_bin=$(key Exec | cut -d' ' -f1)
[ -x "$usr/bin/$exec_bin" ] || fail "desktop Exec=$exec_bin is not an installed program"

tag() { sed -n "s:.*<$1[^>]*>\([^<]*\)</$1>.*:\1:p" "$installed_metainfo"; }
[ "$(tag id)" = "$id" ] || fail "metainfo <id> is $(tag id), not $id"
[ "$(tag launchable)" = "$(basename "$installed_desktop")" ] || fail "metainfo <launchable> $(tag launchable) is not $id.desktop"
[ "$(tag binary)" = "$exec_bin" ] || fail "metainfo <provides><binary> $(tag binary) is not $exec_bin"
[ -x "$usr/bin/$(tag binary)" ] || fail "metainfo binary $(tag binary) is not installed"

# The server's systemd units (docs/SERVER.md): installed, and valid as systemd reads them (their ExecStart= the
# installed program); systemd-analyze must refuse a broken copy.
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed (.ci/install-deps installs systemd)"
units="pimscope-receive.service pimscope-prune.service pimscope-prune.timer"
mkdir -p "$tmp/units"
for unit in $units; do
    [ -f "$usr/lib/systemd/system/$unit" ] || fail "not installed: lib/systemd/system/$unit"
    sed "s|/usr/bin/pimscope|$usr/bin/pimscope|" "$usr/lib/systemd/system/$unit" > "$tmp/units/$unit"
done
[ -f "$usr/share/doc/pimscope/SERVER.md" ] || fail "not installed: share/doc/pimscope/SERVER.md"
echo "== systemd-analyze verify $units"
(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no $units) || fail "systemd-analyze verify"
sed 's/^ExecStart=/ExecStrat=/' "$tmp/units/pimscope-receive.service" > "$tmp/units/broken.service"
! (cd "$tmp/units" && systemd-analyze verify --man=no broken.service) >/dev/null 2>&1 \
    || fail "systemd-analyze accepted a unit without ExecStart="

echo "packaging metadata OK: $id"
