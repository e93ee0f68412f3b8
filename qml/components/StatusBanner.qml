// Shown whenever the connection is not open: what is happening, in words, and Retry now.
import QtQuick
import QtQuick.Layouts
import Pulseboard

Rectangle {
    id: banner
    property string text: ""
    property string severity: "warn"
    property bool canRetry: false
    property bool showRetry: true
    signal retryClicked()

    visible: text.length > 0
    implicitHeight: visible ? 44 : 0
    readonly property color tint: Theme.severityColor(severity)
    color: Qt.rgba(tint.r, tint.g, tint.b, 0.16)
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Qt.rgba(banner.tint.r, banner.tint.g, banner.tint.b, 0.5) }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 20
        anchors.rightMargin: 12
        spacing: 12
        Text {
            text: banner.severity === "error" ? "\u26a0" : "\u21bb"
            color: banner.tint
            font.pixelSize: 18
        }
        Text {
            objectName: "bannerText"
            text: banner.text
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        ThemeButton {
            objectName: "retryButton"
            visible: banner.showRetry && banner.canRetry
            text: "Retry now"
            onClicked: banner.retryClicked()
        }
    }
}
