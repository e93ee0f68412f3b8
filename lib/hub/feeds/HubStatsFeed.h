// `hub.stats`: the hub's own counters (connections, frames and bytes a second, rejects) once an
// interval, so a dashboard watching the hub needs nothing but a subscription.
#pragma once

#include "Feed.h"

#include <QTimer>

namespace Pulseboard {

class HubServer;

class HubStatsFeed : public Feed
{
    Q_OBJECT
public:
    HubStatsFeed(const HubServer *hub, int intervalMs, QObject *parent = nullptr);
    QStringList channels() const override { return {QStringLiteral("hub.stats")}; }
    void start() override { m_timer.start(); }
    void stop() override { m_timer.stop(); }

private:
    const HubServer *m_hub;
    QTimer m_timer;
};

} // namespace Pulseboard
