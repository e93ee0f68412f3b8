// ConnectionManager: one trustworthy connection to a Pulseboard server, and the public face of
// the client library. It keeps what outlives a socket: the reconnect policy (ReconnectPolicy:
// attempts, endpoint rotation, jittered backoff, close-code reactions, closed by the user, failed
// on the token), the state machine
//   Idle -> Connecting -> Authenticating -> Open -> (Reconnecting -> Connecting ...) | Failed | Closed
// the Outbox (delivered once, in order, after auth and resubscribe) and the subscription set
// (resumed with `since` after every reconnect). Each connection attempt is a ClientSession (the
// socket, handshake, auth, resubscribe, heartbeat); every deadline of what is in flight is the
// RequestTracker's. Errors are state plus signals. The client library has no QML: the dashboard
// registers this class for QML (dashboard/connection/ConnectionManagerQml.h).
#pragma once

#include "ClientError.h"
#include "ClientSession.h"
#include "ConnectionOptions.h"
#include "ConnectionStats.h"
#include "DialectFactory.h"
#include "Heartbeat.h"
#include "MessageSink.h"
#include "Outbox.h"
#include "OutboxJournal.h"
#include "ReconnectPolicy.h"
#include "RequestTracker.h"
#include "SubscriptionSet.h"
#include "Transport.h"
#include "protocol/Envelope.h"
#include "protocol/EnvelopeDecoder.h"

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

namespace Pulseboard {

class ConnectionManager : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString stateName READ stateName NOTIFY stateChanged)
    Q_PROPERTY(QUrl url READ url NOTIFY urlChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    Q_PROPERTY(int rttMs READ rttMs NOTIFY rttMsChanged)
    Q_PROPERTY(int attempt READ attempt NOTIFY attemptChanged)
    Q_PROPERTY(int maxRetries READ maxRetries NOTIFY attemptChanged)
    Q_PROPERTY(int retryInMs READ retryInMs NOTIFY retryInMsChanged)
    Q_PROPERTY(qint64 retryAtMs READ retryAtMs NOTIFY retryInMsChanged)
    Q_PROPERTY(int queuedCount READ queuedCount NOTIFY queuedCountChanged)
    Q_PROPERTY(QStringList subscriptions READ subscriptions NOTIFY subscriptionsChanged)
    Q_PROPERTY(int lastCloseCode READ lastCloseCode NOTIFY disconnected)
    Q_PROPERTY(qint64 openSinceMs READ openSinceMs NOTIFY stateChanged)
    Q_PROPERTY(qint64 lastChangeMs READ lastChangeMs NOTIFY stateChanged)
    // The wire dialect of the options and what its servers give (DialectCapabilities).
    Q_PROPERTY(QString protocol READ protocol NOTIFY protocolChanged)
    Q_PROPERTY(QString dialectName READ dialectName NOTIFY protocolChanged)
    Q_PROPERTY(QJsonObject capabilities READ capabilitiesJson NOTIFY protocolChanged)
    Q_PROPERTY(QStringList capabilityNotes READ capabilityNotes NOTIFY protocolChanged)
    Q_PROPERTY(QString capabilitySummary READ capabilitySummary NOTIFY protocolChanged)

public:
    enum State { Idle, Connecting, Authenticating, Open, Reconnecting, Failed, Closed };
    Q_ENUM(State)

    using Stats = ConnectionStats;
    // Makes the transport of each connection attempt; null (with `error`) when no attempt can
    // succeed. The default is a WebSocketTransport; tests hand in a loopback.
    using TransportFactory = std::function<std::unique_ptr<Transport>(const QUrl &url, QString *error)>;

    explicit ConnectionManager(QObject *parent = nullptr);
    ~ConnectionManager() override;

    void setOptions(const ConnectionOptions &options);
    const ConnectionOptions &options() const { return m_options; }
    // Setting a new token after the server refused the old one starts again at once.
    void setToken(const QString &token);
    // For tests: the jitter source, and the transport under each session.
    void setRandomSeed(quint32 seed) { m_rng.seed(seed); }
    void setTransportFactory(TransportFactory factory) { m_transportFactory = std::move(factory); }
    // The connection in progress or open, null between connections.
    const ClientSession *session() const { return m_session; }

    State state() const { return m_state; }
    QString stateName() const { return stateName(m_state); }
    static QString stateName(State state);
    QUrl url() const;
    QString errorString() const { return m_errorString; }
    int rttMs() const { return m_rttMs; }
    int attempt() const { return m_policy.attempt(); }
    int maxRetries() const { return m_options.maxRetries; }
    int retryInMs() const { return m_retryInMs; }
    qint64 retryAtMs() const { return m_retryAtMs; }
    int queuedCount() const { return m_outbox.count(); }
    qint64 queuedBytes() const { return m_outbox.bytes(); }
    QStringList subscriptions() const { return m_subscriptions.channels(); }
    int lastCloseCode() const { return m_lastCloseCode; }
    qint64 openSinceMs() const { return m_openSinceMs; }
    qint64 lastChangeMs() const { return m_lastChangeMs; }
    const Stats &stats() const { return m_stats; }
    const Outbox &outbox() const { return m_outbox; }
    bool isSendingPaused() const { return m_session && m_session->isSendingPaused(); }

    // The protocol name of the options ("pulseboard", "json", ...), the dialect's own name
    // ("pulseboard.v1"; empty when the protocol is unknown) and its capabilities (all false
    // when the protocol is unknown: nothing can be promised then).
    QString protocol() const { return m_options.protocol; }
    QString dialectName() const { return m_dialect ? m_dialect->name() : QString(); }
    WireDialect::Capabilities capabilities() const;
    QJsonObject capabilitiesJson() const;
    QStringList capabilityNotes() const;
    QString capabilitySummary() const;

    // The lean delivery path (see MessageSink): sinks are called in the order they were added.
    // messageReceived, which builds a QJsonValue per message, is only built when connected.
    void addMessageSink(MessageSink *sink)
    {
        if (sink && !m_sinks.contains(sink))
            m_sinks.append(sink);
    }
    void removeMessageSink(MessageSink *sink) { m_sinks.removeAll(sink); }

    Q_INVOKABLE void open();
    Q_INVOKABLE void close();
    // Points the manager at another server list. Closes the session normally (1000), forgets the
    // subscriptions and their seqs (a seq means nothing on another server), fails requests that
    // got no answer (their reply belonged to the old session) and sets the old server's queued
    // publishes aside, so none of them can reach the new server: with a journal they stay in its
    // file, untouched, until that journal is opened again (`keptInJournal` true); without one
    // the caller must keep the returned entries. Then takes `options` (restoring the new server's
    // own journal) and stays Closed until open(). Returns the publishes that stayed behind.
    QList<Outbox::Entry> switchServer(const ConnectionOptions &options, bool *keptInJournal);
    // Queues publishes that switchServer set aside again, ahead of newer ones (and journals them).
    void restoreQueued(const QList<Outbox::Entry> &entries);
    Q_INVOKABLE void retry();
    // Returns the message id, or an empty string when the outbox refused it (errorOccurred says why).
    Q_INVOKABLE QString publish(const QString &channel, const QJsonValue &data);
    Q_INVOKABLE bool subscribe(const QString &channel);
    Q_INVOKABLE bool unsubscribe(const QString &channel);
    // timeoutMs < 0: the option's default. Exactly one of responseReceived / requestFailed follows.
    Q_INVOKABLE QString request(const QString &method, const QJsonValue &params = QJsonValue(),
                                int timeoutMs = -1);
    // The same with an id the caller chose (unique per manager: another thread hands it out
    // before the call runs, see ConnectionMirror). Every refusal then also names that id
    // (publishFailed / requestFailed), since the caller holds it already. Empty `id`: as above.
    QString publishAs(const QString &id, const QString &channel, const QJsonValue &data);
    QString requestAs(const QString &id, const QString &method, const QJsonValue &params, int timeoutMs = -1);
    // What every id of this manager carries ("p-<prefix>-7"), also the client key of publishes.
    QString idPrefix() const { return m_idPrefix; }

Q_SIGNALS:
    void stateChanged(Pulseboard::ConnectionManager::State state);
    void urlChanged();
    void errorStringChanged();
    void rttMsChanged();
    void attemptChanged();
    void retryInMsChanged();
    void queuedCountChanged();
    // Entries were added, sent, requeued, acked or failed.
    void outboxChanged();
    void subscriptionsChanged();
    void protocolChanged();

    void connected(const QUrl &url);
    void disconnected(int closeCode, const QString &reason);
    void welcomeReceived(const QString &server, const QString &session, qint64 heartbeatMs);
    void messageReceived(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data);
    // The message delivered next on `channel` (to the sinks, then messageReceived) is the broker's
    // stored last value, not a live one (MQTT retain). MQTT 3.1.1 does not say how old it is.
    void retainedReceived(const QString &channel);
    // The next messageReceived on `channel` is of a first subscribe's backfill (`history`).
    void backfillReceived(const QString &channel);
    // `seq`: the server's latest on the channel (-1: it names none). `since`: the seq held when
    // the subscribe asked to resume, -1 for a fresh subscription (nothing to recover: `recovered`
    // is then true). `recovered` false: the server could not replay all that was missed.
    void subscribed(const QString &channel, qint64 seq, bool recovered, qint64 since);
    void unsubscribed(const QString &channel);
    void gapDetected(const QString &channel, qint64 from, qint64 to, const QString &reason);
    void acked(const QString &id, const QString &channel, qint64 seq);
    void publishFailed(const QString &id, const QString &channel, const QString &reason);
    // The outcome of a publish when the dialect has no acks (Capabilities::acksPublish false):
    // it was written to the socket and nothing will confirm it. Never followed by acked.
    void publishSent(const QString &id, const QString &channel);
    // `next`: a paged result's cursor, set when the server says more remains (`channels.list`:
    // ask again with params {after: next}); empty otherwise.
    void responseReceived(const QString &id, const QString &method, const QJsonValue &result,
                          const QString &next);
    void requestFailed(const QString &id, const QString &method, int code, const QString &message);
    // Errors the server sent, frames we could not read, refusals: code + words for a person.
    void errorOccurred(int code, const QString &message, const QString &id);

private:
    void setState(State state);
    void openJournal(const QString &path);
    void setError(const QString &message);
    void clearRetry();
    void startConnection();
    void startFromFirstAttempt();
    void sessionOpened();
    bool leaveSession(bool byUser = false);
    void connectionLost(int closeCode, const QString &reason);
    void scheduleReconnect(int closeCode, const QString &reason);
    void fail(const QString &reason);
    void flushOutbox();
    void reportDropped(const QList<Outbox::Entry> &dropped);
    Outbox::Entry newEntry(Outbox::Kind kind, const QString &target, const QString &id = QString());
    QString nextId(QLatin1StringView prefix);
    void emitQueueChanged();

    ConnectionOptions m_options;
    ReconnectPolicy m_policy{m_options};
    State m_state = Idle;
    QString m_errorString;
    int m_rttMs = -1;
    int m_retryInMs = 0;
    qint64 m_retryAtMs = 0;
    int m_lastCloseCode = 0;
    bool m_outage = false; // a connection was lost and none is open again yet
    qint64 m_openSinceMs = 0;
    qint64 m_lastChangeMs = 0;
    QTimer m_retryTimer;
    QRandomGenerator m_rng;

    QString m_idPrefix; // also the client key of publishes
    quint64 m_idCounter = 0;
    OutboxJournal m_journal;
    Outbox m_outbox;
    SubscriptionSet m_subscriptions;
    Stats m_stats;
    RequestTracker m_tracker{m_outbox, m_stats};
    std::unique_ptr<WireDialect> m_dialect; // encodes what waits in the outbox (null: bad protocol)
    QString m_dialectError;                 // why m_dialect is null
    QJsonObject m_resumeState;              // WireDialect::resumeState of the last session
    QList<MessageSink *> m_sinks;

    ClientSession *m_session = nullptr;
    SessionContext m_context{&m_options, &m_subscriptions, &m_outbox, &m_tracker, &m_stats, {}, {}, {}, 0};
    TransportFactory m_transportFactory;
};

} // namespace Pulseboard
