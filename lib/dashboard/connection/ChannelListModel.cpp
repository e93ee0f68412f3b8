#include "ChannelListModel.h"

#include "protocol/Envelope.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Pulseboard {

ChannelListModel::ChannelListModel(QObject *parent) : QAbstractListModel(parent) {}

int ChannelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ChannelListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return QVariant();
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return r.name;
    case SubscribedRole:
        return r.subscribed;
    case ListedRole:
        return r.listed;
    case ServerSeqRole:
        return r.serverSeq;
    case ServerRateRole:
        return r.serverRate;
    case MessagesRole:
        return double(r.messages);
    case RateRole:
        return r.rate;
    case LastMessageMsRole:
        return r.lastMs;
    case AgeMsRole:
        return r.ageMs;
    case StaleRole:
        return r.stale;
    case GapsRole:
        return r.gaps;
    case LatestRole:
        return r.latestText;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> ChannelListModel::roleNames() const
{
    return {
        {NameRole, "name"},
        {SubscribedRole, "subscribed"},
        {ListedRole, "listed"},
        {ServerSeqRole, "serverSeq"},
        {ServerRateRole, "serverRate"},
        {MessagesRole, "messages"},
        {RateRole, "rate"},
        {LastMessageMsRole, "lastMessageMs"},
        {AgeMsRole, "ageMs"},
        {StaleRole, "stale"},
        {GapsRole, "gaps"},
        {LatestRole, "latest"},
    };
}

int ChannelListModel::indexOf(const QString &channel) const
{
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), channel,
                                     [](const Row &r, const QString &name) { return r.name < name; });
    if (it != m_rows.cend() && it->name == channel)
        return int(it - m_rows.cbegin());
    return -1;
}

int ChannelListModel::ensureRow(const QString &channel)
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), channel,
                                     [](const Row &r, const QString &name) { return r.name < name; });
    const int at = int(it - m_rows.begin());
    if (it != m_rows.end() && it->name == channel)
        return at;
    beginInsertRows(QModelIndex(), at, at);
    Row row;
    row.name = channel;
    m_rows.insert(at, row);
    endInsertRows();
    Q_EMIT countChanged();
    return at;
}

QVariantMap ChannelListModel::get(int row) const
{
    QVariantMap map;
    if (row < 0 || row >= m_rows.size())
        return map;
    const QHash<int, QByteArray> roles = roleNames();
    for (auto it = roles.cbegin(); it != roles.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return map;
}

qint64 ChannelListModel::lastMessageMs(const QString &channel) const
{
    const int row = indexOf(channel);
    return row < 0 ? 0 : m_rows.at(row).lastMs;
}

bool ChannelListModel::isStale(const QString &channel) const
{
    const int row = indexOf(channel);
    return row < 0 || m_rows.at(row).stale;
}

double ChannelListModel::rate(const QString &channel) const
{
    const int row = indexOf(channel);
    return row < 0 ? 0 : m_rows.at(row).rate;
}

int ChannelListModel::gaps(const QString &channel) const
{
    const int row = indexOf(channel);
    return row < 0 ? 0 : m_rows.at(row).gaps;
}

void ChannelListModel::noteMessage(const QString &channel, qint64 receivedMs, const QJsonValue &data)
{
    noteMessage(channel, receivedMs, PayloadText(data));
}

void ChannelListModel::noteMessage(const QString &channel, qint64 receivedMs, const PayloadText &data)
{
    noteMessages(channel, 1, receivedMs, data);
}

void ChannelListModel::noteMessages(const QString &channel, int count, qint64 receivedMs,
                                    const PayloadText &latest)
{
    Row &r = m_rows[ensureRow(channel)];
    r.messages += count;
    r.lastMs = receivedMs;
    r.latest = latest;
    r.latestDirty = true;
    r.meter.add(receivedMs, count);
}

void ChannelListModel::noteGap(const QString &channel)
{
    const int row = ensureRow(channel);
    ++m_rows[row].gaps;
    Q_EMIT dataChanged(index(row), index(row), {GapsRole});
}

void ChannelListModel::setSubscriptions(const QStringList &channels)
{
    for (const QString &c : channels)
        ensureRow(c);
    for (int i = 0; i < m_rows.size(); ++i) {
        const bool subscribed = channels.contains(m_rows.at(i).name);
        if (m_rows.at(i).subscribed != subscribed) {
            m_rows[i].subscribed = subscribed;
            Q_EMIT dataChanged(index(i), index(i), {SubscribedRole});
        }
    }
}

QString ChannelListModel::mergeServerList(const QJsonValue &result)
{
    if (!result.isArray())
        return QStringLiteral("channels.list did not return an array");
    int skipped = 0;
    for (const QJsonValue &v : result.toArray()) {
        const QJsonObject o = v.toObject();
        const QString name = o.value(QStringLiteral("name")).toString();
        if (!v.isObject() || !isValidChannelName(name)) {
            ++skipped;
            continue;
        }
        const int row = ensureRow(name);
        Row &r = m_rows[row];
        r.listed = true;
        r.serverSeq = o.value(QStringLiteral("seq")).toInteger(-1);
        r.serverRate = o.value(QStringLiteral("rate")).toDouble(-1);
        Q_EMIT dataChanged(index(row), index(row), {ListedRole, ServerSeqRole, ServerRateRole});
    }
    if (skipped > 0)
        return QStringLiteral("channels.list: %1 entr%2 without a usable name ignored")
            .arg(skipped)
            .arg(skipped == 1 ? QStringLiteral("y") : QStringLiteral("ies"));
    return QString();
}

bool ChannelListModel::addManual(const QString &channel)
{
    const QString name = channel.trimmed();
    if (!isValidChannelName(name))
        return false;
    ensureRow(name);
    return true;
}

void ChannelListModel::refresh(qint64 nowMs, bool connectionLive)
{
    refresh(nowMs, [connectionLive](const QString &) { return connectionLive; });
}

void ChannelListModel::refresh(qint64 nowMs, const std::function<bool(const QString &channel)> &live)
{
    if (m_rows.isEmpty())
        return;
    for (Row &r : m_rows) {
        const bool connectionLive = live(r.name);
        r.rate = r.meter.rate(nowMs);
        r.ageMs = r.lastMs > 0 ? qMax<qint64>(0, nowMs - r.lastMs) : -1;
        r.stale = r.lastMs == 0 || Pulseboard::isStale(r.ageMs, r.rate, m_staleMinimumMs, connectionLive);
        if (r.latestDirty) {
            r.latestText = r.latest.text(160);
            r.latestDirty = false;
        }
    }
    Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1),
                       {MessagesRole, RateRole, LastMessageMsRole, AgeMsRole, StaleRole, LatestRole});
}

QString ChannelListModel::compactText(const QJsonValue &value, int maxChars)
{
    QString text;
    if (value.isObject())
        text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    else if (value.isArray())
        text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    else if (value.isString())
        text = QLatin1Char('"') + value.toString() + QLatin1Char('"');
    else if (value.isDouble())
        text = QString::number(value.toDouble(), 'g', 12);
    else if (value.isBool())
        text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    else if (value.isNull())
        text = QStringLiteral("null");
    if (text.size() > maxChars)
        text = text.left(maxChars - 1) + QChar(0x2026);
    return text;
}

void ChannelListModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
    Q_EMIT countChanged();
}

} // namespace Pulseboard
