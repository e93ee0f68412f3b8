#include "DashboardCommandLine.h"

#include "client/TokenSource.h"
#include "dashboard/charts/ChartWindows.h"
#include "history/HistoryStore.h"
#include "protocol/EndpointUrl.h"

#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <algorithm>

namespace Pulseboard {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

bool readInt(const QCommandLineParser &parser, const char *name, int min, int *out, QString *error)
{
    if (!parser.isSet(opt(name)))
        return true;
    bool ok = false;
    const int v = parser.value(opt(name)).toInt(&ok);
    if (!ok || v < min) {
        *error = QStringLiteral("--%1 needs a whole number >= %2, got '%3'")
                     .arg(opt(name))
                     .arg(min)
                     .arg(parser.value(opt(name)));
        return false;
    }
    *out = v;
    return true;
}

bool readGeometry(const QString &text, QSize *size, QString *error)
{
    const QStringList wh = text.split(QLatin1Char('x'));
    bool wOk = false;
    bool hOk = false;
    const int w = wh.value(0).toInt(&wOk);
    const int h = wh.value(1).toInt(&hOk);
    if (wh.size() != 2 || !wOk || !hOk || w < 320 || h < 240) {
        *error = QStringLiteral("--geometry needs WIDTHxHEIGHT, at least 320x240");
        return false;
    }
    *size = QSize(w, h);
    return true;
}

// The embedded hub's layout, built in (resources/embedded-dashboard.json): its channels are also
// what an embedded run charts when its --config names none.
bool embeddedLayout(DashboardConfig *config, QString *error)
{
    QFile defaults(QStringLiteral(":/defaults/embedded-dashboard.json"));
    QString why = QStringLiteral("missing from the resources");
    if (defaults.open(QIODevice::ReadOnly) && DashboardConfig::parse(defaults.readAll(), config, &why))
        return true;
    *error = QStringLiteral("built-in dashboard layout: %1").arg(why);
    return false;
}

// --history-dir, --no-history, --history-retention.
bool readHistory(const QCommandLineParser &p, const DashboardCommandLine::Environment &env,
                 DashboardLaunch *l, QString *error)
{
    if (p.isSet(opt("no-history")) && (p.isSet(opt("history-dir")) || p.isSet(opt("history-retention")))) {
        *error = QStringLiteral("--no-history cannot be used with --%1")
                     .arg(p.isSet(opt("history-dir")) ? opt("history-dir") : opt("history-retention"));
        return false;
    }
    if (p.isSet(opt("history-retention"))) {
        QString why;
        if (!HistoryStore::parseRetention(p.value(opt("history-retention")), &l->historyMaxAgeMs,
                                          &l->historyMaxBytes, &why)) {
            *error = QStringLiteral("--history-retention: %1").arg(why);
            return false;
        }
    }
    if (p.isSet(opt("history-dir"))) {
        l->historyDir = p.value(opt("history-dir"));
        if (l->historyDir.trimmed().isEmpty()) {
            *error = QStringLiteral("--history-dir needs a folder");
            return false;
        }
        l->historyDir = QFileInfo(l->historyDir).absoluteFilePath();
    } else {
        l->historyDir = env.dataDir.isEmpty() ? QString() : env.dataDir + QStringLiteral("/history");
    }
    l->history = !p.isSet(opt("no-history")) && !l->historyDir.isEmpty() &&
                 (l->writeSettings || p.isSet(opt("history-dir")));
    return true;
}

// --replay FILE [--speed X]: the embedded hub serves the recording; no other server, no feeds.
bool readReplay(const QCommandLineParser &p, DashboardLaunch *l, QString *error)
{
    if (!p.isSet(opt("replay"))) {
        if (p.isSet(opt("speed"))) {
            *error = QStringLiteral("--speed is for --replay");
            return false;
        }
        return true;
    }
    l->replayFile = p.value(opt("replay"));
    if (l->replayFile.trimmed().isEmpty()) {
        *error = QStringLiteral("--replay needs a recording (pulseboard-cli --record FILE)");
        return false;
    }
    // A replay is the embedded hub's: a server of another kind cannot be one as well.
    for (const char *other : {"url", "source", "profile"}) {
        if (p.isSet(opt(other))) {
            *error = QStringLiteral("--replay cannot be used with --%1: the recording is served by the "
                                    "embedded hub")
                         .arg(opt(other));
            return false;
        }
    }
    // Nor is a replay recorded again (the Record button is not offered while one plays).
    for (const char *record : {"record", "record-dir"}) {
        if (p.isSet(opt(record))) {
            *error = QStringLiteral("--replay cannot be used with --%1: what a replay shows is a "
                                    "recording already")
                         .arg(opt(record));
            return false;
        }
    }
    if (p.isSet(opt("speed"))) {
        bool ok = false;
        const double speed = p.value(opt("speed")).toDouble(&ok);
        if (!ok || !(speed >= HubReplay::kMinSpeed && speed <= HubReplay::kMaxSpeed)) {
            *error = QStringLiteral("--speed must be %1-%2, got '%3'")
                         .arg(HubReplay::kMinSpeed)
                         .arg(HubReplay::kMaxSpeed)
                         .arg(p.value(opt("speed")));
            return false;
        }
        l->replaySpeed = speed;
    }
    return true;
}

} // namespace

bool DashboardCommandLine::loadReplay(DashboardLaunch *launch, QString *error)
{
    if (!launch->replaying())
        return true;
    QString why;
    launch->replay = ReplayRecording::load(launch->replayFile, &why);
    if (!launch->replay) {
        *error = QStringLiteral("--replay: %1").arg(why);
        return false;
    }
    // The dashboard charts the recorded channels (the config's charts, when one is given, too).
    for (const QString &channel : launch->replay->channels)
        if (!launch->config.channels.contains(channel) && !launch->channels.contains(channel))
            launch->channels.append(channel);
    return true;
}

QRect DashboardLaunch::geometryToRestore(const QRect &saved) const
{
    const bool restores = writeSettings && !kiosk && !geometryGiven;
    return restores && saved.isValid() ? saved : QRect();
}

DashboardCommandLine::Environment DashboardCommandLine::Environment::fromProcess()
{
    Environment env;
    env.token = qEnvironmentVariable("PULSEBOARD_TOKEN");
    env.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return env;
}

bool DashboardCommandLine::readSources(const QCommandLineParser &p, const ConnectionOptions &first,
                                       DashboardLaunch *l, QString *error)
{
    QList<SourceConfig> configs = l->config.sources;
    for (const QString &given : p.values(opt("source"))) {
        const qsizetype eq = given.indexOf(u'=');
        if (eq <= 0) {
            *error = QStringLiteral("--source takes NAME=URL or NAME:PROTOCOL=URL, not '%1'").arg(given);
            return false;
        }
        SourceConfig c;
        const QString head = given.left(eq).trimmed();
        const qsizetype colon = head.indexOf(u':');
        c.name = colon < 0 ? head : head.left(colon);
        c.protocol = colon < 0 ? QString() : head.mid(colon + 1).trimmed();
        QString why;
        if (!DashboardConfig::checkSourceName(c.name, &why)) {
            *error = QStringLiteral("--source %1: %2").arg(given, why);
            return false;
        }
        const std::optional<QUrl> url = EndpointUrl::parse(given.mid(eq + 1).trimmed(), &why);
        if (!url) {
            *error = QStringLiteral("--source %1: %2").arg(given, why);
            return false;
        }
        c.servers = {*url};
        // A flag beats the config's source of the same name.
        configs.removeIf([&c](const SourceConfig &o) { return o.name == c.name; });
        configs.append(c);
    }
    if (configs.isEmpty())
        return true;
    // --subscribe NAME/channel: the source's; the rest are the first's.
    QStringList firsts;
    for (const QString &channel : std::as_const(l->channels)) {
        auto it = std::find_if(configs.begin(), configs.end(), [&channel](const SourceConfig &c) {
            return channel.startsWith(c.name + u'/') && channel.size() > c.name.size() + 1;
        });
        if (it == configs.end()) {
            firsts.append(channel);
        } else if (const QString own = channel.mid(it->name.size() + 1); !it->channels.contains(own)) {
            it->channels.append(own);
        }
    }
    l->channels = firsts;
    for (const SourceConfig &c : std::as_const(configs)) {
        SourceSpec spec;
        spec.name = c.name;
        spec.channels = c.channels;
        spec.tokenFile = c.tokenFile;
        // The first's flags (heartbeat, backoff, backfill, TLS trust, frame limits) apply to
        // every source; its endpoints, token and journal are its own.
        ConnectionOptions o = first;
        o.endpoints = c.servers;
        o.token.clear();
        o.tokenProvider = {};
        o.tokenSource = c.tokenFile.isEmpty() ? TokenSourceFn() : TokenSource::fromFile(c.tokenFile);
        o.queueFile.clear(); // the session gives each its own journal
        o.protocol = c.protocol.isEmpty() ? QStringLiteral("pulseboard") : c.protocol;
        o.protocolConfig = c.protocolConfig;
        if (!checkProtocol(o, error)) {
            *error = QStringLiteral("source %1: %2").arg(c.name, *error);
            return false;
        }
        spec.connection = o;
        l->sources.append(spec);
    }
    return true;
}

void DashboardCommandLine::addTo(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Live dashboard for Pulseboard channels. With no --url it starts an embedded hub publishing this "
        "machine's CPU, memory and network figures, and shows them."));
    parser.addHelpOption();
    parser.addVersionOption();
    ConnectionOptions defaults;
    defaults.heartbeatIntervalMs = kDashboardHeartbeatIntervalMs;
    defaults.backfill = kDashboardBackfill;
    m_connection.addTo(parser, defaults); // its help states the dashboard's own ping interval
    QStringList windows;
    for (int s : ChartWindows::allowedSeconds())
        windows.append(QString::number(s));
    const QString lastWindow = windows.takeLast();
    parser.addOptions({
        {opt("config"),
         QStringLiteral("Dashboard config (JSON): servers, channels, charts, thresholds, layout."),
         QStringLiteral("FILE")},
        {opt("source"),
         QStringLiteral("One more live source beside the first, repeatable: NAME=URL, or NAME:PROTOCOL=URL "
                        "(e.g. plant:mqtt=ws://broker:9001/mqtt). Its channels are named NAME/channel: "
                        "--subscribe NAME/channel subscribes one. See docs/SOURCES.md."),
         QStringLiteral("NAME=URL")},
        {opt("kiosk"),
         QStringLiteral("Fullscreen wall display: no editing controls, no cursor, reconnects forever.")},
        {opt("window"),
         QStringLiteral("Chart time window in seconds: %1 or %2.")
             .arg(windows.join(QStringLiteral(", ")), lastWindow),
         QStringLiteral("S")},
        {opt("display-rate"), QStringLiteral("Chart refresh rate in Hz, 1-30 (default 20)."),
         QStringLiteral("HZ")},
        {opt("geometry"), QStringLiteral("Window size, e.g. 1440x900."), QStringLiteral("WxH")},
        {opt("network-thread"),
         QStringLiteral(
             "on (default): the connection, decoding and ingest run on a thread of their own; off: "
             "on the GUI thread (for comparison)."),
         QStringLiteral("on|off")},
        {opt("alert"),
         QStringLiteral(
             "An alert rule, repeatable (docs/ALERTS.md): e.g. 'name=cpu-hot severity=critical "
             "channel=sys.cpu field=/total above=90 clear=85 for=10s'. Added to the config's alerts."),
         QStringLiteral("RULE")},
        {opt("alert-file"), QStringLiteral("Alert rules from FILE, one a line ('#' comments)."),
         QStringLiteral("FILE")},
        {opt("no-notifications"),
         QStringLiteral("Raised alerts are shown in the app only, not as desktop notifications.")},
        {opt("theme"),
         QStringLiteral("Colours: %1 (default dark, or the last one picked in the app). Saved as the choice.")
             .arg(DashboardSettings::themeNames().join(QStringLiteral(" or "))),
         QStringLiteral("NAME")},
        {opt("no-settings"),
         QStringLiteral("Neither read nor save settings (window, chart choices, server profiles).")},
        {opt("profile"),
         QStringLiteral("Start with the saved server profile NAME (see --list-profiles); flags given with it "
                        "override its fields."),
         QStringLiteral("NAME")},
        {opt("list-profiles"),
         QStringLiteral("Print the saved server profiles, one JSON line each (no tokens), and exit.")},
        {opt("screenshot"),
         QStringLiteral(
             "Grab the window into FILE (PNG, plus FILE.json) once the charts show data, then exit."),
         QStringLiteral("FILE")},
        {opt("screenshot-delay"),
         QStringLiteral("Grab after exactly MS milliseconds instead of waiting for data."),
         QStringLiteral("MS")},
        {opt("print-state"),
         QStringLiteral("Print a JSON line on stdout whenever the connection state changes.")},
        {opt("control"), QStringLiteral("Read commands on stdin: 'grab FILE', 'snapshot', 'dialogs', 'open "
                                        "NAME', 'close NAME', 'quit'.")},
        {opt("hub-port"),
         QStringLiteral("Port of the embedded hub (no --url), default any free port; 127.0.0.1 only."),
         QStringLiteral("PORT")},
        {opt("stats-interval"),
         QStringLiteral("Print the window's frame rate and frame times every MS as JSON lines."),
         QStringLiteral("MS")},
        {opt("history-dir"),
         QStringLiteral("Keep the local history (every charted sample, the connection's outages) in DIR "
                        "(default: the app's data folder; none with --no-settings unless given)."),
         QStringLiteral("DIR")},
        {opt("no-history"), QStringLiteral("Keep no local history: charts start empty.")},
        {opt("history-retention"),
         QStringLiteral(
             "How much history to keep, by age and/or size, oldest dropped first (default 7d,2GiB)."),
         QStringLiteral("AGE,SIZE")},
        {opt("record"),
         QStringLiteral("Record every source's messages and connection timeline to FILE from the start, as "
                        "the Record button does (a file that exists is refused)."),
         QStringLiteral("FILE")},
        {opt("record-dir"),
         QStringLiteral("Where the Record button puts recordings (default: the app's data folder; none with "
                        "--no-settings unless given)."),
         QStringLiteral("DIR")},
        {opt("replay"),
         QStringLiteral(
             "Open a recording (pulseboard-cli --record FILE) instead of a live server: the embedded "
             "hub, with no feeds of its own, serves it at its recorded times and a timeline bar "
             "plays, pauses, scrubs, changes the speed and jumps to the next outage or gap."),
         QStringLiteral("FILE")},
        {opt("speed"),
         QStringLiteral("--replay: start at this many times the recorded pace, 0.1-100 (default 1)."),
         QStringLiteral("X")},
        {opt("renderer"),
         QStringLiteral(
             "How to draw: auto (GPU, or Qt Quick's software renderer when OpenGL is a CPU rasteriser "
             "such as llvmpipe or missing), software, gpu. Default auto."),
         QStringLiteral("MODE")},
    });
}

bool DashboardCommandLine::read(const QCommandLineParser &p, QSettings *userSettings, const Environment &env,
                                DashboardLaunch *launch, QString *error)
{
    DashboardLaunch l;
    ConnectionOptions &options = l.connection;
    if (!m_connection.read(p, options, l.channels, *error))
        return false;
    // The token comes from the flag, else from the environment this run was given (unless a
    // --token-file or --token-command gives it at every connect).
    if (!options.tokenSource)
        options.token = p.isSet(opt("token")) ? p.value(opt("token")) : env.token;

    // Settings are read unless --no-settings; a screenshot run reads them but leaves no trace.
    l.readSettings = !p.isSet(opt("no-settings"));
    l.writeSettings = l.readSettings && !p.isSet(opt("screenshot"));
    const bool fromProfile = p.isSet(opt("profile"));
    if (!l.readSettings && (fromProfile || p.isSet(opt("list-profiles")))) {
        *error = QStringLiteral("--%1 reads the saved settings; it cannot be used with --no-settings")
                     .arg(fromProfile ? opt("profile") : opt("list-profiles"));
        return false;
    }
    if (l.readSettings) {
        ProfileStore store;
        store.load(DashboardSettings(userSettings).profiles());
        l.savedProfiles = store.profiles();
    }
    if (p.isSet(opt("list-profiles"))) {
        l.action = DashboardLaunch::Action::ListProfiles;
        *launch = l;
        return true;
    }

    // --profile NAME: its fields, unless a flag says otherwise.
    l.configPath = p.value(opt("config"));
    if (fromProfile) {
        ProfileStore store;
        store.load(l.savedProfiles);
        const QString name = p.value(opt("profile"));
        const int at = store.indexOfName(name);
        if (at < 0) {
            *error = store.profiles().isEmpty()
                         ? QStringLiteral(
                               "no server profile named '%1': none is saved yet (every start with --url "
                               "saves one)")
                               .arg(name)
                         : QStringLiteral("no server profile named '%1'; saved profiles: %2")
                               .arg(name, store.names().join(QStringLiteral(", ")));
            return false;
        }
        l.start = store.profiles().at(at);
        if (!p.isSet(opt("url")))
            options.endpoints = l.start.endpoints;
        if (!p.isSet(opt("subscribe")))
            l.channels = l.start.channels;
        if (!p.isSet(opt("origin")))
            options.origin = l.start.origin;
        if (!p.isSet(opt("ca-file")))
            options.caCertificatesFile = l.start.caFile;
        if (!p.isSet(opt("insecure")))
            options.insecure = l.start.insecure;
        if (!p.isSet(opt("config")))
            l.configPath = l.start.configPath;
    }
    if (p.isSet(opt("renderer")) && !parseRendererMode(p.value(opt("renderer")), &l.renderer, error))
        return false;
    if (!readReplay(p, &l, error))
        return false;

    if (!l.configPath.isEmpty() && !DashboardConfig::load(l.configPath, &l.config, error))
        return false;
    int windowSeconds = l.config.windowMs / 1000;
    int rate = l.config.displayRateHz;
    if (!readInt(p, "window", 1, &windowSeconds, error) || !readInt(p, "display-rate", 1, &rate, error) ||
        !readInt(p, "screenshot-delay", 0, &l.automation.screenshotDelayMs, error) ||
        !readInt(p, "stats-interval", 100, &l.automation.statsIntervalMs, error))
        return false;
    if (!ChartWindows::isAllowedSeconds(windowSeconds)) {
        *error = ChartWindows::mustBeText(QStringLiteral("--window"));
        return false;
    }
    if (rate > 30) {
        *error = QStringLiteral("--display-rate must be 1-30 Hz");
        return false;
    }
    l.windowGiven = p.isSet(opt("window"));
    l.config.windowMs = windowSeconds * 1000;
    l.config.displayRateHz = rate;
    if (p.isSet(opt("theme"))) {
        l.theme = p.value(opt("theme")).trimmed().toLower();
        if (!DashboardSettings::isThemeName(l.theme)) {
            *error =
                QStringLiteral("--theme must be %1, not '%2'")
                    .arg(DashboardSettings::themeNames().join(QStringLiteral(" or ")), p.value(opt("theme")));
            return false;
        }
    }
    l.geometryGiven = p.isSet(opt("geometry"));
    if (l.geometryGiven && !readGeometry(p.value(opt("geometry")), &l.windowSize, error))
        return false;

    // The health panel charts RTT: ping every 5 s rather than the protocol's 30 s, unless told.
    if (!p.isSet(opt("heartbeat-interval")))
        options.heartbeatIntervalMs = kDashboardHeartbeatIntervalMs;
    // Charts start full: a first subscribe asks for the hub's retained past, unless told.
    if (!p.isSet(opt("backfill")) && !p.isSet(opt("no-backfill")))
        options.backfill = kDashboardBackfill;
    l.kiosk = p.isSet(opt("kiosk"));
    if (p.isSet(opt("network-thread"))) {
        const QString v = p.value(opt("network-thread"));
        if (v != QLatin1StringView("on") && v != QLatin1StringView("off")) {
            *error = QStringLiteral("--network-thread takes on or off, not '%1'").arg(v);
            return false;
        }
        l.networkThread = v == QLatin1StringView("on");
    }
    // A wall display has nobody to press Retry: unless told otherwise it never gives up.
    if (l.kiosk && !p.isSet(opt("max-retries")))
        options.maxRetries = 0;
    const bool serversFromConfig = options.endpoints.isEmpty() && !l.config.servers.isEmpty();
    if (options.endpoints.isEmpty())
        options.endpoints = l.config.servers;
    // What the server speaks: the flags, else the profile's, else the config's server entries.
    const bool protocolFlag = p.isSet(opt("protocol"));
    const bool protocolConfigFlag = p.isSet(opt("protocol-config"));
    if (fromProfile && !p.isSet(opt("url"))) {
        if (!protocolFlag)
            options.protocol = l.start.protocol.isEmpty() ? QStringLiteral("pulseboard") : l.start.protocol;
        if (!protocolConfigFlag)
            options.protocolConfig = l.start.protocolConfig;
    } else if (serversFromConfig) {
        if (!protocolFlag && !l.config.protocol.isEmpty())
            options.protocol = l.config.protocol;
        if (!protocolConfigFlag && !l.config.protocolConfig.isEmpty())
            options.protocolConfig = l.config.protocolConfig;
    }
    // --mqtt-username is one setting: it goes over whichever settings were chosen.
    if (p.isSet(opt("mqtt-username")))
        options.protocolConfig.insert(QStringLiteral("username"), p.value(opt("mqtt-username")));
    if (options.endpoints.isEmpty() && options.protocol != QLatin1StringView("pulseboard")) {
        *error = QStringLiteral("--protocol %1 needs --url: the embedded hub speaks pulseboard")
                     .arg(options.protocol);
        return false;
    }
    if (!checkProtocol(options, error))
        return false;

    if (!readSources(p, options, &l, error))
        return false;

    // What every server switch builds on: this run's connection flags and tokens, where the
    // journals live, how to start the embedded hub and its built-in layout.
    ServerSwitcher::Environment &servers = l.servers;
    servers.base = options;
    servers.flagToken = p.value(opt("token"));
    servers.flagTokenEndpoints = options.endpoints;
    servers.envToken = env.token;
    // Commands sent to a real server survive a crash: they are journaled under the app's data
    // folder, one journal per server list. The embedded hub lives and dies with this process and
    // screenshot runs leave no trace, so neither keeps one. --queue-file overrides.
    if (l.writeSettings)
        servers.journalDir = env.dataDir;
    servers.explicitQueueFile = options.queueFile;
    servers.explicitQueueEndpoints = options.endpoints;
    servers.hub.host = QHostAddress::LocalHost;
    int hubPort = 0;
    if (!readInt(p, "hub-port", 0, &hubPort, error))
        return false;
    if (hubPort > 65535) {
        *error = QStringLiteral("--hub-port must be 0-65535");
        return false;
    }
    servers.hub.port = quint16(hubPort);
    servers.hub.serverName = QStringLiteral("pulseboard (embedded hub)");
    if (!embeddedLayout(&servers.embeddedConfig, error))
        return false;
    servers.embeddedConfig.windowMs = l.config.windowMs;
    servers.embeddedConfig.displayRateHz = rate;

    if (l.replaying()) {
        // The embedded hub serves the recording and nothing else: the recorded channels (added by
        // loadReplay) are what is charted, the config's layout when one is given.
        servers.hub.feedsEnabled = false;
        servers.hub.serverName = QStringLiteral("pulseboard (replay)");
        servers.embeddedConfig.channels.clear();
        servers.embeddedConfig.charts.clear();
        if (l.configPath.isEmpty())
            l.config = servers.embeddedConfig;
    } else if (l.embeddedHub()) {
        // No server given: the embedded hub's layout, or the config's with the hub's channels
        // when it names none.
        if (l.configPath.isEmpty())
            l.config = servers.embeddedConfig;
        else if (l.config.channels.isEmpty() && l.config.charts.isEmpty())
            l.config.channels = servers.embeddedConfig.channels;
    } else {
        if (p.isSet(opt("hub-port"))) {
            *error = QStringLiteral("--hub-port is for the embedded hub; it cannot be used with --url");
            return false;
        }
        l.start.endpoints = options.endpoints;
        l.start.channels = l.channels;
        l.start.origin = options.origin;
        l.start.caFile = options.caCertificatesFile;
        l.start.insecure = options.insecure;
        l.start.protocol = options.protocol == QLatin1StringView("pulseboard") ? QString() : options.protocol;
        l.start.protocolConfig = options.protocolConfig;
        l.start.configPath = l.configPath.isEmpty() ? QString() : QFileInfo(l.configPath).absoluteFilePath();
    }

    l.alerts = l.config.alerts;
    if (p.isSet(opt("alert-file"))) {
        QList<AlertRule> fromFile;
        if (!readAlertRuleFile(p.value(opt("alert-file")), &fromFile, error)) {
            *error = QStringLiteral("--alert-file: %1").arg(*error);
            return false;
        }
        l.alerts += fromFile;
    }
    {
        QList<AlertRule> given;
        if (!parseAlertRules(p.values(opt("alert")), &given, error)) {
            *error = QStringLiteral("--alert %1").arg(*error);
            return false;
        }
        l.alerts += given;
        QString why;
        if (!checkAlertRules(l.alerts, &why)) {
            *error = QStringLiteral("alert rules: %1").arg(why);
            return false;
        }
        // source= names a further source of this dashboard (the first has no name).
        for (const AlertRule &rule : std::as_const(l.alerts)) {
            if (rule.source.isEmpty() ||
                std::any_of(l.sources.cbegin(), l.sources.cend(),
                            [&rule](const SourceSpec &s) { return s.name == rule.source; }))
                continue;
            *error = QStringLiteral("alert rule %1: no source named '%2' (the first source is watched with "
                                    "no source=)")
                         .arg(rule.name, rule.source);
            return false;
        }
    }
    l.desktopNotifications = !p.isSet(opt("no-notifications"));

    if (!readHistory(p, env, &l, error))
        return false;
    // What a replay shows is the recording's, not this machine's: it goes into no local history
    // (nor is the history read into its charts).
    if (l.replaying()) {
        if (p.isSet(opt("history-dir"))) {
            *error = QStringLiteral("--replay keeps no local history: --history-dir cannot be used with it");
            return false;
        }
        l.history = false;
    }
    if (l.writeSettings && !env.dataDir.isEmpty())
        l.commandHistoryFile = env.dataDir + QStringLiteral("/command-history.jsonl");
    if (p.isSet(opt("record-dir"))) {
        if (p.value(opt("record-dir")).trimmed().isEmpty()) {
            *error = QStringLiteral("--record-dir needs a folder");
            return false;
        }
        l.recordDir = QFileInfo(p.value(opt("record-dir"))).absoluteFilePath();
    } else if (l.writeSettings && !env.dataDir.isEmpty()) {
        l.recordDir = env.dataDir + QStringLiteral("/recordings");
    }
    if (p.isSet(opt("record"))) {
        const QString file = p.value(opt("record"));
        if (file.trimmed().isEmpty()) {
            *error = QStringLiteral("--record needs a file");
            return false;
        }
        l.recordFile = QFileInfo(file).absoluteFilePath();
        if (QFileInfo::exists(l.recordFile)) {
            *error =
                QStringLiteral("--record: %1 exists; a recording never replaces a file").arg(l.recordFile);
            return false;
        }
    }
    l.automation.screenshotFile = p.value(opt("screenshot"));
    l.automation.printState = p.isSet(opt("print-state"));
    l.automation.control = p.isSet(opt("control"));
    *launch = l;
    return true;
}

} // namespace Pulseboard
