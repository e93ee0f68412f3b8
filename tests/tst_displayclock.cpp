// DisplayClock's idle rate: with nothing arriving it slows to the idle rate, and the next
// activity brings it back to full rate at once with a tick.
#include "dashboard/charts/DisplayClock.h"

#include <QElapsedTimer>
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
        QCOMPARE(ticks.count(), 1); // a tick now, not at the next slow one
        QTRY_VERIFY_WITH_TIMEOUT(ticks.count() >= 4, 5000); // full rate again
    }

    void activityKeepsFullRate()
    {
        DisplayClock clock;
        clock.setRateHz(30);
        clock.setIdleRate(1, 200);
        clock.start();
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 600) {
            clock.noteActivity();
            QTest::qWait(20);
            QVERIFY(!clock.isIdle());
        }
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
