// Application-level liveness check of PROTOCOL.md: a `ping` every interval, a pong deadline,
// and any inbound frame counts as life. Two single-shot-style timers, nothing ticks faster
// than the interval, so an idle connection costs one wake-up per interval.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace Pulseboard {

class Heartbeat : public QObject
{
    Q_OBJECT
public:
    explicit Heartbeat(QObject *parent = nullptr);

    void setInterval(int ms);
    void setTimeout(int ms);
    int interval() const { return m_intervalMs; }
    int timeout() const { return m_timeoutMs; }

    void start();
    void stop();
    bool isActive() const { return m_pingTimer.isActive(); }

    // Any frame from the peer: the peer is alive, the deadline is lifted.
    void noteLife();
    // A pong for one of our pings: lifts the deadline and yields the round trip.
    // Returns the RTT in ms, or -1 when the pong does not match an outstanding ping.
    int notePong(const QString &id, qint64 ts);
    // Milliseconds since the last sign of life (start() or noteLife()).
    qint64 silentMs() const { return m_sinceLife.elapsed(); }

Q_SIGNALS:
    void pingDue(const QString &id, qint64 ts);
    void timedOut(int silentMs);

private:
    void sendPing();

    QTimer m_pingTimer;
    QTimer m_deadline;
    QElapsedTimer m_sinceLife;
    int m_intervalMs = 30000;
    int m_timeoutMs = 10000;
    quint64 m_counter = 0;
    QString m_outstandingId;
};

} // namespace Pulseboard
