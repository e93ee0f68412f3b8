#!/usr/bin/env bash
# Installs the Debian packages Pulseboard needs to build, test and run, only when some are missing.
# Every QML module the app loads at run time is listed by name, even when another package would
# pull it in as a recommendation (QtQuick.Dialogs' own file dialog needs Qt.labs.folderlistmodel).
set -euo pipefail
PACKAGES=(
  cmake g++ ninja-build ccache pkg-config
  qt6-base-dev qt6-websockets-dev qt6-declarative-dev qt6-declarative-dev-tools
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-window qml6-module-qtqml-workerscript qml6-module-qtquick-templates
  qml6-module-qttest qml6-module-qtquick-shapes qml6-module-qtquick-dialogs qml6-module-qtqml
  qml6-module-qt-labs-folderlistmodel
  qt6-qpa-plugins libgl-dev
  xvfb xauth redis-server libhiredis-dev libsimdjson-dev libsqlite3-dev openssl
  clang libclang-rt-14-dev
  dpkg-dev desktop-file-utils systemd
  dbus-daemon
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
