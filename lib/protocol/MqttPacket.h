// MQTT 3.1.1 control packets (OASIS standard, 2014) as pure functions and values: encoders for
// what a client sends, and MqttReader, a streaming decoder for what a broker sends. Over
// WebSocket one binary message may hold several packets or part of one, so the reader takes
// bytes as they come and hands out whole packets. No sockets, no Qt event loop: fuzzed by
// fuzz/fuzz_mqtt.cpp.
//
// Limits the reader enforces before it buffers anything: the remaining length is at most 4
// bytes of varint (268 435 455), and a packet larger than `maxPacketBytes` is refused as soon as
// its fixed header is read, so a broker announcing 200 MiB costs nothing.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

namespace Pulseboard::Mqtt {

enum class PacketType : quint8 {
    Reserved0 = 0,
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
    Reserved15 = 15,
};

QString packetTypeName(PacketType type);

constexpr qint64 MaxRemainingLength = 268435455; // 4 bytes of varint
constexpr quint8 SubackFailure = 0x80;

// CONNACK return codes (3.2.2.3) in words, for the user.
QString connackReason(int returnCode);

struct ConnectOptions
{
    QString clientId;
    bool cleanSession = false;
    quint16 keepAliveSecs = 60;
    bool hasUsername = false;
    QString username;
    bool hasPassword = false;
    QByteArray password;
};

// One decoded packet. Only the fields of its type are set.
struct Packet
{
    PacketType type = PacketType::Reserved0;
    quint8 flags = 0;            // low nibble of the first byte
    quint16 packetId = 0;        // PUBLISH (QoS > 0), PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK
    QByteArray topic;            // PUBLISH, UTF-8 as sent (checked valid, no U+0000, no wildcard)
    QByteArray payload;          // PUBLISH
    int qos = 0;                 // PUBLISH
    bool retain = false;         // PUBLISH
    bool dup = false;            // PUBLISH
    bool sessionPresent = false; // CONNACK
    int returnCode = 0;          // CONNACK
    QByteArray returnCodes;      // SUBACK, one byte per topic filter
};

// Encoders. Strings longer than 65535 UTF-8 bytes and packets past MaxRemainingLength cannot be
// written: these return an empty array (callers check with the validators below first).
QByteArray encodeConnect(const ConnectOptions &options);
QByteArray encodePublish(QByteArrayView topic, QByteArrayView payload, int qos, bool retain, bool dup,
                         quint16 packetId);
QByteArray encodePuback(quint16 packetId);
QByteArray encodePubrec(quint16 packetId);
QByteArray encodePubcomp(quint16 packetId);
QByteArray encodeSubscribe(quint16 packetId, const QStringList &filters, int qos);
QByteArray encodeUnsubscribe(quint16 packetId, const QStringList &filters);
QByteArray encodePingreq();
QByteArray encodeDisconnect();

// The remaining-length varint of 3.1.1 section 2.2.3.
QByteArray encodeRemainingLength(qint64 length);

// Empty when `topic` may be published to (a topic name: 1..65535 UTF-8 bytes, no U+0000, no
// `+` or `#`); else why not.
QString topicNameProblem(QStringView topic);
// The same for a subscription's topic filter (`+` a whole level, `#` last and a whole level).
QString topicFilterProblem(QStringView filter);
// Whether `topic` matches `filter` (3.1.1 section 4.7; a filter starting with a wildcard does
// not match a topic starting with `$`).
bool topicMatches(QStringView filter, QStringView topic);

class MqttReader
{
public:
    enum class Result {
        Packet,    // `packet` holds the next packet
        NeedMore,  // everything buffered was read; feed more bytes
        Malformed, // the packet was read past and is unusable; `error` says why, reading goes on
        Fatal,     // the stream cannot be read any further (no packet boundary); `error` says why
    };

    explicit MqttReader(qint64 maxPacketBytes = 1024 * 1024);

    void setMaxPacketBytes(qint64 bytes) { m_maxPacketBytes = bytes; }
    qint64 maxPacketBytes() const { return m_maxPacketBytes; }

    // Adds bytes from the broker. After a Fatal result everything is ignored.
    void append(QByteArrayView bytes);
    // The next result. Call until NeedMore (or Fatal).
    Result next(Packet &packet, QString *error);

    bool isBroken() const { return m_broken; }
    // Bytes held waiting for the rest of a packet (bounded by maxPacketBytes).
    qsizetype buffered() const { return m_buffer.size() - m_pos; }
    // A Fatal result's kind: too large (1009-like) rather than unreadable.
    bool brokeOnSize() const { return m_brokeOnSize; }

private:
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_maxPacketBytes;
    bool m_broken = false;
    bool m_brokeOnSize = false;
};

// Reads the body of one whole packet (fixed header byte and its remaining bytes). Empty when
// it is well formed, else why not. Exposed for tests and the fuzz target.
QString decodePacket(quint8 header, QByteArrayView body, Packet &out);

} // namespace Pulseboard::Mqtt
