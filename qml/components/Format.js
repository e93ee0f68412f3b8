// Number and time formatting shared by the panels (pure functions, tested with
// Qt Quick Test in tests/qml/tst_format.qml).
.pragma library

// The one formatter of figures: numbers, counts, bytes and rates, so a panel never shows
// "135k B/s" beside "3.3 KiB/s" or "7.00" for a count.
//   number(v)        a measured value: up to 3 significant decimals, k/M/G above 10 000;
//                    a whole number stays whole ("7", not "7.00")
//   count(v)         a count: whole, k/M/G above 10 000
//   bytes(v)         a size: B, KiB, MiB, GiB (1024 apart)
//   rate(v, unit)    per second: bytes(v) + "/s" for unit "B", else number(v) + " unit/s"
//   withUnit(v, u)   a value in unit u: byte units ("B", "B/s", "bytes") through bytes()

// 1234.5 -> "1234.5" style without locale surprises: up to 3 significant decimals, k/M/G above 10 000.
function number(v) {
    if (v === undefined || v === null || isNaN(v))
        return "\u2013"
    var a = Math.abs(v)
    if (a < 1e4 && Math.floor(v) === v) return "" + v
    if (a >= 1e9) return (v / 1e9).toFixed(a >= 1e10 ? 1 : 2) + "G"
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 1 : 2) + "M"
    if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + "k"
    if (a >= 100) return v.toFixed(0)
    if (a >= 10) return v.toFixed(1)
    if (a === 0) return "0"
    if (a >= 1) return v.toFixed(2)
    return v.toPrecision(2)
}

function count(v) {
    if (v === undefined || v === null || isNaN(v)) return "\u2013"
    return number(Math.round(v))
}

function bytes(v) {
    if (v === undefined || v === null || isNaN(v)) return "\u2013"
    var a = Math.abs(v)
    if (a >= 1073741824) return (v / 1073741824).toFixed(1) + " GiB"
    if (a >= 1048576) return (v / 1048576).toFixed(1) + " MiB"
    if (a >= 1024) return (v / 1024).toFixed(1) + " KiB"
    return Math.round(v) + " B"
}

function isByteUnit(unit) {
    return unit === "B" || unit === "bytes" || unit === "B/s" || unit === "bytes/s"
}

function rate(v, unit) {
    if (v === undefined || v === null || isNaN(v)) return "\u2013"
    if (isByteUnit(unit)) return bytes(v) + "/s"
    return number(v) + (unit ? " " + unit : "") + "/s"
}

function withUnit(v, unit) {
    if (v === undefined || v === null || isNaN(v)) return "\u2013"
    if (isByteUnit(unit)) return bytes(v) + (unit.indexOf("/s") > 0 ? "/s" : "")
    return number(v) + (unit ? " " + unit : "")
}

// Ages for people: "now", "4 s", "3 min", "2 h", "3 d" (from two days on).
function age(ms) {
    if (ms === undefined || ms < 0) return "never"
    if (ms < 1000) return "now"
    var s = Math.floor(ms / 1000)
    if (s < 60) return s + " s"
    if (s < 3600) return Math.floor(s / 60) + " min"
    if (s < 172800) return Math.floor(s / 3600) + " h"
    return Math.floor(s / 86400) + " d"
}

function clock(ms) {
    var d = new Date(ms)
    function two(n) { return n < 10 ? "0" + n : "" + n }
    function three(n) { return n < 10 ? "00" + n : n < 100 ? "0" + n : "" + n }
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()) + "." + three(d.getMilliseconds())
}

// The last part of a path, what a legend shows: "data.cpu.user" -> "cpu.user", "data" -> "value".
function fieldLabel(path) {
    if (path === "data") return "value"
    return path.indexOf("data.") === 0 ? path.substring(5) : path
}

function windowLabel(ms) {
    return ms >= 60000 ? (ms / 60000) + " min" : (ms / 1000) + " s"
}

// When something was last used, for lists: "just now", "12 min ago", "5 h ago", else the date.
function lastUsed(ms, now) {
    if (!ms || ms <= 0) return "not used yet"
    var d = now - ms
    if (d < 60000) return "just now"
    if (d < 3600000) return Math.floor(d / 60000) + " min ago"
    if (d < 86400000) return Math.floor(d / 3600000) + " h ago"
    var t = new Date(ms)
    function two(n) { return n < 10 ? "0" + n : "" + n }
    return t.getFullYear() + "-" + two(t.getMonth() + 1) + "-" + two(t.getDate())
}

// Colour slots by field name, so a field keeps its colour when the fields around it change:
// a name's slot is its hash modulo `slots`, the next free one when that is taken in this list.
// `memory` ({name: slot}) keeps earlier answers, so a field that had a slot keeps it.
// Returns one slot per field, in order.
function colorSlots(fields, memory, slots) {
    var taken = {}
    var out = []
    var i
    // Remembered slots first, each slot to one field of the list only.
    for (i = 0; i < fields.length; ++i) {
        var known = memory[fields[i]]
        if (known !== undefined && !taken[known]) {
            taken[known] = true
            out.push(known)
        } else {
            out.push(-1)
        }
    }
    for (i = 0; i < fields.length; ++i) {
        if (out[i] >= 0)
            continue
        var name = fields[i]
        var h = 0
        for (var c = 0; c < name.length; ++c)
            h = (h * 31 + name.charCodeAt(c)) % 1000003
        var slot = h % slots
        for (var tries = 0; tries < slots && taken[slot]; ++tries)
            slot = (slot + 1) % slots
        memory[name] = slot
        taken[slot] = true
        out[i] = slot
    }
    return out
}
