// ChannelRouter: who is subscribed to what on this hub, and the order each subscriber sees.
// It holds the subscriber index (channel -> subscribers) and each subscription's state; a
// subscribe is answered by `subscribed`, then (with `since`) the retained messages after it,
// then the live messages that arrived while the store was answering (held in a pending buffer,
// bounded by maxPendingBytes), then live ones: each seq at most once, in order. Messages come in
// from the store (route), go out through ChannelSubscriber, so tests drive it without sockets.
// The replay is paced: it is read from the store in pages and written while the subscriber says
// it can take more (canTake: its socket's unsent bytes are low), and resumes on drained(); live
// messages meanwhile wait in the pending buffer, so a reader that reads gets all of it and one
// that does not is still dropped by its own send-buffer limit.
#pragma once

#include "ChannelStore.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

namespace Pulseboard {

struct Envelope;

// The receiving end of a subscription: a HubSession, or a test's recorder.
class ChannelSubscriber
{
public:
    virtual ~ChannelSubscriber() = default;
    // False once the subscriber is closing or dropped: nothing more is sent to it or held for it.
    virtual bool isOpen() const = 0;
    virtual void send(const Envelope &env) = 0;
    // One stored `message` frame; `text` is shared by every subscriber of the message, `bytes`
    // is its UTF-8 size.
    virtual void sendText(const QString &text, qint64 bytes) = 0;
    // More than maxPendingBytes of live messages were held while its subscribe was answered.
    virtual void pendingOverflow(qint64 pendingBytes) = 0;
    // Whether a replayed or held frame of `bytes` may be written now; when false the router waits
    // for ChannelRouter::drained(). A subscriber without a send buffer takes everything.
    virtual bool canTake(qint64 bytes) const
    {
        Q_UNUSED(bytes)
        return true;
    }
    // A later page of a replay could not be read (`subscribed` was already sent): the
    // subscriber cannot be told which messages it lacks, so it is ended and resubscribes.
    virtual void replayFailed(const QString &reason) { Q_UNUSED(reason) }
    // A paced replay stopped on canTake() false and waits for drained(): the subscriber may
    // time the wait (HubSession drops one whose socket writes nothing for --replay-stall-timeout).
    virtual void replayBlocked() {}
};

class ChannelRouter
{
public:
    // maxPendingBytes: the most held for one subscription while its replay is out (<= 0: no limit).
    // replayPageMessages: the most messages one page of a replay reads from the store; pages
    // are also cut to about kReplayPageBytes once the size of the channel's messages is known.
    explicit ChannelRouter(qint64 maxPendingBytes, int replayPageMessages = kReplayPageMessages);
    static constexpr int kReplayPageMessages = 100;
    static constexpr qint64 kReplayPageBytes = 4 * 1024 * 1024;
    ChannelRouter(const ChannelRouter &) = delete;
    ChannelRouter &operator=(const ChannelRouter &) = delete;

    // Where subscribe() reads the channel's latest seq and its history from. Set before use.
    void setStore(ChannelStore *store) { m_store = store; }

    // Subscribes (again: the new subscribe answers, a late answer to the old one is ignored).
    // since < 0: no replay, live messages after `subscribed`. When the store cannot answer, the
    // subscriber gets `error` 503 with `id` and is not subscribed.
    // `epoch` (optional) is the stream the client's `since` counts in: when it is not the
    // channel's, the replay starts at the oldest retained message and `recovered` is false.
    // `history` (>= 0, only without `since`): a backfill of up to the newest `history` retained
    // messages, announced in `subscribed` as `history: k` and replayed paced like a `since` one.
    void subscribe(ChannelSubscriber *subscriber, const QString &channel, qint64 since, const QString &id,
                   const QString &epoch = QString(), qint64 history = -1);
    // False when it was not subscribed.
    bool unsubscribe(ChannelSubscriber *subscriber, const QString &channel);
    // Every subscription of a subscriber that is going away (it must not be used after this).
    void removeSubscriber(ChannelSubscriber *subscriber);
    // Frees what is held for a subscriber being dropped; its subscriptions go with removeSubscriber.
    void clearPending(ChannelSubscriber *subscriber);
    // The subscriber's send buffer went down (QWebSocket::bytesWritten): paced replays go on.
    void drained(ChannelSubscriber *subscriber);

    // A message of the store: sent to every subscriber whose subscribe is answered, held for the others.
    void route(const QString &channel, const StoredMessage &message);
    // The channel's sequence restarted: its subscribers get a `subscribed` with seq 0 and
    // recovered false and the new `epoch`, and the next seq 1 is sent as new.
    void reset(const QString &channel, const QString &epoch = QString());

    int subscriberCount(const QString &channel) const { return int(m_subscribers.value(channel).size()); }
    // Channels with at least one subscriber, and how many.
    QMap<QString, int> subscriberCounts() const;
    int channelCount() const { return int(m_subscribers.size()); }
    bool isSubscribed(const ChannelSubscriber *subscriber, const QString &channel) const;
    // How many channels the subscriber is subscribed to (answered or not yet).
    int subscriptionCount(const ChannelSubscriber *subscriber) const
    {
        return int(m_subscriptions.value(subscriber).size());
    }
    QStringList channelsOf(const ChannelSubscriber *subscriber) const;
    qint64 pendingBytes(const ChannelSubscriber *subscriber, const QString &channel) const;
    // True while the subscription's replay (or the flush of what was held) is still going on.
    bool isReplaying(const ChannelSubscriber *subscriber, const QString &channel) const;
    // True while one of its replays waits for drained() (canTake() said no and nothing since).
    bool isWaitingForDrain(const ChannelSubscriber *subscriber) const;

private:
    struct Subscription
    {
        quint64 generation = 0;       // unique per subscribe: tells a late fetch answer from the current one
        bool ready = false;           // subscribed + replay sent; live messages flow
        qint64 lastSent = 0;          // highest seq sent (dedupes replay against live)
        QList<StoredMessage> pending; // live messages that came while the replay was out
        qint64 pendingBytes = 0;
        QList<StoredMessage> page; // the replay page being written
        qsizetype pageAt = 0;      // next message of `page` to write
        bool more = false;         // the store has more after `page`
        bool fetching = false;     // a page read is out
        bool pumping = false;      // pump() is on the stack for it
        int pageLimit = 0;         // messages the next page asks for
        bool blocked = false;      // the last pump() stopped on canTake(): waits for drained()
    };

    Subscription *find(const ChannelSubscriber *subscriber, const QString &channel);
    // The subscription only while it is the one `generation` started.
    Subscription *current(const ChannelSubscriber *subscriber, const QString &channel, quint64 generation);
    void answer(ChannelSubscriber *subscriber, const QString &channel, quint64 generation, const QString &id,
                qint64 since, const QString &epoch, qint64 history, const FetchResult &result);
    void pageArrived(ChannelSubscriber *subscriber, const QString &channel, quint64 generation,
                     const FetchResult &result);
    // Writes what the subscription has to write (replay pages, then what was held) while the
    // subscriber can take it; asks for the next page; ready once all is out.
    void pump(ChannelSubscriber *subscriber, const QString &channel, quint64 generation);
    void deliver(ChannelSubscriber *subscriber, Subscription &sub, const StoredMessage &message,
                 const QString &text);
    // The one place a subscription leaves the index.
    void removeSubscriber(ChannelSubscriber *subscriber, const QString &channel);

    ChannelStore *m_store = nullptr;
    qint64 m_maxPendingBytes;
    int m_replayPageMessages;
    quint64 m_nextGeneration = 0;
    // channel -> subscribers
    QHash<QString, QSet<ChannelSubscriber *>> m_subscribers;
    // subscriber -> channel -> state
    QHash<const ChannelSubscriber *, QHash<QString, Subscription>> m_subscriptions;
    // Subscribers with a replay blocked on canTake(): drained() (every write of every socket)
    // looks no further for the others.
    QSet<const ChannelSubscriber *> m_blocked;
};

} // namespace Pulseboard
