// The headless client of pulseboard-cli: commands in, one per line, from a file descriptor;
// events out as JSON Lines. Wraps a ConnectionManager and owns nothing of the protocol itself.
// Messages come through the manager's MessageSink path: each `message` line is written straight
// from the decoded frame (no QJsonValue, no QJsonDocument), byte for byte what the QJsonValue
// path wrote. Lines are buffered and written once per pass of the event loop (or at 64 KiB);
// every other event, finish() and the destructor write out what is held at once. A write that
// fails (the reader of stdout went away) ends the session.
//
// The exit status says how the session went: the first that applies of GaveUp (the connection
// failed for good), Refused (a publish or request was refused or failed: by the server, e.g.
// 403, or by the client, e.g. a full queue or a reply that never came) and RejectedInput (an
// input line was not a valid command); else Ok. Usage errors (2) are the program's, before
// any session; AlertRaised (6) is the program's too, which asks finish() for it (--exit-on-alert).
#pragma once

#include "ConnectionManager.h"
#include "LineReader.h"
#include "MessageSink.h"

#include <QElapsedTimer>
#include <QIODevice>
#include <QObject>

namespace Pulseboard {

class JsonLinesSession : public QObject, private MessageSink
{
    Q_OBJECT
public:
    enum ExitCode { Ok = 0, Usage = 2, GaveUp = 3, Refused = 4, RejectedInput = 5, AlertRaised = 6 };

    // Held lines are written once they reach this many bytes, even within one pass.
    static constexpr qsizetype kFlushBytes = 64 * 1024;

    struct Settings
    {
        bool quiet = false;     // no message events
        qint64 maxMessages = 0; // 0: no limit; exit after this many message events
        int durationMs = 0;     // 0: no limit
        bool watch = false;     // keep running when stdin ends (alert rules watch the connection)
    };

    // `manager` must outlive the session (it is one of its message sinks).
    JsonLinesSession(ConnectionManager *manager, QIODevice *out, const Settings &settings,
                     QObject *parent = nullptr);
    ~JsonLinesSession() override;

    // Appends one `message` event line (with its newline): what QJsonDocument writes for
    // {"event":"message","channel":..,"seq":double(seq),"ts":double(ts),"data":data.toJsonValue()}
    // in its Compact form, written without building any of it. `channelJson`: the channel as
    // a JSON string (quotes included), see appendJsonString().
    // `retained`: the broker's stored last value (MQTT retain), said as `"retained":true`.
    static void appendMessageLine(QByteArray &out, QByteArrayView channelJson, qint64 seq, qint64 ts,
                                  const JsonView &data, bool retained = false, bool backfill = false);

    // Reads commands from `fd` (stdin), one per line of at most 16 MiB (a longer one is reported
    // and skipped); EOF means no more commands, not quit.
    void readCommandsFrom(int fd);
    void start();
    // Handles one command line; public so tests can drive it without a pipe.
    void handleLine(QByteArrayView line);
    // Prints stats and asks to finish with `exitCode`, or with Refused / RejectedInput when
    // `exitCode` is Ok and something was refused or rejected on the way.
    void finish(int exitCode);
    // Writes one event line of the program's own (an `alert`) at once, after the message lines
    // held; nothing once the session finished (the stats line is the last one).
    void writeEvent(const QJsonObject &event);
    qint64 refusedCount() const { return m_refused; }
    qint64 rejectedLines() const { return m_rejectedLines; }

Q_SIGNALS:
    void finished(int exitCode);

private:
    // MessageSink
    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override;
    QByteArrayView channelJson(const QString &channel);
    void emitEvent(const QJsonObject &event);
    // Writes out the held lines.
    void flushOutput();
    void maybeFinishAfterInput();

    ConnectionManager *m_manager;
    QIODevice *m_out;
    Settings m_settings;
    LineReader *m_input = nullptr;
    bool m_inputClosed = false;
    bool m_toldProtocol = false; // the first state event carries protocol and capabilities
    bool m_finished = false;
    qint64 m_messages = 0;
    qint64 m_refused = 0;       // publishes and requests refused or failed
    qint64 m_rejectedLines = 0; // input lines that were not a valid command
    QElapsedTimer m_clock;
    QByteArray m_pending;                     // lines not yet written
    bool m_flushQueued = false;               // a flush is posted for the end of this pass
    bool m_outputClosed = false;              // a write failed: nothing more is written
    QHash<QString, QByteArray> m_channelJson; // subscribed channel -> its JSON string
    QString m_lastChannel;                    // the last one looked up, and its entry
    QByteArray m_lastChannelJson;
    QString m_retainedNext; // the channel whose next delivery is a retained last value
    QString m_backfillNext; // the channel whose next delivery is of its backfill (`history`)
};

} // namespace Pulseboard
