#include "dashboard/charts/Decimator.h"

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
        QVERIFY(decimate(b, 100, 100, 10).isEmpty());  // empty window
        QVERIFY(decimate(b, 0, 100, 0).isEmpty());     // no columns
        QCOMPARE(decimate(b, 100, 200, 10).size(), 1); // only the left neighbour
    }

    // One sample a second from 0 to 100 s, except where `hole` leaves none.
    static StreamBuffer secondly(qint64 holeFrom, qint64 holeTo)
    {
        StreamBuffer b(1000);
        for (qint64 t = 0; t <= 100000; t += 1000)
            if (t < holeFrom || t > holeTo)
                b.append(t, double(t / 1000));
        return b;
    }

    void lineBreaksAtAnEmptyOutage()
    {
        // Down from 30.5 s to 40.5 s, nothing received for 31..40 s.
        const StreamBuffer b = secondly(30500, 40500);
        const QList<QPointF> pts = decimate(b, 0, 100000, 1000);
        QCOMPARE(pts.size(), b.size());
        const QList<int> breaks = lineBreaks(b, pts, {{30500, 40500}});
        QCOMPARE(breaks.size(), 1);
        // The line stops at 30 s and starts again at 41 s.
        QCOMPARE(pts[breaks[0] - 1].x(), 30000.0);
        QCOMPARE(pts[breaks[0]].x(), 41000.0);
    }

    void replayedDataDrawsThrough()
    {
        // The same outage, but the server replayed what was published meanwhile (resume
        // with `since`): samples lie inside it, the data is whole, the line is not broken.
        const StreamBuffer b = secondly(-1, -1);
        const QList<QPointF> pts = decimate(b, 0, 100000, 1000);
        QVERIFY(lineBreaks(b, pts, {{30500, 40500}}).isEmpty());
    }

    void aPartialReplayBreaksWhereTheDataStops()
    {
        // Down 30.5-60.5 s; the resumed subscription replayed up to 40 s, then the server's
        // history ended: the line runs to 40 s and starts again at 61 s, not straight across.
        const StreamBuffer b = secondly(40500, 60500);
        const QList<QPointF> pts = decimate(b, 0, 100000, 1000);
        const QList<int> breaks = lineBreaks(b, pts, {{30500, 60500}});
        QCOMPARE(breaks.size(), 1);
        QCOMPARE(pts[breaks[0] - 1].x(), 40000.0);
        QCOMPARE(pts[breaks[0]].x(), 61000.0);
        // A hole inside the outage that is the channel's own pace is not one: a sample every
        // 5 s, before and after, breaks nothing.
        StreamBuffer slow(100);
        for (qint64 t = 0; t <= 100000; t += 5000)
            slow.append(t, 1);
        QVERIFY(lineBreaks(slow, decimate(slow, 0, 100000, 1000), {{30500, 60500}}).isEmpty());
        // Three usual intervals missing but under a second (a fast channel's hiccup): no break.
        StreamBuffer fast(1000);
        for (qint64 t = 0; t <= 10000; t += 100)
            if (t < 5000 || t > 5500)
                fast.append(t, 1);
        QVERIFY(lineBreaks(fast, decimate(fast, 0, 10000, 1000), {{4000, 7000}}).isEmpty());
    }

    void samplesAtTheEdgesDoNotHideAnOutage()
    {
        // A server clock a little off puts the first sample after the reconnect just before
        // `up`: within the trimmed edge, so the outage still breaks the line.
        StreamBuffer b(100);
        for (qint64 t = 0; t <= 30000; t += 1000)
            b.append(t, 1);
        b.append(40200, 2); // outage ends at 40.5 s, a server 300 ms behind
        for (qint64 t = 41000; t <= 50000; t += 1000)
            b.append(t, 3);
        const QList<QPointF> pts = decimate(b, 0, 50000, 1000);
        const QList<int> breaks = lineBreaks(b, pts, {{30500, 40500}});
        QCOMPARE(breaks.size(), 1);
        QCOMPARE(pts[breaks[0]].x(), 40200.0);
    }

    void outagesThatCannotBreak()
    {
        const StreamBuffer b = secondly(30500, 40500);
        const QList<QPointF> pts = decimate(b, 0, 100000, 1000);
        QVERIFY(lineBreaks(b, pts, {{30500, 0}}).isEmpty());       // still down
        QVERIFY(lineBreaks(b, pts, {{-50000, -100}}).isEmpty());   // before the first sample
        QVERIFY(lineBreaks(b, pts, {{100500, 120000}}).isEmpty()); // after the last
        QVERIFY(lineBreaks(b, pts, {}).isEmpty());
        StreamBuffer one(4);
        one.append(10, 1);
        QVERIFY(lineBreaks(one, decimate(one, 0, 100, 10), {{20, 30}}).isEmpty());
    }

    void severalOutagesSortedOnce()
    {
        StreamBuffer b(1000);
        for (qint64 t = 0; t <= 100000; t += 1000)
            if (!(t > 10000 && t < 20000) && !(t > 60000 && t < 70000))
                b.append(t, 0);
        const QList<QPointF> pts = decimate(b, 0, 100000, 1000);
        // Given out of order, and one twice (a reconnect noted by two observers).
        const QList<int> breaks = lineBreaks(b, pts, {{60500, 69500}, {10500, 19500}, {60500, 69500}});
        QCOMPARE(breaks.size(), 2);
        QCOMPARE(pts[breaks[0]].x(), 20000.0);
        QCOMPARE(pts[breaks[1]].x(), 70000.0);
    }

    void breaksSurviveDecimation()
    {
        // 1 kHz for 100 s with a 10 s hole, decimated to 200 columns: still exactly one break,
        // at the first point after the hole.
        StreamBuffer b(200000);
        for (qint64 t = 0; t <= 100000; ++t)
            if (t < 40000 || t > 50000)
                b.append(t, double(t % 7));
        const QList<QPointF> pts = decimate(b, 0, 100000, 200);
        QVERIFY(pts.size() <= 4 * 200 + 2);
        const QList<int> breaks = lineBreaks(b, pts, {{40000, 50000}});
        QCOMPARE(breaks.size(), 1);
        QVERIFY(pts[breaks[0] - 1].x() < 40000.0);
        QVERIFY(pts[breaks[0]].x() > 50000.0);
    }
};

QTEST_GUILESS_MAIN(tst_Decimator)
#include "tst_decimator.moc"
