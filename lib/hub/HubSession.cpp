#include "HubSession.h"

#include "ChannelStore.h"
#include "ConnectionGuard.h"
#include "FrameDecodePool.h"
#include "HubErrors.h"
#include "HubLogging.h"
#include "HubOptions.h"
#include "HubRequests.h"
#include "RateLimiter.h"
#include "TokenAuth.h"
#include "feeds/FeedRegistry.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"
#include "protocol/Envelope.h"
#include "protocol/EnvelopeDecoder.h"

#include <QList>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <utility>

namespace Pulseboard {

namespace {

// The end of an event-loop pass for every session of the thread: sessions that queued output
// during the pass are listed once, and one queued call (run at the next turn of the loop,
// before it sleeps) writes each of them. Sessions listed while it runs wait for the next turn.
class OutputFlusher : public QObject
{
public:
    void schedule(HubSession *session)
    {
        m_pending.append(session);
        if (!m_posted) {
            m_posted = true;
            QMetaObject::invokeMethod(
                this, [this] { run(); }, Qt::QueuedConnection);
        }
    }
    // A session going away (it may be in either list).
    void cancel(HubSession *session)
    {
        m_pending.removeAll(session);
        std::replace(m_running.begin(), m_running.end(), session, static_cast<HubSession *>(nullptr));
    }

private:
    void run()
    {
        m_posted = false;
        m_running = std::exchange(m_pending, {});
        // By index: a flush may free its own session (a write error disconnects it), which then
        // leaves a null here, and may list sessions again (into m_pending).
        for (qsizetype i = 0; i < m_running.size(); ++i) {
            if (HubSession *session = m_running.at(i))
                session->flushOutput();
        }
        m_running.clear();
    }

    QList<HubSession *> m_pending;
    QList<HubSession *> m_running;
    bool m_posted = false;
};

OutputFlusher &outputFlusher()
{
    thread_local OutputFlusher flusher;
    return flusher;
}

} // namespace

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
    connect(socket, &QWebSocket::pong, this,
            [this](quint64, const QByteArray &) { m_lastLifeMs = Clock::current().monotonicMs(); });
    m_expiryTimer.setSingleShot(true);
    m_expiryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_expiryTimer, &QTimer::timeout, this, &HubSession::armExpiry);
}

HubSession::~HubSession()
{
    if (m_flushScheduled)
        outputFlusher().cancel(this);
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
    // Queued for the end of the pass (flushOutput), in order with everything else sent to it.
    m_outQueue.append(text);
    m_outQueuedBytes += bytes;
    m_context.metrics.countFrameOut(bytes);
    const qint64 limit = m_context.options.maxSendBufferBytes;
    // What the socket held at the last flush only shrinks until the next: asked again only
    // when that estimate is over the limit.
    if (limit > 0 && m_flushedUnsent + m_outQueuedBytes > limit) {
        m_flushedUnsent = m_socket->bytesToWrite();
        const qint64 waiting = m_flushedUnsent + m_outQueuedBytes;
        if (waiting > limit) {
            drop(RejectReason::SlowClient,
                 QStringLiteral("%1 bytes waiting to be sent (limit %2)").arg(waiting).arg(limit));
            return;
        }
    }
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        outputFlusher().schedule(this);
    }
}

void HubSession::writeQueued()
{
    const QList<QString> frames = std::exchange(m_outQueue, {});
    m_outQueuedBytes = 0;
    for (const QString &frame : frames)
        m_socket->sendTextMessage(frame);
}

void HubSession::flushOutput()
{
    m_flushScheduled = false;
    if (m_closing || m_outQueue.isEmpty())
        return;
    writeQueued();
    // Out to the kernel now, in one write, rather than when the write notifier comes round.
    // This may end the session (a write error disconnects it): nothing of it is touched after.
    QPointer<HubSession> self(this);
    m_socket->flush();
    if (self)
        m_flushedUnsent = m_socket->bytesToWrite();
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
    const qint64 waiting = m_socket->bytesToWrite() + m_outQueuedBytes;
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

void HubSession::replayBlocked()
{
    if (m_closing)
        return;
    // A paced replay goes on as the socket's unsent bytes go out. Listened to only while a
    // replay waits: a live subscriber's every write does not pass through here.
    if (!m_drainConnection) {
        m_drainConnection = connect(m_socket, &QWebSocket::bytesWritten, this, [this](qint64) {
            if (m_closing)
                return;
            if (m_replayStallTimer && m_replayStallTimer->isActive())
                m_replayStallTimer->start(); // the socket moves: the replay is not stalled
            m_context.router.drained(this);
            if (!m_closing && !m_context.router.isWaitingForDrain(this)) {
                disconnect(m_drainConnection);
                m_drainConnection = {};
            }
        });
    }
    const int timeoutMs = m_context.options.replayStallTimeoutMs;
    if (timeoutMs <= 0)
        return;
    if (!m_replayStallTimer) {
        m_replayStallTimer = new QTimer(this);
        m_replayStallTimer->setSingleShot(true);
        // Never before the timeout (a coarse timer may fire 5 % early).
        m_replayStallTimer->setTimerType(Qt::PreciseTimer);
        connect(m_replayStallTimer, &QTimer::timeout, this, [this] {
            if (m_closing || !m_context.router.isWaitingForDrain(this))
                return; // it went on meanwhile; a later wait arms the clock again
            drop(RejectReason::ReplayStalled,
                 QStringLiteral("replay waited %1 ms on a socket that wrote nothing (%2 bytes unsent)")
                     .arg(m_replayStallTimer->interval())
                     .arg(m_socket->bytesToWrite()));
        });
    }
    if (!m_replayStallTimer->isActive())
        m_replayStallTimer->start(timeoutMs);
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
    writeQueued(); // the error (and what came before it) goes out ahead of the close frame
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
    m_outQueue.clear();
    m_outQueuedBytes = 0;
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
    writeQueued();
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
    m_lastLifeMs = Clock::current().monotonicMs();
    if (!m_limiter->tryTake(m_lastLifeMs)) {
        m_context.metrics.countFrameIn(frameDecoder().setFrame(QStringView(text)).size());
        refuse(RejectReason::RateLimit, CloseCode::RateLimited,
               QStringLiteral("rate limit exceeded (%1 frames/s, burst %2)")
                   .arg(m_context.options.rateLimitPerSec)
                   .arg(m_context.options.rateLimitBurst));
        return;
    }
    if (m_decoding || !m_heldFrames.isEmpty()) {
        // Behind a frame that is being decoded: handled after it, in the order they came.
        holdFrame(text);
        return;
    }
    handleText(text);
}

void HubSession::holdFrame(const QString &text)
{
    m_heldFrames.append(text);
    m_heldUnits += text.size();
    // While more than a largest frame waits to be read, the socket is not read: what the client
    // sends next waits in the kernel (TCP pushes back on it), not in this process. A pass of the
    // event loop still hands over the frames its socket had buffered already.
    if (!m_readPaused && m_heldUnits > m_context.options.maxMessageBytes) {
        m_readPaused = true;
        m_socket->setReadBufferSize(1);
    }
}

void HubSession::handleHeldFrames()
{
    QPointer<HubSession> self(this);
    while (self && !m_closing && !m_decoding && !m_heldFrames.isEmpty()) {
        const QString text = m_heldFrames.takeFirst();
        m_heldUnits -= text.size();
        handleText(text); // may free the session
    }
    if (!self || m_closing)
        return;
    if (m_readPaused && m_heldUnits <= m_context.options.maxMessageBytes) {
        m_readPaused = false;
        m_socket->setReadBufferSize(0); // reading resumes (the read notifier is enabled again)
    }
}

void HubSession::handleText(const QString &text)
{
    FrameDecodePool *pool = m_context.decodePool;
    const qint64 offThread = m_context.options.offThreadDecodeChars;
    // A large frame from an authenticated client is decoded on the pool, the loop free meanwhile;
    // before auth nothing large is decoded at all (below).
    if (m_authed && pool && offThread > 0 && text.size() >= offThread) {
        m_decoding = true;
        QPointer<HubSession> self(this);
        pool->decode(text, [self](FrameDecodePool::Result &&r) {
            if (!self)
                return;
            self->m_decoding = false;
            if (self->m_closing)
                return;
            self->handleDecoded(r);
            if (self)
                self->handleHeldFrames();
        });
        return;
    }
    EnvelopeDecoder &decoder = frameDecoder();
    const qint64 bytes = decoder.setFrame(QStringView(text)).size();
    DecodeError error;
    if (!m_authed) {
        m_context.metrics.countFrameIn(bytes);
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
        FrameDecodePool::Result r;
        r.bytes = -1; // counted above
        r.ok = decoder.decodeEnvelopeWithDataJson(r.envelope, r.dataJson, &r.error);
        handleDecoded(r);
        return;
    }
    FrameDecodePool::Result r;
    r.bytes = bytes;
    // A publish's data stays the JSON text it came as, to the store and to every subscriber.
    r.ok = decoder.decodeEnvelopeWithDataJson(r.envelope, r.dataJson, &r.error);
    handleDecoded(r);
}

void HubSession::handleDecoded(const FrameDecodePool::Result &r)
{
    if (r.bytes >= 0)
        m_context.metrics.countFrameIn(r.bytes);
    if (!r.ok) {
        m_context.metrics.countReject(RejectReason::Malformed);
        qCInfo(lcHub).noquote() << "malformed frame from" << m_id << ":" << logSafe(r.error.message);
        sendError(CloseCode::Malformed, r.error.message);
        return;
    }
    handleEnvelope(r.envelope, r.dataJson);
}

void HubSession::handleEnvelope(const Envelope &env, const QByteArray &dataJson)
{
    if (!m_authed && env.type != MessageType::Auth && env.type != MessageType::Ping &&
        env.type != MessageType::Pong && env.type != MessageType::Unknown) {
        refuse(RejectReason::Auth, CloseCode::Unauthorized, QStringLiteral("authenticate first"), env.id);
        return;
    }
    if (!checkLengths(env))
        return;
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
        handleSubscribe(env);
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

bool HubSession::checkLengths(const Envelope &env)
{
    // Every id is echoed in its reply and a publish's id and client go into the dedupe window:
    // each is capped, so neither a reply nor the window grows with what a client makes up. The
    // reply carries no id (the one sent is what is refused).
    const HubOptions &o = m_context.options;
    auto refuseField = [this](const QString &message) {
        m_context.metrics.countReject(RejectReason::BadField);
        sendError(HubError::BadRequest, message);
        return false;
    };
    // A pong or an unknown type is answered by nothing: its id goes nowhere.
    if (env.type == MessageType::Pong || env.type == MessageType::Unknown)
        return true;
    // Each UTF-16 unit is at most 3 UTF-8 bytes: most ids are measured without converting them.
    if (o.maxIdBytes > 0 && env.id.size() * 3 > o.maxIdBytes) {
        const qint64 bytes = env.id.toUtf8().size();
        if (bytes > o.maxIdBytes)
            return refuseField(QStringLiteral("'%1': 'id' of %2 bytes is longer than %3 bytes")
                                   .arg(env.typeName)
                                   .arg(bytes)
                                   .arg(o.maxIdBytes));
    }
    if (env.type != MessageType::Publish)
        return true;
    if (env.id.isEmpty())
        return refuseField(QStringLiteral(
            "'publish': 'id' must not be empty (it is what the ack answers and the dedupe keys on)"));
    if (o.maxClientBytes > 0 && env.client.size() * 3 > o.maxClientBytes) {
        const qint64 bytes = env.client.toUtf8().size();
        if (bytes > o.maxClientBytes) {
            m_context.metrics.countReject(RejectReason::BadField);
            sendError(HubError::BadRequest,
                      QStringLiteral("'publish': 'client' of %1 bytes is longer than %2 bytes")
                          .arg(bytes)
                          .arg(o.maxClientBytes),
                      env.id);
            return false;
        }
    }
    return true;
}

void HubSession::handleSubscribe(const Envelope &env)
{
    if (!checkGrant(m_subscribeGrant, env.channel, QLatin1StringView("subscribe to"), env.id))
        return;
    const int cap = m_context.options.maxSubscriptions;
    // A subscribe again to a channel it holds replaces that subscription: not one more.
    if (cap > 0 && !m_context.router.isSubscribed(this, env.channel) &&
        m_context.router.subscriptionCount(this) >= cap) {
        m_context.metrics.countReject(RejectReason::TooManySubscriptions);
        sendError(HubError::TooMany,
                  QStringLiteral("cannot subscribe to %1: this connection holds %2 subscriptions, the limit "
                                 "(--max-subscriptions)")
                      .arg(env.channel)
                      .arg(m_context.router.subscriptionCount(this)),
                  env.id);
        return;
    }
    m_context.router.subscribe(this, env.channel, env.since, env.id, env.epoch, env.history);
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
    // A later auth on the same session replaces the grants and the expiry (a renewed token).
    m_publishGrant = verdict.publish;
    m_subscribeGrant = verdict.subscribe;
    m_expiresAtMs = verdict.expiresAtMs;
    if (!verdict.subject.isEmpty()) {
        m_identity = verdict.subject;
        qCInfo(lcHub).noquote() << "client" << m_id << "authenticated as" << logSafe(verdict.subject);
    }
    Envelope ack;
    ack.type = MessageType::Ack;
    ack.id = env.id;
    send(ack);
    // Last: a token that expired since it was verified is refused here, which may free the session.
    armExpiry();
}

void HubSession::armExpiry()
{
    m_expiryTimer.stop();
    if (m_expiresAtMs <= 0 || m_closing)
        return;
    const qint64 left = m_expiresAtMs - Clock::current().wallMs();
    if (left <= 0) {
        refuse(RejectReason::AuthExpired, CloseCode::Unauthorized, QStringLiteral("token expired"));
        return;
    }
    // One timer per session, re-armed when it fires early (coarse timers, a clock set back) or
    // when the expiry is further than a timer reaches (a day at a time).
    m_expiryTimer.start(int(qMin<qint64>(left, 24 * 3600 * 1000)));
}

bool HubSession::checkGrant(const ChannelGrant &grant, const QString &channel, QLatin1StringView action,
                            const QString &id)
{
    if (grant.allows(channel))
        return true;
    m_context.metrics.countReject(RejectReason::NotGranted);
    sendError(HubError::Forbidden,
              QStringLiteral("not allowed by the token: %1 %2 (allowed: %3)")
                  .arg(action, channel.left(200),
                       grant.patterns.isEmpty() ? QStringLiteral("no channel")
                                                : grant.patterns.join(QLatin1Char(','))),
              id);
    return false;
}

void HubSession::handlePublish(const Envelope &env, const QByteArray &dataJson)
{
    // The built-in feed names are read-only on every hub, feeds running or not: a --no-feeds
    // hub of a Redis group must not put a fake sys.cpu into the shared stream.
    if (FeedRegistry::isReadOnlyName(env.channel)) {
        m_context.metrics.countReject(RejectReason::ReservedChannel);
        sendError(HubError::Forbidden,
                  QStringLiteral("channel %1 is read-only: the names %2 belong to the hub's built-in feeds")
                      .arg(env.channel, FeedRegistry::readOnlyPatterns().join(QStringLiteral(", "))),
                  env.id);
        return;
    }
    if (!checkGrant(m_publishGrant, env.channel, QLatin1StringView("publish to"), env.id))
        return;
    if (m_context.isFeedChannel(env.channel)) {
        m_context.metrics.countReject(RejectReason::ReservedChannel);
        sendError(HubError::Forbidden,
                  QStringLiteral("channel %1 is published by the hub's own feed").arg(env.channel), env.id);
        return;
    }
    const QString id = env.id;
    const QString channel = env.channel;
    // PROTOCOL.md: ids are unique per connection, so the dedupe key is the connection's, unless
    // the sender names itself (`client`): then it is that client's across its reconnects (within
    // its token subject, so no one subject's key can shadow another's), and a resend after a
    // dropped connection is not published twice. Two processes sharing a token each keep
    // their own ids. Per channel: an id repeated on another channel is not that publish.
    const QString subject = m_identity.startsWith(QLatin1StringView("conn:")) ? QString() : m_identity;
    const QString scope = env.client.isEmpty()
                              ? QStringLiteral("conn:") + m_id
                              : QStringLiteral("client:") + subject + QLatin1Char('\x1f') + env.client;
    const QString dedupeKey = scope + QLatin1Char('\x1f') + channel + QLatin1Char('\x1f') + env.id;
    // The answer may come after this session is gone (Redis): the metrics are the hub's, the
    // reply only goes to a session still there.
    HubMetrics *metrics = &m_context.metrics;
    QPointer<HubSession> self(this);
    m_context.store.append(
        channel, dataJson, Clock::current().wallMs(), dedupeKey,
        [metrics, self, id, channel](const AppendResult &r) {
            if (!r.error.isEmpty()) {
                const bool full = r.errorCode == HubError::Full;
                metrics->countReject(full ? RejectReason::TooManyChannels : RejectReason::StoreUnavailable);
                if (self && !self->m_closing)
                    self->sendError(full ? HubError::Full : HubError::Unavailable,
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
