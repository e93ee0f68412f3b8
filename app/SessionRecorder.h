// SessionRecorder: pulseboard-cli --record. A message sink of the CLI's ConnectionManager that
// hands every delivered message (channel, seq, ts, data as the CLI prints it, arrival time on the
// wall and on a monotonic clock) to a HistoryStore as a frame, and the connection's timeline
// (states, outages, gaps) as events, the way the dashboard records its history. The store's
// writer thread commits them in batches: nothing here waits on the disk. A frame the store
// refuses (disk full, file unwritable, queue full) ends the recording with `failed`: never a
// message left out silently.
#pragma once

#include "client/ConnectionManager.h"
#include "client/MessageSink.h"
#include "history/HistoryStore.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace Pulseboard {

class SessionRecorder : public QObject, private MessageSink
{
    Q_OBJECT
public:
    // `manager` and `store` (open for writing) must outlive the recorder.
    SessionRecorder(ConnectionManager *manager, HistoryStore *store, QObject *parent = nullptr);
    ~SessionRecorder() override;

    // Writes what is recorded from where (the `recording` table) and starts taking messages.
    void start(const ConnectionOptions &options, const QString &tool);
    // Closes an outage still open, writes the "stopped" state and time, and flushes the store.
    void stop();
    qint64 recorded() const { return m_recorded; }
    // A URL as a recording keeps it: without user, password, query (tokens) or fragment.
    static QString publicUrl(const QUrl &url);

Q_SIGNALS:
    // The recording cannot go on (the store stopped writing, or refused a frame): `why` for a person.
    void failed(const QString &why);

private:
    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override;
    void retained(const QString &channel) override { m_retainedNext = channel; }
    void backfill(const QString &channel) override { m_backfillNext = channel; }
    void checkStore();
    void fail(const QString &why);

    ConnectionManager *m_manager;
    HistoryStore *m_store;
    QElapsedTimer m_clock; // the recording's monotonic clock: offsets in µs since start()
    QTimer m_watch;        // notices a store that stopped writing while no message arrives
    QString m_source;      // publicUrl of the manager's current URL
    QString m_retainedNext, m_backfillNext;
    qint64 m_recorded = 0;
    qint64 m_downSince = 0;
    bool m_wasOpen = false;
    bool m_started = false;
    bool m_failed = false;
    bool m_stopped = false;
};

} // namespace Pulseboard
