// ServerSwitcher: which server the dashboard uses, and switching to another while it runs.
// Switching points the one ConnectionManager at the new server (closing the old session with
// 1000), keeps the old server's queued publishes in that server's own journal (or parked in
// memory when it has none) so they can never reach the new server, and hands them back when the
// old server is chosen again. It decides the token policy (a --token only for the servers it was
// given with) and names the journal files. Starting or stopping the embedded hub is part of a
// switch. It knows no view: what the dashboard must do it says with signals (DashboardSession
// wires them), and the profile list it keeps is saved by whoever listens to profilesChanged().
#pragma once

#include "ProfileStore.h"
#include "client/ConnectionOptions.h"
#include "client/Outbox.h"
#include "dashboard/shell/DashboardConfig.h"
#include "hub/HubServer.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace Pulseboard {

class ConnectionMirror;
class EmbeddedHub;

class ServerSwitcher : public QObject
{
    Q_OBJECT

public:
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

    // `hub` runs the embedded hub; it must outlive the switcher.
    ServerSwitcher(const Environment &environment, EmbeddedHub *hub, QObject *parent = nullptr);
    ~ServerSwitcher() override;

    const Environment &environment() const { return m_env; }
    const ProfileStore &store() const { return m_store; }
    // The saved profiles, as DashboardSettings read them.
    void loadProfiles(const QList<ServerProfile> &stored);
    EmbeddedHub *embeddedHub() const { return m_hub; }
    bool currentIsEmbedded() const { return m_currentEmbedded; }
    const ServerProfile &current() const { return m_current; }
    QString currentName() const;
    // Non-empty when the dashboard cannot even try its server (e.g. a token it does not have).
    QString problem() const { return m_problem; }
    // Publishes waiting for the server with this key (keyOf), held back from the one in use.
    int heldFor(bool embedded, const QList<QUrl> &endpoints) const;
    QStringList embeddedChannels() const { return m_embeddedChannels; }

    // The journal a server list uses when nothing else is said: one per list, under `dir`.
    static QString journalFile(const QString &dir, const QList<QUrl> &endpoints);
    QString queueFileFor(const QList<QUrl> &endpoints) const;
    // The token to send to `profile` now. False, with the words in `problem`, when it needs
    // one this run does not have.
    bool tokenFor(const ServerProfile &profile, QString *token, ServerProfile::TokenSource *source,
                  QString *problem) const;
    // The connection options for `profile`: the run's, with the profile's server fields.
    ConnectionOptions optionsFor(const ServerProfile &profile, const QString &token) const;
    // `text`: one or more ws:// or wss:// URLs, separated by spaces, commas or new lines.
    static bool parseUrls(const QString &text, QList<QUrl> *urls, QString *error);

    // Start-up: either the embedded hub (started here) or the server named by the launch.
    bool startEmbedded(QString *error);
    // Notes where its token comes from. False, with `problem` set, when a saved profile needs a
    // token this run does not have: the app then shows that instead of connecting.
    bool setStartServer(const ServerProfile &profile);
    // Wires the manager (the dashboard already subscribed its channels).
    void attach(ConnectionMirror *manager);

    // The Channels panel changed the subscriptions: the current profile remembers them.
    void noteChannels(const QStringList &channels);

    // Each returns an empty string, or what went wrong (then nothing changed).
    QString switchToEmbedded();
    QString switchToProfile(int index); // index into store()
    QString connectTo(const QString &urls, const QString &name);
    QString forgetProfile(int index);

    // At quit: the embedded hub says goodbye to its clients.
    void shutdown();

Q_SIGNALS:
    // Something a row of the server list shows changed (current, held, the list itself).
    void changed();
    void problemChanged();
    // The stored list changed: save it.
    void profilesChanged();
    // The manager now talks to another server: the dashboard starts clean with `config` and
    // subscribes `channels` (emitted before the new connection opens; connect directly).
    void serverChanged(const DashboardConfig &config, bool embedded, const QStringList &channels);
    // Queued publishes that stayed behind for the server the dashboard left.
    void publishesHeld(const QStringList &ids, const QString &reason);
    // Words for the event log; `announced` ones also for a toast.
    void logged(const QString &words);
    void announced(const QString &words);
    // The dashboard now shows `to`; `held` publishes stayed queued for `from`.
    void switched(const QString &from, const QString &to, int held);

private:
    QString activate(const ServerProfile &target, bool embedded);
    QString keyOf(bool embedded, const QList<QUrl> &endpoints) const;
    QString describe(bool embedded, const ServerProfile &profile) const;
    void setProblem(const QString &text);
    void recordCurrent();
    void refreshHeld();

    Environment m_env;
    EmbeddedHub *m_hub;
    ProfileStore m_store;
    QPointer<ConnectionMirror> m_manager;

    ServerProfile m_current; // what the dashboard uses now (stored or not yet)
    bool m_currentEmbedded = false;
    bool m_currentRecorded = false; // recorded since it last connected
    QStringList m_embeddedChannels; // the user's channels on the embedded hub, this run
    QString m_problem;
    QHash<QString, QList<Outbox::Entry>> m_parked; // publishes of servers without a journal
    QHash<QString, int> m_held;                    // key -> publishes waiting for that server
};

} // namespace Pulseboard
