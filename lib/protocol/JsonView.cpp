#include "JsonView.h"
#include "JsonView_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLocale>
#include <QVariant>

#include <QVarLengthArray>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace Pulseboard {

namespace {

using detail::ParsedAccess;
using simdjson::dom::element;
using simdjson::dom::element_type;

bool keyEquals(std::string_view key, QLatin1StringView wanted)
{
    return key.size() == size_t(wanted.size()) && std::memcmp(key.data(), wanted.data(), key.size()) == 0;
}

void write(QByteArray &out, const element &e);
void writeSorted(QByteArray &out, const element &e, bool nested);

// Numbers become what QJsonDocument makes of them: an integer that fits qint64 stays one,
// anything else is a double. An object or array is written out and read back by QJsonDocument,
// which sorts an object's members once (and lets the last of a repeated key win): inserting
// them one by one into a QJsonObject costs a search and a move per member, quadratic in a
// large object sent in random order.
QJsonValue convert(const element &e)
{
    switch (e.type()) {
    case element_type::OBJECT:
    case element_type::ARRAY: {
        // Written as QJsonDocument holds it (writeSorted): a whole double inside is written as
        // its exact integer, not in its shortest form, which QJsonDocument would read back as
        // another integer (1888888888888888888.7 is the double 1888888888888888832, whose
        // shortest form 1.8888888888888888e+18 reads as the integer 1888888888888888800).
        QByteArray text;
        writeSorted(text, e, false);
        const QJsonDocument doc = QJsonDocument::fromJson(text);
        if (doc.isObject())
            return doc.object();
        if (doc.isArray())
            return doc.array();
        // Not reached for a document simdjson accepted (its depth limit is below Qt's).
        return e.type() == element_type::OBJECT ? QJsonValue(QJsonObject()) : QJsonValue(QJsonArray());
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

// QByteArray::append goes through insert() in Qt 6.4; the writers append small pieces by the
// dozen per message, so they grow the array (geometrically, as append does) and copy themselves.
inline void put(QByteArray &out, const char *data, qsizetype size)
{
    const qsizetype at = out.size();
    out.resize(at + size);
    std::memcpy(out.data() + at, data, size_t(size));
}

inline void put(QByteArray &out, QByteArrayView bytes)
{
    put(out, bytes.data(), bytes.size());
}

inline void put(QByteArray &out, char c)
{
    const qsizetype at = out.size();
    out.resize(at + 1);
    out.data()[at] = c;
}

// QJsonDocument's way of writing a string: the two JSON specials and control characters
// escaped, everything else as UTF-8. Runs that need no escape are copied at once.
void appendString(QByteArray &out, QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    put(out, '"');
    const char *p = utf8.data();
    const char *const end = p + utf8.size();
    while (p < end) {
        const char *run = p;
        while (p < end && static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\')
            ++p;
        if (p > run)
            put(out, run, p - run);
        if (p == end)
            break;
        const auto c = static_cast<unsigned char>(*p++);
        switch (c) {
        case '"':
            put(out, "\\\"", 2);
            break;
        case '\\':
            put(out, "\\\\", 2);
            break;
        case '\b':
            put(out, "\\b", 2);
            break;
        case '\f':
            put(out, "\\f", 2);
            break;
        case '\n':
            put(out, "\\n", 2);
            break;
        case '\r':
            put(out, "\\r", 2);
            break;
        case '\t':
            put(out, "\\t", 2);
            break;
        default: {
            const char escape[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            put(out, escape, sizeof escape);
        }
        }
    }
    put(out, '"');
}

void appendInteger(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    put(out, digits, result.ptr - digits);
}

// QByteArray::number(d, 'g', QLocale::FloatingPointShortest), as QJsonDocument writes a double,
// without its temporary QByteArray: the shortest digits that read back the same (std::to_chars),
// laid out as Qt lays them out: the decimal form unless d[.ddd]e+XX (at least two exponent
// digits) is shorter.
// tst_jsonlineswriter compares the two on many values.
void appendDouble(QByteArray &out, double d)
{
    if (!std::isfinite(d)) {
        put(out, "null", 4);
        return;
    }
    char sci[40];
    const auto result = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
    const char *p = sci;
    const char *const end = result.ptr;
    char buffer[48];
    char *o = buffer;
    if (*p == '-')
        *o++ = *p++;
    char digits[24];
    int digitCount = 0;
    for (; p < end && *p != 'e'; ++p) {
        if (*p != '.')
            digits[digitCount++] = *p;
    }
    int exponent = 0;
    std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exponent);
    if (digitCount == 1 && digits[0] == '0') { // zero, of either sign: Qt writes 0
        put(out, '0');
        return;
    }
    const int decpt = exponent + 1; // digits before the point
    const int magnitude = exponent < 0 ? -exponent : exponent;
    const int decimalLength =
        decpt <= 0 ? 2 - decpt + digitCount : std::max(decpt, digitCount) + (decpt < digitCount);
    const int exponentLength = digitCount + (digitCount > 1) + 2 + (magnitude >= 100 ? 3 : 2);
    const bool decimal = decimalLength <= exponentLength;
    if (decimal) {
        if (decpt <= 0) {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -decpt; ++i)
                *o++ = '0';
            std::memcpy(o, digits, size_t(digitCount));
            o += digitCount;
        } else if (decpt >= digitCount) {
            std::memcpy(o, digits, size_t(digitCount));
            o += digitCount;
            for (int i = digitCount; i < decpt; ++i)
                *o++ = '0';
        } else {
            std::memcpy(o, digits, size_t(decpt));
            o += decpt;
            *o++ = '.';
            std::memcpy(o, digits + decpt, size_t(digitCount - decpt));
            o += digitCount - decpt;
        }
    } else {
        *o++ = digits[0];
        if (digitCount > 1) {
            *o++ = '.';
            std::memcpy(o, digits + 1, size_t(digitCount - 1));
            o += digitCount - 1;
        }
        *o++ = 'e';
        *o++ = exponent < 0 ? '-' : '+';
        if (magnitude < 10)
            *o++ = '0';
        o = std::to_chars(o, buffer + sizeof buffer, magnitude).ptr;
    }
    put(out, buffer, o - buffer);
}

void write(QByteArray &out, const element &e)
{
    switch (e.type()) {
    case element_type::OBJECT: {
        simdjson::dom::object members;
        if (e.get_object().get(members) != simdjson::SUCCESS)
            return;
        put(out, '{');
        bool first = true;
        for (const auto field : members) {
            if (!first)
                put(out, ',');
            first = false;
            appendString(out, QByteArrayView(field.key.data(), qsizetype(field.key.size())));
            put(out, ':');
            write(out, field.value);
        }
        put(out, '}');
        return;
    }
    case element_type::ARRAY: {
        simdjson::dom::array items;
        if (e.get_array().get(items) != simdjson::SUCCESS)
            return;
        put(out, '[');
        bool first = true;
        for (const element item : items) {
            if (!first)
                put(out, ',');
            first = false;
            write(out, item);
        }
        put(out, ']');
        return;
    }
    case element_type::INT64:
        appendInteger(out, qint64(e.get_int64().value_unsafe()));
        return;
    case element_type::UINT64:
        appendDouble(out, double(e.get_uint64().value_unsafe()));
        return;
    case element_type::DOUBLE:
        appendDouble(out, e.get_double().value_unsafe());
        return;
    case element_type::STRING: {
        const std::string_view text = e.get_string().value_unsafe();
        appendString(out, QByteArrayView(text.data(), qsizetype(text.size())));
        return;
    }
    case element_type::BOOL:
        put(out, e.get_bool().value_unsafe() ? QByteArrayView("true") : QByteArrayView("false"));
        return;
    case element_type::NULL_VALUE:
        put(out, "null", 4);
        return;
    }
}

bool keyLess(std::string_view a, std::string_view b)
{
    // QJsonObject orders its keys by code point; UTF-8 byte order is the same order.
    return a < b;
}

// write(), with every object's members as a QJsonObject holds them: sorted, the last of a
// repeated key only. Objects already in order (most payloads) are written as they come.
// `nested`: inside an object or array. convert() has QJsonDocument read those back from text,
// and its parser keeps any whole number that fits qint64 as an integer; at the top level
// QJsonValue(double) does that only below 2^53.
void writeSorted(QByteArray &out, const element &e, bool nested)
{
    switch (e.type()) {
    case element_type::OBJECT: {
        simdjson::dom::object members;
        if (e.get_object().get(members) != simdjson::SUCCESS)
            return;
        bool ordered = true;
        std::string_view previous;
        bool first = true;
        for (const auto field : members) {
            if (!first && !keyLess(previous, field.key)) {
                ordered = false;
                break;
            }
            previous = field.key;
            first = false;
        }
        put(out, '{');
        if (ordered) {
            first = true;
            for (const auto field : members) {
                if (!first)
                    put(out, ',');
                first = false;
                appendString(out, QByteArrayView(field.key.data(), qsizetype(field.key.size())));
                put(out, ':');
                writeSorted(out, field.value, true);
            }
        } else {
            struct Member
            {
                std::string_view key;
                element value;
            };
            QVarLengthArray<Member, 32> sorted;
            for (const auto field : members)
                sorted.append({field.key, field.value});
            std::stable_sort(sorted.begin(), sorted.end(),
                             [](const Member &a, const Member &b) { return keyLess(a.key, b.key); });
            first = true;
            for (qsizetype i = 0; i < sorted.size(); ++i) {
                if (i + 1 < sorted.size() && sorted.at(i + 1).key == sorted.at(i).key)
                    continue; // a later occurrence of the key wins
                if (!first)
                    put(out, ',');
                first = false;
                appendString(out,
                             QByteArrayView(sorted.at(i).key.data(), qsizetype(sorted.at(i).key.size())));
                put(out, ':');
                writeSorted(out, sorted.at(i).value, true);
            }
        }
        put(out, '}');
        return;
    }
    case element_type::ARRAY: {
        simdjson::dom::array items;
        if (e.get_array().get(items) != simdjson::SUCCESS)
            return;
        put(out, '[');
        bool first = true;
        for (const element item : items) {
            if (!first)
                put(out, ',');
            first = false;
            writeSorted(out, item, true);
        }
        put(out, ']');
        return;
    }
    case element_type::DOUBLE: {
        const double d = e.get_double().value_unsafe();
        constexpr double kInt64End = 9223372036854775808.0; // 2^63
        if (nested && d == std::trunc(d) && d >= -kInt64End && d < kInt64End)
            appendInteger(out, qint64(d));
        else
            appendJsonNumber(out, d);
        return;
    }
    default:
        write(out, e);
        return;
    }
}

} // namespace

void appendJsonNumber(QByteArray &out, double value)
{
    constexpr double kExact = 9007199254740992.0; // 2^53
    if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < kExact)
        appendInteger(out, qint64(value));
    else
        appendDouble(out, value);
}

void appendJsonDouble(QByteArray &out, double value)
{
    appendDouble(out, value);
}

void appendJsonInteger(QByteArray &out, qint64 value)
{
    appendInteger(out, value);
}

void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    appendString(out, utf8);
}

void JsonView::appendQtCompactJson(QByteArray &out) const
{
    if (m_source == Source::Parsed) {
        writeSorted(out, ParsedAccess::element(*this), false);
        return;
    }
    if (m_source == Source::Qt)
        out.append(toJson());
}

void detail::appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    appendString(out, utf8);
}

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

QByteArray JsonView::toJson() const
{
    QByteArray out;
    if (m_source == Source::Parsed) {
        write(out, ParsedAccess::element(*this));
        return out;
    }
    if (m_source != Source::Qt)
        return out;
    switch (m_qt.type()) {
    case QJsonValue::Object:
        return QJsonDocument(m_qt.toObject()).toJson(QJsonDocument::Compact);
    case QJsonValue::Array:
        return QJsonDocument(m_qt.toArray()).toJson(QJsonDocument::Compact);
    case QJsonValue::Double:
        // QJsonValue keeps integers apart from doubles; QJsonDocument writes them as integers.
        if (m_qt.toVariant().typeId() == QMetaType::LongLong)
            out.append(QByteArray::number(m_qt.toInteger()));
        else
            appendDouble(out, m_qt.toDouble());
        return out;
    case QJsonValue::String:
        appendString(out, m_qt.toString().toUtf8());
        return out;
    case QJsonValue::Bool:
        return m_qt.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Null:
        return QByteArrayLiteral("null");
    case QJsonValue::Undefined:
        break;
    }
    return out;
}

void JsonView::visitMembers(MemberVisitor visit, void *context) const
{
    if (m_source == Source::Parsed) {
        simdjson::dom::object object;
        if (ParsedAccess::element(*this).get_object().get(object) != simdjson::SUCCESS)
            return;
        for (const auto field : object) {
            if (!visit(context, QByteArrayView(field.key.data(), qsizetype(field.key.size())),
                       ParsedAccess::make(field.value)))
                return;
        }
        return;
    }
    if (m_source != Source::Qt || !m_qt.isObject())
        return;
    const QJsonObject object = m_qt.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!visit(context, it.key().toUtf8(), JsonView(it.value())))
            return;
    }
}

void JsonView::visitElements(ElementVisitor visit, void *context) const
{
    if (m_source == Source::Parsed) {
        simdjson::dom::array array;
        if (ParsedAccess::element(*this).get_array().get(array) != simdjson::SUCCESS)
            return;
        for (const element item : array) {
            if (!visit(context, ParsedAccess::make(item)))
                return;
        }
        return;
    }
    if (m_source != Source::Qt || !m_qt.isArray())
        return;
    const QJsonArray array = m_qt.toArray();
    for (const QJsonValue &item : array) {
        if (!visit(context, JsonView(item)))
            return;
    }
}

std::optional<QJsonValue> parseJsonValue(QByteArrayView utf8, JsonValueError *error)
{
    // QJsonDocument reads only objects and arrays: inside an array, any value is an element.
    QByteArray wrapped;
    wrapped.reserve(utf8.size() + 2);
    wrapped.append('[').append(utf8.data(), utf8.size()).append(']');
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &parseError);
    JsonValueError why;
    if (parseError.error != QJsonParseError::NoError) {
        why.kind = JsonValueError::Syntax;
        why.offset = qMax(0, parseError.offset - 1); // the '[' in front is not the caller's
        why.message = parseError.errorString();
    } else if (doc.array().size() != 1) {
        why.kind = JsonValueError::NotOneValue;
        why.valueCount = int(doc.array().size());
    } else {
        return doc.array().at(0);
    }
    if (error)
        *error = why;
    return std::nullopt;
}

bool isJsonValue(QByteArrayView utf8)
{
    // One parser per thread, its buffers reused; parse() copies the text into padded memory.
    thread_local simdjson::dom::parser parser;
    element root;
    return parser.parse(utf8.data(), size_t(utf8.size()), true).get(root) == simdjson::SUCCESS;
}

} // namespace Pulseboard
