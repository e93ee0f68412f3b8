// bench-hostile: what one hostile frame costs everyone else on a pulseboard-hub (docs/PERFORMANCE.md,
// section 6). Starts the hub of this build (tokens required, no feeds), an authenticated bystander
// that pings every 10 ms, and measures its ping round trips: first alone (the baseline), then while
// a hostile process sends 850 KiB publishes whose data is an object of 80 000 keys in random order,
// once on connections that never authenticate (one frame each) and once authenticated.
//   bench-hostile [--frames N] [--runs N] [--baseline-hub PATH]
//                                                (bench/hostile.sh builds Release and runs it)
// With --baseline-hub, each run measures a hub of this build, then one of PATH (a change measured
// in one run, on the same machine and load).
// Per phase it prints the median, p99 and slowest round trip, and the ratio to the baseline.
#include "BenchUtil.h"
#include "support/HostilePayload.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

namespace {

const QString kSecret = QStringLiteral("bench-hostile-secret-0123456789");

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

bool openSocket(QWebSocket &socket, const QUrl &url)
{
    bool open = false;
    QObject::connect(&socket, &QWebSocket::connected, [&open] { open = true; });
    socket.open(url);
    return waitFor([&] { return open; }, 10000);
}

// Sends `auth` and waits for its ack.
bool authenticate(QWebSocket &socket, const QString &token)
{
    bool acked = false;
    auto c = QObject::connect(&socket, &QWebSocket::textMessageReceived, [&acked](const QString &text) {
        if (text.contains(QLatin1StringView("\"ack\"")) && text.contains(QLatin1StringView("\"auth\"")))
            acked = true;
    });
    socket.sendTextMessage(QStringLiteral(R"({"type":"auth","id":"auth","token":"%1"})").arg(token));
    const bool ok = waitFor([&] { return acked; }, 10000);
    QObject::disconnect(c);
    return ok;
}

// The hostile role: sends `frames` huge publishes, before auth (a new connection each, refused)
// or after it (one connection, each acked), then exits.
int runHostile(const QUrl &url, const QString &token, bool authed, int frames)
{
    const QString data = QString::fromUtf8(Pulseboard::TestData::randomOrderObject(80000));
    auto frame = [&](int i) {
        return QStringLiteral(R"({"type":"publish","id":"huge%1","channel":"big","data":%2})")
            .arg(i)
            .arg(data);
    };
    if (!authed) {
        for (int i = 0; i < frames; ++i) {
            QWebSocket socket;
            if (!openSocket(socket, url))
                return 1;
            bool closed = false;
            QObject::connect(&socket, &QWebSocket::disconnected, [&closed] { closed = true; });
            socket.sendTextMessage(frame(i));
            if (!waitFor([&] { return closed; }, 30000))
                return 1;
            if (i == 0)
                std::fprintf(stderr, "hostile: before auth, closed %d \"%s\"\n", int(socket.closeCode()),
                             qPrintable(socket.closeReason()));
        }
        return 0;
    }
    QWebSocket socket;
    if (!openSocket(socket, url) || !authenticate(socket, token))
        return 1;
    int acked = 0;
    QObject::connect(&socket, &QWebSocket::textMessageReceived, [&acked](const QString &text) {
        if (text.contains(QLatin1StringView("\"ack\"")))
            ++acked;
    });
    for (int i = 0; i < frames; ++i)
        socket.sendTextMessage(frame(i));
    return waitFor([&] { return acked == frames; }, 60000) ? 0 : 1;
}

struct Phase
{
    explicit Phase(const QString &phaseName) : name(phaseName) {}
    QString name;
    QList<double> rtts;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOptions(
        {{QStringLiteral("role"), QStringLiteral("internal"), QStringLiteral("ROLE")},
         {QStringLiteral("url"), QStringLiteral("internal"), QStringLiteral("URL")},
         {QStringLiteral("token"), QStringLiteral("internal"), QStringLiteral("TOKEN")},
         {QStringLiteral("authed"), QStringLiteral("internal")},
         {QStringLiteral("frames"), QStringLiteral("hostile frames per phase (default 10)"),
          QStringLiteral("N"), QStringLiteral("10")},
         {QStringLiteral("runs"), QStringLiteral("repeats of the hostile phases (default 3)"),
          QStringLiteral("N"), QStringLiteral("3")},
         {QStringLiteral("baseline-hub"),
          QStringLiteral("also measure this pulseboard-hub (another build), run by run with this one"),
          QStringLiteral("PATH")}});
    p.process(app);
    const int frames = qMax(1, p.value(QStringLiteral("frames")).toInt());
    if (p.value(QStringLiteral("role")) == QLatin1StringView("hostile"))
        return runHostile(QUrl(p.value(QStringLiteral("url"))), p.value(QStringLiteral("token")),
                          p.isSet(QStringLiteral("authed")), frames);

    Pulseboard::Bench::printMachine();
    const QString bin = QCoreApplication::applicationDirPath();
    const QString thisHub = bin + QStringLiteral("/pulseboard-hub");
    const QString baselineHub = p.value(QStringLiteral("baseline-hub"));
    auto mint = [&](const QString &subject) {
        QProcess m;
        m.start(thisHub,
                {QStringLiteral("--mint-token"), subject, QStringLiteral("--token-secret"), kSecret});
        m.waitForFinished(30000);
        return QString::fromUtf8(m.readAllStandardOutput()).trimmed();
    };
    const QString token = mint(QStringLiteral("bench"));
    const int runs = qMax(1, p.value(QStringLiteral("runs")).toInt());

    // One hub of `binary`: the bystander alone, then the hostile phases, `runs` times over.
    struct Result
    {
        Phase before{QStringLiteral("baseline (bystander alone)")};
        Phase preAuth{QString()};
        Phase postAuth{QString()};
    };
    auto measure = [&](const QString &binary, Result &result) -> bool {
        QProcess hub;
        hub.setStandardErrorFile(QProcess::nullDevice());
        hub.start(binary, {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--no-feeds"),
                           QStringLiteral("--token-secret"), kSecret});
        if (!hub.waitForStarted(10000) || !waitFor([&] { return hub.canReadLine(); }, 30000)) {
            std::fprintf(stderr, "hub %s did not start\n", qPrintable(binary));
            return false;
        }
        const QByteArray line = hub.readLine().trimmed();
        const QUrl url(QString::fromUtf8(line.mid(line.indexOf("ws://"))));
        QWebSocket bystander;
        if (!openSocket(bystander, url) || !authenticate(bystander, token)) {
            std::fprintf(stderr, "bystander could not connect to %s\n", qPrintable(url.toString()));
            return false;
        }
        QElapsedTimer clock;
        clock.start();
        Phase *current = nullptr;
        QObject::connect(&bystander, &QWebSocket::textMessageReceived, [&](const QString &text) {
            const qsizetype at = text.indexOf(QLatin1StringView("\"ts\":"));
            if (!current || at < 0 || !text.contains(QLatin1StringView("\"pong\"")))
                return;
            const qint64 sentNs =
                QStringView(text).sliced(at + 5).split(u',').first().split(u'}').first().toLongLong();
            current->rtts.append(double(clock.nsecsElapsed() - sentNs) / 1e6);
        });
        QTimer pinger;
        int pingId = 0;
        QObject::connect(&pinger, &QTimer::timeout, [&] {
            bystander.sendTextMessage(QStringLiteral(R"({"type":"ping","id":"b%1","ts":%2})")
                                          .arg(++pingId)
                                          .arg(clock.nsecsElapsed()));
        });
        pinger.start(10); // 100 a second: well under the default rate limit (200/s)
        auto baseline = [&](Phase &phase, int ms) {
            current = &phase;
            QElapsedTimer t;
            t.start();
            waitFor([&] { return t.elapsed() >= ms; }, ms + 1000);
            current = nullptr;
        };
        auto hostile = [&](Phase &phase, bool authed) {
            QProcess h;
            h.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            QStringList args{QStringLiteral("--role"),   QStringLiteral("hostile"),
                             QStringLiteral("--url"),    url.toString(),
                             QStringLiteral("--token"),  token,
                             QStringLiteral("--frames"), QString::number(frames)};
            if (authed)
                args << QStringLiteral("--authed");
            h.start(QCoreApplication::applicationFilePath(), args);
            h.waitForStarted(10000);
            current = &phase;
            waitFor([&] { return h.state() == QProcess::NotRunning; }, 120000);
            current = nullptr;
            if (h.exitCode() != 0)
                std::fprintf(stderr, "hostile process failed (%d)\n", h.exitCode());
        };
        baseline(result.before, 2000);
        hostile(result.preAuth, false);
        hostile(result.postAuth, true);
        pinger.stop();
        hub.terminate();
        hub.waitForFinished(5000);
        return true;
    };

    Result mine;
    Result base;
    mine.preAuth.name = base.preAuth.name = QStringLiteral("during: %1 x 850 KiB before auth").arg(frames);
    mine.postAuth.name = base.postAuth.name = QStringLiteral("during: %1 x 850 KiB after auth").arg(frames);
    // Run by run, this build then the baseline: both see the same machine and load.
    for (int run = 0; run < runs; ++run) {
        if (!measure(thisHub, mine))
            return 1;
        if (!baselineHub.isEmpty() && !measure(baselineHub, base))
            return 1;
    }
    std::printf("bystander ping round trip, ms (pings every 10 ms; %d runs)\n", runs);
    auto print = [](const char *title, const Result &result) {
        std::printf("%s\n", title);
        const double median = Pulseboard::Bench::median(result.before.rtts);
        for (const Phase *phase : {&result.before, &result.preAuth, &result.postAuth}) {
            const QList<double> &r = phase->rtts;
            if (r.isEmpty()) {
                std::printf("  %-40s no pongs\n", qPrintable(phase->name));
                continue;
            }
            const double med = Pulseboard::Bench::median(r);
            std::printf("  %-40s n=%-5lld median %6.2f  p99 %7.2f  max %7.2f  (median x%.2f of baseline)\n",
                        qPrintable(phase->name), qlonglong(r.size()), med,
                        Pulseboard::Bench::quantile(r, 0.99), *std::max_element(r.begin(), r.end()),
                        median > 0 ? med / median : 0.0);
        }
    };
    print(qPrintable(QStringLiteral("this build: ") + thisHub), mine);
    if (!baselineHub.isEmpty())
        print(qPrintable(QStringLiteral("baseline: ") + baselineHub), base);
    return 0;
}
