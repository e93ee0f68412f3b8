// The CLI's `message` lines are written straight from the decoded frame
// (JsonLinesSession::appendMessageLine, JsonView::appendQtCompactJson). They must stay byte for
// byte what the QJsonValue path printed: a QJsonObject of the event written by QJsonDocument.
// Each row is a `message` frame as a server sends it; both writers get the same decoded view.
#include "client/JsonLinesSession.h"
#include "protocol/EnvelopeDecoder.h"
#include "protocol/JsonView.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <QRandomGenerator>

#include <cmath>
#include <cstring>
#include <limits>

using namespace Pulseboard;

class tst_JsonLinesWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writesWhatTheQJsonValuePathWrote_data();
    void writesWhatTheQJsonValuePathWrote();
    void payloadsLikeQJsonDocument_data();
    void payloadsLikeQJsonDocument();
    void numbersLikeQJsonValue_data();
    void numbersLikeQJsonValue();
    void doublesLikeQByteArrayNumber();
};

namespace {

// The line as JsonLinesSession wrote it before: one QJsonObject, QJsonDocument Compact.
QByteArray oldLine(const QString &channel, qint64 seq, qint64 ts, const JsonView &data, bool retained = false)
{
    QJsonObject event{{QLatin1StringView("event"), QLatin1StringView("message")},
                      {QLatin1StringView("channel"), channel},
                      {QLatin1StringView("seq"), double(seq)},
                      {QLatin1StringView("ts"), double(ts)},
                      {QLatin1StringView("data"), data.toJsonValue()}};
    if (retained)
        event.insert(QLatin1StringView("retained"), true);
    return QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
}

QByteArray newLine(const QString &channel, qint64 seq, qint64 ts, const JsonView &data, bool retained = false)
{
    QByteArray channelJson;
    appendJsonString(channelJson, channel.toUtf8());
    QByteArray out("prefix kept:");
    JsonLinesSession::appendMessageLine(out, channelJson, seq, ts, data, retained);
    if (!out.startsWith("prefix kept:"))
        return "appendMessageLine did not append";
    return out.mid(12);
}

} // namespace

void tst_JsonLinesWriter::writesWhatTheQJsonValuePathWrote_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("fastPath"); // decoded by simdjson (a view into the frame), not the reference

    auto row = [](const char *name, const QByteArray &data, bool fast = true) {
        QTest::newRow(name)
            << QByteArray(R"({"type":"message","channel":"sys.cpu","seq":7,"ts":1700000000123,"data":)" +
                          data + "}")
            << fast;
    };
    row("one number", R"({"v":0.1})");
    row("integer", R"({"v":42})");
    row("negative zero", R"({"v":-0.0})");
    row("whole double", R"({"v":3.0,"w":1E2,"x":100})");
    row("1e15", R"({"a":1e15,"b":1e16,"c":123456789012345678,"d":1e21,"e":[1e18,-1e18,9.3e18]})");
    row("int64 edges",
        R"({"max":9223372036854775807,"min":-9223372036854775807,"two63":9223372036854775808})");
    row("beyond int64", R"({"big":12345678901234567890,"neg":-9223372036854775808})");
    row("2^53 + 1", R"({"v":9007199254740993,"w":9007199254740993.0})");
    row("tiny and huge", R"({"t":1.5e-10,"h":1e300,"p":2.2250738585072014e-308})");
    row("unicode", R"({"s":"héllo wörld ✓ 日本語 😀"})");
    row("escaped unicode", R"({"s":"\u00e9\u2028\ud83d\ude00"})");
    row("escapes", R"({"s":"quote \" backslash \\ slash \/ nl \n tab \t cr \r bs \b ff \f"})");
    row("control characters", R"({"s":"\u0001\u001f\u007f"})");
    row("unsorted members", R"({"z":1,"a":2,"m":{"y":true,"b":false}})");
    row("repeated key", R"({"k":1,"a":0,"k":2})");
    row("unicode keys", R"({"é":1,"e":2,"😀":3,"～":4,"ａ":5})");
    row("nested", R"({"arr":[1,[2,[3,{"b":1,"a":[]}]],{}],"o":{"p":{"q":{"r":null}}}})");
    row("empty object", "{}");
    row("empty array", "[]");
    row("top-level string", R"("just \"text\" é")");
    row("top-level number", "1e15");
    row("top-level double", "2.5");
    row("top-level big", "12345678901234567890");
    row("top-level true", "true");
    row("top-level null", "null");
    QTest::newRow("no data") << QByteArray(R"({"type":"message","channel":"a.b","seq":1,"ts":5})") << true;
    QTest::newRow("no ts") << QByteArray(R"({"type":"message","channel":"a.b","seq":2,"data":{"v":1}})")
                           << true;
    QTest::newRow("largest seq")
        << QByteArray(R"({"type":"message","channel":"a.b","seq":9007199254740991,"ts":1,"data":1})") << true;
    // A lone surrogate escape: simdjson refuses it, the reference decoder reads it (a QJsonValue view).
    QTest::newRow("reference decoder")
        << QByteArray(
               R"({"type":"message","channel":"a.b","seq":3,"ts":4,"data":{"z":1.0,"s":"\ud800x","a":"é"}})")
        << false;
}

void tst_JsonLinesWriter::writesWhatTheQJsonValuePathWrote()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, fastPath);
    EnvelopeDecoder decoder;
    decoder.setFrame(QString::fromUtf8(frame)); // as QWebSocket hands text frames over
    Envelope env;
    MessageView message;
    DecodeError error;
    const EnvelopeDecoder::Result result = decoder.decode(env, message, &error);
    QString channel;
    qint64 seq = 0;
    qint64 ts = 0;
    JsonView data;
    if (fastPath) {
        QCOMPARE(int(result), int(EnvelopeDecoder::Result::Message));
        channel = QString::fromUtf8(message.channel);
        seq = message.seq;
        ts = message.ts;
        data = message.data;
    } else {
        QCOMPARE(int(result), int(EnvelopeDecoder::Result::Envelope));
        QCOMPARE(int(env.type), int(MessageType::Message));
        channel = env.channel;
        seq = env.seq;
        ts = env.ts;
        data = JsonView(env.data);
    }
    const QByteArray expected = oldLine(channel, seq, ts, data);
    QCOMPARE(newLine(channel, seq, ts, data), expected);
    // A broker's retained last value says so, in QJsonObject's member order too.
    QCOMPARE(newLine(channel, seq, ts, data, true), oldLine(channel, seq, ts, data, true));
    // And it is one JSON object per line.
    QJsonParseError parseError;
    QVERIFY(QJsonDocument::fromJson(expected, &parseError).isObject());
}

// appendQtCompactJson on its own, for payloads of every shape.
void tst_JsonLinesWriter::payloadsLikeQJsonDocument_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("deep") << QByteArray(R"({"a":[{"c":3,"b":[{"y":1,"x":2}]}],"0":"zero"})");
    QTest::newRow("repeated keys nested")
        << QByteArray(R"({"o":{"k":1,"k":{"z":1,"k":2,"k":3}},"o":{"q":1}})");
    QTest::newRow("keys needing escapes") << QByteArray(R"({"a\"b":1,"a\nb":2,"a\\b":3,"\u0000":4})");
    QTest::newRow("many members") << QByteArray(
        R"({"m40":0,"m39":1,"m38":2,"m37":3,"m36":4,"m35":5,"m34":6,"m33":7,"m32":8,"m31":9,"m30":10,"m29":11,"m28":12,"m27":13,"m26":14,"m25":15,"m24":16,"m23":17,"m22":18,"m21":19,"m20":20,"m19":21,"m18":22,"m17":23,"m16":24,"m15":25,"m14":26,"m13":27,"m12":28,"m11":29,"m10":30,"m09":31,"m08":32,"m07":33,"m06":34,"m05":35,"m04":36,"m03":37,"m02":38,"m01":39})");
    QTest::newRow("array of mixed") << QByteArray(R"([1,-1,1.25,"s",true,false,null,[],{},[{"b":0,"a":1}]])");
}

void tst_JsonLinesWriter::payloadsLikeQJsonDocument()
{
    QFETCH(QByteArray, json);
    EnvelopeDecoder decoder;
    decoder.setFrame(QByteArray(R"({"type":"message","channel":"a.b","seq":1,"data":)" + json + "}"));
    Envelope env;
    MessageView message;
    QCOMPARE(int(decoder.decode(env, message)), int(EnvelopeDecoder::Result::Message));
    const QJsonValue value = message.data.toJsonValue();
    const QByteArray expected = value.isObject()
                                    ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)
                                    : QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    QByteArray out;
    message.data.appendQtCompactJson(out);
    QCOMPARE(out, expected);
}

// appendJsonNumber is QJsonDocument's writing of QJsonValue(double), seq and ts included.
void tst_JsonLinesWriter::numbersLikeQJsonValue_data()
{
    QTest::addColumn<double>("value");
    const double values[] = {0,
                             -0.0,
                             1,
                             -1,
                             0.1,
                             2.5,
                             1e15,
                             1e16,
                             1e21,
                             1e300,
                             -1e-300,
                             3.0,
                             100,
                             1e-7,
                             123456.789,
                             9007199254740991.0,
                             9007199254740992.0,
                             9007199254740994.0,
                             -9007199254740992.0,
                             1.7976931348623157e308,
                             4.9e-324,
                             1700000000123.0,
                             std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN()};
    for (const double v : values)
        QTest::newRow(QByteArray::number(v, 'g', 17).constData()) << v;
}

void tst_JsonLinesWriter::numbersLikeQJsonValue()
{
    QFETCH(double, value);
    QByteArray expected =
        QJsonDocument(QJsonObject{{QLatin1StringView("n"), value}}).toJson(QJsonDocument::Compact);
    expected = expected.mid(5, expected.size() - 6); // {"n":...}
    QByteArray out;
    appendJsonNumber(out, value);
    QCOMPARE(out, expected);
}

// The double writer lays out std::to_chars' shortest digits as Qt does: compared with
// QByteArray::number(d, 'g', QLocale::FloatingPointShortest) (what QJsonDocument writes) on
// values of every magnitude, random bit patterns included. Seeded: the same values every run.
void tst_JsonLinesWriter::doublesLikeQByteArrayNumber()
{
    QRandomGenerator rng(20261201);
    QList<double> values;
    for (int e = -330; e <= 310; ++e) {
        for (const double m : {1.0, 1.5, 2.0, 9.999, 1.2345678901234567, 7.0}) {
            const double v = m * std::pow(10.0, e);
            values << v << -v;
        }
    }
    for (int i = 0; i < 100000; ++i) {
        quint64 bits = rng.generate64();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        values << v;
        values << double(rng.bounded(1000000)) / 1000.0;
        values << double(qint64(rng.generate64() >> rng.bounded(64)));
    }
    int compared = 0;
    for (const double v : values) {
        if (!std::isfinite(v))
            continue;
        const QByteArray expected = QByteArray::number(v, 'g', QLocale::FloatingPointShortest);
        QByteArray out;
        appendJsonDouble(out, v);
        if (out != expected)
            QFAIL(qPrintable(QStringLiteral("%1: wrote %2, Qt writes %3")
                                 .arg(QString::number(v, 'g', 17), QString::fromLatin1(out),
                                      QString::fromLatin1(expected))));
        ++compared;
    }
    QVERIFY(compared > 250000);
}

QTEST_GUILESS_MAIN(tst_JsonLinesWriter)
#include "tst_jsonlineswriter.moc"
