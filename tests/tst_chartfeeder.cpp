#include "dashboard/charts/ChartFeeder.h"
#include "dashboard/charts/DisplayClock.h"
#include "dashboard/charts/PlotLayer.h"
#include "dashboard/charts/SeriesStore.h"

#include <QColor>
#include <QDateTime>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

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
        PlotLine series(PlotLine::Line);
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
        PlotLine series(PlotLine::Line);
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
        // A sample a second for longer than the store keeps (its retention, the longest window).
        const int count = int(store.retentionMs() / 1000) + 300;
        const qint64 last = qint64(count - 1) * 1000;
        for (int i = 0; i < count; ++i)
            store.addSample(u"c"_s, u"v"_s, i * 1000, i);
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setClock(&clock);
        feeder.setWindowMs(60000);
        PlotLine series(PlotLine::Line);
        feeder.attach(&series, u"c"_s, u"v"_s);
        clock.tickAt(last);
        QCOMPARE(feeder.viewEndMs(), last);
        feeder.setPaused(true);
        clock.tickAt(last + 6000);
        QCOMPARE(feeder.viewEndMs(), last); // frozen
        feeder.setScrollBackMs(300000);
        QCOMPARE(feeder.viewEndMs(), last - 300000);
        QCOMPARE(series.points().last().x(), double(last - 300000 + 1000)); // right neighbour of the window
        QCOMPARE(feeder.historyStartMs(),
                 last - store.retentionMs()); // older samples left with the retention window
        feeder.setPaused(false);
        QCOMPARE(feeder.scrollBackMs(), 0);
        clock.tickAt(last + 7000);
        QCOMPARE(feeder.viewEndMs(), last + 7000);
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
        PlotLine series(PlotLine::Line);
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
        QTest::addColumn<int>("maxTicks");
        QTest::newRow("percent") << 3.2 << 87.0 << 0.0 << 100.0 << 6 << 7;
        QTest::newRow("small") << 0.12 << 0.91 << 0.0 << 1.0 << 6 << 7;
        QTest::newRow("flat") << 5.0 << 5.0 << 4.4 << 5.6 << 7 << 7;
        QTest::newRow("zero") << 0.0 << 0.0 << -1.0 << 1.0 << 5 << 7;
        QTest::newRow("negative") << -37.0 << 12.0 << -40.0 << 20.0 << 7 << 7;
        // A short plot asks for fewer ticks: the step grows, the range still holds the data.
        QTest::newRow("percent, 3 ticks") << 3.2 << 87.0 << 0.0 << 100.0 << 3 << 3;
        QTest::newRow("negative, 3 ticks") << -37.0 << 12.0 << -50.0 << 50.0 << 3 << 3;
        QTest::newRow("huge, 4 ticks") << 0.0 << 2.5e10 << 0.0 << 3e10 << 4 << 4;
        QTest::newRow("zero, 2 ticks") << 0.0 << 0.0 << -2.0 << 2.0 << 3 << 2;
        QTest::newRow("across zero, 2 ticks") << -3.0 << 4.0 << -10.0 << 10.0 << 3 << 2;
        QTest::newRow("quarter steps") << 0.0 << 95.0 << 0.0 << 100.0 << 5 << 5;
    }

    void valueTicksFitAndRead_data()
    {
        QTest::addColumn<double>("lo");
        QTest::addColumn<double>("hi");
        QTest::addColumn<int>("maxTicks");
        QTest::addColumn<QStringList>("labels");
        // A configured 0..100 % axis on a short plot: three readable labels, not seven "..".
        QTest::newRow("percent 3") << 0.0 << 100.0 << 3 << QStringList{u"0"_s, u"50"_s, u"100"_s};
        QTest::newRow("percent 5") << 0.0 << 100.0 << 5
                                   << QStringList{u"0"_s, u"25"_s, u"50"_s, u"75"_s, u"100"_s};
        QTest::newRow("percent 2") << 0.0 << 100.0 << 2 << QStringList{u"0"_s, u"100"_s};
        QTest::newRow("giga") << 0.0 << 3e10 << 4 << QStringList{u"0"_s, u"10G"_s, u"20G"_s, u"30G"_s};
        QTest::newRow("kilo halves") << 0.0 << 25000.0 << 6
                                     << QStringList{u"0"_s, u"5k"_s, u"10k"_s, u"15k"_s, u"20k"_s, u"25k"_s};
        QTest::newRow("mega fractions") << 0.0 << 2.5e6 << 6 << QStringList{u"0"_s,    u"0.5M"_s, u"1.0M"_s,
                                                                            u"1.5M"_s, u"2.0M"_s, u"2.5M"_s};
        QTest::newRow("decimals") << 0.0 << 1.0 << 5
                                  << QStringList{u"0"_s, u"0.25"_s, u"0.50"_s, u"0.75"_s, u"1.00"_s};
        QTest::newRow("negative") << -40.0 << 20.0 << 4 << QStringList{u"-40"_s, u"-20"_s, u"0"_s, u"20"_s};
        QTest::newRow("milli") << 0.0 << 0.004 << 3 << QStringList{u"0"_s, u"2m"_s, u"4m"_s};
    }
    void valueTicksFitAndRead()
    {
        QFETCH(double, lo);
        QFETCH(double, hi);
        QFETCH(int, maxTicks);
        double step = 0;
        const QList<double> ticks = ChartFeeder::valueTicks(lo, hi, maxTicks, &step);
        QVERIFY(ticks.size() <= maxTicks);
        QStringList labels;
        for (double v : ticks)
            labels.append(ChartFeeder::formatTick(v, step, qMax(qAbs(lo), qAbs(hi))));
        QTEST(labels, "labels");
    }

    void timeTicksAreRoundAndEven_data()
    {
        QTest::addColumn<qint64>("windowMs");
        QTest::addColumn<int>("maxTicks");
        QTest::addColumn<qint64>("stepMs");
        QTest::newRow("1 min, 6") << qint64(60000) << 6 << qint64(10000);
        QTest::newRow("1 min, 3") << qint64(60000) << 3 << qint64(30000);
        QTest::newRow("5 min, 6") << qint64(300000) << 6 << qint64(60000);
        QTest::newRow("5 min, 3") << qint64(300000) << 3 << qint64(120000);
        QTest::newRow("15 min, 6") << qint64(900000) << 6 << qint64(300000);
        QTest::newRow("15 min, 10") << qint64(900000) << 10 << qint64(120000);
        QTest::newRow("15 min, 20") << qint64(900000) << 20 << qint64(60000);
        QTest::newRow("1 h, 6") << qint64(3600000) << 6 << qint64(600000);
        QTest::newRow("1 h, 10") << qint64(3600000) << 10 << qint64(600000);
        QTest::newRow("1 h, 20") << qint64(3600000) << 20 << qint64(300000);
    }
    void timeTicksAreRoundAndEven()
    {
        QFETCH(qint64, windowMs);
        QFETCH(int, maxTicks);
        // An end that is not round, as the clock gives it.
        const qint64 end = 1'700'000'123'456;
        qint64 step = 0;
        const QList<qint64> ticks = ChartFeeder::timeTickTimes(end - windowMs, end, maxTicks, &step);
        QTEST(step, "stepMs");
        QVERIFY(ticks.size() <= maxTicks);
        QVERIFY(ticks.size() >= 2);
        const qint64 offset = qint64(QDateTime::fromMSecsSinceEpoch(end).offsetFromUtc()) * 1000;
        for (int i = 0; i < ticks.size(); ++i) {
            QVERIFY(ticks[i] >= end - windowMs && ticks[i] <= end);
            QCOMPARE((ticks[i] + offset) % step, 0); // on a round time
            if (i > 0)
                QCOMPARE(ticks[i] - ticks[i - 1], step); // none skipped, none repeated
        }
        // As labels: every one different, in order.
        ChartFeeder feeder;
        feeder.setWindowMs(int(windowMs));
        feeder.setMaxTimeTicks(maxTicks);
        feeder.setFixedEndMs(end);
        QStringList labels;
        for (const QVariant &tick : feeder.timeTicks())
            labels.append(tick.toMap().value(u"label"_s).toString());
        QCOMPARE(labels.size(), ticks.size());
        QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
        QCOMPARE(labels.constFirst(), QDateTime::fromMSecsSinceEpoch(ticks.constFirst())
                                          .toString(step >= 60000 ? u"HH:mm"_s : u"HH:mm:ss"_s));
    }

    void shortPlotsGetFewerYTicks()
    {
        SeriesStore store;
        for (qint64 t = 0; t <= 10000; t += 1000)
            store.addSample(u"c"_s, u"cpu"_s, t, double(t / 200));
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setWindowMs(10000);
        feeder.setYFrom(0);
        feeder.setYTo(100);
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"c"_s, u"cpu"_s);
        feeder.setFixedEndMs(10000);
        QCOMPARE(feeder.yMin(), 0.0);
        QCOMPARE(feeder.yMax(), 100.0);
        feeder.setMaxYTicks(3);
        QCOMPARE(feeder.yTicks().size(), 3);
        QCOMPARE(feeder.yTicks().at(1).toMap().value(u"label"_s).toString(), u"50"_s);
        QCOMPARE(feeder.yTickCount(), 3);
        feeder.setMaxYTicks(6);
        QCOMPARE(feeder.yTicks().size(), 6); // 0, 20 ... 100
        QCOMPARE(feeder.yMax(), 100.0);
    }

    void valuesUnderATime()
    {
        SeriesStore store;
        // a: a sample a second; b: every 5 s, from 2 s on.
        for (qint64 t = 0; t <= 20000; t += 1000)
            store.addSample(u"c"_s, u"a"_s, t, double(t / 1000));
        for (qint64 t = 2000; t <= 20000; t += 5000)
            store.addSample(u"c"_s, u"b"_s, t, double(t / 100));
        ChartFeeder feeder;
        feeder.setStore(&store);
        PlotLine a(PlotLine::Line);
        a.setName(u"a"_s);
        a.setColor(QColor(u"#123456"_s));
        PlotLine b(PlotLine::Line);
        b.setName(u"b"_s);
        feeder.attach(&a, u"c"_s, u"a"_s);
        feeder.attach(&b, u"c"_s, u"b"_s);

        QVariantList at = feeder.valuesAt(6400, 1500);
        QCOMPARE(at.size(), 2);
        QVariantMap first = at[0].toMap();
        QCOMPARE(first.value(u"found"_s).toBool(), true);
        QCOMPARE(first.value(u"t"_s).toDouble(), 6000.0); // nearest of 6000 and 7000
        QCOMPARE(first.value(u"value"_s).toDouble(), 6.0);
        QCOMPARE(first.value(u"name"_s).toString(), u"a"_s);
        QCOMPARE(first.value(u"color"_s).value<QColor>(), QColor(u"#123456"_s));
        QCOMPARE(first.value(u"path"_s).toString(), u"a"_s);
        QVariantMap second = at[1].toMap();
        QCOMPARE(second.value(u"t"_s).toDouble(), 7000.0); // 7000 is nearer than 2000
        QCOMPARE(second.value(u"value"_s).toDouble(), 70.0);
        QCOMPARE(feeder.valuesAt(6600, 1500)[0].toMap().value(u"t"_s).toDouble(), 7000.0);

        // Too far from any sample of b: not found, a still is.
        at = feeder.valuesAt(4500, 1000);
        QCOMPARE(at[0].toMap().value(u"found"_s).toBool(), true);
        QCOMPARE(at[1].toMap().value(u"found"_s).toBool(), false);
        QVERIFY(!at[1].toMap().value(u"value"_s).isValid());
        // Before everything and after everything.
        QCOMPARE(feeder.valuesAt(-5000, 1000)[0].toMap().value(u"found"_s).toBool(), false);
        QCOMPARE(feeder.valuesAt(20400, 1000)[0].toMap().value(u"value"_s).toDouble(), 20.0);

        // As of a time: the newest sample at or before it.
        QVariantList asOf = feeder.valuesAsOf(11999);
        QCOMPARE(asOf[0].toMap().value(u"value"_s).toDouble(), 11.0);
        QCOMPARE(asOf[1].toMap().value(u"value"_s).toDouble(), 70.0);
        QCOMPARE(feeder.valuesAsOf(12000)[1].toMap().value(u"value"_s).toDouble(), 120.0);
        QCOMPARE(feeder.valuesAsOf(1000)[1].toMap().value(u"found"_s).toBool(), false);
    }

    void aFixedEndHoldsTheView()
    {
        SeriesStore store;
        for (qint64 t = 0; t <= 100000; t += 1000)
            store.addSample(u"c"_s, u"v"_s, t, double(t));
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setWindowMs(60000);
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"c"_s, u"v"_s);
        feeder.tick(100000, true);
        QCOMPARE(feeder.viewEndMs(), 100000);
        // Zoomed to 20..30 s: the clock moving does not move it.
        feeder.setWindowMs(10000);
        feeder.setFixedEndMs(30000);
        feeder.tick(101000, true);
        QCOMPARE(feeder.viewStartMs(), 20000);
        QCOMPARE(feeder.viewEndMs(), 30000);
        QCOMPARE(feeder.sampleCount(), 11);
        // The neighbours just outside carry the line to the edges.
        QCOMPARE(line.points().constFirst().x(), 19000.0);
        QCOMPARE(line.points().constLast().x(), 31000.0);
        // Back to live.
        feeder.setFixedEndMs(0);
        feeder.setWindowMs(60000);
        feeder.tick(102000, true);
        QCOMPARE(feeder.viewEndMs(), 102000);
    }
    void linesBreakAcrossOutages()
    {
        OutageFixture f;
        PlotLine line(PlotLine::Line);
        f.feeder.attach(&line, u"c"_s, u"v"_s);
        f.feeder.tick(100000, true);
        // One line, two pieces: up to 30 s, then from 41 s; nothing drawn across the outage.
        QCOMPARE(line.count(), 91);
        QCOMPARE(line.breaks(), QList<int>{31});
        QCOMPARE(line.points().at(30).x(), 30000.0);
        QCOMPARE(line.points().at(31).x(), 41000.0);
        QCOMPARE(f.feeder.pointCount(), 91);

        f.store.addSample(u"c"_s, u"v"_s, 101000, 101);
        f.feeder.tick(101000);
        QCOMPARE(line.points().constLast().x(), 101000.0);
        QCOMPARE(line.breaks(), QList<int>{31});

        // Scrolled so the outage is out of view: one piece again.
        f.feeder.setWindowMs(50000);
        f.feeder.tick(101000, true);
        QCOMPARE(line.points().constFirst().x(), 50000.0); // the neighbour left of the window
        QCOMPARE(line.points().constLast().x(), 101000.0);
        QVERIFY(line.breaks().isEmpty());
    }

    void manyOutagesAllBreak()
    {
        // Every outage in view breaks the line, however many (no series to run out of).
        SeriesStore store;
        const auto down = [](qint64 t) {
            for (int k = 0; k < 12; ++k)
                if (t > 5500 + 8000 * k && t < 8500 + 8000 * k)
                    return true;
            return false;
        };
        for (qint64 t = 0; t <= 100000; t += 1000)
            if (!down(t))
                store.addSample(u"c"_s, u"v"_s, t, double(t / 1000));
        for (int k = 0; k < 12; ++k) {
            store.noteConnectionLost(5500 + 8000 * k);
            store.noteConnectionBack(8500 + 8000 * k);
        }
        ChartFeeder feeder;
        feeder.setStore(&store);
        feeder.setWindowMs(100000);
        feeder.setColumns(1000);
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"c"_s, u"v"_s);
        feeder.tick(100000, true);
        QCOMPARE(line.count(), 101 - 36);
        QCOMPARE(line.breaks().size(), 12);
        // Each piece ends before an outage and the next starts after it.
        for (int k = 0; k < 12; ++k) {
            const int at = line.breaks().at(k);
            QCOMPARE(line.points().at(at - 1).x(), double(5000 + 8000 * k));
            QCOMPARE(line.points().at(at).x(), double(9000 + 8000 * k));
        }
    }

    void markersAreNotSplit()
    {
        OutageFixture f;
        PlotLine dots(PlotLine::Markers);
        f.feeder.attach(&dots, u"c"_s, u"v"_s);
        f.feeder.tick(100000, true);
        QCOMPARE(dots.count(), 91);
        QVERIFY(dots.breaks().isEmpty());
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
        PlotLine line(PlotLine::Line);
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
        QFETCH(int, maxTicks);
        ChartFeeder::niceRange(lo, hi, &a, &b, &ticks, maxTicks);
        QTEST(a, "outLo");
        QTEST(b, "outHi");
        QTEST(ticks, "ticks");
    }
};

QTEST_MAIN(tst_ChartFeeder)
#include "tst_chartfeeder.moc"
