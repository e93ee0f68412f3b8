// Retry now after the server refused the token: asks for another one rather than sending the
// refused one again. The token goes to the connection (Dashboard.retryWithToken) and stays in
// memory for this connection: never written to the settings, the log or the screen.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard

Dialog {
    id: dialog
    required property Dashboard dashboard
    readonly property bool hasToken: tokenField.text.trim().length > 0

    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    focus: true
    padding: 20
    width: Math.min(520, (parent ? parent.width : 520) - 40)
    closePolicy: Popup.CloseOnEscape
    background: Rectangle { color: Theme.surfaceRaised; radius: Theme.radius; border.color: Theme.borderStrong }
    onOpened: {
        tokenField.text = ""
        showToken.checked = false
        tokenField.forceActiveFocus()
    }
    onAccepted: {
        if (dialog.hasToken)
            dialog.dashboard.retryWithToken(tokenField.text)
        tokenField.text = ""
    }
    onRejected: tokenField.text = ""

    ColumnLayout {
        anchors.fill: parent
        spacing: 10
        Text {
            text: "The server refused the token"
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle
            font.weight: Font.DemiBold
        }
        Text {
            objectName: "tokenDialogMessage"
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            text: "Give another token for " + (dialog.dashboard.status.endpoint || "this server")
                  + " to connect with. It is kept in memory for this connection only, never saved."
            color: Theme.textDim
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        ThemeField {
            id: tokenField
            objectName: "tokenField"
            Layout.fillWidth: true
            placeholderText: "Token"
            font.family: Theme.monoFamily
            echoMode: showToken.checked ? TextInput.Normal : TextInput.Password
            onAccepted: if (dialog.hasToken) dialog.accept()
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.topMargin: 6
            spacing: 8
            ThemeSwitch { id: showToken; objectName: "tokenShow" }
            Text {
                text: "Show"
                color: Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
            Item { Layout.fillWidth: true }
            ThemeButton {
                objectName: "tokenCancel"
                text: "Cancel"
                onClicked: dialog.reject()
            }
            ThemeButton {
                objectName: "tokenRetry"
                text: "Retry with this token"
                highlighted: true
                enabled: dialog.hasToken
                onClicked: dialog.accept()
            }
        }
    }
}
