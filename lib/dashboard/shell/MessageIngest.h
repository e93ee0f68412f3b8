// MessageIngest: the dashboard's MessageSink. It runs wherever the ConnectionManager runs (the
// network thread, docs/ARCHITECTURE.md "Threads"): each message's numbers go into the
// SeriesStore (locked, see SeriesStore) and what the views show of it (per channel: how many
// arrived, when, the newest value, whether it is a retained one; the newest raw frames) into an
// inbox. The GUI thread takes the whole inbox once per display tick (take()): a swap under a
// lock, so nothing per message crosses threads. The first message after a take calls `wake`
// (the GUI's display clock may be idle), at most once per tick.
#pragma once

#include "client/MessageSink.h"
#include "dashboard/connection/PayloadText.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <atomic>
#include <functional>

namespace Pulseboard {

class HistoryRecorder;
class SeriesStore;

class MessageIngest : public MessageSink
{
public:
    struct ChannelArrivals
    {
        int count = 0;
        qint64 lastMs = 0; // arrival (wall) time of the newest
        PayloadText latest;
        bool retained = false; // the newest is the broker's stored last value
    };
    struct RawFrame
    {
        QString channel;
        qint64 seq = -1;
        qint64 ts = -1;
        PayloadText data;
        qint64 receivedMs = 0;
    };
    // What arrived since the last take().
    struct Batch
    {
        QHash<QString, ChannelArrivals> channels;
        QStringList order;   // the channels in the order their first message of the batch came
        QList<RawFrame> raw; // oldest first, the newest maxRawFrames
        quint64 rawDropped = 0;
        quint64 messages = 0;
        // The server's clock is off by more than kMaxClockSkewMs (first time only): seconds.
        bool clockSkewSeen = false;
        qint64 clockSkewSeconds = 0;
        // Backfilled messages (a first subscribe's `history`): drawn from the SeriesStore, never
        // counted above (no arrival, no rate, no fresh tile, no raw frame).
        quint64 backfilled = 0;
        bool isEmpty() const { return messages == 0 && backfilled == 0 && !clockSkewSeen; }
    };

    // A server clock further off than this is not trusted for the time axis.
    static constexpr qint64 kMaxClockSkewMs = 60000;

    explicit MessageIngest(SeriesStore *store, std::function<void()> wake = {});

    void setMaxRawFrames(int frames) { m_maxRaw = qMax(1, frames); }
    // A source after the dashboard's first: its channels are stored and shown as
    // "prefix" + channel ("plant/" + "temp"), so two sources' channels of one name stay apart.
    // Set before the connection opens.
    void setChannelPrefix(const QString &prefix) { m_prefix = prefix; }
    QString channelPrefix() const { return m_prefix; }
    // The local history: every sample stored into the SeriesStore goes to it too (null: none).
    // Set before the connection opens.
    void setHistory(HistoryRecorder *history) { m_history.store(history); }
    Batch take();

    // Arrival lag of the newest message with a server time, and the largest seen.
    qint64 lagMs() const { return m_lagMs.load(std::memory_order_relaxed); }
    qint64 lagMsMax() const { return m_lagMsMax.load(std::memory_order_relaxed); }
    // The largest lag since the previous call.
    qint64 takeLagMsMax() { return m_lagMsMax.exchange(0, std::memory_order_relaxed); }
    // Another server: its clock is judged afresh, what arrived from the old one is dropped.
    void reset();
    // A replay (pulseboard --replay) that can go back: rewind() then works. Set before the
    // connection opens; from then on each delivery takes one more (uncontended) lock.
    void setRewindable(bool rewindable) { m_rewindable = rewindable; }
    // A replay went back. What the channels hold (their series, what the inbox gathered) is
    // forgotten, and every message of theirs up to the seq given is dropped when it arrives: it
    // was published before the seek and is still on its way. Messages with a later seq (published
    // after the seek) are taken as usual. Nothing is shown twice, nothing out of order.
    void rewind(const QHash<QString, qint64> &upToSeq);
    // Messages dropped by rewind() so far.
    quint64 rewindDropped() const { return m_rewindDropped.load(std::memory_order_relaxed); }

    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override;
    void retained(const QString &channel) override { m_retainedNext = channel; }
    void backfill(const QString &channel) override { m_backfillNext = channel; }

private:
    void deliverNow(const QString &wireChannel, qint64 seq, qint64 ts, const JsonView &data);

    SeriesStore *m_store;
    std::function<void()> m_wake;
    int m_maxRaw = 5000;
    QString m_prefix;
    QHash<QString, QString> m_named; // channel -> prefix + channel; only touched where deliver() runs
    QString m_retainedNext;          // only touched where deliver() runs
    std::atomic<HistoryRecorder *> m_history{nullptr};
    QString m_backfillNext; // the same: the channel whose next delivery is of its backfill
    std::atomic<bool> m_warnedClock{false};
    std::atomic<qint64> m_lagMs{0};
    std::atomic<qint64> m_lagMsMax{0};
    QMutex m_lock; // guards m_inbox
    Batch m_inbox;
    bool m_rewindable = false;
    QMutex m_rewindLock;                // held across a delivery when rewindable; guards m_rewindSeq
    QHash<QString, qint64> m_rewindSeq; // channel (as on the wire) -> the last seq published before a seek
    std::atomic<quint64> m_rewindDropped{0};
};

} // namespace Pulseboard
