// The generic JSON dialect (protocol "json"): its settings, numbers sent as strings, hostile
// frames, and the whole client (ConnectionManager) against real QWebSocketServer servers of three
// shapes, each configured by the example committed under docs/examples/protocols/: a
// Binance-style market stream (SUBSCRIBE by id, trades with a trade id as seq), a Home
// Assistant-style API (auth first, integer ids, app-level ping) and a server that pushes bare
// JSON objects to one channel and takes commands without acknowledging them.
#include "client/CommandLineOptions.h"
#include "client/ConnectionManager.h"
#include "client/DialectCapabilities.h"
#include "client/DialectFactory.h"
#include "client/JsonDialect.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

const QString kExamples = QStringLiteral(PULSEBOARD_SOURCE_DIR "/docs/examples/protocols");

QJsonObject example(const QString &name)
{
    QJsonObject config;
    QString error;
    if (!readProtocolConfigFile(kExamples + QLatin1Char('/') + name, &config, &error))
        qFatal("%s", qPrintable(error));
    return config;
}

QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QJsonObject parse(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A WebSocket server on 127.0.0.1 port 0 whose behaviour the test gives.
class FeedServer : public QObject
{
public:
    std::function<void(QWebSocket *)> onConnect;
    std::function<void(QWebSocket *, const QJsonObject &)> onFrame;
    QList<QJsonObject> received;
    QList<QWebSocket *> clients;
    int connections = 0;

    FeedServer() : m_server(QStringLiteral("feed"), QWebSocketServer::NonSecureMode)
    {
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen");
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection()) {
                ++connections;
                clients.append(s);
                connect(s, &QWebSocket::textMessageReceived, this, [this, s](const QString &text) {
                    const QJsonObject o = parse(text);
                    received.append(o);
                    if (onFrame)
                        onFrame(s, o);
                });
                connect(s, &QWebSocket::disconnected, this, [this, s] {
                    clients.removeAll(s);
                    s->deleteLater();
                });
                if (onConnect)
                    onConnect(s);
            }
        });
    }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort())); }
    void pushAll(const QString &text)
    {
        for (QWebSocket *s : std::as_const(clients))
            s->sendTextMessage(text);
    }
    QList<QJsonObject> receivedOfType(const QString &key, const QString &value) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &o : received)
            if (o.value(key).toString() == value)
                out.append(o);
        return out;
    }

private:
    QWebSocketServer m_server;
};

ConnectionOptions options(const QUrl &url, const QJsonObject &config)
{
    ConnectionOptions o;
    o.endpoints = {url};
    o.protocol = QStringLiteral("json");
    o.protocolConfig = config;
    o.heartbeatIntervalMs = 50;
    o.heartbeatTimeoutMs = 1000;
    o.connectTimeoutMs = 2000;
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 100;
    o.maxRetries = 0;
    return o;
}

struct Received
{
    QString channel;
    qint64 seq;
    qint64 ts;
    QJsonValue data;
};

// What a dialect hands the session, recorded.
class Recorder : public DialectEvents
{
public:
    QList<Received> messages;
    QStringList malformed;
    QStringList acks;
    QStringList errors;
    QList<QByteArray> replies;
    void welcomed(const QString &, const QString &, qint64) override {}
    void messageArrived(const InboundMessage &m) override
    {
        messages.append({m.channel, m.seq, m.ts, m.data.toJsonValue()});
    }
    void ackArrived(const QString &id, qint64) override { acks.append(id); }
    void subscribeConfirmed(const QString &id, const QString &, qint64, std::optional<bool>,
                            const QString &) override
    {
        acks.append(QStringLiteral("sub:") + id);
    }
    void unsubscribeConfirmed(const QString &, const QString &) override {}
    void responseArrived(const QString &, const QJsonValue &, const QString &) override {}
    void serverError(int, const QString &message, const QString &id) override
    {
        errors.append(id + L(": ") + message);
    }
    void pongArrived(const QString &id, qint64) override { acks.append(QStringLiteral("pong:") + id); }
    void replyDue(const OutboundFrame &frame) override { replies.append(frame.bytes); }
    void malformedFrame(int, const QString &message) override { malformed.append(message); }

private:
    using L = QLatin1StringView;
};

} // namespace

class tst_JsonDialect : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void numbersSentAsStringsBecomeNumbers_data();
    void numbersSentAsStringsBecomeNumbers();
    void jsonPointer();
    void everyCommittedExampleLoads();
    void capabilitiesAreOnlyWhatIsConfigured();
    void badSettingsAreRefusedByName_data();
    void badSettingsAreRefusedByName();
    void hostileFramesAreReportedAndNothingIsDelivered_data();
    void hostileFramesAreReportedAndNothingIsDelivered();
    void templatesFillIdsAsTheTemplateSays();

    void binanceStyleStream();
    void homeAssistantStyleAuthFirst();
    void homeAssistantStyleRefusedToken();
    void barePushFeedPublishIsSentNotConfirmed();
    void readyIsAwaitedWithoutAToken();
    void hostileFeedKeepsTheConnection();
    void silentFeedIsDroppedAndReconnected();
};

void tst_JsonDialect::numbersSentAsStringsBecomeNumbers_data()
{
    QTest::addColumn<QString>("in");
    QTest::addColumn<QString>("out");
    QTest::newRow("price") << uR"({"p":"27123.45"})"_s << uR"({"p":27123.45})"_s;
    QTest::newRow("negative exp") << uR"({"v":"-3e2"})"_s << uR"({"v":-300})"_s;
    QTest::newRow("integer") << uR"({"q":"42"})"_s << uR"({"q":42})"_s;
    QTest::newRow("leading zero stays text") << uR"({"id":"0012"})"_s << uR"({"id":"0012"})"_s;
    QTest::newRow("words stay") << uR"({"s":"BTCUSDT"})"_s << uR"({"s":"BTCUSDT"})"_s;
    QTest::newRow("spaces stay") << uR"({"s":" 5"})"_s << uR"({"s":" 5"})"_s;
    QTest::newRow("nan stays") << uR"({"s":"NaN"})"_s << uR"({"s":"NaN"})"_s;
    QTest::newRow("inf stays") << uR"({"s":"1e999"})"_s << uR"({"s":"1e999"})"_s;
    QTest::newRow("empty stays") << uR"({"s":""})"_s << uR"({"s":""})"_s;
    QTest::newRow("nested") << uR"({"a":{"b":["1.5",{"c":"2"}]}})"_s << uR"({"a":{"b":[1.5,{"c":2}]}})"_s;
    QTest::newRow("numbers kept") << uR"({"n":7,"b":true,"z":null})"_s << uR"({"b":true,"n":7,"z":null})"_s;
}

void tst_JsonDialect::numbersSentAsStringsBecomeNumbers()
{
    QFETCH(QString, in);
    QFETCH(QString, out);
    const QJsonValue v = JsonDialect::numbersFromStrings(parse(in));
    QCOMPARE(compact(v.toObject()), out);
}

void tst_JsonDialect::jsonPointer()
{
    const QJsonValue doc = parse(R"({"a":{"b/c":[10,{"~d":"x"}]},"":1})");
    QCOMPARE(JsonDialect::pointer(doc, QStringLiteral("/a/b~1c/0")).toInt(), 10);
    QCOMPARE(JsonDialect::pointer(doc, QStringLiteral("/a/b~1c/1/~0d")).toString(), QStringLiteral("x"));
    QCOMPARE(JsonDialect::pointer(doc, QStringLiteral("/")).toInt(), 1);
    QVERIFY(JsonDialect::pointer(doc, QStringLiteral("/a/b~1c/2")).isUndefined());
    QVERIFY(JsonDialect::pointer(doc, QStringLiteral("/a/x")).isUndefined());
    QVERIFY(JsonDialect::pointer(doc, QStringLiteral("/a/b~1c/-1")).isUndefined());
    QVERIFY(JsonDialect::pointer(doc, QStringLiteral("a")).isUndefined()); // not a pointer
    QCOMPARE(JsonDialect::pointer(doc, QString()), doc);
}

void tst_JsonDialect::everyCommittedExampleLoads()
{
    const QStringList files = QDir(kExamples).entryList({QStringLiteral("*.json")}, QDir::Files);
    QVERIFY2(files.size() >= 3, qPrintable(files.join(u", ")));
    for (const QString &file : files) {
        ConnectionOptions o;
        o.protocol = QStringLiteral("json");
        QString error;
        QVERIFY2(readProtocolConfigFile(kExamples + QLatin1Char('/') + file, &o.protocolConfig, &error),
                 qPrintable(error));
        QVERIFY2(makeDialect(o, &error), qPrintable(file + QStringLiteral(": ") + error));
    }
}

void tst_JsonDialect::capabilitiesAreOnlyWhatIsConfigured()
{
    QString error;
    const auto binance = JsonDialect::create(example(QStringLiteral("binance-trades.json")), &error);
    QVERIFY2(binance, qPrintable(error));
    WireDialect::Capabilities c = binance->capabilities();
    QVERIFY(!c.acksPublish);
    QVERIFY(c.sequenced); // a seq pointer is configured
    QVERIFY(!c.resumes);
    QVERIFY(!c.history);
    QVERIFY(c.confirmsSubscribe);
    QVERIFY(!c.sendsPings);
    QVERIFY(!c.authFrame);
    const QJsonObject json = capabilitiesToJson(c);
    QCOMPARE(json.value(u"heartbeat").toString(), QStringLiteral("silence"));
    QCOMPARE(json.value(u"confirmsPublish").toBool(true), false);
    QCOMPARE(json.value(u"gapsDetectable").toBool(), true);
    QCOMPARE(capabilitiesSummary(c),
             QStringLiteral("confirms publishes: no; can resume: no; gaps are detected"));

    const auto ha = JsonDialect::create(example(QStringLiteral("home-assistant.json")), &error);
    QVERIFY2(ha, qPrintable(error));
    c = ha->capabilities();
    QVERIFY(c.authFrame);
    QVERIFY(c.sendsPings);
    QVERIFY(!c.sequenced);
    QCOMPARE(capabilitiesToJson(c).value(u"heartbeat").toString(), QStringLiteral("client"));
    QCOMPARE(capabilitiesSummary(c),
             QStringLiteral("confirms publishes: no; can resume: no; a gap cannot be detected"));
    QVERIFY(capabilitiesInWords(c).contains(
        QStringLiteral("Gaps: a gap cannot be detected, messages carry no sequence")));

    // One route with a seq and one without: gaps are promised on the first only, by name.
    QJsonObject mixed = example(QStringLiteral("binance-trades.json"));
    QJsonArray routes = mixed.value(u"routes").toArray();
    QJsonObject noSeq = routes.at(0).toObject();
    noSeq.remove(QStringLiteral("seq"));
    noSeq.insert(QStringLiteral("channel"), QStringLiteral("quotes"));
    noSeq.insert(QStringLiteral("match"), QJsonObject{{QStringLiteral("e"), QStringLiteral("quote")}});
    routes.append(noSeq);
    mixed.insert(QStringLiteral("routes"), routes);
    const auto partly = JsonDialect::create(mixed, &error);
    QVERIFY2(partly, qPrintable(error));
    c = partly->capabilities();
    QVERIFY(!c.sequenced);
    QCOMPARE(c.sequencedRoutes.size(), 1);
    QVERIFY2(c.sequencedRoutes.at(0).startsWith(u"routes[0] (channel \""),
             qPrintable(c.sequencedRoutes.at(0)));
    QCOMPARE(capabilitiesToJson(c).value(u"gapsDetectable").toBool(true), false);
    QCOMPARE(capabilitiesToJson(c).value(u"gapsDetectableOn").toArray().size(), 1);
    QCOMPARE(
        capabilitiesSummary(c),
        QStringLiteral("confirms publishes: no; can resume: no; gaps are detected on some channels only"));

    const auto bare = JsonDialect::create(example(QStringLiteral("bare-feed.json")), &error);
    QVERIFY2(bare, qPrintable(error));
    c = bare->capabilities();
    QVERIFY(!c.confirmsSubscribe);
    QVERIFY(!c.acksPublish);

    // A publish reply id configured: publishes are confirmed.
    QJsonObject acked = example(QStringLiteral("bare-feed.json"));
    QJsonObject publish = acked.value(u"publish").toObject();
    publish.insert(QStringLiteral("reply"), QJsonObject{{QStringLiteral("id"), QStringLiteral("/ack")}});
    acked.insert(QStringLiteral("publish"), publish);
    const auto confirming = JsonDialect::create(acked, &error);
    QVERIFY2(confirming, qPrintable(error));
    QVERIFY(confirming->capabilities().acksPublish);

    // pulseboard.v1 promises all of it.
    const QJsonObject pb = capabilitiesToJson(WireDialect::Capabilities{});
    QCOMPARE(pb.value(u"heartbeat").toString(), QStringLiteral("client"));
    for (const char *key : {"confirmsPublish", "resumes", "gapsDetectable", "history", "confirmsSubscribe"})
        QVERIFY2(pb.value(QLatin1StringView(key)).toBool(), key);
}

void tst_JsonDialect::badSettingsAreRefusedByName_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("no routes") << uR"({})"_s << u"routes: must be a non-empty array"_s;
    QTest::newRow("empty routes") << uR"({"routes":[]})"_s << u"routes: must be a non-empty array"_s;
    QTest::newRow("unknown key") << uR"({"routes":[{"channel":"a"}],"subscirbe":{}})"_s
                                 << u"subscirbe: unknown setting"_s;
    QTest::newRow("route without channel")
        << uR"({"routes":[{"data":""}]})"_s << u"routes[0]: needs exactly one of"_s;
    QTest::newRow("bad pointer") << uR"({"routes":[{"channel":"a","data":"price"}]})"_s
                                 << u"routes[0].data: must be a JSON pointer"_s;
    QTest::newRow("pointer of wrong type")
        << uR"({"routes":[{"channel":"a","seq":5}]})"_s << u"routes[0].seq: must be a string, not a number"_s;
    QTest::newRow("empty match") << uR"({"routes":[{"channel":"a","match":{}}]})"_s
                                 << u"routes[0].match: an empty match would match every frame"_s;
    QTest::newRow("bad unit") << uR"({"routes":[{"channel":"a","timestamp":"/t","timestampUnit":"h"}]})"_s
                              << u"routes[0].timestampUnit"_s;
    QTest::newRow("ping without pong")
        << uR"({"ping":{"frame":{"op":"ping"}},"routes":[{"channel":"a"}]})"_s << u"ping.pong: is needed"_s;
    QTest::newRow("frame of wrong type") << uR"({"subscribe":{"frame":7},"routes":[{"channel":"a"}]})"_s
                                         << u"subscribe.frame: must be a JSON object, array or text"_s;
    QTest::newRow("refused without ready")
        << uR"({"open":{"send":[{"a":1}],"refused":{"type":"no"}},"routes":[{"channel":"a"}]})"_s
        << u"open.refused: needs open.ready"_s;
    QTest::newRow("by subscription without reply")
        << uR"({"routes":[{"channelBySubscription":"/id"}]})"_s << u"needs subscribe.reply"_s;
}

void tst_JsonDialect::badSettingsAreRefusedByName()
{
    QFETCH(QString, config);
    QFETCH(QString, mentions);
    ConnectionOptions o;
    o.protocol = QStringLiteral("json");
    o.protocolConfig = parse(config);
    QString error;
    QVERIFY(!makeDialect(o, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QVERIFY2(error.startsWith(QStringLiteral("json: protocol setting")), qPrintable(error));
}

void tst_JsonDialect::hostileFramesAreReportedAndNothingIsDelivered_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not json") << u"{\"e\":\"trade\", oops"_s << u"frame is not JSON"_s;
    QTest::newRow("binary garbage") << QString::fromLatin1("\x01\x02\x03") << u"frame is not JSON"_s;
    QTest::newRow("bare number") << u"42"_s << u"frame is not JSON"_s;
    QTest::newRow("no route") << uR"({"e":"kline"})"_s << u"matches no route"_s;
    QTest::newRow("channel missing") << uR"({"e":"trade","t":1,"T":5})"_s << u"channel /s is missing"_s;
    QTest::newRow("channel wrong type")
        << uR"({"e":"trade","s":{"x":1},"t":1,"T":5})"_s << u"channel /s is an object"_s;
    QTest::newRow("seq text") << uR"({"e":"trade","s":"X","t":"abc","T":5})"_s << u"seq /t is a string"_s;
    QTest::newRow("seq negative") << uR"({"e":"trade","s":"X","t":-4,"T":5})"_s << u"seq /t is a number"_s;
    QTest::newRow("seq fraction") << uR"({"e":"trade","s":"X","t":1.5,"T":5})"_s << u"not a whole number"_s;
    QTest::newRow("timestamp words") << uR"({"e":"trade","s":"X","t":1,"T":"yesterday"})"_s
                                     << u"timestamp /T is 'yesterday'"_s;
    QTest::newRow("timestamp missing") << uR"({"e":"trade","s":"X","t":1})"_s << u"timestamp /T is missing"_s;
}

void tst_JsonDialect::hostileFramesAreReportedAndNothingIsDelivered()
{
    QFETCH(QString, frame);
    QFETCH(QString, mentions);
    QString error;
    auto d = JsonDialect::create(example(QStringLiteral("binance-trades.json")), &error);
    QVERIFY2(d, qPrintable(error));
    Recorder r;
    QCOMPARE(d->decodeText(frame, r), frame.toUtf8().size());
    QCOMPARE(r.messages.size(), 0);
    QCOMPARE(r.malformed.size(), 1);
    QVERIFY2(r.malformed.constFirst().contains(mentions), qPrintable(r.malformed.constFirst()));
    QVERIFY2(r.malformed.constFirst().size() < 400, "an error quotes a bounded excerpt");
    // The next good frame is read as if nothing happened.
    d->decodeText(QStringLiteral(R"({"e":"trade","s":"BTCUSDT","t":9,"p":"1.5","T":1700000000000})"), r);
    QCOMPARE(r.messages.size(), 1);
    QCOMPARE(r.messages.constFirst().channel, QStringLiteral("btcusdt@trade"));
    QCOMPARE(r.messages.constFirst().data.toObject().value(u"p").toDouble(), 1.5);

    // A huge frame that matches no route is quoted in a bounded excerpt, not whole.
    const QString huge =
        QStringLiteral(R"({"e":"x","pad":")") + QString(1 << 20, QLatin1Char('a')) + QStringLiteral("\"}");
    d->decodeText(huge, r);
    QCOMPARE(r.malformed.size(), 2);
    QVERIFY(r.malformed.constLast().size() < 400);
}

void tst_JsonDialect::templatesFillIdsAsTheTemplateSays()
{
    QString error;
    auto d = JsonDialect::create(
        parse(
            R"({ "subscribe": {"frame": {"id": "{id}", "ref": "{id:string}", "tag": "sub-{id}", "topic": "{channel}", "auth": "Bearer {token}"}}, "publish": {"frame": ["pub", {"to": "{channel}", "body": "{data}", "n": "{id}"}]}, "open": {"send": [{"hello": "{token}"}, "PLAIN TEXT {token}"]}, "routes": [{"channel": "x"}]})"),
        &error);
    QVERIFY2(d, qPrintable(error));
    const QList<OutboundFrame> open = d->framesOnOpen(QStringLiteral("t0k"));
    QCOMPARE(open.size(), 2);
    QCOMPARE(open.at(0).bytes, QByteArray(R"({"hello":"t0k"})"));
    QCOMPARE(open.at(1).bytes, QByteArray("PLAIN TEXT t0k"));
    const QJsonObject sub =
        QJsonDocument::fromJson(d->encodeSubscribe(QStringLiteral("s1"), QStringLiteral("a.b"), -1).bytes)
            .object();
    QVERIFY(sub.value(u"id").isDouble());
    QCOMPARE(sub.value(u"id").toInt(), 1);
    QCOMPARE(sub.value(u"ref").toString(), QStringLiteral("1"));
    QCOMPARE(sub.value(u"tag").toString(), QStringLiteral("sub-1"));
    QCOMPARE(sub.value(u"topic").toString(), QStringLiteral("a.b"));
    QCOMPARE(sub.value(u"auth").toString(), QStringLiteral("Bearer t0k"));
    const QJsonObject sub2 =
        QJsonDocument::fromJson(d->encodeSubscribe(QStringLiteral("s2"), QStringLiteral("c"), -1).bytes)
            .object();
    QCOMPARE(sub2.value(u"id").toInt(), 2); // ids count up on a connection

    // A publish is held as channel + data and written with the connection's next id when sent.
    const OutboundFrame queued = d->encodePublish(QStringLiteral("p-1"), QStringLiteral("room"),
                                                  parse(R"({"on":true,"level":"3"})"), QStringLiteral("k"));
    QVERIFY(!queued.isNull());
    const QJsonArray pub =
        QJsonDocument::fromJson(d->prepareQueued(QStringLiteral("p-1"), queued.bytes).bytes).array();
    QCOMPARE(pub.at(0).toString(), QStringLiteral("pub"));
    QCOMPARE(pub.at(1).toObject().value(u"to").toString(), QStringLiteral("room"));
    QCOMPARE(pub.at(1).toObject().value(u"body").toObject().value(u"on").toBool(), true);
    QCOMPARE(pub.at(1).toObject().value(u"body").toObject().value(u"level").toString(), QStringLiteral("3"));
    QCOMPARE(pub.at(1).toObject().value(u"n").toInt(), 3);
    // A server that never answers cannot grow the dialect: past 4096 unanswered ids the oldest
    // are forgotten, and a late answer to one of them is just a frame matching no route.
    auto bounded = JsonDialect::create(example(QStringLiteral("binance-trades.json")), &error);
    QVERIFY2(bounded, qPrintable(error));
    for (int i = 1; i <= 5000; ++i)
        bounded->encodeSubscribe(QStringLiteral("s%1").arg(i), QStringLiteral("c%1").arg(i), -1);
    Recorder r;
    bounded->decodeText(QStringLiteral(R"({"result":null,"id":5000})"), r);
    QCOMPARE(r.acks, QStringList{QStringLiteral("sub:s5000")});
    bounded->decodeText(QStringLiteral(R"({"result":null,"id":905})"), r); // 5000 - 4096 + 1: still held
    QCOMPARE(r.acks.size(), 2);
    bounded->decodeText(QStringLiteral(R"({"result":null,"id":3})"),
                        r); // forgotten: ignored as a plain result
    QCOMPARE(r.acks.size(), 2);
    QCOMPARE(r.malformed.size(), 0);

    // Requests are pulseboard.v1's: nothing to say them with.
    QVERIFY(d->encodeRequest(QStringLiteral("r"), QStringLiteral("m"), QJsonValue()).isNull());
}

// --- real servers ---

void tst_JsonDialect::binanceStyleStream()
{
    FeedServer server;
    int nextTrade = 123;
    const auto trade = [&](QWebSocket *s, int t) {
        s->sendTextMessage(compact({{u"e"_s, u"trade"_s},
                                    {u"s"_s, u"BTCUSDT"_s},
                                    {u"t"_s, t},
                                    {u"p"_s, u"27123.45"_s},
                                    {u"q"_s, u"0.002"_s},
                                    {u"T"_s, 1700000000000.0 + t}}));
    };
    server.onFrame = [&](QWebSocket *s, const QJsonObject &f) {
        if (f.value(u"method").toString() == QLatin1StringView("SUBSCRIBE")) {
            s->sendTextMessage(compact({{u"result"_s, QJsonValue::Null}, {u"id"_s, f.value(u"id")}}));
            trade(s, nextTrade++);
            trade(s, nextTrade++);
            nextTrade++; // 125 never comes
            trade(s, nextTrade++);
        }
    };
    ConnectionManager cm;
    cm.setOptions(options(server.url(), example(QStringLiteral("binance-trades.json"))));
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy subscribed(&cm, &ConnectionManager::subscribed);
    QSignalSpy gaps(&cm, &ConnectionManager::gapDetected);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QVERIFY(cm.subscribe(QStringLiteral("btcusdt@trade")));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 3, 10000);
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(subscribed.size(), 1);
    QCOMPARE(subscribed.at(0).at(0).toString(), QStringLiteral("btcusdt@trade"));

    const QList<QJsonObject> subs =
        server.receivedOfType(QStringLiteral("method"), QStringLiteral("SUBSCRIBE"));
    QCOMPARE(subs.size(), 1);
    QVERIFY(subs.at(0).value(u"id").isDouble()); // an integer id, as the template says
    QCOMPARE(subs.at(0).value(u"params").toArray(), QJsonArray{QStringLiteral("btcusdt@trade")});

    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("btcusdt@trade"));
    QCOMPARE(messages.at(0).at(1).toLongLong(), 123);
    QCOMPARE(messages.at(0).at(2).toLongLong(), 1700000000123);
    const QJsonObject data = messages.at(0).at(3).toJsonValue().toObject();
    QVERIFY(data.value(u"p").isDouble()); // a price sent as text charts as a number
    QCOMPARE(data.value(u"p").toDouble(), 27123.45);
    QCOMPARE(data.value(u"q").toDouble(), 0.002);
    QCOMPARE(data.value(u"s").toString(), QStringLiteral("BTCUSDT"));
    QCOMPARE(messages.at(2).at(1).toLongLong(), 126);
    // Trade 125 is missing: with a seq pointer the hole is seen.
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 125);
    QCOMPARE(gaps.at(0).at(2).toLongLong(), 125);
    QCOMPARE(errors.size(), 0);
    QCOMPARE(cm.protocol(), QStringLiteral("json"));
    QCOMPARE(cm.capabilitiesJson().value(u"gapsDetectable").toBool(), true);

    // A refused subscribe names the channel and the server's words.
    server.onFrame = [&](QWebSocket *s, const QJsonObject &f) {
        s->sendTextMessage(
            compact({{u"error"_s, QJsonObject{{u"code"_s, 2}, {u"msg"_s, u"Invalid request"_s}}},
                     {u"id"_s, f.value(u"id")}}));
    };
    QVERIFY(cm.subscribe(QStringLiteral("nope@trade")));
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 10000);
    QCOMPARE(errors.at(0).at(1).toString(),
             QStringLiteral("subscribe to nope@trade refused: Invalid request"));
    QCOMPARE(cm.state(), ConnectionManager::Open);
    cm.close();
}

void tst_JsonDialect::homeAssistantStyleAuthFirst()
{
    FeedServer server;
    QList<double> ids;
    server.onConnect = [](QWebSocket *s) {
        s->sendTextMessage(compact({{u"type"_s, u"auth_required"_s}, {u"ha_version"_s, u"2026.12.0"_s}}));
    };
    bool authed = false;
    server.onFrame = [&](QWebSocket *s, const QJsonObject &f) {
        const QString type = f.value(u"type").toString();
        if (type == QLatin1StringView("auth")) {
            authed = f.value(u"access_token").toString() == QLatin1StringView("good");
            s->sendTextMessage(authed ? compact({{u"type"_s, u"auth_ok"_s}})
                                      : compact({{u"type"_s, u"auth_invalid"_s},
                                                 {u"message"_s, u"Invalid access token or password"_s}}));
            return;
        }
        if (!authed)
            return;
        ids.append(f.value(u"id").toDouble(-1));
        if (type == QLatin1StringView("subscribe_events")) {
            const QJsonValue id = f.value(u"id");
            s->sendTextMessage(compact({{u"id"_s, id},
                                        {u"type"_s, u"result"_s},
                                        {u"success"_s, true},
                                        {u"result"_s, QJsonValue::Null}}));
            const QJsonObject event{
                {u"event_type"_s, f.value(u"event_type")},
                {u"data"_s, QJsonObject{{u"entity_id"_s, u"sensor.hall"_s},
                                        {u"new_state"_s, QJsonObject{{u"state"_s, u"21.5"_s}}}}},
                {u"time_fired"_s, u"2026-12-01T10:00:00.250+00:00"_s}};
            s->sendTextMessage(compact({{u"id"_s, id}, {u"type"_s, u"event"_s}, {u"event"_s, event}}));
        } else if (type == QLatin1StringView("ping")) {
            s->sendTextMessage(compact({{u"id"_s, f.value(u"id")}, {u"type"_s, u"pong"_s}}));
        }
    };
    ConnectionManager cm;
    ConnectionOptions o = options(server.url(), example(QStringLiteral("home-assistant.json")));
    o.token = QStringLiteral("good");
    cm.setOptions(o);
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QSignalSpy states(&cm, &ConnectionManager::stateChanged);
    QVERIFY(cm.subscribe(QStringLiteral("state_changed")));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 10000);
    QCOMPARE(cm.state(), ConnectionManager::Open);
    // It waited in Authenticating for auth_ok before subscribing.
    bool authenticating = false;
    for (const QList<QVariant> &state : std::as_const(states))
        authenticating = authenticating ||
                         state.at(0).value<ConnectionManager::State>() == ConnectionManager::Authenticating;
    QVERIFY(authenticating);
    QCOMPARE(server.receivedOfType(QStringLiteral("type"), QStringLiteral("auth")).size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("state_changed")); // by the subscription's id
    QCOMPARE(messages.at(0).at(1).toLongLong(), -1);                            // no seq: none is claimed
    QCOMPARE(messages.at(0).at(2).toLongLong(),
             QDateTime::fromString(QStringLiteral("2026-12-01T10:00:00.250Z"), Qt::ISODateWithMs)
                 .toMSecsSinceEpoch());
    const QJsonObject data = messages.at(0).at(3).toJsonValue().toObject();
    QCOMPARE(data.value(u"new_state").toObject().value(u"state").toDouble(), 21.5);
    // The app-level ping is answered: a round trip is measured.
    QTRY_VERIFY_WITH_TIMEOUT(cm.rttMs() >= 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        server.receivedOfType(QStringLiteral("type"), QStringLiteral("ping")).size() >= 2, 10000);
    // Integer ids, counting up on the connection, never repeated.
    QVERIFY(ids.size() >= 3);
    for (int i = 0; i < ids.size(); ++i) {
        QVERIFY(ids.at(i) >= 1);
        if (i > 0)
            QVERIFY2(ids.at(i) > ids.at(i - 1), "ids increase");
    }
    QCOMPARE(errors.size(), 0);

    // Unsubscribing names the subscription's id.
    QVERIFY(cm.unsubscribe(QStringLiteral("state_changed")));
    QTRY_COMPARE_WITH_TIMEOUT(
        server.receivedOfType(QStringLiteral("type"), QStringLiteral("unsubscribe_events")).size(), 1, 10000);
    const QJsonObject unsub =
        server.receivedOfType(QStringLiteral("type"), QStringLiteral("unsubscribe_events")).constFirst();
    QCOMPARE(unsub.value(u"subscription").toDouble(),
             server.receivedOfType(QStringLiteral("type"), QStringLiteral("subscribe_events"))
                 .constFirst()
                 .value(u"id")
                 .toDouble());
    cm.close();
}

void tst_JsonDialect::homeAssistantStyleRefusedToken()
{
    FeedServer server;
    server.onConnect = [](QWebSocket *s) { s->sendTextMessage(compact({{u"type"_s, u"auth_required"_s}})); };
    server.onFrame = [](QWebSocket *s, const QJsonObject &f) {
        if (f.value(u"type").toString() == QLatin1StringView("auth"))
            s->sendTextMessage(compact(
                {{u"type"_s, u"auth_invalid"_s}, {u"message"_s, u"Invalid access token or password"_s}}));
    };
    ConnectionManager cm;
    ConnectionOptions o = options(server.url(), example(QStringLiteral("home-assistant.json")));
    o.token = QStringLiteral("wrong");
    o.maxRetries = 5;
    cm.setOptions(o);
    cm.subscribe(QStringLiteral("state_changed"));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Failed, 10000);
    QCOMPARE(cm.errorString(), QStringLiteral("server refused the token: Invalid access token or password"));
    QCOMPARE(server.connections, 1); // a refused token is not tried again
    QCOMPARE(server.receivedOfType(QStringLiteral("type"), QStringLiteral("subscribe_events")).size(), 0);
}

void tst_JsonDialect::readyIsAwaitedWithoutAToken()
{
    // A server that greets without any token: `open.ready` is its answer, and nothing is
    // subscribed before it came, token or not.
    FeedServer server;
    bool welcomed = false;
    int subscribesBeforeWelcome = 0;
    server.onFrame = [&](QWebSocket *s, const QJsonObject &f) {
        const QString op = f.value(u"op").toString();
        if (op == QLatin1StringView("hello")) {
            QTimer::singleShot(100, s, [&welcomed, s] {
                welcomed = true;
                s->sendTextMessage(compact({{u"op"_s, u"welcome"_s}}));
            });
        } else if (op == QLatin1StringView("subscribe")) {
            if (!welcomed)
                ++subscribesBeforeWelcome;
            s->sendTextMessage(compact({{u"room"_s, f.value(u"room")}, {u"t"_s, 21.5}}));
        }
    };
    ConnectionManager cm;
    cm.setOptions(options(server.url(), parse(R"({
        "open": {"send": [{"op": "hello"}], "ready": {"op": "welcome"}},
        "subscribe": {"frame": {"op": "subscribe", "room": "{channel}"}},
        "routes": [{"match": {"room": "hall"}, "channel": "hall", "data": ""}]
    })")));
    QVERIFY(cm.capabilities().authWithoutToken);
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy states(&cm, &ConnectionManager::stateChanged);
    QVERIFY(cm.subscribe(QStringLiteral("hall")));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 10000);
    QVERIFY(welcomed);
    QCOMPARE(subscribesBeforeWelcome, 0);
    QCOMPARE(server.receivedOfType(QStringLiteral("op"), QStringLiteral("subscribe")).size(), 1);
    bool authenticating = false;
    for (const QList<QVariant> &state : std::as_const(states))
        authenticating = authenticating ||
                         state.at(0).value<ConnectionManager::State>() == ConnectionManager::Authenticating;
    QVERIFY(authenticating);
    cm.close();
}

void tst_JsonDialect::barePushFeedPublishIsSentNotConfirmed()
{
    FeedServer server;
    QTimer pusher;
    int n = 0;
    connect(&pusher, &QTimer::timeout, &server, [&] {
        server.pushAll(compact({{u"temp"_s, u"21.5"_s}, {u"n"_s, ++n}}));
    });
    pusher.start(20);
    ConnectionManager cm;
    cm.setOptions(options(server.url(), example(QStringLiteral("bare-feed.json"))));
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy acked(&cm, &ConnectionManager::acked);
    QSignalSpy sent(&cm, &ConnectionManager::publishSent);
    QSignalSpy failed(&cm, &ConnectionManager::publishFailed);
    QVERIFY(cm.subscribe(QStringLiteral("room")));
    // Queued while offline, sent once open.
    const QString id = cm.publish(QStringLiteral("room"), parse(R"({"heater":"on"})"));
    QVERIFY(!id.isEmpty());
    cm.open();
    QTRY_VERIFY_WITH_TIMEOUT(messages.size() >= 3, 10000);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("room"));
    QCOMPARE(messages.at(0).at(3).toJsonValue().toObject().value(u"temp").toDouble(), 21.5);
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, 10000);
    QCOMPARE(sent.at(0).at(0).toString(), id);
    QCOMPARE(sent.at(0).at(1).toString(), QStringLiteral("room"));
    QTRY_COMPARE_WITH_TIMEOUT(server.received.size(), 1, 10000);
    QCOMPARE(compact(server.received.at(0)), QStringLiteral(R"({"set":{"heater":"on"},"target":"room"})"));
    QCOMPARE(cm.queuedCount(), 0);
    QCOMPARE(cm.stats().unconfirmed, 1u);
    QCOMPARE(cm.stats().acked, 0u);
    QTest::qWait(100); // nothing more comes for it: never an ack
    QCOMPARE(acked.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(cm.capabilitiesJson().value(u"confirmsPublish").toBool(true), false);
    QVERIFY(cm.capabilityNotes().contains(
        QStringLiteral("Confirms publishes: no, a publish reads \"sent, not confirmed\"")));

    // Requests have no frame in this dialect: refused with the reason, nothing sent.
    QSignalSpy requestFailed(&cm, &ConnectionManager::requestFailed);
    cm.request(QStringLiteral("channels.list"));
    QTRY_COMPARE_WITH_TIMEOUT(requestFailed.size(), 1, 5000);
    QCOMPARE(requestFailed.at(0).at(3).toString(), QStringLiteral("the json protocol has no requests"));
    cm.close();
}

void tst_JsonDialect::hostileFeedKeepsTheConnection()
{
    FeedServer server;
    server.onFrame = [&](QWebSocket *s, const QJsonObject &f) {
        if (f.value(u"method").toString() != QLatin1StringView("SUBSCRIBE"))
            return;
        s->sendTextMessage(compact({{u"result"_s, QJsonValue::Null}, {u"id"_s, f.value(u"id")}}));
        s->sendTextMessage(QStringLiteral("this is not JSON"));
        s->sendTextMessage(QStringLiteral(R"({"e":"trade","t":1,"T":5})")); // no channel
        s->sendTextMessage(
            QStringLiteral(R"({"e":"trade","s":"BTCUSDT","t":"x","T":5})")); // seq of the wrong type
        s->sendBinaryMessage(QByteArray("\xff\xfe garbage", 10));
        s->sendTextMessage(QStringLiteral(R"([1,2,3])")); // matches no route
        s->sendTextMessage(
            QStringLiteral(R"({"e":"trade","s":"BTCUSDT","t":7,"p":"100.25","T":1700000000007})"));
    };
    ConnectionManager cm;
    cm.setOptions(options(server.url(), example(QStringLiteral("binance-trades.json"))));
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QSignalSpy disconnected(&cm, &ConnectionManager::disconnected);
    cm.subscribe(QStringLiteral("btcusdt@trade"));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 10000);
    QCOMPARE(messages.at(0).at(3).toJsonValue().toObject().value(u"p").toDouble(), 100.25);
    QCOMPARE(errors.size(), 5);
    QStringList words;
    for (const QList<QVariant> &e : errors)
        words.append(e.at(1).toString());
    QVERIFY2(words.at(0).contains(u"frame is not JSON"), qPrintable(words.at(0)));
    QVERIFY2(words.at(1).contains(u"channel /s is missing"), qPrintable(words.at(1)));
    QVERIFY2(words.at(2).contains(u"seq /t is a string"), qPrintable(words.at(2)));
    QVERIFY2(words.at(3).contains(u"frame is not JSON"), qPrintable(words.at(3)));
    QVERIFY2(words.at(4).contains(u"matches no route"), qPrintable(words.at(4)));
    QCOMPARE(cm.stats().malformed, 5u);
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(disconnected.size(), 0);
    QCOMPARE(server.connections, 1);
    cm.close();
}

void tst_JsonDialect::silentFeedIsDroppedAndReconnected()
{
    // No ping template: the heartbeat only watches for silence. A feed that stops talking is
    // dropped after the interval plus the deadline, and the client connects again.
    FeedServer server;
    QTimer pusher;
    connect(&pusher, &QTimer::timeout, &server, [&] { server.pushAll(QStringLiteral(R"({"v":1})")); });
    pusher.start(20);
    ConnectionManager cm;
    ConnectionOptions o = options(server.url(), example(QStringLiteral("bare-feed.json")));
    // A deadline well above a stall of a loaded machine: the feed talks every 20 ms.
    o.heartbeatIntervalMs = 100;
    o.heartbeatTimeoutMs = 1000;
    cm.setOptions(o);
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    QSignalSpy disconnected(&cm, &ConnectionManager::disconnected);
    cm.subscribe(QStringLiteral("room"));
    cm.open();
    QTRY_VERIFY_WITH_TIMEOUT(messages.size() >= 5, 10000);
    QTest::qWait(1500); // talking: longer than interval + deadline, and still connected
    QCOMPARE(disconnected.size(), 0);
    QCOMPARE(server.received.size(), 0); // no ping frame ever went out
    pusher.stop();
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
    QVERIFY2(disconnected.at(0).at(1).toString().startsWith(u"heartbeat: nothing received for"),
             qPrintable(disconnected.at(0).at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(server.connections, 2, 10000);
    const qsizetype before = messages.size();
    pusher.start(20);
    QTRY_VERIFY_WITH_TIMEOUT(messages.size() > before, 10000);
    cm.close();
}

QTEST_GUILESS_MAIN(tst_JsonDialect)
#include "tst_jsondialect.moc"
