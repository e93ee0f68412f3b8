// Internal: the field rules of every frame type, written once as templates over the object
// they read, so the QJsonDocument reference decoder and the simdjson fast path (EnvelopeDecoder)
// accept exactly the same frames and word their refusals exactly the same way.
// `Object` is a QJsonObject or a JsonView of an object; `Object::value(key)` yields a value with
// QJsonValue's interface (isUndefined, isString, isDouble, isBool, toString, toDouble, toBool).
#pragma once

#include "Envelope.h"
#include "JsonView.h"

#include <QJsonObject>

#include <climits>
#include <cmath>

namespace Pulseboard::detail {

inline QJsonValue toJsonValue(const QJsonValue &v)
{
    return v;
}

inline QJsonValue toJsonValue(const JsonView &v)
{
    return v.toJsonValue();
}

// Reads the fields of one object, remembering the first problem in a form a person can act on.
template <typename Object> class FieldReader
{
public:
    using Value = decltype(std::declval<const Object &>().value(QLatin1StringView()));

    FieldReader(const Object &obj, QLatin1StringView type) : m_obj(obj), m_type(type) {}

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    // The value when it is a string; undefined (and an error when required or mistyped) otherwise.
    Value stringValue(QLatin1StringView key, bool required)
    {
        const Value v = m_obj.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(key, "is missing");
            return Value();
        }
        if (!v.isString()) {
            fail(key, "must be a string");
            return Value();
        }
        return v;
    }

    QString string(QLatin1StringView key, bool required) { return stringValue(key, required).toString(); }

    // The value when it is a string, else empty and never an error: for optional fields a reader
    // must not refuse a frame over (another server may send null or something else there).
    QString lenientString(QLatin1StringView key)
    {
        const Value v = m_obj.value(key);
        return v.isString() ? v.toString() : QString();
    }

    // -1 when absent and not required.
    qint64 integer(QLatin1StringView key, bool required, qint64 min = 0)
    {
        const Value v = m_obj.value(key);
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

    // A whole number >= 0, else -1 and never an error (optional fields of a server's answer).
    qint64 lenientInteger(QLatin1StringView key)
    {
        const Value v = m_obj.value(key);
        if (!v.isDouble())
            return -1;
        const double d = v.toDouble();
        if (!std::isfinite(d) || d != std::floor(d) || d < 0 || d > double(kMaxSafeInteger))
            return -1;
        return qint64(d);
    }

    bool boolean(QLatin1StringView key, bool *present)
    {
        const Value v = m_obj.value(key);
        *present = !v.isUndefined();
        if (!*present)
            return false;
        if (!v.isBool()) {
            fail(key, "must be true or false");
            return false;
        }
        return v.toBool();
    }

    // Any JSON value; undefined when absent (an error when required).
    Value anyValue(QLatin1StringView key, bool required)
    {
        const Value v = m_obj.value(key);
        if (v.isUndefined() && required)
            fail(key, "is missing");
        return v;
    }

    QJsonValue any(QLatin1StringView key, bool required)
    {
        const Value v = anyValue(key, required);
        return v.isUndefined() ? QJsonValue(QJsonValue::Null) : toJsonValue(v);
    }

private:
    void fail(QLatin1StringView key, const char *what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("'%1': field '%2' %3").arg(m_type, key, QLatin1StringView(what));
    }

    const Object &m_obj;
    QLatin1StringView m_type;
    QString m_error;
};

// The fields of a `message` frame, read by the one rule both the Envelope and the lean
// MessageView paths use. `data` stays undefined when absent (the Envelope path makes it null).
template <typename Object> struct MessageFields
{
    using Value = typename FieldReader<Object>::Value;
    Value channel;
    qint64 seq = -1;
    qint64 ts = -1;
    Value data;
};

template <typename Object> MessageFields<Object> readMessage(FieldReader<Object> &r)
{
    using L = QLatin1StringView;
    MessageFields<Object> m;
    m.channel = r.stringValue(L("channel"), true);
    m.seq = r.integer(L("seq"), true, 1);
    m.ts = r.integer(L("ts"), false, -kMaxSafeInteger);
    m.data = r.anyValue(L("data"), false);
    return m;
}

// Decodes an object whose `type` was already found to be a string. Returns false with `error`.
template <typename Object>
bool decodeObject(const Object &obj, const QString &typeString, Envelope &out, QString *error)
{
    out = Envelope{};
    out.typeName = typeString;
    out.type = messageTypeFromName(out.typeName);
    const QLatin1StringView typeName = messageTypeName(out.type);
    FieldReader<Object> r(obj, typeName);
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
        out.epoch = r.string(L("epoch"), false);
        out.history = r.integer(L("history"), false);
        break;
    case MessageType::Subscribed:
        out.id = r.string(L("id"), false);
        out.channel = r.string(L("channel"), true);
        out.seq = r.integer(L("seq"), true);
        out.recovered = r.boolean(L("recovered"), &out.hasRecovered);
        out.firstSeq = r.integer(L("first"), false);
        // Lenient: a server's odd `epoch` (null, a number) is read as none, not as a broken frame.
        out.epoch = r.lenientString(L("epoch"));
        // Lenient too: a server's odd `history` is read as no backfill announced.
        out.history = r.lenientInteger(L("history"));
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
    case MessageType::Message: {
        const MessageFields<Object> m = readMessage(r);
        out.channel = m.channel.toString();
        out.seq = m.seq;
        out.ts = m.ts;
        out.data = m.data.isUndefined() ? QJsonValue(QJsonValue::Null) : toJsonValue(m.data);
        break;
    }
    case MessageType::Request:
        out.id = r.string(L("id"), true);
        out.text = r.string(L("method"), true);
        out.data = r.any(L("params"), false);
        break;
    case MessageType::Response:
        out.id = r.string(L("id"), true);
        out.data = r.any(L("result"), false);
        out.next = r.lenientString(L("next"));
        break;
    case MessageType::Error: {
        out.id = r.string(L("id"), false);
        const qint64 code = r.integer(L("code"), true, -kMaxSafeInteger);
        out.code = int(qBound<qint64>(qint64(INT_MIN), code, qint64(INT_MAX)));
        out.text = r.string(L("message"), false);
        break;
    }
    }
    if (!r.ok()) {
        *error = r.error();
        return false;
    }
    if ((out.type == MessageType::Subscribe || out.type == MessageType::Unsubscribe ||
         out.type == MessageType::Publish) &&
        !isValidChannelName(out.channel)) {
        *error = QStringLiteral("'%1': invalid channel name").arg(typeName);
        return false;
    }
    return true;
}

// The checks before the type switch, in the reference decoder's order and words.
template <typename Object> bool decodeTypedObject(const Object &obj, Envelope &out, QString *error)
{
    const auto typeValue = obj.value(QLatin1StringView("type"));
    if (!typeValue.isString()) {
        *error = typeValue.isUndefined() ? QStringLiteral("field 'type' is missing")
                                         : QStringLiteral("field 'type' must be a string");
        return false;
    }
    return decodeObject(obj, typeValue.toString(), out, error);
}

} // namespace Pulseboard::detail
