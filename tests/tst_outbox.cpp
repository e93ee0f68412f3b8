// Outbox bookkeeping: bounds by count and bytes, refusal or drop-oldest (reported), order kept,
// sent publishes wait again after a disconnect, sent requests are handed back to fail.
#include "client/Outbox.h"

#include <QTest>

using namespace Pulseboard;

namespace {
Outbox::Entry entry(const QString &id, int bytes = 10, Outbox::Kind kind = Outbox::Kind::Publish)
{
    Outbox::Entry e;
    e.id = id;
    e.kind = kind;
    e.target = QStringLiteral("c");
    e.frame = QByteArray(bytes, 'x');
    return e;
}
} // namespace

class tst_Outbox : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void refusesWhenFullByCount();
    void refusesWhenFullByBytes();
    void dropOldestReportsVictims();
    void dropOldestNeverDropsSentEntries();
    void orderAndStates();
    void connectionLostRequeuesPublishesAndFailsRequests();
};

void tst_Outbox::refusesWhenFullByCount()
{
    Outbox box;
    box.setLimits({3, 1000, Outbox::Overflow::Refuse});
    for (int i = 0; i < 3; ++i)
        QVERIFY(box.enqueue(entry(QString::number(i))));
    QString why;
    QVERIFY(!box.enqueue(entry(QStringLiteral("3")), nullptr, &why));
    QVERIFY2(why.contains(QLatin1StringView("queue full")), qPrintable(why));
    QCOMPARE(box.count(), 3);
    QCOMPARE(box.bytes(), 30);
}

void tst_Outbox::refusesWhenFullByBytes()
{
    Outbox box;
    box.setLimits({100, 25, Outbox::Overflow::Refuse});
    QVERIFY(box.enqueue(entry(QStringLiteral("a"), 10)));
    QVERIFY(box.enqueue(entry(QStringLiteral("b"), 10)));
    QVERIFY(!box.enqueue(entry(QStringLiteral("c"), 10)));
    QString why;
    QVERIFY(!box.enqueue(entry(QStringLiteral("huge"), 26), nullptr, &why));
    QVERIFY(why.contains(QLatin1StringView("larger than the queue limit")));
    QCOMPARE(box.bytes(), 20);
}

void tst_Outbox::dropOldestReportsVictims()
{
    Outbox box;
    box.setLimits({2, 1000, Outbox::Overflow::DropOldest});
    QVERIFY(box.enqueue(entry(QStringLiteral("a"))));
    QVERIFY(box.enqueue(entry(QStringLiteral("b"))));
    QList<Outbox::Entry> dropped;
    QVERIFY(box.enqueue(entry(QStringLiteral("c")), &dropped));
    QCOMPARE(dropped.size(), 1);
    QCOMPARE(dropped.first().id, QStringLiteral("a"));
    QCOMPARE(box.entries().at(0).id, QStringLiteral("b"));
    QCOMPARE(box.entries().at(1).id, QStringLiteral("c"));
    QCOMPARE(box.bytes(), 20);
}

void tst_Outbox::dropOldestNeverDropsSentEntries()
{
    Outbox box;
    box.setLimits({2, 1000, Outbox::Overflow::DropOldest});
    box.enqueue(entry(QStringLiteral("a")));
    box.enqueue(entry(QStringLiteral("b")));
    box.markSent(0, 1);
    QList<Outbox::Entry> dropped;
    QVERIFY(box.enqueue(entry(QStringLiteral("c")), &dropped));
    QCOMPARE(dropped.size(), 1);
    QCOMPARE(dropped.first().id, QStringLiteral("b"));
    box.markSent(1, 2);
    // Everything is in flight: nothing may be dropped, so the new one is refused.
    QString why;
    QVERIFY(!box.enqueue(entry(QStringLiteral("d")), &dropped, &why));
    QVERIFY(why.contains(QLatin1StringView("awaiting acknowledgement")));
}

void tst_Outbox::orderAndStates()
{
    Outbox box;
    for (const char *id : {"a", "b", "c"})
        box.enqueue(entry(QString::fromLatin1(id)));
    QCOMPARE(box.nextQueued(), 0);
    box.markSent(0, 100);
    QCOMPARE(box.nextQueued(), 1);
    QCOMPARE(box.at(0).attempts, 1);
    QCOMPARE(box.at(0).sentAtMs, 100);
    QCOMPARE(box.queuedCount(), 2);
    auto taken = box.take(QStringLiteral("a"));
    QVERIFY(taken.has_value());
    QCOMPARE(taken->id, QStringLiteral("a"));
    QVERIFY(!box.take(QStringLiteral("a")).has_value());
    QCOMPARE(box.count(), 2);
    QCOMPARE(box.bytes(), 20);
}

void tst_Outbox::connectionLostRequeuesPublishesAndFailsRequests()
{
    Outbox box;
    box.enqueue(entry(QStringLiteral("p1")));
    box.enqueue(entry(QStringLiteral("r1"), 10, Outbox::Kind::Request));
    box.enqueue(entry(QStringLiteral("p2")));
    box.enqueue(entry(QStringLiteral("r2"), 10, Outbox::Kind::Request));
    box.markSent(0, 1);
    box.markSent(1, 1);
    // p2 and r2 never went out.
    const QList<Outbox::Entry> failed = box.connectionLost();
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().id, QStringLiteral("r1"));
    QCOMPARE(box.count(), 3);
    QCOMPARE(box.queuedCount(), 3);
    QCOMPARE(box.entries().at(0).id, QStringLiteral("p1"));
    QCOMPARE(box.entries().at(0).attempts, 1); // resent later with the same id
    QCOMPARE(box.bytes(), 30);
}

QTEST_GUILESS_MAIN(tst_Outbox)
#include "tst_outbox.moc"
