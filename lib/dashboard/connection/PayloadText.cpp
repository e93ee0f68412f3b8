#include "PayloadText.h"

#include "ChannelListModel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Pulseboard {

PayloadText::PayloadText(const JsonView &data)
{
    if (data.isObject() || data.isArray())
        m_json = data.toJson();
    else
        m_scalar = data.toJsonValue();
}

PayloadText::PayloadText(const QJsonValue &data)
{
    if (data.isObject())
        m_json = QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact);
    else if (data.isArray())
        m_json = QJsonDocument(data.toArray()).toJson(QJsonDocument::Compact);
    else
        m_scalar = data;
}

QString PayloadText::text(int maxChars) const
{
    if (m_json.isNull())
        return ChannelListModel::compactText(m_scalar, maxChars);
    // Cut before decoding: a 1 MiB payload shown in a list row decodes only what is shown
    // (4 bytes per character is the most UTF-8 needs).
    QString text = QString::fromUtf8(
        QByteArrayView(m_json).first(qMin<qsizetype>(m_json.size(), qsizetype(maxChars) * 4 + 4)));
    if (text.size() > maxChars || m_json.size() > qsizetype(maxChars) * 4 + 4)
        text = text.left(maxChars - 1) + QChar(0x2026);
    return text;
}

QJsonValue PayloadText::toJsonValue() const
{
    if (m_json.isNull())
        return m_scalar;
    // The bytes were written from a parsed value: they read back as one.
    return parseJsonValue(m_json).value_or(QJsonValue(QJsonValue::Undefined));
}

} // namespace Pulseboard
