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
    required property ConnectionMirror connection

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

    // A channel the embedded hub takes: the built-in feed names (sys.*, demo.*, hub.*) are read-only.
    readonly property string defaultChannel: "console.test"
    component ProblemText: Text {
        visible: text.length > 0
        color: Theme.error
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
        maximumLineCount: 3
        elide: Text.ElideRight
        Layout.fillWidth: true
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.gap

        // The forms take half the width up to 520 px; the Outbox takes the rest (never less than
        // a third), so it is on screen beside them from a 1000 px window up.
        ColumnLayout {
            Layout.fillWidth: false
            Layout.preferredWidth: Math.round(Math.max(300, Math.min(520, (panel.width - Theme.gap) / 2)))
            Layout.fillHeight: true
            spacing: Theme.gap

            Card {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(220, Math.min(300, panel.height * 0.46))
                title: "Publish"
                subtitle: "JSON to a channel, acked by the server with its seq"
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 8
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 6
                        ThemeField {
                            id: channel
                            objectName: "consoleChannel"
                            Layout.fillWidth: true
                            text: panel.defaultChannel
                            placeholderText: "channel, e.g. " + panel.defaultChannel
                            font.family: Theme.monoFamily
                        }
                        // Picks one of the subscriptions into the box (feeds of a hub may be read-only).
                        ThemeComboBox {
                            id: picker
                            Layout.preferredWidth: 130
                            model: panel.connection.subscriptions
                            displayText: "Subscribed…"
                            enabled: count > 0
                            onActivated: (index) => channel.text = picker.textAt(index)
                        }
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
                        ThemeButton {
                            objectName: "consolePublish"
                            text: "Publish"
                            highlighted: true
                            enabled: publishError.text.length === 0
                            onClicked: publishResult.refused = panel.outbox.publish(channel.text, payload.text)
                        }
                    }
                    // Why the last publish came to nothing: refused at once, or by the server later.
                    ProblemText {
                        id: publishResult
                        objectName: "consolePublishProblem"
                        property string refused
                        text: refused.length > 0 ? refused : panel.outbox.publishProblem
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
                    ThemeComboBox {
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
                        ThemeButton {
                            text: "Send request"
                            highlighted: true
                            enabled: requestError.text.length === 0 && method.editText.trim().length > 0
                            onClicked: requestResult.refused = panel.outbox.request(method.editText, params.text)
                        }
                    }
                    ProblemText {
                        id: requestResult
                        property string refused
                        text: refused.length > 0 ? refused : panel.outbox.requestProblem
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
                                // Indented JSON: long values wrap at a word, else anywhere.
                                wrapMode: TextEdit.WrapAtWordBoundaryOrAnywhere
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
            objectName: "consoleOutbox"
            Layout.fillWidth: true
            Layout.minimumWidth: 260
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
                    objectName: "outboxRow:" + row.messageId
                    required property int index
                    required property string messageId
                    required property string kind
                    required property string target
                    required property string payload
                    required property string statusName
                    required property string detail
                    required property real timeMs
                    width: list.width
                    // A failure's reason wraps onto more lines: it is the point of the row.
                    height: Math.max(48, rowText.implicitHeight + 12)
                    color: index % 2 ? "transparent" : Theme.stripeWash
                    readonly property string summary: row.kind + " \u2192 " + row.target + "   " + row.payload
                    // A long payload elides in the row; under the pointer it is said in full.
                    HoverHandler { id: rowHover }
                    ToolTip.visible: rowHover.hovered
                    ToolTip.delay: 500
                    ToolTip.text: row.summary + (row.detail.length ? "\n" + row.detail : "")
                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 6
                        spacing: 12
                        Chip {
                            objectName: "outboxStatus:" + row.messageId
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
                            id: rowText
                            spacing: 2
                            Layout.fillWidth: true
                            Text {
                                text: row.summary
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
                                wrapMode: row.statusName === "failed" ? Text.Wrap : Text.NoWrap
                                maximumLineCount: 4
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
