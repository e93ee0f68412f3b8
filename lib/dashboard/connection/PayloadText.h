// PayloadText: one message's data kept past its delivery for display (the raw-message view,
// a channel's newest value). A MessageSink's JsonView dies with the call; turning it into a
// QJsonValue per message costs an allocation per member. Kept instead: objects and arrays as
// their compact JSON bytes (one allocation, and the text the views show anyway), bare values
// as a QJsonValue (no allocation for numbers). Copies share the bytes.
#pragma once

#include "protocol/JsonView.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

namespace Pulseboard {

class PayloadText
{
public:
    PayloadText() = default;
    explicit PayloadText(const JsonView &data);
    explicit PayloadText(const QJsonValue &data);

    bool isUndefined() const { return m_json.isNull() && m_scalar.isUndefined(); }
    // The compact text, cut to maxChars with an ellipsis (as ChannelListModel::compactText).
    QString text(int maxChars) const;
    // The whole value, decoded (allocates: for the one frame a view looks into, or a filter).
    QJsonValue toJsonValue() const;

private:
    QByteArray m_json;                          // objects and arrays
    QJsonValue m_scalar{QJsonValue::Undefined}; // everything else
};

} // namespace Pulseboard
