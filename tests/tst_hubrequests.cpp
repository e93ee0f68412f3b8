// HubRequests: the method table behind `request` frames. Methods listed sorted (what server.info
// reports), a call reaching its handler with its params and session, errors a handler gives,
// the 404 of an unknown method, and the result of channels.list: its pages (sorted, bounded by
// count and bytes, a `next` cursor until the end), its prefix filter and its refusals of bad params.
#include "hub/ChannelStore.h"
#include "hub/HubMetrics.h"
#include "hub/HubRequests.h"
#include "protocol/Envelope.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace Pulseboard;

namespace {

Envelope request(const QString &id, const QString &method, const QJsonValue &params = QJsonValue::Undefined)
{
    Envelope r;
    r.type = MessageType::Request;
    r.id = id;
    r.text = method;
    r.data = params;
    return r;
}

// 5000 channels with 200-character names, stored in a scrambled (but fixed) order.
QList<ChannelInfo> heavyChannels(QStringList *sortedNames)
{
    QList<ChannelInfo> stored;
    for (int k = 0; k < 5000; ++k) {
        const int i = (k * 7919) % 5000;
        const QString name = QStringLiteral("load.%1.").arg(i, 4, 10, QLatin1Char('0')) +
                             QString(190, QLatin1Char(char('a' + i % 26)));
        stored.append({name, qint64(i + 1)});
        sortedNames->append(name);
    }
    sortedNames->sort();
    return stored;
}

QStringList namesOf(const QJsonValue &page)
{
    QStringList names;
    for (const QJsonValue &v : page.toArray())
        names.append(v.toObject().value(QStringLiteral("name")).toString());
    return names;
}

} // namespace

class tst_HubRequests : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void methodsSorted();
    void callReachesItsHandler();
    void handlerError();
    void unknownMethod404();
    void replacingAHandler();
    void channelListMergesStoreAndCounts();
    void channelPagesCoverEveryChannelOnce();
    void channelPagesStopAtTheByteBudget();
    void channelPageWithoutParamsIsTheFirstPage();
    void channelPagePrefix();
    void channelPageLimitBounds();
    void channelPageBadParams_data();
    void channelPageBadParams();
    void channelPageAfterTheEndIsEmpty();
};

void tst_HubRequests::methodsSorted()
{
    HubRequests table;
    QVERIFY(table.methods().isEmpty());
    table.add(QStringLiteral("server.info"),
              [](const HubRequests::Call &) { return HubRequests::Reply::ok(1); });
    table.add(QStringLiteral("channels.list"),
              [](const HubRequests::Call &) { return HubRequests::Reply::ok(2); });
    QCOMPARE(table.methods(), (QStringList{QStringLiteral("channels.list"), QStringLiteral("server.info")}));
    QVERIFY(table.contains(QStringLiteral("server.info")));
    QVERIFY(!table.contains(QStringLiteral("server")));
}

void tst_HubRequests::callReachesItsHandler()
{
    HubRequests table;
    HubRequests::Call seen;
    table.add(QStringLiteral("echo"), [&seen](const HubRequests::Call &call) {
        seen = call;
        return HubRequests::Reply::ok(QJsonObject{{QStringLiteral("got"), call.params}});
    });
    const Envelope reply = table.answer(request(QStringLiteral("r1"), QStringLiteral("echo"), QJsonValue(42)),
                                        QStringLiteral("abcd-7"));
    QCOMPARE(reply.type, MessageType::Response);
    QCOMPARE(reply.id, QStringLiteral("r1"));
    QCOMPARE(reply.data.toObject().value(QStringLiteral("got")).toInt(), 42);
    QCOMPARE(seen.method, QStringLiteral("echo"));
    QCOMPARE(seen.params.toInt(), 42);
    QCOMPARE(seen.sessionId, QStringLiteral("abcd-7"));

    // On the wire: {"type":"response","id":"r1","result":{"got":42}}
    Envelope decoded;
    QVERIFY(decodeEnvelope(encodeEnvelope(reply), decoded));
    QCOMPARE(decoded.type, MessageType::Response);
    QCOMPARE(decoded.data.toObject().value(QStringLiteral("got")).toInt(), 42);

    table.answer(request(QStringLiteral("r2"), QStringLiteral("echo")), QStringLiteral("s"));
    QVERIFY(seen.params.isUndefined());
}

void tst_HubRequests::handlerError()
{
    HubRequests table;
    table.add(QStringLiteral("strict"), [](const HubRequests::Call &) {
        return HubRequests::Reply::error(400, QStringLiteral("params must be an object"));
    });
    const Envelope reply = table.answer(request(QStringLiteral("r9"), QStringLiteral("strict")), QString());
    QCOMPARE(reply.type, MessageType::Error);
    QCOMPARE(reply.id, QStringLiteral("r9"));
    QCOMPARE(reply.code, 400);
    QCOMPARE(reply.text, QStringLiteral("params must be an object"));
}

void tst_HubRequests::unknownMethod404()
{
    HubRequests table;
    table.add(QStringLiteral("server.info"),
              [](const HubRequests::Call &) { return HubRequests::Reply::ok(1); });
    table.add(QStringLiteral("channels.list"),
              [](const HubRequests::Call &) { return HubRequests::Reply::ok(2); });
    Envelope reply = table.answer(request(QStringLiteral("x"), QStringLiteral("no.such.method")), QString());
    QCOMPARE(reply.type, MessageType::Error);
    QCOMPARE(reply.id, QStringLiteral("x"));
    QCOMPARE(reply.code, 404);
    QCOMPARE(reply.text,
             QStringLiteral("unknown method 'no.such.method' (this hub serves channels.list, server.info)"));
    // A long name is cut in the reply.
    reply = table.answer(request(QStringLiteral("y"), QString(500, QLatin1Char('m'))), QString());
    QCOMPARE(reply.text, QStringLiteral("unknown method '%1' (this hub serves channels.list, server.info)")
                             .arg(QString(60, QLatin1Char('m'))));
}

void tst_HubRequests::replacingAHandler()
{
    HubRequests table;
    table.add(QStringLiteral("m"), [](const HubRequests::Call &) { return HubRequests::Reply::ok(1); });
    table.add(QStringLiteral("m"), [](const HubRequests::Call &) { return HubRequests::Reply::ok(2); });
    QCOMPARE(table.methods(), QStringList{QStringLiteral("m")});
    QCOMPARE(table.answer(request(QStringLiteral("1"), QStringLiteral("m")), QString()).data.toInt(), 2);
}

void tst_HubRequests::channelListMergesStoreAndCounts()
{
    HubMetrics metrics;
    metrics.countChannelMessage(QStringLiteral("b"));
    metrics.countChannelMessage(QStringLiteral("b"));
    metrics.countChannelMessage(QStringLiteral("seen.only"));
    metrics.tick();
    const QJsonArray list =
        HubRequests::channelList({{QStringLiteral("b"), 7}, {QStringLiteral("a"), 3}}, metrics);
    QCOMPARE(list.size(), 3);
    const QStringList names{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("seen.only")};
    const QList<int> seqs{3, 7, 0};
    const QList<double> rates{0, 2, 1};
    for (int i = 0; i < 3; ++i) {
        const QJsonObject o = list.at(i).toObject();
        QCOMPARE(o.value(QStringLiteral("name")).toString(), names.at(i));
        QCOMPARE(o.value(QStringLiteral("seq")).toInt(), seqs.at(i));
        QCOMPARE(o.value(QStringLiteral("rate")).toDouble(), rates.at(i));
        QCOMPARE(o.size(), 3);
    }
}

// The measurement of issue 13: 5000 channels of 200-character names used to be one 1113 KiB reply.
// Paged through `after`, every frame stays far under the client's 1 MiB and the pages join into
// exactly the sorted list, nothing twice, nothing skipped.
void tst_HubRequests::channelPagesCoverEveryChannelOnce()
{
    HubMetrics metrics;
    QStringList expected;
    const QList<ChannelInfo> stored = heavyChannels(&expected);
    HubRequests table;
    table.add(QStringLiteral("channels.list"), [&](const HubRequests::Call &call) {
        return HubRequests::channelPage(call.params, stored, metrics);
    });
    QStringList seen;
    QString after;
    int pages = 0;
    for (;;) {
        QJsonObject params{{QStringLiteral("limit"), 1000}};
        if (!after.isEmpty())
            params.insert(QStringLiteral("after"), after);
        const Envelope reply =
            table.answer(request(QString::number(pages), QStringLiteral("channels.list"), params), QString());
        QCOMPARE(reply.type, MessageType::Response);
        const QByteArray frame = encodeEnvelope(reply);
        QVERIFY2(frame.size() < 512 * 1024, qPrintable(QString::number(frame.size())));
        ++pages;
        const QStringList names = namesOf(reply.data);
        QCOMPARE(names.size(), 1000);
        seen += names;
        if (reply.next.isEmpty())
            break;
        QCOMPARE(reply.next, names.last());
        after = reply.next;
        QVERIFY(pages < 10);
    }
    QCOMPARE(pages, 5);
    QCOMPARE(seen.size(), 5000);
    QCOMPARE(QSet<QString>(seen.cbegin(), seen.cend()).size(), 5000);
    QCOMPARE(seen, expected);
}

// A budget smaller than `limit` entries: the page ends early, under the budget, with `next`.
void tst_HubRequests::channelPagesStopAtTheByteBudget()
{
    HubMetrics metrics;
    QStringList expected;
    const QList<ChannelInfo> stored = heavyChannels(&expected);
    ChannelPageLimits limits;
    limits.maxReplyBytes = 64 * 1024;
    QStringList seen;
    QString after;
    int pages = 0;
    for (;;) {
        QJsonObject params{{QStringLiteral("limit"), 1000}};
        if (!after.isEmpty())
            params.insert(QStringLiteral("after"), after);
        const HubRequests::Reply reply = HubRequests::channelPage(params, stored, metrics, limits);
        QCOMPARE(reply.errorCode, 0);
        Envelope env;
        env.type = MessageType::Response;
        env.id = QStringLiteral("r");
        env.data = reply.result;
        env.next = reply.next;
        const qint64 size = encodeEnvelope(env).size();
        QVERIFY2(size <= limits.maxReplyBytes, qPrintable(QString::number(size)));
        QVERIFY(size > limits.maxReplyBytes / 2); // filled, not cut at a fraction
        ++pages;
        seen += namesOf(reply.result);
        if (reply.next.isEmpty())
            break;
        after = reply.next;
        QVERIFY(pages < 100);
    }
    QVERIFY2(pages >= 18, qPrintable(QString::number(pages))); // ~1.1 MiB in 64 KiB pages
    QCOMPARE(seen, expected);
}

void tst_HubRequests::channelPageWithoutParamsIsTheFirstPage()
{
    HubMetrics metrics;
    QStringList expected;
    const QList<ChannelInfo> stored = heavyChannels(&expected);
    const HubRequests::Reply reply = HubRequests::channelPage(QJsonValue(), stored, metrics);
    QCOMPARE(reply.errorCode, 0);
    QCOMPARE(namesOf(reply.result), expected.mid(0, 500));
    QCOMPARE(reply.next, expected.at(499));
    // Each entry keeps today's fields.
    const QJsonObject first = reply.result.toArray().at(0).toObject();
    QCOMPARE(first.keys(),
             (QStringList{QStringLiteral("name"), QStringLiteral("rate"), QStringLiteral("seq")}));
    // An empty object is the same.
    QCOMPARE(HubRequests::channelPage(QJsonObject(), stored, metrics).result, reply.result);
    // Few channels: one page, no `next`.
    const HubRequests::Reply small =
        HubRequests::channelPage(QJsonValue(), {{QStringLiteral("b"), 1}, {QStringLiteral("a"), 2}}, metrics);
    QCOMPARE(namesOf(small.result), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY(small.next.isEmpty());
}

void tst_HubRequests::channelPagePrefix()
{
    HubMetrics metrics;
    const QList<ChannelInfo> stored{{QStringLiteral("sys.cpu"), 1},  {QStringLiteral("ops.a"), 1},
                                    {QStringLiteral("sys.mem"), 1},  {QStringLiteral("sys"), 1},
                                    {QStringLiteral("sysx.z"), 1},   {QStringLiteral("sys.net.rx"), 1},
                                    {QStringLiteral("demo.wave"), 1}};
    const auto page = [&](const QJsonObject &params) {
        return HubRequests::channelPage(params, stored, metrics);
    };
    HubRequests::Reply r = page({{QStringLiteral("prefix"), QStringLiteral("sys.")}});
    QCOMPARE(namesOf(r.result), (QStringList{QStringLiteral("sys.cpu"), QStringLiteral("sys.mem"),
                                             QStringLiteral("sys.net.rx")}));
    QVERIFY(r.next.isEmpty());
    // Paged within the prefix: `next` only while names with the prefix remain.
    r = page({{QStringLiteral("prefix"), QStringLiteral("sys.")}, {QStringLiteral("limit"), 2}});
    QCOMPARE(namesOf(r.result), (QStringList{QStringLiteral("sys.cpu"), QStringLiteral("sys.mem")}));
    QCOMPARE(r.next, QStringLiteral("sys.mem"));
    r = page({{QStringLiteral("prefix"), QStringLiteral("sys.")},
              {QStringLiteral("limit"), 2},
              {QStringLiteral("after"), QStringLiteral("sys.mem")}});
    QCOMPARE(namesOf(r.result), QStringList{QStringLiteral("sys.net.rx")});
    QVERIFY(r.next.isEmpty());
    // `after` before the prefix's range starts at the range.
    r = page(
        {{QStringLiteral("prefix"), QStringLiteral("sys.")}, {QStringLiteral("after"), QStringLiteral("a")}});
    QCOMPARE(namesOf(r.result).size(), 3);
    // Nothing matches.
    r = page({{QStringLiteral("prefix"), QStringLiteral("zzz")}});
    QVERIFY(r.result.toArray().isEmpty());
    QVERIFY(r.next.isEmpty());
    // An empty prefix is every channel.
    QCOMPARE(namesOf(page({{QStringLiteral("prefix"), QString()}}).result).size(), stored.size());
}

void tst_HubRequests::channelPageLimitBounds()
{
    HubMetrics metrics;
    QStringList expected;
    const QList<ChannelInfo> stored = heavyChannels(&expected);
    const auto count = [&](double limit) {
        const HubRequests::Reply r =
            HubRequests::channelPage(QJsonObject{{QStringLiteral("limit"), limit}}, stored, metrics);
        return r.errorCode != 0 ? -r.errorCode : int(r.result.toArray().size());
    };
    QCOMPARE(count(1), 1);
    QCOMPARE(count(7), 7);
    QCOMPARE(count(1000), 1000);
    QCOMPARE(count(0), -400);
    QCOMPARE(count(-5), -400);
    QCOMPARE(count(1001), -400);
    QCOMPARE(count(2.5), -400);
    QCOMPARE(count(1e300), -400);
}

void tst_HubRequests::channelPageBadParams_data()
{
    QTest::addColumn<QJsonValue>("params");
    QTest::addColumn<QString>("names");
    QTest::newRow("params array") << QJsonValue(QJsonArray{1}) << QStringLiteral("params must be an object");
    QTest::newRow("params string") << QJsonValue(QStringLiteral("x"))
                                   << QStringLiteral("params must be an object");
    QTest::newRow("prefix number") << QJsonValue(QJsonObject{{QStringLiteral("prefix"), 3}})
                                   << QStringLiteral("'prefix' must be a string");
    QTest::newRow("prefix null") << QJsonValue(QJsonObject{{QStringLiteral("prefix"), QJsonValue::Null}})
                                 << QStringLiteral("'prefix' must be a string");
    QTest::newRow("after number") << QJsonValue(QJsonObject{{QStringLiteral("after"), 1}})
                                  << QStringLiteral("'after' must be a string");
    QTest::newRow("after object") << QJsonValue(QJsonObject{{QStringLiteral("after"), QJsonObject{}}})
                                  << QStringLiteral("'after' must be a string");
    QTest::newRow("limit string") << QJsonValue(QJsonObject{{QStringLiteral("limit"), QStringLiteral("10")}})
                                  << QStringLiteral("'limit' must be a whole number from 1 to 1000");
    QTest::newRow("limit bool") << QJsonValue(QJsonObject{{QStringLiteral("limit"), true}})
                                << QStringLiteral("'limit' must be a whole number from 1 to 1000");
}

void tst_HubRequests::channelPageBadParams()
{
    QFETCH(QJsonValue, params);
    QFETCH(QString, names);
    HubMetrics metrics;
    HubRequests table;
    table.add(QStringLiteral("channels.list"), [&](const HubRequests::Call &call) {
        return HubRequests::channelPage(call.params, {{QStringLiteral("a"), 1}}, metrics);
    });
    const Envelope reply =
        table.answer(request(QStringLiteral("7"), QStringLiteral("channels.list"), params), QString());
    QCOMPARE(reply.type, MessageType::Error);
    QCOMPARE(reply.id, QStringLiteral("7"));
    QCOMPARE(reply.code, 400);
    QVERIFY2(reply.text.startsWith(QStringLiteral("channels.list: ")), qPrintable(reply.text));
    QVERIFY2(reply.text.contains(names), qPrintable(reply.text));
}

void tst_HubRequests::channelPageAfterTheEndIsEmpty()
{
    HubMetrics metrics;
    QStringList expected;
    const QList<ChannelInfo> stored = heavyChannels(&expected);
    for (const QString &after : {expected.last(), QStringLiteral("zzz"), QString(200, QChar(0x4e00))}) {
        const HubRequests::Reply r =
            HubRequests::channelPage(QJsonObject{{QStringLiteral("after"), after}}, stored, metrics);
        QCOMPARE(r.errorCode, 0);
        QVERIFY(r.result.isArray());
        QVERIFY(r.result.toArray().isEmpty());
        QVERIFY(r.next.isEmpty());
    }
    // The name before the last: exactly the last one, and no `next`.
    const HubRequests::Reply r =
        HubRequests::channelPage(QJsonObject{{QStringLiteral("after"), expected.at(4998)}}, stored, metrics);
    QCOMPARE(namesOf(r.result), QStringList{expected.last()});
    QVERIFY(r.next.isEmpty());
}

QTEST_GUILESS_MAIN(tst_HubRequests)
#include "tst_hubrequests.moc"
