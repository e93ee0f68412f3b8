// Raw messages: every frame as it arrives, newest first, with channel, seq and times.
// Pause holds new frames (counted) without losing them; the filter matches channel or data, or
// with a leading '/' is a path filter (`/data/cpu > 90`; what is wrong with one is said under it).
// The frame picked is shown as a JSON tree (or its text), compared with the frame of its channel
// before it: changed, added and removed values marked; a number can be charted from its row.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pulseboard
import "Format.js" as Format

Item {
    id: panel
    required property RawMessageModel raw
    required property Dashboard dashboard
    // A kiosk edits nothing: no "Chart" on the tree's numbers there.
    property bool editable: true
    // The tree row picked (its JSON pointer): its whole value is shown under the tree.
    property string pickedPointer: ""
    readonly property JsonTreeModel tree: panel.raw.tree

    // What the last Chart answered: {error, key, title, existed}.
    property var lastChart: ({})
    function chartField(channel, field) {
        panel.lastChart = panel.dashboard.chartField(channel, field)
        const result = panel.lastChart
        if (result.error.length > 0)
            toast.show(result.error, true)
        else if (result.existed)
            toast.show("Already charted in Streams: " + result.title, false)
        else
            toast.show("Added the chart " + result.title + " to Streams (Ctrl+1)", false)
    }
    // Another frame picked: no value of it is picked yet.
    readonly property real selectedKey: panel.raw.selectedKey
    onSelectedKeyChanged: panel.pickedPointer = ""
    // The selection is the model's: it follows the frame (by its key) as newer frames push it down.
    // Rows reach the list only while this panel is on screen (see RawMessageModel).
    // (The layout hides the panel while the window is still being built: raw may not be set yet.)
    onVisibleChanged: if (panel.raw) panel.raw.viewShown = panel.visible
    Component.onCompleted: panel.raw.viewShown = panel.visible
    // Ctrl+F puts the keyboard in the filter (while this panel is shown); Escape empties it.
    Shortcut {
        sequences: ["Ctrl+F"]
        enabled: panel.visible
        onActivated: { filterField.forceActiveFocus(); filterField.selectAll() }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            ThemeField {
                id: filterField
                objectName: "rawFilter"
                Layout.preferredWidth: 360
                placeholderText: "Filter: text, or a path: /data/cpu > 90 (Ctrl+F)"
                font.family: panel.raw.pathFilter ? Theme.monoFamily : Theme.fontFamily
                ToolTip.visible: hovered && !activeFocus
                ToolTip.delay: 600
                ToolTip.text: "Text: frames whose channel or data contains it.\n"
                              + "A path (JSON pointer into {channel, seq, ts, data}) and a test:\n"
                              + "/data/status == \"error\"   /data/cpu > 90   /data/user exists\n"
                              + "operators == != < <= > >= exists; values as JSON: 90, \"text\", true, false, null"
                onTextChanged: panel.raw.filter = text
                Keys.onEscapePressed: text = ""
            }
            ThemeButton {
                objectName: "rawPauseButton"
                text: panel.raw.paused ? "\u25b6  Resume" : "\u275a\u275a  Pause"
                highlighted: panel.raw.paused
                onClicked: panel.raw.paused = !panel.raw.paused
            }
            ThemeButton {
                text: "Clear"
                onClicked: panel.raw.clear()
            }
            Text {
                text: panel.raw.paused
                      ? "Paused: " + panel.raw.held + " new frames held"
                      : panel.raw.count + " shown of " + panel.raw.received + " received"
                        + (panel.raw.discarded > 0 ? " (" + panel.raw.discarded + " older ones no longer kept)" : "")
                color: panel.raw.paused ? Theme.warn : Theme.textDim
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                Layout.fillWidth: true
            }
        }

        // A path filter that does not parse filters nothing, and says why here.
        Text {
            objectName: "rawFilterError"
            visible: panel.raw.filterError.length > 0
            Layout.fillWidth: true
            Layout.topMargin: -6
            text: panel.raw.filterError + "  (showing every frame)"
            color: Theme.error
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
        }

        Card {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ListView {
                id: list
                anchors.fill: parent
                clip: true
                model: panel.raw
                ScrollBar.vertical: ScrollBar {}
                delegate: Rectangle {
                    id: rawRow
                    objectName: "rawRow:" + rawRow.index
                    required property int index
                    required property real receivedMs
                    required property string channel
                    required property real seq
                    required property real ts
                    required property string text
                    required property real key
                    width: list.width
                    height: 26
                    color: panel.raw.selectedKey === rawRow.key ? Theme.selectedWash : index % 2 ? "transparent" : Theme.stripeWash
                    // The data elides in the row: under the pointer it is said in full (and in the
                    // Selected frame card once clicked).
                    HoverHandler { id: rowHover }
                    ToolTip.visible: rowHover.hovered
                    ToolTip.delay: 600
                    ToolTip.text: rawRow.channel + "  #" + rawRow.seq + "\n" + rawRow.text
                    MouseArea { anchors.fill: parent; onClicked: panel.raw.selectedKey = rawRow.key }
                    RowLayout {
                        anchors.fill: parent
                        anchors.leftMargin: 6
                        spacing: 14
                        Text { text: Format.clock(rawRow.receivedMs); color: Theme.textFaint; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall }
                        Text { text: rawRow.channel; color: Theme.accent; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 140; elide: Text.ElideRight }
                        Text { text: "#" + rawRow.seq; color: Theme.textDim; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 70 }
                        Text { text: rawRow.ts > 0 ? "server " + Format.clock(rawRow.ts) : ""; color: Theme.textFaint; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; Layout.preferredWidth: 150 }
                        Text { text: rawRow.text; color: Theme.text; font.family: Theme.monoFamily; font.pixelSize: Theme.fontSmall; elide: Text.ElideRight; Layout.fillWidth: true }
                    }
                }
            }
        }

        Card {
            id: selectedCard
            objectName: "rawSelected"
            Layout.fillWidth: true
            // Half the panel for the tree, the list keeps the rest (at least 150 px of frames).
            Layout.preferredHeight: Math.max(200, Math.min(panel.height - 190, panel.height * 0.55))
            visible: panel.raw.selectedKey > 0
            title: "Selected frame"
            subtitle: panel.raw.selectedChannel + (panel.tree.seq >= 0 ? "  #" + panel.tree.seq : "")
                      + (panel.raw.selectedRow < 0 ? "  (no longer in the list)" : "")
            headerExtras: [
                ThemeCheckBox {
                    objectName: "rawChangesOnly"
                    visible: treeMode.value === "tree"
                    enabled: panel.tree.hasPrevious
                    text: "Changes only"
                    font.pixelSize: Theme.fontSmall
                    checked: panel.tree.changesOnly
                    onClicked: panel.tree.changesOnly = !panel.tree.changesOnly
                },
                Segmented {
                    id: treeMode
                    objectName: "rawView"
                    value: "tree"
                    options: [{ label: "Tree", value: "tree" }, { label: "Text", value: "text" }]
                    onPicked: (v) => treeMode.value = v
                }
            ]

            ColumnLayout {
                anchors.fill: parent
                spacing: 6
                visible: treeMode.value === "tree"

                // What the tree is compared with ("previous": the frame of the same channel that
                // arrived just before this one, while the list still keeps it).
                Text {
                    objectName: "rawDiffSummary"
                    Layout.fillWidth: true
                    text: !panel.tree.hasFrame ? "" :
                          !panel.tree.hasPrevious
                          ? "Nothing to compare with: no earlier frame of " + panel.tree.channel + " is kept"
                          : (panel.tree.changedCount + " changed, " + panel.tree.addedCount + " added, "
                             + panel.tree.removedCount + " removed since "
                             + (panel.tree.previousSeq >= 0 ? "#" + panel.tree.previousSeq : "the frame before it")
                             + " (" + Format.clock(panel.tree.previousReceivedMs) + ")")
                            + (panel.tree.truncated ? "; the tree holds the first 5000 values (Text shows them all)" : "")
                    color: Theme.textDim
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }

                ListView {
                    id: treeView
                    objectName: "rawTree"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: panel.tree
                    boundsBehavior: Flickable.StopAtBounds
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Rectangle {
                        id: treeRow
                        required property int index
                        required property string key
                        required property string pointer
                        required property string field
                        required property int depth
                        required property string type
                        required property string value
                        required property string fullValue
                        required property bool elided
                        required property bool expandable
                        required property bool expanded
                        required property int childCount
                        required property string change
                        required property string previousValue
                        required property bool chartable
                        objectName: "rawTreeRow:" + treeRow.pointer
                        width: treeView.width
                        height: 24
                        color: treeRow.change === "changed" ? Theme.changedWash
                             : treeRow.change === "added" ? Theme.addedWash
                             : treeRow.change === "removed" ? Theme.removedWash
                             : panel.pickedPointer === treeRow.pointer ? Theme.selectedWash
                             : treeRow.index % 2 ? "transparent" : Theme.stripeWash
                        border.width: panel.pickedPointer === treeRow.pointer ? 1 : 0
                        border.color: Theme.accent
                        HoverHandler { id: treeHover }
                        ToolTip.visible: treeHover.hovered
                        ToolTip.delay: 600
                        ToolTip.text: treeRow.key + "   " + treeRow.pointer + "   " + treeRow.type + "\n" + treeRow.value
                                      + (treeRow.change === "changed" ? "\nwas " + treeRow.previousValue : "")
                                      + (treeRow.change === "added" ? "\nnot in the previous frame" : "")
                                      + (treeRow.change === "removed" ? "\nonly in the previous frame" : "")
                                      + (treeRow.elided ? "\n(cut: click the row for the whole value)" : "")
                        TapHandler {
                            onTapped: {
                                panel.pickedPointer = treeRow.pointer
                                if (treeRow.expandable)
                                    panel.tree.toggle(treeRow.index)
                            }
                        }
                        RowLayout {
                            anchors.fill: parent
                            anchors.leftMargin: 6 + treeRow.depth * 16
                            anchors.rightMargin: 6
                            spacing: 8
                            Text {
                                text: treeRow.expandable ? (treeRow.expanded ? "\u25be" : "\u25b8") : ""
                                color: Theme.textDim
                                font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 10
                            }
                            Text {
                                text: treeRow.key
                                color: Theme.accent
                                font.family: Theme.monoFamily
                                font.pixelSize: Theme.fontSmall
                                elide: Text.ElideRight
                                Layout.maximumWidth: Math.max(60, treeView.width * 0.3)
                            }
                            Text {
                                text: treeRow.value
                                color: treeRow.change === "removed" ? Theme.textFaint : Theme.text
                                font.family: Theme.monoFamily
                                font.pixelSize: Theme.fontSmall
                                font.strikeout: treeRow.change === "removed"
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                            }
                            // The change in words (the colour alone says it to nobody who cannot see it).
                            Text {
                                objectName: "rawTreeChange:" + treeRow.pointer
                                visible: treeRow.change.length > 0
                                text: treeRow.change === "changed" ? "was " + treeRow.previousValue : treeRow.change
                                color: treeRow.change === "changed" ? Theme.warn
                                     : treeRow.change === "added" ? Theme.ok : Theme.error
                                font.family: treeRow.change === "changed" ? Theme.monoFamily : Theme.fontFamily
                                font.pixelSize: Theme.fontSmall
                                elide: Text.ElideRight
                                Layout.maximumWidth: Math.max(80, treeView.width * 0.25)
                            }
                            Text {
                                text: treeRow.type
                                color: Theme.textFaint
                                font.family: Theme.fontFamily
                                font.pixelSize: Theme.fontSmall
                                Layout.preferredWidth: 52
                            }
                            ThemeButton {
                                objectName: "rawChart:" + treeRow.pointer
                                visible: treeRow.chartable && panel.editable
                                text: "Chart"
                                implicitHeight: 20
                                leftPadding: 8
                                rightPadding: 8
                                font.pixelSize: Theme.fontSmall
                                ToolTip.visible: hovered
                                ToolTip.delay: 400
                                ToolTip.text: "Chart " + treeRow.field + " of " + panel.tree.channel + " in Streams"
                                onClicked: panel.chartField(panel.tree.channel, treeRow.field)
                            }
                        }
                    }
                }

                // The row picked, in full: a long string cut in its row is whole (and selectable) here.
                RowLayout {
                    id: pickedRow
                    // Looked up again as rows come and go (count), by the pointer picked.
                    readonly property int row: panel.pickedPointer.length > 0 && panel.tree.count > 0
                                               ? panel.tree.rowOfPointer(panel.pickedPointer) : -1
                    readonly property var picked: pickedRow.row >= 0 ? panel.tree.rowAt(pickedRow.row) : ({})
                    visible: pickedRow.row >= 0 && pickedRow.picked.expandable === false
                    Layout.fillWidth: true
                    spacing: 8
                    Text {
                        text: pickedRow.picked.pointer || ""
                        color: Theme.accent
                        font.family: Theme.monoFamily
                        font.pixelSize: Theme.fontSmall
                        elide: Text.ElideMiddle
                        Layout.maximumWidth: Math.max(80, selectedCard.width * 0.3)
                        ToolTip.visible: pickedHover.hovered && truncated
                        ToolTip.text: text
                        HoverHandler { id: pickedHover }
                    }
                    ThemeField {
                        objectName: "rawTreeValue"
                        Layout.fillWidth: true
                        implicitHeight: 26
                        readOnly: true
                        selectByMouse: true
                        font.family: Theme.monoFamily
                        font.pixelSize: Theme.fontSmall
                        text: (pickedRow.picked.fullValue || "")
                              + (pickedRow.picked.change === "changed" ? "   (was " + pickedRow.picked.fullPreviousValue + ")" : "")
                    }
                }
            }

            ScrollView {
                anchors.fill: parent
                visible: treeMode.value === "text"
                TextArea {
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.WrapAnywhere
                    text: panel.raw.selectedText
                    color: Theme.text
                    font.family: Theme.monoFamily
                    font.pixelSize: Theme.fontSmall
                    background: null
                }
            }
        }
    }

    Toast { id: toast; z: 10 }
}
