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

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            visible: panel.editable
            TextField {
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
                RowLayout {
                    Layout.fillWidth: true
                    Layout.bottomMargin: 6
                    spacing: 12
                    Repeater {
                        model: [["", 52], ["Channel", 200], ["Server seq", 90], ["Server rate", 90], ["Received", 90],
                                ["Rate", 80], ["Last message", 110], ["Gaps", 50], ["Newest value", -1]]
                        delegate: Text {
                            required property var modelData
                            text: modelData[0]
                            color: Theme.textFaint
                            font.family: Theme.fontFamily
                            font.pixelSize: 10
                            font.weight: Font.DemiBold
                            font.capitalization: Font.AllUppercase
                            Layout.preferredWidth: modelData[1] > 0 ? modelData[1] : -1
                            Layout.fillWidth: modelData[1] < 0
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
                        RowLayout {
                            anchors.fill: parent
                            spacing: 12
                            ThemeSwitch {
                                objectName: "subscribeSwitch:" + channelRow.name
                                Layout.preferredWidth: 52
                                Layout.leftMargin: 8
                                checked: channelRow.subscribed
                                enabled: panel.editable
                                onToggled: checked ? panel.dashboard.subscribe(channelRow.name) : panel.dashboard.unsubscribe(channelRow.name)
                            }
                            Text {
                                text: channelRow.name
                                color: channelRow.subscribed ? Theme.text : Theme.textDim
                                font.family: Theme.monoFamily
                                font.pixelSize: Theme.fontBody
                                elide: Text.ElideRight
                                Layout.preferredWidth: 200
                            }
                            Text {
                                text: channelRow.serverSeq >= 0 ? "" + channelRow.serverSeq : "\u2013"
                                color: Theme.textDim
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 90
                            }
                            Text {
                                text: channelRow.serverRate >= 0 ? Format.rate(channelRow.serverRate, "") : "\u2013"
                                color: Theme.textDim
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 90
                            }
                            Text {
                                text: Format.count(channelRow.messages)
                                color: channelRow.valueColor
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 90
                            }
                            Text {
                                text: Format.rate(channelRow.rate, "")
                                color: channelRow.valueColor
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 80
                            }
                            Text {
                                text: channelRow.ageMs < 0 ? "never" : Format.age(channelRow.ageMs) + (channelRow.ageMs >= 1000 ? " ago" : "") + (channelRow.stale ? "  (stale)" : "")
                                color: channelRow.ageMs >= 0 && !channelRow.stale ? Theme.ok : Theme.stale
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 110
                            }
                            Text {
                                text: channelRow.gaps
                                color: channelRow.gaps > 0 ? Theme.warn : Theme.textDim
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 50
                            }
                            Text {
                                text: channelRow.latest
                                color: channelRow.valueColor
                                font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                            }
                        }
                    }
                }
            }
        }
    }
}
