// The headless client of pulseboard-cli: commands in, one per line, from a file descriptor;
// events out as JSON Lines. Wraps a ConnectionManager and owns nothing of the protocol itself.
#pragma once

#include "ConnectionManager.h"
#include "LineReader.h"

#include <QElapsedTimer>
#include <QIODevice>
#include <QObject>

namespace Pulseboard {

class JsonLinesSession : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        bool quiet = false;     // no message events
        qint64 maxMessages = 0; // 0: no limit; exit after this many message events
        int durationMs = 0;     // 0: no limit
    };

    JsonLinesSession(ConnectionManager *manager, QIODevice *out, const Settings &settings,
                     QObject *parent = nullptr);

    // Reads commands from `fd` (stdin), one per line of at most 16 MiB (a longer one is reported
    // and skipped); EOF means no more commands, not quit.
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
    void maybeFinishAfterInput();

    ConnectionManager *m_manager;
    QIODevice *m_out;
    Settings m_settings;
    LineReader *m_input = nullptr;
    bool m_inputClosed = false;
    bool m_toldProtocol = false; // the first state event carries protocol and capabilities
    bool m_finished = false;
    qint64 m_messages = 0;
    QElapsedTimer m_clock;
};

} // namespace Pulseboard
