#include "FrameMeter.h"

#include <QQuickWindow>

#include <cmath>

namespace Pulseboard {

int FrameMeter::Interval::percentile(double p) const
{
    if (frames <= 0)
        return 0;
    const int rank = qMax(1, int(std::ceil(frames * p)));
    int seen = 0;
    for (size_t ms = 0; ms < hist.size(); ++ms) {
        seen += hist[ms];
        if (seen >= rank)
            return int(ms) + 1;
    }
    return int(hist.size());
}

FrameMeter::FrameMeter(QObject *parent) : QObject(parent)
{
    m_clock.start();
    m_secondTimer.setInterval(1000);
    connect(&m_secondTimer, &QTimer::timeout, this, &FrameMeter::publishSecond);
}

FrameMeter::~FrameMeter() = default;

void FrameMeter::attach(QQuickWindow *window)
{
    if (m_window || !window)
        return;
    m_window = window;
    // With the threaded render loop frameSwapped comes from the render thread: take the time
    // there and count on this object's thread, so the counters need no lock.
    connect(
        window, &QQuickWindow::frameSwapped, this,
        [this] {
            const qint64 ns = m_clock.nsecsElapsed();
            QMetaObject::invokeMethod(
                this, [this, ns] { recordFrame(ns); }, Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    m_secondTimer.start();
}

void FrameMeter::setRenderer(const QString &description)
{
    if (description == m_renderer)
        return;
    m_renderer = description;
    Q_EMIT rendererChanged();
}

void FrameMeter::add(Interval *interval, double ms)
{
    interval->msSum += ms;
    interval->msMax = qMax(interval->msMax, ms);
    ++interval->frames;
    ++interval->hist[size_t(qBound(0, int(ms), int(interval->hist.size()) - 1))];
}

void FrameMeter::recordFrame(qint64 ns)
{
    if (m_lastFrameNs >= 0) {
        const double ms = double(ns - m_lastFrameNs) / 1e6;
        add(&m_interval, ms);
        add(&m_second, ms);
    }
    m_lastFrameNs = ns;
}

void FrameMeter::publishSecond()
{
    m_fps = m_second.frames;
    m_p99 = m_second.percentile(0.99);
    m_second = Interval();
    Q_EMIT updated();
}

FrameMeter::Interval FrameMeter::takeInterval()
{
    Interval out = m_interval;
    m_interval = Interval();
    return out;
}

} // namespace Pulseboard
