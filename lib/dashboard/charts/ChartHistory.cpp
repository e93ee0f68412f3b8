#include "ChartHistory.h"

#include "history/HistoryStore.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QPointer>

#include <algorithm>

namespace Pulseboard {

namespace {

bool readable(const HistoryStore *store)
{
    if (!store)
        return false;
    // A full store stopped writing but what it committed reads as before; a damaged one was
    // replaced by a fresh file.
    switch (store->status()) {
    case HistoryStore::Status::Ok:
    case HistoryStore::Status::Damaged:
    case HistoryStore::Status::Full:
        return true;
    default:
        return false;
    }
}

} // namespace

ChartHistory::ChartHistory(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<Pulseboard::ChartHistoryResult>();
}

ChartHistory::~ChartHistory()
{
    stopReader();
}

void ChartHistory::stopReader()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_waiting.clear();
    }
    m_wake.notify_all();
    if (m_reader.joinable())
        m_reader.join();
    std::lock_guard lock(m_mutex);
    m_stop = false;
}

void ChartHistory::setStore(HistoryStore *store, const QString &server)
{
    const bool was = available();
    stopReader();
    {
        std::lock_guard lock(m_mutex);
        m_store = store;
        m_server = server;
    }
    Q_EMIT sourceChanged();
    if (was != available())
        Q_EMIT availableChanged();
}

void ChartHistory::setServer(const QString &server)
{
    const bool was = available();
    {
        std::lock_guard lock(m_mutex);
        if (m_server == server)
            return;
        m_server = server;
        m_waiting.clear();
    }
    Q_EMIT sourceChanged();
    if (was != available())
        Q_EMIT availableChanged();
}

bool ChartHistory::available() const
{
    std::lock_guard lock(m_mutex);
    return readable(m_store) && !m_server.isEmpty();
}

quint64 ChartHistory::newSlot()
{
    return m_nextSlot++;
}

void ChartHistory::request(quint64 slot, const ChartHistoryRequest &request)
{
    {
        std::lock_guard lock(m_mutex);
        if (!readable(m_store) || m_server.isEmpty())
            return;
        m_waiting[slot] = request;
        if (!m_reader.joinable())
            m_reader = std::thread([this] { run(); });
    }
    m_wake.notify_one();
}

void ChartHistory::cancel(quint64 slot)
{
    std::lock_guard lock(m_mutex);
    m_waiting.erase(slot);
}

int ChartHistory::pending() const
{
    std::lock_guard lock(m_mutex);
    return int(m_waiting.size()) + m_reading;
}

void ChartHistory::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || !m_waiting.empty(); });
        if (m_stop)
            return;
        const auto it = m_waiting.begin();
        const quint64 slot = it->first;
        const ChartHistoryRequest request = it->second;
        m_waiting.erase(it);
        const HistoryStore *store = m_store;
        const QString server = m_server;
        ++m_reading;
        lock.unlock();
        ChartHistoryResult result = read(*store, server, request);
        // Handed to the GUI thread; `this` outlives the call: the destructor joins this thread
        // first, and a queued call to a deleted object is dropped.
        QMetaObject::invokeMethod(
            this, [this, slot, result = std::move(result)] { Q_EMIT ready(slot, result); },
            Qt::QueuedConnection);
        lock.lock();
        --m_reading;
    }
}

qint64 ChartHistory::bucketWidth(qint64 columnMs)
{
    columnMs = qMax<qint64>(1, columnMs);
    auto nearest = [columnMs](qint64 tier) { return qMax<qint64>(1, (columnMs + tier / 2) / tier) * tier; };
    if (columnMs >= HistoryStore::kTier1m)
        return nearest(HistoryStore::kTier1m);
    if (columnMs >= HistoryStore::kTier1s)
        return nearest(HistoryStore::kTier1s);
    return columnMs;
}

ChartHistoryResult ChartHistory::read(const HistoryStore &store, const QString &server,
                                      const ChartHistoryRequest &request)
{
    QElapsedTimer timer;
    timer.start();
    ChartHistoryResult result;
    result.ticket = request.ticket;
    result.fromMs = request.fromMs;
    result.toMs = request.toMs;
    result.bucketMs = request.bucketMs;
    const QString source = HistoryStore::sourceName(server, request.channel);
    qint64 id = 0;
    const auto all = store.series();
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (it.value().first == source && it.value().second == request.path) {
            id = it.key();
            break;
        }
    }
    if (id == 0 || !store.range(id, &result.storeFromMs, &result.storeToMs)) {
        result.readUs = timer.nsecsElapsed() / 1000;
        return result;
    }
    result.found = true;
    if (request.toMs > request.fromMs && request.bucketMs > 0 &&
        HistoryStore::tierFor(request.bucketMs) == 0) {
        // Narrower than a second (a short view scrolled back): the raw samples, reduced per bucket
        // as the decimator reduces a column (first, min, max, last in the order they came, each
        // sample once), so a bucket of up to four samples is those samples.
        const QList<HistorySample> raw = store.samples(id, request.fromMs, request.toMs);
        result.samples = raw.size();
        result.points.reserve(qMin<qsizetype>(raw.size(), 4096));
        qsizetype i = 0;
        while (i < raw.size()) {
            const qint64 bucket =
                raw.at(i).timeMs -
                ((raw.at(i).timeMs % request.bucketMs) + request.bucketMs) % request.bucketMs;
            const qsizetype first = i;
            qsizetype minIdx = i, maxIdx = i;
            for (; i < raw.size() && raw.at(i).timeMs < bucket + request.bucketMs; ++i) {
                if (raw.at(i).value < raw.at(minIdx).value)
                    minIdx = i;
                if (raw.at(i).value > raw.at(maxIdx).value)
                    maxIdx = i;
            }
            ++result.buckets;
            const qsizetype picks[4] = {first, qMin(minIdx, maxIdx), qMax(minIdx, maxIdx), i - 1};
            qsizetype previous = -1;
            for (qsizetype p : picks) {
                if (p != previous)
                    result.points.append(QPointF(double(raw.at(p).timeMs), raw.at(p).value));
                previous = p;
            }
        }
    } else if (request.toMs > request.fromMs && request.bucketMs > 0) {
        const QList<HistoryBucket> buckets =
            store.buckets(id, request.fromMs, request.toMs, request.bucketMs);
        result.buckets = int(buckets.size());
        result.points.reserve(buckets.size() * 4);
        for (const HistoryBucket &b : buckets) {
            result.samples += b.count;
            // First, min, max, last as the decimator emits them; the store keeps no time for
            // min and max, so they sit between first and last (the higher one second when the
            // bucket's line ends higher than it starts, so the line does not zig-zag back).
            result.points.append(QPointF(double(b.firstMs), b.first));
            if (b.count > 2) {
                const double mid = double(b.firstMs + (b.lastMs - b.firstMs) / 2);
                const bool rising = b.last >= b.first;
                result.points.append(QPointF(mid, rising ? b.min : b.max));
                result.points.append(QPointF(mid, rising ? b.max : b.min));
            }
            if (b.count > 1)
                result.points.append(QPointF(double(b.lastMs), b.last));
        }
    }
    if (request.toMs > request.fromMs && request.bucketMs > 0) {
        for (const HistoryEvent &e : store.timeline(request.fromMs, request.toMs)) {
            if (e.kind == HistoryEvent::Kind::Outage && e.source == server && e.toMs > e.fromMs)
                result.outages.append({e.fromMs, e.toMs});
        }
    }
    result.readUs = timer.nsecsElapsed() / 1000;
    return result;
}

QList<int> ChartHistory::outageBreaks(const QList<QPointF> &points, const QList<Outage> &outages)
{
    QList<int> breaks;
    if (points.size() < 2)
        return breaks;
    for (const Outage &o : outages) {
        if (o.up <= o.down)
            continue;
        // The edges trimmed as lineBreaks trims them: a sample at the very edge is not data
        // from inside the outage.
        const qint64 margin = qMin<qint64>(1000, (o.up - o.down) / 4);
        const double midFrom = double(o.down + margin);
        const double midTo = double(o.up - margin);
        const auto it = std::upper_bound(points.cbegin(), points.cend(), midFrom,
                                         [](double t, const QPointF &p) { return t < p.x(); });
        const int index = int(it - points.cbegin());
        if (index <= 0 || index >= points.size())
            continue; // no line on one side
        if (points.at(index - 1).x() < midFrom && points.at(index).x() > midTo)
            breaks.append(index);
    }
    std::sort(breaks.begin(), breaks.end());
    breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
    return breaks;
}

} // namespace Pulseboard
