// Raw messages: every frame as it arrives, newest first, with channel, seq and times.
// Pause holds new frames (counted) without losing them; the filter matches channel or data.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property RawMessageModel raw
    // The selection is the model's: it follows the frame (by its key) as newer frames push it down.
    // Rows reach the list only while this panel is on screen (see RawMessageModel).
    // (The layout hides the panel while the window is still being built: raw may not be set yet.)
    onVisibleChanged: if (panel.raw) panel.raw.viewShown = panel.visible
    Component.onCompleted: panel.raw.viewShown = panel.visible
    // Ctrl+F puts the keyboard in the filter (while this panel is shown); Escape empties it.
    Shortcut {
        sequences: ["Ctrl+F"]
        enabled: panel.visible
        onActivated: { filterField.forceActiveFocus(); filterField.selectAll() }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            ThemeField {
                id: filterField
                objectName: "rawFilter"
                Layout.preferredWidth: 320
                placeholderText: "Filter: channel or text in the data (Ctrl+F)"
                onTextChanged: panel.raw.filter = text
                Keys.onEscapePressed: text = ""
            }
            ThemeButton {
                objectName: "rawPauseButton"
                text: panel.raw.paused ? "\u25b6  Resume" : "\u275a\u275a  Pause"
                highlighted: panel.raw.paused
                onClicked: panel.raw.paused = !panel.raw.paused
            }
            ThemeButton {
                text: "Clear"
                onClicked: panel.raw.clear()
            }
            Text {
                text: panel.raw.paused
                      ? "Paused: " + panel.raw.held + " new frames held"
                      : panel.raw.count + " shown of " + panel.raw.received + " received"
                        + (panel.raw.discarded > 0 ? " (" + panel.raw.discarded + " older ones no longer kept)" : "")
                color: panel.raw.paused ? Theme.warn : Theme.textDim
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
                    required property real key
                    width: list.width
                    height: 26
                    color: panel.raw.selectedKey === rawRow.key ? Theme.selectedWash : index % 2 ? "transparent" : Theme.stripeWash
                    // The data elides in the row: under the pointer it is said in full (and in the
                    // Selected frame card once clicked).
                    HoverHandler { id: rowHover }
                    ToolTip.visible: rowHover.hovered
                    ToolTip.delay: 600
                    ToolTip.text: rawRow.channel + "  #" + rawRow.seq + "\n" + rawRow.text
                    MouseArea { anchors.fill: parent; onClicked: panel.raw.selectedKey = rawRow.key }
                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 6
                        spacing: 14
                        Text { text: Format.clock(rawRow.receivedMs); color: Theme.textFaint; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall }
                        Text { text: rawRow.channel; color: Theme.accent; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 140; elide: Text.ElideRight }
                        Text { text: "#" + rawRow.seq; color: Theme.textDim; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 70 }
                        Text { text: rawRow.ts > 0 ? "server " + Format.clock(rawRow.ts) : ""; color: Theme.textFaint; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 150 }
                        Text { text: rawRow.text; color: Theme.text; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; elide: Text.ElideRight; Layout.fillWidth: true }
                    }
                }
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.preferredHeight: 150
            visible: panel.raw.selectedKey > 0
            title: "Selected frame"
            subtitle: panel.raw.selectedChannel + (panel.raw.selectedRow < 0 ? "  (no longer in the list)" : "")
            ScrollView {
                anchors.fill: parent
                TextArea {
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.WrapAnywhere
                    text: panel.raw.selectedText
                    color: Theme.text
                    font.family: Theme.monoFamily
                    font.pixelSize: Theme.fontSmall
                    background: null
                }
            }
        }
    }
}
