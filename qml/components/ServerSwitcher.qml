// The server switcher the connection header opens: the embedded hub, the recent server profiles
// (name, endpoints, when last used, what waits queued for them, a token they lack), "Connect
// to..." with its small form, and Forget. It only asks ServerProfiles (`servers`); the switch
// itself, and every check that matters, happens in C++.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Popup {
    id: switcher
    // Rows with the roles name, endpoints, lastUsedMs, builtin, current, tokenProblem, held,
    // protocol, guarantees.
    property var model: null
    // switchTo(row), connectTo(urls, name), forget(row), checkUrls(urls): each "" or the error.
    property var servers: null
    property string error: ""
    property bool formOpen: false
    property real now: Date.now()

    width: 480
    padding: 0
    focus: true
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    onOpened: {
        error = ""
        formOpen = false
        now = Date.now()
    }

    function choose(row) {
        var problem = switcher.servers.switchTo(row)
        if (problem.length > 0)
            switcher.error = problem
        else
            switcher.close()
    }
    function forget(row) {
        switcher.error = switcher.servers.forget(row)
    }
    function connectToServer() {
        var problem = switcher.servers.checkUrls(urlField.text)
        if (problem.length === 0)
            problem = switcher.servers.connectTo(urlField.text, nameField.text)
        if (problem.length > 0) {
            switcher.error = problem
            return
        }
        urlField.text = ""
        nameField.text = ""
        switcher.close()
    }

    background: Rectangle {
        color: Theme.surfaceRaised
        border.color: Theme.borderStrong
        radius: Theme.radius
    }

    // The content is made with the popup, not deferred: its ids (the list, the form's fields) are
    // what the functions above and the tests reach.
    contentItem: ColumnLayout { // qmllint disable deferred-property-id
        spacing: 0
        Text {
            Layout.fillWidth: true
            Layout.margins: 14
            Layout.bottomMargin: 6
            text: "SERVERS"
            color: Theme.textFaint
            font.family: Theme.fontFamily
            font.pixelSize: 10
            font.weight: Font.Bold
            font.letterSpacing: 0.8
        }
        // At most eleven rows (the hub and ten profiles): a Repeater, scrolled when the screen is small.
        Flickable {
            id: list
            objectName: "serverList"
            readonly property alias count: rowRepeater.count
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(rowColumn.implicitHeight, 380)
            contentHeight: rowColumn.implicitHeight
            clip: true
            interactive: contentHeight > height
            boundsBehavior: Flickable.StopAtBounds
            Column {
                id: rowColumn
                width: list.width
                Repeater {
                    id: rowRepeater
                    model: switcher.model
                    delegate: ItemDelegate {
                        id: row
                        required property int index
                        required property string name
                        required property string endpoints
                        required property real lastUsedMs
                        required property bool builtin
                        required property bool current
                        required property string tokenProblem
                        required property int held
                        required property string protocol
                        required property string guarantees
                        objectName: "server:" + name
                        width: rowColumn.width
                        implicitHeight: column.implicitHeight + 16
                        onClicked: switcher.choose(index)
                        background: Rectangle {
                            color: row.hovered ? Theme.hoverWash : "transparent"
                            Rectangle {
                                visible: row.current
                                width: 3
                                height: parent.height - 12
                                anchors.verticalCenter: parent.verticalCenter
                                color: Theme.accent
                            }
                        }
                        contentItem: RowLayout { // qmllint disable deferred-property-id
                            spacing: 10
                            ColumnLayout {
                                id: column
                                Layout.fillWidth: true
                                Layout.leftMargin: 6
                                spacing: 2
                                RowLayout {
                                    spacing: 8
                                    Text {
                                        text: row.name
                                        color: Theme.text
                                        font.family: Theme.fontFamily
                                        font.pixelSize: Theme.fontBody
                                        font.weight: row.current ? Font.DemiBold : Font.Normal
                                        elide: Text.ElideRight
                                        Layout.maximumWidth: 300
                                    }
                                    Chip { visible: row.current; text: "IN USE"; tint: Theme.accent }
                                }
                                Text {
                                    Layout.fillWidth: true
                                    text: row.endpoints
                                    color: Theme.textDim
                                    font.family: Theme.monoFamily
                                    font.pixelSize: Theme.fontSmall
                                    elide: Text.ElideMiddle
                                }
                                // What this server's protocol can promise ("confirms publishes: no; ...").
                                Text {
                                    objectName: "guarantees"
                                    Layout.fillWidth: true
                                    text: row.protocol + ": " + row.guarantees
                                    color: Theme.textDim
                                    wrapMode: Text.WordWrap
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                }
                                Text {
                                    Layout.fillWidth: true
                                    visible: text.length > 0
                                    text: row.builtin ? "" : "Used " + Format.lastUsed(row.lastUsedMs, switcher.now)
                                    color: Theme.textFaint
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                }
                                Text {
                                    objectName: "held"
                                    Layout.fillWidth: true
                                    visible: row.held > 0
                                    text: row.held + (row.held === 1 ? " message waits" : " messages wait") + " queued for this server"
                                    color: Theme.warn
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                }
                                Text {
                                    objectName: "tokenProblem"
                                    Layout.fillWidth: true
                                    visible: row.tokenProblem.length > 0
                                    text: row.tokenProblem
                                    color: Theme.warn
                                    wrapMode: Text.WordWrap
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                }
                            }
                            AbstractButton {
                                id: forgetButton
                                objectName: "forget"
                                visible: !row.builtin
                                hoverEnabled: true
                                padding: 6
                                onClicked: switcher.forget(row.index)
                                contentItem: Text {
                                    text: "Forget"
                                    color: forgetButton.hovered ? Theme.error : Theme.textDim
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                }
                                background: Rectangle {
                                    radius: 4
                                    color: "transparent"
                                    border.color: forgetButton.hovered ? Theme.error : Theme.border
                                }
                            }
                        }
                    }
                }
            }
        }
        Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
        ItemDelegate {
            id: connectToButton
            objectName: "connectTo"
            Layout.fillWidth: true
            text: "Connect to\u2026"
            background: Rectangle { color: connectToButton.hovered ? Theme.hoverWash : "transparent" }
            contentItem: Text {
                leftPadding: 6
                text: connectToButton.text
                color: Theme.accent
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            onClicked: {
                switcher.formOpen = !switcher.formOpen
                switcher.error = ""
                if (switcher.formOpen)
                    urlField.forceActiveFocus()
            }
        }
        ColumnLayout {
            visible: switcher.formOpen
            Layout.fillWidth: true
            Layout.leftMargin: 14
            Layout.rightMargin: 14
            Layout.bottomMargin: 10
            spacing: 6
            ThemeField {
                id: urlField
                objectName: "urlField"
                Layout.fillWidth: true
                placeholderText: "ws://host:port/  (fallbacks: more URLs, separated by spaces)"
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontSmall
                onAccepted: switcher.connectToServer()
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: 8
                ThemeField {
                    id: nameField
                    objectName: "nameField"
                    Layout.fillWidth: true
                    placeholderText: "Name (optional)"
                    font.pixelSize: Theme.fontSmall
                    onAccepted: switcher.connectToServer()
                }
                ThemeButton {
                    objectName: "connectButton"
                    text: "Connect"
                    enabled: urlField.text.trim().length > 0
                    onClicked: switcher.connectToServer()
                }
            }
        }
        Text {
            objectName: "switcherError"
            visible: switcher.error.length > 0
            Layout.fillWidth: true
            Layout.margins: 14
            Layout.topMargin: 4
            text: switcher.error
            color: Theme.error
            wrapMode: Text.WordWrap
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
        }
    }
}
