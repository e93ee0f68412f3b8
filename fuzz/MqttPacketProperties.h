// The properties fuzz_mqtt checks on every input (bytes as a broker might send them), shared
// with tst_fuzzcorpus so that the committed corpus also runs in the ordinary test suite:
//  - the reader's results do not depend on how the bytes are cut into WebSocket messages: all
//    at once and in chunks (sizes taken from the input) give the same packets and errors;
//  - every Malformed or Fatal result has words for a person, and after Fatal nothing more is read;
//  - the reader never holds more than its packet limit;
//  - a PUBLISH that decodes re-encodes into bytes that decode to the same fields.
#pragma once

#include "protocol/MqttPacket.h"

#include <QString>
#include <QStringList>

namespace Pulseboard::Fuzz {

constexpr qint64 kMqttFuzzMaxPacket = 4096;

inline QString describeMqtt(const Mqtt::Packet &p)
{
    return QStringLiteral("%1/%2/%3/%4/%5/%6/%7/%8/%9")
        .arg(int(p.type))
        .arg(p.flags)
        .arg(p.packetId)
        .arg(QString::fromLatin1(p.topic.toHex()), QString::fromLatin1(p.payload.toHex()))
        .arg(p.qos)
        .arg(int(p.retain) | (int(p.dup) << 1) | (int(p.sessionPresent) << 2))
        .arg(p.returnCode)
        .arg(QString::fromLatin1(p.returnCodes.toHex()));
}

// Reads `input` in chunks of chunkOf(i) bytes; returns every result as text, or a property broken.
template <typename ChunkOf>
inline QStringList readMqtt(QByteArrayView input, ChunkOf chunkOf, QString *broken)
{
    QStringList out;
    Mqtt::MqttReader reader(kMqttFuzzMaxPacket);
    qsizetype at = 0;
    for (int i = 0; at < input.size(); ++i) {
        const qsizetype n = qMin<qsizetype>(chunkOf(i), input.size() - at);
        reader.append(input.sliced(at, n));
        at += n;
        for (;;) {
            Mqtt::Packet p;
            QString error;
            const auto r = reader.next(p, &error);
            if (r == Mqtt::MqttReader::Result::NeedMore)
                break;
            if (reader.buffered() > kMqttFuzzMaxPacket) {
                *broken = QStringLiteral("the reader holds %1 bytes, over its limit").arg(reader.buffered());
                return out;
            }
            if (r == Mqtt::MqttReader::Result::Packet) {
                out << describeMqtt(p);
                if (p.type == Mqtt::PacketType::Publish) {
                    Mqtt::MqttReader again;
                    again.append(Mqtt::encodePublish(p.topic, p.payload, p.qos, p.retain, p.dup, p.packetId));
                    Mqtt::Packet q;
                    QString e;
                    if (again.next(q, &e) != Mqtt::MqttReader::Result::Packet ||
                        describeMqtt(q) != describeMqtt(p)) {
                        *broken = QStringLiteral("a PUBLISH does not survive re-encoding: %1").arg(e);
                        return out;
                    }
                }
                continue;
            }
            if (error.isEmpty()) {
                *broken = QStringLiteral("a refusal without words");
                return out;
            }
            out << QStringLiteral("error: ") + error;
            if (r == Mqtt::MqttReader::Result::Fatal) {
                if (reader.buffered() != 0) {
                    *broken = QStringLiteral("bytes kept after a fatal error");
                    return out;
                }
                // Nothing more is read, however many bytes follow.
                reader.append(input.sliced(at));
                if (reader.buffered() != 0 || reader.next(p, &error) != Mqtt::MqttReader::Result::Fatal)
                    *broken = QStringLiteral("the reader went on after a fatal error");
                return out;
            }
        }
    }
    return out;
}

// Empty when the properties hold for `input`, else what broke.
inline QString checkMqtt(QByteArrayView input)
{
    QString broken;
    const QStringList whole = readMqtt(
        input, [&](int) { return input.size(); }, &broken);
    if (!broken.isEmpty())
        return broken;
    const int step = input.isEmpty() ? 1 : 1 + quint8(input[0]) % 7;
    const QStringList chunked = readMqtt(
        input, [&](int i) { return qsizetype(1 + (i * step) % 13); }, &broken);
    if (!broken.isEmpty())
        return broken;
    if (whole != chunked)
        return QStringLiteral("the packets depend on how the bytes are cut (%1 vs %2 results)")
            .arg(whole.size())
            .arg(chunked.size());
    return QString();
}

} // namespace Pulseboard::Fuzz
