// Threshold: when a charted value is worth a warning or an alarm ({warn, alarm, below} of a
// chart in --config). The level is computed here and nowhere else: the tile model hands it to
// QML as a role, so QML only chooses the colour.
#pragma once

#include <QVariant>
#include <QVariantMap>

#include <optional>

namespace Pulseboard {

struct Threshold
{
    std::optional<double> warn;
    std::optional<double> alarm;
    bool below = false; // the bad side is below the value (e.g. free memory)

    // {warn, alarm, below}, the form a tile's spec carries.
    QVariantMap toVariant() const;
    static Threshold fromVariant(const QVariantMap &map);
};

// 0 ok, 1 warn, 2 alarm. A limit counts as reached when the value equals it.
int thresholdLevel(const Threshold &t, double value);
// The same for a value as the series store holds it: no value, or not a number, is 0.
int thresholdLevel(const Threshold &t, const QVariant &value);

} // namespace Pulseboard
