// HubSession: one client of a hub, from its accepted socket to its disconnect. It owns the
// socket, the client's rate limiter, its auth state (authenticated or not, and as whom) and,
// through the ChannelRouter, its subscriptions; it dispatches each frame the client sends (auth,
// ping, subscribe, publish, request, ...) and is where a client is refused (error + close code)
// or dropped (no close handshake). What it shares with every other session of the hub (options,
// store, router, metrics, the method table) comes in a HubContext.
#pragma once

#include "ChannelRouter.h"
#include "FrameDecodePool.h"
#include "HubMetrics.h"
#include "TokenAuth.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

class QTimer;
class QWebSocket;

namespace Pulseboard {

class ChannelStore;
class ConnectionGuard;
class HubRequests;
class RateLimiter;
class TokenAuth;
struct Envelope;
struct HubOptions;

// What every session of one hub shares. The hub holds it and outlives its sessions.
struct HubContext
{
    const HubOptions &options;
    HubMetrics &metrics;
    ChannelRouter &router;
    ChannelStore &store;
    const TokenAuth &auth;
    const HubRequests &requests;
    std::function<bool(const QString &channel)> isFeedChannel; // published by the hub itself
    ConnectionGuard *guard = nullptr; // failed auths by address (the hub's); none in a bare test
    // Where large frames are decoded (HubOptions::offThreadDecodeChars); none: on the hub's thread.
    FrameDecodePool *decodePool = nullptr;
};

class HubSession : public QObject, public ChannelSubscriber
{
    Q_OBJECT
public:
    // Takes the socket (deleted after the session); `number` is unique in the hub, `id` is the
    // session id clients see. `context` must outlive the session.
    HubSession(const HubContext &context, QWebSocket *socket, quint64 number, const QString &id,
               QObject *parent = nullptr);
    ~HubSession() override;

    // Arms the auth timeout and sends `welcome` (when the hub sends it).
    void start();

    quint64 number() const { return m_number; }
    const QString &id() const { return m_id; }
    QWebSocket *socket() const { return m_socket; }
    bool isAuthenticated() const { return m_authed; }
    // The token subject, or `conn:<id>` when the hub is open (the dedupe identity of its publishes).
    const QString &identity() const { return m_identity; }
    bool isClosing() const { return m_closing; }
    qint64 lastLifeMs() const { return m_lastLifeMs; }

    // Once a heartbeat interval: a client silent for more than `limitMs` is dropped, others pinged.
    // `monotonicMs` is Clock::current().monotonicMs().
    void heartbeat(qint64 monotonicMs, qint64 limitMs);
    // The hub is shutting down: close 1001.
    void goAway();

    // ChannelSubscriber
    bool isOpen() const override { return !m_closing; }
    void send(const Envelope &env) override;
    void sendText(const QString &text, qint64 bytes) override;
    void pendingOverflow(qint64 pendingBytes) override;
    // While the socket holds less than half of --max-send-buffer unsent (or nothing at all).
    bool canTake(qint64 bytes) const override;
    void replayFailed(const QString &reason) override;
    // Arms the replay-stall clock (--replay-stall-timeout): each write of the socket restarts it.
    void replayBlocked() override;

    void sendError(int code, const QString &message, const QString &id = QString());
    // Refuses the client: counts the reason, logs it, sends `error` and closes with `code`.
    // May free the session before it returns (a peer already gone): touch nothing after it.
    void refuse(RejectReason reason, int code, const QString &message, const QString &id = QString());
    // Drops the client without a close handshake (its buffers are what we are protecting).
    void drop(RejectReason reason, const QString &why);

    // Writes the frames queued for the socket during this pass of the event loop (once per pass,
    // for every session that has any; see sendText()) and pushes them to the kernel at once.
    void flushOutput();

private:
    void onTextMessage(const QString &text);
    // A frame's decode and handling, on the pool (a large frame of an authenticated client) or here.
    void handleText(const QString &text);
    void handleDecoded(const FrameDecodePool::Result &result);
    // Frames that came while one was being decoded wait here, then go in order.
    void holdFrame(const QString &text);
    void handleHeldFrames();
    void onBinaryMessage(const QByteArray &data);
    // `dataJson`: a publish's data, as the JSON text it came in.
    void handleEnvelope(const Envelope &env, const QByteArray &dataJson = QByteArray());
    void handleAuth(const Envelope &env);
    void handlePublish(const Envelope &env, const QByteArray &dataJson);
    // Budgets: an id, a publish's client key over its cap, an empty publish id: error 400, false.
    bool checkLengths(const Envelope &env);
    // Refused 429 past --max-subscriptions, the subscriptions it holds untouched.
    void handleSubscribe(const Envelope &env);
    // Hands the queued frames to the socket (buffered there, not yet written to the kernel).
    void writeQueued();

    const HubContext &m_context;
    QWebSocket *m_socket;
    quint64 m_number;
    QString m_id;
    bool m_authed = false;
    QString m_identity;
    bool m_closing = false;
    // Clock::current().monotonicMs() of the last frame or pong: silence is a duration, and a
    // wall clock set forward must not drop every client (nor set back keep the dead ones).
    qint64 m_lastLifeMs = 0;
    std::unique_ptr<RateLimiter> m_limiter; // on the same monotonic milliseconds

    // Authorization: what the token lets this client do, and when its session ends.
    void armExpiry();
    bool checkGrant(const ChannelGrant &grant, const QString &channel, QLatin1StringView action,
                    const QString &id);
    ChannelGrant m_publishGrant;
    ChannelGrant m_subscribeGrant;
    qint64 m_expiresAtMs = 0; // wall ms of the signed token's expiry; 0 = none
    QTimer m_expiryTimer;

    // Replay stall: runs while a paced replay waits on this socket, restarted by every write of
    // it; on timeout with the replay still waiting, the client is dropped (`replay_stalled`).
    QTimer *m_replayStallTimer = nullptr;

    // Output batching: frames sent during one pass of the event loop wait here (shared texts,
    // no copies) and go to the socket together at the end of the pass, one write for all of
    // them, instead of one buffered write and one write-notifier wake-up per frame.
    QList<QString> m_outQueue;
    qint64 m_outQueuedBytes = 0; // UTF-8 bytes of m_outQueue
    qint64 m_flushedUnsent = 0;  // the socket's unsent bytes after the last flush (an upper bound since)
    bool m_flushScheduled = false;
    QMetaObject::Connection m_drainConnection; // bytesWritten -> router.drained(), while a replay waits

    // Decoding on the pool: one frame at a time per session, the ones after it held (in order).
    bool m_decoding = false;
    QList<QString> m_heldFrames;
    qint64 m_heldUnits = 0;    // UTF-16 units of m_heldFrames
    bool m_readPaused = false; // the socket's read buffer capped while too much is held

    QString m_addressKey; // ConnectionGuard::addressKey of the peer: its failed auths count there
};

} // namespace Pulseboard
