// RequestTracker: every deadline of what went out and waits for an answer, a publish's ack and a
// request's reply, behind one timer armed for the earliest of them. It settles the Outbox's
// entries: a publish ends acked (or failed after its last attempt; or, on a wire without acks,
// sent and not confirmed), a request answered or failed,
// exactly once each. Failing requests (timeout, end of a connection, a full queue, a server
// switch) is written here and nowhere else.
#pragma once

#include "ClientError.h"
#include "ConnectionStats.h"
#include "Outbox.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QTimer>

#include <deque>
#include <map>

namespace Pulseboard {

class RequestTracker : public QObject
{
    Q_OBJECT
public:
    RequestTracker(Outbox &outbox, ConnectionStats &stats, QObject *parent = nullptr);

    // How long a sent publish waits for its ack before it goes out again, and how often it may.
    void setAckTimeoutMs(int ms) { m_ackTimeoutMs = ms; }
    void setMaxSendAttempts(int attempts) { m_maxSendAttempts = attempts; }

    // A request entered the outbox: its reply is due within `timeoutMs` from now, sent or not.
    void addRequest(const QString &id, const QString &method, int timeoutMs);
    // The outbox entry at `index` goes out now; a publish's ack is due within the ack timeout.
    // `awaitAck` false: the wire has no acks, the publish is done once sent: it leaves the outbox
    // with sentUnconfirmed, never acked.
    void markSent(int index, bool awaitAck = true);

    // Answers from the server. Each returns whether `id` was in the outbox (its outcome is emitted).
    bool ack(const QString &id, qint64 seq);
    bool respond(const QString &id, const QJsonValue &result, const QString &next = QString());
    bool refuse(const QString &id, int code, const QString &message);

    // The session's own pings, when the server answers frames in order (a pong comes after the ack
    // of every publish sent before its ping). With `on`, an ack deadline counts as a missed attempt
    // only once the server has answered a ping sent after the publish; until then the link is slow,
    // not lossy, and the publish is waited for instead of resent into the backlog.
    void setPingsFollowAcks(bool on) { m_pingsFollowAcks = on; }
    void pingSent(const QString &id);
    void pongReceived(const QString &id);

    // The connection ended: no ack is awaited any more and sent publishes wait to go out again
    // (with the same id); sent requests fail with `why`, or wait again when `requeueRequests`.
    void connectionEnded(const QString &why, bool requeueRequests);
    // The connection is closing with 1009 (a message too big), and the server did not say which:
    // the largest publish or request sent on it takes the blame. One blamed twice leaves the
    // outbox and fails (Refused), instead of closing every connection it is resent on. Call it
    // before connectionEnded().
    void connectionClosedTooBig();
    // Entries that left the outbox unanswered: requests fail with `error` and `why`, publishes
    // with `why`. The one loop that fails requests.
    void abandon(const QList<Outbox::Entry> &entries, ClientError error, const QString &why);
    // Forgets every deadline (the outbox was emptied by its owner).
    void clear();

    int deadlineCount() const { return int(m_deadlines.size()); }
    bool hasDeadline(const QString &id) const { return m_deadlines.contains(id); }
    // The single timer, armed for the earliest deadline (inactive when there is none).
    const QTimer &timer() const { return m_timer; }

Q_SIGNALS:
    void acked(const QString &id, const QString &channel, qint64 seq);
    void publishFailed(const QString &id, const QString &channel, const QString &reason);
    // A publish went out on a wire without acks: sent, and nothing will ever confirm it.
    void sentUnconfirmed(const QString &id, const QString &channel);
    // `next`: the server's cursor of a paged result (empty when it sent none).
    void responseReceived(const QString &id, const QString &method, const QJsonValue &result,
                          const QString &next);
    void requestFailed(const QString &id, const QString &method, int code, const QString &message);
    // Entries left the outbox (answered or failed).
    void queueChanged();
    // Publishes whose ack is overdue wait in the outbox to be sent again.
    void resendDue();

private:
    enum class Kind { Reply, Ack };
    using ByDue = std::multimap<qint64, QString>; // due (ms on m_clock) -> id, earliest first
    struct Deadline
    {
        Kind kind = Kind::Reply;
        qint64 dueMs = 0;
        QString method;        // Reply
        int timeoutMs = 0;     // Reply, for the words of its failure
        quint64 sentOrder = 0; // Ack: its place among the frames and pings that went out
        ByDue::iterator position;
    };

    void setDeadline(const QString &id, const Deadline &deadline);
    void forget(const QString &id);
    void rearm();
    void expire();
    qint64 now() const { return m_clock.elapsed(); }

    Outbox &m_outbox;
    ConnectionStats &m_stats;
    int m_ackTimeoutMs = 10000;
    int m_maxSendAttempts = 5;
    QElapsedTimer m_clock; // monotonic: a wall clock step must not fire or stall deadlines
    QTimer m_timer;
    QHash<QString, Deadline> m_deadlines;
    ByDue m_byDue;
    bool m_pingsFollowAcks = false;
    quint64 m_sendOrder = 0;                         // counts publishes and pings sent
    quint64 m_answeredOrder = 0;                     // the latest answered ping's place
    std::deque<std::pair<QString, quint64>> m_pings; // unanswered pings, oldest first (bounded)
};

} // namespace Pulseboard
