#include "ChartFeeder.h"

#include "Decimator.h"
#include "DisplayClock.h"
#include "SeriesStore.h"
#include "protocol/Clock.h"

#include <QtCharts/QXYSeries>

#include <algorithm>

#include <cmath>

namespace Pulseboard {

ChartFeeder::ChartFeeder(QObject *parent) : QObject(parent)
{
    m_viewEnd = Clock::current().wallMs();
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

void ChartFeeder::attach(QObject *series, const QString &source, const QString &path, const QString &origin)
{
    if (!qobject_cast<QXYSeries *>(series)) {
        qWarning("ChartFeeder.attach: not an XY series");
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

void ChartFeeder::addSegmentSeries(QObject *primary, QObject *segment)
{
    if (!qobject_cast<QXYSeries *>(segment)) {
        qWarning("ChartFeeder.addSegmentSeries: not an XY series");
        return;
    }
    for (Binding &b : m_bindings) {
        if (b.series == primary) {
            if (b.segments.size() < kMaxSegments - 1)
                b.segments.append(segment);
            return;
        }
    }
}

void ChartFeeder::detach(QObject *series)
{
    m_bindings.removeIf([series](const Binding &b) { return b.series == series || b.series.isNull(); });
}

void ChartFeeder::clear()
{
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

void ChartFeeder::tick(qint64 nowMs, bool force)
{
    if (!m_active && !force)
        return;
    const qint64 end = (m_paused ? m_pausedAt : nowMs) - m_scrollBackMs;
    if (end != m_viewEnd) {
        m_viewEnd = end;
        Q_EMIT rangeChanged();
    }
    if (!m_store)
        return;
    const qint64 start = end - m_windowMs;
    const qint64 columnMs = qMax<qint64>(1, m_windowMs / m_columns);

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
        auto *series = qobject_cast<QXYSeries *>(b.series.data());
        if (!series)
            continue;
        const StreamBuffer *buffer = m_store->buffer(b.source, b.path);
        const quint64 revision = buffer ? buffer->revision() : 0;
        if (buffer && !buffer->isEmpty()) {
            newest = qMax(newest, buffer->last().t);
            oldest = oldest == 0 ? buffer->at(0).t : qMin(oldest, buffer->at(0).t);
        }
        const bool stale = m_dirty || revision != b.revision || outagesMoved ||
                           b.decimatedWindow != m_windowMs || b.decimatedColumns != m_columns ||
                           qAbs(end - b.decimatedEnd) >= columnMs;
        if (stale) {
            DecimationStats stats;
            const QList<QPointF> pts =
                buffer ? decimate(*buffer, start, end, m_columns, &stats) : QList<QPointF>();
            feedLine(b, pts, buffer);
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
    niceRange(lo, hi, &yMin, &yMax, &ticks);
    // A configured bound is kept exactly (0..100 % stays 0..100 unless data leaves it).
    if (m_yFrom.isValid() && !m_yFrom.isNull() && lo >= m_yFrom.toDouble())
        yMin = m_yFrom.toDouble();
    if (m_yTo.isValid() && !m_yTo.isNull() && hi <= m_yTo.toDouble())
        yMax = m_yTo.toDouble();
    if (yMin != m_yMin || yMax != m_yMax || ticks != m_yTicks) {
        m_yMin = yMin;
        m_yMax = yMax;
        m_yTicks = ticks;
        Q_EMIT yRangeChanged();
    }
    if (changed || points != m_pointCount || newest != m_lastSampleMs || oldest != m_historyStartMs) {
        m_pointCount = points;
        m_sampleCount = samples;
        m_lastSampleMs = newest;
        m_historyStartMs = oldest;
        Q_EMIT updated();
    }
}

void ChartFeeder::feedLine(Binding &b, const QList<QPointF> &points, const StreamBuffer *buffer)
{
    auto *series = qobject_cast<QXYSeries *>(b.series.data());
    QList<int> breaks;
    if (buffer && !m_store->outages().isEmpty() && series->type() == QAbstractSeries::SeriesTypeLine)
        breaks = lineBreaks(*buffer, points, m_store->outages());
    // Past kMaxSegments the oldest breaks are drawn through: the newest stay visible.
    if (breaks.size() > kMaxSegments - 1)
        breaks.remove(0, breaks.size() - (kMaxSegments - 1));
    b.segments.removeIf([](const QPointer<QObject> &s) { return s.isNull(); });
    if (breaks.size() > b.segments.size()) {
        QPointer<QObject> primary = b.series;
        Q_EMIT segmentSeriesNeeded(b.series, int(breaks.size() - b.segments.size()));
        if (!primary)
            return;
        // Without enough series (nobody answered), the last ones draw through their breaks.
        if (breaks.size() > b.segments.size())
            breaks.resize(b.segments.size());
    }
    if (breaks.isEmpty()) {
        series->replace(points);
    } else {
        series->replace(points.mid(0, breaks.constFirst()));
        for (int i = 0; i < breaks.size(); ++i) {
            const int from = breaks[i];
            const int to = i + 1 < breaks.size() ? breaks[i + 1] : int(points.size());
            if (auto *segment = qobject_cast<QXYSeries *>(b.segments[i].data())) {
                segment->replace(points.mid(from, to - from));
                ++m_replaceCount;
            }
        }
    }
    ++m_replaceCount;
    // Segments that held a line before and hold none now are emptied.
    for (int i = int(breaks.size()); i < b.segmentsInUse && i < b.segments.size(); ++i)
        if (auto *segment = qobject_cast<QXYSeries *>(b.segments[i].data()))
            segment->clear();
    b.segmentsInUse = int(breaks.size());
}

void ChartFeeder::niceRange(double lo, double hi, double *outLo, double *outHi, int *ticks)
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
    const double rough = (hi - lo) / 5;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    const double fraction = rough / magnitude;
    const double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    *outLo = std::floor(lo / step) * step;
    *outHi = std::ceil(hi / step) * step;
    if (*outHi - *outLo < step)
        *outHi = *outLo + step;
    *ticks = int(std::lround((*outHi - *outLo) / step)) + 1;
}

} // namespace Pulseboard
