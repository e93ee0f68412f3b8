// TileModel: the Streams panel's tiles as a list model, one row per tile, and the only way QML
// learns about a tile. The `spec` role is what the tile is ({channel, title, fields, ...}); the
// other roles are what it shows that moves with the data: when the newest message arrived,
// whether the channel is stale, the newest value of each charted field, each value's threshold
// level and the tile's worst level. refresh() re-reads those on the display tick and emits
// dataChanged only for the rows, and with only the roles, that changed: a quiet dashboard's
// tick costs QML nothing, and no tile re-reads anything by itself.
// A change to one tile's spec (its fields found, the user's field choice) updates that row in
// place, and a channel subscribed or dropped inserts or removes its row: the other tiles, with
// their charts, stay as they are. (A plain list property made QML rebuild every tile, charts
// and all, whenever any one of them changed: 20 times while 20 new channels announced their
// fields.)
#pragma once

#include "Threshold.h"

#include <QAbstractListModel>
#include <QElapsedTimer>
#include <QList>
#include <QStringList>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <functional>

namespace Pulseboard {

class TileModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("TileModel belongs to the Dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        SpecRole = Qt::UserRole + 1,
        ChannelRole,
        LastMessageMsRole, // arrival time of the channel's newest message; 0: none yet
        StaleRole,         // nothing live to show: the connection is down or the channel went quiet
        LatestRole,        // the newest value of each of spec.fields, in that order (undefined: none yet)
        LevelsRole,        // the threshold level of each of those values: 0 ok, 1 warn, 2 alarm
        AlarmLevelRole,    // the worst of them
        RetainedRole, // the newest value is a broker's stored last value (MQTT retain), no live one since
    };
    Q_ENUM(Role)

    // Where refresh() reads what a tile shows, by channel (the dashboard wires these to its
    // channel list, connection status and series store; tests to plain values).
    struct Readings
    {
        std::function<qint64(const QString &channel)> lastMessageMs;
        std::function<bool(const QString &channel)> stale;
        std::function<QVariant(const QString &channel, const QString &path)> latest;
        std::function<bool(const QString &channel)> retained; // optional: none is
    };

    explicit TileModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setReadings(Readings readings);

    // Each tile a QVariantMap with at least "channel", and optionally "key" (the row's identity
    // when one channel has several tiles; else the channel is), "fields" (paths) and
    // "thresholds" ({path: {warn, alarm, below}}).
    void setTiles(const QVariantList &tiles);
    QVariantList tiles() const;

    // Re-reads every row (the display tick); one dataChanged per row that changed, naming only
    // the roles that changed.
    void refresh();
    // The newest values (and their levels) change on screen at most this often (0: every
    // refresh); staleness, a retained mark, arrivals and a change of alarm level never wait.
    // Numbers that move 30 times a second cannot be read, and each change is new JavaScript
    // arrays for every tile's legend (docs/PERFORMANCE.md, 2b).
    void setValueIntervalMs(int ms) { m_valueIntervalMs = qMax(0, ms); }

Q_SIGNALS:
    void countChanged();

private:
    struct Live
    {
        qint64 lastMessageMs = 0;
        bool stale = true;
        bool retained = false;
        QVariantList latest;
        QVariantList levels;
        int alarmLevel = 0;
    };
    struct Row
    {
        QVariant spec;
        QString key;
        QString channel;
        QStringList fields;
        QList<Threshold> thresholds; // one per field (no limits: level 0)
        Live live;
    };

    static Row rowFor(const QVariant &spec);
    static QStringList keysOf(const QList<Row> &rows);
    Live read(const Row &row) const;
    // Stores `live` in `row` and returns the roles that differ from what it held.
    static QList<int> update(Row &row, const Live &live);

    QList<Row> m_rows;
    int m_valueIntervalMs = 0;
    QElapsedTimer m_sinceValues; // since the values last went out
    Readings m_readings;
};

} // namespace Pulseboard
