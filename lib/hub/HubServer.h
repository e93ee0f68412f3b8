// HubServer: the Pulseboard server of PROTOCOL.md. Sessions over QWebSocketServer (ws:// or
// wss://), auth, heartbeat, subscribe with `since` replay, publish with per-channel seq, ack and
// dedupe, requests, and the refusals that keep one client from hurting the others (Origin,
// tokens, rate limit, message size, malformed frames, slow consumers). Channels live in a
// ChannelStore: in memory for one hub, in Redis when several hubs act as one. Built-in feeds
// publish this machine's figures and demo streams. Runs embedded in the dashboard or as
// `pulseboard-hub`.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <memory>

class QWebSocket;
class QWebSocketServer;

namespace Pulseboard {

class ChannelStore;
class Feed;
class HealthServer;
class RateLimiter;
class TokenAuth;
struct Envelope;
struct StoredMessage;

struct HubOptions
{
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8765;              // 0 = any free port
    bool feedsEnabled = true;
    QStringList feeds;                // empty = all built-in feeds

    // Protocol
    QString serverName = QStringLiteral("pulseboard-hub");
    int historySize = 1000;           // retained messages per channel, replayed for `since`
    int dedupeWindow = 10000;         // publish ids remembered (memory store)
    int heartbeatIntervalMs = 25000;  // WebSocket ping frames; silent for 2 intervals = dropped
    bool sendWelcome = true;

    // Security and limits
    QStringList allowedOrigins;       // empty = any Origin; clients sending none are always let in
    QString tokensFile;               // one token a line
    QByteArray tokenSecret;           // HMAC key of signed expiring tokens
    int authTimeoutMs = 10000;        // a client that must authenticate and does not is closed 4001
    qint64 maxMessageBytes = 1024 * 1024;     // larger frames close with 1009
    double rateLimitPerSec = 200;     // frames a second per connection (0 = no limit) ...
    double rateLimitBurst = 400;      // ... with bursts up to this many; over it: close 4008
    qint64 maxSendBufferBytes = 16 * 1024 * 1024; // a client whose unsent bytes pass this is dropped

    // Health and metrics over plain HTTP: -1 off, 0 any free port
    int healthPort = -1;

    // TLS: both set = wss://
    QString certFile;
    QString keyFile;

    // Redis: empty = in-memory store
    QUrl redisUrl;
    QString redisPrefix = QStringLiteral("pulseboard");
    int redisDedupeTtlSec = 600;      // how long a publish id is remembered across hubs
    int redisReconnectMaxMs = 5000;   // backoff cap while Redis is away

    // Feeds
    int systemFeedHz = 1;             // sys.*: 1-10
    double waveHz = 20;               // demo.wave samples a second (up to 5000 for load)
    int eventsMeanIntervalMs = 2000;  // demo.events: mean gap between events
    int statsIntervalMs = 1000;       // hub.stats

    int shutdownTimeoutMs = 3000;     // how long shutdown() waits for clients to close
};

class HubServer : public QObject
{
    Q_OBJECT
public:
    struct Metrics
    {
        quint64 connectionsTotal = 0;
        quint64 framesIn = 0;
        quint64 framesOut = 0;
        quint64 bytesIn = 0;
        quint64 bytesOut = 0;
        quint64 published = 0;             // messages appended through this hub
        QMap<QString, quint64> rejects;    // reason -> count
    };

    explicit HubServer(const HubOptions &options, QObject *parent = nullptr);
    ~HubServer() override;

    bool start(QString *error = nullptr);   // listen (+ feeds, Redis); false with a clear error
    QUrl url() const;                       // e.g. ws://127.0.0.1:PORT
    quint16 port() const;
    void shutdown();                        // close 1001 to every client, stop listening

    const HubOptions &options() const { return m_options; }
    quint16 healthPort() const;
    QUrl healthUrl() const;
    int clientCount() const { return int(m_sessions.size()); }
    const Metrics &metrics() const { return m_metrics; }
    quint64 rejects(const QString &reason) const { return m_metrics.rejects.value(reason); }
    ChannelStore *store() const { return m_store; }
    QStringList activeFeeds() const;
    bool isStopping() const { return m_stopping; }
    // Publishes from inside the process (feeds, an embedding app): the same path as a client's
    // publish, without dedupe. Failures are counted and logged.
    void publish(const QString &channel, const QJsonValue &data);

    // What /healthz and /metrics serve.
    QJsonObject health() const;
    QByteArray prometheusMetrics() const;
    // Per-second rates of the last full second, for hub.stats.
    QJsonObject statsSnapshot() const;

Q_SIGNALS:
    void stopped();
    void clientCountChanged(int count);

private:
    struct Subscription
    {
        bool ready = false;           // subscribed + replay sent; live messages flow
        quint64 generation = 0;       // tells a late fetch answer from the current subscribe
        qint64 lastSent = 0;          // highest seq sent on this channel (dedupes replay vs live)
        QList<StoredMessage> pending; // live messages that came while the fetch was out
        qint64 pendingBytes = 0;
    };
    struct Session
    {
        quint64 number = 0;
        QString id;
        QWebSocket *socket = nullptr;
        bool authed = false;
        QString identity;             // token subject, or the connection when the hub is open (see handlePublish)
        bool closing = false;
        // Clock::current().monotonicMs() of the last frame or pong: silence is a duration, and a
        // wall clock set forward must not drop every client (nor set back keep the dead ones).
        qint64 lastLifeMs = 0;
        std::unique_ptr<RateLimiter> limiter; // on the same monotonic milliseconds
        QHash<QString, Subscription> subscriptions;
    };
    struct ChannelStats
    {
        quint64 total = 0;
        quint64 lastTotal = 0;
        double rate = 0;              // messages a second over the last second
    };

    void onNewConnection();
    void onTextMessage(Session *session, const QString &text);
    void onBinaryMessage(Session *session, const QByteArray &data);
    void onDisconnected(QWebSocket *socket);
    void handleEnvelope(Session *session, const Envelope &env);
    void handleSubscribe(Session *session, const Envelope &env);
    void handlePublish(Session *session, const Envelope &env);
    void handleRequest(Session *session, const Envelope &env);
    void onStoreMessage(const QString &channel, const StoredMessage &message);
    void onChannelReset(const QString &channel);
    void deliver(Session *session, Subscription &sub, const StoredMessage &message, const QString &text);

    void send(Session *session, const Envelope &env);
    void sendText(Session *session, const QString &text, qint64 bytes);
    void sendError(Session *session, int code, const QString &message, const QString &id = QString());
    // Refuses a client: counts the reason, logs it, sends `error` and closes with `code`.
    void refuse(Session *session, const QString &reason, int code, const QString &message,
                const QString &id = QString());
    // Drops a client without a close handshake (its buffers are what we are protecting).
    void drop(Session *session, const QString &reason, const QString &why);
    void countReject(const QString &reason);
    Session *sessionFor(quint64 number) const { return m_sessionsByNumber.value(number); }

    void heartbeatTick();
    void rateTick();
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

    QHash<QWebSocket *, Session *> m_sessions;
    QHash<quint64, Session *> m_sessionsByNumber;
    QHash<QString, QSet<quint64>> m_subscribers; // channel -> session numbers
    QHash<QString, ChannelStats> m_channelStats;
    quint64 m_nextSession = 0;
    QString m_instanceId;

    Metrics m_metrics;
    Metrics m_lastTick;
    QJsonObject m_rates;
    QElapsedTimer m_uptime;
    QTimer m_heartbeatTimer;
    QTimer m_rateTimer;
    QTimer m_shutdownTimer;
    bool m_started = false;
    bool m_stopping = false;
    bool m_stoppedEmitted = false;
    bool m_storeDownLogged = false;
};

} // namespace Pulseboard
