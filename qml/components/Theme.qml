// Colours, type and spacing of the dashboard: dark (or light), calm, and colour only where it
// means something (green open, amber reconnecting/warning, red failed/alarm, grey stale, violet a
// replay of a recording).
pragma Singleton
import QtQuick

QtObject {
    // Which palette: "dark" (the default) or "light", as Dashboard.theme says (Main.qml binds it).
    // Every colour below follows it, so a panel never names a colour of its own.
    property string name: "dark"
    readonly property bool light: name === "light"

    readonly property color background: light ? "#f6f8fa" : "#0d1117"
    readonly property color surface: light ? "#ffffff" : "#151b23"
    readonly property color surfaceRaised: light ? "#eaeef2" : "#1c232d"
    readonly property color border: light ? "#d0d7de" : "#262e3a"
    readonly property color borderStrong: light ? "#afb8c1" : "#364152"
    readonly property color text: light ? "#1f2328" : "#e6edf3"
    readonly property color textDim: light ? "#4f5964" : "#9aa5b4"
    readonly property color textFaint: light ? "#6e7781" : "#626e7d"
    readonly property color accent: light ? "#0969da" : "#4ea1ff"
    readonly property color ok: light ? "#1a7f37" : "#3fb950"
    readonly property color warn: light ? "#9a6700" : "#e3b341"
    readonly property color error: light ? "#cf222e" : "#f85149"
    readonly property color stale: light ? "#8c959f" : "#6e7681"
    // A replay (pulseboard --replay): violet, never the live green or the warning amber.
    readonly property color replay: light ? "#8250df" : "#bc8cff"
    readonly property color grid: light ? "#e6eaef" : "#1f2630"
    // Text on a highlighted control: white on the light theme's deep blue, near-black on the dark
    // theme's bright one (white there reads at 2.6:1).
    readonly property color textOnAccent: light ? "#ffffff" : "#0d1117"
    readonly property color shadow: light ? "#8c959f" : "#000000"

    // Washes: one of the colours above at low opacity, laid over a surface to tint it.
    readonly property color alarmWash: light ? Qt.rgba(0.81, 0.13, 0.18, 0.07) : Qt.rgba(0.97, 0.32, 0.29, 0.08)  // error: a tile in alarm
    readonly property color warnWash: light ? Qt.rgba(0.60, 0.40, 0, 0.07) : Qt.rgba(0.89, 0.70, 0.25, 0.06)      // warn: a tile past a warning
    readonly property color hoverWash: light ? Qt.rgba(0.04, 0.41, 0.85, 0.08) : Qt.rgba(0.31, 0.63, 1, 0.10)     // accent: a row under the pointer
    readonly property color currentWash: light ? Qt.rgba(0.04, 0.41, 0.85, 0.12) : Qt.rgba(0.31, 0.63, 1, 0.16)   // accent: the panel shown, in the rail
    readonly property color selectedWash: light ? Qt.rgba(0.04, 0.41, 0.85, 0.14) : Qt.rgba(0.31, 0.63, 1, 0.18)  // accent: the row picked in a list
    readonly property color changedWash: light ? Qt.rgba(0.60, 0.40, 0, 0.16) : Qt.rgba(0.89, 0.70, 0.25, 0.16)   // warn: a value that changed since the previous frame
    readonly property color addedWash: light ? Qt.rgba(0.10, 0.50, 0.22, 0.12) : Qt.rgba(0.25, 0.73, 0.31, 0.13)  // ok: a value the previous frame did not have
    readonly property color removedWash: light ? Qt.rgba(0.81, 0.13, 0.18, 0.10) : Qt.rgba(0.97, 0.32, 0.29, 0.12) // error: a value only the previous frame had
    readonly property color stripeWash: light ? Qt.rgba(0, 0, 0, 0.025) : Qt.rgba(1, 1, 1, 0.015)                // every other row of a list

    // Series colours: strong enough on either background (on white the dark theme's yellow and
    // pale blue would vanish).
    readonly property var seriesColors: light
        ? ["#0969da", "#1a7f37", "#b35900", "#8250df", "#cf222e", "#1b7c83", "#6f7a00", "#bf3989"]
        : ["#4ea1ff", "#3fb950", "#e3b341", "#d2a8ff", "#ff7b72", "#56d4dd", "#ffa657", "#a5d6ff"]

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
        case "replay": return replay
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
