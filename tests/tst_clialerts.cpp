// pulseboard-cli --alert end to end: the real binary against a real hub (in process, port 0, no
// feeds) fed by a scripted publisher. A value crossing a threshold and back through the hysteresis
// band gives exactly one `raised` and one `cleared` line, each after the message that decided it;
// --exit-on-alert ends the run with exit code 6 at the first alert of that severity or higher (and
// not at a lower one); stale=, source-down=, a gap's hold and outbox-age= work on the CLI's tick;
// bad rules are usage errors (2) naming the key.
#include "HubProbe.h"
#include "hub/HubOptions.h"
#include "hub/HubServer.h"
#include "support/TestServer.h"
#include "support/TestUtils.h"

#include <QJsonArray>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace HubTest;
using namespace TestUtils;

namespace {
const QString kCli = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli");
using L = QLatin1StringView;

// The CLI's stdout as it comes, parsed line by line.
class CliRun
{
public:
    void start(const QStringList &args) { m_process.start(kCli, args + fastCliFlags()); }
    bool started() { return m_process.waitForStarted(); }
    QList<QJsonObject> events()
    {
        m_buffer += m_process.readAllStandardOutput();
        qsizetype nl;
        while ((nl = m_buffer.indexOf('\n')) >= 0) {
            m_events.append(parseObject(m_buffer.left(nl)));
            m_buffer.remove(0, nl + 1);
        }
        return m_events;
    }
    // Waits until an event satisfies `pred`.
    template <typename P> bool waitFor(P pred, int timeoutMs = 10000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            for (const QJsonObject &e : events()) {
                if (pred(e))
                    return true;
            }
            QTest::qWait(10);
        }
        return false;
    }
    bool waitForEvent(const QString &name, int timeoutMs = 10000)
    {
        return waitFor([&](const QJsonObject &e) { return e.value(L("event")).toString() == name; },
                       timeoutMs);
    }
    bool waitFinished(int timeoutMs = 15000)
    {
        QElapsedTimer timer;
        timer.start();
        while (m_process.state() != QProcess::NotRunning && timer.elapsed() < timeoutMs)
            QTest::qWait(10); // the hub in this process keeps serving meanwhile
        events();
        return m_process.state() == QProcess::NotRunning;
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_buffer;
    QList<QJsonObject> m_events;
};

QList<QJsonObject> alertsOf(const QList<QJsonObject> &events, const QString &rule = QString())
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : eventsOf(events, QStringLiteral("alert"))) {
        if (rule.isEmpty() || e.value(L("rule")).toString() == rule)
            out.append(e);
    }
    return out;
}

// Index of the first `message` event with data {"t": value}.
qsizetype messageIndex(const QList<QJsonObject> &events, double value)
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        const QJsonObject &e = events.at(i);
        if (e.value(L("event")).toString() == u"message" &&
            e.value(L("data")).toObject().value(L("t")).toDouble() == value)
            return i;
    }
    return -1;
}

bool publishAll(ProtocolProbe &pub, const QString &channel, const QList<double> &values)
{
    for (double v : values) {
        bool ok = false;
        pub.waitFor(MessageType::Ack, pub.publish(channel, QJsonObject{{L("t"), v}}), &ok);
        if (!ok)
            return false;
    }
    return true;
}
} // namespace

class tst_CliAlerts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void thresholdCrossedAndBackRaisesOnceClearsOnce();
    void aFieldInNoMessageIsAWarning();
    void exitOnAlertAtItsSeverity();
    void staleRaisesOnTickAndClears();
    void sourceDownExitsSix();
    void gapRaisesOnceAndClearsAfterHold();
    void outboxAgeExitsSix();
    void badRulesAreUsageErrors_data();
    void badRulesAreUsageErrors();
};

void tst_CliAlerts::initTestCase()
{
    QVERIFY2(QFile::exists(kCli), qPrintable(kCli));
}

void tst_CliAlerts::thresholdCrossedAndBackRaisesOnceClearsOnce()
{
    auto hub = startHub(quietHubOptions());
    QVERIFY(hub);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("rules.txt"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# plant\nname=temp-hot severity=critical channel=plant.temp field=/t above=90 clear=85\n");
    }
    CliRun cli;
    // The rule's channel is subscribed without --subscribe; --quiet keeps alerts.
    cli.start({QStringLiteral("--url"), hub->url().toString(), QStringLiteral("--alert-file"), file,
               QStringLiteral("--alert"),
               QStringLiteral("name=temp-low severity=info channel=plant.temp field=/t below=0")});
    QVERIFY(cli.started());
    QVERIFY(cli.waitForEvent(QStringLiteral("subscribed")));
    ProtocolProbe pub;
    QVERIFY(pub.open(hub->url()));
    const QList<double> feed{50, 91, 88, 95, 86, 85, 87, 89.5, 70};
    QVERIFY(publishAll(pub, QStringLiteral("plant.temp"), feed));
    QVERIFY(cli.waitFor([](const QJsonObject &e) {
        return e.value(L("event")).toString() == u"message" &&
               e.value(L("data")).toObject().value(L("t")).toDouble() == 70;
    }));
    // stdin ends: the rules keep it running (no subscription of its own would end it otherwise).
    cli.process().closeWriteChannel();
    QTest::qWait(300);
    QCOMPARE(cli.process().state(), QProcess::Running);
    cli.process().terminate(); // SIGTERM: a clean finish
    QVERIFY(cli.waitFinished());
    QCOMPARE(cli.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.process().exitCode(), 0);

    const QList<QJsonObject> events = cli.events();
    const QList<QJsonObject> alerts = alertsOf(events);
    QCOMPARE(alerts.size(), 2);
    const QJsonObject raised = alerts.at(0);
    QCOMPARE(raised.value(L("state")).toString(), QStringLiteral("raised"));
    QCOMPARE(raised.value(L("rule")).toString(), QStringLiteral("temp-hot"));
    QCOMPARE(raised.value(L("severity")).toString(), QStringLiteral("critical"));
    QCOMPARE(raised.value(L("kind")).toString(), QStringLiteral("above"));
    QCOMPARE(raised.value(L("channel")).toString(), QStringLiteral("plant.temp"));
    QCOMPARE(raised.value(L("field")).toString(), QStringLiteral("/t"));
    QCOMPARE(raised.value(L("value")).toDouble(), 91.0);
    QCOMPARE(raised.value(L("threshold")).toDouble(), 90.0);
    const QJsonObject cleared = alerts.at(1);
    QCOMPARE(cleared.value(L("state")).toString(), QStringLiteral("cleared"));
    QCOMPARE(cleared.value(L("rule")).toString(), QStringLiteral("temp-hot"));
    QCOMPARE(cleared.value(L("value")).toDouble(), 85.0);
    QCOMPARE(cleared.value(L("threshold")).toDouble(), 85.0);
    // Wall-clock times, in order, and each alert right after the message that decided it.
    const double ts0 = raised.value(L("ts")).toDouble();
    QVERIFY(qAbs(ts0 - double(QDateTime::currentMSecsSinceEpoch())) < 60000);
    QVERIFY(cleared.value(L("ts")).toDouble() >= ts0);
    QCOMPARE(events.indexOf(raised), messageIndex(events, 91) + 1);
    QCOMPARE(events.indexOf(cleared), messageIndex(events, 85) + 1);
    QCOMPARE(events.last().value(L("event")).toString(), QStringLiteral("stats"));
}

void tst_CliAlerts::aFieldInNoMessageIsAWarning()
{
    auto hub = startHub(quietHubOptions());
    QVERIFY(hub);
    CliRun cli;
    cli.start({QStringLiteral("--url"), hub->url().toString(), QStringLiteral("--quiet"),
               QStringLiteral("--alert"),
               QStringLiteral("name=temp-hot channel=plant.temp field=/data/t above=90")});
    QVERIFY(cli.started());
    QVERIFY(cli.waitForEvent(QStringLiteral("subscribed")));
    ProtocolProbe pub;
    QVERIFY(pub.open(hub->url()));
    QVERIFY(publishAll(pub, QStringLiteral("plant.temp"), QList<double>(15, 95.0)));
    QVERIFY(cli.waitForEvent(QStringLiteral("warning")));
    cli.process().terminate();
    QVERIFY(cli.waitFinished());
    QCOMPARE(cli.process().exitCode(), 0);
    const QList<QJsonObject> warnings = eventsOf(cli.events(), QStringLiteral("warning"));
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings.at(0).value(L("rule")).toString(), QStringLiteral("temp-hot"));
    QCOMPARE(warnings.at(0).value(L("message")).toString(),
             QStringLiteral(
                 "field /data/t is not a number in any of the first 10 messages of plant.temp: the rule "
                 "watches nothing until it is"));
    QCOMPARE(alertsOf(cli.events()).size(), 0);
}

void tst_CliAlerts::exitOnAlertAtItsSeverity()
{
    auto hub = startHub(quietHubOptions());
    QVERIFY(hub);
    CliRun cli;
    cli.start({QStringLiteral("--url"), hub->url().toString(), QStringLiteral("--quiet"),
               QStringLiteral("--exit-on-alert"), QStringLiteral("warning"), QStringLiteral("--alert"),
               QStringLiteral("name=warm severity=info channel=plant.temp field=/t above=60"),
               QStringLiteral("--alert"),
               QStringLiteral("name=hot channel=plant.temp field=/t above=90 clear=85")});
    QVERIFY(cli.started());
    QVERIFY(cli.waitForEvent(QStringLiteral("subscribed")));
    ProtocolProbe pub;
    QVERIFY(pub.open(hub->url()));
    // An info alert does not end the run.
    QVERIFY(publishAll(pub, QStringLiteral("plant.temp"), {50, 70}));
    QVERIFY(cli.waitForEvent(QStringLiteral("alert")));
    QTest::qWait(200);
    QCOMPARE(cli.process().state(), QProcess::Running);
    // A warning (the default severity) does.
    QVERIFY(publishAll(pub, QStringLiteral("plant.temp"), {95}));
    QVERIFY(cli.waitFinished());
    QCOMPARE(cli.process().exitCode(), 6);
    const QList<QJsonObject> events = cli.events();
    QVERIFY(eventsOf(events, QStringLiteral("message")).isEmpty()); // --quiet
    const QList<QJsonObject> alerts = alertsOf(events);
    QCOMPARE(alerts.size(), 2);
    QCOMPARE(alerts.at(0).value(L("rule")).toString(), QStringLiteral("warm"));
    QCOMPARE(alerts.at(0).value(L("severity")).toString(), QStringLiteral("info"));
    QCOMPARE(alerts.at(0).value(L("value")).toDouble(), 70.0);
    QCOMPARE(alerts.at(1).value(L("rule")).toString(), QStringLiteral("hot"));
    QCOMPARE(alerts.at(1).value(L("severity")).toString(), QStringLiteral("warning"));
    QCOMPARE(alerts.at(1).value(L("state")).toString(), QStringLiteral("raised"));
    QCOMPARE(alerts.at(1).value(L("value")).toDouble(), 95.0);
    QCOMPARE(events.last().value(L("event")).toString(), QStringLiteral("stats"));
    QCOMPARE(events.last().value(L("messages")).toInt(), 3);
}

void tst_CliAlerts::staleRaisesOnTickAndClears()
{
    auto hub = startHub(quietHubOptions());
    QVERIFY(hub);
    CliRun cli;
    cli.start({QStringLiteral("--url"), hub->url().toString(), QStringLiteral("--alert"),
               QStringLiteral("name=quiet channel=orders stale=400ms")});
    QVERIFY(cli.started());
    QVERIFY(cli.waitForEvent(QStringLiteral("subscribed")));
    ProtocolProbe pub;
    QVERIFY(pub.open(hub->url()));
    QVERIFY(publishAll(pub, QStringLiteral("orders"), {1}));
    QVERIFY(cli.waitFor([](const QJsonObject &e) { return e.value(L("event")).toString() == u"message"; }));
    // The CLI counts silence from its own start: a slow connect may have raised and cleared it already.
    const qsizetype before = alertsOf(cli.events()).size();
    QVERIFY(before == 0 || before == 2);
    // Silence: raised by the tick after 400 ms, once.
    QTRY_COMPARE_WITH_TIMEOUT(alertsOf(cli.events()).size(), before + 1, 5000);
    QTest::qWait(500);
    QCOMPARE(alertsOf(cli.events()).size(), before + 1);
    const QJsonObject raised = alertsOf(cli.events()).last();
    QCOMPARE(raised.value(L("state")).toString(), QStringLiteral("raised"));
    QCOMPARE(raised.value(L("kind")).toString(), QStringLiteral("stale"));
    QCOMPARE(raised.value(L("channel")).toString(), QStringLiteral("orders"));
    QVERIFY(raised.value(L("value")).toDouble() >= 0.4);
    QVERIFY(!raised.contains(L("field")));
    // A message ends it.
    QVERIFY(publishAll(pub, QStringLiteral("orders"), {6}));
    QTRY_COMPARE_WITH_TIMEOUT(alertsOf(cli.events()).size(), before + 2, 5000);
    const QJsonObject cleared = alertsOf(cli.events()).last();
    QCOMPARE(cleared.value(L("state")).toString(), QStringLiteral("cleared"));
    QVERIFY(cleared.value(L("value")).toDouble() >= 0.8); // the silence it ended
    cli.process().terminate();
    QVERIFY(cli.waitFinished());
    QCOMPARE(cli.process().exitCode(), 0);
}

void tst_CliAlerts::sourceDownExitsSix()
{
    // A port nothing listens on: the connection never opens.
    const QString dead = deadUrl().toString();
    CliRun cli;
    cli.start({QStringLiteral("--url"), dead, QStringLiteral("--max-retries"), QStringLiteral("0"),
               QStringLiteral("--alert"), QStringLiteral("name=down severity=critical source-down=300ms"),
               QStringLiteral("--exit-on-alert"), QStringLiteral("critical")});
    QVERIFY(cli.started());
    QVERIFY(cli.waitFinished());
    QCOMPARE(cli.process().exitCode(), 6);
    const QList<QJsonObject> alerts = alertsOf(cli.events());
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.at(0).value(L("rule")).toString(), QStringLiteral("down"));
    QCOMPARE(alerts.at(0).value(L("kind")).toString(), QStringLiteral("source-down"));
    QVERIFY(alerts.at(0).value(L("value")).toDouble() >= 0.3);
    QVERIFY(!alerts.at(0).contains(L("channel")));
}

void tst_CliAlerts::gapRaisesOnceAndClearsAfterHold()
{
    // A scripted server whose seq jumps: 1, then 5 (2..4 missing), then 9 (6..8) within the 1.5 s hold.
    Pulseboard::Test::TestServer server;
    QVERIFY(server.listen());
    CliRun cli;
    cli.start({QStringLiteral("--url"), server.url().toString(), QStringLiteral("--alert"),
               QStringLiteral("name=gaps channel=orders gap hold=1500ms")});
    QVERIFY(cli.started());
    QVERIFY(cli.waitForEvent(QStringLiteral("subscribed")));
    server.publish(QStringLiteral("orders"), QJsonObject{{L("t"), 1}});
    auto frame = [](qint64 seq) {
        return QByteArrayLiteral(R"({"type":"message","channel":"orders","seq":)") + QByteArray::number(seq) +
               QByteArrayLiteral(R"(,"ts":1700000000000,"data":{"t":)") + QByteArray::number(seq) + "}}";
    };
    server.sendToAll(frame(5));
    QVERIFY(cli.waitForEvent(QStringLiteral("alert")));
    server.sendToAll(frame(9));
    QVERIFY(cli.waitFor([](const QJsonObject &e) {
        return e.value(L("event")).toString() == u"alert" && e.value(L("state")).toString() == u"cleared";
    }));
    QTest::qWait(200);
    cli.process().terminate();
    QVERIFY(cli.waitFinished());
    QCOMPARE(cli.process().exitCode(), 0);
    const QList<QJsonObject> events = cli.events();
    const QList<QJsonObject> gaps = eventsOf(events, QStringLiteral("gap"));
    QCOMPARE(gaps.size(), 2);
    const QList<QJsonObject> alerts = alertsOf(events);
    QCOMPARE(alerts.size(), 2);
    QCOMPARE(alerts.at(0).value(L("state")).toString(), QStringLiteral("raised"));
    QCOMPARE(alerts.at(0).value(L("kind")).toString(), QStringLiteral("gap"));
    QCOMPARE(alerts.at(0).value(L("channel")).toString(), QStringLiteral("orders"));
    QCOMPARE(alerts.at(0).value(L("value")).toDouble(), 3.0); // 2..4
    QVERIFY(!alerts.at(0).contains(L("threshold")));
    // The alert follows the gap line that raised it.
    QCOMPARE(events.indexOf(alerts.at(0)), events.indexOf(gaps.at(0)) + 1);
    QCOMPARE(alerts.at(1).value(L("state")).toString(), QStringLiteral("cleared"));
    QCOMPARE(alerts.at(1).value(L("value")).toDouble(), 6.0); // 2..4 and 6..8
    QVERIFY(alerts.at(1).value(L("ts")).toDouble() - alerts.at(0).value(L("ts")).toDouble() >= 1500);
}

void tst_CliAlerts::outboxAgeExitsSix()
{
    // Nothing listens: a publish waits in the outbox, unconfirmed.
    const QString dead = deadUrl().toString();
    CliRun cli;
    cli.start({QStringLiteral("--url"), dead, QStringLiteral("--max-retries"), QStringLiteral("0"),
               QStringLiteral("--alert"), QStringLiteral("name=stuck severity=critical outbox-age=300ms"),
               QStringLiteral("--exit-on-alert"), QStringLiteral("critical")});
    QVERIFY(cli.started());
    QTest::qWait(100);
    QVERIFY(alertsOf(cli.events()).isEmpty()); // an empty outbox is not old
    cli.process().write("publish ops.cmd {\"action\":\"restart\"}\n");
    QVERIFY(cli.waitForEvent(QStringLiteral("queued")));
    QVERIFY(cli.waitFinished());
    QCOMPARE(cli.process().exitCode(), 6);
    const QList<QJsonObject> alerts = alertsOf(cli.events());
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.at(0).value(L("kind")).toString(), QStringLiteral("outbox-age"));
    QCOMPARE(alerts.at(0).value(L("state")).toString(), QStringLiteral("raised"));
    QVERIFY(alerts.at(0).value(L("value")).toDouble() >= 0.3);
    QCOMPARE(alerts.at(0).value(L("threshold")).toDouble(), 0.3);
    const QList<QJsonObject> stats = eventsOf(cli.events(), QStringLiteral("stats"));
    QCOMPARE(stats.size(), 1);
    QCOMPARE(stats.first().value(L("queued")).toInt(), 1); // still waiting when it gave the alarm
}

void tst_CliAlerts::badRulesAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("bad key") << QStringList{QStringLiteral("--alert"),
                                            QStringLiteral("name=a channel=c abve=1")}
                             << QStringLiteral("--alert 'name=a channel=c abve=1': key 'abve': unknown key");
    QTest::newRow("bad clear") << QStringList{QStringLiteral("--alert"),
                                              QStringLiteral("name=a channel=c above=1 clear=5")}
                               << QStringLiteral("key 'clear': '5' must be at or below above=1");
    QTest::newRow("same name") << QStringList{QStringLiteral("--alert"), QStringLiteral("name=a gap"),
                                              QStringLiteral("--alert"),
                                              QStringLiteral("name=a source-down=1s")}
                               << QStringLiteral("two rules are named 'a'");
    QTest::newRow("source") << QStringList{QStringLiteral("--alert"),
                                           QStringLiteral("name=lab-down source=lab source-down=5s")}
                            << QStringLiteral("alert rule lab-down: source= names a dashboard's source");
    QTest::newRow("exit without rules")
        << QStringList{QStringLiteral("--exit-on-alert"), QStringLiteral("critical")}
        << QStringLiteral("--exit-on-alert needs alert rules");
    QTest::newRow("exit bad severity")
        << QStringList{QStringLiteral("--alert"), QStringLiteral("name=a gap"),
                       QStringLiteral("--exit-on-alert"), QStringLiteral("fatal")}
        << QStringLiteral("--exit-on-alert needs info, warning or critical, not 'fatal'");
    QTest::newRow("missing file") << QStringList{QStringLiteral("--alert-file"),
                                                 QStringLiteral("/nonexistent/rules.txt")}
                                  << QStringLiteral(
                                         "--alert-file cannot read alert file /nonexistent/rules.txt");
}

void tst_CliAlerts::badRulesAreUsageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:9/")} + args);
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitCode(), 2);
    const QString err = QString::fromUtf8(cli.readAllStandardError());
    QVERIFY2(err.contains(message), qPrintable(err));
    QVERIFY(cli.readAllStandardOutput().isEmpty()); // nothing started
}

QTEST_GUILESS_MAIN(tst_CliAlerts)
#include "tst_clialerts.moc"
