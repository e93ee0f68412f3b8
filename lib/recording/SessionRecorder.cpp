#include "SessionRecorder.h"

namespace Pulseboard {

SessionRecorder::SessionRecorder(ConnectionManager *manager, HistoryStore *store, QObject *parent)
    : QObject(parent), m_manager(manager), m_recording(store)
{
    m_watch.setInterval(200);
    connect(&m_watch, &QTimer::timeout, this, &SessionRecorder::checkStore);
}

SessionRecorder::~SessionRecorder()
{
    if (m_started)
        m_manager->removeMessageSink(m_sink.get());
}

void SessionRecorder::start(const ConnectionOptions &options, const QString &tool)
{
    m_recording.start(tool);
    m_source = options.endpoints.isEmpty() ? QString() : publicUrl(options.endpoints.constFirst());
    m_recording.describeSource(QString(), options, m_manager->subscriptions());
    m_sink = std::make_unique<RecordingSink>(&m_recording, m_source);

    connect(m_manager, &ConnectionManager::urlChanged, this, [this] {
        m_source = publicUrl(m_manager->url());
        m_sink->setSource(m_source);
    });
    connect(m_manager, &ConnectionManager::subscriptionsChanged, this,
            [this] { m_recording.setChannels(QString(), m_manager->subscriptions()); });
    connect(m_manager, &ConnectionManager::stateChanged, this,
            [this](ConnectionManager::State state) { m_recording.state(QString(), m_source, state); });
    connect(m_manager, &ConnectionManager::disconnected, this,
            [this](int code, const QString &reason) { m_recording.disconnected(m_source, code, reason); });
    connect(m_manager, &ConnectionManager::gapDetected, this,
            [this](const QString &channel, qint64 fromSeq, qint64 toSeq, const QString &reason) {
                m_recording.gap(channel, fromSeq, toSeq, reason);
            });
    // Every message from here on; the first the store refuses ends the recording at once (the
    // sink runs on this thread: the CLI's manager is the recorder's).
    m_sink->setRefused([this] { checkStore(); });
    m_manager->addMessageSink(m_sink.get());
    m_started = true;
    m_watch.start();
}

void SessionRecorder::checkStore()
{
    if (m_failedTold || m_recording.healthy())
        return;
    m_failedTold = true;
    m_watch.stop();
    Q_EMIT failed(m_recording.failure());
}

void SessionRecorder::stop()
{
    if (!m_started)
        return;
    m_watch.stop();
    m_manager->removeMessageSink(m_sink.get());
    m_started = false;
    m_recording.finish();
}

} // namespace Pulseboard
