// The header's Record button: records every source's messages to a file (DashboardRecording)
// until pressed again. Idle it reads "REC" with a hollow dot; recording, it turns red with the
// time recorded and the number of messages, so nobody forgets it is on. A recording that stopped
// on its own shows its reason in the tooltip (and as a toast, from the dashboard).
import QtQuick
import QtQuick.Controls
import Pulseboard
import "Format.js" as Format

AbstractButton {
    id: button
    // A DashboardRecording (or a stand-in with active, elapsedMs, messages, path, error, toggle()).
    property var recording: null
    // A kiosk has no controls: the button only shows a recording started with --record.
    property bool interactive: true
    readonly property bool active: recording !== null && recording.active

    visible: recording !== null && (interactive || active)
    enabled: interactive
    hoverEnabled: true
    focusPolicy: Qt.StrongFocus
    implicitHeight: 26
    leftPadding: 10
    rightPadding: 10
    Accessible.name: active ? "Stop recording" : "Record"
    onClicked: if (recording) recording.toggle()

    function clock(ms) {
        const s = Math.floor(ms / 1000)
        const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60
        const two = n => (n < 10 ? "0" : "") + n
        return (h > 0 ? h + ":" + two(m) : two(m)) + ":" + two(sec)
    }

    background: Rectangle {
        radius: 13
        color: button.active ? Theme.error
             : button.down ? Theme.border : button.hovered ? Theme.surfaceRaised : "transparent"
        border.width: button.visualFocus ? 2 : 1
        border.color: button.visualFocus ? Theme.accent : button.active ? Theme.error : Theme.borderStrong
    }
    contentItem: Row {
        spacing: 6
        Rectangle {
            anchors.verticalCenter: parent.verticalCenter
            width: 10; height: 10; radius: 5
            color: button.active ? Theme.background : "transparent"
            border.width: button.active ? 0 : 2
            border.color: button.recording && button.recording.error.length > 0 ? Theme.warn : Theme.error
        }
        Text {
            objectName: "recordText"
            anchors.verticalCenter: parent.verticalCenter
            text: button.active
                  ? "REC " + button.clock(button.recording.elapsedMs) + " \u00b7 " + Format.count(button.recording.messages)
                  : "REC"
            color: button.active ? Theme.background : Theme.textDim
            font.family: Theme.fontFamily
            font.pixelSize: 11
            font.weight: Font.Bold
            font.letterSpacing: 0.6
        }
    }
    ToolTip.visible: hovered
    ToolTip.delay: 500
    ToolTip.text: !recording ? ""
                : active ? "Recording every source to " + recording.path + "\nClick to stop"
                : recording.error.length > 0 ? "The last recording stopped: " + recording.error + "\nClick to record again"
                : recording.path.length > 0 ? "Last recording: " + recording.path + "\nClick to record every source to a new file"
                : "Record every source's messages to a file (replay it with pulseboard-hub --replay)"
}
