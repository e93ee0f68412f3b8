#include "HistoryRecorder.h"

#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/servers/ProfileStore.h"
#include "protocol/Clock.h"
#include "protocol/JsonView.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

namespace Pulseboard {

namespace {
// The outage from a run's end to the next run's start.
const QString kNotRunning = QStringLiteral("dashboard not running");
} // namespace

class HistoryRecorder::Tap : public SeriesStore::SampleTap
{
public:
    HistoryStore *store = nullptr;
    QHash<QString, qint64> *ids = nullptr;
    const QString *source = nullptr;
    qint64 seq = 0;
    void sample(const QString &path, qint64 t, double value) override
    {
        auto it = ids->find(path);
        if (it == ids->end())
            it = ids->insert(QString(path.constData(), path.size()), store->seriesId(*source, path));
        if (*it > 0)
            store->append(*it, t, seq, value); // a refusal is counted by the store
    }
};

HistoryRecorder::HistoryRecorder(const HistoryOptions &options, QObject *parent)
    : QObject(parent), m_store(std::make_unique<HistoryStore>(options))
{
    m_checkTimer.setInterval(1000);
    connect(&m_checkTimer, &QTimer::timeout, this, &HistoryRecorder::check);
}

HistoryRecorder::~HistoryRecorder() = default;

bool HistoryRecorder::open()
{
    const bool ok = m_store->open();
    m_checkTimer.start();
    check();
    return ok;
}

void HistoryRecorder::check()
{
    const HistoryStore::Status status = m_store->status();
    if (status != m_statusTold) {
        m_statusTold = status;
        if (status != HistoryStore::Status::Ok && status != HistoryStore::Status::Closed)
            Q_EMIT problem(m_store->statusText());
    }
    const quint64 notKept = m_store->isWriting() ? m_store->refusedSamples() + m_store->lostSamples() : 0;
    if (notKept > m_notKeptTold) {
        m_notKeptTold = notKept;
        Q_EMIT problem(QStringLiteral("history behind, %1 samples not kept").arg(notKept));
    }
}

QString HistoryRecorder::serverKey(bool embeddedHub, const QList<QUrl> &endpoints)
{
    if (embeddedHub)
        return QStringLiteral("embedded");
    const QList<QUrl> urls = ProfileStore::normalized(endpoints);
    return urls.isEmpty() ? QString() : urls.constFirst().toString();
}

void HistoryRecorder::setServer(const QString &key)
{
    QMutexLocker locker(&m_serverLock);
    m_server = key;
}

void HistoryRecorder::ingest(SeriesStore *series, const QString &channel, qint64 seq, qint64 t,
                             const JsonView &data)
{
    QString server;
    {
        QMutexLocker locker(&m_serverLock);
        server = m_server;
    }
    if (server.isEmpty() || !m_store->isWriting()) {
        series->ingest(SeriesKey::channel(channel), t, data);
        return;
    }
    const QString source = HistoryStore::sourceName(server, channel);
    Tap tap;
    tap.store = m_store.get();
    tap.ids = &m_ids[source];
    tap.source = &source;
    tap.seq = seq;
    series->ingest(SeriesKey::channel(channel), t, data, &tap);
}

int HistoryRecorder::fill(SeriesStore *series, const QStringList &channels, qint64 nowMs)
{
    QString server;
    {
        QMutexLocker locker(&m_serverLock);
        server = m_server;
    }
    if (server.isEmpty() || !m_store->isWriting())
        return 0;
    const qint64 from = nowMs - series->retentionMs();
    int points = 0;
    const auto all = m_store->series();
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        QString recordedServer, channel;
        if (!HistoryStore::splitSourceName(it.value().first, &recordedServer, &channel) ||
            recordedServer != server || !channels.contains(channel))
            continue;
        const QString &path = it.value().second;
        const SeriesKey key = SeriesKey::channel(channel);
        // Raw samples when they fit the chart's buffer, else 1 s buckets drawn as their first,
        // min, max and last (the decimator's own four points per column).
        const QList<HistoryBucket> seconds = m_store->buckets(it.key(), from, nowMs, HistoryStore::kTier1s);
        qint64 count = 0;
        for (const HistoryBucket &b : seconds)
            count += b.count;
        if (count <= series->capacityPerSeries()) {
            for (const HistorySample &s : m_store->samples(it.key(), from, nowMs)) {
                series->addSample(key, path, s.timeMs, s.value);
                ++points;
            }
            continue;
        }
        for (const HistoryBucket &b : seconds) {
            series->addSample(key, path, b.firstMs, b.first);
            ++points;
            if (b.count > 2) {
                const qint64 mid = b.firstMs + (b.lastMs - b.firstMs) / 2;
                series->addSample(key, path, mid, b.min);
                series->addSample(key, path, mid, b.max);
                points += 2;
            }
            if (b.count > 1) {
                series->addSample(key, path, b.lastMs, b.last);
                ++points;
            }
        }
    }
    // Line breaks: the outages stored, then the time between the previous run's end and now.
    for (const HistoryEvent &e : m_store->timeline(from, nowMs)) {
        if (e.kind != HistoryEvent::Kind::Outage || e.source != server)
            continue;
        series->noteConnectionLost(e.fromMs);
        series->noteConnectionBack(e.toMs);
    }
    const qint64 stoppedAt = m_store->newestTime();
    if (stoppedAt > 0 && stoppedAt < nowMs) {
        series->noteConnectionLost(stoppedAt);
        series->noteConnectionBack(nowMs);
        m_store->appendEvent({HistoryEvent::Kind::Outage, stoppedAt, nowMs, server, kNotRunning});
    }
    return points;
}

int HistoryRecorder::attachAlerts(AlertListModel *alerts, qint64 nowMs)
{
    if (!m_store->isWriting())
        return 0;
    const qint64 stoppedAt = m_store->newestTime();
    const qint64 maxAge = m_store->options().maxAgeMs;
    QList<AlertListModel::PastEvent> past;
    int read = 0;
    for (const HistoryEvent &e : m_store->timeline(maxAge > 0 ? nowMs - maxAge : 0, nowMs + 1)) {
        // A run's end: its "stopped" state at quit, or (after a crash) the time the next run found
        // it had stopped at.
        if ((e.kind == HistoryEvent::Kind::State && e.detail == QLatin1StringView("stopped")) ||
            (e.kind == HistoryEvent::Kind::Outage && e.detail == kNotRunning)) {
            AlertListModel::PastEvent stop;
            stop.runStopped = true;
            stop.event.ts = e.fromMs;
            past.append(stop);
            continue;
        }
        if (e.kind != HistoryEvent::Kind::Alert)
            continue;
        ++read;
        const QJsonObject o = QJsonDocument::fromJson(e.detail.toUtf8()).object();
        AlertListModel::PastEvent p;
        QString why;
        if (o.value(QLatin1StringView("state")) == QLatin1StringView("acknowledged")) {
            p.event.rule = o.value(QLatin1StringView("rule")).toString();
            p.event.ts = qint64(o.value(QLatin1StringView("ts")).toDouble());
            p.acknowledgedMs = qint64(o.value(QLatin1StringView("at")).toDouble());
            p.note = o.value(QLatin1StringView("note")).toString();
        } else if (!alertEventFromJson(o, &p.event, &why)) {
            Q_EMIT problem(QStringLiteral("a stored alert was not read back (%1)").arg(why));
            continue;
        }
        past.append(p);
    }
    alerts->restore(past, stoppedAt);
    auto record = [this](const QString &rule, qint64 t, const QJsonObject &line) {
        m_store->appendEvent({HistoryEvent::Kind::Alert, t, t, rule,
                              QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact))});
    };
    connect(alerts, &AlertListModel::eventAdded, this,
            [record](const AlertEvent &event) { record(event.rule, event.ts, alertEventJson(event)); });
    connect(alerts, &AlertListModel::acknowledged, this,
            [record](const AlertEvent &raised, qint64 atMs, const QString &note) {
                record(raised.rule, atMs,
                       QJsonObject{{QStringLiteral("event"), QStringLiteral("alert")},
                                   {QStringLiteral("state"), QStringLiteral("acknowledged")},
                                   {QStringLiteral("rule"), raised.rule},
                                   {QStringLiteral("ts"), double(raised.ts)},
                                   {QStringLiteral("at"), double(atMs)},
                                   {QStringLiteral("note"), note}});
            });
    return read;
}

void HistoryRecorder::attach(ConnectionMirror *mirror)
{
    m_mirror = mirror;
    connect(mirror, &ConnectionMirror::stateChanged, this, [this](ConnectionManager::State state) {
        QString server;
        {
            QMutexLocker locker(&m_serverLock);
            server = m_server;
        }
        const qint64 now = Clock::current().wallMs();
        m_store->appendEvent(
            {HistoryEvent::Kind::State, now, now, server, ConnectionManager::stateName(state)});
        const bool open = state == ConnectionManager::Open;
        if (!open && m_wasOpen)
            m_downSince = now;
        if (open && m_downSince > 0) {
            m_store->appendEvent({HistoryEvent::Kind::Outage, m_downSince, now, server, QString()});
            m_downSince = 0;
        }
        m_wasOpen = open;
    });
    connect(mirror, &ConnectionMirror::gapDetected, this,
            [this](const QString &channel, qint64 fromSeq, qint64 toSeq, const QString &reason) {
                const qint64 now = Clock::current().wallMs();
                m_store->appendEvent({HistoryEvent::Kind::Gap, now, now, channel,
                                      QStringLiteral("seq %1..%2 %3").arg(fromSeq).arg(toSeq).arg(reason)});
            });
}

void HistoryRecorder::stop(qint64 nowMs)
{
    QString server;
    {
        QMutexLocker locker(&m_serverLock);
        server = m_server;
    }
    if (m_downSince > 0)
        m_store->appendEvent({HistoryEvent::Kind::Outage, m_downSince, nowMs, server, QString()});
    m_downSince = 0;
    m_store->appendEvent({HistoryEvent::Kind::State, nowMs, nowMs, server, QStringLiteral("stopped")});
    m_store->flush();
}

} // namespace Pulseboard
