// TileModel: one tile's change updates its row in place; subscribing or dropping a channel
// inserts or removes one row; the other rows (and the QML tiles made from them) are untouched.
#include "dashboard/charts/TileModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {
QVariantMap tile(const QString &channel, const QStringList &fields = {})
{
    return {{QStringLiteral("channel"), channel}, {QStringLiteral("fields"), fields}};
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
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("b"), {QStringLiteral("v")}), tile(QStringLiteral("c"))});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(m.data(m.index(1), TileModel::SpecRole).toMap().value(QStringLiteral("fields")).toStringList(),
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
        m.setTiles({tile(QStringLiteral("a")), tile(QStringLiteral("b")), tile(QStringLiteral("c")), tile(QStringLiteral("d"))});
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
