#include "DialectFactory.h"

#include "ConnectionOptions.h"
#include "PulseboardDialect.h"
#include "SocketIoDialect.h"

namespace Pulseboard {

QStringList knownProtocols()
{
    return {QStringLiteral("pulseboard"), QStringLiteral("socketio")};
}

std::unique_ptr<WireDialect> makeDialect(const ConnectionOptions &options, QString *error)
{
    const QString name = options.protocol.isEmpty() ? QStringLiteral("pulseboard") : options.protocol;
    if (name == QLatin1StringView("pulseboard"))
        return std::make_unique<PulseboardDialect>(options.subprotocol);
    if (name == QLatin1StringView("socketio"))
        return SocketIoDialect::create(options.protocolConfig, error);
    if (error)
        *error = QStringLiteral("unknown protocol '%1' (known: %2)").arg(name, knownProtocols().join(u", "));
    return nullptr;
}

} // namespace Pulseboard
