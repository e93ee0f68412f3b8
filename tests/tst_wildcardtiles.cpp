// WildcardTiles: a topic-filter subscription shows a tile per concrete topic seen under it, in
// the order first seen, up to its cap; a filter given up forgets its topics; other names are
// never filters.
#include "dashboard/charts/WildcardTiles.h"

#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_WildcardTiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void filtersAreWholeLevels_data();
    void filtersAreWholeLevels();
    void topicsSeenGetTilesInOrder();
    void capCountsTheRest();
    void subscriptionsChangeKeepsWhatStillMatches();
    void withoutFiltersNothingIsKept();
};

void tst_WildcardTiles::filtersAreWholeLevels_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("filter");
    QTest::newRow("plus level") << u"plant/+/temp"_s << true;
    QTest::newRow("hash last") << u"plant/#"_s << true;
    QTest::newRow("only hash") << u"#"_s << true;
    QTest::newRow("plain topic") << u"plant/line1/temp"_s << false;
    QTest::newRow("plus inside a level") << u"c++/news"_s << false;
    QTest::newRow("hash inside a level") << u"issue#12"_s << false;
    QTest::newRow("pulseboard channel") << u"sys.cpu"_s << false;
}

void tst_WildcardTiles::filtersAreWholeLevels()
{
    QFETCH(QString, name);
    QFETCH(bool, filter);
    QCOMPARE(WildcardTiles::isFilter(name), filter);
}

void tst_WildcardTiles::topicsSeenGetTilesInOrder()
{
    WildcardTiles w;
    w.setSubscriptions({u"plant/+/temp"_s, u"plant/line1/setpoint"_s});
    QVERIFY(w.hasFilters());
    QVERIFY(w.matchesOf(u"plant/+/temp"_s).isEmpty());
    QVERIFY(w.note(u"plant/line2/temp"_s));
    QVERIFY(!w.note(u"plant/line2/temp"_s)); // seen: nothing changes
    QVERIFY(!w.note(u"plant/line1/setpoint"_s)); // a concrete subscription, no filter's
    QVERIFY(!w.note(u"plant/line1/rpm"_s));       // matches no filter
    QVERIFY(w.note(u"plant/line1/temp"_s));
    QCOMPARE(w.matchesOf(u"plant/+/temp"_s), (QStringList{u"plant/line2/temp"_s, u"plant/line1/temp"_s}));
    QCOMPARE(w.overflowOf(u"plant/+/temp"_s), 0);
    // The filter itself arriving as a name is not a topic of it.
    QVERIFY(!w.note(u"plant/+/temp"_s));
}

void tst_WildcardTiles::capCountsTheRest()
{
    WildcardTiles w(3);
    w.setSubscriptions({u"s/#"_s});
    int changed = 0;
    for (int i = 0; i < 10; ++i)
        changed += w.note(u"s/%1"_s.arg(i)) ? 1 : 0;
    for (int i = 0; i < 10; ++i)
        QVERIFY(!w.note(u"s/%1"_s.arg(i))); // counted once each
    QCOMPARE(changed, 3);
    QCOMPARE(w.matchesOf(u"s/#"_s), (QStringList{u"s/0"_s, u"s/1"_s, u"s/2"_s}));
    QCOMPARE(w.overflowOf(u"s/#"_s), 7);
    QCOMPARE(w.maxPerFilter(), 3);
}

void tst_WildcardTiles::subscriptionsChangeKeepsWhatStillMatches()
{
    WildcardTiles w;
    w.setSubscriptions({u"a/+"_s, u"b/#"_s});
    QVERIFY(w.note(u"a/1"_s));
    QVERIFY(w.note(u"b/x/y"_s));
    // b/# given up, c/# added: a/+'s topics stay; a topic already seen shows under the new filter.
    w.setSubscriptions({u"a/+"_s, u"c/#"_s});
    QCOMPARE(w.matchesOf(u"a/+"_s), QStringList{u"a/1"_s});
    QVERIFY(w.matchesOf(u"b/#"_s).isEmpty());
    QVERIFY(!w.note(u"a/1"_s));
    QVERIFY(w.note(u"c/z"_s));
    QCOMPARE(w.matchesOf(u"c/#"_s), QStringList{u"c/z"_s});
    w.clear();
    QVERIFY(!w.hasFilters());
    QVERIFY(w.matchesOf(u"a/+"_s).isEmpty());
}

void tst_WildcardTiles::withoutFiltersNothingIsKept()
{
    WildcardTiles w;
    w.setSubscriptions({u"sys.cpu"_s, u"plant/line1/temp"_s});
    QVERIFY(!w.hasFilters());
    QVERIFY(!w.note(u"plant/line1/temp"_s));
    QVERIFY(w.matchesOf(u"plant/line1/temp"_s).isEmpty());
}

QTEST_GUILESS_MAIN(tst_WildcardTiles)
#include "tst_wildcardtiles.moc"
