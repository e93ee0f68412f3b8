// The wire envelope of PROTOCOL.md: one JSON object per text frame with a string `type`.
// Decoding validates the fields each type needs and their JSON types, so neither the client
// nor the hub ever acts on a half-formed frame; unknown types and unknown fields pass through
// (forward compatibility). Pure functions, no sockets: the client and the hub share them.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

namespace Pulseboard {

enum class MessageType : quint8 {
    Unknown,
    Welcome,
    Auth,
    Ping,
    Pong,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    Publish,
    Ack,
    Message,
    Request,
    Response,
    Error,
};

QLatin1StringView messageTypeName(MessageType type);
MessageType messageTypeFromName(QStringView name);

struct Envelope
{
    MessageType type = MessageType::Unknown;
    QString typeName;  // as sent, so an unknown type can still be named in a log
    QString id;        // request id (empty when absent)
    QString channel;   // subscribe, subscribed, unsubscribe(d), publish, message
    qint64 seq = -1;   // message, subscribed, ack of a publish (-1 when absent)
    qint64 ts = -1;    // ping, pong, message (-1 when absent)
    qint64 since = -1; // subscribe (-1 when absent)
    // Backfill, optional (-1 when absent). subscribe: replay up to the newest `history` retained
    // messages (first subscribe, without `since`); subscribed: how many the replay holds.
    qint64 history = -1;
    bool hasRecovered = false;
    bool recovered = false; // subscribed
    qint64 firstSeq = -1;   // subscribed, recovered false: `first`, oldest seq retained (-1: absent)
    int code = 0;           // error
    QString text;           // error: message; request: method; auth: token
    QJsonValue data;        // message/publish: data; request: params; response: result
    QString client;         // publish, optional: a stable sender key, for dedupe on hubs without auth
    // welcome
    QString server;
    QString session;
    qint64 heartbeatMs = -1;
    bool authRequired = false;
    // response, optional: the cursor of a paged result (e.g. `channels.list`); more remains and is
    // asked for with it. Empty when absent (a non-string `next` is read as absent).
    QString next;
    // Stream identity, optional (empty when absent). subscribed: the channel's epoch, which changes
    // whenever its sequence starts again; subscribe: the epoch the client's `since` belongs to.
    QString epoch;
};

struct DecodeError
{
    int code = 0;    // 4400 for anything malformed
    QString message; // says what is wrong, never echoes secrets
};

// Decodes one frame. Returns false and fills `error` when the frame is not a JSON object,
// has no string `type`, or a known type lacks a field or carries one of the wrong JSON type.
bool decodeEnvelope(QByteArrayView utf8, Envelope &out, DecodeError *error = nullptr);

// Encodes the fields that belong to `env.type` as one compact JSON object.
QByteArray encodeEnvelope(const Envelope &env);

// The `pong` that answers `ping`: same id, same ts (both sides answer pings).
Envelope pongFor(const Envelope &ping);

// A channel name the hub accepts: 1-200 UTF-16 code units, no spaces or separators, no control
// or format characters (Unicode Cc, Cf: bidi controls, zero-width characters), no other
// invisible ones (default-ignorable code points, Hangul fillers), no noncharacters and no half
// surrogate pairs. The one rule: the client checks it before sending, the hub's decoder on
// arrival (error 4400 "invalid channel name").
bool isValidChannelName(QStringView name);

// Largest integer a JSON double carries exactly.
constexpr qint64 kMaxSafeInteger = (qint64(1) << 53) - 1;

} // namespace Pulseboard
