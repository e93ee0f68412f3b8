// ChannelRouter without sockets: a recording subscriber and a store whose fetch answers when the
// test says so. Subscribe and unsubscribe, `subscribed` before the replay before the live
// messages held meanwhile (each seq once, in order), the bound of the pending buffer, the reset
// of a channel, and that a subscription leaves the index on every path: unsubscribe, a failed
// fetch, and the subscriber going away.
#include "hub/ChannelRouter.h"
#include "hub/MemoryChannelStore.h"
#include "protocol/Envelope.h"

#include <QTest>

#include <memory>

using namespace Pulseboard;

namespace {

class Recorder : public ChannelSubscriber
{
public:
    explicit Recorder(ChannelRouter *router = nullptr) : m_router(router) {}

    bool isOpen() const override { return open; }
    void send(const Envelope &env) override { frames.append(env); }
    void sendText(const QString &text, qint64 bytes) override
    {
        if (room > 0)
            --room;
        QCOMPARE(bytes, qint64(text.toUtf8().size()));
        Envelope env;
        QVERIFY(decodeEnvelope(text.toUtf8(), env));
        frames.append(env);
    }
    // What HubSession does: the subscriber is dropped and what is held for it freed.
    void pendingOverflow(qint64 bytes) override
    {
        overflows.append(bytes);
        open = false;
        if (m_router)
            m_router->clearPending(this);
    }

    // A socket whose buffer takes `room` more messages (-1: any number); drained() after raising it.
    bool canTake(qint64) const override { return room != 0; }
    void replayFailed(const QString &reason) override
    {
        failures.append(reason);
        open = false;
    }
    void replayBlocked() override { ++blockedCount; }

    QList<qint64> seqsOf(const QString &channel) const
    {
        QList<qint64> seqs;
        for (const Envelope &e : frames) {
            if (e.type == MessageType::Message && e.channel == channel)
                seqs.append(e.seq);
        }
        return seqs;
    }
    QList<MessageType> types() const
    {
        QList<MessageType> out;
        for (const Envelope &e : frames)
            out.append(e.type);
        return out;
    }

    bool open = true;
    int room = -1;
    QList<Envelope> frames;
    QList<qint64> overflows;
    QStringList failures;
    int blockedCount = 0;

private:
    ChannelRouter *m_router;
};

// A store whose fetches wait until answer(); append is not used by the router.
class DeferredStore : public ChannelStore
{
public:
    QString kind() const override { return QStringLiteral("deferred"); }
    bool start(QString *) override { return true; }
    bool isAvailable() const override { return true; }
    QString statusText() const override { return QString(); }
    void append(const QString &, const QByteArray &, qint64, const QString &, AppendCallback done) override
    {
        AppendResult r;
        r.error = QStringLiteral("not here");
        done(r);
    }
    void fetch(const QString &channel, qint64 since, int maxMessages, FetchCallback done) override
    {
        fetches.append({channel, since, maxMessages, std::move(done)});
    }
    QList<ChannelInfo> channels() const override { return {}; }

    // Answers the fetch number `index` (in the order asked).
    void answer(int index, const FetchResult &result) { fetches.at(index).done(result); }

    struct Fetch
    {
        QString channel;
        qint64 since;
        int maxMessages;
        FetchCallback done;
    };
    QList<Fetch> fetches;
};

StoredMessage stored(const QString &channel, qint64 seq, const QJsonValue &data = QJsonValue(1))
{
    StoredMessage m;
    m.seq = seq;
    m.ts = 1000 + seq;
    m.frame = ChannelStore::encodeMessage(channel, seq, m.ts, data);
    return m;
}

FetchResult history(qint64 latest, qint64 firstRetained, const QString &channel, QList<qint64> seqs,
                    bool more = false)
{
    FetchResult r;
    r.more = more;
    r.latestSeq = latest;
    r.firstRetainedSeq = firstRetained;
    for (qint64 seq : seqs)
        r.messages.append(stored(channel, seq));
    return r;
}

const QString kCh = QStringLiteral("ch");

} // namespace

class tst_ChannelRouter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void subscribeWithoutSinceGetsOnlyLive();
    void replayThenHeldLiveEachOnceInOrder();
    void sinceAtOrBeyondLatestIsRecovered();
    void resubscribeIgnoresTheLateAnswer();
    void pendingBufferBounded();
    void pacedReplayWaitsForTheSocket();
    void pacedReplayOverflowDropsAsBefore();
    void pacedReplayTellsWhenItWaits();
    void laterPageFailureEndsTheSubscriber();
    void memoryStoreHandsOutPages();
    void memoryStoreReplayInPages();
    void closedSubscriberGetsNothing();
    void fanOutToEverySubscriber();
    void resetTellsReadySubscribers();
    void removedByUnsubscribe();
    void removedByFailedFetch();
    void removedWhenTheSubscriberGoes();
    void sinceOfAnotherEpochReplaysFromTheStart();
    void historyBackfillsTheNewestPacedThenLive();
    void historyLargerThanRetainedOrZero();
    void historyWithSinceIsIgnored();
};

void tst_ChannelRouter::subscribeWithoutSinceGetsOnlyLive()
{
    MemoryChannelStore store(100, 100);
    for (int i = 0; i < 2; ++i)
        store.append(kCh, i, 0, QString(), [](const AppendResult &) {});
    ChannelRouter router(0);
    router.setStore(&store);
    connect(&store, &ChannelStore::messageArrived, this,
            [&router](const QString &c, const StoredMessage &m) { router.route(c, m); });
    Recorder sub;
    router.subscribe(&sub, kCh, -1, QStringLiteral("s1"));
    QCOMPARE(sub.frames.size(), 1);
    const Envelope subscribed = sub.frames.first();
    QCOMPARE(subscribed.type, MessageType::Subscribed);
    QCOMPARE(subscribed.id, QStringLiteral("s1"));
    QCOMPARE(subscribed.channel, kCh);
    QCOMPARE(subscribed.seq, qint64(2));
    QCOMPARE(subscribed.hasRecovered, false);
    QVERIFY(router.isSubscribed(&sub, kCh));
    QCOMPARE(router.subscriberCount(kCh), 1);

    store.append(kCh, 3, 0, QString(), [](const AppendResult &) {});
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{3}));
    QCOMPARE(sub.frames.last().data.toInt(), 3);
}

void tst_ChannelRouter::replayThenHeldLiveEachOnceInOrder()
{
    DeferredStore store;
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder sub;
    router.subscribe(&sub, kCh, 1, QStringLiteral("s1"));
    QCOMPARE(store.fetches.size(), 1);
    QCOMPARE(store.fetches.first().since, qint64(1));

    // Live messages while the fetch is out are held, not sent.
    const StoredMessage m4 = stored(kCh, 4), m5 = stored(kCh, 5);
    router.route(kCh, m4);
    router.route(kCh, m5);
    QVERIFY(sub.frames.isEmpty());
    QCOMPARE(router.pendingBytes(&sub, kCh), qint64(m4.frame.size() + m5.frame.size()));

    // The fetch saw 4 already: it is in the replay and held; it goes out once.
    store.answer(0, history(4, 1, kCh, {2, 3, 4}));
    QCOMPARE(sub.types(),
             (QList<MessageType>{MessageType::Subscribed, MessageType::Message, MessageType::Message,
                                 MessageType::Message, MessageType::Message}));
    const Envelope subscribed = sub.frames.first();
    QCOMPARE(subscribed.id, QStringLiteral("s1"));
    QCOMPARE(subscribed.seq, qint64(4));
    QVERIFY(subscribed.hasRecovered);
    QCOMPARE(subscribed.recovered, true);
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{2, 3, 4, 5}));
    QCOMPARE(router.pendingBytes(&sub, kCh), qint64(0));

    // Then live, and a seq already sent is not sent again.
    router.route(kCh, stored(kCh, 6));
    router.route(kCh, stored(kCh, 5));
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{2, 3, 4, 5, 6}));
}

void tst_ChannelRouter::sinceAtOrBeyondLatestIsRecovered()
{
    DeferredStore store;
    ChannelRouter router(0);
    router.setStore(&store);
    // A client holding seq 10 of a hub that restarted and is at 3: recovered (nothing newer is
    // retained), and the next live seq 4 is delivered although it is below what the client held.
    Recorder ahead;
    router.subscribe(&ahead, kCh, 10, QStringLiteral("a"));
    store.answer(0, history(3, 1, kCh, {}));
    QCOMPARE(ahead.frames.size(), 1);
    QCOMPARE(ahead.frames.first().recovered, true);
    router.route(kCh, stored(kCh, 4));
    QCOMPARE(ahead.seqsOf(kCh), (QList<qint64>{4}));

    // History that no longer reaches back to since + 1: not recovered, what is retained is sent.
    Recorder behind;
    router.subscribe(&behind, kCh, 1, QStringLiteral("b"));
    store.answer(1, history(4, 3, kCh, {3, 4}));
    QCOMPARE(behind.frames.first().recovered, false);
    QCOMPARE(behind.frames.first().firstSeq, qint64(3)); // 2 was lost
    QCOMPARE(behind.seqsOf(kCh), (QList<qint64>{3, 4}));

    // Nothing retained at all: everything after since is lost, the next live one is `first`.
    Recorder empty;
    router.subscribe(&empty, kCh, 1, QStringLiteral("c"));
    store.answer(2, history(4, 0, kCh, {}));
    QCOMPARE(empty.frames.first().recovered, false);
    QCOMPARE(empty.frames.first().firstSeq, qint64(5));
    QVERIFY(empty.seqsOf(kCh).isEmpty());

    // Recovered answers carry no `first`.
    QCOMPARE(ahead.frames.first().firstSeq, qint64(-1));
    const QByteArray wire = encodeEnvelope(ahead.frames.first());
    QVERIFY(!wire.contains("\"first\""));
}

void tst_ChannelRouter::resubscribeIgnoresTheLateAnswer()
{
    DeferredStore store;
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder sub;
    router.subscribe(&sub, kCh, 0, QStringLiteral("first"));
    router.route(kCh, stored(kCh, 1)); // held for the first subscribe ...
    router.subscribe(&sub, kCh, 0, QStringLiteral("second"));
    QCOMPARE(router.pendingBytes(&sub, kCh), qint64(0)); // ... and let go by the second
    QCOMPARE(router.subscriberCount(kCh), 1);

    store.answer(0, history(1, 1, kCh, {1}));
    QVERIFY(sub.frames.isEmpty()); // the first subscribe no longer answers
    store.answer(1, history(1, 1, kCh, {1}));
    QCOMPARE(sub.frames.size(), 2);
    QCOMPARE(sub.frames.first().id, QStringLiteral("second"));
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1}));
}

void tst_ChannelRouter::pendingBufferBounded()
{
    DeferredStore store;
    const StoredMessage big = stored(kCh, 1, QString(100, QLatin1Char('x')));
    // Room for two messages, not three.
    ChannelRouter router(2 * big.frame.size() + 10);
    router.setStore(&store);
    Recorder slow(&router);
    router.subscribe(&slow, kCh, -1, QStringLiteral("s"));
    for (qint64 seq = 1; seq <= 2; ++seq)
        router.route(kCh, stored(kCh, seq, QString(100, QLatin1Char('x'))));
    QVERIFY(slow.overflows.isEmpty());
    router.route(kCh, stored(kCh, 3, QString(100, QLatin1Char('x'))));
    QCOMPARE(slow.overflows.size(), 1);
    QVERIFY(slow.overflows.first() > 2 * big.frame.size() + 10);
    // Dropped: nothing more is held, and the late answer sends nothing.
    QCOMPARE(router.pendingBytes(&slow, kCh), qint64(0));
    router.route(kCh, stored(kCh, 4));
    QCOMPARE(router.pendingBytes(&slow, kCh), qint64(0));
    QCOMPARE(slow.overflows.size(), 1);
    store.answer(0, history(4, 1, kCh, {}));
    QVERIFY(slow.frames.isEmpty());
}

void tst_ChannelRouter::pacedReplayWaitsForTheSocket()
{
    DeferredStore store;
    ChannelRouter router(0, 100);
    router.setStore(&store);
    Recorder sub;
    router.subscribe(&sub, kCh, 0, QStringLiteral("s"));
    QCOMPARE(store.fetches.size(), 1);
    QVERIFY(store.fetches.at(0).maxMessages > 0); // never an unbounded read
    QVERIFY(store.fetches.at(0).maxMessages <= 100);

    // The socket takes two messages, then is full.
    sub.room = 2;
    store.answer(0, history(10, 1, kCh, {1, 2, 3, 4}, true));
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2}));
    QVERIFY(router.isReplaying(&sub, kCh));
    // Live meanwhile: held behind the replay.
    router.route(kCh, stored(kCh, 11));
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2}));
    QVERIFY(router.pendingBytes(&sub, kCh) > 0);
    // Nothing happens without the socket draining.
    router.drained(&sub);
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2}));

    // It drains: the rest of the page, then the next page is asked for from the last seq sent.
    sub.room = 5;
    router.drained(&sub);
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2, 3, 4}));
    QCOMPARE(store.fetches.size(), 2);
    QCOMPARE(store.fetches.at(1).since, qint64(4));
    QVERIFY(store.fetches.at(1).maxMessages > 0);
    router.route(kCh, stored(kCh, 12));
    router.drained(&sub); // a fetch is out: nothing to write, nothing asked twice
    QCOMPARE(store.fetches.size(), 2);

    // The last page (it has 11, also held: sent once), then what was held, then live.
    sub.room = 4;
    store.answer(1, history(12, 1, kCh, {5, 6, 7, 8, 9, 10, 11}));
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8}));
    router.route(kCh, stored(kCh, 13));
    QVERIFY(router.isReplaying(&sub, kCh));
    sub.room = -1;
    router.drained(&sub);
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}));
    QVERIFY(!router.isReplaying(&sub, kCh));
    QCOMPARE(router.pendingBytes(&sub, kCh), qint64(0));
    router.route(kCh, stored(kCh, 14));
    QCOMPARE(sub.seqsOf(kCh).last(), qint64(14));
    QCOMPARE(sub.types().first(), MessageType::Subscribed);
    QCOMPARE(sub.frames.first().recovered, true);
}

// What HubSession's replay-stall clock runs on: replayBlocked() each time a replay stops on a
// full socket, and isWaitingForDrain() true exactly while it waits there.
void tst_ChannelRouter::pacedReplayTellsWhenItWaits()
{
    DeferredStore store;
    ChannelRouter router(0, 100);
    router.setStore(&store);
    Recorder sub, other;
    router.subscribe(&sub, kCh, 0, QStringLiteral("s"));
    router.subscribe(&other, kCh, -1, QStringLiteral("o"));
    QVERIFY(!router.isWaitingForDrain(&sub)); // a fetch is out: the store, not the socket
    sub.room = 1;
    store.answer(0, history(3, 1, kCh, {1, 2, 3}));
    store.answer(1, history(3, 1, kCh, {}));
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1}));
    QCOMPARE(sub.blockedCount, 1);
    QVERIFY(router.isWaitingForDrain(&sub));
    QVERIFY(!router.isWaitingForDrain(&other)); // live, nothing to wait for
    QCOMPARE(other.blockedCount, 0);

    // A drain that makes room for one: it goes on, then waits again.
    sub.room = 1;
    router.drained(&sub);
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2}));
    QCOMPARE(sub.blockedCount, 2);
    QVERIFY(router.isWaitingForDrain(&sub));
    // A drain without room changes nothing.
    router.drained(&sub);
    QVERIFY(router.isWaitingForDrain(&sub));

    // All out: ready, no longer waiting; a dropped subscriber is not waiting either.
    sub.room = -1;
    router.drained(&sub);
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2, 3}));
    QVERIFY(!router.isReplaying(&sub, kCh));
    QVERIFY(!router.isWaitingForDrain(&sub));
    Recorder stalled;
    router.subscribe(&stalled, kCh, 0, QStringLiteral("t"));
    stalled.room = 0;
    store.answer(2, history(3, 1, kCh, {1, 2, 3}));
    QVERIFY(router.isWaitingForDrain(&stalled));
    router.clearPending(&stalled);
    QVERIFY(!router.isWaitingForDrain(&stalled));
}

void tst_ChannelRouter::pacedReplayOverflowDropsAsBefore()
{
    DeferredStore store;
    const StoredMessage big = stored(kCh, 1, QString(100, QLatin1Char('x')));
    ChannelRouter router(2 * big.frame.size() + 10);
    router.setStore(&store);
    Recorder stalled(&router);
    router.subscribe(&stalled, kCh, 0, QStringLiteral("s"));
    stalled.room = 0; // its socket never drains
    store.answer(0, history(5, 1, kCh, {1, 2, 3, 4, 5}));
    QVERIFY(stalled.seqsOf(kCh).isEmpty());
    for (qint64 seq = 6; seq <= 7; ++seq)
        router.route(kCh, stored(kCh, seq, QString(100, QLatin1Char('x'))));
    QVERIFY(stalled.overflows.isEmpty());
    router.route(kCh, stored(kCh, 8, QString(100, QLatin1Char('x'))));
    QCOMPARE(stalled.overflows.size(), 1);
    QCOMPARE(router.pendingBytes(&stalled, kCh), qint64(0));
    stalled.room = -1;
    router.drained(&stalled);
    QVERIFY(stalled.seqsOf(kCh).isEmpty()); // dropped: nothing more is written
}

void tst_ChannelRouter::laterPageFailureEndsTheSubscriber()
{
    DeferredStore store;
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder sub;
    router.subscribe(&sub, kCh, 0, QStringLiteral("s"));
    store.answer(0, history(4, 1, kCh, {1, 2}, true));
    QCOMPARE(store.fetches.size(), 2);
    FetchResult failed;
    failed.error = QStringLiteral("Redis went away");
    store.answer(1, failed);
    QCOMPARE(sub.failures.size(), 1);
    QVERIFY(sub.failures.first().contains(QStringLiteral("Redis went away")));
    QCOMPARE(sub.seqsOf(kCh), (QList<qint64>{1, 2}));
}

void tst_ChannelRouter::memoryStoreHandsOutPages()
{
    MemoryChannelStore store(50, 100);
    for (int i = 1; i <= 80; ++i)
        store.append(kCh, i, 0, QString(), [](const AppendResult &) {});
    FetchResult page;
    store.fetch(kCh, 40, 7, [&page](const FetchResult &r) { page = r; });
    QCOMPARE(page.latestSeq, qint64(80));
    QCOMPARE(page.firstRetainedSeq, qint64(31));
    QCOMPARE(page.messages.size(), 7);
    QCOMPARE(page.messages.first().seq, qint64(41));
    QCOMPARE(page.messages.last().seq, qint64(47));
    QVERIFY(page.more);
    store.fetch(kCh, 75, 7, [&page](const FetchResult &r) { page = r; });
    QCOMPARE(page.messages.size(), 5);
    QVERIFY(!page.more);
    store.fetch(kCh, 0, 0, [&page](const FetchResult &r) { page = r; }); // older than retained
    QCOMPARE(page.messages.size(), 50);
    QCOMPARE(page.messages.first().seq, qint64(31));
    store.fetch(kCh, 80, 7, [&page](const FetchResult &r) { page = r; });
    QVERIFY(page.messages.isEmpty());
    QVERIFY(!page.more);
}

void tst_ChannelRouter::memoryStoreReplayInPages()
{
    MemoryChannelStore store(1000, 100);
    for (int i = 1; i <= 250; ++i)
        store.append(kCh, i, 0, QString(), [](const AppendResult &) {});
    ChannelRouter router(0, 10);
    router.setStore(&store);
    connect(&store, &ChannelStore::messageArrived, this,
            [&router](const QString &c, const StoredMessage &m) { router.route(c, m); });
    Recorder sub;
    sub.room = 30;
    router.subscribe(&sub, kCh, 0, QStringLiteral("s"));
    QCOMPARE(sub.seqsOf(kCh).size(), 30);
    store.append(kCh, 251, 0, QString(), [](const AppendResult &) {}); // live, held
    QCOMPARE(sub.seqsOf(kCh).size(), 30);
    sub.room = -1;
    router.drained(&sub);
    QList<qint64> want;
    for (qint64 seq = 1; seq <= 251; ++seq)
        want.append(seq);
    QCOMPARE(sub.seqsOf(kCh), want);
    QVERIFY(!router.isReplaying(&sub, kCh));
}

void tst_ChannelRouter::closedSubscriberGetsNothing()
{
    MemoryChannelStore store(100, 100);
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder sub;
    router.subscribe(&sub, kCh, -1, QStringLiteral("s"));
    QCOMPARE(sub.frames.size(), 1);
    sub.open = false;
    router.route(kCh, stored(kCh, 1));
    router.reset(kCh);
    QCOMPARE(sub.frames.size(), 1);
    QVERIFY(router.isSubscribed(&sub, kCh)); // until it is gone
}

void tst_ChannelRouter::fanOutToEverySubscriber()
{
    MemoryChannelStore store(100, 100);
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder a, b, other;
    router.subscribe(&a, kCh, -1, QStringLiteral("a"));
    router.subscribe(&b, kCh, -1, QStringLiteral("b"));
    router.subscribe(&other, QStringLiteral("other"), -1, QStringLiteral("o"));
    QCOMPARE(router.subscriberCounts(), (QMap<QString, int>{{kCh, 2}, {QStringLiteral("other"), 1}}));
    QCOMPARE(router.channelCount(), 2);
    router.route(kCh, stored(kCh, 1));
    router.route(kCh, stored(kCh, 2));
    QCOMPARE(a.seqsOf(kCh), (QList<qint64>{1, 2}));
    QCOMPARE(b.seqsOf(kCh), (QList<qint64>{1, 2}));
    QVERIFY(other.seqsOf(kCh).isEmpty());
}

void tst_ChannelRouter::resetTellsReadySubscribers()
{
    DeferredStore store;
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder ready, waiting;
    router.subscribe(&ready, kCh, -1, QStringLiteral("r"));
    store.answer(0, history(7, 1, kCh, {}));
    router.subscribe(&waiting, kCh, -1, QStringLiteral("w"));
    router.route(kCh, stored(kCh, 8));
    QCOMPARE(ready.seqsOf(kCh), (QList<qint64>{8}));

    router.reset(kCh);
    QCOMPARE(ready.frames.size(), 3);
    const Envelope notice = ready.frames.last();
    QCOMPARE(notice.type, MessageType::Subscribed);
    QVERIFY(notice.id.isEmpty());
    QCOMPARE(notice.seq, qint64(0));
    QVERIFY(notice.hasRecovered);
    QCOMPARE(notice.recovered, false);
    QVERIFY(waiting.frames.isEmpty()); // its own `subscribed` is still to come
    // The new sequence's seq 1 is new, not a duplicate of the old 1.
    router.route(kCh, stored(kCh, 1));
    QCOMPARE(ready.seqsOf(kCh), (QList<qint64>{8, 1}));
}

void tst_ChannelRouter::removedByUnsubscribe()
{
    MemoryChannelStore store(100, 100);
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder sub, stays;
    router.subscribe(&sub, kCh, -1, QStringLiteral("s"));
    router.subscribe(&stays, kCh, -1, QStringLiteral("t"));
    QVERIFY(router.unsubscribe(&sub, kCh));
    QVERIFY(!router.isSubscribed(&sub, kCh));
    QVERIFY(router.channelsOf(&sub).isEmpty());
    QCOMPARE(router.subscriberCount(kCh), 1);
    router.route(kCh, stored(kCh, 1));
    QVERIFY(sub.seqsOf(kCh).isEmpty());
    QCOMPARE(stays.seqsOf(kCh), (QList<qint64>{1}));
    QVERIFY(!router.unsubscribe(&sub, kCh)); // not subscribed any more

    QVERIFY(router.unsubscribe(&stays, kCh));
    QCOMPARE(router.subscriberCount(kCh), 0);
    QCOMPARE(router.channelCount(), 0); // the last one out takes the channel's entry with it
    QVERIFY(router.subscriberCounts().isEmpty());
}

void tst_ChannelRouter::removedByFailedFetch()
{
    DeferredStore store;
    ChannelRouter router(0);
    router.setStore(&store);
    Recorder sub;
    router.subscribe(&sub, kCh, 3, QStringLiteral("s9"));
    router.route(kCh, stored(kCh, 4));
    FetchResult failed;
    failed.error = QStringLiteral("redis away");
    store.answer(0, failed);
    QCOMPARE(sub.frames.size(), 1);
    const Envelope err = sub.frames.first();
    QCOMPARE(err.type, MessageType::Error);
    QCOMPARE(err.id, QStringLiteral("s9"));
    QCOMPARE(err.code, 503);
    QCOMPARE(err.text, QStringLiteral("cannot subscribe to ch: redis away"));
    QVERIFY(!router.isSubscribed(&sub, kCh));
    QCOMPARE(router.subscriberCount(kCh), 0);
    QCOMPARE(router.channelCount(), 0);
    router.route(kCh, stored(kCh, 5));
    QCOMPARE(sub.frames.size(), 1);
}

void tst_ChannelRouter::removedWhenTheSubscriberGoes()
{
    DeferredStore store;
    ChannelRouter router(0);
    router.setStore(&store);
    auto gone = std::make_unique<Recorder>();
    Recorder stays;
    router.subscribe(gone.get(), QStringLiteral("a"), -1, QStringLiteral("1"));
    store.answer(0, history(0, 0, QStringLiteral("a"), {}));
    router.subscribe(gone.get(), QStringLiteral("b"), -1, QStringLiteral("2")); // fetch still out
    router.subscribe(gone.get(), kCh, -1, QStringLiteral("3"));
    router.subscribe(&stays, kCh, -1, QStringLiteral("4"));
    QCOMPARE(router.channelsOf(gone.get()), (QStringList{QStringLiteral("a"), QStringLiteral("b"), kCh}));

    router.removeSubscriber(gone.get());
    QVERIFY(router.channelsOf(gone.get()).isEmpty());
    QCOMPARE(router.subscriberCounts(), (QMap<QString, int>{{kCh, 1}}));
    gone.reset();
    // The fetch answers that come after it went are dropped without touching it.
    store.answer(1, history(0, 0, QStringLiteral("b"), {}));
    store.answer(2, history(0, 0, kCh, {}));
    store.answer(3, history(0, 0, kCh, {}));
    router.route(kCh, stored(kCh, 1));
    QCOMPARE(stays.seqsOf(kCh), (QList<qint64>{1}));
    QCOMPARE(router.subscriberCounts(), (QMap<QString, int>{{kCh, 1}}));
    router.removeSubscriber(&stays);
    QCOMPARE(router.channelCount(), 0);
}

void tst_ChannelRouter::sinceOfAnotherEpochReplaysFromTheStart()
{
    ChannelRouter router(0);
    DeferredStore store;
    router.setStore(&store);
    Recorder client, same, old;
    // Held seq 5 of epoch "e1"; the channel is at 7 in "e2", 3..7 retained.
    router.subscribe(&client, kCh, 5, QStringLiteral("s1"), QStringLiteral("e1"));
    QCOMPARE(store.fetches.size(), 1);
    QCOMPARE(store.fetches.at(0).since, qint64(5));
    FetchResult r = history(7, 3, kCh, {6, 7});
    r.epoch = QStringLiteral("e2");
    store.answer(0, r);
    QCOMPARE(client.frames.size(), 1);
    const Envelope s = client.frames.at(0);
    QCOMPARE(s.type, MessageType::Subscribed);
    QCOMPARE(s.recovered, false);
    QCOMPARE(s.firstSeq, qint64(3));
    QCOMPARE(s.epoch, QStringLiteral("e2"));
    // The page after 5 is not used: the replay is read again from the start.
    QCOMPARE(store.fetches.size(), 2);
    QCOMPARE(store.fetches.at(1).since, qint64(0));
    QVERIFY(router.isReplaying(&client, kCh));
    router.route(kCh, stored(kCh, 8)); // live meanwhile: held behind the replay
    FetchResult page = history(8, 3, kCh, {3, 4, 5, 6, 7});
    page.epoch = QStringLiteral("e2");
    store.answer(1, page);
    QCOMPARE(client.seqsOf(kCh), (QList<qint64>{3, 4, 5, 6, 7, 8}));
    QVERIFY(!router.isReplaying(&client, kCh));

    // Its own epoch, or none (an old client): `since` as always.
    router.subscribe(&same, kCh, 6, QStringLiteral("s2"), QStringLiteral("e2"));
    router.subscribe(&old, kCh, 6, QStringLiteral("s3"));
    for (int i : {2, 3}) {
        FetchResult after6 = history(8, 3, kCh, {7, 8});
        after6.epoch = QStringLiteral("e2");
        store.answer(i, after6);
    }
    QCOMPARE(store.fetches.size(), 4);
    for (Recorder *rec : {&same, &old}) {
        QCOMPARE(rec->frames.at(0).recovered, true);
        QCOMPARE(rec->frames.at(0).firstSeq, qint64(-1));
        QCOMPARE(rec->frames.at(0).epoch, QStringLiteral("e2"));
        QCOMPARE(rec->seqsOf(kCh), (QList<qint64>{7, 8}));
    }

    // A reset names the new epoch.
    router.reset(kCh, QStringLiteral("e3"));
    QCOMPARE(client.frames.last().type, MessageType::Subscribed);
    QCOMPARE(client.frames.last().seq, qint64(0));
    QCOMPARE(client.frames.last().epoch, QStringLiteral("e3"));
}

namespace {
MemoryChannelStore *filledStore(int historySize, int count)
{
    auto *store = new MemoryChannelStore(historySize, 100);
    for (int i = 1; i <= count; ++i)
        store->append(kCh, i, 0, QString(), [](const AppendResult &) {});
    return store;
}

QList<qint64> seqRange(qint64 from, qint64 to)
{
    QList<qint64> seqs;
    for (qint64 s = from; s <= to; ++s)
        seqs.append(s);
    return seqs;
}
} // namespace

void tst_ChannelRouter::historyBackfillsTheNewestPacedThenLive()
{
    // 250 published, 100 retained (151..250): a backfill of 30 is 221..250, paced by the socket,
    // read in pages, then what came live meanwhile, each seq once and in order.
    std::unique_ptr<MemoryChannelStore> store(filledStore(100, 250));
    ChannelRouter router(0, 10);
    router.setStore(store.get());
    connect(store.get(), &ChannelStore::messageArrived, this,
            [&router](const QString &c, const StoredMessage &m) { router.route(c, m); });
    Recorder sub;
    sub.room = 12;
    router.subscribe(&sub, kCh, -1, QStringLiteral("s"), QString(), 30);
    QCOMPARE(sub.frames.at(0).type, MessageType::Subscribed);
    QCOMPARE(sub.frames.at(0).seq, qint64(250));
    QCOMPARE(sub.frames.at(0).history, qint64(30));
    QVERIFY(!sub.frames.at(0).hasRecovered); // a first subscribe: nothing to recover
    QCOMPARE(sub.frames.at(0).firstSeq, qint64(-1));
    QCOMPARE(sub.seqsOf(kCh), seqRange(221, 232));
    QVERIFY(router.isReplaying(&sub, kCh));
    QVERIFY(router.isWaitingForDrain(&sub));
    store->append(kCh, 251, 0, QString(), [](const AppendResult &) {}); // live, held
    store->append(kCh, 252, 0, QString(), [](const AppendResult &) {});
    QCOMPARE(sub.seqsOf(kCh).size(), 12);
    sub.room = -1;
    router.drained(&sub);
    QCOMPARE(sub.seqsOf(kCh), seqRange(221, 252));
    QVERIFY(!router.isReplaying(&sub, kCh));
    store->append(kCh, 253, 0, QString(), [](const AppendResult &) {});
    QCOMPARE(sub.seqsOf(kCh), seqRange(221, 253));
}

void tst_ChannelRouter::historyLargerThanRetainedOrZero()
{
    std::unique_ptr<MemoryChannelStore> store(filledStore(100, 250));
    ChannelRouter router(0, 16);
    router.setStore(store.get());
    // More than retained: all that is retained (151..250), announced as 100.
    Recorder all;
    router.subscribe(&all, kCh, -1, QStringLiteral("a"), QString(), 5000);
    QCOMPARE(all.frames.at(0).history, qint64(100));
    QCOMPARE(all.seqsOf(kCh), seqRange(151, 250));
    // 0: announced as 0, nothing replayed, live only.
    Recorder none;
    router.subscribe(&none, kCh, -1, QStringLiteral("n"), QString(), 0);
    QCOMPARE(none.frames.size(), 1);
    QCOMPARE(none.frames.at(0).history, qint64(0));
    QCOMPARE(none.frames.at(0).seq, qint64(250));
    // A channel nothing was published to: 0, and its first message is live.
    Recorder empty;
    router.subscribe(&empty, QStringLiteral("fresh"), -1, QStringLiteral("e"), QString(), 10);
    QCOMPARE(empty.frames.size(), 1);
    QCOMPARE(empty.frames.at(0).history, qint64(0));
    QCOMPARE(empty.frames.at(0).seq, qint64(0));
    // Without `history`: no field in the answer, no replay (as before).
    Recorder plain;
    router.subscribe(&plain, kCh, -1, QStringLiteral("p"));
    QCOMPARE(plain.frames.size(), 1);
    QCOMPARE(plain.frames.at(0).history, qint64(-1));
}

void tst_ChannelRouter::historyWithSinceIsIgnored()
{
    std::unique_ptr<MemoryChannelStore> store(filledStore(100, 250));
    ChannelRouter router(0, 16);
    router.setStore(store.get());
    Recorder sub;
    router.subscribe(&sub, kCh, 245, QStringLiteral("s"), QString(), 30);
    QCOMPARE(sub.frames.at(0).history, qint64(-1)); // since's rules apply
    QCOMPARE(sub.frames.at(0).recovered, true);
    QCOMPARE(sub.seqsOf(kCh), seqRange(246, 250));
}

QTEST_GUILESS_MAIN(tst_ChannelRouter)
#include "tst_channelrouter.moc"
