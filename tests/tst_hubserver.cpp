// HubServer in-process: every protocol rule of PROTOCOL.md and every refusal, each asserting its
// code. Hubs listen on 127.0.0.1 port 0 with short intervals set through HubOptions.
#include "HubProbe.h"
#include "client/ConnectionManager.h"
#include "hub/ChannelStore.h"
#include "hub/HubServer.h"
#include "hub/TokenAuth.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

using namespace Pulseboard;
using namespace HubTest;

namespace {

HubOptions quietOptions()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    return o;
}

QByteArray httpGet(quint16 port, const QByteArray &path, int *status)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return QByteArray();
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray response;
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 5000) {
        QTest::qWait(5);
        response += socket.readAll();
    }
    response += socket.readAll();
    *status = response.mid(9, 3).toInt();
    return response.mid(response.indexOf("\r\n\r\n") + 4);
}

} // namespace

class tst_HubServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void startsAndReportsUrl();
    void startFailsOnBusyPort();
    void welcomeAndPingPong();
    void publishAckAndFanOut();
    void repeatedPublishIdIsNotPublishedTwice();
    void sinceReplaysInOrderBeforeLive();
    void sinceBeyondHistoryIsNotRecovered();
    void largeReplayReachesAReadingSubscriber();
    void largeReplayStalledReaderDropped();
    void subscribeWithoutSinceHasNoReplay();
    void unsubscribeStopsDelivery();
    void subscriptionsEndWithTheSession();
    void requests();
    void channelListPagesOnAHeavyHub();
    void unknownTypeIgnored();
    void malformedAnswered4400();
    void binaryFrameAnswered4400();
    void missingAuthClosed4001();
    void badTokenClosed4001();
    void tokenFromFileAccepted();
    void signedTokenAcceptedAndDedupesAcrossConnections();
    void expiredTokenClosed4001();
    void authTimeoutClosed4001();
    void badOriginClosed1008();
    void floodClosed4008();
    void oversizeClosed1009();
    void slowClientDroppedOthersServed();
    void silentClientDroppedByHeartbeat();
    void silenceIsMeasuredOnTheHubsClock();
    void heartbeatsSpreadOverTheInterval();
    void rateLimitCountsOnTheHubsClock();
    void timestampsAndTokenExpiryFollowTheHubsClock();
    void feedChannelIsReserved();
    void shutdownSends1001();
    void healthAndMetrics();
    void connectionManagerEndToEnd();
    void embeddedDefaultServesRealFeeds();
};

void tst_HubServer::startsAndReportsUrl()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    QVERIFY(hub->port() != 0);
    QCOMPARE(hub->url(), QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(hub->port())));
}

void tst_HubServer::startFailsOnBusyPort()
{
    auto first = startHub(quietOptions());
    QVERIFY(first);
    HubOptions o = quietOptions();
    o.port = first->port();
    HubServer second(o);
    QString error;
    QVERIFY(!second.start(&error));
    QVERIFY2(error.contains(QString::number(o.port)), qPrintable(error));
}

void tst_HubServer::welcomeAndPingPong()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    QCOMPARE(probe.socket().subprotocol(), QString()); // the probe offered none
    bool ok = false;
    const Envelope welcome = probe.waitFor(MessageType::Welcome, QString(), &ok);
    QVERIFY(ok);
    QVERIFY(welcome.server.startsWith(QLatin1StringView("pulseboard-hub/")));
    QVERIFY(!welcome.session.isEmpty());
    QCOMPARE(welcome.heartbeatMs, qint64(25000));
    QCOMPARE(welcome.authRequired, false);

    const QString id = probe.ping(123456789);
    const Envelope pong = probe.waitFor(MessageType::Pong, id, &ok);
    QVERIFY(ok);
    QCOMPARE(pong.ts, qint64(123456789));
}

void tst_HubServer::publishAckAndFanOut()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe sub, pub;
    QVERIFY(sub.open(hub->url()));
    QVERIFY(pub.open(hub->url()));
    bool ok = false;
    const Envelope subscribed =
        sub.waitFor(MessageType::Subscribed, sub.subscribe(QStringLiteral("ops")), &ok);
    QVERIFY(ok);
    QCOMPARE(subscribed.seq, qint64(0));
    QCOMPARE(subscribed.hasRecovered, false);

    for (int i = 1; i <= 3; ++i) {
        const QString id = pub.publish(QStringLiteral("ops"), QJsonObject{{QStringLiteral("n"), i}});
        const Envelope ack = pub.waitFor(MessageType::Ack, id, &ok);
        QVERIFY(ok);
        QCOMPARE(ack.seq, qint64(i));
    }
    QTRY_COMPARE(sub.seqsOf(QStringLiteral("ops")), (QList<qint64>{1, 2, 3}));
    const Envelope last = sub.ofType(MessageType::Message).last();
    QCOMPARE(last.data.toObject().value(QStringLiteral("n")).toInt(), 3);
    QVERIFY(qAbs(last.ts - QDateTime::currentMSecsSinceEpoch()) < 60000);
    QVERIFY(pub.seqsOf(QStringLiteral("ops")).isEmpty()); // not subscribed, gets nothing
    QCOMPARE(hub->metrics().published, quint64(3));
}

void tst_HubServer::repeatedPublishIdIsNotPublishedTwice()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe sub, pub, other;
    QVERIFY(sub.open(hub->url()));
    QVERIFY(pub.open(hub->url()));
    QVERIFY(other.open(hub->url()));
    bool ok = false;
    sub.waitFor(MessageType::Subscribed, sub.subscribe(QStringLiteral("cmd")), &ok);
    QVERIFY(ok);

    pub.publish(QStringLiteral("cmd"), QStringLiteral("restart"), QStringLiteral("same-id"));
    QCOMPARE(pub.waitFor(MessageType::Ack, QStringLiteral("same-id"), &ok).seq, qint64(1));
    QVERIFY(ok);
    pub.publish(QStringLiteral("cmd"), QStringLiteral("restart"), QStringLiteral("same-id"));
    QCOMPARE(pub.waitFor(MessageType::Ack, QStringLiteral("same-id"), &ok).seq, qint64(1));
    QVERIFY(ok);
    // On an open hub the identity is the connection: another client's id is its own.
    other.publish(QStringLiteral("cmd"), QStringLiteral("other"), QStringLiteral("same-id"));
    QCOMPARE(other.waitFor(MessageType::Ack, QStringLiteral("same-id"), &ok).seq, qint64(2));
    QVERIFY(ok);

    QTRY_COMPARE(sub.seqsOf(QStringLiteral("cmd")), (QList<qint64>{1, 2}));
    // The hub fans out before it acks; a pong on sub's own connection comes after anything it was sent.
    sub.waitFor(MessageType::Pong, sub.ping(1), &ok);
    QVERIFY(ok);
    QCOMPARE(sub.seqsOf(QStringLiteral("cmd")).size(), 2);
    QCOMPARE(hub->metrics().published, quint64(2));

    // A sender that names itself (`client`) is recognised on a new connection: its resend after
    // a reconnect is acked with the first seq and not published again.
    const QByteArray resend = R"({"type":"publish","id":"p-7","channel":"cmd","data":1,"client":"k1"})";
    pub.sendRaw(resend);
    QCOMPARE(pub.waitFor(MessageType::Ack, QStringLiteral("p-7"), &ok).seq, qint64(3));
    QVERIFY(ok);
    ProtocolProbe reconnected;
    QVERIFY(reconnected.open(hub->url()));
    reconnected.sendRaw(resend);
    QCOMPARE(reconnected.waitFor(MessageType::Ack, QStringLiteral("p-7"), &ok).seq, qint64(3));
    QVERIFY(ok);
    // Another sender's key keeps its own ids.
    other.sendRaw(R"({"type":"publish","id":"p-7","channel":"cmd","data":2,"client":"k2"})");
    QCOMPARE(other.waitFor(MessageType::Ack, QStringLiteral("p-7"), &ok).seq, qint64(4));
    QVERIFY(ok);
    QCOMPARE(hub->metrics().published, quint64(4));
}

void tst_HubServer::sinceReplaysInOrderBeforeLive()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    for (int i = 1; i <= 5; ++i)
        hub->publish(QStringLiteral("log"), i);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    const Envelope subscribed =
        probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("log"), 2), &ok);
    QVERIFY(ok);
    QCOMPARE(subscribed.seq, qint64(5));
    QVERIFY(subscribed.hasRecovered);
    QCOMPARE(subscribed.recovered, true);
    hub->publish(QStringLiteral("log"), 6);
    QTRY_COMPARE(probe.seqsOf(QStringLiteral("log")), (QList<qint64>{3, 4, 5, 6}));
    // The replay came after `subscribed` and carried the stored data.
    const QList<Envelope> messages = probe.ofType(MessageType::Message);
    QCOMPARE(messages.first().data.toInt(), 3);
    qsizetype subscribedAt = -1, firstMessageAt = -1;
    for (qsizetype i = 0; i < probe.frames.size(); ++i) {
        if (probe.frames.at(i).type == MessageType::Subscribed && subscribedAt < 0)
            subscribedAt = i;
        if (probe.frames.at(i).type == MessageType::Message && firstMessageAt < 0)
            firstMessageAt = i;
    }
    QVERIFY(subscribedAt >= 0 && subscribedAt < firstMessageAt);

    // Holding everything: recovered, nothing replayed.
    ProtocolProbe current;
    QVERIFY(current.open(hub->url()));
    const Envelope s2 =
        current.waitFor(MessageType::Subscribed, current.subscribe(QStringLiteral("log"), 6), &ok);
    QVERIFY(ok);
    QCOMPARE(s2.recovered, true);
    // A replay would follow `subscribed` at once; the pong comes after it.
    current.waitFor(MessageType::Pong, current.ping(1), &ok);
    QVERIFY(ok);
    QVERIFY(current.seqsOf(QStringLiteral("log")).isEmpty());
}

void tst_HubServer::sinceBeyondHistoryIsNotRecovered()
{
    HubOptions o = quietOptions();
    o.historySize = 3;
    auto hub = startHub(o);
    QVERIFY(hub);
    for (int i = 1; i <= 6; ++i)
        hub->publish(QStringLiteral("ring"), i);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    const Envelope subscribed =
        probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("ring"), 1), &ok);
    QVERIFY(ok);
    QCOMPARE(subscribed.seq, qint64(6));
    QCOMPARE(subscribed.recovered, false);
    QCOMPARE(subscribed.firstSeq, qint64(4)); // lost: 2..3
    QTRY_COMPARE(probe.seqsOf(QStringLiteral("ring")), (QList<qint64>{4, 5, 6}));

    // Exactly at the edge of the ring: 3 is gone but the client holds it.
    ProtocolProbe edge;
    QVERIFY(edge.open(hub->url()));
    QCOMPARE(edge.waitFor(MessageType::Subscribed, edge.subscribe(QStringLiteral("ring"), 3), &ok).recovered,
             true);
    QTRY_COMPARE(edge.seqsOf(QStringLiteral("ring")), (QList<qint64>{4, 5, 6}));

    // Once: the subscription goes on live, nothing is replayed again.
    hub->publish(QStringLiteral("ring"), 7);
    QTRY_COMPARE(probe.seqsOf(QStringLiteral("ring")), (QList<qint64>{4, 5, 6, 7}));
    QCOMPARE(probe.ofType(MessageType::Subscribed).size(), 1);
}

// The measurement of the issue: 20 messages of 0.9 MiB (18 MiB, past the 16 MiB send buffer)
// replayed to a new subscriber with since 0. The replay is paced by the socket draining, so a
// subscriber that reads gets all of it and stays connected.
void tst_HubServer::largeReplayReachesAReadingSubscriber()
{
    HubOptions o = quietOptions();
    o.rateLimitPerSec = 0;
    QCOMPARE(o.maxSendBufferBytes, qint64(16 * 1024 * 1024)); // the default
    // 18 MiB on one channel: within the default --max-channel-bytes (32 MiB), as the measurement
    // ran with the hub's defaults.
    auto hub = startHub(o);
    QVERIFY(hub);
    const QString big(int(0.9 * 1024 * 1024), QLatin1Char('r'));
    for (int i = 0; i < 20; ++i)
        hub->publish(QStringLiteral("heavy"), big);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    const Envelope subscribed =
        probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("heavy"), 0), &ok);
    QVERIFY(ok);
    QCOMPARE(subscribed.seq, qint64(20));
    QCOMPARE(subscribed.recovered, true);
    QCOMPARE(subscribed.firstSeq, qint64(-1));
    // Live while the replay is going out: after it, in order.
    hub->publish(QStringLiteral("heavy"), 21);
    QTRY_COMPARE_WITH_TIMEOUT(probe.seqsOf(QStringLiteral("heavy")).size(), 21, 30000);
    QList<qint64> want;
    for (qint64 seq = 1; seq <= 21; ++seq)
        want.append(seq);
    QCOMPARE(probe.seqsOf(QStringLiteral("heavy")), want);
    const QList<Envelope> messages = probe.ofType(MessageType::Message);
    QCOMPARE(messages.at(19).data.toString().size(), big.size());
    QCOMPARE(messages.at(20).data.toInt(), 21);
    // Still connected, never counted slow, and live goes on.
    QVERIFY(!probe.isClosed());
    QCOMPARE(hub->rejects(QStringLiteral("slow_client")), quint64(0));
    hub->publish(QStringLiteral("heavy"), 22);
    QTRY_COMPARE(probe.seqsOf(QStringLiteral("heavy")).size(), 22);
    probe.waitFor(MessageType::Pong, probe.ping(1), &ok);
    QVERIFY(ok);
    QCOMPARE(probe.ofType(MessageType::Subscribed).size(), 1);
}

// A subscriber that stops reading during the replay is still dropped (no close handshake: the
// client sees 1006) once what is held for it passes its bound, and the hub serves the others.
void tst_HubServer::largeReplayStalledReaderDropped()
{
    HubOptions o = quietOptions();
    o.rateLimitPerSec = 0;
    o.maxSendBufferBytes = 4 * 1024 * 1024;
    auto hub = startHub(o);
    QVERIFY(hub);
    const QString big(int(0.9 * 1024 * 1024), QLatin1Char('s'));
    for (int i = 0; i < 20; ++i)
        hub->publish(QStringLiteral("heavy"), big);
    ProtocolProbe bystander;
    QVERIFY(bystander.open(hub->url()));
    bool ok = false;
    bystander.waitFor(MessageType::Pong, bystander.ping(1), &ok);
    QVERIFY(ok);

    RawWsClient stalled;
    QVERIFY(stalled.open(hub->port()));
    QTRY_COMPARE(hub->clientCount(), 2);
    stalled.sendText(R"({"type":"subscribe","id":"s1","channel":"heavy","since":0})");
    stalled.stopReading();
    int published = 0;
    QTimer pump;
    connect(&pump, &QTimer::timeout, this, [&] {
        if (published < 200 && hub->rejects(QStringLiteral("slow_client")) == 0) {
            hub->publish(QStringLiteral("heavy"), big);
            ++published;
        }
    });
    pump.start(20);
    QTRY_VERIFY_WITH_TIMEOUT(hub->rejects(QStringLiteral("slow_client")) == 1, 30000);
    pump.stop();
    // Aborted, no close frame: a WebSocket client sees 1006.
    QTRY_COMPARE(hub->clientCount(), 1);
    QVERIFY(published > 0);
    // The bystander is served and still connected.
    bystander.waitFor(MessageType::Pong, bystander.ping(2), &ok);
    QVERIFY(ok);
    QVERIFY(!bystander.isClosed());
}

void tst_HubServer::subscribeWithoutSinceHasNoReplay()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    hub->publish(QStringLiteral("t"), 1);
    hub->publish(QStringLiteral("t"), 2);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    const Envelope s = probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("t")), &ok);
    QVERIFY(ok);
    QCOMPARE(s.seq, qint64(2));
    QCOMPARE(s.hasRecovered, false);
    hub->publish(QStringLiteral("t"), 3);
    QTRY_COMPARE(probe.seqsOf(QStringLiteral("t")), (QList<qint64>{3}));
}

void tst_HubServer::unsubscribeStopsDelivery()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("u")), &ok);
    QVERIFY(ok);
    hub->publish(QStringLiteral("u"), 1);
    QTRY_COMPARE(probe.seqsOf(QStringLiteral("u")).size(), 1);
    const Envelope un = probe.waitFor(MessageType::Unsubscribed, probe.unsubscribe(QStringLiteral("u")), &ok);
    QVERIFY(ok);
    QCOMPARE(un.channel, QStringLiteral("u"));
    hub->publish(QStringLiteral("u"), 2);
    // A ping after the publish: its pong proves the hub has handled everything before it.
    probe.waitFor(MessageType::Pong, probe.ping(1), &ok);
    QVERIFY(ok);
    QCOMPARE(probe.seqsOf(QStringLiteral("u")), (QList<qint64>{1}));
}

void tst_HubServer::subscriptionsEndWithTheSession()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe a, b;
    QVERIFY(a.open(hub->url()));
    QVERIFY(b.open(hub->url()));
    bool ok = false;
    a.waitFor(MessageType::Subscribed, a.subscribe(QStringLiteral("x")), &ok);
    QVERIFY(ok);
    a.waitFor(MessageType::Subscribed, a.subscribe(QStringLiteral("y")), &ok);
    QVERIFY(ok);
    b.waitFor(MessageType::Subscribed, b.subscribe(QStringLiteral("x")), &ok);
    QVERIFY(ok);
    QCOMPARE(hub->router().subscriberCounts(),
             (QMap<QString, int>{{QStringLiteral("x"), 2}, {QStringLiteral("y"), 1}}));
    QVERIFY(hub->prometheusMetrics().contains("pulseboard_hub_channel_subscribers{channel=\"y\"} 1\n"));

    // A client that goes takes every subscription with it ...
    a.socket().close();
    QTRY_COMPARE(hub->clientCount(), 1);
    QCOMPARE(hub->router().subscriberCounts(), (QMap<QString, int>{{QStringLiteral("x"), 1}}));
    // ... and one that unsubscribes its last channel leaves nothing behind.
    b.waitFor(MessageType::Unsubscribed, b.unsubscribe(QStringLiteral("x")), &ok);
    QVERIFY(ok);
    QCOMPARE(hub->router().channelCount(), 0);
    QVERIFY(!hub->prometheusMetrics().contains("pulseboard_hub_channel_subscribers{"));
}

void tst_HubServer::requests()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    hub->publish(QStringLiteral("b"), 1);
    hub->publish(QStringLiteral("a"), 1);
    hub->publish(QStringLiteral("a"), 2);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    const Envelope list =
        probe.waitFor(MessageType::Response, probe.request(QStringLiteral("channels.list")), &ok);
    QVERIFY(ok);
    const QJsonArray channels = list.data.toArray();
    QCOMPARE(channels.size(), 2);
    QCOMPARE(channels.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("a"));
    QCOMPARE(channels.at(0).toObject().value(QStringLiteral("seq")).toInt(), 2);
    QVERIFY(channels.at(0).toObject().value(QStringLiteral("rate")).isDouble());
    QCOMPARE(channels.at(1).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("b"));

    const Envelope info =
        probe.waitFor(MessageType::Response, probe.request(QStringLiteral("server.info")), &ok);
    QVERIFY(ok);
    const QJsonObject o = info.data.toObject();
    QCOMPARE(o.value(QStringLiteral("server")).toString(), QStringLiteral("pulseboard-hub"));
    QCOMPARE(o.value(QStringLiteral("store")).toString(), QStringLiteral("memory"));
    QCOMPARE(o.value(QStringLiteral("connections")).toInt(), 1);
    QCOMPARE(o.value(QStringLiteral("authRequired")).toBool(), false);
    // What the hub serves, from its method table (an addition of pulseboard-hub, docs/PROTOCOL.md).
    QCOMPARE(o.value(QStringLiteral("methods")).toArray(),
             (QJsonArray{QStringLiteral("channels.list"), QStringLiteral("server.info")}));
    QCOMPARE(o.value(QStringLiteral("session")).toString(), probe.waitFor(MessageType::Welcome).session);

    const QString id = probe.request(QStringLiteral("no.such.method"));
    const Envelope err = probe.waitFor(MessageType::Error, id, &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, 404);
    QVERIFY(err.text.contains(QStringLiteral("no.such.method")));
}

// Issue 13's measurement on a running hub: 5000 channels with 200-character names were one reply of
// 1113 KiB. Now every frame the client reads stays under 1 MiB, and the pages, followed through
// `next`, hold exactly the 5000 names in order.
void tst_HubServer::channelListPagesOnAHeavyHub()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    QStringList expected;
    for (int k = 0; k < 5000; ++k) {
        const int i = (k * 7919) % 5000;
        const QString name = QStringLiteral("load.%1.").arg(i, 4, 10, QLatin1Char('0')) +
                             QString(190, QLatin1Char(char('a' + i % 26)));
        hub->publish(name, i);
        expected.append(name);
    }
    expected.sort();
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    QList<qint64> frameBytes;
    connect(&probe.socket(), &QWebSocket::textMessageReceived, this, [&frameBytes](const QString &text) {
        if (text.contains(QLatin1StringView(R"("type":"response")")))
            frameBytes.append(text.toUtf8().size());
    });
    bool ok = false;
    // No params (what an old client sends): the first page, and `next` saying more remain.
    Envelope reply =
        probe.waitFor(MessageType::Response, probe.request(QStringLiteral("channels.list")), &ok);
    QVERIFY(ok);
    QCOMPARE(reply.data.toArray().size(), 500);
    QCOMPARE(reply.next, expected.at(499));

    QStringList seen;
    QString after;
    int pages = 0;
    do {
        QJsonObject params{{QStringLiteral("limit"), 1000}};
        if (!after.isEmpty())
            params.insert(QStringLiteral("after"), after);
        reply =
            probe.waitFor(MessageType::Response, probe.request(QStringLiteral("channels.list"), params), &ok);
        QVERIFY(ok);
        for (const QJsonValue &v : reply.data.toArray())
            seen.append(v.toObject().value(QStringLiteral("name")).toString());
        after = reply.next;
        QVERIFY(++pages <= 10);
    } while (!after.isEmpty());
    QCOMPARE(pages, 5);
    QCOMPARE(seen, expected);
    QCOMPARE(frameBytes.size(), 1 + pages);
    for (const qint64 bytes : std::as_const(frameBytes))
        QVERIFY2(bytes < 512 * 1024, qPrintable(QString::number(bytes)));
    QVERIFY(probe.isClosed() == false);
}

void tst_HubServer::unknownTypeIgnored()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    probe.sendRaw(R"({"type":"future.thing","id":"x1","extra":[1,2]})");
    bool ok = false;
    probe.waitFor(MessageType::Pong, probe.ping(7), &ok);
    QVERIFY(ok);
    QVERIFY(probe.ofType(MessageType::Error).isEmpty());
    QCOMPARE(hub->rejects(QStringLiteral("malformed")), quint64(0));
}

void tst_HubServer::malformedAnswered4400()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    probe.sendRaw("this is not json");
    bool ok = false;
    Envelope err = probe.waitFor(MessageType::Error, QString(), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, CloseCode::Malformed);
    QVERIFY(err.text.contains(QStringLiteral("JSON")));
    probe.sendRaw(R"({"type":"subscribe","id":"s","channel":"has space"})");
    err = probe.waitFor(MessageType::Error, QString(), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, CloseCode::Malformed);
    probe.sendRaw(R"({"type":"publish","id":"p","channel":"c"})");
    err = probe.waitFor(MessageType::Error, QString(), &ok);
    QVERIFY(ok);
    QVERIFY(err.text.contains(QStringLiteral("data")));
    QCOMPARE(hub->rejects(QStringLiteral("malformed")), quint64(3));
    // Answered, not closed: the session goes on.
    probe.waitFor(MessageType::Pong, probe.ping(1), &ok);
    QVERIFY(ok);
    QVERIFY(!probe.isClosed());
}

void tst_HubServer::binaryFrameAnswered4400()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    probe.socket().sendBinaryMessage(QByteArray("\x01\x02\x03", 3));
    bool ok = false;
    const Envelope err = probe.waitFor(MessageType::Error, QString(), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, CloseCode::Malformed);
    QCOMPARE(hub->rejects(QStringLiteral("malformed")), quint64(1));
}

void tst_HubServer::missingAuthClosed4001()
{
    HubOptions o = quietOptions();
    o.tokenSecret = QByteArrayLiteral("0123456789abcdef-secret");
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    QCOMPARE(probe.waitFor(MessageType::Welcome, QString(), &ok).authRequired, true);
    // Pings are answered before auth (a client's heartbeat may run during it) ...
    probe.waitFor(MessageType::Pong, probe.ping(5), &ok);
    QVERIFY(ok);
    // ... anything else is not.
    const QString id = probe.subscribe(QStringLiteral("secret"));
    const Envelope err = probe.waitFor(MessageType::Error, id, &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, CloseCode::Unauthorized);
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closeCode(), CloseCode::Unauthorized);
    QCOMPARE(hub->rejects(QStringLiteral("auth")), quint64(1));
}

void tst_HubServer::badTokenClosed4001()
{
    HubOptions o = quietOptions();
    o.tokenSecret = QByteArrayLiteral("0123456789abcdef-secret");
    auto hub = startHub(o);
    QVERIFY(hub);
    const QString good =
        TokenAuth::mint(o.tokenSecret, QStringLiteral("ops"), QDateTime::currentSecsSinceEpoch() + 60);
    const QString forged = TokenAuth::mint("another-secret-of-16+", QStringLiteral("ops"),
                                           QDateTime::currentSecsSinceEpoch() + 60);
    const QString tail = good.endsWith(QLatin1StringView("xx")) ? QStringLiteral("yy") : QStringLiteral("xx");
    for (const QString &token : {QStringLiteral("nonsense"), forged, good.left(good.size() - 2) + tail}) {
        ProtocolProbe probe;
        QVERIFY(probe.open(hub->url()));
        bool ok = false;
        const QString id = probe.auth(token);
        const Envelope err = probe.waitFor(MessageType::Error, id, &ok);
        QVERIFY(ok);
        QCOMPARE(err.code, CloseCode::Unauthorized);
        QCOMPARE(err.text, QStringLiteral("invalid token"));
        QVERIFY(probe.waitClosed());
        QCOMPARE(probe.closeCode(), CloseCode::Unauthorized);
    }
    QCOMPARE(hub->rejects(QStringLiteral("auth")), quint64(3));
}

void tst_HubServer::tokenFromFileAccepted()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("# operators\n\nalpha-token-1\n  beta-token-2  \n");
    file.close();
    HubOptions o = quietOptions();
    o.tokensFile = file.fileName();
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    probe.waitFor(MessageType::Ack, probe.auth(QStringLiteral("beta-token-2")), &ok);
    QVERIFY(ok);
    probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("x")), &ok);
    QVERIFY(ok);

    ProtocolProbe comment;
    QVERIFY(comment.open(hub->url()));
    comment.auth(QStringLiteral("# operators"));
    QVERIFY(comment.waitClosed());
    QCOMPARE(comment.closeCode(), CloseCode::Unauthorized);

    HubOptions missing = quietOptions();
    missing.tokensFile = file.fileName() + QStringLiteral(".nope");
    HubServer broken(missing);
    QString error;
    QVERIFY(!broken.start(&error));
    QVERIFY2(error.contains(QStringLiteral("tokens file")), qPrintable(error));
}

void tst_HubServer::signedTokenAcceptedAndDedupesAcrossConnections()
{
    HubOptions o = quietOptions();
    o.tokenSecret = QByteArrayLiteral("0123456789abcdef-secret");
    auto hub = startHub(o);
    QVERIFY(hub);
    const QString token =
        TokenAuth::mint(o.tokenSecret, QStringLiteral("console-1"), QDateTime::currentSecsSinceEpoch() + 60);
    ProtocolProbe first, second;
    QVERIFY(first.open(hub->url()));
    QVERIFY(second.open(hub->url()));
    bool ok = false;
    first.waitFor(MessageType::Ack, first.auth(token), &ok);
    QVERIFY(ok);
    second.waitFor(MessageType::Ack, second.auth(token), &ok);
    QVERIFY(ok);
    // The same subject's client resending after a reconnect (the same `client` key): acked with
    // the first seq, stored once. Ids are unique per connection (PROTOCOL.md): without the key,
    // another connection's "op-42" is its own publish, even under the same subject.
    const QByteArray frame = R"({"type":"publish","id":"op-42","channel":"cmd","data":1,"client":"c-1"})";
    first.sendRaw(frame);
    QCOMPARE(first.waitFor(MessageType::Ack, QStringLiteral("op-42"), &ok).seq, qint64(1));
    second.sendRaw(frame);
    QCOMPARE(second.waitFor(MessageType::Ack, QStringLiteral("op-42"), &ok).seq, qint64(1));
    QVERIFY(ok);
    QCOMPARE(hub->metrics().published, quint64(1));
    second.publish(QStringLiteral("cmd"), 1, QStringLiteral("op-42"));
    QCOMPARE(second.waitFor(MessageType::Ack, QStringLiteral("op-42"), &ok).seq, qint64(2));
    QVERIFY(ok);
    QCOMPARE(hub->metrics().published, quint64(2));
}

void tst_HubServer::expiredTokenClosed4001()
{
    HubOptions o = quietOptions();
    o.tokenSecret = QByteArrayLiteral("0123456789abcdef-secret");
    auto hub = startHub(o);
    QVERIFY(hub);
    const QString token =
        TokenAuth::mint(o.tokenSecret, QStringLiteral("ops"), QDateTime::currentSecsSinceEpoch() - 1);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    const Envelope err = probe.waitFor(MessageType::Error, probe.auth(token), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, CloseCode::Unauthorized);
    QCOMPARE(err.text, QStringLiteral("token expired"));
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closeCode(), CloseCode::Unauthorized);
    QCOMPARE(hub->rejects(QStringLiteral("auth_expired")), quint64(1));
}

void tst_HubServer::authTimeoutClosed4001()
{
    HubOptions o = quietOptions();
    o.tokenSecret = QByteArrayLiteral("0123456789abcdef-secret");
    o.authTimeoutMs = 50;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closeCode(), CloseCode::Unauthorized);
    QCOMPARE(hub->rejects(QStringLiteral("auth_timeout")), quint64(1));
}

void tst_HubServer::badOriginClosed1008()
{
    HubOptions o = quietOptions();
    o.allowedOrigins = {QStringLiteral("https://ops.example.com")};
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe allowed(QStringLiteral("https://ops.example.com"));
    QVERIFY(allowed.open(hub->url()));
    bool ok = false;
    allowed.waitFor(MessageType::Pong, allowed.ping(1), &ok);
    QVERIFY(ok);

    ProtocolProbe refused(QStringLiteral("https://evil.example.net"));
    refused.open(hub->url());
    QVERIFY(refused.waitClosed());
    QCOMPARE(refused.closeCode(), CloseCode::Policy);
    QCOMPARE(refused.closeReason(), QStringLiteral("origin not allowed"));
    QCOMPARE(hub->rejects(QStringLiteral("origin")), quint64(1));
    QVERIFY(refused.frames.isEmpty()); // not even a welcome
    QTRY_COMPARE(hub->clientCount(), 1);

    // Non-browser clients send no Origin: let in.
    ProtocolProbe cli;
    QVERIFY(cli.open(hub->url()));
    cli.waitFor(MessageType::Pong, cli.ping(1), &ok);
    QVERIFY(ok);
}

void tst_HubServer::floodClosed4008()
{
    HubOptions o = quietOptions();
    o.rateLimitPerSec = 5;
    o.rateLimitBurst = 10;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe calm;
    QVERIFY(calm.open(hub->url()));
    ProtocolProbe flood;
    QVERIFY(flood.open(hub->url()));
    for (int i = 0; i < 40; ++i)
        flood.ping(i);
    QVERIFY(flood.waitClosed());
    QCOMPARE(flood.closeCode(), CloseCode::RateLimited);
    const QList<Envelope> errors = flood.ofType(MessageType::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().code, CloseCode::RateLimited);
    // The burst was served before the limit hit.
    QVERIFY(flood.ofType(MessageType::Pong).size() >= 9);
    QVERIFY(flood.ofType(MessageType::Pong).size() < 40);
    QCOMPARE(hub->rejects(QStringLiteral("rate_limit")), quint64(1));
    bool ok = false;
    calm.waitFor(MessageType::Pong, calm.ping(1), &ok);
    QVERIFY(ok);
}

void tst_HubServer::oversizeClosed1009()
{
    HubOptions o = quietOptions();
    o.maxMessageBytes = 1024;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    // Just under the limit passes.
    probe.waitFor(MessageType::Ack, probe.publish(QStringLiteral("big"), QString(900, QLatin1Char('a'))),
                  &ok);
    QVERIFY(ok);
    probe.publish(QStringLiteral("big"), QString(2000, QLatin1Char('a')));
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closeCode(), CloseCode::TooBig);
    QTRY_COMPARE(hub->rejects(QStringLiteral("too_big")), quint64(1));
    QCOMPARE(hub->metrics().published, quint64(1));
}

void tst_HubServer::slowClientDroppedOthersServed()
{
    HubOptions o = quietOptions();
    o.maxSendBufferBytes = 512 * 1024;
    o.rateLimitPerSec = 0;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe fast;
    QVERIFY(fast.open(hub->url()));
    bool ok = false;
    fast.waitFor(MessageType::Subscribed, fast.subscribe(QStringLiteral("bulk")), &ok);
    QVERIFY(ok);

    RawWsClient slow;
    QVERIFY(slow.open(hub->port()));
    slow.sendText(R"({"type":"subscribe","id":"s1","channel":"bulk"})");
    QTRY_COMPARE(hub->clientCount(), 2);
    // The subscribe is answered before we stop reading: the hub holds it, every publish is for us.
    QTRY_VERIFY(slow.socket().peek(slow.socket().bytesAvailable()).contains("\"subscribed\""));
    slow.stopReading();

    const QString chunk(32 * 1024, QLatin1Char('x'));
    int published = 0;
    QTimer pump;
    connect(&pump, &QTimer::timeout, this, [&] {
        if (published < 2000 && hub->rejects(QStringLiteral("slow_client")) == 0) {
            hub->publish(QStringLiteral("bulk"), chunk);
            ++published;
        }
    });
    pump.start(2);
    QTRY_VERIFY_WITH_TIMEOUT(hub->rejects(QStringLiteral("slow_client")) == 1, 30000);
    pump.stop();
    QTRY_COMPARE(hub->clientCount(), 1);
    // The fast one got every message, in order, and is still connected.
    QTRY_COMPARE(fast.seqsOf(QStringLiteral("bulk")).size(), published);
    const QList<qint64> seqs = fast.seqsOf(QStringLiteral("bulk"));
    for (int i = 0; i < seqs.size(); ++i)
        QCOMPARE(seqs.at(i), qint64(i + 1));
    QVERIFY(!fast.isClosed());
    fast.waitFor(MessageType::Pong, fast.ping(1), &ok);
    QVERIFY(ok);
}

void tst_HubServer::silentClientDroppedByHeartbeat()
{
    HubOptions o = quietOptions();
    // A silent client goes after two intervals. The answering one shares this process with the
    // hub, so its pong is as late as the process is busy: intervals of 100 ms leave it 200 ms.
    o.heartbeatIntervalMs = 100;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe alive; // QWebSocket answers ping frames by itself
    QVERIFY(alive.open(hub->url()));
    RawWsClient silent; // never answers anything
    QVERIFY(silent.open(hub->port()));
    QTRY_COMPARE(hub->clientCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!silent.isConnected(), 10000);
    QCOMPARE(hub->rejects(QStringLiteral("heartbeat_timeout")), quint64(1));
    QTRY_COMPARE(hub->clientCount(), 1);
    QTest::qWait(4 * o.heartbeatIntervalMs); // several intervals: the answering client stays
    QVERIFY(!alive.isClosed());
    QCOMPARE(hub->clientCount(), 1);
}

void tst_HubServer::silenceIsMeasuredOnTheHubsClock()
{
    // With the hub's time in the test's hands, silence is what the test says, to the millisecond,
    // however fast or slow the machine runs the heartbeat timer.
    ManualClock clock;
    ScopedClock useIt(clock);
    HubOptions o = quietOptions();
    o.heartbeatIntervalMs = 20; // silent for more than 40 ms: dropped
    auto hub = startHub(o);
    QVERIFY(hub);
    RawWsClient silent; // never answers anything
    QVERIFY(silent.open(hub->port()));
    QTRY_COMPARE(hub->clientCount(), 1);
    // Many intervals of real time, none of the hub's: it stays.
    QTest::qWait(10 * o.heartbeatIntervalMs);
    QVERIFY(silent.isConnected());
    // A wall clock set an hour forward is no silence: that is measured on the monotonic clock.
    clock.setWallMs(clock.wallMs() + 3600 * 1000);
    clock.advance(40); // exactly the limit is not over it
    QTest::qWait(5 * o.heartbeatIntervalMs);
    QVERIFY(silent.isConnected());
    QCOMPARE(hub->rejects(QStringLiteral("heartbeat_timeout")), quint64(0));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                           "heartbeat_timeout \\): silent for 41 ms \\(limit 40 ms\\)$")));
    clock.advance(1);
    QTRY_VERIFY_WITH_TIMEOUT(!silent.isConnected(), 10000);
    QCOMPARE(hub->rejects(QStringLiteral("heartbeat_timeout")), quint64(1));
    QTRY_COMPARE(hub->clientCount(), 0);
}

void tst_HubServer::heartbeatsSpreadOverTheInterval()
{
    // 41 sessions on a wheel of 10 slots of 30 ms: each turn pings one slot's sessions, never
    // more than ceil(41 / 10) + 1 of them; each run of 10 turns (one interval) pings every
    // session once; no turn comes before its time.
    HubOptions o = quietOptions();
    o.heartbeatIntervalMs = 300;
    o.heartbeatSlots = 10;
    const int slots = o.heartbeatSlots;
    const int sessions = 41;
    const int maxPerTurn = (sessions + slots - 1) / slots + 1;
    struct Turn
    {
        qint64 atMs;
        int slot;
        QList<quint64> numbers;
    };
    QList<Turn> turns;
    QElapsedTimer clock;
    HubServer hub(o);
    QCOMPARE(hub.heartbeatSlotCount(), slots);
    hub.setHeartbeatProbe([&](int slot, const QList<quint64> &numbers) {
        turns.append({clock.elapsed(), slot, numbers});
    });
    clock.start(); // before the hub's wheel starts: its turns can only look later on this clock
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));

    std::vector<std::unique_ptr<ProtocolProbe>> clients;
    for (int i = 0; i < sessions; ++i) {
        clients.push_back(std::make_unique<ProtocolProbe>());
        QVERIFY(clients.back()->open(hub.url()));
    }
    QTRY_COMPARE(hub.clientCount(), sessions);

    // Checks `count` whole intervals after turn `from`; returns the turn after them.
    const auto checkIntervals = [&](qsizetype from, int count) -> qsizetype {
        const qsizetype need = from + qsizetype(count + 1) * slots;
        [&] { QTRY_VERIFY_WITH_TIMEOUT(turns.size() >= need, 20000); }();
        qsizetype i = from;
        while (turns.at(i).slot != 0)
            ++i;
        for (int interval = 0; interval < count; ++interval) {
            QSet<quint64> pinged;
            int pings = 0;
            for (int k = 0; k < slots; ++k, ++i) {
                const Turn &t = turns.at(i);
                [&] { QCOMPARE(t.slot, k); }(); // the slots in turn, each once an interval
                [&] {
                    QVERIFY2(t.numbers.size() <= maxPerTurn,
                             qPrintable(
                                 QStringLiteral("slot %1 pinged %2 sessions").arg(k).arg(t.numbers.size())));
                }();
                for (const quint64 n : t.numbers)
                    pinged.insert(n);
                pings += int(t.numbers.size());
            }
            [&] {
                QCOMPARE(pings, sessions);              // no session pinged twice in the interval ...
                QCOMPARE(int(pinged.size()), sessions); // ... and none left out
            }();
        }
        return i;
    };
    checkIntervals(turns.size(), 3); // from the first turn with every session open
    if (QTest::currentTestFailed())
        return;
    // Turn j of the wheel is due j * 30 ms after it started: none earlier (the turns are counted
    // from the hub's start, when the probe was already set).
    for (qsizetype j = 0; j < turns.size(); ++j)
        QVERIFY2(turns.at(j).atMs >= j * o.heartbeatIntervalMs / slots,
                 qPrintable(QStringLiteral("turn %1 at %2 ms").arg(j).arg(turns.at(j).atMs)));

    // Sessions that go leave room that the next ones to open take: still spread.
    for (int i = 0; i < 7; ++i)
        clients[size_t(i * 3)].reset();
    QTRY_COMPARE(hub.clientCount(), sessions - 7);
    for (int i = 0; i < 7; ++i) {
        clients[size_t(i * 3)] = std::make_unique<ProtocolProbe>();
        QVERIFY(clients[size_t(i * 3)]->open(hub.url()));
    }
    QTRY_COMPARE(hub.clientCount(), sessions);
    checkIntervals(turns.size(), 2);
    if (QTest::currentTestFailed())
        return;

    // Dead-peer detection is as it was: silent for two intervals, dropped; the others stay.
    RawWsClient silent; // never answers a ping
    QVERIFY(silent.open(hub.port()));
    QTRY_VERIFY_WITH_TIMEOUT(!silent.isConnected(), 10000);
    QCOMPARE(hub.rejects(RejectReason::HeartbeatTimeout), quint64(1));
    QTRY_COMPARE(hub.clientCount(), sessions);
}

void tst_HubServer::rateLimitCountsOnTheHubsClock()
{
    // On a clock that does not move, the bucket never refills: exactly `burst` frames pass, and
    // each 1000/rate ms the test lets pass buys exactly one more (floodClosed4008 can only bound it).
    ManualClock clock;
    ScopedClock useIt(clock);
    HubOptions o = quietOptions();
    o.rateLimitPerSec = 5;
    o.rateLimitBurst = 10;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    for (int i = 0; i < 10; ++i)
        probe.ping(i);
    QTRY_COMPARE(probe.ofType(MessageType::Pong).size(), 10);
    clock.advance(200); // one token at 5 a second
    bool ok = false;
    probe.waitFor(MessageType::Pong, probe.ping(10), &ok);
    QVERIFY(ok);
    probe.ping(11);
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closeCode(), CloseCode::RateLimited);
    QCOMPARE(probe.ofType(MessageType::Pong).size(), 11);
    QCOMPARE(hub->rejects(QStringLiteral("rate_limit")), quint64(1));
}

void tst_HubServer::timestampsAndTokenExpiryFollowTheHubsClock()
{
    ManualClock clock;
    ScopedClock useIt(clock);
    HubOptions o = quietOptions();
    o.tokenSecret = QByteArrayLiteral("0123456789abcdef-secret");
    auto hub = startHub(o);
    QVERIFY(hub);
    // A token that expires 10 s after the hub's now.
    const qint64 expires = clock.wallMs() / 1000 + 10;
    const QString token = TokenAuth::mint(o.tokenSecret, QStringLiteral("ops"), expires);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    probe.waitFor(MessageType::Ack, probe.auth(token), &ok);
    QVERIFY(ok);
    probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("ops")), &ok);
    QVERIFY(ok);
    // A message is stamped with the hub's wall time, exactly.
    probe.waitFor(MessageType::Ack, probe.publish(QStringLiteral("ops"), 1), &ok);
    QVERIFY(ok);
    clock.setWallMs(ManualClock::kDefaultWallMs + 5000);
    probe.waitFor(MessageType::Ack, probe.publish(QStringLiteral("ops"), 2), &ok);
    QVERIFY(ok);
    QTRY_COMPARE(probe.seqsOf(QStringLiteral("ops")).size(), 2);
    const QList<Envelope> messages = probe.ofType(MessageType::Message);
    QCOMPARE(messages.at(0).ts, ManualClock::kDefaultWallMs);
    QCOMPARE(messages.at(1).ts, ManualClock::kDefaultWallMs + 5000);
    // The same token, once the hub's clock is past its expiry.
    clock.setWallMs((expires + 1) * 1000);
    ProtocolProbe late;
    QVERIFY(late.open(hub->url()));
    const Envelope err = late.waitFor(MessageType::Error, late.auth(token), &ok);
    QVERIFY(ok);
    QCOMPARE(err.text, QStringLiteral("token expired"));
    QCOMPARE(hub->rejects(QStringLiteral("auth_expired")), quint64(1));
}

void tst_HubServer::feedChannelIsReserved()
{
    HubOptions o = quietOptions();
    o.feedsEnabled = true;
    o.feeds = {QStringLiteral("sys.load")};
    auto hub = startHub(o);
    QVERIFY(hub);
    QCOMPARE(hub->activeFeeds(), QStringList{QStringLiteral("sys.load")});
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    bool ok = false;
    const Envelope err =
        probe.waitFor(MessageType::Error, probe.publish(QStringLiteral("sys.load"), 99), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, 403);
    QCOMPARE(hub->rejects(QStringLiteral("reserved_channel")), quint64(1));

    HubOptions bad = quietOptions();
    bad.feedsEnabled = true;
    bad.feeds = {QStringLiteral("sys.nothing")};
    HubServer broken(bad);
    QString error;
    QVERIFY(!broken.start(&error));
    QVERIFY(error.contains(QStringLiteral("sys.nothing")));
}

void tst_HubServer::shutdownSends1001()
{
    auto hub = startHub(quietOptions());
    QVERIFY(hub);
    ProtocolProbe a, b;
    QVERIFY(a.open(hub->url()));
    QVERIFY(b.open(hub->url()));
    QTRY_COMPARE(hub->clientCount(), 2);
    QSignalSpy stopped(hub.get(), &HubServer::stopped);
    hub->shutdown();
    QVERIFY(a.waitClosed());
    QVERIFY(b.waitClosed());
    QCOMPARE(a.closeCode(), CloseCode::GoingAway);
    QCOMPARE(b.closeCode(), CloseCode::GoingAway);
    QTRY_COMPARE(stopped.count(), 1);
    QCOMPARE(hub->clientCount(), 0);
    // No longer listening.
    ProtocolProbe late;
    QVERIFY(!late.open(hub->url(), 500) || late.waitClosed());
}

void tst_HubServer::healthAndMetrics()
{
    HubOptions o = quietOptions();
    o.healthPort = 0;
    auto hub = startHub(o);
    QVERIFY(hub);
    QVERIFY(hub->healthPort() != 0);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    probe.sendRaw("{broken");
    bool ok = false;
    probe.waitFor(MessageType::Error, QString(), &ok);
    QVERIFY(ok);
    hub->publish(QStringLiteral("m.one"), 1);

    int status = 0;
    const QByteArray health = httpGet(hub->healthPort(), "/healthz", &status);
    QCOMPARE(status, 200);
    const QJsonObject h = QJsonDocument::fromJson(health).object();
    QCOMPARE(h.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(h.value(QStringLiteral("connections")).toInt(), 1);
    QCOMPARE(h.value(QStringLiteral("store")).toObject().value(QStringLiteral("kind")).toString(),
             QStringLiteral("memory"));

    const QByteArray metrics = httpGet(hub->healthPort(), "/metrics", &status);
    QCOMPARE(status, 200);
    QVERIFY(metrics.contains("\npulseboard_hub_connections 1\n"));
    QVERIFY(metrics.contains("pulseboard_hub_rejects_total{reason=\"malformed\"} 1\n"));
    QVERIFY(metrics.contains("pulseboard_hub_channel_messages_total{channel=\"m.one\"} 1\n"));
    QVERIFY(metrics.contains("pulseboard_hub_messages_in_total 1\n"));
    QVERIFY(metrics.contains("# TYPE pulseboard_hub_channel_rate gauge"));

    httpGet(hub->healthPort(), "/nothing", &status);
    QCOMPARE(status, 404);

    // Health checks are not WebSocket: the WebSocket port does not serve them.
    QVERIFY(hub->healthPort() != hub->port());
}

void tst_HubServer::connectionManagerEndToEnd()
{
    HubOptions o = quietOptions();
    o.tokenSecret = QByteArrayLiteral("0123456789abcdef-secret");
    auto hub = startHub(o);
    QVERIFY(hub);
    ConnectionOptions co;
    co.endpoints = {hub->url()};
    co.token =
        TokenAuth::mint(o.tokenSecret, QStringLiteral("dash"), QDateTime::currentSecsSinceEpoch() + 60);
    co.heartbeatIntervalMs = 30;
    co.heartbeatTimeoutMs = 2000;
    ConnectionManager client;
    client.setOptions(co);
    QSignalSpy messages(&client, &ConnectionManager::messageReceived);
    QSignalSpy acked(&client, &ConnectionManager::acked);
    client.subscribe(QStringLiteral("e2e"));
    client.open();
    QTRY_COMPARE(client.state(), ConnectionManager::Open);
    client.publish(QStringLiteral("e2e"), QJsonObject{{QStringLiteral("v"), 1}});
    QTRY_COMPARE(acked.count(), 1);
    QCOMPARE(acked.first().at(2).toLongLong(), qint64(1));
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.first().at(1).toLongLong(), qint64(1));
    // Its app-level heartbeat is answered: it stays open across many intervals with an RTT. Ten
    // pings sent (nothing else leaves it now) are waited for, not assumed to fit in some time.
    QSignalSpy dropped(&client, &ConnectionManager::disconnected);
    const quint64 framesBefore = client.stats().framesOut;
    QTRY_VERIFY(client.stats().framesOut >= framesBefore + 10);
    QTRY_VERIFY(client.rttMs() >= 0);
    QCOMPARE(dropped.count(), 0);
    QCOMPARE(client.state(), ConnectionManager::Open);
    // A shutdown hands it over (1001) and it goes on trying, not failing.
    QSignalSpy disconnected(&client, &ConnectionManager::disconnected);
    hub->shutdown();
    QTRY_VERIFY(disconnected.count() >= 1); // then its retries find nobody listening
    QCOMPARE(disconnected.first().at(0).toInt(), CloseCode::GoingAway);
    QVERIFY(client.state() != ConnectionManager::Failed);
    client.close();
}

void tst_HubServer::embeddedDefaultServesRealFeeds()
{
    HubOptions o; // the dashboard's embedded default, on a free port
    o.port = 0;
    o.systemFeedHz = 10;
    o.statsIntervalMs = 100;
    auto hub = startHub(o);
    QVERIFY(hub);
    QCOMPARE(hub->activeFeeds().size(), 7);
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    for (const char *c : {"sys.cpu", "sys.mem", "sys.load", "sys.net", "demo.wave", "hub.stats"})
        probe.subscribe(QString::fromLatin1(c));
    QTRY_VERIFY_WITH_TIMEOUT(!probe.seqsOf(QStringLiteral("sys.cpu")).isEmpty() &&
                                 !probe.seqsOf(QStringLiteral("sys.mem")).isEmpty() &&
                                 !probe.seqsOf(QStringLiteral("sys.load")).isEmpty() &&
                                 !probe.seqsOf(QStringLiteral("sys.net")).isEmpty() &&
                                 probe.seqsOf(QStringLiteral("demo.wave")).size() >= 3 &&
                                 !probe.seqsOf(QStringLiteral("hub.stats")).isEmpty(),
                             10000);
    for (const Envelope &m : probe.ofType(MessageType::Message)) {
        const QJsonObject d = m.data.toObject();
        if (m.channel == QLatin1StringView("sys.cpu")) {
            const double total = d.value(QStringLiteral("total")).toDouble(-1);
            QVERIFY2(total >= 0 && total <= 100, qPrintable(QString::number(total)));
        } else if (m.channel == QLatin1StringView("sys.mem")) {
            QVERIFY(d.value(QStringLiteral("totalBytes")).toDouble() > 0);
            QVERIFY(d.value(QStringLiteral("usedBytes")).toDouble() <=
                    d.value(QStringLiteral("totalBytes")).toDouble());
        } else if (m.channel == QLatin1StringView("hub.stats")) {
            QVERIFY(d.contains(QStringLiteral("connections")));
        } else if (m.channel == QLatin1StringView("demo.wave")) {
            QVERIFY(qAbs(d.value(QStringLiteral("v")).toDouble(99)) < 2);
        }
    }
}

QTEST_GUILESS_MAIN(tst_HubServer)
#include "tst_hubserver.moc"
