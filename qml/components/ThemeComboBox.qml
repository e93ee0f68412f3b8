// A drop-down in the dashboard's colours, like ThemeButton and ThemeField: a raised box with a
// border that turns accent with the keyboard, an editable one sunken like a field; the list in a
// raised popup, the row under the pointer washed in accent.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Pulseboard

ComboBox {
    id: control
    implicitHeight: 32
    leftPadding: 10
    rightPadding: 28
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody

    indicator: Text {
        x: control.width - width - 10
        y: (control.height - height) / 2
        text: "\u25be"
        color: control.enabled ? Theme.textDim : Theme.textFaint
        font.pixelSize: Theme.fontBody
    }
    contentItem: TextField {
        leftPadding: 0
        rightPadding: 0
        topPadding: 0
        bottomPadding: 0
        text: control.editable ? control.editText : control.displayText
        enabled: control.editable
        autoScroll: control.editable
        readOnly: control.down
        selectByMouse: true
        font: control.font
        color: !control.enabled ? Theme.textFaint : Theme.text
        selectionColor: Theme.accent
        selectedTextColor: Theme.textOnAccent
        verticalAlignment: Text.AlignVCenter
        background: null
    }
    background: Rectangle {
        radius: 6
        color: !control.enabled ? Theme.surface
             : control.editable ? Theme.background
             : control.down ? Theme.border : control.hovered ? Theme.surfaceRaised : Theme.surface
        border.width: control.visualFocus || (control.editable && control.activeFocus) ? 2 : 1
        border.color: control.visualFocus || (control.editable && control.activeFocus) ? Theme.accent
                    : control.hovered ? Theme.borderStrong : Theme.border
    }
    delegate: ItemDelegate {
        id: row
        required property int index
        required property var modelData
        width: ListView.view ? ListView.view.width : control.width
        implicitHeight: 30
        highlighted: control.highlightedIndex === row.index
        contentItem: Text {
            text: row.modelData
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.weight: control.currentIndex === row.index ? Font.DemiBold : Font.Normal
            elide: Text.ElideRight
            verticalAlignment: Text.AlignVCenter
        }
        background: Rectangle { color: row.highlighted || row.hovered ? Theme.hoverWash : "transparent" }
    }
    popup: Popup {
        y: control.height + 2
        width: Math.max(control.width, 160)
        implicitHeight: Math.min(contentItem.implicitHeight + 8, 320)
        padding: 4
        contentItem: ListView {
            clip: true
            implicitHeight: contentHeight
            model: control.delegateModel // qmllint disable
            currentIndex: control.highlightedIndex
            highlightMoveDuration: 0
            ScrollIndicator.vertical: ScrollIndicator {}
        }
        background: Rectangle { color: Theme.surfaceRaised; radius: 6; border.color: Theme.borderStrong }
    }
}
