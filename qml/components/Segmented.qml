// A row of mutually exclusive buttons (time window choice).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Pulseboard

Row {
    id: seg
    property var options: []      // [{label, value}]
    property var value
    signal picked(var value)
    spacing: 0
    Repeater {
        model: seg.options
        delegate: Button {
            required property var modelData
            required property int index
            text: modelData.label
            checkable: true
            checked: seg.value === modelData.value
            highlighted: checked
            onClicked: seg.picked(modelData.value)
            implicitHeight: 30
            font.pixelSize: Theme.fontSmall
        }
    }
}
