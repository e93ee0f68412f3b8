#include "models/Decimator.h"

#include <QTest>

using namespace Pulseboard;

class tst_Decimator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fewPointsPassUnchanged()
    {
        StreamBuffer b(100);
        for (int i = 0; i < 10; ++i)
            b.append(1000 + i * 100, i);
        DecimationStats stats;
        const QList<QPointF> pts = decimate(b, 1000, 1900, 100, &stats);
        QCOMPARE(pts.size(), 10);
        QCOMPARE(stats.inWindow, 10);
        QCOMPARE(pts.first(), QPointF(1000, 0));
        QCOMPARE(pts.last(), QPointF(1900, 9));
        QCOMPARE(stats.minY, 0.0);
        QCOMPARE(stats.maxY, 9.0);
    }

    void keepsOneNeighbourEachSide()
    {
        StreamBuffer b(100);
        for (int i = 0; i < 10; ++i)
            b.append(i * 100, i);
        DecimationStats stats;
        const QList<QPointF> pts = decimate(b, 250, 650, 100, &stats);
        // 300..600 inside, 200 and 700 carry the line to the edges.
        QCOMPARE(stats.inWindow, 4);
        QCOMPARE(pts.size(), 6);
        QCOMPARE(pts.first().x(), 200.0);
        QCOMPARE(pts.last().x(), 700.0);
    }

    void boundsOutputAndKeepsSpikes()
    {
        StreamBuffer b(200000);
        // 100 000 samples of a flat line with one spike up and one spike down.
        for (int i = 0; i < 100000; ++i) {
            double v = 1.0;
            if (i == 31337)
                v = 500.0;
            if (i == 77777)
                v = -300.0;
            b.append(i, v);
        }
        const int columns = 200;
        DecimationStats stats;
        const QList<QPointF> pts = decimate(b, 0, 99999, columns, &stats);
        QCOMPARE(stats.inWindow, 100000);
        QVERIFY2(pts.size() <= 4 * columns + 2, qPrintable(QString::number(pts.size())));
        QVERIFY(pts.size() >= columns);
        QCOMPARE(stats.maxY, 500.0);
        QCOMPARE(stats.minY, -300.0);
        bool spikeUp = false;
        bool spikeDown = false;
        for (const QPointF &p : pts) {
            spikeUp |= (p.x() == 31337 && p.y() == 500.0);
            spikeDown |= (p.x() == 77777 && p.y() == -300.0);
        }
        QVERIFY(spikeUp);
        QVERIFY(spikeDown);
        // In time order.
        for (int i = 1; i < pts.size(); ++i)
            QVERIFY(pts.at(i).x() >= pts.at(i - 1).x());
    }

    void columnPicksFirstMinMaxLast()
    {
        StreamBuffer b(100);
        // One column of width 100 ms holds: 5, 9 (max), 1 (min), 4 (last).
        const double values[] = {5, 9, 1, 4};
        for (int i = 0; i < 4; ++i)
            b.append(10 + i * 10, values[i]);
        // Enough other samples that decimation kicks in (> 4 per column over 2 columns).
        for (int i = 0; i < 20; ++i)
            b.append(100 + i * 5, 2);
        const QList<QPointF> pts = decimate(b, 0, 199, 2);
        QCOMPARE(pts.at(0), QPointF(10, 5));
        QCOMPARE(pts.at(1), QPointF(20, 9));
        QCOMPARE(pts.at(2), QPointF(30, 1));
        QCOMPARE(pts.at(3), QPointF(40, 4));
    }

    void stableWhileTheWindowSlidesWithinAColumn()
    {
        StreamBuffer b(10000);
        for (int i = 0; i < 5000; ++i)
            b.append(i, (i * 7919) % 101);
        // Columns are anchored to absolute time: points inside both windows are identical.
        const QList<QPointF> a = decimate(b, 1000, 3000, 100);
        const QList<QPointF> c = decimate(b, 1005, 3005, 100);
        QVERIFY(a.size() > 10);
        int common = 0;
        for (const QPointF &p : a)
            if (p.x() >= 1100 && p.x() <= 2900)
                common += c.contains(p) ? 1 : 0;
        int inA = 0;
        for (const QPointF &p : a)
            inA += (p.x() >= 1100 && p.x() <= 2900) ? 1 : 0;
        QCOMPARE(common, inA);
    }

    void emptyCases()
    {
        StreamBuffer b(10);
        QVERIFY(decimate(b, 0, 100, 10).isEmpty());
        b.append(50, 1);
        QVERIFY(decimate(b, 100, 100, 10).isEmpty());   // empty window
        QVERIFY(decimate(b, 0, 100, 0).isEmpty());      // no columns
        QCOMPARE(decimate(b, 100, 200, 10).size(), 1);  // only the left neighbour
    }
};

QTEST_GUILESS_MAIN(tst_Decimator)
#include "tst_decimator.moc"
