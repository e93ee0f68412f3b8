// TileModel: the Streams panel's tiles as a list model, one row per tile ({channel, title,
// fields, ...} as the `spec` role). A change to one tile (its fields found, the user's field
// choice) updates that row in place, and a channel subscribed or dropped inserts or removes
// its row: the other tiles, with their charts, stay as they are. (A plain list property made
// QML rebuild every tile, charts and all, whenever any one of them changed: 20 times while 20
// new channels announced their fields.)
#pragma once

#include <QAbstractListModel>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class TileModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("TileModel belongs to the Dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role { SpecRole = Qt::UserRole + 1, ChannelRole };

    explicit TileModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Each tile a QVariantMap with at least "channel" (the row's identity).
    void setTiles(const QVariantList &tiles);
    const QVariantList &tiles() const { return m_tiles; }

Q_SIGNALS:
    void countChanged();

private:
    static QStringList keysOf(const QVariantList &tiles);

    QVariantList m_tiles;
};

} // namespace Pulseboard
