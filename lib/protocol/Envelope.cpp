#include "Envelope.h"
#include "CloseCode.h"
#include "EnvelopeDecoder.h"
#include "EnvelopeFields_p.h"
#include "JsonView_p.h"
#include "MessageFrame.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <array>

namespace Pulseboard {

namespace {

struct TypeEntry
{
    MessageType type;
    QLatin1StringView name;
};

constexpr std::array<TypeEntry, 14> kTypes{{
    {MessageType::Welcome, QLatin1StringView("welcome")},
    {MessageType::Auth, QLatin1StringView("auth")},
    {MessageType::Ping, QLatin1StringView("ping")},
    {MessageType::Pong, QLatin1StringView("pong")},
    {MessageType::Subscribe, QLatin1StringView("subscribe")},
    {MessageType::Subscribed, QLatin1StringView("subscribed")},
    {MessageType::Unsubscribe, QLatin1StringView("unsubscribe")},
    {MessageType::Unsubscribed, QLatin1StringView("unsubscribed")},
    {MessageType::Publish, QLatin1StringView("publish")},
    {MessageType::Ack, QLatin1StringView("ack")},
    {MessageType::Message, QLatin1StringView("message")},
    {MessageType::Request, QLatin1StringView("request")},
    {MessageType::Response, QLatin1StringView("response")},
    {MessageType::Error, QLatin1StringView("error")},
}};

bool setError(DecodeError *error, QString message)
{
    if (error) {
        error->code = CloseCode::Malformed;
        error->message = std::move(message);
    }
    return false;
}

} // namespace

QLatin1StringView messageTypeName(MessageType type)
{
    for (const auto &entry : kTypes) {
        if (entry.type == type)
            return entry.name;
    }
    return QLatin1StringView("unknown");
}

MessageType messageTypeFromName(QStringView name)
{
    for (const auto &entry : kTypes) {
        if (name == entry.name)
            return entry.type;
    }
    return MessageType::Unknown;
}

Envelope pongFor(const Envelope &ping)
{
    Envelope pong;
    pong.type = MessageType::Pong;
    pong.id = ping.id;
    pong.ts = ping.ts;
    return pong;
}

namespace {

// Shown as nothing (or as a blank) though they are not spaces: Unicode's default-ignorable code
// points outside category Cf, and the Hangul fillers. A name holding one looks like another name.
bool isInvisible(char32_t u)
{
    return u == 0x034F || u == 0x115F || u == 0x1160 || u == 0x17B4 || u == 0x17B5 ||
           (u >= 0x180B && u <= 0x180F) || u == 0x3164 || (u >= 0xFE00 && u <= 0xFE0F) || u == 0xFFA0 ||
           (u >= 0xE0100 && u <= 0xE01EF);
}

} // namespace

bool isValidChannelName(QStringView name)
{
    if (name.isEmpty() || name.size() > 200)
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        char32_t u = c.unicode();
        if (c.isHighSurrogate() && i + 1 < name.size() && name.at(i + 1).isLowSurrogate()) {
            u = QChar::surrogateToUcs4(c, name.at(i + 1));
            ++i;
        } else if (c.isSurrogate()) {
            return false; // half a pair: no character at all
        }
        // Spaces and separators, control characters, format characters (bidi controls, zero-width
        // joiners and spaces, the BOM, tags), noncharacters and the other invisible ones.
        const QChar::Category category = QChar::category(u);
        if (QChar::isSpace(u) || category == QChar::Other_Control || category == QChar::Other_Format ||
            QChar::isNonCharacter(u) || isInvisible(u))
            return false;
    }
    return true;
}

bool decodeEnvelope(QByteArrayView utf8, Envelope &out, DecodeError *error)
{
    // One decoder per thread: its parser and frame buffer are reused from call to call.
    thread_local EnvelopeDecoder decoder;
    decoder.setFrame(utf8);
    return decoder.decodeEnvelope(out, error);
}

namespace detail {

bool decodeEnvelopeReference(QByteArrayView utf8, Envelope &out, DecodeError *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(utf8.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return setError(error, QStringLiteral("malformed JSON at offset %1: %2")
                                   .arg(parseError.offset)
                                   .arg(parseError.errorString()));
    if (!doc.isObject())
        return setError(error, QStringLiteral("frame is not a JSON object"));
    QString message;
    if (!decodeTypedObject(doc.object(), out, &message))
        return setError(error, std::move(message));
    return true;
}

} // namespace detail

namespace {

// QJsonDocument's Compact form of a publish or message (members in key order: channel, client,
// data, id, seq, ts, type), its data spliced in as the bytes given.
QByteArray encodeWithDataJson(const Envelope &env, QByteArrayView dataJson)
{
    QByteArray out;
    out.reserve(dataJson.size() + env.channel.size() + 96);
    auto key = [&out](QByteArrayView name) {
        out.append(out.isEmpty() ? "{\"" : ",\"").append(name).append("\":");
    };
    const bool publish = env.type == MessageType::Publish;
    key("channel");
    detail::appendJsonString(out, env.channel.toUtf8());
    if (publish && !env.client.isEmpty()) {
        key("client");
        detail::appendJsonString(out, env.client.toUtf8());
    }
    key("data");
    out.append(dataJson);
    if (publish) {
        key("id");
        detail::appendJsonString(out, env.id.toUtf8());
    } else {
        key("seq");
        out.append(QByteArray::number(env.seq));
        key("ts");
        out.append(QByteArray::number(env.ts));
    }
    key("type");
    const QLatin1StringView type = messageTypeName(env.type);
    detail::appendJsonString(out, QByteArrayView(type.data(), type.size()));
    out.append('}');
    return out;
}

} // namespace

QByteArray encodeMessageFrame(const QString &channel, qint64 seq, qint64 ts, QByteArrayView dataJson)
{
    Envelope env;
    env.type = MessageType::Message;
    env.channel = channel;
    env.seq = seq;
    env.ts = ts;
    return encodeWithDataJson(env, dataJson);
}

QByteArray encodeEnvelope(const Envelope &env)
{
    using L = QLatin1StringView;
    QJsonObject o;
    o.insert(L("type"), env.type == MessageType::Unknown ? QJsonValue(env.typeName)
                                                         : QJsonValue(QString(messageTypeName(env.type))));
    // Where the decoder requires an id it is written even when empty, so an echoed "" stays readable.
    auto putId = [&](bool required) {
        if (required || !env.id.isEmpty())
            o.insert(L("id"), env.id);
    };
    switch (env.type) {
    case MessageType::Unknown:
        putId(false);
        break;
    case MessageType::Welcome:
        o.insert(L("server"), env.server);
        o.insert(L("session"), env.session);
        // -1 means "not announced": the decoder accepts only 0 and up, so leave the field out.
        if (env.heartbeatMs >= 0)
            o.insert(L("heartbeatMs"), double(env.heartbeatMs));
        o.insert(L("authRequired"), env.authRequired);
        break;
    case MessageType::Auth:
        putId(true);
        o.insert(L("token"), env.text);
        break;
    case MessageType::Ping:
    case MessageType::Pong:
        putId(true);
        o.insert(L("ts"), double(env.ts));
        break;
    case MessageType::Subscribe:
        putId(true);
        o.insert(L("channel"), env.channel);
        if (env.since >= 0)
            o.insert(L("since"), double(env.since));
        // The epoch only qualifies a `since`: without one it means nothing.
        if (env.since >= 0 && !env.epoch.isEmpty())
            o.insert(L("epoch"), env.epoch);
        // `history` only asks for a backfill without `since` (with one, since's rules apply).
        if (env.since < 0 && env.history >= 0)
            o.insert(L("history"), double(env.history));
        break;
    case MessageType::Subscribed:
        putId(false);
        o.insert(L("channel"), env.channel);
        o.insert(L("seq"), double(env.seq));
        if (env.hasRecovered)
            o.insert(L("recovered"), env.recovered);
        if (env.firstSeq >= 0)
            o.insert(L("first"), double(env.firstSeq));
        if (env.history >= 0)
            o.insert(L("history"), double(env.history));
        if (!env.epoch.isEmpty())
            o.insert(L("epoch"), env.epoch);
        break;
    case MessageType::Unsubscribe:
    case MessageType::Unsubscribed:
        putId(env.type == MessageType::Unsubscribe);
        o.insert(L("channel"), env.channel);
        break;
    case MessageType::Publish:
        putId(true);
        o.insert(L("channel"), env.channel);
        o.insert(L("data"), env.data);
        if (!env.client.isEmpty())
            o.insert(L("client"), env.client);
        break;
    case MessageType::Ack:
        putId(true);
        if (env.seq >= 0)
            o.insert(L("seq"), double(env.seq));
        break;
    case MessageType::Message:
        o.insert(L("channel"), env.channel);
        o.insert(L("seq"), double(env.seq));
        o.insert(L("ts"), double(env.ts));
        o.insert(L("data"), env.data);
        break;
    case MessageType::Request:
        putId(true);
        o.insert(L("method"), env.text);
        if (!env.data.isUndefined() && !env.data.isNull())
            o.insert(L("params"), env.data);
        break;
    case MessageType::Response:
        putId(true);
        o.insert(L("result"), env.data);
        if (!env.next.isEmpty())
            o.insert(L("next"), env.next);
        break;
    case MessageType::Error:
        putId(false);
        o.insert(L("code"), env.code);
        o.insert(L("message"), env.text);
        break;
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace Pulseboard
