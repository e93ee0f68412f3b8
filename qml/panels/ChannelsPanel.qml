// Channels: what the server lists (channels.list) plus what was typed in; subscribe and
// unsubscribe; per channel the newest value, local rate, age of the last message and gaps.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property Dashboard dashboard
    property bool editable: true
    // What the server says of each channel (its seq and rate) gives way in a table narrower than
    // all the columns (a 1000 px window); the row's tooltip still says it.
    readonly property bool narrow: list.width < 900
    readonly property int columnGap: 12
    // The table's columns: switch, channel, server seq, server rate, received, rate, last message,
    // gaps, newest value (the rest of the row). 0: not shown.
    readonly property var columnWidths: narrow ? [44, 170, 0, 0, 90, 80, 120, 50] : [44, 200, 90, 90, 90, 80, 120, 50]
    function columnWidth(column, rowWidth) {
        if (column < columnWidths.length)
            return columnWidths[column]
        var rest = rowWidth
        for (var i = 0; i < columnWidths.length; ++i)
            if (columnWidths[i] > 0)
                rest -= columnWidths[i] + columnGap
        return Math.max(0, rest)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            visible: panel.editable
            ThemeField {
                id: manual
                objectName: "channelField"
                Layout.preferredWidth: 320
                placeholderText: "Channel name, e.g. sys.cpu"
                onAccepted: subscribeButton.clicked()
            }
            ThemeButton {
                id: subscribeButton
                text: "Subscribe"
                highlighted: true
                enabled: manual.text.trim().length > 0
                onClicked: {
                    if (panel.dashboard.subscribe(manual.text)) {
                        manual.text = ""
                        error.text = ""
                    } else {
                        error.text = "Cannot subscribe to '" + manual.text.trim() + "': not a valid channel name, or already subscribed."
                    }
                }
            }
            ThemeButton {
                text: "Refresh list"
                onClicked: panel.dashboard.refreshChannelList()
            }
            Text {
                id: error
                color: Theme.error
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true
            title: "Channels"
            subtitle: panel.dashboard.channels.count + " known; stale after "
                      + Format.age(panel.dashboard.staleAfterMs) + " or 3 missed intervals"

            ColumnLayout {
                anchors.fill: parent
                spacing: 0
                // Rows and header are placed by Rows of fixed widths (the same for both), not by
                // layouts: a column that gives way is a width of 0, and nothing waits for a polish.
                Row {
                    id: header
                    Layout.fillWidth: true
                    Layout.bottomMargin: 6
                    leftPadding: 8
                    spacing: panel.columnGap
                    Repeater {
                        model: ["", "Channel", "Server seq", "Server rate", "Received", "Rate", "Last message", "Gaps", "Newest value"]
                        delegate: Text {
                            required property string modelData
                            required property int index
                            width: panel.columnWidth(index, header.width - header.leftPadding)
                            visible: width > 0
                            text: modelData
                            color: Theme.textFaint
                            font.family: Theme.fontFamily
                            font.pixelSize: 10
                            font.weight: Font.DemiBold
                            font.capitalization: Font.AllUppercase
                            elide: Text.ElideRight
                        }
                    }
                }
                Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
                ListView {
                    id: list
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: panel.dashboard.channels
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Rectangle {
                        id: channelRow
                        required property int index
                        required property string name
                        required property bool subscribed
                        required property bool listed
                        required property real serverSeq
                        required property real serverRate
                        required property real messages
                        required property real rate
                        required property real ageMs
                        required property bool stale
                        required property int gaps
                        required property string latest
                        width: list.width
                        height: 40
                        color: index % 2 ? "transparent" : Theme.stripeWash
                        readonly property color valueColor: subscribed && !stale ? Theme.text : Theme.stale
                        // The row in full under the pointer: its name and newest value unelided, the
                        // server's figures when their columns gave way.
                        HoverHandler { id: rowHover }
                        ToolTip.visible: rowHover.hovered
                        ToolTip.delay: 600
                        ToolTip.text: channelRow.name + (channelRow.latest.length > 0 ? "\n" + channelRow.latest : "")
                                      + (channelRow.serverSeq >= 0 ? "\nserver seq " + channelRow.serverSeq : "")
                                      + (channelRow.serverRate >= 0 ? ", server rate " + Format.rate(channelRow.serverRate, "") : "")
                                      + (channelRow.stale ? "\nstale" : "")
                        Row {
                            id: cells
                            anchors.fill: parent
                            leftPadding: 8
                            spacing: panel.columnGap
                            ThemeSwitch {
                                objectName: "subscribeSwitch:" + channelRow.name
                                width: panel.columnWidth(0, 0)
                                anchors.verticalCenter: parent.verticalCenter
                                checked: channelRow.subscribed
                                enabled: panel.editable
                                onToggled: checked ? panel.dashboard.subscribe(channelRow.name) : panel.dashboard.unsubscribe(channelRow.name)
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: channelRow.name
                                color: channelRow.subscribed ? Theme.text : Theme.textDim
                                font.family: Theme.monoFamily
                                font.pixelSize: Theme.fontBody
                                elide: Text.ElideRight
                                width: panel.columnWidth(1, 0)
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: channelRow.serverSeq >= 0 ? "" + channelRow.serverSeq : "\u2013"
                                color: Theme.textDim
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                width: panel.columnWidth(2, 0)
                                visible: width > 0
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: channelRow.serverRate >= 0 ? Format.rate(channelRow.serverRate, "") : "\u2013"
                                color: Theme.textDim
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                width: panel.columnWidth(3, 0)
                                visible: width > 0
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: Format.count(channelRow.messages)
                                color: channelRow.valueColor
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                width: panel.columnWidth(4, 0)
                                visible: width > 0
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: Format.rate(channelRow.rate, "")
                                color: channelRow.valueColor
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                width: panel.columnWidth(5, 0)
                                visible: width > 0
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: channelRow.ageMs < 0 ? "never" : Format.age(channelRow.ageMs) + (channelRow.ageMs >= 1000 ? " ago" : "") + (channelRow.stale ? "  (stale)" : "")
                                color: channelRow.ageMs >= 0 && !channelRow.stale ? Theme.ok : Theme.stale
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                elide: Text.ElideRight
                                width: panel.columnWidth(6, 0)
                                visible: width > 0
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: channelRow.gaps
                                color: channelRow.gaps > 0 ? Theme.warn : Theme.textDim
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                width: panel.columnWidth(7, 0)
                                visible: width > 0
                            }
                            Text {
                                anchors.verticalCenter: parent.verticalCenter
                                text: channelRow.latest
                                color: channelRow.valueColor
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                elide: Text.ElideRight
                                width: panel.columnWidth(8, cells.width - cells.leftPadding)
                            }
                        }
                    }
                }
            }
        }
    }
}
