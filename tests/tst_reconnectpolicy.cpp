// ReconnectPolicy as a table, no timers: which close codes retry and after how long, when the
// endpoint changes, when it gives up and with which words.
#include "client/ReconnectPolicy.h"
#include "protocol/CloseCode.h"

#include <QTest>

using namespace Pulseboard;

class tst_ReconnectPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void firstLoss_data();
    void firstLoss();
    void givesUpAfterMaxRetries();
    void endpointMovesOnlyWhenItDidNotWork();
    void restartForgetsAttemptsAndRefusals();
    void expiredTokenRenewedOnlyFromASource();
};

namespace {

ConnectionOptions options(int endpoints)
{
    ConnectionOptions o;
    for (int i = 0; i < endpoints; ++i)
        o.endpoints.append(QUrl(QStringLiteral("ws://host%1/").arg(i)));
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 100;
    o.rateLimitMinDelayMs = 400;
    o.maxRetries = 3;
    return o;
}

} // namespace

void tst_ReconnectPolicy::firstLoss_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("retry");
    QTest::addColumn<int>("minDelay");
    QTest::addColumn<int>("maxDelay");
    QTest::addColumn<bool>("onAuth");
    QTest::newRow("1000 unrequested") << 1000 << true << 0 << 20 << false;
    QTest::newRow("1001 going away: at once") << 1001 << true << 0 << 0 << false;
    QTest::newRow("1006 abnormal") << 1006 << true << 0 << 20 << false;
    QTest::newRow("1008 policy") << 1008 << false << 0 << 0 << false;
    QTest::newRow("4001 unauthorized") << 4001 << false << 0 << 0 << true;
    QTest::newRow("4008 rate limited") << 4008 << true << 400 << 400 << false;
}

void tst_ReconnectPolicy::firstLoss()
{
    QFETCH(int, code);
    QFETCH(bool, retry);
    QFETCH(int, minDelay);
    QFETCH(int, maxDelay);
    QFETCH(bool, onAuth);
    const ConnectionOptions o = options(1);
    ReconnectPolicy policy(o);
    QRandomGenerator rng(7);
    policy.opened();
    const auto d = policy.connectionEnded(code, QStringLiteral("why"), rng);
    QCOMPARE(d.retry, retry);
    QCOMPARE(policy.hasFailedOnAuth(), onAuth);
    if (retry) {
        QCOMPARE(policy.attempt(), 1);
        QVERIFY2(d.delayMs >= minDelay && d.delayMs <= maxDelay, qPrintable(QString::number(d.delayMs)));
        QVERIFY(d.failure.isEmpty());
    } else {
        QCOMPARE(policy.attempt(), 0);
        QCOMPARE(d.failure, QStringLiteral("why (close %1)").arg(code));
    }
    QVERIFY(!d.endpointChanged); // one endpoint only
}

void tst_ReconnectPolicy::givesUpAfterMaxRetries()
{
    const ConnectionOptions o = options(1);
    ReconnectPolicy policy(o);
    QRandomGenerator rng(1);
    for (int i = 1; i <= 3; ++i) {
        const auto d = policy.connectionEnded(CloseCode::Abnormal, QStringLiteral("refused"), rng);
        QVERIFY(d.retry);
        QCOMPARE(policy.attempt(), i);
    }
    const auto last = policy.connectionEnded(CloseCode::Abnormal, QStringLiteral("refused"), rng);
    QVERIFY(!last.retry);
    QCOMPARE(last.failure, QStringLiteral("gave up after 3 attempts; last error: refused"));
    // A session that opens starts the count again.
    policy.opened();
    QCOMPARE(policy.attempt(), 0);
    QVERIFY(policy.connectionEnded(CloseCode::Abnormal, QStringLiteral("again"), rng).retry);
}

void tst_ReconnectPolicy::endpointMovesOnlyWhenItDidNotWork()
{
    const ConnectionOptions o = options(3);
    ReconnectPolicy policy(o);
    QRandomGenerator rng(3);
    // Never opened: the next endpoint.
    auto d = policy.connectionEnded(CloseCode::Abnormal, QString(), rng);
    QVERIFY(d.endpointChanged);
    QCOMPARE(policy.endpointIndex(), 1);
    // Worked, then dropped: the same endpoint first.
    policy.opened();
    d = policy.connectionEnded(CloseCode::Abnormal, QString(), rng);
    QVERIFY(!d.endpointChanged);
    QCOMPARE(policy.endpointIndex(), 1);
    // Going away: the next one at once, even after it worked.
    policy.opened();
    d = policy.connectionEnded(CloseCode::GoingAway, QString(), rng);
    QVERIFY(d.endpointChanged);
    QCOMPARE(d.delayMs, 0);
    QCOMPARE(policy.endpointIndex(), 2);
    // And round.
    d = policy.connectionEnded(CloseCode::Abnormal, QString(), rng);
    QCOMPARE(policy.endpointIndex(), 0);
    policy.resetEndpoints();
    QCOMPARE(policy.endpointIndex(), 0);
}

void tst_ReconnectPolicy::restartForgetsAttemptsAndRefusals()
{
    const ConnectionOptions o = options(1);
    ReconnectPolicy policy(o);
    QRandomGenerator rng(5);
    policy.connectionEnded(CloseCode::Abnormal, QString(), rng);
    policy.connectionEnded(CloseCode::Unauthorized, QString(), rng);
    policy.closedByUser();
    QCOMPARE(policy.attempt(), 1);
    QVERIFY(policy.hasFailedOnAuth());
    QVERIFY(policy.isClosedByUser());
    policy.restart();
    QCOMPARE(policy.attempt(), 0);
    QVERIFY(!policy.hasFailedOnAuth());
    QVERIFY(!policy.isClosedByUser());
}

void tst_ReconnectPolicy::expiredTokenRenewedOnlyFromASource()
{
    const QString expired = QStringLiteral("token expired");
    QRandomGenerator rng(3);
    // A static token: the expiry is said as such, and nothing is retried.
    ConnectionOptions fixed = options(1);
    fixed.token = QStringLiteral("t");
    ReconnectPolicy stops(fixed);
    stops.opened();
    const auto d = stops.connectionEnded(CloseCode::Unauthorized, expired, rng);
    QVERIFY(!d.retry);
    QVERIFY(stops.hasFailedOnAuth());
    QVERIFY2(d.failure.contains(QStringLiteral("token expired (close 4001)")) &&
                 d.failure.contains(QStringLiteral("static")),
             qPrintable(d.failure));

    // A token source: at once the first time, then with backoff, counted against max retries.
    ConnectionOptions renewable = options(1);
    renewable.tokenSource = [](QString *token, QString *) {
        *token = QStringLiteral("fresh");
        return true;
    };
    ReconnectPolicy renews(renewable);
    renews.opened();
    const auto first = renews.connectionEnded(CloseCode::Unauthorized, expired, rng);
    QVERIFY(first.retry);
    QCOMPARE(first.delayMs, 0);
    QVERIFY(!renews.hasFailedOnAuth());
    const auto second = renews.connectionEnded(CloseCode::Unauthorized, expired, rng);
    QVERIFY(second.retry);
    QCOMPARE(renews.attempt(), 2);
    renews.connectionEnded(CloseCode::Unauthorized, expired, rng);
    QVERIFY(!renews.connectionEnded(CloseCode::Unauthorized, expired, rng).retry); // max retries 3

    // Any other 4001 still fails, source or not.
    ReconnectPolicy refused(renewable);
    QVERIFY(!refused.connectionEnded(CloseCode::Unauthorized, QStringLiteral("invalid token"), rng).retry);
    QVERIFY(refused.hasFailedOnAuth());
}

QTEST_GUILESS_MAIN(tst_ReconnectPolicy)
#include "tst_reconnectpolicy.moc"
