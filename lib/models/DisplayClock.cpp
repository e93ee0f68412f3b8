#include "DisplayClock.h"

#include <QDateTime>

namespace Pulseboard {

DisplayClock::DisplayClock(QObject *parent) : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / m_rateHz);
    m_nowMs = QDateTime::currentMSecsSinceEpoch();
    connect(&m_timer, &QTimer::timeout, this, [this] { tickAt(QDateTime::currentMSecsSinceEpoch()); });
}

void DisplayClock::setRateHz(int hz)
{
    hz = qBound(1, hz, kMaxRateHz);
    if (hz == m_rateHz)
        return;
    m_rateHz = hz;
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

void DisplayClock::tickAt(qint64 nowMs)
{
    m_nowMs = nowMs;
    Q_EMIT ticked(nowMs);
}

} // namespace Pulseboard
