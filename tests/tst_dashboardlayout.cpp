// DashboardLayout: the charts the user builds. The dialog's draft becomes a chart or is refused
// with the reason (no channel, no field, a number that is not one, min not below max, warn past
// alarm); add, replace, remove, move and wide change exactly what they say and keep each chart's
// key through edits and moves; the layout serializes as --config's "charts" and reads back the
// same. Then the Dashboard: a chart added from a draft subscribes its channel and becomes a
// tile, is saved in the settings for the config it was built on and restored by the next
// Dashboard; touching an automatic tile pins the automatic tiles in the order shown; removing
// a tile drops a channel no tile shows any more; export writes a --config file that reads back
// as the same tiles and never replaces a file without being told.
#include "client/ConnectionManager.h"
#include "dashboard/charts/TileModel.h"
#include "dashboard/commands/CommandLibrary.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/shell/Dashboard.h"
#include "dashboard/shell/DashboardLayout.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

QVariantMap draft(const QString &channel, const QStringList &fields, const QString &min = QString(),
                  const QString &max = QString())
{
    return {{u"channel"_s, channel}, {u"fields"_s, fields}, {u"title"_s, QString()},
            {u"unit"_s, QString()},  {u"min"_s, min},       {u"max"_s, max}};
}

ChartConfig chart(const QString &channel, const QStringList &fields = {})
{
    ChartConfig c;
    c.channel = channel;
    c.title = channel;
    c.fields = fields;
    return c;
}

QStringList tileKeys(const Dashboard &d)
{
    QStringList keys;
    for (const QVariant &t : d.tileModel()->tiles())
        keys.append(t.toMap().value(u"key"_s, t.toMap().value(u"channel"_s)).toString());
    return keys;
}

QStringList tileChannels(const Dashboard &d)
{
    QStringList list;
    for (const QVariant &t : d.tileModel()->tiles())
        list.append(t.toMap().value(u"channel"_s).toString());
    return list;
}

} // namespace

class tst_DashboardLayout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void draftBecomesAChart()
    {
        QVariantMap d =
            draft(u" sys.cpu "_s, {u"data.total"_s, u" data.user"_s, u"data.total"_s}, u"0"_s, u"1e2"_s);
        d.insert(u"title"_s, u"  CPU "_s);
        d.insert(u"unit"_s, u"%"_s);
        d.insert(u"wide"_s, true);
        d.insert(u"thresholds"_s,
                 QVariantMap{{u"data.total"_s, QVariantMap{{u"warn"_s, u"70"_s}, {u"alarm"_s, u" 90.5"_s}}},
                             {u"data.user"_s, QVariantMap{{u"warn"_s, QString()}, {u"alarm"_s, QString()}}},
                             {u"data.gone"_s, QVariantMap{{u"warn"_s, u"1"_s}}}});
        ChartConfig c;
        QString error;
        QVERIFY2(DashboardLayout::fromDraft(d, &c, &error), qPrintable(error));
        QCOMPARE(c.channel, u"sys.cpu"_s);
        QCOMPARE(c.title, u"CPU"_s);
        QCOMPARE(c.unit, u"%"_s);
        QCOMPARE(c.fields, (QStringList{u"data.total"_s, u"data.user"_s})); // trimmed, once each
        QCOMPARE(c.min, std::optional<double>(0));
        QCOMPARE(c.max, std::optional<double>(100));
        QVERIFY(c.wide);
        // Only charted fields keep thresholds, and only those with a limit.
        QCOMPARE(c.thresholds.keys(), QStringList{u"data.total"_s});
        QCOMPARE(c.thresholds.value(u"data.total"_s).warn, std::optional<double>(70));
        QCOMPARE(c.thresholds.value(u"data.total"_s).alarm, std::optional<double>(90.5));

        // No title: the channel's name. And the draft the dialog gets back fills it again.
        QVERIFY(DashboardLayout::fromDraft(draft(u"demo.wave"_s, {u"data.value"_s}), &c, &error));
        QCOMPARE(c.title, u"demo.wave"_s);
        QVERIFY(!c.min && !c.max);
        const QVariantMap back = DashboardLayout::toDraft(c);
        QCOMPARE(back.value(u"min"_s).toString(), QString());
        QCOMPARE(back.value(u"fields"_s).toStringList(), QStringList{u"data.value"_s});
    }

    void badDraftIsRefusedWithTheReason_data()
    {
        QTest::addColumn<QVariantMap>("draft");
        QTest::addColumn<QString>("error");
        QTest::newRow("no channel") << draft(u" "_s, {u"data.x"_s}) << u"Choose a channel"_s;
        QTest::newRow("bad channel") << draft(u"a b"_s, {u"data.x"_s})
                                     << u"'a b' is not a valid channel name"_s;
        QTest::newRow("no field") << draft(u"c"_s, {}) << u"Choose at least one field to chart"_s;
        QTest::newRow("blank fields")
            << draft(u"c"_s, {u" "_s, QString()}) << u"Choose at least one field to chart"_s;
        QTest::newRow("field with space")
            << draft(u"c"_s, {u"data x"_s}) << u"'data x' is not a field path (like data.cpu.user)"_s;
        QTest::newRow("min text") << draft(u"c"_s, {u"data.x"_s}, u"low"_s)
                                  << u"Min must be a number (or empty), not 'low'"_s;
        QTest::newRow("max inf") << draft(u"c"_s, {u"data.x"_s}, QString(), u"inf"_s)
                                 << u"Max must be a number (or empty), not 'inf'"_s;
        QTest::newRow("min = max") << draft(u"c"_s, {u"data.x"_s}, u"5"_s, u"5"_s)
                                   << u"Min (5) must be below max (5)"_s;
        QTest::newRow("min > max") << draft(u"c"_s, {u"data.x"_s}, u"10"_s, u"-1"_s)
                                   << u"Min (10) must be below max (-1)"_s;
        QVariantMap warnText = draft(u"c"_s, {u"data.x"_s});
        warnText.insert(u"thresholds"_s, QVariantMap{{u"data.x"_s, QVariantMap{{u"warn"_s, u"7o"_s}}}});
        QTest::newRow("warn text") << warnText << u"Warn for data.x must be a number (or empty), not '7o'"_s;
        QVariantMap order = draft(u"c"_s, {u"data.x"_s});
        order.insert(u"thresholds"_s,
                     QVariantMap{{u"data.x"_s, QVariantMap{{u"warn"_s, u"90"_s}, {u"alarm"_s, u"70"_s}}}});
        QTest::newRow("warn above alarm") << order << u"data.x: warn (90) must not be above alarm (70)"_s;
        QVariantMap below = draft(u"c"_s, {u"data.x"_s});
        below.insert(u"thresholds"_s, QVariantMap{{u"data.x"_s, QVariantMap{{u"warn"_s, u"10"_s},
                                                                            {u"alarm"_s, u"20"_s},
                                                                            {u"below"_s, true}}}});
        QTest::newRow("below: warn under alarm")
            << below << u"data.x: with low values bad, warn (10) must not be below alarm (20)"_s;
    }
    void badDraftIsRefusedWithTheReason()
    {
        QFETCH(QVariantMap, draft);
        DashboardLayout layout;
        ChartConfig c;
        QString error;
        QVERIFY(!DashboardLayout::fromDraft(draft, &c, &error));
        QTEST(error, "error");
        QTEST(layout.validate(draft), "error");
    }

    void operationsKeepKeys()
    {
        DashboardLayout layout;
        QSignalSpy changed(&layout, &DashboardLayout::changed);
        layout.setCharts({chart(u"a"_s), chart(u"b"_s)});
        QCOMPARE(changed.count(), 1);
        const QString a = layout.keyAt(0);
        const QString b = layout.keyAt(1);
        QVERIFY(a.startsWith(u"chart:"_s) && a != b);
        layout.setCharts({chart(u"a"_s), chart(u"b"_s)}); // the same: nothing happens
        QCOMPARE(changed.count(), 1);
        QCOMPARE(layout.keyAt(0), a);

        QCOMPARE(layout.add(chart(u"c"_s, {u"data.v"_s})), 2);
        const QString c = layout.keyAt(2);
        QCOMPARE(layout.count(), 3);
        QVERIFY(layout.move(2, -1)); // c before b
        QCOMPARE(layout.charts().at(1).channel, u"c"_s);
        QCOMPARE(layout.keyAt(1), c);
        QCOMPARE(layout.indexOfKey(b), 2);
        QVERIFY(!layout.move(0, -1)); // already first
        QVERIFY(!layout.move(2, 1));  // already last
        QVERIFY(!layout.move(5, -1));
        QVERIFY(layout.setWide(0, true));
        QVERIFY(layout.charts().at(0).wide);
        ChartConfig edited = chart(u"a"_s, {u"data.x"_s});
        edited.title = u"A"_s;
        QVERIFY(layout.replace(0, edited));
        QCOMPARE(layout.keyAt(0), a); // an edit keeps the key
        QCOMPARE(layout.charts().at(0).title, u"A"_s);
        QVERIFY(!layout.replace(3, edited));
        QVERIFY(layout.showsChannel(u"b"_s));
        QVERIFY(layout.remove(2));
        QVERIFY(!layout.showsChannel(u"b"_s));
        QCOMPARE(layout.indexOfKey(b), -1);
        QVERIFY(!layout.remove(2));
        QCOMPARE(layout.indexOfKey(u"a"_s), -1); // a channel is not a chart key
        QCOMPARE(layout.indexOfKey(u"chart:x"_s), -1);
        // setCharts, add, move, setWide, replace, remove: one each; refusals none.
        QCOMPARE(changed.count(), 6);
    }

    void serializesAsConfigCharts()
    {
        DashboardLayout layout;
        ChartConfig c = chart(u"sys.cpu"_s, {u"data.total"_s});
        c.unit = u"%"_s;
        c.min = 0;
        c.max = 100;
        c.wide = true;
        Threshold t;
        t.warn = 70;
        t.alarm = 90;
        c.thresholds.insert(u"data.total"_s, t);
        layout.setCharts({c, chart(u"demo.wave"_s)});
        const QByteArray json = layout.toJson();

        DashboardLayout back;
        QStringList warnings;
        QString error;
        QVERIFY2(back.fromJson(json, &warnings, &error), qPrintable(error));
        QVERIFY(warnings.isEmpty());
        QCOMPARE(back.toJson(), json);
        QCOMPARE(back.charts().at(0).thresholds.value(u"data.total"_s).alarm, std::optional<double>(90));
        QVERIFY(back.charts().at(0).wide);
        // The same array is what --config's "charts" reads.
        DashboardConfig config;
        QVERIFY2(DashboardConfig::parse("{\"charts\": " + json + "}", &config, &error), qPrintable(error));
        QCOMPARE(config.charts.size(), 2);
        QCOMPARE(config.charts.at(0).fields, QStringList{u"data.total"_s});

        QVERIFY(!back.fromJson("{\"charts\": []}", &warnings, &error));
        QCOMPARE(error, u"the saved layout is not a JSON array of charts"_s);
        QVERIFY(!back.fromJson("[{\"channel\": \"c\", \"min\": 3, \"max\": 1}]", &warnings, &error));
        QCOMPARE(error, u"charts[0]: min must be below max"_s);
        QCOMPARE(back.count(), 2); // unchanged by a refusal
    }

    // The Dashboard builds on it: a chart from a draft subscribes and shows; it is saved for the
    // config it was built on and the next Dashboard starts with it.
    void dashboardSavesAndRestoresTheLayout()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(u"s.ini"_s), QSettings::IniFormat);
        DashboardConfig config;
        config.source = dir.filePath(u"dash.json"_s);
        config.charts = {chart(u"sys.cpu"_s, {u"data.total"_s})};
        Dashboard::Options options;
        options.config = config;
        options.settings = DashboardSettings(&settings);
        {
            ConnectionManager manager;
            ConnectionMirror mirror(&manager);
            Dashboard dashboard(&mirror, options);
            QCOMPARE(tileChannels(dashboard), QStringList{u"sys.cpu"_s});
            QVariantMap d = draft(u"demo.wave"_s, {u"data.value"_s}, u"-2"_s, u"2"_s);
            d.insert(u"title"_s, u"Wave"_s);
            QCOMPARE(dashboard.saveChart(QString(), d), QString());
            QVERIFY(manager.subscriptions().contains(u"demo.wave"_s));
            QCOMPARE(tileChannels(dashboard), (QStringList{u"sys.cpu"_s, u"demo.wave"_s}));
            const QVariantMap spec = dashboard.tileModel()->tiles().at(1).toMap();
            QCOMPARE(spec.value(u"title"_s).toString(), u"Wave"_s);
            QCOMPARE(spec.value(u"fields"_s).toStringList(), QStringList{u"data.value"_s});
            QCOMPARE(spec.value(u"max"_s).toDouble(), 2.0);

            // A refusal changes nothing.
            QCOMPARE(dashboard.saveChart(QString(), draft(u"x"_s, {u"data.v"_s}, u"3"_s, u"1"_s)),
                     u"Min (3) must be below max (1)"_s);
            QCOMPARE(dashboard.layout()->count(), 2);
            QVERIFY(!manager.subscriptions().contains(u"x"_s));

            // Move the new chart first and make it wide.
            const QString wave = tileKeys(dashboard).at(1);
            QVERIFY(dashboard.moveTile(wave, -1));
            QVERIFY(dashboard.setTileWide(wave, true));
            QCOMPARE(tileChannels(dashboard), (QStringList{u"demo.wave"_s, u"sys.cpu"_s}));
            QCOMPARE(tileKeys(dashboard).at(0), wave);
            QVERIFY(!dashboard.moveTile(wave, -1));
        }
        {
            ConnectionManager manager;
            ConnectionMirror mirror(&manager);
            Dashboard dashboard(&mirror, options);
            QCOMPARE(tileChannels(dashboard), (QStringList{u"demo.wave"_s, u"sys.cpu"_s}));
            QVERIFY(dashboard.tileModel()->tiles().at(0).toMap().value(u"wide"_s).toBool());
            QVERIFY(manager.subscriptions().contains(u"demo.wave"_s));
            // Removing the only tile of a channel unsubscribes it.
            QCOMPARE(dashboard.removeTile(tileKeys(dashboard).at(0)), QString());
            QCOMPARE(tileChannels(dashboard), QStringList{u"sys.cpu"_s});
            QVERIFY(!manager.subscriptions().contains(u"demo.wave"_s));
        }
        {
            // Another config file has its own layout: the saved one is not applied there.
            Dashboard::Options other = options;
            other.config.source = dir.filePath(u"other.json"_s);
            other.config.charts = {chart(u"orders"_s)};
            ConnectionManager manager;
            ConnectionMirror mirror(&manager);
            Dashboard dashboard(&mirror, other);
            QCOMPARE(tileChannels(dashboard), QStringList{u"orders"_s});
        }
        {
            // No settings (--no-settings): the config's charts, and nothing is kept.
            Dashboard::Options none = options;
            none.settings = DashboardSettings();
            ConnectionManager manager;
            ConnectionMirror mirror(&manager);
            Dashboard dashboard(&mirror, none);
            QCOMPARE(tileChannels(dashboard), QStringList{u"sys.cpu"_s});
        }
    }

    void automaticTilesArePinnedWhenTouched()
    {
        Dashboard::Options options;
        options.channels = {u"a"_s, u"b"_s, u"c"_s};
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        Dashboard dashboard(&mirror, options);
        QCOMPARE(tileKeys(dashboard), (QStringList{u"a"_s, u"b"_s, u"c"_s}));
        QCOMPARE(dashboard.layout()->count(), 0);
        QVERIFY(dashboard.moveTile(u"c"_s, -1));
        QCOMPARE(tileChannels(dashboard), (QStringList{u"a"_s, u"c"_s, u"b"_s}));
        QCOMPARE(dashboard.layout()->count(), 3);
        for (const QString &key : tileKeys(dashboard))
            QVERIFY2(key.startsWith(u"chart:"_s), qPrintable(key));
        // Pinned with automatic fields: none named.
        QVERIFY(dashboard.layout()->charts().at(1).fields.isEmpty());
        // A new subscription comes after, automatic.
        QVERIFY(dashboard.subscribe(u"d"_s));
        QCOMPARE(tileKeys(dashboard).last(), u"d"_s);
        // Removing an automatic tile unsubscribes it.
        QCOMPARE(dashboard.removeTile(u"d"_s), QString());
        QVERIFY(!manager.subscriptions().contains(u"d"_s));
        QCOMPARE(tileChannels(dashboard), (QStringList{u"a"_s, u"c"_s, u"b"_s}));
        // Editing a tile fills the dialog from it and keeps its key.
        const QString c = tileKeys(dashboard).at(1);
        QCOMPARE(dashboard.chartDraft(c).value(u"channel"_s).toString(), u"c"_s);
        QVariantMap d = draft(u"c"_s, {u"data.v"_s});
        d.insert(u"title"_s, u"Sea"_s);
        QCOMPARE(dashboard.saveChart(c, d), QString());
        QCOMPARE(tileKeys(dashboard).at(1), c);
        QCOMPARE(dashboard.tileModel()->tiles().at(1).toMap().value(u"title"_s).toString(), u"Sea"_s);
        QCOMPARE(dashboard.saveChart(u"chart:999"_s, d), u"There is no tile 'chart:999' any more"_s);
    }

    void editingAChartLetsItsOldChannelGo()
    {
        Dashboard::Options options;
        options.config.channels = {u"cfg"_s};
        options.channels = {u"given"_s}; // --subscribe, or the profile's
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        Dashboard dashboard(&mirror, options);
        auto subscribed = [&](const QString &c) { return manager.subscriptions().contains(c); };
        QCOMPARE(dashboard.saveChart(QString(), draft(u"a"_s, {u"data.v"_s})), QString());
        QVERIFY(subscribed(u"a"_s));
        const QString key = tileKeys(dashboard).at(0);
        QVERIFY2(key.startsWith(u"chart:"_s), qPrintable(key));

        // Subscribed only for the chart: it goes with the edit.
        QCOMPARE(dashboard.saveChart(key, draft(u"b"_s, {u"data.v"_s})), QString());
        QVERIFY(!subscribed(u"a"_s));
        QVERIFY(subscribed(u"b"_s));
        QCOMPARE(tileKeys(dashboard).at(0), key);
        QVERIFY(!tileChannels(dashboard).contains(u"a"_s));

        // Subscribed by hand: it stays, as an automatic tile.
        QVERIFY(dashboard.subscribe(u"hand"_s));
        QCOMPARE(dashboard.saveChart(key, draft(u"hand"_s, {u"data.v"_s})), QString());
        QVERIFY(!subscribed(u"b"_s));
        QCOMPARE(dashboard.saveChart(key, draft(u"c"_s, {u"data.v"_s})), QString());
        QVERIFY(subscribed(u"hand"_s));
        QVERIFY(tileChannels(dashboard).contains(u"hand"_s));

        // Listed by the config, or given at start: they stay.
        QCOMPARE(dashboard.saveChart(key, draft(u"cfg"_s, {u"data.v"_s})), QString());
        QVERIFY(!subscribed(u"c"_s));
        QCOMPARE(dashboard.saveChart(key, draft(u"given"_s, {u"data.v"_s})), QString());
        QVERIFY(subscribed(u"cfg"_s));
        QCOMPARE(dashboard.saveChart(key, draft(u"d"_s, {u"data.v"_s})), QString());
        QVERIFY(subscribed(u"given"_s));

        // Another chart still shows it: it stays.
        QCOMPARE(dashboard.saveChart(QString(), draft(u"d"_s, {u"data.w"_s})), QString());
        QCOMPARE(dashboard.saveChart(key, draft(u"e"_s, {u"data.v"_s})), QString());
        QVERIFY(subscribed(u"d"_s));
        QVERIFY(subscribed(u"e"_s));
        // An edit that keeps the channel changes no subscription.
        const QStringList before = manager.subscriptions();
        QCOMPARE(dashboard.saveChart(key, draft(u"e"_s, {u"data.x"_s})), QString());
        QCOMPARE(manager.subscriptions(), before);
        // Unsubscribed by hand, then charted: it was the chart's only, so it goes with the chart's edit.
        QVERIFY(dashboard.unsubscribe(u"hand"_s));
        QCOMPARE(dashboard.saveChart(key, draft(u"hand"_s, {u"data.v"_s})), QString());
        QVERIFY(!subscribed(u"e"_s));
        QCOMPARE(dashboard.saveChart(key, draft(u"f"_s, {u"data.v"_s})), QString());
        QVERIFY(!subscribed(u"hand"_s));
    }

    void resetLayoutGoesBackToTheConfig()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(u"s.ini"_s), QSettings::IniFormat);
        Dashboard::Options options;
        options.config.source = dir.filePath(u"dash.json"_s);
        options.config.channels = {u"sys.mem"_s};
        options.config.charts = {chart(u"sys.cpu"_s, {u"data.total"_s})};
        options.settings = DashboardSettings(&settings);
        const QString savedKey =
            u"layouts/"_s + QString::fromLatin1(QUrl::toPercentEncoding(options.config.source));
        {
            ConnectionManager manager;
            ConnectionMirror mirror(&manager);
            Dashboard dashboard(&mirror, options);
            QCOMPARE(dashboard.configChartCount(), 1);
            QCOMPARE(tileChannels(dashboard), (QStringList{u"sys.cpu"_s, u"sys.mem"_s}));
            // Built: a chart of its own channel, one by hand, the automatic tile moved first.
            QCOMPARE(dashboard.saveChart(QString(), draft(u"demo.wave"_s, {u"data.value"_s})), QString());
            QVERIFY(dashboard.subscribe(u"orders"_s));
            QVERIFY(dashboard.moveTile(u"orders"_s, -3));
            QCOMPARE(tileChannels(dashboard),
                     (QStringList{u"orders"_s, u"sys.cpu"_s, u"demo.wave"_s, u"sys.mem"_s}));
            QVERIFY(settings.contains(savedKey));

            QSignalSpy notice(dashboard.events(), &QAbstractItemModel::rowsInserted);
            QCOMPARE(dashboard.resetLayout(), 1);
            // The config's chart, then the automatic tiles of what stays subscribed; the chart's
            // own channel went with it, the one subscribed by hand and the config's stay.
            QCOMPARE(tileChannels(dashboard), (QStringList{u"sys.cpu"_s, u"sys.mem"_s, u"orders"_s}));
            QCOMPARE(tileKeys(dashboard).mid(1), (QStringList{u"sys.mem"_s, u"orders"_s}));
            QCOMPARE(dashboard.layout()->count(), 1);
            QCOMPARE(dashboard.layout()->charts().at(0).fields, QStringList{u"data.total"_s});
            QVERIFY(!manager.subscriptions().contains(u"demo.wave"_s));
            QVERIFY(manager.subscriptions().contains(u"orders"_s));
            QVERIFY(manager.subscriptions().contains(u"sys.mem"_s));
            QVERIFY(!settings.contains(savedKey));
            QVERIFY(notice.count() >= 1);
        }
        {
            // The next start has nothing saved: the config's charts.
            ConnectionManager manager;
            ConnectionMirror mirror(&manager);
            Dashboard dashboard(&mirror, options);
            QCOMPARE(tileChannels(dashboard), (QStringList{u"sys.cpu"_s, u"sys.mem"_s}));
            QCOMPARE(dashboard.layout()->count(), 1);
        }
    }

    void aChartMovesPastAutomaticTiles()
    {
        Dashboard::Options options;
        options.config.charts = {chart(u"a"_s, {u"data.v"_s})};
        options.channels = {u"b"_s};
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        Dashboard dashboard(&mirror, options);
        QCOMPARE(tileChannels(dashboard), (QStringList{u"a"_s, u"b"_s}));
        const QString a = tileKeys(dashboard).at(0);
        QVERIFY(dashboard.moveTile(a, 1));
        QCOMPARE(tileChannels(dashboard), (QStringList{u"b"_s, u"a"_s}));
        QCOMPARE(tileKeys(dashboard).at(1), a);
        QVERIFY(!dashboard.moveTile(a, 1));
    }

    void exportWritesAConfigAndAsksBeforeReplacing()
    {
        QTemporaryDir dir;
        DashboardConfig config;
        config.source = dir.filePath(u"start.json"_s);
        QFile start(config.source);
        QVERIFY(start.open(QIODevice::WriteOnly));
        start.write("{}");
        start.close();
        config.charts = {chart(u"sys.cpu"_s, {u"data.total"_s})};
        QString error;
        QStringList warnings;
        QVERIFY2(CommandTemplate::listFromJson(
                     QJsonArray{QJsonObject{{u"name"_s, u"restart"_s},
                                            {u"channel"_s, u"ops.restart"_s},
                                            {u"payload"_s, QJsonObject{{u"service"_s, u"{service}"_s}}}}},
                     u"commands"_s, &config.commands, &warnings, &error),
                 qPrintable(error));
        Dashboard::Options options;
        options.config = config;
        options.channels = {u"demo.wave"_s};
        // A rule given with --alert (not in the config): the file holds the rules in effect.
        const auto rule = AlertRule::parse(u"name=hot channel=sys.cpu field=/total above=90");
        QVERIFY(rule);
        options.alerts = {*rule};
        ConnectionManager manager;
        ConnectionMirror mirror(&manager);
        Dashboard dashboard(&mirror, options);
        QVERIFY(dashboard.setTileWide(tileKeys(dashboard).at(0), true));
        // A command saved in the app beside the config's: the file holds both.
        QCOMPARE(dashboard.commands()->save({{u"name"_s, u"scale"_s},
                                             {u"kind"_s, u"publish"_s},
                                             {u"target"_s, u"ops.scale"_s},
                                             {u"payload"_s, u"{\"n\": {n}}"_s},
                                             {u"params"_s, u"n=2"_s}},
                                            QString()),
                 QString());

        const QString file = dir.filePath(u"out/layout.json"_s);
        QVariantMap r = dashboard.exportLayout(file, false);
        QCOMPARE(r.value(u"error"_s).toString(), QString());
        DashboardConfig back;
        QVERIFY2(DashboardConfig::load(file, &back, &error), qPrintable(error));
        QCOMPARE(back.commands.size(), 2);
        QCOMPARE(back.commands.at(0).name, u"restart"_s);
        QCOMPARE(back.commands.at(1).name, u"scale"_s);
        QCOMPARE(back.commands.at(1).target, u"ops.scale"_s);
        QCOMPARE(back.alerts.size(), 1);
        QCOMPARE(back.alerts.at(0).name, u"hot"_s);
        // The layout's chart; the automatic tile comes from the channels, as it does here.
        QCOMPARE(back.charts.size(), 1);
        QCOMPARE(back.charts.at(0).channel, u"sys.cpu"_s);
        QVERIFY(back.charts.at(0).wide);
        QCOMPARE(back.channels, manager.subscriptions());
        QVERIFY(back.channels.contains(u"demo.wave"_s));
        QVERIFY(back.servers.isEmpty()); // none known: this manager has no server

        // It exists now: not replaced without being told; then replaced when told.
        r = dashboard.exportLayout(file, false);
        QVERIFY(r.value(u"exists"_s).toBool());
        QVERIFY(!r.value(u"isConfig"_s).toBool());
        QVERIFY(dashboard.moveTile(tileKeys(dashboard).at(1), -1));
        QCOMPARE(dashboard.exportLayout(file, true).value(u"error"_s).toString(), QString());
        QVERIFY(DashboardConfig::load(file, &back, &error));
        QCOMPARE(back.charts.size(), 2); // moving the automatic tile pinned it
        QCOMPARE(back.charts.at(0).channel, u"demo.wave"_s);
        QCOMPARE(back.charts.at(1).channel, u"sys.cpu"_s);

        // The config this run started with says so, and stays as it was.
        r = dashboard.exportLayout(config.source, false);
        QVERIFY(r.value(u"exists"_s).toBool());
        QVERIFY(r.value(u"isConfig"_s).toBool());
        QCOMPARE(r.value(u"error"_s).toString(),
                 u"%1 is the config this dashboard started with"_s.arg(config.source));
        QVERIFY(start.open(QIODevice::ReadOnly));
        QCOMPARE(start.readAll(), QByteArray("{}"));
        start.close();
        QCOMPARE(dashboard.exportLayout(u" "_s, false).value(u"error"_s).toString(), u"Give a file name"_s);
        QCOMPARE(dashboard.exportLayout(dir.path(), true).value(u"error"_s).toString(),
                 u"%1 is a folder"_s.arg(dir.path()));
    }
};

QTEST_GUILESS_MAIN(tst_DashboardLayout)
#include "tst_dashboardlayout.moc"
