#include "JsonPointer.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Pulseboard {

bool JsonPointer::parse(const QString &text, JsonPointer *out, QString *error)
{
    if (!text.isEmpty() && !text.startsWith(u'/')) {
        if (error)
            *error =
                QStringLiteral("'%1' is not a JSON pointer (it starts with '/', e.g. \"/0/data\")").arg(text);
        return false;
    }
    out->text = text;
    out->isSet = true;
    out->tokens.clear();
    if (text.isEmpty())
        return true;
    const QStringList parts = text.mid(1).split(u'/');
    for (QString part : parts) {
        part.replace(QLatin1StringView("~1"), QLatin1StringView("/"));
        part.replace(QLatin1StringView("~0"), QLatin1StringView("~"));
        out->tokens.append(part);
    }
    return true;
}

bool JsonPointer::arrayIndex(const QString &token, qsizetype size, qsizetype *index)
{
    bool ok = false;
    const qsizetype i = token.toLongLong(&ok);
    if (!ok || i < 0 || i >= size || (token.size() > 1 && token.startsWith(u'0')) || token.startsWith(u'+'))
        return false;
    *index = i;
    return true;
}

QJsonValue JsonPointer::resolve(const QJsonValue &root, qsizetype firstToken) const
{
    QJsonValue v = root;
    for (qsizetype k = firstToken; k < tokens.size(); ++k) {
        const QString &t = tokens.at(k);
        if (v.isArray()) {
            const QJsonArray a = v.toArray();
            qsizetype i = 0;
            if (!arrayIndex(t, a.size(), &i))
                return QJsonValue(QJsonValue::Undefined);
            v = a.at(i);
        } else if (v.isObject()) {
            const QJsonObject o = v.toObject();
            const auto it = o.constFind(t);
            if (it == o.constEnd())
                return QJsonValue(QJsonValue::Undefined);
            v = *it;
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return v;
}

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

} // namespace Pulseboard
