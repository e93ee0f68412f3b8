// DisplayClock's idle rate: with nothing arriving it slows to the idle rate, and the next
// activity brings it back to full rate at once with a tick.
#include "dashboard/charts/DisplayClock.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;

class tst_DisplayClock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void slowsWhenIdleAndWakesOnActivity()
    {
        DisplayClock clock;
        clock.setRateHz(30);
        clock.setIdleRate(1, 50);
        QSignalSpy ticks(&clock, &DisplayClock::ticked);
        clock.start();
        QVERIFY(!clock.isIdle());
        QTRY_VERIFY_WITH_TIMEOUT(clock.isIdle(), 5000);
        // Idle: about one tick a second, so 300 ms bring at most one.
        ticks.clear();
        QTest::qWait(300);
        QVERIFY(ticks.count() <= 1);
        ticks.clear();
        clock.noteActivity();
        QVERIFY(!clock.isIdle());
        QCOMPARE(ticks.count(), 1);                         // a tick now, not at the next slow one
        QTRY_VERIFY_WITH_TIMEOUT(ticks.count() >= 4, 5000); // full rate again
    }

    void activityKeepsFullRate()
    {
        // Ticks at given times (tickAt), not the wall clock: on a busy machine a wait of 20 ms can
        // last longer than the idle threshold, and the clock would rightly slow down. What is
        // under test is the rule: activity between ticks keeps the full rate, however long.
        DisplayClock clock;
        clock.setRateHz(30);
        clock.setIdleRate(1, 200);
        QSignalSpy ticks(&clock, &DisplayClock::ticked);
        const qint64 start = QDateTime::currentMSecsSinceEpoch();
        qint64 now = start;
        for (int i = 0; i < 30; ++i) { // 1 s of 30 Hz ticks, five times the idle threshold
            clock.noteActivity();
            now += 33;
            clock.tickAt(now);
            QVERIFY2(!clock.isIdle(), qPrintable(QString::number(now - start)));
        }
        QCOMPARE(ticks.count(), 30);
        QCOMPARE(clock.rateHz(), 30);
        // Once activity stops, the first tick past the threshold slows it down (not one sooner).
        clock.tickAt(now + 100);
        QVERIFY(!clock.isIdle());
        clock.tickAt(now + 200);
        QVERIFY(clock.isIdle());
    }

    void noIdleRateNeverSlows()
    {
        DisplayClock clock;
        clock.setRateHz(30);
        clock.start();
        QSignalSpy ticks(&clock, &DisplayClock::ticked);
        QTRY_VERIFY_WITH_TIMEOUT(ticks.count() >= 10, 5000);
        QVERIFY(!clock.isIdle());
    }
};

QTEST_GUILESS_MAIN(tst_DisplayClock)
#include "tst_displayclock.moc"
