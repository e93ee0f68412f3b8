// A panel surface with an optional title row.
import QtQuick
import QtQuick.Layouts
import Pulseboard

Rectangle {
    id: card
    property string title
    property string subtitle
    property color accentColor: "transparent"
    default property alias content: body.data
    property alias headerExtras: extras.data

    color: Theme.surface
    radius: Theme.radius
    border.color: accentColor.a > 0 ? accentColor : Theme.border
    border.width: accentColor.a > 0 ? 2 : 1

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.pad - 4
        spacing: 8
        RowLayout {
            visible: card.title.length > 0
            Layout.fillWidth: true
            spacing: 8
            Text {
                text: card.title
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.weight: Font.DemiBold
                elide: Text.ElideRight
                Layout.fillWidth: card.subtitle.length === 0
            }
            Text {
                visible: card.subtitle.length > 0
                text: card.subtitle
                color: Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Row { id: extras; spacing: 6 }
        }
        Item {
            id: body
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
    }
}
