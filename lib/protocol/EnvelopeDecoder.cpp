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

EnvelopeDecoder::Result EnvelopeDecoder::decode(Envelope &out, MessageView &message, DecodeError *error)
{
    const QByteArrayView frame(m_buffer.data(), m_size);
    if (m_size == 0 || !parse())
        return detail::decodeEnvelopeReference(frame, out, error) ? Result::Envelope : Result::Malformed;
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
