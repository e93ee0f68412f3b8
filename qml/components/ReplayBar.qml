// The timeline of a replay (pulseboard --replay FILE), under the header: play and pause, the
// position as a slider (drag to scrub: it seeks where it is let go; the arrow keys step), the
// recording's wall-clock time there, the speed, and a jump to the next outage or gap of the
// recorded connection (each one a mark on the track). Everything it shows is the
// ReplayController's; it only asks it to move.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard

Rectangle {
    id: bar
    required property ReplayController replay
    // A 1000 px window keeps every control by giving up the file name and closing up.
    readonly property bool narrow: width < 1280
    // While the handle is held, the times follow it; the replay moves when it is let go.
    readonly property double shownMs: slider.pressed ? slider.value : replay.positionMs

    implicitHeight: 44
    color: Theme.surface
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
    // The replay's colour down the left edge, as the header's strip above it.
    Rectangle { width: 3; height: parent.height; color: Theme.replay }

    // 83 s -> "1:23", 3723 s -> "1:02:03".
    function clock(ms) {
        var s = Math.max(0, Math.floor(ms / 1000))
        var h = Math.floor(s / 3600)
        var m = Math.floor((s % 3600) / 60)
        var sec = s % 60
        var two = function(n) { return (n < 10 ? "0" : "") + n }
        return h > 0 ? h + ":" + two(m) + ":" + two(sec) : m + ":" + two(sec)
    }
    function speedLabel(v) {
        return (v < 1 ? ("" + v).replace(/^0/, "") : "" + v) + "\u00d7"
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: bar.narrow ? 14 : 20
        anchors.rightMargin: bar.narrow ? 14 : 20
        spacing: bar.narrow ? 10 : 14

        ThemeButton {
            objectName: "replayPlayPause"
            implicitHeight: 30
            Layout.preferredWidth: 92
            font.pixelSize: Theme.fontSmall
            text: bar.replay.playing ? "\u275a\u275a  Pause" : "\u25b6  Play"
            ToolTip.visible: hovered
            ToolTip.text: bar.replay.playing ? "Pause the replay: nothing more is published until Play"
                        : bar.replay.ended ? "Play the recording again from the beginning" : "Go on from here"
            onClicked: bar.replay.toggle()
        }
        Text {
            objectName: "replayPosition"
            text: bar.clock(bar.shownMs) + " / " + bar.clock(bar.replay.durationMs)
            color: Theme.text
            font.family: Theme.monoFamily
            font.pixelSize: Theme.fontSmall
        }
        Slider {
            id: slider
            objectName: "replaySlider"
            Layout.fillWidth: true
            Layout.minimumWidth: 120
            from: 0
            to: Math.max(1, bar.replay.durationMs)
            stepSize: 0
            focusPolicy: Qt.StrongFocus
            // Follows the replay except while the handle is held.
            Binding on value {
                when: !slider.pressed
                value: bar.replay.positionMs
                restoreMode: Binding.RestoreNone
            }
            onPressedChanged: if (!pressed) bar.replay.seek(value)
            // The arrow keys step 5 s (a drag seeks once, when let go).
            Keys.onLeftPressed: bar.replay.seek(bar.replay.positionMs - 5000)
            Keys.onRightPressed: bar.replay.seek(bar.replay.positionMs + 5000)

            background: Item {
                x: slider.leftPadding
                y: slider.topPadding + slider.availableHeight / 2 - height / 2
                width: slider.availableWidth
                height: 14
                Rectangle {
                    anchors.verticalCenter: parent.verticalCenter
                    width: parent.width
                    height: 4
                    radius: 2
                    color: Theme.border
                    Rectangle {
                        width: slider.visualPosition * parent.width
                        height: parent.height
                        radius: 2
                        color: Theme.replay
                    }
                }
                // Each recorded outage (its length, at least a tick) and gap, where it starts.
                Repeater {
                    model: bar.replay.gaps
                    delegate: Rectangle {
                        required property var modelData
                        x: Math.min(parent.width - width, modelData.positionMs / slider.to * parent.width)
                        width: Math.max(3, modelData.durationMs / slider.to * parent.width)
                        height: parent.height
                        radius: 1
                        color: Theme.error
                        opacity: 0.85
                    }
                }
            }
            handle: Rectangle {
                x: slider.leftPadding + slider.visualPosition * (slider.availableWidth - width)
                y: slider.topPadding + slider.availableHeight / 2 - height / 2
                width: 14
                height: 14
                radius: 7
                color: slider.pressed ? Qt.lighter(Theme.replay, 1.15) : Theme.replay
                border.width: slider.visualFocus ? 2 : 1
                border.color: slider.visualFocus ? Theme.text : Theme.surface
            }
        }
        // The recording's own time at the position: when this happened.
        Text {
            objectName: "replayWallTime"
            visible: text.length > 0
            text: bar.replay.wallTimeAt(bar.shownMs)
            color: Theme.textDim
            font.family: Theme.monoFamily
            font.pixelSize: Theme.fontSmall
        }
        ThemeComboBox {
            objectName: "replaySpeed"
            Layout.preferredWidth: 78
            implicitHeight: 30
            font.pixelSize: Theme.fontSmall
            // As a plain JS array (a QVariantList offers qmllint no map or indexOf).
            readonly property var speeds: bar.replay.speeds
            model: speeds.map(function(v) { return bar.speedLabel(v) })
            currentIndex: speeds.indexOf(bar.replay.speed)
            displayText: bar.speedLabel(bar.replay.speed)
            onActivated: (index) => bar.replay.speed = bar.replay.speeds[index]
            ToolTip.visible: hovered
            ToolTip.text: "Replay speed: times the recorded pace"
        }
        ThemeButton {
            objectName: "replayNextGap"
            implicitHeight: 30
            font.pixelSize: Theme.fontSmall
            enabled: bar.replay.hasNextGap
            text: "Next gap \u25b8\u2759" + (bar.replay.gaps.length > 0 ? "  (" + bar.replay.gaps.length + ")" : "")
            ToolTip.visible: hovered
            ToolTip.text: bar.replay.gaps.length === 0 ? "The recording has no outage or gap"
                        : bar.replay.hasNextGap ? "Jump to the next outage or gap of the recorded connection"
                        : "No outage or gap after this point"
            onClicked: bar.replay.nextGap()
        }
        Text {
            visible: !bar.narrow
            Layout.maximumWidth: 260
            elide: Text.ElideMiddle
            text: bar.replay.fileName
            color: Theme.textFaint
            font.family: Theme.monoFamily
            font.pixelSize: Theme.fontSmall
        }
    }
}
