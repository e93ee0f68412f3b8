#include "ChannelRouter.h"

#include "HubErrors.h"
#include "protocol/Envelope.h"

namespace Pulseboard {

ChannelRouter::ChannelRouter(qint64 maxPendingBytes) : m_maxPendingBytes(maxPendingBytes) {}

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
                              const QString &id)
{
    Q_ASSERT(m_store);
    Subscription &sub = m_subscriptions[subscriber][channel];
    sub.ready = false;
    sub.pending.clear();
    sub.pendingBytes = 0;
    // Unique across subscribers, so not even a new subscriber at a freed one's address can take
    // an answer meant for the old one.
    const quint64 generation = ++m_nextGeneration;
    sub.generation = generation;
    m_subscribers[channel].insert(subscriber);
    m_store->fetch(channel, since,
                   [this, subscriber, channel, generation, id, since](const FetchResult &result) {
                       answer(subscriber, channel, generation, id, since, result);
                   });
}

void ChannelRouter::answer(ChannelSubscriber *subscriber, const QString &channel, quint64 generation,
                           const QString &id, qint64 since, const FetchResult &result)
{
    // Looked up before the subscriber is touched: one that went away left no subscription.
    Subscription *sub = current(subscriber, channel, generation);
    if (!sub)
        return; // gone, unsubscribed or subscribed again meanwhile: that one answers
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
    if (since >= 0) {
        out.hasRecovered = true;
        out.recovered = since >= result.latestSeq ||
                        (result.firstRetainedSeq > 0 && since + 1 >= result.firstRetainedSeq);
    }
    subscriber->send(out);
    if (!(sub = current(subscriber, channel, generation)))
        return;
    // A client holding a seq beyond ours (we restarted) gets everything from our start.
    sub->lastSent = since >= 0 ? qMin(since, result.latestSeq) : result.latestSeq;
    const QList<StoredMessage> pending = std::move(sub->pending);
    sub->pending.clear();
    sub->pendingBytes = 0;
    sub->ready = true;
    // Replay, then what came meanwhile; deliver() skips what the replay already covered.
    auto sendAll = [&](const QList<StoredMessage> &messages) {
        for (const StoredMessage &m : messages) {
            Subscription *live = current(subscriber, channel, generation);
            if (!live || !subscriber->isOpen())
                return false;
            deliver(subscriber, *live, m, QString::fromUtf8(m.frame));
        }
        return true;
    };
    if (since >= 0 && !sendAll(result.messages))
        return;
    sendAll(pending);
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
    const QStringList channels = channelsOf(subscriber);
    for (const QString &channel : channels)
        removeSubscriber(subscriber, channel);
}

void ChannelRouter::clearPending(ChannelSubscriber *subscriber)
{
    const auto s = m_subscriptions.find(subscriber);
    if (s == m_subscriptions.end())
        return;
    for (Subscription &sub : *s) {
        sub.pending.clear();
        sub.pendingBytes = 0;
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

void ChannelRouter::reset(const QString &channel)
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

qint64 ChannelRouter::pendingBytes(const ChannelSubscriber *subscriber, const QString &channel) const
{
    const auto s = m_subscriptions.constFind(subscriber);
    if (s == m_subscriptions.constEnd())
        return 0;
    const auto it = s->constFind(channel);
    return it == s->constEnd() ? 0 : it->pendingBytes;
}

} // namespace Pulseboard
