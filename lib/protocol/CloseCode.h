// Close codes of PROTOCOL.md and what a client does on each: the one table both sides read.
#pragma once

#include <QString>

namespace Pulseboard {

namespace CloseCode {
constexpr int Normal = 1000;
constexpr int GoingAway = 1001;
constexpr int Abnormal = 1006;
constexpr int Policy = 1008;
constexpr int TooBig = 1009;
constexpr int ServerError = 1011;
constexpr int TryAgainLater =
    4503; // at a connection limit: HTTP 503 in the 4000s (Qt clients refuse 1013, see PROTOCOL.md)
constexpr int Unauthorized = 4001;
constexpr int RateLimited = 4008;
constexpr int Malformed = 4400;
} // namespace CloseCode

// What the client does after a close it did not ask for.
enum class CloseReaction {
    ReconnectBackoff, // 1000 (unrequested), 1006, 1009, 1011, 4400, unknown codes
    ReconnectNextNow, // 1001: at once, next endpoint first
    ReconnectSlow,    // 4503, 4008: backoff of at least rateLimitMinDelay
    Fail,             // 1008, 4001: no retry
};

CloseReaction reactionToClose(int code);
QString describeCloseCode(int code);

} // namespace Pulseboard
