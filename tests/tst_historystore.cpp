// HistoryStore against a real SQLite file in a QTemporaryDir: values back exactly, buckets against a
// brute-force computation, tier choice, retention by age and by size, the timeline, a damaged file
// set aside, a locked store, the bounded queue's counted refusal, a writer killed with SIGKILL
// mid-write, and a full database.
// A full disk, twice: a real 1 MiB tmpfs when `mount -t tmpfs` is permitted (root with mount rights;
// a CI container may not have them, and the test then says it skipped), and always SQLite's
// PRAGMA max_page_count (HistoryOptions::maxPageCount), which fails the write with the same
// SQLITE_FULL a full file system gives.
#include <history/HistoryStore.h>

#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <csignal>
#include <map>

using namespace Pulseboard;

namespace {

HistoryOptions optionsIn(const QTemporaryDir &dir)
{
    HistoryOptions o;
    o.path = dir.filePath(QStringLiteral("history.sqlite"));
    o.batchIntervalMs = 20;
    o.retentionIntervalMs = 3600 * 1000; // only when a test asks
    o.busyTimeoutMs = 50;
    return o;
}

// The brute force: buckets of width w aligned to multiples of w.
QList<HistoryBucket> bruteForce(const QList<HistorySample> &all, qint64 from, qint64 to, qint64 w)
{
    std::map<qint64, HistoryBucket> m;
    for (const HistorySample &s : all) {
        if (s.timeMs < from || s.timeMs >= to)
            continue;
        qint64 b = s.timeMs / w * w;
        if (s.timeMs < 0 && s.timeMs % w)
            b -= w;
        auto it = m.find(b);
        if (it == m.end()) {
            m[b] = {b, s.value, s.value, s.value, s.value, 1, s.timeMs, s.timeMs};
            continue;
        }
        HistoryBucket &k = it->second;
        k.min = std::min(k.min, s.value);
        k.max = std::max(k.max, s.value);
        if (s.timeMs < k.firstMs)
            k.first = s.value, k.firstMs = s.timeMs;
        if (s.timeMs >= k.lastMs)
            k.last = s.value, k.lastMs = s.timeMs;
        ++k.count;
    }
    QList<HistoryBucket> out;
    for (const auto &[b, k] : m)
        out.append(k);
    return out;
}

int childWriter(const QString &path)
{
    // Writes forever; after each commit prints how many samples are committed.
    HistoryOptions o;
    o.path = path;
    o.batchIntervalMs = 10;
    HistoryStore store(o);
    if (!store.open())
        return 2;
    const qint64 id = store.seriesId(QStringLiteral("kill"), QStringLiteral("/v"));
    qint64 seq = 0;
    for (;;) {
        for (int i = 0; i < 2000; ++i, ++seq)
            store.append(id, 1000000 + seq, seq, double(seq) * 0.5);
        store.flush();
        printf("committed %lld\n", qlonglong(store.writtenSamples()));
        fflush(stdout);
    }
}

} // namespace

class TestHistoryStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writeAndReadBackExactly()
    {
        QTemporaryDir dir;
        QList<HistorySample> written;
        {
            HistoryStore store(optionsIn(dir));
            QVERIFY(store.open());
            QCOMPARE(store.status(), HistoryStore::Status::Ok);
            const qint64 a = store.seriesId(QStringLiteral("sensors"), QStringLiteral("/temp"));
            const qint64 b = store.seriesId(QStringLiteral("sensors"), QStringLiteral("/hum"));
            QVERIFY(a > 0 && b > 0 && a != b);
            QCOMPARE(store.seriesId(QStringLiteral("sensors"), QStringLiteral("/temp")), a);
            for (int i = 0; i < 1000; ++i) {
                const double v = 1.0 / 3.0 * i - 17.25;
                QVERIFY(store.append(a, 1700000000000 + i * 7, 100 + i, v));
                written.append({a, 1700000000000 + i * 7, 100 + i, v});
                QVERIFY(store.append(b, 1700000000000 + i * 7, 100 + i, -v));
            }
            store.flush();
            QCOMPARE(store.writtenSamples(), quint64(2000));
            QCOMPARE(store.refusedSamples(), quint64(0));
        }
        // Reopened: the series ids and every value, exactly.
        HistoryStore store(optionsIn(dir));
        QVERIFY(store.open());
        const qint64 a = store.seriesId(QStringLiteral("sensors"), QStringLiteral("/temp"));
        QCOMPARE(store.series().value(a), qMakePair(QStringLiteral("sensors"), QStringLiteral("/temp")));
        const QList<HistorySample> back = store.samples(a, 0, std::numeric_limits<qint64>::max());
        QCOMPARE(back.size(), written.size());
        for (int i = 0; i < back.size(); ++i) {
            QCOMPARE(back[i].timeMs, written[i].timeMs);
            QCOMPARE(back[i].seq, written[i].seq);
            QCOMPARE(back[i].value, written[i].value); // bit-exact: a REAL is a double
        }
        qint64 from = 0, to = 0;
        QVERIFY(store.range(a, &from, &to));
        QCOMPARE(from, 1700000000000);
        QCOMPARE(to, 1700000000000 + 999 * 7);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }

    void bucketsMatchBruteForce_data()
    {
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("tier");
        QTest::newRow("raw 37 ms") << qint64(37) << qint64(0);
        QTest::newRow("raw 250 ms") << qint64(250) << qint64(0);
        QTest::newRow("1 s tier, 1 s") << qint64(1000) << qint64(1000);
        QTest::newRow("1 s tier, 7 s") << qint64(7000) << qint64(1000);
        QTest::newRow("1 min tier, 1 min") << qint64(60000) << qint64(60000);
        QTest::newRow("1 min tier, 5 min") << qint64(300000) << qint64(60000);
        QTest::newRow("1 s tier, 90 s") << qint64(90000) << qint64(1000);
    }
    void bucketsMatchBruteForce()
    {
        QFETCH(qint64, width);
        QFETCH(qint64, tier);
        QCOMPARE(HistoryStore::tierFor(width), tier);
        QTemporaryDir dir;
        HistoryStore store(optionsIn(dir));
        QVERIFY(store.open());
        const qint64 id = store.seriesId(QStringLiteral("c"), QStringLiteral("/x"));
        QRandomGenerator rng(42);
        QList<HistorySample> all;
        const qint64 t0 = 1700000000000 - 12345;
        // Out of order within batches and across them, repeated times, over ~40 minutes.
        for (int batch = 0; batch < 20; ++batch) {
            for (int i = 0; i < 500; ++i) {
                const qint64 t = t0 + qint64(rng.bounded(2400000));
                const double v = rng.generateDouble() * 200 - 100;
                all.append({id, t, qint64(all.size()), v});
                QVERIFY(store.append(id, t, all.size() - 1, v));
            }
            store.flush();
        }
        // Sort by time, keeping arrival order for equal times (the store's "last" at equal times is
        // the later arrival, "first" the earlier one).
        std::stable_sort(all.begin(), all.end(), [](auto &x, auto &y) { return x.timeMs < y.timeMs; });
        const qint64 from = t0 + 1000000 / width * width; // aligned to the width
        const qint64 to = from + 20 * width + 5 * width;
        for (auto range : {std::pair{from, to}, std::pair{t0 - 100000, t0 + 3000000}}) {
            const QList<HistoryBucket> got = store.buckets(id, range.first, range.second, width);
            // A tier answers for whole tier buckets: compare against the brute force over the range
            // widened to the tier's grid (it is, when from is aligned to the width).
            qint64 f = range.first, t = range.second;
            if (tier > 0) {
                f = f / tier * tier;
                t = (t + tier - 1) / tier * tier;
            }
            const QList<HistoryBucket> want = bruteForce(all, f, t, width);
            QCOMPARE(got.size(), want.size());
            QVERIFY(!got.isEmpty());
            for (int i = 0; i < got.size(); ++i) {
                QCOMPARE(got[i].startMs, want[i].startMs);
                QCOMPARE(got[i].count, want[i].count);
                QCOMPARE(got[i].min, want[i].min);
                QCOMPARE(got[i].max, want[i].max);
                QCOMPARE(got[i].firstMs, want[i].firstMs);
                QCOMPARE(got[i].lastMs, want[i].lastMs);
                QCOMPARE(got[i].first, want[i].first);
                QCOMPARE(got[i].last, want[i].last);
            }
        }
    }

    void weekReadIsBoundedByTheTier()
    {
        // A week at one sample per second: a 7-day read in 1-min buckets reads the 1 min tier.
        QTemporaryDir dir;
        HistoryStore store(optionsIn(dir));
        QVERIFY(store.open());
        const qint64 id = store.seriesId(QStringLiteral("w"), QStringLiteral("/v"));
        const qint64 t0 = 1700000000000 / 3600000 * 3600000;
        const qint64 week = 7LL * 24 * 3600 * 1000;
        for (qint64 t = 0; t < week; t += 1000) {
            while (!store.append(id, t0 + t, t / 1000, double((t / 1000) % 600)))
                store.flush();
        }
        store.flush();
        QCOMPARE(store.writtenSamples(), quint64(week / 1000));
        const QList<HistoryBucket> b = store.buckets(id, t0, t0 + week, 60000);
        QCOMPARE(b.size(), qsizetype(7 * 24 * 60));
        QCOMPARE(b.first().count, qint64(60));
        QCOMPARE(b.first().min, 0.0);
        QCOMPARE(b.first().max, 59.0);
        QCOMPARE(b[10].first, 0.0); // minute 10 starts at second 600 -> value 0
        QCOMPARE(b[10].last, 59.0);
        const QList<HistoryBucket> hours = store.buckets(id, t0, t0 + week, 3600000);
        QCOMPARE(hours.size(), qsizetype(7 * 24));
        QCOMPARE(hours[3].count, qint64(3600));
        QCOMPARE(hours[3].max, 599.0);
    }

    void retentionByAge()
    {
        QTemporaryDir dir;
        HistoryOptions o = optionsIn(dir);
        o.maxAgeMs = 3600 * 1000;
        HistoryStore store(o);
        QVERIFY(store.open());
        const qint64 id = store.seriesId(QStringLiteral("a"), QStringLiteral("/v"));
        const qint64 now = 1700000000000;
        for (int i = 0; i < 180; ++i) // one sample a minute for 3 hours, ending now
            QVERIFY(store.append(id, now - (179 - i) * 60000, i, i));
        QVERIFY(store.appendEvent(
            {HistoryEvent::Kind::Outage, now - 7200000, now - 7100000, QStringLiteral("s"), {}}));
        QVERIFY(store.appendEvent(
            {HistoryEvent::Kind::Outage, now - 600000, now - 500000, QStringLiteral("s"), {}}));
        store.flush();
        store.applyRetention(now);
        const QList<HistorySample> left = store.samples(id, 0, now + 1);
        QCOMPARE(left.size(), qsizetype(61)); // now-60 min .. now
        QCOMPARE(left.first().timeMs, now - 3600000);
        QCOMPARE(store.buckets(id, 0, now + 1, 60000).size(), qsizetype(61));
        const QList<HistoryEvent> events = store.timeline(0, now + 1);
        QCOMPARE(events.size(), qsizetype(1));
        QCOMPARE(events.first().fromMs, now - 600000);
    }

    void retentionBySizeKeepsTheFileWithin()
    {
        QTemporaryDir dir;
        HistoryOptions o = optionsIn(dir);
        o.maxAgeMs = 0;
        o.maxBytes = 4 * 1024 * 1024;
        HistoryStore store(o);
        QVERIFY(store.open());
        const qint64 id = store.seriesId(QStringLiteral("big"), QStringLiteral("/v"));
        const qint64 t0 = 1700000000000;
        qint64 seq = 0;
        for (int round = 0; round < 6; ++round) {
            for (int i = 0; i < 100000; ++i, ++seq)
                while (!store.append(id, t0 + seq, seq, double(seq)))
                    store.flush();
            store.flush();
            store.applyRetention(t0 + seq);
            QVERIFY2(store.fileBytes() <= o.maxBytes,
                     qPrintable(QStringLiteral("file %1 bytes > %2").arg(store.fileBytes()).arg(o.maxBytes)));
        }
        QCOMPARE(store.writtenSamples(), quint64(seq));
        // Oldest went first: what is left is the newest run of samples, up to the last one.
        const QList<HistorySample> left = store.samples(id, 0, t0 + seq);
        QVERIFY(left.size() > 10000);
        QVERIFY(left.size() < seq);
        QCOMPARE(left.last().seq, seq - 1);
        for (int i = 1; i < left.size(); ++i)
            QCOMPARE(left[i].seq, left[i - 1].seq + 1);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }

    void timelineRoundTrip()
    {
        QTemporaryDir dir;
        const QList<HistoryEvent> events = {
            {HistoryEvent::Kind::State, 1000, 1000, QStringLiteral("ws://a"), QStringLiteral("Connected")},
            {HistoryEvent::Kind::Outage, 2000, 5000, QStringLiteral("ws://a"), QString()},
            {HistoryEvent::Kind::Gap, 6000, 6500, QStringLiteral("ticks"),
             QStringLiteral("seq 10..14 missing")},
            {HistoryEvent::Kind::State, 7000, 7000, QStringLiteral("ws://a"), QStringLiteral("Reconnecting")},
        };
        {
            HistoryStore store(optionsIn(dir));
            QVERIFY(store.open());
            for (const HistoryEvent &e : events)
                QVERIFY(store.appendEvent(e));
        } // closing flushes
        HistoryStore store(optionsIn(dir));
        QVERIFY(store.open());
        QCOMPARE(store.timeline(0, 10000), events);
        // Range: an outage overlapping the window's start is in it.
        const QList<HistoryEvent> some = store.timeline(4000, 6200);
        QCOMPARE(some.size(), qsizetype(2));
        QCOMPARE(some[0].kind, HistoryEvent::Kind::Outage);
        QCOMPARE(some[1].kind, HistoryEvent::Kind::Gap);
    }

    void damagedFileIsSetAside()
    {
        QTemporaryDir dir;
        const HistoryOptions o = optionsIn(dir);
        {
            QFile f(o.path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray garbage(64 * 1024, '\0');
            for (int i = 0; i < garbage.size(); ++i)
                garbage[i] = char(QRandomGenerator::global()->bounded(256));
            f.write(garbage);
        }
        HistoryStore store(o);
        QVERIFY(store.open());
        QCOMPARE(store.status(), HistoryStore::Status::Damaged);
        QVERIFY(store.damagedPath().startsWith(o.path + QStringLiteral(".damaged-")));
        QVERIFY(QFileInfo(store.damagedPath()).size() == 64 * 1024);
        QVERIFY(store.statusText().contains(store.damagedPath()));
        const qint64 id = store.seriesId(QStringLiteral("c"), QStringLiteral("/v"));
        QVERIFY(store.append(id, 1, 1, 1.5));
        store.flush();
        QCOMPARE(store.samples(id, 0, 10).size(), qsizetype(1));
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }

    void damagedPagesAreSetAside()
    {
        // A real store whose pages were overwritten in the middle: quick_check fails.
        QTemporaryDir dir;
        const HistoryOptions o = optionsIn(dir);
        {
            HistoryStore store(o);
            QVERIFY(store.open());
            const qint64 id = store.seriesId(QStringLiteral("c"), QStringLiteral("/v"));
            for (int i = 0; i < 50000; ++i)
                QVERIFY(store.append(id, i, i, i));
        }
        const qint64 size = QFileInfo(o.path).size();
        QVERIFY(size > 100000);
        {
            QFile f(o.path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            f.seek(size / 2);
            f.write(QByteArray(8192, '\x5a'));
        }
        HistoryStore store(o);
        QVERIFY(store.open());
        QCOMPARE(store.status(), HistoryStore::Status::Damaged);
        QCOMPARE(QFileInfo(store.damagedPath()).size(), size);
        QVERIFY(store.series().isEmpty()); // a fresh store
    }

    void lockedByAnotherInstance()
    {
        QTemporaryDir dir;
        HistoryStore first(optionsIn(dir));
        QVERIFY(first.open());
        HistoryStore second(optionsIn(dir));
        QVERIFY(!second.open());
        QCOMPARE(second.status(), HistoryStore::Status::Locked);
        QVERIFY(second.statusText().contains(QStringLiteral("another instance")));
        QVERIFY(!second.append(1, 1, 1, 1));
        QCOMPARE(second.refusedSamples(), quint64(1));
        // The first goes on writing.
        const qint64 id = first.seriesId(QStringLiteral("c"), QStringLiteral("/v"));
        QVERIFY(first.append(id, 1, 1, 1));
        first.flush();
        QCOMPARE(first.writtenSamples(), quint64(1));
    }

    void lockedBySqlite()
    {
        // Another program holds SQLite's write lock (not our lock file): the store runs without.
        QTemporaryDir dir;
        const HistoryOptions o = optionsIn(dir);
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(o.path).constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; CREATE TABLE x(a); BEGIN EXCLUSIVE;",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        HistoryStore store(o);
        QVERIFY(!store.open());
        QCOMPARE(store.status(), HistoryStore::Status::Locked);
        QVERIFY(QFileInfo::exists(o.path)); // nothing set aside
        sqlite3_close(db);
    }

    void queueFullIsRefusedAndCounted()
    {
        QTemporaryDir dir;
        HistoryOptions o = optionsIn(dir);
        o.queueCapacity = 100;
        HistoryStore store(o);
        QVERIFY(store.open());
        const qint64 id = store.seriesId(QStringLiteral("q"), QStringLiteral("/v"));
        store.flush();
        // Another connection holds SQLite's write lock: the writer waits, the queue fills.
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(o.path).constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
        int accepted = 0, refused = 0;
        for (int i = 0; i < 1000; ++i) {
            (store.append(id, i, i, i) ? accepted : refused)++;
            if (i % 100 == 0)
                QTest::qWait(5); // the writer takes what is queued, then waits for the lock
        }
        QVERIFY(refused > 0);
        QVERIFY(accepted <= 2 * o.queueCapacity); // one batch in the writer's hands, one queued
        QCOMPARE(store.refusedSamples(), quint64(refused));
        QCOMPARE(store.queuedSamples() <= o.queueCapacity, true);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        store.flush();
        QCOMPARE(store.status(), HistoryStore::Status::Ok);
        QCOMPARE(store.writtenSamples(), quint64(accepted));
        QCOMPARE(qsizetype(accepted), store.samples(id, 0, 1000).size());
        QCOMPARE(accepted + refused, 1000);
    }

    void killedDuringWriteKeepsWhatWasCommitted()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PULSEBOARD_HISTORY_CHILD"), path);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());
        qint64 committed = 0;
        while (committed < 100000) {
            QVERIFY(child.waitForReadyRead(10000));
            while (child.canReadLine()) {
                const QByteArray line = child.readLine().trimmed();
                if (line.startsWith("committed "))
                    committed = line.mid(10).toLongLong();
            }
        }
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        HistoryOptions o = optionsIn(dir);
        HistoryStore store(o);
        QVERIFY(store.open()); // the dead writer's lock is stale
        QCOMPARE(store.status(), HistoryStore::Status::Ok);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
        const qint64 id = store.seriesId(QStringLiteral("kill"), QStringLiteral("/v"));
        const QList<HistorySample> back = store.samples(id, 0, std::numeric_limits<qint64>::max());
        QVERIFY2(back.size() >= committed,
                 qPrintable(QStringLiteral("%1 < %2").arg(back.size()).arg(committed)));
        for (int i = 0; i < back.size(); ++i) {
            QCOMPARE(back[i].seq, qint64(i));
            QCOMPARE(back[i].value, double(i) * 0.5);
        }
    }

    void fullTmpfsStopsWritingAndKeepsWhatWasCommitted()
    {
        QTemporaryDir dir;
        const QString mountPoint = dir.filePath(QStringLiteral("small"));
        QVERIFY(QDir().mkpath(mountPoint));
        QProcess mount;
        mount.start(QStringLiteral("mount"),
                    {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                     QStringLiteral("size=1m"), QStringLiteral("tmpfs"), mountPoint});
        if (!mount.waitForFinished(10000) || mount.exitStatus() != QProcess::NormalExit ||
            mount.exitCode() != 0)
            QSKIP("mount -t tmpfs is not permitted here; fullDatabaseStopsWriting... covers SQLITE_FULL");
        struct Unmount
        {
            QString at;
            ~Unmount() { QProcess::execute(QStringLiteral("umount"), {at}); }
        } unmount{mountPoint};
        HistoryOptions o = optionsIn(dir);
        o.path = mountPoint + QStringLiteral("/history.sqlite");
        HistoryStore store(o);
        QVERIFY(store.open());
        const qint64 id = store.seriesId(QStringLiteral("f"), QStringLiteral("/v"));
        qint64 seq = 0, committed = 0;
        while (store.status() == HistoryStore::Status::Ok && seq < 10000000) {
            for (int i = 0; i < 1000; ++i, ++seq)
                store.append(id, seq, seq, double(seq));
            store.flush();
            if (store.status() == HistoryStore::Status::Ok)
                committed = qint64(store.writtenSamples());
        }
        QCOMPARE(store.status(), HistoryStore::Status::Full);
        QVERIFY(committed > 0);
        QVERIFY(store.lostSamples() > 0);
        QVERIFY(!store.append(id, seq, seq, 1));
        const QList<HistorySample> back = store.samples(id, 0, seq + 1);
        QCOMPARE(qint64(back.size()), committed);
        QCOMPARE(back.last().seq, committed - 1);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }

    void fullDatabaseStopsWritingAndKeepsWhatWasCommitted()
    {
        // See the file's comment: max_page_count stands in for a full file system (SQLITE_FULL).
        QTemporaryDir dir;
        HistoryOptions o = optionsIn(dir);
        o.maxPageCount = 200; // 200 pages of 4 KiB
        HistoryStore store(o);
        QVERIFY(store.open());
        const qint64 id = store.seriesId(QStringLiteral("f"), QStringLiteral("/v"));
        qint64 seq = 0, committed = 0;
        while (store.status() == HistoryStore::Status::Ok && seq < 10000000) {
            for (int i = 0; i < 1000; ++i, ++seq)
                store.append(id, seq, seq, double(seq));
            store.flush();
            if (store.status() == HistoryStore::Status::Ok)
                committed = qint64(store.writtenSamples());
        }
        QCOMPARE(store.status(), HistoryStore::Status::Full);
        QVERIFY(store.statusText().contains(QStringLiteral("full")));
        QVERIFY(committed > 0);
        QCOMPARE(qint64(store.writtenSamples()), committed);
        QVERIFY(store.lostSamples() > 0); // the batch that did not fit, counted
        // Writing stopped: later samples are refused and counted, the caller keeps running.
        QVERIFY(!store.append(id, seq, seq, 1));
        const QList<HistorySample> back = store.samples(id, 0, seq + 1);
        QCOMPARE(qint64(back.size()), committed);
        QCOMPARE(back.last().seq, committed - 1);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }
};

int main(int argc, char **argv)
{
    const QByteArray child = qgetenv("PULSEBOARD_HISTORY_CHILD");
    if (!child.isEmpty())
        return childWriter(QString::fromLocal8Bit(child));
    QCoreApplication app(argc, argv);
    TestHistoryStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_historystore.moc"
