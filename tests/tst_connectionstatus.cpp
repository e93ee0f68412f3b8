#include "client/ConnectionManager.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/ConnectionStatus.h"
#include "dashboard/connection/EventLog.h"
#include "support/TestServer.h"

#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_ConnectionStatus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void words_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<qint64>("lostAt");
        QTest::addColumn<qint64>("retryAt");
        QTest::addColumn<int>("attempt");
        QTest::addColumn<int>("maxRetries");
        QTest::addColumn<bool>("token");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("headline");
        QTest::addColumn<QString>("banner");
        QTest::addColumn<QString>("severity");

        const qint64 now = 1'000'000;
        QTest::newRow("open") << int(ConnectionManager::Open) << qint64(0) << qint64(0) << 0 << 10 << false
                              << QString() << u"Connected"_s << QString() << u"ok"_s;
        QTest::newRow("reconnecting")
            << int(ConnectionManager::Reconnecting) << now - 12000 << now + 3200 << 3 << 10 << false
            << QString() << u"Reconnecting"_s
            << u"Connection lost 12 s ago. Reconnecting in 4 s (attempt 3 of 10)."_s << u"warn"_s;
        QTest::newRow("reconnecting with cause, unlimited")
            << int(ConnectionManager::Reconnecting) << now - 65000 << now + 900 << 7 << 0 << false
            << u"connection refused"_s << u"Reconnecting"_s
            << u"Connection lost 1 min 05 s ago (connection refused). Reconnecting in 1 s (attempt 7)."_s
            << u"warn"_s;
        QTest::newRow("retry due") << int(ConnectionManager::Reconnecting) << now - 2000 << now - 5 << 1 << 10
                                   << false << QString() << u"Reconnecting"_s
                                   << u"Connection lost 2 s ago. Reconnecting now (attempt 1 of 10)."_s
                                   << u"warn"_s;
        QTest::newRow("never connected")
            << int(ConnectionManager::Reconnecting) << qint64(0) << now + 2000 << 2 << 10 << false
            << u"connection refused"_s << u"Reconnecting"_s
            << u"Could not connect to ws://127.0.0.1:9 (connection refused). Reconnecting in 2 s (attempt 2 of 10)."_s
            << u"warn"_s;
        QTest::newRow("first connect")
            << int(ConnectionManager::Connecting) << qint64(0) << qint64(0) << 0 << 10 << false << QString()
            << u"Connecting"_s << u"Connecting to ws://127.0.0.1:9\u2026"_s << u"warn"_s;
        QTest::newRow("token refused")
            << int(ConnectionManager::Failed) << qint64(0) << qint64(0) << 0 << 10 << true
            << u"server refused the token: bad"_s << u"Failed"_s
            << u"Server refused the token. Set a valid token (--token or PULSEBOARD_TOKEN) and retry."_s
            << u"error"_s;
        QTest::newRow("gave up")
            << int(ConnectionManager::Failed) << now - 1000 << qint64(0) << 11 << 10 << false
            << u"gave up after 10 attempts; last error: refused"_s << u"Failed"_s
            << u"Gave up after 10 attempts; last error: refused. Press Retry now to start again."_s
            << u"error"_s;
        // Another cause: "Gave up" said once, before it.
        QTest::newRow("failed on a close")
            << int(ConnectionManager::Failed) << now - 1000 << qint64(0) << 1 << 10 << false
            << u"going away (close 1001)"_s << u"Failed"_s
            << u"Gave up: going away (close 1001). Press Retry now to start again."_s << u"error"_s;
        QTest::newRow("closed") << int(ConnectionManager::Closed) << qint64(0) << qint64(0) << 0 << 10
                                << false << QString() << u"Disconnected"_s
                                << u"Disconnected on request. Nothing on screen is live."_s << u"idle"_s;
    }
    void words()
    {
        QFETCH(int, state);
        QFETCH(qint64, lostAt);
        QFETCH(qint64, retryAt);
        QFETCH(int, attempt);
        QFETCH(int, maxRetries);
        QFETCH(bool, token);
        QFETCH(QString, error);
        StatusInput in;
        in.state = state;
        in.nowMs = 1'000'000;
        in.lostAtMs = lostAt;
        in.retryAtMs = retryAt;
        in.attempt = attempt;
        in.maxRetries = maxRetries;
        in.failedOnToken = token;
        in.errorString = error;
        in.endpoint = u"ws://127.0.0.1:9"_s;
        const StatusText t = describe(in);
        QTEST(t.headline, "headline");
        QTEST(t.banner, "banner");
        QTEST(t.severity, "severity");
    }

    void durations()
    {
        QCOMPARE(formatDuration(0), u"0 s"_s);
        QCOMPARE(formatDuration(59999), u"59 s"_s);
        QCOMPARE(formatDuration(61000), u"1 min 01 s"_s);
        QCOMPARE(formatDuration(3600000 + 7 * 60000), u"1 h 07 min"_s);
        QCOMPARE(formatDuration(2 * 86400000LL + 3600000), u"2 d 1 h"_s);
    }

    void followsARealConnection()
    {
        Test::TestServer server;
        QVERIFY(server.listen());
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        ConnectionOptions options;
        options.endpoints = {server.url()};
        options.backoff.initialMs = 2000;
        options.backoff.maxMs = 2000;
        // The words are under test, not the jitter: a full-jitter delay may be a few ms, and the
        // Reconnecting state (with its countdown) over before anyone reads it.
        options.backoff.jitter = BackoffPolicy::Jitter::None;
        options.connectTimeoutMs = 2000;
        manager.setOptions(options);
        ConnectionStatus status;
        status.attach(&mirror);
        // Each property notifies for itself, and only when it changed.
        QSignalSpy liveChanged(&status, &ConnectionStatus::liveChanged);
        QSignalSpy endpointChanged(&status, &ConnectionStatus::endpointChanged);
        QSignalSpy headlineChanged(&status, &ConnectionStatus::headlineChanged);
        manager.open();
        QTRY_COMPARE_WITH_TIMEOUT(status.headline(), u"Connected"_s, 5000);
        QVERIFY(status.live());
        QCOMPARE(liveChanged.count(), 1);
        QVERIFY(headlineChanged.count() >= 1);
        QCOMPARE(status.banner(), QString());
        server.kill();
        QTRY_COMPARE_WITH_TIMEOUT(status.headline(), u"Reconnecting"_s, 5000);
        QVERIFY(!status.live());
        QCOMPARE(liveChanged.count(), 2);
        QCOMPARE(endpointChanged.count(), 0); // the same server all along
        QVERIFY2(status.banner().startsWith(u"Connection lost 0 s ago"_s), qPrintable(status.banner()));
        QVERIFY2(status.banner().contains(u"Reconnecting in"_s), qPrintable(status.banner()));
        QVERIFY(status.canRetry());
        QVERIFY(!status.tokenRefused()); // a lost connection is no token refusal
    }

    void saysWhenTheTokenWasRefused()
    {
        Test::TestServer server;
        server.requiredToken = u"right"_s;
        QVERIFY(server.listen());
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        ConnectionOptions options;
        options.endpoints = {server.url()};
        options.token = u"wrong"_s;
        options.connectTimeoutMs = 2000;
        manager.setOptions(options);
        ConnectionStatus status;
        status.attach(&mirror);
        QSignalSpy refusedChanged(&status, &ConnectionStatus::tokenRefusedChanged);
        manager.open();
        QTRY_VERIFY_WITH_TIMEOUT(status.tokenRefused(), 5000);
        QCOMPARE(status.headline(), u"Failed"_s);
        QVERIFY(status.canRetry());
        QCOMPARE(refusedChanged.count(), 1);
        // Another token: the manager tries again with it, and the refusal is over.
        manager.setToken(u"right"_s);
        QTRY_COMPARE_WITH_TIMEOUT(status.headline(), u"Connected"_s, 5000);
        QVERIFY(!status.tokenRefused());
        QCOMPARE(refusedChanged.count(), 2);
    }
};

QTEST_GUILESS_MAIN(tst_ConnectionStatus)
#include "tst_connectionstatus.moc"
