// WireDialect: what a ClientSession says on the wire and how it reads what comes back, so the
// session's order of a connection (open -> auth -> resubscribe -> flush) holds for any server.
// A dialect encodes the client's intents (auth, subscribe with `since`, unsubscribe, publish,
// request, ping) into frames, decodes each inbound frame, text or binary, into DialectEvents,
// and declares what its servers give: who keeps the heartbeat, whether publishes are acked by
// id, whether messages carry a per-channel seq and a subscribe can resume from one.
// pulseboard.v1 (PulseboardDialect) is the first; Socket.IO (SocketIoDialect: server-driven
// ping, ack by packet id, recovery by session id and offset), MQTT over WebSocket (binary frames, packet ids,
// no seq) and plain JSON feeds (no seq, no acks) are meant to fit behind the same interface.
#pragma once

#include "protocol/JsonView.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace Pulseboard {

struct OutboundFrame
{
    QByteArray bytes;
    bool binary = false;
    bool isNull() const { return bytes.isNull(); }
};

// One channel message as a dialect decoded it. The views last until the callback returns.
struct InboundMessage
{
    QByteArrayView channelUtf8; // the name as bytes of the frame (no QString on the hot path) ...
    QString channel;            // ... or as a string, when the decoder made one; this wins
    qint64 seq = -1;            // -1: the dialect has no per-channel sequence
    qint64 ts = -1;             // server time in ms, -1 when absent
    JsonView data;
    bool retained = false; // the broker's stored last value (MQTT retain), not a live message
};

// What a dialect hands the session while it decodes a frame, in the frame's order, synchronously.
class DialectEvents
{
public:
    virtual ~DialectEvents() = default;
    virtual void welcomed(const QString &server, const QString &session, qint64 heartbeatMs) = 0;
    virtual void messageArrived(const InboundMessage &message) = 0;
    // An ack by id: of the auth or of a publish. `seq` -1 when the server gives none.
    virtual void ackArrived(const QString &id, qint64 seq) = 0;
    // `recovered` is only present when the subscribe asked to resume. `epoch`: the identity of
    // the channel's sequence, empty when the server names none.
    virtual void subscribeConfirmed(const QString &id, const QString &channel, qint64 seq,
                                    std::optional<bool> recovered, const QString &epoch) = 0;
    // Said just before subscribeConfirmed when the answer announces a backfill (`history`): the
    // `count` messages before the answer's seq follow first. Default: not told.
    virtual void backfillAnnounced(const QString &id, const QString &channel, qint64 count)
    {
        Q_UNUSED(id)
        Q_UNUSED(channel)
        Q_UNUSED(count)
    }
    virtual void unsubscribeConfirmed(const QString &id, const QString &channel) = 0;
    // `next`: the cursor of a paged result when the server says more remains (else empty).
    virtual void responseArrived(const QString &id, const QJsonValue &result, const QString &next) = 0;
    // An error from the server, about the frame with `id` when it names one.
    virtual void serverError(int code, const QString &message, const QString &id) = 0;
    // The answer to one of our pings (ClientPings); `ts` is what we sent.
    virtual void pongArrived(const QString &id, qint64 ts) = 0;
    // The dialect answers the server itself (its ping, an Engine.IO heartbeat): send this.
    virtual void replyDue(const OutboundFrame &frame) = 0;
    // A frame the dialect cannot read: reported, never dropped in silence. `code` is a close code.
    virtual void malformedFrame(int code, const QString &message) = 0;
    // The stream cannot be read any further (an MQTT packet too large or without a boundary, a
    // broker refusing the connection): the connection ends with `closeCode` (as the reconnect
    // policy reads it) and `reason`. The dialect decodes nothing more of this connection.
    virtual void connectionUnusable(int closeCode, const QString &reason)
    {
        malformedFrame(closeCode, reason);
    }
    // A ServerPings dialect learnt how often its server pings (Socket.IO's open packet): no frame
    // at all within `deadlineMs` means the link is dead. Until it is called there is no deadline.
    virtual void serverHeartbeat(int deadlineMs) { Q_UNUSED(deadlineMs) }
    // The server could not resume what the previous connection had (Socket.IO: a new session id
    // where recovery was asked): what was sent meanwhile is lost, on every subscribed channel.
    virtual void resumeFailed(const QString &reason) { Q_UNUSED(reason) }
};

class WireDialect
{
public:
    enum class Heartbeat {
        ClientPings, // the client pings on its interval and expects a pong by a deadline
        ServerPings, // the server pings and the dialect answers (replyDue); the client sends none
    };

    struct Capabilities
    {
        Heartbeat heartbeat = Heartbeat::ClientPings;
        bool authFrame = true;         // a token goes in an auth frame after the socket opens
        bool confirmsSubscribe = true; // each subscribe is answered; else resubscribe ends when sent
        bool resumes = true;           // a subscribe can carry `since` (the last seq held)
        bool acksPublish = true;       // publishes are acked by id; else a publish is done once sent
        bool binaryFrames = false;     // frames go out as binary (MQTT) rather than text
        bool sequenced = true;         // messages carry a per-channel seq: a hole is a detectable gap
        bool history = true;           // a subscribe gets the channel's past (replay or last value)
        // A first subscribe can ask for the newest N retained messages (encodeSubscribeWithHistory);
        // false: a chart starts with the first live message (MQTT's retained value aside).
        bool backfills = false;
        // ClientPings only: false when the dialect has no ping frame (encodePing is not asked):
        // the heartbeat then only watches for silence, and a link that stays silent past the
        // interval plus the deadline is dropped.
        bool sendsPings = true;
        // The auth frame opens every connection, token or not, and its answer is awaited: the
        // server's own handshake (MQTT CONNECT, Socket.IO's namespace CONNECT).
        bool authWithoutToken = false;
        bool topicFilters = false; // subscriptions are MQTT topic filters: `+` and `#` match concrete names
        // Some of the configured routes give a seq and others not (json, socketio): `sequenced`
        // is then false, and these name the routes whose messages carry one (a gap is detected
        // on those only), e.g. `event "message"`.
        QStringList sequencedRoutes;
    };

    virtual ~WireDialect() = default;

    virtual QString name() const = 0;
    // Offered in the WebSocket handshake; a server that chooses another is refused.
    virtual QStringList subprotocols() const = 0;
    virtual Capabilities capabilities() const = 0;
    // The URL the socket opens for a configured endpoint (Socket.IO adds its path and query).
    virtual QUrl connectUrl(const QUrl &endpoint) const { return endpoint; }

    // Frames sent as soon as the socket opens, before any auth frame (a dialect whose servers
    // want a greeting, or a token sent without an answer to wait for). Default: none.
    virtual QList<OutboundFrame> framesOnOpen(const QString &token)
    {
        Q_UNUSED(token)
        return {};
    }
    // A null frame: nothing to send now (the dialect sends it later, as a replyDue).
    virtual OutboundFrame encodeAuth(const QString &id, const QString &token) = 0;
    // `since` -1: from now on (nothing held, or the dialect cannot resume).
    virtual OutboundFrame encodeSubscribe(const QString &id, const QString &channel, qint64 since) = 0;
    // The same, naming the epoch (the server's stream) `since` counts in; a dialect whose servers
    // have no epochs leaves it out.
    virtual OutboundFrame encodeSubscribeInEpoch(const QString &id, const QString &channel, qint64 since,
                                                 const QString &epoch)
    {
        Q_UNUSED(epoch)
        return encodeSubscribe(id, channel, since);
    }
    // A first subscribe (nothing held) asking for up to `history` of the newest retained messages,
    // replayed before live ones with seqs up to the one the answer names. Default: a plain one.
    virtual OutboundFrame encodeSubscribeWithHistory(const QString &id, const QString &channel,
                                                     qint64 history)
    {
        Q_UNUSED(history)
        return encodeSubscribe(id, channel, -1);
    }
    virtual OutboundFrame encodeUnsubscribe(const QString &id, const QString &channel) = 0;
    // `clientKey`: a sender key stable for the client's life (dedupe of resends), may be ignored.
    virtual OutboundFrame encodePublish(const QString &id, const QString &channel, const QJsonValue &data,
                                        const QString &clientKey) = 0;
    // A null frame: the protocol has no requests, and request() fails at once saying so.
    virtual OutboundFrame encodeRequest(const QString &id, const QString &method,
                                        const QJsonValue &params) = 0;
    // Only asked of ClientPings dialects. `ts`: the client's clock in ms, echoed by the pong.
    virtual OutboundFrame encodePing(const QString &id, qint64 ts) = 0;

    // An outbox entry goes out on this connection. `queued` is what encodePublish/encodeRequest
    // made when it was queued (what the journal keeps, resent as is by pulseboard.v1, whose ids
    // hold across connections). A dialect whose ids live per connection (MQTT packet ids,
    // Socket.IO ack ids) rewrites the frame here and maps its wire id back to `id` when the ack
    // or reply arrives.
    virtual OutboundFrame prepareQueued(const QString &id, const QByteArray &queued)
    {
        Q_UNUSED(id)
        return {queued, capabilities().binaryFrames};
    }

    // The same, told how often the entry went out before (`attempts`, on this or an earlier
    // connection): MQTT sets DUP on a resend. Sessions call this one.
    virtual OutboundFrame prepareAttempt(const QString &id, const QByteArray &queued, int attempts)
    {
        Q_UNUSED(attempts)
        return prepareQueued(id, queued);
    }

    // Why this dialect cannot subscribe (`forPublish` false) or publish to `channel`, empty when
    // it can (MQTT: no wildcard in a publish topic, wildcards only as whole levels).
    virtual QString channelProblem(const QString &channel, bool forPublish) const
    {
        Q_UNUSED(channel)
        Q_UNUSED(forPublish)
        return QString();
    }
    // What a connection leaves for the next one to the same server (Socket.IO: the session id and
    // offset of connection state recovery). The manager keeps it between sessions and hands it to
    // the next attempt's dialect; a server switch forgets it.
    virtual QJsonObject resumeState() const { return {}; }
    virtual void setResumeState(const QJsonObject &state) { Q_UNUSED(state) }

    // Decode one inbound frame into `events`. Return the frame's size in bytes (text as UTF-8).
    virtual qsizetype decodeText(QStringView text, DialectEvents &events) = 0;
    virtual qsizetype decodeBinary(QByteArrayView data, DialectEvents &events) = 0;
};

} // namespace Pulseboard
