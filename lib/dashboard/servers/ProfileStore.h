// ProfileStore: the servers this dashboard has been used with, as a plain list. A profile is what
// it takes to reach a server again (endpoints, channels, origin, TLS choices, the --config path,
// the protocol it speaks and that protocol's settings)
// and where its token came from, never the token itself. The store keeps them most recent first,
// at most 10, one per endpoint list; it holds no Qt object and touches no file: DashboardSettings
// reads and writes the list, ServerSwitcher decides when.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace Pulseboard {

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
    // The wire dialect (empty: pulseboard) and its settings (docs/PROTOCOLS.md).
    QString protocol;
    QJsonObject protocolConfig;
    TokenSource tokenSource = TokenSource::None;
    qint64 lastUsedMs = 0;

    bool needsToken() const { return tokenSource != TokenSource::None; }
    // What --list-profiles prints: every field but the token, which is never held here.
    QJsonObject toJson() const;
    QString endpointsText() const; // "ws://a:1, ws://b:2"
    static QString tokenSourceName(TokenSource source);
    static TokenSource tokenSourceFromName(const QString &name);
    static QString defaultName(const QList<QUrl> &endpoints);
    // The name of the built-in first row; no stored profile may take it.
    static QString embeddedName();
};

class ProfileStore
{
public:
    static constexpr int kMaxProfiles = 10;

    // Replaces the list with `stored` (as read back from the settings), most recent first:
    // a profile whose endpoints or name an earlier one already has is dropped, and so is the
    // eleventh and every later one.
    void load(const QList<ServerProfile> &stored);

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
    static QStringList urlStrings(const QList<QUrl> &urls);

private:
    QList<ServerProfile> m_profiles; // most recently used first
};

} // namespace Pulseboard
