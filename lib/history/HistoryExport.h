// HistoryExport: a time range of the local history store written out as CSV or JSON Lines, for
// `pulseboard-cli --export`. Rows are streamed from SQLite as they are read, so a week at 1 kHz
// never sits in memory. Raw samples by default; with a bucket width, min/max/first/last/count per
// bucket (from the 1 s / 1 min tiers when the width is a multiple of theirs, so ranges whose raw
// samples retention has already removed still export).
#pragma once

#include <QIODevice>
#include <QString>
#include <QStringList>

#include <limits>

namespace Pulseboard {

class HistoryStore;

struct HistoryExportSpec
{
    enum class Format { Csv, JsonLines };
    QString server;       // the server as the dashboard records it ("embedded", its URL); empty: all
    QStringList channels; // empty: every channel
    QString field;        // a field as the dashboard names it ("data.total"); empty: every field
    qint64 fromMs = 0;    // samples with fromMs <= t < toMs
    qint64 toMs = std::numeric_limits<qint64>::max();
    qint64 bucketMs = 0; // > 0: one row per bucket of this width instead of the raw samples
    Format format = Format::Csv;
};

struct HistoryExportResult
{
    int series = 0;   // series that matched the spec
    qint64 rows = 0;  // rows written (header excluded)
    qint64 bytes = 0; // bytes written, the header included
    QString error;    // empty when everything was written
};

// Writes the rows of `spec` to `out`, series by series (ordered by server, channel, field), each in
// time order. CSV columns: time_ms,time_iso,source,field,value,seq,server (the first five as the
// dashboard's Export CSV writes them; source is the channel), or with a bucket width
// time_ms,time_iso,source,field,min,max,first,last,count,server. A write that fails (a full disk,
// a closed pipe) stops the export and says so in `error`.
HistoryExportResult exportHistory(const HistoryStore &store, const HistoryExportSpec &spec, QIODevice *out);

// The connection timeline of the range instead (events with fromMs <= t < toMs, or lasting into
// it), in time order: states, outages, gaps and alerts. CSV columns
// time_ms,time_iso,kind,to_ms,source,detail (kind: state, outage, gap, alert; source: the server,
// the channel of a gap, the rule of an alert; detail: the state's name, the gap's words, the
// alert's JSON line). JSON Lines: {"t","time","kind","to","source","detail"}, an alert with its
// line as the object "alert" instead of "detail". `spec.server` keeps the states and outages of
// that server only; channels, field and bucket do not apply.
HistoryExportResult exportTimeline(const HistoryStore &store, const HistoryExportSpec &spec, QIODevice *out);

// The CSV cells both exports write (this one and the dashboard's Export CSV of a window): a number
// in the fewest digits that read back as the same double (a whole number without exponent), and a
// text cell quoted only when it holds a comma, a quote or a line break.
QString csvNumber(double v);
QString csvField(const QString &text);

// A time for --from / --to: "now"; a duration before now ("-90m", "-2h", "-7d": s, m, h, d, w);
// milliseconds since the epoch ("1764650000000"); or an ISO 8601 date or date-time ("2026-12-01",
// "2026-12-01T08:30", "2026-12-01T08:30:00Z", "...+01:00"), local time when it names no zone.
bool parseHistoryTime(const QString &text, qint64 nowMs, qint64 *ms, QString *error);

} // namespace Pulseboard
