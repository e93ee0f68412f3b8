#!/usr/bin/env bash
# tst_qmllint: qmllint finds nothing to say about any file of qml/.
# Usage: tst_qmllint.sh QMLLINT QML_SOURCE_DIR BUILD_QML_DIR QT_QML_DIR QRC...
# BUILD_QML_DIR holds the module Pulseboard as the build made it (qmldir and the .qmltypes of its
# C++ types), so the lint checks every property and call on Dashboard and its models; the .qrc
# files map each source file to its place in the module (qrc:/Pulseboard/X.qml), which is where
# the relative imports ("Format.js") resolve. --bare: only these import paths, never the
# machine's or the current directory's.
# Every category qmllint knows that matters here is an error, including unused imports, and any
# line it prints fails the test (an "Info:" today is tomorrow's bug), so the exit code alone
# cannot let a new warning through.
set -euo pipefail
qmllint=$1
sources=$(realpath "$2") buildQml=$(realpath "$3") qtQml=$(realpath "$4")
shift 4
[ -x "$qmllint" ] || { echo "FAIL: no qmllint at '$qmllint' (Debian: qt6-declarative-dev-tools)"; exit 1; }
[ -f "$buildQml/Pulseboard/qmldir" ] || { echo "FAIL: no module qmldir in $buildQml/Pulseboard (build first)"; exit 1; }
resources=()
for qrc in "$@"; do
  [ -f "$qrc" ] || { echo "FAIL: no resource file $qrc"; exit 1; }
  resources+=(--resource "$(realpath "$qrc")")
done
mapfile -t files < <(find "$sources" \( -name '*.qml' -o -name '*.js' \) | sort)
[ ${#files[@]} -gt 0 ] || { echo "FAIL: no QML files under $sources"; exit 1; }
# The control: a file with a known mistake must be reported, so that a lint that checks nothing
# (a wrong import path, a category switched off) cannot pass.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat >"$probe/Probe.qml" <<'QML'
import QtQuick
import Pulseboard
Item {
    required property Dashboard dashboard
    property int n: dashboard.noSuchProperty
}
QML
if probeOut=$("$qmllint" --bare -I "$buildQml" -I "$qtQml" "$probe/Probe.qml" 2>&1) || [ -z "$probeOut" ]; then
  echo "FAIL: control: qmllint accepted a read of Dashboard.noSuchProperty:"
  echo "$probeOut"
  exit 1
fi
echo "ok: control: qmllint reports an unknown Dashboard property"
set +e
out=$(cd "$probe" && "$qmllint" --bare -I "$buildQml" -I "$qtQml" "${resources[@]}" \
  --unused-imports warning --multiline-strings warning --deprecated warning \
  "${files[@]}" 2>&1)
rc=$?
set -e
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "FAIL: qmllint (exit code $rc) over ${#files[@]} files:"
  echo "$out"
  exit 1
fi
echo "ok: qmllint: ${#files[@]} files, nothing reported"
