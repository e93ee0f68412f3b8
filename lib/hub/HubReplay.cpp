#include "HubReplay.h"

#include "HubServer.h"
#include "history/HistoryStore.h"
#include "protocol/JsonView.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <limits>

Q_LOGGING_CATEGORY(lcReplay, "pulseboard.hub.replay")

namespace Pulseboard {

std::shared_ptr<const ReplayRecording> ReplayRecording::load(const QString &path, QString *error)
{
    if (!QFileInfo(path).isFile()) {
        *error = QStringLiteral("no recording at %1").arg(path);
        return nullptr;
    }
    HistoryOptions storeOptions;
    storeOptions.path = path;
    HistoryStore store(storeOptions);
    if (!store.openForReading(error))
        return nullptr;
    const QString check = store.integrityCheck();
    if (check != QLatin1StringView("ok")) {
        *error = QStringLiteral("cannot read %1: it is damaged (%2)")
                     .arg(path, check.isEmpty() ? QStringLiteral("integrity check failed")
                                                : check.section(QLatin1Char('\n'), 0, 0));
        return nullptr;
    }
    auto rec = std::make_shared<ReplayRecording>();
    rec->path = path;
    const QHash<QString, QString> info = store.recordingInfo();
    QHash<QString, int> index;
    QString why;
    bool bad = false;
    const bool read = store.forEachFrame(
        [&](const HistoryFrame &frame) {
            auto it = index.constFind(frame.channel);
            if (it == index.cend()) {
                it = index.insert(frame.channel, int(rec->channels.size()));
                rec->channels.append(frame.channel);
            }
            QJsonValue data(QJsonValue::Null);
            if (!frame.data.isEmpty()) {
                std::optional<QJsonValue> parsed = parseJsonValue(frame.data);
                if (!parsed) {
                    why = QStringLiteral("message %1 on %2 holds no JSON data")
                              .arg(rec->messages + 1)
                              .arg(frame.channel);
                    bad = true;
                    return false;
                }
                data = *parsed;
            }
            rec->items.push_back({std::max<qint64>(0, frame.offsetUs), *it, data});
            ++rec->messages;
            return true;
        },
        &why);
    if (!read || bad) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, why);
        return nullptr;
    }
    if (rec->messages == 0) {
        *error = info.isEmpty() ? QStringLiteral("%1 holds no recording").arg(path)
                                : QStringLiteral("%1 is a recording without messages").arg(path);
        return nullptr;
    }
    // The timeline at its times: wall times against the recording's start (a state or gap when it
    // happened, an outage when it ended, as a client learns of it). Outages and gaps are also
    // listed where they start, for nextGap().
    rec->startedMs = info.value(QStringLiteral("started")).toLongLong();
    if (rec->startedMs > 0) {
        static const char *const kinds[] = {"state", "outage", "gap", "alert"};
        for (const HistoryEvent &e :
             store.timeline(std::numeric_limits<qint64>::min() / 2, std::numeric_limits<qint64>::max() / 2)) {
            const int kind = int(e.kind);
            const QString kindName = QLatin1StringView(kind >= 0 && kind < 4 ? kinds[kind] : "event");
            const qint64 at = e.kind == HistoryEvent::Kind::Outage ? e.toMs : e.fromMs;
            QJsonObject data{{QStringLiteral("kind"), kindName},
                             {QStringLiteral("at"), double(e.fromMs)},
                             {QStringLiteral("source"), e.source},
                             {QStringLiteral("detail"), e.detail},
                             {QStringLiteral("recorded"), true}};
            if (e.toMs != e.fromMs)
                data.insert(QStringLiteral("to"), double(e.toMs));
            rec->items.push_back({std::max<qint64>(0, (at - rec->startedMs) * 1000), -1, data});
            if (e.kind == HistoryEvent::Kind::Outage || e.kind == HistoryEvent::Kind::Gap)
                rec->gaps.push_back({std::max<qint64>(0, (e.fromMs - rec->startedMs) * 1000),
                                     std::max<qint64>(0, e.toMs - e.fromMs), kindName, e.source, e.detail});
        }
    }
    // Messages keep the order they arrived in (their offsets, taken on one monotonic clock on one
    // thread, never decrease; the sort is stable); timeline entries, timed by the wall clock, go
    // among them by time, after the messages of the same microsecond.
    std::stable_sort(rec->items.begin(), rec->items.end(),
                     [](const Item &a, const Item &b) { return a.offsetUs < b.offsetUs; });
    std::stable_sort(rec->gaps.begin(), rec->gaps.end(),
                     [](const Gap &a, const Gap &b) { return a.offsetUs < b.offsetUs; });
    rec->durationUs =
        std::max(info.value(QStringLiteral("durationUs")).toLongLong(), rec->items.back().offsetUs);
    return rec;
}

HubReplay::HubReplay(HubServer *hub, Options options, QObject *parent)
    : HubReplay(hub, nullptr, std::move(options), parent)
{
}

HubReplay::HubReplay(HubServer *hub, std::shared_ptr<const ReplayRecording> recording, Options options,
                     QObject *parent)
    : QObject(parent), m_hub(hub), m_options(std::move(options)), m_rec(std::move(recording))
{
    m_options.speed = std::clamp(m_options.speed, kMinSpeed, kMaxSpeed);
    if (m_rec && m_options.path.isEmpty())
        m_options.path = m_rec->path;
    m_clock.start();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &HubReplay::tick);
    m_waitTimer.setInterval(10);
    connect(&m_waitTimer, &QTimer::timeout, this, [this] {
        for (const QString &channel : std::as_const(m_rec->channels)) {
            if (m_hub->router().subscriberCount(channel) == 0)
                return;
        }
        m_waitTimer.stop();
        qCInfo(lcReplay).noquote() << "every recorded channel has a subscriber: replay starts";
        beginRound();
    });
}

bool HubReplay::load(QString *error)
{
    m_rec = ReplayRecording::load(m_options.path, error);
    return m_rec != nullptr;
}

const std::vector<ReplayRecording::Gap> &HubReplay::gaps() const
{
    static const std::vector<ReplayRecording::Gap> none;
    return m_rec ? m_rec->gaps : none;
}

void HubReplay::start()
{
    Q_ASSERT(m_rec);
    qCInfo(lcReplay).noquote() << "replaying" << m_options.path << ":" << m_rec->messages << "messages on"
                               << m_rec->channels.size() << "channels over" << double(m_rec->durationUs) / 1e6
                               << "s at" << m_options.speed << "x" << (m_options.loop ? "(looping)" : "");
    if (m_options.whenSubscribed) {
        qCInfo(lcReplay).noquote() << "waiting for a subscriber on each of"
                                   << m_rec->channels.join(QStringLiteral(", "));
        m_waitTimer.start();
        return;
    }
    beginRound();
}

qint64 HubReplay::epochFor(qint64 positionUs) const
{
    return m_clock.nsecsElapsed() - qint64(std::llround(double(positionUs) * 1000.0 / m_options.speed));
}

qint64 HubReplay::positionUs() const
{
    if (!m_rec)
        return 0;
    if (m_ended)
        return m_rec->durationUs;
    if (!m_playing || !m_begun)
        return m_heldUs;
    const double us = double(m_clock.nsecsElapsed() - m_epochNs) * m_options.speed / 1000.0;
    return std::clamp<qint64>(qint64(us), 0, m_rec->durationUs);
}

void HubReplay::beginRound()
{
    m_begun = true;
    ++m_round;
    publishMarker(QStringLiteral("start"));
    if (!m_playing)
        return;
    m_epochNs = epochFor(m_heldUs);
    tick();
}

void HubReplay::pause()
{
    if (!m_playing)
        return;
    m_heldUs = positionUs();
    m_playing = false;
    m_timer.stop();
    if (m_begun)
        publishMarker(QStringLiteral("pause"));
    Q_EMIT playingChanged(false);
}

void HubReplay::play()
{
    if (m_playing || !m_rec)
        return;
    if (m_ended) {
        // Played to the end: again from the beginning, as a new round.
        m_ended = false;
        m_heldUs = 0;
        m_next = 0;
        ++m_round;
        publishMarker(QStringLiteral("start"));
        Q_EMIT seeked(m_rec->durationUs, 0);
    }
    m_playing = true;
    Q_EMIT playingChanged(true);
    if (!m_begun)
        return; // the first round starts once every recorded channel has a subscriber
    publishMarker(QStringLiteral("play"));
    m_epochNs = epochFor(m_heldUs);
    tick();
}

void HubReplay::setSpeed(double speed)
{
    speed = std::clamp(speed, kMinSpeed, kMaxSpeed);
    if (speed == m_options.speed)
        return;
    const bool running = m_playing && m_begun && !m_ended;
    const qint64 at = positionUs();
    m_options.speed = speed;
    if (running) {
        m_epochNs = epochFor(at);
        m_timer.stop();
        tick();
    }
    Q_EMIT speedChanged(speed);
}

void HubReplay::seek(qint64 offsetUs)
{
    if (!m_rec)
        return;
    const qint64 to = std::clamp<qint64>(offsetUs, 0, m_rec->durationUs);
    const qint64 from = positionUs();
    if (m_ended) {
        m_ended = false; // m_playing is already false: paused there
        ++m_round;
        publishMarker(QStringLiteral("start"));
    }
    const auto first =
        std::lower_bound(m_rec->items.begin(), m_rec->items.end(), to,
                         [](const ReplayRecording::Item &item, qint64 us) { return item.offsetUs < us; });
    m_next = size_t(first - m_rec->items.begin());
    m_heldUs = to;
    const bool running = m_playing && m_begun;
    if (running) {
        m_epochNs = epochFor(to);
        m_timer.stop();
    }
    if (m_begun)
        publishMarker(QStringLiteral("seek"));
    Q_EMIT seeked(from, to);
    if (running)
        tick();
}

qint64 HubReplay::nextGap()
{
    const qint64 at = positionUs();
    for (const ReplayRecording::Gap &gap : gaps()) {
        if (gap.offsetUs > at) {
            seek(gap.offsetUs);
            return gap.offsetUs;
        }
    }
    return -1;
}

void HubReplay::publishMarker(const QString &state)
{
    m_hub->publish(kTimelineChannel,
                   QJsonObject{{QStringLiteral("kind"), QStringLiteral("replay")},
                               {QStringLiteral("state"), state},
                               {QStringLiteral("round"), m_round},
                               {QStringLiteral("speed"), m_options.speed},
                               {QStringLiteral("positionMs"), double(positionUs() / 1000)},
                               {QStringLiteral("messages"), double(m_rec ? m_rec->messages : 0)}});
}

void HubReplay::tick()
{
    if (!m_playing || m_ended)
        return;
    const qint64 nowNs = m_clock.nsecsElapsed();
    int passed = 0;
    const std::vector<ReplayRecording::Item> &items = m_rec->items;
    while (m_next < items.size()) {
        const ReplayRecording::Item &item = items[m_next];
        const qint64 dueNs =
            m_epochNs + qint64(std::llround(double(item.offsetUs) * 1000.0 / m_options.speed));
        if (dueNs > nowNs) {
            m_timer.start(int(std::min<qint64>((dueNs - nowNs + 999999) / 1000000, 1 << 30)));
            return;
        }
        if (passed == kMaxPerPass) {
            m_timer.start(0); // more are due: after the sockets had their turn
            return;
        }
        m_hub->publish(item.channel < 0 ? kTimelineChannel : m_rec->channels.at(item.channel), item.data);
        if (item.channel >= 0)
            ++m_published;
        ++m_next;
        ++passed;
    }
    if (!m_options.loop) {
        m_ended = true;
        m_playing = false;
        m_heldUs = m_rec->durationUs;
    }
    publishMarker(QStringLiteral("end"));
    qCInfo(lcReplay).noquote() << "replay round" << m_round << "finished:" << m_published
                               << "messages published";
    Q_EMIT roundFinished(m_round);
    if (!m_options.loop) {
        Q_EMIT playingChanged(false);
        Q_EMIT finished();
        return;
    }
    // The next round starts one recording's length after this one started (+1 ms so that a
    // recording of one instant does not spin), on the same clock.
    m_epochNs +=
        qint64(std::llround(double(std::max<qint64>(m_rec->durationUs, 1000)) * 1000.0 / m_options.speed));
    ++m_round;
    m_next = 0;
    publishMarker(QStringLiteral("start"));
    m_timer.start(0);
}

} // namespace Pulseboard
