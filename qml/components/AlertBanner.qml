// The alert that asks for someone right now (the most severe, then the newest, not acknowledged
// nor silenced), across the window under the header, in its severity's colour. A kiosk shows it
// large: across a room, it is the one line that must be read.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard

Rectangle {
    id: banner
    property string text: ""
    property string severity: ""
    property bool large: false
    property bool showOpen: true
    signal openClicked()

    objectName: "alertBanner"
    visible: text.length > 0
    implicitHeight: visible ? (large ? 72 : 44) : 0
    readonly property color tint: severity === "critical" ? Theme.error : severity === "warning" ? Theme.warn : Theme.accent
    color: severity === "critical" ? tint : Qt.rgba(tint.r, tint.g, tint.b, 0.22)
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 2; color: banner.tint }

    // A critical alert pulses until someone acknowledges it (a slow fade, not a flash).
    SequentialAnimation on opacity {
        running: banner.visible && banner.severity === "critical"
        loops: Animation.Infinite
        NumberAnimation { to: 0.75; duration: 900; easing.type: Easing.InOutQuad }
        NumberAnimation { to: 1.0; duration: 900; easing.type: Easing.InOutQuad }
        onRunningChanged: if (!running) banner.opacity = 1
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 20
        anchors.rightMargin: 12
        spacing: 12
        Text {
            text: "\u25b2"
            color: banner.severity === "critical" ? Theme.textOnAccent : banner.tint
            font.pixelSize: banner.large ? 28 : 16
        }
        Text {
            id: bannerText
            objectName: "alertBannerText"
            text: banner.text
            HoverHandler { id: bannerHover }
            ToolTip.text: banner.text
            ToolTip.visible: bannerHover.hovered && bannerText.truncated
            color: banner.severity === "critical" ? Theme.textOnAccent : Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: banner.large ? 26 : Theme.fontBody
            font.weight: Font.DemiBold
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        ThemeButton {
            objectName: "alertBannerOpen"
            visible: banner.showOpen
            text: "Open Alerts"
            onClicked: banner.openClicked()
        }
    }
}
