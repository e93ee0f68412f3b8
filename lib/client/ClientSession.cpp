#include "ClientSession.h"

#include "Logging.h"
#include "Outbox.h"
#include "RequestTracker.h"
#include "SubscriptionSet.h"
#include "protocol/CloseCode.h"

namespace Pulseboard {

QString ClientSession::redacted(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

ClientSession::ClientSession(const SessionContext &context, std::unique_ptr<Transport> transport,
                             std::unique_ptr<WireDialect> dialect, QObject *parent)
    : QObject(parent), m_ctx(context), m_transport(std::move(transport)), m_dialect(std::move(dialect)),
      m_caps(m_dialect->capabilities())
{
    applyOptions();
    if (m_ctx.pacedSendPerSec > 0) {
        m_sendTokens = qMax(1, m_ctx.pacedSendPerSec / 2);
        m_paceClock.start();
        m_paceTimer.setSingleShot(true);
        connect(&m_paceTimer, &QTimer::timeout, this, &ClientSession::flush);
    }
    m_setupDeadline.setSingleShot(true);
    m_setupDeadline.setTimerType(Qt::PreciseTimer);
    connect(&m_setupDeadline, &QTimer::timeout, this, [this] {
        const QString phase = m_phase == Phase::Authenticating  ? QStringLiteral("authentication")
                              : m_phase == Phase::Resubscribing ? QStringLiteral("resubscribing")
                                                                : QStringLiteral("the WebSocket handshake");
        endLost(CloseCode::Abnormal, QStringLiteral("%1 did not complete within %2 ms")
                                         .arg(phase)
                                         .arg(m_ctx.options->connectTimeoutMs));
    });
    connect(&m_heartbeat, &Heartbeat::pingDue, this, [this](const QString &id, qint64 ts) {
        if (!m_caps.sendsPings)
            return;                  // no ping frame: only the silence deadline runs
        m_ctx.tracker->pingSent(id); // first: a pong may be read before send() returns
        send(m_dialect->encodePing(id, ts));
    });
    connect(&m_heartbeat, &Heartbeat::timedOut, this, [this](int silentMs) {
        qCInfo(lcNet) << "no sign of life for" << silentMs << "ms: dropping the connection";
        endLost(CloseCode::Abnormal,
                m_caps.sendsPings
                    ? QStringLiteral("heartbeat: no pong within %1 ms").arg(m_ctx.options->heartbeatTimeoutMs)
                    : QStringLiteral("heartbeat: nothing received for %1 ms").arg(silentMs));
    });
    // A server-driven heartbeat's deadline (serverHeartbeat): checked when it would expire, so a
    // frame costs a clock read, not a timer restart.
    m_serverSilence.setSingleShot(true);
    m_serverSilence.setTimerType(Qt::PreciseTimer);
    connect(&m_serverSilence, &QTimer::timeout, this, [this] {
        const qint64 silent = m_heartbeat.silentMs();
        if (silent < m_serverDeadlineMs) {
            m_serverSilence.start(int(m_serverDeadlineMs - silent));
            return;
        }
        qCInfo(lcNet) << "no frame from the server for" << silent << "ms: dropping the connection";
        endLost(CloseCode::Abnormal,
                QStringLiteral("heartbeat: no ping from the server within %1 ms").arg(m_serverDeadlineMs));
    });
    Transport *t = m_transport.get();
    connect(t, &Transport::connected, this, &ClientSession::onConnected);
    connect(t, &Transport::disconnected, this, &ClientSession::endLost);
    connect(t, &Transport::errorOccurred, this, &ClientSession::onTransportError);
    connect(t, &Transport::notice, this,
            [this](int code, const QString &message) { Q_EMIT errorOccurred(code, message, QString()); });
    connect(t, &Transport::textReceived, this, &ClientSession::onText);
    connect(t, &Transport::binaryReceived, this, &ClientSession::onBinary);
    connect(t, &Transport::bytesWritten, this, &ClientSession::onBytesWritten);
}

ClientSession::~ClientSession() = default;

void ClientSession::start(const QUrl &url)
{
    m_url = url;
    // A fresh token before the socket opens: no connection waits on a slow or failing source.
    if (m_ctx.options->tokenSource) {
        QString error;
        if (!m_ctx.options->tokenSource(&m_sourcedToken, &error)) {
            qCWarning(lcNet).noquote() << error;
            // After start() returns: whoever started this session is ready for its end.
            QMetaObject::invokeMethod(
                this, [this, error] { endLost(CloseCode::Abnormal, error); }, Qt::QueuedConnection);
            return;
        }
    }
    m_setupDeadline.start(m_ctx.options->connectTimeoutMs);
    m_transport->open(url, m_dialect->subprotocols());
}

void ClientSession::close(int code, const QString &reason)
{
    m_setupDeadline.stop();
    m_heartbeat.stop();
    m_serverSilence.stop();
    m_phase = Phase::Ended;
    m_transport->disconnect(this);
    m_transport->close(code, reason);
}

bool ClientSession::isConnected() const
{
    return m_phase != Phase::Ended && m_transport->isConnected();
}

void ClientSession::applyOptions()
{
    m_heartbeat.setInterval(m_ctx.options->heartbeatIntervalMs);
    m_heartbeat.setTimeout(m_ctx.options->heartbeatTimeoutMs);
}

void ClientSession::setPhase(Phase phase)
{
    if (m_phase == phase)
        return;
    m_phase = phase;
    Q_EMIT phaseChanged(phase);
}

void ClientSession::end()
{
    m_setupDeadline.stop();
    m_heartbeat.stop();
    m_serverSilence.stop();
    m_phase = Phase::Ended;
    m_transport->disconnect(this);
    m_transport->abort();
}

void ClientSession::endLost(int closeCode, const QString &reason)
{
    if (m_phase == Phase::Ended)
        return;
    end();
    Q_EMIT lost(closeCode, reason);
}

void ClientSession::onTransportError(Transport::Error error, const QString &message)
{
    if (m_phase == Phase::Ended)
        return;
    if (error == Transport::Error::SubprotocolRefused) {
        end();
        Q_EMIT refused(QStringLiteral("server speaks another subprotocol, not '%1': %2")
                           .arg(m_dialect->subprotocols().join(QStringLiteral(", ")), message));
        return;
    }
    endLost(CloseCode::Abnormal, message);
}

void ClientSession::onConnected()
{
    const QStringList offered = m_dialect->subprotocols();
    const QString echoed = m_transport->subprotocol();
    // Transports that let a foreign choice through are refused here (lenient about none at all).
    if (!echoed.isEmpty() && !offered.contains(echoed)) {
        end();
        Q_EMIT refused(QStringLiteral("server speaks subprotocol '%1', not '%2'")
                           .arg(echoed, offered.join(QStringLiteral(", "))));
        return;
    }
    qCInfo(lcNet).noquote() << "socket open to" << redacted(m_url);
    const ConnectionOptions &o = *m_ctx.options;
    const QString token = o.tokenSource ? m_sourcedToken : o.tokenProvider ? o.tokenProvider() : o.token;
    for (const OutboundFrame &frame : m_dialect->framesOnOpen(token))
        send(frame);
    if ((!token.isEmpty() || m_caps.authWithoutToken) && m_caps.authFrame) {
        setPhase(Phase::Authenticating);
        m_authId = m_ctx.nextId(QLatin1StringView("auth"));
        send(m_dialect->encodeAuth(m_authId, token));
        return;
    }
    beginResubscribe();
}

void ClientSession::beginResubscribe()
{
    m_authId.clear();
    setPhase(Phase::Resubscribing);
    const QStringList channels = m_ctx.subscriptions->channels();
    for (const QString &channel : channels)
        sendSubscribe(channel);
    if (m_pendingSubscribes.isEmpty())
        ready();
}

void ClientSession::subscribe(const QString &channel)
{
    if (m_phase == Phase::Open || m_phase == Phase::Resubscribing)
        sendSubscribe(channel);
}

void ClientSession::unsubscribe(const QString &channel)
{
    m_sentSince.remove(channel);
    m_restarting.remove(channel);
    m_historyAsked.remove(channel);
    m_backfillUntil.remove(channel);
    m_backfillCount.remove(channel);
    if (m_phase == Phase::Open)
        send(m_dialect->encodeUnsubscribe(m_ctx.nextId(QLatin1StringView("unsub")), channel));
}

void ClientSession::sendSubscribe(const QString &channel, bool restart)
{
    const QString id = m_ctx.nextId(QLatin1StringView("sub"));
    const qint64 since = !m_caps.resumes ? -1 : restart ? 0 : m_ctx.subscriptions->lastSeq(channel);
    m_sentSince.insert(channel, since >= 0);
    if (m_caps.confirmsSubscribe)
        m_pendingSubscribes.insert(id, channel);
    if (restart)
        m_restarting.insert(channel, id);
    else
        m_restarting.remove(channel);
    // The epoch `since` counts in; none held (an old server, or a fresh subscription): as before.
    const QString epoch = since >= 0 ? m_ctx.subscriptions->epoch(channel) : QString();
    m_backfillUntil.remove(channel);
    const int backfill = m_ctx.options ? m_ctx.options->backfill : 0;
    if (since < 0 && !restart && backfill > 0 && m_caps.backfills) {
        // A first subscribe: the newest retained messages come first, marked as the past.
        m_historyAsked.insert(channel, id);
        send(m_dialect->encodeSubscribeWithHistory(id, channel, backfill));
        return;
    }
    m_historyAsked.remove(channel);
    send(epoch.isEmpty() ? m_dialect->encodeSubscribe(id, channel, since)
                         : m_dialect->encodeSubscribeInEpoch(id, channel, since, epoch));
}

void ClientSession::ready()
{
    m_setupDeadline.stop();
    // A server-driven heartbeat is answered by the dialect; the client sends no pings then.
    const bool clientPings = m_caps.heartbeat == WireDialect::Heartbeat::ClientPings;
    if (clientPings)
        m_heartbeat.start();
    // Our dialect's servers answer in order: a pong follows the acks of what was sent before it.
    m_ctx.tracker->setPingsFollowAcks(clientPings && m_caps.acksPublish);
    setPhase(Phase::Open);
    Q_EMIT opened();
}

bool ClientSession::send(const OutboundFrame &frame)
{
    // Nothing to say on this wire (no template, a subscribe the server does not need), or the
    // dialect holds it until its server's handshake and sends it itself (replyDue).
    if (frame.isNull())
        return true;
    const bool ok = frame.binary ? m_transport->sendBinary(frame.bytes) : m_transport->sendText(frame.bytes);
    ++m_ctx.stats->framesOut;
    m_ctx.stats->bytesOut += quint64(frame.bytes.size());
    return ok;
}

void ClientSession::flush()
{
    if (m_phase != Phase::Open)
        return;
    Outbox &outbox = *m_ctx.outbox;
    const qint64 highWater = m_ctx.options->sendHighWaterBytes;
    bool sentAny = false;
    for (int i = outbox.nextQueued(0); i >= 0;) {
        if (m_transport->bytesToWrite() > highWater) {
            if (!m_sendPaused)
                qCInfo(lcOutbox) << "send buffer above" << highWater << "bytes: pausing";
            m_sendPaused = true;
            break;
        }
        if (!takeSendToken())
            break;
        send(m_dialect->prepareAttempt(outbox.at(i).id, outbox.at(i).frame, outbox.at(i).attempts));
        const int before = outbox.count();
        m_ctx.tracker->markSent(i, m_caps.acksPublish);
        sentAny = true;
        // Without acks a publish is settled once sent and leaves the outbox.
        i = outbox.nextQueued(outbox.count() < before ? i : i + 1);
    }
    if (sentAny)
        Q_EMIT outboxSent();
}

bool ClientSession::takeSendToken()
{
    const int rate = m_ctx.pacedSendPerSec;
    if (rate <= 0)
        return true;
    const double burst = qMax(1, rate / 2);
    m_sendTokens = qMin(burst, m_sendTokens + double(m_paceClock.restart()) * rate / 1000.0);
    if (m_sendTokens >= 1) {
        m_sendTokens -= 1;
        return true;
    }
    if (!m_paceTimer.isActive())
        m_paceTimer.start(qMax(1, int((1 - m_sendTokens) * 1000 / rate) + 1));
    return false;
}

void ClientSession::onBytesWritten()
{
    if (m_sendPaused && m_transport->bytesToWrite() <= m_ctx.options->sendHighWaterBytes / 2) {
        m_sendPaused = false;
        qCDebug(lcOutbox) << "send buffer drained, resuming";
        flush();
    }
}

void ClientSession::onText(const QString &text)
{
    if (m_phase == Phase::Ended)
        return;
    m_heartbeat.noteLife();
    ++m_ctx.stats->framesIn;
    m_ctx.stats->bytesIn += quint64(m_dialect->decodeText(text, *this));
}

void ClientSession::onBinary(const QByteArray &data)
{
    if (m_phase == Phase::Ended)
        return;
    m_heartbeat.noteLife();
    ++m_ctx.stats->framesIn;
    m_ctx.stats->bytesIn += quint64(m_dialect->decodeBinary(data, *this));
}

void ClientSession::welcomed(const QString &server, const QString &session, qint64 heartbeatMs)
{
    Q_EMIT welcomeReceived(server, session, heartbeatMs);
}

void ClientSession::messageArrived(const InboundMessage &message)
{
    SubscriptionSet &subscriptions = *m_ctx.subscriptions;
    QString channel = message.channel;
    if (channel.isNull()) {
        auto it = m_channelNames.constFind(
            QByteArray::fromRawData(message.channelUtf8.data(), message.channelUtf8.size()));
        if (it == m_channelNames.cend()) {
            const QString name = QString::fromUtf8(message.channelUtf8);
            // Only wanted channels are remembered, so no server can grow this table.
            if (!subscriptions.contains(name))
                return;
            it = m_channelNames.insert(message.channelUtf8.toByteArray(), name);
        }
        channel = *it;
    }
    if (!m_restarting.isEmpty() && m_restarting.contains(channel))
        return; // the replay asked for from seq 0 brings it again
    if (message.seq < 0) {
        // A dialect without seq: nothing to check for duplicates or gaps.
        if (!subscriptions.contains(channel) &&
            !(m_caps.topicFilters && subscriptions.matchesFilter(channel)))
            return;
    } else {
        SubscriptionSet::Gap gap;
        switch (subscriptions.accept(channel, message.seq, &gap)) {
        case SubscriptionSet::Verdict::Duplicate:
            ++m_ctx.stats->duplicates;
            return;
        case SubscriptionSet::Verdict::NotSubscribed:
            return;
        case SubscriptionSet::Verdict::Gap:
            ++m_ctx.stats->gaps;
            qCWarning(lcNet).noquote() << "gap on" << channel << gap.from << "-" << gap.to;
            Q_EMIT gapDetected(channel, gap.from, gap.to, QStringLiteral("missing"));
            break;
        case SubscriptionSet::Verdict::Deliver:
            break;
        }
    }
    ++m_ctx.stats->messages;
    if (message.retained && m_ctx.retained)
        m_ctx.retained(channel);
    if (!m_backfillUntil.isEmpty() && message.seq >= 0) {
        const auto until = m_backfillUntil.find(channel);
        if (until != m_backfillUntil.end()) {
            const bool backfill = message.seq <= *until;
            if (message.seq >= *until)
                m_backfillUntil.erase(until); // the backfill ends here: what follows is live
            if (backfill && m_ctx.backfill)
                m_ctx.backfill(channel);
        }
    }
    m_ctx.deliver(channel, message.seq, message.ts, message.data);
}

void ClientSession::ackArrived(const QString &id, qint64 seq)
{
    if (!m_authId.isEmpty() && id == m_authId) {
        qCInfo(lcNet) << "authenticated";
        beginResubscribe();
        return;
    }
    m_ctx.tracker->ack(id, seq);
}

void ClientSession::subscribeConfirmed(const QString &id, const QString &channel, qint64 seq,
                                       std::optional<bool> recovered, const QString &epoch)
{
    const QString pending = m_pendingSubscribes.take(id);
    SubscriptionSet &subscriptions = *m_ctx.subscriptions;
    const auto restarting = m_restarting.constFind(channel);
    if (restarting != m_restarting.cend()) {
        // Only the answer to the subscribe from seq 0 counts; what an earlier one still says
        // (or replays) is of the stream we are leaving.
        if (*restarting != id) {
            if (!pending.isEmpty() && m_pendingSubscribes.isEmpty() && m_phase == Phase::Resubscribing)
                ready();
            return;
        }
        m_restarting.erase(restarting);
    }
    const bool sentSince = m_sentSince.value(channel, false);
    qint64 backfill = 0;
    const auto asked = m_historyAsked.constFind(channel);
    if (asked != m_historyAsked.cend() && *asked == id) {
        // The backfill is what the server replays up to the seq it names now; a server that
        // ignored `history` replays nothing, and every message is live as before.
        m_historyAsked.erase(asked);
        backfill = m_backfillCount.take(channel);
        if (seq > 0 && backfill > 0)
            m_backfillUntil.insert(channel, seq);
    }
    if (subscriptions.contains(channel)) {
        const qint64 held = subscriptions.lastSeq(channel);
        const QString heldEpoch = subscriptions.epoch(channel);
        if (held >= 0 && !heldEpoch.isEmpty() && !epoch.isEmpty() && epoch != heldEpoch) {
            // Another stream than the one our seq counts in (the hub restarted without its
            // history, the channel was recreated, its Redis stream was lost): what followed `held`
            // in the old one is gone, and the new one is taken from its start.
            ++m_ctx.stats->gaps;
            qCWarning(lcNet).noquote() << "channel" << channel << "is a new stream (epoch" << epoch << "after"
                                       << heldEpoch << "); held seq" << held << "no longer counts";
            subscriptions.restart(channel, epoch);
            Q_EMIT gapDetected(channel, held + 1, -1, QStringLiteral("epoch"));
            if (recovered != false && m_caps.resumes) {
                // The server named a new epoch yet claims to have resumed from our old seq in it:
                // it did not honour the epoch we sent, and may skip the start of its stream.
                // Ask again from the start of what it retains.
                qCWarning(lcNet).noquote()
                    << "server resumed" << channel << "in a new epoch from an old seq: subscribing from 0";
                sendSubscribe(channel, true);
                return;
            }
            Q_EMIT subscribed(channel, seq, false, sentSince ? held : -1);
        } else {
            if (seq < 0 && held >= 0) {
                // The answer names no seq (a Socket.IO subscribe ack): what is held stands.
            } else if (subscriptions.confirm(channel, seq, sentSince)) {
                ++m_ctx.stats->gaps;
                qCWarning(lcNet).noquote() << "channel" << channel << "restarted its sequence at" << seq;
                Q_EMIT gapDetected(channel, seq + 1, held, QStringLiteral("reset"));
            } else if (sentSince && recovered == false) {
                qCWarning(lcNet).noquote() << "server could not replay all of" << channel << "after" << held;
            }
            subscriptions.setEpoch(channel, epoch);
            // A backfill comes first: the held seq starts before it, so its messages are new and
            // the first live one after it follows without a gap.
            if (backfill > 0 && seq > 0)
                subscriptions.startBefore(channel, qMax<qint64>(0, seq - backfill));
            // `recovered` is only meaningful when we asked with `since`; a fresh subscription
            // has nothing to recover.
            Q_EMIT subscribed(channel, seq, sentSince ? recovered.value_or(true) : true,
                              sentSince ? held : -1);
        }
    }
    if (!pending.isEmpty() && m_pendingSubscribes.isEmpty() && m_phase == Phase::Resubscribing)
        ready();
}

void ClientSession::backfillAnnounced(const QString &id, const QString &channel, qint64 count)
{
    if (m_historyAsked.value(channel) == id)
        m_backfillCount.insert(channel, count);
}

void ClientSession::unsubscribeConfirmed(const QString &id, const QString &channel)
{
    Q_UNUSED(id)
    Q_EMIT unsubscribed(channel);
}

void ClientSession::responseArrived(const QString &id, const QJsonValue &result, const QString &next)
{
    m_ctx.tracker->respond(id, result, next);
}

void ClientSession::serverError(int code, const QString &message, const QString &id)
{
    if (!m_authId.isEmpty() && (id == m_authId || code == CloseCode::Unauthorized)) {
        end();
        Q_EMIT tokenRefused(code, message, id);
        return;
    }
    if (!id.isEmpty()) {
        const QString channel = m_pendingSubscribes.take(id);
        if (!channel.isEmpty()) {
            Q_EMIT errorOccurred(code, QStringLiteral("subscribe to %1 refused: %2").arg(channel, message),
                                 id);
            if (m_pendingSubscribes.isEmpty() && m_phase == Phase::Resubscribing)
                ready();
            return;
        }
        if (m_ctx.tracker->refuse(id, code, message)) {
            if (m_ctx.stats)
                ++m_ctx.stats->refused; // a publish or request the server said no to (403...)
            return;
        }
    }
    Q_EMIT errorOccurred(code, message, id);
}

void ClientSession::pongArrived(const QString &id, qint64 ts)
{
    m_ctx.tracker->pongReceived(id);
    const int rtt = m_heartbeat.notePong(id, ts);
    if (rtt >= 0)
        Q_EMIT rttMeasured(rtt);
}

void ClientSession::replyDue(const OutboundFrame &frame)
{
    send(frame);
}

void ClientSession::serverHeartbeat(int deadlineMs)
{
    if (m_phase == Phase::Ended || deadlineMs <= 0)
        return;
    m_serverDeadlineMs = deadlineMs;
    m_heartbeat.noteLife();
    m_serverSilence.start(deadlineMs);
}

void ClientSession::resumeFailed(const QString &reason)
{
    SubscriptionSet &subscriptions = *m_ctx.subscriptions;
    const QStringList channels = subscriptions.channels();
    for (const QString &channel : channels) {
        const qint64 held = subscriptions.lastSeq(channel);
        ++m_ctx.stats->gaps;
        qCWarning(lcNet).noquote() << "server could not resume" << channel << "(" << reason << ")";
        // A held seq counts in a sequence the server no longer continues: start again before its 1.
        if (held >= 0)
            subscriptions.restart(channel, QString());
        Q_EMIT gapDetected(channel, held >= 0 ? held + 1 : -1, -1, reason);
    }
}

void ClientSession::malformedFrame(int code, const QString &message)
{
    ++m_ctx.stats->malformed;
    Q_EMIT errorOccurred(code, message, QString());
}

void ClientSession::connectionUnusable(int closeCode, const QString &reason)
{
    if (m_phase == Phase::Ended)
        return;
    ++m_ctx.stats->malformed;
    qCWarning(lcNet).noquote() << "connection unusable:" << reason;
    Q_EMIT errorOccurred(closeCode, reason, QString());
    endLost(closeCode, reason);
}

} // namespace Pulseboard
