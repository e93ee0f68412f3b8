// SocketIoDialect: Socket.IO v4 (Socket.IO protocol 5 over Engine.IO 4, WebSocket transport only)
// as a WireDialect. The server keeps the heartbeat (Engine.IO ping `2`, answered `3`; no ping
// within pingInterval + pingTimeout of the open packet is a dead link); the namespace CONNECT is
// the auth frame (the token placed in its `auth` object where the settings say); publishes and
// requests are emits with an ack id numbered per connection (prepareQueued); connection state
// recovery sends the pid and the last offset of the previous session in the next CONNECT, and
// reports a gap on every channel when the server answers with a new pid. Socket.IO apps choose
// their own events, so which event is which channel, and what a subscribe and a publish emit,
// are settings (docs/PROTOCOLS.md, "socketio"). Binary events are reported as unsupported.
#pragma once

#include "WireDialect.h"
#include "protocol/JsonPointer.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

#include <memory>

namespace Pulseboard {

class SocketIoDialect : public WireDialect
{
public:
    // A JSON pointer (RFC 6901) into an event's argument array, parsed once.
    using Pointer = JsonPointer;
    // Which events are messages and where their channel, seq, time and data are. `event` empty:
    // any event, its name being the channel (unless `channel` is set).
    struct Route
    {
        QString event;
        Pointer channel;
        Pointer seq;
        Pointer ts;
        Pointer data;
    };
    struct Settings
    {
        QString path = QStringLiteral("/socket.io/");
        QString nsp = QStringLiteral("/");
        QJsonValue auth;            // the CONNECT's auth object, "{token}" replaced
        bool recovery = true;       // send pid/offset, report a gap when not recovered
        QList<Route> routes;        // first match wins
        QJsonArray subscribeEmit;   // empty: no subscribe is sent (the server pushes)
        bool subscribeAck = false;  // the subscribe emit asks for an ack; it confirms the subscribe
        QJsonArray unsubscribeEmit; // empty: none is sent
        QJsonArray publishEmit;
        Pointer publishAckSeq; // where the publish ack holds a seq (optional)
        Pointer ackError;      // an ack whose value here is present and not null/false refuses
        QJsonArray requestEmit;
    };

    // Reads `config` (docs/PROTOCOLS.md); null with `*error` naming the bad setting.
    static std::unique_ptr<SocketIoDialect> create(const QJsonObject &config, QString *error);
    explicit SocketIoDialect(Settings settings);

    QString name() const override { return QStringLiteral("socket.io"); }
    QStringList subprotocols() const override { return {}; }
    Capabilities capabilities() const override;
    QUrl connectUrl(const QUrl &endpoint) const override;

    OutboundFrame encodeAuth(const QString &id, const QString &token) override;
    OutboundFrame encodeSubscribe(const QString &id, const QString &channel, qint64 since) override;
    OutboundFrame encodeUnsubscribe(const QString &id, const QString &channel) override;
    OutboundFrame encodePublish(const QString &id, const QString &channel, const QJsonValue &data,
                                const QString &clientKey) override;
    OutboundFrame encodeRequest(const QString &id, const QString &method, const QJsonValue &params) override;
    OutboundFrame encodePing(const QString &id, qint64 ts) override;
    OutboundFrame prepareQueued(const QString &id, const QByteArray &queued) override;

    qsizetype decodeText(QStringView text, DialectEvents &events) override;
    qsizetype decodeBinary(QByteArrayView data, DialectEvents &events) override;

    QJsonObject resumeState() const override;
    void setResumeState(const QJsonObject &state) override;

    const Settings &settings() const { return m_settings; }
    // The Engine.IO heartbeat of the open packet (0 until it arrived).
    int pingIntervalMs() const { return m_pingInterval; }
    int pingTimeoutMs() const { return m_pingTimeout; }
    QString pid() const { return m_pid; }
    QString lastOffset() const { return m_offset; }

    // Acks awaited on this connection are kept at most this many (the oldest forgotten).
    static constexpr int MaxPendingAcks = 65536;

private:
    enum class AckKind { Auth, Subscribe, Publish, Request };
    struct PendingAck
    {
        AckKind kind = AckKind::Publish;
        QString id;
        QString channel;
    };

    void onSocketIo(QStringView packet, DialectEvents &events);
    void onConnect(const QJsonValue &data, DialectEvents &events);
    void onEvent(const QJsonArray &args, qint64 ackId, DialectEvents &events);
    void onAck(qint64 ackId, const QJsonArray &args, DialectEvents &events);
    QByteArray eventFrame(qint64 ackId, const QByteArray &arrayJson) const;
    qint64 nextAck(const PendingAck &pending);

    Settings m_settings;
    QString m_authId;
    QByteArray m_pendingConnect; // the CONNECT, held until the open packet arrived
    bool m_opened = false;       // the Engine.IO open packet arrived
    bool m_connected = false;    // the namespace CONNECT was answered
    int m_pingInterval = 0;
    int m_pingTimeout = 0;
    qint64 m_maxPayload = 0; // the open packet's: a frame above it is not sent (0: unknown)
    QString m_pid;           // connection state recovery: this session's private id ...
    QString m_offset;        // ... and the offset of the last event received
    QString m_sentPid;       // what the CONNECT asked to recover (empty: nothing)
    qint64 m_ackCounter = 0;
    QHash<qint64, PendingAck> m_acks;
    QList<qint64> m_ackOrder;    // oldest first, to bound m_acks
    int m_attachmentsToSkip = 0; // binary frames of an unsupported binary packet
    QJsonValue m_data;           // the data of the message being delivered (outlives the callback)
};

} // namespace Pulseboard
