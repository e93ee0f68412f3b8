#include "JsonTreeModel.h"

#include "dashboard/charts/FieldDiscovery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace Pulseboard {

namespace {

QString pointerStep(const QString &key)
{
    QString step = key;
    step.replace(u'~', QLatin1StringView("~0"));
    step.replace(u'/', QLatin1StringView("~1"));
    return step;
}

QString typeOf(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        break;
    }
    return QString();
}

bool isContainer(const QJsonValue &v)
{
    return v.isObject() || v.isArray();
}

bool sameValue(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    return a == b;
}

QString cut(const QString &text, int maxChars)
{
    return text.size() > maxChars ? text.left(maxChars - 1) + QChar(0x2026) : text;
}

struct FieldSet : NumericFieldVisitor
{
    QSet<QString> paths;
    void field(const QString &path, double) override { paths.insert(path); }
};

} // namespace

JsonTreeModel::JsonTreeModel(QObject *parent) : QAbstractListModel(parent) {}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QString JsonTreeModel::changeName(Change change)
{
    switch (change) {
    case Change::Changed:
        return QStringLiteral("changed");
    case Change::Added:
        return QStringLiteral("added");
    case Change::Removed:
        return QStringLiteral("removed");
    case Change::None:
        break;
    }
    return QString();
}

QString JsonTreeModel::valueText(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0)
            return QString::number(qint64(d));
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    if (value.isString())
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isNull())
        return QStringLiteral("null");
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QString();
}

const QJsonValue &JsonTreeModel::shownValue(const Node &n) const
{
    return n.change == Change::Removed ? n.previous : n.value;
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return QVariant();
    const Node &n = m_nodes.at(m_rows.at(index.row()));
    const QJsonValue &v = shownValue(n);
    switch (role) {
    case Qt::DisplayRole:
    case KeyRole:
        return n.key;
    case PointerRole:
        return n.pointer;
    case FieldRole:
        return n.field;
    case DepthRole:
        return n.depth;
    case TypeRole:
        return typeOf(v);
    case ValueRole:
        if (v.isObject())
            return v.toObject().size() == 1 ? QStringLiteral("{1 key}")
                                            : QStringLiteral("{%1 keys}").arg(v.toObject().size());
        if (v.isArray())
            return v.toArray().size() == 1 ? QStringLiteral("[1 item]")
                                           : QStringLiteral("[%1 items]").arg(v.toArray().size());
        return cut(valueText(v), kShownChars);
    case FullValueRole:
        return valueText(v);
    case ElidedRole:
        return !isContainer(v) && valueText(v).size() > kShownChars;
    case ExpandableRole:
        return !n.children.isEmpty();
    case ExpandedRole:
        return n.expanded;
    case ChildCountRole:
        return int(n.children.size());
    case ChangeRole:
        return changeName(n.change);
    case PreviousValueRole:
        return n.change == Change::Changed ? cut(valueText(n.previous), kShownChars) : QString();
    case FullPreviousValueRole:
        return n.change == Change::Changed ? valueText(n.previous) : QString();
    case NumericRole:
        return n.change != Change::Removed && n.value.isDouble();
    case ChartableRole:
        return n.chartable;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> JsonTreeModel::roleNames() const
{
    return {{KeyRole, "key"},
            {PointerRole, "pointer"},
            {FieldRole, "field"},
            {DepthRole, "depth"},
            {TypeRole, "type"},
            {ValueRole, "value"},
            {FullValueRole, "fullValue"},
            {ElidedRole, "elided"},
            {ExpandableRole, "expandable"},
            {ExpandedRole, "expanded"},
            {ChildCountRole, "childCount"},
            {ChangeRole, "change"},
            {PreviousValueRole, "previousValue"},
            {FullPreviousValueRole, "fullPreviousValue"},
            {NumericRole, "numeric"},
            {ChartableRole, "chartable"}};
}

QVariantMap JsonTreeModel::rowAt(int row) const
{
    QVariantMap map;
    if (row < 0 || row >= m_rows.size())
        return map;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return map;
}

int JsonTreeModel::addNode(int parent, const QString &key, const QString &pointer, const QString &field,
                           int depth, const QJsonValue &now, const QJsonValue &before, bool compare)
{
    const int at = int(m_nodes.size());
    Node node;
    node.key = key;
    node.pointer = pointer;
    node.field = field;
    node.parent = parent;
    node.depth = depth;
    node.value = now;
    node.previous = compare ? before : QJsonValue(QJsonValue::Undefined);
    node.chartable = now.isDouble() && m_chartFields.contains(field);
    const bool bothContainers = (now.isObject() && before.isObject()) || (now.isArray() && before.isArray());
    if (compare) {
        if (now.isUndefined())
            node.change = Change::Removed;
        else if (before.isUndefined())
            node.change = Change::Added;
        else if (!bothContainers && !sameValue(now, before))
            node.change = Change::Changed;
    }
    m_nodes.append(node);

    // A value that changed type is changed as a whole: what it holds now is not compared.
    const QJsonValue &shape = now.isUndefined() ? before : now;
    const bool compareInside = compare && (bothContainers || now.isUndefined() || before.isUndefined());
    const QJsonValue inside = compareInside ? before : QJsonValue(QJsonValue::Undefined);
    if (!isContainer(shape))
        return at;
    if (depth >= kMaxDepth) {
        m_truncated = true;
        return at;
    }
    QList<int> children;
    auto child = [&](const QString &childKey, const QString &step, const QString &childField,
                     const QJsonValue &childNow, const QJsonValue &childBefore) {
        if (m_nodes.size() >= kMaxNodes) {
            m_truncated = true;
            return false;
        }
        children.append(addNode(at, childKey, pointer + u'/' + step, childField, depth + 1, childNow,
                                childBefore, compareInside));
        return true;
    };
    if (shape.isObject()) {
        const QJsonObject o = now.toObject();
        const QJsonObject p = inside.toObject();
        // Keys in QJsonObject's (sorted) order, those of the previous frame among them.
        QStringList keys = o.keys();
        for (auto it = p.constBegin(); it != p.constEnd(); ++it)
            if (!o.contains(it.key()))
                keys.append(it.key());
        std::sort(keys.begin(), keys.end());
        for (const QString &k : std::as_const(keys)) {
            if (!child(k, pointerStep(k), field + u'.' + k, o.value(k), p.value(k)))
                break;
        }
    } else {
        const QJsonArray a = now.toArray();
        const QJsonArray p = inside.toArray();
        const qsizetype count = qMax(a.size(), p.size());
        for (qsizetype i = 0; i < count; ++i) {
            const QString index = QString::number(i);
            const QJsonValue childNow = i < a.size() ? a.at(i) : QJsonValue(QJsonValue::Undefined);
            const QJsonValue childBefore = i < p.size() ? p.at(i) : QJsonValue(QJsonValue::Undefined);
            if (!child(index, index, field + u'[' + index + u']', childNow, childBefore))
                break;
        }
    }
    bool below = false;
    for (int c : std::as_const(children))
        below = below || m_nodes.at(c).change != Change::None || m_nodes.at(c).changesBelow;
    Node &self = m_nodes[at];
    self.children = children;
    self.changesBelow = below;
    self.expanded = depth == 0 || (depth < kDefaultDepth && children.size() <= kBigContainer);
    return at;
}

void JsonTreeModel::setFrame(const Frame &current, const std::optional<Frame> &previous)
{
    beginResetModel();
    m_nodes.clear();
    m_rows.clear();
    m_truncated = false;
    m_channel = current.channel;
    m_seq = current.seq;
    m_hasPrevious = previous.has_value();
    m_previousSeq = previous ? previous->seq : -1;
    m_previousReceivedMs = previous ? previous->receivedMs : 0;
    // The fields the charts follow in this message (FieldDiscovery's walk and limits): a number
    // beyond them would make a chart that never draws.
    FieldSet fields;
    walkNumericFields(JsonView(current.data), fields);
    m_chartFields = std::move(fields.paths);
    if (!current.data.isUndefined())
        addNode(-1, QStringLiteral("data"), QStringLiteral("/data"), QStringLiteral("data"), 0, current.data,
                previous ? previous->data : QJsonValue(QJsonValue::Undefined), m_hasPrevious);
    m_changed = m_added = m_removed = 0;
    for (const Node &n : std::as_const(m_nodes)) {
        m_changed += n.change == Change::Changed;
        m_added += n.change == Change::Added;
        m_removed += n.change == Change::Removed;
    }
    if (m_changesOnly) // the changes are what is looked at: the way to each one is open
        for (Node &n : m_nodes)
            n.expanded = n.expanded || n.changesBelow;
    if (!m_nodes.isEmpty())
        appendRows(0, m_rows);
    endResetModel();
    Q_EMIT frameChanged();
    Q_EMIT countChanged();
}

void JsonTreeModel::clear()
{
    if (m_nodes.isEmpty())
        return;
    beginResetModel();
    m_nodes.clear();
    m_rows.clear();
    m_chartFields.clear();
    m_channel.clear();
    m_seq = m_previousSeq = -1;
    m_previousReceivedMs = 0;
    m_hasPrevious = m_truncated = false;
    m_changed = m_added = m_removed = 0;
    endResetModel();
    Q_EMIT frameChanged();
    Q_EMIT countChanged();
}

bool JsonTreeModel::shown(const Node &n) const
{
    return !m_changesOnly || n.change != Change::None || n.changesBelow || n.parent < 0;
}

void JsonTreeModel::appendRows(int node, QList<int> &out) const
{
    const Node &n = m_nodes.at(node);
    if (!shown(n))
        return;
    out.append(node);
    if (!n.expanded)
        return;
    for (int c : n.children)
        appendRows(c, out);
}

void JsonTreeModel::rebuildRows()
{
    beginResetModel();
    m_rows.clear();
    if (!m_nodes.isEmpty())
        appendRows(0, m_rows);
    endResetModel();
    Q_EMIT countChanged();
}

int JsonTreeModel::descendantRows(int row) const
{
    const int depth = m_nodes.at(m_rows.at(row)).depth;
    int end = row + 1;
    while (end < m_rows.size() && m_nodes.at(m_rows.at(end)).depth > depth)
        ++end;
    return end - row - 1;
}

void JsonTreeModel::setExpanded(int row, bool expanded)
{
    if (row < 0 || row >= m_rows.size())
        return;
    const int node = m_rows.at(row);
    if (m_nodes.at(node).children.isEmpty() || m_nodes.at(node).expanded == expanded)
        return;
    if (expanded) {
        m_nodes[node].expanded = true;
        QList<int> rows;
        appendRows(node, rows);
        rows.removeFirst(); // the row itself is there
        if (!rows.isEmpty()) {
            beginInsertRows(QModelIndex(), row + 1, row + int(rows.size()));
            for (qsizetype i = 0; i < rows.size(); ++i)
                m_rows.insert(row + 1 + i, rows.at(i));
            endInsertRows();
        }
    } else {
        const int below = descendantRows(row);
        if (below > 0) {
            beginRemoveRows(QModelIndex(), row + 1, row + below);
            m_rows.remove(row + 1, below);
            m_nodes[node].expanded = false;
            endRemoveRows();
        }
        m_nodes[node].expanded = false;
    }
    Q_EMIT dataChanged(index(row), index(row), {ExpandedRole});
    Q_EMIT countChanged();
}

void JsonTreeModel::toggle(int row)
{
    if (row >= 0 && row < m_rows.size())
        setExpanded(row, !m_nodes.at(m_rows.at(row)).expanded);
}

void JsonTreeModel::expandAll()
{
    for (Node &n : m_nodes)
        n.expanded = !n.children.isEmpty();
    rebuildRows();
}

int JsonTreeModel::rowOfPointer(const QString &pointer) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        if (m_nodes.at(m_rows.at(i)).pointer == pointer)
            return int(i);
    return -1;
}

void JsonTreeModel::setChangesOnly(bool on)
{
    if (m_changesOnly == on)
        return;
    m_changesOnly = on;
    if (on)
        for (Node &n : m_nodes)
            n.expanded = n.expanded || n.changesBelow;
    rebuildRows();
    Q_EMIT changesOnlyChanged();
}

} // namespace Pulseboard
