#include "dashboard/shell/DashboardConfig.h"

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
                                << u"window must be 60, 300, 900 or 3600 (seconds)"_s;
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
            << u"layout.panels: unknown panel 'graphs' (known: streams, health, channels, raw, console)"_s;
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
