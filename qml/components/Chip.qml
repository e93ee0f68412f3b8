// A small rounded label: state words, status names, LIVE/STALE tags.
import QtQuick
import Pulseboard

Rectangle {
    property alias text: label.text
    property color tint: Theme.textDim
    property bool filled: false
    implicitWidth: label.implicitWidth + 14
    implicitHeight: 20
    radius: 10
    color: filled ? tint : Qt.rgba(tint.r, tint.g, tint.b, 0.14)
    border.color: Qt.rgba(tint.r, tint.g, tint.b, 0.45)
    Text {
        id: label
        anchors.centerIn: parent
        color: parent.filled ? Theme.background : parent.tint
        font.family: Theme.fontFamily
        font.pixelSize: 10
        font.weight: Font.Bold
        font.letterSpacing: 0.6
    }
}
