#include "DashboardSource.h"

#include "alerts/AlertMonitor.h"
#include "client/ConnectionManager.h"
#include "dashboard/alerts/AlertListModel.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/ConnectionStatus.h"
#include "dashboard/connection/HealthHistory.h"
#include "dashboard/connection/OutboxModel.h"

#include <QThread>
#include <QUrl>

namespace Pulseboard {

DashboardSource::DashboardSource(const SourceSpec &spec, SeriesStore *store, std::function<void()> wake,
                                 bool thread, int healthIntervalMs, QObject *parent)
    : QObject(parent), m_spec(spec), m_status(new ConnectionStatus(this)), m_outbox(new OutboxModel(this)),
      m_health(new HealthHistory(store, this, spec.name)),
      m_ingest(std::make_unique<MessageIngest>(store, std::move(wake)))
{
    m_ingest->setChannelPrefix(prefix());
    m_manager = new ConnectionManager();
    m_manager->setOptions(spec.connection);
    if (thread) {
        m_thread = std::make_unique<QThread>();
        m_thread->setObjectName(QStringLiteral("network-%1").arg(spec.name));
        m_manager->moveToThread(m_thread.get());
        m_thread->start();
    }
    m_mirror = std::make_unique<ConnectionMirror>(m_manager);
    m_mirror->addMessageSink(m_ingest.get());
    m_status->attach(m_mirror.get());
    m_outbox->attach(m_mirror.get());
    m_health->attach(m_mirror.get(), healthIntervalMs);
    m_rateTimer.setInterval(1000);
    connect(&m_rateTimer, &QTimer::timeout, this, [this] {
        const quint64 messages = m_mirror->stats().messages;
        const double rate = double(messages - qMin(messages, m_lastMessages));
        m_lastMessages = messages;
        if (rate != m_rate) {
            m_rate = rate;
            Q_EMIT rateChanged();
        }
    });
    m_rateTimer.start();
}

DashboardSource::~DashboardSource()
{
    // The sink comes off first, then the manager goes on its own thread, then the thread.
    m_mirror->removeMessageSink(m_ingest.get());
    m_mirror->runOnManagerThread([monitor = std::exchange(m_monitor, nullptr)](ConnectionManager *m) {
        delete monitor; // a sink of the manager: off it first
        delete m;
    });
    m_manager = nullptr;
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

QStringList DashboardSource::channels() const
{
    QStringList out;
    for (const QString &c : m_mirror->subscriptions())
        out.append(prefix() + c);
    return out;
}

void DashboardSource::open()
{
    for (const QString &c : m_spec.channels)
        m_mirror->subscribe(c);
    m_mirror->open();
}

void DashboardSource::watchAlerts(const QList<AlertRule> &rules, AlertListModel *alerts)
{
    if (rules.isEmpty() || m_monitor)
        return;
    m_mirror->runOnManagerThread([this, rules, alerts](ConnectionManager *m) {
        m_monitor = startAlertMonitor(m, rules, alerts, prefix());
    });
}

AlertMonitor *DashboardSource::startAlertMonitor(ConnectionManager *manager, const QList<AlertRule> &rules,
                                                 AlertListModel *alerts, const QString &channelPrefix)
{
    auto *monitor = new AlertMonitor(manager, rules);
    // Connected before it starts, so the first event is not missed.
    connect(
        monitor, &AlertMonitor::alert, alerts,
        [alerts, channelPrefix](AlertEvent event) {
            if (!event.channel.isEmpty())
                event.channel.prepend(channelPrefix);
            alerts->add(event);
        },
        Qt::QueuedConnection);
    connect(monitor, &AlertMonitor::problem, alerts, &AlertListModel::noteRuleProblem, Qt::QueuedConnection);
    monitor->start();
    return monitor;
}

void DashboardSource::close()
{
    m_mirror->runOnManagerThread([](ConnectionManager *m) { m->close(); });
}

QVariantMap DashboardSource::snapshot() const
{
    return describe(m_spec.name, *m_mirror, *m_status, channels());
}

QVariantMap DashboardSource::describe(const QString &name, const ConnectionMirror &c,
                                      const ConnectionStatus &status, const QStringList &channels)
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("state"), c.stateName()},
            {QStringLiteral("live"), status.live()},
            {QStringLiteral("headline"), status.headline()},
            {QStringLiteral("banner"), status.banner()},
            {QStringLiteral("url"), c.url().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)},
            {QStringLiteral("protocol"), c.protocol()},
            {QStringLiteral("capabilities"), c.capabilitiesJson().toVariantMap()},
            {QStringLiteral("channels"), channels},
            {QStringLiteral("channelCount"), int(c.subscriptions().size())},
            {QStringLiteral("outbox"), c.queuedCount()},
            {QStringLiteral("messages"), double(c.stats().messages)},
            {QStringLiteral("rttMs"), c.rttMs()}};
}

} // namespace Pulseboard
