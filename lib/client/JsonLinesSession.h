// The headless client of pulseboard-cli: commands in, one per line, from a file descriptor;
// events out as JSON Lines. Wraps a ConnectionManager and owns nothing of the protocol itself.
#pragma once

#include "ConnectionManager.h"

#include <QElapsedTimer>
#include <QIODevice>
#include <QObject>

class QSocketNotifier;

namespace Pulseboard {

class JsonLinesSession : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        bool quiet = false;       // no message events
        qint64 maxMessages = 0;   // 0: no limit; exit after this many message events
        int durationMs = 0;       // 0: no limit
    };

    JsonLinesSession(ConnectionManager *manager, QIODevice *out, const Settings &settings,
                     QObject *parent = nullptr);

    // Reads commands from `fd` (stdin); EOF means no more commands, not quit.
    void readCommandsFrom(int fd);
    void start();
    // Handles one command line; public so tests can drive it without a pipe.
    void handleLine(QByteArrayView line);
    // Prints stats and asks to finish with `code`.
    void finish(int exitCode);

Q_SIGNALS:
    void finished(int exitCode);

private:
    void emitEvent(const QJsonObject &event);
    void readInput();
    void maybeFinishAfterInput();

    ConnectionManager *m_manager;
    QIODevice *m_out;
    Settings m_settings;
    QSocketNotifier *m_notifier = nullptr;
    int m_fd = -1;
    QByteArray m_pending;
    bool m_inputClosed = false;
    bool m_finished = false;
    qint64 m_messages = 0;
    QElapsedTimer m_clock;
};

} // namespace Pulseboard
