// A time chart fed by a ChartFeeder: the feeder decimates the visible window of each bound
// series and replaces the series' points in one call per display tick. `specs` lists what to
// draw: [{source, path, label, color, kind: "line" | "scatter", origin: "dashboard" for the
// dashboard's own figures (SeriesKey), else a channel}].
// The lines are a PlotLayer (C++, painted; docs/ARCHITECTURE.md, "Drawing"); the grid, the axes'
// labels, the crosshair are plain items, redrawn only when they change. The feeder picks as many
// value ticks as the plot's height has room for (an SI suffix keeps them short) and time ticks
// at round, aligned times, and the left margin grows to the widest label, so a label is never
// elided to "..", however short the plot.
pragma ComponentBehavior: Bound
import QtQuick
import Pulseboard
import "Format.js" as Format

Item {
    id: chart
    property alias feeder: feeder
    property var store: null
    property var clock: null
    // The local history (Dashboard.chartHistory): what the view shows before the rings; null for
    // the dashboard's own figures, which it does not record.
    property var history: null
    property var specs: []
    property int windowMs: 60000
    property bool paused: false
    property real scrollBackMs: 0
    property var yFrom
    property var yTo
    property bool stale: false
    property bool compact: false
    property string name: ""
    property bool showYLabels: true
    property bool showEmptyHint: true
    property bool inView: true
    // Reading with the mouse (docs/DASHBOARD.md): a crosshair with each series' value under
    // the pointer; a drag asks to zoom to the dragged range, a shift-drag or the wheel to pan,
    // a double click to go back to live. The chart does not zoom itself: its owner decides
    // (the Streams panel zooms every tile alike) and sets zoomStartMs/zoomEndMs.
    property bool interactive: false
    property real zoomStartMs: 0
    property real zoomEndMs: 0 // 0: not zoomed, the view follows windowMs, pause and scroll
    readonly property bool zoomed: zoomEndMs > zoomStartMs && zoomEndMs > 0
    signal zoomRequested(real startMs, real endMs)
    signal resetRequested()
    // What the crosshair reads: feeder.valuesAt() at the pointer's time, [] when not hovering.
    readonly property real hoverTimeMs: pointer.hoverX >= 0 ? chart.timeForX(chart.plotLeft + pointer.hoverX) : 0
    readonly property var hoverValues: pointer.hoverX >= 0 && !pointer.dragging
                                       ? feeder.valuesAt(chart.hoverTimeMs, chart.hoverToleranceMs()) : []
    function hoverToleranceMs() {
        // 24 px either side, at least 5 s (a slow channel is still read), at most a quarter view.
        var perPx = feeder.windowMs / chart.plotWidth
        return Math.min(feeder.windowMs / 4, Math.max(24 * perPx, 5000))
    }

    // The plot in item coordinates (room for the labels: the widest value label on the left, a
    // line of time labels under the plot), and the time and value under a point of it.
    readonly property real plotLeft: chart.showYLabels ? chart.yLabelWidth + 8 : 4
    readonly property real plotTop: 8
    readonly property real plotWidth: Math.max(1, chart.width - chart.plotLeft - 12)
    readonly property real plotHeight: Math.max(1, chart.height - chart.plotTop - labelMetrics.height - 6)
    // The same as one rectangle (the screenshot's sidecar and --control snapshot list them).
    readonly property rect plotArea: Qt.rect(chart.plotLeft, chart.plotTop, chart.plotWidth, chart.plotHeight)
    readonly property real axisStartMs: feeder.viewStartMs - chart.edgePadMs
    readonly property real axisEndMs: feeder.viewEndMs + chart.edgePadMs
    // Markers (scatter series) are drawn whole at the plot's edges: the time axis reaches a
    // marker's radius beyond the view on both sides, so one at "now" is not cut in half.
    readonly property bool hasMarkers: {
        for (var i = 0; i < specs.length; ++i)
            if (specs[i].kind === "scatter")
                return true
        return false
    }
    readonly property real edgePadMs: hasMarkers ? 6 * feeder.windowMs / Math.max(1, chart.width - 60) : 0
    function xForTime(ms) {
        return chart.plotLeft + (ms - chart.axisStartMs) / Math.max(1, chart.axisEndMs - chart.axisStartMs) * chart.plotWidth
    }
    function timeForX(x) {
        return chart.axisStartMs + (x - chart.plotLeft) / chart.plotWidth * (chart.axisEndMs - chart.axisStartMs)
    }
    function yForValue(v) {
        var span = feeder.yMax - feeder.yMin
        return chart.plotTop + (span > 0 ? (1 - (v - feeder.yMin) / span) : 0.5) * chart.plotHeight
    }

    objectName: "chart:" + name
    opacity: stale ? 0.45 : 1.0

    readonly property real yLabelWidth: {
        var widest = 0
        var ticks = feeder.yTicks
        for (var i = 0; i < ticks.length; ++i)
            widest = Math.max(widest, labelMetrics.advanceWidth(ticks[i].label))
        return Math.ceil(widest)
    }
    FontMetrics {
        id: labelMetrics
        font.family: Theme.fontFamily
        font.pixelSize: 10
    }

    ChartFeeder {
        id: feeder
        store: chart.store
        clock: chart.clock
        history: chart.history
        windowMs: chart.zoomed ? Math.max(1000, chart.zoomEndMs - chart.zoomStartMs) : chart.windowMs
        fixedEndMs: chart.zoomed ? chart.zoomEndMs : 0
        paused: chart.paused
        scrollBackMs: chart.scrollBackMs
        columns: Math.max(10, Math.round(chart.plotWidth))
        active: chart.visible && chart.inView
        yFrom: chart.yFrom
        yTo: chart.yTo
        // A label every 24 px at most (a label is 12 px high), one time label per 80 px.
        maxYTicks: Math.max(2, Math.min(7, Math.floor(chart.plotHeight / 24) + 1))
        maxTimeTicks: Math.max(2, Math.min(8, Math.floor(chart.plotWidth / 80)))
    }

    // The lines, over the grid. `inset` leaves a marker's radius around the plot, so a marker at
    // the plot's edge is drawn whole (the time axis also reaches that far: edgePadMs).
    PlotLayer {
        id: plot
        objectName: "plotLayer"
        readonly property real pad: chart.hasMarkers ? 6 : 1
        x: chart.plotLeft - pad
        y: chart.plotTop - pad
        width: chart.plotWidth + 2 * pad
        height: chart.plotHeight + 2 * pad
        inset: pad
        xMin: chart.axisStartMs
        xMax: chart.axisEndMs
        yMin: feeder.yMin
        yMax: feeder.yMax
    }

    // Grid lines under the series, labels beside and below the plot.
    Item {
        id: axes
        anchors.fill: parent
        z: -1
        Repeater {
            model: feeder.yTicks
            delegate: Item {
                id: yTick
                required property var modelData
                readonly property real py: chart.yForValue(yTick.modelData.value)
                Rectangle {
                    x: chart.plotLeft
                    y: Math.round(yTick.py)
                    width: chart.plotWidth
                    height: 1
                    color: Theme.grid
                }
                Text {
                    visible: chart.showYLabels
                    x: chart.plotLeft - 6 - width
                    y: Math.round(yTick.py - height / 2)
                    text: yTick.modelData.label
                    color: Theme.textFaint
                    font: labelMetrics.font
                }
            }
        }
        Repeater {
            model: feeder.timeTicks
            delegate: Item {
                id: tTick
                required property var modelData
                readonly property real px: chart.xForTime(tTick.modelData.t)
                visible: px >= chart.plotLeft - 0.5 && px <= chart.plotLeft + chart.plotWidth + 0.5
                Rectangle {
                    x: Math.round(tTick.px)
                    y: chart.plotTop
                    width: 1
                    height: chart.plotHeight
                    color: Theme.grid
                }
                Text {
                    // Kept inside the chart at the ends rather than cut; at the left end, not
                    // under the value labels (the lowest one reaches below the plot): a tick
                    // that close to them goes without its time.
                    visible: !chart.showYLabels || tTick.px - width / 2 >= chart.plotLeft - 6
                    x: Math.max(0, Math.min(chart.width - width, tTick.px - width / 2))
                    y: chart.plotTop + chart.plotHeight + 3
                    text: tTick.modelData.label
                    color: Theme.textFaint
                    font: labelMetrics.font
                }
            }
        }
    }

    // Nothing in the view: say why rather than show an empty plot.
    Text {
        objectName: "emptyHint"
        visible: chart.showEmptyHint && chart.specs.length > 0 && feeder.sampleCount === 0
        // The plot's width, centred: a width from the wrapped words' own would loop.
        x: chart.plotLeft
        y: chart.plotTop + (chart.plotHeight - height) / 2
        width: Math.max(0, chart.plotWidth)
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        text: {
            if (feeder.historyStartMs <= 0)
                return "No data yet"
            if (feeder.historyStartMs > feeder.viewEndMs)
                return "No data in this range \u00b7 live from " + Qt.formatTime(new Date(feeder.historyStartMs), "HH:mm:ss")
            if (feeder.lastSampleMs < feeder.viewStartMs)
                return "No data in this range \u00b7 last at " + Qt.formatTime(new Date(feeder.lastSampleMs), "HH:mm:ss")
            return "No data in this range"
        }
        color: Theme.textDim
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }

    // A view that reaches before what the rings can hold (a window longer than their retention,
    // or scrolled back past it) and before the oldest data: say where the data starts, quietly,
    // rather than let the empty part pass for a flat or missing signal. "history from" when the
    // local history holds it, "data from" with what the rings hold when there is none. (Within
    // the rings' reach, the first minutes of a run, the line simply starts.)
    Text {
        objectName: "historyStartNote"
        readonly property real startMs: feeder.historyStartMs
        readonly property bool sameDay: new Date(startMs).toDateString() === new Date(feeder.viewEndMs).toDateString()
        readonly property bool pastRings: chart.store !== null
                                          && feeder.viewStartMs < (chart.clock ? chart.clock.nowMs : feeder.viewEndMs) - chart.store.retentionMs
        visible: chart.showEmptyHint && pastRings && feeder.sampleCount > 0 && startMs > 0
                 && startMs > feeder.viewStartMs + feeder.windowMs / 50 && startMs < feeder.viewEndMs
        x: Math.max(chart.plotLeft + 4, Math.min(chart.plotLeft + chart.plotWidth - width - 4, chart.xForTime(startMs) + 4))
        y: chart.plotTop + 2
        text: (feeder.historyAvailable ? "history from " : "data from ")
              + Qt.formatDateTime(new Date(startMs), sameDay ? "HH:mm" : "ddd HH:mm")
              + (chart.history !== null && !feeder.historyAvailable ? " \u00b7 no local history" : "")
        color: Theme.textFaint
        font.family: Theme.fontFamily
        font.pixelSize: 10
    }
    // The pointer: crosshair, drag to zoom, shift-drag or wheel to pan, double click for live.
    MouseArea {
        id: pointer
        objectName: "chartPointer"
        property real hoverX: -1
        property real pressX: -1
        property bool panning: false
        property real panStartMs: 0
        property real panEndMs: 0
        readonly property bool dragging: pressed && !panning && Math.abs(hoverX - pressX) >= 4
        x: chart.plotLeft
        y: chart.plotTop
        width: chart.plotWidth
        height: chart.plotHeight
        enabled: chart.interactive
        visible: chart.interactive
        hoverEnabled: true
        preventStealing: true
        cursorShape: panning ? Qt.ClosedHandCursor : Qt.CrossCursor
        onExited: hoverX = -1
        onPressed: (mouse) => {
            pressX = mouse.x
            hoverX = mouse.x
            panning = (mouse.modifiers & Qt.ShiftModifier) !== 0
            panStartMs = feeder.viewStartMs
            panEndMs = feeder.viewEndMs
        }
        onPositionChanged: (mouse) => {
            hoverX = Math.max(0, Math.min(width, mouse.x))
            if (pressed && panning) {
                var dt = (mouse.x - pressX) / chart.plotWidth * (panEndMs - panStartMs)
                chart.zoomRequested(panStartMs - dt, panEndMs - dt)
            }
        }
        onReleased: (mouse) => {
            var x = Math.max(0, Math.min(width, mouse.x))
            if (!panning && Math.abs(x - pressX) >= 4) {
                var a = chart.timeForX(chart.plotLeft + Math.min(pressX, x))
                var b = chart.timeForX(chart.plotLeft + Math.max(pressX, x))
                chart.zoomRequested(a, b)
            }
            pressX = -1
            panning = false
        }
        onDoubleClicked: chart.resetRequested()
        // The wheel pans a tenth of the view a notch (up: back in time); with Ctrl it zooms
        // around the pointer.
        onWheel: (wheel) => {
            var notches = (wheel.angleDelta.y !== 0 ? wheel.angleDelta.y : wheel.angleDelta.x) / 120
            if (notches === 0)
                return
            var start = feeder.viewStartMs
            var end = feeder.viewEndMs
            if (wheel.modifiers & Qt.ControlModifier) {
                var at = chart.timeForX(chart.plotLeft + wheel.x)
                var f = Math.pow(0.8, notches)
                chart.zoomRequested(at - (at - start) * f, at + (end - at) * f)
            } else {
                var dt = notches * 0.1 * (end - start)
                chart.zoomRequested(start - dt, end - dt)
            }
        }
    }
    // The dragged range, shaded.
    Rectangle {
        visible: pointer.dragging
        x: chart.plotLeft + Math.min(pointer.pressX, pointer.hoverX)
        y: chart.plotTop
        width: Math.abs(pointer.hoverX - pointer.pressX)
        height: chart.plotHeight
        color: Theme.accent
        opacity: 0.18
    }
    // The crosshair: a line at the pointer, a dot on each series' sample, the values beside.
    Item {
        id: crosshair
        visible: chart.hoverValues.length > 0
        anchors.fill: parent
        Rectangle {
            x: Math.round(chart.plotLeft + pointer.hoverX)
            y: chart.plotTop
            width: 1
            height: chart.plotHeight
            color: Theme.textDim
        }
        Repeater {
            model: chart.hoverValues
            delegate: Rectangle {
                id: dot
                required property var modelData
                visible: dot.modelData.found
                width: 8; height: 8; radius: 4
                x: chart.xForTime(dot.modelData.t || 0) - 4
                y: chart.yForValue(dot.modelData.value || 0) - 4
                color: dot.modelData.color
                border.color: Theme.surface
                border.width: 1
            }
        }
        Rectangle {
            id: readout
            objectName: "hoverReadout"
            readonly property bool leftSide: pointer.hoverX > chart.plotWidth / 2
            x: leftSide ? chart.plotLeft + pointer.hoverX - width - 10 : chart.plotLeft + pointer.hoverX + 10
            y: chart.plotTop + 4
            width: readoutColumn.implicitWidth + 14
            height: readoutColumn.implicitHeight + 10
            radius: 4
            color: Theme.surface
            border.color: Theme.border
            Column {
                id: readoutColumn
                x: 7
                y: 5
                spacing: 2
                Text {
                    text: Qt.formatTime(new Date(chart.hoverTimeMs), "HH:mm:ss")
                    color: Theme.textDim
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
                Repeater {
                    model: chart.hoverValues
                    delegate: Text {
                        id: line
                        required property var modelData
                        text: "● " + line.modelData.name + "  " + (line.modelData.found ? Format.number(line.modelData.value) : "–")
                        color: line.modelData.found ? line.modelData.color : Theme.textFaint
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }
        }
    }

    function rebuild() {
        feeder.clear()
        plot.removeAll()
        for (var i = 0; i < specs.length; ++i) {
            var spec = specs[i]
            var scatter = spec.kind === "scatter"
            var line = plot.addLine(scatter ? "markers" : "line", spec.label || spec.path,
                                    spec.color || Theme.seriesColor(i), scatter ? 9 : 2)
            feeder.attach(line, spec.source, spec.path, spec.origin || "")
        }
        feeder.refresh()
    }
    onSpecsChanged: rebuild()
    Component.onCompleted: rebuild()
}
