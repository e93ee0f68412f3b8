#include "ChartFeeder.h"

#include "Decimator.h"
#include "DisplayClock.h"
#include "SeriesStore.h"
#include "protocol/Clock.h"

#include "PlotLayer.h"

#include <QColor>

#include <algorithm>
#include <iterator>
#include <limits>

#include <cmath>

namespace Pulseboard {

namespace {

qint64 floorTo(qint64 t, qint64 step)
{
    qint64 q = t / step;
    if (t % step != 0 && t < 0)
        --q;
    return q * step;
}

qint64 ceilTo(qint64 t, qint64 step)
{
    const qint64 f = floorTo(t, step);
    return f == t ? t : f + step;
}

} // namespace

ChartFeeder::ChartFeeder(QObject *parent) : QObject(parent)
{
    m_viewEnd = Clock::current().wallMs();
    m_lastNow = m_viewEnd;
}

ChartFeeder::~ChartFeeder() = default;

void ChartFeeder::setStore(SeriesStore *store)
{
    if (m_store == store)
        return;
    m_store = store;
    m_dirty = true;
    Q_EMIT storeChanged();
}

void ChartFeeder::setClock(DisplayClock *clock)
{
    if (m_clock == clock)
        return;
    if (m_clock)
        m_clock->disconnect(this);
    m_clock = clock;
    if (clock) {
        connect(clock, &DisplayClock::ticked, this, [this](qint64 now) { tick(now); });
        m_viewEnd = clock->nowMs();
    }
    Q_EMIT clockChanged();
}

void ChartFeeder::setHistory(ChartHistory *history)
{
    if (m_history == history)
        return;
    if (m_history) {
        for (const Binding &b : std::as_const(m_bindings))
            if (b.slot)
                m_history->cancel(b.slot);
        m_history->disconnect(this);
    }
    m_history = history;
    for (Binding &b : m_bindings)
        b.slot = 0;
    if (history) {
        connect(history, &ChartHistory::ready, this, &ChartFeeder::historyReady);
        connect(history, &ChartHistory::sourceChanged, this, &ChartFeeder::forgetHistory);
        connect(history, &ChartHistory::availableChanged, this, &ChartFeeder::historyChanged);
    }
    forgetHistory();
    Q_EMIT historyChanged();
}

bool ChartFeeder::historyPending() const
{
    for (const Binding &b : m_bindings)
        if (b.waiting)
            return true;
    return false;
}

void ChartFeeder::forgetHistory()
{
    const bool wasPending = historyPending();
    for (Binding &b : m_bindings) {
        b.ticket = 0;
        b.askFrom = b.askTo = b.askBucket = 0;
        b.rangeAsked = false;
        b.waiting = false;
        b.haveStore = false;
        b.gotFrom = b.gotTo = 0;
        b.storeStart = 0;
        b.storePoints.clear();
        b.storeOutages.clear();
        b.storeSamples = 0;
    }
    if (wasPending)
        Q_EMIT historyStateChanged();
    m_dirty = true;
    tick(m_clock ? m_clock->nowMs() : m_lastNow, true);
}

void ChartFeeder::historyReady(quint64 slot, const ChartHistoryResult &result)
{
    Binding *found = nullptr;
    for (Binding &b : m_bindings)
        if (b.slot == slot && !b.series.isNull())
            found = &b;
    // A result for a range no longer asked (the view moved on, or the line went) is dropped.
    if (!found || result.ticket != found->ticket)
        return;
    Binding &b = *found;
    b.waiting = false;
    b.storeStart = result.found ? result.storeFromMs : 0;
    if (result.toMs > result.fromMs) {
        b.haveStore = true;
        b.gotFrom = result.fromMs;
        b.gotTo = result.toMs;
        b.storePoints = result.points;
        b.storeOutages = result.outages;
        b.storeSamples = result.samples;
    }
    ++m_historyReads;
    Q_EMIT historyStateChanged();
    m_dirty = true;
    tick(m_clock ? m_clock->nowMs() : m_lastNow, true);
}

QList<QPointF> ChartFeeder::pointsOf(int index) const
{
    return index >= 0 && index < m_bindings.size() ? m_bindings.at(index).lastPoints : QList<QPointF>();
}

QList<int> ChartFeeder::breaksOf(int index) const
{
    return index >= 0 && index < m_bindings.size() ? m_bindings.at(index).lastBreaks : QList<int>();
}

void ChartFeeder::setWindowMs(int ms)
{
    ms = qMax(1000, ms);
    if (m_windowMs == ms)
        return;
    m_windowMs = ms;
    m_dirty = true;
    Q_EMIT windowMsChanged();
    refresh();
}

void ChartFeeder::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    m_pausedAt = m_clock ? m_clock->nowMs() : Clock::current().wallMs();
    if (!paused && m_scrollBackMs != 0) {
        m_scrollBackMs = 0;
        Q_EMIT scrollBackMsChanged();
    }
    m_dirty = true;
    Q_EMIT pausedChanged();
    refresh();
}

void ChartFeeder::setScrollBackMs(qint64 ms)
{
    ms = qMax<qint64>(0, ms);
    if (m_scrollBackMs == ms)
        return;
    m_scrollBackMs = ms;
    m_dirty = true;
    Q_EMIT scrollBackMsChanged();
    refresh();
}

void ChartFeeder::setColumns(int columns)
{
    columns = qBound(10, columns, 8192);
    if (m_columns == columns)
        return;
    m_columns = columns;
    m_dirty = true;
    Q_EMIT columnsChanged();
}

void ChartFeeder::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged();
    if (active)
        refresh();
}

void ChartFeeder::setYFrom(const QVariant &v)
{
    if (m_yFrom == v)
        return;
    m_yFrom = v;
    m_dirty = true;
    Q_EMIT yFromChanged();
}

void ChartFeeder::setYTo(const QVariant &v)
{
    if (m_yTo == v)
        return;
    m_yTo = v;
    m_dirty = true;
    Q_EMIT yToChanged();
}

void ChartFeeder::setFixedEndMs(qint64 ms)
{
    ms = qMax<qint64>(0, ms);
    if (m_fixedEndMs == ms)
        return;
    m_fixedEndMs = ms;
    m_dirty = true;
    Q_EMIT fixedEndMsChanged();
    refresh();
}

void ChartFeeder::setMaxYTicks(int n)
{
    n = qBound(2, n, 20);
    if (m_maxYTicks == n)
        return;
    m_maxYTicks = n;
    m_dirty = true;
    Q_EMIT maxYTicksChanged();
    refresh();
}

void ChartFeeder::setMaxTimeTicks(int n)
{
    n = qBound(2, n, 30);
    if (m_maxTimeTicks == n)
        return;
    m_maxTimeTicks = n;
    Q_EMIT maxTimeTicksChanged();
    updateTimeTicks();
}

void ChartFeeder::attach(PlotLine *series, const QString &source, const QString &path, const QString &origin)
{
    if (!series) {
        qWarning("ChartFeeder.attach: no line");
        return;
    }
    SeriesKey key(source);
    if (!SeriesKey::originFromName(origin, &key.origin)) {
        qWarning("ChartFeeder.attach: origin must be \"channel\" or \"dashboard\", got '%s'",
                 qPrintable(origin));
        return;
    }
    detach(series);
    Binding b;
    b.series = series;
    b.source = key;
    b.path = path;
    m_bindings.append(b);
    m_dirty = true;
    refresh();
}

void ChartFeeder::detach(PlotLine *series)
{
    for (const Binding &b : std::as_const(m_bindings))
        if (b.slot && m_history && (b.series == series || b.series.isNull()))
            m_history->cancel(b.slot);
    m_bindings.removeIf([series](const Binding &b) { return b.series == series || b.series.isNull(); });
}

void ChartFeeder::clear()
{
    for (const Binding &b : std::as_const(m_bindings))
        if (b.slot && m_history)
            m_history->cancel(b.slot);
    m_bindings.clear();
    m_pointCount = 0;
    m_sampleCount = 0;
    Q_EMIT updated();
}

void ChartFeeder::refresh()
{
    tick(m_clock ? m_clock->nowMs() : Clock::current().wallMs(), true);
}

QVariantList ChartFeeder::boundSeries() const
{
    QVariantList list;
    for (const Binding &b : m_bindings)
        list.append(QVariantMap{{QStringLiteral("source"), b.source.name},
                                {QStringLiteral("path"), b.path},
                                {QStringLiteral("origin"), b.source.originName()}});
    return list;
}

QVariantMap ChartFeeder::entryFor(const Binding &b) const
{
    const PlotLine *series = b.series.data();
    return QVariantMap{{QStringLiteral("source"), b.source.name},
                       {QStringLiteral("path"), b.path},
                       {QStringLiteral("name"), series ? series->name() : QString()},
                       {QStringLiteral("color"), series ? series->color() : QColor()},
                       {QStringLiteral("found"), false},
                       {QStringLiteral("t"), QVariant()},
                       {QStringLiteral("value"), QVariant()}};
}

QVariantList ChartFeeder::valuesAt(double tMs, double toleranceMs) const
{
    QVariantList list;
    const qint64 t = qint64(std::llround(tMs));
    for (const Binding &b : m_bindings) {
        if (b.series.isNull())
            continue;
        QVariantMap entry = entryFor(b);
        const QMutexLocker locker(m_store ? m_store->lock() : nullptr);
        const StreamBuffer *buffer = m_store ? m_store->buffer(b.source, b.path) : nullptr;
        if (buffer && !buffer->isEmpty()) {
            // The first sample at or after t, and the one before it: the nearer wins (the
            // earlier on a tie).
            const int after = buffer->lowerBound(t);
            int best = -1;
            if (after < buffer->size())
                best = after;
            if (after > 0 && (best < 0 || t - buffer->at(after - 1).t <= buffer->at(after).t - t))
                best = after - 1;
            if (best >= 0 && double(qAbs(buffer->at(best).t - t)) <= toleranceMs) {
                entry.insert(QStringLiteral("found"), true);
                entry.insert(QStringLiteral("t"), double(buffer->at(best).t));
                entry.insert(QStringLiteral("value"), buffer->at(best).v);
            }
        }
        list.append(entry);
    }
    return list;
}

QVariantList ChartFeeder::valuesAsOf(double tMs) const
{
    QVariantList list;
    const qint64 t = qint64(std::floor(tMs));
    for (const Binding &b : m_bindings) {
        if (b.series.isNull())
            continue;
        QVariantMap entry = entryFor(b);
        const QMutexLocker locker(m_store ? m_store->lock() : nullptr);
        const StreamBuffer *buffer = m_store ? m_store->buffer(b.source, b.path) : nullptr;
        if (buffer && !buffer->isEmpty()) {
            // The last sample with time <= t sits just before the first one after t.
            const int after = buffer->lowerBound(t + 1);
            if (after > 0) {
                entry.insert(QStringLiteral("found"), true);
                entry.insert(QStringLiteral("t"), double(buffer->at(after - 1).t));
                entry.insert(QStringLiteral("value"), buffer->at(after - 1).v);
            }
        }
        list.append(entry);
    }
    return list;
}

void ChartFeeder::tick(qint64 nowMs, bool force)
{
    if (!m_active && !force)
        return;
    m_lastNow = nowMs;
    const qint64 end = m_fixedEndMs > 0 ? m_fixedEndMs : (m_paused ? m_pausedAt : nowMs) - m_scrollBackMs;
    if (end != m_viewEnd || m_timeTickList.isEmpty() || m_ticksWindowMs != m_windowMs) {
        m_viewEnd = end;
        m_ticksWindowMs = m_windowMs;
        updateTimeTicks();
        Q_EMIT rangeChanged();
    }
    if (!m_store)
        return;
    const qint64 start = end - m_windowMs;
    const qint64 columnMs = qMax<qint64>(1, m_windowMs / m_columns);
    const bool history = m_history && m_history->available();
    const bool pendingBefore = historyPending();
    int historyPoints = 0;

    const bool outagesMoved = m_store->outageRevision() != m_outageRevision;
    m_outageRevision = m_store->outageRevision();
    bool changed = false;
    int points = 0;
    int samples = 0;
    qint64 newest = 0;
    qint64 oldest = 0;
    bool haveRange = false;
    double lo = 0;
    double hi = 0;
    for (Binding &b : m_bindings) {
        PlotLine *series = b.series.data();
        if (!series)
            continue;
        // Held while this series is read and decimated: messages are stored meanwhile on the
        // network thread (SeriesStore).
        const QMutexLocker locker(m_store->lock());
        const StreamBuffer *buffer = m_store->buffer(b.source, b.path);
        const quint64 revision = buffer ? buffer->revision() : 0;
        const qint64 ramStart = buffer && !buffer->isEmpty() ? buffer->at(0).t : 0;
        if (buffer && !buffer->isEmpty()) {
            newest = qMax(newest, buffer->last().t);
            oldest = oldest == 0 ? buffer->at(0).t : qMin(oldest, buffer->at(0).t);
        }
        if (b.storeStart > 0)
            oldest = oldest == 0 ? b.storeStart : qMin(oldest, b.storeStart);
        // The view reaches before the rings: the part before comes from the store, in buckets of
        // the live column width on its tier grid, up to the first grid time at or after the
        // rings' oldest sample (the rings draw from there on).
        const bool reaches = history && b.source.isChannel() && (ramStart == 0 || start < ramStart);
        if (history && b.source.isChannel()) {
            if (b.slot == 0)
                b.slot = m_history->newSlot();
            ChartHistoryRequest ask;
            ask.channel = b.source.name;
            ask.path = b.path;
            if (reaches) {
                const qint64 bucket = ChartHistory::bucketWidth(columnWidth(start, end, m_columns));
                ask.bucketMs = bucket;
                ask.fromMs = floorTo(start, bucket) - bucket; // one bucket before: the line runs to the edge
                ask.toMs = ceilTo(end, bucket) + bucket;
                if (ramStart > 0)
                    ask.toMs = qMin(ask.toMs, ceilTo(ramStart, bucket));
            }
            const bool moved =
                reaches && (ask.fromMs != b.askFrom || ask.toMs != b.askTo || ask.bucketMs != b.askBucket);
            if (moved || !b.rangeAsked) {
                // Only the range the store holds, for a view inside the rings (the scroll's reach).
                ask.ticket = m_nextTicket++;
                b.ticket = ask.ticket;
                b.askFrom = ask.fromMs;
                b.askTo = ask.toMs;
                b.askBucket = ask.bucketMs;
                b.rangeAsked = true;
                b.waiting = true;
                m_history->request(b.slot, ask);
            }
        }
        const bool stale = m_dirty || revision != b.revision || outagesMoved ||
                           b.decimatedWindow != m_windowMs || b.decimatedColumns != m_columns ||
                           qAbs(end - b.decimatedEnd) >= columnMs;
        if (stale) {
            DecimationStats stats;
            QList<int> storeBreaks;
            QList<QPointF> pts;
            b.historyPoints = 0;
            if (reaches && b.haveStore)
                pts = mergedPoints(b, buffer, start, end, columnMs, &stats, &storeBreaks);
            else if (buffer)
                pts = decimate(*buffer, start, end, m_columns, &stats);
            feedLine(b, std::move(pts), buffer, storeBreaks);
            b.revision = revision;
            b.decimatedEnd = end;
            b.decimatedWindow = m_windowMs;
            b.decimatedColumns = m_columns;
            b.points = stats.emitted;
            b.samples = stats.inWindow;
            b.hasRange = stats.emitted > 0;
            b.lo = stats.minY;
            b.hi = stats.maxY;
            changed = true;
        }
        points += b.points;
        samples += b.samples;
        historyPoints += b.historyPoints;
        if (b.hasRange && series->isVisible()) {
            lo = haveRange ? qMin(lo, b.lo) : b.lo;
            hi = haveRange ? qMax(hi, b.hi) : b.hi;
            haveRange = true;
        }
    }
    m_dirty = false;

    if (!haveRange) {
        lo = 0;
        hi = 1;
    }
    if (m_yFrom.isValid() && !m_yFrom.isNull())
        lo = qMin(lo, m_yFrom.toDouble());
    if (m_yTo.isValid() && !m_yTo.isNull())
        hi = qMax(hi, m_yTo.toDouble());
    double yMin = 0;
    double yMax = 1;
    int ticks = 5;
    niceRange(lo, hi, &yMin, &yMax, &ticks, m_maxYTicks);
    // A configured bound is kept exactly (0..100 % stays 0..100 unless data leaves it).
    bool exact = false;
    if (m_yFrom.isValid() && !m_yFrom.isNull() && lo >= m_yFrom.toDouble()) {
        yMin = m_yFrom.toDouble();
        exact = true;
    }
    if (m_yTo.isValid() && !m_yTo.isNull() && hi <= m_yTo.toDouble()) {
        yMax = m_yTo.toDouble();
        exact = true;
    }
    if (exact)
        ticks = int(valueTicks(yMin, yMax, m_maxYTicks).size());
    if (yMin != m_yMin || yMax != m_yMax || ticks != m_yTicks || m_yTickList.isEmpty()) {
        m_yMin = yMin;
        m_yMax = yMax;
        m_yTicks = ticks;
        updateYTicks();
        Q_EMIT yRangeChanged();
    }
    if (pendingBefore != historyPending())
        Q_EMIT historyStateChanged();
    if (changed || points != m_pointCount || newest != m_lastSampleMs || oldest != m_historyStartMs) {
        m_historyPointCount = historyPoints;
        m_pointCount = points;
        m_sampleCount = samples;
        m_lastSampleMs = newest;
        m_historyStartMs = oldest;
        Q_EMIT updated();
    }
}

void ChartFeeder::feedLine(Binding &b, QList<QPointF> points, const StreamBuffer *buffer, QList<int> breaks)
{
    PlotLine *line = b.series.data();
    if (line->kind() != PlotLine::Line) {
        breaks.clear();
    } else if (const QList<Outage> &outages = m_store->outagesOf(b.source); buffer && !outages.isEmpty()) {
        // The rings' outages, over the rings' part only (the store's part has its own).
        const int offset = b.historyPoints;
        const QList<QPointF> ramPart = offset > 0 ? points.mid(offset) : points;
        for (int i : lineBreaks(*buffer, ramPart, outages))
            breaks.append(i + offset);
        std::sort(breaks.begin(), breaks.end());
        breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
    }
    b.lastPoints = points;
    b.lastBreaks = breaks;
    line->setPoints(std::move(points), std::move(breaks));
    ++m_replaceCount;
}

QList<QPointF> ChartFeeder::mergedPoints(Binding &b, const StreamBuffer *buffer, qint64 start, qint64 end,
                                         qint64 columnMs, DecimationStats *stats, QList<int> *breaks)
{
    Q_UNUSED(columnMs);
    const QList<QPointF> &stored = b.storePoints;
    // The store's points of the view, with one neighbour each side (the line runs to the edges).
    auto first = std::lower_bound(stored.cbegin(), stored.cend(), double(start),
                                  [](const QPointF &p, double t) { return p.x() < t; });
    if (first != stored.cbegin())
        --first;
    const auto afterEnd = std::upper_bound(stored.cbegin(), stored.cend(), double(end),
                                           [](double t, const QPointF &p) { return t < p.x(); });
    const auto last = afterEnd != stored.cend() ? afterEnd + 1 : afterEnd;
    QList<QPointF> out;
    out.reserve(int(last - first) + 4 * m_columns + 8);
    if (first < last)
        out.append(QList<QPointF>(first, last));
    b.historyPoints = int(out.size());
    // The rings' part starts after the store's last sample (the store read up to a grid time at
    // or after the rings' oldest sample, so that is where the rings take over), or at their oldest
    // sample when the store holds nothing that recent (a writer not caught up, another server):
    // never a sample from both, none left out.
    DecimationStats ram;
    if (buffer && !buffer->isEmpty()) {
        const qint64 storeLast =
            stored.isEmpty() ? std::numeric_limits<qint64>::min() : qint64(stored.last().x());
        const qint64 from = qMax(storeLast + 1, buffer->at(0).t);
        if (from <= end) {
            // As many columns as the part spans: a short part of many samples is decimated too.
            const qint64 width = columnWidth(start, end, m_columns);
            const int partColumns = int(qMax<qint64>(1, (end - from + width - 1) / width));
            out.append(decimatePart(*buffer, from, end, partColumns, width, &ram));
        } else if (afterEnd == stored.cend() && b.gotTo >= buffer->at(0).t) {
            // The view ends before the rings and the store, read up to them, has nothing after
            // the view: the rings' oldest sample carries the line to the edge.
            out.append(QPointF(double(buffer->at(0).t), buffer->at(0).v));
        }
    }
    stats->inWindow = ram.inWindow + int(qMin<qint64>(b.storeSamples, std::numeric_limits<int>::max() / 2));
    stats->emitted = int(out.size());
    for (int i = 0; i < out.size(); ++i) {
        const double v = out.at(i).y();
        stats->minY = i == 0 ? v : qMin(stats->minY, v);
        stats->maxY = i == 0 ? v : qMax(stats->maxY, v);
    }
    *breaks = ChartHistory::outageBreaks(out, b.storeOutages);
    return out;
}

void ChartFeeder::updateYTicks()
{
    double step = 1;
    const QList<double> values = valueTicks(m_yMin, m_yMax, m_maxYTicks, &step);
    const double magnitude = qMax(std::abs(m_yMin), std::abs(m_yMax));
    m_yTickList.clear();
    for (double v : values)
        m_yTickList.append(QVariantMap{{QStringLiteral("value"), v},
                                       {QStringLiteral("label"), formatTick(v, step, magnitude)}});
}

void ChartFeeder::updateTimeTicks()
{
    qint64 step = 0;
    const QList<qint64> times = timeTickTimes(m_viewEnd - m_windowMs, m_viewEnd, m_maxTimeTicks, &step);
    if (times == m_timeTickTimes && !m_timeTickList.isEmpty())
        return;
    m_timeTickTimes = times;
    m_timeTickList.clear();
    // A day's step names the day (a week's window), a minute's the time, a second's the seconds.
    const QString format = step >= 86400000 ? QStringLiteral("ddd d")
                           : step >= 60000  ? QStringLiteral("HH:mm")
                                            : QStringLiteral("HH:mm:ss");
    for (qint64 t : times)
        m_timeTickList.append(
            QVariantMap{{QStringLiteral("t"), double(t)},
                        {QStringLiteral("label"), QDateTime::fromMSecsSinceEpoch(t).toString(format)}});
    if (m_timeTickList.isEmpty()) // never empty, so an empty list means "not computed yet"
        m_timeTickList.append(
            QVariantMap{{QStringLiteral("t"), double(m_viewEnd)}, {QStringLiteral("label"), QString()}});
    Q_EMIT timeTicksChanged();
}

double ChartFeeder::niceStep(double span, int maxSteps)
{
    maxSteps = qMax(1, maxSteps);
    if (!(span > 0) || !std::isfinite(span))
        return 1;
    const double rough = span / maxSteps;
    double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    static constexpr double kMultiples[] = {1, 2, 2.5, 5, 10};
    for (;;) {
        for (double m : kMultiples) {
            const double step = m * magnitude;
            // A little slack: 100 / 50 is 2 steps, whatever the rounding says.
            if (span / step <= maxSteps * (1 + 1e-9))
                return step;
        }
        magnitude *= 10;
    }
}

QList<double> ChartFeeder::valueTicks(double lo, double hi, int maxTicks, double *stepOut)
{
    QList<double> ticks;
    if (!std::isfinite(lo) || !std::isfinite(hi) || hi <= lo) {
        if (stepOut)
            *stepOut = 1;
        if (std::isfinite(lo))
            ticks.append(lo);
        return ticks;
    }
    maxTicks = qMax(2, maxTicks);
    double step = niceStep(hi - lo, maxTicks - 1);
    for (;;) {
        const double first = std::ceil(lo / step - 1e-9);
        const double last = std::floor(hi / step + 1e-9);
        if (last - first + 1 <= maxTicks) {
            for (double i = first; i <= last; ++i) {
                const double v = i * step;
                ticks.append(v == 0 ? 0.0 : v); // no "-0"
            }
            break;
        }
        step = niceStep(step * 1.01, 1); // the next nice step up
    }
    if (stepOut)
        *stepOut = step;
    return ticks;
}

QString ChartFeeder::formatTick(double v, double step, double magnitude)
{
    // Above 10 000 and below 0.01 the axis counts in thousands (k, M, G, T, P) or thousandths
    // (m, micro): "25G" fits where "25000000000" or "2.5e+10" would not.
    static constexpr double kScales[] = {1e15, 1e12, 1e9, 1e6, 1e3, 1, 1e-3, 1e-6};
    static const QString kSuffixes[] = {QStringLiteral("P"), QStringLiteral("T"),   QStringLiteral("G"),
                                        QStringLiteral("M"), QStringLiteral("k"),   QString(),
                                        QStringLiteral("m"), QString(QChar(0x00b5))};
    double scale = 1;
    QString suffix;
    magnitude = std::abs(magnitude);
    if (magnitude >= 1e4 || (magnitude > 0 && magnitude < 1e-2)) {
        for (size_t i = 0; i < std::size(kScales); ++i) {
            if (magnitude >= kScales[i] || i + 1 == std::size(kScales)) {
                scale = kScales[i];
                suffix = kSuffixes[i];
                break;
            }
        }
    }
    // As many decimals as the step needs to tell neighbours apart (2.5 -> 1, 0.25 -> 2).
    const double s = std::abs(step) / scale;
    int decimals = 0;
    while (decimals < 6 &&
           std::abs(s * std::pow(10.0, decimals) - std::round(s * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    const double scaled = v / scale;
    if (std::abs(scaled) < 0.5 * std::pow(10.0, -decimals))
        return QStringLiteral("0"); // zero reads "0" on every axis, and never "-0"
    return QString::number(scaled, 'f', decimals) + suffix;
}

QList<qint64> ChartFeeder::timeTickTimes(qint64 start, qint64 end, int maxTicks, qint64 *stepOut)
{
    static constexpr qint64 kSteps[] = {1000,    2000,    5000,     10000,    15000,    30000,
                                        60000,   120000,  300000,   600000,   900000,   1800000,
                                        3600000, 7200000, 10800000, 21600000, 43200000, 86400000};
    QList<qint64> times;
    maxTicks = qMax(1, maxTicks);
    if (end <= start) {
        if (stepOut)
            *stepOut = kSteps[0];
        return times;
    }
    // Align in local time: a step of an hour lands on the hour where the offset is not whole.
    const qint64 offset = qint64(QDateTime::fromMSecsSinceEpoch(start).offsetFromUtc()) * 1000;
    qint64 chosen = kSteps[std::size(kSteps) - 1];
    for (qint64 step : kSteps) {
        const qint64 first = ((start + offset + step - 1) / step) * step; // ceil; times are positive
        const qint64 last = ((end + offset) / step) * step;
        if ((last - first) / step + 1 <= maxTicks) {
            chosen = step;
            break;
        }
    }
    for (qint64 t = ((start + offset + chosen - 1) / chosen) * chosen; t <= end + offset; t += chosen)
        times.append(t - offset);
    if (stepOut)
        *stepOut = chosen;
    return times;
}

void ChartFeeder::niceRange(double lo, double hi, double *outLo, double *outHi, int *ticks, int maxTicks)
{
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        *outLo = 0;
        *outHi = 1;
        *ticks = 5;
        return;
    }
    if (hi < lo)
        std::swap(lo, hi);
    if (hi - lo < 1e-12) {
        // A flat line sits in the middle of a small range around it.
        const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    maxTicks = qMax(2, maxTicks);
    // The smallest nice step whose rounded-out range still has no more than maxTicks ticks.
    double step = niceStep(hi - lo, maxTicks - 1);
    for (int guard = 0; guard < 64; ++guard) {
        const double a = std::floor(lo / step + 1e-9) * step;
        double b = std::ceil(hi / step - 1e-9) * step;
        if (b - a < step)
            b = a + step;
        const int n = int(std::lround((b - a) / step)) + 1;
        // A range across 0 needs 3 ticks however large the step: once one step covers the data,
        // a larger one only flattens it.
        if (n <= maxTicks || step >= hi - lo || guard == 63) {
            *outLo = a == 0 ? 0.0 : a;
            *outHi = b == 0 ? 0.0 : b;
            *ticks = n;
            return;
        }
        step = niceStep(step * 1.01, 1);
    }
}

} // namespace Pulseboard
