#include "WildcardTiles.h"

#include "protocol/MqttPacket.h"

namespace Pulseboard {

namespace {
// Past this many distinct channels, new ones are matched again on each message instead of
// being remembered: memory stays bounded whatever a broker sends.
constexpr int kMaxSeen = 100000;
} // namespace

WildcardTiles::WildcardTiles(int maxPerFilter) : m_max(qMax(1, maxPerFilter)) {}

bool WildcardTiles::isFilter(const QString &name)
{
    const QStringList levels = name.split(QLatin1Char('/'));
    for (const QString &level : levels)
        if (level == QLatin1StringView("+") || level == QLatin1StringView("#"))
            return true;
    return false;
}

void WildcardTiles::setSubscriptions(const QStringList &subscriptions)
{
    QStringList filters;
    for (const QString &s : subscriptions)
        if (isFilter(s))
            filters.append(s);
    if (filters == m_filters)
        return;
    QHash<QString, QStringList> matches;
    QHash<QString, int> overflow;
    for (const QString &f : std::as_const(filters)) {
        matches.insert(f, m_matches.value(f));
        if (m_overflow.contains(f))
            overflow.insert(f, m_overflow.value(f));
    }
    m_filters = filters;
    m_matches = matches;
    m_overflow = overflow;
    // A filter added later must see the topics already seen again.
    m_seen.clear();
}

bool WildcardTiles::note(const QString &channel)
{
    if (m_filters.isEmpty() || m_seen.contains(channel))
        return false;
    if (m_seen.size() < kMaxSeen)
        m_seen.insert(channel);
    bool changed = false;
    for (const QString &f : std::as_const(m_filters)) {
        if (f == channel || !Mqtt::topicMatches(f, channel))
            continue;
        QStringList &shown = m_matches[f];
        if (shown.contains(channel))
            continue;
        if (shown.size() >= m_max) {
            ++m_overflow[f];
            continue;
        }
        shown.append(channel);
        changed = true;
    }
    return changed;
}

void WildcardTiles::clear()
{
    m_filters.clear();
    m_matches.clear();
    m_overflow.clear();
    m_seen.clear();
}

} // namespace Pulseboard
