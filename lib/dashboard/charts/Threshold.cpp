#include "Threshold.h"

#include <cmath>

namespace Pulseboard {

QVariantMap Threshold::toVariant() const
{
    QVariantMap map;
    if (warn)
        map.insert(QStringLiteral("warn"), *warn);
    if (alarm)
        map.insert(QStringLiteral("alarm"), *alarm);
    map.insert(QStringLiteral("below"), below);
    return map;
}

Threshold Threshold::fromVariant(const QVariantMap &map)
{
    Threshold t;
    bool ok = false;
    if (const double v = map.value(QStringLiteral("warn")).toDouble(&ok); ok)
        t.warn = v;
    if (const double v = map.value(QStringLiteral("alarm")).toDouble(&ok); ok)
        t.alarm = v;
    t.below = map.value(QStringLiteral("below")).toBool();
    return t;
}

int thresholdLevel(const Threshold &t, double value)
{
    if (std::isnan(value))
        return 0;
    auto beyond = [&](double limit) { return t.below ? value <= limit : value >= limit; };
    if (t.alarm && beyond(*t.alarm))
        return 2;
    if (t.warn && beyond(*t.warn))
        return 1;
    return 0;
}

int thresholdLevel(const Threshold &t, const QVariant &value)
{
    bool ok = false;
    const double v = value.toDouble(&ok);
    return ok ? thresholdLevel(t, v) : 0;
}

} // namespace Pulseboard
