// Connection health: RTT, message rate, bytes/s and Outbox depth over time, with connects,
// disconnects and errors marked on the same time axis; the event log in words beside them. With
// several sources, a row of their names picks whose figures, charts and capabilities are shown.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property Dashboard dashboard
    // Whose health: 0 the first source (the header's), n the dashboard's n-th further source;
    // picked in the panel, or (>= 0) by the kiosk's cycle.
    property int sourceIndex: 0
    property int kioskSource: -1
    readonly property int shownSource: kioskSource >= 0 ? kioskSource : sourceIndex
    // The first source's name as the source strip shows it.
    property string firstName: "first"
    readonly property DashboardSource source: shownSource > 0 && shownSource <= dashboard.sources.length
                                              ? dashboard.sources[shownSource - 1] : null
    readonly property HealthHistory health: source ? source.health : dashboard.health
    readonly property bool live: source ? source.status.live : dashboard.status.live
    readonly property ConnectionMirror connection: source ? source.connection : dashboard.connection
    readonly property int windowMs: dashboard.windowMs
    // The charts read with the mouse as the Streams tiles do: hover for each series' value, a
    // drag zooms every Health chart to that range, a double click goes back to live.
    property real zoomStartMs: 0
    property real zoomEndMs: 0
    readonly property bool zoomed: zoomEndMs > 0
    function zoomTo(startMs, endMs) {
        var now = panel.dashboard.clock.nowMs
        var span = Math.min(Math.max(2000, endMs - startMs), panel.dashboard.store.retentionMs)
        var end = Math.min(now, Math.max(now - panel.dashboard.store.retentionMs + span, startMs + span))
        panel.zoomStartMs = end - span
        panel.zoomEndMs = end
    }

    component HealthChart: Card {
        id: hc
        property alias specs: tc.specs
        property alias chartName: tc.name
        property var yFrom: 0
        property var yTo
        property alias showYLabels: tc.showYLabels
        property alias showEmptyHint: tc.showEmptyHint
        Layout.fillWidth: true
        Layout.fillHeight: true
        headerExtras: Chip {
            objectName: "healthZoomChip"
            visible: panel.zoomed
            text: "ZOOM \u00b7 double-click for live"
            tint: Theme.warn
        }
        // Room for a plot with three ticks under the title: a short window scrolls instead.
        Layout.minimumHeight: 150
        TimeChart {
            id: tc
            anchors.fill: parent
            anchors.leftMargin: -8
            anchors.rightMargin: -8
            compact: true
            store: panel.dashboard.store
            clock: panel.dashboard.clock
            windowMs: panel.windowMs
            yFrom: hc.yFrom
            yTo: hc.yTo
            interactive: true
            zoomStartMs: panel.zoomStartMs
            zoomEndMs: panel.zoomEndMs
            onZoomRequested: (startMs, endMs) => panel.zoomTo(startMs, endMs)
            onResetRequested: { panel.zoomStartMs = 0; panel.zoomEndMs = 0 }
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.gap

        // The figures and charts keep readable heights; in a short window they scroll.
        Flickable {
            id: leftScroll
            readonly property bool scrolls: leftColumn.implicitHeight > height + 1
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentWidth: width
            contentHeight: leftColumn.height
            boundsBehavior: Flickable.StopAtBounds
            interactive: scrolls
            ScrollBar.vertical: ScrollBar { policy: leftScroll.scrolls ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded }

            ColumnLayout {
                id: leftColumn
                width: leftScroll.width - (leftScroll.scrolls ? 14 : 0)
                height: Math.max(leftScroll.height, implicitHeight)
                spacing: Theme.gap

                // Several sources: whose health is shown (each has its own connection and figures).
                Flow {
                    objectName: "healthSources"
                    visible: panel.dashboard.sources.length > 0
                    Layout.fillWidth: true
                    spacing: 8
                    Text {
                        text: "Source"
                        color: Theme.textDim
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        height: 30
                        verticalAlignment: Text.AlignVCenter
                    }
                    Segmented {
                        objectName: "healthSource"
                        value: panel.shownSource
                        enabled: panel.kioskSource < 0
                        options: {
                            var list = [{ label: panel.firstName, value: 0 }]
                            for (var i = 0; i < panel.dashboard.sources.length; ++i)
                                list.push({ label: panel.dashboard.sources[i].name, value: i + 1 })
                            return list
                        }
                        onPicked: value => panel.sourceIndex = value
                    }
                }

                // The figures wrap onto a second row rather than clip their words in a narrow window.
                GridLayout {
                    id: figures
                    Layout.fillWidth: true
                    // As many as fit at 115 px (their words unclipped), rows balanced: 7, else 4 + 3, ...
                    readonly property int fit: Math.max(2, Math.min(7, Math.floor(width / 115)))
                    columns: fit >= 7 ? 7 : Math.ceil(7 / Math.ceil(7 / fit))
                    columnSpacing: Theme.gap
                    rowSpacing: Theme.gap
                    Repeater {
                        model: [
                            { label: "Round trip", value: panel.health && panel.live && panel.health.rttMs >= 0 ? panel.health.rttMs + " ms" : "\u2013" },
                            { label: "Messages in", value: panel.health ? Format.rate(panel.health.msgsInPerSec, "") : "\u2013" },
                            { label: "Messages out", value: panel.health ? Format.rate(panel.health.msgsOutPerSec, "") : "\u2013" },
                            { label: "Bytes in", value: panel.health ? Format.rate(panel.health.bytesInPerSec, "B") : "\u2013" },
                            { label: "Outbox", value: panel.health ? Format.count(panel.health.outboxDepth) : "\u2013" },
                            // Outages recovered; the attempts it took beside them.
                            { label: "Reconnected", value: panel.health ? Format.count(panel.health.reconnected) : "\u2013",
                              detail: panel.health && panel.health.reconnects > 0 ? Format.count(panel.health.reconnects) + (panel.health.reconnects === 1 ? " attempt" : " attempts") : "" },
                            { label: "Gaps", value: panel.health ? Format.count(panel.health.gaps) : "\u2013" }
                        ]
                        delegate: Rectangle {
                            id: figure
                            required property var modelData
                            Layout.fillWidth: true
                            Layout.preferredWidth: 108
                            implicitHeight: figures.columns < 7 ? 60 : 68
                            radius: Theme.radius
                            color: Theme.surface
                            border.color: Theme.border
                            Metric {
                                anchors.left: parent.left
                                anchors.right: parent.right
                                anchors.leftMargin: figures.columns < 7 ? 10 : 14
                                anchors.rightMargin: 8
                                anchors.verticalCenter: parent.verticalCenter
                                label: figure.modelData.label
                                value: figure.modelData.value
                                detail: figure.modelData.detail !== undefined ? figure.modelData.detail : ""
                                large: true
                                fit: true
                                valueColor: panel.live ? Theme.text : Theme.stale
                            }
                        }
                    }
                }

                HealthChart {
                    title: "Round-trip time"
                    subtitle: "ms, heartbeat ping to pong"
                    chartName: "health.rtt"
                    specs: [{ source: panel.health.figuresSource, origin: "dashboard", path: "rttMs", label: "RTT", color: Theme.accent }]
                }
                HealthChart {
                    title: "Message rate"
                    subtitle: "frames per second: in (blue), out (green)"
                    chartName: "health.msgs"
                    specs: [{ source: panel.health.figuresSource, origin: "dashboard", path: "msgsIn", label: "in", color: Theme.accent },
                            { source: panel.health.figuresSource, origin: "dashboard", path: "msgsOut", label: "out", color: Theme.ok }]
                }
                RowLayout {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    spacing: Theme.gap
                    HealthChart {
                        title: "Bytes per second"
                        subtitle: "in (blue), out (green)"
                        chartName: "health.bytes"
                        specs: [{ source: panel.health.figuresSource, origin: "dashboard", path: "bytesIn", label: "in", color: Theme.accent },
                                { source: panel.health.figuresSource, origin: "dashboard", path: "bytesOut", label: "out", color: Theme.ok }]
                    }
                    HealthChart {
                        title: "Outbox depth"
                        subtitle: "messages waiting to be sent or acknowledged"
                        chartName: "health.outbox"
                        specs: [{ source: panel.health.figuresSource, origin: "dashboard", path: "outbox", label: "outbox", color: Theme.warn }]
                    }
                }
                HealthChart {
                    Layout.fillHeight: false
                    Layout.minimumHeight: 120
                    Layout.preferredHeight: 120
                    title: "Events"
                    subtitle: "\u25cf connected   \u25cf disconnected   \u25cf error or gap"
                    chartName: "health.events"
                    yFrom: 0.5
                    yTo: 3.5
                    showYLabels: false
                    showEmptyHint: false
                    specs: [{ source: panel.health.eventsSource, origin: "dashboard", path: "connected", label: "connected", color: Theme.ok, kind: "scatter" },
                            { source: panel.health.eventsSource, origin: "dashboard", path: "disconnected", label: "disconnected", color: Theme.warn, kind: "scatter" },
                            { source: panel.health.eventsSource, origin: "dashboard", path: "error", label: "error", color: Theme.error, kind: "scatter" }]
                }
            }
        }

        ColumnLayout {
            // A third of a narrow window, up to 460 px: the figures and charts keep the rest.
            Layout.fillWidth: false
            Layout.preferredWidth: Math.round(Math.max(260, Math.min(460, panel.width * 0.34)))
            Layout.fillHeight: true
            spacing: 6
            // What the server's protocol can give, in words: nothing is claimed it cannot.
            Card {
                id: capsCard
                objectName: "capabilities"
                readonly property ConnectionMirror conn: panel.connection
                Layout.fillWidth: true
                Layout.preferredHeight: implicitHeight
                implicitHeight: caps.implicitHeight + chromeHeight
                title: "What this server gives"
                subtitle: conn ? "protocol " + conn.protocol + (conn.dialectName.length > 0 && conn.dialectName !== conn.protocol ? " (" + conn.dialectName + ")" : "") : ""
                Column {
                    id: caps
                    width: parent.width
                    spacing: 3
                    Repeater {
                        model: capsCard.conn ? capsCard.conn.capabilityNotes : []
                        delegate: Text {
                            required property string modelData
                            width: caps.width
                            text: modelData
                            color: modelData.indexOf(": no") >= 0 || modelData.indexOf("cannot") >= 0 || modelData.indexOf("none") >= 0
                                   ? Theme.warn : Theme.text
                            wrapMode: Text.WordWrap
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                }
            }
            Card {
                Layout.fillWidth: true
                Layout.fillHeight: true
                title: "Event log"
                subtitle: panel.dashboard.events.discarded > 0
                          ? panel.dashboard.events.discarded + " older events no longer shown" : "newest first"
                ListView {
                    id: log
                    anchors.fill: parent
                    clip: true
                    model: panel.dashboard.events
                    spacing: 2
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Item {
                        id: entry
                        required property real timeMs
                        required property string kindName
                        required property string text
                        width: log.width
                        height: row.implicitHeight + 8
                        RowLayout {
                            id: row
                            width: parent.width - 12
                            spacing: 8
                            Text {
                                text: Format.clock(entry.timeMs).substring(0, 8)
                                color: Theme.textFaint
                                font.family: Theme.monoFamily
                                font.pixelSize: Theme.fontSmall
                                Layout.alignment: Qt.AlignTop
                            }
                            Chip {
                                Layout.alignment: Qt.AlignTop
                                Layout.preferredWidth: 96
                                text: entry.kindName.toUpperCase()
                                tint: entry.kindName === "connected" ? Theme.ok
                                    : entry.kindName === "error" || entry.kindName === "failed" ? Theme.error
                                    : entry.kindName === "disconnected" || entry.kindName === "reconnecting" || entry.kindName === "gap" ? Theme.warn
                                    : Theme.textDim
                            }
                            Text {
                                text: entry.text
                                color: Theme.text
                                wrapMode: Text.Wrap
                                font.family: Theme.fontFamily
                                font.pixelSize: Theme.fontSmall
                                Layout.fillWidth: true
                            }
                        }
                    }
                }
            }
            // How fast this window draws, measured by the window itself (frameSwapped), and what draws it.
            Text {
                objectName: "frameStats"
                readonly property FrameMeter frames: panel.dashboard.frames
                Layout.fillWidth: true
                text: frames ? "Drawing " + Math.round(frames.fps) + " frames/s, p99 frame " + frames.frameMsP99
                               + " ms \u00b7 renderer: " + frames.renderer : ""
                color: Theme.textFaint
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.WordWrap
            }
        }
    }
}
