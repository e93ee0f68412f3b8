// pulseboard-cli end to end: the real binary spawned against an in-process server; its JSON
// Lines parsed and asserted; exit codes 0 / 2 / 3 / 4 (refused) / 5 (rejected input); bad stdin
// lines reported, not fatal.
#include "hub/HubServer.h"
#include "support/TestServer.h"
#include "support/TestUtils.h"

#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Pulseboard;
using Pulseboard::Test::TestServer;
using namespace TestUtils;

namespace {
const QString kCli = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli");

QList<QString> statesOf(const QList<QJsonObject> &events)
{
    QList<QString> out;
    for (const QJsonObject &e : eventsOf(events, QStringLiteral("state")))
        out.append(e.value(QLatin1StringView("state")).toString());
    return out;
}
} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void tailsChannelUntilCount();
    void publishesAndRequestsFromStdin();
    void pagedResponseCarriesNext();
    void backfillPrintedWithItsMarker();
    void overLongInputLineSkippedToItsEnd();
    void usageErrors_data();
    void usageErrors();
    void givesUpWithExitThree();
    void serverRefusalExitsFourAndIsCounted();
    void tokenNeverPrinted();
    void queueFileSurvivesKillNine();
    void jsonFeedSaysWhatItCannotConfirm();
    void endsWhenStdoutIsClosed();
};

void tst_Cli::initTestCase()
{
    QVERIFY2(QFile::exists(kCli), qPrintable(kCli));
}

void tst_Cli::tailsChannelUntilCount()
{
    TestServer server;
    QVERIFY(server.listen());
    QProcess cli;
    cli.start(kCli,
              QStringList{QStringLiteral("--url"), server.url().toString(), QStringLiteral("--subscribe"),
                          QStringLiteral("sys.cpu"), QStringLiteral("--count"), QStringLiteral("3")} +
                  fastCliFlags());
    QVERIFY(cli.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(server.framesOfType(MessageType::Subscribe).size(), 1, 10000);
    for (int i = 1; i <= 3; ++i)
        server.publish(QStringLiteral("sys.cpu"), QJsonObject{{QLatin1StringView("user"), i * 1.5}});
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
    QCOMPARE(cli.exitCode(), 0);
    const auto events = parseJsonLines(cli.readAllStandardOutput());
    QCOMPARE(statesOf(events).mid(0, 2),
             (QList<QString>{QStringLiteral("connecting"), QStringLiteral("open")}));
    // A fresh subscription claims no recovery: `recovered` and `since` come with resumes only.
    const auto subscribed = eventsOf(events, QStringLiteral("subscribed"));
    QCOMPARE(subscribed.size(), 1);
    QVERIFY(!subscribed.first().contains(QLatin1StringView("recovered")));
    QVERIFY(!subscribed.first().contains(QLatin1StringView("since")));
    const auto messages = eventsOf(events, QStringLiteral("message"));
    QCOMPARE(messages.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(messages.at(i).value(QLatin1StringView("channel")).toString(), QStringLiteral("sys.cpu"));
        QCOMPARE(messages.at(i).value(QLatin1StringView("seq")).toInt(), i + 1);
        QVERIFY(messages.at(i).value(QLatin1StringView("ts")).toDouble() > 1.6e12);
        QCOMPARE(messages.at(i)
                     .value(QLatin1StringView("data"))
                     .toObject()
                     .value(QLatin1StringView("user"))
                     .toDouble(),
                 (i + 1) * 1.5);
    }
    const auto stats = eventsOf(events, QStringLiteral("stats"));
    QCOMPARE(stats.size(), 1);
    QCOMPARE(stats.first().value(QLatin1StringView("messages")).toInt(), 3);
    QCOMPARE(events.last().value(QLatin1StringView("event")).toString(), QStringLiteral("stats"));
}

void tst_Cli::publishesAndRequestsFromStdin()
{
    TestServer server;
    QVERIFY(server.listen());
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), server.url().toString()} + fastCliFlags());
    QVERIFY(cli.waitForStarted());
    cli.write("publish ops.cmd {\"action\":\"restart\",\"n\":1}\n"
              "this is not a command\n"
              "publish ops.cmd {broken\n"
              "publish bad channel {}\n"
              "request echo {\"k\":[1,2]}\n"
              "publish ops.cmd 42\n");
    cli.closeWriteChannel(); // EOF: finish once everything sent is confirmed
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
    QCOMPARE(cli.exitCode(), 5); // everything valid went through; three lines were rejected
    const auto events = parseJsonLines(cli.readAllStandardOutput());
    const auto queued = eventsOf(events, QStringLiteral("queued"));
    const auto acks = eventsOf(events, QStringLiteral("ack"));
    const auto errors = eventsOf(events, QStringLiteral("error"));
    const auto responses = eventsOf(events, QStringLiteral("response"));
    QCOMPARE(queued.size(), 3);
    QCOMPARE(acks.size(), 2);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(errors.size(), 3);
    QCOMPARE(acks.at(0).value(QLatin1StringView("id")), queued.at(0).value(QLatin1StringView("id")));
    QCOMPARE(acks.at(0).value(QLatin1StringView("channel")).toString(), QStringLiteral("ops.cmd"));
    QCOMPARE(acks.at(0).value(QLatin1StringView("seq")).toInt(), 1);
    QCOMPARE(acks.at(1).value(QLatin1StringView("seq")).toInt(), 2);
    QCOMPARE(responses.first()
                 .value(QLatin1StringView("result"))
                 .toObject()
                 .value(QLatin1StringView("k"))
                 .toArray()
                 .size(),
             2);
    QVERIFY(errors.at(0)
                .value(QLatin1StringView("message"))
                .toString()
                .contains(QLatin1StringView("unknown command")));
    QVERIFY(errors.at(1)
                .value(QLatin1StringView("message"))
                .toString()
                .contains(QLatin1StringView("invalid JSON")));
    QCOMPARE(errors.at(2).value(QLatin1StringView("code")).toInt(), -4);
    // The server saw exactly the two valid publishes, in order, with their data intact.
    const auto published = server.framesOfType(MessageType::Publish);
    QCOMPARE(published.size(), 2);
    QCOMPARE(published.at(0).env.data.toObject().value(QLatin1StringView("action")).toString(),
             QStringLiteral("restart"));
    QCOMPARE(published.at(1).env.data.toInt(), 42);
}

// `channels.list` on a hub comes in pages: the `response` event carries the hub's `next`, and a
// request with `after` set to it gets the rest.
void tst_Cli::pagedResponseCarriesNext()
{
    Pulseboard::HubOptions options;
    options.port = 0;
    options.feedsEnabled = false;
    Pulseboard::HubServer hub(options);
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));
    for (const char *name : {"c", "a", "b"})
        hub.publish(QString::fromLatin1(name), 1);
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), hub.url().toString()} + fastCliFlags());
    QVERIFY(cli.waitForStarted());
    cli.write("request channels.list {\"limit\":2}\n"
              "request channels.list {\"limit\":2,\"after\":\"b\"}\n"
              "request channels.list {\"limit\":0}\n");
    cli.closeWriteChannel();
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
    QCOMPARE(cli.exitCode(), 4); // the hub refused the third request (400)
    const auto events = parseJsonLines(cli.readAllStandardOutput());
    const auto responses = eventsOf(events, QStringLiteral("response"));
    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses.at(0).value(QLatin1StringView("result")).toArray().size(), 2);
    QCOMPARE(responses.at(0).value(QLatin1StringView("next")).toString(), QStringLiteral("b"));
    const QJsonArray rest = responses.at(1).value(QLatin1StringView("result")).toArray();
    QCOMPARE(rest.size(), 1);
    QCOMPARE(rest.at(0).toObject().value(QLatin1StringView("name")).toString(), QStringLiteral("c"));
    QVERIFY(!responses.at(1).contains(QLatin1StringView("next")));
    // A bad limit: an error event with the hub's 400 and its words.
    const auto errors = eventsOf(events, QStringLiteral("error"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).value(QLatin1StringView("code")).toInt(), 400);
    QVERIFY(errors.at(0).value(QLatin1StringView("message")).toString().contains(QStringLiteral("'limit'")));
}

// --backfill 3 against a hub retaining 5: the 3 newest come first, each with "backfill":true, then
// the live one without it; without the flag the CLI asks for none (a script sees only what is new).
void tst_Cli::backfillPrintedWithItsMarker()
{
    Pulseboard::HubOptions options;
    options.port = 0;
    options.feedsEnabled = false;
    Pulseboard::HubServer hub(options);
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));
    for (int i = 1; i <= 5; ++i)
        hub.publish(QStringLiteral("b"), i);
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), hub.url().toString(), QStringLiteral("--subscribe"),
                                QStringLiteral("b"), QStringLiteral("--backfill"), QStringLiteral("3"),
                                QStringLiteral("--count"), QStringLiteral("4")} +
                        fastCliFlags());
    QVERIFY(cli.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += cli.readAllStandardOutput()).count("\"event\":\"message\"") >= 3, 10000);
    hub.publish(QStringLiteral("b"), 6); // live, after the backfill
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
    out += cli.readAllStandardOutput();
    QCOMPARE(cli.exitCode(), 0);
    const auto messages = eventsOf(parseJsonLines(out), QStringLiteral("message"));
    QCOMPARE(messages.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(messages.at(i).value(QLatin1StringView("seq")).toInteger(), qint64(3 + i));
        QCOMPARE(messages.at(i).value(QLatin1StringView("data")).toInt(), 3 + i);
        QCOMPARE(messages.at(i).contains(QLatin1StringView("backfill")), i < 3);
    }
    QCOMPARE(messages.at(0).value(QLatin1StringView("backfill")).toBool(), true);
}

void tst_Cli::overLongInputLineSkippedToItsEnd()
{
    // A line over 16 MiB is reported once and skipped up to its newline: its tail is not read as a
    // command of its own, and the lines on both sides of it go out.
    TestServer server;
    QVERIFY(server.listen());
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), server.url().toString()} + fastCliFlags());
    QVERIFY(cli.waitForStarted());
    cli.write("publish ops.cmd 1\n");
    cli.write("publish ops.cmd " + QByteArray(17 * 1024 * 1024, '7') + "\n");
    cli.write("publish ops.cmd 3\n");
    cli.closeWriteChannel();
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 30000);
    QCOMPARE(cli.exitCode(), 5); // the over-long line was rejected
    const auto events = parseJsonLines(cli.readAllStandardOutput());
    const auto errors = eventsOf(events, QStringLiteral("error"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().value(QLatin1StringView("code")).toInt(), -4);
    QCOMPARE(errors.first().value(QLatin1StringView("message")).toString(),
             QStringLiteral("input line 2 is longer than 16 MiB: skipped"));
    const auto published = server.framesOfType(MessageType::Publish);
    QCOMPARE(published.size(), 2);
    QCOMPARE(published.at(0).env.data.toInt(), 1);
    QCOMPARE(published.at(1).env.data.toInt(), 3);
}

void tst_Cli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("no url") << QStringList{} << QStringLiteral("--url is required");
    QTest::newRow("http url") << QStringList{QStringLiteral("--url"), QStringLiteral("http://x/")}
                              << QStringLiteral("ws:// or wss://");
    QTest::newRow("bad number") << QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/"),
                                               QStringLiteral("--heartbeat-interval"), QStringLiteral("soon")}
                                << QStringLiteral("--heartbeat-interval");
    QTest::newRow("unknown flag") << QStringList{QStringLiteral("--frobnicate")}
                                  << QStringLiteral("frobnicate");
    QTest::newRow("bad count") << QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/"),
                                              QStringLiteral("--count"), QStringLiteral("0")}
                               << QStringLiteral("--count");
    QTest::newRow("bad backfill") << QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/"),
                                                 QStringLiteral("--backfill"), QStringLiteral("-1")}
                                  << QStringLiteral("--backfill needs a whole number >= 0");
    QTest::newRow("backfill and no-backfill")
        << QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--backfill"), QStringLiteral("5"), QStringLiteral("--no-backfill")}
        << QStringLiteral("--backfill and --no-backfill exclude each other");
    QTest::newRow("unknown protocol")
        << QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--protocol"), QStringLiteral("stomp")}
        << QStringLiteral("unknown protocol 'stomp' (known: pulseboard");
    QTest::newRow("missing protocol config")
        << QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--protocol-config"), QStringLiteral("/nonexistent/feed.json")}
        << QStringLiteral("--protocol-config /nonexistent/feed.json: cannot read it");
    QTest::newRow("protocol config not json")
        << QStringList{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1/"),
                       QStringLiteral("--protocol-config"),
                       QStringLiteral(PULSEBOARD_SOURCE_DIR "/README.md")}
        << QStringLiteral("README.md: not valid JSON at line 1, column");
}

void tst_Cli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    QProcess cli;
    cli.start(kCli, args);
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitCode(), 2);
    const QString err = QString::fromUtf8(cli.readAllStandardError());
    QVERIFY2(err.contains(mentions), qPrintable(err));
}

void tst_Cli::givesUpWithExitThree()
{
    const QString dead = deadUrl().toString();
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), dead, QStringLiteral("--max-retries"),
                                QStringLiteral("2")} +
                        fastCliFlags());
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitCode(), 3);
    const auto events = parseJsonLines(cli.readAllStandardOutput());
    const QList<QString> states = statesOf(events);
    QCOMPARE(states.last(), QStringLiteral("failed"));
    QCOMPARE(states.count(QStringLiteral("connecting")), 3);
    QCOMPARE(states.count(QStringLiteral("reconnecting")), 2);
    const QJsonObject failed = eventsOf(events, QStringLiteral("state")).last();
    QVERIFY(failed.value(QLatin1StringView("error"))
                .toString()
                .contains(QLatin1StringView("gave up after 2 attempts")));
    QCOMPARE(eventsOf(events, QStringLiteral("disconnected")).size(), 3);
}

// A publish the hub refuses (403: a built-in feed's name is read-only on every hub) is an error
// event, counts in stats.refused, and the exit status says something was refused; the publish
// that went through is acked as usual.
void tst_Cli::serverRefusalExitsFourAndIsCounted()
{
    Pulseboard::HubOptions options;
    options.port = 0;
    options.feedsEnabled = false;
    Pulseboard::HubServer hub(options);
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), hub.url().toString()} + fastCliFlags());
    QVERIFY(cli.waitForStarted());
    cli.write("publish sys.cpu {\"user\":1}\n"
              "publish console.test {\"n\":1}\n");
    cli.closeWriteChannel();
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
    QCOMPARE(cli.exitCode(), 4);
    const auto events = parseJsonLines(cli.readAllStandardOutput());
    const auto errors = eventsOf(events, QStringLiteral("error"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().value(QLatin1StringView("channel")).toString(), QStringLiteral("sys.cpu"));
    QVERIFY2(errors.first().value(QLatin1StringView("message")).toString().contains(QLatin1StringView("403")),
             qPrintable(errors.first().value(QLatin1StringView("message")).toString()));
    const auto acks = eventsOf(events, QStringLiteral("ack"));
    QCOMPARE(acks.size(), 1);
    QCOMPARE(acks.first().value(QLatin1StringView("channel")).toString(), QStringLiteral("console.test"));
    const auto stats = eventsOf(events, QStringLiteral("stats"));
    QCOMPARE(stats.size(), 1);
    QCOMPARE(stats.first().value(QLatin1StringView("refused")).toInt(), 1);
    QCOMPARE(stats.first().value(QLatin1StringView("acked")).toInt(), 1);
}

void tst_Cli::tokenNeverPrinted()
{
    TestServer server;
    server.requiredToken = QStringLiteral("the-right-one");
    QVERIFY(server.listen());
    const QString secret = QStringLiteral("wrong-but-secret-7c1e");
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PULSEBOARD_TOKEN"), secret);
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("pulseboard.*=true"));
    cli.setProcessEnvironment(env);
    cli.start(kCli, QStringList{QStringLiteral("--url"), server.url().toString()} + fastCliFlags());
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
    QCOMPARE(cli.exitCode(), 3);
    const QByteArray out = cli.readAllStandardOutput();
    const QByteArray err = cli.readAllStandardError();
    QVERIFY(err.contains("pulseboard.net")); // logging was on
    QVERIFY(!out.contains(secret.toUtf8()));
    QVERIFY(!err.contains(secret.toUtf8()));
    // The server did receive it: the token went where it belongs and nowhere else.
    QCOMPARE(server.framesOfType(MessageType::Auth).value(0).env.text, secret);
    const auto events = parseJsonLines(out);
    // Refused at auth: never said to be open, straight to failed.
    QVERIFY2(!statesOf(events).contains(QStringLiteral("open")),
             qPrintable(statesOf(events).join(QLatin1Char(','))));
    QCOMPARE(statesOf(events).last(), QStringLiteral("failed"));
    // The server's refusal is told before the state it ends in, and the stats line is last.
    QCOMPARE(events.last().value(QLatin1StringView("event")).toString(), QStringLiteral("stats"));
    const auto errors = eventsOf(events, QStringLiteral("error"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().value(QLatin1StringView("code")).toInt(), 4001);
    QVERIFY(eventsOf(events, QStringLiteral("state"))
                .last()
                .value(QLatin1StringView("error"))
                .toString()
                .contains(QLatin1StringView("refused the token")));
}

void tst_Cli::queueFileSurvivesKillNine()
{
    QTemporaryDir dir;
    const QString journal = dir.filePath(QStringLiteral("queue.journal"));
    TestServer server;
    QVERIFY(server.listen());
    const quint16 port = server.port();
    server.kill(); // the server is down while the operator sends commands
    const QStringList args =
        QStringList{QStringLiteral("--url"),         QStringLiteral("ws://127.0.0.1:%1/").arg(port),
                    QStringLiteral("--queue-file"),  journal,
                    QStringLiteral("--max-retries"), QStringLiteral("0")} +
        fastCliFlags();
    QProcess first;
    first.start(kCli, args);
    QVERIFY(first.waitForStarted());
    for (int i = 0; i < 5; ++i)
        first.write(QStringLiteral("publish ops.cmd {\"step\":%1}\n").arg(i).toUtf8());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += first.readAllStandardOutput(), out.count("\"queued\"") == 5), 10000);
    first.kill(); // SIGKILL: no chance to clean up
    QVERIFY(first.waitForFinished(5000));
    QCOMPARE(first.exitStatus(), QProcess::CrashExit);
    QStringList queuedIds;
    for (const QJsonObject &e : eventsOf(parseJsonLines(out), QStringLiteral("queued")))
        queuedIds.append(e.value(QLatin1StringView("id")).toString());
    QCOMPARE(queuedIds.size(), 5);

    QVERIFY(server.listen(port));
    QProcess second;
    second.start(kCli, args);
    QVERIFY(second.waitForStarted());
    second.closeWriteChannel(); // nothing new: it only has to deliver what the journal holds
    QTRY_VERIFY_WITH_TIMEOUT(second.state() == QProcess::NotRunning, 10000);
    QCOMPARE(second.exitCode(), 0);
    const auto events = parseJsonLines(second.readAllStandardOutput());
    const auto acks = eventsOf(events, QStringLiteral("ack"));
    QCOMPARE(acks.size(), 5);
    const auto published = server.framesOfType(MessageType::Publish);
    QCOMPARE(published.size(), 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(published.at(i).env.id, queuedIds.at(i));
        QCOMPARE(published.at(i).env.data.toObject().value(QLatin1StringView("step")).toInt(), i);
        QCOMPARE(acks.at(i).value(QLatin1StringView("id")).toString(), queuedIds.at(i));
    }
    QCOMPARE(server.publishedCount(QStringLiteral("ops.cmd")), 5);
}

// --protocol json with the committed bare-feed example: the first state event names the protocol
// and its capabilities, a publish is reported "sent" with confirmed false (never an "ack"), and
// numbers the feed sends as text arrive as numbers.
void tst_Cli::jsonFeedSaysWhatItCannotConfirm()
{
    QWebSocketServer server(QStringLiteral("feed"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QWebSocket *> clients;
    QStringList received;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *s = server.nextPendingConnection()) {
            clients.append(s);
            connect(s, &QWebSocket::textMessageReceived, this, [&](const QString &t) { received.append(t); });
            connect(s, &QWebSocket::disconnected, this, [&clients, s] {
                clients.removeAll(s);
                s->deleteLater();
            });
        }
    });
    QTimer pusher;
    connect(&pusher, &QTimer::timeout, this, [&] {
        for (QWebSocket *s : std::as_const(clients))
            s->sendTextMessage(QStringLiteral(R"({"temp":"21.5","unit":"C"})"));
    });
    pusher.start(20);
    const QString url = QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort());
    const QStringList json{QStringLiteral("--protocol"), QStringLiteral("json"),
                           QStringLiteral("--protocol-config"),
                           QStringLiteral(PULSEBOARD_SOURCE_DIR "/docs/examples/protocols/bare-feed.json")};

    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), url} + json + fastCliFlags());
    QVERIFY(cli.waitForStarted());
    cli.write("publish room {\"heater\":\"on\"}\n");
    cli.closeWriteChannel(); // ends once what it sent has its outcome
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 15000);
    QCOMPARE(cli.exitCode(), 0);
    const auto events = parseJsonLines(cli.readAllStandardOutput());
    const auto states = eventsOf(events, QStringLiteral("state"));
    QVERIFY(!states.isEmpty());
    QCOMPARE(states.first().value(QLatin1StringView("protocol")).toString(), QStringLiteral("json"));
    const QJsonObject caps = states.first().value(QLatin1StringView("capabilities")).toObject();
    QCOMPARE(caps.value(QLatin1StringView("confirmsPublish")).toBool(true), false);
    QCOMPARE(caps.value(QLatin1StringView("resumes")).toBool(true), false);
    QCOMPARE(caps.value(QLatin1StringView("gapsDetectable")).toBool(true), false);
    QCOMPARE(caps.value(QLatin1StringView("heartbeat")).toString(), QStringLiteral("silence"));
    QVERIFY(!states.at(1).contains(QLatin1StringView("capabilities"))); // said once
    QCOMPARE(eventsOf(events, QStringLiteral("ack")).size(), 0);
    const auto sent = eventsOf(events, QStringLiteral("sent"));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().value(QLatin1StringView("confirmed")).toBool(true), false);
    QCOMPARE(sent.first().value(QLatin1StringView("channel")).toString(), QStringLiteral("room"));
    QCOMPARE(sent.first().value(QLatin1StringView("id")),
             eventsOf(events, QStringLiteral("queued")).first().value(QLatin1StringView("id")));
    const auto stats = eventsOf(events, QStringLiteral("stats"));
    QCOMPARE(stats.last().value(QLatin1StringView("unconfirmed")).toInt(), 1);
    QCOMPARE(stats.last().value(QLatin1StringView("acked")).toInt(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 5000);
    QCOMPARE(received.first(), QStringLiteral(R"({"set":{"heater":"on"},"target":"room"})"));

    // Tailing: the feed's text numbers are numbers.
    QProcess tail;
    tail.start(kCli, QStringList{QStringLiteral("--url"), url, QStringLiteral("--subscribe"),
                                 QStringLiteral("room"), QStringLiteral("--count"), QStringLiteral("3")} +
                         json + fastCliFlags());
    QVERIFY(tail.waitForStarted());
    tail.closeWriteChannel();
    QTRY_VERIFY_WITH_TIMEOUT(tail.state() == QProcess::NotRunning, 15000);
    QCOMPARE(tail.exitCode(), 0);
    const auto messages = eventsOf(parseJsonLines(tail.readAllStandardOutput()), QStringLiteral("message"));
    QCOMPARE(messages.size(), 3);
    const QJsonObject data = messages.first().value(QLatin1StringView("data")).toObject();
    QVERIFY(data.value(QLatin1StringView("temp")).isDouble());
    QCOMPARE(data.value(QLatin1StringView("temp")).toDouble(), 21.5);
    QCOMPARE(data.value(QLatin1StringView("unit")).toString(), QStringLiteral("C"));
    QCOMPARE(messages.first().value(QLatin1StringView("channel")).toString(), QStringLiteral("room"));
}

// The reader of the CLI's stdout goes away (`pulseboard-cli ... | head -3`): the next message
// line cannot be written, and the client ends normally instead of tailing on into nothing.
void tst_Cli::endsWhenStdoutIsClosed()
{
    TestServer server;
    QVERIFY(server.listen());
    QStringList args{QStringLiteral("--url"), server.url().toString(), QStringLiteral("--subscribe"),
                     QStringLiteral("sys.cpu")};
    args += fastCliFlags();
    QString command = QStringLiteral("'%1'").arg(kCli);
    for (const QString &a : args)
        command += QStringLiteral(" '%1'").arg(a);
    // head leaves after three lines (connecting, subscribed, open); the CLI's status is the answer.
    QProcess shell;
    shell.start(
        QStringLiteral("bash"),
        {QStringLiteral("-c"), command + QStringLiteral(" | head -n 3 >/dev/null; exit ${PIPESTATUS[0]}")});
    QVERIFY(shell.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(server.framesOfType(MessageType::Subscribe).size(), 1, 10000);
    // Keeps publishing until the CLI is gone: each message is a line it tries to write.
    for (int i = 0; i < 400 && shell.state() != QProcess::NotRunning; ++i) {
        server.publish(QStringLiteral("sys.cpu"), QJsonObject{{QLatin1StringView("i"), i}});
        QTest::qWait(25);
    }
    QTRY_VERIFY_WITH_TIMEOUT(shell.state() == QProcess::NotRunning, 10000);
    QCOMPARE(shell.exitStatus(), QProcess::NormalExit);
    QCOMPARE(shell.exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
