// HubReplay: a recording (pulseboard-cli --record) served as live channels, by pulseboard-hub
// --replay FILE and by the dashboard's embedded hub (pulseboard --replay FILE). Each recorded
// message is published on its channel, through the hub like a feed's sample (the hub assigns seq
// and ts as for any publish), at its recorded time since the recording started divided by the
// speed. Times are kept against one monotonic clock (no sleeps added up, so no drift); a pass of
// the event loop publishes at most a bounded number of due messages, so sockets are served
// between them at 100x.
// The recorded connection timeline (states, outages, gaps) is published on `replay.timeline` at
// its times, with a `replay` start and end marker each round (and one for each pause, play and
// seek), so clients can see an outage that happened while the recording was made (the channels
// themselves are then silent).
// It can be paused, resumed, sped up or slowed down, and moved (seek) while it runs. A seek goes
// straight to its position, either way: nothing between is published, and nothing before the
// position is published again (a client that must not show a point twice clears what it shows
// of the replayed channels on a backward seek, as the dashboard does). Its outages and gaps are
// the recording's "gaps", which nextGap() jumps to.
#pragma once

#include <QElapsedTimer>
#include <QJsonValue>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <vector>

namespace Pulseboard {

class HubServer;

// A recording read into memory, checked: its messages and timeline entries by time.
struct ReplayRecording
{
    struct Item
    {
        qint64 offsetUs;
        int channel; // index into channels; -1: the timeline channel
        QJsonValue data;
    };
    // An outage or gap of the recorded connection, where it starts in the recording.
    struct Gap
    {
        qint64 offsetUs = 0;
        qint64 durationMs = 0; // 0 for a gap (a jump in seq), the outage's length otherwise
        QString kind;          // "outage" or "gap"
        QString source;        // the server or channel it concerns
        QString detail;
    };

    QString path;
    std::vector<Item> items;
    QStringList channels;  // recorded, in order of first message
    std::vector<Gap> gaps; // by offset
    qint64 messages = 0;
    qint64 durationUs = 0;
    qint64 startedMs = 0; // wall time the recording started (0: not recorded)

    // Reads and checks the whole file. Null with the reason (missing, not SQLite, damaged, a
    // store that holds no recording, a message whose data is not JSON).
    static std::shared_ptr<const ReplayRecording> load(const QString &path, QString *error);
};

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
    // With a recording already read (options.path is then only for the log).
    HubReplay(HubServer *hub, std::shared_ptr<const ReplayRecording> recording, Options options,
              QObject *parent = nullptr);

    // Reads the whole recording into memory (ReplayRecording::load). False with the reason.
    bool load(QString *error);
    void start();

    QStringList channels() const { return m_rec ? m_rec->channels : QStringList(); }
    qint64 messageCount() const { return m_rec ? m_rec->messages : 0; }
    qint64 durationUs() const { return m_rec ? m_rec->durationUs : 0; }
    qint64 startedMs() const { return m_rec ? m_rec->startedMs : 0; }
    const std::vector<ReplayRecording::Gap> &gaps() const;
    qint64 published() const { return m_published; }
    int round() const { return m_round; }

    // Where the replay is in the recording, 0..durationUs(): the recorded time of what is due now.
    qint64 positionUs() const;
    bool isPlaying() const { return m_playing; }
    // The last round is over (never with loop): play() starts again from the beginning.
    bool isEnded() const { return m_ended; }
    double speed() const { return m_options.speed; }

    void pause();
    void play();
    // Clamped to kMinSpeed..kMaxSpeed; the position is kept.
    void setSpeed(double speed);
    // To `offsetUs` (clamped to the recording): the next message published is the first recorded
    // at or after it. Playing goes on playing, paused stays paused; after the end, it is paused
    // there.
    void seek(qint64 offsetUs);
    // The start of the first outage or gap after the position, seeked to; -1 (nothing changes)
    // when there is none.
    qint64 nextGap();

Q_SIGNALS:
    void roundFinished(int round);
    void finished(); // the last round is over (never with loop)
    void playingChanged(bool playing);
    void speedChanged(double speed);
    void seeked(qint64 fromUs, qint64 toUs);

private:
    void beginRound();
    void tick();
    void publishMarker(const QString &state);
    // The clock time (ns) a round would have started at for `positionUs` to be due now.
    qint64 epochFor(qint64 positionUs) const;

    HubServer *m_hub;
    Options m_options;
    std::shared_ptr<const ReplayRecording> m_rec;
    qint64 m_published = 0;
    QElapsedTimer m_clock;
    qint64 m_epochNs = 0; // m_clock time the current round started at (at this speed), while playing
    qint64 m_heldUs = 0;  // the position while not playing
    size_t m_next = 0;
    int m_round = 0;
    bool m_playing = true;
    bool m_ended = false;
    bool m_begun = false; // the first round began (not waiting for subscribers any more)
    QTimer m_timer;
    QTimer m_waitTimer;
};

} // namespace Pulseboard
