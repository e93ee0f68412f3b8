// The `pulseboard-hub` binary as operators run it: the first stdout line names the URL, SIGTERM
// closes every client with 1001 and exits 0, bad flags exit 2 with a reason, a start failure
// exits 1, and --mint-token prints a token the hub accepts. Also wss:// with --cert/--key.
#include "HubProbe.h"
#include "hub/HubServer.h"
#include "hub/TokenAuth.h"
#include "protocol/CloseCode.h"
#include "support/TestUtils.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Pulseboard;
using namespace HubTest;

namespace {

const QString kHub = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-hub");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// `env`: NAME=VALUE set for this run only.
Run runHub(const QStringList &args, const QStringList &env = QStringList())
{
    QProcess p;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("PULSEBOARD_TOKEN_SECRET"));
    for (const QString &entry : env)
        environment.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
    p.setProcessEnvironment(environment);
    p.start(kHub, args);
    p.waitForFinished(10000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

} // namespace

class tst_HubProcess : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sigtermClosesClients1001AndExitsZero();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void startFailureExitsOne();
    void mintedTokenIsAccepted();
    void tlsServesWss();
};

void tst_HubProcess::sigtermClosesClients1001AndExitsZero()
{
    QProcess hub;
    hub.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    hub.start(kHub, {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--no-feeds"),
                     QStringLiteral("--health-port"), QStringLiteral("0")});
    const QUrl url = TestUtils::readListeningUrl(hub);
    QVERIFY2(url.isValid() && url.scheme() == QLatin1StringView("ws") && url.port() > 0,
             qPrintable(url.toString()));
    QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
    QElapsedTimer timer;
    timer.start();
    while (!hub.canReadLine() && timer.elapsed() < 5000)
        hub.waitForReadyRead(100);
    QVERIFY(hub.readLine().startsWith("health on http://127.0.0.1:"));

    ProtocolProbe a, b;
    QVERIFY(a.open(url));
    QVERIFY(b.open(url));
    bool ok = false;
    a.waitFor(MessageType::Pong, a.ping(1), &ok);
    QVERIFY(ok);
    ::kill(pid_t(hub.processId()), SIGTERM);
    QVERIFY(a.waitClosed());
    QVERIFY(b.waitClosed());
    QCOMPARE(a.closeCode(), CloseCode::GoingAway);
    QCOMPARE(b.closeCode(), CloseCode::GoingAway);
    // It may have finished while the probes were waiting on the event loop.
    QVERIFY(hub.state() == QProcess::NotRunning || hub.waitForFinished(10000));
    QCOMPARE(hub.exitStatus(), QProcess::NormalExit);
    QCOMPARE(hub.exitCode(), 0);
}

void tst_HubProcess::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QStringList>("env");
    QTest::newRow("port") << QStringList{QStringLiteral("--port"), QStringLiteral("http")}
                          << QStringLiteral("--port") << QStringList();
    QTest::newRow("feed") << QStringList{QStringLiteral("--feeds"), QStringLiteral("sys.cpu,nope")}
                          << QStringLiteral("nope") << QStringList();
    QTest::newRow("contradiction") << QStringList{QStringLiteral("--no-feeds"), QStringLiteral("--feeds"),
                                                  QStringLiteral("sys.cpu")}
                                   << QStringLiteral("contradict") << QStringList();
    QTest::newRow("host") << QStringList{QStringLiteral("--host"), QStringLiteral("example")}
                          << QStringLiteral("--host") << QStringList();
    QTest::newRow("redis") << QStringList{QStringLiteral("--redis"), QStringLiteral("http://x")}
                           << QStringLiteral("redis://") << QStringList();
    QTest::newRow("cert alone") << QStringList{QStringLiteral("--cert"), QStringLiteral("c.pem")}
                                << QStringLiteral("--key") << QStringList();
    QTest::newRow("mint without secret") << QStringList{QStringLiteral("--mint-token"), QStringLiteral("ops")}
                                         << QStringLiteral("secret") << QStringList();
    QTest::newRow("short secret") << QStringList{QStringLiteral("--token-secret"), QStringLiteral("short")}
                                  << QStringLiteral("16 bytes") << QStringList();
    QTest::newRow("origin") << QStringList{QStringLiteral("--allow-origin"),
                                           QStringLiteral("ops.example.com")}
                            << QStringLiteral("scheme://host") << QStringList();
    QTest::newRow("wave rate") << QStringList{QStringLiteral("--wave-hz"), QStringLiteral("100000")}
                               << QStringLiteral("--wave-hz") << QStringList();
    QTest::newRow("positional") << QStringList{QStringLiteral("extra")} << QStringLiteral("unexpected")
                                << QStringList();
    // The secret from the environment has the flags' rules: set but empty is no open hub.
    QTest::newRow("env secret empty") << QStringList() << QStringLiteral("set but empty")
                                      << QStringList{QStringLiteral("PULSEBOARD_TOKEN_SECRET=")};
    QTest::newRow("env secret short") << QStringList() << QStringLiteral("at least 16 bytes")
                                      << QStringList{QStringLiteral("PULSEBOARD_TOKEN_SECRET=tooshort")};
    QTest::newRow("publish without mint") << QStringList{QStringLiteral("--publish"), QStringLiteral("ops.*")}
                                          << QStringLiteral("only goes with --mint-token") << QStringList();
}

void tst_HubProcess::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QFETCH(QStringList, env);
    const Run r = runHub(args, env);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void tst_HubProcess::startFailureExitsOne()
{
    const Run r = runHub({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--no-feeds"),
                          QStringLiteral("--tokens-file"), QStringLiteral("/nonexistent/tokens")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("tokens file"), r.err.constData());
    QVERIFY(!r.out.contains("listening on"));
}

void tst_HubProcess::mintedTokenIsAccepted()
{
    const QString secret = QStringLiteral("a-long-enough-test-secret");
    const Run mint =
        runHub({QStringLiteral("--mint-token"), QStringLiteral("console"), QStringLiteral("--ttl"),
                QStringLiteral("120"), QStringLiteral("--token-secret"), secret});
    QCOMPARE(mint.exitCode, 0);
    const QString token = QString::fromUtf8(mint.out.trimmed());
    QVERIFY(token.startsWith(QLatin1StringView("pb1.")));
    TokenAuth auth;
    auth.setSecret(secret.toUtf8());
    const TokenAuth::Verdict v = auth.verify(token, QDateTime::currentSecsSinceEpoch());
    QVERIFY2(v.ok, qPrintable(v.reason));
    QCOMPARE(v.subject, QStringLiteral("sub:console"));
    QVERIFY(!auth.verify(token, QDateTime::currentSecsSinceEpoch() + 121).ok);
    QVERIFY(!v.publish.restricted && !v.subscribe.restricted);

    // With channel patterns, from the environment's secret.
    const Run scoped =
        runHub({QStringLiteral("--mint-token"), QStringLiteral("bot"), QStringLiteral("--publish"),
                QStringLiteral("ops.*"), QStringLiteral("--subscribe"), QStringLiteral("*")},
               {QStringLiteral("PULSEBOARD_TOKEN_SECRET=") + secret});
    QCOMPARE(scoped.exitCode, 0);
    const TokenAuth::Verdict sv =
        auth.verify(QString::fromUtf8(scoped.out.trimmed()), QDateTime::currentSecsSinceEpoch());
    QVERIFY2(sv.ok, qPrintable(sv.reason));
    QCOMPARE(sv.publish.patterns, QStringList{QStringLiteral("ops.*")});
    QVERIFY(sv.publish.allows(QStringLiteral("ops.deploy")) && !sv.publish.allows(QStringLiteral("x")));
    QVERIFY(sv.subscribe.allows(QStringLiteral("x")));

    // The same secret from a file, as operators should pass it; the hub then requires the token.
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("secret")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(secret.toUtf8() + '\n');
    file.close();
    QProcess hub;
    hub.start(kHub, {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--no-feeds"),
                     QStringLiteral("--token-secret-file"), file.fileName()});
    const QUrl url = TestUtils::readListeningUrl(hub);
    QVERIFY(url.isValid());
    ProtocolProbe good, bad;
    QVERIFY(good.open(url));
    QVERIFY(bad.open(url));
    bool ok = false;
    good.waitFor(MessageType::Ack, good.auth(token), &ok);
    QVERIFY(ok);
    bad.auth(token + QStringLiteral("x"));
    QVERIFY(bad.waitClosed());
    QCOMPARE(bad.closeCode(), CloseCode::Unauthorized);
    hub.terminate();
    QVERIFY(hub.waitForFinished(10000));
    QCOMPARE(hub.exitCode(), 0);
}

void tst_HubProcess::tlsServesWss()
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty())
        QSKIP("openssl not installed (scripts/deps.sh installs it): cannot make a test certificate");
    QTemporaryDir dir;
    const QString cert = dir.filePath(QStringLiteral("cert.pem"));
    const QString key = dir.filePath(QStringLiteral("key.pem"));
    QProcess gen;
    gen.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                        QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                        QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                        QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert, QStringLiteral("-days"),
                        QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                        QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
    QVERIFY(gen.waitForFinished(30000));
    QCOMPARE(gen.exitCode(), 0);

    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.certFile = cert;
    o.keyFile = key;
    HubServer hub(o);
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));
    QCOMPARE(hub.url().scheme(), QStringLiteral("wss"));

    ProtocolProbe probe;
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromPath(cert));
    probe.socket().setSslConfiguration(tls);
    QVERIFY(probe.open(hub.url(), 10000));
    bool ok = false;
    probe.waitFor(MessageType::Pong, probe.ping(42), &ok);
    QVERIFY(ok);

    // A plain ws:// client gets no session on the wss port.
    QUrl plain = hub.url();
    plain.setScheme(QStringLiteral("ws"));
    ProtocolProbe wrong;
    QVERIFY(!wrong.open(plain, 2000));

    HubOptions broken = o;
    broken.keyFile = cert; // a certificate is no key
    HubServer bad(broken);
    QVERIFY(!bad.start(&error));
    QVERIFY2(error.contains(QStringLiteral("private key")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_HubProcess)
#include "tst_hubprocess.moc"
