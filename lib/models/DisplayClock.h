// DisplayClock: the one display-rate timer of the dashboard (at most 30 Hz). Every chart
// feeder and every "age" on screen moves on its tick, so the UI does a bounded amount of
// work per frame however fast messages arrive.
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
    Q_PROPERTY(qint64 nowMs READ nowMs NOTIFY ticked)
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

Q_SIGNALS:
    void ticked(qint64 nowMs);
    void rateChanged();

private:
    QTimer m_timer;
    int m_rateHz = 20;
    qint64 m_nowMs = 0;
};

} // namespace Pulseboard
