// What a hub does about too many connections and too many guesses, and the defaults that keep it
// safe: a cap on clients in total and per address (close 4503, the client backs off and comes
// back), failed auths throttled per address (close 4008), accepting that resumes after the
// process ran out of file descriptors (a real hub process under a low RLIMIT_NOFILE), heartbeats
// and rate limits on the monotonic clock (a wall-clock step changes nothing), the embedded hub's
// loopback-only Origins, the health port on loopback, /metrics with a bounded number of channel
// series, and peer text escaped in the log. In each refusal a bystander from another address is
// answered meanwhile and nothing accepted is lost (label `timing`: real sockets and processes).
#include "HubProbe.h"
#include "client/ConnectionManager.h"
#include "client/ReconnectPolicy.h"
#include "dashboard/servers/EmbeddedHub.h"
#include "hub/ConnectionGuard.h"
#include "hub/HubCommandLine.h"
#include "hub/HubLogging.h"
#include "hub/HubServer.h"
#include "hub/TokenAuth.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <optional>

#include <sys/resource.h>
#include <unistd.h>

using namespace Pulseboard;
using namespace HubTest;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kSecret = QByteArrayLiteral("0123456789abcdef-connections-secret");
const QHostAddress kOtherAddress(QStringLiteral("127.0.0.2")); // loopback, but not 127.0.0.1
const QString kHub = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-hub");

QString goodToken(const QString &subject = QStringLiteral("ops"))
{
    return TokenAuth::mint(kSecret, subject, QDateTime::currentSecsSinceEpoch() + 600);
}

// A WebSocket client from a chosen local address (QWebSocket cannot bind): a hand-rolled
// upgrade over a bound QTcpSocket, masked text frames out, server frames parsed as they come.
class BoundClient : public QObject
{
public:
    bool open(const QHostAddress &from, quint16 port, int timeoutMs = 5000)
    {
        if (!m_socket.bind(from, 0))
            return false;
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (!m_socket.waitForConnected(timeoutMs))
            return false;
        m_socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                       "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        QElapsedTimer timer;
        timer.start();
        while (!m_upgraded && timer.elapsed() < timeoutMs &&
               m_socket.state() == QAbstractSocket::ConnectedState)
            QTest::qWait(5);
        return m_upgraded;
    }
    void sendText(const QByteArray &payload) { sendFrame(0x1, payload); }
    QString send(const Envelope &env)
    {
        sendText(encodeEnvelope(env));
        return env.id;
    }
    QString ping()
    {
        Envelope e;
        e.type = MessageType::Ping;
        e.id = QStringLiteral("bp%1").arg(++m_counter);
        e.ts = 1;
        return send(e);
    }
    QString auth(const QString &token)
    {
        Envelope e;
        e.type = MessageType::Auth;
        e.id = QStringLiteral("ba%1").arg(++m_counter);
        e.text = token;
        return send(e);
    }
    QString publish(const QString &channel, int value)
    {
        Envelope e;
        e.type = MessageType::Publish;
        e.id = QStringLiteral("bpub%1").arg(++m_counter);
        e.channel = channel;
        e.data = value;
        return send(e);
    }
    std::optional<Envelope> waitFor(MessageType type, const QString &id, int timeoutMs = 5000)
    {
        QElapsedTimer timer;
        timer.start();
        do {
            for (const Envelope &e : std::as_const(frames)) {
                if (e.type == type && e.id == id)
                    return e;
            }
            QTest::qWait(5);
        } while (timer.elapsed() < timeoutMs);
        return std::nullopt;
    }
    bool isConnected() const
    {
        return m_socket.state() == QAbstractSocket::ConnectedState && m_closeCode < 0;
    }

    QList<Envelope> frames;

private:
    void sendFrame(int opcode, const QByteArray &payload)
    {
        m_socket.write(maskedClientFrame(opcode, payload));
    }
    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        if (!m_upgraded) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_upgraded = m_buffer.startsWith("HTTP/1.1 101");
            m_buffer.remove(0, end + 4);
        }
        while (m_buffer.size() >= 2) {
            const int opcode = m_buffer.at(0) & 0x0f;
            qint64 length = m_buffer.at(1) & 0x7f;
            qsizetype header = 2;
            if (length == 126) {
                if (m_buffer.size() < 4)
                    return;
                length = (quint8(m_buffer.at(2)) << 8) | quint8(m_buffer.at(3));
                header = 4;
            } else if (length == 127) {
                if (m_buffer.size() < 10)
                    return;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | quint8(m_buffer.at(2 + i));
                header = 10;
            }
            if (m_buffer.size() < header + length)
                return;
            const QByteArray payload = m_buffer.mid(header, length);
            m_buffer.remove(0, header + length);
            if (opcode == 0x1) {
                Envelope env;
                if (decodeEnvelope(payload, env))
                    frames.append(env);
            } else if (opcode == 0x8) {
                m_closeCode =
                    payload.size() >= 2 ? (quint8(payload.at(0)) << 8) | quint8(payload.at(1)) : 1005;
            } else if (opcode == 0x9) {
                sendFrame(0xA, payload); // a live peer answers pings
            }
        }
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_upgraded = false;
    int m_closeCode = -1;
    int m_counter = 0;
};

// User + system CPU time of a process in ms (from /proc/PID/stat), -1 when unreadable.
qint64 cpuTimeMs(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    const long ticks = ::sysconf(_SC_CLK_TCK);
    return (fields.at(11).toLongLong() + fields.at(12).toLongLong()) * 1000 / ticks;
}

} // namespace

class tst_HubConnections : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void connectionGuardBookkeeping();
    void refusals_data();
    void refusals();
    void clientBacksOffOnRefusals_data();
    void clientBacksOffOnRefusals();
    void connectionManagerRetriesAFullHub();
    void acceptResumesAfterFdExhaustion();
    void wallClockStepChangesNothing();
    void originPatterns_data();
    void originPatterns();
    void embeddedHubRefusesForeignOrigins();
    void healthPortOnLoopbackByDefault();
    void flagsAndDefaults();
    void listenBacklogFlagAndKernelQueue();
    void metricsChannelSeriesBounded();
    void logSafe_data();
    void logSafe();
    void logEscapesPeerText();
};

// --- the bookkeeping alone ---

void tst_HubConnections::connectionGuardBookkeeping()
{
    QCOMPARE(ConnectionGuard::addressKey(QHostAddress(u"::ffff:10.1.2.3"_s)), u"10.1.2.3"_s);
    QCOMPARE(ConnectionGuard::addressKey(QHostAddress(u"2001:db8:1:2:aaaa::1"_s)), u"2001:db8:1:2::/64"_s);
    QCOMPARE(ConnectionGuard::addressKey(QHostAddress(u"2001:db8:1:2:bbbb::9"_s)), u"2001:db8:1:2::/64"_s);
    QCOMPARE(ConnectionGuard::addressKey(QHostAddress(u"::1"_s)), u"::1"_s);

    HubOptions o;
    o.maxConnections = 3;
    o.maxConnectionsPerAddress = 2;
    o.maxAuthFailures = 2;
    o.authFailureWindowMs = 1000;
    ConnectionGuard guard(o);
    using V = ConnectionGuard::Verdict;
    QCOMPARE(guard.admit(u"a"_s, 0), V::Admit);
    QCOMPARE(guard.admit(u"a"_s, 0), V::Admit);
    QCOMPARE(guard.admit(u"a"_s, 0), V::TooManyFromAddress);
    QCOMPARE(guard.admit(u"b"_s, 0), V::Admit);
    QCOMPARE(guard.admit(u"c"_s, 0), V::TooManyConnections);
    QCOMPARE(guard.connections(), 3);
    guard.release(u"a"_s);
    guard.release(u"nobody"_s); // never admitted: no effect
    QCOMPARE(guard.connections(), 2);
    QCOMPARE(guard.connectionsFrom(u"a"_s), 1);
    QCOMPARE(guard.admit(u"c"_s, 0), V::Admit);

    // Two failures in the window throttle; the oldest leaving the window lifts it.
    guard.authFailed(u"x"_s, 100);
    QVERIFY(!guard.isThrottled(u"x"_s, 100));
    guard.authFailed(u"x"_s, 600);
    QVERIFY(guard.isThrottled(u"x"_s, 1099));
    QCOMPARE(guard.admit(u"x"_s, 1099), V::TooManyFailedAuths);
    QVERIFY(!guard.isThrottled(u"x"_s, 1100)); // 100 is out, 600 alone is under the limit
    QVERIFY(!guard.isThrottled(u"y"_s, 0));    // another address
    // Many failures keep only the newest `maxAuthFailures`; prune forgets addresses gone quiet.
    for (int i = 0; i < 100; ++i)
        guard.authFailed(u"z%1"_s.arg(i), 2000);
    QCOMPARE(guard.throttleEntries(), 101);
    guard.prune(2999);
    QCOMPARE(guard.throttleEntries(), 100);
    guard.prune(3000);
    QCOMPARE(guard.throttleEntries(), 0);
}

// --- refusals: for each limit, the refusal and its code, a bystander answered, nothing lost ---

void tst_HubConnections::refusals_data()
{
    QTest::addColumn<int>("maxTotal");
    QTest::addColumn<int>("maxPerAddress");
    QTest::addColumn<int>("maxAuthFailures");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("closeReason");
    // The bystander (127.0.0.2) counts in the total, not in 127.0.0.1's share.
    QTest::newRow("total cap") << 3 << 0 << 0 << u"connection_limit"_s << CloseCode::TryAgainLater
                               << u"too many connections"_s;
    QTest::newRow("per-address cap") << 0 << 2 << 0 << u"connection_limit"_s << CloseCode::TryAgainLater
                                     << u"too many connections from your address"_s;
    QTest::newRow("failed auths") << 0 << 0 << 3 << u"auth_throttled"_s << CloseCode::RateLimited
                                  << u"too many failed auths"_s;
}

void tst_HubConnections::refusals()
{
    QFETCH(int, maxTotal);
    QFETCH(int, maxPerAddress);
    QFETCH(int, maxAuthFailures);
    QFETCH(QString, reason);
    QFETCH(int, code);
    QFETCH(QString, closeReason);
    const bool throttleRow = maxAuthFailures > 0;

    // The throttle window runs on the monotonic clock: the test moves it, and steps the wall
    // clock to show that does not.
    ManualClock clock(QDateTime::currentMSecsSinceEpoch());
    ScopedClock scoped(clock);
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.tokenSecret = kSecret;
    o.maxConnections = maxTotal;
    o.maxConnectionsPerAddress = maxPerAddress;
    o.maxAuthFailures = maxAuthFailures;
    o.authFailureWindowMs = 1000;
    auto hub = startHub(o);
    QVERIFY(hub);
    const QString channel = QStringLiteral("keep");

    BoundClient bystander;
    QVERIFY(bystander.open(kOtherAddress, hub->port()));
    QVERIFY(bystander.waitFor(MessageType::Ack, bystander.auth(goodToken())));
    const auto first = bystander.waitFor(MessageType::Ack, bystander.publish(channel, 1));
    QVERIFY(first);
    QCOMPARE(first->seq, 1);

    // Fill what the row limits.
    std::vector<std::unique_ptr<ProtocolProbe>> fillers;
    auto early = std::make_unique<ProtocolProbe>(); // connected before the throttle, not authed yet
    if (throttleRow) {
        QVERIFY(early->open(hub->url()));
        for (int i = 0; i < maxAuthFailures; ++i) {
            ProtocolProbe guess;
            QVERIFY(guess.open(hub->url()));
            guess.auth(QStringLiteral("wrong-%1").arg(i));
            QVERIFY(guess.waitClosed());
            QCOMPARE(guess.closeCode(), CloseCode::Unauthorized);
        }
    } else {
        const int fill = maxTotal > 0 ? maxTotal - 1 : maxPerAddress;
        for (int i = 0; i < fill; ++i) {
            fillers.push_back(std::make_unique<ProtocolProbe>());
            QVERIFY(openAuthed(*fillers.back(), hub->url(), goodToken()));
        }
    }

    ProtocolProbe refused;
    refused.open(hub->url()); // upgraded, then closed at once
    QVERIFY(refused.waitClosed());
    QCOMPARE(refused.closeCode(), code);
    QCOMPARE(refused.closeReason(), closeReason);
    QCOMPARE(hub->rejects(reason), quint64(1));

    if (throttleRow) {
        // The open connection gets no more guesses either, even with the right token...
        early->auth(goodToken());
        QVERIFY(early->waitClosed());
        QCOMPARE(early->closeCode(), CloseCode::RateLimited);
        QCOMPARE(hub->rejects(reason), quint64(2));
        // ... and setting the wall clock two minutes on does not end the window.
        clock.setWallMs(clock.wallMs() + 120000);
        ProtocolProbe still;
        still.open(hub->url());
        QVERIFY(still.waitClosed());
        QCOMPARE(still.closeCode(), CloseCode::RateLimited);
    }

    // The bystander, from another address, is answered meanwhile and its publishes are taken.
    QVERIFY(bystander.waitFor(MessageType::Pong, bystander.ping()));
    const auto second = bystander.waitFor(MessageType::Ack, bystander.publish(channel, 2));
    QVERIFY(second);
    QCOMPARE(second->seq, 2);
    BoundClient second127002; // lives to the end: the counts below include it
    if (!throttleRow) {
        // The per-address cap does not count the bystander's address against 127.0.0.1's.
        QVERIFY(second127002.open(kOtherAddress, hub->port()));
        if (maxTotal > 0) {
            // ... but the total cap does.
            QTRY_VERIFY(!second127002.isConnected());
        } else {
            QVERIFY(second127002.waitFor(MessageType::Ack, second127002.auth(goodToken())));
        }
    } else {
        // A successful auth from another address is unaffected by 127.0.0.1's failures.
        BoundClient other;
        QVERIFY(other.open(kOtherAddress, hub->port()));
        QVERIFY(other.waitFor(MessageType::Ack, other.auth(goodToken())));
    }

    // Once the limit has passed, 127.0.0.1 gets in again: a filler leaves, or the window ends.
    if (throttleRow) {
        clock.advance(o.authFailureWindowMs);
    } else {
        const int before = hub->clientCount();
        fillers.back()->socket().close();
        QTRY_COMPARE(hub->clientCount(), before - 1);
        if (maxTotal > 0)
            QTRY_COMPARE(hub->connectionGuard().connections(), hub->clientCount());
    }
    ProtocolProbe later;
    QVERIFY(openAuthed(later, hub->url(), goodToken()));
    bool ok = false;
    later.waitFor(MessageType::Subscribed, later.subscribe(channel, 0), &ok);
    QVERIFY(ok);
    QTRY_COMPARE(later.seqsOf(channel), (QList<qint64>{1, 2}));
    QVERIFY(bystander.isConnected());
}

// --- the client: 4503 and 4008 are "later", not "never" ---

void tst_HubConnections::clientBacksOffOnRefusals_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("retries");
    QTest::newRow("4503 try again later") << CloseCode::TryAgainLater << true;
    QTest::newRow("4008 too many failed auths") << CloseCode::RateLimited << true;
    QTest::newRow("1008 origin (contrast)") << CloseCode::Policy << false;
    QTest::newRow("4001 bad token (contrast)") << CloseCode::Unauthorized << false;
}

void tst_HubConnections::clientBacksOffOnRefusals()
{
    QFETCH(int, code);
    QFETCH(bool, retries);
    ConnectionOptions options;
    options.endpoints = {QUrl(QStringLiteral("ws://127.0.0.1:1"))};
    options.backoff.initialMs = 10;
    options.rateLimitMinDelayMs = 700;
    ReconnectPolicy policy(options);
    QRandomGenerator rng(7);
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const ReconnectPolicy::Decision d = policy.connectionEnded(code, QStringLiteral("refused"), rng);
        QCOMPARE(d.retry, retries);
        if (!retries) {
            QVERIFY(d.failure.contains(QString::number(code)));
            return;
        }
        QVERIFY2(d.delayMs >= options.rateLimitMinDelayMs, qPrintable(QString::number(d.delayMs)));
    }
    QVERIFY(!describeCloseCode(code).startsWith(u"close code"));
}

void tst_HubConnections::connectionManagerRetriesAFullHub()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.maxConnections = 1;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe holder;
    QVERIFY(holder.open(hub->url()));
    QTRY_COMPARE(hub->clientCount(), 1);

    ConnectionOptions co;
    co.endpoints = {hub->url()};
    co.backoff.initialMs = 20;
    co.backoff.maxMs = 100;
    co.rateLimitMinDelayMs = 50;
    co.maxRetries = 0; // a refusal must not be what makes it give up
    ConnectionManager client;
    client.setOptions(co);
    QSignalSpy states(&client, &ConnectionManager::stateChanged);
    client.open();
    QTRY_VERIFY_WITH_TIMEOUT(hub->rejects(RejectReason::ConnectionLimit) >= 2, 10000);
    QCOMPARE(client.lastCloseCode(), CloseCode::TryAgainLater);
    QVERIFY(client.state() != ConnectionManager::Failed);

    holder.socket().close();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionManager::Open, 10000);
    for (const QList<QVariant> &args : std::as_const(states))
        QVERIFY(args.at(0).value<ConnectionManager::State>() != ConnectionManager::Failed);
    QCOMPARE(hub->clientCount(), 1);
}

// --- accepting after the descriptors ran out ---

void tst_HubConnections::acceptResumesAfterFdExhaustion()
{
    constexpr rlim_t kFdLimit = 40;
    QProcess process;
    process.setChildProcessModifier([] {
        const rlimit limit{kFdLimit, kFdLimit};
        ::setrlimit(RLIMIT_NOFILE, &limit);
    });
    // No connection cap: the descriptors are the limit here.
    process.start(kHub, {u"--port"_s, u"0"_s, u"--no-feeds"_s, u"--max-connections"_s, u"0"_s,
                         u"--max-connections-per-address"_s, u"0"_s});
    QVERIFY(process.waitForStarted(5000));
    QElapsedTimer timer;
    timer.start();
    while (!process.canReadLine() && timer.elapsed() < 10000 && process.state() == QProcess::Running)
        process.waitForReadyRead(100);
    const QByteArray line = process.readLine().trimmed();
    QVERIFY2(line.startsWith("listening on "), line.constData());
    const QUrl url(QString::fromUtf8(line.mid(13)));

    // Open until the hub stops answering upgrades: accept() fails with EMFILE.
    std::vector<std::unique_ptr<ProtocolProbe>> open;
    std::vector<std::unique_ptr<ProtocolProbe>> waiting;
    for (int i = 0; i < int(kFdLimit) + 10 && waiting.size() < 3; ++i) {
        auto probe = std::make_unique<ProtocolProbe>();
        if (probe->open(url, waiting.empty() ? 1500 : 300))
            open.push_back(std::move(probe));
        else
            waiting.push_back(std::move(probe));
    }
    QVERIFY2(!open.empty() && open.size() < kFdLimit, qPrintable(QString::number(open.size())));
    QVERIFY(!waiting.empty());
    // The connected ones are answered meanwhile.
    bool ok = false;
    open.front()->waitFor(MessageType::Pong, open.front()->ping(1), &ok);
    QVERIFY(ok);
    // And the hub is not spinning on a failing accept() meanwhile (Qt 6.4 would, at 100 % of a
    // core): its CPU time over a second and a half of exhaustion stays small.
    const qint64 cpuBefore = cpuTimeMs(process.processId());
    QTest::qWait(1500);
    const qint64 cpuSpent = cpuTimeMs(process.processId()) - cpuBefore;
    QVERIFY2(cpuBefore >= 0 && cpuSpent < 300, qPrintable(QString::number(cpuSpent)));

    // Descriptors come free: the hub accepts again, the waiting clients are let in, and a new one.
    for (auto &probe : open)
        probe->socket().close();
    for (auto &probe : waiting)
        QTRY_COMPARE_WITH_TIMEOUT(probe->socket().state(), QAbstractSocket::ConnectedState, 10000);
    ProtocolProbe fresh;
    QVERIFY(fresh.open(url, 5000));
    fresh.waitFor(MessageType::Pong, fresh.ping(2), &ok);
    QVERIFY(ok);

    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    const QByteArray err = process.readAllStandardError();
    const QByteArray tail = err.right(1500); // the part that says what happened to accept()
    if (qEnvironmentVariableIsSet("HUB_STDERR")) {
        QFile f(qEnvironmentVariable("HUB_STDERR"));
        if (f.open(QIODevice::WriteOnly))
            f.write(err);
    }
    QVERIFY2(err.contains("accepting paused: out of file descriptors"), tail.constData());
    QVERIFY2(err.contains("accepting connections again"), tail.constData());
    // Rate-limited: a line a second at most while it lasted (the test took seconds, not minutes).
    QVERIFY2(err.count("accepting paused:") <= 1 + timer.elapsed() / 1000, tail.constData());
}

// --- heartbeats and rate limits on the monotonic clock ---

void tst_HubConnections::wallClockStepChangesNothing()
{
    ManualClock clock(QDateTime::currentMSecsSinceEpoch());
    ScopedClock scoped(clock);
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.heartbeatIntervalMs = 20; // silent for 40 ms of monotonic time = dropped
    o.rateLimitPerSec = 1;
    o.rateLimitBurst = 3;
    auto hub = startHub(o);
    QVERIFY(hub);
    RawWsClient dead; // never answers a ping: only the monotonic clock decides when it goes
    QVERIFY(dead.open(hub->port()));
    ProtocolProbe live;
    QVERIFY(live.open(hub->url()));
    QTRY_COMPARE(hub->clientCount(), 2);

    const qint64 wall = clock.wallMs();
    for (const qint64 step : {qint64(24) * 3600 * 1000, -qint64(48) * 3600 * 1000}) {
        clock.setWallMs(wall + step);
        QTest::qWait(200); // ten heartbeat ticks
        QVERIFY(dead.isConnected());
        QCOMPARE(hub->rejects(RejectReason::HeartbeatTimeout), quint64(0));
    }

    // Three frames of burst; an hour of wall clock is no refill.
    bool ok = false;
    live.waitFor(MessageType::Pong, live.ping(1), &ok);
    QVERIFY(ok);
    live.waitFor(MessageType::Pong, live.ping(2), &ok);
    QVERIFY(ok);
    clock.setWallMs(clock.wallMs() + 3600 * 1000);
    live.waitFor(MessageType::Pong, live.ping(3), &ok);
    QVERIFY(ok);
    live.ping(4);
    QVERIFY(live.waitClosed());
    QCOMPARE(live.closeCode(), CloseCode::RateLimited);

    // Monotonic time is what counts: a second of it and the silent client is dropped.
    clock.advance(1000);
    QTRY_VERIFY(!dead.isConnected());
    QCOMPARE(hub->rejects(RejectReason::HeartbeatTimeout), quint64(1));
}

// --- Origins ---

void tst_HubConnections::originPatterns_data()
{
    QTest::addColumn<QString>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("no origin") << QString() << true;
    QTest::newRow("localhost any port") << u"http://localhost:5173"_s << true;
    QTest::newRow("localhost default port") << u"http://localhost"_s << true;
    QTest::newRow("127.0.0.1") << u"http://127.0.0.1:8080"_s << true;
    QTest::newRow("[::1]") << u"http://[::1]:3000"_s << true;
    QTest::newRow("https localhost") << u"https://localhost:8443"_s << true;
    QTest::newRow("foreign") << u"https://evil.example"_s << false;
    QTest::newRow("null (file:, sandboxed)") << u"null"_s << false;
    QTest::newRow("suffix host") << u"http://localhost.evil.example"_s << false;
    QTest::newRow("suffix host with port") << u"http://localhost.evil.example:80"_s << false;
    QTest::newRow("port then host") << u"http://localhost:80.evil.example"_s << false;
    QTest::newRow("empty port") << u"http://localhost:"_s << false;
    QTest::newRow("signed port") << u"http://localhost:+80"_s << false;
    QTest::newRow("port out of range") << u"http://localhost:99999"_s << false;
    QTest::newRow("other loopback") << u"http://127.0.0.2:80"_s << false;
}

void tst_HubConnections::originPatterns()
{
    QFETCH(QString, origin);
    QFETCH(bool, allowed);
    QCOMPARE(HubServer::isOriginAllowed(origin, EmbeddedHub::loopbackOrigins()), allowed);
    // Exact entries still match exactly; no list lets everything in.
    QVERIFY(HubServer::isOriginAllowed(origin, {}));
    QCOMPARE(HubServer::isOriginAllowed(origin, {u"https://evil.example"_s}),
             origin.isEmpty() || origin == u"https://evil.example"_s);
}

void tst_HubConnections::embeddedHubRefusesForeignOrigins()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    EmbeddedHub embedded(o);
    QString error;
    QVERIFY2(embedded.start(&error), qPrintable(error));
    QCOMPARE(embedded.options().allowedOrigins, EmbeddedHub::loopbackOrigins());

    ProtocolProbe page(QStringLiteral("https://evil.example"));
    page.open(embedded.url());
    QVERIFY(page.waitClosed());
    QCOMPARE(page.closeCode(), CloseCode::Policy);
    QCOMPARE(embedded.server()->rejects(RejectReason::Origin), quint64(1));
    QVERIFY(page.ofType(MessageType::Welcome).isEmpty());

    for (const QString &origin : {QString(), u"http://localhost:5173"_s, u"http://127.0.0.1:9000"_s}) {
        ProtocolProbe ok(origin);
        QVERIFY2(ok.open(embedded.url()), qPrintable(origin));
        bool answered = false;
        ok.waitFor(MessageType::Pong, ok.ping(1), &answered);
        QVERIFY2(answered, qPrintable(origin));
    }
    embedded.stop();
}

// --- the health port's address ---

void tst_HubConnections::healthPortOnLoopbackByDefault()
{
    HubOptions o;
    o.host = QHostAddress::AnyIPv4; // the WebSocket port on every interface ...
    o.port = 0;
    o.feedsEnabled = false;
    o.healthPort = 0;
    auto hub = startHub(o);
    QVERIFY(hub);
    QCOMPARE(hub->healthUrl().host(), u"127.0.0.1"_s);

    // ... the health port on 127.0.0.1 only: 127.0.0.2 reaches the one and not the other.
    QTcpSocket ws;
    ws.connectToHost(kOtherAddress, hub->port());
    QVERIFY(ws.waitForConnected(5000));
    QTcpSocket healthElsewhere;
    healthElsewhere.connectToHost(kOtherAddress, hub->healthPort());
    QVERIFY(!healthElsewhere.waitForConnected(5000));
    QCOMPARE(healthElsewhere.error(), QAbstractSocket::ConnectionRefusedError);
    QTcpSocket health;
    health.connectToHost(QHostAddress::LocalHost, hub->healthPort());
    QVERIFY(health.waitForConnected(5000));
    health.write("GET /healthz HTTP/1.1\r\n\r\n");
    QTRY_VERIFY(health.peek(64).startsWith("HTTP/1.1 200"));
}

void tst_HubConnections::flagsAndDefaults()
{
    const HubOptions d;
    QCOMPARE(d.healthHost, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(d.maxConnections, 10000);
    QCOMPARE(d.maxConnectionsPerAddress, 256);
    QCOMPARE(d.maxAuthFailures, 5);
    QCOMPARE(d.authFailureWindowMs, 60000);
    QCOMPARE(d.metricsMaxChannels, 100);

    auto parse = [](const QStringList &args, HubOptions &o, QString &error) {
        QCommandLineParser parser;
        HubCommandLine cl;
        cl.addTo(parser);
        if (!parser.parse(QStringList{u"pulseboard-hub"_s} + args)) {
            error = parser.errorText();
            return false;
        }
        return cl.read(parser, o, error);
    };
    HubOptions o;
    QString error;
    QVERIFY2(
        parse({u"--host"_s, u"0.0.0.0"_s, u"--max-connections"_s, u"50"_s, u"--max-connections-per-address"_s,
               u"5"_s, u"--max-auth-failures"_s, u"2"_s, u"--auth-failure-window-ms"_s, u"500"_s,
               u"--metrics-max-channels"_s, u"7"_s, u"--allow-origin"_s, u"http://localhost:*"_s},
              o, error),
        qPrintable(error));
    QCOMPARE(o.host, QHostAddress(QHostAddress::AnyIPv4));
    QCOMPARE(o.healthHost, QHostAddress(QHostAddress::LocalHost)); // not --host's
    QCOMPARE(o.maxConnections, 50);
    QCOMPARE(o.maxConnectionsPerAddress, 5);
    QCOMPARE(o.maxAuthFailures, 2);
    QCOMPARE(o.authFailureWindowMs, 500);
    QCOMPARE(o.metricsMaxChannels, 7);
    QCOMPARE(o.allowedOrigins, QStringList{u"http://localhost:*"_s});

    HubOptions h;
    QVERIFY2(parse({u"--health-host"_s, u"0.0.0.0"_s}, h, error), qPrintable(error));
    QCOMPARE(h.healthHost, QHostAddress(QHostAddress::AnyIPv4));
    HubOptions bad;
    QVERIFY(!parse({u"--health-host"_s, u"example"_s}, bad, error));
    QVERIFY2(error.contains(u"--health-host"), qPrintable(error));
    QVERIFY(!parse({u"--max-connections"_s, u"-1"_s}, bad, error));
    QVERIFY2(error.contains(u"--max-connections"), qPrintable(error));
}

// --- listen backlog ---

namespace {
// The Send-Q that `ss` shows for a listening socket is its accept queue's size; -1 without ss.
int ssListenQueue(quint16 port)
{
    QProcess ss;
    ss.start(u"ss"_s, {u"-ltnH"_s, u"sport = :%1"_s.arg(port)});
    if (!ss.waitForFinished(5000) || ss.exitCode() != 0)
        return -1;
    const QList<QByteArray> fields = ss.readAllStandardOutput().simplified().split(' ');
    return fields.size() >= 3 ? fields.at(2).toInt() : -1; // State Recv-Q Send-Q ...
}

int readSomaxconn()
{
    QFile file(u"/proc/sys/net/core/somaxconn"_s);
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toInt() : -1;
}
} // namespace

void tst_HubConnections::listenBacklogFlagAndKernelQueue()
{
    QCOMPARE(HubOptions().listenBacklog, 4096);
    auto parse = [](const QStringList &args, HubOptions &o, QString &error) {
        QCommandLineParser parser;
        HubCommandLine cl;
        cl.addTo(parser);
        if (!parser.parse(QStringList{u"pulseboard-hub"_s} + args)) {
            error = parser.errorText();
            return false;
        }
        return cl.read(parser, o, error);
    };
    HubOptions o;
    QString error;
    QVERIFY2(parse({u"--listen-backlog"_s, u"128"_s}, o, error), qPrintable(error));
    QCOMPARE(o.listenBacklog, 128);
    for (const QString &bad : {u"0"_s, u"-3"_s, u"many"_s, u"1000001"_s}) {
        HubOptions b;
        QVERIFY(!parse({u"--listen-backlog"_s, bad}, b, error));
        QCOMPARE(error, u"--listen-backlog must be a whole number from 1 to 1000000, got '%1'"_s.arg(bad));
        QCOMPARE(b.listenBacklog, 4096); // untouched
    }
    // The program refuses it the same way, before listening.
    QProcess process;
    process.start(kHub, {u"--port"_s, u"0"_s, u"--no-feeds"_s, u"--listen-backlog"_s, u"0"_s});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY2(process.readAllStandardError().contains("--listen-backlog must be a whole number"),
             "no clear error");

    // The hub's socket listens with it: what the kernel says (TCP_INFO), what ss shows, and
    // what server.info reports.
    const int somaxconn = readSomaxconn();
    QVERIFY(somaxconn > 0);
    HubOptions small;
    small.port = 0;
    small.feedsEnabled = false;
    small.listenBacklog = qMin(37, somaxconn);
    auto hub = startHub(small);
    QVERIFY(hub);
    QCOMPARE(hub->somaxconn(), somaxconn);
    QCOMPARE(hub->listenBacklog(), small.listenBacklog);
    const int shown = ssListenQueue(hub->port());
    if (shown >= 0)
        QCOMPARE(shown, small.listenBacklog);
    else
        qInfo("ss is not installed: the queue is checked through the hub's own TCP_INFO only");
    ProtocolProbe probe;
    QVERIFY(probe.open(hub->url()));
    const QString id = probe.request(u"server.info"_s);
    bool ok = false;
    const Envelope info = probe.waitFor(MessageType::Response, id, &ok);
    QVERIFY(ok);
    QCOMPARE(info.data.toObject().value(u"listenBacklog"_s).toInt(), small.listenBacklog);
    QVERIFY(!info.data.toObject().contains(u"listenBacklogRequested"_s));

    // More than net.core.somaxconn: the kernel keeps somaxconn, the hub says so.
    HubOptions big = small;
    big.listenBacklog = somaxconn + 1000;
    QTest::ignoreMessage(
        QtWarningMsg,
        QRegularExpression(u"^listen backlog %1 capped at %2 by net.core.somaxconn"_s.arg(big.listenBacklog)
                               .arg(somaxconn)));
    auto capped = startHub(big);
    QVERIFY(capped);
    QCOMPARE(capped->listenBacklog(), somaxconn);
    if (shown >= 0)
        QCOMPARE(ssListenQueue(capped->port()), somaxconn);
    const QJsonObject cappedInfo = capped->serverInfo(u"test"_s);
    QCOMPARE(cappedInfo.value(u"listenBacklog"_s).toInt(), somaxconn);
    QCOMPARE(cappedInfo.value(u"listenBacklogRequested"_s).toInt(), big.listenBacklog);
}

// --- /metrics cardinality ---

void tst_HubConnections::metricsChannelSeriesBounded()
{
    HubMetrics m;
    m.setMaxChannelSeries(5);
    HubStatus st;
    st.feeds = {u"hub.stats"_s, u"sys.cpu"_s};
    m.countChannelMessage(u"hub.stats"_s);
    m.countChannelMessage(u"sys.cpu"_s);
    for (int i = 0; i < 100; ++i) {
        m.countChannelMessage(u"hot.a"_s);
        m.countChannelMessage(u"hot.b"_s);
        m.countChannelMessage(u"hot.c"_s);
    }
    // An attacker's thousand names, one message each, two of them with a subscriber.
    for (int i = 0; i < 1000; ++i)
        m.countChannelMessage(u"spam.%1"_s.arg(i));
    st.subscribers.insert(u"spam.5"_s, 2);
    st.subscribers.insert(u"hot.a"_s, 1);
    st.subscribers.insert(u"never.published"_s, 4);
    m.tick();

    const QByteArray text = m.prometheusText(st);
    auto lines = [&text](const QByteArray &prefix) {
        QList<QByteArray> out;
        for (const QByteArray &line : text.split('\n')) {
            if (line.startsWith(prefix))
                out.append(line);
        }
        return out;
    };
    QCOMPARE(lines("pulseboard_hub_channel_messages_total{"),
             (QList<QByteArray>{
                 "pulseboard_hub_channel_messages_total{channel=\"hot.a\"} 100",
                 "pulseboard_hub_channel_messages_total{channel=\"hot.b\"} 100",
                 "pulseboard_hub_channel_messages_total{channel=\"hot.c\"} 100",
                 "pulseboard_hub_channel_messages_total{channel=\"hub.stats\"} 1",
                 "pulseboard_hub_channel_messages_total{channel=\"sys.cpu\"} 1",
                 "pulseboard_hub_channel_messages_total{channel=\"(other channels)\"} 1000",
             }));
    QCOMPARE(lines("pulseboard_hub_channel_rate{").size(), 6);
    QVERIFY(text.contains("pulseboard_hub_channel_rate{channel=\"(other channels)\"} 1000\n"));
    QCOMPARE(lines("pulseboard_hub_channel_subscribers{"),
             (QList<QByteArray>{
                 "pulseboard_hub_channel_subscribers{channel=\"hot.a\"} 1",
                 "pulseboard_hub_channel_subscribers{channel=\"(other channels)\"} 6",
             }));
    QVERIFY(text.contains("\npulseboard_hub_channels_unlisted 1001\n"));
    QVERIFY(!text.contains("spam."));

    // Feeds are listed even when they alone exceed the cap.
    m.setMaxChannelSeries(1);
    const QByteArray feedsOnly = m.prometheusText(st);
    QVERIFY(feedsOnly.contains("channel=\"hub.stats\"} 1\n"));
    QVERIFY(feedsOnly.contains("channel=\"sys.cpu\"} 1\n"));
    QVERIFY(!feedsOnly.contains("channel=\"hot.a\""));
}

// --- peer text in the log ---

void tst_HubConnections::logSafe_data()
{
    QTest::addColumn<QString>("in");
    QTest::addColumn<int>("max");
    QTest::addColumn<QString>("out");
    QTest::newRow("plain") << u"http://ops.example:8080"_s << 200 << u"http://ops.example:8080"_s;
    QTest::newRow("new line") << u"a\r\nFAKE hub: client x authenticated"_s << 200
                              << u"a\\r\\nFAKE hub: client x authenticated"_s;
    QTest::newRow("tab") << u"a\tb"_s << 200 << u"a\\tb"_s;
    QTest::newRow("terminal escape") << u"\x1b[2Jred"_s << 200 << u"\\x1b[2Jred"_s;
    QTest::newRow("NUL and DEL") << QString(QChar(0)) + u"x\x7f"_s << 200 << u"\\x00x\\x7f"_s;
    QTest::newRow("C1 control") << QString(QChar(0x85)) << 200 << u"\\x85"_s;
    QTest::newRow("bidi override") << u"abc\u202Egpj.exe"_s << 200 << u"abc\\u{202e}gpj.exe"_s;
    QTest::newRow("line separator") << u"a\u2028b"_s << 200 << u"a\\u{2028}b"_s;
    QTest::newRow("zero width") << u"ad\u200Bmin"_s << 200 << u"ad\\u{200b}min"_s;
    QTest::newRow("backslash") << u"a\\x41"_s << 200 << u"a\\\\x41"_s;
    QTest::newRow("lone surrogate") << QString(QChar(0xd800)) + u"z"_s << 200 << u"\\u{d800}z"_s;
    QTest::newRow("accents and emoji kept")
        << u"caf\u00e9 \U0001F600 \u4e2d"_s << 200 << u"caf\u00e9 \U0001F600 \u4e2d"_s;
    QTest::newRow("capped") << QString(300, u'a') << 200 << QString(200, u'a') + u"...(+100 chars)"_s;
    QTest::newRow("capped, escapes count as one") << u"\n\n\n\n"_s << 2 << u"\\n\\n...(+2 chars)"_s;
}

void tst_HubConnections::logSafe()
{
    QFETCH(QString, in);
    QFETCH(int, max);
    QFETCH(QString, out);
    QCOMPARE(Pulseboard::logSafe(in, max), out);
}

namespace {
QStringList g_logged;
void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    if (context.category && QByteArrayView(context.category) == "pulseboard.hub")
        g_logged.append(message);
}
} // namespace

void tst_HubConnections::logEscapesPeerText()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.allowedOrigins = {u"http://ops.example"_s};
    auto hub = startHub(o);
    QVERIFY(hub);
    g_logged.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    // An Origin carrying a terminal escape (a header is Latin-1: a bidi override cannot come
    // this way), and a close reason (UTF-8) with a bidi override and a new line.
    ProtocolProbe page(u"http://evil.example/\x1b[2J"_s + QString(500, u'x'));
    page.open(hub->url());
    page.waitClosed();
    ProtocolProbe client;
    QVERIFY(client.open(hub->url()));
    client.socket().close(QWebSocketProtocol::CloseCodeNormal, u"bye\u202E\nFAKE LINE"_s);
    QTRY_COMPARE(hub->clientCount(), 0);
    qInstallMessageHandler(previous);

    QCOMPARE(page.closeCode(), CloseCode::Policy);
    const QString all = g_logged.join(u'\n');
    QVERIFY2(all.contains(u"\\x1b[2Jxxx"), qPrintable(all));
    QVERIFY2(all.contains(u"...(+"), qPrintable(all));
    QVERIFY2(all.contains(u"bye\\u{202e}\\nFAKE LINE"), qPrintable(all));
    for (const QString &message : std::as_const(g_logged)) {
        QVERIFY(!message.contains(QChar(0x1b)));
        QVERIFY(!message.contains(QChar(0x202e)));
        QVERIFY(!message.contains(u'\n'));
        QVERIFY2(message.size() < 600, qPrintable(message));
    }
}

QTEST_GUILESS_MAIN(tst_HubConnections)
#include "tst_hubconnections.moc"
