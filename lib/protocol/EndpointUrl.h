// EndpointUrl: the one rule for what names a server endpoint (PROTOCOL.md): a ws:// or wss:// URL
// with a host. The CLI's --url, a config file's "servers", the saved server profiles and the
// switcher's text field all read URLs through parse(), so they accept the same URLs and refuse
// the others in the same words.
#pragma once

#include <QString>
#include <QUrl>

#include <optional>

namespace Pulseboard::EndpointUrl {

// The URL as given (QUrl strict mode: the scheme and host come back lower-case; path, query and
// port are kept), or nothing with `*error` (if given) set to
//   'TEXT' is not a ws:// or wss:// URL[: why]
// where TEXT is the input without user info or query (they may hold credentials) and `why` is
// said when the scheme is right but the rest is not (no host, a bad port, whitespace).
// Whitespace is refused, around the URL too: no caller trims, and a URL with spaces cannot be dialled.
std::optional<QUrl> parse(const QString &text, QString *error = nullptr);

// The text of a URL for messages and logs: without user info and query.
QString displayText(const QString &text);

} // namespace Pulseboard::EndpointUrl
