// ConnectionManagerQml: registers the client's ConnectionManager as the QML type
// `ConnectionManager`, so the client library stays free of QtQml. QML reads it as
// Dashboard.connection (the Console panel lists its subscriptions) and never creates one.
#pragma once

#include "client/ConnectionManager.h"

#include <QObject>
#include <QtQml/qqml.h> // QML_FOREIGN needs more than qqmlregistration.h

namespace Pulseboard {

struct ConnectionManagerQml
{
    Q_GADGET
    QML_FOREIGN(Pulseboard::ConnectionManager)
    QML_NAMED_ELEMENT(ConnectionManager)
    QML_UNCREATABLE("ConnectionManager is owned by the application")
};

} // namespace Pulseboard
