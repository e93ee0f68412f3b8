// DashboardCommandLine: flags, the saved profile they name and the config file resolved into one
// DashboardLaunch, without a process or a display. A flag beats the profile, the profile beats
// the config and the defaults; the window set, the rate and port ranges, the kiosk's retry policy,
// --geometry and where the window goes; every refusal says what is wrong.
#include "client/DialectFactory.h"
#include "dashboard/servers/ProfileStore.h"
#include "dashboard/shell/DashboardCommandLine.h"
#include "dashboard/shell/DashboardSettings.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_DashboardCommandLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaultsStartTheEmbeddedHub();
    void embeddedLayoutOwnsTheDefaultChannels();
    void flagBeatsProfileBeatsDefault();
    void profileErrorsNameTheSavedOnes();
    void windowRule_data();
    void windowRule();
    void themeRule_data();
    void themeRule();
    void rateAndPortRules_data();
    void rateAndPortRules();
    void kioskNeverGivesUp();
    void geometry_data();
    void geometry();
    void windowPlacement();
    void settingsAndJournals();
    void tokensStayWithTheirServers();
    void protocolFromFlagProfileOrConfig();
    void protocolRefusals();

private:
    bool read(const QStringList &flags, DashboardLaunch *launch, QString *error = nullptr);
    QString refusal(const QStringList &flags);
    QString writeConfig(const QByteArray &json);

    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    DashboardCommandLine::Environment m_env;
    int m_configs = 0;
};

void tst_DashboardCommandLine::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_settings = std::make_unique<QSettings>(m_dir.filePath(u"settings.ini"_s), QSettings::IniFormat);
    ProfileStore store;
    ServerProfile lab;
    lab.name = u"lab"_s;
    lab.endpoints = {QUrl(u"ws://10.0.0.7:8080/"_s)};
    lab.channels = {u"sys.cpu"_s, u"orders"_s};
    lab.origin = u"https://ops.example"_s;
    lab.insecure = true;
    lab.configPath = writeConfig("{\"window\": 300, \"channels\": [\"from.config\"]}");
    store.record(lab);
    DashboardSettings(m_settings.get()).setProfiles(store.profiles());
    m_env.token = u"env-token"_s;
    m_env.dataDir = m_dir.filePath(u"data"_s);
}

QString tst_DashboardCommandLine::writeConfig(const QByteArray &json)
{
    const QString path = m_dir.filePath(u"config-%1.json"_s.arg(++m_configs));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

bool tst_DashboardCommandLine::read(const QStringList &flags, DashboardLaunch *launch, QString *error)
{
    QCommandLineParser parser;
    DashboardCommandLine commandLine;
    commandLine.addTo(parser);
    QString why;
    if (!parser.parse(QStringList{u"pulseboard"_s} + flags))
        why = parser.errorText();
    else if (commandLine.read(parser, m_settings.get(), m_env, launch, &why))
        return true;
    if (error)
        *error = why;
    return false;
}

QString tst_DashboardCommandLine::refusal(const QStringList &flags)
{
    DashboardLaunch launch;
    QString error;
    if (read(flags, &launch, &error))
        return u"(accepted)"_s;
    return error;
}

void tst_DashboardCommandLine::defaultsStartTheEmbeddedHub()
{
    DashboardLaunch l;
    QVERIFY(read({}, &l));
    QCOMPARE(l.action, DashboardLaunch::Action::Run);
    QVERIFY(l.embeddedHub());
    QCOMPARE(l.config.channels, (QStringList{u"sys.cpu"_s, u"sys.mem"_s, u"sys.net"_s, u"sys.load"_s}));
    QCOMPARE(l.config.charts.size(), 4);
    QCOMPARE(l.config.windowMs, 60000);
    QCOMPARE(l.config.displayRateHz, 20);
    QCOMPARE(l.connection.heartbeatIntervalMs, 5000); // the health panel charts RTT
    QCOMPARE(l.connection.maxRetries, 10);
    QCOMPARE(l.servers.hub.host, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(l.servers.hub.port, quint16(0));
    QCOMPARE(l.servers.hub.serverName, u"pulseboard (embedded hub)"_s);
    QCOMPARE(l.windowSize, QSize(1440, 900));
    QVERIFY(!l.windowGiven);
    QVERIFY(!l.kiosk);
    QCOMPARE(l.renderer, RendererMode::Auto);
    QCOMPARE(l.automation.screenshotDelayMs, -1);
    QCOMPARE(l.savedProfiles.size(), 1);

    QVERIFY(read({u"--list-profiles"_s}, &l));
    QCOMPARE(l.action, DashboardLaunch::Action::ListProfiles);
    QCOMPARE(l.savedProfiles.at(0).name, u"lab"_s);
}

void tst_DashboardCommandLine::embeddedLayoutOwnsTheDefaultChannels()
{
    // A config for the embedded hub that names no channel: the built-in layout's channels.
    DashboardLaunch l;
    const QString bare = writeConfig("{\"layout\": {\"columns\": 2}}");
    QVERIFY(read({u"--config"_s, bare}, &l));
    QVERIFY(l.embeddedHub());
    QCOMPARE(l.config.channels, l.servers.embeddedConfig.channels);
    QCOMPARE(l.config.channels.size(), 4);
    QCOMPARE(l.config.charts.size(), 0); // the rest of the config is the file's
    QCOMPARE(l.config.columns, 2);
    // One that does name channels keeps them.
    QVERIFY(read({u"--config"_s, writeConfig("{\"channels\": [\"mine\"]}")}, &l));
    QCOMPARE(l.config.channels, QStringList{u"mine"_s});
    // A --url run never gets them.
    QVERIFY(read({u"--config"_s, bare, u"--url"_s, u"ws://127.0.0.1:9/"_s}, &l));
    QVERIFY(l.config.channels.isEmpty());
}

void tst_DashboardCommandLine::flagBeatsProfileBeatsDefault()
{
    DashboardLaunch l;
    QVERIFY(read({u"--profile"_s, u"lab"_s}, &l));
    QVERIFY(!l.embeddedHub());
    QCOMPARE(l.connection.endpoints, QList<QUrl>{QUrl(u"ws://10.0.0.7:8080/"_s)});
    QCOMPARE(l.channels, (QStringList{u"sys.cpu"_s, u"orders"_s}));
    QCOMPARE(l.connection.origin, u"https://ops.example"_s);
    QVERIFY(l.connection.insecure);
    // The profile's config beats the default window; its channels are the config's.
    QCOMPARE(l.config.windowMs, 300000);
    QCOMPARE(l.config.channels, QStringList{u"from.config"_s});
    QCOMPARE(l.start.name, u"lab"_s);
    QCOMPARE(l.start.endpoints, l.connection.endpoints);
    QCOMPARE(l.start.channels, l.channels);
    QVERIFY(QFileInfo(l.start.configPath).isAbsolute());

    // Flags beat the profile, field by field.
    QVERIFY(read({u"--profile"_s, u"lab"_s, u"--url"_s, u"ws://127.0.0.1:4000/"_s, u"--subscribe"_s, u"x"_s,
                  u"--origin"_s, u"https://other.example"_s, u"--window"_s, u"900"_s, u"--config"_s,
                  writeConfig("{\"window\": 60}")},
                 &l));
    QCOMPARE(l.connection.endpoints, QList<QUrl>{QUrl(u"ws://127.0.0.1:4000/"_s)});
    QCOMPARE(l.channels, QStringList{u"x"_s});
    QCOMPARE(l.connection.origin, u"https://other.example"_s);
    QVERIFY(l.connection.insecure); // not given: still the profile's
    QCOMPARE(l.config.windowMs, 900000);
    QVERIFY(l.config.channels.isEmpty());
    QCOMPARE(l.start.name, u"lab"_s); // the profile is updated, not a new one
    QCOMPARE(l.start.endpoints, l.connection.endpoints);

    // The config's servers when neither flag nor profile names one.
    QVERIFY(read({u"--config"_s, writeConfig("{\"servers\": [\"ws://127.0.0.1:4001/\"]}")}, &l));
    QCOMPARE(l.connection.endpoints, QList<QUrl>{QUrl(u"ws://127.0.0.1:4001/"_s)});
    QVERIFY(!l.embeddedHub());
}

void tst_DashboardCommandLine::profileErrorsNameTheSavedOnes()
{
    QCOMPARE(refusal({u"--profile"_s, u"staging"_s}),
             u"no server profile named 'staging'; saved profiles: lab"_s);
    QCOMPARE(refusal({u"--profile"_s, u"lab"_s, u"--no-settings"_s}),
             u"--profile reads the saved settings; it cannot be used with --no-settings"_s);
    QCOMPARE(refusal({u"--list-profiles"_s, u"--no-settings"_s}),
             u"--list-profiles reads the saved settings; it cannot be used with --no-settings"_s);
    QCOMPARE(refusal({u"--config"_s, m_dir.filePath(u"nope.json"_s)}).startsWith(u"cannot read "_s), true);
    QCOMPARE(refusal({u"--renderer"_s, u"vulkan"_s}),
             u"--renderer must be auto, software or gpu, got 'vulkan'"_s);
}

void tst_DashboardCommandLine::windowRule_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<int>("windowMs");
    QTest::addColumn<QString>("error");
    QTest::newRow("default") << QStringList() << 60000 << QString();
    QTest::newRow("300") << QStringList{u"--window"_s, u"300"_s} << 300000 << QString();
    QTest::newRow("900") << QStringList{u"--window"_s, u"900"_s} << 900000 << QString();
    QTest::newRow("6h") << QStringList{u"--window"_s, u"21600"_s} << 21600000 << QString();
    QTest::newRow("24h") << QStringList{u"--window"_s, u"86400"_s} << 86400000 << QString();
    QTest::newRow("7d") << QStringList{u"--window"_s, u"604800"_s} << 604800000 << QString();
    QTest::newRow("120") << QStringList{u"--window"_s, u"120"_s} << 0
                         << u"--window must be 60, 300, 900, 3600, 21600, 86400 or 604800 (seconds)"_s;
    QTest::newRow("word") << QStringList{u"--window"_s, u"long"_s} << 0
                          << u"--window needs a whole number >= 1, got 'long'"_s;
    QTest::newRow("config") << QStringList{u"--config"_s, writeConfig("{\"window\": 900}")} << 900000
                            << QString();
    QTest::newRow("bad config") << QStringList{u"--config"_s, writeConfig("{\"window\": 30}")} << 0
                                << u"window must be 60, 300, 900, 3600, 21600, 86400 or 604800 (seconds)"_s;
}

void tst_DashboardCommandLine::windowRule()
{
    QFETCH(QStringList, flags);
    QFETCH(int, windowMs);
    QFETCH(QString, error);
    DashboardLaunch l;
    QString why;
    QCOMPARE(read(flags, &l, &why), error.isEmpty());
    if (!error.isEmpty()) {
        QVERIFY2(why.endsWith(error), qPrintable(why));
        return;
    }
    QCOMPARE(l.config.windowMs, windowMs);
    QCOMPARE(l.servers.embeddedConfig.windowMs, windowMs); // a switch to the hub keeps it
    QCOMPARE(l.windowGiven, flags.contains(u"--window"_s));
}

void tst_DashboardCommandLine::themeRule_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("theme");
    QTest::addColumn<QString>("error");
    QTest::newRow("none: the saved choice") << QStringList() << QString() << QString();
    QTest::newRow("dark") << QStringList{u"--theme"_s, u"dark"_s} << u"dark"_s << QString();
    QTest::newRow("light") << QStringList{u"--theme"_s, u"light"_s} << u"light"_s << QString();
    QTest::newRow("Light") << QStringList{u"--theme"_s, u"Light"_s} << u"light"_s << QString();
    QTest::newRow("solarized") << QStringList{u"--theme"_s, u"solarized"_s} << QString()
                               << u"--theme must be dark or light, not 'solarized'"_s;
}

void tst_DashboardCommandLine::themeRule()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, theme);
    QFETCH(QString, error);
    DashboardLaunch l;
    QString why;
    QCOMPARE(read(flags, &l, &why), error.isEmpty());
    QCOMPARE(why, error);
    if (error.isEmpty())
        QCOMPARE(l.theme, theme);
}

void tst_DashboardCommandLine::rateAndPortRules_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("error");
    QTest::newRow("rate 31") << QStringList{u"--display-rate"_s, u"31"_s}
                             << u"--display-rate must be 1-30 Hz"_s;
    QTest::newRow("rate 0") << QStringList{u"--display-rate"_s, u"0"_s}
                            << u"--display-rate needs a whole number >= 1, got '0'"_s;
    QTest::newRow("port high") << QStringList{u"--hub-port"_s, u"70000"_s} << u"--hub-port must be 0-65535"_s;
    QTest::newRow("port word") << QStringList{u"--hub-port"_s, u"x"_s}
                               << u"--hub-port needs a whole number >= 0, got 'x'"_s;
    QTest::newRow("port with url") << QStringList{u"--hub-port"_s, u"5000"_s, u"--url"_s,
                                                  u"ws://127.0.0.1:9/"_s}
                                   << u"--hub-port is for the embedded hub; it cannot be used with --url"_s;
    QTest::newRow("stats") << QStringList{u"--stats-interval"_s, u"50"_s}
                           << u"--stats-interval needs a whole number >= 100, got '50'"_s;
    QTest::newRow("delay") << QStringList{u"--screenshot-delay"_s, u"-1"_s}
                           << u"--screenshot-delay needs a whole number >= 0, got '-1'"_s;
}

void tst_DashboardCommandLine::rateAndPortRules()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, error);
    QCOMPARE(refusal(flags), error);
    DashboardLaunch l;
    QVERIFY(read({u"--display-rate"_s, u"30"_s, u"--hub-port"_s, u"5000"_s, u"--stats-interval"_s, u"100"_s},
                 &l));
    QCOMPARE(l.config.displayRateHz, 30);
    QCOMPARE(l.servers.embeddedConfig.displayRateHz, 30);
    QCOMPARE(l.servers.hub.port, quint16(5000));
    QCOMPARE(l.automation.statsIntervalMs, 100);
}

void tst_DashboardCommandLine::kioskNeverGivesUp()
{
    DashboardLaunch l;
    QVERIFY(read({u"--kiosk"_s}, &l));
    QVERIFY(l.kiosk);
    QCOMPARE(l.connection.maxRetries, 0);
    QCOMPARE(l.servers.base.maxRetries, 0); // and neither does a switched-to server
    QVERIFY(read({u"--kiosk"_s, u"--max-retries"_s, u"3"_s}, &l));
    QCOMPARE(l.connection.maxRetries, 3);
    QVERIFY(read({u"--max-retries"_s, u"0"_s}, &l));
    QCOMPARE(l.connection.maxRetries, 0);
    QVERIFY(!l.kiosk);
    QVERIFY(read({u"--heartbeat-interval"_s, u"1000"_s}, &l));
    QCOMPARE(l.connection.heartbeatIntervalMs, 1000);
}

void tst_DashboardCommandLine::geometry_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QSize>("size");
    QTest::newRow("ok") << u"800x600"_s << QSize(800, 600);
    QTest::newRow("smallest") << u"320x240"_s << QSize(320, 240);
    QTest::newRow("too small") << u"319x240"_s << QSize();
    QTest::newRow("one number") << u"800"_s << QSize();
    QTest::newRow("words") << u"wide x tall"_s << QSize();
    QTest::newRow("three") << u"800x600x2"_s << QSize();
}

void tst_DashboardCommandLine::geometry()
{
    QFETCH(QString, text);
    QFETCH(QSize, size);
    DashboardLaunch l;
    QString error;
    QCOMPARE(read({u"--geometry"_s, text}, &l, &error), size.isValid());
    if (size.isValid()) {
        QCOMPARE(l.windowSize, size);
        QVERIFY(l.geometryGiven);
    } else {
        QCOMPARE(error, u"--geometry needs WIDTHxHEIGHT, at least 320x240"_s);
    }
}

void tst_DashboardCommandLine::windowPlacement()
{
    const QRect saved(100, 50, 1000, 700);
    DashboardLaunch l;
    QVERIFY(read({}, &l));
    QCOMPARE(l.geometryToRestore(saved), saved);
    QCOMPARE(l.geometryToRestore(QRect()), QRect()); // nothing saved: windowSize
    QVERIFY(l.savesGeometry());
    QVERIFY(read({u"--geometry"_s, u"800x600"_s}, &l));
    QCOMPARE(l.geometryToRestore(saved), QRect()); // the flag wins, and the size is saved at quit
    QVERIFY(l.savesGeometry());
    QVERIFY(read({u"--kiosk"_s}, &l));
    QCOMPARE(l.geometryToRestore(saved), QRect());
    QVERIFY(!l.savesGeometry());
    QVERIFY(read({u"--screenshot"_s, m_dir.filePath(u"s.png"_s)}, &l));
    QCOMPARE(l.geometryToRestore(saved), QRect());
    QVERIFY(!l.savesGeometry());
    QVERIFY(read({u"--no-settings"_s}, &l));
    QCOMPARE(l.geometryToRestore(saved), QRect());
    QVERIFY(!l.savesGeometry());
}

void tst_DashboardCommandLine::settingsAndJournals()
{
    DashboardLaunch l;
    QVERIFY(read({}, &l));
    QVERIFY(l.readSettings && l.writeSettings);
    QCOMPARE(l.servers.journalDir, m_env.dataDir);
    // A screenshot run reads the settings (its --profile works) but leaves no trace.
    QVERIFY(read({u"--screenshot"_s, m_dir.filePath(u"s.png"_s), u"--profile"_s, u"lab"_s}, &l));
    QVERIFY(l.readSettings);
    QVERIFY(!l.writeSettings);
    QCOMPARE(l.servers.journalDir, QString());
    QCOMPARE(l.automation.screenshotFile, m_dir.filePath(u"s.png"_s));
    QVERIFY(read({u"--no-settings"_s}, &l));
    QVERIFY(!l.readSettings && !l.writeSettings);
    QVERIFY(l.savedProfiles.isEmpty());
    // --queue-file is for the servers it was given with.
    QVERIFY(
        read({u"--url"_s, u"ws://127.0.0.1:4002/"_s, u"--queue-file"_s, m_dir.filePath(u"q.journal"_s)}, &l));
    QCOMPARE(l.servers.explicitQueueFile, m_dir.filePath(u"q.journal"_s));
    QCOMPARE(l.servers.explicitQueueEndpoints, QList<QUrl>{QUrl(u"ws://127.0.0.1:4002/"_s)});
}

void tst_DashboardCommandLine::tokensStayWithTheirServers()
{
    DashboardLaunch l;
    QVERIFY(read({u"--url"_s, u"ws://127.0.0.1:4003/"_s, u"--token"_s, u"flag-token"_s}, &l));
    QCOMPARE(l.connection.token, u"flag-token"_s);
    QCOMPARE(l.servers.flagToken, u"flag-token"_s);
    QCOMPARE(l.servers.flagTokenEndpoints, QList<QUrl>{QUrl(u"ws://127.0.0.1:4003/"_s)});
    QCOMPARE(l.servers.envToken, u"env-token"_s);
    QVERIFY(read({u"--url"_s, u"ws://127.0.0.1:4003/"_s}, &l));
    QCOMPARE(l.connection.token, u"env-token"_s);
    QCOMPARE(l.servers.flagToken, QString());
}

void tst_DashboardCommandLine::protocolFromFlagProfileOrConfig()
{
    // A saved profile with a protocol and its settings (the last tests: others count profiles).
    {
        DashboardSettings saved(m_settings.get());
        ProfileStore store;
        store.load(saved.profiles());
        ServerProfile feed;
        feed.name = u"feed"_s;
        feed.endpoints = {QUrl(u"ws://10.0.0.8:9000/"_s)};
        feed.protocol = u"json"_s;
        feed.protocolConfig = QJsonObject{{u"comment"_s, u"profile"_s},
                                          {u"routes"_s, QJsonArray{QJsonObject{{u"channel"_s, u"x"_s}}}}};
        store.record(feed);
        saved.setProfiles(store.profiles());
    }
    const QString settings = m_dir.filePath(u"feed-settings.json"_s);
    {
        QFile f(settings);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"comment\": \"flag\", \"routes\": [{\"channel\": \"x\"}]}");
    }
    DashboardLaunch l;
    // The profile's protocol and settings came back from the settings file.
    QVERIFY(read({u"--profile"_s, u"feed"_s}, &l));
    QCOMPARE(l.connection.protocol, u"json"_s);
    QCOMPARE(l.connection.protocolConfig.value(u"comment"_s).toString(), u"profile"_s);
    QCOMPARE(l.start.protocol, u"json"_s);
    // A flag beats the profile.
    QVERIFY(read({u"--profile"_s, u"feed"_s, u"--protocol-config"_s, settings}, &l));
    QCOMPARE(l.connection.protocol, u"json"_s);
    QCOMPARE(l.connection.protocolConfig.value(u"comment"_s).toString(), u"flag"_s);
    // --mqtt-username adds its one setting to the profile's.
    QVERIFY(read({u"--profile"_s, u"feed"_s, u"--mqtt-username"_s, u"ops"_s}, &l));
    QCOMPARE(l.connection.protocolConfig.value(u"comment"_s).toString(), u"profile"_s);
    QCOMPARE(l.connection.protocolConfig.value(u"username"_s).toString(), u"ops"_s);
    QVERIFY(read({u"--profile"_s, u"feed"_s, u"--protocol"_s, u"pulseboard"_s}, &l));
    QCOMPARE(l.connection.protocol, u"pulseboard"_s);
    QVERIFY(l.start.protocol.isEmpty()); // recorded as the default
    // A profile without a protocol speaks pulseboard.
    QVERIFY(read({u"--profile"_s, u"lab"_s}, &l));
    QCOMPARE(l.connection.protocol, u"pulseboard"_s);
    QVERIFY(l.connection.protocolConfig.isEmpty());

    // The --config file's server entries name it too.
    QVERIFY(read(
        {u"--config"_s,
         writeConfig("{\"servers\": [{\"url\": \"ws://127.0.0.1:4005/\", \"protocol\": \"json\", "
                     "\"protocolConfig\": {\"comment\": \"config\", \"routes\": [{\"channel\": \"x\"}]}}]}")},
        &l));
    QCOMPARE(l.connection.endpoints, QList<QUrl>{QUrl(u"ws://127.0.0.1:4005/"_s)});
    QCOMPARE(l.connection.protocol, u"json"_s);
    QCOMPARE(l.connection.protocolConfig.value(u"comment"_s).toString(), u"config"_s);
    QCOMPARE(l.start.protocol, u"json"_s);
    // ... unless --url names another server (the config's entries are not about it).
    QVERIFY(
        read({u"--url"_s, u"ws://127.0.0.1:4006/"_s, u"--config"_s,
              writeConfig("{\"servers\": [{\"url\": \"ws://127.0.0.1:4005/\", \"protocol\": \"json\"}]}")},
             &l));
    QCOMPARE(l.connection.protocol, u"pulseboard"_s);
    // Flags on the command line with a URL.
    QVERIFY(read(
        {u"--url"_s, u"ws://127.0.0.1:4007/"_s, u"--protocol"_s, u"json"_s, u"--protocol-config"_s, settings},
        &l));
    QCOMPARE(l.connection.protocol, u"json"_s);
    QCOMPARE(l.start.protocolConfig.value(u"comment"_s).toString(), u"flag"_s);
}

void tst_DashboardCommandLine::protocolRefusals()
{
    const QString unknown = refusal({u"--url"_s, u"ws://127.0.0.1:4008/"_s, u"--protocol"_s, u"amqp"_s});
    QVERIFY2(unknown.contains(u"unknown protocol 'amqp' (known: "_s), qPrintable(unknown));
    QVERIFY2(unknown.contains(knownProtocols().join(u", "_s)), qPrintable(unknown));
    const QString embedded = refusal({u"--protocol"_s, u"json"_s, u"--protocol-config"_s,
                                      writeConfig("{\"routes\": [{\"channel\": \"x\"}]}")});
    QVERIFY2(embedded.contains(u"needs --url"_s), qPrintable(embedded));
    const QString badEntry =
        refusal({u"--config"_s,
                 writeConfig("{\"servers\": [{\"url\": \"ws://127.0.0.1:4009/\", \"protocolConfig\": 3}]}")});
    QVERIFY2(badEntry.contains(u"servers[0].protocolConfig must be a JSON object"_s), qPrintable(badEntry));
    const QString mixed =
        refusal({u"--config"_s, writeConfig("{\"servers\": [{\"url\": \"ws://127.0.0.1:4010/\", "
                                            "\"protocolConfig\": {\"a\": 1}}, \"ws://127.0.0.1:4011/\"]}")});
    QVERIFY2(mixed.contains(u"servers[1]"_s) && mixed.contains(u"same protocol"_s), qPrintable(mixed));
    const QString unknownInConfig = refusal(
        {u"--config"_s,
         writeConfig(
             "{\"servers\": [{\"url\": \"ws://127.0.0.1:4012/\", \"protocol\": \"carrier-pigeon\"}]}")});
    QVERIFY2(unknownInConfig.contains(u"unknown protocol 'carrier-pigeon'"_s), qPrintable(unknownInConfig));
    // A json server entry whose settings are not usable is refused at start, naming the setting.
    const QString badSettings =
        refusal({u"--config"_s,
                 writeConfig("{\"servers\": [{\"url\": \"ws://127.0.0.1:4013/\", \"protocol\": \"json\", "
                             "\"protocolConfig\": {\"routes\": [{\"channel\": \"x\", \"seq\": 3}]}}]}")});
    QVERIFY2(badSettings.contains(u"routes[0].seq: must be a string"_s), qPrintable(badSettings));
}

QTEST_GUILESS_MAIN(tst_DashboardCommandLine)
#include "tst_dashboardcommandline.moc"
