// What the user sent that the server has not yet confirmed: frames queued while offline and
// publishes sent but not yet acked. Bounded by count and bytes; when full the newest is refused
// (or, by option, the oldest dropped) and the caller reports it: nothing leaves silently.
// Pure bookkeeping, no sockets: ConnectionManager decides when to send.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace Pulseboard {

class OutboxJournal;

class Outbox
{
public:
    enum class Kind { Publish, Request };
    enum class State { Queued, Sent };
    enum class Overflow { Refuse, DropOldest };

    struct Entry
    {
        QString id;
        Kind kind = Kind::Publish;
        QString target;   // channel of a publish, method of a request
        QByteArray frame; // the encoded frame, sent as is (same id on every resend)
        State state = State::Queued;
        int attempts = 0;     // how many times it went out
        int ackTimeouts = 0;  // ack deadlines it missed on a connection that stayed up
        int tooBigCloses = 0; // connections closed 1009 (message too big) with it the largest in flight
        qint64 enqueuedAtMs = 0;
        qint64 sentAtMs = 0;
    };

    struct Limits
    {
        int maxCount = 1000;
        qint64 maxBytes = 4 * 1024 * 1024;
        Overflow overflow = Overflow::Refuse;
    };

    void setLimits(const Limits &limits) { m_limits = limits; }
    // Publishes added and removed from now on are written through to `journal` (may be null).
    void setJournal(OutboxJournal *journal) { m_journal = journal; }
    // Puts back entries read from a journal at start-up, in order, ahead of anything new.
    void restore(const QList<Entry> &entries);
    const Limits &limits() const { return m_limits; }

    // Adds `entry` at the back. Returns false (and leaves the outbox unchanged) when the entry
    // does not fit and the policy is Refuse, or when it alone is larger than the byte limit.
    // With DropOldest the queued entries that had to make room are appended to `dropped`.
    bool enqueue(Entry entry, QList<Entry> *dropped = nullptr, QString *why = nullptr);

    // The index of the oldest queued entry at or after `from`, or -1.
    int nextQueued(int from = 0) const;
    Entry &at(int index) { return m_entries[index]; }
    const Entry &at(int index) const { return m_entries[index]; }
    int indexOf(const QString &id) const;

    void markSent(int index, qint64 nowMs);
    // Removes and returns the entry with `id`, if any.
    std::optional<Entry> take(const QString &id);

    // The connection is gone: sent publishes wait again (resent with the same id), sent
    // requests are removed and returned, since a request is not safe to replay blindly.
    QList<Entry> connectionLost();

    int count() const { return int(m_entries.size()); }
    int queuedCount() const;
    qint64 bytes() const { return m_bytes; }
    bool isEmpty() const { return m_entries.isEmpty(); }
    const QList<Entry> &entries() const { return m_entries; }
    void clear();

private:
    QList<Entry> m_entries; // oldest first
    qint64 m_bytes = 0;
    Limits m_limits;
    OutboxJournal *m_journal = nullptr;
};

} // namespace Pulseboard
