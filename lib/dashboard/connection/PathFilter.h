// PathFilter: the Raw panel's filter by JSON path, e.g. `/data/status == "error"`,
// `/data/cpu > 90`, `/data/user exists`. A JSON pointer (RFC 6901: `~1` is '/', `~0` is '~',
// array steps are decimal indexes) into the frame as {"channel","seq","ts","data"}, an operator
// (== != < <= > >= exists) and, except for exists, a JSON value (a number, a string in double
// quotes with JSON escapes, true, false, null; == and != also take an array or object).
// The pointer runs to the first space or operator character, so a key holding a space, '=',
// '!', '<' or '>' cannot be named. A comparison needs the value to be there: a missing one
// matches no operator but exists' opposite (nothing). < <= > >= compare two numbers, or two
// strings by their UTF-16 code units; any other pair of types does not match (no error: a
// field that is sometimes a string is not a mistake in the filter). Parsing says what is
// wrong with a malformed text; matching allocates nothing for channel, seq and ts.
#pragma once

#include "protocol/JsonPointer.h"

#include <QJsonValue>
#include <QString>

#include <optional>

namespace Pulseboard {

class PathFilter
{
public:
    enum class Op : quint8 { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Exists };

    // Whether `text` is meant as a path filter (its first non-blank character is '/'); anything
    // else is the substring filter.
    static bool looksLikePath(const QString &text);
    // nullopt (and why in *error) for a text that is not `POINTER OP [VALUE]`.
    static std::optional<PathFilter> parse(const QString &text, QString *error = nullptr);

    // Whether the frame matches. `data` is the frame's payload; seq < 0 and ts <= 0 are frames
    // without one (those members are missing then). Only a pointer into /data reads `data`.
    bool matches(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data) const;
    // Whether matches() reads the payload (the caller may skip decoding it otherwise).
    bool readsData() const;
    // The value the pointer names in the frame (undefined when missing).
    QJsonValue resolve(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data) const;
    // Whether `value` (as resolve() gives it) satisfies the operator.
    bool test(const QJsonValue &value) const;

    const QStringList &tokens() const { return m_pointer.tokens; }
    Op op() const { return m_op; }
    const QJsonValue &operand() const { return m_operand; }

private:
    JsonPointer m_pointer;
    Op m_op = Op::Exists;
    QJsonValue m_operand{QJsonValue::Undefined};
};

} // namespace Pulseboard
