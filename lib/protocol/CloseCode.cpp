#include "CloseCode.h"

namespace Pulseboard {

CloseReaction reactionToClose(int code)
{
    switch (code) {
    case CloseCode::GoingAway:
        return CloseReaction::ReconnectNextNow;
    case CloseCode::Policy:
    case CloseCode::Unauthorized:
        return CloseReaction::Fail;
    case CloseCode::RateLimited:
    case CloseCode::TryAgainLater: // a full hub: not at once, not never
        return CloseReaction::ReconnectSlow;
    default:
        return CloseReaction::ReconnectBackoff;
    }
}

QString describeCloseCode(int code)
{
    switch (code) {
    case CloseCode::Normal:
        return QStringLiteral("normal closure");
    case CloseCode::GoingAway:
        return QStringLiteral("server going away");
    case CloseCode::Abnormal:
        return QStringLiteral("connection lost without a close frame");
    case CloseCode::Policy:
        return QStringLiteral("refused by server policy");
    case CloseCode::TooBig:
        return QStringLiteral("message too big");
    case CloseCode::ServerError:
        return QStringLiteral("server error");
    case CloseCode::TryAgainLater:
        return QStringLiteral("server busy, try again later");
    case CloseCode::Unauthorized:
        return QStringLiteral("unauthorized");
    case CloseCode::RateLimited:
        return QStringLiteral("rate limited");
    case CloseCode::Malformed:
        return QStringLiteral("malformed message");
    default:
        return QStringLiteral("close code %1").arg(code);
    }
}

} // namespace Pulseboard
