#include "SubscriptionSet.h"

#include "protocol/MqttPacket.h"

namespace Pulseboard {

bool SubscriptionSet::add(const QString &channel)
{
    if (m_channels.contains(channel))
        return false;
    m_channels.insert(channel, State{});
    m_order.append(channel);
    if (channel.contains(u'+') || channel.contains(u'#'))
        m_filters.append(channel);
    return true;
}

bool SubscriptionSet::remove(const QString &channel)
{
    if (!m_channels.remove(channel))
        return false;
    m_order.removeOne(channel);
    m_filters.removeOne(channel);
    return true;
}

bool SubscriptionSet::matchesFilter(const QString &channel) const
{
    for (const QString &filter : m_filters)
        if (Mqtt::topicMatches(filter, channel))
            return true;
    return false;
}

QStringList SubscriptionSet::channels() const
{
    return m_order;
}

qint64 SubscriptionSet::lastSeq(const QString &channel) const
{
    const auto it = m_channels.constFind(channel);
    return it == m_channels.cend() ? -1 : it->lastSeq;
}

SubscriptionSet::Verdict SubscriptionSet::accept(const QString &channel, qint64 seq, Gap *gap)
{
    const auto it = m_channels.find(channel);
    if (it == m_channels.end())
        return Verdict::NotSubscribed;
    State &s = *it;
    if (s.lastSeq >= 0 && seq <= s.lastSeq) {
        ++m_duplicates;
        return Verdict::Duplicate;
    }
    const qint64 previous = s.lastSeq;
    s.lastSeq = seq;
    if (previous >= 0 && seq > previous + 1) {
        ++m_gaps;
        if (gap)
            *gap = Gap{previous + 1, seq - 1};
        return Verdict::Gap;
    }
    return Verdict::Deliver;
}

bool SubscriptionSet::confirm(const QString &channel, qint64 serverSeq, bool sentSince)
{
    const auto it = m_channels.find(channel);
    if (it == m_channels.end())
        return false;
    State &s = *it;
    if (!sentSince || s.lastSeq < 0) {
        // A fresh subscription starts at the server's present: the next live message is
        // serverSeq + 1, and anything after a jump from there is a real gap.
        s.lastSeq = serverSeq;
        return false;
    }
    if (serverSeq < s.lastSeq) {
        s.lastSeq = serverSeq;
        return true;
    }
    return false;
}

QString SubscriptionSet::epoch(const QString &channel) const
{
    const auto it = m_channels.constFind(channel);
    return it == m_channels.cend() ? QString() : it->epoch;
}

void SubscriptionSet::setEpoch(const QString &channel, const QString &epoch)
{
    const auto it = m_channels.find(channel);
    if (it != m_channels.end())
        it->epoch = epoch;
}

void SubscriptionSet::startBefore(const QString &channel, qint64 seq)
{
    const auto it = m_channels.find(channel);
    if (it != m_channels.end())
        it->lastSeq = seq;
}

void SubscriptionSet::restart(const QString &channel, const QString &epoch)
{
    const auto it = m_channels.find(channel);
    if (it == m_channels.end())
        return;
    it->lastSeq = 0;
    it->epoch = epoch;
}

} // namespace Pulseboard
