#include "dashboard/connection/RateMeter.h"

#include <QTest>

using namespace Pulseboard;

class tst_RateMeter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void steadyRate()
    {
        RateMeter m;
        // 10 events a second for 10 seconds.
        for (qint64 t = 0; t < 10000; t += 100)
            m.add(100000 + t);
        QCOMPARE(qRound(m.rate(110000)), 10);
    }

    void youngMeterIsNotUnderRead()
    {
        RateMeter m;
        for (int i = 0; i < 4; ++i)
            m.add(50000 + i * 250); // 4 events over the first second
        QCOMPARE(qRound(m.rate(51000)), 4);
    }

    void decaysToZeroWhenSilent()
    {
        RateMeter m;
        for (qint64 t = 0; t < 3000; t += 100)
            m.add(t + 1000);
        QVERIFY(m.rate(4000) > 5);
        QCOMPARE(m.rate(20000), 0.0);
    }

    void staleness_data()
    {
        QTest::addColumn<qint64>("age");
        QTest::addColumn<double>("rate");
        QTest::addColumn<bool>("live");
        QTest::addColumn<bool>("stale");
        QTest::newRow("fresh") << qint64(500) << 1.0 << true << false;
        QTest::newRow("connection down") << qint64(10) << 50.0 << false << true;
        QTest::newRow("below minimum") << qint64(4999) << 10.0 << true << false;
        QTest::newRow("beyond minimum, fast channel") << qint64(5001) << 10.0 << true << true;
        // A channel that speaks every 10 s is not stale after 6 s, only after 3 intervals.
        QTest::newRow("slow channel, 6 s") << qint64(6000) << 0.1 << true << false;
        QTest::newRow("slow channel, 31 s") << qint64(31000) << 0.1 << true << true;
        QTest::newRow("rate unknown") << qint64(6000) << 0.0 << true << true;
    }
    void staleness()
    {
        QFETCH(qint64, age);
        QFETCH(double, rate);
        QFETCH(bool, live);
        QFETCH(bool, stale);
        QCOMPARE(isStale(age, rate, 5000, live), stale);
    }
};

QTEST_GUILESS_MAIN(tst_RateMeter)
#include "tst_ratemeter.moc"
