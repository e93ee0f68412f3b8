// FeedRegistry: the built-in feed names, the refusal of an unknown one (the text both the hub and
// `pulseboard-hub --feeds` give), and that each name builds the feed of that channel.
#include "hub/feeds/Feed.h"
#include "hub/feeds/FeedRegistry.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Pulseboard;

namespace {

struct FeedList
{
    QList<Feed *> feeds;
    ~FeedList() { qDeleteAll(feeds); }
    QStringList channels() const
    {
        QStringList out;
        for (const Feed *f : feeds)
            out += f->channels();
        return out;
    }
};

class FixedFeed : public Feed
{
public:
    explicit FixedFeed(const QString &channel, QObject *parent) : Feed(parent), m_channel(channel) {}
    QStringList channels() const override { return {m_channel}; }
    void start() override {}
    void stop() override {}

private:
    QString m_channel;
};

} // namespace

class tst_FeedRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void builtInNames();
    void unknownNameRefused();
    void everyFeedWhenNoneNamed();
    void namedFeedsOnceInOrder();
    void hubStatsSamplesTheGivenSnapshot();
    void registryOfOwnFeeds();
};

void tst_FeedRegistry::builtInNames()
{
    QCOMPARE(FeedRegistry::builtIn().names(),
             (QStringList{QStringLiteral("sys.cpu"), QStringLiteral("sys.mem"), QStringLiteral("sys.net"),
                          QStringLiteral("sys.load"), QStringLiteral("demo.wave"),
                          QStringLiteral("demo.events"), QStringLiteral("hub.stats")}));
    QVERIFY(FeedRegistry::builtIn().contains(QStringLiteral("demo.wave")));
    QVERIFY(!FeedRegistry::builtIn().contains(QStringLiteral("demo")));
}

void tst_FeedRegistry::unknownNameRefused()
{
    QString error;
    QVERIFY(FeedRegistry::builtIn().check({QStringLiteral("sys.cpu"), QStringLiteral("hub.stats")}, &error));
    QVERIFY(error.isEmpty());
    QVERIFY(!FeedRegistry::builtIn().check({QStringLiteral("sys.cpu"), QStringLiteral("sys.disk")}, &error));
    QCOMPARE(error, QStringLiteral("unknown feed 'sys.disk' (known: sys.cpu, sys.mem, sys.net, sys.load, "
                                   "demo.wave, demo.events, hub.stats)"));

    const HubOptions options;
    QObject parent;
    QString createError;
    const QList<Feed *> feeds = FeedRegistry::builtIn().create(
        {QStringLiteral("demo.wave"), QStringLiteral("nope")}, {options, {}, &parent}, &createError);
    QVERIFY(feeds.isEmpty());
    QVERIFY(parent.children().isEmpty()); // nothing half built
    QVERIFY(createError.startsWith(QStringLiteral("unknown feed 'nope'")));
}

void tst_FeedRegistry::everyFeedWhenNoneNamed()
{
    const HubOptions options;
    QString error;
    FeedList list{
        FeedRegistry::builtIn().create({}, {options, [] { return QJsonObject(); }, nullptr}, &error)};
    QVERIFY(error.isEmpty());
    QCOMPARE(list.channels(), FeedRegistry::builtIn().names());
}

void tst_FeedRegistry::namedFeedsOnceInOrder()
{
    const HubOptions options;
    QString error;
    FeedList list{FeedRegistry::builtIn().create(
        {QStringLiteral("sys.load"), QStringLiteral("demo.events"), QStringLiteral("sys.load")},
        {options, {}, nullptr}, &error)};
    QVERIFY(error.isEmpty());
    QCOMPARE(list.channels(), (QStringList{QStringLiteral("sys.load"), QStringLiteral("demo.events")}));
}

void tst_FeedRegistry::hubStatsSamplesTheGivenSnapshot()
{
    HubOptions options;
    options.statsIntervalMs = 10;
    int asked = 0;
    QString error;
    FeedList list{FeedRegistry::builtIn().create({QStringLiteral("hub.stats")},
                                                 {options,
                                                  [&asked] {
                                                      return QJsonObject{{QStringLiteral("asked"), ++asked}};
                                                  },
                                                  nullptr},
                                                 &error)};
    QCOMPARE(list.feeds.size(), 1);
    Feed *stats = list.feeds.first();
    QSignalSpy samples(stats, &Feed::sample);
    stats->start();
    QVERIFY(samples.wait(5000));
    stats->stop();
    QCOMPARE(samples.first().at(0).toString(), QStringLiteral("hub.stats"));
    QCOMPARE(samples.first().at(1).value<QJsonValue>().toObject().value(QStringLiteral("asked")).toInt(), 1);
}

void tst_FeedRegistry::registryOfOwnFeeds()
{
    FeedRegistry registry;
    registry.add(QStringLiteral("x.one"), [](const FeedRegistry::Context &c) -> Feed * {
        return new FixedFeed(QStringLiteral("x.one"), c.parent);
    });
    registry.add(QStringLiteral("x.two"), [](const FeedRegistry::Context &c) -> Feed * {
        return new FixedFeed(QStringLiteral("x.two"), c.parent);
    });
    const HubOptions options;
    QObject parent;
    QString error;
    const QList<Feed *> feeds = registry.create({QStringLiteral("x.two")}, {options, {}, &parent}, &error);
    QCOMPARE(feeds.size(), 1);
    QCOMPARE(feeds.first()->parent(), &parent);
    QCOMPARE(feeds.first()->channels(), QStringList{QStringLiteral("x.two")});
    QVERIFY(!registry.check({QStringLiteral("sys.cpu")}, &error));
    QCOMPARE(error, QStringLiteral("unknown feed 'sys.cpu' (known: x.one, x.two)"));
}

QTEST_GUILESS_MAIN(tst_FeedRegistry)
#include "tst_feedregistry.moc"
