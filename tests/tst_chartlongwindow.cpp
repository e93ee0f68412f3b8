// Chart windows beyond RAM: a real HistoryStore (SQLite in a QTemporaryDir) holds three days of a
// channel's samples of a known shape, with a two-hour outage; the SeriesStore's rings hold the last
// hour. A ChartFeeder reading through a ChartHistory (its reader thread) draws a 24 h and a 7 d
// window: the store's part has the expected first/min/max/last per bucket, the seam with the rings
// has no bucket twice and none missing, the outage is a line break, a read for a window no longer
// shown is dropped while the previous points stay, and scroll-back reaches two days into the store.
// On a real TimeChart (offscreen QQuickView): without a store the chart says where its data starts.
#include "dashboard/charts/ChartFeeder.h"
#include "dashboard/charts/ChartHistory.h"
#include "dashboard/charts/DisplayClock.h"
#include "dashboard/charts/PlotLayer.h"
#include "dashboard/charts/SeriesStore.h"
#include "history/HistoryStore.h"

#include <QDateTime>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickView>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

#include <memory>
#include <optional>

Q_IMPORT_QML_PLUGIN(PulseboardPlugin)

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMinute = 60000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
constexpr qint64 kT0 = 1'700'000'040'000;     // the store's first sample, on a whole minute
constexpr qint64 kNow = kT0 + 3 * kDay;       // the last one
constexpr qint64 kStep = 10000;               // a sample every 10 s
constexpr qint64 kOutFrom = kT0 + 30 * kHour; // the connection down, nothing stored meanwhile
constexpr qint64 kOutTo = kT0 + 32 * kHour;
constexpr qint64 kRamStart = kNow - 3630000; // the rings: the last 60.5 min (not on a minute)

bool sampled(qint64 t)
{
    return t >= kT0 && t <= kNow && (t - kT0) % kStep == 0 && !(t > kOutFrom && t < kOutTo);
}
// A value that jumps around (so min, max, first and last of a bucket differ), known for every time.
double valueAt(qint64 t)
{
    return double(((t - kT0) / kStep * 37) % 101) - 50;
}

struct Expected
{
    double first = 0, last = 0, min = 0, max = 0;
    int count = 0;
};
// What a bucket [b, b + width) of the shape holds.
std::optional<Expected> expectedBucket(qint64 b, qint64 width)
{
    Expected e;
    for (qint64 t = ((qMax(b, kT0) - kT0 + kStep - 1) / kStep) * kStep + kT0; t < b + width; t += kStep) {
        if (!sampled(t))
            continue;
        const double v = valueAt(t);
        if (e.count == 0) {
            e.first = e.min = e.max = v;
        }
        e.min = qMin(e.min, v);
        e.max = qMax(e.max, v);
        e.last = v;
        ++e.count;
    }
    return e.count > 0 ? std::optional<Expected>(e) : std::nullopt;
}

qint64 floorTo(qint64 t, qint64 step)
{
    return (t / step) * step;
}

qint64 ceilTo(qint64 t, qint64 step)
{
    return ((t + step - 1) / step) * step;
}

} // namespace

class tst_ChartLongWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_store;
    SeriesStore m_rings;

    // The store's part of a line (the first historyPointCount points) checked bucket by bucket
    // against the shape, from the view's start to the seam (the first grid time at or after the
    // rings' oldest sample); the rings' part against the samples from the seam on.
    void checkLine(const ChartFeeder &feeder, qint64 viewStart, qint64 viewEnd, qint64 width)
    {
        const QList<QPointF> points = feeder.pointsOf(0);
        const int stored = feeder.historyPointCount();
        QVERIFY2(stored > 0, "no points from the store");
        const qint64 seam = qMin(ceilTo(kRamStart, width), ceilTo(viewEnd, width) + width);
        // The store's points, grouped by bucket, in time order, each inside the view's reach.
        QMap<qint64, QList<QPointF>> byBucket;
        for (int i = 0; i < stored; ++i) {
            const QPointF &p = points.at(i);
            if (i > 0)
                QVERIFY2(p.x() >= points.at(i - 1).x(), "store points out of time order");
            QVERIFY2(qint64(p.x()) < seam, qPrintable(u"a store point at or past the seam: %1"_s.arg(p.x())));
            byBucket[floorTo(qint64(p.x()), width)].append(p);
        }
        // Every bucket the shape has inside the view (whole buckets: at the view's edges only the
        // neighbour points are kept) up to the seam is there, once, with its values; none that the
        // shape does not have.
        const qint64 lo = ceilTo(viewStart, width);
        const qint64 hi = qMin(seam, floorTo(viewEnd, width));
        int expectedBuckets = 0;
        int seenBuckets = 0;
        for (auto it = byBucket.cbegin(); it != byBucket.cend(); ++it)
            if (it.key() >= lo && it.key() < hi)
                ++seenBuckets;
        for (qint64 b = lo; b < hi; b += width) {
            const std::optional<Expected> e = expectedBucket(b, width);
            if (!e) {
                QVERIFY2(!byBucket.contains(b),
                         qPrintable(u"a bucket where nothing was stored: %1"_s.arg(b)));
                continue;
            }
            ++expectedBuckets;
            QVERIFY2(byBucket.contains(b), qPrintable(u"bucket %1 missing"_s.arg(b)));
            const QList<QPointF> &pts = byBucket[b];
            QVERIFY(pts.size() <= 4);
            double mn = pts.first().y(), mx = mn;
            for (const QPointF &p : pts) {
                mn = qMin(mn, p.y());
                mx = qMax(mx, p.y());
            }
            QCOMPARE(pts.first().y(), e->first);
            QCOMPARE(pts.last().y(), e->last);
            QCOMPARE(mn, e->min);
            QCOMPARE(mx, e->max);
        }
        QVERIFY(expectedBuckets > 0);
        QCOMPARE(seenBuckets, expectedBuckets);
        // The rings' part starts at the first sample at or after the seam, each sample once.
        if (stored < points.size()) {
            QCOMPARE(qint64(points.at(stored).x()), ceilTo(seam - kT0, kStep) + kT0);
            for (int i = stored + 1; i < points.size(); ++i)
                QVERIFY2(points.at(i).x() > points.at(i - 1).x(),
                         qPrintable(u"rings point %1 not after the one before"_s.arg(i)));
            for (int i = stored; i < points.size(); ++i) {
                QVERIFY(sampled(qint64(points.at(i).x())));
                QCOMPARE(points.at(i).y(), valueAt(qint64(points.at(i).x())));
            }
        }
        // The line reaches the view's ends.
        QVERIFY(points.first().x() <= double(qMax(viewStart, kT0) + width));
        QVERIFY(points.last().x() >= double(qMin(viewEnd, kNow) - width));
    }

    bool waitForReads(ChartFeeder &feeder, int reads)
    {
        return QTest::qWaitFor([&] { return feeder.historyReads() >= reads && !feeder.historyPending(); },
                               20000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        HistoryOptions options;
        options.path = m_dir.filePath(u"history.sqlite"_s);
        options.maxAgeMs = 0; // the fixed times are years ago: no retention by age here
        options.batchIntervalMs = 20;
        m_store = std::make_unique<HistoryStore>(options);
        QVERIFY(m_store->open());
        const qint64 id = m_store->seriesId(u"srv|ticks"_s, u"v"_s);
        QVERIFY(id > 0);
        // An unrelated series of the same server, and another server's channel of the same name.
        const qint64 other = m_store->seriesId(u"srv|other"_s, u"v"_s);
        const qint64 elsewhere = m_store->seriesId(u"far|ticks"_s, u"v"_s);
        int n = 0;
        for (qint64 t = kT0; t <= kNow; t += kStep) {
            if (!sampled(t))
                continue;
            QVERIFY(m_store->append(id, t, ++n, valueAt(t)));
            QVERIFY(m_store->append(other, t, n, 1e6));
            QVERIFY(m_store->append(elsewhere, t, n, -1e6));
            if (t >= kRamStart)
                m_rings.addSample(SeriesKey::channel(u"ticks"_s), u"v"_s, t, valueAt(t));
        }
        QVERIFY(m_store->appendEvent({HistoryEvent::Kind::Outage, kOutFrom, kOutTo, u"srv"_s, QString()}));
        m_store->flush();
        QCOMPARE(m_store->writtenSamples(), quint64(3 * n));
    }

    void bucketWidthFollowsTheLiveColumns()
    {
        QCOMPARE(ChartHistory::bucketWidth(60000), 60000);   // 24 h on 1440 columns
        QCOMPARE(ChartHistory::bucketWidth(432000), 420000); // 7 d on 1400: 7.2 min -> 7 min
        QCOMPARE(ChartHistory::bucketWidth(89999), 60000);
        QCOMPARE(ChartHistory::bucketWidth(90000), 120000);
        QCOMPARE(ChartHistory::bucketWidth(2500), 3000); // 1 h on 1440: the 1 s tier
        QCOMPARE(ChartHistory::bucketWidth(1200), 1000);
        QCOMPARE(ChartHistory::bucketWidth(43), 43); // raw samples
        for (qint64 c : {1000, 2571, 61714, 432000})
            QVERIFY(HistoryStore::tierFor(ChartHistory::bucketWidth(c)) > 0);
    }

    void dayWindowDrawsTheStoreThenTheRings()
    {
        ChartHistory history;
        history.setStore(m_store.get(), u"srv"_s);
        QVERIFY(history.available());
        DisplayClock clock;
        clock.tickAt(kNow); // refreshes at kNow, not at the wall clock's time
        ChartFeeder feeder;
        feeder.setClock(&clock);
        feeder.setStore(&m_rings);
        feeder.setHistory(&history);
        feeder.setColumns(1440);
        feeder.setWindowMs(int(kDay));
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"ticks"_s, u"v"_s);
        feeder.tick(kNow, true);
        // Until the store answers, what the rings hold (never an empty chart).
        QVERIFY(line.count() > 0);
        QVERIFY(waitForReads(feeder, 1));
        checkLine(feeder, kNow - kDay, kNow, kMinute);
        if (QTest::currentTestFailed())
            return;
        // 4 points a column at most, as live decimation.
        QVERIFY2(line.count() <= 4 * 1440 + 8, qPrintable(QString::number(line.count())));
        QCOMPARE(feeder.historyStartMs(), kT0);
        // The hand-over is the line's: one replace with all of it.
        QCOMPARE(line.count(), feeder.pointsOf(0).size());
    }

    void weekWindowCoversTheWholeStoreWithTheOutageAsABreak()
    {
        ChartHistory history;
        history.setStore(m_store.get(), u"srv"_s);
        DisplayClock clock;
        clock.tickAt(kNow); // refreshes at kNow, not at the wall clock's time
        ChartFeeder feeder;
        feeder.setClock(&clock);
        feeder.setStore(&m_rings);
        feeder.setHistory(&history);
        feeder.setColumns(1400);
        feeder.setWindowMs(int(7 * kDay));
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"ticks"_s, u"v"_s);
        feeder.tick(kNow, true);
        QVERIFY(waitForReads(feeder, 1));
        const qint64 width = ChartHistory::bucketWidth(columnWidth(kNow - 7 * kDay, kNow, 1400));
        QCOMPARE(width, 7 * kMinute);
        checkLine(feeder, kNow - 7 * kDay, kNow, width);
        if (QTest::currentTestFailed())
            return;
        const QList<QPointF> points = feeder.pointsOf(0);
        // The data starts at the store's first sample (three days back in a seven-day view).
        QVERIFY(points.first().x() >= double(floorTo(kT0, width)));
        QVERIFY(points.first().x() < double(kT0 + width));
        // Exactly one break, at the first point after the outage; the points around it straddle it.
        const QList<int> breaks = feeder.breaksOf(0);
        QCOMPARE(breaks.size(), 1);
        const int b = breaks.first();
        QVERIFY(points.at(b - 1).x() <= double(kOutFrom));
        QVERIFY(points.at(b).x() >= double(kOutTo));
        QCOMPARE(line.breaks(), breaks);
        // A week's time axis names the days, each once (not seven "00:00").
        QStringList labels;
        for (const QVariant &tick : feeder.timeTicks()) {
            const QVariantMap m = tick.toMap();
            QCOMPARE(m.value(u"label"_s).toString(),
                     QDateTime::fromMSecsSinceEpoch(qint64(m.value(u"t"_s).toDouble())).toString(u"ddd d"_s));
            QVERIFY(!labels.contains(m.value(u"label"_s).toString()));
            labels.append(m.value(u"label"_s).toString());
        }
        QVERIFY(labels.size() >= 2);
    }

    void staleReadIsDroppedAndThePreviousPointsStay()
    {
        ChartHistory history;
        history.setStore(m_store.get(), u"srv"_s);
        DisplayClock clock;
        clock.tickAt(kNow); // refreshes at kNow, not at the wall clock's time
        ChartFeeder feeder;
        feeder.setClock(&clock);
        feeder.setStore(&m_rings);
        feeder.setHistory(&history);
        feeder.setColumns(1400);
        feeder.setWindowMs(int(kDay));
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"ticks"_s, u"v"_s);
        feeder.tick(kNow, true);
        QVERIFY(waitForReads(feeder, 1));
        const int reads = feeder.historyReads();
        QVERIFY(!feeder.pointsOf(0).isEmpty());
        // Three windows asked one after the other before any answer is taken: the earlier two are
        // replaced or dropped, the last one is drawn; meanwhile the day's points stay.
        feeder.setWindowMs(int(6 * kHour));
        feeder.tick(kNow, true);
        feeder.setWindowMs(int(7 * kDay));
        feeder.tick(kNow, true);
        QVERIFY(feeder.historyPending());
        QVERIFY(line.count() > 0);
        // Still the day's read (its points inside the view shown now), not an empty chart: none of
        // them reaches before the day's first bucket.
        {
            const QList<QPointF> meanwhile = feeder.pointsOf(0);
            const int stored = feeder.historyPointCount();
            QVERIFY(stored > 0);
            for (int i = 0; i < stored; ++i)
                QVERIFY2(meanwhile.at(i).x() >= double(floorTo(kNow - kDay, kMinute) - kMinute),
                         qPrintable(
                             u"point %1 at %2 is not from the day's read"_s.arg(i).arg(meanwhile.at(i).x())));
        }
        QVERIFY(waitForReads(feeder, reads + 1));
        QTest::qWait(100); // an answer to the 6 h ask, if it was read, arrives meanwhile: dropped
        const qint64 width = ChartHistory::bucketWidth(columnWidth(kNow - 7 * kDay, kNow, 1400));
        checkLine(feeder, kNow - 7 * kDay, kNow, width);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(feeder.pointsOf(0).first().x() < double(kT0 + width));
    }

    void scrollBackReachesIntoTheStore()
    {
        ChartHistory history;
        history.setStore(m_store.get(), u"srv"_s);
        DisplayClock clock;
        clock.tickAt(kNow); // refreshes at kNow, not at the wall clock's time
        ChartFeeder feeder;
        feeder.setClock(&clock);
        feeder.setStore(&m_rings);
        feeder.setHistory(&history);
        feeder.setColumns(1440);
        feeder.setWindowMs(int(kHour));
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"ticks"_s, u"v"_s);
        feeder.tick(kNow, true);
        // Inside the rings: only the store's range is asked (how far the scroll may go).
        QVERIFY(waitForReads(feeder, 1));
        QCOMPARE(feeder.historyStartMs(), kT0);
        QCOMPARE(feeder.historyPointCount(), 0);
        feeder.setFixedEndMs(kNow - 2 * kDay);
        QVERIFY(waitForReads(feeder, 2));
        // 1 h on 1440 columns: 2.5 s columns, 3 s buckets of the 1 s tier: every sample is a bucket.
        const qint64 end = kNow - 2 * kDay;
        checkLine(feeder, end - kHour, end, 3000);
        if (QTest::currentTestFailed())
            return;
        const QList<QPointF> points = feeder.pointsOf(0);
        QCOMPARE(feeder.historyPointCount(), points.size()); // nothing of this view is in the rings
        QVERIFY(points.size() >= int(kHour / kStep));
    }

    void anotherServerReadsNothing()
    {
        ChartHistory history;
        history.setStore(m_store.get(), u"nowhere"_s);
        DisplayClock clock;
        clock.tickAt(kNow); // refreshes at kNow, not at the wall clock's time
        ChartFeeder feeder;
        feeder.setClock(&clock);
        feeder.setStore(&m_rings);
        feeder.setHistory(&history);
        feeder.setColumns(1440);
        feeder.setWindowMs(int(kDay));
        PlotLine line(PlotLine::Line);
        feeder.attach(&line, u"ticks"_s, u"v"_s);
        feeder.tick(kNow, true);
        QVERIFY(waitForReads(feeder, 1));
        QCOMPARE(feeder.historyPointCount(), 0);
        QCOMPARE(feeder.historyStartMs(), kRamStart); // what the rings hold
        QVERIFY(line.count() > 0);
        QVERIFY(line.points().first().x() >= double(kRamStart));
    }

    // A real TimeChart: the note says where the data starts, with and without the store.
    void chartSaysWhereItsDataStarts()
    {
        ChartHistory none; // --no-history: no store
        ChartHistory stored;
        stored.setStore(m_store.get(), u"srv"_s);
        QQuickView view;
        view.engine()->addImportPath(u"qrc:/"_s);
        view.resize(1000, 300);
        QQmlComponent component(view.engine());
        component.setData(R"(
            import QtQuick
            import Pulseboard
            TimeChart {
                width: 1000; height: 300
                specs: [{ source: "ticks", path: "v", label: "v", color: "#ff0000" }]
            })",
                          QUrl());
        std::unique_ptr<QObject> made(component.createWithInitialProperties(
            {{u"store"_s, QVariant::fromValue(static_cast<QObject *>(&m_rings))},
             {u"history"_s, QVariant::fromValue(static_cast<QObject *>(&none))},
             {u"zoomStartMs"_s, double(kNow - kDay)},
             {u"zoomEndMs"_s, double(kNow)}}));
        QVERIFY2(made, qPrintable(component.errorString()));
        auto *chart = qobject_cast<QQuickItem *>(made.get());
        chart->setParentItem(view.contentItem());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto *note = chart->findChild<QQuickItem *>(u"historyStartNote"_s);
        QVERIFY(note);
        const QString ramStart = QDateTime::fromMSecsSinceEpoch(kRamStart).toString(u"HH:mm"_s);
        QTRY_VERIFY(note->isVisible());
        QCOMPARE(note->property("text").toString(), u"data from %1 \u00b7 no local history"_s.arg(ramStart));
        // Where the data starts, not at the plot's left edge.
        QVERIFY(note->x() >
                chart->property("plotLeft").toDouble() + 0.5 * chart->property("plotWidth").toDouble());

        chart->setProperty("history", QVariant::fromValue(static_cast<QObject *>(&stored)));
        const QString t0 = QDateTime::fromMSecsSinceEpoch(kT0).toString(u"ddd HH:mm"_s);
        // 24 h back from kNow reaches two days after the store's start: the whole view has data.
        QTRY_VERIFY(!note->isVisible());
        chart->setProperty("zoomStartMs", double(kNow - 7 * kDay));
        QTRY_VERIFY(note->isVisible());
        QCOMPARE(note->property("text").toString(), u"history from %1"_s.arg(t0));
    }
};

QTEST_MAIN(tst_ChartLongWindow)
#include "tst_chartlongwindow.moc"
