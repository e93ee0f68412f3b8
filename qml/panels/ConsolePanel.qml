// Console: the command library (named publish and request templates with parameters, run with a
// click or a shortcut, the dangerous ones after a confirmation), publish JSON to a channel
// (validated before anything is queued) and send requests; the Outbox list shows each message
// queued, sent, acked/replied or failed, with the reason, and the Command history every run of a
// library command with what became of it (kept across restarts).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property Dashboard dashboard
    readonly property CommandLibrary library: panel.dashboard.commands
    readonly property CommandHistory history: panel.dashboard.commandHistory
    required property OutboxModel outbox
    // What the channel box offers: the connection's subscriptions.
    required property ConnectionMirror connection
    // Several sources: which one Publish and Request go to, and whose Outbox is listed (0: the
    // first; k: dashboard.sources[k - 1]). The command library runs on the first.
    property int targetIndex: 0
    readonly property DashboardSource targetSource: panel.targetIndex > 0 && panel.targetIndex <= panel.dashboard.sources.length
                                                    ? panel.dashboard.sources[panel.targetIndex - 1] : null
    readonly property OutboxModel sendOutbox: panel.targetSource ? panel.targetSource.outbox : panel.outbox
    readonly property ConnectionMirror sendConnection: panel.targetSource ? panel.targetSource.connection : panel.connection
    readonly property var sourceNames: {
        const names = [panel.dashboard.embeddedHub ? "embedded hub (first)" : "first \u00b7 " + panel.dashboard.status.endpoint]
        for (let i = 0; i < panel.dashboard.sources.length; ++i)
            names.push(panel.dashboard.sources[i].name)
        return names
    }

    component Label2: Text {
        color: Theme.textDim
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }
    component FieldLabel: Text {
        color: Theme.textDim
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
        Layout.preferredWidth: 90
    }
    component JsonEditor: Rectangle {
        property alias text: area.text
        property bool valid: true
        color: Theme.background
        radius: 6
        border.color: valid ? Theme.border : Theme.error
        ScrollView {
            anchors.fill: parent
            anchors.margins: 2
            TextArea {
                id: area
                wrapMode: TextEdit.WrapAnywhere
                color: Theme.text
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontBody
                selectByMouse: true
                background: null
            }
        }
    }

    // A channel the embedded hub takes: the built-in feed names (sys.*, demo.*, hub.*) are read-only.
    readonly property string defaultChannel: "console.test"
    component ProblemText: Text {
        visible: text.length > 0
        color: Theme.error
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
        maximumLineCount: 3
        elide: Text.ElideRight
        Layout.fillWidth: true
    }


    // The library's chosen command and its form.
    property string selectedName
    property int edits: 0           // a parameter field changed: the preview is worked out again
    property string runProblem      // why the last run came to nothing (said under the form)
    // Read again whenever the library changes (its revision moves).
    readonly property var selected: panel.library.revision >= 0 && panel.selectedName.length > 0
                                    ? panel.library.command(panel.selectedName) : ({})
    property var lastRun: ({}) // what runCommand answered last
    readonly property var selectedParams: panel.selected.params || []
    readonly property bool selectedDangerous: panel.selected.dangerous === true
    readonly property bool selectedReadOnly: panel.selected.readOnly !== false
    readonly property string selectedKind: panel.selected.kind || ""
    Component.onCompleted: if (panel.library.count > 0) panel.selectedName = panel.library.nameAt(0)

    function select(name) {
        panel.selectedName = name
        panel.runProblem = ""
    }
    // The values typed in the form, by parameter name (empty: the default).
    function formValues() {
        const values = {}
        for (let i = 0; i < paramRepeater.count; ++i) {
            const row = paramRepeater.itemAt(i)
            if (row)
                values[row.modelData.name] = row.value
        }
        return values
    }
    function preview() {
        panel.edits // re-read as the fields change
        if (panel.selectedName.length === 0)
            return { error: "" }
        return panel.library.resolve(panel.selectedName, panel.formValues())
    }
    // A row's Run, its shortcut, Enter in a field: the chosen command runs with its form's values;
    // another one is chosen and runs with its defaults (a missing value is said in its form).
    function trigger(name) {
        const values = name === panel.selectedName ? panel.formValues() : ({})
        if (name !== panel.selectedName)
            panel.select(name)
        panel.tab = "commands"
        panel.run(name, values, false)
    }
    function run(name, values, confirmed) {
        panel.lastRun = panel.dashboard.runCommand(name, values, confirmed)
        const r = panel.lastRun
        if (r.needsConfirm) {
            confirmDialog.name = name
            confirmDialog.values = values
            confirmDialog.kind = panel.selected["kind"] || ""
            confirmDialog.target = r.target
            confirmDialog.payload = r.payload
            confirmDialog.open()
            return
        }
        panel.runProblem = r.error || ""
    }
    property string tab: "commands"
    // When a run was made: the time of day, with the date when it was not today (the history
    // spans restarts).
    function stamp(ms) {
        const d = new Date(ms)
        const today = new Date()
        const time = Format.clock(ms).substring(0, 8)
        if (d.toDateString() === today.toDateString())
            return time
        const two = (n) => n < 10 ? "0" + n : "" + n
        return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + time
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.gap

        // The forms take half the width up to 520 px; the Outbox and the history take the rest
        // (never less than a third), so they are on screen beside them from a 1000 px window up.
        ColumnLayout {
            Layout.fillWidth: false
            Layout.preferredWidth: Math.round(Math.max(300, Math.min(520, (panel.width - Theme.gap) / 2)))
            Layout.fillHeight: true
            spacing: Theme.gap

            Segmented {
                objectName: "consoleTab"
                options: [{ label: "Commands", value: "commands" }, { label: "Publish & request", value: "forms" }]
                value: panel.tab
                onPicked: (value) => panel.tab = value
            }
            StackLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                currentIndex: panel.tab === "commands" ? 0 : 1
                // The library: a row a command (its shortcut and DANGEROUS said on it), the chosen
                // one's parameters under the list, what it would send, and Run.
                Card {
                    id: libraryCard
                    objectName: "commandLibrary"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    title: "Commands"
                    subtitle: panel.library.count === 0 ? "none yet: add one, or list them in the config's \"commands\""
                              : panel.library.count + (panel.library.count === 1 ? " command" : " commands")
                    headerExtras: [
                        ThemeButton {
                            objectName: "commandNew"
                            text: "New"
                            implicitHeight: 26
                            font.pixelSize: Theme.fontSmall
                            onClicked: editDialog.edit("")
                        }
                    ]
                    ColumnLayout {
                        anchors.fill: parent
                        spacing: 8
                        ProblemText {
                            objectName: "commandLibraryProblem"
                            text: panel.library.problem
                        }
                        ListView {
                            id: commandList
                            objectName: "commandList"
                            Layout.fillWidth: true
                            // At most half the card: the form under it stays on screen.
                            Layout.preferredHeight: Math.min(contentHeight, Math.max(80, libraryCard.height * 0.42))
                            Layout.minimumHeight: Math.min(contentHeight, 80)
                            clip: true
                            spacing: 2
                            model: panel.library
                            ScrollBar.vertical: ScrollBar {}
                            delegate: Rectangle {
                                id: cmdRow
                                objectName: "command:" + cmdRow.name
                                required property int index
                                required property string name
                                required property string kind
                                required property string target
                                required property bool dangerous
                                required property string shortcut
                                required property bool readOnly
                                required property string description
                                readonly property bool chosen: panel.selectedName === cmdRow.name
                                width: commandList.width
                                height: 40
                                radius: 6
                                color: chosen ? Theme.selectedWash : index % 2 ? "transparent" : Theme.stripeWash
                                border.color: chosen ? Theme.accent : "transparent"
                                TapHandler { onTapped: panel.select(cmdRow.name) }
                                readonly property string sendsTo: cmdRow.kind + " \u2192 " + cmdRow.target + (cmdRow.readOnly ? "   (config)" : "")
                                // A narrow row elides; under the pointer it is said in full.
                                HoverHandler { id: cmdHover }
                                ToolTip.visible: cmdHover.hovered
                                ToolTip.delay: 500
                                ToolTip.text: cmdRow.name + "\n" + cmdRow.sendsTo + (cmdRow.description.length > 0 ? "\n" + cmdRow.description : "")
                                RowLayout {
                                    anchors.fill: parent
                                    anchors.leftMargin: 8
                                    anchors.rightMargin: 6
                                    spacing: 8
                                    ColumnLayout {
                                        spacing: 0
                                        Layout.fillWidth: true
                                        Text {
                                            text: cmdRow.name
                                            color: Theme.text
                                            font.family: Theme.fontFamily
                                            font.pixelSize: Theme.fontBody
                                            font.weight: Font.DemiBold
                                            elide: Text.ElideRight
                                            Layout.fillWidth: true
                                        }
                                        Text {
                                            text: cmdRow.sendsTo
                                            color: Theme.textDim
                                            font.family: Theme.monoFamily
                                            font.pixelSize: 10
                                            elide: Text.ElideRight
                                            Layout.fillWidth: true
                                        }
                                    }
                                    Chip {
                                        visible: cmdRow.dangerous
                                        text: "DANGEROUS"
                                        tint: Theme.error
                                    }
                                    Chip {
                                        objectName: "commandShortcut:" + cmdRow.name
                                        visible: cmdRow.shortcut.length > 0
                                        text: cmdRow.shortcut
                                        tint: Theme.textDim
                                    }
                                    ThemeButton {
                                        objectName: "commandRun:" + cmdRow.name
                                        text: "Run"
                                        implicitHeight: 28
                                        leftPadding: 10
                                        rightPadding: 10
                                        font.pixelSize: Theme.fontSmall
                                        onClicked: panel.trigger(cmdRow.name)
                                    }
                                }
                            }
                        }
                        // The chosen command's form.
                        Rectangle {
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                            color: "transparent"
                            radius: 6
                            border.color: Theme.border
                            visible: panel.selected["name"] !== undefined
                            ColumnLayout {
                                anchors.fill: parent
                                anchors.margins: 8
                                spacing: 6
                                RowLayout {
                                    Layout.fillWidth: true
                                    spacing: 6
                                    Text {
                                        text: panel.selectedName
                                        color: Theme.text
                                        font.family: Theme.fontFamily
                                        font.pixelSize: Theme.fontBody
                                        font.weight: Font.DemiBold
                                        elide: Text.ElideRight
                                        Layout.fillWidth: true
                                    }
                                    ThemeButton {
                                        objectName: "commandEdit"
                                        visible: !panel.selectedReadOnly
                                        text: "Edit"
                                        implicitHeight: 26
                                        font.pixelSize: Theme.fontSmall
                                        onClicked: editDialog.edit(panel.selectedName)
                                    }
                                    ThemeButton {
                                        objectName: "commandRemove"
                                        visible: !panel.selectedReadOnly
                                        text: "Remove"
                                        implicitHeight: 26
                                        font.pixelSize: Theme.fontSmall
                                        onClicked: {
                                            const why = panel.library.remove(panel.selectedName)
                                            if (why.length > 0)
                                                panel.runProblem = why
                                            else
                                                panel.select("")
                                        }
                                    }
                                }
                                Flickable {
                                    Layout.fillWidth: true
                                    Layout.fillHeight: true
                                    Layout.minimumHeight: Math.min(contentHeight, 40)
                                    contentHeight: paramColumn.implicitHeight
                                    clip: true
                                    ScrollBar.vertical: ScrollBar {}
                                    ColumnLayout {
                                        id: paramColumn
                                        width: parent.width
                                        spacing: 6
                                        Label2 {
                                            visible: paramRepeater.count === 0
                                            text: "No parameters."
                                        }
                                        Repeater {
                                            id: paramRepeater
                                            model: panel.selectedParams
                                            delegate: RowLayout {
                                                id: paramRow
                                                required property var modelData
                                                property alias value: paramField.text
                                                Layout.fillWidth: true
                                                spacing: 8
                                                Label2 {
                                                    text: paramRow.modelData.label
                                                    Layout.preferredWidth: 90
                                                    elide: Text.ElideRight
                                                }
                                                ThemeField {
                                                    id: paramField
                                                    objectName: "commandParam:" + paramRow.modelData.name
                                                    Layout.fillWidth: true
                                                    placeholderText: paramRow.modelData.hasDefault
                                                                     ? (paramRow.modelData["default"].length > 0 ? "default: " + paramRow.modelData["default"] : "default: empty")
                                                                     : "required"
                                                    font.family: Theme.monoFamily
                                                    onTextChanged: { panel.runProblem = ""; panel.edits++ }
                                                    onAccepted: panel.trigger(panel.selectedName)
                                                }
                                            }
                                        }
                                    }
                                }
                                // What a run sends now, or why it cannot.
                                Text {
                                    id: preview
                                    objectName: "commandPreview"
                                    readonly property var resolved: panel.preview()
                                    Layout.fillWidth: true
                                    text: resolved.error ? resolved.error
                                                         : panel.selectedKind + " \u2192 " + resolved.target + "   " + resolved.payload
                                    color: resolved.error ? Theme.error : Theme.textDim
                                    font.family: Theme.monoFamily
                                    font.pixelSize: 10
                                    wrapMode: Text.WrapAtWordBoundaryOrAnywhere
                                    maximumLineCount: 3
                                    elide: Text.ElideRight
                                }
                                // Why the last run came to nothing, unless the line above says it already.
                                ProblemText {
                                    objectName: "commandProblem"
                                    text: panel.runProblem !== preview.resolved.error ? panel.runProblem : ""
                                }
                                RowLayout {
                                    Layout.fillWidth: true
                                    Label2 {
                                        Layout.fillWidth: true
                                        text: panel.selectedDangerous ? "Marked dangerous: asks before sending" : ""
                                        color: Theme.warn
                                        elide: Text.ElideRight
                                    }
                                    ThemeButton {
                                        objectName: "commandRun"
                                        text: panel.selectedDangerous ? "Run\u2026" : "Run"
                                        highlighted: true
                                        enabled: !preview.resolved.error
                                        onClicked: panel.trigger(panel.selectedName)
                                    }
                                }
                            }
                        }
                    }
                }
                ColumnLayout {
                    spacing: Theme.gap
                    RowLayout {
                        visible: panel.dashboard.sources.length > 0
                        Layout.fillWidth: true
                        spacing: 8
                        Label2 { text: "Send to" }
                        ThemeComboBox {
                            objectName: "consoleSource"
                            Layout.fillWidth: true
                            model: panel.sourceNames
                            currentIndex: panel.targetIndex
                            onActivated: (index) => panel.targetIndex = index
                        }
                    }
                    Card {
                        Layout.fillWidth: true
                        Layout.preferredHeight: Math.max(panel.dashboard.sources.length > 0 ? 170 : 220, Math.min(300, panel.height * (panel.dashboard.sources.length > 0 ? 0.36 : 0.46)))
                        title: "Publish"
                        subtitle: "JSON to a channel, acked by the server with its seq"
                        ColumnLayout {
                            anchors.fill: parent
                            spacing: 8
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 6
                                ThemeField {
                                    id: channel
                                    objectName: "consoleChannel"
                                    Layout.fillWidth: true
                                    text: panel.defaultChannel
                                    placeholderText: "channel, e.g. " + panel.defaultChannel
                                    font.family: Theme.monoFamily
                                }
                                // Picks one of the subscriptions into the box (feeds of a hub may be read-only).
                                ThemeComboBox {
                                    id: picker
                                    Layout.preferredWidth: 130
                                    model: panel.sendConnection.subscriptions
                                    displayText: "Subscribed…"
                                    enabled: count > 0
                                    onActivated: (index) => channel.text = picker.textAt(index)
                                }
                            }
                            JsonEditor {
                                id: payload
                                Layout.fillWidth: true
                                Layout.fillHeight: true
                                text: "{\"message\": \"hello\", \"level\": 1}"
                                valid: publishError.text.length === 0
                            }
                            RowLayout {
                                Layout.fillWidth: true
                                Text {
                                    id: publishError
                                    text: panel.sendOutbox.validate(payload.text)
                                    color: Theme.error
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                    elide: Text.ElideRight
                                    Layout.fillWidth: true
                                }
                                ThemeButton {
                                    objectName: "consolePublish"
                                    text: "Publish"
                                    highlighted: true
                                    enabled: publishError.text.length === 0
                                    onClicked: publishResult.refused = panel.sendOutbox.publish(channel.text, payload.text)
                                }
                            }
                            // Why the last publish came to nothing: refused at once, or by the server later.
                            ProblemText {
                                id: publishResult
                                objectName: "consolePublishProblem"
                                property string refused
                                text: refused.length > 0 ? refused : panel.sendOutbox.publishProblem
                            }
                        }
                    }

                    Card {
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        title: "Request"
                        subtitle: "a method and optional JSON params; the reply appears below"
                        ColumnLayout {
                            anchors.fill: parent
                            spacing: 8
                            ThemeComboBox {
                                id: method
                                Layout.fillWidth: true
                                editable: true
                                model: ["channels.list", "server.info"]
                            }
                            JsonEditor {
                                id: params
                                Layout.fillWidth: true
                                Layout.preferredHeight: 60
                                text: ""
                                valid: requestError.text.length === 0
                            }
                            RowLayout {
                                Layout.fillWidth: true
                                Text {
                                    id: requestError
                                    text: params.text.trim().length > 0 ? panel.sendOutbox.validate(params.text) : ""
                                    color: Theme.error
                                    font.family: Theme.fontFamily
                                    font.pixelSize: Theme.fontSmall
                                    elide: Text.ElideRight
                                    Layout.fillWidth: true
                                }
                                ThemeButton {
                                    text: "Send request"
                                    highlighted: true
                                    enabled: requestError.text.length === 0 && method.editText.trim().length > 0
                                    onClicked: requestResult.refused = panel.sendOutbox.request(method.editText, params.text)
                                }
                            }
                            ProblemText {
                                id: requestResult
                                property string refused
                                text: refused.length > 0 ? refused : panel.sendOutbox.requestProblem
                            }
                            Label2 { text: "Last reply" }
                            Rectangle {
                                Layout.fillWidth: true
                                Layout.fillHeight: true
                                color: Theme.background
                                radius: 6
                                border.color: Theme.border
                                ScrollView {
                                    anchors.fill: parent
                                    anchors.margins: 6
                                    TextArea {
                                        readOnly: true
                                        selectByMouse: true
                                        // Indented JSON: long values wrap at a word, else anywhere.
                                        wrapMode: TextEdit.WrapAtWordBoundaryOrAnywhere
                                        text: panel.sendOutbox.lastReply.length > 0 ? panel.sendOutbox.lastReply : "No reply yet."
                                        color: panel.sendOutbox.lastReply.length > 0 ? Theme.text : Theme.textFaint
                                        font.family: Theme.monoFamily
                                        font.pixelSize: Theme.fontSmall
                                        background: null
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.minimumWidth: 260
            Layout.fillHeight: true
            spacing: Theme.gap
            Card {
                objectName: "consoleOutbox"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredHeight: 1
                title: panel.targetSource ? "Outbox \u00b7 " + panel.targetSource.name : "Outbox"
                subtitle: panel.sendOutbox.pending + " on the way, " + panel.sendOutbox.count + " listed"
                ListView {
                    id: list
                    anchors.fill: parent
                    clip: true
                    model: panel.sendOutbox
                    spacing: 2
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Rectangle {
                        id: row
                        objectName: "outboxRow:" + row.messageId
                        required property int index
                        required property string messageId
                        required property string kind
                        required property string target
                        required property string payload
                        required property string statusName
                        required property string detail
                        required property real timeMs
                        width: list.width
                        // A failure's reason wraps onto more lines: it is the point of the row.
                        height: Math.max(48, rowText.implicitHeight + 12)
                        color: index % 2 ? "transparent" : Theme.stripeWash
                        readonly property string summary: row.kind + " \u2192 " + row.target + "   " + row.payload
                        // A long payload elides in the row; under the pointer it is said in full.
                        HoverHandler { id: rowHover }
                        ToolTip.visible: rowHover.hovered
                        ToolTip.delay: 500
                        ToolTip.text: row.summary + (row.detail.length ? "\n" + row.detail : "")
                        RowLayout {
                            anchors.fill: parent
                            anchors.leftMargin: 6
                            spacing: 12
                            Chip {
                                objectName: "outboxStatus:" + row.messageId
                                Layout.preferredWidth: 96 // fits UNCONFIRMED
                                // "sent, not confirmed" (a server without acks) fits the chip as UNCONFIRMED;
                                // the row's detail says it in full.
                                text: row.statusName === "sent, not confirmed" ? "UNCONFIRMED" : row.statusName.toUpperCase()
                                tint: row.statusName === "acked" || row.statusName === "replied" ? Theme.ok
                                    : row.statusName === "failed" ? Theme.error
                                    : row.statusName === "sent" || row.statusName === "sent, not confirmed" ? Theme.accent
                                    : Theme.warn
                            }
                            ColumnLayout {
                                id: rowText
                                spacing: 2
                                Layout.fillWidth: true
                                Text {
                                    text: row.summary
                                    color: Theme.text
                                    font.family: Theme.monoFamily
                                    font.pixelSize: Theme.fontSmall
                                    elide: Text.ElideRight
                                    Layout.fillWidth: true
                                }
                                Text {
                                    text: Format.clock(row.timeMs).substring(0, 8) + "   " + row.messageId + (row.detail.length ? "   " + row.detail : "")
                                    color: row.statusName === "failed" ? Theme.error : Theme.textDim
                                    font.family: Theme.monoFamily
                                    font.pixelSize: 10
                                    wrapMode: row.statusName === "failed" ? Text.Wrap : Text.NoWrap
                                    maximumLineCount: 4
                                    elide: Text.ElideRight
                                    Layout.fillWidth: true
                                }
                            }
                        }
                    }
                }
            }
            // Every run of a library command and what became of it; kept across restarts.
            Card {
                objectName: "commandHistory"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredHeight: 1
                title: "Command history"
                subtitle: panel.history.count + (panel.history.count === 1 ? " run" : " runs")
                          + (panel.history.file.length > 0 ? ", kept across restarts" : ", this session only")
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 4
                    ProblemText {
                        objectName: "commandHistoryProblem"
                        text: panel.history.problem
                    }
                    Label2 {
                        visible: historyList.count === 0
                        text: "No command run yet."
                    }
                    ListView {
                        id: historyList
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        clip: true
                        model: panel.history
                        spacing: 2
                        ScrollBar.vertical: ScrollBar {}
                        delegate: Rectangle {
                            id: hrow
                            objectName: "historyRow:" + hrow.runId
                            required property int index
                            required property string runId
                            required property string name
                            required property string kind
                            required property string target
                            required property string payload
                            required property string messageId
                            required property string status
                            required property string detail
                            required property real timeMs
                            required property bool earlierRun
                            width: historyList.width
                            height: Math.max(44, hText.implicitHeight + 10)
                            color: index % 2 ? "transparent" : Theme.stripeWash
                            readonly property string summary: hrow.name + "   " + hrow.kind + " \u2192 " + hrow.target + "   " + hrow.payload
                            HoverHandler { id: hHover }
                            ToolTip.visible: hHover.hovered
                            ToolTip.delay: 500
                            ToolTip.text: hrow.summary + (hrow.detail.length ? "\n" + hrow.detail : "")
                            RowLayout {
                                anchors.fill: parent
                                anchors.leftMargin: 6
                                spacing: 12
                                Chip {
                                    objectName: "historyStatus:" + hrow.runId
                                    Layout.preferredWidth: 96
                                    text: hrow.status === "sent, not confirmed" ? "UNCONFIRMED" : hrow.status.toUpperCase()
                                    tint: hrow.status === "acked" || hrow.status === "replied" ? Theme.ok
                                        : hrow.status === "failed" ? Theme.error
                                        : hrow.status === "sent" || hrow.status === "sent, not confirmed" ? Theme.accent
                                        : Theme.warn
                                }
                                ColumnLayout {
                                    id: hText
                                    spacing: 2
                                    Layout.fillWidth: true
                                    Text {
                                        text: hrow.summary
                                        color: Theme.text
                                        font.family: Theme.monoFamily
                                        font.pixelSize: Theme.fontSmall
                                        elide: Text.ElideRight
                                        Layout.fillWidth: true
                                    }
                                    Text {
                                        text: panel.stamp(hrow.timeMs) + "   " + (hrow.messageId.length ? hrow.messageId : "not queued")
                                              + (hrow.detail.length ? "   " + hrow.detail : "")
                                        color: hrow.status === "failed" ? Theme.error : Theme.textDim
                                        font.family: Theme.monoFamily
                                        font.pixelSize: 10
                                        wrapMode: hrow.status === "failed" ? Text.Wrap : Text.NoWrap
                                        maximumLineCount: 3
                                        elide: Text.ElideRight
                                        Layout.fillWidth: true
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // A command marked dangerous goes only after this: what it sends, said in full, and a
    // button that says what it does.
    Dialog {
        id: confirmDialog
        objectName: "commandConfirmDialog"
        property string name
        property var values: ({})
        property string target
        property string payload
        property string kind
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        focus: true
        padding: 20
        width: Math.min(560, (parent ? parent.width : 560) - 40)
        closePolicy: Popup.CloseOnEscape
        background: Rectangle { color: Theme.surfaceRaised; radius: Theme.radius; border.color: Theme.error }
        onAccepted: panel.run(confirmDialog.name, confirmDialog.values, true)
        ColumnLayout {
            anchors.fill: parent
            spacing: 10
            Text {
                text: "Run " + confirmDialog.name + "?"
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.weight: Font.DemiBold
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Text {
                objectName: "commandConfirmMessage"
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                text: "This command is marked dangerous. It will " + (confirmDialog.kind === "request" ? "send the request " : "publish to ")
                      + confirmDialog.target + ":"
                color: Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            Text {
                objectName: "commandConfirmPayload"
                Layout.fillWidth: true
                text: confirmDialog.payload.length > 0 ? confirmDialog.payload : "(no params)"
                color: Theme.text
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.WrapAnywhere
                maximumLineCount: 8
                elide: Text.ElideRight
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.topMargin: 6
                Item { Layout.fillWidth: true }
                ThemeButton {
                    objectName: "commandConfirmCancel"
                    text: "Cancel"
                    onClicked: confirmDialog.reject()
                }
                ThemeButton {
                    objectName: "commandConfirm"
                    text: "Confirm and send"
                    highlighted: true
                    onClicked: confirmDialog.accept()
                }
            }
        }
    }

    // Adding or editing one of the user's commands (the config's are read-only here).
    Dialog {
        id: editDialog
        objectName: "commandEditDialog"
        property string replacing
        property string problem
        function edit(name) {
            const d = name.length > 0 ? panel.library.draft(name) : ({})
            editDialog.replacing = name
            editDialog.problem = ""
            editName.text = d.name || ""
            editKind.currentIndex = d.kind === "request" ? 1 : 0
            editTarget.text = d.target || ""
            editPayload.text = d.payload || (name.length > 0 ? "" : "{\"action\": \"restart\", \"service\": \"{service}\"}")
            editParams.text = d.params || ""
            editDangerous.checked = d.dangerous === true
            editShortcut.text = d.shortcut || ""
            editDescription.text = d.description || ""
            editDialog.open()
        }
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        focus: true
        padding: 20
        width: Math.min(600, (parent ? parent.width : 600) - 40)
        height: Math.min(implicitHeight, (parent ? parent.height : 600) - 40)
        closePolicy: Popup.CloseOnEscape
        background: Rectangle { color: Theme.surfaceRaised; radius: Theme.radius; border.color: Theme.borderStrong }
        ColumnLayout {
            anchors.fill: parent
            spacing: 8
            Text {
                text: editDialog.replacing.length > 0 ? "Edit " + editDialog.replacing : "New command"
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.weight: Font.DemiBold
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            GridLayout {
                columns: 2
                columnSpacing: 8
                rowSpacing: 6
                Layout.fillWidth: true
                FieldLabel { text: "Name" }
                ThemeField { id: editName; objectName: "commandEditName"; Layout.fillWidth: true; placeholderText: "e.g. restart service" }
                FieldLabel { text: "Kind" }
                ThemeComboBox { id: editKind; objectName: "commandEditKind"; Layout.fillWidth: true; model: ["publish", "request"] }
                FieldLabel { text: editKind.currentIndex === 1 ? "Method" : "Channel" }
                ThemeField { id: editTarget; objectName: "commandEditTarget"; Layout.fillWidth: true; font.family: Theme.monoFamily
                             placeholderText: editKind.currentIndex === 1 ? "e.g. server.info" : "e.g. ops.control" }
                FieldLabel { text: "Payload"; Layout.alignment: Qt.AlignTop }
                JsonEditor { id: editPayload; objectName: "commandEditPayload"; Layout.fillWidth: true; Layout.preferredHeight: 70 }
                FieldLabel { text: "Parameters" }
                ThemeField { id: editParams; objectName: "commandEditParams"; Layout.fillWidth: true; font.family: Theme.monoFamily
                             placeholderText: "service, count=1 (found in the payload when left out)" }
                FieldLabel { text: "Shortcut" }
                ThemeField { id: editShortcut; objectName: "commandEditShortcut"; Layout.fillWidth: true; placeholderText: "e.g. Alt+R (else Alt+1..9 by place)" }
                FieldLabel { text: "Description" }
                ThemeField { id: editDescription; objectName: "commandEditDescription"; Layout.fillWidth: true }
                FieldLabel { text: "Dangerous" }
                RowLayout {
                    ThemeSwitch { id: editDangerous; objectName: "commandEditDangerous" }
                    Label2 { text: "ask for confirmation before sending" }
                }
            }
            Label2 {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                text: "Write {name} where a parameter goes: inside a JSON string it is escaped, outside one it must be a JSON value (a number, true, false, null)."
                      + (panel.library.persistent ? "" : " Not saved beyond this session (settings are off).")
            }
            ProblemText { objectName: "commandEditProblem"; text: editDialog.problem }
            RowLayout {
                Layout.fillWidth: true
                Item { Layout.fillWidth: true }
                ThemeButton {
                    objectName: "commandEditCancel"
                    text: "Cancel"
                    onClicked: editDialog.reject()
                }
                ThemeButton {
                    objectName: "commandEditSave"
                    text: "Save command"
                    highlighted: true
                    onClicked: {
                        const draft = {
                            name: editName.text, kind: editKind.currentIndex === 1 ? "request" : "publish",
                            target: editTarget.text, payload: editPayload.text, params: editParams.text,
                            dangerous: editDangerous.checked, shortcut: editShortcut.text,
                            description: editDescription.text
                        }
                        const why = panel.library.save(draft, editDialog.replacing)
                        editDialog.problem = why
                        if (why.length === 0) {
                            editDialog.close()
                            panel.select(editName.text.trim())
                        }
                    }
                }
            }
        }
    }

    // The shortcuts of the library's rows (Alt+1..9 by place, or a command's own), while the
    // Console is shown: the same as the row's Run button.
    Repeater {
        model: panel.library
        delegate: Item {
            id: keyRow
            required property string name
            required property string shortcut
            Shortcut {
                sequences: keyRow.shortcut.length > 0 ? [keyRow.shortcut] : []
                enabled: panel.visible && panel.enabled && keyRow.shortcut.length > 0
                onActivated: panel.trigger(keyRow.name)
            }
        }
    }
}
