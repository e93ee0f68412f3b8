#include "ChannelStore.h"

#include "protocol/Envelope.h"
#include "protocol/JsonView.h"
#include "protocol/MessageFrame.h"

#include <QRandomGenerator>

namespace Pulseboard {

QString ChannelStore::newEpoch()
{
    // The system generator: two hubs started in the same microsecond still differ.
    return QString::number(QRandomGenerator::system()->generate64(), 16).rightJustified(16, QLatin1Char('0'));
}

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

QByteArray ChannelStore::encodeMessage(const QString &channel, qint64 seq, qint64 ts,
                                       const QByteArray &dataJson)
{
    return encodeMessageFrame(channel, seq, ts, dataJson);
}

void ChannelStore::append(const QString &channel, const QJsonValue &data, qint64 ts, const QString &dedupeKey,
                          AppendCallback done)
{
    append(channel, JsonView(data).toJson(), ts, dedupeKey, std::move(done));
}

} // namespace Pulseboard
