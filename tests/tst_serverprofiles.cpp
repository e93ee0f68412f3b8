// Server profiles: the ProfileStore (record, dedupe by endpoints, order, limit, forget), its round
// trip through DashboardSettings and an INI file (no token in the file), and switching a running
// DashboardSession between two TestServers with the ServerSwitcher, read through the
// ServerListModel: what was queued for A stays in A's journal (or parked in memory without one),
// nothing of it reaches B, switching back delivers it once, in order, and the connection's own
// timeline survives every switch while the channels' series start clean.
#include "client/ConnectionManager.h"
#include "client/OutboxJournal.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/HealthHistory.h"
#include "dashboard/servers/EmbeddedHub.h"
#include "dashboard/servers/ServerListModel.h"
#include "dashboard/servers/ServerSwitcher.h"
#include "dashboard/shell/Dashboard.h"
#include "dashboard/shell/DashboardSession.h"
#include "dashboard/shell/DashboardSettings.h"
#include "support/TestServer.h"
#include "support/TestUtils.h"

#include <QAbstractItemModelTester>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace Pulseboard::Test;

namespace {

QUrl wsUrl(int port)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
}

ServerProfile profileAt(int port, const QString &name = QString())
{
    ServerProfile p;
    p.name = name;
    p.endpoints = {wsUrl(port)};
    return p;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QList<int> publishedNumbers(const TestServer &server)
{
    QList<int> out;
    for (const TestServer::Frame &f : server.framesOfType(MessageType::Publish))
        out.append(f.env.data.toObject().value(QStringLiteral("n")).toInt());
    return out;
}

} // namespace

class tst_ServerProfiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void recordPutsNewestFirst();
    void sameEndpointsAreOneProfile();
    void keepsAtMostTen();
    void forgetRemovesByName();
    void namesStayUnique();
    void roundTripThroughIniFile();
    void passwordsAreNotStored();
    void urlsAreValidated();

    void switchKeepsQueuedMessagesForTheirServer_data();
    void switchKeepsQueuedMessagesForTheirServer();
    void switchClosesNormallyAndRecordsTheServer();
    void tokenIsNeverStoredAndNotHandedToOtherServers();
    void tokenSourceNotAskedForOtherServers();
    void missingTokenIsSaidInWords();
    void embeddedHubStartsAndStopsWithTheSwitch();
    void switchKeepsTheConnectionTimeline();
    void listChangesRowByRow();

private:
    struct Rig
    {
        QTemporaryDir dir;
        std::unique_ptr<QSettings> settings;
        std::unique_ptr<DashboardSession> session;
        ServerListModel *servers = nullptr;
        ServerSwitcher *switcher = nullptr;
        ConnectionMirror *manager = nullptr;
        Dashboard *dashboard = nullptr;
    };
    // A dashboard started on `start` the way app/pulseboard.cpp starts one: a DashboardSession.
    static void makeRig(Rig &rig, const ServerProfile &start, bool journals,
                        const QString &flagToken = QString(), bool hub = false,
                        const TokenSourceFn &tokenSource = {});
};

void tst_ServerProfiles::recordPutsNewestFirst()
{
    ProfileStore store;
    store.record(profileAt(1001, QStringLiteral("a")));
    store.record(profileAt(1002, QStringLiteral("b")));
    store.record(profileAt(1003, QStringLiteral("c")));
    QCOMPARE(store.names(), (QStringList{QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("a")}));
    // Using "a" again moves it first.
    store.record(profileAt(1001));
    QCOMPARE(store.names(), (QStringList{QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b")}));
}

void tst_ServerProfiles::sameEndpointsAreOneProfile()
{
    ProfileStore store;
    ServerProfile first = profileAt(2001, QStringLiteral("lab"));
    first.channels = {QStringLiteral("x")};
    first.origin = QStringLiteral("https://one.example");
    store.record(first);
    ServerProfile again = profileAt(2001); // no name: keeps "lab"
    again.channels = {QStringLiteral("y"), QStringLiteral("z")};
    again.origin = QStringLiteral("https://two.example");
    const ServerProfile stored = store.record(again);
    QCOMPARE(store.profiles().size(), 1);
    QCOMPARE(stored.name, QStringLiteral("lab"));
    QCOMPARE(store.profiles().at(0).channels, (QStringList{QStringLiteral("y"), QStringLiteral("z")}));
    QCOMPARE(store.profiles().at(0).origin, QStringLiteral("https://two.example"));

    // The same URLs in another order are another fallback order: another profile.
    ServerProfile pair;
    pair.endpoints = {wsUrl(2001), wsUrl(2002)};
    ServerProfile reversed;
    reversed.endpoints = {wsUrl(2002), wsUrl(2001)};
    store.record(pair);
    store.record(reversed);
    QCOMPARE(store.profiles().size(), 3);
    QCOMPARE(store.profiles().at(0).name, QStringLiteral("127.0.0.1:2002 +1"));
    QCOMPARE(store.profiles().at(1).name, QStringLiteral("127.0.0.1:2001 +1"));
}

void tst_ServerProfiles::keepsAtMostTen()
{
    ProfileStore store;
    for (int i = 0; i < 12; ++i)
        store.record(profileAt(3000 + i, QStringLiteral("s%1").arg(i)));
    QCOMPARE(store.profiles().size(), ProfileStore::kMaxProfiles);
    QCOMPARE(store.profiles().first().name, QStringLiteral("s11"));
    QCOMPARE(store.profiles().last().name, QStringLiteral("s2"));
    QCOMPARE(store.indexOfName(QStringLiteral("s0")), -1);
    QCOMPARE(store.indexOfName(QStringLiteral("s1")), -1);
}

void tst_ServerProfiles::forgetRemovesByName()
{
    ProfileStore store;
    store.record(profileAt(4001, QStringLiteral("a")));
    store.record(profileAt(4002, QStringLiteral("b")));
    QVERIFY(store.forget(QStringLiteral("a")));
    QVERIFY(!store.forget(QStringLiteral("a")));
    QVERIFY(!store.forget(QStringLiteral("nope")));
    QCOMPARE(store.names(), QStringList{QStringLiteral("b")});
    QCOMPARE(store.indexOfEndpoints({wsUrl(4001)}), -1);
}

void tst_ServerProfiles::namesStayUnique()
{
    ProfileStore store;
    store.record(profileAt(5001, QStringLiteral("prod")));
    const ServerProfile second = store.record(profileAt(5002, QStringLiteral("prod")));
    QCOMPARE(second.name, QStringLiteral("prod (2)"));
    const ServerProfile hubName =
        store.record(profileAt(5003, QStringLiteral("This machine (embedded hub)")));
    QCOMPARE(hubName.name, QStringLiteral("This machine (embedded hub) (2)"));
}

void tst_ServerProfiles::roundTripThroughIniFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    ServerProfile full;
    full.name = QStringLiteral("staging");
    full.endpoints = {QUrl(QStringLiteral("wss://a.example:8443/ws")),
                      QUrl(QStringLiteral("wss://b.example/ws"))};
    full.channels = {QStringLiteral("orders"), QStringLiteral("sys.cpu")};
    full.origin = QStringLiteral("https://ops.example");
    full.caFile = QStringLiteral("/etc/ssl/lab-ca.pem");
    full.insecure = true;
    full.configPath = QStringLiteral("/home/op/wall.json");
    full.tokenSource = ServerProfile::TokenSource::Environment;
    full.lastUsedMs = 1'700'000'000'123;
    {
        ProfileStore store;
        store.record(profileAt(6001, QStringLiteral("older")));
        store.record(full);
        QSettings settings(path, QSettings::IniFormat);
        DashboardSettings(&settings).setProfiles(store.profiles());
    }
    QSettings settings(path, QSettings::IniFormat);
    ProfileStore loaded;
    loaded.load(DashboardSettings(&settings).profiles());
    QCOMPARE(loaded.names(), (QStringList{QStringLiteral("staging"), QStringLiteral("older")}));
    const ServerProfile &p = loaded.profiles().at(0);
    QCOMPARE(p.endpoints, full.endpoints);
    QCOMPARE(p.channels, full.channels);
    QCOMPARE(p.origin, full.origin);
    QCOMPARE(p.caFile, full.caFile);
    QCOMPARE(p.insecure, true);
    QCOMPARE(p.configPath, full.configPath);
    QCOMPARE(p.tokenSource, ServerProfile::TokenSource::Environment);
    QCOMPARE(p.lastUsedMs, full.lastUsedMs);
    QCOMPARE(loaded.profiles().at(1).insecure, false);

    const QJsonObject json = p.toJson();
    QCOMPARE(json.value(QStringLiteral("tokenFrom")).toString(), QStringLiteral("env"));
    QCOMPARE(json.value(QStringLiteral("endpoints")).toArray().size(), 2);
    QVERIFY(!json.contains(QStringLiteral("token")));

    // Fewer profiles saved over more: no stale entries survive.
    ProfileStore one;
    one.record(profileAt(6002, QStringLiteral("only")));
    DashboardSettings(&settings).setProfiles(one.profiles());
    ProfileStore reread;
    reread.load(DashboardSettings(&settings).profiles());
    QCOMPARE(reread.names(), QStringList{QStringLiteral("only")});
}

void tst_ServerProfiles::passwordsAreNotStored()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    ProfileStore store;
    ServerProfile p;
    p.endpoints = {QUrl(QStringLiteral("ws://op:hunter2secret@10.0.0.5:9000/"))};
    const ServerProfile stored = store.record(p);
    QCOMPARE(stored.endpoints.at(0).password(), QString());
    QCOMPARE(stored.endpoints.at(0).userName(), QStringLiteral("op"));
    {
        QSettings settings(path, QSettings::IniFormat);
        DashboardSettings(&settings).setProfiles(store.profiles());
    }
    QVERIFY(!readAll(path).isEmpty());
    QVERIFY(!readAll(path).contains("hunter2secret"));
    // The same server typed with its password is still the same profile.
    QCOMPARE(store.indexOfEndpoints(p.endpoints), 0);
}

void tst_ServerProfiles::urlsAreValidated()
{
    QList<QUrl> urls;
    QString error;
    QVERIFY(ServerSwitcher::parseUrls(QStringLiteral(" ws://a:1/ , wss://b/x\nws://c:3 "), &urls, &error));
    QCOMPARE(urls.size(), 3);
    QCOMPARE(urls.at(1), QUrl(QStringLiteral("wss://b/x")));
    QVERIFY(!ServerSwitcher::parseUrls(QStringLiteral("http://a:1/"), &urls, &error));
    QCOMPARE(error, QStringLiteral("'http://a:1/' is not a ws:// or wss:// URL"));
    QVERIFY(!ServerSwitcher::parseUrls(QStringLiteral("ws://a:1 localhost:8080"), &urls, &error));
    QCOMPARE(error, QStringLiteral("'localhost:8080' is not a ws:// or wss:// URL"));
    QVERIFY(!ServerSwitcher::parseUrls(QStringLiteral("   "), &urls, &error));
    QCOMPARE(error, QStringLiteral("Enter a ws:// or wss:// URL"));
}

void tst_ServerProfiles::makeRig(Rig &rig, const ServerProfile &start, bool journals,
                                 const QString &flagToken, bool hub, const TokenSourceFn &tokenSource)
{
    QVERIFY(rig.dir.isValid());
    rig.settings =
        std::make_unique<QSettings>(rig.dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    DashboardLaunch launch;
    ServerSwitcher::Environment &env = launch.servers;
    env.base = TestUtils::fastConnectionOptions();
    env.flagToken = flagToken;
    env.flagTokenEndpoints = start.endpoints;
    env.base.tokenSource = tokenSource;
    if (journals)
        env.journalDir = rig.dir.filePath(QStringLiteral("journals"));
    env.hubAvailable = hub;
    env.hub.port = 0;
    env.hub.feeds = {QStringLiteral("demo.wave")};
    env.hub.waveHz = 50;
    env.hub.shutdownTimeoutMs = 200;
    env.embeddedConfig.channels = {QStringLiteral("demo.wave")};
    launch.connection = env.base;
    launch.connection.endpoints = start.endpoints;
    launch.connection.token = flagToken;
    launch.start = start;
    launch.channels = start.channels;
    launch.healthIntervalMs = 50;
    rig.session = std::make_unique<DashboardSession>(launch, rig.settings.get());
    QString error;
    QVERIFY2(rig.session->start(&error), qPrintable(error));
    QCOMPARE(rig.session->startProblem(), QString());
    rig.servers = rig.session->servers();
    rig.switcher = rig.session->switcher();
    rig.manager = rig.session->connection();
    rig.dashboard = rig.session->dashboard();
    QCOMPARE(rig.dashboard->servers(), rig.servers);
}

void tst_ServerProfiles::switchKeepsQueuedMessagesForTheirServer_data()
{
    QTest::addColumn<bool>("journals");
    QTest::newRow("journal per server") << true;
    QTest::newRow("no journals (--no-settings)") << false;
}

void tst_ServerProfiles::switchKeepsQueuedMessagesForTheirServer()
{
    QFETCH(bool, journals);
    TestServer a;
    TestServer b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    const quint16 portA = a.port();

    ServerProfile startA = profileAt(portA, QStringLiteral("A"));
    startA.channels = {QStringLiteral("a.only")};
    Rig rig;
    makeRig(rig, startA, journals);
    ConnectionMirror &manager = *rig.manager;
    manager.open();
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionManager::Open, 5000);
    QCOMPARE(rig.switcher->store().names(), QStringList{QStringLiteral("A")});
    a.publish(QStringLiteral("a.only"), QJsonObject{{QStringLiteral("v"), 1}});
    QTRY_VERIFY_WITH_TIMEOUT(rig.dashboard->channels()->indexOf(QStringLiteral("a.only")) >= 0 &&
                                 rig.dashboard->store()->sources().contains(QStringLiteral("a.only")),
                             5000);

    // A goes away; three publishes queue up for it.
    a.kill();
    QTRY_VERIFY_WITH_TIMEOUT(manager.state() != ConnectionManager::Open, 5000);
    for (int n = 1; n <= 3; ++n)
        QVERIFY(!manager.publish(QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), n}}).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(manager.queuedCount(), 3, 5000); // the publishes run on the network thread
    // A request queued for A is not replayed at another server: it fails, saying why.
    QSignalSpy requestFailed(&manager, &ConnectionMirror::requestFailed);
    const QString requestId = manager.request(QStringLiteral("server.info"));
    QVERIFY(!requestId.isEmpty());
    const QString journalA = rig.switcher->queueFileFor({wsUrl(portA)});
    QCOMPARE(journalA.isEmpty(), !journals);

    // Switch to B (not stored yet: "Connect to...").
    QSignalSpy switched(rig.switcher, &ServerSwitcher::switched);
    QCOMPARE(rig.servers->connectTo(wsUrl(b.port()).toString(), QStringLiteral("B")), QString());
    QCOMPARE(switched.size(), 1);
    QCOMPARE(switched.at(0).at(2).toInt(), 3);
    QCOMPARE(requestFailed.size(), 1);
    QCOMPARE(requestFailed.at(0).at(0).toString(), requestId);
    QCOMPARE(requestFailed.at(0).at(3).toString(), QStringLiteral("not sent: switched to another server"));
    QCOMPARE(manager.queuedCount(), 0);
    QCOMPARE(manager.url(), wsUrl(b.port()));
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionManager::Open, 5000);
    // Recorded once connected, first in the list.
    QCOMPARE(rig.switcher->store().names(), (QStringList{QStringLiteral("B"), QStringLiteral("A")}));
    // The new server starts clean: none of A's channel, series or subscription.
    QCOMPARE(rig.dashboard->channels()->indexOf(QStringLiteral("a.only")), -1);
    QVERIFY(!rig.dashboard->store()->sources().contains(QStringLiteral("a.only")));
    QVERIFY(!manager.subscriptions().contains(QStringLiteral("a.only")));
    QCOMPARE(rig.dashboard->raw()->rowCount(), 0);
    // The switcher row of A says what waits for it; the event log says what happened.
    const QModelIndex rowA = rig.servers->index(rig.switcher->store().indexOfName(QStringLiteral("A")));
    QCOMPARE(rig.servers->data(rowA, ServerListModel::HeldRole).toInt(), 3);
    bool logged = false;
    for (int i = 0; i < rig.dashboard->events()->rowCount(); ++i)
        logged = logged || rig.dashboard->events()->textAt(i).contains(
                               QStringLiteral("3 queued message(s) stay queued for A"));
    QVERIFY(logged);
    if (journals) {
        const auto parsed = OutboxJournal::parse(readAll(journalA));
        QCOMPARE(parsed.live.size(), 3);
        QCOMPARE(parsed.live.at(0).target, QStringLiteral("orders"));
    }

    // Anything published now is B's; wait until B acked it, then make sure none of A's went there.
    QSignalSpy ackedByB(&manager, &ConnectionMirror::acked);
    const QString forB = manager.publish(QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), 100}});
    QVERIFY(!forB.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(ackedByB.size(), 1, 5000);
    QCOMPARE(ackedByB.at(0).at(0).toString(), forB);
    QCOMPARE(manager.queuedCount(), 0);
    QCOMPARE(publishedNumbers(b), QList<int>{100});

    // A is back; switching to it delivers its three, once, in order.
    QVERIFY(a.listen(portA));
    QCOMPARE(rig.servers->switchTo(rig.switcher->store().indexOfName(QStringLiteral("A"))), QString());
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionManager::Open, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(publishedNumbers(a), (QList<int>{1, 2, 3}), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(manager.queuedCount(), 0, 5000);
    QCOMPARE(manager.subscriptions(), QStringList{QStringLiteral("a.only")}); // A's channels came back
    QCOMPARE(publishedNumbers(b), QList<int>{100});
    for (int row = 0; row < rig.servers->rowCount(); ++row)
        QCOMPARE(rig.servers->data(rig.servers->index(row), ServerListModel::HeldRole).toInt(), 0);
    if (journals)
        QCOMPARE(OutboxJournal::parse(readAll(journalA)).live.size(), 0);

    // And once more to B and back: nothing is delivered a second time.
    QCOMPARE(rig.servers->switchTo(rig.switcher->store().indexOfName(QStringLiteral("B"))), QString());
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionManager::Open, 5000);
    QCOMPARE(rig.servers->switchTo(rig.switcher->store().indexOfName(QStringLiteral("A"))), QString());
    QTRY_COMPARE_WITH_TIMEOUT(manager.state(), ConnectionManager::Open, 5000);
    // A resend would leave on open, ahead of anything asked now: once A answers a request made
    // after it, A has read every publish this connection carried.
    QSignalSpy replies(&manager, &ConnectionMirror::responseReceived);
    const QString echo = manager.request(QStringLiteral("echo"), QJsonObject{{QStringLiteral("k"), 1}});
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 1, 5000);
    QCOMPARE(replies.at(0).at(0).toString(), echo);
    QCOMPARE(publishedNumbers(a), (QList<int>{1, 2, 3}));
    QCOMPARE(publishedNumbers(b), QList<int>{100});
}

void tst_ServerProfiles::switchClosesNormallyAndRecordsTheServer()
{
    TestServer a;
    TestServer b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    Rig rig;
    makeRig(rig, profileAt(a.port()), true);
    rig.manager->open();
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QSignalSpy disconnected(rig.manager, &ConnectionMirror::disconnected);
    QSignalSpy aGone(&a, &TestServer::clientDisconnected);
    QCOMPARE(rig.servers->connectTo(wsUrl(b.port()).toString(), QString()), QString());
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1000);
    QTRY_COMPARE_WITH_TIMEOUT(aGone.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(b.connectionCount(), 1);
    QCOMPARE(a.connectionCount(), 1); // never reconnected to A
    QCOMPARE(rig.switcher->store().profiles().size(), 2);
    QCOMPARE(rig.servers->currentRow(), 0);
    QCOMPARE(rig.servers->currentName(), QStringLiteral("127.0.0.1:%1").arg(b.port()));

    // Bad input changes nothing.
    QCOMPARE(rig.servers->connectTo(QStringLiteral("http://example.com/"), QString()),
             QStringLiteral("'http://example.com/' is not a ws:// or wss:// URL"));
    QCOMPARE(rig.manager->state(), ConnectionManager::Open);
    QCOMPARE(rig.servers->switchTo(42), QStringLiteral("No such server"));

    // Forget A; the list keeps B only and survives a reload from the file.
    QCOMPARE(rig.servers->forget(1), QString());
    ProfileStore reread;
    reread.load(DashboardSettings(rig.settings.get()).profiles());
    QCOMPARE(reread.profiles().size(), 1);
    QCOMPARE(reread.profiles().at(0).endpoints, QList<QUrl>{wsUrl(b.port())});
}

void tst_ServerProfiles::tokenIsNeverStoredAndNotHandedToOtherServers()
{
    const QString secret = QStringLiteral("tok-7f3a9c-secret");
    TestServer a;
    a.requiredToken = secret;
    TestServer b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    Rig rig;
    makeRig(rig, profileAt(a.port(), QStringLiteral("secured")), true, secret);
    rig.manager->open();
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    rig.settings->sync();
    const QByteArray file = readAll(rig.settings->fileName());
    QVERIFY(file.contains("tokenFrom=flag"));
    QVERIFY(!file.contains(secret.toUtf8()));

    // --token was given for A: B gets no token at all.
    QCOMPARE(rig.servers->connectTo(wsUrl(b.port()).toString(), QString()), QString());
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(b.framesOfType(MessageType::Auth).size(), 0);
    QCOMPARE(rig.manager->options().token, QString());
    // Back to A: its token is this run's --token, so it authenticates again.
    QCOMPARE(rig.servers->switchTo(1), QString());
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(a.framesOfType(MessageType::Auth).size(), 2);
}

void tst_ServerProfiles::tokenSourceNotAskedForOtherServers()
{
    // --token-file / --token-command go with the servers given with them, as --token does.
    const QString secret = QStringLiteral("tok-from-file-5d1e");
    TestServer a;
    a.requiredToken = secret;
    TestServer b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    auto asked = std::make_shared<int>(0);
    const TokenSourceFn source = [secret, asked](QString *token, QString *) {
        ++*asked;
        *token = secret;
        return true;
    };
    Rig rig;
    makeRig(rig, profileAt(a.port(), QStringLiteral("secured")), true, QString(), false, source);
    rig.manager->open();
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(*asked, 1);
    QCOMPARE(a.framesOfType(MessageType::Auth).size(), 1);

    QCOMPARE(rig.servers->connectTo(wsUrl(b.port()).toString(), QString()), QString());
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(b.framesOfType(MessageType::Auth).size(), 0);
    QVERIFY(!rig.manager->options().tokenSource);
    QCOMPARE(*asked, 1);
    // Back to A: the source is asked again and A authenticates.
    QCOMPARE(rig.servers->switchTo(1), QString());
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(a.framesOfType(MessageType::Auth).size(), 2);
    QCOMPARE(*asked, 2);
}

void tst_ServerProfiles::missingTokenIsSaidInWords()
{
    TestServer a;
    TestServer b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    QTemporaryDir dir;
    {
        // A profile saved by an earlier run that authenticated with --token.
        QSettings earlier(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        ProfileStore store;
        ServerProfile secured = profileAt(b.port(), QStringLiteral("secured"));
        secured.tokenSource = ServerProfile::TokenSource::Flag;
        store.record(secured);
        DashboardSettings(&earlier).setProfiles(store.profiles());
    }
    Rig rig;
    QVERIFY(QFile::copy(dir.filePath(QStringLiteral("settings.ini")),
                        rig.dir.filePath(QStringLiteral("settings.ini"))));
    makeRig(rig, profileAt(a.port()), true);
    rig.manager->open();
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    const int row = rig.switcher->store().indexOfName(QStringLiteral("secured"));
    QVERIFY(row >= 0);
    QCOMPARE(rig.servers->data(rig.servers->index(row), ServerListModel::TokenProblemRole).toString(),
             QStringLiteral("This server needs a token: start with --token or set PULSEBOARD_TOKEN"));
    QCOMPARE(rig.servers->switchTo(row),
             QStringLiteral("This server needs a token: start with --token or set PULSEBOARD_TOKEN"));
    // Nothing changed: still on A, B never saw a connection.
    QCOMPARE(rig.manager->state(), ConnectionManager::Open);
    QCOMPARE(rig.manager->url(), wsUrl(a.port()));
    QCOMPARE(b.connectionCount(), 0);
}

void tst_ServerProfiles::embeddedHubStartsAndStopsWithTheSwitch()
{
    TestServer a;
    QVERIFY(a.listen());
    Rig rig;
    makeRig(rig, profileAt(a.port(), QStringLiteral("A")), true, QString(), true);
    rig.manager->open();
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(rig.servers->rowCount(), 2); // the hub, then A
    QCOMPARE(rig.servers->currentRow(), 1);
    QVERIFY(!rig.session->embeddedHub()->isRunning());

    QSignalSpy tiles(rig.dashboard, &Dashboard::serverChanged);
    QCOMPARE(rig.servers->switchTo(0), QString());
    QVERIFY(rig.session->embeddedHub()->isRunning());
    QVERIFY(rig.dashboard->embeddedHub());
    QCOMPARE(tiles.size(), 1);
    QCOMPARE(rig.manager->url(), rig.session->embeddedHub()->url());
    QCOMPARE(rig.manager->options().queueFile, QString()); // it lives and dies with this process
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(rig.manager->subscriptions(), QStringList{QStringLiteral("demo.wave")});
    QTRY_VERIFY_WITH_TIMEOUT(rig.dashboard->store()->sources().contains(QStringLiteral("demo.wave")), 5000);
    QCOMPARE(rig.servers->currentRow(), 0);
    QCOMPARE(rig.servers->currentName(), QStringLiteral("This machine (embedded hub)"));
    QCOMPARE(rig.switcher->store().profiles().size(), 1); // the hub is not a stored profile

    // Back to A: the hub is shut down and goes away; A's charts start clean.
    QPointer<HubServer> hub = rig.session->embeddedHub()->server();
    QSignalSpy stopped(hub.data(), &HubServer::stopped);
    QCOMPARE(rig.servers->switchTo(1), QString());
    QVERIFY(!rig.dashboard->embeddedHub());
    QVERIFY(!rig.session->embeddedHub()->isRunning());
    QVERIFY(!rig.dashboard->store()->sources().contains(QStringLiteral("demo.wave")));
    QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(hub.isNull(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QCOMPARE(rig.manager->url(), wsUrl(a.port()));
    QCOMPARE(a.connectionCount(), 2);
}

void tst_ServerProfiles::switchKeepsTheConnectionTimeline()
{
    TestServer a;
    TestServer b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    ServerProfile startA = profileAt(a.port(), QStringLiteral("A"));
    // A real channel named like the dashboard's own figures.
    startA.channels = {QStringLiteral("health"), QStringLiteral("a.only")};
    Rig rig;
    makeRig(rig, startA, false);
    SeriesStore *store = rig.dashboard->store();
    const SeriesKey healthChannel = SeriesKey::channel(QStringLiteral("health"));
    rig.manager->open();
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    a.publish(QStringLiteral("health"), QJsonObject{{QStringLiteral("rttMs"), 999}});
    a.publish(QStringLiteral("a.only"), QJsonObject{{QStringLiteral("v"), 1}});
    QTRY_VERIFY_WITH_TIMEOUT(
        !store->fields(healthChannel).isEmpty() && store->sources().contains(QStringLiteral("a.only")), 5000);
    // The dashboard's figures are sampled every 50 ms; wait for a few.
    QTRY_VERIFY_WITH_TIMEOUT(
        store->buffer(HealthHistory::figuresKey(), QStringLiteral("msgsIn")) &&
            store->buffer(HealthHistory::figuresKey(), QStringLiteral("msgsIn"))->size() >= 3,
        5000);

    // The channel "health" and the dashboard's health are two sources: neither has the other's fields.
    const QStringList channelFields = store->fields(healthChannel);
    const QStringList ownFields = store->fields(HealthHistory::figuresKey());
    QVERIFY(ownFields.contains(QStringLiteral("msgsIn")));
    QVERIFY(!channelFields.contains(QStringLiteral("msgsIn")));
    for (const QString &field : channelFields)
        QVERIFY2(!ownFields.contains(field), qPrintable(field));
    QCOMPARE(store->sources(), (QStringList{QStringLiteral("a.only"), QStringLiteral("health")}));
    const StreamBuffer *connected = store->buffer(HealthHistory::eventsKey(), QStringLiteral("connected"));
    QVERIFY(connected);
    QCOMPARE(connected->size(), 1);
    const qint64 firstConnect = connected->at(0).t;
    const int samplesBefore = store->buffer(HealthHistory::figuresKey(), QStringLiteral("msgsIn"))->size();

    QCOMPARE(rig.servers->connectTo(wsUrl(b.port()).toString(), QStringLiteral("B")), QString());
    // The channels' series are gone, the channel "health" with them.
    QVERIFY(store->fields(healthChannel).isEmpty());
    QVERIFY(store->sources().isEmpty());
    // The connection timeline is the dashboard's: every figure and marker of A's time stays.
    QCOMPARE(store->fields(HealthHistory::figuresKey()), ownFields);
    QVERIFY(store->buffer(HealthHistory::figuresKey(), QStringLiteral("msgsIn"))->size() >= samplesBefore);
    connected = store->buffer(HealthHistory::eventsKey(), QStringLiteral("connected"));
    QVERIFY(connected);
    QCOMPARE(connected->at(0).t, firstConnect);
    const StreamBuffer *disconnected =
        store->buffer(HealthHistory::eventsKey(), QStringLiteral("disconnected"));
    QVERIFY(disconnected);
    QCOMPARE(disconnected->size(), 1); // leaving A
    // B connects: its marker joins A's on the same timeline.
    QTRY_COMPARE_WITH_TIMEOUT(rig.manager->state(), ConnectionManager::Open, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(store->buffer(HealthHistory::eventsKey(), QStringLiteral("connected"))->size(),
                              2, 5000);
    QCOMPARE(store->buffer(HealthHistory::eventsKey(), QStringLiteral("connected"))->at(0).t, firstConnect);
}

void tst_ServerProfiles::listChangesRowByRow()
{
    TestServer a;
    TestServer b;
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    Rig rig;
    makeRig(rig, profileAt(a.port(), QStringLiteral("A")), false, QString(), true);
    QAbstractItemModelTester tester(rig.servers, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(rig.servers, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(rig.servers, &QAbstractItemModel::rowsInserted);
    QSignalSpy moved(rig.servers, &QAbstractItemModel::rowsMoved);
    QSignalSpy changed(rig.servers, &QAbstractItemModel::dataChanged);
    auto names = [&] {
        QStringList out;
        for (int row = 0; row < rig.servers->rowCount(); ++row)
            out.append(rig.servers->data(rig.servers->index(row), ServerListModel::NameRole).toString());
        return out;
    };
    QCOMPARE(rig.servers->rowCount(), 1); // the hub; A is recorded once it connected
    rig.manager->open();
    QTRY_COMPARE_WITH_TIMEOUT(rig.servers->rowCount(), 2, 5000);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 1);
    QCOMPARE(rig.servers->currentRow(), 1);
    // Each row says what its protocol can promise (pulseboard.v1: everything).
    QCOMPARE(rig.servers->data(rig.servers->index(1), ServerListModel::ProtocolRole).toString(),
             QStringLiteral("pulseboard"));
    QCOMPARE(rig.servers->data(rig.servers->index(1), ServerListModel::GuaranteesRole).toString(),
             QStringLiteral("confirms publishes: yes; can resume: yes; gaps are detected"));
    QCOMPARE(rig.servers->data(rig.servers->index(0), ServerListModel::GuaranteesRole).toString(),
             QStringLiteral("confirms publishes: yes; can resume: yes; gaps are detected"));

    // A channel chosen in the Channels panel: one dataChanged, of A's row, for its channels.
    changed.clear();
    QVERIFY(rig.dashboard->subscribe(QStringLiteral("picked")));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
    QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>{ServerListModel::ChannelsRole});
    QVERIFY(rig.servers->data(rig.servers->index(1), ServerListModel::ChannelsRole)
                .toStringList()
                .contains(QStringLiteral("picked")));

    // To B: a new row first among the profiles, then back to A: a move, never a reset.
    QCOMPARE(rig.servers->connectTo(wsUrl(b.port()).toString(), QStringLiteral("B")), QString());
    QTRY_COMPARE_WITH_TIMEOUT(rig.servers->rowCount(), 3, 5000);
    QCOMPARE(names(), (QStringList{ServerProfile::embeddedName(), QStringLiteral("B"), QStringLiteral("A")}));
    QCOMPARE(rig.servers->currentRow(), 1);
    QCOMPARE(rig.servers->switchTo(2), QString());
    QTRY_COMPARE_WITH_TIMEOUT(moved.size(), 1, 5000);
    QCOMPARE(names(), (QStringList{ServerProfile::embeddedName(), QStringLiteral("A"), QStringLiteral("B")}));
    QCOMPARE(rig.servers->currentRow(), 1);
    QVERIFY(rig.servers->data(rig.servers->index(1), ServerListModel::CurrentRole).toBool());
    QVERIFY(!rig.servers->data(rig.servers->index(2), ServerListModel::CurrentRole).toBool());
    QCOMPARE(resets.size(), 0);

    // Forgetting B removes its row only.
    QSignalSpy removed(rig.servers, &QAbstractItemModel::rowsRemoved);
    QCOMPARE(rig.servers->forget(2), QString());
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 2);
    QCOMPARE(names(), (QStringList{ServerProfile::embeddedName(), QStringLiteral("A")}));
    QCOMPARE(rig.servers->forget(0), QStringLiteral("The embedded hub is built in"));
    QCOMPARE(resets.size(), 0);
}

QTEST_MAIN(tst_ServerProfiles)
#include "tst_serverprofiles.moc"
