// An on/off switch in the dashboard's colours: accent track when on, grey when off.
import QtQuick
import QtQuick.Controls
import Pulseboard

Switch {
    id: control
    padding: 0
    spacing: 0
    // As large as its track (no words beside it: a Text next to it says what it switches).
    implicitWidth: leftPadding + 36 + rightPadding
    implicitHeight: 20
    indicator: Rectangle {
        implicitWidth: 36
        implicitHeight: 20
        x: control.leftPadding
        y: (control.height - height) / 2
        radius: 10
        color: control.checked ? (control.enabled ? Theme.accent : Theme.stale) : Theme.surfaceRaised
        border.color: control.checked ? "transparent" : control.visualFocus ? Theme.accent : Theme.borderStrong
        Rectangle {
            width: 14
            height: 14
            radius: 7
            y: 3
            x: control.checked ? parent.width - width - 3 : 3
            color: control.checked ? Theme.textOnAccent : Theme.textDim
            Behavior on x { NumberAnimation { duration: 90 } }
        }
    }
    contentItem: Item {}
}
