#include "FieldDiscovery.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace Pulseboard {

namespace {

struct Walker
{
    const DiscoveryLimits &limits;
    NumericFieldVisitor &visitor;
    QString path;
    int nodes = 0;
    int fields = 0;
    bool truncated = false;

    void appendKey(QByteArrayView key)
    {
        path.append(QLatin1Char('.'));
        // Keys are nearly always ASCII: appended in place, no temporary string.
        bool ascii = true;
        for (const char c : key)
            ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        if (ascii)
            path.append(QLatin1StringView(key.data(), key.size()));
        else
            path.append(QString::fromUtf8(key));
    }

    void walk(const JsonView &v, int depth)
    {
        if (++nodes > limits.maxNodes || fields >= limits.maxFields) {
            truncated = true;
            return;
        }
        if (v.isDouble()) {
            const double d = v.toDouble();
            if (std::isfinite(d)) {
                ++fields;
                visitor.field(path, d);
            }
            return;
        }
        if (v.isObject()) {
            if (depth >= limits.maxDepth) {
                truncated = true;
                return;
            }
            const qsizetype at = path.size();
            v.forEachMember([&](QByteArrayView key, const JsonView &member) {
                if (truncated)
                    return false;
                appendKey(key);
                walk(member, depth + 1);
                path.truncate(at);
                return !truncated;
            });
            return;
        }
        if (v.isArray()) {
            if (depth >= limits.maxDepth) {
                truncated = true;
                return;
            }
            // An oversized array marks the walk cut before its first items are read, as the
            // list-building walk always did (objects inside it then give nothing).
            if (v.size() > limits.maxArrayItems)
                truncated = true;
            const qsizetype at = path.size();
            int i = 0;
            v.forEachElement([&](const JsonView &item) {
                if (i >= limits.maxArrayItems || nodes > limits.maxNodes)
                    return false;
                char index[16];
                const int n = std::snprintf(index, sizeof index, "[%d]", i);
                path.append(QLatin1StringView(index, n));
                walk(item, depth + 1);
                path.truncate(at);
                ++i;
                return true;
            });
            return;
        }
        // strings, booleans and null are not charted
    }
};

struct Collector : NumericFieldVisitor
{
    QList<NumericField> fields;
    void field(const QString &path, double value) override { fields.append({path, value}); }
};

} // namespace

bool walkNumericFields(const JsonView &data, NumericFieldVisitor &visitor, const DiscoveryLimits &limits,
                       const QString &root)
{
    Walker walker{limits, visitor, root};
    walker.path.reserve(root.size() + 64);
    walker.walk(data, 0);
    return walker.truncated;
}

DiscoveryResult discoverNumericFields(const QJsonValue &data, const DiscoveryLimits &limits,
                                      const QString &root)
{
    Collector collector;
    DiscoveryResult result;
    result.truncated = walkNumericFields(JsonView(data), collector, limits, root);
    result.fields = std::move(collector.fields);
    return result;
}

bool numericValueAt(const QJsonValue &data, const QString &path, double *value, const QString &root)
{
    if (!path.startsWith(root))
        return false;
    QJsonValue current = data;
    int i = int(root.size());
    while (i < path.size()) {
        if (path.at(i) == QLatin1Char('.')) {
            int end = i + 1;
            while (end < path.size() && path.at(end) != QLatin1Char('.') && path.at(end) != QLatin1Char('['))
                ++end;
            if (!current.isObject())
                return false;
            current = current.toObject().value(path.mid(i + 1, end - i - 1));
            i = end;
        } else if (path.at(i) == QLatin1Char('[')) {
            const int close = path.indexOf(QLatin1Char(']'), i);
            bool ok = false;
            const int index = path.mid(i + 1, close - i - 1).toInt(&ok);
            if (close < 0 || !ok || !current.isArray())
                return false;
            current = current.toArray().at(index);
            i = close + 1;
        } else {
            return false;
        }
    }
    if (!current.isDouble())
        return false;
    *value = current.toDouble();
    return true;
}

QStringList chooseChartFields(const QList<FieldStats> &fields, int count, const QStringList &preferred)
{
    static const QStringList notFigures = {QStringLiteral("t"),    QStringLiteral("ts"),
                                           QStringLiteral("time"), QStringLiteral("timestamp"),
                                           QStringLiteral("seq"),  QStringLiteral("id")};
    struct Ranked
    {
        int tier = 0; // 0 moves (or too few samples to tell), 1 constant, 2 always 0
        int preference = 0;
        int depth = 0;
        int order = 0;
        double magnitude = 0;
        QString path;
        bool operator<(const Ranked &o) const
        {
            return std::tie(tier, preference, depth, order) <
                   std::tie(o.tier, o.preference, o.depth, o.order);
        }
    };
    QList<Ranked> ranked;
    for (int i = 0; i < fields.size(); ++i) {
        const FieldStats &f = fields.at(i);
        const QString last = f.path.section(QLatin1Char('.'), -1);
        const double magnitude = qMax(std::abs(f.min), std::abs(f.max));
        if (notFigures.contains(last, Qt::CaseInsensitive) || magnitude > 1e11 || !std::isfinite(magnitude))
            continue;
        Ranked r;
        r.tier = f.samples > 0 && f.min == 0 && f.max == 0 ? 2 : f.samples >= 3 && f.min == f.max ? 1 : 0;
        const qsizetype at = preferred.indexOf(last);
        r.preference = at < 0 ? int(preferred.size()) : int(at);
        r.depth = int(f.path.count(QLatin1Char('.'))) + (f.path.contains(QLatin1Char('[')) ? 8 : 0);
        r.order = i;
        r.magnitude = magnitude;
        r.path = f.path;
        ranked.append(r);
    }
    std::sort(ranked.begin(), ranked.end());
    QStringList chosen;
    double firstMagnitude = 0;
    for (const Ranked &r : ranked) {
        if (chosen.size() >= count || r.tier == 2)
            break;
        if (!chosen.isEmpty() && firstMagnitude > 0 && r.magnitude > 0) {
            const double ratio = r.magnitude / firstMagnitude;
            if (ratio > 1000 || ratio < 1e-3)
                continue;
        }
        if (chosen.isEmpty())
            firstMagnitude = r.magnitude;
        chosen.append(r.path);
    }
    // Nothing but zeros: charting them still says "all zero", better than an empty tile.
    if (chosen.isEmpty())
        for (int i = 0; i < ranked.size() && i < count; ++i)
            chosen.append(ranked.at(i).path);
    return chosen;
}

QStringList preferredChartFields(const QString &channel)
{
    if (channel == QLatin1StringView("sys.cpu"))
        return {QStringLiteral("user"), QStringLiteral("system"), QStringLiteral("iowait"),
                QStringLiteral("total")};
    if (channel == QLatin1StringView("sys.mem"))
        return {QStringLiteral("usedBytes"), QStringLiteral("availableBytes"), QStringLiteral("cachedBytes"),
                QStringLiteral("swapUsedBytes")};
    if (channel == QLatin1StringView("sys.net"))
        return {QStringLiteral("rxBytesPerSec"), QStringLiteral("txBytesPerSec")};
    if (channel == QLatin1StringView("sys.load"))
        return {QStringLiteral("load1"), QStringLiteral("load5"), QStringLiteral("load15")};
    return {};
}

} // namespace Pulseboard
