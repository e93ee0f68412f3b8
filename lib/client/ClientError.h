// The errors the client itself reports (never sent on the wire) beside the codes a server sends,
// in errorOccurred, requestFailed and the CLI's `error` events. Negative so they can never be
// mistaken for a close code or a server's error code; the values are what users and scripts see
// (docs/PROTOCOL.md, "Client errors"), so they are fixed.
#pragma once

#include <QMetaEnum>
#include <QObject>

namespace Pulseboard {

namespace ClientErrors {
Q_NAMESPACE

enum class ClientError : int {
    RequestTimedOut = -1, // no reply within the request's timeout
    ConnectionLost = -2,  // the connection closed or dropped before the reply, or it was never sent
    Refused = -3,         // refused or dropped by a full outbox, or a publish that did not go through
    InvalidInput = -4,    // a bad channel name, a bad command line or input line
    Journal = -5,         // the outbox journal cannot be used (queue stays in memory only)
};
Q_ENUM_NS(ClientError)

} // namespace ClientErrors

using ClientErrors::ClientError;

// The number a user sees for `error`.
constexpr int errorCode(ClientError error)
{
    return int(error);
}

} // namespace Pulseboard
