// SeriesKey: which source a charted series belongs to. A channel's series and the dashboard's own
// figures (the connection's health, its event markers) live in one SeriesStore, so a key says
// which of the two it names: a channel literally called "health" is another source than the
// dashboard's health figures, and clearing the channels (a server switch) cannot touch them.
// A bare string converts to a channel key: what arrives from the wire is always a channel.
#pragma once

#include <QHashFunctions>
#include <QString>

namespace Pulseboard {

struct SeriesKey
{
    enum class Origin : quint8 { Channel, Dashboard };

    Origin origin = Origin::Channel;
    QString name;

    SeriesKey() = default;
    // A channel's series (implicit on purpose: a channel name is a channel key).
    SeriesKey(const QString &channel) : name(channel) {}
    SeriesKey(Origin o, const QString &n) : origin(o), name(n) {}

    static SeriesKey channel(const QString &name) { return SeriesKey(Origin::Channel, name); }
    static SeriesKey dashboard(const QString &name) { return SeriesKey(Origin::Dashboard, name); }

    bool isChannel() const { return origin == Origin::Channel; }
    bool isDashboard() const { return origin == Origin::Dashboard; }

    // The word QML and CSV specs use for the origin ({source, path, origin}): "dashboard" for
    // the dashboard's own figures; absent, empty or "channel" for a channel.
    QString originName() const
    {
        return isDashboard() ? QStringLiteral("dashboard") : QStringLiteral("channel");
    }
    static bool originFromName(const QString &word, Origin *origin)
    {
        if (word.isEmpty() || word == QLatin1StringView("channel"))
            *origin = Origin::Channel;
        else if (word == QLatin1StringView("dashboard"))
            *origin = Origin::Dashboard;
        else
            return false;
        return true;
    }

    friend bool operator==(const SeriesKey &a, const SeriesKey &b)
    {
        return a.origin == b.origin && a.name == b.name;
    }
    friend bool operator!=(const SeriesKey &a, const SeriesKey &b) { return !(a == b); }
    friend bool operator<(const SeriesKey &a, const SeriesKey &b)
    {
        return a.origin != b.origin ? a.origin < b.origin : a.name < b.name;
    }
    friend size_t qHash(const SeriesKey &key, size_t seed = 0)
    {
        return qHashMulti(seed, int(key.origin), key.name);
    }
};

} // namespace Pulseboard
