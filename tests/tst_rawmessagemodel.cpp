#include "dashboard/connection/RawMessageModel.h"
#include "protocol/EnvelopeDecoder.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QVariantMap>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_RawMessageModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void batchesNewestFirst()
    {
        RawMessageModel m;
        m.append(u"a"_s, 1, 100, QJsonObject{{u"x"_s, 1}}, 1000);
        m.append(u"b"_s, 7, 200, QJsonObject{{u"y"_s, 2}}, 1001);
        QCOMPARE(m.rowCount(), 0); // not before the flush
        m.flush();
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.channelAt(0), u"b"_s);
        QCOMPARE(m.textAt(0), u"{\"y\":2}"_s);
        QCOMPARE(m.data(m.index(0), RawMessageModel::SeqRole).toLongLong(), 7);
        QCOMPARE(m.data(m.index(1), RawMessageModel::TsRole).toLongLong(), 100);
        QCOMPARE(m.received(), 2u);
    }

    // Payloads kept from the MessageSink path: text in arrival order, cut long ones, bare values.
    void keepsPayloadText()
    {
        EnvelopeDecoder decoder;
        auto view = [&](const QByteArray &payload) {
            decoder.setFrame(QByteArray("{\"type\":\"message\",\"channel\":\"c\",\"seq\":1,\"data\":") +
                             payload + '}');
            Envelope env;
            MessageView message;
            decoder.decode(env, message);
            return PayloadText(message.data); // the view dies with the next frame; the text stays
        };
        RawMessageModel m;
        m.append(u"c"_s, 1, 10, view("{\"z\":1,\"a\":\"\\u00e9\"}"), 1000);
        m.append(u"c"_s, 2, 11, view("2.5"), 1001);
        m.append(u"c"_s, 3, 12, view("\"s\""), 1002);
        m.append(u"c"_s, 4, 13, view(QByteArray("{\"long\":\"") + QByteArray(3000, 'x') + "\"}"), 1003);
        m.flush();
        QCOMPARE(m.rowCount(), 4);
        QCOMPARE(m.textAt(3), u"{\"z\":1,\"a\":\"\u00e9\"}"_s);
        QCOMPARE(m.textAt(2), u"2.5"_s);
        QCOMPARE(m.textAt(1), u"\"s\""_s);
        QCOMPARE(m.textAt(0).size(), 2000);
        QVERIFY(m.textAt(0).startsWith(u"{\"long\":\"xxx"_s));
        QVERIFY(m.textAt(0).endsWith(QChar(0x2026)));
    }

    void pauseHoldsThenReleases()
    {
        RawMessageModel m;
        m.setPaused(true);
        for (int i = 0; i < 5; ++i)
            m.append(u"a"_s, i + 1, 0, QJsonValue(i), 1000 + i);
        m.flush();
        QCOMPARE(m.rowCount(), 0);
        QCOMPARE(m.held(), 5);
        m.setPaused(false);
        QCOMPARE(m.rowCount(), 5);
        QCOMPARE(m.held(), 0);
        QCOMPARE(m.textAt(0), u"4"_s);
    }

    // Not on screen: arrivals wait (bounded) and no rows are inserted; shown again, they come in.
    void hiddenViewGetsRowsWhenShown()
    {
        RawMessageModel m;
        m.setMaxRows(3);
        m.setViewShown(false);
        for (int i = 0; i < 5; ++i)
            m.append(u"a"_s, i + 1, 0, QJsonValue(i), 1000 + i);
        m.flush();
        QCOMPARE(m.rowCount(), 0);
        QCOMPARE(m.held(), 3);
        QCOMPARE(m.discarded(), 2u);
        m.setViewShown(true);
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.textAt(0), u"4"_s);
        QCOMPARE(m.textAt(2), u"2"_s);
        QCOMPARE(m.received(), 5u);
    }

    void filterMatchesChannelOrText()
    {
        RawMessageModel m;
        m.append(u"sys.cpu"_s, 1, 0, QJsonObject{{u"user"_s, 3}}, 1);
        m.append(u"orders"_s, 1, 0, QJsonObject{{u"sku"_s, u"CPU-9"_s}}, 2);
        m.append(u"orders"_s, 2, 0, QJsonObject{{u"sku"_s, u"X"_s}}, 3);
        m.flush();
        m.setFilter(u"cpu"_s);
        QCOMPARE(m.rowCount(), 2); // channel sys.cpu, and the text "CPU-9"
        m.append(u"sys.cpu"_s, 2, 0, QJsonValue(1), 4);
        m.append(u"other"_s, 1, 0, QJsonValue(1), 5);
        m.flush();
        QCOMPARE(m.rowCount(), 3);
        m.setFilter(QString());
        QCOMPARE(m.rowCount(), 5);
    }

    void boundedHistoryCountsWhatLeft()
    {
        RawMessageModel m;
        m.setMaxRows(3);
        for (int i = 0; i < 5; ++i)
            m.append(u"a"_s, i + 1, 0, QJsonValue(i), i);
        m.flush();
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.discarded(), 2u);
        QCOMPARE(m.textAt(2), u"2"_s);
    }

    // The selection is a frame, not a row: newer frames push it down and it stays picked.
    void selectionFollowsTheFrame()
    {
        RawMessageModel m;
        QSignalSpy changed(&m, &RawMessageModel::selectionChanged);
        m.append(u"a"_s, 1, 0, QJsonObject{{u"n"_s, 1}}, 1000);
        m.append(u"b"_s, 2, 0, QJsonObject{{u"n"_s, 2}}, 1001);
        m.flush();
        m.selectRow(1); // the older one: a, n 1
        QCOMPARE(m.selectedRow(), 1);
        QCOMPARE(m.selectedChannel(), u"a"_s);
        QCOMPARE(m.selectedText(), u"{\"n\":1}"_s);
        const double key = m.selectedKeyValue();
        QVERIFY(key > 0);
        QCOMPARE(m.data(m.index(1), RawMessageModel::KeyRole).toDouble(), key);
        QCOMPARE(changed.size(), 1);

        for (int i = 0; i < 3; ++i)
            m.append(u"c"_s, 10 + i, 0, QJsonObject{{u"n"_s, 10 + i}}, 1002 + i);
        m.flush();
        QCOMPARE(m.rowCount(), 5);
        QCOMPARE(m.selectedRow(), 4); // pushed down by the three new ones
        QCOMPARE(m.selectedKeyValue(), key);
        QCOMPARE(m.channelAt(m.selectedRow()), u"a"_s);
        QCOMPARE(m.selectedText(), u"{\"n\":1}"_s);
        QCOMPARE(m.keyAt(m.selectedRow()), key);
        QCOMPARE(m.rowOfKey(key), 4);
        QCOMPARE(changed.size(), 2);

        // Filtered out: no row, still the same frame (its words kept); back when the filter goes.
        m.setFilter(u"c"_s);
        QCOMPARE(m.selectedRow(), -1);
        QCOMPARE(m.selectedKeyValue(), key);
        QCOMPARE(m.selectedText(), u"{\"n\":1}"_s);
        m.setFilter(QString());
        QCOMPARE(m.selectedRow(), 4);

        m.clear();
        QCOMPARE(m.selectedKeyValue(), 0.0);
        QCOMPARE(m.selectedRow(), -1);
        QVERIFY(m.selectedText().isEmpty());
        m.select(key); // a key no longer kept picks nothing
        QCOMPARE(m.selectedKeyValue(), 0.0);
    }
    // A filter starting with '/' is a path filter over {channel, seq, ts, data}; one that does
    // not parse filters nothing and says why; another text is the substring filter again.
    void pathFilter()
    {
        RawMessageModel m;
        m.append(u"sys.cpu"_s, 1, 100, QJsonObject{{u"cpu"_s, 95}, {u"status"_s, u"error"_s}}, 1000);
        m.append(u"sys.cpu"_s, 2, 101, QJsonObject{{u"cpu"_s, 10}, {u"status"_s, u"ok"_s}}, 1001);
        m.append(u"sys.mem"_s, 3, 102, QJsonObject{{u"used"_s, 95}}, 1002);
        m.append(u"demo.n"_s, 4, 103, QJsonValue(7), 1003);
        m.flush();
        QSignalSpy changed(&m, &RawMessageModel::filterChanged);

        m.setFilter(u"/data/cpu > 90"_s);
        QVERIFY(m.isPathFilter());
        QCOMPARE(m.filterError(), QString());
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.data(m.index(0), RawMessageModel::SeqRole).toLongLong(), 1);

        m.setFilter(u"/data/status == \"ok\""_s);
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.data(m.index(0), RawMessageModel::SeqRole).toLongLong(), 2);
        m.setFilter(u"/data/used exists"_s);
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.channelAt(0), u"sys.mem"_s);
        m.setFilter(u"/channel == \"sys.cpu\""_s);
        QCOMPARE(m.rowCount(), 2);
        m.setFilter(u"/data >= 7"_s); // a bare value is /data
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.channelAt(0), u"demo.n"_s);
        m.setFilter(u"/seq < 3"_s);
        QCOMPARE(m.rowCount(), 2);

        // Frames arriving are filtered as they come.
        m.setFilter(u"/data/cpu > 90"_s);
        m.append(u"sys.cpu"_s, 5, 104, QJsonObject{{u"cpu"_s, 99.5}}, 1004);
        m.append(u"sys.cpu"_s, 6, 105, QJsonObject{{u"cpu"_s, 1}}, 1005);
        m.flush();
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.data(m.index(0), RawMessageModel::SeqRole).toLongLong(), 5);

        // Malformed: every frame shown, and the reason.
        m.setFilter(u"/data/status == error"_s);
        QVERIFY(m.isPathFilter());
        QVERIFY2(m.filterError().contains(u"a string goes in double quotes"_s), qPrintable(m.filterError()));
        QCOMPARE(m.rowCount(), 6);
        m.setFilter(u"/data/cpu >"_s);
        QVERIFY(m.filterError().contains(u"> needs a value"_s));
        QCOMPARE(m.rowCount(), 6);

        // Not starting with '/': the substring filter, no error.
        m.setFilter(u"mem"_s);
        QVERIFY(!m.isPathFilter());
        QCOMPARE(m.filterError(), QString());
        QCOMPARE(m.rowCount(), 1);
        QVERIFY(changed.count() >= 9);
    }

    // The tree of the selected frame, compared with the frame of its channel that arrived just
    // before it (other channels' frames between them do not count; a filter hiding it does not
    // matter); the first frame of a channel has nothing to compare with. Arrivals after the
    // selection do not rebuild the tree.
    void treeComparesWithThePreviousFrameOfTheChannel()
    {
        RawMessageModel m;
        m.append(u"sys.cpu"_s, 10, 100, QJsonObject{{u"cpu"_s, 12.5}, {u"up"_s, 1}}, 1000);
        m.append(u"sys.mem"_s, 3, 101, QJsonObject{{u"cpu"_s, 50}}, 1001);
        m.append(u"sys.cpu"_s, 11, 102, QJsonObject{{u"cpu"_s, 97}, {u"up"_s, 1}, {u"new"_s, true}}, 1002);
        m.flush();
        JsonTreeModel *tree = m.tree();
        QSignalSpy rebuilt(tree, &JsonTreeModel::frameChanged);

        m.setFilter(u"/seq == 11"_s); // the previous frame is hidden from the list, still kept
        QCOMPARE(m.rowCount(), 1);
        m.selectRow(0);
        QCOMPARE(rebuilt.count(), 1);
        QVERIFY(tree->hasPrevious());
        QCOMPARE(tree->previousSeq(), 10.0);
        QCOMPARE(tree->previousReceivedMs(), 1000.0);
        QCOMPARE(tree->channel(), u"sys.cpu"_s);
        QCOMPARE(tree->seq(), 11.0);
        QCOMPARE(tree->changedCount(), 1);
        QCOMPARE(tree->addedCount(), 1);
        QCOMPARE(tree->removedCount(), 0);
        const QVariantMap cpu = tree->rowAt(tree->rowOfPointer(u"/data/cpu"_s));
        QCOMPARE(cpu.value(u"change"_s).toString(), u"changed"_s);
        QCOMPARE(cpu.value(u"previousValue"_s).toString(), u"12.5"_s);
        QCOMPARE(tree->rowAt(tree->rowOfPointer(u"/data/new"_s)).value(u"change"_s).toString(), u"added"_s);

        // Newer frames push the selection down: the tree stays as it is.
        m.setFilter(QString());
        m.append(u"sys.cpu"_s, 12, 103, QJsonObject{{u"cpu"_s, 1}}, 1003);
        m.flush();
        QCOMPARE(m.selectedRow(), 1);
        QCOMPARE(rebuilt.count(), 1);
        QCOMPARE(tree->seq(), 11.0);

        // The first sys.cpu frame: nothing before it.
        m.selectRow(3);
        QCOMPARE(m.channelAt(3), u"sys.cpu"_s);
        QCOMPARE(rebuilt.count(), 2);
        QVERIFY(!tree->hasPrevious());
        QCOMPARE(tree->changedCount(), 0);
        // sys.mem's only frame: the sys.cpu frames around it are not its previous one.
        m.selectRow(2);
        QCOMPARE(tree->channel(), u"sys.mem"_s);
        QVERIFY(!tree->hasPrevious());

        // No longer kept: a bounded history forgets the previous frame, and says so.
        RawMessageModel small;
        small.setMaxRows(2);
        small.append(u"a"_s, 1, 1, QJsonObject{{u"v"_s, 1}}, 1);
        small.append(u"b"_s, 1, 2, QJsonObject{{u"v"_s, 1}}, 2);
        small.append(u"a"_s, 2, 3, QJsonObject{{u"v"_s, 2}}, 3);
        small.flush();
        QCOMPARE(small.rowCount(), 2);
        small.selectRow(0);
        QCOMPARE(small.tree()->channel(), u"a"_s);
        QVERIFY(!small.tree()->hasPrevious());

        // Deselecting (or clearing) empties the tree.
        m.clear();
        QVERIFY(!tree->hasFrame());
        QCOMPARE(tree->rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_RawMessageModel)
#include "tst_rawmessagemodel.moc"
