// The always-visible connection header: coloured state, endpoint, RTT, uptime, message rates.
// Plain properties, so it can be shown (and tested) without a live connection. With `canSwitch`
// the endpoint is a button that opens the server switcher.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Rectangle {
    id: header
    property string severity: "idle"
    property string headline: ""
    property string endpoint: ""
    property int rttMs: -1
    property string uptime: ""
    property real msgsIn: 0
    property real msgsOut: 0
    property real bytesIn: 0
    property int outboxDepth: 0
    property bool live: severity === "ok"
    property string badge: ""
    // Alerts that ask for someone (not acknowledged, not silenced), and the worst of their severities.
    property int alertCount: 0
    property string alertSeverity: ""
    signal alertsClicked()
    // The Record button's DashboardRecording; null: no button. `recordable` false (a kiosk): it
    // only shows a recording running.
    property var recording: null
    property bool recordable: true
    // ServerProfiles (or a stand-in with the same calls and roles); null: no switcher.
    property var servers: null
    property var serverModel: servers
    property bool canSwitch: servers !== null
    readonly property alias switcher: switcher

    implicitHeight: 64
    color: Theme.surface
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
    Rectangle { anchors.top: parent.top; width: parent.width; height: 3; color: Theme.severityColor(header.severity) }

    // Narrow windows (1000 px) keep every figure, OUTBOX last, by closing up; below 1100 px the
    // uptime (also in the Health panel's log) gives way.
    readonly property bool narrow: width < 1280
    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: header.narrow ? 14 : 20
        anchors.rightMargin: header.narrow ? 14 : 20
        spacing: header.narrow ? 16 : 28

        RowLayout {
            spacing: 10
            Text {
                text: "Pulseboard"
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: 18
                font.weight: Font.Bold
            }
            Chip { visible: header.badge.length > 0; text: header.badge; tint: Theme.accent }
            Chip {
                objectName: "alertChip"
                visible: header.alertCount > 0
                text: header.alertCount + (header.alertCount === 1 ? " ALERT" : " ALERTS")
                tint: header.alertSeverity === "critical" ? Theme.error : header.alertSeverity === "warning" ? Theme.warn : Theme.accent
                filled: true
                TapHandler { onTapped: header.alertsClicked() }
            }
            RecordButton {
                objectName: "recordButton"
                recording: header.recording
                interactive: header.recordable
            }
        }
        Rectangle { width: 1; Layout.fillHeight: true; Layout.topMargin: 16; Layout.bottomMargin: 16; color: Theme.border }
        RowLayout {
            spacing: 10
            StatusDot { severity: header.severity }
            ColumnLayout {
                spacing: 0
                Text {
                    objectName: "stateText"
                    text: header.headline
                    color: Theme.severityColor(header.severity)
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontTitle
                    font.weight: Font.Bold
                }
                AbstractButton {
                    id: endpointButton
                    objectName: "endpointButton"
                    enabled: header.canSwitch
                    hoverEnabled: true
                    leftPadding: header.canSwitch ? 4 : 0
                    rightPadding: header.canSwitch ? 4 : 0
                    topPadding: 1
                    bottomPadding: 1
                    Layout.leftMargin: header.canSwitch ? -4 : 0
                    onClicked: switcher.opened ? switcher.close() : switcher.open()
                    background: Rectangle {
                        radius: 4
                        color: endpointButton.hovered || switcher.opened ? Theme.surfaceRaised : "transparent"
                        border.color: endpointButton.hovered || switcher.opened ? Theme.border : "transparent"
                    }
                    contentItem: Row {
                        spacing: 6
                        Text {
                            objectName: "endpointText"
                            text: header.endpoint
                            color: endpointButton.hovered ? Theme.text : Theme.textDim
                            font.family: Theme.monoFamily
                            font.pixelSize: Theme.fontSmall
                        }
                        Text {
                            visible: header.canSwitch
                            text: "\u25be"
                            color: Theme.textDim
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    ServerSwitcher {
                        id: switcher
                        objectName: "serverSwitcher"
                        y: endpointButton.height + 6
                        model: header.serverModel
                        servers: header.servers
                    }
                }
            }
        }
        Item { Layout.fillWidth: true }
        Metric {
            label: "RTT"
            value: header.live && header.rttMs >= 0 ? header.rttMs + " ms" : "\u2013"
            valueColor: header.live ? Theme.text : Theme.stale
        }
        Metric {
            visible: header.width >= 1100
            label: "Uptime"
            value: header.live && header.uptime.length > 0 ? header.uptime : "\u2013"
            valueColor: header.live ? Theme.text : Theme.stale
        }
        Metric {
            label: "In"
            value: Format.rate(header.msgsIn, "")
            valueColor: header.live ? Theme.text : Theme.stale
        }
        Metric {
            label: "Out"
            value: Format.rate(header.msgsOut, "")
            valueColor: header.live ? Theme.text : Theme.stale
        }
        Metric {
            label: "Bytes in"
            value: Format.rate(header.bytesIn, "B")
            valueColor: header.live ? Theme.text : Theme.stale
        }
        Metric {
            objectName: "outboxMetric"
            label: "Outbox"
            value: Format.count(header.outboxDepth)
            valueColor: header.outboxDepth > 0 ? Theme.warn : (header.live ? Theme.text : Theme.stale)
        }
    }
}
