// TokenSource: where a client gets a fresh token before every connect, for tokens that expire.
// A file (re-read each time, so whatever renews it only rewrites it) or a command (run each time,
// its standard output is the token). The token is never logged; failures say what went wrong.
#pragma once

#include <QString>

#include <functional>

namespace Pulseboard {

// True with `token` set, or false with `error` set (a sentence naming the file or command).
using TokenSourceFn = std::function<bool(QString *token, QString *error)>;

namespace TokenSource {

TokenSourceFn fromFile(const QString &path);
// Run through /bin/sh -c; it has `timeoutMs` to print the token and exit 0. It runs synchronously
// on the connection's thread, so the timeout also bounds how long a connect may stall on it.
TokenSourceFn fromCommand(const QString &command, int timeoutMs);

} // namespace TokenSource

} // namespace Pulseboard
