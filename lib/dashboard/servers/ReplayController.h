// ReplayController: pulseboard --replay FILE as QML sees it (Dashboard.replay). It runs the
// recording on the embedded hub (a HubReplay publishing each recorded message at its recorded
// time, divided by the speed, while the hub has no feeds of its own) and is what the timeline
// bar drives: play and pause, the speed, a seek to any position, a jump to the next outage or
// gap of the recorded connection. The dashboard is subscribed to the recorded channels as to
// any, so charts and the Raw panel fill as if live. A seek back tells the dashboard to forget
// what it shows of the replayed channels (rewound: each channel's last seq published before the
// seek, so the messages still on their way are dropped too): no point is shown twice.
#pragma once

#include "hub/HubReplay.h"

#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace Pulseboard {

class HubServer;

class ReplayController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ReplayController is made by the application")
    Q_PROPERTY(QString file READ file CONSTANT)         // as given
    Q_PROPERTY(QString fileName READ fileName CONSTANT) // without its folder
    Q_PROPERTY(QStringList channels READ channels CONSTANT)
    Q_PROPERTY(double durationMs READ durationMs CONSTANT)
    // The wall time the recording started (ms since 1970); 0 when the file does not say.
    Q_PROPERTY(double startedMs READ startedMs CONSTANT)
    Q_PROPERTY(double positionMs READ positionMs NOTIFY positionChanged)
    // The recording's wall-clock time at the position, "yyyy-MM-dd HH:mm:ss" (local time); empty
    // when the recording has no start time.
    Q_PROPERTY(QString wallTime READ wallTime NOTIFY positionChanged)
    Q_PROPERTY(double published READ published NOTIFY positionChanged)
    Q_PROPERTY(bool playing READ playing NOTIFY playingChanged)
    // Played to the end: play() starts again from the beginning.
    Q_PROPERTY(bool ended READ ended NOTIFY playingChanged)
    Q_PROPERTY(double speed READ speed WRITE setSpeed NOTIFY speedChanged)
    // The speeds the bar offers (any from kMinSpeed to kMaxSpeed can be set).
    Q_PROPERTY(QVariantList speeds READ speeds CONSTANT)
    // The recorded outages and gaps: {positionMs, durationMs, kind, source, detail}, by position.
    Q_PROPERTY(QVariantList gaps READ gaps CONSTANT)
    Q_PROPERTY(bool hasNextGap READ hasNextGap NOTIFY positionChanged)
    // What the header says: "REPLAY", "REPLAY \u00b7 PAUSED" or "REPLAY \u00b7 ENDED".
    Q_PROPERTY(QString headline READ headline NOTIFY playingChanged)

public:
    static constexpr int kPositionIntervalMs = 100; // how often a playing position is told

    explicit ReplayController(std::shared_ptr<const ReplayRecording> recording, QObject *parent = nullptr);
    ~ReplayController() override;

    // Serves the recording on `hub` (which must outlive this): it starts once every recorded
    // channel has a subscriber, playing at `speed`.
    void start(HubServer *hub, double speed = 1);
    HubReplay *replay() const { return m_replay.get(); }

    QString file() const { return m_recording->path; }
    QString fileName() const;
    QStringList channels() const { return m_recording->channels; }
    double durationMs() const { return double(m_recording->durationUs) / 1000.0; }
    double startedMs() const { return double(m_recording->startedMs); }
    double positionMs() const;
    QString wallTime() const { return wallTimeAt(positionMs()); }
    Q_INVOKABLE QString wallTimeAt(double positionMs) const;
    double published() const { return m_replay ? double(m_replay->published()) : 0; }
    bool playing() const { return m_replay ? m_replay->isPlaying() : false; }
    bool ended() const { return m_replay && m_replay->isEnded(); }
    double speed() const { return m_replay ? m_replay->speed() : m_speed; }
    void setSpeed(double speed);
    QVariantList speeds() const;
    QVariantList gaps() const;
    bool hasNextGap() const;
    QString headline() const;

    Q_INVOKABLE void play();
    Q_INVOKABLE void pause();
    Q_INVOKABLE void toggle();
    // To `positionMs` (clamped to the recording).
    Q_INVOKABLE void seek(double positionMs);
    // To the start of the next outage or gap after the position; false when there is none.
    Q_INVOKABLE bool nextGap();

    // For automation: {file, channels, playing, ended, positionMs, durationMs, speed, published,
    // wallTime, gaps}.
    QVariantMap snapshot() const;

Q_SIGNALS:
    void positionChanged();
    void playingChanged();
    void speedChanged();
    // A seek went back: each replayed channel's last seq published before it (emitted before
    // anything after the new position is published).
    void rewound(const QHash<QString, qint64> &upToSeq);

private:
    void seekUs(qint64 positionUs);

    std::shared_ptr<const ReplayRecording> m_recording;
    std::unique_ptr<HubReplay> m_replay;
    HubServer *m_hub = nullptr;
    double m_speed = 1;
    QTimer m_positionTimer;
};

} // namespace Pulseboard
