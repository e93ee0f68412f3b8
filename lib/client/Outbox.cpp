#include "Outbox.h"
#include "OutboxJournal.h"

namespace Pulseboard {

bool Outbox::enqueue(Entry entry, QList<Entry> *dropped, QString *why)
{
    const qint64 size = entry.frame.size();
    auto refuse = [&](QString reason) {
        if (why)
            *why = std::move(reason);
        return false;
    };
    if (size > m_limits.maxBytes)
        return refuse(QStringLiteral("message of %1 bytes is larger than the queue limit of %2 bytes")
                          .arg(size)
                          .arg(m_limits.maxBytes));
    const auto fits = [&] {
        return m_entries.size() < m_limits.maxCount && m_bytes + size <= m_limits.maxBytes;
    };
    if (!fits()) {
        if (m_limits.overflow == Overflow::Refuse)
            return refuse(
                QStringLiteral("queue full (%1 messages, %2 bytes)").arg(m_entries.size()).arg(m_bytes));
        // Make room by dropping the oldest entries that have not gone out; a sent publish is
        // awaiting its ack and may already be delivered, dropping it would lie about its fate.
        QList<Entry> victims;
        qint64 freedBytes = 0;
        int freedCount = 0;
        for (int i = 0; i < m_entries.size(); ++i) {
            if (m_entries.size() - freedCount < m_limits.maxCount &&
                m_bytes - freedBytes + size <= m_limits.maxBytes)
                break;
            if (m_entries[i].state != State::Queued)
                continue;
            freedBytes += m_entries[i].frame.size();
            ++freedCount;
            victims.append(m_entries[i]);
        }
        if (m_entries.size() - freedCount >= m_limits.maxCount ||
            m_bytes - freedBytes + size > m_limits.maxBytes)
            return refuse(QStringLiteral("queue full of messages awaiting acknowledgement"));
        for (const Entry &v : victims)
            take(v.id);
        if (dropped)
            dropped->append(victims);
    }
    m_bytes += size;
    if (m_journal && entry.kind == Kind::Publish)
        m_journal->recordAdd(entry);
    m_entries.append(std::move(entry));
    return true;
}

void Outbox::restore(const QList<Entry> &entries)
{
    QList<Entry> merged = entries;
    for (Entry &e : merged) {
        e.state = State::Queued;
        m_bytes += e.frame.size();
    }
    merged.append(m_entries);
    m_entries = std::move(merged);
}

int Outbox::nextQueued(int from) const
{
    for (int i = qMax(0, from); i < m_entries.size(); ++i) {
        if (m_entries[i].state == State::Queued)
            return i;
    }
    return -1;
}

int Outbox::indexOf(const QString &id) const
{
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].id == id)
            return i;
    }
    return -1;
}

void Outbox::markSent(int index, qint64 nowMs)
{
    Entry &e = m_entries[index];
    e.state = State::Sent;
    e.attempts += 1;
    e.sentAtMs = nowMs;
}

std::optional<Outbox::Entry> Outbox::take(const QString &id)
{
    const int i = indexOf(id);
    if (i < 0)
        return std::nullopt;
    Entry e = m_entries.takeAt(i);
    m_bytes -= e.frame.size();
    if (m_journal && e.kind == Kind::Publish) {
        m_journal->recordRemove(e.id);
        // Keep the file about as small as the queue: rewrite it once dead records dominate.
        if (m_journal->deadRecords() > 1024 && m_journal->deadRecords() > 4 * qint64(m_entries.size())) {
            QList<Entry> publishes;
            for (const Entry &live : std::as_const(m_entries)) {
                if (live.kind == Kind::Publish)
                    publishes.append(live);
            }
            m_journal->compact(publishes);
        }
    }
    return e;
}

QList<Outbox::Entry> Outbox::connectionLost()
{
    QList<Entry> failedRequests;
    for (int i = 0; i < m_entries.size();) {
        Entry &e = m_entries[i];
        if (e.state == State::Sent && e.kind == Kind::Request) {
            m_bytes -= e.frame.size();
            failedRequests.append(m_entries.takeAt(i));
            continue;
        }
        e.state = State::Queued;
        ++i;
    }
    return failedRequests;
}

int Outbox::queuedCount() const
{
    int n = 0;
    for (const Entry &e : m_entries)
        n += e.state == State::Queued ? 1 : 0;
    return n;
}

void Outbox::clear()
{
    m_entries.clear();
    m_bytes = 0;
}

} // namespace Pulseboard
