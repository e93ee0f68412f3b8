// bench-idle: benchmark 4 of docs/PERFORMANCE.md, what a connected client costs while nothing
// happens. Starts, side by side and for the same window, each target connected to its own quiet
// bench-blaster (answers subscribe and ping, sends nothing):
//   bare   a bare QWebSocket client: the floor of a connected Qt event loop (the baseline)
//   cli    pulseboard-cli subscribed to one channel, default heartbeat
//   dash   the pulseboard dashboard subscribed to one channel, its own defaults (needs an X
//          server: bench/idle.sh runs this under xvfb-run; skipped when there is no DISPLAY)
// After a warm-up it samples /proc/<pid> at the start and end of the window: CPU seconds
// (utime+stime) and wake-ups, counted as context switches (voluntary + involuntary) summed
// over every thread: an idle thread is switched in once per timer or socket wake-up.
// Prints per-target figures and the ratio to the bare client.

#include "BenchUtil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QThread>
#include <QWebSocket>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

using namespace Pulseboard::Bench;

namespace {

// The baseline: connect, subscribe once, then only the event loop.
int runBare(const QUrl &url)
{
    QWebSocket socket;
    QObject::connect(&socket, &QWebSocket::connected, [&] {
        socket.sendTextMessage(QStringLiteral(R"({"type":"subscribe","id":"s1","channel":"bench.0"})"));
    });
    QObject::connect(&socket, &QWebSocket::disconnected, [] { QCoreApplication::exit(1); });
    socket.open(url);
    return QCoreApplication::exec();
}

struct Target
{
    QString name;
    std::unique_ptr<QProcess> server;
    std::unique_ptr<QProcess> client;
    ProcSample start;
    ProcSample end;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Idle benchmark: CPU and wake-ups of connected, idle clients."));
    parser.addHelpOption();
    const QCommandLineOption durationOpt(QStringLiteral("duration"),
                                         QStringLiteral("Measured window in seconds (default 60)."),
                                         QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption warmupOpt(QStringLiteral("warmup"),
                                       QStringLiteral("Seconds before the window (default 3)."),
                                       QStringLiteral("S"), QStringLiteral("3"));
    const QCommandLineOption bareOpt(QStringLiteral("bare-client"),
                                     QStringLiteral("Internal: run the bare client."), QStringLiteral("URL"));
    parser.addOptions({durationOpt, warmupOpt, bareOpt});
    parser.process(app);
    if (parser.isSet(bareOpt))
        return runBare(QUrl(parser.value(bareOpt)));

    const int duration = std::max(1, parser.value(durationOpt).toInt());
    const int warmup = std::max(1, parser.value(warmupOpt).toInt());
    const QString bin = QCoreApplication::applicationDirPath();
    printMachine();
    std::printf("idle: %d s window after %d s warm-up, targets side by side\n", duration, warmup);

    QStringList names{QStringLiteral("bare"), QStringLiteral("cli")};
    if (!qEnvironmentVariableIsEmpty("DISPLAY"))
        names.append(QStringLiteral("dash"));
    else
        std::printf("idle: no DISPLAY, so no dashboard (bench/idle.sh runs under xvfb-run)\n");
    QTemporaryDir home;
    std::vector<Target> targets;
    for (const QString &name : std::as_const(names)) {
        Target t;
        t.name = name;
        t.server = std::make_unique<QProcess>();
        t.server->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        t.server->start(bin + QStringLiteral("/bench-blaster"),
                        {QStringLiteral("--count"), QStringLiteral("0")});
        const int port = readListeningPort(*t.server);
        if (port <= 0) {
            std::fprintf(stderr, "bench-idle: bench-blaster did not start\n");
            return 1;
        }
        const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(port);
        t.client = std::make_unique<QProcess>();
        t.client->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        t.client->setStandardOutputFile(QProcess::nullDevice());
        if (name == QLatin1StringView("bare")) {
            t.client->start(QCoreApplication::applicationFilePath(), {QStringLiteral("--bare-client"), url});
        } else if (name == QLatin1StringView("dash")) {
            // A scratch HOME: the dashboard's outbox journal and settings stay out of the user's.
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("HOME"), home.path());
            env.insert(QStringLiteral("XDG_DATA_HOME"), home.path() + QStringLiteral("/data"));
            env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path() + QStringLiteral("/config"));
            t.client->setProcessEnvironment(env);
            t.client->start(bin + QStringLiteral("/pulseboard"),
                            {QStringLiteral("--url"), url, QStringLiteral("--subscribe"),
                             QStringLiteral("bench.0"), QStringLiteral("--no-settings")});
        } else {
            // stdin stays open (a pipe nobody writes to), as for a CLI waiting for commands.
            t.client->start(bin + QStringLiteral("/pulseboard-cli"),
                            {QStringLiteral("--url"), url, QStringLiteral("--subscribe"),
                             QStringLiteral("bench.0"), QStringLiteral("--duration"),
                             QString::number(duration + warmup + 30)});
        }
        if (!t.client->waitForStarted(10000)) {
            std::fprintf(stderr, "bench-idle: %s did not start\n", qPrintable(name));
            return 1;
        }
        targets.push_back(std::move(t));
    }
    QThread::sleep(warmup);
    for (Target &t : targets)
        t.start = sampleProcess(t.client->processId());
    QElapsedTimer window;
    window.start();
    QThread::sleep(duration);
    const double seconds = double(window.nsecsElapsed()) / 1e9;
    bool ok = true;
    for (Target &t : targets) {
        t.end = sampleProcess(t.client->processId());
        if (t.client->state() != QProcess::Running) {
            std::fprintf(stderr, "bench-idle: %s exited during the window\n", qPrintable(t.name));
            ok = false;
        }
    }
    for (Target &t : targets) {
        t.client->kill();
        t.client->waitForFinished(5000);
        t.server->waitForFinished(5000);
    }

    const Target &bare = targets.front();
    const double baseCpu = bare.end.cpu - bare.start.cpu;
    const double baseWakes = double(bare.end.switches - bare.start.switches) / seconds;
    std::printf("\n%-6s %10s %8s %12s %8s %12s %8s %9s\n", "target", "cpu s", "cpu %", "wake-ups/s", "ratio",
                "main thread/s", "threads", "RSS MiB");
    for (const Target &t : targets) {
        const double cpu = t.end.cpu - t.start.cpu;
        const double wakes = double(t.end.switches - t.start.switches) / seconds;
        // A bare client that never woke leaves no ratio to give: the difference is the figure then.
        const QByteArray ratio =
            baseWakes > 0 ? QByteArray::number(wakes / baseWakes, 'f', 2) : QByteArrayLiteral("-");
        const double mainWakes = double(t.end.mainSwitches - t.start.mainSwitches) / seconds;
        std::printf("%-6s %10.3f %8.3f %12.2f %8s %12.2f %8d %9.1f\n", qPrintable(t.name), cpu,
                    cpu / seconds * 100.0, wakes, ratio.constData(), mainWakes, t.end.threads,
                    double(t.end.rssKb) / 1024.0);
    }
    std::printf(
        "(ratio: wake-ups/s over the bare client's, '-' when it never woke; CPU is counted in clock ticks of"
        " %ld Hz, bare client %.3f s; %.1f s window)\n",
        ::sysconf(_SC_CLK_TCK), baseCpu, seconds);
    return ok ? 0 : 1;
}
