#include "Recording.h"

#include "protocol/Clock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pulseboard {

namespace {
QString compactJson(const QJsonArray &value)
{
    return QString::fromUtf8(QJsonDocument(value).toJson(QJsonDocument::Compact));
}
QString compactJson(const QJsonObject &value)
{
    return QString::fromUtf8(QJsonDocument(value).toJson(QJsonDocument::Compact));
}
} // namespace

Recording::Recording(HistoryStore *store) : m_store(store) {}

QString Recording::publicUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

void Recording::start(const QString &tool)
{
    m_clock.start();
    m_store->setRecordingInfo(QStringLiteral("format"), kFormat);
    m_store->setRecordingInfo(QStringLiteral("tool"), tool);
    m_store->setRecordingInfo(QStringLiteral("started"), QString::number(Clock::current().wallMs()));
}

void Recording::describeSource(const QString &prefix, const ConnectionOptions &options,
                               const QStringList &channels)
{
    QJsonArray urls;
    for (const QUrl &url : options.endpoints)
        urls.append(publicUrl(url));
    const QJsonObject settings{{QStringLiteral("heartbeatIntervalMs"), options.heartbeatIntervalMs},
                               {QStringLiteral("heartbeatTimeoutMs"), options.heartbeatTimeoutMs},
                               {QStringLiteral("connectTimeoutMs"), options.connectTimeoutMs},
                               {QStringLiteral("maxRetries"), options.maxRetries},
                               {QStringLiteral("backfill"), options.backfill},
                               {QStringLiteral("subprotocol"), options.subprotocol},
                               {QStringLiteral("auth"), !options.token.isEmpty() ||
                                                            bool(options.tokenProvider) ||
                                                            bool(options.tokenSource)}};
    m_store->setRecordingInfo(prefix + QStringLiteral("url"),
                              options.endpoints.isEmpty() ? QString()
                                                          : publicUrl(options.endpoints.constFirst()));
    m_store->setRecordingInfo(prefix + QStringLiteral("urls"), compactJson(urls));
    m_store->setRecordingInfo(prefix + QStringLiteral("dialect"), options.protocol);
    m_store->setRecordingInfo(prefix + QStringLiteral("settings"), compactJson(settings));
    setChannels(prefix, channels);
}

void Recording::setChannels(const QString &prefix, const QStringList &channels)
{
    m_store->setRecordingInfo(prefix + QStringLiteral("channels"),
                              compactJson(QJsonArray::fromStringList(channels)));
}

bool Recording::frame(const QString &source, const QString &channel, qint64 seq, qint64 ts,
                      const JsonView &data, int flags)
{
    if (m_failed.load(std::memory_order_relaxed) || m_finished.load(std::memory_order_relaxed))
        return false;
    HistoryFrame frame;
    frame.arrivalMs = Clock::current().wallMs();
    frame.offsetUs = m_clock.nsecsElapsed() / 1000;
    frame.serverTs = ts;
    frame.seq = seq;
    frame.source = source;
    frame.channel = channel;
    frame.flags = flags;
    if (!data.isUndefined())
        data.appendQtCompactJson(frame.data);
    if (!m_store->appendFrame(std::move(frame))) {
        if (healthy())
            fail(QStringLiteral("the recording could not keep up (the write queue is full): a message on %1 "
                                "was not recorded")
                     .arg(channel));
        return false;
    }
    m_recorded.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void Recording::state(const QString &key, const QString &source, ConnectionManager::State state)
{
    const qint64 t = Clock::current().wallMs();
    m_store->appendEvent({HistoryEvent::Kind::State, t, t, source, ConnectionManager::stateName(state)});
    Timeline &line = m_timelines[key];
    line.source = source;
    const bool open = state == ConnectionManager::Open;
    if (!open && line.wasOpen && state != ConnectionManager::Closed)
        line.downSince = t;
    if (open && line.downSince > 0) {
        m_store->appendEvent({HistoryEvent::Kind::Outage, line.downSince, t, source, QString()});
        line.downSince = 0;
    }
    line.wasOpen = open;
}

void Recording::disconnected(const QString &source, int code, const QString &reason)
{
    const qint64 t = Clock::current().wallMs();
    m_store->appendEvent({HistoryEvent::Kind::State, t, t, source,
                          QStringLiteral("disconnected %1 %2").arg(code).arg(reason).trimmed()});
}

void Recording::gap(const QString &channel, qint64 fromSeq, qint64 toSeq, const QString &reason)
{
    const qint64 t = Clock::current().wallMs();
    m_store->appendEvent({HistoryEvent::Kind::Gap, t, t, channel,
                          QStringLiteral("seq %1..%2 %3").arg(fromSeq).arg(toSeq).arg(reason)});
}

bool Recording::healthy()
{
    if (m_failed.load())
        return false;
    if (!m_store->isWriting()) {
        fail(m_store->why().isEmpty() ? m_store->statusText() : m_store->why());
        return false;
    }
    return true;
}

void Recording::fail(const QString &why)
{
    QMutexLocker locker(&m_failureLock);
    if (m_failed.exchange(true))
        return;
    m_failure = why;
}

QString Recording::failure() const
{
    QMutexLocker locker(&m_failureLock);
    return m_failure;
}

void Recording::finish()
{
    if (m_finished.exchange(true))
        return;
    const qint64 now = Clock::current().wallMs();
    for (auto it = m_timelines.begin(); it != m_timelines.end(); ++it) {
        if (it->downSince > 0)
            m_store->appendEvent({HistoryEvent::Kind::Outage, it->downSince, now, it->source, QString()});
        it->downSince = 0;
        m_store->appendEvent({HistoryEvent::Kind::State, now, now, it->source, QStringLiteral("stopped")});
    }
    m_store->setRecordingInfo(QStringLiteral("stopped"), QString::number(now));
    m_store->setRecordingInfo(QStringLiteral("durationUs"), QString::number(elapsedUs()));
    m_store->setRecordingInfo(QStringLiteral("messages"), QString::number(recorded()));
    m_store->flush();
}

RecordingSink::RecordingSink(Recording *recording, const QString &source, const QString &prefix)
    : m_recording(recording), m_prefix(prefix), m_source(source)
{
}

void RecordingSink::setSource(const QString &source)
{
    QMutexLocker locker(&m_sourceLock);
    m_source = source;
}

void RecordingSink::deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data)
{
    int flags = 0;
    if (!m_retainedNext.isEmpty() && channel == m_retainedNext) {
        flags |= HistoryFrame::Retained;
        m_retainedNext.clear();
    }
    if (!m_backfillNext.isEmpty() && channel == m_backfillNext) {
        flags |= HistoryFrame::Backfill;
        m_backfillNext.clear();
    }
    QString source;
    {
        QMutexLocker locker(&m_sourceLock);
        source = m_source;
    }
    if (!m_recording->frame(source, m_prefix.isEmpty() ? channel : m_prefix + channel, seq, ts, data,
                            flags) &&
        m_refused)
        m_refused();
}

} // namespace Pulseboard
