// pulseboard: the dashboard. Resolves the command line into a DashboardLaunch, builds the
// DashboardSession, loads the QML module `Pulseboard` and wires automation (screenshots, state,
// frame stats). Every rule of the launch lives in lib/dashboard/shell, tested there.
#include "dashboard/shell/Automation.h"
#include "dashboard/shell/Dashboard.h"
#include "dashboard/shell/DashboardCommandLine.h"
#include "dashboard/shell/DashboardSession.h"
#include "dashboard/shell/RenderBackend.h"
#include "util/SignalWatcher.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QSettings>
#include <QtQml/QQmlExtensionPlugin>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(PulseboardPlugin)

using namespace Pulseboard;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "pulseboard: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    // Named before any QGuiApplication: the settings file and the journal folder depend on them.
    QCoreApplication::setOrganizationName(QStringLiteral("Pulseboard"));
    QCoreApplication::setApplicationName(QStringLiteral("pulseboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PULSEBOARD_VERSION));

    // Flags are answered before QGuiApplication exists, so --help, --version, --list-profiles and
    // every refusal work without a display (QGuiApplication needs one).
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));
    QCommandLineParser parser;
    DashboardCommandLine commandLine;
    commandLine.addTo(parser);
    if (!parser.parse(args))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")) ||
        parser.isSet(QStringLiteral("version"))) {
        QCoreApplication core(argc, argv);
        parser.process(core); // prints and exits
        return 0;
    }
    const auto settings = DashboardSettings::openUserSettings();
    DashboardLaunch launch;
    QString error;
    if (!commandLine.read(parser, settings.get(), DashboardCommandLine::Environment::fromProcess(), &launch,
                          &error))
        return fail(error);
    if (launch.action == DashboardLaunch::Action::ListProfiles) {
        for (const ServerProfile &p : std::as_const(launch.savedProfiles))
            std::fprintf(stdout, "%s\n",
                         QJsonDocument(p.toJson()).toJson(QJsonDocument::Compact).constData());
        return 0;
    }
    for (const QString &w : std::as_const(launch.config.warnings))
        std::fprintf(stderr, "pulseboard: config: %s\n", qPrintable(w));
    // --replay FILE: read and checked before any window (a bad file opens none).
    if (!DashboardCommandLine::loadReplay(&launch, &error)) {
        std::fprintf(stderr, "pulseboard: %s\n", qPrintable(error));
        return DashboardCommandLine::kReplayUnreadable;
    }

    QGuiApplication app(argc, argv);
    DashboardSession session(launch, settings.get());
    if (!session.start(&error))
        return fail(error);
    Dashboard &dashboard = *session.dashboard();
    const RenderChoice renderChoice = applyRendererMode(launch.renderer);
    dashboard.frames()->setRenderer(renderChoice.description);

    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("dashboard"), QVariant::fromValue(&dashboard)}});
    engine.load(QUrl(QStringLiteral("qrc:/Pulseboard/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return fail(QStringLiteral("the user interface did not load (see the messages above)"));
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return fail(QStringLiteral("the main QML file is not a window"));
    dashboard.frames()->attach(window);
    session.showWindow(window);

    Automation automation(&dashboard, window, launch.automation);
    QObject::connect(&automation, &Automation::quitRequested, &app,
                     [](int code) { QCoreApplication::exit(code); });
    SignalWatcher termination;
    QObject::connect(&termination, &SignalWatcher::terminationRequested, &app,
                     [] { QCoreApplication::exit(0); });
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &app, [&] { session.shutdown(window); });

    session.open();
    return app.exec();
}
