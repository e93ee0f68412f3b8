// The connection flags shared by the dashboard and the CLI: values land in ConnectionOptions,
// bad values are refused with words that name the flag.
#include "client/CommandLineOptions.h"

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

QTEST_GUILESS_MAIN(tst_CommandLineOptions)
#include "tst_commandlineoptions.moc"
