// TileModel: one tile's change updates its row in place; subscribing or dropping a channel
// inserts or removes one row; the other rows (and the QML tiles made from them) are untouched.
// On the display tick the model re-reads what each tile shows (arrival, staleness, newest
// values, threshold levels) and notifies exactly the rows and roles that changed, or nothing.
#include "dashboard/charts/TileModel.h"

#include <QAbstractItemModelTester>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {
QVariantMap tile(const QString &channel, const QStringList &fields = {})
{
    return {{QStringLiteral("channel"), channel}, {QStringLiteral("fields"), fields}};
}
QVariantMap limits(std::optional<double> warn, std::optional<double> alarm, bool below = false)
{
    Threshold t;
    t.warn = warn;
    t.alarm = alarm;
    t.below = below;
    return t.toVariant();
}

// What the dashboard's channel list and series store would say, as plain values a test sets.
struct FakeReadings
{
    QHash<QString, qint64> lastMs;
    QSet<QString> fresh;             // channels not stale
    QHash<QString, QVariant> values; // "channel/path"
    QSet<QString> retained;          // newest value is a broker's stored one

    TileModel::Readings readings()
    {
        return {[this](const QString &c) { return lastMs.value(c); },
                [this](const QString &c) { return !fresh.contains(c); },
                [this](const QString &c, const QString &p) { return values.value(c + u'/' + p); },
                [this](const QString &c) { return retained.contains(c); }};
    }
};

QList<int> rolesOf(const QList<QVariant> &dataChangedArgs)
{
    QList<int> roles = dataChangedArgs.at(2).value<QList<int>>();
    std::sort(roles.begin(), roles.end());
    return roles;
}

QStringList channels(const TileModel &m)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out.append(m.data(m.index(r), TileModel::ChannelRole).toString());
    return out;
}
} // namespace

class tst_TileModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oneTileChangesInPlace()
    {
        TileModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("b")), tile(QStringLiteral("c"))});
        QCOMPARE(m.rowCount(), 3);
        QSignalSpy changed(&m, &TileModel::dataChanged);
        QSignalSpy reset(&m, &TileModel::modelReset);
        QSignalSpy inserted(&m, &TileModel::rowsInserted);
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("b"), {QStringLiteral("v")}),
                    tile(QStringLiteral("c"))});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(
            m.data(m.index(1), TileModel::SpecRole).toMap().value(QStringLiteral("fields")).toStringList(),
            QStringList{QStringLiteral("v")});
        // The same list again: no signal at all.
        m.setTiles(m.tiles());
        QCOMPARE(changed.count(), 1);
    }

    void subscribeAppendsAndUnsubscribeRemovesOneRow()
    {
        TileModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("b"))});
        QSignalSpy reset(&m, &TileModel::modelReset);
        QSignalSpy inserted(&m, &TileModel::rowsInserted);
        QSignalSpy removed(&m, &TileModel::rowsRemoved);
        QSignalSpy count(&m, &TileModel::countChanged);
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("b")), tile(QStringLiteral("c")),
                    tile(QStringLiteral("d"))});
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 2);
        QCOMPARE(inserted.at(0).at(2).toInt(), 3);
        QCOMPARE(channels(m), (QStringList{u"a"_s, u"b"_s, u"c"_s, u"d"_s}));
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("c")), tile(QStringLiteral("d"))});
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(channels(m), (QStringList{u"a"_s, u"c"_s, u"d"_s}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(count.count(), 2);
        QCOMPARE(m.property("count").toInt(), 3);
    }

    void tickNotifiesOnlyTheRowAndRolesThatChanged()
    {
        FakeReadings fake;
        TileModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setReadings(fake.readings());
        m.setTiles({tile(u"a"_s, {u"v"_s}), tile(u"b"_s, {u"v"_s}), tile(u"c"_s, {u"v"_s})});
        fake.lastMs = {{u"a"_s, 1000}, {u"b"_s, 1000}, {u"c"_s, 1000}};
        fake.fresh = {u"a"_s, u"b"_s, u"c"_s};
        fake.values = {{u"a/v"_s, 1.0}, {u"b/v"_s, 2.0}, {u"c/v"_s, 3.0}};
        m.refresh();
        QCOMPARE(m.data(m.index(1), TileModel::StaleRole).toBool(), false);
        QCOMPARE(m.data(m.index(1), TileModel::LastMessageMsRole).toDouble(), 1000.0);
        QCOMPARE(m.data(m.index(1), TileModel::LatestRole).toList(), QVariantList{2.0});

        QSignalSpy changed(&m, &TileModel::dataChanged);
        fake.fresh.remove(u"b"_s); // b went quiet; nothing else moved
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
        QCOMPARE(rolesOf(changed.at(0)), QList<int>{TileModel::StaleRole});
        QCOMPARE(m.data(m.index(1), TileModel::StaleRole).toBool(), true);

        // A new value on c and a newer message: that row, those two roles.
        changed.clear();
        fake.lastMs[u"c"_s] = 1200;
        fake.values[u"c/v"_s] = 4.0;
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 2);
        QCOMPARE(rolesOf(changed.at(0)), (QList<int>{TileModel::LastMessageMsRole, TileModel::LatestRole}));
        QCOMPARE(m.data(m.index(2), TileModel::LatestRole).toList(), QVariantList{4.0});

        // a's value turns out to be the broker's retained one: that row, that role.
        changed.clear();
        QCOMPARE(m.data(m.index(0), TileModel::RetainedRole).toBool(), false);
        fake.retained = {u"a"_s};
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
        QCOMPARE(rolesOf(changed.at(0)), QList<int>{TileModel::RetainedRole});
        QCOMPARE(m.data(m.index(0), TileModel::RetainedRole).toBool(), true);
        QVERIFY(m.roleNames().value(TileModel::RetainedRole) == "retained");
    }

    void tickThatChangesNothingEmitsNothing()
    {
        FakeReadings fake;
        fake.lastMs = {{u"a"_s, 500}};
        fake.fresh = {u"a"_s};
        fake.values = {{u"a/v"_s, 7.5}, {u"a/w"_s, qQNaN()}}; // a NaN stays the same NaN
        TileModel m;
        m.setReadings(fake.readings());
        m.setTiles({tile(u"a"_s, {u"v"_s, u"w"_s, u"missing"_s}), tile(u"b"_s)});
        QSignalSpy changed(&m, &TileModel::dataChanged);
        m.refresh();
        m.refresh();
        QCOMPARE(changed.count(), 0);
        const QVariantList latest = m.data(m.index(0), TileModel::LatestRole).toList();
        QCOMPARE(latest.size(), 3);
        QCOMPARE(latest.at(0).toDouble(), 7.5);
        QVERIFY(std::isnan(latest.at(1).toDouble()));
        QVERIFY(!latest.at(2).isValid()); // no value yet: undefined in QML
        QCOMPARE(m.data(m.index(1), TileModel::StaleRole).toBool(), true);
        QCOMPARE(m.data(m.index(1), TileModel::LastMessageMsRole).toDouble(), 0.0);
    }

    void alarmLevelBoundaries_data()
    {
        QTest::addColumn<QVariantMap>("threshold");
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<int>("level");
        const QVariantMap high = limits(70, 90);
        QTest::newRow("below warn") << high << QVariant(69.999) << 0;
        QTest::newRow("at warn") << high << QVariant(70.0) << 1;
        QTest::newRow("between") << high << QVariant(89.999) << 1;
        QTest::newRow("at alarm") << high << QVariant(90.0) << 2;
        QTest::newRow("above alarm") << high << QVariant(1e9) << 2;
        const QVariantMap low = limits(std::nullopt, 10, true);
        QTest::newRow("below: above the limit") << low << QVariant(10.001) << 0;
        QTest::newRow("below: at the limit") << low << QVariant(10.0) << 2;
        QTest::newRow("below: under it") << low << QVariant(-5.0) << 2;
        const QVariantMap warnOnly = limits(5, std::nullopt);
        QTest::newRow("warn only, far past it") << warnOnly << QVariant(500.0) << 1;
        QTest::newRow("no value yet") << high << QVariant() << 0;
        QTest::newRow("not a number") << high << QVariant(qQNaN()) << 0;
        QTest::newRow("no threshold") << QVariantMap() << QVariant(1e9) << 0;
    }
    void alarmLevelBoundaries()
    {
        QFETCH(QVariantMap, threshold);
        QFETCH(QVariant, value);
        QFETCH(int, level);
        FakeReadings fake;
        fake.values = {{u"a/v"_s, value}, {u"a/ok"_s, 0.0}};
        TileModel m;
        m.setReadings(fake.readings());
        QVariantMap spec = tile(u"a"_s, {u"ok"_s, u"v"_s});
        spec.insert(u"thresholds"_s, QVariantMap{{u"v"_s, threshold}, {u"ok"_s, limits(70, 90)}});
        m.setTiles({spec});
        QCOMPARE(m.data(m.index(0), TileModel::LevelsRole).toList(), (QVariantList{0, level}));
        QCOMPARE(m.data(m.index(0), TileModel::AlarmLevelRole).toInt(), level);
    }

    void levelChangeNotifiesLevelRoles()
    {
        FakeReadings fake;
        fake.values = {{u"a/v"_s, 50.0}};
        TileModel m;
        m.setReadings(fake.readings());
        QVariantMap spec = tile(u"a"_s, {u"v"_s});
        spec.insert(u"thresholds"_s, QVariantMap{{u"v"_s, limits(70, 90)}});
        m.setTiles({spec});
        QSignalSpy changed(&m, &TileModel::dataChanged);
        fake.values[u"a/v"_s] = 95.0;
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(rolesOf(changed.at(0)),
                 (QList<int>{TileModel::LatestRole, TileModel::LevelsRole, TileModel::AlarmLevelRole}));
        QCOMPARE(m.data(m.index(0), TileModel::AlarmLevelRole).toInt(), 2);
        // Another value in the same band: the value changes, the levels do not.
        changed.clear();
        fake.values[u"a/v"_s] = 96.0;
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(rolesOf(changed.at(0)), QList<int>{TileModel::LatestRole});
    }

    void valuesWaitForTheirIntervalButAlarmsAndStalenessDoNot()
    {
        FakeReadings fake;
        fake.lastMs = {{u"a"_s, 1000}};
        fake.fresh = {u"a"_s};
        fake.values = {{u"a/v"_s, 50.0}};
        TileModel m;
        m.setReadings(fake.readings());
        QVariantMap spec = tile(u"a"_s, {u"v"_s});
        spec.insert(u"thresholds"_s, QVariantMap{{u"v"_s, limits(70, 90)}});
        m.setTiles({spec});
        // Far longer than the test takes: every refresh after the first is inside the interval.
        m.setValueIntervalMs(3600 * 1000);
        m.refresh(); // the first is always due
        QCOMPARE(m.data(m.index(0), TileModel::LatestRole).toList(), QVariantList{50.0});
        QSignalSpy changed(&m, &TileModel::dataChanged);

        // A new value in the same band and a newer message: the arrival shows, the value waits.
        fake.lastMs[u"a"_s] = 1100;
        fake.values[u"a/v"_s] = 60.0;
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(rolesOf(changed.at(0)), QList<int>{TileModel::LastMessageMsRole});
        QCOMPARE(m.data(m.index(0), TileModel::LatestRole).toList(), QVariantList{50.0});

        // Past the alarm: it never waits, and brings the value that caused it.
        changed.clear();
        fake.values[u"a/v"_s] = 95.0;
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(rolesOf(changed.at(0)),
                 (QList<int>{TileModel::LatestRole, TileModel::LevelsRole, TileModel::AlarmLevelRole}));
        QCOMPARE(m.data(m.index(0), TileModel::LatestRole).toList(), QVariantList{95.0});

        // Gone quiet: staleness never waits either.
        changed.clear();
        fake.values[u"a/v"_s] = 96.0;
        fake.fresh.clear();
        m.refresh();
        QCOMPARE(changed.count(), 1);
        QVERIFY(rolesOf(changed.at(0)).contains(TileModel::StaleRole));
        QCOMPARE(m.data(m.index(0), TileModel::LatestRole).toList(), QVariantList{96.0});

        // Without an interval every refresh shows the newest value.
        changed.clear();
        fake.values[u"a/v"_s] = 97.0;
        m.refresh();
        QCOMPARE(changed.count(), 0);
        m.setValueIntervalMs(0);
        m.refresh();
        QCOMPARE(m.data(m.index(0), TileModel::LatestRole).toList(), QVariantList{97.0});
    }

    void newFieldsShowTheirValuesAtOnce()
    {
        FakeReadings fake;
        fake.values = {{u"a/v"_s, 1.0}, {u"a/w"_s, 2.0}};
        TileModel m;
        m.setReadings(fake.readings());
        m.setTiles({tile(u"a"_s, {u"v"_s})});
        QSignalSpy changed(&m, &TileModel::dataChanged);
        m.setTiles({tile(u"a"_s, {u"v"_s, u"w"_s})}); // the user picked another field
        QCOMPARE(changed.count(), 1);
        QCOMPARE(rolesOf(changed.at(0)),
                 (QList<int>{TileModel::SpecRole, TileModel::LatestRole, TileModel::LevelsRole}));
        QCOMPARE(m.data(m.index(0), TileModel::LatestRole).toList(), (QVariantList{1.0, 2.0}));
    }

    void otherChangesReset()
    {
        TileModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("b")), tile(QStringLiteral("c"))});
        QSignalSpy reset(&m, &TileModel::modelReset);
        m.setTiles({tile(QStringLiteral("c")), tile(QStringLiteral("a"))}); // reordered and one gone
        QCOMPARE(reset.count(), 1);
        QCOMPARE(channels(m), (QStringList{u"c"_s, u"a"_s}));
        m.setTiles({});
        QCOMPARE(m.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_TileModel)
#include "tst_tilemodel.moc"
