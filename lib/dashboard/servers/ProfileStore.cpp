#include "ProfileStore.h"

#include <QDateTime>
#include <QJsonArray>

namespace Pulseboard {

// --- ServerProfile ---

QString ServerProfile::embeddedName()
{
    return QStringLiteral("This machine (embedded hub)");
}

QString ServerProfile::tokenSourceName(TokenSource source)
{
    switch (source) {
    case TokenSource::Environment:
        return QStringLiteral("env");
    case TokenSource::Flag:
        return QStringLiteral("flag");
    case TokenSource::None:
        break;
    }
    return QStringLiteral("none");
}

ServerProfile::TokenSource ServerProfile::tokenSourceFromName(const QString &name)
{
    if (name == QLatin1StringView("env"))
        return TokenSource::Environment;
    if (name == QLatin1StringView("flag"))
        return TokenSource::Flag;
    return TokenSource::None;
}

QString ServerProfile::defaultName(const QList<QUrl> &endpoints)
{
    if (endpoints.isEmpty())
        return QStringLiteral("server");
    const QUrl &first = endpoints.constFirst();
    QString name =
        first.port() > 0 ? QStringLiteral("%1:%2").arg(first.host()).arg(first.port()) : first.host();
    if (endpoints.size() > 1)
        name += QStringLiteral(" +%1").arg(endpoints.size() - 1);
    return name;
}

QString ServerProfile::endpointsText() const
{
    return ProfileStore::urlStrings(endpoints).join(QStringLiteral(", "));
}

QJsonObject ServerProfile::toJson() const
{
    QJsonObject o{
        {QStringLiteral("name"), name},
        {QStringLiteral("endpoints"), QJsonArray::fromStringList(ProfileStore::urlStrings(endpoints))},
        {QStringLiteral("channels"), QJsonArray::fromStringList(channels)},
        {QStringLiteral("tokenFrom"), tokenSourceName(tokenSource)},
        {QStringLiteral("insecure"), insecure}};
    if (!origin.isEmpty())
        o.insert(QStringLiteral("origin"), origin);
    if (!caFile.isEmpty())
        o.insert(QStringLiteral("caFile"), caFile);
    if (!configPath.isEmpty())
        o.insert(QStringLiteral("config"), configPath);
    o.insert(QStringLiteral("protocol"), protocol.isEmpty() ? QStringLiteral("pulseboard") : protocol);
    if (!protocolConfig.isEmpty())
        o.insert(QStringLiteral("protocolConfig"), protocolConfig);
    if (lastUsedMs > 0)
        o.insert(QStringLiteral("lastUsed"),
                 QDateTime::fromMSecsSinceEpoch(lastUsedMs, Qt::UTC).toString(Qt::ISODateWithMs));
    return o;
}

// --- ProfileStore ---

QStringList ProfileStore::urlStrings(const QList<QUrl> &urls)
{
    QStringList out;
    for (const QUrl &url : urls)
        out.append(url.toString(QUrl::FullyEncoded));
    return out;
}

QList<QUrl> ProfileStore::normalized(const QList<QUrl> &endpoints)
{
    QList<QUrl> out;
    for (const QUrl &url : endpoints)
        out.append(url.adjusted(QUrl::RemovePassword));
    return out;
}

void ProfileStore::load(const QList<ServerProfile> &stored)
{
    m_profiles.clear();
    for (const ServerProfile &p : stored) {
        if (m_profiles.size() >= kMaxProfiles)
            break;
        if (indexOfEndpoints(p.endpoints) < 0 && indexOfName(p.name) < 0)
            m_profiles.append(p);
    }
}

QStringList ProfileStore::names() const
{
    QStringList out;
    for (const ServerProfile &p : m_profiles)
        out.append(p.name);
    return out;
}

int ProfileStore::indexOfName(const QString &name) const
{
    for (int i = 0; i < m_profiles.size(); ++i)
        if (m_profiles.at(i).name == name)
            return i;
    return -1;
}

int ProfileStore::indexOfEndpoints(const QList<QUrl> &endpoints) const
{
    const QList<QUrl> wanted = normalized(endpoints);
    for (int i = 0; i < m_profiles.size(); ++i)
        if (m_profiles.at(i).endpoints == wanted)
            return i;
    return -1;
}

ServerProfile ProfileStore::record(ServerProfile profile)
{
    profile.endpoints = normalized(profile.endpoints);
    profile.name = profile.name.trimmed();
    if (const int at = indexOfEndpoints(profile.endpoints); at >= 0) {
        const ServerProfile old = m_profiles.takeAt(at);
        if (profile.name.isEmpty())
            profile.name = old.name;
    }
    if (profile.name.isEmpty())
        profile.name = ServerProfile::defaultName(profile.endpoints);
    // Names pick profiles on the command line: two different servers never share one.
    const QString base = profile.name;
    for (int n = 2; indexOfName(profile.name) >= 0 || profile.name == ServerProfile::embeddedName(); ++n)
        profile.name = QStringLiteral("%1 (%2)").arg(base).arg(n);
    m_profiles.prepend(profile);
    while (m_profiles.size() > kMaxProfiles)
        m_profiles.removeLast();
    return m_profiles.constFirst();
}

bool ProfileStore::forget(const QString &name)
{
    const int at = indexOfName(name);
    if (at < 0)
        return false;
    m_profiles.removeAt(at);
    return true;
}

bool ProfileStore::setChannels(const QList<QUrl> &endpoints, const QStringList &channels)
{
    const int at = indexOfEndpoints(endpoints);
    if (at < 0 || m_profiles.at(at).channels == channels)
        return false;
    m_profiles[at].channels = channels;
    return true;
}

} // namespace Pulseboard
