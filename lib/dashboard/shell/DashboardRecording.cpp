#include "DashboardRecording.h"

#include "dashboard/connection/ConnectionMirror.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

namespace Pulseboard {

DashboardRecording::DashboardRecording(const QString &folder, const QString &tool, QObject *parent)
    : QObject(parent), m_folder(folder), m_tool(tool)
{
    m_progress.setInterval(500);
    connect(&m_progress, &QTimer::timeout, this, &DashboardRecording::check);
}

DashboardRecording::~DashboardRecording()
{
    stop();
}

QString DashboardRecording::nextFileName() const
{
    const QString stem = QStringLiteral("pulseboard-%1")
                             .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    QString name = m_folder + u'/' + stem + QStringLiteral(".sqlite");
    for (int n = 2; QFileInfo::exists(name); ++n)
        name = m_folder + u'/' + stem + QStringLiteral("-%1.sqlite").arg(n);
    return name;
}

bool DashboardRecording::start(const QString &file)
{
    if (m_recording)
        return true;
    if (file.isEmpty() && m_folder.isEmpty()) {
        setError(QStringLiteral("no folder for recordings (give --record-dir)"));
        return false;
    }
    const QString path = QFileInfo(file.isEmpty() ? nextFileName() : file).absoluteFilePath();
    if (QFileInfo::exists(path)) {
        setError(QStringLiteral("%1 exists: a recording never replaces a file").arg(path));
        return false;
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        setError(QStringLiteral("cannot make the folder %1").arg(QFileInfo(path).absolutePath()));
        return false;
    }
    auto store = std::make_unique<HistoryStore>(HistoryOptions::forRecording(path));
    if (!store->open() || store->status() != HistoryStore::Status::Ok) {
        setError(QStringLiteral("cannot record to %1: %2")
                     .arg(path, store->why().isEmpty() ? store->statusText() : store->why()));
        return false;
    }
    m_store = std::move(store);
    m_recording = std::make_unique<Recording>(m_store.get());
    m_recording->start(m_tool);
    QStringList names;
    for (const Connection &c : std::as_const(m_connections)) {
        if (!c.mirror)
            continue;
        names.append(c.key);
        // The first source's settings under the keys the CLI writes; another's under "NAME.".
        const QString infoPrefix = c.key.isEmpty() ? QString() : c.key + u'.';
        QStringList channels;
        for (const QString &channel : c.mirror->subscriptions())
            channels.append(c.prefix + channel);
        m_recording->describeSource(infoPrefix, c.mirror->options(), channels);

        Tap tap;
        tap.mirror = c.mirror;
        tap.key = c.key;
        tap.prefix = c.prefix;
        tap.sink = std::make_unique<RecordingSink>(m_recording.get(), Recording::publicUrl(c.mirror->url()),
                                                   c.prefix);
        ConnectionMirror *mirror = c.mirror;
        Recording *recording = m_recording.get();
        RecordingSink *sink = tap.sink.get();
        const QString key = c.key;
        const QString prefix = c.prefix;
        tap.links.append(connect(mirror, &ConnectionMirror::stateChanged, this,
                                 [recording, mirror, key](ConnectionManager::State state) {
                                     recording->state(key, Recording::publicUrl(mirror->url()), state);
                                 }));
        tap.links.append(connect(mirror, &ConnectionMirror::urlChanged, this,
                                 [sink, mirror] { sink->setSource(Recording::publicUrl(mirror->url())); }));
        tap.links.append(connect(mirror, &ConnectionMirror::disconnected, this,
                                 [recording, mirror](int code, const QString &reason) {
                                     recording->disconnected(Recording::publicUrl(mirror->url()), code,
                                                             reason);
                                 }));
        tap.links.append(connect(
            mirror, &ConnectionMirror::gapDetected, this,
            [recording, prefix](const QString &channel, qint64 fromSeq, qint64 toSeq, const QString &reason) {
                recording->gap(prefix + channel, fromSeq, toSeq, reason);
            }));
        tap.links.append(connect(mirror, &ConnectionMirror::subscriptionsChanged, this,
                                 [recording, mirror, infoPrefix, prefix] {
                                     QStringList now;
                                     for (const QString &channel : mirror->subscriptions())
                                         now.append(prefix + channel);
                                     recording->setChannels(infoPrefix, now);
                                 }));
        // The state it is in as the recording starts: the timeline begins with it.
        recording->state(key, Recording::publicUrl(mirror->url()), mirror->state());
        mirror->addMessageSink(sink);
        m_taps.push_back(std::move(tap));
    }
    m_recording->setInfo(QStringLiteral("sources"), names.size() > 1 ? names.mid(1).join(u',') : QString());
    m_path = path;
    m_bytes = 0;
    m_progress.start();
    setError(QString());
    Q_EMIT activeChanged();
    Q_EMIT progressChanged();
    return true;
}

void DashboardRecording::check()
{
    if (!m_recording)
        return;
    m_bytes = double(QFileInfo(m_path).size() + QFileInfo(m_path + QStringLiteral("-wal")).size());
    if (!m_recording->healthy()) {
        end(m_recording->failure());
        return;
    }
    Q_EMIT progressChanged();
}

void DashboardRecording::stop()
{
    end(QString());
}

void DashboardRecording::end(const QString &why)
{
    if (!m_recording)
        return;
    m_progress.stop();
    // Each sink comes off on its connection's thread: once removeMessageSink returns, no message
    // is being handed to the recording any more.
    for (Tap &tap : m_taps) {
        for (const QMetaObject::Connection &link : std::as_const(tap.links))
            disconnect(link);
        if (tap.mirror)
            tap.mirror->removeMessageSink(tap.sink.get());
    }
    m_taps.clear();
    m_recording->finish();
    m_lastMessages = m_recording->recorded();
    m_lastElapsedMs = double(m_recording->elapsedUs() / 1000);
    const quint64 lost = m_store->lostFrames();
    m_recording.reset();
    m_store->close();
    m_bytes = double(QFileInfo(m_path).size());
    m_store.reset();
    QString error = why;
    if (error.isEmpty() && lost > 0)
        error = QStringLiteral("%1 messages could not be written").arg(lost);
    setError(error);
    Q_EMIT activeChanged();
    Q_EMIT progressChanged();
    Q_EMIT finished(m_path, double(m_lastMessages), error);
}

void DashboardRecording::toggle()
{
    if (m_recording)
        stop();
    else
        start();
}

void DashboardRecording::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

QVariantMap DashboardRecording::snapshot() const
{
    return {{QStringLiteral("active"), active()},
            {QStringLiteral("path"), m_path},
            {QStringLiteral("messages"), messages()},
            {QStringLiteral("elapsedMs"), elapsedMs()},
            {QStringLiteral("error"), m_error}};
}

} // namespace Pulseboard
