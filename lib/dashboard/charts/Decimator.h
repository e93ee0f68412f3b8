// Decimator: reduces the samples of a time window to what a chart of `columns` pixel columns
// can show: per column the first, minimum, maximum and last sample, in time order. A spike
// that lasts one sample survives (it is a column's min or max), the line's shape at the column
// edges survives (first/last), and the output is at most 4 points per column whatever the rate.
// One sample on each side of the window is kept so the line runs to the chart's edges.
#pragma once

#include "StreamBuffer.h"

#include <QList>
#include <QPointF>

namespace Pulseboard {

struct DecimationStats
{
    int inWindow = 0; // samples inside [from, to]
    int emitted = 0;  // points handed to the chart
    double minY = 0;  // range of the emitted points (valid when emitted > 0)
    double maxY = 0;
};

// Columns are anchored to absolute time (multiples of the column width) rather than to `from`,
// so a window sliding by less than a column decimates the same samples into the same points.
QList<QPointF> decimate(const StreamBuffer &buffer, qint64 from, qint64 to, int columns,
                        DecimationStats *stats = nullptr);
// The same for a part of a view whose columns are `widthMs` wide (the view's, not the part's):
// the part of a chart that follows history read from the local store starts at `from` exactly,
// without the neighbour before it (that time is the store's), on the same column grid.
QList<QPointF> decimatePart(const StreamBuffer &buffer, qint64 from, qint64 to, int columns, qint64 widthMs,
                            DecimationStats *stats = nullptr);
// The column width decimate() uses for a view [from, to] of `columns` columns.
inline qint64 columnWidth(qint64 from, qint64 to, int columns)
{
    return columns > 0 ? qMax<qint64>(1, (to - from + columns - 1) / columns) : 1;
}

// A time the dashboard was not connected: [down, up] in ms; up == 0 while still down.
struct Outage
{
    qint64 down = 0;
    qint64 up = 0;
};

// Where a line of `points` (decimated from `buffer`, in time order) must restart so it does not
// draw across an outage as if data had been seen there: the indexes of the first point after
// each outage that the buffer holds no sample inside, with samples on both sides. An outage
// whose data the server replayed after the reconnect (resume with `since`) has samples inside
// and draws through. Sample times are the server's: the middle of the outage (a quarter of it,
// at most a second, trimmed from each end) is what must be empty, so a server clock a little
// off does not count a sample at the edge as recovered data. Sorted, no duplicates.
QList<int> lineBreaks(const StreamBuffer &buffer, const QList<QPointF> &points, const QList<Outage> &outages);

} // namespace Pulseboard
