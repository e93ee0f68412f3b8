// A one-line text field in the dashboard's colours: a sunken box with a border that turns
// accent while the field has the keyboard, and a faint placeholder.
import QtQuick
import QtQuick.Controls
import Pulseboard

TextField {
    id: control
    implicitHeight: 32
    leftPadding: 10
    rightPadding: 10
    color: Theme.text
    placeholderTextColor: Theme.textFaint
    selectionColor: Theme.accent
    selectedTextColor: Theme.textOnAccent
    selectByMouse: true
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    background: Rectangle {
        radius: 6
        color: control.enabled ? Theme.background : Theme.surface
        border.width: control.activeFocus ? 2 : 1
        border.color: control.activeFocus ? Theme.accent : control.hovered ? Theme.borderStrong : Theme.border
    }
}
