#!/usr/bin/env bash
# Renders the committed PNG icons from pulseboard.svg (run after editing the SVG).
# Needs rsvg-convert (Debian librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 32 48 64 128 256; do
  rsvg-convert --width "$size" --height "$size" pulseboard.svg --output "pulseboard-$size.png"
done
