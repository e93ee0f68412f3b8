// FieldDiscovery: finds the numeric fields of a message's JSON data and names them by path,
// `data` for a bare number, `data.cpu.user` for nested objects, `data.cores[2]` for arrays.
// The walk is bounded (depth, array items, nodes visited, fields returned), so one huge or
// hostile message costs the UI thread a known, small amount of work. walkNumericFields is the
// walk itself, over a JsonView (a parsed frame or a QJsonValue): it builds each path in one
// reused buffer and hands it to a visitor, so a message whose fields were seen before costs no
// allocation; discoverNumericFields collects the same fields into a list.
#pragma once

#include "protocol/JsonView.h"

#include <QJsonValue>
#include <QList>
#include <QString>

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

} // namespace Pulseboard
