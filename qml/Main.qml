// The dashboard window: the connection header and banner always on top; a rail of panels
// (Streams, Health, Channels, Raw, Console) below. In kiosk mode there is no rail and no
// editing: the configured panels fill the screen, cycling when configured.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard

ApplicationWindow {
    id: window
    required property Dashboard dashboard
    readonly property bool kiosk: dashboard.kiosk
    // The first source's name where several are shown (the source strip, the Health panel).
    readonly property string firstSourceName: dashboard.embeddedHub ? "embedded hub" : dashboard.status.endpoint
    readonly property var panelNames: ["streams", "health", "channels", "raw", "console", "alerts"]
    readonly property var panelTitles: ["Streams", "Health", "Channels", "Raw messages", "Console", "Alerts"]
    readonly property var kioskPanels: dashboard.panels.length > 0 ? dashboard.panels : ["streams"]
    property int current: 0
    property int kioskIndex: 0

    width: 1440
    height: 900
    // Shown by the app once it has its size (DashboardSession::showWindow): one map, the right size.
    visible: false
    title: "Pulseboard \u2014 " + (dashboard.replay ? dashboard.replay.headline + " \u2014 " + dashboard.replay.fileName
                                                  : dashboard.status.headline + (dashboard.status.endpoint ? " \u2014 " + dashboard.status.endpoint : ""))
    color: Theme.background
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody

    palette {
        window: Theme.background
        windowText: Theme.text
        base: Theme.background
        alternateBase: Theme.surface
        text: Theme.text
        button: Theme.surfaceRaised
        buttonText: Theme.text
        highlight: Theme.accent
        highlightedText: Theme.textOnAccent
        light: Theme.borderStrong
        midlight: Theme.border
        mid: Theme.border
        dark: Theme.background
        shadow: Theme.shadow
        placeholderText: Theme.textFaint
        toolTipBase: Theme.surfaceRaised
        toolTipText: Theme.text
    }

    // The palette follows the dashboard's theme (--theme, the rail's toggle, the saved choice).
    Binding { target: Theme; property: "name"; value: window.dashboard.theme }

    // What a kiosk cycles through: its panels, and the Health panel once per source (a wall
    // shows each system's health in turn; the Streams panel holds every source's tiles at once).
    readonly property var kioskSteps: {
        var steps = []
        for (var i = 0; i < kioskPanels.length; ++i) {
            var sources = kioskPanels[i] === "health" ? dashboard.sources.length + 1 : 1
            for (var s = 0; s < sources; ++s)
                steps.push({ panel: kioskPanels[i], source: s })
        }
        return steps
    }
    readonly property var kioskStep: kioskSteps[kioskIndex % kioskSteps.length]
    readonly property int shownPanel: kiosk ? panelNames.indexOf(kioskStep.panel) : current

    Timer {
        running: window.kiosk && window.dashboard.cycleSeconds > 0 && window.kioskSteps.length > 1
        interval: window.dashboard.cycleSeconds * 1000
        repeat: true
        onTriggered: window.kioskIndex = (window.kioskIndex + 1) % window.kioskSteps.length
    }

    Shortcut { sequences: ["Ctrl+1"]; enabled: !window.kiosk; onActivated: window.current = 0 }
    Shortcut { sequences: ["Ctrl+2"]; enabled: !window.kiosk; onActivated: window.current = 1 }
    Shortcut { sequences: ["Ctrl+3"]; enabled: !window.kiosk; onActivated: window.current = 2 }
    Shortcut { sequences: ["Ctrl+4"]; enabled: !window.kiosk; onActivated: window.current = 3 }
    Shortcut { sequences: ["Ctrl+5"]; enabled: !window.kiosk; onActivated: window.current = 4 }
    Shortcut { sequences: ["Ctrl+6"]; enabled: !window.kiosk; onActivated: window.current = 5 }
    // F11 toggles full screen; Ctrl+Q quits (a kiosk too: it is the way out of its full screen).
    // Space pauses and resumes the charts (StreamsPanel).
    Shortcut {
        sequences: ["F11"]
        enabled: !window.kiosk
        onActivated: window.visibility = window.visibility === Window.FullScreen ? Window.Windowed : Window.FullScreen
    }
    Shortcut { sequences: ["Ctrl+Q"]; onActivated: Qt.quit() }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ConnectionHeader {
            Layout.fillWidth: true
            // A replay says so in its own colour while its hub is there; a connection problem
            // says that instead.
            readonly property bool replaying: window.dashboard.replay !== null && window.dashboard.status.live
            severity: replaying ? "replay" : window.dashboard.status.severity
            headline: replaying ? window.dashboard.replay.headline : window.dashboard.status.headline
            endpoint: window.dashboard.replay ? window.dashboard.replay.fileName : window.dashboard.status.endpoint
            rttMs: window.dashboard.health.rttMs
            uptime: window.dashboard.status.uptime
            msgsIn: window.dashboard.health.msgsInPerSec
            msgsOut: window.dashboard.health.msgsOutPerSec
            bytesIn: window.dashboard.health.bytesInPerSec
            outboxDepth: window.dashboard.health.outboxDepth
            live: window.dashboard.status.live
            // A kiosk has no editing controls: no switching servers there.
            servers: window.kiosk ? null : window.dashboard.servers
            badge: window.kiosk ? "KIOSK \u00b7 " + window.panelTitles[window.shownPanel].toUpperCase()
                                : window.dashboard.replay ? "" : window.dashboard.embeddedHub ? "EMBEDDED HUB" : ""
            alertCount: window.dashboard.alerts.unacknowledgedCount
            alertSeverity: window.dashboard.alerts.topSeverity
            onAlertsClicked: if (!window.kiosk) window.current = 5
            // A replay is a recording already: no REC button while one plays.
            recording: window.dashboard.replay ? null : window.dashboard.recording
            recordable: !window.kiosk
        }
        // pulseboard --replay: the recording's timeline (ReplayBar.qml).
        Loader {
            Layout.fillWidth: true
            active: window.dashboard.replay !== null
            visible: active
            // Made with its replay given (a required property), from its file: an inline
            // component of this Bound file cannot be made in the Loader's context.
            Component.onCompleted: if (active) setSource("ReplayBar.qml", {replay: window.dashboard.replay})
        }
        // Several sources: each one's state at a glance, and why one is not live.
        SourceStrip {
            Layout.fillWidth: true
            sources: window.dashboard.sources
            firstName: window.firstSourceName
            firstSeverity: window.dashboard.status.severity
            firstHeadline: window.dashboard.status.headline
            firstRttMs: window.dashboard.health.rttMs
            firstRate: window.dashboard.health.msgsInPerSec
            firstOutbox: window.dashboard.health.outboxDepth
            firstLive: window.dashboard.status.live
            showRetry: !window.kiosk
        }
        // Alerts that ask for someone, above everything else: on a wall display the one thing
        // nobody may miss. Acknowledging or silencing (in the Alerts panel) takes it away.
        AlertBanner {
            Layout.fillWidth: true
            text: window.dashboard.alerts.bannerText
            severity: window.dashboard.alerts.topSeverity
            large: window.kiosk
            showOpen: !window.kiosk
            onOpenClicked: window.current = 5
        }
        StatusBanner {
            Layout.fillWidth: true
            // A server the dashboard cannot even try (a token it lacks) says so before any state does.
            readonly property string problem: window.dashboard.servers ? window.dashboard.servers.problem : ""
            text: problem.length > 0 ? problem : window.dashboard.status.banner
            severity: problem.length > 0 ? "error" : window.dashboard.status.severity
            canRetry: problem.length === 0 && window.dashboard.status.canRetry
            showRetry: !window.kiosk
            // Refused the token: Retry asks for another one (a token file or command is read again).
            onRetryClicked: {
                if (window.dashboard.status.tokenRefused && window.dashboard.takesTypedToken())
                    tokenDialog.open()
                else
                    window.dashboard.retry()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            Rectangle {
                visible: !window.kiosk
                Layout.preferredWidth: 196
                Layout.fillHeight: true
                color: Theme.surface
                Rectangle { anchors.right: parent.right; width: 1; height: parent.height; color: Theme.border }
                ColumnLayout {
                    anchors.fill: parent
                    anchors.topMargin: 14
                    anchors.bottomMargin: 14
                    spacing: 2
                    Repeater {
                        model: window.panelTitles
                        delegate: ItemDelegate {
                            id: navItem
                            required property string modelData
                            required property int index
                            objectName: "nav:" + window.panelNames[index]
                            Layout.fillWidth: true
                            Layout.leftMargin: 10
                            Layout.rightMargin: 10
                            implicitHeight: 40
                            highlighted: window.current === index
                            onClicked: window.current = index
                            background: Rectangle {
                                radius: 6
                                color: navItem.highlighted ? Theme.currentWash : navItem.hovered ? Theme.surfaceRaised : "transparent"
                                Rectangle {
                                    visible: navItem.highlighted
                                    width: 3; height: 18; radius: 1.5
                                    anchors.verticalCenter: parent.verticalCenter
                                    color: Theme.accent
                                }
                            }
                            contentItem: Text {
                                leftPadding: 8
                                // The Alerts entry counts what asks for someone.
                                text: navItem.modelData + (window.panelNames[navItem.index] === "alerts" && window.dashboard.alerts.unacknowledgedCount > 0
                                                           ? "  (" + window.dashboard.alerts.unacknowledgedCount + ")" : "")
                                color: navItem.highlighted ? Theme.text : Theme.textDim
                                font.family: Theme.fontFamily
                                font.pixelSize: Theme.fontBody
                                font.weight: navItem.highlighted ? Font.DemiBold : Font.Normal
                                verticalAlignment: Text.AlignVCenter
                            }
                        }
                    }
                    Item { Layout.fillHeight: true }
                    ThemeButton {
                        objectName: "themeToggle"
                        Layout.fillWidth: true
                        Layout.leftMargin: 10
                        Layout.rightMargin: 10
                        Layout.bottomMargin: 8
                        implicitHeight: 30
                        font.pixelSize: Theme.fontSmall
                        text: window.dashboard.theme === "light" ? "\u263e  Dark theme" : "\u2600  Light theme"
                        onClicked: window.dashboard.theme = window.dashboard.theme === "light" ? "dark" : "light"
                    }
                    Text {
                        Layout.leftMargin: 20
                        text: "Ctrl+1\u20266 switch panels"
                        color: Theme.textFaint
                        font.family: Theme.fontFamily
                        font.pixelSize: 10
                    }
                    Text {
                        Layout.leftMargin: 20
                        text: "v" + window.dashboard.version
                        color: Theme.textFaint
                        font.family: Theme.fontFamily
                        font.pixelSize: 10
                    }
                }
            }

            StackLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.margins: Theme.pad
                currentIndex: window.shownPanel
                StreamsPanel { dashboard: window.dashboard; editable: !window.kiosk }
                HealthPanel {
                    dashboard: window.dashboard
                    firstName: window.firstSourceName
                    kioskSource: window.kiosk ? window.kioskStep.source : -1
                }
                ChannelsPanel { dashboard: window.dashboard; editable: !window.kiosk }
                RawPanel { raw: window.dashboard.raw; dashboard: window.dashboard; editable: !window.kiosk }
                ConsolePanel { dashboard: window.dashboard; outbox: window.dashboard.outbox; connection: window.dashboard.connection; enabled: !window.kiosk }
                AlertsPanel { alerts: window.dashboard.alerts; editable: !window.kiosk }
            }
        }
    }

    TokenDialog {
        id: tokenDialog
        objectName: "tokenDialog"
        dashboard: window.dashboard
    }

    // What the dashboard wants the user to know right now (a server switch, what stayed queued).
    Toast { id: noticeToast; z: 10 }
    Connections {
        target: window.dashboard
        function onNotice(text) { noticeToast.show(text, false) }
    }
}
