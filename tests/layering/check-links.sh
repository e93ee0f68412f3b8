#!/usr/bin/env bash
# tst_layering_links: the headless programs link no Qt Quick, Qt Qml or Qt Charts library.
# Usage: check-links.sh DASHBOARD HEADLESS_PROGRAM...
# The dashboard is the control: it must show those libraries, so that a change in ldd's output
# or in Qt's library names cannot let the check pass by matching nothing.
set -euo pipefail
forbidden='libQt6(Quick|Qml|Charts)[A-Za-z0-9]*\.so'
dashboard=$1
shift
[ $# -gt 0 ] || { echo "FAIL: no headless program given"; exit 1; }
fail=0
# (ldd's output is read whole: grep -q stopping early would kill ldd with SIGPIPE under pipefail.)
control=$(ldd "$dashboard")
if grep -Eq "$forbidden" <<<"$control"; then
  echo "ok: control: $(basename "$dashboard") links Qt Quick/Qml/Charts"
else
  echo "FAIL: control: ldd shows no Qt Quick/Qml/Charts for $dashboard"
  fail=1
fi
for program in "$@"; do
  out=$(ldd "$program")
  name=$(basename "$program")
  if ! grep -q 'libQt6Core\.so' <<<"$out"; then
    echo "FAIL: ldd shows no libQt6Core for $program:"
    echo "$out"
    fail=1
  elif bad=$(grep -E "$forbidden" <<<"$out"); then
    echo "FAIL: $name links what a headless program must not:"
    echo "$bad"
    fail=1
  else
    echo "ok: $name: $(grep -Eo 'libQt6[A-Za-z0-9]+' <<<"$out" | sort -u | tr '\n' ' ')"
  fi
done
exit $fail
