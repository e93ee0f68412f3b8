// AlertRule: the one-line rule syntax of docs/ALERTS.md. Every key read into its field, the
// defaults, the canonical form reading back the same, and each bad rule refused naming its key
// and the reason; rule files (comments, the line of a bad rule) and rule sets (unique names).
#include "alerts/AlertRule.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using Kind = AlertRule::Kind;

class tst_AlertRule : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void levelRuleEveryKey();
    void defaults();
    void rateRules();
    void timeRules();
    void quotedValues();
    void canonicalFormReadsBack_data();
    void canonicalFormReadsBack();
    void badRules_data();
    void badRules();
    void severities();
    void ruleFile();
    void ruleFileBadLine();
    void ruleSetNamesUnique();
};

void tst_AlertRule::levelRuleEveryKey()
{
    AlertRuleError error;
    const auto rule = AlertRule::parse(
        u"name=cpu-hot severity=critical channel=sys.cpu field=/usage above=90 clear=85 for=10s", &error);
    QVERIFY2(rule, qPrintable(error.message()));
    QCOMPARE(rule->name, QStringLiteral("cpu-hot"));
    QCOMPARE(rule->severity, AlertSeverity::Critical);
    QCOMPARE(rule->kind, Kind::Above);
    QCOMPARE(rule->channel, QStringLiteral("sys.cpu"));
    QCOMPARE(rule->field, QStringLiteral("/usage"));
    QCOMPARE(rule->threshold, 90.0);
    QCOMPARE(rule->clearLevel, 85.0);
    QCOMPARE(rule->forMs, 10000);

    const auto below =
        AlertRule::parse(u"  name=mem-low channel=sys.mem field=/free/0 below=-1.5e2 clear=-100 ");
    QVERIFY(below);
    QCOMPARE(below->kind, Kind::Below);
    QCOMPARE(below->threshold, -150.0);
    QCOMPARE(below->clearLevel, -100.0);
    QCOMPARE(below->field, QStringLiteral("/free/0"));
}

void tst_AlertRule::defaults()
{
    const auto rule = AlertRule::parse(u"name=a channel=c above=1");
    QVERIFY(rule);
    QCOMPARE(rule->severity, AlertSeverity::Warning);
    QCOMPARE(rule->field, QString()); // the data itself
    QCOMPARE(rule->clearLevel, 1.0);  // no band: clears at the threshold
    QCOMPARE(rule->forMs, 0);
    const auto rate = AlertRule::parse(u"name=r channel=c rate-above=5");
    QVERIFY(rate);
    QCOMPARE(rate->windowMs, 1000);
    QCOMPARE(rate->threshold, 5.0); // a bare rate is per second
    const auto gap = AlertRule::parse(u"name=g gap");
    QVERIFY(gap);
    QCOMPARE(gap->kind, Kind::Gap);
    QCOMPARE(gap->channel, QString()); // any channel
    QCOMPARE(gap->holdMs, 60000);
}

void tst_AlertRule::rateRules()
{
    const auto drop = AlertRule::parse(u"name=cpu-drop channel=sys.cpu field=/usage rate-below=-20/s");
    QVERIFY(drop);
    QCOMPARE(drop->kind, Kind::RateBelow);
    QCOMPARE(drop->threshold, -20.0);
    QCOMPARE(drop->clearLevel, -20.0);
    // Per minute and per hour are kept per second; clear= without a unit is in the rate's unit.
    const auto perMin = AlertRule::parse(u"name=m channel=c rate-above=600/min clear=300 window=5s");
    QVERIFY(perMin);
    QCOMPARE(perMin->kind, Kind::RateAbove);
    QCOMPARE(perMin->threshold, 10.0);
    QCOMPARE(perMin->clearLevel, 5.0);
    QCOMPARE(perMin->windowMs, 5000);
    const auto perHour = AlertRule::parse(u"name=h channel=c rate-above=7200/h clear=1/s");
    QVERIFY(perHour);
    QCOMPARE(perHour->threshold, 2.0);
    QCOMPARE(perHour->clearLevel, 1.0);
    const auto perM = AlertRule::parse(u"name=h channel=c rate-below=-60/m for=2s");
    QVERIFY(perM);
    QCOMPARE(perM->threshold, -1.0);
    QCOMPARE(perM->forMs, 2000);
}

void tst_AlertRule::timeRules()
{
    const auto stale = AlertRule::parse(u"name=quiet severity=warning channel=orders stale=30s");
    QVERIFY(stale);
    QCOMPARE(stale->kind, Kind::Stale);
    QCOMPARE(stale->durationMs, 30000);
    const auto down = AlertRule::parse(u"name=down source-down=1.5min");
    QVERIFY(down);
    QCOMPARE(down->kind, Kind::SourceDown);
    QCOMPARE(down->durationMs, 90000);
    const auto stuck = AlertRule::parse(u"name=stuck severity=info outbox-age=250ms");
    QVERIFY(stuck);
    QCOMPARE(stuck->kind, Kind::OutboxAge);
    QCOMPARE(stuck->durationMs, 250);
    QCOMPARE(stuck->severity, AlertSeverity::Info);
    const auto gaps = AlertRule::parse(u"name=gaps channel=orders gap hold=2h");
    QVERIFY(gaps);
    QCOMPARE(gaps->channel, QStringLiteral("orders"));
    QCOMPARE(gaps->holdMs, 2 * 3600 * 1000);
    const auto hold0 = AlertRule::parse(u"name=g gap hold=0s");
    QVERIFY(hold0);
    QCOMPARE(hold0->holdMs, 0);
    // A dashboard's further source, by name.
    const auto labDown = AlertRule::parse(u"name=lab-down source=lab source-down=1min");
    QVERIFY(labDown);
    QCOMPARE(labDown->source, QStringLiteral("lab"));
    QCOMPARE(labDown->durationMs, 60000);
    QVERIFY(AlertRule::parse(u"name=lab-stuck source=lab outbox-age=5s"));
    QCOMPARE(AlertRule::parse(u"name=lab-gaps source=lab.2 gap")->source, QStringLiteral("lab.2"));
    QVERIFY(down->source.isEmpty());
}

void tst_AlertRule::quotedValues()
{
    AlertRuleError error;
    const auto rule = AlertRule::parse(uR"(name=q channel=c field="/cpu load/a\"b\\c" above=1)", &error);
    QVERIFY2(rule, qPrintable(error.message()));
    QCOMPARE(rule->field, QStringLiteral("/cpu load/a\"b\\c"));
    QVERIFY(AlertRule::parse(rule->toString()));
    QCOMPARE(*AlertRule::parse(rule->toString()), *rule);
    // field= empty (quoted) is the data itself, as leaving it out.
    const auto whole = AlertRule::parse(u"name=w channel=c field=\"\" above=1");
    QVERIFY(whole);
    QCOMPARE(whole->field, QString());
}

void tst_AlertRule::canonicalFormReadsBack_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("level")
        << "for=10s clear=85 above=90 field=/usage channel=sys.cpu severity=CRITICAL name=cpu-hot"
        << "name=cpu-hot severity=critical channel=sys.cpu field=/usage above=90 clear=85 for=10s";
    QTest::newRow("rate") << "name=m channel=c rate-above=600/min clear=300 window=1500ms"
                          << "name=m channel=c rate-above=10/s clear=5/s window=1500ms";
    QTest::newRow("stale") << "name=s channel=c stale=120s"
                           << "name=s channel=c stale=2min";
    QTest::newRow("down") << "name=d source-down=3600s"
                          << "name=d source-down=1h";
    QTest::newRow("gap") << "name=g gap hold=0ms"
                         << "name=g gap hold=0s";
    QTest::newRow("outbox") << "name=o outbox-age=30s severity=info"
                            << "name=o severity=info outbox-age=30s";
    QTest::newRow("source") << "source-down=60s source=lab name=d"
                            << "name=d source=lab source-down=1min";
}

void tst_AlertRule::canonicalFormReadsBack()
{
    QFETCH(QString, text);
    QFETCH(QString, canonical);
    const auto rule = AlertRule::parse(text);
    QVERIFY(rule);
    QCOMPARE(rule->toString(), canonical);
    const auto again = AlertRule::parse(canonical);
    QVERIFY(again);
    QCOMPARE(*again, *rule);
}

void tst_AlertRule::badRules_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("reason"); // a part of the reason

    QTest::newRow("empty") << "   "
                           << ""
                           << "the rule is empty";
    QTest::newRow("no name") << "channel=c above=1"
                             << "name"
                             << "every rule has a name";
    QTest::newRow("bad name") << "name=cpu/hot channel=c above=1"
                              << "name"
                              << "letters, digits";
    QTest::newRow("unknown key") << "name=a channel=c above=1 treshold=3"
                                 << "treshold"
                                 << "unknown key";
    QTest::newRow("repeated key") << "name=a channel=c above=1 above=2"
                                  << "above"
                                  << "given twice";
    QTest::newRow("no value") << "name=a channel=c above"
                              << "above"
                              << "needs a value";
    QTest::newRow("empty value") << "name=a channel= above=1"
                                 << "channel"
                                 << "the value is empty";
    QTest::newRow("no key") << "name=a =1"
                            << ""
                            << "no key";
    QTest::newRow("no condition") << "name=a channel=c"
                                  << ""
                                  << "has no condition";
    QTest::newRow("two conditions") << "name=a channel=c above=1 below=0"
                                    << "below"
                                    << "already has above";
    QTest::newRow("no channel") << "name=a field=/x above=1"
                                << "channel"
                                << "watches a channel";
    QTest::newRow("stale no channel") << "name=a stale=5s"
                                      << "channel"
                                      << "watches a channel";
    QTest::newRow("bad channel") << "name=a channel=\"a b\" above=1"
                                 << "channel"
                                 << "not a valid channel name";
    QTest::newRow("channel on source-down") << "name=a channel=c source-down=5s"
                                            << "channel"
                                            << "about the connection";
    QTest::newRow("channel on outbox") << "name=a channel=c outbox-age=5s"
                                       << "channel"
                                       << "about the connection";
    QTest::newRow("source on a channel rule") << "name=a source=lab channel=c above=1"
                                              << "source"
                                              << "names its source already";
    QTest::newRow("source on a gap of a channel") << "name=a source=lab channel=c gap"
                                                  << "source"
                                                  << "names its source already";
    QTest::newRow("bad source name") << "name=a source=\"la b\" source-down=1s"
                                     << "source"
                                     << "is not a source name";
    QTest::newRow("bad field") << "name=a channel=c field=usage above=1"
                               << "field"
                               << "is not a JSON pointer";
    QTest::newRow("field on stale") << "name=a channel=c field=/x stale=5s"
                                    << "field"
                                    << "goes with above=";
    QTest::newRow("not a number") << "name=a channel=c above=ninety"
                                  << "above"
                                  << "'ninety' is not a number";
    QTest::newRow("infinite") << "name=a channel=c below=inf"
                              << "below"
                              << "is not a number";
    QTest::newRow("clear above above") << "name=a channel=c above=90 clear=95"
                                       << "clear"
                                       << "must be at or below above=90";
    QTest::newRow("clear below below") << "name=a channel=c below=10 clear=5"
                                       << "clear"
                                       << "must be at or above below=10";
    QTest::newRow("rate clear") << "name=a channel=c rate-below=-20/s clear=-30"
                                << "clear"
                                << "must be at or above";
    QTest::newRow("clear on stale") << "name=a channel=c stale=5s clear=1"
                                    << "clear"
                                    << "goes with above=";
    QTest::newRow("bad clear") << "name=a channel=c above=1 clear=x"
                               << "clear"
                               << "'x' is not a number";
    QTest::newRow("rate unit") << "name=a channel=c rate-above=5/day"
                               << "rate-above"
                               << "/s, /min or /h";
    QTest::newRow("rate number") << "name=a channel=c rate-above=fast/s"
                                 << "rate-above"
                                 << "is not a rate";
    QTest::newRow("duration unit") << "name=a channel=c stale=30"
                                   << "stale"
                                   << "needs a unit";
    QTest::newRow("duration word") << "name=a source-down=soon"
                                   << "source-down"
                                   << "is not a duration";
    QTest::newRow("duration zero") << "name=a outbox-age=0s"
                                   << "outbox-age"
                                   << "more than 0";
    QTest::newRow("duration negative") << "name=a channel=c above=1 for=-1s"
                                       << "for"
                                       << "0 or more";
    QTest::newRow("duration long") << "name=a channel=c stale=31d"
                                   << "stale"
                                   << "is not a duration";
    QTest::newRow("duration too long") << "name=a channel=c stale=800h"
                                       << "stale"
                                       << "longer than 30 days";
    QTest::newRow("for on gap") << "name=a gap for=1s"
                                << "for"
                                << "goes with above=";
    QTest::newRow("window on level") << "name=a channel=c above=1 window=1s"
                                     << "window"
                                     << "goes with rate-above=";
    QTest::newRow("window zero") << "name=a channel=c rate-above=1 window=0s"
                                 << "window"
                                 << "more than 0";
    QTest::newRow("hold on stale") << "name=a channel=c stale=1s hold=1s"
                                   << "hold"
                                   << "goes with gap";
    QTest::newRow("gap with value") << "name=a gap=5"
                                    << "gap"
                                    << "takes no value";
    QTest::newRow("bad severity") << "name=a severity=high channel=c above=1"
                                  << "severity"
                                  << "info, warning, critical";
    QTest::newRow("open quote") << "name=a channel=c field=\"/x above=1"
                                << "field"
                                << "no closing";
    QTest::newRow("text after quote") << "name=a channel=c field=\"/x\"y above=1"
                                      << "field"
                                      << "must follow";
}

void tst_AlertRule::badRules()
{
    QFETCH(QString, text);
    QFETCH(QString, key);
    QFETCH(QString, reason);
    AlertRuleError error;
    QVERIFY(!AlertRule::parse(text, &error));
    QCOMPARE(error.key, key);
    QVERIFY2(error.reason.contains(reason), qPrintable(error.reason));
    // The message names the key first.
    if (!key.isEmpty())
        QVERIFY2(error.message().startsWith(QStringLiteral("key '%1': ").arg(key)),
                 qPrintable(error.message()));
}

void tst_AlertRule::severities()
{
    AlertSeverity s = AlertSeverity::Info;
    QVERIFY(parseAlertSeverity(u"Critical", &s));
    QCOMPARE(s, AlertSeverity::Critical);
    QVERIFY(parseAlertSeverity(u"warning", &s));
    QCOMPARE(s, AlertSeverity::Warning);
    QVERIFY(!parseAlertSeverity(u"error", &s));
    QVERIFY(AlertSeverity::Info < AlertSeverity::Warning && AlertSeverity::Warning < AlertSeverity::Critical);
    QCOMPARE(alertSeverityName(AlertSeverity::Info), QStringLiteral("info"));
    QCOMPARE(alertKindName(Kind::OutboxAge), QStringLiteral("outbox-age"));
    QCOMPARE(alertKindName(Kind::RateBelow), QStringLiteral("rate-below"));
}

void tst_AlertRule::ruleFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("alerts.txt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("\xEF\xBB\xBF# the watch of the night shift (after a byte order mark)\n"
            "\n"
            "name=cpu-hot severity=critical channel=sys.cpu field=/usage above=90 clear=85 for=10s\r\n"
            "   # indented comment\n"
            "name=down source-down=60s");
    f.close();
    QList<AlertRule> rules;
    QString error;
    QVERIFY2(readAlertRuleFile(path, &rules, &error), qPrintable(error));
    QCOMPARE(rules.size(), 2);
    QCOMPARE(rules.at(0).name, QStringLiteral("cpu-hot"));
    QCOMPARE(rules.at(0).forMs, 10000);
    QCOMPARE(rules.at(1).kind, Kind::SourceDown);

    QVERIFY(!readAlertRuleFile(dir.filePath(QStringLiteral("missing.txt")), &rules, &error));
    QVERIFY2(error.startsWith(QStringLiteral("cannot read alert file ")), qPrintable(error));
    QCOMPARE(rules.size(), 2);
}

void tst_AlertRule::ruleFileBadLine()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("alerts.txt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("name=ok channel=c above=1\n# comment\nname=bad channel=c above=1 clear=2\n");
    f.close();
    QList<AlertRule> rules;
    QString error;
    QVERIFY(!readAlertRuleFile(path, &rules, &error));
    QCOMPARE(error,
             path + QStringLiteral(" line 3: key 'clear': '2' must be at or below above=1: a raised alert "
                                   "clears once the value is back at or below it"));
    QVERIFY(rules.isEmpty()); // nothing from a file with a bad line

    QVERIFY(
        !parseAlertRules({QStringLiteral("name=a gap"), QStringLiteral("name=b stale=1s")}, &rules, &error));
    QCOMPARE(error,
             QStringLiteral(
                 "'name=b stale=1s': key 'channel': missing: stale= watches a channel (channel=sys.cpu)"));
    QVERIFY(rules.isEmpty());
}

void tst_AlertRule::ruleSetNamesUnique()
{
    QList<AlertRule> rules;
    QString error;
    QVERIFY(parseAlertRules({QStringLiteral("name=a gap"), QStringLiteral("name=b source-down=1s")}, &rules,
                            &error));
    QVERIFY(checkAlertRules(rules, &error));
    QVERIFY(parseAlertRules({QStringLiteral("name=a outbox-age=1s")}, &rules, &error));
    QCOMPARE(rules.size(), 3);
    QVERIFY(!checkAlertRules(rules, &error));
    QCOMPARE(error, QStringLiteral("two rules are named 'a': each rule needs a name of its own"));
}

QTEST_GUILESS_MAIN(tst_AlertRule)
#include "tst_alertrule.moc"
