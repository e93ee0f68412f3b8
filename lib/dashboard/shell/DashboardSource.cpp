#include "DashboardSource.h"

#include "client/ConnectionManager.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/ConnectionStatus.h"
#include "dashboard/connection/OutboxModel.h"

#include <QThread>
#include <QUrl>

namespace Pulseboard {

DashboardSource::DashboardSource(const SourceSpec &spec, SeriesStore *store, std::function<void()> wake,
                                 bool thread, QObject *parent)
    : QObject(parent), m_spec(spec), m_status(new ConnectionStatus(this)), m_outbox(new OutboxModel(this)),
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
    m_mirror->runOnManagerThread([](ConnectionManager *m) { delete m; });
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

void DashboardSource::close()
{
    m_mirror->runOnManagerThread([](ConnectionManager *m) { m->close(); });
}

QVariantMap DashboardSource::snapshot() const
{
    return {{QStringLiteral("name"), m_spec.name},
            {QStringLiteral("state"), m_mirror->stateName()},
            {QStringLiteral("live"), m_status->live()},
            {QStringLiteral("headline"), m_status->headline()},
            {QStringLiteral("banner"), m_status->banner()},
            {QStringLiteral("url"), m_mirror->url().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)},
            {QStringLiteral("protocol"), m_mirror->protocol()},
            {QStringLiteral("capabilities"), m_mirror->capabilitiesJson().toVariantMap()},
            {QStringLiteral("channels"), channels()},
            {QStringLiteral("channelCount"), int(m_mirror->subscriptions().size())},
            {QStringLiteral("outbox"), m_mirror->queuedCount()},
            {QStringLiteral("messages"), double(m_mirror->stats().messages)},
            {QStringLiteral("rttMs"), m_mirror->rttMs()}};
}

} // namespace Pulseboard
