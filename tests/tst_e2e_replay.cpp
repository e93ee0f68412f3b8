// pulseboard --replay FILE end to end: the real app (offscreen) opens a recording made here and
// is driven through --control as a person drives its timeline bar. The recorded channels' values
// arrive on the charts at their recorded pace; the header says REPLAY in the replay's colour (not
// the live green, not the warning amber); Pause (the bar's button) stops them (nothing arrives
// while paused, the position holds); a seek back forgets what the charts showed and plays again
// from there, each point once and in order; the speed and the jump to the next outage work. Flags
// that cannot go with --replay are refused (exit 2). Unreadable recordings: tst_recordreplay.
#include "history/HistoryStore.h"
#include "support/ControlledDashboard.h"
#include "support/TestUtils.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Pulseboard;
using TestUtils::ControlledDashboard;
using namespace Qt::StringLiterals;

namespace {

constexpr int kStepMs = 50;     // e2e.a: v = i every 50 ms
constexpr int kA = 240;         // 12 s
constexpr int kOutageAt = 5000; // ms into the recording, 1 s long
constexpr int kGapAt = 8000;

bool writeRecording(const QString &path, qint64 startedMs)
{
    HistoryStore store(HistoryOptions::forRecording(path));
    if (!store.open())
        return false;
    store.setRecordingInfo(QStringLiteral("started"), QString::number(startedMs));
    store.setRecordingInfo(QStringLiteral("durationUs"), QString::number(qint64(kA) * kStepMs * 1000));
    qint64 seq = 0;
    for (int i = 0; i < kA; ++i) {
        for (const char *channel : {"e2e.a", "e2e.b"}) {
            const bool b = channel[4] == 'b';
            if (b && i % 10 != 0)
                continue;
            HistoryFrame f;
            f.offsetUs = qint64(i) * kStepMs * 1000 + (b ? 1000 : 0);
            f.arrivalMs = startedMs + f.offsetUs / 1000;
            f.serverTs = f.arrivalMs;
            f.seq = ++seq;
            f.source = QStringLiteral("ws://127.0.0.1:1");
            f.channel = QLatin1StringView(channel);
            f.data = "{\"v\":" + QByteArray::number(b ? i * 10 : i) + "}";
            if (!store.appendFrame(f))
                return false;
        }
    }
    HistoryEvent outage;
    outage.kind = HistoryEvent::Kind::Outage;
    outage.fromMs = startedMs + kOutageAt;
    outage.toMs = startedMs + kOutageAt + 1000;
    outage.source = QStringLiteral("ws://127.0.0.1:1");
    outage.detail = QStringLiteral("connection lost");
    HistoryEvent gap;
    gap.kind = HistoryEvent::Kind::Gap;
    gap.fromMs = gap.toMs = startedMs + kGapAt;
    gap.source = QStringLiteral("e2e.a");
    gap.detail = QStringLiteral("seq 300 to 310");
    if (!store.appendEvent(outage) || !store.appendEvent(gap))
        return false;
    store.flush();
    store.close();
    return true;
}

QJsonObject replayOf(const QJsonObject &snap)
{
    return snap.value(u"replay"_s).toObject();
}
QJsonArray valuesOf(const QJsonObject &snap, const QString &channel = u"e2e.a"_s)
{
    return replayOf(snap)
        .value(u"series"_s)
        .toObject()
        .value(channel)
        .toObject()
        .value(u"values"_s)
        .toArray();
}
// Each value once, in order: strictly increasing (what a chart of a counter must show).
bool strictlyIncreasing(const QJsonArray &values, QString *why)
{
    for (qsizetype i = 1; i < values.size(); ++i) {
        if (values.at(i).toDouble() <= values.at(i - 1).toDouble()) {
            *why = QStringLiteral("value %1 after %2 at %3")
                       .arg(values.at(i).toDouble())
                       .arg(values.at(i - 1).toDouble())
                       .arg(i);
            return false;
        }
    }
    return true;
}

} // namespace

class tst_E2eReplay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replaysPausesSeeksAndJumps()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString file = home.filePath(u"incident.sqlite"_s);
        const qint64 startedMs = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000;
        QVERIFY(writeRecording(file, startedMs));

        ControlledDashboard app;
        app.start(home.path(), {u"--no-settings"_s, u"--replay"_s, file});
        QVERIFY2(app.process.waitForStarted(5000), qPrintable(app.process.errorString()));

        // The recorded values arrive, at the recorded pace (20 a second on e2e.a).
        QJsonObject snap =
            app.snapshotWhen([](const QJsonObject &s) { return valuesOf(s).size() >= 10; }, 20000, 100);
        QCOMPARE(snap.value(u"mode"_s).toString(), u"replay"_s);
        QJsonObject replay = replayOf(snap);
        QVERIFY2(valuesOf(snap).size() >= 10, QJsonDocument(snap).toJson().constData());
        QCOMPARE(replay.value(u"headline"_s).toString(), u"REPLAY"_s);
        QVERIFY(replay.value(u"playing"_s).toBool());
        QCOMPARE(replay.value(u"durationMs"_s).toDouble(), double(kA * kStepMs));
        QCOMPARE(replay.value(u"gaps"_s).toArray().size(), 2);
        const QJsonArray subscriptions = snap.value(u"subscriptions"_s).toArray();
        QVERIFY(subscriptions.contains(u"e2e.a"_s) && subscriptions.contains(u"e2e.b"_s));
        QVERIFY(snap.value(u"live"_s).toBool());
        QString why;
        QVERIFY2(strictlyIncreasing(valuesOf(snap), &why), qPrintable(why));
        QCOMPARE(valuesOf(snap).first().toDouble(), 0.0);
        QVERIFY(!snap.value(u"latest"_s).toObject().value(u"e2e.b"_s).toObject().isEmpty());

        // The header: REPLAY, in the replay's violet, neither the live green nor the warning amber.
        QJsonObject state = app.item(u"stateText"_s);
        QCOMPARE(state.value(u"text"_s).toString(), u"REPLAY"_s);
        const QString colour = state.value(u"color"_s).toString();
        QCOMPARE(colour, u"#bc8cff"_s);
        QVERIFY(colour != u"#3fb950"_s && colour != u"#e3b341"_s);
        // So do the tiles: a recording's values are never called LIVE.
        const QJsonObject chip = app.item(u"liveChip:e2e.a"_s);
        QCOMPARE(chip.value(u"text"_s).toString(), u"REPLAY"_s);
        QCOMPARE(chip.value(u"tint"_s).toString(), colour);
        // The recording's own wall-clock time at the position.
        const QString wall = replay.value(u"wallTime"_s).toString();
        QVERIFY2(wall.startsWith(QDateTime::fromMSecsSinceEpoch(startedMs).toString(u"yyyy-MM-dd HH"_s)),
                 qPrintable(wall));

        // Pause: nothing arrives while paused, the position holds.
        QVERIFY(!app.send(u"replay pause"_s).contains(u"error"_s));
        snap = app.snapshotWhen(
            [](const QJsonObject &s) { return !replayOf(s).value(u"playing"_s).toBool(); }, 5000, 50);
        QCOMPARE(replayOf(snap).value(u"headline"_s).toString(), u"REPLAY \u00b7 PAUSED"_s);
        QCOMPARE(app.item(u"stateText"_s).value(u"text"_s).toString(), u"REPLAY \u00b7 PAUSED"_s);
        QTest::qWait(300); // what was on its way
        const QJsonObject paused = app.send(u"snapshot"_s);
        QTest::qWait(800);
        const QJsonObject later = app.send(u"snapshot"_s);
        QCOMPARE(later.value(u"messages"_s).toDouble(), paused.value(u"messages"_s).toDouble());
        QCOMPARE(valuesOf(later), valuesOf(paused));
        QCOMPARE(replayOf(later).value(u"positionMs"_s).toDouble(),
                 replayOf(paused).value(u"positionMs"_s).toDouble());
        const double lastBefore = valuesOf(paused).last().toDouble();

        // Back to 0.2 s (the pause came after 0.5 s at least): what the charts showed of the replayed
        // channels goes, nothing new while paused.
        QJsonObject moved = app.send(u"replay seek 200"_s);
        QCOMPARE(moved.value(u"replay"_s).toObject().value(u"positionMs"_s).toDouble(), 200.0);
        QVERIFY(!moved.value(u"replay"_s).toObject().value(u"playing"_s).toBool());
        snap = app.send(u"snapshot"_s);
        QVERIFY2(valuesOf(snap).isEmpty(), QJsonDocument(valuesOf(snap)).toJson().constData());
        // Play: from v=4 (200 ms / 50) on, each once, in order.
        QVERIFY(!app.send(u"replay play"_s).contains(u"error"_s));
        snap = app.snapshotWhen([](const QJsonObject &s) { return valuesOf(s).size() >= 8; }, 10000, 100);
        QVERIFY2(valuesOf(snap).size() >= 8, QJsonDocument(snap).toJson().constData());
        QCOMPARE(valuesOf(snap).first().toDouble(), 200.0 / kStepMs);
        QVERIFY2(strictlyIncreasing(valuesOf(snap), &why), qPrintable(why));
        QVERIFY(valuesOf(snap).first().toDouble() < lastBefore);

        // Faster, then the next outage: the charts go on from there.
        moved = app.send(u"replay speed 10"_s);
        QCOMPARE(moved.value(u"replay"_s).toObject().value(u"speed"_s).toDouble(), 10.0);
        moved = app.send(u"replay next-gap"_s);
        QVERIFY(moved.value(u"jumped"_s).toBool());
        const double at = moved.value(u"replay"_s).toObject().value(u"positionMs"_s).toDouble();
        QVERIFY2(at >= kOutageAt && at < kOutageAt + 500, qPrintable(QString::number(at)));
        snap = app.snapshotWhen(
            [](const QJsonObject &s) {
                const QJsonArray v = valuesOf(s);
                return !v.isEmpty() && v.last().toDouble() >= kGapAt / kStepMs;
            },
            10000, 100);
        const QJsonArray values = valuesOf(snap);
        QVERIFY2(strictlyIncreasing(values, &why), qPrintable(why));
        QVERIFY(values.contains(double(kOutageAt / kStepMs)));      // v=100, recorded at 5 s
        QVERIFY(!values.contains(double(kOutageAt / kStepMs - 1))); // skipped over: never published

        // A bad replay command says why.
        QVERIFY(app.send(u"replay seek soon"_s).value(u"error"_s).toString().contains(u"seek MS"_s));
        QVERIFY(app.quit());
    }

    void playPauseButtonAndLabelsInASmallWindow()
    {
        // As a person uses it in a small window: the bar's Play/Pause button clicked, every word of
        // the header, the bar and the tiles fitting at 1000x650.
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString file = home.filePath(u"small.sqlite"_s);
        QVERIFY(writeRecording(file, QDateTime::currentMSecsSinceEpoch() - 3600 * 1000));
        ControlledDashboard app;
        app.start(home.path(), {u"--no-settings"_s, u"--replay"_s, file}, u"1000x650"_s);
        QVERIFY2(app.process.waitForStarted(5000), qPrintable(app.process.errorString()));
        QJsonObject snap =
            app.snapshotWhen([](const QJsonObject &s) { return valuesOf(s).size() >= 5; }, 20000, 100);
        QVERIFY2(valuesOf(snap).size() >= 5, QJsonDocument(snap).toJson().constData());
        QCOMPARE(snap.value(u"window"_s).toObject().value(u"width"_s).toInt(), 1000);

        QCOMPARE(app.item(u"replayPlayPause"_s).value(u"text"_s).toString().contains(u"Pause"_s), true);
        QVERIFY(!app.send(u"click replayPlayPause"_s).contains(u"error"_s));
        snap = app.snapshotWhen(
            [](const QJsonObject &s) { return !replayOf(s).value(u"playing"_s).toBool(); }, 5000, 50);
        QVERIFY(!replayOf(snap).value(u"playing"_s).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(
            app.item(u"replayPlayPause"_s).value(u"text"_s).toString().contains(u"Play"_s), 5000);

        const QJsonObject labels = app.send(u"labels"_s);
        QVERIFY2(labels.contains(u"problems"_s), "no answer to 'labels'");
        QVERIFY2(labels.value(u"problems"_s).toArray().isEmpty(),
                 QJsonDocument(labels.value(u"problems"_s).toArray()).toJson().constData());

        QVERIFY(!app.send(u"click replayPlayPause"_s).contains(u"error"_s));
        snap = app.snapshotWhen([](const QJsonObject &s) { return replayOf(s).value(u"playing"_s).toBool(); },
                                5000, 50);
        QVERIFY(replayOf(snap).value(u"playing"_s).toBool());
        QVERIFY(app.quit());
    }

    void flagsThatCannotGoWithReplay_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("words");
        QTest::newRow("--url") << QStringList{u"--url"_s, u"ws://127.0.0.1:1/"_s}
                               << u"--replay cannot be used with --url"_s;
        QTest::newRow("--source") << QStringList{u"--source"_s, u"b=ws://127.0.0.1:2/"_s}
                                  << u"--replay cannot be used with --source"_s;
        QTest::newRow("--speed alone") << QStringList{u"--speed"_s, u"2"_s} << u"--speed is for --replay"_s;
        QTest::newRow("--speed out of range")
            << QStringList{u"--speed"_s, u"500"_s} << u"--speed must be 0.1-100"_s;
        QTest::newRow("--record") << QStringList{u"--record"_s, u"/tmp/never-written.sqlite"_s}
                                  << u"--replay cannot be used with --record"_s;
        QTest::newRow("--record-dir")
            << QStringList{u"--record-dir"_s, u"/tmp"_s} << u"--replay cannot be used with --record-dir"_s;
        QTest::newRow("--history-dir")
            << QStringList{u"--history-dir"_s, u"/tmp"_s} << u"--replay keeps no local history"_s;
    }
    void flagsThatCannotGoWithReplay()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, words);
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString file = home.filePath(u"r.sqlite"_s);
        QStringList all{u"--no-settings"_s};
        if (!(args.first() == u"--speed"_s && words.contains(u"is for"_s)))
            all += {u"--replay"_s, file};
        all += args;
        QProcess p;
        p.start(QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard"), all);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains(words.toUtf8()), err.constData());
    }
};

QTEST_GUILESS_MAIN(tst_E2eReplay)
#include "tst_e2e_replay.moc"
