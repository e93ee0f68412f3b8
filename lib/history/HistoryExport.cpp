#include "HistoryExport.h"

#include "HistoryStore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace Pulseboard {

namespace {

struct Series
{
    qint64 id = 0;
    QString server, channel, field;
};

// Times as ISO 8601 in UTC with milliseconds, as QDateTime writes them
// ("2026-12-01T00:00:00.500Z"), computed here: a QDateTime made from milliseconds goes through the
// local time zone (a stat of /etc/localtime each time), and an export writes millions of rows.
QByteArray isoTime(qint64 ms)
{
    const qint64 day = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    const qint64 inDay = ms - day * 86400000;
    // The civil date of a day count since 1970-01-01 (proleptic Gregorian).
    const qint64 z = day + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const int d = int(doy - (153 * mp + 2) / 5 + 1);
    const int m = int(mp < 10 ? mp + 3 : mp - 9);
    const qint64 y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char text[40];
    const int n = std::snprintf(text, sizeof text, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", qlonglong(y), m,
                                d, int(inDay / 3600000), int(inDay / 60000 % 60), int(inDay / 1000 % 60),
                                int(inDay % 1000));
    return QByteArray(text, n);
}

// A JSON string literal, quotes included.
QByteArray jsonString(const QString &s)
{
    // An array of one string, compact, without its brackets: QJsonDocument escapes it.
    const QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2);
}

// JSON has no NaN or infinity: those are null (the store holds none, but a value says so rather than
// writing an unreadable line).
QByteArray jsonNumber(double v)
{
    return std::isfinite(v) ? csvNumber(v).toLatin1() : QByteArrayLiteral("null");
}

// Rows go out in blocks of about 64 KiB; the first failed write ends the export.
class Writer
{
public:
    explicit Writer(QIODevice *out) : m_out(out) { m_buffer.reserve(kBlock + 1024); }
    void add(const QByteArray &bytes)
    {
        m_buffer += bytes;
        if (m_buffer.size() >= kBlock)
            flush();
    }
    bool flush()
    {
        if (m_failed || m_buffer.isEmpty())
            return !m_failed;
        if (m_out->write(m_buffer) != m_buffer.size()) {
            m_failed = true;
            m_error = m_out->errorString();
        } else {
            m_written += m_buffer.size();
        }
        m_buffer.clear();
        return !m_failed;
    }
    bool failed() const { return m_failed; }
    // Writes what is held and says in `result` what went out, or why not.
    void finish(HistoryExportResult *result)
    {
        flush();
        result->bytes = m_written;
        if (m_failed)
            result->error = QStringLiteral("cannot write the export: %1").arg(error());
    }
    QString error() const { return m_error.isEmpty() ? QStringLiteral("write failed") : m_error; }

private:
    static constexpr qsizetype kBlock = 64 * 1024;
    QIODevice *m_out;
    QByteArray m_buffer;
    bool m_failed = false;
    qint64 m_written = 0;
    QString m_error;
};

} // namespace

HistoryExportResult exportHistory(const HistoryStore &store, const HistoryExportSpec &spec, QIODevice *out)
{
    HistoryExportResult result;
    QList<Series> matched;
    const auto all = store.series();
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        Series s;
        s.id = it.key();
        if (!HistoryStore::splitSourceName(it.value().first, &s.server, &s.channel))
            continue; // not a channel's series
        s.field = it.value().second;
        if ((!spec.server.isEmpty() && s.server != spec.server) ||
            (!spec.channels.isEmpty() && !spec.channels.contains(s.channel)) ||
            (!spec.field.isEmpty() && s.field != spec.field))
            continue;
        matched.append(s);
    }
    std::sort(matched.begin(), matched.end(), [](const Series &a, const Series &b) {
        return std::tie(a.server, a.channel, a.field) < std::tie(b.server, b.channel, b.field);
    });
    result.series = int(matched.size());

    const bool csv = spec.format == HistoryExportSpec::Format::Csv;
    const bool buckets = spec.bucketMs > 0;
    Writer w(out);
    if (csv)
        w.add(buckets ? "time_ms,time_iso,source,field,min,max,first,last,count,server\n"
                      : "time_ms,time_iso,source,field,value,seq,server\n");
    for (const Series &s : matched) {
        // What every row of the series repeats, encoded once.
        QByteArray middle, tail;
        if (csv) {
            middle = ',' + csvField(s.channel).toUtf8() + ',' + csvField(s.field).toUtf8() + ',';
            tail = ',' + csvField(s.server).toUtf8() + '\n';
        } else {
            middle = ",\"server\":" + jsonString(s.server) + ",\"channel\":" + jsonString(s.channel) +
                     ",\"field\":" + jsonString(s.field);
            tail = "}\n";
        }
        auto head = [&](qint64 t) {
            const QByteArray iso = isoTime(t);
            return csv ? QByteArray::number(t) + ',' + iso
                       : "{\"t\":" + QByteArray::number(t) + ",\"time\":\"" + iso + '"';
        };
        if (!buckets) {
            store.forEachSample(s.id, spec.fromMs, spec.toMs, [&](const HistorySample &sample) {
                if (csv)
                    w.add(head(sample.timeMs) + middle + jsonNumber(sample.value) + ',' +
                          QByteArray::number(sample.seq) + tail);
                else
                    w.add(head(sample.timeMs) + middle + ",\"seq\":" + QByteArray::number(sample.seq) +
                          ",\"value\":" + jsonNumber(sample.value) + tail);
                ++result.rows;
                return !w.failed();
            });
        } else {
            // A day of buckets (or 10 000 of them, if wider) per read: memory stays bounded.
            qint64 from = spec.fromMs;
            qint64 first = 0, last = 0;
            if (store.range(s.id, &first, &last))
                from = std::max(from, first - first % spec.bucketMs);
            const qint64 to = std::min(spec.toMs, last == 0 ? spec.toMs : last + 1);
            const qint64 chunk =
                std::max<qint64>(86400000LL - 86400000LL % spec.bucketMs, spec.bucketMs * 10000);
            for (qint64 a = from; a < to && !w.failed(); a += chunk) {
                const qint64 b =
                    a > std::numeric_limits<qint64>::max() - chunk ? to : std::min(to, a + chunk);
                for (const HistoryBucket &k : store.buckets(s.id, a, b, spec.bucketMs)) {
                    if (csv)
                        w.add(head(k.startMs) + middle + jsonNumber(k.min) + ',' + jsonNumber(k.max) + ',' +
                              jsonNumber(k.first) + ',' + jsonNumber(k.last) + ',' +
                              QByteArray::number(k.count) + tail);
                    else
                        w.add(head(k.startMs) + middle + ",\"min\":" + jsonNumber(k.min) +
                              ",\"max\":" + jsonNumber(k.max) + ",\"first\":" + jsonNumber(k.first) +
                              ",\"last\":" + jsonNumber(k.last) +
                              ",\"count\":" + QByteArray::number(k.count) + tail);
                    ++result.rows;
                }
            }
        }
        if (w.failed())
            break;
    }
    w.finish(&result);
    return result;
}

HistoryExportResult exportTimeline(const HistoryStore &store, const HistoryExportSpec &spec, QIODevice *out)
{
    static const char *const kKinds[] = {"state", "outage", "gap", "alert"};
    HistoryExportResult result;
    const bool csv = spec.format == HistoryExportSpec::Format::Csv;
    Writer w(out);
    if (csv)
        w.add("time_ms,time_iso,kind,to_ms,source,detail\n");
    for (const HistoryEvent &e : store.timeline(spec.fromMs, spec.toMs)) {
        const int k = int(e.kind);
        if (k < 0 || k > 3)
            continue; // a kind of a newer build
        const bool ofServer = e.kind == HistoryEvent::Kind::State || e.kind == HistoryEvent::Kind::Outage;
        if (!spec.server.isEmpty() && ofServer && e.source != spec.server)
            continue;
        const QByteArray t = QByteArray::number(e.fromMs);
        const QByteArray iso = isoTime(e.fromMs);
        if (csv) {
            w.add(t + ',' + iso + ',' + kKinds[k] + ',' + QByteArray::number(e.toMs) + ',' +
                  csvField(e.source).toUtf8() + ',' + csvField(e.detail).toUtf8() + '\n');
        } else {
            QByteArray line = "{\"t\":" + t + ",\"time\":\"" + iso + "\",\"kind\":\"" + kKinds[k] +
                              "\",\"to\":" + QByteArray::number(e.toMs) +
                              ",\"source\":" + jsonString(e.source);
            const QJsonDocument alert = e.kind == HistoryEvent::Kind::Alert
                                            ? QJsonDocument::fromJson(e.detail.toUtf8())
                                            : QJsonDocument();
            if (alert.isObject())
                line += ",\"alert\":" + alert.toJson(QJsonDocument::Compact);
            else
                line += ",\"detail\":" + jsonString(e.detail);
            w.add(line + "}\n");
        }
        ++result.rows;
        if (w.failed())
            break;
    }
    w.finish(&result);
    return result;
}

QString csvNumber(double v)
{
    // A whole number within a double's exact integers is written as one (no exponent: 1764650000000,
    // not 1.76465e+12); anything else in the fewest digits that read back as the same double.
    constexpr double kExactIntegers = 9007199254740992.0; // 2^53
    if (std::isfinite(v) && std::trunc(v) == v && std::abs(v) <= kExactIntegers)
        return QString::number(qint64(v));
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString q = text;
    q.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

bool parseHistoryTime(const QString &text, qint64 nowMs, qint64 *ms, QString *error)
{
    const QString t = text.trimmed();
    if (t == QLatin1StringView("now")) {
        *ms = nowMs;
        return true;
    }
    static const QRegularExpression relative(QStringLiteral("^-(\\d+(?:\\.\\d+)?)\\s*([smhdw])$"));
    if (const auto m = relative.match(t); m.hasMatch()) {
        static const QHash<QString, double> unit = {{QStringLiteral("s"), 1e3},
                                                    {QStringLiteral("m"), 60e3},
                                                    {QStringLiteral("h"), 3600e3},
                                                    {QStringLiteral("d"), 86400e3},
                                                    {QStringLiteral("w"), 7 * 86400e3}};
        const double back = m.captured(1).toDouble() * unit.value(m.captured(2));
        if (back > double(nowMs)) {
            *error = QStringLiteral("'%1' is before 1970").arg(text);
            return false;
        }
        *ms = nowMs - qint64(back);
        return true;
    }
    static const QRegularExpression digits(QStringLiteral("^\\d{1,16}$"));
    if (digits.match(t).hasMatch()) {
        *ms = t.toLongLong();
        return true;
    }
    QDateTime when = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!when.isValid()) {
        const QDate day = QDate::fromString(t, Qt::ISODate);
        if (day.isValid())
            when = day.startOfDay();
    }
    if (!when.isValid()) {
        *error =
            QStringLiteral("'%1' is not a time: give now, -2h (s m h d w before now), milliseconds since "
                           "1970, or an ISO 8601 date or date-time such as 2026-12-01T08:30:00Z")
                .arg(text);
        return false;
    }
    *ms = when.toMSecsSinceEpoch();
    return true;
}

} // namespace Pulseboard
