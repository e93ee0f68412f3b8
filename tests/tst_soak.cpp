// Bounded soak: a publisher and a subscriber, each behind its own FaultProxy, run for 45 s
// (PULSEBOARD_SOAK_SECONDS) against the real HubServer and against the TestServer, while the proxies switch
// at random between pass, blackhole, reset, refuse, latency and drip. At the end, with the network healthy
// again: every publish acked and delivered exactly once and in order, no seq missing on either channel
// (history covers them), nothing reported lost, and resident memory flat between the first and the last part
// of the run. The fault sequence is seeded (PULSEBOARD_SOAK_SEED) and printed, so a failure can be replayed.
#include "client/ConnectionManager.h"
#include "hub/ChannelStore.h"
#include "hub/HubServer.h"
#include "support/FaultProxy.h"
#include "support/TestServer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include "support/TestUtils.h"

#include <algorithm>

using namespace Pulseboard;
using namespace Pulseboard::Test;
using namespace Qt::StringLiterals;
using TestUtils::kAddressSanitizer;

namespace {

qint64 residentKiB()
{
    return TestUtils::statusKiB("VmRSS");
}

struct Channel
{
    QList<qint64> seqs;
    QList<int> indices; // data.i of each delivered message
};

QString firstHole(const QList<qint64> &seqs)
{
    for (int i = 1; i < seqs.size(); ++i) {
        if (seqs.at(i) != seqs.at(i - 1) + 1)
            return u"seq %1 followed by %2"_s.arg(seqs.at(i - 1)).arg(seqs.at(i));
    }
    return QString();
}

} // namespace

class tst_Soak : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void randomFaultsLoseNothing_data();
    void randomFaultsLoseNothing();
};

// The two servers behind the proxies: the product's hub, and the in-process TestServer.
class SoakServer
{
public:
    virtual ~SoakServer() = default;
    virtual quint16 port() const = 0;
    virtual void publish(const QString &channel, const QJsonValue &data) = 0;
    virtual qint64 channelSeq(const QString &channel) const = 0;
    // Messages the server appended (client publishes once each, plus its own publishes).
    virtual qint64 appended() const = 0;
};

class HubSoakServer : public SoakServer
{
public:
    bool start()
    {
        HubOptions o;
        o.port = 0;
        o.feedsEnabled = false;
        o.sendWelcome = true;
        o.historySize = 1000000; // history covers the run: any missing seq is a defect
        o.dedupeWindow = 1000000;
        o.maxRetainedBytes = 0; // no byte budget either: nothing is evicted during the run
        o.maxChannelBytes = 0;
        o.heartbeatIntervalMs = 500; // blackholed sessions are dropped on the hub side too
        m_hub = std::make_unique<HubServer>(o);
        QString error;
        if (!m_hub->start(&error)) {
            qWarning("hub: %s", qPrintable(error));
            return false;
        }
        return true;
    }
    quint16 port() const override { return m_hub->port(); }
    void publish(const QString &channel, const QJsonValue &data) override
    {
        m_hub->publish(channel, data);
        m_seq[channel] += 1;
    }
    qint64 channelSeq(const QString &channel) const override { return m_seq.value(channel); }
    qint64 appended() const override { return qint64(m_hub->metrics().published); }

private:
    std::unique_ptr<HubServer> m_hub;
    QHash<QString, qint64> m_seq; // the hub's own publishes, for the channel it alone writes
};

class TestSoakServer : public SoakServer
{
public:
    bool start()
    {
        m_server.recordFrames = false;
        m_server.historyLimit = 1000000;
        return m_server.listen();
    }
    quint16 port() const override { return m_server.port(); }
    void publish(const QString &channel, const QJsonValue &data) override { m_server.publish(channel, data); }
    qint64 channelSeq(const QString &channel) const override { return m_server.channelSeq(channel); }
    qint64 appended() const override
    {
        return m_server.channelSeq(u"soak"_s) + m_server.channelSeq(u"ticks"_s);
    }

private:
    TestServer m_server;
};

void tst_Soak::randomFaultsLoseNothing_data()
{
    QTest::addColumn<bool>("realHub");
    QTest::newRow("pulseboard hub") << true;
    QTest::newRow("test server") << false;
}

void tst_Soak::randomFaultsLoseNothing()
{
    QFETCH(bool, realHub);
    const int seconds = qEnvironmentVariableIsSet("PULSEBOARD_SOAK_SECONDS")
                            ? qEnvironmentVariableIntValue("PULSEBOARD_SOAK_SECONDS")
                            : 45;
    const quint32 seed = qEnvironmentVariableIsSet("PULSEBOARD_SOAK_SEED")
                             ? quint32(qEnvironmentVariableIntValue("PULSEBOARD_SOAK_SEED"))
                             : QRandomGenerator::global()->generate();
    qInfo("soak: %d s, seed %u (PULSEBOARD_SOAK_SEED=%u replays this fault sequence)", seconds, seed, seed);
    QRandomGenerator rng(seed);

    std::unique_ptr<SoakServer> server;
    if (realHub) {
        auto hub = std::make_unique<HubSoakServer>();
        QVERIFY(hub->start());
        server = std::move(hub);
    } else {
        auto test = std::make_unique<TestSoakServer>();
        QVERIFY(test->start());
        server = std::move(test);
    }
    FaultProxy pubProxy;
    FaultProxy subProxy;
    QVERIFY(pubProxy.listen(server->port()));
    QVERIFY(subProxy.listen(server->port()));
    pubProxy.setDripBytesPerSecond(2000);
    subProxy.setDripBytesPerSecond(2000);

    auto optionsFor = [](const QUrl &url) {
        ConnectionOptions o;
        o.endpoints = {url};
        o.heartbeatIntervalMs = 50;
        o.heartbeatTimeoutMs = 200;
        o.connectTimeoutMs = 1000;
        o.backoff.initialMs = 20;
        o.backoff.maxMs = 200;
        o.maxRetries = 0;
        o.ackTimeoutMs = 3000;
        o.queue.maxCount = 100000;
        o.queue.maxBytes = 64 * 1024 * 1024;
        return o;
    };
    ConnectionManager publisher;
    publisher.setOptions(optionsFor(pubProxy.url()));
    ConnectionManager subscriber;
    subscriber.setOptions(optionsFor(subProxy.url()));

    QHash<QString, Channel> got;
    connect(&subscriber, &ConnectionManager::messageReceived, this,
            [&got](const QString &channel, qint64 seq, qint64, const QJsonValue &data) {
                Channel &c = got[channel];
                c.seqs.append(seq);
                c.indices.append(data.toObject().value(u"i"_s).toInt(-1));
            });
    QSignalSpy gaps(&subscriber, &ConnectionManager::gapDetected);
    QSignalSpy publishFailures(&publisher, &ConnectionManager::publishFailed);
    QSignalSpy acks(&publisher, &ConnectionManager::acked);
    QSignalSpy pubLost(&publisher, &ConnectionManager::disconnected);
    QSignalSpy subLost(&subscriber, &ConnectionManager::disconnected);
    subscriber.subscribe(u"soak"_s);
    subscriber.subscribe(u"ticks"_s);
    subscriber.open();
    publisher.open();
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.state(), ConnectionManager::Open, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(publisher.state(), ConnectionManager::Open, 10000);

    // Load: the publisher at 100/s through its proxy, the server's own feed at 50/s.
    int published = 0;
    int refused = 0;
    QTimer publishTimer;
    connect(&publishTimer, &QTimer::timeout, this, [&] {
        if (publisher.publish(u"soak"_s, QJsonObject{{u"i"_s, published}}).isEmpty())
            ++refused;
        else
            ++published;
    });
    int ticks = 0;
    QTimer tickTimer;
    connect(&tickTimer, &QTimer::timeout, this, [&] {
        server->publish(u"ticks"_s, QJsonObject{{u"i"_s, ticks++}});
    });
    publishTimer.start(10);
    tickTimer.start(20);

    const QList<FaultProxy::Mode> modes{FaultProxy::Mode::Pass,      FaultProxy::Mode::Pass,
                                        FaultProxy::Mode::Blackhole, FaultProxy::Mode::Reset,
                                        FaultProxy::Mode::Refuse,    FaultProxy::Mode::Latency,
                                        FaultProxy::Mode::Drip};
    QMap<FaultProxy::Mode, int> faultCounts;
    QList<qint64> rssSamples;
    QList<qint64> appendedSamples; // messages the server retains by then (its history is memory too)
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < qint64(seconds) * 1000) {
        for (FaultProxy *proxy : {&pubProxy, &subProxy}) {
            if (rng.bounded(2) == 0)
                continue;
            const FaultProxy::Mode mode = modes.at(int(rng.bounded(quint32(modes.size()))));
            proxy->setLatencyMs(int(rng.bounded(20u, 200u)));
            proxy->setMode(mode);
            faultCounts[mode] += 1;
        }
        QTest::qWait(int(rng.bounded(200u, 1200u)));
        rssSamples.append(residentKiB());
        appendedSamples.append(server->appended());
    }

    // The network heals; the load stops; everything in flight must land.
    pubProxy.setMode(FaultProxy::Mode::Pass);
    subProxy.setMode(FaultProxy::Mode::Pass);
    publishTimer.stop();
    tickTimer.stop();
    qInfo("faults: blackhole %d, reset %d, refuse %d, latency %d, drip %d, pass %d; reconnects pub %d sub %d",
          faultCounts.value(FaultProxy::Mode::Blackhole), faultCounts.value(FaultProxy::Mode::Reset),
          faultCounts.value(FaultProxy::Mode::Refuse), faultCounts.value(FaultProxy::Mode::Latency),
          faultCounts.value(FaultProxy::Mode::Drip), faultCounts.value(FaultProxy::Mode::Pass),
          int(pubLost.count()), int(subLost.count()));
    // A long outage leaves thousands queued; past the hub's rate-limit burst (400) the first
    // session after the heal is cut (4008) and the next one sends the rest paced (100 a second).
    QTRY_COMPARE_WITH_TIMEOUT(publisher.queuedCount(), 0, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(int(got.value(u"soak"_s).seqs.size()), published, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!got.value(u"ticks"_s).seqs.isEmpty() &&
                                 got.value(u"ticks"_s).seqs.last() == server->channelSeq(u"ticks"_s),
                             30000);
    qInfo("published %d (refused %d), acked %d, delivered %d; ticks %d delivered %d", published, refused,
          int(acks.count()), int(got.value(u"soak"_s).seqs.size()), ticks,
          int(got.value(u"ticks"_s).seqs.size()));

    // The faults really happened and really cut connections.
    QVERIFY(pubLost.count() >= 3);
    QVERIFY(subLost.count() >= 3);

    // Zero publishes lost or duplicated: acked once each, published once each, delivered once each, in order.
    QCOMPARE(refused, 0);
    QCOMPARE(publishFailures.count(), 0);
    QCOMPARE(int(acks.count()), published);
    QCOMPARE(server->appended(), qint64(published) + ticks);
    const Channel soak = got.value(u"soak"_s);
    for (int i = 0; i < published; ++i)
        QCOMPARE(soak.indices.at(i), i);
    // Zero missing seqs on either channel.
    QVERIFY2(firstHole(soak.seqs).isEmpty(), qPrintable(firstHole(soak.seqs)));
    QCOMPARE(soak.seqs.first(), 1);
    const Channel tickChannel = got.value(u"ticks"_s);
    QVERIFY2(firstHole(tickChannel.seqs).isEmpty(), qPrintable(firstHole(tickChannel.seqs)));
    QCOMPARE(tickChannel.seqs.first(), 1);
    QCOMPARE(int(tickChannel.seqs.size()), ticks);
    QCOMPARE(gaps.count(), 0);
    QCOMPARE(subscriber.stats().gaps, quint64(0));

    // Memory flat: the last third of the run against the first third after warm-up. The server keeps
    // every message (history covers the run), so its growth is allowed for at 512 bytes a message.
    QVERIFY(rssSamples.size() >= 10);
    const qsizetype third = rssSamples.size() / 3;
    const qsizetype earlyAt =
        std::max_element(rssSamples.begin() + 1, rssSamples.begin() + third) - rssSamples.begin();
    const qsizetype lateAt =
        std::max_element(rssSamples.end() - third, rssSamples.end()) - rssSamples.begin();
    const qint64 growthKiB = rssSamples.at(lateAt) - rssSamples.at(earlyAt);
    const qint64 retainedKiB = (appendedSamples.at(lateAt) - appendedSamples.at(earlyAt)) / 2;
    qInfo("resident memory: early max %lld KiB, late max %lld KiB; %lld KiB allowed for retained history",
          rssSamples.at(earlyAt), rssSamples.at(lateAt), retainedKiB);
    if (!kAddressSanitizer)
        QVERIFY2(growthKiB < 16 * 1024 + retainedKiB, qPrintable(u"grew by %1 KiB"_s.arg(growthKiB)));
}

QTEST_GUILESS_MAIN(tst_Soak)
#include "tst_soak.moc"
