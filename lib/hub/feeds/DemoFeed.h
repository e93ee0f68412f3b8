// Demo channels for trying the dashboard and loading a hub:
//  - DemoWaveFeed `demo.wave`: a fast numeric stream (sum of two sines plus noise) at a chosen
//    rate up to 5 kHz. Timers do not tick at kHz, so each tick (at most 100 a second) publishes
//    as many samples as the elapsed time owes, each with its own sample time `t`.
//  - DemoEventsFeed `demo.events`: irregular JSON events, gaps drawn from an exponential
//    distribution around a mean, so bursts and quiet spells both happen.
#pragma once

#include "Feed.h"

#include <QRandomGenerator>
#include <QTimer>

namespace Pulseboard {

class DemoWaveFeed : public Feed
{
    Q_OBJECT
public:
    static constexpr double kMaxHz = 5000;

    DemoWaveFeed(double hz, QObject *parent = nullptr);
    QStringList channels() const override { return {QStringLiteral("demo.wave")}; }
    void start() override;
    void stop() override;
    double rate() const { return m_hz; }
    static double valueAt(double seconds);

private:
    void tick();

    double m_hz;
    QTimer m_timer;
    qint64 m_startMs = 0; // wall time of sample 0
    qint64 m_startNs = 0; // monotonic time of sample 0
    quint64 m_emitted = 0;
    QRandomGenerator m_rng;
};

class DemoEventsFeed : public Feed
{
    Q_OBJECT
public:
    DemoEventsFeed(int meanIntervalMs, QObject *parent = nullptr);
    QStringList channels() const override { return {QStringLiteral("demo.events")}; }
    void start() override;
    void stop() override;

private:
    void scheduleNext();
    void fire();

    int m_meanMs;
    QTimer m_timer;
    quint64 m_count = 0;
    QRandomGenerator m_rng;
};

} // namespace Pulseboard
