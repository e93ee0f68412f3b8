// Every live source of a dashboard with more than one, at a glance: its name, state colour and
// words, RTT, message rate and outbox depth. The first source (the header's) leads as "first";
// a source that is not live says why on its own banner line below, so one source down never
// hides behind another that is fine.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

ColumnLayout {
    id: strip
    // DashboardSource objects (name, status, connection, rate); empty: the strip is not shown.
    property var sources: []
    // The first source, as the header shows it.
    property string firstName: "first"
    property string firstSeverity: "idle"
    property string firstHeadline: ""
    property int firstRttMs: -1
    property real firstRate: 0
    property int firstOutbox: 0
    property bool firstLive: false
    property bool showRetry: true

    visible: sources.length > 0
    spacing: 0

    Rectangle {
        Layout.fillWidth: true
        implicitHeight: 36
        color: Theme.surfaceRaised
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
        Flow {
            anchors.fill: parent
            anchors.leftMargin: 20
            anchors.rightMargin: 20
            anchors.topMargin: 8
            spacing: 22
            SourceChip {
                objectName: "sourceChip:" + strip.firstName
                name: strip.firstName
                severity: strip.firstSeverity
                headline: strip.firstHeadline
                rttMs: strip.firstRttMs
                rate: strip.firstRate
                outbox: strip.firstOutbox
                live: strip.firstLive
            }
            Repeater {
                model: strip.sources
                SourceChip {
                    required property var modelData
                    objectName: "sourceChip:" + modelData.name
                    name: modelData.name
                    severity: modelData.status.severity
                    headline: modelData.status.headline
                    rttMs: modelData.connection.rttMs
                    rate: modelData.rate
                    outbox: modelData.connection.queuedCount
                    live: modelData.status.live
                }
            }
        }
    }
    Repeater {
        model: strip.sources
        StatusBanner {
            required property var modelData
            objectName: "sourceBanner:" + modelData.name
            Layout.fillWidth: true
            text: modelData.status.banner.length > 0 ? modelData.name + ": " + modelData.status.banner : ""
            severity: modelData.status.severity
            canRetry: modelData.status.canRetry
            showRetry: strip.showRetry
            onRetryClicked: modelData.connection.retry()
        }
    }

    component SourceChip: Row {
        property string name
        property string severity: "idle"
        property string headline
        property int rttMs: -1
        property real rate: 0
        property int outbox: 0
        property bool live: false
        spacing: 7
        StatusDot { severity: parent.severity; anchors.verticalCenter: parent.verticalCenter }
        Text {
            text: parent.name
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.weight: Font.Bold
            anchors.verticalCenter: parent.verticalCenter
        }
        Text {
            text: parent.headline
                  + (parent.live && parent.rttMs >= 0 ? " \u00b7 " + parent.rttMs + " ms" : "")
                  + " \u00b7 " + Format.rate(parent.rate, "msg")
                  + (parent.outbox > 0 ? " \u00b7 outbox " + Format.count(parent.outbox) : "")
            color: parent.live ? Theme.textDim : Theme.severityColor(parent.severity)
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            anchors.verticalCenter: parent.verticalCenter
        }
    }
}
