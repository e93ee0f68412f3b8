#include "dashboard/charts/ChartFeeder.h"
#include "dashboard/charts/DisplayClock.h"
#include "dashboard/charts/SeriesStore.h"

#include <QSignalSpy>
#include <QTest>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>

#include <memory>
#include <vector>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

// A store with one sample a second for 100 s and the connection down from 30.5 to 40.5 s
// with nothing received meanwhile, and a feeder showing all of it.
struct OutageFixture
{
    SeriesStore store;
    ChartFeeder feeder;
    OutageFixture()
    {
        for (qint64 t = 0; t <= 100000; t += 1000)
            if (t < 30500 || t > 40500)
                store.addSample(u"c"_s, u"v"_s, t, double(t / 1000));
        store.noteConnectionLost(30500);
        store.noteConnectionBack(40500);
        feeder.setStore(&store);
        feeder.setWindowMs(100000);
        feeder.setColumns(1000);
    }
};

class tst_ChartFeeder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void replacesWithDecimatedWindow()
    {
        SeriesStore store;
        DisplayClock clock;
        // 10 minutes at 100 Hz: 60 000 samples; a 1 minute window on 300 columns.
        const qint64 t0 = 1'700'000'000'000;
        for (int i = 0; i < 60000; ++i)
            store.addSample(u"c"_s, u"v"_s, t0 + i * 10, i == 55555 ? 1000.0 : double(i % 50));
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setClock(&clock);
        feeder.setWindowMs(60000);
        feeder.setColumns(300);
        QLineSeries series;
        feeder.attach(&series, u"c"_s, u"v"_s);
        const qint64 now = t0 + 600000;
        feeder.tick(now, true);
        QCOMPARE(feeder.viewEndMs(), now);
        QCOMPARE(feeder.viewStart().toMSecsSinceEpoch(), now - 60000);
        QCOMPARE(feeder.sampleCount(), 6000);
        QVERIFY2(series.count() <= 4 * 300 + 2, qPrintable(QString::number(series.count())));
        QVERIFY(series.count() >= 300);
        QCOMPARE(feeder.pointCount(), series.count());
        // The one-sample spike survives decimation and sets the y range.
        bool spike = false;
        for (const QPointF &p : series.points())
            spike |= p.y() == 1000.0;
        QVERIFY(spike);
        QCOMPARE(feeder.yMax(), 1000.0);
        QCOMPARE(feeder.yMin(), 0.0);
        QCOMPARE(feeder.lastSampleMs(), t0 + 599990);
    }

    void skipsWorkWhenNothingMoved()
    {
        SeriesStore store;
        for (int i = 0; i < 100; ++i)
            store.addSample(u"c"_s, u"v"_s, 1000 + i * 100, i);
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setWindowMs(10000);
        feeder.setColumns(100); // a column is 100 ms
        QLineSeries series;
        feeder.attach(&series, u"c"_s, u"v"_s);
        feeder.tick(11000, true);
        const int replaced = feeder.replaceCount();
        feeder.tick(11050); // moved less than a column, no new data
        QCOMPARE(feeder.replaceCount(), replaced);
        feeder.tick(11150); // a full column
        QCOMPARE(feeder.replaceCount(), replaced + 1);
        store.addSample(u"c"_s, u"v"_s, 11100, 7); // new data
        feeder.tick(11160);
        QCOMPARE(feeder.replaceCount(), replaced + 2);
        feeder.setActive(false); // hidden: no work at all
        store.addSample(u"c"_s, u"v"_s, 11200, 8);
        feeder.tick(20000);
        QCOMPARE(feeder.replaceCount(), replaced + 2);
    }

    void pauseFreezesAndScrollsBack()
    {
        SeriesStore store;
        DisplayClock clock;
        for (int i = 0; i < 1000; ++i)
            store.addSample(u"c"_s, u"v"_s, i * 1000, i);
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setClock(&clock);
        feeder.setWindowMs(60000);
        QLineSeries series;
        feeder.attach(&series, u"c"_s, u"v"_s);
        clock.tickAt(999000);
        QCOMPARE(feeder.viewEndMs(), 999000);
        feeder.setPaused(true);
        clock.tickAt(1005000);
        QCOMPARE(feeder.viewEndMs(), 999000); // frozen
        feeder.setScrollBackMs(300000);
        QCOMPARE(feeder.viewEndMs(), 699000);
        QCOMPARE(series.points().last().x(), 700000.0); // right neighbour of the window
        QCOMPARE(feeder.historyStartMs(),
                 999000 - store.retentionMs()); // older samples left with the retention window
        feeder.setPaused(false);
        QCOMPARE(feeder.scrollBackMs(), 0);
        clock.tickAt(1006000);
        QCOMPARE(feeder.viewEndMs(), 1006000);
    }

    void fixedRangeIsKept()
    {
        SeriesStore store;
        store.addSample(u"c"_s, u"v"_s, 1000, 12);
        store.addSample(u"c"_s, u"v"_s, 2000, 37);
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setYFrom(0);
        feeder.setYTo(100);
        QLineSeries series;
        feeder.attach(&series, u"c"_s, u"v"_s);
        feeder.tick(3000, true);
        QCOMPARE(feeder.yMin(), 0.0);
        QCOMPARE(feeder.yMax(), 100.0);
        store.addSample(u"c"_s, u"v"_s, 2500, 130); // data leaves the range: the axis follows
        feeder.tick(3000, true);
        QVERIFY(feeder.yMax() >= 130);
    }

    void niceRanges_data()
    {
        QTest::addColumn<double>("lo");
        QTest::addColumn<double>("hi");
        QTest::addColumn<double>("outLo");
        QTest::addColumn<double>("outHi");
        QTest::addColumn<int>("ticks");
        QTest::newRow("percent") << 3.2 << 87.0 << 0.0 << 100.0 << 6;
        QTest::newRow("small") << 0.12 << 0.91 << 0.0 << 1.0 << 6;
        QTest::newRow("flat") << 5.0 << 5.0 << 4.4 << 5.6 << 7;
        QTest::newRow("zero") << 0.0 << 0.0 << -1.0 << 1.0 << 5;
        QTest::newRow("negative") << -37.0 << 12.0 << -40.0 << 20.0 << 7;
    }
    void linesBreakAcrossOutages()
    {
        OutageFixture f;
        QLineSeries line;
        std::vector<std::unique_ptr<QLineSeries>> made;
        QSignalSpy asked(&f.feeder, &ChartFeeder::segmentSeriesNeeded);
        connect(&f.feeder, &ChartFeeder::segmentSeriesNeeded, this, [&](QObject *primary, int count) {
            QCOMPARE(primary, &line);
            for (int i = 0; i < count; ++i) {
                made.push_back(std::make_unique<QLineSeries>());
                f.feeder.addSegmentSeries(primary, made.back().get());
            }
        });
        f.feeder.attach(&line, u"c"_s, u"v"_s);
        f.feeder.tick(100000, true);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(made.size(), size_t(1));
        // Before the outage in the first series, after it in the segment: nothing across.
        QCOMPARE(line.count(), 31);
        QCOMPARE(line.points().constLast().x(), 30000.0);
        QCOMPARE(made[0]->count(), 60);
        QCOMPARE(made[0]->points().constFirst().x(), 41000.0);
        QCOMPARE(f.feeder.pointCount(), 91);

        // The next tick reuses the segment series: nothing more is asked for.
        f.store.addSample(u"c"_s, u"v"_s, 101000, 101);
        f.feeder.tick(101000);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(made[0]->points().constLast().x(), 101000.0);

        // Scrolled so the outage is out of view: one line again, the segment emptied.
        f.feeder.setWindowMs(50000);
        f.feeder.tick(101000, true);
        QCOMPARE(line.points().constFirst().x(), 50000.0); // the neighbour left of the window
        QCOMPARE(line.points().constLast().x(), 101000.0);
        QCOMPARE(made[0]->count(), 0);
    }

    void withoutSegmentSeriesTheLineDrawsThrough()
    {
        // Nobody answers segmentSeriesNeeded (a chart that cannot make series): the data is
        // still all shown, in one line.
        OutageFixture f;
        QLineSeries line;
        f.feeder.attach(&line, u"c"_s, u"v"_s);
        f.feeder.tick(100000, true);
        QCOMPARE(line.count(), 91);
    }

    void scatterSeriesAreNotSplit()
    {
        OutageFixture f;
        QScatterSeries dots;
        QSignalSpy asked(&f.feeder, &ChartFeeder::segmentSeriesNeeded);
        f.feeder.attach(&dots, u"c"_s, u"v"_s);
        f.feeder.tick(100000, true);
        QCOMPARE(asked.count(), 0);
        QCOMPARE(dots.count(), 91);
    }

    void aNewOutageRedrawsAtOnce()
    {
        // The outage list moving is a change even when no sample and no column moved.
        SeriesStore store;
        for (qint64 t = 0; t <= 20000; t += 1000)
            store.addSample(u"c"_s, u"v"_s, t, 1);
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setWindowMs(60000);
        feeder.setColumns(600);
        QLineSeries line;
        feeder.attach(&line, u"c"_s, u"v"_s);
        feeder.tick(20000, true);
        const int replaced = feeder.replaceCount();
        feeder.tick(20010);
        QCOMPARE(feeder.replaceCount(), replaced);
        store.noteConnectionLost(20010);
        feeder.tick(20020);
        QVERIFY(feeder.replaceCount() > replaced);
    }

    void niceRanges()
    {
        QFETCH(double, lo);
        QFETCH(double, hi);
        double a = 0;
        double b = 0;
        int ticks = 0;
        ChartFeeder::niceRange(lo, hi, &a, &b, &ticks);
        QTEST(a, "outLo");
        QTEST(b, "outHi");
        QTEST(ticks, "ticks");
    }
};

QTEST_MAIN(tst_ChartFeeder)
#include "tst_chartfeeder.moc"
