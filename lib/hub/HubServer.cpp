#include "HubServer.h"

#include "ConnectionGuard.h"
#include "FrameDecodePool.h"
#include "HealthServer.h"
#include "HubErrors.h"
#include "HubLogging.h"
#include "HubSession.h"
#include "MemoryChannelStore.h"
#include "RedisChannelStore.h"
#include "TokenAuth.h"
#include "feeds/Feed.h"
#include "feeds/FeedRegistry.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"
#include "protocol/Envelope.h"

#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Pulseboard {

namespace {

// Why the store refused a sample: a channel past --max-channels, else the store being away.
RejectReason sampleRefusal(const AppendResult &r)
{
    return r.errorCode == HubError::Full ? RejectReason::TooManyChannels : RejectReason::StoreUnavailable;
}

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; ++i)
        raw[i] = char(QRandomGenerator::global()->bounded(256));
    return QString::fromLatin1(raw.toHex());
}

} // namespace

HubServer::HubServer(const HubOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_auth(std::make_unique<TokenAuth>()),
      m_router(options.maxSendBufferBytes), m_instanceId(randomHex(4))
{
    {
        const int interval = qMax(10, m_options.heartbeatIntervalMs);
        // Slots of about a second: each turn wakes the hub's loop, and a wake-up costs time in
        // proportion to the connections it watches (docs/SCALING.md), so finer slots would cost
        // more idle CPU than the bursts they spread.
        const int slots = m_options.heartbeatSlots > 0 ? m_options.heartbeatSlots : interval / 1000;
        m_wheel.resize(size_t(qBound(1, slots, qMin(500, interval))));
    }
    m_heartbeatTimer.setSingleShot(true);
    m_heartbeatTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &HubServer::heartbeatTick);
    connect(&m_idleTimer, &QTimer::timeout, this, &HubServer::expireIdleChannels);
    m_rateTimer.setInterval(1000);
    connect(&m_rateTimer, &QTimer::timeout, this, &HubServer::rateTick);
    m_shutdownTimer.setSingleShot(true);
    connect(&m_shutdownTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcHub) << m_sessions.size() << "client(s) did not close in time; aborting them";
        const auto sockets = m_sessions.keys();
        for (QWebSocket *socket : sockets)
            socket->abort();
        finishShutdown();
    });
    addMethods();
    m_acceptRetryTimer.setSingleShot(true);
    connect(&m_acceptRetryTimer, &QTimer::timeout, this, &HubServer::resumeAccepting);
    connect(&m_descriptorWatch, &QTimer::timeout, this, &HubServer::checkDescriptors);
}

HubServer::~HubServer()
{
    // Like a crash for the clients (no close frame): shutdown() is the graceful way out.
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        it.key()->disconnect(this);
        it.key()->disconnect(it.value());
        it.key()->abort();
        delete it.value();
    }
    m_sessions.clear();
    m_wheel.clear();
    m_wheelSlot.clear();
    for (Feed *feed : std::as_const(m_feeds))
        feed->stop();
    if (m_reserveFd >= 0)
        ::close(m_reserveFd);
}

bool HubServer::start(QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        qCWarning(lcHub).noquote() << why;
        return false;
    };
    if (m_started)
        return fail(QStringLiteral("hub already started"));

    if (!m_options.tokensFile.isEmpty()) {
        QString why;
        if (!m_auth->loadTokensFile(m_options.tokensFile, &why))
            return fail(why);
    }
    m_auth->setSecret(m_options.tokenSecret);

    const bool tls = !m_options.certFile.isEmpty() || !m_options.keyFile.isEmpty();
    m_server = new QWebSocketServer(
        m_options.serverName, tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    m_server->setSupportedSubprotocols({QStringLiteral("pulseboard.v1")});
    if (tls) {
        QString why;
        if (!setupTls(&why))
            return fail(why);
        connect(m_server, &QWebSocketServer::sslErrors, this, [](const QList<QSslError> &errors) {
            for (const QSslError &e : errors)
                qCInfo(lcHub).noquote() << "TLS handshake error:" << e.errorString();
        });
    }
    connect(m_server, &QWebSocketServer::newConnection, this, &HubServer::onNewConnection);
    connect(m_server, &QWebSocketServer::serverError, this, [](QWebSocketProtocol::CloseCode code) {
        qCInfo(lcHub) << "handshake refused with" << int(code);
    });
    // Where Qt pauses accepting after an accept error and says so, the hub resumes it later; on
    // EMFILE Qt 6.4 does neither (it spins), which checkDescriptors() prevents.
    connect(m_server, &QWebSocketServer::acceptError, this, &HubServer::onAcceptError);

    if (m_options.redisUrl.isEmpty()) {
        auto *memory = new MemoryChannelStore(m_options.historySize, m_options.dedupeWindow, this);
        memory->setBudget({m_options.maxRetainedBytes, m_options.maxChannelBytes, m_options.maxChannels});
        m_store = memory;
    } else {
        QString why;
        m_store = createRedisStore(&why);
        if (!m_store)
            return fail(why);
    }
    m_router.setStore(m_store);
    m_context.reset(
        new HubContext{m_options, m_metrics, m_router, *m_store, *m_auth, m_requests,
                       [this](const QString &channel) { return m_feedChannels.contains(channel); }});
    m_context->guard = &m_guard;
    if (m_options.offThreadDecodeChars > 0) {
        // Leaves a core to the hub's own loop where there are only a few.
        m_decodePool = new FrameDecodePool(qBound(1, QThread::idealThreadCount() - 1, 4), this);
        m_context->decodePool = m_decodePool;
    }
    m_metrics.setMaxChannelSeries(m_options.metricsMaxChannels);
    connect(m_store, &ChannelStore::messageArrived, this, &HubServer::onStoreMessage);
    connect(m_store, &ChannelStore::channelReset, this,
            [this](const QString &channel, const QString &epoch) { m_router.reset(channel, epoch); });
    connect(m_store, &ChannelStore::channelExpired, this, [this](const QString &channel) {
        m_metrics.forgetChannel(channel);
        qCInfo(lcHub).noquote() << "channel" << channel << "freed after" << m_options.channelIdleMs
                                << "ms without subscribers or publishes";
    });
    connect(m_store, &ChannelStore::availabilityChanged, this, [this](bool available) {
        if (available)
            m_storeDownLogged = false;
    });
    {
        QString why;
        if (!m_store->start(&why))
            return fail(why);
    }

    if (!m_server->listen(m_options.host, m_options.port))
        return fail(QStringLiteral("cannot listen on %1:%2: %3")
                        .arg(m_options.host.toString())
                        .arg(m_options.port)
                        .arg(m_server->errorString()));
    {
        QString why;
        if (!applyListenBacklog(&why)) {
            m_server->close();
            return fail(why);
        }
    }

    if (m_options.healthPort >= 0) {
        // Only /metrics lists subscribers per channel; a health check does not pay for them.
        m_health = new HealthServer(
            [this](const QByteArray &path) {
                return m_metrics.httpResponse(path, status(path == "/metrics"));
            },
            this);
        QString why;
        if (!m_health->listen(m_options.healthHost, quint16(m_options.healthPort), &why)) {
            m_server->close();
            return fail(why);
        }
    }

    if (m_options.feedsEnabled) {
        QString why;
        if (!startFeeds(&why)) {
            m_server->close();
            if (m_health)
                m_health->close();
            return fail(why);
        }
    }

    m_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    m_descriptorWatch.start(qMax(10, m_options.acceptRetryMinMs));
    m_metrics.start();
    if (m_options.channelIdleMs > 0) {
        // Idle channels are looked for a few times per idle period, at most once a minute.
        m_idleTimer.setInterval(int(qBound(qint64(10), m_options.channelIdleMs / 4, qint64(60000))));
        m_idleTimer.start();
    }
    m_wheelClock.start();
    m_wheelTurns = 0;
    heartbeatTick();
    m_rateTimer.start();
    m_started = true;
    qCInfo(lcHub).noquote() << "listening on" << url().toString() << "store:" << m_store->kind()
                            << "auth:" << (m_auth->isRequired() ? "tokens" : "open")
                            << "feeds:" << activeFeeds().join(QLatin1Char(','));
    return true;
}

bool HubServer::applyListenBacklog(QString *error)
{
    // QWebSocketServer listens with QTcpServer's default queue (50) and has no setting for it;
    // listen() again on its socket sets the queue of a socket already listening (Linux).
    const int fd = int(m_server->socketDescriptor());
    if (fd < 0 || ::listen(fd, m_options.listenBacklog) != 0) {
        *error = QStringLiteral("cannot set the listen backlog to %1: %2")
                     .arg(m_options.listenBacklog)
                     .arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    QFile file(QStringLiteral("/proc/sys/net/core/somaxconn"));
    bool ok = false;
    if (file.open(QIODevice::ReadOnly))
        m_somaxconn = file.readAll().trimmed().toInt(&ok);
    if (!ok)
        m_somaxconn = -1;
    // What the kernel keeps: for a listening socket TCP_INFO's tcpi_sacked is the queue's size.
    tcp_info info{};
    socklen_t length = sizeof(info);
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0)
        m_listenBacklog = int(info.tcpi_sacked);
    else
        m_listenBacklog = m_somaxconn > 0 ? qMin(m_options.listenBacklog, m_somaxconn) : -1;
    if (m_listenBacklog >= 0 && m_listenBacklog < m_options.listenBacklog)
        qCWarning(lcHub).noquote() << "listen backlog" << m_options.listenBacklog << "capped at"
                                   << m_listenBacklog << "by net.core.somaxconn"
                                   << (m_somaxconn >= 0 ? QStringLiteral("(%1)").arg(m_somaxconn) : QString())
                                   << "- raise it with sysctl -w net.core.somaxconn=N";
    return true;
}

bool HubServer::setupTls(QString *error)
{
    if (m_options.certFile.isEmpty() || m_options.keyFile.isEmpty()) {
        *error = QStringLiteral("TLS needs both --cert and --key");
        return false;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(m_options.certFile, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = QStringLiteral("no PEM certificate could be read from %1").arg(m_options.certFile);
        return false;
    }
    QFile keyFile(m_options.keyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read key file %1: %2").arg(m_options.keyFile, keyFile.errorString());
        return false;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = QStringLiteral("no unencrypted PEM private key (RSA, EC or DSA) could be read from %1")
                     .arg(m_options.keyFile);
        return false;
    }
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(chain.first());
    if (chain.size() > 1)
        config.setLocalCertificateChain(chain);
    config.setPrivateKey(key);
    config.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate with tokens, not certificates
    m_server->setSslConfiguration(config);
    return true;
}

QUrl HubServer::url() const
{
    QUrl u;
    u.setScheme(m_server && m_server->secureMode() == QWebSocketServer::SecureMode ? QStringLiteral("wss")
                                                                                   : QStringLiteral("ws"));
    QHostAddress host = m_options.host;
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress::LocalHost;
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    u.setHost(host.toString());
    u.setPort(port());
    return u;
}

quint16 HubServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

quint16 HubServer::healthPort() const
{
    return m_health ? m_health->port() : 0;
}

QUrl HubServer::healthUrl() const
{
    if (!m_health)
        return QUrl();
    QUrl u = url();
    u.setScheme(QStringLiteral("http"));
    // The health port has its own address (--health-host), loopback unless told otherwise.
    QHostAddress host = m_options.healthHost;
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress::LocalHost;
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    u.setHost(host.toString());
    u.setPort(m_health->port());
    return u;
}

quint64 HubServer::rejects(const QString &reason) const
{
    const std::optional<RejectReason> r = rejectReasonFromLabel(reason);
    return r ? m_metrics.rejects(*r) : 0;
}

QStringList HubServer::activeFeeds() const
{
    QStringList names(m_feedChannels.cbegin(), m_feedChannels.cend());
    names.sort();
    return names;
}

// --- sessions ---

void HubServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        if (m_stopping) {
            socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        const QString origin = socket->origin();
        if (!isOriginAllowed(origin, m_options.allowedOrigins)) {
            // Accepted and closed with 1008 (not refused at the HTTP level) so a client learns
            // it is a policy and stops retrying, as PROTOCOL.md's close table says.
            m_metrics.countReject(RejectReason::Origin);
            qCWarning(lcHub).noquote() << "refused connection from" << socket->peerAddress().toString()
                                       << "with Origin" << logSafe(origin);
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("origin not allowed"));
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            QTimer::singleShot(2000, socket, [socket] { socket->abort(); });
            continue;
        }

        // Limits by address before a session exists: a refused client costs a close frame.
        const QString address = ConnectionGuard::addressKey(socket->peerAddress());
        const ConnectionGuard::Verdict verdict = m_guard.admit(address, Clock::current().monotonicMs());
        if (verdict != ConnectionGuard::Verdict::Admit) {
            const bool throttled = verdict == ConnectionGuard::Verdict::TooManyFailedAuths;
            const int code = throttled ? CloseCode::RateLimited : CloseCode::TryAgainLater;
            const QString reason = throttled ? QStringLiteral("too many failed auths")
                                   : verdict == ConnectionGuard::Verdict::TooManyConnections
                                       ? QStringLiteral("too many connections")
                                       : QStringLiteral("too many connections from your address");
            m_metrics.countReject(throttled ? RejectReason::AuthThrottled : RejectReason::ConnectionLimit);
            // A flood of refusals is the case these limits are for: a log line a second at most.
            const qint64 now = Clock::current().monotonicMs();
            if (m_limitLogMs < 0 || now - m_limitLogMs >= 1000) {
                qCWarning(lcHub).noquote()
                    << "refused connection from" << address << "with" << code << reason
                    << (m_limitRefusalsUnlogged ? QStringLiteral("(and %1 more since the last report)")
                                                      .arg(m_limitRefusalsUnlogged)
                                                : QString());
                m_limitLogMs = now;
                m_limitRefusalsUnlogged = 0;
            } else {
                ++m_limitRefusalsUnlogged;
            }
            socket->close(QWebSocketProtocol::CloseCode(code), reason);
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            QTimer::singleShot(2000, socket, [socket] { socket->abort(); });
            continue;
        }
        m_sessionAddress.insert(socket, address);

        const quint64 number = ++m_nextSession;
        const QString id = m_instanceId + QLatin1Char('-') + QString::number(number);
        auto *session =
            new HubSession(*m_context, socket, number, id); // no parent: deleted before the router
        m_sessions.insert(socket, session);
        placeInWheel(session);
        m_metrics.countConnection();
        connect(socket, &QWebSocket::disconnected, this, [this, socket] { onDisconnected(socket); });

        qCInfo(lcHub).noquote() << "client" << session->id() << "connected from"
                                << socket->peerAddress().toString()
                                << (origin.isEmpty() ? QString()
                                                     : QStringLiteral("origin ") + logSafe(origin));
        session->start();
        Q_EMIT clientCountChanged(clientCount());
    }
    checkDescriptors();
}

void HubServer::onDisconnected(QWebSocket *socket)
{
    HubSession *session = m_sessions.take(socket);
    m_guard.release(m_sessionAddress.take(socket));
    if (!session) {
        socket->deleteLater();
        return;
    }
    removeFromWheel(session);
    const int code = socket->closeCode();
    if (code == CloseCode::TooBig && !session->isClosing()) // the session's own refusals are counted
        m_metrics.countReject(RejectReason::TooBig);
    qCInfo(lcHub).noquote() << "client" << session->id() << "disconnected" << code
                            << logSafe(socket->closeReason());
    delete session; // its subscriptions and its socket go with it
    Q_EMIT clientCountChanged(clientCount());
    if (m_stopping && m_sessions.isEmpty())
        finishShutdown();
}

void HubServer::heartbeatTick()
{
    if (m_stopping)
        return;
    const qint64 interval = qMax(10, m_options.heartbeatIntervalMs);
    const qint64 slots = qint64(m_wheel.size());
    const auto dueMs = [&](qint64 turn) { return turn * interval / slots; };
    const qint64 elapsed = m_wheelClock.elapsed();
    // Every slot that is due, in turn. A loop held up for longer than a whole interval takes
    // each slot once, not once for every interval it missed.
    for (qint64 taken = 0; dueMs(m_wheelTurns) <= elapsed; ++taken, ++m_wheelTurns) {
        if (taken < slots)
            heartbeatSlot(int(m_wheelTurns % slots));
    }
    m_heartbeatTimer.start(int(qMax(qint64(1), dueMs(m_wheelTurns) - m_wheelClock.elapsed())));
}

void HubServer::heartbeatSlot(int slot)
{
    const qint64 now = Clock::current().monotonicMs();
    const qint64 limit = 2 * qint64(m_options.heartbeatIntervalMs);
    const QList<HubSession *> sessions = m_wheel[size_t(slot)]; // a drop may change the slot
    QList<quint64> numbers;
    if (m_heartbeatProbe)
        numbers.reserve(sessions.size());
    for (HubSession *s : sessions) {
        if (m_heartbeatProbe)
            numbers.append(s->number());
        s->heartbeat(now, limit);
    }
    if (m_heartbeatProbe)
        m_heartbeatProbe(slot, numbers);
}

void HubServer::placeInWheel(HubSession *session)
{
    const int slots = int(m_wheel.size());
    int best = m_wheelCursor;
    for (int i = 1; i < slots; ++i) {
        const int candidate = (m_wheelCursor + i) % slots;
        if (m_wheel[size_t(candidate)].size() < m_wheel[size_t(best)].size())
            best = candidate;
    }
    m_wheel[size_t(best)].append(session);
    m_wheelSlot.insert(session, best);
    m_wheelCursor = (best + 1) % slots;
}

void HubServer::removeFromWheel(HubSession *session)
{
    const auto it = m_wheelSlot.constFind(session);
    if (it == m_wheelSlot.cend())
        return;
    m_wheel[size_t(it.value())].removeOne(session);
    m_wheelSlot.erase(it);
}

// --- channels ---

void HubServer::publish(const QString &channel, const QJsonValue &data)
{
    if (!isValidChannelName(channel)) {
        qCWarning(lcHub).noquote() << "not publishing to invalid channel name" << logSafe(channel, 60);
        return;
    }
    if (!m_store->isAvailable()) {
        // Counted every time, logged once per outage: a 1 kHz feed must not flood the log.
        m_metrics.countReject(RejectReason::StoreUnavailable);
        if (!m_storeDownLogged) {
            m_storeDownLogged = true;
            qCWarning(lcHub).noquote() << "store unavailable (" << m_store->statusText()
                                       << "): hub samples are dropped until it is back";
        }
        return;
    }
    m_store->append(channel, data, Clock::current().wallMs(), QString(),
                    [this, channel](const AppendResult &r) {
                        if (!r.error.isEmpty()) {
                            m_metrics.countReject(sampleRefusal(r));
                            qCInfo(lcHub).noquote() << "sample on" << channel << "not stored:" << r.error;
                            return;
                        }
                        m_metrics.countPublished();
                    });
}

void HubServer::expireIdleChannels()
{
    // A channel someone is subscribed to is in use however quiet it is; the feeds' own channels
    // are the hub's and stay (they publish anyway).
    m_store->expireIdle(m_options.channelIdleMs, [this](const QString &channel) {
        return m_router.subscriberCount(channel) > 0 || m_feedChannels.contains(channel);
    });
}

void HubServer::onStoreMessage(const QString &channel, const StoredMessage &message)
{
    m_metrics.countChannelMessage(channel);
    m_router.route(channel, message);
}

// --- requests ---

void HubServer::addMethods()
{
    m_requests.add(QStringLiteral("channels.list"), [this](const HubRequests::Call &call) {
        // A page never comes near the frame limit clients hold us to (1 MiB by default; half of
        // ours when a hub is set up with smaller frames).
        ChannelPageLimits limits;
        limits.maxReplyBytes = qMin(limits.maxReplyBytes, m_options.maxMessageBytes / 2);
        return HubRequests::channelPage(call.params, m_store->channels(), m_metrics, limits);
    });
    m_requests.add(QStringLiteral("server.info"), [this](const HubRequests::Call &call) {
        return HubRequests::Reply::ok(serverInfo(call.sessionId));
    });
}

QJsonObject HubServer::serverInfo(const QString &sessionId) const
{
    QJsonObject info;
    info.insert(QLatin1StringView("server"), m_options.serverName);
    info.insert(QLatin1StringView("version"), QStringLiteral(PULSEBOARD_VERSION));
    info.insert(QLatin1StringView("protocol"), 1);
    info.insert(QLatin1StringView("session"), sessionId);
    info.insert(QLatin1StringView("uptimeMs"), double(m_metrics.uptimeMs()));
    info.insert(QLatin1StringView("connections"), clientCount());
    info.insert(QLatin1StringView("store"), m_store ? m_store->kind() : QString());
    info.insert(QLatin1StringView("storeAvailable"), m_store && m_store->isAvailable());
    info.insert(QLatin1StringView("authRequired"), m_auth->isRequired());
    info.insert(QLatin1StringView("heartbeatMs"), m_options.heartbeatIntervalMs);
    // The accept queue the kernel keeps, and what was asked for when somaxconn capped it.
    info.insert(QLatin1StringView("listenBacklog"), m_listenBacklog);
    if (m_listenBacklog >= 0 && m_listenBacklog < m_options.listenBacklog)
        info.insert(QLatin1StringView("listenBacklogRequested"), m_options.listenBacklog);
    info.insert(QLatin1StringView("maxMessageBytes"), double(m_options.maxMessageBytes));
    info.insert(QLatin1StringView("historySize"), m_options.historySize);
    // Budgets (docs/OPERATIONS.md); retainedBytes only from a store that can tell.
    info.insert(QLatin1StringView("maxRetainedBytes"), double(m_options.maxRetainedBytes));
    info.insert(QLatin1StringView("maxChannelBytes"), double(m_options.maxChannelBytes));
    info.insert(QLatin1StringView("maxChannels"), m_options.maxChannels);
    info.insert(QLatin1StringView("maxSubscriptions"), m_options.maxSubscriptions);
    if (m_store && m_store->retainedBytes() >= 0)
        info.insert(QLatin1StringView("retainedBytes"), double(m_store->retainedBytes()));
    info.insert(QLatin1StringView("feeds"), QJsonArray::fromStringList(activeFeeds()));
    info.insert(QLatin1StringView("methods"), QJsonArray::fromStringList(m_requests.methods()));
    return info;
}

// --- metrics and health ---

void HubServer::rateTick()
{
    m_metrics.tick();
    m_guard.prune(Clock::current().monotonicMs());
}

QJsonObject HubServer::statsSnapshot() const
{
    return m_metrics.statsSnapshot(status(false));
}

HubStatus HubServer::status(bool withSubscribers) const
{
    HubStatus st;
    st.serverName = m_options.serverName;
    st.url = url().toString();
    st.connections = clientCount();
    st.stopping = m_stopping;
    st.hasStore = m_store != nullptr;
    if (m_store) {
        st.storeKind = m_store->kind();
        st.storeAvailable = m_store->isAvailable();
        st.storeStatus = m_store->statusText();
        st.retainedBytes = m_store->retainedBytes();
        st.maxRetainedBytes = m_options.maxRetainedBytes;
        if (const auto *memory = qobject_cast<const MemoryChannelStore *>(m_store))
            st.storeChannels = memory->channelCount();
    }
    st.feeds = activeFeeds();
    if (withSubscribers)
        st.subscribers = m_router.subscriberCounts();
    return st;
}

QJsonObject HubServer::health() const
{
    return m_metrics.health(status(false));
}

QByteArray HubServer::prometheusMetrics() const
{
    return m_metrics.prometheusText(status());
}

// --- feeds ---

bool HubServer::startFeeds(QString *error)
{
    const FeedRegistry::Context context{m_options, [this] { return statsSnapshot(); }, this};
    QString why;
    m_feeds = FeedRegistry::builtIn().create(m_options.feeds, context, &why);
    if (!why.isEmpty()) {
        *error = why;
        return false;
    }
    for (Feed *feed : std::as_const(m_feeds)) {
        connect(feed, &Feed::sample, this, &HubServer::publish);
        for (const QString &channel : feed->channels())
            m_feedChannels.insert(channel);
    }
    for (Feed *feed : std::as_const(m_feeds))
        feed->start();
    return true;
}

// --- shutdown ---

void HubServer::shutdown()
{
    if (m_stopping)
        return;
    m_stopping = true;
    qCInfo(lcHub) << "shutting down:" << m_sessions.size() << "client(s) told to go away (1001)";
    for (Feed *feed : std::as_const(m_feeds))
        feed->stop();
    m_heartbeatTimer.stop();
    m_idleTimer.stop();
    m_descriptorWatch.stop();
    m_acceptRetryTimer.stop();
    if (m_server)
        m_server->close();
    const auto sessions = m_sessions.values();
    for (HubSession *s : sessions)
        s->goAway();
    if (m_sessions.isEmpty()) {
        QMetaObject::invokeMethod(this, &HubServer::finishShutdown, Qt::QueuedConnection);
        return;
    }
    m_shutdownTimer.start(qMax(10, m_options.shutdownTimeoutMs));
}

void HubServer::finishShutdown()
{
    if (m_stoppedEmitted)
        return;
    m_stoppedEmitted = true;
    m_shutdownTimer.stop();
    m_rateTimer.stop();
    if (m_health)
        m_health->close();
    qCInfo(lcHub) << "stopped";
    Q_EMIT stopped();
}

// --- connection limits ---

bool HubServer::isOriginAllowed(const QString &origin, const QStringList &allowed)
{
    if (allowed.isEmpty() || origin.isEmpty())
        return true;
    for (const QString &entry : allowed) {
        if (entry == origin)
            return true;
        if (!entry.endsWith(QLatin1StringView(":*")))
            continue;
        const QStringView base = QStringView(entry).chopped(2);
        if (origin == base)
            return true; // the scheme's default port
        if (!origin.startsWith(base) || origin.size() < base.size() + 2 || origin.at(base.size()) != u':')
            continue;
        const QStringView port = QStringView(origin).sliced(base.size() + 1);
        bool ok = false;
        const int n = port.toInt(&ok);
        if (ok && n > 0 && n <= 65535 && port.size() <= 5 && port.at(0).isDigit())
            return true;
    }
    return false;
}

// Qt 6.4's QTcpServer does not pause on EMFILE: accept() fails at every turn of the event loop
// (a busy loop, one core at 100 %) until a descriptor frees, and acceptError is never emitted.
// So the hub watches its own headroom: with fewer than kDescriptorReserve descriptors left it
// pauses accepting (both ports) and tries again after a delay. Where Qt does pause and report
// it (acceptError), the same path resumes it.
namespace {
constexpr int kDescriptorReserve = 4; // left for Redis, a health check, a log file being reopened
} // namespace

bool HubServer::hasDescriptorHeadroom() const
{
    if (m_reserveFd < 0)
        return true;
    int fds[kDescriptorReserve];
    int n = 0;
    for (; n < kDescriptorReserve; ++n) {
        fds[n] = ::fcntl(m_reserveFd, F_DUPFD_CLOEXEC, 0);
        if (fds[n] < 0)
            break;
    }
    for (int i = 0; i < n; ++i)
        ::close(fds[i]);
    return n == kDescriptorReserve;
}

void HubServer::checkDescriptors()
{
    if (m_acceptPaused || m_stopping || !m_server || !m_server->isListening())
        return;
    if (!hasDescriptorHeadroom())
        pauseAccepting(
            QStringLiteral("out of file descriptors (fewer than %1 left)").arg(kDescriptorReserve));
}

void HubServer::onAcceptError()
{
    pauseAccepting(QStringLiteral("accept failed: ") + m_server->errorString());
}

void HubServer::pauseAccepting(const QString &why)
{
    m_metrics.countAcceptError();
    if (!m_acceptPaused) {
        m_acceptPaused = true;
        m_server->pauseAccepting();
        if (m_health)
            m_health->pauseAccepting();
    }
    if (m_acceptRetryMs == 0)
        m_acceptRetryMs = qMax(1, m_options.acceptRetryMinMs);
    else
        m_acceptRetryMs =
            qMin(m_acceptRetryMs * 2, qMax(m_options.acceptRetryMinMs, m_options.acceptRetryMaxMs));
    // One line a second at most, however long it lasts.
    const qint64 now = Clock::current().monotonicMs();
    if (m_acceptErrorLogMs < 0 || now - m_acceptErrorLogMs >= 1000) {
        qCWarning(lcHub).noquote()
            << "accepting paused:" << why << "- trying again in" << m_acceptRetryMs << "ms"
            << (m_acceptErrorsUnlogged
                    ? QStringLiteral("(%1 more since the last report)").arg(m_acceptErrorsUnlogged)
                    : QString());
        m_acceptErrorLogMs = now;
        m_acceptErrorsUnlogged = 0;
    } else {
        ++m_acceptErrorsUnlogged;
    }
    m_acceptRetryTimer.start(m_acceptRetryMs);
}

void HubServer::resumeAccepting()
{
    if (!m_acceptPaused || !m_server || !m_server->isListening() || m_stopping)
        return;
    if (!hasDescriptorHeadroom()) {
        pauseAccepting(QStringLiteral("still out of file descriptors"));
        return;
    }
    m_acceptPaused = false;
    m_acceptRetryMs = 0;
    m_server->resumeAccepting();
    if (m_health)
        m_health->resumeAccepting();
    qCInfo(lcHub) << "accepting connections again";
}

ChannelStore *HubServer::createRedisStore(QString *)
{
    RedisChannelStore::Options o;
    o.url = m_options.redisUrl;
    o.prefix = m_options.redisPrefix;
    o.historySize = m_options.historySize;
    o.dedupeTtlSec = m_options.redisDedupeTtlSec;
    o.maxChannels = m_options.maxChannels;
    o.maxChannelBytes = m_options.maxChannelBytes;
    o.channelIdleMs = m_options.channelIdleMs;
    o.reconnectMaxMs = qMax(100, m_options.redisReconnectMaxMs);
    return new RedisChannelStore(o, this);
}

} // namespace Pulseboard
