// DashboardRecording: the dashboard's Record button. While it records, every message of every
// source (the first and each DashboardSource) goes into one recording file, the same kind
// `pulseboard-cli --record` writes (a HistoryStore with `frames` and `recording`): each frame with
// its arrival time against one clock, its channel as the dashboard names it ("plant/temp" for a
// source after the first), the connection timeline of every source, and the sources' settings
// without tokens. `pulseboard-hub --replay FILE` and `pulseboard-cli --replay FILE` play it.
// Messages are handed over on each source's network thread (a RecordingSink beside the
// dashboard's own) and written by the store's writer thread: nothing per message touches the GUI
// thread. A recording that cannot go on (disk full, queue full, file unwritable) stops with the
// reason in `error`; what was committed stays a readable recording.
#pragma once

#include "recording/Recording.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace Pulseboard {

class ConnectionMirror;

class DashboardRecording : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("DashboardRecording is owned by the dashboard")
    Q_PROPERTY(bool active READ active NOTIFY activeChanged)
    // The file being recorded, or the last one recorded (empty: none yet).
    Q_PROPERTY(QString path READ path NOTIFY activeChanged)
    Q_PROPERTY(double messages READ messages NOTIFY progressChanged)
    Q_PROPERTY(double elapsedMs READ elapsedMs NOTIFY progressChanged)
    Q_PROPERTY(double bytes READ bytes NOTIFY progressChanged)
    // Why the last recording stopped on its own, or could not start; empty: it did not.
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    // Where a recording goes when no file is named.
    Q_PROPERTY(QString folder READ folder CONSTANT)

public:
    // One connection of the dashboard: `key` names it in the recording ("" for the first,
    // else the source's name), `prefix` goes before its channels ("plant/").
    struct Connection
    {
        QString key;
        QString prefix;
        ConnectionMirror *mirror = nullptr;
    };

    DashboardRecording(const QString &folder, const QString &tool, QObject *parent = nullptr);
    ~DashboardRecording() override;

    void setConnections(const QList<Connection> &connections) { m_connections = connections; }

    bool active() const { return bool(m_recording); }
    QString path() const { return m_path; }
    double messages() const { return m_recording ? double(m_recording->recorded()) : double(m_lastMessages); }
    double elapsedMs() const
    {
        return m_recording ? double(m_recording->elapsedUs() / 1000) : m_lastElapsedMs;
    }
    double bytes() const { return m_bytes; }
    QString error() const { return m_error; }
    QString folder() const { return m_folder; }

    // Starts recording into `file` (empty: a new file in folder() named by the time); a file that
    // exists is never replaced. False with error() set when it cannot start.
    Q_INVOKABLE bool start(const QString &file = QString());
    // Stops and closes the file: every message taken until now is in it.
    Q_INVOKABLE void stop();
    Q_INVOKABLE void toggle();
    // What --control snapshot says of it: active, path, messages, elapsedMs, error.
    QVariantMap snapshot() const;
    // The name a new recording gets in folder(): pulseboard-YYYYMMDD-HHMMSS.sqlite (then -2, -3 ...).
    QString nextFileName() const;

Q_SIGNALS:
    void activeChanged();
    void progressChanged();
    void errorChanged();
    // A recording ended (stopped, or failed: then `error` is not empty): for a toast.
    void finished(const QString &path, double messages, const QString &error);

private:
    void check();
    void end(const QString &why);
    void setError(const QString &error);

    QString m_folder;
    QString m_tool;
    QList<Connection> m_connections;
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<Recording> m_recording;
    struct Tap
    {
        QPointer<ConnectionMirror> mirror;
        std::unique_ptr<RecordingSink> sink;
        QString key;
        QString prefix;
        QList<QMetaObject::Connection> links;
    };
    std::vector<Tap> m_taps;
    QTimer m_progress;
    QString m_path;
    QString m_error;
    quint64 m_lastMessages = 0;
    double m_lastElapsedMs = 0;
    double m_bytes = 0;
};

} // namespace Pulseboard
