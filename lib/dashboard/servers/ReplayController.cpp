#include "ReplayController.h"

#include "hub/ChannelStore.h"
#include "hub/HubServer.h"

#include <QDateTime>
#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace Pulseboard {

ReplayController::ReplayController(std::shared_ptr<const ReplayRecording> recording, QObject *parent)
    : QObject(parent), m_recording(std::move(recording))
{
    Q_ASSERT(m_recording);
    m_positionTimer.setInterval(kPositionIntervalMs);
    connect(&m_positionTimer, &QTimer::timeout, this, &ReplayController::positionChanged);
}

ReplayController::~ReplayController() = default;

void ReplayController::start(HubServer *hub, double speed)
{
    m_hub = hub;
    HubReplay::Options options;
    options.path = m_recording->path;
    options.speed = speed;
    // The dashboard subscribes once it is connected: the first message waits for it.
    options.whenSubscribed = true;
    m_replay = std::make_unique<HubReplay>(hub, m_recording, options);
    connect(m_replay.get(), &HubReplay::playingChanged, this, [this](bool playing) {
        if (playing)
            m_positionTimer.start();
        else
            m_positionTimer.stop();
        Q_EMIT playingChanged();
        Q_EMIT positionChanged();
    });
    connect(m_replay.get(), &HubReplay::speedChanged, this, &ReplayController::speedChanged);
    connect(m_replay.get(), &HubReplay::seeked, this, &ReplayController::positionChanged);
    m_replay->start();
    m_positionTimer.start();
}

QString ReplayController::fileName() const
{
    return QFileInfo(m_recording->path).fileName();
}

double ReplayController::positionMs() const
{
    return m_replay ? double(m_replay->positionUs()) / 1000.0 : 0;
}

QString ReplayController::wallTimeAt(double positionMs) const
{
    if (m_recording->startedMs <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(m_recording->startedMs + qint64(std::llround(positionMs)))
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

void ReplayController::setSpeed(double speed)
{
    if (!std::isfinite(speed))
        return;
    speed = std::clamp(speed, HubReplay::kMinSpeed, HubReplay::kMaxSpeed);
    if (!m_replay) {
        if (speed != m_speed) {
            m_speed = speed;
            Q_EMIT speedChanged();
        }
        return;
    }
    m_replay->setSpeed(speed);
}

QVariantList ReplayController::speeds() const
{
    return {0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 100};
}

QVariantList ReplayController::gaps() const
{
    QVariantList list;
    for (const ReplayRecording::Gap &gap : m_recording->gaps)
        list.append(QVariantMap{{QStringLiteral("positionMs"), double(gap.offsetUs) / 1000.0},
                                {QStringLiteral("durationMs"), double(gap.durationMs)},
                                {QStringLiteral("kind"), gap.kind},
                                {QStringLiteral("source"), gap.source},
                                {QStringLiteral("detail"), gap.detail}});
    return list;
}

bool ReplayController::hasNextGap() const
{
    const qint64 at = m_replay ? m_replay->positionUs() : 0;
    return std::any_of(m_recording->gaps.cbegin(), m_recording->gaps.cend(),
                       [at](const ReplayRecording::Gap &gap) { return gap.offsetUs > at; });
}

QString ReplayController::headline() const
{
    if (ended())
        return QStringLiteral("REPLAY \u00b7 ENDED");
    return playing() ? QStringLiteral("REPLAY") : QStringLiteral("REPLAY \u00b7 PAUSED");
}

void ReplayController::play()
{
    if (!m_replay || m_replay->isPlaying())
        return;
    if (m_replay->isEnded()) {
        seekUs(0); // again from the beginning: what the charts show of the end is forgotten first
    }
    m_replay->play();
}

void ReplayController::pause()
{
    if (m_replay)
        m_replay->pause();
}

void ReplayController::toggle()
{
    if (playing())
        pause();
    else
        play();
}

void ReplayController::seek(double positionMs)
{
    if (!std::isfinite(positionMs))
        return;
    seekUs(qint64(std::llround(std::max(0.0, positionMs) * 1000.0)));
}

void ReplayController::seekUs(qint64 positionUs)
{
    if (!m_replay)
        return;
    positionUs = std::clamp<qint64>(positionUs, 0, m_recording->durationUs);
    if (positionUs < m_replay->positionUs() || m_replay->isEnded()) {
        // Going back: the last seq of each channel now, before the seek publishes anything (the
        // embedded hub's memory store numbers a publish at once, on this thread).
        QHash<QString, qint64> upToSeq;
        for (const QString &channel : m_recording->channels)
            upToSeq.insert(channel, 0);
        if (m_hub && m_hub->store()) {
            for (const ChannelInfo &info : m_hub->store()->channels())
                if (upToSeq.contains(info.name))
                    upToSeq.insert(info.name, info.seq);
        }
        Q_EMIT rewound(upToSeq);
    }
    m_replay->seek(positionUs);
    Q_EMIT positionChanged();
}

bool ReplayController::nextGap()
{
    if (!m_replay)
        return false;
    const qint64 at = m_replay->positionUs();
    for (const ReplayRecording::Gap &gap : m_recording->gaps) {
        if (gap.offsetUs > at) {
            seekUs(gap.offsetUs);
            return true;
        }
    }
    return false;
}

QVariantMap ReplayController::snapshot() const
{
    return {{QStringLiteral("file"), file()},
            {QStringLiteral("channels"), channels()},
            {QStringLiteral("headline"), headline()},
            {QStringLiteral("playing"), playing()},
            {QStringLiteral("ended"), ended()},
            {QStringLiteral("positionMs"), positionMs()},
            {QStringLiteral("durationMs"), durationMs()},
            {QStringLiteral("speed"), speed()},
            {QStringLiteral("published"), published()},
            {QStringLiteral("wallTime"), wallTime()},
            {QStringLiteral("gaps"), gaps()}};
}

} // namespace Pulseboard
