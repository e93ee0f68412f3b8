// JsonView: read-only access to one JSON value of a decoded frame without building a QJsonValue.
// The hot path (EnvelopeDecoder, ConnectionManager's MessageSink delivery) hands payloads over
// as views into the parsed frame, so a consumer that needs two numbers allocates nothing.
// A view into a parsed frame is valid only until its decoder reads the next frame; a view can
// also wrap a QJsonValue (it then owns a copy), so code written against JsonView works for both.
// Accessors follow QJsonValue: a wrong type or a missing member reads as the default.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QString>

#include <optional>
#include <type_traits>

namespace Pulseboard {

class JsonView;

namespace detail {
struct ParsedAccess;
}

class JsonView
{
public:
    JsonView() = default; // undefined, like a missing member
    explicit JsonView(const QJsonValue &value);

    bool isUndefined() const;
    bool isNull() const;
    bool isBool() const;
    bool isDouble() const; // any JSON number, as QJsonValue::isDouble()
    bool isString() const;
    bool isArray() const;
    bool isObject() const;

    bool toBool(bool defaultValue = false) const;
    double toDouble(double defaultValue = 0) const;
    QString toString() const;

    // Object member; when a key repeats, the last one counts (as in QJsonObject).
    JsonView value(QLatin1StringView key) const;
    JsonView operator[](QLatin1StringView key) const { return value(key); }
    // Array elements or object members; 0 for anything else.
    qsizetype size() const;
    // Array element i (walks the array: fine for the short arrays of a payload).
    JsonView at(qsizetype i) const;

    // The value as a QJsonValue (allocates: for consumers that keep the whole payload).
    QJsonValue toJsonValue() const;
    // Compact JSON text of the value (one allocation), written as QJsonDocument's Compact
    // form writes it (numbers, string escapes); members in the order they arrived, where
    // QJsonObject would sort them. Undefined writes nothing.
    QByteArray toJson() const;
    // Appends what QJsonDocument writes for toJsonValue() in its Compact form, byte for byte,
    // without building the QJsonValue: an object's members sorted by key as QJsonObject keeps
    // them (a repeated key once, with its last value), numbers and string escapes as
    // QJsonDocument writes them. Allocates nothing beyond growing `out`: for the JSON Lines
    // writers that print every message. Undefined appends nothing.
    void appendQtCompactJson(QByteArray &out) const;

    // Calls f(QByteArrayView key, const JsonView &value) for each member of an object until f
    // returns false: in document order, a repeated key once per occurrence (a view of a
    // QJsonValue: QJsonObject's order). The key (UTF-8) lasts only for the call. Walks once,
    // where value(key) per member would walk the object each time.
    template <typename F> void forEachMember(F &&f) const
    {
        visitMembers(
            [](void *context, QByteArrayView key, const JsonView &value) -> bool {
                return (*static_cast<std::remove_reference_t<F> *>(context))(key, value);
            },
            const_cast<void *>(static_cast<const void *>(&f)));
    }
    // Calls f(const JsonView &value) for each element of an array, in order, until f returns false.
    template <typename F> void forEachElement(F &&f) const
    {
        visitElements(
            [](void *context, const JsonView &value) -> bool {
                return (*static_cast<std::remove_reference_t<F> *>(context))(value);
            },
            const_cast<void *>(static_cast<const void *>(&f)));
    }

private:
    friend struct detail::ParsedAccess;
    using MemberVisitor = bool (*)(void *context, QByteArrayView key, const JsonView &value);
    using ElementVisitor = bool (*)(void *context, const JsonView &value);
    void visitMembers(MemberVisitor visit, void *context) const;
    void visitElements(ElementVisitor visit, void *context) const;
    enum class Source : quint8 { None, Parsed, Qt };

    Source m_source = Source::None;
    // A simdjson::dom::element (a document pointer and a tape index) when Parsed; kept opaque
    // so that users of this header do not compile simdjson.
    alignas(8) unsigned char m_element[16] = {};
    QJsonValue m_qt{QJsonValue::Undefined};
};

// Appends `value` as QJsonDocument writes QJsonValue(value): a whole number below 2^53 as an
// integer, any other finite number in the shortest form that reads back the same, otherwise null.
void appendJsonNumber(QByteArray &out, double value);
// Appends a double in QJsonDocument's form for one: QByteArray::number(value, 'g',
// QLocale::FloatingPointShortest), null when not finite. No temporary QByteArray.
void appendJsonDouble(QByteArray &out, double value);
// Appends an integer as QJsonDocument writes QJsonValue(qint64).
void appendJsonInteger(QByteArray &out, qint64 value);
// Appends `utf8` as a JSON string the way QJsonDocument writes one (the two specials and
// control characters escaped, everything else as UTF-8).
void appendJsonString(QByteArray &out, QByteArrayView utf8);

// Why parseJsonValue() refused a text.
struct JsonValueError
{
    enum Kind { None, Syntax, NotOneValue };
    Kind kind = None;
    int offset = 0;     // Syntax: QJsonParseError::offset, counted in the text as given
    QString message;    // Syntax: QJsonParseError's words
    int valueCount = 0; // NotOneValue: how many comma-separated values the text held (0 for blank)
};

// Parses a text holding exactly one JSON value of any kind: an object or array, and also a string,
// number, true, false or null, which QJsonDocument alone refuses. Values come out as QJsonDocument
// makes them. The one place this is done: commands typed into the CLI and the dashboard, payloads
// read back from Redis.
std::optional<QJsonValue> parseJsonValue(QByteArrayView utf8, JsonValueError *error = nullptr);

// Whether `utf8` is exactly one JSON value (of any kind), checked by simdjson without building
// anything: for text that is passed on as it is (payloads read back from Redis). False for what
// simdjson refuses, including the rare texts parseJsonValue() reads (a byte order mark, integers
// beyond 64 bits): a caller that must take those asks parseJsonValue() after a false.
bool isJsonValue(QByteArrayView utf8);

} // namespace Pulseboard
