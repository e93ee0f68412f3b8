#include "HubServer.h"

#include "HealthServer.h"
#include "HubLogging.h"
#include "MemoryChannelStore.h"
#include "RateLimiter.h"
#include "RedisChannelStore.h"
#include "TokenAuth.h"
#include "feeds/DemoFeed.h"
#include "feeds/Feed.h"
#include "feeds/HubStatsFeed.h"
#include "feeds/SystemFeed.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"
#include "protocol/Envelope.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>

namespace Pulseboard {

namespace {

// Error codes in `error` replies that are not close codes (HTTP-like, as PROTOCOL.md leaves open).
constexpr int kErrorForbidden = 403;
constexpr int kErrorUnknownMethod = 404;
constexpr int kErrorUnavailable = 503;

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; ++i)
        raw[i] = char(QRandomGenerator::global()->bounded(256));
    return QString::fromLatin1(raw.toHex());
}

QString promEscape(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\\'), QLatin1StringView("\\\\"));
    out.replace(QLatin1Char('"'), QLatin1StringView("\\\""));
    out.replace(QLatin1Char('\n'), QLatin1StringView("\\n"));
    return out;
}

} // namespace

HubServer::HubServer(const HubOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_auth(std::make_unique<TokenAuth>()), m_instanceId(randomHex(4))
{
    m_heartbeatTimer.setInterval(qMax(10, m_options.heartbeatIntervalMs));
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &HubServer::heartbeatTick);
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
}

HubServer::~HubServer()
{
    // Like a crash for the clients (no close frame): shutdown() is the graceful way out.
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        it.key()->disconnect(this);
        it.key()->abort();
        delete it.value();
    }
    m_sessions.clear();
    m_sessionsByNumber.clear();
    for (Feed *feed : std::as_const(m_feeds))
        feed->stop();
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
    m_server = new QWebSocketServer(m_options.serverName,
                                    tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
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
    connect(m_server, &QWebSocketServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        qCWarning(lcHub).noquote() << "accept failed:" << m_server->errorString();
    });

    if (m_options.redisUrl.isEmpty()) {
        m_store = new MemoryChannelStore(m_options.historySize, m_options.dedupeWindow, this);
    } else {
        QString why;
        m_store = createRedisStore(&why);
        if (!m_store)
            return fail(why);
    }
    connect(m_store, &ChannelStore::messageArrived, this, &HubServer::onStoreMessage);
    connect(m_store, &ChannelStore::channelReset, this, &HubServer::onChannelReset);
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

    if (m_options.healthPort >= 0) {
        m_health = new HealthServer(
            [this](const QByteArray &path) {
                HealthServer::Response r;
                if (path == "/healthz") {
                    const QJsonObject h = health();
                    r.status = m_stopping ? 503 : 200;
                    r.contentType = QByteArrayLiteral("application/json");
                    r.body = QJsonDocument(h).toJson(QJsonDocument::Compact) + '\n';
                } else if (path == "/metrics") {
                    r.contentType = QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
                    r.body = prometheusMetrics();
                } else {
                    r.status = 404;
                    r.contentType = QByteArrayLiteral("text/plain; charset=utf-8");
                    r.body = QByteArrayLiteral("not found: try /healthz or /metrics\n");
                }
                return r;
            },
            this);
        QString why;
        if (!m_health->listen(m_options.host, quint16(m_options.healthPort), &why)) {
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

    m_uptime.start();
    m_heartbeatTimer.start();
    m_rateTimer.start();
    m_started = true;
    qCInfo(lcHub).noquote() << "listening on" << url().toString() << "store:" << m_store->kind()
                            << "auth:" << (m_auth->isRequired() ? "tokens" : "open")
                            << "feeds:" << activeFeeds().join(QLatin1Char(','));
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
    u.setPort(m_health->port());
    return u;
}

QStringList HubServer::activeFeeds() const
{
    QStringList names(m_feedChannels.cbegin(), m_feedChannels.cend());
    names.sort();
    return names;
}

// --- connections ---

void HubServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        if (m_stopping) {
            socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        const QString origin = socket->origin();
        if (!m_options.allowedOrigins.isEmpty() && !origin.isEmpty()
            && !m_options.allowedOrigins.contains(origin)) {
            // Accepted and closed with 1008 (not refused at the HTTP level) so a client learns
            // it is a policy and stops retrying, as PROTOCOL.md's close table says.
            countReject(QStringLiteral("origin"));
            qCWarning(lcHub).noquote() << "refused connection from" << socket->peerAddress().toString()
                                       << "with Origin" << origin.left(200);
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("origin not allowed"));
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            QTimer::singleShot(2000, socket, [socket] { socket->abort(); });
            continue;
        }

        auto *session = new Session;
        session->number = ++m_nextSession;
        session->id = m_instanceId + QLatin1Char('-') + QString::number(session->number);
        session->socket = socket;
        session->authed = !m_auth->isRequired();
        session->identity = QStringLiteral("conn:") + session->id;
        session->lastLifeMs = Clock::current().monotonicMs();
        session->limiter = std::make_unique<RateLimiter>(m_options.rateLimitPerSec, m_options.rateLimitBurst,
                                                         session->lastLifeMs);
        m_sessions.insert(socket, session);
        m_sessionsByNumber.insert(session->number, session);
        ++m_metrics.connectionsTotal;

        socket->setMaxAllowedIncomingMessageSize(quint64(m_options.maxMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(m_options.maxMessageBytes));
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, socket](const QString &text) {
                    if (Session *s = m_sessions.value(socket))
                        onTextMessage(s, text);
                });
        connect(socket, &QWebSocket::binaryMessageReceived, this, [this, socket](const QByteArray &data) {
            if (Session *s = m_sessions.value(socket))
                onBinaryMessage(s, data);
        });
        connect(socket, &QWebSocket::pong, this, [this, socket](quint64, const QByteArray &) {
            if (Session *s = m_sessions.value(socket))
                s->lastLifeMs = Clock::current().monotonicMs();
        });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] { onDisconnected(socket); });

        qCInfo(lcHub).noquote() << "client" << session->id << "connected from" << socket->peerAddress().toString()
                                << (origin.isEmpty() ? QString() : QStringLiteral("origin ") + origin);

        if (m_auth->isRequired()) {
            const quint64 number = session->number;
            QTimer::singleShot(qMax(10, m_options.authTimeoutMs), socket, [this, number] {
                Session *s = sessionFor(number);
                if (s && !s->authed && !s->closing)
                    refuse(s, QStringLiteral("auth_timeout"), CloseCode::Unauthorized,
                           QStringLiteral("authentication timed out"));
            });
        }
        if (m_options.sendWelcome) {
            Envelope w;
            w.type = MessageType::Welcome;
            w.server = m_options.serverName + QLatin1Char('/') + QStringLiteral(PULSEBOARD_VERSION);
            w.session = session->id;
            w.heartbeatMs = m_options.heartbeatIntervalMs;
            w.authRequired = m_auth->isRequired();
            send(session, w);
        }
        Q_EMIT clientCountChanged(clientCount());
    }
}

void HubServer::onDisconnected(QWebSocket *socket)
{
    Session *session = m_sessions.take(socket);
    socket->deleteLater();
    if (!session)
        return;
    m_sessionsByNumber.remove(session->number);
    for (auto it = session->subscriptions.cbegin(); it != session->subscriptions.cend(); ++it) {
        auto sit = m_subscribers.find(it.key());
        if (sit != m_subscribers.end()) {
            sit->remove(session->number);
            if (sit->isEmpty())
                m_subscribers.erase(sit);
        }
    }
    const int code = socket->closeCode();
    if (code == CloseCode::TooBig)
        countReject(QStringLiteral("too_big"));
    qCInfo(lcHub).noquote() << "client" << session->id << "disconnected" << code << socket->closeReason();
    delete session;
    Q_EMIT clientCountChanged(clientCount());
    if (m_stopping && m_sessions.isEmpty())
        finishShutdown();
}

void HubServer::countReject(const QString &reason)
{
    m_metrics.rejects[reason] += 1;
}

void HubServer::refuse(Session *session, const QString &reason, int code, const QString &message,
                       const QString &id)
{
    if (session->closing)
        return;
    countReject(reason);
    qCWarning(lcHub).noquote() << "closing client" << session->id << "with" << code << "(" << reason << "):"
                               << message;
    sendError(session, code, message, id);
    session->closing = true;
    // close() may emit disconnected at once (a peer already gone), and onDisconnected frees the
    // session: nothing of it is touched after close().
    QWebSocket *socket = session->socket;
    // A peer that never answers the close frame is not waited for.
    QTimer::singleShot(2000, socket, [socket] { socket->abort(); });
    socket->close(QWebSocketProtocol::CloseCode(code), message.left(120));
}

void HubServer::drop(Session *session, const QString &reason, const QString &why)
{
    if (session->closing)
        return;
    countReject(reason);
    qCWarning(lcHub).noquote() << "dropping client" << session->id << "(" << reason << "):" << why;
    session->closing = true;
    for (Subscription &sub : session->subscriptions) {
        sub.pending.clear();
        sub.pendingBytes = 0;
    }
    // Not from inside a send loop: the disconnect handler frees the session.
    QMetaObject::invokeMethod(session->socket, &QWebSocket::abort, Qt::QueuedConnection);
}

void HubServer::send(Session *session, const Envelope &env)
{
    const QByteArray frame = encodeEnvelope(env);
    sendText(session, QString::fromUtf8(frame), frame.size());
}

void HubServer::sendText(Session *session, const QString &text, qint64 bytes)
{
    if (session->closing)
        return;
    session->socket->sendTextMessage(text);
    ++m_metrics.framesOut;
    m_metrics.bytesOut += quint64(bytes);
    if (m_options.maxSendBufferBytes > 0 && session->socket->bytesToWrite() > m_options.maxSendBufferBytes)
        drop(session, QStringLiteral("slow_client"),
             QStringLiteral("%1 bytes waiting to be sent (limit %2)")
                 .arg(session->socket->bytesToWrite())
                 .arg(m_options.maxSendBufferBytes));
}

void HubServer::sendError(Session *session, int code, const QString &message, const QString &id)
{
    Envelope e;
    e.type = MessageType::Error;
    e.id = id;
    e.code = code;
    e.text = message;
    send(session, e);
}

// --- frames ---

void HubServer::onBinaryMessage(Session *session, const QByteArray &data)
{
    if (session->closing)
        return;
    ++m_metrics.framesIn;
    m_metrics.bytesIn += quint64(data.size());
    session->lastLifeMs = Clock::current().monotonicMs();
    if (!session->limiter->tryTake(session->lastLifeMs)) {
        refuse(session, QStringLiteral("rate_limit"), CloseCode::RateLimited, QStringLiteral("rate limit exceeded"));
        return;
    }
    countReject(QStringLiteral("malformed"));
    sendError(session, CloseCode::Malformed, QStringLiteral("binary frames are not part of the protocol; send JSON text"));
}

void HubServer::onTextMessage(Session *session, const QString &text)
{
    if (session->closing)
        return;
    const QByteArray utf8 = text.toUtf8();
    ++m_metrics.framesIn;
    m_metrics.bytesIn += quint64(utf8.size());
    session->lastLifeMs = Clock::current().monotonicMs();
    if (!session->limiter->tryTake(session->lastLifeMs)) {
        refuse(session, QStringLiteral("rate_limit"), CloseCode::RateLimited,
               QStringLiteral("rate limit exceeded (%1 frames/s, burst %2)")
                   .arg(m_options.rateLimitPerSec)
                   .arg(m_options.rateLimitBurst));
        return;
    }
    Envelope env;
    DecodeError error;
    if (!decodeEnvelope(utf8, env, &error)) {
        countReject(QStringLiteral("malformed"));
        qCInfo(lcHub).noquote() << "malformed frame from" << session->id << ":" << error.message;
        sendError(session, CloseCode::Malformed, error.message);
        return;
    }
    handleEnvelope(session, env);
}

void HubServer::handleEnvelope(Session *session, const Envelope &env)
{
    if (!session->authed && env.type != MessageType::Auth && env.type != MessageType::Ping
        && env.type != MessageType::Pong && env.type != MessageType::Unknown) {
        refuse(session, QStringLiteral("auth"), CloseCode::Unauthorized, QStringLiteral("authenticate first"), env.id);
        return;
    }
    switch (env.type) {
    case MessageType::Auth: {
        const TokenAuth::Verdict verdict = m_auth->verify(env.text, Clock::current().wallMs() / 1000);
        if (!verdict.ok) {
            refuse(session,
                   verdict.reason == QLatin1StringView("token expired") ? QStringLiteral("auth_expired")
                                                                        : QStringLiteral("auth"),
                   CloseCode::Unauthorized, verdict.reason, env.id);
            return;
        }
        session->authed = true;
        if (!verdict.subject.isEmpty()) {
            session->identity = verdict.subject;
            qCInfo(lcHub).noquote() << "client" << session->id << "authenticated as" << verdict.subject;
        }
        Envelope ack;
        ack.type = MessageType::Ack;
        ack.id = env.id;
        send(session, ack);
        return;
    }
    case MessageType::Ping: {
        send(session, pongFor(env));
        return;
    }
    case MessageType::Pong:
        return; // life was noted on arrival
    case MessageType::Subscribe:
        handleSubscribe(session, env);
        return;
    case MessageType::Unsubscribe: {
        if (session->subscriptions.remove(env.channel)) {
            auto it = m_subscribers.find(env.channel);
            if (it != m_subscribers.end()) {
                it->remove(session->number);
                if (it->isEmpty())
                    m_subscribers.erase(it);
            }
        }
        Envelope out;
        out.type = MessageType::Unsubscribed;
        out.id = env.id;
        out.channel = env.channel;
        send(session, out);
        return;
    }
    case MessageType::Publish:
        handlePublish(session, env);
        return;
    case MessageType::Request:
        handleRequest(session, env);
        return;
    case MessageType::Unknown:
        qCDebug(lcHub).noquote() << "ignoring frame of unknown type" << env.typeName.left(60) << "from" << session->id;
        return;
    default:
        qCDebug(lcHub).noquote() << "ignoring server-bound type" << env.typeName << "from" << session->id;
        return;
    }
}

void HubServer::handleSubscribe(Session *session, const Envelope &env)
{
    Subscription &sub = session->subscriptions[env.channel];
    sub.ready = false;
    sub.pending.clear();
    sub.pendingBytes = 0;
    const quint64 generation = ++sub.generation;
    m_subscribers[env.channel].insert(session->number);

    const quint64 number = session->number;
    const QString id = env.id;
    const QString channel = env.channel;
    const qint64 since = env.since;
    m_store->fetch(channel, since, [this, number, generation, id, channel, since](const FetchResult &result) {
        Session *s = sessionFor(number);
        if (!s || s->closing)
            return;
        auto it = s->subscriptions.find(channel);
        if (it == s->subscriptions.end() || it->generation != generation)
            return; // unsubscribed or subscribed again meanwhile: that one answers
        Subscription &sub = *it;
        if (!result.error.isEmpty()) {
            s->subscriptions.erase(it);
            auto subs = m_subscribers.find(channel);
            if (subs != m_subscribers.end()) {
                subs->remove(number);
                if (subs->isEmpty())
                    m_subscribers.erase(subs);
            }
            sendError(s, kErrorUnavailable, QStringLiteral("cannot subscribe to %1: %2").arg(channel, result.error), id);
            return;
        }
        Envelope out;
        out.type = MessageType::Subscribed;
        out.id = id;
        out.channel = channel;
        out.seq = result.latestSeq;
        if (since >= 0) {
            out.hasRecovered = true;
            out.recovered = since >= result.latestSeq
                            || (result.firstRetainedSeq > 0 && since + 1 >= result.firstRetainedSeq);
        }
        send(s, out);
        // A client holding a seq beyond ours (we restarted) gets everything from our start.
        sub.lastSent = since >= 0 ? qMin(since, result.latestSeq) : result.latestSeq;
        const QList<StoredMessage> pending = std::move(sub.pending);
        sub.pending.clear();
        sub.pendingBytes = 0;
        sub.ready = true;
        if (since >= 0) {
            for (const StoredMessage &m : result.messages) {
                if (s->closing)
                    return;
                deliver(s, sub, m, QString::fromUtf8(m.frame));
            }
        }
        for (const StoredMessage &m : pending) {
            if (s->closing)
                return;
            deliver(s, sub, m, QString::fromUtf8(m.frame));
        }
    });
}

void HubServer::deliver(Session *session, Subscription &sub, const StoredMessage &message, const QString &text)
{
    if (message.seq <= sub.lastSent)
        return; // already sent by the replay or the live stream
    sub.lastSent = message.seq;
    sendText(session, text, message.frame.size());
}

void HubServer::handlePublish(Session *session, const Envelope &env)
{
    if (m_feedChannels.contains(env.channel)) {
        countReject(QStringLiteral("reserved_channel"));
        sendError(session, kErrorForbidden,
                  QStringLiteral("channel %1 is published by the hub's own feed").arg(env.channel), env.id);
        return;
    }
    const quint64 number = session->number;
    const QString id = env.id;
    const QString channel = env.channel;
    // Without a token subject, a sender that names itself (`client`) is recognised across its
    // reconnects, so a resend after a dropped connection is not published twice.
    const QString identity = session->identity.startsWith(QLatin1StringView("conn:")) && !env.client.isEmpty()
                                 ? QStringLiteral("client:") + env.client
                                 : session->identity;
    const QString dedupeKey = identity + QLatin1Char('\x1f') + env.id;
    m_store->append(channel, env.data, Clock::current().wallMs(), dedupeKey, [this, number, id, channel](const AppendResult &r) {
        Session *s = sessionFor(number);
        if (!r.error.isEmpty()) {
            countReject(QStringLiteral("store_unavailable"));
            if (s && !s->closing)
                sendError(s, kErrorUnavailable, QStringLiteral("publish to %1 not stored: %2").arg(channel, r.error), id);
            return;
        }
        if (!r.duplicate)
            ++m_metrics.published;
        if (!s || s->closing)
            return;
        Envelope ack;
        ack.type = MessageType::Ack;
        ack.id = id;
        ack.seq = r.seq;
        send(s, ack);
    });
}

void HubServer::publish(const QString &channel, const QJsonValue &data)
{
    if (!isValidChannelName(channel)) {
        qCWarning(lcHub).noquote() << "not publishing to invalid channel name" << channel.left(60);
        return;
    }
    if (!m_store->isAvailable()) {
        // Counted every time, logged once per outage: a 1 kHz feed must not flood the log.
        countReject(QStringLiteral("store_unavailable"));
        if (!m_storeDownLogged) {
            m_storeDownLogged = true;
            qCWarning(lcHub).noquote() << "store unavailable (" << m_store->statusText()
                                       << "): hub samples are dropped until it is back";
        }
        return;
    }
    m_store->append(channel, data, Clock::current().wallMs(), QString(), [this, channel](const AppendResult &r) {
        if (!r.error.isEmpty()) {
            countReject(QStringLiteral("store_unavailable"));
            qCInfo(lcHub).noquote() << "sample on" << channel << "not stored:" << r.error;
            return;
        }
        ++m_metrics.published;
    });
}

void HubServer::onStoreMessage(const QString &channel, const StoredMessage &message)
{
    m_channelStats[channel].total += 1;
    const auto subscribers = m_subscribers.value(channel);
    if (subscribers.isEmpty())
        return;
    const QString text = QString::fromUtf8(message.frame);
    for (quint64 number : subscribers) {
        Session *s = sessionFor(number);
        if (!s || s->closing)
            continue;
        auto it = s->subscriptions.find(channel);
        if (it == s->subscriptions.end())
            continue;
        if (!it->ready) {
            it->pending.append(message);
            it->pendingBytes += message.frame.size();
            if (m_options.maxSendBufferBytes > 0 && it->pendingBytes > m_options.maxSendBufferBytes)
                drop(s, QStringLiteral("slow_client"),
                     QStringLiteral("%1 bytes held while its subscribe was answered").arg(it->pendingBytes));
            continue;
        }
        deliver(s, *it, message, text);
    }
}

void HubServer::onChannelReset(const QString &channel)
{
    // Subscribers are told where the channel starts again (an unsolicited `subscribed` with the
    // seq we restart from), so their clients report the reset instead of taking the new seq 1
    // for a duplicate of the old one.
    const auto subscribers = m_subscribers.value(channel);
    for (quint64 number : subscribers) {
        Session *s = sessionFor(number);
        if (!s || s->closing)
            continue;
        auto it = s->subscriptions.find(channel);
        if (it == s->subscriptions.end() || !it->ready)
            continue;
        it->lastSent = 0;
        Envelope out;
        out.type = MessageType::Subscribed;
        out.channel = channel;
        out.seq = 0;
        out.hasRecovered = true;
        out.recovered = false;
        send(s, out);
    }
}

void HubServer::handleRequest(Session *session, const Envelope &env)
{
    Envelope out;
    out.id = env.id;
    if (env.text == QLatin1StringView("channels.list")) {
        QHash<QString, qint64> seqs;
        for (const ChannelInfo &c : m_store->channels())
            seqs.insert(c.name, c.seq);
        for (auto it = m_channelStats.cbegin(); it != m_channelStats.cend(); ++it)
            seqs.insert(it.key(), qMax(seqs.value(it.key()), qint64(0)));
        QStringList names = seqs.keys();
        names.sort();
        QJsonArray list;
        for (const QString &name : std::as_const(names)) {
            QJsonObject o;
            o.insert(QLatin1StringView("name"), name);
            o.insert(QLatin1StringView("seq"), double(seqs.value(name)));
            o.insert(QLatin1StringView("rate"), m_channelStats.value(name).rate);
            list.append(o);
        }
        out.type = MessageType::Response;
        out.data = list;
    } else if (env.text == QLatin1StringView("server.info")) {
        QJsonObject info;
        info.insert(QLatin1StringView("server"), m_options.serverName);
        info.insert(QLatin1StringView("version"), QStringLiteral(PULSEBOARD_VERSION));
        info.insert(QLatin1StringView("protocol"), 1);
        info.insert(QLatin1StringView("session"), session->id);
        info.insert(QLatin1StringView("uptimeMs"), double(m_uptime.elapsed()));
        info.insert(QLatin1StringView("connections"), clientCount());
        info.insert(QLatin1StringView("store"), m_store->kind());
        info.insert(QLatin1StringView("storeAvailable"), m_store->isAvailable());
        info.insert(QLatin1StringView("authRequired"), m_auth->isRequired());
        info.insert(QLatin1StringView("heartbeatMs"), m_options.heartbeatIntervalMs);
        info.insert(QLatin1StringView("maxMessageBytes"), double(m_options.maxMessageBytes));
        info.insert(QLatin1StringView("historySize"), m_options.historySize);
        info.insert(QLatin1StringView("feeds"), QJsonArray::fromStringList(activeFeeds()));
        out.type = MessageType::Response;
        out.data = info;
    } else {
        out.type = MessageType::Error;
        out.code = kErrorUnknownMethod;
        out.text = QStringLiteral("unknown method '%1' (this hub serves channels.list, server.info)")
                       .arg(env.text.left(60));
    }
    send(session, out);
}

// --- timers ---

void HubServer::heartbeatTick()
{
    const qint64 now = Clock::current().monotonicMs();
    const qint64 limit = 2 * qint64(m_options.heartbeatIntervalMs);
    const auto sessions = m_sessions.values();
    for (Session *s : sessions) {
        if (s->closing)
            continue;
        if (now - s->lastLifeMs > limit) {
            drop(s, QStringLiteral("heartbeat_timeout"),
                 QStringLiteral("silent for %1 ms (limit %2 ms)").arg(now - s->lastLifeMs).arg(limit));
            continue;
        }
        s->socket->ping();
    }
}

void HubServer::rateTick()
{
    for (auto it = m_channelStats.begin(); it != m_channelStats.end(); ++it) {
        it->rate = double(it->total - it->lastTotal);
        it->lastTotal = it->total;
    }
    QJsonObject rates;
    rates.insert(QLatin1StringView("framesInPerSec"), double(m_metrics.framesIn - m_lastTick.framesIn));
    rates.insert(QLatin1StringView("framesOutPerSec"), double(m_metrics.framesOut - m_lastTick.framesOut));
    rates.insert(QLatin1StringView("bytesInPerSec"), double(m_metrics.bytesIn - m_lastTick.bytesIn));
    rates.insert(QLatin1StringView("bytesOutPerSec"), double(m_metrics.bytesOut - m_lastTick.bytesOut));
    rates.insert(QLatin1StringView("publishedPerSec"), double(m_metrics.published - m_lastTick.published));
    m_rates = rates;
    m_lastTick = m_metrics;
}

QJsonObject HubServer::statsSnapshot() const
{
    QJsonObject o = m_rates;
    o.insert(QLatin1StringView("connections"), clientCount());
    o.insert(QLatin1StringView("channels"), int(m_channelStats.size()));
    o.insert(QLatin1StringView("framesIn"), double(m_metrics.framesIn));
    o.insert(QLatin1StringView("framesOut"), double(m_metrics.framesOut));
    o.insert(QLatin1StringView("published"), double(m_metrics.published));
    quint64 rejects = 0;
    for (quint64 n : m_metrics.rejects)
        rejects += n;
    o.insert(QLatin1StringView("rejects"), double(rejects));
    o.insert(QLatin1StringView("uptimeMs"), double(m_uptime.isValid() ? m_uptime.elapsed() : 0));
    o.insert(QLatin1StringView("storeAvailable"), m_store && m_store->isAvailable());
    return o;
}

// --- health ---

QJsonObject HubServer::health() const
{
    QJsonObject h;
    const bool storeOk = m_store && m_store->isAvailable();
    h.insert(QLatin1StringView("status"),
             m_stopping ? QStringLiteral("stopping") : storeOk ? QStringLiteral("ok") : QStringLiteral("degraded"));
    h.insert(QLatin1StringView("server"), m_options.serverName);
    h.insert(QLatin1StringView("version"), QStringLiteral(PULSEBOARD_VERSION));
    h.insert(QLatin1StringView("uptimeMs"), double(m_uptime.isValid() ? m_uptime.elapsed() : 0));
    h.insert(QLatin1StringView("connections"), clientCount());
    h.insert(QLatin1StringView("url"), url().toString());
    QJsonObject store;
    store.insert(QLatin1StringView("kind"), m_store ? m_store->kind() : QString());
    store.insert(QLatin1StringView("available"), storeOk);
    store.insert(QLatin1StringView("status"), m_store ? m_store->statusText() : QString());
    h.insert(QLatin1StringView("store"), store);
    h.insert(QLatin1StringView("feeds"), QJsonArray::fromStringList(activeFeeds()));
    return h;
}

QByteArray HubServer::prometheusMetrics() const
{
    QString out;
    auto metric = [&out](const char *name, const char *type, const char *help, double value) {
        out += QStringLiteral("# HELP pulseboard_hub_%1 %2\n# TYPE pulseboard_hub_%1 %3\npulseboard_hub_%1 %4\n")
                   .arg(QLatin1StringView(name), QLatin1StringView(help), QLatin1StringView(type))
                   .arg(value, 0, 'g', 15);
    };
    metric("connections", "gauge", "WebSocket clients connected now.", clientCount());
    metric("connections_total", "counter", "WebSocket clients accepted since start.", double(m_metrics.connectionsTotal));
    metric("messages_in_total", "counter", "Frames received from clients.", double(m_metrics.framesIn));
    metric("messages_out_total", "counter", "Frames sent to clients.", double(m_metrics.framesOut));
    metric("bytes_in_total", "counter", "Payload bytes received from clients.", double(m_metrics.bytesIn));
    metric("bytes_out_total", "counter", "Payload bytes sent to clients.", double(m_metrics.bytesOut));
    metric("published_total", "counter", "Messages stored through this hub.", double(m_metrics.published));
    metric("uptime_seconds", "gauge", "Seconds since the hub started.",
           m_uptime.isValid() ? double(m_uptime.elapsed()) / 1000.0 : 0.0);
    metric("store_available", "gauge", "1 when the channel store (memory or Redis) is reachable.",
           m_store && m_store->isAvailable() ? 1 : 0);

    out += QStringLiteral("# HELP pulseboard_hub_rejects_total Clients refused or dropped, by reason.\n"
                          "# TYPE pulseboard_hub_rejects_total counter\n");
    for (auto it = m_metrics.rejects.cbegin(); it != m_metrics.rejects.cend(); ++it)
        out += QStringLiteral("pulseboard_hub_rejects_total{reason=\"%1\"} %2\n").arg(promEscape(it.key())).arg(it.value());

    QStringList channels = m_channelStats.keys();
    channels.sort();
    out += QStringLiteral("# HELP pulseboard_hub_channel_messages_total Messages delivered to this hub per channel.\n"
                          "# TYPE pulseboard_hub_channel_messages_total counter\n");
    for (const QString &c : std::as_const(channels))
        out += QStringLiteral("pulseboard_hub_channel_messages_total{channel=\"%1\"} %2\n")
                   .arg(promEscape(c))
                   .arg(m_channelStats.value(c).total);
    out += QStringLiteral("# HELP pulseboard_hub_channel_rate Messages a second per channel over the last second.\n"
                          "# TYPE pulseboard_hub_channel_rate gauge\n");
    for (const QString &c : std::as_const(channels))
        out += QStringLiteral("pulseboard_hub_channel_rate{channel=\"%1\"} %2\n")
                   .arg(promEscape(c))
                   .arg(m_channelStats.value(c).rate, 0, 'g', 15);
    out += QStringLiteral("# HELP pulseboard_hub_channel_subscribers Local subscribers per channel.\n"
                          "# TYPE pulseboard_hub_channel_subscribers gauge\n");
    QStringList subscribed = m_subscribers.keys();
    subscribed.sort();
    for (const QString &c : std::as_const(subscribed))
        out += QStringLiteral("pulseboard_hub_channel_subscribers{channel=\"%1\"} %2\n")
                   .arg(promEscape(c))
                   .arg(m_subscribers.value(c).size());
    return out.toUtf8();
}

// --- feeds ---

bool HubServer::startFeeds(QString *error)
{
    const QStringList known = Feed::builtInNames();
    QStringList wanted = m_options.feeds.isEmpty() ? known : m_options.feeds;
    wanted.removeDuplicates();
    for (const QString &name : std::as_const(wanted)) {
        if (!known.contains(name)) {
            *error = QStringLiteral("unknown feed '%1' (known: %2)").arg(name, known.join(QStringLiteral(", ")));
            return false;
        }
    }
    for (const QString &name : std::as_const(wanted)) {
        Feed *feed = nullptr;
        if (name.startsWith(QLatin1StringView("sys.")))
            feed = new SystemFeed(SystemFeed::kindFromChannel(name), m_options.systemFeedHz, this);
        else if (name == QLatin1StringView("demo.wave"))
            feed = new DemoWaveFeed(m_options.waveHz, this);
        else if (name == QLatin1StringView("demo.events"))
            feed = new DemoEventsFeed(m_options.eventsMeanIntervalMs, this);
        else if (name == QLatin1StringView("hub.stats"))
            feed = new HubStatsFeed(this, m_options.statsIntervalMs, this);
        Q_ASSERT(feed);
        connect(feed, &Feed::sample, this, &HubServer::publish);
        m_feeds.append(feed);
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
    if (m_server)
        m_server->close();
    const auto sessions = m_sessions.values();
    for (Session *s : sessions) {
        s->closing = true;
        s->socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
    }
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

} // namespace Pulseboard

namespace Pulseboard {

ChannelStore *HubServer::createRedisStore(QString *)
{
    RedisChannelStore::Options o;
    o.url = m_options.redisUrl;
    o.prefix = m_options.redisPrefix;
    o.historySize = m_options.historySize;
    o.dedupeTtlSec = m_options.redisDedupeTtlSec;
    o.reconnectMaxMs = qMax(100, m_options.redisReconnectMaxMs);
    return new RedisChannelStore(o, this);
}

} // namespace Pulseboard
