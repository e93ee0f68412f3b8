// Stream identity: every channel's `epoch` changes whenever its sequence starts again, so a client
// resuming with a `since` of the old sequence is served the new one from its start instead of
// having its first messages skipped. A memory hub restarted on the same port; a channel only
// subscribed to keeping the epoch its first message carries; hubs of one Redis reporting the
// same epoch; a Redis whose data went (FLUSHALL, a restart without persistence) coming back under
// a new one on every hub; and a client that sends no epoch served exactly as before.
// The Redis cases run a real redis-server on a free loopback port and are skipped, saying so,
// only where it is not installed.
#include "HubProbe.h"
#include "client/ConnectionManager.h"
#include "hub/ChannelStore.h"
#include "hub/HubServer.h"
#include "support/RedisServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Pulseboard;
using namespace HubTest;

namespace {

HubOptions memoryHub()
{
    HubOptions o;
    o.port = 0;
    o.feedsEnabled = false;
    return o;
}

HubOptions redisHub(const QUrl &redis)
{
    HubOptions o = memoryHub();
    o.redisUrl = redis;
    o.redisReconnectMaxMs = 200;
    return o;
}

// A subscribe as a client of this protocol sends it: `since` and the epoch it counts in.
QString subscribeIn(ProtocolProbe &probe, const QString &channel, qint64 since, const QString &epoch,
                    const QString &id)
{
    Envelope e;
    e.type = MessageType::Subscribe;
    e.id = id;
    e.channel = channel;
    e.since = since;
    e.epoch = epoch;
    probe.send(e);
    return id;
}

// Unsolicited `subscribed` frames (no id): what a hub sends when a channel starts again.
QList<Envelope> resetsOf(const ProtocolProbe &probe, const QString &channel)
{
    QList<Envelope> out;
    for (const Envelope &e : probe.ofType(MessageType::Subscribed)) {
        if (e.id.isEmpty() && e.channel == channel)
            out.append(e);
    }
    return out;
}

QJsonObject channelEntry(ProtocolProbe &probe, const QString &channel, bool *ok)
{
    const Envelope list =
        probe.waitFor(MessageType::Response, probe.request(QStringLiteral("channels.list")), ok);
    for (const QJsonValue &v : list.data.toArray()) {
        if (v.toObject().value(QStringLiteral("name")).toString() == channel)
            return v.toObject();
    }
    return {};
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 s = from; s <= to; ++s)
        out.append(s);
    return out;
}

} // namespace

class tst_HubEpoch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void memoryHubRestartedIsANewEpoch();
    void channelSubscribedBeforeItsFirstMessageKeepsItsEpoch();
    void redisGroupReportsOneEpoch();
    void redisFlushallIsANewEpochOnEveryHub();
    void redisRestartedWithoutPersistenceIsANewEpoch();

private:
    bool m_haveRedis = false;
};

void tst_HubEpoch::initTestCase()
{
    m_haveRedis = RedisServer::isInstalled();
    if (!m_haveRedis)
        qWarning("redis-server is not installed (scripts/deps.sh installs it): the Redis cases are SKIPPED");
}

void tst_HubEpoch::memoryHubRestartedIsANewEpoch()
{
    auto first = std::make_unique<HubServer>(memoryHub());
    QVERIFY(first->start());
    const quint16 port = first->port();

    ConnectionOptions co;
    co.endpoints = {first->url()};
    co.heartbeatIntervalMs = 200;
    co.heartbeatTimeoutMs = 2000;
    co.backoff.initialMs = 20;
    co.backoff.maxMs = 100;
    co.maxRetries = 0;
    ConnectionManager client;
    client.setOptions(co);
    QList<qint64> received;
    connect(&client, &ConnectionManager::messageReceived, this,
            [&](const QString &, qint64 seq, qint64, const QJsonValue &) { received.append(seq); });
    QSignalSpy gaps(&client, &ConnectionManager::gapDetected);
    QSignalSpy subscribed(&client, &ConnectionManager::subscribed);
    client.subscribe(QStringLiteral("c"));
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionManager::Open, 10000);
    for (int i = 1; i <= 5; ++i)
        first->publish(QStringLiteral("c"), i);
    QTRY_COMPARE_WITH_TIMEOUT(received, range(1, 5), 10000);

    bool ok = false;
    QString oldEpoch;
    {
        ProtocolProbe probe;
        QVERIFY(probe.open(first->url()));
        const Envelope s = probe.waitFor(MessageType::Subscribed, probe.subscribe(QStringLiteral("c")), &ok);
        QVERIFY(ok);
        oldEpoch = s.epoch;
        QCOMPARE(oldEpoch.size(), 16);
        QCOMPARE(channelEntry(probe, QStringLiteral("c"), &ok).value(QStringLiteral("epoch")).toString(),
                 oldEpoch);
        QVERIFY(ok);
    }

    // The hub goes and another starts on its port with nothing of the old history; before the
    // client is back it is already past the client's seq 5 (8 messages): resuming "after 5"
    // would skip 1..5 of the new stream.
    first.reset();
    HubOptions again = memoryHub();
    again.port = port;
    HubServer second(again);
    QVERIFY(second.start());
    for (int i = 1; i <= 8; ++i)
        second.publish(QStringLiteral("c"), 100 + i);
    QTRY_COMPARE_WITH_TIMEOUT(received, range(1, 5) + range(1, 8), 15000);
    QCOMPARE(client.state(), ConnectionManager::Open);
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(0).toString(), QStringLiteral("c"));
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 6);
    QCOMPARE(gaps.at(0).at(2).toLongLong(), -1);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("epoch"));
    QVERIFY(subscribed.size() >= 2);
    QCOMPARE(subscribed.last().at(2).toBool(), false);
    // Live messages go on in the new stream.
    second.publish(QStringLiteral("c"), 109);
    QTRY_COMPARE_WITH_TIMEOUT(received, range(1, 5) + range(1, 9), 10000);
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(client.stats().duplicates, 0u);

    // On the wire: the old epoch with `since` 5 is answered recovered:false, the new epoch and
    // `first`, and the whole retained stream.
    ProtocolProbe resumer;
    QVERIFY(resumer.open(second.url()));
    const Envelope s =
        resumer.waitFor(MessageType::Subscribed,
                        subscribeIn(resumer, QStringLiteral("c"), 5, oldEpoch, QStringLiteral("r1")), &ok);
    QVERIFY(ok);
    QCOMPARE(s.seq, qint64(9));
    QVERIFY(s.hasRecovered);
    QCOMPARE(s.recovered, false);
    QCOMPARE(s.firstSeq, qint64(1));
    QCOMPARE(s.epoch.size(), 16);
    QVERIFY(s.epoch != oldEpoch);
    QTRY_COMPARE(resumer.seqsOf(QStringLiteral("c")), range(1, 9));
    const QString newEpoch = s.epoch;

    // In the epoch it names, `since` resumes as always.
    ProtocolProbe current;
    QVERIFY(current.open(second.url()));
    const Envelope same =
        current.waitFor(MessageType::Subscribed,
                        subscribeIn(current, QStringLiteral("c"), 6, newEpoch, QStringLiteral("r2")), &ok);
    QVERIFY(ok);
    QCOMPARE(same.recovered, true);
    QCOMPARE(same.firstSeq, qint64(-1));
    QCOMPARE(same.epoch, newEpoch);
    QTRY_COMPARE(current.seqsOf(QStringLiteral("c")), range(7, 9));

    // A client that sends no epoch is served as before this field existed (it gets the epoch
    // named, and may ignore it).
    ProtocolProbe old;
    QVERIFY(old.open(second.url()));
    const Envelope plain = old.waitFor(MessageType::Subscribed, old.subscribe(QStringLiteral("c"), 5), &ok);
    QVERIFY(ok);
    QCOMPARE(plain.recovered, true);
    QCOMPARE(plain.epoch, newEpoch);
    QTRY_COMPARE(old.seqsOf(QStringLiteral("c")), range(6, 9));
    old.waitFor(MessageType::Pong, old.ping(1), &ok);
    QVERIFY(ok);
    QCOMPARE(old.seqsOf(QStringLiteral("c")), range(6, 9));
    client.close();
}

void tst_HubEpoch::channelSubscribedBeforeItsFirstMessageKeepsItsEpoch()
{
    HubServer hub(memoryHub());
    QVERIFY(hub.start());
    ProtocolProbe early;
    QVERIFY(early.open(hub.url()));
    bool ok = false;
    const Envelope s = early.waitFor(MessageType::Subscribed, early.subscribe(QStringLiteral("new")), &ok);
    QVERIFY(ok);
    QCOMPARE(s.seq, qint64(0));
    QCOMPARE(s.epoch.size(), 16);
    // Asked again before anything is published: the same epoch, not a new one each time.
    ProtocolProbe other;
    QVERIFY(other.open(hub.url()));
    QCOMPARE(other.waitFor(MessageType::Subscribed, other.subscribe(QStringLiteral("new")), &ok).epoch,
             s.epoch);
    QVERIFY(ok);

    for (int i = 1; i <= 3; ++i)
        hub.publish(QStringLiteral("new"), i);
    QTRY_COMPARE(early.seqsOf(QStringLiteral("new")), range(1, 3));
    // The first messages were of the epoch the subscriber was told: its `since` holds.
    ProtocolProbe resumer;
    QVERIFY(resumer.open(hub.url()));
    const Envelope r =
        resumer.waitFor(MessageType::Subscribed,
                        subscribeIn(resumer, QStringLiteral("new"), 2, s.epoch, QStringLiteral("r1")), &ok);
    QVERIFY(ok);
    QCOMPARE(r.recovered, true);
    QCOMPARE(r.epoch, s.epoch);
    QTRY_COMPARE(resumer.seqsOf(QStringLiteral("new")), QList<qint64>{3});
    QCOMPARE(channelEntry(resumer, QStringLiteral("new"), &ok).value(QStringLiteral("epoch")).toString(),
             s.epoch);
    QVERIFY(ok);
    // Another channel has its own.
    const Envelope elsewhere =
        resumer.waitFor(MessageType::Subscribed, resumer.subscribe(QStringLiteral("elsewhere")), &ok);
    QVERIFY(ok);
    QVERIFY(!elsewhere.epoch.isEmpty());
    QVERIFY(elsewhere.epoch != s.epoch);
}

void tst_HubEpoch::redisGroupReportsOneEpoch()
{
    if (!m_haveRedis)
        QSKIP("redis-server not installed: epochs over Redis untested here");
    RedisServer redis;
    QVERIFY(redis.start());
    HubServer a(redisHub(redis.url())), b(redisHub(redis.url()));
    QVERIFY(a.start());
    QVERIFY(b.start());
    QTRY_VERIFY_WITH_TIMEOUT(a.store()->isAvailable() && b.store()->isAvailable(), 10000);

    ProtocolProbe onA, onB;
    QVERIFY(onA.open(a.url()));
    QVERIFY(onB.open(b.url()));
    bool ok = false;
    // Subscribed on both before the first message: one epoch, the one the messages then carry.
    const Envelope sa = onA.waitFor(MessageType::Subscribed, onA.subscribe(QStringLiteral("room")), &ok);
    QVERIFY(ok);
    const Envelope sb = onB.waitFor(MessageType::Subscribed, onB.subscribe(QStringLiteral("room")), &ok);
    QVERIFY(ok);
    QCOMPARE(sa.epoch.size(), 16);
    QCOMPARE(sb.epoch, sa.epoch);
    for (int i = 1; i <= 4; ++i) {
        const QString id = onA.publish(QStringLiteral("room"), i);
        QCOMPARE(onA.waitFor(MessageType::Ack, id, &ok).seq, qint64(i));
        QVERIFY(ok);
    }
    QTRY_COMPARE(onB.seqsOf(QStringLiteral("room")), range(1, 4));

    // A client of A resuming on B in that epoch: resumed, nothing sent twice.
    ProtocolProbe moved;
    QVERIFY(moved.open(b.url()));
    const Envelope m =
        moved.waitFor(MessageType::Subscribed,
                      subscribeIn(moved, QStringLiteral("room"), 2, sa.epoch, QStringLiteral("m1")), &ok);
    QVERIFY(ok);
    QCOMPARE(m.recovered, true);
    QCOMPARE(m.epoch, sa.epoch);
    QTRY_COMPARE(moved.seqsOf(QStringLiteral("room")), range(3, 4));
    // Without an epoch, as before.
    ProtocolProbe old;
    QVERIFY(old.open(a.url()));
    const Envelope o = old.waitFor(MessageType::Subscribed, old.subscribe(QStringLiteral("room"), 3), &ok);
    QVERIFY(ok);
    QCOMPARE(o.recovered, true);
    QTRY_COMPARE(old.seqsOf(QStringLiteral("room")), QList<qint64>{4});
    // An epoch that is not the channel's: the stream from its start.
    ProtocolProbe stranger;
    QVERIFY(stranger.open(a.url()));
    const Envelope st =
        stranger.waitFor(MessageType::Subscribed,
                         subscribeIn(stranger, QStringLiteral("room"), 3, QStringLiteral("0123456789abcdef"),
                                     QStringLiteral("x1")),
                         &ok);
    QVERIFY(ok);
    QCOMPARE(st.recovered, false);
    QCOMPARE(st.firstSeq, qint64(1));
    QCOMPARE(st.epoch, sa.epoch);
    QTRY_COMPARE(stranger.seqsOf(QStringLiteral("room")), range(1, 4));

    // channels.list names the same epoch on both hubs.
    QCOMPARE(channelEntry(onA, QStringLiteral("room"), &ok).value(QStringLiteral("epoch")).toString(),
             sa.epoch);
    QVERIFY(ok);
    QCOMPARE(channelEntry(onB, QStringLiteral("room"), &ok).value(QStringLiteral("epoch")).toString(),
             sa.epoch);
    QVERIFY(ok);
}

void tst_HubEpoch::redisFlushallIsANewEpochOnEveryHub()
{
    if (!m_haveRedis)
        QSKIP("redis-server not installed: epochs over Redis untested here");
    RedisServer redis;
    QVERIFY(redis.start());
    HubServer a(redisHub(redis.url())), b(redisHub(redis.url()));
    QVERIFY(a.start());
    QVERIFY(b.start());
    QTRY_VERIFY_WITH_TIMEOUT(a.store()->isAvailable() && b.store()->isAvailable(), 10000);

    ProtocolProbe onA, onB, pub;
    QVERIFY(onA.open(a.url()));
    QVERIFY(onB.open(b.url()));
    QVERIFY(pub.open(a.url()));
    bool ok = false;
    const QString oldEpoch =
        onA.waitFor(MessageType::Subscribed, onA.subscribe(QStringLiteral("r")), &ok).epoch;
    QVERIFY(ok);
    onB.waitFor(MessageType::Subscribed, onB.subscribe(QStringLiteral("r")), &ok);
    QVERIFY(ok);
    for (int i = 1; i <= 3; ++i) {
        pub.waitFor(MessageType::Ack, pub.publish(QStringLiteral("r"), i), &ok);
        QVERIFY(ok);
    }
    QTRY_COMPARE(onA.seqsOf(QStringLiteral("r")), range(1, 3));
    QTRY_COMPARE(onB.seqsOf(QStringLiteral("r")), range(1, 3));

    // A client of B through the whole thing.
    ConnectionOptions co;
    co.endpoints = {b.url()};
    co.heartbeatIntervalMs = 200;
    co.heartbeatTimeoutMs = 2000;
    co.backoff.initialMs = 20;
    co.backoff.maxMs = 100;
    ConnectionManager client;
    client.setOptions(co);
    QList<qint64> received;
    connect(&client, &ConnectionManager::messageReceived, this,
            [&](const QString &, qint64 seq, qint64, const QJsonValue &) { received.append(seq); });
    QSignalSpy gaps(&client, &ConnectionManager::gapDetected);
    client.subscribe(QStringLiteral("r"));
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionManager::Open, 10000);

    // Everything in Redis goes while the hubs stay connected to it; the next publish is seq 1
    // of a new stream, which each hub tells its subscribers before sending it.
    QVERIFY(redis.command("FLUSHALL").startsWith("+OK"));
    const Envelope ack = pub.waitFor(MessageType::Ack, pub.publish(QStringLiteral("r"), 100), &ok);
    QVERIFY(ok);
    QCOMPARE(ack.seq, qint64(1));
    QTRY_COMPARE_WITH_TIMEOUT(onA.seqsOf(QStringLiteral("r")), (QList<qint64>{1, 2, 3, 1}), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(onB.seqsOf(QStringLiteral("r")), (QList<qint64>{1, 2, 3, 1}), 10000);
    QCOMPARE(resetsOf(onA, QStringLiteral("r")).size(), 1);
    QCOMPARE(resetsOf(onB, QStringLiteral("r")).size(), 1);
    const Envelope resetA = resetsOf(onA, QStringLiteral("r")).at(0);
    const Envelope resetB = resetsOf(onB, QStringLiteral("r")).at(0);
    QCOMPARE(resetA.seq, qint64(0));
    QCOMPARE(resetA.recovered, false);
    QCOMPARE(resetA.epoch.size(), 16);
    QVERIFY(resetA.epoch != oldEpoch);
    QCOMPARE(resetB.epoch, resetA.epoch);
    QTRY_COMPARE_WITH_TIMEOUT(received, (QList<qint64>{1}), 10000);
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(3).toString(), QStringLiteral("epoch"));
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 4); // it held seq 3 of the old stream

    // A subscriber coming back with the old epoch is given the new stream from its start.
    pub.waitFor(MessageType::Ack, pub.publish(QStringLiteral("r"), 101), &ok);
    QVERIFY(ok);
    ProtocolProbe back;
    QVERIFY(back.open(b.url()));
    const Envelope s =
        back.waitFor(MessageType::Subscribed,
                     subscribeIn(back, QStringLiteral("r"), 3, oldEpoch, QStringLiteral("b1")), &ok);
    QVERIFY(ok);
    QCOMPARE(s.recovered, false);
    QCOMPARE(s.epoch, resetA.epoch);
    QCOMPARE(s.firstSeq, qint64(1));
    QTRY_COMPARE(back.seqsOf(QStringLiteral("r")), range(1, 2));
    QTRY_COMPARE_WITH_TIMEOUT(received, range(1, 2), 10000);
    QCOMPARE(gaps.size(), 1);
    client.close();
}

void tst_HubEpoch::redisRestartedWithoutPersistenceIsANewEpoch()
{
    if (!m_haveRedis)
        QSKIP("redis-server not installed: epochs over Redis untested here");
    RedisServer redis;
    QVERIFY(redis.start());
    HubServer a(redisHub(redis.url())), b(redisHub(redis.url()));
    QVERIFY(a.start());
    QVERIFY(b.start());
    QTRY_VERIFY_WITH_TIMEOUT(a.store()->isAvailable() && b.store()->isAvailable(), 10000);

    ProtocolProbe onA, onB;
    QVERIFY(onA.open(a.url()));
    QVERIFY(onB.open(b.url()));
    bool ok = false;
    const QString oldEpoch =
        onA.waitFor(MessageType::Subscribed, onA.subscribe(QStringLiteral("r")), &ok).epoch;
    QVERIFY(ok);
    onB.waitFor(MessageType::Subscribed, onB.subscribe(QStringLiteral("r")), &ok);
    QVERIFY(ok);
    for (int i = 1; i <= 3; ++i) {
        onA.waitFor(MessageType::Ack, onA.publish(QStringLiteral("r"), i), &ok);
        QVERIFY(ok);
    }
    QTRY_COMPARE(onB.seqsOf(QStringLiteral("r")), range(1, 3));

    const quint16 port = redis.port();
    redis.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!a.store()->isAvailable() && !b.store()->isAvailable(), 10000);
    QVERIFY(redis.start(port));
    QTRY_VERIFY_WITH_TIMEOUT(a.store()->isAvailable() && b.store()->isAvailable(), 10000);
    // Each hub reads back what it missed, finds the sequence gone and says so: both under one
    // new epoch, kept by the new stream's first messages.
    QTRY_COMPARE_WITH_TIMEOUT(resetsOf(onA, QStringLiteral("r")).size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(resetsOf(onB, QStringLiteral("r")).size(), 1, 10000);
    const QString newEpoch = resetsOf(onA, QStringLiteral("r")).at(0).epoch;
    QCOMPARE(newEpoch.size(), 16);
    QVERIFY(newEpoch != oldEpoch);
    QCOMPARE(resetsOf(onB, QStringLiteral("r")).at(0).epoch, newEpoch);
    for (int i = 1; i <= 5; ++i) {
        onB.waitFor(MessageType::Ack, onB.publish(QStringLiteral("r"), 10 + i), &ok);
        QVERIFY(ok);
    }
    QTRY_COMPARE_WITH_TIMEOUT(onA.seqsOf(QStringLiteral("r")), range(1, 3) + range(1, 5), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(onB.seqsOf(QStringLiteral("r")), range(1, 3) + range(1, 5), 10000);

    // Past the old seq 3 now: a resume "after 3" in the old epoch gets all five.
    ProtocolProbe back;
    QVERIFY(back.open(a.url()));
    const Envelope s =
        back.waitFor(MessageType::Subscribed,
                     subscribeIn(back, QStringLiteral("r"), 3, oldEpoch, QStringLiteral("b1")), &ok);
    QVERIFY(ok);
    QCOMPARE(s.recovered, false);
    QCOMPARE(s.firstSeq, qint64(1));
    QCOMPARE(s.epoch, newEpoch);
    QTRY_COMPARE(back.seqsOf(QStringLiteral("r")), range(1, 5));
    QCOMPARE(channelEntry(back, QStringLiteral("r"), &ok).value(QStringLiteral("epoch")).toString(),
             newEpoch);
    QVERIFY(ok);
}

QTEST_GUILESS_MAIN(tst_HubEpoch)
#include "tst_hubepoch.moc"
