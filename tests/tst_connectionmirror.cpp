// The connection on a thread of its own (docs/ARCHITECTURE.md "Threads"): a ConnectionManager
// moved to a network thread, the GUI side reading it through a ConnectionMirror and taking its
// messages from a MessageIngest. Asserts what a user of the mirror relies on: events arrive on
// the GUI thread with the state as of the event, commands return at once (ids, subscriptions),
// refusals come by the id handed out, a switch answers what the old server's queue held, and
// messages are stored on the network thread and taken per tick. Also runs under ThreadSanitizer
// (scripts/test.sh --tsan).
#include "client/ConnectionManager.h"
#include "dashboard/charts/SeriesStore.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/shell/MessageIngest.h"
#include "support/TestServer.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

namespace {

// A manager on a running network thread, and its mirror here. Torn down as the dashboard does:
// the manager deleted on its thread, then the thread stopped, then the mirror.
struct Threaded
{
    QThread thread;
    ConnectionManager *manager = new ConnectionManager;
    std::unique_ptr<ConnectionMirror> mirror;

    explicit Threaded(const ConnectionOptions &options)
    {
        manager->setOptions(options);
        manager->moveToThread(&thread);
        thread.start();
        mirror = std::make_unique<ConnectionMirror>(manager);
    }
    ~Threaded()
    {
        mirror->runOnManagerThread([](ConnectionManager *m) { delete m; });
        thread.quit();
        thread.wait();
    }
};

ConnectionOptions optionsFor(const QUrl &url)
{
    ConnectionOptions o;
    o.endpoints = {url};
    o.heartbeatIntervalMs = 50;
    o.heartbeatTimeoutMs = 2000;
    o.backoff.initialMs = 20;
    o.backoff.maxMs = 50;
    return o;
}

// Records where deliver() ran, then hands the message on.
class ThreadCheckingSink : public MessageSink
{
public:
    explicit ThreadCheckingSink(MessageSink *next) : m_next(next) {}
    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override
    {
        thread = QThread::currentThread();
        m_next->deliver(channel, seq, ts, data);
    }
    std::atomic<QThread *> thread{nullptr};

private:
    MessageSink *m_next;
};

} // namespace

class tst_ConnectionMirror : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void openIsReadOnlyOnceConnectedWasSaid()
    {
        // The network thread waits between setState(Open) and connected() until this thread has
        // looked a few times: what it reads then must not be Open yet, or a reader that waits for
        // Open (the switcher records a server on connected) would act before being told.
        Test::TestServer server;
        QVERIFY(server.listen());
        Threaded t(optionsFor(server.url()));
        ConnectionMirror &m = *t.mirror;
        std::atomic<bool> paused{false};
        std::atomic<int> looksWhilePaused{0};
        connect(
            t.manager, &ConnectionManager::stateChanged, t.manager,
            [&](ConnectionManager::State s) {
                if (s != ConnectionManager::Open)
                    return;
                paused = true;
                for (int waited = 0; looksWhilePaused < 3 && waited < 5000; ++waited)
                    QThread::msleep(1);
                paused = false;
            },
            Qt::DirectConnection);
        QSignalSpy connected(&m, &ConnectionMirror::connected);
        int openBeforeConnected = 0;
        QTimer sampler;
        sampler.setInterval(1);
        connect(&sampler, &QTimer::timeout, this, [&] {
            const bool during = paused;
            if (m.state() == ConnectionManager::Open && connected.isEmpty())
                ++openBeforeConnected;
            if (during)
                ++looksWhilePaused;
        });
        sampler.start();
        m.open();
        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 10000);
        QCOMPARE(m.state(), ConnectionManager::Open);
        QVERIFY2(looksWhilePaused >= 3, qPrintable(QString::number(looksWhilePaused)));
        QCOMPARE(openBeforeConnected, 0);
    }

    void eventsArriveHereWithTheirState()
    {
        Test::TestServer server;
        QVERIFY(server.listen());
        Threaded t(optionsFor(server.url()));
        ConnectionMirror &m = *t.mirror;
        QVERIFY(m.isThreaded());
        QCOMPARE(m.url(), server.url());
        QCOMPARE(m.state(), ConnectionManager::Idle);

        QThread *here = QThread::currentThread();
        QList<ConnectionManager::State> states;
        QList<bool> onThisThread;
        // A handler reads the mirror as of its event: the state it is told is the state it reads.
        QList<bool> consistent;
        connect(&m, &ConnectionMirror::stateChanged, this, [&](ConnectionManager::State s) {
            states.append(s);
            onThisThread.append(QThread::currentThread() == here);
            consistent.append(m.state() == s);
        });
        QSignalSpy connected(&m, &ConnectionMirror::connected);
        m.open();
        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(m.state(), ConnectionManager::Open, 5000);
        QCOMPARE(states.last(), ConnectionManager::Open);
        QVERIFY(states.contains(ConnectionManager::Connecting));
        QVERIFY(!onThisThread.contains(false));
        QVERIFY(!consistent.contains(false));
        QVERIFY(m.openSinceMs() > 0);

        // Subscribing shows at once; the server's answer follows as an event.
        QSignalSpy subscribed(&m, &ConnectionMirror::subscribed);
        QVERIFY(m.subscribe(u"orders"_s));
        QCOMPARE(m.subscriptions(), QStringList{u"orders"_s});
        QVERIFY(!m.subscribe(u"orders"_s)); // nothing changes
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 1, 5000);
        QCOMPARE(subscribed.at(0).at(0).toString(), u"orders"_s);
        QCOMPARE(m.subscriptions(), QStringList{u"orders"_s});

        // A publish has its id before the network thread has even run it; the ack names it.
        QSignalSpy acked(&m, &ConnectionMirror::acked);
        const QString id = m.publish(u"orders"_s, QJsonObject{{u"n"_s, 1}});
        QVERIFY(id.startsWith(u"p-"_s));
        QVERIFY2(id.contains(u"-u"_s), qPrintable(id));
        QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 5000);
        QCOMPARE(acked.at(0).at(0).toString(), id);
        QCOMPARE(m.queuedCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(m.stats().acked >= 1, 5000); // counters refresh by themselves

        QVERIFY(m.unsubscribe(u"orders"_s));
        QCOMPARE(m.subscriptions(), QStringList());
        QTRY_VERIFY_WITH_TIMEOUT(!t.manager->subscriptions().contains(u"orders"_s), 5000);
    }

    void refusalsComeByTheIdHandedOut()
    {
        Test::TestServer server;
        QVERIFY(server.listen());
        ConnectionOptions options = optionsFor(server.url());
        options.queue.maxCount = 1; // not opened: the first waits, the second does not fit
        Threaded t(options);
        ConnectionMirror &m = *t.mirror;
        QSignalSpy failed(&m, &ConnectionMirror::publishFailed);
        const QString first = m.publish(u"orders"_s, 1);
        const QString second = m.publish(u"orders"_s, 2);
        QVERIFY(!first.isEmpty());
        QVERIFY(!second.isEmpty());
        QVERIFY(first != second);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(failed.at(0).at(0).toString(), second);
        QVERIFY2(!failed.at(0).at(2).toString().isEmpty(), "a refusal says why");
        QTRY_COMPARE_WITH_TIMEOUT(m.queuedCount(), 1, 5000);
        QCOMPARE(m.outbox().entries().at(0).id, first);

        // A name the protocol refuses: false at once, and the manager's own words follow.
        QSignalSpy errors(&m, &ConnectionMirror::errorOccurred);
        QVERIFY(!m.subscribe(u"bad name"_s));
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 5000);
        QVERIFY(errors.at(0).at(1).toString().contains(u"invalid channel name"_s));
        QCOMPARE(m.subscriptions(), QStringList());
    }

    void switchAnswersWhatTheOldQueueHeld()
    {
        Test::TestServer a;
        Test::TestServer b;
        QVERIFY(a.listen());
        QVERIFY(b.listen());
        Threaded t(optionsFor(a.url()));
        ConnectionMirror &m = *t.mirror;
        m.open();
        QTRY_COMPARE_WITH_TIMEOUT(m.state(), ConnectionManager::Open, 5000);
        a.ackPublishes = false; // in flight, never confirmed: they stay with A
        m.publish(u"orders"_s, 1);
        m.publish(u"orders"_s, 2);
        QTRY_COMPARE_WITH_TIMEOUT(m.queuedCount(), 2, 5000);
        QSignalSpy disconnected(&m, &ConnectionMirror::disconnected);

        bool kept = true;
        const QList<Outbox::Entry> held = m.switchServer(optionsFor(b.url()), &kept);
        QVERIFY(!kept); // no journal
        QCOMPARE(held.size(), 2);
        // The switch is over when it returns: the old session's goodbye was delivered here, and
        // the mirror reads the new server.
        QCOMPARE(disconnected.size(), 1);
        QCOMPARE(disconnected.at(0).at(0).toInt(), 1000);
        QCOMPARE(m.url(), b.url());
        QCOMPARE(m.queuedCount(), 0);
        m.open();
        QTRY_COMPARE_WITH_TIMEOUT(m.state(), ConnectionManager::Open, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(b.connectionCount(), 1, 5000);
    }

    void messagesAreStoredOnTheNetworkThreadAndTakenHere()
    {
        Test::TestServer server;
        QVERIFY(server.listen());
        Threaded t(optionsFor(server.url()));
        ConnectionMirror &m = *t.mirror;
        SeriesStore store;
        QSignalSpy fields(&store, &SeriesStore::fieldsChanged);
        std::atomic<int> wakes{0};
        MessageIngest ingest(&store, [&wakes] { ++wakes; });
        ingest.setMaxRawFrames(10);
        ThreadCheckingSink sink(&ingest);
        m.addMessageSink(&sink);
        QSignalSpy subscribedSpy(&m, &ConnectionMirror::subscribed);
        QVERIFY(m.subscribe(u"wave"_s));
        m.open();
        QTRY_COMPARE_WITH_TIMEOUT(subscribedSpy.size(), 1, 5000);

        constexpr int kCount = 200;
        for (int i = 0; i < kCount; ++i)
            server.publish(u"wave"_s, QJsonObject{{u"v"_s, i}});
        QTRY_COMPARE_WITH_TIMEOUT(store.latest(u"wave"_s, u"data.v"_s).toInt(), kCount - 1, 5000);
        QVERIFY(sink.thread != nullptr);
        QVERIFY(sink.thread == &t.thread);
        // The new field is announced on this thread (a queued call), once.
        QTRY_COMPARE_WITH_TIMEOUT(fields.size(), 1, 5000);
        QCOMPARE(fields.at(0).at(0).toString(), u"wave"_s);

        // Taken whole: every message counted once, the newest value and the newest raw frames.
        quint64 total = 0;
        int counted = 0;
        quint64 rawKept = 0;
        quint64 rawDropped = 0;
        qint64 lastSeq = -1;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const MessageIngest::Batch batch = ingest.take();
                total += batch.messages;
                counted += batch.channels.value(u"wave"_s).count;
                rawKept += quint64(batch.raw.size());
                rawDropped += batch.rawDropped;
                if (!batch.raw.isEmpty())
                    lastSeq = batch.raw.constLast().seq;
                return total == kCount;
            }(),
            5000);
        QCOMPARE(counted, kCount);
        QCOMPARE(rawKept + rawDropped, quint64(kCount));
        QVERIFY(rawKept <= quint64(10 * (wakes.load() + 1)));
        QCOMPARE(lastSeq, qint64(kCount)); // the server counts from 1
        QVERIFY(wakes.load() >= 1);
        QVERIFY(ingest.take().isEmpty());

        m.removeMessageSink(&sink); // waits: no deliver() runs once it returns
        server.publish(u"wave"_s, QJsonObject{{u"v"_s, -1}});
        QTest::qWait(100);
        QCOMPARE(store.latest(u"wave"_s, u"data.v"_s).toInt(), kCount - 1);
    }
};

QTEST_MAIN(tst_ConnectionMirror)
#include "tst_connectionmirror.moc"
