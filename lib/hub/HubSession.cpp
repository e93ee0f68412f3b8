#include "HubSession.h"

#include "ChannelStore.h"
#include "ConnectionGuard.h"
#include "HubErrors.h"
#include "HubLogging.h"
#include "HubOptions.h"
#include "HubRequests.h"
#include "RateLimiter.h"
#include "TokenAuth.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"
#include "protocol/Envelope.h"
#include "protocol/EnvelopeDecoder.h"

#include <QPointer>
#include <QTimer>
#include <QWebSocket>

namespace Pulseboard {

HubSession::HubSession(const HubContext &context, QWebSocket *socket, quint64 number, const QString &id,
                       QObject *parent)
    : QObject(parent), m_context(context), m_socket(socket), m_number(number), m_id(id),
      m_authed(!context.auth.isRequired()), m_identity(QStringLiteral("conn:") + id),
      m_lastLifeMs(Clock::current().monotonicMs()),
      m_limiter(std::make_unique<RateLimiter>(context.options.rateLimitPerSec, context.options.rateLimitBurst,
                                              m_lastLifeMs))
{
    m_addressKey = ConnectionGuard::addressKey(socket->peerAddress());
    const HubOptions &o = m_context.options;
    socket->setMaxAllowedIncomingMessageSize(quint64(o.maxMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(o.maxMessageBytes));
    connect(socket, &QWebSocket::textMessageReceived, this, &HubSession::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &HubSession::onBinaryMessage);
    // A paced replay goes on as the socket's unsent bytes go out.
    connect(socket, &QWebSocket::bytesWritten, this, [this](qint64) {
        if (!m_closing)
            m_context.router.drained(this);
    });
    connect(socket, &QWebSocket::pong, this,
            [this](quint64, const QByteArray &) { m_lastLifeMs = Clock::current().monotonicMs(); });
}

HubSession::~HubSession()
{
    // Its subscriptions end with it, whichever way it ended.
    m_context.router.removeSubscriber(this);
    // Not deleted here: this may run inside a signal of the socket (its disconnect).
    m_socket->deleteLater();
}

void HubSession::start()
{
    const HubOptions &o = m_context.options;
    if (m_context.auth.isRequired()) {
        QTimer::singleShot(qMax(10, o.authTimeoutMs), this, [this] {
            if (!m_authed && !m_closing)
                refuse(RejectReason::AuthTimeout, CloseCode::Unauthorized,
                       QStringLiteral("authentication timed out"));
        });
    }
    if (o.sendWelcome) {
        Envelope w;
        w.type = MessageType::Welcome;
        w.server = o.serverName + QLatin1Char('/') + QStringLiteral(PULSEBOARD_VERSION);
        w.session = m_id;
        w.heartbeatMs = o.heartbeatIntervalMs;
        w.authRequired = m_context.auth.isRequired();
        send(w);
    }
}

// --- out ---

void HubSession::send(const Envelope &env)
{
    const QByteArray frame = encodeEnvelope(env);
    sendText(QString::fromUtf8(frame), frame.size());
}

void HubSession::sendText(const QString &text, qint64 bytes)
{
    if (m_closing)
        return;
    m_socket->sendTextMessage(text);
    m_context.metrics.countFrameOut(bytes);
    const qint64 limit = m_context.options.maxSendBufferBytes;
    if (limit > 0 && m_socket->bytesToWrite() > limit)
        drop(RejectReason::SlowClient, QStringLiteral("%1 bytes waiting to be sent (limit %2)")
                                           .arg(m_socket->bytesToWrite())
                                           .arg(limit));
}

void HubSession::sendError(int code, const QString &message, const QString &id)
{
    Envelope e;
    e.type = MessageType::Error;
    e.id = id;
    e.code = code;
    e.text = message;
    send(e);
}

bool HubSession::canTake(qint64 bytes) const
{
    const qint64 waiting = m_socket->bytesToWrite();
    if (waiting == 0)
        return true;
    const qint64 limit = m_context.options.maxSendBufferBytes;
    // Half the limit: room for the live frames of its other channels meanwhile. Without a
    // limit, still paced, by a window of 4 MiB.
    const qint64 window = limit > 0 ? limit / 2 : 4 * 1024 * 1024;
    return waiting + bytes <= window;
}

void HubSession::replayFailed(const QString &reason)
{
    drop(RejectReason::StoreUnavailable, reason);
}

void HubSession::pendingOverflow(qint64 pendingBytes)
{
    drop(RejectReason::SlowClient,
         QStringLiteral("%1 bytes held while its subscribe was answered").arg(pendingBytes));
}

void HubSession::refuse(RejectReason reason, int code, const QString &message, const QString &id)
{
    if (m_closing)
        return;
    m_context.metrics.countReject(reason);
    qCWarning(lcHub).noquote() << "closing client" << m_id << "with" << code << "("
                               << rejectReasonLabel(reason) << "):" << logSafe(message);
    sendError(code, message, id);
    m_closing = true;
    // close() may emit disconnected at once (a peer already gone), and the hub then frees the
    // session: nothing of it is touched after close().
    QWebSocket *socket = m_socket;
    // A peer that never answers the close frame is not waited for.
    QTimer::singleShot(2000, socket, [socket] { socket->abort(); });
    socket->close(QWebSocketProtocol::CloseCode(code), message.left(120));
}

void HubSession::drop(RejectReason reason, const QString &why)
{
    if (m_closing)
        return;
    m_context.metrics.countReject(reason);
    qCWarning(lcHub).noquote() << "dropping client" << m_id << "(" << rejectReasonLabel(reason)
                               << "):" << logSafe(why);
    m_closing = true;
    m_context.router.clearPending(this);
    // Not from inside a send loop: the disconnect handler frees the session.
    QMetaObject::invokeMethod(m_socket, &QWebSocket::abort, Qt::QueuedConnection);
}

void HubSession::heartbeat(qint64 monotonicMs, qint64 limitMs)
{
    if (m_closing)
        return;
    if (monotonicMs - m_lastLifeMs > limitMs) {
        drop(RejectReason::HeartbeatTimeout,
             QStringLiteral("silent for %1 ms (limit %2 ms)").arg(monotonicMs - m_lastLifeMs).arg(limitMs));
        return;
    }
    m_socket->ping();
}

void HubSession::goAway()
{
    m_closing = true;
    m_socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
}

// --- in ---

void HubSession::onBinaryMessage(const QByteArray &data)
{
    if (m_closing)
        return;
    m_context.metrics.countFrameIn(data.size());
    m_lastLifeMs = Clock::current().monotonicMs();
    if (!m_limiter->tryTake(m_lastLifeMs)) {
        refuse(RejectReason::RateLimit, CloseCode::RateLimited, QStringLiteral("rate limit exceeded"));
        return;
    }
    m_context.metrics.countReject(RejectReason::Malformed);
    sendError(CloseCode::Malformed,
              QStringLiteral("binary frames are not part of the protocol; send JSON text"));
}

namespace {

// One decoder per thread: its parser and frame buffer are reused by every session's frames.
EnvelopeDecoder &frameDecoder()
{
    thread_local EnvelopeDecoder decoder;
    return decoder;
}

// What a client may send before `auth` succeeds (PROTOCOL.md: pings are answered before it).
// Unknown types are ignored as always, without reading more of them than the type.
bool allowedBeforeAuth(MessageType type)
{
    return type == MessageType::Auth || type == MessageType::Ping || type == MessageType::Pong ||
           type == MessageType::Unknown;
}

} // namespace

void HubSession::onTextMessage(const QString &text)
{
    if (m_closing)
        return;
    EnvelopeDecoder &decoder = frameDecoder();
    const qint64 bytes = decoder.setFrame(QStringView(text)).size();
    m_context.metrics.countFrameIn(bytes);
    m_lastLifeMs = Clock::current().monotonicMs();
    if (!m_limiter->tryTake(m_lastLifeMs)) {
        refuse(RejectReason::RateLimit, CloseCode::RateLimited,
               QStringLiteral("rate limit exceeded (%1 frames/s, burst %2)")
                   .arg(m_context.options.rateLimitPerSec)
                   .arg(m_context.options.rateLimitBurst));
        return;
    }
    DecodeError error;
    if (!m_authed) {
        // Before auth nothing is built from a frame but its type: a large one is refused
        // unread, and so is any type that needs auth, whatever payload it carries.
        const qint64 cap = m_context.options.maxPreAuthFrameBytes;
        if (cap > 0 && bytes > cap) {
            refuse(RejectReason::TooBig, CloseCode::TooBig,
                   QStringLiteral("frame of %1 bytes before auth (pre-auth limit %2 bytes)")
                       .arg(bytes)
                       .arg(cap));
            return;
        }
        Envelope head;
        if (!decoder.peekType(head, &error)) {
            m_context.metrics.countReject(RejectReason::Malformed);
            qCInfo(lcHub).noquote() << "malformed frame from" << m_id << ":" << logSafe(error.message);
            sendError(CloseCode::Malformed, error.message);
            return;
        }
        if (!allowedBeforeAuth(head.type)) {
            refuse(RejectReason::Auth, CloseCode::Unauthorized, QStringLiteral("authenticate first"),
                   head.id);
            return;
        }
        if (head.type == MessageType::Unknown) {
            handleEnvelope(head);
            return;
        }
    }
    Envelope env;
    QByteArray dataJson;
    // A publish's data stays the JSON text it came as, to the store and to every subscriber.
    if (!decoder.decodeEnvelopeWithDataJson(env, dataJson, &error)) {
        m_context.metrics.countReject(RejectReason::Malformed);
        qCInfo(lcHub).noquote() << "malformed frame from" << m_id << ":" << logSafe(error.message);
        sendError(CloseCode::Malformed, error.message);
        return;
    }
    handleEnvelope(env, dataJson);
}

void HubSession::handleEnvelope(const Envelope &env, const QByteArray &dataJson)
{
    if (!m_authed && env.type != MessageType::Auth && env.type != MessageType::Ping &&
        env.type != MessageType::Pong && env.type != MessageType::Unknown) {
        refuse(RejectReason::Auth, CloseCode::Unauthorized, QStringLiteral("authenticate first"), env.id);
        return;
    }
    switch (env.type) {
    case MessageType::Auth:
        handleAuth(env);
        return;
    case MessageType::Ping:
        send(pongFor(env));
        return;
    case MessageType::Pong:
        return; // life was noted on arrival
    case MessageType::Subscribe:
        m_context.router.subscribe(this, env.channel, env.since, env.id);
        return;
    case MessageType::Unsubscribe: {
        m_context.router.unsubscribe(this, env.channel);
        Envelope out;
        out.type = MessageType::Unsubscribed;
        out.id = env.id;
        out.channel = env.channel;
        send(out);
        return;
    }
    case MessageType::Publish:
        handlePublish(env, dataJson);
        return;
    case MessageType::Request:
        send(m_context.requests.answer(env, m_id));
        return;
    case MessageType::Unknown:
        qCDebug(lcHub).noquote() << "ignoring frame of unknown type" << logSafe(env.typeName, 60) << "from"
                                 << m_id;
        return;
    default:
        qCDebug(lcHub).noquote() << "ignoring server-bound type" << logSafe(env.typeName, 60) << "from"
                                 << m_id;
        return;
    }
}

void HubSession::handleAuth(const Envelope &env)
{
    // An address that failed too often gets no more guesses, on this connection either.
    ConnectionGuard *guard = m_context.guard;
    if (guard && m_context.auth.isRequired() &&
        guard->isThrottled(m_addressKey, Clock::current().monotonicMs())) {
        refuse(RejectReason::AuthThrottled, CloseCode::RateLimited, QStringLiteral("too many failed auths"),
               env.id);
        return;
    }
    const TokenAuth::Verdict verdict = m_context.auth.verify(env.text, Clock::current().wallMs() / 1000);
    if (!verdict.ok) {
        if (guard && m_context.auth.isRequired())
            guard->authFailed(m_addressKey, Clock::current().monotonicMs());
        refuse(verdict.reason == QLatin1StringView("token expired") ? RejectReason::AuthExpired
                                                                    : RejectReason::Auth,
               CloseCode::Unauthorized, verdict.reason, env.id);
        return;
    }
    m_authed = true;
    if (!verdict.subject.isEmpty()) {
        m_identity = verdict.subject;
        qCInfo(lcHub).noquote() << "client" << m_id << "authenticated as" << logSafe(verdict.subject);
    }
    Envelope ack;
    ack.type = MessageType::Ack;
    ack.id = env.id;
    send(ack);
}

void HubSession::handlePublish(const Envelope &env, const QByteArray &dataJson)
{
    if (m_context.isFeedChannel(env.channel)) {
        m_context.metrics.countReject(RejectReason::ReservedChannel);
        sendError(HubError::Forbidden,
                  QStringLiteral("channel %1 is published by the hub's own feed").arg(env.channel), env.id);
        return;
    }
    const QString id = env.id;
    const QString channel = env.channel;
    // Without a token subject, a sender that names itself (`client`) is recognised across its
    // reconnects, so a resend after a dropped connection is not published twice.
    const QString identity = m_identity.startsWith(QLatin1StringView("conn:")) && !env.client.isEmpty()
                                 ? QStringLiteral("client:") + env.client
                                 : m_identity;
    const QString dedupeKey = identity + QLatin1Char('\x1f') + env.id;
    // The answer may come after this session is gone (Redis): the metrics are the hub's, the
    // reply only goes to a session still there.
    HubMetrics *metrics = &m_context.metrics;
    QPointer<HubSession> self(this);
    m_context.store.append(
        channel, dataJson, Clock::current().wallMs(), dedupeKey,
        [metrics, self, id, channel](const AppendResult &r) {
            if (!r.error.isEmpty()) {
                metrics->countReject(RejectReason::StoreUnavailable);
                if (self && !self->m_closing)
                    self->sendError(HubError::Unavailable,
                                    QStringLiteral("publish to %1 not stored: %2").arg(channel, r.error), id);
                return;
            }
            if (!r.duplicate)
                metrics->countPublished();
            if (!self || self->m_closing)
                return;
            Envelope ack;
            ack.type = MessageType::Ack;
            ack.id = id;
            ack.seq = r.seq;
            self->send(ack);
        });
}

} // namespace Pulseboard
