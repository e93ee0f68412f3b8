// bench-history: the local history's figures (docs/PERFORMANCE.md, "Local history").
//  1. 20 channels x 1 kHz for --seconds s at real rate: the writer thread's CPU (the process's CPU
//     minus the feeding thread's), the largest queue seen, samples refused.
//  2. As fast as it goes: samples per second the writer commits (one series, --burst samples).
//  3. A 7-day store of one field at 1 Hz: the read of the whole week in 10 min and 1 min buckets
//     (1 min tier), and of the last hour in 1 s buckets (1 s tier), median of 5.
//  4. A chart's 7-day window of that field, as the dashboard draws it: a ChartFeeder over the last
//     hour in its rings (SeriesStore) and the store through ChartHistory: from the tick that asks
//     to the line holding the merged points (the read on the reader thread, the buckets made into
//     points, the hand-over to this thread, the merge with the rings' decimation, the replace),
//     median of 5 fresh charts at --columns columns; then the cost of a later display tick.
// Usage: bench-history [--seconds S] [--burst N] [--dir DIR] [--columns N]
#include <dashboard/charts/ChartFeeder.h>
#include <dashboard/charts/ChartHistory.h>
#include <dashboard/charts/DisplayClock.h>
#include <dashboard/charts/PlotLayer.h>
#include <dashboard/charts/SeriesStore.h>
#include <history/HistoryExport.h>
#include <history/HistoryStore.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Pulseboard;

namespace {

double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double threadCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double medianMs(const std::function<void()> &f)
{
    std::vector<double> t;
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer timer;
        timer.start();
        f();
        t.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(t.begin(), t.end());
    return t[2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int seconds = 10;
    qint64 burst = 1000000;
    QString dirPath;
    int columns = 1400;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1StringView("--seconds"))
            seconds = args[i + 1].toInt();
        else if (args[i] == QLatin1StringView("--burst"))
            burst = args[i + 1].toLongLong();
        else if (args[i] == QLatin1StringView("--dir"))
            dirPath = args[i + 1];
        else if (args[i] == QLatin1StringView("--columns"))
            columns = args[i + 1].toInt();
    }
    QTemporaryDir tmp(dirPath.isEmpty() ? QDir::tempPath() + QStringLiteral("/bench-history-XXXXXX")
                                        : dirPath + QStringLiteral("/bench-history-XXXXXX"));
    const qint64 t0 = 1700000000000 / 3600000 * 3600000;

    // 1. Real rate.
    {
        HistoryOptions o;
        o.path = tmp.filePath(QStringLiteral("rate.sqlite"));
        o.maxAgeMs = 0;
        o.maxBytes = 0;
        HistoryStore store(o);
        if (!store.open()) {
            std::fprintf(stderr, "open: %s\n", qPrintable(store.statusText()));
            return 1;
        }
        std::vector<qint64> ids;
        for (int c = 0; c < 20; ++c)
            ids.push_back(store.seriesId(QStringLiteral("ch%1").arg(c), QStringLiteral("/v")));
        const double cpu0 = processCpuSeconds(), main0 = threadCpuSeconds();
        QElapsedTimer wall;
        wall.start();
        qint64 ms = 0;
        int maxQueue = 0;
        while (ms < qint64(seconds) * 1000) {
            const qint64 due = wall.elapsed();
            for (; ms <= due && ms < qint64(seconds) * 1000; ++ms)
                for (int c = 0; c < 20; ++c)
                    store.append(ids[c], t0 + ms, ms, double((ms * (c + 1)) % 1000) * 0.01);
            maxQueue = std::max(maxQueue, store.queuedSamples());
            QThread::msleep(5);
        }
        store.flush();
        const double elapsed = double(wall.nsecsElapsed()) / 1e9;
        const double writerCpu = (processCpuSeconds() - cpu0) - (threadCpuSeconds() - main0);
        std::printf("rate: 20 ch x 1 kHz for %d s: %llu samples written, %llu refused, largest queue %d, "
                    "writer CPU %.1f%% of a core, %llu batches, file %.1f MiB\n",
                    seconds, qulonglong(store.writtenSamples()), qulonglong(store.refusedSamples()), maxQueue,
                    100.0 * writerCpu / elapsed, qulonglong(store.committedBatches()),
                    double(store.fileBytes()) / 1048576.0);
    }
    // 2. As fast as it goes.
    {
        HistoryOptions o;
        o.path = tmp.filePath(QStringLiteral("burst.sqlite"));
        o.maxAgeMs = 0;
        o.maxBytes = 0;
        HistoryStore store(o);
        store.open();
        const qint64 id = store.seriesId(QStringLiteral("burst"), QStringLiteral("/v"));
        QElapsedTimer wall;
        wall.start();
        for (qint64 i = 0; i < burst; ++i)
            while (!store.append(id, t0 + i, i, double(i % 977)))
                QThread::usleep(200);
        store.flush();
        const double s = double(wall.nsecsElapsed()) / 1e9;
        std::printf(
            "burst: %lld samples committed in %.2f s: %.0f samples/s (%llu refused while full, retried)\n",
            qlonglong(burst), s, double(burst) / s, qulonglong(store.refusedSamples()));
    }
    // 3. A week at 1 Hz.
    {
        HistoryOptions o;
        o.path = tmp.filePath(QStringLiteral("week.sqlite"));
        o.maxAgeMs = 0;
        o.maxBytes = 0;
        HistoryStore store(o);
        store.open();
        const qint64 id = store.seriesId(QStringLiteral("srv|week"), QStringLiteral("/v"));
        const qint64 week = 7LL * 86400 * 1000;
        for (qint64 t = 0; t < week; t += 1000)
            while (!store.append(id, t0 + t, t / 1000, double((t / 1000) % 3600)))
                QThread::usleep(200);
        store.flush();
        int n10 = 0, n1 = 0, nh = 0;
        const double ms10 = medianMs([&] { n10 = int(store.buckets(id, t0, t0 + week, 600000).size()); });
        const double ms1 = medianMs([&] { n1 = int(store.buckets(id, t0, t0 + week, 60000).size()); });
        const double msh =
            medianMs([&] { nh = int(store.buckets(id, t0 + week - 3600000, t0 + week, 1000).size()); });
        std::printf(
            "read: 7 days of one field (1 Hz): %d buckets of 10 min in %.2f ms, %d of 1 min in %.2f ms; "
            "the last hour in %d buckets of 1 s in %.2f ms\n",
            n10, ms10, n1, ms1, nh, msh);

        // 4. The chart's week.
        const qint64 now = t0 + week - 1000;
        SeriesStore rings;
        for (qint64 t = now - rings.retentionMs() + 1000; t <= now; t += 1000)
            rings.addSample(SeriesKey::channel(QStringLiteral("week")), QStringLiteral("/v"), t,
                            double((t - t0) / 1000 % 3600));
        ChartHistory history;
        history.setStore(&store, QStringLiteral("srv"));
        std::vector<double> drawn, reads;
        int points = 0, fromStore = 0;
        double tickMs = 0;
        for (int run = 0; run < 5; ++run) {
            DisplayClock clock;
            clock.tickAt(now);
            ChartFeeder feeder;
            feeder.setClock(&clock);
            feeder.setStore(&rings);
            feeder.setHistory(&history);
            feeder.setColumns(columns);
            feeder.setWindowMs(int(week));
            PlotLine line(PlotLine::Line);
            QElapsedTimer timer;
            timer.start();
            feeder.attach(&line, QStringLiteral("week"), QStringLiteral("/v")); // attach ticks
            if (feeder.historyReads() < 1 || feeder.historyPending()) {
                QEventLoop loop;
                QObject::connect(&feeder, &ChartFeeder::historyStateChanged, &loop, [&] {
                    if (feeder.historyReads() >= 1 && !feeder.historyPending())
                        loop.quit();
                });
                loop.exec();
            }
            drawn.push_back(double(timer.nsecsElapsed()) / 1e6);
            points = line.count();
            fromStore = feeder.historyPointCount();
            ChartHistoryRequest ask;
            ask.channel = QStringLiteral("week");
            ask.path = QStringLiteral("/v");
            ask.bucketMs = ChartHistory::bucketWidth(columnWidth(now - week, now, columns));
            ask.fromMs = now - week;
            ask.toMs = now - rings.retentionMs();
            QElapsedTimer readTimer;
            readTimer.start();
            ChartHistory::read(store, QStringLiteral("srv"), ask);
            reads.push_back(double(readTimer.nsecsElapsed()) / 1e6);
            if (run == 4) {
                // Display ticks later, a new sample each (the store's part cached): the merge
                // with the rings' part and the replace, on this (the GUI) thread.
                QElapsedTimer tickTimer;
                tickTimer.start();
                for (int i = 1; i <= 20; ++i) {
                    rings.addSample(SeriesKey::channel(QStringLiteral("week")), QStringLiteral("/v"),
                                    now + i * 1000, double(i));
                    clock.tickAt(now + i * 1000);
                }
                tickMs = double(tickTimer.nsecsElapsed()) / 1e6 / 20;
            }
        }
        std::sort(drawn.begin(), drawn.end());
        std::sort(reads.begin(), reads.end());
        std::printf("chart: a 7-day window of one field (1 Hz) on %d columns: drawn in %.2f ms (median of 5; "
                    "slowest %.2f ms); the store read alone %.2f ms; %d points, %d from the store "
                    "(%lld ms buckets); a display tick after: %.3f ms\n",
                    columns, drawn[2], drawn[4], reads[2], points, fromStore,
                    qlonglong(ChartHistory::bucketWidth(columnWidth(now - week, now, columns))), tickMs);

        // 5. The export of that week (pulseboard-cli --export), against the read alone.
        qint64 readRows = 0;
        const double readMs = medianMs([&] {
            readRows = 0;
            store.forEachSample(id, t0, t0 + week, [&](const HistorySample &) {
                ++readRows;
                return true;
            });
        });
        for (const auto format : {HistoryExportSpec::Format::Csv, HistoryExportSpec::Format::JsonLines}) {
            HistoryExportSpec spec;
            spec.format = format;
            HistoryExportResult result;
            const double ms = medianMs([&] {
                QFile sink(QStringLiteral("/dev/null"));
                sink.open(QIODevice::WriteOnly);
                result = exportHistory(store, spec, &sink);
            });
            const qint64 bytes = result.bytes;
            std::printf(
                "export: the week as %s: %lld rows in %.1f ms (%.2f M rows/s, %.0f MB/s; median of 5), "
                "%.1fx the read alone (%lld rows in %.1f ms)%s\n",
                format == HistoryExportSpec::Format::Csv ? "CSV" : "JSON Lines", qlonglong(result.rows), ms,
                double(result.rows) / ms / 1000.0, double(bytes) / ms / 1000.0, ms / readMs,
                qlonglong(readRows), readMs, result.error.isEmpty() ? "" : " FAILED");
        }
    }
    return 0;
}
