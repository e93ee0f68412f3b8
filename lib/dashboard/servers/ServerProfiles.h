// ServerProfiles: the servers this dashboard has been used with, and switching between them while
// it runs. A profile is what it takes to reach a server again (endpoints, channels, origin, TLS
// choices, the --config path) and where its token came from, never the token itself. Profiles
// are kept in QSettings, most recent first, at most 10, one per endpoint list; the embedded hub
// is a built-in first row, not a stored profile.
//
// Switching points the one ConnectionManager at the new server (closing the old session with
// 1000), keeps the old server's queued publishes in that server's own journal (or in memory when
// it has none) so they can never reach the new server, and delivers them when the old server is
// chosen again. The dashboard's series, channel and raw models start clean; the event log says
// what happened. Starting or stopping the embedded hub is part of the switch.
#pragma once

#include "client/ConnectionOptions.h"
#include "client/Outbox.h"
#include "dashboard/shell/DashboardConfig.h"
#include "hub/HubServer.h"

#include <QAbstractListModel>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QSettings;

namespace Pulseboard {

class ConnectionManager;
class Dashboard;

struct ServerProfile
{
    enum class TokenSource { None, Environment, Flag };

    QString name;
    QList<QUrl> endpoints; // without passwords
    QStringList channels;
    QString origin;
    QString caFile;
    bool insecure = false;
    QString configPath;
    TokenSource tokenSource = TokenSource::None;
    qint64 lastUsedMs = 0;

    bool needsToken() const { return tokenSource != TokenSource::None; }
    // What --list-profiles prints: every field but the token, which is never held here.
    QJsonObject toJson() const;
    QString endpointsText() const; // "ws://a:1, ws://b:2"
    static QString tokenSourceName(TokenSource source);
    static QString defaultName(const QList<QUrl> &endpoints);
};

// The stored list, without any Qt object around it: record, dedupe, order, limit, forget,
// and the round trip through QSettings.
class ProfileStore
{
public:
    static constexpr int kMaxProfiles = 10;

    void load(QSettings *settings);
    void save(QSettings *settings) const;

    const QList<ServerProfile> &profiles() const { return m_profiles; }
    QStringList names() const;
    int indexOfName(const QString &name) const;
    int indexOfEndpoints(const QList<QUrl> &endpoints) const;
    // Adds `profile`, or updates the one with the same endpoints (keeping its name unless
    // `profile` has one), and moves it first. The eleventh and older fall off the end.
    // Returns the stored profile (its name may have been made unique).
    ServerProfile record(ServerProfile profile);
    bool forget(const QString &name);
    bool setChannels(const QList<QUrl> &endpoints, const QStringList &channels);

    // Endpoints as profiles compare and store them: no password.
    static QList<QUrl> normalized(const QList<QUrl> &endpoints);

private:
    QList<ServerProfile> m_profiles; // most recently used first
};

class ServerProfiles : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ServerProfiles is made by the application")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int currentRow READ currentRow NOTIFY currentChanged)
    Q_PROPERTY(QString currentName READ currentName NOTIFY currentChanged)
    // Non-empty when the dashboard cannot even try its server (e.g. a token it does not have).
    Q_PROPERTY(QString problem READ problem NOTIFY problemChanged)
    Q_PROPERTY(bool persistent READ persistent CONSTANT)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        EndpointsRole,  // text
        LastUsedMsRole, // 0: never
        BuiltinRole,    // the embedded hub
        CurrentRole,
        TokenProblemRole, // words, empty when the server can be tried
        HeldRole,         // publishes queued for this server that wait for it
        ChannelsRole,
    };
    Q_ENUM(Role)

    // What the run was started with, besides the server: every switch builds on it.
    struct Environment
    {
        ConnectionOptions base; // heartbeat, backoff, queue limits; server fields are replaced
        QString flagToken;      // --token: only for the endpoints it was given with
        QList<QUrl> flagTokenEndpoints;
        QString envToken;          // PULSEBOARD_TOKEN
        QString journalDir;        // one outbox journal per server list here; empty: in memory only
        QString explicitQueueFile; // --queue-file, for the endpoints it was given with
        QList<QUrl> explicitQueueEndpoints;
        bool hubAvailable = true; // offer the embedded hub
        HubOptions hub;
        DashboardConfig embeddedConfig; // the embedded hub's built-in layout
    };

    static QString tokenMissingText();

    // `settings` may be null (--no-settings): profiles of this run are then kept in memory only.
    // Not `writable` (a screenshot run): saved profiles are read but nothing is written back.
    ServerProfiles(QSettings *settings, bool writable, const Environment &environment,
                   QObject *parent = nullptr);
    ~ServerProfiles() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    const ProfileStore &store() const { return m_store; }
    const Environment &environment() const { return m_env; }
    bool persistent() const { return m_settings != nullptr && m_writable; }
    int currentRow() const;
    QString currentName() const;
    bool currentIsEmbedded() const { return m_currentEmbedded; }
    const ServerProfile &current() const { return m_current; }
    QString problem() const { return m_problem; }
    void setProblem(const QString &text);
    HubServer *hub() const { return m_hub.get(); }

    // The journal a server list uses when nothing else is said: one per list, under `dir`.
    static QString journalFile(const QString &dir, const QList<QUrl> &endpoints);
    QString queueFileFor(const QList<QUrl> &endpoints) const;
    // The token to send to `profile` now. False, with the words in `problem`, when it needs
    // one this run does not have.
    bool tokenFor(const ServerProfile &profile, QString *token, ServerProfile::TokenSource *source,
                  QString *problem) const;
    // The connection options for `profile`: the run's, with the profile's server fields.
    ConnectionOptions optionsFor(const ServerProfile &profile, const QString &token) const;

    // Start-up. The app either starts the embedded hub or names the server it connects to;
    // then attach() wires the manager and the dashboard (the dashboard already subscribed).
    bool startEmbeddedHub(QString *error);
    // Notes where its token comes from. False, with `problem` set, when a saved profile needs a
    // token this run does not have: the app then shows that instead of connecting.
    bool setStartServer(const ServerProfile &profile);
    void attach(ConnectionManager *manager, Dashboard *dashboard);

    // The Channels panel changed the subscriptions: the current profile remembers them.
    void noteChannels(const QStringList &channels);

    // Each returns an empty string, or what went wrong (then nothing changed).
    Q_INVOKABLE QString switchTo(int row);
    // `urls`: one or more ws:// or wss:// URLs, separated by spaces, commas or new lines.
    Q_INVOKABLE QString connectTo(const QString &urls, const QString &name);
    Q_INVOKABLE QString forget(int row);
    Q_INVOKABLE QString checkUrls(const QString &urls) const;
    static bool parseUrls(const QString &text, QList<QUrl> *urls, QString *error);

    // At quit: the embedded hub says goodbye to its clients.
    void shutdown();

Q_SIGNALS:
    void countChanged();
    void currentChanged();
    void problemChanged();
    // The dashboard now shows `to`; `held` publishes stayed queued for `from`.
    void switched(const QString &from, const QString &to, int held);

private:
    QString activate(const ServerProfile &target, bool embedded);
    QString keyOf(bool embedded, const QList<QUrl> &endpoints) const;
    QString describe(bool embedded, const ServerProfile &profile) const;
    void recordCurrent();
    void save();
    void refreshHeld();
    void resetRows();

    QSettings *m_settings;
    bool m_writable;
    Environment m_env;
    ProfileStore m_store;
    QPointer<ConnectionManager> m_manager;
    QPointer<Dashboard> m_dashboard;
    std::unique_ptr<HubServer> m_hub;

    ServerProfile m_current; // what the dashboard uses now (stored or not yet)
    bool m_currentEmbedded = false;
    bool m_currentRecorded = false; // recorded since it last connected
    QStringList m_embeddedChannels; // the user's channels on the embedded hub, this run
    QString m_problem;
    QHash<QString, QList<Outbox::Entry>> m_parked; // publishes of servers without a journal
    QHash<QString, int> m_held;                    // key -> publishes waiting for that server
};

} // namespace Pulseboard
