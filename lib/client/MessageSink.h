// MessageSink: the lean way to consume channel messages at thousands per second.
// ConnectionManager calls every registered sink directly (no signal, no queued copy) for each
// message it delivers (after duplicate and gap checks), before it emits messageReceived, with
// the payload as a JsonView into the decoded frame: a consumer that needs a few numbers builds
// no QJsonValue and allocates nothing. The view, like the call, lasts until deliver() returns.
#pragma once

#include "protocol/JsonView.h"

#include <QString>

namespace Pulseboard {

class MessageSink
{
public:
    virtual ~MessageSink() = default;
    virtual void deliver(const QString &channel, qint64 seq, qint64 ts, const JsonView &data) = 0;
    // The message delivered next on `channel` is the broker's stored last value (MQTT retain),
    // not a live one: called just before that deliver(), as retainedReceived is emitted.
    virtual void retained(const QString &channel) { Q_UNUSED(channel); }
    // The message delivered next on `channel` is of a first subscribe's backfill (`history`): a
    // past message the server retained, drawn as history but not live traffic. Called just
    // before that deliver(), as backfillReceived is emitted.
    virtual void backfill(const QString &channel) { Q_UNUSED(channel); }
};

} // namespace Pulseboard
