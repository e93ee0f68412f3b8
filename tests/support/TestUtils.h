// Small helpers shared by the tests: JSON shorthands and reading JSON Lines.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QTest>
#include <QUrl>

namespace Pulseboard {
struct ConnectionOptions;
}

namespace TestUtils {

// Memory figures in tests allow for AddressSanitizer's shadow memory and quarantine.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// How late a timer, a reply or a reconnect may come on a loaded machine (the other core at
// 100 %, a build next door) without anything being wrong: the margin on every wall-clock upper
// bound in the tests. AddressSanitizer + UBSan make each turn of the event loop 2-3x slower, so
// the margin doubles there. Bounds that need more than this should assert an order instead.
constexpr int kSchedulingSlackMs = kAddressSanitizer ? 1000 : 500;

// A field of /proc/self/status in KiB (e.g. "VmRSS", "VmHWM"), -1 when unreadable.
qint64 statusKiB(const char *field);
// Resets the peak resident size (VmHWM) so a test can measure its own peak.
bool resetPeakRss();

QJsonObject parseObject(const QByteArray &json);
// Splits JSON Lines output into objects; lines that are not objects fail the calling test.
QList<QJsonObject> parseJsonLines(const QByteArray &text);
QList<QJsonObject> eventsOf(const QList<QJsonObject> &events, const QString &name);

// The URL a started pulseboard-hub process says it listens on ("listening on ws://..." first on its
// stdout), waiting up to 10 s; empty when it does not start or says something else first.
QUrl readListeningUrl(QProcess &process);
// A ws:// URL on a loopback port that was free a moment ago: nothing listens there.
QUrl deadUrl();
// pulseboard-cli's heartbeat, backoff and connect timings at test speed. The heartbeat deadline
// leaves room for two busy processes (no test measures it, and a spurious drop would resend
// publishes that tests count on the wire).
QStringList fastCliFlags();
// A ConnectionManager's timings at test speed: heartbeat every 200 ms (a 2 s deadline), connect
// timeout 2 s, backoff 10-50 ms, retries without end. No endpoints.
Pulseboard::ConnectionOptions fastConnectionOptions();

// Reads JSON lines from a process's stdout as they come. It waits with the event loop running,
// so a server in the test's own process keeps serving the process meanwhile.
class LineReader
{
public:
    explicit LineReader(QProcess *p) : m_process(p) {}
    // Waits until a line satisfies `match`; returns it (empty object on timeout).
    template <typename Match> QJsonObject waitFor(Match match, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            while (m_process->canReadLine()) {
                const QByteArray line = m_process->readLine().trimmed();
                if (!line.startsWith('{'))
                    continue;
                const QJsonObject o = parseObject(line);
                m_seen.append(o);
                if (match(o))
                    return o;
            }
            if (m_process->state() == QProcess::NotRunning) {
                m_process->waitForReadyRead(0);
                if (!m_process->canReadLine())
                    break;
                continue;
            }
            QTest::qWait(5);
        }
        return QJsonObject();
    }
    const QList<QJsonObject> &seen() const { return m_seen; }

private:
    QProcess *m_process;
    QList<QJsonObject> m_seen;
};

} // namespace TestUtils
