#include "models/FieldDiscovery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

using namespace Pulseboard;

namespace {
QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray("[") + text + "]").array().at(0);
}
QStringList paths(const DiscoveryResult &r)
{
    QStringList out;
    for (const NumericField &f : r.fields)
        out.append(f.path);
    return out;
}
} // namespace

class tst_FieldDiscovery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nestedPaths()
    {
        const DiscoveryResult r = discoverNumericFields(
            json(R"({"cpu":{"user":12.5,"system":3},"host":"a","ok":true,"cores":[10,20],"n":null})"));
        QCOMPARE(paths(r), (QStringList{u"data.cores[0]"_s, u"data.cores[1]"_s, u"data.cpu.system"_s, u"data.cpu.user"_s}));
        QCOMPARE(r.fields.at(3).value, 12.5);
        QCOMPARE(r.fields.at(1).value, 20.0);
        QVERIFY(!r.truncated);
    }

    void bareNumber()
    {
        const DiscoveryResult r = discoverNumericFields(json("42"));
        QCOMPARE(paths(r), QStringList{u"data"_s});
        QCOMPARE(r.fields.at(0).value, 42.0);
        QVERIFY(discoverNumericFields(json(R"("text")")).fields.isEmpty());
    }

    void limitsBoundTheWalk()
    {
        QJsonObject wide;
        for (int i = 0; i < 200; ++i)
            wide.insert(QStringLiteral("f%1").arg(i, 3, 10, QLatin1Char('0')), i);
        DiscoveryLimits limits;
        limits.maxFields = 10;
        const DiscoveryResult r = discoverNumericFields(wide, limits);
        QCOMPARE(r.fields.size(), 10);
        QVERIFY(r.truncated);

        QJsonValue deep = 1;
        for (int i = 0; i < 20; ++i)
            deep = QJsonObject{{QStringLiteral("x"), deep}};
        const DiscoveryResult d = discoverNumericFields(deep);
        QVERIFY(d.fields.isEmpty());
        QVERIFY(d.truncated);

        QJsonArray big;
        for (int i = 0; i < 100; ++i)
            big.append(i);
        const DiscoveryResult a = discoverNumericFields(big);
        QCOMPARE(a.fields.size(), 32);
        QVERIFY(a.truncated);
    }

    void valueAtPath()
    {
        const QJsonValue data = json(R"({"cpu":{"user":12.5},"cores":[10,{"t":7}]})");
        double v = 0;
        QVERIFY(numericValueAt(data, u"data.cpu.user"_s, &v));
        QCOMPARE(v, 12.5);
        QVERIFY(numericValueAt(data, u"data.cores[1].t"_s, &v));
        QCOMPARE(v, 7.0);
        QVERIFY(!numericValueAt(data, u"data.cpu"_s, &v));
        QVERIFY(!numericValueAt(data, u"data.nope"_s, &v));
        QVERIFY(!numericValueAt(data, u"data.cores[x]"_s, &v));
        QVERIFY(numericValueAt(json("3"), u"data"_s, &v));
        QCOMPARE(v, 3.0);
    }
};

QTEST_GUILESS_MAIN(tst_FieldDiscovery)
#include "tst_fielddiscovery.moc"
