// wss:// end to end with certificates made at test time by openssl: a private CA, a server
// certificate it signed for 127.0.0.1, one it signed for another host, and a self-signed one.
// Trusted through the configured CA file it works; untrusted or for the wrong host it is refused
// with a clear error, never silently downgraded; --insecure connects and says so loudly.
// Also through pulseboard-cli (--ca-file, --insecure), the way a user runs it.
#include "client/ConnectionManager.h"
#include "protocol/CloseCode.h"
#include "support/TestServer.h"
#include "support/TestUtils.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace Pulseboard::Test;
using namespace Qt::StringLiterals;

class tst_Tls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trustedThroughCaFile();
    void refused_data();
    void refused();
    void unreadableCaFileFailsAtOnce_data();
    void unreadableCaFileFailsAtOnce();
    void insecureConnectsAndSaysSo();
    void cliWithCaFile();
    void cliRefusesUntrusted();

private:
    bool openssl(const QStringList &args);
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QSslConfiguration serverTls(const QString &certName, const QString &keyName) const;
    ConnectionOptions options(const QUrl &url) const;

    QTemporaryDir m_dir;
    QString m_openssl;
};

bool tst_Tls::openssl(const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.start(m_openssl, args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("openssl %s failed: %s", qPrintable(args.join(u' ')), p.readAllStandardError().constData());
        return false;
    }
    return true;
}

void tst_Tls::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_openssl = QStandardPaths::findExecutable(u"openssl"_s);
    QVERIFY2(!m_openssl.isEmpty(), "openssl is needed (scripts/deps.sh installs it)");
    const QStringList ec{u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                         u"-nodes"_s};

    // A private CA.
    QVERIFY(
        openssl(QStringList{u"req"_s, u"-x509"_s} + ec +
                QStringList{u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.pem"_s, u"-days"_s, u"2"_s, u"-subj"_s,
                            u"/CN=Pulseboard Test CA"_s, u"-addext"_s, u"basicConstraints=critical,CA:TRUE"_s,
                            u"-addext"_s, u"keyUsage=critical,keyCertSign,cRLSign"_s}));
    // Server certificates it signs: one for 127.0.0.1, one for another host.
    const QList<std::pair<QString, QString>> leaves{{u"server"_s, u"subjectAltName=IP:127.0.0.1"_s},
                                                    {u"wronghost"_s, u"subjectAltName=DNS:wrong.example"_s}};
    for (const auto &[name, san] : leaves) {
        QFile ext(path(name + u".ext"_s));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write((san + u"\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"_s).toUtf8());
        ext.close();
        QVERIFY(openssl(QStringList{u"req"_s} + ec +
                        QStringList{u"-keyout"_s, name + u".key"_s, u"-out"_s, name + u".csr"_s, u"-subj"_s,
                                    u"/CN=%1"_s.arg(name)}));
        QVERIFY(openssl({u"x509"_s, u"-req"_s, u"-in"_s, name + u".csr"_s, u"-CA"_s, u"ca.pem"_s, u"-CAkey"_s,
                         u"ca.key"_s, u"-CAcreateserial"_s, u"-out"_s, name + u".pem"_s, u"-days"_s, u"2"_s,
                         u"-extfile"_s, name + u".ext"_s}));
    }
    // Self-signed for the right address, but trusted by nobody.
    QVERIFY(
        openssl(QStringList{u"req"_s, u"-x509"_s} + ec +
                QStringList{u"-keyout"_s, u"self.key"_s, u"-out"_s, u"self.pem"_s, u"-days"_s, u"2"_s,
                            u"-subj"_s, u"/CN=127.0.0.1"_s, u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s}));
    QFile junk(path(u"junk.pem"_s));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("this is not a certificate\n");
}

QSslConfiguration tst_Tls::serverTls(const QString &certName, const QString &keyName) const
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    QFile cert(path(certName));
    QFile key(path(keyName));
    if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
        return tls;
    tls.setLocalCertificate(QSslCertificate(cert.readAll(), QSsl::Pem));
    tls.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec, QSsl::Pem));
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // no client certificates
    return tls;
}

ConnectionOptions tst_Tls::options(const QUrl &url) const
{
    ConnectionOptions o;
    o.endpoints = {url};
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 50;
    o.maxRetries = 2;
    o.connectTimeoutMs = 5000;
    return o;
}

void tst_Tls::trustedThroughCaFile()
{
    TestServer server(serverTls(u"server.pem"_s, u"server.key"_s));
    QVERIFY(server.listen());
    QCOMPARE(server.url().scheme(), u"wss"_s);
    ConnectionOptions o = options(server.url());
    o.caCertificatesFile = path(u"ca.pem"_s);
    ConnectionManager cm;
    cm.setOptions(o);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QSignalSpy messages(&cm, &ConnectionManager::messageReceived);
    cm.subscribe(u"c"_s);
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    server.publish(u"c"_s, u"over tls"_s);
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.first().at(3).toJsonValue().toString(), u"over tls"_s);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(server.connectionCount(), 1);
}

void tst_Tls::refused_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("withCaFile");
    QTest::addColumn<QString>("expected"); // in the TLS error words
    QTest::newRow("signed by our CA, CA not configured")
        << u"server.pem"_s << u"server.key"_s << false << u"issuer"_s;
    QTest::newRow("self-signed") << u"self.pem"_s << u"self.key"_s << true << u"self-signed"_s;
    QTest::newRow("trusted CA, wrong host")
        << u"wronghost.pem"_s << u"wronghost.key"_s << true << u"host name"_s;
}

void tst_Tls::refused()
{
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(bool, withCaFile);
    QFETCH(QString, expected);
    TestServer server(serverTls(cert, key));
    QVERIFY(server.listen());
    ConnectionOptions o = options(server.url());
    if (withCaFile)
        o.caCertificatesFile = path(u"ca.pem"_s);
    ConnectionManager cm;
    cm.setOptions(o);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QList<ConnectionManager::State> states;
    QList<QUrl> urls;
    connect(&cm, &ConnectionManager::stateChanged, this, [&](ConnectionManager::State s) {
        states.append(s);
        urls.append(cm.url());
    });
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Failed, 15000);

    // Every attempt was refused with words a person can act on ...
    QCOMPARE(errors.count(), o.maxRetries + 1);
    for (const QList<QVariant> &e : std::as_const(errors)) {
        QCOMPARE(e.at(0).toInt(), CloseCode::Policy);
        const QString message = e.at(1).toString();
        QVERIFY2(message.startsWith(u"TLS: "_s), qPrintable(message));
        QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
    }
    QVERIFY(!cm.errorString().isEmpty());
    qInfo("refused: %s | final: %s", qPrintable(errors.first().at(1).toString()),
          qPrintable(cm.errorString()));
    // ... and nothing fell back: never open, never another scheme, no session at the server.
    QVERIFY(!states.contains(ConnectionManager::Open));
    QVERIFY(!states.contains(ConnectionManager::Authenticating));
    for (const QUrl &url : std::as_const(urls))
        QCOMPARE(url.scheme(), u"wss"_s);
    QCOMPARE(server.connectionCount(), 0);
}

void tst_Tls::unreadableCaFileFailsAtOnce_data()
{
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing file") << u"/nonexistent/ca.pem"_s << u"cannot read CA file"_s;
    QTest::newRow("not PEM") << u"junk.pem"_s << u"no PEM certificate"_s;
}

void tst_Tls::unreadableCaFileFailsAtOnce()
{
    QFETCH(QString, caFile);
    QFETCH(QString, expected);
    TestServer server(serverTls(u"server.pem"_s, u"server.key"_s));
    QVERIFY(server.listen());
    ConnectionOptions o = options(server.url());
    o.caCertificatesFile = caFile.startsWith(u'/') ? caFile : path(caFile);
    ConnectionManager cm;
    cm.setOptions(o);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"failed: .*"_s + expected));
    cm.open();
    QCOMPARE(cm.state(), ConnectionManager::Failed);
    QVERIFY2(cm.errorString().contains(expected), qPrintable(cm.errorString()));
    QTest::qWait(200);
    QCOMPARE(cm.state(), ConnectionManager::Failed);
    QCOMPARE(server.connectionCount(), 0);
}

void tst_Tls::insecureConnectsAndSaysSo()
{
    TestServer server(serverTls(u"self.pem"_s, u"self.key"_s));
    QVERIFY(server.listen());
    ConnectionOptions o = options(server.url());
    o.insecure = true;
    ConnectionManager cm;
    cm.setOptions(o);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    // The test fails if this warning is not printed.
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"INSECURE: TLS certificate verification is OFF"_s));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(server.connectionCount(), 1);
}

void tst_Tls::cliWithCaFile()
{
    TestServer server(serverTls(u"server.pem"_s, u"server.key"_s));
    QVERIFY(server.listen());
    QProcess cli;
    cli.start(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli"),
              {u"--url"_s, server.url().toString(), u"--ca-file"_s, path(u"ca.pem"_s), u"--subscribe"_s,
               u"c"_s, u"--count"_s, u"1"_s, u"--duration"_s, u"20"_s});
    QVERIFY(cli.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 1, 10000);
    QTRY_VERIFY(!server.framesOfType(MessageType::Subscribe).isEmpty());
    server.publish(u"c"_s, 42);
    QTRY_COMPARE_WITH_TIMEOUT(cli.state(), QProcess::NotRunning, 10000);
    QCOMPARE(cli.exitCode(), 0);
    const QList<QJsonObject> events = TestUtils::parseJsonLines(cli.readAllStandardOutput());
    const QList<QJsonObject> messages = TestUtils::eventsOf(events, u"message"_s);
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().value(u"data"_s).toInt(), 42);
    QVERIFY(TestUtils::eventsOf(events, u"error"_s).isEmpty());
}

void tst_Tls::cliRefusesUntrusted()
{
    TestServer server(serverTls(u"self.pem"_s, u"self.key"_s));
    QVERIFY(server.listen());
    QProcess cli;
    cli.start(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli"),
              {u"--url"_s, server.url().toString(), u"--max-retries"_s, u"1"_s, u"--backoff-initial"_s,
               u"20"_s, u"--backoff-max"_s, u"50"_s, u"--duration"_s, u"20"_s});
    QVERIFY(cli.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(cli.state(), QProcess::NotRunning, 15000);
    QCOMPARE(cli.exitCode(), 3); // failed
    const QList<QJsonObject> events = TestUtils::parseJsonLines(cli.readAllStandardOutput());
    const QList<QJsonObject> errors = TestUtils::eventsOf(events, u"error"_s);
    QVERIFY(!errors.isEmpty());
    QCOMPARE(errors.first().value(u"code"_s).toInt(), CloseCode::Policy);
    QVERIFY2(errors.first().value(u"message"_s).toString().contains(u"self-signed"_s, Qt::CaseInsensitive),
             qPrintable(errors.first().value(u"message"_s).toString()));
    const QList<QJsonObject> states = TestUtils::eventsOf(events, u"state"_s);
    QVERIFY(!states.isEmpty());
    QStringList names;
    for (const QJsonObject &s : states)
        names.append(s.value(u"state"_s).toString());
    QVERIFY2(names.contains(u"failed"_s), qPrintable(names.join(u' ')));
    for (const QJsonObject &s : states)
        QVERIFY(s.value(u"state"_s).toString() != u"open"_s);
    QCOMPARE(server.connectionCount(), 0);
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
