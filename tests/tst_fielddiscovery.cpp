#include "dashboard/charts/FieldDiscovery.h"
#include "protocol/EnvelopeDecoder.h"

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
        QCOMPARE(paths(r), (QStringList{u"data.cores[0]"_s, u"data.cores[1]"_s, u"data.cpu.system"_s,
                                        u"data.cpu.user"_s}));
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

    // The walk over a parsed frame (what the dashboard's MessageSink gets) finds the same
    // fields, paths, values and cut as the walk over a QJsonValue, limits included.
    void parsedFrameWalksAlike_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<int>("maxFields");
        QTest::newRow("nested")
            << QByteArray(R"({"cores":[10,20],"cpu":{"system":3,"user":12.5},"host":"a","n":null,"ok":true})")
            << 64;
        QTest::newRow("bare") << QByteArray("42") << 64;
        QTest::newRow("unicode key") << QByteArray(R"({"t\u00e9mp":{"v":1},"x":2})") << 64;
        QTest::newRow("oversized array")
            << QByteArray(
                   R"({"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,{"b":1}],"z":1})")
            << 64;
        QTest::newRow("field cap") << QByteArray(R"({"a":1,"b":2,"c":{"d":3,"e":4},"f":5})") << 3;
        QTest::newRow("deep") << QByteArray(
                                     R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}},"z":2})")
                              << 64;
    }

    void parsedFrameWalksAlike()
    {
        QFETCH(QByteArray, payload);
        QFETCH(int, maxFields);
        DiscoveryLimits limits;
        limits.maxFields = maxFields;
        const DiscoveryResult reference = discoverNumericFields(json(payload.constData()), limits);

        EnvelopeDecoder decoder;
        decoder.setFrame(QByteArray(R"({"type":"message","channel":"c","seq":1,"data":)") + payload + '}');
        Envelope env;
        MessageView message;
        QCOMPARE(decoder.decode(env, message), EnvelopeDecoder::Result::Message);
        struct Collect : NumericFieldVisitor
        {
            QStringList paths;
            QList<double> values;
            void field(const QString &path, double value) override
            {
                paths.append(path);
                values.append(value);
            }
        } collect;
        const bool truncated = walkNumericFields(message.data, collect, limits);
        QCOMPARE(collect.paths, paths(reference));
        QList<double> values;
        for (const NumericField &f : reference.fields)
            values.append(f.value);
        QCOMPARE(collect.values, values);
        QCOMPARE(truncated, reference.truncated);
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

    // The choice a tile makes before anyone picks: fields that move, not the first four names.
    void chartChoiceSkipsConstantZeros()
    {
        // sys.mem as the embedded hub sends it (keys sorted, as QJsonObject keeps them), after
        // a few samples: both swap figures have always been 0.
        const QList<FieldStats> mem = {
            {u"data.availableBytes"_s, 10, 4.1e9, 4.3e9}, {u"data.cachedBytes"_s, 10, 2.0e9, 2.1e9},
            {u"data.swapTotalBytes"_s, 10, 0, 0},         {u"data.swapUsedBytes"_s, 10, 0, 0},
            {u"data.totalBytes"_s, 10, 8e9, 8e9},         {u"data.usedBytes"_s, 10, 3.7e9, 3.9e9},
            {u"data.usedPercent"_s, 10, 46, 48}};
        // Without a preference: what moves first (in found order), then the constant total;
        // the percent (1e8 times smaller than bytes) would be a flat line on their axis.
        QCOMPARE(chooseChartFields(mem, 4), (QStringList{u"data.availableBytes"_s, u"data.cachedBytes"_s,
                                                         u"data.usedBytes"_s, u"data.totalBytes"_s}));
        // With the embedded hub's preference the order changes, the zeros stay out.
        QCOMPARE(chooseChartFields(mem, 4, preferredChartFields(u"sys.mem"_s)),
                 (QStringList{u"data.usedBytes"_s, u"data.availableBytes"_s, u"data.cachedBytes"_s,
                              u"data.totalBytes"_s}));
    }

    void chartChoiceRanksGenerically()
    {
        // sys.cpu's fields under a name nobody prefers: user is charted, steal (always 0) not.
        const QList<FieldStats> cpu = {{u"data.cores[0]"_s, 5, 3, 40}, {u"data.iowait"_s, 5, 0, 1.5},
                                       {u"data.steal"_s, 5, 0, 0},     {u"data.system"_s, 5, 1, 6},
                                       {u"data.total"_s, 5, 5, 45},    {u"data.user"_s, 5, 3, 38}};
        QCOMPARE(chooseChartFields(cpu, 4, preferredChartFields(u"other.cpu"_s)),
                 (QStringList{u"data.iowait"_s, u"data.system"_s, u"data.total"_s, u"data.user"_s}));
        QCOMPARE(chooseChartFields(cpu, 4, preferredChartFields(u"sys.cpu"_s)),
                 (QStringList{u"data.user"_s, u"data.system"_s, u"data.iowait"_s, u"data.total"_s}));
        // A preferred field that never moved from 0 goes after those that do.
        QList<FieldStats> idle = cpu;
        idle[1] = {u"data.iowait"_s, 5, 0, 0};
        QCOMPARE(chooseChartFields(idle, 4, preferredChartFields(u"sys.cpu"_s)),
                 (QStringList{u"data.user"_s, u"data.system"_s, u"data.total"_s, u"data.cores[0]"_s}));
    }

    void chartChoiceLeavesOutTimesAndIds()
    {
        const QList<FieldStats> f = {
            {u"data.id"_s, 3, 1, 3},         {u"data.ts"_s, 3, 1.7e12, 1.7e12 + 2000},
            {u"data.seq"_s, 3, 10, 12},      {u"data.when"_s, 3, 1.7e12, 1.7e12},
            {u"data.temp"_s, 3, 20.5, 21.0}, {u"data.nested.temp"_s, 3, 19, 20},
            {u"data.flat"_s, 3, 7, 7}};
        // Moving before constant, top level before nested.
        QCOMPARE(chooseChartFields(f, 4),
                 (QStringList{u"data.temp"_s, u"data.nested.temp"_s, u"data.flat"_s}));
        QCOMPARE(chooseChartFields(f, 1), QStringList{u"data.temp"_s});
    }

    void chartChoiceOfOnlyZerosStillCharts()
    {
        // A channel of error counters that never moved: all zero is still worth showing.
        const QList<FieldStats> f = {{u"data.errors"_s, 4, 0, 0}, {u"data.drops"_s, 4, 0, 0}};
        QCOMPARE(chooseChartFields(f, 4), (QStringList{u"data.errors"_s, u"data.drops"_s}));
        // One sample only: nothing is known to be constant yet, a non-zero value is taken.
        const QList<FieldStats> first = {{u"data.a"_s, 1, 0, 0}, {u"data.b"_s, 1, 5, 5}};
        QCOMPARE(chooseChartFields(first, 4), QStringList{u"data.b"_s});
        QCOMPARE(chooseChartFields({}, 4), QStringList());
    }
};

QTEST_GUILESS_MAIN(tst_FieldDiscovery)
#include "tst_fielddiscovery.moc"
