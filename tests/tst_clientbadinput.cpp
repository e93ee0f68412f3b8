// A hostile or broken server against the real ConnectionManager: every row sends one kind of bad
// input (malformed JSON, wrong types, deep nesting, huge numbers, binary frames, invalid UTF-8,
// oversized and 64 MiB frames, floods) and asserts the outcome: the error event or close code,
// whether the connection stays open, that memory stays bounded, and that the next valid
// message is still delivered with no hole in the seqs.
#include "client/ConnectionManager.h"
#include "protocol/CloseCode.h"
#include "support/FaultProxy.h"
#include "support/TestServer.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include "support/TestUtils.h"

using namespace Pulseboard;
using namespace Pulseboard::Test;
using namespace Qt::StringLiterals;
using TestUtils::kAddressSanitizer;
using TestUtils::resetPeakRss;
using TestUtils::statusKiB;

namespace {

enum class How { Text, Binary, Raw, Stream64MiB, Repeat };

QByteArray nested(int depth)
{
    return "{\"type\":\"response\",\"id\":\"deep\",\"result\":" + QByteArray(depth, '[') +
           QByteArray(depth, ']') + "}";
}

} // namespace

Q_DECLARE_METATYPE(How)

class tst_ClientBadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostileFrames_data();
    void hostileFrames();
    void floodOfValidMessages();
};

void tst_ClientBadInput::hostileFrames_data()
{
    QTest::addColumn<How>("how");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("repeat");
    QTest::addColumn<int>("errorCode"); // expected errorOccurred code; 0: none at all
    QTest::addColumn<QString>("errorContains");
    QTest::addColumn<int>("closeCode"); // 0: the connection stays open

    const int malformed = CloseCode::Malformed;
    // clang-format off
    QTest::newRow("malformed JSON") << How::Text << QByteArray(R"({"type":"message","channel":"c",)") << 1 << malformed << u"malformed JSON"_s << 0;
    QTest::newRow("empty text frame") << How::Text << QByteArray() << 1 << malformed << u"malformed JSON"_s << 0;
    QTest::newRow("array, not object") << How::Text << QByteArray("[1,2,3]") << 1 << malformed << u"not a JSON object"_s << 0;
    QTest::newRow("bare string") << How::Text << QByteArray(R"("hello")") << 1 << malformed << u"malformed JSON"_s << 0;
    QTest::newRow("missing type") << How::Text << QByteArray(R"({"channel":"c","seq":2})") << 1 << malformed << u"'type' is missing"_s << 0;
    QTest::newRow("type not a string") << How::Text << QByteArray(R"({"type":7})") << 1 << malformed << u"'type' must be a string"_s << 0;
    QTest::newRow("seq as string") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":"2"})") << 1 << malformed << u"'seq' must be a number"_s << 0;
    QTest::newRow("channel as array") << How::Text << QByteArray(R"({"type":"message","channel":["c"],"seq":2})") << 1 << malformed << u"'channel' must be a string"_s << 0;
    QTest::newRow("message without seq") << How::Text << QByteArray(R"({"type":"message","channel":"c","data":1})") << 1 << malformed << u"'seq' is missing"_s << 0;
    QTest::newRow("error without code") << How::Text << QByteArray(R"({"type":"error","message":"x"})") << 1 << malformed << u"'code' is missing"_s << 0;
    QTest::newRow("ack id as number") << How::Text << QByteArray(R"({"type":"ack","id":12})") << 1 << malformed << u"'id' must be a string"_s << 0;
    QTest::newRow("seq 1e300") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":1e300})") << 1 << malformed << u"whole number in range"_s << 0;
    QTest::newRow("seq 2^53+1") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":9007199254740993})") << 1 << malformed << u"whole number in range"_s << 0;
    QTest::newRow("seq negative") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":-1})") << 1 << malformed << u"whole number in range"_s << 0;
    QTest::newRow("seq fractional") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":2.5})") << 1 << malformed << u"whole number in range"_s << 0;
    QTest::newRow("number 1e999") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":1e999})") << 1 << malformed << QString() << 0;
    QTest::newRow("nested 100000 deep") << How::Text << nested(100000) << 1 << malformed << u"malformed JSON"_s << 0;
    QTest::newRow("error code 1e15 (clamped)") << How::Text << QByteArray(R"({"type":"error","code":1e15,"message":"boom"})") << 1 << int(INT_MAX) << u"boom"_s << 0;
    QTest::newRow("unknown type (ignored)") << How::Text << QByteArray(R"({"type":"future.thing","x":1})") << 1 << 0 << QString() << 0;
    QTest::newRow("unknown fields (ignored)") << How::Text << QByteArray(R"({"type":"pong","id":"zz","ts":1,"extra":{"a":[1,2]}})") << 1 << 0 << QString() << 0;
    QTest::newRow("other channel (ignored)") << How::Text << QByteArray(R"({"type":"message","channel":"other","seq":1,"data":0})") << 1 << 0 << QString() << 0;
    QTest::newRow("binary frame") << How::Binary << QByteArray("\x00\x01\x02\xff", 4) << 1 << malformed << u"binary frame"_s << 0;
    QTest::newRow("flood: 5000 malformed") << How::Repeat << QByteArray(R"({"type":)") << 5000 << malformed << u"malformed JSON"_s << 0;
    QTest::newRow("flood: 2000 binary") << How::Binary << QByteArray(512, 'b') << 2000 << malformed << u"binary frame"_s << 0;
    // Below the WebSocket layer: QWebSocket closes, the manager reconnects and resumes.
    QTest::newRow("invalid UTF-8 text frame") << How::Raw << FaultProxy::serverFrame(0x1, QByteArray("{\"type\":\"\xC3\x28\"}")) << 1 << 0 << QString() << 1007;
    QTest::newRow("control frame over 125 bytes") << How::Raw << FaultProxy::serverFrame(0x9, QByteArray(200, 'p')) << 1 << 0 << QString() << 1002;
    QTest::newRow("reserved opcode") << How::Raw << FaultProxy::serverFrame(0x3, QByteArray("x")) << 1 << 0 << QString() << 1002;
    QTest::newRow("2 MiB text message") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":2,"data":")") + QByteArray(2 * 1024 * 1024, 'x') + QByteArray("\"}") << 1 << 0 << QString() << 1009;
    QTest::newRow("64 MiB frame") << How::Stream64MiB << QByteArray() << 1 << 0 << QString() << 1009;
    // clang-format on
}

void tst_ClientBadInput::hostileFrames()
{
    QFETCH(How, how);
    QFETCH(QByteArray, payload);
    QFETCH(int, repeat);
    QFETCH(int, errorCode);
    QFETCH(QString, errorContains);
    QFETCH(int, closeCode);

    TestServer server;
    QVERIFY(server.listen());
    FaultProxy proxy;
    QVERIFY(proxy.listen(server.port()));

    ConnectionOptions options;
    options.endpoints = {proxy.url()};
    options.backoff.initialMs = 20;
    options.backoff.maxMs = 100;
    options.maxRetries = 0;
    options.connectTimeoutMs = 2000;
    // The default 30 s heartbeat keeps the link quiet, so raw injections land between frames.
    ConnectionManager cm;
    cm.setOptions(options);
    QList<qint64> seqs;
    connect(&cm, &ConnectionManager::messageReceived, this, [&seqs](const QString &channel, qint64 seq) {
        if (channel == u"c"_s)
            seqs.append(seq);
    });
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    QSignalSpy gaps(&cm, &ConnectionManager::gapDetected);
    cm.subscribe(u"c"_s);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);
    server.publish(u"c"_s, 0);
    QTRY_COMPARE(seqs, QList<qint64>{1});

    const qint64 rssBeforeKiB = statusKiB("VmRSS");
    const bool peakReset = resetPeakRss();

    switch (how) {
    case How::Text:
        for (int i = 0; i < repeat; ++i)
            server.sendToAll(payload);
        break;
    case How::Repeat:
        for (int i = 0; i < repeat; ++i)
            server.sendToAll(payload + QByteArray::number(i));
        break;
    case How::Binary:
        for (int i = 0; i < repeat; ++i)
            server.sendBinaryToAll(payload);
        break;
    case How::Raw:
        proxy.injectToClients(payload);
        break;
    case How::Stream64MiB: {
        // Announce 64 MiB and stream it in slices: a client that buffered it would grow by 64 MiB.
        constexpr qint64 total = 64 * 1024 * 1024;
        proxy.injectToClients(FaultProxy::serverFrameHeader(0x1, quint64(total)));
        const QByteArray slice(256 * 1024, 'a');
        qint64 sent = 0;
        QElapsedTimer guard;
        guard.start();
        while (sent < total && lost.isEmpty() && guard.elapsed() < 30000) {
            if (proxy.pendingToClients() < 1024 * 1024) {
                proxy.injectToClients(slice);
                sent += slice.size();
            } else {
                QTest::qWait(1);
            }
        }
        qInfo("streamed %lld of %lld bytes before the client closed", sent, total);
        QVERIFY(sent < total);
        break;
    }
    }

    if (closeCode == 0) {
        if (errorCode != 0) {
            QTRY_COMPARE_WITH_TIMEOUT(errors.count(), repeat, 10000);
            for (const QList<QVariant> &e : std::as_const(errors)) {
                QCOMPARE(e.at(0).toInt(), errorCode);
                QVERIFY2(e.at(1).toString().contains(errorContains), qPrintable(e.at(1).toString()));
            }
        }
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(!lost.isEmpty(), 10000);
        QCOMPARE(lost.first().at(0).toInt(), closeCode);
        qInfo("closed %d: %s", lost.first().at(0).toInt(), qPrintable(lost.first().at(1).toString()));
        QVERIFY(!lost.first().at(1).toString().isEmpty());
    }

    // The next valid message is processed: live when the connection held, replayed after the reconnect
    // otherwise.
    server.publish(u"c"_s, 1);
    QTRY_COMPARE_WITH_TIMEOUT(seqs, (QList<qint64>{1, 2}), 10000);
    QCOMPARE(cm.state(), ConnectionManager::Open);
    QCOMPARE(gaps.count(), 0);
    if (closeCode == 0) {
        QCOMPARE(lost.count(), 0);
        QCOMPARE(server.connectionCount(), 1);
        if (errorCode == 0)
            QCOMPARE(errors.count(), 0);
    } else {
        QCOMPARE(lost.count(), 1);
        QCOMPARE(server.connectionCount(), 2);
    }
    if (errorCode == CloseCode::Malformed)
        QCOMPARE(cm.stats().malformed, quint64(repeat));

    const qint64 peakKiB = statusKiB("VmHWM");
    qInfo("resident memory %lld KiB before, peak %lld KiB during the row", rssBeforeKiB, peakKiB);
    if (kAddressSanitizer || !peakReset)
        return; // ASan's quarantine keeps freed memory resident: no meaningful bound
    QVERIFY2(peakKiB - rssBeforeKiB < 32 * 1024, qPrintable(u"grew by %1 KiB"_s.arg(peakKiB - rssBeforeKiB)));
}

void tst_ClientBadInput::floodOfValidMessages()
{
    TestServer server;
    server.recordFrames = false;
    server.historyLimit = 100;
    QVERIFY(server.listen());
    ConnectionOptions options;
    options.endpoints = {server.url()};
    options.maxRetries = 0;
    ConnectionManager cm;
    cm.setOptions(options);
    QList<qint64> seqs;
    connect(&cm, &ConnectionManager::messageReceived, this,
            [&seqs](const QString &, qint64 seq) { seqs.append(seq); });
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    cm.subscribe(u"c"_s);
    cm.open();
    QTRY_COMPARE(cm.state(), ConnectionManager::Open);

    constexpr int kMessages = 20000;
    const qint64 rssBeforeKiB = statusKiB("VmRSS");
    const bool peakReset = resetPeakRss();
    for (int i = 0; i < kMessages; ++i)
        server.publish(u"c"_s, i);
    QTRY_COMPARE_WITH_TIMEOUT(seqs.size(), kMessages, 30000);
    for (int i = 0; i < kMessages; ++i)
        QCOMPARE(seqs.at(i), qint64(i + 1));
    QCOMPARE(lost.count(), 0);
    QCOMPARE(cm.stats().gaps, quint64(0));
    QCOMPARE(cm.state(), ConnectionManager::Open);
    const qint64 peakKiB = statusKiB("VmHWM");
    qInfo("flood of %d: resident %lld KiB before, peak %lld KiB", kMessages, rssBeforeKiB, peakKiB);
    if (!kAddressSanitizer && peakReset)
        QVERIFY2(peakKiB - rssBeforeKiB < 32 * 1024,
                 qPrintable(u"grew by %1 KiB"_s.arg(peakKiB - rssBeforeKiB)));
}

QTEST_GUILESS_MAIN(tst_ClientBadInput)
#include "tst_clientbadinput.moc"
