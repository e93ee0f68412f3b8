// Alerts: what the alert rules raised (docs/ALERTS.md). Active ones first as they came, each with
// when, the value that tripped it and what to do: acknowledge (with a note), silence its rule for a
// while. Resolved ones stay listed with the value and time that cleared them. Beside the list, the
// rules themselves and which of them are silenced.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property AlertListModel alerts
    property bool editable: true
    // "open": active and acknowledged; "all"; "resolved".
    property string filter: "open"

    function alertColor(severity) {
        return severity === "critical" ? Theme.error : severity === "warning" ? Theme.warn : Theme.accent
    }
    function stamp(ms) {
        return ms > 0 ? Qt.formatDateTime(new Date(ms), "HH:mm:ss") : ""
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true
            title: "Alerts"
            subtitle: panel.alerts.rules.length === 0
                      ? "No alert rules: give them with --alert, --alert-file or the config's \"alerts\" (docs/ALERTS.md)"
                      : panel.alerts.activeCount + " active \u00b7 " + panel.alerts.unacknowledgedCount + " not acknowledged"
                        + (panel.alerts.discarded > 0 ? " \u00b7 " + panel.alerts.discarded + " older resolved not kept" : "")
                        + (panel.alerts.notifications.length > 0 ? " \u00b7 " + panel.alerts.notifications : "")
            headerExtras: [
                Segmented {
                    objectName: "alertFilter"
                    options: [{ label: "Open", value: "open" }, { label: "All", value: "all" }, { label: "Resolved", value: "resolved" }]
                    value: panel.filter
                    onPicked: (v) => panel.filter = v
                },
                ThemeButton {
                    objectName: "acknowledgeAll"
                    visible: panel.editable && panel.alerts.unacknowledgedCount > 1
                    text: "Acknowledge all"
                    implicitHeight: 30
                    font.pixelSize: Theme.fontSmall
                    onClicked: panel.alerts.acknowledgeAll("")
                }
            ]

            ListView {
                id: list
                objectName: "alertList"
                anchors.fill: parent
                clip: true
                spacing: 6
                model: panel.alerts
                ScrollBar.vertical: ScrollBar {}

                Text {
                    anchors.centerIn: parent
                    visible: list.contentHeight < 1
                    text: panel.filter === "resolved" ? "Nothing resolved yet" : "No open alerts"
                    color: Theme.textFaint
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                }

                delegate: Rectangle {
                    id: row
                    required property int index
                    required property string rule
                    required property string severity
                    required property string state
                    required property string text
                    required property string note
                    required property string channel
                    required property real raisedMs
                    required property real clearedMs
                    required property real clearValue
                    required property real acknowledgedMs
                    required property bool silenced
                    required property bool earlierRun
                    readonly property bool shown: panel.filter === "all"
                                                  || (panel.filter === "resolved") === (row.state === "resolved")
                    readonly property color tint: panel.alertColor(row.severity)
                    property bool noting: false

                    objectName: "alert:" + row.rule + ":" + row.index
                    width: ListView.view.width - 12
                    visible: row.shown
                    height: row.shown ? content.implicitHeight + 20 : 0
                    radius: 6
                    color: row.state === "active" && !row.silenced ? Qt.rgba(tint.r, tint.g, tint.b, 0.10) : Theme.surfaceRaised
                    border.color: row.state === "active" && !row.silenced ? Qt.rgba(tint.r, tint.g, tint.b, 0.6) : Theme.border
                    Rectangle { width: 4; height: parent.height - 12; x: 0; anchors.verticalCenter: parent.verticalCenter; radius: 2; color: row.tint; opacity: row.state === "resolved" ? 0.4 : 1 }

                    ColumnLayout {
                        id: content
                        anchors.left: parent.left
                        anchors.right: parent.right
                        anchors.top: parent.top
                        anchors.margins: 10
                        anchors.leftMargin: 16
                        spacing: 4
                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 8
                            Chip { text: row.severity.toUpperCase(); tint: row.tint; filled: row.state === "active" }
                            Chip {
                                text: row.state === "resolved" ? "RESOLVED" : row.state === "acknowledged" ? "ACKNOWLEDGED" : row.silenced ? "SILENCED" : "ACTIVE"
                                tint: row.state === "resolved" ? Theme.ok : row.state === "acknowledged" || row.silenced ? Theme.textDim : row.tint
                            }
                            Chip {
                                objectName: "earlierRun:" + row.rule
                                visible: row.earlierRun
                                text: "EARLIER RUN"
                                tint: Theme.textDim
                            }
                            Item { Layout.fillWidth: true }
                            ThemeButton {
                                objectName: "acknowledge:" + row.rule
                                visible: panel.editable && row.state === "active"
                                text: "Acknowledge\u2026"
                                implicitHeight: 28
                                font.pixelSize: Theme.fontSmall
                                onClicked: { row.noting = true; noteField.forceActiveFocus() }
                            }
                            ThemeButton {
                                id: silenceButton
                                objectName: "silence:" + row.rule
                                visible: panel.editable && row.state !== "resolved"
                                text: row.silenced ? "Unsilence" : "Silence \u25be"
                                implicitHeight: 28
                                font.pixelSize: Theme.fontSmall
                                onClicked: row.silenced ? panel.alerts.silence(row.rule, 0) : silenceMenu.popup(silenceButton, 0, silenceButton.height)
                                Menu {
                                    id: silenceMenu
                                    MenuItem { text: "for 15 minutes"; onTriggered: panel.alerts.silence(row.rule, 15) }
                                    MenuItem { text: "for 1 hour"; onTriggered: panel.alerts.silence(row.rule, 60) }
                                    MenuItem { text: "for 4 hours"; onTriggered: panel.alerts.silence(row.rule, 240) }
                                    MenuItem { text: "for 24 hours"; onTriggered: panel.alerts.silence(row.rule, 1440) }
                                }
                            }
                        }
                        Text {
                            objectName: "alertText"
                            Layout.fillWidth: true
                            text: row.text
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            wrapMode: Text.Wrap
                        }
                        Text {
                            Layout.fillWidth: true
                            text: "raised " + panel.stamp(row.raisedMs)
                                  + (row.clearedMs > 0 && isNaN(row.clearValue) ? " \u00b7 ended " + panel.stamp(row.clearedMs)
                                     : row.clearedMs > 0 ? " \u00b7 cleared " + panel.stamp(row.clearedMs) + " at " + Format.number(row.clearValue)
                                                         + " (" + Format.age(row.clearedMs - row.raisedMs) + ")" : "")
                                  + (row.acknowledgedMs > 0 ? " \u00b7 acknowledged " + panel.stamp(row.acknowledgedMs) : "")
                                  + (row.note.length > 0 ? ": \u201c" + row.note + "\u201d" : "")
                            color: Theme.textDim
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.Wrap
                        }
                        RowLayout {
                            visible: row.noting && row.state === "active"
                            Layout.fillWidth: true
                            spacing: 8
                            ThemeField {
                                id: noteField
                                objectName: "ackNote:" + row.rule
                                Layout.fillWidth: true
                                placeholderText: "Note (optional): who is on it, what was done"
                                onAccepted: okButton.clicked()
                            }
                            ThemeButton {
                                id: okButton
                                objectName: "ackConfirm:" + row.rule
                                text: "Acknowledge"
                                highlighted: true
                                implicitHeight: 30
                                onClicked: { panel.alerts.acknowledge(row.index, noteField.text); row.noting = false }
                            }
                            ThemeButton {
                                text: "Cancel"
                                implicitHeight: 30
                                onClicked: row.noting = false
                            }
                        }
                    }
                }
            }
        }

        Card {
            Layout.preferredWidth: Math.max(300, Math.min(440, panel.width * 0.32))
            Layout.fillHeight: true
            title: "Rules"
            subtitle: panel.alerts.rules.length + (panel.alerts.rules.length === 1 ? " rule" : " rules")
            ListView {
                anchors.fill: parent
                clip: true
                spacing: 8
                model: panel.alerts.rules
                ScrollBar.vertical: ScrollBar {}
                delegate: ColumnLayout {
                    id: ruleRow
                    required property var modelData
                    width: ListView.view.width - 12
                    spacing: 2
                    RowLayout {
                        Layout.fillWidth: true
                        Chip { text: ruleRow.modelData.severity.toUpperCase(); tint: panel.alertColor(ruleRow.modelData.severity) }
                        Text {
                            id: ruleName
                            text: ruleRow.modelData.name
                            HoverHandler { id: nameHover }
                            ToolTip.text: ruleRow.modelData.name
                            ToolTip.visible: nameHover.hovered && ruleName.truncated
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.weight: Font.DemiBold
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Text {
                            visible: ruleRow.modelData.silencedUntilMs > 0
                            text: "silenced until " + Qt.formatTime(new Date(ruleRow.modelData.silencedUntilMs), "HH:mm")
                            color: Theme.textDim
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    Text {
                        Layout.fillWidth: true
                        text: ruleRow.modelData.rule
                        color: Theme.textDim
                        font.family: Theme.monoFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.WrapAnywhere
                    }
                    Text {
                        objectName: "ruleProblem:" + ruleRow.modelData.name
                        visible: text.length > 0
                        Layout.fillWidth: true
                        text: ruleRow.modelData.problem ? "\u26a0 " + ruleRow.modelData.problem : ""
                        color: Theme.warn
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.Wrap
                    }
                }
            }
        }
    }
}
