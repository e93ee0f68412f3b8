// PathFilter: every operator against real frames, type mismatches, RFC 6901 escapes and array
// indexes, the frame's own members, and the words for each kind of malformed expression.
#include "dashboard/connection/PathFilter.h"
#include "protocol/JsonView.h"

#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

QJsonValue json(const char *text)
{
    return parseJsonValue(QByteArrayView(text)).value();
}

// One frame for every case: sys.cpu #42 at ts 1700000000000.
const char *const kData = R"({"cpu": 93.5, "status": "error", "user": null, "ok": false,
    "cores": [10, 20.5, 97], "a/b": 1, "m~n": "tilde", "": "empty key",
    "nested": {"deep": {"v": "x"}}, "name": "beta", "zero": 0})";

} // namespace

class tst_PathFilter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<bool>("expected");
        // ==
        QTest::newRow("== number") << u"/data/cpu == 93.5"_s << true;
        QTest::newRow("== number other") << u"/data/cpu == 93"_s << false;
        QTest::newRow("== 0 and 0.0") << u"/data/zero == 0.0"_s << true;
        QTest::newRow("== string") << u"/data/status == \"error\""_s << true;
        QTest::newRow("== string other") << u"/data/status == \"ok\""_s << false;
        QTest::newRow("== null") << u"/data/user == null"_s << true;
        QTest::newRow("== false") << u"/data/ok == false"_s << true;
        QTest::newRow("== true") << u"/data/ok == true"_s << false;
        QTest::newRow("== array") << u"/data/cores == [10, 20.5, 97]"_s << true;
        QTest::newRow("== object") << u"/data/nested/deep == {\"v\":\"x\"}"_s << true;
        QTest::newRow("== string escape") << u"/data/m~0n == \"tild\\u0065\""_s << true;
        // type mismatches never match, whatever the operator
        QTest::newRow("== number vs string") << u"/data/status == 1"_s << false;
        QTest::newRow("== string vs number") << u"/data/cpu == \"93.5\""_s << false;
        QTest::newRow("== null vs false") << u"/data/ok == null"_s << false;
        QTest::newRow("> string vs number") << u"/data/status > 1"_s << false;
        QTest::newRow("< number vs string") << u"/data/cpu < \"z\""_s << false;
        QTest::newRow(">= null vs number") << u"/data/user >= 0"_s << false;
        QTest::newRow("< object vs number") << u"/data/nested < 1"_s << false;
        // !=
        QTest::newRow("!= same") << u"/data/status != \"error\""_s << false;
        QTest::newRow("!= other") << u"/data/status != \"ok\""_s << true;
        QTest::newRow("!= other type") << u"/data/status != 5"_s << true;
        QTest::newRow("!= missing") << u"/data/nope != 5"_s << false;
        // < <= > >= on numbers
        QTest::newRow("> 90") << u"/data/cpu > 90"_s << true;
        QTest::newRow("> 93.5") << u"/data/cpu > 93.5"_s << false;
        QTest::newRow(">= 93.5") << u"/data/cpu >= 93.5"_s << true;
        QTest::newRow("< 100") << u"/data/cpu < 100"_s << true;
        QTest::newRow("< 93.5") << u"/data/cpu < 93.5"_s << false;
        QTest::newRow("<= 93.5") << u"/data/cpu <= 93.5"_s << true;
        QTest::newRow("<= -1e3") << u"/data/cpu <= -1e3"_s << false;
        QTest::newRow("no spaces") << u"/data/cpu>90"_s << true;
        // ... and on strings
        QTest::newRow("string <") << u"/data/name < \"gamma\""_s << true;
        QTest::newRow("string >") << u"/data/name > \"alpha\""_s << true;
        QTest::newRow("string >= same") << u"/data/name >= \"beta\""_s << true;
        QTest::newRow("string <= before") << u"/data/name <= \"b\""_s << false;
        // exists
        QTest::newRow("exists") << u"/data/cpu exists"_s << true;
        QTest::newRow("exists null") << u"/data/user exists"_s << true;
        QTest::newRow("exists missing") << u"/data/nope exists"_s << false;
        QTest::newRow("exists data") << u"/data exists"_s << true;
        QTest::newRow("exists under a number") << u"/data/cpu/x exists"_s << false;
        // escapes (RFC 6901: ~1 is '/', ~0 is '~'; "~01" is "~1", not "/")
        QTest::newRow("~1") << u"/data/a~1b == 1"_s << true;
        QTest::newRow("~0") << u"/data/m~0n exists"_s << true;
        QTest::newRow("~01 is ~1") << u"/data/m~01n exists"_s << false;
        QTest::newRow("empty key") << u"/data/ == \"empty key\""_s << true;
        // array indexes
        QTest::newRow("index 0") << u"/data/cores/0 == 10"_s << true;
        QTest::newRow("index 2") << u"/data/cores/2 > 90"_s << true;
        QTest::newRow("index past the end") << u"/data/cores/3 exists"_s << false;
        QTest::newRow("index leading zero") << u"/data/cores/01 exists"_s << false;
        QTest::newRow("index -") << u"/data/cores/- exists"_s << false;
        QTest::newRow("index not a number") << u"/data/cores/x exists"_s << false;
        QTest::newRow("deep") << u"/data/nested/deep/v == \"x\""_s << true;
        // the frame's own members
        QTest::newRow("channel") << u"/channel == \"sys.cpu\""_s << true;
        QTest::newRow("channel <") << u"/channel < \"sys.d\""_s << true;
        QTest::newRow("seq") << u"/seq >= 42"_s << true;
        QTest::newRow("seq other") << u"/seq == 41"_s << false;
        QTest::newRow("ts") << u"/ts > 1600000000000"_s << true;
        QTest::newRow("inside channel") << u"/channel/0 exists"_s << false;
        QTest::newRow("blanks around") << u"   /data/cpu    >    90   "_s << true;
    }
    void matches()
    {
        QFETCH(QString, expression);
        QFETCH(bool, expected);
        QString error;
        const auto filter = PathFilter::parse(expression, &error);
        QVERIFY2(filter, qPrintable(error));
        QVERIFY(error.isEmpty());
        QCOMPARE(filter->matches(u"sys.cpu"_s, 42, 1700000000000, json(kData)), expected);
    }

    // A frame without a seq or server time has no such member; a bare value is /data itself.
    void missingMembersAndBareValues()
    {
        const auto seq = PathFilter::parse(u"/seq exists"_s);
        QVERIFY(seq);
        QVERIFY(seq->matches(u"c"_s, 0, 0, QJsonValue()));
        QVERIFY(!seq->matches(u"c"_s, -1, 0, QJsonValue()));
        const auto ts = PathFilter::parse(u"/ts exists"_s);
        QVERIFY(!ts->matches(u"c"_s, 1, 0, QJsonValue()));
        const auto bare = PathFilter::parse(u"/data > 2"_s);
        QVERIFY(bare->matches(u"c"_s, 1, 1, QJsonValue(2.5)));
        QVERIFY(!bare->matches(u"c"_s, 1, 1, QJsonValue(u"3"_s)));
        QVERIFY(!bare->matches(u"c"_s, 1, 1, QJsonValue(QJsonValue::Undefined)));
        QVERIFY(bare->readsData());
        QVERIFY(!seq->readsData());
    }

    void refused_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("words"); // a part of the error
        QTest::newRow("not a path") << u"data/cpu > 1"_s << u"starts with '/'"_s;
        QTest::newRow("no operator") << u"/data/cpu"_s << u"After /data/cpu comes an operator"_s;
        QTest::newRow("single =") << u"/data/cpu = 1"_s << u"'=' is not an operator: equality is =="_s;
        QTest::newRow("===") << u"/data/cpu === 1"_s << u"'===' is not an operator"_s;
        QTest::newRow("<>") << u"/data/cpu <> 1"_s << u"'<>' is not an operator"_s;
        QTest::newRow("word operator") << u"/data/cpu is 1"_s << u"'is' is not an operator"_s;
        QTest::newRow("no value") << u"/data/cpu >"_s << u"> needs a value"_s;
        QTest::newRow("no value ==") << u"/data/cpu ==   "_s << u"== needs a value"_s;
        QTest::newRow("bare word")
            << u"/data/status == error"_s
            << u"error is not a JSON value: a string goes in double quotes (\"error\")"_s;
        QTest::newRow("unterminated string") << u"/data/status == \"err"_s << u"is not a JSON value"_s;
        QTest::newRow("two values") << u"/data/cpu == 1, 2"_s << u"more than one value"_s;
        QTest::newRow("bad number") << u"/data/cpu > 9x"_s << u"9x is not a JSON value"_s;
        QTest::newRow("< bool") << u"/data/ok < true"_s << u"< compares numbers or strings, not a boolean"_s;
        QTest::newRow(">= null") << u"/data/ok >= null"_s << u">= compares numbers or strings, not null"_s;
        QTest::newRow("> array") << u"/data/cores > [1]"_s
                                 << u"> compares numbers or strings, not an array"_s;
        QTest::newRow("exists with a value") << u"/data/cpu exists 1"_s << u"exists takes no value"_s;
        QTest::newRow("bad escape ~2") << u"/data/m~2n exists"_s << u"a '~' in a path is written ~0"_s;
        QTest::newRow("trailing ~") << u"/data/m~ exists"_s << u"a '~' in a path is written ~0"_s;
        QTest::newRow("not in a frame")
            << u"/status == \"error\""_s << u"'/status' is not in a frame: a path starts with /data"_s;
        QTest::newRow("root only") << u"/ exists"_s << u"is not in a frame"_s;
        QTest::newRow("empty") << u"   "_s << u"starts with '/'"_s;
    }
    void refused()
    {
        QFETCH(QString, expression);
        QFETCH(QString, words);
        QString error;
        QVERIFY(!PathFilter::parse(expression, &error));
        QVERIFY2(error.contains(words), qPrintable(error));
    }

    void looksLikePath()
    {
        QVERIFY(PathFilter::looksLikePath(u"/data"_s));
        QVERIFY(PathFilter::looksLikePath(u"  /x"_s));
        QVERIFY(!PathFilter::looksLikePath(u"sys/cpu"_s));
        QVERIFY(!PathFilter::looksLikePath(QString()));
    }
};

QTEST_GUILESS_MAIN(tst_PathFilter)
#include "tst_pathfilter.moc"
