// LineReader: lines of text from a byte stream (stdin, a pipe), each at most maxLineBytes long.
// The CLI's command input (JsonLinesSession) and the dashboard's --control input (Automation)
// read through it, so both bound memory the same way and say so the same way.
//  - A line ends at '\n'; a '\r' before it is dropped (CRLF input), the line is handed over
//    without its ending. Empty lines are handed over too (the caller decides what they mean).
//  - A line longer than maxLineBytes (not counting its ending) is never buffered whole: once it
//    is over the limit, lineTooLong() says so, the rest of it is skipped up to its newline, and
//    reading goes on with the next line. Lines before and after it are not affected.
//  - At the end of input, a last line without a newline is handed over, then inputEnded().
// feed() and endInput() are the whole algorithm (tests drive them directly); readFrom() feeds
// them from a file descriptor whenever it is readable, on the event loop.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QObject>

class QSocketNotifier;

namespace Pulseboard {

class LineReader : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype kDefaultMaxLineBytes = 16 * 1024 * 1024;

    explicit LineReader(qsizetype maxLineBytes = kDefaultMaxLineBytes, QObject *parent = nullptr);
    ~LineReader() override;

    qsizetype maxLineBytes() const { return m_maxLineBytes; }
    // Lines seen so far, over-long ones included: the number of the next line is this plus one.
    qint64 lineCount() const { return m_lineCount; }

    // Reads `fd` (not owned, not closed) whenever it has data, until end of input or stop().
    void readFrom(int fd);
    // The bytes that arrived; emits lineRead() for every line they complete.
    void feed(QByteArrayView bytes);
    // No more bytes will come: hands over a last unterminated line, then emits inputEnded().
    void endInput();
    // Hands over nothing more (a caller that is finishing); stops reading its descriptor.
    void stop();
    bool isStopped() const { return m_stopped; }

Q_SIGNALS:
    void lineRead(const QByteArray &line);
    // Line `lineNumber` (from 1) is longer than maxLineBytes; it is skipped.
    void lineTooLong(qint64 lineNumber, qsizetype maxLineBytes);
    void inputEnded();

private:
    void readAvailable();
    void deliver(QByteArrayView line);

    qsizetype m_maxLineBytes;
    QByteArray m_pending;    // the current line so far, while it fits (maxLineBytes, + 1 for a '\r')
    bool m_skipping = false; // the current line is over the limit: drop bytes up to its newline
    bool m_stopped = false;
    bool m_ended = false;
    qint64 m_lineCount = 0;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Pulseboard
