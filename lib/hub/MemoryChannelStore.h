// The hub's own store when it runs alone: per-channel seq and a bounded ring of recent messages
// in memory, plus a bounded first-in-first-out window of publish ids for dedupe. Answers at once.
// Each channel's epoch is drawn at random when the channel is created (so a restarted hub, or a
// channel freed and created again, starts a new one); a channel only subscribed to so far gets
// the epoch its first message will carry, kept in a bounded table until then.
#pragma once

#include "ChannelStore.h"

#include <QHash>
#include <QQueue>
#include <QSet>

#include <deque>

namespace Pulseboard {

class MemoryChannelStore : public ChannelStore
{
    Q_OBJECT
public:
    MemoryChannelStore(int historySize, int dedupeWindow, QObject *parent = nullptr);

    QString kind() const override { return QStringLiteral("memory"); }
    bool start(QString *) override { return true; }
    bool isAvailable() const override { return true; }
    QString statusText() const override { return QStringLiteral("in memory"); }

    using ChannelStore::append;
    void append(const QString &channel, const QByteArray &dataJson, qint64 ts, const QString &dedupeKey,
                AppendCallback done) override;
    void fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done) override;
    QList<ChannelInfo> channels() const override;

private:
    struct Channel
    {
        qint64 seq = 0;
        std::deque<StoredMessage> history; // oldest first, at most m_historySize
        QString epoch;                     // drawn when the channel is created, never changed
    };

    // Stream identity of channels not created yet: what a subscriber was told, so the channel's
    // first message keeps it. Bounded: past kMaxReservedEpochs the oldest is forgotten, and that
    // channel then starts under a new epoch, which its early subscribers see as a restart
    // (messages delivered again, never skipped).
    static constexpr int kMaxReservedEpochs = 4096;
    QString reservedEpoch(const QString &channel);
    QHash<QString, QString> m_reservedEpochs; // channel -> epoch
    QQueue<QString> m_reservedOrder;          // oldest first

    int m_historySize;
    int m_dedupeWindow;
    QHash<QString, Channel> m_channels;
    QHash<QString, qint64> m_dedupe; // key -> seq
    QQueue<QString> m_dedupeOrder;   // oldest key first, to bound m_dedupe
};

} // namespace Pulseboard
