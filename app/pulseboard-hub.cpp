// pulseboard-hub: the Pulseboard server. Prints `listening on ws://HOST:PORT` (or wss://) as its
// first line on stdout so scripts can find it; logs go to stderr. SIGINT/SIGTERM close every
// client with 1001 and exit 0. Exit: 0 normal, 1 could not start (a --replay file that cannot be
// read included), 2 usage error. --replay FILE serves a recording (pulseboard-cli --record) as live
// channels instead of the built-in feeds (HubReplay).
#include "hub/HubCommandLine.h"
#include "hub/HubReplay.h"
#include "hub/HubServer.h"
#include "hub/TokenAuth.h"
#include "protocol/Clock.h"
#include "util/SignalWatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <memory>

using namespace Pulseboard;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("pulseboard-hub"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PULSEBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Pulseboard hub: the WebSocket server of the Pulseboard protocol, with built-in feeds of this\n"
        "machine's CPU, memory, network and load. Several hubs share channels with --redis.\n"
        "First line on stdout: `listening on ws://HOST:PORT`. See docs/OPERATIONS.md."));
    parser.addHelpOption();
    parser.addVersionOption();
    HubCommandLine flags;
    flags.addTo(parser);
    parser.addOptions({
        {QStringLiteral("replay"),
         QStringLiteral(
             "Serve a recording (pulseboard-cli --record FILE) as live channels: each message on its "
             "channel at its recorded time; the timeline on replay.timeline. No built-in feeds "
             "unless --feeds names some."),
         QStringLiteral("FILE")},
        {QStringLiteral("speed"),
         QStringLiteral("--replay: this many times as fast as recorded, 0.1-100 (default 1)."),
         QStringLiteral("X")},
        {QStringLiteral("loop"), QStringLiteral("--replay: start again at the end, for ever.")},
        {QStringLiteral("replay-when-subscribed"),
         QStringLiteral("--replay: wait until every recorded channel has a subscriber, then start.")},
    });

    QTextStream out(stdout);
    QTextStream err(stderr);
    auto usage = [&](const QString &message) {
        err << "pulseboard-hub: " << message << "\nTry --help.\n";
        err.flush();
        return 2;
    };
    if (!parser.parse(QCoreApplication::arguments()))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        out << "pulseboard-hub " << PULSEBOARD_VERSION << "\n";
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));

    HubOptions options;
    QString error;
    if (!flags.read(parser, options, error))
        return usage(error);

    std::unique_ptr<HubReplay> replay;
    HubReplay::Options replayOptions;
    const bool replaying = parser.isSet(QStringLiteral("replay"));
    for (const char *flag : {"speed", "loop", "replay-when-subscribed"}) {
        if (!replaying && parser.isSet(QLatin1StringView(flag)))
            return usage(QStringLiteral("--%1 is for --replay").arg(QLatin1StringView(flag)));
    }
    if (replaying) {
        replayOptions.path = parser.value(QStringLiteral("replay"));
        if (replayOptions.path.isEmpty())
            return usage(QStringLiteral("--replay needs a file"));
        if (parser.isSet(QStringLiteral("speed"))) {
            bool ok = false;
            replayOptions.speed = parser.value(QStringLiteral("speed")).toDouble(&ok);
            if (!ok ||
                !(replayOptions.speed >= HubReplay::kMinSpeed && replayOptions.speed <= HubReplay::kMaxSpeed))
                return usage(QStringLiteral("--speed needs a number from 0.1 to 100, not '%1'")
                                 .arg(parser.value(QStringLiteral("speed"))));
        }
        replayOptions.loop = parser.isSet(QStringLiteral("loop"));
        replayOptions.whenSubscribed = parser.isSet(QStringLiteral("replay-when-subscribed"));
        // The recording's channels are the hub's: no feed of this machine mixes into them unless asked.
        if (!parser.isSet(QStringLiteral("feeds")))
            options.feedsEnabled = false;
    }

    if (flags.action == HubCommandLine::Action::MintToken) {
        TokenAuth::Claims claims;
        claims.subject = flags.mintSubject;
        claims.expiresAtMs = (Clock::current().wallMs() / 1000 + flags.mintTtlSecs) * 1000;
        claims.publish = flags.mintPublish;
        claims.subscribe = flags.mintSubscribe;
        out << TokenAuth::mint(options.tokenSecret, claims) << "\n";
        return 0;
    }

    SignalWatcher signals;
    HubServer hub(options);
    if (replaying) {
        // Read (and checked) before the hub listens: a bad file starts nothing.
        replay = std::make_unique<HubReplay>(&hub, replayOptions);
        if (!replay->load(&error)) {
            err << "pulseboard-hub: --replay: " << error << "\n";
            return 1;
        }
    }
    if (!hub.start(&error)) {
        err << "pulseboard-hub: " << error << "\n";
        return 1;
    }
    out << "listening on " << hub.url().toString() << "\n";
    if (hub.healthPort() != 0)
        out << "health on " << hub.healthUrl().toString() << "/healthz\n";
    out.flush();
    if (replay)
        replay->start();

    QObject::connect(&signals, &SignalWatcher::terminationRequested, &hub, [&hub, &err](int signalNumber) {
        err << "pulseboard-hub: signal " << signalNumber << ", shutting down\n";
        err.flush();
        hub.shutdown();
    });
    QObject::connect(&hub, &HubServer::stopped, &app, [] { QCoreApplication::exit(0); });
    return app.exec();
}
