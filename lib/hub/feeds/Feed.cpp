#include "Feed.h"

namespace Pulseboard {

QStringList Feed::builtInNames()
{
    return {QStringLiteral("sys.cpu"),   QStringLiteral("sys.mem"),     QStringLiteral("sys.net"),
            QStringLiteral("sys.load"),  QStringLiteral("demo.wave"),   QStringLiteral("demo.events"),
            QStringLiteral("hub.stats")};
}

} // namespace Pulseboard
