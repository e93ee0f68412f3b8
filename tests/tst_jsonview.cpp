// JsonView over a parsed frame and over a QJsonValue: the same answers from both, following
// QJsonValue's rules (wrong type or missing member reads as the default; last repeated key wins).
#include "protocol/EnvelopeDecoder.h"
#include "protocol/JsonView.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Pulseboard;

class tst_JsonView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsValues_data();
    void readsValues();
    void undefinedView();
    void writesLikeQJsonDocument_data();
    void writesLikeQJsonDocument();
    void visitsMembersAndElements();
    void convertsLikeQJsonDocument_data();
    void convertsLikeQJsonDocument();
    void parsesAnyValue_data();
    void parsesAnyValue();
    void refusesWhatIsNotOneValue_data();
    void refusesWhatIsNotOneValue();
};

namespace {

const QByteArray kPayload =
    R"({"num":2.5,"int":-3,"str":"h\u00e9","yes":true,"nil":null,"arr":[10,"x",[1]],"obj":{"a":{"b":4}},"dup":1,"dup":2})";

} // namespace

void tst_JsonView::readsValues_data()
{
    QTest::addColumn<bool>("parsed");
    QTest::newRow("parsed frame") << true;
    QTest::newRow("QJsonValue") << false;
}

void tst_JsonView::readsValues()
{
    QFETCH(bool, parsed);
    EnvelopeDecoder decoder;
    decoder.setFrame(QByteArray(R"({"type":"message","channel":"c","seq":1,"data":)") + kPayload + '}');
    Envelope env;
    MessageView message;
    QCOMPARE(decoder.decode(env, message), EnvelopeDecoder::Result::Message);
    const QJsonValue reference = QJsonDocument::fromJson(kPayload).object();
    const JsonView data = parsed ? message.data : JsonView(reference);
    using L = QLatin1StringView;

    QVERIFY(data.isObject());
    QVERIFY(!data.isArray());
    QCOMPARE(data.toJsonValue(), reference);
    QCOMPARE(data.value(L("num")).toDouble(), 2.5);
    QVERIFY(data.value(L("num")).isDouble());
    QCOMPARE(data.value(L("int")).toDouble(), -3.0);
    QCOMPARE(data[L("str")].toString(), QStringLiteral("h") + QChar(0xe9));
    QVERIFY(data[L("str")].isString());
    QCOMPARE(data[L("str")].toDouble(9), 9.0); // wrong type: the default
    QVERIFY(data[L("yes")].isBool());
    QVERIFY(data[L("yes")].toBool());
    QVERIFY(data[L("nil")].isNull());
    QVERIFY(!data[L("nil")].isUndefined());
    QVERIFY(data[L("missing")].isUndefined());
    QCOMPARE(data[L("missing")].toDouble(-1), -1.0);
    QCOMPARE(data[L("dup")].toDouble(), 2.0);
    QCOMPARE(data[L("obj")][L("a")][L("b")].toDouble(), 4.0);

    const JsonView arr = data[L("arr")];
    QVERIFY(arr.isArray());
    QCOMPARE(arr.size(), 3);
    QCOMPARE(arr.at(0).toDouble(), 10.0);
    QCOMPARE(arr.at(1).toString(), QStringLiteral("x"));
    QCOMPARE(arr.at(2).at(0).toDouble(), 1.0);
    QVERIFY(arr.at(3).isUndefined());
    QVERIFY(arr.at(-1).isUndefined());
    QVERIFY(arr[L("num")].isUndefined()); // not an object
    QCOMPARE(arr.toJsonValue(), reference.toObject().value(L("arr")));
    QCOMPARE(data[L("num")].size(), 0);
}

void tst_JsonView::undefinedView()
{
    const JsonView none;
    QVERIFY(none.isUndefined());
    QVERIFY(!none.isNull());
    QVERIFY(!none.isDouble());
    QCOMPARE(none.toDouble(3), 3.0);
    QVERIFY(none.toString().isNull());
    QVERIFY(none.value(QLatin1StringView("a")).isUndefined());
    QVERIFY(none.toJsonValue().isUndefined());
    QVERIFY(JsonView(QJsonValue(QJsonValue::Undefined)).isUndefined());
}

namespace {

JsonView parsedData(EnvelopeDecoder &decoder, const QByteArray &payload)
{
    decoder.setFrame(QByteArray(R"({"type":"message","channel":"c","seq":1,"data":)") + payload + '}');
    Envelope env;
    MessageView message;
    if (decoder.decode(env, message) != EnvelopeDecoder::Result::Message)
        return {};
    return message.data;
}

} // namespace

void tst_JsonView::writesLikeQJsonDocument_data()
{
    // Keys in sorted order, so QJsonObject's order and the document's are the same.
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("numbers") << QByteArray(
        R"({"a":2.5,"b":-3,"c":1e21,"d":0.1,"e":123456789012,"f":-0.000015,"g":1.0,"h":9007199254740993})");
    QTest::newRow("strings") << QByteArray(
        R"({"a":"quote \" back \\ slash","b":"tab\t nl\n cr\r bs\b ff\f","c":"ctl \u0001 \u001f del \u007f","d":"h\u00e9 \u20ac \ud83d\ude00","e":"/"})");
    QTest::newRow("nested") << QByteArray(
        R"({"a":[1,[2,[3,{}]],[]],"b":{"c":{"d":null,"e":true,"f":false}},"c":[]})");
    QTest::newRow("array") << QByteArray(R"([1,"two",{"three":3},[4],null,true])");
}

void tst_JsonView::writesLikeQJsonDocument()
{
    QFETCH(QByteArray, payload);
    EnvelopeDecoder decoder;
    const JsonView parsed = parsedData(decoder, payload);
    QVERIFY(!parsed.isUndefined());
    const QJsonDocument doc = QJsonDocument::fromJson(payload);
    QVERIFY(!doc.isNull());
    const QByteArray expected = doc.toJson(QJsonDocument::Compact);
    QCOMPARE(parsed.toJson(), expected);
    const QJsonValue value = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    QCOMPARE(JsonView(value).toJson(), expected);
    // Bare values write as they would inside an array.
    QCOMPARE(JsonView(QJsonValue(2.5)).toJson(), QByteArray("2.5"));
    QCOMPARE(JsonView(QJsonValue(qint64(-7))).toJson(), QByteArray("-7"));
    QCOMPARE(JsonView(QJsonValue(QStringLiteral("a\"b"))).toJson(), QByteArray("\"a\\\"b\""));
    QCOMPARE(JsonView(QJsonValue(QJsonValue::Null)).toJson(), QByteArray("null"));
    QCOMPARE(JsonView().toJson(), QByteArray());
}

void tst_JsonView::convertsLikeQJsonDocument_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("repeated keys, nested")
        << QByteArray(R"({"a":{"x":1,"x":2},"b":[{"k":1,"k":3},[]],"a":{"y":0}})");
    QTest::newRow("numbers") << QByteArray(R"([1.0,1e0,-0,2.5,9007199254740993,18446744073709551615,1e300])");
    QTest::newRow("escapes") << QByteArray(R"({"\u00e9":"\n\u0001\/","":null,"t":true})");
    // A large object in random key order: converted by one sort, where inserting member by
    // member into a QJsonObject is quadratic (seconds for this one).
    QByteArray big = "{";
    quint32 x = 12345;
    for (int i = 0; i < 80000; ++i) {
        x = x * 1103515245u + 12345u;
        big += (i ? ",\"k" : "\"k") + QByteArray::number(x % 1000003) + "\":" + QByteArray::number(i);
    }
    QTest::newRow("80000 keys in random order") << (big + "}");
}

void tst_JsonView::convertsLikeQJsonDocument()
{
    QFETCH(QByteArray, payload);
    EnvelopeDecoder decoder;
    const JsonView parsed = parsedData(decoder, payload);
    QVERIFY(!parsed.isUndefined());
    const QJsonDocument doc = QJsonDocument::fromJson(payload);
    QVERIFY(!doc.isNull());
    const QJsonValue expected = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    const QJsonValue converted = parsed.toJsonValue();
    QCOMPARE(converted, expected);
    QCOMPARE(QJsonDocument(converted.isObject() ? QJsonDocument(converted.toObject())
                                                : QJsonDocument(converted.toArray()))
                 .toJson(QJsonDocument::Compact),
             doc.toJson(QJsonDocument::Compact));
}

void tst_JsonView::visitsMembersAndElements()
{
    EnvelopeDecoder decoder;
    const JsonView data = parsedData(decoder, R"({"z":1,"a":[5,6,7],"m":"x","z":2})");
    // Document order, a repeated key once per occurrence.
    QStringList keys;
    QList<double> numbers;
    data.forEachMember([&](QByteArrayView key, const JsonView &value) {
        keys.append(QString::fromUtf8(key));
        numbers.append(value.toDouble(-1));
        return true;
    });
    QCOMPARE(keys, (QStringList{QStringLiteral("z"), QStringLiteral("a"), QStringLiteral("m"),
                                QStringLiteral("z")}));
    QCOMPARE(numbers, (QList<double>{1, -1, -1, 2}));
    // Stops when told to.
    int seen = 0;
    data.forEachMember([&](QByteArrayView, const JsonView &) { return ++seen < 2; });
    QCOMPARE(seen, 2);
    QList<double> items;
    data.value(QLatin1StringView("a")).forEachElement([&](const JsonView &v) {
        items.append(v.toDouble());
        return true;
    });
    QCOMPARE(items, (QList<double>{5, 6, 7}));
    // A QJsonValue view visits in QJsonObject's (sorted) order; scalars visit nothing.
    const JsonView qt(QJsonObject{{QStringLiteral("b"), 2}, {QStringLiteral("a"), 1}});
    keys.clear();
    qt.forEachMember([&](QByteArrayView key, const JsonView &) {
        keys.append(QString::fromUtf8(key));
        return true;
    });
    QCOMPARE(keys, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    int calls = 0;
    JsonView(QJsonValue(3)).forEachMember([&](QByteArrayView, const JsonView &) { return ++calls > 0; });
    JsonView(QJsonValue(3)).forEachElement([&](const JsonView &) { return ++calls > 0; });
    QCOMPARE(calls, 0);
}

void tst_JsonView::parsesAnyValue_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QJsonValue>("expected");
    QTest::newRow("object") << QByteArray(R"({"a":1,"b":[true]})")
                            << QJsonValue(QJsonObject{{QStringLiteral("a"), 1},
                                                      {QStringLiteral("b"), QJsonArray{true}}});
    QTest::newRow("array") << QByteArray("[1,\"x\"]") << QJsonValue(QJsonArray{1, QStringLiteral("x")});
    QTest::newRow("string") << QByteArray(R"("h\u00e9")") << QJsonValue(QStringLiteral("h\u00e9"));
    QTest::newRow("integer") << QByteArray("-42") << QJsonValue(qint64(-42));
    QTest::newRow("double") << QByteArray("2.5e3") << QJsonValue(2500.0);
    QTest::newRow("true") << QByteArray("true") << QJsonValue(true);
    QTest::newRow("false") << QByteArray("false") << QJsonValue(false);
    QTest::newRow("null") << QByteArray("null") << QJsonValue(QJsonValue::Null);
    QTest::newRow("surrounding whitespace") << QByteArray(" \t7\n") << QJsonValue(7);
}

void tst_JsonView::parsesAnyValue()
{
    QFETCH(QByteArray, text);
    QFETCH(QJsonValue, expected);
    JsonValueError error;
    const std::optional<QJsonValue> value = parseJsonValue(text, &error);
    QVERIFY(value.has_value());
    QCOMPARE(*value, expected);
    QCOMPARE(value->type(), expected.type());
    QCOMPARE(error.kind, JsonValueError::None);
}

void tst_JsonView::refusesWhatIsNotOneValue_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("valueCount");
    // Offsets are QJsonParseError's, counted in the text as given, not in anything the parser wraps
    // it in: the CLI and the dashboard show them as they always have.
    QTest::newRow("bad token") << QByteArray("tru") << int(JsonValueError::Syntax) << 1 << 0;
    QTest::newRow("unterminated object") << QByteArray(R"({"a":1)") << int(JsonValueError::Syntax) << 7 << 0;
    QTest::newRow("two values without comma") << QByteArray("1 2") << int(JsonValueError::Syntax) << 3 << 0;
    QTest::newRow("bare word") << QByteArray("hello") << int(JsonValueError::Syntax) << 0 << 0;
    QTest::newRow("two values") << QByteArray("1,2") << int(JsonValueError::NotOneValue) << 0 << 2;
    QTest::newRow("empty") << QByteArray("") << int(JsonValueError::NotOneValue) << 0 << 0;
    QTest::newRow("blank") << QByteArray("   ") << int(JsonValueError::NotOneValue) << 0 << 0;
    // Text that would close the wrapping array early is refused, not read as two values.
    QTest::newRow("breaks out of the wrapping")
        << QByteArray("1],[2") << int(JsonValueError::Syntax) << -1 << 0;
}

void tst_JsonView::refusesWhatIsNotOneValue()
{
    QFETCH(QByteArray, text);
    QFETCH(int, kind);
    QFETCH(int, offset);
    QFETCH(int, valueCount);
    JsonValueError error;
    QVERIFY(!parseJsonValue(text, &error).has_value());
    QCOMPARE(int(error.kind), kind);
    if (offset >= 0)
        QCOMPARE(error.offset, offset);
    QCOMPARE(error.valueCount, valueCount);
    QCOMPARE(error.message.isEmpty(), kind != JsonValueError::Syntax);
    QVERIFY(!parseJsonValue(text).has_value()); // the error is optional
}

QTEST_GUILESS_MAIN(tst_JsonView)
#include "tst_jsonview.moc"
