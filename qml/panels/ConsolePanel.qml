// Console: publish JSON to a channel (validated before anything is queued) and send requests;
// the Outbox list shows each message queued, sent, acked/replied or failed, with the reason.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property OutboxModel outbox
    // What the channel box offers: the connection's subscriptions.
    required property ConnectionManager connection

    component Label2: Text {
        color: Theme.textDim
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }
    component JsonEditor: Rectangle {
        property alias text: area.text
        property bool valid: true
        color: Theme.background
        radius: 6
        border.color: valid ? Theme.border : Theme.error
        ScrollView {
            anchors.fill: parent
            anchors.margins: 2
            TextArea {
                id: area
                wrapMode: TextEdit.WrapAnywhere
                color: Theme.text
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontBody
                selectByMouse: true
                background: null
            }
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.gap

        ColumnLayout {
            Layout.preferredWidth: 520
            Layout.fillHeight: true
            spacing: Theme.gap

            Card {
                Layout.fillWidth: true
                Layout.preferredHeight: 300
                title: "Publish"
                subtitle: "JSON to a channel; acknowledged by the server with its seq"
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 8
                    ComboBox {
                        id: channel
                        Layout.fillWidth: true
                        editable: true
                        model: panel.connection.subscriptions
                        Component.onCompleted: editText = "demo.console"
                    }
                    JsonEditor {
                        id: payload
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        text: "{\"message\": \"hello\", \"level\": 1}"
                        valid: publishError.text.length === 0
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Text {
                            id: publishError
                            text: panel.outbox.validate(payload.text)
                            color: Theme.error
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Button {
                            text: "Publish"
                            highlighted: true
                            enabled: publishError.text.length === 0
                            onClicked: {
                                var error = panel.outbox.publish(channel.editText, payload.text)
                                publishResult.text = error
                            }
                        }
                    }
                    Text {
                        id: publishResult
                        visible: text.length > 0
                        color: Theme.error
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }

            Card {
                Layout.fillWidth: true
                Layout.fillHeight: true
                title: "Request"
                subtitle: "a method and optional JSON params; the reply appears below"
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 8
                    ComboBox {
                        id: method
                        Layout.fillWidth: true
                        editable: true
                        model: ["channels.list", "server.info"]
                    }
                    JsonEditor {
                        id: params
                        Layout.fillWidth: true
                        Layout.preferredHeight: 60
                        text: ""
                        valid: requestError.text.length === 0
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Text {
                            id: requestError
                            text: params.text.trim().length > 0 ? panel.outbox.validate(params.text) : ""
                            color: Theme.error
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Button {
                            text: "Send request"
                            highlighted: true
                            enabled: requestError.text.length === 0 && method.editText.trim().length > 0
                            onClicked: requestResult.text = panel.outbox.request(method.editText, params.text)
                        }
                    }
                    Text {
                        id: requestResult
                        visible: text.length > 0
                        color: Theme.error
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                    }
                    Label2 { text: "Last reply" }
                    Rectangle {
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        color: Theme.background
                        radius: 6
                        border.color: Theme.border
                        ScrollView {
                            anchors.fill: parent
                            anchors.margins: 6
                            TextArea {
                                readOnly: true
                                selectByMouse: true
                                wrapMode: TextEdit.WrapAnywhere
                                text: panel.outbox.lastReply.length > 0 ? panel.outbox.lastReply : "No reply yet."
                                color: panel.outbox.lastReply.length > 0 ? Theme.text : Theme.textFaint
                                font.family: Theme.monoFamily
                                font.pixelSize: Theme.fontSmall
                                background: null
                            }
                        }
                    }
                }
            }
        }

        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true
            title: "Outbox"
            subtitle: panel.outbox.pending + " on the way, " + panel.outbox.count + " listed"
            ListView {
                id: list
                anchors.fill: parent
                clip: true
                model: panel.outbox
                spacing: 2
                ScrollBar.vertical: ScrollBar {}
                delegate: Rectangle {
                    id: row
                    required property int index
                    required property string messageId
                    required property string kind
                    required property string target
                    required property string payload
                    required property string statusName
                    required property string detail
                    required property real timeMs
                    width: list.width
                    height: 48
                    color: index % 2 ? "transparent" : Theme.stripeWash
                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 6
                        spacing: 12
                        Chip {
                            Layout.preferredWidth: 96 // fits UNCONFIRMED
                            // "sent, not confirmed" (a server without acks) fits the chip as UNCONFIRMED;
                            // the row's detail says it in full.
                            text: row.statusName === "sent, not confirmed" ? "UNCONFIRMED" : row.statusName.toUpperCase()
                            tint: row.statusName === "acked" || row.statusName === "replied" ? Theme.ok
                                : row.statusName === "failed" ? Theme.error
                                : row.statusName === "sent" || row.statusName === "sent, not confirmed" ? Theme.accent
                                : Theme.warn
                        }
                        ColumnLayout {
                            spacing: 2
                            Layout.fillWidth: true
                            Text {
                                text: row.kind + " \u2192 " + row.target + "   " + row.payload
                                color: Theme.text
                                font.family: Theme.monoFamily
                                font.pixelSize: Theme.fontSmall
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                            }
                            Text {
                                text: Format.clock(row.timeMs).substring(0, 8) + "   " + row.messageId + (row.detail.length ? "   " + row.detail : "")
                                color: row.statusName === "failed" ? Theme.error : Theme.textDim
                                font.family: Theme.monoFamily
                                font.pixelSize: 10
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
