#include "PulseboardDialect.h"

#include "Logging.h"
#include "protocol/CloseCode.h"

namespace Pulseboard {

namespace {

OutboundFrame text(const Envelope &env)
{
    return {encodeEnvelope(env), false};
}

} // namespace

PulseboardDialect::PulseboardDialect(const QString &subprotocol) : m_subprotocol(subprotocol) {}

QStringList PulseboardDialect::subprotocols() const
{
    return m_subprotocol.isEmpty() ? QStringList() : QStringList{m_subprotocol};
}

OutboundFrame PulseboardDialect::encodeAuth(const QString &id, const QString &token)
{
    Envelope env;
    env.type = MessageType::Auth;
    env.id = id;
    env.text = token;
    return text(env);
}

OutboundFrame PulseboardDialect::encodeSubscribe(const QString &id, const QString &channel, qint64 since)
{
    return encodeSubscribeInEpoch(id, channel, since, QString()); // an empty epoch is not written
}

OutboundFrame PulseboardDialect::encodeSubscribeInEpoch(const QString &id, const QString &channel,
                                                        qint64 since, const QString &epoch)
{
    Envelope env;
    env.type = MessageType::Subscribe;
    env.id = id;
    env.channel = channel;
    env.since = since;
    env.epoch = epoch;
    return text(env);
}

OutboundFrame PulseboardDialect::encodeSubscribeWithHistory(const QString &id, const QString &channel,
                                                            qint64 history)
{
    Envelope env;
    env.type = MessageType::Subscribe;
    env.id = id;
    env.channel = channel;
    env.history = history;
    return text(env);
}

OutboundFrame PulseboardDialect::encodeUnsubscribe(const QString &id, const QString &channel)
{
    Envelope env;
    env.type = MessageType::Unsubscribe;
    env.id = id;
    env.channel = channel;
    return text(env);
}

OutboundFrame PulseboardDialect::encodePublish(const QString &id, const QString &channel,
                                               const QJsonValue &data, const QString &clientKey)
{
    Envelope env;
    env.type = MessageType::Publish;
    env.id = id;
    env.channel = channel;
    env.data = data.isUndefined() ? QJsonValue(QJsonValue::Null) : data;
    // Lets a hub without auth recognise a resend from a new connection as the same sender.
    env.client = clientKey;
    return text(env);
}

OutboundFrame PulseboardDialect::encodeRequest(const QString &id, const QString &method,
                                               const QJsonValue &params)
{
    Envelope env;
    env.type = MessageType::Request;
    env.id = id;
    env.text = method;
    env.data = params;
    return text(env);
}

OutboundFrame PulseboardDialect::encodePing(const QString &id, qint64 ts)
{
    Envelope env;
    env.type = MessageType::Ping;
    env.id = id;
    env.ts = ts;
    return text(env);
}

qsizetype PulseboardDialect::decodeText(QStringView frame, DialectEvents &events)
{
    const qsizetype bytes = m_decoder.setFrame(frame).size();
    Envelope env;
    MessageView message;
    DecodeError error;
    switch (m_decoder.decode(env, message, &error)) {
    case EnvelopeDecoder::Result::Message: {
        InboundMessage m;
        m.channelUtf8 = message.channel;
        m.seq = message.seq;
        m.ts = message.ts;
        m.data = message.data;
        events.messageArrived(m);
        break;
    }
    case EnvelopeDecoder::Result::Envelope:
        dispatch(env, events);
        break;
    case EnvelopeDecoder::Result::Malformed:
        qCWarning(lcNet).noquote() << "unreadable frame from server:" << error.message;
        events.malformedFrame(error.code,
                              QStringLiteral("server sent an unreadable frame: %1").arg(error.message));
        break;
    }
    return bytes;
}

qsizetype PulseboardDialect::decodeBinary(QByteArrayView data, DialectEvents &events)
{
    events.malformedFrame(
        CloseCode::Malformed,
        QStringLiteral("ignored a binary frame of %1 bytes: the protocol uses text frames").arg(data.size()));
    return data.size();
}

void PulseboardDialect::dispatch(const Envelope &env, DialectEvents &events)
{
    switch (env.type) {
    case MessageType::Message: {
        // Only frames the fast decoder handed to the reference decoder come this way.
        InboundMessage m;
        m.channel = env.channel;
        m.seq = env.seq;
        m.ts = env.ts;
        m.data = JsonView(env.data);
        events.messageArrived(m);
        return;
    }
    case MessageType::Ping:
        events.replyDue(text(pongFor(env)));
        return;
    case MessageType::Pong:
        events.pongArrived(env.id, env.ts);
        return;
    case MessageType::Welcome:
        events.welcomed(env.server, env.session, env.heartbeatMs);
        return;
    case MessageType::Ack:
        events.ackArrived(env.id, env.seq);
        return;
    case MessageType::Subscribed:
        if (env.history >= 0)
            events.backfillAnnounced(env.id, env.channel, env.history);
        events.subscribeConfirmed(env.id, env.channel, env.seq,
                                  env.hasRecovered ? std::optional<bool>(env.recovered) : std::nullopt,
                                  env.epoch);
        return;
    case MessageType::Unsubscribed:
        events.unsubscribeConfirmed(env.id, env.channel);
        return;
    case MessageType::Response:
        events.responseArrived(env.id, env.data, env.next);
        return;
    case MessageType::Error:
        events.serverError(env.code, env.text, env.id);
        return;
    case MessageType::Unknown:
        qCDebug(lcNet).noquote() << "ignoring frame of unknown type" << env.typeName;
        return;
    case MessageType::Auth:
    case MessageType::Subscribe:
    case MessageType::Unsubscribe:
    case MessageType::Publish:
    case MessageType::Request:
        qCDebug(lcNet).noquote() << "ignoring client-bound frame type" << env.typeName << "from server";
        return;
    }
}

} // namespace Pulseboard
