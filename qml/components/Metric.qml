// A label over a value, for the header and the health panel's figures. Given a width (`fit`),
// the label elides and the value shrinks to fit it rather than spilling out of its card.
import QtQuick
import QtQuick.Layouts
import Pulseboard

ColumnLayout {
    id: metric
    property string label
    property string value
    property string detail // a smaller line under the value (e.g. how many attempts); empty: none
    property color valueColor: Theme.text
    property bool large: false
    property bool fit: false
    spacing: 0
    Text {
        text: metric.label
        color: Theme.textFaint
        font.family: Theme.fontFamily
        font.pixelSize: 10
        font.weight: Font.DemiBold
        font.letterSpacing: metric.fit ? 0.3 : 0.8
        font.capitalization: Font.AllUppercase
        elide: Text.ElideRight
        Layout.fillWidth: metric.fit
    }
    Text {
        text: metric.value
        color: metric.valueColor
        font.family: Theme.fontFamily
        font.pixelSize: metric.large ? Theme.fontValue : Theme.fontTitle
        font.weight: Font.DemiBold
        fontSizeMode: metric.fit ? Text.HorizontalFit : Text.FixedSize
        minimumPixelSize: 11
        Layout.fillWidth: metric.fit
    }
    Text {
        visible: metric.detail.length > 0
        text: metric.detail
        color: Theme.textDim
        font.family: Theme.fontFamily
        font.pixelSize: 10
        elide: Text.ElideRight
        Layout.fillWidth: metric.fit
    }
}
