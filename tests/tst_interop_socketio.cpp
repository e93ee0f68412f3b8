// ConnectionManager with protocol "socketio" against the real Socket.IO 4 server from npm
// (tests/interop/socketio/server.js, connection state recovery on, installed from its lockfile by
// scripts/interop-deps.sh), through a FaultProxy, with the settings of docs/examples/socketio.json:
// tail, publish acked (and refused), a wrong token refused, a cut link recovered without a hole,
// the server killed and restarted (recovery impossible: a not_recovered gap, then live again),
// publishes made offline delivered once each in order, and a half-open link caught by the
// server's ping deadline (pingInterval + pingTimeout). Skipped only when Node.js is missing.
#include "client/ConnectionManager.h"
#include "support/FaultProxy.h"
#include "support/TestUtils.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Pulseboard;
using Pulseboard::Test::FaultProxy;

namespace {

const QString kDir = QStringLiteral(PULSEBOARD_SOURCE_DIR "/tests/interop/socketio");
constexpr int kPingIntervalMs = 100;
constexpr int kPingTimeoutMs = 100;
constexpr int kTickMs = 20;

// The real server as a child process; its port is what it prints.
class SocketIoServer
{
public:
    ~SocketIoServer() { stop(); }

    static QString node() { return QStandardPaths::findExecutable(QStringLiteral("node")); }

    bool start(quint16 port, const QStringList &extra, QString *error)
    {
        m_process.setWorkingDirectory(kDir);
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        QStringList args{QStringLiteral("server.js"),
                         QStringLiteral("--port"),
                         QString::number(port),
                         QStringLiteral("--ping-interval"),
                         QString::number(kPingIntervalMs),
                         QStringLiteral("--ping-timeout"),
                         QString::number(kPingTimeoutMs),
                         QStringLiteral("--tick-ms"),
                         QString::number(kTickMs)};
        m_process.start(node(), args + extra);
        if (!m_process.waitForStarted(10000)) {
            *error = QStringLiteral("node did not start: %1").arg(m_process.errorString());
            return false;
        }
        QElapsedTimer t;
        t.start();
        while (!m_process.canReadLine() && t.elapsed() < 15000) {
            if (m_process.state() != QProcess::Running)
                break;
            m_process.waitForReadyRead(200);
        }
        const QByteArray line = m_process.readLine().trimmed();
        bool ok = false;
        m_port = quint16(line.toUInt(&ok));
        if (!ok || m_port == 0) {
            *error = QStringLiteral("the server printed no port: %1 %2")
                         .arg(QString::fromUtf8(line), QString::fromUtf8(m_process.readAllStandardError()));
            return false;
        }
        return true;
    }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill(); // SIGKILL: the server gets no chance to say goodbye
        m_process.waitForFinished(5000);
    }
    quint16 port() const { return m_port; }

private:
    QProcess m_process;
    quint16 m_port = 0;
};

QJsonObject exampleSettings()
{
    QFile f(QStringLiteral(PULSEBOARD_SOURCE_DIR "/docs/examples/socketio.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// What a manager received, by channel.
struct Recorder
{
    QList<int> ticks;       // ticker's n, in order of arrival
    QList<QJsonValue> chat; // chat's data
    QList<qint64> chatSeqs;
    QList<QStringList> gaps; // channel, from, to, reason
    void attach(ConnectionManager &cm, QObject *context)
    {
        QObject::connect(&cm, &ConnectionManager::messageReceived, context,
                         [this](const QString &channel, qint64 seq, qint64, const QJsonValue &data) {
                             if (channel == QLatin1StringView("ticker"))
                                 ticks.append(data.toObject().value(QLatin1StringView("n")).toInt());
                             else if (channel == QLatin1StringView("chat")) {
                                 chat.append(data);
                                 chatSeqs.append(seq);
                             }
                         });
        QObject::connect(&cm, &ConnectionManager::gapDetected, context,
                         [this](const QString &channel, qint64 from, qint64 to, const QString &reason) {
                             gaps.append({channel, QString::number(from), QString::number(to), reason});
                         });
    }
};

// Consecutive from first to last: no hole and no repeat.
QString holesIn(const QList<int> &ns)
{
    for (int i = 1; i < ns.size(); ++i)
        if (ns.at(i) != ns.at(i - 1) + 1)
            return QStringLiteral("after %1 came %2 (index %3 of %4)")
                .arg(ns.at(i - 1))
                .arg(ns.at(i))
                .arg(i)
                .arg(ns.size());
    return QString();
}

} // namespace

class tst_InteropSocketIo : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void tailsAndPublishes();
    void wrongTokenIsRefused();
    void cutLinkRecoversWithoutAHole();
    void killedServerIsANotRecoveredGapThenLive();
    void offlinePublishesDeliveredOnceInOrder();
    void halfOpenLinkCaughtByThePingDeadline();

private:
    ConnectionOptions options(const QUrl &url) const
    {
        ConnectionOptions o;
        o.endpoints = {url};
        o.protocol = QStringLiteral("socketio");
        o.protocolConfig = exampleSettings();
        o.token = QStringLiteral("secret");
        o.connectTimeoutMs = 3000;
        o.backoff.initialMs = 50;
        o.backoff.maxMs = 200;
        o.maxRetries = 0;
        o.ackTimeoutMs = 3000;
        return o;
    }
};

void tst_InteropSocketIo::initTestCase()
{
    if (SocketIoServer::node().isEmpty())
        QSKIP("Node.js is not installed (scripts/interop-deps.sh installs it with the server)");
    QVERIFY2(QFile::exists(kDir + QStringLiteral("/node_modules/socket.io/package.json")),
             "tests/interop/socketio/node_modules is missing: run scripts/interop-deps.sh");
    QVERIFY2(!exampleSettings().isEmpty(), "docs/examples/socketio.json is missing or not an object");
}

void tst_InteropSocketIo::tailsAndPublishes()
{
    SocketIoServer server;
    QString error;
    QVERIFY2(server.start(0, {QStringLiteral("--token"), QStringLiteral("secret")}, &error),
             qPrintable(error));
    ConnectionManager cm;
    cm.setOptions(options(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.port()))));
    Recorder rec;
    rec.attach(cm, this);
    QSignalSpy acked(&cm, &ConnectionManager::acked);
    QSignalSpy failed(&cm, &ConnectionManager::publishFailed);
    QSignalSpy errors(&cm, &ConnectionManager::errorOccurred);
    QSignalSpy welcome(&cm, &ConnectionManager::welcomeReceived);
    cm.subscribe(QStringLiteral("ticker"));
    cm.subscribe(QStringLiteral("chat"));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    QCOMPARE(welcome.size(), 1);
    QCOMPARE(welcome.at(0).at(2).toLongLong(), kPingIntervalMs);
    QTRY_VERIFY_WITH_TIMEOUT(rec.ticks.size() >= 10, 10000);
    QVERIFY2(holesIn(rec.ticks).isEmpty(), qPrintable(holesIn(rec.ticks)));
    // A publish is an emit the server acks with the seq it gave; it comes back on the channel.
    const QString id = cm.publish(QStringLiteral("chat"), QJsonObject{{QStringLiteral("m"), 1}});
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 10000);
    QCOMPARE(acked.at(0).at(0).toString(), id);
    QCOMPARE(acked.at(0).at(2).toLongLong(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(rec.chat.size(), 1, 10000);
    QCOMPARE(rec.chat.at(0).toObject().value(QStringLiteral("m")).toInt(), 1);
    QCOMPARE(rec.chatSeqs.at(0), 1);
    // Refused in its ack: failed with the server's words, not acked.
    cm.publish(QStringLiteral("forbidden"), 2);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    QVERIFY2(failed.at(0).at(2).toString().contains(QLatin1StringView("not allowed")),
             qPrintable(failed.at(0).at(2).toString()));
    QCOMPARE(acked.size(), 1);
    // A request is an emit answered by its ack.
    QSignalSpy responses(&cm, &ConnectionManager::responseReceived);
    cm.request(QStringLiteral("echo"), QJsonObject{{QStringLiteral("q"), 42}});
    QTRY_COMPARE_WITH_TIMEOUT(responses.size(), 1, 10000);
    QCOMPARE(responses.at(0).at(2).toJsonValue().toObject().value(QStringLiteral("q")).toInt(), 42);
    QCOMPARE(rec.gaps.size(), 0);
    QCOMPARE(cm.stats().malformed, 0u);
    cm.close();
}

void tst_InteropSocketIo::wrongTokenIsRefused()
{
    SocketIoServer server;
    QString error;
    QVERIFY2(server.start(0, {QStringLiteral("--token"), QStringLiteral("secret")}, &error),
             qPrintable(error));
    ConnectionManager cm;
    ConnectionOptions o = options(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.port())));
    o.token = QStringLiteral("wrong");
    cm.setOptions(o);
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Failed, 10000);
    QCOMPARE(cm.errorString(), QStringLiteral("server refused the token: invalid token"));
}

void tst_InteropSocketIo::cutLinkRecoversWithoutAHole()
{
    SocketIoServer server;
    QString error;
    QVERIFY2(server.start(0, {QStringLiteral("--token"), QStringLiteral("secret")}, &error),
             qPrintable(error));
    FaultProxy proxy;
    QVERIFY(proxy.listen(server.port()));
    ConnectionManager cm;
    cm.setOptions(options(proxy.url()));
    Recorder rec;
    rec.attach(cm, this);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    cm.subscribe(QStringLiteral("ticker"));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(rec.ticks.size() >= 5, 10000);
    for (int cut = 0; cut < 3; ++cut) {
        const int lostBefore = lost.size();
        proxy.setMode(FaultProxy::Mode::Reset); // attempts meanwhile are reset too
        QTRY_VERIFY_WITH_TIMEOUT(lost.size() > lostBefore, 10000);
        QTest::qWait(5 * kTickMs); // the server goes on ticking meanwhile
        proxy.setMode(FaultProxy::Mode::Pass);
        QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
        const int before = rec.ticks.size();
        QTRY_VERIFY_WITH_TIMEOUT(rec.ticks.size() >= before + 5, 10000);
    }
    QVERIFY2(holesIn(rec.ticks).isEmpty(), qPrintable(holesIn(rec.ticks)));
    QCOMPARE(rec.gaps.size(), 0);
    QVERIFY(cm.stats().reconnects >= 3);
    cm.close();
}

void tst_InteropSocketIo::killedServerIsANotRecoveredGapThenLive()
{
    auto server = std::make_unique<SocketIoServer>();
    QString error;
    QVERIFY2(server->start(0, {QStringLiteral("--token"), QStringLiteral("secret")}, &error),
             qPrintable(error));
    const quint16 port = server->port();
    ConnectionManager cm;
    cm.setOptions(options(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port))));
    Recorder rec;
    rec.attach(cm, this);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    cm.subscribe(QStringLiteral("ticker"));
    cm.subscribe(QStringLiteral("chat"));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(rec.ticks.size() >= 5, 10000);
    cm.publish(QStringLiteral("chat"), 1);
    QTRY_COMPARE_WITH_TIMEOUT(rec.chat.size(), 1, 10000);
    server.reset(); // killed: its sessions and their missed events are gone with it
    QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 1, 10000);
    const int beforeRestart = rec.ticks.size();
    QVERIFY(rec.gaps.isEmpty());
    server = std::make_unique<SocketIoServer>();
    QVERIFY2(server->start(port, {QStringLiteral("--token"), QStringLiteral("secret")}, &error),
             qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    // The new server gave a new session id where ours was asked back: one gap per channel.
    QTRY_COMPARE_WITH_TIMEOUT(rec.gaps.size(), 2, 10000);
    QCOMPARE(rec.gaps.at(0), (QStringList{QStringLiteral("ticker"), QStringLiteral("-1"),
                                          QStringLiteral("-1"), QStringLiteral("not_recovered")}));
    // chat holds seq 1: the gap starts after it.
    QCOMPARE(rec.gaps.at(1), (QStringList{QStringLiteral("chat"), QStringLiteral("2"), QStringLiteral("-1"),
                                          QStringLiteral("not_recovered")}));
    // Then live again: the new server's ticks (counting from 1 again), and its new chat sequence
    // from 1, delivered, not dropped as duplicates of the old one.
    QTRY_VERIFY_WITH_TIMEOUT(rec.ticks.size() >= beforeRestart + 5, 10000);
    const QList<int> after = rec.ticks.mid(beforeRestart);
    QVERIFY2(holesIn(after).isEmpty(), qPrintable(holesIn(after)));
    cm.publish(QStringLiteral("chat"), 2);
    QTRY_COMPARE_WITH_TIMEOUT(rec.chat.size(), 2, 10000);
    QCOMPARE(rec.chatSeqs.at(1), 1);
    QCOMPARE(cm.stats().duplicates, 0u);
    cm.close();
}

void tst_InteropSocketIo::offlinePublishesDeliveredOnceInOrder()
{
    SocketIoServer server;
    QString error;
    QVERIFY2(server.start(0, {QStringLiteral("--token"), QStringLiteral("secret")}, &error),
             qPrintable(error));
    FaultProxy proxy;
    QVERIFY(proxy.listen(server.port()));
    ConnectionManager cm;
    cm.setOptions(options(proxy.url()));
    Recorder rec;
    rec.attach(cm, this);
    QSignalSpy acked(&cm, &ConnectionManager::acked);
    cm.subscribe(QStringLiteral("chat"));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    proxy.setMode(FaultProxy::Mode::Reset);
    QTRY_VERIFY_WITH_TIMEOUT(cm.state() != ConnectionManager::Open, 10000);
    proxy.setMode(FaultProxy::Mode::Refuse);
    constexpr int kCount = 20;
    QStringList ids;
    for (int i = 1; i <= kCount; ++i)
        ids.append(cm.publish(QStringLiteral("chat"), QJsonObject{{QStringLiteral("m"), i}}));
    QCOMPARE(cm.queuedCount(), kCount);
    QTest::qWait(300); // several refused attempts: nothing goes anywhere
    QCOMPARE(acked.size(), 0);
    proxy.setMode(FaultProxy::Mode::Pass);
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), kCount, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(rec.chat.size(), kCount, 10000);
    QTest::qWait(200); // nothing more arrives: each one once
    QCOMPARE(rec.chat.size(), kCount);
    for (int i = 0; i < kCount; ++i) {
        QCOMPARE(rec.chat.at(i).toObject().value(QStringLiteral("m")).toInt(), i + 1);
        QCOMPARE(acked.at(i).at(0).toString(), ids.at(i));
        QCOMPARE(acked.at(i).at(2).toLongLong(), i + 1); // the server's seq, in order
    }
    QCOMPARE(cm.queuedCount(), 0);
    cm.close();
}

void tst_InteropSocketIo::halfOpenLinkCaughtByThePingDeadline()
{
    SocketIoServer server;
    QString error;
    QVERIFY2(server.start(0, {QStringLiteral("--token"), QStringLiteral("secret")}, &error),
             qPrintable(error));
    FaultProxy proxy;
    QVERIFY(proxy.listen(server.port()));
    ConnectionManager cm;
    ConnectionOptions o = options(proxy.url());
    o.heartbeatIntervalMs = 60000; // the client's own heartbeat is not this dialect's: unused
    o.heartbeatTimeoutMs = 60000;
    cm.setOptions(o);
    Recorder rec;
    rec.attach(cm, this);
    QSignalSpy lost(&cm, &ConnectionManager::disconnected);
    // When the last tick arrived (the deadline counts from the last frame read: that tick or a
    // later ping, never an earlier one).
    QElapsedTimer t;
    t.start();
    qint64 lastTickMs = 0;
    connect(&cm, &ConnectionManager::messageReceived, this, [&](const QString &channel) {
        if (channel == QLatin1StringView("ticker"))
            lastTickMs = t.elapsed();
    });
    cm.subscribe(QStringLiteral("ticker"));
    cm.open();
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(rec.ticks.size() >= 5, 10000);
    proxy.setMode(FaultProxy::Mode::Blackhole);
    const qint64 blackholeMs = t.elapsed();
    const int deadline = kPingIntervalMs + kPingTimeoutMs;
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 10000);
    const qint64 caughtMs = t.elapsed() - blackholeMs;
    const qint64 sinceLastTickMs = t.elapsed() - lastTickMs;
    QCOMPARE(lost.at(0).at(0).toInt(), 1006);
    QCOMPARE(lost.at(0).at(1).toString(),
             QStringLiteral("heartbeat: no ping from the server within %1 ms").arg(deadline));
    // No sooner than the deadline after the last frame read (a busy server may have sent its last
    // tick well before the blackhole), and within it plus the scheduling margin of the blackhole.
    QVERIFY2(sinceLastTickMs >= deadline - 5, qPrintable(QString::number(sinceLastTickMs)));
    QVERIFY2(caughtMs <= deadline + TestUtils::kSchedulingSlackMs, qPrintable(QString::number(caughtMs)));
    qInfo("half-open link caught after %lld ms (deadline %d ms)", caughtMs, deadline);
    // The network back: recovered, the ticks sent into the blackhole delivered, no hole.
    proxy.setMode(FaultProxy::Mode::Pass);
    QTRY_COMPARE_WITH_TIMEOUT(cm.state(), ConnectionManager::Open, 10000);
    const int before = rec.ticks.size();
    QTRY_VERIFY_WITH_TIMEOUT(rec.ticks.size() >= before + 10, 10000);
    QVERIFY2(holesIn(rec.ticks).isEmpty(), qPrintable(holesIn(rec.ticks)));
    QCOMPARE(rec.gaps.size(), 0);
    cm.close();
}

QTEST_GUILESS_MAIN(tst_InteropSocketIo)
#include "tst_interop_socketio.moc"
