#include "MqttPacket.h"

#include <QStringDecoder>

namespace Pulseboard::Mqtt {

namespace {

void putU16(QByteArray &out, quint16 v)
{
    out.append(char(v >> 8));
    out.append(char(v & 0xff));
}

bool putString(QByteArray &out, QByteArrayView utf8)
{
    if (utf8.size() > 0xffff)
        return false;
    putU16(out, quint16(utf8.size()));
    out.append(utf8.data(), utf8.size());
    return true;
}

QByteArray packet(quint8 header, const QByteArray &body)
{
    if (body.size() > MaxRemainingLength)
        return QByteArray();
    QByteArray out;
    out.reserve(body.size() + 5);
    out.append(char(header));
    out.append(encodeRemainingLength(body.size()));
    out.append(body);
    return out;
}

QByteArray idOnly(quint8 header, quint16 packetId)
{
    QByteArray body;
    putU16(body, packetId);
    return packet(header, body);
}

quint16 u16(QByteArrayView b, qsizetype at)
{
    return quint16((quint8(b[at]) << 8) | quint8(b[at + 1]));
}

// A UTF-8 string field as 3.1.1 section 1.5.3 has it: well formed, no U+0000.
QString utf8Problem(QByteArrayView bytes)
{
    if (bytes.contains('\0'))
        return QStringLiteral("contains U+0000");
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder(bytes);
    if (decoder.hasError())
        return QStringLiteral("is not valid UTF-8");
    Q_UNUSED(text)
    return QString();
}

QString expectFlags(quint8 flags, quint8 want, PacketType type)
{
    if (flags == want)
        return QString();
    return QStringLiteral("%1 with reserved flags 0x%2 (must be 0x%3)")
        .arg(packetTypeName(type))
        .arg(flags, 1, 16)
        .arg(want, 1, 16);
}

QString idPacket(PacketType type, quint8 flags, QByteArrayView body, Packet &out)
{
    const quint8 want = type == PacketType::Pubrel ? 2 : 0;
    QString problem = expectFlags(flags, want, type);
    if (!problem.isEmpty())
        return problem;
    if (body.size() != 2)
        return QStringLiteral("%1 of %2 bytes (must be 2)").arg(packetTypeName(type)).arg(body.size());
    out.packetId = u16(body, 0);
    if (out.packetId == 0)
        return QStringLiteral("%1 with packet id 0").arg(packetTypeName(type));
    return QString();
}

} // namespace

QString packetTypeName(PacketType type)
{
    static const char *const names[] = {"reserved type 0", "CONNECT",  "CONNACK",     "PUBLISH",
                                        "PUBACK",          "PUBREC",   "PUBREL",      "PUBCOMP",
                                        "SUBSCRIBE",       "SUBACK",   "UNSUBSCRIBE", "UNSUBACK",
                                        "PINGREQ",         "PINGRESP", "DISCONNECT",  "reserved type 15"};
    return QString::fromLatin1(names[quint8(type) & 0xf]);
}

QString connackReason(int returnCode)
{
    switch (returnCode) {
    case 0:
        return QStringLiteral("connection accepted");
    case 1:
        return QStringLiteral(
            "the broker does not speak MQTT 3.1.1 (CONNACK 1: unacceptable protocol version)");
    case 2:
        return QStringLiteral("the broker rejected the client id (CONNACK 2: identifier rejected); set "
                              "\"clientId\" in the protocol config");
    case 3:
        return QStringLiteral("the broker is unavailable (CONNACK 3: server unavailable)");
    case 4:
        return QStringLiteral("bad user name or password (CONNACK 4)");
    case 5:
        return QStringLiteral("not authorized (CONNACK 5)");
    default:
        return QStringLiteral("unknown CONNACK return code %1").arg(returnCode);
    }
}

QByteArray encodeRemainingLength(qint64 length)
{
    QByteArray out;
    if (length < 0 || length > MaxRemainingLength)
        return out;
    do {
        quint8 byte = quint8(length % 128);
        length /= 128;
        if (length > 0)
            byte |= 0x80;
        out.append(char(byte));
    } while (length > 0);
    return out;
}

QByteArray encodeConnect(const ConnectOptions &o)
{
    QByteArray body;
    putString(body, "MQTT");
    body.append(char(4)); // protocol level: 3.1.1
    quint8 flags = 0;
    if (o.hasUsername)
        flags |= 0x80;
    if (o.hasPassword)
        flags |= 0x40;
    if (o.cleanSession)
        flags |= 0x02;
    body.append(char(flags));
    putU16(body, o.keepAliveSecs);
    if (!putString(body, o.clientId.toUtf8()))
        return QByteArray();
    if (o.hasUsername && !putString(body, o.username.toUtf8()))
        return QByteArray();
    if (o.hasPassword && !putString(body, o.password))
        return QByteArray();
    return packet(0x10, body);
}

QByteArray encodePublish(QByteArrayView topic, QByteArrayView payload, int qos, bool retain, bool dup,
                         quint16 packetId)
{
    if (qos < 0 || qos > 2 || (qos > 0 && packetId == 0))
        return QByteArray();
    QByteArray body;
    body.reserve(topic.size() + payload.size() + 4);
    if (!putString(body, topic))
        return QByteArray();
    if (qos > 0)
        putU16(body, packetId);
    body.append(payload.data(), payload.size());
    const quint8 header = quint8(0x30 | (dup && qos > 0 ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0));
    return packet(header, body);
}

QByteArray encodePuback(quint16 packetId)
{
    return idOnly(0x40, packetId);
}

QByteArray encodePubrec(quint16 packetId)
{
    return idOnly(0x50, packetId);
}

QByteArray encodePubcomp(quint16 packetId)
{
    return idOnly(0x70, packetId);
}

QByteArray encodeSubscribe(quint16 packetId, const QStringList &filters, int qos)
{
    if (filters.isEmpty() || packetId == 0)
        return QByteArray();
    QByteArray body;
    putU16(body, packetId);
    for (const QString &f : filters) {
        if (!putString(body, f.toUtf8()))
            return QByteArray();
        body.append(char(qBound(0, qos, 2)));
    }
    return packet(0x82, body);
}

QByteArray encodeUnsubscribe(quint16 packetId, const QStringList &filters)
{
    if (filters.isEmpty() || packetId == 0)
        return QByteArray();
    QByteArray body;
    putU16(body, packetId);
    for (const QString &f : filters)
        if (!putString(body, f.toUtf8()))
            return QByteArray();
    return packet(0xa2, body);
}

QByteArray encodePingreq()
{
    return QByteArray("\xc0\x00", 2);
}

QByteArray encodeDisconnect()
{
    return QByteArray("\xe0\x00", 2);
}

QString topicNameProblem(QStringView topic)
{
    if (topic.isEmpty())
        return QStringLiteral("an MQTT topic cannot be empty");
    if (topic.toUtf8().size() > 0xffff)
        return QStringLiteral("an MQTT topic is at most 65535 bytes");
    if (topic.contains(u'\0'))
        return QStringLiteral("an MQTT topic cannot contain U+0000");
    if (topic.contains(u'+') || topic.contains(u'#'))
        return QStringLiteral("'%1' has a wildcard (+ or #): publish to a concrete topic").arg(topic);
    return QString();
}

QString topicFilterProblem(QStringView filter)
{
    if (filter.isEmpty())
        return QStringLiteral("an MQTT topic filter cannot be empty");
    if (filter.toUtf8().size() > 0xffff)
        return QStringLiteral("an MQTT topic filter is at most 65535 bytes");
    if (filter.contains(u'\0'))
        return QStringLiteral("an MQTT topic filter cannot contain U+0000");
    const auto levels = filter.split(u'/');
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QStringView level = levels.at(i);
        if (level.contains(u'#') && (level.size() != 1 || i != levels.size() - 1))
            return QStringLiteral("'%1': # must be a whole level and the last one").arg(filter);
        if (level.contains(u'+') && level.size() != 1)
            return QStringLiteral("'%1': + must be a whole level").arg(filter);
    }
    return QString();
}

bool topicMatches(QStringView filter, QStringView topic)
{
    if (topic.startsWith(u'$') && (filter.startsWith(u'+') || filter.startsWith(u'#')))
        return false;
    const auto f = filter.split(u'/');
    const auto t = topic.split(u'/');
    qsizetype i = 0;
    for (; i < f.size(); ++i) {
        if (f.at(i) == u"#")
            return true; // also matches the parent level ("a/#" matches "a")
        if (i >= t.size())
            return false;
        if (f.at(i) != u"+" && f.at(i) != t.at(i))
            return false;
    }
    return i == t.size();
}

QString decodePacket(quint8 header, QByteArrayView body, Packet &out)
{
    out = Packet();
    out.type = PacketType(header >> 4);
    out.flags = header & 0x0f;
    switch (out.type) {
    case PacketType::Connack: {
        QString problem = expectFlags(out.flags, 0, out.type);
        if (!problem.isEmpty())
            return problem;
        if (body.size() != 2)
            return QStringLiteral("CONNACK of %1 bytes (must be 2)").arg(body.size());
        if (quint8(body[0]) & 0xfe)
            return QStringLiteral("CONNACK with reserved acknowledge flags 0x%1")
                .arg(quint8(body[0]), 2, 16, QLatin1Char('0'));
        out.sessionPresent = quint8(body[0]) & 1;
        out.returnCode = quint8(body[1]);
        return QString();
    }
    case PacketType::Publish: {
        out.qos = (out.flags >> 1) & 3;
        out.dup = out.flags & 8;
        out.retain = out.flags & 1;
        if (out.qos == 3)
            return QStringLiteral("PUBLISH with QoS 3");
        if (out.qos == 0 && out.dup)
            return QStringLiteral("PUBLISH at QoS 0 with DUP set");
        if (body.size() < 2)
            return QStringLiteral("PUBLISH of %1 bytes: no topic length").arg(body.size());
        const qsizetype topicLen = u16(body, 0);
        qsizetype at = 2 + topicLen;
        if (at > body.size())
            return QStringLiteral("PUBLISH topic of %1 bytes in a packet of %2")
                .arg(topicLen)
                .arg(body.size());
        if (topicLen == 0)
            return QStringLiteral("PUBLISH with an empty topic");
        const QByteArrayView topic = body.sliced(2, topicLen);
        const QString problem = utf8Problem(topic);
        if (!problem.isEmpty())
            return QStringLiteral("PUBLISH topic %1").arg(problem);
        if (topic.contains('+') || topic.contains('#'))
            return QStringLiteral("PUBLISH topic '%1' has a wildcard").arg(QString::fromUtf8(topic).left(64));
        if (out.qos > 0) {
            if (at + 2 > body.size())
                return QStringLiteral("PUBLISH at QoS %1 without a packet id").arg(out.qos);
            out.packetId = u16(body, at);
            if (out.packetId == 0)
                return QStringLiteral("PUBLISH at QoS %1 with packet id 0").arg(out.qos);
            at += 2;
        }
        out.topic = topic.toByteArray();
        out.payload = body.sliced(at).toByteArray();
        return QString();
    }
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
    case PacketType::Unsuback:
        return idPacket(out.type, out.flags, body, out);
    case PacketType::Suback: {
        QString problem = expectFlags(out.flags, 0, out.type);
        if (!problem.isEmpty())
            return problem;
        if (body.size() < 3)
            return QStringLiteral("SUBACK of %1 bytes (at least 3)").arg(body.size());
        out.packetId = u16(body, 0);
        if (out.packetId == 0)
            return QStringLiteral("SUBACK with packet id 0");
        out.returnCodes = body.sliced(2).toByteArray();
        for (char c : std::as_const(out.returnCodes)) {
            const quint8 code = quint8(c);
            if (code > 2 && code != SubackFailure)
                return QStringLiteral("SUBACK with return code 0x%1").arg(code, 2, 16, QLatin1Char('0'));
        }
        return QString();
    }
    case PacketType::Pingresp: {
        QString problem = expectFlags(out.flags, 0, out.type);
        if (!problem.isEmpty())
            return problem;
        if (!body.isEmpty())
            return QStringLiteral("PINGRESP of %1 bytes (must be 0)").arg(body.size());
        return QString();
    }
    case PacketType::Connect:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
    case PacketType::Pingreq:
    case PacketType::Disconnect:
        return QStringLiteral("%1 is sent by clients, not by a broker").arg(packetTypeName(out.type));
    case PacketType::Reserved0:
    case PacketType::Reserved15:
        break;
    }
    return QStringLiteral("packet of %1").arg(packetTypeName(out.type));
}

MqttReader::MqttReader(qint64 maxPacketBytes) : m_maxPacketBytes(maxPacketBytes) {}

void MqttReader::append(QByteArrayView bytes)
{
    if (m_broken || bytes.isEmpty())
        return;
    if (m_pos > 0 && m_pos == m_buffer.size()) {
        m_buffer.clear();
        m_pos = 0;
    }
    m_buffer.append(bytes.data(), bytes.size());
}

MqttReader::Result MqttReader::next(Packet &packet, QString *error)
{
    const auto fatal = [&](const QString &why, bool size) {
        m_broken = true;
        m_brokeOnSize = size;
        m_buffer.clear();
        m_buffer.squeeze();
        m_pos = 0;
        if (error)
            *error = why;
        return Result::Fatal;
    };
    if (m_broken) {
        if (error)
            *error = QStringLiteral("the stream was already unreadable");
        return Result::Fatal;
    }
    const qsizetype avail = m_buffer.size() - m_pos;
    if (avail < 2)
        return Result::NeedMore;
    const char *p = m_buffer.constData() + m_pos;
    qint64 length = 0;
    int multiplier = 1;
    qsizetype used = 1;
    for (int i = 0;; ++i) {
        if (i == 4)
            return fatal(
                QStringLiteral("remaining length longer than 4 bytes (MQTT allows at most 268435455)"),
                false);
        if (used >= avail)
            return Result::NeedMore;
        const quint8 byte = quint8(p[used++]);
        length += qint64(byte & 0x7f) * multiplier;
        multiplier *= 128;
        if (!(byte & 0x80))
            break;
    }
    const qint64 total = used + length;
    if (total > m_maxPacketBytes)
        return fatal(QStringLiteral("%1 of %2 bytes announced, over the limit of %3 bytes")
                         .arg(packetTypeName(PacketType(quint8(p[0]) >> 4)))
                         .arg(total)
                         .arg(m_maxPacketBytes),
                     true);
    if (avail < total)
        return Result::NeedMore;
    const quint8 header = quint8(p[0]);
    const QString problem = decodePacket(header, QByteArrayView(p + used, qsizetype(length)), packet);
    m_pos += qsizetype(total);
    if (m_pos == m_buffer.size()) {
        m_buffer.clear();
        m_pos = 0;
    } else if (m_pos > 64 * 1024) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return Result::Malformed;
    }
    return Result::Packet;
}

} // namespace Pulseboard::Mqtt
