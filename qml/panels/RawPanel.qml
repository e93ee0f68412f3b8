// Raw messages: every frame as it arrives, newest first, with channel, seq and times.
// Pause holds new frames (counted) without losing them; the filter matches channel or data.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    property var dashboard
    readonly property var raw: dashboard ? dashboard.raw : null
    property int selected: -1
    // Rows reach the list only while this panel is on screen (see RawMessageModel).
    Binding { target: panel.raw; property: "viewShown"; value: panel.visible; when: panel.raw !== null }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            TextField {
                Layout.preferredWidth: 320
                placeholderText: "Filter: channel or text in the data"
                onTextChanged: if (panel.raw) panel.raw.filter = text
            }
            Button {
                objectName: "rawPauseButton"
                text: panel.raw && panel.raw.paused ? "\u25b6  Resume" : "\u275a\u275a  Pause"
                highlighted: panel.raw && panel.raw.paused
                onClicked: panel.raw.paused = !panel.raw.paused
            }
            Button {
                text: "Clear"
                onClicked: { panel.raw.clear(); panel.selected = -1 }
            }
            Text {
                text: !panel.raw ? "" : panel.raw.paused
                      ? "Paused: " + panel.raw.held + " new frames held"
                      : panel.raw.count + " shown of " + panel.raw.received + " received"
                        + (panel.raw.discarded > 0 ? " (" + panel.raw.discarded + " older ones no longer kept)" : "")
                color: panel.raw && panel.raw.paused ? Theme.warn : Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                Layout.fillWidth: true
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ListView {
                id: list
                anchors.fill: parent
                clip: true
                model: panel.raw
                ScrollBar.vertical: ScrollBar {}
                delegate: Rectangle {
                    id: rawRow
                    required property int index
                    required property real receivedMs
                    required property string channel
                    required property real seq
                    required property real ts
                    required property string text
                    width: list.width
                    height: 26
                    color: panel.selected === index ? Qt.rgba(0.31, 0.63, 1, 0.18) : index % 2 ? "transparent" : Qt.rgba(1, 1, 1, 0.015)
                    MouseArea { anchors.fill: parent; onClicked: panel.selected = index }
                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 6
                        spacing: 14
                        Text { text: Format.clock(receivedMs); color: Theme.textFaint; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall }
                        Text { text: channel; color: Theme.accent; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 140; elide: Text.ElideRight }
                        Text { text: "#" + seq; color: Theme.textDim; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 70 }
                        Text { text: ts > 0 ? "server " + Format.clock(ts) : ""; color: Theme.textFaint; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 150 }
                        Text { text: rawRow.text; color: Theme.text; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; elide: Text.ElideRight; Layout.fillWidth: true }
                    }
                }
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.preferredHeight: 150
            visible: panel.selected >= 0
            title: "Selected frame"
            subtitle: panel.raw ? panel.raw.channelAt(panel.selected) : ""
            ScrollView {
                anchors.fill: parent
                TextArea {
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.WrapAnywhere
                    text: panel.raw && panel.selected >= 0 ? panel.raw.textAt(panel.selected) : ""
                    color: Theme.text
                    font.family: Theme.monoFamily
                    font.pixelSize: Theme.fontSmall
                    background: null
                }
            }
        }
    }
}
