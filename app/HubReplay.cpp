#include "HubReplay.h"

#include "history/HistoryStore.h"
#include "hub/HubServer.h"
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

HubReplay::HubReplay(HubServer *hub, Options options, QObject *parent)
    : QObject(parent), m_hub(hub), m_options(std::move(options))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &HubReplay::tick);
    m_waitTimer.setInterval(10);
    connect(&m_waitTimer, &QTimer::timeout, this, [this] {
        for (const QString &channel : std::as_const(m_channels)) {
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
    const QString &path = m_options.path;
    if (!QFileInfo(path).isFile()) {
        *error = QStringLiteral("no recording at %1").arg(path);
        return false;
    }
    HistoryOptions storeOptions;
    storeOptions.path = path;
    HistoryStore store(storeOptions);
    if (!store.openForReading(error))
        return false;
    const QString check = store.integrityCheck();
    if (check != QLatin1StringView("ok")) {
        *error = QStringLiteral("cannot read %1: it is damaged (%2)")
                     .arg(path, check.isEmpty() ? QStringLiteral("integrity check failed")
                                                : check.section(QLatin1Char('\n'), 0, 0));
        return false;
    }
    const QHash<QString, QString> info = store.recordingInfo();
    QHash<QString, int> index;
    QString why;
    bool bad = false;
    const bool read = store.forEachFrame(
        [&](const HistoryFrame &frame) {
            auto it = index.constFind(frame.channel);
            if (it == index.cend()) {
                it = index.insert(frame.channel, int(m_channels.size()));
                m_channels.append(frame.channel);
            }
            QJsonValue data(QJsonValue::Null);
            if (!frame.data.isEmpty()) {
                std::optional<QJsonValue> parsed = parseJsonValue(frame.data);
                if (!parsed) {
                    why = QStringLiteral("message %1 on %2 holds no JSON data")
                              .arg(m_messages + 1)
                              .arg(frame.channel);
                    bad = true;
                    return false;
                }
                data = *parsed;
            }
            m_items.push_back({std::max<qint64>(0, frame.offsetUs), *it, data});
            ++m_messages;
            return true;
        },
        &why);
    if (!read || bad) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, why);
        return false;
    }
    if (m_messages == 0) {
        *error = info.isEmpty() ? QStringLiteral("%1 holds no recording").arg(path)
                                : QStringLiteral("%1 is a recording without messages").arg(path);
        return false;
    }
    // The timeline at its times: wall times against the recording's start (a state or gap when it
    // happened, an outage when it ended, as a client learns of it).
    const qint64 startedMs = info.value(QStringLiteral("started")).toLongLong();
    if (startedMs > 0) {
        static const char *const kinds[] = {"state", "outage", "gap", "alert"};
        for (const HistoryEvent &e :
             store.timeline(std::numeric_limits<qint64>::min() / 2, std::numeric_limits<qint64>::max() / 2)) {
            const int kind = int(e.kind);
            const qint64 at = e.kind == HistoryEvent::Kind::Outage ? e.toMs : e.fromMs;
            QJsonObject data{
                {QStringLiteral("kind"), QLatin1StringView(kind >= 0 && kind < 4 ? kinds[kind] : "event")},
                {QStringLiteral("at"), double(e.fromMs)},
                {QStringLiteral("source"), e.source},
                {QStringLiteral("detail"), e.detail},
                {QStringLiteral("recorded"), true}};
            if (e.toMs != e.fromMs)
                data.insert(QStringLiteral("to"), double(e.toMs));
            m_items.push_back({std::max<qint64>(0, (at - startedMs) * 1000), -1, data});
        }
    }
    // Messages keep the order they arrived in (their offsets, taken on one monotonic clock on one
    // thread, never decrease; the sort is stable); timeline entries, timed by the wall clock, go
    // among them by time, after the messages of the same microsecond.
    std::stable_sort(m_items.begin(), m_items.end(),
                     [](const Item &a, const Item &b) { return a.offsetUs < b.offsetUs; });
    m_durationUs = std::max(info.value(QStringLiteral("durationUs")).toLongLong(), m_items.back().offsetUs);
    return true;
}

void HubReplay::start()
{
    m_clock.start();
    qCInfo(lcReplay).noquote() << "replaying" << m_options.path << ":" << m_messages << "messages on"
                               << m_channels.size() << "channels over" << double(m_durationUs) / 1e6 << "s at"
                               << m_options.speed << "x" << (m_options.loop ? "(looping)" : "");
    if (m_options.whenSubscribed) {
        qCInfo(lcReplay).noquote() << "waiting for a subscriber on each of"
                                   << m_channels.join(QStringLiteral(", "));
        m_waitTimer.start();
        return;
    }
    beginRound();
}

void HubReplay::beginRound()
{
    if (m_round == 0)
        m_epochNs = m_clock.nsecsElapsed();
    ++m_round;
    m_next = 0;
    publishMarker(QStringLiteral("start"));
    tick();
}

void HubReplay::publishMarker(const QString &state)
{
    m_hub->publish(kTimelineChannel, QJsonObject{{QStringLiteral("kind"), QStringLiteral("replay")},
                                                 {QStringLiteral("state"), state},
                                                 {QStringLiteral("round"), m_round},
                                                 {QStringLiteral("speed"), m_options.speed},
                                                 {QStringLiteral("messages"), double(m_messages)}});
}

void HubReplay::tick()
{
    const qint64 nowNs = m_clock.nsecsElapsed();
    int passed = 0;
    while (m_next < m_items.size()) {
        const Item &item = m_items[m_next];
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
        m_hub->publish(item.channel < 0 ? kTimelineChannel : m_channels.at(item.channel), item.data);
        if (item.channel >= 0)
            ++m_published;
        ++m_next;
        ++passed;
    }
    publishMarker(QStringLiteral("end"));
    qCInfo(lcReplay).noquote() << "replay round" << m_round << "finished:" << m_published
                               << "messages published";
    Q_EMIT roundFinished(m_round);
    if (!m_options.loop) {
        Q_EMIT finished();
        return;
    }
    // The next round starts one recording's length after this one started (+1 ms so that a
    // recording of one instant does not spin), on the same clock.
    m_epochNs +=
        qint64(std::llround(double(std::max<qint64>(m_durationUs, 1000)) * 1000.0 / m_options.speed));
    ++m_round;
    m_next = 0;
    publishMarker(QStringLiteral("start"));
    m_timer.start(0);
}

} // namespace Pulseboard
