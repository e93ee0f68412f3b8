#include "MemoryChannelStore.h"

namespace Pulseboard {

MemoryChannelStore::MemoryChannelStore(int historySize, int dedupeWindow, QObject *parent)
    : ChannelStore(parent), m_historySize(qMax(0, historySize)), m_dedupeWindow(qMax(1, dedupeWindow))
{
}

void MemoryChannelStore::append(const QString &channel, const QByteArray &dataJson, qint64 ts,
                                const QString &dedupeKey, AppendCallback done)
{
    AppendResult result;
    if (!dedupeKey.isEmpty()) {
        const auto it = m_dedupe.constFind(dedupeKey);
        if (it != m_dedupe.constEnd()) {
            result.seq = *it;
            result.duplicate = true;
            done(result);
            return;
        }
    }
    auto chIt = m_channels.find(channel);
    if (chIt == m_channels.end()) {
        chIt = m_channels.insert(channel, Channel{});
        // The epoch a subscriber may already hold, else a new one.
        const QString reserved = m_reservedEpochs.take(channel);
        chIt->epoch = reserved.isEmpty() ? newEpoch() : reserved;
        if (!reserved.isEmpty())
            m_reservedOrder.removeOne(channel);
    }
    Channel &ch = *chIt;
    StoredMessage msg;
    msg.seq = ++ch.seq;
    msg.ts = ts;
    msg.frame = encodeMessage(channel, msg.seq, ts, dataJson);
    if (m_historySize > 0) {
        ch.history.push_back(msg);
        while (ch.history.size() > size_t(m_historySize))
            ch.history.pop_front();
    }
    if (!dedupeKey.isEmpty()) {
        m_dedupe.insert(dedupeKey, msg.seq);
        m_dedupeOrder.enqueue(dedupeKey);
        while (m_dedupeOrder.size() > m_dedupeWindow)
            m_dedupe.remove(m_dedupeOrder.dequeue());
    }
    result.seq = msg.seq;
    // The ack goes out before the message, so a publisher subscribed to its own channel sees
    // the ack first, the same order the Redis store gives.
    done(result);
    Q_EMIT messageArrived(channel, msg);
}

void MemoryChannelStore::fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done)
{
    FetchResult result;
    const auto it = m_channels.constFind(channel);
    if (it == m_channels.constEnd())
        result.epoch = reservedEpoch(channel);
    if (it != m_channels.constEnd()) {
        result.epoch = it->epoch;
        result.latestSeq = it->seq;
        if (!it->history.empty())
            result.firstRetainedSeq = it->history.front().seq;
        if (since >= 0 && !it->history.empty()) {
            // Seqs in the history are contiguous: the first one after `since` is found by offset.
            const qint64 skip = qMax<qint64>(0, since + 1 - result.firstRetainedSeq);
            const size_t total = it->history.size();
            for (size_t i = size_t(qMin<qint64>(skip, qint64(total))); i < total; ++i) {
                if (maxMessages > 0 && result.messages.size() >= maxMessages) {
                    result.more = true;
                    break;
                }
                result.messages.append(it->history[i]);
            }
        }
    }
    done(result);
}

QList<ChannelInfo> MemoryChannelStore::channels() const
{
    QList<ChannelInfo> list;
    list.reserve(m_channels.size());
    for (auto it = m_channels.constBegin(); it != m_channels.constEnd(); ++it)
        list.append({it.key(), it->seq, it->epoch});
    return list;
}

QString MemoryChannelStore::reservedEpoch(const QString &channel)
{
    const auto it = m_reservedEpochs.constFind(channel);
    if (it != m_reservedEpochs.constEnd())
        return *it;
    const QString epoch = newEpoch();
    m_reservedEpochs.insert(channel, epoch);
    m_reservedOrder.enqueue(channel);
    while (m_reservedOrder.size() > kMaxReservedEpochs)
        m_reservedEpochs.remove(m_reservedOrder.dequeue());
    return epoch;
}

} // namespace Pulseboard
