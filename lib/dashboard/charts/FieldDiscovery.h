// FieldDiscovery: finds the numeric fields of a message's JSON data and names them by path,
// `data` for a bare number, `data.cpu.user` for nested objects, `data.cores[2]` for arrays.
// The walk is bounded (depth, array items, nodes visited, fields returned), so one huge or
// hostile message costs the UI thread a known, small amount of work. walkNumericFields is the
// walk itself, over a JsonView (a parsed frame or a QJsonValue): it builds each path in one
// reused buffer and hands it to a visitor, so a message whose fields were seen before costs no
// allocation; discoverNumericFields collects the same fields into a list. chooseChartFields
// ranks a channel's fields for the chart a tile draws before anyone picks.
#pragma once

#include "protocol/JsonView.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace Pulseboard {

struct NumericField
{
    QString path;
    double value = 0;
};

struct DiscoveryLimits
{
    int maxDepth = 8;
    int maxArrayItems = 32;
    int maxNodes = 1024;
    int maxFields = 64;
};

struct DiscoveryResult
{
    QList<NumericField> fields; // in document order
    bool truncated = false;     // a limit cut the walk short
};

class NumericFieldVisitor
{
public:
    virtual ~NumericFieldVisitor() = default;
    // `path` is a buffer the walk keeps changing: copy it to keep it.
    virtual void field(const QString &path, double value) = 0;
};

// Returns true when a limit cut the walk short (as DiscoveryResult::truncated).
bool walkNumericFields(const JsonView &data, NumericFieldVisitor &visitor, const DiscoveryLimits &limits = {},
                       const QString &root = QStringLiteral("data"));

DiscoveryResult discoverNumericFields(const QJsonValue &data, const DiscoveryLimits &limits = {},
                                      const QString &root = QStringLiteral("data"));

// The value at `path` (as produced above) inside `data`, when it is a number.
bool numericValueAt(const QJsonValue &data, const QString &path, double *value,
                    const QString &root = QStringLiteral("data"));

// What the automatic chart choice knows of one field: its samples so far.
struct FieldStats
{
    QString path;
    int samples = 0;
    double min = 0;
    double max = 0;
};

// The fields a person would chart first, at most `count`, best first. Never what looks like a
// timestamp or an id (its name, or a value beyond 1e11: a line at 1.7e12 flattens the rest).
// Fields that move come before constant ones, and a field that has only ever been 0 is left
// out while anything else is left; then the names in `preferred` (matched on the path's last
// part, in that order), then top-level before nested before array items, then the order the
// fields were found in. Once the first field is chosen, fields more than 1000 times larger or
// smaller than it are left out too (they would flatten it or be flattened on a shared axis).
QStringList chooseChartFields(const QList<FieldStats> &fields, int count, const QStringList &preferred = {});
// The names to prefer for the embedded hub's system channels (sys.cpu, sys.mem, sys.net,
// sys.load); empty for any other channel, which is ranked by the rules above alone.
QStringList preferredChartFields(const QString &channel);

} // namespace Pulseboard
