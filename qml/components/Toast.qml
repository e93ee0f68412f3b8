// A short message at the bottom of a panel that fades by itself.
import QtQuick
import Pulseboard

Rectangle {
    id: toast
    property bool isError: false
    function show(message, error) {
        label.text = message
        isError = error === true
        opacity = 1
        hide.restart()
    }
    anchors.horizontalCenter: parent.horizontalCenter
    anchors.bottom: parent.bottom
    anchors.bottomMargin: 20
    width: label.implicitWidth + 32
    height: 36
    radius: 18
    color: Theme.surfaceRaised
    border.color: isError ? Theme.error : Theme.borderStrong
    opacity: 0
    visible: opacity > 0
    Behavior on opacity { NumberAnimation { duration: 250 } }
    Text {
        id: label
        anchors.centerIn: parent
        color: toast.isError ? Theme.error : Theme.text
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
    }
    Timer { id: hide; interval: 4000; onTriggered: toast.opacity = 0 }
}
