import QtQuick
import QtTest
import Pulseboard

Item {
    width: 900
    height: 200

    StatusBanner { id: banner; width: parent.width }
    SignalSpy { id: retrySpy; target: banner; signalName: "retryClicked" }

    TestCase {
        name: "StatusBanner"
        when: windowShown

        function findChild(item, name) {
            if (item.objectName === name) return item
            for (var i = 0; i < item.children.length; ++i) {
                var found = findChild(item.children[i], name)
                if (found) return found
            }
            return null
        }

        function test_hiddenWhenOpen() {
            banner.text = ""
            verify(!banner.visible)
            compare(banner.implicitHeight, 0)
        }

        function test_saysWhatHappensAndRetries() {
            banner.text = "Connection lost 12 s ago. Reconnecting in 4 s (attempt 3 of 10)."
            banner.severity = "warn"
            banner.canRetry = true
            verify(banner.visible)
            compare(findChild(banner, "bannerText").text, banner.text)
            compare(banner.tint, Theme.warn)
            var button = findChild(banner, "retryButton")
            verify(button.visible)
            retrySpy.clear()
            mouseClick(button)
            compare(retrySpy.count, 1)
        }

        function test_kioskHasNoButton() {
            banner.text = "Server refused the token."
            banner.severity = "error"
            banner.showRetry = false
            compare(banner.tint, Theme.error)
            verify(!findChild(banner, "retryButton").visible)
            banner.showRetry = true
        }
    }
}
