#include "models/RawMessageModel.h"

#include <QJsonObject>
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
};

QTEST_GUILESS_MAIN(tst_RawMessageModel)
#include "tst_rawmessagemodel.moc"
