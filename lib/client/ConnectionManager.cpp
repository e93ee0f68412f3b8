#include "ConnectionManager.h"

#include "Logging.h"
#include "protocol/CloseCode.h"

#include <QDateTime>
#include <QFile>
#include <QMetaMethod>
#include <QSslConfiguration>
#include <QSslError>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

namespace Pulseboard {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Endpoints as they may appear in logs and printed state: no user info, no query (tokens live there).
QString redacted(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

} // namespace

ConnectionManager::ConnectionManager(QObject *parent)
    : QObject(parent), m_rng(QRandomGenerator::securelySeeded())
{
    m_idPrefix = QString::number(m_rng.generate64(), 36);
    m_connectTimer.setSingleShot(true);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setTimerType(Qt::PreciseTimer);
    m_connectTimer.setTimerType(Qt::PreciseTimer);

    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        const QString phase = m_state == Authenticating ? QStringLiteral("authentication")
                              : m_resubscribing        ? QStringLiteral("resubscribing")
                                                       : QStringLiteral("the WebSocket handshake");
        connectionLost(CloseCode::Abnormal,
                       QStringLiteral("%1 did not complete within %2 ms").arg(phase).arg(m_options.connectTimeoutMs),
                       false);
    });
    connect(&m_retryTimer, &QTimer::timeout, this, &ConnectionManager::startConnection);
    connect(&m_ackTimer, &QTimer::timeout, this, &ConnectionManager::checkAckTimeouts);
    connect(&m_heartbeat, &Heartbeat::pingDue, this, [this](const QString &id, qint64 ts) {
        Envelope ping;
        ping.type = MessageType::Ping;
        ping.id = id;
        ping.ts = ts;
        sendFrame(encodeEnvelope(ping));
    });
    connect(&m_heartbeat, &Heartbeat::timedOut, this, [this](int silentMs) {
        qCInfo(lcNet) << "no sign of life for" << silentMs << "ms: dropping the connection";
        connectionLost(CloseCode::Abnormal,
                       QStringLiteral("heartbeat: no pong within %1 ms").arg(m_options.heartbeatTimeoutMs), false);
    });
}

ConnectionManager::~ConnectionManager()
{
    detachSocket();
}

void ConnectionManager::setOptions(const ConnectionOptions &options)
{
    const QUrl oldUrl = url();
    m_options = options;
    m_heartbeat.setInterval(options.heartbeatIntervalMs);
    m_heartbeat.setTimeout(options.heartbeatTimeoutMs);
    m_outbox.setLimits(options.queue);
    if (options.queueFile != m_journal.path() || (!options.queueFile.isEmpty() && !m_journal.isOpen()))
        openJournal(options.queueFile);
    if (m_endpointIndex >= m_options.endpoints.size())
        m_endpointIndex = 0;
    if (url() != oldUrl)
        Q_EMIT urlChanged();
    Q_EMIT attemptChanged();
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
    if (!m_journal.open(path, &restored, &warning, &error)) {
        qCWarning(lcOutbox).noquote() << error;
        // Reported once listeners are connected; the queue still works, in memory only.
        QTimer::singleShot(0, this, [this, error] { Q_EMIT errorOccurred(-5, error, QString()); });
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
        QTimer::singleShot(0, this, [this, warning] { Q_EMIT errorOccurred(-5, warning, QString()); });
}

void ConnectionManager::setToken(const QString &token)
{
    const bool changed = token != m_options.token;
    m_options.token = token;
    if (changed && m_state == Failed && m_failedOnAuth)
        retry();
}

QString ConnectionManager::stateName(State state)
{
    switch (state) {
    case Idle:
        return QStringLiteral("idle");
    case Connecting:
        return QStringLiteral("connecting");
    case Authenticating:
        return QStringLiteral("authenticating");
    case Open:
        return QStringLiteral("open");
    case Reconnecting:
        return QStringLiteral("reconnecting");
    case Failed:
        return QStringLiteral("failed");
    case Closed:
        return QStringLiteral("closed");
    }
    return QString();
}

QString ConnectionManager::stateName() const
{
    return stateName(m_state);
}

QUrl ConnectionManager::url() const
{
    if (m_options.endpoints.isEmpty())
        return QUrl();
    return m_options.endpoints.value(m_endpointIndex).adjusted(QUrl::RemovePassword);
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
    m_userClosed = false;
    m_failedOnAuth = false;
    m_attempt = 0;
    Q_EMIT attemptChanged();
    startConnection();
}

void ConnectionManager::close()
{
    m_userClosed = true;
    m_retryTimer.stop();
    m_connectTimer.stop();
    m_heartbeat.stop();
    m_ackTimer.stop();
    if (m_retryInMs != 0) {
        m_retryInMs = 0;
        m_retryAtMs = 0;
        Q_EMIT retryInMsChanged();
    }
    if (m_socket) {
        const bool wasConnected = m_socket->state() == QAbstractSocket::ConnectedState;
        if (wasConnected) {
            QWebSocket *socket = m_socket;
            m_socket = nullptr;
            socket->disconnect(this);
            // Send our close frame, and let the socket finish the handshake on its own.
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            QTimer::singleShot(2000, socket, &QObject::deleteLater);
            socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("client closing"));
        } else {
            detachSocket();
        }
        for (const Outbox::Entry &e : m_outbox.connectionLost()) {
            forgetRequest(e.id);
            Q_EMIT requestFailed(e.id, e.target, -2, QStringLiteral("connection closed before the reply"));
        }
        emitQueueChanged();
        if (wasConnected) {
            m_lastCloseCode = CloseCode::Normal;
            Q_EMIT disconnected(CloseCode::Normal, QStringLiteral("closed by the client"));
        }
    }
    m_pendingSubscribes.clear();
    m_resubscribing = false;
    setState(Closed);
}

QList<Outbox::Entry> ConnectionManager::switchServer(const ConnectionOptions &options, bool *keptInJournal)
{
    close();
    const QStringList old = m_subscriptions.channels();
    for (const QString &channel : old)
        m_subscriptions.remove(channel);
    m_sentSince.clear();
    m_channelNames.clear();
    // close() failed the sent requests; those still queued never left and are not replayed
    // blindly at a server that was never asked.
    QList<Outbox::Entry> publishes;
    for (const Outbox::Entry &e : m_outbox.entries()) {
        if (e.kind == Outbox::Kind::Publish) {
            publishes.append(e);
            continue;
        }
        forgetRequest(e.id);
        Q_EMIT requestFailed(e.id, e.target, -2, QStringLiteral("not sent: switched to another server"));
    }
    // The journal already holds every queued publish: detach it before emptying the queue so
    // the file keeps them for the next time this server is used.
    const bool journaled = m_journal.isOpen();
    m_outbox.setJournal(nullptr);
    m_journal.close();
    m_outbox.clear();
    if (keptInJournal)
        *keptInJournal = journaled;
    if (!publishes.isEmpty())
        qCInfo(lcOutbox) << publishes.size() << "queued message(s) stay with the previous server"
                         << (journaled ? "in its journal" : "in memory");
    m_endpointIndex = 0;
    m_everOpenOnThisEndpoint = false;
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
    detachSocket();
    if (m_retryInMs != 0) {
        m_retryInMs = 0;
        m_retryAtMs = 0;
        Q_EMIT retryInMsChanged();
    }
    const QUrl target = m_options.endpoints.value(m_endpointIndex);
    Q_EMIT urlChanged();

    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingMessageSize(quint64(m_options.maxIncomingMessageBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(m_options.maxIncomingMessageBytes));
    connect(m_socket, &QWebSocket::connected, this, &ConnectionManager::onSocketConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &ConnectionManager::onSocketDisconnected);
    // QWebSocket reports close code 1000 after a connection that simply vanished; only a real
    // close handshake (which passes through aboutToClose) carries the peer's code.
    m_closeHandshakeSeen = false;
    connect(m_socket, &QWebSocket::aboutToClose, this, [this] { m_closeHandshakeSeen = true; });
    connect(m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            &ConnectionManager::onSocketError);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ConnectionManager::onTextMessage);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ConnectionManager::onBinaryMessage);
    connect(m_socket, &QWebSocket::bytesWritten, this, [this] {
        if (m_sendPaused && m_socket && m_socket->bytesToWrite() <= m_options.sendHighWaterBytes / 2) {
            m_sendPaused = false;
            qCDebug(lcOutbox) << "send buffer drained, resuming";
            flushOutbox();
        }
    });

    if (target.scheme() == QLatin1StringView("wss")) {
        QString tlsError;
        if (!configureTls(&tlsError)) {
            fail(tlsError);
            return;
        }
    }

    setState(Connecting);
    qCInfo(lcNet).noquote() << "connecting to" << redacted(target) << "attempt" << m_attempt;
    m_connectTimer.start(m_options.connectTimeoutMs);
    QWebSocketHandshakeOptions handshake;
    if (!m_options.subprotocol.isEmpty())
        handshake.setSubprotocols({m_options.subprotocol});
    QNetworkRequest request(target);
    if (!m_options.origin.isEmpty())
        request.setRawHeader("Origin", m_options.origin.toUtf8());
    m_socket->open(request, handshake);
}

bool ConnectionManager::configureTls(QString *error)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!m_options.caCertificatesFile.isEmpty()) {
        QFile file(m_options.caCertificatesFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read CA file %1: %2").arg(m_options.caCertificatesFile, file.errorString());
            return false;
        }
        const QList<QSslCertificate> extra = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
        if (extra.isEmpty()) {
            *error = QStringLiteral("no PEM certificate in CA file %1").arg(m_options.caCertificatesFile);
            return false;
        }
        QList<QSslCertificate> all = tls.caCertificates();
        all.append(extra);
        tls.setCaCertificates(all);
    }
    if (m_options.insecure) {
        qCWarning(lcNet) << "INSECURE: TLS certificate verification is OFF for this connection (--insecure)";
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    m_socket->setSslConfiguration(tls);
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QStringList words;
        for (const QSslError &e : errors)
            words.append(e.errorString());
        qCWarning(lcNet).noquote() << "TLS refused:" << words.join(QStringLiteral("; "));
        Q_EMIT errorOccurred(CloseCode::Policy, QStringLiteral("TLS: %1").arg(words.join(QStringLiteral("; "))),
                             QString());
    });
    return true;
}

void ConnectionManager::detachSocket()
{
    if (!m_socket)
        return;
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void ConnectionManager::onSocketConnected()
{
    const QString offered = m_options.subprotocol;
    const QString echoed = m_socket->subprotocol();
    if (!echoed.isEmpty() && echoed != offered) {
        fail(QStringLiteral("server speaks subprotocol '%1', not '%2'").arg(echoed, offered));
        return;
    }
    qCInfo(lcNet).noquote() << "socket open to" << redacted(m_options.endpoints.value(m_endpointIndex));
    m_pendingSubscribes.clear();
    m_sentSince.clear();
    const QString token = m_options.tokenProvider ? m_options.tokenProvider() : m_options.token;
    if (!token.isEmpty()) {
        setState(Authenticating);
        m_authId = nextId(QLatin1StringView("auth"));
        Envelope auth;
        auth.type = MessageType::Auth;
        auth.id = m_authId;
        auth.text = token;
        sendFrame(encodeEnvelope(auth));
        return;
    }
    beginResubscribe();
}

void ConnectionManager::beginResubscribe()
{
    m_authId.clear();
    m_resubscribing = true;
    const QStringList channels = m_subscriptions.channels();
    for (const QString &channel : channels)
        sendSubscribe(channel);
    if (m_pendingSubscribes.isEmpty())
        sessionReady();
}

void ConnectionManager::sendSubscribe(const QString &channel)
{
    Envelope sub;
    sub.type = MessageType::Subscribe;
    sub.id = nextId(QLatin1StringView("sub"));
    sub.channel = channel;
    sub.since = m_subscriptions.lastSeq(channel);
    m_sentSince.insert(channel, sub.since >= 0);
    m_pendingSubscribes.insert(sub.id, channel);
    sendFrame(encodeEnvelope(sub));
}

void ConnectionManager::sessionReady()
{
    m_connectTimer.stop();
    m_resubscribing = false;
    m_everOpenOnThisEndpoint = true;
    m_attempt = 0;
    Q_EMIT attemptChanged();
    setError(QString());
    m_heartbeat.start();
    setState(Open);
    Q_EMIT connected(m_options.endpoints.value(m_endpointIndex));
    flushOutbox();
}

bool ConnectionManager::sendFrame(const QByteArray &frame)
{
    if (!m_socket)
        return false;
    const qint64 written = m_socket->sendTextMessage(QString::fromUtf8(frame));
    ++m_stats.framesOut;
    m_stats.bytesOut += quint64(frame.size());
    return written >= 0;
}

void ConnectionManager::flushOutbox()
{
    if (m_state != Open || !m_socket)
        return;
    const qint64 now = nowMs();
    bool sentAny = false;
    for (int i = m_outbox.nextQueued(0); i >= 0; i = m_outbox.nextQueued(i + 1)) {
        if (m_socket->bytesToWrite() > m_options.sendHighWaterBytes) {
            if (!m_sendPaused)
                qCInfo(lcOutbox) << "send buffer above" << m_options.sendHighWaterBytes << "bytes: pausing";
            m_sendPaused = true;
            break;
        }
        sendFrame(m_outbox.at(i).frame);
        m_outbox.markSent(i, now);
        sentAny = true;
    }
    if (sentAny) {
        Q_EMIT outboxChanged();
        if (!m_ackTimer.isActive())
            m_ackTimer.start(qMax(10, m_options.ackTimeoutMs / 4));
    }
}

void ConnectionManager::checkAckTimeouts()
{
    const qint64 now = nowMs();
    bool anySent = false;
    bool requeued = false;
    QList<Outbox::Entry> exhausted;
    for (int i = 0; i < m_outbox.count(); ++i) {
        Outbox::Entry &e = m_outbox.at(i);
        if (e.state != Outbox::State::Sent || e.kind != Outbox::Kind::Publish)
            continue;
        if (now - e.sentAtMs < m_options.ackTimeoutMs) {
            anySent = true;
            continue;
        }
        if (e.attempts >= m_options.maxSendAttempts) {
            exhausted.append(e);
            continue;
        }
        // The hub dedupes by id, so a resend cannot publish twice.
        e.state = Outbox::State::Queued;
        requeued = true;
    }
    for (const Outbox::Entry &e : exhausted) {
        m_outbox.take(e.id);
        qCWarning(lcOutbox).noquote() << "publish" << e.id << "to" << e.target << "unacknowledged after"
                                      << e.attempts << "attempts";
        Q_EMIT publishFailed(e.id, e.target,
                             QStringLiteral("no acknowledgement after %1 attempts").arg(e.attempts));
    }
    if (!exhausted.isEmpty())
        emitQueueChanged();
    if (!anySent && !requeued)
        m_ackTimer.stop();
    if (requeued)
        flushOutbox();
}

void ConnectionManager::onSocketDisconnected()
{
    if (!m_socket)
        return;
    if (!m_closeHandshakeSeen) {
        const QString why = m_socket->error() != QAbstractSocket::UnknownSocketError ? m_socket->errorString()
                                                                                     : describeCloseCode(CloseCode::Abnormal);
        connectionLost(CloseCode::Abnormal, why, false);
        return;
    }
    const int code = m_socket->closeCode();
    const QString reason = m_socket->closeReason();
    connectionLost(code, reason.isEmpty() ? describeCloseCode(code) : reason, true);
}

void ConnectionManager::onSocketError(QAbstractSocket::SocketError error)
{
    if (!m_socket)
        return;
    // A close frame already read carries the code; the TCP close that follows it is not news.
    if (error == QAbstractSocket::RemoteHostClosedError && m_socket->state() != QAbstractSocket::UnconnectedState)
        return;
    const QString reason = m_socket->errorString();
    qCInfo(lcNet).noquote() << "socket error" << error << reason;
    // Qt refuses a handshake whose subprotocol we did not offer (our own check in
    // onSocketConnected covers servers it lets through). Retrying would only repeat it.
    if (reason.contains(QLatin1StringView("chosen protocol"))) {
        fail(QStringLiteral("server speaks another subprotocol, not '%1': %2").arg(m_options.subprotocol, reason));
        return;
    }
    connectionLost(CloseCode::Abnormal, reason, false);
}

void ConnectionManager::connectionLost(int closeCode, const QString &reason, bool serverClosed)
{
    Q_UNUSED(serverClosed)
    detachSocket();
    m_connectTimer.stop();
    m_heartbeat.stop();
    m_ackTimer.stop();
    m_sendPaused = false;
    m_pendingSubscribes.clear();
    m_authId.clear();
    m_resubscribing = false;
    m_lastCloseCode = closeCode;

    if (m_options.requeueRequestsOnDisconnect) {
        for (int i = 0; i < m_outbox.count(); ++i)
            m_outbox.at(i).state = Outbox::State::Queued;
    } else {
        for (const Outbox::Entry &e : m_outbox.connectionLost()) {
            forgetRequest(e.id);
            Q_EMIT requestFailed(e.id, e.target, -2, QStringLiteral("connection lost before the reply"));
        }
    }
    emitQueueChanged();
    qCInfo(lcNet).noquote() << "connection lost:" << closeCode << reason;
    Q_EMIT disconnected(closeCode, reason);

    if (m_userClosed) {
        setState(Closed);
        return;
    }
    scheduleReconnect(closeCode, reason);
}

void ConnectionManager::scheduleReconnect(int closeCode, const QString &reason)
{
    const CloseReaction reaction = reactionToClose(closeCode);
    if (reaction == CloseReaction::Fail) {
        if (closeCode == CloseCode::Unauthorized)
            m_failedOnAuth = true;
        fail(QStringLiteral("%1 (close %2)").arg(reason.isEmpty() ? describeCloseCode(closeCode) : reason)
                 .arg(closeCode));
        return;
    }
    if (m_options.maxRetries > 0 && m_attempt >= m_options.maxRetries) {
        fail(QStringLiteral("gave up after %1 attempts; last error: %2").arg(m_options.maxRetries).arg(reason));
        return;
    }
    ++m_attempt;
    Q_EMIT attemptChanged();
    ++m_stats.reconnects;
    // A session that worked is tried again where it was; an endpoint that failed, or is going
    // away, hands over to the next one.
    const int endpoints = int(m_options.endpoints.size());
    if (endpoints > 1 && (reaction == CloseReaction::ReconnectNextNow || !m_everOpenOnThisEndpoint)) {
        m_endpointIndex = (m_endpointIndex + 1) % endpoints;
        Q_EMIT urlChanged();
    }
    m_everOpenOnThisEndpoint = false;

    int delay = m_options.backoff.delayMs(m_attempt, m_rng);
    if (reaction == CloseReaction::ReconnectNextNow && m_attempt == 1)
        delay = 0;
    else if (reaction == CloseReaction::ReconnectSlow)
        delay = qMax(delay, m_options.rateLimitMinDelayMs);

    setError(reason);
    m_retryInMs = delay;
    m_retryAtMs = nowMs() + delay;
    Q_EMIT retryInMsChanged();
    setState(Reconnecting);
    qCInfo(lcNet).noquote() << "reconnecting in" << delay << "ms, attempt" << m_attempt;
    m_retryTimer.start(delay);
}

void ConnectionManager::fail(const QString &reason)
{
    detachSocket();
    m_connectTimer.stop();
    m_retryTimer.stop();
    m_heartbeat.stop();
    m_ackTimer.stop();
    if (m_retryInMs != 0) {
        m_retryInMs = 0;
        m_retryAtMs = 0;
        Q_EMIT retryInMsChanged();
    }
    qCWarning(lcNet).noquote() << "failed:" << reason;
    setError(reason);
    setState(Failed);
}

void ConnectionManager::onBinaryMessage(const QByteArray &data)
{
    m_heartbeat.noteLife();
    ++m_stats.framesIn;
    ++m_stats.malformed;
    m_stats.bytesIn += quint64(data.size());
    Q_EMIT errorOccurred(CloseCode::Malformed,
                         QStringLiteral("ignored a binary frame of %1 bytes: the protocol uses text frames").arg(data.size()),
                         QString());
}

void ConnectionManager::onTextMessage(const QString &text)
{
    m_heartbeat.noteLife();
    ++m_stats.framesIn;
    m_stats.bytesIn += quint64(m_decoder.setFrame(text).size());
    Envelope env;
    MessageView message;
    DecodeError error;
    switch (m_decoder.decode(env, message, &error)) {
    case EnvelopeDecoder::Result::Message:
        handleMessage(message);
        return;
    case EnvelopeDecoder::Result::Envelope:
        handleEnvelope(env);
        return;
    case EnvelopeDecoder::Result::Malformed:
        break;
    }
    ++m_stats.malformed;
    qCWarning(lcNet).noquote() << "unreadable frame from server:" << error.message;
    Q_EMIT errorOccurred(error.code, QStringLiteral("server sent an unreadable frame: %1").arg(error.message),
                         QString());
}

void ConnectionManager::addMessageSink(MessageSink *sink)
{
    if (sink && !m_sinks.contains(sink))
        m_sinks.append(sink);
}

void ConnectionManager::removeMessageSink(MessageSink *sink)
{
    m_sinks.removeAll(sink);
}

void ConnectionManager::handleMessage(const MessageView &message)
{
    auto it = m_channelNames.constFind(QByteArray::fromRawData(message.channel.data(), message.channel.size()));
    if (it == m_channelNames.cend()) {
        const QString name = QString::fromUtf8(message.channel);
        // Only wanted channels are remembered, so no server can grow this table.
        if (!m_subscriptions.contains(name))
            return;
        it = m_channelNames.insert(message.channel.toByteArray(), name);
    }
    const QString channel = *it;
    deliverMessage(channel, message.seq, message.ts, message.data);
}

void ConnectionManager::deliverMessage(const QString &channel, qint64 seq, qint64 ts, const JsonView &data)
{
    SubscriptionSet::Gap gap;
    switch (m_subscriptions.accept(channel, seq, &gap)) {
    case SubscriptionSet::Verdict::Duplicate:
        ++m_stats.duplicates;
        return;
    case SubscriptionSet::Verdict::NotSubscribed:
        return;
    case SubscriptionSet::Verdict::Gap:
        ++m_stats.gaps;
        qCWarning(lcNet).noquote() << "gap on" << channel << gap.from << "-" << gap.to;
        Q_EMIT gapDetected(channel, gap.from, gap.to, QStringLiteral("missing"));
        break;
    case SubscriptionSet::Verdict::Deliver:
        break;
    }
    ++m_stats.messages;
    // A copy: a sink may add or remove sinks while it is called.
    const QList<MessageSink *> sinks = m_sinks;
    for (MessageSink *sink : sinks)
        sink->deliver(channel, seq, ts, data);
    static const QMetaMethod messageSignal = QMetaMethod::fromSignal(&ConnectionManager::messageReceived);
    if (isSignalConnected(messageSignal))
        Q_EMIT messageReceived(channel, seq, ts, data.toJsonValue());
}

void ConnectionManager::handleEnvelope(const Envelope &env)
{
    switch (env.type) {
    case MessageType::Message:
        // Only frames the fast decoder handed to the reference decoder come this way.
        deliverMessage(env.channel, env.seq, env.ts, JsonView(env.data));
        return;
    case MessageType::Ping: {
        sendFrame(encodeEnvelope(pongFor(env)));
        return;
    }
    case MessageType::Pong: {
        const int rtt = m_heartbeat.notePong(env.id, env.ts);
        if (rtt >= 0 && rtt != m_rttMs) {
            m_rttMs = rtt;
            Q_EMIT rttMsChanged();
        }
        return;
    }
    case MessageType::Welcome:
        Q_EMIT welcomeReceived(env.server, env.session, env.heartbeatMs);
        return;
    case MessageType::Ack: {
        if (!m_authId.isEmpty() && env.id == m_authId) {
            qCInfo(lcNet) << "authenticated";
            beginResubscribe();
            return;
        }
        if (auto entry = m_outbox.take(env.id)) {
            ++m_stats.acked;
            emitQueueChanged();
            Q_EMIT acked(entry->id, entry->target, env.seq);
        }
        return;
    }
    case MessageType::Subscribed: {
        const QString channel = m_pendingSubscribes.take(env.id);
        const bool sentSince = m_sentSince.value(env.channel, false);
        if (m_subscriptions.contains(env.channel)) {
            const qint64 held = m_subscriptions.lastSeq(env.channel);
            if (m_subscriptions.confirm(env.channel, env.seq, sentSince)) {
                ++m_stats.gaps;
                qCWarning(lcNet).noquote() << "channel" << env.channel << "restarted its sequence at" << env.seq;
                Q_EMIT gapDetected(env.channel, env.seq + 1, held, QStringLiteral("reset"));
            } else if (sentSince && env.hasRecovered && !env.recovered) {
                qCWarning(lcNet).noquote() << "server could not replay all of" << env.channel << "after" << held;
            }
            // `recovered` is only meaningful when we asked with `since`; a fresh subscription
            // has nothing to recover.
            Q_EMIT subscribed(env.channel, env.seq, !env.hasRecovered || env.recovered);
        }
        if (!channel.isEmpty() && m_pendingSubscribes.isEmpty() && m_resubscribing)
            sessionReady();
        return;
    }
    case MessageType::Unsubscribed:
        Q_EMIT unsubscribed(env.channel);
        return;
    case MessageType::Response: {
        const QString method = m_requestMethods.value(env.id);
        forgetRequest(env.id);
        if (m_outbox.take(env.id)) {
            emitQueueChanged();
            Q_EMIT responseReceived(env.id, method, env.data);
        }
        return;
    }
    case MessageType::Error: {
        if (!m_authId.isEmpty() && (env.id == m_authId || env.code == CloseCode::Unauthorized)) {
            m_failedOnAuth = true;
            fail(QStringLiteral("server refused the token: %1").arg(env.text));
            Q_EMIT errorOccurred(env.code, env.text, env.id);
            return;
        }
        if (!env.id.isEmpty()) {
            const QString channel = m_pendingSubscribes.take(env.id);
            if (!channel.isEmpty()) {
                Q_EMIT errorOccurred(env.code, QStringLiteral("subscribe to %1 refused: %2").arg(channel, env.text),
                                     env.id);
                if (m_pendingSubscribes.isEmpty() && m_resubscribing)
                    sessionReady();
                return;
            }
            if (auto entry = m_outbox.take(env.id)) {
                emitQueueChanged();
                if (entry->kind == Outbox::Kind::Request) {
                    forgetRequest(env.id);
                    Q_EMIT requestFailed(env.id, entry->target, env.code, env.text);
                } else {
                    Q_EMIT publishFailed(env.id, entry->target, QStringLiteral("refused by server (%1): %2")
                                                                     .arg(env.code)
                                                                     .arg(env.text));
                }
                return;
            }
        }
        Q_EMIT errorOccurred(env.code, env.text, env.id);
        return;
    }
    case MessageType::Unknown:
        qCDebug(lcNet).noquote() << "ignoring frame of unknown type" << env.typeName;
        return;
    case MessageType::Auth:
    case MessageType::Subscribe:
    case MessageType::Unsubscribe:
    case MessageType::Publish:
    case MessageType::Request:
        qCDebug(lcNet).noquote() << "ignoring client-bound frame type" << env.typeName << "from server";
        return;
    }
}

QString ConnectionManager::publish(const QString &channel, const QJsonValue &data)
{
    if (!isValidChannelName(channel)) {
        Q_EMIT errorOccurred(-4, QStringLiteral("invalid channel name '%1'").arg(channel.left(64)), QString());
        return QString();
    }
    Envelope env;
    env.type = MessageType::Publish;
    env.id = nextId(QLatin1StringView("p"));
    env.channel = channel;
    env.data = data.isUndefined() ? QJsonValue(QJsonValue::Null) : data;
    // Lets a hub without auth recognise a resend from a new connection as the same sender.
    env.client = m_idPrefix;
    Outbox::Entry entry;
    entry.id = env.id;
    entry.kind = Outbox::Kind::Publish;
    entry.target = channel;
    entry.frame = encodeEnvelope(env);
    entry.enqueuedAtMs = nowMs();
    QList<Outbox::Entry> dropped;
    QString why;
    if (!m_outbox.enqueue(entry, &dropped, &why)) {
        ++m_stats.refused;
        qCWarning(lcOutbox).noquote() << "publish to" << channel << "refused:" << why;
        Q_EMIT errorOccurred(-3, QStringLiteral("publish to %1 refused: %2").arg(channel, why), env.id);
        Q_EMIT publishFailed(env.id, channel, why);
        return QString();
    }
    reportDropped(dropped);
    emitQueueChanged();
    flushOutbox();
    return env.id;
}

QString ConnectionManager::request(const QString &method, const QJsonValue &params, int timeoutMs)
{
    Envelope env;
    env.type = MessageType::Request;
    env.id = nextId(QLatin1StringView("r"));
    env.text = method;
    env.data = params;
    Outbox::Entry entry;
    entry.id = env.id;
    entry.kind = Outbox::Kind::Request;
    entry.target = method;
    entry.frame = encodeEnvelope(env);
    entry.enqueuedAtMs = nowMs();
    QString why;
    QList<Outbox::Entry> dropped;
    if (method.isEmpty() || !m_outbox.enqueue(entry, &dropped, &why)) {
        ++m_stats.refused;
        const QString reason = method.isEmpty() ? QStringLiteral("empty method") : why;
        // Deliver the failure after the caller has the id in hand.
        QTimer::singleShot(0, this, [this, id = env.id, method, reason] {
            Q_EMIT requestFailed(id, method, -3, reason);
        });
        return env.id;
    }
    reportDropped(dropped);
    const int timeout = timeoutMs < 0 ? m_options.requestTimeoutMs : timeoutMs;
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, id = env.id, method, timeout] {
        forgetRequest(id);
        if (m_outbox.take(id))
            emitQueueChanged();
        Q_EMIT requestFailed(id, method, -1, QStringLiteral("no reply within %1 ms").arg(timeout));
    });
    m_requestTimers.insert(env.id, timer);
    m_requestMethods.insert(env.id, method);
    timer->start(timeout);
    emitQueueChanged();
    flushOutbox();
    return env.id;
}

bool ConnectionManager::subscribe(const QString &channel)
{
    if (!isValidChannelName(channel)) {
        Q_EMIT errorOccurred(-4, QStringLiteral("invalid channel name '%1'").arg(channel.left(64)), QString());
        return false;
    }
    if (!m_subscriptions.add(channel))
        return false;
    Q_EMIT subscriptionsChanged();
    if (m_state == Open || m_resubscribing)
        sendSubscribe(channel);
    return true;
}

bool ConnectionManager::unsubscribe(const QString &channel)
{
    if (!m_subscriptions.remove(channel))
        return false;
    m_sentSince.remove(channel);
    Q_EMIT subscriptionsChanged();
    if (m_state == Open) {
        Envelope env;
        env.type = MessageType::Unsubscribe;
        env.id = nextId(QLatin1StringView("unsub"));
        env.channel = channel;
        sendFrame(encodeEnvelope(env));
    }
    return true;
}

void ConnectionManager::forgetRequest(const QString &id)
{
    if (QTimer *t = m_requestTimers.take(id))
        t->deleteLater();
    m_requestMethods.remove(id);
}

void ConnectionManager::reportDropped(const QList<Outbox::Entry> &dropped)
{
    for (const Outbox::Entry &d : dropped) {
        ++m_stats.refused;
        qCWarning(lcOutbox).noquote() << "queue full: dropped oldest" << d.id;
        if (d.kind == Outbox::Kind::Request) {
            forgetRequest(d.id);
            Q_EMIT requestFailed(d.id, d.target, -3, QStringLiteral("dropped from a full queue"));
        } else {
            Q_EMIT publishFailed(d.id, d.target, QStringLiteral("dropped from a full queue"));
        }
    }
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
