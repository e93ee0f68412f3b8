#include "JsonView.h"
#include "JsonView_p.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Pulseboard {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using detail::ParsedAccess;

bool keyEquals(std::string_view key, QLatin1StringView wanted)
{
    return key.size() == size_t(wanted.size()) && std::memcmp(key.data(), wanted.data(), key.size()) == 0;
}

// Numbers become what QJsonDocument makes of them: an integer that fits qint64 stays one,
// anything else is a double.
QJsonValue convert(const element &e)
{
    switch (e.type()) {
    case element_type::OBJECT: {
        // Into locals first: ranging over value_unsafe() of a temporary result would dangle.
        simdjson::dom::object members;
        QJsonObject object;
        if (e.get_object().get(members) != simdjson::SUCCESS)
            return object;
        for (const auto field : members)
            object.insert(QString::fromUtf8(field.key.data(), qsizetype(field.key.size())), convert(field.value));
        return object;
    }
    case element_type::ARRAY: {
        simdjson::dom::array items;
        QJsonArray array;
        if (e.get_array().get(items) != simdjson::SUCCESS)
            return array;
        for (const element item : items)
            array.append(convert(item));
        return array;
    }
    case element_type::INT64:
        return QJsonValue(qint64(e.get_int64().value_unsafe()));
    case element_type::UINT64:
        return QJsonValue(double(e.get_uint64().value_unsafe()));
    case element_type::DOUBLE:
        return QJsonValue(e.get_double().value_unsafe());
    case element_type::STRING: {
        const std::string_view s = e.get_string().value_unsafe();
        return QJsonValue(QString::fromUtf8(s.data(), qsizetype(s.size())));
    }
    case element_type::BOOL:
        return QJsonValue(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
        break;
    }
    return QJsonValue(QJsonValue::Null);
}

} // namespace

JsonView::JsonView(const QJsonValue &value) : m_source(Source::Qt), m_qt(value) {}

bool JsonView::isUndefined() const
{
    return m_source == Source::None || (m_source == Source::Qt && m_qt.isUndefined());
}

bool JsonView::isNull() const
{
    if (m_source == Source::Parsed)
        return ParsedAccess::element(*this).is_null();
    return m_source == Source::Qt && m_qt.isNull();
}

bool JsonView::isBool() const
{
    if (m_source == Source::Parsed)
        return ParsedAccess::element(*this).is_bool();
    return m_source == Source::Qt && m_qt.isBool();
}

bool JsonView::isDouble() const
{
    if (m_source == Source::Parsed)
        return ParsedAccess::element(*this).is_number();
    return m_source == Source::Qt && m_qt.isDouble();
}

bool JsonView::isString() const
{
    if (m_source == Source::Parsed)
        return ParsedAccess::element(*this).is_string();
    return m_source == Source::Qt && m_qt.isString();
}

bool JsonView::isArray() const
{
    if (m_source == Source::Parsed)
        return ParsedAccess::element(*this).is_array();
    return m_source == Source::Qt && m_qt.isArray();
}

bool JsonView::isObject() const
{
    if (m_source == Source::Parsed)
        return ParsedAccess::element(*this).is_object();
    return m_source == Source::Qt && m_qt.isObject();
}

bool JsonView::toBool(bool defaultValue) const
{
    if (m_source == Source::Parsed) {
        bool b = false;
        return ParsedAccess::element(*this).get_bool().get(b) == simdjson::SUCCESS ? b : defaultValue;
    }
    return m_source == Source::Qt ? m_qt.toBool(defaultValue) : defaultValue;
}

double JsonView::toDouble(double defaultValue) const
{
    if (m_source == Source::Parsed) {
        const element e = ParsedAccess::element(*this);
        switch (e.type()) {
        case element_type::DOUBLE:
            return e.get_double().value_unsafe();
        case element_type::INT64:
            return double(e.get_int64().value_unsafe());
        case element_type::UINT64:
            return double(e.get_uint64().value_unsafe());
        default:
            return defaultValue;
        }
    }
    return m_source == Source::Qt ? m_qt.toDouble(defaultValue) : defaultValue;
}

QString JsonView::toString() const
{
    if (m_source == Source::Parsed) {
        const QByteArrayView utf8 = ParsedAccess::utf8(*this);
        return utf8.isNull() ? QString() : QString::fromUtf8(utf8);
    }
    return m_source == Source::Qt ? m_qt.toString() : QString();
}

JsonView JsonView::value(QLatin1StringView key) const
{
    if (m_source == Source::Parsed) {
        simdjson::dom::object object;
        if (ParsedAccess::element(*this).get_object().get(object) != simdjson::SUCCESS)
            return {};
        // Every member is looked at so that a repeated key resolves like QJsonDocument's (last wins).
        JsonView found;
        for (const auto field : object) {
            if (keyEquals(field.key, key))
                found = ParsedAccess::make(field.value);
        }
        return found;
    }
    if (m_source == Source::Qt && m_qt.isObject())
        return JsonView(m_qt.toObject().value(key));
    return {};
}

qsizetype JsonView::size() const
{
    if (m_source == Source::Parsed) {
        const element e = ParsedAccess::element(*this);
        if (e.is_array())
            return qsizetype(e.get_array().value_unsafe().size());
        if (e.is_object())
            return qsizetype(e.get_object().value_unsafe().size());
        return 0;
    }
    if (m_source == Source::Qt) {
        if (m_qt.isArray())
            return m_qt.toArray().size();
        if (m_qt.isObject())
            return m_qt.toObject().size();
    }
    return 0;
}

JsonView JsonView::at(qsizetype i) const
{
    if (i < 0)
        return {};
    if (m_source == Source::Parsed) {
        simdjson::dom::array array;
        if (ParsedAccess::element(*this).get_array().get(array) != simdjson::SUCCESS)
            return {};
        element item;
        if (array.at(size_t(i)).get(item) != simdjson::SUCCESS)
            return {};
        return ParsedAccess::make(item);
    }
    if (m_source == Source::Qt && m_qt.isArray()) {
        const QJsonArray array = m_qt.toArray();
        return i < array.size() ? JsonView(array.at(i)) : JsonView();
    }
    return {};
}

QJsonValue JsonView::toJsonValue() const
{
    if (m_source == Source::Parsed)
        return convert(ParsedAccess::element(*this));
    return m_source == Source::Qt ? m_qt : QJsonValue(QJsonValue::Undefined);
}

} // namespace Pulseboard
