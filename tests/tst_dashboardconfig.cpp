#include "dashboard/shell/DashboardConfig.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_DashboardConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesAFullConfig()
    {
        // Plain literals: moc misreads raw strings holding unbalanced braces.
        const QByteArray json =
            QByteArray() + "{" + "\"servers\": [\"ws://10.0.0.5:8765\", \"wss://backup.example:443/ws\"]," +
            "\"channels\": [\"sys.cpu\", \"orders\"]," + "\"window\": 300," + "\"staleAfterMs\": 8000," +
            "\"displayRateHz\": 15," +
            "\"charts\": [{\"channel\": \"sys.cpu\", \"title\": \"CPU\", \"unit\": \"%\", \"min\": 0, "
            "\"max\": 100," +
            "\"fields\": [\"data.total\"]," +
            "\"thresholds\": {\"data.total\": {\"warn\": 70, \"alarm\": 90}}}," +
            "{\"channel\": \"sys.mem\", \"thresholds\": {\"data.availableBytes\": {\"alarm\": 1e9, "
            "\"below\": true}}}]," +
            "\"layout\": {\"columns\": 2, \"panels\": [\"streams\", \"health\"], \"cycleSeconds\": 20}," +
            "\"colour\": \"blue\"" + "}";
        DashboardConfig c;
        QString error;
        QVERIFY2(DashboardConfig::parse(json, &c, &error), qPrintable(error));
        QCOMPARE(c.servers.size(), 2);
        QCOMPARE(c.servers.at(1).host(), u"backup.example"_s);
        QCOMPARE(c.channels, (QStringList{u"sys.cpu"_s, u"orders"_s}));
        QCOMPARE(c.windowMs, 300000);
        QCOMPARE(c.staleAfterMs, 8000);
        QCOMPARE(c.displayRateHz, 15);
        QCOMPARE(c.charts.size(), 2);
        QCOMPARE(c.charts.at(0).title, u"CPU"_s);
        QCOMPARE(*c.charts.at(0).max, 100.0);
        QCOMPARE(c.charts.at(1).title, u"sys.mem"_s);
        QCOMPARE(c.columns, 2);
        QCOMPARE(c.panels, (QStringList{u"streams"_s, u"health"_s}));
        QCOMPARE(c.cycleSeconds, 20);
        QCOMPARE(c.warnings, QStringList{u"config: unknown key 'colour' ignored"_s});

        const Threshold cpu = c.charts.at(0).thresholds.value(u"data.total"_s);
        QCOMPARE(thresholdLevel(cpu, 50), 0);
        QCOMPARE(thresholdLevel(cpu, 70), 1);
        QCOMPARE(thresholdLevel(cpu, 95), 2);
        const Threshold mem = c.charts.at(1).thresholds.value(u"data.availableBytes"_s);
        QCOMPARE(thresholdLevel(mem, 5e8), 2);
        QCOMPARE(thresholdLevel(mem, 5e9), 0);

        const QVariantMap v = DashboardConfig::chartToVariant(c.charts.at(0));
        QCOMPARE(v.value(u"min"_s).toDouble(), 0.0);
        QCOMPARE(v.value(u"thresholds"_s).toMap().value(u"data.total"_s).toMap().value(u"alarm"_s).toDouble(),
                 90.0);
    }

    void refusesBadInput_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << QByteArray("{") << u"not valid JSON at offset 1: unterminated object"_s;
        QTest::newRow("array") << QByteArray("[]") << u"the top level must be a JSON object"_s;
        QTest::newRow("http url") << QByteArray("{\"servers\":[\"http://x\"]}")
                                  << u"servers[0]: 'http://x' is not a ws:// or wss:// URL"_s;
        QTest::newRow("servers not array") << QByteArray("{\"servers\":\"ws://x/\"}")
                                           << u"servers must be an array of URLs or {\"url\", \"protocol\", "
                                              u"\"protocolConfig\"} objects"_s;
        QTest::newRow("server entry number")
            << QByteArray("{\"servers\":[5]}")
            << u"servers[0] must be a URL string or an object with \"url\""_s;
        QTest::newRow("server entry without url") << QByteArray("{\"servers\":[{\"protocol\":\"json\"}]}")
                                                  << u"servers[0].url must be a ws:// or wss:// URL string"_s;
        QTest::newRow("server protocol not text")
            << QByteArray("{\"servers\":[{\"url\":\"ws://x/\",\"protocol\":1}]}")
            << u"servers[0].protocol must be a string"_s;
        QTest::newRow("window") << QByteArray("{\"window\":120}")
                                << u"window must be 60, 300, 900, 3600, 21600, 86400 or 604800 (seconds)"_s;
        QTest::newRow("channel name")
            << QByteArray("{\"channels\":[\"a b\"]}") << u"channels: 'a b' is not a valid channel name"_s;
        QTest::newRow("chart min max") << QByteArray("{\"charts\":[{\"channel\":\"c\",\"min\":5,\"max\":1}]}")
                                       << u"charts[0]: min must be below max"_s;
        QTest::newRow("threshold type")
            << QByteArray(
                   "{\"charts\":[{\"channel\":\"c\",\"thresholds\":{\"data.x\":{\"warn\":\"high\"}}}]}")
            << u"charts[0].thresholds.data.x.warn must be a number"_s;
        QTest::newRow("empty threshold")
            << QByteArray("{\"charts\":[{\"channel\":\"c\",\"thresholds\":{\"data.x\":{}}}]}")
            << u"charts[0].thresholds.data.x needs warn and/or alarm"_s;
        QTest::newRow("panel")
            << QByteArray("{\"layout\":{\"panels\":[\"graphs\"]}}")
            << u"layout.panels: unknown panel 'graphs' (known: streams, health, channels, raw, console, alerts)"_s;
        QTest::newRow("alerts not an array")
            << QByteArray("{\"alerts\":\"name=a gap\"}") << u"alerts must be an array of strings"_s;
        QTest::newRow("alert rule")
            << QByteArray("{\"alerts\":[\"name=hot channel=c field=/t above=high\"]}")
            << u"alerts: 'name=hot channel=c field=/t above=high': key 'above': 'high' is not a number"_s;
        QTest::newRow("alert names")
            << QByteArray("{\"alerts\":[\"name=a gap\",\"name=a stale=5s channel=c\"]}")
            << u"alerts: two rules are named 'a': each rule needs a name of its own"_s;
        QTest::newRow("rate") << QByteArray("{\"displayRateHz\":60}")
                              << u"config.displayRateHz must be a whole number from 1 to 30"_s;
    }
    void refusesBadInput()
    {
        QFETCH(QByteArray, json);
        DashboardConfig c;
        QString error;
        QVERIFY(!DashboardConfig::parse(json, &c, &error));
        QTEST(error, "error");
    }

    // What toJson() writes, parse() reads back as the same config, key for key; and writing
    // that again gives the same bytes.
    void roundTrip()
    {
        DashboardConfig c;
        c.servers = {QUrl(u"ws://10.0.0.5:8765/"_s), QUrl(u"wss://backup.example:443/ws"_s)};
        c.protocol = u"mqtt"_s;
        c.protocolConfig = QJsonObject{{u"username"_s, u"ops"_s}};
        c.channels = {u"sys.cpu"_s, u"plant/+/temp"_s};
        c.windowMs = 900000;
        c.staleAfterMs = 7000;
        c.displayRateHz = 12;
        c.columns = 3;
        c.panels = {u"streams"_s, u"health"_s};
        c.cycleSeconds = 30;
        c.alerts = {
            *AlertRule::parse(
                u"name=hot severity=critical channel=sys.cpu field=/total above=90 clear=85 for=10s"_s),
            *AlertRule::parse(u"name=gaps gap"_s)};
        ChartConfig cpu;
        cpu.channel = u"sys.cpu"_s;
        cpu.title = u"CPU \u00b7 all cores"_s;
        cpu.unit = u"%"_s;
        cpu.fields = {u"data.total"_s, u"data.user"_s};
        cpu.min = 0;
        cpu.max = 100.5;
        cpu.wide = true;
        Threshold hot;
        hot.warn = 70;
        hot.alarm = 90.25;
        cpu.thresholds.insert(u"data.total"_s, hot);
        Threshold low;
        low.alarm = -1e9;
        low.below = true;
        cpu.thresholds.insert(u"data.user"_s, low);
        ChartConfig plain; // automatic fields, no range, nothing else
        plain.channel = u"demo.wave"_s;
        plain.title = u"demo.wave"_s;
        c.charts = {cpu, plain, cpu};
        c.charts[2].title = u"CPU again"_s;
        c.charts[2].wide = false;
        c.charts[2].max.reset();

        const QByteArray json = c.toJson();
        DashboardConfig back;
        QString error;
        QVERIFY2(DashboardConfig::parse(json, &back, &error),
                 qPrintable(error + u"\n"_s + QString::fromUtf8(json)));
        QVERIFY2(back.warnings.isEmpty(), qPrintable(back.warnings.join(u"; "_s)));
        QCOMPARE(back.servers, c.servers);
        QCOMPARE(back.protocol, c.protocol);
        QCOMPARE(back.protocolConfig, c.protocolConfig);
        QCOMPARE(back.channels, c.channels);
        QCOMPARE(back.windowMs, c.windowMs);
        QCOMPARE(back.staleAfterMs, c.staleAfterMs);
        QCOMPARE(back.displayRateHz, c.displayRateHz);
        QCOMPARE(back.columns, c.columns);
        QCOMPARE(back.panels, c.panels);
        QCOMPARE(back.cycleSeconds, c.cycleSeconds);
        QCOMPARE(back.alerts, c.alerts);
        QCOMPARE(back.charts.size(), c.charts.size());
        for (int i = 0; i < c.charts.size(); ++i) {
            const ChartConfig &a = c.charts.at(i);
            const ChartConfig &b = back.charts.at(i);
            QCOMPARE(b.channel, a.channel);
            QCOMPARE(b.title, a.title);
            QCOMPARE(b.unit, a.unit);
            QCOMPARE(b.fields, a.fields);
            QCOMPARE(b.min, a.min);
            QCOMPARE(b.max, a.max);
            QCOMPARE(b.wide, a.wide);
            QCOMPARE(b.thresholds.keys(), a.thresholds.keys());
            for (auto it = a.thresholds.cbegin(); it != a.thresholds.cend(); ++it) {
                const Threshold t = b.thresholds.value(it.key());
                QCOMPARE(t.warn, it->warn);
                QCOMPARE(t.alarm, it->alarm);
                QCOMPARE(t.below, it->below);
            }
        }
        QCOMPARE(back.toJson(), json);

        // The defaults round-trip too: a bare config writes what parse() assumes.
        DashboardConfig bare;
        DashboardConfig bareBack;
        QVERIFY2(DashboardConfig::parse(bare.toJson(), &bareBack, &error), qPrintable(error));
        QCOMPARE(bareBack.toJson(), bare.toJson());
        QVERIFY(bareBack.servers.isEmpty());
        QVERIFY(bareBack.charts.isEmpty());
        QCOMPARE(bareBack.windowMs, bare.windowMs);
    }

    void wideMustBeABoolean()
    {
        DashboardConfig c;
        QString error;
        QVERIFY(!DashboardConfig::parse("{\"charts\":[{\"channel\":\"c\",\"wide\":1}]}", &c, &error));
        QCOMPARE(error, u"charts[0].wide must be true or false"_s);
    }

    void loadRemembersTheFile()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"dash.json"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"channels\": [\"sys.cpu\"]}");
        f.close();
        DashboardConfig c;
        QString error;
        QVERIFY2(DashboardConfig::load(file, &c, &error), qPrintable(error));
        QCOMPARE(c.source, QFileInfo(file).absoluteFilePath());
    }

    void missingFile()
    {
        DashboardConfig c;
        QString error;
        QVERIFY(!DashboardConfig::load(u"/nonexistent/dash.json"_s, &c, &error));
        QVERIFY(error.startsWith(u"cannot read /nonexistent/dash.json"_s));
    }
};

QTEST_GUILESS_MAIN(tst_DashboardConfig)
#include "tst_dashboardconfig.moc"
