#include "DisplayClock.h"

#include "protocol/Clock.h"

namespace Pulseboard {

DisplayClock::DisplayClock(QObject *parent) : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / m_rateHz);
    m_nowMs = Clock::current().wallMs();
    connect(&m_timer, &QTimer::timeout, this, [this] { tickAt(Clock::current().wallMs()); });
}

void DisplayClock::setRateHz(int hz)
{
    hz = qBound(1, hz, kMaxRateHz);
    if (hz == m_rateHz)
        return;
    m_rateHz = hz;
    if (!m_idle)
        m_timer.setInterval(1000 / hz);
    Q_EMIT rateChanged();
}

void DisplayClock::start()
{
    m_timer.start();
}

void DisplayClock::stop()
{
    m_timer.stop();
}

void DisplayClock::setIdleRate(int hz, int idleAfterMs)
{
    m_idleRateHz = qBound(0, hz, kMaxRateHz);
    m_idleAfterMs = qMax(0, idleAfterMs);
    m_lastActivityMs = Clock::current().wallMs();
    if (m_idleRateHz == 0 && m_idle)
        wake();
}

void DisplayClock::wake()
{
    m_idle = false;
    m_lastActivityMs = Clock::current().wallMs();
    m_timer.setInterval(1000 / m_rateHz);
    if (m_timer.isActive()) {
        m_timer.start(); // restarts at the full rate
        tickAt(m_lastActivityMs);
    }
}

void DisplayClock::tickAt(qint64 nowMs)
{
    m_nowMs = nowMs;
    if (m_activity) {
        m_activity = false;
        m_lastActivityMs = nowMs;
    } else if (!m_idle && m_idleRateHz > 0 && m_idleRateHz < m_rateHz &&
               nowMs - m_lastActivityMs >= m_idleAfterMs) {
        m_idle = true;
        m_timer.setInterval(1000 / m_idleRateHz);
    }
    Q_EMIT ticked(nowMs);
}

} // namespace Pulseboard
