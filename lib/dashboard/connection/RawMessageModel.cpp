#include "RawMessageModel.h"

#include "ChannelListModel.h"

#include <algorithm>

namespace Pulseboard {

RawMessageModel::RawMessageModel(QObject *parent)
    : QAbstractListModel(parent), m_tree(new JsonTreeModel(this))
{
    m_flushTimer.setInterval(150);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &RawMessageModel::flush);
}

int RawMessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

const QString &RawMessageModel::textOf(const Entry &e) const
{
    if (e.text.isNull())
        e.text = e.data.text(2000);
    return e.text;
}

QVariant RawMessageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return QVariant();
    const Entry &e = m_rows.at(index.row());
    switch (role) {
    case ReceivedMsRole:
        return e.receivedMs;
    case ChannelRole:
        return e.channel;
    case SeqRole:
        return e.seq;
    case TsRole:
        return e.ts;
    case Qt::DisplayRole:
    case TextRole:
        return textOf(e);
    case KeyRole:
        return double(e.key);
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> RawMessageModel::roleNames() const
{
    return {{ReceivedMsRole, "receivedMs"},
            {ChannelRole, "channel"},
            {SeqRole, "seq"},
            {TsRole, "ts"},
            {TextRole, "text"},
            {KeyRole, "key"}};
}

void RawMessageModel::append(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data,
                             qint64 receivedMs)
{
    append(channel, seq, ts, PayloadText(data), receivedMs);
}

void RawMessageModel::append(const QString &channel, qint64 seq, qint64 ts, const PayloadText &data,
                             qint64 receivedMs)
{
    ++m_received;
    m_pending.append({receivedMs, channel, seq, ts, data, QString(), m_nextKey++});
    if (m_pending.size() > m_maxRows) {
        m_pending.removeFirst();
        ++m_discarded;
    }
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

bool RawMessageModel::matches(const Entry &e) const
{
    if (m_filter.isEmpty())
        return true;
    if (m_pathFilter)
        return m_pathFilter->matches(e.channel, e.seq, e.ts,
                                     m_pathFilter->readsData() ? e.data.toJsonValue() : QJsonValue());
    if (isPathFilter()) // one that does not parse: filterError says why, nothing is hidden
        return true;
    return e.channel.contains(m_filter, Qt::CaseInsensitive) ||
           textOf(e).contains(m_filter, Qt::CaseInsensitive);
}

void RawMessageModel::flush()
{
    if (m_paused) {
        Q_EMIT countsChanged(); // the "held" figure moves
        return;
    }
    if (m_pending.isEmpty() || !m_viewShown)
        return;
    QList<Entry> fresh;
    fresh.reserve(m_pending.size());
    for (auto it = m_pending.crbegin(); it != m_pending.crend(); ++it) // newest first
        fresh.append(*it);
    m_pending.clear();

    QList<Entry> visible;
    for (const Entry &e : std::as_const(fresh))
        if (matches(e))
            visible.append(e);
    m_all = fresh + m_all;
    if (m_all.size() > m_maxRows) {
        m_discarded += quint64(m_all.size() - m_maxRows);
        m_all.resize(m_maxRows);
    }
    if (!visible.isEmpty()) {
        beginInsertRows(QModelIndex(), 0, int(visible.size()) - 1);
        m_rows = visible + m_rows;
        endInsertRows();
        if (m_rows.size() > m_maxRows) {
            beginRemoveRows(QModelIndex(), m_maxRows, int(m_rows.size()) - 1);
            m_rows.resize(m_maxRows);
            endRemoveRows();
        }
        updateSelectedRow();
    }
    Q_EMIT countsChanged();
}

void RawMessageModel::clear()
{
    beginResetModel();
    m_all.clear();
    m_rows.clear();
    m_pending.clear();
    endResetModel();
    select(0);
    Q_EMIT countsChanged();
}

QString RawMessageModel::textAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? textOf(m_rows.at(row)) : QString();
}

QString RawMessageModel::channelAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).channel : QString();
}

double RawMessageModel::keyAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? double(m_rows.at(row).key) : 0;
}

int RawMessageModel::rowOfKey(double key) const
{
    if (key <= 0)
        return -1;
    const auto wanted = quint64(key);
    // Rows are newest first and keys grow with arrival: a binary search on descending keys.
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), wanted,
                                     [](const Entry &e, quint64 k) { return e.key > k; });
    return it != m_rows.cend() && it->key == wanted ? int(it - m_rows.cbegin()) : -1;
}

void RawMessageModel::select(double key)
{
    const int row = rowOfKey(key);
    const quint64 chosen = row >= 0 ? quint64(key) : 0;
    if (chosen == m_selectedKey && row == m_selectedRow)
        return;
    const bool otherFrame = chosen != m_selectedKey;
    m_selectedKey = chosen;
    m_selectedRow = row;
    if (otherFrame) {
        if (row >= 0)
            showInTree(row);
        else
            m_tree->clear();
    }
    m_selectedText = row >= 0 ? textOf(m_rows.at(row)) : QString();
    m_selectedChannel = row >= 0 ? m_rows.at(row).channel : QString();
    Q_EMIT selectionChanged();
}

void RawMessageModel::showInTree(int row)
{
    const Entry &e = m_rows.at(row);
    const JsonTreeModel::Frame current{e.channel, e.seq, e.receivedMs, e.data.toJsonValue()};
    // "Previous": the frame of the same channel that arrived just before this one, among the
    // frames kept (m_all, newest first, keys growing with arrival), whatever the filter hides.
    std::optional<JsonTreeModel::Frame> previous;
    auto it = std::lower_bound(m_all.cbegin(), m_all.cend(), e.key,
                               [](const Entry &a, quint64 k) { return a.key > k; });
    if (it != m_all.cend() && it->key == e.key)
        ++it;
    for (; it != m_all.cend(); ++it) {
        if (it->channel == e.channel) {
            previous = JsonTreeModel::Frame{it->channel, it->seq, it->receivedMs, it->data.toJsonValue()};
            break;
        }
    }
    m_tree->setFrame(current, previous);
}

void RawMessageModel::updateSelectedRow()
{
    if (m_selectedKey == 0)
        return;
    const int row = rowOfKey(double(m_selectedKey));
    if (row == m_selectedRow)
        return;
    m_selectedRow = row;
    Q_EMIT selectionChanged();
}

void RawMessageModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged();
    if (!paused)
        flush();
    else
        Q_EMIT countsChanged(); // `held` starts counting
}

void RawMessageModel::setViewShown(bool shown)
{
    if (m_viewShown == shown)
        return;
    m_viewShown = shown;
    Q_EMIT viewShownChanged();
    if (shown)
        flush();
}

void RawMessageModel::setFilter(const QString &filter)
{
    if (m_filter == filter)
        return;
    m_filter = filter;
    m_pathFilter.reset();
    m_filterError.clear();
    if (PathFilter::looksLikePath(filter))
        m_pathFilter = PathFilter::parse(filter, &m_filterError);
    beginResetModel();
    m_rows.clear();
    for (const Entry &e : std::as_const(m_all))
        if (matches(e))
            m_rows.append(e);
    endResetModel();
    updateSelectedRow();
    Q_EMIT filterChanged();
    Q_EMIT countsChanged();
}

} // namespace Pulseboard
