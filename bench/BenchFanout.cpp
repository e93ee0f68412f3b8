// bench-fanout: benchmark 3 of docs/PERFORMANCE.md, what pulseboard-hub costs to fan one channel
// out to many subscribers, in memory and through Redis. The driver starts a redis-server on a
// free loopback port and two hubs of the same build side by side: `memory` (in-memory store)
// and `redis` (--redis against that server). Each run, per hub (order rotated every run):
//   subscribers  one process holding N plain QWebSocket clients, all subscribed to fan.0
//   publisher    one process publishing M messages to fan.0 at R a second (0: as fast as acks
//                come back, at most W unacknowledged), each stamped with CLOCK_MONOTONIC (the
//                same clock in every process of the machine)
// The subscribers measure publish-to-receive latency of every delivery and the deliveries a
// second from the first publish to the last delivery; /proc gives the hub's CPU for the run.
// Prints per-run lines, medians, and the redis hub's figures as ratios to the memory hub's.
//
// With --baseline-hub PATH, two more hubs run from that binary (another build: `memory-base`,
// `redis-base`) in the same rotation, so a change is measured against what it changes in one run
// on one machine; their CPU per delivery is then given as ratios to this build's.
//
//   bench-fanout [--runs 3] [--subscribers 200] [--messages 2000] [--rate 200] [--window 64]
//                [--baseline-hub PATH]

#include "BenchUtil.h"
#include "protocol/Envelope.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

using namespace Pulseboard;
using namespace Pulseboard::Bench;

namespace {

const QString kChannel = QStringLiteral("fan.0");

qint64 monotonicNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

QString frame(const Envelope &env)
{
    return QString::fromUtf8(encodeEnvelope(env));
}

// --- subscribers role -------------------------------------------------------------------------

// Connects `count` clients, subscribes each, prints "ready" once all are subscribed, then counts
// deliveries until every client has `expect` messages (or `timeoutMs` passes) and prints RESULT.
int runSubscribers(const QUrl &url, int count, qint64 expect, int timeoutMs)
{
    std::vector<qint64> received(size_t(count), 0);
    std::vector<qint64> latencyNs;
    latencyNs.reserve(size_t(qMin<qint64>(qint64(count) * expect, 50000000)));
    int subscribed = 0;
    int finished = 0;
    int lost = 0;
    qint64 firstPublishNs = -1;
    qint64 lastReceiveNs = -1;
    qint64 malformed = 0;
    bool reported = false;
    QTimer deadline;
    deadline.setSingleShot(true);
    // Last, so the sockets go before what their handlers touch.
    std::vector<std::unique_ptr<QWebSocket>> sockets;
    auto report = [&] {
        reported = true;
        std::sort(latencyNs.begin(), latencyNs.end());
        auto pick = [&](double q) {
            if (latencyNs.empty())
                return 0.0;
            const size_t rank =
                std::clamp<size_t>(size_t(std::ceil(q * double(latencyNs.size()))), 1, latencyNs.size());
            return double(latencyNs[rank - 1]) / 1e6;
        };
        qint64 total = 0;
        for (qint64 r : received)
            total += r;
        const double seconds = firstPublishNs > 0 && lastReceiveNs > firstPublishNs
                                   ? double(lastReceiveNs - firstPublishNs) / 1e9
                                   : 0;
        std::printf(
            "RESULT deliveries=%lld expected=%lld seconds=%.4f rate=%.1f p50=%.3f p99=%.3f max=%.3f lost=%d "
            "malformed=%lld cpu=%.3f\n",
            static_cast<long long>(total), static_cast<long long>(qint64(count) * expect), seconds,
            seconds > 0 ? double(total) / seconds : 0.0, pick(0.50), pick(0.99), pick(1.0), lost,
            static_cast<long long>(malformed), cpuSeconds());
        std::fflush(stdout);
        QCoreApplication::exit(total == qint64(count) * expect ? 0 : 1);
    };
    QObject::connect(&deadline, &QTimer::timeout, report);
    for (int i = 0; i < count; ++i) {
        auto socket = std::make_unique<QWebSocket>();
        QWebSocket *s = socket.get();
        QObject::connect(s, &QWebSocket::connected, s, [s, i] {
            Envelope sub;
            sub.type = MessageType::Subscribe;
            sub.id = QStringLiteral("s%1").arg(i);
            sub.channel = kChannel;
            s->sendTextMessage(frame(sub));
        });
        QObject::connect(s, &QWebSocket::disconnected, s, [&, i] {
            if (!reported && received[size_t(i)] < expect) {
                ++lost;
                std::fprintf(stderr, "bench-fanout: subscriber %d lost its connection after %lld messages\n",
                             i, static_cast<long long>(received[size_t(i)]));
            }
        });
        QObject::connect(s, &QWebSocket::textMessageReceived, s, [&, i](const QString &text) {
            const qint64 now = monotonicNs();
            Envelope env;
            if (!decodeEnvelope(text.toUtf8(), env)) {
                ++malformed;
                return;
            }
            if (env.type == MessageType::Subscribed) {
                if (++subscribed == count) {
                    std::printf("ready\n");
                    std::fflush(stdout);
                    deadline.start(timeoutMs);
                }
                return;
            }
            if (env.type != MessageType::Message)
                return;
            const QJsonObject data = env.data.toObject();
            const qint64 sent = qint64(data.value(QLatin1StringView("t")).toDouble());
            firstPublishNs = firstPublishNs < 0 ? sent : qMin(firstPublishNs, sent);
            latencyNs.push_back(now - sent);
            lastReceiveNs = now;
            if (++received[size_t(i)] == expect && ++finished == count) {
                deadline.stop();
                report();
            }
        });
        s->open(url);
        sockets.push_back(std::move(socket));
    }
    return QCoreApplication::exec();
}

// --- publisher role ---------------------------------------------------------------------------

// Publishes `count` messages: at `rate` a second (paced from a 1 ms timer), or with rate 0 as
// fast as acks return, at most `window` unacknowledged. Prints RESULT when all are acked.
int runPublisher(const QUrl &url, qint64 count, double rate, int window)
{
    qint64 sent = 0;
    qint64 acked = 0;
    bool done = false;
    QWebSocket socket;
    qint64 startNs = 0;
    QTimer pace;
    pace.setTimerType(Qt::PreciseTimer);
    auto publishOne = [&] {
        Envelope env;
        env.type = MessageType::Publish;
        env.id = QStringLiteral("p%1").arg(sent);
        env.channel = kChannel;
        env.data =
            QJsonObject{{QStringLiteral("t"), double(monotonicNs())}, {QStringLiteral("i"), double(sent)}};
        socket.sendTextMessage(frame(env));
        ++sent;
    };
    auto pump = [&] {
        if (rate > 0) {
            const qint64 due = qMin(count, qint64(double(monotonicNs() - startNs) * rate / 1e9) + 1);
            while (sent < due)
                publishOne();
            if (sent >= count)
                pace.stop();
        } else {
            while (sent < count && sent - acked < window)
                publishOne();
        }
    };
    QObject::connect(&pace, &QTimer::timeout, pump);
    QObject::connect(&socket, &QWebSocket::connected, [&] {
        startNs = monotonicNs();
        if (rate > 0)
            pace.start(1);
        pump();
    });
    QObject::connect(&socket, &QWebSocket::textMessageReceived, [&](const QString &text) {
        Envelope env;
        if (!decodeEnvelope(text.toUtf8(), env))
            return;
        if (env.type == MessageType::Error) {
            std::fprintf(stderr, "bench-fanout: publisher got error %d: %s\n", env.code,
                         qPrintable(env.text));
            QCoreApplication::exit(1);
            return;
        }
        if (env.type != MessageType::Ack)
            return;
        if (++acked == count) {
            done = true;
            std::printf("RESULT published=%lld seconds=%.4f\n", static_cast<long long>(count),
                        double(monotonicNs() - startNs) / 1e9);
            std::fflush(stdout);
            QCoreApplication::exit(0);
            return;
        }
        if (rate <= 0)
            pump();
    });
    QObject::connect(&socket, &QWebSocket::disconnected, [&] {
        if (done)
            return;
        std::fprintf(stderr, "bench-fanout: publisher lost its connection\n");
        QCoreApplication::exit(1);
    });
    socket.open(url);
    return QCoreApplication::exec();
}

// --- driver -----------------------------------------------------------------------------------

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool waitForRedis(quint16 port)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        if (s.waitForConnected(200)) {
            s.write("PING\r\n");
            if (s.waitForReadyRead(1000) && s.readAll().startsWith("+PONG"))
                return true;
        }
        QThread::msleep(50);
    }
    return false;
}

struct Hub
{
    QString name;
    std::unique_ptr<QProcess> process;
    QUrl url;
};

bool startHub(Hub &hub, const QString &program, const QStringList &extra)
{
    hub.process = std::make_unique<QProcess>();
    hub.process->setProcessChannelMode(QProcess::SeparateChannels);
    hub.process->setStandardErrorFile(QProcess::nullDevice());
    // No feeds (nothing else on the hub), no rate limit (one publisher runs far above the
    // default 200 frames a second), a send buffer that holds a whole flood per subscriber.
    hub.process->start(
        program, QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--no-feeds"),
                             QStringLiteral("--rate-limit"), QStringLiteral("0"),
                             QStringLiteral("--max-send-buffer"), QString::number(256 * 1024 * 1024),
                             QStringLiteral("--server-name"), QStringLiteral("bench-%1").arg(hub.name)} +
                     extra);
    if (!hub.process->waitForStarted(10000))
        return false;
    while (!hub.process->canReadLine()) {
        if (!hub.process->waitForReadyRead(30000))
            return false;
    }
    const QByteArray line = hub.process->readLine().trimmed();
    if (!line.startsWith("listening on "))
        return false;
    hub.url = QUrl(QString::fromUtf8(line.mid(13)));
    return true;
}

QHash<QString, QString> fields(const QByteArray &output)
{
    QHash<QString, QString> out;
    for (const QByteArray &line : output.split('\n')) {
        if (!line.startsWith("RESULT "))
            continue;
        for (const QByteArray &pair : line.mid(7).split(' ')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq > 0)
                out.insert(QString::fromUtf8(pair.left(eq)), QString::fromUtf8(pair.mid(eq + 1)));
        }
    }
    return out;
}

struct RunResult
{
    double rate = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    double hubCpuUsPerDelivery = 0;
    bool ok = false;
};

RunResult runOnce(const Hub &hub, const QString &self, int subscribers, qint64 messages, double rate,
                  int window)
{
    RunResult r;
    QProcess subs;
    subs.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const int timeoutMs =
        int(qMin<qint64>(600000, 30000 + (rate > 0 ? qint64(double(messages) / rate * 2000) : 0)));
    subs.start(self, {QStringLiteral("--role"), QStringLiteral("subscribers"), QStringLiteral("--url"),
                      hub.url.toString(), QStringLiteral("--subscribers"), QString::number(subscribers),
                      QStringLiteral("--messages"), QString::number(messages), QStringLiteral("--timeout-ms"),
                      QString::number(timeoutMs)});
    QByteArray subsOut;
    while (!subsOut.contains("ready\n")) {
        if (!subs.waitForReadyRead(30000)) {
            std::fprintf(stderr, "bench-fanout: subscribers did not get ready on %s\n", qPrintable(hub.name));
            subs.kill();
            subs.waitForFinished();
            return r;
        }
        subsOut += subs.readAllStandardOutput();
    }
    const ProcSample before = sampleProcess(hub.process->processId());
    QProcess pub;
    pub.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    pub.start(self, {QStringLiteral("--role"), QStringLiteral("publisher"), QStringLiteral("--url"),
                     hub.url.toString(), QStringLiteral("--messages"), QString::number(messages),
                     QStringLiteral("--rate"), QString::number(rate), QStringLiteral("--window"),
                     QString::number(window)});
    const bool subsDone = subs.waitForFinished(timeoutMs + 10000);
    const ProcSample after = sampleProcess(hub.process->processId());
    pub.waitForFinished(30000);
    if (!subsDone)
        subs.kill();
    subsOut += subs.readAllStandardOutput();
    const QHash<QString, QString> f = fields(subsOut);
    const qint64 deliveries = f.value(QStringLiteral("deliveries")).toLongLong();
    r.rate = f.value(QStringLiteral("rate")).toDouble();
    r.p50 = f.value(QStringLiteral("p50")).toDouble();
    r.p99 = f.value(QStringLiteral("p99")).toDouble();
    r.max = f.value(QStringLiteral("max")).toDouble();
    r.hubCpuUsPerDelivery = deliveries > 0 ? (after.cpu - before.cpu) / double(deliveries) * 1e6 : 0;
    r.ok = subsDone && subs.exitCode() == 0 && pub.exitCode() == 0;
    if (!r.ok)
        std::fprintf(stderr, "bench-fanout: %s: %lld of %s deliveries\n", qPrintable(hub.name),
                     static_cast<long long>(deliveries), qPrintable(f.value(QStringLiteral("expected"))));
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Hub fan-out benchmark: one publisher, many subscribers, memory vs Redis."));
    parser.addHelpOption();
    const QCommandLineOption runsOpt(QStringLiteral("runs"), QStringLiteral("Runs per hub (default 3)."),
                                     QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption subsOpt(QStringLiteral("subscribers"),
                                     QStringLiteral("Subscribers (default 200)."), QStringLiteral("N"),
                                     QStringLiteral("200"));
    const QCommandLineOption messagesOpt(QStringLiteral("messages"),
                                         QStringLiteral("Messages published per run (default 2000)."),
                                         QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption rateOpt(
        QStringLiteral("rate"),
        QStringLiteral("Publishes a second; 0 = as fast as acks allow (default 200)."), QStringLiteral("HZ"),
        QStringLiteral("200"));
    const QCommandLineOption windowOpt(
        QStringLiteral("window"), QStringLiteral("With --rate 0: most publishes in flight (default 64)."),
        QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption baselineOpt(
        QStringLiteral("baseline-hub"),
        QStringLiteral("Also run hubs from this pulseboard-hub binary (another build) for comparison."),
        QStringLiteral("PATH"));
    const QCommandLineOption roleOpt(QStringLiteral("role"),
                                     QStringLiteral("Internal: subscribers or publisher."),
                                     QStringLiteral("ROLE"));
    const QCommandLineOption urlOpt(QStringLiteral("url"), QStringLiteral("Internal: the hub."),
                                    QStringLiteral("URL"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout-ms"), QStringLiteral("Internal."),
                                        QStringLiteral("MS"), QStringLiteral("60000"));
    parser.addOptions(
        {runsOpt, subsOpt, messagesOpt, rateOpt, windowOpt, baselineOpt, roleOpt, urlOpt, timeoutOpt});
    parser.process(app);

    const int subscribers = qMax(1, parser.value(subsOpt).toInt());
    const qint64 messages = qMax<qint64>(1, parser.value(messagesOpt).toLongLong());
    const double rate = qMax(0.0, parser.value(rateOpt).toDouble());
    const int window = qMax(1, parser.value(windowOpt).toInt());
    const QString role = parser.value(roleOpt);
    if (role == QLatin1StringView("subscribers"))
        return runSubscribers(QUrl(parser.value(urlOpt)), subscribers, messages,
                              parser.value(timeoutOpt).toInt());
    if (role == QLatin1StringView("publisher"))
        return runPublisher(QUrl(parser.value(urlOpt)), messages, rate, window);

    const QString redisServer = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (redisServer.isEmpty()) {
        std::fprintf(stderr, "bench-fanout: redis-server is not installed (scripts/deps.sh installs it)\n");
        return 2;
    }
    const int runs = qMax(1, parser.value(runsOpt).toInt());
    printMachine();
    std::printf(
        "fan-out: %d subscribers on one channel, %lld messages per run %s, %d runs per hub, order rotated\n",
        subscribers, static_cast<long long>(messages),
        rate > 0 ? qPrintable(QStringLiteral("at %1/s").arg(rate))
                 : qPrintable(QStringLiteral("as fast as acks allow (window %1)").arg(window)),
        runs);
    std::fflush(stdout);

    const quint16 redisPort = freePort();
    QProcess redis;
    redis.setProcessChannelMode(QProcess::MergedChannels);
    redis.setStandardOutputFile(QProcess::nullDevice());
    redis.start(redisServer, {QStringLiteral("--port"), QString::number(redisPort), QStringLiteral("--bind"),
                              QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                              QStringLiteral("--appendonly"), QStringLiteral("no")});
    if (!redis.waitForStarted(5000) || !waitForRedis(redisPort)) {
        std::fprintf(stderr, "bench-fanout: redis-server did not start on port %d\n", redisPort);
        return 1;
    }
    const QString program = QCoreApplication::applicationDirPath() + QStringLiteral("/pulseboard-hub");
    const QString baseline = parser.value(baselineOpt);
    auto redisArgs = [&](const QString &tag) {
        return QStringList{QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(redisPort),
                           QStringLiteral("--redis-prefix"),
                           QStringLiteral("bench%1%2").arg(redisPort).arg(tag)};
    };
    Hub memory{QStringLiteral("memory"), nullptr, {}};
    Hub viaRedis{QStringLiteral("redis"), nullptr, {}};
    Hub memoryBase{QStringLiteral("memory-base"), nullptr, {}};
    Hub redisBase{QStringLiteral("redis-base"), nullptr, {}};
    if (!startHub(memory, program, {}) || !startHub(viaRedis, program, redisArgs(QString())) ||
        (!baseline.isEmpty() && (!startHub(memoryBase, baseline, {}) ||
                                 !startHub(redisBase, baseline, redisArgs(QStringLiteral("b")))))) {
        std::fprintf(stderr, "bench-fanout: a hub did not start\n");
        return 1;
    }
    if (!baseline.isEmpty())
        std::printf("baseline hubs: %s\n", qPrintable(baseline));

    std::vector<Hub *> hubs{&memory, &viaRedis};
    if (!baseline.isEmpty()) {
        hubs.push_back(&memoryBase);
        hubs.push_back(&redisBase);
    }
    QHash<QString, QList<RunResult>> results;
    bool ok = true;
    for (int run = 0; run < runs; ++run) {
        std::vector<Hub *> order = hubs;
        if (run % 2)
            std::reverse(order.begin(), order.end());
        for (Hub *hub : order) {
            const RunResult r =
                runOnce(*hub, QCoreApplication::applicationFilePath(), subscribers, messages, rate, window);
            ok = ok && r.ok;
            results[hub->name].append(r);
            std::printf("  run %d %-6s deliveries/s %9.0f  latency ms p50 %7.2f p99 %7.2f max %7.2f  hub CPU "
                        "%.2f us/delivery%s\n",
                        run + 1, qPrintable(hub->name), r.rate, r.p50, r.p99, r.max, r.hubCpuUsPerDelivery,
                        r.ok ? "" : "  (incomplete)");
            std::fflush(stdout);
        }
    }
    for (Hub *hub : hubs) {
        hub->process->terminate();
        hub->process->waitForFinished(10000);
    }
    redis.terminate();
    redis.waitForFinished(5000);

    auto med = [&](const QString &name, double RunResult::*field) {
        QList<double> v;
        for (const RunResult &r : results.value(name))
            v.append(r.*field);
        return median(v);
    };
    std::printf("\nmedians of %d runs (ratio: redis / memory, per run, then the median)\n", runs);
    std::printf("%-8s %14s %12s %12s %12s %18s\n", "hub", "deliveries/s", "p50 ms", "p99 ms", "max ms",
                "hub CPU us/deliv");
    for (Hub *hub : hubs)
        std::printf("%-8s %14.0f %12.2f %12.2f %12.2f %18.2f\n", qPrintable(hub->name),
                    med(hub->name, &RunResult::rate), med(hub->name, &RunResult::p50),
                    med(hub->name, &RunResult::p99), med(hub->name, &RunResult::max),
                    med(hub->name, &RunResult::hubCpuUsPerDelivery));
    QList<double> rateRatio, p99Ratio, cpuRatio;
    const QList<RunResult> &m = results[memory.name];
    const QList<RunResult> &rr = results[viaRedis.name];
    for (qsizetype i = 0; i < qMin(m.size(), rr.size()); ++i) {
        if (m.at(i).rate > 0)
            rateRatio.append(rr.at(i).rate / m.at(i).rate);
        if (m.at(i).p99 > 0)
            p99Ratio.append(rr.at(i).p99 / m.at(i).p99);
        if (m.at(i).hubCpuUsPerDelivery > 0)
            cpuRatio.append(rr.at(i).hubCpuUsPerDelivery / m.at(i).hubCpuUsPerDelivery);
    }
    std::printf("%-8s %14.2f %12s %12.2f %12s %18.2f\n", "ratio", median(rateRatio), "", median(p99Ratio), "",
                median(cpuRatio));
    if (!baseline.isEmpty()) {
        // This build against the baseline, per run and store, then the median.
        std::printf("\nthis build / baseline (per run, then the median)\n");
        for (const auto &[now, base] : {std::pair{&memory, &memoryBase}, std::pair{&viaRedis, &redisBase}}) {
            QList<double> cpu, p50, p99;
            const QList<RunResult> &a = results[now->name];
            const QList<RunResult> &b = results[base->name];
            for (qsizetype i = 0; i < qMin(a.size(), b.size()); ++i) {
                if (b.at(i).hubCpuUsPerDelivery > 0)
                    cpu.append(a.at(i).hubCpuUsPerDelivery / b.at(i).hubCpuUsPerDelivery);
                if (b.at(i).p50 > 0)
                    p50.append(a.at(i).p50 / b.at(i).p50);
                if (b.at(i).p99 > 0)
                    p99.append(a.at(i).p99 / b.at(i).p99);
            }
            std::printf("%-8s p50 x%.2f  p99 x%.2f  hub CPU us/delivery x%.2f\n", qPrintable(now->name),
                        median(p50), median(p99), median(cpu));
        }
    }
    return ok ? 0 : 1;
}
