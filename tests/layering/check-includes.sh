#!/usr/bin/env bash
# tst_layering_includes: no file of a layer names a header of a layer it must not see
# (docs/ARCHITECTURE.md). The compiler enforces the rule already (tst_layering_compile); this is the
# cheap second guard, and it also refuses includes that climb out of a folder with "../".
# Usage: check-includes.sh LIB_DIR
set -euo pipefail
lib=$1
fail=0
include='^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]'
check() { # layer, the layers it must not include (an extended regex)
  local layer=$1 forbidden=$2 files hits
  files=$(grep -rlE "$include" "$lib/$layer" --include='*.h' --include='*.cpp' | wc -l)
  if [ "$files" -eq 0 ]; then
    echo "FAIL: no file with an #include under $lib/$layer"
    fail=1
    return
  fi
  hits=$(grep -rnE "${include}($forbidden)/" "$lib/$layer" --include='*.h' --include='*.cpp' || true)
  if [ -n "$hits" ]; then
    echo "FAIL: lib/$layer includes a header of $forbidden:"
    echo "$hits"
    fail=1
  else
    echo "ok: lib/$layer ($files files) includes nothing of $forbidden"
  fi
}
check protocol 'client|alerts|hub|dashboard|util'
check client 'alerts|hub|dashboard|util'
check alerts 'hub|dashboard|util'
check hub 'client|alerts|dashboard|util'
check util 'protocol|client|hub|dashboard'
climbs=$(grep -rnE "${include}[^\">]*\.\./" "$lib" --include='*.h' --include='*.cpp' || true)
if [ -n "$climbs" ]; then
  echo "FAIL: includes that climb out of a folder (name the layer instead):"
  echo "$climbs"
  fail=1
fi
# Inside the dashboard: servers/ sees only the DashboardConfig value of shell/, and the Dashboard
# never sees the switcher (DashboardSession wires the two).
backwards=$(grep -rnE "${include}dashboard/shell/" "$lib/dashboard/servers" --include='*.h' --include='*.cpp' \
  | grep -v 'dashboard/shell/DashboardConfig\.h' || true)
knows=$(grep -nE "${include}(dashboard/servers/)?(ServerSwitcher|EmbeddedHub|ProfileStore)\.h" \
  "$lib/dashboard/shell/Dashboard.h" "$lib/dashboard/shell/Dashboard.cpp" || true)
if [ -n "$backwards$knows" ]; then
  echo "FAIL: lib/dashboard/servers and the Dashboard must not know each other:"
  echo "$backwards$knows"
  fail=1
else
  echo "ok: lib/dashboard/servers knows no Dashboard, the Dashboard no switcher"
fi
if [ -e "$lib/models" ]; then
  echo "FAIL: $lib/models is back (the dashboard's sources live in lib/dashboard)"
  fail=1
fi
exit $fail
