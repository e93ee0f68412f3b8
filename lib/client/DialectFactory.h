// DialectFactory: the one place a protocol name and its settings become a WireDialect. Every
// program (CLI, dashboard, tests) goes through it, so `--protocol` means the same everywhere.
// Names: "pulseboard" (pulseboard.v1, the default), "json" (JsonDialect: any JSON feed, by its
// settings), "socketio" (Socket.IO v4), "mqtt" (MQTT 3.1.1 over WebSocket). Others are added here
// as they are written.
#pragma once

#include "WireDialect.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace Pulseboard {

struct ConnectionOptions;

// The protocol names `--protocol` accepts, the default first.
QStringList knownProtocols();

// A dialect for `options.protocol` with `options.protocolConfig`, or null with `*error` saying
// why (an unknown name, a setting of the wrong type): never a silent fallback to another dialect.
std::unique_ptr<WireDialect> makeDialect(const ConnectionOptions &options, QString *error);

} // namespace Pulseboard
