import QtQuick
import QtTest
import Pulseboard

// The server switcher in the connection header, driven through a stand-in for ServerListModel
// that records the calls and answers like the real one (empty string or the words of the error).
Item {
    width: 1400
    height: 700

    ListModel {
        id: rows
        ListElement { name: "This machine (embedded hub)"; endpoints: "started on demand, 127.0.0.1"; lastUsedMs: 0; builtin: true; current: true; tokenProblem: ""; held: 0; protocol: "pulseboard"; guarantees: "confirms publishes: yes; can resume: yes; gaps are detected" }
        ListElement { name: "lab"; endpoints: "ws://10.0.0.7:8080/"; lastUsedMs: 1; builtin: false; current: false; tokenProblem: ""; held: 3; protocol: "json"; guarantees: "confirms publishes: no; can resume: no; a gap cannot be detected" }
        ListElement { name: "prod"; endpoints: "wss://a.example/ws, wss://b.example/ws"; lastUsedMs: 1; builtin: false; current: false; tokenProblem: "This server needs a token: start with --token or set PULSEBOARD_TOKEN"; held: 0; protocol: "pulseboard"; guarantees: "confirms publishes: yes; can resume: yes; gaps are detected" }
    }

    QtObject {
        id: fake
        property var calls: []
        function switchTo(row) {
            calls.push("switchTo " + row)
            return rows.get(row).tokenProblem
        }
        function connectTo(urls, name) {
            calls.push("connectTo " + urls + " " + name)
            return ""
        }
        function forget(row) {
            calls.push("forget " + row)
            return ""
        }
        function checkUrls(urls) {
            return /^wss?:\/\/\S+$/.test(urls.trim()) ? "" : "'" + urls.trim() + "' is not a ws:// or wss:// URL"
        }
    }

    ConnectionHeader {
        id: header
        width: parent.width
        endpoint: "ws://127.0.0.1:4321"
        servers: fake
        serverModel: rows
    }

    TestCase {
        name: "ServerSwitcher"
        when: windowShown

        function findChild(item, name) {
            if (!item) return null
            if (item.objectName === name) return item
            var kids = item.children !== undefined ? item.children : []
            for (var i = 0; i < kids.length; ++i) {
                var found = findChild(kids[i], name)
                if (found) return found
            }
            if (item.contentItem && item.contentItem !== item) {
                var inContent = findChild(item.contentItem, name)
                if (inContent) return inContent
            }
            return null
        }
        function openSwitcher() {
            if (!header.switcher.opened)
                mouseClick(findChild(header, "endpointButton"))
            tryCompare(header.switcher, "opened", true)
            // Rows are clickable once the list has its laid-out height.
            var list = findChild(header.switcher.contentItem, "serverList")
            tryVerify(function() { return list.height >= list.contentHeight && list.contentHeight > 100 })
            waitForRendering(header.switcher.contentItem)
            return header.switcher
        }
        function init() {
            fake.calls = []
            header.servers = fake
            header.switcher.close()
            tryCompare(header.switcher, "visible", false)
        }

        function test_listShowsEveryServer() {
            var s = openSwitcher()
            var list = findChild(s.contentItem, "serverList")
            compare(list.count, 3)
            verify(findChild(list.contentItem, "server:lab") !== null)
            var lab = findChild(list.contentItem, "server:lab")
            compare(findChild(lab, "held").text, "3 messages wait queued for this server")
            verify(findChild(lab, "held").visible)
            // Each server says what its protocol can promise.
            compare(findChild(lab, "guarantees").text, "json: confirms publishes: no; can resume: no; a gap cannot be detected")
            var prod = findChild(list.contentItem, "server:prod")
            compare(findChild(prod, "tokenProblem").text, "This server needs a token: start with --token or set PULSEBOARD_TOKEN")
            // The embedded hub is built in: it cannot be forgotten.
            var hub = findChild(list.contentItem, "server:This machine (embedded hub)")
            verify(!findChild(hub, "forget").visible)
            verify(findChild(lab, "forget").visible)
        }

        function test_choosingSwitchesAndCloses() {
            var s = openSwitcher()
            mouseClick(findChild(findChild(s.contentItem, "serverList").contentItem, "server:lab"))
            compare(fake.calls, ["switchTo 1"])
            tryCompare(s, "opened", false)
        }

        function test_refusalStaysOpenWithTheWords() {
            var s = openSwitcher()
            mouseClick(findChild(findChild(s.contentItem, "serverList").contentItem, "server:prod"))
            compare(fake.calls, ["switchTo 2"])
            verify(s.opened)
            compare(findChild(s.contentItem, "switcherError").text,
                    "This server needs a token: start with --token or set PULSEBOARD_TOKEN")
        }

        function test_forget() {
            var s = openSwitcher()
            var lab = findChild(findChild(s.contentItem, "serverList").contentItem, "server:lab")
            mouseClick(findChild(lab, "forget"))
            compare(fake.calls, ["forget 1"])
        }

        function test_connectToValidates() {
            var s = openSwitcher()
            mouseClick(findChild(s.contentItem, "connectTo"))
            var url = findChild(s.contentItem, "urlField")
            tryCompare(url, "visible", true)
            url.text = "http://example.com"
            mouseClick(findChild(s.contentItem, "connectButton"))
            compare(fake.calls, [])
            compare(findChild(s.contentItem, "switcherError").text, "'http://example.com' is not a ws:// or wss:// URL")
            verify(s.opened)
            url.text = "ws://10.0.0.9:9000/"
            findChild(s.contentItem, "nameField").text = "bench"
            mouseClick(findChild(s.contentItem, "connectButton"))
            compare(fake.calls, ["connectTo ws://10.0.0.9:9000/ bench"])
            tryCompare(s, "opened", false)
        }

        function test_noSwitcherWithoutServers() {
            // The kiosk passes no servers: the endpoint is plain text that opens nothing.
            header.servers = null
            var button = findChild(header, "endpointButton")
            verify(!button.enabled)
            mouseClick(button)
            wait(50)
            verify(!header.switcher.opened)
            compare(fake.calls, [])
        }
    }
}
