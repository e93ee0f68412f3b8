// ChannelListModel: one row per channel the dashboard knows of, from the server's
// `channels.list`, from the subscriptions, or typed in by hand. Per row: whether it is
// subscribed, the server's seq and rate, what arrived here (count, rate, newest value, age,
// gaps) and whether that newest value is stale. Messages only mark rows dirty; refresh(),
// called a few times a second, turns that into one dataChanged, so a busy channel costs the
// view nothing per message.
#pragma once

#include <functional>

#include "PayloadText.h"
#include "RateMeter.h"

#include <QAbstractListModel>
#include <QJsonValue>
#include <QList>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ChannelListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ChannelListModel is owned by the dashboard")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        SubscribedRole,
        ListedRole, // the server listed it in channels.list
        ServerSeqRole,
        ServerRateRole,
        MessagesRole,
        RateRole,
        LastMessageMsRole,
        AgeMsRole, // -1 when nothing arrived yet
        StaleRole,
        GapsRole,
        LatestRole, // the newest data as compact JSON (cut to a line)
    };
    Q_ENUM(Role)

    explicit ChannelListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void noteMessage(const QString &channel, qint64 receivedMs, const QJsonValue &data);
    void noteMessage(const QString &channel, qint64 receivedMs, const PayloadText &data);
    // `count` messages, the newest at receivedMs carrying `latest` (a display tick's worth).
    void noteMessages(const QString &channel, int count, qint64 receivedMs, const PayloadText &latest);
    void noteGap(const QString &channel);
    void setSubscriptions(const QStringList &channels);
    // Merges a channels.list result. Returns an empty string, or why the result was not usable
    // (rows that are well-formed are still taken).
    QString mergeServerList(const QJsonValue &result);
    // Adds a channel typed by the user; false when the name is not a valid channel name.
    Q_INVOKABLE bool addManual(const QString &channel);
    // Forgets every row: the dashboard switched to another server, whose channels are its own.
    void clear();
    // Recomputes rates, ages and staleness at `nowMs` and notifies the view once.
    void refresh(qint64 nowMs, bool connectionLive);
    // The same, with each channel judged by its own connection (a dashboard of several sources).
    void refresh(qint64 nowMs, const std::function<bool(const QString &channel)> &connectionLive);

    void setStaleMinimumMs(qint64 ms) { m_staleMinimumMs = ms; }
    qint64 staleMinimumMs() const { return m_staleMinimumMs; }
    Q_INVOKABLE int indexOf(const QString &channel) const;
    Q_INVOKABLE QVariantMap get(int row) const;
    // Per-channel lookups for the stream tiles (arrival time of the newest message, staleness
    // as of the last refresh, local rate).
    Q_INVOKABLE qint64 lastMessageMs(const QString &channel) const;
    Q_INVOKABLE bool isStale(const QString &channel) const;
    Q_INVOKABLE double rate(const QString &channel) const;
    Q_INVOKABLE int gaps(const QString &channel) const;

    static QString compactText(const QJsonValue &value, int maxChars = 160);

Q_SIGNALS:
    void countChanged();

private:
    struct Row
    {
        QString name;
        bool subscribed = false;
        bool listed = false;
        qint64 serverSeq = -1;
        double serverRate = -1;
        quint64 messages = 0;
        double rate = 0;
        qint64 lastMs = 0;
        qint64 ageMs = -1;
        bool stale = true;
        int gaps = 0;
        PayloadText latest;
        QString latestText;
        bool latestDirty = false;
        RateMeter meter;
    };
    int ensureRow(const QString &channel);

    QList<Row> m_rows; // sorted by name
    qint64 m_staleMinimumMs = 5000;
};

} // namespace Pulseboard
