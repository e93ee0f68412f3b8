// PlotLayer: the line layer of a time chart, and nothing else. A QQuickPaintedItem (so it draws
// under Qt Quick's software renderer, which draws no custom geometry nodes, and under OpenGL
// alike) holding PlotLines: each a list of points in data coordinates (time in ms, value), cut
// where the line breaks, drawn as polylines or as markers. The chart around it (grid, labels,
// crosshair: TimeChart.qml) is plain Qt Quick items, which the scene graph redraws only when
// they change; this layer is repainted when a line's points change or the axes move, once per
// frame however many lines changed (QQuickItem::update() coalesces).
//
// Why not Qt Charts' series: profiled under load (docs/PERFORMANCE.md, "Drawing"), Qt Charts
// spent most of the dashboard's CPU stroking: every replace() builds a QPainterPath and strokes
// it again for a mouse-hit shape nobody asks for, and a 2 px pen sends each segment through
// QStroker (joins, atan2, hypot). A polyline of a thin pen takes the raster engine's cosmetic
// stroker instead, which draws a pixel column's segments at memory speed.
#pragma once

#include <QColor>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QQuickPaintedItem>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class PlotLayer;

class PlotLine : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made by PlotLayer.addLine()")
    Q_PROPERTY(QString name READ name WRITE setName NOTIFY appearanceChanged)
    Q_PROPERTY(QColor color READ color WRITE setColor NOTIFY appearanceChanged)
    Q_PROPERTY(qreal width READ width WRITE setWidth NOTIFY appearanceChanged)
    Q_PROPERTY(bool visible READ isVisible WRITE setVisible NOTIFY appearanceChanged)
    Q_PROPERTY(Kind kind READ kind CONSTANT)
    Q_PROPERTY(int count READ count NOTIFY pointsChanged)

public:
    enum Kind { Line, Markers };
    Q_ENUM(Kind)

    explicit PlotLine(Kind kind, QObject *parent = nullptr);

    Kind kind() const { return m_kind; }
    QString name() const { return m_name; }
    void setName(const QString &name);
    QColor color() const { return m_color; }
    void setColor(const QColor &color);
    // Line: the pen's width in pixels; Markers: the marker's diameter.
    qreal width() const { return m_width; }
    void setWidth(qreal width);
    bool isVisible() const { return m_visible; }
    void setVisible(bool visible);

    // The points, oldest first, in data coordinates (x: ms since the epoch, y: value), and the
    // indexes where a new piece of the line starts (the line is not drawn from point i-1 to i
    // for a break at i), ascending, each in 1..count-1. Markers ignore breaks.
    void setPoints(QList<QPointF> points, QList<int> breaks = {});
    void clear() { setPoints({}); }
    const QList<QPointF> &points() const { return m_points; }
    const QList<int> &breaks() const { return m_breaks; }
    int count() const { return int(m_points.size()); }

Q_SIGNALS:
    void appearanceChanged();
    void pointsChanged();

private:
    Kind m_kind;
    QString m_name;
    QColor m_color = Qt::white;
    qreal m_width = 1.5;
    bool m_visible = true;
    QList<QPointF> m_points;
    QList<int> m_breaks;
};

class PlotLayer : public QQuickPaintedItem
{
    Q_OBJECT
    QML_ELEMENT
    // The data range shown: x from xMin to xMax maps onto the item's width less `inset` on each
    // side, y from yMin (bottom) to yMax (top) onto its height less `inset`. The inset is room
    // for markers at the edges: a marker at the end of the range is drawn whole.
    Q_PROPERTY(double xMin READ xMin WRITE setXMin NOTIFY rangeChanged)
    Q_PROPERTY(double xMax READ xMax WRITE setXMax NOTIFY rangeChanged)
    Q_PROPERTY(double yMin READ yMin WRITE setYMin NOTIFY rangeChanged)
    Q_PROPERTY(double yMax READ yMax WRITE setYMax NOTIFY rangeChanged)
    Q_PROPERTY(qreal inset READ inset WRITE setInset NOTIFY rangeChanged)
    Q_PROPERTY(int lineCount READ lineCount NOTIFY linesChanged)
    // Paints so far (tests and the frame-cost figures).
    Q_PROPERTY(int paintCount READ paintCount NOTIFY painted)

public:
    explicit PlotLayer(QQuickItem *parent = nullptr);

    double xMin() const { return m_xMin; }
    void setXMin(double v);
    double xMax() const { return m_xMax; }
    void setXMax(double v);
    double yMin() const { return m_yMin; }
    void setYMin(double v);
    double yMax() const { return m_yMax; }
    void setYMax(double v);
    qreal inset() const { return m_inset; }
    void setInset(qreal v);
    int lineCount() const { return int(m_lines.size()); }
    int paintCount() const { return m_paintCount; }

    // A new line (kind "line" or "markers"), drawn after (over) the ones before it. The layer
    // owns it; removeAll() deletes every line.
    Q_INVOKABLE Pulseboard::PlotLine *addLine(const QString &kind, const QString &name, const QColor &color,
                                              qreal width);
    Q_INVOKABLE void removeAll();
    PlotLine *line(int i) const { return m_lines.value(i); }

    // Where a data point lands in item coordinates.
    QPointF map(const QPointF &data) const;

    void paint(QPainter *painter) override;

Q_SIGNALS:
    void rangeChanged();
    void linesChanged();
    void painted();

private:
    void setRangeValue(double *field, double v);

    QList<PlotLine *> m_lines;
    double m_xMin = 0;
    double m_xMax = 1;
    double m_yMin = 0;
    double m_yMax = 1;
    qreal m_inset = 0;
    int m_paintCount = 0;
    QList<QPointF> m_scratch; // mapped points of one piece, reused
};

} // namespace Pulseboard
