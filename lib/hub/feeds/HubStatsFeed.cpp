#include "HubStatsFeed.h"

#include "hub/HubServer.h"

namespace Pulseboard {

HubStatsFeed::HubStatsFeed(const HubServer *hub, int intervalMs, QObject *parent) : Feed(parent), m_hub(hub)
{
    m_timer.setInterval(qMax(10, intervalMs));
    connect(&m_timer, &QTimer::timeout, this,
            [this] { Q_EMIT sample(QStringLiteral("hub.stats"), m_hub->statsSnapshot()); });
}

} // namespace Pulseboard
