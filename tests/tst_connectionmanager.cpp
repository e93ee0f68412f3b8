// ConnectionManager against a real in-process server on 127.0.0.1: the state machine, heartbeat,
// handshake timeout, close codes, endpoint rotation, auth ordering, token redaction, resubscribe
// with `since`, the outbox delivered once and in order, requests, and bad frames from a server.
#include "client/ConnectionManager.h"
#include "client/DialectFactory.h"
#include "hub/ChannelStore.h"
#include "hub/HubServer.h"
#include "protocol/CloseCode.h"
#include "support/TestServer.h"
#include "support/TestUtils.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using Pulseboard::Test::RawHandshakeServer;
using Pulseboard::Test::TestServer;

namespace {

ConnectionOptions fastOptions(const QList<QUrl> &endpoints)
{
    ConnectionOptions o;
    o.endpoints = endpoints;
    o.heartbeatIntervalMs = 50;
    // Pings run at test speed, but a pong that a busy machine delays must not cut the session:
    // the tests count connections and frames per connection. heartbeatDetectsSilentServer sets
    // its own deadline.
    o.heartbeatTimeoutMs = 1000;
    o.connectTimeoutMs = 500;
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 100;
    o.maxRetries = 0;
    o.requestTimeoutMs = 1000;
    // Likewise an ack late by a busy machine must not resend (unackedPublishResentWithSameId sets its own).
    o.ackTimeoutMs = 2000;
    o.rateLimitMinDelayMs = 400;
    return o;
}

QList<ConnectionManager::State> states(const QSignalSpy &spy)
{
    QList<ConnectionManager::State> out;
    for (const auto &args : spy)
        out.append(args.at(0).value<ConnectionManager::State>());
    return out;
}

QJsonValue num(int v)
{
    return QJsonObject{{QLatin1StringView("v"), v}};
}

QList<qint64> seqsOf(const QSignalSpy &messages)
{
    QList<qint64> out;
    for (const auto &args : messages)
        out.append(args.at(1).toLongLong());
    return out;
}

QStringList captured;
QtMessageHandler previousHandler = nullptr;
void captureMessages(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    captured.append(msg);
    if (previousHandler)
        previousHandler(type, ctx, msg);
}

struct Delivery
{
    QString channel;
    qint64 seq = 0;
    qint64 ts = 0;
    double v = 0;
    QJsonValue data;
};

// Records what a MessageSink is handed, reading the view while it is valid.
class RecordingSink : public MessageSink
{
public:
    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override
    {
        deliveries.append(
            {channel, seq, ts, data.value(QLatin1StringView("v")).toDouble(-1), data.toJsonValue()});
    }
    QList<Delivery> deliveries;
};

} // namespace

class tst_ConnectionManager : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void opensWithStateSequence();
    void heartbeatDetectsSilentServer();
    void answersServerPing();
    void handshakeTimeout();
    void closeCodes_data();
    void closeCodes();
    void endpointRotation();
    void authComesFirstAndQueueWaitsForIt();
    void refusedTokenFailsWithoutRetry();
    void tokenNeverLogged();
    void resubscribesWithSinceAfterReconnect();
    void firstSubscribeAsksHistoryResubscribeUsesSince();
    void gapReportedWhenHistoryIsGone();
    void serverSequenceResetIsReported();
    void maxRetriesThenFailedThenRetry();
    void publishesWhileDownDeliveredOnceInOrder();
    void unackedPublishResentWithSameId();
    void publishOutlivesMoreCutsThanItsAttempts();
    void unknownProtocolFailsClearly();
    void tooBigPublishFailsInsteadOfLooping();
    void outboxOverflowIsRefusedAndReported();
    void requestReplyTimeoutAndDisconnect();
    void badFramesFromServerAreReportedAndSurvived();
    void foreignSubprotocolIsRefused();
    void closeIsFinal();
    void backpressurePausesSendingAndBoundsMemory();
    void journalRestoresQueueAcrossInstances();
    void messageSinksGetEveryDeliveredMessage();
    void queueLongerThanTheServersBurstDrainsPaced();
};

void tst_ConnectionManager::opensWithStateSequence()
{
    TestServer server;
    server.sendWelcome = true;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    QSignalSpy stateSpy(&cm, &ConnectionManager::stateChanged);
    QSignalSpy welcome(&cm, &ConnectionManager::welcomeReceived);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(states(stateSpy),
             (QList<ConnectionManager::State>{ConnectionManager::Connecting, ConnectionManager::Open}));
    QCOMPARE(cm.url(), server.url());
    QCOMPARE(server.subprotocolsSeen.value(0), QStringLiteral("pulseboard.v1"));
    QTRY_COMPARE(welcome.size(), 1);
    QCOMPARE(welcome.at(0).at(0).toString(), QStringLiteral("pulseboard-test"));
    // Heartbeat runs and RTT gets measured from the echoed ts.
    QTRY_VERIFY(cm.rttMs() >= 0);
    QVERIFY(server.framesOfType(MessageType::Ping).size() >= 1);
}

void tst_ConnectionManager::heartbeatDetectsSilentServer()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.heartbeatIntervalMs = 40;
    o.heartbeatTimeoutMs = 120;
    cm.setOptions(o);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.answerPings = false; // the peer is "alive" at TCP level but says nothing
    // The pings that went unanswered, with the client's send time each carries.
    QList<qint64> unansweredPingTs;
    connect(&server, &TestServer::frameReceived, this, [&](int, const Envelope &env) {
        if (env.type == MessageType::Ping && !server.answerPings)
            unansweredPingTs.append(env.ts);
    });
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    qint64 lostAtMs = -1;
    connect(&cm, &ConnectionManager::disconnected, this, [&] {
        if (lostAtMs < 0)
            lostAtMs = QDateTime::currentMSecsSinceEpoch();
    });
    QElapsedTimer clock;
    clock.start();
    QVERIFY(lost.wait(5000));
    const qint64 detectedAfter = clock.elapsed();
    qInfo("silence noticed after %lld ms, %d unanswered ping(s) (interval %d + deadline %d)", detectedAfter,
          int(unansweredPingTs.size()), o.heartbeatIntervalMs, o.heartbeatTimeoutMs);
    // The deadline runs from the first unanswered ping (which may have left just before the clock
    // started): not sooner than that ...
    QVERIFY(!unansweredPingTs.isEmpty());
    QVERIFY2(lostAtMs - unansweredPingTs.first() >= o.heartbeatTimeoutMs - 1,
             qPrintable(QString::number(lostAtMs - unansweredPingTs.first())));
    // ... and it is that deadline (or the next ping's, when the pong of the last answered ping came
    // after it left and lifted it), not a later one: no more pings than that spans.
    QVERIFY2(unansweredPingTs.size() <= o.heartbeatTimeoutMs / o.heartbeatIntervalMs + 2,
             qPrintable(QString::number(unansweredPingTs.size())));
    // Detection takes at most interval + deadline; the margin absorbs a busy machine.
    QVERIFY2(detectedAfter <= o.heartbeatIntervalMs + o.heartbeatTimeoutMs + TestUtils::kSchedulingSlackMs,
             qPrintable(QString::number(detectedAfter)));
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::Abnormal);
    QVERIFY(lost.at(0).at(1).toString().contains(QLatin1StringView("heartbeat")));
    // And it comes back on its own.
    server.answerPings = true;
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(server.connectionCount(), 2);
}

void tst_ConnectionManager::answersServerPing()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.heartbeatIntervalMs = 60000; // only the server pings in this test
    cm.setOptions(o);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.sendToAll(R"({"type":"ping","id":"srv-1","ts":777})");
    QTRY_COMPARE(server.framesOfType(MessageType::Pong).size(), 1);
    const Envelope pong = server.framesOfType(MessageType::Pong).first().env;
    QCOMPARE(pong.id, QStringLiteral("srv-1"));
    QCOMPARE(pong.ts, 777);
}

void tst_ConnectionManager::handshakeTimeout()
{
    RawHandshakeServer stall(RawHandshakeServer::Mode::Stall);
    QVERIFY(stall.listen());
    ConnectionManager cm;
    auto o = fastOptions({stall.url()});
    o.connectTimeoutMs = 150;
    o.maxRetries = 1;
    cm.setOptions(o);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    QElapsedTimer clock;
    clock.start();
    cm.open();
    QVERIFY(lost.wait(3000));
    const qint64 after = clock.elapsed();
    QVERIFY2(after >= 140 && after < 1500, qPrintable(QString::number(after)));
    QVERIFY2(lost.at(0).at(1).toString().contains(QLatin1StringView("handshake")),
             qPrintable(lost.at(0).at(1).toString()));
    QCOMPARE(stall.accepted(), 1);
    // One retry allowed, then failed with the reason.
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Failed, 5000);
    QCOMPARE(stall.accepted(), 2);
    QVERIFY(cm.errorString().contains(QLatin1StringView("gave up after 1 attempts")));
}

void tst_ConnectionManager::closeCodes_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("expectedState");
    QTest::addColumn<int>("minDelay");
    QTest::addColumn<int>("maxDelay");
    const int reconnecting = ConnectionManager::Reconnecting;
    const int failed = ConnectionManager::Failed;
    QTest::newRow("1000 unrequested") << 1000 << reconnecting << 0 << 20;
    QTest::newRow("1001 going away: at once") << 1001 << reconnecting << 0 << 0;
    QTest::newRow("1008 policy") << 1008 << failed << 0 << 0;
    QTest::newRow("1009 too big") << 1009 << reconnecting << 0 << 20;
    QTest::newRow("1011 server error") << 1011 << reconnecting << 0 << 20;
    QTest::newRow("4001 unauthorized") << 4001 << failed << 0 << 0;
    QTest::newRow("4008 rate limited") << 4008 << reconnecting << 400 << 400;
    QTest::newRow("4400 malformed") << 4400 << reconnecting << 0 << 20;
}

void tst_ConnectionManager::closeCodes()
{
    QFETCH(int, code);
    QFETCH(int, expectedState);
    QFETCH(int, minDelay);
    QFETCH(int, maxDelay);
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QSignalSpy stateSpy(&cm, &ConnectionManager::stateChanged);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    int chosenDelay = -1;
    int attemptThen = -1;
    connect(&cm, &ConnectionManager::stateChanged, this, [&](ConnectionManager::State s) {
        if (s == ConnectionManager::Reconnecting && chosenDelay < 0) {
            chosenDelay = cm.retryInMs();
            attemptThen = cm.attempt();
        }
    });
    server.closeAll(code, QStringLiteral("test close"));
    QTRY_COMPARE(lost.size(), 1);
    QCOMPARE(lost.at(0).at(0).toInt(), code);
    QCOMPARE(stateSpy.value(0).value(0).value<ConnectionManager::State>(),
             ConnectionManager::State(expectedState));
    if (expectedState == ConnectionManager::Reconnecting) {
        QCOMPARE(attemptThen, 1);
        QVERIFY2(chosenDelay >= minDelay && chosenDelay <= maxDelay,
                 qPrintable(QString::number(chosenDelay)));
        QTRY_COMPARE(cm.state(), ConnectionManager::Open);
        QCOMPARE(cm.attempt(), 0);
        QCOMPARE(server.connectionCount(), 2);
    } else {
        QVERIFY(cm.errorString().contains(QString::number(code)));
        QTest::qWait(150);
        QCOMPARE(cm.state(), ConnectionManager::Failed);
        QCOMPARE(server.connectionCount(), 1); // no retry
    }
}

void tst_ConnectionManager::endpointRotation()
{
    TestServer good;
    QVERIFY(good.listen());
    const QUrl dead = TestUtils::deadUrl();
    ConnectionManager cm;
    cm.setOptions(fastOptions({dead, good.url()}));
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(cm.url(), good.url());
    QCOMPARE(lost.size(), 1); // the dead one, once
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::Abnormal);

    // A going-away server hands over to the next endpoint at once.
    TestServer second;
    QVERIFY(second.listen());
    ConnectionManager cm2;
    cm2.setOptions(fastOptions({good.url(), second.url()}));
    cm2.open();
    QTRY_COMPARE(cm2.state(), ConnectionManager::Open);
    QCOMPARE(cm2.url(), good.url());
    good.closeAll(CloseCode::GoingAway, QStringLiteral("deploy"));
    QTRY_COMPARE(second.connectionCount(), 1);
    QTRY_COMPARE(cm2.state(), ConnectionManager::Open);
    QCOMPARE(cm2.url(), second.url());
    // A session that dropped for other reasons is tried where it was first.
    second.dropAll();
    QTRY_COMPARE(second.connectionCount(), 2);
    QTRY_COMPARE(cm2.state(), ConnectionManager::Open);
    QCOMPARE(cm2.url(), second.url());
}

void tst_ConnectionManager::authComesFirstAndQueueWaitsForIt()
{
    TestServer server;
    server.requiredToken = QStringLiteral("tok-123");
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.token = QStringLiteral("tok-123");
    o.heartbeatIntervalMs = 60000;
    cm.setOptions(o);
    cm.subscribe(QStringLiteral("alpha"));
    const QString p1 = cm.publish(QStringLiteral("alpha"), num(1));
    const QString p2 = cm.publish(QStringLiteral("alpha"), num(2));
    QVERIFY(!p1.isEmpty() && !p2.isEmpty());
    QCOMPARE(cm.queuedCount(), 2);
    QSignalSpy stateSpy(&cm, &ConnectionManager::stateChanged);
    QSignalSpy acks(&cm, &ConnectionManager::acked);
    cm.open();
    QTRY_COMPARE(acks.size(), 2);
    QCOMPARE(states(stateSpy),
             (QList<ConnectionManager::State>{ConnectionManager::Connecting,
                                              ConnectionManager::Authenticating, ConnectionManager::Open}));
    QStringList order;
    for (const auto &f : server.frames)
        order.append(QString(messageTypeName(f.env.type)));
    QCOMPARE(order, (QStringList{QStringLiteral("auth"), QStringLiteral("subscribe"),
                                 QStringLiteral("publish"), QStringLiteral("publish")}));
    QCOMPARE(server.frames.at(2).env.id, p1);
    QCOMPARE(server.frames.at(3).env.id, p2);
    QCOMPARE(acks.at(0).at(0).toString(), p1);
    QCOMPARE(acks.at(0).at(2).toLongLong(), 1);
    QCOMPARE(cm.queuedCount(), 0);
}

void tst_ConnectionManager::refusedTokenFailsWithoutRetry()
{
    TestServer server;
    server.requiredToken = QStringLiteral("right");
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.token = QStringLiteral("wrong");
    cm.setOptions(o);
    cm.publish(QStringLiteral("alpha"), num(1));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Failed);
    QVERIFY2(cm.errorString().contains(QLatin1StringView("refused the token")), qPrintable(cm.errorString()));
    QTest::qWait(200);
    QCOMPARE(server.connectionCount(), 1);
    QCOMPARE(server.framesOfType(MessageType::Publish).size(), 0); // nothing queued leaked out
    QCOMPARE(cm.queuedCount(), 1);                                 // and nothing was lost
    // A new token starts again by itself.
    cm.setToken(QStringLiteral("right"));
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QTRY_COMPARE(cm.queuedCount(), 0);
    QCOMPARE(server.framesOfType(MessageType::Publish).size(), 1);
}

void tst_ConnectionManager::tokenNeverLogged()
{
    const QString secret = QStringLiteral("s3cr3t-Token-9f8e7d");
    QLoggingCategory::setFilterRules(QStringLiteral("pulseboard.*=true"));
    captured.clear();
    previousHandler = qInstallMessageHandler(captureMessages);
    {
        TestServer server;
        server.requiredToken = QStringLiteral("other");
        QVERIFY(server.listen());
        ConnectionManager cm;
        auto o = fastOptions({QUrl(server.url().toString() + QStringLiteral("?token=") + secret)});
        o.token = secret;
        cm.setOptions(o);
        cm.open();
        QTRY_COMPARE(cm.state(), ConnectionManager::Failed);
        QVERIFY(!cm.errorString().contains(secret));
        QVERIFY(!cm.url().toString().contains(secret) || cm.url().hasQuery());
    }
    qInstallMessageHandler(previousHandler);
    QLoggingCategory::setFilterRules(QString());
    QVERIFY(captured.size() > 3); // the logging really ran
    for (const QString &line : std::as_const(captured))
        QVERIFY2(!line.contains(secret), qPrintable(line));
}

void tst_ConnectionManager::resubscribesWithSinceAfterReconnect()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy gaps(&cm, &ConnectionManager::gapDetected);
    cm.subscribe(QStringLiteral("a"));
    cm.subscribe(QStringLiteral("b"));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    for (int i = 1; i <= 3; ++i)
        server.publish(QStringLiteral("a"), num(i));
    QTRY_COMPARE(messages.size(), 3);

    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    server.kill();                 // crash: no close frame
    QTRY_VERIFY(lost.size() >= 1); // noticed: from now on it is away (retrying), whichever step it is at
    QVERIFY(cm.state() != ConnectionManager::Open);
    server.publish(QStringLiteral("a"), num(4)); // happens while the client is away
    server.publish(QStringLiteral("a"), num(5));
    QVERIFY(server.listen(server.port()));
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QTRY_COMPARE(messages.size(), 5);
    server.publish(QStringLiteral("a"), num(6));
    QTRY_COMPARE(messages.size(), 6);
    QCOMPARE(seqsOf(messages), (QList<qint64>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(gaps.size(), 0);
    // One outage, recovered once, whatever number of attempts it took.
    QCOMPARE(cm.stats().reconnected, 1u);
    QVERIFY(cm.stats().reconnects >= 1);

    // The second connection asked for exactly what it missed, for both channels.
    QList<Envelope> subs;
    for (const auto &f : server.framesOfType(MessageType::Subscribe)) {
        if (f.connection == 2)
            subs.append(f.env);
    }
    QCOMPARE(subs.size(), 2);
    QCOMPARE(subs.at(0).channel, QStringLiteral("a"));
    QCOMPARE(subs.at(0).since, 3);
    QCOMPARE(subs.at(1).channel, QStringLiteral("b"));
    QCOMPARE(subs.at(1).since, 0); // b was subscribed at seq 0 and saw nothing
    QCOMPARE(cm.stats().duplicates, 0u);
}

void tst_ConnectionManager::firstSubscribeAsksHistoryResubscribeUsesSince()
{
    TestServer server; // a server of this protocol that knows no `history`: no backfill comes
    QVERIFY(server.listen());
    ConnectionManager cm;
    ConnectionOptions o = fastOptions({server.url()});
    o.backfill = 300;
    cm.setOptions(o);
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy marks(&cm, &ConnectionManager::backfillReceived);
    cm.subscribe(QStringLiteral("a"));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    for (int i = 1; i <= 2; ++i)
        server.publish(QStringLiteral("a"), num(i));
    QTRY_COMPARE(messages.size(), 2);
    server.kill();
    QTRY_VERIFY(cm.state() != ConnectionManager::Open);
    server.publish(QStringLiteral("a"), num(3));
    QVERIFY(server.listen(server.port()));
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QTRY_COMPARE(messages.size(), 3);
    QCOMPARE(seqsOf(messages), (QList<qint64>{1, 2, 3}));
    QCOMPARE(marks.size(), 0); // the server ignored `history`: everything is live

    QList<Envelope> first, second;
    for (const auto &f : server.framesOfType(MessageType::Subscribe))
        (f.connection == 1 ? first : second).append(f.env);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.at(0).history, qint64(300));
    QCOMPARE(first.at(0).since, qint64(-1));
    QCOMPARE(second.size(), 1);
    QCOMPARE(second.at(0).since, qint64(2));
    QCOMPARE(second.at(0).history, qint64(-1)); // a resubscribe resumes, it does not backfill
}

void tst_ConnectionManager::gapReportedWhenHistoryIsGone()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy gaps(&cm, &ConnectionManager::gapDetected);
    cm.subscribe(QStringLiteral("a"));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.publish(QStringLiteral("a"), num(1));
    QTRY_COMPARE(messages.size(), 1);
    server.kill();
    QTRY_VERIFY(cm.state() != ConnectionManager::Open);
    for (int i = 2; i <= 5; ++i)
        server.publish(QStringLiteral("a"), num(i));
    server.forgetHistory(QStringLiteral("a")); // retention ran out while the client was away
    QVERIFY(server.listen(server.port()));
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.publish(QStringLiteral("a"), num(6));
    QTRY_COMPARE(messages.size(), 2);
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(0).toString(), QStringLiteral("a"));
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 2);
    QCOMPARE(gaps.at(0).at(2).toLongLong(), 5);
}

void tst_ConnectionManager::serverSequenceResetIsReported()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy gaps(&cm, &ConnectionManager::gapDetected);
    cm.subscribe(QStringLiteral("a"));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    for (int i = 1; i <= 3; ++i)
        server.publish(QStringLiteral("a"), num(i));
    QTRY_COMPARE(messages.size(), 3);
    server.kill();
    server.resetChannel(QStringLiteral("a")); // a memory-only server restarted
    QTRY_VERIFY(cm.state() != ConnectionManager::Open);
    QVERIFY(server.listen(server.port()));
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QTRY_COMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("reset"));
    server.publish(QStringLiteral("a"), num(100)); // seq 1 again: must be shown, not dropped
    QTRY_COMPARE(messages.size(), 4);
    QCOMPARE(messages.at(3).at(1).toLongLong(), 1);
}

void tst_ConnectionManager::maxRetriesThenFailedThenRetry()
{
    const QUrl dead = TestUtils::deadUrl();
    ConnectionManager cm;
    auto o = fastOptions({dead});
    o.maxRetries = 3;
    cm.setOptions(o);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Failed, 5000);
    QCOMPARE(lost.size(), 4); // first try + 3 retries
    QVERIFY2(cm.errorString().contains(QLatin1StringView("gave up after 3 attempts")),
             qPrintable(cm.errorString()));
    QTest::qWait(200);
    QCOMPARE(lost.size(), 4); // and no more attempts

    TestServer server;
    QVERIFY(server.listen(quint16(dead.port())));
    cm.retry();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(cm.attempt(), 0);
    QVERIFY(cm.errorString().isEmpty());
}

void tst_ConnectionManager::publishesWhileDownDeliveredOnceInOrder()
{
    TestServer server;
    server.requiredToken = QStringLiteral("t");
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.token = QStringLiteral("t");
    cm.setOptions(o);
    cm.subscribe(QStringLiteral("cmd"));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.kill();
    QTRY_VERIFY(cm.state() != ConnectionManager::Open);
    QStringList ids;
    for (int i = 0; i < 20; ++i)
        ids.append(cm.publish(QStringLiteral("cmd"), num(i)));
    QCOMPARE(cm.queuedCount(), 20);
    QSignalSpy acks(&cm, &ConnectionManager::acked);
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QVERIFY(server.listen(server.port()));
    QTRY_COMPARE(acks.size(), 20);
    QTRY_COMPARE(messages.size(), 20);
    QCOMPARE(server.publishedCount(QStringLiteral("cmd")), 20);
    // Order on the wire of the new connection: auth, subscribe, then the 20 publishes in order.
    QList<Envelope> second;
    for (const auto &f : server.frames) {
        if (f.connection == 2 && f.env.type != MessageType::Ping)
            second.append(f.env);
    }
    QCOMPARE(second.size(), 22);
    QCOMPARE(second.at(0).type, MessageType::Auth);
    QCOMPARE(second.at(1).type, MessageType::Subscribe);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(second.at(2 + i).id, ids.at(i));
        QCOMPARE(messages.at(i).at(3).toJsonValue().toObject().value(QLatin1StringView("v")).toInt(), i);
    }
    QCOMPARE(cm.queuedCount(), 0);
}

// A link that fails again and again right after the queue went out (the soak's faults): every cut
// copy has an unknown fate and the hub dedupes the resend, so four cuts do not use up two attempts.
// Only a deadline passed on a connection that stayed up counts; here one does, and the publish lives.
void tst_ConnectionManager::publishOutlivesMoreCutsThanItsAttempts()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.ackTimeoutMs = 2000;
    o.maxSendAttempts = 2;
    cm.setOptions(o);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.ackPublishes = false;
    QSignalSpy failed(&cm, &ConnectionManager::publishFailed);
    QSignalSpy acked(&cm, &ConnectionManager::acked);
    const QString id = cm.publish(QStringLiteral("x"), num(1));
    for (int cut = 1; cut <= 4; ++cut) {
        QTRY_COMPARE(server.framesOfType(MessageType::Publish).size(), cut);
        server.dropAll();
        QTRY_COMPARE(server.connectionCount(), cut + 1);
    }
    // The fifth copy, on the fifth connection, meets a server that acks again, but only its resend
    // after the deadline will be acked: the copy itself was read while acks were off.
    QTRY_COMPARE(server.framesOfType(MessageType::Publish).size(), 5);
    server.ackPublishes = true;
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 10000);
    QCOMPARE(failed.size(), 0);
    const auto sent = server.framesOfType(MessageType::Publish);
    QCOMPARE(sent.size(), 6);
    for (const auto &f : sent)
        QCOMPARE(f.env.id, id);
    QCOMPARE(sent.at(5).connection, sent.at(4).connection); // the deadline's resend, same connection
    QCOMPARE(server.publishedCount(QStringLiteral("x")), 1);
    QCOMPARE(cm.queuedCount(), 0);
}

// A publish larger than the server takes closes the connection 1009 each time it goes out: it
// fails after the second such close instead of being resent after every reconnect, and what was
// queued behind it goes through.
void tst_ConnectionManager::tooBigPublishFailsInsteadOfLooping()
{
    TestServer server;
    server.maxFrameBytes = 4096;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    QSignalSpy failed(&cm, &ConnectionManager::publishFailed);
    QSignalSpy acked(&cm, &ConnectionManager::acked);
    QSignalSpy disconnected(&cm, &ConnectionManager::disconnected);
    const QString big = cm.publish(QStringLiteral("x"), QJsonValue(QString(8000, QLatin1Char('b'))));
    const QString small = cm.publish(QStringLiteral("x"), num(1));
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 10000);
    QCOMPARE(acked.at(0).at(0).toString(), small);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), big);
    QVERIFY2(failed.at(0).at(2).toString().contains(u"too big (1009) twice"),
             qPrintable(failed.at(0).at(2).toString()));
    QCOMPARE(disconnected.size(), 2);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1009);
    QCOMPARE(server.connectionCount(), 3);
    QCOMPARE(server.publishedCount(QStringLiteral("x")), 1);
    QCOMPARE(cm.queuedCount(), 0);
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
}

// A protocol name no dialect has: said at once, the connection fails with it, nothing is queued in
// a format no server would read, and no other dialect is used in its place.
void tst_ConnectionManager::unknownProtocolFailsClearly()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    auto o = fastOptions({server.url()});
    o.protocol = QStringLiteral("carrier-pigeon");
    cm.setOptions(o);
    QCOMPARE(errors.size(), 1);
    QVERIFY(knownProtocols().startsWith(QStringLiteral("pulseboard")));
    QVERIFY(knownProtocols().contains(QStringLiteral("mqtt")));
    const QString why =
        QStringLiteral("unknown protocol 'carrier-pigeon' (known: %1)").arg(knownProtocols().join(u", "));
    QCOMPARE(errors.at(0).at(1).toString(), why);
    QVERIFY(cm.publish(QStringLiteral("x"), num(1)).isEmpty());
    QCOMPARE(cm.queuedCount(), 0);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Failed);
    QCOMPARE(cm.errorString(), why);
    QCOMPARE(server.connectionCount(), 0);
}

void tst_ConnectionManager::unackedPublishResentWithSameId()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.ackTimeoutMs = 100;
    o.maxSendAttempts = 3;
    cm.setOptions(o);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.ackPublishes = false;
    QSignalSpy failed(&cm, &ConnectionManager::publishFailed);
    const QString id = cm.publish(QStringLiteral("x"), num(1));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    const auto sent = server.framesOfType(MessageType::Publish);
    QCOMPARE(sent.size(), 3);
    for (const auto &f : sent)
        QCOMPARE(f.env.id, id);
    QVERIFY(failed.at(0).at(2).toString().contains(QLatin1StringView("3 attempts")));
    QCOMPARE(cm.queuedCount(), 0);

    // After a reconnect an un-acked publish goes out again with its id (a hub dedupes by it).
    // The first copy reaches the server but its ack never comes; the connection then drops.
    // Only the reconnect may resend it here, not the ack timer.
    o.ackTimeoutMs = 60000;
    cm.setOptions(o);
    const QString id2 = cm.publish(QStringLiteral("x"), num(2));
    QTRY_COMPARE(server.framesOfType(MessageType::Publish).size(), 4);
    QCOMPARE(server.framesOfType(MessageType::Publish).last().env.id, id2);
    QCOMPARE(cm.queuedCount(), 1);
    server.ackPublishes = true;
    server.dropAll();
    // Waited for by what it means: a second connection, open, that acked the resend.
    QTRY_COMPARE(server.connectionCount(), 2);
    QTRY_COMPARE(cm.queuedCount(), 0);
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QList<TestServer::Frame> resent;
    for (const auto &f : server.framesOfType(MessageType::Publish)) {
        if (f.connection == 2)
            resent.append(f);
    }
    QCOMPARE(resent.size(), 1);
    QCOMPARE(resent.first().env.id, id2);
    QCOMPARE(server.publishedCount(QStringLiteral("x")), 1);
}

void tst_ConnectionManager::outboxOverflowIsRefusedAndReported()
{
    ConnectionManager cm;
    auto o = fastOptions({TestUtils::deadUrl()});
    o.queue.maxCount = 3;
    cm.setOptions(o);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QSignalSpy failed(&cm, &ConnectionManager::publishFailed);
    for (int i = 0; i < 3; ++i)
        QVERIFY(!cm.publish(QStringLiteral("c"), num(i)).isEmpty());
    QVERIFY(cm.publish(QStringLiteral("c"), num(3)).isEmpty());
    QCOMPARE(cm.queuedCount(), 3);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).toInt(), -3);
    QVERIFY(errors.at(0).at(1).toString().contains(QLatin1StringView("queue full")));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(cm.stats().refused, 1u);

    // Drop-oldest: the oldest goes, and says so.
    o.queue.overflow = Outbox::Overflow::DropOldest;
    cm.setOptions(o);
    const QString newest = cm.publish(QStringLiteral("c"), num(4));
    QVERIFY(!newest.isEmpty());
    QCOMPARE(failed.size(), 2);
    QVERIFY(failed.at(1).at(2).toString().contains(QLatin1StringView("dropped")));
    QCOMPARE(cm.queuedCount(), 3);
}

void tst_ConnectionManager::requestReplyTimeoutAndDisconnect()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    QSignalSpy replies(&cm, &ConnectionManager::responseReceived);
    QSignalSpy failures(&cm, &ConnectionManager::requestFailed);
    // Made while offline: queued, answered once open.
    const QString echo = cm.request(QStringLiteral("echo"), QJsonObject{{QLatin1StringView("k"), 5}});
    cm.open();
    QTRY_COMPARE(replies.size(), 1);
    QCOMPARE(replies.at(0).at(0).toString(), echo);
    QCOMPARE(replies.at(0).at(1).toString(), QStringLiteral("echo"));
    QCOMPARE(replies.at(0).at(2).toJsonValue().toObject().value(QLatin1StringView("k")).toInt(), 5);

    const QString unknown = cm.request(QStringLiteral("nope"));
    QTRY_COMPARE(failures.size(), 1);
    QCOMPARE(failures.at(0).at(0).toString(), unknown);
    QCOMPARE(failures.at(0).at(2).toInt(), 404);

    const QString slow = cm.request(QStringLiteral("never"), QJsonValue(), 80);
    QTRY_COMPARE(failures.size(), 2);
    QCOMPARE(failures.at(1).at(0).toString(), slow);
    QCOMPARE(failures.at(1).at(2).toInt(), -1);
    QVERIFY(failures.at(1).at(3).toString().contains(QLatin1StringView("80 ms")));

    const QString cut = cm.request(QStringLiteral("never"), QJsonValue(), 5000);
    QTRY_COMPARE(server.framesOfType(MessageType::Request).size(), 4);
    server.dropAll();
    QTRY_COMPARE(failures.size(), 3);
    QCOMPARE(failures.at(2).at(0).toString(), cut);
    QCOMPARE(failures.at(2).at(2).toInt(), -2);
    QTest::qWait(100);
    QCOMPARE(failures.size(), 3); // exactly one outcome each
    QCOMPARE(replies.size(), 1);
    QCOMPARE(cm.queuedCount(), 0);
}

void tst_ConnectionManager::badFramesFromServerAreReportedAndSurvived()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    auto o = fastOptions({server.url()});
    o.heartbeatIntervalMs = 60000;
    cm.setOptions(o);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    cm.subscribe(QStringLiteral("a"));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.sendToAll("{not json");
    server.sendToAll(R"({"type":"message","channel":"a","seq":"one"})");
    server.sendToAll(R"({"type":"hologram","id":"x"})"); // unknown: ignored, no error
    server.sendBinaryToAll(QByteArray("\x00\x01", 2));
    server.publish(QStringLiteral("a"), num(1));
    QTRY_COMPARE(messages.size(), 1);
    QCOMPARE(errors.size(), 3);
    QCOMPARE(errors.at(0).at(0).toInt(), CloseCode::Malformed);
    QVERIFY(errors.at(0).at(1).toString().contains(QLatin1StringView("malformed JSON")));
    QVERIFY(errors.at(1).at(1).toString().contains(QLatin1StringView("'seq'")));
    QVERIFY(errors.at(2).at(1).toString().contains(QLatin1StringView("binary")));
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(cm.stats().malformed, 3u);
}

void tst_ConnectionManager::foreignSubprotocolIsRefused()
{
    RawHandshakeServer other(RawHandshakeServer::Mode::AnswerWithSubprotocol);
    QVERIFY(other.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({other.url()}));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Failed);
    QVERIFY2(cm.errorString().contains(QLatin1StringView("subprotocol")), qPrintable(cm.errorString()));
    QVERIFY(cm.errorString().contains(QLatin1StringView("something.else")));
    QTest::qWait(100);
    QCOMPARE(other.accepted(), 1);
}

void tst_ConnectionManager::closeIsFinal()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    cm.close();
    QCOMPARE(cm.state(), ConnectionManager::Closed);
    QTRY_COMPARE(server.clientCount(), 0);
    QTest::qWait(150);
    QCOMPARE(server.connectionCount(), 1);
    QCOMPARE(cm.state(), ConnectionManager::Closed);
    // Offline publishes after close wait for the next open.
    cm.publish(QStringLiteral("c"), num(1));
    QCOMPARE(cm.queuedCount(), 1);
    cm.open();
    QTRY_COMPARE(cm.queuedCount(), 0);
}

void tst_ConnectionManager::backpressurePausesSendingAndBoundsMemory()
{
    RawHandshakeServer stuck(RawHandshakeServer::Mode::AcceptThenStopReading);
    QVERIFY(stuck.listen());
    ConnectionManager cm;
    auto o = fastOptions({stuck.url()});
    o.heartbeatIntervalMs = 60000; // the stuck peer would never answer a ping
    o.ackTimeoutMs = 60000;
    o.sendHighWaterBytes = 256 * 1024;
    o.queue.maxCount = 100000;
    o.queue.maxBytes = 64 * 1024 * 1024;
    cm.setOptions(o);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    const QString blob(16 * 1024, QLatin1Char('x'));
    const int total = 1500; // ~24 MiB: far more than loopback socket buffers hold
    for (int i = 0; i < total; ++i)
        QVERIFY(!cm.publish(QStringLiteral("bulk"), blob).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(cm.isSendingPaused(), 10000);
    QTest::qWait(200); // let the kernel buffers settle
    const auto &entries = cm.outbox().entries();
    int sent = 0;
    for (const auto &e : entries)
        sent += e.state == Outbox::State::Sent ? 1 : 0;
    // Sending stopped short: most messages still wait, in order, and nothing was dropped.
    QVERIFY2(sent < total / 2, qPrintable(QString::number(sent)));
    QCOMPARE(cm.queuedCount(), total);
    QCOMPARE(cm.stats().refused, 0u);
    // What sits in the socket's user-space buffer stays near the high-water mark, not 24 MiB.
    const qint64 inFlightBytes = qint64(sent) * (blob.size() + 64);
    QVERIFY2(inFlightBytes < 16 * 1024 * 1024, qPrintable(QString::number(inFlightBytes)));
    QCOMPARE(cm.state(), ConnectionManager::Open);
}

void tst_ConnectionManager::journalRestoresQueueAcrossInstances()
{
    QTemporaryDir dir;
    const QString journal = dir.filePath(QStringLiteral("outbox.journal"));
    TestServer server;
    QVERIFY(server.listen());
    QStringList ids;
    {
        ConnectionManager offline;
        auto o = fastOptions({TestUtils::deadUrl()});
        o.queueFile = journal;
        offline.setOptions(o);
        for (int i = 0; i < 5; ++i)
            ids.append(offline.publish(QStringLiteral("cmd"), num(i)));
        QCOMPARE(offline.queuedCount(), 5);
    } // the process "dies" with five queued
    auto o = fastOptions({server.url()});
    o.queueFile = journal;
    {
        ConnectionManager cm;
        cm.setOptions(o);
        QCOMPARE(cm.queuedCount(), 5);
        // A second process on the same journal is refused: both would deliver the queue.
        ConnectionManager rival;
        QSignalSpy rivalErrors(&rival, &ConnectionManager::errorOccurred);
        rival.setOptions(o);
        QCOMPARE(rival.queuedCount(), 0);
        QTRY_COMPARE(rivalErrors.size(), 1);
        QVERIFY(rivalErrors.at(0).at(1).toString().contains(QLatin1StringView("in use by another process")));

        QSignalSpy acks(&cm, &ConnectionManager::acked);
        cm.open();
        QTRY_COMPARE(acks.size(), 5);
        const auto sent = server.framesOfType(MessageType::Publish);
        QCOMPARE(sent.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(sent.at(i).env.id, ids.at(i));
            QCOMPARE(sent.at(i).env.data.toObject().value(QLatin1StringView("v")).toInt(), i);
        }
    }
    // Acked ones are gone from the journal too.
    ConnectionManager after;
    after.setOptions(o);
    QCOMPARE(after.queuedCount(), 0);
}

void tst_ConnectionManager::messageSinksGetEveryDeliveredMessage()
{
    TestServer server;
    QVERIFY(server.listen());
    ConnectionManager cm;
    cm.setOptions(fastOptions({server.url()}));
    RecordingSink sink;
    cm.addMessageSink(&sink);
    cm.addMessageSink(&sink); // once only
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    cm.subscribe(QStringLiteral("a"));
    cm.subscribe(QStringLiteral("b"));
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);

    server.publish(QStringLiteral("a"), num(1));
    server.publish(QStringLiteral("b"),
                   QJsonObject{{QLatin1StringView("v"), 2.5}, {QLatin1StringView("tags"), QJsonArray{1, 2}}});
    QTRY_COMPARE(sink.deliveries.size(), 2);
    // Not subscribed, and a duplicate of a's seq 1: neither reaches a sink.
    server.sendToAll(R"({"type":"message","channel":"zz","seq":1,"ts":5,"data":{"v":9}})");
    server.sendToAll(R"({"type":"message","channel":"a","seq":1,"ts":5,"data":{"v":9}})");
    // A frame only the reference decoder reads (a lone surrogate escape) still reaches sinks.
    server.sendToAll(R"({"type":"message","channel":"a","seq":2,"ts":6,"data":{"v":7,"s":"\ud800"}})");
    // The channel name arrives escaped: it is the same channel.
    server.sendToAll(R"({"type":"message","channel":"\u0062","seq":2,"ts":8})");
    QTRY_COMPARE(sink.deliveries.size(), 4);
    QTRY_COMPARE(cm.stats().duplicates, 1u);

    const QList<Delivery> &d = sink.deliveries;
    QCOMPARE(d.at(0).channel, QStringLiteral("a"));
    QCOMPARE(d.at(0).seq, 1);
    QCOMPARE(d.at(0).v, 1.0);
    QCOMPARE(d.at(1).channel, QStringLiteral("b"));
    QCOMPARE(d.at(1).v, 2.5);
    QCOMPARE(d.at(1).data.toObject().value(QLatin1StringView("tags")).toArray(), (QJsonArray{1, 2}));
    QCOMPARE(d.at(2).channel, QStringLiteral("a"));
    QCOMPARE(d.at(2).seq, 2);
    QCOMPARE(d.at(2).ts, 6);
    QCOMPARE(d.at(2).v, 7.0);
    QCOMPARE(d.at(3).channel, QStringLiteral("b"));
    QCOMPARE(d.at(3).seq, 2);
    QCOMPARE(d.at(3).ts, 8);
    QVERIFY(d.at(3).data.isNull()); // no data field reads as null
    QCOMPARE(d.at(3).v, -1.0);

    // messageReceived saw the same messages with the same payloads.
    QCOMPARE(messages.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(messages.at(i).at(0).toString(), d.at(i).channel);
        QCOMPARE(messages.at(i).at(1).toLongLong(), d.at(i).seq);
        QCOMPARE(messages.at(i).at(3).value<QJsonValue>(), d.at(i).data);
    }

    cm.removeMessageSink(&sink);
    server.sendToAll(R"({"type":"message","channel":"a","seq":3,"ts":9,"data":{"v":3}})");
    QTRY_COMPARE(messages.size(), 5);
    QCOMPARE(sink.deliveries.size(), 4);
}

// A queue longer than the server's rate-limit burst: sent at once it is cut with 4008, and sent at
// once again after every reconnect it would be cut forever. The session after a 4008 sends it
// paced (pacedSendPerSec), so it drains: every publish acked once and stored once.
void tst_ConnectionManager::queueLongerThanTheServersBurstDrainsPaced()
{
    HubOptions ho;
    ho.port = 0;
    ho.feedsEnabled = false;
    ho.rateLimitPerSec = 100;
    ho.rateLimitBurst = 50;
    HubServer hub(ho);
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));

    ConnectionManager cm;
    ConnectionOptions o = fastOptions({hub.url()});
    o.rateLimitMinDelayMs = 50;
    o.pacedSendPerSec = 50; // with the heartbeat's 20 pings a second, under the hub's 100
    cm.setOptions(o);
    const int count = 150; // three times the hub's burst
    for (int i = 0; i < count; ++i)
        QVERIFY(!cm.publish(QStringLiteral("q"), QJsonObject{{QStringLiteral("i"), i}}).isEmpty());
    QSignalSpy acks(&cm, &ConnectionManager::acked);
    QSignalSpy failures(&cm, &ConnectionManager::publishFailed);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.queuedCount(), 0, 30000);
    // The unpaced first session was cut for its burst; the paced one after it drained the rest
    // without being cut (unpaced, every session would be cut 50 frames in: three cuts).
    QCOMPARE(lost.count(), 1);
    QCOMPARE(lost.first().at(0).toInt(), CloseCode::RateLimited);
    QCOMPARE(acks.count(), count);
    QCOMPARE(failures.count(), 0);
    QSet<QString> ids;
    for (const QList<QVariant> &ack : acks)
        ids.insert(ack.at(0).toString());
    QCOMPARE(ids.size(), count);
    qint64 stored = -1;
    for (const ChannelInfo &c : hub.store()->channels())
        if (c.name == QStringLiteral("q"))
            stored = c.seq;
    QCOMPARE(stored, qint64(count)); // each stored once: resends were deduped
    QCOMPARE(cm.state(), ConnectionManager::Open);
}

QTEST_GUILESS_MAIN(tst_ConnectionManager)
#include "tst_connectionmanager.moc"
