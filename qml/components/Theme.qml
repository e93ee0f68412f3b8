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
    readonly property color textOnAccent: "#ffffff"   // text on a highlighted control
    readonly property color shadow: "#000000"

    // Washes: one of the colours above at low opacity, laid over a surface to tint it.
    readonly property color alarmWash: Qt.rgba(0.97, 0.32, 0.29, 0.08)  // error: a tile in alarm
    readonly property color warnWash: Qt.rgba(0.89, 0.70, 0.25, 0.06)   // warn: a tile past a warning
    readonly property color hoverWash: Qt.rgba(0.31, 0.63, 1, 0.10)     // accent: a row under the pointer
    readonly property color currentWash: Qt.rgba(0.31, 0.63, 1, 0.16)   // accent: the panel shown, in the rail
    readonly property color selectedWash: Qt.rgba(0.31, 0.63, 1, 0.18)  // accent: the row picked in a list
    readonly property color stripeWash: Qt.rgba(1, 1, 1, 0.015)         // every other row of a list

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
