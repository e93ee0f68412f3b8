#include "Heartbeat.h"

#include "protocol/Clock.h"

namespace Pulseboard {

Heartbeat::Heartbeat(QObject *parent) : QObject(parent)
{
    m_pingTimer.setTimerType(Qt::PreciseTimer);
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer);
    connect(&m_pingTimer, &QTimer::timeout, this, &Heartbeat::sendPing);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        m_pingTimer.stop();
        Q_EMIT timedOut(int(m_sinceLife.elapsed()));
    });
}

void Heartbeat::setInterval(int ms)
{
    m_intervalMs = qMax(1, ms);
    if (m_pingTimer.isActive())
        m_pingTimer.start(m_intervalMs);
}

void Heartbeat::setTimeout(int ms)
{
    m_timeoutMs = qMax(1, ms);
}

void Heartbeat::start()
{
    m_outstandingId.clear();
    m_sinceLife.start();
    m_deadline.stop();
    m_pingTimer.start(m_intervalMs);
}

void Heartbeat::stop()
{
    m_pingTimer.stop();
    m_deadline.stop();
    m_outstandingId.clear();
}

void Heartbeat::noteLife()
{
    m_sinceLife.start();
    m_deadline.stop();
}

int Heartbeat::notePong(const QString &id, qint64 ts)
{
    noteLife();
    if (id.isEmpty() || id != m_outstandingId)
        return -1;
    m_outstandingId.clear();
    const qint64 rtt = Clock::current().wallMs() - ts;
    return rtt < 0 ? -1 : int(qMin<qint64>(rtt, INT_MAX));
}

void Heartbeat::sendPing()
{
    m_outstandingId = QStringLiteral("hb-%1").arg(++m_counter);
    // The deadline runs from the ping; frames that arrive meanwhile lift it (noteLife).
    if (!m_deadline.isActive())
        m_deadline.start(m_timeoutMs);
    Q_EMIT pingDue(m_outstandingId, Clock::current().wallMs());
}

} // namespace Pulseboard
