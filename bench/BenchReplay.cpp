// bench-replay (benchmark 10, docs/PERFORMANCE.md): how true to its recording a replay through
// pulseboard-hub --replay is. It writes a recording (HistoryStore, as pulseboard-cli --record
// writes one) of --seconds at --rate messages a second over --channels channels, arrivals drawn
// from an exponential distribution (bursts and quiet spells), then for each --speeds value starts
// the real pulseboard-hub --replay FILE --speed X --replay-when-subscribed, subscribes one client
// (ConnectionManager, a MessageSink: no QJsonValue per message) to every channel and notes the
// monotonic time each message arrives. Per message: deviation = (arrival - recorded offset / X),
// less the median of that over the run (the constant start-up and network delay), in ms: median,
// p99 and max of its absolute value, and the drift (mean deviation of the last tenth less the
// first tenth). Also: messages delivered of recorded, in recorded order or not, messages a second.
//   bench-replay [--seconds 600] [--rate 200] [--channels 4] [--speeds 1,100] [--dir DIR] [--bin DIR]
#include "BenchUtil.h"
#include "client/ConnectionManager.h"
#include "client/MessageSink.h"
#include "history/HistoryStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace Pulseboard;

namespace {

struct Arrivals : MessageSink
{
    QElapsedTimer clock;
    std::vector<qint64> index;     // the recorded message's number, in arrival order
    std::vector<qint64> arrivalNs; // on `clock`
    void deliver(const QString &, qint64, qint64, const JsonView &data) override
    {
        arrivalNs.push_back(clock.nsecsElapsed());
        index.push_back(qint64(data.value(QLatin1StringView("i")).toDouble(-1)));
    }
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions(
        {{QStringLiteral("seconds"), QStringLiteral("Length of the recording."), QStringLiteral("S"),
          QStringLiteral("600")},
         {QStringLiteral("rate"), QStringLiteral("Messages a second, all channels."), QStringLiteral("N"),
          QStringLiteral("200")},
         {QStringLiteral("channels"), QStringLiteral("Channels."), QStringLiteral("N"), QStringLiteral("4")},
         {QStringLiteral("speeds"), QStringLiteral("Replay speeds, comma separated."), QStringLiteral("LIST"),
          QStringLiteral("1,100")},
         {QStringLiteral("dir"), QStringLiteral("Folder for the recording (default: a temporary one)."),
          QStringLiteral("DIR")},
         {QStringLiteral("bin"), QStringLiteral("Folder of pulseboard-hub (default: this program's)."),
          QStringLiteral("DIR")}});
    parser.process(app);
    const double seconds = parser.value(QStringLiteral("seconds")).toDouble();
    const double rate = parser.value(QStringLiteral("rate")).toDouble();
    const int channels = std::max(1, parser.value(QStringLiteral("channels")).toInt());
    const QString bin = parser.isSet(QStringLiteral("bin")) ? parser.value(QStringLiteral("bin"))
                                                            : QCoreApplication::applicationDirPath();
    QTemporaryDir tmp(parser.isSet(QStringLiteral("dir"))
                          ? parser.value(QStringLiteral("dir")) + QStringLiteral("/bench-replay-XXXXXX")
                          : QDir::tempPath() + QStringLiteral("/bench-replay-XXXXXX"));
    if (!tmp.isValid() || seconds <= 0 || rate <= 0) {
        std::fprintf(stderr, "bench-replay: bad --seconds/--rate or no folder\n");
        return 2;
    }
    Bench::printMachine();

    // The recording.
    const QString file = tmp.filePath(QStringLiteral("bench.sqlite"));
    std::vector<qint64> offsetUs;
    {
        HistoryOptions o;
        o.path = file;
        o.maxAgeMs = 0;
        o.maxBytes = 0;
        HistoryStore store(o);
        if (!store.open()) {
            std::fprintf(stderr, "bench-replay: %s\n", qPrintable(store.statusText()));
            return 1;
        }
        store.setRecordingInfo(QStringLiteral("started"), QStringLiteral("1700000000000"));
        QRandomGenerator rng(42);
        double t = 0.5; // s
        const qint64 startMs = 1700000000000;
        for (qint64 i = 0; t < seconds; ++i) {
            HistoryFrame f;
            f.offsetUs = qint64(t * 1e6);
            f.arrivalMs = startMs + f.offsetUs / 1000;
            f.serverTs = f.arrivalMs;
            f.seq = i / channels + 1;
            f.source = QStringLiteral("ws://127.0.0.1:1");
            f.channel = QStringLiteral("bench.c%1").arg(i % channels);
            f.data =
                "{\"i\":" + QByteArray::number(i) + ",\"v\":" + QByteArray::number(std::sin(t), 'g', 6) + "}";
            offsetUs.push_back(f.offsetUs);
            while (!store.appendFrame(f))
                store.flush();
            t += -std::log(1.0 - rng.generateDouble()) / rate;
        }
        store.setRecordingInfo(QStringLiteral("durationUs"), QString::number(qint64(seconds * 1e6)));
        store.flush();
        store.close();
    }
    const qint64 n = qint64(offsetUs.size());
    std::printf(
        "recording: %lld messages over %.0f s on %d channels (mean %.0f/s, exponential gaps), %.1f MB\n",
        static_cast<long long>(n), seconds, channels, rate, double(QFileInfo(file).size()) / 1e6);
    std::fflush(stdout);

    for (const QString &speedText : parser.value(QStringLiteral("speeds")).split(QLatin1Char(','))) {
        const double speed = speedText.toDouble();
        QProcess hub;
        hub.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        hub.start(bin + QStringLiteral("/pulseboard-hub"),
                  {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--replay"), file,
                   QStringLiteral("--speed"), speedText, QStringLiteral("--replay-when-subscribed")});
        if (!hub.waitForStarted(5000) || !hub.waitForReadyRead(60000)) {
            std::fprintf(stderr, "bench-replay: the hub did not start\n");
            return 1;
        }
        const QByteArray line = hub.readLine().trimmed();
        if (!line.startsWith("listening on ")) {
            std::fprintf(stderr, "bench-replay: the hub said %s\n", line.constData());
            return 1;
        }
        ConnectionOptions options;
        options.endpoints = {QUrl(QString::fromUtf8(line.mid(13)))};
        ConnectionManager manager;
        manager.setOptions(options);
        for (int c = 0; c < channels; ++c)
            manager.subscribe(QStringLiteral("bench.c%1").arg(c));
        Arrivals arrivals;
        arrivals.index.reserve(size_t(n));
        arrivals.arrivalNs.reserve(size_t(n));
        arrivals.clock.start();
        manager.addMessageSink(&arrivals);
        const double expectS = seconds / speed;
        QTimer deadline;
        deadline.setSingleShot(true);
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &app, [&] {
            if (qint64(arrivals.index.size()) >= n)
                app.quit();
        });
        QObject::connect(&deadline, &QTimer::timeout, &app, [&] { app.quit(); });
        poll.start(20);
        deadline.start(int((expectS + 60) * 1000));
        const double cpu0 = Bench::sampleProcess(hub.processId()).cpu;
        manager.open();
        app.exec();
        const double hubCpu = Bench::sampleProcess(hub.processId()).cpu - cpu0;
        manager.removeMessageSink(&arrivals);
        manager.close();
        hub.terminate();
        hub.waitForFinished(10000);

        const qint64 got = qint64(arrivals.index.size());
        qint64 outOfOrder = 0;
        for (qint64 k = 0; k < got; ++k)
            outOfOrder += arrivals.index[size_t(k)] != k;
        QList<double> d;
        d.reserve(got);
        for (qint64 k = 0; k < got; ++k) {
            const qint64 i = arrivals.index[size_t(k)];
            if (i < 0 || i >= n)
                continue;
            d.append(double(arrivals.arrivalNs[size_t(k)]) / 1e6 - double(offsetUs[size_t(i)]) / 1e3 / speed);
        }
        const double mid = Bench::median(d);
        QList<double> dev;
        dev.reserve(d.size());
        for (double x : std::as_const(d))
            dev.append(std::abs(x - mid));
        const qsizetype tenth = std::max<qsizetype>(1, d.size() / 10);
        double head = 0, tail = 0;
        for (qsizetype k = 0; k < tenth && k < d.size(); ++k) {
            head += d.at(k) / double(tenth);
            tail += d.at(d.size() - 1 - k) / double(tenth);
        }
        const double spanS =
            got > 1 ? double(arrivals.arrivalNs[size_t(got - 1)] - arrivals.arrivalNs[0]) / 1e9 : 0;
        std::printf(
            "speed %gx: delivered %lld of %lld, %s; deviation ms: median %.2f, p99 %.2f, max %.2f; "
            "drift (last tenth - first) %.2f ms; %.0f msgs/s over %.1f s (expected %.1f s); hub CPU %.2f s\n",
            speed, static_cast<long long>(got), static_cast<long long>(n),
            outOfOrder == 0 ? "in recorded order"
                            : qPrintable(QStringLiteral("%1 out of order").arg(outOfOrder)),
            Bench::quantile(dev, 0.5), Bench::quantile(dev, 0.99),
            dev.isEmpty() ? 0.0 : *std::max_element(dev.cbegin(), dev.cend()), tail - head,
            spanS > 0 ? double(got) / spanS : 0.0, spanS, expectS, hubCpu);
        std::fflush(stdout);
    }
    return 0;
}
