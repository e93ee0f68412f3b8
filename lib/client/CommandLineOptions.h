// The connection flags shared by pulseboard and pulseboard-cli, so both read them the same way.
#pragma once

#include "ConnectionOptions.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>

namespace Pulseboard {

class ConnectionCommandLine
{
public:
    // Adds --url, --token (--token-file, --token-command), --subscribe, heartbeat, connect, backoff,
    // retry and queue flags, and the wire dialect (--protocol, --protocol-config, --mqtt-username).
    // The help states the defaults of `defaults`: the binary's own (the dashboard pings more often).
    void addTo(QCommandLineParser &parser, const ConnectionOptions &defaults = ConnectionOptions());
    // Reads them into `options` (endpoints; token from flag or env PULSEBOARD_TOKEN, or a token
    // source asked at every connect) and the channels to subscribe. Returns false with `error`
    // set when a value is not usable.
    bool read(const QCommandLineParser &parser, ConnectionOptions &options, QStringList &channels,
              QString &error) const;
};

// Reads a --protocol-config FILE: a JSON object (the dialect's settings). False with `error`
// naming the file and, for bad JSON, the line and column.
bool readProtocolConfigFile(const QString &path, QJsonObject *config, QString *error);
// Whether `options.protocol` is known and its protocolConfig makes a dialect; false with `error`
// (an unknown name lists the known ones).
bool checkProtocol(const ConnectionOptions &options, QString *error);

} // namespace Pulseboard
