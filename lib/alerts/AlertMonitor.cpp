#include "AlertMonitor.h"

#include "protocol/Clock.h"

#include <algorithm>

namespace Pulseboard {

AlertMonitor::AlertMonitor(ConnectionManager *manager, const QList<AlertRule> &rules, QObject *parent)
    : QObject(parent), m_manager(manager), m_engine(rules)
{
    m_engine.setHandler([this](const AlertEvent &event) { Q_EMIT alert(event); });
    m_engine.setProblemHandler(
        [this](const QString &rule, const QString &words) { Q_EMIT problem(rule, words); });
    m_timer.setInterval(100);
    connect(&m_timer, &QTimer::timeout, this, &AlertMonitor::onTick);
    connect(m_manager, &ConnectionManager::stateChanged, this, [this](ConnectionManager::State state) {
        if (m_running)
            m_engine.connectionChanged(state == ConnectionManager::Open, Clock::current().wallMs());
    });
    connect(m_manager, &ConnectionManager::gapDetected, this,
            [this](const QString &channel, qint64 from, qint64 to, const QString &) {
                if (m_running)
                    m_engine.gap(channel, from >= 0 && to >= from ? to - from + 1 : -1,
                                 Clock::current().wallMs());
            });
    m_manager->addMessageSink(this);
}

AlertMonitor::~AlertMonitor()
{
    m_manager->removeMessageSink(this);
}

void AlertMonitor::start()
{
    const qint64 now = Clock::current().wallMs();
    m_running = true;
    m_engine.start(now);
    m_engine.connectionChanged(m_manager->state() == ConnectionManager::Open, now);
    m_timer.start();
}

void AlertMonitor::stop()
{
    m_running = false;
    m_timer.stop();
}

void AlertMonitor::deliver(const QString &channel, qint64, qint64, const JsonView &data)
{
    if (m_running)
        m_engine.message(channel, data, Clock::current().wallMs());
}

void AlertMonitor::onTick()
{
    const qint64 now = Clock::current().wallMs();
    const QList<Outbox::Entry> &entries = m_manager->outbox().entries();
    // Oldest first: the first entry has waited longest.
    m_engine.outboxAge(entries.isEmpty() ? -1 : std::max<qint64>(0, now - entries.constFirst().enqueuedAtMs),
                       now);
    m_engine.tick(now);
}

} // namespace Pulseboard
