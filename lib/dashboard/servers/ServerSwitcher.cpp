#include "ServerSwitcher.h"

#include "EmbeddedHub.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "client/OutboxJournal.h"
#include "protocol/Clock.h"
#include "protocol/EndpointUrl.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QRegularExpression>

namespace Pulseboard {

QString ServerSwitcher::tokenMissingText()
{
    return QStringLiteral("This server needs a token: start with --token or set PULSEBOARD_TOKEN");
}

ServerSwitcher::ServerSwitcher(const Environment &environment, EmbeddedHub *hub, QObject *parent)
    : QObject(parent), m_env(environment), m_hub(hub)
{
}

ServerSwitcher::~ServerSwitcher() = default;

void ServerSwitcher::loadProfiles(const QList<ServerProfile> &stored)
{
    m_store.load(stored);
    refreshHeld();
    Q_EMIT changed();
}

QString ServerSwitcher::currentName() const
{
    if (m_currentEmbedded)
        return ServerProfile::embeddedName();
    const int at = m_store.indexOfEndpoints(m_current.endpoints);
    return at >= 0 ? m_store.profiles().at(at).name : ServerProfile::defaultName(m_current.endpoints);
}

int ServerSwitcher::heldFor(bool embedded, const QList<QUrl> &endpoints) const
{
    return m_held.value(keyOf(embedded, endpoints));
}

void ServerSwitcher::setProblem(const QString &text)
{
    if (m_problem == text)
        return;
    m_problem = text;
    Q_EMIT problemChanged();
}

QString ServerSwitcher::journalFile(const QString &dir, const QList<QUrl> &endpoints)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    for (const QUrl &url : endpoints)
        hash.addData(url.toString(QUrl::FullyEncoded).toUtf8());
    const QString key = QString::fromLatin1(hash.result().toHex().left(12));
    return dir + QStringLiteral("/outbox-") + key + QStringLiteral(".journal");
}

QString ServerSwitcher::queueFileFor(const QList<QUrl> &endpoints) const
{
    const QList<QUrl> wanted = ProfileStore::normalized(endpoints);
    if (!m_env.explicitQueueFile.isEmpty() &&
        wanted == ProfileStore::normalized(m_env.explicitQueueEndpoints))
        return m_env.explicitQueueFile;
    if (m_env.journalDir.isEmpty())
        return QString();
    return journalFile(m_env.journalDir, wanted);
}

bool ServerSwitcher::tokenFor(const ServerProfile &profile, QString *token,
                              ServerProfile::TokenSource *source, QString *problem) const
{
    // A --token was given for one server list: sending it to another server would hand it to
    // someone it was not meant for. PULSEBOARD_TOKEN is the user's standing choice for every
    // server, as it is for `pulseboard --url`.
    const QList<QUrl> endpoints = ProfileStore::normalized(profile.endpoints);
    if (!m_env.flagToken.isEmpty() && endpoints == ProfileStore::normalized(m_env.flagTokenEndpoints)) {
        *token = m_env.flagToken;
        *source = ServerProfile::TokenSource::Flag;
        return true;
    }
    // --token-file / --token-command: the same rule, the token comes from it at every connect.
    if (m_env.base.tokenSource && endpoints == ProfileStore::normalized(m_env.flagTokenEndpoints)) {
        token->clear();
        *source = ServerProfile::TokenSource::Flag;
        return true;
    }
    if (!m_env.envToken.isEmpty()) {
        *token = m_env.envToken;
        *source = ServerProfile::TokenSource::Environment;
        return true;
    }
    token->clear();
    *source = ServerProfile::TokenSource::None;
    if (profile.needsToken()) {
        *problem = tokenMissingText();
        return false;
    }
    return true;
}

ConnectionOptions ServerSwitcher::optionsFor(const ServerProfile &profile, const QString &token) const
{
    ConnectionOptions o = m_env.base;
    o.endpoints = profile.endpoints;
    o.token = token;
    // A token file or command given with one server list is not asked for another's token.
    if (ProfileStore::normalized(profile.endpoints) != ProfileStore::normalized(m_env.flagTokenEndpoints))
        o.tokenSource = nullptr;
    o.origin = profile.origin;
    o.caCertificatesFile = profile.caFile;
    o.insecure = profile.insecure;
    o.protocol = profile.protocol.isEmpty() ? QStringLiteral("pulseboard") : profile.protocol;
    o.protocolConfig = profile.protocolConfig;
    o.queueFile = queueFileFor(profile.endpoints);
    return o;
}

bool ServerSwitcher::parseUrls(const QString &text, QList<QUrl> *urls, QString *error)
{
    urls->clear();
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    for (const QString &part : text.split(separators, Qt::SkipEmptyParts)) {
        const std::optional<QUrl> url = EndpointUrl::parse(part, error);
        if (!url)
            return false;
        urls->append(*url);
    }
    if (urls->isEmpty()) {
        *error = QStringLiteral("Enter a ws:// or wss:// URL");
        return false;
    }
    return true;
}

bool ServerSwitcher::startEmbedded(QString *error)
{
    if (!m_hub || !m_hub->start(error))
        return false;
    m_currentEmbedded = true;
    m_current = ServerProfile();
    m_current.name = ServerProfile::embeddedName();
    m_current.endpoints = {m_hub->url()};
    Q_EMIT changed();
    return true;
}

bool ServerSwitcher::setStartServer(const ServerProfile &profile)
{
    m_current = profile;
    m_current.endpoints = ProfileStore::normalized(profile.endpoints);
    m_currentEmbedded = false;
    QString token;
    ServerProfile::TokenSource source;
    QString problem;
    if (!tokenFor(profile, &token, &source, &problem)) {
        setProblem(problem);
        return false;
    }
    m_current.tokenSource = source;
    Q_EMIT changed();
    return true;
}

void ServerSwitcher::attach(ConnectionMirror *manager)
{
    m_manager = manager;
    if (m_currentEmbedded)
        m_embeddedChannels = manager->subscriptions();
    else
        m_current.channels = manager->subscriptions();
    connect(manager, &ConnectionMirror::connected, this, &ServerSwitcher::recordCurrent);
    refreshHeld();
    Q_EMIT changed();
}

void ServerSwitcher::recordCurrent()
{
    if (m_currentEmbedded || m_currentRecorded || !m_manager)
        return;
    m_currentRecorded = true;
    m_current.lastUsedMs = Clock::current().wallMs();
    m_current.channels = m_manager->subscriptions();
    m_current = m_store.record(m_current);
    Q_EMIT profilesChanged();
    Q_EMIT changed();
}

void ServerSwitcher::noteChannels(const QStringList &channels)
{
    if (m_currentEmbedded) {
        m_embeddedChannels = channels;
    } else {
        m_current.channels = channels;
        if (m_store.setChannels(m_current.endpoints, channels))
            Q_EMIT profilesChanged();
    }
    Q_EMIT changed();
}

QString ServerSwitcher::keyOf(bool embedded, const QList<QUrl> &endpoints) const
{
    if (embedded)
        return QStringLiteral("embedded");
    return ProfileStore::urlStrings(ProfileStore::normalized(endpoints)).join(QLatin1Char(' '));
}

QString ServerSwitcher::describe(bool embedded, const ServerProfile &profile) const
{
    if (embedded)
        return ServerProfile::embeddedName();
    const int at = m_store.indexOfEndpoints(profile.endpoints);
    const QString name = at >= 0 ? m_store.profiles().at(at).name : profile.name;
    const QString endpoints = profile.endpointsText();
    return name.isEmpty() || name == endpoints ? endpoints : QStringLiteral("%1 (%2)").arg(name, endpoints);
}

void ServerSwitcher::refreshHeld()
{
    m_held.clear();
    for (auto it = m_parked.cbegin(); it != m_parked.cend(); ++it)
        if (!it.value().isEmpty())
            m_held.insert(it.key(), int(it.value().size()));
    // Journals of other servers hold what earlier runs or switches left for them.
    for (const ServerProfile &p : m_store.profiles()) {
        if (!m_currentEmbedded && p.endpoints == ProfileStore::normalized(m_current.endpoints))
            continue;
        const QString key = keyOf(false, p.endpoints);
        if (m_held.contains(key))
            continue;
        QFile file(queueFileFor(p.endpoints));
        if (file.fileName().isEmpty() || !file.open(QIODevice::ReadOnly))
            continue;
        const int live = int(OutboxJournal::parse(file.readAll()).live.size());
        if (live > 0)
            m_held.insert(key, live);
    }
}

QString ServerSwitcher::switchToEmbedded()
{
    if (!m_env.hubAvailable)
        return QStringLiteral("No such server");
    return activate(ServerProfile(), true);
}

QString ServerSwitcher::switchToProfile(int index)
{
    if (index < 0 || index >= m_store.profiles().size())
        return QStringLiteral("No such server");
    return activate(m_store.profiles().at(index), false);
}

QString ServerSwitcher::connectTo(const QString &urls, const QString &name)
{
    ServerProfile profile;
    QString error;
    if (!parseUrls(urls, &profile.endpoints, &error))
        return error;
    if (const int at = m_store.indexOfEndpoints(profile.endpoints); at >= 0)
        profile = m_store.profiles().at(at);
    if (!name.trimmed().isEmpty())
        profile.name = name.trimmed();
    return activate(profile, false);
}

QString ServerSwitcher::forgetProfile(int index)
{
    if (index < 0 || index >= m_store.profiles().size())
        return QStringLiteral("No such server");
    const ServerProfile p = m_store.profiles().at(index);
    m_store.forget(p.name);
    Q_EMIT profilesChanged();
    // Forgetting the server in use must not bring it straight back at its next reconnect.
    if (!m_currentEmbedded && p.endpoints == ProfileStore::normalized(m_current.endpoints))
        m_currentRecorded = true;
    const int held = m_held.value(keyOf(false, p.endpoints));
    Q_EMIT logged(held > 0 ? QStringLiteral("Forgot the server %1; %2 queued message(s) stay in its "
                                            "journal until it is used again")
                                 .arg(describe(false, p))
                                 .arg(held)
                           : QStringLiteral("Forgot the server %1").arg(describe(false, p)));
    refreshHeld();
    Q_EMIT changed();
    return QString();
}

QString ServerSwitcher::activate(const ServerProfile &requested, bool embedded)
{
    if (!m_manager)
        return QStringLiteral("The dashboard is not ready");
    ServerProfile target = requested;
    target.endpoints = ProfileStore::normalized(target.endpoints);
    if (embedded == m_currentEmbedded && (embedded || target.endpoints == m_current.endpoints)) {
        // Already there: a click on it means "try again" when it is not connected.
        if (!m_problem.isEmpty())
            return m_problem;
        m_manager->retry();
        return QString();
    }

    // Everything that can fail happens before the current connection is touched.
    DashboardConfig config;
    QString error;
    if (embedded) {
        config = m_env.embeddedConfig;
    } else if (!target.configPath.isEmpty() && !DashboardConfig::load(target.configPath, &config, &error)) {
        return QStringLiteral("The server's config %1: %2").arg(target.configPath, error);
    }
    QString token;
    ServerProfile::TokenSource tokenSource = ServerProfile::TokenSource::None;
    if (!embedded && !tokenFor(target, &token, &tokenSource, &error))
        return error;
    ConnectionOptions options;
    if (embedded) {
        // Only one hub at a time: the current server is not the embedded one, so none runs.
        if (!m_hub || !m_hub->start(&error))
            return QStringLiteral("The embedded hub did not start: %1").arg(error);
        options = m_env.base;
        options.endpoints = {m_hub->url()};
        options.token.clear();
        options.tokenSource = nullptr;
        options.origin.clear();
        options.caCertificatesFile.clear();
        options.insecure = false;
        options.protocol = QStringLiteral("pulseboard"); // the embedded hub speaks pulseboard.v1
        options.protocolConfig = QJsonObject();
        options.queueFile.clear(); // it lives and dies with this process
    } else {
        options = optionsFor(target, token);
    }

    const QString from = describe(m_currentEmbedded, m_current);
    const QString fromKey = keyOf(m_currentEmbedded, m_current.endpoints);
    const bool leavingHub = m_currentEmbedded;
    bool keptInJournal = false;
    const QList<Outbox::Entry> held = m_manager->switchServer(options, &keptInJournal);
    if (!keptInJournal && !held.isEmpty())
        m_parked.insert(fromKey, held);

    // The old hub goes only after the client said goodbye (switchServer closed it with 1000).
    if (leavingHub && m_hub)
        m_hub->stop();

    const QString toKey = keyOf(embedded, options.endpoints);
    if (m_parked.contains(toKey))
        m_manager->restoreQueued(m_parked.take(toKey));

    if (embedded) {
        target = ServerProfile();
        target.name = ServerProfile::embeddedName();
        target.endpoints = options.endpoints;
    } else {
        target.tokenSource = tokenSource;
    }
    m_current = target;
    m_currentEmbedded = embedded;
    m_currentRecorded = false;
    setProblem(QString());
    const QString to = describe(embedded, m_current);

    Q_EMIT serverChanged(config, embedded, embedded ? m_embeddedChannels : target.channels);
    if (embedded)
        m_embeddedChannels = m_manager->subscriptions();
    else
        m_current.channels = m_manager->subscriptions();

    QStringList heldIds;
    for (const Outbox::Entry &e : held)
        heldIds.append(e.id);
    Q_EMIT publishesHeld(heldIds, QStringLiteral("held for %1").arg(from));
    const QString words =
        held.isEmpty()
            ? QStringLiteral("Switched from %1 to %2").arg(from, to)
            : QStringLiteral(
                  "Switched from %1 to %2; %3 queued message(s) stay queued for %1 and go out when it is "
                  "used again")
                  .arg(from, to)
                  .arg(held.size());
    Q_EMIT logged(words);
    Q_EMIT announced(words);

    refreshHeld();
    Q_EMIT changed();
    Q_EMIT switched(from, to, int(held.size()));
    m_manager->open();
    return QString();
}

void ServerSwitcher::shutdown()
{
    if (m_hub)
        m_hub->shutdown();
}

} // namespace Pulseboard
