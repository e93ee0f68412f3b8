#include "ConnectionManager.h"

#include "DialectCapabilities.h"
#include "Logging.h"
#include "WebSocketTransport.h"
#include "protocol/Clock.h"
#include "protocol/CloseCode.h"

#include <QMetaEnum>
#include <QMetaMethod>

namespace Pulseboard {

namespace {

// Wall time: lastChangeMs, retryAtMs and enqueuedAtMs are shown and compared with message times.
qint64 nowMs()
{
    return Clock::current().wallMs();
}

} // namespace

ConnectionManager::ConnectionManager(QObject *parent)
    : QObject(parent), m_rng(QRandomGenerator::securelySeeded())
{
    m_idPrefix = QString::number(m_rng.generate64(), 36);
    // Children, so that moveToThread (the dashboard's network thread) takes them along.
    m_retryTimer.setParent(this);
    m_tracker.setParent(this);
    m_dialect = makeDialect(m_options, &m_dialectError);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_retryTimer, &QTimer::timeout, this, &ConnectionManager::startConnection);

    connect(&m_tracker, &RequestTracker::acked, this, &ConnectionManager::acked);
    connect(&m_tracker, &RequestTracker::publishFailed, this, &ConnectionManager::publishFailed);
    connect(&m_tracker, &RequestTracker::sentUnconfirmed, this, &ConnectionManager::publishSent);
    connect(&m_tracker, &RequestTracker::responseReceived, this, &ConnectionManager::responseReceived);
    connect(&m_tracker, &RequestTracker::requestFailed, this, &ConnectionManager::requestFailed);
    connect(&m_tracker, &RequestTracker::queueChanged, this, &ConnectionManager::emitQueueChanged);
    connect(&m_tracker, &RequestTracker::resendDue, this, &ConnectionManager::flushOutbox);

    m_context.nextId = [this](QLatin1StringView prefix) { return nextId(prefix); };
    m_context.deliver = [this](const QString &channel, qint64 seq, qint64 ts, const JsonView &data) {
        // A copy: a sink may add or remove sinks while it is called.
        const QList<MessageSink *> sinks = m_sinks;
        for (MessageSink *sink : sinks)
            sink->deliver(channel, seq, ts, data);
        static const QMetaMethod messageSignal = QMetaMethod::fromSignal(&ConnectionManager::messageReceived);
        if (isSignalConnected(messageSignal))
            Q_EMIT messageReceived(channel, seq, ts, data.toJsonValue());
    };
    m_context.retained = [this](const QString &channel) {
        const QList<MessageSink *> sinks = m_sinks;
        for (MessageSink *sink : sinks)
            sink->retained(channel);
        Q_EMIT retainedReceived(channel);
    };
    m_context.backfill = [this](const QString &channel) {
        const QList<MessageSink *> sinks = m_sinks;
        for (MessageSink *sink : sinks)
            sink->backfill(channel);
        Q_EMIT backfillReceived(channel);
    };
    m_transportFactory = [this](const QUrl &url, QString *error) {
        return WebSocketTransport::create(m_options, url, error);
    };
}

ConnectionManager::~ConnectionManager()
{
    delete m_session;
}

void ConnectionManager::setOptions(const ConnectionOptions &options)
{
    const QUrl oldUrl = url();
    m_options = options;
    m_dialectError.clear();
    m_dialect = makeDialect(options, &m_dialectError);
    if (!m_dialect)
        Q_EMIT errorOccurred(errorCode(ClientError::InvalidInput), m_dialectError, QString());
    m_tracker.setAckTimeoutMs(options.ackTimeoutMs);
    m_tracker.setMaxSendAttempts(options.maxSendAttempts);
    if (m_session)
        m_session->applyOptions();
    m_outbox.setLimits(options.queue);
    if (options.queueFile != m_journal.path() || (!options.queueFile.isEmpty() && !m_journal.isOpen()))
        openJournal(options.queueFile);
    m_policy.clampEndpoint();
    if (url() != oldUrl)
        Q_EMIT urlChanged();
    Q_EMIT attemptChanged();
    Q_EMIT protocolChanged();
}

WireDialect::Capabilities ConnectionManager::capabilities() const
{
    if (m_dialect)
        return m_dialect->capabilities();
    WireDialect::Capabilities none;
    none.acksPublish = none.confirmsSubscribe = none.resumes = none.sequenced = none.history = false;
    none.authFrame = none.sendsPings = false;
    return none;
}

QJsonObject ConnectionManager::capabilitiesJson() const
{
    return capabilitiesToJson(capabilities());
}

QStringList ConnectionManager::capabilityNotes() const
{
    return capabilitiesInWords(capabilities());
}

QString ConnectionManager::capabilitySummary() const
{
    return capabilitiesSummary(capabilities());
}

void ConnectionManager::openJournal(const QString &path)
{
    m_outbox.setJournal(nullptr);
    m_journal.close();
    if (path.isEmpty())
        return;
    QList<Outbox::Entry> restored;
    QString warning;
    QString error;
    // Reported once listeners are connected.
    const auto report = [this](const QString &message) {
        QTimer::singleShot(0, this, [this, message] {
            Q_EMIT errorOccurred(errorCode(ClientError::Journal), message, QString());
        });
    };
    if (!m_journal.open(path, &restored, &warning, &error)) {
        qCWarning(lcOutbox).noquote() << error;
        report(error); // the queue still works, in memory only
        return;
    }
    // Ids carry a per-run random prefix, so restored ones never collide with new ones.
    m_outbox.restore(restored);
    m_outbox.setJournal(&m_journal);
    if (!restored.isEmpty()) {
        qCInfo(lcOutbox) << "restored" << restored.size() << "queued message(s) from" << path;
        emitQueueChanged();
    }
    if (!warning.isEmpty())
        report(warning);
}

void ConnectionManager::setToken(const QString &token)
{
    const bool changed = token != m_options.token;
    m_options.token = token;
    if (changed && m_state == Failed && m_policy.hasFailedOnAuth())
        retry();
}

QString ConnectionManager::stateName(State state)
{
    // The names printed and shown are the enum's own, in lower case ("open", "reconnecting").
    return QString::fromLatin1(QMetaEnum::fromType<State>().valueToKey(state)).toLower();
}

QUrl ConnectionManager::url() const
{
    if (m_options.endpoints.isEmpty())
        return QUrl();
    return m_options.endpoints.value(m_policy.endpointIndex()).adjusted(QUrl::RemovePassword);
}

void ConnectionManager::setState(State state)
{
    if (m_state == state)
        return;
    qCInfo(lcNet).noquote() << "state" << stateName(m_state) << "->" << stateName(state);
    m_state = state;
    m_lastChangeMs = nowMs();
    if (state == Open)
        m_openSinceMs = m_lastChangeMs;
    Q_EMIT stateChanged(state);
}

void ConnectionManager::setError(const QString &message)
{
    if (m_errorString == message)
        return;
    m_errorString = message;
    Q_EMIT errorStringChanged();
}

void ConnectionManager::clearRetry()
{
    if (m_retryInMs == 0)
        return;
    m_retryInMs = 0;
    m_retryAtMs = 0;
    Q_EMIT retryInMsChanged();
}

void ConnectionManager::open()
{
    if (m_state == Connecting || m_state == Authenticating || m_state == Open || m_state == Reconnecting)
        return;
    startFromFirstAttempt();
}

void ConnectionManager::retry()
{
    if (m_state == Connecting || m_state == Authenticating || m_state == Open)
        return;
    m_retryTimer.stop();
    startFromFirstAttempt();
}

void ConnectionManager::startFromFirstAttempt()
{
    m_policy.restart();
    Q_EMIT attemptChanged();
    startConnection();
}

void ConnectionManager::close()
{
    m_policy.closedByUser();
    m_outage = false; // the user's close is no outage
    m_retryTimer.stop();
    clearRetry();
    if (leaveSession(true)) {
        m_lastCloseCode = CloseCode::Normal;
        Q_EMIT disconnected(CloseCode::Normal, QStringLiteral("closed by the client"));
    }
    setState(Closed);
}

QList<Outbox::Entry> ConnectionManager::switchServer(const ConnectionOptions &options, bool *keptInJournal)
{
    close();
    const QStringList old = m_subscriptions.channels();
    for (const QString &channel : old)
        m_subscriptions.remove(channel);
    // close() failed the sent requests; those still queued never left and are not replayed
    // blindly at a server that was never asked.
    QList<Outbox::Entry> publishes;
    QList<Outbox::Entry> requests;
    for (const Outbox::Entry &e : m_outbox.entries())
        (e.kind == Outbox::Kind::Publish ? publishes : requests).append(e);
    m_tracker.abandon(requests, ClientError::ConnectionLost,
                      QStringLiteral("not sent: switched to another server"));
    // The journal already holds every queued publish: detach it before emptying the queue so
    // the file keeps them for the next time this server is used.
    const bool journaled = m_journal.isOpen();
    m_outbox.setJournal(nullptr);
    m_journal.close();
    m_outbox.clear();
    m_tracker.clear();
    if (keptInJournal)
        *keptInJournal = journaled;
    if (!publishes.isEmpty())
        qCInfo(lcOutbox) << publishes.size() << "queued message(s) stay with the previous server"
                         << (journaled ? "in its journal" : "in memory");
    m_policy.resetEndpoints();
    m_resumeState = QJsonObject(); // another server: nothing of this one's sessions to resume
    m_lastCloseCode = 0;
    setError(QString());
    setOptions(options);
    Q_EMIT urlChanged();
    if (!old.isEmpty())
        Q_EMIT subscriptionsChanged();
    emitQueueChanged();
    return publishes;
}

void ConnectionManager::restoreQueued(const QList<Outbox::Entry> &entries)
{
    if (entries.isEmpty())
        return;
    m_outbox.restore(entries);
    if (m_journal.isOpen()) {
        QList<Outbox::Entry> live;
        for (const Outbox::Entry &e : m_outbox.entries())
            if (e.kind == Outbox::Kind::Publish)
                live.append(e);
        m_journal.compact(live);
    }
    emitQueueChanged();
}

void ConnectionManager::startConnection()
{
    if (m_options.endpoints.isEmpty()) {
        fail(QStringLiteral("no server URL configured"));
        return;
    }
    leaveSession();
    clearRetry();
    std::unique_ptr<WireDialect> dialect = makeDialect(m_options, &m_dialectError);
    if (!dialect) {
        fail(m_dialectError);
        return;
    }
    dialect->setResumeState(m_resumeState); // what the previous connection left (Socket.IO recovery)
    const QUrl target = m_options.endpoints.value(m_policy.endpointIndex());
    Q_EMIT urlChanged();
    QString error;
    const QUrl connectUrl = dialect->connectUrl(target);
    std::unique_ptr<Transport> transport = m_transportFactory(connectUrl, &error);
    if (!transport) {
        fail(error);
        return;
    }
    // The session after a close 4008 sends its queue paced, below what cut the last one.
    m_context.pacedSendPerSec = m_lastCloseCode == CloseCode::RateLimited ? m_options.pacedSendPerSec : 0;
    auto *s = new ClientSession(m_context, std::move(transport), std::move(dialect), this);
    m_session = s;
    connect(s, &ClientSession::phaseChanged, this, [this](ClientSession::Phase phase) {
        if (phase == ClientSession::Phase::Authenticating)
            setState(Authenticating);
    });
    connect(s, &ClientSession::opened, this, &ConnectionManager::sessionOpened);
    connect(s, &ClientSession::lost, this, &ConnectionManager::connectionLost);
    connect(s, &ClientSession::refused, this, &ConnectionManager::fail);
    connect(s, &ClientSession::tokenRefused, this, [this](int code, const QString &text, const QString &id) {
        // Expired (at auth, or the hub ending the session at the token's expiry): the reconnect
        // policy renews it from the token source, or fails with a static token.
        if (code == CloseCode::Unauthorized && text == QLatin1StringView("token expired")) {
            Q_EMIT errorOccurred(code, text, id);
            connectionLost(code, text);
            return;
        }
        // The server's words first, then the state: a listener that ends at `failed` (the CLI
        // prints its stats line last) has heard why.
        Q_EMIT errorOccurred(code, text, id);
        m_policy.failedOnAuth();
        fail(QStringLiteral("server refused the token: %1").arg(text));
    });
    connect(s, &ClientSession::welcomeReceived, this, &ConnectionManager::welcomeReceived);
    connect(s, &ClientSession::subscribed, this, &ConnectionManager::subscribed);
    connect(s, &ClientSession::unsubscribed, this, &ConnectionManager::unsubscribed);
    connect(s, &ClientSession::gapDetected, this, &ConnectionManager::gapDetected);
    connect(s, &ClientSession::errorOccurred, this, &ConnectionManager::errorOccurred);
    connect(s, &ClientSession::outboxSent, this, &ConnectionManager::outboxChanged);
    connect(s, &ClientSession::rttMeasured, this, [this](int rtt) {
        if (rtt != m_rttMs) {
            m_rttMs = rtt;
            Q_EMIT rttMsChanged();
        }
    });
    setState(Connecting);
    const int attempt = m_policy.attempt();
    qCInfo(lcNet).noquote() << "connecting to" << ClientSession::redacted(target) << "attempt" << attempt;
    s->start(connectUrl); // the dialect's URL (Socket.IO adds its path and query)
}

void ConnectionManager::sessionOpened()
{
    if (std::exchange(m_outage, false))
        ++m_stats.reconnected;
    m_policy.opened();
    Q_EMIT attemptChanged();
    setError(QString());
    setState(Open); // connected() follows at once: ConnectionMirror hands both over as one event
    Q_EMIT connected(m_options.endpoints.value(m_policy.endpointIndex()));
    flushOutbox();
}

// The one way out of a session, whatever ended it: the session goes (and with it the socket,
// its heartbeat and setup deadline), no ack is awaited any more, sent publishes wait to go out
// again and the requests it sent fail (or wait again, by option; never when the user closes).
// `byUser`: close() with a close handshake. Returns whether its socket was open.
bool ConnectionManager::leaveSession(bool byUser)
{
    if (!m_session)
        return false;
    ClientSession *session = std::exchange(m_session, nullptr);
    session->disconnect(this);
    m_resumeState = session->dialect().resumeState();
    const bool wasConnected = session->isConnected();
    if (byUser)
        session->close(CloseCode::Normal, QStringLiteral("client closing"));
    session->deleteLater();
    if (byUser)
        m_tracker.connectionEnded(QStringLiteral("connection closed before the reply"), false);
    else
        m_tracker.connectionEnded(QStringLiteral("connection lost before the reply"),
                                  m_options.requeueRequestsOnDisconnect);
    emitQueueChanged();
    return wasConnected;
}

void ConnectionManager::connectionLost(int closeCode, const QString &reason)
{
    m_lastCloseCode = closeCode;
    // A message the server will never take would close every connection it is resent on.
    if (closeCode == CloseCode::TooBig)
        m_tracker.connectionClosedTooBig();
    leaveSession();
    qCInfo(lcNet).noquote() << "connection lost:" << closeCode << reason;
    Q_EMIT disconnected(closeCode, reason);
    if (m_policy.isClosedByUser()) {
        setState(Closed);
        return;
    }
    m_outage = true; // until a connection is open again
    scheduleReconnect(closeCode, reason);
}

void ConnectionManager::scheduleReconnect(int closeCode, const QString &reason)
{
    const ReconnectPolicy::Decision next = m_policy.connectionEnded(closeCode, reason, m_rng);
    if (!next.retry) {
        fail(next.failure);
        return;
    }
    Q_EMIT attemptChanged();
    ++m_stats.reconnects;
    if (next.endpointChanged)
        Q_EMIT urlChanged();
    setError(reason);
    m_retryInMs = next.delayMs;
    m_retryAtMs = nowMs() + next.delayMs;
    Q_EMIT retryInMsChanged();
    setState(Reconnecting);
    qCInfo(lcNet).noquote() << "reconnecting in" << next.delayMs << "ms, attempt" << m_policy.attempt();
    m_retryTimer.start(next.delayMs);
}

void ConnectionManager::fail(const QString &reason)
{
    leaveSession();
    m_retryTimer.stop();
    clearRetry();
    qCWarning(lcNet).noquote() << "failed:" << reason;
    setError(reason);
    setState(Failed);
}

void ConnectionManager::flushOutbox()
{
    if (m_state == Open && m_session)
        m_session->flush();
}

QString ConnectionManager::publish(const QString &channel, const QJsonValue &data)
{
    return publishAs(QString(), channel, data);
}

QString ConnectionManager::publishAs(const QString &givenId, const QString &channel, const QJsonValue &data)
{
    // Refused before it has an entry: a caller that chose the id hears it by that id too.
    const auto refuse = [&](const QString &why, const QString &message) {
        Q_EMIT errorOccurred(errorCode(ClientError::InvalidInput), message, QString());
        if (!givenId.isEmpty())
            Q_EMIT publishFailed(givenId, channel, why);
        return QString();
    };
    if (!isValidChannelName(channel))
        return refuse(QStringLiteral("invalid channel name"),
                      QStringLiteral("invalid channel name '%1'").arg(channel.left(64)));
    if (!m_dialect)
        return refuse(m_dialectError,
                      QStringLiteral("publish to %1 refused: %2").arg(channel, m_dialectError));
    if (const QString problem = m_dialect->channelProblem(channel, true); !problem.isEmpty())
        return refuse(problem, QStringLiteral("publish to %1 refused: %2").arg(channel, problem));
    Outbox::Entry entry = newEntry(Outbox::Kind::Publish, channel, givenId);
    const QString id = entry.id;
    entry.frame = m_dialect->encodePublish(id, channel, data, m_idPrefix).bytes;
    if (entry.frame.isNull()) {
        // The dialect cannot say it (a feed whose settings have no publish template).
        const QString why = QStringLiteral("protocol %1 has no way to publish (its settings have no publish "
                                           "template)")
                                .arg(m_options.protocol);
        ++m_stats.refused;
        Q_EMIT errorOccurred(errorCode(ClientError::Refused),
                             QStringLiteral("publish to %1 refused: %2").arg(channel, why), id);
        Q_EMIT publishFailed(id, channel, why);
        return QString();
    }
    QList<Outbox::Entry> dropped;
    QString why;
    if (!m_outbox.enqueue(entry, &dropped, &why)) {
        ++m_stats.refused;
        qCWarning(lcOutbox).noquote() << "publish to" << channel << "refused:" << why;
        Q_EMIT errorOccurred(errorCode(ClientError::Refused),
                             QStringLiteral("publish to %1 refused: %2").arg(channel, why), id);
        Q_EMIT publishFailed(id, channel, why);
        return QString();
    }
    reportDropped(dropped);
    emitQueueChanged();
    flushOutbox();
    return id;
}

QString ConnectionManager::request(const QString &method, const QJsonValue &params, int timeoutMs)
{
    return requestAs(QString(), method, params, timeoutMs);
}

QString ConnectionManager::requestAs(const QString &givenId, const QString &method, const QJsonValue &params,
                                     int timeoutMs)
{
    if (!m_dialect) {
        Q_EMIT errorOccurred(errorCode(ClientError::InvalidInput),
                             QStringLiteral("request %1 refused: %2").arg(method, m_dialectError), QString());
        if (!givenId.isEmpty())
            Q_EMIT requestFailed(givenId, method, errorCode(ClientError::InvalidInput), m_dialectError);
        return QString();
    }
    Outbox::Entry entry = newEntry(Outbox::Kind::Request, method, givenId);
    const QString id = entry.id;
    entry.frame = m_dialect->encodeRequest(id, method, params).bytes;
    QString why;
    QList<Outbox::Entry> dropped;
    // A null frame: the dialect has no requests (MQTT).
    const bool unsupported = entry.frame.isNull();
    if (method.isEmpty() || unsupported || !m_outbox.enqueue(entry, &dropped, &why)) {
        ++m_stats.refused;
        const QString reason = method.isEmpty() ? QStringLiteral("empty method")
                               : unsupported
                                   ? QStringLiteral("the %1 protocol has no requests").arg(m_dialect->name())
                                   : why;
        // Deliver the failure after the caller has the id in hand.
        QTimer::singleShot(0, this, [this, id, method, reason] {
            Q_EMIT requestFailed(id, method, errorCode(ClientError::Refused), reason);
        });
        return id;
    }
    reportDropped(dropped);
    m_tracker.addRequest(id, method, timeoutMs < 0 ? m_options.requestTimeoutMs : timeoutMs);
    emitQueueChanged();
    flushOutbox();
    return id;
}

bool ConnectionManager::subscribe(const QString &channel)
{
    if (!isValidChannelName(channel)) {
        Q_EMIT errorOccurred(errorCode(ClientError::InvalidInput),
                             QStringLiteral("invalid channel name '%1'").arg(channel.left(64)), QString());
        return false;
    }
    if (m_dialect) {
        if (const QString problem = m_dialect->channelProblem(channel, false); !problem.isEmpty()) {
            Q_EMIT errorOccurred(errorCode(ClientError::InvalidInput),
                                 QStringLiteral("subscribe to %1 refused: %2").arg(channel, problem),
                                 QString());
            return false;
        }
    }
    if (!m_subscriptions.add(channel))
        return false;
    Q_EMIT subscriptionsChanged();
    if (m_session)
        m_session->subscribe(channel);
    return true;
}

bool ConnectionManager::unsubscribe(const QString &channel)
{
    if (!m_subscriptions.remove(channel))
        return false;
    Q_EMIT subscriptionsChanged();
    if (m_session)
        m_session->unsubscribe(channel);
    return true;
}

void ConnectionManager::reportDropped(const QList<Outbox::Entry> &dropped)
{
    for (const Outbox::Entry &d : dropped) {
        ++m_stats.refused;
        qCWarning(lcOutbox).noquote() << "queue full: dropped oldest" << d.id;
    }
    m_tracker.abandon(dropped, ClientError::Refused, QStringLiteral("dropped from a full queue"));
}

Outbox::Entry ConnectionManager::newEntry(Outbox::Kind kind, const QString &target, const QString &id)
{
    Outbox::Entry e;
    e.id = !id.isEmpty() ? id : nextId(QLatin1StringView(kind == Outbox::Kind::Publish ? "p" : "r"));
    e.kind = kind;
    e.target = target;
    e.enqueuedAtMs = nowMs();
    return e;
}

QString ConnectionManager::nextId(QLatin1StringView prefix)
{
    return QStringLiteral("%1-%2-%3").arg(prefix, m_idPrefix).arg(++m_idCounter);
}

void ConnectionManager::emitQueueChanged()
{
    Q_EMIT queuedCountChanged();
    Q_EMIT outboxChanged();
}

} // namespace Pulseboard
