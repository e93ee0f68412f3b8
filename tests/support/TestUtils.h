// Small helpers shared by the tests: JSON shorthands and reading JSON Lines.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QUrl>

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

// A ws:// URL on a loopback port that was free a moment ago: nothing listens there.
QUrl deadUrl();
// pulseboard-cli's heartbeat, backoff and connect timings at test speed. The heartbeat deadline
// leaves room for two busy processes (no test measures it, and a spurious drop would resend
// publishes that tests count on the wire).
QStringList fastCliFlags();

} // namespace TestUtils
