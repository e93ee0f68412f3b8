#include "FieldDiscovery.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace Pulseboard {

namespace {

struct Walker
{
    const DiscoveryLimits &limits;
    DiscoveryResult &result;
    int nodes = 0;

    void walk(const QJsonValue &v, const QString &path, int depth)
    {
        if (++nodes > limits.maxNodes || result.fields.size() >= limits.maxFields) {
            result.truncated = true;
            return;
        }
        switch (v.type()) {
        case QJsonValue::Double: {
            const double d = v.toDouble();
            if (std::isfinite(d))
                result.fields.append({path, d});
            return;
        }
        case QJsonValue::Object: {
            if (depth >= limits.maxDepth) {
                result.truncated = true;
                return;
            }
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end() && !result.truncated; ++it)
                walk(it.value(), path + QLatin1Char('.') + it.key(), depth + 1);
            return;
        }
        case QJsonValue::Array: {
            if (depth >= limits.maxDepth) {
                result.truncated = true;
                return;
            }
            const QJsonArray a = v.toArray();
            const int n = int(qMin<qsizetype>(a.size(), limits.maxArrayItems));
            if (a.size() > limits.maxArrayItems)
                result.truncated = true;
            for (int i = 0; i < n && nodes <= limits.maxNodes; ++i)
                walk(a.at(i), path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']'), depth + 1);
            return;
        }
        default:
            return; // strings, booleans and null are not charted
        }
    }
};

} // namespace

DiscoveryResult discoverNumericFields(const QJsonValue &data, const DiscoveryLimits &limits, const QString &root)
{
    DiscoveryResult result;
    Walker walker{limits, result};
    walker.walk(data, root, 0);
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

} // namespace Pulseboard
