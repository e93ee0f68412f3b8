#include "DialectFactory.h"

#include "ConnectionOptions.h"
#include "JsonDialect.h"
#include "MqttDialect.h"
#include "PulseboardDialect.h"
#include "SocketIoDialect.h"

namespace Pulseboard {

QStringList knownProtocols()
{
    return {QStringLiteral("pulseboard"), QStringLiteral("json"), QStringLiteral("socketio"),
            QStringLiteral("mqtt")};
}

std::unique_ptr<WireDialect> makeDialect(const ConnectionOptions &options, QString *error)
{
    const QString name = options.protocol.isEmpty() ? QStringLiteral("pulseboard") : options.protocol;
    if (name == QLatin1StringView("pulseboard"))
        return std::make_unique<PulseboardDialect>(options.subprotocol);
    if (name == QLatin1StringView("json")) {
        QString why;
        std::unique_ptr<JsonDialect> json = JsonDialect::create(options.protocolConfig, &why);
        if (!json && error)
            *error = QStringLiteral("json: %1 (docs/PROTOCOLS.md lists every setting)").arg(why);
        return json;
    }
    if (name == QLatin1StringView("mqtt"))
        return MqttDialect::fromOptions(options, error);
    if (name == QLatin1StringView("socketio"))
        return SocketIoDialect::create(options.protocolConfig, error);
    if (error)
        *error = QStringLiteral("unknown protocol '%1' (known: %2)").arg(name, knownProtocols().join(u", "));
    return nullptr;
}

} // namespace Pulseboard
