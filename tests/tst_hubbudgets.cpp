// The hub's budgets (docs/OPERATIONS.md "Budgets"): retained history bounded in bytes per channel
// and in all (oldest evicted first, across channels for the global budget; a `since` replay
// after eviction says recovered:false with the right `first`), the channel count capped (507)
// and idle channels freed, ids and client keys capped (400), invisible channel names refused,
// dedupe per connection or per `client`, subscriptions per connection capped (429). Each
// refusal is checked for its code and message, memory for staying within its budget, every
// acked publish for being retained or evicted by the budget in order, and an authenticated
// bystander for still being answered. MemoryChannelStore is also driven directly, with a
// ManualClock for idleness.
#include "HubProbe.h"
#include "hub/HubCommandLine.h"
#include "hub/HubErrors.h"
#include "hub/HubServer.h"
#include "hub/MemoryChannelStore.h"
#include "hub/TokenAuth.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

#include "support/TestUtils.h"

using namespace Pulseboard;
using namespace HubTest;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kSecret = QByteArrayLiteral("0123456789abcdef-budgets-secret");

QString token(const QString &subject)
{
    return TokenAuth::mint(kSecret, subject, QDateTime::currentSecsSinceEpoch() + 600);
}

// A hub that requires tokens, without feeds, with no budget but the ones a test sets.
HubOptions budgetOptions()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    o.tokenSecret = kSecret;
    o.maxRetainedBytes = 0;
    o.maxChannelBytes = 0;
    o.maxChannels = 0;
    o.channelIdleMs = 0;
    o.maxSubscriptions = 0;
    o.rateLimitPerSec = 0; // the tests publish hundreds of frames as fast as the hub acks them
    return o;
}

// A ping answered now, on a connection that is still open.
bool pingAnswered(ProtocolProbe &probe)
{
    bool ok = false;
    const Envelope pong = probe.waitFor(MessageType::Pong, probe.ping(4242), &ok);
    return ok && pong.ts == 4242 && !probe.isClosed();
}

FetchResult fetchNow(ChannelStore &store, const QString &channel, qint64 since)
{
    FetchResult out;
    bool answered = false;
    store.fetch(channel, since, 0, [&](const FetchResult &r) {
        out = r;
        answered = true;
    });
    Q_ASSERT(answered); // the memory store answers at once
    return out;
}

AppendResult appendNow(MemoryChannelStore &store, const QString &channel, const QByteArray &dataJson,
                       const QString &dedupeKey = QString())
{
    AppendResult out;
    store.append(channel, dataJson, 1, dedupeKey, [&](const AppendResult &r) { out = r; });
    return out;
}

// What one message of `dataJson` on `channel` is charged by the store.
qint64 chargeFor(const QString &channel, qint64 seq, const QByteArray &dataJson)
{
    StoredMessage m;
    m.frame = ChannelStore::encodeMessage(channel, seq, 1, dataJson);
    return MemoryChannelStore::chargeOf(m);
}

QByteArray payload(int i, int padding)
{
    return R"({"i":)" + QByteArray::number(i) + R"(,"pad":")" + QByteArray(padding, 'x') + "\"}";
}

QByteArray publishFrame(const QByteArray &id, const QByteArray &channel, const QByteArray &extra = {})
{
    return R"({"type":"publish","id":")" + id + R"(","channel":")" + channel + R"(","data":1)" + extra + "}";
}

} // namespace

class tst_HubBudgets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void flagsAndDefaults();

    // MemoryChannelStore alone
    void storeChannelBudgetEvictsOldestOfTheChannel();
    void storeGlobalBudgetEvictsGloballyOldest();
    void storeMessageLargerThanTheBudgetIsNotRetained();
    void storeEvictionOrderStaysBounded();
    void storeChannelCapRefusesNewChannels();
    void storeMemoryStaysNearTheBudget();
    void storeIdleChannelsFreedWithTheirDedupe();

    // Over the wire
    void retainedBudgetHoldsAndReplayReportsEviction();
    void channelCapRefused507();
    void idleChannelFreedUnlessSubscribed();
    void lengthCapsRefused400_data();
    void lengthCapsRefused400();
    void invisibleChannelNamesRefused_data();
    void invisibleChannelNamesRefused();
    void dedupeIsPerConnectionOrPerClient();
    void subscriptionCapRefused429();
};

void tst_HubBudgets::flagsAndDefaults()
{
    const HubOptions d;
    QCOMPARE(d.maxRetainedBytes, qint64(256) * 1024 * 1024);
    QCOMPARE(d.maxChannelBytes, qint64(32) * 1024 * 1024);
    QCOMPARE(d.maxChannels, 10000);
    QCOMPARE(d.channelIdleMs, qint64(3600) * 1000);
    QCOMPARE(d.maxSubscriptions, 1000);
    QCOMPARE(d.maxIdBytes, 128);
    QCOMPARE(d.maxClientBytes, 128);
    auto parse = [](const QStringList &args, HubOptions &o, QString &error) {
        QCommandLineParser parser;
        HubCommandLine flags;
        flags.addTo(parser);
        if (!parser.parse(QStringList{u"pulseboard-hub"_s} + args)) {
            error = parser.errorText();
            return false;
        }
        return flags.read(parser, o, error);
    };
    HubOptions o;
    QString error;
    QVERIFY2(
        parse({u"--max-retained-bytes"_s, u"1000000"_s, u"--max-channel-bytes"_s, u"0"_s, u"--max-channels"_s,
               u"5"_s, u"--channel-idle-secs"_s, u"90"_s, u"--max-subscriptions"_s, u"7"_s},
              o, error),
        qPrintable(error));
    QCOMPARE(o.maxRetainedBytes, qint64(1000000));
    QCOMPARE(o.maxChannelBytes, qint64(0));
    QCOMPARE(o.maxChannels, 5);
    QCOMPARE(o.channelIdleMs, qint64(90000));
    QCOMPARE(o.maxSubscriptions, 7);
    HubOptions bad;
    QVERIFY(!parse({u"--max-channels"_s, u"-1"_s}, bad, error));
    QVERIFY2(error.contains(u"--max-channels"_s), qPrintable(error));
    QVERIFY(!parse({u"--channel-idle-secs"_s, u"soon"_s}, bad, error));
    QVERIFY2(error.contains(u"--channel-idle-secs"_s), qPrintable(error));
}

// --- MemoryChannelStore ---

void tst_HubBudgets::storeChannelBudgetEvictsOldestOfTheChannel()
{
    MemoryChannelStore store(1000, 100);
    const QByteArray data = payload(0, 200); // the same size for every i < 10
    const qint64 charge = chargeFor(u"a"_s, 1, data);
    store.setBudget({0, 5 * charge + charge / 2, 0}); // room for 5 messages of this size
    for (int i = 1; i <= 40; ++i) {
        const AppendResult r = appendNow(store, u"a"_s, payload(i % 10, 200));
        QCOMPARE(r.seq, qint64(i));
        QVERIFY(r.error.isEmpty());
        QVERIFY2(store.channelBytes(u"a"_s) <= 5 * charge + charge / 2,
                 qPrintable(u"%1 bytes after %2"_s.arg(store.channelBytes(u"a"_s)).arg(i)));
    }
    // Seqs 1..40 are 1-2 digits, so 4 or 5 messages fit: the newest, contiguous, oldest gone.
    const FetchResult all = fetchNow(store, u"a"_s, 0);
    QCOMPARE(all.latestSeq, qint64(40));
    QVERIFY(all.messages.size() >= 4 && all.messages.size() <= 5);
    QCOMPARE(all.messages.last().seq, qint64(40));
    QCOMPARE(all.firstRetainedSeq, all.messages.first().seq);
    for (qsizetype i = 1; i < all.messages.size(); ++i)
        QCOMPARE(all.messages.at(i).seq, all.messages.at(i - 1).seq + 1);
    qint64 sum = 0;
    for (const StoredMessage &m : all.messages)
        sum += MemoryChannelStore::chargeOf(m);
    QCOMPARE(store.channelBytes(u"a"_s), sum);
    QCOMPARE(store.retainedBytes(), sum);
}

void tst_HubBudgets::storeGlobalBudgetEvictsGloballyOldest()
{
    MemoryChannelStore store(1000, 100);
    const qint64 budget = 20000;
    store.setBudget({budget, 0, 0});
    // Channels of different rates and sizes; the retained set must be exactly the newest
    // messages of the whole store that fit, whichever channel they are on.
    struct Sent
    {
        QString channel;
        qint64 seq;
        qint64 charge;
    };
    QList<Sent> sent;
    for (int i = 0; i < 600; ++i) {
        const QString channel = i % 7 == 0 ? u"slow"_s : (i % 2 ? u"odd"_s : u"even"_s);
        const QByteArray data = payload(i, channel == u"slow"_s ? 400 : 20 + i % 50);
        const AppendResult r = appendNow(store, channel, data);
        QVERIFY(r.error.isEmpty());
        sent.append({channel, r.seq, chargeFor(channel, r.seq, data)});
        QVERIFY2(store.retainedBytes() <= budget, qPrintable(QString::number(store.retainedBytes())));
    }
    // The longest suffix of the append order whose charges fit the budget.
    qint64 sum = 0;
    qsizetype firstKept = sent.size();
    while (firstKept > 0 && sum + sent.at(firstKept - 1).charge <= budget)
        sum += sent.at(--firstKept).charge;
    QCOMPARE(store.retainedBytes(), sum);
    QVERIFY(firstKept > 0); // it did evict
    for (const QString &channel : {u"slow"_s, u"odd"_s, u"even"_s}) {
        qint64 expectedFirst = 0;
        qint64 latest = 0;
        for (qsizetype i = 0; i < sent.size(); ++i) {
            if (sent.at(i).channel != channel)
                continue;
            latest = sent.at(i).seq;
            if (i >= firstKept && expectedFirst == 0)
                expectedFirst = sent.at(i).seq;
        }
        const FetchResult f = fetchNow(store, channel, 0);
        QCOMPARE(f.latestSeq, latest);
        QCOMPARE(f.firstRetainedSeq, expectedFirst);
        QCOMPARE(f.messages.size(), expectedFirst ? latest - expectedFirst + 1 : 0);
    }
}

void tst_HubBudgets::storeMessageLargerThanTheBudgetIsNotRetained()
{
    MemoryChannelStore store(1000, 100);
    store.setBudget({0, 2000, 0});
    QCOMPARE(appendNow(store, u"a"_s, payload(1, 100)).seq, qint64(1));
    QCOMPARE(appendNow(store, u"a"_s, payload(2, 100)).seq, qint64(2));
    QSignalSpy arrived(&store, &ChannelStore::messageArrived);
    // Acked and delivered live, but too large to keep: history empties (it stays contiguous).
    const AppendResult big = appendNow(store, u"a"_s, payload(3, 5000));
    QVERIFY(big.error.isEmpty());
    QCOMPARE(big.seq, qint64(3));
    QCOMPARE(arrived.count(), 1);
    QCOMPARE(store.retainedBytes(), qint64(0));
    FetchResult f = fetchNow(store, u"a"_s, 0);
    QCOMPARE(f.latestSeq, qint64(3));
    QCOMPARE(f.firstRetainedSeq, qint64(0));
    QVERIFY(f.messages.isEmpty());
    QCOMPARE(appendNow(store, u"a"_s, payload(4, 100)).seq, qint64(4));
    f = fetchNow(store, u"a"_s, 2);
    QCOMPARE(f.firstRetainedSeq, qint64(4));
    QCOMPARE(f.messages.size(), 1);
}

void tst_HubBudgets::storeEvictionOrderStaysBounded()
{
    // Evicted by their channel's count, the global order's entries go stale; they must not pile up.
    MemoryChannelStore store(5, 100);
    store.setBudget({1 << 30, 0, 0});
    for (int i = 0; i < 20000; ++i)
        appendNow(store, u"c%1"_s.arg(i % 3), payload(i, 10));
    QCOMPARE(store.retainedMessages(), 15);
    QVERIFY2(store.evictionQueueSize() <= 2 * 15 + 1024 + 1,
             qPrintable(QString::number(store.evictionQueueSize())));
}

void tst_HubBudgets::storeChannelCapRefusesNewChannels()
{
    MemoryChannelStore store(100, 100);
    store.setBudget({0, 0, 3});
    for (const QString &c : {u"a"_s, u"b"_s, u"c"_s})
        QCOMPARE(appendNow(store, c, "1").seq, qint64(1));
    QSignalSpy arrived(&store, &ChannelStore::messageArrived);
    const AppendResult refused = appendNow(store, u"d"_s, "1");
    QCOMPARE(refused.seq, qint64(-1));
    QCOMPARE(refused.errorCode, HubError::Full);
    QCOMPARE(refused.error, u"the hub holds 3 channels, its limit (--max-channels)"_s);
    QCOMPARE(arrived.count(), 0);
    QCOMPARE(store.channelCount(), 3);
    QCOMPARE(fetchNow(store, u"d"_s, 0).latestSeq, qint64(0));
    // Existing channels go on.
    QCOMPARE(appendNow(store, u"b"_s, "2").seq, qint64(2));
}

void tst_HubBudgets::storeMemoryStaysNearTheBudget()
{
    // The charge per message (frame + 96 bytes) is an estimate of what a message costs: checked
    // against the process's resident memory, publishing 10x the budget in small messages.
    if (TestUtils::kAddressSanitizer)
        QSKIP("resident memory under AddressSanitizer is not the store's");
    const qint64 budget = 32 * 1024 * 1024;
    const qint64 before = TestUtils::statusKiB("VmRSS");
    if (before < 0)
        QSKIP("no /proc/self/status");
    qint64 peakGrowthKiB = 0;
    {
        MemoryChannelStore store(1000000, 1000);
        store.setBudget({budget, 0, 0});
        const QByteArray data = payload(0, 100);
        const qint64 charge = chargeFor(u"load.000"_s, 100000, data);
        const int messages = int(10 * budget / charge);
        for (int i = 0; i < messages; ++i) {
            appendNow(store, u"load.%1"_s.arg(i % 1000, 3, 10, QLatin1Char('0')), data);
            if (i % 50000 == 0)
                peakGrowthKiB = qMax(peakGrowthKiB, TestUtils::statusKiB("VmRSS") - before);
        }
        peakGrowthKiB = qMax(peakGrowthKiB, TestUtils::statusKiB("VmRSS") - before);
        QVERIFY(store.retainedBytes() <= budget);
        QVERIFY(store.retainedBytes() > budget - 2 * charge);
        qInfo("%d messages of %lld bytes charged; %d retained (%lld bytes charged); resident memory grew "
              "by %lld KiB at most (budget %lld KiB)",
              messages, charge, store.retainedMessages(), store.retainedBytes(), peakGrowthKiB,
              budget / 1024);
    }
    // Within the budget plus a margin for the allocator and the hash tables, not a multiple of it.
    QVERIFY2(peakGrowthKiB * 1024 <= budget + budget / 2,
             qPrintable(u"grew by %1 KiB for a %2 KiB budget"_s.arg(peakGrowthKiB).arg(budget / 1024)));
}

void tst_HubBudgets::storeIdleChannelsFreedWithTheirDedupe()
{
    ManualClock clock;
    ScopedClock scoped(clock);
    MemoryChannelStore store(100, 100);
    QSignalSpy expired(&store, &ChannelStore::channelExpired);
    QCOMPARE(appendNow(store, u"quiet"_s, "1", u"k1"_s).seq, qint64(1));
    QCOMPARE(appendNow(store, u"watched"_s, "1", u"k1"_s).seq, qint64(1));
    QCOMPARE(store.dedupeEntries(), 2);
    const auto keepWatched = [](const QString &c) { return c == u"watched"_s; };
    clock.advance(600);
    QCOMPARE(store.expireIdle(1000, keepWatched), 0);
    clock.advance(300);
    QCOMPARE(appendNow(store, u"busy"_s, "1").seq, qint64(1));
    clock.advance(200); // quiet: 1100 ms idle; watched: kept; busy: 200 ms
    QCOMPARE(store.expireIdle(1000, keepWatched), 1);
    QCOMPARE(expired.count(), 1);
    QCOMPARE(expired.first().first().toString(), u"quiet"_s);
    QCOMPARE(store.channelCount(), 2);
    QCOMPARE(store.dedupeEntries(), 1);
    // Freed with its dedupe entry: the same key publishes afresh, on a channel starting at 1.
    const AppendResult again = appendNow(store, u"quiet"_s, "2", u"k1"_s);
    QCOMPARE(again.seq, qint64(1));
    QVERIFY(!again.duplicate);
    QCOMPARE(fetchNow(store, u"quiet"_s, 0).messages.size(), 1);
    // The kept channel's idle time starts when keeping it ends; a fetch (a subscribe) is use.
    clock.advance(900);
    QCOMPARE(store.expireIdle(1000, {}), 1); // busy (1100 ms) goes, watched and quiet (900 ms) stay
    QCOMPARE(expired.last().first().toString(), u"busy"_s);
    fetchNow(store, u"quiet"_s, -1);
    clock.advance(200);
    QCOMPARE(store.expireIdle(1000, {}), 1); // watched (1100 ms) goes, quiet (200 ms) stays
    QCOMPARE(expired.last().first().toString(), u"watched"_s);
    QCOMPARE(store.expireIdle(1000, {}), 0);
    QCOMPARE(store.expireIdle(0, {}), 0); // 0: never
    QCOMPARE(store.channelCount(), 1);
    qint64 sum = 0;
    for (const StoredMessage &m : fetchNow(store, u"quiet"_s, 0).messages)
        sum += MemoryChannelStore::chargeOf(m);
    QCOMPARE(store.retainedBytes(), sum);
}

// --- over the wire ---

void tst_HubBudgets::retainedBudgetHoldsAndReplayReportsEviction()
{
    HubOptions o = budgetOptions();
    o.maxRetainedBytes = 24 * 1024;
    o.maxChannelBytes = 10 * 1024;
    o.healthPort = 0;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe publisher, bystander;
    QVERIFY(openAuthed(publisher, hub->url(), token(u"publisher"_s)));
    QVERIFY(openAuthed(bystander, hub->url(), token(u"bystander"_s)));

    // Well past both budgets: 3 channels x 150 messages of ~300 bytes (~135 KiB charged).
    const QStringList channels{u"b.one"_s, u"b.two"_s, u"b.three"_s};
    QHash<QString, QList<qint64>> acked;
    for (int i = 0; i < 450; ++i) {
        const QString channel = channels.at(i % 3);
        const QString id =
            publisher.publish(channel, QJsonObject{{u"i"_s, i}, {u"pad"_s, QString(240, u'p')}});
        if (i % 50 == 25) {
            QVERIFY(pingAnswered(bystander)); // served while the budget evicts
            QVERIFY(hub->store()->retainedBytes() <= o.maxRetainedBytes);
        }
        bool ok = false;
        const Envelope ack = publisher.waitFor(MessageType::Ack, id, &ok);
        QVERIFY(ok);
        acked[channel].append(ack.seq);
    }
    QVERIFY(publisher.ofType(MessageType::Error).isEmpty());
    QVERIFY(pingAnswered(bystander));
    const qint64 retained = hub->store()->retainedBytes();
    qInfo("retained %lld bytes of a %lld byte budget after ~135 KiB published", retained, o.maxRetainedBytes);
    QVERIFY(retained > 0 && retained <= o.maxRetainedBytes);
    auto *memory = qobject_cast<MemoryChannelStore *>(hub->store());
    QVERIFY(memory);

    // A replay from 0 after eviction: recovered:false, `first` the oldest retained seq, then every
    // retained message, contiguous up to the last acked one: nothing acked is lost but what the
    // budget evicted, and that is the oldest.
    ProtocolProbe reader;
    QVERIFY(openAuthed(reader, hub->url(), token(u"reader"_s)));
    qint64 total = 0;
    for (const QString &channel : channels) {
        QCOMPARE(acked.value(channel).size(), 150);
        for (qsizetype i = 0; i < 150; ++i)
            QCOMPARE(acked.value(channel).at(i), qint64(i + 1)); // acked in order
        const FetchResult f = fetchNow(*hub->store(), channel, 0);
        QVERIFY(memory->channelBytes(channel) <= o.maxChannelBytes);
        bool ok = false;
        const Envelope sub = reader.waitFor(MessageType::Subscribed, reader.subscribe(channel, 0), &ok);
        QVERIFY(ok);
        QCOMPARE(sub.seq, qint64(150));
        QVERIFY(sub.hasRecovered);
        QCOMPARE(sub.recovered, false);
        QVERIFY(f.firstRetainedSeq > 1);
        QCOMPARE(sub.firstSeq, f.firstRetainedSeq);
        QList<qint64> expected;
        for (qint64 s = f.firstRetainedSeq; s <= 150; ++s)
            expected.append(s);
        QTRY_COMPARE(reader.seqsOf(channel), expected);
        total += memory->channelBytes(channel);
    }
    QCOMPARE(total, retained);

    // Reported: server.info, hub.stats' snapshot and /metrics.
    bool ok = false;
    const Envelope info = reader.waitFor(MessageType::Response, reader.request(u"server.info"_s), &ok);
    QVERIFY(ok);
    const QJsonObject result = info.data.toObject();
    QCOMPARE(qint64(result.value(u"retainedBytes"_s).toDouble()), retained);
    QCOMPARE(qint64(result.value(u"maxRetainedBytes"_s).toDouble()), o.maxRetainedBytes);
    QCOMPARE(qint64(result.value(u"maxChannelBytes"_s).toDouble()), o.maxChannelBytes);
    QCOMPARE(qint64(hub->statsSnapshot().value(u"retainedBytes"_s).toDouble()), retained);
    const QByteArray metrics = hub->prometheusMetrics();
    QVERIFY2(metrics.contains("\npulseboard_hub_retained_bytes " + QByteArray::number(retained) + "\n"),
             metrics.constData());
    QVERIFY(metrics.contains("\npulseboard_hub_retained_bytes_limit 24576\n"));
    QVERIFY(metrics.contains("\npulseboard_hub_store_channels 3\n"));
}

void tst_HubBudgets::channelCapRefused507()
{
    HubOptions o = budgetOptions();
    o.maxChannels = 2;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe, bystander;
    QVERIFY(openAuthed(probe, hub->url(), token(u"ops"_s)));
    QVERIFY(openAuthed(bystander, hub->url(), token(u"bystander"_s)));
    bool ok = false;
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"a"_s, 1), &ok).seq, qint64(1));
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"b"_s, 1), &ok).seq, qint64(1));
    const QString id = probe.publish(u"c"_s, 1);
    const Envelope err = probe.waitFor(MessageType::Error, id, &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, HubError::Full);
    QCOMPARE(err.code, 507);
    QCOMPARE(err.text, u"publish to c not stored: the hub holds 2 channels, its limit (--max-channels)"_s);
    QVERIFY(pingAnswered(bystander));
    // Nothing stored, the session goes on, existing channels take publishes.
    QCOMPARE(hub->store()->channels().size(), 2);
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"a"_s, 2), &ok).seq, qint64(2));
    QVERIFY(ok);
    QCOMPARE(probe.ofType(MessageType::Ack).size(), 4); // auth, a, b, a again
    QVERIFY(!probe.isClosed());
    QCOMPARE(hub->rejects(u"too_many_channels"_s), quint64(1));
    QCOMPARE(hub->metrics().published, quint64(3));
    // A subscribe to a channel that does not exist creates none.
    const Envelope sub = probe.waitFor(MessageType::Subscribed, probe.subscribe(u"d"_s), &ok);
    QVERIFY(ok);
    QCOMPARE(sub.seq, qint64(0));
    QCOMPARE(hub->store()->channels().size(), 2);
}

void tst_HubBudgets::idleChannelFreedUnlessSubscribed()
{
    // Idleness on a clock the test moves: nothing expires while the test is slow, all of it
    // once the test says so (the sweep itself runs on a real 250 ms timer).
    ManualClock clock(QDateTime::currentMSecsSinceEpoch());
    ScopedClock scoped(clock);
    HubOptions o = budgetOptions();
    o.channelIdleMs = 1000;
    o.maxChannels = 2;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe, watcher;
    QVERIFY(openAuthed(probe, hub->url(), token(u"ops"_s)));
    QVERIFY(openAuthed(watcher, hub->url(), token(u"watcher"_s)));
    bool ok = false;
    watcher.waitFor(MessageType::Subscribed, watcher.subscribe(u"watched"_s), &ok);
    QVERIFY(ok);
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"watched"_s, 1), &ok).seq, qint64(1));
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"idle"_s, 1), &ok).seq, qint64(1));
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"idle"_s, 2), &ok).seq, qint64(2));
    QVERIFY(hub->hubMetrics().channels().contains(u"idle"_s));
    auto names = [&hub] {
        QStringList out;
        for (const ChannelInfo &c : hub->store()->channels())
            out.append(c.name);
        out.sort();
        return out;
    };
    // The channel cap counts held channels: a third is refused until the idle one is freed.
    const Envelope refused = probe.waitFor(MessageType::Error, probe.publish(u"third"_s, 1), &ok);
    QVERIFY(ok);
    QCOMPARE(refused.code, HubError::Full);
    QTest::qWait(600); // sweeps run, but no time has passed for the store
    QCOMPARE(names(), (QStringList{u"idle"_s, u"watched"_s}));
    clock.advance(1100);
    QTRY_COMPARE_WITH_TIMEOUT(names(), QStringList{u"watched"_s}, 10000);
    QVERIFY(!hub->hubMetrics().channels().contains(u"idle"_s));
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"third"_s, 1), &ok).seq, qint64(1));
    QVERIFY(ok);
    QCOMPARE(probe.waitFor(MessageType::Ack, probe.publish(u"watched"_s, 2), &ok).seq, qint64(2));
    QTRY_COMPARE(watcher.seqsOf(u"watched"_s), (QList<qint64>{1, 2}));
    clock.advance(1100);
    QTRY_COMPARE_WITH_TIMEOUT(names(), QStringList{u"watched"_s}, 10000); // third went too
    // Freed with its history and dedupe: created afresh at seq 1.
    const Envelope ack = probe.waitFor(MessageType::Ack, probe.publish(u"idle"_s, 3), &ok);
    QVERIFY(ok);
    QCOMPARE(ack.seq, qint64(1));
    QCOMPARE(fetchNow(*hub->store(), u"idle"_s, 0).messages.size(), 1);
    QVERIFY(pingAnswered(watcher));
}

void tst_HubBudgets::lengthCapsRefused400_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("replyId"); // the id the error carries
    const QByteArray id128(128, 'i');
    const QByteArray id129(129, 'i');
    const QByteArray eAcute65 = QString(65, QChar(0xE9)).toUtf8(); // 130 bytes, 65 characters
    QTest::newRow("publish id of 129 bytes")
        << publishFrame(id129, "c") << u"'publish': 'id' of 129 bytes is longer than 128 bytes"_s
        << QString();
    QTest::newRow("publish id of 65 two-byte characters")
        << publishFrame(eAcute65, "c") << u"'publish': 'id' of 130 bytes is longer than 128 bytes"_s
        << QString();
    QTest::newRow("empty publish id")
        << publishFrame("", "c")
        << u"'publish': 'id' must not be empty (it is what the ack answers and the dedupe keys on)"_s
        << QString();
    QTest::newRow("client of 129 bytes")
        << publishFrame("p1", "c", R"(,"client":")" + id129 + "\"")
        << u"'publish': 'client' of 129 bytes is longer than 128 bytes"_s << u"p1"_s;
    QTest::newRow("request id of 129 bytes")
        << QByteArray(R"({"type":"request","id":")" + id129 + R"(","method":"server.info"})")
        << u"'request': 'id' of 129 bytes is longer than 128 bytes"_s << QString();
    QTest::newRow("subscribe id of 129 bytes")
        << QByteArray(R"({"type":"subscribe","id":")" + id129 + R"(","channel":"c"})")
        << u"'subscribe': 'id' of 129 bytes is longer than 128 bytes"_s << QString();
    QTest::newRow("ping id of 129 bytes")
        << QByteArray(R"({"type":"ping","id":")" + id129 + R"(","ts":1})")
        << u"'ping': 'id' of 129 bytes is longer than 128 bytes"_s << QString();
    QTest::newRow("publish id of 128 bytes, client of 128: accepted")
        << publishFrame(id128, "c", R"(,"client":")" + id128 + "\"") << QString()
        << QString::fromLatin1(id128);
}

void tst_HubBudgets::lengthCapsRefused400()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, message);
    QFETCH(QString, replyId);
    auto hub = startHub(budgetOptions());
    QVERIFY(hub);
    ProtocolProbe probe, bystander;
    QVERIFY(openAuthed(probe, hub->url(), token(u"ops"_s)));
    QVERIFY(openAuthed(bystander, hub->url(), token(u"bystander"_s)));
    bystander.waitFor(MessageType::Subscribed, bystander.subscribe(u"c"_s));
    probe.sendRaw(frame);
    bool ok = false;
    if (message.isEmpty()) {
        const Envelope ack = probe.waitFor(MessageType::Ack, replyId, &ok);
        QVERIFY(ok);
        QCOMPARE(ack.seq, qint64(1));
        QTRY_COMPARE(bystander.seqsOf(u"c"_s), QList<qint64>{1});
        return;
    }
    const Envelope err = probe.waitFor(MessageType::Error, QString(), &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, HubError::BadRequest);
    QCOMPARE(err.text, message);
    QCOMPARE(err.id, replyId);
    QVERIFY(pingAnswered(probe)); // the session goes on
    QVERIFY(pingAnswered(bystander));
    QVERIFY(probe.ofType(MessageType::Ack).size() == 1); // its auth only: nothing acked
    QVERIFY(probe.ofType(MessageType::Response).isEmpty() && probe.ofType(MessageType::Subscribed).isEmpty());
    QCOMPARE(hub->metrics().published, quint64(0));
    QVERIFY(bystander.seqsOf(u"c"_s).isEmpty());
    QCOMPARE(hub->rejects(u"bad_field"_s), quint64(1));
}

void tst_HubBudgets::invisibleChannelNamesRefused_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("zero-width space") << u"ops\u200Bcmd"_s << false;
    QTest::newRow("right-to-left override") << u"ops\u202Edmc"_s << false;
    // Inside the name: a leading one is dropped by the UTF-8 decoding of the frame (the name is
    // then plain "ops", no look-alike of it).
    QTest::newRow("byte order mark") << u"ops\uFEFFcmd"_s << false;
    QTest::newRow("soft hyphen (Cf)") << u"op\u00ADs"_s << false;
    QTest::newRow("word joiner") << u"ops\u2060"_s << false;
    QTest::newRow("zero-width joiner") << u"a\u200Db"_s << false;
    QTest::newRow("bell (Cc)") << u"a\u0007b"_s << false;
    QTest::newRow("DEL (Cc)") << u"a\u007Fb"_s << false;
    QTest::newRow("no-break space") << u"a\u00A0b"_s << false;
    QTest::newRow("line separator") << u"a\u2028b"_s << false;
    QTest::newRow("Hangul filler") << u"a\u3164b"_s << false;
    QTest::newRow("variation selector") << u"a\uFE0Fb"_s << false;
    QTest::newRow("tag character (Cf, astral)") << u"a"_s + QString::fromUcs4(U"\U000E0041") << false;
    QTest::newRow("lone high surrogate") << u"a"_s + QChar(0xD800) << false;
    QTest::newRow("noncharacter") << u"a\uFFFF"_s << false;
    QTest::newRow("letters of any script") << u"temp\u00E9rature.\u6E29\u5EA6"_s << true;
    QTest::newRow("emoji (a surrogate pair)") << u"alerts."_s + QString::fromUcs4(U"\U0001F525") << true;
    QTest::newRow("punctuation") << u"a/b-c_d:1"_s << true;
}

void tst_HubBudgets::invisibleChannelNamesRefused()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidChannelName(name), valid);
    auto hub = startHub(budgetOptions());
    QVERIFY(hub);
    ProtocolProbe probe;
    QVERIFY(openAuthed(probe, hub->url(), token(u"ops"_s)));
    // As the JSON a client would send: every non-ASCII code unit escaped (a lone surrogate too).
    QByteArray escaped;
    for (QChar c : name) {
        if (c.unicode() >= 0x20 && c.unicode() < 0x7F && c != u'"' && c != u'\\')
            escaped.append(char(c.unicode()));
        else
            escaped.append("\\u" + QByteArray::number(c.unicode(), 16).rightJustified(4, '0'));
    }
    bool ok = false;
    for (const QByteArray &type : {QByteArray("publish"), QByteArray("subscribe")}) {
        const QByteArray id = type.left(1) + "1";
        probe.sendRaw(R"({"type":")" + type + R"(","id":")" + id + R"(","channel":")" + escaped +
                      R"(","data":1})");
        if (valid) {
            probe.waitFor(type == "publish" ? MessageType::Ack : MessageType::Subscribed,
                          QString::fromLatin1(id), &ok);
            QVERIFY(ok);
            continue;
        }
        const Envelope err = probe.waitFor(MessageType::Error, QString(), &ok);
        QVERIFY(ok);
        QCOMPARE(err.code, CloseCode::Malformed);
        QCOMPARE(err.text, u"'%1': invalid channel name"_s.arg(QString::fromLatin1(type)));
    }
    QVERIFY(pingAnswered(probe));
    QCOMPARE(hub->store()->channels().size(), valid ? 1 : 0);
}

void tst_HubBudgets::dedupeIsPerConnectionOrPerClient()
{
    auto hub = startHub(budgetOptions());
    QVERIFY(hub);
    // Two processes sharing one token, and a third under another subject.
    ProtocolProbe first, second, other;
    QVERIFY(openAuthed(first, hub->url(), token(u"shared"_s)));
    QVERIFY(openAuthed(second, hub->url(), token(u"shared"_s)));
    QVERIFY(openAuthed(other, hub->url(), token(u"other"_s)));
    bool ok = false;
    auto ackOf = [&ok](ProtocolProbe &p, const QByteArray &frame, const QString &id) {
        p.sendRaw(frame);
        return p.waitFor(MessageType::Ack, id, &ok).seq;
    };
    // The same connection repeating an id: acked with the first seq, stored once.
    QCOMPARE(ackOf(first, publishFrame("p1", "cmd"), u"p1"_s), qint64(1));
    QCOMPARE(ackOf(first, publishFrame("p1", "cmd"), u"p1"_s), qint64(1));
    // Another connection using the same id without a client key: its own publish.
    QCOMPARE(ackOf(second, publishFrame("p1", "cmd"), u"p1"_s), qint64(2));
    // The same id on another channel is not that publish.
    QCOMPARE(ackOf(first, publishFrame("p1", "cmd2"), u"p1"_s), qint64(1));
    // With a client key: recognised across connections of the same subject (a resend after a
    // reconnect), not across subjects.
    const QByteArray client = R"(,"client":"dash-7")";
    QCOMPARE(ackOf(first, publishFrame("q1", "cmd", client), u"q1"_s), qint64(3));
    QCOMPARE(ackOf(second, publishFrame("q1", "cmd", client), u"q1"_s), qint64(3));
    QCOMPARE(ackOf(other, publishFrame("q1", "cmd", client), u"q1"_s), qint64(4));
    // A connection's own ids and its client's are apart: q1 without the key is new.
    QCOMPARE(ackOf(first, publishFrame("q1", "cmd"), u"q1"_s), qint64(5));
    QVERIFY(ok);
    QCOMPARE(hub->metrics().published, quint64(6));
    FetchResult f = fetchNow(*hub->store(), u"cmd"_s, 0);
    QCOMPARE(f.messages.size(), 5);
}

void tst_HubBudgets::subscriptionCapRefused429()
{
    HubOptions o = budgetOptions();
    o.maxSubscriptions = 3;
    auto hub = startHub(o);
    QVERIFY(hub);
    ProtocolProbe probe, publisher;
    QVERIFY(openAuthed(probe, hub->url(), token(u"ops"_s)));
    QVERIFY(openAuthed(publisher, hub->url(), token(u"publisher"_s)));
    bool ok = false;
    for (const QString &c : {u"a"_s, u"b"_s, u"c"_s}) {
        probe.waitFor(MessageType::Subscribed, probe.subscribe(c), &ok);
        QVERIFY(ok);
    }
    const QString id = probe.subscribe(u"d"_s);
    const Envelope err = probe.waitFor(MessageType::Error, id, &ok);
    QVERIFY(ok);
    QCOMPARE(err.code, HubError::TooMany);
    QCOMPARE(err.code, 429);
    QCOMPARE(
        err.text,
        u"cannot subscribe to d: this connection holds 3 subscriptions, the limit (--max-subscriptions)"_s);
    QCOMPARE(hub->router().subscriberCounts(), (QMap<QString, int>{{u"a"_s, 1}, {u"b"_s, 1}, {u"c"_s, 1}}));
    // Subscribing again to one it holds is not one more; its subscriptions still deliver.
    probe.waitFor(MessageType::Subscribed, probe.subscribe(u"a"_s), &ok);
    QVERIFY(ok);
    publisher.waitFor(MessageType::Ack, publisher.publish(u"b"_s, 1), &ok);
    publisher.waitFor(MessageType::Ack, publisher.publish(u"d"_s, 1), &ok);
    QTRY_COMPARE(probe.seqsOf(u"b"_s), QList<qint64>{1});
    // d's message went out before its ack: a pong on the probe's connection comes after it.
    QVERIFY(pingAnswered(probe));
    QVERIFY(probe.seqsOf(u"d"_s).isEmpty());
    // One freed, one more allowed.
    probe.waitFor(MessageType::Unsubscribed, probe.unsubscribe(u"c"_s), &ok);
    QVERIFY(ok);
    probe.waitFor(MessageType::Subscribed, probe.subscribe(u"d"_s), &ok);
    QVERIFY(ok);
    QCOMPARE(hub->rejects(u"too_many_subscriptions"_s), quint64(1));
    QVERIFY(pingAnswered(publisher));
    QVERIFY(!probe.isClosed());
}

QTEST_GUILESS_MAIN(tst_HubBudgets)
#include "tst_hubbudgets.moc"
