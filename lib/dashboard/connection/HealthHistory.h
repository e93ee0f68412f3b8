// HealthHistory: the connection's own figures over time, for the header and the health panel.
// Once per interval it turns the manager's counters into rates (messages and bytes per second,
// in and out), takes the RTT and the Outbox depth, and stores each as a series of the
// SeriesStore under the dashboard's own source "health" (figuresKey(), never a channel's key);
// connects, reconnects and errors become marker series under "health.events" (eventsKey()) so
// they share the charts' time axis. A dashboard's further sources (DashboardSource) each have one
// of their own, under "health/NAME" and "health.events/NAME".
#pragma once

#include "dashboard/charts/SeriesKey.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ConnectionMirror;
class SeriesStore;

class HealthHistory : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("HealthHistory is owned by the dashboard")
    Q_PROPERTY(int rttMs READ rttMs NOTIFY sampled)
    Q_PROPERTY(double msgsInPerSec READ msgsInPerSec NOTIFY sampled)
    Q_PROPERTY(double msgsOutPerSec READ msgsOutPerSec NOTIFY sampled)
    Q_PROPERTY(double bytesInPerSec READ bytesInPerSec NOTIFY sampled)
    Q_PROPERTY(double bytesOutPerSec READ bytesOutPerSec NOTIFY sampled)
    Q_PROPERTY(int outboxDepth READ outboxDepth NOTIFY sampled)
    // Attempts to connect again after a connection was lost (one outage may take several).
    Q_PROPERTY(int reconnects READ reconnects NOTIFY sampled)
    // Outages recovered: a connection open again after one was lost.
    Q_PROPERTY(int reconnected READ reconnected NOTIFY sampled)
    Q_PROPERTY(int gaps READ gaps NOTIFY sampled)
    // What QML charts name these series by: {source: figuresSource, origin: "dashboard"}.
    Q_PROPERTY(QString figuresSource READ figuresSource CONSTANT)
    Q_PROPERTY(QString eventsSource READ eventsSource CONSTANT)

public:
    // The first source's (`source` empty): "health" and "health.events"; a further source's:
    // "health/NAME" and "health.events/NAME".
    static SeriesKey figuresKey(const QString &source = QString())
    {
        return SeriesKey::dashboard(source.isEmpty() ? QStringLiteral("health")
                                                     : QStringLiteral("health/") + source);
    }
    static SeriesKey eventsKey(const QString &source = QString())
    {
        return SeriesKey::dashboard(source.isEmpty() ? QStringLiteral("health.events")
                                                     : QStringLiteral("health.events/") + source);
    }

    struct Counters
    {
        quint64 framesIn = 0;
        quint64 framesOut = 0;
        quint64 bytesIn = 0;
        quint64 bytesOut = 0;
        int rttMs = -1;      // -1: no measurement (not open)
        int outboxDepth = 0; // the user's publishes and requests on their way (not the dashboard's own)
        quint64 reconnects = 0;
        quint64 reconnected = 0;
        quint64 gaps = 0;
    };

    // `source`: empty for the dashboard's first source, else a further source's name.
    explicit HealthHistory(SeriesStore *store, QObject *parent = nullptr, const QString &source = QString());
    QString source() const { return m_source; }
    QString figuresSource() const { return figuresKey(m_source).name; }
    QString eventsSource() const { return eventsKey(m_source).name; }
    void attach(ConnectionMirror *manager, int intervalMs = 1000);

    // One sample: rates are the counter deltas since the previous sample over the time between.
    void addSample(const Counters &counters, qint64 nowMs);
    // A marker on the health timeline: 1 connected, 2 disconnected/reconnecting, 3 error.
    void addMarker(int lane, qint64 nowMs);

    int rttMs() const { return m_current.rttMs; }
    double msgsInPerSec() const { return m_msgsIn; }
    double msgsOutPerSec() const { return m_msgsOut; }
    double bytesInPerSec() const { return m_bytesIn; }
    double bytesOutPerSec() const { return m_bytesOut; }
    int outboxDepth() const { return m_current.outboxDepth; }
    int reconnects() const { return int(m_current.reconnects); }
    int reconnected() const { return int(m_current.reconnected); }
    // A request the dashboard sends by itself (the channel list it refreshes): while it is on
    // its way it is not counted in outboxDepth, which is what the user sent.
    void noteOwnRequest(const QString &id);
    int gaps() const { return int(m_current.gaps); }

Q_SIGNALS:
    // A new sample was taken: every figure above is of that sample.
    void sampled();

private:
    void sampleManager();

    SeriesStore *m_store;
    QString m_source;
    QPointer<ConnectionMirror> m_manager;
    QTimer m_timer;
    QSet<QString> m_ownRequests; // on their way
    Counters m_current;
    Counters m_previous;
    qint64 m_previousMs = -1;
    double m_msgsIn = 0;
    double m_msgsOut = 0;
    double m_bytesIn = 0;
    double m_bytesOut = 0;
};

} // namespace Pulseboard
