// Streams: one tile per channel with its numeric fields charted on a shared time axis.
// The toolbar picks the window (1/5/15 min), pauses, scrolls back, and exports.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    property var dashboard
    property bool editable: true
    property bool paused: false
    property real scrollBackMs: 0
    readonly property var tiles: dashboard ? dashboard.tiles : []
    readonly property int columnCount: {
        if (dashboard && dashboard.columns > 0) return dashboard.columns
        var n = tiles.length
        if (n <= 1) return 1
        var fit = Math.max(1, Math.floor(grid.width / 460))
        return Math.min(fit, n <= 4 ? 2 : 3)
    }
    readonly property int rowCount: Math.max(1, Math.ceil(tiles.length / columnCount))
    // Oldest sample any tile holds: how far back the scroll can go.
    property real historyStartMs: 0

    function visibleSeries() {
        var list = []
        for (var i = 0; i < repeater.count; ++i) {
            var item = repeater.itemAt(i)
            if (item) list = list.concat(item.chart.feeder.boundSeries())
        }
        return list
    }
    function viewEnd() {
        var item = repeater.itemAt(0)
        return item ? item.chart.feeder.viewEndMs : Date.now()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            visible: panel.editable
            Segmented {
                options: [{ label: "1 min", value: 60000 }, { label: "5 min", value: 300000 }, { label: "15 min", value: 900000 }]
                value: panel.dashboard ? panel.dashboard.windowMs : 60000
                onPicked: (v) => panel.dashboard.windowMs = v
            }
            Button {
                objectName: "pauseButton"
                text: panel.paused ? "\u25b6  Live" : "\u275a\u275a  Pause"
                highlighted: panel.paused
                onClicked: { panel.paused = !panel.paused; if (!panel.paused) panel.scrollBackMs = 0 }
            }
            Text {
                visible: panel.paused
                text: panel.scrollBackMs > 0 ? "Viewing " + Format.age(panel.scrollBackMs) + " before the pause" : "Paused: data keeps arriving"
                color: Theme.warn
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
            Slider {
                id: scroll
                visible: panel.paused
                Layout.preferredWidth: 260
                from: 0
                to: Math.max(0, (panel.dashboard ? panel.dashboard.store.retentionMs : 0) - (panel.dashboard ? panel.dashboard.windowMs : 0))
                value: panel.scrollBackMs
                onMoved: panel.scrollBackMs = value
                // Right end is "now", as on the time axis.
                LayoutMirroring.enabled: true
            }
            Item { Layout.fillWidth: true }
            Button {
                text: "Export CSV"
                enabled: panel.tiles.length > 0
                onClicked: { csvDialog.selectedFile = "file://" + panel.dashboard.suggestedExportPath("csv"); csvDialog.open() }
            }
            Button {
                text: "Export PNG"
                onClicked: { pngDialog.selectedFile = "file://" + panel.dashboard.suggestedExportPath("png"); pngDialog.open() }
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
                visible: panel.tiles.length === 0
                text: "No channels subscribed yet.\nOpen Channels to subscribe, or start with --subscribe NAME."
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
                    // A model, not the list: a tile that changes updates in place, the others stay.
                    model: panel.dashboard ? panel.dashboard.tileModel : null
                    delegate: StreamTile {
                        required property var spec
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.preferredWidth: 100
                        Layout.preferredHeight: 100
                        Layout.minimumHeight: 220
                        dashboard: panel.dashboard
                        tileSpec: spec
                        windowMs: panel.dashboard ? panel.dashboard.windowMs : 60000
                        paused: panel.paused
                        scrollBackMs: panel.scrollBackMs
                        editable: panel.editable
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
            var error = panel.dashboard.exportCsv(selectedFile.toString(), panel.visibleSeries(), end - panel.dashboard.windowMs, end)
            toast.show(error.length ? error : "Saved " + selectedFile.toString().replace("file://", ""), error.length > 0)
        }
    }
    FileDialog {
        id: pngDialog
        objectName: "exportPngDialog"
        title: "Save a PNG of the current view"
        fileMode: FileDialog.SaveFile
        acceptLabel: "Save"
        nameFilters: ["PNG images (*.png)"]
        // Grab after the dialog has gone, or it is in the picture.
        onAccepted: Qt.callLater(function() {
            var error = panel.dashboard.savePng(panel, selectedFile.toString())
            toast.show(error.length ? error : "Saved " + selectedFile.toString().replace("file://", ""), error.length > 0)
        })
    }
    Toast { id: toast }
}
