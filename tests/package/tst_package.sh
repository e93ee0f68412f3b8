#!/usr/bin/env bash
# Installs the build with `cmake --install` into a scratch root (prefix /usr/local) and packages it
# with `cpack -G DEB` (prefix /usr), unpacks the .deb into another scratch root, and checks both:
# the files are where the desktop, man and systemd expect them, the installed programs run from
# there with no build tree (version, help, a hub serving a client, a dashboard screenshot), the
# .deb depends on runtime packages only, the desktop entries validate, the units verify.
# Usage: tst_package.sh BUILD_DIR VERSION
set -uo pipefail
build=$(cd "$1" && pwd) version=$2
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tst_package.XXXXXX")
hub_pid=
cleanup() { [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT
# Nothing of the build tree or the user's session may help the installed programs.
unset QML_IMPORT_PATH QML2_IMPORT_PATH QT_PLUGIN_PATH LD_LIBRARY_PATH
export HOME=$scratch/home XDG_CONFIG_HOME=$scratch/home/.config XDG_DATA_HOME=$scratch/home/.local/share
export XDG_CACHE_HOME=$scratch/home/.cache XDG_RUNTIME_DIR=$scratch/runtime QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME" && mkdir -m 0700 "$XDG_RUNTIME_DIR"
cd "$scratch" || exit 1

# --- cmake --install ---
if DESTDIR=$scratch/install cmake --install "$build" --prefix /usr/local >"$scratch/install.log" 2>&1; then
  pass "cmake --install --prefix /usr/local into a DESTDIR"
else
  cat "$scratch/install.log"; fail "cmake --install"; finish
fi

# --- cpack -G DEB, dpkg -x ---
# In a Unix Makefiles build CPack first runs `make preinstall`, i.e. builds everything again, under
# the other tests ctest runs meanwhile. This test packages what is built: naming a generator that
# has no preinstall step skips that build (the install itself does not depend on the generator).
if cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/cpack" -D CPACK_CMAKE_GENERATOR=Ninja \
     >"$scratch/cpack.log" 2>&1; then
  pass "cpack -G DEB"
else
  cat "$scratch/cpack.log"; fail "cpack -G DEB"; finish
fi
debs=("$scratch"/cpack/pulseboard_"$version"-1_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  ls -l "$scratch/cpack"; fail "one pulseboard_${version}-1_ARCH.deb"; finish
fi
deb=${debs[0]}
pass "built $(basename "$deb") ($(( $(stat -c %s "$deb") / 1024 )) KiB)"
dpkg-deb -I "$deb" | sed 's/^/  /'
check "dpkg -x" dpkg -x "$deb" "$scratch/deb"

field() { dpkg-deb -f "$deb" "$1"; }
check "Package: pulseboard" test "$(field Package)" = pulseboard
check "Version: $version-1" test "$(field Version)" = "$version-1"
depends=$(field Depends)
echo "  Depends: $depends"
deps_list=$(tr ',|' '\n\n' <<<"$depends" | sed -E 's/^ +//; s/ .*//' | sort -u)
dev=$(grep -E -- '-dev$|-dev:' <<<"$deps_list" | tr '\n' ' ')
check "Depends names no -dev package${dev:+ (has: $dev)}" test -z "$dev"
lacking=()
for p in libqt6core6 libqt6websockets6 libqt6gui6 libqt6qml6 libqt6quick6 libhiredis0.14 libsimdjson14 \
         libc6 qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts \
         qml6-module-qtquick-window qml6-module-qtquick-templates qml6-module-qtqml-workerscript \
         qml6-module-qtquick-dialogs qml6-module-qt-labs-folderlistmodel; do
  grep -qxF "$p" <<<"$deps_list" || lacking+=("$p")
done
check "Depends lists the Qt, hiredis, simdjson libraries and the QML modules${lacking:+ (lacks: ${lacking[*]})}" \
  test ${#lacking[@]} -eq 0
outside=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -vE '^\./(usr(/.*)?)?$' | head -5)
check "every file of the .deb is under /usr${outside:+ (not: $outside)}" test -z "$outside"
check "dpkg-deb -c lists the three programs" \
  test "$(dpkg-deb -c "$deb" | grep -cE ' \./usr/bin/pulseboard(-cli|-hub)?$')" -eq 3

# --- both roots ---
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print ($1*16777216+$2*65536+$3*256+$4) "x" ($5*16777216+$6*65536+$7*256+$8)}'; }
check_root() {
  local name=$1 prefix=$2 bindir=$2/bin data=$2/share
  echo "--- $name: ${prefix#"$scratch"/} ---"
  local f missing=()
  for f in bin/pulseboard bin/pulseboard-cli bin/pulseboard-hub share/applications/pulseboard.desktop \
           share/icons/hicolor/scalable/apps/pulseboard.svg share/man/man1/pulseboard.1 \
           share/man/man1/pulseboard-cli.1 share/man/man1/pulseboard-hub.1 lib/systemd/system/pulseboard-hub.service \
           lib/systemd/user/pulseboard-kiosk.service share/pulseboard/autostart/pulseboard-kiosk.desktop; do
    [ -f "$prefix/$f" ] || missing+=("$f")
  done
  check "$name: programs, desktop entry, icon, man pages, units installed${missing:+ (missing: ${missing[*]})}" \
    test ${#missing[@]} -eq 0
  local size bad=()
  for size in 16 32 48 64 128 256; do
    f=$data/icons/hicolor/${size}x${size}/apps/pulseboard.png
    [ -f "$f" ] && [ "$(png_size "$f")" = "${size}x${size}" ] || bad+=("$size")
  done
  check "$name: PNG icons of 16-256 px, each of its size${bad:+ (wrong: ${bad[*]})}" test ${#bad[@]} -eq 0

  local program out
  for program in pulseboard pulseboard-cli pulseboard-hub; do
    out=$(timeout 20 "$bindir/$program" --version 2>&1)
    check "$name: $program --version says '$program $version' (got '$out')" test "$out" = "$program $version"
    out=$(readelf -d "$bindir/$program" 2>&1 | grep -E 'RPATH|RUNPATH')
    check "$name: $program has no RPATH/RUNPATH${out:+ ($out)}" test -z "$out"
  done
  out=$(timeout 20 "$bindir/pulseboard-hub" --help 2>&1)
  check "$name: pulseboard-hub --help shows --tokens-file, --port, --redis, --health-port" \
    bash -c 'for f in --tokens-file --port --redis --health-port; do grep -qE -- "^  $f " <<<"$1" || exit 1; done' _ "$out"
  out=$(timeout 20 "$bindir/pulseboard" --help 2>&1)
  check "$name: pulseboard --help shows --kiosk, --url, --config" \
    bash -c 'for f in --kiosk --url --config; do grep -qE -- "^  $f " <<<"$1" || exit 1; done' _ "$out"
  out=$(timeout 20 "$bindir/pulseboard-cli" --help 2>&1)
  check "$name: pulseboard-cli --help shows --url, --subscribe, --count" \
    bash -c 'for f in --url --subscribe --count; do grep -qE -- "^  $f " <<<"$1" || exit 1; done' _ "$out"

  # The installed hub serves the installed client.
  local hub_out=$scratch/$name-hub.out url=
  "$bindir/pulseboard-hub" --port 0 --feeds demo.wave >"$hub_out" 2>"$scratch/$name-hub.err" &
  hub_pid=$!
  for _ in $(seq 100); do
    url=$(sed -n '1s/^listening on //p' "$hub_out")
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -n "$url" ]; then
    out=$(timeout 20 "$bindir/pulseboard-cli" --url "$url" --subscribe demo.wave --count 3 </dev/null 2>&1)
    check "$name: pulseboard-cli got 3 demo.wave messages from pulseboard-hub at $url" \
      test "$(grep -F '"event":"message"' <<<"$out" | grep -cF '"channel":"demo.wave"')" -eq 3
  else
    cat "$scratch/$name-hub.err"; fail "$name: pulseboard-hub did not say where it listens"
  fi
  kill "$hub_pid" 2>/dev/null; wait "$hub_pid" 2>/dev/null; hub_pid=

  # Unit files: the hub's ExecStart names the installed binary with flags the hub has.
  local unit=$prefix/lib/systemd/system/pulseboard-hub.service kiosk=$prefix/lib/systemd/user/pulseboard-kiosk.service
  local installed=${prefix#"$scratch"/install} exec
  installed=${installed#"$scratch"/deb}
  # ExecStart may go on over lines ending in a backslash (systemd joins them): read it whole.
  exec=$(sed -e ':a' -e '/\\$/N' -e 's/\\\n//' -e 'ta' "$unit" | sed -n 's/^ExecStart=//p')
  check "$name: hub unit runs $installed/bin/pulseboard-hub (ExecStart=$exec)" test "${exec%% *}" = "$installed/bin/pulseboard-hub"
  local hubflags unknown=()
  hubflags=$(timeout 20 "$bindir/pulseboard-hub" --help | sed -nE 's/^  (-[[:alnum:]], )?(--[[:alnum:]-]+).*/\2/p')
  for f in $(grep -oE -- '--[[:alnum:]-]+' <<<"$exec"); do grep -qxF -- "$f" <<<"$hubflags" || unknown+=("$f"); done
  check "$name: hub unit's flags are the hub's${unknown:+ (unknown: ${unknown[*]})}" test ${#unknown[@]} -eq 0
  check "$name: hub unit: --tokens-file from /etc/pulseboard/tokens, Restart=on-failure, DynamicUser, ProtectSystem=strict" \
    bash -c 'grep -qx "LoadCredential=tokens:/etc/pulseboard/tokens" "$1" && grep -q -- "--tokens-file %d/tokens" "$1" &&
             grep -qx "Restart=on-failure" "$1" && grep -qx "DynamicUser=yes" "$1" && grep -qx "ProtectSystem=strict" "$1" &&
             grep -qx "NoNewPrivileges=yes" "$1" && grep -qx "ProtectHome=yes" "$1" && grep -qx "PrivateTmp=yes" "$1"' _ "$unit"
  check "$name: kiosk user unit runs $installed/bin/pulseboard --kiosk, Restart=always" \
    bash -c 'grep -qx "ExecStart=$2/bin/pulseboard --kiosk" "$1" && grep -qx "Restart=always" "$1"' _ "$kiosk" "$installed"
}
check_root install "$scratch/install/usr/local"
check_root deb "$scratch/deb/usr"

# --- the shipped dashboard draws from the unpacked .deb alone (its QML module is linked in) ---
echo "--- deb: dashboard ---"
if out=$(timeout 60 "$scratch/deb/usr/bin/pulseboard" --no-settings --screenshot "$scratch/shot.png" --geometry 800x600 2>&1) &&
   [ "$(png_size "$scratch/shot.png" 2>/dev/null)" = 800x600 ] &&
   grep -qE '"state": *"open"' "$scratch/shot.png.json" && grep -qE '"live": *true' "$scratch/shot.png.json"; then
  pass "pulseboard from the .deb drew live charts of its embedded hub (800x600 screenshot, state open)"
else
  echo "$out" | tail -20; fail "pulseboard from the .deb did not take its screenshot"
fi

# --- desktop entries ---
if command -v desktop-file-validate >/dev/null; then
  for f in "$scratch/deb/usr/share/applications/pulseboard.desktop" \
           "$scratch/deb/usr/share/pulseboard/autostart/pulseboard-kiosk.desktop"; do
    out=$(desktop-file-validate "$f" 2>&1)
    check "desktop-file-validate $(basename "$f")${out:+: $out}" test -z "$out"
  done
  check "pulseboard.desktop: Exec=pulseboard, Icon=pulseboard" \
    bash -c 'grep -qx "Exec=pulseboard" "$1" && grep -qx "Icon=pulseboard" "$1"' _ "$scratch/deb/usr/share/applications/pulseboard.desktop"
else
  fail "desktop-file-validate is missing (Debian desktop-file-utils, in scripts/deps.sh)"
fi

# --- systemd units ---
# `verify` wants ExecStart's binary to exist: check copies that point into the unpacked .deb, and
# let it look the Documentation= man pages up in the .deb's too (where man is installed).
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$scratch/units"
  for unit in system/pulseboard-hub user/pulseboard-kiosk; do
    copy=$scratch/units/${unit#*/}.service
    sed "s#^ExecStart=/usr/bin/#ExecStart=$scratch/deb/usr/bin/#" "$scratch/deb/usr/lib/systemd/$unit.service" >"$copy"
    scope=(); [ "${unit%%/*}" = user ] && scope=(--user)
    man=(); command -v man >/dev/null || man=(--man=no)
    out=$(MANPATH=$scratch/deb/usr/share/man systemd-analyze "${scope[@]}" verify "${man[@]}" "$copy" 2>&1)
    rc=$?
    ours=$(grep -F "$(basename "$copy")" <<<"$out")
    check "systemd-analyze ${scope[*]:+${scope[*]} }verify ${unit#*/}.service${ours:+: $ours}" test $rc -eq 0 -a -z "$ours"
  done
else
  echo "SKIP: systemd-analyze is not installed (Debian systemd): the units were not verified"
fi

finish
