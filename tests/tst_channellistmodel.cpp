#include "dashboard/connection/ChannelListModel.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_ChannelListModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void mergesServerListSorted()
    {
        ChannelListModel m;
        const QJsonArray list{QJsonObject{{u"name"_s, u"sys.mem"_s}, {u"seq"_s, 40}, {u"rate"_s, 1}},
                              QJsonObject{{u"name"_s, u"demo.wave"_s}, {u"seq"_s, 900}, {u"rate"_s, 20}},
                              QJsonObject{{u"seq"_s, 1}}, u"junk"_s};
        const QString problem = m.mergeServerList(list);
        QCOMPARE(problem, u"channels.list: 2 entries without a usable name ignored"_s);
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.get(0).value(u"name"_s).toString(), u"demo.wave"_s);
        QCOMPARE(m.get(0).value(u"serverSeq"_s).toLongLong(), 900);
        QCOMPARE(m.get(1).value(u"serverRate"_s).toDouble(), 1.0);
        QCOMPARE(m.get(1).value(u"listed"_s).toBool(), true);
        QCOMPARE(m.mergeServerList(QJsonObject{}), u"channels.list did not return an array"_s);
    }

    void messagesRatesAgesAndStaleness()
    {
        ChannelListModel m;
        m.setStaleMinimumMs(5000);
        m.setSubscriptions({u"sys.cpu"_s});
        QCOMPARE(m.get(0).value(u"subscribed"_s).toBool(), true);
        for (int i = 0; i < 10; ++i)
            m.noteMessage(u"sys.cpu"_s, 100000 + i * 1000, QJsonObject{{u"user"_s, i}});
        m.noteGap(u"sys.cpu"_s);
        m.refresh(109500, true);
        QVariantMap row = m.get(0);
        QCOMPARE(row.value(u"messages"_s).toInt(), 10);
        QCOMPARE(row.value(u"ageMs"_s).toLongLong(), 500);
        QCOMPARE(row.value(u"stale"_s).toBool(), false);
        QCOMPARE(row.value(u"gaps"_s).toInt(), 1);
        QCOMPARE(row.value(u"latest"_s).toString(), u"{\"user\":9}"_s);
        QVERIFY(qAbs(row.value(u"rate"_s).toDouble() - 1.0) < 0.25);
        QCOMPARE(m.lastMessageMs(u"sys.cpu"_s), 109000);

        m.refresh(109500, false); // connection down: nothing is live
        QCOMPARE(m.isStale(u"sys.cpu"_s), true);
        m.refresh(130000, true); // 21 s of silence
        QCOMPARE(m.isStale(u"sys.cpu"_s), true);
        QCOMPARE(m.get(0).value(u"ageMs"_s).toLongLong(), 21000);
    }

    void manualEntryValidates()
    {
        ChannelListModel m;
        QVERIFY(m.addManual(u"  orders.eu  "_s));
        QCOMPARE(m.indexOf(u"orders.eu"_s), 0);
        QVERIFY(!m.addManual(u"has space"_s));
        QVERIFY(!m.addManual(QString()));
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.get(0).value(u"ageMs"_s).toLongLong(), -1);
        QCOMPARE(m.isStale(u"orders.eu"_s), true); // nothing ever arrived
    }

    void compactTextIsCut()
    {
        QCOMPARE(ChannelListModel::compactText(QJsonValue(1.5)), u"1.5"_s);
        QCOMPARE(ChannelListModel::compactText(QJsonValue(u"a"_s)), u"\"a\""_s);
        const QString cut = ChannelListModel::compactText(QJsonArray{u"aaaaaaaaaaaaaaaaaaaa"_s}, 10);
        QCOMPARE(cut.size(), 10);
        QVERIFY(cut.endsWith(QChar(0x2026)));
    }
};

QTEST_GUILESS_MAIN(tst_ChannelListModel)
#include "tst_channellistmodel.moc"
