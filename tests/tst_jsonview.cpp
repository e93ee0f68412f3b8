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
};

namespace {

const QByteArray kPayload = R"({"num":2.5,"int":-3,"str":"h\u00e9","yes":true,"nil":null,"arr":[10,"x",[1]],"obj":{"a":{"b":4}},"dup":1,"dup":2})";

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

QTEST_GUILESS_MAIN(tst_JsonView)
#include "tst_jsonview.moc"
