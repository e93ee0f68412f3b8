// bench-dashboard: benchmarks 2 and 5 of docs/PERFORMANCE.md, the real `pulseboard` app under
// an X server (bench/dashboard.sh and bench/memory.sh run it inside xvfb-run).
//
// Load mode (default): two dashboards side by side for the same window, each subscribed to the
// same C bench channels and connected to its own bench-blaster:
//   idle  the blaster only answers (the baseline: what the dashboard costs with no data)
//   load  the blaster sends R messages a second on each channel, paced, wall-clock stamped
// Each dashboard prints its frame stats (--stats-interval 1000: fps, frame-time histogram,
// queue depths, message lag); /proc gives its CPU and RSS once a second; the blaster reports
// the backlog the dashboard leaves it. Prints fps median/min, p99 frame time (merged 1 ms
// histograms), RSS after the warm-up vs at the end, queue depths, and each figure's ratio to
// the idle dashboard of the same run.
//
// Memory mode (--memory): per run, three dashboards one after the other, each on its own blaster:
//   base     connected, subscribed to nothing
//   channels subscribed to C quiet channels
//   filled   subscribed to C channels, each filled with S samples (S = the series capacity)
// RSS (median of a few samples once settled): (channels - base) / C is the cost of a subscribed
// channel, (filled - channels) / (C x S) the cost of a retained sample, next to the 16 B a
// sample takes in the ring.

#include "BenchUtil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <vector>

using namespace Pulseboard::Bench;

namespace {

double secondsSince(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e9;
}

struct BlasterStat
{
    int from = 0; // which of the target's blasters (one a source)
    double t = 0;
    qint64 sent = 0;
    qint64 backlog = 0; // bytes the dashboard has not taken: held by the blaster + in its socket
};

struct ProcPoint
{
    double t = 0;
    ProcSample s;
};

struct Frames
{
    double t = 0;
    QJsonObject line;
};

// One dashboard and its blaster.
struct Target
{
    QString name;
    std::unique_ptr<QProcess> blaster;
    std::vector<std::unique_ptr<QProcess>> sourceBlasters; // --sources: one more a source
    std::unique_ptr<QProcess> app;
    QList<Frames> frames;
    QList<BlasterStat> blasts;
    QList<ProcPoint> proc;
    QString failure;
};

class Runner
{
public:
    Runner(const QString &bin, const QString &home, const QString &geometry, int displayRate,
           const QString &renderer, const QStringList &extra = {})
        : m_bin(bin), m_home(home), m_geometry(geometry), m_displayRate(displayRate), m_renderer(renderer),
          m_extra(extra)
    {
        m_clock.start();
    }

    double now() const { return secondsSince(m_clock); }

    // A blaster with `blasterArgs` whose stats lines go to `t` as blaster `from`; its port, or 0.
    int startBlaster(Target &t, QProcess *blaster, const QStringList &blasterArgs, int from)
    {
        blaster->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        blaster->start(m_bin + QStringLiteral("/bench-blaster"), blasterArgs);
        const int port = readListeningPort(*blaster);
        if (port <= 0) {
            std::fprintf(stderr, "bench-dashboard: bench-blaster did not start\n");
            return 0;
        }
        Target *target = &t;
        QObject::connect(blaster, &QProcess::readyReadStandardOutput, blaster, [this, target, blaster, from] {
            while (blaster->canReadLine()) {
                const QByteArray line = blaster->readLine().trimmed();
                if (!line.startsWith("stats "))
                    continue;
                BlasterStat b;
                b.from = from;
                b.t = now();
                for (const QByteArray &field : line.split(' ')) {
                    if (field.startsWith("sent="))
                        b.sent = field.mid(5).toLongLong();
                    else if (field.startsWith("pending=") || field.startsWith("outq="))
                        b.backlog += field.mid(field.indexOf('=') + 1).toLongLong();
                }
                target->blasts.append(b);
            }
        });
        return port;
    }

    // Starts a blaster with `blasterArgs` and a dashboard subscribed to `channels` bench channels;
    // with `sources` > 1 the channels are split over that many sources, each its own blaster
    // (the first source's, then --source sK=... for the others, their channels sK/bench.N).
    bool start(Target &t, const QStringList &blasterArgs, int channels, int sources = 1)
    {
        sources = qBound(1, sources, channels);
        const int perSource = channels / sources;
        QStringList args0 = blasterArgs;
        if (sources > 1) {
            const qsizetype at = args0.indexOf(QStringLiteral("--channels"));
            if (at >= 0 && at + 1 < args0.size())
                args0[at + 1] = QString::number(perSource);
        }
        t.blaster = std::make_unique<QProcess>();
        const int port = startBlaster(t, t.blaster.get(), args0, 0);
        if (port <= 0)
            return false;
        Target *target = &t;
        QStringList sourceArgs;
        for (int k = 1; k < sources; ++k) {
            t.sourceBlasters.push_back(std::make_unique<QProcess>());
            const int p = startBlaster(t, t.sourceBlasters.back().get(), args0, k);
            if (p <= 0)
                return false;
            sourceArgs << QStringLiteral("--source") << QStringLiteral("s%1=ws://127.0.0.1:%2").arg(k).arg(p);
            for (int c = 0; c < perSource; ++c)
                sourceArgs << QStringLiteral("--subscribe") << QStringLiteral("s%1/bench.%2").arg(k).arg(c);
        }
        if (sources > 1)
            channels = perSource;

        QStringList args{QStringLiteral("--url"),
                         QStringLiteral("ws://127.0.0.1:%1").arg(port),
                         QStringLiteral("--no-settings"),
                         QStringLiteral("--stats-interval"),
                         QStringLiteral("1000"),
                         QStringLiteral("--geometry"),
                         m_geometry,
                         QStringLiteral("--display-rate"),
                         QString::number(m_displayRate),
                         QStringLiteral("--renderer"),
                         m_renderer};
        args << m_extra;
        for (int c = 0; c < channels; ++c)
            args << QStringLiteral("--subscribe") << QStringLiteral("bench.%1").arg(c);
        args << sourceArgs;
        t.app = std::make_unique<QProcess>();
        // Its own HOME: the dashboard's outbox journal and caches land in a scratch folder.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_home);
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), m_home + QStringLiteral("/cache"));
        t.app->setProcessEnvironment(env);
        t.app->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(t.app.get(), &QProcess::readyReadStandardOutput, t.app.get(), [this, target] {
            while (target->app->canReadLine()) {
                const QJsonObject o = QJsonDocument::fromJson(target->app->readLine()).object();
                if (o.value(QStringLiteral("event")).toString() == QLatin1StringView("frames"))
                    target->frames.append({now(), o});
            }
        });
        QObject::connect(
            t.app.get(), &QProcess::finished, t.app.get(), [this, target](int code, QProcess::ExitStatus) {
                if (!m_stopping && target->failure.isEmpty())
                    target->failure = QStringLiteral("the dashboard exited early (code %1)").arg(code);
            });
        t.app->start(m_bin + QStringLiteral("/pulseboard"), args);
        if (!t.app->waitForStarted(10000)) {
            std::fprintf(stderr, "bench-dashboard: pulseboard did not start\n");
            return false;
        }
        return true;
    }

    void sample(Target &t)
    {
        if (t.app && t.app->state() == QProcess::Running)
            t.proc.append({now(), sampleProcess(t.app->processId())});
    }

    // Runs the event loop for `seconds`, sampling /proc once a second, or until `done` says so.
    void wait(std::vector<Target *> targets, double seconds, const std::function<bool()> &done = {})
    {
        QEventLoop loop;
        QTimer tick;
        const double until = now() + seconds;
        QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
            for (Target *t : targets)
                sample(*t);
            if (now() >= until || (done && done()))
                loop.quit();
            for (Target *t : targets)
                if (!t->failure.isEmpty())
                    loop.quit();
        });
        tick.start(1000);
        loop.exec();
    }

    void stop(Target &t)
    {
        m_stopping = true;
        if (t.app) {
            t.app->terminate(); // SIGTERM: the dashboard closes its socket and quits
            if (!t.app->waitForFinished(10000)) {
                t.app->kill();
                t.app->waitForFinished(5000);
            }
        }
        if (t.blaster && !t.blaster->waitForFinished(10000)) {
            t.blaster->kill();
            t.blaster->waitForFinished(5000);
        }
        for (const auto &b : t.sourceBlasters)
            if (!b->waitForFinished(10000)) {
                b->kill();
                b->waitForFinished(5000);
            }
        m_stopping = false;
    }

private:
    QString m_bin;
    QString m_home;
    QString m_geometry;
    int m_displayRate;
    QString m_renderer;
    QStringList m_extra; // --dashboard-arg: appended to every dashboard's command line
    QElapsedTimer m_clock;
    bool m_stopping = false;
};

// The first /proc sample at or after `t` (the last one when there is none).
ProcSample procAt(const Target &t, double at)
{
    for (const ProcPoint &p : t.proc)
        if (p.t >= at)
            return p.s;
    return t.proc.isEmpty() ? ProcSample{} : t.proc.last().s;
}

double procTimeAt(const Target &t, double at)
{
    for (const ProcPoint &p : t.proc)
        if (p.t >= at)
            return p.t;
    return t.proc.isEmpty() ? 0 : t.proc.last().t;
}

struct Figures
{
    int intervals = 0;
    double fpsMedian = 0;
    double fpsMin = 0;
    double fpsP5 = 0;
    double p99Ms = 0;
    double p50Ms = 0;
    double maxMs = 0;
    double slowShare = 0; // frames over 50 ms
    double cpuPercent = 0;
    double rssWarmMiB = 0;
    double rssEndMiB = 0;
    double rssMaxMiB = 0;
    double msgRate = 0;
    qint64 messages = 0;
    double lagWarm = 0;
    double lagEnd = 0;
    double lagMedian = 0;
    double lagMax = 0;
    double backlogWarm = 0;
    double backlogEnd = 0;
    double backlogMax = 0;
    int rawHeldMax = 0;
    int eventsEnd = 0;
    int outboxMax = 0;
    double storeMiB = 0;
    int threads = 0;
};

Figures figuresOf(const Target &t, double start, double settle, double warmup, double end)
{
    Figures f;
    QList<double> fps;
    QList<double> lags;
    std::map<int, qint64> hist;
    qint64 frames = 0;
    qint64 slow = 0;
    const Frames *warmLine = nullptr;
    const Frames *endLine = nullptr;
    for (const Frames &fr : t.frames) {
        if (fr.t < start + settle)
            continue;
        const QJsonObject &o = fr.line;
        fps.append(o.value(QStringLiteral("fps")).toDouble());
        f.maxMs = qMax(f.maxMs, o.value(QStringLiteral("frameMsMax")).toDouble());
        const QJsonObject h = o.value(QStringLiteral("frameHist")).toObject();
        for (auto it = h.begin(); it != h.end(); ++it) {
            const int ms = it.key().toInt();
            const qint64 n = it.value().toInteger();
            hist[ms] += n;
            frames += n;
            if (ms >= 50)
                slow += n;
        }
        const QJsonObject q = o.value(QStringLiteral("queues")).toObject();
        if (fr.t >= start + warmup) {
            if (!warmLine)
                warmLine = &fr;
            endLine = &fr;
            lags.append(q.value(QStringLiteral("lagMs")).toDouble());
            f.lagMax = qMax(f.lagMax, q.value(QStringLiteral("lagMsMax")).toDouble());
            f.rawHeldMax = qMax(f.rawHeldMax, q.value(QStringLiteral("rawHeld")).toInt());
            f.outboxMax = qMax(f.outboxMax, q.value(QStringLiteral("outbox")).toInt());
        }
    }
    f.intervals = int(fps.size());
    f.fpsMedian = median(fps);
    f.fpsMin = fps.isEmpty() ? 0 : *std::min_element(fps.begin(), fps.end());
    f.fpsP5 = quantile(fps, 0.05);
    auto percentile = [&](double p) {
        const qint64 rank = qMax<qint64>(1, qint64(std::ceil(double(frames) * p)));
        qint64 seen = 0;
        for (const auto &[ms, n] : hist) {
            seen += n;
            if (seen >= rank)
                return double(ms + 1);
        }
        return 0.0;
    };
    f.p99Ms = percentile(0.99);
    f.p50Ms = percentile(0.50);
    f.slowShare = frames > 0 ? double(slow) / double(frames) : 0;
    f.lagMedian = median(lags);
    if (warmLine && endLine) {
        const QJsonObject qw = warmLine->line.value(QStringLiteral("queues")).toObject();
        const QJsonObject qe = endLine->line.value(QStringLiteral("queues")).toObject();
        f.lagWarm = qw.value(QStringLiteral("lagMs")).toDouble();
        f.lagEnd = qe.value(QStringLiteral("lagMs")).toDouble();
        f.eventsEnd = qe.value(QStringLiteral("events")).toInt();
        const double m0 = warmLine->line.value(QStringLiteral("messages")).toDouble();
        const double m1 = endLine->line.value(QStringLiteral("messages")).toDouble();
        f.messages = qint64(m1);
        if (endLine->t > warmLine->t)
            f.msgRate = (m1 - m0) / (endLine->t - warmLine->t);
        f.storeMiB = endLine->line.value(QStringLiteral("storeBytes")).toDouble() / 1048576.0;
    }
    // The backlog of all the target's blasters: each one's latest report, summed at each report
    // of the first.
    std::map<int, qint64> latest;
    for (const BlasterStat &b : t.blasts) {
        latest[b.from] = b.backlog;
        if (b.from != 0 || b.t < start + warmup)
            continue;
        qint64 backlog = 0;
        for (const auto &[from, bytes] : latest)
            backlog += bytes;
        if (f.backlogWarm == 0 && b.t < start + warmup + 1.5)
            f.backlogWarm = double(backlog);
        f.backlogEnd = double(backlog);
        f.backlogMax = qMax(f.backlogMax, double(backlog));
    }
    const ProcSample w = procAt(t, start + warmup);
    const ProcSample e = procAt(t, end);
    const double span = procTimeAt(t, end) - procTimeAt(t, start + warmup);
    f.cpuPercent = span > 0 ? (e.cpu - w.cpu) / span * 100.0 : 0;
    f.rssWarmMiB = double(w.rssKb) / 1024.0;
    f.rssEndMiB = double(e.rssKb) / 1024.0;
    for (const ProcPoint &p : t.proc)
        if (p.t >= start + warmup)
            f.rssMaxMiB = qMax(f.rssMaxMiB, double(p.s.rssKb) / 1024.0);
    f.threads = e.threads;
    return f;
}

QByteArray ratio(double value, double base)
{
    return base > 0 ? QByteArray::number(value / base, 'f', 2) : QByteArrayLiteral("-");
}

int runLoad(Runner &runner, int seconds, int warmup, int channels, double rate, int sources)
{
    const int settle = 5;
    std::printf(
        "dashboard: %d channels x %g Hz = %g msgs/s for %d s over %d source(s); idle dashboard side by side "
        "(baseline, the same sources); frames counted after %d s, RSS and queues compared from %d s\n",
        channels, rate, channels * rate, seconds, sources, settle, warmup);
    std::fflush(stdout);
    Target idle;
    idle.name = QStringLiteral("idle");
    Target load;
    load.name = QStringLiteral("load");
    if (!runner.start(idle,
                      {QStringLiteral("--count"), QStringLiteral("0"), QStringLiteral("--channels"),
                       QString::number(channels)},
                      channels, sources) ||
        !runner.start(load,
                      {QStringLiteral("--rate"), QString::number(rate), QStringLiteral("--channels"),
                       QString::number(channels)},
                      channels, sources))
        return 1;
    const double start = runner.now();
    double nextReport = start + 60;
    // Progress once a minute, so a long run shows it is alive.
    while (runner.now() < start + seconds) {
        runner.wait({&idle, &load}, qMin(nextReport, start + seconds) - runner.now());
        if (!idle.failure.isEmpty() || !load.failure.isEmpty())
            break;
        if (runner.now() >= nextReport) {
            const Frames *last = load.frames.isEmpty() ? nullptr : &load.frames.last();
            const ProcSample s = procAt(load, runner.now() - 1);
            std::printf("  %4.0f s: load fps %.1f, p99 %d ms, rss %.1f MiB, lag %.0f ms, messages %.0f\n",
                        runner.now() - start, last ? last->line.value(QStringLiteral("fps")).toDouble() : 0.0,
                        last ? last->line.value(QStringLiteral("frameMsP99")).toInt() : 0,
                        double(s.rssKb) / 1024.0,
                        last ? last->line.value(QStringLiteral("queues"))
                                   .toObject()
                                   .value(QStringLiteral("lagMs"))
                                   .toDouble()
                             : 0.0,
                        last ? last->line.value(QStringLiteral("messages")).toDouble() : 0.0);
            std::fflush(stdout);
            nextReport += 60;
        }
    }
    const double end = runner.now();
    runner.stop(load);
    runner.stop(idle);
    for (const Target *t : {&idle, &load}) {
        if (!t->failure.isEmpty()) {
            std::fprintf(stderr, "bench-dashboard: %s: %s\n", qPrintable(t->name), qPrintable(t->failure));
            return 1;
        }
    }

    const Figures i = figuresOf(idle, start, settle, warmup, end);
    const Figures l = figuresOf(load, start, settle, warmup, end);
    if (!load.frames.isEmpty())
        std::printf("renderer (as the load dashboard reports it): %s\n",
                    qPrintable(load.frames.last().line.value(QStringLiteral("renderer")).toString()));
    std::printf("\n%-28s %12s %12s %8s\n", "", "idle", "load", "ratio");
    auto row = [](const char *name, double a, double b, const char *fmt) {
        char x[32];
        char y[32];
        std::snprintf(x, sizeof x, fmt, a);
        std::snprintf(y, sizeof y, fmt, b);
        std::printf("%-28s %12s %12s %8s\n", name, x, y, ratio(b, a).constData());
    };
    row("fps median (1 s intervals)", i.fpsMedian, l.fpsMedian, "%.1f");
    row("fps min", i.fpsMin, l.fpsMin, "%.1f");
    row("fps 5th percentile", i.fpsP5, l.fpsP5, "%.1f");
    row("frame ms p50", i.p50Ms, l.p50Ms, "%.0f");
    row("frame ms p99", i.p99Ms, l.p99Ms, "%.0f");
    row("frame ms max", i.maxMs, l.maxMs, "%.0f");
    row("frames >= 50 ms (%)", i.slowShare * 100, l.slowShare * 100, "%.2f");
    row("CPU % (of one core)", i.cpuPercent, l.cpuPercent, "%.1f");
    row("RSS MiB after warm-up", i.rssWarmMiB, l.rssWarmMiB, "%.1f");
    row("RSS MiB at end", i.rssEndMiB, l.rssEndMiB, "%.1f");
    row("RSS MiB max", i.rssMaxMiB, l.rssMaxMiB, "%.1f");
    row("msgs/s received", i.msgRate, l.msgRate, "%.0f");
    row("messages received", double(i.messages), double(l.messages), "%.0f");
    row("sample store MiB", i.storeMiB, l.storeMiB, "%.2f");
    row("lag ms median", i.lagMedian, l.lagMedian, "%.0f");
    row("lag ms after warm-up", i.lagWarm, l.lagWarm, "%.0f");
    row("lag ms at end", i.lagEnd, l.lagEnd, "%.0f");
    row("lag ms max", i.lagMax, l.lagMax, "%.0f");
    row("sender backlog KiB warm-up", i.backlogWarm / 1024, l.backlogWarm / 1024, "%.1f");
    row("sender backlog KiB at end", i.backlogEnd / 1024, l.backlogEnd / 1024, "%.1f");
    row("sender backlog KiB max", i.backlogMax / 1024, l.backlogMax / 1024, "%.1f");
    row("raw frames held max", i.rawHeldMax, l.rawHeldMax, "%.0f");
    row("outbox max", i.outboxMax, l.outboxMax, "%.0f");
    row("event log rows at end", i.eventsEnd, l.eventsEnd, "%.0f");
    row("threads", i.threads, l.threads, "%.0f");
    std::printf("(%d one-second intervals after %d s; ratio: load / idle of the same run)\n", l.intervals,
                settle);

    const double growth = l.rssWarmMiB > 0 ? (l.rssEndMiB - l.rssWarmMiB) / l.rssWarmMiB * 100 : 0;
    const double offered = (channels / sources) * sources * rate;
    std::printf("\ntargets:\n");
    std::printf("  >= 30 fps sustained:      median %.1f, min %.1f  -> %s\n", l.fpsMedian, l.fpsMin,
                l.fpsMin >= 30      ? "met"
                : l.fpsMedian >= 30 ? "median met, min NOT met"
                                    : "NOT met");
    std::printf("  p99 frame time < 50 ms:   %.0f ms  -> %s\n", l.p99Ms, l.p99Ms < 50 ? "met" : "NOT met");
    std::printf("  RSS flat (within 10 %%):   %.1f -> %.1f MiB (%+.1f %%)  -> %s\n", l.rssWarmMiB,
                l.rssEndMiB, growth, qAbs(growth) <= 10 ? "met" : "NOT met");
    // A queue that grows shows up as the sender's backlog or the lag of what arrives.
    const bool flat =
        l.backlogEnd <= qMax(l.backlogWarm * 2, 256.0 * 1024) && l.lagEnd <= qMax(l.lagWarm * 2, 250.0);
    std::printf(
        "  no queue growth:          sender backlog %.0f -> %.0f KiB, lag %.0f -> %.0f ms, raw held max %d"
        "  -> %s\n",
        l.backlogWarm / 1024, l.backlogEnd / 1024, l.lagWarm, l.lagEnd, l.rawHeldMax,
        flat ? "met" : "NOT met");
    std::printf("  all messages taken:       %.0f of %.0f msgs/s offered  -> %s\n", l.msgRate, offered,
                l.msgRate >= offered * 0.98 ? "met" : "NOT met");
    return 0;
}

int runMemory(Runner &runner, int runs, int channels, int samples)
{
    std::printf(
        "memory: %d runs; %d channels, each filled with %d samples (one numeric field: one series each)\n",
        runs, channels, samples);
    std::fflush(stdout);
    QList<double> base, subscribed, filled, store, perChannel, perSample;
    for (int run = 0; run < runs; ++run) {
        auto measure = [&](const QString &name, const QStringList &blasterArgs, int subs, qint64 expect,
                           double *storeMiB) -> double {
            Target t;
            t.name = name;
            if (!runner.start(t, blasterArgs, subs))
                return -1;
            // Settled: every expected message taken and the charts drawn a while.
            double doneAt = -1;
            runner.wait({&t}, 120, [&] {
                if (t.frames.isEmpty())
                    return false;
                const double got = t.frames.last().line.value(QStringLiteral("messages")).toDouble();
                if (got >= double(expect) && doneAt < 0)
                    doneAt = runner.now();
                return doneAt >= 0 && runner.now() - doneAt >= 6;
            });
            QList<double> rss;
            for (int k = 0; k < 3; ++k) {
                rss.append(double(sampleProcess(t.app->processId()).rssKb));
                QThread::msleep(300);
            }
            const double got =
                t.frames.isEmpty() ? 0 : t.frames.last().line.value(QStringLiteral("messages")).toDouble();
            if (storeMiB)
                *storeMiB = t.frames.isEmpty()
                                ? 0
                                : t.frames.last().line.value(QStringLiteral("storeBytes")).toDouble();
            runner.stop(t);
            if (!t.failure.isEmpty() || got < double(expect)) {
                std::fprintf(stderr, "bench-dashboard: %s: %s (%.0f of %lld messages)\n", qPrintable(name),
                             qPrintable(t.failure.isEmpty() ? QStringLiteral("not settled") : t.failure), got,
                             static_cast<long long>(expect));
                return -1;
            }
            return median(rss) * 1024.0;
        };
        const QStringList quiet{QStringLiteral("--count"), QStringLiteral("0"), QStringLiteral("--channels"),
                                QString::number(channels)};
        const qint64 count = qint64(channels) * samples;
        double storeBytes = 0;
        const double b = measure(QStringLiteral("base"), quiet, 0, 0, nullptr);
        const double s = measure(QStringLiteral("channels"), quiet, channels, 0, nullptr);
        const double f = measure(QStringLiteral("filled"),
                                 {QStringLiteral("--count"), QString::number(count),
                                  QStringLiteral("--channels"), QString::number(channels)},
                                 channels, count, &storeBytes);
        if (b < 0 || s < 0 || f < 0)
            return 1;
        base.append(b);
        subscribed.append(s);
        filled.append(f);
        store.append(storeBytes);
        perChannel.append((s - b) / channels);
        perSample.append((f - s) / double(count));
        std::printf(
            "  run %d: RSS base %.1f MiB, %d channels %.1f MiB, filled %.1f MiB, sample store %.2f MiB: "
            "%.0f KiB per channel, %.1f B per sample\n",
            run + 1, b / 1048576, channels, s / 1048576, f / 1048576, storeBytes / 1048576,
            perChannel.last() / 1024, perSample.last());
        std::fflush(stdout);
    }
    const double samplesHeld = double(channels) * samples;
    std::printf("\nmedians of %d runs:\n", runs);
    std::printf("  RSS MiB: base %.1f, %d channels subscribed %.1f, filled %.1f\n", median(base) / 1048576,
                channels, median(subscribed) / 1048576, median(filled) / 1048576);
    std::printf("  per subscribed channel (no data): %.0f KiB\n", median(perChannel) / 1024);
    std::printf(
        "  per retained sample: %.1f B measured (RSS), %.1f B by the store's own count, 16 B the ring's"
        " sample\n",
        median(perSample), median(store) / samplesHeld);
    std::printf(
        "  a channel at the default bound (%d samples): %.0f KiB measured, %.0f KiB designed (16 B x %d)\n",
        samples, median(perSample) * samples / 1024, 16.0 * samples / 1024, samples);
    return 0;
}

// Burst (2c): the blaster writes `count` messages over `channels` as fast as the dashboard takes
// them (a server replaying its history to a new subscriber); what the window does meanwhile:
// the longest frame interval, frames over 50 and 100 ms, and how long the drain took. The
// dashboard reports once a second, so the drain is known to that second.
int runBurst(Runner &runner, int channels, qint64 count)
{
    std::printf("burst: %lld messages over %d channels, sent as fast as the dashboard takes them\n",
                static_cast<long long>(count), channels);
    std::fflush(stdout);
    Target t;
    t.name = QStringLiteral("burst");
    if (!runner.start(t,
                      {QStringLiteral("--count"), QString::number(count), QStringLiteral("--channels"),
                       QString::number(channels)},
                      channels))
        return 1;
    auto messagesOf = [](const Frames &f) { return f.line.value(QStringLiteral("messages")).toDouble(); };
    double doneAt = -1;
    runner.wait({&t}, 180, [&] {
        if (t.frames.isEmpty())
            return false;
        if (messagesOf(t.frames.last()) >= double(count) && doneAt < 0)
            doneAt = runner.now();
        return doneAt >= 0 && runner.now() - doneAt >= 3;
    });
    runner.stop(t);
    if (!t.failure.isEmpty() || doneAt < 0) {
        std::fprintf(stderr, "bench-dashboard: burst: %s\n",
                     qPrintable(t.failure.isEmpty() ? QStringLiteral("not drained in 180 s") : t.failure));
        return 1;
    }
    // The intervals from the last one before the first message to the first one holding all.
    int first = -1;
    int last = -1;
    for (int i = 0; i < t.frames.size(); ++i) {
        if (first < 0 && messagesOf(t.frames[i]) > 0)
            first = i;
        if (last < 0 && messagesOf(t.frames[i]) >= double(count))
            last = i;
    }
    double maxMs = 0;
    qint64 frames = 0, over50 = 0, over100 = 0;
    for (int i = first; i >= 0 && i <= last; ++i) {
        const QJsonObject &o = t.frames[i].line;
        maxMs = qMax(maxMs, o.value(QStringLiteral("frameMsMax")).toDouble());
        const QJsonObject h = o.value(QStringLiteral("frameHist")).toObject();
        for (auto it = h.begin(); it != h.end(); ++it) {
            const qint64 n = it.value().toInteger();
            frames += n;
            over50 += it.key().toInt() >= 50 ? n : 0;
            over100 += it.key().toInt() >= 100 ? n : 0;
        }
    }
    const int seconds = last - first + 1;
    std::printf("  drained in %d s (%d one-second reports, the first with a message to the first with all)\n",
                seconds, seconds);
    std::printf(
        "  frames meanwhile: %lld (%.1f a second), longest interval %.0f ms, >= 50 ms: %lld, >= 100 ms: "
        "%lld\n",
        static_cast<long long>(frames), double(frames) / qMax(1, seconds), maxMs,
        static_cast<long long>(over50), static_cast<long long>(over100));
    std::printf("\ntarget:\n  no frame over 100 ms while it drains: longest %.0f ms  -> %s\n", maxMs,
                maxMs <= 100 ? "met" : "NOT met");
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Dashboard benchmarks: under load (2) and memory per channel (5)."));
    parser.addHelpOption();
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"),
                                        QStringLiteral("Load: measured run (default 600)."),
                                        QStringLiteral("S"), QStringLiteral("600"));
    const QCommandLineOption minutesOpt(
        QStringLiteral("minutes"), QStringLiteral("Load: measured run in minutes."), QStringLiteral("M"));
    const QCommandLineOption warmupOpt(
        QStringLiteral("warmup"),
        QStringLiteral("Load: RSS and queues compared from here (default 60, at most a third of the run)."),
        QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption channelsOpt(QStringLiteral("channels"), QStringLiteral("Channels (default 20)."),
                                         QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption rateOpt(QStringLiteral("rate"),
                                     QStringLiteral("Load: messages a second per channel (default 1000)."),
                                     QStringLiteral("HZ"), QStringLiteral("1000"));
    const QCommandLineOption geometryOpt(QStringLiteral("geometry"),
                                         QStringLiteral("Window size (default 1440x900)."),
                                         QStringLiteral("WxH"), QStringLiteral("1440x900"));
    const QCommandLineOption displayRateOpt(
        QStringLiteral("display-rate"),
        QStringLiteral("The dashboards' chart refresh rate, 1-30 Hz (default 30: frames only come when "
                       "something changes, "
                       "so this is the most frames a second the charts can ask for)."),
        QStringLiteral("HZ"), QStringLiteral("30"));
    const QCommandLineOption sourcesOpt(
        QStringLiteral("sources"),
        QStringLiteral("Load: split the channels over N sources, each its own blaster and connection "
                       "(default 1; e.g. --sources 4 --channels 20: 4 sources x 5 channels)."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption memoryOpt(QStringLiteral("memory"),
                                       QStringLiteral("Run the memory benchmark instead."));
    const QCommandLineOption runsOpt(QStringLiteral("runs"), QStringLiteral("Memory: runs (default 3)."),
                                     QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption samplesOpt(
        QStringLiteral("samples"),
        QStringLiteral("Memory: samples per channel (default 32768, a series' capacity)."),
        QStringLiteral("N"), QStringLiteral("32768"));
    const QCommandLineOption rendererOpt(
        QStringLiteral("renderer"),
        QStringLiteral("The dashboards' --renderer: auto (default), software or gpu."),
        QStringLiteral("MODE"), QStringLiteral("auto"));
    const QCommandLineOption burstOpt(
        QStringLiteral("burst"),
        QStringLiteral("Run the burst benchmark instead: N messages sent as fast as the dashboard takes them "
                       "(e.g. 200000, a server replaying history)."),
        QStringLiteral("N"));
    const QCommandLineOption dashboardArgOpt(
        QStringLiteral("dashboard-arg"),
        QStringLiteral(
            "One more argument for every dashboard (repeatable), e.g. --dashboard-arg=--network-thread "
            "--dashboard-arg=off for the single-threaded baseline."),
        QStringLiteral("ARG"));
    parser.addOptions({secondsOpt, minutesOpt, warmupOpt, channelsOpt, rateOpt, geometryOpt, displayRateOpt,
                       rendererOpt, sourcesOpt, memoryOpt, runsOpt, samplesOpt, burstOpt, dashboardArgOpt});
    parser.process(app);

    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariable("QT_QPA_PLATFORM").isEmpty()) {
        std::fprintf(stderr, "bench-dashboard: no DISPLAY; run it through bench/dashboard.sh (xvfb-run)\n");
        return 2;
    }
    QTemporaryDir home;
    if (!home.isValid()) {
        std::fprintf(stderr, "bench-dashboard: no scratch folder\n");
        return 1;
    }
    const int channels = qMax(1, parser.value(channelsOpt).toInt());
    printMachine();
    std::fflush(stdout);
    const int displayRate = qBound(1, parser.value(displayRateOpt).toInt(), 30);
    const QStringList extra = parser.values(dashboardArgOpt);
    std::printf("dashboards: --geometry %s --display-rate %d --renderer %s %s\n",
                qPrintable(parser.value(geometryOpt)), displayRate, qPrintable(parser.value(rendererOpt)),
                qPrintable(extra.join(QLatin1Char(' '))));
    Runner runner(QCoreApplication::applicationDirPath(), home.path(), parser.value(geometryOpt), displayRate,
                  parser.value(rendererOpt), extra);
    if (parser.isSet(burstOpt))
        return runBurst(runner, channels, qMax<qint64>(1, parser.value(burstOpt).toLongLong()));
    if (parser.isSet(memoryOpt))
        return runMemory(runner, qMax(1, parser.value(runsOpt).toInt()), channels,
                         qMax(1, parser.value(samplesOpt).toInt()));
    int seconds = qMax(10, parser.value(secondsOpt).toInt());
    if (parser.isSet(minutesOpt))
        seconds = qMax(10, int(parser.value(minutesOpt).toDouble() * 60));
    const int warmup = qBound(5, parser.value(warmupOpt).toInt(), seconds / 3);
    const double rate = parser.value(rateOpt).toDouble();
    if (!(rate > 0)) {
        std::fprintf(stderr, "bench-dashboard: --rate must be > 0\n");
        return 2;
    }
    return runLoad(runner, seconds, warmup, channels, rate,
                   qBound(1, parser.value(sourcesOpt).toInt(), channels));
}
