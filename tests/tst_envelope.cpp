// The wire codec: every type decodes with its fields, wrong types and missing fields are
// refused with words that name the field, unknown types and fields pass (forward compatible).
#include "protocol/CloseCode.h"
#include "protocol/Envelope.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Pulseboard;

class tst_Envelope : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesServerFrames();
    void refusesBadFrames_data();
    void refusesBadFrames();
    void unknownTypeAndFieldsAreIgnored();
    void roundTrip_data();
    void roundTrip();
    void closeCodeReactions_data();
    void closeCodeReactions();
    void channelNames();
    void epochFields();
};

void tst_Envelope::decodesServerFrames()
{
    Envelope env;
    QVERIFY(decodeEnvelope(
        R"({"type":"message","channel":"sys.cpu","seq":42,"ts":1700000000000,"data":{"user":3.5}})", env));
    QCOMPARE(env.type, MessageType::Message);
    QCOMPARE(env.channel, QStringLiteral("sys.cpu"));
    QCOMPARE(env.seq, 42);
    QCOMPARE(env.ts, 1700000000000LL);
    QCOMPARE(env.data.toObject().value(QLatin1StringView("user")).toDouble(), 3.5);

    QVERIFY(
        decodeEnvelope(R"({"type":"subscribed","id":"s1","channel":"a","seq":7,"recovered":false})", env));
    QCOMPARE(env.type, MessageType::Subscribed);
    QCOMPARE(env.id, QStringLiteral("s1"));
    QCOMPARE(env.seq, 7);
    QVERIFY(env.hasRecovered);
    QVERIFY(!env.recovered);

    QVERIFY(decodeEnvelope(R"({"type":"error","code":4001,"message":"bad token","id":"a1"})", env));
    QCOMPARE(env.type, MessageType::Error);
    QCOMPARE(env.code, 4001);
    QCOMPARE(env.text, QStringLiteral("bad token"));

    QVERIFY(decodeEnvelope(
        R"({"type":"welcome","server":"hub","session":"x","heartbeatMs":25000,"authRequired":true})", env));
    QCOMPARE(env.type, MessageType::Welcome);
    QCOMPARE(env.heartbeatMs, 25000);
    QVERIFY(env.authRequired);

    QVERIFY(decodeEnvelope(R"({"type":"ack","id":"p-1"})", env));
    QCOMPARE(env.seq, -1); // an auth ack has no seq

    // A page of a paged result: `next` beside `result`; absent, null or not a string: no cursor,
    // and the frame is still read.
    QVERIFY(decodeEnvelope(R"({"type":"response","id":"r1","result":[{"name":"a"}],"next":"a"})", env));
    QCOMPARE(env.type, MessageType::Response);
    QCOMPARE(env.next, QStringLiteral("a"));
    QCOMPARE(env.data.toArray().size(), 1);
    for (const char *frame : {R"({"type":"response","id":"r2","result":[]})",
                              R"({"type":"response","id":"r2","result":[],"next":null})",
                              R"({"type":"response","id":"r2","result":[],"next":7})"}) {
        QVERIFY2(decodeEnvelope(frame, env), frame);
        QCOMPARE(env.id, QStringLiteral("r2"));
        QVERIFY(env.next.isEmpty());
    }
    Envelope page;
    page.type = MessageType::Response;
    page.id = QStringLiteral("r3");
    page.data = QJsonArray();
    QCOMPARE(encodeEnvelope(page), QByteArray(R"({"id":"r3","result":[],"type":"response"})"));
    page.next = QStringLiteral("sys.mem");
    QCOMPARE(encodeEnvelope(page),
             QByteArray(R"({"id":"r3","next":"sys.mem","result":[],"type":"response"})"));
}

void tst_Envelope::refusesBadFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not json") << QByteArray("{nope") << QStringLiteral("malformed JSON");
    QTest::newRow("array") << QByteArray("[1,2]") << QStringLiteral("not a JSON object");
    QTest::newRow("no type") << QByteArray(R"({"id":"1"})") << QStringLiteral("'type' is missing");
    QTest::newRow("type not string") << QByteArray(R"({"type":5})")
                                     << QStringLiteral("'type' must be a string");
    QTest::newRow("seq as string") << QByteArray(R"({"type":"message","channel":"a","seq":"7","data":1})")
                                   << QStringLiteral("'seq' must be a number");
    QTest::newRow("seq zero") << QByteArray(R"({"type":"message","channel":"a","seq":0,"data":1})")
                              << QStringLiteral("'seq' must be a whole number");
    QTest::newRow("seq fraction") << QByteArray(R"({"type":"message","channel":"a","seq":1.5})")
                                  << QStringLiteral("'seq' must be a whole number");
    QTest::newRow("seq huge") << QByteArray(R"({"type":"message","channel":"a","seq":1e300})")
                              << QStringLiteral("'seq' must be a whole number");
    QTest::newRow("missing channel") << QByteArray(R"({"type":"message","seq":1})")
                                     << QStringLiteral("'channel' is missing");
    QTest::newRow("auth without token")
        << QByteArray(R"({"type":"auth","id":"a"})") << QStringLiteral("'token' is missing");
    QTest::newRow("publish without data")
        << QByteArray(R"({"type":"publish","id":"p","channel":"a"})") << QStringLiteral("'data' is missing");
    QTest::newRow("bad channel name") << QByteArray(R"({"type":"subscribe","id":"s","channel":"a b"})")
                                      << QStringLiteral("invalid channel name");
    QTest::newRow("recovered not bool")
        << QByteArray(R"({"type":"subscribed","channel":"a","seq":1,"recovered":"yes"})")
        << QStringLiteral("'recovered' must be true or false");
    QTest::newRow("subscribe epoch not string")
        << QByteArray(R"({"type":"subscribe","id":"s","channel":"a","since":3,"epoch":7})")
        << QStringLiteral("'epoch' must be a string");
    QTest::newRow("error code missing")
        << QByteArray(R"({"type":"error","message":"x"})") << QStringLiteral("'code' is missing");
}

void tst_Envelope::refusesBadFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, mentions);
    Envelope env;
    DecodeError error;
    QVERIFY(!decodeEnvelope(frame, env, &error));
    QCOMPARE(error.code, CloseCode::Malformed);
    QVERIFY2(error.message.contains(mentions), qPrintable(error.message));
}

void tst_Envelope::unknownTypeAndFieldsAreIgnored()
{
    Envelope env;
    DecodeError error;
    QVERIFY(decodeEnvelope(R"({"type":"presence","id":"z","who":["a"]})", env, &error));
    QCOMPARE(env.type, MessageType::Unknown);
    QCOMPARE(env.typeName, QStringLiteral("presence"));
    QVERIFY(decodeEnvelope(R"({"type":"pong","id":"h","ts":5,"extra":{"x":1}})", env, &error));
    QCOMPARE(env.type, MessageType::Pong);
    QCOMPARE(env.ts, 5);
}

void tst_Envelope::roundTrip_data()
{
    QTest::addColumn<int>("type");
    for (int t = int(MessageType::Welcome); t <= int(MessageType::Error); ++t)
        QTest::newRow(messageTypeName(MessageType(t)).data()) << t;
}

void tst_Envelope::roundTrip()
{
    QFETCH(int, type);
    Envelope in;
    in.type = MessageType(type);
    in.id = QStringLiteral("id-1");
    in.channel = QStringLiteral("chan.a");
    in.seq = 12;
    in.ts = 1234;
    in.since = 5;
    in.hasRecovered = true;
    in.recovered = true;
    in.code = 4008;
    in.text = QStringLiteral("words");
    in.data = QJsonObject{{QLatin1StringView("v"), 1}};
    in.server = QStringLiteral("hub");
    in.session = QStringLiteral("s");
    in.heartbeatMs = 1000;
    const QByteArray wire = encodeEnvelope(in);
    Envelope out;
    DecodeError error;
    QVERIFY2(decodeEnvelope(wire, out, &error),
             qPrintable(error.message + QLatin1StringView(" ") + QString::fromUtf8(wire)));
    QCOMPARE(out.type, in.type);
    switch (in.type) {
    case MessageType::Message:
        QCOMPARE(out.channel, in.channel);
        QCOMPARE(out.seq, in.seq);
        QCOMPARE(out.ts, in.ts);
        QCOMPARE(out.data, in.data);
        break;
    case MessageType::Subscribe:
        QCOMPARE(out.since, in.since);
        QCOMPARE(out.channel, in.channel);
        break;
    case MessageType::Error:
        QCOMPARE(out.code, in.code);
        QCOMPARE(out.text, in.text);
        QCOMPARE(out.id, in.id);
        break;
    case MessageType::Welcome:
        QCOMPARE(out.heartbeatMs, in.heartbeatMs);
        break;
    default:
        if (in.type != MessageType::Welcome)
            QCOMPARE(out.id, in.id);
    }
}

void tst_Envelope::closeCodeReactions_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("reaction");
    QTest::newRow("1000") << 1000 << int(CloseReaction::ReconnectBackoff);
    QTest::newRow("1001") << 1001 << int(CloseReaction::ReconnectNextNow);
    QTest::newRow("1006") << 1006 << int(CloseReaction::ReconnectBackoff);
    QTest::newRow("1008") << 1008 << int(CloseReaction::Fail);
    QTest::newRow("1009") << 1009 << int(CloseReaction::ReconnectBackoff);
    QTest::newRow("1011") << 1011 << int(CloseReaction::ReconnectBackoff);
    QTest::newRow("4001") << 4001 << int(CloseReaction::Fail);
    QTest::newRow("4008") << 4008 << int(CloseReaction::ReconnectSlow);
    QTest::newRow("4400") << 4400 << int(CloseReaction::ReconnectBackoff);
}

void tst_Envelope::closeCodeReactions()
{
    QFETCH(int, code);
    QFETCH(int, reaction);
    QCOMPARE(int(reactionToClose(code)), reaction);
    QVERIFY(!describeCloseCode(code).isEmpty());
}

void tst_Envelope::channelNames()
{
    QVERIFY(isValidChannelName(u"sys.cpu"));
    QVERIFY(isValidChannelName(u"a/b-c_d:1"));
    QVERIFY(!isValidChannelName(u""));
    QVERIFY(!isValidChannelName(u"has space"));
    QVERIFY(!isValidChannelName(u"tab\there"));
    QVERIFY(!isValidChannelName(QString(201, QLatin1Char('x'))));
    // Invisible characters: format (Cf: zero-width, bidi, BOM, soft hyphen), fillers, selectors.
    QVERIFY(!isValidChannelName(u"a\u200Bb"));
    QVERIFY(!isValidChannelName(u"a\u202Eb"));
    QVERIFY(!isValidChannelName(u"\uFEFFa"));
    QVERIFY(!isValidChannelName(u"a\u00ADb"));
    QVERIFY(!isValidChannelName(u"a\u3164b"));
    QVERIFY(!isValidChannelName(u"a\uFE0F"));
    QVERIFY(!isValidChannelName(QStringLiteral("a") + QChar(0xDC00)));
    QVERIFY(isValidChannelName(QStringLiteral("fire.") + QString::fromUcs4(U"\U0001F525")));
    QVERIFY(isValidChannelName(u"temp\u00E9rature"));
}

void tst_Envelope::epochFields()
{
    // subscribe: the epoch goes with `since` and only with it.
    Envelope sub;
    sub.type = MessageType::Subscribe;
    sub.id = QStringLiteral("s1");
    sub.channel = QStringLiteral("a");
    sub.since = 5;
    sub.epoch = QStringLiteral("00ff00ff00ff00ff");
    QCOMPARE(
        encodeEnvelope(sub),
        QByteArray(R"({"channel":"a","epoch":"00ff00ff00ff00ff","id":"s1","since":5,"type":"subscribe"})"));
    Envelope out;
    QVERIFY(decodeEnvelope(encodeEnvelope(sub), out));
    QCOMPARE(out.since, qint64(5));
    QCOMPARE(out.epoch, sub.epoch);
    sub.since = -1;
    QCOMPARE(encodeEnvelope(sub), QByteArray(R"({"channel":"a","id":"s1","type":"subscribe"})"));
    // An old client's subscribe: no epoch.
    QVERIFY(decodeEnvelope(R"({"type":"subscribe","id":"s2","channel":"a","since":3})", out));
    QVERIFY(out.epoch.isEmpty());

    // subscribed: the channel's epoch, read leniently (another server's null or number is none).
    Envelope ok;
    ok.type = MessageType::Subscribed;
    ok.channel = QStringLiteral("a");
    ok.seq = 9;
    ok.hasRecovered = true;
    ok.recovered = false;
    ok.firstSeq = 1;
    ok.epoch = QStringLiteral("e2");
    QVERIFY(decodeEnvelope(encodeEnvelope(ok), out));
    QCOMPARE(out.epoch, QStringLiteral("e2"));
    QCOMPARE(out.firstSeq, qint64(1));
    for (const char *frame : {R"({"type":"subscribed","channel":"a","seq":1})",
                              R"({"type":"subscribed","channel":"a","seq":1,"epoch":null})",
                              R"({"type":"subscribed","channel":"a","seq":1,"epoch":12})"}) {
        QVERIFY2(decodeEnvelope(frame, out), frame);
        QVERIFY(out.epoch.isEmpty());
    }
    ok.epoch.clear();
    QVERIFY(!encodeEnvelope(ok).contains("epoch"));
}

QTEST_GUILESS_MAIN(tst_Envelope)
#include "tst_envelope.moc"
