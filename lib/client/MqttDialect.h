// MqttDialect: MQTT 3.1.1 over WebSocket (binary frames, subprotocol `mqtt`) as a WireDialect,
// against any broker (tested against aedes). Channel = topic; subscriptions are topic filters
// (`+`, `#`) and messages arrive under their concrete topic. The auth frame is CONNECT (token as
// password, sent on every connection, token or not) and its ack the CONNACK; a stable client id
// with clean session off lets the broker keep QoS 1 messages while we are away. PINGREQ is the
// client's ping; publishes go at QoS 1 with PUBACK as their ack; inbound QoS 1 is PUBACKed after
// delivery. Packet ids live per connection and are mapped back to the session's ids here.
// docs/PROTOCOLS.md "## mqtt" lists every setting.
#pragma once

#include "WireDialect.h"
#include "protocol/MqttPacket.h"

#include <QHash>
#include <QJsonObject>
#include <QSet>

#include <deque>
#include <memory>

namespace Pulseboard {

struct ConnectionOptions;

class MqttDialect : public WireDialect
{
public:
    struct Settings
    {
        QString clientId;         // empty: derived (defaultClientId)
        bool hasUsername = false; // "username" given (an empty one is sent as such)
        QString username;
        bool cleanSession = false;
        int keepAliveSecs = 0; // 0: derived from the heartbeat (ceil((interval + timeout) / 1 s))
        int publishQos = 1;    // 0 or 1
        int subscribeQos = 1;  // 0 or 1
        bool retain = false;   // publishes are retained by the broker
        qint64 maxPacketBytes = 1024 * 1024;
        QString subprotocol = QStringLiteral("mqtt");
    };

    // The dialect for `options.protocolConfig`, or null with `*error` naming the bad setting.
    static std::unique_ptr<MqttDialect> fromOptions(const ConnectionOptions &options, QString *error);
    // The keys fromOptions reads.
    static QStringList settingNames();
    // "pb" + 21 hex digits of SHA-256(application name, machine id, first endpoint without user
    // info and query, user name): the same for the same program, machine, broker and user, run
    // after run; different for the dashboard and the CLI on one machine.
    static QString defaultClientId(const ConnectionOptions &options, const QString &username);

    explicit MqttDialect(const Settings &settings);

    QString name() const override { return QStringLiteral("mqtt"); }
    QStringList subprotocols() const override;
    Capabilities capabilities() const override;
    const Settings &settings() const { return m_settings; }

    OutboundFrame encodeAuth(const QString &id, const QString &token) override;
    OutboundFrame encodeSubscribe(const QString &id, const QString &channel, qint64 since) override;
    OutboundFrame encodeUnsubscribe(const QString &id, const QString &channel) override;
    // What the outbox keeps (and the journal writes): JSON text {"topic": T, "payload": P} with P
    // the payload as it goes out (a string as its text, anything else as compact JSON). The
    // PUBLISH itself is made for each connection by prepareAttempt.
    OutboundFrame encodePublish(const QString &id, const QString &channel, const QJsonValue &data,
                                const QString &clientKey) override;
    // MQTT has no request/response: a null frame, so request() fails at once.
    OutboundFrame encodeRequest(const QString &id, const QString &method, const QJsonValue &params) override;
    OutboundFrame encodePing(const QString &id, qint64 ts) override;
    OutboundFrame prepareAttempt(const QString &id, const QByteArray &queued, int attempts) override;
    QString channelProblem(const QString &channel, bool forPublish) const override;

    qsizetype decodeText(QStringView text, DialectEvents &events) override;
    qsizetype decodeBinary(QByteArrayView data, DialectEvents &events) override;

    // The payload of an inbound PUBLISH as data: JSON as is, else its text as a JSON string, and
    // bytes that are not UTF-8 as {"base64": ...}.
    static QJsonValue payloadToJson(QByteArrayView payload);

private:
    struct Pending
    {
        enum Kind { Publish, Subscribe, Unsubscribe } kind = Publish;
        QString id;
        QString channel;
    };
    quint16 allocatePacketId();
    void handle(const Mqtt::Packet &packet, DialectEvents &events);
    void deliver(const Mqtt::Packet &packet, DialectEvents &events);

    Settings m_settings;
    Mqtt::MqttReader m_reader;
    QString m_authId; // the CONNECT's id until its CONNACK
    bool m_connacked = false;
    bool m_sessionPresent = false;
    bool m_ended = false;
    quint16 m_nextPacketId = 1;
    QHash<quint16, Pending> m_pending;              // our packet ids awaiting their answer
    QHash<QString, quint16> m_publishIds;           // outbox id -> its packet id on this connection
    QSet<quint16> m_inboundQos2;                    // QoS 2 ids delivered, awaiting PUBREL
    std::deque<std::pair<QString, qint64>> m_pings; // unanswered PINGREQs, oldest first
    // With a session the broker kept, topics that got a message on this connection: a retained
    // message the resubscribe brings after one of them is older, and is not delivered.
    QSet<QString> m_topicsSeen;
};

} // namespace Pulseboard
