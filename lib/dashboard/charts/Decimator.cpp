#include "Decimator.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace Pulseboard {

namespace {

qint64 floorDiv(qint64 a, qint64 b)
{
    qint64 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

QList<QPointF> decimateImpl(const StreamBuffer &buffer, qint64 from, qint64 to, int columns, qint64 widthMs,
                            bool leadingNeighbour, DecimationStats *stats)
{
    QList<QPointF> out;
    DecimationStats local;
    if (buffer.isEmpty() || to <= from || columns <= 0) {
        if (stats)
            *stats = local;
        return out;
    }
    const int begin = buffer.lowerBound(from);
    const int end = buffer.lowerBound(to + 1); // one past the last sample <= to
    local.inWindow = end - begin;
    // The neighbours just outside the window carry the line to the edges of the plot.
    const int first = leadingNeighbour ? qMax(0, begin - 1) : begin;
    const int last = qMin(buffer.size(), end + 1);

    auto push = [&](const StreamBuffer::Sample &s) {
        if (local.emitted == 0) {
            local.minY = local.maxY = s.v;
        } else {
            local.minY = qMin(local.minY, s.v);
            local.maxY = qMax(local.maxY, s.v);
        }
        ++local.emitted;
        out.append(QPointF(double(s.t), s.v));
    };

    if (last - first <= 4 * columns) {
        out.reserve(last - first);
        for (int i = first; i < last; ++i)
            push(buffer.at(i));
        if (stats)
            *stats = local;
        return out;
    }

    out.reserve(4 * columns + 8);
    const qint64 width = widthMs > 0 ? widthMs : columnWidth(from, to, columns);
    int i = first;
    while (i < last) {
        // Samples are in time order: the column runs to the first sample at or past its end
        // (one division a column, not one a sample).
        const qint64 columnEnd = (floorDiv(buffer.at(i).t, width) + 1) * width;
        const int start = i;
        int minIdx = i;
        int maxIdx = i;
        double minV = buffer.at(i).v;
        double maxV = minV;
        for (; i < last; ++i) {
            const StreamBuffer::Sample &s = buffer.at(i);
            if (s.t >= columnEnd)
                break;
            if (s.v < minV) {
                minV = s.v;
                minIdx = i;
            }
            if (s.v > maxV) {
                maxV = s.v;
                maxIdx = i;
            }
        }
        const int stop = i - 1;
        // Emit first, min, max, last in the order they happened, each index once.
        int picks[4] = {start, qMin(minIdx, maxIdx), qMax(minIdx, maxIdx), stop};
        int previous = -1;
        for (int p : picks) {
            if (p != previous) {
                push(buffer.at(p));
                previous = p;
            }
        }
    }
    if (stats)
        *stats = local;
    return out;
}

} // namespace

QList<QPointF> decimate(const StreamBuffer &buffer, qint64 from, qint64 to, int columns,
                        DecimationStats *stats)
{
    return decimateImpl(buffer, from, to, columns, 0, true, stats);
}

QList<QPointF> decimatePart(const StreamBuffer &buffer, qint64 from, qint64 to, int columns, qint64 widthMs,
                            DecimationStats *stats)
{
    return decimateImpl(buffer, from, to, columns, widthMs, false, stats);
}

QList<int> lineBreaks(const StreamBuffer &buffer, const QList<QPointF> &points, const QList<Outage> &outages)
{
    QList<int> breaks;
    if (points.size() < 2 || buffer.size() < 2)
        return breaks;
    for (const Outage &o : outages) {
        if (o.up <= o.down)
            continue; // still down: nothing after it yet
        // The edges are trimmed: a server clock a little off puts samples just inside them.
        const qint64 margin = qMin<qint64>(1000, (o.up - o.down) / 4);
        const qint64 midFrom = o.down + margin;
        const qint64 midTo = o.up - margin;
        const int first = buffer.lowerBound(midFrom); // first sample in the middle part
        if (first == 0 || first >= buffer.size())
            continue; // no line on one side
        // The channel's usual interval: the median of up to 16 intervals before the outage.
        std::array<qint64, 16> intervals{};
        int n = 0;
        for (int i = first - 1; i > 0 && n < int(intervals.size()); --i)
            intervals[size_t(n++)] = buffer.at(i).t - buffer.at(i - 1).t;
        qint64 usual = -1;
        if (n > 0) {
            std::nth_element(intervals.begin(), intervals.begin() + n / 2, intervals.begin() + n);
            usual = intervals[size_t(n / 2)];
        }
        // The largest hole across the middle part: from the last sample before it to the
        // first past it, or between two samples inside it (a replay that got back part of
        // what was missed, then stopped).
        qint64 widest = 0;
        int after = -1; // the sample that ends the widest hole
        for (int i = first; i < buffer.size(); ++i) {
            const qint64 from = buffer.at(i - 1).t;
            if (from > midTo)
                break;
            const qint64 gap = buffer.at(i).t - from;
            if (buffer.at(i).t > midFrom && gap > widest) {
                widest = gap;
                after = i;
            }
        }
        if (after < 0)
            continue;
        // Missing data, not the channel's own pace: the hole covers the whole middle part, or it
        // is over three usual intervals and over a second (a slow channel's normal wait is no hole).
        const bool spansMiddle = buffer.at(after - 1).t < midFrom && buffer.at(after).t > midTo;
        const bool wide = usual >= 0 && widest > 3 * usual && widest > 1000;
        if (!spansMiddle && !wide)
            continue;
        const double cut = double(buffer.at(after).t);
        const auto it = std::lower_bound(points.cbegin(), points.cend(), cut,
                                         [](const QPointF &p, double t) { return p.x() < t; });
        const int index = int(it - points.cbegin());
        if (index > 0 && index < points.size())
            breaks.append(index);
    }
    std::sort(breaks.begin(), breaks.end());
    breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
    return breaks;
}

} // namespace Pulseboard
