// tst_plotlayer: the chart's line layer paints what its lines hold, where the range says: a
// line at a value lands on that row, a break leaves its gap empty, a lone sample is a dot,
// markers are drawn whole, a hole (NaN) stops the line, and an update is asked for only when
// something it draws changed.
#include "dashboard/charts/PlotLayer.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <limits>
#include <utility>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

// The layer painted into an image of its size, on transparent.
QImage render(PlotLayer &layer)
{
    QImage image(int(layer.width()), int(layer.height()), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    layer.paint(&painter);
    return image;
}

// A layer of w x h showing x in [x0, x1] and y in [y0, y1].
void frame(PlotLayer &layer, qreal w, qreal h, std::pair<double, double> x, std::pair<double, double> y)
{
    layer.setSize(QSizeF(w, h));
    layer.setXMin(x.first);
    layer.setXMax(x.second);
    layer.setYMin(y.first);
    layer.setYMax(y.second);
}

// Pixels of column x (rows from..to) that something was drawn on.
int inkInColumn(const QImage &image, int x, int from = 0, int to = -1)
{
    if (to < 0)
        to = image.height() - 1;
    int n = 0;
    for (int y = from; y <= to; ++y)
        n += qAlpha(image.pixel(x, y)) > 40;
    return n;
}

int inkInRow(const QImage &image, int y, int from, int to)
{
    int n = 0;
    for (int x = from; x <= to; ++x)
        n += qAlpha(image.pixel(x, y)) > 40;
    return n;
}

} // namespace

class tst_PlotLayer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void mapsDataOntoTheItem()
    {
        PlotLayer layer;
        frame(layer, 200, 100, {1000, 3000}, {0, 50});
        QCOMPARE(layer.map(QPointF(1000, 0)), QPointF(0, 100));
        QCOMPARE(layer.map(QPointF(3000, 50)), QPointF(200, 0));
        QCOMPARE(layer.map(QPointF(2000, 25)), QPointF(100, 50));
        // An inset leaves room at every edge.
        layer.setInset(10);
        QCOMPARE(layer.map(QPointF(1000, 0)), QPointF(10, 90));
        QCOMPARE(layer.map(QPointF(3000, 50)), QPointF(190, 10));
    }

    void aLineLandsOnItsRow()
    {
        PlotLayer layer;
        frame(layer, 200, 100, {0, 200}, {0, 100});
        PlotLine *line = layer.addLine(u"line"_s, u"v"_s, QColor(u"#ff0000"_s), 2);
        line->setPoints({{0, 25}, {200, 25}}); // row 75 from the top
        const QImage image = render(layer);
        QVERIFY(inkInRow(image, 75, 5, 195) >= 185);
        QCOMPARE(inkInRow(image, 40, 0, 199), 0);
        QCOMPARE(inkInRow(image, 90, 0, 199), 0);
        // Red, not some other colour.
        const QRgb px = image.pixel(100, 75);
        QVERIFY(qRed(px) > 100 && qGreen(px) < 40 && qBlue(px) < 40);
    }

    void aBreakLeavesItsGapEmpty()
    {
        PlotLayer layer;
        frame(layer, 200, 100, {0, 200}, {0, 100});
        PlotLine *line = layer.addLine(u"line"_s, u"v"_s, Qt::white, 1);
        // 0..80 low, then from 120 high: without the break a segment would cross 80..120.
        line->setPoints({{0, 10}, {80, 10}, {120, 90}, {200, 90}}, {2});
        QCOMPARE(line->breaks(), QList<int>{2});
        QImage image = render(layer);
        for (int x = 85; x <= 115; ++x)
            QCOMPARE(inkInColumn(image, x), 0);
        QVERIFY(inkInColumn(image, 40) > 0);
        QVERIFY(inkInColumn(image, 160) > 0);
        // The same points without the break draw across.
        line->setPoints({{0, 10}, {80, 10}, {120, 90}, {200, 90}});
        image = render(layer);
        QVERIFY(inkInColumn(image, 100) > 0);
    }

    void badBreaksAreDropped()
    {
        PlotLine line(PlotLine::Line);
        line.setPoints({{0, 1}, {1, 1}, {2, 1}, {3, 1}}, {0, 2, 2, 1, 4, 3});
        QCOMPARE(line.breaks(), (QList<int>{2, 3}));
    }

    void aLoneSampleIsADot()
    {
        PlotLayer layer;
        frame(layer, 100, 100, {0, 100}, {0, 100});
        PlotLine *line = layer.addLine(u"line"_s, u"v"_s, Qt::white, 2);
        line->setPoints({{50, 50}});
        const QImage image = render(layer);
        QVERIFY(qAlpha(image.pixel(50, 50)) > 100);
        QCOMPARE(inkInColumn(image, 20), 0);
    }

    void aHoleStopsTheLine()
    {
        PlotLayer layer;
        frame(layer, 200, 100, {0, 200}, {0, 100});
        PlotLine *line = layer.addLine(u"line"_s, u"v"_s, Qt::white, 1);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        line->setPoints({{0, 50}, {60, 50}, {100, nan}, {140, 50}, {200, 50}});
        const QImage image = render(layer);
        QVERIFY(inkInColumn(image, 30) > 0);
        QCOMPARE(inkInColumn(image, 100), 0);
        QVERIFY(inkInColumn(image, 170) > 0);
    }

    void markersAreDrawnWholeAtTheEdge()
    {
        PlotLayer layer;
        frame(layer, 120, 60, {0, 100}, {0, 10});
        layer.setInset(6);
        PlotLine *dots = layer.addLine(u"markers"_s, u"gap"_s, QColor(u"#00ff00"_s), 9);
        QCOMPARE(dots->kind(), PlotLine::Markers);
        dots->setPoints({{100, 5}}); // at the right end of the range
        const QImage image = render(layer);
        const QPointF at = layer.map({100, 5});
        QCOMPARE(at.x(), 114.0);
        // Ink on both sides of the centre: not cut in half.
        QVERIFY(qAlpha(image.pixel(int(at.x()) - 3, int(at.y()))) > 100);
        QVERIFY(qAlpha(image.pixel(int(at.x()) + 3, int(at.y()))) > 100);
    }

    void hiddenLinesAreNotDrawn()
    {
        PlotLayer layer;
        layer.setSize(QSizeF(100, 100));
        PlotLine *line = layer.addLine(u"line"_s, u"v"_s, Qt::white, 1);
        line->setPoints({{0, 0.5}, {1, 0.5}});
        line->setVisible(false);
        const QImage image = render(layer);
        QCOMPARE(inkInRow(image, 50, 0, 99), 0);
        QCOMPARE(layer.paintCount(), 1);
    }

    void changesNotifyOnlyWhenSomethingMoved()
    {
        PlotLayer layer;
        QSignalSpy range(&layer, &PlotLayer::rangeChanged);
        layer.setXMax(5);
        layer.setXMax(5);
        layer.setYMax(std::nan("")); // refused: not a number
        QCOMPARE(range.count(), 1);
        QCOMPARE(layer.yMax(), 1.0);
        PlotLine *line = layer.addLine(u"line"_s, u"v"_s, Qt::white, 1);
        QSignalSpy points(line, &PlotLine::pointsChanged);
        line->clear(); // empty already
        QCOMPARE(points.count(), 0);
        line->setPoints({{0, 1}});
        QCOMPARE(points.count(), 1);
        QCOMPARE(layer.lineCount(), 1);
        layer.removeAll();
        QCOMPARE(layer.lineCount(), 0);
    }
};

QTEST_MAIN(tst_PlotLayer)
#include "tst_plotlayer.moc"
