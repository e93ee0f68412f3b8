// A panel surface with an optional title row. The subtitle sits beside the title when both fit
// on a line, else it goes under it and wraps: no words are cut.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard

Rectangle {
    id: card
    property string title
    property string subtitle
    property color accentColor: "transparent"
    default property alias content: body.data
    property alias headerExtras: extras.data
    // What the margins, title and subtitle take of the card's height (the body has the rest).
    readonly property real chromeHeight: 2 * (Theme.pad - 4) + (titleRow.visible ? titleRow.implicitHeight + 8 : 0)

    color: Theme.surface
    radius: Theme.radius
    border.color: accentColor.a > 0 ? accentColor : Theme.border
    border.width: accentColor.a > 0 ? 2 : 1

    // A title too long for the card elides; under the pointer it is said in full.
    HoverHandler { id: hover }
    ToolTip.text: card.title
    ToolTip.visible: hover.hovered && titleText.truncated
    ToolTip.delay: 500

    TextMetrics {
        id: subtitleMetrics
        text: card.subtitle
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.pad - 4
        spacing: 8
        // A Flow, not a layout of items shown and hidden by width: it never waits for a polish.
        Item {
            id: titleRow
            visible: card.title.length > 0
            Layout.fillWidth: true
            implicitHeight: Math.max(heading.implicitHeight, extras.implicitHeight)
            Flow {
                id: heading
                width: parent.width - (extras.implicitWidth > 0 ? extras.implicitWidth + 8 : 0)
                spacing: 6
                Text {
                    id: titleText
                    width: Math.min(implicitWidth, heading.width)
                    text: card.title
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontTitle
                    font.weight: Font.DemiBold
                    elide: Text.ElideRight
                }
                Text {
                    visible: card.subtitle.length > 0
                    // Its words' own width (not implicitWidth: wrapped text would loop), at most a line.
                    width: Math.min(Math.ceil(subtitleMetrics.advanceWidth) + 1, heading.width)
                    topPadding: 3
                    text: card.subtitle
                    color: Theme.textDim
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
            }
            Row { id: extras; anchors.right: parent.right; spacing: 6 }
        }
        Item {
            id: body
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
    }
}
