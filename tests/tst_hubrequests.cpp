// HubRequests: the method table behind `request` frames. Methods listed sorted (what server.info
// reports), a call reaching its handler with its params and session, errors a handler gives,
// the 404 of an unknown method, and the result of channels.list.
#include "hub/ChannelStore.h"
#include "hub/HubMetrics.h"
#include "hub/HubRequests.h"
#include "protocol/Envelope.h"

#include <QJsonObject>
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

QTEST_GUILESS_MAIN(tst_HubRequests)
#include "tst_hubrequests.moc"
