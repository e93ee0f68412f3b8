// ReconnectPolicy: what follows a connection that ended without the user asking for it: try
// again (after which delay, on which endpoint) or give up, and why. It remembers what spans
// sessions: the attempt count, the current endpoint and whether it ever worked, closed by the
// user, failed on the token. Pure: no timers, no sockets; ConnectionManager applies its decisions.
// The close codes are read as PROTOCOL.md's table says (CloseCode.h).
#pragma once

#include "ConnectionOptions.h"

#include <QRandomGenerator>
#include <QString>

namespace Pulseboard {

class ReconnectPolicy
{
public:
    struct Decision
    {
        bool retry = false; // false: give up with `failure`
        int delayMs = 0;
        bool endpointChanged = false;
        QString failure;
    };

    explicit ReconnectPolicy(const ConnectionOptions &options) : m_options(options) {}

    // open() or retry(): from the first attempt again, on the current endpoint.
    void restart();
    // The session opened: the next loss starts counting from zero on this endpoint.
    void opened();
    void closedByUser() { m_userClosed = true; }
    bool isClosedByUser() const { return m_userClosed; }
    void failedOnAuth() { m_failedOnAuth = true; }
    bool hasFailedOnAuth() const { return m_failedOnAuth; }
    // Another server list: back to its first endpoint.
    void resetEndpoints();
    // The list changed: keep the index inside it.
    void clampEndpoint();

    // A connection ended with `closeCode`: the next step, counted as an attempt when it retries.
    Decision connectionEnded(int closeCode, const QString &reason, QRandomGenerator &rng);

    int attempt() const { return m_attempt; }
    int endpointIndex() const { return m_endpointIndex; }

private:
    const ConnectionOptions &m_options;
    int m_attempt = 0;
    int m_endpointIndex = 0;
    bool m_everOpenOnThisEndpoint = false;
    bool m_userClosed = false;
    bool m_failedOnAuth = false;
};

} // namespace Pulseboard
