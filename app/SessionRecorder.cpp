#include "SessionRecorder.h"

#include "protocol/Clock.h"
#include "protocol/JsonView.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pulseboard {

namespace {
QString compactJson(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}
} // namespace

SessionRecorder::SessionRecorder(ConnectionManager *manager, HistoryStore *store, QObject *parent)
    : QObject(parent), m_manager(manager), m_store(store)
{
    m_watch.setInterval(200);
    connect(&m_watch, &QTimer::timeout, this, &SessionRecorder::checkStore);
}

SessionRecorder::~SessionRecorder()
{
    if (m_started)
        m_manager->removeMessageSink(this);
}

QString SessionRecorder::publicUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

void SessionRecorder::start(const ConnectionOptions &options, const QString &tool)
{
    m_clock.start();
    const qint64 now = Clock::current().wallMs();
    QJsonArray urls;
    for (const QUrl &url : options.endpoints)
        urls.append(publicUrl(url));
    m_source = options.endpoints.isEmpty() ? QString() : publicUrl(options.endpoints.constFirst());
    // The settings that shape what was received; no token, token source or protocol config
    // (which may carry credentials).
    const QJsonObject settings{{QStringLiteral("heartbeatIntervalMs"), options.heartbeatIntervalMs},
                               {QStringLiteral("heartbeatTimeoutMs"), options.heartbeatTimeoutMs},
                               {QStringLiteral("connectTimeoutMs"), options.connectTimeoutMs},
                               {QStringLiteral("maxRetries"), options.maxRetries},
                               {QStringLiteral("backfill"), options.backfill},
                               {QStringLiteral("subprotocol"), options.subprotocol},
                               {QStringLiteral("auth"), !options.token.isEmpty() ||
                                                            bool(options.tokenProvider) ||
                                                            bool(options.tokenSource)}};
    m_store->setRecordingInfo(QStringLiteral("format"), QStringLiteral("pulseboard-recording/1"));
    m_store->setRecordingInfo(QStringLiteral("tool"), tool);
    m_store->setRecordingInfo(QStringLiteral("url"), m_source);
    m_store->setRecordingInfo(QStringLiteral("urls"), compactJson(urls));
    m_store->setRecordingInfo(QStringLiteral("dialect"), options.protocol);
    m_store->setRecordingInfo(QStringLiteral("channels"),
                              compactJson(QJsonArray::fromStringList(m_manager->subscriptions())));
    m_store->setRecordingInfo(QStringLiteral("settings"), compactJson(settings));
    m_store->setRecordingInfo(QStringLiteral("started"), QString::number(now));

    connect(m_manager, &ConnectionManager::urlChanged, this,
            [this] { m_source = publicUrl(m_manager->url()); });
    connect(m_manager, &ConnectionManager::subscriptionsChanged, this, [this] {
        m_store->setRecordingInfo(QStringLiteral("channels"),
                                  compactJson(QJsonArray::fromStringList(m_manager->subscriptions())));
    });
    connect(m_manager, &ConnectionManager::stateChanged, this, [this](ConnectionManager::State state) {
        const qint64 t = Clock::current().wallMs();
        QString detail = ConnectionManager::stateName(state);
        m_store->appendEvent({HistoryEvent::Kind::State, t, t, m_source, detail});
        const bool open = state == ConnectionManager::Open;
        // The recorder's own close at the end is no outage.
        if (!open && m_wasOpen && state != ConnectionManager::Closed)
            m_downSince = t;
        if (open && m_downSince > 0) {
            m_store->appendEvent({HistoryEvent::Kind::Outage, m_downSince, t, m_source, QString()});
            m_downSince = 0;
        }
        m_wasOpen = open;
    });
    connect(m_manager, &ConnectionManager::disconnected, this, [this](int code, const QString &reason) {
        // The close code and reason, in the timeline beside the state that follows.
        const qint64 t = Clock::current().wallMs();
        m_store->appendEvent({HistoryEvent::Kind::State, t, t, m_source,
                              QStringLiteral("disconnected %1 %2").arg(code).arg(reason).trimmed()});
    });
    connect(m_manager, &ConnectionManager::gapDetected, this,
            [this](const QString &channel, qint64 fromSeq, qint64 toSeq, const QString &reason) {
                const qint64 t = Clock::current().wallMs();
                m_store->appendEvent({HistoryEvent::Kind::Gap, t, t, channel,
                                      QStringLiteral("seq %1..%2 %3").arg(fromSeq).arg(toSeq).arg(reason)});
            });
    m_manager->addMessageSink(this);
    m_started = true;
    m_watch.start();
}

void SessionRecorder::deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data)
{
    if (m_failed || m_stopped)
        return;
    HistoryFrame frame;
    frame.arrivalMs = Clock::current().wallMs();
    frame.offsetUs = m_clock.nsecsElapsed() / 1000;
    frame.serverTs = ts;
    frame.seq = seq;
    frame.source = m_source;
    frame.channel = channel;
    if (!data.isUndefined())
        data.appendQtCompactJson(frame.data);
    if (!m_retainedNext.isEmpty() && channel == m_retainedNext) {
        frame.flags |= HistoryFrame::Retained;
        m_retainedNext.clear();
    }
    if (!m_backfillNext.isEmpty() && channel == m_backfillNext) {
        frame.flags |= HistoryFrame::Backfill;
        m_backfillNext.clear();
    }
    if (!m_store->appendFrame(std::move(frame))) {
        checkStore();
        if (!m_failed)
            fail(QStringLiteral("the recording could not keep up (the write queue is full): a message on %1 "
                                "was not recorded")
                     .arg(channel));
        return;
    }
    ++m_recorded;
}

void SessionRecorder::checkStore()
{
    if (m_failed || m_store->isWriting())
        return;
    fail(m_store->why().isEmpty() ? m_store->statusText() : m_store->why());
}

void SessionRecorder::fail(const QString &why)
{
    m_failed = true;
    m_watch.stop();
    Q_EMIT failed(why);
}

void SessionRecorder::stop()
{
    if (!m_started || m_stopped)
        return;
    m_stopped = true;
    m_watch.stop();
    m_manager->removeMessageSink(this);
    m_started = false;
    const qint64 now = Clock::current().wallMs();
    if (m_downSince > 0)
        m_store->appendEvent({HistoryEvent::Kind::Outage, m_downSince, now, m_source, QString()});
    m_downSince = 0;
    m_store->appendEvent({HistoryEvent::Kind::State, now, now, m_source, QStringLiteral("stopped")});
    m_store->setRecordingInfo(QStringLiteral("stopped"), QString::number(now));
    m_store->setRecordingInfo(QStringLiteral("durationUs"), QString::number(m_clock.nsecsElapsed() / 1000));
    m_store->setRecordingInfo(QStringLiteral("messages"), QString::number(m_recorded));
    m_store->flush();
}

} // namespace Pulseboard
