// Adds a chart to the Streams panel, or edits one: the channel (a subscribed one, or typed:
// saving subscribes it), the numeric fields seen on it (or typed paths), title, unit, an
// optional fixed range and a warn/alarm threshold per field. The Dashboard checks the input
// (DashboardLayout::fromDraft): a refusal shows here with its reason and nothing typed is lost.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard

Popup {
    id: dialog
    required property Dashboard dashboard
    property string key: ""          // the tile edited; empty: a new chart
    property var selected: []        // the field paths ticked, in the order ticked
    property var thresholds: ({})    // path -> {warn, alarm, below}, as typed
    property var available: []       // numeric fields the store has seen on the channel
    property bool wide: false
    property string error: ""
    // Untyped on purpose: what the Dashboard answers (a map, a list) is read by key here.
    property var draft: ({})
    readonly property var subscriptions: dialog.dashboard.connection.subscriptions
    signal saved(string title)

    // Fills the dialog for tile `tileKey` (empty: a new chart, on `channel` when given) and opens it.
    function openFor(tileKey, channel) {
        dialog.draft = dialog.dashboard.chartDraft(tileKey)
        var d = dialog.draft
        dialog.key = tileKey
        channelField.text = tileKey === "" ? (channel || "") : d.channel
        titleField.text = tileKey === "" ? "" : d.title
        unitField.text = d.unit
        minField.text = d.min
        maxField.text = d.max
        extraField.text = ""
        dialog.wide = d.wide === true
        dialog.selected = tileKey === "" ? [] : d.fields.slice()
        var t = {}
        var th = d.thresholds || {}
        for (var p in th)
            t[p] = { warn: th[p].warn, alarm: th[p].alarm, below: th[p].below === true }
        dialog.thresholds = t
        dialog.error = ""
        dialog.refreshFields()
        dialog.open()
    }
    function refreshFields() {
        var seen = dialog.dashboard.store.fields(channelField.text.trim())
        // Fields the chart names but the store has not seen (yet) are listed too.
        for (var i = 0; i < dialog.selected.length; ++i)
            if (seen.indexOf(dialog.selected[i]) < 0)
                seen.push(dialog.selected[i])
        if (JSON.stringify(seen) !== JSON.stringify(dialog.available))
            dialog.available = seen
    }
    function toggle(path) {
        var list = dialog.selected.slice()
        var at = list.indexOf(path)
        if (at >= 0)
            list.splice(at, 1)
        else
            list.push(path)
        dialog.selected = list
    }
    function threshold(path) {
        if (!dialog.thresholds[path])
            dialog.thresholds[path] = { warn: "", alarm: "", below: false }
        return dialog.thresholds[path]
    }
    function allFields() {
        var list = dialog.selected.slice()
        var extra = extraField.text.split(",")
        for (var i = 0; i < extra.length; ++i) {
            var p = extra[i].trim()
            if (p.length > 0 && list.indexOf(p) < 0)
                list.push(p)
        }
        return list
    }
    function save() {
        var fields = dialog.allFields()
        var t = {}
        for (var i = 0; i < fields.length; ++i)
            t[fields[i]] = dialog.threshold(fields[i])
        var draft = { channel: channelField.text, title: titleField.text, unit: unitField.text,
                      min: minField.text, max: maxField.text, fields: fields, thresholds: t, wide: dialog.wide }
        var why = dialog.dashboard.saveChart(dialog.key, draft)
        dialog.error = why
        if (why.length === 0) {
            dialog.saved(titleField.text.trim().length ? titleField.text.trim() : channelField.text.trim())
            dialog.close()
        }
    }

    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    focus: true
    padding: 20
    width: Math.min(640, (parent ? parent.width : 640) - 40)
    height: Math.min(implicitHeight, (parent ? parent.height : 700) - 40)
    closePolicy: Popup.CloseOnEscape
    background: Rectangle { color: Theme.surfaceRaised; radius: Theme.radius; border.color: Theme.borderStrong }
    onAboutToShow: dialog.refreshFields()
    // Fields appear as data comes (a channel subscribed a moment ago): the list follows.
    Timer { interval: 1000; repeat: true; running: dialog.visible; onTriggered: dialog.refreshFields() }

    component Label: Text {
        color: Theme.textDim
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }

    Flickable {
        anchors.fill: parent
        implicitWidth: form.implicitWidth
        implicitHeight: form.implicitHeight
        contentHeight: form.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded }
        ColumnLayout {
            id: form
            width: parent.width
            spacing: 10

            Text {
                text: dialog.key === "" ? "Add a chart" : "Edit chart"
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.weight: Font.DemiBold
            }

            GridLayout {
                Layout.fillWidth: true
                columns: 2
                columnSpacing: 12
                rowSpacing: 8
                Label { text: "Channel" }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 8
                    ThemeField {
                        id: channelField
                        objectName: "chartChannel"
                        Layout.fillWidth: true
                        placeholderText: "e.g. sys.cpu"
                        font.family: Theme.monoFamily
                        onTextChanged: dialog.refreshFields()
                    }
                    ThemeComboBox {
                        id: channelPick
                        objectName: "chartChannelPick"
                        Layout.preferredWidth: 200
                        model: dialog.dashboard.connection.subscriptions
                        displayText: count > 0 ? "Subscribed\u2026" : "None subscribed"
                        enabled: count > 0
                        onActivated: (index) => channelField.text = channelPick.textAt(index)
                    }
                }
                // A channel typed that is not subscribed: what saving does. The note and the
                // cell before it show and hide together, so the rows below keep their cells.
                Item { implicitWidth: 1; implicitHeight: 1; visible: subscribeNote.visible }
                Label {
                    id: subscribeNote
                    Layout.fillWidth: true
                    text: channelField.text.trim().length > 0
                          && dialog.subscriptions.indexOf(channelField.text.trim()) < 0
                          ? "Not subscribed yet: saving subscribes it." : ""
                    visible: text.length > 0
                    wrapMode: Text.WordWrap
                }
                Label { text: "Title" }
                ThemeField {
                    id: titleField
                    objectName: "chartTitle"
                    Layout.fillWidth: true
                    placeholderText: channelField.text.trim().length ? channelField.text.trim() : "the channel's name"
                }
                Label { text: "Unit" }
                ThemeField {
                    id: unitField
                    objectName: "chartUnit"
                    Layout.preferredWidth: 120
                    placeholderText: "e.g. %"
                }
                Label { text: "Range" }
                RowLayout {
                    ThemeField {
                        id: minField
                        objectName: "chartMin"
                        Layout.preferredWidth: 120
                        placeholderText: "min: auto"
                    }
                    Label { text: "to" }
                    ThemeField {
                        id: maxField
                        objectName: "chartMax"
                        Layout.preferredWidth: 120
                        placeholderText: "max: auto"
                    }
                }
            }

            Text {
                text: "Fields"
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                font.weight: Font.DemiBold
            }
            Label {
                visible: dialog.available.length === 0
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                text: channelField.text.trim().length === 0 ? "Choose a channel to see its numeric fields."
                      : "No numeric fields seen on this channel yet: they appear here as data arrives, or type paths below."
            }
            Flow {
                Layout.fillWidth: true
                spacing: 4
                visible: dialog.available.length > 0
                Repeater {
                    model: dialog.available
                    delegate: ThemeCheckBox {
                        required property string modelData
                        objectName: "chartField:" + modelData
                        text: modelData
                        font.family: Theme.monoFamily
                        font.pixelSize: Theme.fontSmall
                        // Bound to the selection, so a click from automation (the signal alone)
                        // and a real one end alike.
                        checked: dialog.selected.indexOf(modelData) >= 0
                        onClicked: dialog.toggle(modelData)
                    }
                }
            }
            RowLayout {
                Layout.fillWidth: true
                Label { text: "Other fields" }
                ThemeField {
                    id: extraField
                    objectName: "chartExtraFields"
                    Layout.fillWidth: true
                    placeholderText: "paths, comma-separated (data.cpu.user, data.load)"
                    font.family: Theme.monoFamily
                }
            }

            Text {
                visible: dialog.selected.length > 0
                text: "Thresholds (optional)"
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                font.weight: Font.DemiBold
            }
            RowLayout {
                visible: dialog.selected.length > 0
                Layout.fillWidth: true
                spacing: 8
                Label { text: "Field"; Layout.fillWidth: true }
                Label { text: "Warn at"; Layout.preferredWidth: 90 }
                Label { text: "Alarm at"; Layout.preferredWidth: 90 }
                Label { text: "Bad side"; Layout.preferredWidth: 110 }
            }
            Repeater {
                model: dialog.selected
                delegate: RowLayout {
                    id: row
                    required property string modelData
                    Layout.fillWidth: true
                    spacing: 8
                    Text {
                        text: row.modelData
                        color: Theme.textDim
                        font.family: Theme.monoFamily
                        font.pixelSize: Theme.fontSmall
                        elide: Text.ElideMiddle
                        Layout.fillWidth: true
                        Layout.minimumWidth: 80
                    }
                    ThemeField {
                        objectName: "chartWarn:" + row.modelData
                        Layout.preferredWidth: 90
                        placeholderText: "warn"
                        Component.onCompleted: text = dialog.threshold(row.modelData).warn
                        onTextChanged: dialog.threshold(row.modelData).warn = text
                    }
                    ThemeField {
                        objectName: "chartAlarm:" + row.modelData
                        Layout.preferredWidth: 90
                        placeholderText: "alarm"
                        Component.onCompleted: text = dialog.threshold(row.modelData).alarm
                        onTextChanged: dialog.threshold(row.modelData).alarm = text
                    }
                    ThemeCheckBox {
                        objectName: "chartBelow:" + row.modelData
                        Layout.preferredWidth: 110
                        text: "low is bad"
                        font.pixelSize: Theme.fontSmall
                        Component.onCompleted: checked = dialog.threshold(row.modelData).below
                        onCheckedChanged: dialog.threshold(row.modelData).below = checked
                    }
                }
            }

            Text {
                objectName: "chartError"
                visible: dialog.error.length > 0
                text: dialog.error
                color: Theme.error
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.topMargin: 6
                Item { Layout.fillWidth: true }
                ThemeButton {
                    objectName: "chartCancel"
                    text: "Cancel"
                    onClicked: dialog.close()
                }
                ThemeButton {
                    objectName: "chartSave"
                    text: dialog.key === "" ? "Add chart" : "Save"
                    highlighted: true
                    onClicked: dialog.save()
                }
            }
        }
    }
}
