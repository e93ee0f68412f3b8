#include "Envelope.h"
#include "CloseCode.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <array>
#include <cmath>

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

// Reads the fields of one object, remembering the first problem in a form a person can act on.
class FieldReader
{
public:
    FieldReader(const QJsonObject &obj, QLatin1StringView type) : m_obj(obj), m_type(type) {}

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    QString string(QLatin1StringView key, bool required)
    {
        const QJsonValue v = m_obj.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(key, "is missing");
            return {};
        }
        if (!v.isString()) {
            fail(key, "must be a string");
            return {};
        }
        return v.toString();
    }

    // -1 when absent and not required.
    qint64 integer(QLatin1StringView key, bool required, qint64 min = 0)
    {
        const QJsonValue v = m_obj.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(key, "is missing");
            return -1;
        }
        if (!v.isDouble()) {
            fail(key, "must be a number");
            return -1;
        }
        const double d = v.toDouble();
        if (!std::isfinite(d) || d != std::floor(d) || d < double(min) || d > double(kMaxSafeInteger)) {
            fail(key, "must be a whole number in range");
            return -1;
        }
        return qint64(d);
    }

    bool boolean(QLatin1StringView key, bool *present)
    {
        const QJsonValue v = m_obj.value(key);
        *present = !v.isUndefined();
        if (!*present)
            return false;
        if (!v.isBool()) {
            fail(key, "must be true or false");
            return false;
        }
        return v.toBool();
    }

    QJsonValue any(QLatin1StringView key, bool required)
    {
        const QJsonValue v = m_obj.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(key, "is missing");
            return QJsonValue(QJsonValue::Null);
        }
        return v;
    }

private:
    void fail(QLatin1StringView key, const char *what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("'%1': field '%2' %3").arg(m_type, key, QLatin1StringView(what));
    }

    const QJsonObject &m_obj;
    QLatin1StringView m_type;
    QString m_error;
};

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

bool isValidChannelName(QStringView name)
{
    if (name.isEmpty() || name.size() > 200)
        return false;
    for (QChar c : name) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return false;
    }
    return true;
}

bool decodeEnvelope(QByteArrayView utf8, Envelope &out, DecodeError *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(utf8.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return setError(error, QStringLiteral("malformed JSON at offset %1: %2")
                                   .arg(parseError.offset)
                                   .arg(parseError.errorString()));
    if (!doc.isObject())
        return setError(error, QStringLiteral("frame is not a JSON object"));
    const QJsonObject obj = doc.object();
    const QJsonValue typeValue = obj.value(QLatin1StringView("type"));
    if (!typeValue.isString())
        return setError(error, typeValue.isUndefined() ? QStringLiteral("field 'type' is missing")
                                                       : QStringLiteral("field 'type' must be a string"));

    out = Envelope{};
    out.typeName = typeValue.toString();
    out.type = messageTypeFromName(out.typeName);
    const QLatin1StringView typeName = messageTypeName(out.type);
    FieldReader r(obj, typeName);
    using L = QLatin1StringView;

    switch (out.type) {
    case MessageType::Unknown:
        // Forward compatibility: the caller ignores it, but may log the name.
        out.id = obj.value(L("id")).toString();
        return true;
    case MessageType::Welcome: {
        out.server = r.string(L("server"), false);
        out.session = r.string(L("session"), false);
        out.heartbeatMs = r.integer(L("heartbeatMs"), false);
        bool present = false;
        out.authRequired = r.boolean(L("authRequired"), &present);
        break;
    }
    case MessageType::Auth:
        out.id = r.string(L("id"), true);
        out.text = r.string(L("token"), true);
        break;
    case MessageType::Ping:
    case MessageType::Pong:
        out.id = r.string(L("id"), true);
        out.ts = r.integer(L("ts"), true, -kMaxSafeInteger);
        break;
    case MessageType::Subscribe:
        out.id = r.string(L("id"), true);
        out.channel = r.string(L("channel"), true);
        out.since = r.integer(L("since"), false);
        break;
    case MessageType::Subscribed:
        out.id = r.string(L("id"), false);
        out.channel = r.string(L("channel"), true);
        out.seq = r.integer(L("seq"), true);
        out.recovered = r.boolean(L("recovered"), &out.hasRecovered);
        break;
    case MessageType::Unsubscribe:
        out.id = r.string(L("id"), true);
        out.channel = r.string(L("channel"), true);
        break;
    case MessageType::Unsubscribed:
        out.id = r.string(L("id"), false);
        out.channel = r.string(L("channel"), true);
        break;
    case MessageType::Publish:
        out.id = r.string(L("id"), true);
        out.channel = r.string(L("channel"), true);
        out.data = r.any(L("data"), true);
        out.client = r.string(L("client"), false);
        break;
    case MessageType::Ack:
        out.id = r.string(L("id"), true);
        out.seq = r.integer(L("seq"), false);
        break;
    case MessageType::Message:
        out.channel = r.string(L("channel"), true);
        out.seq = r.integer(L("seq"), true, 1);
        out.ts = r.integer(L("ts"), false, -kMaxSafeInteger);
        out.data = r.any(L("data"), false);
        break;
    case MessageType::Request:
        out.id = r.string(L("id"), true);
        out.text = r.string(L("method"), true);
        out.data = r.any(L("params"), false);
        break;
    case MessageType::Response:
        out.id = r.string(L("id"), true);
        out.data = r.any(L("result"), false);
        break;
    case MessageType::Error: {
        out.id = r.string(L("id"), false);
        const qint64 code = r.integer(L("code"), true, -kMaxSafeInteger);
        out.code = int(qBound<qint64>(qint64(INT_MIN), code, qint64(INT_MAX)));
        out.text = r.string(L("message"), false);
        break;
    }
    }
    if (!r.ok())
        return setError(error, r.error());
    if ((out.type == MessageType::Subscribe || out.type == MessageType::Unsubscribe
         || out.type == MessageType::Publish)
        && !isValidChannelName(out.channel))
        return setError(error, QStringLiteral("'%1': invalid channel name").arg(typeName));
    return true;
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
        break;
    case MessageType::Subscribed:
        putId(false);
        o.insert(L("channel"), env.channel);
        o.insert(L("seq"), double(env.seq));
        if (env.hasRecovered)
            o.insert(L("recovered"), env.recovered);
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
