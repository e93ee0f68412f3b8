// A row of mutually exclusive buttons (time window choice), drawn as ThemeButtons: the one
// picked in accent.
pragma ComponentBehavior: Bound
import QtQuick
import Pulseboard

Row {
    id: seg
    property var options: []      // [{label, value}]
    property var value
    signal picked(var value)
    spacing: 4
    Repeater {
        model: seg.options
        delegate: ThemeButton {
            required property var modelData
            required property int index
            // "NAME:VALUE" when the row is named: tests and --control click a choice by it.
            objectName: seg.objectName.length > 0 ? seg.objectName + ":" + modelData.value : ""
            text: modelData.label
            checkable: true
            checked: seg.value === modelData.value
            highlighted: checked
            onClicked: seg.picked(modelData.value)
            implicitHeight: 30
            leftPadding: 10
            rightPadding: 10
            font.pixelSize: Theme.fontSmall
        }
    }
}
