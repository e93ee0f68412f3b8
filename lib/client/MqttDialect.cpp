#include "MqttDialect.h"

#include "ConnectionOptions.h"
#include "Logging.h"
#include "protocol/CloseCode.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QMutexLocker>
#include <QStringDecoder>
#include <QSysInfo>

namespace Pulseboard {

namespace {

constexpr int SubscribeRefusedCode = 403; // an errorOccurred code, as the hub's refusals use HTTP-like ones
constexpr qsizetype MaxTopicsSeen = 4096;
constexpr size_t MaxOutstandingPings = 64;
constexpr int SessionLostCode = 410; // an errorOccurred code: what the broker held is gone

// Client ids that had a session on a broker in this process (without clean session): a later
// CONNACK that says the broker holds none means it lost what it kept for us.
struct SessionsSeen
{
    QMutex mutex;
    QSet<QString> keys;
};
SessionsSeen &sessionsSeen()
{
    static SessionsSeen seen;
    return seen;
}

OutboundFrame binary(const QByteArray &bytes)
{
    return {bytes, true};
}

bool readInt(const QJsonObject &config, const QString &key, int lo, int hi, int *out, QString *error)
{
    const QJsonValue v = config.value(key);
    if (v.isUndefined())
        return true;
    const double d = v.toDouble(-1e300);
    if (!v.isDouble() || d != double(qint64(d)) || d < lo || d > hi) {
        *error = QStringLiteral("mqtt setting \"%1\" must be a whole number from %2 to %3")
                     .arg(key)
                     .arg(lo)
                     .arg(hi);
        return false;
    }
    *out = int(d);
    return true;
}

bool readBool(const QJsonObject &config, const QString &key, bool *out, QString *error)
{
    const QJsonValue v = config.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isBool()) {
        *error = QStringLiteral("mqtt setting \"%1\" must be true or false").arg(key);
        return false;
    }
    *out = v.toBool();
    return true;
}

bool readString(const QJsonObject &config, const QString &key, QString *out, bool *present, QString *error)
{
    const QJsonValue v = config.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isString()) {
        *error = QStringLiteral("mqtt setting \"%1\" must be a string").arg(key);
        return false;
    }
    *out = v.toString();
    if (present)
        *present = true;
    return true;
}

} // namespace

QStringList MqttDialect::settingNames()
{
    return {QStringLiteral("clientId"),     QStringLiteral("username"),
            QStringLiteral("cleanSession"), QStringLiteral("keepAlive"),
            QStringLiteral("qos"),          QStringLiteral("subscribeQos"),
            QStringLiteral("retain"),       QStringLiteral("maxPacketBytes"),
            QStringLiteral("subprotocol")};
}

QString MqttDialect::defaultClientId(const ConnectionOptions &options, const QString &username)
{
    const QUrl endpoint = options.endpoints.value(0);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QCoreApplication::applicationName().toUtf8());
    hash.addData("\n");
    hash.addData(QSysInfo::machineUniqueId());
    hash.addData("\n");
    hash.addData(endpoint.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment).toUtf8());
    hash.addData("\n");
    hash.addData(username.toUtf8());
    // 23 characters of [0-9a-z]: what every 3.1.1 broker must accept (3.1.3.1).
    return QStringLiteral("pb") + QString::fromLatin1(hash.result().toHex().left(21));
}

std::unique_ptr<MqttDialect> MqttDialect::fromOptions(const ConnectionOptions &options, QString *error)
{
    QString dummy;
    QString &why = error ? *error : dummy;
    const QJsonObject &config = options.protocolConfig;
    const QStringList known = settingNames();
    for (auto it = config.begin(); it != config.end(); ++it) {
        if (!known.contains(it.key())) {
            why = QStringLiteral("unknown mqtt setting \"%1\" (known: %2)").arg(it.key(), known.join(u", "));
            return nullptr;
        }
    }
    Settings s;
    s.maxPacketBytes = options.maxIncomingMessageBytes;
    int maxPacket = -1;
    if (!readString(config, QStringLiteral("clientId"), &s.clientId, nullptr, &why) ||
        !readString(config, QStringLiteral("username"), &s.username, &s.hasUsername, &why) ||
        !readString(config, QStringLiteral("subprotocol"), &s.subprotocol, nullptr, &why) ||
        !readBool(config, QStringLiteral("cleanSession"), &s.cleanSession, &why) ||
        !readBool(config, QStringLiteral("retain"), &s.retain, &why) ||
        !readInt(config, QStringLiteral("keepAlive"), 1, 65535, &s.keepAliveSecs, &why) ||
        !readInt(config, QStringLiteral("qos"), 0, 1, &s.publishQos, &why) ||
        !readInt(config, QStringLiteral("subscribeQos"), 0, 1, &s.subscribeQos, &why) ||
        !readInt(config, QStringLiteral("maxPacketBytes"), 64, int(Mqtt::MaxRemainingLength), &maxPacket,
                 &why))
        return nullptr;
    if (maxPacket > 0)
        s.maxPacketBytes = maxPacket;
    if (config.contains(QStringLiteral("clientId")) &&
        (s.clientId.isEmpty() || s.clientId.toUtf8().size() > 0xffff || s.clientId.contains(u'\0'))) {
        why = QStringLiteral("mqtt setting \"clientId\" must be 1 to 65535 bytes without U+0000 (brokers "
                             "must accept 1 to 23 of [0-9a-zA-Z])");
        return nullptr;
    }
    if (s.clientId.isEmpty())
        s.clientId = defaultClientId(options, s.username);
    const int intervalMs = qMax(1, options.heartbeatIntervalMs);
    if (s.keepAliveSecs == 0) {
        const qint64 secs = (qint64(intervalMs) + qMax(0, options.heartbeatTimeoutMs) + 999) / 1000;
        s.keepAliveSecs = int(qBound(qint64(1), secs, qint64(65535)));
    } else if (qint64(s.keepAliveSecs) * 1000 < intervalMs) {
        why = QStringLiteral(
                  "mqtt setting \"keepAlive\" (%1 s) is shorter than the heartbeat interval (%2 ms): "
                  "the broker would drop the connection between two pings")
                  .arg(s.keepAliveSecs)
                  .arg(intervalMs);
        return nullptr;
    }
    return std::make_unique<MqttDialect>(s);
}

MqttDialect::MqttDialect(const Settings &settings) : m_settings(settings), m_reader(settings.maxPacketBytes)
{
}

QStringList MqttDialect::subprotocols() const
{
    return m_settings.subprotocol.isEmpty() ? QStringList() : QStringList{m_settings.subprotocol};
}

WireDialect::Capabilities MqttDialect::capabilities() const
{
    Capabilities c;
    c.heartbeat = Heartbeat::ClientPings; // PINGREQ / PINGRESP
    c.authFrame = true;                   // CONNECT, answered by CONNACK
    c.authWithoutToken = true;
    c.confirmsSubscribe = true;                 // SUBACK
    c.resumes = !m_settings.cleanSession;       // the broker keeps the session and its QoS 1 messages
    c.acksPublish = m_settings.publishQos >= 1; // PUBACK
    c.binaryFrames = true;
    c.sequenced = false; // no seq: a hole cannot be detected
    c.history = true;    // a retained message is the topic's last value
    c.topicFilters = true;
    return c;
}

OutboundFrame MqttDialect::encodeAuth(const QString &id, const QString &token)
{
    m_authId = id;
    Mqtt::ConnectOptions o;
    o.clientId = m_settings.clientId;
    o.cleanSession = m_settings.cleanSession;
    o.keepAliveSecs = quint16(m_settings.keepAliveSecs);
    // 3.1.1 allows a password only with a user name: a token alone goes with an empty one.
    o.hasUsername = m_settings.hasUsername || !token.isEmpty();
    o.username = m_settings.username;
    o.hasPassword = !token.isEmpty();
    o.password = token.toUtf8();
    return binary(Mqtt::encodeConnect(o));
}

quint16 MqttDialect::allocatePacketId()
{
    for (int tries = 0; tries < 65535; ++tries) {
        const quint16 id = m_nextPacketId;
        m_nextPacketId = m_nextPacketId == 65535 ? 1 : quint16(m_nextPacketId + 1);
        if (!m_pending.contains(id))
            return id;
    }
    return 0; // 65535 packets in flight: nothing can be sent until one is answered
}

OutboundFrame MqttDialect::encodeSubscribe(const QString &id, const QString &channel, qint64 since)
{
    Q_UNUSED(since) // no seq: the broker's session is the resume
    const quint16 pid = allocatePacketId();
    m_pending.insert(pid, Pending{Pending::Subscribe, id, channel});
    return binary(Mqtt::encodeSubscribe(pid, {channel}, m_settings.subscribeQos));
}

OutboundFrame MqttDialect::encodeUnsubscribe(const QString &id, const QString &channel)
{
    const quint16 pid = allocatePacketId();
    m_pending.insert(pid, Pending{Pending::Unsubscribe, id, channel});
    return binary(Mqtt::encodeUnsubscribe(pid, {channel}));
}

OutboundFrame MqttDialect::encodePublish(const QString &id, const QString &channel, const QJsonValue &data,
                                         const QString &clientKey)
{
    Q_UNUSED(id)
    Q_UNUSED(clientKey)
    QString payload;
    if (data.isString()) {
        payload = data.toString();
    } else {
        // Compact JSON of any value (a bare number or true as its literal).
        const QByteArray wrapped = QJsonDocument(QJsonArray{data.isUndefined() ? QJsonValue() : data})
                                       .toJson(QJsonDocument::Compact);
        payload = QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
    }
    const QJsonObject queued{{QStringLiteral("topic"), channel}, {QStringLiteral("payload"), payload}};
    return {QJsonDocument(queued).toJson(QJsonDocument::Compact), false};
}

OutboundFrame MqttDialect::encodeRequest(const QString &id, const QString &method, const QJsonValue &params)
{
    Q_UNUSED(id)
    Q_UNUSED(method)
    Q_UNUSED(params)
    return {}; // MQTT has no request/response
}

OutboundFrame MqttDialect::encodePing(const QString &id, qint64 ts)
{
    m_pings.emplace_back(id, ts);
    while (m_pings.size() > MaxOutstandingPings)
        m_pings.pop_front();
    return binary(Mqtt::encodePingreq());
}

OutboundFrame MqttDialect::prepareAttempt(const QString &id, const QByteArray &queued, int attempts)
{
    const QJsonObject o = QJsonDocument::fromJson(queued).object();
    const QString topic = o.value(QLatin1StringView("topic")).toString();
    if (topic.isEmpty()) {
        // A frame queued by another dialect (a journal written for another protocol): nothing
        // goes out, and its ack deadline reports it.
        qCWarning(lcOutbox).noquote() << "mqtt: outbox entry" << id << "is not an MQTT publish; not sent";
        return binary(QByteArray());
    }
    const QByteArray payload = o.value(QLatin1StringView("payload")).toString().toUtf8();
    const QByteArray topicUtf8 = topic.toUtf8();
    if (m_settings.publishQos == 0)
        return binary(Mqtt::encodePublish(topicUtf8, payload, 0, m_settings.retain, false, 0));
    quint16 pid = m_publishIds.value(id, 0);
    if (pid == 0) {
        pid = allocatePacketId();
        if (pid == 0)
            return binary(QByteArray());
        m_publishIds.insert(id, pid);
        m_pending.insert(pid, Pending{Pending::Publish, id, topic});
    }
    return binary(Mqtt::encodePublish(topicUtf8, payload, 1, m_settings.retain, attempts > 0, pid));
}

QString MqttDialect::channelProblem(const QString &channel, bool forPublish) const
{
    return forPublish ? Mqtt::topicNameProblem(channel) : Mqtt::topicFilterProblem(channel);
}

qsizetype MqttDialect::decodeText(QStringView text, DialectEvents &events)
{
    const qsizetype bytes = text.toUtf8().size();
    events.malformedFrame(
        CloseCode::Malformed,
        QStringLiteral("ignored a text frame of %1 bytes: MQTT uses binary frames").arg(bytes));
    return bytes;
}

qsizetype MqttDialect::decodeBinary(QByteArrayView data, DialectEvents &events)
{
    if (m_ended)
        return data.size();
    m_reader.append(data);
    Mqtt::Packet packet;
    QString error;
    while (!m_ended) {
        switch (m_reader.next(packet, &error)) {
        case Mqtt::MqttReader::Result::Packet:
            handle(packet, events);
            continue;
        case Mqtt::MqttReader::Result::Malformed:
            qCWarning(lcNet).noquote() << "unreadable MQTT packet from the broker:" << error;
            events.malformedFrame(CloseCode::Malformed,
                                  QStringLiteral("broker sent an unreadable MQTT packet: %1").arg(error));
            continue;
        case Mqtt::MqttReader::Result::Fatal:
            m_ended = true;
            events.connectionUnusable(m_reader.brokeOnSize() ? CloseCode::TooBig : CloseCode::Malformed,
                                      QStringLiteral("broker sent an unreadable MQTT stream: %1").arg(error));
            break;
        case Mqtt::MqttReader::Result::NeedMore:
            return data.size();
        }
    }
    return data.size();
}

void MqttDialect::handle(const Mqtt::Packet &packet, DialectEvents &events)
{
    using Mqtt::PacketType;
    qCDebug(lcNet).noquote() << "mqtt: <-" << Mqtt::packetTypeName(packet.type) << packet.packetId
                             << packet.topic;
    if (!m_connacked && packet.type != PacketType::Connack) {
        events.malformedFrame(
            CloseCode::Malformed,
            QStringLiteral("broker sent %1 before CONNACK: ignored").arg(Mqtt::packetTypeName(packet.type)));
        return;
    }
    switch (packet.type) {
    case PacketType::Connack: {
        if (m_connacked) {
            events.malformedFrame(CloseCode::Malformed,
                                  QStringLiteral("broker sent a second CONNACK: ignored"));
            return;
        }
        m_connacked = true;
        const QString reason = Mqtt::connackReason(packet.returnCode);
        switch (packet.returnCode) {
        case 0:
            m_sessionPresent = packet.sessionPresent;
            qCInfo(lcNet).noquote() << "mqtt: connected as" << m_settings.clientId
                                    << (m_sessionPresent ? "(the broker kept our session)"
                                                         : "(a new session on the broker)");
            if (!m_settings.cleanSession) {
                SessionsSeen &seen = sessionsSeen();
                QMutexLocker lock(&seen.mutex);
                const bool hadOne = seen.keys.contains(m_settings.clientId);
                seen.keys.insert(m_settings.clientId);
                lock.unlock();
                if (hadOne && !m_sessionPresent) {
                    qCWarning(lcNet).noquote()
                        << "mqtt: the broker lost the session of" << m_settings.clientId;
                    events.serverError(
                        SessionLostCode,
                        QStringLiteral("the broker kept no session for client id %1 (it restarted "
                                       "without persistence, or the session expired): messages "
                                       "published while the connection was down are lost")
                            .arg(m_settings.clientId),
                        QString());
                }
            }
            events.ackArrived(m_authId, -1);
            return;
        case 4:
        case 5:
            m_ended = true;
            events.serverError(CloseCode::Unauthorized, reason, m_authId);
            return;
        case 3:
            m_ended = true;
            events.connectionUnusable(CloseCode::TryAgainLater, reason);
            return;
        default:
            m_ended = true;
            events.connectionUnusable(CloseCode::Policy, reason);
            return;
        }
    }
    case PacketType::Publish:
        deliver(packet, events);
        return;
    case PacketType::Puback: {
        const auto it = m_pending.constFind(packet.packetId);
        if (it == m_pending.cend() || it->kind != Pending::Publish) {
            qCDebug(lcNet) << "mqtt: PUBACK for packet id" << packet.packetId << "not in flight: ignored";
            return;
        }
        const QString id = it->id;
        m_pending.erase(it);
        m_publishIds.remove(id);
        events.ackArrived(id, -1);
        return;
    }
    case PacketType::Pubrel:
        m_inboundQos2.remove(packet.packetId);
        events.replyDue(binary(Mqtt::encodePubcomp(packet.packetId)));
        return;
    case PacketType::Pubrec:
    case PacketType::Pubcomp:
        events.malformedFrame(CloseCode::Malformed,
                              QStringLiteral("broker sent %1 for packet id %2, but no QoS 2 publish was sent")
                                  .arg(Mqtt::packetTypeName(packet.type))
                                  .arg(packet.packetId));
        return;
    case PacketType::Suback: {
        const auto it = m_pending.constFind(packet.packetId);
        if (it == m_pending.cend() || it->kind != Pending::Subscribe) {
            events.malformedFrame(
                CloseCode::Malformed,
                QStringLiteral("broker sent SUBACK for packet id %1, which is no subscribe in flight")
                    .arg(packet.packetId));
            return;
        }
        const Pending p = *it;
        m_pending.erase(it);
        const quint8 granted = quint8(packet.returnCodes.at(0));
        if (granted == Mqtt::SubackFailure) {
            events.serverError(SubscribeRefusedCode, QStringLiteral("the broker refused it (SUBACK 0x80)"),
                               p.id);
            return;
        }
        if (granted < m_settings.subscribeQos)
            events.serverError(
                SubscribeRefusedCode,
                QStringLiteral("the broker granted %1 only QoS %2: messages published while the "
                               "connection is down are not kept for it")
                    .arg(p.channel)
                    .arg(granted),
                QString());
        events.subscribeConfirmed(p.id, p.channel, -1, std::nullopt, QString());
        return;
    }
    case PacketType::Unsuback: {
        const auto it = m_pending.constFind(packet.packetId);
        if (it == m_pending.cend() || it->kind != Pending::Unsubscribe) {
            qCDebug(lcNet) << "mqtt: UNSUBACK for packet id" << packet.packetId << "not in flight: ignored";
            return;
        }
        const Pending p = *it;
        m_pending.erase(it);
        events.unsubscribeConfirmed(p.id, p.channel);
        return;
    }
    case PacketType::Pingresp: {
        if (m_pings.empty())
            return; // unasked: still a sign of life
        const auto [id, ts] = m_pings.front();
        m_pings.pop_front();
        events.pongArrived(id, ts);
        return;
    }
    default:
        // decodePacket refuses every other type.
        return;
    }
}

void MqttDialect::deliver(const Mqtt::Packet &packet, DialectEvents &events)
{
    const QString topic = QString::fromUtf8(packet.topic);
    bool fresh = true;
    if (packet.qos == 2) {
        // Exactly once: a resend (DUP) of an id not yet released is not delivered again.
        fresh = !m_inboundQos2.contains(packet.packetId);
        m_inboundQos2.insert(packet.packetId);
    }
    if (m_sessionPresent) {
        if (packet.retain && m_topicsSeen.contains(topic))
            fresh = false; // the resubscribe's retained copy, older than what the session brought
        else if (!packet.retain && m_topicsSeen.size() < MaxTopicsSeen)
            m_topicsSeen.insert(topic);
    }
    if (fresh) {
        InboundMessage m;
        m.channel = topic;
        m.data = JsonView(payloadToJson(packet.payload));
        m.retained = packet.retain;
        events.messageArrived(m);
    }
    if (packet.qos == 1)
        events.replyDue(binary(Mqtt::encodePuback(packet.packetId)));
    else if (packet.qos == 2)
        events.replyDue(binary(Mqtt::encodePubrec(packet.packetId)));
}

QJsonValue MqttDialect::payloadToJson(QByteArrayView payload)
{
    if (payload.isEmpty())
        return QJsonValue(QJsonValue::Null);
    QByteArray wrapped;
    wrapped.reserve(payload.size() + 2);
    wrapped.append('[');
    wrapped.append(payload.data(), payload.size());
    wrapped.append(']');
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &parseError);
    if (parseError.error == QJsonParseError::NoError && doc.array().size() == 1)
        return doc.array().at(0);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder(payload);
    if (!decoder.hasError())
        return text;
    return QJsonObject{{QStringLiteral("base64"), QString::fromLatin1(payload.toByteArray().toBase64())}};
}

} // namespace Pulseboard
