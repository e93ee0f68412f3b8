// The channels the user wants, kept apart from any socket so they survive every reconnect,
// and the last seq held per channel so a resubscribe can ask for exactly what it missed.
// Decides per inbound message whether it is new, a duplicate (dropped) or after a gap.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace Pulseboard {

class SubscriptionSet
{
public:
    enum class Verdict { Deliver, Duplicate, Gap, NotSubscribed };

    struct Gap
    {
        qint64 from = 0; // first missing seq
        qint64 to = 0;   // last missing seq
    };

    // Returns false when the channel was already wanted.
    bool add(const QString &channel);
    bool remove(const QString &channel);
    bool contains(const QString &channel) const { return m_channels.contains(channel); }
    QStringList channels() const; // in the order they were added
    // Whether a subscription holding an MQTT wildcard (`+`, `#`) matches the concrete `channel`
    // (asked only by dialects whose subscriptions are topic filters).
    bool matchesFilter(const QString &channel) const;
    int size() const { return int(m_order.size()); }

    // Last seq delivered on `channel`, -1 when none yet (subscribe without `since`).
    qint64 lastSeq(const QString &channel) const;

    // A message arrived. Deliver and Gap both mean "hand it on"; Gap fills `gap`.
    Verdict accept(const QString &channel, qint64 seq, Gap *gap = nullptr);

    // The server confirmed a subscription and reported its latest seq.
    // Returns true when the server's sequence is behind what we hold: the channel was reset
    // (for example a hub without persistence restarted), and we start again from its seq.
    bool confirm(const QString &channel, qint64 serverSeq, bool sentSince);

    // Stream identity: the epoch the held seq counts in, as the server last named it (empty: the
    // server names none). A resubscribe sends it along with `since`.
    QString epoch(const QString &channel) const;
    void setEpoch(const QString &channel, const QString &epoch);
    // The server's sequence is another one than the held seq counts in (its epoch changed): start
    // again before its seq 1, under `epoch`, so every message of the new stream is delivered
    // and a jump past its start is a gap.
    void restart(const QString &channel, const QString &epoch);
    // The held seq becomes `seq` (a first subscribe's backfill replays what follows it).
    void startBefore(const QString &channel, qint64 seq);

    quint64 duplicatesDropped() const { return m_duplicates; }
    quint64 gapsSeen() const { return m_gaps; }

private:
    struct State
    {
        qint64 lastSeq = -1;
        QString epoch;
    };
    QHash<QString, State> m_channels;
    QStringList m_order;
    QStringList m_filters; // the subscriptions holding `+` or `#`
    quint64 m_duplicates = 0;
    quint64 m_gaps = 0;
};

} // namespace Pulseboard
