#include "Decimator.h"

#include <algorithm>
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

} // namespace

QList<QPointF> decimate(const StreamBuffer &buffer, qint64 from, qint64 to, int columns,
                        DecimationStats *stats)
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
    const int first = qMax(0, begin - 1);
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
    const qint64 width = qMax<qint64>(1, (to - from + columns - 1) / columns);
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

QList<int> lineBreaks(const StreamBuffer &buffer, const QList<QPointF> &points, const QList<Outage> &outages)
{
    QList<int> breaks;
    if (points.size() < 2 || buffer.size() < 2)
        return breaks;
    for (const Outage &o : outages) {
        if (o.up <= o.down)
            continue; // still down: nothing after it yet
        const qint64 margin = qMin<qint64>(1000, (o.up - o.down) / 4);
        const int before = buffer.lowerBound(o.down + margin);  // first sample in the middle part
        const int after = buffer.lowerBound(o.up - margin + 1); // first sample past the middle
        if (before != after || before == 0 || after >= buffer.size())
            continue; // data inside it, or no line on one side
        // The first point at or past the middle's end starts the next segment.
        const double cut = double(o.up - margin);
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
