#include "FeedRegistry.h"

#include "DemoFeed.h"
#include "HubStatsFeed.h"
#include "SystemFeed.h"

namespace Pulseboard {

const FeedRegistry &FeedRegistry::builtIn()
{
    static const FeedRegistry registry = [] {
        FeedRegistry r;
        for (SystemFeed::Kind kind : {SystemFeed::Kind::Cpu, SystemFeed::Kind::Memory,
                                      SystemFeed::Kind::Network, SystemFeed::Kind::Load}) {
            r.add(SystemFeed::channelOf(kind), [kind](const Context &c) -> Feed * {
                return new SystemFeed(kind, c.options.systemFeedHz, c.parent);
            });
        }
        r.add(QStringLiteral("demo.wave"),
              [](const Context &c) -> Feed * { return new DemoWaveFeed(c.options.waveHz, c.parent); });
        r.add(QStringLiteral("demo.events"), [](const Context &c) -> Feed * {
            return new DemoEventsFeed(c.options.eventsMeanIntervalMs, c.parent);
        });
        r.add(QStringLiteral("hub.stats"), [](const Context &c) -> Feed * {
            return new HubStatsFeed(c.hubStats, c.options.statsIntervalMs, c.parent);
        });
        return r;
    }();
    return registry;
}

void FeedRegistry::add(const QString &name, Factory factory)
{
    Q_ASSERT(!m_names.contains(name));
    m_names.append(name);
    m_factories.append(std::move(factory));
}

bool FeedRegistry::check(const QStringList &names, QString *error) const
{
    for (const QString &name : names) {
        if (!contains(name)) {
            if (error)
                *error = QStringLiteral("unknown feed '%1' (known: %2)")
                             .arg(name, m_names.join(QStringLiteral(", ")));
            return false;
        }
    }
    return true;
}

QList<Feed *> FeedRegistry::create(const QStringList &names, const Context &context, QString *error) const
{
    QStringList wanted = names.isEmpty() ? m_names : names;
    wanted.removeDuplicates();
    if (!check(wanted, error))
        return {};
    QList<Feed *> feeds;
    for (const QString &name : std::as_const(wanted))
        feeds.append(m_factories.at(m_names.indexOf(name))(context));
    return feeds;
}

QStringList FeedRegistry::readOnlyPatterns()
{
    static const QStringList patterns = [] {
        QStringList out;
        for (const QString &name : builtIn().names()) {
            const QString pattern = name.section(QLatin1Char('.'), 0, 0) + QStringLiteral(".*");
            if (!out.contains(pattern))
                out.append(pattern);
        }
        return out;
    }();
    return patterns;
}

bool FeedRegistry::isReadOnlyName(const QString &channel)
{
    for (const QString &pattern : readOnlyPatterns()) {
        if (channel.startsWith(QStringView(pattern).chopped(1)))
            return true;
    }
    return false;
}

} // namespace Pulseboard
