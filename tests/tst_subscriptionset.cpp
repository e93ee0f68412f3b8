// Seq tracking per channel: duplicates dropped, gaps named exactly, resets noticed.
#include "client/SubscriptionSet.h"

#include <QTest>

using namespace Pulseboard;

class tst_SubscriptionSet : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void topicFiltersMatchConcreteNames();
    void keepsOrderAndMembership();
    void freshSubscriptionStartsAtServerSeq();
    void duplicatesAndGaps();
    void resumeKeepsLastSeq();
    void serverResetIsDetected();
    void epochIsKeptAndARestartStartsBeforeSeqOne();
};

void tst_SubscriptionSet::topicFiltersMatchConcreteNames()
{
    SubscriptionSet s;
    s.add(QStringLiteral("plain"));
    QVERIFY(!s.matchesFilter(QStringLiteral("plain"))); // exact names are contains()'s
    QVERIFY(!s.matchesFilter(QStringLiteral("a/b")));
    s.add(QStringLiteral("sensors/+/temp"));
    s.add(QStringLiteral("logs/#"));
    QVERIFY(s.matchesFilter(QStringLiteral("sensors/a/temp")));
    QVERIFY(!s.matchesFilter(QStringLiteral("sensors/a/humidity")));
    QVERIFY(s.matchesFilter(QStringLiteral("logs")));
    QVERIFY(s.matchesFilter(QStringLiteral("logs/app/err")));
    QVERIFY(!s.contains(QStringLiteral("logs/app/err"))); // a match is not a subscription
    s.remove(QStringLiteral("logs/#"));
    QVERIFY(!s.matchesFilter(QStringLiteral("logs/app/err")));
    QVERIFY(s.matchesFilter(QStringLiteral("sensors/b/temp")));
}

void tst_SubscriptionSet::keepsOrderAndMembership()
{
    SubscriptionSet s;
    QVERIFY(s.add(QStringLiteral("b")));
    QVERIFY(s.add(QStringLiteral("a")));
    QVERIFY(!s.add(QStringLiteral("b")));
    QCOMPARE(s.channels(), QStringList({QStringLiteral("b"), QStringLiteral("a")}));
    QVERIFY(s.remove(QStringLiteral("b")));
    QVERIFY(!s.remove(QStringLiteral("b")));
    QCOMPARE(s.size(), 1);
    QCOMPARE(s.accept(QStringLiteral("b"), 1), SubscriptionSet::Verdict::NotSubscribed);
}

void tst_SubscriptionSet::freshSubscriptionStartsAtServerSeq()
{
    SubscriptionSet s;
    s.add(QStringLiteral("c"));
    QCOMPARE(s.lastSeq(QStringLiteral("c")), -1);
    QVERIFY(!s.confirm(QStringLiteral("c"), 100, false));
    QCOMPARE(s.lastSeq(QStringLiteral("c")), 100);
    QCOMPARE(s.accept(QStringLiteral("c"), 101), SubscriptionSet::Verdict::Deliver);
}

void tst_SubscriptionSet::duplicatesAndGaps()
{
    SubscriptionSet s;
    const QString c = QStringLiteral("c");
    s.add(c);
    QCOMPARE(s.accept(c, 5), SubscriptionSet::Verdict::Deliver); // no baseline yet
    QCOMPARE(s.accept(c, 6), SubscriptionSet::Verdict::Deliver);
    QCOMPARE(s.accept(c, 6), SubscriptionSet::Verdict::Duplicate);
    QCOMPARE(s.accept(c, 3), SubscriptionSet::Verdict::Duplicate);
    SubscriptionSet::Gap gap;
    QCOMPARE(s.accept(c, 10, &gap), SubscriptionSet::Verdict::Gap);
    QCOMPARE(gap.from, 7);
    QCOMPARE(gap.to, 9);
    QCOMPARE(s.lastSeq(c), 10);
    QCOMPARE(s.duplicatesDropped(), 2u);
    QCOMPARE(s.gapsSeen(), 1u);
}

void tst_SubscriptionSet::resumeKeepsLastSeq()
{
    SubscriptionSet s;
    const QString c = QStringLiteral("c");
    s.add(c);
    s.confirm(c, 10, false);
    QCOMPARE(s.accept(c, 11), SubscriptionSet::Verdict::Deliver);
    // Reconnect: we asked with since=11, the server is at 15 and replays 12..15.
    QVERIFY(!s.confirm(c, 15, true));
    QCOMPARE(s.lastSeq(c), 11);
    for (qint64 seq = 12; seq <= 15; ++seq)
        QCOMPARE(s.accept(c, seq), SubscriptionSet::Verdict::Deliver);
    QCOMPARE(s.gapsSeen(), 0u);
}

void tst_SubscriptionSet::serverResetIsDetected()
{
    SubscriptionSet s;
    const QString c = QStringLiteral("c");
    s.add(c);
    s.confirm(c, 500, false);
    // A memory-only server restarted: its seq is behind ours. Without noticing, every new
    // message would be dropped as a duplicate.
    QVERIFY(s.confirm(c, 2, true));
    QCOMPARE(s.lastSeq(c), 2);
    QCOMPARE(s.accept(c, 3), SubscriptionSet::Verdict::Deliver);
}

void tst_SubscriptionSet::epochIsKeptAndARestartStartsBeforeSeqOne()
{
    SubscriptionSet set;
    set.add(QStringLiteral("a"));
    QVERIFY(set.epoch(QStringLiteral("a")).isEmpty());
    set.confirm(QStringLiteral("a"), 10, false);
    set.setEpoch(QStringLiteral("a"), QStringLiteral("e1"));
    QCOMPARE(set.accept(QStringLiteral("a"), 11), SubscriptionSet::Verdict::Deliver);
    QCOMPARE(set.epoch(QStringLiteral("a")), QStringLiteral("e1"));
    set.restart(QStringLiteral("a"), QStringLiteral("e2"));
    QCOMPARE(set.lastSeq(QStringLiteral("a")), qint64(0));
    QCOMPARE(set.epoch(QStringLiteral("a")), QStringLiteral("e2"));
    // Seq 1 of the new stream is new, not a duplicate of the old one.
    QCOMPARE(set.accept(QStringLiteral("a"), 1), SubscriptionSet::Verdict::Deliver);
    SubscriptionSet::Gap gap;
    QCOMPARE(set.accept(QStringLiteral("a"), 4, &gap), SubscriptionSet::Verdict::Gap);
    QCOMPARE(gap.from, qint64(2));
    QCOMPARE(set.duplicatesDropped(), 0u);
    // Subscribing afresh forgets it.
    set.remove(QStringLiteral("a"));
    set.add(QStringLiteral("a"));
    QVERIFY(set.epoch(QStringLiteral("a")).isEmpty());
    set.restart(QStringLiteral("unknown"), QStringLiteral("e3"));
    QVERIFY(!set.contains(QStringLiteral("unknown")));
}

QTEST_GUILESS_MAIN(tst_SubscriptionSet)
#include "tst_subscriptionset.moc"
