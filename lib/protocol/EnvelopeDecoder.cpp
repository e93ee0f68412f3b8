#include "EnvelopeDecoder.h"
#include "CloseCode.h"
#include "EnvelopeFields_p.h"
#include "JsonView_p.h"

#include <cstring>

namespace Pulseboard {

struct EnvelopeDecoder::Parser
{
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::ondemand::parser onDemand; // finds where a value lies in the frame's text
};

EnvelopeDecoder::EnvelopeDecoder() : m_parser(std::make_unique<Parser>()) {}

EnvelopeDecoder::~EnvelopeDecoder() = default;

QByteArrayView EnvelopeDecoder::setFrame(QByteArrayView utf8)
{
    const size_t needed = size_t(utf8.size()) + simdjson::SIMDJSON_PADDING;
    if (m_buffer.size() < needed)
        m_buffer.resize(needed);
    if (!utf8.isEmpty())
        std::memcpy(m_buffer.data(), utf8.data(), size_t(utf8.size()));
    m_size = utf8.size();
    return QByteArrayView(m_buffer.data(), m_size);
}

QByteArrayView EnvelopeDecoder::setFrame(QStringView text)
{
    const size_t needed = size_t(m_toUtf8.requiredSpace(text.size())) + simdjson::SIMDJSON_PADDING;
    if (m_buffer.size() < needed)
        m_buffer.resize(needed);
    char *end = m_toUtf8.appendToBuffer(m_buffer.data(), text);
    m_size = end - m_buffer.data();
    return QByteArrayView(m_buffer.data(), m_size);
}

bool EnvelopeDecoder::parse()
{
    // The buffer is padded, so simdjson may read past the frame without a copy of its own.
    return m_parser->parser.parse(m_buffer.data(), size_t(m_size), false).get(m_parser->root) ==
               simdjson::SUCCESS &&
           m_parser->root.is_object();
}

JsonView EnvelopeDecoder::root() const
{
    return detail::ParsedAccess::make(m_parser->root);
}

bool EnvelopeDecoder::peekType(Envelope &out, DecodeError *error)
{
    const QByteArrayView frame(m_buffer.data(), m_size);
    if (m_size == 0 || !parse()) {
        if (!detail::decodeEnvelopeReference(frame, out, error))
            return false;
        const Envelope full = std::move(out);
        out = Envelope{};
        out.type = full.type;
        out.typeName = full.typeName;
        out.id = full.id;
        return true;
    }
    const JsonView object = root();
    const JsonView type = object.value(QLatin1StringView("type"));
    if (!type.isString()) {
        if (error) {
            error->code = CloseCode::Malformed;
            error->message = type.isUndefined() ? QStringLiteral("field 'type' is missing")
                                                : QStringLiteral("field 'type' must be a string");
        }
        return false;
    }
    out = Envelope{};
    out.typeName = type.toString();
    out.type = messageTypeFromName(out.typeName);
    const JsonView id = object.value(QLatin1StringView("id"));
    if (id.isString())
        out.id = id.toString();
    return true;
}

bool EnvelopeDecoder::decodeEnvelope(Envelope &out, DecodeError *error)
{
    const QByteArrayView frame(m_buffer.data(), m_size);
    if (m_size == 0 || !parse())
        return detail::decodeEnvelopeReference(frame, out, error);
    QString message;
    if (detail::decodeTypedObject(root(), out, &message))
        return true;
    if (error) {
        error->code = CloseCode::Malformed;
        error->message = std::move(message);
    }
    return false;
}

QByteArray EnvelopeDecoder::rawMember(QLatin1StringView key)
{
    namespace od = simdjson::ondemand;
    od::document doc;
    od::object object;
    if (m_parser->onDemand.iterate(m_buffer.data(), size_t(m_size), m_buffer.size()).get(doc) ||
        doc.get_object().get(object))
        return {};
    std::string_view raw;
    bool found = false;
    for (auto member : object) {
        od::field field;
        std::string_view name;
        if (std::move(member).get(field) || field.unescaped_key().get(name))
            return {};
        od::value &value = field.value();
        if (name != std::string_view(key.data(), size_t(key.size())))
            continue; // skipped by the iteration
        od::json_type type;
        if (value.type().get(type))
            return {};
        simdjson::error_code failed = simdjson::SUCCESS;
        if (type == od::json_type::object) {
            od::object inner;
            failed = value.get_object().get(inner);
            if (!failed)
                failed = inner.raw_json().get(raw);
        } else if (type == od::json_type::array) {
            od::array inner;
            failed = value.get_array().get(inner);
            if (!failed)
                failed = inner.raw_json().get(raw);
        } else {
            raw = value.raw_json_token();
        }
        if (failed)
            return {};
        found = true;
    }
    if (!found)
        return {};
    QByteArray out(qsizetype(raw.size() + simdjson::SIMDJSON_PADDING), Qt::Uninitialized);
    size_t length = 0;
    if (simdjson::minify(raw.data(), raw.size(), out.data(), length))
        return {};
    out.truncate(qsizetype(length));
    return out;
}

bool EnvelopeDecoder::decodeEnvelopeWithDataJson(Envelope &out, QByteArray &dataJson, DecodeError *error)
{
    dataJson.clear();
    const QByteArrayView frame(m_buffer.data(), m_size);
    if (m_size == 0 || !parse()) {
        // The rare frame only the reference decoder reads (a byte order mark): its data written out.
        if (!detail::decodeEnvelopeReference(frame, out, error))
            return false;
        if (out.type == MessageType::Publish) {
            dataJson = JsonView(out.data).toJson();
            out.data = QJsonValue(QJsonValue::Undefined);
        }
        return true;
    }
    const JsonView object = root();
    const JsonView type = object.value(QLatin1StringView("type"));
    if (detail::ParsedAccess::utf8(type) != QByteArrayView("publish")) {
        QString message;
        if (detail::decodeTypedObject(object, out, &message))
            return true;
        if (error) {
            error->code = CloseCode::Malformed;
            error->message = std::move(message);
        }
        return false;
    }
    // decodeObject's publish rule, with the data left as text.
    using L = QLatin1StringView;
    out = Envelope{};
    out.type = MessageType::Publish;
    out.typeName = QStringLiteral("publish");
    out.data = QJsonValue(QJsonValue::Undefined);
    const QLatin1StringView typeName = messageTypeName(MessageType::Publish);
    detail::FieldReader<JsonView> r(object, typeName);
    out.id = r.string(L("id"), true);
    out.channel = r.string(L("channel"), true);
    r.anyValue(L("data"), true);
    out.client = r.string(L("client"), false);
    QString problem = r.error();
    if (problem.isEmpty() && !isValidChannelName(out.channel))
        problem = QStringLiteral("'%1': invalid channel name").arg(typeName);
    if (problem.isEmpty()) {
        dataJson = rawMember(L("data"));
        if (dataJson.isEmpty()) // not expected of a frame simdjson validated
            dataJson = object.value(L("data")).toJson();
        return true;
    }
    out = Envelope{};
    if (error) {
        error->code = CloseCode::Malformed;
        error->message = std::move(problem);
    }
    return false;
}

namespace {

// The common `message` frame in one walk over its members: `type` "message", a string
// `channel`, integers `seq` (1..2^53-1) and `ts` (when present), any `data`; the last of a
// repeated key counts, other members are ignored, as readMessage() reads them. Anything else
// (a whole number written as 5.0, a field of the wrong type, another type) returns false and
// takes readMessage()'s path, which accepts or words the refusal as before.
bool readCommonMessage(const simdjson::dom::element &root, MessageView &message)
{
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS)
        return false;
    bool isMessage = false;
    std::string_view channel;
    bool hasChannel = false;
    simdjson::dom::element seq;
    simdjson::dom::element ts;
    simdjson::dom::element data;
    bool hasSeq = false;
    bool hasTs = false;
    bool hasData = false;
    for (const auto field : object) {
        const std::string_view key = field.key;
        if (key == "type") {
            std::string_view type;
            isMessage = field.value.get_string().get(type) == simdjson::SUCCESS && type == "message";
        } else if (key == "channel") {
            hasChannel = field.value.get_string().get(channel) == simdjson::SUCCESS;
        } else if (key == "seq") {
            seq = field.value;
            hasSeq = true;
        } else if (key == "ts") {
            ts = field.value;
            hasTs = true;
        } else if (key == "data") {
            data = field.value;
            hasData = true;
        }
    }
    if (!isMessage || !hasChannel || !hasSeq)
        return false;
    int64_t seqValue = 0;
    if (seq.get_int64().get(seqValue) != simdjson::SUCCESS || seqValue < 1 || seqValue > kMaxSafeInteger)
        return false;
    int64_t tsValue = -1;
    if (hasTs && (ts.get_int64().get(tsValue) != simdjson::SUCCESS || tsValue < -kMaxSafeInteger ||
                  tsValue > kMaxSafeInteger))
        return false;
    message.channel = QByteArrayView(channel.data(), qsizetype(channel.size()));
    message.seq = seqValue;
    message.ts = tsValue;
    message.data = hasData ? detail::ParsedAccess::make(data) : JsonView(QJsonValue(QJsonValue::Null));
    return true;
}

} // namespace

EnvelopeDecoder::Result EnvelopeDecoder::decode(Envelope &out, MessageView &message, DecodeError *error)
{
    const QByteArrayView frame(m_buffer.data(), m_size);
    if (m_size == 0 || !parse())
        return detail::decodeEnvelopeReference(frame, out, error) ? Result::Envelope : Result::Malformed;
    if (readCommonMessage(m_parser->root, message))
        return Result::Message;
    const JsonView object = root();
    const JsonView type = object.value(QLatin1StringView("type"));
    if (detail::ParsedAccess::utf8(type) == QByteArrayView("message")) {
        detail::FieldReader<JsonView> r(object, messageTypeName(MessageType::Message));
        const detail::MessageFields<JsonView> m = detail::readMessage(r);
        if (r.ok()) {
            message.channel = detail::ParsedAccess::utf8(m.channel);
            message.seq = m.seq;
            message.ts = m.ts;
            message.data = m.data.isUndefined() ? JsonView(QJsonValue(QJsonValue::Null)) : m.data;
            return Result::Message;
        }
        if (error) {
            error->code = CloseCode::Malformed;
            error->message = r.error();
        }
        return Result::Malformed;
    }
    QString problem;
    if (detail::decodeTypedObject(object, out, &problem))
        return Result::Envelope;
    if (error) {
        error->code = CloseCode::Malformed;
        error->message = std::move(problem);
    }
    return Result::Malformed;
}

} // namespace Pulseboard
