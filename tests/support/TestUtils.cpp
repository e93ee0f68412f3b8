#include "TestUtils.h"

#include <QJsonDocument>
#include <QTest>

namespace TestUtils {

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        qWarning("not a JSON object: %s", json.constData());
        return {};
    }
    return doc.object();
}

QList<QJsonObject> parseJsonLines(const QByteArray &text)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        out.append(parseObject(line));
    }
    return out;
}

QList<QJsonObject> eventsOf(const QList<QJsonObject> &events, const QString &name)
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : events) {
        if (e.value(QLatin1StringView("event")).toString() == name)
            out.append(e);
    }
    return out;
}

} // namespace TestUtils
