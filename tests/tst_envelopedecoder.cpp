// EnvelopeDecoder, the simdjson path behind decodeEnvelope: for every frame of a corpus (valid
// frames of each type, number and string edge cases, repeated keys, and refusals) it must
// decide and decode exactly as the QJsonDocument reference does, word refusals the same way,
// and hand `message` frames over as views with the same values.
#include "protocol/CloseCode.h"
#include "protocol/Envelope.h"
#include "protocol/EnvelopeDecoder.h"
#include "protocol/JsonView.h"
#include "protocol/MessageFrame.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Pulseboard;

class tst_EnvelopeDecoder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesReference_data();
    void matchesReference();
    void messageView_data();
    void messageView();
    void decodesUtf16Frames();
    void bufferIsReusedAcrossFrames();
    void publishDataKeptAsSent();
    void messageFrameWithDataJson();
};

namespace {

void compareEnvelopes(const Envelope &a, const Envelope &b)
{
    QCOMPARE(a.type, b.type);
    QCOMPARE(a.typeName, b.typeName);
    QCOMPARE(a.id, b.id);
    QCOMPARE(a.channel, b.channel);
    QCOMPARE(a.seq, b.seq);
    QCOMPARE(a.ts, b.ts);
    QCOMPARE(a.since, b.since);
    QCOMPARE(a.hasRecovered, b.hasRecovered);
    QCOMPARE(a.recovered, b.recovered);
    QCOMPARE(a.code, b.code);
    QCOMPARE(a.text, b.text);
    QCOMPARE(a.data, b.data);
    QCOMPARE(a.data.type(), b.data.type());
    QCOMPARE(a.client, b.client);
    QCOMPARE(a.server, b.server);
    QCOMPARE(a.session, b.session);
    QCOMPARE(a.heartbeatMs, b.heartbeatMs);
    QCOMPARE(a.authRequired, b.authRequired);
}

} // namespace

void tst_EnvelopeDecoder::matchesReference_data()
{
    QTest::addColumn<QByteArray>("frame");
    const QList<QByteArray> corpus{
        // every type, valid
        R"({"type":"message","channel":"sys.cpu","seq":42,"ts":1700000000000,"data":{"user":3.5,"n":[1,2.5,"x",null,true,{"k":{}}]}})",
        R"({"type":"message","channel":"a","seq":1})",
        R"({"type":"message","channel":"a","seq":1,"data":null})",
        R"({"type":"message","channel":"a","seq":9007199254740991,"ts":-5,"data":"text"})",
        R"({"type":"welcome","server":"hub","session":"x","heartbeatMs":25000,"authRequired":true})",
        R"({"type":"auth","id":"a1","token":"t"})",
        R"({"type":"ping","id":"p","ts":-7})",
        R"({"type":"pong","id":"h","ts":5,"extra":{"x":1}})",
        R"({"type":"subscribe","id":"s","channel":"a/b","since":3})",
        R"({"type":"subscribed","id":"s1","channel":"a","seq":7,"recovered":false})",
        R"({"type":"unsubscribe","id":"u","channel":"a"})",
        R"({"type":"unsubscribed","channel":"a"})",
        R"({"type":"publish","id":"p","channel":"a","data":[1,2,3]})",
        R"({"type":"publish","id":"p","channel":"a","data":{},"client":"k1"})",
        R"({"type":"publish","id":"p","channel":"a","data":{},"client":7})",
        R"({"type":"ack","id":"p-1","seq":3})",
        R"({"type":"request","id":"r","method":"channels.list","params":{"a":1}})",
        R"({"type":"response","id":"r","result":[{"name":"a","seq":1,"rate":0.5}]})",
        R"({"type":"error","code":4001,"message":"bad token","id":"a1"})",
        R"({"type":"error","code":99999999999,"message":"clamped"})",
        R"({"type":"presence","id":"z","who":["a"]})",
        R"({"type":"presence","id":5})",
        // numbers as QJsonDocument reads them
        R"({"type":"message","channel":"a","seq":1e2,"data":{"i":1,"d":1.0,"e":1E2,"neg":-0,"big":18446744073709551615,"huge":123456789012345678901234567890,"tiny":5e-324}})",
        R"({"type":"message","channel":"a","seq":3.0})",
        R"({"type":"ack","id":"x","seq":9007199254740992})",
        // strings: escapes, non-ASCII, embedded NUL
        R"({"type":"message","channel":"caf\u00e9 \ud83d\ude00","seq":1,"data":"tab\there \"q\" \\ \/ \u0000 end"})",
        "{\"type\":\"message\",\"channel\":\"\xc3\xa9t\xc3\xa9\",\"seq\":1,\"data\":\"\xe2\x82\xac\"}",
        // repeated keys: the last one counts
        R"({"type":"message","channel":"a","seq":1,"seq":2,"data":{"v":1,"v":2}})",
        R"({"type":"ping","type":"pong","id":"x","ts":1})",
        // whitespace
        " \n\t{ \"type\" : \"ack\" , \"id\" : \"w\" } \r\n",
        // what simdjson refuses but QJsonDocument reads (handed to the reference)
        R"({"type":"message","channel":"a","seq":1,"data":"\ud800"})",
        "\xef\xbb\xbf{\"type\":\"ack\",\"id\":\"bom\"}",
        // refusals
        "",
        "{nope",
        "[1,2]",
        "42",
        "\"text\"",
        R"({"id":"1"})",
        R"({"type":5})",
        R"({"type":null})",
        R"({"type":"message","channel":"a","seq":"7","data":1})",
        R"({"type":"message","channel":"a","seq":0,"data":1})",
        R"({"type":"message","channel":"a","seq":1.5})",
        R"({"type":"message","channel":"a","seq":1e300})",
        R"({"type":"message","channel":"a","seq":1e400})",
        R"({"type":"message","channel":"a","seq":9007199254740992})",
        R"({"type":"message","channel":"a","seq":1,"ts":"x"})",
        R"({"type":"message","seq":1})",
        R"({"type":"message","channel":7,"seq":1})",
        R"({"type":"auth","id":"a"})",
        R"({"type":"publish","id":"p","channel":"a"})",
        R"({"type":"subscribe","id":"s","channel":"a b"})",
        R"({"type":"subscribe","id":"s","channel":""})",
        R"({"type":"subscribed","channel":"a","seq":1,"recovered":"yes"})",
        R"({"type":"error","message":"x"})",
        R"({"type":"welcome","heartbeatMs":-1})",
        R"({"type":"ack","id":"x"} trailing)",
        R"({"type":"ack","id":"x",})",
        R"({"type":"message","channel":"a","seq":1,"data":[1,2,}})",
        "{\"type\":\"ack\",\"id\":\"\xff\xfe\"}",
    };
    for (qsizetype i = 0; i < corpus.size(); ++i)
        QTest::addRow("%lld", static_cast<long long>(i)) << corpus.at(i);
}

void tst_EnvelopeDecoder::matchesReference()
{
    QFETCH(QByteArray, frame);
    Envelope expected;
    DecodeError expectedError;
    const bool expectedOk = detail::decodeEnvelopeReference(frame, expected, &expectedError);

    Envelope actual;
    DecodeError actualError;
    const bool actualOk = decodeEnvelope(frame, actual, &actualError);
    QCOMPARE(actualOk, expectedOk);
    if (expectedOk) {
        compareEnvelopes(actual, expected);
    } else {
        QCOMPARE(actualError.code, CloseCode::Malformed);
        QCOMPARE(actualError.message, expectedError.message);
    }

    EnvelopeDecoder decoder;
    decoder.setFrame(frame);
    // Reading only the type (a hub before auth) finds the same type in every valid frame.
    Envelope head;
    if (expectedOk) {
        QVERIFY(decoder.peekType(head));
        QCOMPARE(head.type, expected.type);
        QCOMPARE(head.typeName, expected.typeName);
        QVERIFY(head.data.isUndefined() || head.data.isNull());
    }
    // The hub's path, a publish's data kept as JSON text, agrees on the verdict, the words and
    // every field; the text reads back as the same value.
    Envelope withText;
    QByteArray dataJson;
    DecodeError textError;
    QCOMPARE(decoder.decodeEnvelopeWithDataJson(withText, dataJson, &textError), expectedOk);
    if (!expectedOk) {
        QCOMPARE(textError.code, CloseCode::Malformed);
        QCOMPARE(textError.message, expectedError.message);
    } else if (expected.type == MessageType::Publish) {
        const std::optional<QJsonValue> back = parseJsonValue(dataJson);
        QVERIFY2(back.has_value(), dataJson.constData());
        QCOMPARE(*back, expected.data);
        withText.data = *back;
        compareEnvelopes(withText, expected);
    } else {
        QVERIFY(dataJson.isEmpty());
        compareEnvelopes(withText, expected);
    }

    // The lean path agrees too: a message frame becomes a view with the same values.
    Envelope env;
    MessageView message;
    DecodeError error;
    const EnvelopeDecoder::Result result = decoder.decode(env, message, &error);
    if (!expectedOk) {
        QCOMPARE(result, EnvelopeDecoder::Result::Malformed);
        QCOMPARE(error.message, expectedError.message);
        return;
    }
    if (result == EnvelopeDecoder::Result::Envelope) {
        compareEnvelopes(env, expected);
        return;
    }
    QCOMPARE(result, EnvelopeDecoder::Result::Message);
    QCOMPARE(expected.type, MessageType::Message);
    QCOMPARE(QString::fromUtf8(message.channel), expected.channel);
    QCOMPARE(message.seq, expected.seq);
    QCOMPARE(message.ts, expected.ts);
    QCOMPARE(message.data.toJsonValue(), expected.data);
}

void tst_EnvelopeDecoder::messageView_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<qint64>("seq");
    QTest::addColumn<qint64>("ts");
    QTest::addColumn<double>("v");
    QTest::newRow("object")
        << QByteArray(
               R"({"type":"message","channel":"bench.3","seq":12,"ts":1700000000123,"data":{"v":-0.25}})")
        << QStringLiteral("bench.3") << qint64(12) << qint64(1700000000123) << -0.25;
    QTest::newRow("integer value") << QByteArray(R"({"data":{"v":7},"seq":1,"channel":"x","type":"message"})")
                                   << QStringLiteral("x") << qint64(1) << qint64(-1) << 7.0;
    QTest::newRow("no v") << QByteArray(R"({"type":"message","channel":"x","seq":2,"data":[1]})")
                          << QStringLiteral("x") << qint64(2) << qint64(-1) << 0.0;
}

void tst_EnvelopeDecoder::messageView()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, channel);
    QFETCH(qint64, seq);
    QFETCH(qint64, ts);
    QFETCH(double, v);
    EnvelopeDecoder decoder;
    QCOMPARE(decoder.setFrame(frame), QByteArrayView(frame));
    Envelope env;
    MessageView message;
    QCOMPARE(decoder.decode(env, message), EnvelopeDecoder::Result::Message);
    QCOMPARE(QString::fromUtf8(message.channel), channel);
    QCOMPARE(message.seq, seq);
    QCOMPARE(message.ts, ts);
    QCOMPARE(message.data.value(QLatin1StringView("v")).toDouble(), v);
    QCOMPARE(env.type, MessageType::Unknown); // untouched: the view carries the message
}

void tst_EnvelopeDecoder::decodesUtf16Frames()
{
    // QWebSocket hands text frames over as QString: the decoder encodes them into its buffer.
    const QString text = QStringLiteral(R"({"type":"message","channel":"caf)") + QChar(0xe9) +
                         QStringLiteral(R"(","seq":5,"data":{"v":1.5,"s":")") + QChar(0x20ac) +
                         QStringLiteral(R"("}})");
    EnvelopeDecoder decoder;
    const QByteArrayView utf8 = decoder.setFrame(QStringView(text));
    QCOMPARE(utf8.toByteArray(), text.toUtf8());
    Envelope env;
    MessageView message;
    QCOMPARE(decoder.decode(env, message), EnvelopeDecoder::Result::Message);
    QCOMPARE(QString::fromUtf8(message.channel), QStringLiteral("caf") + QChar(0xe9));
    QCOMPARE(message.data.value(QLatin1StringView("s")).toString(), QString(QChar(0x20ac)));
    QCOMPARE(message.data.value(QLatin1StringView("v")).toDouble(), 1.5);

    decoder.setFrame(QStringView(u"{\"type\":\"pong\",\"id\":\"h\",\"ts\":3}"));
    QCOMPARE(decoder.decode(env, message), EnvelopeDecoder::Result::Envelope);
    QCOMPARE(env.type, MessageType::Pong);
    QCOMPARE(env.ts, 3);
}

void tst_EnvelopeDecoder::bufferIsReusedAcrossFrames()
{
    // Frames of one size land in the same buffer: the hot path does not reallocate it.
    EnvelopeDecoder decoder;
    const QByteArrayView first =
        decoder.setFrame(QByteArrayView(R"({"type":"message","channel":"a","seq":1,"data":1})"));
    const QByteArrayView second =
        decoder.setFrame(QByteArrayView(R"({"type":"message","channel":"a","seq":2,"data":2})"));
    QCOMPARE(first.data(), second.data());
    Envelope env;
    MessageView message;
    QCOMPARE(decoder.decode(env, message), EnvelopeDecoder::Result::Message);
    QCOMPARE(message.seq, 2);
    QCOMPARE(message.data.toDouble(), 2.0);
}

QTEST_GUILESS_MAIN(tst_EnvelopeDecoder)
void tst_EnvelopeDecoder::publishDataKeptAsSent()
{
    EnvelopeDecoder decoder;
    // Members in their order, numbers and escapes as written; whitespace outside strings goes.
    decoder.setFrame(QByteArrayView(
        R"({"type":"publish","id":"1","channel":"c","data": { "z" : 1.50, "a":[ 1e2 , "\u00e9 x" ] } ,"data2":0})"));
    Envelope env;
    QByteArray dataJson;
    QVERIFY(decoder.decodeEnvelopeWithDataJson(env, dataJson));
    QCOMPARE(dataJson, QByteArray(R"({"z":1.50,"a":[1e2,"\u00e9 x"]})"));
    QVERIFY(env.data.isUndefined());
    QCOMPARE(env.channel, QStringLiteral("c"));
    // A repeated data key: the last one counts, as everywhere else.
    decoder.setFrame(QByteArrayView(R"({"type":"publish","id":"1","channel":"c","data":1,"data":"two"})"));
    QVERIFY(decoder.decodeEnvelopeWithDataJson(env, dataJson));
    QCOMPARE(dataJson, QByteArray(R"("two")"));
    // Scalars and the reference decoder's rare frame (a byte order mark).
    decoder.setFrame(QByteArrayView(R"({"type":"publish","id":"1","channel":"c","data":null})"));
    QVERIFY(decoder.decodeEnvelopeWithDataJson(env, dataJson));
    QCOMPARE(dataJson, QByteArray("null"));
    decoder.setFrame(QByteArrayView(
        "\xEF\xBB\xBF{\"type\":\"publish\",\"id\":\"1\",\"channel\":\"c\",\"data\":{\"b\":1,\"a\":2}}"));
    QVERIFY(decoder.decodeEnvelopeWithDataJson(env, dataJson));
    QCOMPARE(parseJsonValue(dataJson).value_or(QJsonValue()),
             QJsonValue(QJsonObject{{QStringLiteral("a"), 2}, {QStringLiteral("b"), 1}}));
}

void tst_EnvelopeDecoder::messageFrameWithDataJson()
{
    // Byte for byte what encodeEnvelope writes for the same message, whatever the channel holds.
    for (const QString &channel :
         {QStringLiteral("sys.cpu"), QStringLiteral("caf\u00e9/\"q\"\\"), QStringLiteral("x")}) {
        for (const qint64 ts : {qint64(0), qint64(-5), qint64(1764592842123), kMaxSafeInteger}) {
            Envelope env;
            env.type = MessageType::Message;
            env.channel = channel;
            env.seq = 42;
            env.ts = ts;
            env.data = QJsonObject{{QStringLiteral("a"), 1},
                                   {QStringLiteral("b"), QJsonArray{true, QStringLiteral("s")}}};
            const QByteArray expected = encodeEnvelope(env);
            QCOMPARE(encodeMessageFrame(channel, 42, ts, QByteArrayView(R"({"a":1,"b":[true,"s"]})")),
                     expected);
        }
    }
    // The data goes in as given: members in the publisher's order.
    const QByteArray frame =
        encodeMessageFrame(QStringLiteral("c"), 1, 2, QByteArrayView(R"({"z":1,"a":2})"));
    QCOMPARE(frame, QByteArray(R"({"channel":"c","data":{"z":1,"a":2},"seq":1,"ts":2,"type":"message"})"));
    Envelope back;
    QVERIFY(decodeEnvelope(frame, back));
    QCOMPARE(back.data.toObject().value(QStringLiteral("z")).toInt(), 1);
}

#include "tst_envelopedecoder.moc"
