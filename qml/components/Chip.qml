// A small rounded label: state words, status names, LIVE/STALE tags. In a layout it is never
// narrower than its words (a fixed preferred width only widens it); given less room anyway,
// the words elide inside the pill rather than spill out of it.
import QtQuick
import QtQuick.Layouts
import Pulseboard

Rectangle {
    id: chip
    property alias text: label.text
    property color tint: Theme.textDim
    property bool filled: false
    implicitWidth: label.implicitWidth + 14
    implicitHeight: 20
    Layout.minimumWidth: implicitWidth
    radius: 10
    color: filled ? tint : Qt.rgba(tint.r, tint.g, tint.b, 0.14)
    border.color: Qt.rgba(tint.r, tint.g, tint.b, 0.45)
    Text {
        id: label
        anchors.centerIn: parent
        width: Math.min(label.implicitWidth, chip.width - 10)
        horizontalAlignment: Text.AlignHCenter
        elide: Text.ElideRight
        color: chip.filled ? Theme.background : chip.tint
        font.family: Theme.fontFamily
        font.pixelSize: 10
        font.weight: Font.Bold
        font.letterSpacing: 0.6
    }
}
