// A dashboard with two live sources: the first (hub A) and "plant" (hub B, behind a FaultProxy).
// Both publish a channel of the same name; the dashboard keeps them apart as "metrics" and
// "plant/metrics". Cutting plant's link greys its tile, breaks only its lines and leaves the first
// drawing; restoring it resumes plant. A command queued for plant while it is down reaches plant's
// hub once and never the first's. The config's "sources" and --source are read as documented.
#include "HubProbe.h"
#include "client/ConnectionManager.h"
#include "dashboard/charts/SeriesStore.h"
#include "dashboard/charts/TileModel.h"
#include "dashboard/commands/CommandHistory.h"
#include "dashboard/commands/CommandTemplate.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/ConnectionStatus.h"
#include "dashboard/connection/HealthHistory.h"
#include "dashboard/connection/OutboxModel.h"
#include "dashboard/shell/Dashboard.h"
#include "dashboard/shell/DashboardCommandLine.h"
#include "dashboard/shell/DashboardConfig.h"
#include "hub/HubServer.h"
#include "support/FaultProxy.h"
#include "support/TestUtils.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

// The tile of `channel`: its row, or -1.
int tileRow(const TileModel *tiles, const QString &channel)
{
    for (int row = 0; row < tiles->rowCount(); ++row)
        if (tiles->data(tiles->index(row), TileModel::ChannelRole).toString() == channel)
            return row;
    return -1;
}

bool tileStale(const TileModel *tiles, const QString &channel)
{
    return tiles->data(tiles->index(tileRow(tiles, channel)), TileModel::StaleRole).toBool();
}

int samples(SeriesStore *store, const QString &channel)
{
    QMutexLocker lock(store->lock());
    const StreamBuffer *b = store->buffer(SeriesKey::channel(channel), u"data.v"_s);
    return b ? int(b->size()) : 0;
}

bool readLaunch(const QStringList &args, DashboardLaunch *launch, QString *error)
{
    QCommandLineParser parser;
    DashboardCommandLine line;
    line.addTo(parser);
    if (!parser.parse(QStringList{u"pulseboard"_s} + args)) {
        *error = parser.errorText();
        return false;
    }
    DashboardCommandLine::Environment env;
    return line.read(parser, nullptr, env, launch, error);
}

} // namespace

class tst_MultiSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sourcesLiveApartAndOneOutageStaysItsOwn();
    void configSources();
    void sourceFlags();
};

void tst_MultiSource::sourcesLiveApartAndOneOutageStaysItsOwn()
{
    std::unique_ptr<HubServer> hubA = HubTest::startHub(HubTest::quietHubOptions());
    std::unique_ptr<HubServer> hubB = HubTest::startHub(HubTest::quietHubOptions());
    QVERIFY(hubA && hubB);
    Test::FaultProxy proxy;
    QVERIFY(proxy.listen(hubB->port()));

    // Each hub publishes its own "metrics" every 20 ms: A the value 1, B the value 2.
    QTimer feed;
    feed.setInterval(20);
    connect(&feed, &QTimer::timeout, this, [&] {
        hubA->publish(u"metrics"_s, QJsonObject{{u"v"_s, 1}});
        hubB->publish(u"metrics"_s, QJsonObject{{u"v"_s, 2}});
    });
    feed.start();

    ConnectionOptions first = TestUtils::fastConnectionOptions();
    first.endpoints = {hubA->url()};
    ConnectionManager manager;
    manager.setOptions(first);
    ConnectionMirror mirror(&manager);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Dashboard::Options options;
    options.channels = {u"metrics"_s, u"plant/metrics"_s};
    SourceSpec plant;
    plant.name = u"plant"_s;
    plant.connection = TestUtils::fastConnectionOptions();
    plant.connection.endpoints = {proxy.url()};
    plant.connection.queueFile = dir.filePath(u"plant.journal"_s);
    options.sources = {plant};
    options.sourceThreads = true; // as the app runs them
    options.healthIntervalMs = 50;
    // A library command to plant's "cmd", named as the dashboard names it.
    QString commandError;
    QStringList commandWarnings;
    QVERIFY2(CommandTemplate::listFromJson(
                 QJsonArray{QJsonObject{
                     {u"name"_s, u"pump"_s},
                     {u"channel"_s, u"plant/cmd"_s},
                     {u"payload"_s, QJsonObject{{u"pump"_s, u"{n}"_s}}},
                     {u"params"_s, QJsonArray{QJsonObject{{u"name"_s, u"n"_s}, {u"default"_s, u"3"_s}}}}}},
                 u"commands"_s, &options.config.commands, &commandWarnings, &commandError),
             qPrintable(commandError));
    Dashboard dashboard(&mirror, options);
    QCOMPARE(dashboard.sources().size(), 1);
    DashboardSource *source = dashboard.sources().constFirst();
    // "plant/metrics" went to plant as "metrics", not to the first as a channel of that name.
    QTRY_COMPARE(source->connection()->subscriptions(), QStringList{u"metrics"_s});
    QCOMPARE(mirror.subscriptions(), QStringList{u"metrics"_s});
    manager.open();
    dashboard.openSources();
    QTRY_VERIFY_WITH_TIMEOUT(source->status()->live() && dashboard.status()->live(), 10000);

    SeriesStore *store = dashboard.store();
    QTRY_VERIFY_WITH_TIMEOUT(samples(store, u"metrics"_s) > 5 && samples(store, u"plant/metrics"_s) > 5,
                             10000);
    QCOMPARE(store->latest(u"metrics"_s, u"data.v"_s).toInt(), 1);
    QCOMPARE(store->latest(u"plant/metrics"_s, u"data.v"_s).toInt(), 2);
    TileModel *tiles = dashboard.tileModel();
    QVERIFY(tileRow(tiles, u"metrics"_s) >= 0);
    QVERIFY(tileRow(tiles, u"plant/metrics"_s) >= 0);
    QTRY_VERIFY(!tileStale(tiles, u"metrics"_s) && !tileStale(tiles, u"plant/metrics"_s));
    QCOMPARE(dashboard.allSubscriptions(), (QStringList{u"metrics"_s, u"plant/metrics"_s}));

    // The snapshot names each source with its state and channels.
    {
        const QVariantList sources = dashboard.snapshot().value(u"sources"_s).toList();
        QCOMPARE(sources.size(), 2);
        QCOMPARE(sources.at(0).toMap().value(u"name"_s).toString(), QString());
        QCOMPARE(sources.at(0).toMap().value(u"state"_s).toString(), u"open"_s);
        QCOMPARE(sources.at(1).toMap().value(u"name"_s).toString(), u"plant"_s);
        QCOMPARE(sources.at(1).toMap().value(u"state"_s).toString(), u"open"_s);
        QCOMPARE(sources.at(1).toMap().value(u"channels"_s).toStringList(), QStringList{u"plant/metrics"_s});
        QCOMPARE(sources.at(1).toMap().value(u"channelCount"_s).toInt(), 1);
        QCOMPARE(sources.at(1).toMap().value(u"protocol"_s).toString(), u"pulseboard"_s);
    }
    // Each source's health is its own: plant's figures under its name, the first's as before.
    HealthHistory *plantHealth = source->health();
    QCOMPARE(plantHealth->figuresSource(), u"health/plant"_s);
    QCOMPARE(plantHealth->eventsSource(), u"health.events/plant"_s);
    QCOMPARE(dashboard.health()->figuresSource(), u"health"_s);
    auto count = [store](const SeriesKey &key, const QString &field) {
        const StreamBuffer *b = store->buffer(key, field);
        return b ? b->size() : 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(count(HealthHistory::figuresKey(u"plant"_s), u"msgsIn"_s) >= 3 &&
                                 count(HealthHistory::figuresKey(), u"msgsIn"_s) >= 3,
                             5000);
    QTRY_VERIFY_WITH_TIMEOUT(plantHealth->msgsInPerSec() > 0, 5000);
    QCOMPARE(count(HealthHistory::eventsKey(u"plant"_s), u"connected"_s), 1);
    QCOMPARE(count(HealthHistory::eventsKey(), u"connected"_s), 1);

    // Cut plant: its connections are reset and new ones refused at their first bytes.
    proxy.setMode(Test::FaultProxy::Mode::Reset);
    QTRY_VERIFY_WITH_TIMEOUT(!source->status()->live(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(tileStale(tiles, u"plant/metrics"_s), 5000);
    QVERIFY(dashboard.status()->live());
    QVERIFY(!tileStale(tiles, u"metrics"_s));
    // Plant's outage is plant's: the first's lines do not break.
    QCOMPARE(store->outages(u"plant"_s).size(), 1);
    QCOMPARE(store->outages(u"plant"_s).constFirst().up, 0);
    QVERIFY(store->outages().isEmpty());
    QVERIFY(store->outagesOf(SeriesKey::channel(u"metrics"_s)).isEmpty());
    QCOMPARE(store->outagesOf(SeriesKey::channel(u"plant/metrics"_s)).size(), 1);
    // So does its health: plant's chart marks the disconnect, the first's does not.
    QTRY_VERIFY_WITH_TIMEOUT(count(HealthHistory::eventsKey(u"plant"_s), u"disconnected"_s) >= 1, 5000);
    QCOMPARE(count(HealthHistory::eventsKey(), u"disconnected"_s), 0);
    // The first keeps drawing meanwhile.
    const int firstBefore = samples(store, u"metrics"_s);
    QTRY_VERIFY_WITH_TIMEOUT(samples(store, u"metrics"_s) >= firstBefore + 10, 5000);
    QVERIFY(dashboard.status()->live());

    // A command for plant while it is down waits in plant's outbox, not the first's.
    HubTest::ProtocolProbe watchA;
    HubTest::ProtocolProbe watchB;
    QVERIFY(watchA.open(hubA->url()));
    QVERIFY(watchB.open(hubB->url()));
    const QString subA = watchA.subscribe(u"cmd"_s);
    const QString subB = watchB.subscribe(u"cmd"_s);
    bool ok = false;
    watchA.waitFor(MessageType::Subscribed, subA, &ok);
    QVERIFY(ok);
    watchB.waitFor(MessageType::Subscribed, subB, &ok);
    QVERIFY(ok);
    // As the Console sends it with plant chosen: through plant's outbox model.
    QCOMPARE(source->outbox()->publish(u"cmd"_s, u"{\"restart\": \"pump-2\"}"_s), QString());
    QTRY_COMPARE(source->connection()->queuedCount(), 1);
    QCOMPARE(mirror.queuedCount(), 0);
    QCOMPARE(source->outbox()->rowCount(), 1);
    QCOMPARE(dashboard.outbox()->rowCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(plantHealth->outboxDepth(), 1, 5000);
    QCOMPARE(dashboard.health()->outboxDepth(), 0);

    // Restore plant: it reconnects, its outage ends, its tile and lines resume, the command lands.
    proxy.setMode(Test::FaultProxy::Mode::Pass);
    QTRY_VERIFY_WITH_TIMEOUT(source->status()->live(), 10000);
    QTRY_VERIFY(store->outages(u"plant"_s).constFirst().up > 0);
    const int plantBack = samples(store, u"plant/metrics"_s);
    QTRY_VERIFY_WITH_TIMEOUT(samples(store, u"plant/metrics"_s) >= plantBack + 5, 5000);
    QTRY_VERIFY(!tileStale(tiles, u"plant/metrics"_s));
    const Envelope delivered = watchB.waitFor(MessageType::Message, QString(), &ok, 10000);
    QVERIFY(ok);
    QCOMPARE(delivered.channel, u"cmd"_s);
    QCOMPARE(delivered.data.toObject().value(u"restart"_s).toString(), u"pump-2"_s);
    QTRY_COMPARE(source->connection()->queuedCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(plantHealth->outboxDepth(), 0, 5000);

    // The library command goes to plant as "cmd"; its run is followed through plant's outbox.
    const QVariantMap run = dashboard.runCommand(u"pump"_s, {}, false);
    QCOMPARE(run.value(u"error"_s).toString(), QString());
    QTRY_COMPARE_WITH_TIMEOUT(watchB.ofType(MessageType::Message).size(), 2, 10000);
    const Envelope pumped = watchB.ofType(MessageType::Message).constLast();
    QCOMPARE(pumped.channel, u"cmd"_s);
    QCOMPARE(pumped.data.toObject().value(u"pump"_s).toString(), u"3"_s);
    const QString runId = run.value(u"runId"_s).toString();
    QCOMPARE(dashboard.commandHistory()->entry(runId).value(u"target"_s).toString(), u"plant/cmd"_s);
    QTRY_COMPARE_WITH_TIMEOUT(dashboard.commandHistory()->entry(runId).value(u"status"_s).toString(),
                              u"acked"_s, 5000);
    QCOMPARE(mirror.queuedCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(plantHealth->reconnected() >= 1, 5000);
    QCOMPARE(dashboard.health()->reconnected(), 0);
    QTest::qWait(200);
    QCOMPARE(watchB.ofType(MessageType::Message).size(), 2);
    QCOMPARE(watchA.ofType(MessageType::Message).size(), 0);
    QVERIFY(store->outages().isEmpty());
}

void tst_MultiSource::configSources()
{
    DashboardConfig c;
    QString error;
    const QByteArray json = R"({
        "servers": ["ws://127.0.0.1:8080/ws"],
        "channels": ["sys.cpu"],
        "sources": [
            {"name": "plant", "url": "ws://127.0.0.1:9001/mqtt", "protocol": "mqtt",
             "protocolConfig": {"qos": 1}, "channels": ["plant/+/temp"], "tokenFile": "/run/plant.token"},
            {"name": "staging", "servers": ["ws://10.0.0.1:8080/ws", "ws://10.0.0.2:8080/ws"]}
        ],
        "charts": [{"channel": "plant/plant/a/temp", "title": "Line A"}]
    })";
    QVERIFY2(DashboardConfig::parse(json, &c, &error), qPrintable(error));
    QCOMPARE(c.sources.size(), 2);
    QCOMPARE(c.sources.at(0).name, u"plant"_s);
    QCOMPARE(c.sources.at(0).protocol, u"mqtt"_s);
    QCOMPARE(c.sources.at(0).protocolConfig.value(u"qos"_s).toInt(), 1);
    QCOMPARE(c.sources.at(0).channels, QStringList{u"plant/+/temp"_s});
    QCOMPARE(c.sources.at(0).tokenFile, u"/run/plant.token"_s);
    QCOMPARE(c.sources.at(1).servers.size(), 2);
    QVERIFY(c.warnings.isEmpty());
    // Written and read back, it is the same.
    DashboardConfig again;
    QVERIFY2(DashboardConfig::parse(c.toJson(), &again, &error), qPrintable(error));
    QVERIFY(again.sources == c.sources);

    const struct
    {
        QByteArray json;
        QString says;
    } bad[] = {
        {R"({"sources": {}})", u"sources must be an array"_s},
        {R"({"sources": [{"url": "ws://h:1/"}]})", u"sources[0].name"_s},
        {R"({"sources": [{"name": "a b", "url": "ws://h:1/"}]})", u"a source name is a word"_s},
        {R"({"sources": [{"name": "a", "url": "ws://h:1/"}, {"name": "a", "url": "ws://h:2/"}]})",
         u"'a' names two sources"_s},
        {R"({"sources": [{"name": "a"}]})", u"needs \"url\""_s},
        {R"({"sources": [{"name": "a", "url": "http://h:1/"}]})", u"sources[0]"_s},
        {R"({"sources": [{"name": "a", "url": "ws://h:1/", "protocolConfig": 3}]})",
         u"protocolConfig must be"_s},
    };
    for (const auto &b : bad) {
        DashboardConfig out;
        QString why;
        QVERIFY2(!DashboardConfig::parse(b.json, &out, &why), b.json.constData());
        QVERIFY2(why.contains(b.says), qPrintable(why));
    }
}

void tst_MultiSource::sourceFlags()
{
    DashboardLaunch launch;
    QString error;
    QVERIFY2(readLaunch({u"--no-settings"_s, u"--url"_s, u"ws://127.0.0.1:8080/ws"_s, u"--token"_s,
                         u"secret"_s, u"--source"_s, u"plant:mqtt=ws://127.0.0.1:9001/mqtt"_s, u"--source"_s,
                         u"staging=ws://127.0.0.1:8081/ws"_s, u"--subscribe"_s, u"sys.cpu"_s,
                         u"--subscribe"_s, u"plant/line/+/temp"_s, u"--subscribe"_s, u"staging/sys.cpu"_s},
                        &launch, &error),
             qPrintable(error));
    QCOMPARE(launch.sources.size(), 2);
    const SourceSpec &plant = launch.sources.at(0);
    QCOMPARE(plant.name, u"plant"_s);
    QCOMPARE(plant.connection.protocol, u"mqtt"_s);
    QCOMPARE(plant.connection.endpoints, QList<QUrl>{QUrl(u"ws://127.0.0.1:9001/mqtt"_s)});
    QCOMPARE(plant.channels, QStringList{u"line/+/temp"_s});
    // The first's token is the first's: another server never hears it.
    QVERIFY(plant.connection.token.isEmpty());
    QVERIFY(!plant.connection.tokenSource);
    // The first's timings apply to every source.
    QCOMPARE(plant.connection.heartbeatIntervalMs, launch.connection.heartbeatIntervalMs);
    const SourceSpec &staging = launch.sources.at(1);
    QCOMPARE(staging.connection.protocol, u"pulseboard"_s);
    QCOMPARE(staging.channels, QStringList{u"sys.cpu"_s});
    QCOMPARE(launch.channels, QStringList{u"sys.cpu"_s});

    for (const QString &wrong : {u"plant"_s, u"=ws://h:1/"_s, u"bad name=ws://h:1/"_s, u"plant=nota-url"_s,
                                 u"plant:nosuch=ws://h:1/"_s}) {
        DashboardLaunch l;
        QString why;
        QVERIFY2(!readLaunch({u"--no-settings"_s, u"--source"_s, wrong}, &l, &why), qPrintable(wrong));
        QVERIFY2(why.contains(u"source"_s), qPrintable(why));
    }

    // An alert rule's source= names one of them; another name is refused, saying so.
    {
        DashboardLaunch l;
        QString why;
        QVERIFY2(readLaunch({u"--no-settings"_s, u"--source"_s, u"plant=ws://h:1/"_s, u"--alert"_s,
                             u"name=plant-down source=plant source-down=5s"_s},
                            &l, &why),
                 qPrintable(why));
        QCOMPARE(l.alerts.size(), 1);
        QCOMPARE(l.alerts.at(0).source, u"plant"_s);
        QVERIFY(!readLaunch({u"--no-settings"_s, u"--source"_s, u"plant=ws://h:1/"_s, u"--alert"_s,
                             u"name=lab-down source=lab source-down=5s"_s},
                            &l, &why));
        QVERIFY2(why.contains(u"alert rule lab-down: no source named 'lab'"_s), qPrintable(why));
    }
}

QTEST_MAIN(tst_MultiSource)
#include "tst_multisource.moc"
