// HubServer: the Pulseboard server of PROTOCOL.md, ws:// or wss://. It listens, keeps the
// registry of its sessions (a HubSession per client: frames, auth, limits, refusals), and shuts
// down gracefully (close 1001, then `stopped`). The rest is in its parts: a ChannelRouter fans
// the messages of the ChannelStore (in memory for one hub, Redis when several act as one) out to
// subscribers; HubRequests answers `request`; HubMetrics counts and renders /healthz and
// /metrics; FeedRegistry builds the built-in feeds (this machine's figures, demo streams).
// Runs embedded in the dashboard or as `pulseboard-hub`.
#pragma once

#include "ChannelRouter.h"
#include "ConnectionGuard.h"
#include "HubMetrics.h"
#include "HubOptions.h"
#include "HubRequests.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>

class QWebSocket;
class QWebSocketServer;

namespace Pulseboard {

class ChannelStore;
class Feed;
class FrameDecodePool;
class HealthServer;
class HubSession;
class TokenAuth;
struct HubContext;
struct StoredMessage;

class HubServer : public QObject
{
    Q_OBJECT
public:
    using Metrics = HubMetrics::Counters;

    explicit HubServer(const HubOptions &options, QObject *parent = nullptr);
    ~HubServer() override;

    bool start(QString *error = nullptr); // listen (+ feeds, Redis); false with a clear error
    QUrl url() const;                     // e.g. ws://127.0.0.1:PORT
    quint16 port() const;
    void shutdown(); // close 1001 to every client, stop listening

    const HubOptions &options() const { return m_options; }
    // The accept queue the kernel keeps for the hub's port: --listen-backlog, capped at
    // net.core.somaxconn; -1 before start() (or when the kernel cannot be asked).
    int listenBacklog() const { return m_listenBacklog; }
    // net.core.somaxconn as read at start() (/proc/sys/net/core/somaxconn); -1 when unreadable.
    int somaxconn() const { return m_somaxconn; }
    quint16 healthPort() const;
    QUrl healthUrl() const;
    int clientCount() const { return int(m_sessions.size()); }
    const Metrics &metrics() const { return m_metrics.counters(); }
    const HubMetrics &hubMetrics() const { return m_metrics; }
    quint64 rejects(RejectReason reason) const { return m_metrics.rejects(reason); }
    // By label (`rejects_total{reason}`); 0 for a label that is no reason.
    quint64 rejects(const QString &reason) const;
    ChannelStore *store() const { return m_store; }
    const ChannelRouter &router() const { return m_router; }
    const HubRequests &requests() const { return m_requests; }
    QStringList activeFeeds() const;
    bool isStopping() const { return m_stopping; }
    // Heartbeat wheel: how many slots the interval is cut into (HubOptions::heartbeatSlots, or
    // the automatic count), and a probe told of each slot's turn: the slot and the numbers of
    // the sessions it pinged (or dropped as silent). For tests and benches; none by default.
    int heartbeatSlotCount() const { return int(m_wheel.size()); }
    using HeartbeatProbe = std::function<void(int slot, const QList<quint64> &sessionNumbers)>;
    void setHeartbeatProbe(HeartbeatProbe probe) { m_heartbeatProbe = std::move(probe); }
    // Publishes from inside the process (feeds, an embedding app): the same path as a client's
    // publish, without dedupe. Failures are counted and logged.
    void publish(const QString &channel, const QJsonValue &data);

    // What the hub is now; what /healthz and /metrics serve. Subscribers per channel only when
    // asked for (only /metrics lists them).
    HubStatus status(bool withSubscribers = true) const;
    QJsonObject health() const;
    QByteArray prometheusMetrics() const;
    // Per-second rates of the last full second, for hub.stats.
    QJsonObject statsSnapshot() const;
    // The result of the `server.info` request, for `sessionId`.
    QJsonObject serverInfo(const QString &sessionId) const;

Q_SIGNALS:
    void stopped();
    void clientCountChanged(int count);

private:
    void onNewConnection();
    void onDisconnected(QWebSocket *socket);
    void onStoreMessage(const QString &channel, const StoredMessage &message);
    void addMethods();
    // Takes the heartbeat slots that are due (each of them once), then sleeps until the next.
    void heartbeatTick();
    void heartbeatSlot(int slot);
    void placeInWheel(HubSession *session);
    void removeFromWheel(HubSession *session);
    void rateTick();
    // Frees channels idle for --channel-idle-secs (budgets)
    void expireIdleChannels();
    bool startFeeds(QString *error);
    ChannelStore *createRedisStore(QString *error);
    bool setupTls(QString *error);
    void finishShutdown();

    HubOptions m_options;
    QWebSocketServer *m_server = nullptr;
    ChannelStore *m_store = nullptr;
    HealthServer *m_health = nullptr;
    std::unique_ptr<TokenAuth> m_auth;
    QList<Feed *> m_feeds;
    QSet<QString> m_feedChannels;

    HubMetrics m_metrics;
    ChannelRouter m_router;
    HubRequests m_requests;
    std::unique_ptr<HubContext> m_context;   // what sessions share; set once the store exists
    FrameDecodePool *m_decodePool = nullptr; // large frames of authenticated clients (a child)

    QHash<QWebSocket *, HubSession *> m_sessions;
    quint64 m_nextSession = 0;
    QString m_instanceId;

    // Heartbeat wheel: the interval cut into slots, each session in one (the least full when it
    // opened); slot j of the wheel's run is due (j * interval / slots) ms after it started, on
    // the real monotonic clock (silence itself is measured on Clock::current()).
    QTimer m_heartbeatTimer;
    std::vector<QList<HubSession *>> m_wheel;
    QHash<HubSession *, int> m_wheelSlot;
    QElapsedTimer m_wheelClock;
    qint64 m_wheelTurns = 0; // slots taken since the wheel started
    int m_wheelCursor = 0;   // where the search for the least full slot starts (round robin on ties)
    HeartbeatProbe m_heartbeatProbe;
    QTimer m_rateTimer;
    QTimer m_shutdownTimer;
    QTimer m_idleTimer; // budgets: expireIdleChannels
    bool applyListenBacklog(QString *error);
    int m_listenBacklog = -1;
    int m_somaxconn = -1;
    bool m_started = false;
    bool m_stopping = false;
    bool m_stoppedEmitted = false;
    bool m_storeDownLogged = false;

    // Connection limits, auth throttling and accept errors (docs/OPERATIONS.md "Connection limits")
    void onAcceptError();
    void resumeAccepting();
    void pauseAccepting(const QString &why);
    void checkDescriptors();
    bool hasDescriptorHeadroom() const;
    ConnectionGuard m_guard{m_options};
    QHash<QWebSocket *, QString> m_sessionAddress; // ConnectionGuard::addressKey of each session
    QTimer m_acceptRetryTimer;
    QTimer m_descriptorWatch; // every --accept retry minimum: pauses before accept() spins
    int m_reserveFd = -1;     // /dev/null, duplicated to probe how many descriptors are left
    bool m_acceptPaused = false;
    qint64 m_limitLogMs = -1; // monotonic ms of the last logged limit refusal
    quint64 m_limitRefusalsUnlogged = 0;
    int m_acceptRetryMs = 0;        // the next delay before accepting again; 0 = no error since
    qint64 m_acceptErrorLogMs = -1; // monotonic ms of the last logged accept error
    quint64 m_acceptErrorsUnlogged = 0;

public:
    // Whether `origin` is let in by --allow-origin entries (`scheme://host[:port]`, port `*` = any
    // port or none); an empty list lets every Origin in. Clients that send none always are.
    static bool isOriginAllowed(const QString &origin, const QStringList &allowed);
    const ConnectionGuard &connectionGuard() const { return m_guard; }
};

} // namespace Pulseboard
