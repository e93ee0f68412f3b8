// Number and time formatting shared by the panels (pure functions, tested with
// Qt Quick Test in tests/qml/tst_format.qml).
.pragma library

// 1234.5 -> "1,234.5" style without locale surprises: up to 3 significant decimals, k/M/G above 10 000.
function number(v) {
    if (v === undefined || v === null || isNaN(v))
        return "\u2013"
    var a = Math.abs(v)
    if (a >= 1e9) return (v / 1e9).toFixed(a >= 1e10 ? 1 : 2) + "G"
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 1 : 2) + "M"
    if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + "k"
    if (a >= 100) return v.toFixed(0)
    if (a >= 10) return v.toFixed(1)
    if (a === 0) return "0"
    if (a >= 1) return v.toFixed(2)
    return v.toPrecision(2)
}

function bytes(v) {
    if (v === undefined || v === null || isNaN(v)) return "\u2013"
    if (v >= 1073741824) return (v / 1073741824).toFixed(1) + " GiB"
    if (v >= 1048576) return (v / 1048576).toFixed(1) + " MiB"
    if (v >= 1024) return (v / 1024).toFixed(1) + " KiB"
    return Math.round(v) + " B"
}

// Ages for people: "now", "4 s", "3 min", "2 h".
function age(ms) {
    if (ms === undefined || ms < 0) return "never"
    if (ms < 1000) return "now"
    var s = Math.floor(ms / 1000)
    if (s < 60) return s + " s"
    if (s < 3600) return Math.floor(s / 60) + " min"
    return Math.floor(s / 3600) + " h"
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
