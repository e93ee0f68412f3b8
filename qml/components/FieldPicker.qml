// Lets the user pick which numeric fields of a channel its tile charts.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard

Popup {
    id: picker
    property var available: []   // every numeric path found so far
    property var chosen: []      // the current choice
    property bool custom: false
    signal applied(var fields)   // empty list: back to automatic

    modal: true
    focus: true
    padding: 16
    width: 340
    background: Rectangle { color: Theme.surfaceRaised; radius: Theme.radius; border.color: Theme.borderStrong }

    property var selection: ({})
    onOpened: {
        var s = {}
        for (var i = 0; i < chosen.length; ++i) s[chosen[i]] = true
        selection = s
    }

    contentItem: ColumnLayout {
        spacing: 8
        Text {
            text: "Fields to chart"
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle
            font.weight: Font.DemiBold
        }
        Text {
            visible: picker.available.length === 0
            text: "No numeric fields seen yet on this channel."
            color: Theme.textDim
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        ListView {
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 320)
            clip: true
            model: picker.available
            delegate: ThemeCheckBox {
                required property string modelData
                width: ListView.view.width
                text: modelData
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontSmall
                checked: picker.selection[modelData] === true
                onToggled: {
                    var s = Object.assign({}, picker.selection)
                    if (checked) s[modelData] = true
                    else delete s[modelData]
                    picker.selection = s
                }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            ThemeButton {
                text: "Automatic"
                enabled: picker.custom
                onClicked: { picker.applied([]); picker.close() }
            }
            Item { Layout.fillWidth: true }
            ThemeButton {
                text: "Apply"
                highlighted: true
                enabled: Object.keys(picker.selection).length > 0
                onClicked: {
                    var list = []
                    for (var i = 0; i < picker.available.length; ++i)
                        if (picker.selection[picker.available[i]]) list.push(picker.available[i])
                    picker.applied(list)
                    picker.close()
                }
            }
        }
    }
}
