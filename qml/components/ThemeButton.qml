// A button in the dashboard's colours: raised surface, accent when `highlighted`, dim when disabled.
import QtQuick
import QtQuick.Controls
import Pulseboard

Button {
    id: control
    implicitHeight: 32
    leftPadding: 14
    rightPadding: 14
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    contentItem: Text {
        text: control.text
        font: control.font
        color: !control.enabled ? Theme.textFaint : control.highlighted ? Theme.textOnAccent : Theme.text
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: 6
        color: !control.enabled ? Theme.surface
             : control.highlighted ? (control.down ? Qt.darker(Theme.accent, 1.25) : control.hovered ? Qt.lighter(Theme.accent, 1.1) : Theme.accent)
             : control.down ? Theme.border : control.hovered ? Theme.surfaceRaised : Theme.surface
        // The keyboard's place is a 2 px ring (a highlighted button's ring in the text colour).
        border.width: control.visualFocus ? 2 : 1
        border.color: control.visualFocus ? (control.highlighted ? Theme.text : Theme.accent)
                    : control.highlighted && control.enabled ? Theme.accent : Theme.borderStrong
    }
}
