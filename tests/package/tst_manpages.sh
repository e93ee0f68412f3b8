#!/usr/bin/env bash
# Each man page names every long flag its program's --help prints, names no flag the program
# lacks, and carries the program's version: the pages cannot drift from the programs.
# Usage: tst_manpages.sh BIN_DIR MAN_DIR
set -uo pipefail
bin=$1 man=$2
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Long flags of the option lines of Qt's help ("  -h, --help  ..." / "  --url <URL>  ...").
help_flags() { sed -nE 's/^  (-[[:alnum:]], )?(--[[:alnum:]][[:alnum:]-]*).*/\2/p' | sort -u; }
# The roff source as text: \- is a hyphen, font changes dropped.
roff_text() { sed -E 's/\\-/-/g; s/\\f[BIRP]//g; s/\\f\(..//g' "$1"; }

for program in pulseboard pulseboard-cli pulseboard-hub; do
  page=$man/$program.1
  if [ ! -f "$page" ]; then fail "$page missing"; continue; fi
  if ! help=$(QT_QPA_PLATFORM=offscreen "$bin/$program" --help 2>&1); then
    fail "$program --help failed"; continue
  fi
  flags=$(help_flags <<<"$help")
  count=$(wc -l <<<"$flags")
  if [ "$count" -lt 5 ]; then fail "$program --help shows only $count long flags"; continue; fi
  text=$(roff_text "$page")
  missing=()
  for flag in $flags; do
    grep -qE -- "(^|[^[:alnum:]-])$flag([^[:alnum:]-]|\$)" <<<"$text" || missing+=("$flag")
  done
  if [ ${#missing[@]} -eq 0 ]; then pass "$program.1 names all $count flags of --help"
  else fail "$program.1 does not name: ${missing[*]}"; fi
  unknown=()
  for flag in $(grep -oE -- "(^|[^[:alnum:]-])--[[:alnum:]][[:alnum:]-]*" <<<"$text" | grep -oE -- "--.*" | sort -u); do
    grep -qxF -- "$flag" <<<"$flags" || unknown+=("$flag")
  done
  if [ ${#unknown[@]} -eq 0 ]; then pass "$program.1 names no flag that $program lacks"
  else fail "$program.1 names flags $program does not have: ${unknown[*]}"; fi
  version=$("$bin/$program" --version 2>&1 | sed -n '1s/.* //p')
  if grep -qE "^\.TH [^ ]+ 1 \"[^\"]*\" \"Pulseboard $version\"" "$page"; then pass "$program.1 is of version $version"
  else fail "$program.1 header does not say Pulseboard $version: $(head -1 "$page")"; fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
