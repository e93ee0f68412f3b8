// WildcardTiles: which concrete channels a topic-filter subscription (MQTT `plant/+/temp`,
// `plant/#`) shows as tiles. A filter names no channel messages arrive on: they come under their
// concrete topics, and each topic seen gets a tile of its own, in the order first seen, up to a
// cap per filter (a `#` on a busy broker can match thousands; the Channels panel lists them all).
// Filters only come from dialects whose subscriptions are topic filters; for every other
// dialect nothing here is ever consulted.
#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace Pulseboard {

class WildcardTiles
{
public:
    static constexpr int kDefaultMaxPerFilter = 24;

    explicit WildcardTiles(int maxPerFilter = kDefaultMaxPerFilter);

    // Whether `name` holds a `+` or `#` level (a filter, not a topic).
    static bool isFilter(const QString &name);

    // The filter subscriptions now (other names are ignored). Topics seen keep their tiles
    // under the filters that still match them.
    void setSubscriptions(const QStringList &subscriptions);
    bool hasFilters() const { return !m_filters.isEmpty(); }

    // A message arrived on `channel`. True when it is a topic first seen under a filter that
    // has room for it: the tiles change. Cheap for a channel seen before.
    bool note(const QString &channel);

    // The concrete topics shown for `filter`, in the order first seen (at most the cap).
    QStringList matchesOf(const QString &filter) const { return m_matches.value(filter); }
    // Topics that matched `filter` after its cap was reached (not shown as tiles).
    int overflowOf(const QString &filter) const { return m_overflow.value(filter); }
    int maxPerFilter() const { return m_max; }

    void clear();

private:
    int m_max;
    QStringList m_filters;
    QHash<QString, QStringList> m_matches;
    QHash<QString, int> m_overflow;
    QSet<QString> m_seen; // every channel note() has looked at (bounded)
};

} // namespace Pulseboard
