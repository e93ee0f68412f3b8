// The connection's colour as a dot that breathes while something is in progress.
import QtQuick
import Pulseboard

Rectangle {
    id: dot
    property string severity: "idle"
    property bool pulsing: severity === "warn"
    width: 12
    height: 12
    radius: 6
    color: Theme.severityColor(severity)
    onPulsingChanged: if (!pulsing) opacity = 1
    SequentialAnimation on opacity {
        running: dot.pulsing
        loops: Animation.Infinite
        NumberAnimation { from: 1; to: 0.35; duration: 700; easing.type: Easing.InOutQuad }
        NumberAnimation { from: 0.35; to: 1; duration: 700; easing.type: Easing.InOutQuad }
    }
}
