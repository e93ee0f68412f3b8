// MQTT 3.1.1 over WebSocket against a real broker: aedes (npm, pinned by
// tests/interop/mqtt/package-lock.json, installed by scripts/interop-deps.sh), served with `ws` on
// 127.0.0.1 port 0 by tests/interop/mqtt/broker.js, through ConnectionManager with
// options.protocol "mqtt". Link cuts and blackholes go through FaultProxy.
#include "client/ConnectionManager.h"
#include "client/MqttDialect.h"
#include "protocol/MqttPacket.h"
#include "support/FaultProxy.h"
#include "support/TestUtils.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Pulseboard;
using namespace Pulseboard::Test;
using namespace Qt::StringLiterals;

namespace {

const QString kBrokerDir = QStringLiteral(PULSEBOARD_SOURCE_DIR "/tests/interop/mqtt");

// The broker process: its port, and the JSON lines it prints (what clients published).
class Broker
{
public:
    ~Broker()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.closeWriteChannel();
            if (!m_process.waitForFinished(2000)) {
                m_process.kill();
                m_process.waitForFinished(2000);
            }
        }
    }

    bool start(const QStringList &args = {})
    {
        m_process.setWorkingDirectory(kBrokerDir);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { read(); });
        m_process.start(QStandardPaths::findExecutable(u"node"_s), QStringList{u"broker.js"_s} + args);
        if (!m_process.waitForStarted(5000))
            return false;
        QElapsedTimer t;
        t.start();
        while (m_port == 0 && t.elapsed() < 15000 && m_process.state() == QProcess::Running)
            QTest::qWait(20);
        return m_port != 0;
    }

    quint16 port() const { return m_port; }
    QUrl url() const { return QUrl(u"ws://127.0.0.1:%1"_s.arg(m_port)); }

    void command(const QJsonObject &cmd)
    {
        m_process.write(QJsonDocument(cmd).toJson(QJsonDocument::Compact) + '\n');
    }
    void publish(const QString &topic, const QString &payload, int qos = 0, bool retain = false)
    {
        command(
            {{u"publish"_s,
              QJsonObject{
                  {u"topic"_s, topic}, {u"payload"_s, payload}, {u"qos"_s, qos}, {u"retain"_s, retain}}}});
    }
    // Waits for the broker to have handled every command so far.
    bool published(const QString &topic, int count)
    {
        return QTest::qWaitFor([&] { return countOf(u"done"_s, topic) >= count; }, 10000);
    }
    int countOf(const QString &key, const QString &value) const
    {
        int n = 0;
        for (const QJsonObject &o : m_lines)
            if (o.value(key).toString() == value)
                ++n;
        return n;
    }
    // What clients published to `topic`, in the order the broker received it.
    QList<QJsonObject> receivedOn(const QString &topic) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &o : m_lines)
            if (o.value(u"published"_s).toString() == topic)
                out.append(o);
        return out;
    }

private:
    void read()
    {
        m_partial += m_process.readAllStandardOutput();
        qsizetype nl;
        while ((nl = m_partial.indexOf('\n')) >= 0) {
            const QJsonObject o = QJsonDocument::fromJson(m_partial.left(nl)).object();
            m_partial.remove(0, nl + 1);
            if (o.contains(u"port"_s))
                m_port = quint16(o.value(u"port"_s).toInt());
            m_lines.append(o);
        }
    }

    QProcess m_process;
    QByteArray m_partial;
    quint16 m_port = 0;
    QList<QJsonObject> m_lines;
};

// A JSON array of strings as a list.
QStringList strings(const QJsonValue &v)
{
    QStringList l;
    for (const QJsonValue &e : v.toArray())
        l.append(e.toString());
    return l;
}

// Starts the real dashboard with `args`, its settings and data in `home`, offscreen.
void startDashboard(QProcess &app, const QTemporaryDir &home, const QStringList &args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"XDG_CONFIG_HOME"_s, home.path() + u"/config"_s);
    env.insert(u"XDG_DATA_HOME"_s, home.path() + u"/data"_s);
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard"), args);
}

ConnectionOptions mqttOptions(const QUrl &url, const QString &clientId)
{
    ConnectionOptions o;
    o.endpoints = {url};
    o.protocol = u"mqtt"_s;
    o.protocolConfig = QJsonObject{{u"clientId"_s, clientId}};
    o.heartbeatIntervalMs = 200;
    o.heartbeatTimeoutMs = 2000;
    o.connectTimeoutMs = 3000;
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 100;
    o.maxRetries = 0;
    o.ackTimeoutMs = 3000;
    return o;
}

struct Received
{
    QList<QPair<QString, QJsonValue>> messages;
    void attach(ConnectionManager *cm)
    {
        QObject::connect(cm, &ConnectionManager::messageReceived, cm,
                         [this](const QString &ch, qint64, qint64, const QJsonValue &d) {
                             messages.append({ch, d});
                         });
    }
    QList<QJsonValue> on(const QString &channel) const
    {
        QList<QJsonValue> out;
        for (const auto &m : messages)
            if (m.first == channel)
                out.append(m.second);
        return out;
    }
};

} // namespace

class tst_InteropMqtt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void subscribeAndReceiveWithWildcards();
    void retainedMessageIsTheLastValue();
    void dashboardTilesPerTopicAndRetainedMark();
    void cliMarksRetainedMessages();
    void dashboardWithTheEmbeddedHubAndAnMqttSource();
    void offlinePublishesArriveOnceInOrder();
    void linkCutWhileBrokerPublishesMissesNothing();
    void keepAliveCatchesBlackholedLinkAndResendsWithDup();
    void brokerThatLostTheSessionIsSaid();
    void badCredentialsRefusedClearly();
    void tokenAsPasswordAccepted();
    void clientIdRejectedFailsClearly();
    void hugeRemainingLengthRefusedAndReconnects();
    void exampleConfigLoads();

private:
    std::unique_ptr<ConnectionManager> openClient(const ConnectionOptions &o, const QStringList &channels,
                                                  Received *received = nullptr);
};

void tst_InteropMqtt::initTestCase()
{
    if (QStandardPaths::findExecutable(u"node"_s).isEmpty())
        QSKIP("node is not installed (Debian: apt-get install nodejs npm); the MQTT interop tests need it");
    QVERIFY2(QFile::exists(kBrokerDir + u"/node_modules/aedes/package.json"_s),
             "aedes is not installed: run scripts/interop-deps.sh (npm ci in tests/interop/mqtt)");
}

std::unique_ptr<ConnectionManager>
tst_InteropMqtt::openClient(const ConnectionOptions &o, const QStringList &channels, Received *received)
{
    auto cm = std::make_unique<ConnectionManager>();
    cm->setOptions(o);
    if (received)
        received->attach(cm.get());
    QSignalSpy subscribed(cm.get(), &ConnectionManager::subscribed);
    for (const QString &c : channels)
        cm->subscribe(c);
    cm->open();
    if (!QTest::qWaitFor([&] { return cm->state() == ConnectionManager::Open; }, 10000))
        qWarning() << "not open:" << cm->stateName() << cm->errorString();
    if (!QTest::qWaitFor([&] { return subscribed.size() >= channels.size(); }, 10000))
        qWarning() << "not subscribed:" << subscribed.size() << "of" << channels.size();
    return cm;
}

void tst_InteropMqtt::subscribeAndReceiveWithWildcards()
{
    Broker broker;
    QVERIFY(broker.start());
    Received rx;
    auto cm = openClient(mqttOptions(broker.url(), u"pb-wild"_s),
                         {u"sensors/+/temp"_s, u"logs/#"_s, u"exact/one"_s}, &rx);
    QCOMPARE(cm->state(), ConnectionManager::Open);
    const auto caps = cm->session()->dialect().capabilities();
    QVERIFY(caps.resumes);
    QVERIFY(caps.acksPublish);
    QVERIFY(!caps.sequenced);
    QVERIFY(caps.binaryFrames);

    broker.publish(u"sensors/a/temp"_s, u"21.5"_s);
    broker.publish(u"sensors/b/temp"_s, u"{\"v\":3,\"unit\":\"C\"}"_s);
    broker.publish(u"sensors/a/humidity"_s, u"40"_s); // matches no subscription
    broker.publish(u"logs"_s, u"parent level"_s);     // "logs/#" matches "logs" too
    broker.publish(u"logs/app/err"_s, u"disk full"_s, 1);
    broker.publish(u"exact/one"_s, u"true"_s);
    broker.publish(u"exact/two"_s, u"1"_s);
    QVERIFY(broker.published(u"exact/two"_s, 1));
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 5, 5000);
    QTest::qWait(100); // nothing else may follow (sensors/a/humidity, exact/two) // nothing else may follow
                       // (sensors/a/humidity, exact/two)
    QCOMPARE(rx.messages.size(), 5);
    QCOMPARE(rx.messages.at(0).first, u"sensors/a/temp"_s);
    QCOMPARE(rx.messages.at(0).second, QJsonValue(21.5));
    QCOMPARE(rx.messages.at(1).first, u"sensors/b/temp"_s);
    QCOMPARE(rx.messages.at(1).second.toObject().value(u"v"_s), QJsonValue(3));
    QCOMPARE(rx.messages.at(2).first, u"logs"_s);
    QCOMPARE(rx.messages.at(2).second, QJsonValue(u"parent level"_s));
    QCOMPARE(rx.messages.at(3).first, u"logs/app/err"_s);
    QCOMPARE(rx.messages.at(3).second, QJsonValue(u"disk full"_s));
    QCOMPARE(rx.messages.at(4).first, u"exact/one"_s);
    QCOMPARE(rx.messages.at(4).second, QJsonValue(true));

    // A wildcard in a publish topic, or one that is not a whole level, is refused before sending.
    QSignalSpy errors(cm.get(), &ConnectionManager::errorOccurred);
    QVERIFY(cm->publish(u"sensors/+/temp"_s, 1).isEmpty());
    QVERIFY(!cm->subscribe(u"a/b#"_s));
    QCOMPARE(errors.size(), 2);
    QVERIFY2(errors.at(0).at(1).toString().contains(u"wildcard"_s),
             qPrintable(errors.at(0).at(1).toString()));
    QVERIFY2(errors.at(1).at(1).toString().contains(u"whole level"_s),
             qPrintable(errors.at(1).at(1).toString()));

    // MQTT has no request/response: a request fails at once, saying so, and nothing is queued.
    QSignalSpy failed(cm.get(), &ConnectionManager::requestFailed);
    const QString rid = cm->request(u"channels.list"_s);
    QVERIFY(!rid.isEmpty());
    QCOMPARE(cm->queuedCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 1000);
    QCOMPARE(failed.at(0).at(0).toString(), rid);
    QCOMPARE(failed.at(0).at(3).toString(), u"the mqtt protocol has no requests"_s);
}

void tst_InteropMqtt::retainedMessageIsTheLastValue()
{
    Broker broker;
    QVERIFY(broker.start());
    broker.publish(u"state/door"_s, u"open"_s, 1, true);
    broker.publish(u"state/door"_s, u"closed"_s, 1, true);
    QVERIFY(broker.published(u"state/door"_s, 2));
    Received rx;
    auto cm = std::make_unique<ConnectionManager>();
    cm->setOptions(mqttOptions(broker.url(), u"pb-retained"_s));
    // Said before the message it is about, so a consumer can mark that message.
    QStringList order;
    connect(cm.get(), &ConnectionManager::retainedReceived, this,
            [&](const QString &channel) { order << u"retained "_s + channel; });
    connect(cm.get(), &ConnectionManager::messageReceived, this,
            [&](const QString &channel, qint64, qint64, const QJsonValue &) {
                order << u"message "_s + channel;
            });
    rx.attach(cm.get());
    cm->subscribe(u"state/#"_s);
    cm->open();
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 1, 10000);
    QCOMPARE(rx.messages.at(0).first, u"state/door"_s);
    QCOMPARE(rx.messages.at(0).second, QJsonValue(u"closed"_s));
    // A live message on the topic is not retained (the broker clears the flag for subscribers).
    broker.publish(u"state/door"_s, u"open"_s, 1, true);
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 2, 5000);
    QCOMPARE(rx.messages.at(1).second, QJsonValue(u"open"_s));
    QCOMPARE(order,
             QStringList({u"retained state/door"_s, u"message state/door"_s, u"message state/door"_s}));
}

// The real dashboard on aedes: a wildcard subscription gets a tile per concrete topic that
// arrives under it (not a tile for the filter that never fills), and a retained value is
// marked as such until a live message comes.
void tst_InteropMqtt::dashboardTilesPerTopicAndRetainedMark()
{
    Broker broker;
    QVERIFY(broker.start());
    broker.publish(u"state/door"_s, u"{\"open\":1}"_s, 1, true);
    QVERIFY(broker.published(u"state/door"_s, 1));
    QTemporaryDir home;
    QProcess app;
    startDashboard(app, home,
                   {u"--url"_s, broker.url().toString(), u"--protocol"_s, u"mqtt"_s, u"--subscribe"_s,
                    u"plant/+/temp"_s, u"--subscribe"_s, u"state/door"_s, u"--no-settings"_s, u"--control"_s,
                    u"--geometry"_s, u"1200x800"_s});
    QVERIFY2(app.waitForStarted(5000), qPrintable(app.errorString()));
    QByteArray out;
    auto snapshot = [&]() -> QJsonObject {
        app.write("snapshot\n");
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 3000) {
            app.waitForReadyRead(100);
            out += app.readAllStandardOutput();
            qsizetype nl;
            while ((nl = out.indexOf('\n')) >= 0) {
                const QJsonObject o = QJsonDocument::fromJson(out.left(nl)).object();
                out.remove(0, nl + 1);
                if (o.value(u"event"_s) == u"snapshot"_s)
                    return o;
            }
        }
        return {};
    };
    // Before any topic under the filter: a tile for the filter, waiting.
    QJsonObject snap;
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return snap.value(u"state"_s) == u"open"_s &&
                   strings(snap.value(u"retained"_s)).contains(u"state/door"_s);
        },
        20000));
    QCOMPARE(strings(snap.value(u"tileChannels"_s)), (QStringList{u"plant/+/temp"_s, u"state/door"_s}));
    for (int i = 0; i < 3; ++i) {
        broker.publish(u"plant/line2/temp"_s, u"{\"celsius\":%1}"_s.arg(20 + i));
        broker.publish(u"plant/line1/temp"_s, u"%1"_s.arg(30 + i));
    }
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return strings(snap.value(u"tileChannels"_s)).size() == 3;
        },
        20000));
    QCOMPARE(strings(snap.value(u"tileChannels"_s)),
             (QStringList{u"plant/line2/temp"_s, u"plant/line1/temp"_s, u"state/door"_s}));
    QCOMPARE(strings(snap.value(u"retained"_s)), QStringList{u"state/door"_s});
    // A live message on the retained topic clears the mark.
    broker.publish(u"state/door"_s, u"{\"open\":0}"_s, 1, true);
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return strings(snap.value(u"retained"_s)).isEmpty();
        },
        20000));
    app.write("quit\n");
    if (!app.waitForFinished(5000))
        app.kill();
}

// The real dashboard with two sources of different dialects: the embedded hub (first) and aedes
// as "plant" behind a FaultProxy. Plant's topics under its filter get tiles named plant/...; cutting
// plant's link takes plant (only) off live while the hub's charts keep filling; restoring it
// brings plant back with new messages. --print-state and the snapshot name both sources.
void tst_InteropMqtt::dashboardWithTheEmbeddedHubAndAnMqttSource()
{
    Broker broker;
    QVERIFY(broker.start());
    Test::FaultProxy proxy;
    QVERIFY(proxy.listen(broker.port()));
    QTemporaryDir home;
    QProcess app;
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    startDashboard(app, home,
                   {u"--no-settings"_s, u"--control"_s, u"--geometry"_s, u"1200x800"_s, u"--source"_s,
                    u"plant:mqtt="_s + proxy.url().toString(), u"--subscribe"_s, u"plant/line/+/temp"_s,
                    u"--backoff-initial"_s, u"20"_s, u"--backoff-max"_s, u"100"_s, u"--max-retries"_s,
                    u"0"_s});
    QVERIFY2(app.waitForStarted(5000), qPrintable(app.errorString()));
    // The test's event loop runs while it waits: the proxy lives in this process.
    QByteArray out;
    auto ask = [&](const QByteArray &command, const QString &event) -> QJsonObject {
        app.write(command + '\n');
        QJsonObject found;
        // Empty after 3 s without an answer: the caller's wait goes on.
        (void)QTest::qWaitFor(
            [&] {
                out += app.readAllStandardOutput();
                qsizetype nl;
                while ((nl = out.indexOf('\n')) >= 0) {
                    const QJsonObject o = QJsonDocument::fromJson(out.left(nl)).object();
                    out.remove(0, nl + 1);
                    if (o.value(u"event"_s) == event)
                        found = o;
                }
                return !found.isEmpty();
            },
            3000);
        return found;
    };
    auto snapshot = [&] { return ask("snapshot", u"snapshot"_s); };
    auto source = [](const QJsonObject &snap, int i) {
        return snap.value(u"sources"_s).toArray().at(i).toObject();
    };
    QTimer feed;
    int n = 0;
    QObject::connect(&feed, &QTimer::timeout,
                     [&] { broker.publish(u"line/a/temp"_s, u"%1"_s.arg(20 + n++ % 5)); });
    feed.start(50);

    QJsonObject snap;
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return source(snap, 0).value(u"live"_s).toBool() && source(snap, 1).value(u"live"_s).toBool() &&
                   strings(snap.value(u"tileChannels"_s)).contains(u"plant/line/a/temp"_s);
        },
        20000));
    QCOMPARE(snap.value(u"sources"_s).toArray().size(), 2);
    QCOMPARE(source(snap, 1).value(u"name"_s).toString(), u"plant"_s);
    QCOMPARE(source(snap, 1).value(u"protocol"_s).toString(), u"mqtt"_s);
    QCOMPARE(strings(source(snap, 1).value(u"channels"_s)), QStringList{u"plant/line/+/temp"_s});
    QCOMPARE(source(snap, 0).value(u"protocol"_s).toString(), u"pulseboard"_s);
    // The filter's tile gave way to the topic's; the hub's own tiles are there too.
    QVERIFY(!strings(snap.value(u"tileChannels"_s)).contains(u"plant/line/+/temp"_s));
    QVERIFY(strings(snap.value(u"tileChannels"_s)).contains(u"sys.cpu"_s));

    // Cut plant: plant goes off live, the hub does not, and the hub's messages keep coming.
    proxy.setMode(Test::FaultProxy::Mode::Reset);
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return !source(snap, 1).value(u"live"_s).toBool();
        },
        15000));
    QVERIFY(source(snap, 0).value(u"live"_s).toBool());
    QVERIFY(!source(snap, 1).value(u"banner"_s).toString().isEmpty());
    const double hubBefore = source(snap, 0).value(u"messages"_s).toDouble();
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return source(snap, 0).value(u"messages"_s).toDouble() > hubBefore;
        },
        15000));
    QVERIFY(source(snap, 0).value(u"live"_s).toBool());

    // Restore plant: live again, and new messages arrive.
    proxy.setMode(Test::FaultProxy::Mode::Pass);
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return source(snap, 1).value(u"live"_s).toBool();
        },
        15000));
    const double plantBack = source(snap, 1).value(u"messages"_s).toDouble();
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = snapshot();
            return source(snap, 1).value(u"messages"_s).toDouble() >= plantBack + 5;
        },
        15000));

    // The Health panel shows either source: the first's by default, plant's once picked.
    QVERIFY(!ask("panel health", u"panel"_s).isEmpty());
    auto healthOf = [&] {
        QStringList words;
        const QJsonArray items = ask("find capabilities", u"find"_s).value(u"items"_s).toArray();
        for (const QJsonValue &item : items)
            words += strings(item.toObject().value(u"texts"_s));
        return words.join(u" | "_s);
    };
    QString words = healthOf();
    QVERIFY2(words.contains(u"protocol pulseboard"_s), qPrintable(words));
    const QJsonObject picked = ask("click healthSource:1", u"click"_s);
    QVERIFY2(!picked.isEmpty() && !picked.contains(u"error"_s),
             QJsonDocument(picked).toJson(QJsonDocument::Compact).constData());
    QVERIFY(QTest::qWaitFor([&] { return healthOf().contains(u"protocol mqtt"_s); }, 5000));
    QVERIFY(!ask("click healthSource:0", u"click"_s).contains(u"error"_s));
    QVERIFY(QTest::qWaitFor([&] { return healthOf().contains(u"protocol pulseboard"_s); }, 5000));
    app.write("quit\n");
    QVERIFY(QTest::qWaitFor([&] { return app.state() == QProcess::NotRunning; }, 10000));
    QCOMPARE(app.exitCode(), 0);
}

void tst_InteropMqtt::cliMarksRetainedMessages()
{
    Broker broker;
    QVERIFY(broker.start());
    broker.publish(u"state/door"_s, u"closed"_s, 1, true);
    QVERIFY(broker.published(u"state/door"_s, 1));
    QProcess cli;
    cli.start(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli"),
              {u"--url"_s, broker.url().toString(), u"--protocol"_s, u"mqtt"_s, u"--subscribe"_s,
               u"state/#"_s, u"--count"_s, u"2"_s});
    QVERIFY2(cli.waitForStarted(5000), qPrintable(cli.errorString()));
    QByteArray out;
    QVERIFY(QTest::qWaitFor(
        [&] {
            out += cli.readAllStandardOutput();
            return out.contains("\"event\":\"message\"");
        },
        20000));
    broker.publish(u"state/door"_s, u"open"_s, 1, true);
    // The event loop runs meanwhile: the broker's command goes out through it.
    const bool finished = QTest::qWaitFor([&] { return cli.state() == QProcess::NotRunning; }, 20000);
    out += cli.readAllStandardOutput();
    QVERIFY2(finished, (out + cli.readAllStandardError()).constData());
    QCOMPARE(cli.exitCode(), 0);
    QList<QJsonObject> messages;
    for (const QByteArray &line : out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(u"event"_s) == u"message"_s)
            messages.append(o);
    }
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).value(u"data"_s).toString(), u"closed"_s);
    QCOMPARE(messages.at(0).value(u"retained"_s).toBool(), true);
    QCOMPARE(messages.at(1).value(u"data"_s).toString(), u"open"_s);
    QVERIFY(!messages.at(1).contains(u"retained"_s));
}

void tst_InteropMqtt::offlinePublishesArriveOnceInOrder()
{
    Broker broker;
    QVERIFY(broker.start());
    FaultProxy proxy;
    QVERIFY(proxy.listen(broker.port()));
    auto cm = std::make_unique<ConnectionManager>();
    cm->setOptions(mqttOptions(proxy.url(), u"pb-offline"_s));
    QSignalSpy acked(cm.get(), &ConnectionManager::acked);
    // Before the first connection: queued.
    for (int i = 1; i <= 5; ++i)
        QVERIFY(!cm->publish(u"cmd/out"_s, QJsonObject{{u"n"_s, i}}).isEmpty());
    cm->open();
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 5, 10000);
    // The link goes away; what is published meanwhile waits, then goes out once, in order.
    proxy.setMode(FaultProxy::Mode::Reset);
    QTRY_VERIFY_WITH_TIMEOUT(cm->state() != ConnectionManager::Open, 5000);
    for (int i = 6; i <= 10; ++i)
        QVERIFY(!cm->publish(u"cmd/out"_s, QJsonObject{{u"n"_s, i}}).isEmpty());
    QCOMPARE(cm->queuedCount(), 5);
    proxy.setMode(FaultProxy::Mode::Pass);
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 10, 10000);
    QCOMPARE(cm->queuedCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(broker.receivedOn(u"cmd/out"_s).size(), 10, 5000);
    QTest::qWait(200);
    const QList<QJsonObject> got = broker.receivedOn(u"cmd/out"_s);
    QCOMPARE(got.size(), 10);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(
            QJsonDocument::fromJson(got.at(i).value(u"payload"_s).toString().toUtf8()).object().value(u"n"_s),
            QJsonValue(i + 1));
        QCOMPARE(got.at(i).value(u"qos"_s).toInt(), 1);
        QCOMPARE(got.at(i).value(u"dup"_s).toBool(), false); // none went out before
    }
}

void tst_InteropMqtt::linkCutWhileBrokerPublishesMissesNothing()
{
    Broker broker;
    QVERIFY(broker.start());
    FaultProxy proxy;
    QVERIFY(proxy.listen(broker.port()));
    Received rx;
    auto cm = openClient(mqttOptions(proxy.url(), u"pb-cut"_s), {u"feed/x"_s}, &rx);
    QCOMPARE(cm->state(), ConnectionManager::Open);
    QSignalSpy disconnected(cm.get(), &ConnectionManager::disconnected);
    const int total = 300;
    broker.command({{u"series"_s, QJsonObject{{u"topic"_s, u"feed/x"_s},
                                              {u"from"_s, 1},
                                              {u"count"_s, total},
                                              {u"intervalMs"_s, 5},
                                              {u"qos"_s, 1}}}});
    QTRY_VERIFY_WITH_TIMEOUT(rx.messages.size() >= 40, 10000);
    proxy.setMode(FaultProxy::Mode::Reset); // cut while the broker keeps publishing
    QTRY_VERIFY_WITH_TIMEOUT(disconnected.size() >= 1, 5000);
    const int beforeReconnect = int(rx.messages.size());
    QTest::qWait(300); // the broker goes on publishing into our session
    proxy.setMode(FaultProxy::Mode::Pass);
    QVERIFY(QTest::qWaitFor([&] { return broker.countOf(u"seriesDone"_s, u"feed/x"_s) == 1; }, 20000));
    QList<int> seen;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QSet<int> distinct;
            for (const QJsonValue &v : rx.on(u"feed/x"_s))
                distinct.insert(v.toInt());
            return distinct.size() == total;
        }(),
        20000);
    // At least once: a message delivered whose PUBACK the cut swallowed may come again. Every
    // number 1..total arrived; before the cut they came in order. Across the reconnect the order is
    // the broker's: aedes 1.2.0 forwards live messages as soon as the session is back and the
    // backlog it kept while we were away alongside them (the client has no seq to reorder by).
    const QList<QJsonValue> all = rx.on(u"feed/x"_s);
    for (int i = 0; i < beforeReconnect; ++i)
        QCOMPARE(all.at(i).toInt(), i + 1);
    QSet<int> had;
    int outOfOrder = 0;
    int highest = 0;
    for (const QJsonValue &v : all) {
        const int n = v.toInt();
        if (!had.contains(n) && n < highest)
            ++outOfOrder;
        highest = qMax(highest, n);
        had.insert(n);
    }
    QCOMPARE(had.size(), total);
    QCOMPARE(*std::min_element(had.cbegin(), had.cend()), 1);
    QCOMPARE(*std::max_element(had.cbegin(), had.cend()), total);
    qInfo("after the reconnect %d message(s) arrived after a later one", outOfOrder);
    QVERIFY2(beforeReconnect < total, "the cut came after the series: it proves nothing");
    qInfo("link cut after %d of %d messages; %lld delivered in all (%lld again after the cut)",
          beforeReconnect, total, qlonglong(rx.on(u"feed/x"_s).size()),
          qlonglong(rx.on(u"feed/x"_s).size() - total));
}

void tst_InteropMqtt::keepAliveCatchesBlackholedLinkAndResendsWithDup()
{
    Broker broker;
    QVERIFY(broker.start());
    FaultProxy proxy;
    QVERIFY(proxy.listen(broker.port()));
    ConnectionOptions o = mqttOptions(proxy.url(), u"pb-blackhole"_s);
    o.heartbeatIntervalMs = 50;
    o.heartbeatTimeoutMs = 300;
    o.ackTimeoutMs = 10000; // the heartbeat, not the ack deadline, finds the dead link
    auto cm = openClient(o, {});
    QCOMPARE(cm->state(), ConnectionManager::Open);
    QTRY_VERIFY_WITH_TIMEOUT(cm->rttMs() >= 0 && cm->stats().framesIn > 2, 5000); // PINGRESPs come back
    QSignalSpy disconnected(cm.get(), &ConnectionManager::disconnected);
    QSignalSpy acked(cm.get(), &ConnectionManager::acked);
    proxy.setMode(FaultProxy::Mode::Blackhole);
    QElapsedTimer t;
    t.start();
    // Sent into the blackhole: the broker never sees this first attempt.
    const QString id = cm->publish(u"cmd/once"_s, u"go"_s);
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(disconnected.size() >= 1, 5000);
    const qint64 detectedMs = t.elapsed();
    QVERIFY2(disconnected.at(0).at(1).toString().contains(u"heartbeat"_s),
             qPrintable(disconnected.at(0).at(1).toString()));
    QVERIFY2(detectedMs <= o.heartbeatIntervalMs + o.heartbeatTimeoutMs + TestUtils::kSchedulingSlackMs,
             qPrintable(u"dead link found after %1 ms"_s.arg(detectedMs)));
    proxy.setMode(FaultProxy::Mode::Pass);
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 10000);
    QCOMPARE(acked.at(0).at(0).toString(), id);
    QTRY_COMPARE_WITH_TIMEOUT(broker.receivedOn(u"cmd/once"_s).size(), 1, 5000);
    const QJsonObject got = broker.receivedOn(u"cmd/once"_s).at(0);
    QCOMPARE(got.value(u"payload"_s).toString(), u"go"_s);
    QCOMPARE(got.value(u"dup"_s).toBool(), true); // the resend after the reconnect says so
    qInfo("blackholed link detected after %lld ms (interval %d + timeout %d)", qlonglong(detectedMs),
          o.heartbeatIntervalMs, o.heartbeatTimeoutMs);
}

void tst_InteropMqtt::brokerThatLostTheSessionIsSaid()
{
    auto broker = std::make_unique<Broker>();
    QVERIFY(broker->start());
    FaultProxy proxy;
    QVERIFY(proxy.listen(broker->port()));
    Received rx;
    auto cm = openClient(mqttOptions(proxy.url(), u"pb-lost-session"_s), {u"s/#"_s}, &rx);
    QCOMPARE(cm->state(), ConnectionManager::Open);
    QSignalSpy errors(cm.get(), &ConnectionManager::errorOccurred);
    QSignalSpy subscribed(cm.get(), &ConnectionManager::subscribed);
    // A reconnect to the same broker finds the session: nothing to say.
    proxy.setMode(FaultProxy::Mode::Reset);
    QTRY_VERIFY_WITH_TIMEOUT(cm->state() != ConnectionManager::Open, 5000);
    proxy.setMode(FaultProxy::Mode::Pass);
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 1, 10000);
    QCOMPARE(errors.size(), 0);
    // The broker restarts without persistence: the session and what it kept are gone, and said so.
    broker.reset();
    broker = std::make_unique<Broker>();
    QVERIFY(broker->start());
    proxy.setUpstreamPort(broker->port());
    proxy.setMode(FaultProxy::Mode::Reset);
    QTRY_VERIFY_WITH_TIMEOUT(cm->state() != ConnectionManager::Open, 5000);
    proxy.setMode(FaultProxy::Mode::Pass);
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 2, 10000);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).toInt(), 410);
    QVERIFY2(errors.at(0).at(1).toString().contains(u"kept no session for client id pb-lost-session"_s),
             qPrintable(errors.at(0).at(1).toString()));
    // The subscription was made again on the new broker.
    broker->publish(u"s/1"_s, u"5"_s, 1);
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 1, 5000);
}

void tst_InteropMqtt::badCredentialsRefusedClearly()
{
    Broker broker;
    QVERIFY(broker.start({u"--username"_s, u"ops"_s, u"--password"_s, u"s3cret"_s}));
    ConnectionOptions o = mqttOptions(broker.url(), u"pb-badcreds"_s);
    o.protocolConfig.insert(u"username"_s, u"ops"_s);
    o.token = u"wrong"_s;
    ConnectionManager cm;
    cm.setOptions(o);
    int connects = 0;
    QObject::connect(&cm, &ConnectionManager::stateChanged, &cm, [&](ConnectionManager::State s) {
        if (s == ConnectionManager::Connecting)
            ++connects;
    });
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Failed, 10000);
    QVERIFY2(cm.errorString().contains(u"bad user name or password"_s), qPrintable(cm.errorString()));
    QVERIFY(cm.errorString().contains(u"refused the token"_s));
    QTest::qWait(300);
    QCOMPARE(cm.state(), ConnectionManager::Failed);
    QCOMPARE(connects, 1); // no retry with the same credentials
}

void tst_InteropMqtt::tokenAsPasswordAccepted()
{
    Broker broker;
    QVERIFY(broker.start({u"--username"_s, u"ops"_s, u"--password"_s, u"s3cret"_s}));
    ConnectionOptions o = mqttOptions(broker.url(), u"pb-goodcreds"_s);
    o.protocolConfig.insert(u"username"_s, u"ops"_s);
    o.token = u"s3cret"_s;
    Received rx;
    auto cm = openClient(o, {u"t"_s}, &rx);
    QCOMPARE(cm->state(), ConnectionManager::Open);
    broker.publish(u"t"_s, u"7"_s, 1);
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 1, 5000);
    QCOMPARE(rx.messages.at(0).second, QJsonValue(7));
}

void tst_InteropMqtt::clientIdRejectedFailsClearly()
{
    Broker broker;
    QVERIFY(broker.start({u"--refuse-id"_s, u"pb-refused"_s}));
    ConnectionManager cm;
    cm.setOptions(mqttOptions(broker.url(), u"pb-refused"_s));
    int connects = 0;
    QObject::connect(&cm, &ConnectionManager::stateChanged, &cm, [&](ConnectionManager::State s) {
        if (s == ConnectionManager::Connecting)
            ++connects;
    });
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Failed, 10000);
    QVERIFY2(cm.errorString().contains(u"rejected the client id"_s), qPrintable(cm.errorString()));
    QVERIFY2(cm.errorString().contains(u"clientId"_s), qPrintable(cm.errorString()));
    QTest::qWait(300);
    QCOMPARE(connects, 1); // trying again would only repeat it
}

void tst_InteropMqtt::hugeRemainingLengthRefusedAndReconnects()
{
    Broker broker;
    QVERIFY(broker.start());
    FaultProxy proxy;
    QVERIFY(proxy.listen(broker.port()));
    ConnectionOptions o = mqttOptions(proxy.url(), u"pb-huge"_s);
    o.heartbeatIntervalMs = 5000; // a quiet link for the injection
    Received rx;
    auto cm = openClient(o, {u"h"_s}, &rx);
    QCOMPARE(cm->state(), ConnectionManager::Open);
    QSignalSpy errors(cm.get(), &ConnectionManager::errorOccurred);
    QSignalSpy disconnected(cm.get(), &ConnectionManager::disconnected);
    TestUtils::resetPeakRss();
    const qint64 peakBefore = TestUtils::statusKiB("VmHWM");

    // An unreadable packet (PUBLISH at QoS 3) in its own frame: reported, the connection goes on.
    proxy.injectToClients(FaultProxy::serverFrame(0x2, QByteArray("\x36\x03\x00\x01h", 5)));
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 5000);
    QVERIFY2(errors.at(0).at(1).toString().contains(u"QoS 3"_s), qPrintable(errors.at(0).at(1).toString()));
    QCOMPARE(cm->state(), ConnectionManager::Open);
    broker.publish(u"h"_s, u"1"_s, 1);
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 1, 5000);

    // A PUBLISH announcing 200 MiB: refused on its header, nothing allocated, reconnect.
    QByteArray huge("\x32");
    huge += Mqtt::encodeRemainingLength(200 * 1024 * 1024);
    huge += QByteArray("\x00\x01h\x00\x01", 5);
    proxy.injectToClients(FaultProxy::serverFrame(0x2, huge));
    QTRY_VERIFY_WITH_TIMEOUT(disconnected.size() >= 1, 5000);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1009);
    QVERIFY2(disconnected.at(0).at(1).toString().contains(u"over the limit"_s),
             qPrintable(disconnected.at(0).at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(cm->state(), ConnectionManager::Open, 10000);
    broker.publish(u"h"_s, u"2"_s, 1);
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 2, 5000);
    QCOMPARE(rx.messages.at(1).second, QJsonValue(2));
    const qint64 peakAfter = TestUtils::statusKiB("VmHWM");
    if (!TestUtils::kAddressSanitizer && peakBefore > 0)
        QVERIFY2(peakAfter - peakBefore < 32 * 1024,
                 qPrintable(u"peak grew by %1 KiB"_s.arg(peakAfter - peakBefore)));
}

void tst_InteropMqtt::exampleConfigLoads()
{
    QFile file(QStringLiteral(PULSEBOARD_SOURCE_DIR "/docs/examples/mqtt.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(doc.isObject());
    ConnectionOptions o;
    o.endpoints = {QUrl(u"ws://127.0.0.1:1"_s)};
    o.protocol = u"mqtt"_s;
    o.protocolConfig = doc.object();
    QString why;
    const auto dialect = MqttDialect::fromOptions(o, &why);
    QVERIFY2(dialect, qPrintable(why));
    QCOMPARE(dialect->settings().clientId, doc.object().value(u"clientId"_s).toString());
    QCOMPARE(dialect->settings().username, doc.object().value(u"username"_s).toString());
    QCOMPARE(dialect->settings().keepAliveSecs, doc.object().value(u"keepAlive"_s).toInt());

    // And it connects to the real broker as configured.
    Broker broker;
    QVERIFY(broker.start({u"--username"_s, doc.object().value(u"username"_s).toString()}));
    o.endpoints = {broker.url()};
    Received rx;
    auto cm = openClient(o, {u"plant/+/temperature"_s}, &rx);
    QCOMPARE(cm->state(), ConnectionManager::Open);
    broker.publish(u"plant/line1/temperature"_s, u"71.25"_s, 1);
    QTRY_COMPARE_WITH_TIMEOUT(rx.messages.size(), 1, 5000);
    QCOMPARE(rx.messages.at(0).second, QJsonValue(71.25));
}

QTEST_GUILESS_MAIN(tst_InteropMqtt)
#include "tst_interop_mqtt.moc"
