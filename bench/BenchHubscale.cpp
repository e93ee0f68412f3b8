// bench-hubscale: benchmark 9 of docs/PERFORMANCE.md (figures in docs/SCALING.md), what idle
// WebSocket connections cost one pulseboard-hub. Per run the driver starts a hub (`--port 0
// --no-feeds`, no connection caps, its RLIMIT_NOFILE soft limit raised to the hard one) and
// several client processes, each holding its share of the N connections, bound to loopback
// source addresses 127.0.0.2, 127.0.0.3, ... (at most --per-address connections on each, as many
// clients behind one NAT would not be). A client is a minimal WebSocket client on an epoll loop:
// it upgrades, subscribes to one channel as a dashboard does, then only answers the hub's ping
// frames with pongs: an idle subscriber. All clients start connecting at once (a reconnect storm).
// Measured per run, on the hub's process (/proc/PID):
//   open    from the first connect() to the last upgrade answered, over every client process
//   RSS/conn  (VmRSS with N open, settled) - (VmRSS before any), divided by N
//   idle CPU  utime+stime over a window of whole heartbeat intervals, as % of one core
//   pings   ping frames the clients got in that window (each session once an interval)
// Runs: this build's hub with the default heartbeat (25 s) and with --heartbeat-ms 5000, with
// --listen-backlog 50 (time to open only), and with --baseline-hub PATH the same two heartbeat
// runs of another build's hub (its own defaults otherwise: the "before" of a change).
//
//   bench-hubscale [--counts 2500,5000,10000] [--hub PATH] [--baseline-hub PATH]
//                  [--per-process 5000] [--per-address 1000] [--runs default,hb5000,backlog50]

#include "BenchUtil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QThread>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

using namespace Pulseboard::Bench;

namespace {

qint64 monotonicNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// RLIMIT_NOFILE soft = hard; returns the limit now in force.
rlim_t raiseFdLimit()
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur;
}

// A client frame: FIN, `opcode`, masked (RFC 6455 5.3: clients always mask).
QByteArray clientFrame(quint8 opcode, const QByteArray &payload)
{
    QByteArray out;
    out.append(char(0x80 | opcode));
    const qsizetype n = payload.size();
    if (n < 126) {
        out.append(char(0x80 | n));
    } else {
        out.append(char(0x80 | 126));
        out.append(char((n >> 8) & 0xff));
        out.append(char(n & 0xff));
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    out.append(mask, 4);
    for (qsizetype i = 0; i < n; ++i)
        out.append(char(payload.at(i) ^ mask[i % 4]));
    return out;
}

// --- clients role -----------------------------------------------------------------------------

// The clients run on a plain epoll loop, not Qt's: Qt's event loop visits every socket it
// watches on each wake-up, so thousands of sockets in one client process would make the
// clients, not the hub, the slow side (and take the CPU the hub is measured on).
struct Connection
{
    int fd = -1;
    enum class State : quint8 { Connecting, Upgrading, Open, Gone } state = State::Connecting;
    QByteArray buffer;
};

bool writeAll(int fd, const QByteArray &bytes)
{
    // Frames of a few dozen bytes into a socket that is never backed up: all or nothing.
    return ::send(fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL) == ssize_t(bytes.size());
}

// Opens `count` connections to 127.0.0.1:`port`, connection i (numbered from `first` over all
// client processes) bound to 127.0.0.(2 + i / perAddress). Prints
//   open <first connect ns> <last upgrade ns> <failed>   once every connection is up or failed
// then answers pings; on "mark" from stdin prints `mark <pings> <lost>`, on "quit" (or end of
// input) exits.
int runClients(quint16 port, int first, int count, int perAddress)
{
    const rlim_t fds = raiseFdLimit();
    if (rlim_t(count) + 64 > fds) {
        std::fprintf(stderr, "bench-hubscale: %d connections need more than the %llu descriptors allowed\n",
                     count, static_cast<unsigned long long>(fds));
        return 1;
    }
    const QByteArray request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                               "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n\r\n";
    const QByteArray subscribe = clientFrame(0x1, R"({"type":"subscribe","id":"s1","channel":"bench.idle"})");
    const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<Connection> conns(static_cast<size_t>(count));
    qint64 pings = 0;
    int lost = 0;
    int settled = 0; // upgraded or failed
    int failed = 0;
    qint64 lastUpgradeNs = 0;
    bool reported = false;
    const qint64 firstConnectNs = monotonicNs();

    const auto report = [&] {
        if (reported || settled < count)
            return;
        reported = true;
        std::printf("open %lld %lld %d\n", static_cast<long long>(firstConnectNs),
                    static_cast<long long>(lastUpgradeNs), failed);
        std::fflush(stdout);
    };
    const auto gone = [&](Connection &c, const char *why) {
        if (c.state == Connection::State::Gone)
            return;
        if (c.state != Connection::State::Open) {
            ++failed;
            ++settled;
            std::fprintf(stderr, "bench-hubscale: a connection failed: %s\n", why);
        }
        c.state = Connection::State::Gone;
        ++lost;
        ::epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        report();
    };
    const auto readFrames = [&](Connection &c) {
        // Server frames are unmasked; only pings need an answer, everything else is skipped.
        for (;;) {
            const QByteArray &b = c.buffer;
            if (b.size() < 2)
                return;
            const quint8 opcode = quint8(b.at(0)) & 0x0f;
            qint64 length = quint8(b.at(1)) & 0x7f;
            qsizetype header = 2;
            if (length == 126) {
                if (b.size() < 4)
                    return;
                length = (qint64(quint8(b.at(2))) << 8) | quint8(b.at(3));
                header = 4;
            } else if (length == 127) {
                if (b.size() < 10)
                    return;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | quint8(b.at(2 + i));
                header = 10;
            }
            if (b.size() < header + length)
                return;
            if (opcode == 0x9) {
                ++pings;
                if (!writeAll(c.fd, clientFrame(0xA, b.mid(header, length))))
                    return gone(c, "pong not written");
            } else if (opcode == 0x8) {
                return gone(c, "closed by the hub");
            }
            c.buffer.remove(0, header + length);
        }
    };

    for (int i = 0; i < count; ++i) {
        Connection &c = conns[size_t(i)];
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in source{};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl(0x7f000002u + quint32((first + i) / perAddress));
        sockaddr_in target{};
        target.sin_family = AF_INET;
        target.sin_port = htons(port);
        target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (c.fd < 0 || ::bind(c.fd, reinterpret_cast<sockaddr *>(&source), sizeof source) != 0) {
            std::fprintf(stderr, "bench-hubscale: cannot bind a socket: %s\n", std::strerror(errno));
            return 1;
        }
        if (::connect(c.fd, reinterpret_cast<sockaddr *>(&target), sizeof target) != 0 &&
            errno != EINPROGRESS) {
            std::fprintf(stderr, "bench-hubscale: connect: %s\n", std::strerror(errno));
            return 1;
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u32 = quint32(i);
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &ev);
    }
    constexpr quint32 kStdin = 0xffffffffu;
    {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = kStdin;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
    }

    constexpr qint64 kUpgradeTimeoutNs = qint64(150) * 1000000000;
    QByteArray commands;
    std::vector<epoll_event> events(1024);
    char chunk[16384];
    for (;;) {
        const int n = ::epoll_wait(epoll, events.data(), int(events.size()), 1000);
        // A connection the hub's full queue dropped after the handshake looks open here and
        // would wait for its upgrade for ever: past the kernel's own SYN retries it has failed.
        if (!reported && monotonicNs() - firstConnectNs > kUpgradeTimeoutNs) {
            for (Connection &c : conns) {
                if (c.state == Connection::State::Connecting || c.state == Connection::State::Upgrading)
                    gone(c, "no upgrade within 150 s");
            }
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int e = 0; e < n; ++e) {
            const quint32 key = events[size_t(e)].data.u32;
            if (key == kStdin) {
                const ssize_t got = ::read(STDIN_FILENO, chunk, sizeof chunk);
                if (got <= 0)
                    return 0;
                commands.append(chunk, got);
                qsizetype nl;
                while ((nl = commands.indexOf('\n')) >= 0) {
                    const QByteArray command = commands.left(nl).trimmed();
                    commands.remove(0, nl + 1);
                    if (command == "mark") {
                        std::printf("mark %lld %d\n", static_cast<long long>(pings), lost);
                        std::fflush(stdout);
                    } else if (command == "quit") {
                        return 0;
                    }
                }
                continue;
            }
            Connection &c = conns[size_t(key)];
            if (c.state == Connection::State::Gone)
                continue;
            if (c.state == Connection::State::Connecting) {
                if (!(events[size_t(e)].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
                    continue;
                int error = 0;
                socklen_t length = sizeof error;
                ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
                if (error != 0) {
                    gone(c, std::strerror(error));
                    continue;
                }
                if (!writeAll(c.fd, request)) {
                    gone(c, "upgrade request not written");
                    continue;
                }
                c.state = Connection::State::Upgrading;
                epoll_event ev{};
                ev.events = EPOLLIN;
                ev.data.u32 = key;
                ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &ev);
                continue;
            }
            for (;;) {
                const ssize_t got = ::recv(c.fd, chunk, sizeof chunk, 0);
                if (got > 0) {
                    c.buffer.append(chunk, got);
                    continue;
                }
                if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                    gone(c, got == 0 ? "closed before the upgrade" : std::strerror(errno));
                break;
            }
            if (c.state == Connection::State::Gone)
                continue;
            if (c.state == Connection::State::Upgrading) {
                const qsizetype end = c.buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    continue;
                if (!c.buffer.startsWith("HTTP/1.1 101")) {
                    gone(c, c.buffer.left(c.buffer.indexOf('\r')).constData());
                    continue;
                }
                c.buffer.remove(0, end + 4);
                c.state = Connection::State::Open;
                if (!writeAll(c.fd, subscribe)) {
                    gone(c, "subscribe not written");
                    continue;
                }
                lastUpgradeNs = monotonicNs();
                ++settled;
                report();
            }
            readFrames(c);
        }
    }
    return 1;
}

// --- driver -----------------------------------------------------------------------------------

struct RunSpec
{
    QString name; // e.g. "this hb25000"
    QString hub;  // binary
    QStringList args;
    int heartbeatMs = 25000;
    bool idleWindow = true; // false: time to open only
};

struct RunResult
{
    bool ok = false;
    double openS = 0;
    int failed = 0;
    double rssPerConnKb = 0;
    double idleCpuPct = 0;
    double windowS = 0;
    qint64 pings = 0;
    int lost = 0;
    int hubConnections = 0;
};

QByteArray readLine(QProcess &p, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!p.canReadLine()) {
        if (p.state() == QProcess::NotRunning || t.elapsed() > timeoutMs)
            return QByteArray();
        p.waitForReadyRead(100);
    }
    return p.readLine().trimmed();
}

RunResult runOne(const RunSpec &spec, int count, int perProcess, int perAddress)
{
    RunResult r;
    QProcess hub;
    hub.setChildProcessModifier([] { raiseFdLimit(); });
    hub.setStandardErrorFile(QProcess::nullDevice()); // a log line per connection
    hub.start(spec.hub,
              QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--no-feeds"),
                          QStringLiteral("--max-connections"), QStringLiteral("0"),
                          QStringLiteral("--max-connections-per-address"), QStringLiteral("0")} +
                  spec.args);
    if (!hub.waitForStarted(10000))
        return r;
    const QByteArray line = readLine(hub, 20000);
    if (!line.startsWith("listening on ws://")) {
        std::fprintf(stderr, "bench-hubscale: %s did not start: %s\n", qPrintable(spec.hub),
                     line.constData());
        return r;
    }
    const quint16 port = quint16(line.mid(line.lastIndexOf(':') + 1).toUInt());
    QThread::msleep(500);
    const ProcSample before = sampleProcess(hub.processId());

    const int processes = (count + perProcess - 1) / perProcess;
    std::vector<std::unique_ptr<QProcess>> clients;
    for (int p = 0; p < processes; ++p) {
        const int first = p * perProcess;
        const int n = qMin(perProcess, count - first);
        auto c = std::make_unique<QProcess>();
        c->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        c->start(QCoreApplication::applicationFilePath(),
                 {QStringLiteral("--role-clients"), QString::number(port), QStringLiteral("--first"),
                  QString::number(first), QStringLiteral("--count"), QString::number(n),
                  QStringLiteral("--per-address"), QString::number(perAddress)});
        clients.push_back(std::move(c));
    }
    qint64 firstNs = processes > 0 ? -1 : 0;
    qint64 lastNs = 0;
    bool ok = true;
    for (auto &c : clients) {
        const QByteArray open = readLine(*c, 600000);
        const QList<QByteArray> f = open.split(' ');
        if (f.size() != 4 || f.at(0) != "open") {
            ok = false;
            continue;
        }
        const qint64 a = f.at(1).toLongLong();
        firstNs = firstNs < 0 ? a : qMin(firstNs, a);
        lastNs = qMax(lastNs, f.at(2).toLongLong());
        r.failed += f.at(3).toInt();
    }
    if (ok) {
        r.openS = double(lastNs - firstNs) / 1e9;
        QThread::sleep(3); // subscribes handled, allocations settled
        const ProcSample open = sampleProcess(hub.processId());
        r.rssPerConnKb = count > r.failed ? double(open.rssKb - before.rssKb) / double(count - r.failed) : 0;
        if (spec.idleWindow) {
            // Whole intervals: every session is pinged the same number of times in the window.
            const int intervals = qMax(1, 15000 / spec.heartbeatMs);
            qint64 pingsBefore = 0;
            const auto mark = [&](qint64 &pings, int &lost) {
                pings = 0;
                lost = 0;
                for (auto &c : clients) {
                    c->write("mark\n");
                    const QList<QByteArray> f = readLine(*c, 30000).split(' ');
                    if (f.size() == 3 && f.at(0) == "mark") {
                        pings += f.at(1).toLongLong();
                        lost += f.at(2).toInt();
                    }
                }
            };
            int lostBefore = 0;
            mark(pingsBefore, lostBefore);
            const ProcSample start = sampleProcess(hub.processId());
            QElapsedTimer window;
            window.start();
            QThread::msleep(quint64(intervals) * quint64(spec.heartbeatMs));
            const ProcSample end = sampleProcess(hub.processId());
            r.windowS = double(window.nsecsElapsed()) / 1e9;
            qint64 pingsAfter = 0;
            mark(pingsAfter, r.lost);
            r.pings = pingsAfter - pingsBefore;
            r.idleCpuPct = (end.cpu - start.cpu) / r.windowS * 100.0;
        }
        r.ok = hub.state() == QProcess::Running;
    }
    for (auto &c : clients) {
        c->write("quit\n");
        c->waitForFinished(20000);
    }
    hub.terminate();
    if (!hub.waitForFinished(20000)) {
        hub.kill();
        hub.waitForFinished(5000);
    }
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Idle connections per hub: open time, RSS, CPU."));
    parser.addHelpOption();
    const QCommandLineOption countsOpt(QStringLiteral("counts"),
                                       QStringLiteral("Connection counts (default 2500,5000,10000)."),
                                       QStringLiteral("LIST"), QStringLiteral("2500,5000,10000"));
    const QCommandLineOption hubOpt(
        QStringLiteral("hub"), QStringLiteral("Hub binary (default: this build's)."), QStringLiteral("PATH"));
    const QCommandLineOption baselineOpt(QStringLiteral("baseline-hub"),
                                         QStringLiteral("Another build's hub, run the same way."),
                                         QStringLiteral("PATH"));
    const QCommandLineOption perProcessOpt(QStringLiteral("per-process"),
                                           QStringLiteral("Connections per client process (default 5000)."),
                                           QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption perAddressOpt(QStringLiteral("per-address"),
                                           QStringLiteral("Connections per source address (default 1000)."),
                                           QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption runsOpt(QStringLiteral("runs"),
                                     QStringLiteral("Runs of this build (default default,hb5000,backlog50)."),
                                     QStringLiteral("LIST"), QStringLiteral("default,hb5000,backlog50"));
    const QCommandLineOption roleOpt(QStringLiteral("role-clients"), QStringLiteral("Internal: clients."),
                                     QStringLiteral("PORT"));
    const QCommandLineOption firstOpt(QStringLiteral("first"), QStringLiteral("Internal."),
                                      QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption countOpt(QStringLiteral("count"), QStringLiteral("Internal."),
                                      QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions(
        {countsOpt, hubOpt, baselineOpt, perProcessOpt, perAddressOpt, runsOpt, roleOpt, firstOpt, countOpt});
    parser.process(app);
    const int perAddress = qMax(1, parser.value(perAddressOpt).toInt());
    if (parser.isSet(roleOpt))
        return runClients(quint16(parser.value(roleOpt).toUInt()), parser.value(firstOpt).toInt(),
                          parser.value(countOpt).toInt(), perAddress);

    const int perProcess = qMax(1, parser.value(perProcessOpt).toInt());
    const QString hubPath = parser.isSet(hubOpt)
                                ? parser.value(hubOpt)
                                : QCoreApplication::applicationDirPath() + QStringLiteral("/pulseboard-hub");
    const rlim_t fds = raiseFdLimit();
    printMachine();
    std::printf(
        "hubscale: descriptors per process %llu, net.core.somaxconn %s, %d connections per client "
        "process, %d per source address\n",
        static_cast<unsigned long long>(fds),
        [] {
            QFile f(QStringLiteral("/proc/sys/net/core/somaxconn"));
            return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray("?");
        }()
            .constData(),
        perProcess, perAddress);

    std::vector<RunSpec> specs;
    for (const QString &run : parser.value(runsOpt).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (run == QLatin1StringView("default"))
            specs.push_back({QStringLiteral("this hb 25 s"), hubPath, {}, 25000, true});
        else if (run == QLatin1StringView("hb5000"))
            specs.push_back({QStringLiteral("this hb 5 s"),
                             hubPath,
                             {QStringLiteral("--heartbeat-ms"), QStringLiteral("5000")},
                             5000,
                             true});
        else if (run == QLatin1StringView("backlog50"))
            specs.push_back({QStringLiteral("this backlog 50"),
                             hubPath,
                             {QStringLiteral("--listen-backlog"), QStringLiteral("50")},
                             25000,
                             false});
        else {
            std::fprintf(stderr, "bench-hubscale: unknown run '%s'\n", qPrintable(run));
            return 2;
        }
    }
    if (parser.isSet(baselineOpt)) {
        const QString base = parser.value(baselineOpt);
        specs.push_back({QStringLiteral("base hb 25 s"), base, {}, 25000, true});
        specs.push_back({QStringLiteral("base hb 5 s"),
                         base,
                         {QStringLiteral("--heartbeat-ms"), QStringLiteral("5000")},
                         5000,
                         true});
    }

    struct Row
    {
        int count;
        QString name;
        RunResult r;
    };
    std::vector<Row> rows;
    bool allOk = true;
    for (const QString &c : parser.value(countsOpt).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const int count = c.toInt();
        if (count < 0)
            continue; // 0: the hub alone, what its timers cost with nobody connected
        if (rlim_t(count) + 200 > fds) {
            std::printf("hubscale: %d connections do not fit the hub's %llu descriptors: skipped\n", count,
                        static_cast<unsigned long long>(fds));
            continue;
        }
        for (const RunSpec &spec : specs) {
            const RunResult r = runOne(spec, count, perProcess, perAddress);
            allOk = allOk && r.ok;
            std::printf(
                "%6d  %-16s %s open %.2f s (failed %d), RSS %.1f KiB/conn, idle CPU %.2f %% over %.1f s, "
                "pings %lld, lost %d   [load %s]\n",
                count, qPrintable(spec.name), r.ok ? "ok  " : "FAIL", r.openS, r.failed, r.rssPerConnKb,
                r.idleCpuPct, r.windowS, static_cast<long long>(r.pings), r.lost, qPrintable(loadAverage()));
            std::fflush(stdout);
            rows.push_back({count, spec.name, r});
        }
    }

    std::printf("\n| connections | hub | open s | RSS KiB/conn | idle CPU %% | pings in window | lost |\n"
                "|---|---|---|---|---|---|---|\n");
    for (const Row &row : rows) {
        if (!row.r.ok) {
            std::printf("| %d | %s | failed | | | | |\n", row.count, qPrintable(row.name));
            continue;
        }
        const QByteArray cpu = row.r.windowS > 0 ? QByteArray::number(row.r.idleCpuPct, 'f', 2) : "-";
        const QByteArray pings = row.r.windowS > 0 ? QByteArray::number(row.r.pings) : "-";
        std::printf("| %d | %s | %.2f | %.1f | %s | %s | %d |\n", row.count, qPrintable(row.name),
                    row.r.openS, row.r.rssPerConnKb, cpu.constData(), pings.constData(), row.r.lost);
    }
    std::printf("(idle CPU: hub utime+stime over whole heartbeat intervals, %% of one core; RSS: VmRSS with"
                " all open minus before any; load average at the end %s)\n",
                qPrintable(loadAverage()));
    return allOk ? 0 : 1;
}
