// DashboardSession: one run of the dashboard, built from a DashboardLaunch. It owns and wires the
// ConnectionManager (on the network thread it owns, unless the launch says otherwise) and its
// GUI-side ConnectionMirror, the Dashboard (what QML sees), the ServerSwitcher with its ServerListModel,
// and the EmbeddedHub, and persists what they choose through DashboardSettings. Data flows one
// way: the manager feeds the Dashboard's models; the switcher re-points the manager and tells
// the Dashboard through this session, which the Dashboard never sees.
#pragma once

#include "DashboardCommandLine.h"
#include "DashboardSettings.h"

#include <QObject>

#include <memory>

class QQuickWindow;
class QThread;
class QSettings;

namespace Pulseboard {

class AlertMonitor;
class ConnectionManager;
class DesktopNotifier;
class ConnectionMirror;
class Dashboard;
class EmbeddedHub;
class HistoryRecorder;
class ReplayController;
class ServerListModel;
class ServerSwitcher;

class DashboardSession : public QObject
{
    Q_OBJECT

public:
    // `settings` (not owned) is the user's settings file, or null; the launch says whether it
    // is read and written.
    DashboardSession(const DashboardLaunch &launch, QSettings *settings, QObject *parent = nullptr);
    ~DashboardSession() override;

    // Starts the embedded hub when the launch names no server, then builds and wires the rest.
    // False with the reason when the hub cannot start.
    bool start(QString *error);
    // Connects, unless the start server cannot even be tried (startProblem(): a missing token).
    void open();
    QString startProblem() const { return m_startProblem; }

    // Sizes the main window (the saved geometry or the launch's size) and shows it, full screen
    // without a cursor for a kiosk.
    void showWindow(QQuickWindow *window);
    // At quit: remembers the window's geometry, says goodbye to the server and the embedded hub.
    void shutdown(QQuickWindow *window);

    const DashboardLaunch &launch() const { return m_launch; }
    ConnectionMirror *connection() const { return m_mirror.get(); }
    // Null when the connection runs on the GUI thread.
    QThread *networkThread() const { return m_network.get(); }
    Dashboard *dashboard() const { return m_dashboard.get(); }
    ServerSwitcher *switcher() const { return m_switcher.get(); }
    ServerListModel *servers() const { return m_servers.get(); }
    EmbeddedHub *embeddedHub() const { return m_hub.get(); }
    // pulseboard --replay: the replay on the embedded hub; null for a live run.
    ReplayController *replay() const { return m_replay.get(); }
    // The local history; null with --no-history (or a run that keeps none).
    HistoryRecorder *history() const { return m_history.get(); }

private:
    void wire();
    // The alert rules run beside the manager (an AlertMonitor is one of its sinks); what they
    // raise reaches the Dashboard's AlertListModel, and the desktop notifier when allowed.
    void startAlerts();
    // Stops the network thread after the manager on it is gone (idempotent).
    void stopNetwork();
    void startHistory();

    DashboardLaunch m_launch;
    DashboardSettings m_profileSettings; // read unless --no-settings, written when allowed
    DashboardSettings m_userSettings;    // the dashboard's choices and the window: only when written
    QString m_startProblem;
    // Destroyed in reverse: the dashboard leaves the manager first, the hub goes last.
    std::unique_ptr<EmbeddedHub> m_hub;
    std::unique_ptr<ReplayController> m_replay; // publishes through the hub: goes before it
    std::unique_ptr<HistoryRecorder> m_history; // goes after the dashboard and the network thread
    std::unique_ptr<QThread> m_network;
    ConnectionManager *m_manager = nullptr; // lives (and is deleted) on m_network when there is one
    AlertMonitor *m_monitor = nullptr;      // the alert rules, beside the manager on its thread
    std::unique_ptr<ConnectionMirror> m_mirror;
    std::unique_ptr<ServerSwitcher> m_switcher;
    std::unique_ptr<ServerListModel> m_servers;
    std::unique_ptr<Dashboard> m_dashboard;
    std::unique_ptr<DesktopNotifier> m_notifier;
};

} // namespace Pulseboard
