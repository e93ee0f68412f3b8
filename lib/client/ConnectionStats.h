// Counters of one ConnectionManager over its whole life (every session adds to them).
#pragma once

#include <QtGlobal>

namespace Pulseboard {

struct ConnectionStats
{
    quint64 framesIn = 0;
    quint64 framesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    quint64 messages = 0;
    quint64 duplicates = 0;
    quint64 gaps = 0;
    quint64 reconnects = 0;  // attempts to connect again after a connection was lost
    quint64 reconnected = 0; // outages recovered: open again after a connection was lost
    quint64 malformed = 0;
    quint64 acked = 0;
    quint64 unconfirmed = 0; // publishes sent on a wire without acks: sent, not confirmed
    quint64 refused = 0;     // refused publishes and requests: by the server (an error for its id) or
                             // by the outbox (overflow, dropped, a protocol that cannot say it)
};

} // namespace Pulseboard
