#include "RequestTracker.h"

#include "Logging.h"
#include "protocol/Clock.h"

namespace Pulseboard {

RequestTracker::RequestTracker(Outbox &outbox, ConnectionStats &stats, QObject *parent)
    : QObject(parent), m_outbox(outbox), m_stats(stats)
{
    m_timer.setParent(this); // a child, so moveToThread takes it along
    m_clock.start();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RequestTracker::expire);
}

void RequestTracker::addRequest(const QString &id, const QString &method, int timeoutMs)
{
    Deadline d;
    d.kind = Kind::Reply;
    d.dueMs = now() + timeoutMs;
    d.method = method;
    d.timeoutMs = timeoutMs;
    setDeadline(id, d);
}

void RequestTracker::markSent(int index, bool awaitAck)
{
    Outbox::Entry &entry = m_outbox.at(index);
    m_outbox.markSent(index, Clock::current().wallMs());
    if (entry.kind != Outbox::Kind::Publish)
        return; // a request keeps the deadline it got when it was made
    if (!awaitAck) {
        // The wire has no acks: the publish leaves the outbox as sent, not as confirmed.
        const std::optional<Outbox::Entry> sent = m_outbox.take(entry.id);
        if (!sent)
            return;
        ++m_stats.unconfirmed;
        Q_EMIT queueChanged();
        Q_EMIT sentUnconfirmed(sent->id, sent->target);
        return;
    }
    Deadline d;
    d.kind = Kind::Ack;
    d.dueMs = now() + m_ackTimeoutMs;
    d.sentOrder = ++m_sendOrder;
    setDeadline(entry.id, d);
}

void RequestTracker::pingSent(const QString &id)
{
    // Enough for a backlog of minutes at a heartbeat of a second; the oldest go first.
    constexpr size_t kMaxPings = 256;
    m_pings.emplace_back(id, ++m_sendOrder);
    if (m_pings.size() > kMaxPings)
        m_pings.pop_front();
}

void RequestTracker::pongReceived(const QString &id)
{
    for (auto it = m_pings.begin(); it != m_pings.end(); ++it) {
        if (it->first != id)
            continue;
        m_answeredOrder = qMax(m_answeredOrder, it->second);
        m_pings.erase(m_pings.begin(), it + 1); // pongs come in order: the older ones are lost
        return;
    }
}

bool RequestTracker::ack(const QString &id, qint64 seq)
{
    forget(id);
    auto entry = m_outbox.take(id);
    if (!entry)
        return false;
    ++m_stats.acked;
    Q_EMIT queueChanged();
    Q_EMIT acked(entry->id, entry->target, seq);
    return true;
}

bool RequestTracker::respond(const QString &id, const QJsonValue &result, const QString &next)
{
    const QString method = m_deadlines.value(id).method;
    forget(id);
    if (!m_outbox.take(id))
        return false;
    Q_EMIT queueChanged();
    Q_EMIT responseReceived(id, method, result, next);
    return true;
}

bool RequestTracker::refuse(const QString &id, int code, const QString &message)
{
    forget(id);
    auto entry = m_outbox.take(id);
    if (!entry)
        return false;
    Q_EMIT queueChanged();
    if (entry->kind == Outbox::Kind::Request)
        Q_EMIT requestFailed(id, entry->target, code, message);
    else
        Q_EMIT publishFailed(id, entry->target,
                             QStringLiteral("refused by server (%1): %2").arg(code).arg(message));
    return true;
}

void RequestTracker::connectionEnded(const QString &why, bool requeueRequests)
{
    // No ack can come over a connection that is gone; a request's reply deadline runs on.
    for (auto it = m_deadlines.begin(); it != m_deadlines.end();) {
        if (it->kind == Kind::Ack) {
            m_byDue.erase(it->position);
            it = m_deadlines.erase(it);
        } else {
            ++it;
        }
    }
    m_pings.clear(); // ping ids start again with the next connection
    rearm();
    if (requeueRequests) {
        for (int i = 0; i < m_outbox.count(); ++i)
            m_outbox.at(i).state = Outbox::State::Queued;
        return;
    }
    abandon(m_outbox.connectionLost(), ClientError::ConnectionLost, why);
}

void RequestTracker::connectionClosedTooBig()
{
    int worst = -1;
    for (int i = 0; i < m_outbox.count(); ++i) {
        const Outbox::Entry &e = m_outbox.at(i);
        if (e.state == Outbox::State::Sent && (worst < 0 || e.frame.size() > m_outbox.at(worst).frame.size()))
            worst = i;
    }
    if (worst < 0)
        return;
    Outbox::Entry &blamed = m_outbox.at(worst);
    if (++blamed.tooBigCloses < 2)
        return;
    const std::optional<Outbox::Entry> taken = m_outbox.take(blamed.id);
    abandon(
        {*taken}, ClientError::Refused,
        QStringLiteral("the server closed the connection as too big (1009) twice while this %1-byte %2 was "
                       "the largest in flight: it is not sent again")
            .arg(taken->frame.size())
            .arg(taken->kind == Outbox::Kind::Publish ? QLatin1StringView("publish")
                                                      : QLatin1StringView("request")));
    Q_EMIT queueChanged();
}

void RequestTracker::abandon(const QList<Outbox::Entry> &entries, ClientError error, const QString &why)
{
    for (const Outbox::Entry &e : entries) {
        forget(e.id);
        if (e.kind == Outbox::Kind::Request)
            Q_EMIT requestFailed(e.id, e.target, errorCode(error), why);
        else
            Q_EMIT publishFailed(e.id, e.target, why);
    }
}

void RequestTracker::clear()
{
    m_deadlines.clear();
    m_byDue.clear();
    m_timer.stop();
}

void RequestTracker::setDeadline(const QString &id, const Deadline &deadline)
{
    forget(id);
    Deadline d = deadline;
    d.position = m_byDue.emplace(d.dueMs, id);
    m_deadlines.insert(id, d);
    rearm();
}

void RequestTracker::forget(const QString &id)
{
    const auto it = m_deadlines.find(id);
    if (it == m_deadlines.end())
        return;
    m_byDue.erase(it->position);
    m_deadlines.erase(it);
    rearm();
}

void RequestTracker::rearm()
{
    if (m_byDue.empty()) {
        m_timer.stop();
        return;
    }
    const qint64 wait = qMax<qint64>(0, m_byDue.begin()->first - now());
    // Re-arming at the same remaining time would only cost a timer restart per publish.
    if (m_timer.isActive() && qAbs(m_timer.remainingTime() - wait) <= 1)
        return;
    m_timer.start(int(qMin<qint64>(wait, INT_MAX)));
}

void RequestTracker::expire()
{
    const qint64 t = now();
    QList<Outbox::Entry> exhausted;
    bool requeued = false;
    // Take what is due first: the signals below may add or settle deadlines.
    QList<QPair<QString, Deadline>> due;
    while (!m_byDue.empty() && m_byDue.begin()->first <= t) {
        const QString id = m_byDue.begin()->second;
        m_byDue.erase(m_byDue.begin());
        due.append({id, m_deadlines.take(id)});
    }
    for (const auto &[id, d] : std::as_const(due)) {
        if (d.kind == Kind::Reply) {
            if (m_outbox.take(id))
                Q_EMIT queueChanged();
            Q_EMIT requestFailed(id, d.method, errorCode(ClientError::RequestTimedOut),
                                 QStringLiteral("no reply within %1 ms").arg(d.timeoutMs));
            continue;
        }
        const int i = m_outbox.indexOf(id);
        if (i < 0 || m_outbox.at(i).state != Outbox::State::Sent)
            continue;
        if (m_pingsFollowAcks && d.sentOrder > m_answeredOrder) {
            // Nothing sent after it has been answered yet: a slow link. Wait one more ack timeout.
            Deadline later = d;
            later.dueMs = t + m_ackTimeoutMs;
            setDeadline(id, later);
            continue;
        }
        Outbox::Entry &e = m_outbox.at(i);
        e.ackTimeouts += 1;
        if (e.ackTimeouts >= m_maxSendAttempts) {
            exhausted.append(e);
            continue;
        }
        // The hub dedupes by id, so a resend cannot publish twice.
        e.state = Outbox::State::Queued;
        requeued = true;
    }
    for (const Outbox::Entry &e : std::as_const(exhausted)) {
        m_outbox.take(e.id);
        qCWarning(lcOutbox).noquote()
            << "publish" << e.id << "to" << e.target << "unacknowledged after" << e.ackTimeouts << "attempts";
        Q_EMIT publishFailed(e.id, e.target,
                             QStringLiteral("no acknowledgement after %1 attempts").arg(e.ackTimeouts));
    }
    if (!exhausted.isEmpty())
        Q_EMIT queueChanged();
    rearm();
    if (requeued)
        Q_EMIT resendDue();
}

} // namespace Pulseboard
