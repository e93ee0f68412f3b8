# CPack: `cpack -G DEB` in the build folder packages what `cmake --install` installs (under /usr)
# as pulseboard_<version>-<release>_<arch>.deb. Included from the top-level CMakeLists.txt, last.
set(CPACK_PACKAGE_NAME pulseboard)
set(CPACK_PACKAGE_VENDOR "Pulseboard")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "Pulseboard maintainers <maintainers@pulseboard.invalid>")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The build is RelWithDebInfo: without stripping the .deb carries ~100 MB of debug info.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# The long description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY above it as the first line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Pulseboard charts live channels of a WebSocket server as they arrive and is
honest about the connection: it notices a dead link within one heartbeat, reconnects
with jittered backoff, resumes every channel without gaps and never loses a command
sent while offline.

This package holds the dashboard (pulseboard), the hub server (pulseboard-hub, with a
systemd unit) and a headless client that prints JSON Lines (pulseboard-cli).")
# The shared libraries the programs link (Qt, hiredis, simdjson, ...) are found by
# dpkg-shlibdeps (dpkg-dev). What the dashboard loads only at run time is listed by hand:
# the QML modules its QML imports, and the ones those import (the Basic style of QtQuick.Controls
# uses QtQuick.Shapes; the file dialog of QtQuick.Dialogs, Qt.labs.folderlistmodel).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(PULSEBOARD_QML_RUNTIME_PACKAGES
    qml6-module-qtqml
    qml6-module-qtqml-workerscript
    qml6-module-qtquick
    qml6-module-qtquick-window
    qml6-module-qtquick-templates
    qml6-module-qtquick-controls
    qml6-module-qtquick-layouts
    qml6-module-qtquick-shapes
    qml6-module-qtquick-dialogs
    qml6-module-qt-labs-folderlistmodel)
list(JOIN PULSEBOARD_QML_RUNTIME_PACKAGES ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
# Wayland sessions: without qt6-wayland the dashboard runs on X11 (XWayland).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-server")

include(CPack)
