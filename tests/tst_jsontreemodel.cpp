// JsonTreeModel: real JSON in, the rows shown and their marks out: the default expansion, keys,
// pointers and field paths (escapes, indexes), changed / added / removed against the previous
// frame (objects by key, arrays by index, a type change as a whole), changes only, expanding
// and collapsing as row inserts and removals, long values cut with the whole one kept, which
// numbers can be charted, and the node bound.
#include "dashboard/connection/JsonTreeModel.h"
#include "protocol/JsonView.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

QJsonValue json(const char *text)
{
    return parseJsonValue(QByteArrayView(text)).value();
}

JsonTreeModel::Frame frame(const char *data, qint64 seq = 2)
{
    return {u"sys.cpu"_s, seq, 1000 + seq, json(data)};
}

// "pointer change" for each row, in order: what the view shows.
QStringList rows(const JsonTreeModel &m)
{
    QStringList out;
    for (int i = 0; i < m.rowCount(); ++i) {
        const QVariantMap r = m.rowAt(i);
        QString line = r.value(u"pointer"_s).toString();
        if (!r.value(u"change"_s).toString().isEmpty())
            line += u' ' + r.value(u"change"_s).toString();
        out.append(line);
    }
    return out;
}

QVariantMap rowOf(const JsonTreeModel &m, const QString &pointer)
{
    return m.rowAt(m.rowOfPointer(pointer));
}

} // namespace

class tst_JsonTreeModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void showsTheFrameExpandedToTheDefaultDepth()
    {
        JsonTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setFrame(frame(R"({"cpu": 12.5, "host": {"name": "a", "disk": {"free": 3}}, "cores": [1, 2],
                            "ok": true, "note": null})"),
                   std::nullopt);
        QVERIFY(m.hasFrame());
        QVERIFY(!m.hasPrevious());
        QCOMPARE(m.changedCount(), 0);
        // The root and depth 1 are open; host/disk (depth 2) is closed.
        QCOMPARE(rows(m), (QStringList{u"/data"_s, u"/data/cores"_s, u"/data/cores/0"_s, u"/data/cores/1"_s,
                                       u"/data/cpu"_s, u"/data/host"_s, u"/data/host/disk"_s,
                                       u"/data/host/name"_s, u"/data/note"_s, u"/data/ok"_s}));
        const QVariantMap root = m.rowAt(0);
        QCOMPARE(root.value(u"key"_s).toString(), u"data"_s);
        QCOMPARE(root.value(u"type"_s).toString(), u"object"_s);
        QCOMPARE(root.value(u"value"_s).toString(), u"{5 keys}"_s);
        QCOMPARE(root.value(u"depth"_s).toInt(), 0);
        QCOMPARE(root.value(u"childCount"_s).toInt(), 5);
        const QVariantMap disk = rowOf(m, u"/data/host/disk"_s);
        QCOMPARE(disk.value(u"expandable"_s).toBool(), true);
        QCOMPARE(disk.value(u"expanded"_s).toBool(), false);
        QCOMPARE(disk.value(u"depth"_s).toInt(), 2);
        QCOMPARE(disk.value(u"value"_s).toString(), u"{1 key}"_s);
        const QVariantMap core = rowOf(m, u"/data/cores/1"_s);
        QCOMPARE(core.value(u"key"_s).toString(), u"1"_s);
        QCOMPARE(core.value(u"field"_s).toString(), u"data.cores[1]"_s);
        QCOMPARE(core.value(u"type"_s).toString(), u"number"_s);
        QCOMPARE(core.value(u"value"_s).toString(), u"2"_s);
        QCOMPARE(rowOf(m, u"/data/cores"_s).value(u"value"_s).toString(), u"[2 items]"_s);
        QCOMPARE(rowOf(m, u"/data/host/name"_s).value(u"value"_s).toString(), u"\"a\""_s);
        QCOMPARE(rowOf(m, u"/data/host/name"_s).value(u"field"_s).toString(), u"data.host.name"_s);
        QCOMPARE(rowOf(m, u"/data/ok"_s).value(u"type"_s).toString(), u"boolean"_s);
        QCOMPARE(rowOf(m, u"/data/note"_s).value(u"value"_s).toString(), u"null"_s);
        QCOMPARE(rowOf(m, u"/data/note"_s).value(u"type"_s).toString(), u"null"_s);
        // Numbers are chartable (the fields the charts follow); strings are not.
        QVERIFY(rowOf(m, u"/data/cpu"_s).value(u"chartable"_s).toBool());
        QVERIFY(rowOf(m, u"/data/cores/0"_s).value(u"chartable"_s).toBool());
        QVERIFY(!rowOf(m, u"/data/host/name"_s).value(u"chartable"_s).toBool());
    }

    void marksChangedAddedAndRemoved()
    {
        JsonTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setFrame(
            frame(R"({"cpu": 97, "status": "error", "mem": {"used": 5, "free": 3}, "cores": [1, 9, 3],
                            "new": {"a": 1}, "same": "x", "kind": [1]})",
                  8),
            frame(R"({"cpu": 12.5, "status": "ok", "mem": {"used": 5, "swap": 0}, "cores": [1, 2, 3, 4],
                            "gone": true, "same": "x", "kind": {"k": 1}})",
                  7));
        QVERIFY(m.hasPrevious());
        QCOMPARE(m.previousSeq(), 7.0);
        QCOMPARE(m.previousReceivedMs(), 1007.0);
        QCOMPARE(rows(m),
                 (QStringList{u"/data"_s, u"/data/cores"_s, u"/data/cores/0"_s, u"/data/cores/1 changed"_s,
                              u"/data/cores/2"_s, u"/data/cores/3 removed"_s, u"/data/cpu changed"_s,
                              u"/data/gone removed"_s, u"/data/kind changed"_s, u"/data/kind/0"_s,
                              u"/data/mem"_s, u"/data/mem/free added"_s, u"/data/mem/swap removed"_s,
                              u"/data/mem/used"_s, u"/data/new added"_s, u"/data/new/a added"_s,
                              u"/data/same"_s, u"/data/status changed"_s}));
        // cores/1, cpu, kind, status changed; mem/free, new, new/a added; cores/3, gone, mem/swap removed.
        QCOMPARE(m.changedCount(), 4);
        QCOMPARE(m.addedCount(), 3);
        QCOMPARE(m.removedCount(), 3);
        const QVariantMap cpu = rowOf(m, u"/data/cpu"_s);
        QCOMPARE(cpu.value(u"value"_s).toString(), u"97"_s);
        QCOMPARE(cpu.value(u"previousValue"_s).toString(), u"12.5"_s);
        QCOMPARE(rowOf(m, u"/data/status"_s).value(u"previousValue"_s).toString(), u"\"ok\""_s);
        // A removed value is shown with what it was, and cannot be charted.
        const QVariantMap gone = rowOf(m, u"/data/gone"_s);
        QCOMPARE(gone.value(u"value"_s).toString(), u"true"_s);
        QCOMPARE(gone.value(u"previousValue"_s).toString(), QString());
        QCOMPARE(rowOf(m, u"/data/cores/3"_s).value(u"value"_s).toString(), u"4"_s);
        QVERIFY(!rowOf(m, u"/data/cores/3"_s).value(u"numeric"_s).toBool());
        QVERIFY(!rowOf(m, u"/data/cores/3"_s).value(u"chartable"_s).toBool());
        // An array that became an object: changed as a whole, its members not compared.
        const QVariantMap kind = rowOf(m, u"/data/kind"_s);
        QCOMPARE(kind.value(u"type"_s).toString(), u"array"_s);
        QCOMPARE(kind.value(u"previousValue"_s).toString(), u"{\"k\":1}"_s);
        QCOMPARE(kind.value(u"expanded"_s).toBool(), true);
        QCOMPARE(m.rowAt(m.rowOfPointer(u"/data/kind"_s) + 1).value(u"pointer"_s).toString(),
                 u"/data/kind/0"_s);
        QCOMPARE(m.rowAt(m.rowOfPointer(u"/data/kind"_s) + 1).value(u"change"_s).toString(), QString());
    }

    void changesOnlyShowsTheChangesAndTheWayToThem()
    {
        JsonTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy toggled(&m, &JsonTreeModel::changesOnlyChanged);
        m.setFrame(frame(R"({"a": 1, "b": {"c": {"d": {"e": 2, "f": 3}}}, "g": "same"})"),
                   frame(R"({"a": 1, "b": {"c": {"d": {"e": 1, "f": 3}}}, "g": "same"})", 1));
        // b/c/d is closed by default (depth 3) though a change is inside.
        QCOMPARE(m.rowOfPointer(u"/data/b/c/d/e"_s), -1);
        m.setChangesOnly(true);
        QCOMPARE(toggled.count(), 1);
        QCOMPARE(rows(m), (QStringList{u"/data"_s, u"/data/b"_s, u"/data/b/c"_s, u"/data/b/c/d"_s,
                                       u"/data/b/c/d/e changed"_s}));
        // A new frame keeps the mode.
        m.setFrame(frame(R"({"x": [1, 2], "y": 0})"), frame(R"({"x": [1], "y": 0})", 1));
        QCOMPARE(rows(m), (QStringList{u"/data"_s, u"/data/x"_s, u"/data/x/1 added"_s}));
        m.setChangesOnly(false);
        QCOMPARE(rows(m),
                 (QStringList{u"/data"_s, u"/data/x"_s, u"/data/x/0"_s, u"/data/x/1 added"_s, u"/data/y"_s}));
        // Nothing to compare with: changes only shows the root alone.
        m.setChangesOnly(true);
        m.setFrame(frame(R"({"x": 1})"), std::nullopt);
        QCOMPARE(rows(m), QStringList{u"/data"_s});
    }

    void expandsAndCollapsesRowByRow()
    {
        JsonTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setFrame(frame(R"({"a": {"b": {"c": 1, "d": [5, 6]}}, "z": 0})"), std::nullopt);
        QCOMPARE(rows(m), (QStringList{u"/data"_s, u"/data/a"_s, u"/data/a/b"_s, u"/data/z"_s}));
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        m.toggle(2); // a/b opens: c and d (d stays closed: depth 3)
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 3);
        QCOMPARE(inserted.at(0).at(2).toInt(), 4);
        QCOMPARE(rows(m), (QStringList{u"/data"_s, u"/data/a"_s, u"/data/a/b"_s, u"/data/a/b/c"_s,
                                       u"/data/a/b/d"_s, u"/data/z"_s}));
        m.toggle(4); // d opens
        QCOMPARE(m.rowCount(), 8);
        m.toggle(1); // a closes: everything under it goes in one removal
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 2);
        QCOMPARE(removed.at(0).at(2).toInt(), 6);
        QCOMPARE(rows(m), (QStringList{u"/data"_s, u"/data/a"_s, u"/data/z"_s}));
        m.toggle(1); // and opens as it was left inside (b and d still open)
        QCOMPARE(m.rowCount(), 8);
        QCOMPARE(reset.count(), 0);
        m.toggle(7); // a leaf: nothing happens
        QCOMPARE(m.rowCount(), 8);
        m.toggle(99);
        QCOMPARE(m.rowCount(), 8);
    }

    void keysArePointersAndFieldPaths()
    {
        JsonTreeModel m;
        m.setFrame(frame(R"({"a/b": 1, "t~x": 2, "list": [[7]]})"), std::nullopt);
        m.expandAll();
        QCOMPARE(rowOf(m, u"/data/a~1b"_s).value(u"key"_s).toString(), u"a/b"_s);
        QCOMPARE(rowOf(m, u"/data/t~0x"_s).value(u"key"_s).toString(), u"t~x"_s);
        QCOMPARE(rowOf(m, u"/data/list/0/0"_s).value(u"field"_s).toString(), u"data.list[0][0]"_s);
        QVERIFY(rowOf(m, u"/data/list/0/0"_s).value(u"chartable"_s).toBool());
    }

    void bareValuesAndLongStrings()
    {
        JsonTreeModel m;
        m.setFrame({u"c"_s, 1, 1, QJsonValue(42.25)}, JsonTreeModel::Frame{u"c"_s, 0, 0, QJsonValue(40)});
        QCOMPARE(rows(m), QStringList{u"/data changed"_s});
        QCOMPARE(m.rowAt(0).value(u"value"_s).toString(), u"42.25"_s);
        QCOMPARE(m.rowAt(0).value(u"previousValue"_s).toString(), u"40"_s);
        QCOMPARE(m.rowAt(0).value(u"field"_s).toString(), u"data"_s);
        QVERIFY(m.rowAt(0).value(u"chartable"_s).toBool());

        const QString longText(500, u'y');
        m.setFrame({u"c"_s, 2, 2, QJsonObject{{u"s"_s, longText}, {u"t"_s, 1764830000123.0}}}, std::nullopt);
        const QVariantMap s = rowOf(m, u"/data/s"_s);
        QVERIFY(s.value(u"elided"_s).toBool());
        QCOMPARE(s.value(u"value"_s).toString().size(), JsonTreeModel::kShownChars);
        QVERIFY(s.value(u"value"_s).toString().endsWith(QChar(0x2026)));
        QCOMPARE(s.value(u"fullValue"_s).toString(), u'"' + longText + u'"');
        // A millisecond time reads as the integer it is, not 1.76483e+12.
        QCOMPARE(rowOf(m, u"/data/t"_s).value(u"value"_s).toString(), u"1764830000123"_s);
        QVERIFY(!rowOf(m, u"/data/t"_s).value(u"elided"_s).toBool());
    }

    // A huge payload: the tree stops at kMaxNodes values and says so; a long array stays closed.
    void boundedForHugePayloads()
    {
        QJsonArray big;
        for (int i = 0; i < 20000; ++i)
            big.append(i);
        JsonTreeModel m;
        m.setFrame({u"c"_s, 1, 1, QJsonObject{{u"big"_s, big}}}, std::nullopt);
        QVERIFY(m.truncated());
        const QVariantMap row = rowOf(m, u"/data/big"_s);
        QCOMPARE(row.value(u"expanded"_s).toBool(), false);
        QCOMPARE(row.value(u"value"_s).toString(), u"[20000 items]"_s);
        QCOMPARE(row.value(u"childCount"_s).toInt(), JsonTreeModel::kMaxNodes - 2);
        QCOMPARE(m.rowCount(), 2);
        // Charted are the fields the charts follow: the first array items, not the 40th.
        m.toggle(1);
        QVERIFY(rowOf(m, u"/data/big/0"_s).value(u"chartable"_s).toBool());
        QVERIFY(!rowOf(m, u"/data/big/40"_s).value(u"chartable"_s).toBool());
        QVERIFY(rowOf(m, u"/data/big/40"_s).value(u"numeric"_s).toBool());

        m.clear();
        QVERIFY(!m.hasFrame());
        QCOMPARE(m.rowCount(), 0);
        QVERIFY(!m.truncated());
    }
};

QTEST_GUILESS_MAIN(tst_JsonTreeModel)
#include "tst_jsontreemodel.moc"
