#include "TileModel.h"

#include <cmath>

namespace Pulseboard {

namespace {

// The values of a tick and of the one before are compared as the view would see them: no
// value equals no value, and a NaN the next NaN (else a NaN field would notify on every tick).
bool sameValue(const QVariant &a, const QVariant &b)
{
    if (!a.isValid() || !b.isValid())
        return a.isValid() == b.isValid();
    if (a.typeId() == QMetaType::Double && b.typeId() == QMetaType::Double) {
        const double x = a.toDouble();
        const double y = b.toDouble();
        return x == y || (std::isnan(x) && std::isnan(y));
    }
    return a == b;
}

bool sameValues(const QVariantList &a, const QVariantList &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (!sameValue(a.at(i), b.at(i)))
            return false;
    return true;
}

} // namespace

TileModel::TileModel(QObject *parent) : QAbstractListModel(parent) {}

int TileModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant TileModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case SpecRole:
        return row.spec;
    case ChannelRole:
        return row.channel;
    case LastMessageMsRole:
        return double(row.live.lastMessageMs);
    case StaleRole:
        return row.live.stale;
    case RetainedRole:
        return row.live.retained;
    case LatestRole:
        return row.live.latest;
    case LevelsRole:
        return row.live.levels;
    case AlarmLevelRole:
        return row.live.alarmLevel;
    default:
        return {};
    }
}

QHash<int, QByteArray> TileModel::roleNames() const
{
    return {{SpecRole, "spec"},     {ChannelRole, "channel"},      {LastMessageMsRole, "lastMessageMs"},
            {StaleRole, "stale"},   {RetainedRole, "retained"},    {LatestRole, "latest"},
            {LevelsRole, "levels"}, {AlarmLevelRole, "alarmLevel"}};
}

void TileModel::setReadings(Readings readings)
{
    m_readings = std::move(readings);
    refresh();
}

TileModel::Row TileModel::rowFor(const QVariant &spec)
{
    Row row;
    row.spec = spec;
    const QVariantMap map = spec.toMap();
    row.channel = map.value(QStringLiteral("channel")).toString();
    row.key = map.value(QStringLiteral("key"), row.channel).toString();
    row.fields = map.value(QStringLiteral("fields")).toStringList();
    const QVariantMap thresholds = map.value(QStringLiteral("thresholds")).toMap();
    for (const QString &field : std::as_const(row.fields))
        row.thresholds.append(Threshold::fromVariant(thresholds.value(field).toMap()));
    return row;
}

TileModel::Live TileModel::read(const Row &row) const
{
    Live live;
    if (m_readings.lastMessageMs)
        live.lastMessageMs = m_readings.lastMessageMs(row.channel);
    if (m_readings.stale)
        live.stale = m_readings.stale(row.channel);
    if (m_readings.retained)
        live.retained = m_readings.retained(row.channel);
    live.latest.reserve(row.fields.size());
    live.levels.reserve(row.fields.size());
    for (qsizetype i = 0; i < row.fields.size(); ++i) {
        const QVariant value =
            m_readings.latest ? m_readings.latest(row.channel, row.fields.at(i)) : QVariant();
        const int level = thresholdLevel(row.thresholds.at(i), value);
        live.latest.append(value);
        live.levels.append(level);
        live.alarmLevel = qMax(live.alarmLevel, level);
    }
    return live;
}

QList<int> TileModel::update(Row &row, const Live &live)
{
    QList<int> roles;
    if (live.lastMessageMs != row.live.lastMessageMs)
        roles.append(LastMessageMsRole);
    if (live.stale != row.live.stale)
        roles.append(StaleRole);
    if (live.retained != row.live.retained)
        roles.append(RetainedRole);
    if (!sameValues(live.latest, row.live.latest))
        roles.append(LatestRole);
    if (live.levels != row.live.levels)
        roles.append(LevelsRole);
    if (live.alarmLevel != row.live.alarmLevel)
        roles.append(AlarmLevelRole);
    row.live = live;
    return roles;
}

void TileModel::refresh()
{
    const bool valuesDue =
        m_valueIntervalMs <= 0 || !m_sinceValues.isValid() || m_sinceValues.elapsed() >= m_valueIntervalMs;
    if (valuesDue)
        m_sinceValues.start();
    for (int r = 0; r < m_rows.size(); ++r) {
        Live next = read(m_rows.at(r));
        const Live &now = m_rows.at(r).live;
        if (!valuesDue && next.stale == now.stale && next.alarmLevel == now.alarmLevel &&
            next.latest.size() == now.latest.size()) {
            next.latest = now.latest; // shown at the next due refresh
            next.levels = now.levels;
        }
        const QList<int> roles = update(m_rows[r], next);
        if (!roles.isEmpty()) {
            const QModelIndex i = index(r);
            Q_EMIT dataChanged(i, i, roles);
        }
    }
}

QVariantList TileModel::tiles() const
{
    QVariantList list;
    list.reserve(m_rows.size());
    for (const Row &row : m_rows)
        list.append(row.spec);
    return list;
}

QStringList TileModel::keysOf(const QList<Row> &rows)
{
    QStringList keys;
    keys.reserve(rows.size());
    for (const Row &row : rows)
        keys.append(row.key);
    return keys;
}

void TileModel::setTiles(const QVariantList &tiles)
{
    QList<Row> rows;
    rows.reserve(tiles.size());
    for (const QVariant &t : tiles) {
        rows.append(rowFor(t));
        rows.last().live = read(rows.last());
    }
    const QStringList before = keysOf(m_rows);
    const QStringList after = keysOf(rows);
    const int oldCount = int(m_rows.size());
    // Rows that stay take the new spec (and what it shows now) in place.
    auto updateInPlace = [this, &rows](int count) {
        for (int r = 0; r < count; ++r) {
            const Row &next = rows.at(r);
            Row &row = m_rows[r];
            QList<int> roles;
            if (next.spec != row.spec) {
                row.spec = next.spec;
                row.fields = next.fields;
                row.thresholds = next.thresholds;
                roles.append(SpecRole);
            }
            roles += update(row, next.live);
            if (!roles.isEmpty()) {
                const QModelIndex i = index(r);
                Q_EMIT dataChanged(i, i, roles);
            }
        }
    };
    if (before == after) {
        updateInPlace(int(rows.size()));
        return;
    }
    // Rows added at the end or one row removed (a channel subscribed or dropped) keep the rest.
    if (after.size() > before.size() && after.mid(0, before.size()) == before) {
        updateInPlace(int(before.size()));
        beginInsertRows(QModelIndex(), int(before.size()), int(after.size()) - 1);
        m_rows.append(rows.mid(before.size()));
        endInsertRows();
    } else if (after.size() + 1 == before.size()) {
        int gone = 0;
        while (gone < after.size() && after.at(gone) == before.at(gone))
            ++gone;
        QStringList without = before;
        without.removeAt(gone);
        if (without != after) {
            beginResetModel();
            m_rows = rows;
            endResetModel();
        } else {
            beginRemoveRows(QModelIndex(), gone, gone);
            m_rows.removeAt(gone);
            endRemoveRows();
            updateInPlace(int(rows.size()));
        }
    } else {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    }
    if (m_rows.size() != oldCount)
        Q_EMIT countChanged();
}

} // namespace Pulseboard
