#include "DashboardSession.h"

#include "Dashboard.h"
#include "DashboardSource.h"
#include "HistoryRecorder.h"
#include "alerts/AlertMonitor.h"
#include "client/ConnectionManager.h"
#include "dashboard/alerts/DesktopNotifier.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/EventLog.h"
#include "dashboard/connection/OutboxModel.h"
#include "dashboard/servers/EmbeddedHub.h"
#include "dashboard/servers/ReplayController.h"
#include "dashboard/servers/ServerListModel.h"
#include "dashboard/servers/ServerSwitcher.h"
#include "protocol/Clock.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QQuickWindow>
#include <QScreen>
#include <QThread>

#include <utility>

namespace Pulseboard {

DashboardSession::DashboardSession(const DashboardLaunch &launch, QSettings *settings, QObject *parent)
    : QObject(parent), m_launch(launch),
      m_profileSettings(launch.readSettings ? settings : nullptr, launch.writeSettings),
      m_userSettings(launch.writeSettings ? settings : nullptr, launch.writeSettings)
{
}

DashboardSession::~DashboardSession()
{
    // The dashboard leaves the connection first (its sink comes off the manager), then the
    // manager goes on its own thread, then the thread.
    m_dashboard.reset();
    stopNetwork();
}

void DashboardSession::stopNetwork()
{
    if (!m_manager)
        return;
    AlertMonitor *monitor = std::exchange(m_monitor, nullptr);
    if (m_mirror) {
        m_mirror->runOnManagerThread([monitor](ConnectionManager *m) {
            delete monitor;
            delete m;
        });
    } else {
        delete monitor;
        delete m_manager;
    }
    m_manager = nullptr;
    if (m_network) {
        m_network->quit();
        m_network->wait();
    }
}

bool DashboardSession::start(QString *error)
{
    // (main() reads the recording before the display opens; a session made otherwise reads it here.)
    if (m_launch.replaying() && !m_launch.replay && !DashboardCommandLine::loadReplay(&m_launch, error))
        return false;
    m_hub = std::make_unique<EmbeddedHub>(m_launch.servers.hub);
    m_switcher = std::make_unique<ServerSwitcher>(m_launch.servers, m_hub.get());
    m_switcher->loadProfiles(m_profileSettings.profiles());

    ConnectionOptions options = m_launch.connection;
    Dashboard::Options dashboard;
    dashboard.config = m_launch.config;
    dashboard.channels = m_launch.channels;
    dashboard.kiosk = m_launch.kiosk;
    dashboard.healthIntervalMs = m_launch.healthIntervalMs;
    dashboard.settings = m_userSettings;
    dashboard.alerts = m_launch.alerts;
    dashboard.sourceThreads = m_launch.networkThread;
    dashboard.commandHistoryFile = m_launch.commandHistoryFile;
    dashboard.recordingsDir = m_launch.recordDir;
    if (m_launch.embeddedHub()) {
        // No server given: run a hub in this process on loopback, publishing this machine's
        // figures, and chart them. The default works with nothing else installed.
        QString why;
        if (!m_switcher->startEmbedded(&why)) {
            *error = QStringLiteral("the embedded hub did not start: %1").arg(why);
            return false;
        }
        options.endpoints = {m_hub->url()};
        dashboard.embeddedHub = true;
        if (m_launch.replay) {
            // pulseboard --replay: the hub (with no feeds) serves the recording, from the moment
            // the dashboard is subscribed to each recorded channel.
            m_replay = std::make_unique<ReplayController>(m_launch.replay);
            m_replay->start(m_hub->server(), m_launch.replaySpeed);
            dashboard.replay = m_replay.get();
        }
    } else {
        // A saved profile that authenticated needs a token again; without one the banner says so
        // in words rather than letting the server refuse an empty one.
        if (!m_switcher->setStartServer(m_launch.start))
            m_startProblem = m_switcher->problem();
        options.queueFile = m_switcher->queueFileFor(options.endpoints);
    }

    // Each other source journals what it queues in a file of its own (per server list, as a
    // switch does): nothing queued for one source ever reaches another.
    for (SourceSpec spec : std::as_const(m_launch.sources)) {
        spec.connection.queueFile = m_switcher->queueFileFor(spec.connection.endpoints);
        dashboard.sources.append(spec);
    }
    m_servers = std::make_unique<ServerListModel>(m_switcher.get(), m_profileSettings.isWritable());
    // A replay runs on this embedded hub: switching away (which stops it) is not offered.
    dashboard.servers = m_replay ? nullptr : m_servers.get();
    m_manager = new ConnectionManager();
    m_manager->setOptions(options);
    if (m_launch.networkThread) {
        m_network = std::make_unique<QThread>();
        m_network->setObjectName(QStringLiteral("network"));
        m_manager->moveToThread(m_network.get());
        m_network->start();
    }
    m_mirror = std::make_unique<ConnectionMirror>(m_manager);
    m_dashboard = std::make_unique<Dashboard>(m_mirror.get(), dashboard);
    m_switcher->attach(m_mirror.get());
    wire();
    startAlerts();
    startHistory();
    if (m_launch.windowGiven)
        m_dashboard->setWindowMs(m_launch.config.windowMs);
    if (!m_launch.theme.isEmpty())
        m_dashboard->setTheme(m_launch.theme);
    return true;
}

void DashboardSession::wire()
{
    Dashboard *dashboard = m_dashboard.get();
    ServerSwitcher *switcher = m_switcher.get();
    connect(switcher, &ServerSwitcher::serverChanged, dashboard, &Dashboard::serverSwitched);
    connect(switcher, &ServerSwitcher::publishesHeld, dashboard->outbox(), &OutboxModel::markHeld);
    connect(switcher, &ServerSwitcher::logged, dashboard, [dashboard](const QString &words) {
        dashboard->events()->add(EventLog::Info, words, Clock::current().wallMs());
    });
    connect(switcher, &ServerSwitcher::announced, dashboard, &Dashboard::notice);
    connect(dashboard, &Dashboard::channelsChosen, switcher, &ServerSwitcher::noteChannels);
    connect(switcher, &ServerSwitcher::profilesChanged, this,
            [this] { m_profileSettings.setProfiles(m_switcher->store().profiles()); });
    if (m_replay)
        connect(m_replay.get(), &ReplayController::rewound, dashboard, &Dashboard::rewind);
}

void DashboardSession::startAlerts()
{
    if (m_launch.alerts.isEmpty())
        return;
    qRegisterMetaType<Pulseboard::AlertEvent>();
    AlertListModel *model = m_dashboard->alerts();
    // A rule on a further source's channel ("lab/temp") or naming it (source=lab) is that
    // source's to evaluate, on its own connection; the others are the first source's.
    QList<AlertRule> rules;
    QHash<DashboardSource *, QList<AlertRule>> bySource;
    for (const AlertRule &rule : std::as_const(m_launch.alerts)) {
        DashboardSource *owner = nullptr;
        for (DashboardSource *source : m_dashboard->sources())
            if ((!rule.channel.isEmpty() && source->owns(rule.channel)) || rule.source == source->name())
                owner = source;
        if (!owner) {
            rules.append(rule);
            continue;
        }
        AlertRule own = rule;
        if (!rule.channel.isEmpty())
            own.channel = owner->wireName(rule.channel);
        own.source = owner->name(); // its events say which source
        bySource[owner].append(own);
    }
    for (auto it = bySource.cbegin(); it != bySource.cend(); ++it)
        it.key()->watchAlerts(it.value(), model);
    if (!rules.isEmpty()) {
        m_mirror->runOnManagerThread([this, rules, model](ConnectionManager *m) {
            m_monitor = DashboardSource::startAlertMonitor(m, rules, model, QString());
        });
    }
    if (!m_launch.desktopNotifications) {
        model->setNotifications(QStringLiteral("desktop notifications off (--no-notifications)"));
        return;
    }
    m_notifier = std::make_unique<DesktopNotifier>();
    model->setNotifications(QStringLiteral("desktop notifications on"));
    connect(model, &AlertListModel::attention, m_notifier.get(), &DesktopNotifier::notify);
    connect(model, &AlertListModel::resolved, m_notifier.get(), &DesktopNotifier::withdraw);
    EventLog *events = m_dashboard->events();
    connect(m_notifier.get(), &DesktopNotifier::unavailable, model, [events, model](const QString &why) {
        events->add(EventLog::Info, why, Clock::current().wallMs());
        model->setNotifications(why);
    });
    connect(m_notifier.get(), &DesktopNotifier::shown, model, [this, model] {
        model->setNotifications(
            QStringLiteral("desktop notifications on: %1 shown").arg(m_notifier->delivered()));
    });
}

void DashboardSession::startHistory()
{
    if (!m_launch.history)
        return;
    HistoryOptions options;
    options.path = m_launch.historyFile();
    options.maxAgeMs = m_launch.historyMaxAgeMs;
    options.maxBytes = m_launch.historyMaxBytes;
    m_history = std::make_unique<HistoryRecorder>(options);
    Dashboard *dashboard = m_dashboard.get();
    connect(m_history.get(), &HistoryRecorder::problem, dashboard, [dashboard](const QString &words) {
        dashboard->events()->add(EventLog::Error, words, Clock::current().wallMs());
        Q_EMIT dashboard->notice(words);
    });
    if (!m_history->open())
        return; // it said why; the dashboard runs live
    const QString server = HistoryRecorder::serverKey(m_launch.embeddedHub(), m_launch.connection.endpoints);
    m_history->setServer(server);
    dashboard->chartHistory()->setStore(m_history->store(), server);
    // After a switch, the server switched to is recorded, and its charts read back, under its own
    // name. serverChanged comes after the old connection closed on the network thread and before
    // the new one opens, so no message of one server is recorded as the other's.
    connect(m_switcher.get(), &ServerSwitcher::serverChanged, m_history.get(),
            [this](const DashboardConfig &, bool embeddedHub, const QStringList &) {
                const QString recorded =
                    HistoryRecorder::serverKey(embeddedHub, m_switcher->current().endpoints);
                m_history->setServer(recorded);
                m_dashboard->chartHistory()->setServer(recorded);
            });
    // The alerts of earlier runs are listed (before fill() notes this start in the store).
    m_history->attachAlerts(dashboard->alerts(), Clock::current().wallMs());
    // Before the connection opens: the charts start with what the store holds.
    QStringList channels = m_mirror->subscriptions();
    for (const QStringList &more : {m_launch.config.channels, m_launch.channels})
        for (const QString &c : more)
            if (!channels.contains(c))
                channels.append(c);
    m_history->fill(dashboard->store(), channels, Clock::current().wallMs());
    m_history->attach(m_mirror.get());
    dashboard->ingest()->setHistory(m_history.get());
}

void DashboardSession::open()
{
    // --record: from the first message on (a file that cannot be written is said in the window).
    if (m_dashboard && !m_launch.recordFile.isEmpty())
        m_dashboard->recording()->start(m_launch.recordFile);
    if (m_startProblem.isEmpty() && m_mirror)
        m_mirror->open();
    // The other sources connect whatever the first's problem.
    if (m_dashboard)
        m_dashboard->openSources();
}

void DashboardSession::showWindow(QQuickWindow *window)
{
    const QRect saved = m_launch.geometryToRestore(m_userSettings.windowGeometry());
    if (saved.isValid())
        window->setGeometry(saved);
    else
        window->resize(m_launch.windowSize);
    if (m_launch.kiosk) {
        QGuiApplication::setOverrideCursor(Qt::BlankCursor);
        // Full screen is a window manager's to grant: on a bare X server (a wall display with
        // no window manager) the request alone leaves the window where it was. Taking the
        // screen's geometry first makes it fill the screen either way.
        if (const QScreen *screen = window->screen())
            window->setGeometry(screen->geometry());
        window->showFullScreen();
    } else {
        window->show();
    }
}

void DashboardSession::shutdown(QQuickWindow *window)
{
    // A recording ends with everything it took, before the connections say goodbye.
    if (m_dashboard)
        m_dashboard->recording()->stop();
    if (window && m_launch.savesGeometry())
        m_userSettings.setWindowGeometry(window->geometry());
    if (m_mirror) {
        // Goodbye (1000) written on the network thread before anything stops.
        m_mirror->runOnManagerThread([](ConnectionManager *m) { m->close(); });
    }
    if (m_dashboard)
        m_dashboard->closeSources();
    if (m_switcher)
        m_switcher->shutdown();
    if (m_history)
        m_history->stop(Clock::current().wallMs());
}

} // namespace Pulseboard
