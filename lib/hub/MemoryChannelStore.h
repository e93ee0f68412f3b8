// The hub's own store when it runs alone: per-channel seq and a bounded ring of recent messages
// in memory, plus a bounded first-in-first-out window of publish ids for dedupe. Answers at once.
// Bounded everywhere (docs/OPERATIONS.md "Budgets"): history by count per channel and by bytes
// per channel and in all (the oldest message goes first: of the channel for its own budget, of
// the whole store for the global one), channels by count (a publish that would create one more
// is refused) and by idleness (expireIdle frees a channel with its history and dedupe entries).
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

    // 0 = no cap for each. Set before the first append.
    struct Budget
    {
        qint64 maxRetainedBytes = 0; // all channels' retained messages, as retainedBytes() counts them
        qint64 maxChannelBytes = 0;  // one channel's
        int maxChannels = 0;         // channels held at once
    };
    void setBudget(const Budget &budget) { m_budget = budget; }
    const Budget &budget() const { return m_budget; }
    // What one retained message is charged: its frame plus this estimate of the bookkeeping
    // around it (the history slot, the buffer's header, its place in the eviction order), so a
    // budget bounds the memory of many small messages too, not only their payload.
    // 128: what a small message measured beyond its frame (tst_hubbudgets
    // storeMemoryStaysNearTheBudget), less the allocator's slack.
    static constexpr qint64 kMessageOverheadBytes = 128;
    static qint64 chargeOf(const StoredMessage &message)
    {
        return message.frame.size() + kMessageOverheadBytes;
    }

    QString kind() const override { return QStringLiteral("memory"); }
    bool start(QString *) override { return true; }
    bool isAvailable() const override { return true; }
    QString statusText() const override { return QStringLiteral("in memory"); }

    using ChannelStore::append;
    void append(const QString &channel, const QByteArray &dataJson, qint64 ts, const QString &dedupeKey,
                AppendCallback done) override;
    void fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done) override;
    QList<ChannelInfo> channels() const override;
    qint64 retainedBytes() const override { return m_retainedBytes; }
    int expireIdle(qint64 idleMs, const std::function<bool(const QString &)> &keep) override;

    // For tests and reports.
    int channelCount() const { return int(m_channels.size()); }
    qint64 channelBytes(const QString &channel) const { return m_channels.value(channel).bytes; }
    int retainedMessages() const { return int(m_retainedMessages); }
    int dedupeEntries() const;
    qsizetype evictionQueueSize() const { return m_order.size(); }

private:
    struct Channel
    {
        quint64 generation = 0; // tells this channel from an earlier one of the same name
        qint64 seq = 0;
        std::deque<StoredMessage> history; // oldest first, at most m_historySize
        qint64 bytes = 0;                  // charged to the history (chargeOf)
        qint64 lastActiveMs = 0;           // monotonic: last publish, fetch or keep
        QHash<QString, qint64> dedupe;     // key -> seq, of this channel
        QString epoch;                     // drawn when the channel is created, never changed
    };
    // One retained message in append order across channels: the global budget evicts from the
    // front. Lazily cleaned: an entry whose message already went (its channel's own limits, or
    // the channel was freed) is skipped when it reaches the front, and compact() drops them all.
    struct OrderEntry
    {
        QString channel;
        quint64 generation = 0;
        qint64 seq = 0;
    };
    struct DedupeEntry
    {
        QString channel;
        quint64 generation = 0;
        QString key;
    };

    void dropOldest(Channel &ch);
    bool isRetained(const OrderEntry &entry) const;
    void evictGlobally();
    void compact();

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
    Budget m_budget;
    quint64 m_nextGeneration = 0;
    QHash<QString, Channel> m_channels;
    qint64 m_retainedBytes = 0;
    qint64 m_retainedMessages = 0;
    std::deque<OrderEntry> m_order;
    std::deque<DedupeEntry> m_dedupeOrder; // oldest key first, to bound every channel's dedupe
};

} // namespace Pulseboard
