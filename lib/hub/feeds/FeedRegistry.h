// FeedRegistry: the hub's built-in feeds by name, and how each one is built from the hub's
// options. The one place that knows which feed names exist: the hub builds its feeds here and
// `pulseboard-hub` checks --feeds against it, so a new feed is one entry in builtIn().
#pragma once

#include "hub/HubOptions.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <functional>

class QObject;

namespace Pulseboard {

class Feed;

class FeedRegistry
{
public:
    // What a feed is built from: the hub's options and, for hub.stats, where the hub's figures come from.
    struct Context
    {
        const HubOptions &options;
        std::function<QJsonObject()> hubStats;
        QObject *parent = nullptr;
    };
    using Factory = std::function<Feed *(const Context &context)>;

    // sys.cpu, sys.mem, sys.net, sys.load, demo.wave, demo.events, hub.stats.
    static const FeedRegistry &builtIn();

    void add(const QString &name, Factory factory);
    QStringList names() const { return m_names; } // in the order they were added
    bool contains(const QString &name) const { return m_names.contains(name); }
    // False with "unknown feed 'x' (known: ...)" when a name is not one of names().
    bool check(const QStringList &names, QString *error) const;
    // The feeds named (none named: every feed), each once, in the order named; not started.
    // Nothing is built when a name is unknown: an empty list and the error of check().
    QList<Feed *> create(const QStringList &names, const Context &context, QString *error) const;

    // The namespaces of the built-in feeds (`sys.*`, `hub.*`, `demo.*`: each name's first part),
    // read-only for clients on every hub, whether it runs those feeds or not.
    static QStringList readOnlyPatterns();
    static bool isReadOnlyName(const QString &channel);

private:
    QStringList m_names;
    QList<Factory> m_factories;
};

} // namespace Pulseboard
