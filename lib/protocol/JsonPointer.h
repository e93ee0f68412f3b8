// JsonPointer: a JSON pointer (RFC 6901) parsed once and resolved against QJsonValues, for the
// dialects whose settings say where a frame keeps its channel, seq, time and data (json,
// socketio). "" is the whole value; "/a/0/b~1c" steps into member "a", element 0, member "b/c".
// Array steps are strict decimal indexes ("0", "12"; never "01", "+1" or "-"). Also the words for
// a value's type, shared by the errors that name a setting or a field of the wrong type.
#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace Pulseboard {

struct JsonPointer
{
    QStringList tokens; // unescaped steps
    QString text;       // as configured, for the words of an error
    bool isSet = false; // false: no pointer was configured

    // False (with the reason in *error when given) for text that is neither "" nor starts with '/'.
    static bool parse(const QString &text, JsonPointer *out, QString *error = nullptr);
    // The value pointed at from step `firstToken` on; undefined when a step is missing or the
    // value on the way is neither an object nor an array.
    QJsonValue resolve(const QJsonValue &root, qsizetype firstToken = 0) const;
    // `token` as an index into an array of `size` elements.
    static bool arrayIndex(const QString &token, qsizetype size, qsizetype *index);
};

// "null", "a boolean", "a number", "a string", "an array", "an object", or "missing" (undefined).
QString jsonTypeName(const QJsonValue &v);

} // namespace Pulseboard
