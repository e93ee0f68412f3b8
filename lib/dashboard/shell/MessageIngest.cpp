#include "MessageIngest.h"

#include <limits>

#include "HistoryRecorder.h"
#include "dashboard/charts/SeriesStore.h"
#include "protocol/Clock.h"

namespace Pulseboard {

MessageIngest::MessageIngest(SeriesStore *store, std::function<void()> wake)
    : m_store(store), m_wake(std::move(wake))
{
}

MessageIngest::Batch MessageIngest::take()
{
    Batch out;
    QMutexLocker locker(&m_lock);
    std::swap(out, m_inbox);
    return out;
}

void MessageIngest::reset()
{
    m_warnedClock = false;
    m_lagMs = 0;
    m_lagMsMax = 0;
    take();
}

void MessageIngest::rewind(const QHash<QString, qint64> &upToSeq)
{
    QMutexLocker rewindLock(&m_rewindLock);
    for (auto it = upToSeq.cbegin(); it != upToSeq.cend(); ++it) {
        m_rewindSeq.insert(it.key(), it.value());
        if (m_store)
            m_store->clearSource(SeriesKey::channel(m_prefix + it.key()));
    }
    // What the tick has not taken yet came before the seek (a replay publishes only the recorded
    // channels, so nothing else is lost with it).
    take();
}

void MessageIngest::deliver(const QString &wireChannel, qint64 seq, qint64 ts, const JsonView &data)
{
    if (m_rewindable) {
        QMutexLocker rewindLock(&m_rewindLock);
        const auto barrier = m_rewindSeq.constFind(wireChannel);
        if (barrier != m_rewindSeq.cend() && seq > 0 && seq <= *barrier) {
            m_rewindDropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        deliverNow(wireChannel, seq, ts, data);
        return;
    }
    deliverNow(wireChannel, seq, ts, data);
}

void MessageIngest::deliverNow(const QString &wireChannel, qint64 seq, qint64 ts, const JsonView &data)
{
    const qint64 now = Clock::current().wallMs();
    // The name the dashboard knows the channel by (one allocation per channel, not per message).
    auto named = m_prefix.isEmpty() ? m_named.end() : m_named.find(wireChannel);
    if (!m_prefix.isEmpty() && named == m_named.end()) {
        if (m_named.size() >= 65536) // topics under a filter can be many: bounded
            m_named.clear();
        named = m_named.insert(wireChannel, m_prefix + wireChannel);
    }
    const QString &channel = m_prefix.isEmpty() ? wireChannel : *named;
    if (!m_backfillNext.isEmpty() && wireChannel == m_backfillNext) {
        m_backfillNext.clear();
        // The past, at the server's time (older than any skew check allows by design): drawn,
        // not live traffic, so no lag, no arrival, no raw frame.
        if (m_store) {
            // What the chart holds already (filled from the local history, or from an earlier
            // subscription's backfill) is not drawn twice: a series only takes samples newer than
            // its newest (an older one would be clamped to it, a spike at the end); samples of one
            // millisecond are all taken.
            const SeriesKey key = SeriesKey::channel(channel);
            const qint64 t = ts > 0 ? ts : now;
            QMutexLocker storeLock(m_store->lock());
            qint64 held = std::numeric_limits<qint64>::min();
            for (const QString &field : m_store->fields(key))
                held = qMax(held, m_store->latestTime(key, field));
            if (t >= held)
                m_store->ingest(key, t, data);
        }
        bool wasEmpty = false;
        {
            QMutexLocker locker(&m_lock);
            wasEmpty = m_inbox.isEmpty();
            ++m_inbox.backfilled;
        }
        if (wasEmpty && m_wake)
            m_wake();
        return;
    }
    if (ts > 0) {
        m_lagMs.store(now - ts, std::memory_order_relaxed);
        if (now - ts > m_lagMsMax.load(std::memory_order_relaxed))
            m_lagMsMax.store(now - ts, std::memory_order_relaxed);
    }
    qint64 t = ts;
    bool skewSeen = false;
    if (t <= 0 || qAbs(t - now) > kMaxClockSkewMs) {
        if (t > 0 && !m_warnedClock) {
            m_warnedClock = true;
            skewSeen = true;
        }
        t = now;
    }
    const qint64 skewSeconds = skewSeen ? (ts - now) / 1000 : 0;
    if (m_store) {
        if (HistoryRecorder *history = m_history.load())
            history->ingest(m_store, channel, seq, t, data);
        else
            m_store->ingest(SeriesKey::channel(channel), t, data);
    }
    const bool retained = !m_retainedNext.isEmpty() && wireChannel == m_retainedNext;
    if (retained)
        m_retainedNext.clear();
    // One copy of the payload's text, shared by the raw view and the channel's newest value.
    const PayloadText text(data);

    bool wasEmpty = false;
    {
        QMutexLocker locker(&m_lock);
        wasEmpty = m_inbox.isEmpty();
        ++m_inbox.messages;
        auto it = m_inbox.channels.find(channel);
        if (it == m_inbox.channels.end()) {
            it = m_inbox.channels.insert(channel, {});
            m_inbox.order.append(channel);
        }
        ChannelArrivals &a = *it;
        ++a.count;
        a.lastMs = now;
        a.latest = text;
        a.retained = retained;
        m_inbox.raw.append({channel, seq, ts, text, now});
        if (m_inbox.raw.size() > m_maxRaw) {
            m_inbox.raw.removeFirst();
            ++m_inbox.rawDropped;
        }
        if (skewSeen) {
            m_inbox.clockSkewSeen = true;
            m_inbox.clockSkewSeconds = skewSeconds;
        }
    }
    if (wasEmpty && m_wake)
        m_wake();
}

} // namespace Pulseboard
