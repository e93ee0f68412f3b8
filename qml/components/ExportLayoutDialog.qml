// Writes the dashboard as built (servers, channels, charts, window) to a file that --config
// reads. An existing file, above all the config this dashboard started with, is replaced only
// after a second, explicit "Replace".
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Pulseboard

Popup {
    id: dialog
    required property Dashboard dashboard
    property string confirmPath: ""   // the existing file the next Export replaces
    property string message: ""
    property bool failed: false
    property var result: ({})          // the Dashboard's answer, read by key
    signal exported(string path)

    function openWith(path) {
        pathField.text = path
        dialog.confirmPath = ""
        dialog.message = ""
        dialog.failed = false
        dialog.open()
    }
    function save() {
        var path = pathField.text.trim()
        dialog.result = dialog.dashboard.exportLayout(path, dialog.confirmPath.length > 0)
        var r = dialog.result
        if (r.exists) {
            dialog.confirmPath = r.path
            dialog.failed = true
            dialog.message = r.isConfig ? r.error + ". Replace it with this layout? Press Replace to confirm."
                                        : r.error + ". Press Replace to overwrite it, or change the name."
        } else if (r.error.length > 0) {
            dialog.failed = true
            dialog.message = r.error
        } else {
            dialog.exported(r.path)
            dialog.close()
        }
    }
    function localPath(path) { return path.indexOf("file://") === 0 ? path.substring(7) : path }

    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    focus: true
    padding: 20
    width: Math.min(600, (parent ? parent.width : 600) - 40)
    closePolicy: Popup.CloseOnEscape
    background: Rectangle { color: Theme.surfaceRaised; radius: Theme.radius; border.color: Theme.borderStrong }

    ColumnLayout {
        anchors.fill: parent
        spacing: 10
        Text {
            text: "Export layout"
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle
            font.weight: Font.DemiBold
        }
        Text {
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            text: "Writes the servers, channels, charts and window as a config file: start with --config FILE to get this dashboard again."
            color: Theme.textDim
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
        }
        RowLayout {
            Layout.fillWidth: true
            ThemeField {
                id: pathField
                objectName: "exportLayoutPath"
                Layout.fillWidth: true
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontSmall
                onTextChanged: { dialog.confirmPath = ""; dialog.message = "" }
            }
            ThemeButton {
                objectName: "exportLayoutBrowse"
                text: "Browse\u2026"
                onClicked: { fileDialog.selectedFile = "file://" + dialog.localPath(pathField.text.trim()); fileDialog.open() }
            }
        }
        Text {
            objectName: "exportLayoutMessage"
            visible: dialog.message.length > 0
            text: dialog.message
            color: dialog.confirmPath.length > 0 ? Theme.warn : Theme.error
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        RowLayout {
            Layout.fillWidth: true
            Item { Layout.fillWidth: true }
            ThemeButton {
                objectName: "exportLayoutCancel"
                text: "Cancel"
                onClicked: dialog.close()
            }
            ThemeButton {
                objectName: "exportLayoutSave"
                text: dialog.confirmPath.length > 0 ? "Replace" : "Export"
                highlighted: true
                onClicked: dialog.save()
            }
        }
    }
    FileDialog {
        id: fileDialog
        objectName: "exportLayoutFileDialog"
        title: "Export the layout as a config file"
        fileMode: FileDialog.SaveFile
        acceptLabel: "Choose"
        nameFilters: ["JSON config (*.json)"]
        // The file dialog asks before replacing a file itself; the path still goes through Export.
        onAccepted: pathField.text = dialog.localPath(String(selectedFile))
    }
}
