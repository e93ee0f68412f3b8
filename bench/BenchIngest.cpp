// bench-ingest: benchmark 1 of docs/PERFORMANCE.md. Compares, in one run, how fast a client
// drains ~100-byte `message` frames over loopback, and the CPU it spends per message:
//   noparse   the floor: a bare QWebSocket client that counts textMessageReceived, parses nothing
//   baseline  a bare QWebSocket client: QJsonDocument per frame, reads one field (seq)
//   signal    ConnectionManager, consumer on messageReceived (QJsonValue per message)
//   sink      ConnectionManager, consumer is a MessageSink: decode, validation, seq tracking
//             and dispatch into per-channel sample buffers without building a QJsonValue
//   cli       pulseboard-cli's output path: ConnectionManager and a JsonLinesSession (as the CLI
//             makes it) writing every `message` event as a JSON Line to /dev/null, opened as
//             the CLI opens its stdout
//   json      the same sink, the frames read by the generic JSON dialect (--protocol json) with
//             routes for the same frames (channel, seq and data by JSON pointer): what a feed
//             configured by its settings costs next to the native decoder
//   socketio  the same sink through SocketIoDialect (`--protocol socketio`): the blaster sends
//             Socket.IO `message` events with channel, seq, ts and data, and a recovery offset
//   mqtt      the same sink through MqttDialect (`--protocol mqtt`): the blaster is a broker
//             sending QoS 0 PUBLISH packets (binary frames) to topics bench.<c>, payload {"v":..}
// Each measurement is its own pair of processes (bench-blaster sends, this binary receives in
// `--client MODE`) so sender and receiver each get a core. The driver (default) repeats every
// mode --runs times, rotating the order, and prints per-run figures and medians, with every
// figure also as a ratio to the floor (noparse) of the same run. CPU is the client process's
// user + system time (getrusage) from its first message to its last, never wall time.

#include "BenchUtil.h"
#include "SampleRing.h"

#include "client/ConnectionManager.h"
#include "client/JsonLinesSession.h"
#include "client/MessageSink.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>

using namespace Pulseboard;
using namespace Pulseboard::Bench;

namespace {

// The floor first: every ratio is to it.
const QStringList kModes{QStringLiteral("noparse"), QStringLiteral("baseline"), QStringLiteral("signal"),
                         QStringLiteral("sink"),    QStringLiteral("json"),     QStringLiteral("socketio"),
                         QStringLiteral("mqtt"),    QStringLiteral("cli")};

// The window measured by a client: from the first message to the last.
class Window
{
public:
    explicit Window(qint64 expected) : m_expected(expected) {}

    // Returns true when the last expected message arrived.
    bool count()
    {
        if (m_count == 0) {
            m_cpuStart = cpuSeconds();
            m_wall.start();
        }
        return ++m_count == m_expected;
    }

    bool done() const { return m_count >= m_expected; }

    void print(const QString &mode, double checksum) const
    {
        const double wall = double(m_wall.nsecsElapsed()) / 1e9;
        const double cpu = cpuSeconds() - m_cpuStart;
        std::printf(
            "RESULT mode=%s msgs=%lld wall_s=%.4f msgs_per_s=%.0f cpu_s=%.4f maxrss_kb=%ld checksum=%.3f\n",
            qPrintable(mode), static_cast<long long>(m_count), wall, double(m_count) / wall, cpu, peakRssKb(),
            checksum);
        std::fflush(stdout);
    }

private:
    qint64 m_expected;
    qint64 m_count = 0;
    double m_cpuStart = 0;
    QElapsedTimer m_wall;
};

void subscribeAll(QWebSocket &socket, int channels)
{
    for (int c = 0; c < channels; ++c) {
        const QJsonObject sub{{QStringLiteral("type"), QStringLiteral("subscribe")},
                              {QStringLiteral("id"), QStringLiteral("s%1").arg(c)},
                              {QStringLiteral("channel"), QStringLiteral("bench.%1").arg(c)}};
        socket.sendTextMessage(QString::fromUtf8(QJsonDocument(sub).toJson(QJsonDocument::Compact)));
    }
}

// The floor: what QWebSocket itself costs per frame (reads, unmasking, UTF-8 check and
// conversion to QString, the signal). Nothing is parsed, so the `subscribed` replies (one per
// channel, sent before any message) are counted as frames and left out of the window.
int runNoParse(const QUrl &url, qint64 count, int channels)
{
    QWebSocket socket;
    Window window(count);
    qint64 frames = 0;
    double checksum = 0;
    QObject::connect(&socket, &QWebSocket::connected, [&] { subscribeAll(socket, channels); });
    QObject::connect(&socket, &QWebSocket::textMessageReceived, [&](const QString &text) {
        if (++frames <= channels)
            return;
        checksum += double(text.size());
        if (window.count()) {
            window.print(QStringLiteral("noparse"), checksum);
            QCoreApplication::exit(0);
        }
    });
    QObject::connect(&socket, &QWebSocket::disconnected, [&] {
        if (window.done())
            return;
        std::fprintf(stderr, "bench-ingest: noparse client lost the connection\n");
        QCoreApplication::exit(1);
    });
    socket.open(url);
    return QCoreApplication::exec();
}

// (a) What any Qt client does with a JSON frame, and nothing more.
int runBaseline(const QUrl &url, qint64 count, int channels)
{
    QWebSocket socket;
    Window window(count);
    double checksum = 0;
    QObject::connect(&socket, &QWebSocket::connected, [&] { subscribeAll(socket, channels); });
    QObject::connect(&socket, &QWebSocket::textMessageReceived, [&](const QString &text) {
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
        const qint64 seq = doc.object().value(QLatin1StringView("seq")).toInteger();
        if (seq < 1) // the `subscribed` replies carry seq 0
            return;
        checksum += double(seq);
        if (window.count()) {
            window.print(QStringLiteral("baseline"), checksum);
            QCoreApplication::exit(0);
        }
    });
    QObject::connect(&socket, &QWebSocket::disconnected, [&] {
        if (window.done())
            return;
        std::fprintf(stderr, "bench-ingest: baseline client lost the connection\n");
        QCoreApplication::exit(1);
    });
    socket.open(url);
    return QCoreApplication::exec();
}

// Per-channel sample buffers, as a dashboard holds them.
class Buffers
{
public:
    explicit Buffers(int channels)
    {
        for (int c = 0; c < channels; ++c)
            m_rings.insert(QStringLiteral("bench.%1").arg(c), SampleRing(kRingCapacity));
    }

    void add(const QString &channel, qint64 ts, double value)
    {
        const auto it = m_rings.find(channel);
        if (it != m_rings.end())
            it->push(double(ts), value);
    }

    double checksum() const
    {
        double sum = 0;
        for (const SampleRing &ring : m_rings)
            sum += ring.last().y();
        return sum;
    }

private:
    static constexpr qsizetype kRingCapacity = 60000;
    QHash<QString, SampleRing> m_rings;
};

class SinkConsumer : public MessageSink
{
public:
    SinkConsumer(Buffers &buffers, Window &window, const QString &mode)
        : m_buffers(buffers), m_window(window), m_mode(mode)
    {
    }

    void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) override
    {
        Q_UNUSED(seq);
        m_buffers.add(channel, ts, data.value(QLatin1StringView("v")).toDouble());
        if (m_window.count()) {
            m_window.print(m_mode, m_buffers.checksum());
            QCoreApplication::exit(0);
        }
    }

private:
    Buffers &m_buffers;
    Window &m_window;
    QString m_mode;
};

// (b) ConnectionManager's full path.
int runManager(const QString &mode, const QUrl &url, qint64 count, int channels)
{
    ConnectionManager manager;
    ConnectionOptions options;
    options.endpoints = {url};
    // A run lasts seconds: no heartbeat traffic inside the measured window.
    options.heartbeatIntervalMs = 600000;
    options.heartbeatTimeoutMs = 600000;
    options.maxRetries = 1;
    if (mode == QLatin1StringView("json")) {
        // The blaster's pulseboard.v1 frames, described as a JSON feed.
        options.protocol = QStringLiteral("json");
        options.protocolConfig = QJsonDocument::fromJson(R"({
            "subprotocols": ["pulseboard.v1"],
            "subscribe": {"frame": {"type": "subscribe", "id": "{id:string}", "channel": "{channel}"},
                          "reply": {"id": "/id"}},
            "routes": [{"match": {"type": "message"}, "channel": "{/channel}", "seq": "/seq", "data": "/data"}]
        })")
                                     .object();
    }
    if (mode == QLatin1StringView("socketio")) {
        options.protocol = QStringLiteral("socketio");
        options.protocolConfig =
            QJsonObject{{QStringLiteral("messages"),
                         QJsonObject{{QStringLiteral("event"), QStringLiteral("message")},
                                     {QStringLiteral("channel"), QStringLiteral("/0/channel")},
                                     {QStringLiteral("seq"), QStringLiteral("/0/seq")},
                                     {QStringLiteral("ts"), QStringLiteral("/0/ts")},
                                     {QStringLiteral("data"), QStringLiteral("/0/data")}}},
                        {QStringLiteral("subscribe"),
                         QJsonObject{{QStringLiteral("emit"),
                                      QJsonArray{QStringLiteral("join"), QStringLiteral("{channel}")}},
                                     {QStringLiteral("ack"), true}}}};
    }
    if (mode == QLatin1StringView("mqtt")) {
        options.protocol = QStringLiteral("mqtt");
        options.protocolConfig = QJsonObject{{QStringLiteral("clientId"), QStringLiteral("bench-ingest")},
                                             {QStringLiteral("subscribeQos"), 0}};
    }
    manager.setOptions(options);
    Window window(count);
    Buffers buffers(channels);
    SinkConsumer sink(buffers, window, mode);
    if (mode == QLatin1StringView("sink") || mode == QLatin1StringView("json") ||
        mode == QLatin1StringView("socketio") || mode == QLatin1StringView("mqtt")) {
        manager.addMessageSink(&sink);
    } else {
        QObject::connect(&manager, &ConnectionManager::messageReceived,
                         [&](const QString &channel, qint64, qint64 ts, const QJsonValue &data) {
                             buffers.add(channel, ts,
                                         data.toObject().value(QLatin1StringView("v")).toDouble());
                             if (window.count()) {
                                 window.print(mode, buffers.checksum());
                                 QCoreApplication::exit(0);
                             }
                         });
    }
    QObject::connect(&manager, &ConnectionManager::disconnected, [&](int code, const QString &reason) {
        if (window.done())
            return;
        std::fprintf(stderr, "bench-ingest: manager lost the connection (%d %s)\n", code, qPrintable(reason));
        QCoreApplication::exit(1);
    });
    for (int c = 0; c < channels; ++c)
        manager.subscribe(QStringLiteral("bench.%1").arg(c));
    manager.open();
    const int rc = QCoreApplication::exec();
    if (manager.stats().gaps || manager.stats().duplicates || manager.stats().malformed) {
        std::fprintf(stderr, "bench-ingest: gaps %llu duplicates %llu malformed %llu\n",
                     static_cast<unsigned long long>(manager.stats().gaps),
                     static_cast<unsigned long long>(manager.stats().duplicates),
                     static_cast<unsigned long long>(manager.stats().malformed));
        return 1;
    }
    return rc;
}

// Counts deliveries for the window of the `cli` mode.
class CountingSink : public MessageSink
{
public:
    explicit CountingSink(Window &window) : m_window(window) {}
    void deliver(const QString &, qint64 seq, qint64, const JsonView &) override
    {
        m_checksum += double(seq);
        m_window.count();
    }
    double checksum() const { return m_checksum; }

private:
    Window &m_window;
    double m_checksum = 0;
};

// (c) pulseboard-cli's path: a JsonLinesSession prints every message event. The session ends
// itself after `count` messages (--count), which writes out what it holds, then the window ends.
int runCli(const QUrl &url, qint64 count, int channels)
{
    ConnectionManager manager;
    ConnectionOptions options;
    options.endpoints = {url};
    options.heartbeatIntervalMs = 600000;
    options.heartbeatTimeoutMs = 600000;
    options.maxRetries = 1;
    manager.setOptions(options);
    for (int c = 0; c < channels; ++c)
        manager.subscribe(QStringLiteral("bench.%1").arg(c));
    QFile out(QStringLiteral("/dev/null"));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        std::fprintf(stderr, "bench-ingest: cannot open /dev/null\n");
        return 1;
    }
    // The counter first: the session ends itself within the delivery of the last message.
    Window window(count);
    CountingSink counter(window);
    manager.addMessageSink(&counter);
    JsonLinesSession::Settings settings;
    settings.maxMessages = count;
    JsonLinesSession session(&manager, &out, settings);
    QObject::connect(&session, &JsonLinesSession::finished, [&](int code) {
        if (code == 0 && window.done())
            window.print(QStringLiteral("cli"), counter.checksum());
        else
            std::fprintf(stderr, "bench-ingest: cli session ended with %d after %s messages\n", code,
                         window.done() ? "all" : "not all");
        QCoreApplication::exit(code == 0 && window.done() ? 0 : 1);
    });
    session.start();
    return QCoreApplication::exec();
}

int runDriver(const QStringList &modes, int runs, qint64 count, int channels)
{
    const QString self = QCoreApplication::applicationFilePath();
    const QString blaster = QCoreApplication::applicationDirPath() + QStringLiteral("/bench-blaster");
    printMachine();
    std::printf("ingest: %lld messages over %d channels per measurement, %d runs, modes %s\n",
                static_cast<long long>(count), channels, runs, qPrintable(modes.join(QLatin1Char(','))));
    QHash<QString, QList<Result>> results;
    for (int run = 0; run < runs; ++run) {
        // Rotate the order so no mode always runs first (caches, frequency, neighbours' builds).
        for (int k = 0; k < modes.size(); ++k) {
            const QString mode = modes.at((k + run) % modes.size());
            QProcess sender;
            sender.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            QStringList senderArgs{QStringLiteral("--count"), QString::number(count),
                                   QStringLiteral("--channels"), QString::number(channels)};
            if (mode == QLatin1StringView("socketio") || mode == QLatin1StringView("mqtt"))
                senderArgs << QStringLiteral("--dialect") << mode;
            sender.start(blaster, senderArgs);
            const int port = readListeningPort(sender);
            if (port <= 0) {
                std::fprintf(stderr, "bench-ingest: bench-blaster did not start\n");
                return 1;
            }
            const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(port);
            const QHash<QString, QString> fields =
                runChild(self, {QStringLiteral("--client"), mode, QStringLiteral("--url"), url,
                                QStringLiteral("--count"), QString::number(count),
                                QStringLiteral("--channels"), QString::number(channels)});
            sender.waitForFinished(30000);
            if (fields.isEmpty()) {
                std::fprintf(stderr, "bench-ingest: %s run %d failed\n", qPrintable(mode), run + 1);
                return 1;
            }
            Result r;
            r.rate = fields.value(QStringLiteral("msgs_per_s")).toDouble();
            r.cpu = fields.value(QStringLiteral("cpu_s")).toDouble();
            r.rssKb = fields.value(QStringLiteral("maxrss_kb")).toDouble();
            r.wall = fields.value(QStringLiteral("wall_s")).toDouble();
            results[mode].append(r);
            std::printf("run %d %-8s %9.0f msgs/s  cpu %.3f s (%.2f us/msg)  wall %.3f s  peak RSS %.1f MiB  "
                        "load %s\n",
                        run + 1, qPrintable(mode), r.rate, r.cpu, r.cpu / double(count) * 1e6, r.wall,
                        r.rssKb / 1024.0, qPrintable(loadAverage()));
            std::fflush(stdout);
        }
        // This run's CPU per message of every mode against the floor measured in the same run.
        const double floor = results.value(modes.first()).value(run).cpu;
        std::printf("run %d CPU per message / %s:", run + 1, qPrintable(modes.first()));
        for (const QString &mode : modes)
            std::printf("  %s %.2fx", qPrintable(mode),
                        floor > 0 ? results.value(mode).value(run).cpu / floor : 0.0);
        std::printf("\n");
        std::fflush(stdout);
    }
    printSummary(results, modes, count, QStringLiteral("msgs/s"));
    std::printf("(CPU: the client process's user + system time from getrusage, first message to last; "
                "the floor is %s)\n",
                qPrintable(modes.first()));
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Ingest benchmark: a bare QWebSocket (no parsing; QJsonDocument) vs ConnectionManager "
                       "(signal, sink) and the CLI's output path, CPU per message."));
    parser.addHelpOption();
    const QCommandLineOption runsOpt(QStringLiteral("runs"),
                                     QStringLiteral("Measurements per mode (default 5)."),
                                     QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption countOpt(QStringLiteral("count"),
                                      QStringLiteral("Messages per measurement (default 1000000)."),
                                      QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption channelsOpt(QStringLiteral("channels"), QStringLiteral("Channels (default 10)."),
                                         QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption modesOpt(
        QStringLiteral("modes"),
        QStringLiteral("Comma-separated modes, from %1 (default all).").arg(kModes.join(QLatin1Char(','))),
        QStringLiteral("LIST"), kModes.join(QLatin1Char(',')));
    const QCommandLineOption clientOpt(QStringLiteral("client"),
                                       QStringLiteral("Internal: run one receiving client."),
                                       QStringLiteral("MODE"));
    const QCommandLineOption urlOpt(QStringLiteral("url"), QStringLiteral("Internal: the blaster's URL."),
                                    QStringLiteral("URL"));
    parser.addOptions({runsOpt, countOpt, channelsOpt, modesOpt, clientOpt, urlOpt});
    parser.process(app);

    const qint64 count = parser.value(countOpt).toLongLong();
    const int channels = parser.value(channelsOpt).toInt();
    if (count <= 0 || channels <= 0) {
        std::fprintf(stderr, "bench-ingest: --count and --channels must be positive\n");
        return 2;
    }
    if (parser.isSet(clientOpt)) {
        // Connection state lines on stderr would interleave with the driver's table.
        QLoggingCategory::setFilterRules(QStringLiteral("pulseboard.*.info=false"));
        const QString mode = parser.value(clientOpt);
        const QUrl url(parser.value(urlOpt));
        if (mode == QLatin1StringView("noparse"))
            return runNoParse(url, count, channels);
        if (mode == QLatin1StringView("baseline"))
            return runBaseline(url, count, channels);
        if (mode == QLatin1StringView("cli"))
            return runCli(url, count, channels);
        if (mode == QLatin1StringView("signal") || mode == QLatin1StringView("sink") ||
            mode == QLatin1StringView("json") || mode == QLatin1StringView("socketio") ||
            mode == QLatin1StringView("mqtt"))
            return runManager(mode, url, count, channels);
        std::fprintf(stderr, "bench-ingest: unknown mode %s\n", qPrintable(mode));
        return 2;
    }
    QStringList modes = parser.value(modesOpt).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &m : modes) {
        if (!kModes.contains(m)) {
            std::fprintf(stderr, "bench-ingest: unknown mode %s\n", qPrintable(m));
            return 2;
        }
    }
    if (!modes.contains(QLatin1StringView("noparse"))) {
        std::fprintf(stderr,
                     "bench-ingest: every run needs the noparse mode (the floor) to compare against\n");
        return 2;
    }
    modes.removeDuplicates();
    modes.move(modes.indexOf(QLatin1StringView("noparse")), 0); // the summary's ratios are to the first

    return runDriver(modes, std::max(1, parser.value(runsOpt).toInt()), count, channels);
}
