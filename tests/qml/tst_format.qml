import QtQuick
import QtTest
import "qrc:/Pulseboard/Format.js" as Format

TestCase {
    name: "Format"

    function test_number_data() {
        return [
            { tag: "zero", value: 0, text: "0" },
            { tag: "small", value: 0.01234, text: "0.012" },
            { tag: "units", value: 7.3, text: "7.30" },
            { tag: "whole", value: 7, text: "7" },
            { tag: "whole hundreds", value: 512, text: "512" },
            { tag: "tens", value: 42.25, text: "42.3" },
            { tag: "hundreds", value: 512.4, text: "512" },
            { tag: "thousands", value: 12345, text: "12.3k" },
            { tag: "millions", value: 2500000, text: "2.50M" },
            { tag: "negative", value: -42.25, text: "-42.3" },
            { tag: "missing", value: undefined, text: "\u2013" }
        ]
    }
    function test_number(row) {
        compare(Format.number(row.value), row.text)
    }

    function test_bytes() {
        compare(Format.bytes(512), "512 B")
        compare(Format.bytes(2048), "2.0 KiB")
        compare(Format.bytes(5 * 1048576), "5.0 MiB")
        compare(Format.bytes(3 * 1073741824), "3.0 GiB")
        compare(Format.bytes(undefined), "\u2013")
    }

    function test_count() {
        compare(Format.count(7), "7")
        compare(Format.count(7.4), "7")
        compare(Format.count(0), "0")
        compare(Format.count(12345), "12.3k")
        compare(Format.count(NaN), "\u2013")
    }

    // One way to write bytes per second wherever they appear (a tile's B/s unit included).
    function test_rate() {
        compare(Format.rate(138240, "B"), "135.0 KiB/s")
        compare(Format.rate(3379, "B"), "3.3 KiB/s")
        compare(Format.rate(12.5, "msg"), "12.5 msg/s")
        compare(Format.rate(40, ""), "40/s")
        compare(Format.withUnit(138240, "B/s"), "135.0 KiB/s")
        compare(Format.withUnit(2048, "bytes"), "2.0 KiB")
        compare(Format.withUnit(42.25, "%"), "42.3 %")
        compare(Format.withUnit(7, ""), "7")
    }

    function test_age() {
        compare(Format.age(-1), "never")
        compare(Format.age(300), "now")
        compare(Format.age(12500), "12 s")
        compare(Format.age(185000), "3 min")
        compare(Format.age(7300000), "2 h")
        compare(Format.age(47 * 3600000), "47 h")
        compare(Format.age(2 * 86400000 + 5 * 3600000), "2 d")
    }

    function test_lastUsed() {
        var now = new Date(2026, 10, 22, 12, 0, 0).getTime()
        compare(Format.lastUsed(0, now), "not used yet")
        compare(Format.lastUsed(now - 20000, now), "just now")
        compare(Format.lastUsed(now - 12 * 60000, now), "12 min ago")
        compare(Format.lastUsed(now - 5 * 3600000, now), "5 h ago")
        compare(Format.lastUsed(new Date(2026, 10, 3, 9, 30).getTime(), now), "2026-11-03")
    }

    function test_fieldLabel() {
        compare(Format.fieldLabel("data"), "value")
        compare(Format.fieldLabel("data.cpu.user"), "cpu.user")
        compare(Format.fieldLabel("data.cores[1]"), "cores[1]")
    }

    // A field keeps its colour when the fields beside it change (keyed by name, not index).
    function test_colorSlots() {
        var memory = {}
        var first = Format.colorSlots(["data.user", "data.system", "data.iowait"], memory, 8)
        compare(first.length, 3)
        verify(first[0] !== first[1] && first[1] !== first[2] && first[0] !== first[2])
        // iowait leaves, total and steal come: user and system keep theirs.
        var second = Format.colorSlots(["data.total", "data.user", "data.steal", "data.system"], memory, 8)
        compare(second[1], first[0])
        compare(second[3], first[1])
        var seen = {}
        for (var i = 0; i < second.length; ++i) {
            verify(!seen[second[i]], "slot " + second[i] + " given twice")
            seen[second[i]] = true
            verify(second[i] >= 0 && second[i] < 8)
        }
        // The same names in another order, with a fresh memory: the same colours.
        var again = Format.colorSlots(["data.system", "data.user"], {}, 8)
        var fresh = Format.colorSlots(["data.user", "data.system"], {}, 8)
        compare(again[1], fresh[0])
        // More fields than colours: every field still gets a slot in range.
        var many = Format.colorSlots(["a", "b", "c"], {}, 2)
        compare(many.length, 3)
        verify(many[0] !== many[1])
    }
}
