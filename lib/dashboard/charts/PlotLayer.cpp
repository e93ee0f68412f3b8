#include "PlotLayer.h"

#include <QPainter>
#include <QPen>

#include <cmath>

namespace Pulseboard {

PlotLine::PlotLine(Kind kind, QObject *parent) : QObject(parent), m_kind(kind)
{
    if (kind == Markers)
        m_width = 9;
}

void PlotLine::setName(const QString &name)
{
    if (m_name == name)
        return;
    m_name = name;
    Q_EMIT appearanceChanged();
}

void PlotLine::setColor(const QColor &color)
{
    if (m_color == color)
        return;
    m_color = color;
    Q_EMIT appearanceChanged();
}

void PlotLine::setWidth(qreal width)
{
    width = qBound<qreal>(0.5, width, 32);
    if (qFuzzyCompare(m_width, width))
        return;
    m_width = width;
    Q_EMIT appearanceChanged();
}

void PlotLine::setVisible(bool visible)
{
    if (m_visible == visible)
        return;
    m_visible = visible;
    Q_EMIT appearanceChanged();
}

void PlotLine::setPoints(QList<QPointF> points, QList<int> breaks)
{
    if (points.isEmpty() && m_points.isEmpty())
        return;
    // Breaks outside 1..count-1 or out of order would cut nothing or cut twice: drop them.
    int previous = 0;
    breaks.removeIf([&](int b) {
        const bool bad = b <= previous || b >= points.size();
        if (!bad)
            previous = b;
        return bad;
    });
    m_points = std::move(points);
    m_breaks = std::move(breaks);
    Q_EMIT pointsChanged();
}

PlotLayer::PlotLayer(QQuickItem *parent) : QQuickPaintedItem(parent)
{
    // Transparent: the grid below shows through. Antialiased lines through the raster engine's
    // cosmetic stroker (a pen of at most 1 px: see paint()).
    setOpaquePainting(false);
    setAntialiasing(true);
    setFlag(ItemHasContents, true);
    setPerformanceHint(QQuickPaintedItem::FastFBOResizing, true);
    connect(this, &PlotLayer::rangeChanged, this, [this] { update(); });
}

void PlotLayer::setRangeValue(double *field, double v)
{
    if (!std::isfinite(v) || *field == v)
        return;
    *field = v;
    Q_EMIT rangeChanged();
}

void PlotLayer::setXMin(double v)
{
    setRangeValue(&m_xMin, v);
}

void PlotLayer::setXMax(double v)
{
    setRangeValue(&m_xMax, v);
}

void PlotLayer::setYMin(double v)
{
    setRangeValue(&m_yMin, v);
}

void PlotLayer::setYMax(double v)
{
    setRangeValue(&m_yMax, v);
}

void PlotLayer::setInset(qreal v)
{
    setRangeValue(&m_inset, qMax<qreal>(0, v));
}

PlotLine *PlotLayer::addLine(const QString &kind, const QString &name, const QColor &color, qreal width)
{
    auto *line =
        new PlotLine(kind == QLatin1StringView("markers") ? PlotLine::Markers : PlotLine::Line, this);
    line->setName(name);
    if (color.isValid())
        line->setColor(color);
    if (width > 0)
        line->setWidth(width);
    connect(line, &PlotLine::pointsChanged, this, [this] { update(); });
    connect(line, &PlotLine::appearanceChanged, this, [this] { update(); });
    m_lines.append(line);
    Q_EMIT linesChanged();
    update();
    return line;
}

void PlotLayer::removeAll()
{
    if (m_lines.isEmpty())
        return;
    const QList<PlotLine *> lines = std::exchange(m_lines, {});
    qDeleteAll(lines);
    Q_EMIT linesChanged();
    update();
}

QPointF PlotLayer::map(const QPointF &data) const
{
    const double w = qMax(1.0, width() - 2 * m_inset);
    const double h = qMax(1.0, height() - 2 * m_inset);
    const double xSpan = m_xMax - m_xMin;
    const double ySpan = m_yMax - m_yMin;
    const double x = m_inset + (xSpan > 0 ? (data.x() - m_xMin) / xSpan : 0.5) * w;
    const double y = m_inset + (ySpan > 0 ? 1.0 - (data.y() - m_yMin) / ySpan : 0.5) * h;
    return {x, y};
}

void PlotLayer::paint(QPainter *painter)
{
    ++m_paintCount;
    const QRectF bounds(0, 0, width(), height());
    for (const PlotLine *line : std::as_const(m_lines)) {
        if (!line->isVisible() || line->points().isEmpty())
            continue;
        const QList<QPointF> &points = line->points();
        if (line->kind() == PlotLine::Markers) {
            const qreal d = line->width();
            painter->setRenderHint(QPainter::Antialiasing, true);
            painter->setPen(Qt::NoPen);
            painter->setBrush(line->color());
            for (const QPointF &p : points) {
                if (!std::isfinite(p.y()))
                    continue;
                const QPointF at = map(p);
                const QRectF r(at.x() - d / 2, at.y() - d / 2, d, d);
                if (r.intersects(bounds))
                    painter->drawEllipse(r);
            }
            continue;
        }
        // A pen of at most 1 px goes through the cosmetic stroker; a wider look is the same
        // thin line drawn again half a pixel across (cheap, and with antialiasing it reads as
        // one line of about the asked width), never the general stroker.
        QPen pen(line->color(), 1.0);
        pen.setCosmetic(true);
        pen.setCapStyle(Qt::FlatCap);
        pen.setJoinStyle(Qt::BevelJoin);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->setRenderHint(QPainter::Antialiasing, true);
        const bool twice = line->width() > 1.25;
        // One piece of the line: its mapped points in m_scratch.
        const auto drawPiece = [&] {
            if (m_scratch.size() == 1) {
                // One sample alone (a retained value, the first message): a dot, not nothing.
                const qreal d = qMax<qreal>(3, line->width() + 1.5);
                painter->setPen(Qt::NoPen);
                painter->setBrush(line->color());
                painter->drawEllipse(QRectF(m_scratch[0].x() - d / 2, m_scratch[0].y() - d / 2, d, d));
                painter->setBrush(Qt::NoBrush);
                painter->setPen(pen);
            } else if (m_scratch.size() > 1) {
                painter->drawPolyline(m_scratch.constData(), int(m_scratch.size()));
                if (twice) {
                    for (QPointF &q : m_scratch)
                        q += QPointF(0.5, 0.5);
                    painter->drawPolyline(m_scratch.constData(), int(m_scratch.size()));
                }
            }
            m_scratch.clear();
        };
        const QList<int> &breaks = line->breaks();
        int from = 0;
        for (int piece = 0; piece <= breaks.size(); ++piece) {
            const int to = piece < breaks.size() ? breaks[piece] : int(points.size());
            for (int i = from; i < to; ++i) {
                const QPointF &p = points[i];
                if (std::isfinite(p.y()))
                    m_scratch.append(map(p));
                else
                    drawPiece(); // a hole in the data: the line stops here
            }
            drawPiece();
            from = to;
        }
    }
    Q_EMIT painted();
}

} // namespace Pulseboard
