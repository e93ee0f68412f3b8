// pulseboard: the dashboard. Parses flags, makes the ConnectionManager and the Dashboard,
// loads the QML module `Pulseboard`, and wires automation (screenshots, state, frame stats).
#include "client/CommandLineOptions.h"
#include "client/ConnectionManager.h"
#include "dashboard/servers/ServerProfiles.h"
#include "dashboard/shell/Automation.h"
#include "dashboard/shell/Dashboard.h"
#include "dashboard/shell/RenderBackend.h"
#include "hub/HubServer.h"
#include "util/SignalWatcher.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QSettings>
#include <QStandardPaths>
#include <QtQml/QQmlExtensionPlugin>

#include <cstdio>
#include <memory>

Q_IMPORT_QML_PLUGIN(PulseboardPlugin)

using namespace Pulseboard;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "pulseboard: %s\n", qPrintable(message));
    return 2;
}

bool readMs(const QCommandLineParser &parser, const QString &name, int min, int *out, QString *error)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const int v = parser.value(name).toInt(&ok);
    if (!ok || v < min) {
        *error = QStringLiteral("--%1 needs a whole number >= %2, got '%3'").arg(name).arg(min).arg(parser.value(name));
        return false;
    }
    *out = v;
    return true;
}

void describeFlags(QCommandLineParser &parser, ConnectionCommandLine &connectionFlags)
{
    parser.setApplicationDescription(QStringLiteral(
        "Live dashboard for Pulseboard channels. With no --url it starts an embedded hub publishing this "
        "machine's CPU, memory and network figures, and shows them."));
    parser.addHelpOption();
    parser.addVersionOption();
    connectionFlags.addTo(parser);
    parser.addOptions({
        {QStringLiteral("config"), QStringLiteral("Dashboard config (JSON): servers, channels, charts, thresholds, layout."),
         QStringLiteral("FILE")},
        {QStringLiteral("kiosk"), QStringLiteral("Fullscreen wall display: no editing controls, no cursor, reconnects forever.")},
        {QStringLiteral("window"), QStringLiteral("Chart time window in seconds: 60, 300 or 900."), QStringLiteral("S")},
        {QStringLiteral("display-rate"), QStringLiteral("Chart refresh rate in Hz, 1-30 (default 20)."), QStringLiteral("HZ")},
        {QStringLiteral("geometry"), QStringLiteral("Window size, e.g. 1440x900."), QStringLiteral("WxH")},
        {QStringLiteral("no-settings"), QStringLiteral("Neither read nor save settings (window, chart choices, server profiles).")},
        {QStringLiteral("profile"),
         QStringLiteral("Start with the saved server profile NAME (see --list-profiles); flags given with it override its fields."),
         QStringLiteral("NAME")},
        {QStringLiteral("list-profiles"), QStringLiteral("Print the saved server profiles, one JSON line each (no tokens), and exit.")},
        {QStringLiteral("screenshot"), QStringLiteral("Grab the window into FILE (PNG, plus FILE.json) once the charts show data, then exit."),
         QStringLiteral("FILE")},
        {QStringLiteral("screenshot-delay"), QStringLiteral("Grab after exactly MS milliseconds instead of waiting for data."),
         QStringLiteral("MS")},
        {QStringLiteral("print-state"), QStringLiteral("Print a JSON line on stdout whenever the connection state changes.")},
        {QStringLiteral("control"), QStringLiteral("Read commands on stdin: 'grab FILE', 'snapshot', 'dialogs', 'open NAME', 'close NAME', 'quit'.")},
        {QStringLiteral("hub-port"), QStringLiteral("Port of the embedded hub (no --url), default any free port; 127.0.0.1 only."),
         QStringLiteral("PORT")},
        {QStringLiteral("stats-interval"), QStringLiteral("Print the window's frame rate and frame times every MS as JSON lines."),
         QStringLiteral("MS")},
        {QStringLiteral("renderer"),
         QStringLiteral("How to draw: auto (GPU, or Qt Quick's software renderer when OpenGL is a CPU rasteriser "
                        "such as llvmpipe or missing), software, gpu. Default auto."),
         QStringLiteral("MODE")},
    });
}

// The user's settings file; QApplication's organisation and name point QSettings() at the same one.
std::unique_ptr<QSettings> userSettings()
{
    return std::make_unique<QSettings>(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("Pulseboard"),
                                       QStringLiteral("pulseboard"));
}

// --help, --version, --list-profiles, unknown profiles and bad flags are answered before QApplication exists, so they work
// without a display (QApplication needs one).
int answerWithoutDisplay(int argc, char *argv[])
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));
    QCommandLineParser parser;
    ConnectionCommandLine connectionFlags;
    describeFlags(parser, connectionFlags);
    if (!parser.parse(args))
        return fail(parser.errorText());
    const bool help = parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all"));
    const bool noSettings = parser.isSet(QStringLiteral("no-settings"));
    if (!help && !parser.isSet(QStringLiteral("version"))
        && (parser.isSet(QStringLiteral("list-profiles")) || parser.isSet(QStringLiteral("profile")))) {
        if (noSettings)
            return fail(QStringLiteral("--%1 reads the saved settings; it cannot be used with --no-settings")
                            .arg(parser.isSet(QStringLiteral("profile")) ? QStringLiteral("profile")
                                                                         : QStringLiteral("list-profiles")));
        ProfileStore store;
        store.load(userSettings().get());
        if (parser.isSet(QStringLiteral("list-profiles"))) {
            for (const ServerProfile &p : store.profiles())
                std::fprintf(stdout, "%s\n", QJsonDocument(p.toJson()).toJson(QJsonDocument::Compact).constData());
            return 0;
        }
        const QString name = parser.value(QStringLiteral("profile"));
        if (store.indexOfName(name) < 0)
            return fail(store.profiles().isEmpty()
                            ? QStringLiteral("no server profile named '%1': none is saved yet (every start with --url "
                                             "saves one)")
                                  .arg(name)
                            : QStringLiteral("no server profile named '%1'; saved profiles: %2")
                                  .arg(name, store.names().join(QStringLiteral(", "))));
    }
    if (!help && !parser.isSet(QStringLiteral("version"))) {
        // A bad --renderer is refused here too: it decides how the display is used at all.
        RendererMode mode;
        QString error;
        if (parser.isSet(QStringLiteral("renderer"))
            && !parseRendererMode(parser.value(QStringLiteral("renderer")), &mode, &error))
            return fail(error);
        return -1;
    }
    QCoreApplication core(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("pulseboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PULSEBOARD_VERSION));
    parser.process(core); // prints and exits
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    if (const int early = answerWithoutDisplay(argc, argv); early >= 0)
        return early;
    // Qt Charts draws with QGraphicsView underneath: it needs QApplication.
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Pulseboard"));
    QApplication::setApplicationName(QStringLiteral("pulseboard"));
    QApplication::setApplicationVersion(QStringLiteral(PULSEBOARD_VERSION));

    QCommandLineParser parser;
    ConnectionCommandLine connectionFlags;
    describeFlags(parser, connectionFlags);
    parser.process(app);

    ConnectionOptions options;
    QStringList channels;
    QString error;
    if (!connectionFlags.read(parser, options, channels, error))
        return fail(error);

    // Settings are read unless --no-settings; a screenshot run reads them but leaves no trace.
    const bool readSettings = !parser.isSet(QStringLiteral("no-settings"));
    const bool useSettings = readSettings && !parser.isSet(QStringLiteral("screenshot"));
    QSettings settings;

    // --profile NAME: its fields, unless a flag says otherwise (the name was checked before).
    ServerProfile startProfile;
    QString configPath = parser.value(QStringLiteral("config"));
    const bool fromProfile = parser.isSet(QStringLiteral("profile"));
    if (fromProfile) {
        ProfileStore store;
        store.load(&settings);
        const int at = store.indexOfName(parser.value(QStringLiteral("profile")));
        if (at < 0)
            return fail(QStringLiteral("no server profile named '%1'").arg(parser.value(QStringLiteral("profile"))));
        startProfile = store.profiles().at(at);
        if (!parser.isSet(QStringLiteral("url")))
            options.endpoints = startProfile.endpoints;
        if (!parser.isSet(QStringLiteral("subscribe")))
            channels = startProfile.channels;
        if (!parser.isSet(QStringLiteral("origin")))
            options.origin = startProfile.origin;
        if (!parser.isSet(QStringLiteral("ca-file")))
            options.caCertificatesFile = startProfile.caFile;
        if (!parser.isSet(QStringLiteral("insecure")))
            options.insecure = startProfile.insecure;
        if (!parser.isSet(QStringLiteral("config")))
            configPath = startProfile.configPath;
    }

    Dashboard::Options dashboardOptions;
    if (!configPath.isEmpty() && !DashboardConfig::load(configPath, &dashboardOptions.config, &error))
        return fail(error);
    for (const QString &w : std::as_const(dashboardOptions.config.warnings))
        std::fprintf(stderr, "pulseboard: config: %s\n", qPrintable(w));
    int windowSeconds = dashboardOptions.config.windowMs / 1000;
    int rate = dashboardOptions.config.displayRateHz;
    int screenshotDelay = -1;
    int statsInterval = 0;
    if (!readMs(parser, QStringLiteral("window"), 1, &windowSeconds, &error)
        || !readMs(parser, QStringLiteral("display-rate"), 1, &rate, &error)
        || !readMs(parser, QStringLiteral("screenshot-delay"), 0, &screenshotDelay, &error)
        || !readMs(parser, QStringLiteral("stats-interval"), 100, &statsInterval, &error))
        return fail(error);
    if (windowSeconds != 60 && windowSeconds != 300 && windowSeconds != 900)
        return fail(QStringLiteral("--window must be 60, 300 or 900"));
    if (rate > 30)
        return fail(QStringLiteral("--display-rate must be 1-30 Hz"));
    RendererMode rendererMode = RendererMode::Auto;
    if (parser.isSet(QStringLiteral("renderer"))
        && !parseRendererMode(parser.value(QStringLiteral("renderer")), &rendererMode, &error))
        return fail(error);
    dashboardOptions.config.windowMs = windowSeconds * 1000;
    dashboardOptions.config.displayRateHz = rate;
    QSize size(1440, 900);
    if (parser.isSet(QStringLiteral("geometry"))) {
        const QStringList wh = parser.value(QStringLiteral("geometry")).split(QLatin1Char('x'));
        const int w = wh.value(0).toInt();
        const int h = wh.value(1).toInt();
        if (wh.size() != 2 || w < 320 || h < 240)
            return fail(QStringLiteral("--geometry needs WIDTHxHEIGHT, at least 320x240"));
        size = QSize(w, h);
    }

    // The health panel charts RTT: ping every 5 s rather than the protocol's 30 s, unless told.
    if (!parser.isSet(QStringLiteral("heartbeat-interval")))
        options.heartbeatIntervalMs = 5000;
    const bool kiosk = parser.isSet(QStringLiteral("kiosk"));
    // A wall display has nobody to press Retry: unless told otherwise it never gives up.
    if (kiosk && !parser.isSet(QStringLiteral("max-retries")))
        options.maxRetries = 0;
    if (options.endpoints.isEmpty())
        options.endpoints = dashboardOptions.config.servers;

    // What every server switch builds on: this run's connection flags and tokens, where the
    // journals live, how to start the embedded hub and its built-in layout.
    ServerProfiles::Environment environment;
    environment.base = options;
    environment.flagToken = parser.value(QStringLiteral("token"));
    environment.flagTokenEndpoints = options.endpoints;
    environment.envToken = qEnvironmentVariable("PULSEBOARD_TOKEN");
    // Commands sent to a real server survive a crash: they are journaled under the app's data
    // folder, one journal per server list. The embedded hub lives and dies with this process and
    // screenshot runs leave no trace, so neither keeps one. --queue-file overrides.
    if (useSettings)
        environment.journalDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    environment.explicitQueueFile = options.queueFile;
    environment.explicitQueueEndpoints = options.endpoints;
    environment.hub.host = QHostAddress::LocalHost;
    int hubPort = 0;
    if (!readMs(parser, QStringLiteral("hub-port"), 0, &hubPort, &error) || hubPort > 65535)
        return fail(error.isEmpty() ? QStringLiteral("--hub-port must be 0-65535") : error);
    environment.hub.port = quint16(hubPort);
    environment.hub.serverName = QStringLiteral("pulseboard (embedded hub)");
    {
        QFile defaults(QStringLiteral(":/defaults/embedded-dashboard.json"));
        if (!defaults.open(QIODevice::ReadOnly)
            || !DashboardConfig::parse(defaults.readAll(), &environment.embeddedConfig, &error))
            return fail(QStringLiteral("built-in dashboard layout: %1").arg(error));
        environment.embeddedConfig.windowMs = windowSeconds * 1000;
        environment.embeddedConfig.displayRateHz = rate;
    }
    ServerProfiles servers(readSettings ? &settings : nullptr, useSettings, environment);

    // No server given: run a hub in this process on loopback, publishing this machine's figures,
    // and chart them. The default works with nothing else installed.
    QString startProblem;
    if (options.endpoints.isEmpty()) {
        if (!servers.startEmbeddedHub(&error))
            return fail(QStringLiteral("the embedded hub did not start: %1").arg(error));
        options.endpoints = {servers.hub()->url()};
        if (configPath.isEmpty()) {
            dashboardOptions.config = environment.embeddedConfig;
        } else if (dashboardOptions.config.channels.isEmpty() && dashboardOptions.config.charts.isEmpty()) {
            dashboardOptions.config.channels = {QStringLiteral("sys.cpu"), QStringLiteral("sys.mem"),
                                                QStringLiteral("sys.net"), QStringLiteral("sys.load")};
        }
        dashboardOptions.embeddedHub = true;
    } else {
        if (parser.isSet(QStringLiteral("hub-port")))
            return fail(QStringLiteral("--hub-port is for the embedded hub; it cannot be used with --url"));
        ServerProfile start = startProfile;
        start.endpoints = options.endpoints;
        start.channels = channels;
        start.origin = options.origin;
        start.caFile = options.caCertificatesFile;
        start.insecure = options.insecure;
        start.configPath = configPath.isEmpty() ? QString() : QFileInfo(configPath).absoluteFilePath();
        // A saved profile that authenticated needs a token again; without one the banner says so
        // in words rather than letting the server refuse an empty one.
        if (!servers.setStartServer(start))
            startProblem = servers.problem();
        options.queueFile = servers.queueFileFor(options.endpoints);
    }

    dashboardOptions.settings = useSettings ? &settings : nullptr;
    dashboardOptions.servers = &servers;
    dashboardOptions.kiosk = kiosk;
    dashboardOptions.channels = channels;

    ConnectionManager manager;
    manager.setOptions(options);
    Dashboard dashboard(&manager, dashboardOptions);
    servers.attach(&manager, &dashboard);
    if (parser.isSet(QStringLiteral("window")))
        dashboard.setWindowMs(windowSeconds * 1000);

    const RenderChoice renderChoice = applyRendererMode(rendererMode);
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

    if (useSettings && !kiosk && !parser.isSet(QStringLiteral("geometry"))) {
        const QRect saved = settings.value(QStringLiteral("window/geometry")).toRect();
        if (saved.isValid())
            window->setGeometry(saved);
        else
            window->resize(size);
    } else {
        window->resize(size);
    }
    if (kiosk) {
        QGuiApplication::setOverrideCursor(Qt::BlankCursor);
        window->showFullScreen();
    } else {
        window->show();
    }

    Automation::Options automationOptions;
    automationOptions.screenshotFile = parser.value(QStringLiteral("screenshot"));
    automationOptions.screenshotDelayMs = screenshotDelay;
    automationOptions.printState = parser.isSet(QStringLiteral("print-state"));
    automationOptions.control = parser.isSet(QStringLiteral("control"));
    automationOptions.statsIntervalMs = statsInterval;
    Automation automation(&dashboard, window, automationOptions);
    QObject::connect(&automation, &Automation::quitRequested, &app, [](int code) { QCoreApplication::exit(code); });

    SignalWatcher termination;
    QObject::connect(&termination, &SignalWatcher::terminationRequested, &app, [] { QCoreApplication::exit(0); });
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &app, [&] {
        if (useSettings && !kiosk)
            settings.setValue(QStringLiteral("window/geometry"), window->geometry());
        manager.close();
        servers.shutdown();
    });

    if (startProblem.isEmpty())
        manager.open();
    return app.exec();
}
