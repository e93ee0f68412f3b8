// A label over a value, for the header and the health panel's figures.
import QtQuick
import QtQuick.Layouts
import Pulseboard

ColumnLayout {
    property string label
    property string value
    property color valueColor: Theme.text
    property bool large: false
    spacing: 0
    Text {
        text: parent.label
        color: Theme.textFaint
        font.family: Theme.fontFamily
        font.pixelSize: 10
        font.weight: Font.DemiBold
        font.letterSpacing: 0.8
        font.capitalization: Font.AllUppercase
    }
    Text {
        text: parent.value
        color: parent.valueColor
        font.family: Theme.fontFamily
        font.pixelSize: parent.large ? Theme.fontValue : Theme.fontTitle
        font.weight: Font.DemiBold
    }
}
