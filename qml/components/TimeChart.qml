// A time chart fed by a ChartFeeder: the feeder decimates the visible window of each bound
// series and replaces the series' points in one call per display tick. `specs` lists what to
// draw: [{source, path, label, color, kind: "line" | "scatter", origin: "dashboard" for the
// dashboard's own figures (SeriesKey), else a channel}].
import QtQuick
import QtCharts
import Pulseboard

ChartView {
    id: chart
    property alias feeder: feeder
    property var store
    property var clock
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
    property bool inView: true

    objectName: "chart:" + name
    antialiasing: true
    backgroundColor: "transparent"
    plotAreaColor: "transparent"
    backgroundRoundness: 0
    legend.visible: false
    animationOptions: ChartView.NoAnimation
    dropShadowEnabled: false
    margins { top: 6; bottom: 2; left: 2; right: 10 }
    opacity: stale ? 0.45 : 1.0

    ChartFeeder {
        id: feeder
        store: chart.store
        clock: chart.clock
        windowMs: chart.windowMs
        paused: chart.paused
        scrollBackMs: chart.scrollBackMs
        columns: Math.max(10, Math.round(chart.plotArea.width))
        active: chart.visible && chart.inView
        yFrom: chart.yFrom
        yTo: chart.yTo
        // A line broken by an outage continues in series drawn exactly like it.
        onSegmentSeriesNeeded: (primary, count) => {
            for (var i = 0; i < count; ++i) {
                var s = chart.createSeries(ChartView.SeriesTypeLine, primary.name, xAxis, yAxis)
                s.color = primary.color
                s.width = primary.width
                feeder.addSegmentSeries(primary, s)
            }
        }
    }

    DateTimeAxis {
        id: xAxis
        min: feeder.viewStart
        max: feeder.viewEnd
        format: chart.windowMs > 120000 ? "HH:mm" : "HH:mm:ss"
        tickCount: chart.compact ? 3 : 5
        labelsColor: Theme.textFaint
        labelsFont.family: Theme.fontFamily
        labelsFont.pixelSize: 10
        gridLineColor: Theme.grid
        lineVisible: false
        shadesVisible: false
    }
    // Qt Charts 6.4 declares no ValueAxis in its .qmltypes (its plugin registers the type in
    // code): the lint cannot see it, the engine loads it.
    // qmllint disable
    ValueAxis {
        id: yAxis
        min: feeder.yMin
        max: feeder.yMax
        tickCount: Math.min(7, Math.max(2, feeder.yTickCount))
        labelFormat: "%.4g"
        labelsVisible: chart.showYLabels
        labelsColor: Theme.textFaint
        labelsFont.family: Theme.fontFamily
        labelsFont.pixelSize: 10
        gridLineColor: Theme.grid
        lineVisible: false
        minorGridVisible: false
    }
    // qmllint enable

    function rebuild() {
        feeder.clear()
        chart.removeAllSeries()
        for (var i = 0; i < specs.length; ++i) {
            var spec = specs[i]
            var scatter = spec.kind === "scatter"
            var s = chart.createSeries(scatter ? ChartView.SeriesTypeScatter : ChartView.SeriesTypeLine,
                                       spec.label || spec.path, xAxis, yAxis)
            s.color = spec.color || Theme.seriesColor(i)
            if (scatter) {
                s.markerSize = 9
                s.borderColor = "transparent"
            } else {
                s.width = 2
            }
            feeder.attach(s, spec.source, spec.path, spec.origin || "")
        }
        feeder.refresh()
    }
    onSpecsChanged: rebuild()
    Component.onCompleted: rebuild()
}
