// The flags of `pulseboard`, resolved with the saved server profile they name (--profile), the
// dashboard config file (--config) and the environment into one DashboardLaunch: everything a
// run needs, decided before any window exists. Kept out of main() so tests check each rule (a
// flag beats the profile, the profile beats the config and the default; the window set; rate
// and port ranges; the kiosk's retry policy; --geometry) and each refusal without a process.
#pragma once

#include "Automation.h"
#include "DashboardConfig.h"
#include "DashboardSettings.h"
#include "DashboardSource.h"
#include "RenderBackend.h"
#include "client/CommandLineOptions.h"
#include "client/ConnectionOptions.h"
#include "dashboard/servers/ServerSwitcher.h"
#include "hub/HubReplay.h"

#include <QCommandLineParser>
#include <QRect>
#include <QSize>

#include <memory>

namespace Pulseboard {

struct DashboardLaunch
{
    // What main() does after parsing.
    enum class Action { Run, ListProfiles };
    Action action = Action::Run;

    // The connection to open first. No endpoints: the embedded hub, started by the session.
    ConnectionOptions connection;
    bool embeddedHub() const { return connection.endpoints.isEmpty(); }
    // The server started with (not the embedded hub): a profile as it will be recorded.
    ServerProfile start;
    // What every server switch builds on (tokens, journals, the embedded hub and its layout).
    ServerSwitcher::Environment servers;

    DashboardConfig config; // --config (or the profile's), window and rate applied
    QString configPath;     // as given; empty: none
    QStringList channels;   // subscribed at start besides the config's (--subscribe or the profile's)
    // The live sources after the first: the config's "sources", then each --source (a flag
    // beats the config's source of its name); --subscribe NAME/channel went to its source.
    QList<SourceSpec> sources;
    bool kiosk = false;
    bool windowGiven = false; // --window: it beats the saved choice (and is saved)
    QString theme;            // --theme dark|light; empty: the saved choice, else dark

    bool readSettings = true;           // not --no-settings
    bool writeSettings = true;          // and not a screenshot run, which leaves no trace
    QList<ServerProfile> savedProfiles; // as read; what --list-profiles prints

    QSize windowSize{1440, 900};
    bool geometryGiven = false; // --geometry: it beats the saved geometry
    RendererMode renderer = RendererMode::Auto;
    Automation::Options automation;

    int healthIntervalMs = 1000; // no flag: tests sample faster
    // The connection, decoding and ingest on a thread of their own (docs/ARCHITECTURE.md,
    // "Threads"); --network-thread off keeps them on the GUI thread (to compare, in benchmarks).
    bool networkThread = true;
    // The alert rules: the config's "alerts", then --alert-file's, then each --alert (names unique).
    QList<AlertRule> alerts;
    // Raised alerts also go to the desktop's notification service (not with --no-notifications).
    bool desktopNotifications = true;

    // The local history (lib/history): --history-dir, --no-history, --history-retention. A run
    // that writes no settings (--no-settings, a screenshot) keeps none unless --history-dir
    // names a folder, so test runs never write into the user's history.
    bool history = false; // read() turns it on unless a rule above says none
    QString historyDir;   // default: "history" in the app's data folder
    qint64 historyMaxAgeMs = 7LL * 24 * 3600 * 1000;
    qint64 historyMaxBytes = 2LL * 1024 * 1024 * 1024;
    QString historyFile() const { return historyDir + QStringLiteral("/history.sqlite"); }
    // The Console's command history (CommandHistory): command-history.jsonl in the app's data
    // folder, next to the outbox journals; empty (kept in memory only) for a run that writes no
    // settings (--no-settings, a screenshot).
    QString commandHistoryFile;
    // The Record button's folder (--record-dir; default "recordings" in the app's data folder,
    // none for a run that writes no settings unless given) and --record FILE, recorded from the
    // start (a file that exists is refused).
    QString recordDir;
    QString recordFile;

    // pulseboard --replay FILE: the recording the embedded hub serves instead of its feeds (read by
    // DashboardCommandLine::loadReplay); empty: a live run.
    QString replayFile;
    double replaySpeed = 1; // --speed
    std::shared_ptr<const ReplayRecording> replay;
    bool replaying() const { return !replayFile.isEmpty(); }

    // Where the main window goes: `saved` when settings are in use, it is valid and neither
    // --geometry nor --kiosk says otherwise; else an invalid rect, and the window gets
    // windowSize (a kiosk then goes full screen).
    QRect geometryToRestore(const QRect &saved) const;
    // The window's geometry is saved at quit unless settings are not in use or it is a kiosk.
    bool savesGeometry() const { return writeSettings && !kiosk; }
};

class DashboardCommandLine
{
public:
    // The dashboard pings every 5 s (the Health panel charts the RTT), not the protocol's 30 s.
    static constexpr int kDashboardHeartbeatIntervalMs = 5000;
    // The hub's default --history: a chart starts with all a hub retains by default.
    static constexpr int kDashboardBackfill = 1000;

    // What the run reads from outside the command line; tests give their own.
    struct Environment
    {
        QString token;   // PULSEBOARD_TOKEN
        QString dataDir; // where the outbox journals live (the app's data folder)
        static Environment fromProcess();
    };

    void addTo(QCommandLineParser &parser);
    // `userSettings` is the settings file to take saved profiles from (null: none). False with
    // a message a person can act on when a value is wrong.
    bool read(const QCommandLineParser &parser, QSettings *userSettings, const Environment &environment,
              DashboardLaunch *launch, QString *error);
    // --replay FILE: reads and checks the recording into launch->replay (a no-op for a live run).
    // False with the reason (missing, not SQLite, damaged, no recording): exit kReplayUnreadable.
    static bool loadReplay(DashboardLaunch *launch, QString *error);
    // The exit status of a --replay FILE that cannot be read (as pulseboard-cli --replay's).
    static constexpr int kReplayUnreadable = 7;

private:
    bool readSources(const QCommandLineParser &parser, const ConnectionOptions &first,
                     DashboardLaunch *launch, QString *error);

    ConnectionCommandLine m_connection;
};

} // namespace Pulseboard
