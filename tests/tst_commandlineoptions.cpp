// The connection flags shared by the dashboard and the CLI: values land in ConnectionOptions,
// bad values are refused with words that name the flag.
#include "client/CommandLineOptions.h"

#include "client/DialectFactory.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;

class tst_CommandLineOptions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsEveryFlag();
    void tokenFromEnvironment();
    void refusesBadValues_data();
    void refusesBadValues();
    void protocolAndItsConfig();
    void unknownProtocolListsTheKnownOnes();
    void badProtocolConfigFile_data();
    void badProtocolConfigFile();
};

namespace {
bool parse(const QStringList &args, ConnectionOptions &o, QStringList &channels, QString &error)
{
    QCommandLineParser parser;
    ConnectionCommandLine flags;
    flags.addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("prog")} + args)) {
        error = parser.errorText();
        return false;
    }
    return flags.read(parser, o, channels, error);
}
} // namespace

void tst_CommandLineOptions::readsEveryFlag()
{
    ConnectionOptions o;
    QStringList channels;
    QString error;
    const QStringList args{QStringLiteral("--url"),
                           QStringLiteral("ws://a:1/x"),
                           QStringLiteral("--url"),
                           QStringLiteral("wss://b:2/"),
                           QStringLiteral("--token"),
                           QStringLiteral("t"),
                           QStringLiteral("--subscribe"),
                           QStringLiteral("c1"),
                           QStringLiteral("--subscribe"),
                           QStringLiteral("c2"),
                           QStringLiteral("--heartbeat-interval"),
                           QStringLiteral("11"),
                           QStringLiteral("--heartbeat-timeout"),
                           QStringLiteral("12"),
                           QStringLiteral("--connect-timeout"),
                           QStringLiteral("13"),
                           QStringLiteral("--backoff-initial"),
                           QStringLiteral("14"),
                           QStringLiteral("--backoff-max"),
                           QStringLiteral("15"),
                           QStringLiteral("--max-retries"),
                           QStringLiteral("0"),
                           QStringLiteral("--queue-limit"),
                           QStringLiteral("16"),
                           QStringLiteral("--queue-bytes"),
                           QStringLiteral("17"),
                           QStringLiteral("--drop-oldest"),
                           QStringLiteral("--request-timeout"),
                           QStringLiteral("18"),
                           QStringLiteral("--queue-file"),
                           QStringLiteral("/tmp/q"),
                           QStringLiteral("--ca-file"),
                           QStringLiteral("/tmp/ca.pem"),
                           QStringLiteral("--insecure"),
                           QStringLiteral("--origin"),
                           QStringLiteral("https://ops.example")};
    QVERIFY2(parse(args, o, channels, error), qPrintable(error));
    QCOMPARE(o.endpoints,
             (QList<QUrl>{QUrl(QStringLiteral("ws://a:1/x")), QUrl(QStringLiteral("wss://b:2/"))}));
    QCOMPARE(o.token, QStringLiteral("t"));
    QCOMPARE(channels, (QStringList{QStringLiteral("c1"), QStringLiteral("c2")}));
    QCOMPARE(o.heartbeatIntervalMs, 11);
    QCOMPARE(o.heartbeatTimeoutMs, 12);
    QCOMPARE(o.connectTimeoutMs, 13);
    QCOMPARE(o.backoff.initialMs, 14);
    QCOMPARE(o.backoff.maxMs, 15);
    QCOMPARE(o.maxRetries, 0);
    QCOMPARE(o.queue.maxCount, 16);
    QCOMPARE(o.queue.maxBytes, 17);
    QCOMPARE(o.queue.overflow, Outbox::Overflow::DropOldest);
    QCOMPARE(o.requestTimeoutMs, 18);
    QCOMPARE(o.queueFile, QStringLiteral("/tmp/q"));
    QCOMPARE(o.caCertificatesFile, QStringLiteral("/tmp/ca.pem"));
    QVERIFY(o.insecure);
    QCOMPARE(o.origin, QStringLiteral("https://ops.example"));
}

void tst_CommandLineOptions::tokenFromEnvironment()
{
    qputenv("PULSEBOARD_TOKEN", "from-env");
    ConnectionOptions o;
    QStringList channels;
    QString error;
    QVERIFY(parse({}, o, channels, error));
    QCOMPARE(o.token, QStringLiteral("from-env"));
    QVERIFY(parse({QStringLiteral("--token"), QStringLiteral("flag-wins")}, o, channels, error));
    QCOMPARE(o.token, QStringLiteral("flag-wins"));
    qunsetenv("PULSEBOARD_TOKEN");
}

void tst_CommandLineOptions::refusesBadValues_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("http") << QStringList{QStringLiteral("--url"), QStringLiteral("http://x/")}
                          << QStringLiteral("--url");
    QTest::newRow("no host") << QStringList{QStringLiteral("--url"), QStringLiteral("ws:///x")}
                             << QStringLiteral("--url");
    QTest::newRow("negative") << QStringList{QStringLiteral("--max-retries"), QStringLiteral("-1")}
                              << QStringLiteral("--max-retries");
    QTest::newRow("zero interval") << QStringList{QStringLiteral("--heartbeat-interval"), QStringLiteral("0")}
                                   << QStringLiteral("--heartbeat-interval");
    QTest::newRow("words") << QStringList{QStringLiteral("--queue-limit"), QStringLiteral("lots")}
                           << QStringLiteral("--queue-limit");
    QTest::newRow("max below initial")
        << QStringList{QStringLiteral("--backoff-initial"), QStringLiteral("500"),
                       QStringLiteral("--backoff-max"), QStringLiteral("100")}
        << QStringLiteral("--backoff-max");
}

void tst_CommandLineOptions::refusesBadValues()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    ConnectionOptions o;
    QStringList channels;
    QString error;
    QVERIFY(!parse(args, o, channels, error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

void tst_CommandLineOptions::protocolAndItsConfig()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("p.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"subscribe": {"frame": {"op": "sub", "ch": "{channel}"}}, "n": 3})");
    f.close();

    ConnectionOptions o;
    QStringList channels;
    QString error;
    QVERIFY2(parse({}, o, channels, error), qPrintable(error));
    QCOMPARE(o.protocol, QStringLiteral("pulseboard")); // the default
    QVERIFY(o.protocolConfig.isEmpty());

    ConnectionOptions p;
    QVERIFY2(parse({QStringLiteral("--protocol"), QStringLiteral("pulseboard"),
                    QStringLiteral("--protocol-config"), path, QStringLiteral("--mqtt-username"),
                    QStringLiteral("ops")},
                   p, channels, error),
             qPrintable(error));
    QCOMPARE(p.protocol, QStringLiteral("pulseboard"));
    QCOMPARE(p.protocolConfig.value(QStringLiteral("n")).toInt(), 3);
    QCOMPARE(p.protocolConfig.value(QStringLiteral("subscribe"))
                 .toObject()
                 .value(QStringLiteral("frame"))
                 .toObject()
                 .value(QStringLiteral("ch"))
                 .toString(),
             QStringLiteral("{channel}"));
    // --mqtt-username is the "username" setting, over what the file says.
    QCOMPARE(p.protocolConfig.value(QStringLiteral("username")).toString(), QStringLiteral("ops"));
    ConnectionOptions q;
    QVERIFY(!parse({QStringLiteral("--mqtt-username"), QString()}, q, channels, error));
    QVERIFY2(error.contains(QStringLiteral("--mqtt-username")), qPrintable(error));
}

void tst_CommandLineOptions::unknownProtocolListsTheKnownOnes()
{
    ConnectionOptions o;
    QStringList channels;
    QString error;
    QVERIFY(!parse({QStringLiteral("--protocol"), QStringLiteral("amqp")}, o, channels, error));
    QVERIFY2(error.contains(QStringLiteral("unknown protocol 'amqp'")), qPrintable(error));
    for (const QString &name : knownProtocols())
        QVERIFY2(error.contains(name), qPrintable(error));
    QVERIFY(knownProtocols().contains(QStringLiteral("pulseboard")));
}

void tst_CommandLineOptions::badProtocolConfigFile_data()
{
    QTest::addColumn<QByteArray>("content"); // null: no file at all
    QTest::addColumn<QString>("mentions");
    QTest::newRow("missing") << QByteArray() << QStringLiteral("cannot read it");
    QTest::newRow("bad json") << QByteArray("{\n  \"a\": 1,\n  \"b\" 2\n}")
                              << QStringLiteral("line 3, column");
    QTest::newRow("array") << QByteArray("[1, 2]") << QStringLiteral("must be a JSON object");
    QTest::newRow("number") << QByteArray("42") << QStringLiteral("not valid JSON");
    QTest::newRow("empty") << QByteArray("") << QStringLiteral("not valid JSON");
}

void tst_CommandLineOptions::badProtocolConfigFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, mentions);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("settings.json"));
    if (!content.isNull()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    ConnectionOptions o;
    QStringList channels;
    QString error;
    QVERIFY(!parse({QStringLiteral("--protocol-config"), path}, o, channels, error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error)); // names the file
    QVERIFY2(error.startsWith(QStringLiteral("--protocol-config")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_CommandLineOptions)
#include "tst_commandlineoptions.moc"
