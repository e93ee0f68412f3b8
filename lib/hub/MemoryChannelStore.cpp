#include "MemoryChannelStore.h"

#include "HubErrors.h"
#include "protocol/Clock.h"

namespace Pulseboard {

MemoryChannelStore::MemoryChannelStore(int historySize, int dedupeWindow, QObject *parent)
    : ChannelStore(parent), m_historySize(qMax(0, historySize)), m_dedupeWindow(qMax(1, dedupeWindow))
{
}

void MemoryChannelStore::append(const QString &channel, const QByteArray &dataJson, qint64 ts,
                                const QString &dedupeKey, AppendCallback done)
{
    AppendResult result;
    auto it = m_channels.find(channel);
    if (it != m_channels.end() && !dedupeKey.isEmpty()) {
        const auto d = it->dedupe.constFind(dedupeKey);
        if (d != it->dedupe.constEnd()) {
            result.seq = *d;
            result.duplicate = true;
            done(result);
            return;
        }
    }
    if (it == m_channels.end()) {
        if (m_budget.maxChannels > 0 && m_channels.size() >= m_budget.maxChannels) {
            result.error = QStringLiteral("the hub holds %1 channels, its limit (--max-channels)")
                               .arg(m_channels.size());
            result.errorCode = HubError::Full;
            done(result);
            return;
        }
        it = m_channels.insert(channel, Channel());
        it->generation = ++m_nextGeneration;
        // The epoch a subscriber may already hold, else a new one.
        const QString reserved = m_reservedEpochs.take(channel);
        it->epoch = reserved.isEmpty() ? newEpoch() : reserved;
        if (!reserved.isEmpty())
            m_reservedOrder.removeOne(channel);
    }
    Channel &ch = *it;
    ch.lastActiveMs = Clock::current().monotonicMs();
    StoredMessage msg;
    msg.seq = ++ch.seq;
    msg.ts = ts;
    msg.frame = encodeMessage(channel, msg.seq, ts, dataJson);
    const qint64 charge = chargeOf(msg);
    // A message larger than a byte budget on its own is still delivered live and acked, but
    // not retained: the budget is never passed, and replay reports it lost (recovered:false).
    const bool fits = (m_budget.maxChannelBytes <= 0 || charge <= m_budget.maxChannelBytes) &&
                      (m_budget.maxRetainedBytes <= 0 || charge <= m_budget.maxRetainedBytes);
    if (m_historySize > 0 && fits) {
        ch.history.push_back(msg);
        ch.bytes += charge;
        m_retainedBytes += charge;
        ++m_retainedMessages;
        m_order.push_back({channel, ch.generation, msg.seq});
        while (ch.history.size() > size_t(m_historySize) ||
               (m_budget.maxChannelBytes > 0 && ch.bytes > m_budget.maxChannelBytes))
            dropOldest(ch);
        evictGlobally();
    } else {
        // Nothing older may stay retained beside a gap: the history is contiguous.
        while (!ch.history.empty())
            dropOldest(ch);
    }
    if (!dedupeKey.isEmpty()) {
        ch.dedupe.insert(dedupeKey, msg.seq);
        m_dedupeOrder.push_back({channel, ch.generation, dedupeKey});
        while (m_dedupeOrder.size() > size_t(m_dedupeWindow)) {
            const DedupeEntry &oldest = m_dedupeOrder.front();
            const auto owner = m_channels.find(oldest.channel);
            if (owner != m_channels.end() && owner->generation == oldest.generation)
                owner->dedupe.remove(oldest.key);
            m_dedupeOrder.pop_front();
        }
    }
    // Entries of messages that went by their channel's own limits pile up at no cost to the
    // budget but to memory: dropped once they outnumber the retained ones.
    if (m_order.size() > size_t(2 * m_retainedMessages + 1024))
        compact();
    result.seq = msg.seq;
    // The ack goes out before the message, so a publisher subscribed to its own channel sees
    // the ack first, the same order the Redis store gives.
    done(result);
    Q_EMIT messageArrived(channel, msg);
}

void MemoryChannelStore::dropOldest(Channel &ch)
{
    const qint64 charge = chargeOf(ch.history.front());
    ch.bytes -= charge;
    m_retainedBytes -= charge;
    --m_retainedMessages;
    ch.history.pop_front();
}

bool MemoryChannelStore::isRetained(const OrderEntry &entry) const
{
    const auto it = m_channels.constFind(entry.channel);
    return it != m_channels.constEnd() && it->generation == entry.generation && !it->history.empty() &&
           it->history.front().seq <= entry.seq;
}

void MemoryChannelStore::evictGlobally()
{
    if (m_budget.maxRetainedBytes <= 0)
        return;
    while (m_retainedBytes > m_budget.maxRetainedBytes && !m_order.empty()) {
        const OrderEntry oldest = m_order.front();
        m_order.pop_front();
        if (!isRetained(oldest))
            continue;
        // The first retained entry in append order is its channel's oldest message: every
        // older message of that channel came before it and is gone already.
        Channel &ch = m_channels[oldest.channel];
        Q_ASSERT(ch.history.front().seq == oldest.seq);
        dropOldest(ch);
    }
}

void MemoryChannelStore::compact()
{
    std::deque<OrderEntry> kept;
    for (const OrderEntry &entry : m_order) {
        if (isRetained(entry))
            kept.push_back(entry);
    }
    m_order.swap(kept);
}

int MemoryChannelStore::expireIdle(qint64 idleMs, const std::function<bool(const QString &)> &keep)
{
    if (idleMs <= 0)
        return 0;
    const qint64 now = Clock::current().monotonicMs();
    QStringList expired;
    for (auto it = m_channels.begin(); it != m_channels.end(); ++it) {
        if (keep && keep(it.key())) {
            it->lastActiveMs = now; // in use: its idle time starts when that ends
            continue;
        }
        if (now - it->lastActiveMs >= idleMs)
            expired.append(it.key());
    }
    for (const QString &name : std::as_const(expired)) {
        const Channel ch = m_channels.take(name);
        m_retainedBytes -= ch.bytes;
        m_retainedMessages -= qint64(ch.history.size());
        // Its entries in the eviction and dedupe orders are stale now (another generation) and
        // are skipped; they go with compact() and the dedupe window.
    }
    if (!expired.isEmpty())
        compact();
    for (const QString &name : std::as_const(expired))
        Q_EMIT channelExpired(name);
    return int(expired.size());
}

int MemoryChannelStore::dedupeEntries() const
{
    int n = 0;
    for (const Channel &ch : m_channels)
        n += int(ch.dedupe.size());
    return n;
}

void MemoryChannelStore::fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done)
{
    FetchResult result;
    const auto it = m_channels.find(channel);
    if (it == m_channels.end())
        result.epoch = reservedEpoch(channel);
    if (it != m_channels.end()) {
        it->lastActiveMs = Clock::current().monotonicMs();
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
