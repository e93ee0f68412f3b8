#include "HubStatsFeed.h"

namespace Pulseboard {

HubStatsFeed::HubStatsFeed(std::function<QJsonObject()> snapshot, int intervalMs, QObject *parent)
    : Feed(parent), m_snapshot(std::move(snapshot))
{
    m_timer.setInterval(qMax(10, intervalMs));
    connect(&m_timer, &QTimer::timeout, this,
            [this] { Q_EMIT sample(QStringLiteral("hub.stats"), m_snapshot()); });
}

} // namespace Pulseboard
