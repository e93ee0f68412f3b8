import QtQuick
import QtTest
import Pulseboard

// Both palettes of Theme: every named colour changes with Theme.name, and what is read against
// a surface is readable there: body and dim text at least 4.5:1 (WCAG AA), faint text, the
// accent, the state colours and every series colour at least 3:1 (WCAG's non-text contrast).
TestCase {
    name: "Theme"

    function luminance(c) {
        function channel(v) { return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4) }
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }
    function asColor(c) { return Qt.lighter(c, 1.0) } // a "#rrggbb" string as a color
    function contrast(a, b) {
        a = asColor(a)
        b = asColor(b)
        var la = luminance(a), lb = luminance(b)
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
    }
    function checkReadable(themeName) {
        Theme.name = themeName
        var grounds = { background: Theme.background, surface: Theme.surface, surfaceRaised: Theme.surfaceRaised }
        for (var g in grounds) {
            var ground = grounds[g]
            verify(contrast(Theme.text, ground) >= 4.5, themeName + ": text on " + g + " " + contrast(Theme.text, ground))
            verify(contrast(Theme.textDim, ground) >= 4.5, themeName + ": textDim on " + g + " " + contrast(Theme.textDim, ground))
            verify(contrast(Theme.textFaint, ground) >= 3, themeName + ": textFaint on " + g + " " + contrast(Theme.textFaint, ground))
            var marks = { accent: Theme.accent, ok: Theme.ok, warn: Theme.warn, error: Theme.error }
            for (var m in marks)
                verify(contrast(marks[m], ground) >= 3, themeName + ": " + m + " on " + g + " " + contrast(marks[m], ground))
        }
        for (var i = 0; i < Theme.seriesColors.length; ++i)
            verify(contrast(Theme.seriesColor(i), Theme.surface) >= 3,
                   themeName + ": series colour " + i + " " + Theme.seriesColor(i) + " " + contrast(Theme.seriesColor(i), Theme.surface))
        // A highlighted button's words on the accent.
        verify(contrast(Theme.textOnAccent, Theme.accent) >= 3, themeName + ": text on accent")
    }

    function cleanup() { Theme.name = "dark" }

    function test_darkIsTheDefault() {
        compare(Theme.name, "dark")
        verify(!Theme.light)
        verify(luminance(Theme.background) < 0.05)
    }
    function test_darkIsReadable() { checkReadable("dark") }
    function test_lightIsReadable() { checkReadable("light") }
    function test_everyColourFollowsTheName() {
        var names = ["background", "surface", "surfaceRaised", "border", "borderStrong", "text", "textDim",
                     "textFaint", "accent", "ok", "warn", "error", "stale", "grid", "alarmWash", "warnWash",
                     "hoverWash", "currentWash", "selectedWash", "stripeWash"]
        Theme.name = "dark"
        var dark = {}
        for (var i = 0; i < names.length; ++i)
            dark[names[i]] = String(Theme[names[i]])
        var darkSeries = Theme.seriesColors.slice()
        Theme.name = "light"
        verify(Theme.light)
        verify(luminance(Theme.background) > 0.8)
        for (var j = 0; j < names.length; ++j)
            verify(String(Theme[names[j]]) !== dark[names[j]], names[j] + " is the same in both themes")
        compare(Theme.seriesColors.length, darkSeries.length)
        for (var k = 0; k < darkSeries.length; ++k)
            verify(Theme.seriesColor(k) !== darkSeries[k], "series colour " + k + " is the same in both themes")
        // Text is dark on light, light on dark.
        verify(luminance(Theme.text) < luminance(Theme.background))
        Theme.name = "dark"
        verify(luminance(Theme.text) > luminance(Theme.background))
    }
}
