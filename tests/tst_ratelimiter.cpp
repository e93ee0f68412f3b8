// RateLimiter: the token bucket, driven by explicit time.
#include "hub/RateLimiter.h"

#include <QTest>

using namespace Pulseboard;

class tst_RateLimiter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void burstThenRate();
    void disabled();
};

void tst_RateLimiter::burstThenRate()
{
    RateLimiter r(10, 5, 0); // 10 a second, bursts of 5
    for (int i = 0; i < 5; ++i)
        QVERIFY(r.tryTake(0));
    QVERIFY(!r.tryTake(0));
    QVERIFY(!r.tryTake(99)); // 0.99 of a token
    QVERIFY(r.tryTake(100)); // one token per 100 ms
    QVERIFY(!r.tryTake(100));
    QCOMPARE(r.available(10000), 5.0); // never more than the burst
    int taken = 0;
    for (qint64 t = 10000; t < 11000; t += 10)
        taken += r.tryTake(t) ? 1 : 0;
    QVERIFY(taken >= 14 && taken <= 15); // 5 burst + ~10 refilled over one second
}

void tst_RateLimiter::disabled()
{
    RateLimiter r(0, 1, 0);
    QVERIFY(!r.isEnabled());
    for (int i = 0; i < 1000; ++i)
        QVERIFY(r.tryTake(0));
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
