#include "ServerProfiles.h"

#include "client/ConnectionManager.h"
#include "client/OutboxJournal.h"
#include "dashboard/connection/EventLog.h"
#include "dashboard/connection/OutboxModel.h"
#include "dashboard/shell/Dashboard.h"
#include "protocol/Clock.h"
#include "protocol/EndpointUrl.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSettings>
#include <QTimer>

namespace Pulseboard {

namespace {

const QString kGroup = QStringLiteral("profiles");
const QString kEmbeddedName = QStringLiteral("This machine (embedded hub)");


QStringList urlStrings(const QList<QUrl> &urls)
{
    QStringList out;
    for (const QUrl &url : urls)
        out.append(url.toString(QUrl::FullyEncoded));
    return out;
}

ServerProfile::TokenSource tokenSourceFromName(const QString &name)
{
    if (name == QLatin1StringView("env"))
        return ServerProfile::TokenSource::Environment;
    if (name == QLatin1StringView("flag"))
        return ServerProfile::TokenSource::Flag;
    return ServerProfile::TokenSource::None;
}

} // namespace

// --- ServerProfile ---

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
    return urlStrings(endpoints).join(QStringLiteral(", "));
}

QJsonObject ServerProfile::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("endpoints"), QJsonArray::fromStringList(urlStrings(endpoints))},
                  {QStringLiteral("channels"), QJsonArray::fromStringList(channels)},
                  {QStringLiteral("tokenFrom"), tokenSourceName(tokenSource)},
                  {QStringLiteral("insecure"), insecure}};
    if (!origin.isEmpty())
        o.insert(QStringLiteral("origin"), origin);
    if (!caFile.isEmpty())
        o.insert(QStringLiteral("caFile"), caFile);
    if (!configPath.isEmpty())
        o.insert(QStringLiteral("config"), configPath);
    if (lastUsedMs > 0)
        o.insert(QStringLiteral("lastUsed"),
                 QDateTime::fromMSecsSinceEpoch(lastUsedMs, Qt::UTC).toString(Qt::ISODateWithMs));
    return o;
}

// --- ProfileStore ---

QList<QUrl> ProfileStore::normalized(const QList<QUrl> &endpoints)
{
    QList<QUrl> out;
    for (const QUrl &url : endpoints)
        out.append(url.adjusted(QUrl::RemovePassword));
    return out;
}

void ProfileStore::load(QSettings *settings)
{
    m_profiles.clear();
    if (!settings)
        return;
    const int size = settings->beginReadArray(kGroup);
    for (int i = 0; i < size && m_profiles.size() < kMaxProfiles; ++i) {
        settings->setArrayIndex(i);
        ServerProfile p;
        p.name = settings->value(QStringLiteral("name")).toString();
        for (const QString &text : settings->value(QStringLiteral("endpoints")).toStringList()) {
            if (const std::optional<QUrl> url = EndpointUrl::parse(text))
                p.endpoints.append(*url);
        }
        if (p.name.isEmpty() || p.endpoints.isEmpty()) {
            qWarning(
                "pulseboard: settings: server profile %d is not usable (no name or no ws:// URL); ignored",
                i + 1);
            continue;
        }
        p.channels = settings->value(QStringLiteral("channels")).toStringList();
        p.origin = settings->value(QStringLiteral("origin")).toString();
        p.caFile = settings->value(QStringLiteral("caFile")).toString();
        p.insecure = settings->value(QStringLiteral("insecure"), false).toBool();
        p.configPath = settings->value(QStringLiteral("config")).toString();
        p.tokenSource = tokenSourceFromName(settings->value(QStringLiteral("tokenFrom")).toString());
        p.lastUsedMs = settings->value(QStringLiteral("lastUsedMs"), 0).toLongLong();
        if (indexOfEndpoints(p.endpoints) < 0 && indexOfName(p.name) < 0)
            m_profiles.append(p);
    }
    settings->endArray();
}

void ProfileStore::save(QSettings *settings) const
{
    if (!settings)
        return;
    settings->remove(kGroup);
    settings->beginWriteArray(kGroup, int(m_profiles.size()));
    for (int i = 0; i < m_profiles.size(); ++i) {
        const ServerProfile &p = m_profiles.at(i);
        settings->setArrayIndex(i);
        settings->setValue(QStringLiteral("name"), p.name);
        settings->setValue(QStringLiteral("endpoints"), urlStrings(p.endpoints));
        settings->setValue(QStringLiteral("channels"), p.channels);
        settings->setValue(QStringLiteral("origin"), p.origin);
        settings->setValue(QStringLiteral("caFile"), p.caFile);
        settings->setValue(QStringLiteral("insecure"), p.insecure);
        settings->setValue(QStringLiteral("config"), p.configPath);
        settings->setValue(QStringLiteral("tokenFrom"), ServerProfile::tokenSourceName(p.tokenSource));
        settings->setValue(QStringLiteral("lastUsedMs"), p.lastUsedMs);
    }
    settings->endArray();
    settings->sync();
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
    for (int n = 2; indexOfName(profile.name) >= 0 || profile.name == kEmbeddedName; ++n)
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

// --- ServerProfiles ---

QString ServerProfiles::tokenMissingText()
{
    return QStringLiteral("This server needs a token: start with --token or set PULSEBOARD_TOKEN");
}

ServerProfiles::ServerProfiles(QSettings *settings, bool writable, const Environment &environment,
                               QObject *parent)
    : QAbstractListModel(parent), m_settings(settings), m_writable(writable), m_env(environment)
{
    m_store.load(settings);
}

ServerProfiles::~ServerProfiles() = default;

int ServerProfiles::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_store.profiles().size()) + (m_env.hubAvailable ? 1 : 0);
}

QHash<int, QByteArray> ServerProfiles::roleNames() const
{
    return {{NameRole, "name"},       {EndpointsRole, "endpoints"}, {LastUsedMsRole, "lastUsedMs"},
            {BuiltinRole, "builtin"}, {CurrentRole, "current"},     {TokenProblemRole, "tokenProblem"},
            {HeldRole, "held"},       {ChannelsRole, "channels"}};
}

QVariant ServerProfiles::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const int offset = m_env.hubAvailable ? 1 : 0;
    if (index.row() < offset) {
        switch (role) {
        case NameRole:
            return kEmbeddedName;
        case EndpointsRole:
            return m_currentEmbedded && m_hub ? m_hub->url().toString()
                                              : QStringLiteral("started on demand, 127.0.0.1");
        case LastUsedMsRole:
            return 0.0;
        case BuiltinRole:
            return true;
        case CurrentRole:
            return m_currentEmbedded;
        case TokenProblemRole:
            return QString();
        case HeldRole:
            return m_held.value(keyOf(true, {}));
        case ChannelsRole:
            return m_embeddedChannels;
        }
        return {};
    }
    const ServerProfile &p = m_store.profiles().at(index.row() - offset);
    switch (role) {
    case NameRole:
        return p.name;
    case EndpointsRole:
        return p.endpointsText();
    case LastUsedMsRole:
        return double(p.lastUsedMs);
    case BuiltinRole:
        return false;
    case CurrentRole:
        return !m_currentEmbedded && ProfileStore::normalized(m_current.endpoints) == p.endpoints;
    case TokenProblemRole: {
        QString token;
        ServerProfile::TokenSource source;
        QString problem;
        return tokenFor(p, &token, &source, &problem) ? QString() : problem;
    }
    case HeldRole:
        return m_held.value(keyOf(false, p.endpoints));
    case ChannelsRole:
        return p.channels;
    }
    return {};
}

int ServerProfiles::currentRow() const
{
    if (m_currentEmbedded)
        return m_env.hubAvailable ? 0 : -1;
    const int at = m_store.indexOfEndpoints(m_current.endpoints);
    return at < 0 ? -1 : at + (m_env.hubAvailable ? 1 : 0);
}

QString ServerProfiles::currentName() const
{
    if (m_currentEmbedded)
        return kEmbeddedName;
    const int at = m_store.indexOfEndpoints(m_current.endpoints);
    return at >= 0 ? m_store.profiles().at(at).name : ServerProfile::defaultName(m_current.endpoints);
}

void ServerProfiles::setProblem(const QString &text)
{
    if (m_problem == text)
        return;
    m_problem = text;
    Q_EMIT problemChanged();
}

QString ServerProfiles::journalFile(const QString &dir, const QList<QUrl> &endpoints)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    for (const QUrl &url : endpoints)
        hash.addData(url.toString(QUrl::FullyEncoded).toUtf8());
    const QString key = QString::fromLatin1(hash.result().toHex().left(12));
    return dir + QStringLiteral("/outbox-") + key + QStringLiteral(".journal");
}

QString ServerProfiles::queueFileFor(const QList<QUrl> &endpoints) const
{
    const QList<QUrl> wanted = ProfileStore::normalized(endpoints);
    if (!m_env.explicitQueueFile.isEmpty() &&
        wanted == ProfileStore::normalized(m_env.explicitQueueEndpoints))
        return m_env.explicitQueueFile;
    if (m_env.journalDir.isEmpty())
        return QString();
    return journalFile(m_env.journalDir, wanted);
}

bool ServerProfiles::tokenFor(const ServerProfile &profile, QString *token,
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

ConnectionOptions ServerProfiles::optionsFor(const ServerProfile &profile, const QString &token) const
{
    ConnectionOptions o = m_env.base;
    o.endpoints = profile.endpoints;
    o.token = token;
    o.origin = profile.origin;
    o.caCertificatesFile = profile.caFile;
    o.insecure = profile.insecure;
    o.queueFile = queueFileFor(profile.endpoints);
    return o;
}

bool ServerProfiles::startEmbeddedHub(QString *error)
{
    auto hub = std::make_unique<HubServer>(m_env.hub);
    if (!hub->start(error))
        return false;
    m_hub = std::move(hub);
    m_currentEmbedded = true;
    m_current = ServerProfile();
    m_current.name = kEmbeddedName;
    m_current.endpoints = {m_hub->url()};
    return true;
}

bool ServerProfiles::setStartServer(const ServerProfile &profile)
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
    return true;
}

void ServerProfiles::attach(ConnectionManager *manager, Dashboard *dashboard)
{
    m_manager = manager;
    m_dashboard = dashboard;
    if (m_currentEmbedded)
        m_embeddedChannels = manager->subscriptions();
    else
        m_current.channels = manager->subscriptions();
    connect(manager, &ConnectionManager::connected, this, &ServerProfiles::recordCurrent);
    refreshHeld();
    resetRows();
}

void ServerProfiles::recordCurrent()
{
    if (m_currentEmbedded || m_currentRecorded || !m_manager)
        return;
    m_currentRecorded = true;
    m_current.lastUsedMs = Clock::current().wallMs();
    m_current.channels = m_manager->subscriptions();
    m_current = m_store.record(m_current);
    save();
    resetRows();
}

void ServerProfiles::noteChannels(const QStringList &channels)
{
    if (m_currentEmbedded) {
        m_embeddedChannels = channels;
    } else {
        m_current.channels = channels;
        if (m_store.setChannels(m_current.endpoints, channels))
            save();
    }
    if (const int row = currentRow(); row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {ChannelsRole});
}

void ServerProfiles::save()
{
    if (m_writable)
        m_store.save(m_settings);
}

QString ServerProfiles::keyOf(bool embedded, const QList<QUrl> &endpoints) const
{
    if (embedded)
        return QStringLiteral("embedded");
    return urlStrings(ProfileStore::normalized(endpoints)).join(QLatin1Char(' '));
}

QString ServerProfiles::describe(bool embedded, const ServerProfile &profile) const
{
    if (embedded)
        return kEmbeddedName;
    const int at = m_store.indexOfEndpoints(profile.endpoints);
    const QString name = at >= 0 ? m_store.profiles().at(at).name : profile.name;
    const QString endpoints = profile.endpointsText();
    return name.isEmpty() || name == endpoints ? endpoints : QStringLiteral("%1 (%2)").arg(name, endpoints);
}

void ServerProfiles::refreshHeld()
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

void ServerProfiles::resetRows()
{
    beginResetModel();
    endResetModel();
    Q_EMIT countChanged();
    Q_EMIT currentChanged();
}

bool ServerProfiles::parseUrls(const QString &text, QList<QUrl> *urls, QString *error)
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

QString ServerProfiles::checkUrls(const QString &urls) const
{
    QList<QUrl> parsed;
    QString error;
    return parseUrls(urls, &parsed, &error) ? QString() : error;
}

QString ServerProfiles::switchTo(int row)
{
    if (row < 0 || row >= rowCount())
        return QStringLiteral("No such server");
    const int offset = m_env.hubAvailable ? 1 : 0;
    if (row < offset)
        return activate(ServerProfile(), true);
    return activate(m_store.profiles().at(row - offset), false);
}

QString ServerProfiles::connectTo(const QString &urls, const QString &name)
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

QString ServerProfiles::forget(int row)
{
    const int offset = m_env.hubAvailable ? 1 : 0;
    if (row < offset)
        return row < 0 ? QStringLiteral("No such server") : QStringLiteral("The embedded hub is built in");
    if (row >= rowCount())
        return QStringLiteral("No such server");
    const ServerProfile p = m_store.profiles().at(row - offset);
    m_store.forget(p.name);
    save();
    // Forgetting the server in use must not bring it straight back at its next reconnect.
    if (!m_currentEmbedded && p.endpoints == ProfileStore::normalized(m_current.endpoints))
        m_currentRecorded = true;
    if (m_dashboard) {
        const int held = m_held.value(keyOf(false, p.endpoints));
        m_dashboard->events()->add(
            EventLog::Info,
            held > 0 ? QStringLiteral("Forgot the server %1; %2 queued message(s) stay in its "
                                      "journal until it is used again")
                           .arg(describe(false, p))
                           .arg(held)
                     : QStringLiteral("Forgot the server %1").arg(describe(false, p)),
            Clock::current().wallMs());
    }
    refreshHeld();
    resetRows();
    return QString();
}

QString ServerProfiles::activate(const ServerProfile &requested, bool embedded)
{
    if (!m_manager || !m_dashboard)
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
    std::unique_ptr<HubServer> newHub;
    ConnectionOptions options;
    if (embedded) {
        newHub = std::make_unique<HubServer>(m_env.hub);
        if (!newHub->start(&error))
            return QStringLiteral("The embedded hub did not start: %1").arg(error);
        options = m_env.base;
        options.endpoints = {newHub->url()};
        options.token.clear();
        options.origin.clear();
        options.caCertificatesFile.clear();
        options.insecure = false;
        options.queueFile.clear(); // it lives and dies with this process
    } else {
        options = optionsFor(target, token);
    }

    const QString from = describe(m_currentEmbedded, m_current);
    const QString fromKey = keyOf(m_currentEmbedded, m_current.endpoints);
    bool keptInJournal = false;
    const QList<Outbox::Entry> held = m_manager->switchServer(options, &keptInJournal);
    if (!keptInJournal && !held.isEmpty())
        m_parked.insert(fromKey, held);

    // The old hub goes only after the client said goodbye (switchServer closed it with 1000).
    if (m_hub) {
        HubServer *old = m_hub.release();
        connect(old, &HubServer::stopped, old, &QObject::deleteLater);
        QTimer::singleShot(old->options().shutdownTimeoutMs + 1000, old, &QObject::deleteLater);
        old->shutdown();
    }
    m_hub = std::move(newHub);

    const QString toKey = keyOf(embedded, options.endpoints);
    if (m_parked.contains(toKey))
        m_manager->restoreQueued(m_parked.take(toKey));

    if (embedded) {
        target = ServerProfile();
        target.name = kEmbeddedName;
        target.endpoints = options.endpoints;
    } else {
        target.tokenSource = tokenSource;
    }
    m_current = target;
    m_currentEmbedded = embedded;
    m_currentRecorded = false;
    setProblem(QString());
    const QString to = describe(embedded, m_current);

    m_dashboard->serverSwitched(config, embedded, embedded ? m_embeddedChannels : target.channels);
    if (embedded)
        m_embeddedChannels = m_manager->subscriptions();
    else
        m_current.channels = m_manager->subscriptions();

    QStringList heldIds;
    for (const Outbox::Entry &e : held)
        heldIds.append(e.id);
    m_dashboard->outbox()->markHeld(heldIds, QStringLiteral("held for %1").arg(from));
    const QString words =
        held.isEmpty()
            ? QStringLiteral("Switched from %1 to %2").arg(from, to)
            : QStringLiteral(
                  "Switched from %1 to %2; %3 queued message(s) stay queued for %1 and go out when it is "
                  "used again")
                  .arg(from, to)
                  .arg(held.size());
    m_dashboard->events()->add(EventLog::Info, words, Clock::current().wallMs());
    Q_EMIT m_dashboard->notice(words);

    refreshHeld();
    resetRows();
    Q_EMIT switched(from, to, int(held.size()));
    m_manager->open();
    return QString();
}

void ServerProfiles::shutdown()
{
    if (m_hub)
        m_hub->shutdown();
}

} // namespace Pulseboard
