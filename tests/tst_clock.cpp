// Clock: the system clock reads like the system's, a ManualClock moves only when told, and a
// ScopedClock makes it everyone's clock for its lifetime, then puts the previous one back.
#include "protocol/Clock.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTest>

using namespace Pulseboard;

class tst_Clock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void systemClockIsTheSystems();
    void manualClockMovesWhenTold();
    void scopedClockInstallsAndRestores();
};

void tst_Clock::systemClockIsTheSystems()
{
    const Clock &clock = Clock::system();
    QCOMPARE(&Clock::current(), &clock);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const qint64 wall = clock.wallMs();
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(before <= wall && wall <= after);
    // Monotonic time never goes back and moves at the rate QElapsedTimer sees.
    QElapsedTimer timer;
    timer.start();
    const qint64 start = clock.monotonicNs();
    QTest::qSleep(20);
    const qint64 elapsedNs = clock.monotonicNs() - start;
    QVERIFY(elapsedNs >= 20 * 1000000);
    QVERIFY(elapsedNs <= timer.nsecsElapsed());
    QCOMPARE(clock.monotonicMs(), clock.monotonicNs() / 1000000);
}

void tst_Clock::manualClockMovesWhenTold()
{
    ManualClock clock;
    QCOMPARE(clock.wallMs(), ManualClock::kDefaultWallMs);
    const qint64 monotonic = clock.monotonicNs();
    QTest::qSleep(5);
    QCOMPARE(clock.wallMs(), ManualClock::kDefaultWallMs);
    QCOMPARE(clock.monotonicNs(), monotonic);
    clock.advance(250);
    QCOMPARE(clock.wallMs(), ManualClock::kDefaultWallMs + 250);
    QCOMPARE(clock.monotonicNs(), monotonic + 250 * 1000000);
    // Setting the wall clock, even back, leaves monotonic time where it was.
    clock.setWallMs(1000);
    QCOMPARE(clock.wallMs(), qint64(1000));
    QCOMPARE(clock.monotonicMs(), (monotonic + 250 * 1000000) / 1000000);
    QCOMPARE(ManualClock(42).wallMs(), qint64(42));
}

void tst_Clock::scopedClockInstallsAndRestores()
{
    ManualClock outer(1000);
    ManualClock inner(2000);
    {
        ScopedClock useOuter(outer);
        QCOMPARE(&Clock::current(), &outer);
        QCOMPARE(Clock::current().wallMs(), qint64(1000));
        {
            ScopedClock useInner(inner);
            QCOMPARE(Clock::current().wallMs(), qint64(2000));
        }
        QCOMPARE(&Clock::current(), &outer);
    }
    QCOMPARE(&Clock::current(), &Clock::system());
}

QTEST_GUILESS_MAIN(tst_Clock)
#include "tst_clock.moc"
