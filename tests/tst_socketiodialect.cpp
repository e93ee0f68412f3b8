// SocketIoDialect without sockets: its settings (and the words of a bad one), the URL it opens,
// the Engine.IO and Socket.IO codec through a ClientSession over a LoopbackTransport whose far end
// the test plays (open packet, CONNECT with auth, ping/pong, events, acks, CONNECT_ERROR,
// DISCONNECT), the server-driven dead-link deadline, the hostile-input table (each a clear error,
// the connection goes on), and connection state recovery across sessions of a ConnectionManager.
#include "client/ClientSession.h"
#include "client/ConnectionManager.h"
#include "client/DialectCapabilities.h"
#include "client/DialectFactory.h"
#include "client/Outbox.h"
#include "client/RequestTracker.h"
#include "client/SocketIoDialect.h"
#include "client/SubscriptionSet.h"
#include "protocol/CloseCode.h"
#include "support/LoopbackTransport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;
using Pulseboard::Test::LoopbackTransport;

namespace {

QJsonObject json(const char *text)
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson(QByteArray(text), &e);
    if (e.error != QJsonParseError::NoError)
        qWarning("bad test JSON: %s", qPrintable(e.errorString()));
    return d.object();
}

// The worked example of docs/PROTOCOLS.md ("socketio"), also committed as a file.
const char *kExample = R"({
  "namespace": "/",
  "auth": {"token": "{token}"},
  "messages": [
    {"event": "message", "channel": "/0/channel", "seq": "/0/seq", "data": "/0/data"},
    {"event": "ticker", "data": "/0", "ts": "/0/ts"}
  ],
  "subscribe": {"emit": ["join", "{channel}"], "ack": true},
  "unsubscribe": {"emit": ["leave", "{channel}"]},
  "publish": {"emit": ["publish", {"id": "{id}", "channel": "{channel}", "data": "{data}"}], "ackSeq": "/0/seq"},
  "ackError": "/0/error"
})";

const QByteArray kOpen =
    R"(0{"sid":"eio1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

struct Delivered
{
    QString channel;
    qint64 seq = 0;
    qint64 ts = 0;
    QJsonValue data;
};

struct Rig
{
    ConnectionOptions options;
    SubscriptionSet subscriptions;
    Outbox outbox;
    ConnectionStats stats;
    RequestTracker tracker{outbox, stats};
    int ids = 0;
    QList<Delivered> delivered;
    LoopbackTransport *transport = nullptr;
    SocketIoDialect *dialect = nullptr;
    std::unique_ptr<ClientSession> session;

    Rig()
    {
        options.heartbeatIntervalMs = 60000;
        options.heartbeatTimeoutMs = 60000;
        options.connectTimeoutMs = 5000;
    }
    ClientSession &make(const QJsonObject &config)
    {
        QString error;
        auto d = SocketIoDialect::create(config, &error);
        if (!d)
            qFatal("settings refused: %s", qPrintable(error));
        dialect = d.get();
        SessionContext ctx;
        ctx.options = &options;
        ctx.subscriptions = &subscriptions;
        ctx.outbox = &outbox;
        ctx.tracker = &tracker;
        ctx.stats = &stats;
        ctx.nextId = [this](QLatin1StringView prefix) {
            return QStringLiteral("%1-%2").arg(prefix).arg(++ids);
        };
        ctx.deliver = [this](const QString &channel, qint64 seq, qint64 ts, const JsonView &data) {
            delivered.append({channel, seq, ts, data.toJsonValue()});
        };
        auto t = std::make_unique<LoopbackTransport>();
        transport = t.get();
        session = std::make_unique<ClientSession>(ctx, std::move(t), std::move(d));
        return *session;
    }
    void queuePublish(const QString &id, const QString &channel, const QJsonValue &data)
    {
        Outbox::Entry e;
        e.id = id;
        e.kind = Outbox::Kind::Publish;
        e.target = channel;
        e.frame = dialect->encodePublish(id, channel, data, QStringLiteral("key")).bytes;
        outbox.enqueue(e);
    }
    QByteArray last() const
    {
        return transport->sent.isEmpty() ? QByteArray() : transport->sent.last().bytes;
    }
    void send(const QByteArray &frame) { transport->serverSendText(frame); }
    // Start, accept, open packet, CONNECT answered: Open when nothing is subscribed.
    void connectPlain(const QJsonObject &config,
                      const QByteArray &connectAnswer = R"(40{"sid":"s1","pid":"p1"})")
    {
        make(config).start(QUrl(QStringLiteral("ws://loopback:1")));
        transport->accept();
        send(kOpen);
        send(connectAnswer);
    }
};

} // namespace

class tst_SocketIoDialect : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void connectUrlAddsPathAndQuery_data();
    void connectUrlAddsPathAndQuery();
    void badSettingsAreRefusedByName_data();
    void badSettingsAreRefusedByName();
    void capabilitiesFollowTheSettings();
    void factoryKnowsTheName();
    void workedExampleFileLoads();
    void handshakeSubscribePublishInOrder();
    void tokenGoesWhereTheSettingsSay();
    void connectErrorRefusesTheToken();
    void channelIsTheEventNameByDefault();
    void requestIsAnEmitAnsweredByItsAck();
    void serverAckRequestIsAnswered();
    void serverPingDeadlineCatchesASilentLink();
    void namespaceDisconnectEndsTheLink();
    void hostileInput_data();
    void hostileInput();
    void binaryEventIsOneErrorWithItsAttachments();
    void deepAndHugeFramesAreBounded();
    void publishAboveMaxPayloadIsNotSent();
    void recoveryAcrossSessions();
    void publishResentWithItsIdAfterAReconnect();
};

void tst_SocketIoDialect::connectUrlAddsPathAndQuery_data()
{
    QTest::addColumn<QJsonObject>("config");
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<QString>("expected");
    QTest::newRow("default") << QJsonObject() << "ws://127.0.0.1:3000"
                             << "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket";
    QTest::newRow("root path") << QJsonObject() << "wss://example.org/"
                               << "wss://example.org/socket.io/?EIO=4&transport=websocket";
    QTest::newRow("configured path") << json(R"({"path":"/rt/"})") << "ws://h:1"
                                     << "ws://h:1/rt/?EIO=4&transport=websocket";
    QTest::newRow("endpoint's own path and query kept")
        << QJsonObject() << "ws://h:1/app/socket.io/?room=x&EIO=3"
        << "ws://h:1/app/socket.io/?room=x&EIO=4&transport=websocket";
}

void tst_SocketIoDialect::connectUrlAddsPathAndQuery()
{
    QFETCH(QJsonObject, config);
    QFETCH(QString, endpoint);
    QFETCH(QString, expected);
    QString error;
    auto d = SocketIoDialect::create(config, &error);
    QVERIFY2(d, qPrintable(error));
    QCOMPARE(d->connectUrl(QUrl(endpoint)).toString(), expected);
}

void tst_SocketIoDialect::badSettingsAreRefusedByName_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QString>("words");
    QTest::newRow("unknown key") << QByteArray(R"({"nsp":"/"})") << "unknown setting 'nsp'";
    QTest::newRow("path type") << QByteArray(R"({"path":3})") << "path must be a string starting with '/'";
    QTest::newRow("namespace") << QByteArray(R"({"namespace":"admin"})") << "namespace must be";
    QTest::newRow("auth type") << QByteArray(R"({"auth":"{token}"})") << "auth must be an object";
    QTest::newRow("recovery type") << QByteArray(R"({"recovery":"yes"})") << "recovery must be true or false";
    QTest::newRow("messages empty") << QByteArray(R"({"messages":[]})") << "messages must be";
    QTest::newRow("route not object") << QByteArray(R"({"messages":[1]})") << "messages[0] must be an object";
    QTest::newRow("route unknown key")
        << QByteArray(R"({"messages":{"chan":"/0"}})") << "messages[0]: unknown setting 'chan'";
    QTest::newRow("pointer syntax") << QByteArray(R"({"messages":{"seq":"0/seq"}})")
                                    << "messages[0].seq '0/seq' is not a JSON pointer";
    QTest::newRow("pointer type") << QByteArray(R"({"messages":{"data":0}})")
                                  << "messages[0].data must be a JSON pointer";
    QTest::newRow("subscribe shape") << QByteArray(R"({"subscribe":["join","{channel}"]})")
                                     << "subscribe must be an object";
    QTest::newRow("subscribe emit") << QByteArray(R"({"subscribe":{"emit":[]}})")
                                    << "subscribe.emit must be an array";
    QTest::newRow("subscribe ack") << QByteArray(R"({"subscribe":{"emit":["join"],"ack":1}})")
                                   << "subscribe.ack must be true or false";
    QTest::newRow("publish key") << QByteArray(R"({"publish":{"emit":["p"],"ack":true}})")
                                 << "publish: unknown setting 'ack'";
    QTest::newRow("ackError") << QByteArray(R"({"ackError":"error"})")
                              << "ackError 'error' is not a JSON pointer";
}

void tst_SocketIoDialect::badSettingsAreRefusedByName()
{
    QFETCH(QByteArray, config);
    QFETCH(QString, words);
    QString error;
    QVERIFY(!SocketIoDialect::create(QJsonDocument::fromJson(config).object(), &error));
    QVERIFY2(error.startsWith(QLatin1StringView("socketio settings: ")), qPrintable(error));
    QVERIFY2(error.contains(words), qPrintable(error));
}

void tst_SocketIoDialect::capabilitiesFollowTheSettings()
{
    QString error;
    auto plain = SocketIoDialect::create({}, &error);
    QVERIFY(plain);
    WireDialect::Capabilities c = plain->capabilities();
    QCOMPARE(c.heartbeat, WireDialect::Heartbeat::ServerPings);
    QVERIFY(c.authFrame && c.authWithoutToken);
    QVERIFY(!c.confirmsSubscribe); // nothing to subscribe with: the server pushes
    QVERIFY(c.resumes);            // connection state recovery
    QVERIFY(c.acksPublish);
    QVERIFY(!c.sequenced); // no seq pointer: a hole cannot be seen
    QVERIFY(!c.history);
    QVERIFY(!c.binaryFrames);
    auto example = SocketIoDialect::create(json(kExample), &error);
    QVERIFY2(example, qPrintable(error));
    c = example->capabilities();
    QVERIFY(c.confirmsSubscribe);
    // Its `message` event carries a seq, its `ticker` event none: gaps are promised on the first only.
    QVERIFY(!c.sequenced);
    QCOMPARE(c.sequencedRoutes, QStringList{QStringLiteral("event \"message\"")});
    QCOMPARE(capabilitiesToJson(c).value(u"gapsDetectable").toBool(true), false);
    QCOMPARE(capabilitiesToJson(c).value(u"gapsDetectableOn").toArray(),
             QJsonArray{QStringLiteral("event \"message\"")});
    QCOMPARE(
        capabilitiesSummary(c),
        QStringLiteral("confirms publishes: yes; can resume: yes; gaps are detected on some channels only"));
    QVERIFY(capabilitiesInWords(c).contains(QStringLiteral(
        "Gaps: detected only on event \"message\" (a sequence number); elsewhere a gap cannot be detected")));
    auto allSeq = SocketIoDialect::create(
        json(R"({"messages":[{"event":"message","channel":"/0/channel","seq":"/0/seq","data":"/0/data"}]})"),
        &error);
    QVERIFY2(allSeq, qPrintable(error));
    QVERIFY(allSeq->capabilities().sequenced);
    QVERIFY(allSeq->capabilities().sequencedRoutes.isEmpty());
    QVERIFY(!capabilitiesToJson(allSeq->capabilities()).contains(u"gapsDetectableOn"));
    auto noRecovery = SocketIoDialect::create(
        json(R"({"recovery":false,"subscribe":{"emit":["join","{channel}"]}})"), &error);
    QVERIFY(noRecovery);
    QVERIFY(!noRecovery->capabilities().resumes);
    QVERIFY(!noRecovery->capabilities().confirmsSubscribe); // an emit without ack confirms nothing
}

void tst_SocketIoDialect::factoryKnowsTheName()
{
    QVERIFY(knownProtocols().contains(QStringLiteral("socketio")));
    ConnectionOptions o;
    o.protocol = QStringLiteral("socketio");
    QString error;
    auto d = makeDialect(o, &error);
    QVERIFY2(d, qPrintable(error));
    QCOMPARE(d->name(), QStringLiteral("socket.io"));
    o.protocolConfig = json(R"({"namespace":5})");
    QVERIFY(!makeDialect(o, &error));
    QVERIFY2(error.contains(QLatin1StringView("namespace must be")), qPrintable(error));
}

void tst_SocketIoDialect::workedExampleFileLoads()
{
    QFile f(QStringLiteral(PULSEBOARD_SOURCE_DIR "/docs/examples/socketio.json"));
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString()));
    QString error;
    auto d = SocketIoDialect::create(doc.object(), &error);
    QVERIFY2(d, qPrintable(error));
    // The same settings as the example the documentation shows (and this test uses below).
    QCOMPARE(doc.object(), json(kExample));
}

void tst_SocketIoDialect::handshakeSubscribePublishInOrder()
{
    Rig rig;
    rig.options.token = QStringLiteral("secret");
    rig.subscriptions.add(QStringLiteral("feed"));
    ClientSession &s = rig.make(json(kExample));
    rig.queuePublish(QStringLiteral("p-1"), QStringLiteral("feed"), QJsonObject{{QStringLiteral("v"), 1}});
    connect(&s, &ClientSession::opened, &s, &ClientSession::flush);
    QSignalSpy opened(&s, &ClientSession::opened);
    QSignalSpy welcome(&s, &ClientSession::welcomeReceived);
    QSignalSpy acked(&rig.tracker, &RequestTracker::acked);
    QSignalSpy errors(&s, &ClientSession::errorOccurred);
    s.start(QUrl(QStringLiteral("ws://loopback:1")));
    QCOMPARE(rig.transport->offeredSubprotocols, QStringList());
    rig.transport->accept();
    // Nothing before the server's open packet, then the CONNECT with the token in its auth.
    QCOMPARE(rig.transport->sent.size(), 0);
    QCOMPARE(s.phase(), ClientSession::Phase::Authenticating);
    rig.send(kOpen);
    QCOMPARE(welcome.size(), 1);
    QCOMPARE(welcome.at(0).at(1).toString(), QStringLiteral("eio1"));
    QCOMPARE(welcome.at(0).at(2).toLongLong(), 25000);
    QCOMPARE(rig.transport->sent.size(), 1);
    QCOMPARE(rig.last(), QByteArray(R"(40{"token":"secret"})"));
    rig.send(R"(40{"sid":"s1","pid":"p1"})");
    // The subscribe emit with its ack id; Open once it is acked, then the publish goes out.
    QCOMPARE(rig.transport->sent.size(), 2);
    QCOMPARE(rig.last(), QByteArray(R"(420["join","feed"])"));
    QCOMPARE(opened.size(), 0);
    rig.send(R"(430[{"ok":true}])");
    QCOMPARE(opened.size(), 1);
    QCOMPARE(rig.transport->sent.size(), 3);
    QCOMPARE(rig.last(), QByteArray(R"(421["publish",{"channel":"feed","data":{"v":1},"id":"p-1"}])"));
    rig.send(R"(431[{"seq":7}])");
    QCOMPARE(acked.size(), 1);
    QCOMPARE(acked.at(0).at(0).toString(), QStringLiteral("p-1"));
    QCOMPARE(acked.at(0).at(2).toLongLong(), 7);
    QCOMPARE(rig.outbox.count(), 0);
    // The server's ping is answered, with its payload.
    rig.send("2");
    QCOMPARE(rig.last(), QByteArray("3"));
    rig.send("2probe");
    QCOMPARE(rig.last(), QByteArray("3probe"));
    // A message: channel, seq and data at their pointers; the offset (last argument) is not data.
    rig.send(R"(42["message",{"channel":"feed","seq":1,"data":{"v":2}},"off-1"])");
    rig.send(R"(42["message",{"channel":"feed","seq":1,"data":{"v":2}},"off-2"])");  // the same seq again
    rig.send(R"(42["message",{"channel":"other","seq":1,"data":{"v":3}},"off-3"])"); // not subscribed
    rig.send(R"(42["message",{"channel":"feed","seq":3,"data":{"v":4}},"off-4"])");
    QCOMPARE(rig.delivered.size(), 2);
    QCOMPARE(rig.delivered.at(0).channel, QStringLiteral("feed"));
    QCOMPARE(rig.delivered.at(0).seq, 1);
    QCOMPARE(rig.delivered.at(0).data.toObject().value(QStringLiteral("v")).toInt(), 2);
    QCOMPARE(rig.delivered.at(1).seq, 3);
    QCOMPARE(rig.stats.duplicates, 1u);
    QCOMPARE(rig.stats.gaps, 1u);
    QCOMPARE(rig.dialect->lastOffset(), QStringLiteral("off-4"));
    QCOMPARE(rig.dialect->pid(), QStringLiteral("p1"));
    QCOMPARE(errors.size(), 0);
    // Unsubscribe emits `leave` (no ack asked).
    s.unsubscribe(QStringLiteral("feed"));
    QCOMPARE(rig.last(), QByteArray(R"(42["leave","feed"])"));
    // A publish refused in its ack (ackError) fails with the server's words.
    QSignalSpy failed(&rig.tracker, &RequestTracker::publishFailed);
    rig.queuePublish(QStringLiteral("p-2"), QStringLiteral("forbidden"), 1);
    s.flush();
    QCOMPARE(rig.last(), QByteArray(R"(422["publish",{"channel":"forbidden","data":1,"id":"p-2"}])"));
    rig.send(R"(432[{"error":"not allowed"}])");
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.at(0).at(2).toString().contains(QLatin1StringView("not allowed")),
             qPrintable(failed.at(0).at(2).toString()));
}

void tst_SocketIoDialect::tokenGoesWhereTheSettingsSay()
{
    Rig rig;
    rig.options.token = QStringLiteral("t0k\"en");
    rig.make(json(R"({"namespace":"/admin","auth":{"credentials":{"bearer":"Bearer {token}"},"app":"pb"}})"))
        .start(QUrl(QStringLiteral("ws://loopback:1")));
    rig.transport->accept();
    rig.send(kOpen);
    QCOMPARE(rig.last(),
             QByteArray("40/admin,{\"app\":\"pb\",\"credentials\":{\"bearer\":\"Bearer t0k\\\"en\"}}"));
    // Without a token the CONNECT still goes (the namespace needs it), with no auth.
    Rig bare;
    bare.make({}).start(QUrl(QStringLiteral("ws://loopback:1")));
    bare.transport->accept();
    bare.send(kOpen);
    QCOMPARE(bare.last(), QByteArray("40"));
    QCOMPARE(bare.session->phase(), ClientSession::Phase::Authenticating);
    bare.send(R"(40{"sid":"x"})");
    QCOMPARE(bare.session->phase(), ClientSession::Phase::Open);
    // Packets of another namespace are not ours.
    bare.subscriptions.add(QStringLiteral("t"));
    bare.send(R"(42/other,["t",1])");
    QCOMPARE(bare.delivered.size(), 0);
    bare.send(R"(42["t",1])");
    QCOMPARE(bare.delivered.size(), 1);
}

void tst_SocketIoDialect::connectErrorRefusesTheToken()
{
    Rig rig;
    rig.options.token = QStringLiteral("wrong");
    ClientSession &s = rig.make({});
    QSignalSpy refused(&s, &ClientSession::tokenRefused);
    s.start(QUrl(QStringLiteral("ws://loopback:1")));
    rig.transport->accept();
    rig.send(kOpen);
    rig.send(R"(44{"message":"invalid token"})");
    QCOMPARE(refused.size(), 1);
    QCOMPARE(refused.at(0).at(0).toInt(), CloseCode::Unauthorized);
    QCOMPARE(refused.at(0).at(1).toString(), QStringLiteral("invalid token"));
    QCOMPARE(s.phase(), ClientSession::Phase::Ended);
    // Through the manager: Failed, with the server's words.
    ConnectionManager cm;
    ConnectionOptions o;
    o.endpoints = {QUrl(QStringLiteral("ws://loopback:1"))};
    o.protocol = QStringLiteral("socketio");
    o.token = QStringLiteral("wrong");
    cm.setOptions(o);
    QPointer<LoopbackTransport> t;
    cm.setTransportFactory([&](const QUrl &, QString *) {
        auto lt = std::make_unique<LoopbackTransport>();
        t = lt.get();
        return std::unique_ptr<Transport>(std::move(lt));
    });
    cm.open();
    QVERIFY(t);
    QCOMPARE(t->openedUrl.toString(), QStringLiteral("ws://loopback:1/socket.io/?EIO=4&transport=websocket"));
    t->accept();
    t->serverSendText(kOpen);
    QCOMPARE(cm.state(), ConnectionManager::Authenticating);
    t->serverSendText(R"(44{"message":"invalid token"})");
    QCOMPARE(cm.state(), ConnectionManager::Failed);
    QCOMPARE(cm.errorString(), QStringLiteral("server refused the token: invalid token"));
}

void tst_SocketIoDialect::channelIsTheEventNameByDefault()
{
    Rig rig;
    rig.subscriptions.add(QStringLiteral("ticker"));
    rig.connectPlain({});
    QCOMPARE(rig.session->phase(), ClientSession::Phase::Open);
    QCOMPARE(rig.transport->sent.size(), 1); // the CONNECT only: the server pushes
    rig.send(R"(42["ticker",{"n":1},"o1"])");
    rig.send(R"(42["ticker"])"); // no argument: null data (no offset is taken from nothing)
    rig.send(R"(42["elsewhere",{"n":2}])");
    QCOMPARE(rig.delivered.size(), 2);
    QCOMPARE(rig.delivered.at(0).channel, QStringLiteral("ticker"));
    QCOMPARE(rig.delivered.at(0).seq, -1);
    QCOMPARE(rig.delivered.at(0).data.toObject().value(QStringLiteral("n")).toInt(), 1);
    QVERIFY(rig.delivered.at(1).data.isNull());
    QCOMPARE(rig.dialect->lastOffset(), QStringLiteral("o1"));
    // Without recovery on the server (no pid), a trailing string is data, not an offset.
    Rig off;
    off.subscriptions.add(QStringLiteral("ticker"));
    off.connectPlain({}, R"(40{"sid":"s1"})");
    off.send(R"(42["ticker","hello"])");
    QCOMPARE(off.delivered.size(), 1);
    QCOMPARE(off.delivered.at(0).data.toString(), QStringLiteral("hello"));
    // A time pointer, and a second argument as data.
    Rig ts;
    ts.subscriptions.add(QStringLiteral("t"));
    ts.connectPlain(json(R"({"messages":{"ts":"/0/at","data":"/1"}})"), R"(40{"sid":"s1"})");
    ts.send(R"(42["t",{"at":1700000000123},[1,2]])");
    QCOMPARE(ts.delivered.size(), 1);
    QCOMPARE(ts.delivered.at(0).ts, 1700000000123);
    QCOMPARE(ts.delivered.at(0).data.toArray().size(), 2);
    // The pointer "" is the whole argument array (without the offset).
    Rig whole;
    whole.subscriptions.add(QStringLiteral("w"));
    whole.connectPlain(json(R"({"messages":{"data":""}})"));
    whole.send(R"(42["w",1,{"b":2},"off"])");
    QCOMPARE(whole.delivered.size(), 1);
    QCOMPARE(whole.delivered.at(0).data.toArray(), (QJsonArray{1, QJsonObject{{QStringLiteral("b"), 2}}}));
    QCOMPARE(whole.dialect->lastOffset(), QStringLiteral("off"));
}

void tst_SocketIoDialect::requestIsAnEmitAnsweredByItsAck()
{
    Rig rig;
    rig.connectPlain({});
    QSignalSpy responses(&rig.tracker, &RequestTracker::responseReceived);
    Outbox::Entry e;
    e.id = QStringLiteral("r-1");
    e.kind = Outbox::Kind::Request;
    e.target = QStringLiteral("echo");
    e.frame = rig.dialect->encodeRequest(e.id, e.target, QJsonObject{{QStringLiteral("x"), 1}}).bytes;
    rig.outbox.enqueue(e);
    rig.tracker.addRequest(e.id, e.target, 5000);
    rig.session->flush();
    QCOMPARE(rig.last(), QByteArray(R"(420["echo",{"x":1}])"));
    rig.send(R"(430[{"x":1}])");
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.at(0).at(0).toString(), QStringLiteral("r-1"));
    QCOMPARE(responses.at(0).at(2).toJsonValue().toObject().value(QStringLiteral("x")).toInt(), 1);
    // An ack for an id we never handed out is ignored.
    rig.send(R"(4399[1])");
    QCOMPARE(responses.size(), 1);
}

void tst_SocketIoDialect::serverAckRequestIsAnswered()
{
    Rig rig;
    rig.subscriptions.add(QStringLiteral("ticker"));
    rig.connectPlain({});
    rig.send(R"(4217["ticker",{"n":1}])");
    QCOMPARE(rig.last(), QByteArray("4317[]"));
    QCOMPARE(rig.delivered.size(), 1);
    QVERIFY(rig.dialect->lastOffset().isEmpty()); // an event with an ack id carries no offset
}

void tst_SocketIoDialect::serverPingDeadlineCatchesASilentLink()
{
    Rig rig;
    ClientSession &s = rig.make({});
    QSignalSpy lost(&s, &ClientSession::lost);
    s.start(QUrl(QStringLiteral("ws://loopback:1")));
    rig.transport->accept();
    rig.send(R"(0{"sid":"e","pingInterval":30,"pingTimeout":30,"maxPayload":1000})");
    rig.send(R"(40{"sid":"s"})");
    // Pings every 20 ms keep it alive for several deadlines (60 ms) ...
    for (int i = 0; i < 10; ++i) {
        QTest::qWait(20);
        rig.send("2");
    }
    QCOMPARE(lost.size(), 0);
    // ... then silence: dropped at the deadline.
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 5000);
    QCOMPARE(lost.at(0).at(0).toInt(), CloseCode::Abnormal);
    QCOMPARE(lost.at(0).at(1).toString(), QStringLiteral("heartbeat: no ping from the server within 60 ms"));
    QVERIFY(rig.transport->aborted);
}

void tst_SocketIoDialect::namespaceDisconnectEndsTheLink()
{
    Rig rig;
    rig.connectPlain({});
    QSignalSpy errors(rig.session.get(), &ClientSession::errorOccurred);
    rig.send("41");
    QCOMPARE(errors.size(), 1);
    QVERIFY(errors.at(0).at(1).toString().contains(QLatin1StringView("disconnected the client")));
    // The Engine.IO close, after which the server ends the socket and the client reconnects.
    QCOMPARE(rig.last(), QByteArray("1"));
}

void tst_SocketIoDialect::hostileInput_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("words");
    QTest::newRow("empty frame") << QByteArray("") << "empty Engine.IO frame";
    QTest::newRow("unknown Engine.IO type") << QByteArray("9hello") << "unknown Engine.IO packet type '9'";
    QTest::newRow("letter as type") << QByteArray("x") << "unknown Engine.IO packet type 'x'";
    QTest::newRow("control char type") << QByteArray("\x01") << "unknown Engine.IO packet type '\\u0001'";
    QTest::newRow("message without Socket.IO type") << QByteArray("4") << "no packet type";
    QTest::newRow("unknown Socket.IO type") << QByteArray("49[]") << "unknown packet type '9'";
    QTest::newRow("event without payload") << QByteArray("42") << "an EVENT's payload is an array";
    QTest::newRow("event object payload") << QByteArray(R"(42{"a":1})") << "an EVENT's payload is an array";
    QTest::newRow("event empty array") << QByteArray("42[]") << "an EVENT's payload is an array";
    QTest::newRow("event name not string") << QByteArray("42[1,2]") << "an EVENT's payload is an array";
    QTest::newRow("truncated JSON") << QByteArray(R"(42["message",{"channel":"feed")")
                                    << "unreadable Socket.IO packet";
    QTest::newRow("two JSON values") << QByteArray(R"(42["a"],["b"])") << "more than one JSON value";
    QTest::newRow("ack without id") << QByteArray("43[]") << "an ACK without an id";
    QTest::newRow("ack object payload") << QByteArray(R"(431{"a":1})") << "an ACK's payload is an array";
    QTest::newRow("ack id too long") << QByteArray("431234567890123456789[]") << "ack id of 19 digits";
    QTest::newRow("routed event without channel")
        << QByteArray(R"(42["message",{"seq":1,"data":1}])") << "no channel name at /0/channel (missing)";
    QTest::newRow("channel of the wrong type") << QByteArray(R"(42["message",{"channel":{},"seq":1}])")
                                               << "no channel name at /0/channel (an object)";
    QTest::newRow("seq as string") << QByteArray(R"(42["message",{"channel":"feed","seq":"7","data":1}])")
                                   << "no seq (a non-negative integer) at /0/seq (a string)";
    QTest::newRow("seq negative") << QByteArray(R"(42["message",{"channel":"feed","seq":-1,"data":1}])")
                                  << "no seq (a non-negative integer)";
    QTest::newRow("seq fraction") << QByteArray(R"(42["message",{"channel":"feed","seq":1.5,"data":1}])")
                                  << "no seq (a non-negative integer)";
    QTest::newRow("data missing") << QByteArray(R"(42["message",{"channel":"feed","seq":1}])")
                                  << "no data at /0/data";
    QTest::newRow("ts wrong type") << QByteArray(R"(42["ticker",{"n":1,"ts":"now"}])")
                                   << "the time at /0/ts is a string";
    QTest::newRow("bad open packet") << QByteArray(R"(0{"sid":1,"pingInterval":"fast"})")
                                     << "Engine.IO open packet without a usable";
    QTest::newRow("connect answer without sid") << QByteArray("40[]") << "CONNECT answer without a sid";
}

void tst_SocketIoDialect::hostileInput()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, words);
    Rig rig;
    rig.subscriptions.add(QStringLiteral("feed"));
    rig.subscriptions.add(QStringLiteral("ticker"));
    rig.connectPlain(json(kExample));
    rig.send(R"(430[{"ok":true}])");
    rig.send(R"(431[{"ok":true}])");
    QCOMPARE(rig.session->phase(), ClientSession::Phase::Open);
    QSignalSpy errors(rig.session.get(), &ClientSession::errorOccurred);
    QSignalSpy lost(rig.session.get(), &ClientSession::lost);
    rig.send(frame);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).toInt(), CloseCode::Malformed);
    QVERIFY2(errors.at(0).at(1).toString().contains(words), qPrintable(errors.at(0).at(1).toString()));
    QCOMPARE(rig.stats.malformed, 1u);
    QCOMPARE(rig.delivered.size(), 0);
    // The connection goes on: the next good message is delivered.
    rig.send(R"(42["message",{"channel":"feed","seq":1,"data":{"v":1}},"o"])");
    QCOMPARE(lost.size(), 0);
    QCOMPARE(rig.delivered.size(), 1);
    QCOMPARE(rig.delivered.at(0).data.toObject().value(QStringLiteral("v")).toInt(), 1);
}

void tst_SocketIoDialect::binaryEventIsOneErrorWithItsAttachments()
{
    Rig rig;
    rig.subscriptions.add(QStringLiteral("x"));
    rig.connectPlain({});
    QSignalSpy errors(rig.session.get(), &ClientSession::errorOccurred);
    rig.send(R"(452-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    rig.transport->serverSendBinary(QByteArray("\x01\x02", 2));
    rig.transport->serverSendBinary(QByteArray("\x03\x04", 2));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.at(0).at(1).toString().contains(QLatin1StringView("binary events are not supported")),
             qPrintable(errors.at(0).at(1).toString()));
    QVERIFY(errors.at(0).at(1).toString().contains(QLatin1StringView("2 attachment(s)")));
    // A binary frame nobody announced is its own error.
    rig.transport->serverSendBinary(QByteArray("\x05", 1));
    QCOMPARE(errors.size(), 2);
    QVERIFY(errors.at(1).at(1).toString().contains(QLatin1StringView("binary Engine.IO frame of 1 bytes")));
    rig.send(R"(42["x",1])");
    QCOMPARE(rig.delivered.size(), 1);
}

void tst_SocketIoDialect::deepAndHugeFramesAreBounded()
{
    Rig rig;
    rig.subscriptions.add(QStringLiteral("ticker"));
    rig.connectPlain({});
    QSignalSpy errors(rig.session.get(), &ClientSession::errorOccurred);
    // Nesting far past what a JSON parser should follow: an error, no stack overflow.
    rig.send("42[\"ticker\"," + QByteArray(200000, '[') + QByteArray(200000, ']') + "]");
    QCOMPARE(errors.size(), 1);
    QVERIFY(errors.at(0).at(1).toString().startsWith(QLatin1StringView("unreadable Socket.IO packet")));
    // A huge announced attachment count is bounded: what is skipped stops at the cap.
    rig.send("4599999999-[\"ticker\"]");
    QCOMPARE(errors.size(), 2);
    // 8 MiB of a valid event is read as one message (the transport's maxIncomingMessageBytes is
    // what bounds a frame on a real socket); its error text is cut.
    const QByteArray big = "42[\"ticker\",\"" + QByteArray(8 * 1024 * 1024, 'a') + "\"";
    rig.send(big); // no closing bracket: malformed
    QCOMPARE(errors.size(), 3);
    QVERIFY(errors.at(2).at(1).toString().size() < 400);
    rig.send(R"(42["ticker",{"n":1}])");
    QCOMPARE(rig.delivered.size(), 1);
}

void tst_SocketIoDialect::publishAboveMaxPayloadIsNotSent()
{
    Rig rig;
    rig.options.ackTimeoutMs = 20;
    rig.tracker.setAckTimeoutMs(20);
    rig.tracker.setMaxSendAttempts(2);
    ClientSession &s = rig.make({});
    s.start(QUrl(QStringLiteral("ws://loopback:1")));
    rig.transport->accept();
    rig.send(R"(0{"sid":"e","pingInterval":25000,"pingTimeout":20000,"maxPayload":100})");
    rig.send(R"(40{"sid":"s"})");
    QSignalSpy failed(&rig.tracker, &RequestTracker::publishFailed);
    QSignalSpy acked(&rig.tracker, &RequestTracker::acked);
    rig.queuePublish(QStringLiteral("p-big"), QStringLiteral("c"), QString(200, u'x'));
    rig.queuePublish(QStringLiteral("p-small"), QStringLiteral("c"), 1);
    connect(&rig.tracker, &RequestTracker::resendDue, &s, &ClientSession::flush);
    s.flush();
    // The small one goes, the big one never does (no ack id spent on it): the server would close
    // the link on it, and on its resend after every reconnect.
    QCOMPARE(rig.transport->sent.size(), 2);
    QCOMPARE(rig.last(), QByteArray(R"(420["c",1])"));
    rig.send(R"(430[])");
    QCOMPARE(acked.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("p-big"));
    QCOMPARE(rig.transport->sent.size(), 2);
    QCOMPARE(rig.session->phase(), ClientSession::Phase::Open);
}

void tst_SocketIoDialect::recoveryAcrossSessions()
{
    ConnectionManager cm;
    ConnectionOptions o;
    o.endpoints = {QUrl(QStringLiteral("ws://loopback:1"))};
    o.protocol = QStringLiteral("socketio");
    o.protocolConfig = json(kExample);
    o.backoff.initialMs = 10;
    o.backoff.maxMs = 20;
    o.maxRetries = 0;
    cm.setOptions(o);
    QList<QPointer<LoopbackTransport>> ts;
    cm.setTransportFactory([&](const QUrl &, QString *) {
        auto t = std::make_unique<LoopbackTransport>();
        ts.append(t.get());
        return std::unique_ptr<Transport>(std::move(t));
    });
    QList<qint64> seqs;
    connect(&cm, &ConnectionManager::messageReceived, this,
            [&](const QString &, qint64 seq, qint64, const QJsonValue &) { seqs.append(seq); });
    QSignalSpy gaps(&cm, &ConnectionManager::gapDetected);
    cm.subscribe(QStringLiteral("feed"));
    cm.open();
    const auto connectOnce = [&](const QByteArray &answer) {
        LoopbackTransport *t = ts.last();
        t->accept();
        t->serverSendText(kOpen);
        const QByteArray connect = t->sent.last().bytes;
        t->serverSendText(answer);
        t->serverSendText(R"(430[{"ok":true}])");
        return connect;
    };
    QCOMPARE(connectOnce(R"(40{"sid":"s1","pid":"p1"})"), QByteArray("40"));
    QCOMPARE(cm.state(), ConnectionManager::Open);
    ts.last()->serverSendText(R"(42["message",{"channel":"feed","seq":1,"data":1},"o1"])");
    ts.last()->serverSendText(R"(42["message",{"channel":"feed","seq":2,"data":2},"o2"])");
    ts.last()->serverClose(CloseCode::Abnormal, QStringLiteral("cut"));
    // The next CONNECT asks for the session back from the last offset; the server recovers it
    // and sends what was missed before its answer.
    QTRY_COMPARE(ts.size(), 2);
    LoopbackTransport *t2 = ts.last();
    t2->accept();
    t2->serverSendText(kOpen);
    QCOMPARE(t2->sent.last().bytes, QByteArray(R"(40{"offset":"o2","pid":"p1"})"));
    t2->serverSendText(R"(42["message",{"channel":"feed","seq":3,"data":3},"o3"])");
    t2->serverSendText(R"(40{"sid":"s1","pid":"p1"})");
    t2->serverSendText(R"(430[{"ok":true}])");
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(gaps.size(), 0);
    QCOMPARE(seqs, (QList<qint64>{1, 2, 3}));
    t2->serverClose(CloseCode::Abnormal, QStringLiteral("server restarted"));
    // A new pid: the server could not recover; every subscribed channel has a gap from the seq
    // after the last one held, its end unknown, and the new sequence is taken from its start.
    QTRY_COMPARE(ts.size(), 3);
    QCOMPARE(connectOnce(R"(40{"sid":"s9","pid":"p9"})"), QByteArray(R"(40{"offset":"o3","pid":"p1"})"));
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(0).toString(), QStringLiteral("feed"));
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 4);
    QCOMPARE(gaps.at(0).at(2).toLongLong(), -1);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("not_recovered"));
    ts.last()->serverSendText(R"(42["message",{"channel":"feed","seq":1,"data":"new"},"n1"])");
    QCOMPARE(seqs, (QList<qint64>{1, 2, 3, 1}));
    QCOMPARE(cm.stats().duplicates, 0u);
    // The next attempt resumes the new session.
    ts.last()->serverClose(CloseCode::Abnormal, QStringLiteral("cut"));
    QTRY_COMPARE(ts.size(), 4);
    ts.last()->accept();
    ts.last()->serverSendText(kOpen);
    QCOMPARE(ts.last()->sent.last().bytes, QByteArray(R"(40{"offset":"n1","pid":"p9"})"));
    // Another server: nothing to resume.
    bool kept = false;
    cm.switchServer(o, &kept);
    cm.open();
    QTRY_COMPARE(ts.size(), 5);
    ts.last()->accept();
    ts.last()->serverSendText(kOpen);
    QCOMPARE(ts.last()->sent.last().bytes, QByteArray("40"));
}

void tst_SocketIoDialect::publishResentWithItsIdAfterAReconnect()
{
    ConnectionManager cm;
    ConnectionOptions o;
    o.endpoints = {QUrl(QStringLiteral("ws://loopback:1"))};
    o.protocol = QStringLiteral("socketio");
    o.protocolConfig = json(kExample);
    o.backoff.initialMs = 10;
    o.backoff.maxMs = 20;
    o.maxRetries = 0;
    cm.setOptions(o);
    QList<QPointer<LoopbackTransport>> ts;
    cm.setTransportFactory([&](const QUrl &, QString *) {
        auto t = std::make_unique<LoopbackTransport>();
        ts.append(t.get());
        return std::unique_ptr<Transport>(std::move(t));
    });
    QSignalSpy acked(&cm, &ConnectionManager::acked);
    // Queued while offline, sent once Open.
    const QString id = cm.publish(QStringLiteral("chat"), QJsonObject{{QStringLiteral("m"), 1}});
    QVERIFY(!id.isEmpty());
    cm.open();
    ts.last()->accept();
    ts.last()->serverSendText(kOpen);
    ts.last()->serverSendText(R"(40{"sid":"s1","pid":"p1"})");
    const QByteArray first = ts.last()->sent.last().bytes;
    QVERIFY2(first.startsWith("420[\"publish\",") && first.contains(id.toUtf8()), first.constData());
    // Cut before its ack: the next connection sends it again, its own ack id, the same outbox id.
    ts.last()->serverClose(CloseCode::Abnormal, QStringLiteral("cut"));
    QTRY_COMPARE(ts.size(), 2);
    ts.last()->accept();
    ts.last()->serverSendText(kOpen);
    ts.last()->serverSendText(R"(40{"sid":"s1","pid":"p1"})");
    const QByteArray again = ts.last()->sent.last().bytes;
    QCOMPARE(again, first); // ack ids count per connection: this one's first is 0 again
    ts.last()->serverSendText(R"(430[{"seq":5}])");
    QCOMPARE(acked.size(), 1);
    QCOMPARE(acked.at(0).at(0).toString(), id);
    QCOMPARE(acked.at(0).at(2).toLongLong(), 5);
    QCOMPARE(cm.queuedCount(), 0);
}

QTEST_GUILESS_MAIN(tst_SocketIoDialect)
#include "tst_socketiodialect.moc"
