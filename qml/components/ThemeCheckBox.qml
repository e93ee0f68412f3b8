// A tick box in the dashboard's colours, like ThemeSwitch: a sunken square that fills with accent
// and a tick when checked, an accent ring when it has the keyboard; its words beside it.
import QtQuick
import QtQuick.Controls
import Pulseboard

CheckBox {
    id: control
    padding: 4
    spacing: 8
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    indicator: Rectangle {
        implicitWidth: 16
        implicitHeight: 16
        x: control.leftPadding
        y: (control.height - height) / 2
        radius: 4
        color: control.checked ? (control.enabled ? Theme.accent : Theme.stale) : Theme.background
        border.width: control.visualFocus ? 2 : 1
        border.color: control.visualFocus ? Theme.accent
                    : control.checked ? "transparent" : control.hovered ? Theme.accent : Theme.borderStrong
        Text {
            anchors.centerIn: parent
            visible: control.checked
            text: "\u2713"
            color: Theme.textOnAccent
            font.pixelSize: 12
            font.weight: Font.Bold
        }
    }
    contentItem: Text {
        leftPadding: control.indicator.width + control.spacing
        text: control.text
        font: control.font
        color: control.enabled ? Theme.text : Theme.textFaint
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
}
