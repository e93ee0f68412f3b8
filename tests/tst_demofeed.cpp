// DemoWaveFeed on a ManualClock: how many samples a tick owes and the sample times are a function
// of the time the test sets, not of when the machine got round to the feed's timer.
#include "hub/feeds/DemoFeed.h"
#include "protocol/Clock.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;

class tst_DemoFeed : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void samplesFollowTheClock();
    void stallSkipsAheadInsteadOfBursting();
};

namespace {

QList<qint64> sampleTimes(const QSignalSpy &spy, qsizetype from = 0)
{
    QList<qint64> times;
    for (qsizetype i = from; i < spy.size(); ++i)
        times.append(
            qint64(spy.at(i).at(1).toJsonValue().toObject().value(QLatin1StringView("t")).toDouble()));
    return times;
}

} // namespace

void tst_DemoFeed::samplesFollowTheClock()
{
    ManualClock clock;
    ScopedClock useIt(clock);
    DemoWaveFeed feed(500);
    QSignalSpy samples(&feed, &Feed::sample);
    feed.start();
    QTRY_COMPARE(samples.size(), 1); // sample 0, at the start
    QCOMPARE(samples.at(0).at(0).toString(), QStringLiteral("demo.wave"));
    QCOMPARE(sampleTimes(samples), QList<qint64>{ManualClock::kDefaultWallMs});
    // Ticks come and go; with no time passing they owe nothing.
    QTest::qWait(100);
    QCOMPARE(samples.size(), 1);
    // One second at 500 Hz: exactly 500 more, 2 ms apart.
    clock.advance(1000);
    QTRY_COMPARE(samples.size(), 501);
    QTest::qWait(50);
    QCOMPARE(samples.size(), 501);
    const QList<qint64> times = sampleTimes(samples);
    for (qsizetype i = 0; i < times.size(); ++i)
        QCOMPARE(times.at(i), ManualClock::kDefaultWallMs + 2 * i);
    feed.stop();
}

void tst_DemoFeed::stallSkipsAheadInsteadOfBursting()
{
    ManualClock clock;
    ScopedClock useIt(clock);
    DemoWaveFeed feed(500);
    QSignalSpy samples(&feed, &Feed::sample);
    feed.start();
    QTRY_COMPARE(samples.size(), 1);
    // Ten seconds in one go (a suspended machine): at most one second's worth, the newest.
    clock.advance(10000);
    QTRY_COMPARE(samples.size(), 1 + 501);
    QTest::qWait(50);
    QCOMPARE(samples.size(), 1 + 501);
    const QList<qint64> times = sampleTimes(samples, 1);
    QCOMPARE(times.first(), ManualClock::kDefaultWallMs + 9000);
    QCOMPARE(times.last(), ManualClock::kDefaultWallMs + 10000);
    feed.stop();
}

QTEST_GUILESS_MAIN(tst_DemoFeed)
#include "tst_demofeed.moc"
