// The connection flags shared by pulseboard and pulseboard-cli, so both read them the same way.
#pragma once

#include "ConnectionOptions.h"

#include <QCommandLineParser>
#include <QStringList>

namespace Pulseboard {

class ConnectionCommandLine
{
public:
    // Adds --url, --token (--token-file, --token-command), --subscribe, heartbeat, connect, backoff,
    // retry and queue flags.
    void addTo(QCommandLineParser &parser);
    // Reads them into `options` (endpoints; token from flag or env PULSEBOARD_TOKEN, or a token
    // source asked at every connect) and the channels to subscribe. Returns false with `error`
    // set when a value is not usable.
    bool read(const QCommandLineParser &parser, ConnectionOptions &options, QStringList &channels,
              QString &error) const;
};

} // namespace Pulseboard
