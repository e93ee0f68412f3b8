// DashboardSettings: every key under the name earlier versions wrote (so a user's saved settings
// load), the typed round trips, and the two ways of not persisting: no settings at all
// (--no-settings) and read-only (a screenshot run).
#include "dashboard/shell/DashboardSettings.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_DashboardSettings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keysKeepTheirNames();
    void savedChoicesLoad();
    void readOnlyAndAbsentWriteNothing();
};

void tst_DashboardSettings::keysKeepTheirNames()
{
    QTemporaryDir dir;
    QSettings raw(dir.filePath(u"s.ini"_s), QSettings::IniFormat);
    DashboardSettings settings(&raw);
    settings.setChartWindowMs(300000);
    settings.setTileFields(u"sys cpu/x"_s, {u"data.user"_s});
    settings.setWindowGeometry(QRect(10, 20, 800, 600));
    ServerProfile p;
    p.name = u"lab"_s;
    p.endpoints = {QUrl(u"ws://10.0.0.7:8080/"_s)};
    settings.setProfiles({p});
    QCOMPARE(raw.value(u"charts/windowMs"_s).toInt(), 300000);
    QCOMPARE(raw.value(u"fields/sys%20cpu%2Fx"_s).toStringList(), QStringList{u"data.user"_s});
    QCOMPARE(raw.value(u"window/geometry"_s).toRect(), QRect(10, 20, 800, 600));
    QCOMPARE(raw.value(u"profiles/size"_s).toInt(), 1);
    QCOMPARE(raw.value(u"profiles/1/name"_s).toString(), u"lab"_s);
    QCOMPARE(raw.value(u"profiles/1/endpoints"_s).toStringList(), QStringList{u"ws://10.0.0.7:8080/"_s});
    QCOMPARE(raw.value(u"profiles/1/tokenFrom"_s).toString(), u"none"_s);
    settings.setTileFields(u"sys cpu/x"_s, {});
    QVERIFY(!raw.contains(u"fields/sys%20cpu%2Fx"_s));
    // A layout is kept by its source, percent-encoded (a path, a URL), as the JSON text given.
    settings.setLayout(u"/home/ops/dash.json"_s, "[{\"channel\":\"sys.cpu\"}]");
    QCOMPARE(raw.value(u"layouts/%2Fhome%2Fops%2Fdash.json"_s).toString(), u"[{\"channel\":\"sys.cpu\"}]"_s);
    QCOMPARE(settings.layout(u"/home/ops/dash.json"_s), QByteArray("[{\"channel\":\"sys.cpu\"}]"));
    QCOMPARE(settings.layout(u"ws://10.0.0.7:8080/"_s), QByteArray());
    // An empty layout is none saved: the key goes (Reset layout).
    settings.setLayout(u"/home/ops/dash.json"_s, QByteArray());
    QVERIFY(!raw.contains(u"layouts/%2Fhome%2Fops%2Fdash.json"_s));
    QCOMPARE(settings.layout(u"/home/ops/dash.json"_s), QByteArray());
    // The theme, by name; a name that is not one is not written.
    QCOMPARE(settings.theme(), QString());
    settings.setTheme(u"light"_s);
    QCOMPARE(raw.value(u"appearance/theme"_s).toString(), u"light"_s);
    QCOMPARE(settings.theme(), u"light"_s);
    settings.setTheme(u"neon"_s);
    QCOMPARE(raw.value(u"appearance/theme"_s).toString(), u"light"_s);
    settings.setTheme(u"dark"_s);
    QCOMPARE(settings.theme(), u"dark"_s);
}

void tst_DashboardSettings::savedChoicesLoad()
{
    QTemporaryDir dir;
    QSettings raw(dir.filePath(u"s.ini"_s), QSettings::IniFormat);
    // As an earlier version wrote them.
    raw.setValue(u"charts/windowMs"_s, 900000);
    raw.setValue(u"fields/orders"_s, QStringList{u"data.total"_s, u"data.count"_s});
    raw.setValue(u"window/geometry"_s, QRect(1, 2, 640, 480));
    raw.beginWriteArray(u"profiles"_s, 2);
    raw.setArrayIndex(0);
    raw.setValue(u"name"_s, u"prod"_s);
    raw.setValue(u"endpoints"_s, QStringList{u"wss://a.example/ws"_s, u"http://not-ws/"_s});
    raw.setValue(u"tokenFrom"_s, u"env"_s);
    raw.setValue(u"lastUsedMs"_s, 1700000000000LL);
    raw.setArrayIndex(1);
    raw.setValue(u"name"_s, u"broken"_s); // no ws:// URL: skipped
    raw.setValue(u"endpoints"_s, QStringList{u"http://x/"_s});
    raw.endArray();
    const DashboardSettings settings(&raw);
    QCOMPARE(settings.chartWindowMs(), 900000);
    QCOMPARE(settings.tileFields().value(u"orders"_s), (QStringList{u"data.total"_s, u"data.count"_s}));
    QCOMPARE(settings.windowGeometry(), QRect(1, 2, 640, 480));
    QTest::ignoreMessage(
        QtWarningMsg,
        "pulseboard: settings: server profile 2 is not usable (no name or no ws:// URL); ignored");
    const QList<ServerProfile> profiles = settings.profiles();
    QCOMPARE(profiles.size(), 1);
    QCOMPARE(profiles.at(0).endpoints, QList<QUrl>{QUrl(u"wss://a.example/ws"_s)});
    QCOMPARE(profiles.at(0).tokenSource, ServerProfile::TokenSource::Environment);
    QCOMPARE(profiles.at(0).lastUsedMs, 1700000000000LL);
    // A window that is not one of ChartWindows is not used.
    raw.setValue(u"charts/windowMs"_s, 120000);
    QCOMPARE(settings.chartWindowMs(), 0);
    // A theme that is not one (edited by hand) reads as none saved.
    raw.setValue(u"appearance/theme"_s, u"neon"_s);
    QCOMPARE(settings.theme(), QString());
}

void tst_DashboardSettings::readOnlyAndAbsentWriteNothing()
{
    QTemporaryDir dir;
    QSettings raw(dir.filePath(u"s.ini"_s), QSettings::IniFormat);
    raw.setValue(u"charts/windowMs"_s, 300000);
    DashboardSettings readOnly(&raw, false);
    QVERIFY(readOnly.isReadable());
    QVERIFY(!readOnly.isWritable());
    QCOMPARE(readOnly.chartWindowMs(), 300000);
    readOnly.setChartWindowMs(900000);
    readOnly.setWindowGeometry(QRect(0, 0, 400, 300));
    readOnly.setProfiles({});
    readOnly.setTileFields(u"c"_s, {u"v"_s});
    readOnly.setLayout(u"embedded"_s, "[]");
    readOnly.setTheme(u"light"_s);
    QCOMPARE(raw.allKeys(), QStringList{u"charts/windowMs"_s});
    QCOMPARE(raw.value(u"charts/windowMs"_s).toInt(), 300000);

    DashboardSettings none;
    QVERIFY(!none.isReadable());
    QCOMPARE(none.chartWindowMs(), 0);
    QVERIFY(none.tileFields().isEmpty());
    QVERIFY(!none.windowGeometry().isValid());
    QVERIFY(none.profiles().isEmpty());
    QVERIFY(none.layout(u"embedded"_s).isEmpty());
    none.setLayout(u"embedded"_s, "[]");
    QCOMPARE(none.theme(), QString());
    none.setTheme(u"light"_s);
    none.setChartWindowMs(60000); // nothing to write to, nothing happens
}

QTEST_GUILESS_MAIN(tst_DashboardSettings)
#include "tst_dashboardsettings.moc"
