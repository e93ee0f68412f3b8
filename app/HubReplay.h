// HubReplay: pulseboard-hub --replay FILE. Serves a recording (pulseboard-cli --record) as live
// channels: each recorded message is published on its channel, through the hub like a feed's
// sample (the hub assigns seq and ts as for any publish), at its recorded time since the
// recording started divided by the speed. Times are kept against one monotonic clock from the
// start of the round (no sleeps added up, so no drift); a pass of the event loop publishes at
// most a bounded number of due messages, so sockets are served between them at 100x.
// The recorded connection timeline (states, outages, gaps) is published on `replay.timeline` at
// its times, with a `replay` start and end marker each round, so clients can see an outage that
// happened while the recording was made (the channels themselves are then silent).
#pragma once

#include <QElapsedTimer>
#include <QJsonValue>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <vector>

namespace Pulseboard {

class HubServer;

class HubReplay : public QObject
{
    Q_OBJECT
public:
    static constexpr double kMinSpeed = 0.1;
    static constexpr double kMaxSpeed = 100;
    static constexpr int kMaxPerPass = 2000; // due messages published in one pass of the loop
    static inline const QString kTimelineChannel = QStringLiteral("replay.timeline");

    struct Options
    {
        QString path;
        double speed = 1;
        bool loop = false;
        bool whenSubscribed = false; // start once every recorded channel has a subscriber
    };

    HubReplay(HubServer *hub, Options options, QObject *parent = nullptr);

    // Reads the whole recording into memory. False with the reason (missing, not SQLite, damaged,
    // a store that holds no recording, a message whose data is not JSON).
    bool load(QString *error);
    void start();

    QStringList channels() const { return m_channels; } // recorded, in order of first message
    qint64 messageCount() const { return m_messages; }
    qint64 durationUs() const { return m_durationUs; }
    qint64 published() const { return m_published; }
    int round() const { return m_round; }

Q_SIGNALS:
    void roundFinished(int round);
    void finished(); // the last round is over (never with loop)

private:
    struct Item
    {
        qint64 offsetUs;
        int channel; // index into m_channels; -1: the timeline channel
        QJsonValue data;
    };
    void beginRound();
    void tick();
    void publishMarker(const QString &state);

    HubServer *m_hub;
    Options m_options;
    std::vector<Item> m_items;
    QStringList m_channels;
    qint64 m_messages = 0;
    qint64 m_durationUs = 0;
    qint64 m_published = 0;
    QElapsedTimer m_clock;
    qint64 m_epochNs = 0; // m_clock time the current round started at
    size_t m_next = 0;
    int m_round = 0;
    QTimer m_timer;
    QTimer m_waitTimer;
};

} // namespace Pulseboard
