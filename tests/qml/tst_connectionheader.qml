import QtQuick
import QtTest
import Pulseboard

Item {
    width: 1400
    height: 100

    ConnectionHeader { id: header; width: parent.width }

    TestCase {
        name: "ConnectionHeader"
        when: windowShown

        function findChild(item, name) {
            if (item.objectName === name) return item
            for (var i = 0; i < item.children.length; ++i) {
                var found = findChild(item.children[i], name)
                if (found) return found
            }
            return null
        }

        function test_stateColours_data() {
            return [
                { tag: "open", severity: "ok", headline: "Connected", colour: Theme.ok },
                { tag: "reconnecting", severity: "warn", headline: "Reconnecting", colour: Theme.warn },
                { tag: "failed", severity: "error", headline: "Failed", colour: Theme.error },
                { tag: "closed", severity: "idle", headline: "Disconnected", colour: Theme.stale }
            ]
        }
        function test_stateColours(row) {
            header.severity = row.severity
            header.headline = row.headline
            var text = findChild(header, "stateText")
            compare(text.text, row.headline)
            compare(text.color, row.colour)
        }

        function test_figuresOnlyWhenLive() {
            header.severity = "ok"
            header.live = true
            header.rttMs = 3
            verify(header.live)
            header.live = false
            header.severity = "warn"
            // Not live: nothing claims a current RTT.
            var found = false
            function scan(item) {
                if (item.text !== undefined && item.text === "3 ms") found = true
                for (var i = 0; i < item.children.length; ++i) scan(item.children[i])
            }
            scan(header)
            verify(!found)
            header.live = true
            scan(header)
            verify(found)
        }
    }
}
