// `hub.stats`: the hub's own counters (connections, frames and bytes a second, rejects) once an
// interval, so a dashboard watching the hub needs nothing but a subscription.
#pragma once

#include "Feed.h"

#include <QJsonObject>
#include <QTimer>

#include <functional>

namespace Pulseboard {

class HubStatsFeed : public Feed
{
    Q_OBJECT
public:
    // `snapshot` gives the figures of one sample (HubServer::statsSnapshot).
    HubStatsFeed(std::function<QJsonObject()> snapshot, int intervalMs, QObject *parent = nullptr);
    QStringList channels() const override { return {QStringLiteral("hub.stats")}; }
    void start() override { m_timer.start(); }
    void stop() override { m_timer.stop(); }

private:
    std::function<QJsonObject()> m_snapshot;
    QTimer m_timer;
};

} // namespace Pulseboard
