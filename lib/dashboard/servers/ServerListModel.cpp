#include "ServerListModel.h"

#include "EmbeddedHub.h"
#include "ServerSwitcher.h"
#include "client/DialectCapabilities.h"
#include "client/DialectFactory.h"

namespace Pulseboard {

namespace {

const QList<int> kRoles = {ServerListModel::NameRole,       ServerListModel::EndpointsRole,
                           ServerListModel::LastUsedMsRole, ServerListModel::BuiltinRole,
                           ServerListModel::CurrentRole,    ServerListModel::TokenProblemRole,
                           ServerListModel::HeldRole,       ServerListModel::ChannelsRole,
                           ServerListModel::ProtocolRole,   ServerListModel::GuaranteesRole};

// What a server of this protocol (with these settings) can promise, in one line.
QString guarantees(const QString &protocol, const QJsonObject &config)
{
    ConnectionOptions o;
    o.protocol = protocol.isEmpty() ? QStringLiteral("pulseboard") : protocol;
    o.protocolConfig = config;
    QString why;
    const std::unique_ptr<WireDialect> dialect = makeDialect(o, &why);
    return dialect ? capabilitiesSummary(dialect->capabilities()) : QStringLiteral("cannot connect: ") + why;
}

} // namespace

ServerListModel::ServerListModel(ServerSwitcher *switcher, bool persistent, QObject *parent)
    : QAbstractListModel(parent), m_switcher(switcher), m_persistent(persistent)
{
    m_rows = buildRows();
    m_currentRow = currentRow();
    m_currentName = currentName();
    connect(switcher, &ServerSwitcher::changed, this, &ServerListModel::sync);
    connect(switcher, &ServerSwitcher::problemChanged, this, &ServerListModel::problemChanged);
}

ServerListModel::~ServerListModel() = default;

int ServerListModel::profileOffset() const
{
    return m_switcher && m_switcher->environment().hubAvailable ? 1 : 0;
}

QList<ServerListModel::Row> ServerListModel::buildRows() const
{
    QList<Row> rows;
    if (!m_switcher)
        return rows;
    const ServerSwitcher &s = *m_switcher;
    const bool embeddedNow = s.currentIsEmbedded();
    if (s.environment().hubAvailable) {
        const EmbeddedHub *hub = s.embeddedHub();
        Row row;
        row.key = QStringLiteral("embedded");
        row.values = {{NameRole, ServerProfile::embeddedName()},
                      {EndpointsRole, embeddedNow && hub && hub->isRunning()
                                          ? hub->url().toString()
                                          : QStringLiteral("started on demand, 127.0.0.1")},
                      {LastUsedMsRole, 0.0},
                      {BuiltinRole, true},
                      {CurrentRole, embeddedNow},
                      {TokenProblemRole, QString()},
                      {HeldRole, s.heldFor(true, {})},
                      {ChannelsRole, s.embeddedChannels()},
                      {ProtocolRole, QStringLiteral("pulseboard")},
                      {GuaranteesRole, guarantees(QString(), {})}};
        rows.append(row);
    }
    const QList<QUrl> current = ProfileStore::normalized(s.current().endpoints);
    for (const ServerProfile &p : s.store().profiles()) {
        QString token;
        ServerProfile::TokenSource source;
        QString problem;
        if (s.tokenFor(p, &token, &source, &problem))
            problem.clear();
        Row row;
        row.key = ProfileStore::urlStrings(p.endpoints).join(QLatin1Char(' '));
        row.values = {{NameRole, p.name},
                      {EndpointsRole, p.endpointsText()},
                      {LastUsedMsRole, double(p.lastUsedMs)},
                      {BuiltinRole, false},
                      {CurrentRole, !embeddedNow && current == p.endpoints},
                      {TokenProblemRole, problem},
                      {HeldRole, s.heldFor(false, p.endpoints)},
                      {ChannelsRole, p.channels},
                      {ProtocolRole, p.protocol.isEmpty() ? QStringLiteral("pulseboard") : p.protocol},
                      {GuaranteesRole, guarantees(p.protocol, p.protocolConfig)}};
        rows.append(row);
    }
    return rows;
}

void ServerListModel::sync()
{
    const QList<Row> fresh = buildRows();
    auto keysOf = [](const QList<Row> &rows) {
        QStringList keys;
        for (const Row &r : rows)
            keys.append(r.key);
        return keys;
    };
    QStringList now = keysOf(m_rows);
    const QStringList wanted = keysOf(fresh);
    const int oldCount = int(m_rows.size());

    // Bring the rows into the new order one structural step at a time (a forgotten profile is
    // removed, a new one inserted, a profile used again moved), so views keep every other row.
    for (int i = int(now.size()) - 1; i >= 0; --i) {
        if (!wanted.contains(now.at(i))) {
            beginRemoveRows(QModelIndex(), i, i);
            m_rows.removeAt(i);
            now.removeAt(i);
            endRemoveRows();
        }
    }
    for (int i = 0; i < wanted.size(); ++i) {
        const int at = int(now.indexOf(wanted.at(i)));
        if (at == i)
            continue;
        if (at < 0) {
            beginInsertRows(QModelIndex(), i, i);
            m_rows.insert(i, fresh.at(i));
            now.insert(i, wanted.at(i));
            endInsertRows();
        } else {
            beginMoveRows(QModelIndex(), at, at, QModelIndex(), i);
            m_rows.move(at, i);
            now.move(at, i);
            endMoveRows();
        }
    }
    // Same rows in the same order now: tell each row which of its roles changed.
    for (int i = 0; i < fresh.size(); ++i) {
        QList<int> changed;
        for (int role : kRoles)
            if (m_rows.at(i).values.value(role) != fresh.at(i).values.value(role))
                changed.append(role);
        m_rows[i] = fresh.at(i);
        if (!changed.isEmpty())
            Q_EMIT dataChanged(index(i), index(i), changed);
    }
    if (int(m_rows.size()) != oldCount)
        Q_EMIT countChanged();
    const int row = currentRow();
    const QString name = currentName();
    if (row != m_currentRow || name != m_currentName) {
        m_currentRow = row;
        m_currentName = name;
        Q_EMIT currentChanged();
    }
}

int ServerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> ServerListModel::roleNames() const
{
    return {{NameRole, "name"},
            {EndpointsRole, "endpoints"},
            {LastUsedMsRole, "lastUsedMs"},
            {BuiltinRole, "builtin"},
            {CurrentRole, "current"},
            {TokenProblemRole, "tokenProblem"},
            {HeldRole, "held"},
            {ChannelsRole, "channels"},
            {ProtocolRole, "protocol"},
            {GuaranteesRole, "guarantees"}};
}

QVariant ServerListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    return m_rows.at(index.row()).values.value(role);
}

int ServerListModel::currentRow() const
{
    if (!m_switcher)
        return -1;
    if (m_switcher->currentIsEmbedded())
        return profileOffset() > 0 ? 0 : -1;
    const int at = m_switcher->store().indexOfEndpoints(m_switcher->current().endpoints);
    return at < 0 ? -1 : at + profileOffset();
}

QString ServerListModel::currentName() const
{
    return m_switcher ? m_switcher->currentName() : QString();
}

QString ServerListModel::problem() const
{
    return m_switcher ? m_switcher->problem() : QString();
}

QString ServerListModel::switchTo(int row)
{
    if (!m_switcher || row < 0 || row >= rowCount())
        return QStringLiteral("No such server");
    if (row < profileOffset())
        return m_switcher->switchToEmbedded();
    return m_switcher->switchToProfile(row - profileOffset());
}

QString ServerListModel::connectTo(const QString &urls, const QString &name)
{
    return m_switcher ? m_switcher->connectTo(urls, name) : QStringLiteral("The dashboard is not ready");
}

QString ServerListModel::forget(int row)
{
    if (!m_switcher || row < 0 || row >= rowCount())
        return QStringLiteral("No such server");
    if (row < profileOffset())
        return QStringLiteral("The embedded hub is built in");
    return m_switcher->forgetProfile(row - profileOffset());
}

QString ServerListModel::checkUrls(const QString &urls) const
{
    QList<QUrl> parsed;
    QString error;
    return ServerSwitcher::parseUrls(urls, &parsed, &error) ? QString() : error;
}

} // namespace Pulseboard
