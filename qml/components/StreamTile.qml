// One channel's tile: title, live/stale state with the age of the newest message, the newest
// value of each charted field (coloured by its thresholds), and the chart.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Rectangle {
    id: tile
    property var dashboard
    property var tileSpec: ({})          // {channel, title, fields, min, max, unit, thresholds, custom}
    property int windowMs: 60000
    property bool paused: false
    property real scrollBackMs: 0
    property bool editable: true
    property bool inView: true           // false while scrolled out of sight: the chart stops drawing
    property alias chart: chart

    readonly property string channel: tileSpec.channel || ""
    readonly property var fields: tileSpec.fields || []
    readonly property var thresholds: tileSpec.thresholds || ({})
    readonly property real nowMs: dashboard ? dashboard.clock.nowMs : 0
    // Re-read the per-channel figures on each clock tick (the model refreshes them at 4 Hz).
    readonly property real lastMs: { nowMs; return dashboard ? dashboard.channels.lastMessageMs(channel) : 0 }
    readonly property bool stale: { nowMs; return !dashboard || !dashboard.status.live || dashboard.channels.isStale(channel) }
    readonly property real ageMs: lastMs > 0 ? nowMs - lastMs : -1
    readonly property int revision: chart.feeder.replaceCount

    function latest(path) {
        revision
        return dashboard ? dashboard.store.latest(channel, path) : undefined
    }
    function level(path) {
        return Format.thresholdLevel(thresholds[path], latest(path))
    }
    readonly property int alarmLevel: {
        revision
        var worst = 0
        for (var i = 0; i < fields.length; ++i) worst = Math.max(worst, level(fields[i]))
        return worst
    }

    color: Theme.surface
    radius: Theme.radius
    border.width: alarmLevel > 0 ? 2 : 1
    border.color: alarmLevel >= 2 ? Theme.error : alarmLevel === 1 ? Theme.warn : Theme.border
    Rectangle {
        anchors.fill: parent
        radius: parent.radius
        visible: tile.alarmLevel > 0
        color: tile.alarmLevel >= 2 ? Qt.rgba(0.97, 0.32, 0.29, 0.08) : Qt.rgba(0.89, 0.70, 0.25, 0.06)
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Text {
                text: tile.tileSpec.title || tile.channel
                color: tile.stale ? Theme.textDim : Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.weight: Font.DemiBold
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Chip {
                visible: tile.alarmLevel > 0
                text: tile.alarmLevel >= 2 ? "ALARM" : "WARN"
                tint: tile.alarmLevel >= 2 ? Theme.error : Theme.warn
                filled: true
            }
            Chip {
                objectName: "liveChip"
                text: tile.lastMs <= 0 ? "WAITING" : tile.stale ? "STALE \u00b7 " + Format.age(tile.ageMs) : "LIVE"
                tint: tile.lastMs <= 0 || tile.stale ? Theme.stale : Theme.ok
            }
            ToolButton {
                visible: tile.editable
                text: "\u22ef"
                font.pixelSize: 16
                implicitWidth: 28
                implicitHeight: 24
                ToolTip.visible: hovered
                ToolTip.text: "Choose fields"
                onClicked: picker.open()
            }
        }

        Flow {
            Layout.fillWidth: true
            spacing: 18
            Repeater {
                model: tile.fields
                delegate: Row {
                    spacing: 6
                    Rectangle {
                        width: 10; height: 10; radius: 2
                        anchors.verticalCenter: parent.verticalCenter
                        color: tile.stale ? Theme.stale : Theme.seriesColor(index)
                    }
                    Text {
                        text: Format.fieldLabel(modelData)
                        color: Theme.textDim
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        anchors.verticalCenter: parent.verticalCenter
                    }
                    Text {
                        text: Format.number(tile.latest(modelData)) + (tile.tileSpec.unit ? " " + tile.tileSpec.unit : "")
                        color: tile.stale ? Theme.stale : Theme.levelColor(tile.level(modelData))
                        font.family: Theme.fontFamily
                        font.pixelSize: 20
                        font.weight: Font.DemiBold
                    }
                }
            }
            Text {
                visible: tile.fields.length === 0
                text: tile.lastMs > 0 ? "No numeric fields in this channel's data (see Raw messages)."
                                      : "Waiting for the first message\u2026"
                color: Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
        }

        TimeChart {
            id: chart
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.leftMargin: -8
            Layout.rightMargin: -8
            name: tile.channel
            store: tile.dashboard ? tile.dashboard.store : null
            clock: tile.dashboard ? tile.dashboard.clock : null
            windowMs: tile.windowMs
            paused: tile.paused
            scrollBackMs: tile.scrollBackMs
            stale: tile.stale
            inView: tile.inView
            yFrom: tile.tileSpec.min
            yTo: tile.tileSpec.max
            specs: {
                var list = []
                for (var i = 0; i < tile.fields.length; ++i)
                    list.push({ source: tile.channel, path: tile.fields[i], label: Format.fieldLabel(tile.fields[i]),
                                color: Theme.seriesColor(i) })
                return list
            }
            Connections {
                target: chart.feeder
                function onUpdated() {
                    if (tile.dashboard)
                        tile.dashboard.reportChart(tile.channel, chart.feeder.pointCount, chart.feeder.sampleCount)
                }
            }
        }
    }

    FieldPicker {
        id: picker
        objectName: "fieldPicker:" + tile.channel
        x: tile.width - width - 12
        y: 40
        available: tile.dashboard ? tile.dashboard.store.fields(tile.channel) : []
        chosen: tile.fields
        custom: tile.tileSpec.custom === true
        onAboutToShow: available = tile.dashboard.store.fields(tile.channel)
        onApplied: (list) => tile.dashboard.setTileFields(tile.channel, list)
    }
    Component.onDestruction: if (dashboard) dashboard.reportChart(channel, 0, 0)
}
