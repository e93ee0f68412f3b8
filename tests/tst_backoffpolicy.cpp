// The reconnect delay as a table: exponential, capped, and jitter that stays in bounds and
// actually spreads (a seeded generator makes the figures repeatable).
#include "client/BackoffPolicy.h"

#include <QTest>

#include <algorithm>

using namespace Pulseboard;

class tst_BackoffPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void baseDelay_data();
    void baseDelay();
    void jitterStaysInBounds_data();
    void jitterStaysInBounds();
    void fullJitterSpreadsClients();
    void sameSeedSameDelays();
    void degenerateSettings();
};

void tst_BackoffPolicy::baseDelay_data()
{
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("expected");
    QTest::newRow("0 treated as 1") << 0 << 1000;
    QTest::newRow("1") << 1 << 1000;
    QTest::newRow("2") << 2 << 2000;
    QTest::newRow("3") << 3 << 4000;
    QTest::newRow("5") << 5 << 16000;
    QTest::newRow("6 capped") << 6 << 30000;
    QTest::newRow("1000 capped, no overflow") << 1000 << 30000;
}

void tst_BackoffPolicy::baseDelay()
{
    QFETCH(int, attempt);
    QFETCH(int, expected);
    BackoffPolicy p; // 1000 ms initial, x2, 30 s cap
    QCOMPARE(p.baseDelayMs(attempt), expected);
    p.jitter = BackoffPolicy::Jitter::None;
    QRandomGenerator rng(1);
    QCOMPARE(p.delayMs(attempt, rng), expected);
}

void tst_BackoffPolicy::jitterStaysInBounds_data()
{
    QTest::addColumn<int>("jitter");
    QTest::addColumn<double>("lowFraction");
    QTest::newRow("full") << int(BackoffPolicy::Jitter::Full) << 0.0;
    QTest::newRow("equal") << int(BackoffPolicy::Jitter::Equal) << 0.5;
}

void tst_BackoffPolicy::jitterStaysInBounds()
{
    QFETCH(int, jitter);
    QFETCH(double, lowFraction);
    BackoffPolicy p;
    p.jitter = BackoffPolicy::Jitter(jitter);
    QRandomGenerator rng(42);
    for (int attempt = 1; attempt <= 12; ++attempt) {
        const int base = p.baseDelayMs(attempt);
        int lo = INT_MAX, hi = 0;
        for (int i = 0; i < 2000; ++i) {
            const int d = p.delayMs(attempt, rng);
            QVERIFY2(d >= int(base * lowFraction) && d <= base, qPrintable(QString::number(d)));
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        // Over 2000 draws the spread covers most of the allowed range.
        const double range = base * (1.0 - lowFraction);
        QVERIFY(hi - lo > range * 0.9);
    }
}

void tst_BackoffPolicy::fullJitterSpreadsClients()
{
    // 40 clients cut at once reconnect at attempt 1 (default base 1000 ms). Without jitter all
    // 40 land in the same instant; with full jitter the busiest 100 ms window holds about a
    // fifth of them (uniform spread: 4 on average per window, the busiest one more).
    BackoffPolicy p;
    QCOMPARE(p.initialMs, 1000);
    auto busiestWindow = [&](quint32 seed) {
        QRandomGenerator rng(seed);
        QList<int> delays;
        for (int i = 0; i < 40; ++i)
            delays.append(p.delayMs(1, rng));
        std::sort(delays.begin(), delays.end());
        int worst = 0;
        for (int i = 0; i < delays.size(); ++i) {
            int j = i;
            while (j < delays.size() && delays[j] - delays[i] < 100)
                ++j;
            worst = std::max(worst, j - i);
        }
        return worst;
    };
    QList<int> busiest;
    int sum = 0;
    for (quint32 seed = 1; seed <= 200; ++seed) {
        busiest.append(busiestWindow(seed));
        sum += busiest.last();
    }
    std::sort(busiest.begin(), busiest.end());
    const double mean = sum / 200.0;
    const int p95 = busiest.at(189);
    QVERIFY2(mean <= 10.0, qPrintable(QStringLiteral("mean busiest window %1 of 40").arg(mean)));
    QVERIFY2(p95 <= 13, qPrintable(QStringLiteral("95th percentile busiest window %1 of 40").arg(p95)));
    p.jitter = BackoffPolicy::Jitter::None;
    QCOMPARE(busiestWindow(1), 40);
}

void tst_BackoffPolicy::sameSeedSameDelays()
{
    BackoffPolicy p;
    QRandomGenerator a(99), b(99);
    for (int attempt = 1; attempt < 10; ++attempt)
        QCOMPARE(p.delayMs(attempt, a), p.delayMs(attempt, b));
}

void tst_BackoffPolicy::degenerateSettings()
{
    BackoffPolicy p;
    p.initialMs = 0;
    QRandomGenerator rng(3);
    QCOMPARE(p.delayMs(5, rng), 0);
    p.initialMs = 100;
    p.multiplier = 0.5; // a shrinking backoff makes no sense: treated as constant
    QCOMPARE(p.baseDelayMs(4), 100);
    p.multiplier = 2;
    p.maxMs = 50; // cap below the initial delay wins
    QCOMPARE(p.baseDelayMs(1), 50);
}

QTEST_GUILESS_MAIN(tst_BackoffPolicy)
#include "tst_backoffpolicy.moc"
