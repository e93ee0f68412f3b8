// Dashboard: the composition root the QML sees. It owns the models (series store, channel
// list, health history, event log, raw messages, outbox, status words, display clock), wires
// them to the connection (a ConnectionMirror of the manager on the network thread; messages
// reach it through MessageIngest, taken once per display tick), decides which chart tiles exist (from
// --config, the subscriptions and the user's field choices, kept in DashboardSettings) and does the file work
// the UI asks for (CSV and PNG export). QML never touches a socket or parses a frame itself.
// It knows nothing of switching servers: DashboardSession tells it when the server changed
// (serverSwitched) and hears from it when the user changed the channels (channelsChosen).
#pragma once

#include "DashboardConfig.h"
#include "DashboardLayout.h"
#include "DashboardRecording.h"
#include "DashboardSettings.h"
#include "DashboardSource.h"
#include "FrameMeter.h"
#include "MessageIngest.h"
#include "client/ConnectionManager.h"
#include "dashboard/alerts/AlertListModel.h"
#include "dashboard/charts/ChartHistory.h"
#include "dashboard/charts/ChartWindows.h"
#include "dashboard/charts/DisplayClock.h"
#include "dashboard/charts/SeriesStore.h"
#include "dashboard/charts/TileModel.h"
#include "dashboard/charts/WildcardTiles.h"
#include "dashboard/commands/CommandHistory.h"
#include "dashboard/commands/CommandLibrary.h"
#include "dashboard/connection/ChannelListModel.h"
#include "dashboard/connection/ConnectionMirror.h"
#include "dashboard/connection/ConnectionStatus.h"
#include "dashboard/connection/EventLog.h"
#include "dashboard/connection/HealthHistory.h"
#include "dashboard/connection/OutboxModel.h"
#include "dashboard/connection/RawMessageModel.h"
#include "dashboard/servers/ReplayController.h"
#include "dashboard/servers/ServerListModel.h"

#include <QObject>
#include <QPointer>
#include <QQmlListProperty>
#include <QSet>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace Pulseboard {

class ChannelListPager;

class Dashboard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Dashboard is made by the application")
    Q_PROPERTY(Pulseboard::ConnectionMirror *connection READ connection CONSTANT)
    Q_PROPERTY(Pulseboard::ConnectionStatus *status READ status CONSTANT)
    Q_PROPERTY(Pulseboard::HealthHistory *health READ health CONSTANT)
    Q_PROPERTY(Pulseboard::ChannelListModel *channels READ channels CONSTANT)
    Q_PROPERTY(Pulseboard::EventLog *events READ events CONSTANT)
    Q_PROPERTY(Pulseboard::RawMessageModel *raw READ raw CONSTANT)
    Q_PROPERTY(Pulseboard::OutboxModel *outbox READ outbox CONSTANT)
    Q_PROPERTY(Pulseboard::AlertListModel *alerts READ alerts CONSTANT)
    // The Console's command library (the config's commands and the user's) and every run of one.
    Q_PROPERTY(Pulseboard::CommandLibrary *commands READ commands CONSTANT)
    Q_PROPERTY(Pulseboard::CommandHistory *commandHistory READ commandHistory CONSTANT)
    Q_PROPERTY(Pulseboard::SeriesStore *store READ store CONSTANT)
    // What charts read before the rings (the local history); not available with --no-history.
    Q_PROPERTY(Pulseboard::ChartHistory *chartHistory READ chartHistory CONSTANT)
    Q_PROPERTY(Pulseboard::DisplayClock *clock READ clock CONSTANT)
    Q_PROPERTY(Pulseboard::FrameMeter *frames READ frames CONSTANT)
    // The Record button: every source's messages into a recording file (DashboardRecording).
    Q_PROPERTY(Pulseboard::DashboardRecording *recording READ recording CONSTANT)
    Q_PROPERTY(bool kiosk READ kiosk CONSTANT)
    // The live sources after the first (DashboardSource), in the order given; empty with one.
    Q_PROPERTY(QQmlListProperty<Pulseboard::DashboardSource> sources READ sourceList CONSTANT)
    // The server switcher's rows and its invokables; null when there is none.
    Q_PROPERTY(Pulseboard::ServerListModel *servers READ servers CONSTANT)
    Q_PROPERTY(bool embeddedHub READ embeddedHub NOTIFY embeddedHubChanged)
    // pulseboard --replay FILE: the recording's timeline controls; null for a live run.
    Q_PROPERTY(Pulseboard::ReplayController *replay READ replay CONSTANT)
    // The Streams panel's tiles, with what each shows, updated row by row and role by role.
    Q_PROPERTY(Pulseboard::TileModel *tileModel READ tileModel CONSTANT)
    // The charts the user built (or the config's): what the tiles before the automatic ones show.
    Q_PROPERTY(Pulseboard::DashboardLayout *layout READ layout CONSTANT)
    // The --config file this run started with (absolute); empty: none.
    Q_PROPERTY(QString configFile READ configFile NOTIFY serverChanged)
    Q_PROPERTY(int windowMs READ windowMs WRITE setWindowMs NOTIFY windowMsChanged)
    Q_PROPERTY(QStringList panels READ panels NOTIFY panelsChanged)
    Q_PROPERTY(int cycleSeconds READ cycleSeconds NOTIFY cycleSecondsChanged)
    Q_PROPERTY(int columns READ columns NOTIFY columnsChanged)
    Q_PROPERTY(int staleAfterMs READ staleAfterMs NOTIFY staleAfterMsChanged)
    Q_PROPERTY(QString version READ version CONSTANT)
    // The colour theme, "dark" or "light" (DashboardSettings::themeNames()); Theme.qml follows it.
    // Set by --theme or the rail's toggle, saved as the user's choice.
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)

public:
    struct Options
    {
        DashboardConfig config;
        QStringList channels; // subscribed at start, besides the config's
        bool kiosk = false;
        bool embeddedHub = false;
        DashboardSettings settings;         // choices persist here when it has a QSettings
        ServerListModel *servers = nullptr; // shown to QML only
        int healthIntervalMs = 1000;
        QList<AlertRule> alerts; // the rules the session's AlertMonitor evaluates
        // More live sources beside `connection` (docs/SOURCES.md), each on a thread of its own
        // unless sourceThreads is off; made, subscribed and opened with the dashboard.
        QList<SourceSpec> sources;
        bool sourceThreads = true;
        // Where the command history is kept (CommandHistory); empty: in memory only.
        QString commandHistoryFile;
        // Where the Record button puts a recording (DashboardRecording); empty: nowhere.
        QString recordingsDir;
        // pulseboard --replay: the replay the embedded hub serves (not owned); null: live.
        ReplayController *replay = nullptr;
    };

    Dashboard(ConnectionMirror *connection, const Options &options, QObject *parent = nullptr);
    ~Dashboard() override;

    ConnectionMirror *connection() const { return m_manager; }
    ConnectionStatus *status() const { return m_status; }
    HealthHistory *health() const { return m_health; }
    ChannelListModel *channels() const { return m_channels; }
    EventLog *events() const { return m_events; }
    RawMessageModel *raw() const { return m_raw; }
    OutboxModel *outbox() const { return m_outbox; }
    AlertListModel *alerts() const { return m_alerts; }
    CommandLibrary *commands() const { return m_commands; }
    CommandHistory *commandHistory() const { return m_commandHistory; }
    SeriesStore *store() const { return m_store; }
    ChartHistory *chartHistory() const { return m_chartHistory; }
    MessageIngest *ingest() const { return m_ingest.get(); }
    DisplayClock *clock() const { return m_clock; }
    FrameMeter *frames() const { return m_frames; }
    DashboardRecording *recording() const { return m_recording; }
    ServerListModel *servers() const { return m_options.servers; }
    ReplayController *replay() const { return m_options.replay; }
    bool kiosk() const { return m_options.kiosk; }
    const QList<DashboardSource *> &sources() const { return m_sources; }
    QQmlListProperty<DashboardSource> sourceList() { return {this, &m_sources}; }
    // The source a channel (as the dashboard names it) comes from; null: the first.
    DashboardSource *sourceFor(const QString &channel) const;
    // Whether the connection `channel` comes over is live.
    bool liveFor(const QString &channel) const;
    // Every subscription of every source, as the dashboard names them.
    QStringList allSubscriptions() const;
    // Connects the other sources (the first is opened by the session).
    void openSources();
    // Goodbye to the other sources' servers, at quit.
    void closeSources();
    bool embeddedHub() const { return m_options.embeddedHub; }
    TileModel *tileModel() const { return m_tileModel; }
    DashboardLayout *layout() const { return m_layout; }
    QString configFile() const { return m_options.config.source; }
    // What the layout is saved under: the config file, else the server (the first of the list,
    // no user, no query), else "embedded" for the embedded hub.
    QString layoutSource() const;
    int windowMs() const { return m_windowMs; }
    void setWindowMs(int ms);
    QStringList panels() const { return m_options.config.panels; }
    int cycleSeconds() const { return m_options.config.cycleSeconds; }
    int columns() const { return m_options.config.columns; }
    int staleAfterMs() const { return m_options.config.staleAfterMs; }
    QString version() const;
    QString theme() const { return m_theme; }
    // A name that is not a theme changes nothing.
    void setTheme(const QString &name);

    // Runs the library's command `name` with the form's `values` (by parameter name; empty takes
    // the default) through the Outbox, as the Publish and Request forms send: queued while
    // offline, journaled, acked. A command marked dangerous is sent only with `confirmed`;
    // without it the answer asks for confirmation and nothing is sent or recorded. A missing
    // parameter (or a value that makes no JSON) is an error and nothing is sent. A run the
    // outbox refused at once is recorded, failed with the reason.
    // {error, needsConfirm, runId, messageId, target, payload}.
    Q_INVOKABLE QVariantMap runCommand(const QString &name, const QVariantMap &values, bool confirmed);
    Q_INVOKABLE bool subscribe(const QString &channel);
    Q_INVOKABLE bool unsubscribe(const QString &channel);
    Q_INVOKABLE void refreshChannelList();
    Q_INVOKABLE void retry();
    // Retry now after the server refused the token: with `token` instead (kept in memory for
    // this server, never written to settings or logs). Only for a token given as such (flag,
    // environment, typed here): a --token-file or --token-command is read again by retry().
    Q_INVOKABLE bool takesTypedToken() const;
    Q_INVOKABLE void retryWithToken(const QString &token);
    // The user's choice of fields for a channel's tile (empty: automatic), persisted.
    Q_INVOKABLE void setTileFields(const QString &channel, const QStringList &fields);
    // The fields a tile shows now: its chosen ones, else the first few discovered.
    Q_INVOKABLE QStringList tileFields(const QString &channel) const;
    // Building the dashboard. A tile's key is its spec's "key": "chart:N" for a chart of the
    // layout, the channel for an automatic tile. Touching an automatic tile (edit, move, wide)
    // first pins every automatic tile into the layout as it is shown, so the order on screen is
    // the layout's. Each change is saved (DashboardSettings::setLayout) for layoutSource().
    // The dialog's fields for the tile `key` (empty: a new chart), as DashboardLayout::toDraft.
    Q_INVOKABLE QVariantMap chartDraft(const QString &key) const;
    // Adds (empty key) or replaces a chart from the dialog's draft, subscribing its channel when
    // needed. A chart edited to show another channel lets the old one go (unsubscribed) when no
    // tile shows it any more and it was subscribed only for the charts: not one the config
    // lists, given at start (--subscribe, the profile) or subscribed by hand in Channels.
    // Empty, or why not (nothing changed then).
    Q_INVOKABLE QString saveChart(const QString &key, const QVariantMap &draft);
    // "Chart this field" (the Raw panel): a chart of `field` (a field path as the tiles name
    // them, `data.cpu.user`) on `channel`, added through saveChart() as the dialog adds one.
    // The channel's automatic tile stays (the automatic tiles are pinned first, as an edit does).
    // A chart of the layout that shows just that field on that channel already is not added
    // again. {error (empty: charted), key, title, existed}.
    Q_INVOKABLE QVariantMap chartField(const QString &channel, const QString &field);
    // Back to the config's charts: the layout saved for layoutSource() is removed, and the
    // channels only the dropped charts were subscribed for are unsubscribed (as above). How
    // many charts the config has; the tiles after them are the automatic ones again.
    Q_INVOKABLE int resetLayout();
    // How many charts resetLayout() goes back to.
    Q_INVOKABLE int configChartCount() const { return int(m_options.config.charts.size()); }
    // Removes the tile; a channel no tile shows any more is unsubscribed, so it does not come
    // back as an automatic tile. Empty, or why not.
    Q_INVOKABLE QString removeTile(const QString &key);
    // One place earlier (-1) or later (+1); false at either end.
    Q_INVOKABLE bool moveTile(const QString &key, int delta);
    Q_INVOKABLE bool setTileWide(const QString &key, bool wide);
    // The field picker of a tile: for a chart of the layout, its own fields (empty: automatic).
    Q_INVOKABLE void setChartFields(const QString &key, const QStringList &fields);
    // Writes the whole dashboard as a --config file: servers, channels, the layout's charts,
    // window, rates, layout. An existing file is replaced only with `replace`; otherwise the
    // answer says it exists (and whether it is the config this run started with).
    // {error (empty: written), exists, isConfig, path}.
    Q_INVOKABLE QVariantMap exportLayout(const QString &file, bool replace);
    // The config the dashboard runs now, as exportLayout() writes it.
    DashboardConfig currentConfig() const;
    // Both return an empty string, or what went wrong. `file` may be a path or a file:// URL.
    Q_INVOKABLE QString exportCsv(const QString &file, const QVariantList &series, double fromMs,
                                  double toMs) const;
    Q_INVOKABLE QString savePng(QObject *windowOrItem, const QString &file) const;
    // A timestamped file name in the user's Pictures/Documents folder, e.g. for the export buttons.
    Q_INVOKABLE QString suggestedExportPath(const QString &suffix) const;
    // A short state summary for automation: {state, headline, banner, live, points, samples, ...}.
    Q_INVOKABLE QVariantMap snapshot() const;

    // Feeders report their counts so automation can tell whether the charts hold data.
    Q_INVOKABLE void reportChart(const QString &key, int points, int samples);

    // Depths of the dashboard's own queues and how late messages arrive, for --stats-interval:
    // {rawHeld, rawRows, events, outbox, lagMs (newest message: arrival minus its server time),
    // lagMsMax (the worst since the previous call, which resets it)}.
    QVariantMap queueDepths();

    static constexpr int kAutoFields = 4;
    // A tile's automatic field choice is looked at again while its channel is this young: the
    // first message says which fields exist, the next ones which of them move.
    static constexpr qint64 kAutoFieldsSettleMs = 20000;

    // The manager now talks to another server (the ServerSwitcher switched it): the channels'
    // series, the channel and raw models start clean, `config` replaces the old server's, and
    // its channels plus `channels` are subscribed. The connection health timeline (the
    // dashboard's own series, HealthHistory) stays: it is this dashboard's, not the server's.
    void serverSwitched(const DashboardConfig &config, bool embeddedHub, const QStringList &channels);
    // The replay went back (ReplayController::rewound): the replayed channels' series, their raw
    // frames and what is on its way of them from before the seek are forgotten (MessageIngest::
    // rewind), so the charts show each recorded point once, in order.
    void rewind(const QHash<QString, qint64> &upToSeq);

Q_SIGNALS:
    void windowMsChanged();
    void notice(const QString &text); // a short message for a toast
    // serverSwitched() ran: the manager talks to another server.
    void serverChanged();
    // The user subscribed or unsubscribed a channel: the subscriptions now.
    void channelsChosen(const QStringList &channels);
    void embeddedHubChanged();
    void panelsChanged();
    void cycleSecondsChanged();
    void columnsChanged();
    void staleAfterMsChanged();
    void themeChanged();

private:
    // What MessageIngest gathered since the last tick, into the models (GUI thread).
    void takeArrivals();
    void rebuildTiles();
    // The layout saved for layoutSource(), else the config's charts.
    void loadLayout();
    void saveLayout();
    // The layout index of tile `key`, pinning the automatic tiles first when it is one; -1: none.
    int layoutIndexFor(const QString &key);
    void pinAutomaticTiles();
    // Subscribes for a chart (not by hand: the chart may let it go again).
    bool subscribeChannel(const QString &channel);
    // On the connection the channel's name says (its source, else the first).
    bool subscribeOn(const QString &channel);
    bool unsubscribeOn(const QString &channel);
    bool isSubscribed(const QString &channel) const;
    void addSources();
    // One batch of MessageIngest's into the models (GUI thread).
    void applyArrivals(MessageIngest::Batch batch);
    // Unsubscribes `channel` when no chart of the layout shows it and the user did not ask for
    // it (config, start, by hand). Whether it did.
    bool releaseChartChannel(const QString &channel);
    // Whether `channel` has a tile of its own: subscribed, or a topic shown under a filter.
    bool hasTile(const QString &channel) const;
    // After serverSwitched(): the NOTIFY of each property the new server's config changed.
    void notifyServerProperties(const DashboardConfig &before, bool embeddedHubBefore);
    void subscribeConfigured(const QStringList &extra);
    void refreshModels();
    const ChartConfig *chartFor(const QString &channel) const;
    QStringList automaticFields(const QString &channel) const;
    // What a chart of the layout shows: the picker's choice, else its own fields, else automatic.
    QStringList tileFieldsOf(const ChartConfig &chart) const;
    void recheckAutomaticFields();

    QPointer<ConnectionMirror> m_manager;
    Options m_options;
    ChannelListPager *m_pager = nullptr;
    SeriesStore *m_store;
    ChartHistory *m_chartHistory;
    // Messages arrive through a MessageSink on the connection's thread (a JsonView of the
    // payload, no QJsonValue, no signal): they land in the store and the ingest's inbox; the
    // views pick them up once per display tick.
    std::unique_ptr<MessageIngest> m_ingest;
    QList<DashboardSource *> m_sources; // children; each its own connection and ingest
    ChannelListModel *m_channels;
    HealthHistory *m_health;
    DashboardRecording *m_recording = nullptr;
    EventLog *m_events;
    RawMessageModel *m_raw;
    OutboxModel *m_outbox;
    AlertListModel *m_alerts;
    CommandLibrary *m_commands;
    CommandHistory *m_commandHistory;
    ConnectionStatus *m_status;
    DisplayClock *m_clock;
    FrameMeter *m_frames;
    TileModel *m_tileModel;
    DashboardLayout *m_layout;
    bool m_wasOpen = false;
    QTimer m_modelTimer;
    QTimer m_listTimer;
    QTimer m_kioskRetry;
    // Topic-filter subscriptions (MQTT `+`/`#`): the concrete topics that get tiles.
    WildcardTiles m_wildcards;
    QSet<QString> m_overflowTold; // filters whose cap the event log mentioned
    // MQTT retain: the channels whose newest value is the broker's stored one (no live message since).
    QSet<QString> m_retained;
    // The channels the user asked for (at start besides the config's, or subscribed by hand in
    // Channels): a chart that stops showing one leaves it subscribed.
    QSet<QString> m_userChannels;
    QHash<QString, QStringList> m_chosenFields;
    // Automatic choices: when each channel's was first made, and the ones that settled.
    QHash<QString, qint64> m_autoSince;
    QHash<QString, QStringList> m_autoSettled;
    int m_autoCheck = 0;
    QHash<QString, QPair<int, int>> m_chartCounts;
    int m_windowMs = ChartWindows::kDefaultMs;
    // The saved choice, else dark (--theme is applied by the session, as --window is).
    QString m_theme =
        m_options.settings.theme().isEmpty() ? QStringLiteral("dark") : m_options.settings.theme();
};

} // namespace Pulseboard
