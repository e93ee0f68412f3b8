// ClientSession: one connection, from the socket's open to its end. Created by ConnectionManager
// for each attempt and destroyed when the connection ends, it owns the Transport and the
// WireDialect and runs   Connecting -> (Authenticating) -> Resubscribing -> Open
// with everything that belongs to one socket as members (the auth id, the subscribes awaiting
// their answer, the heartbeat, the setup deadline, backpressure): destroying it is the reset.
// What outlives a connection (subscriptions, outbox, deadlines, counters) is the manager's,
// reached through SessionContext. It ends by exactly one of lost / refused / tokenRefused and
// then does nothing more; the manager's reconnect policy decides what follows.
#pragma once

#include "ConnectionOptions.h"
#include "ConnectionStats.h"
#include "Heartbeat.h"
#include "Transport.h"
#include "WireDialect.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

namespace Pulseboard {

class Outbox;
class RequestTracker;
class SubscriptionSet;

// What a session reads and updates that outlives it; the manager owns all of it.
struct SessionContext
{
    const ConnectionOptions *options = nullptr;
    SubscriptionSet *subscriptions = nullptr;
    Outbox *outbox = nullptr;
    RequestTracker *tracker = nullptr;
    ConnectionStats *stats = nullptr;
    // Ids unique for the client's life: "<prefix>-<client key>-<n>".
    std::function<QString(QLatin1StringView prefix)> nextId;
    // Hands on a message that passed the duplicate and gap checks (message sinks, signals).
    std::function<void(const QString &channel, qint64 seq, qint64 ts, const JsonView &data)> deliver;
    // Told just before `deliver` when the message is a stored last value (InboundMessage::retained).
    std::function<void(const QString &channel)> retained;
    // Told just before `deliver` when the message is of a first subscribe's backfill (`history`).
    std::function<void(const QString &channel)> backfill;
    // > 0: queued frames go out at most this many a second (the session after a close 4008).
    int pacedSendPerSec = 0;
};

class ClientSession : public QObject, private DialectEvents
{
    Q_OBJECT
public:
    enum class Phase { Connecting, Authenticating, Resubscribing, Open, Ended };
    Q_ENUM(Phase)

    ClientSession(const SessionContext &context, std::unique_ptr<Transport> transport,
                  std::unique_ptr<WireDialect> dialect, QObject *parent = nullptr);
    ~ClientSession() override;

    // Opens the transport; the setup (handshake, auth, resubscribe) must finish within the
    // connect timeout.
    void start(const QUrl &url);
    // Ends the session from our side with a close handshake the transport finishes on its own.
    // No end signal follows: the caller knows.
    void close(int code, const QString &reason);

    Phase phase() const { return m_phase; }
    QUrl url() const { return m_url; }
    // The socket is open (from the handshake on) and the session has not ended.
    bool isConnected() const;
    bool isSendingPaused() const { return m_sendPaused; }
    // True while queued frames wait for the pace of a session after a close 4008.
    bool isPaced() const { return m_paceTimer.isActive(); }
    Transport *transport() const { return m_transport.get(); }
    const WireDialect &dialect() const { return *m_dialect; }

    // Sends what waits in the outbox, oldest first, while Open and the send buffer allows.
    void flush();
    // The manager's subscription set changed: tell the server when it is listening.
    void subscribe(const QString &channel);
    void unsubscribe(const QString &channel);
    // The heartbeat's interval or deadline changed.
    void applyOptions();

    // An endpoint as it may appear in logs: no user info, no query (tokens live there).
    static QString redacted(const QUrl &url);

Q_SIGNALS:
    void phaseChanged(Pulseboard::ClientSession::Phase phase);
    // Authenticated and every subscription answered: the outbox may go out.
    void opened();
    // The end, exactly one of these. lost: the connection ended (`closeCode` as the reconnect
    // policy reads it); refused: trying again would only repeat it; tokenRefused: the server
    // refused the token (its error as sent).
    void lost(int closeCode, const QString &reason);
    void refused(const QString &reason);
    void tokenRefused(int code, const QString &message, const QString &id);

    void welcomeReceived(const QString &server, const QString &session, qint64 heartbeatMs);
    // `since`: the seq the subscribe asked to resume after, -1 for a fresh one (nothing to
    // recover; `recovered` is then true). `recovered`: the server replayed all it missed.
    void subscribed(const QString &channel, qint64 seq, bool recovered, qint64 since);
    void unsubscribed(const QString &channel);
    void gapDetected(const QString &channel, qint64 from, qint64 to, const QString &reason);
    void rttMeasured(int rttMs);
    // Outbox entries went out (their state changed).
    void outboxSent();
    void errorOccurred(int code, const QString &message, const QString &id);

private:
    // DialectEvents
    void welcomed(const QString &server, const QString &session, qint64 heartbeatMs) override;
    void messageArrived(const InboundMessage &message) override;
    void ackArrived(const QString &id, qint64 seq) override;
    void subscribeConfirmed(const QString &id, const QString &channel, qint64 seq,
                            std::optional<bool> recovered, const QString &epoch) override;
    void backfillAnnounced(const QString &id, const QString &channel, qint64 count) override;
    void unsubscribeConfirmed(const QString &id, const QString &channel) override;
    void responseArrived(const QString &id, const QJsonValue &result, const QString &next) override;
    void serverError(int code, const QString &message, const QString &id) override;
    void pongArrived(const QString &id, qint64 ts) override;
    void replyDue(const OutboundFrame &frame) override;
    void malformedFrame(int code, const QString &message) override;
    void connectionUnusable(int closeCode, const QString &reason) override;
    void serverHeartbeat(int deadlineMs) override;
    void resumeFailed(const QString &reason) override;

    void onConnected();
    void onTransportError(Transport::Error error, const QString &message);
    void onText(const QString &text);
    void onBinary(const QByteArray &data);
    void onBytesWritten();
    void setPhase(Phase phase);
    void beginResubscribe();
    // `restart`: subscribe from the start of what the server retains (since 0), in the
    // epoch the set holds, whatever seq is held.
    void sendSubscribe(const QString &channel, bool restart = false);
    void ready();
    bool send(const OutboundFrame &frame);
    // Stops everything of this session and drops the socket; the end signal follows.
    void end();
    void endLost(int closeCode, const QString &reason);

    // One frame of the pace (always true when not paced); false arms m_paceTimer.
    bool takeSendToken();
    SessionContext m_ctx;
    std::unique_ptr<Transport> m_transport;
    std::unique_ptr<WireDialect> m_dialect;
    WireDialect::Capabilities m_caps;
    QUrl m_url;
    Phase m_phase = Phase::Connecting;
    QString m_authId;                            // the auth frame's id, until it is acked
    QString m_sourcedToken;                      // from options.tokenSource, read as the attempt starts
    QHash<QString, QString> m_pendingSubscribes; // id -> channel, until the server answers
    QHash<QString, bool> m_sentSince;            // channel -> we asked with `since`
    QHash<QString, QString> m_historyAsked;      // channel -> id of the subscribe that asked `history`
    QHash<QString, qint64> m_backfillUntil;      // channel -> messages up to this seq are backfill
    QHash<QString, qint64> m_backfillCount;      // channel -> how many the answer announced
    QHash<QByteArray, QString> m_channelNames;   // UTF-8 name -> name, subscribed channels only
    // Stream identity: channels whose server named a new epoch yet resumed in it from our old
    // seq (it did not honour the epoch we sent). They are subscribed again from seq 0; until
    // that answer (channel -> its subscribe id) what arrives on them is dropped, since the new
    // replay brings it again, in order.
    QHash<QString, QString> m_restarting;
    bool m_sendPaused = false;
    // Pacing (m_ctx.pacedSendPerSec > 0): a token bucket of frames, refilled on a monotonic clock;
    // when it is empty the flush resumes from m_paceTimer.
    double m_sendTokens = 0;
    QElapsedTimer m_paceClock;
    QTimer m_paceTimer;
    Heartbeat m_heartbeat;
    QTimer m_setupDeadline; // handshake, auth and resubscribe together
    // ServerPings: no frame at all within m_serverDeadlineMs (the dialect's serverHeartbeat) is a
    // dead link; the heartbeat's sign of life (noteLife on every inbound frame) is what it measures.
    QTimer m_serverSilence;
    qint64 m_serverDeadlineMs = 0;
};

} // namespace Pulseboard
