#include "ChannelRouter.h"

#include "HubErrors.h"
#include "protocol/Envelope.h"

namespace Pulseboard {

ChannelRouter::ChannelRouter(qint64 maxPendingBytes, int replayPageMessages)
    : m_maxPendingBytes(maxPendingBytes), m_replayPageMessages(qMax(1, replayPageMessages))
{
}

ChannelRouter::Subscription *ChannelRouter::find(const ChannelSubscriber *subscriber, const QString &channel)
{
    const auto s = m_subscriptions.find(subscriber);
    if (s == m_subscriptions.end())
        return nullptr;
    const auto it = s->find(channel);
    return it == s->end() ? nullptr : &*it;
}

ChannelRouter::Subscription *ChannelRouter::current(const ChannelSubscriber *subscriber,
                                                    const QString &channel, quint64 generation)
{
    Subscription *sub = find(subscriber, channel);
    return sub && sub->generation == generation ? sub : nullptr;
}

void ChannelRouter::subscribe(ChannelSubscriber *subscriber, const QString &channel, qint64 since,
                              const QString &id, const QString &epoch, qint64 history)
{
    Q_ASSERT(m_store);
    Subscription &sub = m_subscriptions[subscriber][channel];
    sub = Subscription();
    // Unique across subscribers, so not even a new subscriber at a freed one's address can take
    // an answer meant for the old one.
    const quint64 generation = ++m_nextGeneration;
    sub.generation = generation;
    // The first page is small: how large this channel's messages are is not known yet.
    sub.pageLimit = qMin(16, m_replayPageMessages);
    sub.fetching = true; // until answer(): nothing is written before `subscribed`
    const int limit = sub.pageLimit;
    m_subscribers[channel].insert(subscriber);
    m_store->fetch(
        channel, since, limit,
        [this, subscriber, channel, generation, id, since, epoch, history](const FetchResult &result) {
            answer(subscriber, channel, generation, id, since, epoch, history, result);
        });
}

void ChannelRouter::answer(ChannelSubscriber *subscriber, const QString &channel, quint64 generation,
                           const QString &id, qint64 since, const QString &epoch, qint64 history,
                           const FetchResult &result)
{
    // Looked up before the subscriber is touched: one that went away left no subscription.
    Subscription *sub = current(subscriber, channel, generation);
    if (!sub)
        return; // gone, unsubscribed or subscribed again meanwhile: that one answers
    sub->fetching = false;
    if (!subscriber->isOpen())
        return;
    if (!result.error.isEmpty()) {
        removeSubscriber(subscriber, channel);
        Envelope e;
        e.type = MessageType::Error;
        e.id = id;
        e.code = HubError::Unavailable;
        e.text = QStringLiteral("cannot subscribe to %1: %2").arg(channel, result.error);
        subscriber->send(e);
        return;
    }
    Envelope out;
    out.type = MessageType::Subscribed;
    out.id = id;
    out.channel = channel;
    out.seq = result.latestSeq;
    out.epoch = result.epoch;
    // A `since` of another epoch counts in a sequence that is gone: nothing of it can be
    // recovered, and this stream is sent from the oldest message retained.
    const bool otherEpoch =
        since >= 0 && !epoch.isEmpty() && !result.epoch.isEmpty() && epoch != result.epoch;
    if (otherEpoch) {
        out.hasRecovered = true;
        out.recovered = false;
        out.firstSeq = result.firstRetainedSeq > 0 ? result.firstRetainedSeq : result.latestSeq + 1;
    } else if (since >= 0) {
        out.hasRecovered = true;
        out.recovered = since >= result.latestSeq ||
                        (result.firstRetainedSeq > 0 && since + 1 >= result.firstRetainedSeq);
        // What was lost: since+1 .. first-1. The replay then starts at `first` (or, with nothing
        // retained, there is no replay and the next live message is `first`).
        if (!out.recovered)
            out.firstSeq = result.firstRetainedSeq > 0 ? result.firstRetainedSeq : result.latestSeq + 1;
    }
    // A backfill (first subscribe, no `since`): the newest `history` retained messages, at most
    // up to the latest seq, so the client counts them (seq <= `subscribed` seq) and knows the end.
    qint64 backfillFrom = -1;
    if (since < 0 && history >= 0) {
        const qint64 oldest = result.firstRetainedSeq > 0 ? result.firstRetainedSeq : result.latestSeq + 1;
        backfillFrom = qMax(oldest - 1, result.latestSeq - history);
        out.history = result.latestSeq - backfillFrom;
    }
    subscriber->send(out);
    if (!(sub = current(subscriber, channel, generation)))
        return;
    if (otherEpoch) {
        // The page read after `since` is of no use: the replay is read again from the start.
        sub->lastSent = 0;
        sub->more = result.latestSeq > 0;
    } else {
        // A client holding a seq beyond ours (we restarted) gets everything from our start.
        sub->lastSent = since >= 0 ? qMin(since, result.latestSeq) : result.latestSeq;
        if (backfillFrom >= 0 && backfillFrom < result.latestSeq) {
            // Read from the store page by page (the first page was asked without `since`).
            sub->lastSent = backfillFrom;
            sub->more = true;
        } else if (since >= 0) {
            sub->page = result.messages;
            sub->more = result.more;
        }
    }
    pump(subscriber, channel, generation);
}

void ChannelRouter::pageArrived(ChannelSubscriber *subscriber, const QString &channel, quint64 generation,
                                const FetchResult &result)
{
    Subscription *sub = current(subscriber, channel, generation);
    if (!sub || !sub->fetching)
        return;
    sub->fetching = false;
    if (!subscriber->isOpen())
        return;
    if (!result.error.isEmpty()) {
        subscriber->replayFailed(QStringLiteral("replay of %1 stopped: %2").arg(channel, result.error));
        return;
    }
    sub->page = result.messages;
    sub->pageAt = 0;
    sub->more = result.more && !result.messages.isEmpty();
    // Pages of about kReplayPageBytes: a channel of large messages is read a few at a time.
    qint64 bytes = 0;
    for (const StoredMessage &m : result.messages)
        bytes += m.frame.size();
    if (bytes > kReplayPageBytes)
        sub->pageLimit = int(qMax<qint64>(1, sub->pageLimit * kReplayPageBytes / bytes));
    else if (result.more)
        sub->pageLimit = qMin(m_replayPageMessages, sub->pageLimit * 2);
    pump(subscriber, channel, generation);
}

void ChannelRouter::pump(ChannelSubscriber *subscriber, const QString &channel, quint64 generation)
{
    Subscription *sub = current(subscriber, channel, generation);
    if (!sub || sub->pumping || sub->fetching || sub->ready)
        return;
    sub->pumping = true;
    sub->blocked = false;
    bool blocked = false;
    for (;;) {
        if (!subscriber->isOpen()) {
            sub->pumping = false;
            return;
        }
        StoredMessage next;
        if (sub->pageAt < sub->page.size()) {
            if (!subscriber->canTake(sub->page.at(sub->pageAt).frame.size())) {
                blocked = true;
                break; // drained() goes on
            }
            next = sub->page.at(sub->pageAt++);
            if (sub->pageAt == sub->page.size()) {
                sub->page.clear();
                sub->pageAt = 0;
            }
        } else if (sub->more) {
            sub->more = false;
            sub->fetching = true;
            const int limit = sub->pageLimit;
            const qint64 from = sub->lastSent;
            m_store->fetch(channel, from, limit,
                           [this, subscriber, channel, generation](const FetchResult &r) {
                               pageArrived(subscriber, channel, generation, r);
                           });
            // An answer at once (the memory store) was taken by pageArrived: go on with it here.
            if (!(sub = current(subscriber, channel, generation)))
                return;
            if (sub->fetching)
                break;
            continue;
        } else if (!sub->pending.isEmpty()) {
            // What came live during the replay, still in order and still paced.
            if (!subscriber->canTake(sub->pending.constFirst().frame.size())) {
                blocked = true;
                break;
            }
            next = sub->pending.takeFirst();
            sub->pendingBytes -= next.frame.size();
        } else {
            sub->ready = true; // live messages flow from here on
            break;
        }
        deliver(subscriber, *sub, next, QString::fromUtf8(next.frame));
        if (!(sub = current(subscriber, channel, generation)))
            return;
    }
    sub->pumping = false;
    sub->blocked = blocked;
    if (blocked) {
        m_blocked.insert(subscriber);
        subscriber->replayBlocked();
    }
}

void ChannelRouter::drained(ChannelSubscriber *subscriber)
{
    // The common case, a live subscriber's socket writing: one pointer lookup. A pump that
    // blocks again lists it again.
    if (!m_blocked.remove(subscriber))
        return;
    const auto s = m_subscriptions.constFind(subscriber);
    if (s == m_subscriptions.constEnd())
        return;
    QList<QPair<QString, quint64>> waiting;
    for (auto it = s->cbegin(); it != s->cend(); ++it) {
        if (!it->ready && !it->fetching && !it->pumping)
            waiting.append({it.key(), it->generation});
    }
    for (const auto &w : waiting)
        pump(subscriber, w.first, w.second);
}

void ChannelRouter::deliver(ChannelSubscriber *subscriber, Subscription &sub, const StoredMessage &message,
                            const QString &text)
{
    if (message.seq <= sub.lastSent)
        return; // already sent by the replay or the live stream
    sub.lastSent = message.seq;
    subscriber->sendText(text, message.frame.size());
}

bool ChannelRouter::unsubscribe(ChannelSubscriber *subscriber, const QString &channel)
{
    if (!find(subscriber, channel))
        return false;
    removeSubscriber(subscriber, channel);
    return true;
}

void ChannelRouter::removeSubscriber(ChannelSubscriber *subscriber, const QString &channel)
{
    const auto s = m_subscriptions.find(subscriber);
    if (s != m_subscriptions.end()) {
        s->remove(channel);
        if (s->isEmpty())
            m_subscriptions.erase(s);
    }
    const auto it = m_subscribers.find(channel);
    if (it != m_subscribers.end()) {
        it->remove(subscriber);
        if (it->isEmpty())
            m_subscribers.erase(it);
    }
}

void ChannelRouter::removeSubscriber(ChannelSubscriber *subscriber)
{
    m_blocked.remove(subscriber);
    const QStringList channels = channelsOf(subscriber);
    for (const QString &channel : channels)
        removeSubscriber(subscriber, channel);
}

void ChannelRouter::clearPending(ChannelSubscriber *subscriber)
{
    m_blocked.remove(subscriber);
    const auto s = m_subscriptions.find(subscriber);
    if (s == m_subscriptions.end())
        return;
    for (Subscription &sub : *s) {
        sub.pending.clear();
        sub.pendingBytes = 0;
        sub.page.clear();
        sub.pageAt = 0;
        sub.more = false;
        sub.blocked = false;
    }
}

void ChannelRouter::route(const QString &channel, const StoredMessage &message)
{
    const auto it = m_subscribers.constFind(channel);
    if (it == m_subscribers.constEnd())
        return;
    // A copy: a send may end a subscriber, and with it its place in the index.
    const QSet<ChannelSubscriber *> subscribers = *it;
    const QString text = QString::fromUtf8(message.frame); // once, shared by every subscriber
    for (ChannelSubscriber *subscriber : subscribers) {
        Subscription *sub = find(subscriber, channel);
        if (!sub || !subscriber->isOpen())
            continue;
        if (!sub->ready) {
            sub->pending.append(message);
            sub->pendingBytes += message.frame.size();
            if (m_maxPendingBytes > 0 && sub->pendingBytes > m_maxPendingBytes)
                subscriber->pendingOverflow(sub->pendingBytes);
            continue;
        }
        deliver(subscriber, *sub, message, text);
    }
}

void ChannelRouter::reset(const QString &channel, const QString &epoch)
{
    // Subscribers are told where the channel starts again (an unsolicited `subscribed` with the
    // seq we restart from), so their clients report the reset instead of taking the new seq 1
    // for a duplicate of the old one.
    const QSet<ChannelSubscriber *> subscribers = m_subscribers.value(channel);
    for (ChannelSubscriber *subscriber : subscribers) {
        Subscription *sub = find(subscriber, channel);
        if (!sub || !sub->ready || !subscriber->isOpen())
            continue;
        sub->lastSent = 0;
        Envelope out;
        out.type = MessageType::Subscribed;
        out.channel = channel;
        out.seq = 0;
        out.hasRecovered = true;
        out.recovered = false;
        out.epoch = epoch;
        subscriber->send(out);
    }
}

QMap<QString, int> ChannelRouter::subscriberCounts() const
{
    QMap<QString, int> counts;
    for (auto it = m_subscribers.cbegin(); it != m_subscribers.cend(); ++it)
        counts.insert(it.key(), int(it->size()));
    return counts;
}

bool ChannelRouter::isSubscribed(const ChannelSubscriber *subscriber, const QString &channel) const
{
    const auto s = m_subscriptions.constFind(subscriber);
    return s != m_subscriptions.constEnd() && s->contains(channel);
}

QStringList ChannelRouter::channelsOf(const ChannelSubscriber *subscriber) const
{
    const auto s = m_subscriptions.constFind(subscriber);
    if (s == m_subscriptions.constEnd())
        return {};
    QStringList channels = s->keys();
    channels.sort();
    return channels;
}

bool ChannelRouter::isReplaying(const ChannelSubscriber *subscriber, const QString &channel) const
{
    const auto s = m_subscriptions.constFind(subscriber);
    if (s == m_subscriptions.constEnd())
        return false;
    const auto it = s->constFind(channel);
    return it != s->constEnd() && !it->ready;
}

bool ChannelRouter::isWaitingForDrain(const ChannelSubscriber *subscriber) const
{
    const auto s = m_subscriptions.constFind(subscriber);
    if (s == m_subscriptions.constEnd())
        return false;
    for (const Subscription &sub : *s) {
        if (!sub.ready && sub.blocked)
            return true;
    }
    return false;
}

qint64 ChannelRouter::pendingBytes(const ChannelSubscriber *subscriber, const QString &channel) const
{
    const auto s = m_subscriptions.constFind(subscriber);
    if (s == m_subscriptions.constEnd())
        return 0;
    const auto it = s->constFind(channel);
    return it == s->constEnd() ? 0 : it->pendingBytes;
}

} // namespace Pulseboard
