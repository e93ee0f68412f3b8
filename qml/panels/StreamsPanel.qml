// Streams: one tile per channel with its numeric fields charted on a shared time axis.
// The toolbar picks the window (1, 5, 15 min, 1 h, 6 h, 24 h, 7 d: what lies before the rings is
// read from the local history), pauses, scrolls back, and exports. Zooming or
// panning one chart (drag, shift-drag, wheel) zooms every tile alike: one time axis for all;
// a double click, or Live, goes back to the live view. Space pauses and resumes.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property Dashboard dashboard
    property bool editable: true
    property bool paused: false
    property real scrollBackMs: 0
    // The shared zoom: [zoomStartMs, zoomEndMs], or 0 and 0 for the live view.
    property real zoomStartMs: 0
    property real zoomEndMs: 0
    readonly property bool zoomed: zoomEndMs > 0
    // The key of the tile shown alone, filling the panel (Esc goes back); empty: all tiles.
    property string fullKey: ""
    function zoomTo(startMs, endMs) {
        var span = Math.max(2000, endMs - startMs)
        var now = panel.dashboard.clock.nowMs
        var oldest = Math.min(now - panel.dashboard.store.retentionMs, panel.historyStartMs)
        // Not into the future, nor before the oldest data (the rings', or the local history's);
        // 2 s at least, back to that oldest at most.
        span = Math.min(span, now - oldest)
        var end = Math.min(now, Math.max(oldest + span, startMs + span))
        panel.zoomStartMs = end - span
        panel.zoomEndMs = end
    }
    function goLive() {
        panel.zoomStartMs = 0
        panel.zoomEndMs = 0
        panel.paused = false
        panel.scrollBackMs = 0
    }
    function togglePause() {
        if (panel.paused || panel.zoomed)
            panel.goLive()
        else
            panel.paused = true
    }
    Shortcut {
        sequence: "Esc"
        enabled: panel.visible && panel.fullKey !== ""
        onActivated: panel.fullKey = ""
    }
    Shortcut {
        sequence: "Space"
        enabled: panel.visible && panel.editable
        onActivated: panel.togglePause()
    }
    // The chart windows (ChartWindows: the same list the flag and the config file accept).
    readonly property var windowOptions: [{ label: "1 min", value: 60000 }, { label: "5 min", value: 300000 },
                                          { label: "15 min", value: 900000 }, { label: "1 h", value: 3600000 },
                                          { label: "6 h", value: 21600000 }, { label: "24 h", value: 86400000 },
                                          { label: "7 d", value: 604800000 }]
    // The buttons, the pause controls with their words and a slider, and the two buttons on the
    // right: room for all, or the windows go into a drop-down. From the labels' widths and the
    // other buttons' implicit widths only: the hidden row's own width (0) or what the layout gives
    // would loop.
    FontMetrics {
        id: pickerMetrics
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }
    readonly property real windowButtonsWidth: {
        var w = 4 * (windowOptions.length - 1) // Segmented's spacing
        for (var i = 0; i < windowOptions.length; ++i)
            w += Math.ceil(pickerMetrics.advanceWidth(windowOptions[i].label)) + 20 // its 10 px paddings
        return w
    }
    readonly property bool compactPicker: panel.width > 0 && panel.width < panel.windowButtonsWidth + pauseButton.implicitWidth
                                          + 300 + addChartButton.implicitWidth + exportButton.implicitWidth + 60
    readonly property int tileCount: dashboard.tileModel.count
    readonly property int columnCount: {
        if (dashboard.columns > 0) return dashboard.columns
        var n = tileCount
        if (n <= 1) return 1
        var fit = Math.max(1, Math.floor(grid.width / 460))
        return Math.min(fit, n <= 4 ? 2 : 3)
    }
    readonly property int rowCount: Math.max(1, Math.ceil(tileCount / columnCount))
    // Oldest sample any tile holds, in its rings or the local history: how far back the scroll can
    // go (now while there is none).
    readonly property real historyStartMs: {
        var oldest = 0
        for (var i = 0; i < repeater.count; ++i) {
            var item = repeater.itemAt(i) as StreamTile
            var start = item ? item.chart.feeder.historyStartMs : 0
            if (start > 0 && (oldest === 0 || start < oldest))
                oldest = start
        }
        return oldest > 0 ? oldest : panel.dashboard.clock.nowMs
    }

    function visibleSeries() {
        var list = []
        for (var i = 0; i < repeater.count; ++i) {
            var item = repeater.itemAt(i) as StreamTile
            var bound = item ? item.chart.feeder.boundSeries() : []
            for (var j = 0; j < bound.length; ++j)
                list.push(bound[j])
        }
        return list
    }
    function viewStart() {
        var item = repeater.itemAt(0) as StreamTile
        return item ? item.chart.feeder.viewStartMs : Date.now() - panel.dashboard.windowMs
    }
    function viewEnd() {
        var item = repeater.itemAt(0) as StreamTile
        return item ? item.chart.feeder.viewEndMs : Date.now()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            visible: panel.editable
            // The windows as a row of buttons; in a toolbar too narrow for them and the pause
            // controls (a 1000 px window), as a drop-down of the same choices.
            Segmented {
                objectName: "windowPicker"
                visible: !panel.compactPicker
                // Its width for the layout said outright (a change of it relays the row out): the
                // row's own implicit width alone, taken back from 0 after it was hidden, reached
                // the layout late (the pause button over it).
                Layout.preferredWidth: implicitWidth > 0 ? implicitWidth : panel.windowButtonsWidth
                Layout.preferredHeight: 30
                options: panel.windowOptions
                value: panel.dashboard.windowMs
                onPicked: (v) => panel.dashboard.windowMs = v
            }
            ThemeComboBox {
                objectName: "windowPickerCompact"
                visible: panel.compactPicker
                Layout.preferredWidth: 96
                implicitHeight: 30
                font.pixelSize: Theme.fontSmall
                model: panel.windowOptions.map(function(o) { return o.label })
                currentIndex: {
                    for (var i = 0; i < panel.windowOptions.length; ++i)
                        if (panel.windowOptions[i].value === panel.dashboard.windowMs)
                            return i
                    return -1
                }
                onActivated: (index) => panel.dashboard.windowMs = panel.windowOptions[index].value
                ToolTip.visible: hovered
                ToolTip.text: "Chart window"
            }
            ThemeButton {
                id: pauseButton
                objectName: "pauseButton"
                text: panel.paused || panel.zoomed ? "\u25b6  Live" : "\u275a\u275a  Pause"
                highlighted: panel.paused || panel.zoomed
                ToolTip.visible: hovered
                ToolTip.text: panel.paused || panel.zoomed ? "Back to the live view (Space)" : "Freeze the charts; data keeps arriving (Space)"
                onClicked: panel.togglePause()
            }
            Text {
                objectName: "zoomNote"
                visible: panel.zoomed
                text: "Zoomed to " + Qt.formatTime(new Date(panel.zoomStartMs), "HH:mm:ss") + "\u2013"
                      + Qt.formatTime(new Date(panel.zoomEndMs), "HH:mm:ss") + " \u00b7 double-click a chart for live"
                color: Theme.warn
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
            Text {
                visible: panel.paused && !panel.zoomed
                // The slider gives way first; the words only when nothing else can.
                Layout.minimumWidth: Math.min(implicitWidth, 60)
                elide: Text.ElideRight
                text: panel.scrollBackMs > 0 ? "Viewing " + Format.age(panel.scrollBackMs) + " before the pause" : "Paused: data keeps arriving"
                color: Theme.warn
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
            Slider {
                id: scroll
                visible: panel.paused && !panel.zoomed
                Layout.fillWidth: true
                Layout.preferredWidth: 260
                Layout.maximumWidth: 260
                Layout.minimumWidth: 40
                from: 0
                // Back to the oldest sample any tile holds (the local history's included), not to
                // an empty past.
                to: Math.max(0, panel.dashboard.clock.nowMs - panel.historyStartMs - panel.dashboard.windowMs)
                value: panel.scrollBackMs
                onMoved: panel.scrollBackMs = value
                // Right end is "now", as on the time axis.
                LayoutMirroring.enabled: true
            }
            Item { Layout.fillWidth: true }
            ThemeButton {
                id: addChartButton
                objectName: "addChartButton"
                text: "+  Add chart"
                ToolTip.visible: hovered
                ToolTip.text: "Chart fields of a channel, with a title, unit, range and thresholds"
                onClicked: chartDialog.openFor("", "")
            }
            // The three exports share one button: the toolbar fits a 1000 px window, paused too.
            ThemeButton {
                id: exportButton
                objectName: "exportMenuButton"
                text: "Export \u25be"
                onClicked: exportMenu.popup(exportButton, exportButton.width - exportMenu.width, exportButton.height)
                Menu {
                    id: exportMenu
                    objectName: "exportMenu"
                    MenuItem {
                        objectName: "exportLayoutButton"
                        text: "Layout as a config file\u2026"
                        onClicked: exportDialog.openWith(panel.dashboard.suggestedExportPath("json"))
                    }
                    MenuItem {
                        objectName: "exportCsvButton"
                        text: "Visible series as CSV\u2026"
                        enabled: panel.tileCount > 0
                        onClicked: { csvDialog.selectedFile = "file://" + panel.dashboard.suggestedExportPath("csv"); csvDialog.open() }
                    }
                    MenuItem {
                        objectName: "exportPngButton"
                        text: "PNG of the view\u2026"
                        onClicked: { pngDialog.selectedFile = "file://" + panel.dashboard.suggestedExportPath("png"); pngDialog.open() }
                    }
                    MenuSeparator {}
                    MenuItem {
                        objectName: "resetLayoutButton"
                        text: "Reset layout\u2026"
                        enabled: panel.editable
                        onClicked: resetDialog.open()
                    }
                }
            }
        }

        // Tiles keep a readable minimum height; when they do not all fit, the grid scrolls, and
        // only the tiles in view feed their charts (a chart off screen costs no drawing).
        Flickable {
            id: grid
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentWidth: width
            contentHeight: layout.height
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { policy: grid.contentHeight > grid.height ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded }
            Text {
                anchors.centerIn: parent
                visible: panel.tileCount === 0
                text: "No charts yet.\nAdd chart above, open Channels to subscribe, or start with --subscribe NAME."
                horizontalAlignment: Text.AlignHCenter
                color: Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
            }
            GridLayout {
                id: layout
                width: grid.width
                height: Math.max(grid.height, implicitHeight)
                columns: panel.columnCount
                rowSpacing: Theme.gap
                columnSpacing: Theme.gap
                Repeater {
                    id: repeater
                    // A model, not a list: a tile that changes updates in place, the others stay,
                    // and each tile's figures arrive as roles of its row.
                    model: panel.dashboard.tileModel
                    delegate: StreamTile {
                        id: streamTile
                        // Full window: this tile alone, the panel's whole height; wide: a whole row.
                        visible: panel.fullKey === "" || panel.fullKey === streamTile.key
                        full: panel.fullKey !== "" && panel.fullKey === streamTile.key
                        tileCount: panel.tileCount
                        Layout.columnSpan: streamTile.full || streamTile.spec.wide === true ? panel.columnCount : 1
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.preferredWidth: 100
                        Layout.preferredHeight: 100
                        Layout.minimumHeight: streamTile.full ? grid.height : 220
                        dashboard: panel.dashboard
                        windowMs: panel.dashboard.windowMs
                        paused: panel.paused
                        scrollBackMs: panel.scrollBackMs
                        zoomStartMs: panel.zoomStartMs
                        zoomEndMs: panel.zoomEndMs
                        interactive: panel.editable
                        onZoomRequested: (startMs, endMs) => panel.zoomTo(startMs, endMs)
                        onResetRequested: panel.goLive()
                        editable: panel.editable
                        onEditRequested: chartDialog.openFor(streamTile.key, "")
                        onMoveRequested: (delta) => panel.dashboard.moveTile(streamTile.key, delta)
                        onWideRequested: (wide) => panel.dashboard.setTileWide(streamTile.key, wide)
                        onFullRequested: (full) => panel.fullKey = full ? streamTile.key : ""
                        onRemoveRequested: {
                            var title = streamTile.spec.title || streamTile.channel
                            if (panel.fullKey === streamTile.key)
                                panel.fullKey = ""
                            var why = panel.dashboard.removeTile(streamTile.key)
                            toast.show(why.length ? why : "Removed " + title, why.length > 0)
                        }
                        inView: y + height > grid.contentY && y < grid.contentY + grid.height
                    }
                }
            }
        }
    }
    FileDialog {
        id: csvDialog
        objectName: "exportCsvDialog"
        title: "Export the visible series as CSV"
        fileMode: FileDialog.SaveFile
        acceptLabel: "Save"
        nameFilters: ["CSV files (*.csv)"]
        onAccepted: {
            var end = panel.viewEnd()
            var error = panel.dashboard.exportCsv(String(selectedFile), panel.visibleSeries(), panel.viewStart(), end)
            toast.show(error.length ? error : "Saved " + String(selectedFile).replace("file://", ""), error.length > 0)
        }
    }
    FileDialog {
        id: pngDialog
        objectName: "exportPngDialog"
        title: "Save a PNG of the current view"
        fileMode: FileDialog.SaveFile
        acceptLabel: "Save"
        nameFilters: ["PNG images (*.png)"]
        // Grab after the dialog has gone, or it is in the picture. (Qt 6.4's qmllint takes
        // Qt.callLater for a property of unknown type.)
        onAccepted: Qt.callLater(function() { // qmllint disable
            var error = panel.dashboard.savePng(panel, String(selectedFile))
            toast.show(error.length ? error : "Saved " + String(selectedFile).replace("file://", ""), error.length > 0)
        })
    }
    ChartDialog {
        id: chartDialog
        objectName: "chartDialog"
        dashboard: panel.dashboard
        onSaved: (title) => toast.show("Saved the chart " + title, false)
    }
    // Reset layout asks first: what the user built here goes, and the config's charts come back.
    Dialog {
        id: resetDialog
        objectName: "resetLayoutDialog"
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        focus: true
        padding: 20
        width: Math.min(520, (parent ? parent.width : 520) - 40)
        closePolicy: Popup.CloseOnEscape
        background: Rectangle { color: Theme.surfaceRaised; radius: Theme.radius; border.color: Theme.borderStrong }
        onAccepted: {
            var charts = panel.dashboard.resetLayout()
            panel.fullKey = ""
            toast.show(charts > 0 ? "Layout reset to the config's " + charts + (charts === 1 ? " chart" : " charts")
                                  : "Layout reset: every subscribed channel has its automatic chart", false)
        }
        ColumnLayout {
            anchors.fill: parent
            spacing: 10
            Text {
                text: "Reset the layout?"
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.weight: Font.DemiBold
            }
            Text {
                objectName: "resetLayoutMessage"
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                readonly property int charts: panel.dashboard.configChartCount()
                text: (charts > 0 ? "The charts go back to the config's " + charts + (charts === 1 ? " chart" : " charts")
                                  : "The charts you built go; every subscribed channel gets its automatic chart")
                      + ", and the arrangement saved here is removed. Channels subscribed only for a removed chart are unsubscribed. Export the layout first to keep a copy."
                color: Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.topMargin: 6
                Item { Layout.fillWidth: true }
                ThemeButton {
                    objectName: "resetLayoutCancel"
                    text: "Cancel"
                    onClicked: resetDialog.reject()
                }
                ThemeButton {
                    objectName: "resetLayoutConfirm"
                    text: "Reset"
                    highlighted: true
                    onClicked: resetDialog.accept()
                }
            }
        }
    }
    ExportLayoutDialog {
        id: exportDialog
        objectName: "exportLayoutDialog"
        dashboard: panel.dashboard
        onExported: (path) => toast.show("Exported the layout to " + path, false)
    }
    Toast { id: toast }
}
