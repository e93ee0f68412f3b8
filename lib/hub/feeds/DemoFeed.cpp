#include "DemoFeed.h"

#include "protocol/Clock.h"

#include <QJsonObject>

#include <cmath>
#include <numbers>

namespace Pulseboard {

DemoWaveFeed::DemoWaveFeed(double hz, QObject *parent)
    : Feed(parent), m_hz(qBound(0.1, hz, kMaxHz)), m_rng(QRandomGenerator::securelySeeded())
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(qMax(10, int(1000.0 / m_hz)));
    connect(&m_timer, &QTimer::timeout, this, &DemoWaveFeed::tick);
}

double DemoWaveFeed::valueAt(double seconds)
{
    return std::sin(2 * std::numbers::pi * 0.2 * seconds) +
           0.3 * std::sin(2 * std::numbers::pi * 1.7 * seconds);
}

void DemoWaveFeed::start()
{
    // Sample times are wall time (they go on the wire); how many samples are owed is a duration.
    m_startMs = Clock::current().wallMs();
    m_startNs = Clock::current().monotonicNs();
    m_emitted = 0;
    m_timer.start();
}

void DemoWaveFeed::stop()
{
    m_timer.stop();
}

void DemoWaveFeed::tick()
{
    const double elapsed = double(Clock::current().monotonicNs() - m_startNs) / 1e9;
    auto owed = quint64(elapsed * m_hz) + 1;
    // After a stall (a suspended machine, a debugger) skip ahead instead of bursting a backlog.
    const quint64 maxBurst = quint64(m_hz) + 1;
    if (owed > m_emitted + maxBurst)
        m_emitted = owed - maxBurst;
    for (; m_emitted < owed; ++m_emitted) {
        const double t = double(m_emitted) / m_hz;
        QJsonObject o;
        o.insert(QLatin1StringView("t"), double(m_startMs) + std::round(t * 1000.0));
        o.insert(QLatin1StringView("v"), valueAt(t) + 0.05 * (m_rng.generateDouble() - 0.5));
        Q_EMIT sample(QStringLiteral("demo.wave"), o);
    }
}

DemoEventsFeed::DemoEventsFeed(int meanIntervalMs, QObject *parent)
    : Feed(parent), m_meanMs(qMax(1, meanIntervalMs)), m_rng(QRandomGenerator::securelySeeded())
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DemoEventsFeed::fire);
}

void DemoEventsFeed::start()
{
    scheduleNext();
}

void DemoEventsFeed::stop()
{
    m_timer.stop();
}

void DemoEventsFeed::scheduleNext()
{
    const double u = qMax(1e-9, m_rng.generateDouble());
    const double gap = -std::log(u) * m_meanMs;
    m_timer.start(int(qBound(1.0, gap, 20.0 * m_meanMs)));
}

void DemoEventsFeed::fire()
{
    static const char *const kinds[] = {"deploy", "login", "alert", "job", "backup"};
    static const char *const services[] = {"api", "web", "db", "cache", "queue", "auth"};
    const char *kind = kinds[m_rng.bounded(5)];
    const char *service = services[m_rng.bounded(6)];
    const int roll = int(m_rng.bounded(100));
    const char *severity = roll < 70 ? "info" : roll < 92 ? "warning" : "error";
    QJsonObject o;
    o.insert(QLatin1StringView("n"), double(++m_count));
    o.insert(QLatin1StringView("kind"), QLatin1StringView(kind));
    o.insert(QLatin1StringView("service"), QLatin1StringView(service));
    o.insert(QLatin1StringView("severity"), QLatin1StringView(severity));
    o.insert(QLatin1StringView("message"),
             QStringLiteral("%1 on %2 (%3)")
                 .arg(QLatin1StringView(kind), QLatin1StringView(service), QLatin1StringView(severity)));
    if (qstrcmp(kind, "job") == 0)
        o.insert(QLatin1StringView("durationMs"), int(m_rng.bounded(50, 30000)));
    Q_EMIT sample(QStringLiteral("demo.events"), o);
    scheduleNext();
}

} // namespace Pulseboard
