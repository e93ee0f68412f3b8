// pulseboard-cli: a headless client on the same library as the dashboard. Tails channels,
// publishes and requests from stdin commands, prints JSON Lines. Exit: 0 ok, 2 usage, 3 gave up,
// 4 a publish or request refused, 5 an input line rejected (JsonLinesSession::ExitCode).
#include "client/CommandLineOptions.h"
#include "client/ConnectionManager.h"
#include "client/JsonLinesSession.h"
#include "util/SignalWatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

#include <csignal>
#include <cstdio>

using namespace Pulseboard;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("pulseboard-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PULSEBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Headless Pulseboard client. Commands on stdin, one a line:\n"
        "  publish CHANNEL JSON | request METHOD [JSON] | subscribe CHANNEL | unsubscribe CHANNEL | quit\n"
        "Events on stdout as JSON Lines.\n"
        "Exit status, the first that applies: 3 gave up (the connection failed for good), 4 a publish or\n"
        "request was refused or failed (e.g. 403 from the server), 5 an input line was rejected (not a\n"
        "valid command); else 0. 2: usage error (a flag or its value)."));
    parser.addHelpOption();
    parser.addVersionOption();
    ConnectionCommandLine connectionFlags;
    connectionFlags.addTo(parser);
    parser.addOptions({
        {QStringLiteral("duration"), QStringLiteral("Exit after this many seconds."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("count"), QStringLiteral("Exit after this many messages."), QStringLiteral("N")},
        {QStringLiteral("quiet"), QStringLiteral("No message events: state, errors and stats only.")},
    });

    QTextStream err(stderr);
    auto usage = [&](const QString &message) {
        err << "pulseboard-cli: " << message << "\n"
            << "Try --help.\n";
        err.flush();
        return int(JsonLinesSession::Usage);
    };
    if (!parser.parse(QCoreApplication::arguments()))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << "pulseboard-cli " << PULSEBOARD_VERSION << "\n";
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));

    ConnectionOptions options;
    QStringList channels;
    QString error;
    if (!connectionFlags.read(parser, options, channels, error))
        return usage(error);
    if (options.endpoints.isEmpty())
        return usage(QStringLiteral("--url is required"));

    JsonLinesSession::Settings settings;
    settings.quiet = parser.isSet(QStringLiteral("quiet"));
    if (parser.isSet(QStringLiteral("duration"))) {
        bool ok = false;
        const double seconds = parser.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || seconds <= 0 || seconds > 1e6)
            return usage(QStringLiteral("--duration needs a positive number of seconds"));
        settings.durationMs = int(seconds * 1000);
    }
    if (parser.isSet(QStringLiteral("count"))) {
        bool ok = false;
        settings.maxMessages = parser.value(QStringLiteral("count")).toLongLong(&ok);
        if (!ok || settings.maxMessages <= 0)
            return usage(QStringLiteral("--count needs a positive whole number"));
    }

    ConnectionManager manager;
    manager.setOptions(options);
    for (const QString &channel : channels) {
        if (!manager.subscribe(channel))
            return usage(QStringLiteral("invalid or repeated channel '%1'").arg(channel));
    }

    // A reader of stdout that goes away (`| head`) makes the next write fail with EPIPE, which
    // ends the session cleanly (close frame, exit 0), rather than a SIGPIPE killing the process.
    ::signal(SIGPIPE, SIG_IGN);
    QFile out;
    if (!out.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered))
        return 1;
    JsonLinesSession session(&manager, &out, settings);
    int exitCode = 0;
    QObject::connect(&session, &JsonLinesSession::finished, &app, [&](int code) {
        exitCode = code;
        QCoreApplication::exit(code);
    });
    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &session, [&] { session.finish(0); });
    session.readCommandsFrom(0);
    session.start();
    const int rc = app.exec();
    return exitCode != 0 ? exitCode : rc;
}
