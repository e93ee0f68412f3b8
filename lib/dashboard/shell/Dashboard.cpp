#include "Dashboard.h"

#include "client/ConnectionManager.h"
#include "dashboard/charts/DisplayClock.h"
#include "dashboard/charts/SeriesStore.h"
#include "dashboard/connection/ChannelListModel.h"
#include "dashboard/connection/ChannelListPager.h"
#include "dashboard/connection/ConnectionStatus.h"
#include "dashboard/connection/EventLog.h"
#include "dashboard/connection/HealthHistory.h"
#include "dashboard/connection/OutboxModel.h"
#include "dashboard/connection/RawMessageModel.h"
#include "protocol/Clock.h"

#include <QDateTime>

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QQuickItem>
#include <QQuickItemGrabResult>
#include <QQuickWindow>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUrl>
#include <algorithm>

namespace Pulseboard {

namespace {

// Wall time: message timestamps, the chart's time axis and the event log's times are wall time.
qint64 nowMs()
{
    return Clock::current().wallMs();
}

QString localFile(const QString &file)
{
    const QUrl url(file);
    return url.isLocalFile() ? url.toLocalFile() : file;
}

} // namespace

Dashboard::Dashboard(ConnectionMirror *manager, const Options &options, QObject *parent)
    : QObject(parent), m_manager(manager), m_options(options), m_store(new SeriesStore(this)),
      m_chartHistory(new ChartHistory(this)), m_channels(new ChannelListModel(this)),
      m_health(new HealthHistory(m_store, this)), m_events(new EventLog(this)),
      m_raw(new RawMessageModel(this)), m_outbox(new OutboxModel(this)), m_alerts(new AlertListModel(this)),
      m_commands(new CommandLibrary(&m_options.settings, this)),
      m_commandHistory(new CommandHistory(options.commandHistoryFile, CommandHistory::kMaxEntries, this)),
      m_status(new ConnectionStatus(this)), m_clock(new DisplayClock(this)), m_frames(new FrameMeter(this)),
      m_tileModel(new TileModel(this)), m_layout(new DashboardLayout(this))
{
    m_windowMs = options.config.windowMs;
    m_alerts->setRules(options.alerts);
    connect(m_alerts, &AlertListModel::logged, this, [this](const QString &text, bool problem) {
        m_events->add(problem ? EventLog::Error : EventLog::Info, text, Clock::current().wallMs());
    });
    m_channels->setStaleMinimumMs(options.config.staleAfterMs);
    m_clock->setRateHz(options.config.displayRateHz);
    // Nothing arriving for a few seconds: the charts have nothing new to draw, ages move by
    // the second; once a second is enough until the next message.
    m_clock->setIdleRate(1, 3000);
    // What arrived since the last tick reaches the models first, then the tiles and charts
    // read them. The first message after a take wakes an idle clock (one queued call a tick).
    m_ingest = std::make_unique<MessageIngest>(m_store, [this] {
        QMetaObject::invokeMethod(m_clock, &DisplayClock::noteActivity, Qt::QueuedConnection);
    });
    // A replay can go back (rewind()).
    m_ingest->setRewindable(options.replay != nullptr);
    connect(m_clock, &DisplayClock::ticked, this, &Dashboard::takeArrivals);
    // The tiles show what the channel list, the connection status and the store hold as of the
    // display tick; the model tells QML only what changed.
    m_tileModel->setReadings({
        [this](const QString &channel) { return m_channels->lastMessageMs(channel); },
        // A retained last value is not stale for being quiet: it is the topic's value until a
        // new one comes (the tile says it is retained instead). A connection down greys it all.
        [this](const QString &channel) {
            return !liveFor(channel) || (!m_retained.contains(channel) && m_channels->isStale(channel));
        },
        [this](const QString &channel, const QString &path) { return m_store->latest(channel, path); },
        [this](const QString &channel) { return m_retained.contains(channel); },
    });
    m_tileModel->setValueIntervalMs(100);
    connect(m_clock, &DisplayClock::ticked, m_tileModel, &TileModel::refresh);
    // A connection that drops greys the tiles at once, not on the next (maybe idle) tick.
    connect(m_status, &ConnectionStatus::liveChanged, m_tileModel, &TileModel::refresh);
    if (const int saved = options.settings.chartWindowMs(); saved > 0)
        m_windowMs = saved;
    m_chosenFields = options.settings.tileFields();

    m_events->attach(manager);
    m_outbox->attach(manager);
    m_commandHistory->attach(m_outbox);
    m_commands->setConfigCommands(options.config.commands);
    for (const QString &problem : {m_commands->problem(), m_commandHistory->problem()})
        if (!problem.isEmpty())
            m_events->add(EventLog::Error, problem, nowMs());
    m_status->attach(manager);
    m_health->attach(manager, options.healthIntervalMs);

    manager->addMessageSink(m_ingest.get());
    connect(
        manager, &ConnectionMirror::gapDetected, this,
        [this](const QString &channel, qint64, qint64, const QString &) { m_channels->noteGap(channel); });
    connect(manager, &ConnectionMirror::subscriptionsChanged, this, [this] {
        m_channels->setSubscriptions(allSubscriptions());
        rebuildTiles();
    });
    // The channel list comes in pages (a hub sends at most a page per reply): the pager follows
    // `next` to the end, each page merged as it arrives; a page that fails is logged.
    m_pager = new ChannelListPager(
        [this](const QJsonValue &params) {
            if (!m_manager)
                return QString();
            const QString id = m_manager->request(QStringLiteral("channels.list"), params);
            m_health->noteOwnRequest(id); // not the user's: the header's OUTBOX leaves it out
            return id;
        },
        this);
    connect(m_pager, &ChannelListPager::pageArrived, this, [this](const QJsonValue &result) {
        const QString problem = m_channels->mergeServerList(result);
        if (!problem.isEmpty())
            m_events->add(EventLog::Error, problem, nowMs());
    });
    connect(m_pager, &ChannelListPager::problem, this,
            [this](const QString &message) { m_events->add(EventLog::Error, message, nowMs()); });
    connect(manager, &ConnectionMirror::connected, this, &Dashboard::refreshChannelList);
    connect(manager, &ConnectionMirror::responseReceived, this,
            [this](const QString &id, const QString &method, const QJsonValue &result, const QString &next) {
                if (m_pager->handleResponse(id, result, next) || method != QLatin1StringView("channels.list"))
                    return;
                // Asked by hand (the console): that page is merged too.
                const QString problem = m_channels->mergeServerList(result);
                if (!problem.isEmpty())
                    m_events->add(EventLog::Error, problem, nowMs());
            });
    connect(manager, &ConnectionMirror::requestFailed, this,
            [this](const QString &id, const QString &, int code, const QString &message) {
                m_pager->handleFailure(id, code, message);
            });
    connect(manager, &ConnectionMirror::stateChanged, this, [this](ConnectionManager::State state) {
        // Charts break their lines where the connection was down and no data came back for.
        if (state == ConnectionManager::Open)
            m_store->noteConnectionBack(nowMs());
        else if (m_wasOpen)
            m_store->noteConnectionLost(nowMs());
        m_wasOpen = state == ConnectionManager::Open;
        refreshModels();
        // A kiosk has nobody to press Retry: it tries again by itself, every 30 s.
        if (m_options.kiosk && state == ConnectionManager::Failed)
            m_kioskRetry.start();
    });
    connect(m_store, &SeriesStore::fieldsChanged, this, [this](const QString &source) {
        if (hasTile(source))
            rebuildTiles();
    });

    m_modelTimer.setInterval(250);
    connect(&m_modelTimer, &QTimer::timeout, this, &Dashboard::refreshModels);
    m_modelTimer.start();
    // The server's per-channel rates move; a slow poll keeps the Channels panel honest.
    m_listTimer.setInterval(10000);
    connect(&m_listTimer, &QTimer::timeout, this, [this] {
        if (m_manager && m_manager->state() == ConnectionManager::Open)
            refreshChannelList();
    });
    m_listTimer.start();
    m_kioskRetry.setSingleShot(true);
    m_kioskRetry.setInterval(30000);
    connect(&m_kioskRetry, &QTimer::timeout, this, [this] {
        if (m_manager && m_manager->state() == ConnectionManager::Failed)
            m_manager->retry();
    });

    addSources();
    m_recording =
        new DashboardRecording(options.recordingsDir, QStringLiteral("pulseboard ") + version(), this);
    {
        QList<DashboardRecording::Connection> connections;
        if (m_manager)
            connections.append({QString(), QString(), m_manager});
        for (DashboardSource *source : std::as_const(m_sources))
            connections.append({source->name(), source->prefix(), source->connection()});
        m_recording->setConnections(connections);
    }
    connect(m_recording, &DashboardRecording::finished, this,
            [this](const QString &path, double messages, const QString &error) {
                const QString words =
                    error.isEmpty()
                        ? QStringLiteral("Recorded %1 messages to %2").arg(qint64(messages)).arg(path)
                        : QStringLiteral("Recording stopped: %1; %2 messages are in %3")
                              .arg(error)
                              .arg(qint64(messages))
                              .arg(path);
                m_events->add(error.isEmpty() ? EventLog::Info : EventLog::Error, words, nowMs());
                Q_EMIT notice(words);
            });
    loadLayout();
    connect(m_layout, &DashboardLayout::changed, this, &Dashboard::rebuildTiles);
    subscribeConfigured(options.channels);
    for (const QString &w : options.config.warnings)
        m_events->add(EventLog::Info, QStringLiteral("config: %1").arg(w), nowMs());
    rebuildTiles();
    m_clock->start();
}

Dashboard::~Dashboard()
{
    // A recording still running is closed while every connection it reads is there.
    m_recording->stop();
    if (m_manager)
        m_manager->removeMessageSink(m_ingest.get());
    // Each source takes its connection and thread down with it.
    qDeleteAll(std::exchange(m_sources, {}));
}

void Dashboard::addSources()
{
    QStringList names;
    for (const SourceSpec &spec : std::as_const(m_options.sources))
        names.append(spec.name);
    m_store->setSources(names);
    for (const SourceSpec &spec : std::as_const(m_options.sources)) {
        auto *source = new DashboardSource(
            spec, m_store,
            [this] { QMetaObject::invokeMethod(m_clock, &DisplayClock::noteActivity, Qt::QueuedConnection); },
            m_options.sourceThreads, m_options.healthIntervalMs, this);
        m_sources.append(source);
        m_commandHistory->attach(source->outbox()); // a command to "NAME/..." goes through it
        ConnectionMirror *mirror = source->connection();
        const QString name = spec.name;
        // Its charts break their lines where it was down; another source's do not.
        connect(mirror, &ConnectionMirror::stateChanged, this,
                [this, name, wasOpen = false](ConnectionManager::State state) mutable {
                    if (state == ConnectionManager::Open)
                        m_store->noteConnectionBack(nowMs(), name);
                    else if (wasOpen)
                        m_store->noteConnectionLost(nowMs(), name);
                    wasOpen = state == ConnectionManager::Open;
                    refreshModels();
                });
        connect(mirror, &ConnectionMirror::subscriptionsChanged, this, [this] {
            m_channels->setSubscriptions(allSubscriptions());
            rebuildTiles();
        });
        connect(mirror, &ConnectionMirror::gapDetected, this,
                [this, source](const QString &channel, qint64, qint64, const QString &) {
                    m_channels->noteGap(source->prefix() + channel);
                });
        ConnectionStatus *status = source->status();
        connect(status, &ConnectionStatus::liveChanged, m_tileModel, &TileModel::refresh);
        // The event log tells each source's changes by name, and why it is not live.
        connect(status, &ConnectionStatus::headlineChanged, this, [this, status, name] {
            const QString banner = status->banner();
            m_events->add(status->severity() == QLatin1StringView("error") ? EventLog::Error : EventLog::Info,
                          banner.isEmpty() ? QStringLiteral("%1: %2").arg(name, status->headline())
                                           : QStringLiteral("%1: %2").arg(name, banner),
                          nowMs());
        });
    }
}

DashboardSource *Dashboard::sourceFor(const QString &channel) const
{
    for (DashboardSource *s : m_sources)
        if (s->owns(channel))
            return s;
    return nullptr;
}

bool Dashboard::liveFor(const QString &channel) const
{
    if (DashboardSource *s = sourceFor(channel))
        return s->status()->live();
    return m_status->live();
}

QStringList Dashboard::allSubscriptions() const
{
    QStringList all = m_manager ? m_manager->subscriptions() : QStringList();
    for (const DashboardSource *s : m_sources)
        all += s->channels();
    return all;
}

void Dashboard::openSources()
{
    for (DashboardSource *s : std::as_const(m_sources))
        s->open();
}

void Dashboard::closeSources()
{
    for (DashboardSource *s : std::as_const(m_sources))
        s->close();
}

bool Dashboard::subscribeOn(const QString &channel)
{
    if (DashboardSource *s = sourceFor(channel))
        return s->connection()->subscribe(s->wireName(channel));
    return m_manager && m_manager->subscribe(channel);
}

bool Dashboard::unsubscribeOn(const QString &channel)
{
    if (DashboardSource *s = sourceFor(channel))
        return s->connection()->unsubscribe(s->wireName(channel));
    return m_manager && m_manager->unsubscribe(channel);
}

bool Dashboard::isSubscribed(const QString &channel) const
{
    if (DashboardSource *s = sourceFor(channel))
        return s->connection()->subscriptions().contains(s->wireName(channel));
    return m_manager && m_manager->subscriptions().contains(channel);
}

QString Dashboard::version() const
{
    return QStringLiteral(PULSEBOARD_VERSION);
}

void Dashboard::subscribeConfigured(const QStringList &extra)
{
    QStringList wanted = m_options.config.channels;
    m_userChannels = QSet<QString>(extra.cbegin(), extra.cend());
    for (const QString &c : extra)
        if (!wanted.contains(c))
            wanted.append(c);
    for (const ChartConfig &chart : m_layout->charts())
        if (!wanted.contains(chart.channel))
            wanted.append(chart.channel);
    // The alert rules read their channels whether or not a chart shows them.
    for (const AlertRule &rule : std::as_const(m_options.alerts))
        if (!rule.channel.isEmpty() && !wanted.contains(rule.channel))
            wanted.append(rule.channel);
    for (const QString &c : std::as_const(wanted))
        subscribeOn(c);
    m_channels->setSubscriptions(allSubscriptions());
}

void Dashboard::serverSwitched(const DashboardConfig &config, bool embeddedHub, const QStringList &channels)
{
    const DashboardConfig before = m_options.config;
    const bool embeddedHubBefore = m_options.embeddedHub;
    // Window and display rate are the user's choices, not the server's.
    const int displayRateHz = m_options.config.displayRateHz;
    m_options.config = config;
    m_options.config.displayRateHz = displayRateHz;
    m_options.embeddedHub = embeddedHub;
    m_channels->setStaleMinimumMs(config.staleAfterMs);
    m_store->clearChannels();
    m_channels->clear();
    m_raw->clear();
    m_chartCounts.clear();
    m_wildcards.clear();
    m_overflowTold.clear();
    m_ingest->reset(); // what the old server sent and the tick has not taken
    m_retained.clear();
    m_autoSince.clear();
    m_autoSettled.clear();
    loadLayout();
    m_commands->setConfigCommands(config.commands);
    if (m_manager)
        subscribeConfigured(channels);
    for (const QString &w : std::as_const(config.warnings))
        m_events->add(EventLog::Info, QStringLiteral("config: %1").arg(w), nowMs());
    rebuildTiles();
    notifyServerProperties(before, embeddedHubBefore);
    Q_EMIT serverChanged();
}

void Dashboard::rewind(const QHash<QString, qint64> &upToSeq)
{
    m_ingest->rewind(upToSeq);
    // The Raw panel and the charts' counts start again too (a replay has no other channels).
    m_raw->clear();
    m_chartCounts.clear();
    m_events->add(EventLog::Info,
                  QStringLiteral("Replay: went back; the replayed channels start again there"), nowMs());
}

void Dashboard::notifyServerProperties(const DashboardConfig &before, bool embeddedHubBefore)
{
    if (m_options.embeddedHub != embeddedHubBefore)
        Q_EMIT embeddedHubChanged();
    if (panels() != before.panels)
        Q_EMIT panelsChanged();
    if (cycleSeconds() != before.cycleSeconds)
        Q_EMIT cycleSecondsChanged();
    if (columns() != before.columns)
        Q_EMIT columnsChanged();
    if (staleAfterMs() != before.staleAfterMs)
        Q_EMIT staleAfterMsChanged();
}

void Dashboard::takeArrivals()
{
    applyArrivals(m_ingest->take());
    for (DashboardSource *s : std::as_const(m_sources))
        applyArrivals(s->ingest()->take());
}

void Dashboard::applyArrivals(MessageIngest::Batch batch)
{
    if (batch.isEmpty())
        return;
    const qint64 now = nowMs();
    if (batch.clockSkewSeen)
        m_events->add(
            EventLog::Info,
            QStringLiteral("The server's clock differs from this machine's by %1 s: charting by arrival time")
                .arg(batch.clockSkewSeconds),
            now);
    bool newTopic = false;
    for (const QString &channel : std::as_const(batch.order)) {
        const MessageIngest::ChannelArrivals &a = batch.channels[channel];
        // A retained value stays "the stored one" until a live message comes.
        if (a.retained)
            m_retained.insert(channel);
        else if (!m_retained.isEmpty())
            m_retained.remove(channel);
        // A topic first seen under a filter subscription gets its tile.
        if (m_wildcards.hasFilters() && m_wildcards.note(channel))
            newTopic = true;
        m_channels->noteMessages(channel, a.count, a.lastMs, a.latest);
    }
    m_raw->appendBatch(batch.raw, batch.rawDropped);
    if (newTopic)
        rebuildTiles();
}

void Dashboard::refreshModels()
{
    if (m_sources.isEmpty()) {
        m_channels->refresh(nowMs(), m_manager && m_manager->state() == ConnectionManager::Open);
    } else {
        // Each channel is judged by its own source's connection.
        m_channels->refresh(nowMs(), [this](const QString &channel) {
            const DashboardSource *s = sourceFor(channel);
            const ConnectionMirror *c = s ? s->connection() : m_manager.data();
            return c && c->state() == ConnectionManager::Open;
        });
    }
    if (++m_autoCheck % 8 == 0) // every 2 s
        recheckAutomaticFields();
}

void Dashboard::setWindowMs(int ms)
{
    if (!ChartWindows::isAllowedMs(ms) || ms == m_windowMs)
        return;
    m_windowMs = ms;
    m_options.settings.setChartWindowMs(ms);
    Q_EMIT windowMsChanged();
}

void Dashboard::setTheme(const QString &name)
{
    if (!DashboardSettings::isThemeName(name) || name == m_theme)
        return;
    m_theme = name;
    m_options.settings.setTheme(name);
    Q_EMIT themeChanged();
}

QVariantMap Dashboard::runCommand(const QString &name, const QVariantMap &values, bool confirmed)
{
    const CommandTemplate *command = m_commands->find(name);
    if (!command)
        return {{QStringLiteral("error"), QStringLiteral("there is no command '%1'").arg(name)}};
    CommandTemplate::Resolved resolved;
    QString error;
    if (!command->resolve(values, &resolved, &error))
        return {{QStringLiteral("error"), error}};
    QVariantMap answer{{QStringLiteral("error"), QString()},
                       {QStringLiteral("target"), resolved.target},
                       {QStringLiteral("payload"), resolved.payload}};
    if (command->dangerous && !confirmed) {
        answer.insert(QStringLiteral("needsConfirm"), true);
        return answer;
    }
    const bool publish = command->kind == CommandTemplate::Kind::Publish;
    // A channel (method) named as the dashboard names a further source's ("lab/ops.restart")
    // goes to that source, as "ops.restart"; the history keeps the dashboard's name.
    OutboxModel *outbox = m_outbox;
    QString wireTarget = resolved.target;
    for (DashboardSource *source : std::as_const(m_sources)) {
        if (source->owns(resolved.target)) {
            outbox = source->outbox();
            wireTarget = source->wireName(resolved.target);
        }
    }
    QString id;
    const QString refused = publish ? outbox->publish(wireTarget, resolved.payload, &id)
                                    : outbox->request(wireTarget, resolved.payload, &id);
    // Recorded either way: a run the outbox refused is one the operator made, and failed.
    const QString status = !refused.isEmpty()
                               ? QStringLiteral("failed")
                               : OutboxModel::statusName(OutboxModel::Status(qMax(0, outbox->statusOf(id))));
    const QString runId =
        m_commandHistory->record(command->name, command->kindName(), resolved.target, resolved.payload,
                                 refused.isEmpty() ? id : QString(), status, refused);
    answer.insert(QStringLiteral("runId"), runId);
    answer.insert(QStringLiteral("messageId"), refused.isEmpty() ? id : QString());
    answer.insert(QStringLiteral("error"), refused);
    return answer;
}

bool Dashboard::subscribe(const QString &channel)
{
    if (!subscribeChannel(channel))
        return false;
    m_userChannels.insert(channel.trimmed());
    return true;
}

bool Dashboard::subscribeChannel(const QString &channel)
{
    const QString name = channel.trimmed();
    if (!subscribeOn(name))
        return false;
    m_channels->addManual(name);
    Q_EMIT channelsChosen(m_manager->subscriptions());
    return true;
}

bool Dashboard::unsubscribe(const QString &channel)
{
    if (!unsubscribeOn(channel))
        return false;
    m_userChannels.remove(channel);
    Q_EMIT channelsChosen(m_manager->subscriptions());
    return true;
}

bool Dashboard::releaseChartChannel(const QString &channel)
{
    if (!m_manager || m_layout->showsChannel(channel) || m_options.config.channels.contains(channel) ||
        m_userChannels.contains(channel) || !isSubscribed(channel))
        return false;
    return unsubscribe(channel);
}

void Dashboard::refreshChannelList()
{
    // A walk still under way is not started over; the poll after it catches up. Only
    // pulseboard.v1 servers list their channels (`channels.list`); on other protocols the list
    // is the subscriptions, and asking would only log a refusal on every connect.
    if (m_manager && m_manager->protocol() == QLatin1StringView("pulseboard"))
        m_pager->start();
}

void Dashboard::retry()
{
    if (m_manager)
        m_manager->retry();
}

bool Dashboard::takesTypedToken() const
{
    return m_manager && !m_manager->options().tokenSource && !m_manager->options().tokenProvider;
}

void Dashboard::retryWithToken(const QString &token)
{
    if (!m_manager)
        return;
    // A new token retries a connection that failed on the old one by itself; the same one again
    // is the user's choice to try once more.
    m_manager->setToken(token.trimmed());
    m_manager->retry();
}

const ChartConfig *Dashboard::chartFor(const QString &channel) const
{
    for (const ChartConfig &c : m_layout->charts())
        if (c.channel == channel)
            return &c;
    return nullptr;
}

void Dashboard::setTileFields(const QString &channel, const QStringList &fields)
{
    if (m_chosenFields.value(channel) == fields)
        return;
    if (fields.isEmpty())
        m_chosenFields.remove(channel);
    else
        m_chosenFields.insert(channel, fields);
    m_options.settings.setTileFields(channel, fields);
    rebuildTiles();
}

void Dashboard::setChartFields(const QString &key, const QStringList &fields)
{
    const int index = m_layout->indexOfKey(key);
    if (index < 0) {
        setTileFields(key, fields);
        return;
    }
    ChartConfig chart = m_layout->charts().at(index);
    if (m_chosenFields.contains(chart.channel)) {
        m_chosenFields.remove(chart.channel);
        m_options.settings.setTileFields(chart.channel, {});
    }
    chart.fields = fields;
    m_layout->replace(index, chart);
    saveLayout();
    rebuildTiles();
}

QStringList Dashboard::tileFields(const QString &channel) const
{
    if (m_chosenFields.contains(channel))
        return m_chosenFields.value(channel);
    if (const ChartConfig *c = chartFor(channel); c && !c->fields.isEmpty())
        return c->fields;
    return automaticFields(channel);
}

QStringList Dashboard::tileFieldsOf(const ChartConfig &chart) const
{
    // A choice made with the field picker before the chart was edited (it is cleared then).
    if (m_chosenFields.contains(chart.channel))
        return m_chosenFields.value(chart.channel);
    return chart.fields.isEmpty() ? automaticFields(chart.channel) : chart.fields;
}

QStringList Dashboard::automaticFields(const QString &channel) const
{
    if (m_autoSettled.contains(channel))
        return m_autoSettled.value(channel);
    // Ranked on what each field did lately (FieldDiscovery's chooseChartFields says how).
    static constexpr int kRecent = 600;
    QList<FieldStats> stats;
    const SeriesKey key = SeriesKey::channel(channel);
    const QMutexLocker locker(m_store->lock());
    for (const QString &path : m_store->fields(channel)) {
        FieldStats f;
        f.path = path;
        if (const StreamBuffer *b = m_store->buffer(key, path); b && !b->isEmpty()) {
            const int from = qMax(0, b->size() - kRecent);
            f.samples = b->size() - from;
            f.min = f.max = b->at(from).v;
            for (int i = from + 1; i < b->size(); ++i) {
                f.min = qMin(f.min, b->at(i).v);
                f.max = qMax(f.max, b->at(i).v);
            }
        }
        stats.append(f);
    }
    return chooseChartFields(stats, kAutoFields, preferredChartFields(channel));
}

void Dashboard::recheckAutomaticFields()
{
    // While a channel is young its automatic choice may still change (a field that looked
    // constant on the first message moves); after kAutoFieldsSettleMs it stays put.
    const qint64 now = nowMs();
    bool changed = false;
    for (const QVariant &tile : m_tileModel->tiles()) {
        const QVariantMap spec = tile.toMap();
        const QString channel = spec.value(QStringLiteral("channel")).toString();
        if (m_chosenFields.contains(channel) || m_autoSettled.contains(channel))
            continue;
        if (const int at = m_layout->indexOfKey(spec.value(QStringLiteral("key")).toString());
            at >= 0 && !m_layout->charts().at(at).fields.isEmpty())
            continue;
        const QStringList shown = spec.value(QStringLiteral("fields")).toStringList();
        if (shown.isEmpty())
            continue;
        const qint64 since = m_autoSince.value(channel, 0);
        if (since == 0)
            m_autoSince.insert(channel, now);
        const QStringList best = automaticFields(channel);
        if (best != shown)
            changed = true;
        if (since > 0 && now - since >= kAutoFieldsSettleMs)
            m_autoSettled.insert(channel, best);
    }
    if (changed)
        rebuildTiles();
}

QString Dashboard::layoutSource() const
{
    if (!m_options.config.source.isEmpty())
        return m_options.config.source;
    if (m_options.embeddedHub || !m_manager)
        return QStringLiteral("embedded");
    // The first of the server list, not the one connected to now: a failover keeps the layout.
    const QList<QUrl> &endpoints = m_manager->options().endpoints;
    return endpoints.isEmpty() ? QStringLiteral("embedded")
                               : endpoints.constFirst().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery |
                                                                 QUrl::RemoveFragment);
}

void Dashboard::loadLayout()
{
    QList<ChartConfig> charts = m_options.config.charts;
    const QByteArray saved = m_options.settings.layout(layoutSource());
    if (!saved.isEmpty()) {
        QStringList warnings;
        QString error;
        QList<ChartConfig> restored;
        const QJsonDocument doc = QJsonDocument::fromJson(saved);
        if (!doc.isArray())
            error = QStringLiteral("not a JSON array of charts");
        else
            DashboardConfig::parseCharts(doc.array(), &restored, &warnings, &error);
        if (error.isEmpty()) {
            charts = restored;
            m_events->add(EventLog::Info,
                          QStringLiteral("Layout: %1 chart(s) as last arranged here (Streams \u2192 Export "
                                         "layout writes them to a file)")
                              .arg(restored.size()),
                          nowMs());
        } else {
            m_events->add(
                EventLog::Error,
                QStringLiteral("The saved layout could not be read (%1): showing the config's charts")
                    .arg(error),
                nowMs());
        }
    }
    m_layout->setCharts(charts);
}

void Dashboard::saveLayout()
{
    m_options.settings.setLayout(layoutSource(), m_layout->toJson());
}

void Dashboard::pinAutomaticTiles()
{
    // Every automatic tile (not those of a topic filter) joins the layout, in the order shown,
    // fields left automatic.
    const QVariantList tiles = m_tileModel->tiles();
    for (const QVariant &t : tiles) {
        const QVariantMap spec = t.toMap();
        if (spec.value(QStringLiteral("pinned")).toBool() || spec.contains(QStringLiteral("filter")))
            continue;
        ChartConfig chart;
        chart.channel = spec.value(QStringLiteral("channel")).toString();
        chart.title = chart.channel;
        m_layout->add(chart);
    }
}

int Dashboard::layoutIndexFor(const QString &key)
{
    const int index = m_layout->indexOfKey(key);
    if (index >= 0 || key.isEmpty())
        return index;
    pinAutomaticTiles();
    // The automatic tile's channel had no chart before: the first one showing it is its own.
    for (int i = 0; i < m_layout->count(); ++i)
        if (m_layout->charts().at(i).channel == key)
            return i;
    return -1;
}

QVariantMap Dashboard::chartDraft(const QString &key) const
{
    ChartConfig chart;
    const int index = m_layout->indexOfKey(key);
    if (index >= 0) {
        chart = m_layout->charts().at(index);
        chart.fields = tileFieldsOf(chart);
    } else if (!key.isEmpty()) {
        chart.channel = key;
        chart.title = key;
        chart.fields = tileFields(key);
    }
    return DashboardLayout::toDraft(chart);
}

QString Dashboard::saveChart(const QString &key, const QVariantMap &draft)
{
    ChartConfig chart;
    QString error;
    if (!DashboardLayout::fromDraft(draft, &chart, &error))
        return error;
    if (!m_manager)
        return QStringLiteral("No connection to subscribe %1 on").arg(chart.channel);
    const bool subscribed = isSubscribed(chart.channel);
    const QList<ChartConfig> before = m_layout->charts();
    int index = -1;
    QString oldChannel;
    if (key.isEmpty()) {
        index = m_layout->add(chart);
    } else {
        index = layoutIndexFor(key);
        if (index < 0)
            return QStringLiteral("There is no tile '%1' any more").arg(key);
        oldChannel = m_layout->charts().at(index).channel;
        m_layout->replace(index, chart);
    }
    if (!subscribed && !subscribeChannel(chart.channel)) {
        m_layout->setCharts(before);
        return QStringLiteral("Cannot subscribe to '%1' on this server").arg(chart.channel);
    }
    // The chart shows another channel now: the old one goes if it was there only for charts.
    if (!oldChannel.isEmpty() && oldChannel != chart.channel)
        releaseChartChannel(oldChannel);
    // The dialog's fields are the chart's now: an older field-picker choice gives way.
    if (m_chosenFields.contains(chart.channel)) {
        m_chosenFields.remove(chart.channel);
        m_options.settings.setTileFields(chart.channel, {});
    }
    saveLayout();
    rebuildTiles();
    return QString();
}

QVariantMap Dashboard::chartField(const QString &channel, const QString &field)
{
    const QList<ChartConfig> &charts = m_layout->charts();
    for (int i = 0; i < charts.size(); ++i) {
        if (charts.at(i).channel == channel && charts.at(i).fields == QStringList{field})
            return {{QStringLiteral("error"), QString()},
                    {QStringLiteral("key"), m_layout->keyAt(i)},
                    {QStringLiteral("title"), charts.at(i).title},
                    {QStringLiteral("existed"), true}};
    }
    // "data.cpu.user" reads as "cpu.user" in a title; a bare number's "data" stays.
    const QString shortField = field.startsWith(QLatin1StringView("data.")) ? field.mid(5) : field;
    const QString title = channel + QStringLiteral(" \u00b7 ") + shortField;
    const QList<ChartConfig> before = charts;
    // Adding a chart of a channel hides its automatic tile: that tile is pinned as it is shown.
    if (!m_layout->showsChannel(channel) && hasTile(channel))
        pinAutomaticTiles();
    const QString error = saveChart(QString(), {{QStringLiteral("channel"), channel},
                                                {QStringLiteral("title"), title},
                                                {QStringLiteral("fields"), QStringList{field}}});
    if (!error.isEmpty()) {
        m_layout->setCharts(before);
        return {{QStringLiteral("error"), error}};
    }
    return {{QStringLiteral("error"), QString()},
            {QStringLiteral("key"), m_layout->keyAt(m_layout->count() - 1)},
            {QStringLiteral("title"), title},
            {QStringLiteral("existed"), false}};
}

QString Dashboard::removeTile(const QString &key)
{
    const int index = m_layout->indexOfKey(key);
    QString channel = key;
    if (index >= 0) {
        channel = m_layout->charts().at(index).channel;
        m_layout->remove(index);
        saveLayout();
    } else {
        for (const QVariant &t : m_tileModel->tiles()) {
            const QVariantMap spec = t.toMap();
            if (spec.value(QStringLiteral("key")).toString() == key &&
                spec.contains(QStringLiteral("filter")))
                return QStringLiteral("%1 is shown for the subscription %2: unsubscribe that in Channels")
                    .arg(key, spec.value(QStringLiteral("filter")).toString());
        }
    }
    if (m_manager && !m_layout->showsChannel(channel) && isSubscribed(channel))
        unsubscribe(channel);
    rebuildTiles();
    return QString();
}

int Dashboard::resetLayout()
{
    QSet<QString> dropped;
    for (const ChartConfig &chart : m_layout->charts())
        dropped.insert(chart.channel);
    m_layout->setCharts(m_options.config.charts);
    m_options.settings.setLayout(layoutSource(), QByteArray());
    for (const QString &channel : std::as_const(dropped))
        releaseChartChannel(channel);
    // The config's channels (and its charts') are all there again, should one have gone.
    subscribeConfigured(QStringList(m_userChannels.cbegin(), m_userChannels.cend()));
    rebuildTiles();
    m_events->add(
        EventLog::Info,
        QStringLiteral("Layout reset to the config's %1 chart(s); the saved arrangement was removed")
            .arg(m_options.config.charts.size()),
        nowMs());
    return int(m_options.config.charts.size());
}

bool Dashboard::moveTile(const QString &key, int delta)
{
    // The automatic tiles after the layout's are pinned first: a chart can move past them.
    const int index = layoutIndexFor(key);
    if (index >= 0)
        pinAutomaticTiles();
    if (index < 0 || !m_layout->move(index, delta))
        return false;
    saveLayout();
    return true;
}

bool Dashboard::setTileWide(const QString &key, bool wide)
{
    const int index = layoutIndexFor(key);
    if (index < 0 || !m_layout->setWide(index, wide))
        return false;
    saveLayout();
    return true;
}

DashboardConfig Dashboard::currentConfig() const
{
    DashboardConfig c = m_options.config;
    c.warnings.clear();
    c.charts = m_layout->charts();
    c.commands = m_commands->forConfigFile(); // the ones saved in the app too
    c.alerts = m_options.alerts;              // the rules in effect: --alert and --alert-file's too
    c.windowMs = m_windowMs;
    if (m_manager) {
        c.channels = m_manager->subscriptions();
        // Started on a server with --url: the file names it (no user, no query: a token is
        // never written out). The embedded hub's port is this run's alone: none is written.
        if (c.servers.isEmpty() && !m_options.embeddedHub) {
            for (const QUrl &url : m_manager->options().endpoints)
                c.servers.append(url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
            const QString protocol = m_manager->protocol();
            c.protocol = protocol == QLatin1StringView("pulseboard") ? QString() : protocol;
            c.protocolConfig = m_manager->options().protocolConfig;
        }
    }
    // The other sources as they are now: their servers (no user, no query), their channels.
    c.sources.clear();
    for (const DashboardSource *s : m_sources) {
        SourceConfig sc;
        sc.name = s->name();
        for (const QUrl &url : s->spec().connection.endpoints)
            sc.servers.append(url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
        const QString protocol = s->spec().connection.protocol;
        sc.protocol = protocol == QLatin1StringView("pulseboard") ? QString() : protocol;
        sc.protocolConfig = s->spec().connection.protocolConfig;
        sc.channels = s->connection()->subscriptions();
        sc.tokenFile = s->spec().tokenFile;
        c.sources.append(sc);
    }
    return c;
}

QVariantMap Dashboard::exportLayout(const QString &file, bool replace)
{
    const QString path = QFileInfo(localFile(file.trimmed())).absoluteFilePath();
    QVariantMap result{
        {QStringLiteral("path"), path},
        {QStringLiteral("exists"), false},
        {QStringLiteral("isConfig"), !m_options.config.source.isEmpty() && path == m_options.config.source}};
    if (file.trimmed().isEmpty()) {
        result.insert(QStringLiteral("error"), QStringLiteral("Give a file name"));
        return result;
    }
    const QFileInfo info(path);
    if (info.isDir()) {
        result.insert(QStringLiteral("error"), QStringLiteral("%1 is a folder").arg(path));
        return result;
    }
    if (info.exists() && !replace) {
        result.insert(QStringLiteral("exists"), true);
        result.insert(QStringLiteral("error"),
                      result.value(QStringLiteral("isConfig")).toBool()
                          ? QStringLiteral("%1 is the config this dashboard started with").arg(path)
                          : QStringLiteral("%1 exists").arg(path));
        return result;
    }
    QDir().mkpath(info.absolutePath());
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(currentConfig().toJson()) < 0 || !out.commit()) {
        result.insert(QStringLiteral("error"),
                      QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
        return result;
    }
    result.insert(QStringLiteral("error"), QString());
    m_events->add(EventLog::Info,
                  QStringLiteral("Exported the layout (%1 chart(s)) to %2; start with --config %2 to use it")
                      .arg(m_layout->count())
                      .arg(path),
                  nowMs());
    return result;
}

void Dashboard::rebuildTiles()
{
    QVariantList tiles;
    QStringList seen;
    auto addTile = [&](QVariantMap tile) {
        const QString channel = tile.value(QStringLiteral("channel")).toString();
        tile.insert(QStringLiteral("fields"), tileFields(channel));
        tile.insert(QStringLiteral("custom"), m_chosenFields.contains(channel));
        tiles.append(tile);
        seen.append(channel);
    };
    const QList<ChartConfig> &charts = m_layout->charts();
    for (int i = 0; i < charts.size(); ++i) {
        QVariantMap tile = DashboardConfig::chartToVariant(charts.at(i));
        tile.insert(QStringLiteral("key"), m_layout->keyAt(i));
        tile.insert(QStringLiteral("pinned"), true);
        const QString channel = charts.at(i).channel;
        tile.insert(QStringLiteral("fields"), tileFieldsOf(charts.at(i)));
        tile.insert(QStringLiteral("custom"), m_chosenFields.contains(channel));
        tiles.append(tile);
        seen.append(channel);
    }
    // A kiosk shows its configured layout only; the desktop also charts every other subscription.
    if (!(m_options.kiosk && !charts.isEmpty()) && m_manager) {
        const QStringList subscriptions = allSubscriptions();
        // The subscriptions that are topic filters: those of the sources whose dialect has them.
        QStringList filters;
        if (m_manager->capabilities().topicFilters)
            filters = m_manager->subscriptions();
        for (const DashboardSource *s : std::as_const(m_sources))
            if (s->connection()->capabilities().topicFilters)
                filters += s->channels();
        if (!filters.isEmpty() || m_wildcards.hasFilters())
            m_wildcards.setSubscriptions(filters);
        for (const QString &channel : subscriptions) {
            // A filter (`plant/+/temp`): a tile per concrete topic seen under it; until one
            // is, a tile for the filter itself waits for the first message.
            const QStringList topics =
                m_wildcards.hasFilters() ? m_wildcards.matchesOf(channel) : QStringList();
            const QStringList names = topics.isEmpty() ? QStringList{channel} : topics;
            for (const QString &name : names) {
                if (seen.contains(name))
                    continue;
                ChartConfig c;
                c.channel = name;
                QVariantMap tile = DashboardConfig::chartToVariant(c);
                if (name != channel)
                    tile.insert(QStringLiteral("filter"), channel);
                addTile(tile);
            }
            if (const int more = m_wildcards.overflowOf(channel);
                more > 0 && !m_overflowTold.contains(channel)) {
                m_overflowTold.insert(channel);
                m_events->add(EventLog::Info,
                              QStringLiteral("%1 matches more than %2 topics: tiles for the first %2; the "
                                             "Channels panel lists every one")
                                  .arg(channel)
                                  .arg(m_wildcards.maxPerFilter()),
                              nowMs());
            }
        }
    }
    m_tileModel->setTiles(tiles);
}

bool Dashboard::hasTile(const QString &channel) const
{
    if (!m_manager)
        return false;
    const QStringList subscriptions = allSubscriptions();
    if (subscriptions.contains(channel))
        return true;
    if (!m_wildcards.hasFilters())
        return false;
    for (const QString &s : subscriptions)
        if (m_wildcards.matchesOf(s).contains(channel))
            return true;
    return false;
}

QString Dashboard::exportCsv(const QString &file, const QVariantList &series, double fromMs,
                             double toMs) const
{
    const QString path = localFile(file);
    const QString error = m_store->exportCsv(path, series, qint64(fromMs), qint64(toMs));
    if (error.isEmpty())
        m_events->add(EventLog::Info, QStringLiteral("Exported %1 series to %2").arg(series.size()).arg(path),
                      nowMs());
    return error;
}

QString Dashboard::savePng(QObject *target, const QString &file) const
{
    const QString path = localFile(file);
    QQuickWindow *window = qobject_cast<QQuickWindow *>(target);
    if (!window)
        if (auto *item = qobject_cast<QQuickItem *>(target))
            window = item->window();
    if (!window)
        return QStringLiteral("nothing to grab");
    const QImage image = window->grabWindow();
    if (image.isNull())
        return QStringLiteral("the window could not be grabbed");
    // As the CSV export does: a folder not there yet is made, one that cannot be is named.
    const QString folder = QFileInfo(path).absolutePath();
    if (!QFileInfo(folder).isDir() && !QDir().mkpath(folder))
        return QStringLiteral("cannot write %1: the folder %2 cannot be created").arg(path, folder);
    if (!image.save(path, "PNG"))
        return QStringLiteral("cannot write %1").arg(path);
    m_events->add(EventLog::Info, QStringLiteral("Saved a PNG of the view to %1").arg(path), nowMs());
    return QString();
}

QString Dashboard::suggestedExportPath(const QString &suffix) const
{
    QString dir = QStandardPaths::writableLocation(suffix == QLatin1StringView("png")
                                                       ? QStandardPaths::PicturesLocation
                                                       : QStandardPaths::DocumentsLocation);
    if (dir.isEmpty() || !QDir(dir).exists())
        dir = QDir::homePath();
    return QDir(dir).filePath(
        QStringLiteral("pulseboard-%1.%2")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")), suffix));
}

void Dashboard::reportChart(const QString &key, int points, int samples)
{
    m_chartCounts.insert(key, {points, samples});
}

QVariantMap Dashboard::queueDepths()
{
    QVariantMap map{{QStringLiteral("rawHeld"), m_raw->held()},
                    {QStringLiteral("rawRows"), m_raw->rowCount()},
                    {QStringLiteral("events"), m_events->rowCount()},
                    {QStringLiteral("outbox"), m_manager ? m_manager->queuedCount() : 0},
                    {QStringLiteral("lagMs"), double(m_ingest->lagMs())},
                    {QStringLiteral("lagMsMax"), double(m_ingest->takeLagMsMax())}};
    if (m_sources.isEmpty())
        return map;
    // Several sources: every outbox counted, the latest of their lags.
    int outbox = map.value(QStringLiteral("outbox")).toInt();
    double lag = map.value(QStringLiteral("lagMs")).toDouble();
    double lagMax = map.value(QStringLiteral("lagMsMax")).toDouble();
    for (DashboardSource *s : std::as_const(m_sources)) {
        outbox += s->connection()->queuedCount();
        lag = qMax(lag, double(s->ingest()->lagMs()));
        lagMax = qMax(lagMax, double(s->ingest()->takeLagMsMax()));
    }
    map.insert(QStringLiteral("outbox"), outbox);
    map.insert(QStringLiteral("lagMs"), lag);
    map.insert(QStringLiteral("lagMsMax"), lagMax);
    return map;
}

QVariantMap Dashboard::snapshot() const
{
    int points = 0;
    int samples = 0;
    for (const auto &c : m_chartCounts) {
        points += c.first;
        samples += c.second;
    }
    QVariantMap map;
    if (m_manager) {
        map.insert(QStringLiteral("state"), m_manager->stateName());
        map.insert(QStringLiteral("url"),
                   m_manager->url().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
        map.insert(QStringLiteral("subscriptions"), m_manager->subscriptions());
        map.insert(QStringLiteral("messages"), double(m_manager->stats().messages));
    }
    map.insert(QStringLiteral("headline"), m_status->headline());
    map.insert(QStringLiteral("banner"), m_status->banner());
    map.insert(QStringLiteral("theme"), m_theme);
    map.insert(QStringLiteral("recording"), m_recording->snapshot());
    map.insert(QStringLiteral("alerts"), m_alerts->summary());
    map.insert(QStringLiteral("live"), m_status->live());
    map.insert(QStringLiteral("chartPoints"), points);
    map.insert(QStringLiteral("chartSamples"), samples);
    map.insert(QStringLiteral("charts"), int(m_chartCounts.size()));
    map.insert(QStringLiteral("tiles"), m_tileModel->rowCount());
    QStringList tileChannels;
    for (const QVariant &tile : m_tileModel->tiles())
        tileChannels.append(tile.toMap().value(QStringLiteral("channel")).toString());
    map.insert(QStringLiteral("tileChannels"), tileChannels);
    QVariantList tileSpecs;
    for (const QVariant &tile : m_tileModel->tiles()) {
        const QVariantMap spec = tile.toMap();
        QVariantMap brief;
        for (const char *k : {"key", "channel", "title", "fields", "unit", "min", "max", "wide", "pinned"})
            if (spec.contains(QLatin1StringView(k)))
                brief.insert(QLatin1StringView(k), spec.value(QLatin1StringView(k)));
        tileSpecs.append(brief);
    }
    map.insert(QStringLiteral("tileSpecs"), tileSpecs);
    QStringList retained(m_retained.cbegin(), m_retained.cend());
    retained.sort();
    map.insert(QStringLiteral("retained"), retained);
    map.insert(QStringLiteral("storeBytes"), double(m_store->allocatedBytes()));
    // The newest value of each subscribed channel, as its tile shows it.
    if (m_manager) {
        QVariantMap latest;
        for (const QString &channel : m_manager->subscriptions()) {
            QVariantMap fields;
            for (const QString &field : m_store->fields(SeriesKey::channel(channel)))
                fields.insert(field, m_store->latest(SeriesKey::channel(channel), field));
            if (!fields.isEmpty())
                latest.insert(channel, fields);
        }
        map.insert(QStringLiteral("latest"), latest);
    }
    // A replay (pulseboard --replay): what the header says and where the timeline is.
    if (m_options.replay) {
        QVariantMap replay = m_options.replay->snapshot();
        // What the charts hold of each replayed channel: its first field's samples (the newest
        // 1000), so a test sees every point once and in order.
        QVariantMap series;
        {
            QMutexLocker storeLock(m_store->lock());
            for (const QString &channel : m_options.replay->channels()) {
                const SeriesKey key = SeriesKey::channel(channel);
                const QStringList fields = m_store->fields(key);
                const StreamBuffer *buffer =
                    fields.isEmpty() ? nullptr : m_store->buffer(key, fields.first());
                if (!buffer)
                    continue;
                QVariantList values;
                QVariantList times;
                for (int i = std::max(0, buffer->size() - 1000); i < buffer->size(); ++i) {
                    values.append(buffer->at(i).v);
                    times.append(double(buffer->at(i).t));
                }
                series.insert(channel, QVariantMap{{QStringLiteral("field"), fields.first()},
                                                   {QStringLiteral("count"), buffer->size()},
                                                   {QStringLiteral("values"), values},
                                                   {QStringLiteral("times"), times}});
            }
        }
        replay.insert(QStringLiteral("series"), series);
        replay.insert(QStringLiteral("header"), m_options.replay->playing()
                                                    ? QStringLiteral("REPLAY")
                                                    : QStringLiteral("REPLAY · PAUSED"));
        replay.insert(QStringLiteral("dropped"), double(m_ingest->rewindDropped()));
        map.insert(QStringLiteral("replay"), replay);
    }
    map.insert(QStringLiteral("mode"), m_options.replay ? QStringLiteral("replay") : QStringLiteral("live"));
    // Every source by name (the first as "sources"[0] only when there are others).
    if (!m_sources.isEmpty()) {
        QVariantList sources;
        sources.append(m_manager ? DashboardSource::describe(QString(), *m_manager, *m_status,
                                                             m_manager->subscriptions())
                                 : QVariantMap{{QStringLiteral("name"), QString()},
                                               {QStringLiteral("live"), m_status->live()},
                                               {QStringLiteral("headline"), m_status->headline()},
                                               {QStringLiteral("banner"), m_status->banner()}});
        for (const DashboardSource *s : m_sources)
            sources.append(s->snapshot());
        map.insert(QStringLiteral("sources"), sources);
    }
    return map;
}

} // namespace Pulseboard
