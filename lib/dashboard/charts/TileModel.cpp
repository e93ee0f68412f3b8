#include "TileModel.h"

namespace Pulseboard {

TileModel::TileModel(QObject *parent) : QAbstractListModel(parent) {}

int TileModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tiles.size());
}

QVariant TileModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_tiles.size())
        return {};
    const QVariant &tile = m_tiles.at(index.row());
    switch (role) {
    case SpecRole:
        return tile;
    case ChannelRole:
        return tile.toMap().value(QStringLiteral("channel"));
    default:
        return {};
    }
}

QHash<int, QByteArray> TileModel::roleNames() const
{
    return {{SpecRole, "spec"}, {ChannelRole, "channel"}};
}

QStringList TileModel::keysOf(const QVariantList &tiles)
{
    QStringList keys;
    keys.reserve(tiles.size());
    for (const QVariant &t : tiles)
        keys.append(t.toMap().value(QStringLiteral("channel")).toString());
    return keys;
}

void TileModel::setTiles(const QVariantList &tiles)
{
    const QStringList before = keysOf(m_tiles);
    const QStringList after = keysOf(tiles);
    const int oldCount = int(m_tiles.size());
    if (before == after) {
        for (int row = 0; row < tiles.size(); ++row) {
            if (tiles.at(row) != m_tiles.at(row)) {
                m_tiles[row] = tiles.at(row);
                const QModelIndex i = index(row);
                Q_EMIT dataChanged(i, i, {SpecRole});
            }
        }
        return;
    }
    // Rows added at the end or one row removed (a channel subscribed or dropped) keep the rest.
    if (after.size() > before.size() && after.mid(0, before.size()) == before) {
        setTiles(tiles.mid(0, before.size())); // updates of the rows that stay
        beginInsertRows(QModelIndex(), int(before.size()), int(after.size()) - 1);
        m_tiles = tiles;
        endInsertRows();
    } else if (after.size() + 1 == before.size()) {
        int gone = 0;
        while (gone < after.size() && after.at(gone) == before.at(gone))
            ++gone;
        QStringList without = before;
        without.removeAt(gone);
        if (without != after) {
            beginResetModel();
            m_tiles = tiles;
            endResetModel();
        } else {
            beginRemoveRows(QModelIndex(), gone, gone);
            m_tiles.removeAt(gone);
            endRemoveRows();
            setTiles(tiles);
        }
    } else {
        beginResetModel();
        m_tiles = tiles;
        endResetModel();
    }
    if (m_tiles.size() != oldCount)
        Q_EMIT countChanged();
}

} // namespace Pulseboard
