// Recording: one session being written to a recording file (a HistoryStore opened for writing,
// whose `frames` and `recording` tables a replay reads). What pulseboard-cli --record and the
// dashboard's Record button share: the recording table (format, tool, each source's settings
// without tokens, start and stop), every received message as a frame against one monotonic clock,
// and the connection timeline (states, close codes, outages, gaps) per source. Frames may come
// from any thread (each source's network thread); the timeline and the table are written from one
// thread at a time. The store's writer thread commits everything in batches: nothing here waits on
// the disk. A frame the store refuses marks the recording failed, with the words why: never a
// message left out silently.
//
// RecordingSink is the MessageSink that hands one connection's messages to a Recording, with the
// flags of retained and backfilled messages and, for a dashboard source after the first, its
// channels named as the dashboard names them ("plant/temp").
#pragma once

#include "client/ConnectionManager.h"
#include "client/MessageSink.h"
#include "history/HistoryStore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QString>

#include <atomic>
#include <functional>

namespace Pulseboard {

class Recording
{
public:
    static inline const QString kFormat = QStringLiteral("pulseboard-recording/1");

    // `store` (open for writing) must outlive the recording.
    explicit Recording(HistoryStore *store);

    // Writes the format, the tool and the start time, and starts the recording's clock.
    void start(const QString &tool);
    // A source's settings in the recording table: url, urls, dialect, channels, settings (no token,
    // no token source, no protocol config, which may carry credentials), each key after `prefix`
    // ("" for a session's only or first source).
    void describeSource(const QString &prefix, const ConnectionOptions &options, const QStringList &channels);
    void setChannels(const QString &prefix, const QStringList &channels);
    void setInfo(const QString &key, const QString &value) { m_store->setRecordingInfo(key, value); }

    // Any thread: one received message. False when the store did not take it; the recording has
    // then failed (failure() says why) and takes no more.
    bool frame(const QString &source, const QString &channel, qint64 seq, qint64 ts, const JsonView &data,
               int flags);
    // The timeline of one connection (one thread), `key` naming it for the session ("" for the
    // first; a server switch or failover keeps the key), `source` the server it is at now: its
    // states (the time from leaving Open to Open again is an outage; Closed, a close the session
    // asked for, is none), a close code, a gap.
    void state(const QString &key, const QString &source, ConnectionManager::State state);
    void disconnected(const QString &source, int code, const QString &reason);
    void gap(const QString &channel, qint64 fromSeq, qint64 toSeq, const QString &reason);

    // Whether the store still writes; false after a refused frame or once the store stopped
    // (full, failed): failure() then says why, for a person.
    bool healthy();
    QString failure() const;
    quint64 recorded() const { return m_recorded.load(std::memory_order_relaxed); }
    qint64 elapsedUs() const { return m_clock.isValid() ? m_clock.nsecsElapsed() / 1000 : 0; }
    HistoryStore *store() const { return m_store; }

    // Closes every outage still open, writes the "stopped" state, the stop time, the duration and
    // the number of messages, and flushes the store. No frame is taken after it.
    void finish();

    // A URL as a recording keeps it: without user, password, query (tokens) or fragment.
    static QString publicUrl(const QUrl &url);

private:
    void fail(const QString &why);

    struct Timeline
    {
        QString source;
        bool wasOpen = false;
        qint64 downSince = 0;
    };
    HistoryStore *m_store;
    QElapsedTimer m_clock;
    QHash<QString, Timeline> m_timelines; // the timeline thread only
    std::atomic<quint64> m_recorded{0};
    std::atomic<bool> m_failed{false};
    std::atomic<bool> m_finished{false};
    mutable QMutex m_failureLock;
    QString m_failure;
};

class RecordingSink : public MessageSink
{
public:
    // `prefix` is put before every channel name ("plant/"; empty: the names as on the wire).
    RecordingSink(Recording *recording, const QString &source, const QString &prefix = QString());

    // The server the messages are recorded as coming from (after a switch of server).
    void setSource(const QString &source);
    // Called (where deliver() runs) for a message the recording did not take. Set before use.
    void setRefused(std::function<void()> refused) { m_refused = std::move(refused); }

    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override;
    void retained(const QString &channel) override { m_retainedNext = channel; }
    void backfill(const QString &channel) override { m_backfillNext = channel; }

private:
    Recording *m_recording;
    QString m_prefix;
    QMutex m_sourceLock;
    QString m_source;
    QString m_retainedNext, m_backfillNext; // where deliver() runs
    std::function<void()> m_refused;
};

} // namespace Pulseboard
