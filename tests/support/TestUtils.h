// Small helpers shared by the tests: JSON shorthands and reading JSON Lines.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace TestUtils {

QJsonObject parseObject(const QByteArray &json);
// Splits JSON Lines output into objects; lines that are not objects fail the calling test.
QList<QJsonObject> parseJsonLines(const QByteArray &text);
QList<QJsonObject> eventsOf(const QList<QJsonObject> &events, const QString &name);

} // namespace TestUtils
