#include "dashboard/connection/RawMessageModel.h"
#include "protocol/EnvelopeDecoder.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

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
};

QTEST_GUILESS_MAIN(tst_RawMessageModel)
#include "tst_rawmessagemodel.moc"
