#include "ChannelStore.h"

#include "protocol/Envelope.h"

namespace Pulseboard {

QByteArray ChannelStore::encodeMessage(const QString &channel, qint64 seq, qint64 ts, const QJsonValue &data)
{
    Envelope env;
    env.type = MessageType::Message;
    env.channel = channel;
    env.seq = seq;
    env.ts = ts;
    env.data = data;
    return encodeEnvelope(env);
}

} // namespace Pulseboard
