// Record and replay end to end: pulseboard-cli --record against a hub whose link is cut in the
// middle (FaultProxy reset), the recording replayed by pulseboard-cli --replay (the same message
// lines, byte for byte) and served by pulseboard-hub --replay to a subscribing CLI (the same
// channels and data in the same order). The schema's migration from version 1, recordings that
// cannot be written (an existing file, a folder that cannot be made, a full disk) and files
// that cannot be replayed (missing, not SQLite, damaged, no recording, a newer schema), each with
// its message and exit code. Real processes, real SQLite files in a QTemporaryDir.
#include "HubProbe.h"
#include "history/HistoryStore.h"
#include "hub/ChannelRouter.h"
#include "hub/HubOptions.h"
#include "hub/HubServer.h"
#include "support/FaultProxy.h"
#include "support/TestUtils.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sqlite3.h>

#include <limits>

using namespace Pulseboard;
using Pulseboard::Test::FaultProxy;
using namespace TestUtils;
using namespace Qt::StringLiterals;

namespace {
const QString kCli = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-cli");
const QString kHub = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard-hub");
const QString kDashboard = QStringLiteral(PULSEBOARD_BIN_DIR "/pulseboard");
constexpr int kRecordFailed = 8;
constexpr int kReadFailed = 7;

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;
};

Run run(const QString &program, const QStringList &args, int timeoutMs = 20000)
{
    QProcess p;
    QElapsedTimer timer;
    timer.start();
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        p.kill();
    p.waitForFinished(2000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError(), timer.elapsed()};
}

// The `message` lines of JSON Lines output, as they were printed.
QList<QByteArray> messageLines(const QByteArray &out)
{
    QList<QByteArray> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (line.contains("\"event\":\"message\""))
            lines.append(line);
    }
    return lines;
}

// (channel, data) of each message line.
QList<QPair<QString, QJsonValue>> channelAndData(const QList<QByteArray> &lines)
{
    QList<QPair<QString, QJsonValue>> out;
    for (const QByteArray &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        out.append({o.value(QLatin1StringView("channel")).toString(), o.value(QLatin1StringView("data"))});
    }
    return out;
}

// A recording of `count` frames on rec.a written through the store itself.
bool writeRecording(const QString &path, int count)
{
    HistoryStore store(HistoryOptions::forRecording(path));
    if (!store.open())
        return false;
    store.setRecordingInfo(QStringLiteral("started"), QStringLiteral("1700000000000"));
    for (int i = 0; i < count; ++i) {
        HistoryFrame f;
        f.arrivalMs = 1700000000000 + i;
        f.offsetUs = i * 1000;
        f.serverTs = f.arrivalMs;
        f.seq = i + 1;
        f.source = QStringLiteral("ws://127.0.0.1:1");
        f.channel = QStringLiteral("rec.a");
        f.data = "{\"n\":" + QByteArray::number(i) + ",\"pad\":\"" + QByteArray(200, 'x') + "\"}";
        if (!store.appendFrame(f))
            return false;
    }
    store.flush();
    store.close();
    return true;
}

bool sqliteExec(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    bool ok = sqlite3_open(QFile::encodeName(path).constData(), &db) == SQLITE_OK &&
              sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}
} // namespace

class tst_RecordReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void recordsFaultReplaysSameMessages();
    void hubLoopsRecordingAndSaysItsRounds();
    void migratesVersionOneStore();
    void recordRefusesExistingFileUnlessOverwrite();
    void recordIntoFolderThatCannotBeMade();
    void fullDiskStopsRecordingKeepsWhatWasCommitted();
    void badRecordingsClearErrors_data();
    void badRecordingsClearErrors();
    void usageErrors_data();
    void usageErrors();
};

void tst_RecordReplay::initTestCase()
{
    QVERIFY2(QFile::exists(kCli), qPrintable(kCli));
    QVERIFY2(QFile::exists(kHub), qPrintable(kHub));
}

void tst_RecordReplay::recordsFaultReplaysSameMessages()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("incident.sqlite"));
    auto hub = HubTest::startHub(HubTest::quietHubOptions());
    QVERIFY(hub);
    FaultProxy proxy;
    QVERIFY(proxy.listen(hub->port()));

    // The recorder, through the proxy.
    QProcess recorder;
    QByteArray live;
    connect(&recorder, &QProcess::readyReadStandardOutput, this,
            [&] { live += recorder.readAllStandardOutput(); });
    recorder.start(kCli,
                   QStringList{QStringLiteral("--url"), proxy.url().toString(), QStringLiteral("--subscribe"),
                               QStringLiteral("rr.a"), QStringLiteral("--subscribe"), QStringLiteral("rr.b"),
                               QStringLiteral("--record"), file,
                               // Attempts during the reset are refused 10-50 ms apart: never give up.
                               QStringLiteral("--max-retries"), QStringLiteral("0")} +
                       fastCliFlags());
    QVERIFY(recorder.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(hub->router().subscriberCount(QStringLiteral("rr.a")) == 1 &&
                                 hub->router().subscriberCount(QStringLiteral("rr.b")) == 1,
                             10000);

    // 80 messages, one every 15 ms on alternate channels; the link is reset for messages 30..44.
    constexpr int kMessages = 80;
    int sent = 0;
    QTimer publisher;
    publisher.setInterval(15);
    connect(&publisher, &QTimer::timeout, this, [&] {
        if (sent == 30)
            proxy.setMode(FaultProxy::Mode::Reset);
        if (sent == 45)
            proxy.setMode(FaultProxy::Mode::Pass);
        const QString channel = sent % 2 == 0 ? QStringLiteral("rr.a") : QStringLiteral("rr.b");
        hub->publish(channel, QJsonObject{{QStringLiteral("n"), sent},
                                          {QStringLiteral("v"), sent * 0.25},
                                          {QStringLiteral("s"), QStringLiteral("é\"%1").arg(sent)}});
        if (++sent == kMessages)
            publisher.stop();
    });
    publisher.start();
    QTRY_VERIFY2_WITH_TIMEOUT(sent == kMessages && live.contains("\"n\":79,"), live.right(3000).constData(),
                              20000);
    QTest::qWait(100);
    recorder.terminate(); // SIGTERM: the session ends, the recording is closed
    QVERIFY(recorder.waitForFinished(10000));
    live += recorder.readAllStandardOutput();
    QCOMPARE(recorder.exitStatus(), QProcess::NormalExit);
    QCOMPARE(recorder.exitCode(), 0);
    const QList<QByteArray> liveLines = messageLines(live);
    // The fault happened: the link went down and came back; every message got through (resumed)
    // or a gap was said (the store's `timeline` holds it either way).
    QVERIFY2(live.contains("\"state\":\"reconnecting\""), live.constData());
    QVERIFY(liveLines.size() >= kMessages - 15);

    // The file: a store, its frames the live messages, its timeline the outage.
    {
        HistoryOptions o;
        o.path = file;
        HistoryStore store(o);
        QString error;
        QVERIFY2(store.openForReading(&error), qPrintable(error));
        QCOMPARE(store.schemaVersion(), HistoryStore::kSchemaVersion);
        QCOMPARE(store.frameCount(), qint64(liveLines.size()));
        const auto info = store.recordingInfo();
        QCOMPARE(info.value(QStringLiteral("url")), proxy.url().toString());
        QCOMPARE(info.value(QStringLiteral("dialect")), QStringLiteral("pulseboard"));
        QCOMPARE(info.value(QStringLiteral("messages")).toLongLong(), qint64(liveLines.size()));
        QVERIFY(info.value(QStringLiteral("channels")).contains(QLatin1StringView("rr.b")));
        QVERIFY(info.value(QStringLiteral("stopped")).toLongLong() >=
                info.value(QStringLiteral("started")).toLongLong());
        bool outage = false, stopped = false;
        for (const HistoryEvent &e : store.timeline(0, std::numeric_limits<qint64>::max())) {
            outage |= e.kind == HistoryEvent::Kind::Outage && e.toMs > e.fromMs;
            stopped |= e.kind == HistoryEvent::Kind::State && e.detail == QLatin1StringView("stopped");
        }
        QVERIFY(outage);
        QVERIFY(stopped);
        qint64 lastOffset = -1;
        QVERIFY(store.forEachFrame([&](const HistoryFrame &f) {
            if (f.offsetUs < lastOffset)
                return false;
            lastOffset = f.offsetUs;
            return true;
        }));
        QVERIFY(lastOffset > 0);
    }

    // pulseboard-cli --replay: the same message lines, byte for byte, and the timeline.
    const Run printed = run(kCli, {QStringLiteral("--replay"), file});
    QCOMPARE(printed.exitCode, 0);
    QCOMPARE(messageLines(printed.out), liveLines);
    const auto printedEvents = parseJsonLines(printed.out);
    QCOMPARE(printedEvents.first().value(QLatin1StringView("event")).toString(), QStringLiteral("recording"));
    QCOMPARE(printedEvents.last().value(QLatin1StringView("event")).toString(), QStringLiteral("replayed"));
    QCOMPARE(printedEvents.last().value(QLatin1StringView("messages")).toInt(), liveLines.size());
    bool printedOutage = false;
    for (const QJsonObject &e : eventsOf(printedEvents, QStringLiteral("timeline")))
        printedOutage |= e.value(QLatin1StringView("kind")).toString() == QLatin1StringView("outage");
    QVERIFY(printedOutage);

    // timing: at 4x the lines take about a quarter of the recorded span (loose: at least 60 %).
    qint64 spanMs = 0;
    {
        HistoryOptions o;
        o.path = file;
        HistoryStore store(o);
        QString error;
        QVERIFY(store.openForReading(&error));
        qint64 first = -1, last = 0;
        store.forEachFrame([&](const HistoryFrame &f) {
            if (first < 0)
                first = f.offsetUs;
            last = f.offsetUs;
            return true;
        });
        spanMs = (last - first) / 1000;
    }
    QVERIFY(spanMs > 800);
    const Run timed =
        run(kCli, {QStringLiteral("--replay"), file, QStringLiteral("--speed"), QStringLiteral("4")});
    QCOMPARE(timed.exitCode, 0);
    QCOMPARE(messageLines(timed.out), liveLines);
    QVERIFY2(timed.elapsedMs >= spanMs / 4 * 6 / 10, qPrintable(QString::number(timed.elapsedMs)));

    // pulseboard-hub --replay, a CLI subscribed: the same channels and data in the same order.
    QProcess replayHub;
    replayHub.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    replayHub.start(kHub, {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--replay"), file,
                           QStringLiteral("--speed"), QStringLiteral("2"),
                           QStringLiteral("--replay-when-subscribed")});
    const QUrl url = TestUtils::readListeningUrl(replayHub);
    QVERIFY2(url.isValid(), "the replaying hub did not start");
    const Run watched =
        run(kCli,
            QStringList{QStringLiteral("--url"), url.toString(), QStringLiteral("--subscribe"),
                        QStringLiteral("rr.a"), QStringLiteral("--subscribe"), QStringLiteral("rr.b"),
                        QStringLiteral("--count"), QString::number(liveLines.size())} +
                fastCliFlags(),
            30000);
    replayHub.terminate();
    replayHub.waitForFinished(10000);
    QCOMPARE(watched.exitCode, 0);
    const QList<QByteArray> watchedLines = messageLines(watched.out);
    QCOMPARE(channelAndData(watchedLines), channelAndData(liveLines));
    // The hub numbers them as its own: 1, 2, 3 ... on each channel, no gap.
    QHash<QString, int> seqs;
    qint64 firstTs = -1, lastTs = 0;
    for (const QByteArray &line : watchedLines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString channel = o.value(QLatin1StringView("channel")).toString();
        QCOMPARE(o.value(QLatin1StringView("seq")).toInt(), ++seqs[channel]);
        const qint64 ts = qint64(o.value(QLatin1StringView("ts")).toDouble());
        if (firstTs < 0)
            firstTs = ts;
        lastTs = ts;
    }
    // timing: at 2x the hub spreads them over about half the recorded span (loose bounds).
    const qint64 replaySpan = lastTs - firstTs;
    QVERIFY2(replaySpan >= spanMs / 2 * 7 / 10 && replaySpan <= spanMs / 2 * 15 / 10 + 300,
             qPrintable(QStringLiteral("span %1 ms replayed in %2 ms at 2x").arg(spanMs).arg(replaySpan)));
}

void tst_RecordReplay::hubLoopsRecordingAndSaysItsRounds()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("loop.sqlite"));
    QVERIFY(writeRecording(file, 40)); // 40 messages 1 ms apart
    QProcess hub;
    hub.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    hub.start(kHub, {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--replay"), file,
                     QStringLiteral("--loop"), QStringLiteral("--replay-when-subscribed")});
    const QUrl url = TestUtils::readListeningUrl(hub);
    QVERIFY2(url.isValid(), "the replaying hub did not start");
    // One client on the recorded channel and the timeline: three rounds and a bit.
    const Run watched =
        run(kCli,
            QStringList{QStringLiteral("--url"), url.toString(), QStringLiteral("--subscribe"),
                        QStringLiteral("rec.a"), QStringLiteral("--subscribe"),
                        QStringLiteral("replay.timeline"), QStringLiteral("--count"), QStringLiteral("130")} +
                fastCliFlags());
    hub.terminate();
    hub.waitForFinished(10000);
    QCOMPARE(watched.exitCode, 0);
    int seq = 0, expectN = 0, starts = 0, ends = 0, round = 1;
    for (const QByteArray &line : messageLines(watched.out)) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QJsonObject data = o.value(QLatin1StringView("data")).toObject();
        if (o.value(QLatin1StringView("channel")).toString() == QLatin1StringView("replay.timeline")) {
            QCOMPARE(data.value(QLatin1StringView("kind")).toString(), QStringLiteral("replay"));
            const QString state = data.value(QLatin1StringView("state")).toString();
            if (state == QLatin1StringView("start")) {
                // (The first round's may go out before the timeline's subscription is in: the hub
                // waits for the recorded channels' subscribers only.)
                ++starts;
                QCOMPARE(data.value(QLatin1StringView("round")).toInt(), round);
                QCOMPARE(expectN, 0);
            } else {
                QCOMPARE(state, QStringLiteral("end"));
                ++ends;
                QCOMPARE(expectN, 40); // a round ends after all its messages
                expectN = 0;
                ++round;
            }
            continue;
        }
        // Each round the recording's data again, the hub's seq going on.
        QCOMPARE(data.value(QLatin1StringView("n")).toInt(), expectN++);
        QCOMPARE(o.value(QLatin1StringView("seq")).toInt(), ++seq);
    }
    QVERIFY2(starts >= 2 && ends >= 2,
             qPrintable(QStringLiteral("%1 starts, %2 ends").arg(starts).arg(ends)));
}

void tst_RecordReplay::migratesVersionOneStore()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    // A store as version 1 of the schema made it.
    QVERIFY(sqliteExec(
        path, "PRAGMA journal_mode=WAL;"
              "CREATE TABLE series(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
              " field TEXT NOT NULL, UNIQUE(source, field));"
              "CREATE TABLE samples(series INTEGER NOT NULL, t INTEGER NOT NULL,"
              " seq INTEGER NOT NULL, v REAL NOT NULL);"
              "CREATE INDEX samples_series_t ON samples(series, t);"
              "CREATE TABLE agg_1s(series INTEGER NOT NULL, b INTEGER NOT NULL,"
              " mn REAL, mx REAL, f REAL, l REAL, n INTEGER, ft INTEGER, lt INTEGER,"
              " PRIMARY KEY(series, b)) WITHOUT ROWID;"
              "CREATE TABLE agg_1m(series INTEGER NOT NULL, b INTEGER NOT NULL,"
              " mn REAL, mx REAL, f REAL, l REAL, n INTEGER, ft INTEGER, lt INTEGER,"
              " PRIMARY KEY(series, b)) WITHOUT ROWID;"
              "CREATE TABLE timeline(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
              " t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, source TEXT NOT NULL, detail TEXT NOT NULL);"
              "CREATE INDEX timeline_t1 ON timeline(t1);"
              "INSERT INTO series VALUES(1, 'embedded|sys.cpu', 'data.total');"
              "INSERT INTO samples VALUES(1, 1700000000500, 7, 42.5);"
              "INSERT INTO timeline(kind, t0, t1, source, detail) VALUES(0, 1700000000000,"
              " 1700000000000, 'embedded', 'open');"
              "PRAGMA user_version=1;"));
    HistoryOptions o;
    o.path = path;
    o.maxAgeMs = 0;
    {
        // Read as it is: the samples, no frames, nothing changed on disk.
        HistoryStore store(o);
        QString error;
        QVERIFY2(store.openForReading(&error), qPrintable(error));
        QCOMPARE(store.schemaVersion(), 1);
        QCOMPARE(store.samples(1, 0, std::numeric_limits<qint64>::max()).size(), 1);
        QCOMPARE(store.frameCount(), 0);
        QVERIFY(store.recordingInfo().isEmpty());
        int frames = 0;
        QVERIFY(store.forEachFrame([&](const HistoryFrame &) { return ++frames > 0; }));
        QCOMPARE(frames, 0);
    }
    HistoryFrame frame;
    frame.arrivalMs = 1700000001000;
    frame.offsetUs = 1234;
    frame.serverTs = 1700000000999;
    frame.seq = 9;
    frame.flags = HistoryFrame::Retained;
    frame.source = QStringLiteral("ws://127.0.0.1:1");
    frame.channel = QStringLiteral("sys.cpu");
    frame.data = "{\"total\":3}";
    {
        // Opened for writing: upgraded to version 2, the old rows kept, frames written.
        HistoryStore store(o);
        QVERIFY(store.open());
        QCOMPARE(store.status(), HistoryStore::Status::Ok);
        QCOMPARE(store.schemaVersion(), 2);
        const QList<HistorySample> samples = store.samples(1, 0, std::numeric_limits<qint64>::max());
        QCOMPARE(samples.size(), 1);
        QCOMPARE(samples.first().value, 42.5);
        QCOMPARE(store.timeline(0, std::numeric_limits<qint64>::max()).size(), 1);
        QVERIFY(store.appendFrame(frame));
        QVERIFY(store.setRecordingInfo(QStringLiteral("tool"), QStringLiteral("test")));
        store.flush();
        QCOMPARE(store.writtenFrames(), quint64(1));
        store.close();
    }
    {
        HistoryStore store(o);
        QString error;
        QVERIFY2(store.openForReading(&error), qPrintable(error));
        QCOMPARE(store.schemaVersion(), 2);
        QList<HistoryFrame> frames;
        QVERIFY(store.forEachFrame([&](const HistoryFrame &f) {
            frames.append(f);
            return true;
        }));
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames.first(), frame);
        QCOMPARE(store.recordingInfo().value(QStringLiteral("tool")), QStringLiteral("test"));
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }
}

void tst_RecordReplay::recordRefusesExistingFileUnlessOverwrite()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("taken.sqlite"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("an earlier recording\n");
    }
    auto hub = HubTest::startHub(HubTest::quietHubOptions());
    QVERIFY(hub);
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), hub->url().toString(), QStringLiteral("--subscribe"),
                                QStringLiteral("rr.a"), QStringLiteral("--record"), file} +
                        fastCliFlags());
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
    QCOMPARE(cli.exitCode(), kRecordFailed);
    QVERIFY(cli.readAllStandardError().contains("--overwrite"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("an earlier recording\n"));
    f.close();

    // With --overwrite: a recording of the two messages.
    QProcess again;
    again.start(kCli,
                QStringList{QStringLiteral("--url"), hub->url().toString(), QStringLiteral("--subscribe"),
                            QStringLiteral("rr.a"), QStringLiteral("--record"), file,
                            QStringLiteral("--overwrite"), QStringLiteral("--count"), QStringLiteral("2")} +
                    fastCliFlags());
    QTRY_VERIFY_WITH_TIMEOUT(hub->router().subscriberCount(QStringLiteral("rr.a")) == 1, 10000);
    hub->publish(QStringLiteral("rr.a"), QJsonObject{{QStringLiteral("n"), 1}});
    hub->publish(QStringLiteral("rr.a"), QJsonObject{{QStringLiteral("n"), 2}});
    QTRY_VERIFY_WITH_TIMEOUT(again.state() == QProcess::NotRunning, 10000);
    QCOMPARE(again.exitCode(), 0);
    const Run printed = run(kCli, {QStringLiteral("--replay"), file});
    QCOMPARE(printed.exitCode, 0);
    QCOMPARE(messageLines(printed.out), messageLines(again.readAllStandardOutput()));
    QCOMPARE(messageLines(printed.out).size(), 2);
}

void tst_RecordReplay::recordIntoFolderThatCannotBeMade()
{
    // /proc takes no new folder, whoever runs the test.
    const Run r =
        run(kCli, QStringList{QStringLiteral("--url"), deadUrl().toString(), QStringLiteral("--record"),
                              QStringLiteral("/proc/pulseboard-none/rec.sqlite")});
    QCOMPARE(r.exitCode, kRecordFailed);
    QVERIFY2(r.err.contains("cannot record to /proc/pulseboard-none/rec.sqlite"), r.err.constData());
    QVERIFY(r.out.isEmpty()); // nothing connected
}

void tst_RecordReplay::fullDiskStopsRecordingKeepsWhatWasCommitted()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("full.sqlite"));
    auto hub = HubTest::startHub(HubTest::quietHubOptions());
    QVERIFY(hub);
    QProcess cli;
    cli.start(kCli, QStringList{QStringLiteral("--url"), hub->url().toString(), QStringLiteral("--subscribe"),
                                QStringLiteral("big"), QStringLiteral("--record"), file,
                                QStringLiteral("--record-max-size"), QStringLiteral("1MiB"),
                                QStringLiteral("--quiet")} +
                        fastCliFlags());
    QTRY_VERIFY_WITH_TIMEOUT(hub->router().subscriberCount(QStringLiteral("big")) == 1, 10000);
    // 8 KB messages, 4 every 20 ms: 1 MiB is full after about 130 of them, a few seconds in; the
    // writer's batches (every 100 ms) hold a few dozen, so some are committed before it is full.
    const QString pad(8000, QLatin1Char('p'));
    int sent = 0;
    QTimer publisher;
    publisher.setInterval(20);
    connect(&publisher, &QTimer::timeout, this, [&] {
        for (int i = 0; i < 4 && sent < 1000; ++i, ++sent)
            hub->publish(QStringLiteral("big"),
                         QJsonObject{{QStringLiteral("n"), sent}, {QStringLiteral("pad"), pad}});
    });
    publisher.start();
    QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 20000);
    publisher.stop();
    QCOMPARE(cli.exitCode(), kRecordFailed);
    const QByteArray err = cli.readAllStandardError();
    QVERIFY2(err.contains("recording stopped") && err.contains("full"), err.constData());
    // What was committed is a readable recording: messages 0..k-1, none missing in between.
    const Run printed = run(kCli, {QStringLiteral("--replay"), file});
    QCOMPARE(printed.exitCode, 0);
    const auto recorded = channelAndData(messageLines(printed.out));
    QVERIFY2(recorded.size() > 0, qPrintable(QStringLiteral("%1 sent").arg(sent)));
    QVERIFY(recorded.size() < sent);
    for (int i = 0; i < recorded.size(); ++i)
        QCOMPARE(recorded.at(i).second.toObject().value(QLatin1StringView("n")).toInt(), i);
    HistoryOptions o;
    o.path = file;
    HistoryStore store(o);
    QString error;
    QVERIFY2(store.openForReading(&error), qPrintable(error));
    QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
}

void tst_RecordReplay::badRecordingsClearErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("words");
    QTest::newRow("missing") << u"missing"_s << u"no recording at"_s;
    QTest::newRow("not SQLite") << u"text"_s << u"file is not a database"_s;
    QTest::newRow("damaged") << u"damaged"_s << u"damaged"_s;
    QTest::newRow("a history, no recording") << u"history"_s << u"holds no recording"_s;
    QTest::newRow("newer schema") << u"newer"_s << u"schema version 99 is newer"_s;
}

void tst_RecordReplay::badRecordingsClearErrors()
{
    QFETCH(QString, kind);
    QFETCH(QString, words);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("rec.sqlite"));
    if (kind == QLatin1StringView("text")) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
    } else if (kind == QLatin1StringView("damaged")) {
        QVERIFY(writeRecording(file, 3000));
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 size = f.size();
        QVERIFY(size > 200000);
        // Pages in the middle of the frames table overwritten: not a page SQLite can read.
        QVERIFY(f.seek(size / 2 / 4096 * 4096));
        f.write(QByteArray(16 * 4096, char(0xff)));
    } else if (kind == QLatin1StringView("history")) {
        HistoryOptions o;
        o.path = file;
        HistoryStore store(o);
        QVERIFY(store.open());
        store.append(store.seriesId(QStringLiteral("embedded|sys.cpu"), QStringLiteral("data.total")), 1000,
                     1, 2.0);
        store.flush();
        store.close();
    } else if (kind == QLatin1StringView("newer")) {
        QVERIFY(writeRecording(file, 3));
        QVERIFY(sqliteExec(file, "PRAGMA user_version=99;"));
    }
    const Run cli = run(kCli, {QStringLiteral("--replay"), file});
    QCOMPARE(cli.exitCode, kReadFailed);
    QVERIFY2(cli.err.contains(words.toUtf8()), cli.err.constData());
    QVERIFY(!cli.out.contains("\"event\":\"replayed\""));
    const Run hub =
        run(kHub, {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--replay"), file});
    QCOMPARE(hub.exitCode, 1);
    QVERIFY2(hub.err.contains(words.toUtf8()), hub.err.constData());
    QVERIFY(!hub.out.contains("listening on"));
    // The dashboard refuses it before any window (no display needed), as the CLI does: exit 7.
    QProcess dashboard;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb")); // would fail, were it reached
    dashboard.setProcessEnvironment(env);
    dashboard.start(kDashboard, {QStringLiteral("--no-settings"), QStringLiteral("--replay"), file});
    QVERIFY(dashboard.waitForFinished(20000));
    const QByteArray dashboardErr = dashboard.readAllStandardError();
    QCOMPARE(dashboard.exitCode(), kReadFailed);
    QVERIFY2(dashboardErr.startsWith("pulseboard: --replay: ") && dashboardErr.contains(words.toUtf8()),
             dashboardErr.constData());
}

void tst_RecordReplay::usageErrors_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("words");
    QTest::newRow("cli --speed without --replay")
        << kCli << QStringList{u"--url"_s, u"ws://127.0.0.1:1"_s, u"--speed"_s, u"2"_s}
        << u"--speed is for --replay"_s;
    QTest::newRow("cli --replay with --url")
        << kCli << QStringList{u"--replay"_s, u"x.sqlite"_s, u"--url"_s, u"ws://127.0.0.1:1"_s}
        << u"takes no --url"_s;
    QTest::newRow("cli --speed 0") << kCli << QStringList{u"--replay"_s, u"x.sqlite"_s, u"--speed"_s, u"0"_s}
                                   << u"--speed needs"_s;
    QTest::newRow("cli --overwrite without --record")
        << kCli << QStringList{u"--url"_s, u"ws://127.0.0.1:1"_s, u"--overwrite"_s}
        << u"--overwrite is for --record"_s;
    QTest::newRow("cli --record-max-size 10")
        << kCli << QStringList{u"--url"_s,    u"ws://127.0.0.1:1"_s,  u"--record"_s,
                               u"x.sqlite"_s, u"--record-max-size"_s, u"10"_s}
        << u"--record-max-size needs"_s;
    QTest::newRow("hub --speed 500") << kHub
                                     << QStringList{u"--replay"_s, u"x.sqlite"_s, u"--speed"_s, u"500"_s}
                                     << u"--speed needs a number from 0.1 to 100"_s;
    QTest::newRow("hub --loop without --replay")
        << kHub << QStringList{u"--loop"_s} << u"--loop is for --replay"_s;
}

void tst_RecordReplay::usageErrors()
{
    QFETCH(QString, program);
    QFETCH(QStringList, args);
    QFETCH(QString, words);
    QTemporaryDir dir;
    QProcess p;
    p.setWorkingDirectory(dir.path());
    p.start(program, args);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains(words.toUtf8()), err.constData());
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("x.sqlite"))));
}

QTEST_GUILESS_MAIN(tst_RecordReplay)
#include "tst_recordreplay.moc"
