#include "LineReader.h"

#include <QSocketNotifier>

#include <cerrno>
#include <unistd.h>
#include <utility>

namespace Pulseboard {

LineReader::LineReader(qsizetype maxLineBytes, QObject *parent)
    : QObject(parent), m_maxLineBytes(qMax<qsizetype>(1, maxLineBytes))
{
}

LineReader::~LineReader() = default;

void LineReader::readFrom(int fd)
{
    m_fd = fd;
    delete m_notifier;
    m_notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LineReader::readAvailable);
}

void LineReader::readAvailable()
{
    char buffer[65536];
    const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return; // woken for nothing: the notifier calls again
    if (n <= 0) {
        m_notifier->setEnabled(false);
        endInput();
        return;
    }
    feed(QByteArrayView(buffer, n));
}

void LineReader::deliver(QByteArrayView line)
{
    ++m_lineCount;
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.size() > m_maxLineBytes) {
        Q_EMIT lineTooLong(m_lineCount, m_maxLineBytes);
        return;
    }
    Q_EMIT lineRead(line.toByteArray());
}

void LineReader::feed(QByteArrayView bytes)
{
    while (!bytes.isEmpty() && !m_stopped && !m_ended) {
        const qsizetype newline = bytes.indexOf('\n');
        const QByteArrayView part = newline < 0 ? bytes : bytes.first(newline);
        bytes = newline < 0 ? QByteArrayView() : bytes.sliced(newline + 1);
        if (m_skipping) {
            // The over-long line was reported when it crossed the limit; its end starts the next one.
            if (newline >= 0)
                m_skipping = false;
            continue;
        }
        if (newline >= 0) {
            if (m_pending.isEmpty()) {
                deliver(part); // checks the length before it copies anything
            } else if (m_pending.size() + part.size() > m_maxLineBytes + 1) {
                m_pending.clear(); // over even with a '\r' to drop: no need to join it first
                ++m_lineCount;
                Q_EMIT lineTooLong(m_lineCount, m_maxLineBytes);
            } else {
                m_pending.append(part.data(), part.size());
                deliver(std::exchange(m_pending, QByteArray()));
            }
            continue;
        }
        // An unterminated start of a line: keep it while it can still be a line within the limit
        // (one byte more may be the '\r' of a CRLF).
        m_pending.append(part.data(), part.size());
        if (m_pending.size() > m_maxLineBytes + 1 ||
            (m_pending.size() == m_maxLineBytes + 1 && !m_pending.endsWith('\r'))) {
            m_pending.clear();
            m_skipping = true;
            ++m_lineCount;
            Q_EMIT lineTooLong(m_lineCount, m_maxLineBytes);
        }
    }
}

void LineReader::endInput()
{
    if (m_ended)
        return;
    m_ended = true;
    if (m_notifier)
        m_notifier->setEnabled(false);
    if (!m_stopped && !m_skipping && !m_pending.isEmpty())
        deliver(std::exchange(m_pending, QByteArray()));
    m_pending.clear();
    m_skipping = false;
    if (!m_stopped)
        Q_EMIT inputEnded();
}

void LineReader::stop()
{
    m_stopped = true;
    m_pending.clear();
    if (m_notifier)
        m_notifier->setEnabled(false);
}

} // namespace Pulseboard
