#include "HealthHistory.h"

#include "dashboard/charts/SeriesStore.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "protocol/Clock.h"

namespace Pulseboard {

HealthHistory::HealthHistory(SeriesStore *store, QObject *parent, const QString &source)
    : QObject(parent), m_store(store), m_source(source)
{
    connect(&m_timer, &QTimer::timeout, this, &HealthHistory::sampleManager);
}

void HealthHistory::attach(ConnectionMirror *manager, int intervalMs)
{
    m_manager = manager;
    const auto now = [] { return Clock::current().wallMs(); };
    connect(manager, &ConnectionMirror::connected, this, [this, now] { addMarker(1, now()); });
    connect(manager, &ConnectionMirror::disconnected, this, [this, now] { addMarker(2, now()); });
    connect(manager, &ConnectionMirror::errorOccurred, this, [this, now] { addMarker(3, now()); });
    connect(manager, &ConnectionMirror::gapDetected, this, [this, now] { addMarker(3, now()); });
    // The dashboard's own requests leave the count once settled.
    connect(manager, &ConnectionMirror::responseReceived, this,
            [this](const QString &id) { m_ownRequests.remove(id); });
    connect(manager, &ConnectionMirror::requestFailed, this,
            [this](const QString &id) { m_ownRequests.remove(id); });
    m_timer.start(intervalMs);
    sampleManager();
}

void HealthHistory::noteOwnRequest(const QString &id)
{
    if (!id.isEmpty())
        m_ownRequests.insert(id);
}

void HealthHistory::sampleManager()
{
    if (!m_manager)
        return;
    const ConnectionManager::Stats &s = m_manager->stats();
    Counters c;
    c.framesIn = s.framesIn;
    c.framesOut = s.framesOut;
    c.bytesIn = s.bytesIn;
    c.bytesOut = s.bytesOut;
    c.reconnects = s.reconnects;
    c.reconnected = s.reconnected;
    c.gaps = s.gaps;
    c.rttMs = m_manager->state() == ConnectionManager::Open ? m_manager->rttMs() : -1;
    const Outbox &outbox = m_manager->outbox();
    int depth = 0;
    for (int i = 0; i < outbox.count(); ++i)
        depth += m_ownRequests.contains(outbox.at(i).id) ? 0 : 1;
    c.outboxDepth = depth;
    addSample(c, Clock::current().wallMs());
}

void HealthHistory::addSample(const Counters &c, qint64 nowMs)
{
    const SeriesKey source = figuresKey(m_source);
    if (m_previousMs >= 0 && nowMs > m_previousMs) {
        const double seconds = double(nowMs - m_previousMs) / 1000.0;
        // Counters only grow; a smaller value means a new manager, so the delta starts over.
        auto rate = [seconds](quint64 now, quint64 before) {
            return now >= before ? double(now - before) / seconds : 0.0;
        };
        m_msgsIn = rate(c.framesIn, m_previous.framesIn);
        m_msgsOut = rate(c.framesOut, m_previous.framesOut);
        m_bytesIn = rate(c.bytesIn, m_previous.bytesIn);
        m_bytesOut = rate(c.bytesOut, m_previous.bytesOut);
        m_store->addSample(source, QStringLiteral("msgsIn"), nowMs, m_msgsIn);
        m_store->addSample(source, QStringLiteral("msgsOut"), nowMs, m_msgsOut);
        m_store->addSample(source, QStringLiteral("bytesIn"), nowMs, m_bytesIn);
        m_store->addSample(source, QStringLiteral("bytesOut"), nowMs, m_bytesOut);
    }
    if (c.rttMs >= 0)
        m_store->addSample(source, QStringLiteral("rttMs"), nowMs, c.rttMs);
    m_store->addSample(source, QStringLiteral("outbox"), nowMs, c.outboxDepth);
    m_previous = c;
    m_current = c;
    m_previousMs = nowMs;
    Q_EMIT sampled();
}

void HealthHistory::addMarker(int lane, qint64 nowMs)
{
    static const char *const names[] = {"", "connected", "disconnected", "error"};
    if (lane < 1 || lane > 3)
        return;
    m_store->addSample(eventsKey(m_source), QString::fromLatin1(names[lane]), nowMs, lane);
}

} // namespace Pulseboard
