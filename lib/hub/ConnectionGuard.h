// ConnectionGuard: who a hub lets in, by where connections come from. It counts the clients
// connected from each address against --max-connections and --max-connections-per-address, and
// the failed `auth`s from each address within --auth-failure-window-ms against
// --max-auth-failures (a throttled address is refused until its failures age out of the window).
// Pure bookkeeping: the hub asks and applies the answer (close 4503 or 4008); time is passed in
// (Clock::current().monotonicMs()), so a wall-clock step neither opens nor extends a throttle,
// and tests drive the window with a ManualClock.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

namespace Pulseboard {

struct HubOptions;

class ConnectionGuard
{
public:
    enum class Verdict {
        Admit,
        TooManyConnections, // --max-connections reached: close 4503
        TooManyFromAddress, // --max-connections-per-address reached: close 4503
        TooManyFailedAuths, // the address is throttled: close 4008
    };

    explicit ConnectionGuard(const HubOptions &options) : m_options(options) {}

    // The key addresses are counted by: an IPv4-mapped IPv6 address as its IPv4 address, any
    // other IPv6 address as its /64 (what one host or site is usually given), IPv4 as itself.
    static QString addressKey(const QHostAddress &address);

    // A connection from `key` wants in; Admit means it was counted (release() it when it goes).
    Verdict admit(const QString &key, qint64 nowMs);
    void release(const QString &key);
    int connections() const { return m_total; }
    int connectionsFrom(const QString &key) const { return m_perAddress.value(key); }

    void authFailed(const QString &key, qint64 nowMs);
    bool isThrottled(const QString &key, qint64 nowMs);
    // Forgets failures older than the window (the hub calls it once a second): memory is
    // bounded by the addresses that failed recently, each holding at most --max-auth-failures.
    void prune(qint64 nowMs);
    int throttleEntries() const { return int(m_failures.size()); }

private:
    void expire(QList<qint64> &failures, qint64 nowMs) const;

    const HubOptions &m_options;
    int m_total = 0;
    QHash<QString, int> m_perAddress;
    QHash<QString, QList<qint64>> m_failures; // monotonic ms of each recent failure, oldest first
};

} // namespace Pulseboard
