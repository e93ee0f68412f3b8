#include "ConnectionMirror.h"

#include "protocol/Envelope.h"

#include <QCoreApplication>
#include <QThread>

#include <tuple>
#include <type_traits>

namespace Pulseboard {

ConnectionMirror::Snapshot ConnectionMirror::Snapshot::of(const ConnectionManager &m)
{
    Snapshot s;
    s.state = m.state();
    s.url = m.url();
    s.errorString = m.errorString();
    s.rttMs = m.rttMs();
    s.attempt = m.attempt();
    s.maxRetries = m.maxRetries();
    s.retryInMs = m.retryInMs();
    s.retryAtMs = m.retryAtMs();
    s.queuedCount = m.queuedCount();
    s.queuedBytes = m.queuedBytes();
    s.subscriptions = m.subscriptions();
    s.lastCloseCode = m.lastCloseCode();
    s.openSinceMs = m.openSinceMs();
    s.lastChangeMs = m.lastChangeMs();
    s.protocol = m.protocol();
    s.dialectName = m.dialectName();
    s.capabilities = m.capabilities();
    s.capabilitiesJson = m.capabilitiesJson();
    s.capabilityNotes = m.capabilityNotes();
    s.capabilitySummary = m.capabilitySummary();
    s.options = m.options();
    s.stats = m.stats();
    s.outbox = m.outbox();
    s.outbox.setJournal(nullptr); // a copy to read, never to write through
    s.sendingPaused = m.isSendingPaused();
    return s;
}

template <typename... Args>
void ConnectionMirror::forward(void (ConnectionManager::*signal)(Args...),
                               void (ConnectionMirror::*mine)(Args...))
{
    m_connections.append(connect(
        m_manager, signal, m_manager,
        [this, mine](Args... args) {
            post([this, mine, values = std::make_tuple(std::decay_t<Args>(args)...)] {
                std::apply([this, mine](const auto &...v) { (this->*mine)(v...); }, values);
            });
        },
        Qt::DirectConnection));
}

ConnectionMirror::ConnectionMirror(ConnectionManager *manager, QObject *parent)
    : QObject(parent), m_manager(manager), m_threaded(manager->thread() != thread())
{
    using M = ConnectionManager;
    // Property changes: the snapshot carries the new values; apply() emits what changed.
    const auto changed = [this] { post({}); };
    for (const auto signal :
         {&M::urlChanged, &M::errorStringChanged, &M::rttMsChanged, &M::attemptChanged, &M::retryInMsChanged,
          &M::queuedCountChanged, &M::subscriptionsChanged, &M::protocolChanged})
        m_connections.append(connect(manager, signal, manager, changed, Qt::DirectConnection));
    // Open is the one state followed by an event: ConnectionManager::sessionOpened emits
    // connected() straight after setState(Open), and that event's snapshot carries the state. So
    // this side never reads Open before it has been told connected (the switcher records a server
    // on that signal; a reader of the state may rely on it being done).
    m_connections.append(connect(
        manager, &M::stateChanged, manager,
        [this](ConnectionManager::State state) {
            if (state != ConnectionManager::Open)
                post({});
        },
        Qt::DirectConnection));
    // Events: re-emitted here after their snapshot.
    forward(&M::outboxChanged, &ConnectionMirror::outboxChanged);
    forward(&M::connected, &ConnectionMirror::connected);
    forward(&M::disconnected, &ConnectionMirror::disconnected);
    forward(&M::welcomeReceived, &ConnectionMirror::welcomeReceived);
    forward(&M::subscribed, &ConnectionMirror::subscribed);
    forward(&M::unsubscribed, &ConnectionMirror::unsubscribed);
    forward(&M::gapDetected, &ConnectionMirror::gapDetected);
    forward(&M::acked, &ConnectionMirror::acked);
    forward(&M::publishFailed, &ConnectionMirror::publishFailed);
    forward(&M::publishSent, &ConnectionMirror::publishSent);
    forward(&M::responseReceived, &ConnectionMirror::responseReceived);
    forward(&M::requestFailed, &ConnectionMirror::requestFailed);
    forward(&M::errorOccurred, &ConnectionMirror::errorOccurred);

    runOnManagerThread([this](ConnectionManager *m) {
        m_idPrefix = m->idPrefix();
        m_snap = Snapshot::of(*m);
        m_snap.serial = m_serial++;
    });

    // Counters move with every message and send no signal: fetched a few times a second.
    m_refresh.setInterval(250);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        if (!m_manager || m_refreshPending.exchange(true))
            return;
        QMetaObject::invokeMethod(
            m_manager, [this] { post([this] { m_refreshPending = false; }); }, Qt::QueuedConnection);
    });
    if (m_threaded)
        m_refresh.start();
}

ConnectionMirror::~ConnectionMirror()
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
}

void ConnectionMirror::post(std::function<void()> event)
{
    Snapshot s = Snapshot::of(*m_manager);
    s.commandsDone = m_commandsDone.load();
    s.serial = m_serial++;
    if (!m_threaded) {
        apply(s);
        if (event)
            event();
        return;
    }
    QMetaObject::invokeMethod(
        this,
        [this, s = std::move(s), event = std::move(event)] {
            apply(s);
            if (event)
                event();
        },
        Qt::QueuedConnection);
}

void ConnectionMirror::apply(const Snapshot &incoming)
{
    if (incoming.serial < m_snap.serial)
        return; // a later one was applied already (switchServer's answer jumps the queue)
    const Snapshot before = m_snap;
    m_snap = incoming;
    // Subscribing, unsubscribing and new options show at once; until the manager has run every
    // command posted, what it reports of them is older than what this side already shows.
    if (m_threaded && incoming.commandsDone < m_commandsSent) {
        m_snap.subscriptions = before.subscriptions;
        m_snap.options = before.options;
    }

    if (m_snap.url != before.url)
        Q_EMIT urlChanged();
    if (m_snap.errorString != before.errorString)
        Q_EMIT errorStringChanged();
    if (m_snap.rttMs != before.rttMs)
        Q_EMIT rttMsChanged();
    if (m_snap.attempt != before.attempt || m_snap.maxRetries != before.maxRetries)
        Q_EMIT attemptChanged();
    if (m_snap.retryInMs != before.retryInMs || m_snap.retryAtMs != before.retryAtMs)
        Q_EMIT retryInMsChanged();
    if (m_snap.queuedCount != before.queuedCount)
        Q_EMIT queuedCountChanged();
    if (m_snap.subscriptions != before.subscriptions)
        Q_EMIT subscriptionsChanged();
    if (m_snap.protocol != before.protocol || m_snap.dialectName != before.dialectName ||
        m_snap.capabilitiesJson != before.capabilitiesJson ||
        m_snap.capabilityNotes != before.capabilityNotes ||
        m_snap.capabilitySummary != before.capabilitySummary)
        Q_EMIT protocolChanged();
    if (m_snap.state != before.state)
        Q_EMIT stateChanged(m_snap.state);
}

void ConnectionMirror::runOnManagerThread(const std::function<void(ConnectionManager *)> &work)
{
    if (!m_manager)
        return;
    QThread *thread = m_manager->thread();
    if (thread == QThread::currentThread() || !thread->isRunning()) {
        work(m_manager);
        return;
    }
    QMetaObject::invokeMethod(
        m_manager, [&] { work(m_manager); }, Qt::BlockingQueuedConnection);
}

void ConnectionMirror::command(std::function<void(ConnectionManager *)> work)
{
    if (!m_manager)
        return;
    if (!m_threaded) {
        work(m_manager);
        post({}); // what changed without a signal (the options, the outbox)
        return;
    }
    ++m_commandsSent;
    QMetaObject::invokeMethod(
        m_manager,
        [this, work = std::move(work)] {
            work(m_manager);
            ++m_commandsDone;
            post({});
        },
        Qt::QueuedConnection);
}

QString ConnectionMirror::nextId(QLatin1StringView kind)
{
    // The manager counts its own ids ("p-<prefix>-7"); these are told apart by the `u`.
    return QStringLiteral("%1-%2-u%3").arg(kind, m_idPrefix).arg(++m_idCounter);
}

void ConnectionMirror::addMessageSink(MessageSink *sink)
{
    runOnManagerThread([sink](ConnectionManager *m) { m->addMessageSink(sink); });
}

void ConnectionMirror::removeMessageSink(MessageSink *sink)
{
    runOnManagerThread([sink](ConnectionManager *m) { m->removeMessageSink(sink); });
}

void ConnectionMirror::open()
{
    command([](ConnectionManager *m) { m->open(); });
}

void ConnectionMirror::close()
{
    command([](ConnectionManager *m) { m->close(); });
}

void ConnectionMirror::retry()
{
    command([](ConnectionManager *m) { m->retry(); });
}

void ConnectionMirror::setToken(const QString &token)
{
    command([token](ConnectionManager *m) { m->setToken(token); });
}

void ConnectionMirror::setOptions(const ConnectionOptions &options)
{
    command([options](ConnectionManager *m) { m->setOptions(options); });
    if (m_threaded)
        m_snap.options = options; // read back at once (the snapshot that follows agrees)
}

QList<Outbox::Entry> ConnectionMirror::switchServer(const ConnectionOptions &options, bool *keptInJournal)
{
    QList<Outbox::Entry> held;
    Snapshot after;
    runOnManagerThread([&](ConnectionManager *m) {
        held = m->switchServer(options, keptInJournal);
        after = Snapshot::of(*m);
        after.commandsDone = m_commandsDone.load();
        after.serial = m_serial++;
    });
    // What the old session said before it closed (its disconnected, its last acks) is waiting
    // in this thread's queue: delivered now, before the caller moves on to the new server.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    apply(after);
    return held;
}

void ConnectionMirror::restoreQueued(const QList<Outbox::Entry> &entries)
{
    command([entries](ConnectionManager *m) { m->restoreQueued(entries); });
}

QString ConnectionMirror::publish(const QString &channel, const QJsonValue &data)
{
    if (!m_manager)
        return QString();
    if (!m_threaded)
        return m_manager->publish(channel, data);
    const QString id = nextId(QLatin1StringView("p"));
    command([id, channel, data](ConnectionManager *m) { m->publishAs(id, channel, data); });
    return id;
}

QString ConnectionMirror::request(const QString &method, const QJsonValue &params, int timeoutMs)
{
    if (!m_manager)
        return QString();
    if (!m_threaded)
        return m_manager->request(method, params, timeoutMs);
    const QString id = nextId(QLatin1StringView("r"));
    command([id, method, params, timeoutMs](ConnectionManager *m) {
        m->requestAs(id, method, params, timeoutMs);
    });
    return id;
}

bool ConnectionMirror::subscribe(const QString &channel)
{
    if (!m_manager)
        return false;
    if (!m_threaded)
        return m_manager->subscribe(channel);
    const bool valid = isValidChannelName(channel);
    if (valid && m_snap.subscriptions.contains(channel))
        return false;
    // An invalid name still goes: the manager says why in errorOccurred, in its words.
    command([channel](ConnectionManager *m) { m->subscribe(channel); });
    if (!valid)
        return false;
    m_snap.subscriptions.append(channel);
    Q_EMIT subscriptionsChanged();
    return true;
}

bool ConnectionMirror::unsubscribe(const QString &channel)
{
    if (!m_manager)
        return false;
    if (!m_threaded)
        return m_manager->unsubscribe(channel);
    if (!m_snap.subscriptions.contains(channel))
        return false;
    command([channel](ConnectionManager *m) { m->unsubscribe(channel); });
    m_snap.subscriptions.removeAll(channel);
    Q_EMIT subscriptionsChanged();
    return true;
}

} // namespace Pulseboard
