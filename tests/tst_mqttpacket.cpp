// The MQTT 3.1.1 codec (lib/protocol/MqttPacket) and MqttDialect without a socket: encodings
// byte for byte as the standard writes them, the streaming reader, and the bad-input table of
// docs/RELIABILITY.md "Bad input from an MQTT broker".
#include "client/ConnectionOptions.h"
#include "client/MqttDialect.h"
#include "protocol/CloseCode.h"
#include "protocol/MqttPacket.h"

#include <QJsonObject>
#include <QTest>

using namespace Pulseboard;
using namespace Pulseboard::Mqtt;
using namespace Qt::StringLiterals;

namespace {

QByteArray bytes(std::initializer_list<int> list)
{
    QByteArray out;
    for (int b : list)
        out.append(char(b));
    return out;
}

// Every DialectEvents call, as words, in order.
class Recorder : public DialectEvents
{
public:
    QStringList calls;
    QList<QByteArray> replies;
    QList<InboundMessage> messages;
    QList<QJsonValue> data;
    void welcomed(const QString &, const QString &, qint64) override { calls << u"welcomed"_s; }
    void messageArrived(const InboundMessage &m) override
    {
        calls << u"message %1"_s.arg(m.channel) + (m.retained ? u" retained"_s : QString());
        data << m.data.toJsonValue();
    }
    void ackArrived(const QString &id, qint64 seq) override { calls << u"ack %1 %2"_s.arg(id).arg(seq); }
    void subscribeConfirmed(const QString &id, const QString &channel, qint64, std::optional<bool>,
                            const QString &) override
    {
        calls << u"subscribed %1 %2"_s.arg(id, channel);
    }
    void unsubscribeConfirmed(const QString &id, const QString &channel) override
    {
        calls << u"unsubscribed %1 %2"_s.arg(id, channel);
    }
    void responseArrived(const QString &id, const QJsonValue &, const QString &) override
    {
        calls << u"response %1"_s.arg(id);
    }
    void serverError(int code, const QString &message, const QString &id) override
    {
        calls << u"error %1 %2 [%3]"_s.arg(code).arg(id, message);
    }
    void pongArrived(const QString &id, qint64 ts) override { calls << u"pong %1 %2"_s.arg(id).arg(ts); }
    void replyDue(const OutboundFrame &frame) override
    {
        calls << u"reply %1"_s.arg(QString::fromLatin1(frame.bytes.toHex()));
        replies << frame.bytes;
    }
    void malformedFrame(int code, const QString &message) override
    {
        calls << u"malformed %1 [%2]"_s.arg(code).arg(message);
    }
    void connectionUnusable(int code, const QString &reason) override
    {
        calls << u"unusable %1 [%2]"_s.arg(code).arg(reason);
    }
};

// A client id of its own per dialect: the dialect remembers, process-wide, which ids had a session.
MqttDialect::Settings settings()
{
    static int n = 0;
    MqttDialect::Settings s;
    s.clientId = u"pb-test-%1"_s.arg(++n);
    s.keepAliveSecs = 30;
    return s;
}

// A dialect past its CONNACK (session present as given).
void connack(MqttDialect &d, Recorder &r, bool sessionPresent = false)
{
    d.encodeAuth(u"auth-1"_s, QString());
    d.decodeBinary(bytes({0x20, 0x02, sessionPresent ? 1 : 0, 0x00}), r);
    r.calls.clear();
}

} // namespace

class tst_MqttPacket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void remainingLength_data();
    void remainingLength();
    void connectBytes();
    void publishRoundTrip_data();
    void publishRoundTrip();
    void subscribeAndUnsubscribeBytes();
    void streamingReassembly();
    void badInput_data();
    void badInput();
    void hugeRemainingLengthRefusedBeforeBuffering();
    void topicMatching_data();
    void topicMatching();
    void topicFilterProblems_data();
    void topicFilterProblems();

    void payloadToJson_data();
    void payloadToJson();
    void dialectConnack_data();
    void dialectConnack();
    void dialectSubackAndUnsuback();
    void dialectInboundQos1IsAckedAfterDelivery();
    void dialectInboundQos2DeliveredOnce();
    void dialectPublishIdsAndDup();
    void dialectPingPong();
    void dialectRetainedAfterSessionMessageIsOlder();
    void dialectBadInputKeepsReading();
    void dialectSaysWhenTheBrokerLostTheSession();
    void dialectFatalStopsReading();
    void settingsRefused_data();
    void settingsRefused();
    void defaultClientIdIsStable();
};

void tst_MqttPacket::remainingLength_data()
{
    QTest::addColumn<qint64>("length");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("0") << qint64(0) << bytes({0x00});
    QTest::newRow("127") << qint64(127) << bytes({0x7f});
    QTest::newRow("128") << qint64(128) << bytes({0x80, 0x01});
    QTest::newRow("16383") << qint64(16383) << bytes({0xff, 0x7f});
    QTest::newRow("16384") << qint64(16384) << bytes({0x80, 0x80, 0x01});
    QTest::newRow("2097151") << qint64(2097151) << bytes({0xff, 0xff, 0x7f});
    QTest::newRow("2097152") << qint64(2097152) << bytes({0x80, 0x80, 0x80, 0x01});
    QTest::newRow("268435455") << qint64(268435455) << bytes({0xff, 0xff, 0xff, 0x7f});
    QTest::newRow("268435456: too long") << qint64(268435456) << QByteArray();
    QTest::newRow("-1") << qint64(-1) << QByteArray();
}

void tst_MqttPacket::remainingLength()
{
    QFETCH(qint64, length);
    QFETCH(QByteArray, encoded);
    QCOMPARE(encodeRemainingLength(length), encoded);
}

void tst_MqttPacket::connectBytes()
{
    ConnectOptions o;
    o.clientId = u"ab"_s;
    o.cleanSession = false;
    o.keepAliveSecs = 60;
    o.hasUsername = true;
    o.username = u"u"_s;
    o.hasPassword = true;
    o.password = "pw";
    // 3.1.2: "MQTT", level 4, flags user|password (0xc0), keep alive 60, then id, user, password.
    const QByteArray want = bytes({0x10, 21,   0x00, 0x04, 'M',  'Q',  'T', 'T',  0x04, 0xc0, 0x00, 60,
                                   0x00, 0x02, 'a',  'b',  0x00, 0x01, 'u', 0x00, 0x02, 'p',  'w'});
    QCOMPARE(encodeConnect(o), want);
    o.hasUsername = o.hasPassword = false;
    o.cleanSession = true;
    QCOMPARE(encodeConnect(o),
             bytes({0x10, 14, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 60, 0x00, 0x02, 'a', 'b'}));
    QCOMPARE(encodePingreq(), bytes({0xc0, 0x00}));
    QCOMPARE(encodeDisconnect(), bytes({0xe0, 0x00}));
    QCOMPARE(encodePuback(0x1234), bytes({0x40, 0x02, 0x12, 0x34}));
}

void tst_MqttPacket::publishRoundTrip_data()
{
    QTest::addColumn<int>("qos");
    QTest::addColumn<bool>("retain");
    QTest::addColumn<bool>("dup");
    QTest::addColumn<int>("payloadSize");
    QTest::newRow("qos0") << 0 << false << false << 5;
    QTest::newRow("qos0 retain") << 0 << true << false << 0;
    QTest::newRow("qos1") << 1 << false << false << 200;
    QTest::newRow("qos1 dup retain") << 1 << true << true << 20000;
    QTest::newRow("qos1 3-byte length") << 1 << false << false << 70000;
}

void tst_MqttPacket::publishRoundTrip()
{
    QFETCH(int, qos);
    QFETCH(bool, retain);
    QFETCH(bool, dup);
    QFETCH(int, payloadSize);
    const QByteArray payload(payloadSize, 'x');
    const QByteArray wire = encodePublish("a/b", payload, qos, retain, dup, qos ? 77 : 0);
    QCOMPARE(quint8(wire[0]), quint8(0x30 | (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0)));
    MqttReader reader;
    reader.append(wire);
    Packet p;
    QString error;
    QCOMPARE(reader.next(p, &error), MqttReader::Result::Packet);
    QCOMPARE(p.type, PacketType::Publish);
    QCOMPARE(p.topic, QByteArray("a/b"));
    QCOMPARE(p.payload, payload);
    QCOMPARE(p.qos, qos);
    QCOMPARE(p.retain, retain);
    QCOMPARE(p.dup, dup);
    QCOMPARE(p.packetId, quint16(qos ? 77 : 0));
    QCOMPARE(reader.next(p, &error), MqttReader::Result::NeedMore);
    QCOMPARE(reader.buffered(), 0);
    // QoS 1 needs a packet id; QoS 3 does not exist.
    QVERIFY(encodePublish("a", "x", 1, false, false, 0).isEmpty());
    QVERIFY(encodePublish("a", "x", 3, false, false, 1).isEmpty());
}

void tst_MqttPacket::subscribeAndUnsubscribeBytes()
{
    // 3.8.1: fixed header 0x82 (reserved flags 0010).
    QCOMPARE(encodeSubscribe(10, {u"a/+"_s}, 1),
             bytes({0x82, 0x08, 0x00, 0x0a, 0x00, 0x03, 'a', '/', '+', 0x01}));
    QCOMPARE(encodeUnsubscribe(11, {u"a/#"_s}), bytes({0xa2, 0x07, 0x00, 0x0b, 0x00, 0x03, 'a', '/', '#'}));
    QVERIFY(encodeSubscribe(0, {u"a"_s}, 1).isEmpty());
    QVERIFY(encodeSubscribe(1, {}, 1).isEmpty());
}

void tst_MqttPacket::streamingReassembly()
{
    QByteArray stream;
    stream += bytes({0x20, 0x02, 0x01, 0x00}); // CONNACK, session present
    stream += encodePublish("t/1", "hello", 1, false, false, 5);
    stream += bytes({0x90, 0x03, 0x00, 0x02, 0x01}); // SUBACK id 2, QoS 1
    stream += encodePublish("t/2", QByteArray(300, 'y'), 0, true, false, 0);
    stream += bytes({0xd0, 0x00}); // PINGRESP
    const auto readAll = [](MqttReader &r, QList<Packet> &out) {
        Packet p;
        QString error;
        MqttReader::Result res;
        while ((res = r.next(p, &error)) == MqttReader::Result::Packet)
            out.append(p);
        return res;
    };
    // All at once (one WebSocket message holding five packets).
    {
        MqttReader r;
        QList<Packet> got;
        r.append(stream);
        QCOMPARE(readAll(r, got), MqttReader::Result::NeedMore);
        QCOMPARE(got.size(), 5);
        QCOMPARE(got.at(0).sessionPresent, true);
        QCOMPARE(got.at(1).payload, QByteArray("hello"));
        QCOMPARE(got.at(2).returnCodes, bytes({0x01}));
        QCOMPARE(got.at(3).payload.size(), 300);
        QCOMPARE(got.at(4).type, PacketType::Pingresp);
    }
    // One byte at a time (each packet split over many messages).
    {
        MqttReader r;
        QList<Packet> got;
        for (char c : std::as_const(stream)) {
            r.append(QByteArrayView(&c, 1));
            QCOMPARE(readAll(r, got), MqttReader::Result::NeedMore);
        }
        QCOMPARE(got.size(), 5);
        QCOMPARE(got.at(3).topic, QByteArray("t/2"));
        QCOMPARE(r.buffered(), 0);
    }
    // Split in the middle of the varint of the fourth packet.
    {
        MqttReader r;
        QList<Packet> got;
        const qsizetype cut = stream.indexOf("t/2") - 2; // inside the 2-byte remaining length
        r.append(QByteArrayView(stream).first(cut));
        QCOMPARE(readAll(r, got), MqttReader::Result::NeedMore);
        QCOMPARE(got.size(), 3);
        r.append(QByteArrayView(stream).sliced(cut));
        QCOMPARE(readAll(r, got), MqttReader::Result::NeedMore);
        QCOMPARE(got.size(), 5);
    }
}

void tst_MqttPacket::badInput_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("result"); // MqttReader::Result
    QTest::addColumn<QString>("words");
    const int M = int(MqttReader::Result::Malformed);
    const int F = int(MqttReader::Result::Fatal);
    QTest::newRow("PUBLISH QoS 3") << bytes({0x36, 0x03, 0x00, 0x01, 'h'}) << M << u"QoS 3"_s;
    QTest::newRow("PUBLISH QoS 0 with DUP") << bytes({0x38, 0x03, 0x00, 0x01, 'h'}) << M << u"DUP"_s;
    QTest::newRow("PUBLISH without topic length") << bytes({0x30, 0x01, 0x00}) << M << u"no topic length"_s;
    QTest::newRow("PUBLISH topic past the packet")
        << bytes({0x30, 0x04, 0x00, 0x09, 'a', 'b'}) << M << u"topic of 9 bytes"_s;
    QTest::newRow("PUBLISH empty topic") << bytes({0x30, 0x02, 0x00, 0x00}) << M << u"empty topic"_s;
    QTest::newRow("PUBLISH topic not UTF-8")
        << bytes({0x30, 0x04, 0x00, 0x02, 0xff, 0xfe}) << M << u"not valid UTF-8"_s;
    QTest::newRow("PUBLISH topic with U+0000")
        << bytes({0x30, 0x04, 0x00, 0x02, 'a', 0x00}) << M << u"U+0000"_s;
    QTest::newRow("PUBLISH topic with a wildcard")
        << bytes({0x30, 0x05, 0x00, 0x03, 'a', '/', '#'}) << M << u"wildcard"_s;
    QTest::newRow("PUBLISH QoS 1 without packet id")
        << bytes({0x32, 0x03, 0x00, 0x01, 'h'}) << M << u"without a packet id"_s;
    QTest::newRow("PUBLISH QoS 1 packet id 0")
        << bytes({0x32, 0x05, 0x00, 0x01, 'h', 0x00, 0x00}) << M << u"packet id 0"_s;
    QTest::newRow("CONNACK of 3 bytes")
        << bytes({0x20, 0x03, 0x00, 0x00, 0x00}) << M << u"CONNACK of 3 bytes"_s;
    QTest::newRow("CONNACK reserved ack flags")
        << bytes({0x20, 0x02, 0x02, 0x00}) << M << u"reserved acknowledge flags"_s;
    QTest::newRow("CONNACK reserved header flags")
        << bytes({0x21, 0x02, 0x00, 0x00}) << M << u"reserved flags"_s;
    QTest::newRow("PUBACK of 3 bytes")
        << bytes({0x40, 0x03, 0x00, 0x01, 0x00}) << M << u"PUBACK of 3 bytes"_s;
    QTest::newRow("PUBACK packet id 0") << bytes({0x40, 0x02, 0x00, 0x00}) << M << u"packet id 0"_s;
    QTest::newRow("PUBREL without its flags") << bytes({0x60, 0x02, 0x00, 0x01}) << M << u"reserved flags"_s;
    QTest::newRow("SUBACK return code 5")
        << bytes({0x90, 0x03, 0x00, 0x01, 0x05}) << M << u"return code 0x05"_s;
    QTest::newRow("SUBACK without codes") << bytes({0x90, 0x02, 0x00, 0x01}) << M << u"at least 3"_s;
    QTest::newRow("PINGRESP with a body") << bytes({0xd0, 0x01, 0x00}) << M << u"PINGRESP of 1 bytes"_s;
    QTest::newRow("reserved type 0") << bytes({0x00, 0x00}) << M << u"reserved type 0"_s;
    QTest::newRow("reserved type 15") << bytes({0xf0, 0x00}) << M << u"reserved type 15"_s;
    QTest::newRow("CONNECT from a broker") << bytes({0x10, 0x00}) << M << u"sent by clients"_s;
    QTest::newRow("SUBSCRIBE from a broker") << bytes({0x82, 0x00}) << M << u"sent by clients"_s;
    QTest::newRow("remaining length of 5 bytes")
        << bytes({0x30, 0xff, 0xff, 0xff, 0xff, 0x01}) << F << u"longer than 4 bytes"_s;
    QTest::newRow("remaining length 268435455")
        << bytes({0x30, 0xff, 0xff, 0xff, 0x7f}) << F << u"over the limit"_s;
    QTest::newRow("1 MiB + 1 announced") << (QByteArray("\x30") + encodeRemainingLength(1024 * 1024)) << F
                                         << u"over the limit of 1048576 bytes"_s;
}

void tst_MqttPacket::badInput()
{
    QFETCH(QByteArray, input);
    QFETCH(int, result);
    QFETCH(QString, words);
    MqttReader reader;
    reader.append(input);
    const QByteArray next = encodePublish("ok", "1", 0, false, false, 0);
    reader.append(next);
    Packet p;
    QString error;
    QCOMPARE(int(reader.next(p, &error)), result);
    QVERIFY2(error.contains(words), qPrintable(error));
    if (result == int(MqttReader::Result::Malformed)) {
        // The bad packet was read past: the next one is whole.
        QCOMPARE(reader.next(p, &error), MqttReader::Result::Packet);
        QCOMPARE(p.topic, QByteArray("ok"));
        QCOMPARE(reader.next(p, &error), MqttReader::Result::NeedMore);
    } else {
        QVERIFY(reader.isBroken());
        QCOMPARE(reader.buffered(), 0);
        QCOMPARE(reader.next(p, &error), MqttReader::Result::Fatal);
    }
}

void tst_MqttPacket::hugeRemainingLengthRefusedBeforeBuffering()
{
    MqttReader reader(1024 * 1024);
    QByteArray header("\x30");
    header += encodeRemainingLength(200 * 1024 * 1024);
    header += QByteArray(1000, 'z'); // the start of the body
    reader.append(header);
    Packet p;
    QString error;
    QCOMPARE(reader.next(p, &error), MqttReader::Result::Fatal);
    QVERIFY(reader.brokeOnSize());
    QVERIFY2(error.contains(u"209715205 bytes announced"_s), qPrintable(error));
    QCOMPARE(reader.buffered(), 0);
    reader.append(QByteArray(4096, 'z')); // what follows is not kept
    QCOMPARE(reader.buffered(), 0);
    // Below the limit the same packet is waited for.
    MqttReader big(300 * 1024 * 1024);
    big.append(header);
    QCOMPARE(big.next(p, &error), MqttReader::Result::NeedMore);
}

void tst_MqttPacket::topicMatching_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("matches");
    QTest::newRow("exact") << u"a/b"_s << u"a/b"_s << true;
    QTest::newRow("exact other") << u"a/b"_s << u"a/c"_s << false;
    QTest::newRow("+ one level") << u"a/+/c"_s << u"a/x/c"_s << true;
    QTest::newRow("+ not two") << u"a/+/c"_s << u"a/x/y/c"_s << false;
    QTest::newRow("+ empty level") << u"a/+"_s << u"a/"_s << true;
    QTest::newRow("+ needs the level") << u"a/+"_s << u"a"_s << false;
    QTest::newRow("# all below") << u"a/#"_s << u"a/b/c/d"_s << true;
    QTest::newRow("# the parent") << u"a/#"_s << u"a"_s << true;
    QTest::newRow("# everything") << u"#"_s << u"x/y"_s << true;
    QTest::newRow("# not $SYS") << u"#"_s << u"$SYS/broker"_s << false;
    QTest::newRow("+ not $SYS") << u"+/broker"_s << u"$SYS/broker"_s << false;
    QTest::newRow("$SYS explicit") << u"$SYS/#"_s << u"$SYS/broker"_s << true;
    QTest::newRow("+/+") << u"+/+"_s << u"/finance"_s << true;
    QTest::newRow("longer topic") << u"a/b"_s << u"a/b/c"_s << false;
}

void tst_MqttPacket::topicMatching()
{
    QFETCH(QString, filter);
    QFETCH(QString, topic);
    QFETCH(bool, matches);
    QCOMPARE(topicMatches(filter, topic), matches);
}

void tst_MqttPacket::topicFilterProblems_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("ok");
    QTest::newRow("plain") << u"a/b"_s << true;
    QTest::newRow("+ level") << u"a/+/c"_s << true;
    QTest::newRow("# last") << u"a/#"_s << true;
    QTest::newRow("# alone") << u"#"_s << true;
    QTest::newRow("# inside a level") << u"a/b#"_s << false;
    QTest::newRow("# not last") << u"a/#/c"_s << false;
    QTest::newRow("+ inside a level") << u"a/b+"_s << false;
    QTest::newRow("empty") << QString() << false;
}

void tst_MqttPacket::topicFilterProblems()
{
    QFETCH(QString, filter);
    QFETCH(bool, ok);
    QCOMPARE(topicFilterProblem(filter).isEmpty(), ok);
    QVERIFY(!topicNameProblem(u"a/+"_s).isEmpty());
    QVERIFY(!topicNameProblem(u"a/#"_s).isEmpty());
    QVERIFY(topicNameProblem(u"a/b c"_s).isEmpty());
}

void tst_MqttPacket::payloadToJson_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QJsonValue>("data");
    QTest::newRow("number") << QByteArray("21.5") << QJsonValue(21.5);
    QTest::newRow("number with spaces") << QByteArray(" 7\n") << QJsonValue(7);
    QTest::newRow("object") << QByteArray("{\"t\":1}") << QJsonValue(QJsonObject{{u"t"_s, 1}});
    QTest::newRow("bool") << QByteArray("false") << QJsonValue(false);
    QTest::newRow("JSON string") << QByteArray("\"on\"") << QJsonValue(u"on"_s);
    QTest::newRow("text") << QByteArray("disk full") << QJsonValue(u"disk full"_s);
    QTest::newRow("two numbers are text") << QByteArray("1,2") << QJsonValue(u"1,2"_s);
    QTest::newRow("NaN is text") << QByteArray("NaN") << QJsonValue(u"NaN"_s);
    QTest::newRow("empty") << QByteArray() << QJsonValue(QJsonValue::Null);
    QTest::newRow("not UTF-8") << QByteArray("\xff\x00", 2)
                               << QJsonValue(QJsonObject{{u"base64"_s, u"/wA="_s}});
}

void tst_MqttPacket::payloadToJson()
{
    QFETCH(QByteArray, payload);
    QFETCH(QJsonValue, data);
    QCOMPARE(MqttDialect::payloadToJson(payload), data);
}

void tst_MqttPacket::dialectConnack_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("call");
    QTest::newRow("0 accepted") << 0 << u"ack auth-1 -1"_s;
    QTest::newRow("1 protocol") << 1 << u"unusable 1008 [the broker does not speak MQTT 3.1.1"_s;
    QTest::newRow("2 identifier") << 2 << u"unusable 1008 [the broker rejected the client id"_s;
    QTest::newRow("3 unavailable") << 3 << u"unusable 4503 [the broker is unavailable"_s;
    QTest::newRow("4 credentials") << 4 << u"error 4001 auth-1 [bad user name or password (CONNACK 4)]"_s;
    QTest::newRow("5 not authorized") << 5 << u"error 4001 auth-1 [not authorized (CONNACK 5)]"_s;
    QTest::newRow("9 unknown") << 9 << u"unusable 1008 [unknown CONNACK return code 9]"_s;
}

void tst_MqttPacket::dialectConnack()
{
    QFETCH(int, code);
    QFETCH(QString, call);
    MqttDialect d(settings());
    Recorder r;
    const OutboundFrame connect = d.encodeAuth(u"auth-1"_s, u"tok"_s);
    QVERIFY(connect.binary);
    QCOMPARE(quint8(connect.bytes[0]), quint8(0x10));
    QVERIFY(connect.bytes.endsWith("\x00\x03tok"));
    d.decodeBinary(bytes({0x20, 0x02, 0x00, code}), r);
    QCOMPARE(r.calls.size(), 1);
    QVERIFY2(r.calls.at(0).startsWith(call), qPrintable(r.calls.at(0)));
    // After a refusal nothing more of the connection is read.
    if (code != 0) {
        d.decodeBinary(encodePublish("a", "1", 0, false, false, 0), r);
        QCOMPARE(r.calls.size(), 1);
    }
}

void tst_MqttPacket::dialectSubackAndUnsuback()
{
    MqttDialect d(settings());
    Recorder r;
    connack(d, r);
    const OutboundFrame s1 = d.encodeSubscribe(u"sub-1"_s, u"a/+"_s, -1);
    const OutboundFrame s2 = d.encodeSubscribe(u"sub-2"_s, u"b/#"_s, -1);
    const quint16 id1 = quint16((quint8(s1.bytes[2]) << 8) | quint8(s1.bytes[3]));
    const quint16 id2 = quint16((quint8(s2.bytes[2]) << 8) | quint8(s2.bytes[3]));
    QVERIFY(id1 != id2);
    // Answered in the other order, one refused.
    d.decodeBinary(
        bytes({0x90, 0x03, id2 >> 8, id2 & 0xff, 0x80}) + bytes({0x90, 0x03, id1 >> 8, id1 & 0xff, 0x00}), r);
    QCOMPARE(r.calls,
             QStringList({u"error 403 sub-2 [the broker refused it (SUBACK 0x80)]"_s,
                          u"error 403  [the broker granted a/+ only QoS 0: messages published while the "
                          u"connection is down are not kept for it]"_s,
                          u"subscribed sub-1 a/+"_s}));
    r.calls.clear();
    d.decodeBinary(bytes({0x90, 0x03, id1 >> 8, id1 & 0xff, 0x01}), r); // answered already
    QCOMPARE(r.calls.size(), 1);
    QVERIFY2(r.calls.at(0).contains(u"no subscribe in flight"_s), qPrintable(r.calls.at(0)));
    r.calls.clear();
    const OutboundFrame u = d.encodeUnsubscribe(u"unsub-1"_s, u"a/+"_s);
    QCOMPARE(quint8(u.bytes[0]), quint8(0xa2));
    d.decodeBinary(bytes({0xb0, 0x02, u.bytes[2], u.bytes[3]}), r);
    QCOMPARE(r.calls, QStringList({u"unsubscribed unsub-1 a/+"_s}));
}

void tst_MqttPacket::dialectInboundQos1IsAckedAfterDelivery()
{
    MqttDialect d(settings());
    Recorder r;
    connack(d, r);
    d.decodeBinary(encodePublish("s/t", "42", 1, false, false, 0x0102), r);
    QCOMPARE(r.calls, QStringList({u"message s/t"_s, u"reply 40020102"_s}));
    QCOMPARE(r.data.at(0), QJsonValue(42));
    r.calls.clear();
    d.decodeBinary(encodePublish("s/t", "x", 0, false, false, 0), r); // QoS 0: no answer
    QCOMPARE(r.calls, QStringList({u"message s/t"_s}));
}

void tst_MqttPacket::dialectInboundQos2DeliveredOnce()
{
    MqttDialect d(settings());
    Recorder r;
    connack(d, r);
    d.decodeBinary(encodePublish("q", "1", 2, false, false, 9), r);
    d.decodeBinary(encodePublish("q", "1", 2, false, true, 9), r); // the broker's resend (DUP)
    d.decodeBinary(bytes({0x62, 0x02, 0x00, 0x09}), r);            // PUBREL
    QCOMPARE(r.calls,
             QStringList({u"message q"_s, u"reply 50020009"_s, u"reply 50020009"_s, u"reply 70020009"_s}));
}

void tst_MqttPacket::dialectPublishIdsAndDup()
{
    MqttDialect d(settings());
    Recorder r;
    connack(d, r);
    const OutboundFrame queued = d.encodePublish(u"p-1"_s, u"cmd/x"_s, QJsonObject{{u"n"_s, 1}}, u"key"_s);
    QVERIFY(!queued.binary); // JSON text: the journal keeps it as a string
    QCOMPARE(queued.bytes, QByteArray("{\"payload\":\"{\\\"n\\\":1}\",\"topic\":\"cmd/x\"}"));
    const OutboundFrame first = d.prepareAttempt(u"p-1"_s, queued.bytes, 0);
    const OutboundFrame again = d.prepareAttempt(u"p-1"_s, queued.bytes, 1);
    QVERIFY(first.binary);
    QCOMPARE(quint8(first.bytes[0]), quint8(0x32)); // QoS 1, no DUP
    QCOMPARE(quint8(again.bytes[0]), quint8(0x3a)); // QoS 1, DUP: the same packet again
    MqttReader reader;
    reader.append(first.bytes + again.bytes);
    Packet a, b;
    QString error;
    QCOMPARE(reader.next(a, &error), MqttReader::Result::Packet);
    QCOMPARE(reader.next(b, &error), MqttReader::Result::Packet);
    QCOMPARE(a.packetId, b.packetId); // the same id on one connection
    QCOMPARE(a.payload, QByteArray("{\"n\":1}"));
    // A string goes out as its text, a number as its literal.
    MqttReader texts;
    texts.append(d.prepareAttempt(u"p-2"_s, d.encodePublish(u"p-2"_s, u"t"_s, u"on"_s, {}).bytes, 0).bytes);
    texts.append(d.prepareAttempt(u"p-3"_s, d.encodePublish(u"p-3"_s, u"t"_s, 2.5, {}).bytes, 0).bytes);
    Packet t1, t2;
    QCOMPARE(texts.next(t1, &error), MqttReader::Result::Packet);
    QCOMPARE(texts.next(t2, &error), MqttReader::Result::Packet);
    QCOMPARE(t1.payload, QByteArray("on"));
    QCOMPARE(t2.payload, QByteArray("2.5"));
    QVERIFY(t1.packetId != a.packetId && t2.packetId != t1.packetId);
    // PUBACKs map back to the session's ids; an unknown one is ignored.
    d.decodeBinary(bytes({0x40, 0x02, t2.packetId >> 8, t2.packetId & 0xff}) +
                       bytes({0x40, 0x02, a.packetId >> 8, a.packetId & 0xff}) +
                       bytes({0x40, 0x02, 0x7f, 0x7f}),
                   r);
    QCOMPARE(r.calls, QStringList({u"ack p-3 -1"_s, u"ack p-1 -1"_s}));
    // A new connection's dialect gives the resend a fresh id, with DUP.
    MqttDialect next(settings());
    QCOMPARE(quint8(next.prepareAttempt(u"p-1"_s, queued.bytes, 1).bytes[0]), quint8(0x3a));
    // At QoS 0 nothing is awaited.
    MqttDialect::Settings s0 = settings();
    s0.publishQos = 0;
    MqttDialect d0(s0);
    QVERIFY(!d0.capabilities().acksPublish);
    QCOMPARE(quint8(d0.prepareAttempt(u"p-1"_s, queued.bytes, 0).bytes[0]), quint8(0x30));
}

void tst_MqttPacket::dialectPingPong()
{
    MqttDialect d(settings());
    Recorder r;
    connack(d, r);
    QCOMPARE(d.encodePing(u"hb-1"_s, 1000).bytes, encodePingreq());
    QCOMPARE(d.encodePing(u"hb-2"_s, 2000).bytes, encodePingreq());
    d.decodeBinary(bytes({0xd0, 0x00, 0xd0, 0x00, 0xd0, 0x00}), r); // the third was not asked for
    QCOMPARE(r.calls, QStringList({u"pong hb-1 1000"_s, u"pong hb-2 2000"_s}));
}

void tst_MqttPacket::dialectRetainedAfterSessionMessageIsOlder()
{
    MqttDialect d(settings());
    Recorder r;
    connack(d, r, true);                                                    // the broker kept our session
    d.decodeBinary(encodePublish("door", "closed", 1, false, false, 1), r); // queued while away
    d.decodeBinary(encodePublish("door", "open", 1, true, false, 2), r);    // the resubscribe's retained copy
    d.decodeBinary(encodePublish("lamp", "on", 0, true, false, 0), r);      // retained, nothing newer
    QCOMPARE(r.calls, QStringList({u"message door"_s, u"reply 40020001"_s, u"reply 40020002"_s,
                                   u"message lamp retained"_s}));
    // Without a kept session the retained message is the last value.
    MqttDialect fresh(settings());
    Recorder r2;
    connack(fresh, r2, false);
    fresh.decodeBinary(encodePublish("door", "open", 0, true, false, 0), r2);
    QCOMPARE(r2.calls, QStringList({u"message door retained"_s}));
}

void tst_MqttPacket::dialectBadInputKeepsReading()
{
    MqttDialect d(settings());
    Recorder r;
    d.encodeAuth(u"auth-1"_s, QString());
    d.decodeBinary(encodePublish("early", "1", 0, false, false, 0), r); // before CONNACK
    d.decodeBinary(bytes({0x20, 0x02, 0x00, 0x00}), r);
    d.decodeBinary(bytes({0x20, 0x02, 0x00, 0x00}), r); // a second CONNACK
    d.decodeText(u"hello", r);
    d.decodeBinary(bytes({0x36, 0x03, 0x00, 0x01, 'h'}) + encodePublish("ok", "1", 0, false, false, 0), r);
    d.decodeBinary(bytes({0x50, 0x02, 0x00, 0x05}), r); // PUBREC: we sent no QoS 2
    QCOMPARE(r.calls.size(), 7);
    QVERIFY2(r.calls.at(0).startsWith(u"malformed 4400 [broker sent PUBLISH before CONNACK"_s),
             qPrintable(r.calls.at(0)));
    QCOMPARE(r.calls.at(1), u"ack auth-1 -1"_s);
    QVERIFY2(r.calls.at(2).contains(u"second CONNACK"_s), qPrintable(r.calls.at(2)));
    QVERIFY2(r.calls.at(3).contains(u"text frame of 5 bytes"_s), qPrintable(r.calls.at(3)));
    QVERIFY2(r.calls.at(4).contains(u"unreadable MQTT packet: PUBLISH with QoS 3"_s),
             qPrintable(r.calls.at(4)));
    QCOMPARE(r.calls.at(5), u"message ok"_s);
    QVERIFY2(r.calls.at(6).contains(u"no QoS 2 publish was sent"_s), qPrintable(r.calls.at(6)));
}

void tst_MqttPacket::dialectSaysWhenTheBrokerLostTheSession()
{
    const MqttDialect::Settings s = settings();
    const auto connectOnce = [&](int sessionPresent) {
        MqttDialect d(s);
        Recorder r;
        d.encodeAuth(u"auth-1"_s, QString());
        d.decodeBinary(bytes({0x20, 0x02, sessionPresent, 0x00}), r);
        return r.calls;
    };
    QCOMPARE(connectOnce(0), QStringList({u"ack auth-1 -1"_s})); // the first session
    QCOMPARE(connectOnce(1), QStringList({u"ack auth-1 -1"_s})); // kept
    const QStringList lost = connectOnce(0);
    QCOMPARE(lost.size(), 2);
    QVERIFY2(
        lost.at(0).startsWith(u"error 410  [the broker kept no session for client id %1"_s.arg(s.clientId)),
        qPrintable(lost.at(0)));
    QCOMPARE(lost.at(1), u"ack auth-1 -1"_s);
    // With clean session the broker keeps nothing by design: nothing to say.
    MqttDialect::Settings clean = settings();
    clean.cleanSession = true;
    for (int i = 0; i < 2; ++i) {
        MqttDialect d(clean);
        Recorder r;
        d.encodeAuth(u"auth-1"_s, QString());
        d.decodeBinary(bytes({0x20, 0x02, 0x00, 0x00}), r);
        QCOMPARE(r.calls, QStringList({u"ack auth-1 -1"_s}));
        QVERIFY(!d.capabilities().resumes);
    }
}

void tst_MqttPacket::dialectFatalStopsReading()
{
    MqttDialect::Settings s = settings();
    s.maxPacketBytes = 4096;
    MqttDialect d(s);
    Recorder r;
    connack(d, r);
    QByteArray huge("\x30");
    huge += encodeRemainingLength(200 * 1024 * 1024);
    d.decodeBinary(encodePublish("a", "1", 0, false, false, 0) + huge, r);
    d.decodeBinary(encodePublish("b", "2", 0, false, false, 0), r);
    QCOMPARE(r.calls.size(), 2);
    QCOMPARE(r.calls.at(0), u"message a"_s);
    QVERIFY2(r.calls.at(1).startsWith(
                 u"unusable 1009 [broker sent an unreadable MQTT stream: PUBLISH of 209715205 "
                 u"bytes announced, over the limit of 4096 bytes"_s),
             qPrintable(r.calls.at(1)));
}

void tst_MqttPacket::settingsRefused_data()
{
    QTest::addColumn<QJsonObject>("config");
    QTest::addColumn<QString>("words");
    QTest::newRow("unknown key") << QJsonObject{{u"clientid"_s, u"x"_s}}
                                 << u"unknown mqtt setting \"clientid\""_s;
    QTest::newRow("qos 2") << QJsonObject{{u"qos"_s, 2}} << u"\"qos\" must be a whole number from 0 to 1"_s;
    QTest::newRow("qos as string") << QJsonObject{{u"qos"_s, u"1"_s}} << u"\"qos\" must be a whole number"_s;
    QTest::newRow("keepAlive 0") << QJsonObject{{u"keepAlive"_s, 0}}
                                 << u"\"keepAlive\" must be a whole number"_s;
    QTest::newRow("keepAlive below the heartbeat")
        << QJsonObject{{u"keepAlive"_s, 10}} << u"shorter than the heartbeat interval (30000 ms)"_s;
    QTest::newRow("cleanSession as number")
        << QJsonObject{{u"cleanSession"_s, 1}} << u"must be true or false"_s;
    QTest::newRow("empty clientId") << QJsonObject{{u"clientId"_s, u""_s}}
                                    << u"\"clientId\" must be 1 to 65535"_s;
    QTest::newRow("username as number")
        << QJsonObject{{u"username"_s, 5}} << u"\"username\" must be a string"_s;
    QTest::newRow("maxPacketBytes tiny")
        << QJsonObject{{u"maxPacketBytes"_s, 10}} << u"from 64 to 268435455"_s;
}

void tst_MqttPacket::settingsRefused()
{
    QFETCH(QJsonObject, config);
    QFETCH(QString, words);
    ConnectionOptions o;
    o.protocol = u"mqtt"_s;
    o.protocolConfig = config;
    QString why;
    QVERIFY(!MqttDialect::fromOptions(o, &why));
    QVERIFY2(why.contains(words), qPrintable(why));
}

void tst_MqttPacket::defaultClientIdIsStable()
{
    ConnectionOptions o;
    o.endpoints = {QUrl(u"ws://user:pw@broker.example:8080/mqtt?token=abc"_s)};
    const QString id = MqttDialect::defaultClientId(o, u"ops"_s);
    QCOMPARE(id.size(), 23);
    QVERIFY(id.startsWith(u"pb"_s));
    for (QChar c : id)
        QVERIFY(c.isDigit() || (c >= u'a' && c <= u'z'));
    QCOMPARE(MqttDialect::defaultClientId(o, u"ops"_s), id);
    o.endpoints = {QUrl(u"ws://broker.example:8080/mqtt"_s)}; // user info and query do not count
    QCOMPARE(MqttDialect::defaultClientId(o, u"ops"_s), id);
    QVERIFY(MqttDialect::defaultClientId(o, u"other"_s) != id);
    o.endpoints = {QUrl(u"ws://broker.example:8081/mqtt"_s)};
    QVERIFY(MqttDialect::defaultClientId(o, u"ops"_s) != id);
    // Used when none is configured; the heartbeat sets the keep alive.
    o.heartbeatIntervalMs = 30000;
    o.heartbeatTimeoutMs = 10000;
    QString why;
    const auto d = MqttDialect::fromOptions(o, &why);
    QVERIFY2(d, qPrintable(why));
    QCOMPARE(d->settings().clientId, MqttDialect::defaultClientId(o, QString()));
    QCOMPARE(d->settings().keepAliveSecs, 40);
    QCOMPARE(d->settings().maxPacketBytes, o.maxIncomingMessageBytes);
    QVERIFY(d->capabilities().resumes);
    QVERIFY(!d->capabilities().sequenced);
    QVERIFY(d->capabilities().authWithoutToken);
}

QTEST_GUILESS_MAIN(tst_MqttPacket)
#include "tst_mqttpacket.moc"
