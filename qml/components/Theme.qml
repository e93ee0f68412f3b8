// Colours, type and spacing of the dashboard: dark, calm, and colour only where it means
// something (green open, amber reconnecting/warning, red failed/alarm, grey stale).
pragma Singleton
import QtQuick

QtObject {
    readonly property color background: "#0d1117"
    readonly property color surface: "#151b23"
    readonly property color surfaceRaised: "#1c232d"
    readonly property color border: "#262e3a"
    readonly property color borderStrong: "#364152"
    readonly property color text: "#e6edf3"
    readonly property color textDim: "#9aa5b4"
    readonly property color textFaint: "#5f6b7a"
    readonly property color accent: "#4ea1ff"
    readonly property color ok: "#3fb950"
    readonly property color warn: "#e3b341"
    readonly property color error: "#f85149"
    readonly property color stale: "#6e7681"
    readonly property color grid: "#1f2630"

    readonly property var seriesColors: ["#4ea1ff", "#3fb950", "#e3b341", "#d2a8ff", "#ff7b72", "#56d4dd", "#ffa657", "#a5d6ff"]

    readonly property string fontFamily: "DejaVu Sans"
    readonly property string monoFamily: "DejaVu Sans Mono"
    readonly property int fontSmall: 11
    readonly property int fontBody: 13
    readonly property int fontTitle: 15
    readonly property int fontValue: 22
    readonly property int fontHero: 30

    readonly property int radius: 8
    readonly property int gap: 12
    readonly property int pad: 16

    function severityColor(severity) {
        switch (severity) {
        case "ok": return ok
        case "warn": return warn
        case "error": return error
        default: return stale
        }
    }
    function levelColor(level) {
        return level >= 2 ? error : level === 1 ? warn : text
    }
    function seriesColor(i) {
        return seriesColors[i % seriesColors.length]
    }
}
