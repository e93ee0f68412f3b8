// SessionRecorder: pulseboard-cli --record. Hands every message the CLI's ConnectionManager
// delivers (channel, seq, ts, data as the CLI prints it, arrival time on the wall and on a
// monotonic clock) to a Recording (through a RecordingSink), and the connection's timeline
// (states, outages, gaps) as events, the way the dashboard records its history. The store's
// writer thread commits them in batches: nothing here waits on the disk. A frame the store
// refuses (disk full, file unwritable, queue full) ends the recording with `failed`: never a
// message left out silently.
#pragma once

#include "Recording.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace Pulseboard {

class SessionRecorder : public QObject
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
    qint64 recorded() const { return qint64(m_recording.recorded()); }
    static QString publicUrl(const QUrl &url) { return Recording::publicUrl(url); }

Q_SIGNALS:
    // The recording cannot go on (the store stopped writing, or refused a frame): `why` for a person.
    void failed(const QString &why);

private:
    void checkStore();

    ConnectionManager *m_manager;
    Recording m_recording;
    std::unique_ptr<RecordingSink> m_sink;
    QTimer m_watch;   // notices a store that stopped writing while no message arrives
    QString m_source; // publicUrl of the manager's current URL
    bool m_started = false;
    bool m_failedTold = false;
};

} // namespace Pulseboard
