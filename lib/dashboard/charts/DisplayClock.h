// DisplayClock: the one display-rate timer of the dashboard (at most 30 Hz). Every chart
// feeder and every "age" on screen moves on its tick, so the UI does a bounded amount of
// work per frame however fast messages arrive. With an idle rate set, the clock slows to it
// once nothing was noted (noteActivity: a message arrived) for idleAfterMs, and is back at
// full rate on the next activity: a connected dashboard with nothing arriving wakes once a
// second, not twenty times, to move its ages and time axes.
#pragma once

#include <QObject>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class DisplayClock : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("DisplayClock is owned by the dashboard")
    // Times and counts QML reads are `double` (what a QML number is): Qt 6.4's qmllint knows no qint64.
    Q_PROPERTY(double nowMs READ nowMs NOTIFY ticked)
    Q_PROPERTY(int rateHz READ rateHz NOTIFY rateChanged)

public:
    static constexpr int kMaxRateHz = 30;

    explicit DisplayClock(QObject *parent = nullptr);

    // Clamped to 1..30 Hz.
    void setRateHz(int hz);
    int rateHz() const { return m_rateHz; }
    qint64 nowMs() const { return m_nowMs; }
    void start();
    void stop();
    // Tests: tick once at a given time (the timer keeps its own pace).
    void tickAt(qint64 nowMs);

    // 0 (the default) never slows down.
    void setIdleRate(int hz, int idleAfterMs);
    // Cheap enough to call per message: a flag, and a timer restart only when idle.
    void noteActivity()
    {
        m_activity = true;
        if (m_idle)
            wake();
    }
    bool isIdle() const { return m_idle; }

Q_SIGNALS:
    void ticked(qint64 nowMs);
    void rateChanged();

private:
    void wake();

    QTimer m_timer;
    int m_rateHz = 20;
    qint64 m_nowMs = 0;
    int m_idleRateHz = 0;
    int m_idleAfterMs = 0;
    qint64 m_lastActivityMs = 0;
    bool m_activity = false;
    bool m_idle = false;
};

} // namespace Pulseboard
