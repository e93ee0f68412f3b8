// pulseboard-hub: the Pulseboard server. Prints `listening on ws://HOST:PORT` (or wss://) as its
// first line on stdout so scripts can find it; logs go to stderr. SIGINT/SIGTERM close every
// client with 1001 and exit 0. Exit: 0 normal, 1 could not start, 2 usage error.
#include "hub/HubCommandLine.h"
#include "hub/HubServer.h"
#include "hub/TokenAuth.h"
#include "protocol/Clock.h"
#include "util/SignalWatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

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
    if (!hub.start(&error)) {
        err << "pulseboard-hub: " << error << "\n";
        return 1;
    }
    out << "listening on " << hub.url().toString() << "\n";
    if (hub.healthPort() != 0)
        out << "health on " << hub.healthUrl().toString() << "/healthz\n";
    out.flush();

    QObject::connect(&signals, &SignalWatcher::terminationRequested, &hub, [&hub, &err](int signalNumber) {
        err << "pulseboard-hub: signal " << signalNumber << ", shutting down\n";
        err.flush();
        hub.shutdown();
    });
    QObject::connect(&hub, &HubServer::stopped, &app, [] { QCoreApplication::exit(0); });
    return app.exec();
}
