// One channel's tile: title, live/stale state with the age of the newest message, the newest
// value of each charted field (coloured by its threshold level), and the chart. A delegate of
// TileModel: every figure it shows is a role of its row, computed in C++ on the display tick.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Rectangle {
    id: tile
    required property Dashboard dashboard
    // The tile's row of TileModel: what it is, and what it shows as of the last display tick.
    required property var spec             // {key, channel, title, fields, min, max, unit, thresholds, wide, pinned, custom}
    required property real lastMessageMs   // 0: nothing arrived yet
    required property bool stale
    required property bool retained        // the newest value is the broker's stored last value (MQTT retain)
    required property var latest           // the newest value of each field, in the order of spec.fields
    required property var levels           // each value's threshold level: 0 ok, 1 warn, 2 alarm
    required property int alarmLevel       // the worst of them
    property int windowMs: 60000
    property bool paused: false
    property real scrollBackMs: 0
    property real zoomStartMs: 0
    property real zoomEndMs: 0           // > 0: the shared zoom of the Streams panel
    property bool interactive: true
    property bool editable: true
    property bool inView: true           // false while scrolled out of sight: the chart stops drawing
    property alias chart: chart
    property bool full: false            // shown alone, filling the panel
    required property int index          // the tile's place in the panel
    property int tileCount: 1
    signal zoomRequested(real startMs, real endMs)
    signal resetRequested()
    // The tile's menu: what to do with it is the panel's (and the Dashboard's) to decide.
    signal editRequested()
    signal moveRequested(int delta)
    signal wideRequested(bool wide)
    signal fullRequested(bool full)
    signal removeRequested()

    readonly property string channel: tile.spec.channel || ""
    readonly property string key: tile.spec.key || tile.channel
    readonly property var fields: tile.spec.fields || []
    // The age moves with the display clock; everything else arrives from the model. A message
    // newer than the last tick (the model also refreshes when the connection drops) is "now".
    // Live: the chart follows now and the legend shows the newest values. Paused, scrolled
    // back or zoomed, the chip says so and the legend shows the values as of the view's end.
    readonly property bool live: !tile.paused && !chart.zoomed
    readonly property var shownValues: tile.live ? [] : tile.valuesAsOf(chart.feeder.viewEndMs, chart.specs)
    function valuesAsOf(endMs, specs) { // specs: re-read when the series change
        return specs.length > 0 ? chart.feeder.valuesAsOf(endMs) : []
    }
    // Colours by field name (Format.colorSlots): a field keeps its colour when others come or go.
    property var colorMemory: ({})
    readonly property var fieldColors: {
        var slots = Format.colorSlots(tile.fields, tile.colorMemory, Theme.seriesColors.length)
        var out = []
        for (var i = 0; i < slots.length; ++i)
            out.push(Theme.seriesColor(slots[i]))
        return out
    }
    // The worst active alert on the tile's channel ("" none); read again whenever the alerts change.
    readonly property string alertSeverity: tile.dashboard.alerts.activeCount >= 0 && tile.dashboard.alerts.rules.length > 0
                                            ? tile.dashboard.alerts.channelSeverity(tile.channel) : ""
    readonly property real ageMs: tile.lastMessageMs > 0 ? Math.max(0, tile.dashboard.clock.nowMs - tile.lastMessageMs) : -1

    color: Theme.surface
    radius: Theme.radius
    border.width: alarmLevel > 0 || alertSeverity.length > 0 ? 2 : 1
    border.color: alarmLevel >= 2 || alertSeverity === "critical" ? Theme.error
                  : alarmLevel === 1 || alertSeverity === "warning" ? Theme.warn
                  : alertSeverity === "info" ? Theme.accent : Theme.border
    Rectangle {
        anchors.fill: parent
        radius: parent.radius
        visible: tile.alarmLevel > 0
        color: tile.alarmLevel >= 2 ? Theme.alarmWash : Theme.warnWash
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Text {
                text: tile.spec.title || tile.channel
                color: tile.stale ? Theme.textDim : Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.weight: Font.DemiBold
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Chip {
                objectName: "tileAlert:" + tile.key
                visible: tile.alertSeverity.length > 0
                text: "ALERT"
                tint: tile.alertSeverity === "critical" ? Theme.error : tile.alertSeverity === "warning" ? Theme.warn : Theme.accent
                filled: true
            }
            Chip {
                visible: tile.alarmLevel > 0
                text: tile.alarmLevel >= 2 ? "ALARM" : "WARN"
                tint: tile.alarmLevel >= 2 ? Theme.error : Theme.warn
                filled: true
            }
            Chip {
                objectName: "liveChip:" + tile.key
                // A replay's values are a recording's, never live: they say REPLAY in its colour.
                readonly property bool replaying: tile.dashboard.replay !== null
                // A retained value arrived ageMs ago and was published before that: at least that old.
                text: chart.zoomed ? "ZOOM \u00b7 " + Qt.formatTime(new Date(chart.feeder.viewStartMs), "HH:mm:ss") + "\u2013" + Qt.formatTime(new Date(chart.feeder.viewEndMs), "HH:mm:ss")
                    : tile.paused ? (tile.scrollBackMs > 0 ? "AT " + Qt.formatTime(new Date(chart.feeder.viewEndMs), "HH:mm:ss") : "PAUSED")
                    : tile.lastMessageMs <= 0 ? "WAITING"
                    : tile.stale ? "STALE \u00b7 " + Format.age(tile.ageMs)
                    : replaying ? "REPLAY"
                    : tile.retained ? "RETAINED \u00b7 \u2265 " + Format.age(tile.ageMs)
                    : "LIVE"
                tint: !tile.live ? Theme.warn : tile.lastMessageMs <= 0 || tile.stale ? Theme.stale
                    : replaying ? Theme.replay : tile.retained ? Theme.accent : Theme.ok
                HoverHandler { id: liveHover }
                ToolTip.visible: liveHover.hovered && tile.live && tile.retained
                ToolTip.text: "The broker's stored last value (MQTT retain), received " + Format.age(tile.ageMs)
                              + " ago. The broker does not say when it was published, so it is at least that old;"
                              + " no live message has come since."
            }
            ToolButton {
                objectName: "tileFullExit:" + tile.key
                visible: tile.full
                text: "\u2715"
                implicitWidth: 28
                implicitHeight: 24
                ToolTip.visible: hovered
                ToolTip.text: "Back to all tiles (Esc)"
                onClicked: tile.fullRequested(false)
            }
            ToolButton {
                objectName: "tileMenuButton:" + tile.key
                visible: tile.editable
                text: "\u22ef"
                font.pixelSize: 16
                implicitWidth: 28
                implicitHeight: 24
                ToolTip.visible: hovered && !menu.visible
                ToolTip.text: "Edit, move, resize or remove this tile"
                onClicked: menu.popup(this, width - menu.width, height)
            }
        }

        Flow {
            Layout.fillWidth: true
            spacing: 18
            Repeater {
                model: tile.fields
                delegate: Row {
                    id: figure
                    required property string modelData
                    required property int index
                    spacing: 6
                    Rectangle {
                        width: 10; height: 10; radius: 2
                        anchors.verticalCenter: parent.verticalCenter
                        color: tile.stale ? Theme.stale : tile.fieldColors[figure.index] || Theme.textDim
                    }
                    Text {
                        text: Format.fieldLabel(figure.modelData)
                        color: Theme.textDim
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        anchors.verticalCenter: parent.verticalCenter
                    }
                    Text {
                        readonly property var shown: tile.shownValues[figure.index]
                        text: Format.withUnit(tile.live ? tile.latest[figure.index] : shown ? shown.value : undefined,
                                              tile.spec.unit ? tile.spec.unit : "")
                        color: tile.stale && tile.live ? Theme.stale : tile.live ? Theme.levelColor(tile.levels[figure.index]) : Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: 20
                        font.weight: Font.DemiBold
                    }
                }
            }
            Text {
                visible: tile.fields.length === 0
                text: tile.lastMessageMs > 0 ? "No numeric fields in this channel's data (see Raw messages)."
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
            store: tile.dashboard.store
            clock: tile.dashboard.clock
            history: tile.dashboard.chartHistory
            windowMs: tile.windowMs
            paused: tile.paused
            scrollBackMs: tile.scrollBackMs
            zoomStartMs: tile.zoomStartMs
            zoomEndMs: tile.zoomEndMs
            interactive: tile.interactive
            stale: tile.stale
            inView: tile.inView
            yFrom: tile.spec.min
            yTo: tile.spec.max
            specs: {
                var list = []
                for (var i = 0; i < tile.fields.length; ++i)
                    list.push({ source: tile.channel, path: tile.fields[i], label: Format.fieldLabel(tile.fields[i]),
                                color: tile.fieldColors[i] })
                return list
            }
            onZoomRequested: (startMs, endMs) => tile.zoomRequested(startMs, endMs)
            onResetRequested: tile.resetRequested()
            Connections {
                target: chart.feeder
                function onUpdated() {
                    tile.dashboard.reportChart(tile.channel, chart.feeder.pointCount, chart.feeder.sampleCount)
                }
            }
        }
    }

    Menu {
        id: menu
        objectName: "tileMenu:" + tile.key
        // Items act on clicked, which automation (--control click NAME) can send too.
        MenuItem { objectName: "tileEdit:" + tile.key; text: "Edit chart\u2026"; onClicked: tile.editRequested() }
        MenuItem { objectName: "tileFields:" + tile.key; text: "Fields\u2026"; onClicked: picker.open() }
        MenuSeparator {}
        MenuItem { objectName: "tileEarlier:" + tile.key; text: "Move earlier"; enabled: tile.index > 0; onClicked: tile.moveRequested(-1) }
        MenuItem { objectName: "tileLater:" + tile.key; text: "Move later"; enabled: tile.index < tile.tileCount - 1; onClicked: tile.moveRequested(1) }
        MenuItem {
            objectName: "tileWide:" + tile.key
            text: tile.spec.wide === true ? "Normal width" : "Full width"
            onClicked: tile.wideRequested(tile.spec.wide !== true)
        }
        MenuItem {
            objectName: "tileFull:" + tile.key
            text: tile.full ? "Back to all tiles" : "Full window"
            onClicked: tile.fullRequested(!tile.full)
        }
        MenuSeparator {}
        MenuItem { objectName: "tileRemove:" + tile.key; text: "Remove"; onClicked: tile.removeRequested() }
    }
    FieldPicker {
        id: picker
        objectName: "fieldPicker:" + tile.key
        x: tile.width - width - 12
        y: 40
        available: tile.dashboard.store.fields(tile.channel)
        chosen: tile.fields
        custom: tile.spec.custom === true
        onAboutToShow: available = tile.dashboard.store.fields(tile.channel)
        onApplied: (list) => tile.dashboard.setChartFields(tile.key, list)
    }
    Component.onDestruction: if (tile.dashboard) tile.dashboard.reportChart(tile.channel, 0, 0)
}
