// HubServer: the Pulseboard server of PROTOCOL.md. Sessions over QWebSocketServer (ws:// or
// wss://), auth, heartbeat, subscribe with `since` replay, publish with per-channel seq, ack and
// dedupe, requests, and the refusals that keep one client from hurting the others (Origin,
// tokens, rate limit, message size, malformed frames, slow consumers). Channels live in a
// ChannelStore: in memory for one hub, in Redis when several hubs act as one. Built-in feeds
// publish this machine's figures and demo streams. Runs embedded in the dashboard or as
// `pulseboard-hub`.
#pragma once

#include "HubMetrics.h"
#include "HubOptions.h"

#include <QHash>
#include <QJsonObject>
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

class HubServer : public QObject
{
    Q_OBJECT
public:
    using Metrics = HubMetrics::Counters;

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
    const Metrics &metrics() const { return m_metrics.counters(); }
    const HubMetrics &hubMetrics() const { return m_metrics; }
    quint64 rejects(RejectReason reason) const { return m_metrics.rejects(reason); }
    // By label (`rejects_total{reason}`); 0 for a label that is no reason.
    quint64 rejects(const QString &reason) const;
    ChannelStore *store() const { return m_store; }
    QStringList activeFeeds() const;
    bool isStopping() const { return m_stopping; }
    // Publishes from inside the process (feeds, an embedding app): the same path as a client's
    // publish, without dedupe. Failures are counted and logged.
    void publish(const QString &channel, const QJsonValue &data);

    // What /healthz and /metrics serve.
    HubStatus status() const;
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
        qint64 lastLifeMs = 0;
        std::unique_ptr<RateLimiter> limiter;
        QHash<QString, Subscription> subscriptions;
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
    void refuse(Session *session, RejectReason reason, int code, const QString &message,
                const QString &id = QString());
    // Drops a client without a close handshake (its buffers are what we are protecting).
    void drop(Session *session, RejectReason reason, const QString &why);
    Session *sessionFor(quint64 number) const { return m_sessionsByNumber.value(number); }

    void heartbeatTick();
    void rateTick();
    bool startFeeds(QString *error);
    ChannelStore *createRedisStore(QString *error);
    bool setupTls(QString *error);
    void finishShutdown();
    qint64 nowMs() const;

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
    quint64 m_nextSession = 0;
    QString m_instanceId;

    HubMetrics m_metrics;
    QTimer m_heartbeatTimer;
    QTimer m_rateTimer;
    QTimer m_shutdownTimer;
    bool m_started = false;
    bool m_stopping = false;
    bool m_stoppedEmitted = false;
    bool m_storeDownLogged = false;
};

} // namespace Pulseboard
