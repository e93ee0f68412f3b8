// Codes of the hub's `error` replies that are not close codes (HTTP-like, as PROTOCOL.md leaves
// open). The session goes on after each of them.
#pragma once

namespace Pulseboard::HubError {

inline constexpr int BadRequest = 400;    // a request whose params are of the wrong type or out of range
inline constexpr int Forbidden = 403;     // a feed name (sys.*, hub.*, demo.*) or outside the token's grants
inline constexpr int UnknownMethod = 404; // a request for a method the hub does not serve
inline constexpr int Unavailable = 503;   // the store could not answer (Redis away)

// Budgets (docs/OPERATIONS.md "Budgets"): a request the hub would serve, refused because serving
// it would pass a configured cap. Nothing was stored or changed; the session goes on.
inline constexpr int TooMany = 429; // this connection already holds --max-subscriptions subscriptions
inline constexpr int Full = 507;    // a publish that would create a channel past --max-channels

} // namespace Pulseboard::HubError
