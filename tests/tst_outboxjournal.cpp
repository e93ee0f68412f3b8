// The outbox journal: what was queued survives a restart in order, acked entries do not come
// back, and a torn or corrupt file loses at most its damaged tail, with a warning.
#include "client/Outbox.h"
#include "client/OutboxJournal.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;

namespace {
Outbox::Entry publish(const QString &id, const QByteArray &frame = QByteArray("{\"type\":\"publish\"}"))
{
    Outbox::Entry e;
    e.id = id;
    e.target = QStringLiteral("ops");
    e.frame = frame;
    e.enqueuedAtMs = 1000;
    return e;
}

// A journal holding one publish per id, closed again (as after a crash).
bool writeJournal(const QString &path, std::initializer_list<const char *> ids)
{
    OutboxJournal journal;
    QList<Outbox::Entry> restored;
    QString warning, error;
    if (!journal.open(path, &restored, &warning, &error))
        return false;
    for (const char *id : ids)
        journal.recordAdd(publish(QString::fromLatin1(id)));
    return true;
}

QStringList idsOf(const QList<Outbox::Entry> &entries)
{
    QStringList out;
    for (const auto &e : entries)
        out.append(e.id);
    return out;
}
} // namespace

class tst_OutboxJournal : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void crcKnownValue();
    void survivesRestartInOrder();
    void tornTailLosesOnlyTheTail();
    void corruptRecordStopsThere();
    void foreignFileStartsEmpty();
    void compactsWhenDeadRecordsDominate();
    void requestsAreNotJournaled();
};

void tst_OutboxJournal::crcKnownValue()
{
    QCOMPARE(OutboxJournal::crc32("123456789"), 0xCBF43926u); // the standard CRC-32 check value
}

void tst_OutboxJournal::survivesRestartInOrder()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/outbox.journal"));
    {
        OutboxJournal journal;
        QList<Outbox::Entry> restored;
        QString warning, error;
        QVERIFY(journal.open(path, &restored, &warning, &error));
        QVERIFY(restored.isEmpty());
        QVERIFY(warning.isEmpty());
        Outbox box;
        box.setJournal(&journal);
        for (const char *id : {"a", "b", "c", "d"})
            QVERIFY(box.enqueue(publish(QString::fromLatin1(id), QByteArray("frame-") + id)));
        QVERIFY(box.take(QStringLiteral("b")).has_value()); // acked
    }                                                       // "crash": nothing else is written
    OutboxJournal journal;
    QList<Outbox::Entry> restored;
    QString warning, error;
    QVERIFY(journal.open(path, &restored, &warning, &error));
    QVERIFY(warning.isEmpty());
    QCOMPARE(idsOf(restored), (QStringList{QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("d")}));
    QCOMPARE(restored.at(1).frame, QByteArray("frame-c"));
    QCOMPARE(restored.at(1).target, QStringLiteral("ops"));
    QCOMPARE(restored.at(1).enqueuedAtMs, 1000);
    // The file was compacted at open: three records after the header.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(OutboxJournal::parse(f.readAll()).records, 3);
}

void tst_OutboxJournal::tornTailLosesOnlyTheTail()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("j"));
    QVERIFY(writeJournal(path, {"a", "b", "c"}));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 full = f.size();
    QVERIFY(f.resize(full - 3)); // the last write was cut short
    f.close();
    OutboxJournal journal;
    QList<Outbox::Entry> restored;
    QString warning, error;
    QVERIFY(journal.open(path, &restored, &warning, &error));
    QCOMPARE(idsOf(restored), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY2(warning.contains(QLatin1StringView("torn")), qPrintable(warning));
    QVERIFY(warning.contains(QLatin1StringView("kept 2")));
    // The damage is gone from the file: the next open is clean.
    journal.close();
    QVERIFY(journal.open(path, &restored, &warning, &error));
    warning.clear();
    QVERIFY(journal.open(path, &restored, &warning, &error));
    QVERIFY(warning.isEmpty());
    QCOMPARE(restored.size(), 2);
}

void tst_OutboxJournal::corruptRecordStopsThere()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("j"));
    QVERIFY(writeJournal(path, {"a", "b", "c"}));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    f.close();
    const qsizetype second = bytes.indexOf("\"b\"");
    QVERIFY(second > 0);
    bytes[second] = 'X'; // a flipped byte inside record b
    const auto parsed = OutboxJournal::parse(bytes);
    QCOMPARE(idsOf(parsed.live), QStringList{QStringLiteral("a")});
    QVERIFY(parsed.warning.contains(QLatin1StringView("checksum")));
}

void tst_OutboxJournal::foreignFileStartsEmpty()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("j"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is somebody's notes, not a journal\n");
    f.close();
    OutboxJournal journal;
    QList<Outbox::Entry> restored;
    QString warning, error;
    QVERIFY(journal.open(path, &restored, &warning, &error));
    QVERIFY(restored.isEmpty());
    QVERIFY(warning.contains(QLatin1StringView("bad header")));
    // Random bytes of every length never crash the reader.
    QByteArray junk("PBJ1\n");
    for (int i = 0; i < 2000; ++i) {
        junk.append(char(i * 37 + 11));
        (void)OutboxJournal::parse(junk);
    }
}

void tst_OutboxJournal::compactsWhenDeadRecordsDominate()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("j"));
    OutboxJournal journal;
    QList<Outbox::Entry> restored;
    QString warning, error;
    QVERIFY(journal.open(path, &restored, &warning, &error));
    Outbox box;
    box.setLimits({100000, 1 << 30, Outbox::Overflow::Refuse});
    box.setJournal(&journal);
    for (int i = 0; i < 3000; ++i) {
        QVERIFY(box.enqueue(publish(QString::number(i))));
        if (i >= 2)
            box.take(QString::number(i - 2)); // acks trail by two
    }
    QCOMPARE(box.count(), 2);
    // Without compaction the file would hold 5998 records.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto parsed = OutboxJournal::parse(f.readAll());
    QVERIFY2(parsed.records < 1200, qPrintable(QString::number(parsed.records)));
    QCOMPARE(idsOf(parsed.live), (QStringList{QStringLiteral("2998"), QStringLiteral("2999")}));
}

void tst_OutboxJournal::requestsAreNotJournaled()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("j"));
    OutboxJournal journal;
    QList<Outbox::Entry> restored;
    QString warning, error;
    QVERIFY(journal.open(path, &restored, &warning, &error));
    Outbox box;
    box.setJournal(&journal);
    Outbox::Entry request = publish(QStringLiteral("r1"));
    request.kind = Outbox::Kind::Request;
    box.enqueue(request);
    box.enqueue(publish(QStringLiteral("p1")));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(idsOf(OutboxJournal::parse(f.readAll()).live), QStringList{QStringLiteral("p1")});
}

QTEST_GUILESS_MAIN(tst_OutboxJournal)
#include "tst_outboxjournal.moc"
