// ReplayController (pulseboard --replay's timeline) against a real hub and a real subscriber: a
// small recording made here (two channels, an outage and a gap on its timeline), served by the
// controller's HubReplay on an in-process HubServer, read by a ProtocolProbe. Pause publishes
// nothing and holds the position, play goes on without a message lost or repeated, a seek goes
// straight to its position either way (a backward one says the last seq published before it),
// the speed changes the pace and keeps the position, nextGap walks the outages and gaps, and the
// end is an end: play() starts again from the beginning.
#include "HubProbe.h"
#include "dashboard/servers/ReplayController.h"
#include "history/HistoryStore.h"
#include "hub/HubOptions.h"
#include "hub/HubServer.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using namespace HubTest;

namespace {

constexpr qint64 kStartedMs = 1700000000000;
constexpr int kA = 50;         // rep.a: n = 0..49, every 20 ms (0..980 ms)
constexpr int kB = 10;         // rep.b: n = 0..9, every 100 ms from 5 ms
constexpr int kOutageAt = 300; // ms into the recording, 150 ms long
constexpr int kGapAt = 700;

bool writeRecording(const QString &path)
{
    HistoryStore store(HistoryOptions::forRecording(path));
    if (!store.open())
        return false;
    store.setRecordingInfo(QStringLiteral("started"), QString::number(kStartedMs));
    store.setRecordingInfo(QStringLiteral("durationUs"), QStringLiteral("1000000"));
    struct Row
    {
        qint64 offsetUs;
        QString channel;
        int n;
    };
    QList<Row> rows;
    for (int i = 0; i < kA; ++i)
        rows.append({qint64(i) * 20000, QStringLiteral("rep.a"), i});
    for (int i = 0; i < kB; ++i)
        rows.append({qint64(i) * 100000 + 5000, QStringLiteral("rep.b"), i});
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row &a, const Row &b) { return a.offsetUs < b.offsetUs; });
    qint64 seq = 0;
    for (const Row &r : rows) {
        HistoryFrame f;
        f.offsetUs = r.offsetUs;
        f.arrivalMs = kStartedMs + r.offsetUs / 1000;
        f.serverTs = f.arrivalMs;
        f.seq = ++seq;
        f.source = QStringLiteral("ws://127.0.0.1:1");
        f.channel = r.channel;
        f.data = "{\"n\":" + QByteArray::number(r.n) + "}";
        if (!store.appendFrame(f))
            return false;
    }
    HistoryEvent outage;
    outage.kind = HistoryEvent::Kind::Outage;
    outage.fromMs = kStartedMs + kOutageAt;
    outage.toMs = kStartedMs + kOutageAt + 150;
    outage.source = QStringLiteral("ws://127.0.0.1:1");
    outage.detail = QStringLiteral("connection lost");
    HistoryEvent gap;
    gap.kind = HistoryEvent::Kind::Gap;
    gap.fromMs = gap.toMs = kStartedMs + kGapAt;
    gap.source = QStringLiteral("rep.a");
    gap.detail = QStringLiteral("seq 36 to 40");
    if (!store.appendEvent(outage) || !store.appendEvent(gap))
        return false;
    store.flush();
    store.close();
    return true;
}

} // namespace

class tst_ReplayController : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<const ReplayRecording> m_recording;
    std::unique_ptr<HubServer> m_hub;
    std::unique_ptr<ProtocolProbe> m_probe;
    std::unique_ptr<ReplayController> m_replay;

    // rep.a's (or rep.b's) `n` as received, in order.
    QList<int> received(const QString &channel = QStringLiteral("rep.a")) const
    {
        QList<int> ns;
        for (const Envelope &e : m_probe->ofType(MessageType::Message))
            if (e.channel == channel)
                ns.append(e.data.toObject().value(QLatin1StringView("n")).toInt());
        return ns;
    }
    QList<qint64> seqs(const QString &channel = QStringLiteral("rep.a")) const
    {
        return m_probe->seqsOf(channel);
    }
    // Waits until nothing more arrives for `quietMs`; how many messages there are then.
    qsizetype settle(int quietMs = 100)
    {
        qsizetype n = -1;
        while (n != m_probe->frames.size()) {
            n = m_probe->frames.size();
            QTest::qWait(quietMs);
        }
        return n;
    }
    // The replay served, the probe subscribed to both channels (which starts it) at `speed`.
    bool begin(double speed = 1)
    {
        m_hub = startHub(quietHubOptions());
        if (!m_hub)
            return false;
        m_replay = std::make_unique<ReplayController>(m_recording);
        m_replay->start(m_hub.get(), speed);
        m_probe = std::make_unique<ProtocolProbe>();
        if (!m_probe->open(m_hub->url()))
            return false;
        bool ok = false;
        m_probe->waitFor(MessageType::Subscribed, m_probe->subscribe(QStringLiteral("rep.a")), &ok);
        if (!ok)
            return false;
        m_probe->waitFor(MessageType::Subscribed, m_probe->subscribe(QStringLiteral("rep.b")), &ok);
        return ok;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString file = m_dir.filePath(QStringLiteral("rec.sqlite"));
        QVERIFY(writeRecording(file));
        QString error;
        m_recording = ReplayRecording::load(file, &error);
        QVERIFY2(m_recording, qPrintable(error));
    }
    void cleanup()
    {
        m_probe.reset();
        m_replay.reset();
        m_hub.reset();
    }

    void readsTheRecording()
    {
        ReplayController replay(m_recording);
        QCOMPARE(replay.channels(), (QStringList{QStringLiteral("rep.a"), QStringLiteral("rep.b")}));
        QCOMPARE(replay.durationMs(), 1000.0);
        QCOMPARE(replay.startedMs(), double(kStartedMs));
        QCOMPARE(replay.fileName(), QStringLiteral("rec.sqlite"));
        const QVariantList gaps = replay.gaps();
        QCOMPARE(gaps.size(), 2);
        QCOMPARE(gaps.at(0).toMap().value(QStringLiteral("kind")).toString(), QStringLiteral("outage"));
        QCOMPARE(gaps.at(0).toMap().value(QStringLiteral("positionMs")).toDouble(), double(kOutageAt));
        QCOMPARE(gaps.at(0).toMap().value(QStringLiteral("durationMs")).toDouble(), 150.0);
        QCOMPARE(gaps.at(1).toMap().value(QStringLiteral("kind")).toString(), QStringLiteral("gap"));
        QCOMPARE(gaps.at(1).toMap().value(QStringLiteral("positionMs")).toDouble(), double(kGapAt));
        QCOMPARE(replay.wallTimeAt(0),
                 QDateTime::fromMSecsSinceEpoch(kStartedMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    }

    void pauseHoldsAndPlayGoesOn()
    {
        QVERIFY(begin());
        QTRY_VERIFY_WITH_TIMEOUT(received().size() >= 8, 5000);
        QVERIFY(m_replay->playing());
        m_replay->pause();
        QVERIFY(!m_replay->playing());
        QCOMPARE(m_replay->headline(), QStringLiteral("REPLAY \u00b7 PAUSED"));
        const double at = m_replay->positionMs();
        settle();
        const QList<int> before = received();
        // Every message recorded up to the position is out, none after it.
        QVERIFY(!before.isEmpty());
        QVERIFY2(before.last() * 20 <= at && at < (before.last() + 1) * 20 + 100,
                 qPrintable(QStringLiteral("paused at %1 ms after n=%2").arg(at).arg(before.last())));
        // Paused: nothing is published, the position stays.
        QTest::qWait(300);
        QCOMPARE(received(), before);
        QCOMPARE(m_replay->positionMs(), at);
        m_replay->play();
        QVERIFY(m_replay->playing());
        QCOMPARE(m_replay->headline(), QStringLiteral("REPLAY"));
        QTRY_VERIFY_WITH_TIMEOUT(received().size() >= before.size() + 5, 5000);
        // Going on from there: not one message lost or repeated, in order, seq after seq.
        const QList<int> after = received();
        for (int i = 0; i < after.size(); ++i)
            QCOMPARE(after.at(i), i);
        const QList<qint64> s = seqs();
        for (int i = 1; i < s.size(); ++i)
            QCOMPARE(s.at(i), s.at(i - 1) + 1);
    }

    void seekGoesStraightThereEitherWay()
    {
        QVERIFY(begin());
        QTRY_VERIFY_WITH_TIMEOUT(received().size() >= 3, 5000);
        m_replay->pause();
        settle();
        const qsizetype first = received().size();
        // Forward, paused: there, still paused, nothing published until play.
        m_replay->seek(600);
        QCOMPARE(m_replay->positionMs(), 600.0);
        QVERIFY(!m_replay->playing());
        settle();
        QCOMPARE(received().size(), first);
        m_replay->play();
        QTRY_VERIFY_WITH_TIMEOUT(received().size() >= first + 3, 5000);
        // The first published is the first recorded at or after 600 ms: n=30 (rep.b's n=6 at 605).
        QCOMPARE(received().at(first), 30);
        QVERIFY(received(QStringLiteral("rep.b")).contains(6));
        QVERIFY(!received(QStringLiteral("rep.b")).contains(5));
        // Back, playing: the controller says how far each channel had got first.
        QSignalSpy rewound(m_replay.get(), &ReplayController::rewound);
        m_replay->seek(100);
        QCOMPARE(rewound.size(), 1);
        using SeqMap = QHash<QString, qint64>;
        const auto upToSeq = rewound.at(0).at(0).value<SeqMap>();
        QVERIFY(m_replay->playing());
        QTRY_VERIFY_WITH_TIMEOUT(received().size() >= first + 10, 5000);
        // What came with a seq up to the rewound one was published before the seek; from the
        // next seq on it is the recording from 100 ms: n=5, 6, ...
        const QList<qint64> s = seqs();
        const QList<int> ns = received();
        const qint64 barrier = upToSeq.value(QStringLiteral("rep.a"));
        const qsizetype next = s.indexOf(barrier + 1);
        QVERIFY2(next > 0, qPrintable(QStringLiteral("seq %1 not seen").arg(barrier + 1)));
        QVERIFY(ns.at(next - 1) >= 30); // the last before the seek was past 600 ms
        for (qsizetype i = next; i < ns.size(); ++i)
            QCOMPARE(ns.at(i), int(5 + (i - next)));
        // rep.b the same: from the next seq on, n=1 (recorded at 105 ms).
        const qsizetype nextB =
            seqs(QStringLiteral("rep.b")).indexOf(upToSeq.value(QStringLiteral("rep.b")) + 1);
        QVERIFY(nextB > 0);
        QCOMPARE(received(QStringLiteral("rep.b")).at(nextB), 1);
        // Position clamps: before the start is the start, past the end the end.
        m_replay->pause();
        m_replay->seek(-50);
        QCOMPARE(m_replay->positionMs(), 0.0);
        m_replay->seek(5000);
        QCOMPARE(m_replay->positionMs(), 1000.0);
    }

    void speedChangesThePaceKeepsThePosition()
    {
        QVERIFY(begin());
        QTRY_VERIFY_WITH_TIMEOUT(!received().isEmpty(), 5000);
        m_replay->pause();
        m_replay->seek(0);
        m_replay->setSpeed(1000); // clamped
        QCOMPARE(m_replay->speed(), HubReplay::kMaxSpeed);
        m_replay->setSpeed(0.001);
        QCOMPARE(m_replay->speed(), HubReplay::kMinSpeed);
        m_replay->setSpeed(10);
        QCOMPARE(m_replay->speed(), 10.0);
        settle();
        const qsizetype before = received().size();
        QElapsedTimer clock;
        clock.start();
        m_replay->play();
        // 900 recorded ms at 10x: about 90 ms (at 1x it would be 900).
        QTRY_VERIFY_WITH_TIMEOUT(received().mid(before).contains(45), 5000);
        const qint64 took = clock.elapsed();
        QVERIFY2(took >= 60 && took < 450, qPrintable(QStringLiteral("900 ms at 10x took %1 ms").arg(took)));
        // A change of speed while playing keeps the position.
        m_replay->pause();
        m_replay->seek(100);
        m_replay->setSpeed(0.5);
        m_replay->play();
        QTest::qWait(100);
        const double at = m_replay->positionMs();
        m_replay->setSpeed(4);
        const double then = m_replay->positionMs();
        QVERIFY2(then >= at && then - at < 40, qPrintable(QStringLiteral("%1 -> %2 ms").arg(at).arg(then)));
        // At 0.5x, 100 ms of real time moved it about 50 ms.
        QVERIFY2(at >= 125 && at < 250, qPrintable(QStringLiteral("at %1 ms").arg(at)));
    }

    void nextGapWalksOutagesAndGaps()
    {
        QVERIFY(begin());
        QTRY_VERIFY_WITH_TIMEOUT(!received().isEmpty(), 5000);
        m_replay->pause();
        m_replay->seek(0);
        QVERIFY(m_replay->hasNextGap());
        QVERIFY(m_replay->nextGap());
        QCOMPARE(m_replay->positionMs(), double(kOutageAt));
        QVERIFY(m_replay->nextGap());
        QCOMPARE(m_replay->positionMs(), double(kGapAt));
        QVERIFY(!m_replay->hasNextGap());
        QVERIFY(!m_replay->nextGap()); // none after: nothing changes
        QCOMPARE(m_replay->positionMs(), double(kGapAt));
        QVERIFY(!m_replay->playing());
        settle();
        const qsizetype before = received().size();
        m_replay->play();
        QTRY_VERIFY_WITH_TIMEOUT(received().size() > before, 5000);
        QCOMPARE(received().at(before), kGapAt / 20); // n=35, recorded at 700 ms
    }

    void endsThenPlaysAgainFromTheStart()
    {
        QVERIFY(begin(100));
        QSignalSpy playing(m_replay.get(), &ReplayController::playingChanged);
        QTRY_VERIFY_WITH_TIMEOUT(m_replay->ended(), 5000);
        QVERIFY(!m_replay->playing());
        QCOMPARE(m_replay->positionMs(), 1000.0);
        QCOMPARE(m_replay->published(), double(kA + kB));
        QCOMPARE(m_replay->headline(), QStringLiteral("REPLAY \u00b7 ENDED"));
        QVERIFY(playing.size() >= 1);
        QTRY_COMPARE_WITH_TIMEOUT(received().size(), qsizetype(kA), 5000);
        QCOMPARE(received(QStringLiteral("rep.b")).size(), qsizetype(kB));
        QSignalSpy rewound(m_replay.get(), &ReplayController::rewound);
        m_replay->play();
        QCOMPARE(rewound.size(), 1);
        using SeqMap = QHash<QString, qint64>;
        QCOMPARE(rewound.at(0).at(0).value<SeqMap>().value(QStringLiteral("rep.a")), qint64(kA));
        QTRY_VERIFY_WITH_TIMEOUT(m_replay->ended(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(received().size(), qsizetype(2 * kA), 5000);
        // The second time from n=0 again, the hub's seq going on.
        QCOMPARE(received().at(kA), 0);
        QCOMPARE(seqs().at(kA), qint64(kA + 1));
    }
};

QTEST_GUILESS_MAIN(tst_ReplayController)
#include "tst_replaycontroller.moc"
