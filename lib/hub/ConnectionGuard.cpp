#include "ConnectionGuard.h"

#include "HubOptions.h"

#include <cstring>

namespace Pulseboard {

QString ConnectionGuard::addressKey(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).toString();
    if (address.protocol() == QAbstractSocket::IPv6Protocol && !address.isLoopback()) {
        Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memset(&bytes[8], 0, 8);
        return QHostAddress(bytes).toString() + QLatin1StringView("/64");
    }
    return address.toString();
}

ConnectionGuard::Verdict ConnectionGuard::admit(const QString &key, qint64 nowMs)
{
    if (isThrottled(key, nowMs))
        return Verdict::TooManyFailedAuths;
    if (m_options.maxConnections > 0 && m_total >= m_options.maxConnections)
        return Verdict::TooManyConnections;
    int &mine = m_perAddress[key];
    if (m_options.maxConnectionsPerAddress > 0 && mine >= m_options.maxConnectionsPerAddress)
        return Verdict::TooManyFromAddress; // mine > 0 here: no empty entry is left behind
    ++mine;
    ++m_total;
    return Verdict::Admit;
}

void ConnectionGuard::release(const QString &key)
{
    auto it = m_perAddress.find(key);
    if (it == m_perAddress.end())
        return;
    --m_total;
    if (--it.value() <= 0)
        m_perAddress.erase(it);
}

void ConnectionGuard::expire(QList<qint64> &failures, qint64 nowMs) const
{
    const qint64 window = m_options.authFailureWindowMs;
    qsizetype old = 0;
    while (old < failures.size() && nowMs - failures.at(old) >= window)
        ++old;
    failures.remove(0, old);
}

void ConnectionGuard::authFailed(const QString &key, qint64 nowMs)
{
    if (m_options.maxAuthFailures <= 0)
        return;
    QList<qint64> &failures = m_failures[key];
    expire(failures, nowMs);
    failures.append(nowMs);
    // Only the newest count: the throttle lifts once the oldest of those ages out.
    if (failures.size() > m_options.maxAuthFailures)
        failures.remove(0, failures.size() - m_options.maxAuthFailures);
}

bool ConnectionGuard::isThrottled(const QString &key, qint64 nowMs)
{
    if (m_options.maxAuthFailures <= 0)
        return false;
    auto it = m_failures.find(key);
    if (it == m_failures.end())
        return false;
    expire(it.value(), nowMs);
    if (it->isEmpty()) {
        m_failures.erase(it);
        return false;
    }
    return it->size() >= m_options.maxAuthFailures;
}

void ConnectionGuard::prune(qint64 nowMs)
{
    for (auto it = m_failures.begin(); it != m_failures.end();) {
        expire(it.value(), nowMs);
        if (it->isEmpty())
            it = m_failures.erase(it);
        else
            ++it;
    }
}

} // namespace Pulseboard
