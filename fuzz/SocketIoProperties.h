// The properties the Socket.IO fuzz target checks, shared with tst_fuzzcorpus (which replays the
// committed corpus in every build). The input is a connection's inbound frames, one a line: a
// line starting with 'B' is a binary frame (the rest of the line), any other a text frame. The
// dialect is the worked example's (docs/examples/socketio.json), its CONNECT already sent.
// Properties: nothing crashes or hangs; every frame reports its size; every message delivered has
// a channel and a seq >= -1 and a defined payload; every reply is an Engine.IO pong, an ACK or a
// close; the acks awaited stay bounded; a frame that is not a known packet is reported, never
// dropped in silence.
#pragma once

#include "client/SocketIoDialect.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace Pulseboard::Fuzz {

class SocketIoRecorder : public DialectEvents
{
public:
    QString broken;
    int malformed = 0;
    int messages = 0;
    void welcomed(const QString &, const QString &, qint64) override {}
    void messageArrived(const InboundMessage &m) override
    {
        ++messages;
        if (m.channel.isEmpty() && m.channelUtf8.isEmpty())
            broken = QStringLiteral("a message without a channel");
        if (m.seq < -1)
            broken = QStringLiteral("a message with seq %1").arg(m.seq);
        if (m.data.isUndefined())
            broken = QStringLiteral("a message with undefined data");
    }
    void ackArrived(const QString &, qint64) override {}
    void subscribeConfirmed(const QString &, const QString &, qint64, std::optional<bool>,
                            const QString &) override
    {
    }
    void unsubscribeConfirmed(const QString &, const QString &) override {}
    void responseArrived(const QString &, const QJsonValue &, const QString &) override {}
    void serverError(int, const QString &, const QString &) override {}
    void pongArrived(const QString &, qint64) override {}
    void replyDue(const OutboundFrame &frame) override
    {
        const QByteArray &b = frame.bytes;
        if (!(b.startsWith('3') || b.startsWith("43") || b == "1" || b.startsWith("40")))
            broken = QStringLiteral("an unexpected reply: %1").arg(QString::fromUtf8(b.left(60)));
    }
    void malformedFrame(int, const QString &message) override
    {
        ++malformed;
        if (message.isEmpty())
            broken = QStringLiteral("a malformed frame reported without words");
    }
};

inline QJsonObject fuzzSettings()
{
    return QJsonDocument::fromJson(R"({
      "messages": [
        {"event": "message", "channel": "/0/channel", "seq": "/0/seq", "data": "/0/data"},
        {"event": "ticker", "data": "/0", "ts": "/0/ts"},
        {"channel": "/1", "data": ""}
      ],
      "subscribe": {"emit": ["join", "{channel}"], "ack": true},
      "publish": {"emit": ["publish", {"id": "{id}", "channel": "{channel}", "data": "{data}"}], "ackSeq": "/0/seq"},
      "ackError": "/0/error"
    })")
        .object();
}

// Returns what broke, empty when every property held.
inline QString checkSocketIo(QByteArrayView input)
{
    QString error;
    auto dialect = SocketIoDialect::create(fuzzSettings(), &error);
    if (!dialect)
        return QStringLiteral("settings refused: %1").arg(error);
    SocketIoRecorder events;
    dialect->encodeAuth(QStringLiteral("auth-1"), QStringLiteral("token"));
    // Acks the fuzzer may answer: a subscribe and a few publishes.
    dialect->encodeSubscribe(QStringLiteral("sub-1"), QStringLiteral("feed"), -1);
    for (int i = 0; i < 4; ++i)
        dialect->prepareQueued(
            QStringLiteral("p-%1").arg(i),
            dialect->encodePublish(QStringLiteral("p-%1").arg(i), QStringLiteral("feed"), i, QString())
                .bytes);
    qsizetype start = 0;
    while (start <= input.size()) {
        qsizetype end = input.indexOf('\n', start);
        if (end < 0)
            end = input.size();
        const QByteArrayView line = input.sliced(start, end - start);
        const int before = events.malformed;
        if (line.startsWith('B')) {
            const QByteArrayView bin = line.sliced(1);
            if (dialect->decodeBinary(bin, events) != bin.size())
                return QStringLiteral("decodeBinary did not report the frame's size");
        } else {
            const QString text = QString::fromUtf8(line);
            if (dialect->decodeText(text, events) != text.size())
                return QStringLiteral("decodeText did not report the frame's size");
            if (text.isEmpty() && events.malformed == before)
                return QStringLiteral("an empty frame was not reported");
            const QChar t = text.isEmpty() ? QChar() : text.at(0);
            if (!text.isEmpty() && (t < u'0' || t > u'6') && events.malformed == before)
                return QStringLiteral("an unknown Engine.IO type was not reported: %1").arg(text.left(40));
        }
        if (!events.broken.isEmpty())
            return events.broken;
        if (dialect->pid().size() > input.size() || dialect->lastOffset().size() > input.size())
            return QStringLiteral("recovery state larger than the input");
        start = end + 1;
    }
    return QString();
}

} // namespace Pulseboard::Fuzz
