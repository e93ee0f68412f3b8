// A hostile or broken client against the real HubServer: every row sends one kind of bad input
// (malformed JSON, wrong types, deep nesting, huge numbers, binary frames, invalid UTF-8, a
// 64 MiB frame, floods) and asserts the outcome: the `error` frame or the close code, whether the
// hostile connection survives, that a bystander client keeps being served, that the hub's memory
// stays bounded, and that the next valid publish is acked and delivered.
#include "HubProbe.h"
#include "hub/HubServer.h"
#include "protocol/CloseCode.h"

#include <QFile>
#include <QJsonObject>
#include <QTest>

#include "support/TestUtils.h"

using namespace Pulseboard;
using namespace HubTest;
using namespace Qt::StringLiterals;
using TestUtils::kAddressSanitizer;
using TestUtils::resetPeakRss;
using TestUtils::statusKiB;

namespace {

// A client frame header (masked, key 0 so the payload goes as is) announcing `length` bytes.
QByteArray clientFrameHeader(quint8 opcode, quint64 length)
{
    QByteArray h;
    h.append(char(0x80 | (opcode & 0x0F)));
    if (length < 126) {
        h.append(char(0x80 | length));
    } else if (length <= 0xFFFF) {
        h.append(char(0x80 | 126));
        h.append(char((length >> 8) & 0xFF));
        h.append(char(length & 0xFF));
    } else {
        h.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            h.append(char((length >> shift) & 0xFF));
    }
    h.append(QByteArray(4, '\0'));
    return h;
}

// The close code in the server-to-client bytes a raw client read, or -1.
int closeCodeIn(const QByteArray &bytes)
{
    qsizetype pos = 0;
    while (pos + 2 <= bytes.size()) {
        const quint8 opcode = quint8(bytes.at(pos)) & 0x0F;
        quint64 length = quint8(bytes.at(pos + 1)) & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (pos + 4 > bytes.size())
                return -1;
            length = (quint64(quint8(bytes.at(pos + 2))) << 8) | quint8(bytes.at(pos + 3));
            header = 4;
        } else if (length == 127) {
            if (pos + 10 > bytes.size())
                return -1;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | quint8(bytes.at(pos + 2 + i));
            header = 10;
        }
        if (opcode == 0x8)
            return length >= 2 && pos + header + 2 <= bytes.size()
                       ? (quint8(bytes.at(pos + header)) << 8) | quint8(bytes.at(pos + header + 1))
                       : 1005;
        pos += header + qsizetype(length);
    }
    return -1;
}

enum class How { Text, Binary, RawFrame, Stream64MiB, Flood };

QByteArray nestedPublish(int depth)
{
    return R"({"type":"publish","id":"deep","channel":"c","data":)" + QByteArray(depth, '[') +
           QByteArray(depth, ']') + "}";
}

} // namespace

Q_DECLARE_METATYPE(How)

class tst_HubBadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostileClient_data();
    void hostileClient();
};

void tst_HubBadInput::hostileClient_data()
{
    QTest::addColumn<How>("how");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("errorCode"); // the hub's `error` frame; 0: none
    QTest::addColumn<QString>("errorContains");
    QTest::addColumn<int>("closeCode"); // 0: the hostile connection stays open

    const int malformed = CloseCode::Malformed;
    // clang-format off
    QTest::newRow("malformed JSON") << How::Text << QByteArray(R"({"type":"publish",)") << malformed << u"JSON"_s << 0;
    QTest::newRow("empty text frame") << How::Text << QByteArray() << malformed << u"JSON"_s << 0;
    QTest::newRow("array, not object") << How::Text << QByteArray("[1,2,3]") << malformed << u"not a JSON object"_s << 0;
    QTest::newRow("missing type") << How::Text << QByteArray(R"({"id":"x","channel":"c"})") << malformed << u"'type' is missing"_s << 0;
    QTest::newRow("type not a string") << How::Text << QByteArray(R"({"type":["publish"]})") << malformed << u"'type' must be a string"_s << 0;
    QTest::newRow("channel as number") << How::Text << QByteArray(R"({"type":"publish","id":"x","channel":5,"data":1})") << malformed << u"'channel' must be a string"_s << 0;
    QTest::newRow("id as object") << How::Text << QByteArray(R"({"type":"subscribe","id":{},"channel":"c"})") << malformed << u"'id' must be a string"_s << 0;
    QTest::newRow("publish without data") << How::Text << QByteArray(R"({"type":"publish","id":"x","channel":"c"})") << malformed << u"'data' is missing"_s << 0;
    QTest::newRow("channel with a space") << How::Text << QByteArray(R"({"type":"subscribe","id":"x","channel":"a b"})") << malformed << u"invalid channel name"_s << 0;
    QTest::newRow("since 1e300") << How::Text << QByteArray(R"({"type":"subscribe","id":"x","channel":"c","since":1e300})") << malformed << u"whole number in range"_s << 0;
    QTest::newRow("since 2^53+1") << How::Text << QByteArray(R"({"type":"subscribe","id":"x","channel":"c","since":9007199254740993})") << malformed << u"whole number in range"_s << 0;
    QTest::newRow("since -5") << How::Text << QByteArray(R"({"type":"subscribe","id":"x","channel":"c","since":-5})") << malformed << u"whole number in range"_s << 0;
    QTest::newRow("history as string") << How::Text << QByteArray(R"({"type":"subscribe","id":"x","channel":"c","history":"100"})") << malformed << u"'history' must be a number"_s << 0;
    QTest::newRow("history -1") << How::Text << QByteArray(R"({"type":"subscribe","id":"x","channel":"c","history":-1})") << malformed << u"whole number in range"_s << 0;
    QTest::newRow("history 2.5") << How::Text << QByteArray(R"({"type":"subscribe","id":"x","channel":"c","history":2.5})") << malformed << u"whole number in range"_s << 0;
    QTest::newRow("ping ts 1e999") << How::Text << QByteArray(R"({"type":"ping","id":"x","ts":1e999})") << malformed << QString() << 0;
    QTest::newRow("nested 100000 deep") << How::Text << nestedPublish(100000) << malformed << u"JSON"_s << 0;
    QTest::newRow("unknown type (ignored)") << How::Text << QByteArray(R"({"type":"future.thing","id":"f"})") << 0 << QString() << 0;
    QTest::newRow("server-bound type from a client (ignored)") << How::Text << QByteArray(R"({"type":"message","channel":"c","seq":99,"data":1})") << 0 << QString() << 0;
    QTest::newRow("binary frame") << How::Binary << QByteArray("\x00\xff\x10", 3) << malformed << u"binary"_s << 0;
    // The hub's rate limit (burst 400) ends a flood; the bystander does not notice.
    QTest::newRow("flood: 2000 malformed") << How::Flood << QByteArray("{") << malformed << u"JSON"_s << int(CloseCode::RateLimited);
    // Below the protocol: the WebSocket layer closes, the hub lives on.
    QTest::newRow("invalid UTF-8 text frame") << How::RawFrame << (clientFrameHeader(0x1, 8) + QByteArray("{\"a\":\"\xC3\x28\"}").left(8)) << 0 << QString() << 1007;
    QTest::newRow("reserved opcode") << How::RawFrame << (clientFrameHeader(0x3, 1) + "x") << 0 << QString() << 1002;
    QTest::newRow("64 MiB frame") << How::Stream64MiB << QByteArray() << 0 << QString() << int(CloseCode::TooBig);
    // clang-format on
}

void tst_HubBadInput::hostileClient()
{
    QFETCH(How, how);
    QFETCH(QByteArray, payload);
    QFETCH(int, errorCode);
    QFETCH(QString, errorContains);
    QFETCH(int, closeCode);

    HubOptions options;
    options.port = 0;
    options.feedsEnabled = false;
    HubServer hub(options);
    QString startError;
    QVERIFY2(hub.start(&startError), qPrintable(startError));

    ProtocolProbe bystander;
    QVERIFY(bystander.open(hub.url()));
    bool ok = false;
    bystander.waitFor(MessageType::Subscribed, bystander.subscribe(u"c"_s), &ok);
    QVERIFY(ok);

    const qint64 rssBeforeKiB = statusKiB("VmRSS");
    const bool peakReset = resetPeakRss();

    ProtocolProbe probe;
    RawWsClient raw;
    const bool rawClient = how == How::RawFrame || how == How::Stream64MiB;
    QByteArray rawReceived; // read as it comes: a RST after the close would discard unread bytes
    if (rawClient) {
        QVERIFY(raw.open(hub.port()));
        connect(&raw.socket(), &QTcpSocket::readyRead, this, [&] { rawReceived += raw.socket().readAll(); });
    } else
        QVERIFY(probe.open(hub.url()));
    QTRY_COMPARE(hub.clientCount(), 2);

    switch (how) {
    case How::Text:
        probe.sendRaw(payload);
        break;
    case How::Binary:
        probe.socket().sendBinaryMessage(payload);
        break;
    case How::Flood:
        for (int i = 0; i < 2000; ++i)
            probe.sendRaw(payload);
        break;
    case How::RawFrame:
        raw.socket().write(payload);
        break;
    case How::Stream64MiB: {
        // Announce 64 MiB and stream it in slices: a hub that buffered it would grow by 64 MiB.
        constexpr qint64 total = 64 * 1024 * 1024;
        raw.socket().write(clientFrameHeader(0x1, quint64(total)));
        const QByteArray slice(256 * 1024, 'a');
        qint64 sent = 0;
        QElapsedTimer guard;
        guard.start();
        while (sent < total && raw.isConnected() && guard.elapsed() < 30000) {
            if (raw.socket().bytesToWrite() < 1024 * 1024) {
                raw.socket().write(slice);
                sent += slice.size();
            } else {
                QTest::qWait(1);
            }
        }
        qInfo("streamed %lld of %lld bytes before the hub closed", sent, total);
        QVERIFY(sent < total);
        break;
    }
    }

    if (errorCode != 0) {
        const Envelope err = probe.waitFor(MessageType::Error, QString(), &ok, 10000);
        QVERIFY(ok);
        QCOMPARE(err.code, errorCode);
        QVERIFY2(err.text.contains(errorContains), qPrintable(err.text));
    }
    if (closeCode == 0) {
        // The session goes on: a ping is answered, and nothing else was said for an ignored frame.
        probe.waitFor(MessageType::Pong, probe.ping(1), &ok);
        QVERIFY(ok);
        QVERIFY(!probe.isClosed());
        if (errorCode == 0)
            QVERIFY(probe.ofType(MessageType::Error).isEmpty());
    } else if (rawClient) {
        QTRY_VERIFY_WITH_TIMEOUT(!raw.isConnected(), 10000);
        const int seen = closeCodeIn(rawReceived);
        qInfo("hub closed the raw client with %d", seen);
        QCOMPARE(seen, closeCode);
    } else {
        QVERIFY(probe.waitClosed(10000));
        qInfo("hub closed the client with %d: %s", probe.closeCode(), qPrintable(probe.closeReason()));
        QCOMPARE(probe.closeCode(), closeCode);
    }

    // The hub serves on: the next valid publish (from the same session when it survived) is acked and
    // delivered.
    ProtocolProbe next;
    ProtocolProbe *publisher = &probe;
    if (closeCode != 0) {
        QVERIFY(next.open(hub.url()));
        publisher = &next;
    }
    const Envelope ack = publisher->waitFor(MessageType::Ack,
                                            publisher->publish(u"c"_s, QJsonObject{{u"after"_s, true}}), &ok);
    QVERIFY(ok);
    QTRY_VERIFY(!bystander.seqsOf(u"c"_s).isEmpty());
    QCOMPARE(bystander.seqsOf(u"c"_s).last(), ack.seq);
    QVERIFY(!bystander.isClosed());
    QVERIFY(bystander.ofType(MessageType::Error).isEmpty());
    QTRY_COMPARE(hub.clientCount(), 2);

    const qint64 peakKiB = statusKiB("VmHWM");
    qInfo("resident memory %lld KiB before, peak %lld KiB during the row", rssBeforeKiB, peakKiB);
    if (!kAddressSanitizer && peakReset)
        QVERIFY2(peakKiB - rssBeforeKiB < 32 * 1024,
                 qPrintable(u"grew by %1 KiB"_s.arg(peakKiB - rssBeforeKiB)));
}

QTEST_GUILESS_MAIN(tst_HubBadInput)
#include "tst_hubbadinput.moc"
