// ConnectionMirror: the GUI thread's face of a ConnectionManager that lives on the network
// thread (docs/ARCHITECTURE.md, "Threads"). It reads like the manager (the same properties,
// signals and commands, so QML and the dashboard's models bind to it as they would to the
// manager) but holds a copy: a Snapshot of everything the manager shows, taken on the network
// thread each time the manager changes, handed over with the event that changed it, and applied
// here before that event is re-emitted, so a handler reads the state as of its event.
//
// Nothing per message crosses: messages go to MessageSinks on the network thread; only events
// (state, acks, replies, gaps, errors: each a few a second at most) and a periodic refresh of
// the counters do. Commands are posted to the network thread and never wait for it: publish()
// and request() hand out their id at once (ConnectionManager::publishAs), subscribe() and
// unsubscribe() answer from the copy and show their effect at once. The one command that waits
// is switchServer(), which must hand back what the old server's outbox held.
//
// Without a network thread (the manager on this thread: tests, tools) every call goes straight
// through and the copy is retaken after each event, so both set-ups behave alike.
#pragma once

#include "client/ConnectionManager.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <atomic>
#include <functional>

namespace Pulseboard {

class ConnectionMirror : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ConnectionMirror is owned by the application")
    Q_PROPERTY(Pulseboard::ConnectionManager::State state READ state NOTIFY stateChanged)
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
    Q_PROPERTY(QString protocol READ protocol NOTIFY protocolChanged)
    Q_PROPERTY(QString dialectName READ dialectName NOTIFY protocolChanged)
    Q_PROPERTY(QJsonObject capabilities READ capabilitiesJson NOTIFY protocolChanged)
    Q_PROPERTY(QStringList capabilityNotes READ capabilityNotes NOTIFY protocolChanged)
    Q_PROPERTY(QString capabilitySummary READ capabilitySummary NOTIFY protocolChanged)
    Q_PROPERTY(bool threaded READ isThreaded CONSTANT)

public:
    using State = ConnectionManager::State;

    // Everything the manager shows, as of one moment on its thread.
    struct Snapshot
    {
        State state = ConnectionManager::Idle;
        QUrl url;
        QString errorString;
        int rttMs = -1;
        int attempt = 0;
        int maxRetries = 0;
        int retryInMs = 0;
        qint64 retryAtMs = 0;
        int queuedCount = 0;
        qint64 queuedBytes = 0;
        QStringList subscriptions;
        int lastCloseCode = 0;
        qint64 openSinceMs = 0;
        qint64 lastChangeMs = 0;
        QString protocol;
        QString dialectName;
        WireDialect::Capabilities capabilities;
        QJsonObject capabilitiesJson;
        QStringList capabilityNotes;
        QString capabilitySummary;
        ConnectionOptions options;
        ConnectionStats stats;
        Outbox outbox;
        bool sendingPaused = false;
        quint64 commandsDone = 0; // commands of this mirror the manager had run when it was taken
        quint64 serial = 0;       // snapshots are taken in this order; an older one never wins

        static Snapshot of(const ConnectionManager &manager);
    };

    // `manager` (not owned) lives on this thread or on another one; it must outlive the mirror,
    // and its thread must be stopped before the mirror goes (ConnectionHost sees to both).
    explicit ConnectionMirror(ConnectionManager *manager, QObject *parent = nullptr);
    ~ConnectionMirror() override;

    bool isThreaded() const { return m_threaded; }
    const Snapshot &snapshot() const { return m_snap; }

    State state() const { return m_snap.state; }
    QString stateName() const { return ConnectionManager::stateName(m_snap.state); }
    QUrl url() const { return m_snap.url; }
    QString errorString() const { return m_snap.errorString; }
    int rttMs() const { return m_snap.rttMs; }
    int attempt() const { return m_snap.attempt; }
    int maxRetries() const { return m_snap.maxRetries; }
    int retryInMs() const { return m_snap.retryInMs; }
    qint64 retryAtMs() const { return m_snap.retryAtMs; }
    int queuedCount() const { return m_snap.queuedCount; }
    qint64 queuedBytes() const { return m_snap.queuedBytes; }
    QStringList subscriptions() const { return m_snap.subscriptions; }
    int lastCloseCode() const { return m_snap.lastCloseCode; }
    qint64 openSinceMs() const { return m_snap.openSinceMs; }
    qint64 lastChangeMs() const { return m_snap.lastChangeMs; }
    QString protocol() const { return m_snap.protocol; }
    QString dialectName() const { return m_snap.dialectName; }
    WireDialect::Capabilities capabilities() const { return m_snap.capabilities; }
    QJsonObject capabilitiesJson() const { return m_snap.capabilitiesJson; }
    QStringList capabilityNotes() const { return m_snap.capabilityNotes; }
    QString capabilitySummary() const { return m_snap.capabilitySummary; }
    const ConnectionOptions &options() const { return m_snap.options; }
    // The counters as of the last refresh (at most refreshIntervalMs old, and after each event).
    const ConnectionStats &stats() const { return m_snap.stats; }
    const Outbox &outbox() const { return m_snap.outbox; }
    bool isSendingPaused() const { return m_snap.sendingPaused; }

    // How often the counters are fetched when no event brings them (threaded only).
    void setRefreshIntervalMs(int ms) { m_refresh.setInterval(ms); }

    // Registers a sink with the manager, on its thread (see MessageSink). Removal waits for the
    // network thread, so no deliver() is running when it returns.
    void addMessageSink(MessageSink *sink);
    void removeMessageSink(MessageSink *sink);

    Q_INVOKABLE void open();
    Q_INVOKABLE void close();
    Q_INVOKABLE void retry();
    void setToken(const QString &token);
    void setOptions(const ConnectionOptions &options);
    // ConnectionManager::switchServer and restoreQueued, run on the network thread while this one
    // waits (what the old outbox held is the answer).
    QList<Outbox::Entry> switchServer(const ConnectionOptions &options, bool *keptInJournal);
    void restoreQueued(const QList<Outbox::Entry> &entries);
    // The id at once; a refusal comes as publishFailed / requestFailed for it.
    Q_INVOKABLE QString publish(const QString &channel, const QJsonValue &data);
    Q_INVOKABLE QString request(const QString &method, const QJsonValue &params = QJsonValue(),
                                int timeoutMs = -1);
    // False when the name is not a channel's or nothing changes; the subscriptions show the
    // change at once (a refusal by the dialect takes it back, with errorOccurred).
    Q_INVOKABLE bool subscribe(const QString &channel);
    Q_INVOKABLE bool unsubscribe(const QString &channel);

    // Runs `work` on the manager's thread and waits for it (the manager's thread must be
    // running, or be this one). For shutdown and tests.
    void runOnManagerThread(const std::function<void(ConnectionManager *)> &work);

Q_SIGNALS:
    void stateChanged(Pulseboard::ConnectionManager::State state);
    void urlChanged();
    void errorStringChanged();
    void rttMsChanged();
    void attemptChanged();
    void retryInMsChanged();
    void queuedCountChanged();
    void outboxChanged();
    void subscriptionsChanged();
    void protocolChanged();

    void connected(const QUrl &url);
    void disconnected(int closeCode, const QString &reason);
    void welcomeReceived(const QString &server, const QString &session, qint64 heartbeatMs);
    void subscribed(const QString &channel, qint64 seq, bool recovered, qint64 since);
    void unsubscribed(const QString &channel);
    void gapDetected(const QString &channel, qint64 from, qint64 to, const QString &reason);
    void acked(const QString &id, const QString &channel, qint64 seq);
    void publishFailed(const QString &id, const QString &channel, const QString &reason);
    void publishSent(const QString &id, const QString &channel);
    void responseReceived(const QString &id, const QString &method, const QJsonValue &result,
                          const QString &next);
    void requestFailed(const QString &id, const QString &method, int code, const QString &message);
    void errorOccurred(int code, const QString &message, const QString &id);

private:
    // On the manager's thread: takes a snapshot and hands it over with `event` (emitted here
    // after the snapshot is applied; may be empty).
    void post(std::function<void()> event);
    void apply(const Snapshot &next);
    // Posts `work` to the manager's thread (or runs it now), counting it as a command.
    void command(std::function<void(ConnectionManager *)> work);
    QString nextId(QLatin1StringView kind);
    template <typename... Args>
    void forward(void (ConnectionManager::*signal)(Args...), void (ConnectionMirror::*mine)(Args...));

    QPointer<ConnectionManager> m_manager;
    bool m_threaded = false;
    Snapshot m_snap;
    QString m_idPrefix;
    quint64 m_idCounter = 0;
    quint64 m_commandsSent = 0;             // this thread's count of commands posted
    std::atomic<quint64> m_commandsDone{0}; // written on the manager's thread
    QTimer m_refresh;
    std::atomic<bool> m_refreshPending{false};
    quint64 m_serial = 0; // the next snapshot's serial: only touched on the manager's thread
    QList<QMetaObject::Connection> m_connections;
};

} // namespace Pulseboard
